/* qc.c — QC inspections. A final inspection that passes completes the RO
 * (workshop.qc.passed, the "vehicle completed QC" event, with a certificate);
 * one that fails sends the failed jobs back to their technician as rework.
 * In-process and road-test inspections are recorded and do not complete it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/envelope.h"
#include "as/error.h"
#include "workshop.h"

typedef struct {
    const As__QcInspect *req;
    As__WorkRo *ro;
    as_record_list_t jobs; /* As__WorkJob, every job of the RO */
} s_qc_t;

static As__WorkJob *s_job(const s_qc_t *q, size_t i)
{
    return (As__WorkJob *)q->jobs.msgs[i];
}

static int s_cancelled(const As__WorkJob *job)
{
    return job->status == AS__WORK_STATUS__WORK_CANCELLED;
}

static As__WorkJob *s_find_job(const s_qc_t *q, uint32_t job_no)
{
    for (size_t i = 0; i < q->jobs.n; i++)
        if (s_job(q, i)->job_no == job_no && !s_cancelled(s_job(q, i)))
            return s_job(q, i);
    return NULL;
}

static int s_load(as_cmd_t *cmd, s_qc_t *q)
{
    const As__QcInspect *req = q->req = (const As__QcInspect *)cmd->request;
    if (ws_empty(req->ro_number))
        return as_cmd_fail(cmd, AS_EINVALID, "ro_number is required");
    if (!req->has_kind || req->kind == AS__INSPECTION_KIND__INSPECTION_KIND_UNSET)
        return as_cmd_fail(cmd, AS_EINVALID, "kind is required (IN_PROCESS, FINAL, ROAD_TEST)");
    if (!req->has_passed)
        return as_cmd_fail(cmd, AS_EINVALID, "passed is required (true or false)");
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "ros"), req->ro_number,
                           &as__work_ro__descriptor, &q->ro);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "RO %s has no jobs in the workshop", req->ro_number);
    if (rc == 0)
        rc = as_record_scan_in(cmd->txn, as_record_dbi(cmd->svc, "jobs"), req->ro_number,
                               &as__work_job__descriptor, &q->jobs);
    return rc;
}

/* "A technician cannot pass QC on their own job": the inspector worked on none. */
static int s_check_inspector(as_cmd_t *cmd, const s_qc_t *q)
{
    for (size_t i = 0; i < q->jobs.n; i++) {
        const As__WorkJob *job = s_job(q, i);
        if (!ws_empty(job->technician) && strcmp(job->technician, cmd->actor) == 0)
            return as_cmd_fail(cmd, AS_EDENIED,
                               "a technician cannot pass QC on their own job: '%s' is the "
                               "technician of RO %s job %u",
                               cmd->actor, job->ro_number, job->job_no);
    }
    return 0;
}

static int s_check_final(as_cmd_t *cmd, const s_qc_t *q)
{
    if (!ws_empty(q->ro->certificate))
        return as_cmd_fail(cmd, AS_ECONFLICT, "RO %s already passed final QC (%s)",
                           q->ro->ro_number, q->ro->certificate);
    for (size_t i = 0; i < q->jobs.n; i++) {
        const As__WorkJob *job = s_job(q, i);
        if (!s_cancelled(job) && job->status != AS__WORK_STATUS__WORK_DONE)
            return as_cmd_fail(cmd, AS_ECONFLICT,
                               "RO %s job %u is %s; final inspection needs every job WORK_DONE",
                               job->ro_number, job->job_no, ws_status_name(job->status));
    }
    return 0;
}

static int s_check(as_cmd_t *cmd, const s_qc_t *q)
{
    const As__QcInspect *req = q->req;
    int rc = s_check_inspector(cmd, q);
    if (rc == 0 && req->kind == AS__INSPECTION_KIND__FINAL)
        rc = s_check_final(cmd, q);
    if (rc != 0)
        return rc;
    if (req->passed && req->n_failed_jobs > 0)
        return as_cmd_fail(cmd, AS_EINVALID, "a passed inspection has no failed_jobs");
    if (!req->passed && req->n_reasons == 0)
        return as_cmd_fail(cmd, AS_EINVALID, "a failed inspection needs at least one reason");
    for (size_t i = 0; i < req->n_reasons; i++)
        if (ws_empty(req->reasons[i]))
            return as_cmd_fail(cmd, AS_EINVALID, "reason %zu is empty", i + 1);
    for (size_t i = 0; i < req->n_failed_jobs; i++)
        if (!s_find_job(q, req->failed_jobs[i]))
            return as_cmd_fail(cmd, AS_ENOTFOUND, "failed job %u is not a job of RO %s",
                               req->failed_jobs[i], req->ro_number);
    return 0;
}

/* Appends the inspection record (key ro \0 index). */
static int s_record(as_cmd_t *cmd, s_qc_t *q, As__Inspection *insp)
{
    as_key_t key;
    q->ro->inspections++;
    q->ro->has_inspections = 1;
    if (as_key_of(&key, q->ro->ro_number, NULL) != 0 ||
        as_key_add_u32(&key, q->ro->inspections) != 0)
        return AS_EINVALID;
    int rc = as_record_put_key(cmd->txn, as_record_dbi(cmd->svc, "inspections"), &key, &insp->base);
    if (rc == 0)
        rc =
            as_record_put(cmd->txn, as_record_dbi(cmd->svc, "ros"), q->ro->ro_number, &q->ro->base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &insp->base);
    return rc;
}

static void s_fill_qc_job(As__QcJob *out, const As__WorkJob *job)
{
    as__qc_job__init(out);
    out->has_job_no = out->has_actual_minutes = out->has_qc_failures = out->has_sold_minutes = 1;
    out->job_no = job->job_no;
    out->technician = job->technician;
    out->has_pay_type = job->has_pay_type;
    out->pay_type = job->pay_type;
    out->labour = job->labour;
    out->sold_minutes = job->labour ? job->labour->sold_minutes : 0;
    out->actual_minutes = job->actual_minutes;
    out->qc_failures = job->qc_failures;
    out->bay = job->bay;
    out->concern = job->concern;
    out->defect_code = job->defect_code;
    out->has_safety_related = job->has_safety_related;
    out->safety_related = job->safety_related;
    out->causal_part = job->causal_part;
}

static int s_emit_passed(as_cmd_t *cmd, s_qc_t *q, const char *date)
{
    As__QcJob *items = calloc(q->jobs.n + 1, sizeof *items);
    As__QcJob **ptrs = calloc(q->jobs.n + 1, sizeof *ptrs);
    int rc = items && ptrs ? 0 : AS_EINTERNAL;
    As__QcPassed ev = AS__QC_PASSED__INIT;
    for (size_t i = 0; rc == 0 && i < q->jobs.n; i++) {
        if (s_cancelled(s_job(q, i)))
            continue;
        s_fill_qc_job(&items[ev.n_jobs], s_job(q, i));
        ptrs[ev.n_jobs] = &items[ev.n_jobs];
        ev.n_jobs++;
    }
    ev.jobs = ptrs;
    ev.ro_number = q->ro->ro_number;
    ev.vin = q->ro->vin;
    ev.certificate = q->ro->certificate;
    ev.has_first_time = 1;
    ev.first_time = q->ro->final_failures == 0;
    ev.inspector = (char *)cmd->actor;
    ev.advisor = q->ro->advisor;
    ev.date = (char *)date;
    ev.has_mileage_km = q->ro->has_mileage_km;
    ev.mileage_km = q->ro->mileage_km;
    if (rc == 0)
        rc = as_cmd_emit(cmd, "workshop.qc.passed", q->ro->ro_number, &ev.base);
    free(items);
    free(ptrs);
    return rc;
}

/* Final pass: every job QC-passed, the certificate issued. */
static int s_pass_final(as_cmd_t *cmd, s_qc_t *q, As__Inspection *insp, const char *date)
{
    char cert[200];
    snprintf(cert, sizeof cert, "QC-%s-%u", q->ro->ro_number, q->ro->inspections + 1);
    int rc = ws_set_str(&q->ro->certificate, cert);
    for (size_t i = 0; rc == 0 && i < q->jobs.n; i++) {
        if (s_cancelled(s_job(q, i)))
            continue;
        s_job(q, i)->status = AS__WORK_STATUS__WORK_QC_PASSED;
        rc = ws_set_str(&s_job(q, i)->finished_date, date); /* the board's day: the QC's */
        if (rc == 0)
            rc = ws_put_job(cmd->txn, cmd->svc, s_job(q, i));
    }
    insp->certificate = q->ro->certificate;
    if (rc == 0)
        rc = s_emit_passed(cmd, q, date);
    return rc;
}

/* The jobs that failed: those named, or every job when none is named. */
static int s_failed(const s_qc_t *q, const As__WorkJob *job)
{
    if (s_cancelled(job))
        return 0;
    if (q->req->n_failed_jobs == 0)
        return 1;
    for (size_t i = 0; i < q->req->n_failed_jobs; i++)
        if (q->req->failed_jobs[i] == job->job_no)
            return 1;
    return 0;
}

static int s_fail(as_cmd_t *cmd, s_qc_t *q, As__Inspection *insp, const char *date)
{
    int final = q->req->kind == AS__INSPECTION_KIND__FINAL;
    uint32_t *nos = calloc(q->jobs.n + 1, sizeof *nos);
    char **techs = calloc(q->jobs.n + 1, sizeof *techs);
    As__QcFailed ev = AS__QC_FAILED__INIT;
    int rc = nos && techs ? 0 : AS_EINTERNAL;
    for (size_t i = 0; rc == 0 && i < q->jobs.n; i++) {
        As__WorkJob *job = s_job(q, i);
        if (!s_failed(q, job))
            continue;
        nos[ev.n_failed_jobs++] = job->job_no;
        if (!ws_empty(job->technician))
            techs[ev.n_technicians++] = job->technician;
        if (final) {
            job->status = AS__WORK_STATUS__WORK_REWORK;
            job->qc_failures++;
            rc = ws_put_job(cmd->txn, cmd->svc, job);
        }
    }
    if (final) {
        q->ro->final_failures++;
        q->ro->has_final_failures = 1;
    }
    insp->n_failed_jobs = ev.n_failed_jobs;
    insp->failed_jobs = nos;
    ev.ro_number = q->ro->ro_number;
    ev.has_kind = 1;
    ev.kind = q->req->kind;
    ev.failed_jobs = nos;
    ev.n_reasons = q->req->n_reasons;
    ev.reasons = q->req->reasons;
    ev.inspector = (char *)cmd->actor;
    ev.technicians = techs;
    ev.date = (char *)date;
    if (rc == 0)
        rc = as_cmd_emit(cmd, "workshop.qc.failed", q->ro->ro_number, &ev.base);
    if (rc == 0)
        rc = s_record(cmd, q, insp);
    free(nos);
    free(techs);
    return rc;
}

static int s_apply(as_cmd_t *cmd, s_qc_t *q)
{
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    As__Inspection insp = AS__INSPECTION__INIT;
    insp.ro_number = q->req->ro_number;
    insp.has_kind = insp.has_passed = insp.has_at_us = 1;
    insp.kind = q->req->kind;
    insp.passed = q->req->passed;
    insp.n_reasons = q->req->n_reasons;
    insp.reasons = q->req->reasons;
    insp.inspector = (char *)cmd->actor;
    insp.at_us = as_cmd_time(cmd);
    if (!q->req->passed)
        return s_fail(cmd, q, &insp, date);
    int rc = 0;
    if (q->req->kind == AS__INSPECTION_KIND__FINAL)
        rc = s_pass_final(cmd, q, &insp, date);
    if (rc == 0)
        rc = s_record(cmd, q, &insp);
    return rc;
}

int ws_cmd_qc_inspect(as_cmd_t *cmd)
{
    s_qc_t q = {0};
    int rc = s_load(cmd, &q);
    if (rc == 0)
        rc = s_check(cmd, &q);
    if (rc == 0)
        rc = s_apply(cmd, &q);
    if (q.ro)
        as__work_ro__free_unpacked(q.ro, NULL);
    as_record_list_free(&q.jobs);
    return rc;
}
