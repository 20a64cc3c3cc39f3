/* service_internal.h — what the files of the runtime (service.c and its
 * service_*.c parts) share; not for daemons, whose interface is
 * include/as/service.h.
 *
 *   service.c           a daemon's life: config, store, bus, endpoint and
 *                       timers set up and torn down; the in-process calls;
 *                       as_service_main; a group kpi's site scopes
 *   service_turn.c      the write path: emitting, applying events, running
 *                       commands (idempotent by request id), the turn's
 *                       transaction and what follows its commit
 *   service_endpoint.c  the service endpoint: commands admitted to the
 *                       next turn, replay from the outbox, status
 *   service_metrics.c   /metrics and /health
 */
#ifndef AS_SERVICE_INTERNAL_H
#define AS_SERVICE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "as/arena.h"
#include "as/catalog.h"
#include "as/error.h"
#include "as/loop.h"
#include "as/metrics.h"
#include "as/metrics_http.h"
#include "as/pub.h"
#include "as/query_ids.h"
#include "as/rpc.h"
#include "as/security.h"
#include "as/service.h"
#include "as/staff.h"
#include "as/sub.h"

#define SVC_REPLAY_MAX_BYTES (4u << 20)
#define SVC_US_PER_HOUR 3600000000LL

/* A command waiting for the turn's transaction, and then for its reply. */
typedef struct {
    as_rpc_peer_t peer;
    As__CommandRequest *req;
    char actor[128];
    char via[128];  /* the delegate that named actor, else "" */
    uint8_t *reply; /* packed CommandReply, sent after commit */
    size_t reply_len;
} svc_pending_cmd_t;

typedef struct {
    uint64_t frames_rejected;
    uint64_t commands_done;
    uint64_t commands_failed;
} svc_counters_t;

struct as_service {
    const as_service_def_t *def;
    as_config_t *cfg;
    char *source;
    char *endpoint;
    uv_loop_t loop;
    void *zctx;
    as_security_t *security;
    as_staff_t *staff;
    as_store_t *store;
    as_pub_t *pub;
    /* queries' request ids not yet written (query_ids.h); turn_writes: the
     * turn's transaction writes anyway (they go in it, query_ids_written) */
    as_query_ids_t *query_ids;
    bool turn_writes, query_ids_written;
    as_sub_t *sub;
    as_sub_batch_t batch; /* the events of the turn being run */
    /* the catalog's payload message of each def->events entry, by index */
    const ProtobufCMessageDescriptor **event_payloads;
    as_arena_t *payload_arena; /* the turn's decoded payloads; reset per attempt */
    as_rpc_server_t *rpc;
    as_signals_t *signals;
    uv_timer_t heartbeat;
    uv_timer_t housekeeping;
    uv_idle_t more;                         /* the next turn of a long catch-up, after other work */
    uv_prepare_t round;                     /* before each poll: as_loop_busy_seconds */
    uint64_t round_began_ns, round_idle_ns; /* the last round's start, the loop's idle time then */
    size_t max_frame;
    int64_t request_retention_us;
    int64_t backdate_us, backdate_manager_us; /* the windows for work keyed in later */
    svc_pending_cmd_t *cmds;
    size_t n_cmds, cap_cmds;
    void *user; /* this instance's state (def->user_size bytes, zeroed), else def->user */
    bool flushing;
    bool stopping;
    int64_t started_us;
    svc_counters_t counters;
    as_metrics_t *metrics;           /* what /metrics counts (metrics.h) */
    as_metrics_http_t *metrics_http; /* [NAME] metrics_listen, else NULL */
    int last_write_rc;               /* the last write transaction's result */
    char **follows;                  /* as configured: "service" or "service@site" */
    char **follow_domains;           /* the domains subscribed to, once each */
    char **follow_sources;           /* the sources applied: "service@site" */
    char **catchup;
    char **catchup_names;
    char **publish;
    char **subscribe;
    /* def->site_scoped with [NAME] sites: the sites followed, each with its
     * own copy of the domain databases ("<site>/<db>", after the def's own),
     * and the scope the running handler reads and writes (-1: none) */
    char **sites;
    size_t n_sites, n_base_dbs;
    char **store_dbs;
    long scope;
};

/* --- service_turn.c ---------------------------------------------------------- */

/* The def's handler of command `name` (".verb" rows are "<service>.verb"),
 * the runtime's own commands included; NULL when there is none. */
const as_command_def_t *svc_table_command(const as_service_def_t *def, const char *name);

/* Applies one event with its handler in `txn`: 0, the handler's refusal
 * or stray code (the event is skipped), or a store code. */
int svc_apply_event(as_service_t *self, MDB_txn *txn, const As__Envelope *env);

/* Logs why an event was skipped. */
void svc_log_skipped(const As__Envelope *env, int rc, as_outcome_t outcome);

/* The transaction that writes the held query ids (a clean stop). */
int svc_query_ids_txn(MDB_txn *txn, void *arg);

/* Runs turns until no event waits (the loop's flush; the in-process calls). */
void svc_flush(void *arg);
/* One turn, the next on the loop's next round while events wait. */
void svc_flush_turn(void *arg);

/* The turn: its events and commands in one write transaction, then
 * published, replied and counted. Returns 0 or the code it failed with. */
int svc_write_turn(as_service_t *self);
/* Forgets the turn's events and commands. */
void svc_end_turn(as_service_t *self);
/* Frees the commands read (their requests and replies). */
void svc_clear_cmds(as_service_t *self);

/* The command's name as /metrics labels it ("unknown" for a name nobody serves). */
const char *svc_metrics_command(const as_service_t *self, const char *name);

/* The audit trail of a refused command, once, at warn (error for the
 * daemon's own trouble). */
void svc_log_refused(const char *actor, const char *via, const char *command,
                     const char *request_id, int status, const char *reason);

/* --- service_endpoint.c ------------------------------------------------------ */

/* A command refused before its turn: a packed CommandReply, or len 0 when
 * there is nothing to answer (out of memory: the client times out and retries). */
typedef struct {
    uint8_t buf[1024];
    size_t len;
} svc_refusal_t;

/* Checks a command frame and queues it for the next turn. `identity` is the
 * connection's authenticated identity (CURVE), or NULL for a local caller,
 * whose request names its actor. Returns the queued command, or NULL with
 * *refusal set. */
svc_pending_cmd_t *svc_admit_command(as_service_t *self, const void *body, size_t len,
                                     const char *identity, svc_refusal_t *refusal);

/* "<service>.source.accept": the runtime's own command (an operator accepts
 * a source's new incarnation). */
int svc_cmd_source_accept(as_cmd_t *cmd);

/* The endpoint's requests: "cmd", "replay", "status". */
void svc_on_request(as_rpc_server_t *server, const as_rpc_peer_t *peer, const char *kind,
                    const void *body, size_t len, void *arg);

/* --- service_metrics.c ------------------------------------------------------- */

/* True when every followed source is applied up to what it said it has;
 * fills `sources` (a JSON array, may be NULL) with each one's figures. */
bool svc_caught_up(as_service_t *self, json_t *sources);

/* GET /metrics and GET /health (metrics_http.h's callbacks). */
int svc_metrics_text(void *arg, as_metrics_text_t *t);
int svc_health_text(void *arg, as_metrics_text_t *t);

#endif
