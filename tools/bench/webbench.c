/* webbench.c — the gateway as-web under a working day's load.
 *
 *   webbench --url URL --secret S [--sessions 50] [--seconds 10] [--idle 20]
 *            [--vehicles 60] [--report FILE]
 *
 * Against a running site (deploy/local.ini's [staff], every member's sign-in
 * secret S), as the browsers of a dealership would:
 *   1. seeds over the API, as the advisor and the foreman: technicians
 *      tech-01.. with a bay each, customers and vehicles, and one repair
 *      order per technician dispatched to them (request ids derived from the
 *      names: seeding the same site again is answered from stored replies);
 *   2. signs in --sessions browsers at once (each its own cookie jar, CSRF
 *      token and keep-alive connection): a fifth technicians (at most 10), a
 *      fifth the foreman, the rest advisors; and one service manager whose
 *      open /api/events stream is "the board" other people look at;
 *   3. for --seconds, every session in a closed loop (the next action when
 *      the last was answered, no think time) does its role's mix of a day:
 *        advisor     40% search by plate, 20% open an RO, 20% the board, 20% a page
 *        foreman     60% the board, 40% a page (board.html and what it loads)
 *        technician  50% clock on / clock off their job, 30% their board, 20% a page
 *      where a page is its HTML, scripts, style, labels and /api/me, fetched
 *      one after the other on the session's connection;
 *   4. then one advisor alone opens --idle ROs one after the other.
 * Each RO opened is timed from its request until its reception.ro.opened
 * event arrives on the service manager's stream (the board latency), under
 * the load and alone. Every action's round trip (request -> command
 * committed -> reply) is timed; pages/s and API calls/s are counted.
 *
 * Writes a JSON report (--report) and a summary on stderr. Exit codes: 0;
 * 1 an action failed or an RO's event never arrived; 64 usage; 69 the site
 * did not answer or refused the sign-in; 70 internal.
 *
 * libcurl's multi interface drives every session from one thread: one easy
 * handle per session (its cookie engine and its connection), so 50 sessions
 * cost 50 sockets, not 50 threads. */
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "as/vin.h"
#include "bench_util.h"

#define MAX_SESSIONS 1000
#define MAX_TECHS 10

enum { A_SIGNIN, A_PAGE, A_BOARD, A_SEARCH, A_RO_OPEN, A_CLOCK, A_N };
static const char *const s_action[A_N] = {"signin", "page", "board", "search", "ro_open", "clock"};

typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

typedef struct {
    int64_t *v;
    size_t n, cap;
    uint64_t errors;
} samples_t;

/* An RO opened: its request and the arrival of its event. */
typedef struct {
    int64_t sent_us, event_us;
    bool idle, failed;
} ro_send_t;

typedef struct session {
    int no;
    char staff[32];
    char kind; /* a advisor, f foreman, t technician, o the observer */
    int tech;  /* technician: 1.. */
    CURL *easy;
    struct curl_slist *hdr;
    buf_t body;
    char csrf[80];
    bool busy;
    int action, step;
    int64_t started_us; /* this request */
    int64_t action_us;  /* this action (a page: its first request) */
    unsigned seq, rng;
    bool clocked_on;
    unsigned mileage;
    long send_no; /* the RO opened by this request, -1 none */
} session_t;

static struct {
    const char *url, *secret, *report;
    int sessions, seconds, idle, vehicles, techs;
    unsigned run;
    CURLM *multi;
    session_t *s; /* [sessions + 1]; the last is the observer */
    buf_t sse;    /* the observer's stream, a partial line */
    bool sse_started, sse_open;
    uint64_t events_seen;
    samples_t samples[A_N];
    samples_t change; /* ro.open and clock: the actions that change something */
    ro_send_t *sends;
    size_t n_sends, cap_sends;
    uint64_t requests, pages, api_calls;
    bool stopping, idle_phase;
    char first_error[400];
} g;

static void buf_add(buf_t *b, const char *data, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        b->cap = (b->len + len + 1) * 2;
        b->p = bench_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
}

static void note(samples_t *s, int64_t us)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = bench_xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = us;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The q-quantile (nearest rank) in ms of sorted samples; 0 when none. */
static double quantile_ms(const samples_t *s, double q)
{
    if (!s->n)
        return 0;
    size_t rank = (size_t)ceil(q * (double)s->n);
    return (double)s->v[(rank ? rank : 1) - 1] / 1000.0;
}

static json_t *samples_json(samples_t *s)
{
    qsort(s->v, s->n, sizeof *s->v, cmp_i64);
    return json_pack("{s:I, s:I, s:f, s:f, s:f}", "count", (json_int_t)s->n, "errors",
                     (json_int_t)s->errors, "p50_ms", quantile_ms(s, 0.5), "p99_ms",
                     quantile_ms(s, 0.99), "max_ms", quantile_ms(s, 1.0));
}

static size_t s_collect(char *ptr, size_t size, size_t n, void *arg)
{
    buf_add(arg, ptr, size * n);
    return size * n;
}

/* --- the vehicles of the site ---------------------------------------------- */

static void vin_of(int k, char out[18])
{
    snprintf(out, 18, "LSVAU218XNB%06u", (unsigned)k % 1000000u);
    out[8] = as_vin_check_digit(out);
}

static void plate_of(int k, char *out, size_t cap)
{
    snprintf(out, cap, "WB-%05u", (unsigned)k % 100000u);
}

/* --- one request ------------------------------------------------------------ */

/* Prepares the session's next request: GET `path`, or POST `body` (JSON) with
 * its CSRF token and an Idempotency-Key `key` (NULL: none). */
static void prepare(session_t *s, const char *path, const char *body, const char *key)
{
    char url[600], h[200];
    snprintf(url, sizeof url, "%s%s", g.url, path);
    curl_easy_setopt(s->easy, CURLOPT_URL, url);
    curl_slist_free_all(s->hdr);
    s->hdr = curl_slist_append(NULL, "Expect:");
    if (body) {
        s->hdr = curl_slist_append(s->hdr, "Content-Type: application/json");
        if (s->csrf[0]) {
            snprintf(h, sizeof h, "X-CSRF-Token: %s", s->csrf);
            s->hdr = curl_slist_append(s->hdr, h);
        }
        if (key) {
            snprintf(h, sizeof h, "Idempotency-Key: %s", key);
            s->hdr = curl_slist_append(s->hdr, h);
        }
        curl_easy_setopt(s->easy, CURLOPT_COPYPOSTFIELDS, body);
    } else {
        curl_easy_setopt(s->easy, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->hdr);
    s->body.len = 0;
    s->started_us = bench_now_us();
    g.requests++;
}

static long status_of(session_t *s)
{
    long code = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

static void session_init(session_t *s, int no, const char *staff, char kind)
{
    memset(s, 0, sizeof *s);
    s->no = no;
    s->kind = kind;
    s->send_no = -1;
    s->rng = 0x9e3779b9u * (unsigned)(no + 1) ^ g.run;
    snprintf(s->staff, sizeof s->staff, "%s", staff);
    if (!(s->easy = curl_easy_init()))
        bench_die(BENCH_EXIT_SOFTWARE, "curl_easy_init failed");
    curl_easy_setopt(s->easy, CURLOPT_COOKIEFILE, ""); /* its own cookie jar, in memory */
    curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, &s->body);
    curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
    curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->easy, CURLOPT_TCP_NODELAY, 1L);
}

/* Blocking (the seeding): POST /api/call/COMMAND; returns the HTTP status,
 * the reply's JSON in *out (may be NULL). */
static long call_now(session_t *s, const char *command, const char *body, const char *key,
                     json_t **out)
{
    char path[200];
    snprintf(path, sizeof path, "/api/call/%s", command);
    prepare(s, path, body, key);
    CURLcode rc = curl_easy_perform(s->easy);
    if (rc != CURLE_OK)
        bench_die(BENCH_EXIT_UNAVAILABLE, "%s: %s", command, curl_easy_strerror(rc));
    long code = status_of(s);
    if (out)
        *out = json_loads(s->body.p ? s->body.p : "", 0, NULL);
    return code;
}

static void seed_call(session_t *s, const char *command, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void seed_call(session_t *s, const char *command, const char *key, const char *fmt, ...)
{
    char body[2000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    long code = call_now(s, command, body, key, NULL);
    if (code != 200)
        bench_die(BENCH_EXIT_UNAVAILABLE, "seeding %s as %s: HTTP %ld %s", command, s->staff, code,
                  s->body.p ? s->body.p : "");
}

static void signin_request(session_t *s)
{
    char body[300];
    snprintf(body, sizeof body, "{\"staff_id\":\"%s\",\"secret\":\"%s\"}", s->staff, g.secret);
    prepare(s, "/api/signin", body, NULL);
}

static void signin_done(session_t *s)
{
    long code = status_of(s);
    json_t *me = json_loads(s->body.p ? s->body.p : "", 0, NULL);
    const char *csrf = json_string_value(json_object_get(me, "csrf"));
    if (code != 200 || !csrf)
        bench_die(BENCH_EXIT_UNAVAILABLE, "%s cannot sign in: HTTP %ld %s", s->staff, code,
                  s->body.p ? s->body.p : "");
    snprintf(s->csrf, sizeof s->csrf, "%s", csrf);
    json_decref(me);
}

static const char *const s_ro_job =
    "[{\"concern\":\"noise from the front axle when braking\",\"pay_type\":\"CUSTOMER_PAY\","
    "\"labour\":{\"code\":\"EN-01\",\"sold_minutes\":60,\"rate_cents\":60000,\"skill\":"
    "\"engine\",\"min_level\":1}}]";

/* The site as a day starts: technicians, bays, customers, vehicles, and each
 * technician's job dispatched. */
static void seed(void)
{
    session_t adv, fm;
    session_init(&adv, -1, "adv-wang", 'a');
    session_init(&fm, -2, "foreman-liu", 'f');
    signin_request(&adv);
    if (curl_easy_perform(adv.easy) != CURLE_OK)
        bench_die(BENCH_EXIT_UNAVAILABLE, "no answer at %s", g.url);
    signin_done(&adv);
    signin_request(&fm);
    if (curl_easy_perform(fm.easy) != CURLE_OK)
        bench_die(BENCH_EXIT_UNAVAILABLE, "no answer at %s", g.url);
    signin_done(&fm);
    char key[64], vin[18], plate[16];
    for (int t = 1; t <= g.techs; t++) {
        snprintf(key, sizeof key, "wb-seed-tech-%02d", t);
        seed_call(&fm, "workshop.technician.register", key,
                  "{\"tech_id\":\"tech-%02d\",\"name\":\"Technician %d\",\"skills\":[\"engine\"],"
                  "\"level\":2,\"hourly_cost_cents\":10000}",
                  t, t);
        snprintf(key, sizeof key, "wb-seed-bay-%02d", t);
        seed_call(&fm, "workshop.bay.register", key, "{\"bay_id\":\"B%02d\",\"kind\":\"lift\"}", t);
    }
    for (int v = 1; v <= g.vehicles; v++) {
        snprintf(key, sizeof key, "wb-seed-customer-%04d", v);
        seed_call(&adv, "reception.customer.register", key,
                  "{\"customer_id\":\"C-WB%04d\",\"name\":\"Customer %d\",\"phone\":\"1390%07d\"}",
                  v, v, v);
        vin_of(v, vin);
        plate_of(v, plate, sizeof plate);
        snprintf(key, sizeof key, "wb-seed-vehicle-%04d", v);
        seed_call(&adv, "reception.vehicle.register", key,
                  "{\"vin\":\"%s\",\"plate\":\"%s\",\"customer_id\":\"C-WB%04d\",\"sale_date\":"
                  "\"2024-05-01\",\"mileage_km\":20000}",
                  vin, plate, v);
    }
    for (int t = 1; t <= g.techs; t++) {
        vin_of(t, vin);
        snprintf(key, sizeof key, "wb-seed-ro-%02d", t);
        seed_call(&adv, "reception.ro.open", key,
                  "{\"ro_number\":\"RO-WB%02d\",\"vin\":\"%s\",\"mileage_km\":21000,\"jobs\":%s}",
                  t, vin, s_ro_job);
        snprintf(key, sizeof key, "wb-seed-consent-%02d", t);
        seed_call(&adv, "reception.ro.consent", key,
                  "{\"ro_number\":\"RO-WB%02d\",\"consent\":\"signature\"}", t);
    }
    for (int t = 1; t <= g.techs; t++) {
        char body[200];
        snprintf(body, sizeof body, "{\"ro_number\":\"RO-WB%02d\"}", t);
        for (int i = 0;; i++) { /* workshop has the job once reception's event reached it */
            json_t *r = NULL;
            long code = call_now(&fm, "workshop.ro.show", body, NULL, &r);
            size_t jobs = json_array_size(json_object_get(json_object_get(r, "reply"), "jobs"));
            json_decref(r);
            if (code == 200 && jobs > 0)
                break;
            if (i == 100)
                bench_die(BENCH_EXIT_UNAVAILABLE, "workshop never got RO-WB%02d's job", t);
            usleep(100000);
        }
        snprintf(key, sizeof key, "wb-seed-dispatch-%02d", t);
        seed_call(&fm, "workshop.job.dispatch", key,
                  "{\"ro_number\":\"RO-WB%02d\",\"job_no\":1,\"tech_id\":\"tech-%02d\",\"bay_id\":"
                  "\"B%02d\"}",
                  t, t, t);
    }
    curl_easy_cleanup(adv.easy);
    curl_easy_cleanup(fm.easy);
    curl_slist_free_all(adv.hdr);
    curl_slist_free_all(fm.hdr);
    free(adv.body.p);
    free(fm.body.p);
}

/* --- the load ---------------------------------------------------------------- */

static const char *const s_page_advisor[] = {"/index.html", "/index.js",    "/app.js",
                                             "/style.css",  "/labels.json", "/api/me"};
static const char *const s_page_board[] = {"/board.html", "/board.js",    "/app.js",
                                           "/style.css",  "/labels.json", "/api/me"};
#define PAGE_PARTS 6

static void start(session_t *s)
{
    curl_multi_add_handle(g.multi, s->easy);
    s->busy = true;
}

static void page_part(session_t *s)
{
    const char *const *page = s->kind == 'a' ? s_page_advisor : s_page_board;
    prepare(s, page[s->step], NULL, NULL);
}

static long new_send(bool idle)
{
    if (g.n_sends == g.cap_sends) {
        g.cap_sends = g.cap_sends ? g.cap_sends * 2 : 1024;
        g.sends = bench_xrealloc(g.sends, g.cap_sends * sizeof *g.sends);
    }
    g.sends[g.n_sends] = (ro_send_t){bench_now_us(), 0, idle, false};
    return (long)g.n_sends++;
}

/* The session's next action by its role's mix (or `forced`, >= 0). */
static void next_action(session_t *s, int forced)
{
    unsigned r = (unsigned)rand_r(&s->rng) % 100;
    int a;
    if (forced >= 0)
        a = forced;
    else if (s->kind == 'a')
        a = r < 40 ? A_SEARCH : r < 60 ? A_RO_OPEN : r < 80 ? A_BOARD : A_PAGE;
    else if (s->kind == 'f')
        a = r < 60 ? A_BOARD : A_PAGE;
    else
        a = r < 50 ? A_CLOCK : r < 80 ? A_BOARD : A_PAGE;
    s->action = a;
    s->step = 0;
    s->send_no = -1;
    char body[1200], key[80], plate[16], vin[18];
    snprintf(key, sizeof key, "wb-%06x-%d-%u", g.run, s->no, ++s->seq);
    switch (a) {
    case A_PAGE:
        page_part(s);
        break;
    case A_BOARD:
        if (s->kind == 't')
            snprintf(body, sizeof body, "{\"technician\":\"%s\"}", s->staff);
        else
            snprintf(body, sizeof body, "{}");
        prepare(s, "/api/call/workshop.board", body, NULL);
        break;
    case A_SEARCH:
        plate_of(1 + (int)((unsigned)rand_r(&s->rng) % (unsigned)g.vehicles), plate, sizeof plate);
        snprintf(body, sizeof body, "{\"text\":\"%s\",\"limit\":10}", plate);
        prepare(s, "/api/call/reception.search", body, NULL);
        break;
    case A_RO_OPEN: {
        /* each advisor session its own vehicle, so its mileage only grows */
        int v = g.techs + 1 + s->no % (g.vehicles - g.techs);
        vin_of(v, vin);
        s->send_no = new_send(g.idle_phase);
        snprintf(body, sizeof body,
                 "{\"ro_number\":\"WB%06x-%ld\",\"vin\":\"%s\",\"mileage_km\":%u,\"jobs\":%s}",
                 g.run, s->send_no, vin, 21000 + ++s->mileage, s_ro_job);
        prepare(s, "/api/call/reception.ro.open", body, key);
        break;
    }
    case A_CLOCK:
        snprintf(body, sizeof body, "{\"ro_number\":\"RO-WB%02d\",\"job_no\":1}", s->tech);
        prepare(s, s->clocked_on ? "/api/call/workshop.clock.off" : "/api/call/workshop.clock.on",
                body, key);
        break;
    }
    s->action_us = s->started_us;
    start(s);
}

static void failed(session_t *s, long code)
{
    g.samples[s->action].errors++;
    if (s->send_no >= 0)
        g.sends[s->send_no].failed = true;
    if (!g.first_error[0])
        snprintf(g.first_error, sizeof g.first_error, "%s as %s: HTTP %ld %.300s",
                 s_action[s->action], s->staff, code, s->body.p ? s->body.p : "");
}

/* A request of `s` was answered (or failed: `rc`). */
static void done(session_t *s, CURLcode rc)
{
    curl_multi_remove_handle(g.multi, s->easy);
    s->busy = false;
    int64_t now = bench_now_us();
    long code = rc == CURLE_OK ? status_of(s) : 0;
    if (s->action == A_SIGNIN) {
        signin_done(s);
        note(&g.samples[A_SIGNIN], now - s->action_us);
        return;
    }
    if (code != 200) {
        failed(s, code);
        if (s->action == A_CLOCK)
            s->clocked_on = !s->clocked_on; /* out of step: try the other */
    } else if (s->action == A_PAGE && ++s->step < PAGE_PARTS) {
        page_part(s);
        start(s);
        return;
    } else {
        note(&g.samples[s->action], now - s->action_us);
        if (s->action == A_PAGE)
            g.pages++;
        else
            g.api_calls++;
        if (s->action == A_RO_OPEN || s->action == A_CLOCK)
            note(&g.change, now - s->action_us);
        if (s->action == A_CLOCK)
            s->clocked_on = !s->clocked_on;
    }
    if (g.idle_phase) {
        /* alone: the next RO once this one's event has arrived (below) */
        return;
    }
    if (!g.stopping)
        next_action(s, -1);
}

/* The observer's stream: each `data:` line is one event. */
static size_t s_sse(char *ptr, size_t size, size_t n, void *arg)
{
    (void)arg;
    int64_t now = bench_now_us();
    g.sse_open = true;
    buf_add(&g.sse, ptr, size * n);
    char *line = g.sse.p, *nl;
    while ((nl = memchr(line, '\n', g.sse.len - (size_t)(line - g.sse.p))) != NULL) {
        *nl = '\0';
        if (!strncmp(line, "data: ", 6)) {
            g.events_seen++;
            json_t *e = json_loads(line + 6, 0, NULL);
            const char *type = json_string_value(json_object_get(e, "type"));
            const char *subject = json_string_value(json_object_get(e, "subject"));
            char prefix[20];
            snprintf(prefix, sizeof prefix, "WB%06x-", g.run);
            if (type && subject && !strcmp(type, "reception.ro.opened") &&
                !strncmp(subject, prefix, strlen(prefix))) {
                unsigned long k = strtoul(subject + strlen(prefix), NULL, 10);
                if (k < g.n_sends && !g.sends[k].event_us)
                    g.sends[k].event_us = now;
            }
            json_decref(e);
        }
        line = nl + 1;
    }
    size_t left = g.sse.len - (size_t)(line - g.sse.p);
    memmove(g.sse.p, line, left);
    g.sse.len = left;
    return size * n;
}

/* Runs the multi until `until` says stop (checked after each wake-up). */
static void pump(bool (*until)(void *), void *arg, int64_t deadline_us)
{
    while (!until(arg)) {
        int running = 0;
        curl_multi_perform(g.multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(g.multi, &left)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            char *priv = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
            session_t *s = (session_t *)priv;
            if (s->kind == 'o' && g.sse_started) {
                bench_die(BENCH_EXIT_UNAVAILABLE, "the event stream ended: %s",
                          curl_easy_strerror(m->data.result));
            }
            done(s, m->data.result);
        }
        if (deadline_us && bench_now_us() > deadline_us)
            return;
        curl_multi_poll(g.multi, NULL, 0, 20, NULL);
    }
}

static bool none_busy(void *arg)
{
    (void)arg;
    for (int i = 0; i < g.sessions; i++)
        if (g.s[i].busy)
            return false;
    return true;
}

static bool time_up(void *arg)
{
    if (bench_now_us() >= *(int64_t *)arg)
        g.stopping = true;
    return g.stopping && none_busy(NULL);
}

static bool sse_open(void *arg)
{
    (void)arg;
    return g.sse_open;
}

static bool idle_one_done(void *arg)
{
    session_t *s = arg;
    return !s->busy &&
           (s->send_no < 0 || g.sends[s->send_no].failed || g.sends[s->send_no].event_us != 0);
}

static bool all_events(void *arg)
{
    (void)arg;
    for (size_t k = 0; k < g.n_sends; k++)
        if (!g.sends[k].failed && !g.sends[k].event_us)
            return false;
    return true;
}

static json_t *latency_json(bool idle, uint64_t *missing)
{
    samples_t s = {0};
    uint64_t miss = 0;
    for (size_t k = 0; k < g.n_sends; k++) {
        if (g.sends[k].idle != idle || g.sends[k].failed)
            continue;
        if (g.sends[k].event_us)
            note(&s, g.sends[k].event_us - g.sends[k].sent_us);
        else
            miss++;
    }
    json_t *j = samples_json(&s);
    json_object_set_new(j, "missing", json_integer((json_int_t)miss));
    *missing += miss;
    free(s.v);
    return j;
}

static void usage(int code) __attribute__((noreturn));
static void usage(int code)
{
    fprintf(code ? stderr : stdout,
            "usage: webbench --url URL --secret S [--sessions 50] [--seconds 10] [--idle 20]\n"
            "                [--vehicles 60] [--report FILE]\n"
            "The gateway as-web under a day's load: N signed-in browser sessions in a closed\n"
            "loop (search, board, RO open, clock on/off, pages), and the time from a command\n"
            "to its event on another session's open stream. tools/bench/README.md.\n");
    exit(code);
}

int main(int argc, char **argv)
{
    bench_prog = "webbench";
    g.sessions = 50;
    g.seconds = 10;
    g.idle = 20;
    g.vehicles = 60;
    static const struct option opts[] = {
        {"url", required_argument, NULL, 'u'},
        {"secret", required_argument, NULL, 'S'},
        {"sessions", required_argument, NULL, 'n'},
        {"seconds", required_argument, NULL, 't'},
        {"idle", required_argument, NULL, 'i'},
        {"vehicles", required_argument, NULL, 'v'},
        {"report", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) != -1;) {
        switch (c) {
        case 'u':
            g.url = optarg;
            break;
        case 'S':
            g.secret = optarg;
            break;
        case 'n':
            g.sessions = atoi(optarg);
            break;
        case 't':
            g.seconds = atoi(optarg);
            break;
        case 'i':
            g.idle = atoi(optarg);
            break;
        case 'v':
            g.vehicles = atoi(optarg);
            break;
        case 'r':
            g.report = optarg;
            break;
        case 'h':
            usage(0);
        default:
            usage(BENCH_EXIT_USAGE);
        }
    }
    if (!g.url || !g.secret || g.sessions < 1 || g.sessions > MAX_SESSIONS || g.seconds < 1 ||
        g.idle < 0)
        usage(BENCH_EXIT_USAGE);
    g.techs = g.sessions / 5 > MAX_TECHS ? MAX_TECHS : g.sessions / 5;
    int foremen = g.sessions / 5, advisors = g.sessions - g.techs - foremen;
    if (advisors < 1)
        bench_die(BENCH_EXIT_USAGE,
                  "--sessions: at least 1 advisor session is needed (try 5 or more)");
    if (g.vehicles < g.techs + advisors)
        g.vehicles = g.techs + advisors; /* each advisor session its own vehicle */
    g.run = (unsigned)(bench_now_us() / 1000000) & 0xffffffu;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        bench_die(BENCH_EXIT_SOFTWARE, "curl_global_init failed");

    int64_t t0 = bench_now_us();
    seed();
    double seed_s = (double)(bench_now_us() - t0) / 1e6;

    static const char *const advisor_ids[] = {"adv-wang", "adv-chen", "adv-zhao"};
    g.s = calloc((size_t)g.sessions + 1, sizeof *g.s);
    g.multi = curl_multi_init();
    if (!g.s || !g.multi)
        bench_die(BENCH_EXIT_SOFTWARE, "out of memory");
    curl_multi_setopt(g.multi, CURLMOPT_MAXCONNECTS, (long)g.sessions + 8);
    for (int i = 0; i < g.sessions; i++) {
        char id[32];
        char kind = i < g.techs ? 't' : i < g.techs + foremen ? 'f' : 'a';
        if (kind == 't')
            snprintf(id, sizeof id, "tech-%02d", i + 1);
        else
            snprintf(id, sizeof id, "%s", kind == 'f' ? "foreman-liu" : advisor_ids[i % 3]);
        session_init(&g.s[i], i, id, kind);
        g.s[i].tech = i + 1;
    }
    session_t *obs = &g.s[g.sessions];
    session_init(obs, g.sessions, "svc-mgr", 'o');

    /* every browser signs in at once (each verify is an Argon2id on the gateway's pool) */
    t0 = bench_now_us();
    for (int i = 0; i <= g.sessions; i++) {
        g.s[i].action = A_SIGNIN;
        signin_request(&g.s[i]);
        g.s[i].action_us = g.s[i].started_us;
        start(&g.s[i]);
    }
    pump(none_busy, NULL, 0);
    if (obs->busy)
        pump(idle_one_done, obs, 0);
    double signin_s = (double)(bench_now_us() - t0) / 1e6;

    /* the service manager's open board: its event stream */
    prepare(obs, "/api/events", NULL, NULL);
    curl_easy_setopt(obs->easy, CURLOPT_WRITEFUNCTION, s_sse);
    g.sse_started = true;
    start(obs);
    pump(sse_open, NULL, bench_now_us() + 10 * 1000000LL);
    if (!g.sse_open)
        bench_die(BENCH_EXIT_UNAVAILABLE, "the event stream did not open");

    /* the day: every session in a closed loop */
    uint64_t req0 = g.requests;
    t0 = bench_now_us();
    int64_t end = t0 + g.seconds * 1000000LL;
    for (int i = 0; i < g.sessions; i++)
        next_action(&g.s[i], -1);
    pump(time_up, &end, 0);
    double load_s = (double)(bench_now_us() - t0) / 1e6;
    uint64_t load_requests = g.requests - req0;
    samples_t load_change = g.change;
    g.change = (samples_t){0};

    /* one advisor alone: RO after RO, each after its event arrived */
    g.idle_phase = true;
    g.stopping = false;
    session_t *adv = &g.s[g.sessions - 1];
    for (int k = 0; k < g.idle; k++) {
        next_action(adv, A_RO_OPEN);
        pump(idle_one_done, adv, bench_now_us() + 5 * 1000000LL);
        if (adv->busy)
            bench_die(BENCH_EXIT_UNAVAILABLE, "an RO open alone took over 5 s");
    }
    pump(all_events, NULL, bench_now_us() + 5 * 1000000LL); /* the load's last events */

    uint64_t missing = 0, errors = 0;
    json_t *actions = json_object();
    for (int a = 0; a < A_N; a++) {
        errors += a == A_SIGNIN ? 0 : g.samples[a].errors;
        json_object_set_new(actions, s_action[a], samples_json(&g.samples[a]));
    }
    json_t *report = json_pack(
        "{s:s, s:i, s:i, s:i, s:i, s:f, s:f, s:f, s:I, s:I, s:f, s:f, s:f, s:o, s:o, s:o, s:o, "
        "s:I, s:I, s:s}",
        "role", "webbench", "sessions", g.sessions, "advisors", advisors, "foremen", foremen,
        "technicians", g.techs, "seed_s", seed_s, "signin_s", signin_s, "load_s", load_s, "pages",
        (json_int_t)g.pages, "api_calls", (json_int_t)g.api_calls, "pages_per_s",
        (double)g.pages / load_s, "api_calls_per_s", (double)g.api_calls / load_s, "requests_per_s",
        (double)load_requests / load_s, "actions", actions, "change", samples_json(&load_change),
        "board_latency_load", latency_json(false, &missing), "board_latency_idle",
        latency_json(true, &missing), "events_seen", (json_int_t)g.events_seen, "errors",
        (json_int_t)errors, "first_error", g.first_error);
    json_object_set_new(report, "missing_events", json_integer((json_int_t)missing));
    char *text = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (g.report) {
        FILE *f = fopen(g.report, "w");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0)
            bench_die(BENCH_EXIT_IOERR, "cannot write %s", g.report);
    }
    fprintf(stderr,
            "webbench: %d sessions for %.1f s: %.0f pages/s, %.0f API calls/s, %.0f requests/s; "
            "a change's round trip p50 %.1f ms p99 %.1f ms; errors %llu, events missing %llu\n",
            g.sessions, load_s, (double)g.pages / load_s, (double)g.api_calls / load_s,
            (double)load_requests / load_s, quantile_ms(&load_change, 0.5),
            quantile_ms(&load_change, 0.99), (unsigned long long)errors,
            (unsigned long long)missing);
    if (g.first_error[0])
        fprintf(stderr, "webbench: first error: %s\n", g.first_error);
    free(text);
    json_decref(report);
    for (int i = 0; i <= g.sessions; i++) {
        if (g.s[i].busy)
            curl_multi_remove_handle(g.multi, g.s[i].easy);
        curl_easy_cleanup(g.s[i].easy);
        curl_slist_free_all(g.s[i].hdr);
        free(g.s[i].body.p);
    }
    curl_multi_cleanup(g.multi);
    curl_global_cleanup();
    for (int a = 0; a < A_N; a++)
        free(g.samples[a].v);
    free(load_change.v);
    free(g.change.v);
    free(g.sends);
    free(g.sse.p);
    free(g.s);
    return errors || missing ? BENCH_EXIT_INCOMPLETE : BENCH_EXIT_OK;
}
