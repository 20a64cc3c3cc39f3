/* counters_warranty.c — kpi's counters from the warranty service's events:
 * the claim first-pass rate and the replaced-part return rate.
 *
 * Both are counted by cohort: a claim's acceptance counts on the day it was
 * first submitted, a part's return on the day it was tagged. A month's rate
 * then compares the same claims (parts) above and below the line, and cannot
 * pass 100% because an answer came in the month after. */
#include <stdio.h>
#include <string.h>

#include "as/error.h"
#include "as/pb/warranty.pb-c.h"
#include "kpi.h"

static MDB_dbi s_dbi(as_service_t *svc)
{
    return as_store_dbi(as_service_store(svc), "warranty");
}

/* The note's key: kind "C" (a claim) or "T" (a tag), and the id; false when
 * the id is empty or too long. */
static bool s_note_key(const char *kind, const char *id, as_key_t *key)
{
    return id && *id && as_key_of(key, kind, id, NULL) == 0;
}

static int s_note_put(as_evt_t *evt, const char *kind, const char *id, const char *date,
                      const char *due_date)
{
    as_key_t key;
    if (!s_note_key(kind, id, &key))
        return AS_EINVALID;
    As__KpiCohortNote note = AS__KPI_COHORT_NOTE__INIT;
    note.date = (char *)date;
    note.due_date = due_date && *due_date ? (char *)due_date : NULL;
    return as_record_put_key(evt->txn, s_dbi(evt->svc), &key, &note.base);
}

/* The note of `id` (*out NULL when kpi has none). Caller frees *out. */
static int s_note_get(as_evt_t *evt, const char *kind, const char *id, As__KpiCohortNote **out)
{
    as_key_t key;
    *out = NULL;
    if (!s_note_key(kind, id, &key))
        return 0;
    int rc =
        as_record_get_key(evt->txn, s_dbi(evt->svc), &key, &as__kpi_cohort_note__descriptor, out);
    if (rc == 0 && !as_date_valid((*out)->date)) {
        as__kpi_cohort_note__free_unpacked(*out, NULL);
        *out = NULL;
    }
    return rc == MDB_NOTFOUND || rc == AS_EBADFRAME ? 0 : rc;
}

/* The event's claim when it names one, else NULL. */
static const As__WarrantyClaim *s_claim(as_evt_t *evt)
{
    const As__WarrantyClaim *c = (const As__WarrantyClaim *)evt->payload;
    return c->claim_id && *c->claim_id ? c : NULL;
}

/* warranty.claim.submitted: a first submission opens the claim's cohort day;
 * a resubmission after a correction is not a new claim. */
int kpi_evt_claim_submitted(as_evt_t *evt)
{
    const As__WarrantyClaim *c = s_claim(evt);
    if (!c)
        return AS_EINVALID;
    int rc = 0;
    if (c->submissions == 1) {
        char date[AS_DATE_LEN + 1];
        kpi_event_date(evt, c->first_submitted_date, date);
        As__KpiCounters d = AS__KPI_COUNTERS__INIT;
        KPI_SET(d, warranty_claims_submitted, 1);
        rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
        if (rc == 0)
            rc = s_note_put(evt, "C", c->claim_id, date, NULL);
    }
    return rc;
}

/* warranty.claim.accepted: first pass when the OEM took its first submission. */
int kpi_evt_claim_accepted(as_evt_t *evt)
{
    const As__WarrantyClaim *c = s_claim(evt);
    if (!c)
        return AS_EINVALID;
    int rc = 0;
    if (c->submissions == 1) {
        As__KpiCohortNote *note;
        rc = s_note_get(evt, "C", c->claim_id, &note);
        char date[AS_DATE_LEN + 1];
        kpi_event_date(evt, note ? note->date : c->first_submitted_date, date);
        As__KpiCounters d = AS__KPI_COUNTERS__INIT;
        KPI_SET(d, warranty_claims_first_pass, 1);
        if (rc == 0)
            rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
        if (note)
            as__kpi_cohort_note__free_unpacked(note, NULL);
    }
    return rc;
}

/* warranty.part.tagged: a replaced part the OEM wants back. */
int kpi_evt_part_tagged(as_evt_t *evt)
{
    const As__PartTag *t = (const As__PartTag *)evt->payload;
    if (!t->tag || !*t->tag)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, t->tagged_date, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, warranty_parts_required, 1);
    int rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
    return rc ? rc : s_note_put(evt, "T", t->tag, date, t->due_date);
}

/* warranty.shipment.confirmed: each part on the packing list that was shipped
 * by its due date is returned as required, on the day it was tagged. */
int kpi_evt_shipment_confirmed(as_evt_t *evt)
{
    const As__Shipment *s = (const As__Shipment *)evt->payload;
    char shipped[AS_DATE_LEN + 1];
    kpi_event_date(evt, s->shipped_date, shipped);
    int rc = 0;
    for (size_t i = 0; i < s->n_packing_list && rc == 0; i++) {
        As__KpiCohortNote *note;
        rc = s_note_get(evt, "T", s->packing_list[i]->tag, &note);
        if (rc != 0 || !note)
            continue; /* a part kpi never saw tagged was never required of it */
        bool on_time = !note->due_date || strcmp(shipped, note->due_date) <= 0;
        As__KpiCounters d = AS__KPI_COUNTERS__INIT;
        KPI_SET(d, warranty_parts_returned, 1);
        if (on_time)
            rc = kpi_count(evt, note->date, KPI_DEPARTMENT, "", &d);
        as__kpi_cohort_note__free_unpacked(note, NULL);
    }
    return rc;
}

/* warranty.part.inspected: the OEM's return inspection of a replaced part,
 * counted on the inspection date (warranty applies one per tag): the
 * identification accuracy of a month compares the parts inspected in it. */
int kpi_evt_part_inspected(as_evt_t *evt)
{
    const As__PartTag *t = (const As__PartTag *)evt->payload;
    if (!t->tag || !*t->tag || !t->has_fault_confirmed)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, t->inspected_date, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, warranty_parts_inspected, 1);
    if (t->fault_confirmed)
        KPI_SET(d, warranty_parts_confirmed, 1);
    return kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
}
