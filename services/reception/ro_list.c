/* ro_list.c — reception.ro.list (repair orders newest first, by status,
 * advisor and opening dates) through the index `ros_by_date` that ro.open
 * writes, and reception.vehicle.history (a vehicle's ROs through
 * `ros_by_vin`). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reception.h"

#define LIST_LIMIT_DEFAULT 20u
#define LIST_LIMIT_MAX 100u

int ro_index_by_date(as_service_t *svc, MDB_txn *txn, const As__RepairOrder *ro)
{
    as_key_t key;
    int rc = as_key_of(&key, ro->opened_date ? ro->opened_date : "", ro->ro_number, NULL);
    return rc == 0 ? as_record_put_key(txn, as_record_dbi(svc, "ros_by_date"), &key, NULL) : rc;
}

/* The extra defects of an RO that wait for the customer's answer. */
static uint32_t s_extra_work_waiting(const As__RepairOrder *ro)
{
    uint32_t n = 0;
    for (size_t i = 0; i < ro->n_extra_work; i++)
        n += blank(ro->extra_work[i]->answer);
    return n;
}

/* A summary borrowing the RO's fields; with its jobs or only their count. */
static void s_summary_of(const As__RepairOrder *ro, bool jobs, As__RoSummary *s)
{
    as__ro_summary__init(s);
    s->ro_number = ro->ro_number;
    s->opened_date = ro->opened_date;
    s->has_status = s->has_mileage_km = s->has_estimate_cents = s->has_job_count = 1;
    s->status = ro->status;
    s->advisor = ro->advisor;
    s->vin = ro->vin;
    s->customer_id = ro->customer_id;
    s->mileage_km = ro->mileage_km;
    s->estimate_cents = ro->estimate_cents;
    s->job_count = (uint32_t)ro->n_jobs;
    s->comeback_of = ro->comeback_of;
    s->comeback_cause = ro->comeback_cause;
    s->extra_work_waiting = s_extra_work_waiting(ro);
    s->has_extra_work_waiting = s->extra_work_waiting > 0;
    s->has_ready_us = ro->has_ready_us;
    s->ready_us = ro->ready_us;
    s->has_delivered_us = ro->has_delivered_us;
    s->delivered_us = ro->delivered_us;
    s->has_csi_score = ro->has_csi_score;
    s->csi_score = ro->csi_score;
    s->parts_promised_date = (char *)ro_parts_promised_date(ro);
    if (ro->invoice) {
        s->has_total_cents = s->has_customer_pay_cents = 1;
        s->total_cents = ro->invoice->total_cents;
        s->customer_pay_cents = ro->invoice->customer_pay_cents;
    }
    if (jobs) {
        s->jobs = ro->jobs;
        s->n_jobs = ro->n_jobs;
    }
}

/* ROs loaded for a reply, with their summaries. */
typedef struct {
    As__RepairOrder **ros;
    As__RoSummary *summaries;
    As__RoSummary **list;
    size_t n, cap;
} s_page_t;

static int s_page_add(s_page_t *page, As__RepairOrder *ro, bool jobs)
{
    if (page->n == page->cap) {
        size_t cap = page->cap ? page->cap * 2 : 16;
        As__RepairOrder **ros = realloc(page->ros, cap * sizeof *ros);
        if (ros)
            page->ros = ros;
        As__RoSummary *summaries = realloc(page->summaries, cap * sizeof *summaries);
        if (summaries)
            page->summaries = summaries;
        As__RoSummary **list = realloc(page->list, cap * sizeof *list);
        if (list)
            page->list = list;
        if (!ros || !summaries || !list)
            return -ENOMEM;
        page->cap = cap;
    }
    page->ros[page->n] = ro;
    s_summary_of(ro, jobs, &page->summaries[page->n]);
    page->n++;
    return 0;
}

static void s_page_release(s_page_t *page)
{
    for (size_t i = 0; i < page->n; i++)
        as__repair_order__free_unpacked(page->ros[i], NULL);
    free(page->ros);
    free(page->summaries);
    free(page->list);
}

/* The list of summaries (after the last add: the array may have moved). */
static As__RoSummary **s_page_list(s_page_t *page)
{
    for (size_t i = 0; i < page->n; i++)
        page->list[i] = &page->summaries[i];
    return page->list;
}

/* --- ro.list ------------------------------------------------------------------ */

static bool s_wanted(const As__RoListQuery *q, const As__RepairOrder *ro)
{
    if (q->has_status && q->status != AS__RO_STATUS__RO_STATUS_UNSET && ro->status != q->status)
        return false;
    if (q->has_open && q->open &&
        (ro->status == AS__RO_STATUS__RO_DELIVERED || ro->status == AS__RO_STATUS__RO_CLOSED))
        return false;
    if (q->has_comeback && q->comeback && blank(ro->comeback_of))
        return false;
    if (q->has_extra_work_waiting && q->extra_work_waiting &&
        (ro->status != AS__RO_STATUS__RO_IN_WORKSHOP || s_extra_work_waiting(ro) == 0))
        return false;
    if (q->has_followup_due && q->followup_due &&
        ((ro->status != AS__RO_STATUS__RO_DELIVERED && ro->status != AS__RO_STATUS__RO_CLOSED) ||
         ro->csi_score != 0))
        return false;
    if (q->has_parts_promised && q->parts_promised &&
        (ro->status != AS__RO_STATUS__RO_IN_WORKSHOP || !ro_parts_promised_date(ro)))
        return false;
    return blank(q->advisor) || (ro->advisor && strcmp(ro->advisor, q->advisor) == 0);
}

static int s_check_list(as_cmd_t *cmd, const As__RoListQuery *q, uint32_t limit)
{
    if (limit == 0 || limit > LIST_LIMIT_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "limit %u must be 1 to %u", limit, LIST_LIMIT_MAX);
    if (!blank(q->from) && !as_date_valid(q->from))
        return as_cmd_fail(cmd, AS_EINVALID, "from '%s' is not a date YYYY-MM-DD", q->from);
    if (!blank(q->to) && !as_date_valid(q->to))
        return as_cmd_fail(cmd, AS_EINVALID, "to '%s' is not a date YYYY-MM-DD", q->to);
    if (!blank(q->from) && !blank(q->to) && as_date_diff_days(q->from, q->to) < 0)
        return as_cmd_fail(cmd, AS_EINVALID, "from '%s' is after to '%s'", q->from, q->to);
    return 0;
}

/* Where the newest-first walk starts: just after the `after` RO, else after the
 * last key of day `to`, else at the end. *start is an index key, or empty. */
static int s_start_key(as_cmd_t *cmd, const As__RoListQuery *q, as_key_t *start)
{
    start->len = start->parts = 0;
    if (!blank(q->after)) {
        As__RepairOrder *after = NULL;
        int rc = as_record_load(cmd, as_record_dbi(cmd->svc, "ros"), "repair order", q->after,
                                &as__repair_order__descriptor, &after);
        if (rc == 0) {
            rc = as_key_of(start, after->opened_date ? after->opened_date : "", q->after, NULL);
            as__repair_order__free_unpacked(after, NULL);
        }
        return rc;
    }
    if (blank(q->to))
        return 0;
    int rc = as_key_of(start, q->to, NULL); /* and a byte above the separator: after that day */
    if (rc == 0)
        start->data[start->len++] = '\x01';
    return rc;
}

static int s_walk(as_cmd_t *cmd, const As__RoListQuery *q, MDB_cursor *cur, uint32_t limit,
                  s_page_t *page, bool *more)
{
    as_key_t start;
    int rc = s_start_key(cmd, q, &start);
    if (rc != 0)
        return rc;
    MDB_val k = {start.len, start.data}, v;
    rc = start.len ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) : MDB_NOTFOUND;
    rc = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_PREV) : mdb_cursor_get(cur, &k, &v, MDB_LAST);
    size_t from_len = blank(q->from) ? 0 : strlen(q->from);
    for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
        if (from_len && memcmp(k.mv_data, q->from, k.mv_size < from_len ? k.mv_size : from_len) < 0)
            break;
        const char *sep = memchr(k.mv_data, AS_KEY_SEP, k.mv_size);
        char number[AS_KEY_MAX + 1];
        size_t len = sep ? k.mv_size - (size_t)(sep + 1 - (const char *)k.mv_data) : 0;
        memcpy(number, sep ? sep + 1 : "", len);
        number[len] = '\0';
        As__RepairOrder *ro = NULL;
        if ((rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "ros"), number,
                                &as__repair_order__descriptor, &ro)) != 0)
            break;
        if (!s_wanted(q, ro)) {
            as__repair_order__free_unpacked(ro, NULL);
            continue;
        }
        if (page->n == limit) {
            *more = true;
            as__repair_order__free_unpacked(ro, NULL);
            break;
        }
        if ((rc = s_page_add(page, ro, q->has_with_jobs && q->with_jobs)) != 0) {
            as__repair_order__free_unpacked(ro, NULL);
            break;
        }
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int ro_list(as_cmd_t *cmd)
{
    const As__RoListQuery *q = (const As__RoListQuery *)cmd->request;
    uint32_t limit = q->has_limit ? q->limit : LIST_LIMIT_DEFAULT;
    int rc = s_check_list(cmd, q, limit);
    if (rc != 0)
        return rc;
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(cmd->txn, as_record_dbi(cmd->svc, "ros_by_date"), &cur)) != 0)
        return rc;
    s_page_t page = {NULL, NULL, NULL, 0, 0};
    bool more = false;
    rc = s_walk(cmd, q, cur, limit, &page, &more);
    mdb_cursor_close(cur);
    if (rc == 0) {
        As__RoList reply = AS__RO_LIST__INIT;
        reply.ros = s_page_list(&page);
        reply.n_ros = page.n;
        if (more)
            reply.next_after = page.ros[page.n - 1]->ro_number;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    s_page_release(&page);
    return rc;
}

/* --- vehicle.history ------------------------------------------------------------ */

static int s_newest_first(const void *a, const void *b)
{
    const As__RepairOrder *x = *(As__RepairOrder *const *)a, *y = *(As__RepairOrder *const *)b;
    return (x->opened_us < y->opened_us) - (x->opened_us > y->opened_us);
}

int vehicle_history(as_cmd_t *cmd)
{
    const As__VehicleQuery *req = (const As__VehicleQuery *)cmd->request;
    As__Vehicle *vehicle = NULL;
    int rc = vehicle_load(cmd, req->vin, &vehicle);
    if (rc != 0)
        return rc;
    as_record_list_t keys;
    s_page_t page = {NULL, NULL, NULL, 0, 0};
    rc = as_record_scan_in(cmd->txn, as_record_dbi(cmd->svc, "ros_by_vin"), vehicle->vin, NULL,
                           &keys);
    for (size_t i = 0; rc == 0 && i < keys.n; i++) {
        As__RepairOrder *ro = NULL;
        if ((rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "ros"), keys.keys[i],
                                &as__repair_order__descriptor, &ro)) == 0 &&
            (rc = s_page_add(&page, ro, true)) != 0)
            as__repair_order__free_unpacked(ro, NULL);
    }
    if (rc == 0) {
        if (page.n) /* no RO: no array */
            qsort(page.ros, page.n, sizeof *page.ros, s_newest_first);
        for (size_t i = 0; i < page.n; i++)
            s_summary_of(page.ros[i], true, &page.summaries[i]);
        As__VehicleHistory reply = AS__VEHICLE_HISTORY__INIT;
        reply.vin = vehicle->vin;
        reply.plate = vehicle->plate;
        reply.model = vehicle->model;
        reply.customer_id = vehicle->customer_id;
        reply.has_mileage_km = vehicle->has_mileage_km;
        reply.mileage_km = vehicle->mileage_km;
        reply.ros = s_page_list(&page);
        reply.n_ros = page.n;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    as_record_list_free(&keys);
    s_page_release(&page);
    as__vehicle__free_unpacked(vehicle, NULL);
    return rc;
}
