/* harness.c — a service in-process for unit tests. See harness.h. */
#include "harness.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "as/catalog.h"
#include "as/config.h"
#include "as/error.h"
#include "as/log.h"
#include "as/store.h"

struct as_harness {
    const as_service_def_t *def;
    char dir[512]; /* the temp dir: config, store, (never bound) endpoint */
    as_config_t *cfg;
    as_service_t *svc;
    unsigned calls; /* request ids "H-<n>" */
};

static int s_write_config(const as_harness_t *self, const char *config, char *path, size_t cap)
{
    snprintf(path, cap, "%s/site.ini", self->dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -errno;
    fprintf(f, "[site]\nname = local\ndata_dir = %s\n\n[%s]\nendpoint = ipc://%s/%s.ipc\n\n%s\n",
            self->dir, self->def->name, self->dir, self->def->name, config ? config : "");
    return fclose(f) == 0 ? 0 : -errno;
}

as_harness_t *as_harness_new(const as_service_def_t *def, const char *config)
{
    as_harness_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->def = def;
    const char *tmp = getenv("AS_TEST_TMP");
    if (tmp && *tmp)
        mkdir(tmp, 0700); /* ctest's per-folder tmp may not exist yet */
    snprintf(self->dir, sizeof self->dir, "%s/harness-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp",
             def->name);
    if (!mkdtemp(self->dir)) {
        as_error("harness: cannot make a temp dir under %s: %s", tmp ? tmp : "/tmp",
                 strerror(errno));
        self->dir[0] = '\0';
        goto fail;
    }
    char path[600], *err = NULL;
    int rc = s_write_config(self, config, path, sizeof path);
    if (rc != 0 || !(self->cfg = as_config_load(path, &err))) {
        as_error("harness: config: %s", err ? err : strerror(-rc));
        free(err);
        goto fail;
    }
    if (!(self->svc = as_service_new_local(def, self->cfg, &rc))) {
        as_error("harness: service %s did not open: %s", def->name, as_strerror(rc));
        goto fail;
    }
    return self;
fail:
    as_harness_destroy(&self);
    return NULL;
}

static int s_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void as_harness_destroy(as_harness_t **self_p)
{
    as_harness_t *self = *self_p;
    if (!self)
        return;
    as_service_destroy(&self->svc);
    as_config_destroy(&self->cfg);
    if (self->dir[0])
        nftw(self->dir, s_remove, 8, FTW_DEPTH | FTW_PHYS);
    free(self);
    *self_p = NULL;
}

as_service_t *as_harness_service(as_harness_t *self)
{
    return self->svc;
}

void as_harness_result_clear(as_harness_result_t *result)
{
    if (result->reply)
        protobuf_c_message_free_unpacked(result->reply, NULL);
    for (size_t i = 0; i < result->n_events; i++)
        as__envelope__free_unpacked(result->events[i], NULL);
    free(result->events);
    memset(result, 0, sizeof *result);
}

/* Reads what the outbox holds after `last_seq` into out->events. */
static int s_read_emitted(as_harness_t *self, uint64_t last_seq, as_harness_result_t *out)
{
    if (as_service_last_seq(self->svc) == last_seq)
        return 0;
    void *packed = NULL;
    size_t len = 0;
    int rc = as_service_outbox(self->svc, last_seq + 1, &packed, &len);
    As__ReplayResponse *replay = rc == 0 ? as__replay_response__unpack(NULL, len, packed) : NULL;
    free(packed);
    if (!replay)
        return rc ? rc : AS_EBADFRAME;
    if (!(out->events = calloc(replay->n_events + 1, sizeof *out->events)))
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < replay->n_events; i++) {
        out->events[i] = as__envelope__unpack(NULL, replay->events[i].len, replay->events[i].data);
        rc = out->events[i] ? 0 : AS_EBADFRAME;
        out->n_events += rc == 0;
    }
    as__replay_response__free_unpacked(replay, NULL);
    return rc;
}

/* Fills *out from a packed CommandReply of `command`. */
static int s_take_reply(const char *command, const void *packed, size_t len,
                        as_harness_result_t *out)
{
    As__CommandReply *reply = as__command_reply__unpack(NULL, len, packed);
    if (!reply)
        return AS_EBADFRAME;
    out->status = reply->status;
    out->replayed = reply->has_replayed && reply->replayed;
    snprintf(out->error, sizeof out->error, "%s", reply->error ? reply->error : "");
    const as_command_info_t *info = as_catalog_command(command);
    int rc = 0;
    if (reply->has_payload && info && info->reply) {
        out->reply =
            protobuf_c_message_unpack(info->reply, NULL, reply->payload.len, reply->payload.data);
        rc = out->reply ? 0 : AS_EBADFRAME;
    }
    as__command_reply__free_unpacked(reply, NULL);
    return rc;
}

int as_harness_call_bytes(as_harness_t *self, const char *actor, const char *command,
                          const char *request_id, const void *payload, size_t len,
                          as_harness_result_t *out)
{
    memset(out, 0, sizeof *out);
    char id[32];
    snprintf(id, sizeof id, "H-%u", ++self->calls);
    As__CommandRequest req = AS__COMMAND_REQUEST__INIT;
    req.request_id = (char *)(request_id ? request_id : id);
    req.command = (char *)command;
    req.actor = (char *)actor;
    req.has_payload = payload != NULL;
    req.payload = (ProtobufCBinaryData){len, (uint8_t *)payload};
    size_t packed_len = as__command_request__get_packed_size(&req);
    uint8_t *packed = malloc(packed_len ? packed_len : 1);
    if (!packed)
        return -ENOMEM;
    as__command_request__pack(&req, packed);
    uint64_t last_seq = as_service_last_seq(self->svc);
    void *reply = NULL;
    size_t reply_len = 0;
    int rc = as_service_call(self->svc, packed, packed_len, &reply, &reply_len);
    free(packed);
    if (rc == 0)
        rc = s_take_reply(command, reply, reply_len, out);
    free(reply);
    return rc == 0 ? s_read_emitted(self, last_seq, out) : rc;
}

/* Packs `msg` (NULL: none) into *buf (malloc'd). Returns 0 or -ENOMEM. */
static int s_pack(const ProtobufCMessage *msg, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = msg ? protobuf_c_message_get_packed_size(msg) : 0;
    if (!msg)
        return 0;
    if (!(*buf = malloc(*len ? *len : 1)))
        return -ENOMEM;
    protobuf_c_message_pack(msg, *buf);
    return 0;
}

int as_harness_call(as_harness_t *self, const char *actor, const char *command,
                    const ProtobufCMessage *request, as_harness_result_t *out)
{
    uint8_t *payload;
    size_t len;
    if (s_pack(request, &payload, &len) != 0)
        return -ENOMEM;
    int rc = as_harness_call_bytes(self, actor, command, NULL, payload, len, out);
    free(payload);
    return rc;
}

int as_harness_apply(as_harness_t *self, const char *type, const char *source, uint64_t seq,
                     const char *subject, const ProtobufCMessage *payload, as_harness_result_t *out)
{
    memset(out, 0, sizeof *out);
    char id[AS_UUID_LEN + 1];
    as_uuidv7(id);
    As__Envelope env = AS__ENVELOPE__INIT;
    env.id = id;
    env.source = (char *)source;
    env.has_seq = env.has_time_us = 1;
    env.seq = seq;
    env.time_us = as_now_us();
    env.type = (char *)type;
    env.subject = (char *)subject;
    env.actor = (char *)"harness";
    uint8_t *buf;
    size_t len;
    if (s_pack(payload, &buf, &len) != 0)
        return -ENOMEM;
    env.has_payload = payload != NULL;
    env.payload = (ProtobufCBinaryData){len, buf};
    uint64_t last_seq = as_service_last_seq(self->svc);
    int rc = as_service_apply(self->svc, &env, &out->status);
    free(buf);
    if (rc == 0 && out->status != 0)
        snprintf(out->error, sizeof out->error, "%s", as_strerror(out->status));
    return rc == 0 ? s_read_emitted(self, last_seq, out) : rc;
}

typedef struct {
    as_harness_t *self;
    const char *db;
    size_t count;
} s_count_t;

static int s_count_txn(MDB_txn *txn, void *arg)
{
    s_count_t *c = arg;
    for (const char *const *db = c->self->def->dbs; db && *db; db++) {
        if (c->db && strcmp(c->db, *db) != 0)
            continue;
        MDB_stat st;
        int rc = mdb_stat(txn, as_store_dbi(as_service_store(c->self->svc), *db), &st);
        if (rc != 0)
            return rc;
        c->count += st.ms_entries;
    }
    return 0;
}

size_t as_harness_count(as_harness_t *self, const char *db)
{
    s_count_t c = {self, db, 0};
    return as_store_read(as_service_store(self->svc), s_count_txn, &c) == 0 ? c.count : 0;
}
