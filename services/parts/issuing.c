/* issuing.c — reservations for RO jobs, issues to a job and technician (with
 * backorders when the shelf is short), returns to stock, and an RO's parts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "parts.h"

static void s_job_key(char *out, size_t cap, uint32_t job_no, const char *part_number)
{
    snprintf(out, cap, "%010u:%s", job_no, part_number);
}

/* The reservation of (ro, job, part); *out is NULL when there is none. */
static int s_reservation_get(as_cmd_t *cmd, const char *ro, uint32_t job_no, const char *pn,
                             As__PartReserve **out)
{
    char second[64];
    s_job_key(second, sizeof second, job_no, pn);
    *out = NULL;
    int rc = as_record_get_in(cmd->txn, as_record_dbi(cmd->svc, "reservations"), ro, second,
                              &as__part_reserve__descriptor, out);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_reservation_put(as_cmd_t *cmd, const As__PartReserve *r)
{
    char second[64];
    s_job_key(second, sizeof second, r->job_no, r->part_number);
    MDB_dbi dbi = as_record_dbi(cmd->svc, "reservations");
    if (r->quantity == 0)
        return as_record_del_in(cmd->txn, dbi, r->ro_number, second);
    return as_record_put_in(cmd->txn, dbi, r->ro_number, second, &r->base);
}

/* Checks what reserve and issue share: the RO job, the part and the quantity. */
static int s_target_check(as_cmd_t *cmd, const char *ro, bool has_job, uint32_t job_no,
                          const char *pn, bool has_qty, uint32_t qty, As__Part **part)
{
    if (!ro || !ro[0])
        return as_cmd_fail(cmd, AS_EINVALID, "ro_number is required");
    if (!parts_id_valid(ro))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "ro number '%s' must be 1 to 64 of letters, digits, '.', '_', '-'", ro);
    if (!has_job || job_no == 0)
        return as_cmd_fail(cmd, AS_EINVALID, "job_no (from 1) is required for ro '%s'", ro);
    if (!pn || !pn[0])
        return as_cmd_fail(cmd, AS_EINVALID, "part_number is required");
    if (!parts_number_valid(pn))
        return as_cmd_fail(cmd, AS_EINVALID, "part number '%s' must be 3 to 32 of A-Z, 0-9 and '-'",
                           pn);
    if (!has_qty || qty == 0 || qty > PARTS_MAX_QUANTITY)
        return as_cmd_fail(cmd, AS_EINVALID, "quantity of part '%s' must be 1 to %u", pn,
                           PARTS_MAX_QUANTITY);
    if (parts_ro_settled(cmd->svc, cmd->txn, ro))
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "ro '%s' passed QC and its parts consumption is recorded", ro);
    return parts_part_get(cmd, pn, part);
}

/* --- reserve ------------------------------------------------------------- */

static int s_reserve(as_cmd_t *cmd, const As__PartReserve *req, As__Part *part)
{
    uint32_t free_qty = parts_free(part);
    if (req->quantity > free_qty)
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "not enough stock of part '%s' to reserve: %u free, %u asked",
                           part->part_number, free_qty, req->quantity);
    As__PartReserve *held;
    int rc = s_reservation_get(cmd, req->ro_number, req->job_no, req->part_number, &held);
    if (rc != 0)
        return rc;
    As__PartReserve total = *req;
    total.has_quantity = total.has_job_no = 1;
    total.quantity = req->quantity + (held ? held->quantity : 0);
    part->reserved += req->quantity;
    rc = s_reservation_put(cmd, &total);
    if (rc == 0)
        rc = parts_part_put(cmd->svc, cmd->txn, part);
    if (rc == 0) { /* open pages (the parts counter) show the stock drop */
        As__PartReserved event = AS__PART_RESERVED__INIT;
        char today[AS_DATE_LEN + 1];
        as_cmd_date(cmd, today);
        event.reservation = &total;
        event.has_quantity = 1;
        event.quantity = req->quantity;
        event.date = today;
        rc = as_cmd_emit(cmd, "parts.reserve.recorded", req->ro_number, &event.base);
    }
    if (rc == 0)
        rc = as_cmd_reply(cmd, &total.base);
    if (held)
        as__part_reserve__free_unpacked(held, NULL);
    return rc;
}

int parts_cmd_reserve(as_cmd_t *cmd)
{
    const As__PartReserve *req = (const As__PartReserve *)cmd->request;
    As__Part *part = NULL;
    int rc = s_target_check(cmd, req->ro_number, req->has_job_no, req->job_no, req->part_number,
                            req->has_quantity, req->quantity, &part);
    if (rc == 0)
        rc = s_reserve(cmd, req, part);
    if (part)
        as__part__free_unpacked(part, NULL);
    return rc;
}

/* --- issue --------------------------------------------------------------- */

static int s_issue_check(as_cmd_t *cmd, const As__PartIssueRequest *req, As__Part **part)
{
    const char *id = req->issue_id;
    if (!id || !id[0])
        return as_cmd_fail(cmd, AS_EINVALID, "issue_id is required");
    if (!parts_id_valid(id))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "issue id '%s' must be 1 to 64 of letters, digits, '.', '_', '-'", id);
    char bo_id[PARTS_ID_MAX + 8];
    snprintf(bo_id, sizeof bo_id, "%s/bo", id);
    if (as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "issues"), id) ||
        as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "issues"), bo_id))
        return as_cmd_fail(cmd, AS_ECONFLICT, "issue '%s' is already recorded", id);
    if (!req->technician || !req->technician[0])
        return as_cmd_fail(cmd, AS_EINVALID, "issue '%s' needs the technician who takes the part",
                           id);
    if (!parts_staff_has(cmd->svc, req->technician, AS_ROLE_TECHNICIAN))
        return as_cmd_fail(cmd, AS_EINVALID, "'%s' is not a technician on the staff list",
                           req->technician);
    return s_target_check(cmd, req->ro_number, req->has_job_no, req->job_no, req->part_number,
                          req->has_quantity, req->quantity, part);
}

static void s_issue_init(As__PartIssue *issue, as_cmd_t *cmd, const As__PartIssueRequest *req,
                         const As__Part *part)
{
    as__part_issue__init(issue);
    issue->ro_number = req->ro_number;
    issue->has_job_no = issue->has_quantity = issue->has_returned = 1;
    issue->job_no = req->job_no;
    issue->part_number = req->part_number;
    issue->technician = req->technician;
    issue->has_unit_cost_cents = issue->has_unit_price_cents = 1;
    issue->unit_cost_cents = part->cost_cents;
    issue->unit_price_cents = part->price_cents;
    issue->has_accessory = issue->accessory = part->accessory;
    issue->has_first_pick = issue->has_backorder = 1;
    issue->issued_by = (char *)cmd->actor;
    issue->has_at_us = 1;
    issue->at_us = as_cmd_time(cmd);
}

static int s_record(as_cmd_t *cmd, const As__PartIssue *issue)
{
    int rc =
        as_record_put(cmd->txn, as_record_dbi(cmd->svc, "issues"), issue->issue_id, &issue->base);
    if (rc == 0)
        rc = as_record_put_in(cmd->txn, as_record_dbi(cmd->svc, "ro_issues"), issue->ro_number,
                              issue->issue_id, NULL);
    if (rc == 0)
        rc = parts_emit_issue(cmd, issue);
    return rc;
}

/* Takes `qty` off the shelf, consuming the RO job's reservation first. */
static int s_take(as_cmd_t *cmd, As__Part *part, As__PartReserve *held, uint32_t qty)
{
    part->on_hand -= qty;
    if (!held)
        return 0;
    uint32_t used = qty < held->quantity ? qty : held->quantity;
    held->quantity -= used;
    part->reserved -= used;
    return s_reservation_put(cmd, held);
}

/* Records the backorder `bo` (issue id already "<id>/bo") for what is owed. */
static int s_backorder(as_cmd_t *cmd, As__PartIssue *bo, uint32_t owed, As__Part *part)
{
    char entry[PARTS_ID_MAX + 32];
    bo->quantity = owed;
    bo->backorder = 1;
    bo->has_filled = bo->has_fills = 1;
    part->backordered += owed;
    snprintf(entry, sizeof entry, "%020lld:%s", (long long)bo->at_us, bo->issue_id);
    int rc = as_record_put_in(cmd->txn, as_record_dbi(cmd->svc, "backorders"), part->part_number,
                              entry, NULL);
    if (rc == 0)
        rc = s_record(cmd, bo);
    return rc;
}

static int s_issue(as_cmd_t *cmd, const As__PartIssueRequest *req, As__Part *part)
{
    As__PartReserve *held;
    int rc = s_reservation_get(cmd, req->ro_number, req->job_no, req->part_number, &held);
    if (rc != 0)
        return rc;
    uint32_t free_qty = parts_free(part) + (held ? held->quantity : 0);
    if (req->quantity > free_qty && !req->backorder) {
        rc = as_cmd_fail(cmd, AS_ECONFLICT,
                         "not enough stock of part '%s': %u free to issue, %u asked (set "
                         "backorder to issue what is free and order the rest)",
                         part->part_number, free_qty, req->quantity);
        goto out;
    }
    uint32_t now = req->quantity < free_qty ? req->quantity : free_qty;
    uint32_t owed = req->quantity - now;
    As__PartIssue issued, bo;
    As__PartIssue *made[2];
    char bo_id[PARTS_ID_MAX + 8];
    size_t n_made = 0;
    if (now > 0) {
        s_issue_init(&issued, cmd, req, part);
        issued.issue_id = req->issue_id;
        issued.quantity = now;
        issued.first_pick = owed == 0;
        issued.has_request_line = issued.request_line = 1;
        rc = s_take(cmd, part, held, now);
        if (rc == 0)
            rc = s_record(cmd, &issued);
        if (rc == 0)
            rc = parts_stock_moved(cmd, part, -(int64_t)now, "issue", req->issue_id);
        made[n_made++] = &issued;
    }
    if (rc == 0 && owed > 0) {
        s_issue_init(&bo, cmd, req, part);
        snprintf(bo_id, sizeof bo_id, "%s/bo", req->issue_id);
        bo.issue_id = bo_id;
        bo.has_request_line = 1;
        bo.request_line = now == 0;
        rc = s_backorder(cmd, &bo, owed, part);
        made[n_made++] = &bo;
    }
    if (rc == 0)
        rc = parts_part_put(cmd->svc, cmd->txn, part);
    if (rc == 0) {
        As__RoParts reply = AS__RO_PARTS__INIT;
        reply.issues = made;
        reply.n_issues = n_made;
        rc = as_cmd_reply(cmd, &reply.base);
    }
out:
    if (held)
        as__part_reserve__free_unpacked(held, NULL);
    return rc;
}

int parts_cmd_issue(as_cmd_t *cmd)
{
    const As__PartIssueRequest *req = (const As__PartIssueRequest *)cmd->request;
    As__Part *part = NULL;
    int rc = s_issue_check(cmd, req, &part);
    if (rc == 0)
        rc = s_issue(cmd, req, part);
    if (part)
        as__part__free_unpacked(part, NULL);
    return rc;
}

/* --- return -------------------------------------------------------------- */

static int s_return_check(as_cmd_t *cmd, const As__PartReturn *req, const As__PartIssue *issue)
{
    if (issue->backorder)
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "'%s' is a backorder, not an issue: return the issues filled from it",
                           issue->issue_id);
    if (parts_ro_settled(cmd->svc, cmd->txn, issue->ro_number))
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "ro '%s' passed QC and its parts consumption is recorded",
                           issue->ro_number);
    uint32_t left = issue->quantity - issue->returned;
    if (!req->has_quantity || req->quantity == 0)
        return as_cmd_fail(cmd, AS_EINVALID, "quantity to return from issue '%s' is required",
                           issue->issue_id);
    if (req->quantity > left)
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "issue '%s' of part '%s': %u issued and not returned, %u to return",
                           issue->issue_id, issue->part_number, left, req->quantity);
    return 0;
}

static int s_return(as_cmd_t *cmd, const As__PartReturn *req, As__PartIssue *issue)
{
    As__Part *part;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), issue->part_number,
                           &as__part__descriptor, &part);
    if (rc != 0)
        return rc;
    issue->returned += req->quantity;
    issue->has_returned = 1;
    part->on_hand += req->quantity;
    rc = parts_stock_moved(cmd, part, req->quantity, "return", issue->issue_id);
    if (rc == 0)
        rc = parts_backorders_fill(cmd, part);
    if (rc == 0)
        rc = parts_part_put(cmd->svc, cmd->txn, part);
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "issues"), issue->issue_id,
                           &issue->base);
    if (rc == 0) {
        As__PartReturned event = AS__PART_RETURNED__INIT;
        char today[AS_DATE_LEN + 1];
        as_cmd_date(cmd, today);
        event.issue = issue;
        event.has_quantity = 1;
        event.quantity = req->quantity;
        event.date = today;
        rc = as_cmd_emit(cmd, "parts.return.recorded", issue->issue_id, &event.base);
    }
    if (rc == 0)
        rc = as_cmd_reply(cmd, &issue->base);
    as__part__free_unpacked(part, NULL);
    return rc;
}

int parts_cmd_return(as_cmd_t *cmd)
{
    const As__PartReturn *req = (const As__PartReturn *)cmd->request;
    int rc = 0;
    As__PartIssue *issue = NULL;
    if (!req->issue_id || !req->issue_id[0])
        rc = as_cmd_fail(cmd, AS_EINVALID, "issue_id is required");
    else if ((rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "issues"), req->issue_id,
                                 &as__part_issue__descriptor, &issue)) == MDB_NOTFOUND)
        rc = as_cmd_fail(cmd, AS_ENOTFOUND, "issue '%s' is not recorded", req->issue_id);
    if (rc == 0)
        rc = s_return_check(cmd, req, issue);
    if (rc == 0)
        rc = s_return(cmd, req, issue);
    if (issue)
        as__part_issue__free_unpacked(issue, NULL);
    return rc;
}
