/* astest_frames — sends what a well-behaved client never would, for the tests
 * of bad input: malformed and oversized frames, unknown commands and kinds,
 * events of unknown types, garbage on the bus. Prints answers as JSON lines.
 *
 *   astest_frames command ENDPOINT NAME [PAYLOAD_BYTES]  a CommandRequest
 *   astest_frames raw ENDPOINT FRAME...                  any frames ("-" = empty)
 *   astest_frames publish XSUB TOPIC BODY                one message on the bus
 *                                                        (BODY "@N": N bytes of 'x';
 *                                                        TOPIC as sent: "<site>/<type>")
 *   astest_frames vanish ENDPOINT COMMAND REQUEST_ID JSON sends a command and goes
 *                                                        away without reading the reply
 *   astest_frames event XSUB SOURCE INCARNATION SEQ TYPE one valid envelope
 *   astest_frames event-json XSUB SOURCE INCARNATION SEQ TYPE JSON
 *                                                        one valid envelope whose payload
 *                                                        is built from JSON with the
 *                                                        catalog's payload message of TYPE
 *   astest_frames heartbeat XSUB SOURCE INCARNATION LAST_SEQ ENDPOINT BEST_EFFORT
 *                                                        one heartbeat (ENDPOINT "-": none;
 *                                                        BEST_EFFORT 0 or 1)
 *
 * When $AS_CONFIG turns CURVE on, the publishing socket of publish, event,
 * event-json and heartbeat is a CURVE client of the forwarder with the key of
 * $AS_IDENTITY (a tcp:// XSUB), so a test can publish as a person would.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "as/catalog.h"
#include "as/config.h"
#include "as/envelope.h"
#include "as/security.h"
#include "as/pbjson.h"
#include "as/error.h"
#include "as/pb/rpc.pb-c.h"

static int s_print_answer(void *sock)
{
    zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, 5000) <= 0) {
        puts("{\"answer\":null}");
        return 3;
    }
    zmq_msg_t kind, body;
    zmq_msg_init(&kind);
    zmq_msg_init(&body);
    zmq_msg_recv(&kind, sock, 0);
    if (zmq_msg_more(&kind))
        zmq_msg_recv(&body, sock, 0);
    json_t *out = json_object();
    json_object_set_new(out, "kind", json_stringn(zmq_msg_data(&kind), zmq_msg_size(&kind)));
    if (zmq_msg_size(&kind) == 3 && !memcmp(zmq_msg_data(&kind), "cmd", 3)) {
        As__CommandReply *r =
            as__command_reply__unpack(NULL, zmq_msg_size(&body), zmq_msg_data(&body));
        if (r) {
            json_object_set_new(out, "status", json_integer(r->status));
            json_object_set_new(out, "code", json_string(as_errname(r->status)));
            json_object_set_new(out, "error", json_string(r->error ? r->error : ""));
            as__command_reply__free_unpacked(r, NULL);
        }
    } else {
        json_object_set_new(out, "text", json_stringn(zmq_msg_data(&body), zmq_msg_size(&body)));
    }
    char *text = json_dumps(out, JSON_COMPACT);
    puts(text);
    free(text);
    json_decref(out);
    zmq_msg_close(&kind);
    zmq_msg_close(&body);
    return 0;
}

static void *s_dealer(void *ctx, const char *endpoint);

/* Sends a command once the connection is up, then closes without reading the
 * reply: to the daemon, a client whose reply was lost. */
static int s_vanish(void *ctx, const char *endpoint, const char *command, const char *request_id,
                    const char *json_text)
{
    const as_command_info_t *info = as_catalog_command(command);
    json_t *json = json_loads(json_text, 0, NULL);
    ProtobufCMessage *msg = NULL;
    char err[256];
    if (!info || !info->request || !json ||
        as_pbjson_from_json(info->request, json, &msg, err, sizeof err) != 0) {
        fprintf(stderr, "astest_frames: bad command or payload\n");
        json_decref(json);
        return 65;
    }
    json_decref(json);
    uint8_t payload[4096];
    size_t payload_len = protobuf_c_message_pack(msg, payload);
    protobuf_c_message_free_unpacked(msg, NULL);
    As__CommandRequest req = AS__COMMAND_REQUEST__INIT;
    req.request_id = (char *)request_id;
    req.actor = "tester";
    req.command = (char *)command;
    req.has_payload = 1;
    req.payload.data = payload;
    req.payload.len = payload_len;
    uint8_t body[8192];
    size_t len = as__command_request__pack(&req, body);
    void *sock = s_dealer(ctx, endpoint);
    /* a status round trip first: the connection is up before the command goes */
    zmq_send(sock, "status", 6, ZMQ_SNDMORE);
    zmq_send(sock, "", 0, 0);
    if (s_print_answer(sock) != 0)
        return 3;
    int linger = 2000;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_send(sock, "cmd", 3, ZMQ_SNDMORE);
    zmq_send(sock, body, len, 0);
    zmq_close(sock);
    return 0;
}

static void *s_dealer(void *ctx, const char *endpoint)
{
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(sock, endpoint);
    return sock;
}

/* Makes `sock` a CURVE client of the forwarder at `endpoint` when $AS_CONFIG
 * turns CURVE on; exits 78 when it cannot. */
static void s_secure_publisher(void *sock, const char *endpoint)
{
    const char *path = getenv("AS_CONFIG");
    if (!path || !*path)
        return;
    char *why = NULL;
    as_config_t *cfg = as_config_load(path, &why);
    if (!cfg) {
        fprintf(stderr, "astest_frames: %s\n", why ? why : path);
        exit(78);
    }
    int err = 0;
    as_security_t *security = as_security_new(cfg, "astest", &err);
    if (!security || as_security_client(security, sock, endpoint, "bus") != 0) {
        fprintf(stderr, "astest_frames: cannot secure the publisher: %s\n", as_strerror(err));
        exit(78);
    }
    as_security_destroy(&security);
    as_config_destroy(&cfg);
}

/* Receives one frame of `sock` into `msg` (initialised here; the caller
 * closes it) if one comes by `deadline_us`; its size, or -1 when none came. */
static int s_recv_by(void *sock, int64_t deadline_us, zmq_msg_t *msg)
{
    zmq_msg_init(msg);
    for (int64_t left = (deadline_us - as_now_us()) / 1000; left > 0;
         left = (deadline_us - as_now_us()) / 1000) {
        zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, (long)left) > 0)
            return zmq_msg_recv(msg, sock, 0);
    }
    return -1;
}

/* Waits up to `timeout_ms` until the socket `monitor` watches has greeted
 * its peer; true when it has. */
static bool s_handshake_done(void *monitor, int timeout_ms)
{
    int64_t deadline = as_now_us() + (int64_t)timeout_ms * 1000;
    zmq_msg_t frame;
    while (s_recv_by(monitor, deadline, &frame) >= 0) {
        uint16_t event = 0; /* [event, value][endpoint] */
        if (zmq_msg_size(&frame) >= sizeof event)
            memcpy(&event, zmq_msg_data(&frame), sizeof event);
        bool more = zmq_msg_more(&frame);
        zmq_msg_close(&frame);
        if (more) { /* the event's second frame: the endpoint */
            s_recv_by(monitor, deadline, &frame);
            zmq_msg_close(&frame);
        }
        if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
            return true;
    }
    zmq_msg_close(&frame);
    return false;
}

/* A publisher of `topic` connected to the forwarder's XSUB at `endpoint`,
 * returned once what it sends will reach the subscribers: an XPUB (a PUB
 * that shows what it is subscribed to) reads the subscriptions the
 * forwarder passes on (all of them at once, once it has taken the
 * connection) until one is a prefix of `topic`.
 *
 * On a loaded machine the forwarder, another process, may take a while to
 * accept and greet, so the time allowed starts once the connection is
 * greeted (up to S_CONNECT_MS for that): S_FIRST_MS for the forwarder's
 * first subscription, then S_JOIN_MS for one that matches. A topic nobody
 * follows is then sent anyway and dropped by the forwarder's filter, as it
 * would have been. A NULL topic always waits S_JOIN_MS after the first
 * subscription: a heartbeat is for whoever is joining the bus too (a tap a
 * test has just started in the background, which no subscription that came
 * already stands for). A forwarder that never greets is reported on stderr.
 * (The window used to start at the connect, so on a loaded CI machine an
 * event could be sent before the forwarder's subscriptions came, and was
 * dropped: a fake source has no endpoint to replay it from.) */
#define S_CONNECT_MS 15000
#define S_FIRST_MS 2000
#define S_JOIN_MS 500
static void *s_publisher(void *ctx, const char *endpoint, const char *topic)
{
    void *sock = zmq_socket(ctx, ZMQ_XPUB);
    int linger = 2000;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    s_secure_publisher(sock, endpoint);
    char monitor_ep[64];
    snprintf(monitor_ep, sizeof monitor_ep, "inproc://publisher-monitor-%p", sock);
    zmq_socket_monitor(sock, monitor_ep, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    void *monitor = zmq_socket(ctx, ZMQ_PAIR);
    zmq_connect(monitor, monitor_ep);
    zmq_connect(sock, endpoint);
    bool greeted = s_handshake_done(monitor, S_CONNECT_MS);
    zmq_socket_monitor(sock, NULL, 0);
    zmq_close(monitor);
    if (!greeted) {
        fprintf(stderr, "astest_frames: the forwarder at %s did not take the connection in %d ms\n",
                endpoint, S_CONNECT_MS);
        return sock;
    }
    size_t topic_len = topic ? strlen(topic) : 0;
    int64_t deadline = as_now_us() + (int64_t)S_FIRST_MS * 1000;
    bool first = true;
    zmq_msg_t sub;
    for (int n; (n = s_recv_by(sock, deadline, &sub)) >= 0; zmq_msg_close(&sub)) {
        const unsigned char *data = zmq_msg_data(&sub);
        if (topic && n >= 1 && data[0] == 1 && (size_t)n - 1 <= topic_len &&
            memcmp(data + 1, topic, (size_t)n - 1) == 0)
            break;
        if (first) {
            first = false;
            deadline = as_now_us() + (int64_t)S_JOIN_MS * 1000;
        }
    }
    zmq_msg_close(&sub);
    return sock;
}

/* Publishes one envelope; args are XSUB SOURCE INCARNATION SEQ TYPE. */
static void s_publish_event(void *ctx, char **args, const uint8_t *payload, size_t payload_len)
{
    As__Envelope env = AS__ENVELOPE__INIT;
    char id[AS_UUID_LEN + 1];
    as_uuidv7(id);
    env.id = id;
    env.source = args[1];
    env.incarnation = args[2];
    env.has_seq = 1;
    env.seq = strtoull(args[3], NULL, 10);
    env.type = args[4];
    env.has_time_us = 1;
    env.time_us = as_now_us();
    if (payload) {
        env.has_payload = 1;
        env.payload.data = (uint8_t *)payload;
        env.payload.len = payload_len;
    }
    size_t len = as__envelope__get_packed_size(&env);
    uint8_t *body = malloc(len);
    as__envelope__pack(&env, body);
    /* under its topic "<site>/<type>" (a source without a site: the type) */
    char topic[AS_TOPIC_MAX + 1];
    if (!as_topic_make(env.source, env.type, topic, sizeof topic))
        snprintf(topic, sizeof topic, "%s", env.type);
    void *sock = s_publisher(ctx, args[0], topic);
    zmq_send(sock, topic, strlen(topic), ZMQ_SNDMORE);
    zmq_send(sock, body, len, 0);
    zmq_close(sock);
    free(body);
}

/* Builds TYPE's payload from JSON with the catalog's descriptor and publishes
 * it; 65 when the type is unknown or the JSON does not fit the message. */
static int s_event_json(void *ctx, char **args, const char *json_text)
{
    const as_event_info_t *info = as_catalog_event(args[4]);
    if (!info || !info->payload) {
        fprintf(stderr, "astest_frames: event type '%s' is unknown or has no payload\n", args[4]);
        return 65;
    }
    json_error_t jerr;
    json_t *json = json_loads(json_text, 0, &jerr);
    if (!json) {
        fprintf(stderr, "astest_frames: payload is not JSON: %s\n", jerr.text);
        return 65;
    }
    ProtobufCMessage *msg = NULL;
    char err[256];
    int rc = as_pbjson_from_json(info->payload, json, &msg, err, sizeof err);
    json_decref(json);
    if (rc != 0) {
        fprintf(stderr, "astest_frames: payload for '%s': %s\n", args[4], err);
        return 65;
    }
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *payload = malloc(len + 1);
    protobuf_c_message_pack(msg, payload);
    protobuf_c_message_free_unpacked(msg, NULL);
    s_publish_event(ctx, args, payload, len);
    free(payload);
    return 0;
}

/* Publishes one heartbeat; args are XSUB SOURCE INCARNATION LAST_SEQ ENDPOINT BEST_EFFORT. */
static void s_heartbeat(void *ctx, char **args)
{
    As__Heartbeat hb = AS__HEARTBEAT__INIT;
    hb.source = args[1];
    hb.incarnation = args[2];
    hb.has_last_seq = 1;
    hb.last_seq = strtoull(args[3], NULL, 10);
    hb.endpoint = strcmp(args[4], "-") ? args[4] : NULL;
    hb.has_best_effort = 1;
    hb.best_effort = strcmp(args[5], "1") == 0;
    hb.has_time_us = 1;
    hb.time_us = as_now_us();
    size_t len = as__heartbeat__get_packed_size(&hb);
    uint8_t *body = malloc(len + 1);
    as__heartbeat__pack(&hb, body);
    char topic[AS_TOPIC_MAX + 1], rest[AS_NAME_MAX + sizeof AS_HEARTBEAT_SUFFIX];
    char domain[AS_NAME_MAX + 1];
    if (!as_domain_of(hb.source, domain, sizeof domain))
        snprintf(domain, sizeof domain, "%s", hb.source);
    snprintf(rest, sizeof rest, "%s%s", domain, AS_HEARTBEAT_SUFFIX);
    /* "<site>/<domain>.heartbeat" (a source without a site: the rest) */
    size_t n = as_topic_make(hb.source, rest, topic, sizeof topic);
    if (n == 0)
        n = (size_t)snprintf(topic, sizeof topic, "%s", rest);
    void *sock = s_publisher(ctx, args[0], NULL);
    zmq_send(sock, topic, n, ZMQ_SNDMORE);
    zmq_send(sock, body, len, 0);
    zmq_close(sock);
    free(body);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: see the comment at the top of astest_frames.c\n");
        return 64;
    }
    void *ctx = zmq_ctx_new();
    int rc = 0;
    if (!strcmp(argv[1], "command") && argc >= 4) {
        size_t pad = argc >= 5 ? strtoul(argv[4], NULL, 10) : 0;
        As__CommandRequest req = AS__COMMAND_REQUEST__INIT;
        char id[AS_UUID_LEN + 1];
        as_uuidv7(id);
        req.request_id = id;
        req.actor = "tester";
        req.command = argv[3];
        uint8_t *payload = calloc(1, pad + 1);
        if (pad) {
            req.has_payload = 1;
            req.payload.data = payload;
            req.payload.len = pad;
        }
        size_t len = as__command_request__get_packed_size(&req);
        uint8_t *body = malloc(len);
        as__command_request__pack(&req, body);
        void *sock = s_dealer(ctx, argv[2]);
        zmq_send(sock, "cmd", 3, ZMQ_SNDMORE);
        zmq_send(sock, body, len, 0);
        rc = s_print_answer(sock);
        zmq_close(sock);
        free(body);
        free(payload);
    } else if (!strcmp(argv[1], "raw") && argc >= 4) {
        void *sock = s_dealer(ctx, argv[2]);
        for (int i = 3; i < argc; i++) {
            const char *f = strcmp(argv[i], "-") ? argv[i] : "";
            zmq_send(sock, f, strlen(f), i + 1 < argc ? ZMQ_SNDMORE : 0);
        }
        rc = s_print_answer(sock);
        zmq_close(sock);
    } else if (!strcmp(argv[1], "publish") && argc == 5) {
        void *sock = s_publisher(ctx, argv[2], argv[3]);
        size_t len = strlen(argv[4]);
        char *body = argv[4];
        if (body[0] == '@') {
            len = strtoul(body + 1, NULL, 10);
            body = malloc(len + 1);
            memset(body, 'x', len);
        }
        zmq_send(sock, argv[3], strlen(argv[3]), ZMQ_SNDMORE);
        zmq_send(sock, body, len, 0);
        zmq_close(sock);
        if (body != argv[4])
            free(body);
    } else if (!strcmp(argv[1], "vanish") && argc == 6) {
        rc = s_vanish(ctx, argv[2], argv[3], argv[4], argv[5]);
    } else if (!strcmp(argv[1], "event") && argc == 7) {
        s_publish_event(ctx, argv + 2, NULL, 0);
    } else if (!strcmp(argv[1], "event-json") && argc == 8) {
        rc = s_event_json(ctx, argv + 2, argv[7]);
    } else if (!strcmp(argv[1], "heartbeat") && argc == 8) {
        s_heartbeat(ctx, argv + 2);
    } else {
        fprintf(stderr, "astest_frames: bad arguments\n");
        rc = 64;
    }
    zmq_ctx_term(ctx);
    return rc;
}
