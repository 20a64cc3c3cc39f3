/* tool_room.c — workshop's read model of the tool room, built from the tools
 * service's events (tools.item.registered, tools.calibration.recorded,
 * tools.loan.checked_out / checked_in / lost), and the check of a job's special
 * tools at dispatch against it. Workshop never asks the tools service while
 * dispatching: with tools down, dispatch goes on from the last state it saw. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/log.h"
#include "as/pb/tools.pb-c.h"
#include "workshop.h"

static int s_get_tool(MDB_txn *txn, as_service_t *svc, const char *tool_id, As__WorkshopTool **out)
{
    return as_record_get(txn, as_record_dbi(svc, "tools"), tool_id, &as__workshop_tool__descriptor,
                         out);
}

static int s_put_tool(MDB_txn *txn, as_service_t *svc, As__WorkshopTool *tool)
{
    tool->has_lost = tool->has_out_of_service = tool->has_calibration_interval_days = 1;
    return as_record_put(txn, as_record_dbi(svc, "tools"), tool->tool_id, &tool->base);
}

/* --- dispatch ------------------------------------------------------------- */

static void s_free_notes(char **notes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(notes[i]);
    free(notes);
}

static void s_free_wordings(As__ToolWording **wordings, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (wordings[i])
            as__tool_wording__free_unpacked(wordings[i], NULL);
    free(wordings);
}

/* A heap ToolWording of `w`, owned by the caller (freed with
 * as__tool_wording__free_unpacked); NULL when out of memory. */
static As__ToolWording *s_wording_new(const ws_tool_wording_t *w)
{
    As__ToolWording *out = malloc(sizeof *out);
    if (!out)
        return NULL;
    as__tool_wording__init(out);
    out->args = calloc(w->n_args ? w->n_args : 1, sizeof *out->args);
    out->code = strdup(w->code ? w->code : "");
    int ok = out->args && out->code;
    for (size_t i = 0; ok && i < w->n_args; i++, out->n_args++)
        ok = (out->args[i] = strdup(w->args[i])) != NULL;
    if (!ok) {
        as__tool_wording__free_unpacked(out, NULL);
        return NULL;
    }
    return out;
}

/* Refuses the dispatch of `job` for a special tool that may not be used: one
 * format per reason (and note or none), so a page words each in its language. */
static int s_refuse_tool(as_cmd_t *cmd, const As__WorkJob *job, const char *tool_id,
                         const As__WorkshopTool *tool, const char *date)
{
    unsigned no = job->job_no;
    const char *ro = job->ro_number;
    char due[AS_DATE_LEN + 1];
    switch (ws_tool_blocker(tool, date, due)) {
    case WS_TOOL_USABLE:
        break;
    case WS_TOOL_LOST:
        if (ws_empty(tool->lost_note))
            return as_cmd_fail(cmd, AS_ECONFLICT,
                               "job %u of RO %s needs special tool '%s', which is reported lost",
                               no, ro, tool_id);
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "job %u of RO %s needs special tool '%s', which is reported lost: %s",
                           no, ro, tool_id, tool->lost_note);
    case WS_TOOL_OUT_OF_SERVICE:
        if (ws_empty(tool->service_note))
            return as_cmd_fail(cmd, AS_ECONFLICT,
                               "job %u of RO %s needs special tool '%s', which is out of service: "
                               "no reason given",
                               no, ro, tool_id);
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "job %u of RO %s needs special tool '%s', which is out of service: %s",
                           no, ro, tool_id, tool->service_note);
    case WS_TOOL_DAMAGED:
        if (ws_empty(tool->damage))
            return as_cmd_fail(cmd, AS_ECONFLICT,
                               "job %u of RO %s needs special tool '%s', which is damaged", no, ro,
                               tool_id);
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "job %u of RO %s needs special tool '%s', which is damaged: %s", no, ro,
                           tool_id, tool->damage);
    case WS_TOOL_NEVER_CALIBRATED:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "job %u of RO %s needs special tool '%s', which is out of calibration: "
                           "it was never calibrated",
                           no, ro, tool_id);
    case WS_TOOL_CALIBRATION_OVERDUE:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "job %u of RO %s needs special tool '%s', which is out of calibration: "
                           "it was due on %s",
                           no, ro, tool_id, due);
    }
    return 0; /* not reached: ws_tool_check found it blocked, by ws_tool_blocker */
}

int ws_check_job_tools(as_cmd_t *cmd, As__WorkJob *job, const char *date)
{
    const As__LabourOperation *op = job->labour;
    size_t n = op ? op->n_special_tools : 0;
    char **notes = n ? calloc(n, sizeof *notes) : NULL;
    As__ToolWording **wordings = n ? calloc(n, sizeof *wordings) : NULL;
    size_t n_notes = 0;
    int rc = n && (!notes || !wordings) ? -ENOMEM : 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *tool_id = op->special_tools[i];
        As__WorkshopTool *tool = NULL;
        rc = s_get_tool(cmd->txn, cmd->svc, tool_id, &tool);
        if (rc != 0 && rc != MDB_NOTFOUND)
            break;
        char text[700];
        ws_tool_wording_t wording;
        ws_tool_verdict_t verdict =
            ws_tool_check_worded(tool_id, tool, date, text, sizeof text, &wording);
        rc = 0;
        if (verdict == WS_TOOL_BLOCKED) {
            rc = s_refuse_tool(cmd, job, tool_id, tool, date);
        } else if (verdict == WS_TOOL_NOTE) {
            wordings[n_notes] = s_wording_new(&wording);
            if (!(notes[n_notes++] = strdup(text)) || !wordings[n_notes - 1])
                rc = -ENOMEM;
        }
        if (tool)
            as__workshop_tool__free_unpacked(tool, NULL);
    }
    if (rc != 0) {
        s_free_notes(notes, n_notes);
        s_free_wordings(wordings, n_notes);
        return rc;
    }
    s_free_notes(job->tool_notes, job->n_tool_notes); /* the last dispatch's */
    job->tool_notes = notes;
    job->n_tool_notes = n_notes;
    s_free_wordings(job->tool_note_wordings, job->n_tool_note_wordings);
    job->tool_note_wordings = wordings;
    job->n_tool_note_wordings = n_notes;
    return 0;
}

/* --- workshop.tool_check.show ----------------------------------------------- */

static const char *const s_answers[] = {"ok", "note", "blocked"};

int ws_cmd_tool_check_show(as_cmd_t *cmd)
{
    const As__JobToolQuery *req = (const As__JobToolQuery *)cmd->request;
    if (ws_empty(req->ro_number) || !req->has_job_no)
        return as_cmd_fail(cmd, AS_EINVALID, "ro_number and job_no are required");
    char date[AS_DATE_LEN + 1];
    if (!ws_empty(req->date) && !as_date_valid(req->date))
        return as_cmd_fail(cmd, AS_EINVALID, "date '%s' is not a date YYYY-MM-DD", req->date);
    if (!ws_empty(req->date))
        snprintf(date, sizeof date, "%s", req->date);
    else
        as_cmd_date(cmd, date);
    As__WorkJob *job = NULL;
    int rc = ws_load_job(cmd, req->ro_number, req->job_no, &job);
    if (rc != 0)
        return rc;
    const As__LabourOperation *op = job->labour;
    size_t n = op ? op->n_special_tools : 0;
    As__JobToolAnswer *answers = calloc(n + 1, sizeof *answers);
    As__JobToolAnswer **list = calloc(n + 1, sizeof *list);
    As__WorkshopTool **tools = calloc(n + 1, sizeof *tools);
    char(*texts)[700] = calloc(n + 1, sizeof *texts);
    ws_tool_wording_t *words = calloc(n + 1, sizeof *words);
    As__ToolWording *wordings = calloc(n + 1, sizeof *wordings);
    rc = answers && list && tools && texts && words && wordings ? 0 : -ENOMEM;
    As__JobTools reply = AS__JOB_TOOLS__INIT;
    reply.ro_number = job->ro_number;
    reply.has_job_no = reply.has_dispatchable = 1;
    reply.job_no = job->job_no;
    reply.date = date;
    reply.dispatchable = 1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *tool_id = op->special_tools[i];
        rc = s_get_tool(cmd->txn, cmd->svc, tool_id, &tools[i]);
        if (rc != 0 && rc != MDB_NOTFOUND)
            break;
        rc = 0;
        ws_tool_verdict_t verdict =
            ws_tool_check_worded(tool_id, tools[i], date, texts[i], sizeof texts[i], &words[i]);
        as__job_tool_answer__init(&answers[i]);
        answers[i].tool_id = (char *)tool_id;
        answers[i].answer = (char *)s_answers[verdict];
        answers[i].text = texts[i];
        if (words[i].code) {
            as__tool_wording__init(&wordings[i]);
            wordings[i].code = (char *)words[i].code;
            wordings[i].args = (char **)words[i].args;
            wordings[i].n_args = words[i].n_args;
            answers[i].wording = &wordings[i];
        }
        answers[i].tool = tools[i];
        list[i] = &answers[i];
        if (verdict == WS_TOOL_BLOCKED)
            reply.dispatchable = 0;
    }
    if (rc == 0) {
        reply.tools = list;
        reply.n_tools = n;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    for (size_t i = 0; tools && i < n; i++)
        if (tools[i])
            as__workshop_tool__free_unpacked(tools[i], NULL);
    free(answers);
    free(list);
    free(tools);
    free(texts);
    free(words);
    free(wordings);
    as__work_job__free_unpacked(job, NULL);
    return rc;
}

/* --- workshop.tool.list ------------------------------------------------------ */

static int s_wanted(const As__WorkshopToolQuery *req, const As__WorkshopTool *tool)
{
    if (req->n_tool_ids == 0)
        return 1;
    for (size_t i = 0; i < req->n_tool_ids; i++)
        if (req->tool_ids[i] && tool->tool_id && strcmp(req->tool_ids[i], tool->tool_id) == 0)
            return 1;
    return 0;
}

int ws_cmd_tool_list(as_cmd_t *cmd)
{
    const As__WorkshopToolQuery *req = (const As__WorkshopToolQuery *)cmd->request;
    as_record_list_t all = {0};
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "tools"), NULL,
                            &as__workshop_tool__descriptor, &all);
    if (rc == 0) {
        size_t kept = 0;
        for (size_t i = 0; i < all.n; i++) {
            if (s_wanted(req, (As__WorkshopTool *)all.msgs[i]))
                all.msgs[kept++] = all.msgs[i];
            else
                protobuf_c_message_free_unpacked(all.msgs[i], NULL);
        }
        all.n = kept;
        As__WorkshopTools reply = AS__WORKSHOP_TOOLS__INIT;
        reply.n_tools = all.n;
        reply.tools = (As__WorkshopTool **)all.msgs;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    as_record_list_free(&all);
    return rc;
}

/* --- the tools service's events ------------------------------------------------ */

static char *s_or_null(char *s)
{
    return ws_empty(s) ? NULL : s;
}

/* A registration: the tool as the tool room has it (again, for a replay). */
int ws_evt_tool_registered(as_evt_t *evt)
{
    const As__ToolItemRegistered *msg = (const As__ToolItemRegistered *)evt->payload;
    if (!msg->item || ws_empty(msg->item->tool_id))
        return AS_EINVALID;
    const As__ToolItem *item = msg->item;
    As__WorkshopTool tool = AS__WORKSHOP_TOOL__INIT;
    tool.tool_id = item->tool_id;
    tool.kind = item->kind;
    tool.description = item->description;
    tool.condition = ws_empty(item->condition) ? "good" : item->condition;
    tool.lost = item->lost;
    tool.out_of_service = item->out_of_service;
    tool.service_note = s_or_null(item->service_note);
    tool.calibration_interval_days = item->calibration_interval_days;
    tool.last_calibration = s_or_null(item->last_calibration);
    tool.next_calibration = s_or_null(item->next_calibration);
    tool.loan_id = s_or_null(item->loan_id);
    tool.as_of = s_or_null(msg->date);
    return s_put_tool(evt->txn, evt->svc, &tool);
}

/* A pass moves the last calibration and puts the tool back in service; a fail
 * takes it out of service (as the tool room does). */
static int s_calibrate(As__WorkshopTool *tool, const As__ToolCalibrationRecorded *msg,
                       const char *as_of)
{
    const As__ToolCalibration *cal = msg->calibration;
    int pass = cal->result && strcmp(cal->result, "pass") == 0;
    int rc = 0;
    if (pass)
        rc = ws_set_str(&tool->last_calibration, cal->date);
    tool->out_of_service = msg->has_out_of_service ? msg->out_of_service : !pass;
    char note[600] = "";
    if (tool->out_of_service)
        snprintf(note, sizeof note, "failed calibration on %s (certificate %s)",
                 cal->date ? cal->date : "", cal->certificate ? cal->certificate : "");
    if (rc == 0)
        rc = ws_set_str(&tool->service_note, note);
    if (rc == 0)
        rc = ws_set_str(&tool->next_calibration, msg->next_calibration);
    if (rc == 0)
        rc = ws_set_str(&tool->as_of, as_of);
    return rc;
}

int ws_evt_tool_calibrated(as_evt_t *evt)
{
    const As__ToolCalibrationRecorded *msg = (const As__ToolCalibrationRecorded *)evt->payload;
    if (ws_empty(msg->tool_id) || !msg->calibration || ws_empty(msg->calibration->date))
        return AS_EINVALID;
    As__WorkshopTool *tool = NULL;
    int rc = s_get_tool(evt->txn, evt->svc, msg->tool_id, &tool);
    if (rc == MDB_NOTFOUND) {
        as_warn("tools.calibration.recorded for tool '%s', which workshop never saw registered",
                msg->tool_id);
        rc = 0;
    } else if (rc == 0 && (rc = s_calibrate(tool, msg, msg->calibration->date)) == 0) {
        rc = s_put_tool(evt->txn, evt->svc, tool);
    }
    if (tool)
        as__workshop_tool__free_unpacked(tool, NULL);
    return rc;
}

/* Check-out: the loan and the condition checked together. Check-in: back in
 * the tool room with its condition (and damage report). Loss: lost. */
static int s_loan(As__WorkshopTool *tool, const char *type, const As__ToolLoan *loan)
{
    int out = strcmp(type, "tools.loan.checked_out") == 0;
    int lost = strcmp(type, "tools.loan.lost") == 0;
    int rc = ws_set_str(&tool->loan_id, out ? loan->loan_id : NULL);
    if (rc == 0)
        rc = ws_set_str(&tool->loan_technician, out ? loan->technician : NULL);
    if (rc == 0)
        rc = ws_set_str(&tool->loan_due_date, out ? loan->due_date : NULL);
    if (rc == 0)
        rc = ws_set_str(&tool->loan_due_time, out ? loan->due_time : NULL);
    if (rc == 0)
        rc = ws_set_str(&tool->loan_ro_number, out ? loan->ro_number : NULL);
    tool->has_loan_job_no = out && loan->has_job_no;
    tool->loan_job_no = out ? loan->job_no : 0;
    if (rc != 0)
        return rc;
    if (lost) {
        tool->lost = 1;
        return ws_set_str(&tool->lost_note, loan->note);
    }
    const char *condition = out ? loan->condition_out : loan->condition_in;
    if (!ws_empty(condition))
        rc = ws_set_str(&tool->condition, condition);
    if (rc == 0 && !out)
        rc = ws_set_str(&tool->damage,
                        condition && strcmp(condition, "damaged") == 0 ? loan->damage : NULL);
    return rc;
}

int ws_evt_tool_loan_changed(as_evt_t *evt)
{
    const As__ToolLoanChanged *msg = (const As__ToolLoanChanged *)evt->payload;
    if (!msg->loan || ws_empty(msg->loan->tool_id) || ws_empty(msg->loan->loan_id))
        return AS_EINVALID;
    As__WorkshopTool *tool = NULL;
    int rc = s_get_tool(evt->txn, evt->svc, msg->loan->tool_id, &tool);
    if (rc == MDB_NOTFOUND) {
        as_warn("%s for tool '%s', which workshop never saw registered", evt->env->type,
                msg->loan->tool_id);
        rc = 0;
    } else if (rc == 0 && (rc = s_loan(tool, evt->env->type, msg->loan)) == 0 &&
               (rc = ws_set_str(&tool->as_of, msg->date)) == 0) {
        rc = s_put_tool(evt->txn, evt->svc, tool);
    }
    if (tool)
        as__workshop_tool__free_unpacked(tool, NULL);
    return rc;
}
