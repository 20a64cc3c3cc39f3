/* records.c — keys, records and indexes of the parts store, and the checks of
 * the names people type (part numbers, bins, ids). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "as/calendar.h"
#include "as/error.h"
#include "parts.h"

int parts_require(as_cmd_t *cmd, unsigned roles)
{
    return as_cmd_require(cmd, roles);
}

bool parts_staff_has(as_service_t *svc, const char *id, unsigned roles)
{
    return (as_staff_roles(as_service_staff(svc), id) & roles) != 0;
}

int64_t parts_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

MDB_dbi parts_dbi(as_service_t *svc, const char *name)
{
    return as_store_dbi(as_service_store(svc), name);
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

int parts_part_get(as_service_t *svc, MDB_txn *txn, const char *part_number, As__Part **out)
{
    return as_store_get_msg(txn, parts_dbi(svc, "parts"), part_number, strlen(part_number),
                            &as__part__descriptor, (ProtobufCMessage **)out);
}

int parts_part_put(as_service_t *svc, MDB_txn *txn, As__Part *part)
{
    part->has_on_hand = part->has_reserved = part->has_backordered = 1;
    return as_store_put_msg(txn, parts_dbi(svc, "parts"), part->part_number,
                            strlen(part->part_number), &part->base);
}

int parts_issue_get(as_service_t *svc, MDB_txn *txn, const char *issue_id, As__PartIssue **out)
{
    return as_store_get_msg(txn, parts_dbi(svc, "issues"), issue_id, strlen(issue_id),
                            &as__part_issue__descriptor, (ProtobufCMessage **)out);
}

int parts_issue_put(as_service_t *svc, MDB_txn *txn, const As__PartIssue *issue)
{
    return as_store_put_msg(txn, parts_dbi(svc, "issues"), issue->issue_id, strlen(issue->issue_id),
                            &issue->base);
}

bool parts_exists(as_service_t *svc, MDB_txn *txn, const char *db, const char *key)
{
    MDB_val k = {strlen(key), (void *)key}, v;
    return mdb_get(txn, parts_dbi(svc, db), &k, &v) == 0;
}

bool parts_ro_settled(as_service_t *svc, MDB_txn *txn, const char *ro_number)
{
    return parts_exists(svc, txn, "consumptions", ro_number);
}

static int s_index_key(char *key, const char *first, const char *second, size_t *len)
{
    size_t a = strlen(first), b = strlen(second);
    if (a + 1 + b > PARTS_KEY_MAX)
        return AS_EINVALID;
    memcpy(key, first, a);
    key[a] = '\0';
    memcpy(key + a + 1, second, b);
    *len = a + 1 + b;
    return 0;
}

int parts_index_put(MDB_txn *txn, MDB_dbi dbi, const char *first, const char *second,
                    const ProtobufCMessage *value)
{
    char key[PARTS_KEY_MAX];
    size_t len;
    int rc = s_index_key(key, first, second, &len);
    if (rc != 0)
        return rc;
    if (value)
        return as_store_put_msg(txn, dbi, key, len, value);
    MDB_val k = {len, key}, v = {0, ""};
    return mdb_put(txn, dbi, &k, &v, 0);
}

int parts_index_del(MDB_txn *txn, MDB_dbi dbi, const char *first, const char *second)
{
    char key[PARTS_KEY_MAX];
    size_t len;
    int rc = s_index_key(key, first, second, &len);
    if (rc != 0)
        return rc;
    MDB_val k = {len, key};
    rc = mdb_del(txn, dbi, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int parts_index_get(MDB_txn *txn, MDB_dbi dbi, const char *first, const char *second,
                    const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out)
{
    char key[PARTS_KEY_MAX];
    size_t len;
    int rc = s_index_key(key, first, second, &len);
    if (rc != 0)
        return rc;
    return as_store_get_msg(txn, dbi, key, len, desc, out);
}

static int s_names_add(parts_names_t *names, const char *s, size_t len)
{
    char **grown = realloc(names->items, (names->n + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    names->items = grown;
    char *copy = malloc(len + 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    names->items[names->n++] = copy;
    return 0;
}

int parts_index_list(MDB_txn *txn, MDB_dbi dbi, const char *first, parts_names_t *out)
{
    out->items = NULL;
    out->n = 0;
    size_t plen = strlen(first) + 1; /* the prefix includes the separator */
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0)
        return rc;
    MDB_val k = {plen, (void *)first}, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, first, plen) != 0)
            break;
        if ((rc = s_names_add(out, (const char *)k.mv_data + plen, k.mv_size - plen)) != 0)
            break;
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND || rc == 0)
        return 0;
    parts_names_release(out);
    return rc;
}

void parts_names_release(parts_names_t *names)
{
    for (size_t i = 0; i < names->n; i++)
        free(names->items[i]);
    free(names->items);
    names->items = NULL;
    names->n = 0;
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
