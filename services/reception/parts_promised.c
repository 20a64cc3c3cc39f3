/* parts_promised.c — parts.order.promised: an RO job's backordered part got
 * a promised date from the supplier (the warehouse keeper's duty "confirm the
 * delivery date and tell the workshop"). Reception keeps it on the job
 * (Job.parts_promised, one entry per backorder: a later promise replaces an
 * earlier one) and the latest date on the RO (RepairOrder.parts_promised_date),
 * so reception.ro.show shows it and reception.ro.list parts_promised=true
 * lists the ROs in the workshop waiting for parts with a promised date (the
 * advisor's list). parts.order.cancelled takes the promise back when the
 * urgent line that made it is cancelled (the job waits again, promised
 * nothing, until the part is ordered anew). Parts is the one source of both. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/log.h"
#include "as/pb/parts.pb-c.h"
#include "reception.h"

static As__PartsPromise *s_promise_of(As__Job *job, const char *backorder_id)
{
    for (size_t i = 0; i < job->n_parts_promised; i++)
        if (job->parts_promised[i]->backorder_id &&
            strcmp(job->parts_promised[i]->backorder_id, backorder_id) == 0)
            return job->parts_promised[i];
    As__PartsPromise **grown =
        realloc(job->parts_promised, (job->n_parts_promised + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    job->parts_promised = grown;
    As__PartsPromise *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    as__parts_promise__init(p);
    job->parts_promised[job->n_parts_promised++] = p;
    return p;
}

static int s_promise(As__Job *job, const As__OrderPromised *m)
{
    As__PartsPromise *p = s_promise_of(job, m->backorder_id);
    if (!p)
        return -ENOMEM;
    p->has_quantity = p->has_line_no = 1;
    p->quantity = m->quantity;
    p->line_no = m->line_no;
    int rc = set_text(&p->part_number, m->part_number);
    if (rc == 0)
        rc = set_text(&p->promised_date, m->promised_date);
    if (rc == 0)
        rc = set_text(&p->backorder_id, m->backorder_id);
    return rc ? rc : set_text(&p->order_id, m->order_id);
}

int on_order_promised(as_evt_t *evt)
{
    const As__OrderPromised *m = (const As__OrderPromised *)evt->payload;
    if (blank(m->ro_number) || blank(m->backorder_id) || !as_date_valid(m->promised_date))
        return AS_EINVALID;
    As__RepairOrder *ro;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "ros"), m->ro_number,
                           &as__repair_order__descriptor, &ro);
    if (rc == MDB_NOTFOUND) {
        as_warn("parts.order.promised: repair order '%s' does not exist", m->ro_number);
        return 0;
    }
    if (rc != 0)
        return rc;
    As__Job *job = NULL;
    for (size_t i = 0; i < ro->n_jobs; i++)
        if (ro->jobs[i]->job_no == m->job_no)
            job = ro->jobs[i];
    if (!job)
        as_warn("parts.order.promised: repair order '%s' has no job %u", m->ro_number, m->job_no);
    else if ((rc = s_promise(job, m)) == 0 &&
             (rc = set_text(&ro->parts_promised_date, ro_parts_promised_date(ro))) == 0)
        rc = ro_save(evt->svc, evt->txn, ro);
    as__repair_order__free_unpacked(ro, NULL);
    return rc;
}

const char *ro_parts_promised_date(const As__RepairOrder *ro)
{
    const char *latest = NULL;
    for (size_t i = 0; i < ro->n_jobs; i++)
        for (size_t j = 0; j < ro->jobs[i]->n_parts_promised; j++) {
            const char *d = ro->jobs[i]->parts_promised[j]->promised_date;
            if (d && d[0] && (!latest || strcmp(d, latest) > 0))
                latest = d;
        }
    return latest;
}

/* Drops from the RO's job the promise of `backorder_id` made by `order_id`
 * (a later order's promise of the same backorder stays). *dropped says
 * whether there was one. */
static void s_unpromise(As__Job *job, const char *backorder_id, const char *order_id, bool *dropped)
{
    size_t kept = 0;
    for (size_t i = 0; i < job->n_parts_promised; i++) {
        As__PartsPromise *p = job->parts_promised[i];
        if (p->backorder_id && strcmp(p->backorder_id, backorder_id) == 0 && p->order_id &&
            strcmp(p->order_id, order_id) == 0) {
            as__parts_promise__free_unpacked(p, NULL);
            *dropped = true;
        } else {
            job->parts_promised[kept++] = p;
        }
    }
    job->n_parts_promised = kept;
}

/* One cancelled urgent line: its RO job's promise goes. */
static int s_cancel_line(as_evt_t *evt, const char *order_id, const As__OrderLine *l)
{
    As__RepairOrder *ro;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "ros"), l->ro_number,
                           &as__repair_order__descriptor, &ro);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    bool dropped = false;
    for (size_t i = 0; i < ro->n_jobs; i++)
        if (ro->jobs[i]->job_no == l->job_no)
            s_unpromise(ro->jobs[i], l->backorder_id, order_id, &dropped);
    const char *latest = dropped ? ro_parts_promised_date(ro) : NULL;
    if (dropped && latest)
        rc = set_text(&ro->parts_promised_date, latest);
    else if (dropped) { /* no part promised any more */
        free(ro->parts_promised_date);
        ro->parts_promised_date = NULL;
    }
    if (dropped && rc == 0)
        rc = ro_save(evt->svc, evt->txn, ro);
    as__repair_order__free_unpacked(ro, NULL);
    return rc;
}

int on_order_cancelled(as_evt_t *evt)
{
    const As__OrderCancelled *m = (const As__OrderCancelled *)evt->payload;
    if (!m->order || blank(m->order->order_id))
        return AS_EINVALID;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m->n_lines; i++)
        for (size_t j = 0; rc == 0 && j < m->order->n_lines; j++) {
            const As__OrderLine *l = m->order->lines[j];
            if (l && l->line_no == m->lines[i] && !blank(l->ro_number) && !blank(l->backorder_id))
                rc = s_cancel_line(evt, m->order->order_id, l);
        }
    return rc;
}
