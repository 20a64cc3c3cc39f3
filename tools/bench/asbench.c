/* asbench — a benchmark consumer on the real runtime.
 *
 *   asbench sink --config FILE --expect N --report FILE [--name SERVICE]
 *
 * Runs as a service (default name "bench") that follows the demo source, and
 * applies every tick like a real consumer would: one record per event plus a
 * running total, with the offset, in the turn's transaction (fsync on). After
 * each commit it notes publish-to-applied latency (now - the event's time).
 * When N events are applied it writes a JSON report and exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/log.h"
#include "as/pb/demo.pb-c.h"
#include "as/service.h"

static const char *const bench_dbs[] = {"events", "totals", NULL};

typedef struct {
    uint64_t expect;
    const char *report_path;
    int64_t *latency_us;
    uint64_t n;
    int64_t first_applied_us;
    int64_t first_event_us;
    int64_t last_applied_us;
    as_service_t *svc;
} bench_t;

static bench_t bench;

static int evt_tick(as_evt_t *evt)
{
    const As__Envelope *env = evt->env;
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

static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void s_write_report(void)
{
    size_t n = bench.n < bench.expect ? bench.n : bench.expect;
    int64_t *lat = bench.latency_us;
    qsort(lat, n, sizeof *lat, s_cmp);
    double seconds = (double)(bench.last_applied_us - bench.first_event_us) / 1e6;
    json_t *report = json_pack(
        "{s:I,s:f,s:f,s:I,s:I,s:I,s:I,s:I}", "events", (json_int_t)n, "seconds", seconds,
        "events_per_second", seconds > 0 ? (double)n / seconds : 0.0, "p50_us",
        (json_int_t)lat[n / 2], "p99_us", (json_int_t)lat[(size_t)((double)n * 0.99)], "p999_us",
        (json_int_t)lat[(size_t)((double)n * 0.999)], "max_us", (json_int_t)lat[n - 1],
        "commits", (json_int_t)as_store_commits(as_service_store(bench.svc)));
    if (json_dump_file(report, bench.report_path, JSON_INDENT(2)) != 0)
        as_error("cannot write the report to %s", bench.report_path);
    json_decref(report);
}

static void on_applied(as_service_t *svc, const As__Envelope *env)
{
    int64_t now = as_now_us();
    if (bench.n == 0) {
        bench.first_applied_us = now;
        bench.first_event_us = env->time_us;
    }
    if (bench.n < bench.expect)
        bench.latency_us[bench.n] = now - env->time_us;
    bench.n++;
    bench.last_applied_us = now;
    if (bench.n == bench.expect) {
        s_write_report();
        as_service_stop(svc);
    }
}

static int s_start(as_service_t *svc)
{
    bench.svc = svc;
    return 0;
}

static const as_event_def_t bench_events[] = {
    {"demo.tick.emitted", evt_tick},
    {NULL, NULL},
};

static void s_usage(FILE *out)
{
    fprintf(out, "usage: asbench sink --config FILE --expect N --report FILE [--name SERVICE]\n"
                 "\n"
                 "A consumer of demo ticks that reports throughput and publish-to-applied\n"
                 "latency (p50/p99/p99.9) as JSON once N events are applied, then exits 0.\n"
                 "Reads [SERVICE] (default 'bench'), [site] and [bus] from FILE.\n");
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"expect", required_argument, NULL, 'n'},
        {"report", required_argument, NULL, 'r'}, {"name", required_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL, *name = "bench";
    int opt;
    while ((opt = getopt_long(argc, argv, "c:n:r:N:h", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            config_path = optarg;
            break;
        case 'n':
            bench.expect = strtoull(optarg, NULL, 10);
            break;
        case 'r':
            bench.report_path = optarg;
            break;
        case 'N':
            name = optarg;
            break;
        case 'h':
            s_usage(stdout);
            return 0;
        default:
            s_usage(stderr);
            return 64;
        }
    }
    if (optind + 1 != argc || strcmp(argv[optind], "sink") || !config_path || !bench.expect ||
        !bench.report_path) {
        s_usage(stderr);
        return 64;
    }
    as_log_init(name, AS_LOG_WARN);
    bench.latency_us = calloc(bench.expect, sizeof *bench.latency_us);
    char *err = NULL;
    as_config_t *cfg = as_config_load(config_path, &err);
    if (!cfg || !bench.latency_us) {
        as_error("%s", err ? err : "out of memory");
        free(err);
        return 78;
    }
    as_service_def_t def = {
        .name = name,
        .dbs = bench_dbs,
        .events = bench_events,
        .on_start = s_start,
        .on_applied = on_applied,
    };
    int rc = 0;
    as_service_t *svc = as_service_new(&def, cfg, &rc);
    if (!svc)
        return rc == AS_ECONFIG ? 78 : 70;
    as_service_run(svc);
    as_service_destroy(&svc);
    as_config_destroy(&cfg);
    free(bench.latency_us);
    return bench.n >= bench.expect ? 0 : 1;
}
