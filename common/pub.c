/* pub.c — outbox, publish after commit, heartbeats, replay. See pub.h. */
#include "as/pub.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "as/error.h"
#include "as/log.h"
#include "as/loop.h"

#define AS_REPLAY_MAX_EVENTS 5000

/* An event waiting for its transaction to commit: [topic][envelope] bytes
 * are kept in one growing buffer, `topic_len` then `env_len` bytes from
 * `offset`; the topic is "<site>/<type>" (envelope.h, "Topics"). */
typedef struct {
    size_t offset;
    size_t topic_len;
    size_t env_len;
} s_pending_t;

struct as_pub {
    void *sock;
    as_store_t *store;
    char *source;
    char *endpoint;
    char domain[AS_NAME_MAX + 1];
    uint64_t committed_seq; /* last seq known committed */
    uint64_t next_seq;      /* seq the next emit gets */
    s_pending_t *pending;
    size_t n_pending, cap_pending;
    unsigned char *buf;
    size_t buf_used, buf_cap;
    uint64_t send_dropped;
    As__Lineage *lineage; /* what replay answers carry; a store's lineage only
                           * changes by a restore, with the daemon stopped */
};

static int s_last_seq(MDB_txn *txn, void *arg)
{
    as_pub_t *self = arg;
    int rc = as_outbox_last(self->store, txn, &self->committed_seq);
    return rc ? rc : as_store_lineage(self->store, txn, &self->lineage);
}

as_pub_t *as_pub_new(void *zctx, as_store_t *store, const as_pub_config_t *cfg, int *err)
{
    int rc = 0;
    as_pub_t *self = calloc(1, sizeof *self);
    if (!self) {
        rc = -ENOMEM;
        goto fail;
    }
    self->store = store;
    self->source = strdup(cfg->source);
    self->endpoint = strdup(cfg->endpoint ? cfg->endpoint : "");
    if (!as_source_valid(cfg->source) ||
        !as_domain_of(cfg->source, self->domain, sizeof self->domain)) {
        rc = AS_EINVALID;
        goto fail_self;
    }
    if ((rc = as_store_read(store, s_last_seq, self)) != 0)
        goto fail_self;
    self->next_seq = self->committed_seq + 1;
    if (!zctx)
        return self; /* in-process (as_service_new_local): the outbox only */
    self->sock = zmq_socket(zctx, ZMQ_PUB);
    if (!self->sock) {
        rc = -errno;
        goto fail_self;
    }
    int hwm = cfg->sndhwm > 0 ? cfg->sndhwm : 1000000;
    int linger = 200;
    zmq_setsockopt(self->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->sock, ZMQ_LINGER, &linger, sizeof linger);
    for (size_t i = 0; cfg->connect && cfg->connect[i]; i++) {
        const char *ep = cfg->connect[i];
        if (cfg->security &&
            (rc = as_security_client(cfg->security, self->sock, ep,
                                     cfg->bus_identity ? cfg->bus_identity : "bus")) != 0)
            goto fail_sock;
        if (zmq_connect(self->sock, ep) != 0) {
            rc = -errno;
            as_error("cannot connect publisher to '%s': %s", ep, zmq_strerror(errno));
            goto fail_sock;
        }
    }
    return self;

fail_sock:
    zmq_close(self->sock);
fail_self:
    if (self->lineage)
        as__lineage__free_unpacked(self->lineage, NULL);
    free(self->source);
    free(self->endpoint);
    free(self);
fail:
    if (err)
        *err = rc;
    return NULL;
}

void as_pub_destroy(as_pub_t **self_p)
{
    as_pub_t *self = *self_p;
    if (!self)
        return;
    if (self->sock)
        zmq_close(self->sock);
    if (self->lineage)
        as__lineage__free_unpacked(self->lineage, NULL);
    free(self->pending);
    free(self->buf);
    free(self->source);
    free(self->endpoint);
    free(self);
    *self_p = NULL;
}

void as_pub_begin(as_pub_t *self)
{
    self->next_seq = self->committed_seq + 1;
    self->n_pending = 0;
    self->buf_used = 0;
}

as_pub_mark_t as_pub_mark(const as_pub_t *self)
{
    return (as_pub_mark_t){self->next_seq, self->n_pending, self->buf_used};
}

void as_pub_rollback(as_pub_t *self, as_pub_mark_t mark)
{
    self->next_seq = mark.next_seq;
    self->n_pending = mark.pending;
    self->buf_used = mark.used;
}

static int s_reserve(as_pub_t *self, size_t more)
{
    if (self->n_pending == self->cap_pending) {
        size_t cap = self->cap_pending ? self->cap_pending * 2 : 64;
        s_pending_t *p = realloc(self->pending, cap * sizeof *p);
        if (!p)
            return -ENOMEM;
        self->pending = p;
        self->cap_pending = cap;
    }
    if (self->buf_used + more > self->buf_cap) {
        size_t cap = self->buf_cap ? self->buf_cap : 65536;
        while (cap < self->buf_used + more)
            cap *= 2;
        unsigned char *b = realloc(self->buf, cap);
        if (!b)
            return -ENOMEM;
        self->buf = b;
        self->buf_cap = cap;
    }
    return 0;
}

int as_pub_emit(as_pub_t *self, MDB_txn *txn, const as_event_t *event, uint64_t *seq_out)
{
    char domain[AS_NAME_MAX + 1];
    if (!as_type_valid(event->type) || !as_domain_of(event->type, domain, sizeof domain) ||
        strcmp(domain, self->domain) != 0)
        return AS_EINVALID;

    char id[AS_UUID_LEN + 1];
    as_uuidv7(id);
    As__Envelope env = AS__ENVELOPE__INIT;
    env.id = id;
    env.source = self->source;
    env.incarnation = (char *)as_store_incarnation(self->store);
    env.has_seq = 1;
    env.seq = self->next_seq;
    env.type = (char *)event->type;
    env.has_time_us = 1;
    env.time_us = as_now_us();
    env.subject = (char *)event->subject;
    env.correlation_id = (char *)event->correlation_id;
    env.causation_id = (char *)event->causation_id;
    env.actor = (char *)event->actor;
    env.via = (char *)event->via;
    if (event->occurred_us) {
        env.has_occurred_us = 1;
        env.occurred_us = event->occurred_us;
    }
    env.has_schema_version = 1;
    env.schema_version = event->schema_version ? event->schema_version : 1;
    if (event->payload) {
        env.has_payload = 1;
        env.payload.data = (uint8_t *)event->payload;
        env.payload.len = event->payload_len;
    }
    size_t env_len = as__envelope__get_packed_size(&env);
    int rc = s_reserve(self, AS_TOPIC_MAX + 1 + env_len);
    if (rc != 0)
        return rc;
    unsigned char *at = self->buf + self->buf_used;
    size_t topic_len = as_topic_make(self->source, event->type, (char *)at, AS_TOPIC_MAX + 1);
    if (topic_len == 0)
        return AS_EINVALID;
    as__envelope__pack(&env, at + topic_len);
    if ((rc = as_outbox_append(self->store, txn, env.seq, at + topic_len, env_len)) != 0)
        return rc;
    self->pending[self->n_pending++] = (s_pending_t){self->buf_used, topic_len, env_len};
    self->buf_used += topic_len + env_len;
    if (seq_out)
        *seq_out = env.seq;
    self->next_seq++;
    return 0;
}

void as_pub_committed(as_pub_t *self)
{
    for (size_t i = 0; i < self->n_pending; i++) {
        const s_pending_t *p = &self->pending[i];
        const void *data[2] = {self->buf + p->offset, self->buf + p->offset + p->topic_len};
        size_t lens[2] = {p->topic_len, p->env_len};
        if (self->sock && as_zsend_frames(self->sock, 2, data, lens) != 0)
            self->send_dropped++; /* consumers replay it from the outbox */
    }
    self->committed_seq = self->next_seq - 1;
    self->n_pending = 0;
    self->buf_used = 0;
}

void as_pub_aborted(as_pub_t *self)
{
    as_pub_begin(self);
}

void as_pub_heartbeat(as_pub_t *self)
{
    if (!self->sock)
        return;
    As__Heartbeat hb = AS__HEARTBEAT__INIT;
    hb.source = self->source;
    hb.incarnation = (char *)as_store_incarnation(self->store);
    hb.has_last_seq = 1;
    hb.last_seq = self->committed_seq;
    hb.endpoint = self->endpoint;
    hb.has_time_us = 1;
    hb.time_us = as_now_us();
    unsigned char body[1024];
    size_t len = as__heartbeat__get_packed_size(&hb);
    if (len > sizeof body)
        return; /* an endpoint this long is refused by the config check */
    as__heartbeat__pack(&hb, body);
    char rest[AS_NAME_MAX + sizeof AS_HEARTBEAT_SUFFIX], topic[AS_TOPIC_MAX + 1];
    snprintf(rest, sizeof rest, "%s%s", self->domain, AS_HEARTBEAT_SUFFIX);
    size_t tlen = as_topic_make(self->source, rest, topic, sizeof topic);
    const void *data[2] = {topic, body};
    size_t lens[2] = {tlen, len};
    if (as_zsend_frames(self->sock, 2, data, lens) != 0)
        self->send_dropped++;
}

uint64_t as_pub_last_seq(const as_pub_t *self)
{
    return self->committed_seq;
}

const char *as_pub_source(const as_pub_t *self)
{
    return self->source;
}

uint64_t as_pub_send_dropped(const as_pub_t *self)
{
    return self->send_dropped;
}

typedef struct {
    As__ReplayResponse *resp;
    size_t cap;
    uint64_t expect;
} s_replay_ctx_t;

static int s_collect(uint64_t seq, const MDB_val *value, void *arg)
{
    s_replay_ctx_t *ctx = arg;
    if (seq != ctx->expect)
        return AS_EINTERNAL; /* the outbox is gapless by construction */
    ctx->expect++;
    As__ReplayResponse *resp = ctx->resp;
    if (resp->n_events == ctx->cap) {
        size_t cap = ctx->cap ? ctx->cap * 2 : 256;
        ProtobufCBinaryData *e = realloc(resp->events, cap * sizeof *e);
        if (!e)
            return -ENOMEM;
        resp->events = e;
        ctx->cap = cap;
    }
    /* borrowed from the read transaction, which stays open until packed */
    resp->events[resp->n_events].data = value->mv_data;
    resp->events[resp->n_events].len = value->mv_size;
    resp->n_events++;
    return 0;
}

typedef struct {
    as_pub_t *self;
    const As__ReplayRequest *req;
    size_t max_bytes;
    void **out;
    size_t *len;
} s_replay_args_t;

static int s_replay_txn(MDB_txn *txn, void *arg)
{
    s_replay_args_t *a = arg;
    As__ReplayResponse resp = AS__REPLAY_RESPONSE__INIT;
    resp.source = a->self->source;
    resp.incarnation = (char *)as_store_incarnation(a->self->store);
    resp.has_last_seq = 1;
    int rc = as_outbox_last(a->self->store, txn, &resp.last_seq);
    if (rc != 0)
        return rc;
    resp.n_lineage = a->self->lineage->n_ancestors;
    resp.lineage = a->self->lineage->ancestors;
    s_replay_ctx_t ctx = {&resp, 0, a->req->from_seq};
    if (a->req->source && *a->req->source && strcmp(a->req->source, a->self->source) != 0) {
        resp.error = "this endpoint serves another source";
    } else if (a->req->from_seq >= 1 && a->req->from_seq <= resp.last_seq) {
        size_t max = a->req->max_events ? a->req->max_events : AS_REPLAY_MAX_EVENTS;
        if (max > AS_REPLAY_MAX_EVENTS)
            max = AS_REPLAY_MAX_EVENTS;
        rc = as_outbox_scan(a->self->store, txn, a->req->from_seq, max, a->max_bytes, s_collect,
                            &ctx);
    }
    if (rc == 0) {
        *a->len = as__replay_response__get_packed_size(&resp);
        *a->out = malloc(*a->len ? *a->len : 1);
        if (*a->out)
            as__replay_response__pack(&resp, *a->out);
        else
            rc = -ENOMEM;
    }
    free(resp.events);
    return rc;
}

int as_pub_replay(as_pub_t *self, const As__ReplayRequest *req, size_t max_bytes, void **out,
                  size_t *len)
{
    s_replay_args_t args = {self, req, max_bytes, out, len};
    return as_store_read(self->store, s_replay_txn, &args);
}
