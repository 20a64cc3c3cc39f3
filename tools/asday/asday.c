/* asday — plays a dealership's day against the running daemons, through their
 * service endpoints exactly as asctl would: technicians, bays and shifts,
 * the service manager's labour operations and rates, the parts catalogue and
 * a delivery, customers and vehicles, the clerk's
 * reminder calls from her plan of the day, appointments,
 * about 40 repair orders opened from operation codes with parts lines, approvals
 * above an advisor's limit, extra defects approved and declined, QC failures
 * and rework, a parts backorder and orders to the supplier (a stock order,
 * a late line, an urgent order for the backorder), deliveries, follow-up
 * calls and comebacks; the road rescue, the lounge and the counter's
 * products; training, targets, a bulletin, QC's statistics, expenses, the
 * replaced parts returned to the OEM, the comebacks' causes, corrective and
 * preventive actions and the quality meeting, an advisor's own target, the
 * roster and the scorecards (issue 15, README).
 *
 * The day is generated from --seed and --date, and every command carries a
 * request id made from what it does (actor, command, payload): playing the
 * same day twice, or resuming a day that was interrupted, does nothing twice.
 * Every step happens at a simulated time of that date (from 07:00; the
 * technicians' work from 08:00), and every dated command (catalog.h) says
 * so in its request (occurred_us): a past day is keyed in after the fact,
 * the daemons' clock is never moved, and the KPIs count the day on its date.
 */
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "as/version.h"
#include "as/calendar.h"
#include "as/catalog.h"
#include "as/error.h"
#include "as/log.h"
#include "as/pb/rpc.pb-c.h"
#include "as/pbjson.h"
#include "as/rpc.h"
#include "as/security.h"
#include "as/staff.h"
#include "as/vin.h"
#include "day_data.h"

#define MAX_STAFF 32
#define WAIT_MS 15000

typedef struct {
    as_config_t *cfg;
    as_security_t *security;
    as_staff_t *staff;
    void *zctx;
    as_rpc_client_t *clients[12];
    char services[12][32];
    size_t n_clients;
    char date[AS_DATE_LEN + 1];
    unsigned seed;
    unsigned rng;
    bool verbose;
    const char *advisors[MAX_STAFF];
    size_t n_advisors;
    const char *technicians[MAX_STAFF];
    size_t n_technicians;
    int64_t tech_free_us[MAX_STAFF];      /* simulated time each technician is free again */
    int64_t tech_shift_end_us[MAX_STAFF]; /* simulated end of each technician's shift */
    const char *foreman, *qc, *keeper, *manager, *clerk;
    const char *service_manager; /* keeps the labour-operation catalogue and the rates */
    const char *tool_admin;      /* NULL: the site runs no tool room */
    const char *warranty_clerk;  /* NULL: the site runs no warranty service */
    const char *crm;             /* the CRM's system identity; NULL: no ingest gateway [crm] */
    bool kpi;                    /* the site runs kpi: the service manager keys targets, expenses */
    int oem_state; /* 0 not asked yet, 1 asoem confirms orders to "OEM" and answers, 2 not */
    unsigned km[DAY_CUSTOMERS]; /* each vehicle's reading when the day starts */
    int64_t day_start_us;
    int64_t at_us;   /* when the step being played happens: dated commands carry it */
    int64_t last_us; /* the latest step so far */
    unsigned commands;
} day_t;

/* --- plumbing ------------------------------------------------------------ */

static unsigned s_rand(day_t *d, unsigned below)
{
    d->rng = d->rng * 1103515245u + 12345u;
    return (d->rng >> 8) % below;
}

static as_rpc_client_t *s_client(day_t *d, const char *service)
{
    for (size_t i = 0; i < d->n_clients; i++)
        if (strcmp(d->services[i], service) == 0)
            return d->clients[i];
    const char *endpoint = as_config_get(d->cfg, service, "endpoint", NULL);
    if (!endpoint || d->n_clients == 12) {
        fprintf(stderr, "asday: no endpoint for '%s' in the config\n", service);
        exit(78);
    }
    int err = 0;
    as_rpc_client_t *c = as_rpc_client_new(d->zctx, endpoint, d->security, service, &err);
    if (!c) {
        fprintf(stderr, "asday: cannot connect to %s: %s\n", endpoint, as_strerror(err));
        exit(69);
    }
    snprintf(d->services[d->n_clients], sizeof d->services[0], "%s", service);
    d->clients[d->n_clients++] = c;
    return c;
}

/* The request id of a step: a digest of what it does (who, which command,
 * which payload), never where it comes in the day. A day interrupted and
 * played again sends each step under the id it had, so the services answer
 * what is done from their stored replies and do the rest; a step whose
 * content depends on what the stores hold gets a new id only when it is a
 * new step. */
static void s_step_id(const day_t *d, const char *actor, const char *command,
                      const uint8_t *payload, size_t payload_len, int64_t occurred_us, char *out,
                      size_t cap)
{
    unsigned char digest[16];
    char hex[2 * sizeof digest + 1];
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, sizeof digest);
    crypto_generichash_update(&state, (const unsigned char *)actor, strlen(actor) + 1);
    crypto_generichash_update(&state, (const unsigned char *)command, strlen(command) + 1);
    crypto_generichash_update(&state, payload, payload_len);
    if (occurred_us)
        crypto_generichash_update(&state, (const unsigned char *)&occurred_us, sizeof occurred_us);
    crypto_generichash_final(&state, digest, sizeof digest);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    snprintf(out, cap, "asday-%s-%s", d->date, hex);
}

/* Sends `command` with a payload given as JSON (printf-style), as `actor`.
 * Returns the reply payload as JSON (new reference; an empty object when the
 * command answers nothing) or NULL when the service refused (the error is in
 * *error when given, else printed and the day stops). Queries (`fresh`) get
 * a new request id each time; everything else a deterministic one. */
static json_t *s_vcall(day_t *d, const char *actor, const char *command, bool fresh, char *error,
                       size_t error_len, const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));
static json_t *s_vcall(day_t *d, const char *actor, const char *command, bool fresh, char *error,
                       size_t error_len, const char *fmt, va_list ap)
{
    const as_command_info_t *info = as_catalog_command(command);
    if (!info) {
        fprintf(stderr, "asday: '%s' is not in the catalog\n", command);
        exit(70);
    }
    char text[8192];
    vsnprintf(text, sizeof text, fmt, ap);
    uint8_t *payload = NULL;
    size_t payload_len = 0;
    if (info->request) {
        json_error_t jerr;
        json_t *json = json_loads(text, 0, &jerr);
        ProtobufCMessage *msg = NULL;
        char err[512];
        if (!json || as_pbjson_from_json(info->request, json, &msg, err, sizeof err) != 0) {
            fprintf(stderr, "asday: %s payload %s: %s\n", command, text, json ? err : jerr.text);
            exit(70);
        }
        json_decref(json);
        payload_len = protobuf_c_message_get_packed_size(msg);
        payload = malloc(payload_len + 1);
        protobuf_c_message_pack(msg, payload);
        protobuf_c_message_free_unpacked(msg, NULL);
    }
    int64_t occurred_us = info->dated ? d->at_us : 0; /* the step's time on the day */
    char request_id[96];
    if (fresh)
        as_uuidv7(request_id);
    else
        s_step_id(d, actor, command, payload, payload_len, occurred_us, request_id,
                  sizeof request_id);
    As__CommandReply *reply = NULL;
    int rc = as_rpc_command_at(s_client(d, info->service), command, actor, request_id, payload,
                               payload_len, occurred_us, 5000, 3, &reply);
    free(payload);
    d->commands++;
    if (rc != 0) {
        fprintf(stderr, "asday: %s: no answer from %s (%s)\n", command, info->service,
                as_strerror(rc));
        exit(69);
    }
    json_t *out = NULL;
    if (reply->status != 0) {
        if (error) {
            snprintf(error, error_len, "%s", reply->error ? reply->error : "");
        } else {
            fprintf(stderr, "asday: %s %s refused: %s\n", command, text,
                    reply->error ? reply->error : as_strerror(reply->status));
            exit(1);
        }
    } else if (info->reply && reply->has_payload) {
        ProtobufCMessage *msg =
            protobuf_c_message_unpack(info->reply, NULL, reply->payload.len, reply->payload.data);
        out = msg ? as_pbjson_to_json(msg) : NULL;
        if (msg)
            protobuf_c_message_free_unpacked(msg, NULL);
    }
    if (!out && reply->status == 0)
        out = json_object();
    if (d->verbose)
        fprintf(stderr, "asday: %-30s %s -> %s\n", command, text, reply->status ? "refused" : "ok");
    as__command_reply__free_unpacked(reply, NULL);
    return out;
}

/* A command that must succeed; its reply is dropped. */
static void s_do(day_t *d, const char *actor, const char *command, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void s_do(day_t *d, const char *actor, const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_decref(s_vcall(d, actor, command, false, NULL, 0, fmt, ap));
    va_end(ap);
}

/* A query whose refusal (a record not there) is an answer: NULL and the
 * service's words in `error`. */
static json_t *s_call_quiet(day_t *d, const char *actor, const char *command, char *error,
                            size_t error_len, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static json_t *s_call_quiet(day_t *d, const char *actor, const char *command, char *error,
                            size_t error_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *reply = s_vcall(d, actor, command, true, error, error_len, fmt, ap);
    va_end(ap);
    return reply;
}

/* A registration of the day's setup: the stores may hold it already from a
 * day played before (the same technician, tool, bay, part or vehicle), which
 * is no reason to stop; any other refusal is. */
static void s_register(day_t *d, const char *actor, const char *command, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void s_register(day_t *d, const char *actor, const char *command, const char *fmt, ...)
{
    char error[512] = "";
    va_list ap;
    va_start(ap, fmt);
    json_t *reply = s_vcall(d, actor, command, false, error, sizeof error, fmt, ap);
    va_end(ap);
    if (!reply && !strstr(error, "already")) {
        fprintf(stderr, "asday: %s refused: %s\n", command, error);
        exit(1);
    }
    json_decref(reply);
}

/* A step another day on the same stores may have done already (a monthly
 * report submitted): its reply, or NULL when the service says "already";
 * any other refusal stops the day. */
static json_t *s_vcall_quiet(day_t *d, const char *actor, const char *command, char *error,
                             size_t error_len, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static json_t *s_vcall_quiet(day_t *d, const char *actor, const char *command, char *error,
                             size_t error_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error[0] = '\0';
    json_t *reply = s_vcall(d, actor, command, false, error, error_len, fmt, ap);
    va_end(ap);
    if (!reply && !strstr(error, "already")) {
        fprintf(stderr, "asday: %s refused: %s\n", command, error);
        exit(1);
    }
    return reply;
}

/* A command that must succeed; returns its reply. */
static json_t *s_ask(day_t *d, const char *actor, const char *command, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static json_t *s_ask(day_t *d, const char *actor, const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *out = s_vcall(d, actor, command, false, NULL, 0, fmt, ap);
    va_end(ap);
    return out;
}

/* A query, repeated until `ready(reply, arg)` holds; the day stops when it
 * does not within WAIT_MS (an event did not arrive). */
typedef bool (*s_ready_fn)(json_t *reply, const void *arg);
static json_t *s_wait(day_t *d, const char *actor, const char *command, s_ready_fn ready,
                      const void *arg, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static json_t *s_wait(day_t *d, const char *actor, const char *command, s_ready_fn ready,
                      const void *arg, const char *what, const char *fmt, ...)
{
    for (int waited = 0; waited < WAIT_MS; waited += 20) {
        char error[512];
        va_list ap;
        va_start(ap, fmt);
        json_t *reply = s_vcall(d, actor, command, true, error, sizeof error, fmt, ap);
        va_end(ap);
        if (reply && ready(reply, arg))
            return reply;
        json_decref(reply);
        usleep(20 * 1000);
    }
    fprintf(stderr, "asday: waited %d s for %s\n", WAIT_MS / 1000, what);
    exit(69);
}

static bool s_has_jobs(json_t *reply, const void *arg)
{
    return json_array_size(json_object_get(reply, "jobs")) >= *(const size_t *)arg;
}

static bool s_status_is(json_t *reply, const void *arg)
{
    const char *status = json_string_value(json_object_get(reply, "status"));
    return status && strcmp(status, (const char *)arg) == 0;
}

/* Ready for delivery, or further on (when the day is played again). */
static bool s_ready_or_later(json_t *reply, const void *arg)
{
    (void)arg;
    return s_status_is(reply, "RO_READY_FOR_DELIVERY") || s_status_is(reply, "RO_DELIVERED") ||
           s_status_is(reply, "RO_CLOSED");
}

static bool s_has_key(json_t *reply, const void *arg)
{
    return json_object_get(reply, (const char *)arg) != NULL;
}

static bool s_has_extra_work(json_t *reply, const void *arg)
{
    json_t *req;
    size_t i;
    json_array_foreach(json_object_get(reply, "extra_work"), i, req)
    {
        const char *id = json_string_value(json_object_get(req, "request_id"));
        if (id && strcmp(id, (const char *)arg) == 0)
            return true;
    }
    return false;
}

/* "RO-YYYYMMDD-": the start of every repair order number of the day. */
static void s_ro_prefix(const day_t *d, char out[16])
{
    snprintf(out, 16, "RO-%.4s%.2s%.2s-", d->date, d->date + 5, d->date + 8);
}

static bool s_of_the_day(const day_t *d, const char *ro_number)
{
    char prefix[16];
    s_ro_prefix(d, prefix);
    return ro_number && strncmp(ro_number, prefix, strlen(prefix)) == 0;
}

/* --- the plan of the day -------------------------------------------------------- */

#define DAY_ROS 40
#define DAY_APPOINTMENTS 30
/* minutes between two arrivals from 08:00: most customers drop their car off
 * in the morning (the 40th at 12:33), so the afternoon can finish the work */
#define DAY_ARRIVAL_EVERY 7

typedef struct {
    char ro_number[32];
    unsigned vehicle;
    int appointment; /* -1: walk-in */
    unsigned ops[3];
    const char *pay[3];
    size_t n_ops;
    bool qc_fails;
    int extra; /* 0 none, 1 approved, 2 declined */
    unsigned extra_op;
    int64_t accessories_cents;
    unsigned csi; /* 0: no follow-up call reached the customer */
    const char *advisor;
    int64_t arrival_us;
    int64_t done_us; /* when its last job (or rework) was finished */
} ro_plan_t;

/* A VIN with a correct check digit (ISO 3779, position 9). */
static void s_vin(unsigned n, char out[AS_VIN_LEN + 1])
{
    snprintf(out, AS_VIN_LEN + 1, "JNKCV61E09M%06u", 100000 + n * 7919 % 900000);
    out[8] = as_vin_check_digit(out);
}

static int64_t s_at(day_t *d, int minutes)
{
    return d->day_start_us + (int64_t)minutes * 60 * 1000000;
}

/* The next steps happen at `at_us`. */
static void s_when(day_t *d, int64_t at_us)
{
    d->at_us = at_us;
    if (at_us > d->last_us)
        d->last_us = at_us;
}

static void s_plan(day_t *d, ro_plan_t *plan)
{
    for (unsigned i = 0; i < DAY_ROS; i++) {
        ro_plan_t *p = &plan[i];
        memset(p, 0, sizeof *p);
        char prefix[16];
        s_ro_prefix(d, prefix);
        snprintf(p->ro_number, sizeof p->ro_number, "%s%03u", prefix, i + 1);
        p->vehicle = i;
        p->appointment = i < 26 ? (int)i : -1;
        p->advisor = d->advisors[i % d->n_advisors];
        p->arrival_us = s_at(d, DAY_ARRIVAL_EVERY * (int)i);
        p->n_ops = 1 + (s_rand(d, 4) == 0);
        for (size_t j = 0; j < p->n_ops; j++) {
            /* long operations stay rare; no tensioner by chance */
            unsigned op;
            do
                op = s_rand(d, DAY_OPS);
            while (op == 7 || (day_ops[op].sold_minutes >= 150 && s_rand(d, 4) != 0));
            for (size_t k = 0; k < j; k++)
                if (p->ops[k] == op)
                    op = 0;
            p->ops[j] = op;
            p->pay[j] = strcmp(day_ops[op].code, "NV810") == 0 ? "WARRANTY" : "CUSTOMER_PAY";
        }
        p->csi = s_rand(d, 7) == 0 ? 0 : 7 + s_rand(d, 4);
    }
    /* the events of the day that the plan must contain, whatever the seed */
    plan[8].n_ops = 2, plan[8].ops[0] = 1, plan[8].ops[1] = 3; /* above the advisor's limit */
    plan[24].n_ops = 2, plan[24].ops[0] = 10, plan[24].ops[1] = 3;
    plan[8].pay[0] = plan[8].pay[1] = plan[24].pay[0] = plan[24].pay[1] = "CUSTOMER_PAY";
    plan[10].pay[0] = "INTERNAL"; /* used-car preparation */
    plan[33].n_ops = 1, plan[33].ops[0] = 9, plan[33].pay[0] = "GOODWILL";
    plan[14].n_ops = 1, plan[14].ops[0] = 5, plan[14].pay[0] = "WARRANTY";
    plan[18].n_ops = 1, plan[18].ops[0] = 7, plan[18].pay[0] = "WARRANTY"; /* backorder */
    plan[5].qc_fails = plan[12].qc_fails = plan[20].qc_fails = plan[31].qc_fails = true;
    plan[7].extra = plan[15].extra = 1;
    plan[7].extra_op = 8, plan[15].extra_op = 4;
    plan[22].extra = plan[27].extra = 2;
    plan[22].extra_op = plan[27].extra_op = 2;
    plan[3].accessories_cents = plan[17].accessories_cents = 45000;
    /* two comebacks: the vehicles of ROs 3 and 5 return with the same concern */
    for (unsigned c = 0; c < 2; c++) {
        ro_plan_t *p = &plan[38 + c], *earlier = &plan[2 + 2 * c];
        p->vehicle = earlier->vehicle;
        p->n_ops = 1;
        p->ops[0] = earlier->ops[0];
        p->pay[0] = "CUSTOMER_PAY";
        p->appointment = -1;
    }
}

/* --- setting up the day --------------------------------------------------- */

/* A vehicle's reading when the day starts (at least `floor`): the highest it
 * had before this day's repair orders, so that a resumed day, which finds
 * some of them opened already, opens the rest with the mileage it would have
 * used, and sends every step as it was. */
static unsigned s_reading_before_day(const day_t *d, json_t *vehicle, unsigned floor)
{
    unsigned km = floor;
    json_t *reading;
    size_t i;
    json_array_foreach(json_object_get(vehicle, "history"), i, reading)
    {
        json_t *value = json_object_get(reading, "km");
        const char *ro = json_string_value(json_object_get(reading, "ro_number"));
        if (json_is_integer(value) && json_integer_value(value) > km && !s_of_the_day(d, ro))
            km = (unsigned)json_integer_value(value);
    }
    return km;
}

/* Reception refuses a job naming a skill no technician has, and learns the
 * skills from the workshop's events: the day waits until it knows them all. */
static bool s_knows_skills(json_t *reply, const void *arg)
{
    const day_t *d = arg;
    for (size_t i = 0; i < d->n_technicians; i++)
        for (size_t k = 0; k < 3 && day_skills[i % 4][k]; k++) {
            bool known = false;
            size_t j;
            json_t *skill;
            json_array_foreach(json_object_get(reply, "skills"), j, skill)
            {
                const char *name = json_string_value(json_object_get(skill, "skill"));
                known = known || (name && strcmp(name, day_skills[i % 4][k]) == 0);
            }
            if (!known)
                return false;
        }
    return true;
}

/* The service manager's labour-operation catalogue (the day's operations)
 * and one labour rate for every pay type: ROs open from the codes. */
static void s_labour_catalogue(day_t *d)
{
    for (size_t i = 0; i < DAY_OPS; i++) {
        const day_op_t *op = &day_ops[i];
        char tools[128] = "";
        if (op->tool && d->tool_admin)
            snprintf(tools, sizeof tools, ",\"special_tools\":[\"%s\"]", op->tool);
        s_do(d, d->service_manager, "reception.labour_op.define",
             "{\"code\":\"%s\",\"description\":\"%s\",\"sold_minutes\":%u,\"skill\":\"%s\","
             "\"min_level\":%u%s}",
             op->code, op->description, op->sold_minutes, op->skill, op->min_level, tools);
    }
    static const char *const pay_types[] = {"CUSTOMER_PAY", "WARRANTY", "INTERNAL", "GOODWILL"};
    for (size_t i = 0; i < 4; i++)
        s_do(d, d->service_manager, "reception.labour_rate.set",
             "{\"pay_type\":\"%s\",\"rate_cents\":%d}", pay_types[i], LABOUR_RATE_CENTS);
}

static void s_setup(day_t *d)
{
    s_when(d, s_at(d, -30)); /* 07:30: the shifts and the morning delivery */
    for (size_t i = 0; i < d->n_technicians; i++) {
        const char *const *skills = day_skills[i % 4];
        char list[128] = "";
        for (size_t k = 0; k < 3 && skills[k]; k++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", k ? "," : "",
                     skills[k]);
        s_register(d, d->foreman, "workshop.technician.register",
                   "{\"tech_id\":\"%s\",\"name\":\"technician %zu\",\"skills\":[%s],\"level\":%zu,"
                   "\"hourly_cost_cents\":%d}",
                   d->technicians[i], i + 1, list, 1 + i % 3, 9000 + 1000 * (int)(i % 3));
        /* the part-timer works the afternoon, 13:00-17:00; the others 08:00-17:00 */
        bool part_time = i == d->n_technicians - 1;
        unsigned shift_minutes = part_time ? 240 : 540;
        s_do(d, d->foreman, "workshop.shift.record",
             "{\"tech_id\":\"%s\",\"date\":\"%s\",\"minutes\":%u}", d->technicians[i], d->date,
             shift_minutes);
        d->tech_free_us[i] = s_at(d, part_time ? 300 : 0);
        d->tech_shift_end_us[i] = d->tech_free_us[i] + (int64_t)shift_minutes * 60000000;
    }
    json_decref(s_wait(d, d->advisors[0], "reception.skill.list", s_knows_skills, d,
                       "reception to know the workshop's skills", "{}"));
    s_labour_catalogue(d);
    for (size_t i = 0; d->tool_admin && i < DAY_TOOLS; i++) {
        const day_tool_t *t = &day_tools[i];
        char calibrated[AS_DATE_LEN + 1];
        as_date_add_days(d->date, -t->calibrated_days_ago, calibrated);
        char last[64] = "";
        if (t->calibration_days)
            snprintf(last, sizeof last, ",\"last_calibration\":\"%s\"", calibrated);
        s_register(d, d->tool_admin, "tools.item.register",
                   "{\"tool_id\":\"%s\",\"kind\":\"%s\",\"description\":\"%s\",\"location\":"
                   "\"tool room\",\"condition\":\"good\",\"calibration_interval_days\":%u%s}",
                   t->tool_id, t->kind, t->description, t->calibration_days, last);
    }
    for (unsigned b = 1; b <= 10; b++)
        s_register(d, d->foreman, "workshop.bay.register", "{\"bay_id\":\"B%02u\",\"kind\":\"%s\"}",
                   b,
                   b <= 8   ? "lift"
                   : b == 9 ? "alignment"
                            : "body");
    char lines[4096] = "";
    for (size_t i = 0; i < DAY_PARTS; i++) {
        const day_part_t *p = &day_parts[i];
        s_register(d, d->keeper, "parts.part.define",
                   "{\"part_number\":\"%s\",\"description\":\"%s\",\"cost_cents\":%lld,"
                   "\"price_cents\":%lld,\"bin\":\"%s\",\"group\":\"%s\"}",
                   p->part_number, p->description, (long long)p->cost_cents,
                   (long long)p->price_cents, p->bin, p->group);
        /* the morning delivery; the tensioners come damaged */
        bool damaged = strcmp(p->part_number, "13070-EY00A") == 0;
        snprintf(lines + strlen(lines), sizeof lines - strlen(lines),
                 "%s{\"part_number\":\"%s\",\"expected\":%u,\"received\":%u%s}", i ? "," : "",
                 p->part_number, damaged ? 2 : p->stock, p->stock,
                 damaged ? ",\"discrepancy\":\"DAMAGED\",\"note\":\"crushed box\"" : "");
    }
    s_do(d, d->keeper, "parts.receipt.record",
         "{\"receipt_id\":\"PO-%s-1\",\"supplier\":\"OEM parts centre\",\"lines\":[%s]}", d->date,
         lines);
    for (unsigned i = 0; i < DAY_CUSTOMERS; i++) {
        char vin[18];
        s_vin(i, vin);
        /* one customer's birthday is the played day: the clerk's greeting */
        char birthday[32] = "";
        if (i == DAY_BIRTHDAY_CUSTOMER)
            snprintf(birthday, sizeof birthday, ",\"birthday\":\"%.5s\"", d->date + 5);
        s_register(d, d->advisors[0], "reception.customer.register",
                   "{\"customer_id\":\"C%05u\",\"name\":\"%s\",\"phone\":\"1380000%04u\"%s}", i + 1,
                   day_customer_names[i], i + 1, birthday);
        char sale[AS_DATE_LEN + 1];
        as_date_add_days(d->date, -(int64_t)(120 + 41 * i), sale); /* 4 months to 4.7 years */
        /* a vehicle of an earlier day comes back with the reading it left with */
        char error[512];
        json_t *known = s_call_quiet(d, d->advisors[0], "reception.vehicle.show", error,
                                     sizeof error, "{\"vin\":\"%s\"}", vin);
        d->km[i] = s_reading_before_day(d, known, 8000 + 3100 * i);
        json_decref(known);
        s_register(d, d->advisors[0], "reception.vehicle.register",
                   "{\"vin\":\"%s\",\"plate\":\"LU-A%05u\",\"customer_id\":\"C%05u\",\"sale_date\":"
                   "\"%s\",\"mileage_km\":%u,\"model\":\"%s\"}",
                   vin, 10000 + i, i + 1, sale, d->km[i], i % 3 ? "Q50" : "QX60");
    }
}

static void s_appointments(day_t *d, ro_plan_t *plan)
{
    for (unsigned a = 0; a < DAY_APPOINTMENTS; a++) {
        /* 26 become repair orders; the other 4 are customers who cancel or stay away */
        unsigned who = a < 26 ? plan[a].vehicle : 30 + (a - 26);
        char vin[18];
        s_vin(who, vin);
        unsigned minutes = 8 * 60 + DAY_ARRIVAL_EVERY * a;
        s_when(d, s_at(d, -60 + (int)a)); /* booked, confirmed and assigned from 07:00 */
        s_do(d, d->clerk, "reception.appointment.book",
             "{\"appointment_id\":\"A-%s-%02u\",\"customer_id\":\"C%05u\",\"vin\":\"%s\","
             "\"slot\":\"%sT%02u:%02u\",\"reason\":\"%s\",\"channel\":\"%s\"}",
             d->date, a + 1, who + 1, vin, d->date, minutes / 60, minutes % 60,
             a < 26 ? day_ops[plan[a].ops[0]].concern : "service", a % 4 == 0 ? "web" : "phone");
        s_do(d, d->clerk, "reception.appointment.confirm", "{\"appointment_id\":\"A-%s-%02u\"}",
             d->date, a + 1);
        if (a == 26 || a == 27) {
            s_do(d, d->clerk, "reception.appointment.cancel", "{\"appointment_id\":\"A-%s-%02u\"}",
                 d->date, a + 1);
            continue;
        }
        s_do(d, d->clerk, "reception.appointment.assign",
             "{\"appointment_id\":\"A-%s-%02u\",\"advisor\":\"%s\"}", d->date, a + 1,
             a < 26 ? plan[a].advisor : d->advisors[0]);
        if (a >= 28) { /* half an hour after the slot */
            s_when(d, s_at(d, DAY_ARRIVAL_EVERY * (int)a + 30));
            s_do(d, d->clerk, "reception.appointment.no_show", "{\"appointment_id\":\"A-%s-%02u\"}",
                 d->date, a + 1);
        }
    }
}

/* --- the information clerk's reminder calls -------------------------------- */

/* The clerk plans the day's maintenance-reminder calls (reception lists the
 * vehicles due on the date) and calls four in five of them: most book, some
 * decline, some are unreachable. The plan has a fixed request id like every
 * step, so playing the day again gets the same plan back and nobody is called
 * twice. */
static void s_reminder_calls(day_t *d)
{
    static const char *const outcomes[] = {"booked", "booked", "declined", "unreachable"};
    json_t *plan = s_ask(d, d->clerk, "reception.reminder.plan", "{\"date\":\"%s\"}", d->date);
    json_t *reminders = json_object_get(plan, "reminders"), *r;
    size_t i, made = 0;
    json_array_foreach(reminders, i, r)
    {
        if (i % 5 == 4)
            continue; /* not reached today: the plan's call stays to make */
        s_when(d, s_at(d, 5 * (int)i));
        const char *vin = json_string_value(json_object_get(r, "vin"));
        const char *kind = json_string_value(json_object_get(r, "kind"));
        const char *due = json_string_value(json_object_get(r, "due_date"));
        s_do(d, d->clerk, "reception.reminder.record",
             "{\"vin\":\"%s\",\"kind\":\"%s\",\"due_date\":\"%s\",\"outcome\":\"%s\"}",
             vin ? vin : "", kind ? kind : "maintenance", due ? due : d->date,
             outcomes[made++ % 4]);
    }
    printf("asday: %zu reminder calls planned, %zu made\n", json_array_size(reminders), made);
    json_decref(plan);
}

/* --- the CRM's appointment requests ------------------------------------- */

/* One CRM event through the ingest gateway, as the CRM system. */
static void s_crm_event(day_t *d, const char *type, const char *crm_ref, json_t *payload)
{
    char *inner = json_dumps(payload, JSON_COMPACT);
    json_t *req = json_pack("{s:s,s:s,s:s}", "type", type, "subject", crm_ref, "payload_json",
                            inner ? inner : "{}");
    char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    if (!text) {
        fprintf(stderr, "asday: out of memory\n");
        exit(70);
    }
    s_do(d, d->crm, "crm.ingest", "%s", text);
    free(text);
    free(inner);
    json_decref(req);
    json_decref(payload);
}

static bool s_has_appointment(json_t *reply, const void *arg)
{
    json_t *a;
    size_t i;
    json_array_foreach(json_object_get(reply, "appointments"), i, a)
    {
        const char *id = json_string_value(json_object_get(a, "appointment_id"));
        if (id && strcmp(id, (const char *)arg) == 0)
            return true;
    }
    return false;
}

/* Four customers ask for an appointment the next day in the CRM: a known
 * vehicle (the clerk books it), a vehicle not registered yet and a VIN with a
 * wrong check digit (both wait in the clerk's queue, flagged), and one who
 * withdraws the request. */
static void s_crm_requests(day_t *d)
{
    char next_day[AS_DATE_LEN + 1], ref[4][40], vin[4][AS_VIN_LEN + 1];
    as_date_add_days(d->date, 1, next_day);
    for (unsigned i = 0; i < 4; i++) {
        snprintf(ref[i], sizeof ref[i], "WEB-%s-%u", d->date, i + 1);
        s_vin(i == 0 ? DAY_CUSTOMERS - 1 : 100 + i, vin[i]);
    }
    vin[2][8] = vin[2][8] == '0' ? '1' : '0'; /* the customer mistyped it */
    static const char *const concerns[] = {"oil change and inspection", "rattle over bumps",
                                           "air conditioning weak", "tyre change"};
    for (unsigned i = 0; i < 4; i++) {
        char slot[6];
        snprintf(slot, sizeof slot, "%02u:%02u", 9 + i, i % 2 ? 30 : 0);
        s_crm_event(
            d, "crm.appointment.requested", ref[i],
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "crm_ref", ref[i], "customer_name",
                      i == 0 ? day_customer_names[DAY_CUSTOMERS - 1] : "web customer", "phone",
                      "13900000000", "vin", vin[i], "plate", "LU-W0000", "preferred_date", next_day,
                      "preferred_slot", slot, "concern", concerns[i]));
    }
    s_crm_event(d, "crm.appointment.withdrawn", ref[3],
                json_pack("{s:s,s:s}", "crm_ref", ref[3], "reason", "found another garage"));
    /* the clerk books the known vehicle's request once reception has it */
    char id[64];
    snprintf(id, sizeof id, "crm-%s", ref[0]);
    json_decref(s_wait(d, d->clerk, "reception.appointment.queue", s_has_appointment, id,
                       "the crm's request in the clerk's queue", "{\"date\":\"%s\"}", next_day));
    s_when(d, s_at(d, 60));
    s_do(d, d->clerk, "reception.appointment.confirm", "{\"appointment_id\":\"%s\"}", id);
    printf("asday: 4 appointment requests from the crm (1 booked, 2 flagged, 1 withdrawn)\n");
}

/* --- a repair order's life ------------------------------------------------ */

/* The technician for an operation, as a foreman dispatches: of those with
 * its skill at its level whose shift still has room for the job (`minutes`,
 * starting no earlier than `earliest`), the one who can start first, and of
 * those who can start at once the least senior, which keeps the senior
 * technicians for the jobs only they can do. Only when nobody has room (the
 * day is overbooked) does one work past the shift: the one who finishes it
 * first. */
static size_t s_pick_technician(day_t *d, const day_op_t *op, int64_t earliest, unsigned minutes)
{
    size_t best = d->n_technicians, fits = d->n_technicians;
    int64_t best_start = 0, fits_start = 0;
    for (size_t i = 0; i < d->n_technicians; i++) {
        const char *const *skills = day_skills[i % 4];
        bool skilled = false;
        for (size_t k = 0; k < 3 && skills[k]; k++)
            skilled |= strcmp(skills[k], op->skill) == 0;
        if (!skilled || 1 + i % 3 < op->min_level)
            continue;
        int64_t start = d->tech_free_us[i] > earliest ? d->tech_free_us[i] : earliest;
        if (best == d->n_technicians || start < best_start)
            best = i, best_start = start;
        if (start + (int64_t)minutes * 60000000 > d->tech_shift_end_us[i])
            continue;
        if (fits == d->n_technicians || start < fits_start ||
            (start == fits_start && i % 3 < fits % 3))
            fits = i, fits_start = start;
    }
    if (best == d->n_technicians) {
        fprintf(stderr, "asday: no technician can do %s\n", op->code);
        exit(70);
    }
    return fits < d->n_technicians ? fits : best;
}

/* The JSON of an operation's labour. When the site has a tool room, the
 * special tool or equipment it needs is named, and workshop checks it at
 * dispatch. */
static void s_labour_json(const day_t *d, const day_op_t *op, char *out, size_t cap)
{
    char tools[128] = "";
    if (op->tool && d->tool_admin)
        snprintf(tools, sizeof tools, ",\"special_tools\":[\"%s\"]", op->tool);
    snprintf(out, cap,
             "{\"code\":\"%s\",\"description\":\"%s\",\"sold_minutes\":%u,\"rate_cents\":%d,"
             "\"skill\":\"%s\",\"min_level\":%u%s}",
             op->code, op->description, op->sold_minutes, LABOUR_RATE_CENTS, op->skill,
             op->min_level, tools);
}

/* The JSON of a job request for an operation: its code in the catalogue,
 * and the parts quoted at the catalogue's prices. */
static void s_job_json(const day_op_t *op, const char *pay, char *out, size_t cap)
{
    char parts[512] = "";
    for (size_t k = 0; k < 4 && op->parts[k].part_number; k++) {
        int64_t price = 0;
        for (size_t p = 0; p < DAY_PARTS; p++)
            if (strcmp(day_parts[p].part_number, op->parts[k].part_number) == 0)
                price = day_parts[p].price_cents;
        snprintf(parts + strlen(parts), sizeof parts - strlen(parts),
                 "%s{\"part_number\":\"%s\",\"quantity\":%u,\"unit_price_cents\":%lld}",
                 k ? "," : "", op->parts[k].part_number, op->parts[k].quantity, (long long)price);
    }
    /* a warranty repair names the part that failed: the claim's causal part,
     * which the warranty clerk tags and returns to the OEM */
    char causal[64] = "";
    if (strcmp(pay, "WARRANTY") == 0 && op->parts[0].part_number)
        snprintf(causal, sizeof causal, ",\"causal_part\":\"%s\"", op->parts[0].part_number);
    snprintf(out, cap,
             "{\"concern\":\"%s\",\"pay_type\":\"%s\",\"operation_code\":\"%s\",\"parts\":[%s]%s}",
             op->concern, pay, op->code, parts, causal);
}

static void s_extra_defect(day_t *d, ro_plan_t *p, const char *tech);

/* Dispatches, clocks and supplies one job; the technician finds the RO's
 * extra defect while on job 1. Returns the job's technician. */
/* Orders to the supplier (parts.order.*), played when the RO's tensioner is
 * backordered, each step keyed in at its own time: the keeper's stock order
 * to the OEM the day before (asoem confirms it) and two days before one to
 * the local wholesaler, confirmed by phone for yesterday; the morning
 * delivery brings both, the wholesaler's line a day late; now the urgent
 * order for the tensioner's backorder, and the afternoon delivery brings two
 * (what the backorder was made for against the urgent line, the rest for the
 * shelf). */
/* True when the site's OEM simulator (asoem, [oem]) confirms orders to "OEM"
 * and answers now (a config may name it without running it): the day then
 * waits for its confirmations. Asked once. */
static bool s_oem_supplies(day_t *d)
{
    if (d->oem_state == 0) {
        d->oem_state = 2;
        As__CommandReply *reply = NULL;
        if (as_config_get(d->cfg, "oem", "endpoint", NULL) &&
            strcmp(as_config_get(d->cfg, "oem", "supplier", "OEM"), "OEM") == 0 &&
            as_rpc_command(s_client(d, "oem"), "oem.claim.list", d->service_manager, NULL, NULL, 0,
                           2000, 1, &reply) == 0) {
            d->oem_state = 1;
            as__command_reply__free_unpacked(reply, NULL);
        }
    }
    return d->oem_state == 1;
}

static bool s_order_confirmed(json_t *reply, const void *arg)
{
    (void)arg;
    json_t *line = json_array_get(json_object_get(reply, "lines"), 0);
    return json_is_true(json_object_get(line, "confirmed"));
}

static void s_parts_orders(day_t *d, const ro_plan_t *p, unsigned issue_no)
{
    const int64_t now = d->at_us, day_us = 24LL * 3600 * 1000000;
    char yesterday[AS_DATE_LEN + 1];
    as_date_add_days(d->date, -1, yesterday);
    s_when(d, d->day_start_us - 2 * day_us + 2 * 3600000000LL); /* two days before, 10:00 */
    s_do(d, d->keeper, "parts.order.create",
         "{\"order_id\":\"SO-%s-W\",\"supplier\":\"Jinan parts wholesale\",\"lines\":["
         "{\"part_number\":\"KLH00-00412\",\"quantity\":6}]}",
         d->date);
    s_do(d, d->keeper, "parts.order.confirm",
         "{\"order_id\":\"SO-%s-W\",\"lines\":[{\"line_no\":1,\"promised_date\":\"%s\"}]}", d->date,
         yesterday);
    /* the same filters keyed in twice, confirmed by phone for yesterday as
     * well; the parts manager cancels the second order the morning after
     * (parts.order.cancelled: a promise withdrawn before it fell due is not
     * in timely supply) */
    const char *managers[MAX_STAFF];
    bool cancel = as_staff_list(d->staff, AS_ROLE_PARTS_MANAGER, managers, MAX_STAFF) > 0;
    if (cancel) {
        s_do(d, d->keeper, "parts.order.create",
             "{\"order_id\":\"SO-%s-X\",\"supplier\":\"Jinan parts wholesale\",\"lines\":["
             "{\"part_number\":\"KLH00-00412\",\"quantity\":6}]}",
             d->date);
        s_do(d, d->keeper, "parts.order.confirm",
             "{\"order_id\":\"SO-%s-X\",\"lines\":[{\"line_no\":1,\"promised_date\":\"%s\"}]}",
             d->date, yesterday);
        s_when(d, d->day_start_us - day_us + 3600000000LL); /* the day before, 09:00 */
        s_do(d, managers[0], "parts.order.cancel",
             "{\"order_id\":\"SO-%s-X\",\"reason\":\"keyed in twice\"}", d->date);
    }
    s_when(d, d->day_start_us - day_us + 8 * 3600000000LL); /* the day before, 16:00 */
    s_do(d, d->keeper, "parts.order.create",
         "{\"order_id\":\"SO-%s\",\"supplier\":\"OEM\",\"lines\":["
         "{\"part_number\":\"15208-65F0E\",\"quantity\":20},"
         "{\"part_number\":\"22401-ED815\",\"quantity\":16}]}",
         d->date);
    s_when(d, s_at(d, -20)); /* 07:40: the morning delivery against both */
    s_do(d, d->keeper, "parts.receipt.record",
         "{\"receipt_id\":\"PO-%s-0\",\"supplier\":\"OEM\",\"lines\":["
         "{\"part_number\":\"15208-65F0E\",\"received\":20,\"order_id\":\"SO-%s\","
         "\"order_line\":1},"
         "{\"part_number\":\"22401-ED815\",\"received\":16,\"order_id\":\"SO-%s\","
         "\"order_line\":2},"
         "{\"part_number\":\"KLH00-00412\",\"received\":6,\"order_id\":\"SO-%s-W\","
         "\"order_line\":1}]}",
         d->date, d->date, d->date, d->date);
    s_when(d, now);
    /* the backorder, if the shelf was short (a day played on stores that keep
     * an earlier day's tensioner has none): what it was made for, not what it
     * still owes, so a day played again sends the same requests */
    char bo_id[64];
    snprintf(bo_id, sizeof bo_id, "%.40s-I%u/bo", p->ro_number, issue_no);
    json_t *ro = s_ask(d, d->keeper, "parts.ro.show", "{\"ro_number\":\"%s\"}", p->ro_number);
    unsigned owed = 0;
    size_t i;
    json_t *issue;
    json_array_foreach(json_object_get(ro, "issues"), i, issue)
    {
        const char *id = json_string_value(json_object_get(issue, "issue_id"));
        if (id && strcmp(id, bo_id) == 0)
            owed = (unsigned)json_integer_value(json_object_get(issue, "quantity"));
    }
    json_decref(ro);
    if (owed == 0 || owed > 2) {
        s_do(d, d->keeper, "parts.receipt.record",
             "{\"receipt_id\":\"PO-%s-2\",\"supplier\":\"OEM parts centre\",\"lines\":["
             "{\"part_number\":\"13070-EY00A\",\"expected\":2,\"received\":2}]}",
             d->date);
        return;
    }
    s_do(d, d->keeper, "parts.order.create",
         "{\"order_id\":\"UO-%s\",\"supplier\":\"OEM\",\"urgent\":true,\"lines\":["
         "{\"backorder_id\":\"%s\"}]}",
         p->ro_number, bo_id);
    /* the afternoon delivery comes after the OEM's confirmation: the RO's
     * part has its promised date when it is filled (the RO parts on-time
     * rate reads it), however fast asoem answers */
    if (s_oem_supplies(d))
        json_decref(s_wait(d, d->keeper, "parts.order.show", s_order_confirmed, NULL,
                           "the OEM's confirmation of the urgent order", "{\"order_id\":\"UO-%s\"}",
                           p->ro_number));
    char rest[96] = ""; /* the rest of the two for the shelf */
    if (owed < 2)
        snprintf(rest, sizeof rest, ",{\"part_number\":\"13070-EY00A\",\"received\":%u}", 2 - owed);
    s_do(d, d->keeper, "parts.receipt.record",
         "{\"receipt_id\":\"PO-%s-2\",\"supplier\":\"OEM parts centre\",\"lines\":["
         "{\"part_number\":\"13070-EY00A\",\"received\":%u,\"order_id\":\"UO-%s\","
         "\"order_line\":1}%s]}",
         d->date, owed, p->ro_number, rest);
}

static size_t s_work_job(day_t *d, ro_plan_t *p, unsigned job_no, const day_op_t *op,
                         unsigned *issue_no)
{
    /* clocked 70-115% of the flat-rate time: a good workshop beats the book */
    unsigned actual = op->sold_minutes * (70 + s_rand(d, 46)) / 100;
    int64_t earliest = p->arrival_us + 20 * 60000000LL;
    size_t t = s_pick_technician(d, op, earliest, actual);
    const char *tech = d->technicians[t];
    int64_t start = d->tech_free_us[t] > earliest ? d->tech_free_us[t] : earliest;
    int64_t end = start + (int64_t)actual * 60000000;
    s_when(d, start);
    s_do(d, d->foreman, "workshop.job.dispatch",
         "{\"ro_number\":\"%s\",\"job_no\":%u,\"tech_id\":\"%s\",\"bay_id\":\"B%02u\"}",
         p->ro_number, job_no, tech, (unsigned)(t % 10) + 1);
    char loan[64] = "";
    if (op->tool && d->tool_admin) {
        /* the tool room hands the tool over; the technician signs for it */
        char due[AS_DATE_LEN + 1];
        as_date_add_days(d->date, 1, due);
        snprintf(loan, sizeof loan, "%.40s-L%u", p->ro_number, job_no);
        s_do(d, d->tool_admin, "tools.loan.checkout",
             "{\"loan_id\":\"%s\",\"tool_id\":\"%s\",\"technician\":\"%s\",\"ro_number\":"
             "\"%s\",\"job_no\":%u,\"condition\":\"good\",\"due_date\":\"%s\",\"due_time\":"
             "\"18:00\"}",
             loan, op->tool, tech, p->ro_number, job_no, due);
        s_do(d, tech, "tools.loan.sign", "{\"loan_id\":\"%s\"}", loan);
    }
    s_do(d, tech, "workshop.clock.on", "{\"ro_number\":\"%s\",\"job_no\":%u,\"at_us\":%lld}",
         p->ro_number, job_no, (long long)start);
    for (size_t k = 0; k < 4 && op->parts[k].part_number; k++) {
        s_do(d, d->keeper, "parts.issue",
             "{\"issue_id\":\"%s-I%u\",\"ro_number\":\"%s\",\"job_no\":%u,\"part_number\":"
             "\"%s\",\"quantity\":%u,\"technician\":\"%s\",\"backorder\":true}",
             p->ro_number, ++*issue_no, p->ro_number, job_no, op->parts[k].part_number,
             op->parts[k].quantity, tech);
        if (strcmp(op->parts[k].part_number, "13070-EY00A") == 0)
            /* orders to the supplier; the afternoon delivery brings the tensioner */
            s_parts_orders(d, p, *issue_no);
    }
    if (job_no == 1 && p->extra) {
        s_when(d, start + (end - start) / 2);
        s_extra_defect(d, p, tech);
    }
    s_when(d, end);
    s_do(d, tech, "workshop.clock.off",
         "{\"ro_number\":\"%s\",\"job_no\":%u,\"finished\":true,\"at_us\":%lld}", p->ro_number,
         job_no, (long long)end);
    if (end > p->done_us)
        p->done_us = end;
    if (loan[0])
        s_do(d, d->tool_admin, "tools.loan.checkin", "{\"loan_id\":\"%s\",\"condition\":\"good\"}",
             loan);
    d->tech_free_us[t] = start + (int64_t)(actual + 10) * 60000000;
    return t;
}

/* The technician reports an extra defect; the advisor asks the customer. */
static void s_extra_defect(day_t *d, ro_plan_t *p, const char *tech)
{
    const day_op_t *op = &day_ops[p->extra_op];
    char report[64], labour[512];
    snprintf(report, sizeof report, "%.40s-D1", p->ro_number);
    s_labour_json(d, op, labour, sizeof labour);
    s_do(d, tech, "workshop.defect.report",
         "{\"report_id\":\"%s\",\"ro_number\":\"%s\",\"job_no\":1,\"description\":\"%s\","
         "\"labour\":%s}",
         report, p->ro_number, op->concern, labour);
    json_decref(s_wait(d, p->advisor, "reception.ro.show", s_has_extra_work, report,
                       "reception to get the extra-defect report", "{\"ro_number\":\"%s\"}",
                       p->ro_number));
    s_do(d, p->advisor, "reception.extra_work.answer",
         "{\"ro_number\":\"%s\",\"request_id\":\"%s\",\"approved\":%s}", p->ro_number, report,
         p->extra == 1 ? "true" : "false");
}

static void s_repair_order(day_t *d, ro_plan_t *p)
{
    char vin[18], jobs[4096] = "";
    s_vin(p->vehicle, vin);
    for (size_t j = 0; j < p->n_ops; j++) {
        char job[1024];
        s_job_json(&day_ops[p->ops[j]], p->pay[j], job, sizeof job);
        snprintf(jobs + strlen(jobs), sizeof jobs - strlen(jobs), "%s%s", j ? "," : "", job);
    }
    char appointment[64] = "";
    s_when(d, p->arrival_us);
    if (p->appointment >= 0) {
        s_do(d, p->advisor, "reception.appointment.arrive", "{\"appointment_id\":\"A-%s-%02d\"}",
             d->date, p->appointment + 1);
        snprintf(appointment, sizeof appointment, ",\"appointment_id\":\"A-%s-%02d\"", d->date,
                 p->appointment + 1);
    }
    /* the RO's number in the day (1..40): every 7th customer waits in the lounge */
    unsigned nth = (unsigned)atoi(p->ro_number + strlen(p->ro_number) - 3);
    if (nth == 12) { /* the 12th car is brought in by the road rescue */
        s_do(d, p->advisor, "reception.rescue.request",
             "{\"rescue_id\":\"RS-%s-1\",\"customer_id\":\"C%05u\",\"vin\":\"%s\",\"place\":"
             "\"G2 km 105\",\"reason\":\"will not start\",\"estimated_cost_cents\":30000}",
             d->date, p->vehicle + 1, vin);
        s_do(d, d->manager, "reception.rescue.approve", "{\"rescue_id\":\"RS-%s-1\"}", d->date);
        s_do(d, d->foreman, "reception.rescue.dispatch",
             "{\"rescue_id\":\"RS-%s-1\",\"technician\":\"%s\"}", d->date, d->technicians[0]);
    }
    json_t *ro = s_ask(
        d, p->advisor, "reception.ro.open",
        "{\"ro_number\":\"%s\",\"vin\":\"%s\",\"mileage_km\":%u%s,\"waiting\":%s,\"jobs\":[%s]}",
        p->ro_number, vin, d->km[p->vehicle] + 400, appointment, nth % 7 == 0 ? "true" : "false",
        jobs);
    if (s_status_is(ro, "RO_AWAITING_APPROVAL"))
        s_do(d, d->manager, "reception.ro.approve", "{\"ro_number\":\"%s\"}", p->ro_number);
    json_decref(ro);
    if (nth == 12)
        s_do(d, d->foreman, "reception.rescue.close",
             "{\"rescue_id\":\"RS-%s-1\",\"minutes\":75,\"actual_cost_cents\":26000,"
             "\"ro_number\":\"%s\"}",
             d->date, p->ro_number);
    s_do(d, p->advisor, "reception.ro.consent", "{\"ro_number\":\"%s\",\"consent\":\"signature\"}",
         p->ro_number);
    /* the advisor's counter sales: every 5th customer is offered an a/c cleaning
     * (280.00), every 10th takes it: 8 offered, 4 sold */
    if (nth % 5 == 0)
        s_do(d, p->advisor, "reception.product.recommend",
             "{\"ro_number\":\"%s\",\"code\":\"CARE-AC\",\"description\":\"a/c cleaning\","
             "\"amount_cents\":28000,\"answer\":\"%s\"}",
             p->ro_number, nth % 10 == 0 ? "sold" : "declined");
    json_decref(s_wait(d, d->foreman, "workshop.ro.show", s_has_jobs, &p->n_ops,
                       "the workshop to take the jobs", "{\"ro_number\":\"%s\"}", p->ro_number));

    unsigned issue_no = 0, n_jobs = (unsigned)p->n_ops;
    size_t techs[4];
    for (unsigned j = 0; j < p->n_ops; j++)
        techs[j] = s_work_job(d, p, j + 1, &day_ops[p->ops[j]], &issue_no);
    if (p->extra == 1) {
        /* the approved extra work is a new job of the same RO */
        size_t want = p->n_ops + 1;
        json_decref(s_wait(d, d->foreman, "workshop.ro.show", s_has_jobs, &want,
                           "the workshop to take the extra job", "{\"ro_number\":\"%s\"}",
                           p->ro_number));
        techs[n_jobs] = s_work_job(d, p, n_jobs + 1, &day_ops[p->extra_op], &issue_no);
        n_jobs++;
    }
    /* final inspection, by an inspector who did none of the work */
    if (p->qc_fails) {
        s_when(d, p->done_us + 5 * 60000000LL);
        s_do(d, d->qc, "workshop.qc.inspect",
             "{\"ro_number\":\"%s\",\"kind\":\"FINAL\",\"passed\":false,\"reasons\":[\"%s\"],"
             "\"failed_jobs\":[1]}",
             p->ro_number, "road test: the concern is still there");
        const char *tech = d->technicians[techs[0]];
        int64_t start = d->tech_free_us[techs[0]];
        s_when(d, start);
        s_do(d, tech, "workshop.clock.on", "{\"ro_number\":\"%s\",\"job_no\":1,\"at_us\":%lld}",
             p->ro_number, (long long)start);
        s_when(d, start + 30 * 60000000LL);
        s_do(d, tech, "workshop.clock.off",
             "{\"ro_number\":\"%s\",\"job_no\":1,\"finished\":true,\"at_us\":%lld}", p->ro_number,
             (long long)d->at_us);
        if (d->at_us > p->done_us)
            p->done_us = d->at_us;
        d->tech_free_us[techs[0]] = start + 40 * 60000000LL;
    }
    s_when(d, p->done_us + 10 * 60000000LL);
    s_do(d, d->qc, "workshop.qc.inspect",
         "{\"ro_number\":\"%s\",\"kind\":\"FINAL\",\"passed\":true}", p->ro_number);
    json_decref(s_wait(d, p->advisor, "reception.ro.show", s_ready_or_later, NULL,
                       "reception to see the vehicle pass QC", "{\"ro_number\":\"%s\"}",
                       p->ro_number));
    json_decref(s_wait(d, p->advisor, "reception.ro.show", s_has_key, "parts_consumed_cents",
                       "the parts consumption to reach reception", "{\"ro_number\":\"%s\"}",
                       p->ro_number));
    s_when(d, p->done_us + 20 * 60000000LL); /* handed over, closed and called back */
    /* after a maintenance service the advisor recommends the next one, in six
     * months or 10,000 km (it feeds the clerk's reminder list) */
    char next[128] = "";
    if (strncmp(day_ops[p->ops[0]].code, "MA", 2) == 0) {
        char due[AS_DATE_LEN + 1];
        as_date_add_days(d->date, 182, due);
        snprintf(next, sizeof next, ",\"next_service_date\":\"%s\",\"next_service_km\":%u", due,
                 d->km[p->vehicle] + 400 + 10000);
    }
    s_do(d, p->advisor, "reception.ro.deliver",
         "{\"ro_number\":\"%s\",\"accessories_cents\":%lld%s}", p->ro_number,
         (long long)p->accessories_cents, next);
    s_do(d, p->advisor, "reception.ro.close", "{\"ro_number\":\"%s\"}", p->ro_number);
    if (p->csi)
        s_do(d, p->advisor, "reception.followup.record",
             "{\"ro_number\":\"%s\",\"csi_score\":%u,\"comment\":\"%s\"}", p->ro_number, p->csi,
             p->csi >= 9 ? "very happy" : "fine");
}

/* --- the warranty clerk's end of the day ------------------------------------ */

/* The claims of this day's repair orders in a warranty.claim.list reply;
 * with `statuses`, only those in one of them. */
static size_t s_day_claims(const day_t *d, json_t *list, const char *const *statuses)
{
    size_t n = 0, i;
    json_t *claim;
    json_array_foreach(json_object_get(list, "claims"), i, claim)
    {
        if (!s_of_the_day(d, json_string_value(json_object_get(claim, "ro_number"))))
            continue;
        const char *status = json_string_value(json_object_get(claim, "status"));
        bool counted = !statuses;
        for (size_t k = 0; statuses && statuses[k] && !counted; k++)
            counted = status && strcmp(status, statuses[k]) == 0;
        n += counted;
    }
    return n;
}

typedef struct {
    const day_t *d;
    size_t want;
} s_claims_wanted_t;

static bool s_claims_opened(json_t *reply, const void *arg)
{
    const s_claims_wanted_t *w = arg;
    return s_day_claims(w->d, reply, NULL) >= w->want;
}

/* Past READY: the OEM has it, or has decided it. */
static const char *const s_submitted[] = {"SUBMITTED", "ACCEPTED", "REJECTED_BY_OEM", "PAID", NULL};

/* How many of the day's claims the OEM has, as the warranty service says. */
static size_t s_claims_submitted(day_t *d)
{
    char error[512];
    json_t *all =
        s_call_quiet(d, d->warranty_clerk, "warranty.claim.list", error, sizeof error, "{}");
    size_t n = all ? s_day_claims(d, all, s_submitted) : 0;
    json_decref(all);
    return n;
}

/* The summary line of the claims: what the warranty service holds. */
static void s_print_claims_submitted(day_t *d)
{
    size_t submitted = s_claims_submitted(d);
    printf("asday: %zu warranty claim%s submitted to the OEM\n", submitted,
           submitted == 1 ? "" : "s");
}

/* Waits for the claims of the day's warranty jobs, submits the ready ones to
 * the OEM and reports how many of them the OEM has (a resumed day counts the
 * ones submitted before it was interrupted, once). */
static void s_submit_claims(day_t *d, const ro_plan_t *plan)
{
    s_claims_wanted_t wanted = {d, 0}; /* each warranty-pay job opens a claim */
    for (unsigned i = 0; i < DAY_ROS; i++)
        for (size_t j = 0; j < plan[i].n_ops; j++)
            wanted.want += strcmp(plan[i].pay[j], "WARRANTY") == 0;
    json_decref(s_wait(d, d->warranty_clerk, "warranty.claim.list", s_claims_opened, &wanted,
                       "the warranty claims", "{}"));
    char error[512];
    json_t *ready = s_call_quiet(d, d->warranty_clerk, "warranty.claim.list", error, sizeof error,
                                 "{\"status\":\"READY\"}");
    size_t i;
    json_t *claim;
    s_when(d, d->last_us); /* the day's last step */
    json_array_foreach(json_object_get(ready, "claims"), i, claim)
    {
        const char *ro = json_string_value(json_object_get(claim, "ro_number"));
        if (s_of_the_day(d, ro))
            s_do(d, d->warranty_clerk, "warranty.claim.submit", "{\"claim_id\":\"%s\"}",
                 json_string_value(json_object_get(claim, "claim_id")));
    }
    json_decref(ready);
    s_print_claims_submitted(d);
}

/* The day's claims whose replaced part goes back to the OEM: those with a
 * causal part that were not rejected, in claim order (the list's). Fills
 * `ids` (claim ids, at most `cap`); returns how many. */
static size_t s_parts_to_return(day_t *d, char ids[][64], size_t cap)
{
    char error[512];
    json_t *all =
        s_call_quiet(d, d->warranty_clerk, "warranty.claim.list", error, sizeof error, "{}");
    size_t n = 0, i;
    json_t *claim;
    json_array_foreach(json_object_get(all, "claims"), i, claim)
    {
        const char *id = json_string_value(json_object_get(claim, "claim_id"));
        const char *status = json_string_value(json_object_get(claim, "status"));
        if (n < cap && id && json_object_get(claim, "causal_part") &&
            s_of_the_day(d, json_string_value(json_object_get(claim, "ro_number"))) &&
            !(status && strcmp(status, "REJECTED") == 0))
            snprintf(ids[n++], 64, "%s", id);
    }
    json_decref(all);
    return n;
}

/* True when the day's return shipment RET-<date> is confirmed. */
static bool s_parts_returned(day_t *d)
{
    char error[512];
    json_t *list = s_call_quiet(d, d->warranty_clerk, "warranty.shipment.list", error, sizeof error,
                                "{\"shipment_id\":\"RET-%s\"}", d->date);
    bool confirmed = json_is_true(
        json_object_get(json_array_get(json_object_get(list, "shipments"), 0), "confirmed"));
    json_decref(list);
    return confirmed;
}

/* The replaced parts of the day's warranty repairs go back to the OEM: the
 * warranty clerk tags each claim's causal part, boxes them, ships the box,
 * and records the OEM's confirmation of receipt; asoem inspects each part
 * (fault confirmed or not, [oem] not_confirmed_parts) and kpi's replaced-part
 * identification accuracy counts it on the day. */
static void s_return_parts(day_t *d)
{
    char ids[DAY_ROS * 3][64], tags[2048] = "";
    size_t n = s_parts_to_return(d, ids, DAY_ROS * 3);
    if (n == 0)
        return;
    s_when(d, d->last_us + 5 * 60000000LL);
    for (size_t i = 0; i < n; i++) {
        s_do(d, d->warranty_clerk, "warranty.part.tag", "{\"claim_id\":\"%s\",\"tag\":\"T-%s\"}",
             ids[i], ids[i]);
        snprintf(tags + strlen(tags), sizeof tags - strlen(tags), "%s\"T-%s\"", i ? "," : "",
                 ids[i]);
    }
    s_do(d, d->warranty_clerk, "warranty.part.box", "{\"box_id\":\"BOX-%s\",\"tags\":[%s]}",
         d->date, tags);
    s_when(d, d->at_us + 5 * 60000000LL);
    s_do(d, d->warranty_clerk, "warranty.shipment.ship",
         "{\"shipment_id\":\"RET-%s\",\"boxes\":[\"BOX-%s\"],\"carrier\":\"OEM courier\"}", d->date,
         d->date);
    s_when(d, d->at_us + 5 * 60000000LL);
    s_do(d, d->warranty_clerk, "warranty.shipment.confirm", "{\"shipment_id\":\"RET-%s\"}",
         d->date);
    printf("asday: %zu replaced part%s returned to the OEM (RET-%s)\n", n, n == 1 ? "" : "s",
           d->date);
}

static bool s_quality_done(day_t *d);
static void s_roster(day_t *d);

/* The day's last steps are on the stores: its last repair order is closed
 * (with its follow-up call), none of its warranty claims waits to be
 * submitted, its replaced parts went back and its quality meeting is
 * recorded. A day interrupted before is resumed. */
static bool s_day_complete(day_t *d, const ro_plan_t *plan)
{
    const ro_plan_t *last = &plan[DAY_ROS - 1];
    char error[512];
    json_t *ro = s_call_quiet(d, d->advisors[0], "reception.ro.show", error, sizeof error,
                              "{\"ro_number\":\"%s\"}", last->ro_number);
    json_t *csi = ro ? json_object_get(ro, "csi_score") : NULL;
    bool complete = ro && s_status_is(ro, "RO_CLOSED") &&
                    (!last->csi || json_integer_value(csi) == (json_int_t)last->csi);
    json_decref(ro);
    if (complete && d->warranty_clerk) {
        json_t *list = s_call_quiet(d, d->warranty_clerk, "warranty.claim.list", error,
                                    sizeof error, "{\"status\":\"READY\"}");
        complete = list && s_day_claims(d, list, NULL) == 0;
        json_decref(list);
        /* and its replaced parts went back to the OEM */
        char ids[1][64];
        complete = complete && (s_parts_to_return(d, ids, 1) == 0 || s_parts_returned(d));
    }
    /* and the front-desk manager's quality meeting of the day is recorded */
    complete = complete && s_quality_done(d);
    return complete;
}

/* --- a new car with accessories (the sales DMS) ------------------------------ */

/* With --new-car, when the site runs the sales DMS's gateway ([sales], answering): the sales
 * department sells a new car with floor mats and a dash camera; reception
 * opens its fitting RO (NC-<sale_ref>), a technician does the PDI and fits the
 * accessories the keeper issues, QC passes it and it is handed over. Parts
 * defines the accessories first (the gateway refuses a sale whose accessory it
 * does not know as one, so the sale is retried until it has heard of them). */
static void s_new_car(day_t *d)
{
    const char *endpoint = as_config_get(d->cfg, "sales", "endpoint", NULL);
    const char *sales = as_staff_roles(d->staff, "sales") & AS_ROLE_SYSTEM ? "sales" : NULL;
    int err = 0;
    as_rpc_client_t *probe =
        endpoint && sales ? as_rpc_client_new(d->zctx, endpoint, d->security, "sales", &err) : NULL;
    As__StatusRequest status = AS__STATUS_REQUEST__INIT;
    uint8_t body[16];
    void *answer = NULL;
    size_t answer_len = 0;
    err = probe ? as_rpc_call(probe, "status", body, as__status_request__pack(&status, body), 1000,
                              1, &answer, &answer_len)
                : AS_ETIMEOUT;
    free(answer);
    as_rpc_client_destroy(&probe);
    if (err != 0) {
        printf("asday: --new-car: no sales DMS gateway ([sales]) answers, so no new car\n");
        return;
    }
    static const struct {
        const char *part_number, *description, *bin;
        int64_t cost_cents, price_cents, agreed_cents;
    } acc[] = {{"ACC-MAT-01", "floor mats, premium", "K-01-01", 12000, 25000, 22000},
               {"ACC-CAM-01", "dash camera", "K-01-02", 35000, 60000, 60000}};
    s_when(d, s_at(d, 8 * 60)); /* 16:00 */
    char lines[512] = "", ordered[512] = "";
    for (size_t i = 0; i < 2; i++) {
        s_register(d, d->keeper, "parts.part.define",
                   "{\"part_number\":\"%s\",\"description\":\"%s\",\"cost_cents\":%lld,"
                   "\"price_cents\":%lld,\"bin\":\"%s\",\"group\":\"accessories\","
                   "\"accessory\":true}",
                   acc[i].part_number, acc[i].description, (long long)acc[i].cost_cents,
                   (long long)acc[i].price_cents, acc[i].bin);
        snprintf(lines + strlen(lines), sizeof lines - strlen(lines),
                 "%s{\"part_number\":\"%s\",\"expected\":2,\"received\":2}", i ? "," : "",
                 acc[i].part_number);
        snprintf(ordered + strlen(ordered), sizeof ordered - strlen(ordered),
                 "%s{\"part_number\":\"%s\",\"quantity\":1,\"agreed_price_cents\":%lld}",
                 i ? "," : "", acc[i].part_number, (long long)acc[i].agreed_cents);
    }
    s_do(d, d->keeper, "parts.receipt.record",
         "{\"receipt_id\":\"PO-%s-ACC\",\"supplier\":\"OEM accessories\",\"lines\":[%s]}", d->date,
         lines);
    ro_plan_t p = {.advisor = d->advisors[0], .arrival_us = s_at(d, 8 * 60)};
    char ref[24], vin[AS_VIN_LEN + 1];
    snprintf(ref, sizeof ref, "S%.4s%.2s%.2s-1", d->date, d->date + 5, d->date + 8);
    snprintf(p.ro_number, sizeof p.ro_number, "NC-%s", ref);
    s_vin(500000 + (unsigned)atoi(d->date + 8), vin); /* a car of its own each day */
    char payload[1536];
    snprintf(payload, sizeof payload,
             "{\"sale_ref\":\"%s\",\"vin\":\"%s\",\"model\":\"QX55\",\"sale_date\":\"%s\","
             "\"customer_name\":\"Gao Lei\",\"phone\":\"13900009901\",\"salesperson\":"
             "\"sal-zhao\",\"accessories\":[%s]}",
             ref, vin, d->date, ordered);
    json_t *req = json_pack("{s:s,s:s,s:s}", "type", "sales.vehicle.sold", "subject", ref,
                            "payload_json", payload);
    char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    char error[512] = "";
    json_t *ack = NULL;
    /* a fresh request id each try: the gateway keeps a refusal under its id; a
     * sale handed over again (a day played again) is counted once (reception,
     * kpi: by sale_ref) */
    for (int waited = 0; text && !ack && waited < WAIT_MS; waited += 100) {
        if (!(ack = s_call_quiet(d, sales, "sales.ingest", error, sizeof error, "%s", text)))
            usleep(100 * 1000); /* the gateway has not heard of the accessories yet */
    }
    free(text);
    if (!ack) {
        fprintf(stderr, "asday: sales.ingest refused: %s\n", error);
        exit(1);
    }
    json_decref(ack);
    size_t jobs = 2;
    json_decref(s_wait(d, d->foreman, "workshop.ro.show", s_has_jobs, &jobs,
                       "the new car's fitting RO on the board", "{\"ro_number\":\"%s\"}",
                       p.ro_number));
    const day_op_t pdi = {"PDI", "pre-delivery inspection", "", 60, "maintenance", 1, {{0}}, NULL};
    const day_op_t fit = {"ACC-FIT",
                          "accessory installation",
                          "",
                          30,
                          "maintenance",
                          1,
                          {{acc[0].part_number, 1}, {acc[1].part_number, 1}},
                          NULL};
    unsigned issue_no = 0;
    s_work_job(d, &p, 1, &pdi, &issue_no);
    s_work_job(d, &p, 2, &fit, &issue_no);
    s_when(d, p.done_us + 10 * 60000000LL);
    s_do(d, d->qc, "workshop.qc.inspect",
         "{\"ro_number\":\"%s\",\"kind\":\"FINAL\",\"passed\":true}", p.ro_number);
    json_decref(s_wait(d, p.advisor, "reception.ro.show", s_has_key, "parts_consumed_cents",
                       "the new car's accessories charged", "{\"ro_number\":\"%s\"}", p.ro_number));
    s_when(d, p.done_us + 20 * 60000000LL);
    s_do(d, p.advisor, "reception.ro.deliver", "{\"ro_number\":\"%s\"}", p.ro_number);
    printf("asday: new car %s sold with 2 accessories: %s fitted, QC passed, handed over\n", vin,
           p.ro_number);
}

/* --- the rest of the job descriptions (issue 15) ---------------------------- */

/* The training courses of the day: two technicians planned, both attend the
 * evening session, one is certified. The course names carry the date: a
 * course is planned once per technician, and another day plays its own. */
static void s_course(const day_t *d, unsigned n, char out[96])
{
    static const char *const courses[] = {"timing chain service", "hybrid system safety"};
    snprintf(out, 96, "%s, %s session", courses[n], d->date);
}

/* The morning before the work: the service manager planned the day's courses
 * the day before; sets the month's targets (a technician's own sold hours,
 * the advisors' product sales) when the site runs kpi; the foreman publishes
 * a technical bulletin for the Q50's spark plugs, which the first engine
 * technician acknowledges (the others see it when a job of theirs matches). */
static void s_morning(day_t *d)
{
    char course[96];
    s_when(d, d->day_start_us - 24LL * 3600 * 1000000 + 2 * 3600000000LL); /* the day before */
    for (unsigned n = 0; n < 2; n++) {
        s_course(d, n, course);
        s_do(d, d->service_manager, "workshop.training.plan",
             "{\"tech_id\":\"%s\",\"course\":\"%s\",\"planned_date\":\"%s\"}",
             d->technicians[1 + n], course, d->date);
    }
    if (d->kpi) {
        s_when(d, s_at(d, -45)); /* 07:15 */
        char month[8];
        snprintf(month, sizeof month, "%.7s", d->date);
        s_do(d, d->service_manager, "kpi.target.set",
             "{\"month\":\"%s\",\"metric\":\"sold hours\",\"value\":%d,\"technician\":\"%s\"}",
             month, DAY_TECH_SOLD_HOURS_TARGET, d->technicians[0]);
        s_do(d, d->service_manager, "kpi.target.set",
             "{\"month\":\"%s\",\"metric\":\"advisor product sales\",\"value\":%d}", month,
             DAY_PRODUCT_SALES_TARGET_CENTS);
        /* the second advisor's own target wins over the one for every advisor */
        if (d->n_advisors > 1)
            s_do(d, d->service_manager, "kpi.target.set",
                 "{\"month\":\"%s\",\"metric\":\"advisor product sales\",\"value\":%d,"
                 "\"advisor\":\"%s\"}",
                 month, DAY_ADVISOR_OWN_TARGET_CENTS, d->advisors[1]);
        s_roster(d);
    }
    s_when(d, s_at(d, -25)); /* 07:35 */
    s_do(d, d->foreman, "workshop.bulletin.publish",
         "{\"bulletin_id\":\"TSB-%s\",\"title\":\"Q50 misfire at idle\",\"text\":\"gap the new "
         "plugs to 0.8 mm and clear the adaptation values\",\"models\":[\"Q50\"],"
         "\"labour_codes\":[\"EN310\"]}",
         d->date);
    s_when(d, s_at(d, -15)); /* 07:45 */
    s_do(d, d->technicians[1], "workshop.bulletin.acknowledge", "{\"bulletin_id\":\"TSB-%s\"}",
         d->date);
}

static bool s_stats_of_day(json_t *reply, const void *arg)
{
    (void)arg;
    return json_integer_value(json_object_get(reply, "inspections")) > 0;
}

/* The end of the day: the evening course (both attend, the first is
 * certified and reaches level 3), QC's statistics of the day, and the
 * month's consumables and utilities (the service manager, when the site runs
 * kpi; recorded again, a category replaces the amount before). */
static void s_evening(day_t *d)
{
    char course[96];
    s_when(d, s_at(d, 9 * 60 + 50)); /* 17:50, after the session */
    for (unsigned n = 0; n < 2; n++) {
        s_course(d, n, course);
        s_do(d, d->service_manager, "workshop.training.attend",
             "{\"tech_id\":\"%s\",\"course\":\"%s\"}", d->technicians[1 + n], course);
    }
    s_course(d, 0, course);
    s_do(d, d->service_manager, "workshop.training.certify",
         "{\"tech_id\":\"%s\",\"course\":\"%s\",\"certification\":\"timing chain "
         "specialist\",\"level\":3}",
         d->technicians[1], course);
    json_t *stats =
        s_wait(d, d->qc, "workshop.qc.stats", s_stats_of_day, NULL, "QC's statistics of the day",
               "{\"from\":\"%s\",\"to\":\"%s\"}", d->date, d->date);
    printf("asday: QC's statistics of the day: %lld inspections, %lld failed\n",
           (long long)json_integer_value(json_object_get(stats, "inspections")),
           (long long)json_integer_value(json_object_get(stats, "failed")));
    json_decref(stats);
    if (d->kpi) {
        s_when(d, s_at(d, 9 * 60 + 55)); /* 17:55 */
        char month[8];
        snprintf(month, sizeof month, "%.7s", d->date);
        s_do(d, d->service_manager, "kpi.expense.record",
             "{\"month\":\"%s\",\"category\":\"consumables\",\"amount_cents\":%d,\"note\":"
             "\"workshop consumables\"}",
             month, DAY_CONSUMABLES_CENTS);
        s_do(d, d->service_manager, "kpi.expense.record",
             "{\"month\":\"%s\",\"category\":\"utilities\",\"amount_cents\":%d,\"note\":"
             "\"power and water\"}",
             month, DAY_UTILITIES_CENTS);
    }
    printf("asday: 2 technicians at the evening course, 1 certified; a bulletin published%s\n",
           d->kpi ? "; the month's targets and expenses keyed in" : "");
    fflush(stdout);
}

/* --- comebacks and quality; the service manager's people tools (issue 15) --- */

/* A number of a reply, whichever way the JSON carries it (int64 fields may
 * come as strings); 0 when absent. */
static double s_num(json_t *v)
{
    if (json_is_string(v))
        return strtod(json_string_value(v), NULL);
    return json_is_number(v) ? json_number_value(v) : 0;
}

/* The comebacks of a comeback analysis in group `key` named `name`. */
static long long s_group(json_t *analysis, const char *key, const char *name)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(analysis, key), i, g)
    {
        const char *n = json_string_value(json_object_get(g, "name"));
        if (n && strcmp(n, name) == 0)
            return (long long)s_num(json_object_get(g, "comebacks"));
    }
    return 0;
}

/* The day's analysis has counted its ROs and both causes. */
static bool s_comebacks_counted(json_t *reply, const void *arg)
{
    (void)arg;
    return s_num(json_object_get(reply, "ros_delivered")) >= DAY_ROS &&
           s_group(reply, "by_cause", "workmanship") >= 1 &&
           s_group(reply, "by_cause", "misdiagnosis") >= 1;
}

/* The front-desk manager's end of the day: the cause of each of the day's
 * two comebacks (ROs 39 and 40, of ROs 3 and 5), a corrective action for the
 * first with the foreman as its owner, who starts it; at 18:00 the quality
 * meeting with the foreman and QC, and a preventive action as its item. The
 * ids carry the date (QA-<date>-1, QM-<yyyymmdd>), so another day on the
 * same stores has its own. With kpi, the summary shows the month's comeback
 * analysis once kpi has counted the day's ROs and causes. */
static void s_quality(day_t *d, const ro_plan_t *plan)
{
    const ro_plan_t *first = &plan[DAY_ROS - 2], *second = &plan[DAY_ROS - 1];
    char week[AS_DATE_LEN + 1], fortnight[AS_DATE_LEN + 1], ymd[9];
    as_date_add_days(d->date, 7, week);
    as_date_add_days(d->date, 14, fortnight);
    snprintf(ymd, sizeof ymd, "%.4s%.2s%.2s", d->date, d->date + 5, d->date + 8);
    s_when(d, s_at(d, 9 * 60 + 20)); /* 17:20 */
    s_do(d, d->manager, "reception.comeback.cause",
         "{\"ro_number\":\"%s\",\"cause\":\"workmanship\",\"note\":\"fitting not torqued\"}",
         first->ro_number);
    s_do(d, d->manager, "reception.comeback.cause",
         "{\"ro_number\":\"%s\",\"cause\":\"misdiagnosis\",\"note\":\"the first diagnosis "
         "missed the cause\"}",
         second->ro_number);
    s_when(d, s_at(d, 9 * 60 + 30)); /* 17:30 */
    s_do(d, d->manager, "reception.quality_action.create",
         "{\"action_id\":\"QA-%s-1\",\"kind\":\"corrective\",\"what\":\"re-check the torque on "
         "every repeat job\",\"owner\":\"%s\",\"due_date\":\"%s\",\"comeback_ros\":[\"%s\"]}",
         d->date, d->foreman, week, first->ro_number);
    s_when(d, s_at(d, 9 * 60 + 40)); /* 17:40 */
    s_do(d, d->foreman, "reception.quality_action.update",
         "{\"action_id\":\"QA-%s-1\",\"status\":\"QA_IN_PROGRESS\",\"note\":\"briefed the "
         "technicians\"}",
         d->date);
    s_when(d, s_at(d, 10 * 60)); /* 18:00 */
    s_do(d, d->manager, "reception.quality_meeting.record",
         "{\"meeting_id\":\"QM-%s\",\"attendees\":[\"%s\",\"%s\",\"%s\"],\"topics\":[\"the "
         "day's two comebacks\"],\"actions\":[{\"action_id\":\"QA-%s-2\",\"kind\":"
         "\"preventive\",\"what\":\"diagnosis refresher\",\"owner\":\"%s\",\"due_date\":\"%s\","
         "\"comeback_ros\":[\"%s\"]}]}",
         ymd, d->manager, d->foreman, d->qc, d->date, d->foreman, fortnight, second->ro_number);
    printf("asday: the comebacks' causes recorded, a corrective action in progress, the quality "
           "meeting QM-%s with a preventive action\n",
           ymd);
    if (d->kpi) {
        json_decref(s_wait(d, d->manager, "kpi.comeback.analysis", s_comebacks_counted, NULL,
                           "kpi to count the day's comebacks", "{\"from\":\"%s\",\"to\":\"%s\"}",
                           d->date, d->date));
        json_t *a = s_ask(d, d->manager, "kpi.comeback.analysis", "{\"month\":\"%.7s\"}", d->date);
        printf("asday: the comeback analysis of %.7s: comeback rate %lld / %lld ROs = %.1f %%; "
               "causes: workmanship %lld, misdiagnosis %lld\n",
               d->date, (long long)s_num(json_object_get(a, "comebacks")),
               (long long)s_num(json_object_get(a, "ros_delivered")),
               s_num(json_object_get(a, "rate")), s_group(a, "by_cause", "workmanship"),
               s_group(a, "by_cause", "misdiagnosis"));
        json_decref(a);
    }
    fflush(stdout);
}

/* True when the day's quality meeting is on the stores (the day's quality
 * steps are done: a day interrupted before is resumed). */
static bool s_quality_done(day_t *d)
{
    char error[512], ymd[9];
    snprintf(ymd, sizeof ymd, "%.4s%.2s%.2s", d->date, d->date + 5, d->date + 8);
    json_t *m = s_call_quiet(d, d->manager, "reception.quality_meeting.show", error, sizeof error,
                             "{\"meeting_id\":\"QM-%s\"}", ymd);
    json_decref(m);
    return m != NULL;
}

/* The roster (kpi.roster.plan is not dated: kpi takes a plan up to 7 days
 * back from the real date): when the played day is within that, the service
 * manager puts the first technician's 08:00-17:00 and the part-timer's
 * 13:00-17:00 on it, as planned ahead, and the roster shows them attended.
 * An older day has no roster (said so). */
static void s_roster(day_t *d)
{
    char today[AS_DATE_LEN + 1], oldest[AS_DATE_LEN + 1];
    as_date_today(today);
    as_date_add_days(today, -DAY_ROSTER_BACK_DAYS, oldest);
    if (strcmp(d->date, oldest) < 0) {
        printf("asday: no roster for %s: kpi plans a roster at most %d days back\n", d->date,
               DAY_ROSTER_BACK_DAYS);
        return;
    }
    s_do(d, d->service_manager, "kpi.roster.plan",
         "{\"staff_id\":\"%s\",\"date\":\"%s\",\"start\":\"08:00\",\"end\":\"17:00\"}",
         d->technicians[0], d->date);
    s_do(d, d->service_manager, "kpi.roster.plan",
         "{\"staff_id\":\"%s\",\"date\":\"%s\",\"start\":\"13:00\",\"end\":\"17:00\"}",
         d->technicians[d->n_technicians - 1], d->date);
    printf("asday: the roster of %s: %s 08:00-17:00, %s 13:00-17:00\n", d->date, d->technicians[0],
           d->technicians[d->n_technicians - 1]);
}

/* kpi has counted the day through both sources: reception's 40 hand-overs
 * and workshop's certification of the evening (its last event of the day). */
static bool s_day_counted(json_t *reply, const void *arg)
{
    (void)arg;
    json_t *row = json_array_get(json_object_get(reply, "rows"), 0), *f;
    size_t i;
    bool handed_over = false;
    json_array_foreach(json_object_get(row, "figures"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (name && strcmp(name, "vehicles handed over") == 0)
            handed_over = s_num(json_object_get(f, "value")) >= DAY_ROS;
    }
    return handed_over &&
           s_num(json_object_get(json_object_get(row, "counters"), "training_certified")) >= 1;
}

/* One figure of a scorecard: "value of target (achievement %)". */
static void s_score(json_t *card, const char *name, bool cents, char *out, size_t cap)
{
    size_t i, j;
    json_t *section, *f;
    snprintf(out, cap, "%s: none", name);
    json_array_foreach(json_object_get(card, "sections"), i, section)
    {
        json_array_foreach(json_object_get(section, "figures"), j, f)
        {
            const char *n = json_string_value(json_object_get(f, "name"));
            if (!n || strcmp(n, name) != 0)
                continue;
            double v = s_num(json_object_get(f, "value")), t = s_num(json_object_get(f, "target"));
            double scale = cents ? 100 : 1;
            snprintf(out, cap, "%s %.2f of %.2f (%.1f %%)", name, v / scale, t / scale,
                     s_num(json_object_get(f, "achievement")) * 100);
        }
    }
}

/* The scorecards of the month for the review (the summary): the first
 * technician's sold hours against their own target, the second advisor's
 * product sales against theirs, once kpi has counted the day. */
static void s_scorecards(day_t *d)
{
    json_decref(s_wait(d, d->service_manager, "kpi.report", s_day_counted, NULL,
                       "kpi to count the day", "{\"month\":\"%.7s\",\"day\":\"%s\"}", d->date,
                       d->date));
    char line[2][160];
    const char *who[2] = {d->technicians[0], d->advisors[d->n_advisors > 1]};
    for (int k = 0; k < 2; k++) {
        json_t *card = s_ask(d, d->service_manager, "kpi.scorecard",
                             "{\"staff_id\":\"%s\",\"month\":\"%.7s\"}", who[k], d->date);
        s_score(card, k ? "advisor product sales" : "sold hours", k == 1, line[k], sizeof line[k]);
        json_decref(card);
    }
    printf("asday: the scorecards of %.7s: %s %s; %s %s\n", d->date, who[0], line[0], who[1],
           line[1]);
    fflush(stdout);
}

/* --- the information clerk's lists and the monthly reports (issue 15) -------- */

/* The renewal list: the insurance of the first DAY_INSURED vehicles ends on
 * the played day (their insurer keyed in by the clerk at 07:10). At 16:00
 * the clerk reads the list and records what she learnt: the first renews
 * here, the second elsewhere, the third is not reached (nothing recorded):
 * kpi's renewal information rate of the month = 2 / 3. She sends the day's
 * greetings (the customer born on this day; `reception.greeting.send` emits
 * each once) and reads the day's business summary (with kpi). */
static void s_clerk_morning(day_t *d)
{
    s_when(d, s_at(d, -50)); /* 07:10 */
    for (unsigned i = 0; i < DAY_INSURED; i++) {
        char vin[AS_VIN_LEN + 1];
        s_vin(i, vin);
        s_do(d, d->clerk, "reception.insurance.set",
             "{\"vin\":\"%s\",\"insurer\":\"PICC\",\"end_date\":\"%s\"}", vin, d->date);
    }
    s_when(d, s_at(d, 60)); /* 09:00 */
    json_t *sent = s_ask(d, d->clerk, "reception.greeting.send", "{\"date\":\"%s\"}", d->date);
    printf("asday: the day's greetings sent: %zu\n",
           json_array_size(json_object_get(sent, "greetings")));
    json_decref(sent);
}

static void s_clerk_afternoon(day_t *d)
{
    s_when(d, s_at(d, 8 * 60)); /* 16:00 */
    char error[512];
    json_t *due = s_call_quiet(d, d->clerk, "reception.insurance.due", error, sizeof error,
                               "{\"date\":\"%s\",\"days\":30}", d->date);
    size_t listed = json_array_size(json_object_get(due, "vehicles"));
    json_decref(due);
    char vin[AS_VIN_LEN + 1];
    s_vin(0, vin);
    s_do(d, d->clerk, "reception.insurance.renewal",
         "{\"vin\":\"%s\",\"outcome\":\"here\",\"note\":\"renewed at the counter\"}", vin);
    s_vin(1, vin);
    s_do(d, d->clerk, "reception.insurance.renewal",
         "{\"vin\":\"%s\",\"outcome\":\"elsewhere\",\"insurer\":\"Ping An\"}", vin);
    printf("asday: the renewal list of %s: %zu vehicle%s, renewal information collected for 2 "
           "of the %d whose insurance ends today\n",
           d->date, listed, listed == 1 ? "" : "s", DAY_INSURED);
    fflush(stdout);
}

/* The day's business summary as the clerk reads it at the end of the day
 * (with kpi, once kpi has counted the day: s_scorecards waited for it). */
static void s_day_summary(day_t *d)
{
    json_t *s = s_ask(d, d->clerk, "kpi.day.summary", "{\"day\":\"%s\"}", d->date);
    printf("asday: the day's summary: %lld ROs opened, %lld delivered, service sales %.2f, "
           "%lld comebacks\n",
           (long long)s_num(json_object_get(s, "ros_opened")),
           (long long)s_num(json_object_get(s, "ros_delivered")),
           s_num(json_object_get(s, "service_sales_cents")) / 100,
           (long long)s_num(json_object_get(s, "comebacks")));
    json_decref(s);
}

/* The monthly reports of the month before the played day's (with kpi): the
 * service manager has them generated (the same reports when kpi's timer made
 * them on the 1st), the clerk submits the OEM's at 16:30 on the played day
 * (on time when it is not after the due date, [kpi] report_deadline_day of
 * the month), the service manager the department's at 16:40 and corrects it
 * at 17:58 (a late RO of the month): report accuracy 1 / 2. A report
 * submitted on another day already (another day of the month played on the
 * same stores) is left as it is. */
static void s_monthly_reports(day_t *d)
{
    char first[AS_DATE_LEN + 1], before[AS_DATE_LEN + 1], month[8];
    snprintf(first, sizeof first, "%.8s01", d->date);
    as_date_add_days(first, -1, before);
    snprintf(month, sizeof month, "%.7s", before);
    static const char *const kinds[] = {"department", "oem"};
    for (int k = 0; k < 2; k++)
        s_do(d, d->service_manager, "kpi.monthly.generate", "{\"kind\":\"%s\",\"month\":\"%s\"}",
             kinds[k], month);
    char error[512];
    s_when(d, s_at(d, 8 * 60 + 30)); /* 16:30 */
    json_t *oem = s_vcall_quiet(d, d->clerk, "kpi.monthly.submit", error, sizeof error,
                                "{\"kind\":\"oem\",\"month\":\"%s\"}", month);
    s_when(d, s_at(d, 8 * 60 + 40)); /* 16:40 */
    json_t *dept = s_vcall_quiet(d, d->service_manager, "kpi.monthly.submit", error, sizeof error,
                                 "{\"kind\":\"department\",\"month\":\"%s\"}", month);
    if (dept) {
        s_when(d, s_at(d, 9 * 60 + 58)); /* 17:58 */
        s_do(d, d->service_manager, "kpi.monthly.correct",
             "{\"kind\":\"department\",\"month\":\"%s\",\"reason\":\"a late RO of the month\"}",
             month);
    }
    printf("asday: the monthly reports of %s: the OEM's %s, the department's %s\n", month,
           !oem                                         ? "submitted before"
           : json_is_true(json_object_get(oem, "late")) ? "submitted late"
                                                        : "submitted on time",
           dept ? "submitted and corrected" : "submitted before");
    json_decref(oem);
    json_decref(dept);
    fflush(stdout);
}

/* --- main ------------------------------------------------------------------- */

/* The warehouse at the end of the day (issue 14): the keeper's attended shift
 * (warehouse productivity), and a small scrap list: the keeper proposes it
 * from slow-moving and damaged stock (the crushed tensioners in quarantine),
 * adds a bumper clip broken in handling, submits it, and the parts manager
 * approves it (parts.stock.scrapped). Skipped when [staff] has no parts
 * manager. */
static void s_scrap_list(day_t *d)
{
    const char *managers[MAX_STAFF];
    if (as_staff_list(d->staff, AS_ROLE_PARTS_MANAGER, managers, MAX_STAFF) == 0)
        return;
    s_when(d, s_at(d, 9 * 60 + 5)); /* 17:05 */
    s_do(d, d->keeper, "parts.shift.record",
         "{\"staff_id\":\"%s\",\"date\":\"%s\",\"start\":\"07:30\",\"end\":\"17:00\"}", d->keeper,
         d->date);
    s_when(d, s_at(d, 9 * 60 + 30)); /* 17:30 */
    s_do(d, d->keeper, "parts.scrap.propose", "{\"list_id\":\"SCRAP-%s\"}", d->date);
    s_do(d, d->keeper, "parts.scrap.edit",
         "{\"list_id\":\"SCRAP-%s\",\"add\":[{\"part_number\":\"62256-1CA0A\",\"quantity\":1,"
         "\"reason\":\"broken in handling\"}]}",
         d->date);
    s_do(d, d->keeper, "parts.scrap.submit", "{\"list_id\":\"SCRAP-%s\"}", d->date);
    s_when(d, s_at(d, 9 * 60 + 45)); /* 17:45 */
    s_do(d, managers[0], "parts.scrap.approve", "{\"list_id\":\"SCRAP-%s\"}", d->date);
    printf("asday: the scrap list SCRAP-%s proposed, submitted and approved\n", d->date);
    fflush(stdout);
}

static const char *s_first(day_t *d, unsigned role, const char *what)
{
    const char *id = NULL;
    if (as_staff_list(d->staff, role, &id, 1) == 0) {
        fprintf(stderr, "asday: the staff list ([staff] in the config) has no %s\n", what);
        exit(78);
    }
    return id;
}

static void s_usage(FILE *out)
{
    fprintf(out, "usage: asday --config FILE [--date YYYY-MM-DD] [--seed N] [--again] [--new-car]\n"
                 "             [--verbose]\n"
                 "\n"
                 "Plays a dealership's day against the running daemons (reception, workshop,\n"
                 "parts; kpi counts it): the technicians of [staff] (10 in deploy/local.ini),\n"
                 "10 bays, the clerk's reminder calls, 40 repair orders with\n"
                 "approvals, extra defects, QC failures and rework, a parts backorder,\n"
                 "deliveries, follow-up calls and two comebacks, a road rescue, training,\n"
                 "a technical bulletin, the month's targets and expenses (with [kpi]),\n"
                 "the replaced parts returned to the OEM, the comebacks' causes, a corrective\n"
                 "action and the quality meeting, the roster and scorecards (with [kpi]);\n"
                 "with a [crm] ingest gateway,\n"
                 "four appointment requests from the CRM; --new-car with a running [sales]\n"
                 "gateway: a new car sold with accessories (its fitting RO worked and handed\n"
                 "over; run-local.sh plays it, the tests' days leave it out).\n"
                 "The staff come from [staff].\n"
                 "The same --date and --seed make the same day. Each step's request id is\n"
                 "made from what it does, so a day interrupted part-way is resumed by running\n"
                 "asday again: what was done is answered from its stored reply, the rest is\n"
                 "done, each thing once. A day played to its end is left alone; --again plays\n"
                 "it again, which does nothing twice. Every step is dated at its time on\n"
                 "that date (the daemons' clock is not moved): the date must be over and\n"
                 "within the site's window for work keyed in later ([site] backdate_days,\n"
                 "default 31). Default date: yesterday; seed: 1.\n"
                 "Exit codes: 0 the day was played, 1 a service refused a step, 64 usage,\n"
                 "69 a service did not answer, 70 internal error, 78 config error.\n");
}

int main(int argc, char **argv)
{
    if (as_version_option(argc, argv))
        return 0;
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"date", required_argument, NULL, 'd'},
        {"seed", required_argument, NULL, 's'},   {"verbose", no_argument, NULL, 'v'},
        {"again", no_argument, NULL, 'a'},        {"new-car", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    day_t d = {.seed = 1};
    const char *config_path = getenv("AS_CONFIG");
    /* yesterday: a day that is over, so every clock entry is in the past */
    char today[AS_DATE_LEN + 1];
    as_date_today(today);
    as_date_add_days(today, -1, d.date);
    int opt;
    bool again = false;
    bool new_car = false;
    while ((opt = getopt_long(argc, argv, "c:d:s:vanh", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            config_path = optarg;
            break;
        case 'd':
            if (!as_date_valid(optarg)) {
                fprintf(stderr, "asday: --date wants YYYY-MM-DD, got '%s'\n", optarg);
                return 64;
            }
            snprintf(d.date, sizeof d.date, "%s", optarg);
            break;
        case 's':
            d.seed = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'a':
            again = true;
            break;
        case 'n':
            new_car = true;
            break;
        case 'v':
            d.verbose = true;
            break;
        case 'h':
            s_usage(stdout);
            return 0;
        default:
            s_usage(stderr);
            return 64;
        }
    }
    if (!config_path || optind != argc) {
        s_usage(stderr);
        return 64;
    }
    as_log_init("asday", AS_LOG_WARN);
    char *err = NULL;
    d.cfg = as_config_load(config_path, &err);
    if (!d.cfg || !(d.staff = as_staff_load(d.cfg, &err))) {
        fprintf(stderr, "asday: %s\n", err ? err : "cannot read the config");
        return 78;
    }
    int serr = 0;
    d.security = as_security_new(d.cfg, "asday", &serr);
    if (!d.security) {
        fprintf(stderr, "asday: security: %s\n", as_strerror(serr));
        return 78;
    }
    d.n_advisors = as_staff_list(d.staff, AS_ROLE_ADVISOR, d.advisors, MAX_STAFF);
    const char *workers[MAX_STAFF];
    size_t n_workers = as_staff_list(d.staff, AS_ROLE_TECHNICIAN, workers, MAX_STAFF);
    for (size_t i = 0; i < n_workers && i < MAX_STAFF; i++)
        if (!(as_staff_roles(d.staff, workers[i]) & AS_ROLE_QC_INSPECTOR))
            d.technicians[d.n_technicians++] = workers[i];
    if (d.n_advisors == 0 || d.n_technicians < 4) {
        fprintf(stderr, "asday: the staff list needs advisors and at least 4 technicians\n");
        return 78;
    }
    d.foreman = s_first(&d, AS_ROLE_FOREMAN, "foreman");
    d.qc = s_first(&d, AS_ROLE_QC_INSPECTOR, "qc_inspector");
    d.keeper = s_first(&d, AS_ROLE_WAREHOUSE_KEEPER, "warehouse_keeper");
    d.manager = s_first(&d, AS_ROLE_FRONT_DESK_MANAGER, "front_desk_manager");
    d.service_manager = s_first(&d, AS_ROLE_SERVICE_MANAGER, "service_manager");
    d.clerk = s_first(&d, AS_ROLE_INFO_CLERK, "info_clerk");
    if (as_config_get(d.cfg, "tools", "endpoint", NULL))
        d.tool_admin = s_first(&d, AS_ROLE_TOOL_ADMIN, "tool_admin");
    if (as_config_get(d.cfg, "warranty", "endpoint", NULL))
        d.warranty_clerk = s_first(&d, AS_ROLE_WARRANTY_CLERK, "warranty_clerk");
    d.kpi = as_config_get(d.cfg, "kpi", "endpoint", NULL) != NULL;
    if (as_config_get(d.cfg, "crm", "endpoint", NULL))
        d.crm = s_first(&d, AS_ROLE_SYSTEM, "system (the crm)");
    struct tm tm = {0};
    sscanf(d.date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 8;
    tm.tm_isdst = -1;
    d.day_start_us = (int64_t)mktime(&tm) * 1000000;
    d.rng = d.seed;
    d.zctx = zmq_ctx_new();

    ro_plan_t plan[DAY_ROS];
    s_plan(&d, plan);
    /* a day played to its end on these stores is left as it is, unless asked
     * to play it again (then every command is answered from its stored reply);
     * a day interrupted part-way is resumed: what was done is answered from
     * the stored replies, the rest is done */
    if (!again && s_day_complete(&d, plan)) {
        printf("asday: %s was played on these stores already (%s is closed): nothing to do; "
               "--again plays it again\n",
               d.date, plan[DAY_ROS - 1].ro_number);
        if (d.warranty_clerk)
            s_print_claims_submitted(&d);
        goto done;
    }
    printf("asday: %s, seed %u: setting up %zu technicians, 10 bays, %zu parts, %zu customers\n",
           d.date, d.seed, d.n_technicians, DAY_PARTS, DAY_CUSTOMERS);
    fflush(stdout);
    s_setup(&d);
    s_morning(&d);
    s_clerk_morning(&d);
    s_reminder_calls(&d);
    s_appointments(&d, plan);
    if (d.crm)
        s_crm_requests(&d);
    for (unsigned i = 0; i < DAY_ROS; i++) {
        s_repair_order(&d, &plan[i]);
        printf("asday: %s delivered (%zu job%s%s%s%s)\n", plan[i].ro_number, plan[i].n_ops,
               plan[i].n_ops > 1 ? "s" : "", plan[i].qc_fails ? ", QC failed once" : "",
               plan[i].extra == 1   ? ", extra work approved"
               : plan[i].extra == 2 ? ", extra work declined"
                                    : "",
               i >= 38 ? ", a comeback" : "");
        fflush(stdout);
    }
    s_scrap_list(&d);
    s_evening(&d);
    s_clerk_afternoon(&d);
    if (d.kpi)
        s_monthly_reports(&d);
    s_quality(&d, plan);
    if (new_car)
        s_new_car(&d);
    if (d.warranty_clerk) {
        s_submit_claims(&d, plan);
        s_return_parts(&d);
    }
    if (d.kpi) {
        s_scorecards(&d);
        s_day_summary(&d);
    }
    printf("asday: the day is played: %d repair orders, %u commands\n", DAY_ROS, d.commands);
done:
    for (size_t i = 0; i < d.n_clients; i++)
        as_rpc_client_destroy(&d.clients[i]);
    zmq_ctx_term(d.zctx);
    as_security_destroy(&d.security);
    as_staff_destroy(&d.staff);
    as_config_destroy(&d.cfg);
    return 0;
}
