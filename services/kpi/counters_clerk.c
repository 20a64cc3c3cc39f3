/* counters_clerk.c — kpi's counters of the information clerk's duties (issue 15).
 *
 * Renewal information rate = vehicles whose renewal information was
 * collected (an outcome other than unknown) / vehicles whose insurance ended
 * in the period. Both count on the term's END DATE (a cohort, like the
 * warranty figures): a term ending on 15 March is in March's denominator, and
 * the information collected for it, whenever the clerk got it, in March's
 * numerator, so a month's rate compares the same terms above and below the
 * line and cannot pass 100%.
 *
 * kpi keeps each vehicle's current term in db "insurance" [vin] ->
 * KpiInsuranceNote (end date, information known). reception.insurance.changed
 * with a new end date: the new term counts insurance_ending on its end date;
 * the old one stays counted when it had ended by the change's date or its
 * renewal was known (a term that ran), else it was a correction and leaves
 * its day. reception.insurance.renewal_recorded moves insurance_renewal_known
 * on the term's end date when the information turns known (or back to
 * unknown). Both events come from reception alone, in its order, so nothing
 * depends on how sources interleave.
 *
 * vehicles_waiting (the daily summary) is a level: reception.ro.opened adds
 * 1 and reception.ro.delivered takes 1 on their days ("L|date"; counters.c
 * calls kpi_vehicles_waiting_add).
 *
 * Each returns 0, AS_EINVALID for a payload it cannot use, or an LMDB code. */
#include <string.h>

#include "as/error.h"
#include "as/pb/reception.pb-c.h"
#include "kpi.h"

static int s_count(as_evt_t *evt, const char *date, int64_t ending, int64_t known)
{
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    if (ending)
        KPI_SET(d, insurance_ending, ending);
    if (known)
        KPI_SET(d, insurance_renewal_known, known);
    return kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
}

/* Makes `end` the vehicle's current term in *note (changed: *dirty). */
static int s_term(as_evt_t *evt, const char *date, const char *end, As__KpiInsuranceNote *note,
                  bool *dirty)
{
    if (note->end_date && strcmp(note->end_date, end) == 0)
        return 0;
    int rc = 0;
    if (note->end_date && *note->end_date && !note->known && strcmp(note->end_date, date) >= 0)
        rc = s_count(evt, note->end_date, -1, 0); /* corrected before it ended */
    if (rc == 0)
        rc = s_count(evt, end, 1, 0);
    note->end_date = (char *)end;
    note->has_known = 1;
    note->known = false;
    *dirty = true;
    return rc;
}

static int s_note_get(as_evt_t *evt, const char *vin, As__KpiInsuranceNote **note)
{
    *note = NULL;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "insurance"), vin,
                           &as__kpi_insurance_note__descriptor, note);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Applies the term ending `end` of `vin` and, when `outcome` is set, the
 * renewal information recorded for it. */
static int s_apply(as_evt_t *evt, const char *vin, const char *end, const char *outcome,
                   const char *date)
{
    if (!vin || !*vin || !end || !as_date_valid(end))
        return AS_EINVALID;
    As__KpiInsuranceNote *stored = NULL;
    int rc = s_note_get(evt, vin, &stored);
    As__KpiInsuranceNote note = AS__KPI_INSURANCE_NOTE__INIT;
    if (stored)
        note = *stored;
    bool dirty = false;
    if (rc == 0)
        rc = s_term(evt, date, end, &note, &dirty);
    if (rc == 0 && outcome) {
        bool known = strcmp(outcome, "unknown") != 0;
        if (known != note.known) {
            rc = s_count(evt, end, 0, known ? 1 : -1);
            note.has_known = 1;
            note.known = known;
            dirty = true;
        }
    }
    if (rc == 0 && dirty)
        rc = as_record_put(evt->txn, as_record_dbi(evt->svc, "insurance"), vin, &note.base);
    if (stored)
        as__kpi_insurance_note__free_unpacked(stored, NULL);
    return rc;
}

int kpi_evt_insurance_changed(as_evt_t *evt)
{
    const As__InsuranceChanged *m = (const As__InsuranceChanged *)evt->payload;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    return s_apply(evt, m->vin, m->end_date, NULL, date);
}

int kpi_evt_insurance_renewal(as_evt_t *evt)
{
    const As__InsuranceRenewalRecorded *m = (const As__InsuranceRenewalRecorded *)evt->payload;
    const As__InsuranceRenewal *r = m->renewal;
    if (!r || !r->outcome)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, r->date, date);
    return s_apply(evt, r->vin, r->term_end, r->outcome, date);
}

int kpi_vehicles_waiting_add(as_evt_t *evt, const char *date, int64_t delta)
{
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, vehicles_waiting, delta);
    return kpi_level_add(evt, date, &d);
}
