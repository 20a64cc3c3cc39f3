/* service_endpoint.c — the service endpoint: commands admitted to the next
 * turn, replay from the outbox, status. See service_internal.h. */
#include "service_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/log.h"

/* --- the service endpoint --------------------------------------------- */

static svc_pending_cmd_t *s_refuse_cmd(as_service_t *self, svc_refusal_t *refusal,
                                       const As__CommandRequest *req, const char *actor, int status,
                                       const char *text)
{
    const char *request_id = req ? req->request_id : NULL;
    svc_log_refused(actor, NULL, req ? req->command : NULL, request_id, status, text);
    As__CommandReply reply = AS__COMMAND_REPLY__INIT;
    reply.request_id = (char *)request_id;
    reply.has_status = 1;
    reply.status = status;
    reply.error = (char *)text;
    size_t len = as__command_reply__get_packed_size(&reply);
    if (len <= sizeof refusal->buf)
        refusal->len = as__command_reply__pack(&reply, refusal->buf);
    self->counters.commands_failed++;
    as_metrics_command(
        self->metrics,
        req && as_command_valid(req->command) ? svc_metrics_command(self, req->command) : "-",
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
svc_pending_cmd_t *svc_admit_command(as_service_t *self, const void *body, size_t len,
                                     const char *identity, svc_refusal_t *refusal)
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
        svc_pending_cmd_t *c = realloc(self->cmds, cap * sizeof *c);
        if (!c) {
            as__command_request__free_unpacked(req, NULL);
            return NULL; /* the client times out and retries */
        }
        self->cmds = c;
        self->cap_cmds = cap;
    }
    svc_pending_cmd_t *pc = &self->cmds[self->n_cmds++];
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
    svc_refusal_t refusal = {.len = 0};
    svc_pending_cmd_t *pc = svc_admit_command(self, body, len, identity, &refusal);
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
    int rc = as_pub_replay(self->pub, req, SVC_REPLAY_MAX_BYTES, &out, &out_len);
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
int svc_cmd_source_accept(as_cmd_t *cmd)
{
    int rc = as_cmd_require(cmd, AS_ROLE_IT_ADMIN);
    if (rc != 0)
        return rc;
    As__SourceAccept *req = as__source_accept__unpack(NULL, cmd->payload_len, cmd->payload);
    if (!req)
        return as_cmd_fail(cmd, AS_EBADFRAME, "payload is not a SourceAccept message");
    char why[512];
    const char *fork = "";
    if (!req->source || !*req->source)
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "source is required: '<service>@<site>' as asctl status shows it");
    else if (!req->incarnation || !*req->incarnation)
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "incarnation is required: the new history's, as asctl status shows it "
                         "for the diverged source");
    else
        switch (as_sub_accept_check(cmd->svc->sub, req->source, req->incarnation, &fork)) {
        case AS_SUB_ACCEPT_OK:
            rc = as_sub_accept(cmd->svc->sub, cmd->txn, req->source, req->incarnation, cmd->actor,
                               why, sizeof why);
            break;
        case AS_SUB_ACCEPT_UNKNOWN:
            rc = as_cmd_fail(cmd, AS_ENOTFOUND, "this daemon follows no source '%s'", req->source);
            break;
        case AS_SUB_ACCEPT_NOT_DIVERGED:
            rc = as_cmd_fail(cmd, AS_ECONFLICT, "source '%s' is not diverged: nothing to accept",
                             req->source);
            break;
        case AS_SUB_ACCEPT_OTHER_INCARNATION:
            rc = as_cmd_fail(cmd, AS_ECONFLICT, "source '%s' diverged to incarnation %s, not '%s'",
                             req->source, fork, req->incarnation);
            break;
        }
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

void svc_on_request(as_rpc_server_t *server, const as_rpc_peer_t *peer, const char *kind,
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
