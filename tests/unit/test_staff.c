/* test_staff.c — the staff list: roles, limits, the role check of commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "as/error.h"
#include "as/staff.h"

static as_config_t *s_config(const char *const *lines)
{
    as_config_t *cfg = as_config_new();
    assert_non_null(cfg);
    for (size_t i = 0; lines[i]; i += 2)
        assert_int_equal(as_config_set(cfg, "staff", lines[i], lines[i + 1]), 0);
    return cfg;
}

static void test_roles_and_limits(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "adv-wang", "advisor limit=5000",       "fdm-li",    "front_desk_manager",
        "qc-zhao",  "qc_inspector, technician", "adv-small", "advisor, limit=120.50",
        NULL,
    };
    as_config_t *cfg = s_config(lines);
    char *err = NULL;
    as_staff_t *staff = as_staff_load(cfg, &err);
    assert_non_null(staff);
    assert_null(err);
    assert_int_equal(as_staff_roles(staff, "adv-wang"), AS_ROLE_ADVISOR);
    assert_int_equal(as_staff_limit_cents(staff, "adv-wang"), 500000);
    assert_int_equal(as_staff_limit_cents(staff, "adv-small"), 12050);
    assert_int_equal(as_staff_roles(staff, "qc-zhao"), AS_ROLE_QC_INSPECTOR | AS_ROLE_TECHNICIAN);
    assert_int_equal(as_staff_limit_cents(staff, "fdm-li"), 0);
    assert_int_equal(as_staff_roles(staff, "nobody"), 0);
    assert_int_equal(as_staff_roles(staff, NULL), 0);
    const char *ids[4];
    assert_int_equal(as_staff_list(staff, AS_ROLE_ADVISOR, ids, 4), 2);
    assert_string_equal(ids[0], "adv-wang");
    assert_string_equal(ids[1], "adv-small");
    assert_int_equal(as_staff_list(staff, AS_ROLE_TECHNICIAN | AS_ROLE_FRONT_DESK_MANAGER, ids, 1),
                     2);
    assert_string_equal(ids[0], "fdm-li");
    assert_int_equal(as_staff_list(staff, AS_ROLE_TOOL_ADMIN, ids, 4), 0);
    as_staff_destroy(&staff);
    assert_null(staff);
    as_config_destroy(&cfg);
}

static void test_bad_lines(void **state)
{
    (void)state;
    static const char *const unknown_role[] = {"cook-1", "chef", NULL};
    static const char *const no_role[] = {"ghost", "limit=10", NULL};
    static const char *const bad_limit[] = {"adv-x", "advisor limit=lots", NULL};
    static const char *const negative[] = {"adv-y", "advisor limit=-5", NULL};
    const char *const *cases[] = {unknown_role, no_role, bad_limit, negative};
    const char *expect[] = {"cook-1", "ghost", "adv-x", "adv-y"};
    for (size_t i = 0; i < 4; i++) {
        as_config_t *cfg = s_config(cases[i]);
        char *err = NULL;
        as_staff_t *staff = as_staff_load(cfg, &err);
        assert_null(staff);
        assert_non_null(err);
        if (!strstr(err, expect[i]))
            fail_msg("error '%s' does not name '%s'", err, expect[i]);
        free(err);
        as_config_destroy(&cfg);
    }
}

static void test_require(void **state)
{
    (void)state;
    static const char *const lines[] = {"adv-wang", "advisor", NULL};
    as_config_t *cfg = s_config(lines);
    as_staff_t *staff = as_staff_load(cfg, NULL);
    assert_non_null(staff);
    as_cmd_t cmd = {.command = "reception.ro.approve", .actor = "adv-wang"};
    assert_int_equal(as_staff_require(staff, &cmd, AS_ROLE_ADVISOR | AS_ROLE_FOREMAN), 0);
    assert_int_equal(as_staff_require(staff, &cmd, AS_ROLE_FRONT_DESK_MANAGER), AS_EDENIED);
    assert_non_null(strstr(cmd.error, "'adv-wang' is not a front_desk_manager"));
    cmd.actor = "stranger";
    cmd.error[0] = '\0';
    assert_int_equal(as_staff_require(staff, &cmd, AS_ROLE_ADVISOR), AS_EDENIED);
    assert_non_null(strstr(cmd.error, "not on the staff list"));
    char names[128];
    as_role_names(AS_ROLE_ADVISOR | AS_ROLE_FOREMAN, names, sizeof names);
    assert_string_equal(names, "advisor or foreman");
    assert_string_equal(as_role_name(AS_ROLE_QC_INSPECTOR), "qc_inspector");
    assert_string_equal(as_role_name(3), "");
    as_staff_destroy(&staff);
    as_config_destroy(&cfg);
}

static void test_empty_list(void **state)
{
    (void)state;
    as_config_t *cfg = as_config_new();
    as_staff_t *staff = as_staff_load(cfg, NULL);
    assert_non_null(staff);
    assert_int_equal(as_staff_roles(staff, "anyone"), 0);
    as_staff_destroy(&staff);
    as_config_destroy(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_limits),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_require),
        cmocka_unit_test(test_empty_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
