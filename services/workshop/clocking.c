/* clocking.c — technicians clock on and off their jobs: actual minutes. A
 * technician is on one job at a time; clocking off with finished = true marks
 * the job done (waiting for final QC) and frees its bay. */
#include <string.h>

#include "as/calendar.h"
#include "as/envelope.h"
#include "as/error.h"
#include "workshop.h"

typedef struct {
    const As__JobClock *req;
    As__WorkJob *job;
    As__Technician *tech;
    As__Bay *bay;
} s_clock_t;

static void s_clock_free(s_clock_t *c)
{
    if (c->job)
        as__work_job__free_unpacked(c->job, NULL);
    if (c->tech)
        as__technician__free_unpacked(c->tech, NULL);
    if (c->bay)
        as__bay__free_unpacked(c->bay, NULL);
}

/* The request, the job (dispatched to the actor) and the actor's record. */
static int s_load(as_cmd_t *cmd, s_clock_t *c)
{
    c->req = (const As__JobClock *)cmd->request;
    if (ws_empty(c->req->ro_number) || !c->req->has_job_no)
        return as_cmd_fail(cmd, AS_EINVALID, "ro_number and job_no are required");
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "technicians"), cmd->actor,
                           &as__technician__descriptor, &c->tech);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "technician '%s' is not registered", cmd->actor);
    if (rc == 0)
        rc = ws_load_job(cmd, c->req->ro_number, c->req->job_no, &c->job);
    if (rc != 0)
        return rc;
    if (ws_empty(c->job->technician) || strcmp(c->job->technician, cmd->actor) != 0)
        return as_cmd_fail(cmd, AS_EDENIED, "RO %s job %u is dispatched to '%s', not to '%s'",
                           c->job->ro_number, c->job->job_no,
                           ws_empty(c->job->technician) ? "nobody" : c->job->technician,
                           cmd->actor);
    return 0;
}

/* A rework job goes back to its bay: it must be free again. */
static int s_take_bay(as_cmd_t *cmd, s_clock_t *c)
{
    if (ws_empty(c->job->bay))
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "RO %s job %u has no bay; the foreman must dispatch it",
                           c->job->ro_number, c->job->job_no);
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "bays"), c->job->bay,
                           &as__bay__descriptor, &c->bay);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "bay '%s' is not registered", c->job->bay);
    if (rc != 0)
        return rc;
    if (!ws_empty(c->bay->current_ro) && (strcmp(c->bay->current_ro, c->job->ro_number) != 0 ||
                                          c->bay->current_job_no != c->job->job_no))
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "bay '%s' is occupied by RO %s job %u; the foreman must dispatch the "
                           "rework of RO %s job %u to another bay",
                           c->bay->bay_id, c->bay->current_ro, c->bay->current_job_no,
                           c->job->ro_number, c->job->job_no);
    if ((rc = ws_set_str(&c->bay->current_ro, c->job->ro_number)) != 0)
        return rc;
    c->bay->has_current_job_no = 1;
    c->bay->current_job_no = c->job->job_no;
    return as_record_put(cmd->txn, as_record_dbi(cmd->svc, "bays"), c->bay->bay_id, &c->bay->base);
}

/* When the clocking happened: the request's at_us for an entry made
 * afterwards (held to the site's window like any dated command), else the
 * command's time. */
static int s_when(as_cmd_t *cmd, const s_clock_t *c, int64_t *at_us)
{
    int rc = c->req->has_at_us ? as_cmd_happened_at(cmd, c->req->at_us) : 0;
    *at_us = as_cmd_time(cmd);
    return rc;
}

static int s_check_on(as_cmd_t *cmd, s_clock_t *c)
{
    if (!ws_empty(c->tech->current_ro))
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "technician '%s' is already clocked on RO %s job %u; clock off first",
                           cmd->actor, c->tech->current_ro, c->tech->current_job_no);
    As__WorkStatus st = c->job->status;
    if (st != AS__WORK_STATUS__WORK_DISPATCHED && st != AS__WORK_STATUS__WORK_REWORK)
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "RO %s job %u is %s; clock on a dispatched or rework job",
                           c->job->ro_number, c->job->job_no, ws_status_name(st));
    return 0;
}

int ws_cmd_clock_on(as_cmd_t *cmd)
{
    s_clock_t c = {0};
    int64_t at_us = 0;
    int rc = s_load(cmd, &c);
    if (rc == 0)
        rc = s_when(cmd, &c, &at_us);
    if (rc == 0)
        rc = s_check_on(cmd, &c);
    if (rc == 0 && c.job->status == AS__WORK_STATUS__WORK_REWORK)
        rc = s_take_bay(cmd, &c);
    if (rc == 0) {
        c.job->status = AS__WORK_STATUS__WORK_IN_PROGRESS;
        rc = ws_set_str(&c.tech->current_ro, c.job->ro_number);
    }
    if (rc == 0) {
        c.tech->has_current_job_no = c.tech->has_clocked_on_us = 1;
        c.tech->current_job_no = c.job->job_no;
        c.tech->clocked_on_us = at_us;
        if ((rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "technicians"), c.tech->tech_id,
                                &c.tech->base)) == 0 &&
            (rc = ws_put_job(cmd->txn, cmd->svc, c.job)) == 0 &&
            /* the job in progress: the foreman's board and the tablets read it live */
            (rc = as_cmd_emit(cmd, "workshop.clock.started", c.job->ro_number, &c.job->base)) == 0)
            rc = as_cmd_reply(cmd, &c.job->base);
    }
    s_clock_free(&c);
    return rc;
}

/* Clocked time in whole minutes, rounded, at least 1. */
static uint32_t s_minutes_between(int64_t on_us, int64_t off_us)
{
    int64_t minutes = (off_us - on_us + 30000000) / 60000000;
    return minutes < 1 ? 1 : (uint32_t)minutes;
}

static int s_check_off(as_cmd_t *cmd, s_clock_t *c, int64_t off_us)
{
    if (ws_empty(c->tech->current_ro) || strcmp(c->tech->current_ro, c->job->ro_number) != 0 ||
        c->tech->current_job_no != c->job->job_no)
        return as_cmd_fail(cmd, AS_ECONFLICT, "technician '%s' is not clocked on RO %s job %u",
                           cmd->actor, c->job->ro_number, c->job->job_no);
    if (off_us >= c->tech->clocked_on_us)
        return 0;
    char off[AS_DATETIME_LEN + 1], on[AS_DATETIME_LEN + 1];
    as_datetime_of_us(off_us, off);
    as_datetime_of_us(c->tech->clocked_on_us, on);
    return as_cmd_fail(cmd, AS_EINVALID, "clocking off at %s is before clocking on at %s", off, on);
}

static int s_emit_stopped(as_cmd_t *cmd, s_clock_t *c, uint32_t minutes, int64_t off_us)
{
    char date[AS_DATE_LEN + 1];
    as_date_of_us(off_us, date);
    As__ClockStopped ev = AS__CLOCK_STOPPED__INIT;
    ev.ro_number = c->job->ro_number;
    ev.has_job_no = ev.has_minutes = ev.has_finished = 1;
    ev.job_no = c->job->job_no;
    ev.tech_id = (char *)cmd->actor;
    ev.bay_id = c->job->bay;
    ev.minutes = minutes;
    ev.date = date;
    ev.finished = c->req->has_finished && c->req->finished;
    return as_cmd_emit(cmd, "workshop.clock.stopped", c->job->ro_number, &ev.base);
}

int ws_cmd_clock_off(as_cmd_t *cmd)
{
    s_clock_t c = {0};
    int64_t off_us = 0;
    int rc = s_load(cmd, &c);
    if (rc == 0)
        rc = s_when(cmd, &c, &off_us);
    if (rc == 0)
        rc = s_check_off(cmd, &c, off_us);
    if (rc == 0) {
        uint32_t minutes = s_minutes_between(c.tech->clocked_on_us, off_us);
        c.job->actual_minutes += minutes;
        int finished = c.req->has_finished && c.req->finished;
        c.job->status = finished ? AS__WORK_STATUS__WORK_DONE : AS__WORK_STATUS__WORK_DISPATCHED;
        ws_set_str(&c.tech->current_ro, NULL);
        c.tech->has_current_job_no = c.tech->has_clocked_on_us = 0;
        c.tech->current_job_no = 0;
        c.tech->clocked_on_us = 0;
        if (finished)
            rc = ws_free_job_bay(cmd, c.job);
        if (rc == 0 &&
            (rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "technicians"), c.tech->tech_id,
                                &c.tech->base)) == 0 &&
            (rc = ws_put_job(cmd->txn, cmd->svc, c.job)) == 0 &&
            (rc = s_emit_stopped(cmd, &c, minutes, off_us)) == 0)
            rc = as_cmd_reply(cmd, &c.job->base);
    }
    s_clock_free(&c);
    return rc;
}
