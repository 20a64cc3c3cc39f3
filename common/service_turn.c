/* service_turn.c — the runtime's write path: emitting, applying events,
 * running commands idempotently, the turn's transaction. See
 * service_internal.h and include/as/service.h. */
#include "service_internal.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/log.h"
#include "as/printf_args.h"
#include "as/text.h"

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

/* as_cmd_fail's work: the text, and its format and arguments for a page. */
static void s_fail_v(as_cmd_t *cmd, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void s_fail_v(as_cmd_t *cmd, const char *fmt, va_list ap)
{
    int n = as_printf_args(cmd->error_args, sizeof cmd->error_args, fmt, ap);
    vsnprintf(cmd->error, sizeof cmd->error, fmt, ap);
    cmd->error_format = n >= 0 ? fmt : NULL;
    cmd->n_error_args = n >= 0 ? n : 0;
}

int as_cmd_fail(as_cmd_t *cmd, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_fail_v(cmd, fmt, ap);
    va_end(ap);
    return code;
}

/* --- the turn's transaction ------------------------------------------- */

/* Commands every daemon has, after its service name: "<service>.source.accept". */
static const as_command_def_t s_runtime_commands[] = {
    {"source.accept", svc_cmd_source_accept},
    {NULL, NULL},
};

/* The table's handler for `name` (".verb" entries are "<service>.verb"). */
const as_command_def_t *svc_table_command(const as_service_def_t *def, const char *name)
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
    const as_command_def_t *own = svc_table_command(self->def, name);
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
int svc_apply_event(as_service_t *self, MDB_txn *txn, const As__Envelope *env)
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

/* Packs the reply into pc. `cmd` gives a refusal's format and arguments
 * (as_cmd_fail's), or is NULL. Returns 0 or -ENOMEM. */
static int s_pack_reply(svc_pending_cmd_t *pc, int status, const char *error, const as_cmd_t *cmd,
                        const uint8_t *payload, size_t payload_len)
{
    As__CommandReply reply = AS__COMMAND_REPLY__INIT;
    reply.request_id = pc->req->request_id;
    reply.has_status = 1;
    reply.status = status;
    reply.error = status != 0 ? (char *)error : NULL;
    char *args[sizeof cmd->error_args / 2];
    if (status != 0 && cmd && cmd->error_format &&
        (size_t)cmd->n_error_args <= sizeof args / sizeof *args) {
        reply.error_format = (char *)cmd->error_format;
        const char *arg = cmd->error_args;
        for (int i = 0; i < cmd->n_error_args; i++, arg += strlen(arg) + 1)
            args[reply.n_error_args++] = (char *)arg;
        reply.error_args = args;
    }
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

/* Answers pc with a refusal the runtime makes itself (no handler ran):
 * the text, with its format and arguments like as_cmd_fail's. Returns what
 * s_pack_reply does. */
__attribute__((format(printf, 3, 4))) static int s_refuse(svc_pending_cmd_t *pc, int status,
                                                          const char *fmt, ...)
{
    as_cmd_t cmd = {0};
    va_list ap;
    va_start(ap, fmt);
    s_fail_v(&cmd, fmt, ap);
    va_end(ap);
    return s_pack_reply(pc, status, cmd.error, &cmd, NULL, 0);
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
static bool s_is_retry(const As__StoredRequest *rec, const svc_pending_cmd_t *pc)
{
    uint8_t digest[crypto_generichash_BYTES];
    s_payload_digest(pc->req, digest);
    return rec->has_payload_digest && rec->payload_digest.len == sizeof digest &&
           memcmp(rec->payload_digest.data, digest, sizeof digest) == 0 &&
           s_same_text(rec->actor, pc->actor) && s_same_text(rec->via, pc->via) &&
           s_same_text(rec->command, pc->req->command);
}

/* Answers the stored reply again, marked as replayed. */
static int s_replay_reply(svc_pending_cmd_t *pc, const As__StoredRequest *rec)
{
    As__CommandReply *old =
        rec->has_reply ? as__command_reply__unpack(NULL, rec->reply.len, rec->reply.data) : NULL;
    if (!old)
        return s_refuse(pc, AS_EINTERNAL, "the stored reply does not decode");
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
static int s_answer_known_id(svc_pending_cmd_t *pc, const MDB_val *stored, bool *run_again)
{
    As__StoredRequest *rec = as__stored_request__unpack(NULL, stored->mv_size, stored->mv_data);
    if (!rec)
        return s_refuse(pc, AS_EINTERNAL,
                        "request id %s: its stored record does not decode; nothing was done",
                        pc->req->request_id);
    int rc = 0;
    bool retry = s_is_retry(rec, pc);
    if (retry && !rec->has_reply) {
        *run_again = true; /* a query's retry: it reads again */
    } else if (retry) {
        rc = s_replay_reply(pc, rec);
    } else if (!rec->has_payload_digest) {
        /* the first format kept the bare reply: who sent what is unknown, so
         * no request can be shown to be its retry */
        rc = s_refuse(pc, AS_EEXISTS,
                      "request id %s was already used (before this daemon recorded what for); "
                      "nothing was done",
                      pc->req->request_id);
    } else {
        /* for the operator only: the caller learns nothing of the first use */
        as_debug("request id %s: %s sent %s, but %s used it for %s (or with another payload or "
                 "time); refused",
                 pc->req->request_id, pc->actor, pc->req->command, rec->actor ? rec->actor : "?",
                 rec->command ? rec->command : "?");
        rc = s_refuse(pc, AS_EEXISTS,
                      "request id %s was already used for another command; nothing was done",
                      pc->req->request_id);
    }
    as__stored_request__free_unpacked(rec, NULL);
    return rc;
}

/* Keeps the command's reply under its request id, with who sent which
 * command and payload, so that only a true retry gets it again. A query's
 * reply is not kept (`with_reply` false): the id stays its sender's, and a
 * true retry reads again; its record is held in memory until a turn writes
 * (query_ids.h), so that a queries-only turn commits nothing. */
static int s_keep_request(as_service_t *self, MDB_txn *txn, const svc_pending_cmd_t *pc,
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
    long long days = (long long)(window / (24 * SVC_US_PER_HOUR));
    if (manager)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "%s: when it happened (%s) is before the %lld-day window for work "
                           "keyed in later (from %s)",
                           cmd->command, at, days, from);
    return as_cmd_fail(cmd, AS_EINVALID,
                       "%s: when it happened (%s) is before the %lld-day window for work keyed "
                       "in later (from %s); the service manager's window is longer",
                       cmd->command, at, days, from);
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
    char path[256];
    size_t len;
    if (as_text_find_long(msg, path, sizeof path, &len) != 0)
        return as_cmd_fail(cmd, AS_EINVALID, "field '%s' is %zu bytes; at most %d", path, len,
                           AS_TEXT_MAX);
    return 0;
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
static int s_run_handler(as_service_t *self, MDB_txn *txn, svc_pending_cmd_t *pc,
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
        rc = s_pack_reply(pc, status, cmd.error, &cmd, status == 0 ? cmd.reply : NULL,
                          cmd.reply_len);
    }
    free(cmd.reply);
    return rc;
}

/* Runs one command inside the turn's transaction: answers a known request id
 * from its record, else runs the handler and keeps its answer. */
static int s_run_command(as_service_t *self, MDB_txn *txn, svc_pending_cmd_t *pc)
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
    if (!def) /* nothing ran: not kept, so the id stays free */
        return s_refuse(pc, AS_EUNKNOWN, "unknown command '%s' for service '%s'", req->command,
                        self->def->name);
    const as_command_info_t *info = as_catalog_command(req->command);
    bool keep = false;
    if ((rc = s_run_handler(self, txn, pc, def, info, &keep)) != 0)
        return rc;
    return keep && !again ? s_keep_request(self, txn, pc, !(info && info->query)) : 0;
}

/* Says why an event is skipped: its handler refused it, or returned a stray code. */
void svc_log_skipped(const As__Envelope *env, int rc, as_outcome_t outcome)
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
        int rc = batch->events[i].skipped ? 0 : svc_apply_event(self, txn, env);
        if (rc == 0)
            continue;
        as_outcome_t outcome = as_outcome_of(rc);
        if (outcome == AS_OUTCOME_STORE)
            return rc; /* the turn fails (or grows the map); the event is fetched again */
        as_sub_skip(self->sub, batch, i);
        svc_log_skipped(env, rc, outcome);
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

int svc_query_ids_txn(MDB_txn *txn, void *arg)
{
    as_service_t *self = arg;
    return as_query_ids_write(self->query_ids, self->store, txn);
}

void svc_clear_cmds(as_service_t *self)
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
void svc_flush(void *arg)
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
void svc_flush_turn(void *arg)
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
    svc_flush_turn(idle->data);
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
const char *svc_metrics_command(const as_service_t *self, const char *name)
{
    if (!name || !*name)
        return "-";
    return as_catalog_command(name) || s_find_command(self, name) ? name : "unknown";
}

/* The audit trail: every command the daemon refuses, once, with who sent
 * it, which command and request id, and the answer's reason. At warn, or at
 * error for the daemon's own trouble (a handler's stray code, the store). */
void svc_log_refused(const char *actor, const char *via, const char *command,
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
        svc_pending_cmd_t *pc = &self->cmds[i];
        As__CommandReply *r = as__command_reply__unpack(NULL, pc->reply_len, pc->reply);
        if (pc->reply_len && r && r->status == 0)
            self->counters.commands_done++;
        else
            self->counters.commands_failed++;
        as_metrics_command(self->metrics, svc_metrics_command(self, pc->req->command),
                           pc->reply_len && r ? r->status : AS_EINTERNAL);
        if (r && r->status != 0 && !r->replayed)
            svc_log_refused(pc->actor, pc->via, pc->req->command, pc->req->request_id, r->status,
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
        if (s_pack_reply(&self->cmds[i], rc, text, NULL, NULL, 0) != 0)
            self->cmds[i].reply_len = 0; /* not answered: the client retries */
}

/* The turn's transaction: the sub's waiting events (up to max_batch) and the
 * commands read, committed together; then published and told to the sub, or
 * aborted with every command answered with the store's code. Leaves each
 * command's packed reply in self->cmds. Returns 0 or the code it failed with. */
int svc_write_turn(as_service_t *self)
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
void svc_end_turn(as_service_t *self)
{
    self->batch = (as_sub_batch_t){0};
    svc_clear_cmds(self);
}

/* One turn of the loop: writes it, then answers each command's client. */
static int s_flush_once(as_service_t *self)
{
    int rc = svc_write_turn(self);
    for (size_t i = 0; i < self->n_cmds; i++) {
        svc_pending_cmd_t *pc = &self->cmds[i];
        if (pc->reply_len)
            as_rpc_server_reply(self->rpc, &pc->peer, "cmd", pc->reply, pc->reply_len);
    }
    svc_end_turn(self);
    return rc;
}

/* --- roles (declared in staff.h: defined here, beside the refusal they
 * write, so that a program that only names roles, asctl, does not link the
 * runtime) --------------------------------------------------------------- */

int as_staff_require(const as_staff_t *self, as_cmd_t *cmd, unsigned roles)
{
    unsigned held = as_staff_roles(self, cmd->actor);
    if (held & roles)
        return 0;
    char needed[256];
    as_role_names(roles, needed, sizeof needed);
    if (!held)
        return as_cmd_fail(cmd, AS_EDENIED, "'%s' is not on the staff list ([staff] in the config)",
                           cmd->actor);
    bool vowel = strchr("aeiou", needed[0]) != NULL && needed[0];
    return as_cmd_fail(cmd, AS_EDENIED, "%s: '%s' is not %s %s", cmd->command, cmd->actor,
                       vowel ? "an" : "a", needed);
}

int as_cmd_require(as_cmd_t *cmd, unsigned roles)
{
    return as_staff_require(as_service_staff(cmd->svc), cmd, roles);
}
