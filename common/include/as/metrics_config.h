/* metrics_config.h — checking the config of a daemon's /metrics and
 * /health listener (metrics_http.h serves them): `[NAME] metrics_listen`
 * and `metrics_token_file`. Apart from the server, so that what checks a
 * config (asctl's config check, config_schema.c) does not link the HTTP
 * library. */
#ifndef AS_METRICS_CONFIG_H
#define AS_METRICS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "as/config.h"

#define AS_METRICS_TOKEN_MIN 16
#define AS_METRICS_TOKEN_MAX 256

/* Checks `listen` ("127.0.0.1:9101"): fills host (cap >= 64) and port, or
 * returns AS_ECONFIG with a sentence for people in `why`. */
int as_metrics_listen_parse(const char *listen, char *host, size_t cap, int *port, char *why,
                            size_t why_cap);

/* True when `host` (as as_metrics_listen_parse fills it) is this
 * machine's loopback: 127.0.0.0/8, ::1 or localhost. */
bool as_metrics_host_is_loopback(const char *host);

/* Reads the bearer token of `path`: its first line, AS_METRICS_TOKEN_MIN to
 * AS_METRICS_TOKEN_MAX printable characters without spaces, in a file no
 * group or other user may read. Returns 0 with `token` filled (cap >
 * AS_METRICS_TOKEN_MAX), or AS_ECONFIG with a sentence for people in `why`. */
int as_metrics_token_read(const char *path, char *token, size_t cap, char *why, size_t why_cap);

/* Checks [section]'s metrics_listen and metrics_token_file together: a
 * listen address that is not loopback needs a token file. Returns 0, or
 * AS_ECONFIG with a sentence in `why` (for the config check and the start). */
int as_metrics_config_check(as_config_t *cfg, const char *section, char *why, size_t why_cap);

#endif
