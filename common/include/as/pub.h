/* pub.h — the publishing side of the no-loss bus (outbox, publish after
 * commit, heartbeats, replay from the outbox).
 *
 * A service appends events to its outbox inside its write transaction with
 * as_pub_emit(); they are sent on the bus only after the transaction commits
 * (as_pub_committed). A crash between the two loses nothing: consumers learn
 * the last seq from the next heartbeat and replay the rest from the outbox.
 * A send refused by the high-water mark is dropped for the same reason.
 */
#ifndef AS_PUB_H
#define AS_PUB_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "as/envelope.h"
#include "as/security.h"
#include "as/store.h"

typedef struct as_pub as_pub_t;

typedef struct as_pub_config {
    const char *source;       /* "<service>@<site>" */
    const char *endpoint;     /* this daemon's service endpoint, sent in heartbeats */
    char *const *connect;     /* bus XSUB endpoints (NULL-terminated; may be empty) */
    int sndhwm;               /* 0: 1,000,000 */
    as_security_t *security;  /* may be NULL */
    const char *bus_identity; /* CURVE identity of the bus (default "bus") */
} as_pub_config_t;

/* Creates the PUB socket and connects it to every bus endpoint. Reads the
 * outbox's last seq. With zctx NULL there is no socket: events go to the
 * outbox only (an in-process service, as_service_new_local). Returns NULL
 * and sets *err on failure. */
as_pub_t *as_pub_new(void *zctx, as_store_t *store, const as_pub_config_t *cfg, int *err);
void as_pub_destroy(as_pub_t **self_p);

/* Call at the start of every run of a write transaction's function: forgets
 * events emitted by an earlier, aborted run. */
void as_pub_begin(as_pub_t *self);

/* A point to roll back to when a nested transaction is aborted. */
typedef struct as_pub_mark {
    uint64_t next_seq;
    size_t pending;
    size_t used;
} as_pub_mark_t;
as_pub_mark_t as_pub_mark(const as_pub_t *self);
void as_pub_rollback(as_pub_t *self, as_pub_mark_t mark);

/* Appends one event to the outbox in `txn` and queues it for sending after
 * commit. *seq_out (may be NULL) gets its seq. Returns 0, AS_EINVALID for a
 * type outside this source's domain, or an LMDB code (MDB_MAP_FULL included:
 * the caller's transaction is then retried). */
int as_pub_emit(as_pub_t *self, MDB_txn *txn, const as_event_t *event, uint64_t *seq_out);

/* After the transaction committed: sends the queued events, each under the
 * topic "<site>/<type>" (envelope.h, "Topics"). */
void as_pub_committed(as_pub_t *self);

/* After the transaction was aborted for good: forgets the queued events. */
void as_pub_aborted(as_pub_t *self);

/* Sends a heartbeat with the last committed seq, under the topic
 * "<site>/<domain>.heartbeat". */
void as_pub_heartbeat(as_pub_t *self);

uint64_t as_pub_last_seq(const as_pub_t *self);
const char *as_pub_source(const as_pub_t *self);
uint64_t as_pub_send_dropped(const as_pub_t *self);

/* Answers a replay request from the outbox: events from req->from_seq on, at
 * most max_events (capped at 5,000) and about max_bytes. Returns a packed
 * ReplayResponse in *out (malloc'd, caller frees) and its length. */
int as_pub_replay(as_pub_t *self, const As__ReplayRequest *req, size_t max_bytes, void **out,
                  size_t *len);

#endif
