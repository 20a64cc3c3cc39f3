/* metrics_http.h — a daemon's /metrics and /health over HTTP (libh2o, the
 * web gateway's HTTP library) on its own libuv loop: no thread, no lock.
 *
 *   GET /metrics  Prometheus text (version 0.0.4): what `metrics` writes
 *   GET /health   JSON: what `health` writes, with the status it returns
 *                 (200 healthy, 503 not)
 * Anything else is 404 (405 for another method than GET or HEAD). Every
 * answer closes its connection, so a stopping daemon has none open; a
 * request that does not parse is h2o's to refuse (400) and never reaches
 * the daemon. Listens on one TCP address, `host:port` (an IPv4 address,
 * "localhost", or "[v6 address]"); meant for 127.0.0.1 and a local scraper
 * (nothing here asks who is asking). */
#ifndef AS_METRICS_HTTP_H
#define AS_METRICS_HTTP_H

#include <stddef.h>
#include <uv.h>

#include "as/metrics.h"

typedef struct as_metrics_http as_metrics_http_t;

/* Writes an answer's body into `out`; returns its HTTP status. */
typedef int (*as_metrics_http_fn)(void *arg, as_metrics_text_t *out);

/* Checks `listen` ("127.0.0.1:9101"): fills host (cap >= 64) and port, or
 * returns AS_ECONFIG with a sentence for people in `why`. */
int as_metrics_listen_parse(const char *listen, char *host, size_t cap, int *port, char *why,
                            size_t why_cap);

/* Starts serving on `loop`. Returns NULL and sets *err (AS_ECONFIG for a bad
 * address, a uv code when it cannot listen: the port is taken). */
as_metrics_http_t *as_metrics_http_start(uv_loop_t *loop, const char *listen,
                                         as_metrics_http_fn metrics, as_metrics_http_fn health,
                                         void *arg, int *err);

/* Stops listening and frees what no open connection uses. Nulls *self_p. */
void as_metrics_http_stop(as_metrics_http_t **self_p);

#endif
