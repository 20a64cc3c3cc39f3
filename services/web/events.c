/* events.c — the services' events pushed to open pages as Server-Sent Events.
 *
 * The gateway follows the services ([web] follows, as the tap does); after
 * each applied event commits, on_applied formats it once as JSON and appends
 * it to every open stream whose member may see its domain (the table below:
 * a role sees the domains of its daily work; the service manager and IT see
 * all). Each stream keeps what waits while h2o sends the previous chunk; a
 * page that reads nothing while 1 MB waits is ended (it reconnects and reads
 * the state again). A comment line every keepalive_ms (5 s) keeps proxies
 * and the browser from closing an idle stream, and shows the gateway a page
 * that has gone: h2o does not read a connection while it streams, so a page
 * closed is seen when a write fails, at the second comment line after. */
#include "web.h"

#include <stdio.h>
#include <string.h>

#include "as/catalog.h"
#include "as/pbjson.h"
#include "as/staff.h"

#define S_PENDING_MAX (1024 * 1024)

struct web_stream {
    web_stream_t *next;
    web_t *web;
    h2o_req_t *req;
    h2o_generator_t gen;
    unsigned roles;
    char *sending; /* the chunk h2o is sending */
    char *pending; /* what waits for it */
    size_t pending_len, pending_cap;
    bool busy;   /* a chunk is out: wait for proceed */
    bool ending; /* end the response at the next chance */
};

/* Which events each role sees: whole domains ("workshop"), or one entity
 * of a domain ("kpi.roster": kpi.roster.planned and .cleared, not the
 * department's expenses or targets). */
static const struct {
    unsigned roles;
    const char *domains; /* space-separated domains or domain.entity; "*" every event */
} s_visibility[] = {
    {AS_ROLE_SERVICE_MANAGER | AS_ROLE_IT_ADMIN, "*"},
    {AS_ROLE_FRONT_DESK_MANAGER | AS_ROLE_ADVISOR | AS_ROLE_INFO_CLERK,
     "reception workshop parts warranty crm"},
    {AS_ROLE_FOREMAN | AS_ROLE_TECHNICIAN | AS_ROLE_QC_INSPECTOR, "workshop tools reception"},
    {AS_ROLE_PARTS_MANAGER | AS_ROLE_WAREHOUSE_KEEPER, "parts workshop"},
    {AS_ROLE_WARRANTY_CLERK, "warranty workshop reception oem"},
    {AS_ROLE_TOOL_ADMIN, "tools workshop"},
    /* issue 15: the monthly reports the clerk submits (kpi.monthly.*) */
    {AS_ROLE_INFO_CLERK, "kpi"},
    /* the roster (staff.html, live): who plans it and who works it */
    {AS_ROLE_FOREMAN | AS_ROLE_TECHNICIAN | AS_ROLE_QC_INSPECTOR | AS_ROLE_PARTS_MANAGER |
         AS_ROLE_WAREHOUSE_KEEPER | AS_ROLE_FRONT_DESK_MANAGER | AS_ROLE_ADVISOR,
     "kpi.roster"},
};

/* True when `type` is `word`'s domain or entity: the word, then a '.' */
static bool s_covers(const char *word, size_t n, const char *type)
{
    return strncmp(word, type, n) == 0 && type[n] == '.';
}

bool web_events_visible(unsigned roles, const char *type)
{
    for (size_t i = 0; i < sizeof s_visibility / sizeof s_visibility[0]; i++) {
        if (!(roles & s_visibility[i].roles))
            continue;
        const char *d = s_visibility[i].domains;
        if (strcmp(d, "*") == 0)
            return true;
        for (const char *word = d; *word;) { /* each space-separated domain */
            size_t n = strcspn(word, " ");
            if (s_covers(word, n, type))
                return true;
            word += n + (word[n] == ' ');
        }
    }
    return false;
}

/* --- one stream ----------------------------------------------------------- */

static void s_send_next(web_stream_t *s)
{
    if (s->busy || !s->req)
        return;
    if (s->pending_len == 0 && !s->ending)
        return;
    free(s->sending);
    s->sending = s->pending;
    h2o_iovec_t buf = h2o_iovec_init(s->sending, s->pending_len);
    s->pending = NULL;
    s->pending_len = s->pending_cap = 0;
    s->busy = !s->ending;
    h2o_send(s->req, &buf, buf.len ? 1 : 0,
             s->ending ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
    if (s->ending)
        s->req = NULL; /* done: h2o frees it */
}

static void s_proceed(h2o_generator_t *gen, h2o_req_t *req)
{
    (void)req;
    web_stream_t *s = H2O_STRUCT_FROM_MEMBER(web_stream_t, gen, gen);
    s->busy = false;
    s_send_next(s);
}

static void s_stop(h2o_generator_t *gen, h2o_req_t *req)
{
    (void)req;
    web_stream_t *s = H2O_STRUCT_FROM_MEMBER(web_stream_t, gen, gen);
    s->req = NULL;
}

static void s_append(web_stream_t *s, const char *text, size_t len)
{
    if (!s->req || s->ending)
        return;
    if (s->pending_len + len > S_PENDING_MAX) {
        s->ending = true; /* a page that does not read */
        s_send_next(s);
        return;
    }
    if (s->pending_len + len > s->pending_cap) {
        size_t cap = (s->pending_len + len) * 2;
        char *p = realloc(s->pending, cap);
        if (!p)
            return;
        s->pending = p;
        s->pending_cap = cap;
    }
    memcpy(s->pending + s->pending_len, text, len);
    s->pending_len += len;
    s_send_next(s);
}

/* The request is freed: take the stream off the list. */
static void s_dispose(void *p)
{
    web_stream_t *s = p;
    for (web_stream_t **at = &s->web->streams; *at; at = &(*at)->next)
        if (*at == s) {
            *at = s->next;
            break;
        }
    free(s->sending);
    free(s->pending);
}

void web_events_open(web_t *web, h2o_req_t *req, const web_member_t *member)
{
    web_stream_t *s = h2o_mem_alloc_shared(&req->pool, sizeof *s, s_dispose);
    memset(s, 0, sizeof *s);
    s->web = web;
    s->req = req;
    s->roles = member->roles;
    s->gen.proceed = s_proceed;
    s->gen.stop = s_stop;
    s->next = web->streams;
    web->streams = s;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("text/event-stream; charset=utf-8"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("no-store"));
    h2o_start_response(req, &s->gen);
    static const char hello[] = "retry: 2000\n: events of your roles follow\n\n";
    s_append(s, hello, sizeof hello - 1);
}

/* --- pushing -------------------------------------------------------------- */

/* The event as one SSE message: "id: source:seq\ndata: {json}\n\n" (malloc'd). */
static char *s_format(const As__Envelope *env, size_t *len)
{
    json_t *e = json_pack("{s:s, s:s, s:I, s:s, s:s, s:I}", "type", env->type, "source",
                          env->source ? env->source : "", "seq", (json_int_t)env->seq, "subject",
                          env->subject ? env->subject : "", "actor", env->actor ? env->actor : "",
                          "time_us", (json_int_t)env->time_us);
    if (!e)
        return NULL;
    if (env->via && *env->via)
        json_object_set_new(e, "via", json_string(env->via));
    if (env->has_occurred_us)
        json_object_set_new(e, "occurred_us", json_integer(env->occurred_us));
    const as_event_info_t *info = as_catalog_event(env->type);
    if (info && info->payload && env->has_payload) {
        ProtobufCMessage *msg =
            protobuf_c_message_unpack(info->payload, NULL, env->payload.len, env->payload.data);
        if (msg) {
            json_t *payload = as_pbjson_to_json(msg);
            if (payload)
                json_object_set_new(e, "payload", payload);
            protobuf_c_message_free_unpacked(msg, NULL);
        }
    }
    char *data = json_dumps(e, JSON_COMPACT); /* no newline inside: one data line */
    json_decref(e);
    if (!data)
        return NULL;
    size_t cap = strlen(data) + strlen(env->source ? env->source : "") + 64;
    char *out = malloc(cap);
    if (out)
        *len = (size_t)snprintf(out, cap, "id: %s:%llu\ndata: %s\n\n",
                                env->source ? env->source : "", (unsigned long long)env->seq, data);
    free(data);
    return out;
}

void web_events_push(as_service_t *svc, const As__Envelope *env)
{
    web_t *web = as_service_user(svc);
    if (!web->streams || !env->type)
        return;
    char *text = NULL;
    size_t len = 0;
    for (web_stream_t *s = web->streams; s; s = s->next) {
        if (!web_events_visible(s->roles, env->type))
            continue;
        if (!text && !(text = s_format(env, &len)))
            return;
        s_append(s, text, len);
        web->events_pushed++;
    }
    free(text);
}

void web_events_tick(web_t *web)
{
    static const char ping[] = ": keep-alive\n\n";
    if (++web->stream_ticks % web->set.keepalive_ticks != 0)
        return;
    for (web_stream_t *s = web->streams; s; s = s->next)
        s_append(s, ping, sizeof ping - 1);
}

void web_events_close_all(web_t *web)
{
    for (web_stream_t *s = web->streams; s; s = s->next) {
        s->ending = true;
        s_send_next(s);
    }
}
