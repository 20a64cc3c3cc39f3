/* quarantine.c — damaged and wrong parts held apart from stock: a receipt's
 * DAMAGED or WRONG line puts what it is short of `expected` into a lot of its
 * part (not on hand, so no reservation, issue or fill rate can touch it), and
 * the parts manager decides what becomes of it: RETURN_TO_SUPPLIER or SCRAP,
 * with a reason (parts.quarantine.disposed). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "parts.h"

uint32_t parts_line_quarantined(const As__ReceiptLine *line)
{
    bool held_apart = line->discrepancy == AS__DISCREPANCY__DAMAGED ||
                      line->discrepancy == AS__DISCREPANCY__WRONG;
    return held_apart && line->expected > line->received ? line->expected - line->received : 0;
}

int parts_quarantine_take(as_service_t *svc, MDB_txn *txn, const As__Receipt *receipt,
                          As__ReceiptLine *line)
{
    line->quarantined = parts_line_quarantined(line);
    line->has_quarantined = line->quarantined > 0;
    if (line->quarantined == 0)
        return 0;
    MDB_dbi lots = as_record_dbi(svc, "quarantine");
    As__QuarantineLot *lot = NULL;
    int rc = as_record_get_in(txn, lots, line->part_number, receipt->receipt_id,
                              &as__quarantine_lot__descriptor, &lot);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    As__QuarantineLot fresh = AS__QUARANTINE_LOT__INIT;
    fresh.part_number = line->part_number;
    fresh.receipt_id = receipt->receipt_id;
    fresh.supplier = receipt->supplier;
    fresh.has_discrepancy = fresh.has_quantity = fresh.has_held = fresh.has_at_us = 1;
    fresh.discrepancy = line->discrepancy;
    fresh.note = line->note;
    fresh.at_us = receipt->at_us;
    As__QuarantineLot *into = lot ? lot : &fresh; /* two lines of one part: one lot */
    into->quantity += line->quarantined;
    into->held += line->quarantined;
    rc = as_record_put_in(txn, lots, line->part_number, receipt->receipt_id, &into->base);
    if (lot)
        as__quarantine_lot__free_unpacked(lot, NULL);
    As__Part *part;
    if (rc == 0 && (rc = as_record_get(txn, as_record_dbi(svc, "parts"), line->part_number,
                                       &as__part__descriptor, &part)) == 0) {
        part->quarantined += line->quarantined;
        rc = parts_part_put(svc, txn, part);
        as__part__free_unpacked(part, NULL);
    }
    return rc;
}

/* --- parts.quarantine.list ----------------------------------------------- */

int parts_cmd_quarantine_list(as_cmd_t *cmd)
{
    const As__QuarantineQuery *req = (const As__QuarantineQuery *)cmd->request;
    const char *pn = req->part_number && req->part_number[0] ? req->part_number : NULL;
    if (pn && !parts_number_valid(pn))
        return as_cmd_fail(cmd, AS_EINVALID, "part number '%s' must be 3 to 32 of A-Z, 0-9 and '-'",
                           pn);
    as_key_t prefix;
    int rc = pn ? as_key_of(&prefix, pn, NULL) : 0;
    as_record_list_t lots;
    if (rc == 0)
        rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "quarantine"), pn ? &prefix : NULL,
                            &as__quarantine_lot__descriptor, &lots);
    if (rc != 0)
        return rc;
    size_t kept = 0; /* lots wholly disposed of are history, not stock */
    for (size_t i = 0; i < lots.n; i++) {
        As__QuarantineLot *lot = (As__QuarantineLot *)lots.msgs[i];
        if (lot->held > 0)
            lots.msgs[kept++] = &lot->base;
        else
            as__quarantine_lot__free_unpacked(lot, NULL);
    }
    lots.n = kept;
    As__QuarantineList reply = AS__QUARANTINE_LIST__INIT;
    reply.lots = (As__QuarantineLot **)lots.msgs;
    reply.n_lots = lots.n;
    rc = as_cmd_reply(cmd, &reply.base);
    as_record_list_free(&lots);
    return rc;
}

/* --- parts.quarantine.dispose -------------------------------------------- */

static int s_dispose_check(as_cmd_t *cmd, const As__QuarantineDispose *req)
{
    if (!req->part_number || !req->part_number[0])
        return as_cmd_fail(cmd, AS_EINVALID, "part_number is required");
    if (!req->receipt_id || !req->receipt_id[0])
        return as_cmd_fail(cmd, AS_EINVALID, "receipt_id of the quarantined part '%s' is required",
                           req->part_number);
    if (!req->has_quantity || req->quantity == 0 || req->quantity > PARTS_MAX_QUANTITY)
        return as_cmd_fail(cmd, AS_EINVALID, "quantity of part '%s' to dispose must be 1 to %u",
                           req->part_number, PARTS_MAX_QUANTITY);
    if (req->disposition != AS__DISPOSITION__RETURN_TO_SUPPLIER &&
        req->disposition != AS__DISPOSITION__SCRAP)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "disposition of part '%s' must be RETURN_TO_SUPPLIER or SCRAP",
                           req->part_number);
    if (!req->reason || !req->reason[0])
        return as_cmd_fail(cmd, AS_EINVALID, "disposing of part '%s' needs a reason",
                           req->part_number);
    return 0;
}

static int s_load_lot(as_cmd_t *cmd, const As__QuarantineDispose *req, As__QuarantineLot **lot)
{
    int rc = as_record_get_in(cmd->txn, as_record_dbi(cmd->svc, "quarantine"), req->part_number,
                              req->receipt_id, &as__quarantine_lot__descriptor, lot);
    if (rc == MDB_NOTFOUND || (rc == 0 && (*lot)->held == 0))
        return as_cmd_fail(cmd, AS_ENOTFOUND,
                           "no part '%s' from receipt '%s' is held in quarantine", req->part_number,
                           req->receipt_id);
    if (rc == 0 && req->quantity > (*lot)->held)
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "part '%s' from receipt '%s': %u held in quarantine, %u to dispose",
                           req->part_number, req->receipt_id, (*lot)->held, req->quantity);
    return rc;
}

static int s_part_release(as_cmd_t *cmd, const char *part_number, uint32_t quantity)
{
    As__Part *part;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), part_number,
                           &as__part__descriptor, &part);
    if (rc != 0)
        return rc;
    part->quarantined -= quantity < part->quarantined ? quantity : part->quarantined;
    rc = parts_part_put(cmd->svc, cmd->txn, part);
    as__part__free_unpacked(part, NULL);
    return rc;
}

/* Stores the lot with `disposal` added, emits the event and replies the lot. */
static int s_dispose(as_cmd_t *cmd, As__QuarantineLot *lot, As__Disposal *disposal)
{
    As__Disposal **before = lot->disposals;
    size_t n_before = lot->n_disposals;
    As__Disposal **all = malloc((n_before + 1) * sizeof *all);
    if (!all)
        return -ENOMEM;
    if (n_before)
        memcpy(all, before, n_before * sizeof *all);
    all[n_before] = disposal;
    lot->disposals = all;
    lot->n_disposals = n_before + 1;
    lot->held -= disposal->quantity;
    int rc = as_record_put_in(cmd->txn, as_record_dbi(cmd->svc, "quarantine"), lot->part_number,
                              lot->receipt_id, &lot->base);
    if (rc == 0)
        rc = s_part_release(cmd, lot->part_number, disposal->quantity);
    if (rc == 0) {
        char today[AS_DATE_LEN + 1];
        as_date_of_us(disposal->at_us, today);
        As__QuarantineDisposed event = AS__QUARANTINE_DISPOSED__INIT;
        event.lot = lot;
        event.disposal = disposal;
        event.date = today;
        rc = as_cmd_emit(cmd, "parts.quarantine.disposed", lot->part_number, &event.base);
    }
    if (rc == 0)
        rc = as_cmd_reply(cmd, &lot->base);
    lot->disposals = before; /* the lot's own array is freed with it */
    lot->n_disposals = n_before;
    free(all);
    return rc;
}

int parts_cmd_quarantine_dispose(as_cmd_t *cmd)
{
    const As__QuarantineDispose *req = (const As__QuarantineDispose *)cmd->request;
    As__QuarantineLot *lot = NULL;
    int rc = s_dispose_check(cmd, req);
    if (rc == 0)
        rc = s_load_lot(cmd, req, &lot);
    if (rc == 0) {
        As__Disposal disposal = AS__DISPOSAL__INIT;
        disposal.has_quantity = disposal.has_disposition = disposal.has_at_us = 1;
        disposal.quantity = req->quantity;
        disposal.disposition = req->disposition;
        disposal.reason = req->reason;
        disposal.decided_by = (char *)cmd->actor;
        disposal.at_us = as_cmd_time(cmd);
        As__Part *part = NULL; /* the value at cost that leaves, for the scrap rate */
        rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), req->part_number,
                           &as__part__descriptor, &part);
        if (rc == 0) {
            disposal.has_value_cents = 1;
            disposal.value_cents = (int64_t)req->quantity * part->cost_cents;
            disposal.group = (char *)parts_group_of(part);
            rc = s_dispose(cmd, lot, &disposal);
        }
        if (part)
            as__part__free_unpacked(part, NULL);
    }
    if (lot)
        as__quarantine_lot__free_unpacked(lot, NULL);
    return rc;
}
