/* bench_util.c — what the benchmark programs share. See bench_util.h. */
#include "bench_util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include "as/envelope.h"
#include "as/error.h"
#include "as/pb/reception.pb-c.h"
#include "as/version.h"

int64_t bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long bench_peak_rss_kb(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return 0;
    return usage.ru_maxrss;
}

/* The "NAME: N kB" line of /proc/self/status, in KiB (0 when absent). */
static long s_status_kb(const char *name)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    long kb = 0;
    size_t len = strlen(name);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, name, len) == 0 && line[len] == ':') {
            kb = strtol(line + len + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

long bench_rss_file_kb(void)
{
    return s_status_kb("RssFile");
}

long bench_rss_anon_kb(void)
{
    return s_status_kb("RssAnon");
}

static long s_anon_peak_kb;
static int64_t s_anon_sampled_us;

void bench_rss_anon_sample(void)
{
    int64_t now = bench_now_us();
    if (now - s_anon_sampled_us < 10000)
        return;
    s_anon_sampled_us = now;
    long kb = bench_rss_anon_kb();
    if (kb > s_anon_peak_kb)
        s_anon_peak_kb = kb;
}

long bench_rss_anon_peak_kb(void)
{
    long kb = bench_rss_anon_kb();
    if (kb > s_anon_peak_kb)
        s_anon_peak_kb = kb;
    return s_anon_peak_kb;
}

int64_t bench_cpu_ms(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return 0;
    return ((int64_t)usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
}

/* --- the event ------------------------------------------------------------- */

size_t bench_ro_payload(uint64_t number, uint8_t *buf, size_t cap, const char **subject,
                        const char **actor)
{
    static char ro_number[32], vin[18], customer[24], advisor[16], part[24];
    static const char *const concerns[] = {
        "brake noise front left",
        "engine light on, rough idle",
        "annual service",
        "air con blows warm air",
    };
    snprintf(ro_number, sizeof ro_number, "RO-2024-%08llu", (unsigned long long)number);
    snprintf(vin, sizeof vin, "WVWZZZ1KZ%08llu", (unsigned long long)(number % 100000000ULL));
    snprintf(customer, sizeof customer, "C-%06llu", (unsigned long long)(number % 50000));
    snprintf(advisor, sizeof advisor, "SA-%02llu", (unsigned long long)(number % 12));
    snprintf(part, sizeof part, "1K0-698-151-%02llu", (unsigned long long)(number % 40));

    As__LabourOperation labour = AS__LABOUR_OPERATION__INIT;
    labour.code = "BR120";
    labour.description = "replace front brake pads";
    labour.has_sold_minutes = labour.has_rate_cents = 1;
    labour.sold_minutes = 90;
    labour.rate_cents = 12900;
    As__PartLine line = AS__PART_LINE__INIT;
    line.part_number = part;
    line.has_quantity = line.has_unit_price_cents = 1;
    line.quantity = 1;
    line.unit_price_cents = 8950;
    As__PartLine *lines[1] = {&line};
    As__Job job = AS__JOB__INIT;
    job.has_job_no = job.has_pay_type = job.has_status = 1;
    job.job_no = 1;
    job.concern = (char *)concerns[number % 4];
    job.pay_type = AS__PAY_TYPE__CUSTOMER_PAY;
    job.labour = &labour;
    job.n_parts = 1;
    job.parts = lines;
    job.status = AS__JOB_STATUS__JOB_OPEN;
    As__Job *jobs[1] = {&job};
    As__RepairOrder ro = AS__REPAIR_ORDER__INIT;
    ro.ro_number = ro_number;
    ro.vin = vin;
    ro.customer_id = customer;
    ro.advisor = advisor;
    ro.has_mileage_km = ro.has_status = ro.has_estimate_cents = ro.has_opened_us = 1;
    ro.mileage_km = (uint32_t)(20000 + number % 150000);
    ro.status = AS__RO_STATUS__RO_IN_WORKSHOP;
    ro.n_jobs = 1;
    ro.jobs = jobs;
    ro.estimate_cents = 22450;
    ro.opened_us = bench_now_us();
    ro.opened_date = "2024-05-31";
    As__RoChanged changed = AS__RO_CHANGED__INIT;
    changed.ro = &ro;
    changed.date = "2024-05-31";
    size_t len = as__ro_changed__get_packed_size(&changed);
    if (len > cap)
        return 0;
    as__ro_changed__pack(&changed, buf);
    if (subject)
        *subject = ro_number;
    if (actor)
        *actor = advisor;
    return len;
}

/* --- latency samples --------------------------------------------------------- */

/* The harness's own big buffers (a latency sample per event: 4 MB for a
 * million events, and the sorted copy the percentiles take) are shared
 * anonymous mappings: the kernel counts them as RssShmem, so a consumer's
 * RssAnon is its own memory (heap, queues), as the reports call it, and
 * not the harness's. Returns the zeroed mapping, or NULL. */
static void *s_harness_alloc(size_t bytes)
{
    void *p =
        mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void s_harness_free(void *p, size_t bytes)
{
    if (p)
        munmap(p, bytes ? bytes : 1);
}

struct bench_samples {
    int32_t *latency_us; /* index seq - 1; -1: not seen */
    uint64_t expect;
    uint64_t count;
};

bench_samples_t *bench_samples_new(uint64_t expect)
{
    bench_samples_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->latency_us = s_harness_alloc(expect * sizeof *self->latency_us);
    if (!self->latency_us) {
        free(self);
        return NULL;
    }
    memset(self->latency_us, 0xff, expect * sizeof *self->latency_us); /* all -1 */
    self->expect = expect;
    return self;
}

void bench_samples_destroy(bench_samples_t **self_p)
{
    bench_samples_t *self = *self_p;
    if (!self)
        return;
    s_harness_free(self->latency_us, self->expect * sizeof *self->latency_us);
    free(self);
    *self_p = NULL;
}

void bench_samples_note(bench_samples_t *self, uint64_t seq, int64_t latency_us)
{
    if (seq == 0 || seq > self->expect || self->latency_us[seq - 1] >= 0)
        return;
    if (latency_us < 0)
        latency_us = 0; /* clocks of one machine; a step back is not a latency */
    if (latency_us > INT32_MAX)
        latency_us = INT32_MAX;
    self->latency_us[seq - 1] = (int32_t)latency_us;
    self->count++;
}

uint64_t bench_samples_count(const bench_samples_t *self)
{
    return self->count;
}

/* Sorts v in place (a heapsort: glibc's qsort takes a temporary buffer the
 * size of the array from the heap, 4 MB of a consumer's RssAnon for a
 * million samples, which is the harness's and not the consumer's). */
static void s_sift_down(int32_t *v, size_t root, size_t n)
{
    for (size_t child; (child = 2 * root + 1) < n; root = child) {
        if (child + 1 < n && v[child + 1] > v[child])
            child++;
        if (v[root] >= v[child])
            return;
        int32_t t = v[root];
        v[root] = v[child];
        v[child] = t;
    }
}

static void s_sort_int32(int32_t *v, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        s_sift_down(v, i, n);
    for (size_t end = n; end-- > 1;) {
        int32_t t = v[0];
        v[0] = v[end];
        v[end] = t;
        s_sift_down(v, 0, end);
    }
}

bench_percentiles_t bench_percentiles_of(const int32_t *values, size_t n)
{
    bench_percentiles_t p = {0, 0, 0, 0};
    int32_t *sorted = s_harness_alloc(n * sizeof *sorted);
    if (!sorted)
        return p;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (values[i] >= 0)
            sorted[m++] = values[i];
    if (m > 0) {
        s_sort_int32(sorted, m);
        p.p50_us = sorted[m / 2];
        p.p99_us = sorted[(size_t)((double)m * 0.99)];
        p.p999_us = sorted[(size_t)((double)m * 0.999)];
        p.max_us = sorted[m - 1];
    }
    s_harness_free(sorted, n * sizeof *sorted);
    return p;
}

bench_percentiles_t bench_samples_percentiles(const bench_samples_t *self)
{
    return bench_percentiles_of(self->latency_us, self->expect);
}

int bench_samples_write(const bench_samples_t *self, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -errno;
    size_t n = fwrite(self->latency_us, sizeof *self->latency_us, self->expect, f);
    int rc = n == self->expect ? 0 : -EIO;
    if (fclose(f) != 0 && rc == 0)
        rc = -errno;
    return rc;
}

char *bench_received_path(const char *samples_path, char *out, size_t cap)
{
    size_t len = strlen(samples_path);
    if (len >= 4 && strcmp(samples_path + len - 4, ".lat") == 0)
        len -= 4;
    int n = snprintf(out, cap, "%.*s.rcv", (int)len, samples_path);
    return n >= 0 && (size_t)n < cap ? out : NULL;
}

int bench_samples_write_consumer(const bench_samples_t *applied, const bench_samples_t *received,
                                 const char *samples_path)
{
    char path[4096];
    int rc = bench_samples_write(applied, samples_path);
    if (rc == 0)
        rc = bench_received_path(samples_path, path, sizeof path)
                 ? bench_samples_write(received, path)
                 : -ENAMETOOLONG;
    return rc;
}

/* --- reports ----------------------------------------------------------------- */

int bench_report_write(const bench_report_t *r, const char *path)
{
    double seconds = (double)(r->last_applied_us - r->first_event_us) / 1e6;
    json_t *report = json_pack(
        "{s:s,s:s,s:I,s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
        "s:I}",
        "role", r->role, "name", r->name ? r->name : "", "events", (json_int_t)r->events, "seconds",
        seconds, "events_per_second", seconds > 0 ? (double)r->events / seconds : 0.0, "started_us",
        (json_int_t)r->started_us, "first_event_us", (json_int_t)r->first_event_us,
        "first_applied_us", (json_int_t)r->first_applied_us, "last_applied_us",
        (json_int_t)r->last_applied_us, "commits", (json_int_t)r->commits, "p50_us",
        (json_int_t)r->lat.p50_us, "p99_us", (json_int_t)r->lat.p99_us, "p999_us",
        (json_int_t)r->lat.p999_us, "max_us", (json_int_t)r->lat.max_us, "peak_rss_kb",
        (json_int_t)r->peak_rss_kb, "cpu_ms", (json_int_t)r->cpu_ms, "rss_file_kb",
        (json_int_t)r->rss_file_kb, "rss_anon_peak_kb", (json_int_t)r->rss_anon_peak_kb,
        "received_p50_us", (json_int_t)r->received.p50_us, "received_p99_us",
        (json_int_t)r->received.p99_us, "received_p999_us", (json_int_t)r->received.p999_us,
        "received_max_us", (json_int_t)r->received.max_us);
    if (!report)
        return -ENOMEM;
    int rc = json_dump_file(report, path, JSON_INDENT(2)) == 0 ? 0 : -EIO;
    json_decref(report);
    return rc;
}

int bench_parse_count(const char *text, uint64_t *out)
{
    if (!text || *text < '0' || *text > '9')
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = value;
    return 0;
}

/* --- what every peer's programs share ---------------------------------------- */

size_t bench_pack_event(uint64_t n, const char *source, const char *incarnation, uint8_t *buf,
                        size_t cap)
{
    uint8_t payload[BENCH_PAYLOAD_MAX];
    const char *subject, *actor;
    size_t payload_len = bench_ro_payload(n, payload, sizeof payload, &subject, &actor);
    char id[AS_UUID_LEN + 1];
    as_uuidv7(id);
    As__Envelope env = AS__ENVELOPE__INIT;
    env.id = id;
    env.source = (char *)source;
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

const char *const bench_sink_dbs[] = {"events", "totals", NULL};

int bench_store_event(as_store_t *store, MDB_txn *txn, uint64_t seq, const void *payload,
                      size_t len)
{
    unsigned char key[8];
    for (int b = 0; b < 8; b++)
        key[b] = (unsigned char)(seq >> (56 - 8 * b));
    MDB_val kv = {sizeof key, key}, v = {len, (void *)payload};
    int rc = mdb_put(txn, as_store_dbi(store, "events"), &kv, &v, 0);
    if (rc != 0)
        return rc;
    MDB_dbi totals = as_store_dbi(store, "totals");
    MDB_val tk = {5, "count"}, tv;
    uint64_t count = 0;
    if (mdb_get(txn, totals, &tk, &tv) == 0 && tv.mv_size == sizeof count)
        memcpy(&count, tv.mv_data, sizeof count);
    count++;
    tv.mv_size = sizeof count;
    tv.mv_data = &count;
    return mdb_put(txn, totals, &tk, &tv, 0);
}

int bench_count_arg(const char *prog, const char *name, const char *text, uint64_t *out,
                    bool positive)
{
    if (bench_parse_count(text, out) != 0 || (positive && *out == 0)) {
        fprintf(stderr, "%s: --%s must be a%s number\n", prog, name, positive ? " positive" : "");
        return -1;
    }
    return 0;
}

void bench_sleep_until(int64_t when_us)
{
    int64_t now = bench_now_us();
    if (when_us <= now)
        return;
    struct timespec ts = {(time_t)((when_us - now) / 1000000),
                          (long)((when_us - now) % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* --- the peers' publishers ------------------------------------------------------- */

uint64_t bench_pub_due(uint64_t count, uint64_t rate, uint64_t sent, int64_t first_us)
{
    uint64_t want = count - sent;
    if (rate) {
        double elapsed = (double)(bench_now_us() - first_us) / 1e6;
        uint64_t due = (uint64_t)(elapsed * (double)rate) + 1;
        want = due > sent ? due - sent : 0;
        if (want > count - sent)
            want = count - sent;
    }
    return want;
}

int bench_pub_finish(bench_report_t *report, uint64_t delivered, uint64_t refused, int rc,
                     const char *path)
{
    report->events = delivered;
    report->last_applied_us = bench_now_us();
    report->peak_rss_kb = bench_peak_rss_kb();
    report->cpu_ms = bench_cpu_ms();
    report->rss_file_kb = bench_rss_file_kb();
    report->rss_anon_peak_kb = bench_rss_anon_peak_kb();
    if (rc == 0 && refused)
        rc = BENCH_EXIT_INCOMPLETE;
    if (path && bench_report_write(report, path) != 0 && rc == 0)
        rc = BENCH_EXIT_IOERR;
    return rc;
}

/* --- the peers' consumers -------------------------------------------------------- */

/* Makes room for what one transaction applies (a fetch may hand over more
 * than one batch). Returns 0 or -ENOMEM. */
static int s_sink_reserve(bench_sink_t *k, size_t count)
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

static int s_sink_load_offset(MDB_txn *txn, void *arg)
{
    bench_sink_t *k = arg;
    As__SourceOffset *off = NULL;
    int rc = as_offset_get(k->store, txn, k->offset_source, &off);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc == 0) {
        k->applied_seq = off->applied_seq;
        as__source_offset__free_unpacked(off, NULL);
    }
    return rc;
}

int bench_sink_open(bench_sink_t *k, const char *prog, const char *name, const char *data_dir,
                    const char *offset_source, uint64_t expect, size_t batch)
{
    memset(k, 0, sizeof *k);
    k->prog = prog;
    k->offset_source = offset_source;
    k->expect = expect;
    k->report = (bench_report_t){.role = "sink", .name = name, .started_us = bench_now_us()};
    int err = 0;
    k->store = as_store_open(data_dir, bench_sink_dbs, 0, &err);
    k->samples = bench_samples_new(expect);
    k->received = bench_samples_new(expect);
    if (!k->store || !k->samples || !k->received || s_sink_reserve(k, batch) != 0) {
        fprintf(stderr, "%s: cannot open the store in %s: %s\n", prog, data_dir,
                k->store ? "out of memory" : as_strerror(err));
        bench_sink_close(k);
        return BENCH_EXIT_IOERR;
    }
    int rc = as_store_read(k->store, s_sink_load_offset, k);
    if (rc != 0)
        bench_sink_close(k);
    return rc;
}

void bench_sink_ready(bench_sink_t *k, const char *path)
{
    if (path) {
        FILE *f = fopen(path, "w");
        if (f)
            fclose(f);
    }
    k->idle_since = bench_now_us();
}

bool bench_sink_done(const bench_sink_t *k)
{
    return bench_samples_count(k->samples) >= k->expect;
}

int bench_sink_idle(bench_sink_t *k)
{
    if (bench_now_us() - k->idle_since <= (int64_t)BENCH_IDLE_LIMIT_S * 1000000)
        return 0;
    fprintf(stderr, "%s: nothing for %d s; giving up\n", k->prog, BENCH_IDLE_LIMIT_S);
    return BENCH_EXIT_INCOMPLETE;
}

typedef struct {
    bench_sink_t *k;
    size_t count;
    bench_sink_apply_fn *apply;
    void *arg;
} s_sink_batch_t;

static int s_sink_txn(MDB_txn *txn, void *arg)
{
    s_sink_batch_t *b = arg;
    bench_sink_t *k = b->k;
    int rc = s_sink_reserve(k, b->count);
    if (rc != 0)
        return rc;
    k->n = 0;
    k->last_seq = k->applied_seq;
    rc = b->apply(k, txn, b->arg);
    if (rc != 0 || k->n == 0)
        return rc;
    As__SourceOffset off = AS__SOURCE_OFFSET__INIT;
    off.source = (char *)k->offset_source;
    off.has_applied_seq = 1;
    off.applied_seq = k->last_seq;
    off.endpoint = "";
    return as_offset_put(k->store, txn, &off);
}

int bench_sink_commit(bench_sink_t *k, size_t count, bench_sink_apply_fn *apply, void *arg)
{
    k->idle_since = bench_now_us();
    s_sink_batch_t batch = {k, count, apply, arg};
    int rc = as_store_write(k->store, s_sink_txn, &batch);
    if (rc == 0)
        return 0;
    fprintf(stderr, "%s: write transaction failed: %s\n", k->prog, as_strerror(rc));
    return BENCH_EXIT_IOERR;
}

int bench_sink_store(bench_sink_t *k, MDB_txn *txn, uint64_t seq, const void *payload, size_t len,
                     int64_t time_us)
{
    int rc = bench_store_event(k->store, txn, seq, payload, len);
    bench_samples_note(k->received, seq, bench_now_us() - time_us);
    k->seqs[k->n] = seq;
    k->times[k->n] = time_us;
    k->n++;
    k->last_seq = seq;
    return rc;
}

int bench_sink_apply_envelope(bench_sink_t *k, MDB_txn *txn, const void *bytes, size_t len)
{
    int err = 0;
    As__Envelope *env = as_envelope_decode(bytes, len, NULL, 0, &err);
    if (!env)
        return err;
    int rc = 0;
    if (env->seq > k->last_seq) /* else a redelivery of what is committed */
        rc = bench_sink_store(k, txn, env->seq, env->payload.data, env->payload.len, env->time_us);
    as__envelope__free_unpacked(env, NULL);
    return rc;
}

void bench_sink_note_applied(bench_sink_t *k)
{
    k->applied_seq = k->last_seq;
    int64_t now = bench_now_us();
    for (size_t i = 0; i < k->n; i++) {
        if (k->report.first_applied_us == 0) {
            k->report.first_applied_us = now;
            k->report.first_event_us = k->times[i];
        }
        bench_samples_note(k->samples, k->seqs[i], now - k->times[i]);
    }
    if (k->n > 0)
        k->report.last_applied_us = now;
    bench_rss_anon_sample();
}

int bench_sink_finish(bench_sink_t *k, int rc, const char *report_path, const char *samples_path)
{
    bench_report_t *report = &k->report;
    report->events = bench_samples_count(k->samples);
    report->commits = as_store_commits(k->store);
    report->lat = bench_samples_percentiles(k->samples);
    report->received = bench_samples_percentiles(k->received);
    report->peak_rss_kb = bench_peak_rss_kb();
    report->cpu_ms = bench_cpu_ms();
    report->rss_file_kb = bench_rss_file_kb();
    report->rss_anon_peak_kb = bench_rss_anon_peak_kb();
    if (report->events == 0 && rc != 0)
        return rc;
    if (bench_report_write(report, report_path) != 0 ||
        (samples_path &&
         bench_samples_write_consumer(k->samples, k->received, samples_path) != 0)) {
        fprintf(stderr, "%s: cannot write the report\n", k->prog);
        if (rc == 0)
            rc = BENCH_EXIT_IOERR;
    }
    return rc;
}

void bench_sink_close(bench_sink_t *k)
{
    as_store_close(&k->store);
    bench_samples_destroy(&k->samples);
    bench_samples_destroy(&k->received);
    free(k->seqs);
    free(k->times);
    k->seqs = NULL;
    k->times = NULL;
    k->n = k->cap = 0;
}

/* --- the peers' command line ------------------------------------------------------ */

/* Fills options (room for 16) and shortopts (room for 40) for cli. */
static void s_peer_options(const bench_peer_cli_t *cli, struct option *options, char *shortopts)
{
    size_t n = 0;
    if (cli->url) {
        options[n++] = (struct option){"url", required_argument, NULL, 'u'};
        strcpy(shortopts, "u:C:");
    } else {
        options[n++] = (struct option){"port", required_argument, NULL, 'P'};
        strcpy(shortopts, "P:C:");
    }
    options[n++] = (struct option){"consumers", required_argument, NULL, 'C'};
    options[n++] =
        (struct option){cli->consumer_option, required_argument, NULL, cli->consumer_short};
    char consumer[3] = {cli->consumer_short, ':', '\0'};
    strcat(shortopts, consumer);
    strcat(shortopts, "d:n:R:b:p:");
    options[n++] = (struct option){"data", required_argument, NULL, 'd'};
    options[n++] = (struct option){"count", required_argument, NULL, 'n'};
    options[n++] = (struct option){"expect", required_argument, NULL, 'n'};
    options[n++] = (struct option){"rate", required_argument, NULL, 'R'};
    options[n++] = (struct option){"batch", required_argument, NULL, 'b'};
    options[n++] = (struct option){"max-pending", required_argument, NULL, 'p'};
    if (cli->max_ack_pending) {
        options[n++] = (struct option){"max-ack-pending", required_argument, NULL, 'A'};
        strcat(shortopts, "A:");
    }
    strcat(shortopts, "r:s:y:h");
    options[n++] = (struct option){"report", required_argument, NULL, 'r'};
    options[n++] = (struct option){"samples", required_argument, NULL, 's'};
    options[n++] = (struct option){"ready", required_argument, NULL, 'y'};
    options[n++] = (struct option){"help", no_argument, NULL, 'h'};
    options[n] = (struct option){NULL, 0, NULL, 0};
}

/* Takes one option's value into a. Returns 0, or -1 when it is not valid. */
static int s_peer_option(const bench_peer_cli_t *cli, int opt, const char *value,
                         bench_peer_args_t *a)
{
    uint64_t port = 0;
    if (opt == cli->consumer_short) {
        a->consumer = value;
        return 0;
    }
    switch (opt) {
    case 'u':
        a->url = value;
        return 0;
    case 'P':
        if (bench_count_arg(cli->prog, "port", value, &port, true) != 0 || port > 65535)
            return -1;
        a->port = (int)port;
        return 0;
    case 'C':
        a->consumers = value;
        return 0;
    case 'd':
        a->data_dir = value;
        return 0;
    case 'n':
        return bench_count_arg(cli->prog, "count", value, &a->count, true);
    case 'R':
        return bench_count_arg(cli->prog, "rate", value, &a->rate, false);
    case 'b':
        return bench_count_arg(cli->prog, "batch", value, &a->batch, true) != 0 ||
                       a->batch > 1000000
                   ? -1
                   : 0;
    case 'p':
        return bench_count_arg(cli->prog, "max-pending", value, &a->max_pending, true);
    case 'A':
        return bench_count_arg(cli->prog, "max-ack-pending", value, &a->max_ack_pending, true);
    case 'r':
        a->report_path = value;
        return 0;
    case 's':
        a->samples_path = value;
        return 0;
    case 'y':
        a->ready_path = value;
        return 0;
    default:
        return -1;
    }
}

typedef int s_peer_mode_fn(const bench_peer_args_t *a);

/* The mode argv names, when what it needs was given; NULL when none. */
static s_peer_mode_fn *s_peer_mode(const bench_peer_cli_t *cli, const char *mode,
                                   const bench_peer_args_t *a)
{
    if (strcmp(mode, "setup") == 0 && a->consumers)
        return cli->setup;
    if (strcmp(mode, "pub") == 0 && a->count)
        return cli->pub;
    if (strcmp(mode, "sink") == 0 && a->consumer && a->data_dir && a->count && a->report_path)
        return cli->sink;
    return NULL;
}

int bench_peer_main(const bench_peer_cli_t *cli, int argc, char **argv)
{
    if (as_version_option(argc, argv))
        return 0;
    bench_peer_args_t a = {.batch = 5000, .max_pending = 20000, .max_ack_pending = 50000};
    struct option options[16];
    char shortopts[40];
    s_peer_options(cli, options, shortopts);
    int opt;
    while ((opt = getopt_long(argc, argv, shortopts, options, NULL)) != -1) {
        if (opt == 'h') {
            cli->usage(stdout);
            return 0;
        }
        if (s_peer_option(cli, opt, optarg, &a) != 0)
            break;
    }
    s_peer_mode_fn *run = NULL;
    if (opt == -1 && (cli->url ? a.url != NULL : a.port != 0))
        run = s_peer_mode(cli, optind + 1 == argc ? argv[optind] : "", &a);
    if (!run) {
        cli->usage(stderr);
        return BENCH_EXIT_USAGE;
    }
    return run(&a);
}

const char *bench_prog = "bench";

void bench_die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", bench_prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

void *bench_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        bench_die(BENCH_EXIT_SOFTWARE, "out of memory");
    return p;
}
