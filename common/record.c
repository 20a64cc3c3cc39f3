/* record.c — typed records under composite keys (see record.h). */
#include "as/record.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/store.h"

static int s_append(as_key_t *key, const void *bytes, size_t n)
{
    size_t sep = key->parts ? 1 : 0;
    if (key->len + sep + n > sizeof key->data)
        return AS_EINVALID;
    if (sep)
        key->data[key->len++] = AS_KEY_SEP;
    memcpy(key->data + key->len, bytes, n);
    key->len += n;
    key->parts++;
    return 0;
}

int as_key_add(as_key_t *key, const char *part)
{
    return part ? s_append(key, part, strlen(part)) : AS_EINVALID;
}

int as_key_add_u32(as_key_t *key, uint32_t number)
{
    uint8_t be[4] = {(uint8_t)(number >> 24), (uint8_t)(number >> 16), (uint8_t)(number >> 8),
                     (uint8_t)number};
    return s_append(key, be, sizeof be);
}

int as_key_of(as_key_t *key, const char *first, ...)
{
    key->len = key->parts = 0;
    int rc = as_key_add(key, first);
    va_list ap;
    va_start(ap, first);
    for (const char *part; rc == 0 && (part = va_arg(ap, const char *)) != NULL;)
        rc = as_key_add(key, part);
    va_end(ap);
    if (rc != 0)
        key->len = key->parts = 0;
    return rc;
}

/* A one-part key, checked for length. */
static int s_id_key(as_key_t *key, const char *id)
{
    key->len = key->parts = 0;
    return id && *id ? as_key_add(key, id) : AS_EINVALID;
}

MDB_dbi as_record_dbi(as_service_t *svc, const char *db)
{
    return as_service_dbi(svc, db); /* in the scope of a site-scoped daemon */
}

int as_record_get_key(MDB_txn *txn, MDB_dbi dbi, const as_key_t *key,
                      const ProtobufCMessageDescriptor *desc, void *out)
{
    return as_store_get_msg(txn, dbi, key->data, key->len, desc, (ProtobufCMessage **)out);
}

int as_record_get(MDB_txn *txn, MDB_dbi dbi, const char *id, const ProtobufCMessageDescriptor *desc,
                  void *out)
{
    as_key_t key;
    if (s_id_key(&key, id) != 0)
        return MDB_NOTFOUND; /* too long to have been stored */
    return as_record_get_key(txn, dbi, &key, desc, out);
}

int as_record_put_key(MDB_txn *txn, MDB_dbi dbi, const as_key_t *key, const ProtobufCMessage *msg)
{
    if (msg)
        return as_store_put_msg(txn, dbi, key->data, key->len, msg);
    MDB_val k = {key->len, (void *)key->data}, v = {0, (void *)""};
    return mdb_put(txn, dbi, &k, &v, 0);
}

int as_record_put(MDB_txn *txn, MDB_dbi dbi, const char *id, const ProtobufCMessage *msg)
{
    as_key_t key;
    int rc = s_id_key(&key, id);
    return rc ? rc : as_record_put_key(txn, dbi, &key, msg);
}

int as_record_del_key(MDB_txn *txn, MDB_dbi dbi, const as_key_t *key)
{
    MDB_val k = {key->len, (void *)key->data};
    int rc = mdb_del(txn, dbi, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int as_record_del(MDB_txn *txn, MDB_dbi dbi, const char *id)
{
    as_key_t key;
    return s_id_key(&key, id) != 0 ? 0 : as_record_del_key(txn, dbi, &key);
}

bool as_record_exists_key(MDB_txn *txn, MDB_dbi dbi, const as_key_t *key)
{
    MDB_val k = {key->len, (void *)key->data}, v;
    return mdb_get(txn, dbi, &k, &v) == 0;
}

bool as_record_exists(MDB_txn *txn, MDB_dbi dbi, const char *id)
{
    as_key_t key;
    return s_id_key(&key, id) == 0 && as_record_exists_key(txn, dbi, &key);
}

int as_record_get_in(MDB_txn *txn, MDB_dbi dbi, const char *parent, const char *id,
                     const ProtobufCMessageDescriptor *desc, void *out)
{
    as_key_t key;
    if (as_key_of(&key, parent, id, NULL) != 0)
        return MDB_NOTFOUND;
    return as_record_get_key(txn, dbi, &key, desc, out);
}

int as_record_put_in(MDB_txn *txn, MDB_dbi dbi, const char *parent, const char *id,
                     const ProtobufCMessage *msg)
{
    as_key_t key;
    int rc = as_key_of(&key, parent, id, NULL);
    return rc ? rc : as_record_put_key(txn, dbi, &key, msg);
}

int as_record_del_in(MDB_txn *txn, MDB_dbi dbi, const char *parent, const char *id)
{
    as_key_t key;
    return as_key_of(&key, parent, id, NULL) != 0 ? 0 : as_record_del_key(txn, dbi, &key);
}

int as_record_load(as_cmd_t *cmd, MDB_dbi dbi, const char *what, const char *id,
                   const ProtobufCMessageDescriptor *desc, void *out)
{
    int rc = as_record_get(cmd->txn, dbi, id ? id : "", desc, out);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "%s '%s' does not exist", what, id ? id : "");
    return rc;
}

static int s_list_grow(as_record_list_t *list)
{
    size_t n = list->n + 1;
    ProtobufCMessage **msgs = realloc(list->msgs, n * sizeof *msgs);
    if (msgs)
        list->msgs = msgs;
    char **keys = realloc(list->keys, n * sizeof *keys);
    if (keys)
        list->keys = keys;
    size_t *lens = realloc(list->key_lens, n * sizeof *lens);
    if (lens)
        list->key_lens = lens;
    return msgs && keys && lens ? 0 : -ENOMEM;
}

static int s_list_add(as_record_list_t *list, const char *rest, size_t rest_len,
                      ProtobufCMessage *msg)
{
    char *copy = malloc(rest_len + 1);
    if (!copy || s_list_grow(list) != 0) {
        free(copy);
        return -ENOMEM;
    }
    memcpy(copy, rest, rest_len);
    copy[rest_len] = '\0';
    list->msgs[list->n] = msg;
    list->keys[list->n] = copy;
    list->key_lens[list->n++] = rest_len;
    list->n_keys = list->n;
    return 0;
}

int as_record_each(MDB_txn *txn, MDB_dbi dbi, const as_key_t *prefix, as_record_fn fn, void *arg)
{
    char want[AS_KEY_MAX + 1];
    size_t want_len = 0;
    if (prefix && prefix->parts) { /* the parts, then the separator before the next */
        memcpy(want, prefix->data, prefix->len);
        want[prefix->len] = AS_KEY_SEP;
        want_len = prefix->len + 1;
    }
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0)
        return rc;
    MDB_val k = {want_len, want}, v; /* LMDB refuses an empty key: start at the first */
    for (rc = mdb_cursor_get(cur, &k, &v, want_len ? MDB_SET_RANGE : MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < want_len || memcmp(k.mv_data, want, want_len) != 0)
            break;
        MDB_val rest = {k.mv_size - want_len, (char *)k.mv_data + want_len};
        if ((rc = fn(&rest, &v, arg)) != 0)
            break;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int as_record_range(MDB_txn *txn, MDB_dbi dbi, const void *prefix, size_t len, as_record_fn fn,
                    void *arg)
{
    if (len == 0 || len > AS_KEY_MAX)
        return AS_EINVALID;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0)
        return rc;
    MDB_val k = {len, (void *)prefix}, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < len || memcmp(k.mv_data, prefix, len) != 0)
            break;
        if ((rc = fn(&k, &v, arg)) != 0)
            break;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int as_ids_add(as_ids_t *ids, const char *id, size_t len)
{
    if (ids->n == ids->cap) {
        size_t cap = ids->cap ? ids->cap * 2 : 32;
        char **grown = realloc(ids->ids, cap * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        ids->ids = grown;
        ids->cap = cap;
    }
    return (ids->ids[ids->n] = strndup(id, len)) ? (ids->n++, 0) : -ENOMEM;
}

static int s_id_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void as_ids_unique(as_ids_t *ids)
{
    if (ids->n == 0)
        return;
    qsort(ids->ids, ids->n, sizeof *ids->ids, s_id_cmp);
    size_t kept = 1;
    for (size_t i = 1; i < ids->n; i++) {
        if (strcmp(ids->ids[i], ids->ids[kept - 1]) == 0)
            free(ids->ids[i]);
        else
            ids->ids[kept++] = ids->ids[i];
    }
    ids->n = kept;
}

void as_ids_release(as_ids_t *ids)
{
    for (size_t i = 0; i < ids->n; i++)
        free(ids->ids[i]);
    free(ids->ids);
    memset(ids, 0, sizeof *ids);
}

typedef struct {
    as_record_list_t *out;
    const ProtobufCMessageDescriptor *desc;
} s_scan_t;

/* Adds one record to the list: 0 or a code. */
static int s_scan_one(const MDB_val *rest, const MDB_val *value, void *arg)
{
    s_scan_t *scan = arg;
    ProtobufCMessage *msg = NULL;
    if (scan->desc &&
        !(msg = protobuf_c_message_unpack(scan->desc, NULL, value->mv_size, value->mv_data)))
        return AS_EBADFRAME;
    int rc = s_list_add(scan->out, rest->mv_data, rest->mv_size, msg);
    if (rc != 0 && msg)
        protobuf_c_message_free_unpacked(msg, NULL);
    return rc;
}

int as_record_scan(MDB_txn *txn, MDB_dbi dbi, const as_key_t *prefix,
                   const ProtobufCMessageDescriptor *desc, as_record_list_t *out)
{
    memset(out, 0, sizeof *out);
    s_scan_t scan = {out, desc};
    int rc = as_record_each(txn, dbi, prefix, s_scan_one, &scan);
    if (rc != 0)
        as_record_list_free(out);
    return rc;
}

int as_record_scan_in(MDB_txn *txn, MDB_dbi dbi, const char *parent,
                      const ProtobufCMessageDescriptor *desc, as_record_list_t *out)
{
    as_key_t prefix;
    int rc = as_key_of(&prefix, parent, NULL);
    if (rc != 0) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    return as_record_scan(txn, dbi, &prefix, desc, out);
}

void as_record_list_free(as_record_list_t *list)
{
    for (size_t i = 0; i < list->n && list->msgs; i++)
        if (list->msgs[i])
            protobuf_c_message_free_unpacked(list->msgs[i], NULL);
    for (size_t i = 0; i < list->n_keys; i++)
        free(list->keys[i]);
    free(list->msgs);
    free(list->keys);
    free(list->key_lens);
    memset(list, 0, sizeof *list);
}

void as_record_list_keep(as_record_list_t *list, as_record_keep_fn keep, void *arg)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->n; i++) {
        if (!keep(list->msgs[i], arg)) {
            protobuf_c_message_free_unpacked(list->msgs[i], NULL);
            continue;
        }
        char *key = list->keys[kept]; /* every key stays in the array, to be freed */
        size_t len = list->key_lens[kept];
        list->keys[kept] = list->keys[i];
        list->key_lens[kept] = list->key_lens[i];
        list->keys[i] = key;
        list->key_lens[i] = len;
        list->msgs[kept++] = list->msgs[i];
    }
    list->n = kept;
}

void as_record_list_sort(as_record_list_t *list, int (*cmp)(const void *, const void *))
{
    if (list->n > 1)
        qsort(list->msgs, list->n, sizeof *list->msgs, cmp);
}

/* Moves the record under `old` to `fresh`. */
static int s_move(MDB_txn *txn, MDB_dbi dbi, const char *old, size_t len, const as_key_t *fresh)
{
    MDB_val k = {len, (void *)old}, v;
    int rc = mdb_get(txn, dbi, &k, &v);
    uint8_t *value = rc == 0 ? malloc(v.mv_size ? v.mv_size : 1) : NULL;
    if (rc != 0 || !value)
        return rc ? rc : -ENOMEM;
    memcpy(value, v.mv_data, v.mv_size); /* borrowed from a page the delete may reuse */
    MDB_val to = {fresh->len, (void *)fresh->data}, copy = {v.mv_size, value};
    if ((rc = mdb_del(txn, dbi, &k, NULL)) == 0)
        rc = mdb_put(txn, dbi, &to, &copy, 0);
    free(value);
    return rc;
}

/* The new key of an old one: every old_sep (*arg) becomes AS_KEY_SEP. */
static bool s_sep_key(const char *db, const char *old, size_t len, as_key_t *fresh, void *arg)
{
    (void)db;
    char old_sep = *(const char *)arg;
    if (!memchr(old, old_sep, len) || len > sizeof fresh->data)
        return false;
    fresh->len = len;
    fresh->parts = 1;
    for (size_t i = 0; i < len; i++) {
        fresh->data[i] = old[i] == old_sep ? AS_KEY_SEP : old[i];
        fresh->parts += old[i] == old_sep;
    }
    return true;
}

static int s_rekey(MDB_txn *txn, MDB_dbi dbi, const char *db, as_record_rekey_fn fn, void *arg,
                   size_t *moved)
{
    as_record_list_t all;
    int rc = as_record_scan(txn, dbi, NULL, NULL, &all); /* keys first, then writes */
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < all.n; i++) {
        as_key_t fresh = {0};
        if (!fn(db, all.keys[i], all.key_lens[i], &fresh, arg))
            continue;
        if ((rc = s_move(txn, dbi, all.keys[i], all.key_lens[i], &fresh)) == 0)
            n++;
    }
    as_record_list_free(&all);
    if (moved)
        *moved = n;
    return rc;
}

int as_record_rekey(MDB_txn *txn, MDB_dbi dbi, char old_sep, size_t *moved)
{
    return s_rekey(txn, dbi, NULL, s_sep_key, &old_sep, moved);
}

typedef struct {
    as_store_t *store;
    const char *const *dbs;
    as_record_rekey_fn fn;
    void *arg;
    size_t moved;
} s_upgrade_t;

static int s_upgrade(MDB_txn *txn, void *arg)
{
    s_upgrade_t *up = arg;
    static const char note[] = "nul-joined";
    MDB_val done;
    up->moved = 0; /* the transaction may run again after a map resize */
    if (as_meta_get(up->store, txn, AS_RECORD_KEYS_META, &done) == 0)
        return 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && up->dbs && up->dbs[i]; i++) {
        size_t n = 0;
        rc = s_rekey(txn, as_store_dbi(up->store, up->dbs[i]), up->dbs[i], up->fn, up->arg, &n);
        up->moved += n;
    }
    return rc ? rc : as_meta_put(up->store, txn, AS_RECORD_KEYS_META, note, sizeof note - 1);
}

int as_record_upgrade_with(as_store_t *store, const char *const *dbs, as_record_rekey_fn fn,
                           void *arg, size_t *moved)
{
    s_upgrade_t up = {store, dbs, fn, arg, 0};
    int rc = as_store_write(store, s_upgrade, &up);
    if (moved)
        *moved = rc == 0 ? up.moved : 0;
    return rc;
}

int as_record_upgrade(as_store_t *store, const char *const *dbs, char old_sep, size_t *moved)
{
    return as_record_upgrade_with(store, dbs, s_sep_key, &old_sep, moved);
}
