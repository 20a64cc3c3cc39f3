/* test_parts_forecast — the forecast's arithmetic (services/parts/forecast_calc.c)
 * with sums worked by hand, and a refused parts.order.suggest through the
 * parts service in-process (tests/support/harness.h): nothing written, no
 * event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "as/error.h"
#include "as/pb/parts.pb-c.h"
#include "forecast_calc.h"
#include "harness.h"
#include "parts_service.h"

/* The pads of tests/integration/test_parts_forecast.sh: 79 in 90 days, lead
 * lines of 9 and 7 days, safety 5 days, cover 14 days, 11 on hand. */
static void test_steady_demand(void **state)
{
    (void)state;
    parts_fc_in_t in = {.demand = 79,
                        .window_days = 90,
                        .lead_days_sum = 16,
                        .lead_lines = 2,
                        .default_lead_days = 7,
                        .safety_days = 5,
                        .cover_days = 14,
                        .on_hand = 11};
    parts_fc_out_t out;
    parts_fc_compute(&in, &out);
    assert_int_equal(out.demand_per_day_milli, 878); /* 79 / 90 = 0.8777... */
    assert_int_equal(out.lead_days_milli, 8000);     /* (9 + 7) / 2 */
    assert_int_equal(out.safety_stock_milli, 4389);  /* 79 x 5 / 90 = 4.3888... */
    /* ceil(79 x (16 + 5 x 2) / (90 x 2)) = ceil(2054 / 180 = 11.41) = 12 */
    assert_int_equal(out.reorder_point, 12);
    /* 12 + ceil(79 x 14 / 90 = 12.29) = 12 + 13 */
    assert_int_equal(out.order_up_to, 25);
    assert_int_equal(out.position, 11);
    assert_true(out.reorder);
    assert_int_equal(out.suggested, 14); /* 25 - 11 */
}

/* A sum that is a whole number is not rounded up past it. */
static void test_whole_reorder_point(void **state)
{
    (void)state;
    /* 30 in 90 days, one line of 7 days, 5 safety days: 30 x 12 / 90 = 4 exactly;
     * order-up-to 4 + ceil(30 x 14 / 90 = 4.67) = 9 */
    parts_fc_in_t in = {.demand = 30,
                        .window_days = 90,
                        .lead_days_sum = 7,
                        .lead_lines = 1,
                        .safety_days = 5,
                        .cover_days = 14,
                        .on_hand = 4};
    parts_fc_out_t out;
    parts_fc_compute(&in, &out);
    assert_int_equal(out.reorder_point, 4);
    assert_int_equal(out.order_up_to, 9);
    assert_true(out.reorder); /* 4 <= 4 */
    assert_int_equal(out.suggested, 5);
    in.on_hand = 5; /* above the reorder point: nothing */
    parts_fc_compute(&in, &out);
    assert_false(out.reorder);
    assert_int_equal(out.suggested, 0);
}

/* No line shows a lead time: the default; at the reorder point with no cover
 * there is nothing to order. */
static void test_default_lead(void **state)
{
    (void)state;
    /* 90 in 90 days = 1 a day; default 7 days; no safety: reorder point 7 */
    parts_fc_in_t in = {.demand = 90, .window_days = 90, .default_lead_days = 7, .on_hand = 7};
    parts_fc_out_t out;
    parts_fc_compute(&in, &out);
    assert_int_equal(out.lead_days_milli, 7000);
    assert_int_equal(out.reorder_point, 7);
    assert_int_equal(out.order_up_to, 7);
    assert_false(out.reorder);
    assert_int_equal(out.suggested, 0);
}

/* The position: on hand - reserved + on order - backordered; backorders with
 * no demand still want their parts. */
static void test_position(void **state)
{
    (void)state;
    parts_fc_in_t in = {.window_days = 90,
                        .default_lead_days = 7,
                        .safety_days = 5,
                        .cover_days = 14,
                        .on_hand = 10,
                        .reserved = 4,
                        .on_order = 5,
                        .backordered = 2};
    parts_fc_out_t out;
    parts_fc_compute(&in, &out);
    assert_int_equal(out.position, 9); /* 10 - 4 + 5 - 2 */
    assert_int_equal(out.reorder_point, 0);
    assert_false(out.reorder);
    parts_fc_in_t bulbs = {.window_days = 90, .default_lead_days = 7, .backordered = 3};
    parts_fc_compute(&bulbs, &out);
    assert_int_equal(out.position, -3);
    assert_true(out.reorder);
    assert_int_equal(out.suggested, 3); /* 0 - (-3) */
}

/* A suggestion never asks more than one order line may. */
static void test_capped(void **state)
{
    (void)state;
    parts_fc_in_t in = {.demand = 4000000000u,
                        .window_days = 90,
                        .lead_days_sum = 30,
                        .lead_lines = 1,
                        .safety_days = 30,
                        .cover_days = 90};
    parts_fc_out_t out;
    parts_fc_compute(&in, &out);
    assert_true(out.reorder);
    assert_int_equal(out.suggested, PARTS_FC_MAX_ORDER);
}

/* Nothing to order: refused, nothing written, no event. */
static void test_suggest_nothing(void **state)
{
    (void)state;
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
    size_t before = as_harness_count(h, NULL);
    As__OrderSuggest req = AS__ORDER_SUGGEST__INIT;
    req.supplier = "OEM";
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.order.suggest", &req.base, &r), 0);
    assert_int_equal(r.status, AS_ECONFLICT);
    assert_non_null(strstr(r.error, "nothing to order from 'OEM'"));
    assert_int_equal(r.n_events, 0);
    as_harness_result_clear(&r);
    char *exclude[] = {"P-NONE"};
    req.exclude = exclude;
    req.n_exclude = 1;
    assert_int_equal(as_harness_call(h, "wh-zhou", "parts.order.suggest", &req.base, &r), 0);
    assert_int_equal(r.status, AS_ENOTFOUND);
    assert_string_equal(r.error, "exclude: part 'P-NONE' is not in the catalogue");
    as_harness_result_clear(&r);
    assert_int_equal(as_harness_count(h, "orders"), 0);
    assert_int_equal(as_harness_count(h, NULL), before);
    as_harness_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steady_demand), cmocka_unit_test(test_whole_reorder_point),
        cmocka_unit_test(test_default_lead),  cmocka_unit_test(test_position),
        cmocka_unit_test(test_capped),        cmocka_unit_test(test_suggest_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
