/* metrics.h — a daemon's counters, and their Prometheus text.
 *
 * The runtime (service.c) counts into one as_metrics_t per daemon on its one
 * thread: plain integers, no locks, no allocation after start. What it
 * counts here (the rest it reads when scraped: see as_service's /metrics):
 *   as_commands_total{command,status}  each command answered, by its name
 *                                  (the catalog's; "other" past the table's
 *                                  AS_METRICS_COMMANDS_MAX names, "-" for a
 *                                  request that does not decode) and status
 *                                  ("ok" or as_errname(): denied, invalid,
 *                                  not-found, conflict, ...). A retry
 *                                  answered from its stored reply counts
 *                                  again, with the stored status.
 *   as_events_applied_total{source}    events committed from that source
 *                                  (types this daemon does not handle too:
 *                                  their offset advances)
 *   as_events_skipped_total{source}    events its handler refused: skipped
 *   as_commit_seconds              histogram: each write transaction of the
 *                                  loop (a turn, a timer's), begin to commit
 *   as_batch_size                  histogram: events and commands in a turn
 *                                  (one with neither, only records due, is 0)
 *   as_loop_busy_seconds           histogram: each round of the loop, the time
 *                                  its work held it (the round's time less
 *                                  the time it waited for something to do):
 *                                  what a command, a status request or a
 *                                  scrape that came meanwhile waited at most
 *   as_replay_requests_answered_total  replay requests this daemon answered
 *                                  from its outbox
 * Sources past AS_METRICS_SOURCES_MAX are counted under source="other".
 *
 * Writing the text: as_metrics_text_t is a growing buffer; as_metrics_family
 * writes a HELP and TYPE line, as_metrics_sample one line with up to three
 * labels (values escaped as the exposition format asks). */
#ifndef AS_METRICS_H
#define AS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AS_METRICS_COMMANDS_MAX 256 /* (command, status) pairs named */
#define AS_METRICS_SOURCES_MAX 64   /* sources named */
#define AS_METRICS_LATENCY_BUCKETS 14
#define AS_METRICS_BATCH_BUCKETS 12

typedef struct as_metrics as_metrics_t;

as_metrics_t *as_metrics_new(void);
void as_metrics_destroy(as_metrics_t **self_p);

/* One command answered with `status` (0 or an AS_E* / store code). */
void as_metrics_command(as_metrics_t *self, const char *command, int status);
/* One event of `source` committed: applied, or skipped by its handler. */
void as_metrics_event(as_metrics_t *self, const char *source, bool skipped);
/* One write transaction of the loop (a turn, or a timer's): how long it took
 * from begin to commit (or to its failure). */
void as_metrics_commit(as_metrics_t *self, int64_t elapsed_us);
/* One turn: the events and commands it held. */
void as_metrics_batch(as_metrics_t *self, size_t items);
/* One round of the loop: how long its work held the loop. */
void as_metrics_loop_busy(as_metrics_t *self, int64_t busy_us);
void as_metrics_replay_answered(as_metrics_t *self);

/* The Prometheus text being written. On out of memory `failed` is set and
 * later writes do nothing. */
typedef struct as_metrics_text {
    char *buf;
    size_t len, cap;
    bool failed;
} as_metrics_text_t;

void as_metrics_text_free(as_metrics_text_t *text);
void as_metrics_printf(as_metrics_text_t *text, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "# HELP name help\n# TYPE name type\n" */
void as_metrics_family(as_metrics_text_t *text, const char *name, const char *type,
                       const char *help);
/* "name{k1="v1",k2="v2"} value\n"; labels are pairs (key, value), NULL ends
 * them (at most three pairs); a NULL value leaves its pair out. */
void as_metrics_sample(as_metrics_text_t *text, const char *name, double value, ...);

/* Writes the counters above, each sample labelled service="<service>". */
void as_metrics_write(const as_metrics_t *self, const char *service, as_metrics_text_t *text);

#endif
