/* records.c — the parts the store keeps, and the checks of the names people
 * type (part numbers, bins, ids). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "parts.h"

bool parts_staff_has(as_service_t *svc, const char *id, unsigned roles)
{
    return (as_staff_roles(as_service_staff(svc), id) & roles) != 0;
}

static bool s_chars_valid(const char *s, size_t min, size_t max, const char *extra, bool lower)
{
    if (!s)
        return false;
    size_t len = strlen(s);
    if (len < min || len > max)
        return false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool ok = isdigit(c) || (c >= 'A' && c <= 'Z') || (lower && c >= 'a' && c <= 'z') ||
                  strchr(extra, c) != NULL;
        if (!ok || c == '\0')
            return false;
    }
    return true;
}

bool parts_number_valid(const char *part_number)
{
    return s_chars_valid(part_number, 3, 32, "-", false);
}

bool parts_bin_valid(const char *bin)
{
    return s_chars_valid(bin, 1, 32, "-", false);
}

bool parts_id_valid(const char *id)
{
    return s_chars_valid(id, 1, PARTS_ID_MAX, "._-", true);
}

int parts_line_part_check(as_cmd_t *cmd, size_t i, const char *pn)
{
    if (!pn || !pn[0])
        return as_cmd_fail(cmd, AS_EINVALID, "line %zu: part_number is required", i + 1);
    if (!parts_number_valid(pn))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "line %zu: part number '%s' must be 3 to 32 of A-Z, 0-9 and '-'", i + 1,
                           pn);
    if (!as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "parts"), pn))
        return as_cmd_fail(cmd, AS_ENOTFOUND,
                           "line %zu: part '%s' is not in the catalogue (define it first)", i + 1,
                           pn);
    return 0;
}

int parts_part_get(as_cmd_t *cmd, const char *pn, As__Part **part)
{
    int rc =
        as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), pn, &as__part__descriptor, part);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "part '%s' is not in the catalogue", pn);
    return rc;
}

uint32_t parts_free(const As__Part *part)
{
    return part->on_hand > part->reserved ? part->on_hand - part->reserved : 0;
}

int parts_part_put(as_service_t *svc, MDB_txn *txn, As__Part *part)
{
    part->has_on_hand = part->has_reserved = part->has_backordered = part->has_quarantined = 1;
    return as_record_put(txn, as_record_dbi(svc, "parts"), part->part_number, &part->base);
}

bool parts_ro_settled(as_service_t *svc, MDB_txn *txn, const char *ro_number)
{
    return as_record_exists(txn, as_record_dbi(svc, "consumptions"), ro_number);
}

int parts_emit_issue(as_cmd_t *cmd, const As__PartIssue *issue)
{
    char today[AS_DATE_LEN + 1];
    as_date_of_us(issue->at_us, today);
    As__PartIssued event = AS__PART_ISSUED__INIT;
    event.issue = (As__PartIssue *)issue;
    event.date = today;
    const char *type = issue->backorder ? "parts.backorder.created" : "parts.issue.recorded";
    return as_cmd_emit(cmd, type, issue->issue_id, &event.base);
}
