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
#include <nats/nats.h>
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

typedef bench_peer_args_t s_args_t;

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
        uint64_t want = bench_pub_due(a->count, a->rate, sent, first);
        if (want == 0) {
            bench_sleep_until(bench_now_us() + S_TICK_US);
            continue;
        }
        for (uint64_t i = 0; i < want && s == NATS_OK; i++) {
            size_t len = bench_pack_event(sent + 1, S_SOURCE, incarnation, buf, sizeof buf);
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
    rc = bench_pub_finish(&report, sent - s_pub_errors, s_pub_errors, rc, a->report_path);
    s_disconnect(&nc, &js);
    return rc;
}

/* --- sink -------------------------------------------------------------------- */

/* Applies a fetched batch: each event under its stream sequence, skipping
 * what the offset says is committed (redeliveries). */
static int s_apply_batch(bench_sink_t *k, MDB_txn *txn, void *arg)
{
    const natsMsgList *list = arg;
    for (int i = 0; i < list->Count; i++) {
        natsMsg *msg = list->Msgs[i];
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
        int rc = bench_sink_store(k, txn, seq, env->payload.data, env->payload.len, env->time_us);
        as__envelope__free_unpacked(env, NULL);
        if (rc != 0)
            return rc;
    }
    return 0;
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
    bench_sink_t k;
    int rc = bench_sink_open(&k, "jsbench", a->consumer, a->data_dir, S_STREAM, a->count, a->batch);
    if (rc != 0)
        return rc;
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsSubscription *sub = NULL;
    rc = s_connect(a->url, &nc, &js, NULL);
    if (rc == 0) {
        jsSubOptions so;
        jsSubOptions_Init(&so);
        so.Stream = S_STREAM;
        so.Consumer = a->consumer;
        jsErrCode jerr = 0;
        natsStatus s = js_PullSubscribe(&sub, js, S_SUBJECTS, a->consumer, NULL, &so, &jerr);
        if (s != NATS_OK)
            rc = s_nats_fail("cannot bind to the durable consumer", s);
    }
    s_fetcher_t fetcher;
    bool fetching = false;
    if (rc == 0 && (rc = s_fetcher_start(&fetcher, sub, (int)a->batch)) == 0)
        fetching = true;
    bench_sink_ready(&k, rc == 0 ? a->ready_path : NULL);
    while (rc == 0 && !bench_sink_done(&k)) {
        natsMsgList list = {0};
        natsStatus s = s_fetcher_take(&fetcher, &list);
        if (s == NATS_TIMEOUT) {
            rc = bench_sink_idle(&k);
            continue;
        }
        if (s != NATS_OK) {
            rc = s_nats_fail("fetch", s);
            break;
        }
        rc = bench_sink_commit(&k, (size_t)list.Count, s_apply_batch, &list);
        if (rc == 0) {
            /* ack all: acking the batch's last event acks the ones before it */
            natsMsg_Ack(list.Msgs[list.Count - 1], NULL);
            bench_sink_note_applied(&k);
        }
        natsMsgList_Destroy(&list);
    }
    rc = bench_sink_finish(&k, rc, a->report_path, a->samples_path);
    if (nc) {
        natsConnection_Flush(nc); /* the last ack leaves before we go */
        natsConnection_Close(nc); /* ends the fetcher's long poll */
    }
    if (fetching)
        s_fetcher_stop(&fetcher);
    natsSubscription_Destroy(sub);
    if (nc)
        s_disconnect(&nc, &js);
    bench_sink_close(&k);
    return rc;
}

/* --- main -------------------------------------------------------------------- */

static const bench_peer_cli_t s_cli = {
    .prog = "jsbench",
    .consumer_option = "durable",
    .consumer_short = 'D',
    .url = true,
    .max_ack_pending = true,
    .usage = s_usage,
    .setup = s_setup,
    .pub = s_pub,
    .sink = s_sink,
};

int main(int argc, char **argv)
{
    return bench_peer_main(&s_cli, argc, argv);
}
