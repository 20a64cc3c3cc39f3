/* test_service.c — one daemon's runtime: commands, idempotency, events,
 * status, replay and stop.
 *
 * A small service ("tsvc") is defined here: tsvc.put writes a record and
 * emits an event, tsvc.put_fail writes and emits and then fails, tsvc.get
 * reads, and an event handler applies "up.thing.happened". Each test runs it
 * with as_service_run on its own thread (created, run and destroyed there, as
 * its ZeroMQ context and loop belong to that thread); the test thread talks to
 * it only through sockets: the rpc client on its ipc:// service endpoint, a SUB
 * bound where the service publishes, and an XPUB bound where it subscribes.
 * Stopping goes through a uv_async made in on_start, which calls
 * as_service_stop on the service's thread. Every wait has a deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <uv.h>
#include <zmq.h>

#include "as/calendar.h"
#include "as/catalog.h"
#include "as/config.h"
#include "as/envelope.h"
#include "as/error.h"
#include "as/pb/demo.pb-c.h"
#include "as/rpc.h"
#include "as/service.h"
#include "as/staff.h"
#include "as/store.h"

#define S_WAIT_MS 10000
/* The test client keeps one connection while tests stop and start the
 * service under it. A request sent just as the stopped service's connection
 * dies can be lost with it (the client's socket may still write to the old
 * connection before it sees it closed), so the client sends again after
 * S_WAIT_MS, as every long-lived client does (the Lazy Pirate pattern of
 * as_rpc_call; as-web's gateway). A service that never answers still fails. */
#define S_TRIES 2
#define S_GUARD_MS 60000
#define S_SOURCE "tsvc@test"
#define S_UP_SOURCE "up@far"
#define S_UP_INCARNATION "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"

typedef struct {
    char dir[256];
    char svc_ep[512];
    char bus_in[512];  /* where the service publishes (a SUB the test binds) */
    char bus_out[512]; /* where the service subscribes (an XPUB the test binds) */
    char data_dir[512];
    void *zctx;
    void *bus_sub;
    void *bus_xpub;
    as_config_t *cfg;
    as_service_def_t def;
    as_rpc_client_t *client;
    void *dealer; /* a raw client socket of a test, closed at teardown */
    pthread_t thread;
    bool running;
    /* shared with the service's thread (under mu) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state; /* 0 starting, 1 running, 2 failed to start */
    int err;
    bool run_returned;
    bool guard_fired;
    int on_stop_calls;
    int put_runs;
    /* touched only on the service's thread after on_start */
    uv_async_t stop;
    uv_timer_t guard;
} s_fix_t;

/* --- the service under test ----------------------------------------------------- */

static s_fix_t *s_fix_of(as_service_t *svc)
{
    return as_service_user(svc);
}

static int s_cmd_put_common(as_cmd_t *cmd, bool fail)
{
    if (!cmd->payload || cmd->payload_len == 0 || cmd->payload_len > 64)
        return as_cmd_fail(cmd, AS_EINVALID, "a key of 1 to 64 bytes is required");
    char key[65];
    memcpy(key, cmd->payload, cmd->payload_len);
    key[cmd->payload_len] = '\0';
    s_fix_t *fx = s_fix_of(cmd->svc);
    pthread_mutex_lock(&fx->mu);
    fx->put_runs++;
    pthread_mutex_unlock(&fx->mu);
    MDB_dbi dbi = as_store_dbi(as_service_store(cmd->svc), "items");
    MDB_val k = {cmd->payload_len, (void *)cmd->payload};
    MDB_val v = {strlen(cmd->actor), (void *)cmd->actor};
    int rc = mdb_put(cmd->txn, dbi, &k, &v, 0);
    if (rc != 0)
        return rc;
    if ((rc = as_cmd_emit(cmd, "tsvc.item.stored", key, NULL)) != 0)
        return rc;
    if (fail)
        return as_cmd_fail(cmd, AS_ECONFLICT, "item '%s' is locked", key);
    MDB_stat st;
    if ((rc = mdb_stat(cmd->txn, dbi, &st)) != 0)
        return rc;
    As__DemoTick reply = AS__DEMO_TICK__INIT;
    reply.has_number = 1;
    reply.number = st.ms_entries;
    return as_cmd_reply(cmd, &reply.base);
}

static int s_cmd_put(as_cmd_t *cmd)
{
    return s_cmd_put_common(cmd, false);
}

static int s_cmd_put_fail(as_cmd_t *cmd)
{
    return s_cmd_put_common(cmd, true);
}

/* "tsvc.dated": answers when it happened (seconds) and emits an event for it. */
static int s_cmd_dated(as_cmd_t *cmd)
{
    As__DemoTick reply = AS__DEMO_TICK__INIT;
    reply.has_number = 1;
    reply.number = (uint64_t)(as_cmd_time(cmd) / 1000000);
    int rc = as_cmd_emit(cmd, "tsvc.item.stored", "dated", NULL);
    return rc != 0 ? rc : as_cmd_reply(cmd, &reply.base);
}

/* "tsvc.dated_field": a request whose own field (number: seconds) says when it
 * happened; answers as tsvc.dated. */
static int s_cmd_dated_field(as_cmd_t *cmd)
{
    const As__DemoTick *req = (const As__DemoTick *)cmd->request;
    int rc = as_cmd_happened_at(cmd, (int64_t)req->number * 1000000);
    return rc != 0 ? rc : s_cmd_dated(cmd);
}

static int s_cmd_get(as_cmd_t *cmd)
{
    MDB_dbi dbi = as_store_dbi(as_service_store(cmd->svc), "items");
    MDB_val k = {cmd->payload_len, (void *)cmd->payload}, v;
    As__DemoTick reply = AS__DEMO_TICK__INIT;
    reply.has_number = 1;
    int rc = cmd->payload_len ? mdb_get(cmd->txn, dbi, &k, &v) : MDB_NOTFOUND;
    if (rc == 0) {
        reply.number = 1;
        reply.has_padding = 1;
        reply.padding.data = v.mv_data;
        reply.padding.len = v.mv_size;
    } else if (rc != MDB_NOTFOUND) {
        return rc;
    }
    return as_cmd_reply(cmd, &reply.base);
}

/* tsvc.guarded: tsvc.put for advisors only (the real role check). */
static int s_cmd_guarded(as_cmd_t *cmd)
{
    int rc = as_cmd_require(cmd, AS_ROLE_ADVISOR);
    return rc != 0 ? rc : s_cmd_put_common(cmd, false);
}

/* The code a buggy handler returns: named by the payload. */
static int s_stray_code(const as_cmd_t *cmd)
{
    static const struct {
        const char *name;
        int code;
    } codes[] = {{"notfound", MDB_NOTFOUND}, {"keyexist", MDB_KEYEXIST}, {"einval", -EINVAL},
                 {"positive", 40000},        {"unknown", -12345},        {"retry", AS_ERETRY}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (cmd->payload_len == strlen(codes[i].name) &&
            memcmp(cmd->payload, codes[i].name, cmd->payload_len) == 0)
            return codes[i].code;
    return MDB_NOTFOUND;
}

/* tsvc.stray: writes and emits, then returns a code no handler should (a bug). */
static int s_cmd_stray(as_cmd_t *cmd)
{
    MDB_val k = {6, "stray!"}, v = {1, "x"};
    int rc = mdb_put(cmd->txn, as_store_dbi(as_service_store(cmd->svc), "items"), &k, &v, 0);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "tsvc.item.stored", "stray!", NULL);
    return rc != 0 ? rc : s_stray_code(cmd);
}

/* tsvc.nap: holds the loop for a moment, so that what is sent meanwhile waits
 * for the next turn together. */
static int s_cmd_nap(as_cmd_t *cmd)
{
    struct timespec ts = {0, 300 * 1000000L};
    nanosleep(&ts, NULL);
    return 0;
}

/* tsvc.typed: for advisors (the catalog's roles, checked by the runtime); the
 * runtime decodes its DemoTick. Replies number + 1. */
static int s_cmd_typed(as_cmd_t *cmd)
{
    const As__DemoTick *req = (const As__DemoTick *)cmd->request;
    As__DemoTick reply = AS__DEMO_TICK__INIT;
    reply.has_number = 1;
    reply.number = req->number + 1;
    return as_cmd_reply(cmd, &reply.base);
}

/* tsvc.peek: a query (catalog) that writes the key in its padding anyway and
 * emits, then replies how many records it sees: none of that may last. */
static int s_cmd_peek(as_cmd_t *cmd)
{
    const As__DemoTick *req = (const As__DemoTick *)cmd->request;
    MDB_dbi dbi = as_store_dbi(as_service_store(cmd->svc), "items");
    MDB_val k = {req->padding.len, req->padding.data}, v = {1, "x"};
    int rc = mdb_put(cmd->txn, dbi, &k, &v, 0);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "tsvc.item.stored", "peek", NULL);
    MDB_stat st;
    if (rc != 0 || (rc = mdb_stat(cmd->txn, dbi, &st)) != 0)
        return rc;
    As__DemoTick reply = AS__DEMO_TICK__INIT;
    reply.has_number = 1;
    reply.number = st.ms_entries;
    return as_cmd_reply(cmd, &reply.base);
}

static int s_evt_thing(as_evt_t *evt)
{
    char key[64];
    snprintf(key, sizeof key, "evt:%llu", (unsigned long long)evt->env->seq);
    MDB_val k = {strlen(key), key};
    MDB_val v = {strlen(evt->env->source), evt->env->source};
    int rc = mdb_put(evt->txn, as_store_dbi(as_service_store(evt->svc), "items"), &k, &v, 0);
    if (rc != 0)
        return rc;
    return as_evt_emit(evt, "tsvc.item.seen", key, NULL);
}

/* "up.thing.ticked": the runtime has decoded the DemoTick; writes "tick:<number>". */
static int s_evt_ticked(as_evt_t *evt)
{
    const As__DemoTick *tick = (const As__DemoTick *)evt->payload;
    assert_non_null(tick);
    char key[64];
    snprintf(key, sizeof key, "tick:%llu", (unsigned long long)tick->number);
    MDB_val k = {strlen(key), key}, v = {1, "t"};
    return mdb_put(evt->txn, as_store_dbi(as_service_store(evt->svc), "items"), &k, &v, 0);
}

/* "up.thing.stray": writes, then returns MDB_NOTFOUND (a handler's bug). */
static int s_evt_stray(as_evt_t *evt)
{
    char key[64];
    snprintf(key, sizeof key, "stray:%llu", (unsigned long long)evt->env->seq);
    MDB_val k = {strlen(key), key}, v = {1, "x"};
    int rc = mdb_put(evt->txn, as_store_dbi(as_service_store(evt->svc), "items"), &k, &v, 0);
    return rc != 0 ? rc : MDB_NOTFOUND;
}

static void s_stop_cb(uv_async_t *async)
{
    as_service_stop(async->data);
}

static void s_guard_cb(uv_timer_t *timer)
{
    as_service_t *svc = timer->data;
    s_fix_t *fx = s_fix_of(svc);
    pthread_mutex_lock(&fx->mu);
    fx->guard_fired = true;
    pthread_mutex_unlock(&fx->mu);
    as_service_stop(svc);
}

static int s_on_start(as_service_t *svc)
{
    s_fix_t *fx = s_fix_of(svc);
    uv_async_init(as_service_loop(svc), &fx->stop, s_stop_cb);
    fx->stop.data = svc;
    uv_timer_init(as_service_loop(svc), &fx->guard);
    fx->guard.data = svc;
    uv_timer_start(&fx->guard, s_guard_cb, S_GUARD_MS, 0);
    uv_unref((uv_handle_t *)&fx->guard);
    return 0;
}

static void s_on_stop(as_service_t *svc)
{
    s_fix_t *fx = s_fix_of(svc);
    pthread_mutex_lock(&fx->mu);
    fx->on_stop_calls++;
    pthread_mutex_unlock(&fx->mu);
}

static const char *const s_dbs[] = {"items", NULL};
static const as_command_def_t s_commands[] = {
    {"tsvc.put", s_cmd_put},
    {"tsvc.put_fail", s_cmd_put_fail},
    {"tsvc.get", s_cmd_get},
    {".put_relative", s_cmd_put}, /* "tsvc.put_relative": named after the service */
    {"tsvc.guarded", s_cmd_guarded},
    {"tsvc.stray", s_cmd_stray},
    {"tsvc.nap", s_cmd_nap},
    {"tsvc.typed", s_cmd_typed},
    {"tsvc.peek", s_cmd_peek},
    {"tsvc.dated", s_cmd_dated},
    {"tsvc.dated_field", s_cmd_dated_field},
    {NULL, NULL},
};

/* tsvc's part of the catalog: the untyped commands take raw bytes (no request
 * message) and leave roles to their handlers. */
static const as_command_info_t s_catalog_commands[] = {
    {"tsvc.put", "tsvc", NULL, &as__demo_tick__descriptor, "write a key"},
    {"tsvc.put_fail", "tsvc", NULL, NULL, "write a key, then fail"},
    {"tsvc.get", "tsvc", NULL, &as__demo_tick__descriptor, "read a key"},
    {"tsvc.put_relative", "tsvc", NULL, &as__demo_tick__descriptor, "tsvc.put by a relative name"},
    {"tsvc.guarded", "tsvc", NULL, &as__demo_tick__descriptor, "tsvc.put, for advisors"},
    {"tsvc.stray", "tsvc", NULL, NULL, "return a code no handler should"},
    {"tsvc.nap", "tsvc", NULL, NULL, "hold the loop a moment"},
    {"tsvc.typed", "tsvc", &as__demo_tick__descriptor, &as__demo_tick__descriptor,
     "number + 1, for advisors", AS_ROLE_ADVISOR, false},
    {"tsvc.peek", "tsvc", &as__demo_tick__descriptor, &as__demo_tick__descriptor,
     "a query that tries to write", 0, true},
    {"tsvc.dated", "tsvc", NULL, &as__demo_tick__descriptor, "records a thing that happened", 0,
     false, true},
    {"tsvc.dated_field", "tsvc", &as__demo_tick__descriptor, &as__demo_tick__descriptor,
     "records a thing that happened at the time its request gives", 0, false, true},
};
static const as_event_info_t s_catalog_events[] = {
    {"tsvc.item.stored", NULL, "a key was written"},
    {"tsvc.item.seen", NULL, "an upstream thing was noted"},
    {"up.thing.happened", NULL, "an upstream thing (no payload)"},
    {"up.thing.stray", NULL, "an upstream thing whose handler has a bug"},
    {"up.thing.ticked", &as__demo_tick__descriptor, "an upstream tick"},
};
static AS_CATALOG_PART(s_tsvc_catalog, s_catalog_commands, s_catalog_events);
static const as_event_def_t s_events[] = {
    {"up.thing.happened", s_evt_thing},
    {"up.thing.stray", s_evt_stray},
    {"up.thing.ticked", s_evt_ticked},
    {NULL, NULL},
};

/* --- running it on its own thread -------------------------------------------------- */

static void *s_service_main(void *arg)
{
    s_fix_t *fx = arg;
    int err = 0;
    as_service_t *svc = as_service_new(&fx->def, fx->cfg, &err);
    pthread_mutex_lock(&fx->mu);
    fx->err = err;
    fx->state = svc ? 1 : 2;
    pthread_cond_signal(&fx->cv);
    pthread_mutex_unlock(&fx->mu);
    if (!svc)
        return NULL;
    as_service_run(svc);
    pthread_mutex_lock(&fx->mu);
    fx->run_returned = true;
    pthread_mutex_unlock(&fx->mu);
    as_service_destroy(&svc);
    return NULL;
}

static void s_start(s_fix_t *fx)
{
    fx->state = 0;
    assert_int_equal(pthread_create(&fx->thread, NULL, s_service_main, fx), 0);
    pthread_mutex_lock(&fx->mu);
    while (fx->state == 0)
        pthread_cond_wait(&fx->cv, &fx->mu);
    int state = fx->state, err = fx->err;
    pthread_mutex_unlock(&fx->mu);
    if (state != 1) {
        pthread_join(fx->thread, NULL);
        fail_msg("the service did not start: %s", as_strerror(err));
    }
    fx->running = true;
}

/* Asks the service to stop and waits until its thread is done. */
static void s_stop(s_fix_t *fx)
{
    if (!fx->running)
        return;
    fx->running = false;
    uv_async_send(&fx->stop);
    assert_int_equal(pthread_join(fx->thread, NULL), 0);
    assert_false(fx->guard_fired);
    assert_true(fx->run_returned);
}

/* --- fixture ----------------------------------------------------------------------- */

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
    snprintf(dir, cap, "%s/svc-XXXXXX", base);
    if (strlen(dir) > 70) /* ipc:// paths must fit in sun_path */
        snprintf(dir, cap, "/tmp/as-svc-XXXXXX");
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
    if (type == ZMQ_SUB)
        assert_int_equal(zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "", 0), 0);
    assert_int_equal(zmq_bind(sock, endpoint), 0);
    return sock;
}

static void s_set(s_fix_t *fx, const char *section, const char *key, const char *value)
{
    assert_int_equal(as_config_set(fx->cfg, section, key, value), 0);
}

static int s_setup(void **state)
{
    s_fix_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    pthread_mutex_init(&fx->mu, NULL);
    pthread_cond_init(&fx->cv, NULL);
    s_fresh_dir(fx->dir, sizeof fx->dir);
    snprintf(fx->svc_ep, sizeof fx->svc_ep, "ipc://%s/svc.ipc", fx->dir);
    snprintf(fx->bus_in, sizeof fx->bus_in, "ipc://%s/bus-in.ipc", fx->dir);
    snprintf(fx->bus_out, sizeof fx->bus_out, "ipc://%s/bus-out.ipc", fx->dir);
    snprintf(fx->data_dir, sizeof fx->data_dir, "%s/data", fx->dir);
    fx->zctx = zmq_ctx_new();
    assert_non_null(fx->zctx);
    fx->bus_sub = s_bound(fx, ZMQ_SUB, fx->bus_in);
    fx->bus_xpub = s_bound(fx, ZMQ_XPUB, fx->bus_out);
    fx->cfg = as_config_new();
    assert_non_null(fx->cfg);
    s_set(fx, "site", "name", "test");
    s_set(fx, "tsvc", "endpoint", fx->svc_ep);
    s_set(fx, "tsvc", "data_dir", fx->data_dir);
    s_set(fx, "tsvc", "heartbeat_ms", "50");
    s_set(fx, "tsvc", "max_frame", "4k");
    /* the upstream is another site's service: followed by its full source */
    s_set(fx, "tsvc", "follows", S_UP_SOURCE);
    s_set(fx, "bus", "publish", fx->bus_in);
    s_set(fx, "bus", "subscribe", fx->bus_out);
    s_set(fx, "staff", "alice", "advisor");
    s_set(fx, "staff", "bob", "foreman");
    s_set(fx, "staff", "carol", "service_manager");
    assert_int_equal(as_catalog_add(&s_tsvc_catalog), 0);
    fx->def = (as_service_def_t){.name = "tsvc",
                                 .dbs = s_dbs,
                                 .commands = s_commands,
                                 .events = s_events,
                                 .on_start = s_on_start,
                                 .on_stop = s_on_stop,
                                 .user = fx};
    int err = 0;
    fx->client = as_rpc_client_new(fx->zctx, fx->svc_ep, NULL, NULL, &err);
    assert_non_null(fx->client);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    s_fix_t *fx = *state;
    s_stop(fx);
    as_rpc_client_destroy(&fx->client);
    if (fx->dealer)
        zmq_close(fx->dealer);
    zmq_close(fx->bus_sub);
    zmq_close(fx->bus_xpub);
    zmq_ctx_term(fx->zctx);
    as_config_destroy(&fx->cfg);
    pthread_mutex_destroy(&fx->mu);
    pthread_cond_destroy(&fx->cv);
    free(fx);
    return 0;
}

/* --- talking to it ------------------------------------------------------------------- */

static As__CommandReply *s_cmd(s_fix_t *fx, const char *command, const char *actor,
                               const char *request_id, const char *key)
{
    As__CommandReply *reply = NULL;
    int rc = as_rpc_command(fx->client, command, actor, request_id, key, key ? strlen(key) : 0,
                            S_WAIT_MS, S_TRIES, &reply);
    assert_int_equal(rc, 0);
    assert_non_null(reply);
    assert_true(reply->has_status);
    return reply;
}

static As__DemoTick *s_tick_of(const As__CommandReply *reply)
{
    assert_true(reply->has_payload);
    As__DemoTick *tick = as__demo_tick__unpack(NULL, reply->payload.len, reply->payload.data);
    assert_non_null(tick);
    return tick;
}

/* Reads `key` through tsvc.get; returns the actor stored, or NULL. */
static char *s_get(s_fix_t *fx, const char *key)
{
    As__CommandReply *reply = s_cmd(fx, "tsvc.get", "tester", NULL, key);
    assert_int_equal(reply->status, 0);
    As__DemoTick *tick = s_tick_of(reply);
    char *value = NULL;
    if (tick->number == 1) {
        value = calloc(1, tick->padding.len + 1);
        assert_non_null(value);
        memcpy(value, tick->padding.data, tick->padding.len);
    }
    as__demo_tick__free_unpacked(tick, NULL);
    as__command_reply__free_unpacked(reply, NULL);
    return value;
}

static As__StatusReply *s_status(s_fix_t *fx)
{
    void *body = NULL;
    size_t len = 0;
    assert_int_equal(as_rpc_call(fx->client, "status", "", 0, S_WAIT_MS, S_TRIES, &body, &len), 0);
    As__StatusReply *st = as__status_reply__unpack(NULL, len, body);
    free(body);
    assert_non_null(st);
    return st;
}

/* Receives one [topic][body] from the service's publisher. */
static bool s_bus_recv(s_fix_t *fx, int timeout_ms, char *topic, size_t cap, void **body,
                       size_t *len)
{
    zmq_pollitem_t item = {fx->bus_sub, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, timeout_ms) != 1)
        return false;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    assert_true(zmq_msg_recv(&msg, fx->bus_sub, 0) >= 0);
    assert_true(zmq_msg_more(&msg));
    size_t tlen = zmq_msg_size(&msg);
    assert_true(tlen < cap);
    memcpy(topic, zmq_msg_data(&msg), tlen);
    topic[tlen] = '\0';
    assert_true(zmq_msg_recv(&msg, fx->bus_sub, 0) >= 0);
    assert_false(zmq_msg_more(&msg));
    *len = zmq_msg_size(&msg);
    *body = malloc(*len + 1);
    assert_non_null(*body);
    memcpy(*body, zmq_msg_data(&msg), *len);
    zmq_msg_close(&msg);
    return true;
}

/* Waits for the first heartbeat: the publisher's subscription is in place. */
static void s_bus_sync(s_fix_t *fx)
{
    char topic[256];
    void *body = NULL;
    size_t len = 0;
    assert_true(s_bus_recv(fx, S_WAIT_MS, topic, sizeof topic, &body, &len));
    assert_string_equal(topic, "test/tsvc.heartbeat"); /* "<site>/<domain>.heartbeat" */
    free(body);
}

/* Waits until the service subscribed to "far/up." (up@far's prefix) on the
 * XPUB. */
static void s_xpub_sync(s_fix_t *fx)
{
    int64_t deadline = as_now_us() + (int64_t)S_WAIT_MS * 1000;
    for (;;) {
        zmq_pollitem_t item = {fx->bus_xpub, 0, ZMQ_POLLIN, 0};
        int64_t left = (deadline - as_now_us()) / 1000;
        assert_true(left > 0);
        if (zmq_poll(&item, 1, (long)left) != 1)
            continue;
        unsigned char msg[64];
        int n = zmq_recv(fx->bus_xpub, msg, sizeof msg, 0);
        if (n == 8 && msg[0] == 1 && memcmp(msg + 1, "far/up.", 7) == 0)
            return;
    }
}

/* Reads what the service publishes until a heartbeat reports `last_seq`;
 * returns the events seen before it (up to `cap`), decoded. Heartbeats are sent
 * after the events they count, so nothing published before can be missed. */
static size_t s_events_until(s_fix_t *fx, uint64_t last_seq, As__Envelope **envs, size_t cap)
{
    size_t n = 0;
    int64_t deadline = as_now_us() + (int64_t)S_WAIT_MS * 1000;
    for (;;) {
        int64_t left = (deadline - as_now_us()) / 1000;
        if (left <= 0)
            fail_msg("no heartbeat with last seq %llu", (unsigned long long)last_seq);
        char topic[256];
        void *body = NULL;
        size_t len = 0;
        if (!s_bus_recv(fx, (int)left, topic, sizeof topic, &body, &len))
            continue;
        if (strcmp(topic, "test/tsvc.heartbeat") == 0) {
            As__Heartbeat *hb = as__heartbeat__unpack(NULL, len, body);
            free(body);
            assert_non_null(hb);
            bool done = hb->last_seq >= last_seq;
            assert_true(hb->last_seq <= last_seq);
            as__heartbeat__free_unpacked(hb, NULL);
            if (done)
                return n;
            continue;
        }
        int err = 0;
        As__Envelope *env = as_envelope_decode(body, len, topic, strlen(topic), &err);
        free(body);
        assert_non_null(env);
        assert_true(n < cap);
        envs[n++] = env;
    }
}

static void s_free_events(As__Envelope **envs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        as__envelope__free_unpacked(envs[i], NULL);
}

static void s_send_up_event_with(s_fix_t *fx, uint64_t seq, const char *type, char *id_out,
                                 const uint8_t *payload, size_t payload_len);

static void s_send_up_event(s_fix_t *fx, uint64_t seq, const char *type, char *id_out)
{
    s_send_up_event_with(fx, seq, type, id_out, NULL, 0);
}

/* Publishes an upstream event with `payload` (may be NULL) on the bus. */
static void s_send_up_event_with(s_fix_t *fx, uint64_t seq, const char *type, char *id_out,
                                 const uint8_t *payload, size_t payload_len)
{
    char id[AS_UUID_LEN + 1];
    as_uuidv7(id);
    if (id_out)
        memcpy(id_out, id, sizeof id);
    As__Envelope env = AS__ENVELOPE__INIT;
    env.id = id;
    env.source = S_UP_SOURCE;
    env.incarnation = S_UP_INCARNATION;
    env.has_seq = 1;
    env.seq = seq;
    env.type = (char *)type;
    env.actor = "clerk-1";
    if (payload) {
        env.has_payload = 1;
        env.payload = (ProtobufCBinaryData){payload_len, (uint8_t *)payload};
    }
    uint8_t buf[512];
    size_t len = as__envelope__get_packed_size(&env);
    assert_true(len <= sizeof buf);
    as__envelope__pack(&env, buf);
    char topic[AS_TOPIC_MAX + 1]; /* "far/<type>" */
    size_t tlen = as_topic_make(S_UP_SOURCE, type, topic, sizeof topic);
    assert_int_equal(zmq_send(fx->bus_xpub, topic, tlen, ZMQ_SNDMORE), (int)tlen);
    assert_int_equal(zmq_send(fx->bus_xpub, buf, len, 0), (int)len);
}

/* --- tests --------------------------------------------------------------------------- */

static void test_command_success_reply_and_event(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    s_bus_sync(fx);

    As__CommandReply *reply = s_cmd(fx, "tsvc.put", "alice", "r-1", "k1");
    assert_int_equal(reply->status, 0);
    assert_string_equal(reply->request_id, "r-1");
    assert_null(reply->error);
    assert_false(reply->has_replayed && reply->replayed);
    As__DemoTick *tick = s_tick_of(reply);
    assert_int_equal(tick->number, 1);
    as__demo_tick__free_unpacked(tick, NULL);
    as__command_reply__free_unpacked(reply, NULL);

    As__Envelope *envs[8];
    size_t n = s_events_until(fx, 1, envs, 8);
    assert_int_equal(n, 1);
    assert_string_equal(envs[0]->type, "tsvc.item.stored");
    assert_string_equal(envs[0]->source, S_SOURCE);
    assert_int_equal(envs[0]->seq, 1);
    assert_string_equal(envs[0]->subject, "k1");
    assert_string_equal(envs[0]->actor, "alice");
    assert_string_equal(envs[0]->causation_id, "r-1");
    assert_string_equal(envs[0]->correlation_id, "r-1");
    s_free_events(envs, n);

    char *value = s_get(fx, "k1");
    assert_non_null(value);
    assert_string_equal(value, "alice");
    free(value);
    assert_null(s_get(fx, "nothing"));
}

static void test_failing_command_writes_and_emits_nothing(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    s_bus_sync(fx);

    As__CommandReply *reply = s_cmd(fx, "tsvc.put_fail", "alice", "r-2", "k2");
    assert_int_equal(reply->status, AS_ECONFLICT);
    assert_string_equal(reply->error, "item 'k2' is locked");
    /* its format and argument, for a page to say it in its language */
    assert_string_equal(reply->error_format, "item '%s' is locked");
    assert_int_equal(reply->n_error_args, 1);
    assert_string_equal(reply->error_args[0], "k2");
    assert_string_equal(reply->request_id, "r-2");
    assert_false(reply->has_payload);
    as__command_reply__free_unpacked(reply, NULL);
    assert_null(s_get(fx, "k2"));
    As__StatusReply *st = s_status(fx);
    assert_int_equal(st->last_seq, 0);
    as__status_reply__free_unpacked(st, NULL);

    /* the failed command's seq is not used: the next event is seq 1, and it is
     * the only one published */
    reply = s_cmd(fx, "tsvc.put", "bob", "r-3", "k3");
    assert_int_equal(reply->status, 0);
    as__command_reply__free_unpacked(reply, NULL);
    As__Envelope *envs[8];
    size_t n = s_events_until(fx, 1, envs, 8);
    assert_int_equal(n, 1);
    assert_int_equal(envs[0]->seq, 1);
    assert_string_equal(envs[0]->subject, "k3");
    s_free_events(envs, n);

    /* a handler's own validation failure */
    reply = s_cmd(fx, "tsvc.put", "bob", "r-4", NULL);
    assert_int_equal(reply->status, AS_EINVALID);
    assert_string_equal(reply->error, "a key of 1 to 64 bytes is required");
    assert_string_equal(reply->error_format, "a key of 1 to 64 bytes is required");
    assert_int_equal(reply->n_error_args, 0);
    as__command_reply__free_unpacked(reply, NULL);

    s_stop(fx);
    /* what the store holds after the service is gone */
    int err = 0;
    as_store_t *store = as_store_open(fx->data_dir, s_dbs, 0, &err);
    assert_non_null(store);
    MDB_txn *txn = NULL;
    assert_int_equal(mdb_txn_begin(as_store_env(store), NULL, MDB_RDONLY, &txn), 0);
    MDB_dbi items = as_store_dbi(store, "items");
    MDB_val k = {2, "k2"}, v;
    assert_int_equal(mdb_get(txn, items, &k, &v), MDB_NOTFOUND);
    k.mv_data = "k3";
    assert_int_equal(mdb_get(txn, items, &k, &v), 0);
    assert_int_equal(v.mv_size, 3);
    assert_memory_equal(v.mv_data, "bob", 3);
    uint64_t last = 0;
    assert_int_equal(as_outbox_last(store, txn, &last), 0);
    assert_int_equal(last, 1);
    /* the failure's answer is kept for retries too */
    assert_int_equal(as_request_get(store, txn, "r-2", &v), 0);
    As__StoredRequest *rec = as__stored_request__unpack(NULL, v.mv_size, v.mv_data);
    assert_non_null(rec);
    assert_string_equal(rec->actor, "alice");
    assert_string_equal(rec->command, "tsvc.put_fail");
    assert_int_equal(rec->payload_digest.len, 32);
    assert_true(rec->has_reply);
    As__CommandReply *stored = as__command_reply__unpack(NULL, rec->reply.len, rec->reply.data);
    assert_non_null(stored);
    assert_int_equal(stored->status, AS_ECONFLICT);
    as__command_reply__free_unpacked(stored, NULL);
    as__stored_request__free_unpacked(rec, NULL);
    mdb_txn_abort(txn);
    as_store_close(&store);
}

static void test_same_request_id_runs_once(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    s_bus_sync(fx);

    As__CommandReply *first = s_cmd(fx, "tsvc.put", "alice", "r-once", "k4");
    assert_int_equal(first->status, 0);
    assert_false(first->has_replayed && first->replayed);
    As__CommandReply *second = s_cmd(fx, "tsvc.put", "alice", "r-once", "k4");
    assert_int_equal(second->status, 0);
    assert_true(second->has_replayed);
    assert_true(second->replayed);
    assert_string_equal(second->request_id, "r-once");
    assert_int_equal(second->payload.len, first->payload.len);
    assert_memory_equal(second->payload.data, first->payload.data, first->payload.len);
    as__command_reply__free_unpacked(first, NULL);
    as__command_reply__free_unpacked(second, NULL);

    /* a reused id with another payload is no retry: refused, and the new
     * command is not done (issue 9: it used to get the old reply) */
    As__CommandReply *other = s_cmd(fx, "tsvc.put", "alice", "r-once", "k5");
    assert_int_equal(other->status, AS_EEXISTS);
    assert_false(other->has_replayed && other->replayed);
    as__command_reply__free_unpacked(other, NULL);
    assert_null(s_get(fx, "k5"));

    /* a failed command is not run again either */
    As__CommandReply *fail1 = s_cmd(fx, "tsvc.put_fail", "alice", "r-fail", "k6");
    As__CommandReply *fail2 = s_cmd(fx, "tsvc.put_fail", "alice", "r-fail", "k6");
    assert_int_equal(fail1->status, AS_ECONFLICT);
    assert_int_equal(fail2->status, AS_ECONFLICT);
    assert_false(fail1->has_replayed && fail1->replayed);
    assert_true(fail2->replayed);
    assert_string_equal(fail2->error, fail1->error);
    assert_string_equal(fail2->error_format, fail1->error_format); /* kept with the reply */
    assert_int_equal(fail2->n_error_args, 1);
    assert_string_equal(fail2->error_args[0], "k6");
    as__command_reply__free_unpacked(fail1, NULL);
    as__command_reply__free_unpacked(fail2, NULL);

    pthread_mutex_lock(&fx->mu);
    assert_int_equal(fx->put_runs, 2);
    pthread_mutex_unlock(&fx->mu);
    As__StatusReply *st = s_status(fx);
    assert_int_equal(st->last_seq, 1);
    as__status_reply__free_unpacked(st, NULL);
    As__Envelope *envs[8];
    size_t n = s_events_until(fx, 1, envs, 8);
    assert_int_equal(n, 1);
    assert_string_equal(envs[0]->subject, "k4");
    s_free_events(envs, n);
}

/* Sends a CommandRequest built by hand (fields a client library would fill). */
static As__CommandReply *s_raw_cmd(s_fix_t *fx, const As__CommandRequest *req)
{
    uint8_t buf[512];
    size_t len = as__command_request__get_packed_size(req);
    assert_true(len <= sizeof buf);
    as__command_request__pack(req, buf);
    void *body = NULL;
    size_t body_len = 0;
    assert_int_equal(as_rpc_call(fx->client, "cmd", buf, len, S_WAIT_MS, S_TRIES, &body, &body_len),
                     0);
    As__CommandReply *reply = as__command_reply__unpack(NULL, body_len, body);
    free(body);
    assert_non_null(reply);
    return reply;
}

static void test_unknown_and_invalid_commands(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);

    As__CommandReply *reply = s_cmd(fx, "tsvc.nope", "alice", "r-u", "k");
    assert_int_equal(reply->status, AS_EUNKNOWN);
    assert_non_null(reply->error);
    assert_non_null(strstr(reply->error, "tsvc.nope"));
    assert_string_equal(reply->error_format, "unknown command '%s' for service '%s'");
    assert_int_equal(reply->n_error_args, 2);
    assert_string_equal(reply->error_args[0], "tsvc.nope");
    as__command_reply__free_unpacked(reply, NULL);

    /* no actor, an empty actor, an empty request id */
    reply = s_cmd(fx, "tsvc.put", NULL, "r-a", "k");
    assert_int_equal(reply->status, AS_EINVALID);
    assert_non_null(strstr(reply->error, "actor"));
    as__command_reply__free_unpacked(reply, NULL);
    reply = s_cmd(fx, "tsvc.put", "", "r-b", "k");
    assert_int_equal(reply->status, AS_EINVALID);
    as__command_reply__free_unpacked(reply, NULL);
    reply = s_cmd(fx, "tsvc.put", "alice", "", "k");
    assert_int_equal(reply->status, AS_EINVALID);
    assert_non_null(strstr(reply->error, "request_id"));
    as__command_reply__free_unpacked(reply, NULL);

    /* no request id at all, and no / a malformed command name */
    As__CommandRequest req = AS__COMMAND_REQUEST__INIT;
    req.actor = "alice";
    req.command = "tsvc.put";
    reply = s_raw_cmd(fx, &req);
    assert_int_equal(reply->status, AS_EINVALID);
    as__command_reply__free_unpacked(reply, NULL);
    req.request_id = "r-c";
    req.command = NULL;
    reply = s_raw_cmd(fx, &req);
    assert_int_equal(reply->status, AS_EINVALID);
    assert_string_equal(reply->request_id, "r-c");
    as__command_reply__free_unpacked(reply, NULL);
    req.command = "Tsvc Put";
    reply = s_raw_cmd(fx, &req);
    assert_int_equal(reply->status, AS_EINVALID);
    as__command_reply__free_unpacked(reply, NULL);

    /* a body that is no CommandRequest */
    void *body = NULL;
    size_t len = 0;
    assert_int_equal(
        as_rpc_call(fx->client, "cmd", "\xff\xff\xff", 3, S_WAIT_MS, S_TRIES, &body, &len), 0);
    reply = as__command_reply__unpack(NULL, len, body);
    free(body);
    assert_non_null(reply);
    assert_int_equal(reply->status, AS_EBADFRAME);
    as__command_reply__free_unpacked(reply, NULL);

    /* an unknown request kind */
    assert_int_equal(as_rpc_call(fx->client, "bogus", "x", 1, S_WAIT_MS, S_TRIES, &body, &len),
                     AS_EBADFRAME);
    free(body);

    /* nothing was written or emitted; the invalid ones were not stored */
    assert_null(s_get(fx, "k"));
    As__StatusReply *st = s_status(fx);
    assert_int_equal(st->last_seq, 0);
    assert_int_equal(st->commands_done, 1); /* the tsvc.get above */
    assert_int_equal(st->commands_failed, 8);
    assert_true(st->frames_rejected >= 2);
    as__status_reply__free_unpacked(st, NULL);
    reply = s_cmd(fx, "tsvc.put", "alice", "r-a", "k-after");
    assert_int_equal(reply->status, 0);
    assert_false(reply->has_replayed && reply->replayed);
    as__command_reply__free_unpacked(reply, NULL);
}

/* A command name starting with '.' is relative to the service's name (for a
 * daemon named by --name, e.g. as-ingest --name crm: ".ingest" is crm.ingest). */
static void test_relative_command_name(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    As__CommandReply *reply = s_cmd(fx, "other.put_relative", "alice", "r-1", "k");
    assert_int_equal(reply->status, AS_EUNKNOWN);
    as__command_reply__free_unpacked(reply, NULL);
    reply = s_cmd(fx, "put_relative.x", "alice", "r-2", "k");
    assert_int_equal(reply->status, AS_EUNKNOWN);
    as__command_reply__free_unpacked(reply, NULL);
    assert_null(s_get(fx, "k"));
    reply = s_cmd(fx, "tsvc.put_relative", "alice", "r-3", "k");
    assert_int_equal(reply->status, 0);
    as__command_reply__free_unpacked(reply, NULL);
    char *value = s_get(fx, "k");
    assert_non_null(value);
    free(value);
}

static void test_oversized_command_is_refused(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    size_t big_len = 8000; /* over max_frame = 4k, under the hard cap */
    char *big = malloc(big_len);
    assert_non_null(big);
    memset(big, 'k', big_len);
    As__CommandReply *reply = NULL;
    assert_int_equal(as_rpc_command(fx->client, "tsvc.put", "alice", "r-big", big, big_len,
                                    S_WAIT_MS, S_TRIES, &reply),
                     0);
    free(big);
    assert_int_equal(reply->status, AS_ETOOBIG);
    assert_non_null(strstr(reply->error, "exceeds"));
    as__command_reply__free_unpacked(reply, NULL);

    /* still answering */
    reply = s_cmd(fx, "tsvc.put", "alice", "r-small", "k7");
    assert_int_equal(reply->status, 0);
    as__command_reply__free_unpacked(reply, NULL);
    As__StatusReply *st = s_status(fx);
    assert_int_equal(st->last_seq, 1);
    assert_true(st->frames_rejected >= 1);
    as__status_reply__free_unpacked(st, NULL);
}

static void test_status_reports_seq_and_counters(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    As__StatusReply *st = s_status(fx);
    assert_string_equal(st->source, S_SOURCE);
    assert_string_equal(st->endpoint, fx->svc_ep);
    assert_int_equal(strlen(st->incarnation), AS_INCARNATION_LEN);
    assert_int_equal(st->last_seq, 0);
    assert_int_equal(st->commands_done, 0);
    assert_int_equal(st->commands_failed, 0);
    assert_true(st->started_us > 0);
    assert_true(st->started_us <= as_now_us());
    char incarnation[AS_INCARNATION_LEN + 1];
    snprintf(incarnation, sizeof incarnation, "%s", st->incarnation);
    as__status_reply__free_unpacked(st, NULL);

    const char *keys[] = {"a", "b"};
    for (int i = 0; i < 2; i++) {
        As__CommandReply *reply = s_cmd(fx, "tsvc.put", "alice", NULL, keys[i]);
        assert_int_equal(reply->status, 0);
        as__command_reply__free_unpacked(reply, NULL);
    }
    As__CommandReply *reply = s_cmd(fx, "tsvc.put_fail", "alice", NULL, "c");
    as__command_reply__free_unpacked(reply, NULL);

    st = s_status(fx);
    assert_int_equal(st->last_seq, 2);
    assert_int_equal(st->commands_done, 2);
    assert_int_equal(st->commands_failed, 1);
    assert_true(st->commits >= 3);
    assert_string_equal(st->incarnation, incarnation);
    assert_int_equal(st->events_applied, 0);
    as__status_reply__free_unpacked(st, NULL);
}

static bool s_offset_of(const As__StatusReply *st, const char *source, uint64_t *applied)
{
    for (size_t i = 0; i < st->n_offsets; i++) {
        if (strcmp(st->offsets[i]->source, source) == 0) {
            *applied = st->offsets[i]->applied_seq;
            return true;
        }
    }
    return false;
}

/* Asks for status until events_applied reaches n. */
static As__StatusReply *s_status_when_applied(s_fix_t *fx, uint64_t n)
{
    int64_t deadline = as_now_us() + (int64_t)S_WAIT_MS * 1000;
    for (;;) {
        As__StatusReply *st = s_status(fx);
        if (st->events_applied >= n)
            return st;
        as__status_reply__free_unpacked(st, NULL);
        if (as_now_us() > deadline)
            fail_msg("the events were never applied");
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static void test_event_handler_applies_and_emits(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    s_bus_sync(fx);
    s_xpub_sync(fx);

    char id1[AS_UUID_LEN + 1], id2[AS_UUID_LEN + 1];
    s_send_up_event(fx, 1, "up.thing.happened", id1);
    s_send_up_event(fx, 2, "up.thing.happened", id2);
    As__StatusReply *st = s_status_when_applied(fx, 2);
    uint64_t applied = 0;
    assert_true(s_offset_of(st, S_UP_SOURCE, &applied));
    assert_int_equal(applied, 2);
    assert_int_equal(st->last_seq, 2);
    as__status_reply__free_unpacked(st, NULL);

    char *value = s_get(fx, "evt:1");
    assert_non_null(value);
    assert_string_equal(value, S_UP_SOURCE);
    free(value);
    As__Envelope *envs[8];
    size_t n = s_events_until(fx, 2, envs, 8);
    assert_int_equal(n, 2);
    assert_string_equal(envs[0]->type, "tsvc.item.seen");
    assert_string_equal(envs[0]->subject, "evt:1");
    assert_string_equal(envs[0]->causation_id, id1);
    assert_string_equal(envs[0]->correlation_id, id1);
    assert_string_equal(envs[0]->actor, "clerk-1");
    assert_string_equal(envs[1]->causation_id, id2);
    s_free_events(envs, n);

    /* a type it does not handle: skipped, its offset still advances */
    s_send_up_event(fx, 3, "up.other.thing", NULL);
    /* a duplicate */
    s_send_up_event(fx, 2, "up.thing.happened", NULL);
    st = s_status_when_applied(fx, 3);
    assert_true(s_offset_of(st, S_UP_SOURCE, &applied));
    assert_int_equal(applied, 3);
    assert_int_equal(st->last_seq, 2);
    as__status_reply__free_unpacked(st, NULL);
    assert_null(s_get(fx, "evt:3"));
}

static void test_replay_request_served_from_outbox(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    const char *keys[] = {"x1", "x2", "x3"};
    for (int i = 0; i < 3; i++) {
        As__CommandReply *reply = s_cmd(fx, "tsvc.put", "alice", NULL, keys[i]);
        assert_int_equal(reply->status, 0);
        as__command_reply__free_unpacked(reply, NULL);
    }
    As__ReplayRequest req = AS__REPLAY_REQUEST__INIT;
    req.source = S_SOURCE;
    req.has_from_seq = 1;
    req.from_seq = 2;
    uint8_t buf[128];
    size_t len = as__replay_request__get_packed_size(&req);
    as__replay_request__pack(&req, buf);
    void *body = NULL;
    size_t body_len = 0;
    assert_int_equal(
        as_rpc_call(fx->client, "replay", buf, len, S_WAIT_MS, S_TRIES, &body, &body_len), 0);
    As__ReplayResponse *resp = as__replay_response__unpack(NULL, body_len, body);
    free(body);
    assert_non_null(resp);
    assert_null(resp->error);
    assert_string_equal(resp->source, S_SOURCE);
    assert_int_equal(resp->last_seq, 3);
    assert_int_equal(resp->n_events, 2);
    for (size_t i = 0; i < 2; i++) {
        int err = 0;
        As__Envelope *env =
            as_envelope_decode(resp->events[i].data, resp->events[i].len, NULL, 0, &err);
        assert_non_null(env);
        assert_int_equal(env->seq, 2 + i);
        assert_string_equal(env->subject, keys[1 + i]);
        as__envelope__free_unpacked(env, NULL);
    }
    as__replay_response__free_unpacked(resp, NULL);

    /* a replay request that does not decode */
    assert_int_equal(
        as_rpc_call(fx->client, "replay", "\xff\xff", 2, S_WAIT_MS, S_TRIES, &body, &body_len),
        AS_EBADFRAME);
    assert_non_null(strstr(body, "does not decode"));
    free(body);
}

static void test_stop_ends_run(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    As__CommandReply *reply = s_cmd(fx, "tsvc.put", "alice", "r-s", "kept");
    assert_int_equal(reply->status, 0);
    as__command_reply__free_unpacked(reply, NULL);
    s_stop(fx);
    assert_int_equal(fx->on_stop_calls, 1);

    /* the store is closed and holds what was committed */
    int err = 0;
    as_store_t *store = as_store_open(fx->data_dir, s_dbs, 0, &err);
    assert_non_null(store);
    MDB_txn *txn = NULL;
    assert_int_equal(mdb_txn_begin(as_store_env(store), NULL, MDB_RDONLY, &txn), 0);
    MDB_val k = {4, "kept"}, v;
    assert_int_equal(mdb_get(txn, as_store_dbi(store, "items"), &k, &v), 0);
    uint64_t last = 0;
    assert_int_equal(as_outbox_last(store, txn, &last), 0);
    assert_int_equal(last, 1);
    mdb_txn_abort(txn);
    as_store_close(&store);

    /* a restarted service goes on from there */
    fx->on_stop_calls = 0;
    fx->run_returned = false;
    s_start(fx);
    As__StatusReply *st = s_status(fx);
    assert_int_equal(st->last_seq, 1);
    as__status_reply__free_unpacked(st, NULL);
    reply = s_cmd(fx, "tsvc.put", "alice", "r-s", "kept");
    assert_true(reply->replayed);
    as__command_reply__free_unpacked(reply, NULL);
}

/* Regression: as_service_destroy let the heartbeat timer fire once more
 * (from as_loop_close) after the publisher was freed. A 1 ms heartbeat is due
 * almost every time the service is torn down. */
static void test_stop_with_fast_heartbeat(void **state)
{
    s_fix_t *fx = *state;
    s_set(fx, "tsvc", "heartbeat_ms", "1");
    for (int i = 0; i < 5; i++) {
        s_start(fx);
        s_bus_sync(fx);
        As__StatusReply *st = s_status(fx);
        assert_string_equal(st->source, S_SOURCE);
        as__status_reply__free_unpacked(st, NULL);
        s_stop(fx);
        fx->run_returned = false;
    }
}

static void test_runs_without_bus(void **state)
{
    s_fix_t *fx = *state;
    as_config_destroy(&fx->cfg);
    fx->cfg = as_config_new();
    s_set(fx, "site", "name", "test");
    s_set(fx, "tsvc", "endpoint", fx->svc_ep);
    s_set(fx, "tsvc", "data_dir", fx->data_dir);
    s_start(fx);
    As__CommandReply *reply = s_cmd(fx, "tsvc.put", "alice", NULL, "solo");
    assert_int_equal(reply->status, 0);
    as__command_reply__free_unpacked(reply, NULL);
    As__StatusReply *st = s_status(fx);
    assert_int_equal(st->last_seq, 1);
    assert_int_equal(st->n_offsets, 0);
    as__status_reply__free_unpacked(st, NULL);
}

static void s_assert_new_fails(s_fix_t *fx, int expected)
{
    int err = 0;
    as_service_t *svc = as_service_new(&fx->def, fx->cfg, &err);
    if (svc)
        as_service_destroy(&svc);
    assert_null(svc);
    assert_int_equal(err, expected);
}

static void test_config_errors(void **state)
{
    s_fix_t *fx = *state;
    as_config_destroy(&fx->cfg);
    fx->cfg = as_config_new();
    s_set(fx, "site", "name", "test");
    s_set(fx, "tsvc", "data_dir", fx->data_dir);
    s_assert_new_fails(fx, AS_ECONFIG); /* no endpoint */
    s_set(fx, "tsvc", "endpoint", fx->svc_ep);
    s_set(fx, "site", "name", "Bad Site");
    s_assert_new_fails(fx, AS_ECONFIG);
    s_set(fx, "site", "name", "test");
    s_set(fx, "tsvc", "max_frame", "10");
    s_assert_new_fails(fx, AS_ECONFIG);
    s_set(fx, "tsvc", "max_frame", "4k");
    s_set(fx, "tsvc", "heartbeat_ms", "soon");
    s_assert_new_fails(fx, AS_ECONFIG);
    s_set(fx, "tsvc", "heartbeat_ms", "50");
    s_set(fx, "tsvc", "endpoint", "nope://x");
    int err = 0;
    assert_null(as_service_new(&fx->def, fx->cfg, &err));
    assert_true(err < 0);
}

/* --- request ids belong to their actor and command (issue 9) ------------------------ */

static void s_assert_reuse_refused(As__CommandReply *reply, const char *id)
{
    char want[256];
    snprintf(want, sizeof want,
             "request id %s was already used for another command; nothing was done", id);
    assert_int_equal(reply->status, AS_EEXISTS);
    assert_string_equal(reply->request_id, id);
    assert_string_equal(reply->error, want);
    assert_false(reply->has_payload); /* nothing of the stored reply */
    assert_false(reply->has_replayed && reply->replayed);
    as__command_reply__free_unpacked(reply, NULL);
}

static void test_reused_request_id_is_refused_and_reveals_nothing(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    As__CommandReply *first = s_cmd(fx, "tsvc.put", "alice", "R-17", "k1");
    assert_int_equal(first->status, 0);

    /* the same id with another payload: the new command is not done */
    s_assert_reuse_refused(s_cmd(fx, "tsvc.put", "alice", "R-17", "k2"), "R-17");
    assert_null(s_get(fx, "k2"));
    /* someone else (not even on the staff list) with the same id and payload */
    s_assert_reuse_refused(s_cmd(fx, "tsvc.put", "mallory", "R-17", "k1"), "R-17");
    /* the same actor, another command */
    s_assert_reuse_refused(s_cmd(fx, "tsvc.get", "alice", "R-17", "k1"), "R-17");

    /* the true retry: the stored reply, nothing done again */
    As__CommandReply *retry = s_cmd(fx, "tsvc.put", "alice", "R-17", "k1");
    assert_int_equal(retry->status, 0);
    assert_true(retry->has_replayed && retry->replayed);
    assert_int_equal(retry->payload.len, first->payload.len);
    assert_memory_equal(retry->payload.data, first->payload.data, first->payload.len);
    as__command_reply__free_unpacked(retry, NULL);
    as__command_reply__free_unpacked(first, NULL);
    pthread_mutex_lock(&fx->mu);
    assert_int_equal(fx->put_runs, 1);
    pthread_mutex_unlock(&fx->mu);
    As__StatusReply *st = s_status(fx);
    assert_int_equal(st->last_seq, 1);
    as__status_reply__free_unpacked(st, NULL);
}

static void test_denied_call_does_not_take_the_request_id(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    /* someone not on the staff list, then staff without the role, under an id
     * they can guess */
    As__CommandReply *reply = s_cmd(fx, "tsvc.guarded", "mallory", "asday-x-1", "k7");
    assert_int_equal(reply->status, AS_EDENIED);
    assert_non_null(strstr(reply->error, "not on the staff list"));
    as__command_reply__free_unpacked(reply, NULL);
    reply = s_cmd(fx, "tsvc.guarded", "bob", "asday-x-1", "k7");
    assert_int_equal(reply->status, AS_EDENIED);
    assert_false(reply->has_replayed && reply->replayed);
    as__command_reply__free_unpacked(reply, NULL);

    /* the advisor's real command under that id is done */
    reply = s_cmd(fx, "tsvc.guarded", "alice", "asday-x-1", "k7");
    assert_int_equal(reply->status, 0);
    assert_false(reply->has_replayed && reply->replayed);
    as__command_reply__free_unpacked(reply, NULL);
    char *value = s_get(fx, "k7");
    assert_non_null(value);
    assert_string_equal(value, "alice");
    free(value);
    /* and it is the id's answer now */
    reply = s_cmd(fx, "tsvc.guarded", "alice", "asday-x-1", "k7");
    assert_int_equal(reply->status, 0);
    assert_true(reply->has_replayed && reply->replayed);
    as__command_reply__free_unpacked(reply, NULL);
    s_assert_reuse_refused(s_cmd(fx, "tsvc.guarded", "mallory", "asday-x-1", "k7"), "asday-x-1");
}

/* Writes the service's store with fn(txn, store) before the service opens
 * it, then starts the service. */
static void s_write_then_start(s_fix_t *fx, as_store_txn_fn fn)
{
    int err = 0;
    as_store_t *store = as_store_open(fx->data_dir, s_dbs, 0, &err);
    assert_non_null(store);
    assert_int_equal(as_store_write(store, fn, store), 0);
    as_store_close(&store);
    s_start(fx);
}

/* A store written before request records kept actor and command holds a bare
 * CommandReply under an id: that id is refused, and nothing is revealed. */
static int s_put_old_record(MDB_txn *txn, void *arg)
{
    As__CommandReply old = AS__COMMAND_REPLY__INIT;
    old.request_id = "old-1";
    old.has_status = old.has_payload = 1;
    old.payload.data = (uint8_t *)"secret customer";
    old.payload.len = 15;
    uint8_t buf[128];
    size_t len = as__command_reply__pack(&old, buf);
    return as_request_put(arg, txn, "old-1", buf, len);
}

static void test_old_format_record_is_refused(void **state)
{
    s_fix_t *fx = *state;
    s_write_then_start(fx, s_put_old_record);
    As__CommandReply *reply = s_cmd(fx, "tsvc.put", "alice", "old-1", "k8");
    assert_int_equal(reply->status, AS_EEXISTS);
    assert_non_null(strstr(reply->error, "request id old-1 was already used"));
    assert_null(strstr(reply->error, "secret"));
    assert_false(reply->has_payload);
    as__command_reply__free_unpacked(reply, NULL);
    assert_null(s_get(fx, "k8"));
    /* the daemon goes on */
    reply = s_cmd(fx, "tsvc.put", "alice", "new-1", "k8");
    assert_int_equal(reply->status, 0);
    as__command_reply__free_unpacked(reply, NULL);
}

/* --- stored replies expire ----------------------------------------------------------- */

#define S_HOUR_US 3600000000LL
#define S_EXPIRED 2500 /* more than one pruning batch (1,000) */

/* Keeps a reply to alice's tsvc.put of `key` under `id` as the runtime would
 * have at `stored_us`; the reply says 42 items. */
static int s_keep_old_reply(MDB_txn *txn, as_store_t *store, const char *id, const char *key,
                            int64_t stored_us)
{
    As__DemoTick tick = AS__DEMO_TICK__INIT;
    tick.has_number = 1;
    tick.number = 42;
    uint8_t tick_buf[32], reply_buf[128], rec_buf[256];
    As__CommandReply reply = AS__COMMAND_REPLY__INIT;
    reply.request_id = (char *)id;
    reply.has_status = reply.has_payload = 1;
    reply.payload = (ProtobufCBinaryData){as__demo_tick__pack(&tick, tick_buf), tick_buf};
    uint8_t digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, (const uint8_t *)key, strlen(key), NULL, 0);
    As__StoredRequest rec = AS__STORED_REQUEST__INIT;
    rec.actor = "alice";
    rec.command = "tsvc.put";
    rec.has_payload_digest = rec.has_reply = rec.has_stored_us = 1;
    rec.payload_digest = (ProtobufCBinaryData){sizeof digest, digest};
    rec.reply = (ProtobufCBinaryData){as__command_reply__pack(&reply, reply_buf), reply_buf};
    rec.stored_us = stored_us;
    return as_request_put_at(store, txn, id, stored_us, rec_buf,
                             as__stored_request__pack(&rec, rec_buf));
}

/* S_EXPIRED replies kept two days ago (the newest "exp-last"), and "kept"
 * kept 23 hours ago. */
static int s_seed_old_replies(MDB_txn *txn, void *arg)
{
    as_store_t *store = arg;
    int64_t now = as_now_us();
    int rc = 0;
    for (int i = 0; i < S_EXPIRED - 1 && rc == 0; i++) {
        char id[32];
        snprintf(id, sizeof id, "exp-%04d", i);
        rc = s_keep_old_reply(txn, store, id, "filler", now - 48 * S_HOUR_US + i);
    }
    if (rc == 0)
        rc = s_keep_old_reply(txn, store, "exp-last", "k-exp", now - 47 * S_HOUR_US);
    return rc ? rc : s_keep_old_reply(txn, store, "kept", "k-kept", now - 23 * S_HOUR_US);
}

/* Sends alice's tsvc.put of `key` under `id` until it is no longer answered
 * from the store, or the deadline passes. Returns the last reply. */
static As__CommandReply *s_cmd_until_run_anew(s_fix_t *fx, const char *id, const char *key)
{
    for (int waited = 0;; waited += 100) {
        As__CommandReply *reply = s_cmd(fx, "tsvc.put", "alice", id, key);
        if (!(reply->has_replayed && reply->replayed) || waited >= 4 * S_WAIT_MS)
            return reply;
        as__command_reply__free_unpacked(reply, NULL);
        struct timespec nap = {0, 100 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
}

/* A reply kept longer than request_retention_hours is pruned by
 * housekeeping, in batches (more than one here), and a retry then runs as a
 * new command; one kept within the retention is still answered from the
 * store. */
static void test_expired_replies_are_pruned_and_a_retry_runs_anew(void **state)
{
    s_fix_t *fx = *state;
    s_set(fx, "tsvc", "request_retention_hours", "24");
    assert_true(sodium_init() >= 0);
    s_write_then_start(fx, s_seed_old_replies);
    As__CommandReply *reply = s_cmd(fx, "tsvc.put", "alice", "kept", "k-kept");
    assert_int_equal(reply->status, 0);
    assert_true(reply->has_replayed && reply->replayed);
    As__DemoTick *tick = s_tick_of(reply);
    assert_int_equal(tick->number, 42); /* the stored reply */
    as__demo_tick__free_unpacked(tick, NULL);
    as__command_reply__free_unpacked(reply, NULL);

    /* the newest expired reply goes in the last batch; commands are
     * answered while the batches run */
    reply = s_cmd_until_run_anew(fx, "exp-last", "k-exp");
    assert_int_equal(reply->status, 0);
    assert_false(reply->has_replayed && reply->replayed);
    tick = s_tick_of(reply);
    assert_int_equal(tick->number, 1); /* this run's answer: one item */
    as__demo_tick__free_unpacked(tick, NULL);
    as__command_reply__free_unpacked(reply, NULL);
    char *value = s_get(fx, "k-exp");
    assert_non_null(value);
    assert_string_equal(value, "alice");
    free(value);
    pthread_mutex_lock(&fx->mu);
    assert_int_equal(fx->put_runs, 1);
    pthread_mutex_unlock(&fx->mu);

    /* the oldest went too; the one within the retention stays */
    reply = s_cmd(fx, "tsvc.put", "alice", "exp-0000", "filler");
    assert_false(reply->has_replayed && reply->replayed);
    as__command_reply__free_unpacked(reply, NULL);
    reply = s_cmd(fx, "tsvc.put", "alice", "kept", "k-kept");
    assert_true(reply->has_replayed && reply->replayed);
    as__command_reply__free_unpacked(reply, NULL);
    assert_null(s_get(fx, "k-kept"));
}

/* --- a handler's stray code refuses one item, never the turn ----------------------- */

static void *s_dealer(s_fix_t *fx)
{
    void *sock = zmq_socket(fx->zctx, ZMQ_DEALER);
    assert_non_null(sock);
    int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_connect(sock, fx->svc_ep), 0);
    fx->dealer = sock;
    return sock;
}

static void s_send_cmd(void *sock, const char *command, const char *request_id, const char *key)
{
    As__CommandRequest req = AS__COMMAND_REQUEST__INIT;
    req.request_id = (char *)request_id;
    req.actor = "alice";
    req.command = (char *)command;
    if (key) {
        req.has_payload = 1;
        req.payload.data = (uint8_t *)key;
        req.payload.len = strlen(key);
    }
    uint8_t buf[256];
    size_t len = as__command_request__pack(&req, buf);
    assert_int_equal(zmq_send(sock, "cmd", 3, ZMQ_SNDMORE), 3);
    assert_int_equal(zmq_send(sock, buf, len, 0), (int)len);
}

static As__CommandReply *s_recv_reply(void *sock)
{
    zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&item, 1, S_WAIT_MS), 1);
    char kind[16];
    assert_int_equal(zmq_recv(sock, kind, sizeof kind, 0), 3);
    uint8_t body[1024];
    int n = zmq_recv(sock, body, sizeof body, 0);
    assert_true(n > 0 && n <= (int)sizeof body);
    As__CommandReply *reply = as__command_reply__unpack(NULL, (size_t)n, body);
    assert_non_null(reply);
    return reply;
}

static void test_stray_code_refuses_one_command_not_the_turn(void **state)
{
    static const struct {
        const char *payload, *name;
    } strays[] = {{"notfound", "MDB_NOTFOUND"}, {"keyexist", "MDB_KEYEXIST"},
                  {"einval", "-EINVAL"},        {"positive", "code 40000"},
                  {"unknown", "code -12345"},   {"retry", "AS_ERETRY"}};
    size_t n_strays = sizeof strays / sizeof strays[0];
    s_fix_t *fx = *state;
    s_start(fx);
    s_bus_sync(fx);
    void *sock = s_dealer(fx);
    /* everything sent while the nap runs is read in the next turn, together */
    s_send_cmd(sock, "tsvc.nap", "nap-1", NULL);
    struct timespec ts = {0, 100 * 1000000L};
    nanosleep(&ts, NULL);
    s_send_cmd(sock, "tsvc.put", "t-before", "before");
    for (size_t i = 0; i < n_strays; i++)
        s_send_cmd(sock, "tsvc.stray", strays[i].payload, strays[i].payload);
    s_send_cmd(sock, "tsvc.put", "t-after", "after");

    for (size_t i = 0; i < n_strays + 3; i++) {
        As__CommandReply *reply = s_recv_reply(sock);
        const char *name = NULL;
        for (size_t k = 0; k < n_strays; k++)
            if (strcmp(reply->request_id, strays[k].payload) == 0)
                name = strays[k].name;
        if (name) {
            char want[128];
            snprintf(want, sizeof want, "internal error in tsvc.stray: %s; nothing was done", name);
            assert_int_equal(reply->status, AS_EINTERNAL);
            assert_string_equal(reply->error, want);
        } else {
            assert_int_equal(reply->status, 0); /* nap, before, after */
        }
        as__command_reply__free_unpacked(reply, NULL);
    }
    char *value = s_get(fx, "before");
    assert_non_null(value);
    free(value);
    value = s_get(fx, "after");
    assert_non_null(value);
    free(value);
    assert_null(s_get(fx, "stray!")); /* the stray ones wrote nothing */
    As__StatusReply *st = s_status(fx);
    assert_int_equal(st->last_seq, 2); /* and emitted nothing */
    assert_int_equal(st->commands_failed, n_strays);
    as__status_reply__free_unpacked(st, NULL);

    /* a stray answer is not the id's: the same request runs again */
    s_send_cmd(sock, "tsvc.stray", "notfound", "notfound");
    As__CommandReply *again = s_recv_reply(sock);
    assert_int_equal(again->status, AS_EINTERNAL);
    assert_false(again->has_replayed && again->replayed);
    as__command_reply__free_unpacked(again, NULL);
}

/* Asks for status until the offset of `source` reaches `seq`. */
static As__StatusReply *s_status_when_offset(s_fix_t *fx, const char *source, uint64_t seq)
{
    int64_t deadline = as_now_us() + (int64_t)S_WAIT_MS * 1000;
    for (;;) {
        As__StatusReply *st = s_status(fx);
        uint64_t applied = 0;
        if (s_offset_of(st, source, &applied) && applied >= seq)
            return st;
        as__status_reply__free_unpacked(st, NULL);
        if (as_now_us() > deadline)
            fail_msg("the offset of %s never reached %llu", source, (unsigned long long)seq);
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static void test_stray_code_skips_one_event_not_the_source(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    s_bus_sync(fx);
    s_xpub_sync(fx);
    s_send_up_event(fx, 1, "up.thing.stray", NULL);
    s_send_up_event(fx, 2, "up.thing.happened", NULL);
    As__StatusReply *st = s_status_when_offset(fx, S_UP_SOURCE, 2);
    assert_int_equal(st->events_skipped, 1);
    as__status_reply__free_unpacked(st, NULL);
    assert_null(s_get(fx, "stray:1")); /* what its handler wrote is not kept */
    char *value = s_get(fx, "evt:2");
    assert_non_null(value);
    assert_string_equal(value, S_UP_SOURCE);
    free(value);
}

/* The runtime decodes an event's payload into the catalog's message before
 * the handler runs; one that does not decode is skipped without it. */
static void test_event_payload_is_decoded_or_skipped(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    s_bus_sync(fx);
    s_xpub_sync(fx);
    As__DemoTick tick = AS__DEMO_TICK__INIT;
    tick.has_number = 1;
    tick.number = 41;
    uint8_t buf[64];
    size_t len = as__demo_tick__pack(&tick, buf);
    const uint8_t garbage[] = {0x0a, 0xff, 0xff, 0xff}; /* a field longer than the payload */
    s_send_up_event_with(fx, 1, "up.thing.ticked", NULL, garbage, sizeof garbage);
    s_send_up_event_with(fx, 2, "up.thing.ticked", NULL, buf, len);
    As__StatusReply *st = s_status_when_offset(fx, S_UP_SOURCE, 2);
    assert_int_equal(st->events_skipped, 1);
    as__status_reply__free_unpacked(st, NULL);
    char *value = s_get(fx, "tick:41");
    assert_non_null(value);
    free(value);
}

/* Sends `command` with `payload` (NULL: none), saying it happened at
 * `occurred_us` (0: not saying). */
static As__CommandReply *s_cmd_at_with(s_fix_t *fx, const char *command, const char *actor,
                                       const char *request_id, int64_t occurred_us,
                                       uint8_t *payload, size_t len)
{
    As__CommandRequest req = AS__COMMAND_REQUEST__INIT;
    req.request_id = (char *)request_id;
    req.actor = (char *)actor;
    req.command = (char *)command;
    req.has_payload = payload != NULL;
    req.payload = (ProtobufCBinaryData){len, payload};
    req.has_occurred_us = occurred_us != 0;
    req.occurred_us = occurred_us;
    As__CommandReply *reply = NULL;
    assert_int_equal(as_rpc_send_command(fx->client, &req, S_WAIT_MS, S_TRIES, &reply), 0);
    assert_non_null(reply);
    return reply;
}

/* Sends `command` saying it happened at `occurred_us`. */
static As__CommandReply *s_cmd_at(s_fix_t *fx, const char *command, const char *actor,
                                  const char *request_id, int64_t occurred_us)
{
    return s_cmd_at_with(fx, command, actor, request_id, occurred_us, NULL, 0);
}

/* Work keyed in after the fact: a dated command says when it happened, its
 * handler and its events get that time; outside the window, in the future
 * or on a command that records no happening, it is refused with the dates. */
static void test_dated_command_keyed_in_later(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    s_bus_sync(fx);
    const int64_t day = 86400LL * 1000000;
    int64_t three_days_ago = (as_now_us() - 3 * day) / 1000000 * 1000000;

    As__CommandReply *reply = s_cmd_at(fx, "tsvc.dated", "alice", "d-1", three_days_ago);
    assert_int_equal(reply->status, 0);
    As__DemoTick *tick = s_tick_of(reply);
    assert_int_equal(tick->number, three_days_ago / 1000000);
    as__demo_tick__free_unpacked(tick, NULL);
    as__command_reply__free_unpacked(reply, NULL);
    As__Envelope *envs[8];
    size_t n = s_events_until(fx, 1, envs, 8);
    assert_int_equal(n, 1);
    assert_true(envs[0]->has_occurred_us);
    assert_int_equal(envs[0]->occurred_us, three_days_ago);
    assert_true(envs[0]->time_us > envs[0]->occurred_us);
    s_free_events(envs, n);

    /* the same id with another time is another request, not a retry */
    reply = s_cmd_at(fx, "tsvc.dated", "alice", "d-1", three_days_ago - day);
    assert_int_equal(reply->status, AS_EEXISTS);
    as__command_reply__free_unpacked(reply, NULL);

    reply = s_cmd_at(fx, "tsvc.put", "alice", "d-2", three_days_ago);
    assert_int_equal(reply->status, AS_EINVALID);
    assert_non_null(strstr(reply->error, "tsvc.put records nothing that happened"));
    as__command_reply__free_unpacked(reply, NULL);

    reply = s_cmd_at(fx, "tsvc.dated", "alice", "d-3", as_now_us() + day);
    assert_int_equal(reply->status, AS_EINVALID);
    assert_non_null(strstr(reply->error, "is in the future"));
    as__command_reply__free_unpacked(reply, NULL);

    int64_t forty_days_ago = as_now_us() - 40 * day;
    char at[AS_DATETIME_LEN + 1], expected[128];
    as_datetime_of_us(forty_days_ago, at);
    reply = s_cmd_at(fx, "tsvc.dated", "alice", "d-4", forty_days_ago);
    assert_int_equal(reply->status, AS_EINVALID);
    snprintf(expected, sizeof expected, "when it happened (%s) is before the 31-day window", at);
    assert_non_null(strstr(reply->error, expected));
    assert_non_null(strstr(reply->error, "the service manager's window is longer"));
    as__command_reply__free_unpacked(reply, NULL);

    reply = s_cmd_at(fx, "tsvc.dated", "carol", "d-5", forty_days_ago);
    assert_int_equal(reply->status, 0);
    as__command_reply__free_unpacked(reply, NULL);
}

/* Sends tsvc.dated_field saying in its own field that it happened at
 * `field_s` (seconds), and in the request at `occurred_us` (0: not). */
static As__CommandReply *s_cmd_field_at(s_fix_t *fx, const char *request_id, int64_t field_s,
                                        int64_t occurred_us)
{
    As__DemoTick tick = AS__DEMO_TICK__INIT;
    tick.has_number = 1;
    tick.number = (uint64_t)field_s;
    uint8_t buf[64];
    size_t len = as__demo_tick__pack(&tick, buf);
    return s_cmd_at_with(fx, "tsvc.dated_field", "alice", request_id, occurred_us, buf, len);
}

/* A time a request gives in a field of its own (a clock entry's at_us) is
 * held to the same window and becomes the command's time and its events';
 * it wins over the request's occurred_us. */
static void test_time_of_a_field_is_held_to_the_window(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    s_bus_sync(fx);
    const int64_t day_s = 86400;
    int64_t now_s = as_now_us() / 1000000, two_days_ago = now_s - 2 * day_s;

    As__CommandReply *reply =
        s_cmd_field_at(fx, "f-1", two_days_ago, (now_s - 5 * day_s) * 1000000);
    assert_int_equal(reply->status, 0);
    As__DemoTick *tick = s_tick_of(reply);
    assert_int_equal(tick->number, two_days_ago);
    as__demo_tick__free_unpacked(tick, NULL);
    as__command_reply__free_unpacked(reply, NULL);
    As__Envelope *envs[8];
    size_t n = s_events_until(fx, 1, envs, 8);
    assert_int_equal(n, 1);
    assert_int_equal(envs[0]->occurred_us, two_days_ago * 1000000);
    s_free_events(envs, n);

    reply = s_cmd_field_at(fx, "f-2", now_s - 40 * day_s, 0);
    assert_int_equal(reply->status, AS_EINVALID);
    assert_non_null(strstr(reply->error, "is before the 31-day window for work keyed in later"));
    as__command_reply__free_unpacked(reply, NULL);

    reply = s_cmd_field_at(fx, "f-3", now_s + day_s, 0);
    assert_int_equal(reply->status, AS_EINVALID);
    assert_non_null(strstr(reply->error, "tsvc.dated_field: when it happened"));
    assert_non_null(strstr(reply->error, "is in the future"));
    as__command_reply__free_unpacked(reply, NULL);
}

/* --- what the runtime does from the catalog -------------------------------------- */

/* Sends `command` with a DemoTick of `number` (or `raw` bytes when not NULL). */
static As__CommandReply *s_cmd_tick(s_fix_t *fx, const char *command, const char *actor,
                                    const char *request_id, uint64_t number, const char *raw)
{
    As__DemoTick tick = AS__DEMO_TICK__INIT;
    tick.has_number = 1;
    tick.number = number;
    tick.has_padding = 1;
    tick.padding = (ProtobufCBinaryData){2, (uint8_t *)"pk"};
    uint8_t buf[64];
    size_t len = raw ? strlen(raw) : as__demo_tick__pack(&tick, buf);
    As__CommandReply *reply = NULL;
    int rc = as_rpc_command(fx->client, command, actor, request_id, raw ? (const void *)raw : buf,
                            len, S_WAIT_MS, S_TRIES, &reply);
    assert_int_equal(rc, 0);
    assert_non_null(reply);
    return reply;
}

/* A copy of s_commands with its last entry replaced by `last` ({NULL} drops it). */
static void s_table_with(as_command_def_t *table, size_t cap, as_command_def_t last)
{
    size_t n = 0;
    for (const as_command_def_t *c = s_commands; c->name; c++) {
        assert_true(n + 2 < cap);
        table[n++] = *c;
    }
    if (last.name)
        table[n++] = last;
    else
        n--; /* tsvc.peek: a catalog command of tsvc without a handler */
    table[n] = (as_command_def_t){NULL, NULL};
}

static void test_table_must_match_the_catalog(void **state)
{
    s_fix_t *fx = *state;
    const as_command_def_t lasts[] = {
        {"tsvc.unheard_of", s_cmd_put}, /* the catalog does not know it */
        {"demo.generate", s_cmd_put},   /* the catalog gives it to another service */
        {NULL, NULL},                   /* a command of tsvc without a handler */
    };
    for (size_t i = 0; i < sizeof lasts / sizeof lasts[0]; i++) {
        as_command_def_t table[32];
        s_table_with(table, sizeof table / sizeof table[0], lasts[i]);
        as_service_def_t def = fx->def;
        def.commands = table;
        int err = 0;
        assert_null(as_service_new(&def, fx->cfg, &err));
        assert_int_equal(err, AS_EINTERNAL); /* as_service_main exits 70 */
    }
    /* nothing was opened: the real table starts on the same store */
    s_start(fx);
}

/* Checks a fresh (not replayed) success whose DemoTick says `number`; frees it. */
static void s_expect_number(As__CommandReply *reply, uint64_t number)
{
    assert_int_equal(reply->status, 0);
    assert_false(reply->has_replayed && reply->replayed);
    As__DemoTick *tick = s_tick_of(reply);
    assert_int_equal(tick->number, number);
    as__demo_tick__free_unpacked(tick, NULL);
    as__command_reply__free_unpacked(reply, NULL);
}

static void test_runtime_checks_roles_and_decodes(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    As__CommandReply *reply = s_cmd_tick(fx, "tsvc.typed", "bob", "t-1", 41, NULL);
    assert_int_equal(reply->status, AS_EDENIED);
    assert_string_equal(reply->error, "tsvc.typed: 'bob' is not an advisor");
    as__command_reply__free_unpacked(reply, NULL);

    reply = s_cmd_tick(fx, "tsvc.typed", "alice", "t-2", 0, "\xff\xff\xff");
    assert_int_equal(reply->status, AS_EBADFRAME);
    assert_string_equal(reply->error, "payload is not a DemoTick message");
    as__command_reply__free_unpacked(reply, NULL);

    s_expect_number(s_cmd_tick(fx, "tsvc.typed", "alice", "t-3", 41, NULL), 42);
}

static void test_query_keeps_nothing(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    /* it sees its own write... */
    s_expect_number(s_cmd_tick(fx, "tsvc.peek", "alice", "q-1", 0, NULL), 1);
    assert_null(s_get(fx, "pk")); /* ...which did not last */

    /* its reply is not the id's: after a change, the same request reads again */
    As__CommandReply *put = s_cmd(fx, "tsvc.put", "alice", "p-1", "k1");
    assert_int_equal(put->status, 0);
    as__command_reply__free_unpacked(put, NULL);
    s_expect_number(s_cmd_tick(fx, "tsvc.peek", "alice", "q-1", 0, NULL), 2);
    /* the id is still alice's: someone else is refused */
    As__CommandReply *reply = s_cmd_tick(fx, "tsvc.peek", "bob", "q-1", 0, NULL);
    assert_int_equal(reply->status, AS_EEXISTS);
    as__command_reply__free_unpacked(reply, NULL);

    /* and what it emitted never went out: tsvc.put's event is the only one */
    As__StatusReply *st = s_status(fx);
    assert_int_equal(st->last_seq, 1);
    as__status_reply__free_unpacked(st, NULL);
}

/* A turn of queries alone commits nothing: their request ids are held until
 * a turn writes anyway (query_ids.h), still their senders' meanwhile; a
 * clean stop writes what is held. */
static void s_expect_status(As__CommandReply *reply, int status)
{
    assert_int_equal(reply->status, status);
    as__command_reply__free_unpacked(reply, NULL);
}

static uint64_t s_commits(s_fix_t *fx)
{
    As__StatusReply *st = s_status(fx);
    uint64_t commits = st->commits;
    as__status_reply__free_unpacked(st, NULL);
    return commits;
}

static void test_query_ids_wait_for_a_write(void **state)
{
    s_fix_t *fx = *state;
    s_start(fx);
    uint64_t commits = s_commits(fx);
    char id[16];
    for (int i = 1; i <= 5; i++) {
        snprintf(id, sizeof id, "q-%d", i);
        s_expect_status(s_cmd_tick(fx, "tsvc.peek", "alice", id, 0, NULL), 0);
    }
    assert_int_equal(s_commits(fx), commits); /* five queries, no commit */
    /* held, the ids are still alice's: a retry reads again, bob is refused */
    s_expect_status(s_cmd_tick(fx, "tsvc.peek", "alice", "q-1", 0, NULL), 0);
    s_expect_status(s_cmd_tick(fx, "tsvc.peek", "bob", "q-1", 0, NULL), AS_EEXISTS);
    assert_int_equal(s_commits(fx), commits);

    /* the next write takes them along: one commit, and they outlive a restart */
    s_expect_status(s_cmd(fx, "tsvc.put", "alice", "p-1", "k1"), 0);
    assert_int_equal(s_commits(fx), commits + 1);
    s_expect_status(s_cmd_tick(fx, "tsvc.peek", "alice", "q-9", 0, NULL), 0);
    s_stop(fx); /* a clean stop writes q-9, held since */
    s_start(fx);
    s_expect_status(s_cmd_tick(fx, "tsvc.peek", "bob", "q-2", 0, NULL), AS_EEXISTS);
    s_expect_status(s_cmd_tick(fx, "tsvc.peek", "bob", "q-9", 0, NULL), AS_EEXISTS);
    s_expect_status(s_cmd_tick(fx, "tsvc.peek", "alice", "q-9", 0, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_command_success_reply_and_event, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_failing_command_writes_and_emits_nothing, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_same_request_id_runs_once, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_and_invalid_commands, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_relative_command_name, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_oversized_command_is_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_status_reports_seq_and_counters, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_event_handler_applies_and_emits, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_replay_request_served_from_outbox, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_stop_ends_run, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_stop_with_fast_heartbeat, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_runs_without_bus, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_config_errors, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_reused_request_id_is_refused_and_reveals_nothing,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_denied_call_does_not_take_the_request_id, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_old_format_record_is_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_expired_replies_are_pruned_and_a_retry_runs_anew,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_stray_code_refuses_one_command_not_the_turn, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_table_must_match_the_catalog, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_runtime_checks_roles_and_decodes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_query_keeps_nothing, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_query_ids_wait_for_a_write, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_stray_code_skips_one_event_not_the_source, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_event_payload_is_decoded_or_skipped, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_dated_command_keyed_in_later, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_time_of_a_field_is_held_to_the_window, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
