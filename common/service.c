/* service.c — the runtime of one daemon. See include/as/service.h. */
#include "as/notify.h"
#include "as/version.h"
#include "as/service.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>
#include <sys/statvfs.h>
#include <zmq.h>

#include "as/arena.h"
#include "as/calendar.h"
#include "as/catalog.h"
#include "as/config_schema.h"
#include "as/error.h"
#include "as/log.h"
#include "as/loop.h"
#include "as/metrics.h"
#include "as/metrics_http.h"
#include "as/pub.h"
#include "as/query_ids.h"
#include "as/rpc.h"
#include "as/security.h"
#include "as/staff.h"
#include "as/sub.h"
#include "as/text.h"

#define AS_REPLAY_MAX_BYTES (4u << 20)
#define S_HOUSEKEEPING_MS 60000
#define S_PRUNE_BATCH 1000    /* expired replies deleted in one transaction */
#define S_PRUNE_AGAIN_MS 1000 /* the next batch, when more wait; also the first tick */
#define S_US_PER_HOUR 3600000000LL

/* A command waiting for the turn's transaction, and then for its reply. */
typedef struct {
    as_rpc_peer_t peer;
    As__CommandRequest *req;
    char actor[128];
    char via[128];  /* the delegate that named actor, else "" */
    uint8_t *reply; /* packed CommandReply, sent after commit */
    size_t reply_len;
} s_pending_cmd_t;

typedef struct {
    uint64_t frames_rejected;
    uint64_t commands_done;
    uint64_t commands_failed;
} s_counters_t;

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
    uv_idle_t more; /* the next turn of a long catch-up, after other work */
    size_t max_frame;
    int64_t request_retention_us;
    int64_t backdate_us, backdate_manager_us; /* the windows for work keyed in later */
    s_pending_cmd_t *cmds;
    size_t n_cmds, cap_cmds;
    void *user; /* this instance's state (def->user_size bytes, zeroed), else def->user */
    bool flushing;
    bool stopping;
    int64_t started_us;
    s_counters_t counters;
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

/* --- emitting ------------------------------------------------------------ */

/* Who caused an emitted event, and when what it records happened. */
typedef struct s_cause {
    const char *actor, *via, *correlation, *causation;
    int64_t occurred_us; /* 0: now */
} s_cause_t;

static int s_emit(as_service_t *self, MDB_txn *txn, const char *type, const char *subject,
                  const s_cause_t *cause, const ProtobufCMessage *payload)
{
    uint8_t stack[2048];
    uint8_t *buf = stack;
    size_t len = payload ? protobuf_c_message_get_packed_size(payload) : 0;
    if (len > sizeof stack && !(buf = malloc(len)))
        return -ENOMEM;
    if (payload)
        protobuf_c_message_pack(payload, buf);
    as_event_t ev = {.type = type,
                     .subject = subject,
                     .actor = cause->actor,
                     .via = cause->via && *cause->via ? cause->via : NULL,
                     .correlation_id = cause->correlation,
                     .causation_id = cause->causation,
                     .payload = payload ? buf : NULL,
                     .payload_len = len,
                     .occurred_us = cause->occurred_us};
    int rc = as_pub_emit(self->pub, txn, &ev, NULL);
    if (buf != stack)
        free(buf);
    return rc;
}

int as_service_emit(as_service_t *self, MDB_txn *txn, const as_event_t *event)
{
    return as_pub_emit(self->pub, txn, event, NULL);
}

int as_cmd_emit(as_cmd_t *cmd, const char *type, const char *subject,
                const ProtobufCMessage *payload)
{
    s_cause_t cause = {cmd->actor, cmd->via,
                       cmd->correlation_id ? cmd->correlation_id : cmd->request_id, cmd->request_id,
                       cmd->occurred_us};
    return s_emit(cmd->svc, cmd->txn, type, subject, &cause, payload);
}

int as_evt_emit(as_evt_t *evt, const char *type, const char *subject,
                const ProtobufCMessage *payload)
{
    const As__Envelope *env = evt->env;
    s_cause_t cause = {env->actor, env->via, env->correlation_id ? env->correlation_id : env->id,
                       env->id, env->has_occurred_us ? env->occurred_us : 0};
    return s_emit(evt->svc, evt->txn, type, subject, &cause, payload);
}

int64_t as_cmd_time(const as_cmd_t *cmd)
{
    return cmd->occurred_us ? cmd->occurred_us : as_now_us();
}

int64_t as_evt_time(const as_evt_t *evt)
{
    if (evt->env->has_occurred_us)
        return evt->env->occurred_us;
    return evt->env->has_time_us ? evt->env->time_us : as_now_us();
}

void as_cmd_date(const as_cmd_t *cmd, char out[AS_DATE_LEN + 1])
{
    as_date_of_us(as_cmd_time(cmd), out);
}

void as_evt_date(const as_evt_t *evt, char out[AS_DATE_LEN + 1])
{
    as_date_of_us(as_evt_time(evt), out);
}

int as_cmd_date_or(as_cmd_t *cmd, const char *field, const char *given, char out[AS_DATE_LEN + 1])
{
    if (!given || !*given) {
        as_cmd_date(cmd, out);
        return 0;
    }
    if (!as_date_valid(given))
        return as_cmd_fail(cmd, AS_EINVALID, "%s '%s' is not a date YYYY-MM-DD", field, given);
    snprintf(out, AS_DATE_LEN + 1, "%s", given);
    return 0;
}

int as_cmd_reply(as_cmd_t *cmd, const ProtobufCMessage *msg)
{
    free(cmd->reply);
    cmd->reply_len = protobuf_c_message_get_packed_size(msg);
    cmd->reply = malloc(cmd->reply_len ? cmd->reply_len : 1);
    if (!cmd->reply)
        return -ENOMEM;
    protobuf_c_message_pack(msg, cmd->reply);
    return 0;
}

int as_cmd_fail(as_cmd_t *cmd, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd->error, sizeof cmd->error, fmt, ap);
    va_end(ap);
    return code;
}

/* --- the turn's transaction ------------------------------------------- */

static int s_cmd_source_accept(as_cmd_t *cmd);

/* Commands every daemon has, after its service name: "<service>.source.accept". */
static const as_command_def_t s_runtime_commands[] = {
    {"source.accept", s_cmd_source_accept},
    {NULL, NULL},
};

/* The table's handler for `name` (".verb" entries are "<service>.verb"). */
static const as_command_def_t *s_table_command(const as_service_def_t *def, const char *name)
{
    size_t n = strlen(def->name);
    bool own = strncmp(name, def->name, n) == 0 && name[n] == '.';
    for (const as_command_def_t *c = def->commands; c && c->name; c++)
        if (c->name[0] == '.' ? own && strcmp(c->name, name + n) == 0 : strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static const as_command_def_t *s_find_command(const as_service_t *self, const char *name)
{
    const as_command_def_t *own = s_table_command(self->def, name);
    size_t n = strlen(self->def->name);
    if (own || strncmp(name, self->def->name, n) != 0 || name[n] != '.')
        return own;
    for (const as_command_def_t *c = s_runtime_commands; c->name; c++)
        if (strcmp(c->name, name + n + 1) == 0)
            return c;
    return NULL;
}

/* Decodes the payload into the catalog's message (in the turn's arena) and
 * runs the handler. A payload that does not decode is refused here. */
static int s_apply_event(as_service_t *self, MDB_txn *txn, const As__Envelope *env)
{
    for (size_t i = 0; self->def->events && self->def->events[i].type; i++) {
        const as_event_def_t *e = &self->def->events[i];
        if (strcmp(e->type, env->type) != 0)
            continue;
        const ProtobufCMessageDescriptor *desc = self->event_payloads[i];
        as_evt_t evt = {self, txn, env, NULL};
        if (desc) {
            evt.payload = protobuf_c_message_unpack(desc, as_arena_allocator(self->payload_arena),
                                                    env->payload.len, env->payload.data);
            if (!evt.payload) /* skipped, and logged once, by the caller */
                return AS_EBADFRAME;
        }
        if (self->sites) { /* the handler reads and writes the source's site's databases */
            const char *at = env->source ? strchr(env->source, '@') : NULL;
            if (!at || as_service_scope_set(self, at + 1) != 0)
                return 0; /* not a site this daemon follows: skipped, offset advances */
        }
        int rc = e->apply(&evt);
        self->scope = -1;
        return rc;
    }
    return 0; /* a type this service does not handle: skipped, offset advances */
}

static int s_pack_reply(s_pending_cmd_t *pc, int status, const char *error, const uint8_t *payload,
                        size_t payload_len)
{
    As__CommandReply reply = AS__COMMAND_REPLY__INIT;
    reply.request_id = pc->req->request_id;
    reply.has_status = 1;
    reply.status = status;
    reply.error = status != 0 ? (char *)error : NULL;
    if (payload) {
        reply.has_payload = 1;
        reply.payload.data = (uint8_t *)payload;
        reply.payload.len = payload_len;
    }
    free(pc->reply);
    pc->reply_len = as__command_reply__get_packed_size(&reply);
    pc->reply = malloc(pc->reply_len ? pc->reply_len : 1);
    if (!pc->reply)
        return -ENOMEM;
    as__command_reply__pack(&reply, pc->reply);
    return 0;
}

/* --- request ids: a retry is the same caller's same command ----------------- */

/* The digest of what the request asks: its payload, and the time it says
 * the thing happened when it gives one (so a retry must give the same). */
static void s_payload_digest(const As__CommandRequest *req, uint8_t out[crypto_generichash_BYTES])
{
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, crypto_generichash_BYTES);
    if (req->has_payload)
        crypto_generichash_update(&state, req->payload.data, req->payload.len);
    if (req->has_occurred_us) {
        uint8_t at[8];
        for (int i = 0; i < 8; i++)
            at[i] = (uint8_t)((uint64_t)req->occurred_us >> (56 - 8 * i));
        crypto_generichash_update(&state, at, sizeof at);
    }
    crypto_generichash_final(&state, out, crypto_generichash_BYTES);
}

static bool s_same_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* The stored record is this very request again: same actor, same delegate,
 * same command, same payload (and the same time it happened, if given). */
static bool s_is_retry(const As__StoredRequest *rec, const s_pending_cmd_t *pc)
{
    uint8_t digest[crypto_generichash_BYTES];
    s_payload_digest(pc->req, digest);
    return rec->has_payload_digest && rec->payload_digest.len == sizeof digest &&
           memcmp(rec->payload_digest.data, digest, sizeof digest) == 0 &&
           s_same_text(rec->actor, pc->actor) && s_same_text(rec->via, pc->via) &&
           s_same_text(rec->command, pc->req->command);
}

/* Answers the stored reply again, marked as replayed. */
static int s_replay_reply(s_pending_cmd_t *pc, const As__StoredRequest *rec)
{
    As__CommandReply *old =
        rec->has_reply ? as__command_reply__unpack(NULL, rec->reply.len, rec->reply.data) : NULL;
    if (!old)
        return s_pack_reply(pc, AS_EINTERNAL, "the stored reply does not decode", NULL, 0);
    old->has_replayed = 1;
    old->replayed = 1;
    free(pc->reply);
    pc->reply_len = as__command_reply__get_packed_size(old);
    pc->reply = malloc(pc->reply_len ? pc->reply_len : 1);
    if (pc->reply)
        as__command_reply__pack(old, pc->reply);
    as__command_reply__free_unpacked(old, NULL);
    return pc->reply ? 0 : -ENOMEM;
}

/* A command whose request id is known: a true retry gets the stored reply
 * and nothing is done again (a query's, whose reply was not kept, sets
 * *run_again: it reads again); anything else is refused without a word
 * about what the id was used for, by whom, or what it answered. */
static int s_answer_known_id(s_pending_cmd_t *pc, const MDB_val *stored, bool *run_again)
{
    char text[256];
    As__StoredRequest *rec = as__stored_request__unpack(NULL, stored->mv_size, stored->mv_data);
    if (!rec) {
        snprintf(text, sizeof text,
                 "request id %s: its stored record does not decode; nothing was done",
                 pc->req->request_id);
        return s_pack_reply(pc, AS_EINTERNAL, text, NULL, 0);
    }
    int rc = 0;
    bool retry = s_is_retry(rec, pc);
    if (retry && !rec->has_reply) {
        *run_again = true; /* a query's retry: it reads again */
    } else if (retry) {
        rc = s_replay_reply(pc, rec);
    } else if (!rec->has_payload_digest) {
        /* the first format kept the bare reply: who sent what is unknown, so
         * no request can be shown to be its retry */
        snprintf(text, sizeof text,
                 "request id %s was already used (before this daemon recorded what for); nothing "
                 "was done",
                 pc->req->request_id);
        rc = s_pack_reply(pc, AS_EEXISTS, text, NULL, 0);
    } else {
        /* for the operator only: the caller learns nothing of the first use */
        as_debug("request id %s: %s sent %s, but %s used it for %s (or with another payload or "
                 "time); refused",
                 pc->req->request_id, pc->actor, pc->req->command, rec->actor ? rec->actor : "?",
                 rec->command ? rec->command : "?");
        snprintf(text, sizeof text,
                 "request id %s was already used for another command; nothing was done",
                 pc->req->request_id);
        rc = s_pack_reply(pc, AS_EEXISTS, text, NULL, 0);
    }
    as__stored_request__free_unpacked(rec, NULL);
    return rc;
}

/* Keeps the command's reply under its request id, with who sent which
 * command and payload, so that only a true retry gets it again. A query's
 * reply is not kept (`with_reply` false): the id stays its sender's, and a
 * true retry reads again; its record is held in memory until a turn writes
 * (query_ids.h), so that a queries-only turn commits nothing. */
static int s_keep_request(as_service_t *self, MDB_txn *txn, const s_pending_cmd_t *pc,
                          bool with_reply)
{
    uint8_t digest[crypto_generichash_BYTES];
    s_payload_digest(pc->req, digest);
    As__StoredRequest rec = AS__STORED_REQUEST__INIT;
    rec.actor = (char *)pc->actor;
    rec.via = pc->via[0] ? (char *)pc->via : NULL;
    rec.command = pc->req->command;
    rec.has_payload_digest = 1;
    rec.payload_digest = (ProtobufCBinaryData){sizeof digest, digest};
    rec.has_reply = with_reply;
    rec.reply = (ProtobufCBinaryData){with_reply ? pc->reply_len : 0, pc->reply};
    rec.has_stored_us = 1;
    rec.stored_us = as_now_us();
    size_t len = as__stored_request__get_packed_size(&rec);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -ENOMEM;
    as__stored_request__pack(&rec, buf);
    int rc;
    if (!with_reply && !as_query_ids_full(self->query_ids)) {
        rc = as_query_ids_hold(self->query_ids, pc->req->request_id, rec.stored_us, buf, len);
    } else {
        rc = as_request_put_at(self->store, txn, pc->req->request_id, rec.stored_us, buf, len);
        self->turn_writes = true;
    }
    free(buf);
    return rc;
}

/* --- running one command ------------------------------------------------------ */

/* Turns a handler's status into the command's answer in cmd->error. Returns
 * the status to reply with; *keep says whether the request id is taken for
 * good (with that answer for a retry, unless the command is a query). */
static int s_command_answer(as_cmd_t *cmd, int status, bool *keep)
{
    char name[64];
    switch (as_outcome_of(status)) {
    case AS_OUTCOME_DONE:
        *keep = true;
        return 0;
    case AS_OUTCOME_REFUSED:
        if (!cmd->error[0])
            snprintf(cmd->error, sizeof cmd->error, "%s", as_strerror(status));
        /* a refusal by the role check says nothing about the command: the
         * real staff member may still send it under this id */
        *keep = status != AS_EDENIED;
        return status;
    default: /* AS_OUTCOME_STRAY: a bug in the handler, not the command's answer */
        snprintf(cmd->error, sizeof cmd->error, "internal error in %s: %s; nothing was done",
                 cmd->command, as_codename(status, name, sizeof name));
        *keep = false;
        return AS_EINTERNAL;
    }
}

/* Held to by a request that says when its command's fact happened (in the
 * request's occurred_us or a field of the command's own, like a clock
 * entry's at_us): only a dated command takes it, not in the future (beyond a
 * few minutes of clock difference between machines) and not before the
 * site's window (the service manager's is longer). Returns 0 or AS_EINVALID
 * with cmd->error. */
static int s_check_occurred(as_service_t *self, as_cmd_t *cmd, bool dated, int64_t at_us)
{
    const int64_t skew_us = 5 * 60 * 1000000LL;
    int64_t now = as_now_us();
    char at[AS_DATETIME_LEN + 1], from[AS_DATETIME_LEN + 1];
    as_datetime_of_us(at_us, at);
    if (!dated)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "%s records nothing that happened at a time of its own: it cannot be "
                           "dated (%s)",
                           cmd->command, at);
    if (at_us > now + skew_us)
        return as_cmd_fail(cmd, AS_EINVALID, "%s: when it happened (%s) is in the future",
                           cmd->command, at);
    bool manager = as_staff_roles(self->staff, cmd->actor) & AS_ROLE_SERVICE_MANAGER;
    int64_t window = manager ? self->backdate_manager_us : self->backdate_us;
    if (at_us >= now - window)
        return 0;
    as_datetime_of_us(now - window, from);
    return as_cmd_fail(cmd, AS_EINVALID,
                       "%s: when it happened (%s) is before the %lld-day window for work keyed "
                       "in later (from %s)%s",
                       cmd->command, at, (long long)(window / (24 * S_US_PER_HOUR)), from,
                       manager ? "" : "; the service manager's window is longer");
}

int as_cmd_happened_at(as_cmd_t *cmd, int64_t at_us)
{
    const as_command_info_t *info = as_catalog_command(cmd->command);
    int rc = s_check_occurred(cmd->svc, cmd, info && info->dated, at_us);
    if (rc == 0)
        cmd->occurred_us = at_us; /* within the window: never 0 */
    return rc;
}

/* What the runtime checks before the handler runs, from the catalog: the
 * actor's roles, the payload decoded into the request message (left in
 * cmd->request for the handler, freed by the caller), and the bound on text
 * (text.h). Returns 0, AS_EDENIED, AS_EBADFRAME or AS_EINVALID with
 * cmd->error set. A command the catalog does not know (the runtime's own)
 * is left to its handler. */
static int s_prepare_command(as_service_t *self, as_cmd_t *cmd, const as_command_info_t *info)
{
    if (!info)
        return 0;
    if (info->roles) {
        int rc = as_staff_require(self->staff, cmd, info->roles);
        if (rc != 0)
            return rc;
    }
    if (cmd->occurred_us) {
        int rc = s_check_occurred(self, cmd, info->dated, cmd->occurred_us);
        if (rc != 0)
            return rc;
    }
    if (!info->request)
        return 0;
    ProtobufCMessage *msg =
        protobuf_c_message_unpack(info->request, NULL, cmd->payload_len, cmd->payload);
    if (!msg)
        return as_cmd_fail(cmd, AS_EBADFRAME, "payload is not %s %s message",
                           strchr("AEIOU", info->request->short_name[0]) ? "an" : "a",
                           info->request->short_name);
    cmd->request = msg;
    return as_text_check(msg, cmd->error, sizeof cmd->error);
}

/* Calls the handler in a nested transaction of its own: kept when it returns
 * 0 (a query's is discarded), aborted with what it emitted otherwise, so a
 * failing handler writes and emits nothing. Returns 0 (*status: the
 * handler's code) or the store's code when the nested transaction cannot
 * begin or commit. */
static int s_call_handler(as_service_t *self, MDB_txn *txn, const as_command_def_t *def, bool query,
                          as_cmd_t *cmd, int *status)
{
    int rc = mdb_txn_begin(as_store_env(self->store), txn, 0, &cmd->txn);
    if (rc != 0)
        return rc;
    as_pub_mark_t mark = as_pub_mark(self->pub);
    self->scope = -1; /* a command of a site-scoped daemon names its site itself */
    *status = def->handle(cmd);
    self->scope = -1;
    if (*status == 0 && !query)
        return mdb_txn_commit(cmd->txn);
    mdb_txn_abort(cmd->txn);
    as_pub_rollback(self->pub, mark);
    return 0;
}

/* Runs the command (the catalog's checks, then its handler) and packs the reply.
 * Returns 0, or a store code that ends the whole turn. */
static int s_run_handler(as_service_t *self, MDB_txn *txn, s_pending_cmd_t *pc,
                         const as_command_def_t *def, const as_command_info_t *info, bool *keep)
{
    As__CommandRequest *req = pc->req;
    as_cmd_t cmd = {.svc = self,
                    .command = req->command,
                    .actor = pc->actor,
                    .via = pc->via[0] ? pc->via : NULL,
                    .request_id = req->request_id,
                    .correlation_id = req->correlation_id,
                    .payload = req->has_payload ? req->payload.data : NULL,
                    .payload_len = req->has_payload ? req->payload.len : 0,
                    /* a time at or before 1970 is still one the request gave: held to the window */
                    .occurred_us =
                        req->has_occurred_us ? (req->occurred_us > 0 ? req->occurred_us : -1) : 0};
    int status = s_prepare_command(self, &cmd, info); /* refused before the handler */
    int rc = status == 0 ? s_call_handler(self, txn, def, info && info->query, &cmd, &status) : 0;
    if (cmd.request)
        protobuf_c_message_free_unpacked((ProtobufCMessage *)cmd.request, NULL);
    if (rc == 0 && as_outcome_of(status) == AS_OUTCOME_STORE)
        rc = status; /* map full or disk trouble: the whole turn is retried or fails */
    if (rc == 0) {
        status = s_command_answer(&cmd, status, keep);
        rc = s_pack_reply(pc, status, cmd.error, status == 0 ? cmd.reply : NULL, cmd.reply_len);
    }
    free(cmd.reply);
    return rc;
}

/* Runs one command inside the turn's transaction: answers a known request id
 * from its record, else runs the handler and keeps its answer. */
static int s_run_command(as_service_t *self, MDB_txn *txn, s_pending_cmd_t *pc)
{
    As__CommandRequest *req = pc->req;
    MDB_val stored;
    int rc = as_query_ids_find(self->query_ids, req->request_id, &stored)
                 ? 0
                 : as_request_get(self->store, txn, req->request_id, &stored);
    bool again = false; /* a query's true retry: its id is known, its reply was not kept */
    if (rc == 0 && ((rc = s_answer_known_id(pc, &stored, &again)) != 0 || !again))
        return rc;
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    const as_command_def_t *def = s_find_command(self, req->command);
    if (!def) { /* nothing ran: not kept, so the id stays free */
        char text[256];
        snprintf(text, sizeof text, "unknown command '%s' for service '%s'", req->command,
                 self->def->name);
        return s_pack_reply(pc, AS_EUNKNOWN, text, NULL, 0);
    }
    const as_command_info_t *info = as_catalog_command(req->command);
    bool keep = false;
    if ((rc = s_run_handler(self, txn, pc, def, info, &keep)) != 0)
        return rc;
    return keep && !again ? s_keep_request(self, txn, pc, !(info && info->query)) : 0;
}

/* Says why an event is skipped: its handler refused it, or returned a stray code. */
static void s_log_skipped(const As__Envelope *env, int rc, as_outcome_t outcome)
{
    char name[64];
    if (outcome == AS_OUTCOME_STRAY)
        as_error("event %s:%llu (%s): internal error in its handler: %s; skipped", env->source,
                 (unsigned long long)env->seq, env->type, as_codename(rc, name, sizeof name));
    else
        as_warn("event %s:%llu (%s) rejected: %s; skipped", env->source,
                (unsigned long long)env->seq, env->type, as_strerror(rc));
}

/* Applies the turn's events in `txn`. A handler's refusal or stray code
 * skips that one event and returns AS_ERETRY: the turn runs again without it
 * (the handler may have written). A store code fails the turn. */
static int s_apply_events(as_service_t *self, MDB_txn *txn)
{
    as_sub_batch_t *batch = &self->batch;
    as_arena_reset(self->payload_arena);
    for (size_t i = 0; i < batch->n; i++) {
        const As__Envelope *env = batch->events[i].env;
        int rc = batch->events[i].skipped ? 0 : s_apply_event(self, txn, env);
        if (rc == 0)
            continue;
        as_outcome_t outcome = as_outcome_of(rc);
        if (outcome == AS_OUTCOME_STORE)
            return rc; /* the turn fails (or grows the map); the event is fetched again */
        as_sub_skip(self->sub, batch, i);
        s_log_skipped(env, rc, outcome);
        return AS_ERETRY;
    }
    return self->sub ? as_sub_write_offsets(self->sub, txn, batch) : 0;
}

static int s_turn_txn(MDB_txn *txn, void *arg)
{
    as_service_t *self = arg;
    as_pub_begin(self->pub);
    self->turn_writes = self->batch.n > 0; /* at least the offsets */
    self->query_ids_written = false;
    int rc = s_apply_events(self, txn);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < self->n_cmds; i++)
        if ((rc = s_run_command(self, txn, &self->cmds[i])) != 0)
            return rc;
    /* the held query ids ride along when the turn commits anyway */
    if (self->turn_writes && as_query_ids_count(self->query_ids) > 0) {
        if ((rc = as_query_ids_write(self->query_ids, self->store, txn)) != 0)
            return rc;
        self->query_ids_written = true;
    }
    return 0;
}

static int s_query_ids_txn(MDB_txn *txn, void *arg)
{
    as_service_t *self = arg;
    return as_query_ids_write(self->query_ids, self->store, txn);
}

static void s_clear_cmds(as_service_t *self)
{
    for (size_t i = 0; i < self->n_cmds; i++) {
        as__command_request__free_unpacked(self->cmds[i].req, NULL);
        free(self->cmds[i].reply);
    }
    self->n_cmds = 0;
}

static int s_flush_once(as_service_t *self);

/* Events wait for a turn (never on an in-process service: it has no sub). */
static bool s_events_due(const as_service_t *self)
{
    return self->sub && as_sub_turn_due(self->sub);
}

/* Applies everything waiting in one transaction (or several of max_batch
 * events), then publishes and replies. A failed turn stops here: the sub
 * asks again when its events come back. */
static void s_flush(void *arg)
{
    as_service_t *self = arg;
    if (self->flushing || (!s_events_due(self) && self->n_cmds == 0))
        return;
    self->flushing = true;
    while (s_flush_once(self) == 0 && s_events_due(self))
        ;
    self->flushing = false;
}

static void s_more_cb(uv_idle_t *idle);

/* From the loop (the sub has events, the endpoint's commands were read):
 * one turn, and when events still wait (max_batch, a long catch-up) the
 * next on the loop's next round, so that commands, status and /metrics are
 * answered between the turns of a catch-up. */
static void s_flush_turn(void *arg)
{
    as_service_t *self = arg;
    if (self->flushing || (!s_events_due(self) && self->n_cmds == 0)) {
        uv_idle_stop(&self->more);
        return;
    }
    self->flushing = true;
    int rc = s_flush_once(self);
    self->flushing = false;
    if (rc == 0 && s_events_due(self))
        uv_idle_start(&self->more, s_more_cb);
    else
        uv_idle_stop(&self->more);
}

static void s_more_cb(uv_idle_t *idle)
{
    s_flush_turn(idle->data);
}

/* Tells the applied events to on_applied (metrics, benchmarks). */
static void s_tell_applied(as_service_t *self)
{
    if (!self->def->on_applied)
        return;
    for (size_t i = 0; i < self->batch.n; i++)
        if (!self->batch.events[i].skipped)
            self->def->on_applied(self, self->batch.events[i].env);
}

/* Counts the committed turn's events by source for /metrics. */
static void s_count_events(as_service_t *self)
{
    for (size_t i = 0; i < self->batch.n; i++)
        as_metrics_event(self->metrics, self->batch.events[i].env->source,
                         self->batch.events[i].skipped);
}

/* The command's name as /metrics labels it: a name nobody serves here is
 * "unknown" (a client's typos must not make new series). */
static const char *s_metrics_command(const as_service_t *self, const char *name)
{
    if (!name || !*name)
        return "-";
    return as_catalog_command(name) || s_find_command(self, name) ? name : "unknown";
}

/* The audit trail: every command the daemon refuses, once, with who sent
 * it, which command and request id, and the answer's reason. At warn, or at
 * error for the daemon's own trouble (a handler's stray code, the store). */
static void s_log_refused(const char *actor, const char *via, const char *command,
                          const char *request_id, int status, const char *reason)
{
    bool own_trouble = status == AS_EINTERNAL || as_outcome_of(status) == AS_OUTCOME_STORE;
    as_log(own_trouble ? AS_LOG_ERROR : AS_LOG_WARN,
           "refused %s (request %s, actor %s%s%s): %s: %s", command ? command : "(unnamed command)",
           request_id && *request_id ? request_id : "-", actor && *actor ? actor : "-",
           via && *via ? " via " : "", via && *via ? via : "", as_errname(status),
           reason && *reason ? reason : "(no reason)");
}

/* Counts each command of the turn as done or failed by its reply, and logs
 * each refusal (a retry answered with a stored refusal was logged the first
 * time). */
static void s_count_replies(as_service_t *self)
{
    for (size_t i = 0; i < self->n_cmds; i++) {
        s_pending_cmd_t *pc = &self->cmds[i];
        As__CommandReply *r = as__command_reply__unpack(NULL, pc->reply_len, pc->reply);
        if (pc->reply_len && r && r->status == 0)
            self->counters.commands_done++;
        else
            self->counters.commands_failed++;
        as_metrics_command(self->metrics, s_metrics_command(self, pc->req->command),
                           pc->reply_len && r ? r->status : AS_EINTERNAL);
        if (r && r->status != 0 && !r->replayed)
            s_log_refused(pc->actor, pc->via, pc->req->command, pc->req->request_id, r->status,
                          r->error);
        if (r)
            as__command_reply__free_unpacked(r, NULL);
    }
}

/* Every command of a failed turn is answered with the store's code. */
static void s_fail_replies(as_service_t *self, int rc)
{
    char text[256];
    snprintf(text, sizeof text, "the store could not commit: %s", as_strerror(rc));
    for (size_t i = 0; i < self->n_cmds; i++)
        if (s_pack_reply(&self->cmds[i], rc, text, NULL, 0) != 0)
            self->cmds[i].reply_len = 0; /* not answered: the client retries */
}

/* The turn's transaction: the sub's waiting events (up to max_batch) and the
 * commands read, committed together; then published and told to the sub, or
 * aborted with every command answered with the store's code. Leaves each
 * command's packed reply in self->cmds. Returns 0 or the code it failed with. */
static int s_write_turn(as_service_t *self)
{
    int rc;
    if (self->sub)
        as_sub_take(self->sub, &self->batch);
    int64_t began_us = as_now_us();
    do
        rc = as_store_write(self->store, s_turn_txn, self);
    while (rc == AS_ERETRY);
    as_metrics_commit(self->metrics, as_now_us() - began_us);
    as_metrics_batch(self->metrics, self->batch.n + self->n_cmds);
    self->last_write_rc = rc != 0 && as_outcome_of(rc) == AS_OUTCOME_STORE ? rc : 0;
    if (rc == 0) {
        if (self->query_ids_written)
            as_query_ids_clear(self->query_ids);
        as_pub_committed(self->pub);
        s_tell_applied(self);
        s_count_events(self);
        if (self->sub)
            as_sub_committed(self->sub, &self->batch);
    } else {
        as_error("write transaction failed: %s; events will be fetched again, commands get an "
                 "error and may be retried",
                 as_strerror(rc));
        as_pub_aborted(self->pub);
        if (self->sub)
            as_sub_aborted(self->sub, &self->batch);
        s_fail_replies(self, rc);
    }
    s_count_replies(self);
    return rc;
}

/* Forgets the turn's events and commands. */
static void s_end_turn(as_service_t *self)
{
    self->batch = (as_sub_batch_t){0};
    s_clear_cmds(self);
}

/* One turn of the loop: writes it, then answers each command's client. */
static int s_flush_once(as_service_t *self)
{
    int rc = s_write_turn(self);
    for (size_t i = 0; i < self->n_cmds; i++) {
        s_pending_cmd_t *pc = &self->cmds[i];
        if (pc->reply_len)
            as_rpc_server_reply(self->rpc, &pc->peer, "cmd", pc->reply, pc->reply_len);
    }
    s_end_turn(self);
    return rc;
}

/* --- the service endpoint --------------------------------------------- */

/* A command refused before its turn: a packed CommandReply, or len 0 when
 * there is nothing to answer (out of memory: the client times out and retries). */
typedef struct {
    uint8_t buf[1024];
    size_t len;
} s_refusal_t;

static s_pending_cmd_t *s_refuse_cmd(as_service_t *self, s_refusal_t *refusal,
                                     const As__CommandRequest *req, const char *actor, int status,
                                     const char *text)
{
    const char *request_id = req ? req->request_id : NULL;
    s_log_refused(actor, NULL, req ? req->command : NULL, request_id, status, text);
    As__CommandReply reply = AS__COMMAND_REPLY__INIT;
    reply.request_id = (char *)request_id;
    reply.has_status = 1;
    reply.status = status;
    reply.error = (char *)text;
    size_t len = as__command_reply__get_packed_size(&reply);
    if (len <= sizeof refusal->buf)
        refusal->len = as__command_reply__pack(&reply, refusal->buf);
    self->counters.commands_failed++;
    as_metrics_command(self->metrics,
                       req && as_command_valid(req->command) ? s_metrics_command(self, req->command)
                                                             : "-",
                       status);
    return NULL;
}

/* What is wrong with a request's own fields, or NULL. */
static const char *s_request_problem(const As__CommandRequest *req, const char *actor)
{
    if (!req->request_id || !*req->request_id || strlen(req->request_id) > 128)
        return "request_id is required (at most 128 characters)";
    if (!as_command_valid(req->command))
        return "command name is missing or malformed (expected '<domain>.<verb>')";
    if (!actor || !*actor || strlen(actor) >= 128)
        return "actor is required: the staff id of whoever does this";
    return NULL;
}

/* Checks a command frame and queues it for the next turn. `identity` is the
 * connection's authenticated identity (CURVE), or NULL for a local caller,
 * whose request names its actor. Returns the queued command, or NULL with
 * *refusal set. */
static s_pending_cmd_t *s_admit_command(as_service_t *self, const void *body, size_t len,
                                        const char *identity, s_refusal_t *refusal)
{
    char text[256];
    if (len > self->max_frame) {
        self->counters.frames_rejected++;
        snprintf(text, sizeof text, "command of %zu bytes exceeds the %zu-byte limit", len,
                 self->max_frame);
        return s_refuse_cmd(self, refusal, NULL, NULL, AS_ETOOBIG, text);
    }
    As__CommandRequest *req = as__command_request__unpack(NULL, len, body);
    if (!req) {
        self->counters.frames_rejected++;
        return s_refuse_cmd(self, refusal, NULL, NULL, AS_EBADFRAME,
                            "command request does not decode");
    }
    /* over CURVE the actor is the key's identity; a delegate's (a front end
     * that signs its users in) may name the staff member it acts for */
    const char *actor = identity ? identity : req->actor;
    if (identity && req->actor && *req->actor &&
        (as_staff_roles(self->staff, identity) & AS_ROLE_DELEGATE))
        actor = req->actor;
    const char *problem = s_request_problem(req, actor);
    if (problem) {
        s_refuse_cmd(self, refusal, req, actor, AS_EINVALID, problem);
        as__command_request__free_unpacked(req, NULL);
        return NULL;
    }
    if (self->n_cmds == self->cap_cmds) {
        size_t cap = self->cap_cmds ? self->cap_cmds * 2 : 64;
        s_pending_cmd_t *c = realloc(self->cmds, cap * sizeof *c);
        if (!c) {
            as__command_request__free_unpacked(req, NULL);
            return NULL; /* the client times out and retries */
        }
        self->cmds = c;
        self->cap_cmds = cap;
    }
    s_pending_cmd_t *pc = &self->cmds[self->n_cmds++];
    memset(pc, 0, sizeof *pc);
    pc->req = req;
    snprintf(pc->actor, sizeof pc->actor, "%s", actor);
    snprintf(pc->via, sizeof pc->via, "%s", identity && actor != identity ? identity : "");
    return pc;
}

static void s_on_command(as_service_t *self, const as_rpc_peer_t *peer, const void *body,
                         size_t len)
{
    const char *identity =
        peer->user_id[0] && strcmp(peer->user_id, AS_LOCAL_IDENTITY) != 0 ? peer->user_id : NULL;
    s_refusal_t refusal = {.len = 0};
    s_pending_cmd_t *pc = s_admit_command(self, body, len, identity, &refusal);
    if (pc)
        pc->peer = *peer;
    else if (refusal.len)
        as_rpc_server_reply(self->rpc, peer, "cmd", refusal.buf, refusal.len);
}

static void s_on_replay(as_service_t *self, const as_rpc_peer_t *peer, const void *body, size_t len)
{
    As__ReplayRequest *req = as__replay_request__unpack(NULL, len, body);
    if (!req) {
        self->counters.frames_rejected++;
        as_rpc_server_reply(self->rpc, peer, "error", "replay request does not decode", 31);
        return;
    }
    void *out = NULL;
    size_t out_len = 0;
    int rc = as_pub_replay(self->pub, req, AS_REPLAY_MAX_BYTES, &out, &out_len);
    if (rc == 0) {
        as_rpc_server_reply(self->rpc, peer, "replay", out, out_len);
        as_metrics_replay_answered(self->metrics);
    } else
        as_error("replay from %llu failed: %s", (unsigned long long)req->from_seq, as_strerror(rc));
    free(out);
    as__replay_request__free_unpacked(req, NULL);
}

typedef struct {
    As__SourceOffset *items;
    As__SourceOffset **ptrs;
    size_t n, cap;
} s_offsets_t;

static void s_collect_source(const As__SourceOffset *off, void *arg)
{
    s_offsets_t *o = arg;
    if (o->n == o->cap)
        return;
    o->items[o->n] = *off;
    o->ptrs[o->n] = &o->items[o->n];
    o->n++;
}

static void s_count_source(const As__SourceOffset *off, void *arg)
{
    (void)off;
    (*(size_t *)arg)++;
}

typedef struct {
    const char *source;
    As__SourceOffset found;
    bool ok;
} s_source_find_t;

static void s_find_source(const As__SourceOffset *off, void *arg)
{
    s_source_find_t *f = arg;
    if (!f->ok && strcmp(off->source, f->source) == 0) {
        f->found = *off;
        f->ok = true;
    }
}

/* <service>.source.accept (SourceAccept -> SourceOffset): see as_sub_accept. */
static int s_cmd_source_accept(as_cmd_t *cmd)
{
    int rc = as_cmd_require(cmd, AS_ROLE_IT_ADMIN);
    if (rc != 0)
        return rc;
    As__SourceAccept *req = as__source_accept__unpack(NULL, cmd->payload_len, cmd->payload);
    if (!req)
        return as_cmd_fail(cmd, AS_EBADFRAME, "payload is not a SourceAccept message");
    char why[512];
    if (!req->source || !*req->source)
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "source is required: '<service>@<site>' as asctl status shows it");
    else if (!req->incarnation || !*req->incarnation)
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "incarnation is required: the new history's, as asctl status shows it "
                         "for the diverged source");
    else if ((rc = as_sub_accept(cmd->svc->sub, cmd->txn, req->source, req->incarnation, cmd->actor,
                                 why, sizeof why)) != 0 &&
             rc <= -20001 && rc >= -20099)
        rc = as_cmd_fail(cmd, rc, "%s", why);
    if (rc == 0) {
        s_source_find_t f = {.source = req->source};
        as__source_offset__init(&f.found);
        as_sub_each_source(cmd->svc->sub, s_find_source, &f);
        rc = as_cmd_reply(cmd, &f.found.base);
    }
    as__source_accept__free_unpacked(req, NULL);
    return rc;
}

typedef struct {
    As__UnfollowedSource items[AS_SUB_UNFOLLOWED_MAX];
    As__UnfollowedSource *ptrs[AS_SUB_UNFOLLOWED_MAX];
    size_t n;
} s_unfollowed_list_t;

static void s_collect_unfollowed(const char *source, uint64_t events, uint64_t heartbeats,
                                 void *arg)
{
    s_unfollowed_list_t *u = arg;
    if (u->n == AS_SUB_UNFOLLOWED_MAX)
        return;
    As__UnfollowedSource *item = &u->items[u->n];
    as__unfollowed_source__init(item);
    item->source = (char *)source;
    item->has_events = item->has_heartbeats = 1;
    item->events = events;
    item->heartbeats = heartbeats;
    u->ptrs[u->n++] = item;
}

static void s_on_status(as_service_t *self, const as_rpc_peer_t *peer)
{
    As__StatusReply st = AS__STATUS_REPLY__INIT;
    const as_sub_counters_t *sc = as_sub_counters(self->sub);
    st.source = self->source;
    st.incarnation = (char *)as_store_incarnation(self->store);
    st.endpoint = self->endpoint;
    st.has_last_seq = st.has_events_applied = st.has_events_skipped = st.has_frames_rejected = 1;
    st.has_commands_done = st.has_commands_failed = st.has_started_us = 1;
    st.has_duplicates_dropped = st.has_commits = 1;
    st.last_seq = as_pub_last_seq(self->pub);
    st.events_applied = sc->applied;
    st.events_skipped = sc->rejected_events;
    st.frames_rejected =
        self->counters.frames_rejected + sc->rejected_frames + as_rpc_server_malformed(self->rpc);
    st.commands_done = self->counters.commands_done;
    st.commands_failed = self->counters.commands_failed;
    st.started_us = self->started_us;
    st.duplicates_dropped = sc->duplicates;
    st.commits = as_store_commits(self->store);
    size_t count = 0;
    as_sub_each_source(self->sub, s_count_source, &count);
    s_offsets_t o = {calloc(count + 1, sizeof *o.items), calloc(count + 1, sizeof *o.ptrs), 0,
                     count};
    if (o.items && o.ptrs) {
        as_sub_each_source(self->sub, s_collect_source, &o);
        st.n_offsets = o.n;
        st.offsets = o.ptrs;
    }
    st.has_events_unfollowed = 1;
    st.events_unfollowed = sc->unfollowed;
    s_unfollowed_list_t u = {0};
    as_sub_each_unfollowed(self->sub, s_collect_unfollowed, &u);
    st.n_unfollowed = u.n;
    st.unfollowed = u.ptrs;
    st.n_sites = self->n_sites;
    st.sites = self->sites;
    size_t len = as__status_reply__get_packed_size(&st);
    uint8_t *buf = malloc(len ? len : 1);
    if (buf) {
        as__status_reply__pack(&st, buf);
        as_rpc_server_reply(self->rpc, peer, "status", buf, len);
    }
    free(buf);
    free(o.items);
    free(o.ptrs);
}

/* --- /metrics and /health ([NAME] metrics_listen) ----------------------------- */

/* The store as the figures see it: pages in use, the map, the disk's room. */
typedef struct {
    double used, map, disk_free;
} s_store_figures_t;

static s_store_figures_t s_store_figures(as_service_t *self)
{
    s_store_figures_t f = {0, 0, -1};
    MDB_env *env = as_store_env(self->store);
    MDB_envinfo info;
    MDB_stat st;
    if (mdb_env_info(env, &info) == 0 && mdb_env_stat(env, &st) == 0) {
        f.used = (double)(info.me_last_pgno + 1) * st.ms_psize;
        f.map = (double)info.me_mapsize;
    }
    const char *path = NULL;
    struct statvfs vfs;
    if (mdb_env_get_path(env, &path) == 0 && path && statvfs(path, &vfs) == 0)
        f.disk_free = (double)vfs.f_bavail * vfs.f_frsize;
    return f;
}

/* A store is writable when its last write transaction committed and its
 * disk has room for at least one more map growth step (1 MiB). */
static bool s_store_writable(as_service_t *self, const s_store_figures_t *f)
{
    return self->last_write_rc == 0 && (f->disk_free < 0 || f->disk_free >= 1024.0 * 1024);
}

/* Caught up: every source this daemon follows that it has heard of (from a
 * heartbeat, a replay answer, or its own stored offset) is applied up to the
 * last seq that source announced, and none is diverged (a restored history
 * waiting for an operator). A source never heard of cannot be judged. */
typedef struct {
    as_metrics_text_t *text;
    const char *service;
    int pass; /* which family is being written */
    bool caught_up;
    json_t *sources;
} s_source_walk_t;

static uint64_t s_lag(const As__SourceOffset *off)
{
    return off->known_last_seq > off->applied_seq ? off->known_last_seq - off->applied_seq : 0;
}

static void s_source_metric(const As__SourceOffset *off, void *arg)
{
    s_source_walk_t *w = arg;
    const char *svc = w->service, *src = off->source;
    switch (w->pass) {
    case 0:
        as_metrics_sample(w->text, "as_source_lag_events", (double)s_lag(off), "service", svc,
                          "source", src, NULL);
        break;
    case 1:
        as_metrics_sample(w->text, "as_source_applied_seq", (double)off->applied_seq, "service",
                          svc, "source", src, NULL);
        break;
    case 2:
        as_metrics_sample(w->text, "as_source_known_seq", (double)off->known_last_seq, "service",
                          svc, "source", src, NULL);
        break;
    case 3:
        as_metrics_sample(w->text, "as_source_diverged", off->diverged ? 1 : 0, "service", svc,
                          "source", src, NULL);
        break;
    case 4:
        as_metrics_sample(w->text, "as_source_replay_requests_total", (double)off->replays,
                          "service", svc, "source", src, NULL);
        break;
    default:
        as_metrics_sample(w->text, "as_source_lost_total", (double)off->lost, "service", svc,
                          "source", src, NULL);
    }
}

static void s_source_health(const As__SourceOffset *off, void *arg)
{
    s_source_walk_t *w = arg;
    uint64_t lag = s_lag(off);
    if (lag > 0 || off->diverged)
        w->caught_up = false;
    if (w->sources)
        json_array_append_new(w->sources,
                              json_pack("{s:s,s:I,s:I,s:I,s:b}", "source", off->source,
                                        "applied_seq", (json_int_t)off->applied_seq, "known_seq",
                                        (json_int_t)off->known_last_seq, "lag", (json_int_t)lag,
                                        "diverged", off->diverged));
}

static bool s_caught_up(as_service_t *self, json_t *sources)
{
    s_source_walk_t w = {.caught_up = true, .sources = sources};
    as_sub_each_source(self->sub, s_source_health, &w);
    return w.caught_up;
}

static void s_counter(as_metrics_text_t *t, const char *name, const char *type, const char *help,
                      const char *svc, double value)
{
    as_metrics_family(t, name, type, help);
    as_metrics_sample(t, name, value, "service", svc, NULL);
}

static int s_metrics_text(void *arg, as_metrics_text_t *t)
{
    as_service_t *self = arg;
    const char *svc = self->def->name;
    const as_sub_counters_t *sc = as_sub_counters(self->sub);
    as_metrics_family(t, "as_build_info", "gauge", "The build: its version (git describe).");
    as_metrics_sample(t, "as_build_info", 1, "service", svc, "version", as_version(), "source",
                      self->source, NULL);
    s_counter(t, "as_process_start_time_seconds", "gauge",
              "When the daemon started, seconds since 1970.", svc, (double)self->started_us / 1e6);
    as_metrics_write(self->metrics, svc, t);
    static const char *const families[][3] = {
        {"as_source_lag_events", "gauge",
         "Events a followed source announced that are not applied here yet."},
        {"as_source_applied_seq", "gauge", "The last seq of the source applied here."},
        {"as_source_known_seq", "gauge",
         "The source's last seq as its heartbeats and replay answers say."},
        {"as_source_diverged", "gauge",
         "1 while the source's history changed under this daemon (asctl source accept)."},
        {"as_source_replay_requests_total", "counter", "Replay requests sent to the source."},
        {"as_source_lost_total", "counter",
         "Events of a best-effort source skipped over gaps, never received."},
    };
    s_source_walk_t w = {.text = t, .service = svc};
    for (w.pass = 0; w.pass < 6; w.pass++) {
        as_metrics_family(t, families[w.pass][0], families[w.pass][1], families[w.pass][2]);
        as_sub_each_source(self->sub, s_source_metric, &w);
    }
    s_counter(t, "as_caught_up", "gauge", "1 when every followed source is applied here.", svc,
              s_caught_up(self, NULL) ? 1 : 0);
    s_counter(t, "as_replay_requests_sent_total", "counter",
              "Replay requests sent to sources (gaps, catch-up, time-outs).", svc,
              (double)sc->replays_sent);
    s_counter(t, "as_replay_events_received_total", "counter",
              "Events received through replay answers.", svc, (double)sc->replay_events);
    s_counter(t, "as_frames_rejected_total", "counter",
              "Frames refused: malformed, oversized, or not decoding (commands, events, replays).",
              svc,
              (double)(self->counters.frames_rejected + sc->rejected_frames +
                       as_rpc_server_malformed(self->rpc)));
    s_counter(t, "as_events_forged_total", "counter",
              "Events refused because they claim a source their sender does not own.", svc,
              (double)sc->forged);
    s_counter(t, "as_events_unknown_source_total", "counter",
              "Events and heartbeats of sources this daemon does not follow: ignored.", svc,
              (double)sc->unfollowed);
    s_counter(t, "as_events_diverged_total", "counter",
              "Events refused because their source's history changed (restored store).", svc,
              (double)sc->diverged_events);
    s_counter(t, "as_events_duplicate_total", "counter", "Events dropped as already applied.", svc,
              (double)sc->duplicates);
    s_counter(t, "as_gaps_total", "counter", "Gaps noticed in a source's events.", svc,
              (double)sc->gaps);
    s_counter(t, "as_outbox_last_seq", "gauge", "The last seq this daemon committed.", svc,
              (double)as_pub_last_seq(self->pub));
    s_counter(t, "as_publish_dropped_total", "counter",
              "Events not sent at once (high-water mark): consumers replay them.", svc,
              (double)as_pub_send_dropped(self->pub));
    s_store_figures_t f = s_store_figures(self);
    s_counter(t, "as_store_used_bytes", "gauge", "Bytes of the store's pages in use.", svc, f.used);
    s_counter(t, "as_store_map_bytes", "gauge",
              "The store's LMDB map size (it grows by doubling when full).", svc, f.map);
    s_counter(t, "as_store_map_growths_total", "counter", "Times the map grew since start.", svc,
              (double)as_store_grows(self->store));
    s_counter(t, "as_store_commits_total", "counter", "Write transactions committed.", svc,
              (double)as_store_commits(self->store));
    s_counter(t, "as_store_disk_free_bytes", "gauge", "Room left on the store's file system.", svc,
              f.disk_free);
    s_counter(t, "as_store_writable", "gauge",
              "1 when the last write committed and the disk has room.", svc,
              s_store_writable(self, &f) ? 1 : 0);
    return 200;
}

/* /health: 200 when the store is writable and the daemon is caught up, else
 * 503; the JSON says which and why. */
static int s_health_text(void *arg, as_metrics_text_t *t)
{
    as_service_t *self = arg;
    s_store_figures_t f = s_store_figures(self);
    bool writable = s_store_writable(self, &f);
    json_t *sources = json_array();
    bool caught_up = s_caught_up(self, sources);
    json_t *h =
        json_pack("{s:b,s:b,s:b,s:s,s:s,s:s,s:I,s:I,s:o}", "up", 1, "caught_up", caught_up,
                  "store_writable", writable, "service", self->def->name, "source", self->source,
                  "version", as_version(), "started_us", (json_int_t)self->started_us, "last_seq",
                  (json_int_t)as_pub_last_seq(self->pub), "sources", sources);
    char *text = h ? json_dumps(h, JSON_COMPACT) : NULL;
    json_decref(h);
    if (text)
        as_metrics_printf(t, "%s\n", text);
    else
        t->failed = true;
    free(text);
    return caught_up && writable ? 200 : 503;
}

static void s_on_request(as_rpc_server_t *server, const as_rpc_peer_t *peer, const char *kind,
                         const void *body, size_t len, void *arg)
{
    (void)server;
    as_service_t *self = arg;
    if (strcmp(kind, "cmd") == 0)
        s_on_command(self, peer, body, len);
    else if (strcmp(kind, "replay") == 0)
        s_on_replay(self, peer, body, len);
    else
        s_on_status(self, peer);
}

/* --- timers ------------------------------------------------------------ */

static void s_heartbeat_cb(uv_timer_t *timer)
{
    as_service_t *self = timer->data;
    as_pub_heartbeat(self->pub);
}

static int s_prune_txn(as_service_t *self, MDB_txn *txn, void *arg)
{
    return as_request_prune(self->store, txn, as_now_us() - self->request_retention_us,
                            S_PRUNE_BATCH, arg);
}

static void s_housekeeping_cb(uv_timer_t *timer);

/* Deletes the replies kept longer than request_retention_hours, oldest
 * first, at most S_PRUNE_BATCH in one transaction so that no turn waits
 * long; when more wait, the next batch comes a second later, and commands
 * run in between. A retry after that runs as a new command. */
static void s_prune_requests(as_service_t *self)
{
    size_t pruned = 0;
    int rc = as_service_write(self, s_prune_txn, &pruned);
    if (rc != 0)
        as_warn("expired command replies were not pruned: %s; tried again later", as_strerror(rc));
    else if (pruned == S_PRUNE_BATCH)
        uv_timer_start(&self->housekeeping, s_housekeeping_cb, S_PRUNE_AGAIN_MS, S_HOUSEKEEPING_MS);
}

static void s_housekeeping_cb(uv_timer_t *timer)
{
    as_service_t *self = timer->data;
    int dead = 0;
    if (as_store_reader_check(self->store, &dead) == 0 && dead > 0)
        as_warn("cleared %d stale reader slot(s) left by dead processes", dead);
    s_prune_requests(self);
}

/* --- write transactions for timers ------------------------------------------ */

typedef struct {
    as_service_t *self;
    as_service_txn_fn fn;
    void *arg;
} s_write_args_t;

static int s_write_txn(MDB_txn *txn, void *arg)
{
    s_write_args_t *a = arg;
    as_pub_begin(a->self->pub);
    return a->fn(a->self, txn, a->arg);
}

int as_service_write(as_service_t *self, as_service_txn_fn fn, void *arg)
{
    s_flush(self); /* keep the order: what waited goes first */
    s_write_args_t args = {self, fn, arg};
    int64_t began_us = as_now_us();
    int rc = as_store_write(self->store, s_write_txn, &args);
    as_metrics_commit(self->metrics, as_now_us() - began_us);
    self->last_write_rc = rc != 0 && as_outcome_of(rc) == AS_OUTCOME_STORE ? rc : 0;
    if (rc == 0)
        as_pub_committed(self->pub);
    else
        as_pub_aborted(self->pub);
    return rc;
}

bool as_service_caught_up(as_service_t *self)
{
    return !self->sub || s_caught_up(self, NULL);
}

/* --- life cycle -------------------------------------------------------- */

static int s_config_error(const char *what, const char *section, const char *key)
{
    as_error("config: %s [%s] %s", what, section, key);
    return AS_ECONFIG;
}

/* Reads [NAME] follows: "workshop" is workshop@<own site>, "workshop@site-b"
 * that site's workshop. Fills follow_sources and follow_domains. */
static int s_read_follows(as_service_t *self, const char *site, size_t n)
{
    self->follow_sources = calloc(n + 1, sizeof *self->follow_sources);
    self->follow_domains = calloc(n + 1, sizeof *self->follow_domains);
    if (!self->follow_sources || !self->follow_domains)
        return -ENOMEM;
    for (size_t i = 0, d = 0; i < n; i++) {
        const char *entry = self->follows[i];
        char source[AS_NAME_MAX + 2];
        if (strchr(entry, '@'))
            snprintf(source, sizeof source, "%s", entry);
        else
            snprintf(source, sizeof source, "%s@%s", entry, site);
        char domain[AS_NAME_MAX + 1];
        if (!as_source_valid(source) || !as_domain_of(source, domain, sizeof domain)) {
            as_error("config: [%s] follows: '%s' is neither a service name nor "
                     "'<service>@<site>' (a-z, 0-9, '_' and '-')",
                     self->def->name, entry);
            return AS_ECONFIG;
        }
        if (!(self->follow_sources[i] = strdup(source)))
            return -ENOMEM;
        bool seen = false;
        for (size_t k = 0; k < d && !seen; k++)
            seen = strcmp(self->follow_domains[k], domain) == 0;
        if (!seen && !(self->follow_domains[d++] = strdup(domain)))
            return -ENOMEM;
    }
    return 0;
}

/* A site-scoped daemon (def->site_scoped) with [NAME] sites: checks the
 * sites (valid names, each once) and makes each plain entry of `follows`
 * that service at every site ("reception" -> reception@a, reception@b...). */
static int s_read_sites(as_service_t *self)
{
    const char *name = self->def->name;
    self->scope = -1;
    if (!self->def->site_scoped)
        return 0;
    if (as_config_get_list(self->cfg, name, "sites", &self->sites) < 0)
        return -ENOMEM;
    while (self->sites && self->sites[self->n_sites])
        self->n_sites++;
    if (self->n_sites == 0) {
        as_config_list_free(&self->sites);
        return 0;
    }
    for (size_t i = 0; i < self->n_sites; i++) {
        char source[AS_NAME_MAX + 2];
        snprintf(source, sizeof source, "%s@%s", name, self->sites[i]);
        if (!as_source_valid(source)) {
            as_error("config: [%s] sites: '%s' is not a site name (a-z, 0-9, '_' and '-')", name,
                     self->sites[i]);
            return AS_ECONFIG;
        }
        for (size_t k = 0; k < i; k++)
            if (!strcmp(self->sites[k], self->sites[i])) {
                as_error("config: [%s] sites: '%s' is listed twice", name, self->sites[i]);
                return AS_ECONFIG;
            }
    }
    size_t n = 0;
    while (self->follows && self->follows[n])
        n++;
    char **wide = calloc(n * self->n_sites + 1, sizeof *wide);
    if (!wide)
        return -ENOMEM;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (strchr(self->follows[i], '@')) { /* one site's service, as written */
            wide[w++] = strdup(self->follows[i]);
            continue;
        }
        for (size_t k = 0; k < self->n_sites; k++) {
            size_t len = strlen(self->follows[i]) + strlen(self->sites[k]) + 2;
            if ((wide[w] = malloc(len)) != NULL)
                snprintf(wide[w], len, "%s@%s", self->follows[i], self->sites[k]);
            w++;
        }
    }
    as_config_list_free(&self->follows);
    self->follows = wide;
    for (size_t i = 0; i < w; i++)
        if (!wide[i])
            return -ENOMEM;
    return 0;
}

static int s_read_config(as_service_t *self)
{
    as_config_t *cfg = self->cfg;
    const char *name = self->def->name;
    const char *site = as_config_get(cfg, "site", "name", "local");
    size_t len = strlen(name) + strlen(site) + 2;
    self->source = malloc(len);
    if (!self->source)
        return -ENOMEM;
    snprintf(self->source, len, "%s@%s", name, site);
    if (!as_source_valid(self->source)) {
        as_error("config: '%s' is not a valid source name (site and service names use a-z, "
                 "0-9, '_' and '-')",
                 self->source);
        return AS_ECONFIG;
    }
    const char *endpoint = as_config_get(cfg, name, "endpoint", NULL);
    if (!endpoint || !*endpoint)
        return s_config_error("missing", name, "endpoint");
    if (strlen(endpoint) > 400)
        return s_config_error("too long", name, "endpoint");
    char why[512];
    if (as_ipc_dir_check(endpoint, why, sizeof why) != 0) {
        as_error("config: [%s] endpoint: %s", name, why);
        return AS_ECONFIG;
    }
    self->endpoint = strdup(endpoint);
    long long max_frame = 0;
    if (as_config_read_int(cfg, name, "max_frame", &max_frame) != 0)
        return s_config_error("bad number (at least 1024)", name, "max_frame");
    self->max_frame = (size_t)max_frame;
    long long retention_hours = 0;
    if (as_config_read_int(cfg, name, "request_retention_hours", &retention_hours) != 0)
        return s_config_error("bad number of hours (1 to 87600)", name, "request_retention_hours");
    self->request_retention_us = retention_hours * S_US_PER_HOUR;
    long long backdate_days = 0, backdate_manager_days = 0;
    if (as_config_read_int(cfg, "site", "backdate_days", &backdate_days) != 0 ||
        as_config_read_int(cfg, "site", "backdate_days_manager", &backdate_manager_days) != 0)
        return s_config_error("bad number of days (0 to 3650)", "site", "backdate_days");
    self->backdate_us = backdate_days * 24 * S_US_PER_HOUR;
    self->backdate_manager_us = backdate_manager_days * 24 * S_US_PER_HOUR;
    if (as_config_get_list(cfg, name, "follows", &self->follows) < 0 ||
        as_config_get_list(cfg, "bus", "publish", &self->publish) < 0 ||
        as_config_get_list(cfg, "bus", "subscribe", &self->subscribe) < 0)
        return -ENOMEM;
    int rc = s_read_sites(self);
    if (rc != 0)
        return rc;
    size_t n = 0;
    while (self->follows && self->follows[n])
        n++;
    rc = s_read_follows(self, site, n);
    if (rc != 0)
        return rc;
    self->catchup = calloc(n + 1, sizeof *self->catchup);
    self->catchup_names = calloc(n + 1, sizeof *self->catchup_names);
    if (!self->catchup || !self->catchup_names)
        return -ENOMEM;
    size_t from_heartbeats = 0; /* a group's sources: their endpoints are not in this file */
    for (size_t i = 0, j = 0; i < n; i++) {
        const char *ep = as_config_get(cfg, self->follows[i], "endpoint", NULL);
        if (!ep && self->sites) {
            from_heartbeats++;
            continue;
        }
        if (!ep) {
            as_warn("config: [%s] has no endpoint: '%s' events are caught up from heartbeats only",
                    self->follows[i], self->follows[i]);
            continue;
        }
        self->catchup[j] = strdup(ep);
        self->catchup_names[j++] = strdup(self->follows[i]);
    }
    if (from_heartbeats)
        as_info("%s follows %zu sources of %zu sites: each source's service endpoint is learnt "
                "from its heartbeats (once a second), and what was missed is replayed from there",
                name, from_heartbeats, self->n_sites);
    return 0;
}

/* The databases of a site-scoped daemon: the def's, then "<site>/<db>" for
 * each site in [NAME] sites' order (as_service_dbi finds them by index). */
static int s_scoped_dbs(as_service_t *self)
{
    while (self->def->dbs && self->def->dbs[self->n_base_dbs])
        self->n_base_dbs++;
    if (!self->sites)
        return 0;
    size_t n = self->n_base_dbs * (self->n_sites + 1);
    if (!(self->store_dbs = calloc(n + 1, sizeof *self->store_dbs)))
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *db = self->def->dbs[i % self->n_base_dbs];
        const char *site = i < self->n_base_dbs ? NULL : self->sites[i / self->n_base_dbs - 1];
        size_t len = strlen(db) + (site ? strlen(site) + 1 : 0) + 1;
        if (!(self->store_dbs[i] = malloc(len)))
            return -ENOMEM;
        snprintf(self->store_dbs[i], len, "%s%s%s", site ? site : "", site ? "/" : "", db);
    }
    return 0;
}

static int s_open_store(as_service_t *self, long long map_size)
{
    char default_dir[1024];
    snprintf(default_dir, sizeof default_dir, "%s/%s",
             as_config_get(self->cfg, "site", "data_dir", "/var/lib/aftersales"), self->def->name);
    const char *data_dir = as_config_get(self->cfg, self->def->name, "data_dir", default_dir);
    as_store_error_t why;
    int rc = s_scoped_dbs(self);
    if (rc != 0)
        return rc;
    self->store = as_store_open_why(
        data_dir, self->sites ? (const char *const *)self->store_dbs : self->def->dbs,
        (size_t)map_size, &why);
    if (!self->store) {
        as_error("%s", why.text);
        return why.code;
    }
    return 0;
}

/* In-process (as_service_new_local): the store and an outbox without a
 * socket; no endpoint is bound, no bus is joined, no timer runs. */
static int s_open_local(as_service_t *self)
{
    long long map_size;
    if (as_config_read_int(self->cfg, self->def->name, "map_size", &map_size))
        return s_config_error("bad number in", self->def->name, "map_size");
    int rc = s_open_store(self, map_size);
    if (rc != 0)
        return rc;
    as_pub_config_t pc = {.source = self->source, .endpoint = self->endpoint};
    self->pub = as_pub_new(NULL, self->store, &pc, &rc);
    return self->pub ? 0 : rc;
}

static int s_open(as_service_t *self)
{
    as_config_t *cfg = self->cfg;
    const char *name = self->def->name;
    int rc;
    long long map_size, heartbeat_ms, rcvhwm, sndhwm, replay_timeout, max_batch, best_effort_after;
    if (as_config_read_int(cfg, name, "map_size", &map_size) ||
        as_config_read_int(cfg, name, "heartbeat_ms", &heartbeat_ms) ||
        as_config_read_int(cfg, name, "rcvhwm", &rcvhwm) ||
        as_config_read_int(cfg, name, "sndhwm", &sndhwm) ||
        as_config_read_int(cfg, name, "replay_timeout_ms", &replay_timeout) ||
        as_config_read_int(cfg, name, "best_effort_after_ms", &best_effort_after) ||
        as_config_read_int(cfg, name, "max_batch", &max_batch))
        return s_config_error("bad number in", name, "(map_size, heartbeat_ms, *hwm, ...)");

    /* first: a store another process holds is refused before any socket binds */
    if ((rc = s_open_store(self, map_size)) != 0)
        return rc;
    /* the ZAP handler must be bound before any socket binds */
    self->security = as_security_new(cfg, name, &rc);
    if (!self->security || (rc = as_security_start(self->security, self->zctx)) != 0) {
        as_error("security: %s", as_strerror(rc));
        return rc ? rc : AS_ECONFIG;
    }
    as_pub_config_t pc = {.source = self->source,
                          .endpoint = self->endpoint,
                          .connect = self->publish,
                          .sndhwm = (int)sndhwm,
                          .security = self->security};
    self->pub = as_pub_new(self->zctx, self->store, &pc, &rc);
    if (!self->pub) {
        as_error("cannot start publishing: %s", as_strerror(rc));
        return rc;
    }
    self->rpc = as_rpc_server_new(self->zctx, &self->loop, self->endpoint, self->security,
                                  self->max_frame * 16, s_on_request, self, &rc);
    if (!self->rpc) {
        as_error("cannot bind service endpoint '%s': %s", self->endpoint, as_strerror(rc));
        return rc;
    }
    as_rpc_server_on_drained(self->rpc, s_flush_turn);
    uv_idle_init(&self->loop, &self->more);
    self->more.data = self;
    as_sub_config_t sc = {.connect = self->subscribe,
                          .domains = self->follow_domains,
                          .sources = self->follow_sources,
                          .catchup = self->catchup,
                          .catchup_names = self->catchup_names,
                          .self_source = self->source,
                          .rcvhwm = (int)rcvhwm,
                          .max_frame = self->max_frame,
                          .replay_timeout_ms = (int)replay_timeout,
                          .best_effort_after_ms = (int)best_effort_after,
                          .max_batch = (size_t)max_batch,
                          .security = self->security};
    self->sub = as_sub_new(self->zctx, &self->loop, self->store, &sc, s_flush_turn, self, &rc);
    if (!self->sub) {
        as_error("cannot start subscribing: %s", as_strerror(rc));
        return rc;
    }
    uv_timer_init(&self->loop, &self->heartbeat);
    self->heartbeat.data = self;
    uv_timer_start(&self->heartbeat, s_heartbeat_cb, 0, (uint64_t)heartbeat_ms);
    uv_timer_init(&self->loop, &self->housekeeping);
    self->housekeeping.data = self;
    /* first soon: a store started after a long stop may hold expired replies */
    uv_timer_start(&self->housekeeping, s_housekeeping_cb, S_PRUNE_AGAIN_MS, S_HOUSEKEEPING_MS);
    self->signals = as_signals_new(&self->loop, (void (*)(void *))as_service_stop, self);
    const char *metrics_listen = as_config_get(cfg, name, "metrics_listen", NULL);
    if (metrics_listen && *metrics_listen &&
        !(self->metrics_http = as_metrics_http_start(&self->loop, metrics_listen, s_metrics_text,
                                                     s_health_text, self, &rc)))
        return rc;
    return 0;
}

static int s_load_staff(as_service_t *self)
{
    char *err = NULL;
    self->staff = as_staff_load(self->cfg, &err);
    if (!self->staff) {
        as_error("config: %s", err ? err : "cannot read [staff]");
        free(err);
        return AS_ECONFIG;
    }
    return 0;
}

/* --- the command table against the catalog ----------------------------------- */

/* Counts (and logs) each handler for a command the catalog does not give
 * this service. */
static int s_unknown_handlers(const as_service_def_t *def)
{
    int bad = 0;
    for (const as_command_def_t *c = def->commands; c && c->name; c++) {
        char command[AS_NAME_MAX + 1];
        snprintf(command, sizeof command, "%s%s", c->name[0] == '.' ? def->name : "", c->name);
        const as_command_info_t *info = as_catalog_command(command);
        if (!info)
            as_error("the command table has a handler for '%s', which the catalog does not know",
                     command);
        else if (strcmp(info->service, def->name) != 0)
            as_error("the command table has a handler for '%s', which the catalog gives to "
                     "service '%s'",
                     command, info->service);
        bad += !info || strcmp(info->service, def->name) != 0;
    }
    return bad;
}

/* Counts (and logs) each of this service's catalog commands without a handler. */
static int s_missing_handlers(const as_service_def_t *def)
{
    int bad = 0;
    for (size_t i = 0; i < as_catalog_count(); i++) {
        const as_command_info_t *info = as_catalog_command_at(i);
        if (strcmp(info->service, def->name) != 0 || s_table_command(def, info->command))
            continue;
        as_error("the catalog's command '%s' has no handler in service '%s'", info->command,
                 def->name);
        bad++;
    }
    return bad;
}

/* The table must match the catalog: a mismatch is a build that cannot serve
 * what the CLI offers. A service with no table at all (a bench's stand-in
 * that only emits) serves no command and is not held to it. Returns 0 or
 * AS_EINTERNAL (exit 70). */
static int s_check_table(const as_service_def_t *def)
{
    if (!def->commands)
        return 0;
    int bad = s_unknown_handlers(def) + s_missing_handlers(def);
    if (bad == 0)
        return 0;
    as_error("%s: its command table and the catalog (proto/catalog/) differ in %d command%s; "
             "not starting",
             def->name, bad, bad == 1 ? "" : "s");
    return AS_EINTERNAL;
}

/* Finds the catalog's payload message of each event the service applies;
 * a type the catalog does not know is a build that cannot decode what it
 * asks for. Returns 0, AS_EINTERNAL (exit 70) or -ENOMEM. */
static int s_resolve_events(as_service_t *self)
{
    size_t n = 0;
    while (self->def->events && self->def->events[n].type)
        n++;
    if (!(self->event_payloads = calloc(n + 1, sizeof *self->event_payloads)) ||
        !(self->payload_arena = as_arena_new(0)) || !(self->query_ids = as_query_ids_new()))
        return -ENOMEM;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const as_event_info_t *info = as_catalog_event(self->def->events[i].type);
        if (!info)
            as_error("the event table has a handler for '%s', which the catalog does not know",
                     self->def->events[i].type);
        bad += !info;
        self->event_payloads[i] = info && !self->def->events[i].raw ? info->payload : NULL;
    }
    if (bad == 0)
        return 0;
    as_error("%s: its event table names %d type%s the catalog (proto/catalog/) does not know; "
             "not starting",
             self->def->name, bad, bad == 1 ? "" : "s");
    return AS_EINTERNAL;
}

/* Gives the instance its own state: def->user_size zeroed bytes, else the
 * def's shared pointer. */
static int s_alloc_user(as_service_t *self)
{
    if (!self->def->user_size) {
        self->user = self->def->user;
        return 0;
    }
    self->user = calloc(1, self->def->user_size);
    return self->user ? 0 : -ENOMEM;
}

/* The daemon (local false) or the in-process service (local true). */
static as_service_t *s_new(const as_service_def_t *def, as_config_t *cfg, bool local, int *err)
{
    int rc = s_check_table(def);
    if (rc != 0)
        goto fail;
    rc = -ENOMEM;
    as_service_t *self = calloc(1, sizeof *self);
    if (!self)
        goto fail;
    self->def = def;
    self->cfg = cfg;
    self->started_us = as_now_us();
    if ((rc = uv_loop_init(&self->loop)) != 0) {
        free(self);
        goto fail;
    }
    rc = -ENOMEM;
    if (!local && !(self->zctx = zmq_ctx_new()))
        goto fail_destroy;
    if (!(self->metrics = as_metrics_new()))
        goto fail_destroy;
    if (sodium_init() < 0) /* picks the fastest digest code; fails only without entropy */
        as_warn("libsodium did not initialise; request digests use its portable code");
    if ((rc = s_alloc_user(self)) != 0 || (rc = s_resolve_events(self)) != 0 ||
        (rc = s_read_config(self)) != 0 || (rc = s_load_staff(self)) != 0 ||
        (rc = local ? s_open_local(self) : s_open(self)) != 0)
        goto fail_destroy;
    if (def->on_start && (rc = def->on_start(self)) != 0)
        goto fail_destroy;
    if (!local)
        as_info("%s started: endpoint %s, last seq %llu, incarnation %s", self->source,
                self->endpoint, (unsigned long long)as_pub_last_seq(self->pub),
                as_store_incarnation(self->store));
    return self;

fail_destroy:
    as_service_destroy(&self);
fail:
    if (err)
        *err = rc;
    return NULL;
}

as_service_t *as_service_new(const as_service_def_t *def, as_config_t *cfg, int *err)
{
    return s_new(def, cfg, false, err);
}

as_service_t *as_service_new_local(const as_service_def_t *def, as_config_t *cfg, int *err)
{
    return s_new(def, cfg, true, err);
}

/* --- in-process: one command or one event, as the loop runs it --------------- */

int as_service_call(as_service_t *self, const void *request, size_t len, void **reply,
                    size_t *reply_len)
{
    s_flush(self); /* what waited goes first */
    s_refusal_t refusal = {.len = 0};
    s_pending_cmd_t *pc = s_admit_command(self, request, len, NULL, &refusal);
    if (!pc) {
        *reply_len = refusal.len;
        *reply = refusal.len ? malloc(refusal.len) : NULL;
        if (*reply)
            memcpy(*reply, refusal.buf, refusal.len);
        return *reply ? 0 : -ENOMEM;
    }
    s_write_turn(self); /* a failed turn answers with the store's code */
    pc = &self->cmds[self->n_cmds - 1];
    *reply = pc->reply_len ? pc->reply : NULL;
    *reply_len = pc->reply_len;
    if (*reply)
        pc->reply = NULL; /* now the caller's */
    s_end_turn(self);
    return *reply ? 0 : -ENOMEM;
}

typedef struct {
    as_service_t *self;
    const As__Envelope *env;
} s_one_event_t;

static int s_one_event_txn(MDB_txn *txn, void *arg)
{
    s_one_event_t *one = arg;
    as_pub_begin(one->self->pub);
    as_arena_reset(one->self->payload_arena);
    return s_apply_event(one->self, txn, one->env);
}

int as_service_apply(as_service_t *self, const As__Envelope *env, int *status)
{
    s_flush(self);
    s_one_event_t one = {self, env};
    int rc = as_store_write(self->store, s_one_event_txn, &one);
    *status = rc;
    if (rc == 0) {
        as_pub_committed(self->pub);
        return 0;
    }
    as_pub_aborted(self->pub); /* what the skipped event's handler wrote is not kept */
    as_outcome_t outcome = as_outcome_of(rc);
    if (outcome == AS_OUTCOME_STORE)
        return rc;
    s_log_skipped(env, rc, outcome);
    return 0;
}

uint64_t as_service_last_seq(as_service_t *self)
{
    return as_pub_last_seq(self->pub);
}

int as_service_outbox(as_service_t *self, uint64_t from_seq, void **out, size_t *len)
{
    As__ReplayRequest req = AS__REPLAY_REQUEST__INIT;
    req.has_from_seq = 1;
    req.from_seq = from_seq;
    return as_pub_replay(self->pub, &req, AS_REPLAY_MAX_BYTES, out, len);
}

int as_service_run(as_service_t *self)
{
    uv_run(&self->loop, UV_RUN_DEFAULT);
    return 0;
}

void as_service_stop(as_service_t *self)
{
    if (self->stopping)
        return;
    self->stopping = true;
    as_info("%s stopping", self->source);
    s_flush(self);
    if (self->def->on_stop)
        self->def->on_stop(self);
    uv_stop(&self->loop);
}

void as_service_destroy(as_service_t **self_p)
{
    as_service_t *self = *self_p;
    if (!self)
        return;
    /* first: h2o runs the loop once to close its timers; a command that
     * comes in then is answered by the flush below */
    as_metrics_http_stop(&self->metrics_http);
    if (self->sub) /* opened last: everything s_flush uses is there */
        s_flush(self);
    s_clear_cmds(self);
    free(self->cmds);
    /* a clean stop keeps the ids of the queries answered since the last write */
    if (self->query_ids && as_query_ids_count(self->query_ids) > 0 &&
        as_store_write(self->store, s_query_ids_txn, self) != 0)
        as_warn("the request ids of %zu queries could not be kept: they are free again",
                as_query_ids_count(self->query_ids));
    as_query_ids_destroy(&self->query_ids);
    free(self->event_payloads);
    as_arena_destroy(&self->payload_arena);
    as_metrics_destroy(&self->metrics);
    as_signals_destroy(&self->signals);
    /* as_loop_close runs the loop once more: no heartbeat after the pub is gone */
    uv_timer_stop(&self->heartbeat);
    uv_timer_stop(&self->housekeeping);
    if (self->rpc)
        uv_idle_stop(&self->more);
    as_sub_destroy(&self->sub);
    as_rpc_server_destroy(&self->rpc);
    if (self->pub) {
        as_pub_heartbeat(self->pub); /* consumers learn the final seq at once */
        as_pub_destroy(&self->pub);
    }
    as_loop_close(&self->loop);
    as_security_destroy(&self->security);
    if (self->zctx)
        zmq_ctx_term(self->zctx);
    as_store_close(&self->store);
    as_staff_destroy(&self->staff);
    as_config_list_free(&self->follows);
    as_config_list_free(&self->follow_domains);
    as_config_list_free(&self->follow_sources);
    as_config_list_free(&self->publish);
    as_config_list_free(&self->subscribe);
    as_config_list_free(&self->catchup);
    as_config_list_free(&self->catchup_names);
    as_config_list_free(&self->sites);
    as_config_list_free(&self->store_dbs);
    if (self->def->user_size)
        free(self->user);
    free(self->source);
    free(self->endpoint);
    free(self);
    *self_p = NULL;
}

const as_staff_t *as_service_staff(as_service_t *self)
{
    return self->staff;
}

/* Checks the config against the schema (config_schema.h) and that the
 * daemon's own section names its endpoint. Returns the problems that stop it. */
static int s_check_config(as_config_t *cfg, const char *name, bool check_only)
{
    int problems = as_config_check_print(cfg, name, check_only);
    const char *endpoint = as_config_get(cfg, name, "endpoint", NULL);
    if (!endpoint || !*endpoint) {
        const char *path = as_config_path(cfg) ? as_config_path(cfg) : "config";
        if (check_only)
            fprintf(stderr, "%s: [%s] endpoint is missing (this daemon binds it)\n", path, name);
        else
            as_error("config: %s: [%s] endpoint is missing (this daemon binds it)", path, name);
        problems++;
    }
    return problems;
}

#define AS_SERVICE_EXIT_CODES                                                                      \
    "0 stopped cleanly, 64 usage, 70 could not start,\n"                                           \
    "74 the store is damaged (data.mdb truncated, not an LMDB file), 75 the store is in use by\n"  \
    "another process, 78 config error."

/* What a daemon that could not start exits with (AS_SERVICE_EXIT_CODES). */
static int s_exit_code(int rc)
{
    switch (rc) {
    case AS_ECONFIG:
        return 78;
    case AS_ELOCKED:
        return 75; /* EX_TEMPFAIL: it may start once the other process stops */
    case AS_EDAMAGED:
        return 74; /* EX_IOERR: restarting will not help */
    default:
        return 70;
    }
}

/* What both usages say about the options every daemon takes. */
#define AS_SERVICE_OPTIONS_HELP                                                                    \
    "--check-config checks FILE (every section and key), prints 'config ok' or each\n"             \
    "problem with its line, and starts nothing. --log-level debug|info|warn|error sets\n"          \
    "the lowest level logged (default $AS_LOG or info). --version prints the version.\n"

static void s_usage(const as_service_def_t *def, const char *program, FILE *out)
{
    if (def->named) {
        fprintf(out,
                "usage: %s --name NAME --config FILE [--check-config] [--log-level LEVEL]\n"
                "\n"
                "%s\n"
                "\n"
                "Reads [NAME], [staff], [site], [bus] and [security] from FILE (default "
                "$AS_CONFIG).\n"
                "Its commands: `asctl commands NAME.`. Stops cleanly on SIGTERM or "
                "SIGINT.\n" AS_SERVICE_OPTIONS_HELP "Exit codes: " AS_SERVICE_EXIT_CODES "\n",
                program, def->summary ? def->summary : "");
        return;
    }
    fprintf(out,
            "usage: %s --config FILE [--check-config] [--log-level LEVEL]\n"
            "\n"
            "%s\n"
            "\n"
            "Reads [%s], [staff], [site], [bus] and [security] from FILE (default $AS_CONFIG).\n"
            "Its commands: `asctl commands %s.`. Stops cleanly on SIGTERM or "
            "SIGINT.\n" AS_SERVICE_OPTIONS_HELP "Exit codes: " AS_SERVICE_EXIT_CODES "\n",
            program, def->summary ? def->summary : "", def->name, def->name);
}

int as_service_main(const as_service_def_t *def, int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"check-config", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {"log-level", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    static const struct option named_options[] = {
        {"config", required_argument, NULL, 'c'}, {"check-config", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},         {"log-level", required_argument, NULL, 'l'},
        {"name", required_argument, NULL, 'n'},   {NULL, 0, NULL, 0},
    };
    if (as_version_option(argc, argv))
        return 0;
    const char *config_path = getenv("AS_CONFIG");
    const char *name = NULL;
    bool check_only = false;
    int log_level = -1; /* --log-level, else AS_LOG, else info */
    /* "as-kpi", or "asdemo source" for a program that runs several services */
    char program[128];
    const char *slash = strrchr(argv[0], '/');
    if (strcmp(program_invocation_short_name, slash ? slash + 1 : argv[0]) == 0)
        snprintf(program, sizeof program, "%s", program_invocation_short_name);
    else
        snprintf(program, sizeof program, "%s %s", program_invocation_short_name, argv[0]);
    int opt;
    while ((opt = getopt_long(argc, argv, "c:hkl:", def->named ? named_options : options, NULL)) !=
           -1) {
        if (opt == 'c') {
            config_path = optarg;
        } else if (opt == 'k') {
            check_only = true;
        } else if (opt == 'n' && def->named) {
            name = optarg;
        } else if (opt == 'l' && (log_level = as_log_level_parse(optarg)) < 0) {
            fprintf(stderr, "%s: --log-level '%s' is not a level (debug, info, warn, error)\n",
                    program, optarg);
            return 64;
        } else if (opt != 'l') {
            s_usage(def, program, opt == 'h' ? stdout : stderr);
            return opt == 'h' ? 0 : 64;
        }
    }
    if (optind != argc || !config_path || (def->named && !name)) {
        s_usage(def, program, stderr);
        return 64;
    }
    as_service_def_t named;
    if (def->named) {
        if (!*name || strlen(name) > 64 || strchr(name, '.') || strchr(name, '@')) {
            fprintf(stderr, "%s: --name '%s' is not a service name (a-z, 0-9, '_', '-')\n", program,
                    name);
            return 64;
        }
        named = *def;
        named.name = name;
        def = &named;
        /* before anything opens: a name that is not in the catalog (another
         * daemon's, say) must not touch that daemon's store or endpoint */
        for (const as_command_def_t *c = def->commands; c && c->name; c++) {
            char command[AS_NAME_MAX + 1];
            snprintf(command, sizeof command, "%s%s", name, c->name);
            const as_command_info_t *info = c->name[0] == '.' ? as_catalog_command(command) : NULL;
            if (c->name[0] == '.' && (!info || strcmp(info->service, name) != 0)) {
                fprintf(stderr,
                        "%s: --name '%s': the catalog has no command '%s' of a service '%s' "
                        "(proto/catalog/%s.c)\n",
                        program, name, command, name, name);
                return 64;
            }
        }
    }
    as_log_init(def->name, AS_LOG_INFO);
    if (log_level >= 0)
        as_log_set_level((as_log_level_t)log_level);
    char *err = NULL;
    as_config_t *cfg = as_config_load(config_path, &err);
    if (!cfg) {
        as_error("%s", err ? err : "cannot load the config");
        free(err);
        return 78;
    }
    if (check_only) {
        int problems = s_check_config(cfg, def->name, true);
        as_config_destroy(&cfg);
        if (problems == 0)
            printf("config ok\n");
        return problems == 0 ? 0 : 78;
    }
    if (s_check_config(cfg, def->name, false) != 0) {
        as_config_destroy(&cfg);
        return 78;
    }
    int rc = 0;
    as_service_t *svc = as_service_new(def, cfg, &rc);
    if (!svc) {
        as_config_destroy(&cfg);
        return s_exit_code(rc);
    }
    char status[128];
    snprintf(status, sizeof status, "serving %s", as_service_source(svc));
    as_notify_ready(as_service_loop(svc), status); /* store open, catch-up asked */
    as_service_run(svc);
    as_notify_stopping();
    as_service_destroy(&svc);
    as_config_destroy(&cfg);
    return 0;
}

as_store_t *as_service_store(as_service_t *self)
{
    return self->store;
}

uv_loop_t *as_service_loop(as_service_t *self)
{
    return &self->loop;
}

as_config_t *as_service_config(as_service_t *self)
{
    return self->cfg;
}

const char *as_service_source(as_service_t *self)
{
    return self->source;
}

const char *as_service_name(as_service_t *self)
{
    return self->def->name;
}

void *as_service_user(as_service_t *self)
{
    return self->user;
}

void *as_service_zmq_context(as_service_t *self)
{
    return self->zctx;
}

as_security_t *as_service_security(as_service_t *self)
{
    return self->security;
}

/* --- site-scoped daemons (a group kpi) ------------------------------------------ */

const char *const *as_service_sites(as_service_t *self, size_t *n)
{
    if (n)
        *n = self->n_sites;
    return (const char *const *)self->sites;
}

int as_service_scope_set(as_service_t *self, const char *site)
{
    self->scope = -1;
    if (!site)
        return 0;
    for (size_t i = 0; i < self->n_sites; i++)
        if (!strcmp(self->sites[i], site)) {
            self->scope = (long)i;
            return 0;
        }
    return AS_ENOTFOUND;
}

const char *as_service_scope(as_service_t *self)
{
    return self->scope >= 0 ? self->sites[self->scope] : NULL;
}

MDB_dbi as_service_dbi(as_service_t *self, const char *db)
{
    if (self->scope >= 0)
        for (size_t j = 0; j < self->n_base_dbs; j++)
            if (!strcmp(self->def->dbs[j], db))
                return as_store_dbi_at(self->store,
                                       self->n_base_dbs * ((size_t)self->scope + 1) + j);
    return as_store_dbi(self->store, db);
}
