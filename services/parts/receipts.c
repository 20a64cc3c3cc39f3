/* receipts.c — looking back at purchase receipts (parts.receipt.list and
 * parts.receipt.show), and the once-at-start upgrade of a store written
 * before the word index and quarantine stock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/log.h"
#include "as/store.h"
#include "parts.h"

#define RECEIPTS_LIMIT_DEFAULT 50u
#define RECEIPTS_LIMIT_MAX 500u
#define PARTS_FORMAT_META "parts_format"
#define PARTS_FORMAT "2" /* 2: word index and quarantine lots */

static bool s_has_discrepancy(const As__Receipt *r)
{
    for (size_t i = 0; i < r->n_lines; i++)
        if (r->lines[i]->discrepancy != AS__DISCREPANCY__DISCREPANCY_NONE)
            return true;
    return false;
}

typedef struct {
    const As__ReceiptQuery *req;
    as_record_list_t *found;
} s_filter_t;

static bool s_wanted(const As__ReceiptQuery *req, const As__Receipt *r)
{
    char day[AS_DATE_LEN + 1];
    as_date_of_us(r->at_us, day);
    if ((req->from && req->from[0] && strcmp(day, req->from) < 0) ||
        (req->to && req->to[0] && strcmp(day, req->to) > 0))
        return false;
    if (req->supplier && req->supplier[0] && strcasecmp(req->supplier, r->supplier) != 0)
        return false;
    return !req->discrepancies_only || s_has_discrepancy(r);
}

static int s_receipt_cmp(const void *a, const void *b)
{
    const As__Receipt *x = *(As__Receipt *const *)a, *y = *(As__Receipt *const *)b;
    if (x->at_us != y->at_us)
        return x->at_us < y->at_us ? -1 : 1;
    return strcmp(x->receipt_id, y->receipt_id);
}

static int s_list_check(as_cmd_t *cmd, const As__ReceiptQuery *req)
{
    if (req->from && req->from[0] && !as_date_valid(req->from))
        return as_cmd_fail(cmd, AS_EINVALID, "from '%s' is not a date (YYYY-MM-DD)", req->from);
    if (req->to && req->to[0] && !as_date_valid(req->to))
        return as_cmd_fail(cmd, AS_EINVALID, "to '%s' is not a date (YYYY-MM-DD)", req->to);
    if (req->from && req->to && req->from[0] && req->to[0] && strcmp(req->from, req->to) > 0)
        return as_cmd_fail(cmd, AS_EINVALID, "from %s is after to %s", req->from, req->to);
    if (req->has_limit && (req->limit == 0 || req->limit > RECEIPTS_LIMIT_MAX))
        return as_cmd_fail(cmd, AS_EINVALID, "limit %u must be 1 to %u", req->limit,
                           RECEIPTS_LIMIT_MAX);
    return 0;
}

/* Receipts are few (tens a day), so the list reads them all: oldest first. */
int parts_cmd_receipt_list(as_cmd_t *cmd)
{
    const As__ReceiptQuery *req = (const As__ReceiptQuery *)cmd->request;
    int rc = s_list_check(cmd, req);
    as_record_list_t all;
    if (rc == 0)
        rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "receipts"), NULL,
                            &as__receipt__descriptor, &all);
    if (rc != 0)
        return rc;
    size_t kept = 0;
    for (size_t i = 0; i < all.n; i++) {
        As__Receipt *r = (As__Receipt *)all.msgs[i];
        if (s_wanted(req, r))
            all.msgs[kept++] = &r->base;
        else
            as__receipt__free_unpacked(r, NULL);
    }
    all.n = kept;
    as_record_list_sort(&all, s_receipt_cmp);
    uint32_t limit = req->has_limit ? req->limit : RECEIPTS_LIMIT_DEFAULT;
    As__ReceiptList reply = AS__RECEIPT_LIST__INIT;
    reply.receipts = (As__Receipt **)all.msgs;
    reply.n_receipts = all.n < limit ? all.n : limit;
    rc = as_cmd_reply(cmd, &reply.base);
    as_record_list_free(&all);
    return rc;
}

int parts_cmd_receipt_show(as_cmd_t *cmd)
{
    const As__ReceiptShow *req = (const As__ReceiptShow *)cmd->request;
    if (!req->receipt_id || !req->receipt_id[0])
        return as_cmd_fail(cmd, AS_EINVALID, "receipt_id is required");
    As__Receipt *receipt;
    int rc = as_record_load(cmd, as_record_dbi(cmd->svc, "receipts"), "receipt", req->receipt_id,
                            &as__receipt__descriptor, &receipt);
    if (rc != 0)
        return rc;
    rc = as_cmd_reply(cmd, &receipt->base);
    as__receipt__free_unpacked(receipt, NULL);
    return rc;
}

/* --- the upgrade ----------------------------------------------------------- */

typedef struct {
    as_service_t *svc;
    MDB_txn *txn;
    size_t parts, lots;
} s_upgrade_t;

static int s_index_part(const MDB_val *rest, const MDB_val *value, void *arg)
{
    (void)rest;
    s_upgrade_t *up = arg;
    As__Part *part = as__part__unpack(NULL, value->mv_size, value->mv_data);
    if (!part)
        return AS_EBADFRAME;
    int rc = parts_words_update(up->svc, up->txn, part->part_number, NULL, part->description);
    as__part__free_unpacked(part, NULL);
    up->parts++;
    return rc;
}

/* A receipt recorded before quarantine: its damaged and wrong quantities
 * were kept nowhere; they go to quarantine now, to be disposed of. */
static int s_quarantine_receipt(s_upgrade_t *up, As__Receipt *r)
{
    int rc = 0;
    bool changed = false;
    for (size_t i = 0; rc == 0 && i < r->n_lines; i++) {
        if (r->lines[i]->has_quarantined || parts_line_quarantined(r->lines[i]) == 0)
            continue;
        rc = parts_quarantine_take(up->svc, up->txn, r, r->lines[i]);
        changed = true;
        up->lots++;
    }
    if (rc == 0 && changed)
        rc = as_record_put(up->txn, as_record_dbi(up->svc, "receipts"), r->receipt_id, &r->base);
    return rc;
}

static int s_quarantine_receipts(s_upgrade_t *up)
{
    as_record_list_t all; /* read first: the loop writes receipts back */
    int rc = as_record_scan(up->txn, as_record_dbi(up->svc, "receipts"), NULL,
                            &as__receipt__descriptor, &all);
    if (rc != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < all.n; i++)
        rc = s_quarantine_receipt(up, (As__Receipt *)all.msgs[i]);
    as_record_list_free(&all);
    return rc;
}

static int s_upgrade(MDB_txn *txn, void *arg)
{
    s_upgrade_t *up = arg;
    up->txn = txn;
    up->parts = up->lots = 0;
    as_store_t *store = as_service_store(up->svc);
    MDB_val format;
    if (as_meta_get(store, txn, PARTS_FORMAT_META, &format) == 0)
        return 0;
    int rc = as_record_each(txn, as_record_dbi(up->svc, "parts"), NULL, s_index_part, up);
    if (rc == 0)
        rc = s_quarantine_receipts(up);
    if (rc == 0)
        rc = as_meta_put(store, txn, PARTS_FORMAT_META, PARTS_FORMAT, strlen(PARTS_FORMAT));
    return rc;
}

int parts_upgrade(as_service_t *svc)
{
    s_upgrade_t up = {svc, NULL, 0, 0};
    int rc = as_store_write(as_service_store(svc), s_upgrade, &up);
    if (rc != 0)
        as_error("parts: upgrading the store (word index, quarantine) failed: %s", as_strerror(rc));
    else if (up.parts || up.lots)
        as_info("parts: store upgraded: %zu parts indexed, %zu receipt lines put in quarantine",
                up.parts, up.lots);
    return rc == 0 ? parts_stock_open(svc) : rc;
}
