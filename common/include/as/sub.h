/* sub.h — the consuming side of the no-loss bus.
 *
 * Subscribes to whole sources: "<site>/<service>." for each source followed
 * (envelope.h, "Topics"; a source's sequence is only gapless across all of
 * its event types, so a consumer always takes a source's whole stream and
 * skips the types it does not handle). The site comes first, so the
 * forwarder (which passes subscriptions up to the publishers) never sends a
 * site's consumers another site's frames. Following every source of some
 * domains (sources NULL), it subscribes to every topic and drops the other
 * domains' frames itself. For every source it tracks the applied offset and:
 *   - drops duplicates (seq <= offset: replays, a second forwarder);
 *   - queues events that arrive after a gap and asks the source's service
 *     endpoint for the missing range (replay), then applies in order;
 *   - learns each source's last seq and endpoint from its heartbeats, so a
 *     lost tail is noticed within a heartbeat;
 *   - on start asks every known source for what it missed (catch-up), while
 *     already subscribed (live events wait in the queue: the Clone ordering);
 *   - follows a source restored from a backup (a new incarnation) when its
 *     lineage shows that it continues everything applied here; otherwise
 *     (it lost events applied here, or its seq went backwards) refuses it as
 *     diverged until an operator accepts its history (as_sub_accept): two
 *     histories are never silently mixed.
 *   - a source that cannot replay (its heartbeat says best_effort, or it
 *     never named a service endpoint) is best-effort: a gap in its events
 *     is skipped after best_effort_after_ms (at once when it says so), and the
 *     events never received are counted as lost and shown in status.
 *   - applies only the sources it follows (cfg->sources): events, heartbeats
 *     and replay answers of any other source that still reach it (the
 *     subscriptions keep other sites' frames away; a replay answer of a
 *     source the endpoint's service also owns) are counted per source and
 *     ignored; they never move an offset or cause a replay request;
 *   - takes a heartbeat only on its source's own topic
 *     ("<site>/<domain>.heartbeat"), an event only on "<site>/<type>",
 *     and a replay answer only for sources of the service whose endpoint it
 *     asked (under CURVE, the key that endpoint's server proved it holds).
 * Ready events are pulled by the service in batches (as_sub_take) and
 * applied in its own write transaction with the offsets (group commit).
 */
#ifndef AS_SUB_H
#define AS_SUB_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "as/envelope.h"
#include "as/security.h"
#include "as/store.h"

typedef struct as_sub as_sub_t;

typedef struct as_sub_config {
    char *const *connect;       /* bus XPUB endpoints (NULL-terminated) */
    char *const *domains;       /* domains taken when sources is NULL (NULL-terminated) */
    char *const *sources;       /* sources applied, "<service>@<site>" (NULL-terminated),
                                 * each subscribed to as "<site>/<service>.";
                                 * NULL: every source of `domains` (subscribed to
                                 * every topic, the other domains dropped here) */
    char *const *catchup;       /* service endpoints asked at start (NULL-terminated) */
    char *const *catchup_names; /* the service behind each of those (same length) */
    const char *self_source;    /* this daemon's own source: its events are ignored */
    int rcvhwm;                 /* 0: 2,000 */
    size_t max_frame;           /* 0: 1 MiB; bigger event frames are counted and skipped */
    int replay_timeout_ms;      /* 0: 3,000 */
    int best_effort_after_ms;   /* a gap in a source that never named a service
                                 * endpoint is skipped after this; 0: 10,000
                                 * (ten heartbeats a full source would have sent) */
    size_t pending_max;         /* per source; 0: 10,000 */
    size_t max_batch;           /* events per transaction; 0: every one waiting
                                 * (1 gives one commit per event: for benchmarks) */
    as_security_t *security;    /* may be NULL */
    const char *bus_identity;   /* CURVE identity of the bus (default "bus") */
} as_sub_config_t;

typedef struct as_sub_counters {
    uint64_t applied;         /* events committed (skipped ones included) */
    uint64_t rejected_events; /* refused by the service's handler: skipped */
    uint64_t duplicates;      /* dropped as already applied */
    uint64_t rejected_frames; /* malformed, oversized or invalid frames */
    uint64_t gaps;            /* times a gap was noticed */
    uint64_t replays_sent;    /* replay requests sent */
    uint64_t replay_events;   /* events received through replay */
    uint64_t diverged_events; /* refused: the source's incarnation changed */
    uint64_t pending_dropped; /* queue overflow: fetched again by replay */
    uint64_t lost;            /* skipped over gaps of best-effort sources */
    uint64_t unfollowed;      /* events and heartbeats of sources not followed: ignored */
    uint64_t forged;          /* replayed events or answers claiming a source their
                               * sender does not own (counted in rejected_frames too) */
} as_sub_counters_t;

/* `ready(arg)` is called (on the loop) when a turn is due: events wait to be
 * applied, or a source's record changed (a divergence, events lost). The
 * caller then runs one write transaction (a turn) with the pull interface
 * below; the sub never calls into the caller's turn. */
as_sub_t *as_sub_new(void *zctx, uv_loop_t *loop, as_store_t *store, const as_sub_config_t *cfg,
                     void (*ready)(void *arg), void *arg, int *err);
void as_sub_destroy(as_sub_t **self_p);

/* Number of events waiting to be applied. */
size_t as_sub_batch_size(const as_sub_t *self);

/* True when a turn is due: events wait, or a source's record must be written. */
bool as_sub_turn_due(const as_sub_t *self);

/* One event of a turn. `env` is owned by the sub until as_sub_committed or
 * as_sub_aborted; `source` is the sub's own. */
typedef struct as_sub_event {
    As__Envelope *env;
    bool skipped;                 /* refused in an earlier run of this turn: not applied again */
    bool in_arena;                /* decoded into the sub's per-batch arena */
    struct as_sub_source *source; /* the source it came from (the sub's) */
} as_sub_event_t;

/* The events of one turn (at most max_batch), in the order they must be
 * applied. Valid until as_sub_committed / as_sub_aborted, which must come
 * before the loop runs again. */
typedef struct as_sub_batch {
    as_sub_event_t *events;
    size_t n;
} as_sub_batch_t;

/* Fills `batch` with the turn's events (n may be 0 when only records are due).
 * Taking again before commit or abort gives the same events. */
void as_sub_take(as_sub_t *self, as_sub_batch_t *batch);

/* The caller's handler refused event `i`: it is skipped (never applied again,
 * its offset still advances) and counted. The caller aborts the transaction
 * and runs the turn again (the handler may have written). */
void as_sub_skip(as_sub_t *self, as_sub_batch_t *batch, size_t i);

/* Writes in `txn` the offset record of every source with an event in `batch`
 * (at its last one), and every record that changed outside a turn
 * (divergence, lost counts): the sub writes the store in no transaction of
 * its own. Returns 0 or an LMDB code. */
int as_sub_write_offsets(as_sub_t *self, MDB_txn *txn, const as_sub_batch_t *batch);

/* The turn's transaction committed: the offsets advance, an accept written
 * in it takes effect (as_sub_accept) and the events are freed. */
void as_sub_committed(as_sub_t *self, const as_sub_batch_t *batch);

/* The turn's transaction failed for good: nothing advances; the events of
 * every waiting batch are dropped and fetched again by replay, so a later
 * take gives them again; records still due are written by a later turn; an
 * accept written in it is forgotten (the source stays diverged). */
void as_sub_aborted(as_sub_t *self, const as_sub_batch_t *batch);

const as_sub_counters_t *as_sub_counters(const as_sub_t *self);

/* Per-source state, for status: fn gets each source's offset record with
 * the live fields (known last seq, replays, diverged and where the new
 * history forks) filled in; its strings are borrowed for the call. */
typedef void (*as_sub_source_fn)(const As__SourceOffset *off, void *arg);
void as_sub_each_source(const as_sub_t *self, as_sub_source_fn fn, void *arg);

/* Sources not followed whose events or heartbeats came (at most
 * AS_SUB_UNFOLLOWED_MAX are named; the rest only count in the counters):
 * fn gets each one's name, and how many of its events and heartbeats were
 * ignored since start. */
#define AS_SUB_UNFOLLOWED_MAX 32
typedef void (*as_sub_unfollowed_fn)(const char *source, uint64_t events, uint64_t heartbeats,
                                     void *arg);
void as_sub_each_unfollowed(const as_sub_t *self, as_sub_unfollowed_fn fn, void *arg);

/* Whether `source`'s new history can be accepted (as_sub_accept) with
 * `incarnation`, and if not why: a refusal words each case in its own format.
 * For AS_SUB_ACCEPT_OTHER_INCARNATION, *fork_incarnation (when not NULL) is
 * the incarnation it diverged to (borrowed, valid until the sub changes). */
typedef enum {
    AS_SUB_ACCEPT_OK = 0,
    AS_SUB_ACCEPT_UNKNOWN,           /* this daemon follows no such source (AS_ENOTFOUND) */
    AS_SUB_ACCEPT_NOT_DIVERGED,      /* nothing to accept (AS_ECONFLICT) */
    AS_SUB_ACCEPT_OTHER_INCARNATION, /* it diverged to another one (AS_ECONFLICT) */
} as_sub_accept_check_t;
as_sub_accept_check_t as_sub_accept_check(const as_sub_t *self, const char *source,
                                          const char *incarnation, const char **fork_incarnation);

/* An operator accepts the new history of diverged `source`, whose
 * incarnation must be `incarnation` (as status showed it): writes in `txn`
 * an offset at the fork seq, recording the events applied here that the
 * source's store no longer has, and who accepted. The sub's memory moves
 * only when told the turn committed (as_sub_committed): then it follows the
 * source from the fork on; as_sub_aborted forgets the accept, and a turn run
 * again may accept again. Until then as_sub_each_source shows the source as
 * the transaction will make it (for the command's reply; its strings stay
 * valid until as_sub_committed or as_sub_aborted). Returns 0; -ENOMEM;
 * AS_ENOTFOUND or AS_ECONFLICT with a sentence for people in `why`; or an
 * LMDB code. */
int as_sub_accept(as_sub_t *self, MDB_txn *txn, const char *source, const char *incarnation,
                  const char *actor, char *why, size_t cap);

#endif
