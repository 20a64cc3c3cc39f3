/* test_parts_cancel — parts.order.cancel through the parts service in-process
 * (tests/support/harness.h): the supplier's answer (oem.order.confirmed) and
 * the parts manager's cancellation of an urgent line leave the same order
 * and the same backorder whichever comes first (the OEM's answer may cross
 * the cancellation): the line keeps the answer and its cancellation, the
 * backorder is released (not ordered, no promised date), and a confirmation
 * after the cancellation tells reception nothing; the same with workshop's
 * QC pass (which settles the RO's backorders) before or after. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/pb/parts.pb-c.h"
#include "as/pb/workshop.pb-c.h"
#include "harness.h"
#include "parts_service.h"

static const char *s_staff = "[staff]\nwh-zhou = warehouse_keeper\npm-liu = parts_manager\n"
                             "tech-07 = technician\n";

static void s_ok(as_harness_t *h, const char *actor, const char *command,
                 const ProtobufCMessage *req)
{
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, actor, command, req, &r), 0);
    if (r.status != 0)
        fail_msg("%s: %s", command, r.error);
    as_harness_result_clear(&r);
}

/* A pad part, RO-1 job 1 waiting for 2 (backorder I-1/bo), and the urgent
 * order UO-1 for it. */
static as_harness_t *s_open(void)
{
    as_harness_t *h = as_harness_new(&parts_service, s_staff);
    assert_non_null(h);
    As__PartDefine part = AS__PART_DEFINE__INIT;
    part.part_number = "P-PAD";
    part.description = "brake pads";
    part.has_cost_cents = part.has_price_cents = 1;
    part.cost_cents = 6000;
    part.price_cents = 12000;
    part.bin = "A-1";
    s_ok(h, "wh-zhou", "parts.part.define", &part.base);
    As__PartIssueRequest issue = AS__PART_ISSUE_REQUEST__INIT;
    issue.issue_id = "I-1";
    issue.ro_number = "RO-1";
    issue.has_job_no = issue.has_quantity = issue.has_backorder = 1;
    issue.job_no = 1;
    issue.part_number = "P-PAD";
    issue.quantity = 2;
    issue.technician = "tech-07";
    issue.backorder = 1;
    s_ok(h, "wh-zhou", "parts.issue", &issue.base);
    As__OrderLineRequest line = AS__ORDER_LINE_REQUEST__INIT;
    As__OrderLineRequest *lines[] = {&line};
    line.backorder_id = "I-1/bo";
    As__OrderCreate req = AS__ORDER_CREATE__INIT;
    req.order_id = "UO-1";
    req.supplier = "OEM";
    req.has_urgent = req.urgent = 1;
    req.lines = lines;
    req.n_lines = 1;
    s_ok(h, "wh-zhou", "parts.order.create", &req.base);
    return h;
}

/* oem.order.confirmed for UO-1 line 1, promised in two days; returns the
 * types of what parts emitted, joined by ",". */
static void s_confirm(as_harness_t *h, char *types, size_t cap)
{
    char today[AS_DATE_LEN + 1], promised[AS_DATE_LEN + 1];
    as_date_today(today);
    as_date_add_days(today, 2, promised);
    As__OrderLineConfirmation line = AS__ORDER_LINE_CONFIRMATION__INIT;
    As__OrderLineConfirmation *lines[] = {&line};
    line.has_line_no = line.has_confirmed_quantity = 1;
    line.line_no = 1;
    line.confirmed_quantity = 2;
    line.promised_date = promised;
    As__OemOrderConfirmed c = AS__OEM_ORDER_CONFIRMED__INIT;
    c.order_id = "UO-1";
    c.lines = lines;
    c.n_lines = 1;
    c.date = today;
    as_harness_result_t r;
    assert_int_equal(
        as_harness_apply(h, "oem.order.confirmed", "oem@local", 1, "UO-1", &c.base, &r), 0);
    assert_int_equal(r.status, 0);
    types[0] = '\0';
    for (size_t i = 0; i < r.n_events; i++) {
        strncat(types, i ? "," : "", cap - strlen(types) - 1);
        strncat(types, r.events[i]->type, cap - strlen(types) - 1);
    }
    as_harness_result_clear(&r);
}

static void s_cancel(as_harness_t *h)
{
    As__OrderCancel req = AS__ORDER_CANCEL__INIT;
    req.order_id = "UO-1";
    req.reason = "the RO's customer declined the job";
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "pm-liu", "parts.order.cancel", &req.base, &r), 0);
    if (r.status != 0)
        fail_msg("parts.order.cancel: %s", r.error);
    assert_int_equal(r.n_events, 1);
    assert_string_equal(r.events[0]->type, "parts.order.cancelled");
    as_harness_result_clear(&r);
}

/* "state confirmed qty promised cancelled | backorder: order_id promised" */
static void s_state(as_harness_t *h, char *out, size_t cap)
{
    As__OrderShow show = AS__ORDER_SHOW__INIT;
    show.order_id = "UO-1";
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "pm-liu", "parts.order.show", &show.base, &r), 0);
    const As__PartsOrder *o = (const As__PartsOrder *)r.reply;
    assert_non_null(o);
    const As__OrderLine *l = o->lines[0];
    As__RoPartsQuery q = AS__RO_PARTS_QUERY__INIT;
    q.ro_number = "RO-1";
    as_harness_result_t ro;
    assert_int_equal(as_harness_call(h, "pm-liu", "parts.ro.show", &q.base, &ro), 0);
    const As__RoParts *parts = (const As__RoParts *)ro.reply;
    assert_non_null(parts);
    const As__PartIssue *bo = NULL;
    for (size_t i = 0; i < parts->n_issues; i++)
        if (strcmp(parts->issues[i]->issue_id, "I-1/bo") == 0)
            bo = parts->issues[i];
    assert_non_null(bo);
    snprintf(out, cap, "%d %d %u %s %u | backorder: '%s' '%s'", (int)o->state, (int)l->confirmed,
             l->confirmed_quantity, l->promised_date ? l->promised_date : "", l->cancelled,
             bo->order_id ? bo->order_id : "", bo->promised_date ? bo->promised_date : "");
    as_harness_result_clear(&ro);
    as_harness_result_clear(&r);
}

static void test_confirmation_crosses_cancellation(void **state)
{
    (void)state;
    char first[256], second[256], types[256];
    as_harness_t *h = s_open();
    s_confirm(h, types, sizeof types); /* confirmed, then cancelled */
    assert_string_equal(types, "parts.order.promised,parts.order.confirmed");
    s_cancel(h);
    s_state(h, first, sizeof first);
    as_harness_destroy(&h);

    h = s_open();
    s_cancel(h); /* cancelled, then the answer comes */
    s_confirm(h, types, sizeof types);
    assert_string_equal(types, "parts.order.confirmed"); /* nothing promised to reception */
    s_state(h, second, sizeof second);
    as_harness_destroy(&h);

    char promised[AS_DATE_LEN + 1], today[AS_DATE_LEN + 1], want[256];
    as_date_today(today);
    as_date_add_days(today, 2, promised);
    /* ORDER_CANCELLED (6), the answer kept (confirmed 2 for the promised
     * day), 2 cancelled; the backorder ordered by nothing, promised nothing */
    snprintf(want, sizeof want, "6 1 2 %s 2 | backorder: '' ''", promised);
    assert_string_equal(first, want);
    assert_string_equal(second, want);
}

/* workshop.qc.passed for RO-1: its backorders are settled. */
static void s_qc_passed(as_harness_t *h)
{
    As__QcPassed qc = AS__QC_PASSED__INIT;
    qc.ro_number = "RO-1";
    as_harness_result_t r;
    assert_int_equal(
        as_harness_apply(h, "workshop.qc.passed", "workshop@local", 1, "RO-1", &qc.base, &r), 0);
    assert_int_equal(r.status, 0);
    as_harness_result_clear(&r);
}

/* The vehicle passing QC (workshop's event) and the cancellation (the parts
 * manager's command) leave the same backorder whichever parts applies first:
 * released (ordered by nothing) and settled. */
static void test_qc_and_cancellation_either_order(void **state)
{
    (void)state;
    char first[256], second[256];
    as_harness_t *h = s_open();
    s_qc_passed(h);
    s_cancel(h);
    s_state(h, first, sizeof first);
    as_harness_destroy(&h);

    h = s_open();
    s_cancel(h);
    s_qc_passed(h);
    s_state(h, second, sizeof second);
    as_harness_destroy(&h);

    /* ORDER_CANCELLED, never confirmed, 2 cancelled; the backorder released */
    assert_string_equal(first, "6 0 0  2 | backorder: '' ''");
    assert_string_equal(second, first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_confirmation_crosses_cancellation),
        cmocka_unit_test(test_qc_and_cancellation_either_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
