/* test_pub.c — outbox, publish after commit, heartbeats and replay.
 *
 * Each test opens a real LMDB store in its own directory under $AS_TEST_TMP and
 * a publisher whose `connect` endpoint is a SUB socket the test binds on
 * ipc://, so what the publisher sends is read back exactly as a bus would see
 * it. Before counting events the test waits until a heartbeat gets through,
 * so the subscription is known to have reached the publisher.
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
#include <zmq.h>

#include "as/envelope.h"
#include "as/error.h"
#include "as/pub.h"
#include "as/store.h"

#define S_WAIT_MS 5000
#define S_SOURCE "demo@test-01"
#define S_TYPE "demo.tick.emitted"

/* --- fixture ----------------------------------------------------------------- */

typedef struct {
    char dir[256];
    char store_dir[512];
    char bus_ep[512];
    char svc_ep[512];
    void *zctx;
    void *sub;
    as_store_t *store;
    as_pub_t *pub;
    char *connect[2];
} s_fix_t;

static void s_fresh_dir(char *dir, size_t cap, const char *label)
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
    snprintf(dir, cap, "%s/pub-%s-XXXXXX", base, label);
    if (strlen(dir) > 70) /* ipc:// paths must fit in sun_path */
        snprintf(dir, cap, "/tmp/as-pub-%s-XXXXXX", label);
    assert_non_null(mkdtemp(dir));
}

static void s_open_pub(s_fix_t *fx)
{
    int err = 0;
    fx->store = as_store_open(fx->store_dir, NULL, 0, &err);
    assert_non_null(fx->store);
    as_pub_config_t cfg = {
        .source = S_SOURCE, .endpoint = fx->svc_ep, .connect = fx->connect, .sndhwm = 0};
    fx->pub = as_pub_new(fx->zctx, fx->store, &cfg, &err);
    assert_non_null(fx->pub);
}

static void s_close_pub(s_fix_t *fx)
{
    as_pub_destroy(&fx->pub);
    assert_null(fx->pub);
    as_store_close(&fx->store);
}

/* Receives one message of two frames; returns false when none came in
 * `timeout_ms`. */
static bool s_recv(s_fix_t *fx, int timeout_ms, char *topic, size_t topic_cap, void **body,
                   size_t *body_len)
{
    zmq_pollitem_t item = {fx->sub, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, timeout_ms) != 1)
        return false;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    assert_true(zmq_msg_recv(&msg, fx->sub, 0) >= 0);
    assert_true(zmq_msg_more(&msg));
    size_t tlen = zmq_msg_size(&msg);
    assert_true(tlen < topic_cap);
    memcpy(topic, zmq_msg_data(&msg), tlen);
    topic[tlen] = '\0';
    assert_true(zmq_msg_recv(&msg, fx->sub, 0) >= 0);
    assert_false(zmq_msg_more(&msg));
    *body_len = zmq_msg_size(&msg);
    *body = malloc(*body_len + 1);
    assert_non_null(*body);
    memcpy(*body, zmq_msg_data(&msg), *body_len);
    zmq_msg_close(&msg);
    return true;
}

/* The topics are "<site>/<rest>" (envelope.h): S_SOURCE's site is test-01. */
static bool s_is_heartbeat(const char *topic)
{
    return strcmp(topic, "test-01/demo" AS_HEARTBEAT_SUFFIX) == 0;
}

/* Sends heartbeats until one arrives: from then on nothing is lost to the
 * subscription still travelling. Reads everything up to that heartbeat. */
static void s_sync(s_fix_t *fx)
{
    for (int i = 0; i < S_WAIT_MS / 20; i++) {
        as_pub_heartbeat(fx->pub);
        char topic[256];
        void *body = NULL;
        size_t len = 0;
        if (s_recv(fx, 20, topic, sizeof topic, &body, &len)) {
            assert_true(s_is_heartbeat(topic));
            free(body);
            return;
        }
    }
    fail_msg("the publisher never reached the subscriber");
}

/* Receives the next event, skipping heartbeats; returns it decoded. */
static As__Envelope *s_next_event(s_fix_t *fx)
{
    for (;;) {
        char topic[256];
        void *body = NULL;
        size_t len = 0;
        if (!s_recv(fx, S_WAIT_MS, topic, sizeof topic, &body, &len))
            fail_msg("no event arrived");
        if (s_is_heartbeat(topic)) {
            free(body);
            continue;
        }
        int err = 0;
        As__Envelope *env = as_envelope_decode(body, len, topic, strlen(topic), &err);
        free(body);
        assert_non_null(env);
        char want[256]; /* every event under "<its source's site>/<its type>" */
        snprintf(want, sizeof want, "test-01/%s", env->type);
        assert_string_equal(topic, want);
        return env;
    }
}

/* Fails when an event (not a heartbeat left from s_sync) arrives within
 * `ms`: a negative check, so it can only fail when the code is wrong. */
static void s_assert_no_event(s_fix_t *fx, int ms)
{
    char topic[256];
    void *body = NULL;
    size_t len = 0;
    while (s_recv(fx, ms, topic, sizeof topic, &body, &len)) {
        free(body);
        if (!s_is_heartbeat(topic))
            fail_msg("'%s' was sent before its transaction was committed", topic);
    }
}

/* Sends a heartbeat and returns the next message, which must be one: proves
 * nothing else was sent before it. */
static As__Heartbeat *s_next_is_heartbeat(s_fix_t *fx)
{
    as_pub_heartbeat(fx->pub);
    char topic[256];
    void *body = NULL;
    size_t len = 0;
    assert_true(s_recv(fx, S_WAIT_MS, topic, sizeof topic, &body, &len));
    assert_string_equal(topic, "test-01/demo.heartbeat");
    As__Heartbeat *hb = as__heartbeat__unpack(NULL, len, body);
    free(body);
    assert_non_null(hb);
    return hb;
}

static int s_setup(void **state)
{
    s_fix_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    s_fresh_dir(fx->dir, sizeof fx->dir, "t");
    snprintf(fx->store_dir, sizeof fx->store_dir, "%s/store", fx->dir);
    snprintf(fx->bus_ep, sizeof fx->bus_ep, "ipc://%s/bus.ipc", fx->dir);
    snprintf(fx->svc_ep, sizeof fx->svc_ep, "ipc://%s/svc.ipc", fx->dir);
    fx->connect[0] = fx->bus_ep;
    fx->zctx = zmq_ctx_new();
    assert_non_null(fx->zctx);
    fx->sub = zmq_socket(fx->zctx, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt(fx->sub, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_setsockopt(fx->sub, ZMQ_SUBSCRIBE, "", 0), 0);
    assert_int_equal(zmq_bind(fx->sub, fx->bus_ep), 0);
    s_open_pub(fx);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    s_fix_t *fx = *state;
    if (fx->pub)
        s_close_pub(fx);
    zmq_close(fx->sub);
    zmq_ctx_term(fx->zctx);
    free(fx);
    return 0;
}

/* --- write transactions used by the tests ----------------------------------- */

typedef struct {
    s_fix_t *fx;
    int count;          /* events to emit */
    const char *type;   /* default S_TYPE */
    size_t payload_len; /* bytes of payload per event */
    int fail_with;      /* returned after emitting (0: commit) */
    uint64_t seqs[8];   /* the first seqs given out, last run */
    int runs;           /* times the function ran */
    int emit_rc;        /* first non-zero emit code */
} s_emit_args_t;

static int s_emit_txn(MDB_txn *txn, void *arg)
{
    s_emit_args_t *a = arg;
    a->runs++;
    as_pub_begin(a->fx->pub);
    unsigned char *payload = NULL;
    if (a->payload_len) {
        payload = malloc(a->payload_len);
        assert_non_null(payload);
        memset(payload, 'p', a->payload_len);
    }
    int rc = 0;
    for (int i = 0; i < a->count; i++) {
        char subject[32];
        snprintf(subject, sizeof subject, "RO-%d", i + 1);
        as_event_t ev = {.type = a->type ? a->type : S_TYPE,
                         .subject = subject,
                         .actor = "staff-7",
                         .correlation_id = "corr-1",
                         .causation_id = "cause-1",
                         .payload = payload,
                         .payload_len = a->payload_len};
        uint64_t seq = 0;
        rc = as_pub_emit(a->fx->pub, txn, &ev, &seq);
        if (rc != 0) {
            a->emit_rc = rc;
            break;
        }
        if (i < 8)
            a->seqs[i] = seq;
    }
    free(payload);
    if (rc == 0 && a->fail_with)
        rc = a->fail_with;
    return rc;
}

/* Emits `count` events in one transaction and publishes them. */
static void s_emit_committed(s_fix_t *fx, int count)
{
    s_emit_args_t a = {.fx = fx, .count = count};
    assert_int_equal(as_store_write(fx->store, s_emit_txn, &a), 0);
    as_pub_committed(fx->pub);
}

static int s_outbox_last_txn(MDB_txn *txn, void *arg)
{
    void **p = arg;
    return as_outbox_last(p[0], txn, p[1]);
}

static uint64_t s_outbox_last(s_fix_t *fx)
{
    uint64_t last = 99999;
    void *args[2] = {fx->store, &last};
    assert_int_equal(as_store_read(fx->store, s_outbox_last_txn, args), 0);
    return last;
}

/* --- tests ------------------------------------------------------------------- */

static void test_emit_sends_after_commit(void **state)
{
    s_fix_t *fx = *state;
    s_sync(fx);
    assert_int_equal(as_pub_last_seq(fx->pub), 0);
    assert_string_equal(as_pub_source(fx->pub), S_SOURCE);

    const unsigned char payload[] = {0x08, 0x2a};
    s_emit_args_t a = {.fx = fx, .count = 3, .payload_len = 0};
    assert_int_equal(as_store_write(fx->store, s_emit_txn, &a), 0);
    assert_int_equal(a.seqs[0], 1);
    assert_int_equal(a.seqs[1], 2);
    assert_int_equal(a.seqs[2], 3);
    /* committed to the outbox, but not sent before as_pub_committed */
    assert_int_equal(s_outbox_last(fx), 3);
    assert_int_equal(as_pub_last_seq(fx->pub), 0);
    s_assert_no_event(fx, 100);

    as_pub_committed(fx->pub);
    assert_int_equal(as_pub_last_seq(fx->pub), 3);
    for (uint64_t seq = 1; seq <= 3; seq++) {
        As__Envelope *env = s_next_event(fx);
        assert_int_equal(env->seq, seq);
        assert_string_equal(env->type, S_TYPE);
        assert_string_equal(env->source, S_SOURCE);
        assert_string_equal(env->incarnation, as_store_incarnation(fx->store));
        assert_int_equal(strlen(env->id), AS_UUID_LEN);
        char subject[32];
        snprintf(subject, sizeof subject, "RO-%d", (int)seq);
        assert_string_equal(env->subject, subject);
        assert_string_equal(env->actor, "staff-7");
        assert_string_equal(env->correlation_id, "corr-1");
        assert_string_equal(env->causation_id, "cause-1");
        assert_int_equal(env->schema_version, 1);
        assert_true(env->time_us > 0);
        assert_false(env->has_payload);
        as__envelope__free_unpacked(env, NULL);
    }

    /* a payload and a schema version travel as given */
    as_pub_begin(fx->pub);
    MDB_txn *txn = NULL;
    assert_int_equal(mdb_txn_begin(as_store_env(fx->store), NULL, 0, &txn), 0);
    as_event_t ev = {.type = "demo.tock.emitted",
                     .schema_version = 4,
                     .payload = payload,
                     .payload_len = sizeof payload};
    uint64_t seq = 0;
    assert_int_equal(as_pub_emit(fx->pub, txn, &ev, &seq), 0);
    assert_int_equal(seq, 4);
    assert_int_equal(as_pub_emit(fx->pub, txn, &ev, NULL), 0); /* seq_out may be NULL */
    assert_int_equal(mdb_txn_commit(txn), 0);
    as_pub_committed(fx->pub);
    for (uint64_t s = 4; s <= 5; s++) {
        As__Envelope *env = s_next_event(fx);
        assert_int_equal(env->seq, s);
        assert_string_equal(env->type, "demo.tock.emitted");
        assert_int_equal(env->schema_version, 4);
        assert_true(env->has_payload);
        assert_int_equal(env->payload.len, sizeof payload);
        assert_memory_equal(env->payload.data, payload, sizeof payload);
        assert_null(env->subject);
        as__envelope__free_unpacked(env, NULL);
    }
    As__Heartbeat *hb = s_next_is_heartbeat(fx);
    assert_int_equal(hb->last_seq, 5);
    as__heartbeat__free_unpacked(hb, NULL);
    assert_int_equal(as_pub_send_dropped(fx->pub), 0);
}

static void test_seq_gapless_across_reopen(void **state)
{
    s_fix_t *fx = *state;
    s_emit_committed(fx, 2);
    char incarnation[AS_INCARNATION_LEN + 1];
    snprintf(incarnation, sizeof incarnation, "%s", as_store_incarnation(fx->store));
    s_close_pub(fx);

    s_open_pub(fx);
    assert_string_equal(as_store_incarnation(fx->store), incarnation);
    assert_int_equal(as_pub_last_seq(fx->pub), 2);
    s_sync(fx);
    s_emit_args_t a = {.fx = fx, .count = 2};
    assert_int_equal(as_store_write(fx->store, s_emit_txn, &a), 0);
    as_pub_committed(fx->pub);
    assert_int_equal(a.seqs[0], 3);
    assert_int_equal(a.seqs[1], 4);
    for (uint64_t seq = 3; seq <= 4; seq++) {
        As__Envelope *env = s_next_event(fx);
        assert_int_equal(env->seq, seq);
        assert_string_equal(env->incarnation, incarnation);
        as__envelope__free_unpacked(env, NULL);
    }
    assert_int_equal(s_outbox_last(fx), 4);
}

static void test_aborted_events_are_forgotten_and_seqs_reused(void **state)
{
    s_fix_t *fx = *state;
    s_sync(fx);
    s_emit_committed(fx, 1);
    As__Envelope *env = s_next_event(fx);
    assert_int_equal(env->seq, 1);
    as__envelope__free_unpacked(env, NULL);

    /* a transaction that emits and then fails for good */
    s_emit_args_t bad = {.fx = fx, .count = 3, .fail_with = AS_ECONFLICT};
    assert_int_equal(as_store_write(fx->store, s_emit_txn, &bad), AS_ECONFLICT);
    assert_int_equal(bad.seqs[0], 2);
    as_pub_aborted(fx->pub);
    assert_int_equal(as_pub_last_seq(fx->pub), 1);
    assert_int_equal(s_outbox_last(fx), 1);

    /* the next transaction gets the same seqs; only its events are sent */
    s_emit_args_t good = {.fx = fx, .count = 1, .type = "demo.tock.emitted"};
    assert_int_equal(as_store_write(fx->store, s_emit_txn, &good), 0);
    assert_int_equal(good.seqs[0], 2);
    as_pub_committed(fx->pub);
    env = s_next_event(fx);
    assert_int_equal(env->seq, 2);
    assert_string_equal(env->type, "demo.tock.emitted");
    as__envelope__free_unpacked(env, NULL);
    As__Heartbeat *hb = s_next_is_heartbeat(fx);
    assert_int_equal(hb->last_seq, 2);
    as__heartbeat__free_unpacked(hb, NULL);

    /* as_pub_begin alone forgets an earlier run (a committed-nothing abort) */
    MDB_txn *txn = NULL;
    assert_int_equal(mdb_txn_begin(as_store_env(fx->store), NULL, 0, &txn), 0);
    as_pub_begin(fx->pub);
    as_event_t ev = {.type = S_TYPE, .subject = "dropped"};
    uint64_t seq = 0;
    assert_int_equal(as_pub_emit(fx->pub, txn, &ev, &seq), 0);
    assert_int_equal(seq, 3);
    mdb_txn_abort(txn);
    assert_int_equal(mdb_txn_begin(as_store_env(fx->store), NULL, 0, &txn), 0);
    as_pub_begin(fx->pub);
    ev.subject = "kept";
    assert_int_equal(as_pub_emit(fx->pub, txn, &ev, &seq), 0);
    assert_int_equal(seq, 3);
    assert_int_equal(mdb_txn_commit(txn), 0);
    as_pub_committed(fx->pub);
    env = s_next_event(fx);
    assert_int_equal(env->seq, 3);
    assert_string_equal(env->subject, "kept");
    as__envelope__free_unpacked(env, NULL);
    hb = s_next_is_heartbeat(fx);
    assert_int_equal(hb->last_seq, 3);
    as__heartbeat__free_unpacked(hb, NULL);
}

static void test_map_full_retry_keeps_seqs_gapless(void **state)
{
    s_fix_t *fx = *state;
    s_close_pub(fx);
    /* a tiny map: one transaction of 300 events of 1 KiB outgrows it */
    int err = 0;
    snprintf(fx->store_dir, sizeof fx->store_dir, "%s/small", fx->dir);
    fx->store = as_store_open(fx->store_dir, NULL, 64 << 10, &err);
    assert_non_null(fx->store);
    as_pub_config_t cfg = {.source = S_SOURCE, .endpoint = fx->svc_ep, .connect = fx->connect};
    fx->pub = as_pub_new(fx->zctx, fx->store, &cfg, &err);
    assert_non_null(fx->pub);
    s_sync(fx);

    s_emit_args_t a = {.fx = fx, .count = 300, .payload_len = 1024};
    assert_int_equal(as_store_write(fx->store, s_emit_txn, &a), 0);
    assert_true(as_store_grows(fx->store) > 0);
    assert_true(a.runs > 1);
    as_pub_committed(fx->pub);
    assert_int_equal(as_pub_last_seq(fx->pub), 300);
    assert_int_equal(s_outbox_last(fx), 300);
    for (uint64_t seq = 1; seq <= 300; seq++) {
        As__Envelope *env = s_next_event(fx);
        assert_int_equal(env->seq, seq);
        as__envelope__free_unpacked(env, NULL);
    }
    As__Heartbeat *hb = s_next_is_heartbeat(fx);
    assert_int_equal(hb->last_seq, 300);
    as__heartbeat__free_unpacked(hb, NULL);
}

static void test_mark_and_rollback(void **state)
{
    s_fix_t *fx = *state;
    s_sync(fx);
    MDB_txn *txn = NULL, *child = NULL;
    assert_int_equal(mdb_txn_begin(as_store_env(fx->store), NULL, 0, &txn), 0);
    as_pub_begin(fx->pub);
    as_event_t a = {.type = "demo.a.done", .subject = "A"};
    as_event_t b = {.type = "demo.b.done", .subject = "B"};
    as_event_t c = {.type = "demo.c.done", .subject = "C"};
    uint64_t seq = 0;
    assert_int_equal(as_pub_emit(fx->pub, txn, &a, &seq), 0);
    assert_int_equal(seq, 1);

    as_pub_mark_t mark = as_pub_mark(fx->pub);
    assert_int_equal(mdb_txn_begin(as_store_env(fx->store), txn, 0, &child), 0);
    assert_int_equal(as_pub_emit(fx->pub, child, &b, &seq), 0);
    assert_int_equal(seq, 2);
    assert_int_equal(as_pub_emit(fx->pub, child, &b, &seq), 0);
    assert_int_equal(seq, 3);
    mdb_txn_abort(child);
    as_pub_rollback(fx->pub, mark);

    assert_int_equal(as_pub_emit(fx->pub, txn, &c, &seq), 0);
    assert_int_equal(seq, 2);
    assert_int_equal(mdb_txn_commit(txn), 0);
    as_pub_committed(fx->pub);
    assert_int_equal(as_pub_last_seq(fx->pub), 2);
    assert_int_equal(s_outbox_last(fx), 2);

    As__Envelope *env = s_next_event(fx);
    assert_int_equal(env->seq, 1);
    assert_string_equal(env->type, "demo.a.done");
    as__envelope__free_unpacked(env, NULL);
    env = s_next_event(fx);
    assert_int_equal(env->seq, 2);
    assert_string_equal(env->type, "demo.c.done");
    assert_string_equal(env->subject, "C");
    as__envelope__free_unpacked(env, NULL);
    As__Heartbeat *hb = s_next_is_heartbeat(fx);
    assert_int_equal(hb->last_seq, 2);
    as__heartbeat__free_unpacked(hb, NULL);
}

static void test_emit_outside_domain_is_refused(void **state)
{
    s_fix_t *fx = *state;
    MDB_txn *txn = NULL;
    assert_int_equal(mdb_txn_begin(as_store_env(fx->store), NULL, 0, &txn), 0);
    as_pub_begin(fx->pub);
    const char *bad_types[] = {"workshop.qc.passed", "demo.heartbeat", "demo",
                               "Demo.tick.done",     "demo..tick",     "demox.tick.done"};
    for (size_t i = 0; i < sizeof bad_types / sizeof bad_types[0]; i++) {
        as_event_t ev = {.type = bad_types[i]};
        uint64_t seq = 77;
        assert_int_equal(as_pub_emit(fx->pub, txn, &ev, &seq), AS_EINVALID);
        assert_int_equal(seq, 77);
    }
    /* nothing was appended and no seq was used */
    as_event_t ok = {.type = S_TYPE};
    uint64_t seq = 0;
    assert_int_equal(as_pub_emit(fx->pub, txn, &ok, &seq), 0);
    assert_int_equal(seq, 1);
    assert_int_equal(mdb_txn_commit(txn), 0);
    as_pub_committed(fx->pub);
    assert_int_equal(s_outbox_last(fx), 1);

    /* a source that is not "<service>@<site>" is refused at creation */
    const char *bad_sources[] = {"demo", "demo@", "@site", "de.mo@site", "Demo@site"};
    for (size_t i = 0; i < sizeof bad_sources / sizeof bad_sources[0]; i++) {
        as_pub_config_t cfg = {.source = bad_sources[i], .endpoint = fx->svc_ep};
        int err = 0;
        assert_null(as_pub_new(fx->zctx, fx->store, &cfg, &err));
        assert_int_equal(err, AS_EINVALID);
    }
    /* and so is a bus endpoint that cannot be connected */
    char *bad_connect[] = {"nope://x", NULL};
    as_pub_config_t cfg = {.source = S_SOURCE, .endpoint = fx->svc_ep, .connect = bad_connect};
    int err = 0;
    assert_null(as_pub_new(fx->zctx, fx->store, &cfg, &err));
    assert_true(err < 0);
}

static void test_heartbeat_carries_committed_seq(void **state)
{
    s_fix_t *fx = *state;
    s_sync(fx);
    As__Heartbeat *hb = s_next_is_heartbeat(fx);
    assert_string_equal(hb->source, S_SOURCE);
    assert_string_equal(hb->incarnation, as_store_incarnation(fx->store));
    assert_string_equal(hb->endpoint, fx->svc_ep);
    assert_true(hb->has_last_seq);
    assert_int_equal(hb->last_seq, 0);
    assert_true(hb->time_us > 0);
    assert_false(hb->has_best_effort && hb->best_effort);
    as__heartbeat__free_unpacked(hb, NULL);

    s_emit_committed(fx, 3);
    for (int i = 0; i < 3; i++)
        as__envelope__free_unpacked(s_next_event(fx), NULL);
    hb = s_next_is_heartbeat(fx);
    assert_int_equal(hb->last_seq, 3);
    as__heartbeat__free_unpacked(hb, NULL);

    /* events emitted but not committed yet are not announced */
    MDB_txn *txn = NULL;
    assert_int_equal(mdb_txn_begin(as_store_env(fx->store), NULL, 0, &txn), 0);
    as_pub_begin(fx->pub);
    as_event_t ev = {.type = S_TYPE};
    assert_int_equal(as_pub_emit(fx->pub, txn, &ev, NULL), 0);
    hb = s_next_is_heartbeat(fx);
    assert_int_equal(hb->last_seq, 3);
    as__heartbeat__free_unpacked(hb, NULL);
    mdb_txn_abort(txn);
    as_pub_aborted(fx->pub);
    hb = s_next_is_heartbeat(fx);
    assert_int_equal(hb->last_seq, 3);
    as__heartbeat__free_unpacked(hb, NULL);
}

static As__ReplayResponse *s_replay(s_fix_t *fx, const char *source, uint64_t from_seq,
                                    uint32_t max_events, size_t max_bytes)
{
    As__ReplayRequest req = AS__REPLAY_REQUEST__INIT;
    req.source = (char *)source;
    req.has_from_seq = 1;
    req.from_seq = from_seq;
    if (max_events) {
        req.has_max_events = 1;
        req.max_events = max_events;
    }
    void *out = NULL;
    size_t len = 0;
    assert_int_equal(as_pub_replay(fx->pub, &req, max_bytes, &out, &len), 0);
    assert_non_null(out);
    As__ReplayResponse *resp = as__replay_response__unpack(NULL, len, out);
    free(out);
    assert_non_null(resp);
    return resp;
}

static void s_assert_events(const As__ReplayResponse *resp, uint64_t first, size_t count)
{
    assert_int_equal(resp->n_events, count);
    for (size_t i = 0; i < count; i++) {
        int err = 0;
        As__Envelope *env =
            as_envelope_decode(resp->events[i].data, resp->events[i].len, NULL, 0, &err);
        assert_non_null(env);
        assert_int_equal(env->seq, first + i);
        assert_string_equal(env->source, S_SOURCE);
        as__envelope__free_unpacked(env, NULL);
    }
}

static void test_replay_from_outbox(void **state)
{
    s_fix_t *fx = *state;
    s_emit_committed(fx, 7);

    As__ReplayResponse *resp = s_replay(fx, S_SOURCE, 3, 0, 1 << 20);
    assert_null(resp->error);
    assert_string_equal(resp->source, S_SOURCE);
    assert_string_equal(resp->incarnation, as_store_incarnation(fx->store));
    assert_int_equal(resp->last_seq, 7);
    s_assert_events(resp, 3, 5);
    as__replay_response__free_unpacked(resp, NULL);

    /* max_events */
    resp = s_replay(fx, S_SOURCE, 3, 2, 1 << 20);
    s_assert_events(resp, 3, 2);
    assert_int_equal(resp->last_seq, 7);
    as__replay_response__free_unpacked(resp, NULL);

    /* about max_bytes, but at least one event */
    resp = s_replay(fx, S_SOURCE, 2, 0, 1);
    s_assert_events(resp, 2, 1);
    as__replay_response__free_unpacked(resp, NULL);

    /* an empty source asks whoever answers */
    resp = s_replay(fx, NULL, 6, 0, 1 << 20);
    assert_null(resp->error);
    s_assert_events(resp, 6, 2);
    as__replay_response__free_unpacked(resp, NULL);

    /* from_seq 0: only the last seq */
    resp = s_replay(fx, S_SOURCE, 0, 0, 1 << 20);
    assert_null(resp->error);
    assert_int_equal(resp->n_events, 0);
    assert_int_equal(resp->last_seq, 7);
    as__replay_response__free_unpacked(resp, NULL);

    /* beyond the end: nothing, and the last seq */
    resp = s_replay(fx, S_SOURCE, 8, 0, 1 << 20);
    assert_null(resp->error);
    assert_int_equal(resp->n_events, 0);
    assert_int_equal(resp->last_seq, 7);
    as__replay_response__free_unpacked(resp, NULL);

    /* a request naming another source gets an error and no events */
    resp = s_replay(fx, "workshop@test-01", 1, 0, 1 << 20);
    assert_non_null(resp->error);
    assert_true(strlen(resp->error) > 0);
    assert_int_equal(resp->n_events, 0);
    assert_int_equal(resp->last_seq, 7);
    assert_string_equal(resp->source, S_SOURCE);
    as__replay_response__free_unpacked(resp, NULL);
}

static void test_replay_is_capped_at_5000(void **state)
{
    s_fix_t *fx = *state;
    s_emit_committed(fx, 5200);
    As__ReplayResponse *resp = s_replay(fx, S_SOURCE, 1, 0, 64 << 20);
    assert_int_equal(resp->last_seq, 5200);
    s_assert_events(resp, 1, 5000);
    as__replay_response__free_unpacked(resp, NULL);

    resp = s_replay(fx, S_SOURCE, 1, 10000, 64 << 20);
    assert_int_equal(resp->n_events, 5000);
    as__replay_response__free_unpacked(resp, NULL);

    resp = s_replay(fx, S_SOURCE, 5001, 10000, 64 << 20);
    s_assert_events(resp, 5001, 200);
    as__replay_response__free_unpacked(resp, NULL);
}

static void test_empty_outbox(void **state)
{
    s_fix_t *fx = *state;
    As__ReplayResponse *resp = s_replay(fx, S_SOURCE, 1, 0, 1 << 20);
    assert_null(resp->error);
    assert_true(resp->has_last_seq);
    assert_int_equal(resp->last_seq, 0);
    assert_int_equal(resp->n_events, 0);
    as__replay_response__free_unpacked(resp, NULL);
    /* committing nothing publishes nothing and keeps the seq */
    as_pub_begin(fx->pub);
    as_pub_committed(fx->pub);
    assert_int_equal(as_pub_last_seq(fx->pub), 0);
    as_pub_t *none = NULL;
    as_pub_destroy(&none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_emit_sends_after_commit, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_seq_gapless_across_reopen, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_aborted_events_are_forgotten_and_seqs_reused, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_map_full_retry_keeps_seqs_gapless, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_mark_and_rollback, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_emit_outside_domain_is_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_carries_committed_seq, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_replay_from_outbox, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_replay_is_capped_at_5000, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_empty_outbox, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
