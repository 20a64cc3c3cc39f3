/* insurance.c — the information clerk's insurance-renewal list (issue 15).
 *
 * The vehicle file keeps the current insurance term: Vehicle.insurance_end
 * (YYYY-MM-DD) and Vehicle.insurer, set at registration
 * (reception.vehicle.register) or later (reception.insurance.set). Either
 * emits reception.insurance.changed when the end date or the insurer changes.
 *
 * reception.insurance.due lists the vehicles whose term ends from a date
 * (default today) to that date + days (default [reception]
 * insurance_notice_days, 45), soonest first, each with its owner's name and
 * phone and the renewal information collected so far for that term.
 *
 * reception.insurance.renewal records what the clerk learnt of the current
 * term's renewal: here, elsewhere (with the insurer), not_renewing or unknown
 * (db insurance_renewals [vin, term_end] -> InsuranceRenewal; recorded again:
 * replaced) and emits reception.insurance.renewal_recorded, from which kpi
 * counts the renewal information rate on the term's end date.
 *
 * Every refusal writes nothing; handlers return 0, a store code or -ENOMEM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/config_schema.h"
#include "reception.h"

#define MAX_INSURER 100            /* characters */
#define MAX_NOTE AS_TEXT_CHARS_MAX /* characters */
#define MAX_DAYS 366

static const char *const s_outcomes[] = {"here", "elsewhere", "not_renewing", "unknown", NULL};

static bool s_outcome_ok(const char *outcome)
{
    for (int i = 0; outcome && s_outcomes[i]; i++)
        if (strcmp(outcome, s_outcomes[i]) == 0)
            return true;
    return false;
}

int insurance_apply(as_cmd_t *cmd, As__Vehicle *vehicle, const char *insurer, const char *end_date)
{
    const char *vin = vehicle->vin ? vehicle->vin : "";
    if (end_date && *end_date && !as_date_valid(end_date))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "vin '%s': insurance end date '%s' is not a date YYYY-MM-DD", vin,
                           end_date);
    if (insurer && as_text_chars(insurer) > MAX_INSURER)
        return as_cmd_fail(cmd, AS_EINVALID, "vin '%s': insurer is at most %d characters", vin,
                           MAX_INSURER);
    bool new_end = end_date && *end_date &&
                   (!vehicle->insurance_end || strcmp(vehicle->insurance_end, end_date) != 0);
    bool new_insurer = insurer && (!vehicle->insurer || strcmp(vehicle->insurer, insurer) != 0);
    if (!new_end && !new_insurer)
        return 0;
    char previous[AS_DATE_LEN + 1];
    snprintf(previous, sizeof previous, "%s", vehicle->insurance_end ? vehicle->insurance_end : "");
    int rc = new_end ? set_text(&vehicle->insurance_end, end_date) : 0;
    if (rc == 0 && new_insurer)
        rc = set_text(&vehicle->insurer, insurer);
    if (rc != 0)
        return rc;
    if (!vehicle->insurance_end) /* an insurer without a term: nothing to count yet */
        return 0;
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    As__InsuranceChanged changed = AS__INSURANCE_CHANGED__INIT;
    changed.vin = vehicle->vin;
    changed.insurer = vehicle->insurer;
    changed.end_date = vehicle->insurance_end;
    changed.previous_end_date = previous;
    changed.date = date;
    changed.changed_by = (char *)cmd->actor;
    return as_cmd_emit(cmd, "reception.insurance.changed", vehicle->vin, &changed.base);
}

int insurance_set(as_cmd_t *cmd)
{
    const As__InsuranceSet *req = (const As__InsuranceSet *)cmd->request;
    As__Vehicle *vehicle = NULL;
    int rc = vehicle_load(cmd, req->vin, &vehicle);
    if (rc == 0 && (blank(req->end_date) || !as_date_valid(req->end_date)))
        rc = as_cmd_fail(cmd, AS_EINVALID, "vin '%s': end_date '%s' is not a date YYYY-MM-DD",
                         req->vin, req->end_date ? req->end_date : "");
    if (rc == 0)
        rc = insurance_apply(cmd, vehicle, req->insurer, req->end_date);
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), vehicle->vin,
                           &vehicle->base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &vehicle->base);
    if (vehicle)
        as__vehicle__free_unpacked(vehicle, NULL);
    return rc;
}

/* The renewal recorded for `vin`'s term ending `term_end` into *out (NULL
 * when none); 0 or a store code. */
static int s_renewal_get(MDB_txn *txn, as_service_t *svc, const char *vin, const char *term_end,
                         As__InsuranceRenewal **out)
{
    *out = NULL;
    as_key_t key;
    if (as_key_of(&key, vin, term_end, NULL) != 0)
        return 0;
    int rc = as_record_get_key(txn, as_record_dbi(svc, "insurance_renewals"), &key,
                               &as__insurance_renewal__descriptor, out);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_check_renewal(as_cmd_t *cmd, const As__InsuranceRenewalRecord *req,
                           const As__Vehicle *vehicle)
{
    if (!s_outcome_ok(req->outcome))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "vin '%s': outcome '%s' is not here, elsewhere, not_renewing or unknown",
                           vehicle->vin, req->outcome ? req->outcome : "");
    if (blank(vehicle->insurance_end))
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "vin '%s' has no insurance end date (reception.insurance.set first)",
                           vehicle->vin);
    if (strcmp(req->outcome, "elsewhere") == 0 && blank(req->insurer))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "vin '%s': renewed elsewhere needs the insurer it renewed with",
                           vehicle->vin);
    if (req->insurer && as_text_chars(req->insurer) > MAX_INSURER)
        return as_cmd_fail(cmd, AS_EINVALID, "vin '%s': insurer is at most %d characters",
                           vehicle->vin, MAX_INSURER);
    if (req->note && as_text_chars(req->note) > MAX_NOTE)
        return as_cmd_fail(cmd, AS_EINVALID, "vin '%s': note is at most %d characters",
                           vehicle->vin, MAX_NOTE);
    return 0;
}

int insurance_renewal(as_cmd_t *cmd)
{
    const As__InsuranceRenewalRecord *req = (const As__InsuranceRenewalRecord *)cmd->request;
    As__Vehicle *vehicle = NULL;
    As__InsuranceRenewal *before = NULL;
    int rc = vehicle_load(cmd, req->vin, &vehicle);
    if (rc == 0)
        rc = s_check_renewal(cmd, req, vehicle);
    if (rc == 0)
        rc = s_renewal_get(cmd->txn, cmd->svc, vehicle->vin, vehicle->insurance_end, &before);
    if (rc == 0) {
        char date[AS_DATE_LEN + 1];
        as_cmd_date(cmd, date);
        As__InsuranceRenewal renewal = AS__INSURANCE_RENEWAL__INIT;
        renewal.vin = vehicle->vin;
        renewal.term_end = vehicle->insurance_end;
        renewal.outcome = req->outcome;
        renewal.insurer = req->insurer;
        renewal.note = req->note;
        renewal.recorded_by = (char *)cmd->actor;
        renewal.has_recorded_us = 1;
        renewal.recorded_us = as_cmd_time(cmd);
        renewal.date = date;
        as_key_t key;
        rc = as_key_of(&key, vehicle->vin, vehicle->insurance_end, NULL);
        if (rc == 0)
            rc = as_record_put_key(cmd->txn, as_record_dbi(cmd->svc, "insurance_renewals"), &key,
                                   &renewal.base);
        As__InsuranceRenewalRecorded recorded = AS__INSURANCE_RENEWAL_RECORDED__INIT;
        recorded.renewal = &renewal;
        recorded.previous_outcome = before ? before->outcome : NULL;
        if (rc == 0)
            rc = as_cmd_emit(cmd, "reception.insurance.renewal_recorded", vehicle->vin,
                             &recorded.base);
        if (rc == 0)
            rc = as_cmd_reply(cmd, &renewal.base);
    }
    if (before)
        as__insurance_renewal__free_unpacked(before, NULL);
    if (vehicle)
        as__vehicle__free_unpacked(vehicle, NULL);
    return rc;
}

/* --- the due list ------------------------------------------------------------ */

static void s_entries_free(As__InsuranceDueList *list)
{
    for (size_t i = 0; i < list->n_vehicles; i++) {
        As__InsuranceDueEntry *e = list->vehicles[i];
        if (e->renewal)
            as__insurance_renewal__free_unpacked(e->renewal, NULL);
        free(e->customer_name);
        free(e->phone);
        free(e);
    }
    free(list->vehicles);
}

static int s_by_end(const void *a, const void *b)
{
    const As__InsuranceDueEntry *x = *(As__InsuranceDueEntry *const *)a;
    const As__InsuranceDueEntry *y = *(As__InsuranceDueEntry *const *)b;
    int c = strcmp(x->end_date, y->end_date);
    return c ? c : strcmp(x->vin, y->vin);
}

/* Adds `v` (borrowed from the scan, which outlives the reply) to the list. */
static int s_add(as_cmd_t *cmd, As__InsuranceDueList *list, As__Vehicle *v, const char *date)
{
    As__InsuranceDueEntry **grown =
        realloc(list->vehicles, (list->n_vehicles + 1) * sizeof *list->vehicles);
    As__InsuranceDueEntry *e = calloc(1, sizeof *e);
    if (grown)
        list->vehicles = grown;
    if (!grown || !e) {
        free(e);
        return -ENOMEM;
    }
    as__insurance_due_entry__init(e);
    list->vehicles[list->n_vehicles++] = e;
    e->vin = v->vin;
    e->plate = v->plate;
    e->model = v->model;
    e->customer_id = v->customer_id;
    e->insurer = v->insurer;
    e->end_date = v->insurance_end;
    e->has_days_left = 1;
    e->days_left = (int32_t)as_date_diff_days(date, v->insurance_end);
    As__Customer *customer = NULL;
    int rc = blank(v->customer_id)
                 ? MDB_NOTFOUND
                 : as_record_get(cmd->txn, as_record_dbi(cmd->svc, "customers"), v->customer_id,
                                 &as__customer__descriptor, &customer);
    if (rc == 0) {
        e->customer_name = customer->name ? dup_text(customer->name) : NULL;
        e->phone = customer->phone ? dup_text(customer->phone) : NULL;
        as__customer__free_unpacked(customer, NULL);
    }
    if (rc == 0 || rc == MDB_NOTFOUND)
        rc = s_renewal_get(cmd->txn, cmd->svc, v->vin, v->insurance_end, &e->renewal);
    return rc;
}

int insurance_due(as_cmd_t *cmd)
{
    const As__InsuranceDueQuery *q = (const As__InsuranceDueQuery *)cmd->request;
    char date[AS_DATE_LEN + 1];
    if (as_cmd_date_or(cmd, "date", q->date, date) != 0)
        return AS_EINVALID;
    long long days = 45;
    if (q->has_days)
        days = q->days;
    else if (as_config_read_int(as_service_config(cmd->svc), "reception", "insurance_notice_days",
                                &days) != 0)
        return as_cmd_fail(cmd, AS_EINVALID, "[reception] insurance_notice_days is not 1..366");
    if (days < 1 || days > MAX_DAYS)
        return as_cmd_fail(cmd, AS_EINVALID, "days must be 1..%d", MAX_DAYS);
    char last[AS_DATE_LEN + 1];
    as_date_add_days(date, days, last);
    as_record_list_t vehicles;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), NULL,
                            &as__vehicle__descriptor, &vehicles);
    As__InsuranceDueList list = AS__INSURANCE_DUE_LIST__INIT;
    list.date = date;
    list.has_days = 1;
    list.days = (uint32_t)days;
    for (size_t i = 0; rc == 0 && i < vehicles.n; i++) {
        As__Vehicle *v = (As__Vehicle *)vehicles.msgs[i];
        if (v->insurance_end && as_date_valid(v->insurance_end) &&
            strcmp(v->insurance_end, date) >= 0 && strcmp(v->insurance_end, last) <= 0)
            rc = s_add(cmd, &list, v, date);
    }
    if (rc == 0) {
        if (list.n_vehicles > 1) /* qsort takes no NULL list, even empty */
            qsort(list.vehicles, list.n_vehicles, sizeof *list.vehicles, s_by_end);
        rc = as_cmd_reply(cmd, &list.base);
    }
    s_entries_free(&list);
    as_record_list_free(&vehicles);
    return rc;
}
