/* test_rpc.c — the service endpoint (ROUTER on a uv loop) and the Lazy Pirate
 * client, over real ZeroMQ sockets on ipc:// endpoints under $AS_TEST_TMP.
 *
 * The server runs on its own thread with its own uv loop (the client blocks);
 * the test thread talks to it only through sockets and reads what the handler
 * recorded under a mutex. Every uv_run is bounded by a guard timer and every
 * wait by a deadline, so a bug fails the test instead of hanging it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
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
#include "as/rpc.h"

#define S_GUARD_MS 30000 /* the server loop stops by itself after this */
#define S_WAIT_MS 5000   /* the longest the test waits for an answer */
#define S_MAX_DEFERRED 64

/* --- temp dirs and endpoints ----------------------------------------------- */

static const char *s_fresh_dir(const char *label)
{
    static char dir[PATH_MAX];
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
    snprintf(dir, sizeof dir, "%s/rpc-%s-XXXXXX", base, label);
    if (strlen(dir) > 70) /* ipc:// paths must fit in sun_path */
        snprintf(dir, sizeof dir, "/tmp/as-rpc-%s-XXXXXX", label);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void s_endpoint(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "ipc://%s/%s.ipc", dir, name);
    assert_true(n > 0 && (size_t)n < cap);
}

/* --- the server thread -------------------------------------------------------- */

typedef struct {
    as_rpc_peer_t peer;
    char body[64];
    size_t len;
} s_deferred_t;

typedef struct {
    void *zctx;
    char endpoint[256];
    size_t hard_max;
    pthread_t thread;
    uv_loop_t loop;
    uv_async_t stop;
    uv_timer_t guard;
    as_rpc_server_t *server;
    int err;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool started;
    bool guard_fired;
    /* recorded by the handler (under mu) */
    int handled;
    char last_kind[AS_RPC_KIND_MAX + 1];
    unsigned char last_body[256];
    size_t last_len;
    int second_seen; /* requests whose body starts with "second" */
    int drained;
    int replied_in_drain;
    s_deferred_t deferred[S_MAX_DEFERRED];
    size_t n_deferred;
    /* the last command request decoded */
    char cmd_request_id[64];
    char cmd_actor[64];
    char cmd_command[64];
    unsigned char cmd_payload[64];
    size_t cmd_payload_len;
    bool cmd_has_payload;
} s_server_t;

static void s_send_cmd_reply(s_server_t *srv, const as_rpc_peer_t *peer,
                             const As__CommandRequest *req)
{
    char text[200];
    snprintf(text, sizeof text, "ok:%s:%s:%zu", req->actor ? req->actor : "",
             req->command ? req->command : "", req->has_payload ? req->payload.len : 0);
    As__CommandReply reply = AS__COMMAND_REPLY__INIT;
    reply.request_id = req->request_id;
    reply.has_status = 1;
    reply.status = 0;
    reply.has_payload = 1;
    reply.payload.data = (uint8_t *)text;
    reply.payload.len = strlen(text);
    if (req->command && strcmp(req->command, "demo.refuse") == 0) {
        reply.status = AS_EDENIED;
        reply.error = "actor may not refuse";
        reply.has_payload = 0;
    }
    uint8_t buf[512];
    size_t len = as__command_reply__get_packed_size(&reply);
    if (len <= sizeof buf) {
        as__command_reply__pack(&reply, buf);
        as_rpc_server_reply(srv->server, peer, "cmd", buf, len);
    }
}

static void s_handle_cmd(s_server_t *srv, const as_rpc_peer_t *peer, const void *body, size_t len)
{
    As__CommandRequest *req = as__command_request__unpack(NULL, len, body);
    if (!req) {
        as_rpc_server_reply(srv->server, peer, "error", "bad command", 11);
        return;
    }
    pthread_mutex_lock(&srv->mu);
    snprintf(srv->cmd_request_id, sizeof srv->cmd_request_id, "%s",
             req->request_id ? req->request_id : "");
    snprintf(srv->cmd_actor, sizeof srv->cmd_actor, "%s", req->actor ? req->actor : "");
    snprintf(srv->cmd_command, sizeof srv->cmd_command, "%s", req->command ? req->command : "");
    srv->cmd_has_payload = req->has_payload;
    srv->cmd_payload_len = 0;
    if (req->has_payload && req->payload.len <= sizeof srv->cmd_payload) {
        memcpy(srv->cmd_payload, req->payload.data, req->payload.len);
        srv->cmd_payload_len = req->payload.len;
    }
    pthread_mutex_unlock(&srv->mu);
    const char *command = req->command ? req->command : "";
    if (strcmp(command, "demo.silent") == 0) {
        /* never answered */
    } else if (strcmp(command, "demo.broken") == 0) {
        as_rpc_server_reply(srv->server, peer, "error", "cannot read that", 16);
    } else if (strcmp(command, "demo.garbage") == 0) {
        as_rpc_server_reply(srv->server, peer, "cmd", "\xff\xff\xff\xff", 4);
    } else {
        s_send_cmd_reply(srv, peer, req);
    }
    as__command_request__free_unpacked(req, NULL);
}

/* Behaviour is chosen by the body: "silent..." is never answered, "second..."
 * only from its second arrival on, "defer..." from on_drained, "echo..." at
 * once; "status" answers the malformed count; other "cmd" bodies are
 * CommandRequests. */
static void s_handler(as_rpc_server_t *server, const as_rpc_peer_t *peer, const char *kind,
                      const void *body, size_t len, void *arg)
{
    s_server_t *srv = arg;
    (void)server;
    bool answer_second = false;
    pthread_mutex_lock(&srv->mu);
    srv->handled++;
    snprintf(srv->last_kind, sizeof srv->last_kind, "%s", kind);
    srv->last_len = len < sizeof srv->last_body ? len : sizeof srv->last_body;
    memcpy(srv->last_body, body, srv->last_len);
    if (len >= 6 && memcmp(body, "second", 6) == 0)
        answer_second = ++srv->second_seen >= 2;
    pthread_mutex_unlock(&srv->mu);

    if (strcmp(kind, "status") == 0) {
        char text[64];
        int n = snprintf(text, sizeof text, "malformed=%llu",
                         (unsigned long long)as_rpc_server_malformed(srv->server));
        as_rpc_server_reply(srv->server, peer, "status", text, (size_t)n);
    } else if (len >= 6 && memcmp(body, "silent", 6) == 0) {
        /* never answered */
    } else if (len >= 6 && memcmp(body, "second", 6) == 0) {
        if (answer_second)
            as_rpc_server_reply(srv->server, peer, kind, body, len);
    } else if (len >= 5 && memcmp(body, "defer", 5) == 0) {
        pthread_mutex_lock(&srv->mu);
        if (srv->n_deferred < S_MAX_DEFERRED && len <= sizeof srv->deferred[0].body) {
            s_deferred_t *d = &srv->deferred[srv->n_deferred++];
            d->peer = *peer;
            memcpy(d->body, body, len);
            d->len = len;
        }
        pthread_mutex_unlock(&srv->mu);
    } else if (len >= 4 && memcmp(body, "echo", 4) == 0) {
        as_rpc_server_reply(srv->server, peer, kind, body, len);
    } else if (strcmp(kind, "cmd") == 0) {
        s_handle_cmd(srv, peer, body, len);
    } else {
        as_rpc_server_reply(srv->server, peer, kind, body, len);
    }
}

/* Answers every deferred request only now, after the burst was read. */
static void s_drained(void *arg)
{
    s_server_t *srv = arg;
    pthread_mutex_lock(&srv->mu);
    srv->drained++;
    for (size_t i = 0; i < srv->n_deferred; i++) {
        s_deferred_t *d = &srv->deferred[i];
        if (as_rpc_server_reply(srv->server, &d->peer, "cmd", d->body, d->len) == 0)
            srv->replied_in_drain++;
    }
    srv->n_deferred = 0;
    pthread_mutex_unlock(&srv->mu);
}

static void s_stop_cb(uv_async_t *async)
{
    uv_stop(async->loop);
}

static void s_guard_cb(uv_timer_t *timer)
{
    s_server_t *srv = timer->data;
    pthread_mutex_lock(&srv->mu);
    srv->guard_fired = true;
    pthread_mutex_unlock(&srv->mu);
    uv_stop(timer->loop);
}

static void *s_server_main(void *arg)
{
    s_server_t *srv = arg;
    int err = uv_loop_init(&srv->loop);
    if (err == 0) {
        srv->server = as_rpc_server_new(srv->zctx, &srv->loop, srv->endpoint, NULL, srv->hard_max,
                                        s_handler, srv, &err);
        if (!srv->server)
            as_loop_close(&srv->loop);
    }
    if (srv->server) {
        as_rpc_server_on_drained(srv->server, s_drained);
        uv_async_init(&srv->loop, &srv->stop, s_stop_cb);
        uv_timer_init(&srv->loop, &srv->guard);
        srv->guard.data = srv;
        uv_timer_start(&srv->guard, s_guard_cb, S_GUARD_MS, 0);
    }
    pthread_mutex_lock(&srv->mu);
    srv->err = err;
    srv->started = true;
    pthread_cond_signal(&srv->cv);
    pthread_mutex_unlock(&srv->mu);
    if (!srv->server)
        return NULL;
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    as_rpc_server_destroy(&srv->server);
    as_loop_close(&srv->loop);
    return NULL;
}

static s_server_t *s_server_start(void *zctx, const char *endpoint, size_t hard_max)
{
    s_server_t *srv = calloc(1, sizeof *srv);
    assert_non_null(srv);
    srv->zctx = zctx;
    srv->hard_max = hard_max;
    snprintf(srv->endpoint, sizeof srv->endpoint, "%s", endpoint);
    pthread_mutex_init(&srv->mu, NULL);
    pthread_cond_init(&srv->cv, NULL);
    assert_int_equal(pthread_create(&srv->thread, NULL, s_server_main, srv), 0);
    pthread_mutex_lock(&srv->mu);
    while (!srv->started)
        pthread_cond_wait(&srv->cv, &srv->mu);
    int err = srv->err;
    pthread_mutex_unlock(&srv->mu);
    assert_int_equal(err, 0);
    return srv;
}

static void s_server_stop(s_server_t **srv_p)
{
    s_server_t *srv = *srv_p;
    uv_async_send(&srv->stop);
    assert_int_equal(pthread_join(srv->thread, NULL), 0);
    bool fired = srv->guard_fired;
    pthread_mutex_destroy(&srv->mu);
    pthread_cond_destroy(&srv->cv);
    free(srv);
    *srv_p = NULL;
    assert_false(fired);
}

static int s_locked_int(s_server_t *srv, const int *field)
{
    pthread_mutex_lock(&srv->mu);
    int value = *field;
    pthread_mutex_unlock(&srv->mu);
    return value;
}

/* --- raw sockets ------------------------------------------------------------- */

static void *s_socket(void *zctx, int type)
{
    void *sock = zmq_socket(zctx, type);
    assert_non_null(sock);
    int linger = 0;
    assert_int_equal(zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger), 0);
    return sock;
}

static void s_send_parts(void *sock, size_t n, const char *const *parts, const size_t *lens)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(zmq_send(sock, parts[i], lens[i], i + 1 < n ? ZMQ_SNDMORE : 0),
                         (int)lens[i]);
}

/* Receives one two-frame message within S_WAIT_MS; the frames are NUL-ended. */
static void s_recv_two(void *sock, char *kind, size_t kind_cap, char *body, size_t body_cap,
                       size_t *body_len)
{
    zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&item, 1, S_WAIT_MS), 1);
    int n = zmq_recv(sock, kind, kind_cap - 1, 0);
    assert_true(n >= 0 && (size_t)n < kind_cap);
    kind[n] = '\0';
    int more = 0;
    size_t size = sizeof more;
    zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &size);
    assert_true(more);
    n = zmq_recv(sock, body, body_cap - 1, 0);
    assert_true(n >= 0 && (size_t)n < body_cap);
    body[n] = '\0';
    *body_len = (size_t)n;
    zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &size);
    assert_false(more);
}

/* Asks the server for its malformed count (read on the server's thread). */
static unsigned long long s_malformed(as_rpc_client_t *client)
{
    void *reply = NULL;
    size_t len = 0;
    assert_int_equal(as_rpc_call(client, "status", "", 0, S_WAIT_MS, 1, &reply, &len), 0);
    unsigned long long count = 0;
    assert_int_equal(sscanf(reply, "malformed=%llu", &count), 1);
    free(reply);
    return count;
}

/* --- tests ----------------------------------------------------------------- */

static void test_kinds_reach_handler_with_body(void **state)
{
    (void)state;
    const char *dir = s_fresh_dir("kinds");
    char ep[PATH_MAX];
    s_endpoint(ep, sizeof ep, dir, "srv");
    void *zctx = zmq_ctx_new();
    s_server_t *srv = s_server_start(zctx, ep, 0);
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(zctx, ep, NULL, NULL, &err);
    assert_non_null(client);

    void *reply = NULL;
    size_t len = 0;
    assert_int_equal(as_rpc_call(client, "cmd", "echo-cmd", 8, S_WAIT_MS, 1, &reply, &len), 0);
    assert_int_equal(len, 8);
    assert_memory_equal(reply, "echo-cmd", 8);
    free(reply);
    pthread_mutex_lock(&srv->mu);
    assert_string_equal(srv->last_kind, "cmd");
    assert_int_equal(srv->last_len, 8);
    assert_memory_equal(srv->last_body, "echo-cmd", 8);
    pthread_mutex_unlock(&srv->mu);

    /* a binary body with NUL bytes arrives whole */
    const unsigned char binary[] = {'e', 'c', 'h', 'o', 0, 1, 2, 0, 255};
    assert_int_equal(
        as_rpc_call(client, "replay", binary, sizeof binary, S_WAIT_MS, 1, &reply, &len), 0);
    assert_int_equal(len, sizeof binary);
    assert_memory_equal(reply, binary, sizeof binary);
    free(reply);
    pthread_mutex_lock(&srv->mu);
    assert_string_equal(srv->last_kind, "replay");
    assert_int_equal(srv->last_len, sizeof binary);
    assert_memory_equal(srv->last_body, binary, sizeof binary);
    pthread_mutex_unlock(&srv->mu);

    /* an empty body is still a body */
    assert_int_equal(as_rpc_call(client, "status", "", 0, S_WAIT_MS, 1, &reply, &len), 0);
    assert_string_equal(reply, "malformed=0");
    free(reply);
    pthread_mutex_lock(&srv->mu);
    assert_string_equal(srv->last_kind, "status");
    assert_int_equal(srv->last_len, 0);
    assert_int_equal(srv->handled, 3);
    pthread_mutex_unlock(&srv->mu);

    as_rpc_client_destroy(&client);
    assert_null(client);
    s_server_stop(&srv);
    zmq_ctx_term(zctx);
}

static void test_malformed_requests_get_error_and_are_counted(void **state)
{
    (void)state;
    const char *dir = s_fresh_dir("malformed");
    char ep[PATH_MAX];
    s_endpoint(ep, sizeof ep, dir, "srv");
    void *zctx = zmq_ctx_new();
    s_server_t *srv = s_server_start(zctx, ep, 0);
    void *dealer = s_socket(zctx, ZMQ_DEALER);
    assert_int_equal(zmq_connect(dealer, ep), 0);
    char kind[64], body[256];
    size_t len = 0;

    /* an unknown kind */
    const char *unknown[] = {"bogus", "x"};
    s_send_parts(dealer, 2, unknown, (size_t[]){5, 1});
    s_recv_two(dealer, kind, sizeof kind, body, sizeof body, &len);
    assert_string_equal(kind, "error");
    assert_non_null(strstr(body, "unknown request kind"));

    /* one frame */
    const char *one[] = {"cmd"};
    s_send_parts(dealer, 1, one, (size_t[]){3});
    s_recv_two(dealer, kind, sizeof kind, body, sizeof body, &len);
    assert_string_equal(kind, "error");
    assert_non_null(strstr(body, "two frames"));

    /* three frames */
    const char *three[] = {"cmd", "a", "b"};
    s_send_parts(dealer, 3, three, (size_t[]){3, 1, 1});
    s_recv_two(dealer, kind, sizeof kind, body, sizeof body, &len);
    assert_string_equal(kind, "error");
    assert_non_null(strstr(body, "two frames"));

    /* an empty kind and a kind longer than any known one */
    const char *empty[] = {"", "x"};
    s_send_parts(dealer, 2, empty, (size_t[]){0, 1});
    s_recv_two(dealer, kind, sizeof kind, body, sizeof body, &len);
    assert_string_equal(kind, "error");
    const char *longk[] = {"cmdcmdcmdcmdcmdcmdcmd", "x"};
    s_send_parts(dealer, 2, longk, (size_t[]){21, 1});
    s_recv_two(dealer, kind, sizeof kind, body, sizeof body, &len);
    assert_string_equal(kind, "error");

    /* the blocking client reports the error answer and its text */
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(zctx, ep, NULL, NULL, &err);
    assert_non_null(client);
    void *reply = NULL;
    size_t reply_len = 0;
    assert_int_equal(as_rpc_call(client, "nope", "x", 1, S_WAIT_MS, 1, &reply, &reply_len),
                     AS_EBADFRAME);
    assert_non_null(reply);
    assert_non_null(strstr(reply, "unknown request kind"));
    free(reply);

    /* none reached the handler (only the status asks below do) */
    assert_int_equal(s_locked_int(srv, &srv->handled), 0);
    assert_int_equal(s_malformed(client), 6);

    /* the server still serves well-formed requests */
    assert_int_equal(as_rpc_call(client, "cmd", "echo", 4, S_WAIT_MS, 1, &reply, &reply_len), 0);
    free(reply);
    assert_int_equal(s_malformed(client), 6);

    as_rpc_client_destroy(&client);
    zmq_close(dealer);
    s_server_stop(&srv);
    zmq_ctx_term(zctx);
}

static void test_call_times_out_after_tries(void **state)
{
    (void)state;
    const char *dir = s_fresh_dir("timeout");
    char ep[PATH_MAX];
    s_endpoint(ep, sizeof ep, dir, "mute");
    void *zctx = zmq_ctx_new();
    /* a server that reads and never answers */
    void *router = s_socket(zctx, ZMQ_ROUTER);
    assert_int_equal(zmq_bind(router, ep), 0);
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(zctx, ep, NULL, NULL, &err);
    assert_non_null(client);

    void *reply = (void *)1;
    size_t len = 99;
    assert_int_equal(as_rpc_call(client, "cmd", "hello", 5, 300, 3, &reply, &len), AS_ETIMEOUT);
    assert_null(reply);
    assert_int_equal(len, 0);

    /* each try came on a fresh connection (a new routing id) with the same request */
    unsigned char ids[3][AS_RPC_ID_MAX];
    size_t id_lens[3];
    for (int i = 0; i < 3; i++) {
        zmq_pollitem_t item = {router, 0, ZMQ_POLLIN, 0};
        assert_int_equal(zmq_poll(&item, 1, S_WAIT_MS), 1);
        int n = zmq_recv(router, ids[i], sizeof ids[i], 0);
        assert_true(n > 0);
        id_lens[i] = (size_t)n;
        char kind[16], body[16];
        n = zmq_recv(router, kind, sizeof kind, 0);
        assert_int_equal(n, 3);
        assert_memory_equal(kind, "cmd", 3);
        n = zmq_recv(router, body, sizeof body, 0);
        assert_int_equal(n, 5);
        assert_memory_equal(body, "hello", 5);
        for (int j = 0; j < i; j++)
            assert_false(id_lens[j] == id_lens[i] && !memcmp(ids[j], ids[i], id_lens[i]));
    }
    char scratch[16];
    assert_int_equal(zmq_recv(router, scratch, sizeof scratch, ZMQ_DONTWAIT), -1);
    assert_int_equal(zmq_errno(), EAGAIN);

    /* tries <= 0 is one try */
    assert_int_equal(as_rpc_call(client, "cmd", "again", 5, 100, 0, &reply, &len), AS_ETIMEOUT);
    zmq_pollitem_t item = {router, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&item, 1, S_WAIT_MS), 1);

    as_rpc_client_destroy(&client);
    zmq_close(router);
    zmq_ctx_term(zctx);
}

/* What the client on a loop was told. */
typedef struct {
    int calls;
    int status;
    char body[64];
} s_answers_t;

static void s_on_answer(as_rpc_client_t *client, int status, const void *body, size_t len,
                        void *arg)
{
    (void)client;
    s_answers_t *a = arg;
    a->calls++;
    a->status = status;
    snprintf(a->body, sizeof a->body, "%.*s", (int)len, body ? (const char *)body : "");
}

/* Reads one request [id][kind][body] from `router`; returns the id's length. */
static size_t s_read_request(void *router, unsigned char *id, char *body, size_t body_cap)
{
    zmq_pollitem_t item = {router, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&item, 1, S_WAIT_MS), 1);
    int n = zmq_recv(router, id, AS_RPC_ID_MAX, 0);
    assert_true(n > 0);
    char kind[16];
    assert_int_equal(zmq_recv(router, kind, sizeof kind, 0), 6);
    assert_memory_equal(kind, "replay", 6);
    int len = zmq_recv(router, body, body_cap - 1, 0);
    assert_true(len >= 0);
    body[len] = '\0';
    return (size_t)n;
}

static void s_answer(void *router, const unsigned char *id, size_t id_len, const char *body)
{
    assert_int_equal(zmq_send(router, id, id_len, ZMQ_SNDMORE), (int)id_len);
    assert_int_equal(zmq_send(router, "replay", 6, ZMQ_SNDMORE), 6);
    assert_int_equal(zmq_send(router, body, strlen(body), 0), (int)strlen(body));
}

static void test_client_on_loop_sends_again_after_timeout(void **state)
{
    (void)state;
    const char *dir = s_fresh_dir("onloop");
    char ep[PATH_MAX];
    s_endpoint(ep, sizeof ep, dir, "srv");
    void *zctx = zmq_ctx_new();
    void *router = s_socket(zctx, ZMQ_ROUTER);
    assert_int_equal(zmq_bind(router, ep), 0);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(zctx, ep, NULL, NULL, &err);
    assert_non_null(client);
    s_answers_t got = {0};
    assert_int_equal(as_rpc_client_watch(client, &loop, 0, s_on_answer, &got), 0);

    /* one request at a time */
    assert_int_equal(as_rpc_client_send(client, "replay", "ask-1", 5, 200), 0);
    assert_true(as_rpc_client_busy(client));
    assert_int_equal(as_rpc_client_send(client, "replay", "ask-2", 5, 200), -EBUSY);
    unsigned char id1[AS_RPC_ID_MAX], id2[AS_RPC_ID_MAX];
    char body[64];
    size_t id1_len = s_read_request(router, id1, body, sizeof body);
    assert_string_equal(body, "ask-1");

    /* unanswered past its time-out: the same request on a new connection */
    assert_false(as_rpc_client_expire(client, as_now_us()));
    assert_true(as_rpc_client_expire(client, as_now_us() + 250 * 1000));
    size_t id2_len = s_read_request(router, id2, body, sizeof body);
    assert_string_equal(body, "ask-1");
    assert_false(id1_len == id2_len && !memcmp(id1, id2, id1_len));
    assert_int_equal(as_rpc_client_sends(client), 2);

    /* a late answer to the dropped connection is lost; the resend's comes */
    s_answer(router, id1, id1_len, "late");
    s_answer(router, id2, id2_len, "answer-1");
    int64_t deadline = as_now_us() + (int64_t)S_WAIT_MS * 1000;
    while (got.calls == 0 && as_now_us() < deadline)
        uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(got.calls, 1);
    assert_int_equal(got.status, 0);
    assert_string_equal(got.body, "answer-1");
    assert_false(as_rpc_client_busy(client));

    as_rpc_client_destroy(&client);
    uv_run(&loop, UV_RUN_NOWAIT); /* the watch's handles close */
    assert_int_equal(uv_loop_close(&loop), 0);
    zmq_close(router);
    zmq_ctx_term(zctx);
}

/* Pipelined requests (as_rpc_client_send_next): several in flight on one
 * connection, answered in order; a time-out sends every one again, in
 * order, on a new connection. */
static void test_client_on_loop_pipelines_requests(void **state)
{
    (void)state;
    const char *dir = s_fresh_dir("pipeline");
    char ep[PATH_MAX];
    s_endpoint(ep, sizeof ep, dir, "srv");
    void *zctx = zmq_ctx_new();
    void *router = s_socket(zctx, ZMQ_ROUTER);
    assert_int_equal(zmq_bind(router, ep), 0);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(zctx, ep, NULL, NULL, &err);
    assert_non_null(client);
    s_answers_t got = {0};
    assert_int_equal(as_rpc_client_watch(client, &loop, 0, s_on_answer, &got), 0);

    /* two in flight; as_rpc_client_send still takes only the first */
    assert_int_equal(as_rpc_client_send_next(client, "replay", "ask-1", 5, 200), 0);
    assert_int_equal(as_rpc_client_send(client, "replay", "ask-x", 5, 200), -EBUSY);
    assert_int_equal(as_rpc_client_send_next(client, "replay", "ask-2", 5, 200), 0);
    assert_int_equal(as_rpc_client_inflight(client), 2);
    for (int i = 2; i < AS_RPC_CLIENT_DEPTH; i++)
        assert_int_equal(as_rpc_client_send_next(client, "replay", "ask-n", 5, 200), 0);
    assert_int_equal(as_rpc_client_send_next(client, "replay", "ask-y", 5, 200), -EBUSY);
    unsigned char id[AS_RPC_ID_MAX], id2[AS_RPC_ID_MAX];
    char body[64];
    size_t id_len = s_read_request(router, id, body, sizeof body);
    assert_string_equal(body, "ask-1");
    s_read_request(router, id, body, sizeof body);
    assert_string_equal(body, "ask-2");
    for (int i = 2; i < AS_RPC_CLIENT_DEPTH; i++)
        s_read_request(router, id, body, sizeof body);

    /* past the oldest's time-out: all again, in order, on a new connection */
    assert_true(as_rpc_client_expire(client, as_now_us() + 250 * 1000));
    size_t id2_len = s_read_request(router, id2, body, sizeof body);
    assert_string_equal(body, "ask-1");
    assert_false(id_len == id2_len && !memcmp(id, id2, id_len));
    s_read_request(router, id2, body, sizeof body);
    assert_string_equal(body, "ask-2");
    for (int i = 2; i < AS_RPC_CLIENT_DEPTH; i++)
        s_read_request(router, id2, body, sizeof body);
    assert_int_equal(as_rpc_client_sends(client), 2 * AS_RPC_CLIENT_DEPTH);

    /* answers end the requests oldest first */
    s_answer(router, id2, id2_len, "answer-1");
    int64_t deadline = as_now_us() + (int64_t)S_WAIT_MS * 1000;
    while (got.calls == 0 && as_now_us() < deadline)
        uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(got.calls, 1);
    assert_string_equal(got.body, "answer-1");
    assert_int_equal(as_rpc_client_inflight(client), AS_RPC_CLIENT_DEPTH - 1);
    for (int i = 1; i < AS_RPC_CLIENT_DEPTH; i++)
        s_answer(router, id2, id2_len, "answer-n");
    while (got.calls < AS_RPC_CLIENT_DEPTH && as_now_us() < deadline)
        uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(got.calls, AS_RPC_CLIENT_DEPTH);
    assert_false(as_rpc_client_busy(client));
    assert_false(as_rpc_client_expire(client, as_now_us() + 1000 * 1000));

    as_rpc_client_destroy(&client);
    uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&loop), 0);
    zmq_close(router);
    zmq_ctx_term(zctx);
}

static void test_call_answered_on_second_try(void **state)
{
    (void)state;
    const char *dir = s_fresh_dir("second");
    char ep[PATH_MAX];
    s_endpoint(ep, sizeof ep, dir, "srv");
    void *zctx = zmq_ctx_new();
    s_server_t *srv = s_server_start(zctx, ep, 0);
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(zctx, ep, NULL, NULL, &err);
    assert_non_null(client);

    /* one try of an unanswered request times out */
    void *reply = NULL;
    size_t len = 0;
    assert_int_equal(as_rpc_call(client, "cmd", "silent", 6, 200, 1, &reply, &len), AS_ETIMEOUT);
    assert_null(reply);

    /* the server drops the first request and answers the resend */
    assert_int_equal(as_rpc_call(client, "replay", "second-1", 8, 300, 3, &reply, &len), 0);
    assert_int_equal(len, 8);
    assert_memory_equal(reply, "second-1", 8);
    free(reply);
    assert_int_equal(s_locked_int(srv, &srv->second_seen), 2);

    /* and the client works normally afterwards */
    assert_int_equal(as_rpc_call(client, "cmd", "echo-after", 10, S_WAIT_MS, 1, &reply, &len), 0);
    assert_int_equal(len, 10);
    free(reply);

    as_rpc_client_destroy(&client);
    s_server_stop(&srv);
    zmq_ctx_term(zctx);
}

static void test_command_packs_request_and_decodes_reply(void **state)
{
    (void)state;
    const char *dir = s_fresh_dir("command");
    char ep[PATH_MAX];
    s_endpoint(ep, sizeof ep, dir, "srv");
    void *zctx = zmq_ctx_new();
    s_server_t *srv = s_server_start(zctx, ep, 0);
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(zctx, ep, NULL, NULL, &err);
    assert_non_null(client);

    As__CommandReply *reply = NULL;
    const unsigned char payload[] = {1, 0, 2};
    assert_int_equal(as_rpc_command(client, "demo.add", "alice", "req-1", payload, sizeof payload,
                                    S_WAIT_MS, 1, &reply),
                     0);
    assert_non_null(reply);
    assert_true(reply->has_status);
    assert_int_equal(reply->status, 0);
    assert_string_equal(reply->request_id, "req-1");
    assert_true(reply->has_payload);
    assert_int_equal(reply->payload.len, strlen("ok:alice:demo.add:3"));
    assert_memory_equal(reply->payload.data, "ok:alice:demo.add:3", reply->payload.len);
    as__command_reply__free_unpacked(reply, NULL);
    pthread_mutex_lock(&srv->mu);
    assert_string_equal(srv->cmd_request_id, "req-1");
    assert_string_equal(srv->cmd_actor, "alice");
    assert_string_equal(srv->cmd_command, "demo.add");
    assert_true(srv->cmd_has_payload);
    assert_int_equal(srv->cmd_payload_len, sizeof payload);
    assert_memory_equal(srv->cmd_payload, payload, sizeof payload);
    pthread_mutex_unlock(&srv->mu);

    /* no request id: a UUIDv7 is made; no payload: none is sent */
    reply = NULL;
    assert_int_equal(as_rpc_command(client, "demo.add", "bob", NULL, NULL, 0, S_WAIT_MS, 1, &reply),
                     0);
    assert_non_null(reply);
    pthread_mutex_lock(&srv->mu);
    assert_int_equal(strlen(srv->cmd_request_id), AS_UUID_LEN);
    assert_int_equal(srv->cmd_request_id[14], '7');
    assert_false(srv->cmd_has_payload);
    assert_string_equal(reply->request_id, srv->cmd_request_id);
    pthread_mutex_unlock(&srv->mu);
    as__command_reply__free_unpacked(reply, NULL);

    /* a refusal comes back as a status and a text */
    reply = NULL;
    assert_int_equal(
        as_rpc_command(client, "demo.refuse", "eve", "req-2", NULL, 0, S_WAIT_MS, 1, &reply), 0);
    assert_int_equal(reply->status, AS_EDENIED);
    assert_string_equal(reply->error, "actor may not refuse");
    as__command_reply__free_unpacked(reply, NULL);

    /* an [error][text] answer becomes status AS_EBADFRAME with the text */
    reply = NULL;
    assert_int_equal(
        as_rpc_command(client, "demo.broken", "eve", "req-3", NULL, 0, S_WAIT_MS, 1, &reply), 0);
    assert_non_null(reply);
    assert_true(reply->has_status);
    assert_int_equal(reply->status, AS_EBADFRAME);
    assert_string_equal(reply->error, "cannot read that");
    as__command_reply__free_unpacked(reply, NULL);

    /* a reply that does not decode */
    reply = NULL;
    assert_int_equal(
        as_rpc_command(client, "demo.garbage", "eve", "req-4", NULL, 0, S_WAIT_MS, 1, &reply),
        AS_EBADFRAME);
    assert_null(reply);

    /* no answer at all */
    assert_int_equal(as_rpc_command(client, "demo.silent", "eve", "req-5", NULL, 0, 200, 2, &reply),
                     AS_ETIMEOUT);
    assert_null(reply);

    as_rpc_client_destroy(&client);
    s_server_stop(&srv);
    zmq_ctx_term(zctx);
}

static void test_drained_after_a_burst(void **state)
{
    (void)state;
    const char *dir = s_fresh_dir("drained");
    char ep[PATH_MAX];
    s_endpoint(ep, sizeof ep, dir, "srv");
    void *zctx = zmq_ctx_new();
    s_server_t *srv = s_server_start(zctx, ep, 0);
    void *dealer = s_socket(zctx, ZMQ_DEALER);
    assert_int_equal(zmq_connect(dealer, ep), 0);

    /* the handler keeps every request; on_drained answers them all */
    enum { BURST = 40 };
    for (int i = 0; i < BURST; i++) {
        char body[32];
        int n = snprintf(body, sizeof body, "defer-%d", i);
        const char *parts[] = {"cmd", body};
        s_send_parts(dealer, 2, parts, (size_t[]){3, (size_t)n});
    }
    bool seen[BURST] = {false};
    for (int i = 0; i < BURST; i++) {
        char kind[16], body[64];
        size_t len = 0;
        s_recv_two(dealer, kind, sizeof kind, body, sizeof body, &len);
        assert_string_equal(kind, "cmd");
        int k = -1;
        assert_int_equal(sscanf(body, "defer-%d", &k), 1);
        assert_true(k >= 0 && k < BURST);
        assert_false(seen[k]);
        seen[k] = true;
    }
    pthread_mutex_lock(&srv->mu);
    assert_int_equal(srv->handled, BURST);
    assert_int_equal(srv->replied_in_drain, BURST);
    assert_true(srv->drained >= 1);
    assert_true(srv->drained <= BURST);
    pthread_mutex_unlock(&srv->mu);

    zmq_close(dealer);
    s_server_stop(&srv);
    zmq_ctx_term(zctx);
}

static void test_oversized_request_drops_connection(void **state)
{
    (void)state;
    const char *dir = s_fresh_dir("hardmax");
    char ep[PATH_MAX];
    s_endpoint(ep, sizeof ep, dir, "srv");
    void *zctx = zmq_ctx_new();
    s_server_t *srv = s_server_start(zctx, ep, 1024);
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(zctx, ep, NULL, NULL, &err);
    assert_non_null(client);

    char *big = malloc(4096);
    assert_non_null(big);
    memcpy(big, "echo", 4);
    memset(big + 4, 'x', 4092);
    void *reply = NULL;
    size_t len = 0;
    assert_int_equal(as_rpc_call(client, "cmd", big, 4096, 300, 1, &reply, &len), AS_ETIMEOUT);
    free(big);
    assert_int_equal(s_locked_int(srv, &srv->handled), 0);

    /* the client reconnects and a small request works */
    assert_int_equal(as_rpc_call(client, "cmd", "echo-small", 10, S_WAIT_MS, 1, &reply, &len), 0);
    assert_int_equal(len, 10);
    free(reply);
    assert_int_equal(s_locked_int(srv, &srv->handled), 1);

    as_rpc_client_destroy(&client);
    s_server_stop(&srv);
    zmq_ctx_term(zctx);
}

static void s_never_called(as_rpc_server_t *server, const as_rpc_peer_t *peer, const char *kind,
                           const void *body, size_t len, void *arg)
{
    (void)server, (void)peer, (void)kind, (void)body, (void)len, (void)arg;
    fail_msg("no request was sent");
}

static void test_server_and_client_new_failures(void **state)
{
    (void)state;
    void *zctx = zmq_ctx_new();
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);

    int err = 0;
    as_rpc_server_t *first =
        as_rpc_server_new(zctx, &loop, "tcp://127.0.0.1:*", NULL, 0, s_never_called, NULL, &err);
    assert_non_null(first);
    const char *bound = as_rpc_server_endpoint(first);
    assert_non_null(strstr(bound, "tcp://127.0.0.1:"));
    assert_null(strchr(bound, '*'));

    /* the same address again is taken */
    char again[256];
    snprintf(again, sizeof again, "%s", bound);
    err = 0;
    assert_null(as_rpc_server_new(zctx, &loop, again, NULL, 0, s_never_called, NULL, &err));
    assert_int_equal(err, -EADDRINUSE);

    /* a transport that does not exist */
    err = 0;
    assert_null(as_rpc_server_new(zctx, &loop, "nope://x", NULL, 0, s_never_called, NULL, &err));
    assert_true(err < 0);
    err = 0;
    assert_null(as_rpc_client_new(zctx, "nope://x", NULL, NULL, &err));
    assert_true(err < 0);

    /* destroy nulls and tolerates NULL */
    as_rpc_server_destroy(&first);
    assert_null(first);
    as_rpc_server_destroy(&first);
    as_rpc_client_t *none = NULL;
    as_rpc_client_destroy(&none);

    assert_int_equal(as_loop_close(&loop), 0);
    zmq_ctx_term(zctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_reach_handler_with_body),
        cmocka_unit_test(test_malformed_requests_get_error_and_are_counted),
        cmocka_unit_test(test_call_times_out_after_tries),
        cmocka_unit_test(test_client_on_loop_sends_again_after_timeout),
        cmocka_unit_test(test_call_answered_on_second_try),
        cmocka_unit_test(test_command_packs_request_and_decodes_reply),
        cmocka_unit_test(test_drained_after_a_burst),
        cmocka_unit_test(test_oversized_request_drops_connection),
        cmocka_unit_test(test_server_and_client_new_failures),
        cmocka_unit_test(test_client_on_loop_pipelines_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
