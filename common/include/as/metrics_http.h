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
 * "localhost", or "[v6 address]").
 *
 * Who may ask: on a loopback address (127.0.0.0/8, ::1, localhost) anyone
 * on the machine, unless a token is set. Any other address must have a
 * token (`[NAME] metrics_token_file`, a file of the daemon's user only,
 * holding one line of at least 16 printable characters): then both paths
 * answer only a request with "Authorization: Bearer <token>" (what
 * Prometheus sends with `authorization: credentials_file: ...`), and 401
 * to the rest. The business's counters do not leave the machine unasked. */
#ifndef AS_METRICS_HTTP_H
#define AS_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "as/config.h"
#include "as/metrics.h"
#include "as/metrics_config.h"

typedef struct as_metrics_http as_metrics_http_t;

/* Writes an answer's body into `out`; returns its HTTP status. */
typedef int (*as_metrics_http_fn)(void *arg, as_metrics_text_t *out);

/* Starts serving on `loop`; `token` NULL or "" answers anyone (only on a
 * loopback address). Returns NULL and sets *err (AS_ECONFIG for a bad
 * address or a missing token, a uv code when it cannot listen: the port is
 * taken). */
as_metrics_http_t *as_metrics_http_start(uv_loop_t *loop, const char *listen, const char *token,
                                         as_metrics_http_fn metrics, as_metrics_http_fn health,
                                         void *arg, int *err);

/* What [section] metrics_listen and metrics_token_file ask for: NULL with
 * *err 0 when metrics_listen is not set; else as as_metrics_http_start
 * (AS_ECONFIG, logged, for a token file that cannot be read). */
as_metrics_http_t *as_metrics_http_from_config(uv_loop_t *loop, as_config_t *cfg,
                                               const char *section, as_metrics_http_fn metrics,
                                               as_metrics_http_fn health, void *arg, int *err);

/* Stops listening and frees what no open connection uses. Nulls *self_p. */
void as_metrics_http_stop(as_metrics_http_t **self_p);

#endif
