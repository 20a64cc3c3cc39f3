/* claims.c — claims opened from the warranty jobs of a repair order that
 * completed QC, the clerk's and service manager's commands on them, and the
 * OEM's decisions and payments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/log.h"
#include "as/pb/reception.pb-c.h"
#include "as/pb/workshop.pb-c.h"
#include "warranty.h"

static void s_set(char **field, const char *text)
{
    free(*field);
    *field = text ? strdup(text) : NULL;
}

/* --- events in ------------------------------------------------------------------- */

int warranty_evt_vehicle(as_evt_t *evt)
{
    const As__Vehicle *v = (const As__Vehicle *)evt->payload;
    if (!v->vin || !*v->vin || strlen(v->vin) > WARRANTY_ID_MAX || !v->sale_date ||
        !as_date_valid(v->sale_date))
        return 0;
    MDB_val k = {strlen(v->vin), v->vin}, val = {AS_DATE_LEN, v->sale_date};
    return mdb_put(evt->txn, as_record_dbi(evt->svc, "vehicles"), &k, &val, 0);
}

static const char *s_event_of(As__ClaimStatus status)
{
    switch (status) {
    case AS__CLAIM_STATUS__REJECTED:
        return "warranty.claim.rejected";
    case AS__CLAIM_STATUS__ESCALATED:
        return "warranty.claim.escalated";
    default:
        return "warranty.claim.opened";
    }
}

/* A new claim for one warranty job (malloc'd like an unpacked message). */
static As__WarrantyClaim *s_claim_new(as_evt_t *evt, const As__QcPassed *qc, const As__QcJob *job,
                                      const char *claim_id, const char *date, const char *sale_date)
{
    As__WarrantyClaim *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    as__warranty_claim__init(c);
    c->claim_id = strdup(claim_id);
    c->ro_number = strdup(qc->ro_number);
    c->has_job_no = c->has_mileage_km = c->has_sold_minutes = c->has_actual_minutes = 1;
    c->has_rate_cents = c->has_submissions = 1;
    c->job_no = job->job_no;
    c->vin = strdup(qc->vin ? qc->vin : "");
    c->mileage_km = qc->mileage_km;
    if (job->labour && job->labour->code)
        c->labour_code = strdup(job->labour->code);
    if (job->causal_part && *job->causal_part)
        c->causal_part = strdup(job->causal_part);
    if (job->defect_code && *job->defect_code)
        c->defect_code = strdup(job->defect_code);
    if (job->concern && *job->concern)
        c->concern = strdup(job->concern);
    if (job->technician)
        c->technician = strdup(job->technician);
    c->sold_minutes = job->has_sold_minutes ? job->sold_minutes
                      : job->labour         ? job->labour->sold_minutes
                                            : 0;
    c->actual_minutes = job->actual_minutes;
    c->rate_cents = job->labour ? job->labour->rate_cents : 0;
    c->has_safety_related = 1;
    c->safety_related = job->safety_related;
    c->repair_date = strdup(date);
    if (*sale_date)
        c->sale_date = strdup(sale_date);
    if (!c->claim_id || !c->ro_number || !c->vin || !c->repair_date ||
        (*sale_date && !c->sale_date)) {
        as__warranty_claim__free_unpacked(c, NULL);
        return NULL;
    }
    warranty_claim_check(warranty_of(evt->svc), c);
    return c;
}

static int s_open_claim(as_evt_t *evt, const As__QcPassed *qc, const As__QcJob *job,
                        const char *date, const char *sale_date)
{
    char claim_id[WARRANTY_ID_MAX + 16];
    snprintf(claim_id, sizeof claim_id, "%s-%u", qc->ro_number, job->job_no);
    if (as_record_exists(evt->txn, as_record_dbi(evt->svc, "claims"), claim_id))
        return 0; /* opened already: the same QC seen again */
    As__WarrantyClaim *c = s_claim_new(evt, qc, job, claim_id, date, sale_date);
    if (!c)
        return -ENOMEM;
    int rc = warranty_claim_put(evt->svc, evt->txn, c);
    if (rc == 0)
        rc = as_evt_emit(evt, s_event_of(c->status), c->claim_id, &c->base);
    if (rc == 0 && c->labour_code && *c->labour_code)
        rc = warranty_defects_note(evt, "labour", c->labour_code, c->vin, date);
    if (rc == 0 && c->causal_part)
        rc = warranty_defects_note(evt, "part", c->causal_part, c->vin, date);
    as__warranty_claim__free_unpacked(c, NULL);
    return rc;
}

/* What a QC pass of a repair order warranty has seen opened does: safety
 * reports, a claim per warranty job (checked against the sale date the
 * vehicle had when the RO was opened), recalls and repair counts. */
static int s_apply_qc(as_evt_t *evt, const As__QcPassed *qc, const char *date,
                      const char *sale_date)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < qc->n_jobs; i++) {
        const As__QcJob *job = qc->jobs[i];
        if (job->safety_related) {
            As__DefectSafety s = AS__DEFECT_SAFETY__INIT;
            s.ro_number = qc->ro_number;
            s.has_job_no = s.has_mileage_km = 1;
            s.job_no = job->job_no;
            s.vin = qc->vin;
            s.labour_code = job->labour ? job->labour->code : NULL;
            s.causal_part = job->causal_part;
            s.defect_code = job->defect_code;
            s.concern = job->concern;
            s.date = (char *)date;
            s.mileage_km = qc->mileage_km;
            rc = warranty_defect_safety(evt, &s);
        }
        if (rc == 0 && job->pay_type == AS__PAY_TYPE__WARRANTY)
            rc = s_open_claim(evt, qc, job, date, sale_date);
    }
    if (rc == 0)
        rc = warranty_recall_qc(evt, qc, date, sale_date);
    return rc;
}

/* Keeps a QC pass (with its date filled in) until reception's opening of the
 * RO arrives: the claim needs the RO's vehicle and its sale date. Its key is
 * ro_number \0 seq (16 hex digits): the QC passes of an RO waiting for its
 * opening, in workshop's order. */
static int s_qc_wait(as_evt_t *evt, const As__QcPassed *qc, char *date)
{
    char seq[17];
    snprintf(seq, sizeof seq, "%016llx",
             (unsigned long long)(evt->env->has_seq ? evt->env->seq : 0));
    as_key_t key;
    if (as_key_of(&key, qc->ro_number, seq, NULL) != 0)
        return AS_EINVALID;
    As__QcPassed dated = *qc;
    dated.date = date;
    return as_record_put_key(evt->txn, as_record_dbi(evt->svc, "qc_waiting"), &key, &dated.base);
}

/* One waiting QC pass (key ro_number \0 seq): applied, or logged and dropped
 * when it does not decode; forgotten either way. */
static int s_qc_waiting_one(as_evt_t *evt, const char *ro_number, const char *seq,
                            const char *sale_date)
{
    MDB_dbi dbi = as_record_dbi(evt->svc, "qc_waiting");
    as_key_t key;
    As__QcPassed *qc = NULL;
    int rc = as_key_of(&key, ro_number, seq, NULL);
    if (rc == 0)
        rc = as_record_get_key(evt->txn, dbi, &key, &as__qc_passed__descriptor, &qc);
    if (rc == AS_EBADFRAME || (rc == 0 && !qc->date)) {
        as_warn("a waiting QC pass of RO '%s' does not decode: dropped", ro_number);
        rc = 0;
    } else if (rc == 0) {
        rc = s_apply_qc(evt, qc, qc->date, sale_date);
    }
    if (qc)
        as__qc_passed__free_unpacked(qc, NULL);
    return rc == 0 ? as_record_del_key(evt->txn, dbi, &key) : rc;
}

int warranty_qc_waiting_apply(as_evt_t *evt, const char *ro_number, const char *sale_date)
{
    as_record_list_t waiting = {0}; /* keys only: a value that does not decode is one skip */
    int rc = as_record_scan_in(evt->txn, as_record_dbi(evt->svc, "qc_waiting"), ro_number, NULL,
                               &waiting);
    for (size_t i = 0; rc == 0 && i < waiting.n_keys; i++)
        rc = s_qc_waiting_one(evt, ro_number, waiting.keys[i], sale_date);
    as_record_list_free(&waiting);
    return rc;
}

int warranty_evt_qc_passed(as_evt_t *evt)
{
    const As__QcPassed *qc = (const As__QcPassed *)evt->payload;
    if (!qc->ro_number || !warranty_id_valid(qc->ro_number) || strlen(qc->ro_number) > 64) {
        as_warn("workshop.qc.passed without a valid ro_number: skipped");
        return AS_EINVALID;
    }
    char date[AS_DATE_LEN + 1];
    if (qc->date && as_date_valid(qc->date))
        snprintf(date, sizeof date, "%s", qc->date);
    else
        as_evt_date(evt, date);
    char sale_date[AS_DATE_LEN + 1];
    if (warranty_ro_opened(evt->svc, evt->txn, qc->ro_number, qc->vin, sale_date))
        return s_apply_qc(evt, qc, date, sale_date);
    return s_qc_wait(evt, qc, date);
}

/* The claim an OEM event names (*c NULL, logged, when there is none: the OEM
 * may answer for a claim of another dealer's or an old store's). Returns 0,
 * AS_EINVALID for an id that is not one, or an LMDB code. */
static int s_oem_claim(as_evt_t *evt, const char *claim_id, As__WarrantyClaim **c)
{
    *c = NULL;
    if (!claim_id || !warranty_id_valid(claim_id))
        return AS_EINVALID;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "claims"), claim_id,
                           &as__warranty_claim__descriptor, c);
    if (rc == MDB_NOTFOUND) {
        as_warn("%s for unknown claim '%s': skipped", evt->env->type, claim_id);
        *c = NULL;
        return 0;
    }
    return rc;
}

int warranty_evt_oem_decided(as_evt_t *evt)
{
    const As__OemClaimDecision *d = (const As__OemClaimDecision *)evt->payload;
    As__WarrantyClaim *c = NULL;
    int rc = s_oem_claim(evt, d->claim_id, &c);
    if (rc != 0 || !c)
        goto out;
    if (c->status != AS__CLAIM_STATUS__SUBMITTED ||
        (d->has_submission && d->submission != c->submissions))
        goto out; /* decided already, or a decision on an older submission */
    if (d->accepted) {
        c->status = AS__CLAIM_STATUS__ACCEPTED;
        c->has_oem_amount_cents = 1;
        c->oem_amount_cents = d->has_amount_cents ? d->amount_cents : c->amount_cents;
        s_set(&c->debit_reason, NULL);
    } else {
        c->status = AS__CLAIM_STATUS__REJECTED_BY_OEM;
        /* absent when the OEM gave none: each reader words that in its language */
        s_set(&c->debit_reason, d->debit_reason && *d->debit_reason ? d->debit_reason : NULL);
    }
    rc = warranty_claim_put(evt->svc, evt->txn, c);
    if (rc == 0)
        rc = as_evt_emit(evt,
                         d->accepted ? "warranty.claim.accepted" : "warranty.claim.rejected_by_oem",
                         c->claim_id, &c->base);
out:
    if (c)
        as__warranty_claim__free_unpacked(c, NULL);
    return rc;
}

int warranty_evt_oem_paid(as_evt_t *evt)
{
    const As__OemPayment *p = (const As__OemPayment *)evt->payload;
    As__WarrantyClaim *c = NULL;
    int rc = s_oem_claim(evt, p->claim_id, &c);
    if (rc != 0 || !c || c->status != AS__CLAIM_STATUS__ACCEPTED)
        goto out; /* paid already, or not accepted: nothing to close */
    c->status = AS__CLAIM_STATUS__PAID;
    c->has_paid_cents = 1;
    c->paid_cents = p->has_amount_cents ? p->amount_cents : c->oem_amount_cents;
    rc = warranty_claim_put(evt->svc, evt->txn, c);
    if (rc == 0)
        rc = as_evt_emit(evt, "warranty.claim.paid", c->claim_id, &c->base);
out:
    if (c)
        as__warranty_claim__free_unpacked(c, NULL);
    return rc;
}

/* --- commands ---------------------------------------------------------------------- */

int warranty_cmd_claim_show(as_cmd_t *cmd)
{
    const As__ClaimQuery *q = (const As__ClaimQuery *)cmd->request;
    As__WarrantyClaim *c;
    int rc = warranty_cmd_claim(cmd, q->claim_id, &c);
    if (rc == 0) {
        rc = as_cmd_reply(cmd, &c->base);
        as__warranty_claim__free_unpacked(c, NULL);
    }
    return rc;
}

/* Whether a claim is one the list asks for (by status, flagged only). */
static bool s_listed(const As__ClaimQuery *q, const As__WarrantyClaim *c)
{
    bool by_status = q->has_status && q->status != AS__CLAIM_STATUS__CLAIM_STATUS_UNSET;
    return !(by_status && c->status != q->status) && !(q->flagged && c->n_flags == 0);
}

int warranty_cmd_claim_list(as_cmd_t *cmd)
{
    const As__ClaimQuery *q = (const As__ClaimQuery *)cmd->request;
    if (q->has_status &&
        !protobuf_c_enum_descriptor_get_value(&as__claim_status__descriptor, (int)q->status))
        return as_cmd_fail(cmd, AS_EINVALID, "status %d is not a claim status", (int)q->status);
    as_record_list_t all;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "claims"), NULL,
                            &as__warranty_claim__descriptor, &all);
    if (rc != 0)
        return rc;
    /* the listed claims first; the list still owns (and frees) every one */
    As__ClaimList list = AS__CLAIM_LIST__INIT;
    list.claims = (As__WarrantyClaim **)all.msgs;
    for (size_t i = 0; i < all.n; i++) {
        As__WarrantyClaim *c = list.claims[i];
        if (!s_listed(q, c))
            continue;
        list.claims[i] = list.claims[list.n_claims];
        list.claims[list.n_claims++] = c;
    }
    rc = as_cmd_reply(cmd, &list.base);
    as_record_list_free(&all);
    return rc;
}

/* Refuses to submit a claim rejected as out of coverage, saying why (the
 * policy's verdict, one format per case, so a page words it in its language). */
static int s_refuse_rejected(as_cmd_t *cmd, const As__WarrantyClaim *c)
{
    const char *id = c->claim_id;
    const warranty_group_t *g;
    switch (warranty_claim_coverage(warranty_of(cmd->svc), c, &g)) {
    case WARRANTY_NO_SALE_DATE:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "claim '%s' was rejected: vehicle %s has no sale date on record at "
                           "reception",
                           id, c->vin ? c->vin : "?");
    case WARRANTY_TOO_OLD:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "claim '%s' was rejected: vehicle sold %s is past the %u-year %s "
                           "warranty on %s",
                           id, c->sale_date, g->years, g->name, c->repair_date);
    case WARRANTY_TOO_FAR:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "claim '%s' was rejected: mileage %u km is past the %u km %s warranty",
                           id, c->mileage_km, g->km, g->name);
    case WARRANTY_COVERED: /* the policy changed since: correct it to check it again */
        break;
    }
    return as_cmd_fail(cmd, AS_ECONFLICT,
                       "claim '%s' was rejected as out of coverage: correct it to check it again",
                       id);
}

/* Why a claim in this status cannot be submitted (NULL: it can). */
static int s_not_submittable(as_cmd_t *cmd, const As__WarrantyClaim *c)
{
    const char *id = c->claim_id;
    switch (c->status) {
    case AS__CLAIM_STATUS__READY:
        return 0;
    case AS__CLAIM_STATUS__ESCALATED:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "claim '%s' is escalated and not approved: the service manager "
                           "approves it first (warranty.claim.approve)",
                           id);
    case AS__CLAIM_STATUS__REJECTED:
        return s_refuse_rejected(cmd, c);
    case AS__CLAIM_STATUS__REJECTED_BY_OEM:
        if (!c->debit_reason || !*c->debit_reason)
            return as_cmd_fail(cmd, AS_ECONFLICT,
                               "claim '%s' was rejected by the oem, which gave no reason: correct "
                               "it first",
                               id);
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "claim '%s' was rejected by the oem (%s): correct it first", id,
                           c->debit_reason);
    default:
        return as_cmd_fail(cmd, AS_ECONFLICT, "claim '%s' is %s: it was submitted already", id,
                           warranty_status_name(c->status));
    }
}

int warranty_cmd_claim_submit(as_cmd_t *cmd)
{
    const As__ClaimQuery *q = (const As__ClaimQuery *)cmd->request;
    As__WarrantyClaim *c = NULL;
    int rc = warranty_cmd_claim(cmd, q->claim_id, &c);
    if (rc == 0)
        rc = s_not_submittable(cmd, c);
    if (rc == 0) {
        char today[AS_DATE_LEN + 1];
        as_cmd_date(cmd, today);
        c->status = AS__CLAIM_STATUS__SUBMITTED;
        c->submissions++;
        s_set(&c->submitted_by, cmd->actor);
        s_set(&c->submitted_date, today);
        if (c->submissions == 1)
            s_set(&c->first_submitted_date, today);
        rc = warranty_claim_put(cmd->svc, cmd->txn, c);
    }
    if (rc == 0)
        rc = as_cmd_emit(cmd, "warranty.claim.submitted", c->claim_id, &c->base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &c->base);
    if (c)
        as__warranty_claim__free_unpacked(c, NULL);
    return rc;
}

int warranty_cmd_claim_approve(as_cmd_t *cmd)
{
    const As__ClaimApprove *a = (const As__ClaimApprove *)cmd->request;
    As__WarrantyClaim *c = NULL;
    int rc = warranty_cmd_claim(cmd, a->claim_id, &c);
    if (rc == 0 && c->status != AS__CLAIM_STATUS__ESCALATED)
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "claim '%s' is %s, not escalated: nothing to approve",
                         c->claim_id, warranty_status_name(c->status));
    if (rc == 0) {
        s_set(&c->approved_by, cmd->actor);
        c->has_approved_cents = 1;
        c->approved_cents = c->amount_cents;
        warranty_claim_check(warranty_of(cmd->svc), c);
        rc = warranty_claim_put(cmd->svc, cmd->txn, c);
    }
    if (rc == 0)
        rc = as_cmd_emit(cmd, "warranty.claim.approved", c->claim_id, &c->base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &c->base);
    if (c)
        as__warranty_claim__free_unpacked(c, NULL);
    return rc;
}

static int s_note(As__WarrantyClaim *c, const char *field, const char *from, const char *to)
{
    char note[200];
    snprintf(note, sizeof note, "%s %s -> %s", field, from ? from : "(none)", to);
    char **grown = realloc(c->corrections, (c->n_corrections + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    c->corrections = grown;
    if (!(c->corrections[c->n_corrections] = strdup(note)))
        return -ENOMEM;
    c->n_corrections++;
    return 0;
}

static int s_check_correct(as_cmd_t *cmd, const As__ClaimCorrect *r)
{
    const struct {
        const char *name, *value;
    } codes[] = {{"defect_code", r->defect_code},
                 {"causal_part", r->causal_part},
                 {"labour_code", r->labour_code}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i].value && !warranty_code_valid(codes[i].value))
            return as_cmd_fail(cmd, AS_EINVALID,
                               "%s '%s' is not a valid code ([A-Za-z0-9._-], 1..32)", codes[i].name,
                               codes[i].value);
    if (r->has_sold_minutes && (r->sold_minutes == 0 || r->sold_minutes > WARRANTY_MAX_MINUTES))
        return as_cmd_fail(cmd, AS_EINVALID, "sold_minutes %u is out of range (1..%u)",
                           r->sold_minutes, WARRANTY_MAX_MINUTES);
    if (r->has_actual_minutes && r->actual_minutes > WARRANTY_MAX_MINUTES)
        return as_cmd_fail(cmd, AS_EINVALID, "actual_minutes %u is out of range (0..%u)",
                           r->actual_minutes, WARRANTY_MAX_MINUTES);
    if (!r->defect_code && !r->causal_part && !r->labour_code && !r->has_sold_minutes &&
        !r->has_actual_minutes)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "nothing to correct: give defect_code, causal_part, labour_code, "
                           "sold_minutes or actual_minutes");
    return 0;
}

static int s_apply_correct(As__WarrantyClaim *c, const As__ClaimCorrect *r)
{
    int rc = 0;
    char from[16], to[16];
    if (r->defect_code && (rc = s_note(c, "defect_code", c->defect_code, r->defect_code)) == 0)
        s_set(&c->defect_code, r->defect_code);
    if (rc == 0 && r->causal_part &&
        (rc = s_note(c, "causal_part", c->causal_part, r->causal_part)) == 0)
        s_set(&c->causal_part, r->causal_part);
    if (rc == 0 && r->labour_code &&
        (rc = s_note(c, "labour_code", c->labour_code, r->labour_code)) == 0)
        s_set(&c->labour_code, r->labour_code);
    if (rc == 0 && r->has_sold_minutes) {
        snprintf(from, sizeof from, "%u", c->sold_minutes);
        snprintf(to, sizeof to, "%u", r->sold_minutes);
        if ((rc = s_note(c, "sold_minutes", from, to)) == 0)
            c->sold_minutes = r->sold_minutes;
    }
    if (rc == 0 && r->has_actual_minutes) {
        snprintf(from, sizeof from, "%u", c->actual_minutes);
        snprintf(to, sizeof to, "%u", r->actual_minutes);
        if ((rc = s_note(c, "actual_minutes", from, to)) == 0)
            c->actual_minutes = r->actual_minutes;
    }
    return rc;
}

/* Refuses a correction that leaves the claim out of coverage, saying why (one
 * format per case of the policy's verdict). */
static int s_refuse_still_rejected(as_cmd_t *cmd, const As__WarrantyClaim *c)
{
    const char *id = c->claim_id;
    const warranty_group_t *g;
    switch (warranty_claim_coverage(warranty_of(cmd->svc), c, &g)) {
    case WARRANTY_NO_SALE_DATE:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "claim '%s' is still out of coverage: vehicle %s has no sale date on "
                           "record at reception",
                           id, c->vin ? c->vin : "?");
    case WARRANTY_TOO_OLD:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "claim '%s' is still out of coverage: vehicle sold %s is past the "
                           "%u-year %s warranty on %s",
                           id, c->sale_date, g->years, g->name, c->repair_date);
    case WARRANTY_TOO_FAR:
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "claim '%s' is still out of coverage: mileage %u km is past the %u km "
                           "%s warranty",
                           id, c->mileage_km, g->km, g->name);
    case WARRANTY_COVERED: /* not reached: warranty_claim_check rejected it by this verdict */
        break;
    }
    return 0;
}

int warranty_cmd_claim_correct(as_cmd_t *cmd)
{
    const As__ClaimCorrect *r = (const As__ClaimCorrect *)cmd->request;
    As__WarrantyClaim *c = NULL;
    int rc = warranty_cmd_claim(cmd, r->claim_id, &c);
    if (rc == 0 && c->status != AS__CLAIM_STATUS__REJECTED_BY_OEM &&
        c->status != AS__CLAIM_STATUS__REJECTED)
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "claim '%s' is %s: only a rejected claim is corrected",
                         c->claim_id, warranty_status_name(c->status));
    if (rc == 0)
        rc = s_check_correct(cmd, r);
    if (rc == 0)
        rc = s_apply_correct(c, r);
    if (rc == 0) {
        warranty_claim_check(warranty_of(cmd->svc), c);
        if (c->status == AS__CLAIM_STATUS__REJECTED)
            rc = s_refuse_still_rejected(cmd, c);
    }
    if (rc == 0)
        rc = warranty_claim_put(cmd->svc, cmd->txn, c);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "warranty.claim.corrected", c->claim_id, &c->base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &c->base);
    if (c)
        as__warranty_claim__free_unpacked(c, NULL);
    return rc;
}
