/* test_labour_ops — reception's master data through the real runtime, in
 * process (tests/support/harness.h): the skills follow the technicians as
 * the workshop re-registers them, bad peer events are skipped, a refused
 * definition writes nothing, a retired code defined again is back, and an
 * RO's part line takes the parts catalogue's latest price. The whole flow
 * with real daemons is tests/integration/test_labour_ops.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "as/error.h"
#include "as/pb/parts.pb-c.h"
#include "as/pb/reception.pb-c.h"
#include "as/pb/workshop.pb-c.h"
#include "harness.h"
#include "reception_service.h"

#define VIN "JN1AZ4EH7DM430111"

static uint64_t s_workshop_seq, s_parts_seq;

static as_harness_t *s_open(void)
{
    s_workshop_seq = s_parts_seq = 0;
    as_harness_t *h = as_harness_new(&reception_service, "[staff]\n"
                                                         "svc-mgr = service_manager\n"
                                                         "adv-wang = advisor limit=100000\n");
    assert_non_null(h);
    return h;
}

/* workshop.technician.registered for `tech_id` with one skill (NULL: none). */
static int s_technician(as_harness_t *h, const char *tech_id, const char *skill)
{
    char *skills[] = {(char *)skill};
    As__Technician tech = AS__TECHNICIAN__INIT;
    tech.tech_id = (char *)tech_id;
    tech.skills = skills;
    tech.n_skills = skill ? 1 : 0;
    tech.has_level = 1;
    tech.level = 3;
    As__TechnicianRegistered event = AS__TECHNICIAN_REGISTERED__INIT;
    event.technician = &tech;
    as_harness_result_t r = {0};
    assert_int_equal(as_harness_apply(h, "workshop.technician.registered", "workshop@local",
                                      ++s_workshop_seq, tech_id, &event.base, &r),
                     0);
    int status = r.status;
    as_harness_result_clear(&r);
    return status;
}

static void s_part_price(as_harness_t *h, const char *part_number, int64_t price_cents)
{
    As__Part part = AS__PART__INIT;
    part.part_number = (char *)part_number;
    part.has_price_cents = 1;
    part.price_cents = price_cents;
    As__PartDefined event = AS__PART_DEFINED__INIT;
    event.part = &part;
    as_harness_result_t r = {0};
    assert_int_equal(as_harness_apply(h, "parts.part.defined", "parts@local", ++s_parts_seq,
                                      part_number, &event.base, &r),
                     0);
    assert_int_equal(r.status, 0);
    as_harness_result_clear(&r);
}

/* reception.labour_op.define of `code` (60 minutes, `skill`, level `level`);
 * returns the status, the error in `error` (may be NULL). */
static int s_define(as_harness_t *h, const char *code, const char *skill, uint32_t level,
                    char *error)
{
    As__LabourOperation op = AS__LABOUR_OPERATION__INIT;
    op.code = (char *)code;
    op.description = "an operation";
    op.has_sold_minutes = op.has_min_level = 1;
    op.sold_minutes = 60;
    op.skill = (char *)skill;
    op.min_level = level;
    as_harness_result_t r = {0};
    assert_int_equal(as_harness_call(h, "svc-mgr", "reception.labour_op.define", &op.base, &r), 0);
    int status = r.status;
    if (error)
        snprintf(error, 512, "%s", r.error);
    as_harness_result_clear(&r);
    return status;
}

static void test_skills_follow_the_technicians(void **state)
{
    (void)state;
    as_harness_t *h = s_open();
    char error[512];
    assert_int_equal(s_define(h, "EN100", "engine", 1, error), AS_EINVALID);
    assert_string_equal(error, "labour operation 'EN100': skill 'engine' is not a skill of any "
                               "technician of the workshop (reception.skill.list)");
    assert_int_equal(s_technician(h, "tech-07", "engine"), 0);
    assert_int_equal(s_define(h, "EN100", "engine", 1, NULL), 0);
    /* retrained: tech-07 does bodywork now, and nobody has the engine skill */
    assert_int_equal(s_technician(h, "tech-07", "body"), 0);
    assert_int_equal(s_define(h, "EN200", "engine", 1, error), AS_EINVALID);
    assert_non_null(strstr(error, "skill 'engine' is not a skill of any technician"));
    assert_int_equal(as_harness_count(h, "labour_ops"), 1);
    /* a technician without an id is skipped and kept nowhere */
    assert_int_equal(s_technician(h, "", "engine"), AS_EINVALID);
    assert_int_equal(as_harness_count(h, "technicians"), 1);
    as_harness_destroy(&h);
}

static void test_refused_definitions_write_nothing(void **state)
{
    (void)state;
    as_harness_t *h = s_open();
    char error[512];
    assert_int_equal(s_technician(h, "tech-07", "engine"), 0);
    assert_int_equal(s_define(h, "EN100", "engine", 6, error), AS_EINVALID);
    assert_string_equal(error, "labour operation 'EN100': min_level must be 1..5");
    assert_int_equal(s_define(h, "EN/100", "engine", 1, error), AS_EINVALID);
    assert_string_equal(error, "labour operation code 'EN/100' must be 1 to 32 of letters, "
                               "digits, '.', '_', '-'");
    assert_int_equal(s_define(h, "EN100", "", 1, error), AS_EINVALID);
    assert_string_equal(error, "labour operation 'EN100': skill is required");
    assert_int_equal(as_harness_count(h, "labour_ops"), 0);

    As__LabourOpQuery query = AS__LABOUR_OP_QUERY__INIT;
    query.code = "EN100";
    as_harness_result_t r = {0};
    assert_int_equal(as_harness_call(h, "svc-mgr", "reception.labour_op.retire", &query.base, &r),
                     0);
    assert_int_equal(r.status, AS_ENOTFOUND);
    assert_string_equal(r.error, "labour operation 'EN100' does not exist");
    assert_int_equal(r.n_events, 0);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

static void test_a_retired_code_defined_again_is_back(void **state)
{
    (void)state;
    as_harness_t *h = s_open();
    assert_int_equal(s_technician(h, "tech-07", "engine"), 0);
    assert_int_equal(s_define(h, "EN100", "engine", 1, NULL), 0);
    As__LabourOpQuery query = AS__LABOUR_OP_QUERY__INIT;
    query.code = "EN100";
    as_harness_result_t r = {0};
    assert_int_equal(as_harness_call(h, "svc-mgr", "reception.labour_op.retire", &query.base, &r),
                     0);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n_events, 1);
    assert_string_equal(r.events[0]->type, "reception.labour_op.retired");
    as_harness_result_clear(&r);
    assert_int_equal(s_define(h, "EN100", "engine", 1, NULL), 0);
    assert_int_equal(as_harness_call(h, "adv-wang", "reception.labour_op.show", &query.base, &r),
                     0);
    assert_int_equal(r.status, 0);
    assert_false(((As__LabourOpEntry *)r.reply)->retired);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

static void s_call_ok(as_harness_t *h, const char *actor, const char *command,
                      const ProtobufCMessage *request)
{
    as_harness_result_t r = {0};
    assert_int_equal(as_harness_call(h, actor, command, request, &r), 0);
    if (r.status != 0)
        fail_msg("%s: %s", command, r.error);
    as_harness_result_clear(&r);
}

/* A part line without a price takes the part's latest price from parts. */
static void test_part_lines_take_the_latest_price(void **state)
{
    (void)state;
    as_harness_t *h = s_open();
    assert_int_equal(s_technician(h, "tech-07", "engine"), 0);
    assert_int_equal(s_define(h, "EN100", "engine", 1, NULL), 0);
    s_part_price(h, "P-1", 1000);
    s_part_price(h, "P-1", 1234); /* the price changed */
    As__CustomerRegister customer = AS__CUSTOMER_REGISTER__INIT;
    customer.customer_id = "C1";
    customer.name = "Li Wei";
    s_call_ok(h, "adv-wang", "reception.customer.register", &customer.base);
    As__VehicleRegister vehicle = AS__VEHICLE_REGISTER__INIT;
    vehicle.vin = VIN;
    vehicle.plate = "LU-1";
    vehicle.customer_id = "C1";
    s_call_ok(h, "adv-wang", "reception.vehicle.register", &vehicle.base);
    As__LabourRate rate = AS__LABOUR_RATE__INIT;
    rate.has_pay_type = rate.has_rate_cents = 1;
    rate.pay_type = AS__PAY_TYPE__INTERNAL;
    rate.rate_cents = 30000;
    s_call_ok(h, "svc-mgr", "reception.labour_rate.set", &rate.base);

    As__PartLine line = AS__PART_LINE__INIT, *lines[] = {&line};
    line.part_number = "P-1";
    line.has_quantity = 1;
    line.quantity = 3;
    As__JobRequest job = AS__JOB_REQUEST__INIT, *jobs[] = {&job};
    job.concern = "oil leak";
    job.has_pay_type = 1;
    job.pay_type = AS__PAY_TYPE__INTERNAL;
    job.operation_code = "EN100";
    job.parts = lines;
    job.n_parts = 1;
    As__RoOpen open = AS__RO_OPEN__INIT;
    open.ro_number = "RO-1";
    open.vin = VIN;
    open.has_mileage_km = 1;
    open.mileage_km = 100;
    open.jobs = jobs;
    open.n_jobs = 1;
    as_harness_result_t r = {0};
    assert_int_equal(as_harness_call(h, "adv-wang", "reception.ro.open", &open.base, &r), 0);
    assert_int_equal(r.status, 0);
    const As__RepairOrder *ro = (const As__RepairOrder *)r.reply;
    /* 60 min x 300.00/h + 3 x 12.34 */
    assert_int_equal(ro->estimate_cents, 30000 + 3 * 1234);
    assert_int_equal(ro->jobs[0]->parts[0]->unit_price_cents, 1234);
    assert_false(ro->jobs[0]->free_text);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skills_follow_the_technicians),
        cmocka_unit_test(test_refused_definitions_write_nothing),
        cmocka_unit_test(test_a_retired_code_defined_again_is_back),
        cmocka_unit_test(test_part_lines_take_the_latest_price),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
