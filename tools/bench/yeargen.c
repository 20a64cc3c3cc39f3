/* yeargen.c — a dealer group's year in the outboxes, for kpi to rebuild
 * (run.sh's part kpiyear; tools/bench/README.md, "kpiyear").
 *
 *   yeargen gen --out DIR --sites S --days D --ros R [--first-day YYYY-MM-DD]
 *               [--batch N] [--report FILE]
 *       writes the outboxes of S sites' reception, workshop and parts
 *       (DIR/site-NN/{reception,workshop,parts}: real stores, opened with the
 *       services' own databases, the events appended by as_pub_emit, about
 *       --batch events per commit) for D working days (Monday to Friday from
 *       --first-day, default 2025-01-02) of R repair orders a day: every RO's
 *       life as the services emit it (yeargen_events.c; about 25 events an
 *       RO). DIR/last_seqs gets each source's last seq ("source=seq" lines).
 *   yeargen version
 *       the generator's version (run.sh keys its cache of stores with it).
 *
 * Everything generated is a function of (site, day, RO), so a store written
 * again is the same store, and a transaction run again after the map grew
 * emits the same events. Exit codes: 0 done, 64 usage, 70 internal, 74 I/O
 * (a store that cannot be written, or that holds events already). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/pub.h"
#include "as/store.h"
#include "bench_util.h"
#include "parts_service.h"
#include "reception_service.h"
#include "workshop_service.h"
#include "yeargen.h"

typedef struct txn_arg {
    yg_gen_t *g;
    yg_src_t *src;
    uint64_t events0;
} txn_arg_t;

/* days g->day0 .. g->day1 - 1 of one source, in one transaction */
static int s_write_days(MDB_txn *txn, void *arg)
{
    txn_arg_t *a = arg;
    as_pub_begin(a->src->pub);
    a->src->events = a->events0; /* a run again after the map grew counts again */
    int rc = 0;
    for (unsigned day = a->g->day0; day < a->g->day1 && rc == 0; day++)
        rc = yg_write_day(a->g, txn, a->src, day);
    return rc;
}

static int s_open_src(yg_src_t *src, const char *dir, const char *service, const char *site,
                      const char *const *dbs)
{
    char path[1100];
    snprintf(path, sizeof path, "%.1000s/%.60s", dir, service);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -errno;
    as_store_error_t why;
    /* a first map of 2 GiB: a site's year fits without growing (LMDB maps sparsely) */
    src->store = as_store_open_why(path, dbs, (size_t)2 << 30, &why);
    if (!src->store) {
        fprintf(stderr, "yeargen: %s\n", why.text);
        return why.code;
    }
    snprintf(src->source, sizeof src->source, "%s@%s", service, site);
    as_pub_config_t cfg = {.source = src->source};
    int err = 0;
    src->pub = as_pub_new(NULL, src->store, &cfg, &err);
    if (!src->pub)
        return err;
    if (as_pub_last_seq(src->pub) != 0) {
        fprintf(stderr,
                "yeargen: %s already holds %" PRIu64 " events: generate into an empty dir\n", path,
                as_pub_last_seq(src->pub));
        return AS_EINVALID;
    }
    src->events = 0;
    return 0;
}

static void s_close_src(yg_src_t *src)
{
    as_pub_destroy(&src->pub);
    as_store_close(&src->store);
}

static int s_usage(const char *why)
{
    if (why)
        fprintf(stderr, "yeargen: %s\n", why);
    fprintf(stderr,
            "usage: yeargen gen --out DIR --sites S --days D --ros R [--first-day YYYY-MM-DD]\n"
            "                   [--batch N] [--report FILE]\n"
            "       yeargen version\n");
    return BENCH_EXIT_USAGE;
}

static int s_gen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},       {"sites", required_argument, NULL, 's'},
        {"days", required_argument, NULL, 'd'},      {"ros", required_argument, NULL, 'r'},
        {"first-day", required_argument, NULL, 'f'}, {"batch", required_argument, NULL, 'b'},
        {"report", required_argument, NULL, 'R'},    {NULL, 0, NULL, 0}};
    yg_gen_t *g = calloc(1, sizeof *g);
    if (!g)
        return BENCH_EXIT_SOFTWARE;
    const char *out = NULL, *report = NULL;
    uint64_t sites = 0, days = 0, ros = 0, batch = 5000;
    snprintf(g->first_day, sizeof g->first_day, "2025-01-02");
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 's':
            if (bench_count_arg("yeargen", "sites", optarg, &sites, true))
                return 64;
            break;
        case 'd':
            if (bench_count_arg("yeargen", "days", optarg, &days, true))
                return 64;
            break;
        case 'r':
            if (bench_count_arg("yeargen", "ros", optarg, &ros, true))
                return 64;
            break;
        case 'b':
            if (bench_count_arg("yeargen", "batch", optarg, &batch, true))
                return 64;
            break;
        case 'f':
            if (!as_date_valid(optarg))
                return s_usage("--first-day takes a date YYYY-MM-DD");
            snprintf(g->first_day, sizeof g->first_day, "%s", optarg);
            break;
        case 'R':
            report = optarg;
            break;
        default:
            return s_usage(NULL);
        }
    }
    if (!out || !sites || !days || !ros)
        return s_usage("gen needs --out, --sites, --days and --ros");
    if (sites > 99 || days > 1000 || ros > 999)
        return s_usage("at most 99 sites, 1,000 days and 999 ROs a day");
    g->sites = (unsigned)sites;
    g->days = (unsigned)days;
    g->ros = (unsigned)ros;
    /* a commit holds about --batch events: ~9 events per RO and source */
    g->days_per_txn = (unsigned)(batch / (9 * ros + 1)) + 1;
    if (mkdir(out, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "yeargen: cannot make %s: %s\n", out, strerror(errno));
        return BENCH_EXIT_IOERR;
    }
    int64_t started = bench_now_us();
    uint64_t total = 0, commits = 0;
    FILE *seqs = NULL;
    char path[1024];
    snprintf(path, sizeof path, "%s/last_seqs", out);
    if (!(seqs = fopen(path, "w"))) {
        fprintf(stderr, "yeargen: cannot write %s: %s\n", path, strerror(errno));
        return BENCH_EXIT_IOERR;
    }
    int rc = 0;
    for (unsigned s = 1; s <= g->sites && rc == 0; s++) {
        char dir[1024];
        g->site_no = s;
        snprintf(g->site, sizeof g->site, "site-%02u", s);
        snprintf(dir, sizeof dir, "%s/%s", out, g->site);
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            rc = -errno;
            break;
        }
        struct {
            yg_src_t *src;
            const char *service;
            const char *const *dbs;
        } srcs[] = {{&g->rec, "reception", reception_service.dbs},
                    {&g->ws, "workshop", workshop_service.dbs},
                    {&g->parts, "parts", parts_service.dbs}};
        for (size_t i = 0; i < 3 && rc == 0; i++) {
            yg_src_t *src = srcs[i].src;
            if ((rc = s_open_src(src, dir, srcs[i].service, g->site, srcs[i].dbs)) != 0)
                break;
            for (unsigned d = 0; d < g->days && rc == 0; d += g->days_per_txn) {
                g->day0 = d;
                g->day1 = d + g->days_per_txn < g->days ? d + g->days_per_txn : g->days;
                txn_arg_t a = {g, src, src->events};
                rc = as_store_write(src->store, s_write_days, &a);
                if (rc == 0) {
                    as_pub_committed(src->pub);
                    commits++;
                } else {
                    as_pub_aborted(src->pub);
                }
            }
            if (rc == 0) {
                fprintf(seqs, "%s=%" PRIu64 "\n", src->source, as_pub_last_seq(src->pub));
                total += src->events;
            }
            s_close_src(src);
        }
    }
    fclose(seqs);
    if (rc != 0) {
        fprintf(stderr, "yeargen: writing the outboxes failed: %s\n", as_strerror(rc));
        free(g);
        return BENCH_EXIT_IOERR;
    }
    int64_t ended = bench_now_us();
    double secs = (double)(ended - started) / 1e6;
    fprintf(stderr,
            "yeargen: %u sites x %u days x %u ROs: %" PRIu64 " events (%.1f per RO) in %.1f s, "
            "%.0f events/s, %" PRIu64 " commits\n",
            g->sites, g->days, g->ros, total, (double)total / ((double)sites * days * ros), secs,
            total / (secs > 0 ? secs : 1), commits);
    if (report) {
        FILE *f = fopen(report, "w");
        if (!f)
            return BENCH_EXIT_IOERR;
        char last[AS_DATE_LEN + 1];
        int64_t ignored;
        yg_day(g, g->days - 1, last, &ignored);
        fprintf(f,
                "{\"version\": %d, \"sites\": %u, \"days\": %u, \"ros_per_day\": %u, "
                "\"events\": %" PRIu64 ", \"events_per_ro\": %.2f, \"seconds\": %.3f, "
                "\"events_per_second\": %.0f, \"commits\": %" PRIu64 ", \"cpu_ms\": %" PRId64
                ", \"first_day\": \"%s\", \"last_day\": \"%s\"}\n",
                YEARGEN_VERSION, g->sites, g->days, g->ros, total,
                (double)total / ((double)sites * days * ros), secs, total / (secs > 0 ? secs : 1),
                commits, bench_cpu_ms(), g->first_day, last);
        fclose(f);
    }
    free(g);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return s_usage(NULL);
    const char *cmd = argv[1];
    argv[1] = argv[0];
    if (strcmp(cmd, "gen") == 0)
        return s_gen(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0)
        return printf("%d\n", YEARGEN_VERSION) > 0 ? 0 : BENCH_EXIT_IOERR;
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        s_usage(NULL);
        return 0;
    }
    return s_usage("the first word is gen or version");
}
