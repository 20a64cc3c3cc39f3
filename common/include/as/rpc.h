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

/* A blocking client with time-out and retry (the Lazy Pirate pattern): on
 * time-out the socket is closed and opened again and the same request resent.
 * Commands carry a request id, so a resent command is done at most once. */
typedef struct as_rpc_client as_rpc_client_t;

/* `server_identity` names the server's key for CURVE (may be NULL without). */
as_rpc_client_t *as_rpc_client_new(void *zctx, const char *endpoint, as_security_t *security,
                                   const char *server_identity, int *err);
void as_rpc_client_destroy(as_rpc_client_t **self_p);

/* Sends [kind][body] and waits for an answer of the same kind, up to
 * `timeout_ms` per try and `tries` tries. On success *reply (malloc'd; caller
 * frees) and *reply_len are set. Returns 0, AS_ETIMEOUT, AS_EBADFRAME (the
 * server answered [error][text]; *reply holds the text) or -errno. */
int as_rpc_call(as_rpc_client_t *self, const char *kind, const void *body, size_t len,
                int timeout_ms, int tries, void **reply, size_t *reply_len);

/* Sends a command and returns its reply (free with
 * as__command_reply__free_unpacked). `request_id` NULL: a new UUIDv7.
 * Returns 0 when a reply came (look at (*reply)->status), or as_rpc_call's codes. */
int as_rpc_command(as_rpc_client_t *self, const char *command, const char *actor,
                   const char *request_id, const void *payload, size_t payload_len, int timeout_ms,
                   int tries, As__CommandReply **reply);

#endif
