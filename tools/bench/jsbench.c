/* jsbench — the peer: the same benchmark work on NATS JetStream.
 *
 *   jsbench setup --url URL --consumers NAME,NAME... [--max-ack-pending N]
 *   jsbench pub   --url URL --count N [--rate R] [--max-pending N] [--report FILE]
 *   jsbench sink  --url URL --durable NAME --data DIR --expect N --report FILE
 *                 [--samples FILE] [--batch B] [--ready FILE]
 *
 * setup makes the stream "RO" (subjects "reception.>", file storage) and one
 * durable pull consumer per name (deliver all, ack all).
 *
 * pub sends N "reception.ro.opened" events, each the same packed envelope
 * (with the same ~200-byte payload) that our source sends, by asynchronous
 * publish with acks, paced like ours (what is due every 5 ms; R = 0: as fast
 * as the acks allow), and waits for every ack.
 *
 * sink applies each event into an LMDB store exactly like our consumer does,
 * through the same store module: one record per event (its payload under its
 * stream sequence) plus a running total, and the stream sequence as the
 * offset, in one write transaction per fetched batch (fsync on); it acks the
 * batch (ack all) after the commit, skips what the offset says it applied
 * (redeliveries), and notes publish-to-applied latency after each commit. A
 * fetcher thread keeps up to two batches fetched while one commits, as our
 * consumer's ZeroMQ I/O thread keeps receiving while it commits.
 */
#include <errno.h>
#include <getopt.h>
#include <nats/nats.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "as/version.h"
#include "as/envelope.h"
#include "as/error.h"
#include "as/store.h"
#include "bench_util.h"

#define S_STREAM "RO"
#define S_SUBJECTS "reception.>"
#define S_SOURCE "reception@bench"
#define S_TICK_US 5000 /* a paced publisher sends what is due every 5 ms */
/* How long a fetch may wait. libnats 3.4 hands events that arrive for a fetch
 * it gave up on to the next fetch on top of a full batch, and writes them past
 * the end of its own array (heap corruption, seen here with 250 ms under
 * load): so no fetch is ever given up while the server may still answer it.
 * A no-wait fetch is answered at once; a long poll for one event is ended by
 * closing the connection. */
#define S_WAIT_MS 30000
#define S_IDLE_LIMIT_S 120 /* a sink that sees nothing this long gives up */

typedef struct {
    const char *url;
    const char *consumers;
    const char *durable;
    const char *data_dir;
    const char *report_path;
    const char *samples_path;
    const char *ready_path;
    uint64_t count;
    uint64_t rate;
    uint64_t batch;
    uint64_t max_pending;
    uint64_t max_ack_pending;
} s_args_t;

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: jsbench setup --url URL --consumers NAME,NAME... [--max-ack-pending N]\n"
            "       jsbench pub --url URL --count N [--rate R] [--max-pending N] [--report FILE]\n"
            "       jsbench sink --url URL --durable NAME --data DIR --expect N --report FILE\n"
            "                    [--samples FILE] [--batch B] [--ready FILE]\n"
            "\n"
            "  setup  (re)creates stream RO (reception.>, file storage) and a durable pull\n"
            "         consumer per NAME (deliver all, ack all, max ack pending N: 50000)\n"
            "  pub    publishes N reception.ro.opened envelopes (~200-byte payload, the\n"
            "         same bytes our source sends) asynchronously with acks, at R/s (0: as\n"
            "         fast as it can; at most --max-pending unacked: 20000), waits for\n"
            "         every ack and writes a JSON report\n"
            "  sink   fetches batches (at most B, default 5000) from durable NAME, applies\n"
            "         each batch into an LMDB store in DIR in one transaction (record +\n"
            "         total + stream sequence as offset, fsync on), acks after the commit;\n"
            "         after N events writes a JSON report and the latency samples\n"
            "\n"
            "Exit codes: 0 done, 1 gave up before every event was applied, 64 usage,\n"
            "69 the server did not answer, 70 internal error, 74 I/O error.\n");
}

static int s_nats_fail(const char *what, natsStatus s)
{
    const char *text = nats_GetLastError(NULL);
    fprintf(stderr, "jsbench: %s: %s (%s)\n", what, natsStatus_GetText(s), text ? text : "");
    return s == NATS_NO_SERVER || s == NATS_TIMEOUT || s == NATS_CONNECTION_CLOSED
               ? BENCH_EXIT_UNAVAILABLE
               : BENCH_EXIT_SOFTWARE;
}

static int s_connect(const char *url, natsConnection **nc, jsCtx **js, jsOptions *jo)
{
    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK)
        s = natsOptions_SetURL(opts, url);
    if (s == NATS_OK)
        s = natsOptions_SetMaxPendingMsgs(opts, 1000000);
    if (s == NATS_OK)
        s = natsConnection_Connect(nc, opts);
    natsOptions_Destroy(opts);
    if (s != NATS_OK)
        return s_nats_fail("cannot connect", s);
    s = natsConnection_JetStream(js, *nc, jo);
    if (s != NATS_OK)
        return s_nats_fail("no JetStream context", s);
    return 0;
}

static void s_disconnect(natsConnection **nc, jsCtx **js)
{
    jsCtx_Destroy(*js);
    natsConnection_Destroy(*nc);
    *js = NULL;
    *nc = NULL;
    nats_Close();
}

/* --- setup ------------------------------------------------------------------- */

static int s_setup(const s_args_t *a)
{
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    int rc = s_connect(a->url, &nc, &js, NULL);
    if (rc != 0)
        return rc;
    jsErrCode jerr = 0;
    js_DeleteStream(js, S_STREAM, NULL, &jerr); /* a stream left from an earlier run */
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    const char *subjects[] = {S_SUBJECTS};
    sc.Name = S_STREAM;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Retention = js_LimitsPolicy;
    jsStreamInfo *si = NULL;
    natsStatus s = js_AddStream(&si, js, &sc, NULL, &jerr);
    jsStreamInfo_Destroy(si);
    if (s != NATS_OK) {
        rc = s_nats_fail("cannot create stream " S_STREAM, s);
        goto out;
    }
    char *names = strdup(a->consumers);
    if (!names) {
        rc = BENCH_EXIT_SOFTWARE;
        goto out;
    }
    for (char *save = NULL, *name = strtok_r(names, ",", &save); name && s == NATS_OK;
         name = strtok_r(NULL, ",", &save)) {
        jsConsumerConfig cc;
        jsConsumerConfig_Init(&cc);
        cc.Durable = name;
        cc.DeliverPolicy = js_DeliverAll;
        cc.AckPolicy = js_AckAll;
        cc.MaxAckPending = (int64_t)a->max_ack_pending;
        cc.AckWait = (int64_t)60 * 1000000000; /* a batch's commit never takes that long */
        jsConsumerInfo *ci = NULL;
        s = js_AddConsumer(&ci, js, S_STREAM, &cc, NULL, &jerr);
        jsConsumerInfo_Destroy(ci);
        if (s != NATS_OK)
            rc = s_nats_fail("cannot create consumer", s);
    }
    free(names);
out:
    s_disconnect(&nc, &js);
    return rc;
}

/* --- pub --------------------------------------------------------------------- */

static uint64_t s_pub_errors;

static void s_pub_error(jsCtx *js, jsPubAckErr *pae, void *closure)
{
    (void)js;
    (void)closure;
    if (s_pub_errors++ < 5)
        fprintf(stderr, "jsbench: publish failed: %s\n",
                pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err));
}

/* Packs event number `n` as our source would: the envelope around the
 * payload, with the time it is published. */
static size_t s_pack_event(uint64_t n, const char *incarnation, uint8_t *buf, size_t cap)
{
    uint8_t payload[BENCH_PAYLOAD_MAX];
    const char *subject, *actor;
    size_t payload_len = bench_ro_payload(n, payload, sizeof payload, &subject, &actor);
    char id[AS_UUID_LEN + 1];
    as_uuidv7(id);
    As__Envelope env = AS__ENVELOPE__INIT;
    env.id = id;
    env.source = S_SOURCE;
    env.incarnation = (char *)incarnation;
    env.has_seq = env.has_time_us = env.has_schema_version = env.has_payload = 1;
    env.seq = n;
    env.type = BENCH_EVENT_TYPE;
    env.time_us = bench_now_us();
    env.subject = (char *)subject;
    env.actor = (char *)actor;
    env.schema_version = 1;
    env.payload.data = payload;
    env.payload.len = payload_len;
    size_t len = as__envelope__get_packed_size(&env);
    if (len > cap)
        return 0;
    return as__envelope__pack(&env, buf);
}

static void s_sleep_until(int64_t when_us)
{
    int64_t now = bench_now_us();
    if (when_us <= now)
        return;
    struct timespec ts = {(time_t)((when_us - now) / 1000000),
                          (long)((when_us - now) % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static int s_pub(const s_args_t *a)
{
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.MaxPending = (int64_t)a->max_pending;
    jo.PublishAsync.ErrHandler = s_pub_error;
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    int rc = s_connect(a->url, &nc, &js, &jo);
    if (rc != 0)
        return rc;
    char incarnation[AS_UUID_LEN + 1];
    as_uuidv7(incarnation);
    bench_report_t report = {.role = "pub", .name = "jetstream", .started_us = bench_now_us()};
    uint8_t buf[2 * BENCH_PAYLOAD_MAX];
    natsStatus s = NATS_OK;
    uint64_t sent = 0;
    int64_t first = bench_now_us();
    report.first_event_us = report.first_applied_us = first;
    while (sent < a->count && s == NATS_OK) {
        uint64_t want = a->count - sent;
        if (a->rate) {
            double elapsed = (double)(bench_now_us() - first) / 1e6;
            uint64_t due = (uint64_t)(elapsed * (double)a->rate) + 1;
            want = due > sent ? due - sent : 0;
            if (want > a->count - sent)
                want = a->count - sent;
            if (want == 0) {
                s_sleep_until(bench_now_us() + S_TICK_US);
                continue;
            }
        }
        for (uint64_t i = 0; i < want && s == NATS_OK; i++) {
            size_t len = s_pack_event(sent + 1, incarnation, buf, sizeof buf);
            s = js_PublishAsync(js, BENCH_EVENT_TYPE, buf, (int)len, NULL);
            if (s == NATS_OK)
                sent++;
        }
    }
    if (s != NATS_OK) {
        rc = s_nats_fail("publish", s);
    } else {
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MaxWait = 120000;
        s = js_PublishAsyncComplete(js, &po);
        if (s != NATS_OK)
            rc = s_nats_fail("waiting for the publish acks", s);
    }
    report.events = sent - s_pub_errors;
    report.last_applied_us = bench_now_us();
    report.peak_rss_kb = bench_peak_rss_kb();
    report.cpu_ms = bench_cpu_ms();
    report.rss_file_kb = bench_rss_file_kb();
    if (rc == 0 && s_pub_errors)
        rc = BENCH_EXIT_INCOMPLETE;
    if (a->report_path && bench_report_write(&report, a->report_path) != 0 && rc == 0)
        rc = BENCH_EXIT_IOERR;
    s_disconnect(&nc, &js);
    return rc;
}

/* --- sink -------------------------------------------------------------------- */

static const char *const sink_dbs[] = {"events", "totals", NULL};

typedef struct {
    as_store_t *store;
    natsMsgList *list;
    uint64_t applied_seq; /* the offset: last stream sequence committed */
    /* what the transaction applied (filled by each run of it) */
    uint64_t *seqs;
    int64_t *times;
    size_t n, cap;
    uint64_t last_seq;
} s_sink_t;

/* Makes room for what one transaction applies: a fetch may hand over more
 * than one batch (events of an earlier, timed-out request arrive with it). */
static int s_sink_reserve(s_sink_t *k, size_t count)
{
    if (count <= k->cap)
        return 0;
    uint64_t *seqs = realloc(k->seqs, count * sizeof *seqs);
    if (!seqs)
        return -ENOMEM;
    k->seqs = seqs;
    int64_t *times = realloc(k->times, count * sizeof *times);
    if (!times)
        return -ENOMEM;
    k->times = times;
    k->cap = count;
    return 0;
}

static int s_sink_txn(MDB_txn *txn, void *arg)
{
    s_sink_t *k = arg;
    int rrc = s_sink_reserve(k, (size_t)k->list->Count);
    if (rrc != 0)
        return rrc;
    MDB_dbi events = as_store_dbi(k->store, "events");
    MDB_dbi totals = as_store_dbi(k->store, "totals");
    k->n = 0;
    k->last_seq = k->applied_seq;
    for (int i = 0; i < k->list->Count; i++) {
        natsMsg *msg = k->list->Msgs[i];
        jsMsgMetaData *meta = NULL;
        if (natsMsg_GetMetaData(&meta, msg) != NATS_OK)
            return AS_EBADFRAME;
        uint64_t seq = meta->Sequence.Stream;
        jsMsgMetaData_Destroy(meta);
        if (seq <= k->last_seq)
            continue; /* a redelivery of what is committed: idempotent */
        int err = 0;
        As__Envelope *env = as_envelope_decode(natsMsg_GetData(msg),
                                               (size_t)natsMsg_GetDataLength(msg), NULL, 0, &err);
        if (!env)
            return err;
        unsigned char key[8];
        for (int b = 0; b < 8; b++)
            key[b] = (unsigned char)(seq >> (56 - 8 * b));
        MDB_val kv = {sizeof key, key}, v = {env->payload.len, env->payload.data};
        int rc = mdb_put(txn, events, &kv, &v, 0);
        if (rc == 0) {
            MDB_val tk = {5, "count"}, tv;
            uint64_t count = 0;
            if (mdb_get(txn, totals, &tk, &tv) == 0 && tv.mv_size == sizeof count)
                memcpy(&count, tv.mv_data, sizeof count);
            count++;
            tv.mv_size = sizeof count;
            tv.mv_data = &count;
            rc = mdb_put(txn, totals, &tk, &tv, 0);
        }
        k->seqs[k->n] = seq;
        k->times[k->n] = env->time_us;
        k->n++;
        k->last_seq = seq;
        as__envelope__free_unpacked(env, NULL);
        if (rc != 0)
            return rc;
    }
    if (k->n == 0)
        return 0;
    As__SourceOffset off = AS__SOURCE_OFFSET__INIT;
    off.source = S_STREAM;
    off.has_applied_seq = 1;
    off.applied_seq = k->last_seq;
    off.endpoint = "";
    return as_offset_put(k->store, txn, &off);
}

static int s_load_offset(MDB_txn *txn, void *arg)
{
    s_sink_t *k = arg;
    As__SourceOffset *off = NULL;
    int rc = as_offset_get(k->store, txn, S_STREAM, &off);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc == 0) {
        k->applied_seq = off->applied_seq;
        as__source_offset__free_unpacked(off, NULL);
    }
    return rc;
}

/* Waits for the next batch: first what is there now (no wait), and when
 * nothing is, a long poll for one event, so a lone event is not held back
 * until a batch fills. */
static natsStatus s_fetch(natsSubscription *sub, natsMsgList *list, int batch)
{
    jsFetchRequest req;
    jsFetchRequest_Init(&req);
    req.Batch = batch;
    req.NoWait = true;
    req.Expires = (int64_t)S_WAIT_MS * 1000000;
    natsStatus s = natsSubscription_FetchRequest(list, sub, &req);
    if (s == NATS_OK && list->Count > 0)
        return s;
    if (s == NATS_OK)
        natsMsgList_Destroy(list);
    return natsSubscription_Fetch(list, sub, 1, S_WAIT_MS, NULL);
}

/* The fetcher thread keeps up to S_AHEAD fetched batches waiting while the
 * main thread commits one, as our consumer's I/O thread keeps receiving while
 * it commits: without it, every fetch would wait for the previous fsync. */
#define S_AHEAD 2

typedef struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    natsSubscription *sub;
    int batch;
    natsMsgList ring[S_AHEAD];
    size_t head, count;
    natsStatus error; /* a fetch failed for good */
    bool stop;
} s_fetcher_t;

static void *s_fetcher_run(void *arg)
{
    s_fetcher_t *f = arg;
    for (;;) {
        pthread_mutex_lock(&f->lock);
        while (f->count == S_AHEAD && !f->stop)
            pthread_cond_wait(&f->changed, &f->lock);
        bool stop = f->stop;
        pthread_mutex_unlock(&f->lock);
        if (stop)
            break;
        natsMsgList list = {0};
        natsStatus s = s_fetch(f->sub, &list, f->batch);
        if (s == NATS_TIMEOUT || s == NATS_NOT_FOUND)
            continue;
        pthread_mutex_lock(&f->lock);
        if (s == NATS_OK) {
            f->ring[(f->head + f->count) % S_AHEAD] = list;
            f->count++;
        } else {
            f->error = s;
            f->stop = true;
        }
        pthread_cond_broadcast(&f->changed);
        pthread_mutex_unlock(&f->lock);
    }
    return NULL;
}

/* Takes the next fetched batch into *list, waiting up to S_WAIT_MS. Returns
 * NATS_OK, NATS_TIMEOUT, or the error that stopped the fetcher. */
static natsStatus s_fetcher_take(s_fetcher_t *f, natsMsgList *list)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += (long)S_WAIT_MS * 1000000;
    deadline.tv_sec += deadline.tv_nsec / 1000000000;
    deadline.tv_nsec %= 1000000000;
    pthread_mutex_lock(&f->lock);
    while (f->count == 0 && f->error == NATS_OK)
        if (pthread_cond_timedwait(&f->changed, &f->lock, &deadline) != 0)
            break;
    natsStatus s = f->count > 0 ? NATS_OK : (f->error != NATS_OK ? f->error : NATS_TIMEOUT);
    if (f->count > 0) {
        *list = f->ring[f->head];
        f->head = (f->head + 1) % S_AHEAD;
        f->count--;
        pthread_cond_broadcast(&f->changed);
    }
    pthread_mutex_unlock(&f->lock);
    return s;
}

static int s_fetcher_start(s_fetcher_t *f, natsSubscription *sub, int batch)
{
    memset(f, 0, sizeof *f);
    f->sub = sub;
    f->batch = batch;
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->changed, NULL);
    return pthread_create(&f->thread, NULL, s_fetcher_run, f) == 0 ? 0 : BENCH_EXIT_SOFTWARE;
}

/* Stops the fetcher (within a long poll's wait) and drops what it fetched. */
static void s_fetcher_stop(s_fetcher_t *f)
{
    pthread_mutex_lock(&f->lock);
    f->stop = true;
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->thread, NULL);
    while (f->count > 0) {
        natsMsgList_Destroy(&f->ring[f->head]);
        f->head = (f->head + 1) % S_AHEAD;
        f->count--;
    }
    pthread_cond_destroy(&f->changed);
    pthread_mutex_destroy(&f->lock);
}

static int s_sink(const s_args_t *a)
{
    int64_t started = bench_now_us();
    int err = 0;
    s_sink_t k = {0};
    k.store = as_store_open(a->data_dir, sink_dbs, 0, &err);
    bench_samples_t *samples = bench_samples_new(a->count);
    if (!k.store || !samples || s_sink_reserve(&k, a->batch) != 0) {
        fprintf(stderr, "jsbench: cannot open the store in %s: %s\n", a->data_dir,
                k.store ? "out of memory" : as_strerror(err));
        as_store_close(&k.store);
        bench_samples_destroy(&samples);
        free(k.seqs);
        free(k.times);
        return BENCH_EXIT_IOERR;
    }
    int rc = as_store_read(k.store, s_load_offset, &k);
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsSubscription *sub = NULL;
    if (rc == 0)
        rc = s_connect(a->url, &nc, &js, NULL);
    if (rc == 0) {
        jsSubOptions so;
        jsSubOptions_Init(&so);
        so.Stream = S_STREAM;
        so.Consumer = a->durable;
        jsErrCode jerr = 0;
        natsStatus s = js_PullSubscribe(&sub, js, S_SUBJECTS, a->durable, NULL, &so, &jerr);
        if (s != NATS_OK)
            rc = s_nats_fail("cannot bind to the durable consumer", s);
    }
    s_fetcher_t fetcher;
    bool fetching = false;
    if (rc == 0 && (rc = s_fetcher_start(&fetcher, sub, (int)a->batch)) == 0)
        fetching = true;
    if (rc == 0 && a->ready_path) {
        FILE *f = fopen(a->ready_path, "w");
        if (f)
            fclose(f);
    }
    bench_report_t report = {.role = "sink", .name = a->durable, .started_us = started};
    int64_t idle_since = bench_now_us();
    while (rc == 0 && bench_samples_count(samples) < a->count) {
        natsMsgList list = {0};
        natsStatus s = s_fetcher_take(&fetcher, &list);
        if (s == NATS_TIMEOUT) {
            if (bench_now_us() - idle_since > (int64_t)S_IDLE_LIMIT_S * 1000000) {
                fprintf(stderr, "jsbench: nothing for %d s; giving up\n", S_IDLE_LIMIT_S);
                rc = BENCH_EXIT_INCOMPLETE;
            }
            continue;
        }
        if (s != NATS_OK) {
            rc = s_nats_fail("fetch", s);
            break;
        }
        idle_since = bench_now_us();
        k.list = &list;
        int wrc = as_store_write(k.store, s_sink_txn, &k);
        if (wrc != 0) {
            fprintf(stderr, "jsbench: write transaction failed: %s\n", as_strerror(wrc));
            rc = BENCH_EXIT_IOERR;
        } else {
            /* ack all: acking the batch's last event acks the ones before it */
            natsMsg_Ack(list.Msgs[list.Count - 1], NULL);
            k.applied_seq = k.last_seq;
            int64_t now = bench_now_us();
            for (size_t i = 0; i < k.n; i++) {
                if (report.first_applied_us == 0) {
                    report.first_applied_us = now;
                    report.first_event_us = k.times[i];
                }
                bench_samples_note(samples, k.seqs[i], now - k.times[i]);
            }
            if (k.n > 0)
                report.last_applied_us = now;
        }
        natsMsgList_Destroy(&list);
    }
    report.events = bench_samples_count(samples);
    report.commits = as_store_commits(k.store);
    report.lat = bench_samples_percentiles(samples);
    report.peak_rss_kb = bench_peak_rss_kb();
    report.cpu_ms = bench_cpu_ms();
    report.rss_file_kb = bench_rss_file_kb();
    if (report.events > 0 || rc == 0) {
        if (bench_report_write(&report, a->report_path) != 0 ||
            (a->samples_path && bench_samples_write(samples, a->samples_path) != 0)) {
            fprintf(stderr, "jsbench: cannot write the report\n");
            if (rc == 0)
                rc = BENCH_EXIT_IOERR;
        }
    }
    if (nc) {
        natsConnection_Flush(nc); /* the last ack leaves before we go */
        natsConnection_Close(nc); /* ends the fetcher's long poll */
    }
    if (fetching)
        s_fetcher_stop(&fetcher);
    natsSubscription_Destroy(sub);
    if (nc)
        s_disconnect(&nc, &js);
    as_store_close(&k.store);
    bench_samples_destroy(&samples);
    free(k.seqs);
    free(k.times);
    return rc;
}

/* --- main -------------------------------------------------------------------- */

static int s_count_arg(const char *name, const char *text, uint64_t *out, bool positive)
{
    if (bench_parse_count(text, out) != 0 || (positive && *out == 0)) {
        fprintf(stderr, "jsbench: --%s must be a%s number\n", name, positive ? " positive" : "");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (as_version_option(argc, argv))
        return 0;
    static const struct option options[] = {
        {"url", required_argument, NULL, 'u'},
        {"consumers", required_argument, NULL, 'C'},
        {"durable", required_argument, NULL, 'D'},
        {"data", required_argument, NULL, 'd'},
        {"count", required_argument, NULL, 'n'},
        {"expect", required_argument, NULL, 'n'},
        {"rate", required_argument, NULL, 'R'},
        {"batch", required_argument, NULL, 'b'},
        {"max-pending", required_argument, NULL, 'p'},
        {"max-ack-pending", required_argument, NULL, 'A'},
        {"report", required_argument, NULL, 'r'},
        {"samples", required_argument, NULL, 's'},
        {"ready", required_argument, NULL, 'y'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    s_args_t a = {.batch = 5000, .max_pending = 20000, .max_ack_pending = 50000};
    int opt;
    while ((opt = getopt_long(argc, argv, "u:C:D:d:n:R:b:p:A:r:s:y:h", options, NULL)) != -1) {
        int bad = 0;
        switch (opt) {
        case 'u':
            a.url = optarg;
            break;
        case 'C':
            a.consumers = optarg;
            break;
        case 'D':
            a.durable = optarg;
            break;
        case 'd':
            a.data_dir = optarg;
            break;
        case 'n':
            bad = s_count_arg("count", optarg, &a.count, true);
            break;
        case 'R':
            bad = s_count_arg("rate", optarg, &a.rate, false);
            break;
        case 'b':
            bad = s_count_arg("batch", optarg, &a.batch, true) || a.batch > 1000000;
            break;
        case 'p':
            bad = s_count_arg("max-pending", optarg, &a.max_pending, true);
            break;
        case 'A':
            bad = s_count_arg("max-ack-pending", optarg, &a.max_ack_pending, true);
            break;
        case 'r':
            a.report_path = optarg;
            break;
        case 's':
            a.samples_path = optarg;
            break;
        case 'y':
            a.ready_path = optarg;
            break;
        case 'h':
            s_usage(stdout);
            return 0;
        default:
            bad = 1;
        }
        if (bad) {
            s_usage(stderr);
            return BENCH_EXIT_USAGE;
        }
    }
    const char *mode = optind + 1 == argc ? argv[optind] : "";
    if (!a.url) {
        s_usage(stderr);
        return BENCH_EXIT_USAGE;
    }
    if (strcmp(mode, "setup") == 0 && a.consumers)
        return s_setup(&a);
    if (strcmp(mode, "pub") == 0 && a.count)
        return s_pub(&a);
    if (strcmp(mode, "sink") == 0 && a.durable && a.data_dir && a.count && a.report_path)
        return s_sink(&a);
    s_usage(stderr);
    return BENCH_EXIT_USAGE;
}
