/* metrics.c — a daemon's counters and their Prometheus text. See include/as/metrics.h. */
#include "as/metrics.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/envelope.h"
#include "as/error.h"

/* upper bounds: commit seconds, and items in a turn (the last is +Inf) */
static const double s_latency_le[AS_METRICS_LATENCY_BUCKETS] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, INFINITY};
static const double s_batch_le[AS_METRICS_BATCH_BUCKETS] = {1,   2,   5,    10,   20,    50,
                                                            100, 200, 1000, 5000, 20000, INFINITY};

typedef struct {
    char command[AS_NAME_MAX + 1];
    int status;
    uint64_t count;
} s_command_t;

typedef struct {
    char source[AS_NAME_MAX + 1];
    uint64_t applied, skipped;
} s_source_t;

typedef struct {
    uint64_t buckets[AS_METRICS_LATENCY_BUCKETS > AS_METRICS_BATCH_BUCKETS
                         ? AS_METRICS_LATENCY_BUCKETS
                         : AS_METRICS_BATCH_BUCKETS]; /* not cumulative: each its own range */
    uint64_t count;
    double sum;
} s_histogram_t;

struct as_metrics {
    s_command_t commands[AS_METRICS_COMMANDS_MAX + 1]; /* the last: "other" */
    size_t n_commands;
    s_source_t sources[AS_METRICS_SOURCES_MAX + 1]; /* the last: "other" */
    size_t n_sources;
    s_histogram_t latency, batch, loop_busy;
    uint64_t replays_answered;
};

as_metrics_t *as_metrics_new(void)
{
    as_metrics_t *self = calloc(1, sizeof *self);
    if (self) {
        snprintf(self->sources[AS_METRICS_SOURCES_MAX].source, AS_NAME_MAX + 1, "other");
    }
    return self;
}

void as_metrics_destroy(as_metrics_t **self_p)
{
    free(*self_p);
    *self_p = NULL;
}

void as_metrics_command(as_metrics_t *self, const char *command, int status)
{
    if (!self)
        return;
    const char *name = command && *command && strlen(command) <= AS_NAME_MAX ? command : "-";
    for (size_t i = 0; i < self->n_commands; i++) {
        s_command_t *c = &self->commands[i];
        if (c->status == status && strcmp(c->command, name) == 0) {
            c->count++;
            return;
        }
    }
    s_command_t *c = &self->commands[self->n_commands];
    if (self->n_commands == AS_METRICS_COMMANDS_MAX) { /* the table is full */
        snprintf(c->command, sizeof c->command, "other");
        c->count++;
        return;
    }
    self->n_commands++;
    snprintf(c->command, sizeof c->command, "%s", name);
    c->status = status;
    c->count = 1;
}

void as_metrics_event(as_metrics_t *self, const char *source, bool skipped)
{
    if (!self || !source)
        return;
    s_source_t *s = NULL;
    for (size_t i = 0; i < self->n_sources && !s; i++)
        if (strcmp(self->sources[i].source, source) == 0)
            s = &self->sources[i];
    if (!s && self->n_sources < AS_METRICS_SOURCES_MAX && strlen(source) <= AS_NAME_MAX) {
        s = &self->sources[self->n_sources++];
        snprintf(s->source, sizeof s->source, "%s", source);
    }
    if (!s)
        s = &self->sources[AS_METRICS_SOURCES_MAX];
    if (skipped)
        s->skipped++;
    else
        s->applied++;
}

static void s_observe(s_histogram_t *h, const double *le, size_t n, double value)
{
    size_t i = 0;
    while (i + 1 < n && value > le[i])
        i++;
    h->buckets[i]++;
    h->count++;
    h->sum += value;
}

/* A duration in microseconds, observed in seconds on the latency buckets. */
static void s_observe_us(s_histogram_t *h, int64_t us)
{
    s_observe(h, s_latency_le, AS_METRICS_LATENCY_BUCKETS, (double)us / 1e6);
}

void as_metrics_commit(as_metrics_t *self, int64_t elapsed_us)
{
    if (self)
        s_observe_us(&self->latency, elapsed_us);
}

void as_metrics_loop_busy(as_metrics_t *self, int64_t busy_us)
{
    if (self)
        s_observe_us(&self->loop_busy, busy_us);
}

void as_metrics_batch(as_metrics_t *self, size_t items)
{
    if (self)
        s_observe(&self->batch, s_batch_le, AS_METRICS_BATCH_BUCKETS, (double)items);
}

void as_metrics_replay_answered(as_metrics_t *self)
{
    if (self)
        self->replays_answered++;
}

/* --- the text -------------------------------------------------------------- */

void as_metrics_text_free(as_metrics_text_t *text)
{
    free(text->buf);
    *text = (as_metrics_text_t){0};
}

__attribute__((format(printf, 2, 0))) static void s_vprintf(as_metrics_text_t *text,
                                                            const char *fmt, va_list ap)
{
    if (text->failed)
        return;
    for (;;) {
        va_list copy;
        va_copy(copy, ap);
        size_t room = text->cap - text->len;
        int n = vsnprintf(text->buf ? text->buf + text->len : NULL, room, fmt, copy);
        va_end(copy);
        if (n < 0) {
            text->failed = true;
            return;
        }
        if ((size_t)n < room) {
            text->len += (size_t)n;
            return;
        }
        size_t cap = text->cap ? text->cap * 2 : 8192;
        while (cap - text->len <= (size_t)n)
            cap *= 2;
        char *buf = realloc(text->buf, cap);
        if (!buf) {
            text->failed = true;
            return;
        }
        text->buf = buf;
        text->cap = cap;
    }
}

void as_metrics_printf(as_metrics_text_t *text, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vprintf(text, fmt, ap);
    va_end(ap);
}

void as_metrics_family(as_metrics_text_t *text, const char *name, const char *type,
                       const char *help)
{
    as_metrics_printf(text, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the format wants it: \, " and newline escaped. */
static void s_label_value(as_metrics_text_t *text, const char *value)
{
    char buf[2 * AS_NAME_MAX + 8];
    size_t n = 0;
    for (const char *p = value; *p && n + 3 < sizeof buf; p++) {
        if (*p == '\\' || *p == '"') {
            buf[n++] = '\\';
            buf[n++] = *p;
        } else if (*p == '\n') {
            buf[n++] = '\\';
            buf[n++] = 'n';
        } else {
            buf[n++] = *p;
        }
    }
    buf[n] = 0;
    as_metrics_printf(text, "\"%s\"", buf);
}

static void s_value(as_metrics_text_t *text, double value)
{
    if (isinf(value))
        as_metrics_printf(text, " %s\n", value > 0 ? "+Inf" : "-Inf");
    else if (value == floor(value) && fabs(value) < 1e15)
        as_metrics_printf(text, " %.0f\n", value);
    else
        as_metrics_printf(text, " %.15g\n", value);
}

void as_metrics_sample(as_metrics_text_t *text, const char *name, double value, ...)
{
    va_list ap;
    va_start(ap, value);
    as_metrics_printf(text, "%s", name);
    bool any = false;
    for (int i = 0; i < 4; i++) {
        const char *key = va_arg(ap, const char *);
        if (!key)
            break;
        const char *v = va_arg(ap, const char *);
        if (!v)
            continue;
        as_metrics_printf(text, "%s%s=", any ? "," : "{", key);
        s_label_value(text, v);
        any = true;
    }
    va_end(ap);
    if (any)
        as_metrics_printf(text, "}");
    s_value(text, value);
}

static void s_le_text(double le, char *buf, size_t cap)
{
    if (isinf(le))
        snprintf(buf, cap, "+Inf");
    else
        snprintf(buf, cap, "%g", le);
}

static void s_histogram(as_metrics_text_t *text, const char *name, const char *service,
                        const s_histogram_t *h, const double *le, size_t n)
{
    char bucket[128], sum[128], count[128], bound[32];
    snprintf(bucket, sizeof bucket, "%s_bucket", name);
    snprintf(sum, sizeof sum, "%s_sum", name);
    snprintf(count, sizeof count, "%s_count", name);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < n; i++) {
        cumulative += h->buckets[i];
        s_le_text(le[i], bound, sizeof bound);
        as_metrics_sample(text, bucket, (double)cumulative, "service", service, "le", bound, NULL);
    }
    as_metrics_sample(text, sum, h->sum, "service", service, NULL);
    as_metrics_sample(text, count, (double)h->count, "service", service, NULL);
}

void as_metrics_write(const as_metrics_t *self, const char *service, as_metrics_text_t *text)
{
    as_metrics_family(text, "as_commands_total", "counter",
                      "Commands answered, by command and status (ok, or the refusal's name).");
    size_t n = self->n_commands + (self->commands[AS_METRICS_COMMANDS_MAX].count ? 1 : 0);
    for (size_t k = 0; k < n; k++) {
        const s_command_t *c = &self->commands[k < self->n_commands ? k : AS_METRICS_COMMANDS_MAX];
        as_metrics_sample(text, "as_commands_total", (double)c->count, "service", service,
                          "command", c->command, "status",
                          k >= self->n_commands ? "other"
                          : c->status == 0      ? "ok"
                                                : as_errname(c->status),
                          NULL);
    }
    as_metrics_family(text, "as_events_applied_total", "counter",
                      "Events committed, by source (types not handled here included).");
    n = self->n_sources;
    const s_source_t *other = &self->sources[AS_METRICS_SOURCES_MAX];
    for (size_t k = 0; k <= n; k++) {
        const s_source_t *s = k < n ? &self->sources[k] : other;
        if (k < n || s->applied || s->skipped)
            as_metrics_sample(text, "as_events_applied_total", (double)s->applied, "service",
                              service, "source", s->source, NULL);
    }
    as_metrics_family(text, "as_events_skipped_total", "counter",
                      "Events a handler refused (skipped, offset advanced), by source.");
    for (size_t k = 0; k <= n; k++) {
        const s_source_t *s = k < n ? &self->sources[k] : other;
        if (k < n || s->applied || s->skipped)
            as_metrics_sample(text, "as_events_skipped_total", (double)s->skipped, "service",
                              service, "source", s->source, NULL);
    }
    as_metrics_family(text, "as_commit_seconds", "histogram",
                      "Write transactions of the loop (events and commands of a turn), begin to "
                      "commit.");
    s_histogram(text, "as_commit_seconds", service, &self->latency, s_latency_le,
                AS_METRICS_LATENCY_BUCKETS);
    as_metrics_family(text, "as_batch_size", "histogram",
                      "Events and commands in one write transaction.");
    s_histogram(text, "as_batch_size", service, &self->batch, s_batch_le, AS_METRICS_BATCH_BUCKETS);
    as_metrics_family(text, "as_loop_busy_seconds", "histogram",
                      "Rounds of the daemon's loop: how long its work held the loop (commands, "
                      "status and scrapes that came meanwhile waited).");
    s_histogram(text, "as_loop_busy_seconds", service, &self->loop_busy, s_latency_le,
                AS_METRICS_LATENCY_BUCKETS);
    as_metrics_family(text, "as_replay_requests_answered_total", "counter",
                      "Replay requests answered from this daemon's outbox.");
    as_metrics_sample(text, "as_replay_requests_answered_total", (double)self->replays_answered,
                      "service", service, NULL);
}
