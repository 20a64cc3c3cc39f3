/* order_cancel.c — parts.order.cancel: an order to a supplier cancelled in
 * whole or by lines, with a reason, on the request's business date.
 *
 * A line cancels what it still owes: ordered less received (its `cancelled`);
 * it is then CANCELLED when nothing of it came, CLOSED when some did (the
 * rest is not coming, as after a short confirmation: orders.c derives the
 * states). A cancelled quantity is on order nowhere: the forecast's position,
 * parts.order.list's overdue and receipts against the line all leave it out.
 * An urgent line's backorder that still owes is released (no longer ordered,
 * no promised date): the RO job waits for it again and it can be ordered
 * anew.
 *
 * Who: the parts manager cancels any order (a cancellation is a commitment to
 * a supplier withdrawn: a decision on the department's purchasing); a
 * warehouse keeper, who places orders, cancels only an order they placed
 * that the supplier has not confirmed and that has nothing received: the
 * correction of their own mistake before anyone relied on it.
 *
 * Refused, writing nothing: no order_id, an unknown order, no reason (or
 * longer than 200), a line number the order does not have or named twice, a
 * line (or, without line_nos, an order) with nothing outstanding: received in
 * full, closed, or cancelled already; a keeper outside their rule. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/text.h"
#include "parts.h"

#define CANCEL_REASON_MAX AS_TEXT_CHARS_MAX /* characters */

/* Why line `l` has nothing to cancel (NULL: it has). */
static const char *s_nothing_outstanding(const As__OrderLine *l)
{
    if (l->cancelled > 0)
        return "is cancelled already";
    if (l->received >= l->quantity)
        return "is received in full: nothing to cancel";
    if (l->confirmed && l->confirmed_quantity < l->quantity && l->received >= l->confirmed_quantity)
        return "is closed (the supplier confirmed it short and all it confirmed is in)";
    return NULL;
}

static const char *s_state_name(As__OrderState state)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&as__order_state__descriptor, state);
    return v ? v->name : "?";
}

/* A keeper cancels only their own order, unconfirmed, with nothing received. */
static int s_keeper_may(as_cmd_t *cmd, const As__PartsOrder *o)
{
    if (parts_staff_has(cmd->svc, cmd->actor, AS_ROLE_PARTS_MANAGER))
        return 0;
    const char *why = NULL;
    if (!o->placed_by || strcmp(o->placed_by, cmd->actor) != 0)
        why = "placed by someone else";
    for (size_t i = 0; !why && i < o->n_lines; i++) {
        if (o->lines[i]->received > 0)
            why = "partly received";
        else if (o->lines[i]->confirmed)
            why = "confirmed by the supplier";
    }
    if (!why)
        return 0;
    return as_cmd_fail(cmd, AS_EDENIED,
                       "order '%s' is %s: a warehouse keeper cancels only an order they placed, "
                       "unconfirmed and with nothing received (the parts manager cancels it)",
                       o->order_id, why);
}

/* Marks the lines to cancel in `pick` (by index): the named ones, each
 * checked, or every line with something outstanding. */
static int s_pick(as_cmd_t *cmd, const As__OrderCancel *req, const As__PartsOrder *o, bool *pick,
                  size_t *n)
{
    *n = 0;
    if (req->n_line_nos == 0) {
        for (size_t i = 0; i < o->n_lines; i++)
            if (!s_nothing_outstanding(o->lines[i]))
                pick[i] = true, (*n)++;
        if (*n == 0)
            return as_cmd_fail(cmd, AS_ECONFLICT, "order '%s' is %s: nothing to cancel",
                               o->order_id, s_state_name(o->state));
        return 0;
    }
    for (size_t k = 0; k < req->n_line_nos; k++) {
        uint32_t no = req->line_nos[k];
        size_t i = 0;
        while (i < o->n_lines && o->lines[i]->line_no != no)
            i++;
        if (i == o->n_lines)
            return as_cmd_fail(cmd, AS_ENOTFOUND, "order '%s' has no line %u (lines 1 to %zu)",
                               o->order_id, no, o->n_lines);
        if (pick[i])
            return as_cmd_fail(cmd, AS_EINVALID, "line %u of order '%s' is named twice", no,
                               o->order_id);
        const char *why = s_nothing_outstanding(o->lines[i]);
        if (why)
            return as_cmd_fail(cmd, AS_ECONFLICT, "line %u of order '%s' %s", no, o->order_id, why);
        pick[i] = true;
        (*n)++;
    }
    return 0;
}

/* An urgent line's backorder, when it still owes and this line orders it:
 * ordered no more, promised nothing. Settled at QC or not (workshop's event
 * may come before or after the keeper's cancellation: the backorder ends the
 * same). */
static int s_release_backorder(as_cmd_t *cmd, const As__PartsOrder *o, const As__OrderLine *l)
{
    if (!l->backorder_id || !l->backorder_id[0])
        return 0;
    MDB_dbi dbi = as_record_dbi(cmd->svc, "issues");
    As__PartIssue *bo;
    int rc = as_record_get(cmd->txn, dbi, l->backorder_id, &as__part_issue__descriptor, &bo);
    if (rc != 0)
        return rc == MDB_NOTFOUND ? 0 : rc;
    bool ours =
        bo->order_id && strcmp(bo->order_id, o->order_id) == 0 && bo->order_line == l->line_no;
    if (ours && bo->filled < bo->quantity) {
        free(bo->order_id);
        free(bo->promised_date);
        bo->order_id = NULL;
        bo->promised_date = NULL;
        bo->has_order_line = 0;
        bo->order_line = 0;
        rc = as_record_put(cmd->txn, dbi, bo->issue_id, &bo->base);
    }
    as__part_issue__free_unpacked(bo, NULL);
    return rc;
}

/* Cancels the picked lines (the order's strings are freed with it). */
static int s_cancel_lines(as_cmd_t *cmd, As__PartsOrder *o, const bool *pick, uint32_t *numbers,
                          const char *reason, const char *date)
{
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < o->n_lines; i++) {
        if (!pick[i])
            continue;
        As__OrderLine *l = o->lines[i];
        l->has_cancelled = 1;
        l->cancelled = l->quantity - l->received;
        free(l->cancelled_date);
        free(l->cancelled_by);
        free(l->cancel_reason);
        l->cancelled_date = strdup(date);
        l->cancelled_by = strdup(cmd->actor);
        l->cancel_reason = strdup(reason);
        if (!l->cancelled_date || !l->cancelled_by || !l->cancel_reason)
            rc = -ENOMEM;
        numbers[n++] = l->line_no;
        if (rc == 0)
            rc = s_release_backorder(cmd, o, l);
    }
    return rc;
}

int parts_cmd_order_cancel(as_cmd_t *cmd)
{
    const As__OrderCancel *req = (const As__OrderCancel *)cmd->request;
    if (!req->order_id || !req->order_id[0])
        return as_cmd_fail(cmd, AS_EINVALID, "order_id is required");
    if (!req->reason || !req->reason[0] || as_text_chars(req->reason) > CANCEL_REASON_MAX)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "cancelling order '%s' needs a reason (up to %d characters)",
                           req->order_id, CANCEL_REASON_MAX);
    As__PartsOrder *o;
    int rc = as_record_load(cmd, as_record_dbi(cmd->svc, "orders"), "order", req->order_id,
                            &as__parts_order__descriptor, &o);
    if (rc != 0)
        return rc;
    parts_order_refresh(o, NULL);
    bool *pick = calloc(o->n_lines + 1, sizeof *pick);
    uint32_t *numbers = calloc(o->n_lines + 1, sizeof *numbers);
    size_t n = 0;
    char today[AS_DATE_LEN + 1];
    as_cmd_date(cmd, today);
    rc = pick && numbers ? s_keeper_may(cmd, o) : -ENOMEM;
    if (rc == 0)
        rc = s_pick(cmd, req, o, pick, &n);
    if (rc == 0)
        rc = s_cancel_lines(cmd, o, pick, numbers, req->reason, today);
    if (rc == 0)
        rc = parts_order_put(cmd->svc, cmd->txn, o);
    if (rc == 0) {
        As__OrderCancelled event = AS__ORDER_CANCELLED__INIT;
        event.order = o;
        event.lines = numbers;
        event.n_lines = n;
        event.date = today;
        event.reason = req->reason;
        event.cancelled_by = (char *)cmd->actor;
        rc = as_cmd_emit(cmd, "parts.order.cancelled", o->order_id, &event.base);
    }
    if (rc == 0) {
        parts_order_refresh(o, today);
        rc = as_cmd_reply(cmd, &o->base);
    }
    free(pick);
    free(numbers);
    as__parts_order__free_unpacked(o, NULL);
    return rc;
}
