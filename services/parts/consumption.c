/* consumption.c — when the vehicle completed QC (workshop.qc.passed), the RO's
 * issued-less-returned parts become its consumption, charged with cost and
 * price; and parts.ro.show, an RO's issues, reservations and consumption. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/log.h"
#include "as/pb/workshop.pb-c.h"
#include "parts.h"

typedef struct {
    As__ConsumptionLine *lines;
    size_t n;
    As__Consumption record;
} s_tally_t;

static void s_tally_release(s_tally_t *tally)
{
    for (size_t i = 0; i < tally->n; i++)
        free(tally->lines[i].part_number);
    free(tally->lines);
    free(tally->record.lines);
}

/* Adds an issue's net quantity to the line of its job and part. */
static int s_tally_add(s_tally_t *tally, const As__PartIssue *issue)
{
    uint32_t net = issue->quantity - issue->returned;
    if (net == 0)
        return 0;
    As__ConsumptionLine *line = NULL;
    for (size_t i = 0; i < tally->n && !line; i++)
        if (tally->lines[i].job_no == issue->job_no &&
            strcmp(tally->lines[i].part_number, issue->part_number) == 0)
            line = &tally->lines[i];
    if (!line) {
        As__ConsumptionLine *grown = realloc(tally->lines, (tally->n + 1) * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        tally->lines = grown;
        line = &tally->lines[tally->n];
        as__consumption_line__init(line);
        if (!(line->part_number = strdup(issue->part_number)))
            return -ENOMEM;
        tally->n++;
        line->has_job_no = line->has_quantity = line->has_cost_cents = line->has_price_cents = 1;
        line->job_no = issue->job_no;
        line->has_accessory = line->accessory = issue->accessory;
    }
    line->quantity += net;
    line->cost_cents += (int64_t)net * issue->unit_cost_cents;
    line->price_cents += (int64_t)net * issue->unit_price_cents;
    tally->record.cost_cents += (int64_t)net * issue->unit_cost_cents;
    tally->record.price_cents += (int64_t)net * issue->unit_price_cents;
    if (issue->accessory) {
        tally->record.accessory_cost_cents += (int64_t)net * issue->unit_cost_cents;
        tally->record.accessory_price_cents += (int64_t)net * issue->unit_price_cents;
    }
    return 0;
}

/* Closes a backorder the RO no longer waits for: nothing more is owed. */
static int s_settle_backorder(as_service_t *svc, MDB_txn *txn, As__PartIssue *bo)
{
    uint32_t owed = bo->quantity - bo->filled;
    if (owed == 0 || bo->settled)
        return 0;
    As__Part *part;
    int rc = as_record_get(txn, as_record_dbi(svc, "parts"), bo->part_number, &as__part__descriptor,
                           &part);
    if (rc != 0)
        return rc;
    part->backordered -= owed < part->backordered ? owed : part->backordered;
    rc = parts_part_put(svc, txn, part);
    as__part__free_unpacked(part, NULL);
    char entry[AS_KEY_MAX];
    snprintf(entry, sizeof entry, "%020lld:%s", (long long)bo->at_us, bo->issue_id);
    if (rc == 0)
        rc = as_record_del_in(txn, as_record_dbi(svc, "backorders"), bo->part_number, entry);
    bo->has_settled = bo->settled = 1;
    return rc == 0 ? as_record_put(txn, as_record_dbi(svc, "issues"), bo->issue_id, &bo->base) : rc;
}

static int s_tally_issues(as_service_t *svc, MDB_txn *txn, const char *ro, s_tally_t *tally)
{
    as_record_list_t ids;
    int rc = as_record_scan_in(txn, as_record_dbi(svc, "ro_issues"), ro, NULL, &ids);
    for (size_t i = 0; rc == 0 && i < ids.n; i++) {
        As__PartIssue *issue;
        if ((rc = as_record_get(txn, as_record_dbi(svc, "issues"), ids.keys[i],
                                &as__part_issue__descriptor, &issue)) != 0)
            break;
        rc = issue->backorder ? s_settle_backorder(svc, txn, issue) : s_tally_add(tally, issue);
        as__part_issue__free_unpacked(issue, NULL);
    }
    as_record_list_free(&ids);
    return rc;
}

/* Gives back to free stock what the RO's jobs had reserved and not taken. */
static int s_release_reservations(as_service_t *svc, MDB_txn *txn, const char *ro)
{
    MDB_dbi dbi = as_record_dbi(svc, "reservations");
    as_record_list_t held;
    int rc = as_record_scan_in(txn, dbi, ro, NULL, &held);
    for (size_t i = 0; rc == 0 && i < held.n; i++) {
        As__PartReserve *r;
        As__Part *part;
        if ((rc = as_record_get_in(txn, dbi, ro, held.keys[i], &as__part_reserve__descriptor,
                                   &r)) != 0)
            break;
        if ((rc = as_record_get(txn, as_record_dbi(svc, "parts"), r->part_number,
                                &as__part__descriptor, &part)) == 0) {
            part->reserved -= r->quantity < part->reserved ? r->quantity : part->reserved;
            rc = parts_part_put(svc, txn, part);
            as__part__free_unpacked(part, NULL);
        }
        as__part_reserve__free_unpacked(r, NULL);
        if (rc == 0)
            rc = as_record_del_in(txn, dbi, ro, held.keys[i]);
    }
    as_record_list_free(&held);
    return rc;
}

static int s_record_consumption(as_evt_t *evt, const As__QcPassed *qc)
{
    s_tally_t tally = {NULL, 0, AS__CONSUMPTION__INIT};
    As__Consumption *c = &tally.record;
    c->ro_number = qc->ro_number;
    c->has_cost_cents = c->has_price_cents = c->has_at_us = 1;
    c->has_accessory_cost_cents = c->has_accessory_price_cents = 1;
    c->at_us = as_evt_time(evt);
    int rc = s_tally_issues(evt->svc, evt->txn, qc->ro_number, &tally);
    if (rc == 0)
        rc = s_release_reservations(evt->svc, evt->txn, qc->ro_number);
    if (rc == 0 && tally.n > 0 && !(c->lines = calloc(tally.n, sizeof *c->lines)))
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < tally.n; i++)
        c->lines[c->n_lines++] = &tally.lines[i];
    if (rc == 0)
        rc = as_record_put(evt->txn, as_record_dbi(evt->svc, "consumptions"), c->ro_number,
                           &c->base);
    if (rc == 0) {
        char date[AS_DATE_LEN + 1];
        if (qc->date && as_date_valid(qc->date))
            memcpy(date, qc->date, sizeof date);
        else
            as_date_of_us(c->at_us, date);
        As__ConsumptionRecorded event = AS__CONSUMPTION_RECORDED__INIT;
        event.consumption = c;
        event.date = date;
        rc = as_evt_emit(evt, "parts.consumption.recorded", c->ro_number, &event.base);
    }
    s_tally_release(&tally);
    return rc;
}

int parts_evt_qc_passed(as_evt_t *evt)
{
    const As__QcPassed *qc = (const As__QcPassed *)evt->payload;
    if (!qc || !qc->ro_number || !parts_id_valid(qc->ro_number))
        return AS_EINVALID;
    if (parts_ro_settled(evt->svc, evt->txn, qc->ro_number)) {
        as_info("ro '%s': consumption already recorded, workshop.qc.passed seq %llu ignored",
                qc->ro_number, (unsigned long long)evt->env->seq);
        return 0;
    }
    return s_record_consumption(evt, qc);
}

/* --- parts.ro.show --------------------------------------------------------- */

typedef struct {
    As__PartIssue **issues;
    size_t n_issues;
    As__PartReserve **held;
    size_t n_held;
    As__Consumption *consumption;
} s_ro_view_t;

static void s_view_release(s_ro_view_t *v)
{
    for (size_t i = 0; i < v->n_issues; i++)
        as__part_issue__free_unpacked(v->issues[i], NULL);
    for (size_t i = 0; i < v->n_held; i++)
        as__part_reserve__free_unpacked(v->held[i], NULL);
    free(v->issues);
    free(v->held);
    if (v->consumption)
        as__consumption__free_unpacked(v->consumption, NULL);
}

static int s_view_load(as_cmd_t *cmd, const char *ro, s_ro_view_t *v)
{
    as_record_list_t ids, held;
    int rc = as_record_scan_in(cmd->txn, as_record_dbi(cmd->svc, "ro_issues"), ro, NULL, &ids);
    if (rc != 0)
        return rc;
    if (ids.n && !(v->issues = calloc(ids.n, sizeof *v->issues)))
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < ids.n; i++)
        if ((rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "issues"), ids.keys[i],
                                &as__part_issue__descriptor, &v->issues[i])) == 0)
            v->n_issues++;
    as_record_list_free(&ids);
    MDB_dbi dbi = as_record_dbi(cmd->svc, "reservations");
    if (rc != 0 || (rc = as_record_scan_in(cmd->txn, dbi, ro, NULL, &held)) != 0)
        return rc;
    if (held.n && !(v->held = calloc(held.n, sizeof *v->held)))
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < held.n; i++)
        if ((rc = as_record_get_in(cmd->txn, dbi, ro, held.keys[i], &as__part_reserve__descriptor,
                                   &v->held[i])) == 0)
            v->n_held++;
    as_record_list_free(&held);
    if (rc != 0)
        return rc;
    rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "consumptions"), ro,
                       &as__consumption__descriptor, &v->consumption);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int parts_cmd_ro_show(as_cmd_t *cmd)
{
    const As__RoPartsQuery *req = (const As__RoPartsQuery *)cmd->request;
    int rc = 0;
    s_ro_view_t view = {0};
    if (!req->ro_number || !req->ro_number[0])
        rc = as_cmd_fail(cmd, AS_EINVALID, "ro_number is required");
    else if (!parts_id_valid(req->ro_number))
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "ro number '%s' must be 1 to 64 of letters, digits, '.', '_', '-'",
                         req->ro_number);
    else
        rc = s_view_load(cmd, req->ro_number, &view);
    if (rc == 0 && !view.n_issues && !view.n_held && !view.consumption)
        rc = as_cmd_fail(cmd, AS_ENOTFOUND, "ro '%s' has no parts reserved, issued or consumed",
                         req->ro_number);
    if (rc == 0) {
        As__RoParts reply = AS__RO_PARTS__INIT;
        reply.issues = view.issues;
        reply.n_issues = view.n_issues;
        reply.reservations = view.held;
        reply.n_reservations = view.n_held;
        reply.consumption = view.consumption;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    s_view_release(&view);
    return rc;
}
