/* receiving.c — purchase receipts with inspection (wrong / missing / damaged
 * lines), and the backorders that receiving fills first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/text.h"
#include "parts.h"

#define SUPPLIER_MAX 100 /* characters */

static const char *s_discrepancy_name(As__Discrepancy d)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&as__discrepancy__descriptor, d);
    return v ? v->name : "?";
}

static int s_line_check(as_cmd_t *cmd, size_t i, As__ReceiptLine *line)
{
    const char *pn = line->part_number ? line->part_number : "";
    int rc = parts_line_part_check(cmd, i, pn);
    if (rc != 0)
        return rc;
    if (!line->has_expected) {
        line->has_expected = 1;
        line->expected = line->received;
    }
    if (line->expected > PARTS_MAX_QUANTITY || line->received > PARTS_MAX_QUANTITY)
        return as_cmd_fail(cmd, AS_EINVALID, "line %zu (part '%s'): quantities above %u", i + 1, pn,
                           PARTS_MAX_QUANTITY);
    if (line->received > line->expected)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "line %zu (part '%s'): received %u is more than the %u expected", i + 1,
                           pn, line->received, line->expected);
    bool discrepancy =
        line->has_discrepancy && line->discrepancy != AS__DISCREPANCY__DISCREPANCY_NONE;
    if (!discrepancy && line->received != line->expected)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "line %zu (part '%s'): received %u of %u expected, but no "
                           "discrepancy (wrong, missing, damaged) is reported",
                           i + 1, pn, line->received, line->expected);
    if (!discrepancy && line->expected == 0)
        return as_cmd_fail(cmd, AS_EINVALID, "line %zu (part '%s'): nothing expected or received",
                           i + 1, pn);
    if (discrepancy && (!line->note || !line->note[0]))
        return as_cmd_fail(cmd, AS_EINVALID, "line %zu (part '%s'): a %s line needs a note", i + 1,
                           pn, s_discrepancy_name(line->discrepancy));
    return parts_order_line_check(cmd, i, line);
}

static int s_receipt_check(as_cmd_t *cmd, const As__ReceiptRecord *req)
{
    if (!req->receipt_id || !req->receipt_id[0])
        return as_cmd_fail(cmd, AS_EINVALID, "receipt_id is required");
    if (!parts_id_valid(req->receipt_id))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "receipt id '%s' must be 1 to 64 of letters, digits, '.', '_', '-'",
                           req->receipt_id);
    if (as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "receipts"), req->receipt_id))
        return as_cmd_fail(cmd, AS_ECONFLICT, "receipt '%s' is already recorded", req->receipt_id);
    if (!req->supplier || !req->supplier[0] || as_text_chars(req->supplier) > SUPPLIER_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "receipt '%s' needs a supplier (up to %d characters)",
                           req->receipt_id, SUPPLIER_MAX);
    if (req->n_lines == 0)
        return as_cmd_fail(cmd, AS_EINVALID, "receipt '%s' has no lines", req->receipt_id);
    for (size_t i = 0; i < req->n_lines; i++) {
        int rc = s_line_check(cmd, i, req->lines[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Puts a line's good quantity on the shelf (damaged and wrong parts go to
 * quarantine). */
static int s_shelve(as_cmd_t *cmd, const As__Receipt *receipt, As__ReceiptLine *line)
{
    int quarantined = parts_quarantine_take(cmd->svc, cmd->txn, receipt, line);
    if (quarantined != 0)
        return quarantined;
    As__Part *part;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), line->part_number,
                           &as__part__descriptor, &part);
    if (rc != 0)
        return rc;
    if ((uint64_t)part->on_hand + line->received > PARTS_MAX_ON_HAND) {
        rc = as_cmd_fail(cmd, AS_EINVALID, "part '%s': %u on hand + %u received is above %u",
                         part->part_number, part->on_hand, line->received, PARTS_MAX_ON_HAND);
    } else {
        part->on_hand += line->received;
        rc = parts_stock_moved(cmd, part, line->received, "receipt", receipt->receipt_id);
        if (rc == 0)
            rc = parts_part_put(cmd->svc, cmd->txn, part);
    }
    as__part__free_unpacked(part, NULL);
    return rc;
}

/* Fills the open backorders of a line's part from what is now on the shelf. */
static int s_fill_backorders(as_cmd_t *cmd, const As__ReceiptLine *line)
{
    As__Part *part;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), line->part_number,
                           &as__part__descriptor, &part);
    if (rc != 0)
        return rc;
    rc = parts_backorders_fill(cmd, part);
    if (rc == 0)
        rc = parts_part_put(cmd->svc, cmd->txn, part);
    as__part__free_unpacked(part, NULL);
    return rc;
}

static int s_fill_one(as_cmd_t *cmd, As__Part *part, const char *entry, uint32_t *free_qty);

/* Gives the parts of a line received against an urgent order line to the
 * backorder that line was placed for, before the oldest-first fills: what
 * was ordered for an RO job goes to that job. */
static int s_fill_ordered(as_cmd_t *cmd, const As__ReceiptLine *line)
{
    char bo_id[PARTS_ID_MAX + 8];
    int rc = parts_order_line_backorder(cmd, line, bo_id, sizeof bo_id);
    if (rc != 0 || !bo_id[0] || line->received == 0)
        return rc;
    As__PartIssue *bo;
    rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "issues"), bo_id,
                       &as__part_issue__descriptor, &bo);
    if (rc != 0)
        return rc == MDB_NOTFOUND ? 0 : rc;
    bool open = !bo->settled && bo->filled < bo->quantity;
    char entry[PARTS_ID_MAX + 32];
    snprintf(entry, sizeof entry, "%020lld:%s", (long long)bo->at_us, bo->issue_id);
    as__part_issue__free_unpacked(bo, NULL);
    As__Part *part = NULL;
    if (open)
        rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), line->part_number,
                           &as__part__descriptor, &part);
    if (rc == 0 && part) {
        uint32_t free_qty = part->on_hand > part->reserved ? part->on_hand - part->reserved : 0;
        if (free_qty > line->received)
            free_qty = line->received;
        if (free_qty > 0)
            rc = s_fill_one(cmd, part, entry, &free_qty);
        if (rc == 0)
            rc = parts_part_put(cmd->svc, cmd->txn, part);
    }
    if (part)
        as__part__free_unpacked(part, NULL);
    return rc;
}

static int s_emit_received(as_cmd_t *cmd, As__Receipt *receipt)
{
    char today[AS_DATE_LEN + 1];
    as_date_of_us(receipt->at_us, today);
    As__StockReceived event = AS__STOCK_RECEIVED__INIT;
    event.receipt = receipt;
    event.date = today;
    return as_cmd_emit(cmd, "parts.stock.received", receipt->receipt_id, &event.base);
}

int parts_cmd_receipt_record(as_cmd_t *cmd)
{
    const As__ReceiptRecord *req = (const As__ReceiptRecord *)cmd->request;
    int rc = s_receipt_check(cmd, req);
    As__Receipt receipt = AS__RECEIPT__INIT;
    receipt.receipt_id = req->receipt_id;
    receipt.supplier = req->supplier;
    receipt.lines = req->lines;
    receipt.n_lines = req->n_lines;
    receipt.received_by = (char *)cmd->actor;
    receipt.has_at_us = 1;
    receipt.at_us = as_cmd_time(cmd);
    for (size_t i = 0; rc == 0 && i < req->n_lines; i++) {
        req->lines[i]->has_received = req->lines[i]->has_discrepancy = 1;
        rc = s_shelve(cmd, &receipt, req->lines[i]);
    }
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "receipts"), receipt.receipt_id,
                           &receipt.base);
    if (rc == 0)
        rc = parts_orders_receive(cmd, &receipt);
    if (rc == 0)
        rc = s_emit_received(cmd, &receipt);
    /* the stock arrives first, then goes to the RO jobs waiting for it: an
     * urgent order's parts to the job it was placed for, the rest oldest first */
    for (size_t i = 0; rc == 0 && i < req->n_lines; i++)
        rc = s_fill_ordered(cmd, req->lines[i]);
    for (size_t i = 0; rc == 0 && i < req->n_lines; i++)
        rc = s_fill_backorders(cmd, req->lines[i]);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &receipt.base);
    return rc;
}

/* --- backorders ---------------------------------------------------------- */

/* Issues up to *free of `part` to one backorder (queue entry "<at>:<id>"). */
static int s_fill_one(as_cmd_t *cmd, As__Part *part, const char *entry, uint32_t *free_qty)
{
    const char *colon = strchr(entry, ':');
    As__PartIssue *bo;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "issues"), colon ? colon + 1 : entry,
                           &as__part_issue__descriptor, &bo);
    if (rc != 0)
        return rc;
    uint32_t owed = bo->quantity > bo->filled ? bo->quantity - bo->filled : 0;
    if (owed == 0) { /* nothing left to give: only the queue entry remains */
        as__part_issue__free_unpacked(bo, NULL);
        return as_record_del_in(cmd->txn, as_record_dbi(cmd->svc, "backorders"), part->part_number,
                                entry);
    }
    uint32_t n = owed < *free_qty ? owed : *free_qty;
    char fill_id[PARTS_ID_MAX + 16];
    snprintf(fill_id, sizeof fill_id, "%s/%u", bo->issue_id, bo->fills + 1);
    As__PartIssue fill = AS__PART_ISSUE__INIT;
    fill.issue_id = fill_id;
    fill.ro_number = bo->ro_number;
    fill.has_job_no = fill.has_quantity = fill.has_returned = 1;
    fill.job_no = bo->job_no;
    fill.part_number = bo->part_number;
    fill.quantity = n;
    fill.technician = bo->technician;
    fill.has_unit_cost_cents = fill.has_unit_price_cents = 1;
    fill.unit_cost_cents = part->cost_cents;
    fill.unit_price_cents = part->price_cents;
    fill.has_accessory = fill.accessory = part->accessory;
    fill.has_first_pick = fill.has_backorder = 1;
    fill.backorder_of = bo->issue_id;
    fill.has_request_line = 1;
    fill.promised_date = bo->promised_date; /* what the workshop was told, for on time */
    fill.has_line_complete = 1;
    fill.line_complete = bo->filled + n == bo->quantity;
    fill.issued_by = (char *)cmd->actor;
    fill.has_at_us = 1;
    fill.at_us = as_cmd_time(cmd);
    rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "issues"), fill.issue_id, &fill.base);
    if (rc == 0)
        rc = as_record_put_in(cmd->txn, as_record_dbi(cmd->svc, "ro_issues"), fill.ro_number,
                              fill.issue_id, NULL);
    if (rc == 0)
        rc = parts_emit_issue(cmd, &fill);
    bo->filled += n;
    bo->fills++;
    bo->has_filled = bo->has_fills = 1;
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "issues"), bo->issue_id, &bo->base);
    if (rc == 0 && bo->filled == bo->quantity)
        rc = as_record_del_in(cmd->txn, as_record_dbi(cmd->svc, "backorders"), part->part_number,
                              entry);
    part->on_hand -= n;
    part->backordered -= n;
    *free_qty -= n;
    if (rc == 0)
        rc = parts_stock_moved(cmd, part, -(int64_t)n, "issue", fill_id);
    as__part_issue__free_unpacked(bo, NULL);
    return rc;
}

int parts_backorders_fill(as_cmd_t *cmd, As__Part *part)
{
    uint32_t free_qty = part->on_hand > part->reserved ? part->on_hand - part->reserved : 0;
    if (free_qty == 0 || part->backordered == 0)
        return 0;
    as_record_list_t queue;
    int rc = as_record_scan_in(cmd->txn, as_record_dbi(cmd->svc, "backorders"), part->part_number,
                               NULL, &queue);
    for (size_t i = 0; rc == 0 && i < queue.n && free_qty > 0; i++)
        rc = s_fill_one(cmd, part, queue.keys[i], &free_qty);
    as_record_list_free(&queue);
    return rc;
}

/* --- parts.backorder.list -------------------------------------------------- */

int parts_cmd_backorder_list(as_cmd_t *cmd)
{
    const As__BackorderQuery *req = (const As__BackorderQuery *)cmd->request;
    const char *pn = req->part_number && req->part_number[0] ? req->part_number : NULL;
    if (pn && !parts_number_valid(pn))
        return as_cmd_fail(cmd, AS_EINVALID, "part number '%s' must be 3 to 32 of A-Z, 0-9 and '-'",
                           pn);
    as_key_t prefix;
    int rc = pn ? as_key_of(&prefix, pn, NULL) : 0;
    as_record_list_t queue; /* keys part "\0" "<at>:<issue id>", in order */
    if (rc == 0)
        rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "backorders"), pn ? &prefix : NULL,
                            NULL, &queue);
    if (rc != 0)
        return rc;
    As__BackorderList reply = AS__BACKORDER_LIST__INIT;
    reply.backorders = queue.n ? calloc(queue.n, sizeof *reply.backorders) : NULL;
    if (queue.n && !reply.backorders)
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < queue.n; i++) {
        const char *entry = queue.keys[i]; /* the key's last part: "<at>:<issue id>" */
        for (size_t j = 0; j < queue.key_lens[i]; j++)
            if (queue.keys[i][j] == '\0')
                entry = queue.keys[i] + j + 1;
        const char *colon = strchr(entry, ':');
        As__PartIssue *bo;
        rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "issues"), colon ? colon + 1 : entry,
                           &as__part_issue__descriptor, &bo);
        if (rc == MDB_NOTFOUND) { /* a queue entry without its record: nothing owed */
            rc = 0;
            continue;
        }
        if (rc == 0 && (bo->settled || bo->filled >= bo->quantity))
            as__part_issue__free_unpacked(bo, NULL);
        else if (rc == 0)
            reply.backorders[reply.n_backorders++] = bo;
    }
    if (rc == 0)
        rc = as_cmd_reply(cmd, &reply.base);
    for (size_t i = 0; i < reply.n_backorders; i++)
        as__part_issue__free_unpacked(reply.backorders[i], NULL);
    free(reply.backorders);
    as_record_list_free(&queue);
    return rc;
}
