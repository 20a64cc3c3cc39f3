/* test_calendar.c — local dates: validity, differences, adding days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "as/calendar.h"
#include "as/error.h"

static void test_valid_dates(void **state)
{
    (void)state;
    assert_true(as_date_valid("2026-11-27"));
    assert_true(as_date_valid("2024-02-29"));  /* leap year */
    assert_true(as_date_valid("2000-02-29"));  /* divisible by 400 */
    assert_false(as_date_valid("1900-02-29")); /* divisible by 100 */
    assert_false(as_date_valid("2026-02-29"));
    assert_false(as_date_valid("2026-13-01"));
    assert_false(as_date_valid("2026-00-10"));
    assert_false(as_date_valid("2026-04-31"));
    assert_false(as_date_valid("2026-4-3"));
    assert_false(as_date_valid("2026/11/27"));
    assert_false(as_date_valid("2026-11-27x"));
    assert_false(as_date_valid("abcd-ef-gh"));
    assert_false(as_date_valid(""));
    assert_false(as_date_valid(NULL));
}

static void test_valid_months(void **state)
{
    (void)state;
    assert_true(as_month_valid("2026-11"));
    assert_true(as_month_valid("2026-01"));
    assert_false(as_month_valid("2026-13"));
    assert_false(as_month_valid("2026-00"));
    assert_false(as_month_valid("2026-1"));
    assert_false(as_month_valid("2026-11-01"));
    assert_false(as_month_valid(NULL));
}

static void test_diff_and_add(void **state)
{
    (void)state;
    assert_int_equal(as_date_diff_days("2026-11-27", "2026-11-27"), 0);
    assert_int_equal(as_date_diff_days("2026-11-27", "2026-12-27"), 30);
    assert_int_equal(as_date_diff_days("2026-12-27", "2026-11-27"), -30);
    assert_int_equal(as_date_diff_days("2024-02-28", "2024-03-01"), 2);
    assert_int_equal(as_date_diff_days("2023-02-28", "2023-03-01"), 1);
    assert_int_equal(as_date_diff_days("1970-01-01", "2000-01-01"), 10957);
    char out[AS_DATE_LEN + 1];
    as_date_add_days("2026-11-27", 30, out);
    assert_string_equal(out, "2026-12-27");
    as_date_add_days("2024-02-28", 1, out);
    assert_string_equal(out, "2024-02-29");
    as_date_add_days("2026-01-01", -1, out);
    assert_string_equal(out, "2025-12-31");
    /* adding then measuring gives the same number of days back */
    for (int days = -800; days <= 800; days += 37) {
        as_date_add_days("2026-03-15", days, out);
        assert_true(as_date_valid(out));
        assert_int_equal(as_date_diff_days("2026-03-15", out), days);
    }
}

static void test_date_of_us(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    char out[AS_DATE_LEN + 1];
    as_date_of_us(0, out);
    assert_string_equal(out, "1970-01-01");
    as_date_of_us(1795737600LL * 1000000, out); /* 2026-11-27T00:00:00Z */
    assert_string_equal(out, "2026-11-27");
    as_date_of_us(1795737600LL * 1000000 - 1, out);
    assert_string_equal(out, "2026-11-26");
    as_date_today(out);
    assert_true(as_date_valid(out));
}

/* Local date-times both ways, in the zone TZ names. */
static void test_datetime(void **state)
{
    (void)state;
    setenv("TZ", "Asia/Shanghai", 1); /* UTC+8, no summer time */
    tzset();
    char out[AS_DATETIME_LEN + 1];
    as_datetime_of_us(1795737600LL * 1000000, out); /* 2026-11-27T00:00:00Z */
    assert_string_equal(out, "2026-11-27 08:00");
    int64_t us = 0;
    assert_int_equal(as_datetime_parse("2026-11-27 08:00", &us), 0);
    assert_int_equal(us, 1795737600LL * 1000000);
    assert_int_equal(as_datetime_parse("2026-11-27T14:05", &us), 0);
    assert_int_equal(us, (1795737600LL + 6 * 3600 + 5 * 60) * 1000000);
    assert_int_equal(as_datetime_parse("2026-11-27", &us), 0); /* its midnight */
    assert_int_equal(us, (1795737600LL - 8 * 3600) * 1000000);
    const char *bad[] = {"",
                         "2026-11-31 08:00",
                         "2026-11-27 24:00",
                         "2026-11-27 08:60",
                         "2026-11-27 8:00",
                         "2026-11-27 08:00:00",
                         "2026-11-27x08:00",
                         "yesterday",
                         NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(as_datetime_parse(bad[i], &us), AS_EINVALID);
    setenv("TZ", "UTC", 1);
    tzset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_dates),  cmocka_unit_test(test_valid_months),
        cmocka_unit_test(test_diff_and_add), cmocka_unit_test(test_date_of_us),
        cmocka_unit_test(test_datetime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
