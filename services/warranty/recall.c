/* recall.c — recall campaigns (the OEM's VIN list, open recalls of a vehicle,
 * completion when the recall operation is done) and the repair/replace/return
 * early warning: warranty repair days and repeated repairs of one defect per
 * vehicle within the period of China's household-car rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/text.h"
#include "as/pb/reception.pb-c.h"
#include "warranty.h"

#define S_MAX_VINS 10000

static bool s_has(char **items, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i], s) == 0)
            return true;
    return false;
}

static int s_append(char ***items, size_t *n, const char *s)
{
    char **grown = realloc(*items, (*n + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    *items = grown;
    if (!(grown[*n] = strdup(s)))
        return -ENOMEM;
    (*n)++;
    return 0;
}

/* Where `key` goes in a list kept in strcmp order, so a vehicle's repairs
 * and a campaign's completed vehicles read the same whatever order the QC
 * passes were applied in. */
static size_t s_sorted_at(size_t n, const char *key, const char *(*at)(const void *, size_t),
                          const void *list)
{
    size_t i = 0;
    while (i < n && strcmp(at(list, i), key) < 0)
        i++;
    return i;
}

static const char *s_text_at(const void *list, size_t i)
{
    return ((char *const *)list)[i];
}

static const char *s_defect_code_at(const void *list, size_t i)
{
    return ((As__DefectCount *const *)list)[i]->code;
}

/* Adds a copy of `s` to the sorted list. Returns 0 or -ENOMEM. */
static int s_insert_sorted(char ***items, size_t *n, const char *s)
{
    char **grown = realloc(*items, (*n + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    *items = grown;
    char *copy = strdup(s);
    if (!copy)
        return -ENOMEM;
    size_t at = s_sorted_at(*n, s, s_text_at, grown);
    memmove(grown + at + 1, grown + at, (*n - at) * sizeof *grown);
    grown[at] = copy;
    (*n)++;
    return 0;
}

/* The campaign ids indexed under `vin` (the keys of the list). */
static int s_vin_campaigns(as_service_t *svc, MDB_txn *txn, const char *vin, as_record_list_t *ids)
{
    return as_record_scan_in(txn, as_record_dbi(svc, "recall_vins"), vin, NULL, ids);
}

int warranty_cmd_recall_open(as_cmd_t *cmd)
{
    const As__RecallOpen *r = (const As__RecallOpen *)cmd->request;
    int rc = 0;
    if (!r->campaign_id || !warranty_id_valid(r->campaign_id))
        rc = as_cmd_fail(cmd, AS_EINVALID, "campaign_id '%s' is not a valid id",
                         r->campaign_id ? r->campaign_id : "");
    else if (!r->title || !*r->title || as_text_chars(r->title) > AS_TEXT_CHARS_MAX)
        rc = as_cmd_fail(cmd, AS_EINVALID, "title is required (at most %d characters)",
                         AS_TEXT_CHARS_MAX);
    else if (!r->labour_code || !warranty_code_valid(r->labour_code))
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "labour_code '%s' is not a valid code: the operation that completes it",
                         r->labour_code ? r->labour_code : "");
    else if (r->n_vins == 0 || r->n_vins > S_MAX_VINS)
        rc = as_cmd_fail(cmd, AS_EINVALID, "a campaign lists 1..%d vins, not %zu", S_MAX_VINS,
                         r->n_vins);
    for (size_t i = 0; rc == 0 && i < r->n_vins; i++) {
        if (!warranty_id_valid(r->vins[i]))
            rc = as_cmd_fail(cmd, AS_EINVALID, "vin '%s' is not valid", r->vins[i]);
        else if (s_has(r->vins, i, r->vins[i]))
            rc = as_cmd_fail(cmd, AS_EINVALID, "vin '%s' is listed twice", r->vins[i]);
    }
    if (rc == 0 && as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "recalls"), r->campaign_id))
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "campaign '%s' is open already", r->campaign_id);
    if (rc != 0)
        return rc;
    char today[AS_DATE_LEN + 1];
    as_date_today(today);
    As__RecallCampaign c = AS__RECALL_CAMPAIGN__INIT;
    c.campaign_id = r->campaign_id;
    c.title = r->title;
    c.labour_code = r->labour_code;
    c.vins = r->vins;
    c.n_vins = r->n_vins;
    c.opened_by = (char *)cmd->actor;
    c.opened_date = today;
    rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "recalls"), c.campaign_id, &c.base);
    for (size_t i = 0; rc == 0 && i < r->n_vins; i++) {
        rc = as_record_put_in(cmd->txn, as_record_dbi(cmd->svc, "recall_vins"), r->vins[i],
                              c.campaign_id, NULL);
    }
    if (rc == 0)
        rc = as_cmd_emit(cmd, "warranty.recall.opened", c.campaign_id, &c.base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &c.base);
    return rc;
}

int warranty_cmd_recall_query(as_cmd_t *cmd)
{
    const As__RecallQuery *q = (const As__RecallQuery *)cmd->request;
    int rc = 0;
    as_record_list_t ids = {0};
    As__RecallList list = AS__RECALL_LIST__INIT;
    if (!q->vin || !warranty_id_valid(q->vin)) {
        rc = as_cmd_fail(cmd, AS_EINVALID, "vin '%s' is not valid", q->vin ? q->vin : "");
        goto out;
    }
    if ((rc = s_vin_campaigns(cmd->svc, cmd->txn, q->vin, &ids)) != 0)
        goto out;
    if (ids.n > 0 && !(list.campaigns = calloc(ids.n, sizeof *list.campaigns))) {
        rc = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; rc == 0 && i < ids.n; i++) {
        rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "recalls"), ids.keys[i],
                           &as__recall_campaign__descriptor, &list.campaigns[list.n_campaigns]);
        if (rc == 0)
            list.n_campaigns++;
    }
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list.base);
out:
    for (size_t i = 0; i < list.n_campaigns; i++)
        as__recall_campaign__free_unpacked(list.campaigns[i], NULL);
    free(list.campaigns);
    as_record_list_free(&ids);
    return rc;
}

/* Completes the vehicle's open recalls whose operation this job did. */
static int s_recall_job(as_evt_t *evt, const As__QcPassed *qc, const char *labour_code,
                        const char *date)
{
    as_record_list_t ids;
    int rc = s_vin_campaigns(evt->svc, evt->txn, qc->vin, &ids);
    for (size_t i = 0; rc == 0 && i < ids.n; i++) {
        As__RecallCampaign *c;
        if ((rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "recalls"), ids.keys[i],
                                &as__recall_campaign__descriptor, &c)) != 0)
            break;
        if (c->labour_code && strcmp(c->labour_code, labour_code) == 0 &&
            !s_has(c->completed_vins, c->n_completed_vins, qc->vin)) {
            rc = s_insert_sorted(&c->completed_vins, &c->n_completed_vins, qc->vin);
            if (rc == 0)
                rc = as_record_put(evt->txn, as_record_dbi(evt->svc, "recalls"), c->campaign_id,
                                   &c->base);
            if (rc == 0)
                rc = as_record_del_in(evt->txn, as_record_dbi(evt->svc, "recall_vins"), qc->vin,
                                      c->campaign_id);
            As__RecallCompleted done = AS__RECALL_COMPLETED__INIT;
            done.campaign_id = c->campaign_id;
            done.vin = qc->vin;
            done.ro_number = qc->ro_number;
            done.date = (char *)date;
            done.has_completed = done.has_vehicles = 1;
            done.completed = (uint32_t)c->n_completed_vins;
            done.vehicles = (uint32_t)c->n_vins;
            if (rc == 0)
                rc = as_evt_emit(evt, "warranty.recall.completed", c->campaign_id, &done.base);
        }
        as__recall_campaign__free_unpacked(c, NULL);
    }
    as_record_list_free(&ids);
    return rc;
}

static bool s_get_date(as_service_t *svc, MDB_txn *txn, const char *db, const char *key,
                       char out[AS_DATE_LEN + 1])
{
    MDB_val k = {strlen(key), (void *)key}, v;
    if (mdb_get(txn, as_record_dbi(svc, db), &k, &v) != 0 || v.mv_size != AS_DATE_LEN)
        return false;
    memcpy(out, v.mv_data, AS_DATE_LEN);
    out[AS_DATE_LEN] = '\0';
    return as_date_valid(out);
}

/* "ro_sale_dates": ro_number -> the sale date its vehicle had at reception
 * when the RO was opened ("" when none). Reception registers a vehicle before
 * it opens an RO for it, so in reception's order the vehicle's event comes
 * first; workshop's QC of the RO may come before or after, and waits for the
 * opening (claims.c). */
bool warranty_ro_opened(as_service_t *svc, MDB_txn *txn, const char *ro_number, const char *vin,
                        char sale_date[AS_DATE_LEN + 1])
{
    sale_date[0] = '\0';
    MDB_val k = {strlen(ro_number), (void *)ro_number}, v;
    if (mdb_get(txn, as_record_dbi(svc, "ro_sale_dates"), &k, &v) == 0) {
        if (v.mv_size == AS_DATE_LEN) {
            memcpy(sale_date, v.mv_data, AS_DATE_LEN);
            sale_date[AS_DATE_LEN] = '\0';
        }
        return true;
    }
    /* an RO opened before this store kept sale dates: the vehicle's as it is now */
    if (mdb_get(txn, as_record_dbi(svc, "ro_opened"), &k, &v) != 0)
        return false;
    if (vin && *vin && !s_get_date(svc, txn, "vehicles", vin, sale_date))
        sale_date[0] = '\0';
    return true;
}

int warranty_evt_ro_opened(as_evt_t *evt)
{
    const As__RoChanged *ro = (const As__RoChanged *)evt->payload;
    int rc = 0;
    const char *ro_number = ro->ro ? ro->ro->ro_number : NULL;
    if (!ro_number || !warranty_id_valid(ro_number) || strlen(ro_number) > 64)
        return 0;
    MDB_val k = {strlen(ro_number), (void *)ro_number};
    if (ro->date && as_date_valid(ro->date)) {
        MDB_val v = {AS_DATE_LEN, ro->date};
        rc = mdb_put(evt->txn, as_record_dbi(evt->svc, "ro_opened"), &k, &v, MDB_NOOVERWRITE);
        if (rc == MDB_KEYEXIST)
            rc = 0;
    }
    char sale_date[AS_DATE_LEN + 1] = "";
    const char *vin = ro->ro->vin;
    if (rc == 0 && vin && warranty_id_valid(vin) &&
        !s_get_date(evt->svc, evt->txn, "vehicles", vin, sale_date))
        sale_date[0] = '\0';
    MDB_val sale = {strlen(sale_date), sale_date};
    if (rc == 0)
        rc =
            mdb_put(evt->txn, as_record_dbi(evt->svc, "ro_sale_dates"), &k, &sale, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST)
        rc = 0; /* opened already: the first opening's sale date stays */
    else if (rc == 0)
        rc = warranty_qc_waiting_apply(evt, ro_number, sale_date);
    return rc;
}

static int s_count_defect(As__VehicleRepairs *r, const char *code)
{
    for (size_t i = 0; i < r->n_defects; i++)
        if (strcmp(r->defects[i]->code, code) == 0) {
            r->defects[i]->repairs++;
            return 0;
        }
    As__DefectCount **grown = realloc(r->defects, (r->n_defects + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    r->defects = grown;
    As__DefectCount *d = malloc(sizeof *d);
    if (!d)
        return -ENOMEM;
    as__defect_count__init(d);
    d->has_repairs = 1;
    d->repairs = 1;
    if (!(d->code = strdup(code))) {
        free(d);
        return -ENOMEM;
    }
    size_t at = s_sorted_at(r->n_defects, code, s_defect_code_at, r->defects);
    memmove(r->defects + at + 1, r->defects + at, (r->n_defects - at) * sizeof *r->defects);
    r->defects[at] = d;
    r->n_defects++;
    return 0;
}

/* Counts an RO's warranty repairs toward the vehicle's repair/replace/return limits. */
static int s_count_repairs(as_evt_t *evt, const As__QcPassed *qc, const char *date,
                           const char *sale)
{
    const warranty_t *w = warranty_of(evt->svc);
    char end[AS_DATE_LEN + 1], opened[AS_DATE_LEN + 1];
    if (!as_date_valid(sale))
        return 0;
    warranty_date_add_years(sale, w->rrr_years, end);
    if (strcmp(date, end) >= 0 || qc->mileage_km > w->rrr_km)
        return 0; /* past the period */
    As__VehicleRepairs *r = NULL;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "repairs"), qc->vin,
                           &as__vehicle_repairs__descriptor, &r);
    if (rc == MDB_NOTFOUND) {
        if (!(r = malloc(sizeof *r)))
            return -ENOMEM;
        as__vehicle_repairs__init(r);
        r->vin = strdup(qc->vin);
        r->sale_date = strdup(sale);
        r->has_repair_days = 1;
        rc = r->vin && r->sale_date ? 0 : -ENOMEM;
    }
    if (rc == 0 && s_has(r->ro_numbers, r->n_ro_numbers, qc->ro_number))
        goto out; /* counted already */
    if (rc == 0)
        rc = s_insert_sorted(&r->ro_numbers, &r->n_ro_numbers, qc->ro_number);
    int64_t days = 1;
    if (s_get_date(evt->svc, evt->txn, "ro_opened", qc->ro_number, opened) &&
        as_date_diff_days(opened, date) >= 0)
        days = as_date_diff_days(opened, date) + 1;
    r->repair_days += (uint32_t)days;
    for (size_t i = 0; rc == 0 && i < qc->n_jobs; i++) {
        const As__QcJob *job = qc->jobs[i];
        const char *code = job->defect_code && *job->defect_code ? job->defect_code
                           : job->labour && job->labour->code    ? job->labour->code
                                                                 : NULL;
        if (job->pay_type == AS__PAY_TYPE__WARRANTY && code)
            rc = s_count_defect(r, code);
    }
    if (rc == 0)
        rc = as_record_put(evt->txn, as_record_dbi(evt->svc, "repairs"), r->vin, &r->base);
out:
    if (r)
        as__vehicle_repairs__free_unpacked(r, NULL);
    return rc;
}

int warranty_recall_qc(as_evt_t *evt, const As__QcPassed *qc, const char *date,
                       const char *sale_date)
{
    if (!qc->vin || !warranty_id_valid(qc->vin))
        return 0;
    int rc = 0;
    bool warranty_job = false;
    for (size_t i = 0; rc == 0 && i < qc->n_jobs; i++) {
        const As__QcJob *job = qc->jobs[i];
        warranty_job |= job->pay_type == AS__PAY_TYPE__WARRANTY;
        if (job->labour && job->labour->code && *job->labour->code)
            rc = s_recall_job(evt, qc, job->labour->code, date);
    }
    if (rc == 0 && warranty_job)
        rc = s_count_repairs(evt, qc, date, sale_date);
    return rc;
}

/* Adds a warning's code and arguments (warning_wordings, beside its text). */
static int s_warning_wording(As__VehicleRepairs *r, const char *code, const char *const *args,
                             size_t n)
{
    As__ClaimWording **grown =
        realloc(r->warning_wordings, (r->n_warning_wordings + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    r->warning_wordings = grown;
    As__ClaimWording *w = malloc(sizeof *w);
    if (!w)
        return -ENOMEM;
    as__claim_wording__init(w);
    r->warning_wordings[r->n_warning_wordings++] = w;
    w->code = strdup(code);
    w->args = calloc(n, sizeof *w->args);
    if (!w->code || !w->args)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (!(w->args[w->n_args++] = strdup(args[i])))
            return -ENOMEM;
    return 0;
}

/* Fills r->warnings (and warning_wordings); true when there is any. */
static bool s_warn(const warranty_t *w, As__VehicleRepairs *r)
{
    char text[200], a[2][16];
    if (r->repair_days >= w->rrr_warn_days) {
        snprintf(text, sizeof text,
                 "repair days within the period: %u (above %u the customer has a right "
                 "to a replacement or refund)",
                 r->repair_days, w->rrr_days);
        s_append(&r->warnings, &r->n_warnings, text);
        snprintf(a[0], sizeof a[0], "%u", r->repair_days);
        snprintf(a[1], sizeof a[1], "%u", w->rrr_days);
        s_warning_wording(r, "repair_days", (const char *const[]){a[0], a[1]}, 2);
    }
    for (size_t i = 0; i < r->n_defects; i++)
        if (r->defects[i]->repairs >= w->rrr_warn_repeats) {
            snprintf(text, sizeof text,
                     "repairs of defect %s: %u (above %u the customer has a right to a "
                     "replacement or refund)",
                     r->defects[i]->code, r->defects[i]->repairs, w->rrr_repeats);
            s_append(&r->warnings, &r->n_warnings, text);
            snprintf(a[0], sizeof a[0], "%u", r->defects[i]->repairs);
            snprintf(a[1], sizeof a[1], "%u", w->rrr_repeats);
            const char *code = r->defects[i]->code ? r->defects[i]->code : "";
            s_warning_wording(r, "defect_repeats", (const char *const[]){code, a[0], a[1]}, 3);
        }
    return r->n_warnings > 0;
}

int warranty_cmd_vehicle_warnings(as_cmd_t *cmd)
{
    const As__VehicleWarningQuery *q = (const As__VehicleWarningQuery *)cmd->request;
    if (q->vin && !warranty_id_valid(q->vin))
        return as_cmd_fail(cmd, AS_EINVALID, "vin '%s' is not valid", q->vin);
    const warranty_t *w = warranty_of(cmd->svc);
    as_record_list_t all = {0};
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "repairs"), NULL,
                            &as__vehicle_repairs__descriptor, &all);
    if (rc != 0)
        return rc;
    size_t kept = 0;
    for (size_t i = 0; i < all.n; i++) {
        As__VehicleRepairs *r = (As__VehicleRepairs *)all.msgs[i];
        bool named = q->vin && strcmp(q->vin, r->vin) == 0;
        if (s_warn(w, r) ? !q->vin || named : named)
            all.msgs[kept++] = &r->base;
        else
            protobuf_c_message_free_unpacked(&r->base, NULL);
    }
    all.n = kept;
    if (q->vin && kept == 0)
        rc = as_cmd_fail(cmd, AS_ENOTFOUND,
                         "vehicle '%s' has no warranty repairs within the repair/replace/return "
                         "period",
                         q->vin);
    As__VehicleWarningList list = AS__VEHICLE_WARNING_LIST__INIT;
    list.n_vehicles = all.n;
    list.vehicles = (As__VehicleRepairs **)all.msgs;
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list.base);
    as_record_list_free(&all);
    return rc;
}
