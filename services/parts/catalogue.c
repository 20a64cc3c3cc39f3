/* catalogue.c — part numbers with description, cost, price and bin, and the
 * stock queries (by part number, by bin, or the whole catalogue). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/text.h"
#include "parts.h"

#define DESCRIPTION_MAX AS_TEXT_CHARS_MAX /* characters */

static int s_define_check(as_cmd_t *cmd, const As__PartDefine *req)
{
    if (!req->part_number || !req->part_number[0])
        return as_cmd_fail(cmd, AS_EINVALID, "part_number is required");
    if (!parts_number_valid(req->part_number))
        return as_cmd_fail(cmd, AS_EINVALID, "part number '%s' must be 3 to 32 of A-Z, 0-9 and '-'",
                           req->part_number);
    if (!req->description || !req->description[0])
        return as_cmd_fail(cmd, AS_EINVALID, "part '%s' needs a description", req->part_number);
    if (as_text_chars(req->description) > DESCRIPTION_MAX)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "description of part '%s' is longer than %d characters",
                           req->part_number, DESCRIPTION_MAX);
    if (!req->has_cost_cents || req->cost_cents < 0)
        return as_cmd_fail(cmd, AS_EINVALID, "cost_cents of part '%s' must be given and >= 0",
                           req->part_number);
    if (!req->has_price_cents || req->price_cents < 0)
        return as_cmd_fail(cmd, AS_EINVALID, "price_cents of part '%s' must be given and >= 0",
                           req->part_number);
    if (!req->bin || !req->bin[0])
        return as_cmd_fail(cmd, AS_EINVALID, "part '%s' needs a bin", req->part_number);
    if (!parts_bin_valid(req->bin))
        return as_cmd_fail(cmd, AS_EINVALID, "bin '%s' must be 1 to 32 of A-Z, 0-9 and '-'",
                           req->bin);
    if (req->group && req->group[0] && !parts_group_valid(req->group))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "group '%s' of part '%s' must be 1 to 32 of a-z, 0-9 and '-'",
                           req->group, req->part_number);
    return 0;
}

/* Writes the entry, keeping the stock counters of an existing one. */
static int s_define_write(as_cmd_t *cmd, const As__PartDefine *req)
{
    As__Part *old = NULL;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), req->part_number,
                           &as__part__descriptor, &old);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    As__Part part = AS__PART__INIT;
    part.part_number = req->part_number;
    part.description = req->description;
    part.has_cost_cents = part.has_price_cents = 1;
    part.cost_cents = req->cost_cents;
    part.price_cents = req->price_cents;
    part.bin = req->bin;
    part.group = req->group && req->group[0] ? req->group : PARTS_GROUP_DEFAULT;
    part.has_accessory = part.accessory = req->has_accessory && req->accessory;
    if (old) {
        part.on_hand = old->on_hand;
        part.reserved = old->reserved;
        part.backordered = old->backordered;
        part.quarantined = old->quarantined;
        part.last_moved = old->last_moved;
        if (!(req->group && req->group[0])) /* no group given: the part keeps its own */
            part.group = (char *)parts_group_of(old);
    }
    if (!old || strcmp(old->description ? old->description : "", req->description) != 0)
        rc = parts_words_update(cmd->svc, cmd->txn, req->part_number, old ? old->description : NULL,
                                req->description);
    if (rc != 0)
        goto out;
    MDB_dbi bins = as_record_dbi(cmd->svc, "bins");
    if (old && old->bin && strcmp(old->bin, req->bin) != 0)
        rc = as_record_del_in(cmd->txn, bins, old->bin, req->part_number);
    if (rc == 0 || rc == MDB_NOTFOUND)
        rc = as_record_put_in(cmd->txn, bins, req->bin, req->part_number, NULL);
    if (rc == 0)
        rc = parts_part_put(cmd->svc, cmd->txn, &part);
    if (rc == 0) /* a new cost revalues the stock on hand; a new group takes its value */
        rc = parts_stock_revalue(cmd, old, &part);
    if (rc == 0) {
        As__PartDefined event = AS__PART_DEFINED__INIT;
        event.part = &part;
        rc = as_cmd_emit(cmd, "parts.part.defined", part.part_number, &event.base);
    }
    if (rc == 0)
        rc = as_cmd_reply(cmd, &part.base);
out:
    if (old)
        as__part__free_unpacked(old, NULL);
    return rc;
}

int parts_cmd_part_define(as_cmd_t *cmd)
{
    const As__PartDefine *req = (const As__PartDefine *)cmd->request;
    int rc = s_define_check(cmd, req);
    if (rc == 0)
        rc = s_define_write(cmd, req);
    return rc;
}

/* --- stock queries ----------------------------------------------------- */

typedef struct {
    As__Part **parts;
    size_t n;
} s_found_t;

static void s_found_release(s_found_t *found)
{
    for (size_t i = 0; i < found->n; i++)
        as__part__free_unpacked(found->parts[i], NULL);
    free(found->parts);
}

/* Marks the stock counters so a reply shows them also when they are 0. */
static void s_counters_shown(As__Part *part)
{
    part->has_on_hand = part->has_reserved = part->has_backordered = part->has_quarantined = 1;
}

static int s_found_add(s_found_t *found, As__Part *part)
{
    As__Part **grown = realloc(found->parts, (found->n + 1) * sizeof *grown);
    if (!grown) {
        as__part__free_unpacked(part, NULL);
        return -ENOMEM;
    }
    found->parts = grown;
    s_counters_shown(part);
    found->parts[found->n++] = part;
    return 0;
}

static int s_find_in_bin(as_cmd_t *cmd, const char *bin, s_found_t *found)
{
    as_record_list_t names;
    int rc = as_record_scan_in(cmd->txn, as_record_dbi(cmd->svc, "bins"), bin, NULL, &names);
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        As__Part *part;
        if ((rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), names.keys[i],
                                &as__part__descriptor, &part)) == 0)
            rc = s_found_add(found, part);
    }
    as_record_list_free(&names);
    return rc;
}

static int s_find_all(as_cmd_t *cmd, s_found_t *found)
{
    as_record_list_t all;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "parts"), NULL, &as__part__descriptor,
                            &all);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < all.n; i++)
        s_counters_shown((As__Part *)all.msgs[i]);
    found->parts = (As__Part **)all.msgs; /* the list's messages are now the found ones */
    found->n = all.n;
    all.msgs = NULL;
    all.n = 0;
    as_record_list_free(&all);
    return 0;
}

static int s_find(as_cmd_t *cmd, const As__StockQuery *req, s_found_t *found)
{
    bool by_part = req->part_number && req->part_number[0];
    bool by_bin = req->bin && req->bin[0];
    if (by_part && by_bin)
        return as_cmd_fail(cmd, AS_EINVALID, "give part_number or bin, not both");
    if (by_part) {
        if (!parts_number_valid(req->part_number))
            return as_cmd_fail(cmd, AS_EINVALID,
                               "part number '%s' must be 3 to 32 of A-Z, 0-9 and '-'",
                               req->part_number);
        As__Part *part;
        int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), req->part_number,
                               &as__part__descriptor, &part);
        if (rc == MDB_NOTFOUND)
            return as_cmd_fail(cmd, AS_ENOTFOUND, "part '%s' is not in the catalogue",
                               req->part_number);
        return rc != 0 ? rc : s_found_add(found, part);
    }
    if (by_bin) {
        if (!parts_bin_valid(req->bin))
            return as_cmd_fail(cmd, AS_EINVALID, "bin '%s' must be 1 to 32 of A-Z, 0-9 and '-'",
                               req->bin);
        return s_find_in_bin(cmd, req->bin, found);
    }
    return s_find_all(cmd, found);
}

int parts_cmd_stock_query(as_cmd_t *cmd)
{
    const As__StockQuery *req = (const As__StockQuery *)cmd->request;
    s_found_t found = {NULL, 0};
    int rc = s_find(cmd, req, &found);
    if (rc == 0) {
        As__StockList list = AS__STOCK_LIST__INIT;
        list.parts = found.parts;
        list.n_parts = found.n;
        rc = as_cmd_reply(cmd, &list.base);
    }
    s_found_release(&found);
    return rc;
}
