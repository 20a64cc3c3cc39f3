/* forecast.c — the demand forecast and reorder points of the parts the
 * warehouse stocks (parts.forecast.show, parts.reorder.list), and the
 * suggested stock order placed with one command (parts.order.suggest, through
 * orders.c's parts_order_place). It writes nothing of its own: it reads the
 * issues, the orders and the parts; the arithmetic is forecast_calc.c's.
 *
 * Demand of a part on `as_of`: the quantity issued to RO jobs (issues and
 * backorder fills, dated by their business date) in the 90 calendar days
 * as_of-89..as_of, less what was returned of those issues, less the fills of
 * backorders an urgent order line was placed for (one-off demand: parts
 * ordered for one RO job, which the shelf never had to hold), over 90.
 * A backorder itself is not demand until it is filled (then its fill counts
 * on the fill's date, unless the backorder was ordered urgently).
 *
 * Lead time: the mean of calendar days from order_date to completed_date of
 * the part's last 10 completed stock-order lines (urgent orders are not the
 * supplier's normal service), by order date, up to as_of; when the part has
 * none, of its supplier's; when that has none, [parts] default_lead_days.
 * Calendar days, because demand a day is per calendar day too.
 *
 * The part's usual supplier: the supplier of its last stock order (up to
 * as_of), else [parts] default_supplier (default "OEM").
 *
 * Position (on the reply's date, not as_of: stock is what it is now): on hand
 * - reserved + open on order (each open line of any order: confirmed quantity,
 * or the ordered one before confirmation, less received; a closed line owes
 * nothing) - backordered. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "as/calendar.h"
#include "as/config_schema.h"
#include "as/error.h"
#include "forecast_calc.h"
#include "parts.h"

#define S_WINDOW_DAYS 90
#define S_LEAD_LINES 10
#define S_DEFAULT_SUPPLIER "OEM"
#define S_EXCLUDE_MAX 200

typedef struct {
    char as_of[AS_DATE_LEN + 1], from[AS_DATE_LEN + 1];
    uint32_t lead_default, safety, cover;
    const char *supplier; /* [parts] default_supplier */
} s_cfg_t;

/* What the passes over issues and orders gather for a part. */
typedef struct {
    uint32_t issued, returned, excluded, on_order;
} s_acc_t;

/* A stock-order line (order_date <= as_of). */
typedef struct {
    const As__PartsOrder *order;
    const As__OrderLine *line;
} s_ref_t;

typedef struct {
    as_service_t *svc;
    MDB_txn *txn;
    s_cfg_t cfg;
    As__Part **parts; /* sorted by part number (borrowed) */
    size_t n_parts;
    s_acc_t *accs; /* parallel to parts */
    as_record_list_t orders;
    s_ref_t *by_part; /* stock lines by part, newest order first */
    s_ref_t *by_supplier;
    size_t n_refs;
} s_ctx_t;

static uint32_t s_read(as_service_t *svc, const char *key)
{
    long long v = 0;
    as_config_read_int(as_service_config(svc), "parts", key, &v); /* the schema held it at start */
    return v < 0 ? 0 : (uint32_t)v;
}

static int s_cfg(as_cmd_t *cmd, const char *as_of, s_cfg_t *cfg)
{
    if (as_cmd_date_or(cmd, "as_of", as_of, cfg->as_of) != 0)
        return AS_EINVALID;
    as_date_add_days(cfg->as_of, -(S_WINDOW_DAYS - 1), cfg->from);
    cfg->lead_default = s_read(cmd->svc, "default_lead_days");
    cfg->safety = s_read(cmd->svc, "safety_days");
    cfg->cover = s_read(cmd->svc, "order_cover_days");
    cfg->supplier =
        as_config_get(as_service_config(cmd->svc), "parts", "default_supplier", S_DEFAULT_SUPPLIER);
    if (!cfg->supplier || !cfg->supplier[0])
        cfg->supplier = S_DEFAULT_SUPPLIER;
    return 0;
}

static int s_part_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, (*(As__Part *const *)elem)->part_number);
}

static s_acc_t *s_acc_of(s_ctx_t *c, const char *part_number)
{
    if (!part_number)
        return NULL;
    if (c->n_parts == 0)
        return NULL;
    As__Part **p = bsearch(part_number, c->parts, c->n_parts, sizeof *c->parts, s_part_cmp);
    return p ? &c->accs[p - c->parts] : NULL;
}

/* --- demand: one pass over the issues ------------------------------------ */

/* True when the fill's backorder was ordered on an urgent order line. */
static bool s_urgent_fill(s_ctx_t *c, const As__PartIssue *fill)
{
    As__PartIssue *bo;
    if (as_record_get(c->txn, as_record_dbi(c->svc, "issues"), fill->backorder_of,
                      &as__part_issue__descriptor, &bo) != 0)
        return false;
    bool urgent = bo->order_id && bo->order_id[0];
    as__part_issue__free_unpacked(bo, NULL);
    return urgent;
}

static int s_issue(const MDB_val *rest, const MDB_val *value, void *arg)
{
    (void)rest;
    s_ctx_t *c = arg;
    As__PartIssue *is = as__part_issue__unpack(NULL, value->mv_size, value->mv_data);
    if (!is)
        return 0; /* not ours to judge here: the store's check reports damage */
    char date[AS_DATE_LEN + 1];
    as_date_of_us(is->at_us, date);
    s_acc_t *a = is->backorder ? NULL : s_acc_of(c, is->part_number);
    if (a && strcmp(date, c->cfg.from) >= 0 && strcmp(date, c->cfg.as_of) <= 0) {
        uint32_t returned = is->returned < is->quantity ? is->returned : is->quantity;
        a->issued += is->quantity;
        a->returned += returned;
        if (is->backorder_of && is->backorder_of[0] && s_urgent_fill(c, is))
            a->excluded += is->quantity - returned;
    }
    as__part_issue__free_unpacked(is, NULL);
    return 0;
}

/* --- orders: what is on order, the stock lines for lead time and supplier -- */

/* What a line still brings: its confirmed quantity (or the ordered one
 * before confirmation) less received, nothing once cancelled. */
static uint32_t s_line_owed(const As__OrderLine *l)
{
    uint32_t expected = l->confirmed ? l->confirmed_quantity : l->quantity;
    if (l->cancelled > 0)
        return 0;
    return expected > l->received ? expected - l->received : 0;
}

static bool s_newer(const s_ref_t *a, const s_ref_t *b)
{
    int d = strcmp(a->order->order_date, b->order->order_date);
    if (d == 0)
        d = a->order->at_us < b->order->at_us ? -1 : a->order->at_us > b->order->at_us;
    if (d == 0)
        d = strcmp(a->order->order_id, b->order->order_id);
    if (d == 0)
        d = a->line->line_no < b->line->line_no ? -1 : a->line->line_no > b->line->line_no;
    return d > 0;
}

static int s_by_part(const void *x, const void *y)
{
    const s_ref_t *a = x, *b = y;
    int d = strcmp(a->line->part_number, b->line->part_number);
    return d ? d : s_newer(a, b) ? -1 : s_newer(b, a);
}

static int s_by_supplier(const void *x, const void *y)
{
    const s_ref_t *a = x, *b = y;
    int d = strcasecmp(a->order->supplier, b->order->supplier);
    return d ? d : s_newer(a, b) ? -1 : s_newer(b, a);
}

static int s_orders(s_ctx_t *c)
{
    int rc = as_record_scan(c->txn, as_record_dbi(c->svc, "orders"), NULL,
                            &as__parts_order__descriptor, &c->orders);
    if (rc != 0)
        return rc;
    size_t n = 0;
    for (size_t i = 0; i < c->orders.n; i++)
        n += ((As__PartsOrder *)c->orders.msgs[i])->n_lines;
    c->by_part = calloc(n ? n : 1, sizeof *c->by_part);
    c->by_supplier = calloc(n ? n : 1, sizeof *c->by_supplier);
    if (!c->by_part || !c->by_supplier)
        return -ENOMEM;
    for (size_t i = 0; i < c->orders.n; i++) {
        const As__PartsOrder *o = (As__PartsOrder *)c->orders.msgs[i];
        for (size_t j = 0; j < o->n_lines; j++) {
            const As__OrderLine *l = o->lines[j];
            s_acc_t *a = s_acc_of(c, l->part_number);
            if (a)
                a->on_order += s_line_owed(l);
            /* a line cancelled with nothing received was never supplied:
             * neither a lead time nor the part's usual supplier */
            bool never_came = l->cancelled > 0 && l->received == 0;
            if (!o->urgent && !never_came && o->order_date && o->supplier && l->part_number &&
                strcmp(o->order_date, c->cfg.as_of) <= 0)
                c->by_part[c->n_refs++] = (s_ref_t){o, l};
        }
    }
    memcpy(c->by_supplier, c->by_part, c->n_refs * sizeof *c->by_part);
    qsort(c->by_part, c->n_refs, sizeof *c->by_part, s_by_part);
    qsort(c->by_supplier, c->n_refs, sizeof *c->by_supplier, s_by_supplier);
    return 0;
}

/* A line that shows a lead time on as_of: complete by then. */
static bool s_lead_ref(const s_ctx_t *c, const s_ref_t *r)
{
    const char *done = r->line->completed_date;
    return done && as_date_valid(done) && strcmp(done, c->cfg.as_of) <= 0 &&
           as_date_valid(r->order->order_date);
}

/* The first ref of `part` in by_part (or of `supplier` in by_supplier). */
static const s_ref_t *s_first(const s_ctx_t *c, const char *part, const char *supplier,
                              size_t *n_out)
{
    const s_ref_t *refs = part ? c->by_part : c->by_supplier;
    size_t lo = 0, hi = c->n_refs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = part ? strcmp(refs[mid].line->part_number, part)
                     : strcasecmp(refs[mid].order->supplier, supplier);
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < c->n_refs && (part ? strcmp(refs[end].line->part_number, part) == 0
                                    : strcasecmp(refs[end].order->supplier, supplier) == 0))
        end++;
    *n_out = end - lo;
    return refs + lo;
}

static void s_free_leads(As__Forecast *f)
{
    for (size_t i = 0; i < f->n_lead_lines; i++)
        free(f->lead_lines[i]);
    free(f->lead_lines);
    f->lead_lines = NULL;
    f->n_lead_lines = 0;
}

static void s_free_working(As__Forecast *f)
{
    for (size_t i = 0; i < f->n_working; i++)
        free(f->working[i]);
    free(f->working);
    f->working = NULL;
    f->n_working = 0;
}

/* Fills f->lead_lines (borrowing the orders' text) from up to S_LEAD_LINES
 * of the refs that show a lead time. */
static int s_leads(const s_ctx_t *c, const s_ref_t *refs, size_t n, As__Forecast *f, uint64_t *sum)
{
    f->lead_lines = calloc(S_LEAD_LINES, sizeof *f->lead_lines);
    if (!f->lead_lines)
        return -ENOMEM;
    *sum = 0;
    for (size_t i = 0; i < n && f->n_lead_lines < S_LEAD_LINES; i++) {
        if (!s_lead_ref(c, &refs[i]))
            continue;
        As__LeadLine *l = calloc(1, sizeof *l);
        if (!l)
            return -ENOMEM;
        as__lead_line__init(l);
        l->order_id = refs[i].order->order_id;
        l->has_line_no = l->has_days = 1;
        l->line_no = refs[i].line->line_no;
        l->part_number = refs[i].line->part_number;
        l->order_date = refs[i].order->order_date;
        l->completed_date = refs[i].line->completed_date;
        int64_t days = as_date_diff_days(l->order_date, l->completed_date);
        l->days = days > 0 ? (uint32_t)days : 0;
        *sum += l->days;
        f->lead_lines[f->n_lead_lines++] = l;
    }
    return 0;
}

static int s_say(As__Forecast *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int s_say(As__Forecast *f, const char *fmt, ...)
{
    char text[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char **grown = realloc(f->working, (f->n_working + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    f->working = grown;
    if (!(f->working[f->n_working] = strdup(text)))
        return -ENOMEM;
    f->n_working++;
    return 0;
}

#define S_MILLI(v) (v) / 1000, (v) % 1000

/* The working written out, each term with its numbers. */
static int s_working(const s_cfg_t *cfg, As__Forecast *f, uint64_t lead_sum)
{
    int rc = s_say(f,
                   "demand: %u issued - %u returned - %u for urgent orders (one-off, excluded) = "
                   "%u in %u days (%s..%s) = %u.%03u a day",
                   f->issued, f->returned, f->excluded, f->demand, f->window_days, f->window_from,
                   f->as_of, S_MILLI(f->demand_per_day_milli));
    if (rc == 0 && f->n_lead_lines)
        rc = s_say(
            f, "lead time: %llu days over %zu completed stock-order lines of the %s = %u.%03u days",
            (unsigned long long)lead_sum, f->n_lead_lines, f->lead_from,
            S_MILLI(f->lead_days_milli));
    else if (rc == 0)
        rc = s_say(f,
                   "lead time: no completed stock-order line: [parts] default_lead_days = %u days",
                   cfg->lead_default);
    if (rc == 0)
        rc =
            s_say(f, "safety stock: %u.%03u a day x %u days = %u.%03u",
                  S_MILLI(f->demand_per_day_milli), f->safety_days, S_MILLI(f->safety_stock_milli));
    if (rc == 0)
        rc = s_say(f, "reorder point: ceil(%u.%03u a day x %u.%03u days + %u.%03u) = %u",
                   S_MILLI(f->demand_per_day_milli), S_MILLI(f->lead_days_milli),
                   S_MILLI(f->safety_stock_milli), f->reorder_point);
    if (rc == 0)
        rc = s_say(f, "order-up-to: %u + ceil(%u.%03u a day x %u days) = %u", f->reorder_point,
                   S_MILLI(f->demand_per_day_milli), f->cover_days, f->order_up_to);
    if (rc == 0)
        rc = s_say(f, "position: %u on hand - %u reserved + %u on order - %u backordered = %d",
                   f->on_hand, f->reserved, f->on_order, f->backordered, f->position);
    if (rc == 0 && f->reorder)
        rc = s_say(f,
                   f->position < 0 ? "suggested: %d <= %u (reorder point): %u - (%d) = %u"
                                   : "suggested: %d <= %u (reorder point): %u - %d = %u",
                   f->position, f->reorder_point, f->order_up_to, f->position, f->suggested);
    else if (rc == 0 && f->position > (int32_t)f->reorder_point)
        rc = s_say(f, "suggested: nothing (position %d is above the reorder point %u)", f->position,
                   f->reorder_point);
    else if (rc == 0)
        rc = s_say(f, "suggested: nothing (position %d is at the order-up-to %u already)",
                   f->position, f->order_up_to);
    return rc;
}

/* One part's forecast into *f (text borrowed from the part, the orders and
 * cfg; lead_lines and working owned: free with s_free_leads/s_free_working). */
static int s_forecast(s_ctx_t *c, size_t i, bool with_working, As__Forecast *f)
{
    const As__Part *p = c->parts[i];
    const s_acc_t *a = &c->accs[i];
    as__forecast__init(f);
    f->part_number = p->part_number;
    f->description = p->description;
    f->as_of = c->cfg.as_of;
    f->window_from = c->cfg.from;
    f->has_window_days = f->has_issued = f->has_returned = f->has_excluded = f->has_demand = 1;
    f->window_days = S_WINDOW_DAYS;
    f->issued = a->issued;
    f->returned = a->returned;
    f->excluded = a->excluded;
    uint32_t out = a->returned + a->excluded;
    f->demand = a->issued > out ? a->issued - out : 0;
    size_t n;
    const s_ref_t *refs = s_first(c, p->part_number, NULL, &n);
    f->supplier = n ? refs[0].order->supplier : (char *)c->cfg.supplier;
    char from[PARTS_ID_MAX + 16];
    snprintf(from, sizeof from, "order %s", n ? refs[0].order->order_id : "");
    f->supplier_from = n ? strdup(from) : strdup("default");
    if (!f->supplier_from)
        return -ENOMEM;
    uint64_t sum = 0;
    int rc = s_leads(c, refs, n, f, &sum);
    f->lead_from = "part";
    if (rc == 0 && f->n_lead_lines == 0) {
        s_free_leads(f);
        refs = s_first(c, NULL, f->supplier, &n);
        rc = s_leads(c, refs, n, f, &sum);
        f->lead_from = f->n_lead_lines ? "supplier" : "default";
    }
    parts_fc_in_t in = {
        .demand = f->demand,
        .window_days = S_WINDOW_DAYS,
        .lead_days_sum = sum,
        .lead_lines = (uint32_t)f->n_lead_lines,
        .default_lead_days = c->cfg.lead_default,
        .safety_days = c->cfg.safety,
        .cover_days = c->cfg.cover,
        .on_hand = p->on_hand,
        .reserved = p->reserved,
        .on_order = a->on_order,
        .backordered = p->backordered,
    };
    parts_fc_out_t r;
    parts_fc_compute(&in, &r);
    f->has_demand_per_day_milli = f->has_lead_days_milli = f->has_safety_days = 1;
    f->has_safety_stock_milli = f->has_reorder_point = f->has_cover_days = 1;
    f->has_order_up_to = f->has_on_hand = f->has_reserved = f->has_on_order = 1;
    f->has_backordered = f->has_position = f->has_reorder = f->has_suggested = 1;
    f->demand_per_day_milli = r.demand_per_day_milli;
    f->lead_days_milli = r.lead_days_milli;
    f->safety_days = c->cfg.safety;
    f->safety_stock_milli = r.safety_stock_milli;
    f->reorder_point = r.reorder_point;
    f->cover_days = c->cfg.cover;
    f->order_up_to = r.order_up_to;
    f->on_hand = p->on_hand;
    f->reserved = p->reserved;
    f->on_order = a->on_order;
    f->backordered = p->backordered;
    f->position = (int32_t)r.position;
    f->reorder = r.reorder;
    f->suggested = r.suggested;
    if (rc == 0 && with_working)
        rc = s_working(&c->cfg, f, sum);
    if (!with_working)
        s_free_leads(f);
    return rc;
}

static void s_forecast_free(As__Forecast *f)
{
    free(f->supplier_from);
    f->supplier_from = NULL;
    s_free_leads(f);
    s_free_working(f);
}

/* Gathers demand and orders for `parts` (sorted by part number). */
static int s_gather(s_ctx_t *c)
{
    c->accs = calloc(c->n_parts ? c->n_parts : 1, sizeof *c->accs);
    if (!c->accs)
        return -ENOMEM;
    int rc = as_record_each(c->txn, as_record_dbi(c->svc, "issues"), NULL, s_issue, c);
    return rc == 0 ? s_orders(c) : rc;
}

static void s_ctx_free(s_ctx_t *c)
{
    free(c->accs);
    free(c->by_part);
    free(c->by_supplier);
    as_record_list_free(&c->orders);
}

/* --- parts.forecast.show ------------------------------------------------- */

int parts_cmd_forecast_show(as_cmd_t *cmd)
{
    const As__ForecastQuery *req = (const As__ForecastQuery *)cmd->request;
    s_ctx_t c = {.svc = cmd->svc, .txn = cmd->txn};
    if (!req->part_number || !req->part_number[0])
        return as_cmd_fail(cmd, AS_EINVALID, "part_number is required");
    int rc = s_cfg(cmd, req->as_of, &c.cfg);
    As__Part *part = NULL;
    if (rc == 0)
        rc = as_record_load(cmd, as_record_dbi(cmd->svc, "parts"), "part", req->part_number,
                            &as__part__descriptor, &part);
    if (rc != 0)
        return rc;
    c.parts = &part;
    c.n_parts = 1;
    As__Forecast f = AS__FORECAST__INIT;
    rc = s_gather(&c);
    if (rc == 0)
        rc = s_forecast(&c, 0, true, &f);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &f.base);
    s_forecast_free(&f);
    s_ctx_free(&c);
    as__part__free_unpacked(part, NULL);
    return rc;
}

/* --- parts.reorder.list --------------------------------------------------- */

static void s_list_free(As__ReorderList *list)
{
    for (size_t i = 0; i < list->n_suppliers; i++) {
        As__ReorderSupplier *s = list->suppliers[i];
        for (size_t j = 0; j < s->n_parts; j++) {
            s_forecast_free(s->parts[j]);
            free(s->parts[j]);
        }
        free(s->parts);
        free(s);
    }
    free(list->suppliers);
}

static As__ReorderSupplier *s_group(As__ReorderList *list, const char *supplier)
{
    for (size_t i = 0; i < list->n_suppliers; i++)
        if (strcasecmp(list->suppliers[i]->supplier, supplier) == 0)
            return list->suppliers[i];
    As__ReorderSupplier **grown = realloc(list->suppliers, (list->n_suppliers + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    list->suppliers = grown;
    As__ReorderSupplier *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    as__reorder_supplier__init(s);
    s->supplier = (char *)supplier;
    s->has_quantity = 1;
    list->suppliers[list->n_suppliers++] = s;
    return s;
}

static int s_group_cmp(const void *x, const void *y)
{
    return strcasecmp((*(As__ReorderSupplier *const *)x)->supplier,
                      (*(As__ReorderSupplier *const *)y)->supplier);
}

/* The parts to order on c->cfg.as_of, of `supplier` (any case; NULL: all),
 * by supplier, each supplier's parts by part number. */
static int s_reorder(s_ctx_t *c, const char *supplier, As__ReorderList *list)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < c->n_parts; i++) {
        As__Forecast *f = calloc(1, sizeof *f);
        if (!f)
            return -ENOMEM;
        rc = s_forecast(c, i, false, f);
        bool wanted = rc == 0 && f->reorder && f->suggested > 0 &&
                      (!supplier || strcasecmp(supplier, f->supplier) == 0);
        As__ReorderSupplier *s = wanted ? s_group(list, f->supplier) : NULL;
        As__Forecast **grown = s ? realloc(s->parts, (s->n_parts + 1) * sizeof *grown) : NULL;
        if (wanted && !grown)
            rc = -ENOMEM;
        if (grown) {
            s->parts = grown;
            s->parts[s->n_parts++] = f;
            s->quantity += f->suggested;
        } else {
            s_forecast_free(f);
            free(f);
        }
    }
    if (list->n_suppliers > 1)
        qsort(list->suppliers, list->n_suppliers, sizeof *list->suppliers, s_group_cmp);
    return rc;
}

/* The whole catalogue into c (parts borrowed from `all`). */
static int s_catalogue(s_ctx_t *c, as_record_list_t *all)
{
    int rc =
        as_record_scan(c->txn, as_record_dbi(c->svc, "parts"), NULL, &as__part__descriptor, all);
    c->parts = (As__Part **)all->msgs;
    c->n_parts = all->n;
    return rc == 0 ? s_gather(c) : rc;
}

int parts_cmd_reorder_list(as_cmd_t *cmd)
{
    const As__ReorderQuery *req = (const As__ReorderQuery *)cmd->request;
    s_ctx_t c = {.svc = cmd->svc, .txn = cmd->txn};
    int rc = s_cfg(cmd, req->as_of, &c.cfg);
    if (rc != 0)
        return rc;
    as_record_list_t all = {0};
    As__ReorderList list = AS__REORDER_LIST__INIT;
    list.as_of = c.cfg.as_of;
    rc = s_catalogue(&c, &all);
    if (rc == 0)
        rc = s_reorder(&c, req->supplier && req->supplier[0] ? req->supplier : NULL, &list);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list.base);
    s_list_free(&list);
    s_ctx_free(&c);
    as_record_list_free(&all);
    return rc;
}

/* --- parts.order.suggest -------------------------------------------------- */

static bool s_excluded(const As__OrderSuggest *req, const char *part_number)
{
    for (size_t i = 0; i < req->n_exclude; i++)
        if (strcmp(req->exclude[i], part_number) == 0)
            return true;
    return false;
}

static int s_check_exclude(as_cmd_t *cmd, const As__OrderSuggest *req)
{
    if (req->n_exclude > S_EXCLUDE_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "exclude names %zu parts: at most %d", req->n_exclude,
                           S_EXCLUDE_MAX);
    for (size_t i = 0; i < req->n_exclude; i++) {
        const char *pn = req->exclude[i];
        if (!parts_number_valid(pn))
            return as_cmd_fail(cmd, AS_EINVALID,
                               "exclude: part number '%s' must be 3 to 32 of A-Z, 0-9 and '-'", pn);
        if (!as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "parts"), pn))
            return as_cmd_fail(cmd, AS_ENOTFOUND, "exclude: part '%s' is not in the catalogue", pn);
    }
    return 0;
}

int parts_cmd_order_suggest(as_cmd_t *cmd)
{
    const As__OrderSuggest *req = (const As__OrderSuggest *)cmd->request;
    if (!req->supplier || !req->supplier[0])
        return as_cmd_fail(cmd, AS_EINVALID,
                           "supplier is required (the suggestion of which supplier to order)");
    int rc = s_check_exclude(cmd, req);
    s_ctx_t c = {.svc = cmd->svc, .txn = cmd->txn};
    if (rc == 0)
        rc = s_cfg(cmd, NULL, &c.cfg);
    if (rc != 0)
        return rc;
    as_record_list_t all = {0};
    As__ReorderList list = AS__REORDER_LIST__INIT;
    rc = s_catalogue(&c, &all);
    if (rc == 0)
        rc = s_reorder(&c, req->supplier, &list);
    As__ReorderSupplier *s = list.n_suppliers ? list.suppliers[0] : NULL;
    size_t n = 0, skipped = 0;
    As__OrderLineRequest *store = calloc(s && s->n_parts ? s->n_parts : 1, sizeof *store);
    As__OrderLineRequest **lines = calloc(s && s->n_parts ? s->n_parts : 1, sizeof *lines);
    if (rc == 0 && (!store || !lines))
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && s && i < s->n_parts; i++) {
        if (s_excluded(req, s->parts[i]->part_number)) {
            skipped++;
            continue;
        }
        as__order_line_request__init(&store[n]);
        store[n].part_number = s->parts[i]->part_number;
        store[n].has_quantity = 1;
        store[n].quantity = s->parts[i]->suggested;
        lines[n] = &store[n];
        n++;
    }
    if (rc == 0 && n == 0)
        rc = as_cmd_fail(cmd, AS_ECONFLICT,
                         "nothing to order from '%s' on %s: no part of theirs is at or below its "
                         "reorder point%s (parts.reorder.list)",
                         req->supplier, c.cfg.as_of, skipped ? " but those excluded" : "");
    if (rc == 0) {
        As__OrderCreate order = AS__ORDER_CREATE__INIT;
        order.order_id = req->order_id;
        order.supplier = s->supplier; /* spelt as on the part's last order (the OEM's is exact) */
        order.has_urgent = 1;
        order.urgent = false;
        order.lines = lines;
        order.n_lines = n;
        rc = parts_order_place(cmd, &order);
    }
    free(store);
    free(lines);
    s_list_free(&list);
    s_ctx_free(&c);
    as_record_list_free(&all);
    return rc;
}
