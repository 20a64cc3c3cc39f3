/* ro_progress.c — what happens to a repair order while the vehicle is in the
 * workshop: extra defects reported by technicians and the customer's answer,
 * the vehicle completing QC, the parts charged to the RO. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/log.h"
#include "as/pb/parts.pb-c.h"
#include "as/pb/workshop.pb-c.h"
#include "reception.h"

/* Deep copies of part lines for a record that owns them. */
static int s_copy_parts(As__PartLine *const *parts, size_t n, As__PartLine ***out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (n == 0)
        return 0;
    if (!(*out = calloc(n, sizeof **out)))
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!((*out)[i] = msg_copy(&parts[i]->base)))
            return -ENOMEM;
        *n_out = i + 1;
    }
    return 0;
}

static As__ExtraWorkRequest *s_find_request(const As__RepairOrder *ro, const char *request_id)
{
    for (size_t i = 0; i < ro->n_extra_work; i++)
        if (request_id && ro->extra_work[i]->request_id &&
            strcmp(ro->extra_work[i]->request_id, request_id) == 0)
            return ro->extra_work[i];
    return NULL;
}

static As__Job *s_find_job(const As__RepairOrder *ro, uint32_t job_no)
{
    for (size_t i = 0; i < ro->n_jobs; i++)
        if (ro->jobs[i]->job_no == job_no)
            return ro->jobs[i];
    return NULL;
}

static int s_load_for_event(as_evt_t *evt, const char *ro_number, As__RepairOrder **ro)
{
    if (blank(ro_number))
        return AS_EINVALID;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "ros"), ro_number,
                           &as__repair_order__descriptor, ro);
    if (rc == MDB_NOTFOUND) {
        as_warn("%s: repair order '%s' does not exist", evt->env->type, ro_number);
        return AS_ENOTFOUND;
    }
    return rc;
}

/* --- workshop.defect.reported --------------------------------------------- */

static int s_add_request(As__RepairOrder *ro, const As__ExtraDefect *defect)
{
    As__ExtraWorkRequest *request = calloc(1, sizeof *request);
    As__ExtraWorkRequest **grown =
        realloc(ro->extra_work, (ro->n_extra_work + 1) * sizeof *ro->extra_work);
    if (grown)
        ro->extra_work = grown;
    if (!request || !grown) {
        free(request);
        return -ENOMEM;
    }
    as__extra_work_request__init(request);
    ro->extra_work[ro->n_extra_work++] = request;
    request->has_for_job_no = 1;
    request->for_job_no = defect->job_no;
    request->request_id = dup_text(defect->report_id);
    request->description = dup_text(defect->description);
    request->reported_by = dup_text(defect->reported_by);
    request->answer = dup_text("");
    if (defect->labour && !(request->labour = msg_copy(&defect->labour->base)))
        return -ENOMEM;
    if (!request->request_id || !request->description || !request->reported_by || !request->answer)
        return -ENOMEM;
    return s_copy_parts(defect->parts, defect->n_parts, &request->parts, &request->n_parts);
}

int on_defect_reported(as_evt_t *evt)
{
    const As__DefectReported *msg = (const As__DefectReported *)evt->payload;
    As__RepairOrder *ro = NULL;
    const As__ExtraDefect *defect = msg->defect;
    int rc = defect && !blank(defect->report_id) ? s_load_for_event(evt, defect->ro_number, &ro)
                                                 : AS_EINVALID;
    if (rc == 0 && s_find_request(ro, defect->report_id))
        goto out; /* already recorded */
    if (rc == 0 && ro->status != AS__RO_STATUS__RO_IN_WORKSHOP) {
        as_warn("extra defect '%s': repair order '%s' is %s, not in the workshop",
                defect->report_id, ro->ro_number, ro_status_name(ro->status));
        rc = AS_ECONFLICT;
    }
    if (rc == 0)
        rc = s_add_request(ro, defect);
    if (rc == 0)
        rc = ro_save(evt->svc, evt->txn, ro);
out:
    if (ro)
        as__repair_order__free_unpacked(ro, NULL);
    return rc;
}

/* --- reception.extra_work.answer -------------------------------------------- */

/* The approved extra work as a new job of the RO (already consented). */
static int s_add_job(As__RepairOrder *ro, As__ExtraWorkRequest *request, As__PayType pay_type,
                     As__Job **added)
{
    As__Job *job = calloc(1, sizeof *job);
    As__Job **grown = realloc(ro->jobs, (ro->n_jobs + 1) * sizeof *ro->jobs);
    if (grown)
        ro->jobs = grown;
    if (!job || !grown) {
        free(job);
        return -ENOMEM;
    }
    as__job__init(job);
    uint32_t last = 0;
    for (size_t i = 0; i < ro->n_jobs; i++)
        last = ro->jobs[i]->job_no > last ? ro->jobs[i]->job_no : last;
    ro->jobs[ro->n_jobs++] = job;
    job->has_job_no = job->has_pay_type = job->has_status = job->has_extra_work = 1;
    job->job_no = last + 1;
    job->pay_type = pay_type;
    job->status = AS__JOB_STATUS__JOB_OPEN;
    job->extra_work = 1;
    if (!(job->concern = dup_text(request->description)))
        return -ENOMEM;
    if (request->labour && !(job->labour = msg_copy(&request->labour->base)))
        return -ENOMEM;
    int rc = s_copy_parts(request->parts, request->n_parts, &job->parts, &job->n_parts);
    if (rc)
        return rc;
    ro->estimate_cents += labour_cents(job->labour) + part_lines_cents(job->parts, job->n_parts);
    request->has_new_job_no = 1;
    request->new_job_no = job->job_no;
    *added = job;
    return 0;
}

static int s_emit_job_added(as_cmd_t *cmd, const As__RepairOrder *ro, As__Job *job)
{
    As__JobAdded added = AS__JOB_ADDED__INIT;
    added.ro_number = ro->ro_number;
    added.job = job;
    added.vin = ro->vin;
    added.advisor = ro->advisor;
    return as_cmd_emit(cmd, "reception.job.added", ro->ro_number, &added.base);
}

static int s_answer(as_cmd_t *cmd, As__RepairOrder *ro)
{
    const As__ExtraWorkAnswer *req = (const As__ExtraWorkAnswer *)cmd->request;
    if (blank(req->request_id))
        return as_cmd_fail(cmd, AS_EINVALID, "request_id is required");
    As__ExtraWorkRequest *request = s_find_request(ro, req->request_id);
    if (!request)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "repair order '%s' has no extra-work request '%s'",
                           ro->ro_number, req->request_id);
    if (!blank(request->answer))
        return as_cmd_fail(cmd, AS_ECONFLICT, "extra-work request '%s' was already answered: %s",
                           req->request_id, request->answer);
    if (ro->status != AS__RO_STATUS__RO_IN_WORKSHOP)
        return as_cmd_fail(cmd, AS_ECONFLICT, "repair order '%s' is %s, not in the workshop",
                           ro->ro_number, ro_status_name(ro->status));
    if (!req->has_approved)
        return as_cmd_fail(cmd, AS_EINVALID, "approved is required (true or false)");
    As__PayType pay_type = req->has_pay_type && req->pay_type != AS__PAY_TYPE__PAY_TYPE_UNSET
                               ? req->pay_type
                               : AS__PAY_TYPE__CUSTOMER_PAY;
    As__Job *job = NULL;
    int rc = set_text(&request->answer, req->approved ? "approved" : "declined");
    if (rc == 0 && req->approved)
        rc = s_add_job(ro, request, pay_type, &job);
    if (rc == 0 && job)
        rc = s_emit_job_added(cmd, ro, job);
    if (rc)
        return rc;
    As__ExtraWorkAnswered answered = AS__EXTRA_WORK_ANSWERED__INIT;
    answered.ro_number = ro->ro_number;
    answered.request = request;
    answered.advisor = (char *)cmd->actor;
    return as_cmd_emit(cmd, "reception.extra_work.answered", ro->ro_number, &answered.base);
}

int extra_work_answer(as_cmd_t *cmd)
{
    const As__ExtraWorkAnswer *req = (const As__ExtraWorkAnswer *)cmd->request;
    return ro_update(cmd, req->ro_number, s_answer, NULL);
}

/* --- workshop.qc.passed ------------------------------------------------------- */

static int s_mark_ready(As__RepairOrder *ro, const As__QcPassed *qc, int64_t at_us)
{
    ro->status = AS__RO_STATUS__RO_READY_FOR_DELIVERY;
    ro->has_ready_us = 1;
    ro->ready_us = at_us;
    int rc = set_text(&ro->qc_certificate, qc->certificate);
    for (size_t i = 0; i < qc->n_jobs && rc == 0; i++) {
        As__Job *job = s_find_job(ro, qc->jobs[i]->job_no);
        if (!job || job->status == AS__JOB_STATUS__JOB_DECLINED)
            continue;
        job->has_status = 1;
        job->status = AS__JOB_STATUS__JOB_QC_PASSED;
        if (!blank(qc->jobs[i]->technician))
            rc = set_text(&job->technician, qc->jobs[i]->technician);
    }
    return rc;
}

int on_qc_passed(as_evt_t *evt)
{
    const As__QcPassed *qc = (const As__QcPassed *)evt->payload;
    As__RepairOrder *ro = NULL;
    int rc = s_load_for_event(evt, qc->ro_number, &ro);
    if (rc == 0 && ro->status != AS__RO_STATUS__RO_IN_WORKSHOP) {
        if (ro->status < AS__RO_STATUS__RO_IN_WORKSHOP) {
            as_warn("qc passed: repair order '%s' is %s, not in the workshop", ro->ro_number,
                    ro_status_name(ro->status));
            rc = AS_ECONFLICT;
        }
        goto out; /* already ready or delivered: nothing to do */
    }
    if (rc == 0)
        rc = s_mark_ready(ro, qc, as_evt_time(evt));
    if (rc == 0)
        rc = ro_save(evt->svc, evt->txn, ro);
    if (rc == 0)
        rc = ro_emit_evt(evt, "reception.ro.ready", ro);
    if (rc == 0)
        rc = care_notify_ready(evt, ro);
out:
    if (ro)
        as__repair_order__free_unpacked(ro, NULL);
    return rc;
}

/* --- parts.consumption.recorded --------------------------------------------------- */

/* The price agreed with the customer for `qty` of a part on `job`: its part
 * line's unit price (the estimate the customer consented to, or the sale's
 * agreed accessory price on a new car's fitting RO); -1 when the job has no
 * line for the part (issued without being on the estimate). */
static int64_t s_agreed_cents(const As__Job *job, const char *part_number, uint32_t qty)
{
    for (size_t i = 0; job && part_number && i < job->n_parts; i++)
        if (job->parts[i]->part_number && job->parts[i]->has_unit_price_cents &&
            strcmp(job->parts[i]->part_number, part_number) == 0)
            return (int64_t)qty * job->parts[i]->unit_price_cents;
    return -1;
}

/* Charges the consumption to the RO: each line at the price agreed with the
 * customer when its job has a part line for it, else at what parts charged
 * (the catalogue price at issue); what parts charged is kept beside it
 * (parts_catalogue_cents, accessories_catalogue_cents) so the invoice shows
 * the discount. Parts' cost is not reception's: kpi takes it from parts. */
static void s_take_consumption(As__RepairOrder *ro, const As__Consumption *consumption)
{
    int64_t total = 0, accessories = 0, catalogue = 0, accessories_catalogue = 0;
    for (size_t i = 0; i < ro->n_jobs; i++) {
        ro->jobs[i]->has_parts_consumed_cents = 1;
        ro->jobs[i]->parts_consumed_cents = 0;
    }
    for (size_t i = 0; i < consumption->n_lines; i++) {
        const As__ConsumptionLine *line = consumption->lines[i];
        As__Job *job = s_find_job(ro, line->job_no);
        int64_t agreed = s_agreed_cents(job, line->part_number, line->quantity);
        int64_t price = agreed >= 0 ? agreed : line->price_cents;
        if (job)
            job->parts_consumed_cents += price;
        total += price;
        catalogue += line->price_cents;
        if (line->accessory) {
            accessories += price;
            accessories_catalogue += line->price_cents;
        }
    }
    if (consumption->n_lines == 0) { /* totals only: as parts charged them */
        total = catalogue = consumption->price_cents;
        accessories = accessories_catalogue = consumption->accessory_price_cents;
    }
    ro->has_parts_consumed_cents = ro->has_parts_catalogue_cents = 1;
    ro->parts_consumed_cents = total;
    ro->parts_catalogue_cents = catalogue;
    /* the accessory lines go on the invoice as accessories, not parts */
    ro->has_accessories_consumed_cents = ro->has_accessories_catalogue_cents = 1;
    ro->accessories_consumed_cents = accessories;
    ro->accessories_catalogue_cents = accessories_catalogue;
}

int on_consumption_recorded(as_evt_t *evt)
{
    const As__ConsumptionRecorded *msg = (const As__ConsumptionRecorded *)evt->payload;
    As__RepairOrder *ro = NULL;
    int rc =
        msg->consumption ? s_load_for_event(evt, msg->consumption->ro_number, &ro) : AS_EINVALID;
    if (rc == 0) {
        s_take_consumption(ro, msg->consumption);
        rc = ro_save(evt->svc, evt->txn, ro);
    }
    if (ro)
        as__repair_order__free_unpacked(ro, NULL);
    return rc;
}
