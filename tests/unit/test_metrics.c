/* test_metrics.c — the counters and their Prometheus text: commands by name
 * and status (and the table's bound), events by source, cumulative histogram
 * buckets, escaped label values; and metrics_listen's parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/error.h"
#include "as/metrics.h"
#include "as/metrics_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text the counters write for service "svc" (freed by the caller). */
static char *s_text(const as_metrics_t *m)
{
    as_metrics_text_t t = {0};
    as_metrics_write(m, "svc", &t);
    assert_false(t.failed);
    assert_non_null(t.buf);
    return t.buf;
}

/* The value of the line starting with `sample` ("name{labels}"), or -1. */
static double s_value(const char *text, const char *sample)
{
    size_t n = strlen(sample);
    for (const char *line = text; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, sample, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
    return -1;
}

static void test_commands_by_name_and_status(void **state)
{
    (void)state;
    as_metrics_t *m = as_metrics_new();
    as_metrics_command(m, "reception.ro.open", 0);
    as_metrics_command(m, "reception.ro.open", 0);
    as_metrics_command(m, "reception.ro.open", AS_EDENIED);
    as_metrics_command(m, NULL, AS_EBADFRAME);
    char *text = s_text(m);
    assert_true(s_value(text, "as_commands_total{service=\"svc\",command=\"reception.ro.open\","
                              "status=\"ok\"}") == 2);
    assert_true(s_value(text, "as_commands_total{service=\"svc\",command=\"reception.ro.open\","
                              "status=\"denied\"}") == 1);
    assert_true(
        s_value(text, "as_commands_total{service=\"svc\",command=\"-\",status=\"bad-frame\"}") ==
        1);
    assert_non_null(strstr(text, "# TYPE as_commands_total counter\n"));
    free(text);
    as_metrics_destroy(&m);
    assert_null(m);
}

static void test_command_table_is_bounded(void **state)
{
    (void)state;
    as_metrics_t *m = as_metrics_new();
    char name[64];
    for (int i = 0; i < AS_METRICS_COMMANDS_MAX + 50; i++) {
        snprintf(name, sizeof name, "demo.c%d", i);
        as_metrics_command(m, name, 0);
    }
    as_metrics_command(m, "demo.c0", 0); /* a named one still counts under its name */
    char *text = s_text(m);
    assert_true(
        s_value(text, "as_commands_total{service=\"svc\",command=\"demo.c0\",status=\"ok\"}") == 2);
    assert_true(
        s_value(text, "as_commands_total{service=\"svc\",command=\"other\",status=\"other\"}") ==
        50);
    free(text);
    as_metrics_destroy(&m);
}

static void test_events_by_source(void **state)
{
    (void)state;
    as_metrics_t *m = as_metrics_new();
    for (int i = 0; i < 5; i++)
        as_metrics_event(m, "workshop@local", false);
    as_metrics_event(m, "workshop@local", true);
    as_metrics_event(m, "parts@local", false);
    char *text = s_text(m);
    assert_true(
        s_value(text, "as_events_applied_total{service=\"svc\",source=\"workshop@local\"}") == 5);
    assert_true(
        s_value(text, "as_events_skipped_total{service=\"svc\",source=\"workshop@local\"}") == 1);
    assert_true(s_value(text, "as_events_applied_total{service=\"svc\",source=\"parts@local\"}") ==
                1);
    free(text);
    as_metrics_destroy(&m);
}

static void test_histograms_are_cumulative(void **state)
{
    (void)state;
    as_metrics_t *m = as_metrics_new();
    as_metrics_commit(m, 50);      /* 0.00005 s: the first bucket */
    as_metrics_commit(m, 3000);    /* 0.003 s */
    as_metrics_commit(m, 5000000); /* 5 s: only +Inf */
    as_metrics_batch(m, 1);
    as_metrics_batch(m, 7);
    as_metrics_loop_busy(m, 40000); /* 0.04 s */
    char *text = s_text(m);
    assert_true(s_value(text, "as_commit_seconds_bucket{service=\"svc\",le=\"0.0001\"}") == 1);
    assert_true(s_value(text, "as_commit_seconds_bucket{service=\"svc\",le=\"0.005\"}") == 2);
    assert_true(s_value(text, "as_commit_seconds_bucket{service=\"svc\",le=\"1\"}") == 2);
    assert_true(s_value(text, "as_commit_seconds_bucket{service=\"svc\",le=\"+Inf\"}") == 3);
    assert_true(s_value(text, "as_commit_seconds_count{service=\"svc\"}") == 3);
    double sum = s_value(text, "as_commit_seconds_sum{service=\"svc\"}");
    assert_true(sum > 5.003 && sum < 5.0031);
    assert_true(s_value(text, "as_batch_size_bucket{service=\"svc\",le=\"5\"}") == 1);
    assert_true(s_value(text, "as_batch_size_bucket{service=\"svc\",le=\"10\"}") == 2);
    assert_true(s_value(text, "as_batch_size_sum{service=\"svc\"}") == 8);
    assert_true(s_value(text, "as_loop_busy_seconds_bucket{service=\"svc\",le=\"0.025\"}") == 0);
    assert_true(s_value(text, "as_loop_busy_seconds_bucket{service=\"svc\",le=\"0.05\"}") == 1);
    assert_true(s_value(text, "as_loop_busy_seconds_count{service=\"svc\"}") == 1);
    free(text);
    as_metrics_destroy(&m);
}

static void test_label_values_are_escaped(void **state)
{
    (void)state;
    as_metrics_text_t t = {0};
    as_metrics_sample(&t, "as_x", 1.5, "a", "q\"b\\s\nn", "skipped", NULL, NULL);
    assert_string_equal(t.buf, "as_x{a=\"q\\\"b\\\\s\\nn\"} 1.5\n");
    as_metrics_text_free(&t);
    as_metrics_sample(&t, "as_y", 3, NULL);
    assert_string_equal(t.buf, "as_y 3\n");
    as_metrics_text_free(&t);
}

static void test_text_grows(void **state)
{
    (void)state;
    as_metrics_text_t t = {0};
    for (int i = 0; i < 2000; i++)
        as_metrics_printf(&t, "line %d of a long text\n", i);
    assert_false(t.failed);
    assert_non_null(strstr(t.buf, "line 1999 of a long text\n"));
    assert_int_equal(t.buf[t.len], '\0');
    as_metrics_text_free(&t);
}

static void test_listen_parse(void **state)
{
    (void)state;
    char host[64], why[400];
    int port = 0;
    assert_int_equal(
        as_metrics_listen_parse("127.0.0.1:9101", host, sizeof host, &port, why, sizeof why), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 9101);
    assert_int_equal(
        as_metrics_listen_parse("localhost:80", host, sizeof host, &port, why, sizeof why), 0);
    assert_int_equal(
        as_metrics_listen_parse("[::1]:9101", host, sizeof host, &port, why, sizeof why), 0);
    assert_string_equal(host, "::1");
    const char *bad[] = {"",          "127.0.0.1",       "127.0.0.1:",  "127.0.0.1:0",
                         ":9101",     "127.0.0.1:65536", "host:9101",   "127.0.0.1:91x",
                         "[::1]9101", "::1:9101",        "1.2.3.4.5:9", "127.0.0.1:-5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why[0] = '\0';
        assert_int_equal(as_metrics_listen_parse(bad[i], host, sizeof host, &port, why, sizeof why),
                         AS_ECONFIG);
        assert_non_null(strstr(why, "metrics_listen"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands_by_name_and_status),
        cmocka_unit_test(test_command_table_is_bounded),
        cmocka_unit_test(test_events_by_source),
        cmocka_unit_test(test_histograms_are_cumulative),
        cmocka_unit_test(test_label_values_are_escaped),
        cmocka_unit_test(test_text_grows),
        cmocka_unit_test(test_listen_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
