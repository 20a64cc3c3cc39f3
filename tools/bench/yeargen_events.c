/* yeargen_events.c — the events of a dealership's working day, as its
 * reception, workshop and parts emit them (yeargen.h). Every value is a
 * function of (site, day, RO, what) alone: a day written again is the same
 * day, event for event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/pb/parts.pb-c.h"
#include "as/pb/reception.pb-c.h"
#include "as/pb/workshop.pb-c.h"
#include "yeargen.h"

#define N_ADVISORS 3

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

static int s_emit(yg_src_t *src, MDB_txn *txn, const char *type, const char *subject,
                  const char *actor, int64_t at_us, const ProtobufCMessage *msg, uint8_t *buf)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    if (len > YG_PAYLOAD_MAX)
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
void yg_day(const yg_gen_t *g, unsigned n, char out[AS_DATE_LEN + 1], int64_t *midnight_us)
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

static int s_setup(yg_gen_t *g, MDB_txn *txn, yg_src_t *src, int64_t at_us)
{
    char id[32], name[48];
    int rc = 0;
    if (src == &g->ws) {
        for (unsigned t = 1; t <= YG_N_TECHS && rc == 0; t++) {
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
        for (unsigned b = 1; b <= YG_N_TECHS && rc == 0; b++) {
            As__Bay bay = AS__BAY__INIT;
            snprintf(id, sizeof id, "B%02u", b);
            bay.bay_id = id;
            bay.kind = b == YG_N_TECHS ? "alignment" : "lift";
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
    unsigned index;         /* the RO's place in its day, from 0 */
    bool warranty[3];       /* the job is the OEM's (warranty), not the customer's */
    int64_t open_us;
} ro_plan_t;

static void s_plan(const yg_gen_t *g, unsigned day, const char *date, int64_t midnight, unsigned r,
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
    p->index = r;
    p->n_jobs = 1 + s_rand(s, day, r, 3, 3);
    for (unsigned j = 0; j < p->n_jobs; j++) {
        p->ops[j] = &s_ops[s_rand(s, day, r, 10 + j, N_OPS)];
        p->warranty[j] = s_rand(s, day, r, 30 + j, 10) == 0; /* one job in ten */
        unsigned t = 1 + (r * 3 + j) % YG_N_TECHS;
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

static int s_reception_ro(yg_gen_t *g, MDB_txn *txn, unsigned day, const char *date,
                          int64_t midnight, const ro_plan_t *p)
{
    yg_src_t *src = &g->rec;
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
        jobs[j].pay_type = p->warranty[j] ? AS__PAY_TYPE__WARRANTY : AS__PAY_TYPE__CUSTOMER_PAY;
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
    ro.mileage_km = 10000 + s_rand(s, day, p->index, 7, 150000);
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
    int64_t ready = midnight + 15 * 60 * MIN_US + s_rand(s, day, p->index, 8, 90) * MIN_US;
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
    f.csi_score = 6 + s_rand(s, day, p->index, 9, 5);
    f.date = (char *)date;
    if (rc == 0)
        rc = s_emit(src, txn, "reception.followup.recorded", p->number, "clerk",
                    midnight + 18 * 60 * MIN_US, &f.base, g->buf);
    return rc;
}

static int s_workshop_ro(yg_gen_t *g, MDB_txn *txn, const char *date, const ro_plan_t *p)
{
    yg_src_t *src = &g->ws;
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
        job.pay_type = p->warranty[j] ? AS__PAY_TYPE__WARRANTY : AS__PAY_TYPE__CUSTOMER_PAY;
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
        qj[j].pay_type = p->warranty[j] ? AS__PAY_TYPE__WARRANTY : AS__PAY_TYPE__CUSTOMER_PAY;
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

static int s_stock_moved(yg_gen_t *g, MDB_txn *txn, const char *part, int quantity,
                         const char *kind, const char *ref, const char *date, int64_t at_us)
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

static int s_parts_ro(yg_gen_t *g, MDB_txn *txn, const char *date, const ro_plan_t *p)
{
    yg_src_t *src = &g->parts;
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
static int s_daily(yg_gen_t *g, MDB_txn *txn, yg_src_t *src, unsigned day, const char *date,
                   int64_t midnight)
{
    int rc = 0;
    char id[48];
    if (src == &g->ws) {
        for (unsigned t = 1; t <= YG_N_TECHS && rc == 0; t++) {
            As__Attendance a = AS__ATTENDANCE__INIT;
            snprintf(id, sizeof id, "tech-%02u", t);
            a.tech_id = id;
            a.date = (char *)date;
            a.has_minutes = 1;
            a.minutes = t == YG_N_TECHS ? 270 : 540; /* 08:00-17:00; the last a part-timer */
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
                     s_rand(g->site_no, day, i, 40, 4000));
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

int yg_write_day(yg_gen_t *g, MDB_txn *txn, yg_src_t *src, unsigned day)
{
    char date[AS_DATE_LEN + 1];
    int64_t midnight;
    yg_day(g, day, date, &midnight);
    int rc = day == 0 ? s_setup(g, txn, src, midnight + 7 * 60 * MIN_US) : 0;
    if (rc == 0)
        rc = s_daily(g, txn, src, day, date, midnight);
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
    return rc;
}
