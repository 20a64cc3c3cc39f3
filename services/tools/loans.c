/* loans.c — check-out of a tool to a technician for an RO job (joint condition
 * check), the technician's own signature, check-in (damage reports), losses,
 * the open loans with the overdue ones flagged, and the tools still out when
 * their RO passed QC (workshop.qc.passed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/log.h"
#include "as/pb/workshop.pb-c.h"
#include "tools.h"

static int s_id_check(as_cmd_t *cmd, const char *what, const char *id)
{
    if (!id || !id[0])
        return as_cmd_fail(cmd, AS_EINVALID, "%s is required", what);
    if (!tools_id_valid(id))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "%s '%s' must be 1 to 64 of letters, digits, '.', '_', '-'", what, id);
    return 0;
}

static int s_emit(as_cmd_t *cmd, const char *type, As__ToolLoan *loan)
{
    char today[AS_DATE_LEN + 1];
    as_cmd_date(cmd, today);
    As__ToolLoanChanged event = AS__TOOL_LOAN_CHANGED__INIT;
    event.loan = loan;
    event.date = today;
    return as_cmd_emit(cmd, type, loan->loan_id, &event.base);
}

/* --- check-out ------------------------------------------------------------- */

/* Refuses the check-out of an item that cannot go out today: one format per
 * reason, so a page words each in its language. */
static int s_checkout_blocked(as_cmd_t *cmd, const As__ToolItem *item, const char *today)
{
    const char *id = item->tool_id;
    char due[AS_DATE_LEN + 1];
    switch (tools_item_block(item, today, due)) {
    case TOOLS_ITEM_FREE:
        break;
    case TOOLS_ITEM_LOST:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "tool '%s' is reported lost: it cannot be checked out", id);
    case TOOLS_ITEM_OUT_OF_SERVICE:
        if (!item->service_note || !item->service_note[0])
            return as_cmd_fail(cmd, AS_ECONFLICT,
                               "tool '%s' is out of service (no reason given): it cannot "
                               "be checked out",
                               id);
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "tool '%s' is out of service: %s: it cannot be checked out", id,
                           item->service_note);
    case TOOLS_ITEM_DAMAGED:
        return as_cmd_fail(cmd, AS_ECONFLICT, "tool '%s' is damaged: it cannot be checked out", id);
    case TOOLS_ITEM_ON_LOAN:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "tool '%s' is already on loan '%s': it cannot be checked out", id,
                           item->loan_id);
    case TOOLS_ITEM_NEVER_CALIBRATED:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "tool '%s' is out of calibration: never calibrated: it cannot be "
                           "checked out",
                           id);
    case TOOLS_ITEM_CALIBRATION_OVERDUE:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "tool '%s' is out of calibration: it was due on %s: it cannot be "
                           "checked out",
                           id, due);
    }
    return 0;
}

static int s_checkout_check(as_cmd_t *cmd, const As__ToolLoanCheckout *req, As__ToolItem **item)
{
    const char *id = req->loan_id;
    int rc = s_id_check(cmd, "loan_id", id);
    if (rc != 0)
        return rc;
    if (tools_exists(cmd->svc, cmd->txn, "loans", id))
        return as_cmd_fail(cmd, AS_ECONFLICT, "loan '%s' is already recorded", id);
    if ((rc = s_id_check(cmd, "tool_id", req->tool_id)) != 0)
        return rc;
    if (!req->technician || !req->technician[0])
        return as_cmd_fail(cmd, AS_EINVALID, "loan '%s' needs the technician who takes the tool",
                           id);
    if (!tools_staff_has(cmd->svc, req->technician, AS_ROLE_TECHNICIAN))
        return as_cmd_fail(cmd, AS_EINVALID, "'%s' is not a technician on the staff list",
                           req->technician);
    if ((rc = s_id_check(cmd, "ro_number", req->ro_number)) != 0)
        return rc;
    if (!tools_condition_valid(req->condition))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "loan '%s' needs the condition checked at check-out: good, worn or "
                           "damaged (got '%s')",
                           id, req->condition ? req->condition : "");
    if (!req->due_date || !as_date_valid(req->due_date))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "due_date of loan '%s' must be a date YYYY-MM-DD (got '%s')", id,
                           req->due_date ? req->due_date : "");
    if (!tools_hm_valid(req->due_time))
        return as_cmd_fail(cmd, AS_EINVALID, "due_time of loan '%s' must be HH:MM (got '%s')", id,
                           req->due_time ? req->due_time : "");
    char today[AS_DATE_LEN + 1], at[AS_DATETIME_LEN + 1];
    as_datetime_of_us(as_cmd_time(cmd), at); /* when the tool goes out */
    snprintf(today, sizeof today, "%.10s", at);
    const char *now = at + AS_DATE_LEN + 1;
    int when = strcmp(req->due_date, today);
    if (when < 0 || (when == 0 && strcmp(req->due_time, now) <= 0))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "loan '%s' is due back %s %s, which is not later "
                           "than now (%s %s)",
                           id, req->due_date, req->due_time, today, now);
    rc = tools_item_get(cmd->svc, cmd->txn, req->tool_id, item);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "tool '%s' is not registered", req->tool_id);
    if (rc != 0)
        return rc;
    if ((rc = s_checkout_blocked(cmd, *item, today)) != 0)
        return rc;
    if (strcmp(req->condition, "damaged") == 0)
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "tool '%s' was checked as damaged: it cannot be checked out",
                           req->tool_id);
    return 0;
}

int tools_cmd_loan_checkout(as_cmd_t *cmd)
{
    const As__ToolLoanCheckout *req = (const As__ToolLoanCheckout *)cmd->request;
    As__ToolItem *item = NULL;
    int rc = s_checkout_check(cmd, req, &item);
    if (rc == 0) {
        char today[AS_DATE_LEN + 1];
        as_cmd_date(cmd, today);
        As__ToolLoan loan = AS__TOOL_LOAN__INIT;
        loan.loan_id = req->loan_id;
        loan.tool_id = req->tool_id;
        loan.technician = req->technician;
        loan.ro_number = req->ro_number;
        loan.has_job_no = req->has_job_no;
        loan.job_no = req->job_no;
        loan.condition_out = req->condition;
        loan.due_date = req->due_date;
        loan.due_time = req->due_time;
        loan.status = "open";
        loan.checked_out_by = (char *)cmd->actor;
        loan.has_out_us = 1;
        loan.out_us = as_cmd_time(cmd);
        loan.out_date = today;
        char *old_loan = item->loan_id, *old_condition = item->condition;
        item->loan_id = req->loan_id;
        item->condition = req->condition;
        rc = tools_item_put(cmd->svc, cmd->txn, item);
        item->loan_id = old_loan;
        item->condition = old_condition;
        if (rc == 0)
            rc = tools_loan_put(cmd->svc, cmd->txn, &loan);
        if (rc == 0)
            rc = s_emit(cmd, "tools.loan.checked_out", &loan);
        if (rc == 0)
            rc = as_cmd_reply(cmd, &loan.base);
    }
    if (item)
        as__tool_item__free_unpacked(item, NULL);
    return rc;
}

/* --- an open loan, by its id or its tool's ----------------------------------- */

static int s_open_loan(as_cmd_t *cmd, const char *loan_id, const char *tool_id, As__ToolLoan **loan)
{
    int rc;
    if ((!loan_id || !loan_id[0]) && tool_id && tool_id[0]) {
        if ((rc = s_id_check(cmd, "tool_id", tool_id)) != 0)
            return rc;
        As__ToolItem *item;
        rc = tools_item_get(cmd->svc, cmd->txn, tool_id, &item);
        if (rc == MDB_NOTFOUND)
            return as_cmd_fail(cmd, AS_ENOTFOUND, "tool '%s' is not registered", tool_id);
        if (rc != 0)
            return rc;
        bool out = item->loan_id && item->loan_id[0];
        if (out)
            rc = tools_loan_get(cmd->svc, cmd->txn, item->loan_id, loan);
        as__tool_item__free_unpacked(item, NULL);
        if (!out)
            return as_cmd_fail(cmd, AS_ECONFLICT, "tool '%s' is not on loan", tool_id);
        return rc;
    }
    if ((rc = s_id_check(cmd, "loan_id", loan_id)) != 0)
        return rc;
    rc = tools_loan_get(cmd->svc, cmd->txn, loan_id, loan);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "loan '%s' is not recorded", loan_id);
    if (rc != 0)
        return rc;
    if (strcmp((*loan)->status, "open") != 0)
        return as_cmd_fail(cmd, AS_ECONFLICT, "loan '%s' of tool '%s' is closed (%s)", loan_id,
                           (*loan)->tool_id, (*loan)->status);
    return 0;
}

/* --- signature --------------------------------------------------------------- */

int tools_cmd_loan_sign(as_cmd_t *cmd)
{
    const As__ToolLoanSign *req = (const As__ToolLoanSign *)cmd->request;
    As__ToolLoan *loan = NULL;
    int rc = s_open_loan(cmd, req->loan_id, NULL, &loan);
    if (rc == 0 && strcmp(loan->technician, cmd->actor) != 0)
        rc = as_cmd_fail(cmd, AS_EDENIED,
                         "loan '%s' is to technician '%s': only '%s' may sign for it, not '%s'",
                         loan->loan_id, loan->technician, loan->technician, cmd->actor);
    if (rc == 0 && loan->signature)
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "loan '%s' is already signed by '%s'", loan->loan_id,
                         loan->technician);
    if (rc == 0) {
        loan->signature = true;
        loan->has_signed_us = 1;
        loan->signed_us = as_cmd_time(cmd);
        rc = tools_loan_put(cmd->svc, cmd->txn, loan);
        if (rc == 0)
            rc = s_emit(cmd, "tools.loan.signed", loan);
        if (rc == 0)
            rc = as_cmd_reply(cmd, &loan->base);
    }
    if (loan)
        as__tool_loan__free_unpacked(loan, NULL);
    return rc;
}

/* --- check-in and loss ------------------------------------------------------- */

/* Closes the loan and gives the tool back its place (or marks it lost). The
 * strings set on loan and item point into `req` storage owned by the caller. */
static int s_close(as_cmd_t *cmd, As__ToolLoan *loan, const char *status, char *condition,
                   char *damage, char *note)
{
    As__ToolItem *item;
    int rc = tools_item_get(cmd->svc, cmd->txn, loan->tool_id, &item);
    if (rc != 0)
        return rc;
    char today[AS_DATE_LEN + 1];
    as_cmd_date(cmd, today);
    char *old_loan = item->loan_id, *old_condition = item->condition;
    static char none[] = "";
    item->loan_id = none;
    bool lost = strcmp(status, "lost") == 0;
    if (lost)
        item->lost = true;
    else
        item->condition = condition;
    rc = tools_item_put(cmd->svc, cmd->txn, item);
    item->loan_id = old_loan;
    item->condition = old_condition;
    as__tool_item__free_unpacked(item, NULL);
    char *old_status = loan->status, *old_in = loan->condition_in, *old_damage = loan->damage,
         *old_note = loan->note, *old_by = loan->checked_in_by, *old_date = loan->in_date;
    loan->status = (char *)status;
    loan->condition_in = condition;
    loan->damage = damage;
    loan->note = note;
    loan->checked_in_by = (char *)cmd->actor;
    loan->in_date = today;
    loan->has_in_us = 1;
    loan->in_us = as_cmd_time(cmd);
    if (rc == 0)
        rc = tools_loan_put(cmd->svc, cmd->txn, loan);
    if (rc == 0)
        rc = s_emit(cmd, lost ? "tools.loan.lost" : "tools.loan.checked_in", loan);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &loan->base);
    loan->status = old_status;
    loan->condition_in = old_in;
    loan->damage = old_damage;
    loan->note = old_note;
    loan->checked_in_by = old_by;
    loan->in_date = old_date;
    return rc;
}

int tools_cmd_loan_checkin(as_cmd_t *cmd)
{
    const As__ToolLoanCheckin *req = (const As__ToolLoanCheckin *)cmd->request;
    As__ToolLoan *loan = NULL;
    int rc = s_open_loan(cmd, req->loan_id, req->tool_id, &loan);
    if (rc == 0 && !tools_condition_valid(req->condition))
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "check-in of loan '%s' needs the condition on return: good, worn or "
                         "damaged (got '%s')",
                         loan->loan_id, req->condition ? req->condition : "");
    bool damaged = rc == 0 && strcmp(req->condition, "damaged") == 0;
    if (rc == 0 && damaged && !tools_text_valid(req->damage))
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "tool '%s' came back damaged: the check-in needs a damage report "
                         "(damage, up to %d characters)",
                         loan->tool_id, TOOLS_TEXT_MAX);
    if (rc == 0 && !damaged && req->damage && req->damage[0])
        rc =
            as_cmd_fail(cmd, AS_EINVALID,
                        "a damage report for tool '%s' needs the condition damaged", loan->tool_id);
    if (rc == 0)
        rc = s_close(cmd, loan, "returned", req->condition, damaged ? req->damage : NULL, NULL);
    if (loan)
        as__tool_loan__free_unpacked(loan, NULL);
    return rc;
}

int tools_cmd_loan_report_lost(as_cmd_t *cmd)
{
    const As__ToolLoanLost *req = (const As__ToolLoanLost *)cmd->request;
    As__ToolLoan *loan = NULL;
    int rc = s_open_loan(cmd, req->loan_id, req->tool_id, &loan);
    if (rc == 0 && !tools_text_valid(req->note))
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "the loss of tool '%s' needs a note saying what happened (up to %d "
                         "characters)",
                         loan->tool_id, TOOLS_TEXT_MAX);
    if (rc == 0)
        rc = s_close(cmd, loan, "lost", NULL, NULL, req->note);
    if (loan)
        as__tool_loan__free_unpacked(loan, NULL);
    return rc;
}

/* --- the loans list ------------------------------------------------------------ */

typedef struct {
    const As__ToolLoanListQuery *query;
    char as_of[AS_DATE_LEN + 7]; /* "YYYY-MM-DD HH:MM" */
} s_loans_t;

/* Whether the list asked for shows the loan; marks it overdue or not. */
static bool s_loans_one(ProtobufCMessage *msg, void *arg)
{
    const s_loans_t *list = arg;
    As__ToolLoan *loan = (As__ToolLoan *)msg;
    const As__ToolLoanListQuery *q = list->query;
    bool open = strcmp(loan->status, "open") == 0;
    if (!open && !q->all)
        return false;
    if (q->tool_id && q->tool_id[0] && strcmp(loan->tool_id, q->tool_id) != 0)
        return false;
    if (q->ro_number && q->ro_number[0] && strcmp(loan->ro_number, q->ro_number) != 0)
        return false;
    if (q->technician && q->technician[0] && strcmp(loan->technician, q->technician) != 0)
        return false;
    char due[AS_DATE_LEN + 7];
    snprintf(due, sizeof due, "%s %s", loan->due_date, loan->due_time);
    loan->has_overdue = 1;
    loan->overdue = open && strcmp(due, list->as_of) < 0;
    return true;
}

static int s_loans_check(as_cmd_t *cmd, const As__ToolLoanListQuery *q)
{
    int rc = 0;
    if (q->tool_id && q->tool_id[0])
        rc = s_id_check(cmd, "tool_id", q->tool_id);
    if (rc == 0 && q->ro_number && q->ro_number[0])
        rc = s_id_check(cmd, "ro_number", q->ro_number);
    if (rc == 0 && q->date && q->date[0] && !as_date_valid(q->date))
        rc = as_cmd_fail(cmd, AS_EINVALID, "date must be a date YYYY-MM-DD (got '%s')", q->date);
    if (rc == 0 && q->time && q->time[0] && !tools_hm_valid(q->time))
        rc = as_cmd_fail(cmd, AS_EINVALID, "time must be HH:MM (got '%s')", q->time);
    if (rc == 0 && q->time && q->time[0] && !(q->date && q->date[0]))
        rc = as_cmd_fail(cmd, AS_EINVALID, "a time needs its date");
    return rc;
}

int tools_cmd_loan_list(as_cmd_t *cmd)
{
    const As__ToolLoanListQuery *req = (const As__ToolLoanListQuery *)cmd->request;
    s_loans_t list = {.query = req};
    as_record_list_t loans = {0};
    int rc = s_loans_check(cmd, req);
    if (rc == 0) {
        char today[AS_DATE_LEN + 1], now[6];
        tools_today(today);
        tools_now_hm(now);
        if (req->date && req->date[0])
            snprintf(list.as_of, sizeof list.as_of, "%s %s", req->date,
                     req->time && req->time[0] ? req->time : "23:59");
        else
            snprintf(list.as_of, sizeof list.as_of, "%s %s", today, now);
        rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "loans"), NULL,
                            &as__tool_loan__descriptor, &loans);
    }
    if (rc == 0) {
        as_record_list_keep(&loans, s_loans_one, &list);
        As__ToolLoans reply = AS__TOOL_LOANS__INIT;
        reply.n_loans = loans.n;
        reply.loans = (As__ToolLoan **)loans.msgs;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    as_record_list_free(&loans);
    return rc;
}

/* --- tools still out when the vehicle completed QC ------------------------------ */

/* An open loan of the RO (arg) not flagged yet. */
static bool s_ro_open_one(ProtobufCMessage *msg, void *arg)
{
    const As__ToolLoan *loan = (const As__ToolLoan *)msg;
    return strcmp(loan->status, "open") == 0 && !loan->flagged && strcmp(loan->ro_number, arg) == 0;
}

static int s_flag(as_evt_t *evt, const As__QcPassed *qc)
{
    as_record_list_t found;
    int rc = as_record_scan(evt->txn, as_record_dbi(evt->svc, "loans"), NULL,
                            &as__tool_loan__descriptor, &found);
    if (rc == 0)
        as_record_list_keep(&found, s_ro_open_one, qc->ro_number);
    char date[AS_DATE_LEN + 1];
    if (qc->date && as_date_valid(qc->date))
        memcpy(date, qc->date, sizeof date);
    else
        as_evt_date(evt, date);
    size_t n = found.n;
    char **tools = n ? calloc(n, sizeof *tools) : NULL;
    char **loans = n ? calloc(n, sizeof *loans) : NULL;
    if (rc == 0 && n && (!tools || !loans))
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        As__ToolLoan *loan = (As__ToolLoan *)found.msgs[i];
        char *old_date = loan->flagged_date;
        loan->flagged = true;
        loan->flagged_date = date;
        rc = tools_loan_put(evt->svc, evt->txn, loan);
        loan->flagged_date = old_date;
        tools[i] = loan->tool_id;
        loans[i] = loan->loan_id;
    }
    if (rc == 0 && n > 0) {
        As__ToolLoanFlagged event = AS__TOOL_LOAN_FLAGGED__INIT;
        event.ro_number = qc->ro_number;
        event.n_tool_ids = event.n_loan_ids = n;
        event.tool_ids = tools;
        event.loan_ids = loans;
        event.date = date;
        rc = as_evt_emit(evt, "tools.loan.flagged", qc->ro_number, &event.base);
        as_info("ro '%s' passed QC with %zu tool(s) still out: flagged", qc->ro_number, n);
    }
    free(tools);
    free(loans);
    as_record_list_free(&found);
    return rc;
}

int tools_evt_qc_passed(as_evt_t *evt)
{
    const As__QcPassed *qc = (const As__QcPassed *)evt->payload;
    return (!qc->ro_number || !tools_id_valid(qc->ro_number)) ? AS_EINVALID : s_flag(evt, qc);
}
