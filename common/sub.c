/* sub.c — the consuming side of the no-loss bus. See include/as/sub.h. */
#include "as/sub.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "as/arena.h"
#include "as/error.h"
#include "as/log.h"
#include "as/loop.h"
#include "as/replay_answer.h"
#include "as/rpc.h"

#define AS_SUB_BUDGET 2000 /* messages read per turn of the loop */
/* A catch-up asks for answers of 2,500 events, two in flight: the source
 * reads and sends the next while this daemon applies one. An answer is read
 * in place (replay_answer.h): its events are decoded straight from the
 * received message into the batch's arena, without protobuf-c's copy of
 * each packed envelope (and the strings decoded pack without padding,
 * arena.h): one answer of bench events (865 KiB) leaves 1,279 KiB in the
 * arena instead of 2,431, and decodes as fast (0.45 ms).
 * Catching up 1,000,000 events (tools/bench/ab.sh, 2 x 5 runs a side,
 * load 2-10): 8.2 MiB anonymous in every run against 9.5-11.2 (median
 * 10.4) with the copy; JetStream's consumer 10.1. The seconds moved with
 * the load (1.35-4.75 against 1.35-7.34), the same at best.
 * The answer after the next is asked for only once an answer's events are
 * committed (s_peer_ask_ahead): the turn runs inside the answer's callback,
 * so asking earlier held the answer, its decoded events and two more
 * answers at once. 9 runs a side (ab.sh, load 1.5-5.8): 7.36 MiB in every
 * run against 8.2; catch-up median 1.36 s against 1.27, 45% of the LMDB
 * ceiling measured in the same run on both sides. */
#define AS_REPLAY_BATCH 2500
#define AS_SUB_PIPELINE 2 /* replay requests in flight to one endpoint during a catch-up */
#define AS_DEALER_MAX_MSG (64 << 20)

typedef struct as_sub_source s_source_t;

/* A replay request in flight (sent again by the client on a time-out). */
typedef struct {
    char *source; /* NULL: a hello */
    uint64_t from;
    uint64_t applied; /* what the asking source had committed when asked */
} s_ask_t;

/* A service endpoint replays are asked from (through the one request client). */
typedef struct s_peer {
    as_sub_t *sub;
    char *endpoint;
    char *identity; /* whose key the endpoint's CURVE server holds */
    as_rpc_client_t *client;
    /* the requests in flight, oldest first (the client's order): during a
     * catch-up the next range is asked for before the last answer came */
    s_ask_t asks[AS_SUB_PIPELINE];
    size_t n_asks;
    uint64_t step; /* events the last full answer held: where the next range starts */
    struct s_peer *next;
} s_peer_t;

struct as_sub_source {
    char *name;
    char incarnation[AS_UUID_LEN + 8];
    uint64_t applied;    /* committed offset */
    uint64_t next;       /* next seq wanted (batched ones count as had) */
    uint64_t known_last; /* highest seq the source is known to have */
    s_peer_t *peer;
    bool diverged;
    bool checking; /* another incarnation was seen: its lineage is asked for */
    /* while diverged: the source's new history, the same as ours up to fork_seq */
    char fork_incarnation[AS_UUID_LEN + 8];
    uint64_t fork_seq;
    /* the last new history an operator accepted (kept in the offset record) */
    char previous_incarnation[AS_UUID_LEN + 8];
    uint64_t orphaned_from, orphaned_to;
    char accepted_by[128];
    int64_t accepted_us;
    /* an accept written in the turn's transaction: what the source becomes
     * when the turn commits (malloc'd; NULL: none). Kept whole until then,
     * so the command's reply may borrow its strings (as_sub_each_source). */
    s_source_t *accepting;
    /* a source that cannot replay: gaps are skipped after replay_timeout_ms */
    bool best_effort;
    uint64_t lost;        /* events skipped over gaps */
    int64_t gap_since_us; /* when the oldest unfilled gap was seen (0: none) */
    uint64_t replays;
    bool record_due;      /* its record changed outside a turn: the next turn writes it */
    uint64_t turn_last;   /* while writing a turn's offsets: its last seq in the turn */
    As__Envelope **queue; /* live events after a gap, ascending seq (a ring; malloc'd) */
    size_t q_head, q_count, q_cap;
    s_source_t *next_source;
};

/* A source this consumer does not follow, and what of it was ignored. */
typedef struct {
    char name[AS_NAME_MAX + 1];
    uint64_t events;
    uint64_t heartbeats;
} s_unfollowed_t;

struct as_sub {
    uv_loop_t *loop;
    void *zctx;
    void *sock;
    as_zwatch_t *watch;
    as_store_t *store;
    uv_timer_t timer;
    char *self_source;
    char own_site[AS_NAME_MAX + 1]; /* the site of self_source ("" without one) */
    char **followed;                /* sources applied; NULL: every one */
    char **all_of;                  /* followed NULL: the domains taken (subscribed
                                     * to every topic, filtered in s_sub_read) */
    s_unfollowed_t unfollowed[AS_SUB_UNFOLLOWED_MAX];
    size_t n_unfollowed;
    size_t max_frame;
    int replay_timeout_ms;
    int best_effort_after_ms;
    size_t pending_max;
    as_security_t *security;
    s_source_t *sources;
    s_peer_t *peers;
    as_sub_event_t *batch;
    size_t n_batch, cap_batch;
    size_t max_batch;          /* events per transaction (0: all that wait) */
    bool records_due;          /* some source's record must be written by a turn */
    as_arena_t *arena;         /* what was decoded since the batch was last empty */
    as_replay_answer_t answer; /* the replay answer being handled (its buffers reused) */
    void (*ready)(void *arg);
    void *ready_arg;
    as_sub_counters_t counters;
};

static void s_request_replay(as_sub_t *self, s_source_t *src);
static void s_queue_clear(as_sub_t *self, s_source_t *src);
static void s_batch_drop(as_sub_t *self, size_t n);

/* --- sources ----------------------------------------------------------- */

static bool s_follows(const as_sub_t *self, const char *source)
{
    if (!self->followed)
        return true;
    for (char **f = self->followed; *f; f++)
        if (strcmp(*f, source) == 0)
            return true;
    return false;
}

/* Counts an event or heartbeat of a source not followed, and says so in the
 * log the 1st, 2nd, 4th, 8th... time for that source. */
static void s_ignore(as_sub_t *self, const char *source, bool heartbeat)
{
    self->counters.unfollowed++;
    s_unfollowed_t *u = NULL;
    for (size_t i = 0; i < self->n_unfollowed && !u; i++)
        if (strcmp(self->unfollowed[i].name, source) == 0)
            u = &self->unfollowed[i];
    if (!u && self->n_unfollowed < AS_SUB_UNFOLLOWED_MAX) {
        u = &self->unfollowed[self->n_unfollowed++];
        snprintf(u->name, sizeof u->name, "%s", source);
    }
    uint64_t count = self->counters.unfollowed;
    if (u) {
        if (heartbeat)
            u->heartbeats++;
        else
            u->events++;
        count = u->events + u->heartbeats;
    }
    if ((count & (count - 1)) == 0)
        as_warn("ignored %s of source '%s': this daemon does not follow it (%llu so far)",
                heartbeat ? "a heartbeat" : "an event", source, (unsigned long long)count);
}

/* The CURVE identity that owns `name` (a source or a service): the service's
 * name for this site's sources ("workshop" owns workshop@<own site>), the
 * whole source for another site's ("workshop@site-b"). */
static void s_owner_of(const as_sub_t *self, const char *name, char *out, size_t cap)
{
    const char *at = strchr(name, '@');
    bool other_site = at && self->own_site[0] && strcmp(at + 1, self->own_site) != 0;
    if (other_site || !as_domain_of(name, out, cap))
        snprintf(out, cap, "%s", name);
}

static s_source_t *s_source_find(as_sub_t *self, const char *name)
{
    for (s_source_t *s = self->sources; s; s = s->next_source)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static s_source_t *s_source_add(as_sub_t *self, const char *name)
{
    s_source_t *src = calloc(1, sizeof *src);
    if (!src || !(src->name = strdup(name))) {
        free(src);
        return NULL;
    }
    src->next = 1;
    src->next_source = self->sources;
    self->sources = src;
    return src;
}

static void s_source_free(s_source_t *src)
{
    for (size_t i = 0; i < src->q_count; i++)
        as__envelope__free_unpacked(src->queue[(src->q_head + i) % src->q_cap], NULL);
    free(src->queue);
    free(src->accepting);
    free(src->name);
    free(src);
}

/* Checks the incarnation of what a source sends; adopts it the first time.
 * Returns false when the source is diverged, or when it sends another
 * incarnation: whether that one continues the history applied here only the
 * source's lineage can tell, so it is asked for (see s_lineage_check) and
 * what the source sent meanwhile comes again by replay. */
static bool s_same_incarnation(as_sub_t *self, s_source_t *src, const char *incarnation)
{
    if (src->diverged)
        return false;
    if (!incarnation || !*incarnation)
        return true;
    if (!src->incarnation[0]) {
        snprintf(src->incarnation, sizeof src->incarnation, "%s", incarnation);
        return true;
    }
    if (strcmp(src->incarnation, incarnation) == 0)
        return true;
    if (!src->checking)
        as_warn("source '%s' now sends incarnation %s (was %s): its store was restored or "
                "replaced; asking it how its history continues ours",
                src->name, incarnation, src->incarnation);
    src->checking = true;
    s_request_replay(self, src);
    return false;
}

/* Marks `src` diverged: its history from fork_seq + 1 on is not the one
 * applied here. Its events are refused until an operator accepts. */
static void s_record_due(as_sub_t *self, s_source_t *src)
{
    src->record_due = true;
    self->records_due = true;
}

static void s_diverge(as_sub_t *self, s_source_t *src, const char *incarnation, uint64_t fork_seq,
                      uint64_t had)
{
    src->diverged = true;
    src->checking = false;
    snprintf(src->fork_incarnation, sizeof src->fork_incarnation, "%s", incarnation);
    src->fork_seq = fork_seq;
    /* kept with the offset by the next turn, so a restart shows it */
    s_record_due(self, src);
    as_error("source '%s' (incarnation %s) shares only seq 1..%llu with the history applied "
             "here, which went on to seq %llu: %llu events applied here are not in its store. "
             "Its events are refused until an operator accepts its history "
             "(asctl source accept SERVICE %s)",
             src->name, incarnation, (unsigned long long)fork_seq, (unsigned long long)had,
             (unsigned long long)(had - fork_seq), src->name);
}

/* A replay answer from another incarnation than ours: follow it when its
 * lineage shows that it continues our history past everything applied (or
 * batched) here, else diverge. Returns true when the source is followed. */
static bool s_lineage_check(as_sub_t *self, s_source_t *src, const As__ReplayResponse *resp)
{
    uint64_t shared = UINT64_MAX;
    bool found = false;
    for (size_t i = 0; i < resp->n_lineage && !found; i++) {
        const As__Ancestor *a = resp->lineage[i];
        if (a->fork_seq < shared)
            shared = a->fork_seq;
        found = a->incarnation && strcmp(a->incarnation, src->incarnation) == 0;
    }
    if (!found)
        shared = 0; /* a store made anew: nothing in common */
    uint64_t had = src->next - 1;
    if (had > shared) {
        s_diverge(self, src, resp->incarnation, shared, had);
        return false;
    }
    as_info("source '%s' was restored: incarnation %s continues %s up to seq %llu, and seq %llu "
            "was applied here; following it",
            src->name, resp->incarnation, src->incarnation, (unsigned long long)shared,
            (unsigned long long)had);
    snprintf(src->incarnation, sizeof src->incarnation, "%s", resp->incarnation);
    src->checking = false;
    /* live events of the old history past the fork are not in its store now */
    s_queue_clear(self, src);
    if (src->known_last > resp->last_seq)
        src->known_last = resp->last_seq;
    return true;
}

/* --- the batch --------------------------------------------------------- */

/* Frees an envelope of the batch or the queue. One decoded in the arena is
 * dropped with it (as_arena_reset): protobuf-c's free would only walk its
 * fields to free each into the arena, which does nothing. */
static void s_env_free(as_sub_t *self, As__Envelope *env, bool in_arena)
{
    (void)self;
    if (!in_arena)
        as__envelope__free_unpacked(env, NULL);
}

/* A malloc'd copy of an envelope decoded in the arena, for the queue (which
 * outlives batches). NULL when out of memory. */
static As__Envelope *s_env_to_heap(As__Envelope *env)
{
    size_t len = as__envelope__get_packed_size(env);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return NULL;
    as__envelope__pack(env, buf);
    As__Envelope *copy = as__envelope__unpack(NULL, len, buf);
    free(buf);
    return copy;
}

static int s_batch_push(as_sub_t *self, s_source_t *src, As__Envelope *env, bool in_arena)
{
    if (self->n_batch == self->cap_batch) {
        size_t cap = self->cap_batch ? self->cap_batch * 2 : 1024;
        as_sub_event_t *b = realloc(self->batch, cap * sizeof *b);
        if (!b)
            return -ENOMEM;
        self->batch = b;
        self->cap_batch = cap;
    }
    self->batch[self->n_batch++] =
        (as_sub_event_t){.env = env, .in_arena = in_arena, .source = src};
    src->next = env->seq + 1;
    if (env->seq > src->known_last)
        src->known_last = env->seq;
    return 0;
}

/* Moves queued live events that are now next in line into the batch. */
static void s_drain_queue(as_sub_t *self, s_source_t *src)
{
    while (src->q_count > 0) {
        As__Envelope *env = src->queue[src->q_head];
        if (env->seq > src->next)
            return;
        src->q_head = (src->q_head + 1) % src->q_cap;
        src->q_count--;
        if (env->seq < src->next || s_batch_push(self, src, env, false) != 0) {
            self->counters.duplicates++;
            as__envelope__free_unpacked(env, NULL);
        }
    }
}

/* Queues a live event decoded in the arena (a copy: the queue outlives it),
 * copied only once it is known to fit and not to be a duplicate. */
static void s_queue_push(as_sub_t *self, s_source_t *src, As__Envelope *arena_env)
{
    if (src->q_count > 0) {
        As__Envelope *last = src->queue[(src->q_head + src->q_count - 1) % src->q_cap];
        if (arena_env->seq <= last->seq) { /* a duplicate of a queued one */
            self->counters.duplicates++;
            return;
        }
    }
    if (src->q_count == src->q_cap) {
        /* grow up to pending_max exactly: a doubling past it must not drop */
        size_t cap = src->q_cap ? src->q_cap * 2 : 256;
        if (cap > self->pending_max)
            cap = self->pending_max;
        if (src->q_count >= self->pending_max) {
            self->counters.pending_dropped++;
            return;
        }
        As__Envelope **q = malloc(cap * sizeof *q);
        if (!q) {
            self->counters.pending_dropped++;
            return;
        }
        for (size_t i = 0; i < src->q_count; i++)
            q[i] = src->queue[(src->q_head + i) % src->q_cap];
        free(src->queue);
        src->queue = q;
        src->q_head = 0;
        src->q_cap = cap;
    }
    As__Envelope *env = s_env_to_heap(arena_env);
    if (!env) {
        self->counters.pending_dropped++;
        return;
    }
    src->queue[(src->q_head + src->q_count) % src->q_cap] = env;
    src->q_count++;
}

static void s_queue_clear(as_sub_t *self, s_source_t *src)
{
    (void)self;
    for (size_t i = 0; i < src->q_count; i++)
        as__envelope__free_unpacked(src->queue[(src->q_head + i) % src->q_cap], NULL);
    src->q_head = src->q_count = 0;
}

/* A best-effort source cannot fill a gap: what is missing before the first
 * queued event is lost. Counts it and goes on from there. */
static void s_skip_gap(as_sub_t *self, s_source_t *src)
{
    if (src->q_count == 0)
        return;
    uint64_t first = src->queue[src->q_head]->seq;
    if (first > src->next) {
        uint64_t missing = first - src->next;
        src->lost += missing;
        self->counters.lost += missing;
        s_record_due(self, src);
        as_warn("source '%s' is best-effort (it cannot replay): seq %llu..%llu never arrived and "
                "are lost",
                src->name, (unsigned long long)src->next, (unsigned long long)first - 1);
        src->next = first;
    }
    src->gap_since_us = 0;
    s_drain_queue(self, src);
}

/* Decides what to do with one event decoded in the arena; takes ownership of env. */
static void s_classify(as_sub_t *self, s_source_t *src, As__Envelope *env, bool from_replay)
{
    /* a replay answer's incarnation and lineage were checked for the whole
     * answer: a restored store replays the backup's events as they were
     * published, under the incarnation they had then */
    if (!from_replay && !s_same_incarnation(self, src, env->incarnation)) {
        if (src->diverged)
            self->counters.diverged_events++;
        s_env_free(self, env, true);
        return;
    }
    if (env->seq > src->known_last)
        src->known_last = env->seq;
    if (env->seq < src->next) {
        self->counters.duplicates++;
        s_env_free(self, env, true);
        return;
    }
    if (env->seq == src->next) {
        if (s_batch_push(self, src, env, true) != 0) {
            s_env_free(self, env, true); /* fetched again by replay */
            return;
        }
        s_drain_queue(self, src);
        return;
    }
    /* a gap: keep the live event for later and ask for the missing range */
    if (from_replay) {
        s_env_free(self, env, true);
    } else {
        if (src->q_count == 0) {
            self->counters.gaps++;
            src->gap_since_us = as_now_us();
        }
        s_queue_push(self, src, env);
    }
    if (src->best_effort)
        s_skip_gap(self, src);
    else
        s_request_replay(self, src);
}

/* After the loop read something: asks for a turn when one is due; drops
 * what was decoded and not kept when the batch is empty. */
static void s_after_read(as_sub_t *self)
{
    if (self->n_batch == 0)
        as_arena_reset(self->arena);
    if (as_sub_turn_due(self))
        self->ready(self->ready_arg);
}

/* --- replay clients ---------------------------------------------------- */

static void s_peer_answer(as_rpc_client_t *client, int status, const void *body, size_t len,
                          void *arg);

static void s_peer_free(s_peer_t *peer)
{
    as_rpc_client_destroy(&peer->client);
    for (size_t i = 0; i < peer->n_asks; i++)
        free(peer->asks[i].source);
    free(peer->endpoint);
    free(peer->identity);
    free(peer);
}

/* Finds or connects the replay client of `endpoint`. `name` is a source or a
 * service name; its owner (s_owner_of) names the key of the endpoint's CURVE
 * server. */
static s_peer_t *s_peer_get(as_sub_t *self, const char *endpoint, const char *name)
{
    for (s_peer_t *p = self->peers; p; p = p->next)
        if (strcmp(p->endpoint, endpoint) == 0)
            return p;
    s_peer_t *peer = calloc(1, sizeof *peer);
    char identity[AS_NAME_MAX + 1];
    s_owner_of(self, name, identity, sizeof identity);
    if (!peer || !(peer->endpoint = strdup(endpoint)) || !(peer->identity = strdup(identity))) {
        if (peer)
            s_peer_free(peer);
        return NULL;
    }
    peer->sub = self;
    int rc = 0;
    if (!(peer->client =
              as_rpc_client_new(self->zctx, endpoint, self->security, peer->identity, &rc)) ||
        as_rpc_client_watch(peer->client, self->loop, AS_DEALER_MAX_MSG, s_peer_answer, peer) !=
            0) {
        as_warn("cannot connect to service endpoint '%s'", endpoint);
        s_peer_free(peer);
        return NULL;
    }
    peer->next = self->peers;
    self->peers = peer;
    return peer;
}

/* Sends ask `a` behind the ones in flight. Returns true when it went. */
static bool s_peer_send(s_peer_t *peer, const char *source, uint64_t from)
{
    As__ReplayRequest req = AS__REPLAY_REQUEST__INIT;
    req.source = (char *)source;
    req.has_from_seq = 1;
    req.from_seq = from;
    req.has_max_events = 1;
    req.max_events = AS_REPLAY_BATCH;
    unsigned char body[512];
    size_t len = as__replay_request__get_packed_size(&req);
    if (len > sizeof body || peer->n_asks == AS_SUB_PIPELINE)
        return false;
    s_ask_t ask = {.from = from};
    if (source && !(ask.source = strdup(source)))
        return false;
    if (source) {
        s_source_t *src = s_source_find(peer->sub, source);
        ask.applied = src ? src->applied : 0;
    }
    as__replay_request__pack(&req, body);
    if (as_rpc_client_send_next(peer->client, "replay", body, len, peer->sub->replay_timeout_ms) !=
        0) {
        free(ask.source);
        return false;
    }
    peer->asks[peer->n_asks++] = ask;
    peer->sub->counters.replays_sent++;
    return true;
}

/* The oldest request was answered: *ask gets it (the caller frees its source). */
static void s_peer_pop(s_peer_t *peer, s_ask_t *ask)
{
    *ask = (s_ask_t){0};
    if (peer->n_asks == 0)
        return;
    *ask = peer->asks[0];
    peer->n_asks--;
    memmove(peer->asks, peer->asks + 1, peer->n_asks * sizeof *peer->asks);
}

/* Asks `peer` for `source` from `from` on (source NULL: a hello that only
 * learns who is there and how far it is), when nothing is in flight. */
static void s_peer_ask(s_peer_t *peer, const char *source, uint64_t from)
{
    if (as_rpc_client_busy(peer->client))
        return;
    s_peer_send(peer, source, from);
}

/* A catch-up in flight for `src`: asks for the ranges after the ones asked,
 * up to AS_SUB_PIPELINE requests, while the source is known to have them.
 * The endpoint answers one connection's requests in order, so the answers
 * come in seq order. Only while the oldest request in flight starts at
 * src->next: after an answer shorter than the step (capped by bytes) the
 * range asked next starts too far, comes as a gap and is dropped, and the
 * pipeline starts again from src->next once it has drained. */
static void s_peer_ask_ahead(s_peer_t *peer, s_source_t *src)
{
    /* not while applied events wait for their commit: the next answer is
     * asked for once the last one is committed (as_sub_committed), so that
     * at most one answer waits in ZeroMQ's queue while one is applied */
    if (peer->sub->n_batch > 0 || peer->n_asks == 0 || !peer->asks[0].source ||
        strcmp(peer->asks[0].source, src->name) || peer->asks[0].from != src->next ||
        peer->step == 0)
        return;
    while (peer->n_asks < AS_SUB_PIPELINE) {
        const s_ask_t *last = &peer->asks[peer->n_asks - 1];
        if (!last->source || strcmp(last->source, src->name) != 0)
            return;
        uint64_t from = last->from + peer->step;
        if (from > src->known_last || !s_peer_send(peer, src->name, from))
            return;
    }
}

/* Asks the source for what follows src->next. Any answer also carries the
 * source's incarnation and lineage, which is how a new incarnation is
 * checked (src->checking). Without an endpoint yet, its next heartbeat or
 * the timer asks. */
static void s_request_replay(as_sub_t *self, s_source_t *src)
{
    (void)self;
    if (!src->peer || src->diverged || as_rpc_client_busy(src->peer->client))
        return;
    src->replays++;
    s_peer_ask(src->peer, src->name, src->next);
    s_peer_ask_ahead(src->peer, src);
}

/* Handles a replay answer read in place: `answer->head` its fields but the
 * events, `answer->events` slices of the received message, each decoded
 * from there into the batch's arena (protobuf-c copies every string and
 * bytes field it unpacks: nothing decoded points into the message). */
static void s_handle_replay(as_sub_t *self, s_peer_t *peer, const s_ask_t *ask,
                            const as_replay_answer_t *answer)
{
    const As__ReplayResponse *resp = answer->head;
    size_t n_events = answer->n_events;
    if (resp->error) {
        as_warn("replay from '%s' refused: %s", peer->endpoint, resp->error);
        return;
    }
    if (!as_source_valid(resp->source))
        return;
    if (self->self_source && strcmp(resp->source, self->self_source) == 0)
        return;
    /* an endpoint answers only for its own service's source: under CURVE its
     * server proved it holds that key */
    char owner[AS_NAME_MAX + 1];
    s_owner_of(self, resp->source, owner, sizeof owner);
    if (strcmp(owner, peer->identity) != 0) {
        self->counters.rejected_frames++;
        self->counters.forged += n_events ? n_events : 1;
        as_warn("replay answer from '%s' (service '%s') claims source '%s': refused",
                peer->endpoint, peer->identity, resp->source);
        return;
    }
    if (!s_follows(self, resp->source)) {
        self->counters.unfollowed++;
        as_debug("replay answer of source '%s', not followed here: ignored", resp->source);
        return;
    }
    s_source_t *src = s_source_find(self, resp->source);
    if (!src && !(src = s_source_add(self, resp->source)))
        return;
    src->peer = peer;
    if (src->diverged)
        return;
    bool other = resp->incarnation && *resp->incarnation && src->incarnation[0] &&
                 strcmp(src->incarnation, resp->incarnation) != 0;
    if (other ? !s_lineage_check(self, src, resp)
              : !s_same_incarnation(self, src, resp->incarnation))
        return;
    if (resp->last_seq > src->known_last)
        src->known_last = resp->last_seq;
    /* everything applied before the request was committed at the source
     * before the request left, so an answer below that means its store went
     * back (restored by copying files, not with `asctl restore`) */
    uint64_t applied_when_asked =
        ask->source && strcmp(ask->source, src->name) == 0 ? ask->applied : 0;
    if (resp->last_seq < applied_when_asked) {
        as_error("source '%s' is at seq %llu but %llu were applied here: its store went back "
                 "without a new incarnation (files copied back?)",
                 src->name, (unsigned long long)resp->last_seq,
                 (unsigned long long)applied_when_asked);
        s_diverge(self, src, src->incarnation, resp->last_seq, applied_when_asked);
        return;
    }
    for (size_t i = 0; i < n_events; i++) {
        int err = 0;
        As__Envelope *env =
            as_envelope_decode_in(as_arena_allocator(self->arena), answer->events[i].data,
                                  answer->events[i].len, NULL, 0, &err);
        if (!env || strcmp(env->source, src->name) != 0) {
            self->counters.rejected_frames++;
            self->counters.forged += env != NULL;
            if (env)
                s_env_free(self, env, true);
            continue;
        }
        self->counters.replay_events++;
        s_classify(self, src, env, true);
    }
    /* an answer that stopped before the source's last seq was capped (by
     * events or bytes): the next one will hold as many */
    if (ask->source && strcmp(ask->source, src->name) == 0 && n_events > 0 &&
        ask->from + n_events <= resp->last_seq)
        peer->step = n_events;
    if (src->known_last >= src->next)
        s_request_replay(self, src);
    s_peer_ask_ahead(peer, src);
}

static void s_peer_answer(as_rpc_client_t *client, int status, const void *body, size_t len,
                          void *arg)
{
    (void)client;
    s_peer_t *peer = arg;
    as_sub_t *self = peer->sub;
    s_ask_t ask = {0};
    if (status == 0 || status == AS_EBADFRAME) /* the client took it as the answer */
        s_peer_pop(peer, &ask);
    /* read in place: the events are decoded straight from the message
     * (valid during this call only) into the batch's arena, where they live
     * until the batch commits; the answer's other fields are freed here */
    as_wire_fault_t fault = AS_WIRE_OK;
    int rc = status == 0 ? as_replay_answer_read(&self->answer, body, len, &fault) : status;
    if (rc == 0) {
        s_handle_replay(self, peer, &ask, &self->answer);
    } else {
        self->counters.rejected_frames++;
        if (rc == AS_EBADFRAME && fault != AS_WIRE_OK)
            as_debug("replay answer from '%s' refused: %s", peer->endpoint,
                     as_wire_fault_name(fault));
    }
    as_replay_answer_release(&self->answer);
    free(ask.source);
    s_after_read(self);
}

/* --- live events and heartbeats --------------------------------------- */

/* True when `topic` is `source`'s own heartbeat topic
 * ("<site>/<domain>.heartbeat"): a heartbeat travels on its source's topic. */
static bool s_heartbeat_topic_matches(const char *source, const char *topic, size_t topic_len)
{
    char rest[AS_NAME_MAX + sizeof AS_HEARTBEAT_SUFFIX];
    size_t len = as_domain_of(source, rest, AS_NAME_MAX + 1);
    if (len == 0)
        return false;
    memcpy(rest + len, AS_HEARTBEAT_SUFFIX, sizeof AS_HEARTBEAT_SUFFIX);
    return as_topic_is(topic, topic_len, source, rest);
}

/* Following every source of some domains, the sub is subscribed to every
 * topic (the site comes first: no prefix names a domain of every site), so
 * a frame of another domain is dropped here, as the forwarder would have. */
static bool s_domain_taken(const as_sub_t *self, const char *topic, size_t topic_len)
{
    as_topic_parts_t parts;
    if (!self->all_of || !as_topic_split(topic, topic_len, &parts))
        return true; /* a malformed topic is counted by the decoder */
    for (char **d = self->all_of; *d; d++) {
        size_t n = strlen(*d);
        if (parts.rest_len > n && parts.rest[n] == '.' && memcmp(parts.rest, *d, n) == 0)
            return true;
    }
    return false;
}

static void s_handle_heartbeat(as_sub_t *self, const char *topic, size_t topic_len,
                               const void *data, size_t len)
{
    As__Heartbeat *hb = as__heartbeat__unpack(NULL, len, data);
    if (!hb || !as_source_valid(hb->source) ||
        !s_heartbeat_topic_matches(hb->source, topic, topic_len)) {
        self->counters.rejected_frames++;
        goto done;
    }
    if (self->self_source && strcmp(hb->source, self->self_source) == 0)
        goto done;
    if (!s_follows(self, hb->source)) {
        s_ignore(self, hb->source, true);
        goto done;
    }
    s_source_t *src = s_source_find(self, hb->source);
    if (!src && !(src = s_source_add(self, hb->source)))
        goto done;
    if (hb->endpoint && *hb->endpoint && (!src->peer || strcmp(src->peer->endpoint, hb->endpoint)))
        src->peer = s_peer_get(self, hb->endpoint, hb->source);
    if (!s_same_incarnation(self, src, hb->incarnation))
        goto done;
    /* a source says whether it can replay; one that names an endpoint and
     * does not say it cannot is a full peer again */
    bool best_effort = (hb->has_best_effort && hb->best_effort) || !src->peer;
    if (best_effort != src->best_effort)
        as_info("source '%s' is %s", src->name,
                best_effort ? "best-effort: it cannot replay, so a gap in its events is lost"
                            : "a full peer: gaps in its events are replayed");
    src->best_effort = best_effort;
    if (best_effort)
        s_skip_gap(self, src);
    /* a heartbeat can be older than events replayed since (it waited in the
     * bus's queue), so a last_seq below ours proves nothing: only a replay
     * answer can tell that a source went back (see s_handle_replay) */
    if (hb->last_seq > src->known_last)
        src->known_last = hb->last_seq;
    if (src->known_last >= src->next)
        s_request_replay(self, src);
done:
    if (hb)
        as__heartbeat__free_unpacked(hb, NULL);
}

static void s_handle_event(as_sub_t *self, const zmq_msg_t *topic, const zmq_msg_t *body)
{
    if (zmq_msg_size(body) > self->max_frame) {
        self->counters.rejected_frames++;
        as_warn("event frame of %zu bytes exceeds the %zu-byte limit: skipped", zmq_msg_size(body),
                self->max_frame);
        return;
    }
    int err = 0;
    As__Envelope *env = as_envelope_decode_in(
        as_arena_allocator(self->arena), zmq_msg_data((zmq_msg_t *)body), zmq_msg_size(body),
        zmq_msg_data((zmq_msg_t *)topic), zmq_msg_size(topic), &err);
    if (!env) {
        self->counters.rejected_frames++;
        return;
    }
    if (self->self_source && strcmp(env->source, self->self_source) == 0) {
        s_env_free(self, env, true);
        return;
    }
    if (!s_follows(self, env->source)) {
        s_ignore(self, env->source, false);
        s_env_free(self, env, true);
        return;
    }
    s_source_t *src = s_source_find(self, env->source);
    if (!src && !(src = s_source_add(self, env->source))) {
        s_env_free(self, env, true);
        return;
    }
    s_classify(self, src, env, false);
}

static void s_sub_read(as_zwatch_t *watch, void *zsock, void *arg)
{
    (void)watch;
    as_sub_t *self = arg;
    for (int i = 0; i < AS_SUB_BUDGET; i++) {
        zmq_msg_t frames[2];
        zmq_msg_init(&frames[0]);
        zmq_msg_init(&frames[1]);
        size_t n = 0;
        int rc = as_zrecv_frames(zsock, frames, 2, &n);
        if (rc == 0) {
            const char *topic = zmq_msg_data(&frames[0]);
            size_t tlen = zmq_msg_size(&frames[0]);
            if (n != 2 || tlen == 0 || tlen > AS_TOPIC_MAX)
                self->counters.rejected_frames++;
            else if (!s_domain_taken(self, topic, tlen))
                ; /* another domain, not asked for */
            else if (as_heartbeat_topic(topic, tlen))
                s_handle_heartbeat(self, topic, tlen, zmq_msg_data(&frames[1]),
                                   zmq_msg_size(&frames[1]));
            else
                s_handle_event(self, &frames[0], &frames[1]);
        }
        zmq_msg_close(&frames[0]);
        zmq_msg_close(&frames[1]);
        if (rc != 0)
            break;
    }
    s_after_read(self);
}

/* --- timer: replay time-outs and tails ------------------------------------ */

static void s_timer_cb(uv_timer_t *timer)
{
    as_sub_t *self = timer->data;
    int64_t now = as_now_us();
    for (s_peer_t *p = self->peers; p; p = p->next)
        if (as_rpc_client_expire(p->client, now)) /* sent again on a new socket */
            self->counters.replays_sent++;
    for (s_source_t *s = self->sources; s; s = s->next_source) {
        if (s->checking || s->known_last >= s->next)
            s_request_replay(self, s);
        /* a gap nobody can fill: a source that never named an endpoint */
        if (!s->peer && s->q_count > 0 && s->gap_since_us &&
            now - s->gap_since_us >= (int64_t)self->best_effort_after_ms * 1000) {
            if (!s->best_effort)
                as_warn("source '%s' named no service endpoint to replay from: best-effort",
                        s->name);
            s->best_effort = true;
            s_skip_gap(self, s);
        }
    }
    s_after_read(self);
}

/* --- life cycle -------------------------------------------------------- */

static int s_load_offset(const As__SourceOffset *off, void *arg)
{
    as_sub_t *self = arg;
    if (!off->source || !s_follows(self, off->source))
        return 0; /* no longer followed (or applied before sources were checked) */
    s_source_t *src = s_source_add(self, off->source);
    if (!src)
        return -ENOMEM;
    src->applied = off->applied_seq;
    src->next = off->applied_seq + 1;
    src->known_last = off->applied_seq;
    if (off->incarnation)
        snprintf(src->incarnation, sizeof src->incarnation, "%s", off->incarnation);
    src->diverged = off->has_diverged && off->diverged;
    if (src->diverged && off->fork_incarnation) {
        snprintf(src->fork_incarnation, sizeof src->fork_incarnation, "%s", off->fork_incarnation);
        src->fork_seq = off->fork_seq;
    }
    if (off->previous_incarnation)
        snprintf(src->previous_incarnation, sizeof src->previous_incarnation, "%s",
                 off->previous_incarnation);
    src->orphaned_from = off->orphaned_from_seq;
    src->orphaned_to = off->orphaned_to_seq;
    if (off->accepted_by)
        snprintf(src->accepted_by, sizeof src->accepted_by, "%s", off->accepted_by);
    src->accepted_us = off->accepted_us;
    src->best_effort = off->best_effort;
    src->lost = off->lost;
    if (off->endpoint && *off->endpoint)
        src->peer = s_peer_get(self, off->endpoint, off->source);
    return 0;
}

static void s_strv_free(char ***strv_p)
{
    if (!*strv_p)
        return;
    for (char **s = *strv_p; *s; s++)
        free(*s);
    free(*strv_p);
    *strv_p = NULL;
}

/* Copies a NULL-terminated list of strings. Returns 0 or -ENOMEM. */
static int s_strv_copy(char *const *from, char ***to)
{
    size_t n = 0;
    while (from[n])
        n++;
    *to = calloc(n + 1, sizeof **to);
    if (!*to)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!((*to)[i] = strdup(from[i]))) {
            s_strv_free(to);
            return -ENOMEM;
        }
    }
    return 0;
}

static int s_load_offsets(MDB_txn *txn, void *arg)
{
    as_sub_t *self = arg;
    return as_offset_each(self->store, txn, s_load_offset, self);
}

as_sub_t *as_sub_new(void *zctx, uv_loop_t *loop, as_store_t *store, const as_sub_config_t *cfg,
                     void (*ready)(void *arg), void *arg, int *err)
{
    int rc = 0;
    as_sub_t *self = calloc(1, sizeof *self);
    if (!self) {
        rc = -ENOMEM;
        goto fail;
    }
    self->loop = loop;
    self->zctx = zctx;
    self->store = store;
    self->ready = ready;
    self->ready_arg = arg;
    self->security = cfg->security;
    self->self_source = cfg->self_source ? strdup(cfg->self_source) : NULL;
    const char *at = cfg->self_source ? strchr(cfg->self_source, '@') : NULL;
    if (at)
        snprintf(self->own_site, sizeof self->own_site, "%s", at + 1);
    if (cfg->sources && (rc = s_strv_copy(cfg->sources, &self->followed)) != 0)
        goto fail_self;
    self->max_frame = cfg->max_frame ? cfg->max_frame : (1u << 20);
    self->replay_timeout_ms = cfg->replay_timeout_ms > 0 ? cfg->replay_timeout_ms : 3000;
    self->best_effort_after_ms = cfg->best_effort_after_ms > 0 ? cfg->best_effort_after_ms : 10000;
    self->pending_max = cfg->pending_max ? cfg->pending_max : 10000;
    self->max_batch = cfg->max_batch;
    if (!(self->arena = as_arena_new(0))) {
        rc = -ENOMEM;
        goto fail_self;
    }

    /* subscribe first ... */
    self->sock = zmq_socket(zctx, ZMQ_SUB);
    if (!self->sock) {
        rc = -errno;
        goto fail_self;
    }
    /* a consumer behind by more than this leaves the rest in the bus's queue
     * (its own high-water mark), and past that to replay from the outbox:
     * its memory stays small whatever its lag */
    int hwm = cfg->rcvhwm > 0 ? cfg->rcvhwm : 2000;
    int linger = 0;
    int64_t max = 64 << 20; /* hard cap; the soft cap above counts and skips */
    zmq_setsockopt(self->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(self->sock, ZMQ_MAXMSGSIZE, &max, sizeof max);
    /* "<site>/<service>." for each source followed: the forwarder passes
     * the subscriptions up, so no other site's frame is ever sent here */
    for (size_t i = 0; cfg->sources && cfg->sources[i]; i++) {
        char prefix[AS_TOPIC_MAX + 1];
        size_t n = as_topic_source_prefix(cfg->sources[i], prefix, sizeof prefix);
        if (n == 0) {
            rc = AS_EINVALID;
            as_error("cannot follow '%s': not a source name '<service>@<site>'", cfg->sources[i]);
            goto fail_sock;
        }
        zmq_setsockopt(self->sock, ZMQ_SUBSCRIBE, prefix, n);
    }
    if (!cfg->sources && cfg->domains && cfg->domains[0]) {
        if ((rc = s_strv_copy(cfg->domains, &self->all_of)) != 0)
            goto fail_sock;
        zmq_setsockopt(self->sock, ZMQ_SUBSCRIBE, "", 0);
    }
    for (size_t i = 0; cfg->connect && cfg->connect[i]; i++) {
        if (cfg->security &&
            (rc = as_security_client(cfg->security, self->sock, cfg->connect[i],
                                     cfg->bus_identity ? cfg->bus_identity : "bus")) != 0)
            goto fail_sock;
        if (zmq_connect(self->sock, cfg->connect[i]) != 0) {
            rc = -errno;
            as_error("cannot connect subscriber to '%s': %s", cfg->connect[i], zmq_strerror(errno));
            goto fail_sock;
        }
    }
    self->watch = as_zwatch_new(loop, self->sock, s_sub_read, self);
    if (!self->watch) {
        rc = -ENOMEM;
        goto fail_sock;
    }
    /* ... then catch up: every source we know, and every configured peer */
    if ((rc = as_store_read(store, s_load_offsets, self)) != 0)
        goto fail_watch;
    for (s_source_t *s = self->sources; s; s = s->next_source)
        s_request_replay(self, s);
    for (size_t i = 0; cfg->catchup && cfg->catchup[i]; i++) {
        s_peer_t *peer = s_peer_get(self, cfg->catchup[i], cfg->catchup_names[i]);
        if (peer)
            s_peer_ask(peer, NULL, 0);
    }
    uv_timer_init(loop, &self->timer);
    self->timer.data = self;
    uv_timer_start(&self->timer, s_timer_cb, 250, 250);
    return self;

fail_watch:
    as_zwatch_destroy(&self->watch);
fail_sock:
    zmq_close(self->sock);
fail_self:
    as_arena_destroy(&self->arena);
    s_strv_free(&self->followed);
    s_strv_free(&self->all_of);
    free(self->self_source);
    free(self);
fail:
    if (err)
        *err = rc;
    return NULL;
}

static void s_free_self(uv_handle_t *handle)
{
    free(handle->data);
}

void as_sub_destroy(as_sub_t **self_p)
{
    as_sub_t *self = *self_p;
    if (!self)
        return;
    s_batch_drop(self, self->n_batch);
    as_arena_destroy(&self->arena);
    as_replay_answer_fini(&self->answer);
    as_zwatch_destroy(&self->watch);
    zmq_close(self->sock);
    while (self->peers) {
        s_peer_t *p = self->peers;
        self->peers = p->next;
        s_peer_free(p);
    }
    while (self->sources) {
        s_source_t *s = self->sources;
        self->sources = s->next_source;
        s_source_free(s);
    }
    free(self->batch);
    free(self->self_source);
    s_strv_free(&self->followed);
    s_strv_free(&self->all_of);
    uv_timer_stop(&self->timer);
    uv_close((uv_handle_t *)&self->timer, s_free_self);
    *self_p = NULL;
}

size_t as_sub_batch_size(const as_sub_t *self)
{
    return self->n_batch;
}

/* The offset record of `src` at `applied` (strings borrowed from src): what
 * a restart needs, and the last accepted new history. */
static void s_offset_record(const s_source_t *src, uint64_t applied, As__SourceOffset *off)
{
    as__source_offset__init(off);
    off->source = src->name;
    off->incarnation = (char *)src->incarnation;
    off->has_applied_seq = 1;
    off->applied_seq = applied;
    off->endpoint = src->peer ? src->peer->endpoint : "";
    if (src->accepted_us) {
        off->previous_incarnation = (char *)src->previous_incarnation;
        off->has_orphaned_from_seq = off->has_orphaned_to_seq = off->has_accepted_us = 1;
        off->orphaned_from_seq = src->orphaned_from;
        off->orphaned_to_seq = src->orphaned_to;
        off->accepted_by = (char *)src->accepted_by;
        off->accepted_us = src->accepted_us;
    }
    if (src->diverged) {
        off->has_diverged = off->has_fork_seq = 1;
        off->diverged = true;
        off->fork_incarnation = (char *)src->fork_incarnation;
        off->fork_seq = src->fork_seq;
    }
    if (src->best_effort || src->lost) {
        off->has_best_effort = off->has_lost = 1;
        off->best_effort = src->best_effort;
        off->lost = src->lost;
    }
}

bool as_sub_turn_due(const as_sub_t *self)
{
    return self->n_batch > 0 || self->records_due;
}

void as_sub_take(as_sub_t *self, as_sub_batch_t *batch)
{
    size_t n = self->n_batch;
    if (self->max_batch && n > self->max_batch)
        n = self->max_batch;
    batch->events = self->batch;
    batch->n = n;
}

void as_sub_skip(as_sub_t *self, as_sub_batch_t *batch, size_t i)
{
    if (i >= batch->n || batch->events[i].skipped)
        return;
    batch->events[i].skipped = true;
    self->counters.rejected_events++;
}

static int s_write_record(as_sub_t *self, MDB_txn *txn, const s_source_t *src, uint64_t applied)
{
    As__SourceOffset off;
    s_offset_record(src, applied, &off);
    return as_offset_put(self->store, txn, &off);
}

int as_sub_write_offsets(as_sub_t *self, MDB_txn *txn, const as_sub_batch_t *batch)
{
    /* one record per source touched, at its last event (a source's events
     * come in ascending seq), and every record due */
    for (size_t i = 0; i < batch->n; i++)
        batch->events[i].source->turn_last = batch->events[i].env->seq;
    int rc = 0;
    for (s_source_t *src = self->sources; src; src = src->next_source) {
        if (rc == 0 && (src->turn_last || src->record_due))
            rc = s_write_record(self, txn, src, src->turn_last ? src->turn_last : src->applied);
        src->turn_last = 0;
    }
    return rc;
}

/* Drops the first n events of the batch. */
static void s_batch_drop(as_sub_t *self, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s_env_free(self, self->batch[i].env, self->batch[i].in_arena);
    self->n_batch -= n;
    if (n > 0) /* batch is NULL until the first event: NULL + 0 is undefined */
        memmove(self->batch, self->batch + n, self->n_batch * sizeof *self->batch);
    if (self->n_batch == 0)
        as_arena_reset(self->arena);
}

/* What `src` becomes once the accept by `actor` at `when_us` commits: the
 * fork's history, the events applied past the fork recorded as orphaned. */
static s_source_t s_accepted(const s_source_t *src, const char *actor, int64_t when_us)
{
    s_source_t accepted = *src;
    snprintf(accepted.previous_incarnation, sizeof accepted.previous_incarnation, "%s",
             src->incarnation);
    snprintf(accepted.incarnation, sizeof accepted.incarnation, "%s", src->fork_incarnation);
    accepted.orphaned_from = src->fork_seq + 1;
    accepted.orphaned_to = src->applied;
    snprintf(accepted.accepted_by, sizeof accepted.accepted_by, "%s", actor);
    accepted.accepted_us = when_us;
    accepted.applied = accepted.known_last = src->fork_seq;
    accepted.diverged = false;
    accepted.fork_incarnation[0] = '\0';
    accepted.accepting = NULL;
    return accepted;
}

/* The accept's transaction committed: the source follows the new history. */
static void s_accept_apply(as_sub_t *self, s_source_t *src)
{
    s_source_t accepted = *src->accepting;
    free(src->accepting);
    src->accepting = NULL;
    as_warn("source '%s': %s accepted history %s from seq %llu on; seq %llu..%llu of %s were "
            "applied here and are not in the source's store",
            src->name, accepted.accepted_by, accepted.incarnation,
            (unsigned long long)src->fork_seq + 1, (unsigned long long)accepted.orphaned_from,
            (unsigned long long)accepted.orphaned_to, accepted.previous_incarnation);
    s_queue_clear(self, src);
    memcpy(src->previous_incarnation, accepted.previous_incarnation,
           sizeof src->previous_incarnation);
    memcpy(src->incarnation, accepted.incarnation, sizeof src->incarnation);
    memcpy(src->accepted_by, accepted.accepted_by, sizeof src->accepted_by);
    src->orphaned_from = accepted.orphaned_from;
    src->orphaned_to = accepted.orphaned_to;
    src->accepted_us = accepted.accepted_us;
    src->applied = src->fork_seq;
    src->next = src->fork_seq + 1;
    src->known_last = src->fork_seq;
    src->diverged = false;
    src->fork_incarnation[0] = '\0';
    s_request_replay(self, src);
}

void as_sub_committed(as_sub_t *self, const as_sub_batch_t *batch)
{
    for (s_source_t *src = self->sources; src; src = src->next_source)
        if (src->accepting)
            s_accept_apply(self, src);
    for (size_t i = 0; i < batch->n; i++)
        batch->events[i].source->applied = batch->events[i].env->seq;
    self->counters.applied += batch->n;
    for (s_source_t *src = self->sources; src; src = src->next_source)
        src->record_due = false;
    self->records_due = false;
    s_batch_drop(self, batch->n);
    for (s_source_t *src = self->sources; src; src = src->next_source)
        if (src->peer && !src->diverged)
            s_peer_ask_ahead(src->peer, src);
}

void as_sub_aborted(as_sub_t *self, const as_sub_batch_t *batch)
{
    (void)batch; /* every waiting event goes: the later ones would leave a gap */
    for (s_source_t *src = self->sources; src; src = src->next_source) {
        free(src->accepting); /* the accept was not written */
        src->accepting = NULL;
    }
    for (size_t i = 0; i < self->n_batch; i++) {
        s_source_t *src = self->batch[i].source;
        src->next = src->applied + 1; /* fetched again by replay */
    }
    s_batch_drop(self, self->n_batch);
}

const as_sub_counters_t *as_sub_counters(const as_sub_t *self)
{
    return &self->counters;
}

void as_sub_each_source(const as_sub_t *self, as_sub_source_fn fn, void *arg)
{
    for (const s_source_t *src = self->sources; src; src = src->next_source) {
        /* within the turn of an accept: what its transaction will make */
        const s_source_t *s = src->accepting ? src->accepting : src;
        As__SourceOffset off;
        s_offset_record(s, s->applied, &off);
        off.has_known_last_seq = off.has_replays = off.has_diverged = 1;
        off.known_last_seq = s->known_last;
        off.replays = s->replays;
        off.diverged = s->diverged;
        if (s->diverged) {
            off.fork_incarnation = (char *)s->fork_incarnation;
            off.has_fork_seq = 1;
            off.fork_seq = s->fork_seq;
        }
        fn(&off, arg);
    }
}

void as_sub_each_unfollowed(const as_sub_t *self, as_sub_unfollowed_fn fn, void *arg)
{
    for (size_t i = 0; i < self->n_unfollowed; i++)
        fn(self->unfollowed[i].name, self->unfollowed[i].events, self->unfollowed[i].heartbeats,
           arg);
}

as_sub_accept_check_t as_sub_accept_check(const as_sub_t *self, const char *source,
                                          const char *incarnation, const char **fork_incarnation)
{
    s_source_t *src = source ? s_source_find((as_sub_t *)self, source) : NULL;
    if (fork_incarnation)
        *fork_incarnation = src ? src->fork_incarnation : "";
    if (!src)
        return AS_SUB_ACCEPT_UNKNOWN;
    if (!src->diverged)
        return AS_SUB_ACCEPT_NOT_DIVERGED;
    if (!incarnation || strcmp(incarnation, src->fork_incarnation) != 0)
        return AS_SUB_ACCEPT_OTHER_INCARNATION;
    return AS_SUB_ACCEPT_OK;
}

int as_sub_accept(as_sub_t *self, MDB_txn *txn, const char *source, const char *incarnation,
                  const char *actor, char *why, size_t cap)
{
    const char *fork = "";
    switch (as_sub_accept_check(self, source, incarnation, &fork)) {
    case AS_SUB_ACCEPT_OK:
        break;
    case AS_SUB_ACCEPT_UNKNOWN:
        snprintf(why, cap, "this daemon follows no source '%s'", source ? source : "");
        return AS_ENOTFOUND;
    case AS_SUB_ACCEPT_NOT_DIVERGED:
        snprintf(why, cap, "source '%s' is not diverged: nothing to accept", source);
        return AS_ECONFLICT;
    case AS_SUB_ACCEPT_OTHER_INCARNATION:
        snprintf(why, cap, "source '%s' diverged to incarnation %s, not '%s'", source, fork,
                 incarnation ? incarnation : "");
        return AS_ECONFLICT;
    }
    s_source_t *src = s_source_find(self, source);
    s_source_t *accepted = malloc(sizeof *accepted);
    if (!accepted)
        return -ENOMEM;
    *accepted = s_accepted(src, actor ? actor : "", as_now_us());
    As__SourceOffset off;
    s_offset_record(accepted, accepted->applied, &off);
    int rc = as_offset_put(self->store, txn, &off);
    if (rc != 0) {
        free(accepted);
        return rc;
    }
    /* memory moves only when the turn commits (as_sub_committed); a turn run
     * again calls this again and finds the source still diverged */
    free(src->accepting);
    src->accepting = accepted;
    return 0;
}
