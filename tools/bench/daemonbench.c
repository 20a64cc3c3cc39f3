/* daemonbench.c — the real daemons' command throughput and round trip.
 *
 *   daemonbench site --dir DIR              writes DIR/site.ini (the site it needs)
 *   daemonbench run --config FILE [--clients 1,8,32] [--seconds 5] [--vehicles 2048]
 *                   [--pid NAME=PID]... [--report FILE]
 *
 * `site` writes the site run.sh starts: asbus, reception, workshop, parts and
 * kpi on ipc:// sockets in DIR, fsync'd stores (the default) in DIR/data,
 * and a staff list with a member of each role per client (adv-01.., tech-01..,
 * wh-01..; foreman-01). `run` drives that running site through the service
 * endpoints, as asctl does (a CommandRequest per command, its own request id,
 * the staff member as actor):
 *
 *   1. the master data, once, in batches over --clients' largest number of
 *      connections: technicians and bays, customers and --vehicles vehicles,
 *      the parts catalogue received into stock, and one repair order per
 *      technician, consented and dispatched to them (after workshop has it);
 *   2. for each of the commands reception.ro.open, workshop.clock.on/off (each
 *      technician alternates on and off on their own job: two rows of one
 *      run), parts.issue, and the two ceilings below, and for each number of
 *      clients: every client, one thread with its own DEALER connection (a
 *      counter or a tablet of its own), sends its next request when the last
 *      was answered (a closed loop, no think time) for --seconds; every request
 *      is a new one (its own request id) and valid, every reply is checked (a
 *      refusal or a time-out is an error, counted and the first one printed),
 *      and every round trip (send -> reply) is recorded;
 *   3. after each run it waits until every daemon applied what the others
 *      emitted (the status offsets reach the sources' last seq), then reads
 *      each daemon's CPU time (/proc/PID/stat of --pid) and the commanded
 *      daemon's commits (StatusReply.commits): CPU per command and commands
 *      per commit (the group commit).
 *
 * The ceilings: `status` (the runtime answers a status request on its loop:
 * no turn, no store; what the request path costs without the command turn)
 * and `reception.ro.show` (a query: a turn that runs the handler; its
 * request id is held in memory until a turn writes, so a turn of queries
 * alone commits nothing: common/include/as/query_ids.h).
 *
 * Each RO is opened on the next of the client's own vehicles (client k of C
 * uses the vehicles k, k + C, ...; --vehicles a multiple of 32) with a
 * mileage that only grows (from the clock), so a vehicle gets a few ROs,
 * as in a dealership. parts.issue issues one unit of the client's part to
 * the ROs the ro.open runs opened, in turn.
 *
 * Threads, not one loop with N sockets: each client blocks on its own
 * socket like a counter's asctl or a tablet, and its round trip is what it
 * waits; the threads sleep while they wait, so 32 of them cost the two cores
 * little beside the daemons.
 *
 * Writes a JSON report (--report) and a summary on stderr. Exit codes: 0; 1
 * a request was refused or not answered; 64 usage; 69 a daemon did not answer
 * during the setup; 70 internal; 74 cannot write; 78 config. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "as/catalog.h"
#include "as/pb/reception.pb-c.h"
#include "as/config.h"
#include "as/error.h"
#include "as/pbjson.h"
#include "as/rpc.h"
#include "as/security.h"
#include "as/vin.h"
#include "bench_util.h"

#define MAX_CLIENTS 32
#define MAX_PIDS 8
#define TIMEOUT_MS 10000
#define N_SERVICES 4

static const char *const s_services[N_SERVICES] = {"reception", "workshop", "parts", "kpi"};

enum kind { K_RO_OPEN, K_CLOCK, K_ISSUE, K_STATUS, K_QUERY, K_N };

/* What each kind of run sends, and to which daemon. */
static const struct {
    const char *name;    /* the row's name */
    const char *service; /* the daemon that answers */
} s_kind[K_N] = {
    {"reception.ro.open", "reception"}, {"workshop.clock.on/off", "workshop"},
    {"parts.issue", "parts"},           {"status", "reception"},
    {"reception.ro.show", "reception"},
};

typedef struct {
    int32_t *v;
    size_t n, cap;
} lat_t;

/* One client: a staff member at a counter or a tablet, one connection. */
typedef struct {
    int k; /* 0-based */
    enum kind kind;
    as_rpc_client_t *rpc;
    lat_t lat[2]; /* the round trips; clock: [0] on, [1] off */
    uint64_t errors;
    char first_error[400];
    unsigned seq;
    bool clocked_on;
    char (*opened)[48]; /* ro.open: the ROs it opened */
    size_t n_opened, cap_opened;
} client_t;

/* A setup command (the master data). */
typedef struct {
    const char *command;
    char actor[32];
    char json[2048];
} job_t;

static struct {
    as_config_t *cfg;
    as_security_t *security;
    void *zctx;
    const char *endpoint[N_SERVICES];
    int clients[8], n_clients, max_clients;
    int seconds, vehicles;
    unsigned run;
    struct {
        char name[32];
        int pid;
    } pids[MAX_PIDS];
    int n_pids;
    int64_t t0_us; /* the program's start: mileage grows from it */
    /* a run */
    client_t cl[MAX_CLIENTS];
    pthread_barrier_t barrier;
    int64_t end_us;
    /* the setup's jobs */
    job_t *jobs;
    size_t n_jobs, cap_jobs;
    atomic_size_t next_job;
    size_t jobs_before; /* of earlier batches: each job's request id is its own */
    char setup_error[600];
    pthread_mutex_t lock;
    /* every RO the ro.open runs opened */
    char (*ros)[48];
    size_t n_ros;
} g;

static void lat_note(lat_t *l, int64_t us)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4096;
        l->v = bench_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = us > INT32_MAX ? INT32_MAX : (int32_t)us;
}

/* --- the site ---------------------------------------------------------------- */

static int s_write_site(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/site.ini", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        bench_die(BENCH_EXIT_IOERR, "cannot write %s: %s", path, strerror(errno));
    fprintf(f,
            "; written by daemonbench site: the daemons of tools/bench/README.md, \"daemons\"\n"
            "[site]\nname = bench\ndata_dir = %s/data\nservices = reception, workshop, parts, kpi\n"
            "currency = CNY\n\n[security]\ncurve = off\n\n"
            "[bus]\nxsub = ipc://%s/bus-in\nxpub = ipc://%s/bus-out\npublish = ${bus.xsub}\n"
            "subscribe = ${bus.xpub}\n\n"
            "[reception]\nendpoint = ipc://%s/reception.sock\nfollows = workshop, parts\n\n"
            "[workshop]\nendpoint = ipc://%s/workshop.sock\nfollows = reception\n\n"
            "[parts]\nendpoint = ipc://%s/parts.sock\nfollows = workshop\n\n"
            "[kpi]\nendpoint = ipc://%s/kpi.sock\nfollows = reception, workshop, parts\n"
            "working_hours_per_day = 9\n\n[staff]\nsvc-mgr = service_manager\n"
            "foreman-01 = foreman\n",
            dir, dir, dir, dir, dir, dir, dir);
    for (int k = 1; k <= MAX_CLIENTS; k++)
        fprintf(f,
                "adv-%02d = advisor limit=100000\ntech-%02d = technician\n"
                "wh-%02d = warehouse_keeper\n",
                k, k, k);
    if (fclose(f) != 0)
        bench_die(BENCH_EXIT_IOERR, "cannot write %s", path);
    return BENCH_EXIT_OK;
}

/* --- one request --------------------------------------------------------------- */

static as_rpc_client_t *s_connect(const char *service)
{
    int err = 0;
    const char *ep = NULL;
    for (int i = 0; i < N_SERVICES; i++)
        if (!strcmp(s_services[i], service))
            ep = g.endpoint[i];
    as_rpc_client_t *c = as_rpc_client_new(g.zctx, ep, g.security, service, &err);
    if (!c)
        bench_die(BENCH_EXIT_UNAVAILABLE, "cannot connect to %s at %s: %s", service, ep,
                  as_strerror(err));
    return c;
}

/* Packs `json` as the request message of `command`. Returns 0, or -1 with
 * the reason in err. */
static int s_pack(const char *command, const char *json, uint8_t **out, size_t *len, char *err,
                  size_t err_len)
{
    const as_command_info_t *info = as_catalog_command(command);
    if (!info || !info->request) {
        snprintf(err, err_len, "%s: not in the catalog", command);
        return -1;
    }
    json_error_t jerr;
    json_t *j = json_loads(json, 0, &jerr);
    ProtobufCMessage *msg = NULL;
    if (!j || as_pbjson_from_json(info->request, j, &msg, err, err_len) != 0) {
        if (!j)
            snprintf(err, err_len, "%s: bad JSON: %s", command, jerr.text);
        json_decref(j);
        return -1;
    }
    json_decref(j);
    *len = protobuf_c_message_get_packed_size(msg);
    *out = bench_xrealloc(NULL, *len);
    protobuf_c_message_pack(msg, *out);
    protobuf_c_message_free_unpacked(msg, NULL);
    return 0;
}

/* Sends one command; returns 0 when it was done, else -1 with the reason in err. */
static int s_command(as_rpc_client_t *rpc, const char *command, const char *actor,
                     const char *request_id, const uint8_t *payload, size_t len, char *err,
                     size_t err_len)
{
    As__CommandReply *reply = NULL;
    int rc = as_rpc_command(rpc, command, actor, request_id, payload, len, TIMEOUT_MS, 1, &reply);
    if (rc != 0) {
        snprintf(err, err_len, "%s as %s: %s", command, actor,
                 rc == AS_ETIMEOUT ? "no answer within 10 s" : as_strerror(rc));
        return -1;
    }
    int status = reply->status;
    if (status != 0)
        snprintf(err, err_len, "%s as %s refused (%s): %s", command, actor, as_errname(status),
                 reply->error ? reply->error : "");
    as__command_reply__free_unpacked(reply, NULL);
    return status == 0 ? 0 : -1;
}

static As__StatusReply *s_status(as_rpc_client_t *rpc)
{
    As__StatusRequest req = AS__STATUS_REQUEST__INIT;
    uint8_t body[16];
    size_t len = as__status_request__pack(&req, body);
    void *answer = NULL;
    size_t answer_len = 0;
    int rc = as_rpc_call(rpc, "status", body, len, TIMEOUT_MS, 1, &answer, &answer_len);
    As__StatusReply *st = rc == 0 ? as__status_reply__unpack(NULL, answer_len, answer) : NULL;
    free(answer);
    return st;
}

/* Waits until reception knows `techs` technicians with the skill "engine"
 * (it learns them from workshop's events, which reach it after the bus's
 * subscriptions: a start-up race s_drain cannot see, since reception has no
 * offset for workshop before its first event or heartbeat). */
static void s_wait_skills(int techs)
{
    as_rpc_client_t *rpc = s_connect("reception");
    int64_t t0 = bench_now_us();
    for (unsigned n = 0;; n++) {
        char id[64];
        snprintf(id, sizeof id, "db-%06x-skills-%u", g.run, n);
        As__CommandReply *reply = NULL;
        int known = 0;
        if (as_rpc_command(rpc, "reception.skill.list", "adv-01", id, NULL, 0, TIMEOUT_MS, 1,
                           &reply) == 0 &&
            reply->status == 0 && reply->has_payload) {
            As__SkillList *list =
                as__skill_list__unpack(NULL, reply->payload.len, reply->payload.data);
            for (size_t i = 0; list && i < list->n_skills; i++)
                if (list->skills[i]->skill && !strcmp(list->skills[i]->skill, "engine"))
                    known = (int)list->skills[i]->n_technicians;
            if (list)
                as__skill_list__free_unpacked(list, NULL);
        }
        if (reply)
            as__command_reply__free_unpacked(reply, NULL);
        if (known >= techs)
            break;
        if (bench_now_us() - t0 > 120 * 1000000LL)
            bench_die(BENCH_EXIT_UNAVAILABLE,
                      "reception did not learn the technicians' skills in 120 s");
        usleep(20000);
    }
    as_rpc_client_destroy(&rpc);
}

/* --- the vehicles -------------------------------------------------------------- */

static void vin_of(int v, char out[18])
{
    snprintf(out, 18, "LDB00218XNB%06u", (unsigned)v % 1000000u);
    out[8] = as_vin_check_digit(out);
}

/* A reading that only grows: 20,000 km plus 100 km a second since the start. */
static unsigned s_mileage(void)
{
    return 20000u + (unsigned)((bench_now_us() - g.t0_us) / 10000);
}

/* --- the setup: jobs run over many connections ---------------------------------- */

static job_t *s_job(const char *command, const char *actor, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static job_t *s_job(const char *command, const char *actor, const char *fmt, ...)
{
    if (g.n_jobs == g.cap_jobs) {
        g.cap_jobs = g.cap_jobs ? g.cap_jobs * 2 : 1024;
        g.jobs = bench_xrealloc(g.jobs, g.cap_jobs * sizeof *g.jobs);
    }
    job_t *j = &g.jobs[g.n_jobs++];
    j->command = command;
    snprintf(j->actor, sizeof j->actor, "%s", actor);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->json, sizeof j->json, fmt, ap);
    va_end(ap);
    return j;
}

static void *s_setup_worker(void *arg)
{
    (void)arg;
    as_rpc_client_t *rpc[N_SERVICES] = {0};
    for (;;) {
        size_t i = atomic_fetch_add(&g.next_job, 1);
        if (i >= g.n_jobs)
            break;
        job_t *j = &g.jobs[i];
        int s = 0;
        while (s < N_SERVICES && strncmp(j->command, s_services[s], strlen(s_services[s])) != 0)
            s++;
        if (s == N_SERVICES)
            bench_die(BENCH_EXIT_SOFTWARE, "no daemon for %s", j->command);
        if (!rpc[s])
            rpc[s] = s_connect(s_services[s]);
        char err[500] = "", id[64];
        uint8_t *payload = NULL;
        size_t len = 0;
        snprintf(id, sizeof id, "db-%06x-setup-%zu", g.run, g.jobs_before + i);
        if (s_pack(j->command, j->json, &payload, &len, err, sizeof err) != 0 ||
            s_command(rpc[s], j->command, j->actor, id, payload, len, err, sizeof err) != 0) {
            pthread_mutex_lock(&g.lock);
            if (!g.setup_error[0])
                snprintf(g.setup_error, sizeof g.setup_error, "%s", err);
            pthread_mutex_unlock(&g.lock);
        }
        free(payload);
    }
    for (int s = 0; s < N_SERVICES; s++)
        as_rpc_client_destroy(&rpc[s]);
    return NULL;
}

/* Runs the jobs queued so far, g.max_clients at a time; dies on the first refusal. */
static void s_run_jobs(const char *what)
{
    pthread_t t[MAX_CLIENTS];
    int n = g.max_clients;
    atomic_store(&g.next_job, 0);
    for (int i = 0; i < n; i++)
        if (pthread_create(&t[i], NULL, s_setup_worker, NULL) != 0)
            bench_die(BENCH_EXIT_SOFTWARE, "cannot start a thread");
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    if (g.setup_error[0])
        bench_die(BENCH_EXIT_UNAVAILABLE, "setting up %s: %s", what, g.setup_error);
    g.jobs_before += g.n_jobs;
    g.n_jobs = 0;
}

/* Waits until every daemon applied every event the others emitted so far
 * (each offset reaches its source's last seq). Returns the ms it waited. */
static double s_drain(void)
{
    int64_t t0 = bench_now_us();
    as_rpc_client_t *rpc[N_SERVICES];
    for (int s = 0; s < N_SERVICES; s++)
        rpc[s] = s_connect(s_services[s]);
    for (;;) {
        As__StatusReply *st[N_SERVICES];
        bool all = true;
        for (int s = 0; s < N_SERVICES; s++)
            if (!(st[s] = s_status(rpc[s])))
                bench_die(BENCH_EXIT_UNAVAILABLE, "%s did not answer status", s_services[s]);
        for (int s = 0; s < N_SERVICES; s++)
            for (size_t o = 0; o < st[s]->n_offsets; o++)
                for (int p = 0; p < N_SERVICES; p++)
                    if (st[s]->offsets[o]->source && st[p]->source &&
                        !strcmp(st[s]->offsets[o]->source, st[p]->source) &&
                        st[s]->offsets[o]->applied_seq < st[p]->last_seq)
                        all = false;
        for (int s = 0; s < N_SERVICES; s++)
            as__status_reply__free_unpacked(st[s], NULL);
        if (all)
            break;
        if (bench_now_us() - t0 > 120 * 1000000LL)
            bench_die(BENCH_EXIT_UNAVAILABLE,
                      "the daemons did not apply each other's events in 120 s");
        usleep(5000);
    }
    for (int s = 0; s < N_SERVICES; s++)
        as_rpc_client_destroy(&rpc[s]);
    return (double)(bench_now_us() - t0) / 1000.0;
}

static const char *const s_job_json =
    "[{\"concern\":\"noise from the front axle when braking\",\"pay_type\":\"CUSTOMER_PAY\","
    "\"labour\":{\"code\":\"EN-01\",\"sold_minutes\":60,\"rate_cents\":60000,\"skill\":"
    "\"engine\",\"min_level\":1}}]";

/* The master data: what each command needs before it can run. */
static void s_setup(void)
{
    int techs = g.max_clients, customers = g.vehicles / 8 + 1;
    for (int t = 1; t <= techs; t++) {
        s_job("workshop.technician.register", "foreman-01",
              "{\"tech_id\":\"tech-%02d\",\"name\":\"Technician %d\",\"skills\":[\"engine\"],"
              "\"level\":2,\"hourly_cost_cents\":10000}",
              t, t);
        s_job("workshop.bay.register", "foreman-01", "{\"bay_id\":\"B%02d\",\"kind\":\"lift\"}", t);
        s_job("parts.part.define", "wh-01",
              "{\"part_number\":\"DB-%04d\",\"description\":\"oil filter %d\",\"cost_cents\":"
              "2000,\"price_cents\":3500,\"bin\":\"A-%02d\",\"group\":\"filters\"}",
              t, t, t);
    }
    for (int c = 1; c <= customers; c++)
        s_job("reception.customer.register", "adv-01",
              "{\"customer_id\":\"C-DB%05d\",\"name\":\"Customer %d\",\"phone\":\"1390%07d\"}", c,
              c, c);
    s_run_jobs("technicians, bays, parts and customers");
    char vin[18];
    for (int v = 0; v < g.vehicles + techs; v++) {
        vin_of(v, vin);
        s_job("reception.vehicle.register", "adv-01",
              "{\"vin\":\"%s\",\"plate\":\"DB-%05d\",\"customer_id\":\"C-DB%05d\",\"sale_date\":"
              "\"2024-05-01\",\"mileage_km\":20000}",
              vin, v, 1 + v % customers);
    }
    for (int t = 1; t <= techs; t++) /* each part its delivery */
        s_job("parts.receipt.record", "wh-01",
              "{\"receipt_id\":\"R-DB-%06x-%02d\",\"supplier\":\"OEM parts centre\",\"lines\":["
              "{\"part_number\":\"DB-%04d\",\"expected\":100000,\"received\":100000}]}",
              g.run, t, t);
    s_run_jobs("vehicles and the stock");
    s_wait_skills(techs); /* reception knows the technicians' skills (workshop's events) */
    /* each technician's job: on a vehicle of its own (after the clients' ones) */
    for (int t = 1; t <= techs; t++) {
        vin_of(g.vehicles + t - 1, vin);
        s_job("reception.ro.open", "adv-01",
              "{\"ro_number\":\"RO-T%02d\",\"vin\":\"%s\",\"mileage_km\":21000,\"jobs\":%s}", t,
              vin, s_job_json);
    }
    s_run_jobs("the technicians' repair orders");
    for (int t = 1; t <= techs; t++)
        s_job("reception.ro.consent", "adv-01",
              "{\"ro_number\":\"RO-T%02d\",\"consent\":\"signature\"}", t);
    s_run_jobs("the customers' consent");
    s_drain(); /* workshop has the jobs */
    for (int t = 1; t <= techs; t++)
        s_job("workshop.job.dispatch", "foreman-01",
              "{\"ro_number\":\"RO-T%02d\",\"job_no\":1,\"tech_id\":\"tech-%02d\",\"bay_id\":"
              "\"B%02d\"}",
              t, t, t);
    s_run_jobs("the dispatch of each technician's job");
    s_drain();
}

/* --- a run ---------------------------------------------------------------------- */

static void s_error(client_t *c, const char *err)
{
    c->errors++;
    if (!c->first_error[0])
        snprintf(c->first_error, sizeof c->first_error, "%s", err);
}

/* One request of client c: builds it, sends it, notes its round trip. */
static void s_one(client_t *c, int clients)
{
    char json[1200], id[80], actor[32], err[500] = "";
    const char *command = s_kind[c->kind].name;
    int k = c->k + 1, slot = 0;
    unsigned n = ++c->seq;
    snprintf(id, sizeof id, "db-%06x-%d-%d-%d-%u", g.run, (int)c->kind, clients, k, n);
    switch (c->kind) {
    case K_RO_OPEN: {
        char vin[18];
        vin_of(c->k + clients * (int)(n % (unsigned)(g.vehicles / clients)), vin);
        snprintf(actor, sizeof actor, "adv-%02d", k);
        if (c->n_opened == c->cap_opened) {
            c->cap_opened = c->cap_opened ? c->cap_opened * 2 : 1024;
            c->opened = bench_xrealloc(c->opened, c->cap_opened * sizeof *c->opened);
        }
        snprintf(c->opened[c->n_opened], sizeof c->opened[0], "DB%06x-%d-%d-%u", g.run, clients, k,
                 n);
        snprintf(json, sizeof json,
                 "{\"ro_number\":\"%s\",\"vin\":\"%s\",\"mileage_km\":%u,\"jobs\":%s}",
                 c->opened[c->n_opened], vin, s_mileage(), s_job_json);
        break;
    }
    case K_CLOCK:
        command = c->clocked_on ? "workshop.clock.off" : "workshop.clock.on";
        slot = c->clocked_on;
        snprintf(actor, sizeof actor, "tech-%02d", k);
        snprintf(json, sizeof json, "{\"ro_number\":\"RO-T%02d\",\"job_no\":1}", k);
        break;
    case K_ISSUE:
        snprintf(actor, sizeof actor, "wh-%02d", k);
        snprintf(json, sizeof json,
                 "{\"issue_id\":\"I%s\",\"ro_number\":\"%s\",\"job_no\":1,\"part_number\":"
                 "\"DB-%04d\",\"quantity\":1,\"technician\":\"tech-%02d\"}",
                 id + 2,
                 g.n_ros ? g.ros[((size_t)n * (size_t)clients + (size_t)c->k) % g.n_ros] : "RO-T01",
                 k, k);
        break;
    case K_QUERY:
        snprintf(actor, sizeof actor, "adv-%02d", k);
        snprintf(json, sizeof json, "{\"ro_number\":\"RO-T%02d\"}", k);
        break;
    case K_STATUS:
    case K_N:
        break;
    }
    uint8_t *payload = NULL;
    size_t len = 0;
    if (c->kind != K_STATUS && s_pack(command, json, &payload, &len, err, sizeof err) != 0)
        bench_die(BENCH_EXIT_SOFTWARE, "%s", err);
    int64_t t0 = bench_now_us();
    int rc;
    if (c->kind == K_STATUS) {
        As__StatusReply *st = s_status(c->rpc);
        rc = st ? 0 : -1;
        if (!st)
            snprintf(err, sizeof err, "status: no answer");
        else
            as__status_reply__free_unpacked(st, NULL);
    } else {
        rc = s_command(c->rpc, command, actor, id, payload, len, err, sizeof err);
    }
    int64_t t1 = bench_now_us();
    free(payload);
    lat_note(&c->lat[slot], t1 - t0);
    if (rc != 0)
        s_error(c, err);
    else if (c->kind == K_RO_OPEN)
        c->n_opened++;
    if (c->kind == K_CLOCK)
        c->clocked_on = !c->clocked_on; /* a refused one: out of step, try the other */
}

typedef struct {
    client_t *c;
    int clients;
} worker_arg_t;

static void *s_worker(void *arg)
{
    worker_arg_t *a = arg;
    pthread_barrier_wait(&g.barrier);
    while (bench_now_us() < g.end_us)
        s_one(a->c, a->clients);
    return NULL;
}

static int64_t s_proc_cpu_ms(int pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char buf[2048];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* the name may hold spaces */
    unsigned long long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (int64_t)((ut + st) * 1000 / (unsigned long long)sysconf(_SC_CLK_TCK));
}

static uint64_t s_commits_of(const char *service)
{
    as_rpc_client_t *rpc = s_connect(service);
    As__StatusReply *st = s_status(rpc);
    as_rpc_client_destroy(&rpc);
    if (!st)
        bench_die(BENCH_EXIT_UNAVAILABLE, "%s did not answer status", service);
    uint64_t v = st->commits;
    as__status_reply__free_unpacked(st, NULL);
    return v;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* p in ms of the merged round trips (nearest rank). */
static double s_q_ms(const int32_t *v, size_t n, double q)
{
    if (!n)
        return 0;
    size_t rank = (size_t)(q * (double)n + 0.999999);
    return (double)v[(rank ? rank : 1) - 1] / 1000.0;
}

/* One row of the table: the round trips of slot `slot` of every client. */
static json_t *s_row(const char *command, enum kind kind, int clients, int slot, double seconds,
                     uint64_t all_commands, json_t *shared)
{
    size_t n = 0;
    for (int i = 0; i < clients; i++)
        n += g.cl[i].lat[slot].n;
    int32_t *v = bench_xrealloc(NULL, (n ? n : 1) * sizeof *v);
    size_t at = 0;
    for (int i = 0; i < clients; i++) {
        memcpy(v + at, g.cl[i].lat[slot].v, g.cl[i].lat[slot].n * sizeof *v);
        at += g.cl[i].lat[slot].n;
    }
    qsort(v, n, sizeof *v, cmp_i32);
    json_t *row =
        json_pack("{s:s, s:s, s:s, s:i, s:I, s:f, s:f, s:f, s:f, s:f, s:f}", "command", command,
                  "kind", s_kind[kind].name, "service", s_kind[kind].service, "clients", clients,
                  "commands", (json_int_t)n, "seconds", seconds, "commands_per_s",
                  (double)n / seconds, "p50_ms", s_q_ms(v, n, 0.5), "p99_ms", s_q_ms(v, n, 0.99),
                  "p999_ms", s_q_ms(v, n, 0.999), "max_ms", s_q_ms(v, n, 1.0));
    json_object_set_new(row, "run_commands", json_integer((json_int_t)all_commands));
    json_object_update(row, shared);
    free(v);
    return row;
}

/* One run: `clients` clients sending `kind` for g.seconds. Appends its rows. */
static void s_run(enum kind kind, int clients, json_t *rows)
{
    const char *service = s_kind[kind].service;
    for (int i = 0; i < clients; i++) {
        g.cl[i] = (client_t){.k = i, .kind = kind};
        g.cl[i].rpc = s_connect(service);
        As__StatusReply *st = s_status(g.cl[i].rpc); /* connected before the clock starts */
        if (!st)
            bench_die(BENCH_EXIT_UNAVAILABLE, "%s did not answer status", service);
        as__status_reply__free_unpacked(st, NULL);
    }
    int64_t cpu0[MAX_PIDS];
    for (int p = 0; p < g.n_pids; p++)
        cpu0[p] = s_proc_cpu_ms(g.pids[p].pid);
    uint64_t commits0 = s_commits_of(service);
    pthread_t t[MAX_CLIENTS];
    worker_arg_t args[MAX_CLIENTS];
    pthread_barrier_init(&g.barrier, NULL, (unsigned)clients + 1);
    for (int i = 0; i < clients; i++) {
        args[i] = (worker_arg_t){&g.cl[i], clients};
        if (pthread_create(&t[i], NULL, s_worker, &args[i]) != 0)
            bench_die(BENCH_EXIT_SOFTWARE, "cannot start a thread");
    }
    int64_t start = bench_now_us();
    g.end_us = start + (int64_t)g.seconds * 1000000;
    pthread_barrier_wait(&g.barrier);
    for (int i = 0; i < clients; i++)
        pthread_join(t[i], NULL);
    double seconds = (double)(bench_now_us() - start) / 1e6;
    pthread_barrier_destroy(&g.barrier);
    uint64_t commits = s_commits_of(service) - commits0;
    double drain_ms = s_drain();
    uint64_t all = 0, errors = 0, errors_of[MAX_CLIENTS];
    const char *first_error = "";
    for (int i = 0; i < clients; i++) {
        all += g.cl[i].lat[0].n + g.cl[i].lat[1].n;
        errors += errors_of[i] = g.cl[i].errors;
        if (!first_error[0])
            first_error = g.cl[i].first_error;
    }
    json_t *cpu = json_object();
    int64_t cpu_total = 0;
    for (int p = 0; p < g.n_pids; p++) {
        int64_t now = s_proc_cpu_ms(g.pids[p].pid);
        int64_t d = now >= 0 && cpu0[p] >= 0 ? now - cpu0[p] : 0;
        cpu_total += d;
        json_object_set_new(cpu, g.pids[p].name, json_integer(d));
    }
    json_t *shared = json_pack(
        "{s:I, s:s, s:o, s:I, s:f, s:I, s:f, s:f, s:f}", "errors", (json_int_t)errors,
        "first_error", first_error, "cpu_ms", cpu, "cpu_ms_total", (json_int_t)cpu_total,
        "cpu_us_per_command", all ? (double)cpu_total * 1000.0 / (double)all : 0.0, "commits",
        (json_int_t)commits, "commits_per_s", (double)commits / seconds, "commands_per_commit",
        commits && kind != K_STATUS ? (double)all / (double)commits : 0.0, "drain_ms", drain_ms);
    if (kind == K_CLOCK) {
        json_array_append_new(rows,
                              s_row("workshop.clock.on", kind, clients, 0, seconds, all, shared));
        json_array_append_new(rows,
                              s_row("workshop.clock.off", kind, clients, 1, seconds, all, shared));
    } else {
        json_array_append_new(rows,
                              s_row(s_kind[kind].name, kind, clients, 0, seconds, all, shared));
    }
    json_decref(shared);
    fprintf(stderr,
            "daemonbench: %-22s %2d clients: %6.0f commands/s, %.2f commands per commit, CPU "
            "%.0f us/command, errors %llu%s%s\n",
            s_kind[kind].name, clients, (double)all / seconds,
            commits ? (double)all / (double)commits : 0.0,
            all ? (double)cpu_total * 1000.0 / (double)all : 0.0, (unsigned long long)errors,
            errors ? ": " : "", first_error);
    for (int i = 0; i < clients; i++) {
        client_t *c = &g.cl[i];
        if (c->clocked_on) { /* the next run starts each technician at clock.on */
            c->lat[0].n = c->lat[1].n = 0;
            s_one(c, clients);
            if (c->errors > errors_of[i]) /* the next clock run shows it in its errors */
                fprintf(stderr, "daemonbench: clocking off after the run: %s\n", c->first_error);
        }
        if (kind == K_RO_OPEN) { /* parts.issue issues to these */
            g.ros = bench_xrealloc(g.ros, (g.n_ros + c->n_opened) * sizeof *g.ros);
            memcpy(g.ros + g.n_ros, c->opened, c->n_opened * sizeof *g.ros);
            g.n_ros += c->n_opened;
        }
        as_rpc_client_destroy(&c->rpc);
        free(c->lat[0].v);
        free(c->lat[1].v);
        free(c->opened);
    }
}

/* --- main ------------------------------------------------------------------------ */

static void usage(int code) __attribute__((noreturn));
static void usage(int code)
{
    fprintf(code ? stderr : stdout,
            "usage: daemonbench site --dir DIR\n"
            "       daemonbench run --config FILE [--clients 1,8,32] [--seconds 5]\n"
            "                       [--vehicles 2048] [--pid NAME=PID]... [--report FILE]\n"
            "The real daemons' commands/s and round trip: reception.ro.open,\n"
            "workshop.clock.on/off and parts.issue from 1, 8 and 32 clients, each its own\n"
            "connection in a closed loop; beside them the runtime's status answer and a\n"
            "query (reception.ro.show). tools/bench/README.md.\n");
    exit(code);
}

int main(int argc, char **argv)
{
    bench_prog = "daemonbench";
    if (argc < 2)
        usage(BENCH_EXIT_USAGE);
    const char *mode = argv[1], *dir = NULL, *config = NULL, *report = NULL, *clients = "1,8,32";
    g.seconds = 5;
    g.vehicles = 2048;
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"config", required_argument, NULL, 'c'},
        {"clients", required_argument, NULL, 'n'},
        {"seconds", required_argument, NULL, 't'},
        {"vehicles", required_argument, NULL, 'v'},
        {"pid", required_argument, NULL, 'p'},
        {"report", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (!strcmp(mode, "--help") || !strcmp(mode, "-h"))
        usage(0);
    optind = 2;
    for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) != -1;) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 'n':
            clients = optarg;
            break;
        case 't':
            g.seconds = atoi(optarg);
            break;
        case 'v':
            g.vehicles = atoi(optarg);
            break;
        case 'p': {
            const char *eq = strchr(optarg, '=');
            if (!eq || g.n_pids == MAX_PIDS || eq - optarg >= 32 || atoi(eq + 1) <= 0)
                bench_die(BENCH_EXIT_USAGE, "--pid takes NAME=PID (at most %d)", MAX_PIDS);
            snprintf(g.pids[g.n_pids].name, sizeof g.pids[0].name, "%.*s", (int)(eq - optarg),
                     optarg);
            g.pids[g.n_pids++].pid = atoi(eq + 1);
            break;
        }
        case 'r':
            report = optarg;
            break;
        case 'h':
            usage(0);
        default:
            usage(BENCH_EXIT_USAGE);
        }
    }
    if (!strcmp(mode, "site")) {
        if (!dir)
            usage(BENCH_EXIT_USAGE);
        return s_write_site(dir);
    }
    if (strcmp(mode, "run") != 0 || !config || g.seconds < 1 || g.vehicles < MAX_CLIENTS ||
        g.vehicles % MAX_CLIENTS != 0)
        usage(BENCH_EXIT_USAGE);
    char *list = strdup(clients), *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int n = atoi(tok);
        if (n < 1 || n > MAX_CLIENTS || MAX_CLIENTS % n != 0 || g.n_clients == 8)
            bench_die(BENCH_EXIT_USAGE,
                      "--clients: numbers dividing %d (1, 2, 4, 8, 16, 32), not '%s'", MAX_CLIENTS,
                      tok);
        g.clients[g.n_clients++] = n;
        if (n > g.max_clients)
            g.max_clients = n;
    }
    free(list);
    char *err = NULL;
    if (!(g.cfg = as_config_load(config, &err)))
        bench_die(BENCH_EXIT_CONFIG, "%s", err ? err : config);
    for (int s = 0; s < N_SERVICES; s++)
        if (!(g.endpoint[s] = as_config_get(g.cfg, s_services[s], "endpoint", NULL)))
            bench_die(BENCH_EXIT_CONFIG, "no endpoint for %s in %s", s_services[s], config);
    int serr = 0;
    if (!(g.security = as_security_new(g.cfg, "daemonbench", &serr)))
        bench_die(BENCH_EXIT_CONFIG, "security: %s", as_strerror(serr));
    g.zctx = zmq_ctx_new();
    pthread_mutex_init(&g.lock, NULL);
    g.t0_us = bench_now_us();
    g.run = (unsigned)(g.t0_us / 1000000) & 0xffffffu;

    int64_t t0 = bench_now_us();
    s_setup();
    double setup_s = (double)(bench_now_us() - t0) / 1e6;
    fprintf(stderr, "daemonbench: set up in %.1f s (%d vehicles, %d technicians)\n", setup_s,
            g.vehicles, g.max_clients);

    json_t *rows = json_array();
    static const enum kind order[] = {K_RO_OPEN, K_CLOCK, K_ISSUE, K_STATUS, K_QUERY};
    for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
        for (int i = 0; i < g.n_clients; i++)
            s_run(order[o], g.clients[i], rows);
    uint64_t errors = 0;
    size_t r;
    json_t *row;
    json_array_foreach(rows, r, row)
    {
        errors += (uint64_t)json_integer_value(json_object_get(row, "errors"));
    }
    json_t *out = json_pack("{s:s, s:i, s:i, s:f, s:I, s:o}", "role", "daemonbench", "seconds",
                            g.seconds, "vehicles", g.vehicles, "setup_s", setup_s, "errors",
                            (json_int_t)errors, "rows", rows);
    if (report && json_dump_file(out, report, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
        bench_die(BENCH_EXIT_IOERR, "cannot write %s", report);
    json_decref(out);
    as_security_destroy(&g.security);
    zmq_ctx_term(g.zctx);
    as_config_destroy(&g.cfg);
    free(g.ros);
    free(g.jobs);
    return errors ? BENCH_EXIT_INCOMPLETE : BENCH_EXIT_OK;
}
