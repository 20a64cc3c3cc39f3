/* test_workshop_tools — what dispatch makes of a job's special tool, from
 * workshop's read model of the tool room (services/workshop/tool_check.c):
 * lost, out of service, damaged, never calibrated, calibration overdue block
 * it; on loan and not known give a note. Linked from the workshop
 * service's library (as_workshop). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "as/calendar.h"
#include "workshop.h"

static const char *const s_date = "2026-11-27";

static As__WorkshopTool s_tool(void)
{
    As__WorkshopTool tool = AS__WORKSHOP_TOOL__INIT;
    tool.tool_id = "T-1";
    tool.condition = "good";
    tool.has_calibration_interval_days = 1;
    tool.calibration_interval_days = 90;
    tool.last_calibration = "2026-09-01"; /* next: 2026-11-30 */
    return tool;
}

static ws_tool_verdict_t s_check(const As__WorkshopTool *tool, char *text)
{
    return ws_tool_check("T-1", tool, s_date, text, 300);
}

static void test_good_tool(void **state)
{
    (void)state;
    char text[300];
    As__WorkshopTool tool = s_tool();
    assert_int_equal(s_check(&tool, text), WS_TOOL_OK);
    assert_string_equal(text, "");
    tool.calibration_interval_days = 0; /* needs none */
    tool.last_calibration = NULL;
    assert_int_equal(s_check(&tool, text), WS_TOOL_OK);
    tool.condition = "worn";
    assert_int_equal(s_check(&tool, text), WS_TOOL_OK);
}

static void test_calibration(void **state)
{
    (void)state;
    char text[300], next[AS_DATE_LEN + 1];
    As__WorkshopTool tool = s_tool();
    ws_tool_next_calibration(&tool, next);
    assert_string_equal(next, "2026-11-30");
    tool.last_calibration = "2026-08-29"; /* due on the dispatch date: still fine */
    assert_int_equal(s_check(&tool, text), WS_TOOL_OK);
    tool.last_calibration = "2026-08-28"; /* due the day before */
    assert_int_equal(s_check(&tool, text), WS_TOOL_BLOCKED);
    assert_string_equal(text, "which is out of calibration: it was due on 2026-11-26");
    tool.last_calibration = NULL;
    assert_int_equal(s_check(&tool, text), WS_TOOL_BLOCKED);
    assert_string_equal(text, "which is out of calibration: it was never calibrated");
    ws_tool_next_calibration(&tool, next);
    assert_string_equal(next, "");
}

static void test_blocking_states(void **state)
{
    (void)state;
    char text[300];
    As__WorkshopTool tool = s_tool();
    tool.condition = "damaged";
    assert_int_equal(s_check(&tool, text), WS_TOOL_BLOCKED);
    assert_string_equal(text, "which is damaged");
    tool.damage = "bent shaft";
    assert_int_equal(s_check(&tool, text), WS_TOOL_BLOCKED);
    assert_string_equal(text, "which is damaged: bent shaft");
    tool.out_of_service = 1;
    tool.service_note = "failed calibration on 2026-11-20 (certificate C-9)";
    assert_int_equal(s_check(&tool, text), WS_TOOL_BLOCKED);
    assert_string_equal(
        text, "which is out of service: failed calibration on 2026-11-20 (certificate C-9)");
    tool.lost = 1; /* lost comes first */
    assert_int_equal(s_check(&tool, text), WS_TOOL_BLOCKED);
    assert_string_equal(text, "which is reported lost");
    tool.lost_note = "left at a roadside job";
    assert_int_equal(s_check(&tool, text), WS_TOOL_BLOCKED);
    assert_string_equal(text, "which is reported lost: left at a roadside job");
}

static void test_notes(void **state)
{
    (void)state;
    char text[300];
    assert_int_equal(ws_tool_check("T-9", NULL, s_date, text, sizeof text), WS_TOOL_NOTE);
    assert_string_equal(text, "special tool 'T-9' is not known to workshop");
    As__WorkshopTool tool = s_tool();
    tool.loan_id = "L-7";
    tool.loan_technician = "tech-03";
    tool.loan_due_date = "2026-11-27";
    tool.loan_due_time = "15:00";
    assert_int_equal(s_check(&tool, text), WS_TOOL_NOTE);
    assert_string_equal(text, "special tool 'T-1' is on loan to tech-03 (loan L-7, due 15:00)");
    tool.loan_due_date = "2026-11-28";
    assert_int_equal(s_check(&tool, text), WS_TOOL_NOTE);
    assert_string_equal(
        text, "special tool 'T-1' is on loan to tech-03 (loan L-7, due 2026-11-28 15:00)");
    tool.last_calibration = "2026-01-01"; /* on loan but overdue: it may not be used */
    assert_int_equal(s_check(&tool, text), WS_TOOL_BLOCKED);
    assert_string_equal(text, "which is out of calibration: it was due on 2026-04-01");
}

/* A refusal words each reason in its own format: the blocker names the
 * reason (and the due day), in ws_tool_check's order. */
static void test_blocker_names_the_reason(void **state)
{
    (void)state;
    char due[AS_DATE_LEN + 1];
    As__WorkshopTool tool = s_tool();
    assert_int_equal(ws_tool_blocker(&tool, s_date, due), WS_TOOL_USABLE);
    assert_string_equal(due, "");
    tool.last_calibration = "2026-08-28";
    assert_int_equal(ws_tool_blocker(&tool, s_date, due), WS_TOOL_CALIBRATION_OVERDUE);
    assert_string_equal(due, "2026-11-26");
    tool.last_calibration = NULL;
    assert_int_equal(ws_tool_blocker(&tool, s_date, due), WS_TOOL_NEVER_CALIBRATED);
    tool.condition = "damaged";
    assert_int_equal(ws_tool_blocker(&tool, s_date, due), WS_TOOL_DAMAGED);
    tool.out_of_service = 1;
    assert_int_equal(ws_tool_blocker(&tool, s_date, due), WS_TOOL_OUT_OF_SERVICE);
    tool.lost = 1;
    assert_int_equal(ws_tool_blocker(&tool, s_date, due), WS_TOOL_LOST);
}

/* Each text is also kept as a code and its arguments, so a page words it in
 * its language: the tool id first, then what the text names. */
static void s_expect_wording(const ws_tool_wording_t *w, const char *code, size_t n,
                             const char *const *args)
{
    assert_non_null(w->code);
    assert_string_equal(w->code, code);
    assert_int_equal(w->n_args, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(w->args[i], args[i]);
}

static void test_wordings(void **state)
{
    (void)state;
    char text[300];
    ws_tool_wording_t w;
    As__WorkshopTool tool = s_tool();
    assert_int_equal(ws_tool_check_worded("T-1", &tool, s_date, text, 300, &w), WS_TOOL_OK);
    assert_null(w.code);
    assert_int_equal(ws_tool_check_worded("T-9", NULL, s_date, text, 300, &w), WS_TOOL_NOTE);
    s_expect_wording(&w, "not_known", 1, (const char *[]){"T-9"});
    tool.loan_id = "L-7";
    tool.loan_due_date = "2026-11-28";
    tool.loan_due_time = "15:00";
    assert_int_equal(ws_tool_check_worded("T-1", &tool, s_date, text, 300, &w), WS_TOOL_NOTE);
    s_expect_wording(&w, "on_loan_unnamed", 3, (const char *[]){"T-1", "L-7", "2026-11-28 15:00"});
    tool.loan_technician = "tech-03";
    tool.loan_due_date = "2026-11-27"; /* due today: the time alone */
    assert_int_equal(ws_tool_check_worded("T-1", &tool, s_date, text, 300, &w), WS_TOOL_NOTE);
    s_expect_wording(&w, "on_loan", 4, (const char *[]){"T-1", "tech-03", "L-7", "15:00"});
    tool.loan_id = NULL;
    tool.last_calibration = "2026-08-28";
    assert_int_equal(ws_tool_check_worded("T-1", &tool, s_date, text, 300, &w), WS_TOOL_BLOCKED);
    s_expect_wording(&w, "calibration_overdue", 2, (const char *[]){"T-1", "2026-11-26"});
    tool.last_calibration = NULL;
    assert_int_equal(ws_tool_check_worded("T-1", &tool, s_date, text, 300, &w), WS_TOOL_BLOCKED);
    s_expect_wording(&w, "never_calibrated", 1, (const char *[]){"T-1"});
    tool.condition = "damaged";
    assert_int_equal(ws_tool_check_worded("T-1", &tool, s_date, text, 300, &w), WS_TOOL_BLOCKED);
    s_expect_wording(&w, "damaged", 1, (const char *[]){"T-1"});
    tool.damage = "cracked";
    assert_int_equal(ws_tool_check_worded("T-1", &tool, s_date, text, 300, &w), WS_TOOL_BLOCKED);
    s_expect_wording(&w, "damaged_note", 2, (const char *[]){"T-1", "cracked"});
    tool.out_of_service = 1;
    assert_int_equal(ws_tool_check_worded("T-1", &tool, s_date, text, 300, &w), WS_TOOL_BLOCKED);
    s_expect_wording(&w, "out_of_service_no_reason", 1, (const char *[]){"T-1"});
    tool.service_note = "failed calibration";
    assert_int_equal(ws_tool_check_worded("T-1", &tool, s_date, text, 300, &w), WS_TOOL_BLOCKED);
    s_expect_wording(&w, "out_of_service", 2, (const char *[]){"T-1", "failed calibration"});
    tool.lost = 1;
    assert_int_equal(ws_tool_check_worded("T-1", &tool, s_date, text, 300, &w), WS_TOOL_BLOCKED);
    s_expect_wording(&w, "lost", 1, (const char *[]){"T-1"});
    tool.lost_note = "left on a roadside job";
    assert_int_equal(ws_tool_check_worded("T-1", &tool, s_date, text, 300, &w), WS_TOOL_BLOCKED);
    s_expect_wording(&w, "lost_note", 2, (const char *[]){"T-1", "left on a roadside job"});
    assert_string_equal(text, "which is reported lost: left on a roadside job");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_tool),
        cmocka_unit_test(test_calibration),
        cmocka_unit_test(test_blocking_states),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_blocker_names_the_reason),
        cmocka_unit_test(test_wordings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
