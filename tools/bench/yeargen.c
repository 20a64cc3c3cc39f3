/* yeargen.c — a dealer group's year for kpi to rebuild (run.sh's part kpiyear).
 *
 *   yeargen gen --out DIR --sites S --days D --ros R [--first-day YYYY-MM-DD]
 *               [--batch N] [--report FILE]
 *       writes the outboxes of S sites' reception, workshop and parts
 *       (DIR/site-NN/{reception,workshop,parts}: real stores, opened with the
 *       services' own databases, the events appended by as_pub_emit, about
 *       --batch events per commit) for D working days (Monday to Friday from
 *       --first-day) of R repair orders a day: every RO's life as the
 *       services emit it (about 25 events, see s_ro below and README.md).
 *   yeargen wait --endpoint EP --expect SRC=SEQ,... --started-us US [--report FILE]
 *       polls the status of the daemon at EP every 100 ms until its offset of
 *       every SRC reached SEQ; reports the seconds from US (kpi's start).
 *   yeargen report --endpoint EP --actor ID (--month M | --year Y) --by B
 *               [--site S | --group] --reps N [--report FILE]
 *       times N kpi.report round trips (p50/p99 of one request, as asctl's).
 *   yeargen probe --config FILE
 *       what this build's kpi takes, as JSON: [kpi] sites (the group kpi),
 *       KpiReportRequest's year, site and group.
 *   yeargen version
 *       the generator's version (run.sh keys its cache of stores with it).
 *
 * Everything generated is a function of (site, day, RO) alone, so a store
 * written again is the same store, and a write transaction run again after
 * the map grew emits the same events. Exit codes: 0 done, 1 not caught up
 * (wait), 64 usage, 69 the daemon did not answer, 70 internal, 74 I/O. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "as/calendar.h"
#include "as/config.h"
#include "as/config_schema.h"
#include "as/envelope.h"
#include "as/error.h"
#include "as/pb/kpi.pb-c.h"
#include "as/pb/parts.pb-c.h"
#include "as/pb/reception.pb-c.h"
#include "as/pb/rpc.pb-c.h"
#include "as/pb/workshop.pb-c.h"
#include "as/pub.h"
#include "as/rpc.h"
#include "as/store.h"
#include "bench_util.h"
#include "parts_service.h"
#include "reception_service.h"
#include "workshop_service.h"

/* The generator's version: part of run.sh's cache key. Bump it whenever what
 * is generated changes. */
#define YEARGEN_VERSION 1

#define N_TECHS 10
#define N_ADVISORS 3
#define PAYLOAD_MAX 8192

/* --- deterministic randomness: a function of (site, day, ro, what) -------- */

static uint64_t s_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static unsigned s_rand(unsigned site, unsigned day, unsigned ro, unsigned what, unsigned mod)
{
    uint64_t h = s_mix(((uint64_t)site << 48) ^ ((uint64_t)day << 28) ^ ((uint64_t)ro << 8) ^ what);
    return (unsigned)(h % mod);
}

/* --- the site's catalogue ------------------------------------------------ */

typedef struct op {
    const char *code, *description, *skill;
    unsigned sold_minutes;
    const char *parts[2]; /* part numbers */
} op_t;

static const op_t s_ops[] = {
    {"OP-OIL", "engine oil and filter", "engine", 30, {"P-OIL-5W30", "P-FILTER-OIL"}},
    {"OP-BRK", "front brake pads", "brakes", 60, {"P-PAD-FRONT", "P-BRAKE-FLUID"}},
    {"OP-AIR", "cabin and air filters", "engine", 20, {"P-FILTER-AIR", "P-FILTER-CABIN"}},
    {"OP-BAT", "battery test and replace", "electrical", 30, {"P-BATTERY", "P-TERMINAL"}},
    {"OP-ALN", "wheel alignment", "chassis", 45, {"P-TIE-ROD-NUT", "P-VALVE"}},
    {"OP-TIM", "timing belt", "engine", 150, {"P-BELT-TIMING", "P-TENSIONER"}},
    {"OP-AC", "a/c service", "electrical", 60, {"P-REFRIGERANT", "P-AC-SEAL"}},
    {"OP-SUS", "front shock absorbers", "chassis", 90, {"P-SHOCK-FRONT", "P-STRUT-MOUNT"}},
};
#define N_OPS (sizeof s_ops / sizeof s_ops[0])
#define RATE_CENTS 18000 /* labour rate per hour */

/* a part's cost and price from its name: stable, 20.00 to 420.00 at cost, +35% */
static int64_t s_part_cost(const char *part)
{
    return 2000 + (int64_t)(s_mix((uint64_t)strlen(part) * 131 + (unsigned char)part[2] * 7 +
                                  (unsigned char)part[strlen(part) - 1]) %
                            40000);
}
static int64_t s_part_price(const char *part)
{
    return s_part_cost(part) * 135 / 100;
}

/* --- one source's outbox ------------------------------------------------- */

typedef struct src {
    as_store_t *store;
    as_pub_t *pub;
    char source[64];
    uint64_t events;
} src_t;

typedef struct gen {
    unsigned sites, days, ros, days_per_txn;
    char first_day[AS_DATE_LEN + 1];
    char site[32];
    unsigned site_no;
    src_t rec, ws, parts;
    /* what the transaction being written covers */
    unsigned day0, day1;
    uint8_t buf[PAYLOAD_MAX];
} gen_t;

static int s_emit(src_t *src, MDB_txn *txn, const char *type, const char *subject,
                  const char *actor, int64_t at_us, const ProtobufCMessage *msg, uint8_t *buf)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    if (len > PAYLOAD_MAX)
        return AS_EINVALID;
    protobuf_c_message_pack(msg, buf);
    as_event_t ev = {.type = type,
                     .subject = subject,
                     .actor = actor,
                     .payload = buf,
                     .payload_len = len,
                     .occurred_us = at_us};
    int rc = as_pub_emit(src->pub, txn, &ev, NULL);
    if (rc == 0)
        src->events++;
    return rc;
}

/* the n-th working day (Monday to Friday) from first_day, and its midnight */
static void s_day(const gen_t *g, unsigned n, char out[AS_DATE_LEN + 1], int64_t *midnight_us)
{
    char d[AS_DATE_LEN + 1];
    snprintf(d, sizeof d, "%s", g->first_day);
    int64_t us = 0;
    as_datetime_parse(d, &us);
    for (unsigned left = n;;) {
        time_t t = (time_t)(us / 1000000);
        struct tm tm;
        localtime_r(&t, &tm);
        if (tm.tm_wday != 0 && tm.tm_wday != 6) {
            if (left == 0)
                break;
            left--;
        }
        as_date_add_days(d, 1, d);
        as_datetime_parse(d, &us);
    }
    snprintf(out, AS_DATE_LEN + 1, "%s", d);
    *midnight_us = us;
}

#define MIN_US (60LL * 1000000)

/* --- the site's first day: technicians, bays, the parts catalogue ---------- */

static int s_setup(gen_t *g, MDB_txn *txn, src_t *src, int64_t at_us)
{
    char id[32], name[48];
    int rc = 0;
    if (src == &g->ws) {
        for (unsigned t = 1; t <= N_TECHS && rc == 0; t++) {
            As__Technician tech = AS__TECHNICIAN__INIT;
            char *skills[] = {"engine", "brakes", "electrical", "chassis"};
            snprintf(id, sizeof id, "tech-%02u", t);
            snprintf(name, sizeof name, "Technician %u of %.20s", t, g->site);
            tech.tech_id = id;
            tech.name = name;
            tech.skills = skills;
            tech.n_skills = 4;
            tech.has_level = tech.has_hourly_cost_cents = 1;
            tech.level = 1 + t % 5;
            tech.hourly_cost_cents = 6000 + 500 * (t % 4);
            As__TechnicianRegistered m = AS__TECHNICIAN_REGISTERED__INIT;
            m.technician = &tech;
            rc = s_emit(src, txn, "workshop.technician.registered", id, "foreman", at_us, &m.base,
                        g->buf);
        }
        for (unsigned b = 1; b <= N_TECHS && rc == 0; b++) {
            As__Bay bay = AS__BAY__INIT;
            snprintf(id, sizeof id, "B%02u", b);
            bay.bay_id = id;
            bay.kind = b == N_TECHS ? "alignment" : "lift";
            As__BayRegistered m = AS__BAY_REGISTERED__INIT;
            m.bay = &bay;
            rc = s_emit(src, txn, "workshop.bay.registered", id, "foreman", at_us, &m.base, g->buf);
        }
    } else if (src == &g->parts) {
        for (size_t o = 0; o < N_OPS && rc == 0; o++)
            for (int p = 0; p < 2 && rc == 0; p++) {
                As__Part part = AS__PART__INIT;
                part.part_number = (char *)s_ops[o].parts[p];
                part.description = (char *)s_ops[o].description;
                part.has_cost_cents = part.has_price_cents = 1;
                part.cost_cents = s_part_cost(s_ops[o].parts[p]);
                part.price_cents = s_part_price(s_ops[o].parts[p]);
                As__PartDefined m = AS__PART_DEFINED__INIT;
                m.part = &part;
                rc = s_emit(src, txn, "parts.part.defined", part.part_number, "keeper", at_us,
                            &m.base, g->buf);
            }
    }
    return rc;
}

/* --- one day's events of one source -------------------------------------- */

typedef struct ro_plan {
    char number[40], vin[24], customer[24], appointment[40], advisor[16];
    unsigned n_jobs;
    const op_t *ops[3];
    char techs[3][16], bays[3][8];
    unsigned actual[3];     /* minutes clocked on each job */
    bool qc_fail, comeback; /* a final inspection failed once; the vehicle comes back */
    unsigned backorder_job; /* 1..n_jobs: that job's first line was backordered; 0: none */
    int64_t open_us;
} ro_plan_t;

static void s_plan(const gen_t *g, unsigned day, const char *date, int64_t midnight, unsigned r,
                   ro_plan_t *p)
{
    unsigned s = g->site_no;
    char compact[9] = {date[0], date[1], date[2], date[3], date[5], date[6], date[8], date[9]};
    memset(p, 0, sizeof *p);
    snprintf(p->number, sizeof p->number, "RO-%s-%03u", compact, r + 1);
    /* a vehicle comes back every ~100 working days: 4,000 vehicles a site */
    unsigned vehicle = s_rand(s, day, r, 1, 4000);
    snprintf(p->vin, sizeof p->vin, "LVS%02uAB%09u", s % 100, vehicle);
    snprintf(p->customer, sizeof p->customer, "C-%05u", vehicle);
    if (s_rand(s, day, r, 2, 100) < 75)
        snprintf(p->appointment, sizeof p->appointment, "A-%s-%03u", compact, r + 1);
    snprintf(p->advisor, sizeof p->advisor, "adv-%u", 1 + r % N_ADVISORS);
    p->n_jobs = 1 + s_rand(s, day, r, 3, 3);
    for (unsigned j = 0; j < p->n_jobs; j++) {
        p->ops[j] = &s_ops[s_rand(s, day, r, 10 + j, N_OPS)];
        unsigned t = 1 + (r * 3 + j) % N_TECHS;
        snprintf(p->techs[j], sizeof p->techs[j], "tech-%02u", t);
        snprintf(p->bays[j], sizeof p->bays[j], "B%02u", t);
        /* technicians clock 70-115% of the flat-rate time */
        p->actual[j] = p->ops[j]->sold_minutes * (70 + s_rand(s, day, r, 20 + j, 46)) / 100;
    }
    p->qc_fail = s_rand(s, day, r, 4, 100) < 5;
    p->comeback = day > 0 && s_rand(s, day, r, 5, 100) < 2;
    p->backorder_job = s_rand(s, day, r, 6, 100) < 3 ? 1 : 0;
    p->open_us = midnight + 8 * 60 * MIN_US + (int64_t)r * 270 / (g->ros ? g->ros : 1) * MIN_US;
}

static int s_reception_ro(gen_t *g, MDB_txn *txn, unsigned day, const char *date, int64_t midnight,
                          const ro_plan_t *p)
{
    src_t *src = &g->rec;
    unsigned s = g->site_no;
    int rc = 0;
    char slot[20];
    int64_t t = p->open_us;
    if (*p->appointment) {
        As__Appointment a = AS__APPOINTMENT__INIT;
        snprintf(slot, sizeof slot, "%sT%02d:%02d", date, (int)((t - midnight) / MIN_US / 60),
                 (int)((t - midnight) / MIN_US % 60));
        a.appointment_id = (char *)p->appointment;
        a.customer_id = (char *)p->customer;
        a.vin = (char *)p->vin;
        a.slot = slot;
        a.reason = (char *)p->ops[0]->description;
        a.channel = "phone";
        a.advisor = (char *)p->advisor;
        a.booked_by = "clerk";
        a.has_status = 1;
        static const struct {
            const char *type;
            As__AppointmentStatus status;
            int64_t at;
        } steps[] = {
            {"reception.appointment.booked", AS__APPOINTMENT_STATUS__BOOKED, -15 * 60},
            {"reception.appointment.confirmed", AS__APPOINTMENT_STATUS__CONFIRMED, -14 * 60},
            {"reception.appointment.arrived", AS__APPOINTMENT_STATUS__ARRIVED, -5}};
        for (size_t i = 0; i < 3 && rc == 0; i++) {
            a.status = steps[i].status;
            As__AppointmentChanged m = AS__APPOINTMENT_CHANGED__INIT;
            int64_t at = t + steps[i].at * MIN_US;
            char d[AS_DATE_LEN + 1];
            as_date_of_us(at, d);
            m.appointment = &a;
            m.date = d;
            rc = s_emit(src, txn, steps[i].type, p->appointment, "clerk", at, &m.base, g->buf);
        }
    }
    /* the RO with its jobs, as reception.ro.opened carries it */
    As__RepairOrder ro = AS__REPAIR_ORDER__INIT;
    As__Job jobs[3], *jobp[3];
    As__LabourOperation labour[3];
    As__PartLine lines[3][2], *linep[3][2];
    int64_t labour_cents = 0, parts_cents = 0;
    for (unsigned j = 0; j < p->n_jobs; j++) {
        as__job__init(&jobs[j]);
        as__labour_operation__init(&labour[j]);
        labour[j].code = (char *)p->ops[j]->code;
        labour[j].description = (char *)p->ops[j]->description;
        labour[j].skill = (char *)p->ops[j]->skill;
        labour[j].has_sold_minutes = labour[j].has_rate_cents = 1;
        labour[j].sold_minutes = p->ops[j]->sold_minutes;
        labour[j].rate_cents = RATE_CENTS;
        jobs[j].has_job_no = jobs[j].has_pay_type = jobs[j].has_status = 1;
        jobs[j].job_no = j + 1;
        jobs[j].concern = (char *)p->ops[j]->description;
        jobs[j].pay_type = s_rand(s, day, 0, 30 + j, 10) == 0 ? AS__PAY_TYPE__WARRANTY
                                                              : AS__PAY_TYPE__CUSTOMER_PAY;
        jobs[j].labour = &labour[j];
        jobs[j].status = AS__JOB_STATUS__JOB_OPEN;
        for (int l = 0; l < 2; l++) {
            as__part_line__init(&lines[j][l]);
            lines[j][l].part_number = (char *)p->ops[j]->parts[l];
            lines[j][l].has_quantity = lines[j][l].has_unit_price_cents = 1;
            lines[j][l].quantity = 1;
            lines[j][l].unit_price_cents = s_part_price(p->ops[j]->parts[l]);
            linep[j][l] = &lines[j][l];
            parts_cents += lines[j][l].unit_price_cents;
        }
        jobs[j].parts = linep[j];
        jobs[j].n_parts = 2;
        jobp[j] = &jobs[j];
        labour_cents += (int64_t)p->ops[j]->sold_minutes * RATE_CENTS / 60;
    }
    ro.ro_number = (char *)p->number;
    ro.vin = (char *)p->vin;
    ro.customer_id = (char *)p->customer;
    ro.advisor = (char *)p->advisor;
    ro.appointment_id = (char *)p->appointment;
    ro.has_mileage_km = ro.has_status = ro.has_estimate_cents = ro.has_opened_us = 1;
    ro.mileage_km = 10000 + s_rand(s, day, 0, 7, 150000);
    ro.jobs = jobp;
    ro.n_jobs = p->n_jobs;
    ro.estimate_cents = labour_cents + parts_cents;
    ro.opened_us = t;
    ro.opened_date = (char *)date;
    As__RoChanged m = AS__RO_CHANGED__INIT;
    m.ro = &ro;
    m.date = (char *)date;
    ro.status = AS__RO_STATUS__RO_IN_WORKSHOP;
    if (rc == 0)
        rc = s_emit(src, txn, "reception.ro.opened", p->number, p->advisor, t, &m.base, g->buf);
    if (rc == 0 && p->comeback) {
        As__ComebackDetected c = AS__COMEBACK_DETECTED__INIT;
        char earlier[40];
        snprintf(earlier, sizeof earlier, "RO-EARLIER-%s", p->number + 3);
        char *techs[] = {(char *)p->techs[0]};
        char *ops[] = {(char *)p->ops[0]->code};
        c.ro_number = (char *)p->number;
        c.earlier_ro = earlier;
        c.vin = (char *)p->vin;
        c.concern = (char *)p->ops[0]->description;
        c.advisor = (char *)p->advisor;
        c.technicians = techs;
        c.n_technicians = 1;
        c.operations = ops;
        c.n_operations = 1;
        c.date = (char *)date;
        rc = s_emit(src, txn, "reception.comeback.detected", p->number, p->advisor, t, &c.base,
                    g->buf);
    }
    ro.consent = "signature";
    if (rc == 0)
        rc = s_emit(src, txn, "reception.ro.consented", p->number, p->advisor, t + 5 * MIN_US,
                    &m.base, g->buf);
    int64_t ready = midnight + 15 * 60 * MIN_US + s_rand(s, day, 0, 8, 90) * MIN_US;
    ro.status = AS__RO_STATUS__RO_READY_FOR_DELIVERY;
    ro.has_ready_us = 1;
    ro.ready_us = ready;
    for (unsigned j = 0; j < p->n_jobs; j++) {
        jobs[j].status = AS__JOB_STATUS__JOB_QC_PASSED;
        jobs[j].technician = (char *)p->techs[j];
    }
    if (rc == 0)
        rc = s_emit(src, txn, "reception.ro.ready", p->number, "qc", ready, &m.base, g->buf);
    As__Invoice inv = AS__INVOICE__INIT;
    inv.has_labour_cents = inv.has_parts_cents = inv.has_total_cents = 1;
    inv.has_customer_pay_cents = 1;
    inv.labour_cents = labour_cents;
    inv.parts_cents = parts_cents;
    inv.total_cents = inv.customer_pay_cents = labour_cents + parts_cents;
    ro.invoice = &inv;
    ro.status = AS__RO_STATUS__RO_DELIVERED;
    ro.has_delivered_us = 1;
    ro.delivered_us = ready + 30 * MIN_US;
    ro.has_parts_consumed_cents = 1;
    ro.parts_consumed_cents = parts_cents;
    if (rc == 0)
        rc = s_emit(src, txn, "reception.ro.delivered", p->number, p->advisor, ro.delivered_us,
                    &m.base, g->buf);
    ro.status = AS__RO_STATUS__RO_CLOSED;
    ro.has_closed_us = 1;
    ro.closed_us = ro.delivered_us + 10 * MIN_US;
    if (rc == 0)
        rc = s_emit(src, txn, "reception.ro.closed", p->number, p->advisor, ro.closed_us, &m.base,
                    g->buf);
    As__FollowupRecorded f = AS__FOLLOWUP_RECORDED__INIT;
    f.ro_number = (char *)p->number;
    f.advisor = (char *)p->advisor;
    f.has_csi_score = 1;
    f.csi_score = 6 + s_rand(s, day, 0, 9, 5);
    f.date = (char *)date;
    if (rc == 0)
        rc = s_emit(src, txn, "reception.followup.recorded", p->number, "clerk",
                    midnight + 18 * 60 * MIN_US, &f.base, g->buf);
    return rc;
}

static int s_workshop_ro(gen_t *g, MDB_txn *txn, const char *date, const ro_plan_t *p)
{
    src_t *src = &g->ws;
    int rc = 0;
    int64_t t = p->open_us + 15 * MIN_US;
    As__LabourOperation labour[3];
    for (unsigned j = 0; j < p->n_jobs && rc == 0; j++) {
        as__labour_operation__init(&labour[j]);
        labour[j].code = (char *)p->ops[j]->code;
        labour[j].description = (char *)p->ops[j]->description;
        labour[j].has_sold_minutes = labour[j].has_rate_cents = 1;
        labour[j].sold_minutes = p->ops[j]->sold_minutes;
        labour[j].rate_cents = RATE_CENTS;
        As__WorkJob job = AS__WORK_JOB__INIT;
        job.ro_number = (char *)p->number;
        job.has_job_no = job.has_pay_type = job.has_status = 1;
        job.job_no = j + 1;
        job.vin = (char *)p->vin;
        job.concern = (char *)p->ops[j]->description;
        job.pay_type = AS__PAY_TYPE__CUSTOMER_PAY;
        job.labour = &labour[j];
        job.status = AS__WORK_STATUS__WORK_DISPATCHED;
        job.technician = (char *)p->techs[j];
        job.bay = (char *)p->bays[j];
        job.advisor = (char *)p->advisor;
        job.opened_date = (char *)date;
        As__JobDispatched m = AS__JOB_DISPATCHED__INIT;
        m.job = &job;
        m.date = (char *)date;
        rc = s_emit(src, txn, "workshop.job.dispatched", p->number, "foreman", t, &m.base, g->buf);
    }
    /* each job clocked in two intervals (before and after a break) */
    for (unsigned j = 0; j < p->n_jobs && rc == 0; j++)
        for (unsigned half = 0; half < 2 && rc == 0; half++) {
            As__ClockStopped c = AS__CLOCK_STOPPED__INIT;
            c.ro_number = (char *)p->number;
            c.has_job_no = c.has_minutes = c.has_finished = 1;
            c.job_no = j + 1;
            c.tech_id = (char *)p->techs[j];
            c.bay_id = (char *)p->bays[j];
            c.minutes = half == 0 ? p->actual[j] / 2 : p->actual[j] - p->actual[j] / 2;
            c.date = (char *)date;
            c.finished = half == 1;
            t += (int64_t)(c.minutes + 5) * MIN_US;
            rc = s_emit(src, txn, "workshop.clock.stopped", p->number, p->techs[j], t, &c.base,
                        g->buf);
        }
    if (rc == 0 && p->qc_fail) {
        As__QcFailed f = AS__QC_FAILED__INIT;
        uint32_t failed[] = {1};
        char *reasons[] = {"torque not recorded"};
        char *techs[] = {(char *)p->techs[0]};
        f.ro_number = (char *)p->number;
        f.has_kind = 1;
        f.kind = AS__INSPECTION_KIND__FINAL;
        f.failed_jobs = failed;
        f.n_failed_jobs = 1;
        f.reasons = reasons;
        f.n_reasons = 1;
        f.inspector = "qc";
        f.technicians = techs;
        f.n_technicians = 1;
        f.date = (char *)date;
        rc = s_emit(src, txn, "workshop.qc.failed", p->number, "qc", t, &f.base, g->buf);
        As__ClockStopped c = AS__CLOCK_STOPPED__INIT; /* the rework */
        c.ro_number = (char *)p->number;
        c.has_job_no = c.has_minutes = c.has_finished = 1;
        c.job_no = 1;
        c.tech_id = (char *)p->techs[0];
        c.bay_id = (char *)p->bays[0];
        c.minutes = 15;
        c.date = (char *)date;
        c.finished = 1;
        t += 20 * MIN_US;
        if (rc == 0)
            rc = s_emit(src, txn, "workshop.clock.stopped", p->number, p->techs[0], t, &c.base,
                        g->buf);
    }
    As__QcJob qj[3], *qjp[3];
    for (unsigned j = 0; j < p->n_jobs; j++) {
        as__qc_job__init(&qj[j]);
        qj[j].has_job_no = qj[j].has_pay_type = qj[j].has_sold_minutes = 1;
        qj[j].has_actual_minutes = 1;
        qj[j].job_no = j + 1;
        qj[j].technician = (char *)p->techs[j];
        qj[j].pay_type = AS__PAY_TYPE__CUSTOMER_PAY;
        qj[j].labour = &labour[j];
        qj[j].sold_minutes = p->ops[j]->sold_minutes;
        qj[j].actual_minutes = p->actual[j] + (p->qc_fail && j == 0 ? 15 : 0);
        qj[j].bay = (char *)p->bays[j];
        qj[j].concern = (char *)p->ops[j]->description;
        qjp[j] = &qj[j];
    }
    char cert[48];
    snprintf(cert, sizeof cert, "QC-%s", p->number + 3);
    As__QcPassed q = AS__QC_PASSED__INIT;
    q.ro_number = (char *)p->number;
    q.vin = (char *)p->vin;
    q.certificate = cert;
    q.has_first_time = 1;
    q.first_time = !p->qc_fail;
    q.jobs = qjp;
    q.n_jobs = p->n_jobs;
    q.inspector = "qc";
    q.advisor = (char *)p->advisor;
    q.date = (char *)date;
    return rc ? rc
              : s_emit(src, txn, "workshop.qc.passed", p->number, "qc", t + 10 * MIN_US, &q.base,
                       g->buf);
}

static int s_stock_moved(gen_t *g, MDB_txn *txn, const char *part, int quantity, const char *kind,
                         const char *ref, const char *date, int64_t at_us)
{
    As__StockMoved m = AS__STOCK_MOVED__INIT;
    m.part_number = (char *)part;
    m.group = "maintenance";
    m.has_quantity = m.has_unit_cost_cents = m.has_value_cents = m.has_on_hand = 1;
    m.quantity = quantity;
    m.unit_cost_cents = s_part_cost(part);
    m.value_cents = quantity * m.unit_cost_cents;
    m.kind = (char *)kind;
    m.ref = (char *)ref;
    m.date = (char *)date;
    m.by = "keeper";
    m.on_hand = 20;
    return s_emit(&g->parts, txn, "parts.stock.moved", part, "keeper", at_us, &m.base, g->buf);
}

static int s_parts_ro(gen_t *g, MDB_txn *txn, const char *date, const ro_plan_t *p)
{
    src_t *src = &g->parts;
    int rc = 0;
    int64_t t = p->open_us + 20 * MIN_US;
    As__ConsumptionLine cl[6], *clp[6];
    size_t n_cl = 0;
    int64_t cost = 0, price = 0;
    for (unsigned j = 0; j < p->n_jobs && rc == 0; j++)
        for (int l = 0; l < 2 && rc == 0; l++) {
            const char *part = p->ops[j]->parts[l];
            char id[64];
            snprintf(id, sizeof id, "I-%s-%u-%d", p->number + 3, j + 1, l + 1);
            As__PartIssue is = AS__PART_ISSUE__INIT;
            is.issue_id = id;
            is.ro_number = (char *)p->number;
            is.has_job_no = is.has_quantity = is.has_unit_cost_cents = 1;
            is.has_unit_price_cents = is.has_first_pick = is.has_at_us = 1;
            is.has_request_line = 1;
            is.job_no = j + 1;
            is.part_number = (char *)part;
            is.quantity = 1;
            is.technician = (char *)p->techs[j];
            is.unit_cost_cents = s_part_cost(part);
            is.unit_price_cents = s_part_price(part);
            is.issued_by = "keeper";
            is.at_us = t;
            is.request_line = 1;
            As__PartIssued m = AS__PART_ISSUED__INIT;
            m.issue = &is;
            m.date = (char *)date;
            char bo_id[72];
            if (p->backorder_job == j + 1 && l == 0) {
                /* nothing on the shelf: a backorder, filled by the afternoon delivery */
                is.first_pick = 0;
                is.has_backorder = 1;
                is.backorder = 1;
                is.promised_date = (char *)date;
                snprintf(bo_id, sizeof bo_id, "%s-bo", id);
                is.issue_id = bo_id;
                rc = s_emit(src, txn, "parts.backorder.created", p->number, "keeper", t, &m.base,
                            g->buf);
                is.issue_id = id;
                is.has_backorder = 0;
                is.backorder = 0;
                is.request_line = 0;
                is.backorder_of = bo_id;
                is.has_line_complete = 1;
                is.line_complete = 1;
                is.at_us = t + 4 * 60 * MIN_US;
            } else {
                is.first_pick = 1;
            }
            if (rc == 0)
                rc = s_emit(src, txn, "parts.issue.recorded", p->number, "keeper", is.at_us,
                            &m.base, g->buf);
            if (rc == 0)
                rc = s_stock_moved(g, txn, part, -1, "issue", id, date, is.at_us);
            as__consumption_line__init(&cl[n_cl]);
            cl[n_cl].part_number = (char *)part;
            cl[n_cl].has_job_no = cl[n_cl].has_quantity = 1;
            cl[n_cl].has_cost_cents = cl[n_cl].has_price_cents = 1;
            cl[n_cl].job_no = j + 1;
            cl[n_cl].quantity = 1;
            cl[n_cl].cost_cents = s_part_cost(part);
            cl[n_cl].price_cents = s_part_price(part);
            cost += cl[n_cl].cost_cents;
            price += cl[n_cl].price_cents;
            clp[n_cl] = &cl[n_cl];
            n_cl++;
            t += 2 * MIN_US;
        }
    As__Consumption c = AS__CONSUMPTION__INIT;
    c.ro_number = (char *)p->number;
    c.lines = clp;
    c.n_lines = n_cl;
    c.has_cost_cents = c.has_price_cents = c.has_at_us = 1;
    c.cost_cents = cost;
    c.price_cents = price;
    c.at_us = t + 6 * 60 * MIN_US;
    As__ConsumptionRecorded m = AS__CONSUMPTION_RECORDED__INIT;
    m.consumption = &c;
    m.date = (char *)date;
    return rc ? rc
              : s_emit(src, txn, "parts.consumption.recorded", p->number, "keeper", c.at_us,
                       &m.base, g->buf);
}

/* the day's own events of a source: shifts, the clerk's plan, the delivery */
static int s_daily(gen_t *g, MDB_txn *txn, src_t *src, const char *date, int64_t midnight)
{
    int rc = 0;
    char id[48];
    if (src == &g->ws) {
        for (unsigned t = 1; t <= N_TECHS && rc == 0; t++) {
            As__Attendance a = AS__ATTENDANCE__INIT;
            snprintf(id, sizeof id, "tech-%02u", t);
            a.tech_id = id;
            a.date = (char *)date;
            a.has_minutes = 1;
            a.minutes = t == N_TECHS ? 270 : 540; /* 08:00-17:00; the last a part-timer */
            As__ShiftRecorded m = AS__SHIFT_RECORDED__INIT;
            m.attendance = &a;
            rc = s_emit(src, txn, "workshop.shift.recorded", id, "foreman",
                        midnight + 17 * 60 * MIN_US, &m.base, g->buf);
        }
    } else if (src == &g->rec) {
        As__ReminderPlanned m = AS__REMINDER_PLANNED__INIT;
        m.date = (char *)date;
        m.planned_by = "clerk";
        m.has_count = m.has_planned_us = 1;
        m.count = 10;
        m.planned_us = midnight + 7 * 60 * MIN_US;
        rc = s_emit(src, txn, "reception.reminder.planned", date, "clerk", m.planned_us, &m.base,
                    g->buf);
        /* she makes 8 of the 10 calls */
        for (unsigned i = 0; i < 8 && rc == 0; i++) {
            As__Reminder r = AS__REMINDER__INIT;
            char vin[24];
            snprintf(vin, sizeof vin, "LVS%02uAB%09u", g->site_no % 100,
                     s_rand(g->site_no, 0, i, 40, 4000));
            r.vin = vin;
            r.kind = "maintenance";
            r.due_date = (char *)date;
            r.outcome = i % 3 == 0 ? "booked" : i % 3 == 1 ? "declined" : "unreachable";
            r.made_by = "clerk";
            r.has_made_us = 1;
            r.made_us = midnight + (9 * 60 + 20 * i) * MIN_US;
            As__ReminderRecorded rr = AS__REMINDER_RECORDED__INIT;
            rr.reminder = &r;
            rr.date = (char *)date;
            rc = s_emit(src, txn, "reception.reminder.made", vin, "clerk", r.made_us, &rr.base,
                        g->buf);
        }
    } else {
        As__KeeperShift k = AS__KEEPER_SHIFT__INIT;
        k.staff_id = "keeper";
        k.date = (char *)date;
        k.start = "07:30";
        k.end = "17:30";
        k.has_minutes = 1;
        k.minutes = 600;
        k.recorded_by = "keeper";
        As__KeeperShiftRecorded m = AS__KEEPER_SHIFT_RECORDED__INIT;
        m.shift = &k;
        rc = s_emit(src, txn, "parts.shift.recorded", "keeper", "keeper",
                    midnight + 17 * 60 * MIN_US + 30 * MIN_US, &m.base, g->buf);
        /* the morning delivery: one receipt of the catalogue's first 8 parts */
        As__ReceiptLine rl[8], *rlp[8];
        snprintf(id, sizeof id, "R-%s", date);
        for (unsigned i = 0; i < 8; i++) {
            as__receipt_line__init(&rl[i]);
            rl[i].part_number = (char *)s_ops[i].parts[0];
            rl[i].has_expected = rl[i].has_received = 1;
            rl[i].expected = rl[i].received = 5;
            rlp[i] = &rl[i];
        }
        As__Receipt r = AS__RECEIPT__INIT;
        r.receipt_id = id;
        r.supplier = "oem";
        r.lines = rlp;
        r.n_lines = 8;
        r.received_by = "keeper";
        r.has_at_us = 1;
        r.at_us = midnight + 7 * 60 * MIN_US + 45 * MIN_US;
        As__StockReceived sr = AS__STOCK_RECEIVED__INIT;
        sr.receipt = &r;
        sr.date = (char *)date;
        if (rc == 0)
            rc = s_emit(src, txn, "parts.stock.received", id, "keeper", r.at_us, &sr.base, g->buf);
        for (unsigned i = 0; i < 8 && rc == 0; i++)
            rc = s_stock_moved(g, txn, s_ops[i].parts[0], 5, "receipt", id, date, r.at_us);
    }
    return rc;
}

typedef struct txn_arg {
    gen_t *g;
    src_t *src;
    uint64_t events0;
} txn_arg_t;

/* days g->day0 .. g->day1 - 1 of one source, in one transaction */
static int s_write_days(MDB_txn *txn, void *arg)
{
    txn_arg_t *a = arg;
    gen_t *g = a->g;
    src_t *src = a->src;
    as_pub_begin(src->pub);
    src->events = a->events0; /* a run again after the map grew counts again */
    int rc = 0;
    for (unsigned day = g->day0; day < g->day1 && rc == 0; day++) {
        char date[AS_DATE_LEN + 1];
        int64_t midnight;
        s_day(g, day, date, &midnight);
        if (day == 0)
            rc = s_setup(g, txn, src, midnight + 7 * 60 * MIN_US);
        if (rc == 0)
            rc = s_daily(g, txn, src, date, midnight);
        for (unsigned r = 0; r < g->ros && rc == 0; r++) {
            ro_plan_t p;
            s_plan(g, day, date, midnight, r, &p);
            if (src == &g->rec)
                rc = s_reception_ro(g, txn, day, date, midnight, &p);
            else if (src == &g->ws)
                rc = s_workshop_ro(g, txn, date, &p);
            else
                rc = s_parts_ro(g, txn, date, &p);
        }
    }
    return rc;
}

static int s_open_src(src_t *src, const char *dir, const char *service, const char *site,
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

static void s_close_src(src_t *src)
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
            "       yeargen wait --endpoint EP --expect SRC=SEQ,... --started-us US\n"
            "                   [--timeout-s S] [--report FILE]\n"
            "       yeargen report --endpoint EP --actor ID (--month M | --year Y) --by B\n"
            "                   [--site S | --group] --reps N [--report FILE]\n"
            "       yeargen probe --config FILE\n"
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
    gen_t *g = calloc(1, sizeof *g);
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
            src_t *src;
            const char *service;
            const char *const *dbs;
        } srcs[] = {{&g->rec, "reception", reception_service.dbs},
                    {&g->ws, "workshop", workshop_service.dbs},
                    {&g->parts, "parts", parts_service.dbs}};
        for (size_t i = 0; i < 3 && rc == 0; i++) {
            src_t *src = srcs[i].src;
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
        s_day(g, g->days - 1, last, &ignored);
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
            if (bench_count_arg("yeargen", "timeout-s", optarg, &timeout_s, true))
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
    fprintf(stderr, "yeargen: %s %" PRIu64 " of %" PRIu64 " events in %.1f s (%.0f events/s)\n",
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
            if (bench_count_arg("yeargen", "reps", optarg, &reps, true))
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
        fprintf(stderr, "yeargen: this build's KpiReportRequest has no %s field\n",
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
            fprintf(stderr, "yeargen: kpi.report answered %d: %s\n", reply->status,
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
        fprintf(stderr, "yeargen: kpi.report failed: %s\n", as_strerror(rc));
        return BENCH_EXIT_UNAVAILABLE;
    }
    qsort(lat, reps, sizeof *lat, s_cmp64);
    int64_t p50 = lat[reps / 2], p99 = lat[(reps * 99) / 100 < reps ? (reps * 99) / 100 : reps - 1];
    fprintf(stderr,
            "yeargen: kpi.report %s %s by %s%s%s: %zu rows, %zu bytes, p50 %.2f ms, p99 %.2f ms "
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
        fprintf(stderr, "yeargen: %s\n", why ? why : path);
        free(why);
        return BENCH_EXIT_CONFIG;
    }
    const ProtobufCMessageDescriptor *d = &as__kpi_report_request__descriptor;
    printf("{\"version\": %d, \"kpi_sites\": %s, \"report_year\": %s, \"report_site\": %s, "
           "\"report_group\": %s}\n",
           YEARGEN_VERSION, as_config_schema_key(cfg, "kpi", "sites") ? "true" : "false",
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
    if (strcmp(cmd, "gen") == 0)
        return s_gen(argc - 1, argv + 1);
    if (strcmp(cmd, "wait") == 0)
        return s_wait(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return s_report(argc - 1, argv + 1);
    if (strcmp(cmd, "probe") == 0)
        return s_probe(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0)
        return printf("%d\n", YEARGEN_VERSION) > 0 ? 0 : BENCH_EXIT_IOERR;
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        s_usage(NULL);
        return 0;
    }
    return s_usage("the first word is gen, wait, report, probe or version");
}
