/* web.h — the gateway as-web's parts (private to services/web).
 *
 * One daemon on the runtime's loop: the HTTP server (libh2o built on libuv,
 * http.c), sign-in and sessions in its own store (auth.c), commands forwarded
 * to the services as the staff member (calls.c), the services' events pushed
 * to open pages (events.c). Nothing here runs off the loop but the password
 * hashing (uv_queue_work in auth.c), which touches no socket and no LMDB txn.
 */
#ifndef WEB_H
#define WEB_H

#include <h2o.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "as/pb/web.pb-c.h"
#include "as/service.h"

#define WEB_ID_HEX 65       /* a session id or CSRF token: 32 random bytes in hex, and NUL */
#define WEB_MAX_BACKENDS 16 /* services the gateway forwards to */

typedef struct web_backend web_backend_t; /* calls.c */
typedef struct web_stream web_stream_t;   /* events.c */

/* A signed-in member, as a request finds it. */
typedef struct web_member {
    char staff_id[128];
    unsigned roles;
    char csrf[WEB_ID_HEX];
    int64_t expires_us;
} web_member_t;

/* The gateway's timer: call time-outs, SSE keep-alives, session pruning. */
#define WEB_TICK_MS 250

/* [web] of the config (README.md). */
typedef struct web_settings {
    char listen_host[256];
    int listen_port;
    bool loopback; /* cookies without Secure only on 127.0.0.1 / localhost / ::1 */
    char www_dir[PATH_MAX + 32];
    char js_dir[PATH_MAX]; /* Debian's libjs-* packages, served read-only at /js/ */
    int64_t session_us;
    unsigned lockout_after;
    int64_t lockout_us;
    int64_t call_timeout_us;
    unsigned inflight_per_service; /* commands in flight to one service */
    size_t max_body;
    unsigned keepalive_ticks; /* ticks (WEB_TICK_MS) between SSE comment lines */
    char site[65];            /* [site] name */
    char currency[16];        /* [site] currency, "" for none */
} web_settings_t;

/* The service's per-instance state (as_service_user). */
typedef struct web {
    as_service_t *svc;
    web_settings_t set;
    /* http.c */
    h2o_globalconf_t h2o_config;
    h2o_context_t h2o_ctx;
    h2o_accept_ctx_t accept_ctx;
    uv_tcp_t listener;
    bool listening;
    size_t connections; /* open HTTP connections */
    uv_timer_t tick;    /* call time-outs, SSE keep-alives, session pruning */
    int64_t pruned_us;
    /* auth.c */
    char dummy_hash[128]; /* verified against for an unknown staff id */
    /* calls.c */
    web_backend_t *backends[WEB_MAX_BACKENDS];
    size_t n_backends;
    /* events.c */
    web_stream_t *streams;
    uint64_t events_pushed;
    uint64_t stream_ticks;
} web_t;

/* --- web.c ---------------------------------------------------------------- */
int web_cmd_credential_set(as_cmd_t *cmd);

/* --- staff.c -------------------------------------------------------------- */
int web_cmd_credential_list(as_cmd_t *cmd);

/* --- http.c --------------------------------------------------------------- */
int web_http_start(web_t *web);
void web_http_stop(web_t *web);
/* Answers `req` with `status` and the JSON `body` (a reference it takes). */
void web_reply_json(h2o_req_t *req, int status, json_t *body);
/* Answers {"error": text} with `status`. */
void web_reply_error(h2o_req_t *req, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The request body as JSON (an object), or NULL after answering 400. */
json_t *web_body_json(web_t *web, h2o_req_t *req);

/* An answer that comes later (a sign-in's verify, a forwarded command) holds
 * its request in *slot; web_req_link sets *slot = req and clears it when h2o
 * frees the request (the client went away). web_req_unlink, while *slot is
 * still set, before the holder goes. */
typedef struct web_req_link {
    h2o_req_t **slot;
} web_req_link_t;
web_req_link_t *web_req_link(h2o_req_t *req, h2o_req_t **slot);
void web_req_unlink(web_req_link_t *link);

/* --- auth.c --------------------------------------------------------------- */
int web_auth_start(web_t *web);
/* The member whose session cookie `req` carries, or false (no, an unknown or
 * an expired session). */
bool web_session_find(web_t *web, h2o_req_t *req, web_member_t *out);
/* Deletes the sessions that expired (the tick calls it every 10 minutes). */
void web_sessions_prune(web_t *web, int64_t now_us);
/* POST /api/signin, POST /api/signout, GET /api/me. */
void web_signin(web_t *web, h2o_req_t *req);
void web_signout(web_t *web, h2o_req_t *req, const web_member_t *member);
void web_me(web_t *web, h2o_req_t *req, const web_member_t *member);
/* The roles as a JSON array of names. */
json_t *web_roles_json(unsigned roles);
/* A new random id: 32 bytes from libsodium, in hex. */
void web_random_id(char out[WEB_ID_HEX]);

/* --- calls.c -------------------------------------------------------------- */
int web_calls_start(web_t *web);
void web_calls_stop(web_t *web);
/* POST /api/call/<command>: checks the member's roles from the catalog,
 * forwards, answers when the service does (or says it is unavailable). */
void web_call(web_t *web, h2o_req_t *req, const web_member_t *member, const char *command);
/* GET /api/status: each service, up or unavailable since when. */
void web_status(web_t *web, h2o_req_t *req);
/* Answers calls that waited past the time-out (from the tick). */
void web_calls_tick(web_t *web, int64_t now_us);

/* --- events.c ------------------------------------------------------------- */
/* GET /api/events: a Server-Sent Events stream of what the member may see. */
void web_events_open(web_t *web, h2o_req_t *req, const web_member_t *member);
/* Pushes one applied event to every stream that may see it (on_applied). */
void web_events_push(as_service_t *svc, const As__Envelope *env);
/* Keep-alive comments (from the tick). */
void web_events_tick(web_t *web);
/* Ends every stream (at stop). */
void web_events_close_all(web_t *web);
/* Whether a member with `roles` sees events of `type`: their role's
 * domains, or one entity of a domain (events.c's s_visibility). */
bool web_events_visible(unsigned roles, const char *type);

#endif
