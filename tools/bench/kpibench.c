/* kpibench.c — kpi seen from outside, for run.sh's part kpiyear: how far
 * its rebuild got, how long its report takes, what the build's kpi takes.
 *
 *   kpibench wait --endpoint EP --expect SRC=SEQ,... --started-us US
 *                 [--timeout-s S] [--report FILE]
 *       asks the daemon at EP for its status (as asctl status does) every
 *       100 ms until its offset of every SRC reached SEQ; reports the seconds
 *       from US (kpi's start) and events/s.
 *   kpibench report --endpoint EP --actor ID (--month M | --year Y) --by B
 *                 [--site S | --group] --reps N [--report FILE]
 *       times N kpi.report round trips through kpi's endpoint, one after
 *       another, as asctl sends them: p50/p99, the rows and the first row's
 *       ROs opened and delivered (a check that kpi counted them).
 *   kpibench probe --config FILE
 *       what this build's kpi takes, as JSON: [kpi] sites (the group kpi,
 *       from the config schema), KpiReportRequest's year, site and group
 *       (from its descriptor): year/site/group are set by name, so this
 *       file builds before and after they exist.
 *
 * Exit codes: 0 done, 1 not caught up (wait), 64 usage, 69 the daemon did
 * not answer or refused, 74 I/O, 78 config. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "as/config.h"
#include "as/config_schema.h"
#include "as/error.h"
#include "as/pb/kpi.pb-c.h"
#include "as/pb/rpc.pb-c.h"
#include "as/rpc.h"
#include "bench_util.h"

static int s_usage(const char *why)
{
    if (why)
        fprintf(stderr, "kpibench: %s\n", why);
    fprintf(stderr,
            "usage: kpibench wait --endpoint EP --expect SRC=SEQ,... --started-us US\n"
            "                     [--timeout-s S] [--report FILE]\n"
            "       kpibench report --endpoint EP --actor ID (--month M | --year Y) --by B\n"
            "                     [--site S | --group] --reps N [--report FILE]\n"
            "       kpibench probe --config FILE\n");
    return BENCH_EXIT_USAGE;
}

/* --- wait: the daemon's offsets reach every source's last seq ------------- */

typedef struct expect {
    char source[64];
    uint64_t seq;
} expect_t;

static int s_status(as_rpc_client_t *client, As__StatusReply **out)
{
    As__StatusRequest req = AS__STATUS_REQUEST__INIT;
    uint8_t body[64];
    size_t len = as__status_request__pack(&req, body);
    void *reply = NULL;
    size_t reply_len = 0;
    int rc = as_rpc_call(client, "status", body, len, 2000, 1, &reply, &reply_len);
    if (rc != 0) {
        free(reply);
        return rc;
    }
    *out = as__status_reply__unpack(NULL, reply_len, reply);
    free(reply);
    return *out ? 0 : AS_EBADFRAME;
}

static int s_wait(int argc, char **argv)
{
    static const struct option opts[] = {
        {"endpoint", required_argument, NULL, 'e'},   {"expect", required_argument, NULL, 'x'},
        {"started-us", required_argument, NULL, 's'}, {"timeout-s", required_argument, NULL, 't'},
        {"report", required_argument, NULL, 'R'},     {NULL, 0, NULL, 0}};
    const char *endpoint = NULL, *expect_text = NULL, *report = NULL;
    int64_t started = 0;
    uint64_t timeout_s = 3600;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            endpoint = optarg;
            break;
        case 'x':
            expect_text = optarg;
            break;
        case 's':
            started = strtoll(optarg, NULL, 10);
            break;
        case 't':
            if (bench_count_arg("kpibench", "timeout-s", optarg, &timeout_s, true))
                return 64;
            break;
        case 'R':
            report = optarg;
            break;
        default:
            return s_usage(NULL);
        }
    }
    if (!endpoint || !expect_text || started <= 0)
        return s_usage("wait needs --endpoint, --expect and --started-us");
    expect_t want[400];
    size_t n = 0;
    uint64_t total = 0;
    char *copy = strdup(expect_text), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item && n < 400;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq)
            return s_usage("--expect takes SOURCE=SEQ,...");
        *eq = '\0';
        snprintf(want[n].source, sizeof want[n].source, "%s", item);
        want[n].seq = strtoull(eq + 1, NULL, 10);
        total += want[n++].seq;
    }
    free(copy);
    void *zctx = zmq_ctx_new();
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(zctx, endpoint, NULL, NULL, &err);
    if (!client)
        return BENCH_EXIT_UNAVAILABLE;
    int64_t deadline = bench_now_us() + (int64_t)timeout_s * 1000000;
    int64_t done_us = 0, polls = 0;
    uint64_t applied = 0, events_applied = 0;
    while (!done_us && bench_now_us() < deadline) {
        As__StatusReply *st = NULL;
        polls++;
        if (s_status(client, &st) == 0) {
            size_t caught = 0;
            applied = 0;
            for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < st->n_offsets; k++) {
                    const As__SourceOffset *o = st->offsets[k];
                    if (o->source && strcmp(o->source, want[i].source) == 0) {
                        applied += o->applied_seq < want[i].seq ? o->applied_seq : want[i].seq;
                        caught += o->applied_seq >= want[i].seq;
                    }
                }
            events_applied = st->events_applied;
            as__status_reply__free_unpacked(st, NULL);
            if (caught == n) {
                done_us = bench_now_us();
                break;
            }
        }
        usleep(100 * 1000);
    }
    as_rpc_client_destroy(&client);
    zmq_ctx_term(zctx);
    int64_t end = done_us ? done_us : bench_now_us();
    double secs = (double)(end - started) / 1e6;
    fprintf(stderr, "kpibench: %s %" PRIu64 " of %" PRIu64 " events in %.1f s (%.0f events/s)\n",
            done_us ? "caught up:" : "NOT caught up:", applied, total, secs,
            applied / (secs > 0 ? secs : 1));
    if (report) {
        FILE *f = fopen(report, "w");
        if (!f)
            return BENCH_EXIT_IOERR;
        fprintf(f,
                "{\"events\": %" PRIu64 ", \"applied\": %" PRIu64 ", \"events_applied\": %" PRIu64
                ", \"seconds\": %.3f, \"events_per_second\": %.0f, \"caught_up\": %s, "
                "\"polls\": %" PRId64 "}\n",
                total, applied, events_applied, secs, applied / (secs > 0 ? secs : 1),
                done_us ? "true" : "false", polls);
        fclose(f);
    }
    return done_us ? 0 : BENCH_EXIT_INCOMPLETE;
}

/* --- report: kpi.report round trips ---------------------------------------- */

static bool s_has_field(const ProtobufCMessageDescriptor *d, const char *name)
{
    return protobuf_c_message_descriptor_get_field_by_name(d, name) != NULL;
}

/* Sets a field of KpiReportRequest by its name (those the build may lack:
 * year, site, group). Returns false when the build has no such field. */
static bool s_set_field(As__KpiReportRequest *req, const char *name, const char *text, bool flag)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(&as__kpi_report_request__descriptor, name);
    if (!f)
        return false;
    char *base = (char *)req;
    if (f->type == PROTOBUF_C_TYPE_STRING) {
        *(const char **)(base + f->offset) = text;
    } else if (f->type == PROTOBUF_C_TYPE_BOOL) {
        *(protobuf_c_boolean *)(base + f->offset) = flag;
        if (f->quantifier_offset)
            *(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
    } else {
        return false;
    }
    return true;
}

static int s_cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int s_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"endpoint", required_argument, NULL, 'e'}, {"actor", required_argument, NULL, 'a'},
        {"month", required_argument, NULL, 'm'},    {"year", required_argument, NULL, 'y'},
        {"by", required_argument, NULL, 'b'},       {"site", required_argument, NULL, 's'},
        {"group", no_argument, NULL, 'g'},          {"reps", required_argument, NULL, 'n'},
        {"report", required_argument, NULL, 'R'},   {NULL, 0, NULL, 0}};
    const char *endpoint = NULL, *actor = NULL, *month = NULL, *year = NULL, *by = "department";
    const char *site = NULL, *report = NULL;
    bool group = false;
    uint64_t reps = 100;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            endpoint = optarg;
            break;
        case 'a':
            actor = optarg;
            break;
        case 'm':
            month = optarg;
            break;
        case 'y':
            year = optarg;
            break;
        case 'b':
            by = optarg;
            break;
        case 's':
            site = optarg;
            break;
        case 'g':
            group = true;
            break;
        case 'n':
            if (bench_count_arg("kpibench", "reps", optarg, &reps, true))
                return 64;
            break;
        case 'R':
            report = optarg;
            break;
        default:
            return s_usage(NULL);
        }
    }
    if (!endpoint || !actor || (!month == !year))
        return s_usage("report needs --endpoint, --actor and one of --month, --year");
    As__KpiReportRequest req = AS__KPI_REPORT_REQUEST__INIT;
    req.month = (char *)month;
    req.by = (char *)by;
    if ((year && !s_set_field(&req, "year", year, false)) ||
        (site && !s_set_field(&req, "site", site, false)) ||
        (group && !s_set_field(&req, "group", NULL, true))) {
        fprintf(stderr, "kpibench: this build's KpiReportRequest has no %s field\n",
                year   ? "year"
                : site ? "site"
                       : "group");
        return BENCH_EXIT_USAGE;
    }
    size_t len = as__kpi_report_request__get_packed_size(&req);
    uint8_t *body = malloc(len + 1);
    as__kpi_report_request__pack(&req, body);
    void *zctx = zmq_ctx_new();
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(zctx, endpoint, NULL, NULL, &err);
    int64_t *lat = calloc(reps, sizeof *lat);
    if (!client || !lat)
        return BENCH_EXIT_UNAVAILABLE;
    int rc = 0;
    size_t rows = 0, reply_bytes = 0;
    /* the first row's counters, for a check that kpi counted the ROs */
    char first_key[64] = "";
    int64_t first_opened = 0, first_delivered = 0;
    int64_t cpu0 = bench_cpu_ms(), t0 = bench_now_us();
    for (uint64_t i = 0; i < reps && rc == 0; i++) {
        As__CommandReply *reply = NULL;
        int64_t a = bench_now_us();
        rc = as_rpc_command(client, "kpi.report", actor, NULL, body, len, 30000, 1, &reply);
        lat[i] = bench_now_us() - a;
        if (rc == 0 && reply->status != 0) {
            fprintf(stderr, "kpibench: kpi.report answered %d: %s\n", reply->status,
                    reply->error ? reply->error : "");
            rc = AS_EINVALID;
        } else if (rc == 0 && i == 0) {
            As__KpiReport *r =
                as__kpi_report__unpack(NULL, reply->payload.len, reply->payload.data);
            rows = r ? r->n_rows : 0;
            reply_bytes = reply->payload.len;
            if (rows && r->rows[0]->counters) {
                snprintf(first_key, sizeof first_key, "%s", r->rows[0]->key ? r->rows[0]->key : "");
                first_opened = r->rows[0]->counters->ros_opened;
                first_delivered = r->rows[0]->counters->ros_delivered;
            }
            if (r)
                as__kpi_report__free_unpacked(r, NULL);
        }
        if (reply)
            as__command_reply__free_unpacked(reply, NULL);
    }
    int64_t wall = bench_now_us() - t0;
    as_rpc_client_destroy(&client);
    zmq_ctx_term(zctx);
    free(body);
    if (rc != 0) {
        free(lat);
        fprintf(stderr, "kpibench: kpi.report failed: %s\n", as_strerror(rc));
        return BENCH_EXIT_UNAVAILABLE;
    }
    qsort(lat, reps, sizeof *lat, s_cmp64);
    int64_t p50 = lat[reps / 2], p99 = lat[(reps * 99) / 100 < reps ? (reps * 99) / 100 : reps - 1];
    fprintf(stderr,
            "kpibench: kpi.report %s %s by %s%s%s: %zu rows, %zu bytes, p50 %.2f ms, p99 %.2f ms "
            "(%" PRIu64 " requests)\n",
            month ? "month" : "year", month ? month : year, by, site ? " site " : "",
            site    ? site
            : group ? " group"
                    : "",
            rows, reply_bytes, p50 / 1000.0, p99 / 1000.0, reps);
    if (report) {
        FILE *f = fopen(report, "w");
        if (!f)
            return BENCH_EXIT_IOERR;
        fprintf(f,
                "{\"period\": \"%s\", \"by\": \"%s\", \"rows\": %zu, \"reply_bytes\": %zu, "
                "\"requests\": %" PRIu64 ", \"p50_us\": %" PRId64 ", \"p99_us\": %" PRId64
                ", \"max_us\": %" PRId64 ", \"wall_us\": %" PRId64 ", \"client_cpu_ms\": %" PRId64
                ", \"first_row\": {\"key\": \"%s\", \"ros_opened\": %" PRId64
                ", \"ros_delivered\": %" PRId64 "}}\n",
                month ? month : year, by, rows, reply_bytes, reps, p50, p99, lat[reps - 1], wall,
                bench_cpu_ms() - cpu0, first_key, first_opened, first_delivered);
        fclose(f);
    }
    free(lat);
    return 0;
}

/* --- probe: what this build's kpi takes --------------------------------- */

static int s_probe(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    const char *path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'c')
            return s_usage(NULL);
        path = optarg;
    }
    if (!path)
        return s_usage("probe needs --config");
    char *why = NULL;
    as_config_t *cfg = as_config_load(path, &why);
    if (!cfg) {
        fprintf(stderr, "kpibench: %s\n", why ? why : path);
        free(why);
        return BENCH_EXIT_CONFIG;
    }
    const ProtobufCMessageDescriptor *d = &as__kpi_report_request__descriptor;
    printf("{\"kpi_sites\": %s, \"report_year\": %s, \"report_site\": %s, "
           "\"report_group\": %s}\n",
           as_config_schema_key(cfg, "kpi", "sites") ? "true" : "false",
           s_has_field(d, "year") ? "true" : "false", s_has_field(d, "site") ? "true" : "false",
           s_has_field(d, "group") ? "true" : "false");
    as_config_destroy(&cfg);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return s_usage(NULL);
    const char *cmd = argv[1];
    argv[1] = argv[0];
    if (strcmp(cmd, "wait") == 0)
        return s_wait(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return s_report(argc - 1, argv + 1);
    if (strcmp(cmd, "probe") == 0)
        return s_probe(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        s_usage(NULL);
        return 0;
    }
    return s_usage("the first word is wait, report or probe");
}
