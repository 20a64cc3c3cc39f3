/* test_human.c — amounts in currency units and times as local date-times,
 * by the one table of field names, on a real message through pbjson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/human.h"
#include "as/pb/reception.pb-c.h"
#include "as/pbjson.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_DEC_4_1405_UTC 1796393100000000LL /* 2026-12-04 14:05:00 UTC, in µs */

static void s_zone(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static void test_money_in_currency_units(void **state)
{
    (void)state;
    char out[AS_HUMAN_TEXT_MAX];
    assert_string_equal(as_human_money(350000, out, sizeof out), "3,500.00");
    assert_string_equal(as_human_money(0, out, sizeof out), "0.00");
    assert_string_equal(as_human_money(5, out, sizeof out), "0.05");
    assert_string_equal(as_human_money(99999, out, sizeof out), "999.99");
    assert_string_equal(as_human_money(100000, out, sizeof out), "1,000.00");
    assert_string_equal(as_human_money(123456789012, out, sizeof out), "1,234,567,890.12");
    assert_string_equal(as_human_money(-5, out, sizeof out), "-0.05");
    assert_string_equal(as_human_money(-1234567, out, sizeof out), "-12,345.67");
    assert_string_equal(as_human_money(INT64_MAX, out, sizeof out), "92,233,720,368,547,758.07");
    assert_string_equal(as_human_money(INT64_MIN, out, sizeof out), "-92,233,720,368,547,758.08");
}

/* The site's currency follows every amount once set; "" takes it away. */
static void test_money_with_the_site_currency(void **state)
{
    (void)state;
    char out[AS_HUMAN_TEXT_MAX];
    as_human_set_currency("CNY");
    assert_string_equal(as_human_money(350000, out, sizeof out), "3,500.00 CNY");
    assert_string_equal(as_human_money(INT64_MIN, out, sizeof out),
                        "-92,233,720,368,547,758.08 CNY");
    as_human_set_currency("a currency far too long");
    assert_string_equal(as_human_money(5, out, sizeof out), "0.05 a curren");
    as_human_set_currency("");
    assert_string_equal(as_human_money(350000, out, sizeof out), "3,500.00");
    as_human_set_currency(NULL);
    assert_string_equal(as_human_money(-5, out, sizeof out), "-0.05");
}

static void test_time_as_local_date_time(void **state)
{
    (void)state;
    char out[AS_HUMAN_TEXT_MAX];
    s_zone("UTC0");
    assert_string_equal(as_human_time(S_DEC_4_1405_UTC, out, sizeof out), "2026-12-04 14:05");
    assert_string_equal(as_human_time(S_DEC_4_1405_UTC + 59999999, out, sizeof out),
                        "2026-12-04 14:05");
    /* TZ is respected: Central European time, winter then summer */
    s_zone("CET-1CEST,M3.5.0,M10.5.0/3");
    assert_string_equal(as_human_time(S_DEC_4_1405_UTC, out, sizeof out), "2026-12-04 15:05");
    assert_string_equal(as_human_time(S_DEC_4_1405_UTC - 180LL * 86400 * 1000000, out, sizeof out),
                        "2026-06-07 16:05");
    s_zone("UTC0");
    assert_string_equal(as_human_time(-1, out, sizeof out), "1969-12-31 23:59");
}

static void test_table_by_field_name(void **state)
{
    (void)state;
    assert_int_equal(as_human_kind("estimate_cents"), AS_HUMAN_MONEY);
    assert_int_equal(as_human_kind("opened_us"), AS_HUMAN_TIME);
    assert_int_equal(as_human_kind("time_us"), AS_HUMAN_TIME);
    assert_int_equal(as_human_kind("sold_minutes"), AS_HUMAN_PLAIN);
    assert_int_equal(as_human_kind("status"), AS_HUMAN_PLAIN);
    assert_int_equal(as_human_kind("_us"), AS_HUMAN_PLAIN);
    assert_int_equal(as_human_kind("cents"), AS_HUMAN_PLAIN);
    assert_int_equal(as_human_kind(NULL), AS_HUMAN_PLAIN);
}

/* A repair order as asctl receives it: money and times at every depth. */
static void test_message_for_people(void **state)
{
    (void)state;
    s_zone("UTC0");
    As__Invoice invoice = AS__INVOICE__INIT;
    invoice.has_total_cents = invoice.has_labour_cents = 1;
    invoice.total_cents = 350000;
    invoice.labour_cents = 120050;
    As__Job job = AS__JOB__INIT;
    job.has_job_no = job.has_parts_consumed_cents = 1;
    job.job_no = 1;
    job.parts_consumed_cents = 4990;
    As__Job *jobs[] = {&job};
    As__RepairOrder ro = AS__REPAIR_ORDER__INIT;
    ro.ro_number = "RO-20261204-001";
    ro.has_mileage_km = ro.has_opened_us = ro.has_estimate_cents = 1;
    ro.mileage_km = 120000;
    ro.opened_us = S_DEC_4_1405_UTC;
    ro.estimate_cents = 1234567;
    ro.invoice = &invoice;
    ro.n_jobs = 1;
    ro.jobs = jobs;

    json_t *json = as_pbjson_to_json(&ro.base);
    assert_non_null(json);
    assert_int_equal(as_human_json(json), 0);
    char *text = json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"estimate_cents\":\"12,345.67\","
                              "\"invoice\":{\"labour_cents\":\"1,200.50\","
                              "\"total_cents\":\"3,500.00\"},"
                              "\"jobs\":[{\"job_no\":1,\"parts_consumed_cents\":\"49.90\"}],"
                              "\"mileage_km\":120000,"
                              "\"opened_us\":\"2026-12-04 14:05\","
                              "\"ro_number\":\"RO-20261204-001\"}");
    free(text);
    json_decref(json);
}

/* Nothing is refused: a value under such a name that is not an integer
 * stays as it is. */
static void test_other_values_left_alone(void **state)
{
    (void)state;
    json_t *json = json_pack("{s:s,s:f,s:n,s:[i,i],s:{s:b}}", "price_cents", "abc", "paid_cents",
                             1.5, "closed_us", "lines_cents", 1, 2, "at_us", "x", 1);
    assert_int_equal(as_human_json(json), 0);
    char *text = json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"at_us\":{\"x\":true},\"closed_us\":null,\"lines_cents\":[1,2],"
                              "\"paid_cents\":1.5,\"price_cents\":\"abc\"}");
    free(text);
    json_decref(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_in_currency_units),
        cmocka_unit_test(test_money_with_the_site_currency),
        cmocka_unit_test(test_time_as_local_date_time),
        cmocka_unit_test(test_table_by_field_name),
        cmocka_unit_test(test_message_for_people),
        cmocka_unit_test(test_other_values_left_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
