/* orders.c — orders to the supplier: stock orders and urgent orders for RO
 * jobs' backorders (parts.order.create), the supplier's confirmation with a
 * promised date per line (oem.order.confirmed from the OEM's system, or
 * parts.order.confirm when the keeper takes it by phone), receipts counted
 * against order lines, and looking at orders (parts.order.list / .show).
 *
 * An order line keeps what the lead time of a supplier needs, readable as it
 * is: the order's date, the line's promised_date, and the days it was
 * received (received_date: the last receipt against it; completed_date: the
 * day the ordered quantity was all in). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/text.h"
#include "as/log.h"
#include "parts.h"

#define ORDER_LINES_MAX 200
#define ORDERS_LIMIT_DEFAULT 50u
#define ORDERS_LIMIT_MAX 500u
#define SUPPLIER_MAX 100 /* characters */

/* Where a change is made: a command (the keeper) or an event (the OEM). */
typedef struct {
    as_cmd_t *cmd; /* exactly one of cmd and evt */
    as_evt_t *evt;
} s_ctx_t;

static as_service_t *s_svc(const s_ctx_t *ctx)
{
    return ctx->cmd ? ctx->cmd->svc : ctx->evt->svc;
}

static MDB_txn *s_txn(const s_ctx_t *ctx)
{
    return ctx->cmd ? ctx->cmd->txn : ctx->evt->txn;
}

static int s_emit(const s_ctx_t *ctx, const char *type, const char *subject,
                  const ProtobufCMessage *msg)
{
    return ctx->cmd ? as_cmd_emit(ctx->cmd, type, subject, msg)
                    : as_evt_emit(ctx->evt, type, subject, msg);
}

/* --- states -------------------------------------------------------------- */

static As__OrderState s_line_state(const As__OrderLine *l)
{
    if (l->received >= l->quantity)
        return AS__ORDER_STATE__ORDER_RECEIVED;
    if (l->cancelled > 0) /* the rest is not coming: as a short confirmation's */
        return l->received > 0 ? AS__ORDER_STATE__ORDER_CLOSED : AS__ORDER_STATE__ORDER_CANCELLED;
    if (l->confirmed && l->confirmed_quantity < l->quantity && l->received >= l->confirmed_quantity)
        return AS__ORDER_STATE__ORDER_CLOSED; /* short: all the supplier will ship is in */
    if (l->received > 0)
        return AS__ORDER_STATE__ORDER_PARTLY_RECEIVED;
    return l->confirmed ? AS__ORDER_STATE__ORDER_CONFIRMED : AS__ORDER_STATE__ORDER_OPEN;
}

/* A line still owed whose promised date is before `on`. */
static bool s_line_overdue(const As__OrderLine *l, const char *on)
{
    As__OrderState st = s_line_state(l);
    return l->promised_date && l->promised_date[0] && strcmp(l->promised_date, on) < 0 &&
           st != AS__ORDER_STATE__ORDER_RECEIVED && st != AS__ORDER_STATE__ORDER_CLOSED &&
           st != AS__ORDER_STATE__ORDER_CANCELLED;
}

/* Sets each line's state and the order's (and `overdue` on `on`, if given).
 * A cancelled line is done (nothing more comes) and needs no confirmation;
 * an order whose lines are all cancelled is CANCELLED, one with some
 * received and the rest cancelled is CLOSED (as a short confirmation's). */
static void s_refresh(As__PartsOrder *o, const char *on)
{
    bool all_done = true, all_received = true, all_confirmed = true, any_received = false;
    bool overdue = false, all_cancelled = o->n_lines > 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        As__OrderLine *l = o->lines[i];
        l->has_state = 1;
        l->state = s_line_state(l);
        bool cancelled = l->state == AS__ORDER_STATE__ORDER_CANCELLED;
        all_cancelled &= cancelled;
        all_received &= l->state == AS__ORDER_STATE__ORDER_RECEIVED;
        all_done &= l->state == AS__ORDER_STATE__ORDER_RECEIVED ||
                    l->state == AS__ORDER_STATE__ORDER_CLOSED || cancelled;
        all_confirmed &= l->confirmed || l->cancelled > 0;
        any_received |= l->received > 0;
        overdue |= on && s_line_overdue(l, on);
    }
    o->has_state = 1;
    o->state = all_cancelled   ? AS__ORDER_STATE__ORDER_CANCELLED
               : all_received  ? AS__ORDER_STATE__ORDER_RECEIVED
               : all_done      ? AS__ORDER_STATE__ORDER_CLOSED
               : any_received  ? AS__ORDER_STATE__ORDER_PARTLY_RECEIVED
               : all_confirmed ? AS__ORDER_STATE__ORDER_CONFIRMED
                               : AS__ORDER_STATE__ORDER_OPEN;
    o->has_overdue = on != NULL;
    o->overdue = overdue;
}

static As__OrderLine *s_find_line(const As__PartsOrder *o, uint32_t line_no)
{
    for (size_t i = 0; i < o->n_lines; i++)
        if (o->lines[i]->line_no == line_no)
            return o->lines[i];
    return NULL;
}

As__OrderLine *parts_order_line(const As__PartsOrder *o, uint32_t line_no)
{
    return s_find_line(o, line_no);
}

void parts_order_refresh(As__PartsOrder *o, const char *on)
{
    s_refresh(o, on);
}

static int s_order_put(as_service_t *svc, MDB_txn *txn, As__PartsOrder *o)
{
    s_refresh(o, NULL);
    o->has_overdue = 0;
    return as_record_put(txn, as_record_dbi(svc, "orders"), o->order_id, &o->base);
}

int parts_order_put(as_service_t *svc, MDB_txn *txn, As__PartsOrder *o)
{
    return s_order_put(svc, txn, o);
}

static int s_emit_order(const s_ctx_t *ctx, const char *type, As__PartsOrder *o, uint32_t *lines,
                        size_t n_lines, const char *date)
{
    As__OrderChanged event = AS__ORDER_CHANGED__INIT;
    event.order = o;
    event.lines = lines;
    event.n_lines = n_lines;
    event.date = (char *)date;
    return s_emit(ctx, type, o->order_id, &event.base);
}

/* --- parts.order.create -------------------------------------------------- */

static int s_order_id(as_cmd_t *cmd, const As__OrderCreate *req, char *out, size_t cap)
{
    MDB_dbi dbi = as_record_dbi(cmd->svc, "orders");
    if (req->order_id && req->order_id[0]) {
        if (!parts_id_valid(req->order_id))
            return as_cmd_fail(cmd, AS_EINVALID,
                               "order id '%s' must be 1 to 64 of letters, digits, '.', '_', '-'",
                               req->order_id);
        if (as_record_exists(cmd->txn, dbi, req->order_id))
            return as_cmd_fail(cmd, AS_ECONFLICT, "order '%s' is already placed", req->order_id);
        snprintf(out, cap, "%s", req->order_id);
        return 0;
    }
    MDB_stat st;
    int rc = mdb_stat(cmd->txn, dbi, &st);
    for (size_t n = st.ms_entries + 1; rc == 0; n++) {
        snprintf(out, cap, "PO%06zu", n);
        if (!as_record_exists(cmd->txn, dbi, out))
            break;
    }
    return rc;
}

/* An urgent line: the backorder it orders (which remembers the line). */
static int s_urgent_line(as_cmd_t *cmd, size_t i, const As__OrderLineRequest *rq,
                         const char *order_id, As__OrderLine *line)
{
    if (!rq->backorder_id || !rq->backorder_id[0])
        return as_cmd_fail(cmd, AS_EINVALID,
                           "line %zu: an urgent order's line names the backorder it orders "
                           "(backorder_id)",
                           i + 1);
    As__PartIssue *bo = NULL;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "issues"), rq->backorder_id,
                           &as__part_issue__descriptor, &bo);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "line %zu: backorder '%s' does not exist", i + 1,
                           rq->backorder_id);
    if (rc != 0)
        return rc;
    uint32_t owed = bo->quantity > bo->filled ? bo->quantity - bo->filled : 0;
    if (!bo->backorder || bo->backorder_of)
        rc = as_cmd_fail(cmd, AS_EINVALID, "line %zu: '%s' is an issue, not a backorder", i + 1,
                         rq->backorder_id);
    else if (bo->settled || owed == 0)
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "line %zu: backorder '%s' is not open (%s)", i + 1,
                         rq->backorder_id, bo->settled ? "settled at QC" : "filled");
    else if (bo->order_id && bo->order_id[0])
        rc = as_cmd_fail(cmd, AS_ECONFLICT,
                         "line %zu: backorder '%s' is ordered already (order "
                         "'%s' line %u)",
                         i + 1, rq->backorder_id, bo->order_id, bo->order_line);
    else if (rq->part_number && rq->part_number[0] && strcmp(rq->part_number, bo->part_number))
        rc = as_cmd_fail(cmd, AS_EINVALID, "line %zu: backorder '%s' is for part '%s', not '%s'",
                         i + 1, rq->backorder_id, bo->part_number, rq->part_number);
    else if (rq->has_quantity && (rq->quantity == 0 || rq->quantity > PARTS_MAX_QUANTITY))
        rc = as_cmd_fail(cmd, AS_EINVALID, "line %zu: quantity must be 1 to %u", i + 1,
                         PARTS_MAX_QUANTITY);
    if (rc == 0) {
        line->part_number = strdup(bo->part_number);
        line->backorder_id = strdup(bo->issue_id);
        line->ro_number = strdup(bo->ro_number ? bo->ro_number : "");
        line->has_job_no = 1;
        line->job_no = bo->job_no;
        line->quantity = rq->has_quantity ? rq->quantity : owed;
        char *was = bo->order_id;
        bo->order_id = (char *)order_id;
        bo->has_order_line = 1;
        bo->order_line = line->line_no;
        if (!line->part_number || !line->backorder_id || !line->ro_number)
            rc = -ENOMEM;
        if (rc == 0)
            rc =
                as_record_put(cmd->txn, as_record_dbi(cmd->svc, "issues"), bo->issue_id, &bo->base);
        bo->order_id = was; /* order_id is borrowed: not freed with the backorder */
    }
    as__part_issue__free_unpacked(bo, NULL);
    return rc;
}

static int s_stock_line(as_cmd_t *cmd, size_t i, const As__OrderLineRequest *rq,
                        As__OrderLine *line)
{
    const char *pn = rq->part_number ? rq->part_number : "";
    if (rq->backorder_id && rq->backorder_id[0])
        return as_cmd_fail(cmd, AS_EINVALID,
                           "line %zu: a stock order does not name backorders (set urgent for an "
                           "RO job's backorder)",
                           i + 1);
    int rc = parts_line_part_check(cmd, i, pn);
    if (rc != 0)
        return rc;
    if (!rq->has_quantity || rq->quantity == 0 || rq->quantity > PARTS_MAX_QUANTITY)
        return as_cmd_fail(cmd, AS_EINVALID, "line %zu (part '%s'): quantity must be 1 to %u",
                           i + 1, pn, PARTS_MAX_QUANTITY);
    line->part_number = strdup(pn);
    line->quantity = rq->quantity;
    return line->part_number ? 0 : -ENOMEM;
}

static int s_line_cost(as_cmd_t *cmd, As__OrderLine *line)
{
    As__Part *part;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), line->part_number,
                           &as__part__descriptor, &part);
    if (rc == 0) {
        line->has_unit_cost_cents = 1;
        line->unit_cost_cents = part->cost_cents;
        as__part__free_unpacked(part, NULL);
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static void s_lines_free(As__OrderLine **lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(lines[i]->part_number);
        free(lines[i]->backorder_id);
        free(lines[i]->ro_number);
    }
}

int parts_cmd_order_create(as_cmd_t *cmd)
{
    return parts_order_place(cmd, (const As__OrderCreate *)cmd->request);
}

int parts_order_place(as_cmd_t *cmd, const As__OrderCreate *req)
{
    char order_id[PARTS_ID_MAX + 1], today[AS_DATE_LEN + 1];
    int rc = s_order_id(cmd, req, order_id, sizeof order_id);
    if (rc != 0)
        return rc;
    if (!req->supplier || !req->supplier[0] || as_text_chars(req->supplier) > SUPPLIER_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "order '%s' needs a supplier (up to %d characters)",
                           order_id, SUPPLIER_MAX);
    if (req->n_lines == 0 || req->n_lines > ORDER_LINES_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "order '%s' needs 1 to %d lines", order_id,
                           ORDER_LINES_MAX);
    As__OrderLine *store = calloc(req->n_lines, sizeof *store);
    As__OrderLine **lines = calloc(req->n_lines, sizeof *lines);
    uint32_t *numbers = calloc(req->n_lines, sizeof *numbers);
    size_t made = 0;
    if (!store || !lines || !numbers)
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < req->n_lines; i++, made++) {
        As__OrderLine *line = lines[i] = &store[i];
        as__order_line__init(line);
        line->has_line_no = line->has_quantity = line->has_received = line->has_confirmed = 1;
        line->line_no = numbers[i] = (uint32_t)i + 1;
        rc = req->urgent ? s_urgent_line(cmd, i, req->lines[i], order_id, line)
                         : s_stock_line(cmd, i, req->lines[i], line);
        if (rc == 0)
            rc = s_line_cost(cmd, line);
    }
    as_cmd_date(cmd, today);
    As__PartsOrder order = AS__PARTS_ORDER__INIT;
    order.order_id = order_id;
    order.supplier = req->supplier;
    order.has_urgent = order.has_at_us = 1;
    order.urgent = req->urgent;
    order.order_date = today;
    order.lines = lines;
    order.n_lines = req->n_lines;
    order.placed_by = (char *)cmd->actor;
    order.at_us = as_cmd_time(cmd);
    if (rc == 0)
        rc = s_order_put(cmd->svc, cmd->txn, &order);
    s_ctx_t ctx = {cmd, NULL};
    if (rc == 0)
        rc = s_emit_order(&ctx, "parts.order.placed", &order, numbers, req->n_lines, today);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &order.base);
    if (lines)
        s_lines_free(lines, made);
    free(store);
    free(lines);
    free(numbers);
    return rc;
}

/* --- the supplier's confirmation ------------------------------------------ */

/* Tells the RO job waiting for an urgent line when its part comes: the
 * backorder keeps the promised date (its fills carry it, for the RO parts
 * on-time rate) and parts.order.promised goes to reception. */
static int s_promise_backorder(const s_ctx_t *ctx, const As__PartsOrder *o, const As__OrderLine *l,
                               const char *date)
{
    As__PartIssue *bo;
    int rc = as_record_get(s_txn(ctx), as_record_dbi(s_svc(ctx), "issues"), l->backorder_id,
                           &as__part_issue__descriptor, &bo);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    char *was = bo->promised_date;
    bo->promised_date = l->promised_date;
    rc = as_record_put(s_txn(ctx), as_record_dbi(s_svc(ctx), "issues"), bo->issue_id, &bo->base);
    bo->promised_date = was;
    /* told whether or not the RO still waits (settled at QC, filled): what
     * reception keeps must not hang on how workshop's and the OEM's events
     * interleave here */
    if (rc == 0) {
        As__OrderPromised event = AS__ORDER_PROMISED__INIT;
        event.ro_number = bo->ro_number;
        event.has_job_no = event.has_quantity = event.has_line_no = 1;
        event.job_no = bo->job_no;
        event.part_number = bo->part_number;
        event.quantity = bo->quantity > bo->filled ? bo->quantity - bo->filled : 0;
        event.promised_date = l->promised_date;
        event.order_id = o->order_id;
        event.line_no = l->line_no;
        event.backorder_id = bo->issue_id;
        event.date = (char *)date;
        rc = s_emit(ctx, "parts.order.promised", bo->ro_number, &event.base);
    }
    as__part_issue__free_unpacked(bo, NULL);
    return rc;
}

/* Why a confirmation of a line cannot be applied. */
typedef enum {
    S_CONFIRM_FINE = 0,
    S_CONFIRM_NO_LINE,      /* the order has no such line */
    S_CONFIRM_ALREADY,      /* the line is confirmed already */
    S_CONFIRM_MORE,         /* more confirmed than ordered */
    S_CONFIRM_NOT_A_DATE,   /* promised_date is not a date */
    S_CONFIRM_BEFORE_ORDER, /* promised before the order date */
} s_confirm_problem_t;

/* Why the confirmation `c` cannot be applied (S_CONFIRM_FINE: it can); its
 * line, if the order has it, into `*line`. */
static s_confirm_problem_t s_confirm_problem(const As__PartsOrder *o,
                                             const As__OrderLineConfirmation *c,
                                             const As__OrderLine **line)
{
    const As__OrderLine *l = *line = s_find_line(o, c->line_no);
    if (!l)
        return S_CONFIRM_NO_LINE;
    if (l->confirmed)
        return S_CONFIRM_ALREADY;
    if (c->has_confirmed_quantity && c->confirmed_quantity > l->quantity)
        return S_CONFIRM_MORE;
    if (!c->promised_date || !as_date_valid(c->promised_date))
        return S_CONFIRM_NOT_A_DATE;
    if (strcmp(c->promised_date, o->order_date) < 0)
        return S_CONFIRM_BEFORE_ORDER;
    return S_CONFIRM_FINE;
}

/* The problems as the log names them. */
static const char *const s_confirm_names[] = {
    [S_CONFIRM_FINE] = "fine",
    [S_CONFIRM_NO_LINE] = "no such line",
    [S_CONFIRM_ALREADY] = "confirmed already",
    [S_CONFIRM_MORE] = "more confirmed than ordered",
    [S_CONFIRM_NOT_A_DATE] = "promised_date is not a date",
    [S_CONFIRM_BEFORE_ORDER] = "promised before the order date",
};

/* Refuses the warehouse's confirmation `c` that cannot be applied, one format
 * per problem (a page words each in its language); 0 when it can. */
static int s_confirm_refuse(as_cmd_t *cmd, const As__PartsOrder *o,
                            const As__OrderLineConfirmation *c)
{
    const As__OrderLine *l;
    unsigned no = c->line_no;
    switch (s_confirm_problem(o, c, &l)) {
    case S_CONFIRM_FINE:
        break;
    case S_CONFIRM_NO_LINE:
        return as_cmd_fail(cmd, AS_EINVALID, "order '%s' has no line %u", o->order_id, no);
    case S_CONFIRM_ALREADY:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "line %u of order '%s' is confirmed already (%u promised for %s)", no,
                           o->order_id, l->confirmed_quantity, l->promised_date);
    case S_CONFIRM_MORE:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "line %u of order '%s': %u confirmed is more than the %u ordered", no,
                           o->order_id, c->confirmed_quantity, l->quantity);
    case S_CONFIRM_NOT_A_DATE:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "line %u of order '%s': promised_date '%s' is not a date (YYYY-MM-DD)",
                           no, o->order_id, c->promised_date ? c->promised_date : "");
    case S_CONFIRM_BEFORE_ORDER:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "line %u of order '%s': promised %s is before the order date %s", no,
                           o->order_id, c->promised_date, o->order_date);
    }
    return 0;
}

/* Applies the confirmations the caller has checked (NULL entries skipped). */
static int s_confirm(const s_ctx_t *ctx, As__PartsOrder *o, As__OrderLineConfirmation **cs,
                     size_t n, const char *by, const char *date)
{
    uint32_t *numbers = calloc(n ? n : 1, sizeof *numbers);
    size_t n_numbers = 0;
    int rc = numbers ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!cs[i])
            continue;
        As__OrderLine *l = s_find_line(o, cs[i]->line_no);
        l->confirmed = l->has_confirmed = l->has_confirmed_quantity = 1;
        l->confirmed_quantity =
            cs[i]->has_confirmed_quantity ? cs[i]->confirmed_quantity : l->quantity;
        free(l->promised_date);
        free(l->confirmed_by);
        free(l->confirmed_date);
        l->promised_date = strdup(cs[i]->promised_date);
        l->confirmed_by = strdup(by);
        l->confirmed_date = strdup(date);
        if (!l->promised_date || !l->confirmed_by || !l->confirmed_date)
            rc = -ENOMEM;
        numbers[n_numbers++] = l->line_no;
        /* a cancelled line (the supplier's answer crossed the cancellation)
         * keeps the answer but orders the backorder no more */
        if (rc == 0 && l->backorder_id && l->backorder_id[0] && l->cancelled == 0)
            rc = s_promise_backorder(ctx, o, l, date);
    }
    if (rc == 0 && n_numbers > 0)
        rc = s_order_put(s_svc(ctx), s_txn(ctx), o);
    if (rc == 0 && n_numbers > 0)
        rc = s_emit_order(ctx, "parts.order.confirmed", o, numbers, n_numbers, date);
    free(numbers);
    return rc;
}

int parts_cmd_order_confirm(as_cmd_t *cmd)
{
    const As__OrderConfirm *req = (const As__OrderConfirm *)cmd->request;
    if (!req->order_id || !req->order_id[0])
        return as_cmd_fail(cmd, AS_EINVALID, "order_id is required");
    if (req->n_lines == 0)
        return as_cmd_fail(cmd, AS_EINVALID, "order '%s': no lines to confirm", req->order_id);
    As__PartsOrder *o;
    int rc = as_record_load(cmd, as_record_dbi(cmd->svc, "orders"), "order", req->order_id,
                            &as__parts_order__descriptor, &o);
    if (rc != 0)
        return rc;
    char today[AS_DATE_LEN + 1];
    for (size_t i = 0; rc == 0 && i < req->n_lines; i++) {
        for (size_t j = 0; j < i; j++)
            if (req->lines[j]->line_no == req->lines[i]->line_no)
                rc = as_cmd_fail(cmd, AS_EINVALID, "line %u of order '%s' is confirmed twice",
                                 req->lines[i]->line_no, o->order_id);
        const As__OrderLine *l = s_find_line(o, req->lines[i]->line_no);
        if (rc == 0 && l && l->cancelled > 0)
            rc = as_cmd_fail(cmd, AS_ECONFLICT, "line %u of order '%s' is cancelled (%s: %s)",
                             l->line_no, o->order_id, l->cancelled_date ? l->cancelled_date : "",
                             l->cancel_reason ? l->cancel_reason : "");
        if (rc == 0)
            rc = s_confirm_refuse(cmd, o, req->lines[i]);
    }
    as_cmd_date(cmd, today);
    s_ctx_t ctx = {cmd, NULL};
    if (rc == 0)
        rc = s_confirm(&ctx, o, req->lines, req->n_lines, cmd->actor, today);
    if (rc == 0) {
        s_refresh(o, today);
        rc = as_cmd_reply(cmd, &o->base);
    }
    as__parts_order__free_unpacked(o, NULL);
    return rc;
}

/* oem.order.confirmed: the supplier's answer. Applied once: an unknown
 * order or line, or a line confirmed already, is passed over (logged). */
int parts_evt_oem_order_confirmed(as_evt_t *evt)
{
    const As__OemOrderConfirmed *m = (const As__OemOrderConfirmed *)evt->payload;
    if (!m->order_id || !m->order_id[0] || !parts_id_valid(m->order_id))
        return AS_EINVALID;
    As__PartsOrder *o;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "orders"), m->order_id,
                           &as__parts_order__descriptor, &o);
    if (rc == MDB_NOTFOUND) {
        as_warn("oem.order.confirmed: order '%s' does not exist here", m->order_id);
        return 0;
    }
    if (rc != 0)
        return rc;
    As__OrderLineConfirmation **cs = calloc(m->n_lines ? m->n_lines : 1, sizeof *cs);
    char date[AS_DATE_LEN + 1];
    if (!cs)
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < m->n_lines; i++) {
        bool twice = false;
        for (size_t j = 0; j < i; j++)
            twice |= cs[j] && cs[j]->line_no == m->lines[i]->line_no;
        const As__OrderLine *l;
        s_confirm_problem_t problem =
            twice ? S_CONFIRM_FINE : s_confirm_problem(o, m->lines[i], &l);
        if (twice || problem != S_CONFIRM_FINE)
            as_warn("oem.order.confirmed: order '%s' line %u passed over: %s", o->order_id,
                    m->lines[i]->line_no, twice ? "confirmed twice" : s_confirm_names[problem]);
        else
            cs[i] = m->lines[i];
    }
    if (m->date && as_date_valid(m->date))
        snprintf(date, sizeof date, "%s", m->date);
    else
        as_evt_date(evt, date);
    s_ctx_t ctx = {NULL, evt};
    if (rc == 0)
        rc = s_confirm(&ctx, o, cs, m->n_lines, evt->env->source ? evt->env->source : "oem", date);
    free(cs);
    as__parts_order__free_unpacked(o, NULL);
    return rc;
}

/* --- receipts against order lines ------------------------------------------ */

int parts_order_line_check(as_cmd_t *cmd, size_t i, const As__ReceiptLine *line)
{
    bool has_order = line->order_id && line->order_id[0];
    if (!has_order && !line->has_order_line)
        return 0;
    if (!has_order || !line->has_order_line || line->order_line == 0)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "line %zu: order_id and order_line (from 1) go together", i + 1);
    As__PartsOrder *o;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "orders"), line->order_id,
                           &as__parts_order__descriptor, &o);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "line %zu: order '%s' does not exist", i + 1,
                           line->order_id);
    if (rc != 0)
        return rc;
    const As__OrderLine *l = s_find_line(o, line->order_line);
    if (!l)
        rc = as_cmd_fail(cmd, AS_ENOTFOUND, "line %zu: order '%s' has no line %u", i + 1,
                         o->order_id, line->order_line);
    else if (strcmp(l->part_number, line->part_number) != 0)
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "line %zu: order '%s' line %u is for part '%s', not '%s' (a wrong part "
                         "goes on the ordered part's line as WRONG)",
                         i + 1, o->order_id, l->line_no, l->part_number, line->part_number);
    as__parts_order__free_unpacked(o, NULL);
    return rc;
}

int parts_order_line_backorder(as_cmd_t *cmd, const As__ReceiptLine *line, char *out, size_t cap)
{
    out[0] = '\0';
    if (!line->order_id || !line->order_id[0])
        return 0;
    As__PartsOrder *o;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "orders"), line->order_id,
                           &as__parts_order__descriptor, &o);
    if (rc != 0)
        return rc == MDB_NOTFOUND ? 0 : rc;
    const As__OrderLine *l = s_find_line(o, line->order_line);
    if (l && l->backorder_id)
        snprintf(out, cap, "%s", l->backorder_id);
    as__parts_order__free_unpacked(o, NULL);
    return 0;
}

/* Counts one receipt line's good parts against its order line. An
 * over-delivery (more than the line still owes) is refused: the extra goes
 * on a receipt line of its own, without an order. */
static int s_receive_line(as_cmd_t *cmd, size_t i, const As__ReceiptLine *rl, const char *date)
{
    As__PartsOrder *o;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "orders"), rl->order_id,
                           &as__parts_order__descriptor, &o);
    if (rc != 0)
        return rc;
    As__OrderLine *l = s_find_line(o, rl->order_line);
    uint32_t due = l->received + l->cancelled; /* a cancelled quantity is owed no more */
    uint32_t owed = l->quantity > due ? l->quantity - due : 0;
    if (rl->received > owed) {
        rc = as_cmd_fail(cmd, AS_ECONFLICT,
                         "line %zu: order '%s' line %u (part '%s') still owes %u%s, %u received: "
                         "record the extra on a line without the order",
                         i + 1, o->order_id, l->line_no, l->part_number, owed,
                         l->cancelled ? " (the rest is cancelled)" : "", rl->received);
    } else if (rl->received > 0) {
        l->received += rl->received;
        free(l->received_date);
        l->received_date = strdup(date);
        if (l->received >= l->quantity && !(l->completed_date && l->completed_date[0])) {
            free(l->completed_date);
            l->completed_date = strdup(date);
        }
        uint32_t number = l->line_no;
        s_ctx_t ctx = {cmd, NULL};
        rc = l->received_date ? s_order_put(cmd->svc, cmd->txn, o) : -ENOMEM;
        if (rc == 0)
            rc = s_emit_order(&ctx, "parts.order.received", o, &number, 1, date);
    }
    as__parts_order__free_unpacked(o, NULL);
    return rc;
}

int parts_orders_receive(as_cmd_t *cmd, const As__Receipt *receipt)
{
    char date[AS_DATE_LEN + 1];
    as_date_of_us(receipt->at_us, date);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < receipt->n_lines; i++)
        if (receipt->lines[i]->order_id && receipt->lines[i]->order_id[0])
            rc = s_receive_line(cmd, i, receipt->lines[i], date);
    return rc;
}

/* --- parts.order.list / parts.order.show ------------------------------------ */

static int s_on_date(as_cmd_t *cmd, const char *on, char out[AS_DATE_LEN + 1])
{
    return as_cmd_date_or(cmd, "on", on, out);
}

typedef struct {
    const As__OrderQuery *q;
    const char *on;
} s_filter_t;

static bool s_wanted(ProtobufCMessage *msg, void *arg)
{
    const s_filter_t *f = arg;
    As__PartsOrder *o = (As__PartsOrder *)msg;
    s_refresh(o, f->on);
    if (f->q->has_state && f->q->state != AS__ORDER_STATE__ORDER_STATE_NONE &&
        o->state != f->q->state)
        return false;
    if (f->q->supplier && f->q->supplier[0] && strcasecmp(f->q->supplier, o->supplier) != 0)
        return false;
    return !f->q->overdue || o->overdue;
}

static int s_newest_first(const void *a, const void *b)
{
    const As__PartsOrder *x = *(As__PartsOrder *const *)a, *y = *(As__PartsOrder *const *)b;
    if (x->at_us != y->at_us)
        return x->at_us > y->at_us ? -1 : 1;
    return strcmp(y->order_id, x->order_id);
}

int parts_cmd_order_list(as_cmd_t *cmd)
{
    const As__OrderQuery *q = (const As__OrderQuery *)cmd->request;
    char on[AS_DATE_LEN + 1];
    int rc = s_on_date(cmd, q->on, on);
    if (rc != 0)
        return rc;
    if (q->has_limit && (q->limit == 0 || q->limit > ORDERS_LIMIT_MAX))
        return as_cmd_fail(cmd, AS_EINVALID, "limit %u must be 1 to %u", q->limit,
                           ORDERS_LIMIT_MAX);
    if (q->has_state &&
        !protobuf_c_enum_descriptor_get_value(&as__order_state__descriptor, (int)q->state))
        return as_cmd_fail(cmd, AS_EINVALID, "state %d is not an order state", (int)q->state);
    as_record_list_t all; /* orders are few (tens a week): the list reads them all */
    rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "orders"), NULL,
                        &as__parts_order__descriptor, &all);
    if (rc != 0)
        return rc;
    s_filter_t f = {q, on};
    as_record_list_keep(&all, s_wanted, &f);
    as_record_list_sort(&all, s_newest_first);
    uint32_t limit = q->has_limit ? q->limit : ORDERS_LIMIT_DEFAULT;
    As__OrderList reply = AS__ORDER_LIST__INIT;
    reply.orders = (As__PartsOrder **)all.msgs;
    reply.n_orders = all.n < limit ? all.n : limit;
    rc = as_cmd_reply(cmd, &reply.base);
    as_record_list_free(&all);
    return rc;
}

int parts_cmd_order_show(as_cmd_t *cmd)
{
    const As__OrderShow *req = (const As__OrderShow *)cmd->request;
    if (!req->order_id || !req->order_id[0])
        return as_cmd_fail(cmd, AS_EINVALID, "order_id is required");
    char on[AS_DATE_LEN + 1];
    int rc = s_on_date(cmd, req->on, on);
    As__PartsOrder *o = NULL;
    if (rc == 0)
        rc = as_record_load(cmd, as_record_dbi(cmd->svc, "orders"), "order", req->order_id,
                            &as__parts_order__descriptor, &o);
    if (rc != 0)
        return rc;
    s_refresh(o, on);
    rc = as_cmd_reply(cmd, &o->base);
    as__parts_order__free_unpacked(o, NULL);
    return rc;
}
