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
    int rc = as_store_get_msg(evt->txn, s_dbi(evt->svc), id, strlen(id),
                              &as__kpi_tool_note__descriptor, (ProtobufCMessage **)out);
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
        rc = as_store_put_msg(evt->txn, s_dbi(evt->svc), id, strlen(id), &after->base);
    return rc;
}

static bool s_good(const char *condition)
{
    return condition && strcmp(condition, "good") == 0;
}

int kpi_evt_tool_registered(as_evt_t *evt)
{
    As__ToolItemRegistered *m =
        as__tool_item_registered__unpack(NULL, evt->env->payload.len, evt->env->payload.data);
    const As__ToolItem *item = m ? m->item : NULL;
    int rc = AS_EINVALID;
    if (item && s_id_ok(item->tool_id)) {
        char date[AS_DATE_LEN + 1];
        kpi_event_date(evt, m->date, date);
        As__KpiToolNote note = AS__KPI_TOOL_NOTE__INIT;
        KPI_SET(note, good, !item->condition || s_good(item->condition));
        KPI_SET(note, lost, item->lost);
        note.next_calibration = item->next_calibration;
        As__KpiToolNote *before;
        rc = s_note_get(evt, item->tool_id, &before);
        if (rc == 0)
            rc = s_tool_update(evt, date, item->tool_id, before, &note);
        if (before)
            as__kpi_tool_note__free_unpacked(before, NULL);
    }
    if (m)
        as__tool_item_registered__free_unpacked(m, NULL);
    return rc;
}

/* A calibration done counts on the day it fell due; the tool's next due date
 * moves on. */
int kpi_evt_tool_calibrated(as_evt_t *evt)
{
    As__ToolCalibrationRecorded *m =
        as__tool_calibration_recorded__unpack(NULL, evt->env->payload.len, evt->env->payload.data);
    if (!m || !s_id_ok(m->tool_id) || !m->calibration) {
        if (m)
            as__tool_calibration_recorded__free_unpacked(m, NULL);
        return AS_EINVALID;
    }
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
        rc = as_store_put_msg(evt->txn, s_dbi(evt->svc), m->tool_id, strlen(m->tool_id),
                              &note->base);
        note->next_calibration = own;
        as__kpi_tool_note__free_unpacked(note, NULL);
    }
    as__tool_calibration_recorded__free_unpacked(m, NULL);
    return rc;
}

static As__ToolLoanChanged *s_loan_changed(as_evt_t *evt)
{
    As__ToolLoanChanged *m =
        as__tool_loan_changed__unpack(NULL, evt->env->payload.len, evt->env->payload.data);
    if (m && (!m->loan || !s_id_ok(m->loan->tool_id))) {
        as__tool_loan_changed__free_unpacked(m, NULL);
        return NULL;
    }
    return m;
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
    As__ToolLoanChanged *m = s_loan_changed(evt);
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
    as__tool_loan_changed__free_unpacked(m, NULL);
    return rc;
}

int kpi_evt_loan_checked_in(as_evt_t *evt)
{
    As__ToolLoanChanged *m = s_loan_changed(evt);
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
    as__tool_loan_changed__free_unpacked(m, NULL);
    return rc;
}

int kpi_evt_loan_lost(as_evt_t *evt)
{
    As__ToolLoanChanged *m = s_loan_changed(evt);
    if (!m)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, as_date_valid(m->loan->in_date) ? m->loan->in_date : m->date, date);
    int rc = s_tool_condition(evt, date, m->loan->tool_id, NULL, true);
    as__tool_loan_changed__free_unpacked(m, NULL);
    return rc;
}

/* --- at report time ----------------------------------------------------- */

int kpi_calibrations_overdue(as_service_t *svc, MDB_txn *txn, const char *first_date,
                             const char *last_date, const char *today, As__KpiCounters *c)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, as_store_dbi(as_service_store(svc), "tools"), &cur);
    if (rc != 0)
        return rc;
    int64_t overdue = 0;
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        As__KpiToolNote *note = as__kpi_tool_note__unpack(NULL, v.mv_size, v.mv_data);
        if (!note)
            continue;
        const char *next = note->next_calibration;
        if (!note->lost && as_date_valid(next) && strcmp(next, first_date) >= 0 &&
            strcmp(next, last_date) <= 0 && strcmp(next, today) < 0)
            overdue++;
        as__kpi_tool_note__free_unpacked(note, NULL);
    }
    mdb_cursor_close(cur);
    c->has_calibrations_overdue = 1;
    c->calibrations_overdue = overdue;
    return rc == MDB_NOTFOUND ? 0 : rc;
}
