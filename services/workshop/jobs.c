/* jobs.c — work jobs: made from the consented RO's jobs and from approved
 * extra work (reception's events), and dispatched by the foreman to a
 * technician with the skill and level and a free bay, once the labour
 * operation's special tools pass the check of tool_room.c. */
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/pb/reception.pb-c.h"
#include "workshop.h"

/* Writes a new WAITING work job from reception's Job unless it exists
 * (events may come again after a replay), and says so
 * (workshop.job.created: the foreman's board reads it then). */
static int s_create_job(as_evt_t *evt, const char *ro_number, const char *vin, const char *advisor,
                        const As__Job *src)
{
    if (!src->has_job_no || src->job_no == 0 ||
        (src->has_status && src->status == AS__JOB_STATUS__JOB_DECLINED))
        return 0;
    if (ws_job_exists(evt->txn, evt->svc, ro_number, src->job_no))
        return 0;
    As__WorkJob job = AS__WORK_JOB__INIT;
    job.ro_number = (char *)ro_number;
    job.has_job_no = 1;
    job.job_no = src->job_no;
    job.vin = (char *)vin;
    job.advisor = (char *)advisor;
    job.concern = src->concern;
    job.has_pay_type = src->has_pay_type;
    job.pay_type = src->pay_type;
    job.labour = src->labour;
    job.n_parts = src->n_parts;
    job.parts = src->parts;
    job.status = AS__WORK_STATUS__WORK_WAITING;
    job.defect_code = src->defect_code;
    job.has_safety_related = src->has_safety_related;
    job.safety_related = src->safety_related;
    job.causal_part = src->causal_part;
    char opened[AS_DATE_LEN + 1]; /* the board's day: when reception's consent happened */
    as_date_of_us(as_evt_time(evt), opened);
    job.opened_date = opened;
    int rc = ws_put_job(evt->txn, evt->svc, &job);
    return rc ? rc : as_evt_emit(evt, "workshop.job.created", ro_number, &job.base);
}

/* Keeps the RO's vin, advisor and mileage for QC's event. */
static int s_note_ro(as_evt_t *evt, const char *ro_number, const char *vin, const char *advisor,
                     int has_mileage, uint32_t mileage_km)
{
    if (as_record_exists(evt->txn, as_record_dbi(evt->svc, "ros"), ro_number))
        return 0;
    As__WorkRo fresh = AS__WORK_RO__INIT;
    fresh.ro_number = (char *)ro_number;
    fresh.vin = (char *)vin;
    fresh.advisor = (char *)advisor;
    fresh.has_mileage_km = has_mileage;
    fresh.mileage_km = mileage_km;
    fresh.has_final_failures = fresh.has_inspections = 1;
    return as_record_put(evt->txn, as_record_dbi(evt->svc, "ros"), fresh.ro_number, &fresh.base);
}

int ws_evt_ro_consented(as_evt_t *evt)
{
    const As__RoChanged *msg = (const As__RoChanged *)evt->payload;
    if (!msg->ro || ws_empty(msg->ro->ro_number))
        return AS_EINVALID;
    const As__RepairOrder *ro = msg->ro;
    int rc =
        s_note_ro(evt, ro->ro_number, ro->vin, ro->advisor, ro->has_mileage_km, ro->mileage_km);
    for (size_t i = 0; rc == 0 && i < ro->n_jobs; i++)
        rc = s_create_job(evt, ro->ro_number, ro->vin, ro->advisor, ro->jobs[i]);
    return rc;
}

int ws_evt_job_added(as_evt_t *evt)
{
    const As__JobAdded *msg = (const As__JobAdded *)evt->payload;
    if (ws_empty(msg->ro_number) || !msg->job)
        return AS_EINVALID;
    int rc = s_note_ro(evt, msg->ro_number, msg->vin, msg->advisor, 0, 0);
    if (rc == 0)
        rc = s_create_job(evt, msg->ro_number, msg->vin, msg->advisor, msg->job);
    return rc;
}

static int s_has_skill(const As__Technician *tech, const char *skill)
{
    for (size_t i = 0; i < tech->n_skills; i++)
        if (strcmp(tech->skills[i], skill) == 0)
            return 1;
    return 0;
}

/* The technician's skills and level against the job's labour operation. */
static int s_check_fit(as_cmd_t *cmd, const As__Technician *tech, const As__WorkJob *job)
{
    const As__LabourOperation *op = job->labour;
    if (!op)
        return 0;
    const char *code = op->code ? op->code : "";
    if (!ws_empty(op->skill) && !s_has_skill(tech, op->skill))
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "technician '%s' lacks skill '%s' needed by labour operation '%s'",
                           tech->tech_id, op->skill, code);
    if (op->has_min_level && tech->level < op->min_level)
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "technician '%s' is level %u; labour operation '%s' needs level %u",
                           tech->tech_id, tech->level, code, op->min_level);
    return 0;
}

static int s_check_bay_free(as_cmd_t *cmd, const As__Bay *bay, const As__WorkJob *job)
{
    if (ws_empty(bay->current_ro))
        return 0;
    if (strcmp(bay->current_ro, job->ro_number) == 0 && bay->current_job_no == job->job_no)
        return 0;
    return as_cmd_fail(cmd, AS_ECONFLICT, "bay '%s' is occupied by RO %s job %u", bay->bay_id,
                       bay->current_ro, bay->current_job_no);
}

typedef struct {
    As__WorkJob *job;
    As__Technician *tech;
    As__Bay *bay;
} s_dispatch_t;

static int s_load_dispatch(as_cmd_t *cmd, const As__JobDispatch *req, s_dispatch_t *d)
{
    if (ws_empty(req->ro_number) || !req->has_job_no)
        return as_cmd_fail(cmd, AS_EINVALID, "ro_number and job_no are required");
    if (ws_empty(req->tech_id) || ws_empty(req->bay_id))
        return as_cmd_fail(cmd, AS_EINVALID, "tech_id and bay_id are required");
    int rc = ws_load_job(cmd, req->ro_number, req->job_no, &d->job);
    if (rc == 0 &&
        (rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "technicians"), req->tech_id,
                            &as__technician__descriptor, &d->tech)) == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "technician '%s' is not registered", req->tech_id);
    if (rc == 0 && (rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "bays"), req->bay_id,
                                       &as__bay__descriptor, &d->bay)) == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "bay '%s' is not registered", req->bay_id);
    return rc;
}

static int s_check_dispatch(as_cmd_t *cmd, s_dispatch_t *d)
{
    As__WorkStatus st = d->job->status;
    if (st != AS__WORK_STATUS__WORK_WAITING && st != AS__WORK_STATUS__WORK_REWORK)
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "RO %s job %u is %s; only a waiting or rework job can be dispatched",
                           d->job->ro_number, d->job->job_no, ws_status_name(st));
    int rc = s_check_fit(cmd, d->tech, d->job);
    if (rc == 0)
        rc = s_check_bay_free(cmd, d->bay, d->job);
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    if (rc == 0)
        rc = ws_check_job_tools(cmd, d->job, date);
    return rc;
}

int ws_free_job_bay(as_cmd_t *cmd, const As__WorkJob *job)
{
    if (ws_empty(job->bay))
        return 0;
    As__Bay *bay = NULL;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "bays"), job->bay,
                           &as__bay__descriptor, &bay);
    if (rc != 0)
        return rc == MDB_NOTFOUND ? 0 : rc;
    if (!ws_empty(bay->current_ro) && strcmp(bay->current_ro, job->ro_number) == 0 &&
        bay->current_job_no == job->job_no) {
        ws_set_str(&bay->current_ro, NULL);
        bay->has_current_job_no = 0;
        bay->current_job_no = 0;
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "bays"), bay->bay_id, &bay->base);
    }
    as__bay__free_unpacked(bay, NULL);
    return rc;
}

static int s_apply_dispatch(as_cmd_t *cmd, s_dispatch_t *d)
{
    As__WorkJob *job = d->job;
    int rc = ws_free_job_bay(cmd, job); /* a rework job moved to another bay */
    if (rc == 0)
        rc = ws_set_str(&job->technician, d->tech->tech_id);
    if (rc == 0)
        rc = ws_set_str(&job->bay, d->bay->bay_id);
    if (rc == 0)
        rc = ws_set_str(&d->bay->current_ro, job->ro_number);
    if (rc != 0)
        return rc;
    job->status = AS__WORK_STATUS__WORK_DISPATCHED;
    d->bay->has_current_job_no = 1;
    d->bay->current_job_no = job->job_no;
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    As__JobDispatched ev = AS__JOB_DISPATCHED__INIT;
    ev.job = job;
    ev.date = date;
    if ((rc = ws_put_job(cmd->txn, cmd->svc, job)) == 0 &&
        (rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "bays"), d->bay->bay_id,
                            &d->bay->base)) == 0 &&
        /* after the put: the bulletins are shown, never stored */
        (rc = ws_job_bulletins(cmd->txn, cmd->svc, job, job->technician)) == 0 &&
        (rc = as_cmd_emit(cmd, "workshop.job.dispatched", job->ro_number, &ev.base)) == 0)
        rc = as_cmd_reply(cmd, &job->base);
    return rc;
}

int ws_cmd_job_dispatch(as_cmd_t *cmd)
{
    s_dispatch_t d = {0};
    int rc = s_load_dispatch(cmd, (const As__JobDispatch *)cmd->request, &d);
    if (rc == 0)
        rc = s_check_dispatch(cmd, &d);
    if (rc == 0)
        rc = s_apply_dispatch(cmd, &d);
    if (d.job)
        as__work_job__free_unpacked(d.job, NULL);
    if (d.tech)
        as__technician__free_unpacked(d.tech, NULL);
    if (d.bay)
        as__bay__free_unpacked(d.bay, NULL);
    return rc;
}
