/* fuzz_decode — libFuzzer target for everything a peer can send a daemon:
 * event envelopes (with their topic frame), heartbeats, replay requests and
 * responses, command requests and replies, and what an external system hands
 * the ingest gateway (an IngestRequest, its payload decoded as the catalog's
 * message for its type, and the CRM's and the sales DMS's payloads). The first input byte picks
 * the decoder; the rest is the frame. A crash, leak or sanitizer report fails. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "as/catalog.h"
#include "as/envelope.h"
#include "as/pb/crm.pb-c.h"
#include "as/pb/ingest.pb-c.h"
#include "as/pb/rpc.pb-c.h"
#include "as/pb/sales.pb-c.h"
#include "as/pbjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t pick = data[0];
    data++;
    size--;
    int err = 0;
    switch (pick % 8) {
    case 0: {
        /* [topic length][topic][envelope]: the two frames of an event or a
         * heartbeat; the topic "<site>/<rest>" is up to 255 bytes (longer
         * than AS_TOPIC_MAX: the seeds in corpus/fuzz_decode try no '/', an
         * empty site, a site other than the source's, a 200-byte topic) */
        size_t tlen = size > 0 ? data[0] : 0;
        if (size < 1 + tlen)
            return 0;
        const char *topic = (const char *)data + 1;
        As__Envelope *env = as_envelope_decode(data + 1 + tlen, size - 1 - tlen, topic, tlen, &err);
        char claimed[AS_NAME_MAX + 1];
        (void)as_envelope_claimed_source(topic, tlen, data + 1 + tlen, size - 1 - tlen, claimed,
                                         sizeof claimed);
        as_topic_parts_t parts;
        if (as_topic_split(topic, tlen, &parts) && as_heartbeat_topic(topic, tlen) &&
            parts.site_len + 1 + parts.rest_len != tlen)
            __builtin_trap(); /* the parts are the whole topic */
        if (env) {
            char domain[AS_NAME_MAX + 1];
            as_domain_of(env->source, domain, sizeof domain);
            as__envelope__free_unpacked(env, NULL);
        }
        break;
    }
    case 1: {
        As__Heartbeat *hb = as__heartbeat__unpack(NULL, size, data);
        if (hb) {
            (void)as_source_valid(hb->source);
            as__heartbeat__free_unpacked(hb, NULL);
        }
        break;
    }
    case 2: {
        As__ReplayRequest *req = as__replay_request__unpack(NULL, size, data);
        if (req)
            as__replay_request__free_unpacked(req, NULL);
        break;
    }
    case 3: {
        /* a replay response's events are envelopes too */
        As__ReplayResponse *resp = as__replay_response__unpack(NULL, size, data);
        if (resp) {
            for (size_t i = 0; i < resp->n_events; i++) {
                As__Envelope *env =
                    as_envelope_decode(resp->events[i].data, resp->events[i].len, NULL, 0, &err);
                if (env)
                    as__envelope__free_unpacked(env, NULL);
            }
            as__replay_response__free_unpacked(resp, NULL);
        }
        break;
    }
    case 4: {
        As__CommandRequest *req = as__command_request__unpack(NULL, size, data);
        if (req) {
            (void)as_command_valid(req->command);
            as__command_request__free_unpacked(req, NULL);
        }
        break;
    }
    case 6: {
        /* an ingest request: its type looked up, its payload decoded as the gateway does */
        As__IngestRequest *req = as__ingest_request__unpack(NULL, size, data);
        if (!req)
            break;
        const as_event_info_t *info =
            req->type && as_type_valid(req->type) ? as_catalog_event(req->type) : NULL;
        if (info && info->payload && req->has_payload) {
            ProtobufCMessage *msg =
                protobuf_c_message_unpack(info->payload, NULL, req->payload.len, req->payload.data);
            if (msg)
                protobuf_c_message_free_unpacked(msg, NULL);
        }
        if (info && info->payload && req->payload_json) {
            json_t *json = json_loads(req->payload_json, JSON_REJECT_DUPLICATES, NULL);
            ProtobufCMessage *msg = NULL;
            char text[256];
            if (json && as_pbjson_from_json(info->payload, json, &msg, text, sizeof text) == 0)
                protobuf_c_message_free_unpacked(msg, NULL);
            json_decref(json);
        }
        as__ingest_request__free_unpacked(req, NULL);
        break;
    }
    case 7: {
        As__CrmAppointmentRequested *r = as__crm_appointment_requested__unpack(NULL, size, data);
        if (r)
            as__crm_appointment_requested__free_unpacked(r, NULL);
        As__CrmAppointmentWithdrawn *w = as__crm_appointment_withdrawn__unpack(NULL, size, data);
        if (w)
            as__crm_appointment_withdrawn__free_unpacked(w, NULL);
        As__SalesVehicleSold *s = as__sales_vehicle_sold__unpack(NULL, size, data);
        if (s)
            as__sales_vehicle_sold__free_unpacked(s, NULL);
        break;
    }
    default: {
        As__CommandReply *reply = as__command_reply__unpack(NULL, size, data);
        if (reply)
            as__command_reply__free_unpacked(reply, NULL);
        As__StatusReply *st = as__status_reply__unpack(NULL, size, data);
        if (st)
            as__status_reply__free_unpacked(st, NULL);
        break;
    }
    }
    return 0;
}
