/* tool_check.c — what dispatch makes of one special tool of a job, from
 * workshop's read model of the tool room. Pure: no store, no clock (unit-tested
 * in tests/unit/test_workshop_tools.c). The rules follow the tool room's own
 * (services/tools/records.c tools_item_blocked), except that a tool on loan
 * only gets a note: it comes back before the job needs it, or the foreman
 * sorts it out; and a tool workshop never heard of gets a note too, since the
 * tools service may not be deployed. */
#include <stdio.h>
#include <string.h>

#include "as/calendar.h"
#include "workshop.h"

static int s_blank(const char *s)
{
    return !s || !*s;
}

void ws_tool_next_calibration(const As__WorkshopTool *tool, char out[AS_DATE_LEN + 1])
{
    out[0] = '\0';
    if (tool->calibration_interval_days > 0 && !s_blank(tool->last_calibration) &&
        as_date_valid(tool->last_calibration))
        as_date_add_days(tool->last_calibration, tool->calibration_interval_days, out);
}

static void s_word(ws_tool_wording_t *w, const char *code, const char *tool_id)
{
    w->code = code;
    w->args[0] = tool_id;
    w->n_args = 1;
}

static void s_arg(ws_tool_wording_t *w, const char *arg)
{
    w->args[w->n_args++] = arg ? arg : "";
}

static ws_tool_verdict_t s_note(char *text, size_t cap, const char *tool_id,
                                const As__WorkshopTool *tool, const char *date,
                                ws_tool_wording_t *w)
{
    const char *due_date = tool->loan_due_date ? tool->loan_due_date : "";
    const char *due_time = tool->loan_due_time ? tool->loan_due_time : "";
    int today = strcmp(due_date, date) == 0;
    snprintf(w->when, sizeof w->when, "%s%s%s", today ? "" : due_date,
             today || !*due_date ? "" : " ", due_time);
    snprintf(text, cap, "special tool '%s' is on loan to %s (loan %s, due %s)", tool_id,
             s_blank(tool->loan_technician) ? "a technician" : tool->loan_technician, tool->loan_id,
             w->when);
    s_word(w, s_blank(tool->loan_technician) ? "on_loan_unnamed" : "on_loan", tool_id);
    if (!s_blank(tool->loan_technician))
        s_arg(w, tool->loan_technician);
    s_arg(w, tool->loan_id);
    s_arg(w, w->when);
    return WS_TOOL_NOTE;
}

ws_tool_block_t ws_tool_blocker(const As__WorkshopTool *tool, const char *date, char due[11])
{
    due[0] = '\0';
    if (tool->lost)
        return WS_TOOL_LOST;
    if (tool->out_of_service)
        return WS_TOOL_OUT_OF_SERVICE;
    if (tool->condition && strcmp(tool->condition, "damaged") == 0)
        return WS_TOOL_DAMAGED;
    if (tool->calibration_interval_days > 0 && s_blank(tool->last_calibration))
        return WS_TOOL_NEVER_CALIBRATED;
    ws_tool_next_calibration(tool, due);
    if (due[0] && strcmp(due, date) < 0)
        return WS_TOOL_CALIBRATION_OVERDUE;
    due[0] = '\0';
    return WS_TOOL_USABLE;
}

ws_tool_verdict_t ws_tool_check(const char *tool_id, const As__WorkshopTool *tool, const char *date,
                                char *text, size_t cap)
{
    ws_tool_wording_t wording;
    return ws_tool_check_worded(tool_id, tool, date, text, cap, &wording);
}

ws_tool_verdict_t ws_tool_check_worded(const char *tool_id, const As__WorkshopTool *tool,
                                       const char *date, char *text, size_t cap,
                                       ws_tool_wording_t *w)
{
    text[0] = '\0';
    memset(w, 0, sizeof *w);
    if (!tool) {
        snprintf(text, cap, "special tool '%s' is not known to workshop", tool_id);
        s_word(w, "not_known", tool_id);
        return WS_TOOL_NOTE;
    }
    switch (ws_tool_blocker(tool, date, w->due)) {
    case WS_TOOL_USABLE:
        return s_blank(tool->loan_id) ? WS_TOOL_OK : s_note(text, cap, tool_id, tool, date, w);
    case WS_TOOL_LOST:
        snprintf(text, cap, "which is reported lost%s%s", s_blank(tool->lost_note) ? "" : ": ",
                 s_blank(tool->lost_note) ? "" : tool->lost_note);
        s_word(w, s_blank(tool->lost_note) ? "lost" : "lost_note", tool_id);
        if (!s_blank(tool->lost_note))
            s_arg(w, tool->lost_note);
        break;
    case WS_TOOL_OUT_OF_SERVICE:
        snprintf(text, cap, "which is out of service: %s",
                 s_blank(tool->service_note) ? "no reason given" : tool->service_note);
        s_word(w, s_blank(tool->service_note) ? "out_of_service_no_reason" : "out_of_service",
               tool_id);
        if (!s_blank(tool->service_note))
            s_arg(w, tool->service_note);
        break;
    case WS_TOOL_DAMAGED:
        snprintf(text, cap, "which is damaged%s%s", s_blank(tool->damage) ? "" : ": ",
                 s_blank(tool->damage) ? "" : tool->damage);
        s_word(w, s_blank(tool->damage) ? "damaged" : "damaged_note", tool_id);
        if (!s_blank(tool->damage))
            s_arg(w, tool->damage);
        break;
    case WS_TOOL_NEVER_CALIBRATED:
        snprintf(text, cap, "which is out of calibration: it was never calibrated");
        s_word(w, "never_calibrated", tool_id);
        break;
    case WS_TOOL_CALIBRATION_OVERDUE:
        snprintf(text, cap, "which is out of calibration: it was due on %s", w->due);
        s_word(w, "calibration_overdue", tool_id);
        s_arg(w, w->due);
        break;
    }
    return WS_TOOL_BLOCKED;
}
