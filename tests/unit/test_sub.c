/* test_sub.c — the consuming side of the no-loss bus against a fake source.
 *
 * The fake source is an XPUB socket bound on ipc:// (the sub connects to it as
 * its bus; XPUB lets the test see the subscription arrive, so no event is sent
 * before it can be received) and a ROUTER the test serves by hand from an
 * in-memory outbox of packed envelopes. The sub runs on a real uv loop that the
 * test steps (UV_RUN_ONCE with a 5 ms tick) while serving the ROUTER, with a
 * real LMDB store: `ready` takes the batch (as_sub_take), applies it and
 * writes the offsets in as_store_write, then calls as_sub_committed (or
 * as_sub_aborted), as the service's turn does. Every wait has a
 * deadline, so a bug fails a test instead of hanging it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uv.h>
#include <zmq.h>

#include "as/envelope.h"
#include "as/error.h"
#include "as/loop.h"
#include "as/store.h"
#include "as/sub.h"

#define S_WAIT_MS 10000
#define S_SOURCE "demo@src"
#define S_TYPE "demo.tick.emitted"
#define S_TOPIC "src/" S_TYPE /* "<site of S_SOURCE>/<type>" (envelope.h) */
#define S_MAX_SUBS 8
#define S_INCARNATION_A "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"
#define S_INCARNATION_B "0190a1b2-c3d4-7e5f-8a6b-ffffffffffff"
#define S_MAX_EVENTS 64
#define S_MAX_LOG 256
#define S_MAX_REQS 64
/* how the fake source spoils an answer (malformed_how) */
#define S_CUT_SHORT 1        /* its last byte left out: the last event runs past the end */
#define S_EVENTS_AS_VARINT 2 /* an event (field 4) as a varint appended */

typedef struct {
    uint64_t from_seq;
    char source[64];       /* "" when the request named none */
    unsigned char id[256]; /* the requester's routing id */
    size_t id_len;
} s_request_t;

typedef struct {
    char dir[256];
    char store_dir[512];
    char pub_ep[512];
    char rpc_ep[512];
    void *zctx;
    void *xpub;
    void *router;
    uv_loop_t loop;
    uv_timer_t tick;
    as_store_t *store;
    as_sub_t *sub;
    as_sub_batch_t batch; /* the turn being run */
    /* the sub's config */
    as_sub_config_t cfg;
    char *connect[2];
    char *domains[2];
    char *catchup[2];
    char *catchup_names[2];
    /* the fake source: its outbox and how it answers */
    char incarnation[40];
    uint8_t *events[S_MAX_EVENTS + 1];
    size_t event_lens[S_MAX_EVENTS + 1];
    uint64_t source_last;
    char ancestor[40]; /* set when the fake source was restored (its lineage) */
    uint64_t ancestor_fork_seq;
    int ignore_replays;
    uint64_t answer_max;   /* events per answer at most (0: as many as asked) */
    int answer_then_hold;  /* >= 0: answers that many more requests, then holds the rest */
    size_t n_answered;     /* requests answered (reqs[0..n_answered) while holding) */
    int malformed_answers; /* the next answers with events are sent malformed */
    int malformed_how;     /* S_CUT_SHORT or S_EVENTS_AS_VARINT */
    s_request_t reqs[S_MAX_REQS];
    size_t n_reqs;
    bool subscribed;
    char subs[S_MAX_SUBS][64]; /* the subscriptions the XPUB saw, in order */
    size_t n_subs;
    /* what was applied */
    uint64_t txn_seqs[S_MAX_LOG];
    size_t txn_n;
    uint64_t applied[S_MAX_LOG];
    size_t n_applied;
    size_t commit_sizes[S_MAX_LOG];
    size_t n_commits;
    size_t failed_txns;
    size_t retries; /* as_store_write returned AS_ERETRY */
    uint64_t reject_seq;
    bool hold_turns;   /* `ready` runs no turn: the test runs them by hand */
    uint64_t fail_seq; /* fails once with -EIO */
    int double_applied;
} s_fix_t;

/* --- envelopes ---------------------------------------------------------------- */

static uint8_t *s_pack_env(const char *source, const char *incarnation, uint64_t seq,
                           const char *type, size_t payload_len, size_t *len)
{
    char id[AS_UUID_LEN + 1];
    as_uuidv7(id);
    As__Envelope env = AS__ENVELOPE__INIT;
    env.id = id;
    env.source = (char *)source;
    env.incarnation = (char *)incarnation;
    env.has_seq = 1;
    env.seq = seq;
    env.type = (char *)type;
    env.has_time_us = 1;
    env.time_us = as_now_us();
    uint8_t *payload = NULL;
    if (payload_len) {
        payload = malloc(payload_len);
        assert_non_null(payload);
        memset(payload, 'x', payload_len);
        env.has_payload = 1;
        env.payload.data = payload;
        env.payload.len = payload_len;
    }
    *len = as__envelope__get_packed_size(&env);
    uint8_t *buf = malloc(*len);
    assert_non_null(buf);
    as__envelope__pack(&env, buf);
    free(payload);
    return buf;
}

/* Puts events up to `last` in the fake source's outbox, each with a
 * payload of `payload_len` bytes. */
static void s_source_has_payload(s_fix_t *fx, uint64_t last, size_t payload_len)
{
    assert_true(last <= S_MAX_EVENTS);
    for (uint64_t seq = fx->source_last + 1; seq <= last; seq++)
        fx->events[seq] =
            s_pack_env(S_SOURCE, fx->incarnation, seq, S_TYPE, payload_len, &fx->event_lens[seq]);
    fx->source_last = last;
}

static void s_source_has(s_fix_t *fx, uint64_t last)
{
    s_source_has_payload(fx, last, 0);
}

/* The fake source's store is restored from a backup that held seq 1..fork:
 * a new incarnation whose lineage names the old one at `fork` (or, with
 * fork_known false, a store made anew: no lineage at all). */
static void s_source_restore(s_fix_t *fx, const char *incarnation, uint64_t fork, bool fork_known)
{
    for (uint64_t seq = fork + 1; seq <= fx->source_last; seq++) {
        free(fx->events[seq]);
        fx->events[seq] = NULL;
    }
    fx->source_last = fork;
    if (fork_known) {
        snprintf(fx->ancestor, sizeof fx->ancestor, "%s", fx->incarnation);
        fx->ancestor_fork_seq = fork;
    }
    snprintf(fx->incarnation, sizeof fx->incarnation, "%s", incarnation);
}

static void s_send(s_fix_t *fx, size_t n, const void *const *parts, const size_t *lens)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(zmq_send(fx->xpub, parts[i], lens[i], i + 1 < n ? ZMQ_SNDMORE : 0),
                         (int)lens[i]);
}

/* Sends the source's event `seq` live. */
static void s_live(s_fix_t *fx, uint64_t seq)
{
    assert_true(seq >= 1 && seq <= fx->source_last);
    const void *parts[] = {S_TOPIC, fx->events[seq]};
    size_t lens[] = {strlen(S_TOPIC), fx->event_lens[seq]};
    s_send(fx, 2, parts, lens);
}

/* Sends `env` (packed, of `source`) live under its topic "<site>/<type>". */
static void s_send_as(s_fix_t *fx, const char *source, const char *type, const void *env,
                      size_t len)
{
    char topic[AS_TOPIC_MAX + 1];
    assert_true(as_topic_make(source, type, topic, sizeof topic) > 0);
    s_send(fx, 2, (const void *[]){topic, env}, (size_t[]){strlen(topic), len});
}

static void s_heartbeat(s_fix_t *fx, const char *source, const char *incarnation, uint64_t last_seq,
                        const char *endpoint)
{
    As__Heartbeat hb = AS__HEARTBEAT__INIT;
    hb.source = (char *)source;
    hb.incarnation = (char *)incarnation;
    hb.has_last_seq = 1;
    hb.last_seq = last_seq;
    hb.endpoint = (char *)endpoint;
    uint8_t buf[1024];
    size_t len = as__heartbeat__get_packed_size(&hb);
    assert_true(len <= sizeof buf);
    as__heartbeat__pack(&hb, buf);
    /* on demo's heartbeat topic of the source's site */
    char topic[AS_TOPIC_MAX + 1];
    assert_true(as_topic_make(source, "demo.heartbeat", topic, sizeof topic) > 0);
    const void *parts[] = {topic, buf};
    size_t lens[] = {strlen(topic), len};
    s_send(fx, 2, parts, lens);
}

/* --- the fake source's service endpoint -------------------------------------- */

static void s_answer(s_fix_t *fx, const s_request_t *r, const As__ReplayRequest *req)
{
    As__ReplayResponse resp = AS__REPLAY_RESPONSE__INIT;
    ProtobufCBinaryData events[S_MAX_EVENTS];
    resp.source = S_SOURCE;
    resp.incarnation = fx->incarnation;
    resp.has_last_seq = 1;
    resp.last_seq = fx->source_last;
    As__Ancestor ancestor = AS__ANCESTOR__INIT;
    As__Ancestor *lineage[] = {&ancestor};
    if (fx->ancestor[0]) {
        ancestor.incarnation = fx->ancestor;
        ancestor.has_fork_seq = 1;
        ancestor.fork_seq = fx->ancestor_fork_seq;
        resp.n_lineage = 1;
        resp.lineage = lineage;
    }
    if (req->source && *req->source && strcmp(req->source, S_SOURCE) != 0) {
        resp.error = "this endpoint serves another source";
    } else if (req->from_seq >= 1) {
        uint64_t max = req->has_max_events && req->max_events ? req->max_events : 5000;
        if (fx->answer_max && max > fx->answer_max)
            max = fx->answer_max;
        for (uint64_t seq = req->from_seq; seq <= fx->source_last && resp.n_events < max; seq++) {
            events[resp.n_events].data = fx->events[seq];
            events[resp.n_events].len = fx->event_lens[seq];
            resp.n_events++;
        }
        resp.events = events;
    }
    size_t len = as__replay_response__get_packed_size(&resp);
    uint8_t *buf = malloc(len + 2);
    assert_non_null(buf);
    as__replay_response__pack(&resp, buf);
    if (fx->malformed_answers > 0 && resp.n_events > 0) {
        fx->malformed_answers--;
        if (fx->malformed_how == S_CUT_SHORT) {
            len--;
        } else {
            buf[len++] = 0x20; /* field 4, wire type 0 */
            buf[len++] = 0x01;
        }
    }
    assert_int_equal(zmq_send(fx->router, r->id, r->id_len, ZMQ_SNDMORE), (int)r->id_len);
    assert_int_equal(zmq_send(fx->router, "replay", 6, ZMQ_SNDMORE), 6);
    assert_int_equal(zmq_send(fx->router, buf, len, 0), (int)len);
    free(buf);
}

/* Reads what waits on the XPUB (subscriptions) and the ROUTER (replay
 * requests, answered unless told to ignore them). */
static void s_serve(s_fix_t *fx)
{
    for (;;) {
        unsigned char sub[256];
        int n = zmq_recv(fx->xpub, sub, sizeof sub, ZMQ_DONTWAIT);
        if (n < 0)
            break;
        if (n < 1 || sub[0] != 1)
            continue;
        if (fx->n_subs < S_MAX_SUBS)
            snprintf(fx->subs[fx->n_subs++], sizeof fx->subs[0], "%.*s", n - 1,
                     (const char *)sub + 1);
        /* every topic (every source of demo), or demo@src's prefix */
        if (n == 1 || (n == 10 && memcmp(sub + 1, "src/demo.", 9) == 0))
            fx->subscribed = true;
    }
    for (;;) {
        zmq_msg_t frames[3];
        for (int i = 0; i < 3; i++)
            zmq_msg_init(&frames[i]);
        size_t n = 0;
        int rc = as_zrecv_frames(fx->router, frames, 3, &n);
        if (rc == 0) {
            assert_int_equal(n, 3);
            assert_int_equal(zmq_msg_size(&frames[1]), 6);
            assert_memory_equal(zmq_msg_data(&frames[1]), "replay", 6);
            As__ReplayRequest *req = as__replay_request__unpack(NULL, zmq_msg_size(&frames[2]),
                                                                zmq_msg_data(&frames[2]));
            assert_non_null(req);
            assert_true(fx->n_reqs < S_MAX_REQS);
            s_request_t *r = &fx->reqs[fx->n_reqs++];
            r->from_seq = req->from_seq;
            snprintf(r->source, sizeof r->source, "%s", req->source ? req->source : "");
            r->id_len = zmq_msg_size(&frames[0]);
            assert_true(r->id_len <= sizeof r->id);
            memcpy(r->id, zmq_msg_data(&frames[0]), r->id_len);
            if (fx->ignore_replays > 0) {
                fx->ignore_replays--;
            } else if (fx->answer_then_hold == 0) {
                /* held: answered by s_answer_held */
            } else {
                if (fx->answer_then_hold > 0)
                    fx->answer_then_hold--;
                s_answer(fx, r, req);
                fx->n_answered = fx->n_reqs;
            }
            as__replay_request__free_unpacked(req, NULL);
        }
        for (int i = 0; i < 3; i++)
            zmq_msg_close(&frames[i]);
        if (rc != 0)
            break;
    }
}

/* Answers the requests held (answer_then_hold), in the order they came, and
 * answers every later one at once. */
static void s_answer_held(s_fix_t *fx)
{
    fx->answer_then_hold = -1;
    for (; fx->n_answered < fx->n_reqs; fx->n_answered++) {
        const s_request_t *r = &fx->reqs[fx->n_answered];
        As__ReplayRequest req = AS__REPLAY_REQUEST__INIT;
        req.source = (char *)r->source;
        req.has_from_seq = 1;
        req.from_seq = r->from_seq;
        s_answer(fx, r, &req);
    }
}

/* --- applying batches --------------------------------------------------------- */

static int s_apply(void *arg, MDB_txn *txn, const As__Envelope *env)
{
    s_fix_t *fx = arg;
    if (env->seq == fx->reject_seq)
        return AS_EINVALID;
    if (env->seq == fx->fail_seq) {
        fx->fail_seq = 0;
        return -EIO;
    }
    char key[128];
    int n = snprintf(key, sizeof key, "%s:%020llu", env->source, (unsigned long long)env->seq);
    MDB_val k = {(size_t)n, key};
    MDB_val v = {strlen(env->type), env->type};
    int rc = mdb_put(txn, as_store_dbi(fx->store, "seen"), &k, &v, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST)
        fx->double_applied++;
    else if (rc != 0)
        return rc;
    if (fx->txn_n < S_MAX_LOG)
        fx->txn_seqs[fx->txn_n++] = env->seq;
    return 0;
}

/* A turn: every event not skipped, then the offsets; a refused event is
 * skipped and the turn runs again. */
static int s_batch_txn(MDB_txn *txn, void *arg)
{
    s_fix_t *fx = arg;
    fx->txn_n = 0;
    for (size_t i = 0; i < fx->batch.n; i++) {
        if (fx->batch.events[i].skipped)
            continue;
        int rc = s_apply(fx, txn, fx->batch.events[i].env);
        if (rc != 0 && as_outcome_of(rc) != AS_OUTCOME_STORE) {
            as_sub_skip(fx->sub, &fx->batch, i);
            return AS_ERETRY;
        }
        if (rc != 0)
            return rc;
    }
    return as_sub_write_offsets(fx->sub, txn, &fx->batch);
}

static void s_ready(void *arg)
{
    s_fix_t *fx = arg;
    if (fx->hold_turns)
        return;
    while (as_sub_turn_due(fx->sub)) {
        int rc;
        as_sub_take(fx->sub, &fx->batch);
        while ((rc = as_store_write(fx->store, s_batch_txn, fx)) == AS_ERETRY)
            fx->retries++;
        if (rc != 0) {
            fx->failed_txns++;
            as_sub_aborted(fx->sub, &fx->batch);
            return;
        }
        as_sub_committed(fx->sub, &fx->batch);
        for (size_t i = 0; i < fx->txn_n && fx->n_applied < S_MAX_LOG; i++)
            fx->applied[fx->n_applied++] = fx->txn_seqs[i];
        if (fx->n_commits < S_MAX_LOG)
            fx->commit_sizes[fx->n_commits++] = fx->txn_n;
    }
}

/* --- the loop ------------------------------------------------------------------ */

static void s_tick(uv_timer_t *timer)
{
    (void)timer; /* only makes UV_RUN_ONCE return often */
}

typedef bool (*s_cond_fn)(s_fix_t *fx, uint64_t arg);

/* Steps the loop and serves the fake source until cond holds; false when the
 * deadline passed first. */
static bool s_pump_until(s_fix_t *fx, s_cond_fn cond, uint64_t arg)
{
    int64_t deadline = as_now_us() + (int64_t)S_WAIT_MS * 1000;
    for (;;) {
        s_serve(fx);
        if (cond(fx, arg))
            return true;
        if (as_now_us() > deadline)
            return false;
        uv_run(&fx->loop, UV_RUN_ONCE);
    }
}

static bool s_cond_applied(s_fix_t *fx, uint64_t n)
{
    return fx->n_applied >= n;
}

static bool s_cond_counted_applied(s_fix_t *fx, uint64_t n)
{
    return as_sub_counters(fx->sub)->applied >= n;
}

static bool s_cond_subscribed(s_fix_t *fx, uint64_t unused)
{
    (void)unused;
    return fx->subscribed;
}

static bool s_cond_requests(s_fix_t *fx, uint64_t n)
{
    return fx->n_reqs >= n;
}

static bool s_cond_diverged_events(s_fix_t *fx, uint64_t n)
{
    return as_sub_counters(fx->sub)->diverged_events >= n;
}

static bool s_cond_rejected_frames(s_fix_t *fx, uint64_t n)
{
    return as_sub_counters(fx->sub)->rejected_frames >= n;
}

static void s_wait_applied(s_fix_t *fx, uint64_t n)
{
    if (!s_pump_until(fx, s_cond_applied, n))
        fail_msg("only %zu of %llu events were applied", fx->n_applied, (unsigned long long)n);
}

/* Runs the loop a little with nothing expected: lets late messages land
 * before a negative check (which then can only fail when the code is wrong). */
static void s_settle(s_fix_t *fx, int ms)
{
    int64_t end = as_now_us() + (int64_t)ms * 1000;
    while (as_now_us() < end) {
        s_serve(fx);
        uv_run(&fx->loop, UV_RUN_ONCE);
    }
}

/* --- the sub's life cycle -------------------------------------------------------- */

static void s_start_sub(s_fix_t *fx)
{
    s_serve(fx);
    fx->subscribed = false;
    int err = 0;
    fx->sub = as_sub_new(fx->zctx, &fx->loop, fx->store, &fx->cfg, s_ready, fx, &err);
    assert_non_null(fx->sub);
    if (!s_pump_until(fx, s_cond_subscribed, 0))
        fail_msg("the sub never subscribed");
}

static void s_stop_sub(s_fix_t *fx)
{
    as_sub_destroy(&fx->sub);
    assert_null(fx->sub);
    for (int i = 0; i < 4; i++)
        uv_run(&fx->loop, UV_RUN_NOWAIT);
}

typedef struct {
    const char *source;
    As__SourceOffset info; /* its strings are copied below */
    char incarnation[64];
    char endpoint[512];
    bool found;
    size_t count;
} s_info_t;

static void s_info_cb(const As__SourceOffset *info, void *arg)
{
    s_info_t *out = arg;
    out->count++;
    if (strcmp(info->source, out->source) != 0)
        return;
    out->found = true;
    out->info = *info;
    snprintf(out->incarnation, sizeof out->incarnation, "%s", info->incarnation);
    snprintf(out->endpoint, sizeof out->endpoint, "%s", info->endpoint);
}

static s_info_t s_info(s_fix_t *fx, const char *source)
{
    s_info_t out = {.source = source};
    as_sub_each_source(fx->sub, s_info_cb, &out);
    return out;
}

typedef struct {
    as_store_t *store;
    const char *source;
    As__SourceOffset *off;
} s_offset_args_t;

static int s_offset_txn(MDB_txn *txn, void *arg)
{
    s_offset_args_t *a = arg;
    return as_offset_get(a->store, txn, a->source, &a->off);
}

/* The committed offset of `source` (0 when none is stored). */
static uint64_t s_offset(s_fix_t *fx, const char *source, char *incarnation, size_t cap)
{
    s_offset_args_t a = {.store = fx->store, .source = source};
    int rc = as_store_read(fx->store, s_offset_txn, &a);
    if (rc == MDB_NOTFOUND)
        return 0;
    assert_int_equal(rc, 0);
    uint64_t seq = a.off->applied_seq;
    if (incarnation)
        snprintf(incarnation, cap, "%s", a.off->incarnation ? a.off->incarnation : "");
    as__source_offset__free_unpacked(a.off, NULL);
    return seq;
}

/* The stored offset record of `source` (NULL when none; free with
 * as__source_offset__free_unpacked). */
static As__SourceOffset *s_stored_offset(s_fix_t *fx, const char *source)
{
    s_offset_args_t a = {.store = fx->store, .source = source};
    int rc = as_store_read(fx->store, s_offset_txn, &a);
    if (rc == MDB_NOTFOUND)
        return NULL;
    assert_int_equal(rc, 0);
    return a.off;
}

static bool s_stored_diverged(s_fix_t *fx, const char *source)
{
    As__SourceOffset *off = s_stored_offset(fx, source);
    bool diverged = off && off->has_diverged && off->diverged;
    if (off)
        as__source_offset__free_unpacked(off, NULL);
    return diverged;
}

/* A turn's transaction that writes the offsets and then fails. */
static int s_failing_turn_txn(MDB_txn *txn, void *arg)
{
    s_fix_t *fx = arg;
    int rc = as_sub_write_offsets(fx->sub, txn, &fx->batch);
    return rc != 0 ? rc : -EIO;
}

/* Runs one turn whose transaction fails, and tells the sub. */
static void s_failed_turn(s_fix_t *fx)
{
    as_sub_take(fx->sub, &fx->batch);
    assert_int_equal(as_store_write(fx->store, s_failing_turn_txn, fx), -EIO);
    as_sub_aborted(fx->sub, &fx->batch);
}

static int s_seen_txn(MDB_txn *txn, void *arg)
{
    s_fix_t *fx = ((void **)arg)[0];
    MDB_stat st;
    int rc = mdb_stat(txn, as_store_dbi(fx->store, "seen"), &st);
    *(size_t *)((void **)arg)[1] = st.ms_entries;
    return rc;
}

/* Events recorded in the store's "seen" database. */
static size_t s_seen(s_fix_t *fx)
{
    size_t n = 0;
    void *args[2] = {fx, &n};
    assert_int_equal(as_store_read(fx->store, s_seen_txn, args), 0);
    return n;
}

static void s_assert_applied_in_order(s_fix_t *fx, uint64_t first, uint64_t last)
{
    assert_int_equal(fx->n_applied, last - first + 1);
    for (size_t i = 0; i < fx->n_applied; i++)
        assert_int_equal(fx->applied[i], first + i);
    assert_int_equal(fx->double_applied, 0);
}

/* The source has events 1..last, sends them live, and the sub applies them. */
static void s_feed_live(s_fix_t *fx, uint64_t last)
{
    s_source_has(fx, last);
    for (uint64_t seq = 1; seq <= last; seq++)
        s_live(fx, seq);
    s_wait_applied(fx, last);
}

/* --- fixture --------------------------------------------------------------------- */

static void s_fresh_dir(char *dir, size_t cap)
{
    const char *base = getenv("AS_TEST_TMP");
    if (!base || !*base)
        base = "/tmp";
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", base);
    for (char *p = parent + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(parent, 0700);
            *p = '/';
        }
    }
    mkdir(parent, 0700);
    snprintf(dir, cap, "%s/sub-XXXXXX", base);
    if (strlen(dir) > 70) /* ipc:// paths must fit in sun_path */
        snprintf(dir, cap, "/tmp/as-sub-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static void *s_bound(s_fix_t *fx, int type, const char *endpoint)
{
    void *sock = zmq_socket(fx->zctx, type);
    assert_non_null(sock);
    int linger = 0, one = 1;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    if (type == ZMQ_XPUB)
        assert_int_equal(zmq_setsockopt(sock, ZMQ_XPUB_VERBOSE, &one, sizeof one), 0);
    assert_int_equal(zmq_bind(sock, endpoint), 0);
    return sock;
}

static const char *const s_dbs[] = {"seen", NULL};

static int s_setup(void **state)
{
    s_fix_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    s_fresh_dir(fx->dir, sizeof fx->dir);
    snprintf(fx->store_dir, sizeof fx->store_dir, "%s/store", fx->dir);
    snprintf(fx->pub_ep, sizeof fx->pub_ep, "ipc://%s/pub.ipc", fx->dir);
    snprintf(fx->rpc_ep, sizeof fx->rpc_ep, "ipc://%s/rpc.ipc", fx->dir);
    snprintf(fx->incarnation, sizeof fx->incarnation, "%s", S_INCARNATION_A);
    fx->answer_then_hold = -1;
    fx->zctx = zmq_ctx_new();
    assert_non_null(fx->zctx);
    fx->xpub = s_bound(fx, ZMQ_XPUB, fx->pub_ep);
    fx->router = s_bound(fx, ZMQ_ROUTER, fx->rpc_ep);
    assert_int_equal(uv_loop_init(&fx->loop), 0);
    uv_timer_init(&fx->loop, &fx->tick);
    uv_timer_start(&fx->tick, s_tick, 5, 5);
    int err = 0;
    fx->store = as_store_open(fx->store_dir, s_dbs, 0, &err);
    assert_non_null(fx->store);
    fx->connect[0] = fx->pub_ep;
    fx->domains[0] = "demo";
    fx->catchup_names[0] = "demo";
    fx->cfg.connect = fx->connect;
    fx->cfg.domains = fx->domains;
    fx->cfg.catchup = fx->catchup;
    fx->cfg.catchup_names = fx->catchup_names;
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    s_fix_t *fx = *state;
    as_sub_destroy(&fx->sub);
    uv_timer_stop(&fx->tick);
    assert_int_equal(as_loop_close(&fx->loop), 0);
    as_store_close(&fx->store);
    zmq_close(fx->xpub);
    zmq_close(fx->router);
    zmq_ctx_term(fx->zctx);
    for (size_t i = 0; i <= S_MAX_EVENTS; i++)
        free(fx->events[i]);
    free(fx);
    return 0;
}

/* --- tests ------------------------------------------------------------------------- */

static void test_in_order_events_applied_once(void **state)
{
    s_fix_t *fx = *state;
    s_start_sub(fx);
    s_feed_live(fx, 5);
    s_assert_applied_in_order(fx, 1, 5);
    assert_int_equal(s_seen(fx), 5);
    char incarnation[64];
    assert_int_equal(s_offset(fx, S_SOURCE, incarnation, sizeof incarnation), 5);
    assert_string_equal(incarnation, S_INCARNATION_A);
    const as_sub_counters_t *c = as_sub_counters(fx->sub);
    assert_int_equal(c->applied, 5);
    assert_int_equal(c->duplicates, 0);
    assert_int_equal(c->gaps, 0);
    assert_int_equal(c->rejected_frames, 0);
    assert_int_equal(as_sub_batch_size(fx->sub), 0);
    s_info_t info = s_info(fx, S_SOURCE);
    assert_true(info.found);
    assert_int_equal(info.info.applied_seq, 5);
    assert_int_equal(info.info.known_last_seq, 5);
    assert_string_equal(info.incarnation, S_INCARNATION_A);
    assert_string_equal(info.endpoint, "");
    assert_false(info.info.diverged);
}

static void test_duplicates_dropped(void **state)
{
    s_fix_t *fx = *state;
    s_start_sub(fx);
    s_source_has(fx, 3);
    s_live(fx, 1);
    s_live(fx, 2);
    s_live(fx, 2);
    s_live(fx, 1);
    s_live(fx, 3);
    s_wait_applied(fx, 3);
    /* the same three again (a second forwarder), then one new event to know
     * they were all read */
    s_feed_live(fx, 4);
    s_assert_applied_in_order(fx, 1, 4);
    assert_int_equal(as_sub_counters(fx->sub)->duplicates, 5);
    assert_int_equal(as_sub_counters(fx->sub)->applied, 4);
    assert_int_equal(s_seen(fx), 4);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 4);
}

static void test_gap_triggers_replay(void **state)
{
    s_fix_t *fx = *state;
    s_start_sub(fx);
    s_source_has(fx, 7);
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_A, 0, fx->rpc_ep); /* where to ask */
    s_live(fx, 1);
    s_live(fx, 2);
    s_live(fx, 6); /* 3..5 lost */
    s_live(fx, 7);
    s_wait_applied(fx, 7);
    s_assert_applied_in_order(fx, 1, 7);
    assert_true(fx->n_reqs >= 1);
    assert_int_equal(fx->reqs[0].from_seq, 3);
    assert_string_equal(fx->reqs[0].source, S_SOURCE);
    const as_sub_counters_t *c = as_sub_counters(fx->sub);
    assert_int_equal(c->gaps, 1);
    assert_true(c->replays_sent >= 1);
    assert_true(c->replay_events >= 3);
    assert_int_equal(c->duplicates, 2); /* 6 and 7 came twice */
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 7);
    s_info_t info = s_info(fx, S_SOURCE);
    assert_string_equal(info.endpoint, fx->rpc_ep);
    assert_true(info.info.replays >= 1);
}

static void test_heartbeat_reveals_lost_tail(void **state)
{
    s_fix_t *fx = *state;
    s_start_sub(fx);
    s_source_has(fx, 5);
    s_live(fx, 1);
    s_live(fx, 2);
    /* 3..5 were sent while the sub was not listening; the heartbeat tells */
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_A, 5, fx->rpc_ep);
    s_wait_applied(fx, 5);
    s_assert_applied_in_order(fx, 1, 5);
    assert_true(fx->n_reqs >= 1);
    assert_int_equal(fx->reqs[0].from_seq, 3);
    assert_string_equal(fx->reqs[0].source, S_SOURCE);
    assert_int_equal(as_sub_counters(fx->sub)->gaps, 0);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 5);
    s_info_t info = s_info(fx, S_SOURCE);
    assert_int_equal(info.info.known_last_seq, 5);
}

static void test_catchup_at_start_and_after_restart(void **state)
{
    s_fix_t *fx = *state;
    fx->catchup[0] = fx->rpc_ep;
    s_source_has(fx, 4);
    s_start_sub(fx);
    s_wait_applied(fx, 4);
    s_assert_applied_in_order(fx, 1, 4);
    /* first a hello that only learns who is there, then the events */
    assert_true(fx->n_reqs >= 2);
    assert_int_equal(fx->reqs[0].from_seq, 0);
    assert_string_equal(fx->reqs[0].source, "");
    assert_int_equal(fx->reqs[1].from_seq, 1);
    assert_string_equal(fx->reqs[1].source, S_SOURCE);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 4);

    /* down while the source goes on */
    s_stop_sub(fx);
    s_source_has(fx, 6);
    size_t before = fx->n_reqs;
    s_start_sub(fx);
    s_wait_applied(fx, 6);
    s_assert_applied_in_order(fx, 1, 6);
    bool asked_from_5 = false;
    for (size_t i = before; i < fx->n_reqs; i++) {
        if (fx->reqs[i].source[0]) {
            assert_true(fx->reqs[i].from_seq >= 5);
            asked_from_5 |= fx->reqs[i].from_seq == 5;
        }
    }
    assert_true(asked_from_5);
    assert_int_equal(as_sub_counters(fx->sub)->duplicates, 0);
    assert_int_equal(s_seen(fx), 6);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 6);
}

/* A catch-up longer than one answer asks for the next range before the last
 * one came: two requests in flight, each range asked once, applied in order. */
static void test_catchup_pipelines_replay_requests(void **state)
{
    s_fix_t *fx = *state;
    fx->answer_max = 4; /* answers of 4 events: 20 events take 5 */
    fx->answer_then_hold = 1;
    s_start_sub(fx);
    s_source_has(fx, 20);
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_A, 20, fx->rpc_ep);
    /* the first answer (1..4) tells how far one reaches: 5.. and 9.. are
     * asked for together, neither answered yet */
    if (!s_pump_until(fx, s_cond_requests, 3))
        fail_msg("only %zu replay requests were sent", fx->n_reqs);
    s_settle(fx, 50);
    assert_int_equal(fx->n_reqs, 3);
    assert_int_equal(fx->reqs[0].from_seq, 1);
    assert_int_equal(fx->reqs[1].from_seq, 5);
    assert_int_equal(fx->reqs[2].from_seq, 9);
    s_answer_held(fx);
    s_wait_applied(fx, 20);
    s_assert_applied_in_order(fx, 1, 20);
    /* 1, 5, 9, 13, 17: each range once */
    assert_int_equal(fx->n_reqs, 5);
    for (size_t i = 0; i < fx->n_reqs; i++)
        assert_int_equal(fx->reqs[i].from_seq, 1 + 4 * i);
    assert_int_equal(as_sub_counters(fx->sub)->duplicates, 0);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 20);
}

static void test_offsets_survive_restart(void **state)
{
    s_fix_t *fx = *state;
    s_start_sub(fx);
    s_feed_live(fx, 3);
    s_source_has(fx, 5);
    s_stop_sub(fx);

    s_start_sub(fx);
    s_info_t info = s_info(fx, S_SOURCE);
    assert_true(info.found);
    assert_int_equal(info.info.applied_seq, 3);
    assert_string_equal(info.incarnation, S_INCARNATION_A);
    /* the source sends everything again: what was applied is dropped */
    for (uint64_t seq = 1; seq <= 5; seq++)
        s_live(fx, seq);
    s_wait_applied(fx, 5);
    s_assert_applied_in_order(fx, 1, 5);
    assert_int_equal(as_sub_counters(fx->sub)->duplicates, 3);
    assert_int_equal(as_sub_counters(fx->sub)->applied, 2);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 5);
}

static bool s_cond_diverged(s_fix_t *fx, uint64_t unused);

static void test_restored_source_followed_when_nothing_applied_is_lost(void **state)
{
    s_fix_t *fx = *state;
    s_start_sub(fx);
    s_source_has(fx, 3);
    s_live(fx, 1);
    s_live(fx, 2);
    s_wait_applied(fx, 2);

    /* restored from a backup that held 1..3: nothing applied here is lost */
    s_source_restore(fx, S_INCARNATION_B, 3, true);
    s_source_has(fx, 5);
    s_live(fx, 4); /* the new incarnation's first live event: the lineage is asked */
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_B, 5, fx->rpc_ep);
    s_wait_applied(fx, 5);
    /* 3 comes from the backup's part of the history (packed with the old
     * incarnation), 4 and 5 from the new one */
    s_assert_applied_in_order(fx, 1, 5);
    char incarnation[64];
    assert_int_equal(s_offset(fx, S_SOURCE, incarnation, sizeof incarnation), 5);
    assert_string_equal(incarnation, S_INCARNATION_B);
    s_info_t info = s_info(fx, S_SOURCE);
    assert_false(info.info.diverged);
    assert_int_equal(as_sub_counters(fx->sub)->diverged_events, 0);
    assert_int_equal(fx->double_applied, 0);
}

typedef struct {
    as_sub_t *sub;
    const char *incarnation;
    int rc;
    char why[256];
} s_accept_args_t;

static int s_accept_txn(MDB_txn *txn, void *arg)
{
    s_accept_args_t *a = arg;
    a->rc = as_sub_accept(a->sub, txn, S_SOURCE, a->incarnation, "it-guo", a->why, sizeof a->why);
    return a->rc < -20000 ? 0 : a->rc; /* a refusal writes nothing and commits nothing */
}

/* An accept in a turn of its own that commits, told to the sub as the
 * service's turn tells it. */
static int s_accept(s_fix_t *fx, const char *incarnation, char *why, size_t cap)
{
    s_accept_args_t a = {.sub = fx->sub, .incarnation = incarnation};
    int rc = as_store_write(fx->store, s_accept_txn, &a);
    assert_int_equal(rc, 0);
    as_sub_committed(fx->sub, &(as_sub_batch_t){0});
    snprintf(why, cap, "%s", a.why);
    return a.rc;
}

/* An accept whose turn then fails (a later command hit the disk). */
static int s_accept_then_fail_txn(MDB_txn *txn, void *arg)
{
    s_accept_args_t *a = arg;
    a->rc = as_sub_accept(a->sub, txn, S_SOURCE, a->incarnation, "it-guo", a->why, sizeof a->why);
    return -EIO;
}

/* 1..5 applied, then the source is restored from a backup that held 1..3:
 * 4 and 5 were applied here and are not in the source's store; its new
 * history goes 4', 5', 6'. Waits until the sub sees it diverged. */
static void s_diverge_after_five(s_fix_t *fx)
{
    s_start_sub(fx);
    s_feed_live(fx, 5);
    s_source_restore(fx, S_INCARNATION_B, 3, true);
    s_source_has(fx, 6);
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_B, 6, fx->rpc_ep);
    assert_true(s_pump_until(fx, s_cond_diverged, 0));
}

static void test_restored_source_that_lost_events_diverges_until_accepted(void **state)
{
    s_fix_t *fx = *state;
    s_diverge_after_five(fx);
    s_info_t info = s_info(fx, S_SOURCE);
    assert_string_equal(info.incarnation, S_INCARNATION_A);
    assert_string_equal(info.info.fork_incarnation, S_INCARNATION_B);
    assert_int_equal(info.info.fork_seq, 3);
    assert_int_equal(info.info.applied_seq, 5);

    /* refused meanwhile */
    s_live(fx, 6);
    assert_true(s_pump_until(fx, s_cond_diverged_events, 1));
    assert_int_equal(fx->n_applied, 5);

    /* a restart shows it diverged at once: it is kept with the offset */
    as_sub_destroy(&fx->sub);
    s_start_sub(fx);
    info = s_info(fx, S_SOURCE);
    assert_true(info.info.diverged);
    assert_string_equal(info.info.fork_incarnation, S_INCARNATION_B);
    assert_int_equal(info.info.fork_seq, 3);
    assert_int_equal(info.info.applied_seq, 5);

    /* an operator accepts; the wrong incarnation or source is refused */
    char why[256];
    assert_int_equal(s_accept(fx, S_INCARNATION_A, why, sizeof why), AS_ECONFLICT);
    assert_string_equal(why, "source 'demo@src' diverged to incarnation " S_INCARNATION_B
                             ", not '" S_INCARNATION_A "'");
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 5);
    assert_int_equal(s_accept(fx, S_INCARNATION_B, why, sizeof why), 0);
    /* the new history from the fork on: 4', 5', 6' */
    s_wait_applied(fx, 8);
    assert_int_equal(fx->applied[5], 4);
    assert_int_equal(fx->applied[7], 6);
    /* 4 and 5 are applied twice: once from each history (the fake's "seen"
     * table keys by seq only) */
    assert_int_equal(fx->double_applied, 2);
    char incarnation[64];
    assert_int_equal(s_offset(fx, S_SOURCE, incarnation, sizeof incarnation), 6);
    assert_string_equal(incarnation, S_INCARNATION_B);
    info = s_info(fx, S_SOURCE);
    assert_false(info.info.diverged);
    assert_int_equal(info.info.orphaned_from_seq, 4);
    assert_int_equal(info.info.orphaned_to_seq, 5);
    assert_string_equal(info.info.accepted_by, "it-guo");
    assert_int_equal(s_accept(fx, S_INCARNATION_B, why, sizeof why), AS_ECONFLICT);
    assert_string_equal(why, "source 'demo@src' is not diverged: nothing to accept");

    /* a restart keeps the record of what was accepted */
    as_sub_destroy(&fx->sub);
    s_start_sub(fx);
    info = s_info(fx, S_SOURCE);
    assert_int_equal(info.info.applied_seq, 6);
    assert_int_equal(info.info.orphaned_from_seq, 4);
    assert_string_equal(info.info.previous_incarnation, S_INCARNATION_A);
}

static void test_accept_in_a_failed_turn_changes_nothing(void **state)
{
    s_fix_t *fx = *state;
    s_diverge_after_five(fx);

    /* the accept is written, then the turn fails: the source stays diverged */
    s_accept_args_t a = {.sub = fx->sub, .incarnation = S_INCARNATION_B};
    assert_int_equal(as_store_write(fx->store, s_accept_then_fail_txn, &a), -EIO);
    assert_int_equal(a.rc, 0);
    as_sub_aborted(fx->sub, &(as_sub_batch_t){0});
    s_info_t info = s_info(fx, S_SOURCE);
    assert_true(info.info.diverged);
    assert_int_equal(info.info.applied_seq, 5);
    assert_string_equal(info.incarnation, S_INCARNATION_A);
    assert_string_equal(info.info.fork_incarnation, S_INCARNATION_B);
    s_settle(fx, 100);
    assert_int_equal(fx->n_applied, 5);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 5);

    /* the operator's retry is accepted and follows the new history */
    char why[256];
    assert_int_equal(s_accept(fx, S_INCARNATION_B, why, sizeof why), 0);
    s_wait_applied(fx, 8);
    info = s_info(fx, S_SOURCE);
    assert_false(info.info.diverged);
    assert_int_equal(info.info.orphaned_from_seq, 4);
    assert_int_equal(info.info.orphaned_to_seq, 5);
}

static void test_changed_incarnation_diverges(void **state)
{
    s_fix_t *fx = *state;
    s_start_sub(fx);
    s_source_has(fx, 3);
    s_live(fx, 1);
    s_live(fx, 2);
    s_wait_applied(fx, 2);

    /* the source's store was made anew (no lineage): same name, new incarnation */
    s_source_restore(fx, S_INCARNATION_B, 0, false);
    s_source_has(fx, 3);
    s_live(fx, 3);
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_B, 3, fx->rpc_ep);
    assert_true(s_pump_until(fx, s_cond_diverged, 0));
    s_info_t info = s_info(fx, S_SOURCE);
    assert_string_equal(info.incarnation, S_INCARNATION_A);
    assert_int_equal(info.info.fork_seq, 0);

    /* from then on the source is refused, even with the old incarnation */
    size_t len = 0;
    uint8_t *old = s_pack_env(S_SOURCE, S_INCARNATION_A, 3, S_TYPE, 0, &len);
    s_send(fx, 2, (const void *[]){S_TOPIC, old}, (size_t[]){strlen(S_TOPIC), len});
    free(old);
    assert_true(s_pump_until(fx, s_cond_diverged_events, 1));
    size_t reqs = fx->n_reqs;
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_B, 9, fx->rpc_ep);
    s_settle(fx, 100);
    assert_int_equal(fx->n_applied, 2);
    assert_int_equal(fx->n_reqs, reqs);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 2);
}

static bool s_cond_diverged(s_fix_t *fx, uint64_t unused)
{
    (void)unused;
    return s_info(fx, S_SOURCE).info.diverged;
}

static void test_seq_going_back_diverges(void **state)
{
    s_fix_t *fx = *state;
    s_start_sub(fx);
    s_feed_live(fx, 3);

    /* a heartbeat below what was applied may just be late: no proof */
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_A, 1, fx->rpc_ep);
    s_settle(fx, 100);
    assert_false(s_info(fx, S_SOURCE).info.diverged);

    /* but a replay answer below what was applied when asked is: the source's
     * store went back to seq 1 (same incarnation: files copied back) */
    fx->source_last = 1;
    size_t len = 0;
    uint8_t *ahead = s_pack_env(S_SOURCE, S_INCARNATION_A, 5, S_TYPE, 0, &len);
    s_send(fx, 2, (const void *[]){S_TOPIC, ahead}, (size_t[]){strlen(S_TOPIC), len});
    free(ahead);
    assert_true(s_pump_until(fx, s_cond_diverged, 0));
    assert_true(fx->n_reqs >= 1);
    assert_int_equal(fx->reqs[0].from_seq, 4);

    /* from then on its events are refused */
    uint8_t *next = s_pack_env(S_SOURCE, S_INCARNATION_A, 4, S_TYPE, 0, &len);
    s_send(fx, 2, (const void *[]){S_TOPIC, next}, (size_t[]){strlen(S_TOPIC), len});
    free(next);
    assert_true(s_pump_until(fx, s_cond_diverged_events, 1));
    assert_int_equal(fx->n_applied, 3);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 3);
}

static void test_source_without_endpoint_is_best_effort(void **state)
{
    s_fix_t *fx = *state;
    fx->cfg.best_effort_after_ms = 300;
    s_start_sub(fx);
    s_source_has(fx, 6);
    /* a plain publisher: no heartbeat, no service endpoint; 3 and 4 are lost */
    s_live(fx, 1);
    s_live(fx, 2);
    s_live(fx, 5);
    s_wait_applied(fx, 2);
    s_settle(fx, 100);
    assert_int_equal(fx->n_applied, 2); /* it waits first: a heartbeat may name an endpoint */
    s_wait_applied(fx, 3);              /* then the gap is skipped */
    assert_int_equal(fx->applied[2], 5);
    s_live(fx, 6);
    s_wait_applied(fx, 4);
    s_info_t info = s_info(fx, S_SOURCE);
    assert_true(info.info.best_effort);
    assert_int_equal(info.info.lost, 2);
    assert_int_equal(as_sub_counters(fx->sub)->lost, 2);
    assert_int_equal(fx->n_reqs, 0);
    /* the loss is kept with the offset */
    as_sub_destroy(&fx->sub);
    s_start_sub(fx);
    info = s_info(fx, S_SOURCE);
    assert_int_equal(info.info.applied_seq, 6);
    assert_int_equal(info.info.lost, 2);
    assert_true(info.info.best_effort);
}

static void s_heartbeat_best_effort(s_fix_t *fx, bool best_effort, const char *endpoint)
{
    As__Heartbeat hb = AS__HEARTBEAT__INIT;
    hb.source = S_SOURCE;
    hb.incarnation = fx->incarnation;
    hb.has_last_seq = 1;
    hb.last_seq = fx->source_last;
    hb.endpoint = (char *)endpoint;
    hb.has_best_effort = 1;
    hb.best_effort = best_effort;
    uint8_t buf[1024];
    size_t len = as__heartbeat__pack(&hb, buf);
    s_send(fx, 2, (const void *[]){"src/demo.heartbeat", buf}, (size_t[]){18, len});
}

static bool s_cond_best_effort(s_fix_t *fx, uint64_t want)
{
    return s_info(fx, S_SOURCE).info.best_effort == (want != 0);
}

static void test_source_saying_best_effort_skips_gaps_at_once(void **state)
{
    s_fix_t *fx = *state;
    fx->cfg.best_effort_after_ms = 60000; /* no waiting for a timeout here */
    s_start_sub(fx);
    s_source_has(fx, 6);
    s_heartbeat_best_effort(fx, true, "");
    assert_true(s_pump_until(fx, s_cond_best_effort, 1));
    s_live(fx, 1);
    s_live(fx, 3);
    s_wait_applied(fx, 2);
    assert_int_equal(fx->applied[1], 3);
    assert_int_equal(s_info(fx, S_SOURCE).info.lost, 1);

    /* it becomes a full peer (an endpoint, not best-effort): gaps are replayed */
    s_heartbeat_best_effort(fx, false, fx->rpc_ep);
    assert_true(s_pump_until(fx, s_cond_best_effort, 0));
    s_live(fx, 6);
    s_wait_applied(fx, 5);
    assert_int_equal(fx->applied[2], 4);
    assert_int_equal(fx->applied[3], 5);
    assert_int_equal(fx->applied[4], 6);
    assert_true(fx->n_reqs >= 1);
    assert_int_equal(s_info(fx, S_SOURCE).info.lost, 1);
}

static void test_rejected_event_skipped_offset_advances(void **state)
{
    s_fix_t *fx = *state;
    fx->reject_seq = 3;
    s_start_sub(fx);
    s_source_has(fx, 5);
    for (uint64_t seq = 1; seq <= 5; seq++)
        s_live(fx, seq);
    assert_true(s_pump_until(fx, s_cond_counted_applied, 5));
    assert_int_equal(fx->n_applied, 4);
    assert_int_equal(fx->applied[0], 1);
    assert_int_equal(fx->applied[1], 2);
    assert_int_equal(fx->applied[2], 4);
    assert_int_equal(fx->applied[3], 5);
    assert_int_equal(fx->double_applied, 0);
    const as_sub_counters_t *c = as_sub_counters(fx->sub);
    assert_int_equal(c->rejected_events, 1);
    assert_int_equal(fx->retries, 1); /* the batch ran again without event 3 */
    assert_int_equal(c->applied, 5);
    assert_int_equal(s_seen(fx), 4);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 5);
    assert_int_equal(fx->failed_txns, 0);
}

static void test_failed_batch_is_fetched_again(void **state)
{
    s_fix_t *fx = *state;
    fx->fail_seq = 2;
    s_start_sub(fx);
    s_source_has(fx, 3);
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_A, 0, fx->rpc_ep);
    for (uint64_t seq = 1; seq <= 3; seq++)
        s_live(fx, seq);
    s_wait_applied(fx, 3);
    s_assert_applied_in_order(fx, 1, 3);
    assert_int_equal(fx->failed_txns, 1);
    assert_true(fx->n_reqs >= 1);
    assert_int_equal(s_seen(fx), 3);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 3);
}

static bool s_cond_batch(s_fix_t *fx, uint64_t n)
{
    return as_sub_batch_size(fx->sub) >= n;
}

static void test_aborted_turn_gives_the_same_events_again(void **state)
{
    s_fix_t *fx = *state;
    fx->hold_turns = true;
    s_start_sub(fx);
    s_source_has(fx, 3);
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_A, 0, fx->rpc_ep);
    for (uint64_t seq = 1; seq <= 3; seq++)
        s_live(fx, seq);
    assert_true(s_pump_until(fx, s_cond_batch, 3));
    as_sub_take(fx->sub, &fx->batch);
    assert_int_equal(fx->batch.n, 3);
    char ids[3][64];
    for (size_t i = 0; i < 3; i++)
        snprintf(ids[i], sizeof ids[i], "%s", fx->batch.events[i].env->id);

    /* the turn fails after writing the offsets: nothing advances */
    s_failed_turn(fx);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 0);
    assert_int_equal(s_info(fx, S_SOURCE).info.applied_seq, 0);
    assert_int_equal(as_sub_counters(fx->sub)->applied, 0);

    /* the same events come again, in order, and then commit once */
    assert_true(s_pump_until(fx, s_cond_batch, 3));
    as_sub_take(fx->sub, &fx->batch);
    assert_int_equal(fx->batch.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(fx->batch.events[i].env->seq, i + 1);
        assert_string_equal(fx->batch.events[i].env->id, ids[i]);
    }
    fx->hold_turns = false;
    s_ready(fx);
    s_assert_applied_in_order(fx, 1, 3);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 3);
    assert_int_equal(as_sub_counters(fx->sub)->applied, 3);
    assert_int_equal(fx->double_applied, 0);
}

static void test_divergence_is_written_by_the_next_turn(void **state)
{
    s_fix_t *fx = *state;
    s_start_sub(fx);
    s_source_has(fx, 2);
    s_live(fx, 1);
    s_live(fx, 2);
    s_wait_applied(fx, 2);

    /* the source's store is made anew; no turn runs meanwhile */
    fx->hold_turns = true;
    s_source_restore(fx, S_INCARNATION_B, 0, false);
    s_source_has(fx, 1);
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_B, 1, fx->rpc_ep);
    assert_true(s_pump_until(fx, s_cond_diverged, 0));
    assert_true(as_sub_turn_due(fx->sub));
    assert_false(s_stored_diverged(fx, S_SOURCE)); /* the sub wrote nothing by itself */

    /* a failed turn leaves it due */
    s_failed_turn(fx);
    assert_false(s_stored_diverged(fx, S_SOURCE));
    assert_true(as_sub_turn_due(fx->sub));

    /* the next turn records it with the offset */
    fx->hold_turns = false;
    s_ready(fx);
    assert_false(as_sub_turn_due(fx->sub));
    As__SourceOffset *off = s_stored_offset(fx, S_SOURCE);
    assert_non_null(off);
    assert_true(off->has_diverged && off->diverged);
    assert_string_equal(off->fork_incarnation, S_INCARNATION_B);
    assert_int_equal(off->fork_seq, 0);
    assert_int_equal(off->applied_seq, 2);
    as__source_offset__free_unpacked(off, NULL);
}

static void test_max_batch_one_commits_each_event(void **state)
{
    s_fix_t *fx = *state;
    fx->cfg.max_batch = 1;
    s_start_sub(fx);
    s_source_has(fx, 6);
    uint64_t commits = as_store_commits(fx->store);
    for (uint64_t seq = 1; seq <= 6; seq++)
        s_live(fx, seq);
    s_wait_applied(fx, 6);
    s_assert_applied_in_order(fx, 1, 6);
    assert_int_equal(fx->n_commits, 6);
    for (size_t i = 0; i < fx->n_commits; i++)
        assert_int_equal(fx->commit_sizes[i], 1);
    assert_int_equal(as_store_commits(fx->store) - commits, 6);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 6);
}

static void test_bad_frames_counted_and_skipped(void **state)
{
    s_fix_t *fx = *state;
    fx->cfg.max_frame = 2048;
    s_start_sub(fx);
    s_source_has(fx, 3);
    s_live(fx, 1);
    uint64_t bad = 0;
    size_t len = 0;

    /* over max_frame */
    uint8_t *big = s_pack_env(S_SOURCE, S_INCARNATION_A, 2, S_TYPE, 4096, &len);
    s_send(fx, 2, (const void *[]){S_TOPIC, big}, (size_t[]){strlen(S_TOPIC), len});
    free(big);
    bad++;
    /* does not decode */
    s_send(fx, 2, (const void *[]){S_TOPIC, "\xff\xff\xff"}, (size_t[]){strlen(S_TOPIC), 3});
    bad++;
    /* topic is not the envelope's type */
    s_send(fx, 2, (const void *[]){"src/demo.other.thing", fx->events[2]},
           (size_t[]){20, fx->event_lens[2]});
    bad++;
    /* a type outside its source's domain */
    uint8_t *foreign = s_pack_env("other@src", S_INCARNATION_A, 2, S_TYPE, 0, &len);
    s_send(fx, 2, (const void *[]){S_TOPIC, foreign}, (size_t[]){strlen(S_TOPIC), len});
    free(foreign);
    bad++;
    /* seq 0 */
    uint8_t *zero = s_pack_env(S_SOURCE, S_INCARNATION_A, 0, S_TYPE, 0, &len);
    s_send(fx, 2, (const void *[]){S_TOPIC, zero}, (size_t[]){strlen(S_TOPIC), len});
    free(zero);
    bad++;
    /* three frames, one frame */
    s_send(fx, 3, (const void *[]){S_TOPIC, fx->events[2], "x"},
           (size_t[]){strlen(S_TOPIC), fx->event_lens[2], 1});
    bad++;
    s_send(fx, 1, (const void *[]){"src/demo.x"}, (size_t[]){10});
    bad++;
    /* a topic longer than any topic (a site and a type of the longest names) */
    char topic[AS_TOPIC_MAX + 1];
    memset(topic, 'a', sizeof topic);
    memcpy(topic, "src/demo.", 9);
    s_send(fx, 2, (const void *[]){topic, fx->events[2]},
           (size_t[]){sizeof topic, fx->event_lens[2]});
    bad++;
    /* a heartbeat that does not decode */
    s_send(fx, 2, (const void *[]){"src/demo.heartbeat", "\xff\xff"}, (size_t[]){18, 2});
    bad++;
    /* the source's event 2 under a topic without a site, with an empty site,
     * of another site, of a site its site is a prefix of: the decoder refuses
     * a topic that is not "<the source's site>/<its type>" */
    static const char *const off_site[] = {S_TYPE, "/" S_TYPE, "other/" S_TYPE, "srcx/" S_TYPE};
    for (size_t i = 0; i < sizeof off_site / sizeof off_site[0]; i++) {
        s_send(fx, 2, (const void *[]){off_site[i], fx->events[2]},
               (size_t[]){strlen(off_site[i]), fx->event_lens[2]});
        bad++;
    }
    /* a heartbeat of demo@src on another site's heartbeat topic */
    uint8_t hb_buf[256];
    As__Heartbeat hb = AS__HEARTBEAT__INIT;
    hb.source = S_SOURCE;
    hb.incarnation = S_INCARNATION_A;
    hb.has_last_seq = 1;
    hb.last_seq = 3;
    size_t hb_len = as__heartbeat__pack(&hb, hb_buf);
    s_send(fx, 2, (const void *[]){"other/demo.heartbeat", hb_buf}, (size_t[]){20, hb_len});
    bad++;

    s_live(fx, 2);
    s_live(fx, 3);
    s_wait_applied(fx, 3);
    s_assert_applied_in_order(fx, 1, 3);
    assert_true(s_pump_until(fx, s_cond_rejected_frames, bad));
    assert_int_equal(as_sub_counters(fx->sub)->rejected_frames, bad);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 3);
    /* nothing of another source was taken in */
    assert_false(s_info(fx, "other@src").found);
}

static void test_replay_timeout_resends_on_new_socket(void **state)
{
    s_fix_t *fx = *state;
    fx->cfg.replay_timeout_ms = 300;
    fx->ignore_replays = 1;
    s_start_sub(fx);
    s_source_has(fx, 3);
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_A, 3, fx->rpc_ep);
    assert_true(s_pump_until(fx, s_cond_requests, 2));
    s_wait_applied(fx, 3);
    s_assert_applied_in_order(fx, 1, 3);
    assert_int_equal(fx->reqs[0].from_seq, 1);
    assert_int_equal(fx->reqs[1].from_seq, 1);
    assert_string_equal(fx->reqs[1].source, S_SOURCE);
    /* the resend came on a new connection */
    assert_false(fx->reqs[0].id_len == fx->reqs[1].id_len &&
                 memcmp(fx->reqs[0].id, fx->reqs[1].id, fx->reqs[0].id_len) == 0);
    assert_true(as_sub_counters(fx->sub)->replays_sent >= 2);
}

static void test_own_events_ignored(void **state)
{
    s_fix_t *fx = *state;
    fx->cfg.self_source = S_SOURCE;
    s_start_sub(fx);
    s_source_has(fx, 2);
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_A, 2, fx->rpc_ep);
    s_live(fx, 1);
    s_live(fx, 2);
    /* then an event of another site: once it is applied, ours were read */
    size_t len = 0;
    uint8_t *other = s_pack_env("demo@other", S_INCARNATION_B, 1, S_TYPE, 0, &len);
    s_send_as(fx, "demo@other", S_TYPE, other, len);
    free(other);
    s_wait_applied(fx, 1);
    assert_int_equal(fx->n_applied, 1);
    assert_false(s_info(fx, S_SOURCE).found);
    assert_true(s_info(fx, "demo@other").found);
    assert_int_equal(fx->n_reqs, 0);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 0);
    assert_int_equal(s_offset(fx, "demo@other", NULL, 0), 1);
}

typedef struct {
    char names[4][64];
    uint64_t events[4], heartbeats[4];
    size_t n;
} s_unfollowed_t;

static void s_unfollowed_cb(const char *source, uint64_t events, uint64_t heartbeats, void *arg)
{
    s_unfollowed_t *u = arg;
    if (u->n == 4)
        return;
    snprintf(u->names[u->n], sizeof u->names[u->n], "%s", source);
    u->events[u->n] = events;
    u->heartbeats[u->n++] = heartbeats;
}

static bool s_cond_subs(s_fix_t *fx, uint64_t n)
{
    return fx->n_subs >= n;
}

/* True when the XPUB saw exactly the subscriptions `want` (any order). */
static void s_assert_subs(s_fix_t *fx, const char *const *want, size_t n)
{
    if (fx->n_subs != n)
        fail_msg("%zu subscriptions came (first '%s'), expected %zu", fx->n_subs,
                 fx->n_subs ? fx->subs[0] : "", n);
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t k = 0; k < fx->n_subs && !found; k++)
            found = strcmp(fx->subs[k], want[i]) == 0;
        if (!found)
            fail_msg("no subscription to '%s'", want[i]);
    }
}

static void test_subscribes_to_each_followed_source(void **state)
{
    s_fix_t *fx = *state;
    /* "<site>/<service>." per source: its events and heartbeats, no other's */
    char *sources[] = {S_SOURCE, "demo@site-b", "parts@src", NULL};
    fx->cfg.sources = sources;
    s_start_sub(fx);
    assert_true(s_pump_until(fx, s_cond_subs, 3));
    s_settle(fx, 50);
    static const char *const want[] = {"src/demo.", "site-b/demo.", "src/parts."};
    s_assert_subs(fx, want, 3);
    /* a source that is not "<service>@<site>" is refused at creation */
    as_sub_destroy(&fx->sub);
    char *bad[] = {"demo", NULL};
    fx->cfg.sources = bad;
    int err = 0;
    assert_null(as_sub_new(fx->zctx, &fx->loop, fx->store, &fx->cfg, s_ready, fx, &err));
    assert_int_equal(err, AS_EINVALID);
}

static void test_every_source_of_a_domain(void **state)
{
    s_fix_t *fx = *state;
    /* sources NULL: every site's demo; no prefix names a domain of every
     * site, so the sub takes every topic and drops the other domains itself */
    s_start_sub(fx);
    static const char *const want[] = {""};
    s_settle(fx, 50);
    s_assert_subs(fx, want, 1);
    size_t len = 0;
    uint8_t *parts = s_pack_env("parts@src", S_INCARNATION_A, 1, "parts.issue.recorded", 0, &len);
    s_send_as(fx, "parts@src", "parts.issue.recorded", parts, len);
    free(parts);
    uint8_t *other = s_pack_env("demo@other", S_INCARNATION_B, 1, S_TYPE, 0, &len);
    s_send_as(fx, "demo@other", S_TYPE, other, len);
    free(other);
    s_source_has(fx, 1);
    s_live(fx, 1);
    s_wait_applied(fx, 2); /* demo@other's 1 and ours */
    s_settle(fx, 100);
    assert_int_equal(fx->n_applied, 2);
    assert_int_equal(s_offset(fx, "demo@other", NULL, 0), 1);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 1);
    assert_false(s_info(fx, "parts@src").found);
    assert_int_equal(as_sub_counters(fx->sub)->rejected_frames, 0);
    assert_int_equal(as_sub_counters(fx->sub)->unfollowed, 0);
}

static void test_other_sites_never_sent_here(void **state)
{
    s_fix_t *fx = *state;
    char *sources[] = {S_SOURCE, NULL};
    fx->cfg.sources = sources;
    fx->cfg.self_source = "sink@src";
    s_start_sub(fx);
    /* another site's demo on the same bus: an event and a heartbeat that
     * names an endpoint and a seq past it. The sub is subscribed to
     * "src/demo." only, so the XPUB (the forwarder, the publisher) never
     * sends them: they are not even counted as unfollowed */
    size_t len = 0;
    uint8_t *other = s_pack_env("demo@other", S_INCARNATION_B, 1, S_TYPE, 0, &len);
    s_send_as(fx, "demo@other", S_TYPE, other, len);
    free(other);
    s_heartbeat(fx, "demo@other", S_INCARNATION_B, 9, fx->rpc_ep);
    /* then ours: once they are applied, the other site's would have been read */
    s_source_has(fx, 2);
    s_live(fx, 1);
    s_live(fx, 2);
    s_wait_applied(fx, 2);
    s_settle(fx, 100);
    s_assert_applied_in_order(fx, 1, 2);
    assert_false(s_info(fx, "demo@other").found);
    assert_int_equal(s_offset(fx, "demo@other", NULL, 0), 0);
    for (size_t i = 0; i < fx->n_reqs; i++)
        assert_string_not_equal(fx->reqs[i].source, "demo@other");
    static const char *const want[] = {"src/demo."};
    s_assert_subs(fx, want, 1);
    assert_int_equal(as_sub_counters(fx->sub)->unfollowed, 0);
    assert_int_equal(as_sub_counters(fx->sub)->rejected_frames, 0);
    s_unfollowed_t u = {0};
    as_sub_each_unfollowed(fx->sub, s_unfollowed_cb, &u);
    assert_int_equal(u.n, 0);
}

static void test_heartbeat_on_another_services_topic_rejected(void **state)
{
    s_fix_t *fx = *state;
    s_start_sub(fx);
    /* "workshop@src" on demo's heartbeat topic: a publisher allowed to send
     * demo's heartbeats must not speak for workshop */
    s_heartbeat(fx, "workshop@src", S_INCARNATION_A, 5, fx->rpc_ep);
    if (!s_pump_until(fx, s_cond_rejected_frames, 1))
        fail_msg("the heartbeat was not rejected");
    assert_false(s_info(fx, "workshop@src").found);
    assert_int_equal(fx->n_reqs, 0);
}

static void test_replay_answer_for_another_services_source_refused(void **state)
{
    s_fix_t *fx = *state;
    /* the endpoint asked is the "parts" service's, but it answers as demo@src */
    fx->catchup[0] = fx->rpc_ep;
    fx->catchup_names[0] = "parts";
    s_source_has(fx, 3);
    s_start_sub(fx);
    if (!s_pump_until(fx, s_cond_rejected_frames, 1))
        fail_msg("the answer was not refused");
    s_settle(fx, 100);
    assert_int_equal(fx->n_applied, 0);
    assert_false(s_info(fx, S_SOURCE).found);
}

/* A malformed answer (its last event past the end, or an event in another
 * wire type after well-formed ones) is refused whole: counted once, none of
 * its events taken; the range is asked again and comes whole. */
static void s_malformed_answer_refused_whole(s_fix_t *fx, int how)
{
    fx->malformed_answers = 1;
    fx->malformed_how = how;
    s_start_sub(fx);
    s_source_has(fx, 5);
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_A, 5, fx->rpc_ep);
    /* checked as soon as it was read (the range asked again is not back yet) */
    if (!s_pump_until(fx, s_cond_rejected_frames, 1))
        fail_msg("the malformed answer was not refused");
    const as_sub_counters_t *c = as_sub_counters(fx->sub);
    assert_int_equal(c->rejected_frames, 1);
    assert_int_equal(c->forged, 0);
    assert_int_equal(c->replay_events, 0);
    assert_int_equal(fx->n_applied, 0);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 0);

    s_heartbeat(fx, S_SOURCE, S_INCARNATION_A, 5, fx->rpc_ep); /* asks again */
    s_wait_applied(fx, 5);
    s_assert_applied_in_order(fx, 1, 5);
    assert_int_equal(c->rejected_frames, 1);
    assert_true(c->replay_events >= 5);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 5);
}

static void test_replay_answer_cut_short_refused_whole(void **state)
{
    s_malformed_answer_refused_whole(*state, S_CUT_SHORT);
}

static void test_replay_answer_with_an_event_as_varint_refused_whole(void **state)
{
    s_malformed_answer_refused_whole(*state, S_EVENTS_AS_VARINT);
}

/* The events of an answer are decoded from the received message, which is
 * gone once the answer was handled: what the turn applies later is whole.
 * The answer is larger than ZeroMQ's receive buffer (8 KiB), so its message
 * has memory of its own, freed with it: under ASan, a field pointing into
 * it would be a use after free. */
static void test_replayed_events_outlive_the_answer(void **state)
{
    s_fix_t *fx = *state;
    fx->hold_turns = true;
    s_start_sub(fx);
    s_source_has_payload(fx, 6, 4096);
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_A, 6, fx->rpc_ep);
    assert_true(s_pump_until(fx, s_cond_batch, 6));
    s_settle(fx, 20); /* more messages read and freed meanwhile */
    as_sub_take(fx->sub, &fx->batch);
    assert_int_equal(fx->batch.n, 6);
    for (size_t i = 0; i < fx->batch.n; i++) {
        const As__Envelope *env = fx->batch.events[i].env;
        assert_int_equal(env->seq, i + 1);
        assert_string_equal(env->source, S_SOURCE);
        assert_string_equal(env->type, S_TYPE);
        assert_string_equal(env->incarnation, S_INCARNATION_A);
        assert_int_equal(strlen(env->id), AS_UUID_LEN);
        assert_int_equal(env->payload.len, 4096);
        for (size_t j = 0; j < env->payload.len; j++)
            assert_int_equal(env->payload.data[j], 'x');
    }
    fx->hold_turns = false;
    s_ready(fx);
    s_assert_applied_in_order(fx, 1, 6);
    assert_int_equal(as_sub_counters(fx->sub)->replay_events, 6);
}

static void test_pending_queue_holds_pending_max(void **state)
{
    s_fix_t *fx = *state;
    fx->cfg.pending_max = 4;
    s_start_sub(fx);
    s_source_has(fx, 7);
    s_live(fx, 1);
    /* 2 is lost; the sub does not know where to ask yet, so it queues */
    for (uint64_t seq = 3; seq <= 7; seq++)
        s_live(fx, seq);
    s_heartbeat(fx, S_SOURCE, S_INCARNATION_A, 7, fx->rpc_ep);
    s_wait_applied(fx, 7);
    s_assert_applied_in_order(fx, 1, 7);
    const as_sub_counters_t *c = as_sub_counters(fx->sub);
    /* 3..6 fit in the queue; only 7 overflowed and came by replay */
    assert_int_equal(c->pending_dropped, 1);
    assert_int_equal(c->gaps, 1);
    assert_int_equal(s_offset(fx, S_SOURCE, NULL, 0), 7);
}

static void test_new_fails_on_bad_endpoint(void **state)
{
    s_fix_t *fx = *state;
    char *bad[] = {"nope://x", NULL};
    fx->cfg.connect = bad;
    int err = 0;
    assert_null(as_sub_new(fx->zctx, &fx->loop, fx->store, &fx->cfg, s_ready, fx, &err));
    assert_true(err < 0);
    as_sub_t *none = NULL;
    as_sub_destroy(&none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_in_order_events_applied_once, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_duplicates_dropped, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_gap_triggers_replay, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_reveals_lost_tail, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_catchup_at_start_and_after_restart, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_catchup_pipelines_replay_requests, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_offsets_survive_restart, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_changed_incarnation_diverges, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_source_without_endpoint_is_best_effort, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_source_saying_best_effort_skips_gaps_at_once, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_restored_source_followed_when_nothing_applied_is_lost,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_restored_source_that_lost_events_diverges_until_accepted, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_accept_in_a_failed_turn_changes_nothing, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_seq_going_back_diverges, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_rejected_event_skipped_offset_advances, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_failed_batch_is_fetched_again, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_max_batch_one_commits_each_event, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_bad_frames_counted_and_skipped, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_replay_timeout_resends_on_new_socket, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_own_events_ignored, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_other_sites_never_sent_here, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_subscribes_to_each_followed_source, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_every_source_of_a_domain, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_on_another_services_topic_rejected, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_replay_answer_for_another_services_source_refused,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_replay_answer_cut_short_refused_whole, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_replay_answer_with_an_event_as_varint_refused_whole,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_replayed_events_outlive_the_answer, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_pending_queue_holds_pending_max, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_new_fails_on_bad_endpoint, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_aborted_turn_gives_the_same_events_again, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_divergence_is_written_by_the_next_turn, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
