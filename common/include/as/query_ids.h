/* query_ids.h — the request ids of queries, held in memory until a turn writes.
 *
 * A query (catalog.h) writes nothing, but its request id is kept with who
 * sent it (service.h): a true retry reads again, any other use of the id is
 * refused. Writing that record in a turn of its own would cost a queries-only
 * turn a durable commit (an fsync) for nothing the staff would miss; so the
 * runtime holds the records here and writes them in the next turn that
 * writes anyway (an event, a command), or in the turn that finds the list
 * full (AS_QUERY_IDS_MAX). A turn that writes nothing commits nothing.
 *
 * What a crash or a stop loses is only the ids of the queries answered since
 * the last write: such an id is free again, which a query allows (it wrote
 * nothing; its retry reads again either way).
 *
 * Not thread-safe: the loop's thread only.
 */
#ifndef AS_QUERY_IDS_H
#define AS_QUERY_IDS_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "as/store.h"

#define AS_QUERY_IDS_MAX 256

typedef struct as_query_ids as_query_ids_t;

/* An empty list; NULL when out of memory. */
as_query_ids_t *as_query_ids_new(void);
void as_query_ids_destroy(as_query_ids_t **self_p);

/* Holds the packed StoredRequest `record` (copied) of `request_id`, stored
 * at `stored_us`. Returns 0, AS_EINVALID when the list is full (write it
 * first) or -ENOMEM. */
int as_query_ids_hold(as_query_ids_t *self, const char *request_id, int64_t stored_us,
                      const void *record, size_t len);

/* True with *record (borrowed until the list is cleared) when `request_id`
 * is held. */
bool as_query_ids_find(const as_query_ids_t *self, const char *request_id, MDB_val *record);

size_t as_query_ids_count(const as_query_ids_t *self);
bool as_query_ids_full(const as_query_ids_t *self);

/* Puts every held record in `txn` (as_request_put_at, at its own time).
 * Returns 0 or the store's code; the list is kept until as_query_ids_clear
 * (after that transaction committed). */
int as_query_ids_write(const as_query_ids_t *self, as_store_t *store, MDB_txn *txn);

/* Forgets every held record (they were committed). */
void as_query_ids_clear(as_query_ids_t *self);

#endif
