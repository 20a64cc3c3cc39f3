/* rpc.h — a daemon's service endpoint (ROUTER) and its clients (DEALER).
 *
 * Frames: client -> server [kind][body]; the server sees [routing id][kind][body]
 * and answers [kind][body]. Kinds: "cmd" (CommandRequest/CommandReply),
 * "replay" (ReplayRequest/ReplayResponse), "status" (StatusRequest/StatusReply).
 * A request the server cannot read is answered [error][text].
 */
#ifndef AS_RPC_H
#define AS_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "as/pb/rpc.pb-c.h"
#include "as/security.h"

#define AS_RPC_ID_MAX 256
#define AS_RPC_KIND_MAX 16

/* Who asked: enough to answer later (a command is answered after commit). */
typedef struct as_rpc_peer {
    unsigned char id[AS_RPC_ID_MAX];
    size_t id_len;
    char user_id[128]; /* the CURVE identity; "" on a connection without CURVE */
} as_rpc_peer_t;

typedef struct as_rpc_server as_rpc_server_t;

/* Called for each well-formed request; `body` is borrowed for the call. */
typedef void (*as_rpc_handler_fn)(as_rpc_server_t *server, const as_rpc_peer_t *peer,
                                  const char *kind, const void *body, size_t len, void *arg);

/* Binds a ROUTER on `endpoint` (CURVE when the security says so) and watches
 * it on `loop`. Frames over `hard_max` bytes make libzmq drop the connection.
 * Returns NULL and sets *err on failure (-errno; -EADDRINUSE when taken). */
as_rpc_server_t *as_rpc_server_new(void *zctx, uv_loop_t *loop, const char *endpoint,
                                   as_security_t *security, size_t hard_max,
                                   as_rpc_handler_fn handler, void *arg, int *err);
void as_rpc_server_destroy(as_rpc_server_t **self_p);

/* Calls fn(arg) after each read of a burst of requests (at most 1,000), so the
 * owner can commit the burst in one transaction before answering. */
void as_rpc_server_on_drained(as_rpc_server_t *self, void (*fn)(void *arg));

/* Sends [kind][body] to `peer`. Returns 0 or -errno (-EAGAIN at the
 * high-water mark). A reply to a peer that has gone is dropped silently by
 * the ROUTER (it then retries with the same request id). */
int as_rpc_server_reply(as_rpc_server_t *self, const as_rpc_peer_t *peer, const char *kind,
                        const void *body, size_t len);

/* Malformed requests seen (wrong frame count, unknown kind). */
uint64_t as_rpc_server_malformed(const as_rpc_server_t *self);

/* The endpoint actually bound (resolves tcp://...:* ports). */
const char *as_rpc_server_endpoint(const as_rpc_server_t *self);

/* The one request client (the Lazy Pirate pattern): one DEALER to one
 * service endpoint and one request at a time; when no answer comes within the
 * time-out, the socket is closed (dropping any late answer), opened again and
 * the same request sent again (on a loop, a few requests may be pipelined:
 * as_rpc_client_send_next). Commands carry a request id, so a resent
 * command is done at most once. Used blocking (as_rpc_call: tools, tests) or
 * on a uv loop (as_rpc_client_watch: a subscriber's replay requests). */
typedef struct as_rpc_client as_rpc_client_t;

/* `server_identity` names the server's key for CURVE (may be NULL without).
 * Returns NULL and sets *err (-errno) on failure. */
as_rpc_client_t *as_rpc_client_new(void *zctx, const char *endpoint, as_security_t *security,
                                   const char *server_identity, int *err);
void as_rpc_client_destroy(as_rpc_client_t **self_p);

/* Sends [kind][body] and waits for an answer of the same kind, up to
 * `timeout_ms` per try and `tries` tries. On success *reply (malloc'd; caller
 * frees) and *reply_len are set. Returns 0, AS_ETIMEOUT, AS_EBADFRAME (the
 * server answered [error][text]; *reply holds the text) or -errno.
 * Not for a client on a loop. */
int as_rpc_call(as_rpc_client_t *self, const char *kind, const void *body, size_t len,
                int timeout_ms, int tries, void **reply, size_t *reply_len);

/* Called on the loop for each message the endpoint sends: `status` 0 with
 * the answer's body (borrowed for the call), AS_EBADFRAME with the text of an
 * [error][text] answer (both end the request in flight), or AS_EINVALID with
 * no body for a message that is no answer. It may send the next request; it
 * must not destroy the client. */
typedef void (*as_rpc_answer_fn)(as_rpc_client_t *client, int status, const void *body, size_t len,
                                 void *arg);

/* Puts the client on `loop`: answers go to answer(arg). Answers over
 * `max_msg` bytes (0: no limit) make libzmq drop the connection (the request
 * is then sent again after its time-out). Returns 0 or -errno. */
int as_rpc_client_watch(as_rpc_client_t *self, uv_loop_t *loop, size_t max_msg,
                        as_rpc_answer_fn answer, void *arg);

/* Sends [kind][body] (copied: it is sent again as it is on a time-out).
 * Returns 0, -EBUSY while a request is in flight, or -errno. */
int as_rpc_client_send(as_rpc_client_t *self, const char *kind, const void *body, size_t len,
                       int timeout_ms);

/* Sends [kind][body] behind the requests in flight (a pipeline: the server
 * answers one connection's requests in order, and each answer goes to
 * answer() in that order). Returns 0, -EBUSY when AS_RPC_CLIENT_DEPTH
 * requests are in flight, or -errno (then nothing more is in flight). */
#define AS_RPC_CLIENT_DEPTH 4
int as_rpc_client_send_next(as_rpc_client_t *self, const char *kind, const void *body, size_t len,
                            int timeout_ms);

/* True while a request waits for its answer. */
bool as_rpc_client_busy(const as_rpc_client_t *self);

/* Requests waiting for their answers (0 to AS_RPC_CLIENT_DEPTH). */
size_t as_rpc_client_inflight(const as_rpc_client_t *self);

/* Call from a timer: when the oldest request in flight waited past its
 * time-out, reconnects and sends every request in flight again, in order (for ever: the owner
 * decides when to give up). Returns true when it did. */
bool as_rpc_client_expire(as_rpc_client_t *self, int64_t now_us);

/* Requests sent, first tries and resends together. */
uint64_t as_rpc_client_sends(const as_rpc_client_t *self);

/* Sends a command and returns its reply (free with
 * as__command_reply__free_unpacked). `request_id` NULL: a new UUIDv7.
 * Returns 0 when a reply came (look at (*reply)->status), or as_rpc_call's codes. */
int as_rpc_command(as_rpc_client_t *self, const char *command, const char *actor,
                   const char *request_id, const void *payload, size_t payload_len, int timeout_ms,
                   int tries, As__CommandReply **reply);

/* The same for a dated command keyed in after the fact: `occurred_us` is
 * when what it records happened (0: now, as as_rpc_command). */
int as_rpc_command_at(as_rpc_client_t *self, const char *command, const char *actor,
                      const char *request_id, const void *payload, size_t payload_len,
                      int64_t occurred_us, int timeout_ms, int tries, As__CommandReply **reply);

/* The same with a whole request (a dated command's occurred_us, a
 * correlation id); `req->request_id` must be set. */
int as_rpc_send_command(as_rpc_client_t *self, const As__CommandRequest *req, int timeout_ms,
                        int tries, As__CommandReply **reply);

#endif
