/* store.h — a daemon's LMDB environment.
 *
 * One environment per daemon, in its data directory, written only by that
 * daemon's loop thread. One process writes a store: opening takes an flock
 * on DIR/writer.lock (which holds the writer's pid) before anything else and
 * keeps it until close, so a second daemon, or a restore, on the same
 * directory is refused (AS_ELOCKED). The lock is the open file's, so it ends
 * with the process however it ends (SIGKILL too): no stale lock. Hot backups
 * only read and need no lock. Named databases:
 *   outbox    seq (8 bytes, big-endian) -> packed Envelope; appended, never changed
 *   offsets   source name -> packed SourceOffset (what this daemon has applied)
 *   requests  request id -> packed StoredRequest (command idempotency; a
 *             store of the first format holds a bare CommandReply)
 *   request_times  stored_us (8 bytes, big-endian) + request id -> empty: the
 *             requests oldest first, written with them, so that expired ones
 *             are pruned without reading the rest (as_request_prune)
 *   meta      name -> value (incarnation, source, created_us, format)
 * plus the domain's own databases named at open.
 *
 * Every state change runs inside as_store_write(): state, outbox and offsets
 * in one transaction, one fsync. Durability is never switched off.
 * Values read inside a transaction are borrowed until the transaction ends.
 */
#ifndef AS_STORE_H
#define AS_STORE_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "as/pb/envelope.pb-c.h"
#include "as/pb/rpc.pb-c.h"

typedef struct as_store as_store_t;

#define AS_STORE_FORMAT 1
#define AS_INCARNATION_LEN 36 /* a UUIDv7 in text form */

/* Why a store could not be opened, backed up or restored. */
typedef struct as_store_error {
    int code;        /* what the call returned: -errno, MDB_* or AS_E* */
    long holder_pid; /* AS_ELOCKED: the process that holds the store, 0 when unknown */
    char text[768];  /* for people: what and which directory or file, and what to do */
} as_store_error_t;

/* Opens (creating when absent) the environment in directory `dir`, with the
 * named domain databases in `domain_dbs` (NULL-terminated; may be NULL; the
 * names outbox, offsets, requests and meta are the runtime's: AS_EINVALID).
 * `map_size` is the first map size in bytes (0: 256 MiB); the map grows on
 * demand. A new store gets a new incarnation id. Stale reader slots are cleared.
 *
 * First the writer lock: AS_ELOCKED when another process (or another open in
 * this one) holds the store. Then data.mdb is checked before any of its pages
 * is read through the map: AS_EDAMAGED when it is empty, not an LMDB file,
 * from another LMDB version, or shorter than its metadata says (pages in use
 * beyond its end would kill the process with SIGBUS at the first read).
 * Returns NULL on failure and fills *why (may be NULL). */
as_store_t *as_store_open_why(const char *dir, const char *const *domain_dbs, size_t map_size,
                              as_store_error_t *why);

/* as_store_open_why() that sets only *err (-errno, MDB_* or AS_E*). */
as_store_t *as_store_open(const char *dir, const char *const *domain_dbs, size_t map_size,
                          int *err);

void as_store_close(as_store_t **self_p);

/* The incarnation id made when this store was created (borrowed). */
const char *as_store_incarnation(const as_store_t *self);

/* The handle of a domain database named at open; asserts that it exists. */
MDB_dbi as_store_dbi(const as_store_t *self, const char *name);
/* The handle of the domain database at `index` of the list given at open
 * (the runtime's scoped databases: as_service_scope_set). */
MDB_dbi as_store_dbi_at(const as_store_t *self, size_t index);

MDB_env *as_store_env(as_store_t *self);

/* Runs fn(txn, arg) in a write transaction and commits it. When fn or the
 * commit returns MDB_MAP_FULL the transaction is aborted, the map doubled and
 * fn run again, so fn must only read and write through txn (and may be run
 * more than once). A non-zero return from fn aborts and is returned.
 * Returns 0, fn's code, or an LMDB code. */
typedef int (*as_store_txn_fn)(MDB_txn *txn, void *arg);
int as_store_write(as_store_t *self, as_store_txn_fn fn, void *arg);

/* Runs fn(txn, arg) in a read-only transaction. */
int as_store_read(as_store_t *self, as_store_txn_fn fn, void *arg);

/* Times the map has grown since open; commits done since open (those that
 * wrote: a write transaction that changed nothing commits nothing to disk
 * and is not counted). */
uint64_t as_store_grows(const as_store_t *self);
uint64_t as_store_commits(const as_store_t *self);

/* --- outbox ---------------------------------------------------------- */

/* The last seq in the outbox (0 when empty). */
int as_outbox_last(as_store_t *self, MDB_txn *txn, uint64_t *seq);

/* Appends `seq` (must be last + 1) -> data. Returns 0, AS_EINVALID for a seq
 * out of order, or an LMDB code. */
int as_outbox_append(as_store_t *self, MDB_txn *txn, uint64_t seq, const void *data, size_t len);

/* Calls fn for each entry from `from_seq` on, at most `max` entries and about
 * `max_bytes` bytes (at least one entry). fn returns 0 to go on, non-zero to
 * stop (returned). */
typedef int (*as_outbox_fn)(uint64_t seq, const MDB_val *value, void *arg);
int as_outbox_scan(as_store_t *self, MDB_txn *txn, uint64_t from_seq, size_t max, size_t max_bytes,
                   as_outbox_fn fn, void *arg);

/* --- offsets ---------------------------------------------------------- */

/* Reads the offset of `source`. Returns 0, MDB_NOTFOUND, or AS_EBADFRAME when
 * the stored record does not decode. *out is unpacked; free it with
 * as__source_offset__free_unpacked(*out, NULL). */
int as_offset_get(as_store_t *self, MDB_txn *txn, const char *source, As__SourceOffset **out);

/* Writes the offset record for off->source. */
int as_offset_put(as_store_t *self, MDB_txn *txn, const As__SourceOffset *off);

/* Calls fn for every stored offset (borrowed for the call). */
typedef int (*as_offset_fn)(const As__SourceOffset *off, void *arg);
int as_offset_each(as_store_t *self, MDB_txn *txn, as_offset_fn fn, void *arg);

/* --- requests (idempotency) -------------------------------------------- */

/* Finds the record kept for `request_id` (a packed StoredRequest, see
 * proto/rpc.proto; the runtime's service.c writes and reads it). Returns 0
 * (value borrowed until the transaction ends) or MDB_NOTFOUND. */
int as_request_get(as_store_t *self, MDB_txn *txn, const char *request_id, MDB_val *reply);

/* Keeps `reply` under `request_id` (at most 256 bytes: AS_EINVALID), stored
 * at `stored_us` (microseconds since the epoch), and indexes it by that time.
 * Put an id once (the runtime puts only after as_request_get found nothing):
 * an id put again expires by its first time. Returns 0 or an LMDB code.
 * as_request_put() stores it now. */
int as_request_put_at(as_store_t *self, MDB_txn *txn, const char *request_id, int64_t stored_us,
                      const void *reply, size_t len);
int as_request_put(as_store_t *self, MDB_txn *txn, const char *request_id, const void *reply,
                   size_t len);

/* Deletes the oldest requests stored before `stored_before_us`, at most `max`
 * of them, and sets *pruned to their number (== max: more may wait). It reads
 * only the index entries it deletes, plus one. Requests kept before the index
 * existed count as stored when the store was first opened with it. Returns 0
 * or an LMDB code (the caller's transaction is then to be aborted). */
int as_request_prune(as_store_t *self, MDB_txn *txn, int64_t stored_before_us, size_t max,
                     size_t *pruned);

/* --- meta ------------------------------------------------------------ */

int as_meta_get(as_store_t *self, MDB_txn *txn, const char *name, MDB_val *value);
int as_meta_put(as_store_t *self, MDB_txn *txn, const char *name, const void *value, size_t len);

/* The incarnations this store's history continues, newest first (empty for a
 * store never restored). Returns 0 (caller frees *out with
 * as__lineage__free_unpacked), AS_EBADFRAME or an LMDB code. */
int as_store_lineage(as_store_t *self, MDB_txn *txn, As__Lineage **out);

/* --- helpers for domain databases -------------------------------------- */

/* Packs a protobuf-c message under `key` in `dbi`. Returns 0 or an LMDB code. */
struct ProtobufCMessage;
int as_store_put_msg(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t key_len,
                     const struct ProtobufCMessage *msg);

/* Gets and unpacks the message under `key`. Returns 0 (caller frees *out with
 * protobuf_c_message_free_unpacked), MDB_NOTFOUND, or AS_EBADFRAME. */
int as_store_get_msg(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t key_len,
                     const struct ProtobufCMessageDescriptor *desc, struct ProtobufCMessage **out);

/* Clears stale reader slots left by dead processes; *dead gets their number. */
int as_store_reader_check(as_store_t *self, int *dead);

/* Hot backup: opens the store in `dir` read-only (the daemon may be running:
 * no writer lock is taken) and writes a compacted copy into the existing,
 * empty directory `dest` (its data.mdb mode 0600, owned by the caller).
 * LMDB forbids opening one environment twice in a process, so call this
 * from another process than the daemon's (asctl does).
 * Returns 0, -EEXIST when `dest` is not empty, AS_EDAMAGED when the store's
 * data.mdb is damaged (as at open; nothing is written), -errno or an LMDB
 * code, and fills *why (may be NULL) on failure. */
int as_store_backup_why(const char *dir, const char *dest, as_store_error_t *why);
int as_store_backup(const char *dir, const char *dest);

/* Reads the outbox of the store in `dir` as a hot backup does: read-only, no
 * writer lock (the daemon may be running; call it from another process than
 * the daemon's), in one read transaction, so the entries are those of one
 * moment. Copies the store's incarnation into `incarnation` ("" when it has
 * none), then calls fn for each entry in seq order (the value is borrowed
 * for the call) until fn returns non-zero, which is returned as it is.
 * Returns 0, AS_EDAMAGED when data.mdb is damaged, -errno or an LMDB code,
 * and fills *why (may be NULL) on those failures. */
int as_outbox_read_why(const char *dir, char incarnation[AS_INCARNATION_LEN + 1], as_outbox_fn fn,
                       void *arg, as_store_error_t *why);

/* Restores a backup into `dir` (which must not hold a store) and gives it a
 * new incarnation, so consumers notice that its sequence starts over from an
 * older point instead of silently dropping its new events as duplicates. The
 * new incarnation's lineage names the backup's incarnation and last seq: the
 * history the two share (see as_store_lineage). Holds `dir`'s writer lock
 * throughout. Returns 0, AS_ELOCKED while a daemon holds `dir`, -EEXIST when
 * `dir` holds a store, AS_EDAMAGED when the backup's data.mdb is damaged,
 * -errno or an LMDB code, and fills *why (may be NULL) on failure. */
int as_store_restore_why(const char *backup_dir, const char *dir, as_store_error_t *why);
int as_store_restore(const char *backup_dir, const char *dir);

#endif
