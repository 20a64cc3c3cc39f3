/* stock_value.c — part groups, and the stock value at cost: every change of
 * stock on hand emits parts.stock.moved with its value (quantity x the part's
 * cost now), so kpi can keep the value as a level by day; a change of a part's
 * cost revalues the stock on hand and a change of its group moves its value
 * to the new group. parts.stock.value sums on hand x cost now, by group: the
 * two always agree. Quarantined parts are not stock (README): not valued. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/log.h"
#include "as/store.h"
#include "parts.h"

#define S_OPENING_META "parts_stock_value" /* set once the stock on hand was announced */

const char *parts_group_of(const As__Part *part)
{
    return part->group && part->group[0] ? part->group : PARTS_GROUP_DEFAULT;
}

bool parts_group_valid(const char *group)
{
    size_t len = group ? strlen(group) : 0;
    if (len < 1 || len > 32)
        return false;
    for (const char *p = group; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    return true;
}

/* Emits one parts.stock.moved of `part` in `group`. */
static int s_emit(as_cmd_t *cmd, const As__Part *part, const char *group, int64_t quantity,
                  int64_t unit_cost, int64_t value, const char *kind, const char *ref)
{
    char today[AS_DATE_LEN + 1];
    as_cmd_date(cmd, today);
    As__StockMoved event = AS__STOCK_MOVED__INIT;
    event.part_number = part->part_number;
    event.group = (char *)group;
    event.has_quantity = event.has_unit_cost_cents = event.has_value_cents = 1;
    event.quantity = (int32_t)quantity;
    event.unit_cost_cents = unit_cost;
    event.value_cents = value;
    event.kind = (char *)kind;
    event.ref = (char *)ref;
    event.date = today;
    event.by = (char *)cmd->actor;
    event.has_on_hand = 1;
    event.on_hand = part->on_hand;
    return as_cmd_emit(cmd, "parts.stock.moved", part->part_number, &event.base);
}

int parts_stock_moved(as_cmd_t *cmd, As__Part *part, int64_t quantity, const char *kind,
                      const char *ref)
{
    if (quantity == 0)
        return 0;
    if (strcmp(kind, "scrap") != 0) { /* a receipt, issue or return is a movement */
        char today[AS_DATE_LEN + 1];
        as_cmd_date(cmd, today);
        if (!part->last_moved || strcmp(part->last_moved, today) < 0) {
            char *moved = strdup(today);
            if (!moved)
                return -ENOMEM;
            free(part->last_moved); /* the part is unpacked with the default allocator */
            part->last_moved = moved;
        }
    }
    return s_emit(cmd, part, parts_group_of(part), quantity, part->cost_cents,
                  quantity * part->cost_cents, kind, ref);
}

int parts_stock_revalue(as_cmd_t *cmd, const As__Part *old, const As__Part *now)
{
    if (!old || old->on_hand == 0)
        return 0;
    int64_t n = old->on_hand;
    const char *was = parts_group_of(old), *is = parts_group_of(now);
    if (strcmp(was, is) != 0) { /* leaves the old group at the old cost, enters the new */
        int rc = s_emit(cmd, old, was, -n, old->cost_cents, -n * old->cost_cents, "regroup", NULL);
        return rc ? rc
                  : s_emit(cmd, now, is, n, now->cost_cents, n * now->cost_cents, "regroup", NULL);
    }
    if (old->cost_cents == now->cost_cents)
        return 0;
    return s_emit(cmd, now, is, 0, now->cost_cents, n * (now->cost_cents - old->cost_cents),
                  "revalue", NULL);
}

/* --- parts.stock.value ----------------------------------------------------- */

static int s_group_add(As__StockValue *reply, const As__Part *part)
{
    const char *group = parts_group_of(part);
    As__StockGroupValue *g = NULL;
    for (size_t i = 0; i < reply->n_groups && !g; i++)
        if (strcmp(reply->groups[i]->group, group) == 0)
            g = reply->groups[i];
    if (!g) {
        As__StockGroupValue **grown =
            realloc(reply->groups, (reply->n_groups + 1) * sizeof *reply->groups);
        if (!grown)
            return -ENOMEM;
        reply->groups = grown;
        if (!(g = calloc(1, sizeof *g)))
            return -ENOMEM;
        as__stock_group_value__init(g);
        g->group = (char *)group; /* borrowed from the parts list */
        g->has_value_cents = g->has_on_hand = g->has_parts = 1;
        /* keep the groups in name order */
        size_t at = reply->n_groups;
        while (at > 0 && strcmp(reply->groups[at - 1]->group, group) > 0) {
            reply->groups[at] = reply->groups[at - 1];
            at--;
        }
        reply->groups[at] = g;
        reply->n_groups++;
    }
    g->value_cents += (int64_t)part->on_hand * part->cost_cents;
    g->on_hand += part->on_hand;
    g->parts++;
    reply->value_cents += (int64_t)part->on_hand * part->cost_cents;
    reply->on_hand += part->on_hand;
    return 0;
}

int parts_cmd_stock_value(as_cmd_t *cmd)
{
    const As__StockValueQuery *req = (const As__StockValueQuery *)cmd->request;
    const char *only = req->group && req->group[0] ? req->group : NULL;
    if (only && !parts_group_valid(only))
        return as_cmd_fail(cmd, AS_EINVALID, "group '%s' must be 1 to 32 of a-z, 0-9 and '-'",
                           only);
    as_record_list_t all;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "parts"), NULL, &as__part__descriptor,
                            &all);
    if (rc != 0)
        return rc;
    As__StockValue reply = AS__STOCK_VALUE__INIT;
    reply.has_value_cents = reply.has_on_hand = 1;
    for (size_t i = 0; rc == 0 && i < all.n; i++) {
        const As__Part *part = (const As__Part *)all.msgs[i];
        if (part->on_hand > 0 && (!only || strcmp(parts_group_of(part), only) == 0))
            rc = s_group_add(&reply, part);
    }
    if (rc == 0)
        rc = as_cmd_reply(cmd, &reply.base);
    for (size_t i = 0; i < reply.n_groups; i++)
        free(reply.groups[i]);
    free(reply.groups);
    as_record_list_free(&all);
    return rc;
}

/* --- the opening stock of a store written before stock values ------------ */

/* Announces each part's stock on hand at cost ("opening", dated the day of
 * the upgrade), once per store: what a store from before issue 14 holds was
 * never in a parts.stock.moved, so kpi's level starts from it. A new store
 * has no parts yet and just keeps the note. */
static int s_opening_txn(as_service_t *svc, MDB_txn *txn, void *arg)
{
    size_t *announced = arg;
    *announced = 0;
    as_store_t *store = as_service_store(svc);
    MDB_val done;
    if (as_meta_get(store, txn, S_OPENING_META, &done) == 0)
        return 0;
    as_record_list_t all;
    int rc = as_record_scan(txn, as_record_dbi(svc, "parts"), NULL, &as__part__descriptor, &all);
    char today[AS_DATE_LEN + 1];
    as_date_today(today);
    for (size_t i = 0; rc == 0 && i < all.n; i++) {
        const As__Part *part = (const As__Part *)all.msgs[i];
        if (part->on_hand == 0)
            continue;
        As__StockMoved m = AS__STOCK_MOVED__INIT;
        m.part_number = part->part_number;
        m.group = (char *)parts_group_of(part);
        m.has_quantity = m.has_unit_cost_cents = m.has_value_cents = m.has_on_hand = 1;
        m.quantity = (int32_t)part->on_hand;
        m.unit_cost_cents = part->cost_cents;
        m.value_cents = (int64_t)part->on_hand * part->cost_cents;
        m.kind = "opening";
        m.date = today;
        m.on_hand = part->on_hand;
        size_t len = as__stock_moved__get_packed_size(&m);
        uint8_t *payload = malloc(len ? len : 1);
        if (!payload) {
            rc = -ENOMEM;
            break;
        }
        as__stock_moved__pack(&m, payload);
        as_event_t event = {.type = "parts.stock.moved",
                            .subject = part->part_number,
                            .payload = payload,
                            .payload_len = len};
        rc = as_service_emit(svc, txn, &event);
        free(payload);
        (*announced)++;
    }
    as_record_list_free(&all);
    if (rc == 0)
        rc = as_meta_put(store, txn, S_OPENING_META, "1", 1);
    return rc;
}

int parts_stock_open(as_service_t *svc)
{
    size_t announced = 0;
    int rc = as_service_write(svc, s_opening_txn, &announced);
    if (rc != 0)
        as_error("parts: announcing the opening stock value failed: %s", as_strerror(rc));
    else if (announced)
        as_info("parts: the stock on hand of %zu parts announced at cost (parts.stock.moved "
                "\"opening\")",
                announced);
    return rc;
}
