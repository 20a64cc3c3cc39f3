/* test_parts_orders — orders to the supplier through the parts service
 * in-process (tests/support/harness.h): the supplier's confirmation
 * (oem.order.confirmed) is applied once, an unknown order or line and a line
 * confirmed twice are passed over without a crash, and a refused
 * parts.order.create writes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/pb/parts.pb-c.h"
#include "harness.h"
#include "parts_service.h"

static as_harness_t *s_open(void)
{
    as_harness_t *h = as_harness_new(&parts_service, "[staff]\nwh-zhou = warehouse_keeper\n");
    assert_non_null(h);
    As__PartDefine part = AS__PART_DEFINE__INIT;
    part.part_number = "P-FILTER";
    part.description = "oil filter";
    part.has_cost_cents = part.has_price_cents = 1;
    part.cost_cents = 2000;
    part.price_cents = 4000;
    part.bin = "A-1";
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.part.define", &part.base, &r), 0);
    assert_int_equal(r.status, 0);
    as_harness_result_clear(&r);
    return h;
}

/* SO-1: 4 filters. */
static void s_place(as_harness_t *h)
{
    As__OrderLineRequest line = AS__ORDER_LINE_REQUEST__INIT;
    As__OrderLineRequest *lines[] = {&line};
    line.part_number = "P-FILTER";
    line.has_quantity = 1;
    line.quantity = 4;
    As__OrderCreate req = AS__ORDER_CREATE__INIT;
    req.order_id = "SO-1";
    req.supplier = "OEM";
    req.lines = lines;
    req.n_lines = 1;
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.order.create", &req.base, &r), 0);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n_events, 1);
    assert_string_equal(r.events[0]->type, "parts.order.placed");
    as_harness_result_clear(&r);
}

/* Applies oem.order.confirmed for (order, line) promised `date`; returns
 * how many events parts emitted. */
static size_t s_confirm(as_harness_t *h, uint64_t seq, const char *order_id, uint32_t line_no,
                        const char *date)
{
    As__OrderLineConfirmation line = AS__ORDER_LINE_CONFIRMATION__INIT;
    As__OrderLineConfirmation *lines[] = {&line};
    line.has_line_no = line.has_confirmed_quantity = 1;
    line.line_no = line_no;
    line.confirmed_quantity = 4;
    line.promised_date = (char *)date;
    As__OemOrderConfirmed c = AS__OEM_ORDER_CONFIRMED__INIT;
    c.order_id = (char *)order_id;
    c.lines = lines;
    c.n_lines = 1;
    c.date = "2026-11-16";
    as_harness_result_t r;
    assert_int_equal(
        as_harness_apply(h, "oem.order.confirmed", "oem@local", seq, order_id, &c.base, &r), 0);
    assert_int_equal(r.status, 0);
    size_t n = r.n_events;
    if (n > 0)
        assert_string_equal(r.events[0]->type, "parts.order.confirmed");
    as_harness_result_clear(&r);
    return n;
}

static void test_confirmed_once(void **state)
{
    (void)state;
    as_harness_t *h = s_open();
    s_place(h); /* today */
    char today[AS_DATE_LEN + 1], promised[AS_DATE_LEN + 1], later[AS_DATE_LEN + 1];
    as_date_today(today);
    as_date_add_days(today, 2, promised);
    as_date_add_days(today, 9, later);
    assert_int_equal(s_confirm(h, 1, "SO-9", 1, promised), 0);     /* no such order */
    assert_int_equal(s_confirm(h, 2, "SO-1", 7, promised), 0);     /* no such line */
    assert_int_equal(s_confirm(h, 3, "SO-1", 1, "tomorrow"), 0);   /* not a date */
    assert_int_equal(s_confirm(h, 4, "SO-1", 1, "2020-01-01"), 0); /* before the order */
    assert_int_equal(s_confirm(h, 5, "SO-1", 1, promised), 1);     /* applied */
    assert_int_equal(s_confirm(h, 6, "SO-1", 1, later), 0);        /* confirmed already */
    As__OrderShow show = AS__ORDER_SHOW__INIT;
    show.order_id = "SO-1";
    show.on = today;
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.order.show", &show.base, &r), 0);
    const As__PartsOrder *o = (const As__PartsOrder *)r.reply;
    assert_non_null(o);
    assert_string_equal(o->lines[0]->promised_date, promised);
    assert_string_equal(o->lines[0]->confirmed_by, "oem@local");
    assert_int_equal(o->state, AS__ORDER_STATE__ORDER_CONFIRMED);
    assert_false(o->overdue);
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

static void test_refused_writes_nothing(void **state)
{
    (void)state;
    as_harness_t *h = s_open();
    s_place(h);
    size_t before = as_harness_count(h, NULL);
    As__OrderLineRequest line = AS__ORDER_LINE_REQUEST__INIT;
    As__OrderLineRequest *lines[] = {&line};
    line.backorder_id = "I-1/bo";
    As__OrderCreate req = AS__ORDER_CREATE__INIT;
    req.order_id = "UO-1";
    req.supplier = "OEM";
    req.has_urgent = req.urgent = 1;
    req.lines = lines;
    req.n_lines = 1;
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.order.create", &req.base, &r), 0);
    assert_int_equal(r.status, AS_ENOTFOUND);
    assert_string_equal(r.error, "line 1: backorder 'I-1/bo' does not exist");
    assert_int_equal(r.n_events, 0);
    as_harness_result_clear(&r);
    assert_int_equal(as_harness_count(h, "orders"), 1);
    assert_int_equal(as_harness_count(h, NULL), before);
    as_harness_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_confirmed_once),
        cmocka_unit_test(test_refused_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
