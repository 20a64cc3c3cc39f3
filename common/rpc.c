/* rpc.c — service endpoint and Lazy Pirate client. See include/as/rpc.h. */
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

struct as_rpc_client {
    void *zctx;
    void *sock;
    char *endpoint;
    char *server_identity;
    as_security_t *security;
};

static int s_client_connect(as_rpc_client_t *self)
{
    self->sock = zmq_socket(self->zctx, ZMQ_DEALER);
    if (!self->sock)
        return -errno;
    int linger = 0;
    zmq_setsockopt(self->sock, ZMQ_LINGER, &linger, sizeof linger);
    int rc = 0;
    if (self->security && (rc = as_security_client(self->security, self->sock, self->endpoint,
                                                   self->server_identity)) != 0)
        goto fail;
    if (zmq_connect(self->sock, self->endpoint) != 0) {
        rc = -errno;
        goto fail;
    }
    return 0;
fail:
    zmq_close(self->sock);
    self->sock = NULL;
    return rc;
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
    if (self->sock)
        zmq_close(self->sock);
    free(self->endpoint);
    free(self->server_identity);
    free(self);
    *self_p = NULL;
}

/* Waits for one answer of `kind` (or "error"). Returns 0, AS_EBADFRAME for an
 * error answer, AS_ETIMEOUT, or -errno. */
static int s_wait(as_rpc_client_t *self, const char *kind, int timeout_ms, void **reply,
                  size_t *reply_len)
{
    int64_t deadline = as_now_us() + (int64_t)timeout_ms * 1000;
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
        zmq_msg_init(&frames[0]);
        zmq_msg_init(&frames[1]);
        size_t nf = 0;
        int rc = as_zrecv_frames(self->sock, frames, 2, &nf);
        if (rc == 0 && nf == 2) {
            size_t klen = zmq_msg_size(&frames[0]);
            bool is_error = klen == 5 && !memcmp(zmq_msg_data(&frames[0]), "error", 5);
            bool is_kind = klen == strlen(kind) && !memcmp(zmq_msg_data(&frames[0]), kind, klen);
            if (is_error || is_kind) {
                *reply_len = zmq_msg_size(&frames[1]);
                *reply = malloc(*reply_len + 1); /* +1: error texts are NUL-ended */
                if (*reply) {
                    memcpy(*reply, zmq_msg_data(&frames[1]), *reply_len);
                    ((char *)*reply)[*reply_len] = '\0';
                }
                zmq_msg_close(&frames[0]);
                zmq_msg_close(&frames[1]);
                if (!*reply)
                    return -ENOMEM;
                return is_error ? AS_EBADFRAME : 0;
            }
        }
        zmq_msg_close(&frames[0]);
        zmq_msg_close(&frames[1]);
        if (rc != 0 && rc != -EAGAIN)
            return rc;
    }
}

int as_rpc_call(as_rpc_client_t *self, const char *kind, const void *body, size_t len,
                int timeout_ms, int tries, void **reply, size_t *reply_len)
{
    *reply = NULL;
    *reply_len = 0;
    for (int attempt = 0; attempt < (tries > 0 ? tries : 1); attempt++) {
        if (!self->sock) {
            int rc = s_client_connect(self);
            if (rc != 0)
                return rc;
        }
        const void *data[2] = {kind, body};
        size_t lens[2] = {strlen(kind), len};
        int rc = 0;
        for (int i = 0; i < 2; i++)
            if (zmq_send(self->sock, data[i], lens[i], i == 0 ? ZMQ_SNDMORE : 0) < 0)
                rc = -errno;
        if (rc == 0)
            rc = s_wait(self, kind, timeout_ms, reply, reply_len);
        if (rc != AS_ETIMEOUT)
            return rc;
        /* Lazy Pirate: drop the socket (and any late answer) and try again */
        zmq_close(self->sock);
        self->sock = NULL;
    }
    return AS_ETIMEOUT;
}

int as_rpc_command(as_rpc_client_t *self, const char *command, const char *actor,
                   const char *request_id, const void *payload, size_t payload_len, int timeout_ms,
                   int tries, As__CommandReply **reply)
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
    size_t len = as__command_request__get_packed_size(&req);
    unsigned char *body = malloc(len ? len : 1);
    if (!body)
        return -ENOMEM;
    as__command_request__pack(&req, body);
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
