/* rpc.c — service endpoint and the Lazy Pirate client (blocking or on a loop). See
 * include/as/rpc.h. */
#include "as/rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "as/envelope.h"
#include "as/error.h"
#include "as/log.h"
#include "as/loop.h"

#define AS_RPC_BUDGET 1000

struct as_rpc_server {
    void *sock;
    as_zwatch_t *watch;
    as_rpc_handler_fn handler;
    void *arg;
    void (*drained)(void *arg);
    char endpoint[512];
    uint64_t malformed;
};

static bool s_kind_known(const char *kind)
{
    return !strcmp(kind, "cmd") || !strcmp(kind, "replay") || !strcmp(kind, "status");
}

static void s_reply_error(as_rpc_server_t *self, const as_rpc_peer_t *peer, const char *text)
{
    as_rpc_server_reply(self, peer, "error", text, strlen(text));
}

static void s_server_read(as_zwatch_t *watch, void *zsock, void *arg)
{
    (void)watch;
    as_rpc_server_t *self = arg;
    for (int i = 0; i < AS_RPC_BUDGET; i++) {
        zmq_msg_t frames[3];
        for (int f = 0; f < 3; f++)
            zmq_msg_init(&frames[f]);
        size_t n = 0;
        int rc = as_zrecv_frames(zsock, frames, 3, &n);
        if (rc == 0 && n >= 1 && zmq_msg_size(&frames[0]) <= AS_RPC_ID_MAX) {
            as_rpc_peer_t peer = {.id_len = zmq_msg_size(&frames[0])};
            memcpy(peer.id, zmq_msg_data(&frames[0]), peer.id_len);
            const char *user = n >= 2 ? zmq_msg_gets(&frames[1], "User-Id") : NULL;
            snprintf(peer.user_id, sizeof peer.user_id, "%s", user ? user : "");
            char kind[AS_RPC_KIND_MAX + 1] = "";
            size_t klen = n >= 2 ? zmq_msg_size(&frames[1]) : 0;
            if (klen > 0 && klen <= AS_RPC_KIND_MAX) {
                memcpy(kind, zmq_msg_data(&frames[1]), klen);
                kind[klen] = '\0';
            }
            if (n != 3) {
                self->malformed++;
                s_reply_error(self, &peer, "a request is two frames: [kind][body]");
            } else if (!s_kind_known(kind)) {
                self->malformed++;
                s_reply_error(self, &peer, "unknown request kind (expected cmd, replay or status)");
            } else {
                self->handler(self, &peer, kind, zmq_msg_data(&frames[2]), zmq_msg_size(&frames[2]),
                              self->arg);
            }
        } else if (rc == 0) {
            self->malformed++;
        }
        for (int f = 0; f < 3; f++)
            zmq_msg_close(&frames[f]);
        if (rc != 0)
            break;
    }
    if (self->drained)
        self->drained(self->arg);
}

void as_rpc_server_on_drained(as_rpc_server_t *self, void (*fn)(void *arg))
{
    self->drained = fn;
}

as_rpc_server_t *as_rpc_server_new(void *zctx, uv_loop_t *loop, const char *endpoint,
                                   as_security_t *security, size_t hard_max,
                                   as_rpc_handler_fn handler, void *arg, int *err)
{
    int rc = 0;
    as_rpc_server_t *self = calloc(1, sizeof *self);
    if (!self) {
        rc = -ENOMEM;
        goto fail;
    }
    self->handler = handler;
    self->arg = arg;
    self->sock = zmq_socket(zctx, ZMQ_ROUTER);
    if (!self->sock) {
        rc = -errno;
        goto fail_self;
    }
    int64_t max = (int64_t)(hard_max ? hard_max : (16u << 20));
    int linger = 500, mandatory = 0, hwm = 100000;
    zmq_setsockopt(self->sock, ZMQ_MAXMSGSIZE, &max, sizeof max);
    zmq_setsockopt(self->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(self->sock, ZMQ_ROUTER_MANDATORY, &mandatory, sizeof mandatory);
    zmq_setsockopt(self->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (security && (rc = as_security_server(security, self->sock, endpoint)) != 0)
        goto fail_sock;
    if (zmq_bind(self->sock, endpoint) != 0) {
        rc = -errno;
        goto fail_sock;
    }
    size_t size = sizeof self->endpoint;
    if (zmq_getsockopt(self->sock, ZMQ_LAST_ENDPOINT, self->endpoint, &size) != 0)
        snprintf(self->endpoint, sizeof self->endpoint, "%s", endpoint);
    self->watch = as_zwatch_new(loop, self->sock, s_server_read, self);
    if (!self->watch) {
        rc = -ENOMEM;
        goto fail_sock;
    }
    return self;

fail_sock:
    zmq_close(self->sock);
fail_self:
    free(self);
fail:
    if (err)
        *err = rc;
    return NULL;
}

void as_rpc_server_destroy(as_rpc_server_t **self_p)
{
    as_rpc_server_t *self = *self_p;
    if (!self)
        return;
    as_zwatch_destroy(&self->watch);
    zmq_close(self->sock);
    free(self);
    *self_p = NULL;
}

int as_rpc_server_reply(as_rpc_server_t *self, const as_rpc_peer_t *peer, const char *kind,
                        const void *body, size_t len)
{
    const void *data[3] = {peer->id, kind, body};
    size_t lens[3] = {peer->id_len, strlen(kind), len};
    int rc = as_zsend_frames(self->sock, 3, data, lens);
    as_zwatch_kick(self->watch);
    return rc;
}

uint64_t as_rpc_server_malformed(const as_rpc_server_t *self)
{
    return self->malformed;
}

const char *as_rpc_server_endpoint(const as_rpc_server_t *self)
{
    return self->endpoint;
}

/* --- client ------------------------------------------------------------ */

/* A request sent and not yet answered, kept to be sent again as it is. */
typedef struct {
    char kind[AS_RPC_KIND_MAX + 1];
    void *body;
    size_t body_len;
    int timeout_ms;
    int64_t sent_us;
} s_held_t;

struct as_rpc_client {
    void *zctx;
    void *sock;
    char *endpoint;
    char *server_identity;
    as_security_t *security;
    int64_t max_msg; /* ZMQ_MAXMSGSIZE of answers (0: no limit) */
    /* on a loop (as_rpc_client_watch) */
    uv_loop_t *loop;
    as_zwatch_t *watch;
    as_rpc_answer_fn answer;
    void *answer_arg;
    /* the requests in flight, oldest first: one DEALER to one ROUTER keeps
     * their order both ways, so the next answer is always held[0]'s */
    s_held_t held[AS_RPC_CLIENT_DEPTH];
    size_t n_held;
    uint64_t sends;
};

static void s_client_read(as_zwatch_t *watch, void *zsock, void *arg);

static int s_client_connect(as_rpc_client_t *self)
{
    self->sock = zmq_socket(self->zctx, ZMQ_DEALER);
    if (!self->sock)
        return -errno;
    int linger = 0;
    zmq_setsockopt(self->sock, ZMQ_LINGER, &linger, sizeof linger);
    if (self->max_msg)
        zmq_setsockopt(self->sock, ZMQ_MAXMSGSIZE, &self->max_msg, sizeof self->max_msg);
    int rc = 0;
    if (self->security && (rc = as_security_client(self->security, self->sock, self->endpoint,
                                                   self->server_identity)) != 0)
        goto fail;
    if (zmq_connect(self->sock, self->endpoint) != 0) {
        rc = -errno;
        goto fail;
    }
    if (self->loop && !(self->watch = as_zwatch_new(self->loop, self->sock, s_client_read, self))) {
        rc = -ENOMEM;
        goto fail;
    }
    return 0;
fail:
    zmq_close(self->sock);
    self->sock = NULL;
    return rc;
}

/* Lazy Pirate: drops the socket, and with it any late answer. */
static void s_client_disconnect(as_rpc_client_t *self)
{
    as_zwatch_destroy(&self->watch);
    if (self->sock)
        zmq_close(self->sock);
    self->sock = NULL;
}

as_rpc_client_t *as_rpc_client_new(void *zctx, const char *endpoint, as_security_t *security,
                                   const char *server_identity, int *err)
{
    int rc = -ENOMEM;
    as_rpc_client_t *self = calloc(1, sizeof *self);
    if (!self)
        goto fail;
    self->zctx = zctx;
    self->security = security;
    self->endpoint = strdup(endpoint);
    self->server_identity = server_identity ? strdup(server_identity) : NULL;
    if (!self->endpoint || (rc = s_client_connect(self)) != 0) {
        free(self->endpoint);
        free(self->server_identity);
        free(self);
        goto fail;
    }
    return self;
fail:
    if (err)
        *err = rc;
    return NULL;
}

void as_rpc_client_destroy(as_rpc_client_t **self_p)
{
    as_rpc_client_t *self = *self_p;
    if (!self)
        return;
    s_client_disconnect(self);
    for (size_t i = 0; i < self->n_held; i++)
        free(self->held[i].body);
    free(self->endpoint);
    free(self->server_identity);
    free(self);
    *self_p = NULL;
}

/* Keeps [kind][body] as the next request in flight (sent again as it is
 * after a time-out). Returns 0, -EBUSY when AS_RPC_CLIENT_DEPTH wait, or -errno. */
static int s_client_hold(as_rpc_client_t *self, const char *kind, const void *body, size_t len,
                         int timeout_ms)
{
    if (strlen(kind) > AS_RPC_KIND_MAX)
        return -EINVAL;
    if (self->n_held == AS_RPC_CLIENT_DEPTH)
        return -EBUSY;
    void *copy = malloc(len ? len : 1);
    if (!copy)
        return -ENOMEM;
    if (len)
        memcpy(copy, body, len);
    s_held_t *h = &self->held[self->n_held++];
    h->body = copy;
    h->body_len = len;
    h->timeout_ms = timeout_ms;
    h->sent_us = 0;
    snprintf(h->kind, sizeof h->kind, "%s", kind);
    return 0;
}

/* The oldest request was answered (or given up): the next is the oldest. */
static void s_client_pop(as_rpc_client_t *self)
{
    if (self->n_held == 0)
        return;
    free(self->held[0].body);
    self->n_held--;
    memmove(self->held, self->held + 1, self->n_held * sizeof *self->held);
}

static void s_client_forget(as_rpc_client_t *self)
{
    while (self->n_held > 0)
        s_client_pop(self);
}

/* Sends held request `i` on the current socket (opened first when a time-out
 * closed it). Returns 0 or -errno. */
static int s_client_send_held(as_rpc_client_t *self, size_t i)
{
    int rc = self->sock ? 0 : s_client_connect(self);
    if (rc != 0)
        return rc;
    s_held_t *h = &self->held[i];
    const void *data[2] = {h->kind, h->body};
    size_t lens[2] = {strlen(h->kind), h->body_len};
    rc = as_zsend_frames(self->sock, 2, data, lens);
    if (rc == 0) {
        h->sent_us = as_now_us();
        self->sends++;
    }
    if (self->watch)
        as_zwatch_kick(self->watch);
    return rc;
}

/* Sends every held request again, in order, on the current socket. */
static int s_client_send_all(as_rpc_client_t *self)
{
    int rc = 0;
    for (size_t i = 0; i < self->n_held && rc == 0; i++)
        rc = s_client_send_held(self, i);
    return rc;
}

/* Reads one message. Returns 1 for an answer of `kind` (frames[1] is its
 * body), 2 for [error][text], 0 for anything else (dropped), or -errno
 * (-EAGAIN: nothing waits). The caller closes the frames. */
static int s_client_recv(void *sock, const char *kind, zmq_msg_t frames[2])
{
    zmq_msg_init(&frames[0]);
    zmq_msg_init(&frames[1]);
    size_t nf = 0;
    int rc = as_zrecv_frames(sock, frames, 2, &nf);
    if (rc != 0)
        return rc;
    if (nf != 2)
        return 0;
    size_t klen = zmq_msg_size(&frames[0]);
    const char *k = zmq_msg_data(&frames[0]);
    if (klen == strlen(kind) && !memcmp(k, kind, klen))
        return 1;
    return klen == 5 && !memcmp(k, "error", 5) ? 2 : 0;
}

/* Waits for one answer to the held request. Returns 0, AS_EBADFRAME for an
 * error answer, AS_ETIMEOUT, or -errno. */
static int s_wait(as_rpc_client_t *self, void **reply, size_t *reply_len)
{
    int64_t deadline = self->held[0].sent_us + (int64_t)self->held[0].timeout_ms * 1000;
    for (;;) {
        int64_t left_ms = (deadline - as_now_us()) / 1000;
        if (left_ms <= 0)
            return AS_ETIMEOUT;
        zmq_pollitem_t item = {self->sock, 0, ZMQ_POLLIN, 0};
        int n = zmq_poll(&item, 1, (long)left_ms);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return AS_ETIMEOUT;
        zmq_msg_t frames[2];
        int got = s_client_recv(self->sock, self->held[0].kind, frames);
        if (got > 0) {
            *reply_len = zmq_msg_size(&frames[1]);
            *reply = malloc(*reply_len + 1); /* +1: error texts are NUL-ended */
            if (*reply) {
                memcpy(*reply, zmq_msg_data(&frames[1]), *reply_len);
                ((char *)*reply)[*reply_len] = '\0';
            }
        }
        zmq_msg_close(&frames[0]);
        zmq_msg_close(&frames[1]);
        if (got > 0) {
            s_client_pop(self);
            if (!*reply)
                return -ENOMEM;
            return got == 2 ? AS_EBADFRAME : 0;
        }
        if (got < 0 && got != -EAGAIN)
            return got;
    }
}

int as_rpc_call(as_rpc_client_t *self, const char *kind, const void *body, size_t len,
                int timeout_ms, int tries, void **reply, size_t *reply_len)
{
    *reply = NULL;
    *reply_len = 0;
    s_client_forget(self);
    int rc = s_client_hold(self, kind, body, len, timeout_ms);
    if (rc != 0)
        return rc;
    for (int attempt = 0; attempt < (tries > 0 ? tries : 1); attempt++) {
        if ((rc = s_client_send_held(self, 0)) == 0)
            rc = s_wait(self, reply, reply_len);
        if (rc != AS_ETIMEOUT) {
            s_client_forget(self); /* answered (popped), or failed for good */
            return rc;
        }
        s_client_disconnect(self);
    }
    s_client_forget(self);
    return AS_ETIMEOUT;
}

/* --- the client on a loop ------------------------------------------------ */

static void s_client_read(as_zwatch_t *watch, void *zsock, void *arg)
{
    (void)watch;
    (void)zsock; /* an answer's callback may send again: always read the current socket */
    as_rpc_client_t *self = arg;
    for (int i = 0; i < 16 && self->sock; i++) {
        zmq_msg_t frames[2];
        int got = s_client_recv(self->sock, self->n_held ? self->held[0].kind : "", frames);
        if (got > 0) {
            s_client_pop(self);
            self->answer(self, got == 2 ? AS_EBADFRAME : 0, zmq_msg_data(&frames[1]),
                         zmq_msg_size(&frames[1]), self->answer_arg);
        } else if (got == 0) {
            self->answer(self, AS_EINVALID, NULL, 0, self->answer_arg);
        }
        zmq_msg_close(&frames[0]);
        zmq_msg_close(&frames[1]);
        if (got < 0)
            break;
    }
}

int as_rpc_client_watch(as_rpc_client_t *self, uv_loop_t *loop, size_t max_msg,
                        as_rpc_answer_fn answer, void *arg)
{
    s_client_disconnect(self);
    self->loop = loop;
    self->max_msg = (int64_t)max_msg;
    self->answer = answer;
    self->answer_arg = arg;
    return s_client_connect(self);
}

int as_rpc_client_send(as_rpc_client_t *self, const char *kind, const void *body, size_t len,
                       int timeout_ms)
{
    if (self->n_held > 0)
        return -EBUSY;
    return as_rpc_client_send_next(self, kind, body, len, timeout_ms);
}

int as_rpc_client_send_next(as_rpc_client_t *self, const char *kind, const void *body, size_t len,
                            int timeout_ms)
{
    int rc = s_client_hold(self, kind, body, len, timeout_ms);
    if (rc != 0)
        return rc;
    if ((rc = s_client_send_held(self, self->n_held - 1)) != 0) {
        self->n_held--; /* not in flight: the caller asks again */
        free(self->held[self->n_held].body);
    }
    return rc;
}

bool as_rpc_client_busy(const as_rpc_client_t *self)
{
    return self->n_held > 0;
}

size_t as_rpc_client_inflight(const as_rpc_client_t *self)
{
    return self->n_held;
}

bool as_rpc_client_expire(as_rpc_client_t *self, int64_t now_us)
{
    if (self->n_held == 0 ||
        now_us - self->held[0].sent_us < (int64_t)self->held[0].timeout_ms * 1000)
        return false;
    as_debug("request to '%s' timed out; reconnecting", self->endpoint);
    s_client_disconnect(self);
    if (s_client_send_all(self) != 0)
        as_debug("cannot send the request to '%s' again yet", self->endpoint);
    return true;
}

uint64_t as_rpc_client_sends(const as_rpc_client_t *self)
{
    return self->sends;
}

int as_rpc_command(as_rpc_client_t *self, const char *command, const char *actor,
                   const char *request_id, const void *payload, size_t payload_len, int timeout_ms,
                   int tries, As__CommandReply **reply)
{
    return as_rpc_command_at(self, command, actor, request_id, payload, payload_len, 0, timeout_ms,
                             tries, reply);
}

int as_rpc_command_at(as_rpc_client_t *self, const char *command, const char *actor,
                      const char *request_id, const void *payload, size_t payload_len,
                      int64_t occurred_us, int timeout_ms, int tries, As__CommandReply **reply)
{
    char id[AS_UUID_LEN + 1];
    if (!request_id) {
        as_uuidv7(id);
        request_id = id;
    }
    As__CommandRequest req = AS__COMMAND_REQUEST__INIT;
    req.request_id = (char *)request_id;
    req.actor = (char *)actor;
    req.command = (char *)command;
    if (payload) {
        req.has_payload = 1;
        req.payload.data = (uint8_t *)payload;
        req.payload.len = payload_len;
    }
    req.has_occurred_us = occurred_us != 0;
    req.occurred_us = occurred_us;
    return as_rpc_send_command(self, &req, timeout_ms, tries, reply);
}

int as_rpc_send_command(as_rpc_client_t *self, const As__CommandRequest *req, int timeout_ms,
                        int tries, As__CommandReply **reply)
{
    size_t len = as__command_request__get_packed_size(req);
    unsigned char *body = malloc(len ? len : 1);
    if (!body)
        return -ENOMEM;
    as__command_request__pack(req, body);
    void *answer = NULL;
    size_t answer_len = 0;
    int rc = as_rpc_call(self, "cmd", body, len, timeout_ms, tries, &answer, &answer_len);
    free(body);
    if (rc == AS_EBADFRAME) {
        /* the server could not read the request at all: report its text */
        As__CommandReply *r = calloc(1, sizeof *r);
        if (r) {
            as__command_reply__init(r);
            r->has_status = 1;
            r->status = AS_EBADFRAME;
            r->error = answer;
            answer = NULL;
            *reply = r;
            rc = 0;
        }
        free(answer);
        return rc;
    }
    if (rc != 0)
        return rc;
    *reply = as__command_reply__unpack(NULL, answer_len, answer);
    free(answer);
    return *reply ? 0 : AS_EBADFRAME;
}
