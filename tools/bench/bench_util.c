/* bench_util.c — what the benchmark programs share. See bench_util.h. */
#include "bench_util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "as/envelope.h"
#include "as/pb/reception.pb-c.h"

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

long bench_rss_file_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "RssFile: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
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
    self->latency_us = malloc((expect ? expect : 1) * sizeof *self->latency_us);
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
    free(self->latency_us);
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

static int s_cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

bench_percentiles_t bench_percentiles_of(const int32_t *values, size_t n)
{
    bench_percentiles_t p = {0, 0, 0, 0};
    int32_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return p;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (values[i] >= 0)
            sorted[m++] = values[i];
    if (m > 0) {
        qsort(sorted, m, sizeof *sorted, s_cmp_int32);
        p.p50_us = sorted[m / 2];
        p.p99_us = sorted[(size_t)((double)m * 0.99)];
        p.p999_us = sorted[(size_t)((double)m * 0.999)];
        p.max_us = sorted[m - 1];
    }
    free(sorted);
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

/* --- reports ----------------------------------------------------------------- */

int bench_report_write(const bench_report_t *r, const char *path)
{
    double seconds = (double)(r->last_applied_us - r->first_event_us) / 1e6;
    json_t *report = json_pack(
        "{s:s,s:s,s:I,s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "role", r->role,
        "name", r->name ? r->name : "", "events", (json_int_t)r->events, "seconds", seconds,
        "events_per_second", seconds > 0 ? (double)r->events / seconds : 0.0, "started_us",
        (json_int_t)r->started_us, "first_event_us", (json_int_t)r->first_event_us,
        "first_applied_us", (json_int_t)r->first_applied_us, "last_applied_us",
        (json_int_t)r->last_applied_us, "commits", (json_int_t)r->commits, "p50_us",
        (json_int_t)r->lat.p50_us, "p99_us", (json_int_t)r->lat.p99_us, "p999_us",
        (json_int_t)r->lat.p999_us, "max_us", (json_int_t)r->lat.max_us, "peak_rss_kb",
        (json_int_t)r->peak_rss_kb, "cpu_ms", (json_int_t)r->cpu_ms, "rss_file_kb",
        (json_int_t)r->rss_file_kb);
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
