/* slow.c — slow-moving parts: stock on hand with no receipt, issue or return
 * for [parts] slow_moving_months (default 12) up to a date (parts.slow.list;
 * the scrap proposal takes its obsolete stock from the same test). A part's
 * last movement is its `last_moved` (stock_value.c sets it); a part of a
 * store written before it has none and is never listed: its history is not
 * known. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/config_schema.h"
#include "as/error.h"
#include "parts.h"

#define S_DEFAULT_MONTHS 12

int parts_slow_months(as_service_t *svc)
{
    long long months = S_DEFAULT_MONTHS;
    if (as_config_read_int(as_service_config(svc), "parts", "slow_moving_months", &months) != 0 ||
        months < 1 || months > 120)
        months = S_DEFAULT_MONTHS; /* the schema refused such a config at start */
    return (int)months;
}

void parts_slow_cutoff(const char *as_of, int months, char out[AS_DATE_LEN + 1])
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = atoi(as_of), m = atoi(as_of + 5), d = atoi(as_of + 8);
    int total = y * 12 + (m - 1) - months;
    y = total / 12;
    m = total % 12 + 1;
    int last = days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    char text[48];
    snprintf(text, sizeof text, "%04d-%02d-%02d", y % 10000, m, d < last ? d : last);
    memcpy(out, text, AS_DATE_LEN);
    out[AS_DATE_LEN] = '\0';
}

bool parts_is_slow(const As__Part *part, const char *cutoff)
{
    return part->on_hand > 0 && part->last_moved && as_date_valid(part->last_moved) &&
           strcmp(part->last_moved, cutoff) < 0;
}

static int s_add(As__SlowList *reply, const As__Part *part)
{
    As__SlowPart **grown = realloc(reply->parts, (reply->n_parts + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    reply->parts = grown;
    As__SlowPart *slow = calloc(1, sizeof *slow);
    if (!slow)
        return -ENOMEM;
    as__slow_part__init(slow);
    slow->part_number = part->part_number; /* borrowed from the scanned parts */
    slow->description = part->description;
    slow->group = (char *)parts_group_of(part);
    slow->has_on_hand = slow->has_value_cents = 1;
    slow->on_hand = part->on_hand;
    slow->value_cents = (int64_t)part->on_hand * part->cost_cents;
    slow->last_moved = part->last_moved;
    reply->parts[reply->n_parts++] = slow;
    reply->value_cents += slow->value_cents;
    return 0;
}

int parts_cmd_slow_list(as_cmd_t *cmd)
{
    const As__SlowQuery *req = (const As__SlowQuery *)cmd->request;
    char as_of[AS_DATE_LEN + 1], cutoff[AS_DATE_LEN + 1];
    if (as_cmd_date_or(cmd, "as_of", req->as_of, as_of) != 0)
        return AS_EINVALID;
    int months = parts_slow_months(cmd->svc);
    parts_slow_cutoff(as_of, months, cutoff);
    as_record_list_t all;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "parts"), NULL, &as__part__descriptor,
                            &all);
    if (rc != 0)
        return rc;
    As__SlowList reply = AS__SLOW_LIST__INIT;
    reply.has_months = reply.has_value_cents = 1;
    reply.months = (uint32_t)months;
    reply.as_of = as_of;
    reply.moved_before = cutoff;
    for (size_t i = 0; rc == 0 && i < all.n; i++)
        if (parts_is_slow((const As__Part *)all.msgs[i], cutoff))
            rc = s_add(&reply, (const As__Part *)all.msgs[i]);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &reply.base);
    for (size_t i = 0; i < reply.n_parts; i++)
        free(reply.parts[i]);
    free(reply.parts);
    as_record_list_free(&all);
    return rc;
}
