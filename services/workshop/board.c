/* board.c — workshop.board: the jobs of one day, not every job ever. A job is
 * on the board of a day when the workshop took it on or before that day and
 * it was still open then (not passed QC or cancelled before that day): by
 * default today's board, today's and all open work. Any staff member may look.
 * Jobs from a store written before the days were kept (no opened_date) are on
 * a board only while they are open. */
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "workshop.h"

static bool s_finished(As__WorkStatus status)
{
    return status == AS__WORK_STATUS__WORK_QC_PASSED || status == AS__WORK_STATUS__WORK_CANCELLED;
}

int ws_job_dates(As__WorkJob *job)
{
    char today[AS_DATE_LEN + 1];
    as_date_today(today);
    int rc = ws_empty(job->opened_date) ? ws_set_str(&job->opened_date, today) : 0;
    if (rc == 0 && !s_finished(job->status))
        rc = ws_set_str(&job->finished_date, NULL);
    else if (rc == 0 && ws_empty(job->finished_date))
        rc = ws_set_str(&job->finished_date, today);
    return rc;
}

/* On the board of `date`: taken by then, and not finished before it (any
 * day with `all`); the technician's and of the status, when asked. */
static bool s_on_board(const As__WorkJob *job, const As__BoardQuery *q, const char *date)
{
    if (!ws_empty(q->technician) && (!job->technician || strcmp(job->technician, q->technician)))
        return false;
    if (q->has_status && q->status != AS__WORK_STATUS__WORK_STATUS_UNSET &&
        job->status != q->status)
        return false;
    if (q->has_all && q->all)
        return true;
    if (ws_empty(job->opened_date))
        return !s_finished(job->status);
    if (strcmp(job->opened_date, date) > 0)
        return false;
    return !s_finished(job->status) || ws_empty(job->finished_date) ||
           strcmp(job->finished_date, date) >= 0;
}

/* Drops the jobs not on the board (freeing them). */
static void s_filter(as_record_list_t *jobs, const As__BoardQuery *q, const char *date)
{
    size_t kept = 0;
    for (size_t i = 0; i < jobs->n; i++) {
        if (s_on_board((As__WorkJob *)jobs->msgs[i], q, date))
            jobs->msgs[kept++] = jobs->msgs[i];
        else
            protobuf_c_message_free_unpacked(jobs->msgs[i], NULL);
    }
    jobs->n = kept;
}

int ws_cmd_board(as_cmd_t *cmd)
{
    const As__BoardQuery *q = (const As__BoardQuery *)cmd->request;
    char date[AS_DATE_LEN + 1];
    if (ws_empty(q->date))
        as_date_today(date);
    else if (as_date_valid(q->date))
        memcpy(date, q->date, sizeof date);
    else
        return as_cmd_fail(cmd, AS_EINVALID, "date '%s' is not a date YYYY-MM-DD", q->date);
    as_record_list_t jobs = {0}, techs = {0}, bays = {0};
    int rc;
    if ((rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "jobs"), NULL,
                             &as__work_job__descriptor, &jobs)) == 0 &&
        (rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "technicians"), NULL,
                             &as__technician__descriptor, &techs)) == 0 &&
        (rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "bays"), NULL, &as__bay__descriptor,
                             &bays)) == 0) {
        s_filter(&jobs, q, date);
        As__WorkshopBoard board = AS__WORKSHOP_BOARD__INIT;
        board.n_jobs = jobs.n;
        board.jobs = (As__WorkJob **)jobs.msgs;
        board.n_technicians = techs.n;
        board.technicians = (As__Technician **)techs.msgs;
        board.n_bays = bays.n;
        board.bays = (As__Bay **)bays.msgs;
        board.date = date;
        rc = as_cmd_reply(cmd, &board.base);
    }
    as_record_list_free(&jobs);
    as_record_list_free(&techs);
    as_record_list_free(&bays);
    return rc;
}
