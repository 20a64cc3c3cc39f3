/* config_schema.c — the site file's sections and keys, and the check that
 * refuses what they do not declare (see config_schema.h).
 *
 * A key is one row of its section's table; a section is a name and the tables
 * of its keys. Every daemon's section shares the runtime's keys (service.h).
 */
#include "as/config_schema.h"

#include "as/error.h"
#include "as/log.h"
#include "as/metrics_config.h"
#include "as/staff.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_KB 1024LL
#define S_MB (1024LL * 1024)
#define S_GB (1024LL * 1024 * 1024)
#define S_ENDPOINT_MAX 400 /* service.c refuses longer endpoints */
#define S_PATH_MAX 900
#define S_LIST_MAX 4000
#define S_SUGGEST_DISTANCE 2

#define S_TEXT(name, max, help)                                                                    \
    {                                                                                              \
        name, AS_CONFIG_TEXT, 0, max, 0, help                                                      \
    }
#define S_LIST(name, help)                                                                         \
    {                                                                                              \
        name, AS_CONFIG_LIST, 0, S_LIST_MAX, 0, help                                               \
    }
#define S_INT(name, min, max, dflt, help)                                                          \
    {                                                                                              \
        name, AS_CONFIG_INT, min, max, dflt, help                                                  \
    }
#define S_ADDR(name, help)                                                                         \
    {                                                                                              \
        name, AS_CONFIG_ADDR, 0, 300, 0, help                                                      \
    }
#define S_BOOL(name, dflt, help)                                                                   \
    {                                                                                              \
        name, AS_CONFIG_BOOL, 0, 1, dflt, help                                                     \
    }
#define S_END                                                                                      \
    {                                                                                              \
        NULL, AS_CONFIG_TEXT, 0, 0, 0, NULL                                                        \
    }

/* --- the tables ---------------------------------------------------------- */

static const as_config_key_t s_site_keys[] = {
    S_TEXT("name", 64, "the site; a service's source is <service>@<name>"),
    S_TEXT("run_dir", S_PATH_MAX, "where local ipc:// sockets live (for ${site.run_dir})"),
    S_TEXT("data_dir", S_PATH_MAX, "the stores' parent directory"),
    S_LIST("services", "the daemons `asctl status` asks"),
    S_TEXT("currency", 8, "shown after amounts for people (asctl), e.g. CNY; default none"),
    S_INT("backdate_days", 0, 3650, 31, "how far back staff may key in work done earlier"),
    S_INT("backdate_days_manager", 0, 3650, 366,
          "how far back the service manager may key in work done earlier"),
    S_END,
};

static const as_config_key_t s_security_keys[] = {
    S_BOOL("curve", 0, "CURVE encryption and authentication on every socket"),
    S_TEXT("keys_dir", S_PATH_MAX, "where NAME.key and NAME.pub files live"),
    S_END,
};

/* What asbus --name NAME binds ([bus] or another forwarder's section). */
static const as_config_key_t s_forwarder_keys[] = {
    S_TEXT("xsub", S_ENDPOINT_MAX, "the endpoint publishers connect to"),
    S_TEXT("xpub", S_ENDPOINT_MAX, "the endpoint consumers connect to"),
    S_INT("hwm", 0, 2147483647LL, 1000000, "the forwarder's high-water mark (0: no limit)"),
    S_INT("max_frame", 1, 4 * S_GB, 16 * S_MB, "the largest frame forwarded"),
    S_ADDR("metrics_listen",
           "host:port of GET /metrics and /health, e.g. 127.0.0.1:9100 (default: off)"),
    S_TEXT("metrics_token_file", S_PATH_MAX,
           "a file (mode 600) with the bearer token /metrics and /health ask for; required "
           "when metrics_listen is not a loopback address"),
    /* issue 16: a chain of forwarders (services/bus/upstream.h) */
    S_TEXT("upstream", S_ENDPOINT_MAX,
           "a group bus's xsub endpoint(s) this site bus forwards to (default: none)"),
    S_TEXT("upstream_key", 64,
           "the group bus's public key, KEYS_DIR/<this>.pub (default: group-bus)"),
    S_END,
};

static const as_config_key_t s_bus_keys[] = {
    S_LIST("publish", "the forwarders' xsub endpoints every daemon publishes to"),
    S_LIST("subscribe", "the forwarders' xpub endpoints every daemon subscribes to"),
    S_END,
};

/* The runtime's keys, in every daemon's section (service.h). */
static const as_config_key_t s_service_keys[] = {
    S_TEXT("endpoint", S_ENDPOINT_MAX, "the service endpoint"),
    S_TEXT("data_dir", S_PATH_MAX, "the store (default ${site.data_dir}/<name>)"),
    S_LIST("follows", "the services whose events this one applies"),
    S_INT("heartbeat_ms", 1, 3600000, 1000, "how often the heartbeat goes out"),
    S_INT("max_frame", 1024, 1 * S_GB, 1 * S_MB, "the largest command or event accepted"),
    S_INT("map_size", 1 * S_MB, 1024 * S_GB, 256 * S_MB, "the first LMDB map size"),
    S_INT("rcvhwm", 0, 2147483647LL, 2000,
          "ZeroMQ receive high-water mark (events queued in this daemon)"),
    S_INT("sndhwm", 0, 2147483647LL, 1000000, "ZeroMQ send high-water mark"),
    S_INT("replay_timeout_ms", 1, 3600000, 3000, "how long a replay request waits"),
    S_INT("best_effort_after_ms", 1, 86400000, 10000,
          "when a gap of a source without endpoint is skipped"),
    S_INT("max_batch", 0, 100000000, 0, "events per write transaction (0: all that wait)"),
    S_INT("request_retention_hours", 1, 87600, 168,
          "how long a command's reply is kept for its retries (168: 7 days)"),
    S_ADDR("metrics_listen",
           "host:port of GET /metrics and /health, e.g. 127.0.0.1:9101 (default: off)"),
    S_TEXT("metrics_token_file", S_PATH_MAX,
           "a file (mode 600) with the bearer token /metrics and /health ask for; required "
           "when metrics_listen is not a loopback address"),
    S_END,
};

static const as_config_key_t s_kpi_keys[] = {
    S_INT("working_hours_per_day", 1, 24, 9, "a technician's available hours a day"),
    /* issue 15: the monthly reports (services/kpi/monthly.c) */
    S_INT("report_deadline_day", 1, 28, 5,
          "the day of the next month a monthly report is due (department and OEM)"),
    S_BOOL("monthly_reports", 0,
           "generate the month just ended's reports on the 1st (and at start when missing)"),
    S_TEXT("test_today_file", S_PATH_MAX,
           "TESTS ONLY: a file holding the date (YYYY-MM-DD) the monthly reports take as today"),
    /* issue 16: a dealer group's kpi (services/kpi/group.c) */
    S_LIST("sites", "a dealer group's kpi: the sites it follows and reports (each apart)"),
    S_END,
};

static const as_config_key_t s_reception_keys[] = {
    S_INT("insurance_notice_days", 1, 366, 45,
          "the insurance-renewal list: terms ending in the next N days"),
    S_END,
};

static const as_config_key_t s_parts_keys[] = {
    S_INT("slow_moving_months", 1, 120, 12,
          "months without a receipt, issue or return that make stock slow-moving"),
    S_INT("default_lead_days", 1, 365, 7,
          "forecast: a supplier's lead time (days) when no completed stock order shows it"),
    S_INT("safety_days", 0, 365, 5, "forecast: days of demand held as safety stock"),
    S_INT("order_cover_days", 0, 365, 14,
          "forecast: days of demand a suggested order covers above the reorder point"),
    S_TEXT("default_supplier", 100,
           "forecast: the supplier of a part never on a stock order (default OEM)"),
    S_END,
};

static const as_config_key_t s_warranty_keys[] = {
    S_TEXT("default_group", 31, "the component group of an operation no prefix names"),
    S_INT("clerk_limit_cents", 0, 1000000000000LL, 1000000,
          "claims above it go to the service manager first"),
    S_INT("labour_tolerance_percent", 0, 1000, 30, "labour time over standard a claim may bill"),
    S_INT("return_days", 1, 3650, 30, "days to send a replaced part back"),
    S_INT("recurring_count", 2, 1000, 3, "repairs of one defect that make it recurring"),
    S_INT("recurring_days", 1, 3650, 30, "the window of recurring repairs"),
    S_INT("rrr_years", 1, 30, 2, "repair/replace/return: vehicle age"),
    S_INT("rrr_km", 1, 2000000, 50000, "repair/replace/return: mileage"),
    S_INT("rrr_days", 1, 3650, 35, "repair/replace/return: days off the road"),
    S_INT("rrr_repeats", 1, 1000, 5, "repair/replace/return: repeated repairs"),
    S_INT("rrr_warn_days", 1, 3650, 25, "early warning: days off the road"),
    S_INT("rrr_warn_repeats", 1, 1000, 4, "early warning: repeated repairs"),
    S_END,
};

static const as_config_key_t s_oem_keys[] = {
    S_LIST("reject_defect_codes", "the defect codes the simulated OEM rejects"),
    S_LIST("unexplained_defect_codes",
           "the defect codes the simulated OEM rejects without giving a reason"),
    S_INT("supply_lead_days", 0, 365, 2, "working days from a stock order to its promised date"),
    S_INT("urgent_lead_days", 0, 365, 1, "working days from an urgent order to its promised date"),
    S_LIST("short_ship_parts", "part numbers the simulated supplier confirms only half of"),
    S_TEXT("supplier", 100, "the supplier name whose parts orders the simulated OEM confirms"),
    S_LIST("not_confirmed_parts",
           "part numbers whose returned parts the simulated OEM finds without fault"),
    S_END,
};

static const as_config_key_t s_demo_keys[] = {
    S_INT("padding", 0, 4096, 160, "bytes of padding in each demo tick"),
    S_END,
};

static const as_config_key_t s_sink_keys[] = {
    S_INT("apply_delay_us", 0, 1000000, 0, "a pause per applied event (a slow consumer)"),
    S_END,
};

static const as_config_key_t s_gateway_keys[] = {
    S_INT("max_payload", 16, 1 * S_MB, 64 * S_KB, "the largest event payload a system may put"),
    S_END,
};

/* The gateway as-web (services/web/README.md). */
static const as_config_key_t s_web_keys[] = {
    S_TEXT("listen", 300, "the HTTP address, host:port (default 127.0.0.1:8080)"),
    S_TEXT("www_dir", S_PATH_MAX, "the pages (default: www beside the binary, else ../share)"),
    S_TEXT("js_dir", S_PATH_MAX,
           "Debian's libjs-* scripts served at /js/ (default /usr/share/javascript)"),
    S_INT("session_minutes", 1, 10080, 720, "how long a sign-in lasts"),
    S_INT("lockout_after", 1, 100, 5, "failed sign-ins in a row that lock the account"),
    S_INT("lockout_minutes", 1, 10080, 15, "how long a locked account stays locked"),
    S_INT("call_timeout_ms", 100, 600000, 3000, "when a service without answer is unavailable"),
    S_INT("inflight_per_service", 1, 256, 16, "commands in flight to one service at a time"),
    S_INT("max_body", 1024, 1 * S_MB, 64 * S_KB, "the largest request body accepted"),
    S_INT("keepalive_ms", 250, 60000, 5000,
          "how often an open page's event stream gets a comment line (rounded down to 250 ms)"),
    S_END,
};

typedef struct {
    const char *name;                 /* the section, NULL for a named one */
    const as_config_key_t *tables[3]; /* its keys, NULL-terminated */
    bool data;                        /* its keys are data, checked by their owner */
} s_section_t;

static const s_section_t s_sections[] = {
    {"site", {s_site_keys}, false},
    {"security", {s_security_keys}, false},
    {"bus", {s_forwarder_keys, s_bus_keys}, false},
    {"staff", {NULL}, true},
    {"reception", {s_service_keys, s_reception_keys}, false},
    {"workshop", {s_service_keys}, false},
    {"parts", {s_service_keys, s_parts_keys}, false},
    {"kpi", {s_service_keys, s_kpi_keys}, false},
    {"warranty", {s_service_keys, s_warranty_keys}, false},
    {"warranty.policy", {NULL}, true},
    {"warranty.groups", {NULL}, true},
    {"tools", {s_service_keys}, false},
    {"oem", {s_service_keys, s_oem_keys}, false},
    {"demo", {s_service_keys, s_demo_keys}, false},
    {"sink", {s_service_keys, s_sink_keys}, false},
    {"bench", {s_service_keys}, false},
    {"web", {s_service_keys, s_web_keys}, false},
};

static const s_section_t s_forwarder = {NULL, {s_forwarder_keys}, false};
static const s_section_t s_gateway = {NULL, {s_service_keys, s_gateway_keys}, false};

/* Sections whose key problems stop every program. */
static const char *const s_system_sections[] = {"site", "security", "bus", "staff"};

/* --- edit distance -------------------------------------------------------- */

int as_config_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) {
        return n > m ? (int)(n - m) + 3 : (int)(m - n) + 3; /* far enough, never suggested */
    }
    int d[65][65];
    for (size_t i = 0; i <= n; i++) {
        d[i][0] = (int)i;
    }
    for (size_t j = 0; j <= m; j++) {
        d[0][j] = (int)j;
    }
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) {
                best = d[i][j - 1] + 1;
            }
            if (d[i - 1][j - 1] + cost < best) {
                best = d[i - 1][j - 1] + cost;
            }
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best) {
                best = d[i - 2][j - 2] + 1;
            }
            d[i][j] = best;
        }
    }
    return d[n][m];
}

/* Keeps `candidate` in *best when it is nearer to `name` than what is there
 * and near enough to be a typo of it. */
static void s_nearer(const char *name, const char *candidate, const char **best, int *best_distance)
{
    int distance = as_config_distance(name, candidate);
    if (distance <= S_SUGGEST_DISTANCE && distance < (int)strlen(candidate) &&
        distance < *best_distance) {
        *best = candidate;
        *best_distance = distance;
    }
}

/* --- which section is which ------------------------------------------------ */

static const s_section_t *s_fixed_section(const char *name)
{
    for (size_t i = 0; i < sizeof s_sections / sizeof s_sections[0]; i++) {
        if (strcmp(s_sections[i].name, name) == 0) {
            return &s_sections[i];
        }
    }
    return NULL;
}

/* True when `name` is an item of the list `key` in `section`. */
static bool s_listed(as_config_t *cfg, const char *section, const char *key, const char *name)
{
    char **items = NULL;
    bool found = false;
    if (as_config_get_list(cfg, section, key, &items) > 0) {
        for (char **item = items; *item && !found; item++) {
            found = strcmp(*item, name) == 0;
        }
    }
    as_config_list_free(&items);
    return found;
}

/* True when some section's follows, or [site] services, names `name`. */
static bool s_named_as_service(as_config_t *cfg, const char *name)
{
    if (s_listed(cfg, "site", "services", name)) {
        return true;
    }
    char **sections = NULL;
    bool found = false;
    if (as_config_sections(cfg, &sections) > 0) {
        for (char **section = sections; *section && !found; section++) {
            found = s_listed(cfg, *section, "follows", name);
        }
    }
    as_config_list_free(&sections);
    return found;
}

static const s_section_t *s_section_of(as_config_t *cfg, const char *name, const char *own)
{
    const s_section_t *fixed = s_fixed_section(name);
    if (fixed) {
        return fixed;
    }
    if (as_config_get(cfg, name, "xsub", NULL) || as_config_get(cfg, name, "xpub", NULL) ||
        as_config_get(cfg, name, "hwm", NULL)) {
        return &s_forwarder;
    }
    if ((own && strcmp(own, name) == 0) || s_named_as_service(cfg, name)) {
        return &s_gateway;
    }
    return NULL;
}

static const as_config_key_t *s_row(const s_section_t *section, const char *key)
{
    for (size_t t = 0; t < 3 && section->tables[t]; t++) {
        for (const as_config_key_t *row = section->tables[t]; row->name; row++) {
            if (strcmp(row->name, key) == 0) {
                return row;
            }
        }
    }
    return NULL;
}

const as_config_key_t *as_config_schema_key(as_config_t *cfg, const char *section, const char *key)
{
    assert(cfg && section && key);
    const s_section_t *known = s_section_of(cfg, section, section);
    return known ? s_row(known, key) : NULL;
}

/* --- reading through the schema ------------------------------------------- */

int as_config_read_int(as_config_t *cfg, const char *section, const char *key, long long *out)
{
    const as_config_key_t *row = as_config_schema_key(cfg, section, key);
    assert(row && row->type == AS_CONFIG_INT); /* a key read must be a table row */
    if (as_config_get_int(cfg, section, key, row->dflt, out) != 0 || *out < row->min ||
        *out > row->max) {
        *out = row->dflt;
        return AS_EINVALID;
    }
    return 0;
}

int as_config_read_bool(as_config_t *cfg, const char *section, const char *key, bool *out)
{
    const as_config_key_t *row = as_config_schema_key(cfg, section, key);
    assert(row && row->type == AS_CONFIG_BOOL);
    return as_config_get_bool(cfg, section, key, row->dflt != 0, out);
}

/* --- the check ----------------------------------------------------------- */

typedef struct {
    as_config_t *cfg;
    const char *path; /* for messages */
    const char *own;  /* the program's section, NULL: everything is fatal */
    as_config_report_fn report;
    void *arg;
    int fatal; /* fatal problems found */
} s_check_t;

static void s_problem(s_check_t *check, bool fatal, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void s_problem(s_check_t *check, bool fatal, int line, const char *fmt, ...)
{
    char text[1024];
    va_list args;
    va_start(args, fmt);
    vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    char problem[1200];
    if (line > 0) {
        snprintf(problem, sizeof problem, "%s:%d: %s", check->path, line, text);
    } else {
        snprintf(problem, sizeof problem, "%s: %s", check->path, text);
    }
    fatal = fatal || !check->own;
    check->fatal += fatal;
    if (check->report) {
        check->report(check->arg, fatal, problem);
    }
}

/* Problems in the keys of `section` stop the program checking only when the
 * section is its own or a system section. */
static bool s_concerns(const s_check_t *check, const char *section)
{
    if (!check->own || strcmp(check->own, section) == 0) {
        return true;
    }
    for (size_t i = 0; i < sizeof s_system_sections / sizeof s_system_sections[0]; i++) {
        if (strcmp(s_system_sections[i], section) == 0) {
            return true;
        }
    }
    return false;
}

static void s_check_value(s_check_t *check, const char *section, const as_config_key_t *row,
                          bool fatal)
{
    as_config_t *cfg = check->cfg;
    const char *value = as_config_get(cfg, section, row->name, "");
    int line = as_config_line(cfg, section, row->name);
    long long number = 0;
    bool flag = false;
    switch (row->type) {
    case AS_CONFIG_INT:
        if (as_config_get_int(cfg, section, row->name, row->dflt, &number) != 0) {
            s_problem(check, fatal, line, "[%s] %s = '%s' is not a whole number", section,
                      row->name, value);
        } else if (number < row->min || number > row->max) {
            s_problem(check, fatal, line, "[%s] %s = %lld is out of range (%lld to %lld)", section,
                      row->name, number, row->min, row->max);
        }
        break;
    case AS_CONFIG_BOOL:
        if (as_config_get_bool(cfg, section, row->name, false, &flag) != 0) {
            s_problem(check, fatal, line, "[%s] %s = '%s' is not yes or no", section, row->name,
                      value);
        }
        break;
    case AS_CONFIG_ADDR: {
        char why[600];
        if (*value && as_metrics_config_check(cfg, section, why, sizeof why) != 0)
            s_problem(check, fatal, line, "[%s] %s", section, why);
        break;
    }
    case AS_CONFIG_TEXT:
    case AS_CONFIG_LIST:
        if ((long long)strlen(value) > row->max) {
            s_problem(check, fatal, line, "[%s] %s is %zu bytes long; at most %lld", section,
                      row->name, strlen(value), row->max);
        }
        break;
    }
}

static void s_unknown_key(s_check_t *check, const s_section_t *known, const char *section,
                          const char *key, bool fatal)
{
    const char *best = NULL;
    int best_distance = S_SUGGEST_DISTANCE + 1;
    for (size_t t = 0; t < 3 && known->tables[t]; t++) {
        for (const as_config_key_t *row = known->tables[t]; row->name; row++) {
            s_nearer(key, row->name, &best, &best_distance);
        }
    }
    int line = as_config_line(check->cfg, section, key);
    if (best) {
        s_problem(check, fatal, line, "unknown key '%s' in [%s]; did you mean '%s'?", key, section,
                  best);
    } else {
        s_problem(check, fatal, line, "unknown key '%s' in [%s]", key, section);
    }
}

/* A source followed without a section of its own is fine (a best-effort
 * publisher that names no endpoint), unless its name is a typo of a known
 * service: then the daemon would silently never apply that service's events. */
static void s_check_follows(s_check_t *check, const char *section, bool fatal)
{
    char **items = NULL;
    if (as_config_get_list(check->cfg, section, "follows", &items) <= 0) {
        as_config_list_free(&items);
        return;
    }
    for (char **item = items; *item; item++) {
        if (as_config_has_section(check->cfg, *item) || s_fixed_section(*item)) {
            continue;
        }
        const char *best = NULL;
        int best_distance = S_SUGGEST_DISTANCE + 1;
        for (size_t i = 0; i < sizeof s_sections / sizeof s_sections[0]; i++) {
            s_nearer(*item, s_sections[i].name, &best, &best_distance);
        }
        if (best) {
            s_problem(check, fatal, as_config_line(check->cfg, section, "follows"),
                      "[%s] follows '%s', which has no section; did you mean '%s'?", section, *item,
                      best);
        }
    }
    as_config_list_free(&items);
}

static int s_check_keys(s_check_t *check, const s_section_t *known, const char *section)
{
    char **keys = NULL;
    int n = as_config_keys(check->cfg, section, &keys);
    if (n < 0) {
        return n;
    }
    bool fatal = s_concerns(check, section);
    for (int i = 0; i < n; i++) {
        const as_config_key_t *row = s_row(known, keys[i]);
        if (row) {
            s_check_value(check, section, row, fatal);
        } else {
            s_unknown_key(check, known, section, keys[i], fatal);
        }
    }
    as_config_list_free(&keys);
    if (s_row(known, "follows")) {
        s_check_follows(check, section, fatal);
    }
    return 0;
}

static void s_unknown_section(s_check_t *check, const char *section)
{
    const char *best = NULL;
    int best_distance = S_SUGGEST_DISTANCE + 1;
    for (size_t i = 0; i < sizeof s_sections / sizeof s_sections[0]; i++) {
        s_nearer(section, s_sections[i].name, &best, &best_distance);
    }
    int line = as_config_line(check->cfg, section, NULL);
    if (best) {
        s_problem(check, true, line, "unknown section [%s]; did you mean [%s]?", section, best);
    } else {
        s_problem(check, true, line,
                  "unknown section [%s]: not a service, a tool, a forwarder (with xsub/xpub) or "
                  "a gateway named in [site] services or a follows list",
                  section);
    }
}

/* Each [staff] entry on its own, so every bad one is named with its line. */
static int s_check_staff(s_check_t *check)
{
    char **ids = NULL;
    int n = as_config_keys(check->cfg, "staff", &ids);
    for (int i = 0; i < n; i++) {
        as_config_t *one = as_config_new();
        if (!one || as_config_set(one, "staff", ids[i],
                                  as_config_get(check->cfg, "staff", ids[i], "")) != 0) {
            as_config_destroy(&one);
            n = -ENOMEM;
            break;
        }
        char *err = NULL;
        as_staff_t *staff = as_staff_load(one, &err);
        if (!staff) {
            s_problem(check, true, as_config_line(check->cfg, "staff", ids[i]), "[staff] %s",
                      err ? err : "cannot be read");
        }
        as_staff_destroy(&staff);
        free(err);
        as_config_destroy(&one);
    }
    as_config_list_free(&ids);
    return n < 0 ? n : 0;
}

int as_config_check(as_config_t *cfg, const char *own, as_config_report_fn report, void *arg)
{
    assert(cfg);
    const char *path = as_config_path(cfg);
    s_check_t check = {cfg, path ? path : "config", own, report, arg, 0};
    if (!as_config_has_section(cfg, "bus")) {
        s_problem(&check, true, 0,
                  "[bus] is missing: it names the forwarders every daemon publishes to and "
                  "subscribes from");
    }
    if (!as_config_has_section(cfg, "staff")) {
        s_problem(&check, true, 0,
                  "[staff] is missing: it lists who works here and their roles (id = role)");
    } else if (s_check_staff(&check) < 0) {
        return -ENOMEM;
    }
    char **sections = NULL;
    int n = as_config_sections(cfg, &sections);
    if (n < 0) {
        return n;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const s_section_t *known = s_section_of(cfg, sections[i], own);
        if (!known) {
            s_unknown_section(&check, sections[i]);
        } else if (!known->data) {
            rc = s_check_keys(&check, known, sections[i]);
        }
    }
    as_config_list_free(&sections);
    return rc < 0 ? rc : check.fatal;
}

/* --- for a program's start and its --check-config ------------------------- */

typedef struct {
    bool check_only; /* every problem counts and goes to stderr */
    int problems;    /* problems that stop the program */
} s_print_t;

static void s_print(void *arg, bool fatal, const char *problem)
{
    s_print_t *print = arg;
    if (print->check_only) {
        fprintf(stderr, "%s\n", problem);
        print->problems++;
    } else if (fatal) {
        as_error("config: %s", problem);
        print->problems++;
    } else {
        as_warn("config: %s (not this program's section: its owner refuses to start)", problem);
    }
}

int as_config_check_print(as_config_t *cfg, const char *own, bool check_only)
{
    s_print_t print = {.check_only = check_only};
    if (as_config_check(cfg, own, s_print, &print) < 0) {
        s_print(&print, true, "out of memory");
    }
    return print.problems;
}
