/* service.h — the runtime of one daemon.
 *
 * A service is a name, its domain databases, a table of commands and a table
 * of event handlers. The runtime owns the rest: the config, the LMDB store,
 * the bus (publish after commit, subscribe with dedup/gap replay/catch-up),
 * the service endpoint (commands, replay, status), heartbeats, signals.
 *
 * Everything that changes state runs in one write transaction per turn of the
 * loop (group commit): every waiting event and command, their state changes,
 * the events they emit (outbox) and the offsets. Replies and events go out
 * only after that transaction commits. When events still wait after a turn
 * (max_batch, a long catch-up) the next turn runs on the loop's next round,
 * so commands, status and /metrics are answered between the turns.
 * Commands are idempotent by request id: the reply is kept with the actor,
 * delegate, command and a digest of the payload, and only a request
 * matching all of them is a retry (it gets the stored reply); any other use
 * of a known id is refused (AS_EEXISTS) and reveals nothing. A query's
 * (catalog.h) request id is kept with who sent it, but not its reply: a
 * true retry reads again; it is held in memory until a turn writes anyway
 * (query_ids.h), so that a turn of queries alone commits nothing.
 * Role-check refusals (AS_EDENIED), unknown commands and internal errors
 * are not kept.
 *
 * Config, section [<name>] (and [site], [bus], [staff]); every key is a row
 * of common/config_schema.c, where its range and default live, and
 * as_service_main() refuses a file that fails as_config_check():
 *   endpoint        service endpoint to bind (required)
 *   data_dir        LMDB directory (default ${site.data_dir}/<name>)
 *   follows         services whose events this one applies (comma list)
 *   heartbeat_ms    default 1000
 *   max_frame       largest command or event accepted, default 1M
 *   map_size        first LMDB map size, default 256M (grows on demand)
 *   rcvhwm, sndhwm  ZeroMQ high-water marks, default 1000000
 *   replay_timeout_ms  default 3000
 *   best_effort_after_ms  a gap in the events of a source that never named a
 *                   service endpoint is skipped (counted lost) after this,
 *                   default 10000
 *   max_batch       events per write transaction, default 0 (all that wait);
 *                   1 turns group commit off (one fsync per event)
 *   metrics_listen  host:port (127.0.0.1:9101): GET /metrics (Prometheus
 *                   text: metrics.h and service.c's s_metrics_text) and
 *                   GET /health (JSON; 200 when caught up and the store is
 *                   writable, else 503) over HTTP on the loop
 *                   (metrics_http.h); default off. Not host:port: exit 78.
 *   metrics_token_file  a file (mode 600) holding the bearer token both
 *                   paths then ask for; required when metrics_listen is not
 *                   a loopback address (else exit 78)
 *   [site] name     the site; this service's source is "<name>@<site>"
 *   [bus] publish   the bus's XSUB endpoints (comma list)
 *   [bus] subscribe the bus's XPUB endpoints (comma list)
 */
#ifndef AS_SERVICE_H
#define AS_SERVICE_H

#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <uv.h>

#include "as/calendar.h"
#include "as/config.h"
#include "as/envelope.h"
#include "as/store.h"

typedef struct as_service as_service_t;

/* One command being run. The handler reads the fields and answers through
 * as_cmd_reply() / as_cmd_fail(); what it writes through `txn` and emits is
 * kept only when it returns 0. */
typedef struct as_cmd {
    as_service_t *svc;
    MDB_txn *txn; /* a nested transaction: aborted when the handler fails */
    const char *command;
    const char *actor; /* authenticated identity, or the request's actor locally */
    const char *via;   /* the delegate that named `actor` over CURVE, else NULL */
    const char *request_id;
    const char *correlation_id;
    const uint8_t *payload;
    size_t payload_len;
    /* the payload decoded into the catalog's request message (borrowed: the
     * runtime frees it after the handler); NULL when the command takes none */
    const ProtobufCMessage *request;
    /* when what the command records happened, as the request said (a dated
     * command keyed in after the fact, checked against the site's window);
     * 0: it happens now. Read it through as_cmd_time(). */
    int64_t occurred_us;
    /* results */
    char error[512];
    /* the refusal's format and its arguments' texts, each ending in NUL (set
     * by as_cmd_fail; NULL / 0 when the text was written otherwise): the
     * reply carries them so a page can show the refusal in its language */
    const char *error_format;
    char error_args[512];
    int n_error_args;
    uint8_t *reply; /* packed reply payload (malloc'd by as_cmd_reply) */
    size_t reply_len;
} as_cmd_t;

/* A handler returns 0, an AS_E* code (its answer, with as_cmd_fail's text),
 * or a code it got from the store or the system. as_outcome_of() (error.h)
 * decides: store trouble (map full, EIO, a broken transaction) ends the whole
 * turn; any other code is a bug, and that command alone is refused with
 * AS_EINTERNAL ("internal error in <command>: <code>; nothing was done") and
 * logged. An event handler's codes mean the same: a refusal or a stray code
 * skips that one event (counted in status), store trouble fails the turn. */
typedef int (*as_cmd_fn)(as_cmd_t *cmd);

/* The command's request and reply messages, who may run it, whether it only
 * reads, and its help line live in the catalog (catalog.h), which the CLI
 * shares; a service only maps names to handlers. At start the runtime holds
 * the table to the catalog: a handler for a command the catalog does not
 * give this service, or a command of this service without a handler, and
 * the service refuses to start (as_service_main exits 70, naming it). A
 * def without a table (commands NULL) serves no command and is not checked.
 *
 * Before the handler runs, the runtime checks the actor's roles against the
 * catalog's (AS_EDENIED, "<command>: '<actor>' is not a <roles>"), decodes
 * the payload into the catalog's request message (AS_EBADFRAME, "payload is
 * not a <Message> message"), holds it to the bound on text (text.h), and
 * frees it after the handler. A query runs with whatever it writes or emits
 * discarded, and its reply is never kept under the request id. */
typedef struct as_command_def {
    /* "<domain>.<verb>", e.g. "demo.generate"; or ".<verb>" for "<service name>.<verb>",
     * for a daemon whose name comes from --name (as_service_def_t.named) */
    const char *name;
    as_cmd_fn handle;
} as_command_def_t;

/* One event being applied (the offset is written by the runtime). Before the
 * handler runs, the runtime decodes the envelope's payload into the message
 * the catalog gives its type (`payload`, borrowed: it lives until the turn
 * ends, so a handler must copy what it keeps). A payload that does not
 * decode skips the event ("payload is not a <Message> message") without the
 * handler running. */
typedef struct as_evt {
    as_service_t *svc;
    MDB_txn *txn;
    const As__Envelope *env;
    const ProtobufCMessage *payload; /* NULL when the type carries no payload */
} as_evt_t;

typedef int (*as_evt_fn)(as_evt_t *evt);

/* A service's table of events it applies. Each type must be in the catalog
 * (a handler for a type the catalog does not know and the service refuses
 * to start, exit 70). */
typedef struct as_event_def {
    const char *type; /* exact event type, e.g. "workshop.qc.passed" */
    as_evt_fn apply;
    /* the handler takes the payload as bytes (env->payload: a sink that keeps
     * it as it came); the runtime does not decode it and evt->payload is NULL */
    bool raw;
} as_event_def_t;

typedef struct as_service_def {
    const char *name;                   /* service name = domain of its events */
    const char *const *dbs;             /* domain databases (NULL-terminated) */
    const as_command_def_t *commands;   /* ends with a {NULL} entry */
    const as_event_def_t *events;       /* ends with a {NULL} entry */
    int (*on_start)(as_service_t *svc); /* after the store opens, before the loop runs */
    void (*on_stop)(as_service_t *svc); /* when a stop is asked, before handles close */
    /* after the commit of each applied event (metrics; may be NULL) */
    void (*on_applied)(as_service_t *svc, const As__Envelope *env);
    /* per-instance state: each as_service_t gets user_size zeroed bytes of
     * its own (as_service_user), allocated before on_start fills them and
     * freed with the service; so two instances in one process (a test, the
     * harness) never share a service's state. Plain data only: nothing in it
     * is freed but the block. 0: as_service_user gives `user` instead. */
    size_t user_size;
    void *user;          /* a context shared by every instance (a test's fixture, a tool's) */
    const char *summary; /* what the daemon does, for --help */
    /* runs once per external system, under the name given with --name NAME
     * (required; `name` above is then only what --help shows) */
    bool named;
    /* [NAME] sites = a, b, ... may make this daemon follow several sites (a
     * dealer group's kpi): each plain entry of `follows` becomes that service
     * at every site listed, and each site gets its own copy of `dbs` (named
     * "<site>/<db>" in the store), because ids (an RO number, a technician)
     * are only unique within a site. Before an event handler runs, the scope
     * is the event's source's site; a command handler sets it itself
     * (as_service_scope_set). as_record_dbi resolves names in the scope. */
    bool site_scoped;
} as_service_def_t;

/* Opens everything the config describes. Returns NULL and sets *err (and logs
 * what went wrong) on failure. The config stays owned by the caller and must
 * outlive the service. */
as_service_t *as_service_new(const as_service_def_t *def, as_config_t *cfg, int *err);

/* The same service in-process, for tests (tests/support/harness.h): the
 * catalog checks, the config, the staff list, the store and on_start as
 * as_service_new, but no ZeroMQ context, socket, endpoint, bus, timer or
 * signal handler. Its events go to the outbox only. Commands and events
 * reach it through as_service_call() and as_service_apply(); the loop is
 * never run. Destroy with as_service_destroy(). */
as_service_t *as_service_new_local(const as_service_def_t *def, as_config_t *cfg, int *err);

/* Runs one command through the path the loop runs it on (request checks,
 * request id, role check, decode, text bound, handler in a nested
 * transaction, outcome, stored reply), in a write transaction of its own.
 * `request` is a packed CommandRequest whose actor is the caller's (as a
 * local ipc:// client's). *reply gets the packed CommandReply a client would
 * get (malloc'd: the caller frees), also for a refusal or a failed commit.
 * Returns 0 or -ENOMEM. */
int as_service_call(as_service_t *self, const void *request, size_t len, void **reply,
                    size_t *reply_len);

/* Applies one event as the loop does (decoded into the catalog's payload
 * message, its handler, outcome) in a write transaction of its own, which
 * keeps what the handler wrote and emitted only when it returns 0. The
 * subscriber's part (dedup, gaps, offsets) is not run: no offset is written.
 * *status gets 0 (applied) or the code the event was skipped with.
 * Returns 0, or a store code (the store is in trouble: nothing was kept). */
int as_service_apply(as_service_t *self, const As__Envelope *env, int *status);

/* The outbox's last committed seq (0 when empty). */
uint64_t as_service_last_seq(as_service_t *self);

/* The outbox from `from_seq` on (as a replay answers it): a packed
 * ReplayResponse in *out (malloc'd: the caller frees). Returns 0 or a store
 * code. */
int as_service_outbox(as_service_t *self, uint64_t from_seq, void **out, size_t *len);

/* Runs the loop until SIGTERM/SIGINT or as_service_stop(). Returns 0. */
int as_service_run(as_service_t *self);
void as_service_stop(as_service_t *self);
void as_service_destroy(as_service_t **self_p);

/* A daemon's whole main(): reads --config FILE (or $AS_CONFIG) and --help,
 * and --name NAME when def->named (the service then runs as a copy of `def`
 * named NAME: its section [NAME], source "NAME@<site>", events "NAME.*"),
 * loads the config, runs the service until SIGTERM/SIGINT and tears down.
 * With --check-config it only checks the file (every section and key) and
 * prints "config ok" or each problem. A command's request is held to the
 * bound on text (text.h) before its handler runs.
 * Returns the process exit code: 0 stopped cleanly, 64 usage, 78 config
 * error, 75 the store is in use by another process (AS_ELOCKED), 74 the store
 * is damaged (AS_EDAMAGED), 70 could not start otherwise. */
int as_service_main(const as_service_def_t *def, int argc, char **argv);

/* The site's staff list ([staff] in the config, loaded at start). */
const struct as_staff *as_service_staff(as_service_t *self);

as_store_t *as_service_store(as_service_t *self);
uv_loop_t *as_service_loop(as_service_t *self);
as_config_t *as_service_config(as_service_t *self);
const char *as_service_source(as_service_t *self);
const char *as_service_name(as_service_t *self);
/* This instance's state (def->user_size bytes), or def->user when the def
 * has no user_size. */
void *as_service_user(as_service_t *self);

/* The ZeroMQ context and the site's security (NULL on an in-process service),
 * for a service that opens clients of its own on its loop (the gateway
 * as-web: as_rpc_client_new). Owned by the service. */
void *as_service_zmq_context(as_service_t *self);
struct as_security *as_service_security(as_service_t *self);

/* When what a command records happened (microseconds since 1970): the time
 * its request gave, else now. Its events carry the same time. */
int64_t as_cmd_time(const as_cmd_t *cmd);

/* When the fact an event records happened: its envelope's occurred_us (work
 * keyed in after the fact), else the time it was recorded. Events a handler
 * emits for it carry the same time. */
int64_t as_evt_time(const as_evt_t *evt);

/* The local dates of as_cmd_time() / as_evt_time(): the day a fact counts on
 * (an event's `date` field). */
void as_cmd_date(const as_cmd_t *cmd, char out[AS_DATE_LEN + 1]);
void as_evt_date(const as_evt_t *evt, char out[AS_DATE_LEN + 1]);

/* A request's optional date field `field` (YYYY-MM-DD) in out, or the
 * command's date (as_cmd_date) when it is NULL or empty. Returns 0, or
 * fails the command with AS_EINVALID ("FIELD 'x' is not a date
 * YYYY-MM-DD") when it is no date. */
int as_cmd_date_or(as_cmd_t *cmd, const char *field, const char *given, char out[AS_DATE_LEN + 1]);

/* For a dated command whose request says when it happened in a field of its
 * own (a clock entry's at_us): holds `at_us` to the same rule as
 * CommandRequest.occurred_us (the site's window, nothing in the future) and
 * makes it the command's time (as_cmd_time, its events' occurred_us): the
 * field's time wins over the request's occurred_us. Returns 0, or AS_EINVALID
 * with cmd->error: outside the window, or the command is not dated. */
int as_cmd_happened_at(as_cmd_t *cmd, int64_t at_us);

/* Packs `msg` as the command's reply payload. Returns 0 or -ENOMEM. */
int as_cmd_reply(as_cmd_t *cmd, const ProtobufCMessage *msg);

/* Records an error for people and returns `code` (an AS_E* code), so a
 * handler can `return as_cmd_fail(cmd, AS_EINVALID, "vin '%s' ...", vin);` */
int as_cmd_fail(as_cmd_t *cmd, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Emits an event from a command / from an event handler / from anywhere in a
 * write transaction. `payload` may be NULL. Causation and correlation are
 * filled from the command or event. Returns 0 or a store code. */
int as_cmd_emit(as_cmd_t *cmd, const char *type, const char *subject,
                const ProtobufCMessage *payload);
int as_evt_emit(as_evt_t *evt, const char *type, const char *subject,
                const ProtobufCMessage *payload);
int as_service_emit(as_service_t *self, MDB_txn *txn, const as_event_t *event);

/* Runs fn in a write transaction of its own (for timers); events it emits
 * are published after the commit. fn may run more than once (map growth).
 * Events waiting to be applied stay waiting: they are applied on the loop's
 * next rounds, not first. Not to be called from inside a turn (a handler). */
typedef int (*as_service_txn_fn)(as_service_t *svc, MDB_txn *txn, void *arg);
int as_service_write(as_service_t *self, as_service_txn_fn fn, void *arg);

/* A site-scoped daemon's sites ([NAME] sites, in their order; *n their
 * count), or NULL (and *n 0) for a daemon of one site. */
const char *const *as_service_sites(as_service_t *self, size_t *n);
/* Makes `site` (one of as_service_sites) the scope the databases are read
 * and written in until the handler returns; NULL: no scope (the def's own
 * databases). Returns 0, or AS_ENOTFOUND (the scope is then none) for a
 * site not followed. as_service_scope: the current one, or NULL. */
int as_service_scope_set(as_service_t *self, const char *site);
const char *as_service_scope(as_service_t *self);
/* The handle of domain database `db` in the current scope (as_record_dbi). */
MDB_dbi as_service_dbi(as_service_t *self, const char *db);

/* True when every followed source this daemon has heard of is applied up to
 * the last seq it announced and none is diverged (as GET /health says); an
 * in-process service (no subscriber) is always caught up. For a timer that
 * should act on complete figures (kpi's monthly reports). */
bool as_service_caught_up(as_service_t *self);

#endif
