/* counters_tools.c — kpi's counters from the tool room's events: the tool
 * preservation rate, loan registration accuracy and calibration on-time rate.
 *
 * Preservation is a level (tools registered, tools in good condition and not
 * lost): kpi keeps what it knows of each tool in its "tools" db and adds each
 * change of the levels to the day's "L|" record. A loan counts on its
 * check-out day, and is complete when the technician signed for it and it was
 * checked in. A calibration counts against the day it fell due. */
#include <stdio.h>
#include <string.h>

#include "as/error.h"
#include "as/pb/tools.pb-c.h"
#include "kpi.h"

static MDB_dbi s_dbi(as_service_t *svc)
{
    return as_store_dbi(as_service_store(svc), "tools");
}

static bool s_id_ok(const char *id)
{
    return id && *id && strlen(id) < 256;
}

/* The note of tool `id` (*out NULL when kpi has none). Caller frees *out. */
static int s_note_get(as_evt_t *evt, const char *id, As__KpiToolNote **out)
{
    *out = NULL;
    int rc = as_record_get(evt->txn, s_dbi(evt->svc), id, &as__kpi_tool_note__descriptor, out);
    if (rc != 0)
        *out = NULL;
    return rc == MDB_NOTFOUND || rc == AS_EBADFRAME ? 0 : rc;
}

/* Stores the tool's new state `after` (its state `before`, NULL for a tool
 * kpi has not seen) and counts the change of the levels on `date`. */
static int s_tool_update(as_evt_t *evt, const char *date, const char *id,
                         const As__KpiToolNote *before, const As__KpiToolNote *after)
{
    bool was_good = before && before->good && !before->lost;
    bool is_good = after->good && !after->lost;
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    if (!before)
        KPI_SET(d, tools_registered, 1);
    if (was_good != is_good)
        KPI_SET(d, tools_good, is_good ? 1 : -1);
    int rc = 0;
    if (d.has_tools_registered || d.has_tools_good)
        rc = kpi_level_add(evt, date, &d);
    if (rc == 0)
        rc = as_record_put(evt->txn, s_dbi(evt->svc), id, &after->base);
    return rc;
}

static bool s_good(const char *condition)
{
    return condition && strcmp(condition, "good") == 0;
}

int kpi_evt_tool_registered(as_evt_t *evt)
{
    const As__ToolItemRegistered *m = (const As__ToolItemRegistered *)evt->payload;
    const As__ToolItem *item = m->item;
    if (!item || !s_id_ok(item->tool_id))
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    As__KpiToolNote note = AS__KPI_TOOL_NOTE__INIT;
    KPI_SET(note, good, !item->condition || s_good(item->condition));
    KPI_SET(note, lost, item->lost);
    note.next_calibration = item->next_calibration;
    As__KpiToolNote *before;
    int rc = s_note_get(evt, item->tool_id, &before);
    if (rc == 0)
        rc = s_tool_update(evt, date, item->tool_id, before, &note);
    if (before)
        as__kpi_tool_note__free_unpacked(before, NULL);
    return rc;
}

/* A calibration done counts on the day it fell due; the tool's next due date
 * moves on. */
int kpi_evt_tool_calibrated(as_evt_t *evt)
{
    const As__ToolCalibrationRecorded *m = (const As__ToolCalibrationRecorded *)evt->payload;
    if (!s_id_ok(m->tool_id) || !m->calibration)
        return AS_EINVALID;
    const As__ToolCalibration *cal = m->calibration;
    int rc = 0;
    if (as_date_valid(cal->due_date)) {
        As__KpiCounters d = AS__KPI_COUNTERS__INIT;
        KPI_SET(d, calibrations_due, 1);
        if (cal->on_time)
            KPI_SET(d, calibrations_on_time, 1);
        rc = kpi_count(evt, cal->due_date, KPI_DEPARTMENT, "", &d);
    }
    As__KpiToolNote *note = NULL;
    if (rc == 0)
        rc = s_note_get(evt, m->tool_id, &note);
    if (rc == 0 && note) {
        char *own = note->next_calibration; /* the note's, freed with it */
        note->next_calibration = m->next_calibration && *m->next_calibration
                                     ? m->next_calibration
                                     : NULL; /* borrowed from m until the put */
        rc = as_record_put(evt->txn, s_dbi(evt->svc), m->tool_id, &note->base);
        note->next_calibration = own;
        as__kpi_tool_note__free_unpacked(note, NULL);
    }
    return rc;
}

/* The event's loan when it names a tool, else NULL. */
static const As__ToolLoanChanged *s_loan_changed(as_evt_t *evt)
{
    const As__ToolLoanChanged *m = (const As__ToolLoanChanged *)evt->payload;
    return m->loan && s_id_ok(m->loan->tool_id) ? m : NULL;
}

/* The tool's condition as checked jointly at check-out or check-in (and lost
 * or not) becomes its state. */
static int s_tool_condition(as_evt_t *evt, const char *date, const char *id, const char *condition,
                            bool lost)
{
    As__KpiToolNote *old;
    int rc = s_note_get(evt, id, &old);
    if (rc != 0 || !old)
        return rc; /* a tool kpi never saw registered is not in its levels */
    As__KpiToolNote note = *old;
    note.base.n_unknown_fields = 0;
    note.base.unknown_fields = NULL;
    if (condition)
        KPI_SET(note, good, s_good(condition));
    if (lost)
        KPI_SET(note, lost, 1);
    rc = s_tool_update(evt, date, id, old, &note);
    as__kpi_tool_note__free_unpacked(old, NULL);
    return rc;
}

int kpi_evt_loan_checked_out(as_evt_t *evt)
{
    const As__ToolLoanChanged *m = s_loan_changed(evt);
    if (!m)
        return AS_EINVALID;
    const As__ToolLoan *loan = m->loan;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, as_date_valid(loan->out_date) ? loan->out_date : m->date, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, tool_loans, 1);
    int rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
    if (rc == 0)
        rc = kpi_count(evt, date, KPI_TECHNICIAN, loan->technician, &d);
    if (rc == 0 && loan->condition_out)
        rc = s_tool_condition(evt, date, loan->tool_id, loan->condition_out, false);
    return rc;
}

int kpi_evt_loan_checked_in(as_evt_t *evt)
{
    const As__ToolLoanChanged *m = s_loan_changed(evt);
    if (!m)
        return AS_EINVALID;
    const As__ToolLoan *loan = m->loan;
    char in_date[AS_DATE_LEN + 1], out_date[AS_DATE_LEN + 1];
    kpi_event_date(evt, as_date_valid(loan->in_date) ? loan->in_date : m->date, in_date);
    kpi_event_date(evt, loan->out_date, out_date);
    int rc = 0;
    if (loan->signature) {
        As__KpiCounters d = AS__KPI_COUNTERS__INIT;
        KPI_SET(d, tool_loans_complete, 1);
        rc = kpi_count(evt, out_date, KPI_DEPARTMENT, "", &d);
        if (rc == 0)
            rc = kpi_count(evt, out_date, KPI_TECHNICIAN, loan->technician, &d);
    }
    if (rc == 0 && loan->condition_in)
        rc = s_tool_condition(evt, in_date, loan->tool_id, loan->condition_in, false);
    return rc;
}

int kpi_evt_loan_lost(as_evt_t *evt)
{
    const As__ToolLoanChanged *m = s_loan_changed(evt);
    if (!m)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, as_date_valid(m->loan->in_date) ? m->loan->in_date : m->date, date);
    return s_tool_condition(evt, date, m->loan->tool_id, NULL, true);
}

/* --- at report time ----------------------------------------------------- */

int kpi_calibrations_overdue(as_service_t *svc, MDB_txn *txn, const char *first_date,
                             const char *last_date, const char *today, As__KpiCounters *c)
{
    as_record_list_t tools;
    int rc = as_record_scan(txn, s_dbi(svc), NULL, &as__kpi_tool_note__descriptor, &tools);
    int64_t overdue = 0;
    for (size_t i = 0; i < tools.n; i++) {
        const As__KpiToolNote *note = (const As__KpiToolNote *)tools.msgs[i];
        const char *next = note->next_calibration;
        if (!note->lost && as_date_valid(next) && strcmp(next, first_date) >= 0 &&
            strcmp(next, last_date) <= 0 && strcmp(next, today) < 0)
            overdue++;
    }
    as_record_list_free(&tools);
    c->has_calibrations_overdue = 1;
    c->calibrations_overdue = overdue;
    return rc;
}
