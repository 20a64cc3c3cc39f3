/* record.h — the one record layer: protobuf messages in a domain database,
 * under composite keys, read and written inside the caller's transaction.
 *
 * Keys. A key is a list of parts: text (an id, a VIN, a date) or a number.
 * Parts are joined by one '\0' byte, the only byte a C string can never hold,
 * so no id needs escaping and no id can forge another key; and because '\0'
 * sorts before every other byte, keys sort part by part (RO-1's jobs all come
 * before RO-10's), which is what a prefix scan needs. A number is 4 bytes
 * big-endian, so numbers sort as numbers. A one-part key is the id itself:
 * `mdb_dump -p` shows it as typed, and a composite one as "VIN\00RO-1".
 * This is the encoding workshop and parts always used; reception's '/' keys
 * are moved over once at open (as_record_rekey).
 *
 * Ownership. Messages a get or scan returns are the caller's: free a message
 * with protobuf_c_message_free_unpacked(msg, NULL), a list with
 * as_record_list_free(). Messages passed to put are only read.
 *
 * Return codes: 0; MDB_NOTFOUND (get: no record under the key); AS_EINVALID
 * (a key longer than AS_KEY_MAX, or a NULL part); AS_EBADFRAME (a stored value
 * that does not decode as the message asked for); -ENOMEM; or an LMDB code.
 */
#ifndef AS_RECORD_H
#define AS_RECORD_H

#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "as/service.h"

#define AS_KEY_MAX 511 /* LMDB's largest key */
#define AS_KEY_SEP '\0'

typedef struct as_key {
    size_t len;
    unsigned parts; /* 0: the empty key (a scan of it is a scan of everything) */
    char data[AS_KEY_MAX];
} as_key_t;

/* Makes a key of the text parts given, ended by NULL: as_key_of(&k, vin, ro, NULL).
 * Returns 0 or AS_EINVALID (too long; the key is then empty). */
int as_key_of(as_key_t *key, const char *first, ...) __attribute__((sentinel));

/* Appends one part: text, or a number (4 bytes big-endian). 0 or AS_EINVALID. */
int as_key_add(as_key_t *key, const char *part);
int as_key_add_u32(as_key_t *key, uint32_t number);

/* The handle of a service's domain database named at open. */
MDB_dbi as_record_dbi(as_service_t *svc, const char *db);

/* Gets and unpacks the record under `id` (a one-part key) or `key` into
 * *(ProtobufCMessage **)out. 0, MDB_NOTFOUND, AS_EBADFRAME or AS_EINVALID. */
int as_record_get(MDB_txn *txn, MDB_dbi dbi, const char *id, const ProtobufCMessageDescriptor *desc,
                  void *out);
int as_record_get_key(MDB_txn *txn, MDB_dbi dbi, const as_key_t *key,
                      const ProtobufCMessageDescriptor *desc, void *out);

/* Packs `msg` under `id` or `key`, replacing what was there. With msg NULL
 * the value is empty: an index entry whose key says it all. */
int as_record_put(MDB_txn *txn, MDB_dbi dbi, const char *id, const ProtobufCMessage *msg);
int as_record_put_key(MDB_txn *txn, MDB_dbi dbi, const as_key_t *key, const ProtobufCMessage *msg);

/* Deletes the record; 0 also when there was none. Put: AS_EINVALID for an id
 * longer than AS_KEY_MAX. */
int as_record_del(MDB_txn *txn, MDB_dbi dbi, const char *id);
int as_record_del_key(MDB_txn *txn, MDB_dbi dbi, const as_key_t *key);

/* Whether a record is stored under `id` / `key`. */
bool as_record_exists(MDB_txn *txn, MDB_dbi dbi, const char *id);
bool as_record_exists_key(MDB_txn *txn, MDB_dbi dbi, const as_key_t *key);

/* The same for a record filed under a parent: key parent \0 id (a job's
 * defect, an RO's reservation, a bin's part). */
int as_record_get_in(MDB_txn *txn, MDB_dbi dbi, const char *parent, const char *id,
                     const ProtobufCMessageDescriptor *desc, void *out);
int as_record_put_in(MDB_txn *txn, MDB_dbi dbi, const char *parent, const char *id,
                     const ProtobufCMessage *msg);
int as_record_del_in(MDB_txn *txn, MDB_dbi dbi, const char *parent, const char *id);

/* Loads the record a command names, or fails the command: AS_ENOTFOUND with
 * "<what> '<id>' does not exist" (e.g. "repair order 'RO-1' does not exist")
 * as its error text. Other codes as as_record_get. */
int as_record_load(as_cmd_t *cmd, MDB_dbi dbi, const char *what, const char *id,
                   const ProtobufCMessageDescriptor *desc, void *out);

/* Calls fn for every record whose key continues `prefix` by a further part
 * (prefix NULL or empty: every record), in key order, with the rest of the key
 * after the prefix and its separator, and the stored value (both borrowed for
 * the call). fn returns 0 to go on; anything else stops and is returned.
 * Returns 0, fn's code or an LMDB code. */
typedef int (*as_record_fn)(const MDB_val *rest, const MDB_val *value, void *arg);
int as_record_each(MDB_txn *txn, MDB_dbi dbi, const as_key_t *prefix, as_record_fn fn, void *arg);

/* Calls fn for every record whose key starts with the `len` bytes of
 * `prefix`, which may end inside a part (a search for the start of a word:
 * "wan" finds "wang\0C000001"), in key order, with the whole key and the
 * value (borrowed for the call). fn returns 0 to go on; anything else stops
 * and is returned. Returns 0, fn's code or an LMDB code. */
int as_record_range(MDB_txn *txn, MDB_dbi dbi, const void *prefix, size_t len, as_record_fn fn,
                    void *arg);

/* The ids an index read gathers (a search's candidates): add, then sort and
 * drop repeats with as_ids_unique, release frees them (and zeroes the list).
 * Start from AS_IDS_INIT. as_ids_add copies `id` (text: at most `len` bytes,
 * ending at a '\0'); 0 or -ENOMEM. */
typedef struct as_ids {
    char **ids;
    size_t n, cap;
} as_ids_t;
#define AS_IDS_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }
int as_ids_add(as_ids_t *ids, const char *id, size_t len);
void as_ids_unique(as_ids_t *ids);
void as_ids_release(as_ids_t *ids);

/* The records of a scan, in key order. msgs[i] is the message (owned; the
 * array can be handed to a repeated field for a reply; NULL when the scan was
 * asked for keys only); keys[i] the key's parts after the prefix (owned, with
 * the '\0' separators kept and a '\0' after; key_lens[i] excludes the last).
 * A caller may drop messages it does not want (freeing them) and lower n;
 * every key is still freed, by n_keys. */
typedef struct as_record_list {
    size_t n;
    ProtobufCMessage **msgs;
    char **keys;
    size_t *key_lens;
    size_t n_keys;
} as_record_list_t;

int as_record_scan(MDB_txn *txn, MDB_dbi dbi, const as_key_t *prefix,
                   const ProtobufCMessageDescriptor *desc, as_record_list_t *out);
/* as_record_scan of the records filed under `parent` (keys parent \0 ...). */
int as_record_scan_in(MDB_txn *txn, MDB_dbi dbi, const char *parent,
                      const ProtobufCMessageDescriptor *desc, as_record_list_t *out);
void as_record_list_free(as_record_list_t *list);

/* Keeps the records of a scan for which keep(msg, arg) is true, in key order
 * (keys[i] stays the key of msgs[i]), and frees the others: a filtered list
 * (status "open", a tool's loans) without a second loop over the store. */
typedef bool (*as_record_keep_fn)(ProtobufCMessage *msg, void *arg);
void as_record_list_keep(as_record_list_t *list, as_record_keep_fn keep, void *arg);

/* Sorts the messages of a scan, msgs[0..n), with cmp (qsort's, given two
 * ProtobufCMessage **). An empty list (msgs may then be NULL, which qsort
 * must not be given) is left as it is. keys[i] no longer names msgs[i]. */
void as_record_list_sort(as_record_list_t *list, int (*cmp)(const void *, const void *));

/* Re-keys every record of `dbi` whose key holds the byte `old_sep`, putting
 * AS_KEY_SEP in its place (a store written before the one encoding). Values
 * are kept as they are; *moved (may be NULL) gets the number re-keyed.
 * Returns 0 or an LMDB code. */
int as_record_rekey(MDB_txn *txn, MDB_dbi dbi, char old_sep, size_t *moved);

/* Once per store: re-keys every database in `dbs` (NULL-terminated) from
 * `old_sep` to AS_KEY_SEP in one write transaction and notes it under the meta
 * name AS_RECORD_KEYS_META, so it never runs again; a new store just gets the
 * note. Call it at start, before the loop. *moved (may be NULL) gets the
 * number of records re-keyed. Returns 0 or an LMDB code (nothing changed). */
#define AS_RECORD_KEYS_META "record_keys"
int as_record_upgrade(as_store_t *store, const char *const *dbs, char old_sep, size_t *moved);

/* as_record_upgrade for keys whose parts an old separator cannot tell apart
 * (an id that may hold the separator itself): `fn` makes the new key of each
 * record of a database in `dbs` from its old bytes (db is the database's
 * name) and returns true to move the record there, false to leave it. */
typedef bool (*as_record_rekey_fn)(const char *db, const char *old, size_t len, as_key_t *fresh,
                                   void *arg);
int as_record_upgrade_with(as_store_t *store, const char *const *dbs, as_record_rekey_fn fn,
                           void *arg, size_t *moved);

#endif
