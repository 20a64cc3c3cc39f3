/* security.h — CurveZMQ keys and the ZAP handler.
 *
 * A site keeps one keys directory. Each identity (a daemon, asbus, a staff
 * member's asctl, an OEM system) has a keypair made by `asctl keygen NAME`:
 *   NAME.key  both keys, mode 0600, kept only on the machine that is NAME
 *   NAME.pub  the public key, copied to every machine of the site
 * A daemon's ZAP handler admits a CURVE client only when its public key is one
 * of the *.pub files in the keys directory, and gives the connection the
 * identity NAME (read on a message with zmq_msg_gets(msg, "User-Id")).
 *
 * libzmq 4.3 admits any CURVE client that knows the server's public key when no
 * ZAP handler is bound, so as_zap_new() must be called before any socket of the
 * context binds.
 */
#ifndef AS_SECURITY_H
#define AS_SECURITY_H

#include <stdbool.h>
#include <stdint.h>

#include "as/config.h"

#define AS_Z85_KEY_LEN 40

typedef struct as_keypair {
    char public_z85[AS_Z85_KEY_LEN + 1]; /* always set */
    char secret_z85[AS_Z85_KEY_LEN + 1]; /* empty when only the public key is known */
} as_keypair_t;

/* Makes a new keypair. Returns 0 or a negative code. */
int as_keypair_generate(as_keypair_t *out);

/* Writes DIR/NAME.key (0600) and DIR/NAME.pub (0644). NAME is [A-Za-z0-9._@-]+.
 * Refuses to overwrite an existing NAME.key (AS_EEXISTS). */
int as_keypair_save(const as_keypair_t *keys, const char *dir, const char *name);

/* Reads a .key file (both keys) or a .pub file (public only). Returns 0,
 * -ENOENT, or AS_EINVALID when the file does not hold a Z85 key. */
int as_keypair_load(const char *path, as_keypair_t *out);

/* Makes `sock` a CURVE server with the given keys and the ZAP domain
 * "aftersales". Call before zmq_bind. Returns 0 or -errno. */
int as_curve_server(void *sock, const as_keypair_t *server);

/* Makes `sock` a CURVE client of the server whose public key is given.
 * Call before zmq_connect. Returns 0 or -errno. */
int as_curve_client(void *sock, const as_keypair_t *client, const char *server_public_z85);

/* The ZAP handler: one thread that answers the context's ZAP requests. */
typedef struct as_zap as_zap_t;

/* The identity the ZAP handler gives every NULL-mechanism connection
 * (ipc://, inproc://); no key may take this name. */
#define AS_LOCAL_IDENTITY "local"

/* Binds inproc://zeromq.zap.01 on `zctx` in the calling thread, loads every
 * KEYS_DIR/ *.pub, then serves requests on its own thread. NULL-mechanism
 * connections (ipc://, inproc://) are admitted with identity "local"; CURVE
 * connections only with a listed key. On failure returns NULL and sets *err. */
as_zap_t *as_zap_new(void *zctx, const char *keys_dir, int *err);

/* Connections refused / admitted since start. */
uint64_t as_zap_refused(const as_zap_t *self);
uint64_t as_zap_admitted(const as_zap_t *self);

/* Stops the thread and closes the socket. Call before zmq_ctx_term. */
void as_zap_destroy(as_zap_t **self_p);

/* Site security read from the [security] section of the config:
 *   curve = on|off          use CURVE on tcp:// endpoints (default off)
 *   keys_dir = DIR          the *.pub (and this machine's *.key) files
 * This process's keypair is KEYS_DIR/NAME.key, NAME being the environment's
 * AS_IDENTITY when set (a person's asctl, an outside system), else the
 * default the caller gives (a daemon's service name; "asctl").
 * Endpoints that are not tcp:// never use CURVE. */
typedef struct as_security as_security_t;

/* `identity_default` is used when AS_IDENTITY is not set (a daemon passes its
 * service name). Returns NULL and sets *err on failure
 * (a missing key file when curve is on is AS_ECONFIG). */
as_security_t *as_security_new(as_config_t *cfg, const char *identity_default, int *err);

bool as_security_curve(const as_security_t *self);

/* Starts the ZAP handler when curve is on (no-op otherwise). Call once, before
 * any bind on the context. Returns 0 or a negative code. */
int as_security_start(as_security_t *self, void *zctx);

/* Configures a socket about to bind `endpoint` (server side) or connect to
 * `endpoint` of identity `server_name` (client side; its public key is
 * KEYS_DIR/SERVER_NAME.pub). No-op unless curve is on and endpoint is tcp://.
 * Returns 0 or a negative code. */
int as_security_server(as_security_t *self, void *sock, const char *endpoint);
int as_security_client(as_security_t *self, void *sock, const char *endpoint,
                       const char *server_name);

void as_security_destroy(as_security_t **self_p);

/* ipc:// endpoints are plain (no CURVE): whoever can reach a socket file can
 * publish as any source and send commands as "local". So a process binds an
 * ipc:// endpoint only in a directory that its own user alone can reach: the
 * directory exists, belongs to the effective user, and gives group and others
 * no access (mode 0700 or stricter). Returns 0 (also for an endpoint that is
 * not an ipc:// file: tcp://, an abstract "@name"), or AS_ECONFIG with a
 * sentence for people in `why` that names the directory and what to do. */
int as_ipc_dir_check(const char *endpoint, char *why, size_t cap);

#endif
