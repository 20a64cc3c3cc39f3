/* service.c — the runtime of one daemon. See include/as/service.h. */
#include "service_internal.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "as/config_schema.h"
#include "as/log.h"
#include "as/notify.h"
#include "as/version.h"

#define S_HOUSEKEEPING_MS 60000
#define S_PRUNE_BATCH 1000    /* expired replies deleted in one transaction */
#define S_PRUNE_AGAIN_MS 1000 /* the next batch, when more wait; also the first tick */

/* --- timers ------------------------------------------------------------ */

static void s_heartbeat_cb(uv_timer_t *timer)
{
    as_service_t *self = timer->data;
    as_pub_heartbeat(self->pub);
}

static int s_prune_txn(as_service_t *self, MDB_txn *txn, void *arg)
{
    return as_request_prune(self->store, txn, as_now_us() - self->request_retention_us,
                            S_PRUNE_BATCH, arg);
}

static void s_housekeeping_cb(uv_timer_t *timer);

/* Deletes the replies kept longer than request_retention_hours, oldest
 * first, at most S_PRUNE_BATCH in one transaction so that no turn waits
 * long; when more wait, the next batch comes a second later, and commands
 * run in between. A retry after that runs as a new command. */
static void s_prune_requests(as_service_t *self)
{
    size_t pruned = 0;
    int rc = as_service_write(self, s_prune_txn, &pruned);
    if (rc != 0)
        as_warn("expired command replies were not pruned: %s; tried again later", as_strerror(rc));
    else if (pruned == S_PRUNE_BATCH)
        uv_timer_start(&self->housekeeping, s_housekeeping_cb, S_PRUNE_AGAIN_MS, S_HOUSEKEEPING_MS);
}

static void s_housekeeping_cb(uv_timer_t *timer)
{
    as_service_t *self = timer->data;
    int dead = 0;
    if (as_store_reader_check(self->store, &dead) == 0 && dead > 0)
        as_warn("cleared %d stale reader slot(s) left by dead processes", dead);
    s_prune_requests(self);
}

/* --- how long each round of the loop was held ------------------------------ */

/* Before each poll: the round since the last one took `now - began`, of
 * which the loop waited in poll for `idle - idle then`; the rest its work
 * held it, and whatever came meanwhile (a command, a status request, a
 * scrape) waited for that work. */
static void s_round_cb(uv_prepare_t *prepare)
{
    as_service_t *self = prepare->data;
    uint64_t now = uv_hrtime(), idle = uv_metrics_idle_time(&self->loop);
    if (self->round_began_ns) {
        uint64_t round = now - self->round_began_ns, waited = idle - self->round_idle_ns;
        as_metrics_loop_busy(self->metrics, (int64_t)(round > waited ? round - waited : 0) / 1000);
    }
    self->round_began_ns = now;
    self->round_idle_ns = idle;
}

/* Counts each round (libuv keeps the loop's idle time once asked to); the
 * handle does not keep the loop running. */
static void s_round_start(as_service_t *self)
{
    if (uv_loop_configure(&self->loop, UV_METRICS_IDLE_TIME) != 0) {
        as_warn("the loop's idle time is not kept: as_loop_busy_seconds stays empty");
        return;
    }
    uv_prepare_init(&self->loop, &self->round);
    self->round.data = self;
    uv_prepare_start(&self->round, s_round_cb);
    uv_unref((uv_handle_t *)&self->round);
}

/* --- write transactions for timers ------------------------------------------ */

typedef struct {
    as_service_t *self;
    as_service_txn_fn fn;
    void *arg;
} s_write_args_t;

static int s_write_txn(MDB_txn *txn, void *arg)
{
    s_write_args_t *a = arg;
    as_pub_begin(a->self->pub);
    return a->fn(a->self, txn, a->arg);
}

/* Events that wait to be applied are not applied first: a timer's write is
 * one more turn on the loop, and what waits is applied on the next rounds, a
 * turn (max_batch) at a time, with commands, status and /metrics answered in
 * between. Draining them here held the loop for the whole batch waiting: with
 * a replay answer of 2,500 events in, the once-a-minute housekeeping tick left
 * /health unanswered for as long as applying them took (integration.metrics,
 * a slow consumer: 5.5 s). Nothing a write does depends on them: the
 * service's state depends on each source's order only. */
int as_service_write(as_service_t *self, as_service_txn_fn fn, void *arg)
{
    s_write_args_t args = {self, fn, arg};
    int64_t began_us = as_now_us();
    int rc = as_store_write(self->store, s_write_txn, &args);
    as_metrics_commit(self->metrics, as_now_us() - began_us);
    self->last_write_rc = rc != 0 && as_outcome_of(rc) == AS_OUTCOME_STORE ? rc : 0;
    if (rc == 0)
        as_pub_committed(self->pub);
    else
        as_pub_aborted(self->pub);
    return rc;
}

bool as_service_caught_up(as_service_t *self)
{
    return !self->sub || svc_caught_up(self, NULL);
}

/* --- life cycle -------------------------------------------------------- */

static int s_config_error(const char *what, const char *section, const char *key)
{
    as_error("config: %s [%s] %s", what, section, key);
    return AS_ECONFIG;
}

/* Reads [NAME] follows: "workshop" is workshop@<own site>, "workshop@site-b"
 * that site's workshop. Fills follow_sources and follow_domains. */
static int s_read_follows(as_service_t *self, const char *site, size_t n)
{
    self->follow_sources = calloc(n + 1, sizeof *self->follow_sources);
    self->follow_domains = calloc(n + 1, sizeof *self->follow_domains);
    if (!self->follow_sources || !self->follow_domains)
        return -ENOMEM;
    for (size_t i = 0, d = 0; i < n; i++) {
        const char *entry = self->follows[i];
        char source[AS_NAME_MAX + 2];
        if (strchr(entry, '@'))
            snprintf(source, sizeof source, "%s", entry);
        else
            snprintf(source, sizeof source, "%s@%s", entry, site);
        char domain[AS_NAME_MAX + 1];
        if (!as_source_valid(source) || !as_domain_of(source, domain, sizeof domain)) {
            as_error("config: [%s] follows: '%s' is neither a service name nor "
                     "'<service>@<site>' (a-z, 0-9, '_' and '-')",
                     self->def->name, entry);
            return AS_ECONFIG;
        }
        if (!(self->follow_sources[i] = strdup(source)))
            return -ENOMEM;
        bool seen = false;
        for (size_t k = 0; k < d && !seen; k++)
            seen = strcmp(self->follow_domains[k], domain) == 0;
        if (!seen && !(self->follow_domains[d++] = strdup(domain)))
            return -ENOMEM;
    }
    return 0;
}

/* A site-scoped daemon (def->site_scoped) with [NAME] sites: checks the
 * sites (valid names, each once) and makes each plain entry of `follows`
 * that service at every site ("reception" -> reception@a, reception@b...). */
static int s_read_sites(as_service_t *self)
{
    const char *name = self->def->name;
    self->scope = -1;
    if (!self->def->site_scoped)
        return 0;
    if (as_config_get_list(self->cfg, name, "sites", &self->sites) < 0)
        return -ENOMEM;
    while (self->sites && self->sites[self->n_sites])
        self->n_sites++;
    if (self->n_sites == 0) {
        as_config_list_free(&self->sites);
        return 0;
    }
    for (size_t i = 0; i < self->n_sites; i++) {
        char source[AS_NAME_MAX + 2];
        snprintf(source, sizeof source, "%s@%s", name, self->sites[i]);
        if (!as_source_valid(source)) {
            as_error("config: [%s] sites: '%s' is not a site name (a-z, 0-9, '_' and '-')", name,
                     self->sites[i]);
            return AS_ECONFIG;
        }
        for (size_t k = 0; k < i; k++)
            if (!strcmp(self->sites[k], self->sites[i])) {
                as_error("config: [%s] sites: '%s' is listed twice", name, self->sites[i]);
                return AS_ECONFIG;
            }
    }
    size_t n = 0;
    while (self->follows && self->follows[n])
        n++;
    char **wide = calloc(n * self->n_sites + 1, sizeof *wide);
    if (!wide)
        return -ENOMEM;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (strchr(self->follows[i], '@')) { /* one site's service, as written */
            wide[w++] = strdup(self->follows[i]);
            continue;
        }
        for (size_t k = 0; k < self->n_sites; k++) {
            size_t len = strlen(self->follows[i]) + strlen(self->sites[k]) + 2;
            if ((wide[w] = malloc(len)) != NULL)
                snprintf(wide[w], len, "%s@%s", self->follows[i], self->sites[k]);
            w++;
        }
    }
    as_config_list_free(&self->follows);
    self->follows = wide;
    for (size_t i = 0; i < w; i++)
        if (!wide[i])
            return -ENOMEM;
    return 0;
}

static int s_read_config(as_service_t *self)
{
    as_config_t *cfg = self->cfg;
    const char *name = self->def->name;
    const char *site = as_config_get(cfg, "site", "name", "local");
    size_t len = strlen(name) + strlen(site) + 2;
    self->source = malloc(len);
    if (!self->source)
        return -ENOMEM;
    snprintf(self->source, len, "%s@%s", name, site);
    if (!as_source_valid(self->source)) {
        as_error("config: '%s' is not a valid source name (site and service names use a-z, "
                 "0-9, '_' and '-')",
                 self->source);
        return AS_ECONFIG;
    }
    const char *endpoint = as_config_get(cfg, name, "endpoint", NULL);
    if (!endpoint || !*endpoint)
        return s_config_error("missing", name, "endpoint");
    if (strlen(endpoint) > 400)
        return s_config_error("too long", name, "endpoint");
    char why[512];
    if (as_ipc_dir_check(endpoint, why, sizeof why) != 0) {
        as_error("config: [%s] endpoint: %s", name, why);
        return AS_ECONFIG;
    }
    self->endpoint = strdup(endpoint);
    long long max_frame = 0;
    if (as_config_read_int(cfg, name, "max_frame", &max_frame) != 0)
        return s_config_error("bad number (at least 1024)", name, "max_frame");
    self->max_frame = (size_t)max_frame;
    long long retention_hours = 0;
    if (as_config_read_int(cfg, name, "request_retention_hours", &retention_hours) != 0)
        return s_config_error("bad number of hours (1 to 87600)", name, "request_retention_hours");
    self->request_retention_us = retention_hours * SVC_US_PER_HOUR;
    long long backdate_days = 0, backdate_manager_days = 0;
    if (as_config_read_int(cfg, "site", "backdate_days", &backdate_days) != 0 ||
        as_config_read_int(cfg, "site", "backdate_days_manager", &backdate_manager_days) != 0)
        return s_config_error("bad number of days (0 to 3650)", "site", "backdate_days");
    self->backdate_us = backdate_days * 24 * SVC_US_PER_HOUR;
    self->backdate_manager_us = backdate_manager_days * 24 * SVC_US_PER_HOUR;
    if (as_config_get_list(cfg, name, "follows", &self->follows) < 0 ||
        as_config_get_list(cfg, "bus", "publish", &self->publish) < 0 ||
        as_config_get_list(cfg, "bus", "subscribe", &self->subscribe) < 0)
        return -ENOMEM;
    int rc = s_read_sites(self);
    if (rc != 0)
        return rc;
    size_t n = 0;
    while (self->follows && self->follows[n])
        n++;
    rc = s_read_follows(self, site, n);
    if (rc != 0)
        return rc;
    self->catchup = calloc(n + 1, sizeof *self->catchup);
    self->catchup_names = calloc(n + 1, sizeof *self->catchup_names);
    if (!self->catchup || !self->catchup_names)
        return -ENOMEM;
    size_t from_heartbeats = 0; /* a group's sources: their endpoints are not in this file */
    for (size_t i = 0, j = 0; i < n; i++) {
        const char *ep = as_config_get(cfg, self->follows[i], "endpoint", NULL);
        if (!ep && self->sites) {
            from_heartbeats++;
            continue;
        }
        if (!ep) {
            as_warn("config: [%s] has no endpoint: '%s' events are caught up from heartbeats only",
                    self->follows[i], self->follows[i]);
            continue;
        }
        self->catchup[j] = strdup(ep);
        self->catchup_names[j++] = strdup(self->follows[i]);
    }
    if (from_heartbeats)
        as_info("%s follows %zu sources of %zu sites: each source's service endpoint is learnt "
                "from its heartbeats (once a second), and what was missed is replayed from there",
                name, from_heartbeats, self->n_sites);
    return 0;
}

/* The databases of a site-scoped daemon: the def's, then "<site>/<db>" for
 * each site in [NAME] sites' order (as_service_dbi finds them by index). */
static int s_scoped_dbs(as_service_t *self)
{
    while (self->def->dbs && self->def->dbs[self->n_base_dbs])
        self->n_base_dbs++;
    if (!self->sites)
        return 0;
    size_t n = self->n_base_dbs * (self->n_sites + 1);
    if (!(self->store_dbs = calloc(n + 1, sizeof *self->store_dbs)))
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *db = self->def->dbs[i % self->n_base_dbs];
        const char *site = i < self->n_base_dbs ? NULL : self->sites[i / self->n_base_dbs - 1];
        size_t len = strlen(db) + (site ? strlen(site) + 1 : 0) + 1;
        if (!(self->store_dbs[i] = malloc(len)))
            return -ENOMEM;
        snprintf(self->store_dbs[i], len, "%s%s%s", site ? site : "", site ? "/" : "", db);
    }
    return 0;
}

static int s_open_store(as_service_t *self, long long map_size)
{
    char default_dir[1024];
    snprintf(default_dir, sizeof default_dir, "%s/%s",
             as_config_get(self->cfg, "site", "data_dir", "/var/lib/aftersales"), self->def->name);
    const char *data_dir = as_config_get(self->cfg, self->def->name, "data_dir", default_dir);
    as_store_error_t why;
    int rc = s_scoped_dbs(self);
    if (rc != 0)
        return rc;
    self->store = as_store_open_why(
        data_dir, self->sites ? (const char *const *)self->store_dbs : self->def->dbs,
        (size_t)map_size, &why);
    if (!self->store) {
        as_error("%s", why.text);
        return why.code;
    }
    return 0;
}

/* In-process (as_service_new_local): the store and an outbox without a
 * socket; no endpoint is bound, no bus is joined, no timer runs. */
static int s_open_local(as_service_t *self)
{
    long long map_size;
    if (as_config_read_int(self->cfg, self->def->name, "map_size", &map_size))
        return s_config_error("bad number in", self->def->name, "map_size");
    int rc = s_open_store(self, map_size);
    if (rc != 0)
        return rc;
    as_pub_config_t pc = {.source = self->source, .endpoint = self->endpoint};
    self->pub = as_pub_new(NULL, self->store, &pc, &rc);
    return self->pub ? 0 : rc;
}

static int s_open(as_service_t *self)
{
    as_config_t *cfg = self->cfg;
    const char *name = self->def->name;
    int rc;
    long long map_size, heartbeat_ms, rcvhwm, sndhwm, replay_timeout, max_batch, best_effort_after;
    if (as_config_read_int(cfg, name, "map_size", &map_size) ||
        as_config_read_int(cfg, name, "heartbeat_ms", &heartbeat_ms) ||
        as_config_read_int(cfg, name, "rcvhwm", &rcvhwm) ||
        as_config_read_int(cfg, name, "sndhwm", &sndhwm) ||
        as_config_read_int(cfg, name, "replay_timeout_ms", &replay_timeout) ||
        as_config_read_int(cfg, name, "best_effort_after_ms", &best_effort_after) ||
        as_config_read_int(cfg, name, "max_batch", &max_batch))
        return s_config_error("bad number in", name, "(map_size, heartbeat_ms, *hwm, ...)");

    /* first: a store another process holds is refused before any socket binds */
    if ((rc = s_open_store(self, map_size)) != 0)
        return rc;
    /* the ZAP handler must be bound before any socket binds */
    self->security = as_security_new(cfg, name, &rc);
    if (!self->security || (rc = as_security_start(self->security, self->zctx)) != 0) {
        as_error("security: %s", as_strerror(rc));
        return rc ? rc : AS_ECONFIG;
    }
    as_pub_config_t pc = {.source = self->source,
                          .endpoint = self->endpoint,
                          .connect = self->publish,
                          .sndhwm = (int)sndhwm,
                          .security = self->security};
    self->pub = as_pub_new(self->zctx, self->store, &pc, &rc);
    if (!self->pub) {
        as_error("cannot start publishing: %s", as_strerror(rc));
        return rc;
    }
    self->rpc = as_rpc_server_new(self->zctx, &self->loop, self->endpoint, self->security,
                                  self->max_frame * 16, svc_on_request, self, &rc);
    if (!self->rpc) {
        as_error("cannot bind service endpoint '%s': %s", self->endpoint, as_strerror(rc));
        return rc;
    }
    as_rpc_server_on_drained(self->rpc, svc_flush_turn);
    uv_idle_init(&self->loop, &self->more);
    self->more.data = self;
    as_sub_config_t sc = {.connect = self->subscribe,
                          .domains = self->follow_domains,
                          .sources = self->follow_sources,
                          .catchup = self->catchup,
                          .catchup_names = self->catchup_names,
                          .self_source = self->source,
                          .rcvhwm = (int)rcvhwm,
                          .max_frame = self->max_frame,
                          .replay_timeout_ms = (int)replay_timeout,
                          .best_effort_after_ms = (int)best_effort_after,
                          .max_batch = (size_t)max_batch,
                          .security = self->security};
    self->sub = as_sub_new(self->zctx, &self->loop, self->store, &sc, svc_flush_turn, self, &rc);
    if (!self->sub) {
        as_error("cannot start subscribing: %s", as_strerror(rc));
        return rc;
    }
    uv_timer_init(&self->loop, &self->heartbeat);
    self->heartbeat.data = self;
    uv_timer_start(&self->heartbeat, s_heartbeat_cb, 0, (uint64_t)heartbeat_ms);
    uv_timer_init(&self->loop, &self->housekeeping);
    self->housekeeping.data = self;
    /* first soon: a store started after a long stop may hold expired replies */
    uv_timer_start(&self->housekeeping, s_housekeeping_cb, S_PRUNE_AGAIN_MS, S_HOUSEKEEPING_MS);
    self->signals = as_signals_new(&self->loop, (void (*)(void *))as_service_stop, self);
    self->metrics_http = as_metrics_http_from_config(&self->loop, cfg, name, svc_metrics_text,
                                                     svc_health_text, self, &rc);
    return rc;
}

static int s_load_staff(as_service_t *self)
{
    char *err = NULL;
    self->staff = as_staff_load(self->cfg, &err);
    if (!self->staff) {
        as_error("config: %s", err ? err : "cannot read [staff]");
        free(err);
        return AS_ECONFIG;
    }
    return 0;
}

/* --- the command table against the catalog ----------------------------------- */

/* Counts (and logs) each handler for a command the catalog does not give
 * this service. */
static int s_unknown_handlers(const as_service_def_t *def)
{
    int bad = 0;
    for (const as_command_def_t *c = def->commands; c && c->name; c++) {
        char command[AS_NAME_MAX + 1];
        snprintf(command, sizeof command, "%s%s", c->name[0] == '.' ? def->name : "", c->name);
        const as_command_info_t *info = as_catalog_command(command);
        if (!info)
            as_error("the command table has a handler for '%s', which the catalog does not know",
                     command);
        else if (strcmp(info->service, def->name) != 0)
            as_error("the command table has a handler for '%s', which the catalog gives to "
                     "service '%s'",
                     command, info->service);
        bad += !info || strcmp(info->service, def->name) != 0;
    }
    return bad;
}

/* Counts (and logs) each of this service's catalog commands without a handler. */
static int s_missing_handlers(const as_service_def_t *def)
{
    int bad = 0;
    for (size_t i = 0; i < as_catalog_count(); i++) {
        const as_command_info_t *info = as_catalog_command_at(i);
        if (strcmp(info->service, def->name) != 0 || svc_table_command(def, info->command))
            continue;
        as_error("the catalog's command '%s' has no handler in service '%s'", info->command,
                 def->name);
        bad++;
    }
    return bad;
}

/* The table must match the catalog: a mismatch is a build that cannot serve
 * what the CLI offers. A service with no table at all (a bench's stand-in
 * that only emits) serves no command and is not held to it. Returns 0 or
 * AS_EINTERNAL (exit 70). */
static int s_check_table(const as_service_def_t *def)
{
    if (!def->commands)
        return 0;
    int bad = s_unknown_handlers(def) + s_missing_handlers(def);
    if (bad == 0)
        return 0;
    as_error("%s: its command table and the catalog (proto/catalog/) differ in %d command%s; "
             "not starting",
             def->name, bad, bad == 1 ? "" : "s");
    return AS_EINTERNAL;
}

/* Finds the catalog's payload message of each event the service applies;
 * a type the catalog does not know is a build that cannot decode what it
 * asks for. Returns 0, AS_EINTERNAL (exit 70) or -ENOMEM. */
static int s_resolve_events(as_service_t *self)
{
    size_t n = 0;
    while (self->def->events && self->def->events[n].type)
        n++;
    if (!(self->event_payloads = calloc(n + 1, sizeof *self->event_payloads)) ||
        !(self->payload_arena = as_arena_new(0)) || !(self->query_ids = as_query_ids_new()))
        return -ENOMEM;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const as_event_info_t *info = as_catalog_event(self->def->events[i].type);
        if (!info)
            as_error("the event table has a handler for '%s', which the catalog does not know",
                     self->def->events[i].type);
        bad += !info;
        self->event_payloads[i] = info && !self->def->events[i].raw ? info->payload : NULL;
    }
    if (bad == 0)
        return 0;
    as_error("%s: its event table names %d type%s the catalog (proto/catalog/) does not know; "
             "not starting",
             self->def->name, bad, bad == 1 ? "" : "s");
    return AS_EINTERNAL;
}

/* Gives the instance its own state: def->user_size zeroed bytes, else the
 * def's shared pointer. */
static int s_alloc_user(as_service_t *self)
{
    if (!self->def->user_size) {
        self->user = self->def->user;
        return 0;
    }
    self->user = calloc(1, self->def->user_size);
    return self->user ? 0 : -ENOMEM;
}

/* The daemon (local false) or the in-process service (local true). */
static as_service_t *s_new(const as_service_def_t *def, as_config_t *cfg, bool local, int *err)
{
    int rc = s_check_table(def);
    if (rc != 0)
        goto fail;
    rc = -ENOMEM;
    as_service_t *self = calloc(1, sizeof *self);
    if (!self)
        goto fail;
    self->def = def;
    self->cfg = cfg;
    self->started_us = as_now_us();
    if ((rc = uv_loop_init(&self->loop)) != 0) {
        free(self);
        goto fail;
    }
    rc = -ENOMEM;
    if (!local && !(self->zctx = zmq_ctx_new()))
        goto fail_destroy;
    if (!(self->metrics = as_metrics_new()))
        goto fail_destroy;
    s_round_start(self);
    if (sodium_init() < 0) /* picks the fastest digest code; fails only without entropy */
        as_warn("libsodium did not initialise; request digests use its portable code");
    if ((rc = s_alloc_user(self)) != 0 || (rc = s_resolve_events(self)) != 0 ||
        (rc = s_read_config(self)) != 0 || (rc = s_load_staff(self)) != 0 ||
        (rc = local ? s_open_local(self) : s_open(self)) != 0)
        goto fail_destroy;
    if (def->on_start && (rc = def->on_start(self)) != 0)
        goto fail_destroy;
    if (!local)
        as_info("%s started: endpoint %s, last seq %llu, incarnation %s", self->source,
                self->endpoint, (unsigned long long)as_pub_last_seq(self->pub),
                as_store_incarnation(self->store));
    return self;

fail_destroy:
    as_service_destroy(&self);
fail:
    if (err)
        *err = rc;
    return NULL;
}

as_service_t *as_service_new(const as_service_def_t *def, as_config_t *cfg, int *err)
{
    return s_new(def, cfg, false, err);
}

as_service_t *as_service_new_local(const as_service_def_t *def, as_config_t *cfg, int *err)
{
    return s_new(def, cfg, true, err);
}

/* --- in-process: one command or one event, as the loop runs it --------------- */

int as_service_call(as_service_t *self, const void *request, size_t len, void **reply,
                    size_t *reply_len)
{
    svc_flush(self); /* what waited goes first */
    svc_refusal_t refusal = {.len = 0};
    svc_pending_cmd_t *pc = svc_admit_command(self, request, len, NULL, &refusal);
    if (!pc) {
        *reply_len = refusal.len;
        *reply = refusal.len ? malloc(refusal.len) : NULL;
        if (*reply)
            memcpy(*reply, refusal.buf, refusal.len);
        return *reply ? 0 : -ENOMEM;
    }
    svc_write_turn(self); /* a failed turn answers with the store's code */
    pc = &self->cmds[self->n_cmds - 1];
    *reply = pc->reply_len ? pc->reply : NULL;
    *reply_len = pc->reply_len;
    if (*reply)
        pc->reply = NULL; /* now the caller's */
    svc_end_turn(self);
    return *reply ? 0 : -ENOMEM;
}

typedef struct {
    as_service_t *self;
    const As__Envelope *env;
} s_one_event_t;

static int s_one_event_txn(MDB_txn *txn, void *arg)
{
    s_one_event_t *one = arg;
    as_pub_begin(one->self->pub);
    as_arena_reset(one->self->payload_arena);
    return svc_apply_event(one->self, txn, one->env);
}

int as_service_apply(as_service_t *self, const As__Envelope *env, int *status)
{
    svc_flush(self);
    s_one_event_t one = {self, env};
    int rc = as_store_write(self->store, s_one_event_txn, &one);
    *status = rc;
    if (rc == 0) {
        as_pub_committed(self->pub);
        return 0;
    }
    as_pub_aborted(self->pub); /* what the skipped event's handler wrote is not kept */
    as_outcome_t outcome = as_outcome_of(rc);
    if (outcome == AS_OUTCOME_STORE)
        return rc;
    svc_log_skipped(env, rc, outcome);
    return 0;
}

uint64_t as_service_last_seq(as_service_t *self)
{
    return as_pub_last_seq(self->pub);
}

int as_service_outbox(as_service_t *self, uint64_t from_seq, void **out, size_t *len)
{
    As__ReplayRequest req = AS__REPLAY_REQUEST__INIT;
    req.has_from_seq = 1;
    req.from_seq = from_seq;
    return as_pub_replay(self->pub, &req, SVC_REPLAY_MAX_BYTES, out, len);
}

int as_service_run(as_service_t *self)
{
    uv_run(&self->loop, UV_RUN_DEFAULT);
    return 0;
}

void as_service_stop(as_service_t *self)
{
    if (self->stopping)
        return;
    self->stopping = true;
    as_info("%s stopping", self->source);
    svc_flush(self);
    if (self->def->on_stop)
        self->def->on_stop(self);
    uv_stop(&self->loop);
}

void as_service_destroy(as_service_t **self_p)
{
    as_service_t *self = *self_p;
    if (!self)
        return;
    /* first: h2o runs the loop once to close its timers; a command that
     * comes in then is answered by the flush below */
    as_metrics_http_stop(&self->metrics_http);
    if (self->sub) /* opened last: everything svc_flush uses is there */
        svc_flush(self);
    svc_clear_cmds(self);
    free(self->cmds);
    /* a clean stop keeps the ids of the queries answered since the last write */
    if (self->query_ids && as_query_ids_count(self->query_ids) > 0 &&
        as_store_write(self->store, svc_query_ids_txn, self) != 0)
        as_warn("the request ids of %zu queries could not be kept: they are free again",
                as_query_ids_count(self->query_ids));
    as_query_ids_destroy(&self->query_ids);
    free(self->event_payloads);
    as_arena_destroy(&self->payload_arena);
    uv_prepare_stop(&self->round); /* it counts into the metrics */
    as_metrics_destroy(&self->metrics);
    as_signals_destroy(&self->signals);
    /* as_loop_close runs the loop once more: no heartbeat after the pub is gone */
    uv_timer_stop(&self->heartbeat);
    uv_timer_stop(&self->housekeeping);
    if (self->rpc)
        uv_idle_stop(&self->more);
    as_sub_destroy(&self->sub);
    as_rpc_server_destroy(&self->rpc);
    if (self->pub) {
        as_pub_heartbeat(self->pub); /* consumers learn the final seq at once */
        as_pub_destroy(&self->pub);
    }
    as_loop_close(&self->loop);
    as_security_destroy(&self->security);
    if (self->zctx)
        zmq_ctx_term(self->zctx);
    as_store_close(&self->store);
    as_staff_destroy(&self->staff);
    as_config_list_free(&self->follows);
    as_config_list_free(&self->follow_domains);
    as_config_list_free(&self->follow_sources);
    as_config_list_free(&self->publish);
    as_config_list_free(&self->subscribe);
    as_config_list_free(&self->catchup);
    as_config_list_free(&self->catchup_names);
    as_config_list_free(&self->sites);
    as_config_list_free(&self->store_dbs);
    if (self->def->user_size)
        free(self->user);
    free(self->source);
    free(self->endpoint);
    free(self);
    *self_p = NULL;
}

const as_staff_t *as_service_staff(as_service_t *self)
{
    return self->staff;
}

/* Checks the config against the schema (config_schema.h) and that the
 * daemon's own section names its endpoint. Returns the problems that stop it. */
static int s_check_config(as_config_t *cfg, const char *name, bool check_only)
{
    int problems = as_config_check_print(cfg, name, check_only);
    const char *endpoint = as_config_get(cfg, name, "endpoint", NULL);
    if (!endpoint || !*endpoint) {
        const char *path = as_config_path(cfg) ? as_config_path(cfg) : "config";
        if (check_only)
            fprintf(stderr, "%s: [%s] endpoint is missing (this daemon binds it)\n", path, name);
        else
            as_error("config: %s: [%s] endpoint is missing (this daemon binds it)", path, name);
        problems++;
    }
    return problems;
}

#define AS_SERVICE_EXIT_CODES                                                                      \
    "0 stopped cleanly, 64 usage, 70 could not start,\n"                                           \
    "74 the store is damaged (data.mdb truncated, not an LMDB file), 75 the store is in use by\n"  \
    "another process, 78 config error."

/* What a daemon that could not start exits with (AS_SERVICE_EXIT_CODES). */
static int s_exit_code(int rc)
{
    switch (rc) {
    case AS_ECONFIG:
        return 78;
    case AS_ELOCKED:
        return 75; /* EX_TEMPFAIL: it may start once the other process stops */
    case AS_EDAMAGED:
        return 74; /* EX_IOERR: restarting will not help */
    default:
        return 70;
    }
}

/* What both usages say about the options every daemon takes. */
#define AS_SERVICE_OPTIONS_HELP                                                                    \
    "--check-config checks FILE (every section and key), prints 'config ok' or each\n"             \
    "problem with its line, and starts nothing. --log-level debug|info|warn|error sets\n"          \
    "the lowest level logged (default $AS_LOG or info). --version prints the version.\n"

static void s_usage(const as_service_def_t *def, const char *program, FILE *out)
{
    if (def->named) {
        fprintf(out,
                "usage: %s --name NAME --config FILE [--check-config] [--log-level LEVEL]\n"
                "\n"
                "%s\n"
                "\n"
                "Reads [NAME], [staff], [site], [bus] and [security] from FILE (default "
                "$AS_CONFIG).\n"
                "Its commands: `asctl commands NAME.`. Stops cleanly on SIGTERM or "
                "SIGINT.\n" AS_SERVICE_OPTIONS_HELP "Exit codes: " AS_SERVICE_EXIT_CODES "\n",
                program, def->summary ? def->summary : "");
        return;
    }
    fprintf(out,
            "usage: %s --config FILE [--check-config] [--log-level LEVEL]\n"
            "\n"
            "%s\n"
            "\n"
            "Reads [%s], [staff], [site], [bus] and [security] from FILE (default $AS_CONFIG).\n"
            "Its commands: `asctl commands %s.`. Stops cleanly on SIGTERM or "
            "SIGINT.\n" AS_SERVICE_OPTIONS_HELP "Exit codes: " AS_SERVICE_EXIT_CODES "\n",
            program, def->summary ? def->summary : "", def->name, def->name);
}

int as_service_main(const as_service_def_t *def, int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"check-config", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {"log-level", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    static const struct option named_options[] = {
        {"config", required_argument, NULL, 'c'}, {"check-config", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},         {"log-level", required_argument, NULL, 'l'},
        {"name", required_argument, NULL, 'n'},   {NULL, 0, NULL, 0},
    };
    if (as_version_option(argc, argv))
        return 0;
    const char *config_path = getenv("AS_CONFIG");
    const char *name = NULL;
    bool check_only = false;
    int log_level = -1; /* --log-level, else AS_LOG, else info */
    /* "as-kpi", or "asdemo source" for a program that runs several services */
    char program[128];
    const char *slash = strrchr(argv[0], '/');
    if (strcmp(program_invocation_short_name, slash ? slash + 1 : argv[0]) == 0)
        snprintf(program, sizeof program, "%s", program_invocation_short_name);
    else
        snprintf(program, sizeof program, "%s %s", program_invocation_short_name, argv[0]);
    int opt;
    while ((opt = getopt_long(argc, argv, "c:hkl:", def->named ? named_options : options, NULL)) !=
           -1) {
        if (opt == 'c') {
            config_path = optarg;
        } else if (opt == 'k') {
            check_only = true;
        } else if (opt == 'n' && def->named) {
            name = optarg;
        } else if (opt == 'l' && (log_level = as_log_level_parse(optarg)) < 0) {
            fprintf(stderr, "%s: --log-level '%s' is not a level (debug, info, warn, error)\n",
                    program, optarg);
            return 64;
        } else if (opt != 'l') {
            s_usage(def, program, opt == 'h' ? stdout : stderr);
            return opt == 'h' ? 0 : 64;
        }
    }
    if (optind != argc || !config_path || (def->named && !name)) {
        s_usage(def, program, stderr);
        return 64;
    }
    as_service_def_t named;
    if (def->named) {
        if (!*name || strlen(name) > 64 || strchr(name, '.') || strchr(name, '@')) {
            fprintf(stderr, "%s: --name '%s' is not a service name (a-z, 0-9, '_', '-')\n", program,
                    name);
            return 64;
        }
        named = *def;
        named.name = name;
        def = &named;
        /* before anything opens: a name that is not in the catalog (another
         * daemon's, say) must not touch that daemon's store or endpoint */
        for (const as_command_def_t *c = def->commands; c && c->name; c++) {
            char command[AS_NAME_MAX + 1];
            snprintf(command, sizeof command, "%s%s", name, c->name);
            const as_command_info_t *info = c->name[0] == '.' ? as_catalog_command(command) : NULL;
            if (c->name[0] == '.' && (!info || strcmp(info->service, name) != 0)) {
                fprintf(stderr,
                        "%s: --name '%s': the catalog has no command '%s' of a service '%s' "
                        "(proto/catalog/%s.c)\n",
                        program, name, command, name, name);
                return 64;
            }
        }
    }
    as_log_init(def->name, AS_LOG_INFO);
    if (log_level >= 0)
        as_log_set_level((as_log_level_t)log_level);
    char *err = NULL;
    as_config_t *cfg = as_config_load(config_path, &err);
    if (!cfg) {
        as_error("%s", err ? err : "cannot load the config");
        free(err);
        return 78;
    }
    if (check_only) {
        int problems = s_check_config(cfg, def->name, true);
        as_config_destroy(&cfg);
        if (problems == 0)
            printf("config ok\n");
        return problems == 0 ? 0 : 78;
    }
    if (s_check_config(cfg, def->name, false) != 0) {
        as_config_destroy(&cfg);
        return 78;
    }
    int rc = 0;
    as_service_t *svc = as_service_new(def, cfg, &rc);
    if (!svc) {
        as_config_destroy(&cfg);
        return s_exit_code(rc);
    }
    char status[128];
    snprintf(status, sizeof status, "serving %s", as_service_source(svc));
    as_notify_ready(as_service_loop(svc), status); /* store open, catch-up asked */
    as_service_run(svc);
    as_notify_stopping();
    as_service_destroy(&svc);
    as_config_destroy(&cfg);
    return 0;
}

as_store_t *as_service_store(as_service_t *self)
{
    return self->store;
}

uv_loop_t *as_service_loop(as_service_t *self)
{
    return &self->loop;
}

as_config_t *as_service_config(as_service_t *self)
{
    return self->cfg;
}

const char *as_service_source(as_service_t *self)
{
    return self->source;
}

const char *as_service_name(as_service_t *self)
{
    return self->def->name;
}

void *as_service_user(as_service_t *self)
{
    return self->user;
}

void *as_service_zmq_context(as_service_t *self)
{
    return self->zctx;
}

as_security_t *as_service_security(as_service_t *self)
{
    return self->security;
}

/* --- site-scoped daemons (a group kpi) ------------------------------------------ */

const char *const *as_service_sites(as_service_t *self, size_t *n)
{
    if (n)
        *n = self->n_sites;
    return (const char *const *)self->sites;
}

int as_service_scope_set(as_service_t *self, const char *site)
{
    self->scope = -1;
    if (!site)
        return 0;
    for (size_t i = 0; i < self->n_sites; i++)
        if (!strcmp(self->sites[i], site)) {
            self->scope = (long)i;
            return 0;
        }
    return AS_ENOTFOUND;
}

const char *as_service_scope(as_service_t *self)
{
    return self->scope >= 0 ? self->sites[self->scope] : NULL;
}

MDB_dbi as_service_dbi(as_service_t *self, const char *db)
{
    if (self->scope >= 0)
        for (size_t j = 0; j < self->n_base_dbs; j++)
            if (!strcmp(self->def->dbs[j], db))
                return as_store_dbi_at(self->store,
                                       self->n_base_dbs * ((size_t)self->scope + 1) + j);
    return as_store_dbi(self->store, db);
}
