/* fuzz_decode — libFuzzer target for everything a peer can send a daemon:
 * event envelopes (with their topic frame), heartbeats, replay requests and
 * responses, command requests and replies. The first input byte picks the
 * decoder; the rest is the frame. A crash, leak or sanitizer report fails. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "as/envelope.h"
#include "as/pb/rpc.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t pick = data[0];
    data++;
    size--;
    int err = 0;
    switch (pick % 6) {
    case 0: {
        /* [topic length][topic][envelope]: the two frames of an event */
        size_t tlen = size > 0 ? data[0] % 64 : 0;
        if (size < 1 + tlen)
            return 0;
        As__Envelope *env = as_envelope_decode(data + 1 + tlen, size - 1 - tlen,
                                               (const char *)data + 1, tlen, &err);
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
