/* test_config_schema.c — the site file's schema: unknown keys and sections
 * with file:line and the nearest name, missing [bus]/[staff], ranges, reading
 * through the schema, and a daemon's --check-config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/config.h"
#include "as/config_schema.h"
#include "as/error.h"
#include "as/service.h"

#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_path[PATH_MAX];

/* A config every daemon of the test site accepts. */
#define S_GOOD                                                                                     \
    "[site]\n"                     /* 1 */                                                         \
    "name = test\n"                /* 2 */                                                         \
    "services = reception, crm\n"  /* 3 */                                                         \
    "[bus]\n"                      /* 4 */                                                         \
    "publish = ipc:///tmp/in\n"    /* 5 */                                                         \
    "subscribe = ipc:///tmp/out\n" /* 6 */                                                         \
    "[reception]\n"                /* 7 */                                                         \
    "endpoint = ipc:///tmp/r\n"    /* 8 */                                                         \
    "follows = crm, partner\n"     /* 9 */                                                         \
    "heartbeat_ms = 200\n"         /* 10 */                                                        \
    "[warranty]\n"                 /* 11 */                                                        \
    "endpoint = ipc:///tmp/w\n"    /* 12 */                                                        \
    "clerk_limit_cents = 300000\n" /* 13 */                                                        \
    "[warranty.policy]\n"          /* 14 */                                                        \
    "basic = 4y 100000km\n"        /* 15 */                                                        \
    "[crm]\n"                      /* 16 */                                                        \
    "endpoint = ipc:///tmp/crm\n"  /* 17 */                                                        \
    "[partner]\n"                  /* 18 */                                                        \
    "max_payload = 1024\n"         /* 19 */                                                        \
    "[bus2]\n"                     /* 20 */                                                        \
    "xsub = ipc:///tmp/in2\n"      /* 21 */                                                        \
    "[staff]\n"                    /* 22 */                                                        \
    "sm-zhang = service_manager\n" /* 23 */

/* Problems reported by a check, one per line, fatal ones marked "!". */
typedef struct {
    char text[8192];
    int fatal;
    int all;
} s_report_t;

static void s_collect(void *arg, bool fatal, const char *problem)
{
    s_report_t *report = arg;
    size_t used = strlen(report->text);
    snprintf(report->text + used, sizeof report->text - used, "%s%s\n", fatal ? "!" : "", problem);
    report->fatal += fatal;
    report->all++;
}

static as_config_t *s_load(const char *text)
{
    const char *tmp = getenv("AS_TEST_TMP");
    mkdir(tmp && *tmp ? tmp : "/tmp", 0700);
    snprintf(s_path, sizeof s_path, "%s/test_config_schema-%ld.ini", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    FILE *file = fopen(s_path, "w");
    assert_non_null(file);
    assert_true(fputs(text, file) >= 0);
    assert_int_equal(fclose(file), 0);
    char *err = NULL;
    as_config_t *cfg = as_config_load(s_path, &err);
    if (!cfg) {
        fail_msg("load: %s", err);
    }
    return cfg;
}

/* Checks `text` as the daemon `own` would and returns what it reported. */
static s_report_t s_check(const char *text, const char *own, int *rc)
{
    s_report_t report = {.text = ""};
    as_config_t *cfg = s_load(text);
    *rc = as_config_check(cfg, own, s_collect, &report);
    as_config_destroy(&cfg);
    unlink(s_path);
    return report;
}

/* Expects exactly one problem, `fatal` or not, reading "<path>:<suffix>". */
static void s_expect_one(const char *text, const char *own, bool fatal, const char *suffix)
{
    int rc;
    s_report_t report = s_check(text, own, &rc);
    char expected[PATH_MAX + 512];
    snprintf(expected, sizeof expected, "%s%s:%s\n", fatal ? "!" : "", s_path, suffix);
    assert_string_equal(report.text, expected);
    assert_int_equal(rc, fatal ? 1 : 0);
}

static void test_good_config_passes(void **state)
{
    (void)state;
    int rc;
    s_report_t report = s_check(S_GOOD, "reception", &rc);
    assert_string_equal(report.text, "");
    assert_int_equal(rc, 0);
    report = s_check(S_GOOD, NULL, &rc);
    assert_string_equal(report.text, "");
    assert_int_equal(rc, 0);
}

static void test_typo_in_own_section_names_line_and_nearest_key(void **state)
{
    (void)state;
    s_expect_one(S_GOOD "[reception]\nfolows = crm\n", "reception", true,
                 "25: unknown key 'folows' in [reception]; did you mean 'follows'?");
}

static void test_typo_in_another_section_stops_its_owner_only(void **state)
{
    (void)state;
    const char *text = S_GOOD "[warranty]\nclerk_limit_cent = 300000\n";
    const char *problem =
        "25: unknown key 'clerk_limit_cent' in [warranty]; did you mean 'clerk_limit_cents'?";
    s_expect_one(text, "warranty", true, problem);
    s_expect_one(text, NULL, true, problem);
    s_expect_one(text, "reception", false, problem);
}

static void test_follows_typo_of_a_service(void **state)
{
    (void)state;
    /* "phone" has no section: a best-effort publisher naming no endpoint, fine */
    s_expect_one(S_GOOD "[kpi]\nfollows = wrokshop, phone\n", "kpi", true,
                 "25: [kpi] follows 'wrokshop', which has no section; did you mean 'workshop'?");
}

static void test_unknown_key_far_from_any(void **state)
{
    (void)state;
    s_expect_one(S_GOOD "[reception]\ncolour = blue\n", "reception", true,
                 "25: unknown key 'colour' in [reception]");
}

static void test_unknown_section_stops_everyone(void **state)
{
    (void)state;
    s_expect_one(S_GOOD "[recepton]\nendpoint = ipc:///tmp/x\n", "warranty", true,
                 "24: unknown section [recepton]; did you mean [reception]?");
    s_expect_one(S_GOOD "[payroll]\n", "warranty", true,
                 "24: unknown section [payroll]: not a service, a tool, a forwarder (with "
                 "xsub/xpub) or a gateway named in [site] services or a follows list");
}

static void test_key_typo_in_system_section_stops_everyone(void **state)
{
    (void)state;
    s_expect_one(S_GOOD "[bus]\nsubscrbe = ipc:///tmp/o2\n", "warranty", true,
                 "25: unknown key 'subscrbe' in [bus]; did you mean 'subscribe'?");
}

static void test_missing_bus_and_staff(void **state)
{
    (void)state;
    int rc;
    s_report_t report =
        s_check("[site]\nname = test\n[reception]\nendpoint = ipc:///tmp/r\n", "reception", &rc);
    char expected[2 * PATH_MAX + 512];
    snprintf(expected, sizeof expected,
             "!%s: [bus] is missing: it names the forwarders every daemon publishes to and "
             "subscribes from\n"
             "!%s: [staff] is missing: it lists who works here and their roles (id = role)\n",
             s_path, s_path);
    assert_string_equal(report.text, expected);
    assert_int_equal(rc, 2);
}

static void test_out_of_range_and_malformed_values(void **state)
{
    (void)state;
    s_expect_one(S_GOOD "[kpi]\nheartbeat_ms = -5\n", "kpi", true,
                 "25: [kpi] heartbeat_ms = -5 is out of range (1 to 3600000)");
    s_expect_one(S_GOOD "[reception]\nmax_batch = many\n", "reception", true,
                 "25: [reception] max_batch = 'many' is not a whole number");
    /* a reply must outlive every retry: an hour at least */
    s_expect_one(S_GOOD "[workshop]\nrequest_retention_hours = 0\n", "workshop", true,
                 "25: [workshop] request_retention_hours = 0 is out of range (1 to 87600)");
    s_expect_one(S_GOOD "[security]\ncurve = perhaps\n", "reception", true,
                 "25: [security] curve = 'perhaps' is not yes or no");
}

static void test_staff_roles_are_checked(void **state)
{
    (void)state;
    s_expect_one(S_GOOD "tech-01 = cook\n", "reception", true,
                 "24: [staff] staff 'tech-01': cannot read 'cook' (roles: service_manager, "
                 "front_desk_manager, advisor, info_clerk, foreman, technician, qc_inspector, "
                 "parts_manager, warehouse_keeper, warranty_clerk, tool_admin, system, it_admin, "
                 "delegate; limit=AMOUNT)");
}

static void test_read_through_schema(void **state)
{
    (void)state;
    as_config_t *cfg = s_load(S_GOOD);
    long long value = 0;
    assert_int_equal(as_config_read_int(cfg, "reception", "heartbeat_ms", &value), 0);
    assert_int_equal(value, 200);
    assert_int_equal(as_config_read_int(cfg, "reception", "replay_timeout_ms", &value), 0);
    assert_int_equal(value, 3000); /* the table's default */
    assert_int_equal(as_config_read_int(cfg, "warranty", "clerk_limit_cents", &value), 0);
    assert_int_equal(value, 300000);
    assert_int_equal(as_config_read_int(cfg, "crm", "max_payload", &value), 0);
    assert_int_equal(value, 65536);
    assert_int_equal(as_config_set(cfg, "reception", "heartbeat_ms", "-5"), 0);
    assert_int_equal(as_config_read_int(cfg, "reception", "heartbeat_ms", &value), AS_EINVALID);
    assert_null(as_config_schema_key(cfg, "reception", "folows"));
    as_config_destroy(&cfg);
    unlink(s_path);
}

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(as_config_distance("folows", "follows"), 1);
    assert_int_equal(as_config_distance("follwos", "follows"), 1); /* a swap */
    assert_int_equal(as_config_distance("", "abc"), 3);
    assert_int_equal(as_config_distance("kitten", "sitting"), 3);
}

/* --- a daemon's --check-config -------------------------------------------- */

static const as_command_def_t s_no_commands[] = {{NULL, NULL}};
static const as_event_def_t s_no_events[] = {{NULL, NULL}};
static const char *const s_no_dbs[] = {NULL};

static int s_check_config_main(const char *text)
{
    as_config_t *cfg = s_load(text);
    as_config_destroy(&cfg);
    const as_service_def_t def = {
        .name = "reception", .dbs = s_no_dbs, .commands = s_no_commands, .events = s_no_events};
    char *argv[] = {"as-reception", "--config", s_path, "--check-config", NULL};
    optind = 0;
    int rc = as_service_main(&def, 4, argv);
    unlink(s_path);
    return rc;
}

static void test_check_config_exit_codes(void **state)
{
    (void)state;
    assert_int_equal(s_check_config_main(S_GOOD), 0);
    assert_int_equal(s_check_config_main(S_GOOD "[reception]\nfolows = crm\n"), 78);
    /* --check-config is strict: another service's typo counts too */
    assert_int_equal(s_check_config_main(S_GOOD "[warranty]\nclerk_limit_cent = 1\n"), 78);
    assert_int_equal(s_check_config_main("[site]\n[reception]\nendpoint = ipc:///tmp/r\n"), 78);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_config_passes),
        cmocka_unit_test(test_typo_in_own_section_names_line_and_nearest_key),
        cmocka_unit_test(test_typo_in_another_section_stops_its_owner_only),
        cmocka_unit_test(test_unknown_key_far_from_any),
        cmocka_unit_test(test_follows_typo_of_a_service),
        cmocka_unit_test(test_unknown_section_stops_everyone),
        cmocka_unit_test(test_key_typo_in_system_section_stops_everyone),
        cmocka_unit_test(test_missing_bus_and_staff),
        cmocka_unit_test(test_out_of_range_and_malformed_values),
        cmocka_unit_test(test_staff_roles_are_checked),
        cmocka_unit_test(test_read_through_schema),
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_check_config_exit_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
