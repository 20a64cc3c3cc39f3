/* test_loop.c — ZeroMQ sockets on a libuv loop: no stall under load with a
 * small read budget, a message waiting before the watch starts, replies that
 * arrive after a send (kick), destroying a watch from its reader, multipart
 * helpers, signals and loop shutdown.
 *
 * Every uv_run is bounded by a guard timer: a bug fails the test instead of
 * hanging it. The guards are generous and are never asserted on otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/loop.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>
#include <zmq.h>

#define S_GUARD_MS 60000 /* load tests: far beyond what they need */
#define S_SHORT_GUARD_MS 10000

/* --- fixture ----------------------------------------------------------- */

typedef struct {
    void *zctx;
    uv_loop_t loop;
    uv_timer_t guard;
    bool timed_out;
    void *socks[4];
    size_t n_socks;
    void *ctx; /* the test's callback state: outlives a failed test's frame */
} s_env_t;

static int s_setup(void **state)
{
    s_env_t *env = calloc(1, sizeof *env);
    assert_non_null(env);
    env->zctx = zmq_ctx_new();
    assert_non_null(env->zctx);
    assert_int_equal(uv_loop_init(&env->loop), 0);
    assert_int_equal(uv_timer_init(&env->loop, &env->guard), 0);
    env->guard.data = env;
    *state = env;
    return 0;
}

static int s_teardown(void **state)
{
    s_env_t *env = *state;
    assert_int_equal(as_loop_close(&env->loop), 0);
    for (size_t i = 0; i < env->n_socks; i++)
        zmq_close(env->socks[i]);
    zmq_ctx_term(env->zctx);
    free(env->ctx);
    free(env);
    return 0;
}

/* Zeroed state for the test's callbacks, freed at teardown after the loop is
 * closed: a test that fails leaves handles and watches that point into it. */
static void *s_ctx(s_env_t *env, size_t size)
{
    assert_null(env->ctx);
    env->ctx = calloc(1, size);
    assert_non_null(env->ctx);
    return env->ctx;
}

/* A socket closed at teardown, with no linger so the context ends at once. */
static void *s_socket(s_env_t *env, int type)
{
    void *sock = zmq_socket(env->zctx, type);
    assert_non_null(sock);
    int zero = 0;
    assert_int_equal(zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero), 0);
    assert_true(env->n_socks < sizeof env->socks / sizeof env->socks[0]);
    env->socks[env->n_socks++] = sock;
    return sock;
}

static void s_guard_cb(uv_timer_t *timer)
{
    s_env_t *env = timer->data;
    env->timed_out = true;
    uv_stop(timer->loop);
}

/* Runs the loop until a callback calls uv_stop (or nothing is left to do);
 * fails the test when the guard fires first. */
static void s_run(s_env_t *env, uint64_t guard_ms, const char *what)
{
    env->timed_out = false;
    assert_int_equal(uv_timer_start(&env->guard, s_guard_cb, guard_ms, 0), 0);
    uv_run(&env->loop, UV_RUN_DEFAULT);
    uv_timer_stop(&env->guard);
    if (env->timed_out)
        fail_msg("%s: stalled (no progress for %llu ms)", what, (unsigned long long)guard_ms);
}

/* A unique ipc:// endpoint under $AS_TEST_TMP (or /tmp when too long). */
static void s_ipc_endpoint(char *out, size_t cap, const char *name)
{
    static unsigned counter;
    const char *tmp = getenv("AS_TEST_TMP");
    if (!tmp || !*tmp || strlen(tmp) > 60)
        tmp = "/tmp";
    mkdir(tmp, 0700);
    int n = snprintf(out, cap, "ipc://%s/tl-%ld-%s-%u.sock", tmp, (long)getpid(), name, ++counter);
    assert_true(n > 0 && (size_t)n < cap);
}

/* Waits (bounded) until `sock` has a message; this also swallows the fd's
 * edge, as any zmq call on the socket may. */
static void s_wait_readable(void *sock)
{
    zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&item, 1, S_SHORT_GUARD_MS), 1);
}

/* --- a socket under load, read 10 at a time -------------------------------- */

#define S_LOAD_N 50000
#define S_LOAD_BURST 500
#define S_BUDGET 10

typedef struct {
    s_env_t *env;
    void *push;
    uv_timer_t sender;
    uint32_t sent;
    uint32_t received;
    uint32_t out_of_order;
    uint32_t reader_calls;
    uint32_t calls_without_input;
    as_zwatch_t *watch;
} s_load_t;

static void s_load_reader(as_zwatch_t *watch, void *zsock, void *arg)
{
    (void)watch;
    s_load_t *load = arg;
    load->reader_calls++;
    for (int i = 0; i < S_BUDGET; i++) {
        uint32_t seq;
        int n = zmq_recv(zsock, &seq, sizeof seq, ZMQ_DONTWAIT);
        if (n < 0) {
            assert_int_equal(errno, EAGAIN);
            if (i == 0)
                load->calls_without_input++; /* called with nothing waiting */
            break;
        }
        assert_int_equal(n, sizeof seq);
        if (seq != load->received)
            load->out_of_order++;
        load->received++;
    }
    if (load->received == S_LOAD_N) {
        uv_timer_stop(&load->sender);
        uv_stop(&load->env->loop);
    }
}

/* Sends bursts from a timer on the loop thread, until the peer's high-water
 * mark pushes back, then waits for the next tick. */
static void s_load_sender(uv_timer_t *timer)
{
    s_load_t *load = timer->data;
    for (int i = 0; i < S_LOAD_BURST && load->sent < S_LOAD_N; i++) {
        uint32_t seq = load->sent;
        if (zmq_send(load->push, &seq, sizeof seq, ZMQ_DONTWAIT) < 0) {
            assert_int_equal(errno, EAGAIN);
            break;
        }
        load->sent++;
    }
    if (load->sent == S_LOAD_N)
        uv_timer_stop(timer);
}

static void s_load_test(s_env_t *env, const char *endpoint)
{
    s_load_t *load = s_ctx(env, sizeof *load);
    load->env = env;
    void *pull = s_socket(env, ZMQ_PULL);
    load->push = s_socket(env, ZMQ_PUSH);
    assert_int_equal(zmq_bind(pull, endpoint), 0);
    assert_int_equal(zmq_connect(load->push, endpoint), 0);

    load->watch = as_zwatch_new(&env->loop, pull, s_load_reader, load);
    assert_non_null(load->watch);
    assert_int_equal(uv_timer_init(&env->loop, &load->sender), 0);
    load->sender.data = load;
    assert_int_equal(uv_timer_start(&load->sender, s_load_sender, 1, 1), 0);

    s_run(env, S_GUARD_MS, endpoint);

    assert_int_equal(load->sent, S_LOAD_N);
    assert_int_equal(load->received, S_LOAD_N);
    assert_int_equal(load->out_of_order, 0);
    assert_int_equal(load->calls_without_input, 0);
    /* with a budget of 10 the reader was entered at least N / 10 times */
    assert_true(load->reader_calls >= S_LOAD_N / S_BUDGET);
    /* nothing more is waiting */
    uint32_t extra;
    assert_int_equal(zmq_recv(pull, &extra, sizeof extra, ZMQ_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);

    as_zwatch_destroy(&load->watch);
    assert_null(load->watch);
    uv_close((uv_handle_t *)&load->sender, NULL);
    uv_run(&env->loop, UV_RUN_NOWAIT); /* runs the close callbacks */
}

static void test_load_inproc_budget(void **state)
{
    s_load_test(*state, "inproc://load");
}

static void test_load_ipc_budget(void **state)
{
    char endpoint[160];
    s_ipc_endpoint(endpoint, sizeof endpoint, "load");
    s_load_test(*state, endpoint);
    unlink(endpoint + strlen("ipc://"));
}

/* --- a message already waiting before the watch starts --------------------- */

typedef struct {
    s_env_t *env;
    char got[32];
    int calls;
} s_early_t;

static void s_early_reader(as_zwatch_t *watch, void *zsock, void *arg)
{
    (void)watch;
    s_early_t *early = arg;
    early->calls++;
    int n = zmq_recv(zsock, early->got, sizeof early->got - 1, ZMQ_DONTWAIT);
    if (n >= 0)
        early->got[n] = '\0';
    uv_stop(&early->env->loop);
}

static void test_message_waiting_before_watch(void **state)
{
    s_env_t *env = *state;
    void *a = s_socket(env, ZMQ_PAIR);
    void *b = s_socket(env, ZMQ_PAIR);
    assert_int_equal(zmq_bind(a, "inproc://early"), 0);
    assert_int_equal(zmq_connect(b, "inproc://early"), 0);
    assert_int_equal(zmq_send(b, "early bird", 10, 0), 10);
    /* the message is there, and its edge on ZMQ_FD is already gone */
    s_wait_readable(a);

    s_early_t *early = s_ctx(env, sizeof *early);
    early->env = env;
    as_zwatch_t *watch = as_zwatch_new(&env->loop, a, s_early_reader, early);
    assert_non_null(watch);
    s_run(env, S_SHORT_GUARD_MS, "message waiting before the watch");
    assert_int_equal(early->calls, 1);
    assert_string_equal(early->got, "early bird");
    as_zwatch_destroy(&watch);
}

/* --- replies after a send on the same socket (DEALER/ROUTER), with kick ----- */

typedef struct {
    s_env_t *env;
    void *client;
    void *server;
    as_zwatch_t *client_watch;
    uv_timer_t timer;
    int replies;
    int expected;
    char last[32];
} s_echo_t;

static void s_echo_client_reader(as_zwatch_t *watch, void *zsock, void *arg)
{
    (void)watch;
    s_echo_t *echo = arg;
    for (int i = 0; i < S_BUDGET; i++) {
        char buf[32];
        int n = zmq_recv(zsock, buf, sizeof buf - 1, ZMQ_DONTWAIT);
        if (n < 0)
            break;
        buf[n] = '\0';
        char expected[32];
        snprintf(expected, sizeof expected, "rep-%d", echo->replies + 1);
        assert_string_equal(buf, expected);
        snprintf(echo->last, sizeof echo->last, "%s", buf);
        echo->replies++;
    }
    if (echo->replies == echo->expected)
        uv_stop(&echo->env->loop);
}

/* The server answers synchronously: it is not watched. */
static void s_echo_serve_one(s_echo_t *echo)
{
    char id[256], body[32];
    int id_len = zmq_recv(echo->server, id, sizeof id, 0);
    assert_true(id_len > 0);
    int n = zmq_recv(echo->server, body, sizeof body - 1, 0);
    assert_true(n > 4);
    body[n] = '\0';
    assert_memory_equal(body, "req-", 4);
    char reply[32];
    int len = snprintf(reply, sizeof reply, "rep-%s", body + 4);
    assert_int_equal(zmq_send(echo->server, id, (size_t)id_len, ZMQ_SNDMORE), id_len);
    assert_int_equal(zmq_send(echo->server, reply, (size_t)len, 0), len);
}

/* Outside the client's reader: send a request, let the reply arrive and its
 * edge be swallowed, send again on the same socket, then kick. */
static void s_echo_timer_cb(uv_timer_t *timer)
{
    s_echo_t *echo = timer->data;
    assert_int_equal(zmq_send(echo->client, "req-1", 5, 0), 5);
    s_echo_serve_one(echo);
    s_wait_readable(echo->client); /* rep-1 waits; ZMQ_FD shows nothing now */
    assert_int_equal(zmq_send(echo->client, "req-2", 5, 0), 5);
    s_echo_serve_one(echo);
    as_zwatch_kick(echo->client_watch);
}

static void test_reply_after_send_with_kick(void **state)
{
    s_env_t *env = *state;
    s_echo_t *echo = s_ctx(env, sizeof *echo);
    echo->env = env;
    echo->expected = 2;
    echo->server = s_socket(env, ZMQ_ROUTER);
    echo->client = s_socket(env, ZMQ_DEALER);
    int timeout = S_SHORT_GUARD_MS;
    assert_int_equal(zmq_setsockopt(echo->server, ZMQ_RCVTIMEO, &timeout, sizeof timeout), 0);
    assert_int_equal(zmq_bind(echo->server, "inproc://echo"), 0);
    assert_int_equal(zmq_connect(echo->client, "inproc://echo"), 0);

    echo->client_watch = as_zwatch_new(&env->loop, echo->client, s_echo_client_reader, echo);
    assert_non_null(echo->client_watch);
    assert_int_equal(uv_timer_init(&env->loop, &echo->timer), 0);
    echo->timer.data = echo;
    /* after the watch has checked the socket once and gone to sleep on it */
    assert_int_equal(uv_timer_start(&echo->timer, s_echo_timer_cb, 20, 0), 0);

    s_run(env, S_SHORT_GUARD_MS, "replies after a send, with kick");
    assert_int_equal(echo->replies, 2);
    assert_string_equal(echo->last, "rep-2");

    as_zwatch_destroy(&echo->client_watch);
    uv_close((uv_handle_t *)&echo->timer, NULL);
    uv_run(&env->loop, UV_RUN_NOWAIT);
}

/* The same under load: both ends watched, the client sends bursts from a
 * timer (outside its reader) and kicks; the server echoes in its reader. */
#define S_ECHO_N 20000
#define S_ECHO_WINDOW 500 /* in flight at most: below every high-water mark */

typedef struct {
    s_env_t *env;
    void *client;
    void *server;
    as_zwatch_t *client_watch;
    as_zwatch_t *server_watch;
    uv_timer_t sender;
    uint32_t sent;
    uint32_t echoed;
    uint32_t replies;
    uint32_t out_of_order;
} s_echo_load_t;

static void s_echo_load_server(as_zwatch_t *watch, void *zsock, void *arg)
{
    (void)watch;
    s_echo_load_t *load = arg;
    for (int i = 0; i < S_BUDGET; i++) {
        zmq_msg_t frames[2];
        zmq_msg_init(&frames[0]);
        zmq_msg_init(&frames[1]);
        size_t n = 0;
        int rc = as_zrecv_frames(zsock, frames, 2, &n);
        if (rc == -EAGAIN) {
            zmq_msg_close(&frames[0]);
            zmq_msg_close(&frames[1]);
            break;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(n, 2);
        const void *data[2] = {zmq_msg_data(&frames[0]), zmq_msg_data(&frames[1])};
        size_t lens[2] = {zmq_msg_size(&frames[0]), zmq_msg_size(&frames[1])};
        assert_int_equal(as_zsend_frames(zsock, 2, data, lens), 0);
        load->echoed++;
        zmq_msg_close(&frames[0]);
        zmq_msg_close(&frames[1]);
    }
}

static void s_echo_load_client(as_zwatch_t *watch, void *zsock, void *arg)
{
    (void)watch;
    s_echo_load_t *load = arg;
    for (int i = 0; i < S_BUDGET; i++) {
        uint32_t seq;
        int n = zmq_recv(zsock, &seq, sizeof seq, ZMQ_DONTWAIT);
        if (n < 0)
            break;
        assert_int_equal(n, sizeof seq);
        if (seq != load->replies)
            load->out_of_order++;
        load->replies++;
    }
    if (load->replies == S_ECHO_N) {
        uv_timer_stop(&load->sender);
        uv_stop(&load->env->loop);
    }
}

static void s_echo_load_sender(uv_timer_t *timer)
{
    s_echo_load_t *load = timer->data;
    bool sent_any = false;
    while (load->sent < S_ECHO_N && load->sent - load->replies < S_ECHO_WINDOW) {
        uint32_t seq = load->sent;
        if (zmq_send(load->client, &seq, sizeof seq, ZMQ_DONTWAIT) < 0) {
            assert_int_equal(errno, EAGAIN);
            break;
        }
        load->sent++;
        sent_any = true;
    }
    if (sent_any)
        as_zwatch_kick(load->client_watch);
}

static void test_echo_load_with_kick(void **state)
{
    s_env_t *env = *state;
    s_echo_load_t *load = s_ctx(env, sizeof *load);
    load->env = env;
    load->server = s_socket(env, ZMQ_ROUTER);
    load->client = s_socket(env, ZMQ_DEALER);
    assert_int_equal(zmq_bind(load->server, "inproc://echo-load"), 0);
    assert_int_equal(zmq_connect(load->client, "inproc://echo-load"), 0);

    load->server_watch = as_zwatch_new(&env->loop, load->server, s_echo_load_server, load);
    load->client_watch = as_zwatch_new(&env->loop, load->client, s_echo_load_client, load);
    assert_non_null(load->server_watch);
    assert_non_null(load->client_watch);
    assert_int_equal(uv_timer_init(&env->loop, &load->sender), 0);
    load->sender.data = load;
    assert_int_equal(uv_timer_start(&load->sender, s_echo_load_sender, 1, 1), 0);

    s_run(env, S_GUARD_MS, "echo under load, with kick");
    assert_int_equal(load->sent, S_ECHO_N);
    assert_int_equal(load->echoed, S_ECHO_N);
    assert_int_equal(load->replies, S_ECHO_N);
    assert_int_equal(load->out_of_order, 0);

    as_zwatch_destroy(&load->client_watch);
    as_zwatch_destroy(&load->server_watch);
    uv_close((uv_handle_t *)&load->sender, NULL);
    uv_run(&env->loop, UV_RUN_NOWAIT);
}

/* --- destroying a watch from its own reader -------------------------------- */

typedef struct {
    s_env_t *env;
    as_zwatch_t *watch;
    int calls;
} s_self_destroy_t;

static void s_self_destroy_reader(as_zwatch_t *watch, void *zsock, void *arg)
{
    s_self_destroy_t *sd = arg;
    assert_ptr_equal(watch, sd->watch);
    sd->calls++;
    char buf[16];
    assert_true(zmq_recv(zsock, buf, sizeof buf, ZMQ_DONTWAIT) >= 0);
    as_zwatch_destroy(&sd->watch);
    assert_null(sd->watch);
    /* nothing else keeps the loop alive: uv_run returns once the watch's
     * handles are closed */
    uv_timer_stop(&sd->env->guard);
}

static void test_destroy_inside_reader(void **state)
{
    s_env_t *env = *state;
    void *a = s_socket(env, ZMQ_PAIR);
    void *b = s_socket(env, ZMQ_PAIR);
    assert_int_equal(zmq_bind(a, "inproc://self-destroy"), 0);
    assert_int_equal(zmq_connect(b, "inproc://self-destroy"), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(zmq_send(b, "m", 1, 0), 1);
    s_wait_readable(a);

    s_self_destroy_t *sd = s_ctx(env, sizeof *sd);
    sd->env = env;
    sd->watch = as_zwatch_new(&env->loop, a, s_self_destroy_reader, sd);
    assert_non_null(sd->watch);
    s_run(env, S_SHORT_GUARD_MS, "destroy inside the reader");
    assert_int_equal(sd->calls, 1); /* never called again, though 4 wait */
    assert_null(sd->watch);
    assert_false(uv_loop_alive(&env->loop));
    /* the socket itself is untouched: the other 4 are still there */
    char buf[16];
    for (int i = 0; i < 4; i++)
        assert_int_equal(zmq_recv(a, buf, sizeof buf, ZMQ_DONTWAIT), 1);
    assert_int_equal(zmq_recv(a, buf, sizeof buf, ZMQ_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
}

static void test_watch_edge_cases(void **state)
{
    s_env_t *env = *state;
    /* not a socket */
    assert_null(as_zwatch_new(&env->loop, NULL, s_early_reader, NULL));
    /* destroying twice, kicking nothing */
    as_zwatch_t *none = NULL;
    as_zwatch_destroy(&none);
    as_zwatch_kick(NULL);

    /* a watch destroyed before the loop ever ran never calls its reader */
    void *a = s_socket(env, ZMQ_PAIR);
    void *b = s_socket(env, ZMQ_PAIR);
    assert_int_equal(zmq_bind(a, "inproc://edge"), 0);
    assert_int_equal(zmq_connect(b, "inproc://edge"), 0);
    assert_int_equal(zmq_send(b, "x", 1, 0), 1);
    s_early_t *early = s_ctx(env, sizeof *early);
    early->env = env;
    as_zwatch_t *watch = as_zwatch_new(&env->loop, a, s_early_reader, early);
    assert_non_null(watch);
    as_zwatch_kick(watch);
    as_zwatch_destroy(&watch);
    assert_null(watch);
    as_zwatch_kick(watch); /* NULL after destroy: a no-op */
    uv_run(&env->loop, UV_RUN_NOWAIT);
    uv_run(&env->loop, UV_RUN_NOWAIT);
    assert_int_equal(early->calls, 0);
    assert_false(uv_loop_alive(&env->loop)); /* its handles are closed */
    /* and the message is still on the socket */
    char buf[4];
    assert_int_equal(zmq_recv(a, buf, sizeof buf, ZMQ_DONTWAIT), 1);
}

/* --- multipart helpers ------------------------------------------------------- */

static void s_send_strings(void *sock, size_t n, const char *const *parts)
{
    const void *data[8];
    size_t lens[8];
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        data[i] = parts[i];
        lens[i] = strlen(parts[i]);
    }
    assert_int_equal(as_zsend_frames(sock, n, data, lens), 0);
}

static void test_zrecv_frames(void **state)
{
    s_env_t *env = *state;
    void *a = s_socket(env, ZMQ_PAIR);
    void *b = s_socket(env, ZMQ_PAIR);
    assert_int_equal(zmq_bind(a, "inproc://frames"), 0);
    assert_int_equal(zmq_connect(b, "inproc://frames"), 0);

    zmq_msg_t frames[3];
    for (int i = 0; i < 3; i++)
        zmq_msg_init(&frames[i]);
    size_t n = 99;

    /* nothing waiting */
    assert_int_equal(as_zrecv_frames(a, frames, 3, &n), -EAGAIN);
    assert_int_equal(n, 0);

    /* exactly max frames */
    static const char *const three[] = {"type", "", "envelope"};
    s_send_strings(b, 3, three);
    s_wait_readable(a);
    assert_int_equal(as_zrecv_frames(a, frames, 3, &n), 0);
    assert_int_equal(n, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(zmq_msg_size(&frames[i]), strlen(three[i]));
        assert_memory_equal(zmq_msg_data(&frames[i]), three[i], strlen(three[i]));
    }

    /* fewer */
    static const char *const one[] = {"single"};
    s_send_strings(b, 1, one);
    s_wait_readable(a);
    assert_int_equal(as_zrecv_frames(a, frames, 3, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(zmq_msg_size(&frames[0]), 6);
    assert_memory_equal(zmq_msg_data(&frames[0]), "single", 6);

    /* more than max: reported as max + 1, the rest read and dropped */
    static const char *const six[] = {"f0", "f1", "f2", "f3", "f4", "f5"};
    s_send_strings(b, 6, six);
    static const char *const after[] = {"next", "message"};
    s_send_strings(b, 2, after);
    s_wait_readable(a);
    assert_int_equal(as_zrecv_frames(a, frames, 3, &n), 0);
    assert_int_equal(n, 4);
    for (int i = 0; i < 3; i++)
        assert_memory_equal(zmq_msg_data(&frames[i]), six[i], 2);
    /* the extra frames are gone: the next message starts cleanly */
    assert_int_equal(as_zrecv_frames(a, frames, 3, &n), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(zmq_msg_data(&frames[0]), "next", 4);
    assert_memory_equal(zmq_msg_data(&frames[1]), "message", 7);

    /* max + 1 exactly */
    static const char *const four[] = {"a", "b", "c", "d"};
    s_send_strings(b, 4, four);
    s_wait_readable(a);
    assert_int_equal(as_zrecv_frames(a, frames, 3, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(as_zrecv_frames(a, frames, 3, &n), -EAGAIN);
    assert_int_equal(n, 0);

    for (int i = 0; i < 3; i++)
        zmq_msg_close(&frames[i]);
}

static void test_zsend_frames(void **state)
{
    s_env_t *env = *state;
    void *pull = s_socket(env, ZMQ_PULL);
    void *push = s_socket(env, ZMQ_PUSH);

    /* no peer yet: the send would block, so it is refused */
    const void *data[3] = {"workshop.qc.passed", "\x00\x01\x02", ""};
    size_t lens[3] = {18, 3, 0};
    assert_int_equal(as_zsend_frames(push, 3, data, lens), -EAGAIN);

    /* not a socket */
    assert_int_equal(as_zsend_frames(NULL, 1, data, lens), -ENOTSOCK);

    assert_int_equal(zmq_bind(pull, "inproc://send"), 0);
    assert_int_equal(zmq_connect(push, "inproc://send"), 0);
    assert_int_equal(as_zsend_frames(push, 3, data, lens), 0);
    s_wait_readable(pull);

    for (int i = 0; i < 3; i++) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        assert_int_equal(zmq_msg_recv(&msg, pull, ZMQ_DONTWAIT), (int)lens[i]);
        assert_memory_equal(zmq_msg_data(&msg), data[i], lens[i]);
        assert_int_equal(zmq_msg_more(&msg), i < 2);
        zmq_msg_close(&msg);
    }

    /* nothing to send is a no-op */
    assert_int_equal(as_zsend_frames(push, 0, NULL, NULL), 0);
    char buf[4];
    assert_int_equal(zmq_recv(pull, buf, sizeof buf, ZMQ_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
}

/* --- signals --------------------------------------------------------------------- */

typedef struct {
    s_env_t *env;
    int stops;
    int raise_signal;
    uv_timer_t timer;
} s_sig_t;

static void s_on_stop(void *arg)
{
    s_sig_t *sig = arg;
    sig->stops++;
    uv_stop(&sig->env->loop);
}

static void s_raise_cb(uv_timer_t *timer)
{
    s_sig_t *sig = timer->data;
    assert_int_equal(raise(sig->raise_signal), 0);
}

static void s_raise_and_run(s_sig_t *sig, int signum)
{
    sig->raise_signal = signum;
    assert_int_equal(uv_timer_start(&sig->timer, s_raise_cb, 1, 0), 0);
    s_run(sig->env, S_SHORT_GUARD_MS, "waiting for a signal");
}

static void test_signals(void **state)
{
    s_env_t *env = *state;
    s_sig_t *sig = s_ctx(env, sizeof *sig);
    sig->env = env;
    as_signals_t *signals = as_signals_new(&env->loop, s_on_stop, sig);
    assert_non_null(signals);
    /* the signal handles never keep the loop alive */
    assert_false(uv_loop_alive(&env->loop));

    assert_int_equal(uv_timer_init(&env->loop, &sig->timer), 0);
    sig->timer.data = sig;

    s_raise_and_run(sig, SIGTERM);
    assert_int_equal(sig->stops, 1);
    s_raise_and_run(sig, SIGINT);
    assert_int_equal(sig->stops, 2);
    s_raise_and_run(sig, SIGTERM); /* again: once each time */
    assert_int_equal(sig->stops, 3);

    /* a peer that goes away does not kill us with SIGPIPE */
    struct sigaction old;
    assert_int_equal(sigaction(SIGPIPE, NULL, &old), 0);
    assert_ptr_equal(old.sa_handler, SIG_IGN);

    as_signals_destroy(&signals);
    assert_null(signals);
    as_signals_destroy(&signals); /* NULL: no-op */
    uv_close((uv_handle_t *)&sig->timer, NULL);
    uv_run(&env->loop, UV_RUN_NOWAIT);
}

/* --- as_loop_close ------------------------------------------------------------------ */

static int s_closed;

static void s_count_close(uv_handle_t *handle)
{
    (void)handle;
    s_closed++;
}

static void s_noop_timer(uv_timer_t *timer)
{
    (void)timer;
}

static void s_noop_idle(uv_idle_t *idle)
{
    (void)idle;
}

static void test_loop_close(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    uv_timer_t timer, closing_timer;
    uv_idle_t idle;
    uv_check_t check;
    assert_int_equal(uv_timer_init(&loop, &timer), 0);
    assert_int_equal(uv_timer_start(&timer, s_noop_timer, 1000000, 1000000), 0);
    assert_int_equal(uv_timer_init(&loop, &closing_timer), 0);
    assert_int_equal(uv_idle_init(&loop, &idle), 0);
    assert_int_equal(uv_idle_start(&idle, s_noop_idle), 0);
    assert_int_equal(uv_check_init(&loop, &check), 0); /* never started */

    /* a handle already closing keeps its own close callback */
    s_closed = 0;
    uv_close((uv_handle_t *)&closing_timer, s_count_close);

    /* without as_loop_close the loop would refuse to close */
    assert_true(uv_loop_alive(&loop));
    assert_int_equal(as_loop_close(&loop), 0);
    assert_int_equal(s_closed, 1);
    assert_true(uv_is_closing((uv_handle_t *)&timer));
    assert_true(uv_is_closing((uv_handle_t *)&idle));
    assert_true(uv_is_closing((uv_handle_t *)&check));
}

static void test_loop_close_empty(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(as_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_inproc_budget, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_load_ipc_budget, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_message_waiting_before_watch, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_reply_after_send_with_kick, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_echo_load_with_kick, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_destroy_inside_reader, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_watch_edge_cases, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_zrecv_frames, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_zsend_frames, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_signals, s_setup, s_teardown),
        cmocka_unit_test(test_loop_close),
        cmocka_unit_test(test_loop_close_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
