/* asbench — our side of the benchmarks, on the real runtime.
 *
 *   asbench sink   --config FILE --expect N --report FILE [--samples FILE] [--name SERVICE]
 *   asbench source --config FILE --count N [--rate R] [--delay-ms MS] [--report FILE]
 *                  [--name SERVICE]
 *   asbench merge  [--out FILE] PREFIX...
 *
 * sink: a consumer service (default name "bench") that follows the services
 * in its config section and applies every event like a real consumer would:
 * one record per event plus a running total, with the offset, in the turn's
 * transaction (fsync on). It notes publish-to-received latency (now - the
 * event's time) as it stores an event in the turn's transaction, and
 * publish-to-applied latency after the commit. When N events are applied it
 * writes a JSON report (and the samples: FILE for applied, FILE's .rcv
 * beside it for received) and exits 0.
 *
 * source: an external publisher that speaks the bus protocol (outbox, seq,
 * heartbeats, replay endpoint): service "reception" emitting N
 * "reception.ro.opened" events of ~200 bytes, at R events/s (0: as fast as
 * group commit allows, up to 5,000 events per transaction). It keeps serving
 * replays until SIGTERM, then writes its report.
 *
 * merge: reads PREFIX.json and PREFIX.lat (and PREFIX.rcv, where every
 * consumer wrote one) of each consumer of one run and prints (or writes) one
 * JSON summary: events/s until every consumer applied every event, and
 * latency from publish to applied by all (per event, the slowest consumer);
 * with the .rcv files also from publish to received by all, the part before
 * the consumers' commits.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/version.h"
#include "as/error.h"
#include "as/log.h"
#include "as/service.h"
#include "bench_util.h"

#define S_TICK_MS 5         /* a paced source emits what is due every 5 ms */
#define S_MAX_PER_TURN 5000 /* events per source transaction */

static void s_usage(FILE *out)
{
    fprintf(out, "usage: asbench sink --config FILE --expect N --report FILE [--samples FILE]\n"
                 "                    [--name SERVICE]\n"
                 "       asbench source --config FILE --count N [--rate R] [--delay-ms MS]\n"
                 "                    [--report FILE] [--name SERVICE]\n"
                 "       asbench merge [--out FILE] PREFIX...\n"
                 "\n"
                 "  sink    a durable consumer (default service 'bench') that stores every event\n"
                 "          it follows with its offset (fsync on) and, once N events are applied,\n"
                 "          writes a JSON report (throughput, publish-to-applied p50/p99/p99.9,\n"
                 "          publish-to-received ones, peak RSS) and the raw latency samples\n"
                 "          (FILE: applied; FILE's .rcv: received), then exits\n"
                 "  source  service 'reception' (default): emits N reception.ro.opened events\n"
                 "          of ~200 bytes at R/s (0: as fast as it can) MS ms after it starts,\n"
                 "          serves replays until SIGTERM, then writes its report\n"
                 "  merge   combines the PREFIX.json reports and PREFIX.lat (and .rcv) samples\n"
                 "          of the consumers of one run: events/s until all applied every event,\n"
                 "          latency from publish to applied by all (and to received by all)\n"
                 "\n"
                 "Services read [SERVICE], [site] and [bus] from FILE.\n"
                 "Exit codes: 0 done, 1 stopped before every event was applied, 64 usage,\n"
                 "70 internal error, 74 cannot write the report, 78 config error.\n");
}

/* --- sink ------------------------------------------------------------------ */

static const char *const sink_dbs[] = {"events", "totals", NULL};

typedef struct {
    uint64_t expect;
    const char *report_path;
    const char *samples_path;
    bench_samples_t *samples;  /* publish to applied (committed) */
    bench_samples_t *received; /* publish to received (in the turn's transaction) */
    uint64_t applied;
    int64_t started_us;
    int64_t first_event_us;
    int64_t first_applied_us;
    int64_t last_applied_us;
    int exit_code;
    as_service_t *svc;
} sink_t;

static sink_t sink;

/* One record per event (its payload under its seq) and a running count. */
static int evt_store(as_evt_t *evt)
{
    const As__Envelope *env = evt->env;
    bench_samples_note(sink.received, env->seq, bench_now_us() - env->time_us);
    MDB_dbi events = as_store_dbi(as_service_store(evt->svc), "events");
    MDB_dbi totals = as_store_dbi(as_service_store(evt->svc), "totals");
    unsigned char key[8];
    for (int i = 0; i < 8; i++)
        key[i] = (unsigned char)(env->seq >> (56 - 8 * i));
    MDB_val k = {sizeof key, key}, v = {env->payload.len, env->payload.data};
    int rc = mdb_put(evt->txn, events, &k, &v, 0);
    if (rc != 0)
        return rc;
    MDB_val tk = {5, "count"}, tv;
    uint64_t count = 0;
    if (mdb_get(evt->txn, totals, &tk, &tv) == 0 && tv.mv_size == sizeof count)
        memcpy(&count, tv.mv_data, sizeof count);
    count++;
    tv.mv_size = sizeof count;
    tv.mv_data = &count;
    return mdb_put(evt->txn, totals, &tk, &tv, 0);
}

static void s_sink_finish(void)
{
    bench_report_t report = {
        .role = "sink",
        .name = as_service_name(sink.svc),
        .events = sink.applied < sink.expect ? sink.applied : sink.expect,
        .started_us = sink.started_us,
        .first_event_us = sink.first_event_us,
        .first_applied_us = sink.first_applied_us,
        .last_applied_us = sink.last_applied_us,
        .commits = as_store_commits(as_service_store(sink.svc)),
        .lat = bench_samples_percentiles(sink.samples),
        .received = bench_samples_percentiles(sink.received),
        .peak_rss_kb = bench_peak_rss_kb(),
        .rss_anon_peak_kb = bench_rss_anon_peak_kb(),
        .cpu_ms = bench_cpu_ms(),
        .rss_file_kb = bench_rss_file_kb(),
    };
    int rc = bench_report_write(&report, sink.report_path);
    if (rc == 0 && sink.samples_path)
        rc = bench_samples_write_consumer(sink.samples, sink.received, sink.samples_path);
    if (rc != 0) {
        as_error("cannot write the report: %s", as_strerror(rc));
        sink.exit_code = BENCH_EXIT_IOERR;
    }
}

static void s_sink_applied(as_service_t *svc, const As__Envelope *env)
{
    int64_t now = bench_now_us();
    if (sink.applied == 0) {
        sink.first_applied_us = now;
        sink.first_event_us = env->time_us;
    }
    bench_samples_note(sink.samples, env->seq, now - env->time_us);
    sink.applied++;
    sink.last_applied_us = now;
    if ((sink.applied & 255) == 0)
        bench_rss_anon_sample();
    if (sink.applied == sink.expect) {
        s_sink_finish();
        as_service_stop(svc);
    }
}

static int s_sink_start(as_service_t *svc)
{
    sink.svc = svc;
    return 0;
}

static const as_event_def_t sink_events[] = {
    {"demo.tick.emitted", evt_store, .raw = true},
    {BENCH_EVENT_TYPE, evt_store, .raw = true},
    {NULL, NULL},
};

/* --- source ------------------------------------------------------------------ */

typedef struct {
    as_service_t *svc;
    uint64_t count;
    uint64_t rate;
    uint64_t delay_ms;
    const char *report_path;
    uint64_t emitted;
    int64_t started_us;
    int64_t first_emit_us;
    int64_t last_emit_us;
    uint64_t turns;
    uv_timer_t timer;
    uv_idle_t idle;
} source_t;

static source_t source;

static int s_emit_txn(as_service_t *svc, MDB_txn *txn, void *arg)
{
    uint64_t want = *(uint64_t *)arg;
    uint8_t payload[BENCH_PAYLOAD_MAX];
    for (uint64_t i = 0; i < want; i++) {
        const char *subject, *actor;
        size_t len =
            bench_ro_payload(source.emitted + i + 1, payload, sizeof payload, &subject, &actor);
        as_event_t ev = {.type = BENCH_EVENT_TYPE,
                         .subject = subject,
                         .actor = actor,
                         .payload = payload,
                         .payload_len = len};
        int rc = as_service_emit(svc, txn, &ev);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Emits what is due now (everything left, paced by the rate), in one
 * transaction of at most S_MAX_PER_TURN events. */
static void s_source_turn(void)
{
    int64_t now = bench_now_us();
    if (source.first_emit_us == 0)
        source.first_emit_us = now;
    uint64_t want = source.count - source.emitted;
    if (source.rate) {
        double elapsed = (double)(now - source.first_emit_us) / 1e6;
        uint64_t due = (uint64_t)(elapsed * (double)source.rate) + 1;
        want = due > source.emitted ? due - source.emitted : 0;
        if (want > source.count - source.emitted)
            want = source.count - source.emitted;
    }
    if (want > S_MAX_PER_TURN)
        want = S_MAX_PER_TURN;
    if (want == 0)
        return;
    int rc = as_service_write(source.svc, s_emit_txn, &want);
    if (rc != 0) {
        as_error("emitting failed: %s", as_strerror(rc));
        return;
    }
    source.emitted += want;
    source.turns++;
    source.last_emit_us = bench_now_us();
    if (source.emitted >= source.count) {
        uv_timer_stop(&source.timer);
        uv_idle_stop(&source.idle);
        as_info("emitted %llu events in %llu transactions", (unsigned long long)source.emitted,
                (unsigned long long)source.turns);
    }
}

static void s_source_idle(uv_idle_t *idle)
{
    (void)idle;
    s_source_turn();
}

static void s_source_tick(uv_timer_t *timer)
{
    (void)timer;
    if (source.rate == 0) { /* the delay is over: emit on every turn of the loop */
        uv_timer_stop(&source.timer);
        uv_idle_start(&source.idle, s_source_idle);
        return;
    }
    s_source_turn();
}

static int s_source_start(as_service_t *svc)
{
    source.svc = svc;
    uv_timer_init(as_service_loop(svc), &source.timer);
    uv_idle_init(as_service_loop(svc), &source.idle);
    /* the delay lets the consumers' subscriptions reach our PUB socket */
    uv_timer_start(&source.timer, s_source_tick, source.delay_ms, S_TICK_MS);
    return 0;
}

static void s_source_stop(as_service_t *svc)
{
    (void)svc;
    uv_timer_stop(&source.timer);
    uv_idle_stop(&source.idle);
}

/* --- merge ------------------------------------------------------------------- */

/* Per event, the slowest consumer's latency of one kind (-1: some consumer
 * has no sample of it). */
typedef struct {
    int32_t *worst;
    size_t n;
    bool absent; /* some consumer had no such file: no figures */
} merge_worst_t;

typedef struct {
    int64_t first_event_us;
    int64_t last_applied_us;
    uint64_t events;
    merge_worst_t applied;  /* publish to applied (PREFIX.lat) */
    merge_worst_t received; /* publish to received (PREFIX.rcv), where measured */
    size_t consumers;
    uint64_t missing; /* events some consumer never applied */
} merge_t;

/* Reads one consumer's samples (raw int32 per event) from `path` into *out
 * (malloc'd) and their count. Returns 0, -ENOENT when there is no such
 * file, or BENCH_EXIT_IOERR (said on stderr). */
static int s_samples_read(const char *path, int32_t **out, size_t *n_out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return -ENOENT;
        fprintf(stderr, "asbench merge: %s: %s\n", path, strerror(errno));
        return BENCH_EXIT_IOERR;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    size_t n = size > 0 ? (size_t)size / sizeof(int32_t) : 0;
    int32_t *lat = malloc((n ? n : 1) * sizeof *lat);
    if (!lat || fread(lat, sizeof *lat, n, f) != n) {
        fprintf(stderr, "asbench merge: cannot read %s\n", path);
        free(lat);
        fclose(f);
        return BENCH_EXIT_IOERR;
    }
    fclose(f);
    *out = lat;
    *n_out = n;
    return 0;
}

/* Takes one consumer's samples into the per-event worst (owns lat). */
static void s_worst_add(merge_worst_t *w, int32_t *lat, size_t n, bool first)
{
    if (first) {
        w->worst = lat;
        w->n = n;
        return;
    }
    size_t common = n < w->n ? n : w->n;
    for (size_t i = 0; i < common; i++)
        if (lat[i] < 0 || w->worst[i] < 0)
            w->worst[i] = -1;
        else if (lat[i] > w->worst[i])
            w->worst[i] = lat[i];
    w->n = common;
    free(lat);
}

static int s_merge_one(merge_t *m, const char *prefix)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.json", prefix);
    json_error_t jerr;
    json_t *report = json_load_file(path, 0, &jerr);
    if (!report) {
        fprintf(stderr, "asbench merge: %s: %s\n", path, jerr.text);
        return BENCH_EXIT_IOERR;
    }
    int64_t first = json_integer_value(json_object_get(report, "first_event_us"));
    int64_t last = json_integer_value(json_object_get(report, "last_applied_us"));
    uint64_t events = (uint64_t)json_integer_value(json_object_get(report, "events"));
    json_decref(report);
    if (m->consumers == 0 || first < m->first_event_us)
        m->first_event_us = first;
    if (last > m->last_applied_us)
        m->last_applied_us = last;
    if (m->consumers == 0 || events < m->events)
        m->events = events;

    int32_t *lat = NULL;
    size_t n = 0;
    snprintf(path, sizeof path, "%s.lat", prefix);
    int rc = s_samples_read(path, &lat, &n);
    if (rc == -ENOENT)
        fprintf(stderr, "asbench merge: %s: %s\n", path, strerror(ENOENT));
    if (rc != 0)
        return BENCH_EXIT_IOERR;
    s_worst_add(&m->applied, lat, n, m->consumers == 0);

    snprintf(path, sizeof path, "%s.rcv", prefix);
    rc = m->received.absent ? -ENOENT : s_samples_read(path, &lat, &n);
    if (rc == -ENOENT) {
        m->received.absent = true;
        free(m->received.worst);
        m->received.worst = NULL;
    } else if (rc != 0) {
        return rc;
    } else {
        s_worst_add(&m->received, lat, n, m->consumers == 0);
    }
    m->consumers++;
    return 0;
}

static int s_merge(int argc, char **argv, const char *out_path)
{
    merge_t m = {0};
    for (int i = 0; i < argc; i++) {
        int rc = s_merge_one(&m, argv[i]);
        if (rc != 0) {
            free(m.applied.worst);
            free(m.received.worst);
            return rc;
        }
    }
    for (size_t i = 0; i < m.applied.n; i++)
        m.missing += m.applied.worst[i] < 0;
    bench_percentiles_t p = bench_percentiles_of(m.applied.worst, m.applied.n);
    double seconds = (double)(m.last_applied_us - m.first_event_us) / 1e6;
    json_t *summary =
        json_pack("{s:I,s:I,s:f,s:f,s:I,s:I,s:I,s:I,s:I}", "events", (json_int_t)m.events,
                  "consumers", (json_int_t)m.consumers, "seconds", seconds, "events_per_second",
                  seconds > 0 ? (double)m.events / seconds : 0.0, "p50_us", (json_int_t)p.p50_us,
                  "p99_us", (json_int_t)p.p99_us, "p999_us", (json_int_t)p.p999_us, "max_us",
                  (json_int_t)p.max_us, "missing", (json_int_t)m.missing);
    if (summary && !m.received.absent && m.consumers > 0) {
        /* publish to received by all: the part of the latency before the
         * consumers' commits */
        bench_percentiles_t r = bench_percentiles_of(m.received.worst, m.received.n);
        json_object_set_new(summary, "received_p50_us", json_integer(r.p50_us));
        json_object_set_new(summary, "received_p99_us", json_integer(r.p99_us));
        json_object_set_new(summary, "received_p999_us", json_integer(r.p999_us));
        json_object_set_new(summary, "received_max_us", json_integer(r.max_us));
    }
    free(m.applied.worst);
    free(m.received.worst);
    int rc = out_path ? json_dump_file(summary, out_path, JSON_INDENT(2))
                      : json_dumpf(summary, stdout, JSON_INDENT(2));
    if (!out_path)
        putchar('\n');
    json_decref(summary);
    return rc == 0 ? (m.missing ? BENCH_EXIT_INCOMPLETE : 0) : BENCH_EXIT_IOERR;
}

/* --- main -------------------------------------------------------------------- */

static const as_service_def_t *s_def(const char *mode, const char *name)
{
    static as_service_def_t def;
    memset(&def, 0, sizeof def);
    def.name = name;
    if (strcmp(mode, "sink") == 0) {
        def.dbs = sink_dbs;
        def.events = sink_events;
        def.on_start = s_sink_start;
        def.on_applied = s_sink_applied;
    } else {
        def.on_start = s_source_start;
        def.on_stop = s_source_stop;
    }
    return &def;
}

static int s_run_service(const char *mode, const char *name, const char *config_path)
{
    as_log_init(name, AS_LOG_WARN);
    char *err = NULL;
    as_config_t *cfg = as_config_load(config_path, &err);
    if (!cfg) {
        as_error("%s", err ? err : "cannot load the config");
        free(err);
        return BENCH_EXIT_CONFIG;
    }
    int rc = 0;
    as_service_t *svc = as_service_new(s_def(mode, name), cfg, &rc);
    if (!svc) {
        as_config_destroy(&cfg);
        return rc == AS_ECONFIG ? BENCH_EXIT_CONFIG : BENCH_EXIT_SOFTWARE;
    }
    as_service_run(svc);
    int code = 0;
    if (strcmp(mode, "sink") == 0) {
        code = sink.exit_code ? sink.exit_code
                              : (sink.applied >= sink.expect ? 0 : BENCH_EXIT_INCOMPLETE);
    } else if (source.report_path) {
        bench_report_t report = {.role = "source",
                                 .name = name,
                                 .events = source.emitted,
                                 .started_us = source.started_us,
                                 .first_event_us = source.first_emit_us,
                                 .first_applied_us = source.first_emit_us,
                                 .last_applied_us = source.last_emit_us,
                                 .commits = as_store_commits(as_service_store(svc)),
                                 .peak_rss_kb = bench_peak_rss_kb(),
                                 .rss_anon_peak_kb = bench_rss_anon_peak_kb(),
                                 .cpu_ms = bench_cpu_ms(),
                                 .rss_file_kb = bench_rss_file_kb()};
        if (bench_report_write(&report, source.report_path) != 0)
            code = BENCH_EXIT_IOERR;
    }
    if (strcmp(mode, "source") == 0 && code == 0 && source.emitted < source.count)
        code = BENCH_EXIT_INCOMPLETE;
    as_service_destroy(&svc);
    as_config_destroy(&cfg);
    return code;
}

int main(int argc, char **argv)
{
    if (as_version_option(argc, argv))
        return 0;
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"expect", required_argument, NULL, 'n'},
        {"count", required_argument, NULL, 'n'},
        {"report", required_argument, NULL, 'r'},
        {"samples", required_argument, NULL, 's'},
        {"name", required_argument, NULL, 'N'},
        {"rate", required_argument, NULL, 'R'},
        {"delay-ms", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL, *name = NULL, *report_path = NULL, *samples_path = NULL;
    const char *out_path = NULL;
    uint64_t count = 0, rate = 0, delay_ms = 300;
    int opt;
    while ((opt = getopt_long(argc, argv, "c:n:r:s:N:R:d:o:h", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            config_path = optarg;
            break;
        case 'n':
            if (bench_parse_count(optarg, &count) != 0 || count == 0) {
                fprintf(stderr, "asbench: the count must be a positive number\n");
                return BENCH_EXIT_USAGE;
            }
            break;
        case 'R':
            if (bench_parse_count(optarg, &rate) != 0) {
                fprintf(stderr, "asbench: --rate must be a number of events per second\n");
                return BENCH_EXIT_USAGE;
            }
            break;
        case 'd':
            if (bench_parse_count(optarg, &delay_ms) != 0) {
                fprintf(stderr, "asbench: --delay-ms must be a number\n");
                return BENCH_EXIT_USAGE;
            }
            break;
        case 'r':
            report_path = optarg;
            break;
        case 's':
            samples_path = optarg;
            break;
        case 'N':
            name = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'h':
            s_usage(stdout);
            return 0;
        default:
            s_usage(stderr);
            return BENCH_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        s_usage(stderr);
        return BENCH_EXIT_USAGE;
    }
    const char *mode = argv[optind];
    if (strcmp(mode, "merge") == 0) {
        if (optind + 1 >= argc) {
            s_usage(stderr);
            return BENCH_EXIT_USAGE;
        }
        return s_merge(argc - optind - 1, argv + optind + 1, out_path);
    }
    bool is_sink = strcmp(mode, "sink") == 0, is_source = strcmp(mode, "source") == 0;
    if ((!is_sink && !is_source) || optind + 1 != argc || !config_path || !count ||
        (is_sink && !report_path)) {
        s_usage(stderr);
        return BENCH_EXIT_USAGE;
    }
    int code;
    if (is_sink) {
        sink.expect = count;
        sink.report_path = report_path;
        sink.samples_path = samples_path;
        sink.started_us = bench_now_us();
        sink.samples = bench_samples_new(count);
        sink.received = bench_samples_new(count);
        if (!sink.samples || !sink.received) {
            fprintf(stderr, "asbench: out of memory\n");
            bench_samples_destroy(&sink.samples);
            bench_samples_destroy(&sink.received);
            return BENCH_EXIT_SOFTWARE;
        }
        code = s_run_service(mode, name ? name : "bench", config_path);
        bench_samples_destroy(&sink.samples);
        bench_samples_destroy(&sink.received);
    } else {
        source.count = count;
        source.rate = rate;
        source.delay_ms = delay_ms;
        source.report_path = report_path;
        source.started_us = bench_now_us();
        code = s_run_service(mode, name ? name : "reception", config_path);
    }
    return code;
}
