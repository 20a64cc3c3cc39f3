/* test_tool_ids.c — tool room ids and a labour operation's special tools
 * (common/tool_ids.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "as/error.h"
#include "as/tool_ids.h"

static void test_ids(void **state)
{
    (void)state;
    assert_true(as_tool_id_valid("T-TORQUE-01"));
    assert_true(as_tool_id_valid("eq.align_2"));
    assert_true(as_tool_id_valid("x"));
    char longest[AS_TOOL_ID_MAX + 2];
    memset(longest, 'a', sizeof longest);
    longest[AS_TOOL_ID_MAX] = '\0';
    assert_true(as_tool_id_valid(longest));
    longest[AS_TOOL_ID_MAX] = 'a';
    longest[AS_TOOL_ID_MAX + 1] = '\0';
    assert_false(as_tool_id_valid(longest));
    assert_false(as_tool_id_valid(""));
    assert_false(as_tool_id_valid(NULL));
    assert_false(as_tool_id_valid("T 1"));
    assert_false(as_tool_id_valid("T/1"));
    assert_false(as_tool_id_valid("T\xc3\xa9"));
}

static void test_special_tools(void **state)
{
    (void)state;
    char err[256];
    char *good[] = {"T-1", "T-2"};
    assert_int_equal(as_special_tools_validate(good, 2, err, sizeof err), 0);
    assert_int_equal(as_special_tools_validate(NULL, 0, err, sizeof err), 0);
    char *bad[] = {"T-1", "T 2"};
    assert_int_equal(as_special_tools_validate(bad, 2, err, sizeof err), AS_EINVALID);
    assert_string_equal(err,
                        "special tool id 'T 2' must be 1 to 64 of letters, digits, '.', '_', '-'");
    char *empty[] = {""};
    assert_int_equal(as_special_tools_validate(empty, 1, err, sizeof err), AS_EINVALID);
    char *twice[] = {"T-1", "T-2", "T-1"};
    assert_int_equal(as_special_tools_validate(twice, 3, err, sizeof err), AS_EINVALID);
    assert_string_equal(err, "special tool 'T-1' is named twice");
    char names[AS_SPECIAL_TOOLS_MAX + 1][8];
    char *many[AS_SPECIAL_TOOLS_MAX + 1];
    for (int i = 0; i <= AS_SPECIAL_TOOLS_MAX; i++) {
        snprintf(names[i], sizeof names[i], "T-%d", i);
        many[i] = names[i];
    }
    assert_int_equal(as_special_tools_validate(many, AS_SPECIAL_TOOLS_MAX, err, sizeof err), 0);
    assert_int_equal(as_special_tools_validate(many, AS_SPECIAL_TOOLS_MAX + 1, err, sizeof err),
                     AS_EINVALID);
    assert_string_equal(err, "at most 16 special tools per labour operation (got 17)");
}

/* A refusal words each problem in its own format: the examination names the
 * problem and the id at fault. */
static void test_special_tools_examined(void **state)
{
    (void)state;
    as_special_tools_fault_t f;
    char *good[] = {"T-1", "T-2"};
    assert_int_equal(as_special_tools_examine(good, 2, &f), AS_SPECIAL_TOOLS_VALID);
    assert_null(f.id);
    char *bad[] = {"T-1", "T 2"};
    assert_int_equal(as_special_tools_examine(bad, 2, &f), AS_SPECIAL_TOOLS_BAD_ID);
    assert_string_equal(f.id, "T 2");
    char *none[] = {NULL};
    assert_int_equal(as_special_tools_examine(none, 1, &f), AS_SPECIAL_TOOLS_BAD_ID);
    assert_string_equal(f.id, "");
    char *twice[] = {"T-1", "T-2", "T-1"};
    assert_int_equal(as_special_tools_examine(twice, 3, &f), AS_SPECIAL_TOOLS_TWICE);
    assert_string_equal(f.id, "T-1");
    assert_int_equal(as_special_tools_examine(good, AS_SPECIAL_TOOLS_MAX + 1, &f),
                     AS_SPECIAL_TOOLS_TOO_MANY);
    assert_int_equal(f.count, AS_SPECIAL_TOOLS_MAX + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_special_tools),
        cmocka_unit_test(test_special_tools_examined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
