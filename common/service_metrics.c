/* service_metrics.c — /metrics and /health of a daemon. See
 * service_internal.h and include/as/metrics.h. */
#include "service_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <sys/statvfs.h>

#include "as/version.h"

/* --- /metrics and /health ([NAME] metrics_listen) ----------------------------- */

/* The store as the figures see it: pages in use, the map, the disk's room. */
typedef struct {
    double used, map, disk_free;
} s_store_figures_t;

static s_store_figures_t s_store_figures(as_service_t *self)
{
    s_store_figures_t f = {0, 0, -1};
    MDB_env *env = as_store_env(self->store);
    MDB_envinfo info;
    MDB_stat st;
    if (mdb_env_info(env, &info) == 0 && mdb_env_stat(env, &st) == 0) {
        f.used = (double)(info.me_last_pgno + 1) * st.ms_psize;
        f.map = (double)info.me_mapsize;
    }
    const char *path = NULL;
    struct statvfs vfs;
    if (mdb_env_get_path(env, &path) == 0 && path && statvfs(path, &vfs) == 0)
        f.disk_free = (double)vfs.f_bavail * vfs.f_frsize;
    return f;
}

/* A store is writable when its last write transaction committed and its
 * disk has room for at least one more map growth step (1 MiB). */
static bool s_store_writable(as_service_t *self, const s_store_figures_t *f)
{
    return self->last_write_rc == 0 && (f->disk_free < 0 || f->disk_free >= 1024.0 * 1024);
}

/* Caught up: every source this daemon follows that it has heard of (from a
 * heartbeat, a replay answer, or its own stored offset) is applied up to the
 * last seq that source announced, and none is diverged (a restored history
 * waiting for an operator). A source never heard of cannot be judged. */
typedef struct {
    as_metrics_text_t *text;
    const char *service;
    int pass; /* which family is being written */
    bool caught_up;
    json_t *sources;
} s_source_walk_t;

static uint64_t s_lag(const As__SourceOffset *off)
{
    return off->known_last_seq > off->applied_seq ? off->known_last_seq - off->applied_seq : 0;
}

static void s_source_metric(const As__SourceOffset *off, void *arg)
{
    s_source_walk_t *w = arg;
    const char *svc = w->service, *src = off->source;
    switch (w->pass) {
    case 0:
        as_metrics_sample(w->text, "as_source_lag_events", (double)s_lag(off), "service", svc,
                          "source", src, NULL);
        break;
    case 1:
        as_metrics_sample(w->text, "as_source_applied_seq", (double)off->applied_seq, "service",
                          svc, "source", src, NULL);
        break;
    case 2:
        as_metrics_sample(w->text, "as_source_known_seq", (double)off->known_last_seq, "service",
                          svc, "source", src, NULL);
        break;
    case 3:
        as_metrics_sample(w->text, "as_source_diverged", off->diverged ? 1 : 0, "service", svc,
                          "source", src, NULL);
        break;
    case 4:
        as_metrics_sample(w->text, "as_source_replay_requests_total", (double)off->replays,
                          "service", svc, "source", src, NULL);
        break;
    default:
        as_metrics_sample(w->text, "as_source_lost_total", (double)off->lost, "service", svc,
                          "source", src, NULL);
    }
}

static void s_source_health(const As__SourceOffset *off, void *arg)
{
    s_source_walk_t *w = arg;
    uint64_t lag = s_lag(off);
    if (lag > 0 || off->diverged)
        w->caught_up = false;
    if (w->sources)
        json_array_append_new(w->sources,
                              json_pack("{s:s,s:I,s:I,s:I,s:b}", "source", off->source,
                                        "applied_seq", (json_int_t)off->applied_seq, "known_seq",
                                        (json_int_t)off->known_last_seq, "lag", (json_int_t)lag,
                                        "diverged", off->diverged));
}

bool svc_caught_up(as_service_t *self, json_t *sources)
{
    s_source_walk_t w = {.caught_up = true, .sources = sources};
    as_sub_each_source(self->sub, s_source_health, &w);
    return w.caught_up;
}

static void s_counter(as_metrics_text_t *t, const char *name, const char *type, const char *help,
                      const char *svc, double value)
{
    as_metrics_family(t, name, type, help);
    as_metrics_sample(t, name, value, "service", svc, NULL);
}

int svc_metrics_text(void *arg, as_metrics_text_t *t)
{
    as_service_t *self = arg;
    const char *svc = self->def->name;
    const as_sub_counters_t *sc = as_sub_counters(self->sub);
    as_metrics_family(t, "as_build_info", "gauge", "The build: its version (git describe).");
    as_metrics_sample(t, "as_build_info", 1, "service", svc, "version", as_version(), "source",
                      self->source, NULL);
    s_counter(t, "as_process_start_time_seconds", "gauge",
              "When the daemon started, seconds since 1970.", svc, (double)self->started_us / 1e6);
    as_metrics_write(self->metrics, svc, t);
    static const char *const families[][3] = {
        {"as_source_lag_events", "gauge",
         "Events a followed source announced that are not applied here yet."},
        {"as_source_applied_seq", "gauge", "The last seq of the source applied here."},
        {"as_source_known_seq", "gauge",
         "The source's last seq as its heartbeats and replay answers say."},
        {"as_source_diverged", "gauge",
         "1 while the source's history changed under this daemon (asctl source accept)."},
        {"as_source_replay_requests_total", "counter", "Replay requests sent to the source."},
        {"as_source_lost_total", "counter",
         "Events of a best-effort source skipped over gaps, never received."},
    };
    s_source_walk_t w = {.text = t, .service = svc};
    for (w.pass = 0; w.pass < 6; w.pass++) {
        as_metrics_family(t, families[w.pass][0], families[w.pass][1], families[w.pass][2]);
        as_sub_each_source(self->sub, s_source_metric, &w);
    }
    s_counter(t, "as_caught_up", "gauge", "1 when every followed source is applied here.", svc,
              svc_caught_up(self, NULL) ? 1 : 0);
    s_counter(t, "as_replay_requests_sent_total", "counter",
              "Replay requests sent to sources (gaps, catch-up, time-outs).", svc,
              (double)sc->replays_sent);
    s_counter(t, "as_replay_events_received_total", "counter",
              "Events received through replay answers.", svc, (double)sc->replay_events);
    s_counter(t, "as_frames_rejected_total", "counter",
              "Frames refused: malformed, oversized, or not decoding (commands, events, replays).",
              svc,
              (double)(self->counters.frames_rejected + sc->rejected_frames +
                       as_rpc_server_malformed(self->rpc)));
    s_counter(t, "as_events_forged_total", "counter",
              "Events refused because they claim a source their sender does not own.", svc,
              (double)sc->forged);
    s_counter(t, "as_events_unknown_source_total", "counter",
              "Events and heartbeats of sources this daemon does not follow: ignored.", svc,
              (double)sc->unfollowed);
    s_counter(t, "as_events_diverged_total", "counter",
              "Events refused because their source's history changed (restored store).", svc,
              (double)sc->diverged_events);
    s_counter(t, "as_events_duplicate_total", "counter", "Events dropped as already applied.", svc,
              (double)sc->duplicates);
    s_counter(t, "as_gaps_total", "counter", "Gaps noticed in a source's events.", svc,
              (double)sc->gaps);
    s_counter(t, "as_outbox_last_seq", "gauge", "The last seq this daemon committed.", svc,
              (double)as_pub_last_seq(self->pub));
    s_counter(t, "as_publish_dropped_total", "counter",
              "Events not sent at once (high-water mark): consumers replay them.", svc,
              (double)as_pub_send_dropped(self->pub));
    s_store_figures_t f = s_store_figures(self);
    s_counter(t, "as_store_used_bytes", "gauge", "Bytes of the store's pages in use.", svc, f.used);
    s_counter(t, "as_store_map_bytes", "gauge",
              "The store's LMDB map size (it grows by doubling when full).", svc, f.map);
    s_counter(t, "as_store_map_growths_total", "counter", "Times the map grew since start.", svc,
              (double)as_store_grows(self->store));
    s_counter(t, "as_store_commits_total", "counter", "Write transactions committed.", svc,
              (double)as_store_commits(self->store));
    s_counter(t, "as_store_disk_free_bytes", "gauge", "Room left on the store's file system.", svc,
              f.disk_free);
    s_counter(t, "as_store_writable", "gauge",
              "1 when the last write committed and the disk has room.", svc,
              s_store_writable(self, &f) ? 1 : 0);
    return 200;
}

/* /health: 200 when the store is writable and the daemon is caught up, else
 * 503; the JSON says which and why. */
int svc_health_text(void *arg, as_metrics_text_t *t)
{
    as_service_t *self = arg;
    s_store_figures_t f = s_store_figures(self);
    bool writable = s_store_writable(self, &f);
    json_t *sources = json_array();
    bool caught_up = svc_caught_up(self, sources);
    json_t *h =
        json_pack("{s:b,s:b,s:b,s:s,s:s,s:s,s:I,s:I,s:o}", "up", 1, "caught_up", caught_up,
                  "store_writable", writable, "service", self->def->name, "source", self->source,
                  "version", as_version(), "started_us", (json_int_t)self->started_us, "last_seq",
                  (json_int_t)as_pub_last_seq(self->pub), "sources", sources);
    char *text = h ? json_dumps(h, JSON_COMPACT) : NULL;
    json_decref(h);
    if (text)
        as_metrics_printf(t, "%s\n", text);
    else
        t->failed = true;
    free(text);
    return caught_up && writable ? 200 : 503;
}
