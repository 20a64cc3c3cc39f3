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

#define S_NOTE_KEY_MAX 160

static MDB_dbi s_dbi(as_service_t *svc)
{
    return as_store_dbi(as_service_store(svc), "warranty");
}

/* "C|claim" or "T|tag" into key; false when the id is empty or too long. */
static bool s_note_key(char kind, const char *id, char key[S_NOTE_KEY_MAX])
{
    if (!id || !*id)
        return false;
    return (size_t)snprintf(key, S_NOTE_KEY_MAX, "%c|%s", kind, id) < S_NOTE_KEY_MAX;
}

static int s_note_put(as_evt_t *evt, char kind, const char *id, const char *date,
                      const char *due_date)
{
    char key[S_NOTE_KEY_MAX];
    if (!s_note_key(kind, id, key))
        return AS_EINVALID;
    As__KpiCohortNote note = AS__KPI_COHORT_NOTE__INIT;
    note.date = (char *)date;
    note.due_date = due_date && *due_date ? (char *)due_date : NULL;
    return as_store_put_msg(evt->txn, s_dbi(evt->svc), key, strlen(key), &note.base);
}

/* The note of `id` (*out NULL when kpi has none). Caller frees *out. */
static int s_note_get(as_evt_t *evt, char kind, const char *id, As__KpiCohortNote **out)
{
    char key[S_NOTE_KEY_MAX];
    *out = NULL;
    if (!s_note_key(kind, id, key))
        return 0;
    int rc = as_store_get_msg(evt->txn, s_dbi(evt->svc), key, strlen(key),
                              &as__kpi_cohort_note__descriptor, (ProtobufCMessage **)out);
    if (rc == 0 && !as_date_valid((*out)->date)) {
        as__kpi_cohort_note__free_unpacked(*out, NULL);
        *out = NULL;
    }
    return rc == MDB_NOTFOUND || rc == AS_EBADFRAME ? 0 : rc;
}

static As__WarrantyClaim *s_claim(as_evt_t *evt)
{
    As__WarrantyClaim *c =
        as__warranty_claim__unpack(NULL, evt->env->payload.len, evt->env->payload.data);
    if (c && (!c->claim_id || !*c->claim_id)) {
        as__warranty_claim__free_unpacked(c, NULL);
        return NULL;
    }
    return c;
}

/* warranty.claim.submitted: a first submission opens the claim's cohort day;
 * a resubmission after a correction is not a new claim. */
int kpi_evt_claim_submitted(as_evt_t *evt)
{
    As__WarrantyClaim *c = s_claim(evt);
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
            rc = s_note_put(evt, 'C', c->claim_id, date, NULL);
    }
    as__warranty_claim__free_unpacked(c, NULL);
    return rc;
}

/* warranty.claim.accepted: first pass when the OEM took its first submission. */
int kpi_evt_claim_accepted(as_evt_t *evt)
{
    As__WarrantyClaim *c = s_claim(evt);
    if (!c)
        return AS_EINVALID;
    int rc = 0;
    if (c->submissions == 1) {
        As__KpiCohortNote *note;
        rc = s_note_get(evt, 'C', c->claim_id, &note);
        char date[AS_DATE_LEN + 1];
        kpi_event_date(evt, note ? note->date : c->first_submitted_date, date);
        As__KpiCounters d = AS__KPI_COUNTERS__INIT;
        KPI_SET(d, warranty_claims_first_pass, 1);
        if (rc == 0)
            rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
        if (note)
            as__kpi_cohort_note__free_unpacked(note, NULL);
    }
    as__warranty_claim__free_unpacked(c, NULL);
    return rc;
}

/* warranty.part.tagged: a replaced part the OEM wants back. */
int kpi_evt_part_tagged(as_evt_t *evt)
{
    As__PartTag *t = as__part_tag__unpack(NULL, evt->env->payload.len, evt->env->payload.data);
    if (!t || !t->tag || !*t->tag) {
        if (t)
            as__part_tag__free_unpacked(t, NULL);
        return AS_EINVALID;
    }
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, t->tagged_date, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, warranty_parts_required, 1);
    int rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
    if (rc == 0)
        rc = s_note_put(evt, 'T', t->tag, date, t->due_date);
    as__part_tag__free_unpacked(t, NULL);
    return rc;
}

/* warranty.shipment.confirmed: each part on the packing list that was shipped
 * by its due date is returned as required, on the day it was tagged. */
int kpi_evt_shipment_confirmed(as_evt_t *evt)
{
    As__Shipment *s = as__shipment__unpack(NULL, evt->env->payload.len, evt->env->payload.data);
    if (!s)
        return AS_EINVALID;
    char shipped[AS_DATE_LEN + 1];
    kpi_event_date(evt, s->shipped_date, shipped);
    int rc = 0;
    for (size_t i = 0; i < s->n_packing_list && rc == 0; i++) {
        As__KpiCohortNote *note;
        rc = s_note_get(evt, 'T', s->packing_list[i]->tag, &note);
        if (rc != 0 || !note)
            continue; /* a part kpi never saw tagged was never required of it */
        bool on_time = !note->due_date || strcmp(shipped, note->due_date) <= 0;
        As__KpiCounters d = AS__KPI_COUNTERS__INIT;
        KPI_SET(d, warranty_parts_returned, 1);
        if (on_time)
            rc = kpi_count(evt, note->date, KPI_DEPARTMENT, "", &d);
        as__kpi_cohort_note__free_unpacked(note, NULL);
    }
    as__shipment__free_unpacked(s, NULL);
    return rc;
}
