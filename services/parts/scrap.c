/* scrap.c — the annual scrap list: the warehouse keeper proposes it from
 * obsolete stock (slow-moving parts: what is free on hand) and damaged stock
 * (quarantine lots still held), edits it (adds, changes, removes lines) and
 * submits it; the parts manager approves it, which scraps every line at the
 * part's cost then (stock on hand leaves with parts.stock.moved "scrap", a
 * lot's quantity with a SCRAP disposal) and emits parts.stock.scrapped, or
 * rejects it with a reason. A line whose stock moved since (less free on hand,
 * or less held in the lot, than the line) refuses the approval, naming the
 * part; nothing is scrapped then. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/text.h"
#include "parts.h"

#define S_REASON_MAX AS_TEXT_CHARS_MAX /* characters */
#define S_MAX_LINES 500

/* The lines being made: structs owned here, strings borrowed (from the stored
 * list, the request or the scanned parts) or owned (`owned`). */
typedef struct {
    As__ScrapLine *v;
    size_t n, cap;
    char **owned;
    size_t n_owned;
} s_lines_t;

static void s_lines_free(s_lines_t *l)
{
    for (size_t i = 0; i < l->n_owned; i++)
        free(l->owned[i]);
    free(l->owned);
    free(l->v);
}

static As__ScrapLine *s_line_new(s_lines_t *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        As__ScrapLine *grown = realloc(l->v, cap * sizeof *grown);
        if (!grown)
            return NULL;
        l->v = grown;
        l->cap = cap;
    }
    As__ScrapLine *line = &l->v[l->n++];
    as__scrap_line__init(line);
    line->has_quantity = line->has_unit_cost_cents = line->has_value_cents = 1;
    return line;
}

/* A string the lines keep until s_lines_free. */
static char *s_own(s_lines_t *l, const char *text)
{
    char **grown = realloc(l->owned, (l->n_owned + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    l->owned = grown;
    char *copy = strdup(text);
    if (copy)
        l->owned[l->n_owned++] = copy;
    return copy;
}

static const char *s_rid(const As__ScrapLine *line)
{
    return line->receipt_id ? line->receipt_id : "";
}

static As__ScrapLine *s_line_find(s_lines_t *l, const char *pn, const char *rid)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].part_number, pn) == 0 && strcmp(s_rid(&l->v[i]), rid) == 0)
            return &l->v[i];
    return NULL;
}

static void s_line_value(As__ScrapLine *line, const As__Part *part)
{
    line->unit_cost_cents = part->cost_cents;
    line->value_cents = (int64_t)line->quantity * part->cost_cents;
    line->group = (char *)parts_group_of(part);
}

/* Stores `list` with `lines`, replies it, and emits parts.stock.scrapped when
 * `scrapped`. */
static int s_list_put(as_cmd_t *cmd, As__ScrapList *list, s_lines_t *l, bool scrapped)
{
    As__ScrapLine **ptrs = calloc(l->n + 1, sizeof *ptrs);
    if (!ptrs)
        return -ENOMEM;
    As__ScrapLine **before = list->lines;
    size_t n_before = list->n_lines;
    list->value_cents = 0;
    for (size_t i = 0; i < l->n; i++) {
        ptrs[i] = &l->v[i];
        list->value_cents += l->v[i].value_cents;
    }
    list->has_value_cents = list->has_status = 1;
    list->lines = ptrs;
    list->n_lines = l->n;
    int rc =
        as_record_put(cmd->txn, as_record_dbi(cmd->svc, "scrap_lists"), list->list_id, &list->base);
    if (rc == 0 && scrapped) {
        char today[AS_DATE_LEN + 1];
        as_cmd_date(cmd, today);
        As__StockScrapped event = AS__STOCK_SCRAPPED__INIT;
        event.list = list;
        event.date = today;
        rc = as_cmd_emit(cmd, "parts.stock.scrapped", list->list_id, &event.base);
    }
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list->base);
    list->lines = before; /* the stored list's own lines are freed with it */
    list->n_lines = n_before;
    free(ptrs);
    return rc;
}

static int s_list_id_check(as_cmd_t *cmd, const char *id)
{
    if (!id || !id[0])
        return as_cmd_fail(cmd, AS_EINVALID, "list_id is required");
    if (!parts_id_valid(id))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "scrap list id '%s' must be 1 to 64 of letters, digits, '.', '_', '-'",
                           id);
    return 0;
}

static const char *s_status_name(As__ScrapStatus status)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&as__scrap_status__descriptor, status);
    return v ? v->name : "?";
}

/* Loads list `id`, refusing when it is not in `want` state. */
static int s_list_load(as_cmd_t *cmd, const char *id, As__ScrapStatus want, As__ScrapList **list)
{
    int rc = s_list_id_check(cmd, id);
    if (rc != 0)
        return rc;
    rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "scrap_lists"), id,
                       &as__scrap_list__descriptor, list);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "scrap list '%s' does not exist", id);
    if (rc == 0 && want != AS__SCRAP_STATUS__SCRAP_STATUS_NONE && (*list)->status != want)
        return as_cmd_fail(cmd, AS_ECONFLICT, "scrap list '%s' is %s, not %s", id,
                           s_status_name((*list)->status), s_status_name(want));
    return rc;
}

/* The stored list's lines as lines to edit (strings borrowed from it). */
static int s_lines_of(s_lines_t *l, const As__ScrapList *list)
{
    for (size_t i = 0; i < list->n_lines; i++) {
        As__ScrapLine *line = s_line_new(l);
        if (!line)
            return -ENOMEM;
        *line = *list->lines[i];
        line->base.n_unknown_fields = 0;
        line->base.unknown_fields = NULL;
    }
    return 0;
}

/* What a line may scrap now: the part's free stock on hand, or what its lot
 * holds. */
static int s_available(as_cmd_t *cmd, const As__ScrapLine *line, const As__Part *part, uint32_t *n)
{
    if (!s_rid(line)[0]) {
        *n = parts_free(part);
        return 0;
    }
    As__QuarantineLot *lot;
    int rc = as_record_get_in(cmd->txn, as_record_dbi(cmd->svc, "quarantine"), line->part_number,
                              line->receipt_id, &as__quarantine_lot__descriptor, &lot);
    *n = 0;
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc == 0) {
        *n = lot->held;
        as__quarantine_lot__free_unpacked(lot, NULL);
    }
    return rc;
}

/* --- parts.scrap.propose --------------------------------------------------- */

static int s_propose_slow(s_lines_t *l, const As__Part *part)
{
    As__ScrapLine *line = s_line_new(l);
    char reason[64];
    snprintf(reason, sizeof reason, "slow-moving: no movement since %s", part->last_moved);
    if (!line || !(line->reason = s_own(l, reason)) ||
        !(line->part_number = s_own(l, part->part_number)))
        return -ENOMEM;
    line->quantity = parts_free(part);
    s_line_value(line, part);
    line->group = s_own(l, line->group);
    return line->group ? 0 : -ENOMEM;
}

static int s_propose_lot(as_cmd_t *cmd, s_lines_t *l, const As__QuarantineLot *lot)
{
    As__Part *part;
    int rc = parts_part_get(cmd, lot->part_number, &part);
    if (rc != 0)
        return rc;
    const ProtobufCEnumValue *d =
        protobuf_c_enum_descriptor_get_value(&as__discrepancy__descriptor, lot->discrepancy);
    char reason[S_REASON_MAX + 32];
    snprintf(reason, sizeof reason, "%s: %s", d ? d->name : "damaged", lot->note ? lot->note : "");
    As__ScrapLine *line = s_line_new(l);
    if (!line || !(line->reason = s_own(l, reason)) ||
        !(line->part_number = s_own(l, lot->part_number)) ||
        !(line->receipt_id = s_own(l, lot->receipt_id)))
        rc = -ENOMEM;
    if (rc == 0) {
        line->quantity = lot->held;
        s_line_value(line, part);
        if (!(line->group = s_own(l, line->group)))
            rc = -ENOMEM;
    }
    as__part__free_unpacked(part, NULL);
    return rc;
}

static int s_propose_lines(as_cmd_t *cmd, s_lines_t *l, const char *cutoff)
{
    as_record_list_t all;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "parts"), NULL, &as__part__descriptor,
                            &all);
    for (size_t i = 0; rc == 0 && i < all.n; i++) {
        const As__Part *part = (const As__Part *)all.msgs[i];
        if (parts_is_slow(part, cutoff) && parts_free(part) > 0)
            rc = s_propose_slow(l, part);
    }
    as_record_list_free(&all);
    if (rc != 0)
        return rc;
    as_record_list_t lots;
    rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "quarantine"), NULL,
                        &as__quarantine_lot__descriptor, &lots);
    for (size_t i = 0; rc == 0 && i < lots.n; i++) {
        const As__QuarantineLot *lot = (const As__QuarantineLot *)lots.msgs[i];
        if (lot->held > 0)
            rc = s_propose_lot(cmd, l, lot);
    }
    as_record_list_free(&lots);
    return rc;
}

int parts_cmd_scrap_propose(as_cmd_t *cmd)
{
    const As__ScrapPropose *req = (const As__ScrapPropose *)cmd->request;
    int rc = s_list_id_check(cmd, req->list_id);
    if (rc != 0)
        return rc;
    if (as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "scrap_lists"), req->list_id))
        return as_cmd_fail(cmd, AS_ECONFLICT, "scrap list '%s' already exists", req->list_id);
    char today[AS_DATE_LEN + 1], cutoff[AS_DATE_LEN + 1];
    as_cmd_date(cmd, today);
    parts_slow_cutoff(today, parts_slow_months(cmd->svc), cutoff);
    s_lines_t l = {0};
    rc = s_propose_lines(cmd, &l, cutoff);
    As__ScrapList list = AS__SCRAP_LIST__INIT;
    list.list_id = req->list_id;
    list.status = AS__SCRAP_STATUS__SCRAP_DRAFT;
    list.proposed_by = (char *)cmd->actor;
    list.has_proposed_at_us = 1;
    list.proposed_at_us = as_cmd_time(cmd);
    list.moved_before = cutoff;
    if (rc == 0)
        rc = s_list_put(cmd, &list, &l, false);
    s_lines_free(&l);
    return rc;
}

/* --- parts.scrap.edit ------------------------------------------------------ */

static int s_edit_remove(as_cmd_t *cmd, const char *id, s_lines_t *l, const As__ScrapLine *rm)
{
    const char *pn = rm->part_number ? rm->part_number : "";
    As__ScrapLine *line = s_line_find(l, pn, s_rid(rm));
    if (!line)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "scrap list '%s' has no line of part '%s'%s%s", id,
                           pn, s_rid(rm)[0] ? " from receipt " : "", s_rid(rm));
    memmove(line, line + 1, (size_t)(&l->v[l->n] - (line + 1)) * sizeof *line);
    l->n--;
    return 0;
}

static int s_edit_add(as_cmd_t *cmd, s_lines_t *l, const As__ScrapLine *add)
{
    const char *pn = add->part_number ? add->part_number : "";
    if (!pn[0])
        return as_cmd_fail(cmd, AS_EINVALID, "a line to add needs a part_number");
    if (!parts_number_valid(pn))
        return as_cmd_fail(cmd, AS_EINVALID, "part number '%s' must be 3 to 32 of A-Z, 0-9 and '-'",
                           pn);
    if (!add->has_quantity || add->quantity == 0 || add->quantity > PARTS_MAX_QUANTITY)
        return as_cmd_fail(cmd, AS_EINVALID, "quantity of part '%s' to scrap must be 1 to %u", pn,
                           PARTS_MAX_QUANTITY);
    if (add->reason && as_text_chars(add->reason) > S_REASON_MAX)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "reason for scrapping part '%s' is longer than %d characters", pn,
                           S_REASON_MAX);
    As__Part *part;
    int rc = parts_part_get(cmd, pn, &part);
    if (rc != 0)
        return rc;
    uint32_t can = 0;
    rc = s_available(cmd, add, part, &can);
    if (rc == 0 && add->quantity > can)
        rc = s_rid(add)[0]
                 ? as_cmd_fail(cmd, AS_ECONFLICT,
                               "part '%s' from receipt '%s': %u held in quarantine, %u "
                               "to scrap",
                               pn, s_rid(add), can, add->quantity)
                 : as_cmd_fail(cmd, AS_ECONFLICT, "part '%s': %u free on hand, %u to scrap", pn,
                               can, add->quantity);
    As__ScrapLine *line = rc == 0 ? s_line_find(l, pn, s_rid(add)) : NULL;
    if (rc == 0 && !line) {
        if (l->n >= S_MAX_LINES)
            rc = as_cmd_fail(cmd, AS_EINVALID, "a scrap list holds at most %d lines", S_MAX_LINES);
        else if (!(line = s_line_new(l)))
            rc = -ENOMEM;
        else {
            line->part_number = add->part_number;
            line->receipt_id = s_rid(add)[0] ? add->receipt_id : NULL;
            line->reason = "added by the keeper";
        }
    }
    if (rc == 0) {
        line->quantity = add->quantity;
        if (add->reason && add->reason[0])
            line->reason = add->reason;
        s_line_value(line, part);
        if (!(line->group = s_own(l, line->group)))
            rc = -ENOMEM;
    }
    as__part__free_unpacked(part, NULL);
    return rc;
}

int parts_cmd_scrap_edit(as_cmd_t *cmd)
{
    const As__ScrapEdit *req = (const As__ScrapEdit *)cmd->request;
    As__ScrapList *list = NULL;
    s_lines_t l = {0};
    int rc = s_list_load(cmd, req->list_id, AS__SCRAP_STATUS__SCRAP_DRAFT, &list);
    if (rc == 0 && req->n_add == 0 && req->n_remove == 0)
        rc = as_cmd_fail(cmd, AS_EINVALID, "edit of scrap list '%s' adds and removes nothing",
                         req->list_id);
    if (rc == 0)
        rc = s_lines_of(&l, list);
    for (size_t i = 0; rc == 0 && i < req->n_remove; i++)
        rc = s_edit_remove(cmd, req->list_id, &l, req->remove[i]);
    for (size_t i = 0; rc == 0 && i < req->n_add; i++)
        rc = s_edit_add(cmd, &l, req->add[i]);
    if (rc == 0)
        rc = s_list_put(cmd, list, &l, false);
    s_lines_free(&l);
    if (list)
        as__scrap_list__free_unpacked(list, NULL);
    return rc;
}

/* --- submit, reject, show -------------------------------------------------- */

int parts_cmd_scrap_submit(as_cmd_t *cmd)
{
    const As__ScrapListRef *req = (const As__ScrapListRef *)cmd->request;
    As__ScrapList *list = NULL;
    s_lines_t l = {0};
    int rc = s_list_load(cmd, req->list_id, AS__SCRAP_STATUS__SCRAP_DRAFT, &list);
    if (rc == 0 && list->n_lines == 0)
        rc = as_cmd_fail(cmd, AS_EINVALID, "scrap list '%s' has no lines to submit", req->list_id);
    if (rc == 0)
        rc = s_lines_of(&l, list);
    if (rc == 0) {
        list->status = AS__SCRAP_STATUS__SCRAP_SUBMITTED;
        char *own = list->submitted_by;
        list->submitted_by = (char *)cmd->actor;
        list->has_submitted_at_us = 1;
        list->submitted_at_us = as_cmd_time(cmd);
        rc = s_list_put(cmd, list, &l, false);
        list->submitted_by = own;
    }
    s_lines_free(&l);
    if (list)
        as__scrap_list__free_unpacked(list, NULL);
    return rc;
}

int parts_cmd_scrap_reject(as_cmd_t *cmd)
{
    const As__ScrapReject *req = (const As__ScrapReject *)cmd->request;
    As__ScrapList *list = NULL;
    s_lines_t l = {0};
    int rc = s_list_load(cmd, req->list_id, AS__SCRAP_STATUS__SCRAP_SUBMITTED, &list);
    if (rc == 0 && (!req->reason || !req->reason[0] || as_text_chars(req->reason) > S_REASON_MAX))
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "rejecting scrap list '%s' needs a reason (up to %d characters)",
                         req->list_id, S_REASON_MAX);
    if (rc == 0)
        rc = s_lines_of(&l, list);
    if (rc == 0) {
        char *own_by = list->decided_by, *own_reason = list->reason;
        list->status = AS__SCRAP_STATUS__SCRAP_REJECTED;
        list->decided_by = (char *)cmd->actor;
        list->reason = req->reason;
        list->has_decided_at_us = 1;
        list->decided_at_us = as_cmd_time(cmd);
        rc = s_list_put(cmd, list, &l, false);
        list->decided_by = own_by;
        list->reason = own_reason;
    }
    s_lines_free(&l);
    if (list)
        as__scrap_list__free_unpacked(list, NULL);
    return rc;
}

int parts_cmd_scrap_show(as_cmd_t *cmd)
{
    const As__ScrapListRef *req = (const As__ScrapListRef *)cmd->request;
    As__ScrapList *list = NULL;
    int rc = s_list_load(cmd, req->list_id, AS__SCRAP_STATUS__SCRAP_STATUS_NONE, &list);
    if (rc == 0) {
        list->has_value_cents = list->has_status = 1;
        rc = as_cmd_reply(cmd, &list->base);
    }
    if (list)
        as__scrap_list__free_unpacked(list, NULL);
    return rc;
}

/* --- parts.scrap.approve --------------------------------------------------- */

/* Takes a lot line out of quarantine: the lot keeps a SCRAP disposal. */
static int s_scrap_lot(as_cmd_t *cmd, const char *id, As__Part *part, const As__ScrapLine *line)
{
    MDB_dbi dbi = as_record_dbi(cmd->svc, "quarantine");
    As__QuarantineLot *lot;
    int rc = as_record_get_in(cmd->txn, dbi, line->part_number, line->receipt_id,
                              &as__quarantine_lot__descriptor, &lot);
    if (rc != 0)
        return rc;
    char reason[PARTS_ID_MAX + 16];
    snprintf(reason, sizeof reason, "scrap list %s", id);
    As__Disposal disposal = AS__DISPOSAL__INIT;
    disposal.has_quantity = disposal.has_disposition = disposal.has_at_us = 1;
    disposal.quantity = line->quantity;
    disposal.disposition = AS__DISPOSITION__SCRAP;
    disposal.reason = reason;
    disposal.decided_by = (char *)cmd->actor;
    disposal.at_us = as_cmd_time(cmd);
    disposal.has_value_cents = 1;
    disposal.value_cents = line->value_cents;
    disposal.group = line->group;
    As__Disposal **before = lot->disposals;
    size_t n_before = lot->n_disposals;
    As__Disposal **all = malloc((n_before + 1) * sizeof *all);
    if (!all) {
        as__quarantine_lot__free_unpacked(lot, NULL);
        return -ENOMEM;
    }
    if (n_before)
        memcpy(all, before, n_before * sizeof *all);
    all[n_before] = &disposal;
    lot->disposals = all;
    lot->n_disposals = n_before + 1;
    lot->held -= line->quantity;
    rc = as_record_put_in(cmd->txn, dbi, line->part_number, line->receipt_id, &lot->base);
    lot->disposals = before;
    lot->n_disposals = n_before;
    free(all);
    as__quarantine_lot__free_unpacked(lot, NULL);
    part->quarantined -= line->quantity < part->quarantined ? line->quantity : part->quarantined;
    return rc;
}

/* Checks every line can still be scrapped (nothing written before all pass),
 * then scraps it at the part's cost now. */
static int s_approve_lines(as_cmd_t *cmd, const char *id, s_lines_t *l, bool apply)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < l->n; i++) {
        As__ScrapLine *line = &l->v[i];
        As__Part *part;
        if ((rc = parts_part_get(cmd, line->part_number, &part)) != 0)
            return rc;
        uint32_t can = 0;
        rc = s_available(cmd, line, part, &can);
        if (rc == 0 && line->quantity > can)
            rc = s_rid(line)[0]
                     ? as_cmd_fail(cmd, AS_ECONFLICT,
                                   "part '%s' from receipt '%s' moved since the proposal: %u "
                                   "held in quarantine now, %u on the list",
                                   line->part_number, s_rid(line), can, line->quantity)
                     : as_cmd_fail(cmd, AS_ECONFLICT,
                                   "part '%s' moved since the proposal: %u free on hand now, %u "
                                   "on the list",
                                   line->part_number, can, line->quantity);
        if (rc == 0 && apply) {
            s_line_value(line, part);
            if (!(line->group = s_own(l, line->group)))
                rc = -ENOMEM;
            else if (s_rid(line)[0]) {
                rc = s_scrap_lot(cmd, id, part, line);
            } else {
                part->on_hand -= line->quantity;
                rc = parts_stock_moved(cmd, part, -(int64_t)line->quantity, "scrap", id);
            }
            if (rc == 0)
                rc = parts_part_put(cmd->svc, cmd->txn, part);
        }
        as__part__free_unpacked(part, NULL);
    }
    return rc;
}

int parts_cmd_scrap_approve(as_cmd_t *cmd)
{
    const As__ScrapListRef *req = (const As__ScrapListRef *)cmd->request;
    As__ScrapList *list = NULL;
    s_lines_t l = {0};
    int rc = s_list_load(cmd, req->list_id, AS__SCRAP_STATUS__SCRAP_SUBMITTED, &list);
    if (rc == 0)
        rc = s_lines_of(&l, list);
    if (rc == 0)
        rc = s_approve_lines(cmd, req->list_id, &l, false);
    if (rc == 0)
        rc = s_approve_lines(cmd, req->list_id, &l, true);
    if (rc == 0) {
        char *own_by = list->decided_by;
        list->status = AS__SCRAP_STATUS__SCRAP_APPROVED;
        list->decided_by = (char *)cmd->actor;
        list->has_decided_at_us = 1;
        list->decided_at_us = as_cmd_time(cmd);
        rc = s_list_put(cmd, list, &l, true);
        list->decided_by = own_by;
    }
    s_lines_free(&l);
    if (list)
        as__scrap_list__free_unpacked(list, NULL);
    return rc;
}
