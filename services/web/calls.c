/* calls.c — commands forwarded to the services as the signed-in member.
 *
 * The gateway holds the member's roles to the catalog's roles of the command
 * (the same the service checks again) and sends an ordinary CommandRequest:
 * the member as actor (over CURVE the service records the gateway as `via`),
 * the page's Idempotency-Key as request id, so a browser retry is answered
 * from the service's stored reply and never done twice.
 *
 * Up to `inflight_per_service` commands in flight per service: a small pool
 * of async clients (rpc.h, on the loop) per service, opened as the load needs
 * them, each with one command in flight (the Lazy Pirate client matches an
 * answer to its one request); the other calls wait in order for a free
 * client. A command without an answer within call_timeout_ms makes the
 * service unavailable since that command was sent: its caller, the callers
 * of the other commands in flight and every waiting one get 503 naming the
 * service and the time, later calls get it at once, and each client keeps
 * sending its unanswered command again (same request id, so it is done at
 * most once) until the service answers; then it is up again.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "as/catalog.h"
#include "as/config.h"
#include "as/error.h"
#include "as/log.h"
#include "as/pbjson.h"
#include "as/rpc.h"
#include "as/staff.h"

#define S_KEY_MIN 8
#define S_KEY_MAX 100

typedef struct s_call s_call_t;
struct s_call {
    s_call_t *next;
    h2o_req_t *req; /* NULL once answered or gone */
    web_req_link_t *link;
    const as_command_info_t *info;
    uint8_t *frame; /* the packed CommandRequest */
    size_t frame_len;
    int64_t sent_us; /* first sent */
    int64_t try_us;  /* last sent (a resend after a time-out) */
};

/* One client of a service's pool and the command it has in flight. */
typedef struct s_slot {
    web_backend_t *b;
    as_rpc_client_t *client;
    s_call_t *call; /* NULL: free */
} s_slot_t;

struct web_backend {
    char name[64];
    char endpoint[512];
    web_t *web;
    s_slot_t *slots; /* [max_slots], the first n_slots open */
    size_t n_slots, max_slots;
    size_t in_flight, peak_in_flight;
    s_call_t *head, *tail; /* waiting, in order */
    int64_t down_since_us; /* 0: up */
};

static void s_call_free(s_call_t *call)
{
    if (call->req)
        web_req_unlink(call->link);
    free(call->frame);
    free(call);
}

/* The call's request, which the caller answers now: no longer linked. */
static h2o_req_t *s_take_req(s_call_t *call)
{
    h2o_req_t *req = call->req;
    if (req)
        web_req_unlink(call->link);
    call->req = NULL;
    return req;
}

static void s_since_text(int64_t us, char *out, size_t cap)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
}

/* 503: the service has not answered since `since_us`. A command `sent` is
 * resent by its client until the service answers (same request id: done at
 * most once), so it may yet be done; one not sent is not done. Either way a
 * retry with the same Idempotency-Key is safe. */
static void s_reply_unavailable(h2o_req_t *req, const web_backend_t *b, bool sent)
{
    char since[40];
    s_since_text(b->down_since_us, since, sizeof since);
    json_t *body = json_pack("{s:s, s:s, s:I}", "service", b->name, "unavailable_since", since,
                             "since_us", (json_int_t)b->down_since_us);
    char text[240];
    snprintf(text, sizeof text, "the %s service is unavailable since %s: %s", b->name, since,
             sent ? "not done yet; the gateway retries it, and retrying is safe"
                  : "not sent, so not done; retrying is safe");
    json_object_set_new(body, "error", json_string(text));
    web_reply_json(req, 503, body);
}

/* --- answers -------------------------------------------------------------- */

static int s_http_status(int code)
{
    switch (code) {
    case 0:
        return 200;
    case AS_EDENIED:
        return 403;
    case AS_ENOTFOUND:
    case AS_EUNKNOWN:
        return 404;
    case AS_EEXISTS:
        return 409;
    case AS_ETIMEOUT:
        return 503;
    default:
        return 422;
    }
}

/* The reply's payload as JSON by the catalog's reply message (null: none). */
static json_t *s_reply_payload(const as_command_info_t *info, const As__CommandReply *r)
{
    if (!info->reply || !r->has_payload)
        return json_null();
    ProtobufCMessage *msg =
        protobuf_c_message_unpack(info->reply, NULL, r->payload.len, r->payload.data);
    if (!msg)
        return json_string("(the reply does not decode)");
    json_t *json = as_pbjson_to_json(msg);
    protobuf_c_message_free_unpacked(msg, NULL);
    return json ? json : json_null();
}

static void s_answer(h2o_req_t *req, s_call_t *call, const void *body, size_t len)
{
    As__CommandReply *r = as__command_reply__unpack(NULL, len, body);
    if (!r) {
        web_reply_error(req, 502, "the %s service's reply does not decode", call->info->service);
        return;
    }
    char code[40] = "";
    int status = r->has_status ? r->status : 0;
    json_t *out = json_pack("{s:s, s:b}", "request_id", r->request_id ? r->request_id : "",
                            "replayed", r->has_replayed && r->replayed);
    if (status == 0)
        json_object_set_new(out, "reply", s_reply_payload(call->info, r));
    else {
        json_object_set_new(out, "error", json_string(r->error ? r->error : as_strerror(status)));
        json_object_set_new(out, "code", json_string(as_codename(status, code, sizeof code)));
        json_object_set_new(out, "service", json_string(call->info->service));
        if (r->error_format) { /* for the page to say it in its language */
            json_t *args = json_array();
            json_t *format = json_string(r->error_format);
            int rc = args && format ? 0 : -1;
            for (size_t i = 0; rc == 0 && i < r->n_error_args; i++)
                rc = json_array_append_new(args, json_string(r->error_args[i])); /* -1: not UTF-8 */
            if (rc == 0) {
                json_object_set_new(out, "format", format);
                json_object_set_new(out, "args", args);
            } else {
                json_decref(format);
                json_decref(args);
            }
        }
    }
    as__command_reply__free_unpacked(r, NULL);
    web_reply_json(req, s_http_status(status), out);
}

static void s_on_answer(as_rpc_client_t *client, int status, const void *body, size_t len,
                        void *arg);

/* Opens the pool's next client. Returns 0 or -errno. */
static int s_slot_open(web_backend_t *b)
{
    web_t *web = b->web;
    s_slot_t *slot = &b->slots[b->n_slots];
    int rc = -ENOMEM;
    slot->b = b;
    slot->client = as_rpc_client_new(as_service_zmq_context(web->svc), b->endpoint,
                                     as_service_security(web->svc), b->name, &rc);
    if (slot->client)
        rc = as_rpc_client_watch(slot->client, as_service_loop(web->svc), 0, s_on_answer, slot);
    if (rc != 0) {
        as_rpc_client_destroy(&slot->client);
        return rc;
    }
    b->n_slots++;
    return 0;
}

/* A client without a command in flight (opening one more while the pool
 * may grow), or NULL when all are busy. */
static s_slot_t *s_free_slot(web_backend_t *b)
{
    for (size_t i = 0; i < b->n_slots; i++)
        if (!b->slots[i].call)
            return &b->slots[i];
    if (b->n_slots == b->max_slots)
        return NULL;
    int rc = s_slot_open(b);
    if (rc != 0) {
        as_warn("web: cannot open another client to the %s service: %s", b->name, as_strerror(rc));
        return NULL;
    }
    return &b->slots[b->n_slots - 1];
}

static void s_pump(web_backend_t *b)
{
    while (b->head) {
        s_slot_t *slot = s_free_slot(b);
        if (!slot)
            return;
        s_call_t *call = b->head;
        b->head = call->next;
        if (!b->head)
            b->tail = NULL;
        if (!call->req) { /* its page went away before it was sent */
            s_call_free(call);
            continue;
        }
        int rc = as_rpc_client_send(slot->client, "cmd", call->frame, call->frame_len,
                                    (int)(b->web->set.call_timeout_us / 1000));
        if (rc != 0) {
            web_reply_error(s_take_req(call), 503, "cannot send to the %s service: %s", b->name,
                            as_strerror(rc));
            s_call_free(call);
            continue;
        }
        call->sent_us = call->try_us = as_now_us();
        slot->call = call;
        if (++b->in_flight > b->peak_in_flight)
            b->peak_in_flight = b->in_flight;
    }
}

static void s_on_answer(as_rpc_client_t *client, int status, const void *body, size_t len,
                        void *arg)
{
    (void)client;
    s_slot_t *slot = arg;
    web_backend_t *b = slot->b;
    s_call_t *call = slot->call;
    if (status == AS_EINVALID || !call)
        return; /* no answer to anything in flight */
    slot->call = NULL;
    b->in_flight--;
    if (b->down_since_us)
        as_info("web: the %s service answers again", b->name);
    b->down_since_us = 0;
    h2o_req_t *req = s_take_req(call);
    if (req) {
        if (status == 0)
            s_answer(req, call, body, len);
        else
            web_reply_error(req, 502, "the %s service refused the request: %.*s", b->name,
                            (int)(len > 300 ? 300 : len), (const char *)body);
    }
    s_call_free(call);
    s_pump(b);
}

/* --- backends ------------------------------------------------------------- */

static web_backend_t *s_backend(web_t *web, const char *service, h2o_req_t *req)
{
    for (size_t i = 0; i < web->n_backends; i++)
        if (strcmp(web->backends[i]->name, service) == 0)
            return web->backends[i];
    as_config_t *cfg = as_service_config(web->svc);
    const char *endpoint = as_config_get(cfg, service, "endpoint", NULL);
    if (!endpoint || web->n_backends == WEB_MAX_BACKENDS) {
        web_reply_error(req, 503, "the %s service has no endpoint in the site's config", service);
        return NULL;
    }
    web_backend_t *b = calloc(1, sizeof *b);
    size_t max_slots = web->set.inflight_per_service ? web->set.inflight_per_service : 1;
    int rc = -ENOMEM;
    if (b && (b->slots = calloc(max_slots, sizeof *b->slots)) != NULL) {
        snprintf(b->name, sizeof b->name, "%s", service);
        snprintf(b->endpoint, sizeof b->endpoint, "%s", endpoint);
        b->web = web;
        b->max_slots = max_slots;
        rc = s_slot_open(b); /* the first at once: a bad endpoint is said now */
    }
    if (rc != 0) {
        web_reply_error(req, 503, "cannot reach the %s service at %s: %s", service, endpoint,
                        as_strerror(rc));
        if (b)
            free(b->slots);
        free(b);
        return NULL;
    }
    web->backends[web->n_backends++] = b;
    return b;
}

int web_calls_start(web_t *web)
{
    (void)web; /* clients open on first use */
    return 0;
}

void web_calls_stop(web_t *web)
{
    for (size_t i = 0; i < web->n_backends; i++) {
        web_backend_t *b = web->backends[i];
        while (b->head) {
            s_call_t *next = b->head->next;
            s_call_free(b->head);
            b->head = next;
        }
        for (size_t k = 0; k < b->n_slots; k++) {
            if (b->slots[k].call)
                s_call_free(b->slots[k].call);
            as_rpc_client_destroy(&b->slots[k].client);
        }
        free(b->slots);
        free(b);
    }
    web->n_backends = 0;
}

/* The waiting calls of a service that stopped answering get 503 now. */
static void s_fail_waiting(web_backend_t *b)
{
    for (s_call_t *call = b->head, *next; call; call = next) {
        next = call->next;
        h2o_req_t *req = s_take_req(call);
        if (req)
            s_reply_unavailable(req, b, false);
        s_call_free(call);
    }
    b->head = b->tail = NULL;
}

void web_calls_tick(web_t *web, int64_t now_us)
{
    int64_t timeout = web->set.call_timeout_us;
    for (size_t i = 0; i < web->n_backends; i++) {
        web_backend_t *b = web->backends[i];
        const s_call_t *oldest = NULL; /* the earliest try past the time-out */
        for (size_t k = 0; k < b->n_slots; k++) {
            const s_call_t *call = b->slots[k].call;
            if (call && now_us - call->try_us >= timeout &&
                (!oldest || call->try_us < oldest->try_us))
                oldest = call;
        }
        if (!oldest)
            continue;
        if (!b->down_since_us) {
            b->down_since_us = oldest->try_us;
            as_warn("web: the %s service has not answered %s for %lld ms", b->name,
                    oldest->info->command, (long long)(timeout / 1000));
        }
        for (size_t k = 0; k < b->n_slots; k++) { /* every caller in flight gets 503 */
            s_call_t *call = b->slots[k].call;
            h2o_req_t *req = call ? s_take_req(call) : NULL;
            if (req)
                s_reply_unavailable(req, b, true);
        }
        s_fail_waiting(b);
        for (size_t k = 0; k < b->n_slots; k++) { /* each sends its command again */
            s_call_t *call = b->slots[k].call;
            if (call && now_us - call->try_us >= timeout &&
                as_rpc_client_expire(b->slots[k].client, now_us))
                call->try_us = as_now_us();
        }
    }
}

void web_status(web_t *web, h2o_req_t *req)
{
    json_t *list = json_array();
    for (size_t i = 0; i < web->n_backends; i++) {
        const web_backend_t *b = web->backends[i];
        json_t *one =
            json_pack("{s:s, s:b, s:I, s:I, s:I}", "service", b->name, "up", !b->down_since_us,
                      "in_flight", (json_int_t)b->in_flight, "peak_in_flight",
                      (json_int_t)b->peak_in_flight, "clients", (json_int_t)b->n_slots);
        if (b->down_since_us) {
            char since[40];
            s_since_text(b->down_since_us, since, sizeof since);
            json_object_set_new(one, "unavailable_since", json_string(since));
            json_object_set_new(one, "since_us", json_integer(b->down_since_us));
        }
        json_array_append_new(list, one);
    }
    web_reply_json(req, 200,
                   json_pack("{s:o, s:I}", "services", list, "connections",
                             (json_int_t)web->connections)); /* this one included */
}

/* --- one call ------------------------------------------------------------- */

/* The request id: the page's Idempotency-Key (a change must have one; a
 * query without one gets a new id). False after answering 400. */
static bool s_request_id(h2o_req_t *req, const as_command_info_t *info, char *out, size_t cap)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("idempotency-key"), -1);
    if (i < 0 && info->query) {
        as_uuidv7(out);
        return true;
    }
    h2o_iovec_t v = i >= 0 ? req->headers.entries[i].value : h2o_iovec_init(NULL, 0);
    bool ok = v.len >= S_KEY_MIN && v.len <= S_KEY_MAX && v.len < cap;
    for (size_t k = 0; ok && k < v.len; k++)
        ok = (v.base[k] >= '0' && v.base[k] <= '9') || (v.base[k] >= 'a' && v.base[k] <= 'z') ||
             (v.base[k] >= 'A' && v.base[k] <= 'Z') || strchr("-_.:", v.base[k]);
    if (!ok) {
        web_reply_error(req, 400,
                        "%s changes something: it needs an Idempotency-Key header of 8 to 100 "
                        "letters, digits or -_.: (the same key on a retry)",
                        info->command);
        return false;
    }
    snprintf(out, cap, "%.*s", (int)v.len, v.base);
    return true;
}

/* The body as the command's request message, packed into *payload (malloc'd,
 * may be NULL for none). False after answering 400. */
static bool s_payload(web_t *web, h2o_req_t *req, const as_command_info_t *info, uint8_t **payload,
                      size_t *len)
{
    json_t *body = web_body_json(web, req);
    if (!body)
        return false;
    *payload = NULL;
    *len = 0;
    bool ok = true;
    if (!info->request) {
        if ((ok = json_object_size(body) == 0) == false)
            web_reply_error(req, 400, "%s takes no payload: send {}", info->command);
    } else {
        ProtobufCMessage *msg = NULL;
        char err[300];
        int rc = as_pbjson_from_json(info->request, body, &msg, err, sizeof err);
        if (rc != 0) {
            web_reply_error(req, 400, "%s: %s", info->command,
                            rc == -ENOMEM ? "out of memory" : err);
            ok = false;
        } else {
            *len = protobuf_c_message_get_packed_size(msg);
            *payload = malloc(*len ? *len : 1);
            if (*payload)
                protobuf_c_message_pack(msg, *payload);
            protobuf_c_message_free_unpacked(msg, NULL);
        }
    }
    json_decref(body);
    return ok;
}

static s_call_t *s_new_call(h2o_req_t *req, const as_command_info_t *info, const char *actor,
                            const char *request_id, uint8_t *payload, size_t len)
{
    As__CommandRequest cr = AS__COMMAND_REQUEST__INIT;
    cr.request_id = (char *)request_id;
    cr.actor = (char *)actor;
    cr.command = (char *)info->command;
    cr.has_payload = payload != NULL;
    cr.payload.data = payload;
    cr.payload.len = len;
    s_call_t *call = calloc(1, sizeof *call);
    if (!call)
        return NULL;
    call->info = info;
    call->frame_len = as__command_request__get_packed_size(&cr);
    call->frame = malloc(call->frame_len ? call->frame_len : 1);
    if (!call->frame) {
        free(call);
        return NULL;
    }
    as__command_request__pack(&cr, call->frame);
    call->link = web_req_link(req, &call->req);
    return call;
}

void web_call(web_t *web, h2o_req_t *req, const web_member_t *member, const char *command)
{
    const as_command_info_t *info = as_catalog_command(command);
    if (!info) {
        web_reply_error(req, 404, "unknown command '%s'", command);
        return;
    }
    if (info->roles && !(member->roles & info->roles)) {
        char roles[300], text[600];
        as_role_names(info->roles, roles, sizeof roles);
        const char *article = roles[0] && strchr("aeiou", roles[0]) ? "an" : "a";
        /* as_staff_require's words, with its format and arguments, so a page
         * words web's refusal from refusals.json like the daemon's */
        snprintf(text, sizeof text, "%s: '%s' is not %s %s", command, member->staff_id, article,
                 roles);
        web_reply_json(req, 403,
                       json_pack("{s:s, s:s, s:s, s:s, s:[ssss]}", "error", text, "code",
                                 "AS_EDENIED", "refused_by", "web", "format",
                                 "%s: '%s' is not %s %s", "args", command, member->staff_id,
                                 article, roles));
        return;
    }
    char request_id[S_KEY_MAX + 1];
    uint8_t *payload = NULL;
    size_t len = 0;
    if (!s_request_id(req, info, request_id, sizeof request_id) ||
        !s_payload(web, req, info, &payload, &len))
        return;
    web_backend_t *b = s_backend(web, info->service, req);
    s_call_t *call = b ? s_new_call(req, info, member->staff_id, request_id, payload, len) : NULL;
    free(payload);
    if (!b)
        return;
    if (!call) {
        web_reply_error(req, 503, "out of memory");
        return;
    }
    if (b->down_since_us) { /* still no answer to the command in flight */
        s_call_free(call);
        s_reply_unavailable(req, b, false);
        return;
    }
    if (b->tail)
        b->tail->next = call;
    else
        b->head = call;
    b->tail = call;
    s_pump(b);
}
