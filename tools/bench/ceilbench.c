/* ceilbench — what this machine allows, without our protocol on top.
 *
 *   ceilbench zmq-pub --connect EP --count N [--size BYTES] [--delay-ms MS] [--report FILE]
 *   ceilbench zmq-sub --connect EP --expect N --report FILE [--samples FILE]
 *   ceilbench lmdb --dir DIR --count N [--batch B] [--writers W] [--size BYTES] --report FILE
 *
 * zmq-pub / zmq-sub: raw ZeroMQ PUB/SUB through a forwarder (run asbus between
 * them): two-frame messages [<site>/<type>][body] of the size of one of our events,
 * nothing decoded, nothing stored, no high-water mark (nothing dropped).
 * The body starts with its number and the time it was sent, so a subscriber
 * reports the same figures as our consumers.
 *
 * lmdb: raw LMDB batched puts with fsync: W processes (one environment each,
 * like W consumers) each put N records (an 8-byte big-endian key and a value
 * of BYTES bytes) in transactions of B records plus an offset record, with the
 * default sync on commit (no MDB_NOSYNC). Reports the events/s until every
 * writer committed N, commits/s, and the writers' CPU time together (cpu_ms:
 * what the store work costs per event, to add to the ZeroMQ ceiling's).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "as/version.h"
#include "bench_util.h"

/* the topic one of our events travels under: "<site>/<type>" (as/envelope.h),
 * of a source of site "bench" as in run.sh; the subscriber takes that
 * source's prefix, as a consumer of reception@bench does */
#define S_SITE "bench"
#define S_TOPIC S_SITE "/" BENCH_EVENT_TYPE
#define S_PREFIX S_SITE "/reception."
#define S_SUB_IDLE_LIMIT_S 30 /* a subscriber that sees nothing this long gives up */
#define S_READY_LIMIT_S 60    /* the publisher waits this long for the subscribers */

typedef struct {
    const char *connect;
    const char *dir;
    const char *report_path;
    const char *samples_path;
    const char *ready_dir; /* zmq: the subscribers say here they receive */
    uint64_t subscribers;  /* zmq-pub: how many must say so first */
    uint64_t count;
    uint64_t size;
    uint64_t batch;
    uint64_t writers;
    uint64_t delay_ms;
} s_args_t;

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: ceilbench zmq-pub --connect EP --count N [--size BYTES] [--delay-ms MS]\n"
            "                 [--ready-dir DIR --subscribers K] [--report FILE]\n"
            "       ceilbench zmq-sub --connect EP --expect N --report FILE [--samples FILE]\n"
            "                 [--ready-dir DIR]\n"
            "       ceilbench lmdb --dir DIR --count N [--batch B] [--writers W] [--size BYTES]\n"
            "                 --report FILE\n"
            "\n"
            "  zmq-pub  sends N two-frame messages (BYTES bytes, default 360: one of our\n"
            "           events) to a forwarder's XSUB endpoint, as fast as it can\n"
            "  zmq-sub  receives them from the forwarder's XPUB endpoint; after N writes a\n"
            "           JSON report (events/s, send-to-receive latency)\n"
            "  --ready-dir: the publisher sends warm-up messages (not counted) until K\n"
            "           subscribers have each received one and left a file in DIR; without\n"
            "           it, it waits --delay-ms (default 500) for the subscriptions\n"
            "  lmdb     W writer processes (default 1), one LMDB environment each, put N\n"
            "           records (BYTES bytes, default 200) in transactions of B (default\n"
            "           2000) plus an offset record, fsync on every commit\n"
            "\n"
            "Exit codes: 0 done, 1 not every message arrived, 64 usage, 70 internal error,\n"
            "74 I/O error.\n");
}

/* --- ZeroMQ ------------------------------------------------------------------ */

typedef struct {
    uint64_t number;
    int64_t sent_us;
} s_stamp_t;

/* Number of entries in dir (not . and ..), 0 when it cannot be read. */
static uint64_t s_files_in(const char *dir)
{
    DIR *d = opendir(dir);
    uint64_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* Sends warm-up messages (number 0) every 10 ms until a->subscribers files
 * are in a->ready_dir: each subscriber's subscription then reached the
 * forwarder and this socket, so none misses the first counted message
 * (a fixed wait could be too short on a loaded machine). */
static bool s_subscribers_ready(void *pub, const s_args_t *a, uint8_t *body)
{
    s_stamp_t warm = {0, 0};
    memcpy(body, &warm, sizeof warm);
    for (int i = 0; i < S_READY_LIMIT_S * 100; i++) {
        if (s_files_in(a->ready_dir) >= a->subscribers)
            return true;
        if (zmq_send(pub, S_TOPIC, strlen(S_TOPIC), ZMQ_SNDMORE) < 0 ||
            zmq_send(pub, body, a->size, 0) < 0)
            return false;
        usleep(10000);
    }
    return false;
}

/* A subscriber says it receives: a file of its own in a->ready_dir. */
static void s_say_ready(const s_args_t *a)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/sub.%ld", a->ready_dir, (long)getpid());
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
}

static int s_zmq_pub(const s_args_t *a)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    int hwm = 0, linger = -1;
    zmq_setsockopt(pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(pub, a->connect) != 0) {
        fprintf(stderr, "ceilbench: cannot connect to %s: %s\n", a->connect, zmq_strerror(errno));
        zmq_close(pub);
        zmq_ctx_term(ctx);
        return BENCH_EXIT_USAGE;
    }
    uint8_t *body = calloc(1, a->size);
    if (!body)
        return BENCH_EXIT_SOFTWARE;
    if (a->ready_dir) {
        if (!s_subscribers_ready(pub, a, body)) {
            fprintf(stderr, "ceilbench: %llu subscribers did not receive within %d s\n",
                    (unsigned long long)a->subscribers, S_READY_LIMIT_S);
            free(body);
            zmq_close(pub);
            zmq_ctx_term(ctx);
            return BENCH_EXIT_SOFTWARE;
        }
    } else {
        usleep((useconds_t)(a->delay_ms * 1000)); /* the subscriptions reach us */
    }
    bench_report_t report = {.role = "zmq-pub", .name = "pub", .started_us = bench_now_us()};
    report.first_event_us = report.first_applied_us = bench_now_us();
    int rc = 0;
    for (uint64_t n = 1; n <= a->count; n++) {
        s_stamp_t stamp = {n, bench_now_us()};
        memcpy(body, &stamp, sizeof stamp);
        if (zmq_send(pub, S_TOPIC, strlen(S_TOPIC), ZMQ_SNDMORE) < 0 ||
            zmq_send(pub, body, a->size, 0) < 0) {
            fprintf(stderr, "ceilbench: send failed: %s\n", zmq_strerror(errno));
            rc = BENCH_EXIT_SOFTWARE;
            break;
        }
        report.events = n;
    }
    report.last_applied_us = bench_now_us();
    free(body);
    zmq_close(pub); /* linger -1: every message leaves first */
    zmq_ctx_term(ctx);
    report.peak_rss_kb = bench_peak_rss_kb();
    report.cpu_ms = bench_cpu_ms();
    report.rss_file_kb = bench_rss_file_kb();
    report.rss_anon_peak_kb = bench_rss_anon_peak_kb();
    if (a->report_path && bench_report_write(&report, a->report_path) != 0 && rc == 0)
        rc = BENCH_EXIT_IOERR;
    return rc;
}

static int s_zmq_sub(const s_args_t *a)
{
    int64_t started = bench_now_us();
    bench_samples_t *samples = bench_samples_new(a->count);
    void *ctx = zmq_ctx_new();
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    int hwm = 0, linger = 0, timeout_ms = 1000;
    zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, S_PREFIX, strlen(S_PREFIX));
    if (!samples || zmq_connect(sub, a->connect) != 0) {
        fprintf(stderr, "ceilbench: cannot connect to %s\n", a->connect);
        zmq_close(sub);
        zmq_ctx_term(ctx);
        bench_samples_destroy(&samples);
        return BENCH_EXIT_USAGE;
    }
    bench_report_t report = {.role = "zmq-sub", .name = "sub", .started_us = started};
    int64_t idle_since = bench_now_us();
    bool ready = false;
    zmq_msg_t topic, body;
    zmq_msg_init(&topic);
    zmq_msg_init(&body);
    while (bench_samples_count(samples) < a->count) {
        if (zmq_msg_recv(&topic, sub, 0) < 0) {
            if (bench_now_us() - idle_since > (int64_t)S_SUB_IDLE_LIMIT_S * 1000000)
                break;
            continue;
        }
        if (!zmq_msg_more(&topic) || zmq_msg_recv(&body, sub, 0) < 0)
            continue;
        idle_since = bench_now_us();
        s_stamp_t stamp;
        if (zmq_msg_size(&body) < sizeof stamp)
            continue;
        memcpy(&stamp, zmq_msg_data(&body), sizeof stamp);
        if (stamp.number == 0) { /* a warm-up: say once that messages arrive */
            if (a->ready_dir && !ready)
                s_say_ready(a);
            ready = true;
            continue;
        }
        int64_t now = bench_now_us();
        if (report.first_applied_us == 0) {
            report.first_applied_us = now;
            report.first_event_us = stamp.sent_us;
        }
        report.last_applied_us = now;
        bench_samples_note(samples, stamp.number, now - stamp.sent_us);
    }
    zmq_msg_close(&topic);
    zmq_msg_close(&body);
    zmq_close(sub);
    zmq_ctx_term(ctx);
    report.events = bench_samples_count(samples);
    report.lat = bench_samples_percentiles(samples);
    report.peak_rss_kb = bench_peak_rss_kb();
    report.cpu_ms = bench_cpu_ms();
    report.rss_file_kb = bench_rss_file_kb();
    report.rss_anon_peak_kb = bench_rss_anon_peak_kb();
    int rc = report.events == a->count ? 0 : BENCH_EXIT_INCOMPLETE;
    if (bench_report_write(&report, a->report_path) != 0 ||
        (a->samples_path && bench_samples_write(samples, a->samples_path) != 0))
        rc = BENCH_EXIT_IOERR;
    bench_samples_destroy(&samples);
    return rc;
}

/* --- LMDB -------------------------------------------------------------------- */

/* One writer: its own environment in dir/wN. Returns 0 or an LMDB code /
 * -errno; *commits gets the number of transactions. */
static int s_lmdb_writer(const s_args_t *a, unsigned index, uint64_t *commits)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/w%u", a->dir, index);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -errno;
    MDB_env *env = NULL;
    MDB_dbi records, offsets;
    uint8_t *value = calloc(1, a->size);
    int rc = value ? mdb_env_create(&env) : -ENOMEM;
    if (rc == 0)
        rc = mdb_env_set_maxdbs(env, 4);
    if (rc == 0) /* records, a B-tree's worth of pages, and room to spare */
        rc = mdb_env_set_mapsize(env, (size_t)(a->count * (a->size + 64) * 3 + (64u << 20)));
    if (rc == 0)
        rc = mdb_env_open(env, path, 0, 0600); /* default flags: fsync on every commit */
    MDB_txn *txn = NULL;
    if (rc == 0)
        rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc == 0)
        rc = mdb_dbi_open(txn, "records", MDB_CREATE, &records);
    if (rc == 0)
        rc = mdb_dbi_open(txn, "offsets", MDB_CREATE, &offsets);
    if (rc == 0) {
        rc = mdb_txn_commit(txn);
        txn = NULL;
    }
    for (uint64_t n = 1; rc == 0 && n <= a->count;) {
        if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
            break;
        uint64_t end = n + a->batch;
        for (; rc == 0 && n < end && n <= a->count; n++) {
            unsigned char key[8];
            for (int b = 0; b < 8; b++)
                key[b] = (unsigned char)(n >> (56 - 8 * b));
            memcpy(value, &n, sizeof n < a->size ? sizeof n : a->size);
            MDB_val k = {sizeof key, key}, v = {a->size, value};
            rc = mdb_put(txn, records, &k, &v, 0);
        }
        if (rc == 0) {
            uint64_t offset = n - 1;
            MDB_val k = {6, "source"}, v = {sizeof offset, &offset};
            rc = mdb_put(txn, offsets, &k, &v, 0);
        }
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
        txn = NULL;
        (*commits)++;
    }
    if (env)
        mdb_env_close(env);
    free(value);
    return rc;
}

static int s_lmdb(const s_args_t *a)
{
    if (mkdir(a->dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "ceilbench: cannot make %s: %s\n", a->dir, strerror(errno));
        return BENCH_EXIT_IOERR;
    }
    int pipes[2];
    if (pipe(pipes) != 0)
        return BENCH_EXIT_SOFTWARE;
    int64_t start = bench_now_us();
    for (unsigned w = 0; w < a->writers; w++) {
        pid_t pid = fork();
        if (pid < 0)
            return BENCH_EXIT_SOFTWARE;
        if (pid == 0) {
            close(pipes[0]);
            uint64_t commits = 0;
            int rc = s_lmdb_writer(a, w, &commits);
            if (rc != 0)
                fprintf(stderr, "ceilbench: writer %u: %s\n", w, mdb_strerror(rc));
            int64_t line[3] = {rc, (int64_t)commits, bench_now_us()};
            ssize_t wrote = write(pipes[1], line, sizeof line);
            _exit(rc == 0 && wrote == (ssize_t)sizeof line ? 0 : 1);
        }
    }
    close(pipes[1]);
    int64_t last = start;
    uint64_t commits = 0;
    int rc = 0;
    for (unsigned w = 0; w < a->writers; w++) {
        int64_t line[3];
        if (read(pipes[0], line, sizeof line) != (ssize_t)sizeof line || line[0] != 0) {
            rc = BENCH_EXIT_IOERR;
            continue;
        }
        commits += (uint64_t)line[1];
        if (line[2] > last)
            last = line[2];
    }
    close(pipes[0]);
    while (wait(NULL) > 0)
        ;
    double seconds = (double)(last - start) / 1e6;
    struct rusage writers;
    getrusage(RUSAGE_CHILDREN, &writers); /* every writer, all waited for */
    json_int_t cpu_ms = (json_int_t)(writers.ru_utime.tv_sec + writers.ru_stime.tv_sec) * 1000 +
                        (writers.ru_utime.tv_usec + writers.ru_stime.tv_usec) / 1000;
    json_t *report = json_pack("{s:s,s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:I}", "role", "lmdb", "events",
                               (json_int_t)a->count, "writers", (json_int_t)a->writers, "batch",
                               (json_int_t)a->batch, "commits", (json_int_t)commits, "seconds",
                               seconds, "events_per_second",
                               seconds > 0 ? (double)a->count / seconds : 0.0, "commits_per_second",
                               seconds > 0 ? (double)commits / seconds : 0.0, "cpu_ms", cpu_ms);
    if (json_dump_file(report, a->report_path, JSON_INDENT(2)) != 0 && rc == 0)
        rc = BENCH_EXIT_IOERR;
    json_decref(report);
    return rc;
}

/* --- main -------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (as_version_option(argc, argv))
        return 0;
    static const struct option options[] = {
        {"connect", required_argument, NULL, 'c'},
        {"dir", required_argument, NULL, 'd'},
        {"count", required_argument, NULL, 'n'},
        {"expect", required_argument, NULL, 'n'},
        {"size", required_argument, NULL, 'S'},
        {"batch", required_argument, NULL, 'b'},
        {"writers", required_argument, NULL, 'w'},
        {"delay-ms", required_argument, NULL, 'D'},
        {"report", required_argument, NULL, 'r'},
        {"samples", required_argument, NULL, 's'},
        {"ready-dir", required_argument, NULL, 'R'},
        {"subscribers", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    s_args_t a = {.size = 0, .batch = 2000, .writers = 1, .delay_ms = 500};
    int opt;
    while ((opt = getopt_long(argc, argv, "c:d:n:S:b:w:D:r:s:R:K:h", options, NULL)) != -1) {
        uint64_t *target = NULL;
        switch (opt) {
        case 'c':
            a.connect = optarg;
            break;
        case 'd':
            a.dir = optarg;
            break;
        case 'n':
            target = &a.count;
            break;
        case 'S':
            target = &a.size;
            break;
        case 'b':
            target = &a.batch;
            break;
        case 'w':
            target = &a.writers;
            break;
        case 'D':
            target = &a.delay_ms;
            break;
        case 'r':
            a.report_path = optarg;
            break;
        case 's':
            a.samples_path = optarg;
            break;
        case 'R':
            a.ready_dir = optarg;
            break;
        case 'K':
            target = &a.subscribers;
            break;
        case 'h':
            s_usage(stdout);
            return 0;
        default:
            s_usage(stderr);
            return BENCH_EXIT_USAGE;
        }
        if (target && bench_parse_count(optarg, target) != 0) {
            fprintf(stderr, "ceilbench: -%c needs a number\n", opt);
            return BENCH_EXIT_USAGE;
        }
    }
    const char *mode = optind + 1 == argc ? argv[optind] : "";
    bool ok = a.count > 0 && a.batch > 0 && a.writers > 0 && a.writers <= 64;
    if (ok && strcmp(mode, "zmq-pub") == 0 && a.connect && (!a.ready_dir || a.subscribers > 0)) {
        if (a.size < sizeof(s_stamp_t))
            a.size = 360;
        return s_zmq_pub(&a);
    }
    if (ok && strcmp(mode, "zmq-sub") == 0 && a.connect && a.report_path)
        return s_zmq_sub(&a);
    if (ok && strcmp(mode, "lmdb") == 0 && a.dir && a.report_path) {
        if (a.size == 0)
            a.size = 200;
        return s_lmdb(&a);
    }
    s_usage(stderr);
    return BENCH_EXIT_USAGE;
}
