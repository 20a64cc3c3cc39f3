/* repair_order.c — repair orders from opening to closing: estimate, approval
 * above the advisor's authority, the customer's consent, delivery with the
 * invoice, closing, the follow-up call; comebacks are detected at opening. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "as/tool_ids.h"
#include "reception.h"

#define COMEBACK_DAYS 30
#define MAX_RATE_CENTS 100000000LL /* a labour rate of a million per hour */
#define MAX_PRICE_CENTS 1000000000LL
#define MAX_QUANTITY 10000

int64_t labour_cents(const As__LabourOperation *labour)
{
    return labour ? (int64_t)labour->sold_minutes * labour->rate_cents / 60 : 0;
}

int64_t part_lines_cents(As__PartLine *const *parts, size_t n_parts)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n_parts; i++)
        sum += (int64_t)parts[i]->quantity * parts[i]->unit_price_cents;
    return sum;
}

int ro_update(as_cmd_t *cmd, const char *ro_number, ro_change_fn change, const char *event)
{
    As__RepairOrder *ro = NULL;
    int rc = ro_load(cmd, ro_number, &ro);
    if (rc == 0)
        rc = change(cmd, ro);
    if (rc == 0)
        rc = ro_save(cmd->svc, cmd->txn, ro);
    if (rc == 0 && event)
        rc = ro_emit_cmd(cmd, event, ro);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &ro->base);
    if (ro)
        as__repair_order__free_unpacked(ro, NULL);
    return rc;
}

/* --- opening ------------------------------------------------------------- */

static int s_check_labour(as_cmd_t *cmd, size_t job, const As__LabourOperation *labour)
{
    if (!labour || !labour->has_sold_minutes || labour->sold_minutes == 0 ||
        labour->sold_minutes > 100000)
        return as_cmd_fail(cmd, AS_EINVALID, "job %zu: labour.sold_minutes must be 1..100000", job);
    if (!labour->has_rate_cents || labour->rate_cents < 0 || labour->rate_cents > MAX_RATE_CENTS)
        return as_cmd_fail(cmd, AS_EINVALID, "job %zu: labour.rate_cents must be 0..%lld", job,
                           MAX_RATE_CENTS);
    const char *code = labour->code ? labour->code : "";
    as_special_tools_fault_t f;
    switch (as_special_tools_examine(labour->special_tools, labour->n_special_tools, &f)) {
    case AS_SPECIAL_TOOLS_VALID:
        break;
    case AS_SPECIAL_TOOLS_TOO_MANY:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "job %zu, labour operation '%s': at most %d special tools per labour "
                           "operation (got %zu)",
                           job, code, AS_SPECIAL_TOOLS_MAX, f.count);
    case AS_SPECIAL_TOOLS_BAD_ID:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "job %zu, labour operation '%s': special tool id '%.80s' must be 1 to "
                           "%d of letters, digits, '.', '_', '-'",
                           job, code, f.id, AS_TOOL_ID_MAX);
    case AS_SPECIAL_TOOLS_TWICE:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "job %zu, labour operation '%s': special tool '%s' is named twice", job,
                           code, f.id);
    }
    return 0;
}

int check_part_lines(as_cmd_t *cmd, size_t job, As__PartLine *const *parts, size_t n_parts)
{
    for (size_t i = 0; i < n_parts; i++) {
        const As__PartLine *line = parts[i];
        if (blank(line->part_number))
            return as_cmd_fail(cmd, AS_EINVALID, "job %zu, part line %zu: part_number is required",
                               job, i + 1);
        if (!line->has_quantity || line->quantity == 0 || line->quantity > MAX_QUANTITY)
            return as_cmd_fail(cmd, AS_EINVALID, "job %zu, part '%s': quantity must be 1..%d", job,
                               line->part_number, MAX_QUANTITY);
        if (!line->has_unit_price_cents || line->unit_price_cents < 0 ||
            line->unit_price_cents > MAX_PRICE_CENTS)
            return as_cmd_fail(cmd, AS_EINVALID,
                               "job %zu, part '%s': unit_price_cents must be 0..%lld", job,
                               line->part_number, MAX_PRICE_CENTS);
    }
    return 0;
}

/* Checks the request and gives each job its labour, rate and prices from the
 * master data (job_resolve): `req` is the handler's own copy. */
static int s_check_open(as_cmd_t *cmd, As__RoOpen *req)
{
    if (blank(req->ro_number) || strlen(req->ro_number) > 40)
        return as_cmd_fail(cmd, AS_EINVALID, "ro_number is required (at most 40 characters)");
    if (strchr(req->ro_number, '/'))
        return as_cmd_fail(cmd, AS_EINVALID, "ro_number '%s' may not contain '/'", req->ro_number);
    if (as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "ros"), req->ro_number))
        return as_cmd_fail(cmd, AS_EEXISTS, "repair order '%s' already exists", req->ro_number);
    if (!req->has_mileage_km)
        return as_cmd_fail(cmd, AS_EINVALID, "repair order '%s': mileage_km is required",
                           req->ro_number);
    if (req->n_jobs == 0)
        return as_cmd_fail(cmd, AS_EINVALID, "repair order '%s': at least one job is required",
                           req->ro_number);
    for (size_t i = 0; i < req->n_jobs; i++) {
        As__JobRequest *job = req->jobs[i];
        int rc;
        if (blank(job->concern))
            return as_cmd_fail(cmd, AS_EINVALID, "job %zu: concern is required", i + 1);
        if (!job->has_pay_type || job->pay_type == AS__PAY_TYPE__PAY_TYPE_UNSET)
            return as_cmd_fail(cmd, AS_EINVALID,
                               "job %zu: pay_type is required (CUSTOMER_PAY, WARRANTY, "
                               "INTERNAL or GOODWILL)",
                               i + 1);
        if ((rc = job_resolve(cmd, i + 1, job)) != 0 ||
            (rc = s_check_labour(cmd, i + 1, job->labour)) != 0 ||
            (rc = check_part_lines(cmd, i + 1, job->parts, job->n_parts)) != 0)
            return rc;
    }
    return 0;
}

/* --- comebacks ------------------------------------------------------------- */

typedef struct {
    As__RepairOrder *earlier; /* the latest delivered RO with a concern of this one */
    const char *concern;
} s_comeback_t;

static const char *s_repeated_concern(const As__RepairOrder *earlier, const As__RepairOrder *ro)
{
    for (size_t i = 0; i < ro->n_jobs; i++)
        for (size_t j = 0; j < earlier->n_jobs; j++)
            if (earlier->jobs[j]->concern && ro->jobs[i]->concern &&
                strcasecmp(earlier->jobs[j]->concern, ro->jobs[i]->concern) == 0)
                return ro->jobs[i]->concern;
    return NULL;
}

static bool s_recently_delivered(const As__RepairOrder *earlier, const char *date)
{
    if (earlier->status != AS__RO_STATUS__RO_DELIVERED &&
        earlier->status != AS__RO_STATUS__RO_CLOSED)
        return false;
    char delivered[AS_DATE_LEN + 1];
    as_date_of_us(earlier->delivered_us, delivered);
    int64_t days = as_date_diff_days(delivered, date);
    return days >= 0 && days <= COMEBACK_DAYS;
}

/* Finds the latest RO of the same vehicle delivered in the last 30 days with
 * a concern of `ro` (compared without case). */
static int s_find_comeback(as_cmd_t *cmd, const As__RepairOrder *ro, s_comeback_t *found)
{
    as_record_list_t ros;
    int rc =
        as_record_scan_in(cmd->txn, as_record_dbi(cmd->svc, "ros_by_vin"), ro->vin, NULL, &ros);
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    for (size_t i = 0; rc == 0 && i < ros.n; i++) {
        As__RepairOrder *earlier = NULL;
        if (as_record_get(cmd->txn, as_record_dbi(cmd->svc, "ros"), ros.keys[i],
                          &as__repair_order__descriptor, &earlier) != 0)
            continue;
        const char *concern =
            s_recently_delivered(earlier, date) ? s_repeated_concern(earlier, ro) : NULL;
        if (concern && (!found->earlier || earlier->delivered_us > found->earlier->delivered_us)) {
            if (found->earlier)
                as__repair_order__free_unpacked(found->earlier, NULL);
            found->earlier = earlier;
            found->concern = concern;
        } else {
            as__repair_order__free_unpacked(earlier, NULL);
        }
    }
    as_record_list_free(&ros);
    return rc;
}

/* The technicians of the earlier RO's jobs with the repeated concern. */
static size_t s_comeback_technicians(const s_comeback_t *found, const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t j = 0; j < found->earlier->n_jobs && n < cap; j++) {
        const As__Job *job = found->earlier->jobs[j];
        if (blank(job->technician) || !job->concern ||
            strcasecmp(job->concern, found->concern) != 0)
            continue;
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen = seen || strcmp(out[k], job->technician) == 0;
        if (!seen)
            out[n++] = job->technician;
    }
    return n;
}

/* The labour operation codes of the earlier RO's jobs with the repeated
 * concern ("free text" for a job without a code), each once. */
static size_t s_comeback_operations(const s_comeback_t *found, const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t j = 0; j < found->earlier->n_jobs && n < cap; j++) {
        const As__Job *job = found->earlier->jobs[j];
        if (!job->concern || strcasecmp(job->concern, found->concern) != 0)
            continue;
        const char *code =
            job->labour && !blank(job->labour->code) ? job->labour->code : "free text";
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen = seen || strcmp(out[k], code) == 0;
        if (!seen)
            out[n++] = code;
    }
    return n;
}

static int s_detect_comeback(as_cmd_t *cmd, As__RepairOrder *ro)
{
    s_comeback_t found = {0};
    int rc = s_find_comeback(cmd, ro, &found);
    if (rc || !found.earlier)
        return rc;
    if ((rc = set_text(&ro->comeback_of, found.earlier->ro_number)) == 0) {
        const char *technicians[64], *operations[64];
        char date[AS_DATE_LEN + 1];
        as_cmd_date(cmd, date);
        As__ComebackDetected comeback = AS__COMEBACK_DETECTED__INIT;
        comeback.ro_number = ro->ro_number;
        comeback.earlier_ro = found.earlier->ro_number;
        comeback.vin = ro->vin;
        comeback.concern = (char *)found.concern;
        comeback.advisor = found.earlier->advisor;
        comeback.n_technicians = s_comeback_technicians(&found, technicians, 64);
        comeback.technicians = (char **)technicians;
        comeback.n_operations = s_comeback_operations(&found, operations, 64);
        comeback.operations = (char **)operations;
        comeback.date = date;
        rc = as_cmd_emit(cmd, "reception.comeback.detected", ro->ro_number, &comeback.base);
    }
    as__repair_order__free_unpacked(found.earlier, NULL);
    return rc;
}

/* --- ro.open ---------------------------------------------------------------- */

/* Builds the RO's jobs from the request (borrowing its strings). */
static int s_build_jobs(const As__RoOpen *req, As__RepairOrder *ro)
{
    As__Job *jobs = calloc(req->n_jobs, sizeof *jobs);
    As__Job **list = calloc(req->n_jobs, sizeof *list);
    if (!jobs || !list) {
        free(jobs);
        free(list);
        return -ENOMEM;
    }
    int64_t estimate = 0;
    for (size_t i = 0; i < req->n_jobs; i++) {
        const As__JobRequest *in = req->jobs[i];
        As__Job *job = &jobs[i];
        as__job__init(job);
        job->has_job_no = job->has_pay_type = job->has_status = 1;
        job->job_no = (uint32_t)(i + 1);
        job->concern = in->concern;
        job->pay_type = in->pay_type;
        job->labour = in->labour;
        job->parts = in->parts;
        job->n_parts = in->n_parts;
        job->status = AS__JOB_STATUS__JOB_OPEN;
        job->defect_code = in->defect_code;
        job->has_safety_related = in->has_safety_related;
        job->safety_related = in->safety_related;
        job->causal_part = in->causal_part;
        job->has_free_text = job->free_text = blank(in->operation_code);
        list[i] = job;
        estimate += labour_cents(in->labour) + part_lines_cents(in->parts, in->n_parts);
    }
    ro->jobs = list;
    ro->n_jobs = req->n_jobs;
    ro->has_estimate_cents = 1;
    ro->estimate_cents = estimate;
    return 0;
}

static int s_index_by_vin(as_cmd_t *cmd, const As__RepairOrder *ro)
{
    return as_record_put_in(cmd->txn, as_record_dbi(cmd->svc, "ros_by_vin"), ro->vin, ro->ro_number,
                            NULL);
}

static void s_set_status_for_estimate(as_cmd_t *cmd, As__RepairOrder *ro)
{
    const as_staff_t *staff = as_service_staff(cmd->svc);
    bool manager = as_staff_roles(staff, cmd->actor) & AS_ROLE_FRONT_DESK_MANAGER;
    bool above_limit = ro->estimate_cents > as_staff_limit_cents(staff, cmd->actor);
    ro->has_status = 1;
    ro->status = above_limit && !manager ? AS__RO_STATUS__RO_AWAITING_APPROVAL
                                         : AS__RO_STATUS__RO_AWAITING_CONSENT;
}

/* Records the mileage read at opening on the vehicle. */
static int s_record_mileage(as_cmd_t *cmd, As__Vehicle *vehicle, const As__RepairOrder *ro)
{
    int rc = vehicle_add_reading(vehicle, ro->mileage_km, ro->ro_number, ro->opened_us);
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), vehicle->vin,
                           &vehicle->base);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "reception.vehicle.mileage_recorded", vehicle->vin, &vehicle->base);
    return rc;
}

static int s_open(as_cmd_t *cmd, const As__RoOpen *req, As__Vehicle *vehicle)
{
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    As__RepairOrder ro = AS__REPAIR_ORDER__INIT;
    ro.ro_number = req->ro_number;
    ro.vin = vehicle->vin;
    ro.customer_id = vehicle->customer_id;
    ro.advisor = (char *)cmd->actor;
    ro.appointment_id = req->appointment_id;
    ro.has_mileage_km = ro.has_opened_us = 1;
    ro.mileage_km = req->mileage_km;
    ro.opened_us = as_cmd_time(cmd);
    ro.opened_date = date;
    ro.has_waiting = req->has_waiting;
    ro.waiting = req->waiting;
    int rc = s_build_jobs(req, &ro);
    if (rc)
        return rc;
    s_set_status_for_estimate(cmd, &ro);
    rc = recalls_of(cmd->svc, cmd->txn, vehicle->vin, &ro.open_recalls, &ro.n_open_recalls);
    if (rc == 0 && !blank(req->appointment_id))
        rc = appointment_use(cmd, req->appointment_id, vehicle->vin, req->ro_number);
    if (rc == 0)
        rc = s_record_mileage(cmd, vehicle, &ro);
    char *comeback_of = NULL;
    if (rc == 0)
        rc = s_detect_comeback(cmd, &ro);
    comeback_of = ro.comeback_of;
    if (rc == 0)
        rc = ro_save(cmd->svc, cmd->txn, &ro);
    if (rc == 0)
        rc = s_index_by_vin(cmd, &ro);
    if (rc == 0)
        rc = ro_index_by_date(cmd->svc, cmd->txn, &ro);
    if (rc == 0)
        rc = lounge_enter(cmd, &ro);
    if (rc == 0)
        rc = ro_emit_cmd(cmd, "reception.ro.opened", &ro);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &ro.base);
    free(comeback_of);
    recalls_free(&ro.open_recalls, &ro.n_open_recalls);
    free(ro.jobs[0]);
    free(ro.jobs);
    return rc;
}

int ro_open(as_cmd_t *cmd)
{
    As__RoOpen *req = msg_copy(cmd->request);
    if (!req)
        return -ENOMEM;
    As__Vehicle *vehicle = NULL;
    As__RoOpen numbered = *req; /* the request, with the number taken when it gave none */
    char number[RO_NUMBER_SIZE];
    int rc = 0;
    if (blank(req->ro_number) && (rc = ro_number_take(cmd, number)) == 0)
        numbered.ro_number = number;
    if (rc == 0)
        rc = s_check_open(cmd, &numbered);
    if (rc == 0)
        rc = vehicle_load(cmd, req->vin, &vehicle);
    if (rc == 0)
        rc = vehicle_check_mileage(cmd, vehicle, req->mileage_km);
    if (rc == 0)
        rc = s_open(cmd, &numbered, vehicle);
    if (vehicle)
        as__vehicle__free_unpacked(vehicle, NULL);
    as__ro_open__free_unpacked(req, NULL);
    return rc;
}

/* --- approval and consent ------------------------------------------------- */

static int s_not_in(as_cmd_t *cmd, const As__RepairOrder *ro, const char *what)
{
    return as_cmd_fail(cmd, AS_ECONFLICT, "repair order '%s' is %s, %s", ro->ro_number,
                       ro_status_name(ro->status), what);
}

static int s_approve(as_cmd_t *cmd, As__RepairOrder *ro)
{
    if (ro->status != AS__RO_STATUS__RO_AWAITING_APPROVAL)
        return s_not_in(cmd, ro, "not awaiting approval");
    ro->status = AS__RO_STATUS__RO_AWAITING_CONSENT;
    return set_text(&ro->approved_by, cmd->actor);
}

int ro_approve(as_cmd_t *cmd)
{
    const As__RoAction *req = (const As__RoAction *)cmd->request;
    return ro_update(cmd, req->ro_number, s_approve, "reception.ro.approved");
}

static int s_consent(as_cmd_t *cmd, As__RepairOrder *ro)
{
    const As__RoAction *req = (const As__RoAction *)cmd->request;
    if (ro->status == AS__RO_STATUS__RO_AWAITING_APPROVAL)
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "repair order '%s': estimate %lld cents needs the front-desk "
                           "manager's approval before the customer's consent",
                           ro->ro_number, (long long)ro->estimate_cents);
    if (ro->status != AS__RO_STATUS__RO_AWAITING_CONSENT)
        return s_not_in(cmd, ro, "not awaiting consent");
    static const char *const ways[] = {"signature", "phone", "sms", NULL};
    bool known = false;
    for (int i = 0; ways[i] && !known; i++)
        known = req->consent && strcmp(req->consent, ways[i]) == 0;
    if (!known)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "repair order '%s': consent '%s' is not one of signature, phone, sms",
                           ro->ro_number, req->consent ? req->consent : "");
    ro->status = AS__RO_STATUS__RO_IN_WORKSHOP;
    return set_text(&ro->consent, req->consent);
}

int ro_consent(as_cmd_t *cmd)
{
    const As__RoAction *req = (const As__RoAction *)cmd->request;
    return ro_update(cmd, req->ro_number, s_consent, "reception.ro.consented");
}

int ro_show(as_cmd_t *cmd)
{
    const As__RoAction *req = (const As__RoAction *)cmd->request;
    As__RepairOrder *ro = NULL;
    int rc = ro_load(cmd, req->ro_number, &ro);
    return rc ? rc : cmd_reply_free(cmd, &ro->base);
}

/* --- delivery and after ------------------------------------------------------ */

/* The invoice: labour of the jobs not declined, parts as consumed when parts'
 * consumption came (else the part lines), accessories: the accessory-flagged
 * lines of that consumption and the amount keyed at delivery; the customer
 * pays the customer-pay jobs (their accessory lines included) and the keyed
 * accessories. A consumed line is charged at its RO part line's price, the one
 * agreed with the customer (ro_progress.c); the catalogue amounts beside them
 * are the same lines at what parts charged, so catalogue - agreed is the
 * discount given. */
static void s_invoice(const As__RepairOrder *ro, int64_t accessories, As__Invoice *invoice)
{
    int64_t labour = 0, parts = 0, customer = accessories;
    bool consumed = ro->has_parts_consumed_cents;
    for (size_t i = 0; i < ro->n_jobs; i++) {
        const As__Job *job = ro->jobs[i];
        if (job->status == AS__JOB_STATUS__JOB_DECLINED)
            continue;
        int64_t job_labour = labour_cents(job->labour);
        int64_t job_parts =
            consumed ? job->parts_consumed_cents : part_lines_cents(job->parts, job->n_parts);
        labour += job_labour;
        parts += job_parts;
        if (job->pay_type == AS__PAY_TYPE__CUSTOMER_PAY)
            customer += job_labour + job_parts;
    }
    if (consumed)
        parts = ro->parts_consumed_cents - ro->accessories_consumed_cents;
    if (consumed)
        accessories += ro->accessories_consumed_cents;
    if (consumed && ro->has_parts_catalogue_cents) {
        invoice->has_parts_catalogue_cents = invoice->has_accessories_catalogue_cents = 1;
        invoice->parts_catalogue_cents =
            ro->parts_catalogue_cents - ro->accessories_catalogue_cents;
        invoice->accessories_catalogue_cents = ro->accessories_catalogue_cents;
    }
    invoice->has_labour_cents = invoice->has_parts_cents = invoice->has_accessories_cents = 1;
    invoice->has_total_cents = invoice->has_customer_pay_cents = 1;
    invoice->labour_cents = labour;
    invoice->parts_cents = parts;
    invoice->accessories_cents = accessories;
    invoice->total_cents = labour + parts + accessories;
    invoice->customer_pay_cents = customer;
}

static int s_deliver(as_cmd_t *cmd, As__RepairOrder *ro)
{
    const As__RoDeliver *req = (const As__RoDeliver *)cmd->request;
    if (ro->status != AS__RO_STATUS__RO_READY_FOR_DELIVERY)
        return s_not_in(cmd, ro, "not ready for delivery (the vehicle has not completed qc)");
    if (req->has_accessories_cents &&
        (req->accessories_cents < 0 || req->accessories_cents > MAX_PRICE_CENTS))
        return as_cmd_fail(cmd, AS_EINVALID, "repair order '%s': accessories_cents must be 0..%lld",
                           ro->ro_number, MAX_PRICE_CENTS);
    int rc = advisor_sales_next_service(cmd, ro, req->next_service_date, req->has_next_service_km,
                                        req->next_service_km);
    if (rc == 0)
        rc = lounge_leave(cmd, ro);
    if (rc != 0)
        return rc;
    As__Invoice *invoice = calloc(1, sizeof *invoice);
    if (!invoice)
        return -ENOMEM;
    as__invoice__init(invoice);
    s_invoice(ro, req->has_accessories_cents ? req->accessories_cents : 0, invoice);
    if (ro->invoice)
        as__invoice__free_unpacked(ro->invoice, NULL);
    ro->invoice = invoice;
    ro->status = AS__RO_STATUS__RO_DELIVERED;
    ro->has_delivered_us = 1;
    ro->delivered_us = as_cmd_time(cmd);
    return 0;
}

int ro_deliver(as_cmd_t *cmd)
{
    const As__RoDeliver *req = (const As__RoDeliver *)cmd->request;
    return ro_update(cmd, req->ro_number, s_deliver, "reception.ro.delivered");
}

static int s_close(as_cmd_t *cmd, As__RepairOrder *ro)
{
    if (ro->status != AS__RO_STATUS__RO_DELIVERED)
        return s_not_in(cmd, ro, "only a delivered repair order can be closed");
    ro->status = AS__RO_STATUS__RO_CLOSED;
    ro->has_closed_us = 1;
    ro->closed_us = as_cmd_time(cmd);
    return 0;
}

int ro_close(as_cmd_t *cmd)
{
    const As__RoAction *req = (const As__RoAction *)cmd->request;
    return ro_update(cmd, req->ro_number, s_close, "reception.ro.closed");
}

static int s_followup(as_cmd_t *cmd, As__RepairOrder *ro)
{
    const As__FollowupRecord *req = (const As__FollowupRecord *)cmd->request;
    if (ro->status != AS__RO_STATUS__RO_DELIVERED && ro->status != AS__RO_STATUS__RO_CLOSED)
        return s_not_in(cmd, ro, "the follow-up call comes after delivery");
    if (ro->csi_score)
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "repair order '%s' already has its follow-up (csi score %u)",
                           ro->ro_number, ro->csi_score);
    if (!req->has_csi_score || req->csi_score < 1 || req->csi_score > 10)
        return as_cmd_fail(cmd, AS_EINVALID, "repair order '%s': csi_score must be 1..10",
                           ro->ro_number);
    ro->has_csi_score = 1;
    ro->csi_score = req->csi_score;
    int rc = blank(req->comment) ? 0 : set_text(&ro->followup_comment, req->comment);
    if (rc)
        return rc;
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    As__FollowupRecorded recorded = AS__FOLLOWUP_RECORDED__INIT;
    recorded.ro_number = ro->ro_number;
    recorded.advisor = ro->advisor;
    recorded.has_csi_score = 1;
    recorded.csi_score = ro->csi_score;
    recorded.date = date;
    return as_cmd_emit(cmd, "reception.followup.recorded", ro->ro_number, &recorded.base);
}

int followup_record(as_cmd_t *cmd)
{
    const As__FollowupRecord *req = (const As__FollowupRecord *)cmd->request;
    return ro_update(cmd, req->ro_number, s_followup, NULL);
}
