/* metrics_http.c — /metrics and /health over libh2o on the daemon's loop.
 * See include/as/metrics_http.h. */
#include "as/metrics_http.h"

#include <h2o.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/log.h"

typedef struct {
    h2o_handler_t super;
    as_metrics_http_t *http;
} s_handler_t;

struct as_metrics_http {
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    uv_tcp_t listener;
    as_metrics_http_fn metrics, health;
    void *arg;
    char token[AS_METRICS_TOKEN_MAX + 1]; /* "" when anyone on a loopback address may ask */
    size_t connections;
    bool stopped;    /* the listener is closed: freed when no connection is left */
    bool disposed;   /* h2o's context and config are gone */
    bool in_dispose; /* inside h2o_context_dispose (which runs the loop once) */
    char listen[300];
};

static bool s_is(h2o_iovec_t v, const char *text)
{
    return v.len == strlen(text) && memcmp(v.base, text, v.len) == 0;
}

static void s_send(h2o_req_t *req, int status, const char *type, const char *body, size_t len)
{
    req->res.status = status;
    req->res.reason = status == 200   ? "OK"
                      : status == 503 ? "Service Unavailable"
                      : status == 401 ? "Unauthorized"
                                      : "Refused";
    req->http1_is_persistent = 0; /* one answer a connection: none left open at stop */
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, type, strlen(type));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("no-store"));
    h2o_iovec_t copy = h2o_strdup(&req->pool, body, len);
    h2o_send_inline(req, copy.base, copy.len);
}

/* True when the request carries "Authorization: Bearer <the token>"
 * (compared in constant time), or no token is set. */
static bool s_authorized(const as_metrics_http_t *self, h2o_req_t *req)
{
    size_t len = strlen(self->token);
    if (len == 0)
        return true;
    ssize_t at = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (at < 0)
        return false;
    h2o_iovec_t value = req->headers.entries[at].value;
    static const char bearer[] = "Bearer ";
    size_t prefix = sizeof bearer - 1;
    return value.len == prefix + len && h2o_memis(value.base, prefix, bearer, prefix) &&
           sodium_memcmp(value.base + prefix, self->token, len) == 0;
}

static int s_on_req(h2o_handler_t *handler, h2o_req_t *req)
{
    as_metrics_http_t *self = ((s_handler_t *)handler)->http;
    h2o_iovec_t path = req->path_normalized;
    if (!s_authorized(self, req)) {
        static const char text[] = "unauthorized: send the bearer token of metrics_token_file\n";
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                       H2O_STRLIT("Bearer realm=\"aftersales metrics\""));
        s_send(req, 401, "text/plain; charset=utf-8", text, sizeof text - 1);
        return 0;
    }
    if (!s_is(req->method, "GET") && !s_is(req->method, "HEAD")) {
        static const char text[] = "use GET\n";
        s_send(req, 405, "text/plain; charset=utf-8", text, sizeof text - 1);
        return 0;
    }
    bool metrics = s_is(path, "/metrics");
    if (!metrics && !s_is(path, "/health")) {
        static const char text[] = "not found: GET /metrics or /health\n";
        s_send(req, 404, "text/plain; charset=utf-8", text, sizeof text - 1);
        return 0;
    }
    as_metrics_text_t out = {0};
    int status = (metrics ? self->metrics : self->health)(self->arg, &out);
    if (out.failed) {
        static const char text[] = "out of memory\n";
        s_send(req, 500, "text/plain; charset=utf-8", text, sizeof text - 1);
    } else {
        s_send(req, status,
               metrics ? "text/plain; version=0.0.4; charset=utf-8"
                       : "application/json; charset=utf-8",
               out.buf ? out.buf : "", out.len);
    }
    as_metrics_text_free(&out);
    return 0;
}

/* h2o's part goes while the loop still runs (its timers are uv handles).
 * h2o_context_dispose runs the loop once (UV_RUN_NOWAIT) to free them, so
 * close callbacks of this module may come in the middle: they wait
 * (in_dispose) and s_maybe_free does the rest after. */
static void s_dispose(as_metrics_http_t *self)
{
    if (self->disposed)
        return;
    self->disposed = self->in_dispose = true;
    h2o_context_dispose(&self->ctx);
    h2o_config_dispose(&self->config);
    self->in_dispose = false;
}

/* Frees everything once the listener is closed and no connection is open. */
static void s_maybe_free(as_metrics_http_t *self)
{
    if (!self->stopped || self->connections > 0 || self->in_dispose)
        return;
    s_dispose(self);
    free(self);
}

typedef struct {
    uv_tcp_t tcp; /* first: h2o closes it as a uv handle */
    as_metrics_http_t *http;
} s_conn_t;

static void s_on_conn_closed(uv_handle_t *handle)
{
    s_conn_t *conn = (s_conn_t *)handle;
    as_metrics_http_t *self = conn->http;
    free(conn);
    self->connections--;
    s_maybe_free(self);
}

static void s_on_connection(uv_stream_t *listener, int status)
{
    as_metrics_http_t *self = listener->data;
    if (status != 0)
        return;
    s_conn_t *conn = malloc(sizeof *conn);
    if (!conn)
        return;
    conn->http = self;
    self->connections++;
    uv_tcp_init(listener->loop, &conn->tcp);
    if (uv_accept(listener, (uv_stream_t *)&conn->tcp) != 0) {
        uv_close((uv_handle_t *)&conn->tcp, s_on_conn_closed);
        return;
    }
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)&conn->tcp, s_on_conn_closed);
    h2o_accept(&self->accept_ctx, sock);
}

static void s_on_listener_closed(uv_handle_t *handle)
{
    as_metrics_http_t *self = handle->data;
    self->stopped = true;
    s_maybe_free(self);
}

as_metrics_http_t *as_metrics_http_start(uv_loop_t *loop, const char *listen, const char *token,
                                         as_metrics_http_fn metrics, as_metrics_http_fn health,
                                         void *arg, int *err)
{
    char host[64], why[400];
    int port = 0;
    if (as_metrics_listen_parse(listen, host, sizeof host, &port, why, sizeof why) != 0) {
        as_error("config: %s", why);
        *err = AS_ECONFIG;
        return NULL;
    }
    if ((!token || !*token) && !as_metrics_host_is_loopback(host)) {
        as_error("config: metrics_listen '%s' can be reached from other machines and has no "
                 "metrics_token_file",
                 listen);
        *err = AS_ECONFIG;
        return NULL;
    }
    if (token && strlen(token) > AS_METRICS_TOKEN_MAX) {
        *err = AS_ECONFIG;
        return NULL;
    }
    as_metrics_http_t *self = calloc(1, sizeof *self);
    if (!self) {
        *err = -ENOMEM;
        return NULL;
    }
    self->metrics = metrics;
    self->health = health;
    self->arg = arg;
    snprintf(self->token, sizeof self->token, "%s", token ? token : "");
    snprintf(self->listen, sizeof self->listen, "%s", listen);
    h2o_config_init(&self->config);
    self->config.server_name = h2o_iovec_init(H2O_STRLIT("aftersales")); /* not h2o's version */
    self->config.max_request_entity_size = 1024;                         /* a GET has no body */
    h2o_hostconf_t *hc =
        h2o_config_register_host(&self->config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    s_handler_t *handler =
        (s_handler_t *)h2o_create_handler(h2o_config_register_path(hc, "/", 0), sizeof *handler);
    handler->super.on_req = s_on_req;
    handler->http = self;
    h2o_context_init(&self->ctx, loop, &self->config);
    self->accept_ctx.ctx = &self->ctx;
    self->accept_ctx.hosts = self->config.hosts;
    struct sockaddr_storage addr;
    const char *ip = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
    if (listen[0] == '[')
        uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&addr);
    else
        uv_ip4_addr(ip, port, (struct sockaddr_in *)&addr);
    uv_tcp_init(loop, &self->listener);
    self->listener.data = self;
    int rc;
    if ((rc = uv_tcp_bind(&self->listener, (struct sockaddr *)&addr, 0)) != 0 ||
        (rc = uv_listen((uv_stream_t *)&self->listener, 64, s_on_connection)) != 0) {
        as_error("metrics: cannot listen on %s: %s", listen, uv_strerror(rc));
        s_dispose(self);
        uv_close((uv_handle_t *)&self->listener, s_on_listener_closed);
        *err = rc;
        return NULL;
    }
    as_info("metrics: http://%s/metrics and /health%s", listen,
            *self->token ? " (bearer token required)" : "");
    return self;
}

as_metrics_http_t *as_metrics_http_from_config(uv_loop_t *loop, as_config_t *cfg,
                                               const char *section, as_metrics_http_fn metrics,
                                               as_metrics_http_fn health, void *arg, int *err)
{
    *err = 0;
    const char *listen = as_config_get(cfg, section, "metrics_listen", "");
    const char *token_file = as_config_get(cfg, section, "metrics_token_file", "");
    if (!*listen)
        return NULL;
    char token[AS_METRICS_TOKEN_MAX + 1] = "", why[600];
    if (as_metrics_config_check(cfg, section, why, sizeof why) != 0 ||
        (*token_file && as_metrics_token_read(token_file, token, sizeof token, why, sizeof why))) {
        as_error("config: %s", why);
        *err = AS_ECONFIG;
        return NULL;
    }
    as_metrics_http_t *self = as_metrics_http_start(loop, listen, token, metrics, health, arg, err);
    sodium_memzero(token, sizeof token);
    return self;
}

void as_metrics_http_stop(as_metrics_http_t **self_p)
{
    as_metrics_http_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    uv_close((uv_handle_t *)&self->listener, s_on_listener_closed);
    if (self->connections == 0)
        s_dispose(self); /* may run the listener's close callback */
    s_maybe_free(self);
}
