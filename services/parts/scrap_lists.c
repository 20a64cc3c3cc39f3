/* scrap_lists.c — parts.scrap.list: the scrap lists, newest first (by when
 * they were proposed), of one state, proposed `from`..`to` (local dates, both
 * included), at most `limit`; each as a row (ScrapListRow): who proposed,
 * submitted and decided it and when, how many lines, their value at cost.
 * Scrap lists are few (one a year, a few drafts): the list reads them all. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "parts.h"

#define SCRAP_LISTS_LIMIT_DEFAULT 50u
#define SCRAP_LISTS_LIMIT_MAX 500u

static int s_check(as_cmd_t *cmd, const As__ScrapListQuery *q)
{
    if (q->has_state && q->state != AS__SCRAP_STATUS__SCRAP_STATUS_NONE &&
        !protobuf_c_enum_descriptor_get_value(&as__scrap_status__descriptor, (int)q->state))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "state %d is not a scrap list state (SCRAP_DRAFT, SCRAP_SUBMITTED, "
                           "SCRAP_APPROVED, SCRAP_REJECTED)",
                           (int)q->state);
    if (q->from && q->from[0] && !as_date_valid(q->from))
        return as_cmd_fail(cmd, AS_EINVALID, "from '%s' is not a date (YYYY-MM-DD)", q->from);
    if (q->to && q->to[0] && !as_date_valid(q->to))
        return as_cmd_fail(cmd, AS_EINVALID, "to '%s' is not a date (YYYY-MM-DD)", q->to);
    if (q->from && q->to && q->from[0] && q->to[0] && strcmp(q->from, q->to) > 0)
        return as_cmd_fail(cmd, AS_EINVALID, "from %s is after to %s", q->from, q->to);
    if (q->has_limit && (q->limit == 0 || q->limit > SCRAP_LISTS_LIMIT_MAX))
        return as_cmd_fail(cmd, AS_EINVALID, "limit %u must be 1 to %u", q->limit,
                           SCRAP_LISTS_LIMIT_MAX);
    return 0;
}

static bool s_wanted(ProtobufCMessage *msg, void *arg)
{
    const As__ScrapListQuery *q = arg;
    const As__ScrapList *l = (const As__ScrapList *)msg;
    if (q->has_state && q->state != AS__SCRAP_STATUS__SCRAP_STATUS_NONE && l->status != q->state)
        return false;
    char day[AS_DATE_LEN + 1];
    as_date_of_us(l->proposed_at_us, day);
    return !(q->from && q->from[0] && strcmp(day, q->from) < 0) &&
           !(q->to && q->to[0] && strcmp(day, q->to) > 0);
}

static int s_newest_first(const void *a, const void *b)
{
    const As__ScrapList *x = *(As__ScrapList *const *)a, *y = *(As__ScrapList *const *)b;
    if (x->proposed_at_us != y->proposed_at_us)
        return x->proposed_at_us > y->proposed_at_us ? -1 : 1;
    return strcmp(y->list_id, x->list_id);
}

/* The row of `l` (strings borrowed from it). */
static void s_row(const As__ScrapList *l, As__ScrapListRow *r)
{
    as__scrap_list_row__init(r);
    r->list_id = l->list_id;
    r->has_state = r->has_lines = r->has_value_cents = r->has_proposed_at_us = 1;
    r->state = l->status;
    r->proposed_by = l->proposed_by;
    r->proposed_at_us = l->proposed_at_us;
    r->submitted_by = l->submitted_by;
    r->has_submitted_at_us = l->has_submitted_at_us;
    r->submitted_at_us = l->submitted_at_us;
    r->decided_by = l->decided_by;
    r->has_decided_at_us = l->has_decided_at_us;
    r->decided_at_us = l->decided_at_us;
    r->lines = (uint32_t)l->n_lines;
    r->value_cents = l->value_cents;
    r->reason = l->reason;
}

int parts_cmd_scrap_list(as_cmd_t *cmd)
{
    const As__ScrapListQuery *q = (const As__ScrapListQuery *)cmd->request;
    int rc = s_check(cmd, q);
    as_record_list_t all;
    if (rc == 0)
        rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "scrap_lists"), NULL,
                            &as__scrap_list__descriptor, &all);
    if (rc != 0)
        return rc;
    as_record_list_keep(&all, s_wanted, (void *)q);
    as_record_list_sort(&all, s_newest_first);
    uint32_t limit = q->has_limit ? q->limit : SCRAP_LISTS_LIMIT_DEFAULT;
    size_t n = all.n < limit ? all.n : limit;
    As__ScrapListRow *rows = calloc(n + 1, sizeof *rows);
    As__ScrapListRow **ptrs = calloc(n + 1, sizeof *ptrs);
    if (!rows || !ptrs)
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        s_row((const As__ScrapList *)all.msgs[i], &rows[i]);
        ptrs[i] = &rows[i];
    }
    As__ScrapLists reply = AS__SCRAP_LISTS__INIT;
    reply.lists = ptrs;
    reply.n_lists = n;
    if (rc == 0)
        rc = as_cmd_reply(cmd, &reply.base);
    free(rows);
    free(ptrs);
    as_record_list_free(&all);
    return rc;
}
