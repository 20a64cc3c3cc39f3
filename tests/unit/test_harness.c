/* test_harness — handlers' failure paths run in-process through the real
 * runtime (tests/support/harness.h): a real store in a temp dir, the staff
 * list of the config, no sockets. Each asserts on what a caller sees (the
 * reply's status and text, the events emitted) and that a refused command
 * or skipped event wrote nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "as/error.h"
#include "as/pb/parts.pb-c.h"
#include "as/pb/reception.pb-c.h"
#include "as/pb/tools.pb-c.h"
#include "as/pb/warranty.pb-c.h"
#include "harness.h"
#include "kpi.h"
#include "kpi_service.h"
#include "parts_service.h"
#include "tools_service.h"
#include "warranty_service.h"

static const char *const s_staff = "[staff]\n"
                                   "wh-zhou = warehouse_keeper\n"
                                   "tool-xu = tool_admin\n"
                                   "tech-01 = technician\n"
                                   "wty-he = warranty_clerk\n";

static as_harness_t *s_open(const as_service_def_t *def, const char *extra)
{
    char config[1024];
    snprintf(config, sizeof config, "%s%s", s_staff, extra ? extra : "");
    as_harness_t *h = as_harness_new(def, config);
    assert_non_null(h);
    return h;
}

static void s_part(As__PartDefine *req, const char *part_number)
{
    as__part_define__init(req);
    req->part_number = (char *)part_number;
    req->description = "oil filter";
    req->has_cost_cents = req->has_price_cents = 1;
    req->cost_cents = 400;
    req->price_cents = 900;
    req->bin = "A-01";
}

/* The harness runs the command as the daemon would: reply, event, retry. */
static void test_command_done_and_retried(void **state)
{
    (void)state;
    as_harness_t *h = s_open(&parts_service, NULL);
    As__PartDefine req;
    s_part(&req, "P-100");
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.part.define", &req.base, &r), 0);
    assert_int_equal(r.status, 0);
    assert_non_null(r.reply);
    assert_string_equal(((As__Part *)r.reply)->part_number, "P-100");
    assert_int_equal(r.n_events, 1);
    assert_string_equal(r.events[0]->type, "parts.part.defined");
    assert_string_equal(r.events[0]->source, "parts@local");
    as_harness_result_clear(&r);

    uint8_t payload[256];
    size_t len = as__part_define__pack(&req, payload);
    assert_int_equal(
        as_harness_call_bytes(h, "wh-zhou", "parts.part.define", "R-1", payload, len, &r), 0);
    assert_int_equal(r.status, 0);
    as_harness_result_clear(&r);
    assert_int_equal(
        as_harness_call_bytes(h, "wh-zhou", "parts.part.define", "R-1", payload, len, &r), 0);
    assert_int_equal(r.status, 0);
    assert_true(r.replayed);
    assert_int_equal(r.n_events, 0); /* nothing done twice */
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
    assert_null(h);
}

/* A reservation of a part the catalogue does not hold. */
static void test_parts_reserve_unknown_part(void **state)
{
    (void)state;
    as_harness_t *h = s_open(&parts_service, NULL);
    size_t before = as_harness_count(h, NULL);
    As__PartReserve req = AS__PART_RESERVE__INIT;
    req.ro_number = "RO-20261127-001";
    req.has_job_no = req.has_quantity = 1;
    req.job_no = 1;
    req.quantity = 2;
    req.part_number = "P-404";
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.reserve", &req.base, &r), 0);
    assert_int_equal(r.status, AS_ENOTFOUND);
    assert_non_null(strstr(r.error, "part 'P-404'"));
    assert_null(r.reply);
    assert_int_equal(r.n_events, 0);
    assert_int_equal(as_harness_count(h, NULL), before);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

/* A check-in of a loan the tool room never recorded. */
static void test_tools_checkin_unknown_loan(void **state)
{
    (void)state;
    as_harness_t *h = s_open(&tools_service, NULL);
    As__ToolLoanCheckin req = AS__TOOL_LOAN_CHECKIN__INIT;
    req.loan_id = "L-404";
    req.condition = "good";
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "tool-xu", "tools.loan.checkin", &req.base, &r), 0);
    assert_int_equal(r.status, AS_ENOTFOUND);
    assert_non_null(strstr(r.error, "loan 'L-404'"));
    assert_int_equal(r.n_events, 0);
    assert_int_equal(as_harness_count(h, NULL), 0);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

static void s_tool(As__ToolRegister *req)
{
    as__tool_register__init(req);
    req->tool_id = "ST-0001";
    req->kind = "special_tool";
    req->description = "injector puller";
    req->location = "cabinet 1";
    req->condition = "good";
}

/* A technician may not register tools; the refusal does not take the
 * request id, so the tool admin's command under it still runs. */
static void test_tools_register_denied(void **state)
{
    (void)state;
    as_harness_t *h = s_open(&tools_service, NULL);
    As__ToolRegister req;
    s_tool(&req);
    uint8_t payload[256];
    size_t len = as__tool_register__pack(&req, payload);
    as_harness_result_t r;
    assert_int_equal(
        as_harness_call_bytes(h, "tech-01", "tools.item.register", "R-7", payload, len, &r), 0);
    assert_int_equal(r.status, AS_EDENIED);
    assert_non_null(strstr(r.error, "'tech-01' is not a tool_admin"));
    assert_int_equal(r.n_events, 0);
    assert_int_equal(as_harness_count(h, NULL), 0);
    as_harness_result_clear(&r);

    assert_int_equal(
        as_harness_call_bytes(h, "tool-xu", "tools.item.register", "R-7", payload, len, &r), 0);
    assert_int_equal(r.status, 0);
    assert_false(r.replayed);
    assert_int_equal(r.n_events, 1);
    assert_string_equal(r.events[0]->type, "tools.item.registered");
    assert_int_equal(as_harness_count(h, "items"), 1);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

/* A payload that is not the command's message is refused before any handler. */
static void test_parts_define_bad_payload(void **state)
{
    (void)state;
    as_harness_t *h = s_open(&parts_service, NULL);
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0x0f};
    as_harness_result_t r;
    assert_int_equal(
        as_harness_call_bytes(h, "wh-zhou", "parts.part.define", NULL, garbage, sizeof garbage, &r),
        0);
    assert_int_equal(r.status, AS_EBADFRAME);
    assert_string_equal(r.error, "payload is not a PartDefine message");
    assert_int_equal(r.n_events, 0);
    assert_int_equal(as_harness_count(h, NULL), 0);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

/* An event is applied, and one whose handler refuses it is skipped with
 * nothing written or emitted. */
static void test_warranty_event_refused(void **state)
{
    (void)state;
    as_harness_t *h = s_open(&warranty_service, "[warranty.policy]\nbasic = 4y 100000km\n");
    As__Vehicle vehicle = AS__VEHICLE__INIT;
    vehicle.vin = "LSVAU2180N2000001";
    vehicle.sale_date = "2026-03-01";
    as_harness_result_t r;
    assert_int_equal(as_harness_apply(h, "reception.vehicle.registered", "reception@local", 1,
                                      vehicle.vin, &vehicle.base, &r),
                     0);
    assert_int_equal(r.status, 0);
    assert_int_equal(as_harness_count(h, "vehicles"), 1);
    as_harness_result_clear(&r);

    size_t before = as_harness_count(h, NULL);
    As__OemClaimDecision decision = AS__OEM_CLAIM_DECISION__INIT;
    decision.claim_id = "not a claim id!";
    decision.has_accepted = 1;
    decision.accepted = 1;
    assert_int_equal(
        as_harness_apply(h, "oem.claim.decided", "oem@local", 1, NULL, &decision.base, &r), 0);
    assert_int_equal(r.status, AS_EINVALID);
    assert_int_equal(r.n_events, 0);
    assert_int_equal(as_harness_count(h, NULL), before);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

/* Two instances in one process keep their own state (kpi's hours per day). */
static void test_state_per_instance(void **state)
{
    (void)state;
    as_harness_t *a = s_open(&kpi_service, "[kpi]\nworking_hours_per_day = 8\n");
    as_harness_t *b = s_open(&kpi_service, "[kpi]\nworking_hours_per_day = 10\n");
    assert_int_equal(kpi_of(as_harness_service(a))->hours_per_day, 8);
    assert_int_equal(kpi_of(as_harness_service(b))->hours_per_day, 10);
    as_harness_destroy(&a);
    as_harness_destroy(&b);
}

/* Stock at cost (issue 14): a receipt emits its value; an approval whose
 * stock moved since the proposal is refused, naming the part, and writes
 * nothing. */
static void test_parts_scrap_moved_stock_refused(void **state)
{
    (void)state;
    as_harness_t *h = s_open(&parts_service, "pm-liu = parts_manager\n");
    As__PartDefine def;
    s_part(&def, "P-200");
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.part.define", &def.base, &r), 0);
    as_harness_result_clear(&r);
    As__ReceiptLine line = AS__RECEIPT_LINE__INIT, *lines[] = {&line};
    line.part_number = "P-200";
    line.has_received = 1;
    line.received = 5;
    As__ReceiptRecord receipt = AS__RECEIPT_RECORD__INIT;
    receipt.receipt_id = "R-1";
    receipt.supplier = "OEM";
    receipt.lines = lines;
    receipt.n_lines = 1;
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.receipt.record", &receipt.base, &r), 0);
    assert_int_equal(r.status, 0);
    bool valued = false; /* 5 x 4.00 = 20.00 at cost */
    for (size_t i = 0; i < r.n_events; i++)
        if (strcmp(r.events[i]->type, "parts.stock.moved") == 0) {
            As__StockMoved *m =
                as__stock_moved__unpack(NULL, r.events[i]->payload.len, r.events[i]->payload.data);
            assert_non_null(m);
            valued = m->value_cents == 2000 && m->quantity == 5 && !strcmp(m->kind, "receipt") &&
                     !strcmp(m->group, "general");
            as__stock_moved__free_unpacked(m, NULL);
        }
    assert_true(valued);
    as_harness_result_clear(&r);
    As__ScrapPropose propose = AS__SCRAP_PROPOSE__INIT;
    propose.list_id = "SL-1";
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.scrap.propose", &propose.base, &r), 0);
    assert_int_equal(r.status, 0);
    as_harness_result_clear(&r);
    As__ScrapLine add = AS__SCRAP_LINE__INIT, *adds[] = {&add};
    add.part_number = "P-200";
    add.has_quantity = 1;
    add.quantity = 5;
    As__ScrapEdit edit = AS__SCRAP_EDIT__INIT;
    edit.list_id = "SL-1";
    edit.add = adds;
    edit.n_add = 1;
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.scrap.edit", &edit.base, &r), 0);
    assert_int_equal(r.status, 0);
    assert_int_equal(((As__ScrapList *)r.reply)->value_cents, 2000);
    as_harness_result_clear(&r);
    As__ScrapListRef ref = AS__SCRAP_LIST_REF__INIT;
    ref.list_id = "SL-1";
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.scrap.submit", &ref.base, &r), 0);
    assert_int_equal(r.status, 0);
    as_harness_result_clear(&r);
    As__PartIssueRequest issue = AS__PART_ISSUE_REQUEST__INIT;
    issue.issue_id = "I-1";
    issue.ro_number = "RO-1";
    issue.has_job_no = issue.has_quantity = 1;
    issue.job_no = 1;
    issue.quantity = 1;
    issue.part_number = "P-200";
    issue.technician = "tech-01";
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.issue", &issue.base, &r), 0);
    assert_int_equal(r.status, 0);
    as_harness_result_clear(&r);
    size_t before = as_harness_count(h, NULL);
    assert_int_equal(as_harness_call(h, "pm-liu", "parts.scrap.approve", &ref.base, &r), 0);
    assert_int_equal(r.status, AS_ECONFLICT);
    assert_string_equal(r.error,
                        "part 'P-200' moved since the proposal: 4 free on hand now, 5 on the list");
    assert_int_equal(r.n_events, 0);
    assert_int_equal(as_harness_count(h, NULL), before);
    as_harness_result_clear(&r);
    As__KeeperShiftRecord shift = AS__KEEPER_SHIFT_RECORD__INIT;
    shift.staff_id = "tech-01";
    shift.date = "2026-11-27";
    shift.start = "08:00";
    shift.end = "17:00";
    assert_int_equal(as_harness_call(h, "pm-liu", "parts.shift.record", &shift.base, &r), 0);
    assert_int_equal(r.status, AS_EINVALID);
    assert_non_null(strstr(r.error, "'tech-01' is not a warehouse keeper"));
    assert_int_equal(as_harness_count(h, NULL), before);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

/* Issue 15: each refusal of kpi.expense.record writes and emits nothing; a
 * month and category recorded again replaces the first. The OEM's inspection
 * of a tag warranty does not know is skipped; a bad one refused. */
#define S_NO_AMOUNT INT64_MIN

static void s_expense(As__KpiExpenseRecord *r, const char *month, const char *category,
                      int64_t cents)
{
    as__kpi_expense_record__init(r);
    r->month = (char *)month;
    r->category = (char *)category;
    r->has_amount_cents = cents != S_NO_AMOUNT;
    r->amount_cents = cents;
}

static void test_expenses_and_inspections(void **state)
{
    (void)state;
    as_harness_t *h = s_open(&kpi_service, "sm-zhou = service_manager\n");
    static const struct {
        const char *month, *category;
        int64_t cents;
        int status;
        const char *text;
    } bad[] = {
        {NULL, "rent", 1, AS_EINVALID, "month is required (YYYY-MM)"},
        {"2026-13", "rent", 1, AS_EINVALID, "month '2026-13' is not a month (YYYY-MM)"},
        {"2026-10", NULL, 1, AS_EINVALID, "category is required"},
        {"2026-10", "snacks", 1, AS_EINVALID, "category 'snacks' is not one of rent"},
        {"2026-10", "rent", S_NO_AMOUNT, AS_EINVALID, "amount_cents is required"},
        {"2026-10", "rent", -1, AS_EINVALID, "amount_cents -1 for 2026-10 rent must be 0.."},
    };
    as_harness_result_t r;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        As__KpiExpenseRecord req;
        s_expense(&req, bad[i].month, bad[i].category, bad[i].cents);
        assert_int_equal(as_harness_call(h, "sm-zhou", "kpi.expense.record", &req.base, &r), 0);
        assert_int_equal(r.status, bad[i].status);
        assert_non_null(strstr(r.error, bad[i].text));
        assert_int_equal(r.n_events, 0);
        assert_int_equal(as_harness_count(h, "expenses"), 0);
        as_harness_result_clear(&r);
    }
    As__KpiExpenseRecord req;
    s_expense(&req, "2026-10", "rent", 80000);
    assert_int_equal(as_harness_call(h, "wty-he", "kpi.expense.record", &req.base, &r), 0);
    assert_int_equal(r.status, AS_EDENIED);
    assert_int_equal(as_harness_count(h, "expenses"), 0);
    as_harness_result_clear(&r);
    assert_int_equal(as_harness_call(h, "sm-zhou", "kpi.expense.record", &req.base, &r), 0);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n_events, 1);
    assert_string_equal(r.events[0]->type, "kpi.expense.recorded");
    as_harness_result_clear(&r);
    s_expense(&req, "2026-10", "rent", 90000); /* again: replaces */
    assert_int_equal(as_harness_call(h, "sm-zhou", "kpi.expense.record", &req.base, &r), 0);
    assert_int_equal(r.status, 0);
    As__KpiExpenseRecorded *m =
        as__kpi_expense_recorded__unpack(NULL, r.events[0]->payload.len, r.events[0]->payload.data);
    assert_non_null(m);
    assert_true(m->has_replaced_cents);
    assert_int_equal(m->replaced_cents, 80000);
    assert_int_equal(m->expense->amount_cents, 90000);
    as__kpi_expense_recorded__free_unpacked(m, NULL);
    assert_int_equal(as_harness_count(h, "expenses"), 1);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);

    h = s_open(&warranty_service, "[warranty.policy]\nbasic = 4y 100000km\n");
    As__OemPartInspection insp = AS__OEM_PART_INSPECTION__INIT;
    insp.tag = "T-404";
    insp.has_fault_confirmed = 1;
    insp.date = "2026-11-27";
    size_t before = as_harness_count(h, NULL);
    assert_int_equal(
        as_harness_apply(h, "oem.part.inspected", "oem@local", 1, insp.tag, &insp.base, &r), 0);
    assert_int_equal(r.status, 0); /* a tag warranty never had: skipped */
    assert_int_equal(r.n_events, 0);
    assert_int_equal(as_harness_count(h, NULL), before);
    as_harness_result_clear(&r);
    insp.tag = "not a tag!";
    assert_int_equal(
        as_harness_apply(h, "oem.part.inspected", "oem@local", 2, NULL, &insp.base, &r), 0);
    assert_int_equal(r.status, AS_EINVALID);
    assert_int_equal(r.n_events, 0);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

/* Issue 15: each refusal of kpi.roster.plan writes and emits nothing (the
 * dates are today's, as the roster is planned ahead of the real clock). */
static void s_plan(As__KpiRosterPlan *p, const char *staff, const char *date, const char *start,
                   const char *end, const char *shift)
{
    as__kpi_roster_plan__init(p);
    p->staff_id = (char *)staff;
    p->date = (char *)date;
    p->start = (char *)start;
    p->end = (char *)end;
    p->shift = (char *)shift;
}

static void test_roster_refusals(void **state)
{
    (void)state;
    as_harness_t *h = s_open(&kpi_service, "sm-zhou = service_manager\nfm-li = foreman\n"
                                           "adv-wang = advisor\ncrm = system\n");
    char today[AS_DATE_LEN + 1], back[AS_DATE_LEN + 1];
    as_date_today(today);
    as_date_add_days(today, -8, back);
    as_harness_result_t r;
    As__KpiRosterPlan p;
    s_plan(&p, "tech-01", today, "08:00", "12:00", NULL);
    assert_int_equal(as_harness_call(h, "sm-zhou", "kpi.roster.plan", &p.base, &r), 0);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n_events, 1);
    assert_string_equal(r.events[0]->type, "kpi.roster.planned");
    as_harness_result_clear(&r);
    static const struct {
        const char *actor, *staff, *start, *end, *shift;
        bool back;
        int status;
        const char *text;
    } bad[] = {
        {"sm-zhou", "tech-01", "13:00", "12:30", NULL, false, AS_EINVALID, "not after its start"},
        {"sm-zhou", "tech-01", "11:00", "14:00", NULL, false, AS_ECONFLICT,
         "overlaps the shift planned 08:00-12:00"},
        {"sm-zhou", "nobody", NULL, NULL, "day", false, AS_ENOTFOUND, "staff 'nobody' is not"},
        {"sm-zhou", "crm", NULL, NULL, "day", false, AS_ENOTFOUND, "staff 'crm' is not"},
        {"sm-zhou", "tech-01", NULL, NULL, "day", true, AS_EINVALID, "more than 7 days back"},
        {"sm-zhou", "tech-01", NULL, NULL, "night", false, AS_EINVALID, "not a named shift"},
        {"sm-zhou", "tech-01", "25:00", "26:00", NULL, false, AS_EINVALID, "must be HH:MM"},
        {"sm-zhou", "tech-01", "13:00", "14:00", "day", false, AS_EINVALID, "not both"},
        {"fm-li", "adv-wang", NULL, NULL, "day", false, AS_EDENIED, "may not plan the shifts"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s_plan(&p, bad[i].staff, bad[i].back ? back : today, bad[i].start, bad[i].end,
               bad[i].shift);
        assert_int_equal(as_harness_call(h, bad[i].actor, "kpi.roster.plan", &p.base, &r), 0);
        assert_int_equal(r.status, bad[i].status);
        assert_non_null(strstr(r.error, bad[i].text));
        assert_int_equal(r.n_events, 0);
        assert_int_equal(as_harness_count(h, "roster"), 1);
        as_harness_result_clear(&r);
    }
    As__KpiRosterClear c = AS__KPI_ROSTER_CLEAR__INIT;
    c.staff_id = "tech-01";
    c.date = today;
    c.start = "09:00";
    assert_int_equal(as_harness_call(h, "sm-zhou", "kpi.roster.clear", &c.base, &r), 0);
    assert_int_equal(r.status, AS_ENOTFOUND);
    assert_int_equal(as_harness_count(h, "roster"), 1);
    as_harness_result_clear(&r);
    c.start = NULL;
    assert_int_equal(as_harness_call(h, "sm-zhou", "kpi.roster.clear", &c.base, &r), 0);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.events[0]->type, "kpi.roster.cleared");
    assert_int_equal(as_harness_count(h, "roster"), 0);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_done_and_retried),
        cmocka_unit_test(test_parts_reserve_unknown_part),
        cmocka_unit_test(test_tools_checkin_unknown_loan),
        cmocka_unit_test(test_tools_register_denied),
        cmocka_unit_test(test_parts_define_bad_payload),
        cmocka_unit_test(test_parts_scrap_moved_stock_refused),
        cmocka_unit_test(test_warranty_event_refused),
        cmocka_unit_test(test_state_per_instance),
        cmocka_unit_test(test_expenses_and_inspections),
        cmocka_unit_test(test_roster_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
