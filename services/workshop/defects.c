/* defects.c — extra defects a technician finds on a job: a request to the
 * RO's advisor (workshop.defect.reported). The advisor's answer comes back
 * as reception.extra_work.answered; an approved one also as
 * reception.job.added, which jobs.c turns into a new work job. */
#include <string.h>

#include "as/error.h"
#include "as/log.h"
#include "as/pb/reception.pb-c.h"
#include "as/tool_ids.h"
#include "workshop.h"

static int s_check_parts(as_cmd_t *cmd, const As__DefectReport *req)
{
    for (size_t i = 0; i < req->n_parts; i++) {
        const As__PartLine *p = req->parts[i];
        if (ws_empty(p->part_number))
            return as_cmd_fail(cmd, AS_EINVALID, "part line %zu has no part_number", i + 1);
        if (!p->has_quantity || p->quantity == 0)
            return as_cmd_fail(cmd, AS_EINVALID, "part '%s' needs a quantity of at least 1",
                               p->part_number);
    }
    return 0;
}

static int s_check_request(as_cmd_t *cmd, const As__DefectReport *req)
{
    if (ws_empty(req->report_id))
        return as_cmd_fail(cmd, AS_EINVALID, "report_id is required");
    if (ws_empty(req->ro_number) || !req->has_job_no)
        return as_cmd_fail(cmd, AS_EINVALID, "ro_number and job_no are required");
    if (ws_empty(req->description))
        return as_cmd_fail(cmd, AS_EINVALID, "description of the defect is required");
    as_special_tools_fault_t f = {0};
    if (req->labour)
        as_special_tools_examine(req->labour->special_tools, req->labour->n_special_tools, &f);
    switch (f.problem) {
    case AS_SPECIAL_TOOLS_VALID:
        break;
    case AS_SPECIAL_TOOLS_TOO_MANY:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "labour operation of the defect: at most %d special tools per labour "
                           "operation (got %zu)",
                           AS_SPECIAL_TOOLS_MAX, f.count);
    case AS_SPECIAL_TOOLS_BAD_ID:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "labour operation of the defect: special tool id '%.80s' must be 1 to "
                           "%d of letters, digits, '.', '_', '-'",
                           f.id, AS_TOOL_ID_MAX);
    case AS_SPECIAL_TOOLS_TWICE:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "labour operation of the defect: special tool '%s' is named twice",
                           f.id);
    }
    return s_check_parts(cmd, req);
}

/* The reporter is the technician of the job, which is being worked on. */
static int s_check_job(as_cmd_t *cmd, const As__WorkJob *job)
{
    if (ws_empty(job->technician) || strcmp(job->technician, cmd->actor) != 0)
        return as_cmd_fail(cmd, AS_EDENIED, "RO %s job %u is dispatched to '%s', not to '%s'",
                           job->ro_number, job->job_no,
                           ws_empty(job->technician) ? "nobody" : job->technician, cmd->actor);
    As__WorkStatus st = job->status;
    if (st != AS__WORK_STATUS__WORK_DISPATCHED && st != AS__WORK_STATUS__WORK_IN_PROGRESS &&
        st != AS__WORK_STATUS__WORK_REWORK)
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "RO %s job %u is %s; defects are reported on a job being worked on",
                           job->ro_number, job->job_no, ws_status_name(st));
    return 0;
}

static int s_write(as_cmd_t *cmd, const As__DefectReport *req, const As__WorkJob *job,
                   const as_key_t *key)
{
    As__ExtraDefect d = AS__EXTRA_DEFECT__INIT;
    d.report_id = req->report_id;
    d.ro_number = req->ro_number;
    d.has_job_no = 1;
    d.job_no = req->job_no;
    d.description = req->description;
    d.labour = req->labour;
    d.n_parts = req->n_parts;
    d.parts = req->parts;
    d.reported_by = (char *)cmd->actor;
    As__DefectReported ev = AS__DEFECT_REPORTED__INIT;
    ev.defect = &d;
    ev.advisor = job->advisor;
    ev.vin = job->vin;
    int rc = as_record_put_key(cmd->txn, as_record_dbi(cmd->svc, "defects"), key, &d.base);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "workshop.defect.reported", req->ro_number, &ev.base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &d.base);
    return rc;
}

int ws_cmd_defect_report(as_cmd_t *cmd)
{
    const As__DefectReport *req = (const As__DefectReport *)cmd->request;
    As__WorkJob *job = NULL;
    as_key_t key;
    int rc = s_check_request(cmd, req);
    if (rc == 0)
        rc = ws_load_job(cmd, req->ro_number, req->job_no, &job);
    if (rc == 0)
        rc = s_check_job(cmd, job);
    if (rc == 0 && as_key_of(&key, req->ro_number, req->report_id, NULL) != 0)
        rc = as_cmd_fail(cmd, AS_EINVALID, "report_id '%s' is too long", req->report_id);
    if (rc == 0 && as_record_exists_key(cmd->txn, as_record_dbi(cmd->svc, "defects"), &key))
        rc = as_cmd_fail(cmd, AS_EEXISTS, "extra defect '%s' of RO %s is already reported",
                         req->report_id, req->ro_number);
    if (rc == 0)
        rc = s_write(cmd, req, job, &key);
    if (job)
        as__work_job__free_unpacked(job, NULL);
    return rc;
}

/* Records the advisor's answer on the report; an answer to a report this
 * workshop never made is logged and skipped. */
int ws_evt_extra_work_answered(as_evt_t *evt)
{
    const As__ExtraWorkAnswered *msg = (const As__ExtraWorkAnswered *)evt->payload;
    if (ws_empty(msg->ro_number) || !msg->request || ws_empty(msg->request->request_id))
        return AS_EINVALID;
    as_key_t key;
    As__ExtraDefect *d = NULL;
    int rc = as_key_of(&key, msg->ro_number, msg->request->request_id, NULL);
    if (rc == 0)
        rc = as_record_get_key(evt->txn, as_record_dbi(evt->svc, "defects"), &key,
                               &as__extra_defect__descriptor, &d);
    if (rc == MDB_NOTFOUND || rc == AS_EINVALID) {
        as_warn("extra work answer for unknown defect report '%s' of RO %s skipped",
                msg->request->request_id, msg->ro_number);
        rc = 0;
    } else if (rc == 0) {
        rc = ws_set_str(&d->answer, msg->request->answer);
        if (rc == 0)
            rc = as_record_put_key(evt->txn, as_record_dbi(evt->svc, "defects"), &key, &d->base);
    }
    if (d)
        as__extra_defect__free_unpacked(d, NULL);
    return rc;
}
