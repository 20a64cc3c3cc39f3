/* ingest.c — the ingest gateway's one command, "<name>.ingest": checks an
 * external system's event against the catalog and emits it as this source's
 * own, committed before the acknowledgement. See README.md here. */
#include "ingest_service.h"
#include "checks.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/catalog.h"
#include "as/config_schema.h"
#include "as/error.h"
#include "as/log.h"
#include "as/pb/ingest.pb-c.h"
#include "as/pbjson.h"
#include "as/staff.h"
#include "as/text.h"

#define S_MAX_TEXT 128 /* subject and correlation id */

typedef struct {
    size_t max_payload; /* [<name>] max_payload: largest payload or payload_json, in bytes */
} s_ingest_t;

/* The system's name was checked against the catalog before the store opened
 * (as_service_main: "<name>.ingest" of service "<name>"). */
static int s_start(as_service_t *svc)
{
    s_ingest_t *self = as_service_user(svc);
    const char *name = as_service_name(svc);
    long long max_payload = 0;
    if (as_config_read_int(as_service_config(svc), name, "max_payload", &max_payload) != 0) {
        as_error("config: bad number (16 to 1048576) in [%s] max_payload", name);
        return AS_ECONFIG;
    }
    self->max_payload = (size_t)max_payload;
    return 0;
}

/* Checks type and subject; fails the command on the first problem. */
static int s_check_names(as_cmd_t *cmd, const As__IngestRequest *req, const as_event_info_t **info)
{
    const char *name = as_service_name(cmd->svc);
    size_t n = strlen(name);
    if (!req->type || !*req->type)
        return as_cmd_fail(cmd, AS_EINVALID, "type is required: the event type, e.g. '%s.%s'", name,
                           "appointment.requested");
    if (strncmp(req->type, name, n) != 0 || req->type[n] != '.')
        return as_cmd_fail(cmd, AS_EINVALID,
                           "type '%s' does not start with '%s.': this gateway takes only %s's "
                           "own events",
                           req->type, name, name);
    if (!as_type_valid(req->type))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "type '%s' is not '<domain>.<entity>.<verb>' (at least three words of "
                           "a-z, 0-9, '_' and '-')",
                           req->type);
    if (!(*info = as_catalog_event(req->type)))
        return as_cmd_fail(cmd, AS_EUNKNOWN,
                           "event type '%s' is not in the catalog (%s's event types are in "
                           "proto/catalog/%s.c)",
                           req->type, name, name);
    if (!req->subject || !*req->subject || strlen(req->subject) > S_MAX_TEXT)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "subject is required: %s's reference of the record (at most %d "
                           "characters)",
                           name, S_MAX_TEXT);
    if (req->correlation_id && strlen(req->correlation_id) > S_MAX_TEXT)
        return as_cmd_fail(cmd, AS_EINVALID, "correlation_id has more than %d characters",
                           S_MAX_TEXT);
    return 0;
}

/* Turns the request's payload (packed or JSON) into the packed message of the
 * type: *out is malloc'd (NULL for a type without a payload). */
/* Refuses payload_json that is not JSON, in the words of its own formats for
 * what jansson names by code (a page words each in its language), with where;
 * jansson's own English text stays one argument only for the rest (a kind of
 * error json_loads is not known to give). */
static int s_refuse_json(as_cmd_t *cmd, const json_error_t *e)
{
    switch (json_error_code(e)) {
    case json_error_premature_end_of_input:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "payload_json is not JSON: it ends too early (line %d, column %d)",
                           e->line, e->column);
    case json_error_end_of_input_expected:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "payload_json is not JSON: something follows the object (line %d, "
                           "column %d)",
                           e->line, e->column);
    case json_error_invalid_syntax:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "payload_json is not JSON: a syntax error at line %d, column %d",
                           e->line, e->column);
    case json_error_invalid_utf8:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "payload_json is not JSON: it is not UTF-8 (line %d, column %d)",
                           e->line, e->column);
    case json_error_null_character:
    case json_error_null_byte_in_key:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "payload_json is not JSON: it has a NUL character (line %d, column %d)",
                           e->line, e->column);
    case json_error_duplicate_key:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "payload_json is not JSON we take: a key given twice (line %d, "
                           "column %d)",
                           e->line, e->column);
    case json_error_numeric_overflow:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "payload_json is not JSON we take: a number too large (line %d, "
                           "column %d)",
                           e->line, e->column);
    case json_error_stack_overflow:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "payload_json is not JSON we take: nested too deep (line %d, column %d)",
                           e->line, e->column);
    case json_error_out_of_memory:
        return -ENOMEM;
    default:
        return as_cmd_fail(cmd, AS_EINVALID, "payload_json is not JSON: %s (line %d, column %d)",
                           e->text, e->line, e->column);
    }
}

static int s_payload(as_cmd_t *cmd, const As__IngestRequest *req, const as_event_info_t *info,
                     uint8_t **out, size_t *out_len)
{
    const s_ingest_t *self = as_service_user(cmd->svc);
    const ProtobufCMessageDescriptor *desc = info->payload;
    bool has_json = req->payload_json != NULL;
    *out = NULL;
    *out_len = 0;
    if (req->has_payload && has_json)
        return as_cmd_fail(cmd, AS_EINVALID, "give payload or payload_json, not both");
    if (!desc) {
        if (req->has_payload || has_json)
            return as_cmd_fail(cmd, AS_EINVALID, "%s carries no payload", req->type);
        return 0;
    }
    if (!req->has_payload && !has_json)
        return as_cmd_fail(cmd, AS_EINVALID, "%s needs payload (a packed %s) or payload_json",
                           req->type, desc->short_name);
    size_t len = has_json ? strlen(req->payload_json) : req->payload.len;
    if (len > self->max_payload)
        return as_cmd_fail(cmd, AS_ETOOBIG, "%s of %zu bytes exceeds the %zu-byte limit",
                           has_json ? "payload_json" : "payload", len, self->max_payload);
    ProtobufCMessage *msg = NULL;
    if (has_json) {
        json_error_t jerr;
        json_t *json = json_loads(req->payload_json, JSON_REJECT_DUPLICATES, &jerr);
        if (!json)
            return s_refuse_json(cmd, &jerr);
        if (!json_is_object(json)) {
            json_decref(json);
            return as_cmd_fail(cmd, AS_EINVALID, "payload_json is not a JSON object");
        }
        char err[256];
        int rc = as_pbjson_from_json(desc, json, &msg, err, sizeof err);
        json_decref(json);
        if (rc == AS_EINVALID)
            return as_cmd_fail(cmd, AS_EINVALID, "payload_json does not fit %s (%s): %s",
                               desc->short_name, req->type, err);
        if (rc != 0)
            return rc;
    } else {
        msg = protobuf_c_message_unpack(desc, NULL, req->payload.len, req->payload.data);
        if (!msg)
            return as_cmd_fail(cmd, AS_EBADFRAME, "payload does not decode as %s (%s)",
                               desc->short_name, req->type);
    }
    /* the system's event is held to the bound on text (text.h) before it is
     * on the bus, where consumers take it as a fact */
    char text_error[sizeof cmd->error];
    if (as_text_check(msg, text_error, sizeof text_error) != 0) {
        protobuf_c_message_free_unpacked(msg, NULL);
        return as_cmd_fail(cmd, AS_EINVALID, "%s payload: %s", req->type, text_error);
    }
    /* what the type's consumers need beyond the schema (checks.c) */
    int checked = ingest_check(cmd, req->type, msg);
    if (checked != 0) {
        protobuf_c_message_free_unpacked(msg, NULL);
        return checked;
    }
    /* packed again from the decoded message: what is emitted is what was checked */
    *out_len = protobuf_c_message_get_packed_size(msg);
    *out = malloc(*out_len ? *out_len : 1);
    if (*out)
        protobuf_c_message_pack(msg, *out);
    protobuf_c_message_free_unpacked(msg, NULL);
    return *out ? 0 : -ENOMEM;
}

/* The id the publisher gave the event at `seq` (the last one in the outbox). */
static int s_event_id(uint64_t seq, const MDB_val *value, void *arg)
{
    (void)seq;
    As__Envelope *env = as__envelope__unpack(NULL, value->mv_size, value->mv_data);
    if (!env)
        return AS_EINTERNAL;
    snprintf(arg, AS_UUID_LEN + 1, "%s", env->id ? env->id : "");
    as__envelope__free_unpacked(env, NULL);
    return 1; /* one is enough */
}

static int s_cmd_ingest(as_cmd_t *cmd)
{
    const As__IngestRequest *req = (const As__IngestRequest *)cmd->request;
    const as_event_info_t *info = NULL;
    uint8_t *payload = NULL;
    size_t payload_len = 0;
    int rc = s_check_names(cmd, req, &info);
    if (rc == 0)
        rc = s_payload(cmd, req, info, &payload, &payload_len);
    if (rc == 0) {
        as_event_t event = {.type = req->type,
                            .subject = req->subject,
                            .actor = cmd->actor,
                            .correlation_id =
                                req->correlation_id ? req->correlation_id : cmd->request_id,
                            .causation_id = cmd->request_id,
                            .payload = payload,
                            .payload_len = payload_len};
        rc = as_service_emit(cmd->svc, cmd->txn, &event);
    }
    As__IngestAck ack = AS__INGEST_ACK__INIT;
    char event_id[AS_UUID_LEN + 1] = "";
    as_store_t *store = as_service_store(cmd->svc);
    if (rc == 0)
        rc = as_outbox_last(store, cmd->txn, &ack.seq);
    if (rc == 0) {
        rc = as_outbox_scan(store, cmd->txn, ack.seq, 1, 1 << 20, s_event_id, event_id);
        rc = rc == 1 ? 0 : rc ? rc : AS_EINTERNAL;
    }
    if (rc == 0) {
        ack.source = (char *)as_service_source(cmd->svc);
        ack.has_seq = 1;
        ack.event_id = event_id;
        ack.type = req->type;
        ack.subject = req->subject;
        rc = as_cmd_reply(cmd, &ack.base);
    }
    free(payload);
    return rc;
}

static const char *const s_dbs[] = {"parts", NULL};

/* applied only by a gateway whose section follows parts ([sales]) */
static const as_event_def_t s_events[] = {
    {"parts.part.defined", ingest_on_part_defined},
    {NULL, NULL},
};

static const as_command_def_t s_commands[] = {
    {".ingest", s_cmd_ingest},
    {NULL, NULL},
};

const as_service_def_t ingest_service = {
    .name = "ingest",
    .named = true,
    .dbs = s_dbs,
    .commands = s_commands,
    .events = s_events,
    .on_start = s_start,
    .user_size = sizeof(s_ingest_t),
    .summary =
        "The ingest gateway for one external system that does not speak the bus protocol\n"
        "(a CRM, a phone system), run under that system's name: `as-ingest --name crm`.\n"
        "The system sends each event as the command NAME.ingest (type, subject, payload or\n"
        "payload_json); it is checked against the catalog (the type starts with 'NAME.' and\n"
        "is known, the payload decodes as its message), committed to this daemon's outbox\n"
        "as source NAME@<site>, and only then acknowledged with its seq and event id.\n"
        "A retry with the same request id gets the same acknowledgement. [NAME] max_payload\n"
        "caps a payload (default 65536 bytes).",
};
