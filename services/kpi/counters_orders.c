/* counters_orders.c — kpi's counters from the parts service's orders and
 * issues: timely supply (及时供货率) and the RO parts on-time rate
 * (维修工单及时供货率). Both come from parts alone (one source, whose own
 * order always holds), and each event carries what the figure needs, so kpi
 * keeps no note of its own.
 *
 * Timely supply counts each order line on its promised date (a cohort, like
 * warranty's): it is due that day when the supplier promises it, and on time
 * when the ordered quantity is all received by that date. A line is counted
 * on time once: at its confirmation when it was received in full before the
 * supplier answered, else at the receipt that completes it (a receipt cannot
 * go past a line's quantity: parts refuses an over-delivery). A line never
 * promised is in neither count: there was no promise to keep.
 *
 * The RO parts on-time rate counts an RO parts line (one parts.issue
 * request) on the day it is issued in full: at the request when the shelf
 * gave it all (first pick: on time), else at the backorder fill that
 * completes it, on time when that day is on or before the promised date of
 * the backorder's order line (a backorder never promised is late). A
 * backorder closed unfilled when the RO passed QC was never issued: not
 * counted. */
#include <string.h>

#include "as/error.h"
#include "as/pb/parts.pb-c.h"
#include "kpi.h"

static const As__OrderLine *s_line(const As__PartsOrder *o, uint32_t line_no)
{
    for (size_t i = 0; i < o->n_lines; i++)
        if (o->lines[i] && o->lines[i]->line_no == line_no)
            return o->lines[i];
    return NULL;
}

static bool s_in_full_by_promise(const As__OrderLine *l)
{
    return l->received >= l->quantity && as_date_valid(l->completed_date) &&
           strcmp(l->completed_date, l->promised_date) <= 0;
}

/* A line the dealer cancelled on or before its promised date: the promise
 * was withdrawn before it fell due, so it is not due (cancelled later, it
 * was late already: it stays due, never on time). */
static bool s_withdrawn(const As__OrderLine *l)
{
    return l->cancelled > 0 && as_date_valid(l->cancelled_date) &&
           strcmp(l->cancelled_date, l->promised_date) <= 0;
}

/* Counts each named line that is promised: due (when `due`) and on time. */
static int s_count_lines(as_evt_t *evt, const As__OrderChanged *m, bool due)
{
    if (!m->order)
        return AS_EINVALID;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m->n_lines; i++) {
        const As__OrderLine *l = s_line(m->order, m->lines[i]);
        if (!l || !as_date_valid(l->promised_date) || s_withdrawn(l))
            continue; /* never promised, or withdrawn: no promise to keep */
        As__KpiCounters d = AS__KPI_COUNTERS__INIT;
        if (due)
            KPI_SET(d, order_lines_due, 1);
        if (s_in_full_by_promise(l))
            KPI_SET(d, order_lines_on_time, 1);
        if (d.has_order_lines_due || d.has_order_lines_on_time)
            rc = kpi_count(evt, l->promised_date, KPI_DEPARTMENT, "", &d);
    }
    return rc;
}

/* parts.order.confirmed: the lines promised now are due on their date. */
int kpi_evt_order_confirmed(as_evt_t *evt)
{
    return s_count_lines(evt, (const As__OrderChanged *)evt->payload, true);
}

/* parts.order.received: a line a receipt completed is on time when that was
 * by its promised date. */
int kpi_evt_order_received(as_evt_t *evt)
{
    return s_count_lines(evt, (const As__OrderChanged *)evt->payload, false);
}

/* parts.order.cancelled: a promised line cancelled on or before its
 * promised date is due no more (it was counted due at its confirmation). A
 * confirmation that comes after the cancellation (the OEM's answer crossed
 * it) carries the cancelled line and is not counted (s_withdrawn): the same
 * figures in either order. */
int kpi_evt_order_cancelled(as_evt_t *evt)
{
    const As__OrderCancelled *m = (const As__OrderCancelled *)evt->payload;
    if (!m->order)
        return AS_EINVALID;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m->n_lines; i++) {
        const As__OrderLine *l = s_line(m->order, m->lines[i]);
        if (!l || !l->confirmed || !as_date_valid(l->promised_date) || !s_withdrawn(l))
            continue;
        As__KpiCounters d = AS__KPI_COUNTERS__INIT;
        KPI_SET(d, order_lines_due, -1);
        rc = kpi_count(evt, l->promised_date, KPI_DEPARTMENT, "", &d);
    }
    return rc;
}

void kpi_ro_parts_line(const char *date, const As__PartIssue *issue, As__KpiCounters *d)
{
    if (issue->first_pick) {
        KPI_SET(*d, ro_parts_lines, 1);
        KPI_SET(*d, ro_parts_lines_on_time, 1);
    } else if (issue->backorder_of && issue->backorder_of[0] && issue->line_complete) {
        KPI_SET(*d, ro_parts_lines, 1);
        if (as_date_valid(issue->promised_date) && strcmp(date, issue->promised_date) <= 0)
            KPI_SET(*d, ro_parts_lines_on_time, 1);
    }
}
