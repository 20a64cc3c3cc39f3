/* redisbench — a durable peer: the same benchmark work on Redis Streams.
 *
 *   redisbench setup --port P --consumers NAME,NAME...
 *   redisbench pub   --port P --count N [--rate R] [--max-pending N] [--report FILE]
 *   redisbench sink  --port P --group NAME --data DIR --expect N --report FILE
 *                    [--samples FILE] [--batch B] [--ready FILE]
 *
 * setup (re)creates stream "ro" empty with one consumer group per name,
 * reading from the stream's start: a group per consumer, so that every
 * consumer gets every event (fan-out), each with its own pending list.
 *
 * pub sends N "reception.ro.opened" events, each the same packed envelope
 * (the same ~200-byte payload) our source sends, as XADD ro * e <envelope>,
 * pipelined: up to --max-pending XADDs unanswered (two halves in flight, the
 * replies of one read while the other is on its way), paced like ours (what is
 * due every 5 ms; R = 0: as fast as the replies allow). With the AOF's
 * appendfsync always, redis-server writes and fsyncs what a turn of its event
 * loop appended before it sends that turn's replies: a reply is a durable ack.
 *
 * sink reads its group with XREADGROUP (COUNT B, BLOCK) and applies each
 * batch into an LMDB store exactly like our consumer does, through the same
 * store module: one record per event (its payload under the envelope's seq)
 * plus a running total, and that seq as the offset, in one write transaction
 * per batch (fsync on); it XACKs the batch's entries after the commit, skips
 * what the offset says it applied (a redelivery), and notes publish-to-applied
 * latency after each commit. A reader thread on its own connection keeps up to
 * two batches read while one commits (as jsbench's fetcher and our consumer's
 * ZeroMQ I/O thread do); it first re-reads the consumer's own pending entries
 * (read before a crash, never acked), then new ones (">").
 */
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "as/envelope.h"
#include "as/error.h"
#include "as/store.h"
#include "bench_util.h"

#define S_KEY "ro"
#define S_FIELD "e"
#define S_SOURCE "reception@bench"
#define S_CONSUMER "bench" /* the one consumer name inside each group */
#define S_TICK_US 5000
#define S_BLOCK_MS 200 /* a read waits this long for a new entry */
#define S_AHEAD 2

typedef bench_peer_args_t s_args_t;

static void s_usage(FILE *out)
{
    fprintf(
        out,
        "usage: redisbench setup --port P --consumers NAME,NAME...\n"
        "       redisbench pub --port P --count N [--rate R] [--max-pending N] [--report FILE]\n"
        "       redisbench sink --port P --group NAME --data DIR --expect N --report FILE\n"
        "                       [--samples FILE] [--batch B] [--ready FILE]\n"
        "\n"
        "  setup  (re)creates stream ro (empty) and a consumer group per NAME from its\n"
        "         start (each group gets every event)\n"
        "  pub    appends N reception.ro.opened envelopes (~200-byte payload, the same\n"
        "         bytes our source sends) with XADD, pipelined (at most --max-pending\n"
        "         unanswered: 20000), at R/s (0: as fast as the replies allow), waits for\n"
        "         every reply and writes a JSON report\n"
        "  sink   reads group NAME (XREADGROUP, at most B a batch, default 5000), applies\n"
        "         each batch into an LMDB store in DIR in one transaction (record + total\n"
        "         + offset, fsync on), XACKs it after the commit; after N events writes a\n"
        "         JSON report and the latency samples\n"
        "redis-server is on 127.0.0.1:P.\n"
        "\n"
        "Exit codes: 0 done, 1 gave up before every event was applied, 64 usage,\n"
        "69 the server did not answer, 70 internal error, 74 I/O error.\n");
}

static redisContext *s_connect(int port)
{
    struct timeval timeout = {30, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, timeout);
    if (!c || c->err) {
        fprintf(stderr, "redisbench: cannot connect to 127.0.0.1:%d: %s\n", port,
                c ? c->errstr : "out of memory");
        redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, timeout);
    return c;
}

/* Runs one command; returns 0 when it was answered without an error. */
static int s_command(redisContext *c, int argc, const char **argv, const size_t *lens,
                     const char *what)
{
    redisReply *r = redisCommandArgv(c, argc, argv, lens);
    int rc = 0;
    if (!r) {
        fprintf(stderr, "redisbench: %s: %s\n", what, c->errstr);
        rc = BENCH_EXIT_UNAVAILABLE;
    } else if (r->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "redisbench: %s: %s\n", what, r->str);
        rc = BENCH_EXIT_SOFTWARE;
    }
    freeReplyObject(r);
    return rc;
}

/* --- setup ------------------------------------------------------------------- */

static int s_setup(const s_args_t *a)
{
    redisContext *c = s_connect(a->port);
    if (!c)
        return BENCH_EXIT_UNAVAILABLE;
    const char *del[] = {"DEL", S_KEY};
    int rc = s_command(c, 2, del, NULL, "DEL " S_KEY);
    char *names = strdup(a->consumers);
    if (!names)
        rc = BENCH_EXIT_SOFTWARE;
    for (char *save = NULL, *name = rc == 0 ? strtok_r(names, ",", &save) : NULL; name && rc == 0;
         name = strtok_r(NULL, ",", &save)) {
        const char *create[] = {"XGROUP", "CREATE", S_KEY, name, "0", "MKSTREAM"};
        rc = s_command(c, 6, create, NULL, "XGROUP CREATE");
    }
    free(names);
    redisFree(c);
    return rc;
}

/* --- pub --------------------------------------------------------------------- */

/* Reads `n` XADD replies. Returns 0, or an exit code. */
static int s_read_replies(redisContext *c, uint64_t n, uint64_t *errors)
{
    for (uint64_t i = 0; i < n; i++) {
        redisReply *r = NULL;
        if (redisGetReply(c, (void **)&r) != REDIS_OK || !r) {
            fprintf(stderr, "redisbench: XADD reply: %s\n", c->errstr);
            return BENCH_EXIT_UNAVAILABLE;
        }
        if (r->type == REDIS_REPLY_ERROR && (*errors)++ < 5)
            fprintf(stderr, "redisbench: XADD failed: %s\n", r->str);
        freeReplyObject(r);
    }
    return 0;
}

static int s_pub(const s_args_t *a)
{
    redisContext *c = s_connect(a->port);
    if (!c)
        return BENCH_EXIT_UNAVAILABLE;
    char incarnation[AS_UUID_LEN + 1];
    as_uuidv7(incarnation);
    bench_report_t report = {.role = "pub", .name = "redis", .started_us = bench_now_us()};
    uint8_t buf[2 * BENCH_PAYLOAD_MAX];
    const char *argv[] = {"XADD", S_KEY, "*", S_FIELD, (const char *)buf};
    size_t lens[] = {4, sizeof S_KEY - 1, 1, sizeof S_FIELD - 1, 0};
    uint64_t half = a->max_pending / 2 ? a->max_pending / 2 : 1;
    uint64_t sent = 0, errors = 0;
    uint64_t inflight[2] = {0, 0}; /* the older half, the newer half */
    int rc = 0;
    int64_t first = bench_now_us();
    report.first_event_us = report.first_applied_us = first;
    while (sent < a->count && rc == 0) {
        uint64_t want = bench_pub_due(a->count, a->rate, sent, first);
        if (want == 0) {
            /* what was sent is answered while nothing is due */
            rc = s_read_replies(c, inflight[0] + inflight[1], &errors);
            inflight[0] = inflight[1] = 0;
            bench_sleep_until(bench_now_us() + S_TICK_US);
            continue;
        }
        if (want > half - inflight[1])
            want = half - inflight[1];
        for (uint64_t i = 0; i < want; i++) {
            lens[4] = bench_pack_event(sent + 1, S_SOURCE, incarnation, buf, sizeof buf);
            if (redisAppendCommandArgv(c, 5, argv, lens) != REDIS_OK) {
                rc = BENCH_EXIT_SOFTWARE;
                break;
            }
            sent++;
            inflight[1]++;
        }
        if (inflight[1] == half || sent == a->count || a->rate) {
            /* the newer half goes out as the older half's replies are read */
            if (inflight[0] == 0) {
                int done = 0;
                if (redisBufferWrite(c, &done) != REDIS_OK)
                    rc = BENCH_EXIT_UNAVAILABLE;
            }
            if (rc == 0)
                rc = s_read_replies(c, inflight[0], &errors);
            inflight[0] = inflight[1];
            inflight[1] = 0;
        }
    }
    if (rc == 0)
        rc = s_read_replies(c, inflight[0] + inflight[1], &errors);
    rc = bench_pub_finish(&report, sent - errors, errors, rc, a->report_path);
    redisFree(c);
    return rc;
}

/* --- sink: the reader thread ------------------------------------------------- */

typedef struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    redisContext *c;
    const char *group;
    char count[24];
    redisReply *ring[S_AHEAD]; /* each: the entries array of one read */
    redisReply *whole[S_AHEAD];
    size_t head, n;
    int error; /* an exit code: the reader stopped for good */
    bool stop;
} s_reader_t;

/* The entries of an XREADGROUP reply ([[key, [entry...]]]), NULL when none. */
static redisReply *s_entries(redisReply *r)
{
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1)
        return NULL;
    redisReply *stream = r->element[0];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements < 2 ||
        stream->element[1]->type != REDIS_REPLY_ARRAY || stream->element[1]->elements == 0)
        return NULL;
    return stream->element[1];
}

static void *s_reader_run(void *arg)
{
    s_reader_t *f = arg;
    /* first what this consumer read before and never acked, after the last
     * pending entry seen; then new entries */
    char from[64] = "0";
    bool pending = true;
    for (;;) {
        pthread_mutex_lock(&f->lock);
        while (f->n == S_AHEAD && !f->stop)
            pthread_cond_wait(&f->changed, &f->lock);
        bool stop = f->stop;
        pthread_mutex_unlock(&f->lock);
        if (stop)
            break;
        const char *argv[] = {
            "XREADGROUP", "GROUP",   f->group, S_CONSUMER,          "COUNT", f->count, "BLOCK",
            "200",        "STREAMS", S_KEY,    pending ? from : ">"};
        redisReply *r = redisCommandArgv(f->c, 11, argv, NULL);
        int error = 0;
        if (!r) {
            fprintf(stderr, "redisbench: XREADGROUP: %s\n", f->c->errstr);
            error = BENCH_EXIT_UNAVAILABLE;
        } else if (r->type == REDIS_REPLY_ERROR) {
            fprintf(stderr, "redisbench: XREADGROUP: %s\n", r->str);
            error = BENCH_EXIT_SOFTWARE;
        }
        redisReply *entries = error ? NULL : s_entries(r);
        if (!error && !entries) {
            freeReplyObject(r);
            pending = false; /* no (more) pending entries: new ones now */
            continue;
        }
        if (entries && pending) {
            redisReply *last = entries->element[entries->elements - 1];
            if (last->type == REDIS_REPLY_ARRAY && last->elements >= 1)
                snprintf(from, sizeof from, "%s", last->element[0]->str);
        }
        pthread_mutex_lock(&f->lock);
        if (error) {
            f->error = error;
            f->stop = true;
            freeReplyObject(r);
        } else {
            size_t at = (f->head + f->n) % S_AHEAD;
            f->ring[at] = entries;
            f->whole[at] = r;
            f->n++;
        }
        pthread_cond_broadcast(&f->changed);
        pthread_mutex_unlock(&f->lock);
    }
    return NULL;
}

/* Takes the next batch (its whole reply in *whole, its entries returned),
 * waiting up to a second. NULL with *error 0: nothing yet. */
static redisReply *s_reader_take(s_reader_t *f, redisReply **whole, int *error)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 1;
    pthread_mutex_lock(&f->lock);
    while (f->n == 0 && f->error == 0)
        if (pthread_cond_timedwait(&f->changed, &f->lock, &deadline) != 0)
            break;
    redisReply *entries = NULL;
    *whole = NULL;
    *error = f->n > 0 ? 0 : f->error;
    if (f->n > 0) {
        entries = f->ring[f->head];
        *whole = f->whole[f->head];
        f->head = (f->head + 1) % S_AHEAD;
        f->n--;
        pthread_cond_broadcast(&f->changed);
    }
    pthread_mutex_unlock(&f->lock);
    return entries;
}

static int s_reader_start(s_reader_t *f, int port, const char *group, uint64_t batch)
{
    memset(f, 0, sizeof *f);
    f->c = s_connect(port);
    if (!f->c)
        return BENCH_EXIT_UNAVAILABLE;
    f->group = group;
    snprintf(f->count, sizeof f->count, "%llu", (unsigned long long)batch);
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->changed, NULL);
    if (pthread_create(&f->thread, NULL, s_reader_run, f) != 0) {
        redisFree(f->c);
        return BENCH_EXIT_SOFTWARE;
    }
    return 0;
}

/* Stops the reader (within a read's BLOCK) and drops what it read. */
static void s_reader_stop(s_reader_t *f)
{
    pthread_mutex_lock(&f->lock);
    f->stop = true;
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->thread, NULL);
    while (f->n > 0) {
        freeReplyObject(f->whole[f->head]);
        f->head = (f->head + 1) % S_AHEAD;
        f->n--;
    }
    redisFree(f->c);
    pthread_cond_destroy(&f->changed);
    pthread_mutex_destroy(&f->lock);
}

/* --- sink: the store ----------------------------------------------------------- */

/* One entry's envelope bytes: [id, [field, value]]. */
static const redisReply *s_entry_value(const redisReply *entry)
{
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2)
        return NULL;
    const redisReply *fields = entry->element[1];
    if (fields->type != REDIS_REPLY_ARRAY || fields->elements < 2 ||
        fields->element[1]->type != REDIS_REPLY_STRING)
        return NULL;
    return fields->element[1];
}

/* Applies a read's entries, each under its envelope's seq. */
static int s_apply_entries(bench_sink_t *k, MDB_txn *txn, void *arg)
{
    const redisReply *entries = arg;
    for (size_t i = 0; i < entries->elements; i++) {
        const redisReply *value = s_entry_value(entries->element[i]);
        if (!value)
            return AS_EBADFRAME;
        int rc = bench_sink_apply_envelope(k, txn, value->str, value->len);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* XACKs every entry of the batch in one command. */
static int s_ack(redisContext *c, const char *group, const redisReply *entries)
{
    size_t n = entries->elements + 3;
    const char **argv = malloc(n * sizeof *argv);
    if (!argv)
        return BENCH_EXIT_SOFTWARE;
    argv[0] = "XACK";
    argv[1] = S_KEY;
    argv[2] = group;
    for (size_t i = 0; i < entries->elements; i++)
        argv[i + 3] = entries->element[i]->element[0]->str;
    int rc = s_command(c, (int)n, argv, NULL, "XACK");
    free(argv);
    return rc;
}

static int s_sink(const s_args_t *a)
{
    bench_sink_t k;
    int rc =
        bench_sink_open(&k, "redisbench", a->consumer, a->data_dir, S_SOURCE, a->count, a->batch);
    if (rc != 0)
        return rc;
    redisContext *acker = s_connect(a->port);
    if (!acker)
        rc = BENCH_EXIT_UNAVAILABLE;
    s_reader_t reader;
    bool reading = false;
    if (rc == 0 && (rc = s_reader_start(&reader, a->port, a->consumer, a->batch)) == 0)
        reading = true;
    bench_sink_ready(&k, rc == 0 ? a->ready_path : NULL);
    while (rc == 0 && !bench_sink_done(&k)) {
        redisReply *whole = NULL;
        int error = 0;
        redisReply *entries = s_reader_take(&reader, &whole, &error);
        if (error) {
            rc = error;
            break;
        }
        if (!entries) {
            rc = bench_sink_idle(&k);
            continue;
        }
        rc = bench_sink_commit(&k, entries->elements, s_apply_entries, entries);
        if (rc == 0) {
            rc = s_ack(acker, a->consumer, entries); /* after the commit */
            bench_sink_note_applied(&k);
        }
        freeReplyObject(whole);
    }
    rc = bench_sink_finish(&k, rc, a->report_path, a->samples_path);
    if (reading)
        s_reader_stop(&reader);
    redisFree(acker);
    bench_sink_close(&k);
    return rc;
}

/* --- main -------------------------------------------------------------------- */

static const bench_peer_cli_t s_cli = {
    .prog = "redisbench",
    .consumer_option = "group",
    .consumer_short = 'G',
    .url = false,
    .max_ack_pending = false,
    .usage = s_usage,
    .setup = s_setup,
    .pub = s_pub,
    .sink = s_sink,
};

int main(int argc, char **argv)
{
    return bench_peer_main(&s_cli, argc, argv);
}
