/* asoem — a simulated OEM warranty system for tests and demos: a real source
 * on the runtime (service "oem", its own store, outbox and replay endpoint).
 * It follows warranty; for each warranty.claim.submitted it decides by the
 * rule in [oem] reject_defect_codes (a claim with such a defect code is
 * rejected, "defect code X not covered"; one with a code in
 * unexplained_defect_codes is rejected with no debit reason, as an OEM may do;
 * every other one is accepted for the claimed amount) and publishes oem.claim.decided, then
 * oem.payment.received for an accepted claim. It follows parts too and plays the parts supplier:
 * for each parts.order.placed it confirms every line (oem.order.confirmed), promised [oem]
 * supply_lead_days working days after the order date (urgent_lead_days for an urgent order), and
 * only half of a part listed in short_ship_parts. It inspects the replaced parts that come back:
 * for each packing line of a warranty.shipment.confirmed (once per tag) it publishes
 * oem.part.inspected, the fault not confirmed for a part listed in [oem] not_confirmed_parts,
 * confirmed for every other, dated the day the shipment was confirmed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "as/calendar.h"
#include "as/config_schema.h"
#include "as/error.h"
#include "as/log.h"
#include "as/pb/parts.pb-c.h"
#include "as/pb/warranty.pb-c.h"
#include "as/service.h"
#include "as/staff.h"

typedef struct {
    char **reject_codes;      /* NULL-terminated, from [oem] reject_defect_codes; kept for the
                               * life of the process */
    char **unexplained_codes; /* [oem] unexplained_defect_codes: rejected without a reason */
    char **short_parts;       /* [oem] short_ship_parts: confirmed only half */
    long long lead_days, urgent_lead_days; /* working days to the promised date */
    char supplier[101];                    /* [oem] supplier: the orders it answers (default OEM) */
    char **not_confirmed_parts; /* [oem] not_confirmed_parts: returned parts found without fault */
} s_oem_t;

static s_oem_t s_oem;

static int s_start(as_service_t *svc)
{
    s_oem_t *oem = as_service_user(svc);
    int n = as_config_get_list(as_service_config(svc), "oem", "reject_defect_codes",
                               &oem->reject_codes);
    if (n < 0)
        return n;
    as_info("oem: rejecting %d defect code(s)", n);
    n = as_config_get_list(as_service_config(svc), "oem", "unexplained_defect_codes",
                           &oem->unexplained_codes);
    if (n < 0)
        return n;
    oem->lead_days = 2;
    oem->urgent_lead_days = 1;
    if (as_config_read_int(as_service_config(svc), "oem", "supply_lead_days", &oem->lead_days) ||
        as_config_read_int(as_service_config(svc), "oem", "urgent_lead_days",
                           &oem->urgent_lead_days)) {
        as_error("config: [oem] supply_lead_days and urgent_lead_days must be 0..365");
        return AS_ECONFIG;
    }
    snprintf(oem->supplier, sizeof oem->supplier, "%s",
             as_config_get(as_service_config(svc), "oem", "supplier", "OEM"));
    n = as_config_get_list(as_service_config(svc), "oem", "short_ship_parts", &oem->short_parts);
    if (n < 0)
        return n;
    n = as_config_get_list(as_service_config(svc), "oem", "not_confirmed_parts",
                           &oem->not_confirmed_parts);
    return n < 0 ? n : 0;
}

static bool s_in(char **codes, const char *defect_code)
{
    for (char **c = codes; defect_code && c && *c; c++)
        if (strcmp(*c, defect_code) == 0)
            return true;
    return false;
}

static int s_decide(as_evt_t *evt, const As__WarrantyClaim *claim)
{
    MDB_dbi dbi = as_store_dbi(as_service_store(evt->svc), "claims");
    const char *id = claim->claim_id;
    As__OemClaim *known = NULL;
    int rc = as_store_get_msg(evt->txn, dbi, id, strlen(id), &as__oem_claim__descriptor,
                              (ProtobufCMessage **)&known);
    if (rc == 0 && known->submissions >= claim->submissions) {
        as__oem_claim__free_unpacked(known, NULL);
        return 0; /* this submission was decided already */
    }
    if (known)
        as__oem_claim__free_unpacked(known, NULL);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    char reason[96] = "", today[AS_DATE_LEN + 1];
    as_date_today(today);
    const s_oem_t *oem = as_service_user(evt->svc);
    bool unexplained = s_in(oem->unexplained_codes, claim->defect_code);
    bool accepted = !unexplained && !s_in(oem->reject_codes, claim->defect_code);
    if (!accepted && !unexplained)
        snprintf(reason, sizeof reason, "defect code %s not covered", claim->defect_code);
    As__OemClaim rec = AS__OEM_CLAIM__INIT;
    rec.claim_id = (char *)id;
    rec.has_submissions = rec.has_accepted = rec.has_amount_cents = rec.has_paid = 1;
    rec.submissions = claim->submissions;
    rec.accepted = accepted;
    rec.amount_cents = accepted ? claim->amount_cents : 0;
    rec.debit_reason = accepted || unexplained ? NULL : reason;
    rec.vin = claim->vin;
    rec.defect_code = claim->defect_code;
    rec.paid = accepted;
    rc = as_store_put_msg(evt->txn, dbi, id, strlen(id), &rec.base);
    As__OemClaimDecision d = AS__OEM_CLAIM_DECISION__INIT;
    d.claim_id = (char *)id;
    d.has_accepted = d.has_amount_cents = d.has_submission = 1;
    d.accepted = accepted;
    d.amount_cents = rec.amount_cents;
    d.debit_reason = rec.debit_reason;
    d.submission = claim->submissions;
    d.date = today;
    if (rc == 0)
        rc = as_evt_emit(evt, "oem.claim.decided", id, &d.base);
    if (rc == 0 && accepted) {
        As__OemPayment p = AS__OEM_PAYMENT__INIT;
        p.claim_id = (char *)id;
        p.has_amount_cents = 1;
        p.amount_cents = rec.amount_cents;
        p.date = today;
        rc = as_evt_emit(evt, "oem.payment.received", id, &p.base);
    }
    return rc;
}

static int s_evt_submitted(as_evt_t *evt)
{
    const As__Envelope *env = evt->env;
    As__WarrantyClaim *claim =
        as__warranty_claim__unpack(NULL, env->payload.len, env->payload.data);
    if (!claim)
        return AS_EINVALID;
    int rc = AS_EINVALID;
    if (claim->claim_id && *claim->claim_id && strlen(claim->claim_id) <= 64)
        rc = s_decide(evt, claim);
    as__warranty_claim__free_unpacked(claim, NULL);
    return rc;
}

static int s_cmd_list(as_cmd_t *cmd)
{
    int rc = as_cmd_require(cmd, AS_ROLE_WARRANTY_CLERK | AS_ROLE_SERVICE_MANAGER | AS_ROLE_SYSTEM);
    if (rc != 0)
        return rc;
    As__OemClaimQuery *q = as__oem_claim_query__unpack(NULL, cmd->payload_len, cmd->payload);
    if (!q)
        return as_cmd_fail(cmd, AS_EINVALID, "the request does not decode as an OemClaimQuery");
    As__OemClaimList list = AS__OEM_CLAIM_LIST__INIT;
    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(cmd->txn, as_store_dbi(as_service_store(cmd->svc), "claims"),
                              &cur)) != 0) {
        as__oem_claim_query__free_unpacked(q, NULL);
        return rc;
    }
    MDB_val k, v;
    for (int mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && mrc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        As__OemClaim *c = as__oem_claim__unpack(NULL, v.mv_size, v.mv_data);
        if (!c) {
            rc = AS_EBADFRAME;
            break;
        }
        if (q->claim_id && strcmp(q->claim_id, c->claim_id ? c->claim_id : "") != 0) {
            as__oem_claim__free_unpacked(c, NULL);
            continue;
        }
        As__OemClaim **grown = realloc(list.claims, (list.n_claims + 1) * sizeof *grown);
        if (!grown) {
            as__oem_claim__free_unpacked(c, NULL);
            rc = AS_EINTERNAL;
            break;
        }
        list.claims = grown;
        list.claims[list.n_claims++] = c;
    }
    mdb_cursor_close(cur);
    if (rc == 0 && q->claim_id && list.n_claims == 0)
        rc = as_cmd_fail(cmd, AS_ENOTFOUND, "the oem has no claim '%s'", q->claim_id);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list.base);
    for (size_t i = 0; i < list.n_claims; i++)
        as__oem_claim__free_unpacked(list.claims[i], NULL);
    free(list.claims);
    as__oem_claim_query__free_unpacked(q, NULL);
    return rc;
}

/* --- the parts supplier ----------------------------------------------------- */

/* `days` working days (Monday to Friday) after `date`. */
static void s_add_working_days(const char *date, long long days, char out[AS_DATE_LEN + 1])
{
    snprintf(out, AS_DATE_LEN + 1, "%s", date);
    while (days > 0) {
        as_date_add_days(out, 1, out);
        int64_t weekday = as_date_diff_days("2024-01-01", out) % 7; /* a Monday: 0 */
        if (weekday < 0)
            weekday += 7;
        if (weekday < 5)
            days--;
    }
}

static bool s_listed(char **list, const char *s)
{
    for (char **c = list; s && c && *c; c++)
        if (strcmp(*c, s) == 0)
            return true;
    return false;
}

/* parts.order.placed: every line of an order to [oem] supplier confirmed,
 * once per order (the store keeps the orders answered); orders to other
 * suppliers are not the OEM's to answer (the keeper confirms them by phone). */
static int s_evt_order_placed(as_evt_t *evt)
{
    const As__OrderChanged *m = (const As__OrderChanged *)evt->payload;
    const As__PartsOrder *o = m->order;
    if (!o || !o->order_id || !*o->order_id || strlen(o->order_id) > 64 ||
        !as_date_valid(o->order_date) || o->n_lines > 1000)
        return AS_EINVALID;
    s_oem_t *oem = as_service_user(evt->svc);
    if (!o->supplier || strcasecmp(o->supplier, oem->supplier) != 0)
        return 0;
    MDB_dbi dbi = as_store_dbi(as_service_store(evt->svc), "orders");
    MDB_val key = {strlen(o->order_id), o->order_id}, value;
    int rc = mdb_get(evt->txn, dbi, &key, &value);
    if (rc == 0)
        return 0; /* answered already */
    if (rc != MDB_NOTFOUND)
        return rc;
    char promised[AS_DATE_LEN + 1];
    s_add_working_days(o->order_date, o->urgent ? oem->urgent_lead_days : oem->lead_days, promised);
    As__OrderLineConfirmation *lines = calloc(o->n_lines ? o->n_lines : 1, sizeof *lines);
    As__OrderLineConfirmation **list = calloc(o->n_lines ? o->n_lines : 1, sizeof *list);
    rc = lines && list ? 0 : AS_EINTERNAL;
    for (size_t i = 0; rc == 0 && i < o->n_lines; i++) {
        const As__OrderLine *l = o->lines[i];
        as__order_line_confirmation__init(&lines[i]);
        lines[i].has_line_no = lines[i].has_confirmed_quantity = 1;
        lines[i].line_no = l->line_no;
        lines[i].confirmed_quantity =
            s_listed(oem->short_parts, l->part_number) ? l->quantity / 2 : l->quantity;
        lines[i].promised_date = promised;
        list[i] = &lines[i];
    }
    value.mv_size = strlen(o->order_date);
    value.mv_data = o->order_date;
    if (rc == 0)
        rc = mdb_put(evt->txn, dbi, &key, &value, 0);
    As__OemOrderConfirmed c = AS__OEM_ORDER_CONFIRMED__INIT;
    c.order_id = o->order_id;
    c.lines = list;
    c.n_lines = o->n_lines;
    c.date = o->order_date;
    if (rc == 0)
        rc = as_evt_emit(evt, "oem.order.confirmed", o->order_id, &c.base);
    free(lines);
    free(list);
    return rc;
}

/* --- the return inspection of replaced parts (issue 15) ---------------------- */

/* warranty.shipment.confirmed: each part on the packing list inspected once
 * (the store keeps the tags inspected: tag -> date), dated the day the
 * shipment was confirmed (its arrival), so a replay decides the same. */
static int s_evt_shipment_confirmed(as_evt_t *evt)
{
    const As__Shipment *s = (const As__Shipment *)evt->payload;
    if (!s->shipment_id || !*s->shipment_id || s->n_packing_list > 10000)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    if (as_date_valid(s->confirmed_date))
        snprintf(date, sizeof date, "%s", s->confirmed_date);
    else
        as_evt_date(evt, date);
    s_oem_t *oem = as_service_user(evt->svc);
    MDB_dbi dbi = as_store_dbi(as_service_store(evt->svc), "inspections");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->n_packing_list; i++) {
        const As__PackingLine *l = s->packing_list[i];
        if (!l->tag || !*l->tag || strlen(l->tag) > 100)
            continue;
        MDB_val key = {strlen(l->tag), l->tag}, value;
        rc = mdb_get(evt->txn, dbi, &key, &value);
        if (rc == 0)
            continue; /* inspected already */
        if (rc != MDB_NOTFOUND)
            break;
        value.mv_size = strlen(date);
        value.mv_data = date;
        if ((rc = mdb_put(evt->txn, dbi, &key, &value, 0)) != 0)
            break;
        bool confirmed = !s_listed(oem->not_confirmed_parts, l->part_number);
        char finding[160];
        if (confirmed)
            snprintf(finding, sizeof finding, "fault confirmed");
        else
            snprintf(finding, sizeof finding, "no fault found on part %.100s",
                     l->part_number ? l->part_number : "?");
        As__OemPartInspection m = AS__OEM_PART_INSPECTION__INIT;
        m.tag = l->tag;
        m.claim_id = l->claim_id;
        m.part_number = l->part_number;
        m.shipment_id = s->shipment_id;
        m.has_fault_confirmed = 1;
        m.fault_confirmed = confirmed;
        m.finding = finding;
        m.date = date;
        rc = as_evt_emit(evt, "oem.part.inspected", l->tag, &m.base);
    }
    return rc;
}

static const char *const s_dbs[] = {"claims", "orders", "inspections", NULL};

static const as_command_def_t s_commands[] = {
    {"oem.claim.list", s_cmd_list},
    {NULL, NULL},
};

static const as_event_def_t s_events[] = {
    {"warranty.claim.submitted", s_evt_submitted},
    {"parts.order.placed", s_evt_order_placed},
    {"warranty.shipment.confirmed", s_evt_shipment_confirmed},
    {NULL, NULL},
};

static const as_service_def_t s_def = {
    .name = "oem",
    .dbs = s_dbs,
    .commands = s_commands,
    .events = s_events,
    .on_start = s_start,
    .user = &s_oem,
    .summary = "A simulated OEM warranty system (service \"oem\", follows = warranty): decides\n"
               "every warranty.claim.submitted (oem.claim.decided) and pays accepted claims\n"
               "(oem.payment.received). [oem] reject_defect_codes = a comma list of defect\n"
               "codes it rejects with \"defect code X not covered\"; unexplained_defect_codes\n"
               "those it rejects with no reason.\n"
               "Follows parts too: confirms every parts.order.placed (oem.order.confirmed),\n"
               "for [oem] supplier (default OEM), promised supply_lead_days (urgent:\n"
               "urgent_lead_days) working days after the order date, half of each part in\n"
               "short_ship_parts.\n"
               "Inspects each replaced part of a warranty.shipment.confirmed once\n"
               "(oem.part.inspected): fault not confirmed for a part in [oem]\n"
               "not_confirmed_parts, confirmed for every other.",
};

int main(int argc, char **argv)
{
    return as_service_main(&s_def, argc, argv);
}
