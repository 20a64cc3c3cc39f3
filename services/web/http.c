/* http.c — the HTTP side: libh2o on the service's libuv loop (no thread),
 * the pages from www_dir and the JSON API under /api:
 *   POST /api/signin             {staff_id, secret} -> session cookie, csrf
 *   POST /api/signout            ends the session
 *   GET  /api/me                 who is signed in, roles, csrf
 *   GET  /api/status             each service: up, or unavailable since when
 *   POST /api/call/<command>     the command's JSON payload -> its JSON reply
 *   GET  /api/events             Server-Sent Events of what the member may see
 * Every POST but the sign-in carries the session's CSRF token in the
 * X-CSRF-Token header. */
#include "web.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "as/error.h"
#include "as/log.h"

typedef struct {
    h2o_handler_t super;
    web_t *web;
} s_api_handler_t;

void web_reply_json(h2o_req_t *req, int status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    req->res.status = status;
    req->res.reason = status < 300 ? "OK" : "Refused";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/json; charset=utf-8"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("no-store"));
    h2o_iovec_t copy = h2o_strdup(&req->pool, text ? text : "{}", SIZE_MAX);
    free(text);
    h2o_send_inline(req, copy.base, copy.len);
}

void web_reply_error(h2o_req_t *req, int status, const char *fmt, ...)
{
    char text[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    web_reply_json(req, status, json_pack("{s:s}", "error", text));
}

json_t *web_body_json(web_t *web, h2o_req_t *req)
{
    if (req->entity.len > web->set.max_body) {
        web_reply_error(req, 413, "request body of %zu bytes exceeds the %zu-byte limit",
                        req->entity.len, web->set.max_body);
        return NULL;
    }
    json_error_t jerr;
    json_t *body = req->entity.len ? json_loadb(req->entity.base, req->entity.len,
                                                JSON_REJECT_DUPLICATES, &jerr)
                                   : json_object();
    if (!body) {
        web_reply_error(req, 400, "request body is not JSON: %s (column %d)", jerr.text,
                        jerr.column);
        return NULL;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        web_reply_error(req, 400, "request body must be a JSON object");
        return NULL;
    }
    return body;
}

static void s_on_req_gone(void *p)
{
    web_req_link_t *link = p;
    if (link->slot)
        *link->slot = NULL;
}

web_req_link_t *web_req_link(h2o_req_t *req, h2o_req_t **slot)
{
    web_req_link_t *link = h2o_mem_alloc_shared(&req->pool, sizeof *link, s_on_req_gone);
    link->slot = slot;
    *slot = req;
    return link;
}

void web_req_unlink(web_req_link_t *link)
{
    link->slot = NULL;
}

static bool s_is(h2o_iovec_t v, const char *text)
{
    return v.len == strlen(text) && memcmp(v.base, text, v.len) == 0;
}

/* The CSRF token of the X-CSRF-Token header equals the session's. */
static bool s_csrf_ok(h2o_req_t *req, const web_member_t *member)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-csrf-token"), -1);
    if (i < 0)
        return false;
    h2o_iovec_t v = req->headers.entries[i].value;
    size_t len = strlen(member->csrf);
    return v.len == len && sodium_memcmp(v.base, member->csrf, len) == 0;
}

/* The signed-in part of the API: a session, and on a POST its CSRF token. */
static void s_member_route(web_t *web, h2o_req_t *req, h2o_iovec_t path, bool post)
{
    web_member_t member;
    if (!web_session_find(web, req, &member)) {
        web_reply_error(req, 401, "not signed in (or the session has expired): sign in again");
        return;
    }
    if (post && !s_csrf_ok(req, &member)) {
        web_reply_error(req, 403, "the X-CSRF-Token header is missing or wrong: nothing was done");
        return;
    }
    static const char call[] = "/api/call/";
    if (post && s_is(path, "/api/signout"))
        web_signout(web, req, &member);
    else if (!post && s_is(path, "/api/me"))
        web_me(web, req, &member);
    else if (!post && s_is(path, "/api/events"))
        web_events_open(web, req, &member);
    else if (post && path.len > sizeof call - 1 && path.len < 200 &&
             memcmp(path.base, call, sizeof call - 1) == 0) {
        char command[200];
        snprintf(command, sizeof command, "%.*s", (int)(path.len - (sizeof call - 1)),
                 path.base + sizeof call - 1);
        web_call(web, req, &member, command);
    } else
        web_reply_error(req, 404, "no such API: %s %.*s", post ? "POST" : "GET",
                        (int)(path.len > 200 ? 200 : path.len), path.base);
}

static int s_on_api(h2o_handler_t *self, h2o_req_t *req)
{
    web_t *web = ((s_api_handler_t *)self)->web;
    h2o_iovec_t path = req->path_normalized;
    bool post = s_is(req->method, "POST");
    if (!post && !s_is(req->method, "GET")) {
        web_reply_error(req, 405, "method %.*s is not allowed: use GET or POST",
                        (int)(req->method.len > 16 ? 16 : req->method.len), req->method.base);
        return 0;
    }
    if (post && s_is(path, "/api/signin"))
        web_signin(web, req);
    else if (!post && s_is(path, "/api/status"))
        web_status(web, req);
    else
        s_member_route(web, req, path, post);
    return 0;
}

static void s_on_tick(uv_timer_t *timer)
{
    web_t *web = timer->data;
    int64_t now = as_now_us();
    web_calls_tick(web, now);
    web_events_tick(web);
    if (now - web->pruned_us > 600 * 1000000LL) {
        web->pruned_us = now;
        web_sessions_prune(web, now);
    }
}

/* One connection: counted, so the context is disposed only when none is open. */
typedef struct {
    uv_tcp_t tcp; /* first: h2o closes it as a uv handle */
    web_t *web;
} s_conn_t;

static void s_on_conn_closed(uv_handle_t *handle)
{
    s_conn_t *conn = (s_conn_t *)handle;
    conn->web->connections--;
    free(conn);
}

static void s_on_connection(uv_stream_t *listener, int status)
{
    web_t *web = listener->data;
    if (status != 0)
        return;
    s_conn_t *conn = malloc(sizeof *conn);
    if (!conn)
        return;
    conn->web = web;
    web->connections++;
    uv_tcp_init(listener->loop, &conn->tcp);
    if (uv_accept(listener, (uv_stream_t *)&conn->tcp) != 0) {
        uv_close((uv_handle_t *)&conn->tcp, s_on_conn_closed);
        return;
    }
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)&conn->tcp, s_on_conn_closed);
    h2o_accept(&web->accept_ctx, sock);
}

static int s_listen(web_t *web, uv_loop_t *loop)
{
    struct sockaddr_storage addr;
    int rc =
        strchr(web->set.listen_host, ':')
            ? uv_ip6_addr(web->set.listen_host, web->set.listen_port, (struct sockaddr_in6 *)&addr)
            : uv_ip4_addr(strcmp(web->set.listen_host, "localhost") == 0 ? "127.0.0.1"
                                                                         : web->set.listen_host,
                          web->set.listen_port, (struct sockaddr_in *)&addr);
    if (rc != 0) {
        as_error("config: [web] listen host '%s' is not an IP address", web->set.listen_host);
        return AS_ECONFIG;
    }
    uv_tcp_init(loop, &web->listener);
    web->listener.data = web;
    web->listening = true;
    if ((rc = uv_tcp_bind(&web->listener, (struct sockaddr *)&addr, 0)) != 0 ||
        (rc = uv_listen((uv_stream_t *)&web->listener, 128, s_on_connection)) != 0) {
        as_error("web: cannot listen on %s:%d: %s", web->set.listen_host, web->set.listen_port,
                 uv_strerror(rc));
        return rc;
    }
    as_info("web: pages and API on http://%s:%d/ (pages from %s, /js/ from %s)",
            web->set.listen_host, web->set.listen_port, web->set.www_dir, web->set.js_dir);
    return 0;
}

int web_http_start(web_t *web)
{
    uv_loop_t *loop = as_service_loop(web->svc);
    h2o_config_init(&web->h2o_config);
    web->h2o_config.max_request_entity_size = web->set.max_body;
    h2o_hostconf_t *host =
        h2o_config_register_host(&web->h2o_config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    s_api_handler_t *api = (s_api_handler_t *)h2o_create_handler(
        h2o_config_register_path(host, "/api", 0), sizeof *api);
    api->super.on_req = s_on_api;
    api->web = web;
    /* Debian's libjs-* scripts (the dashboard's Chart.js) read-only at /js/:
     * h2o maps the normalised path (no "..", %2e%2e decoded first) to a file
     * under js_dir, no directory listing */
    static const char *no_index[] = {NULL};
    h2o_file_register(h2o_config_register_path(host, "/js", 0), web->set.js_dir, no_index, NULL, 0);
    static const char *index_files[] = {"index.html", NULL};
    h2o_file_register(h2o_config_register_path(host, "/", 0), web->set.www_dir, index_files, NULL,
                      0);
    h2o_context_init(&web->h2o_ctx, loop, &web->h2o_config);
    web->accept_ctx.ctx = &web->h2o_ctx;
    web->accept_ctx.hosts = web->h2o_config.hosts;
    uv_timer_init(loop, &web->tick);
    web->tick.data = web;
    uv_timer_start(&web->tick, s_on_tick, WEB_TICK_MS, WEB_TICK_MS);
    return s_listen(web, loop);
}

void web_http_stop(web_t *web)
{
    if (!web->listening)
        return;
    web->listening = false;
    uv_timer_stop(&web->tick);
    uv_close((uv_handle_t *)&web->tick, NULL);
    uv_close((uv_handle_t *)&web->listener, NULL);
    if (web->connections) { /* h2o would free what they still use */
        as_warn("web: stopping with %zu connection(s) open", web->connections);
        return;
    }
    h2o_context_dispose(&web->h2o_ctx);
    h2o_config_dispose(&web->h2o_config);
}
