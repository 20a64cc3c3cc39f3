/* asbus — the stateless XSUB/XPUB forwarder of the after-sales bus.
 *
 * Publishers connect to the XSUB endpoint(s), subscribers to the XPUB
 * endpoint(s); a proxy loop on a worker thread moves events down and
 * subscriptions up. The main thread runs a libuv loop that only waits for
 * SIGTERM/SIGINT (then asks the proxy to terminate over an inproc PAIR, as
 * zmq_proxy_steerable's TERMINATE, and logs its counters once it is joined) or
 * for the proxy to end on its own.
 *
 * Under CURVE, only the owner of a source may publish as it: the identity the
 * ZAP handler gave the publishing connection ("User-Id") must be the source's
 * service name (workshop owns workshop@<this site>) or, for another site's
 * source, the whole source name (a key named "workshop@site-b"). Connections
 * over ipc:// ("local") are trusted: their socket files sit in a directory
 * only the service user can reach. Everything else is dropped here, counted
 * per (identity, claimed source) and logged, so no consumer ever sees it.
 * This is checked here rather than by each consumer because the publishing
 * connection's identity does not survive the forwarder hop (a consumer only
 * sees the forwarder's), and signing every event would cost CPU per event
 * per consumer; each forwarder checks its own publishers, and replay answers
 * come straight from the source's endpoint, whose CURVE server key the
 * consumer checks (common/sub.c).
 *
 * asbus keeps no state: a restart loses what was in flight, which the
 * reliability protocol (sequence numbers, heartbeats, replay) recovers.
 *
 * With [NAME] upstream = EP the XPUB also connects to a group bus's XSUB: the
 * site bus is a publisher there, the group's subscriptions come down and only
 * what they name goes up (upstream.h).
 *
 * With [NAME] metrics_listen = host:port the main thread's loop serves GET
 * /metrics (as_bus_* counters) and /health (metrics_http.h). The worker is
 * the counters' only writer (S_COUNT: a relaxed atomic store, a plain move
 * on x86), the loop reads them with relaxed atomic loads.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>
#include <zmq.h>

#include "as/notify.h"
#include "as/version.h"
#include "as/config.h"
#include "as/config_schema.h"
#include "as/envelope.h"
#include "as/error.h"
#include "as/log.h"
#include "as/loop.h"
#include "as/metrics.h"
#include "as/metrics_http.h"
#include "as/security.h"
#include "upstream.h"

/* Exit codes from sysexits.h. */
#define S_EXIT_USAGE 64
#define S_EXIT_UNAVAILABLE 69 /* cannot bind */
#define S_EXIT_SOFTWARE 70    /* the proxy failed */
#define S_EXIT_CONFIG 78

#define S_DEFAULT_NAME "bus"
#define S_DEFAULT_HWM 1000000
#define S_DEFAULT_MAX_FRAME (16LL * 1024 * 1024)
#define S_LINGER_MS 100 /* let in-flight events leave on a clean stop */
#define S_CONTROL_TIMEOUT_MS 2000
#define S_ENDPOINTS_MAX 8 /* per direction */
#define S_BURST 1000      /* messages moved per direction per turn, as zmq_proxy */
#define S_REFUSALS_MAX 64 /* (identity, source) pairs named in the log at stop */

/* The worker adds to a counter the loop may read at the same time. */
#define S_COUNT(field, n) __atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)
#define S_READ(field) ((double)__atomic_load_n(&(field), __ATOMIC_RELAXED))

/* Messages refused from one identity claiming one source. */
typedef struct s_refusal {
    char identity[AS_NAME_MAX + 1]; /* the publisher's ZAP identity */
    char source[AS_NAME_MAX + 1];   /* the source it claimed ("?" when unreadable) */
    char topic[AS_NAME_MAX + 1];    /* the last one's topic: what it tried */
    uint64_t count;
} s_refusal_t;

typedef struct s_args {
    const char *config_path; /* --config, or NULL */
    const char *name;        /* config section and security identity */
    const char *xsub;        /* --xsub, or NULL for NAME.xsub */
    const char *xpub;        /* --xpub, or NULL for NAME.xpub */
    const char *upstream;    /* --upstream, or NULL for NAME.upstream (none when unset) */
    bool check_config;       /* --check-config: check the file, start nothing */
    int log_level;           /* --log-level, or -1 for AS_LOG or info */
} s_args_t;

typedef struct s_bus {
    void *zctx;                 /* the process's only context */
    void *xsub;                 /* publishers connect here */
    void *xpub;                 /* subscribers connect here */
    void *control;              /* PAIR given to the proxy */
    void *steer;                /* PAIR the main thread steers the proxy with */
    pthread_t thread;           /* runs the proxy loop */
    bool thread_running;        /* started and not yet joined */
    int proxy_rc;               /* what the proxy loop returned */
    int proxy_errno;            /* its errno when it failed */
    uv_loop_t loop;             /* waits for signals and the proxy's end */
    uv_async_t proxy_done;      /* sent by the worker when the proxy returns */
    as_signals_t *signals;      /* SIGTERM / SIGINT */
    bool stopping;              /* a signal asked us to stop */
    as_metrics_http_t *metrics; /* [NAME] metrics_listen, else NULL */
    const char *name;           /* the section: the service label */
    int64_t started_us;
    char bound_xsub[512]; /* endpoints actually bound, for the log */
    char bound_xpub[512];
    char upstream[512]; /* group bus endpoint(s) the XPUB connects to (upstream.h) */
    /* the proxy's own, read by the main thread only after it is joined */
    bool check_owners;        /* CURVE on: publishers must own their sources */
    char site[AS_NAME_MAX];   /* [site] name: whose sources "workshop" owns */
    uint64_t forwarded;       /* messages sent on to the subscribers */
    uint64_t forwarded_bytes; /* their bytes */
    uint64_t subscriptions;   /* subscription messages sent on to the publishers */
    uint64_t refused;         /* messages refused, all identities */
    s_refusal_t refusals[S_REFUSALS_MAX];
    size_t n_refusals;
} s_bus_t;

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: asbus [--config FILE] [--name NAME] [--xsub EP] [--xpub EP] [--upstream EP]\n"
            "             [--check-config] [--log-level LEVEL] [--version] [--help]\n"
            "\n"
            "Forwards every event published to the XSUB endpoint(s) to the subscribers\n"
            "of the XPUB endpoint(s), and their subscriptions back to the publishers.\n"
            "\n"
            "  --config FILE  the site config (INI); settings come from section [NAME]\n"
            "  --name NAME    this forwarder's section and key identity (default: bus)\n"
            "  --xsub EP      endpoint(s) publishers connect to, comma-separated\n"
            "                 (overrides NAME.xsub)\n"
            "  --xpub EP      endpoint(s) subscribers connect to (overrides NAME.xpub)\n"
            "  --upstream EP  a group bus's xsub endpoint(s) this site bus forwards to: what\n"
            "                 the group subscribes to travels up (overrides NAME.upstream)\n"
            "  --check-config check FILE (every section and key), print 'config ok' or\n"
            "                 each problem with its line, start nothing\n"
            "  --log-level L  debug, info, warn or error (default $AS_LOG or info)\n"
            "  --version      print \"asbus VERSION\"\n"
            "  --help         show this text\n"
            "\n"
            "Keys of [NAME]: xsub, xpub, hwm (default 1000000), max_frame (default 16M),\n"
            "upstream, upstream_key (default group-bus).\n"
            "CURVE on tcp:// endpoints when [security] curve = on; to a group bus with the\n"
            "key KEYS_DIR/bus@SITE.key.\n"
            "Exit status: 0 stopped by SIGTERM/SIGINT, 64 usage, 69 cannot bind,\n"
            "70 internal error, 78 configuration error.\n");
}

/* Returns 0, 1 for --help, or S_EXIT_USAGE. */
static int s_parse_args(int argc, char **argv, s_args_t *args)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"name", required_argument, NULL, 'n'},
        {"xsub", required_argument, NULL, 's'},
        {"xpub", required_argument, NULL, 'p'},
        {"upstream", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {"check-config", no_argument, NULL, 'k'},
        {"log-level", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    *args = (s_args_t){.name = S_DEFAULT_NAME, .log_level = -1};
    int opt;
    while ((opt = getopt_long(argc, argv, "c:n:s:p:u:hkl:", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            args->config_path = optarg;
            break;
        case 'n':
            args->name = optarg;
            break;
        case 's':
            args->xsub = optarg;
            break;
        case 'p':
            args->xpub = optarg;
            break;
        case 'u':
            args->upstream = optarg;
            break;
        case 'k':
            args->check_config = true;
            break;
        case 'l':
            if ((args->log_level = as_log_level_parse(optarg)) < 0) {
                fprintf(stderr,
                        "asbus: --log-level '%s' is not a level (debug, info, warn, error)\n",
                        optarg);
                return S_EXIT_USAGE;
            }
            break;
        case 'h':
            return 1;
        default:
            return S_EXIT_USAGE; /* getopt said what */
        }
    }
    if (optind < argc) {
        fprintf(stderr, "asbus: unexpected argument '%s'\n", argv[optind]);
        return S_EXIT_USAGE;
    }
    if (!*args->name) {
        fprintf(stderr, "asbus: --name must not be empty\n");
        return S_EXIT_USAGE;
    }
    return 0;
}

/* True when a process already listens on the ipc:// endpoint's file: libzmq
 * would silently unlink it and take the endpoint over. */
static bool s_ipc_in_use(const char *endpoint)
{
    const char *path = endpoint + strlen("ipc://");
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (*path == '@' || strcmp(path, "*") == 0 || strlen(path) >= sizeof addr.sun_path)
        return false; /* abstract or wildcard: bind itself reports a clash */
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool in_use = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    close(fd);
    return in_use;
}

/* Binds `sock` on every comma-separated endpoint of `list`, with security.
 * Appends what was bound to `bound`. Returns 0 or an exit code. */
static int s_bind_all(void *sock, const char *role, const char *list, as_security_t *security,
                      char *bound, size_t bound_len)
{
    char **items = NULL;
    int count = as_list_split(list, &items);
    if (count < 0)
        return S_EXIT_SOFTWARE;
    int rc = 0;
    if (count > S_ENDPOINTS_MAX) {
        as_error("asbus: more than %d %s endpoints", S_ENDPOINTS_MAX, role);
        rc = S_EXIT_CONFIG;
    }
    for (char **it = items; rc == 0 && *it; it++) {
        const char *item = *it;
        int err = as_security_server(security, sock, item);
        if (err != 0) {
            as_error("asbus: cannot secure %s endpoint '%s': %s", role, item, as_strerror(err));
            rc = S_EXIT_CONFIG;
            break;
        }
        char why[512];
        if (as_ipc_dir_check(item, why, sizeof why) != 0) {
            as_error("asbus: cannot bind %s: %s", role, why);
            rc = S_EXIT_CONFIG;
            break;
        }
        if (strncmp(item, "ipc://", 6) == 0 && s_ipc_in_use(item)) {
            as_error("asbus: cannot bind %s '%s': another process is listening there", role, item);
            rc = S_EXIT_UNAVAILABLE;
            break;
        }
        if (zmq_bind(sock, item) != 0) {
            as_error("asbus: cannot bind %s '%s': %s", role, item, zmq_strerror(zmq_errno()));
            rc = S_EXIT_UNAVAILABLE;
            break;
        }
        char last[256] = "";
        size_t last_len = sizeof last;
        if (zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, last, &last_len) != 0 || !*last)
            snprintf(last, sizeof last, "%s", item);
        size_t used = strlen(bound);
        snprintf(bound + used, bound_len - used, "%s%s", used ? "," : "", last);
    }
    if (rc == 0 && count == 0) {
        as_error("asbus: no %s endpoint", role);
        rc = S_EXIT_CONFIG;
    }
    as_config_list_free(&items);
    return rc;
}

static int s_set_int(void *sock, int option, int value)
{
    return zmq_setsockopt(sock, option, &value, sizeof value);
}

/* Creates, configures and binds both sockets. Returns 0 or an exit code. */
static int s_bus_bind(s_bus_t *bus, as_config_t *cfg, const s_args_t *args, as_security_t *security)
{
    const char *xsub = args->xsub ? args->xsub : as_config_get(cfg, args->name, "xsub", NULL);
    const char *xpub = args->xpub ? args->xpub : as_config_get(cfg, args->name, "xpub", NULL);
    if (!xsub || !xpub) {
        if (args->config_path)
            as_error("asbus: %s has no [%s] %s (and no --%s was given)", args->config_path,
                     args->name, xsub ? "xpub" : "xsub", xsub ? "xpub" : "xsub");
        else
            as_error("asbus: give --config FILE or both --xsub and --xpub");
        return args->config_path ? S_EXIT_CONFIG : S_EXIT_USAGE;
    }

    long long hwm = S_DEFAULT_HWM, max_frame = S_DEFAULT_MAX_FRAME;
    if (as_config_schema_key(cfg, args->name, "hwm") &&
        as_config_read_int(cfg, args->name, "hwm", &hwm) != 0) {
        as_error("asbus: [%s] hwm = '%s' is not a count from 0 (no limit) to 2147483647",
                 args->name, as_config_get(cfg, args->name, "hwm", ""));
        return S_EXIT_CONFIG;
    }
    if (as_config_schema_key(cfg, args->name, "max_frame") &&
        as_config_read_int(cfg, args->name, "max_frame", &max_frame) != 0) {
        as_error("asbus: [%s] max_frame = '%s' is not a size in bytes (e.g. 16M)", args->name,
                 as_config_get(cfg, args->name, "max_frame", ""));
        return S_EXIT_CONFIG;
    }

    bus->xsub = zmq_socket(bus->zctx, ZMQ_XSUB);
    bus->xpub = zmq_socket(bus->zctx, ZMQ_XPUB);
    if (!bus->xsub || !bus->xpub)
        return S_EXIT_SOFTWARE;
    int64_t max_msg = max_frame;
    void *both[] = {bus->xsub, bus->xpub};
    for (int i = 0; i < 2; i++) {
        if (s_set_int(both[i], ZMQ_SNDHWM, (int)hwm) != 0 ||
            s_set_int(both[i], ZMQ_RCVHWM, (int)hwm) != 0 ||
            s_set_int(both[i], ZMQ_LINGER, S_LINGER_MS) != 0)
            return S_EXIT_SOFTWARE;
    }
    if (zmq_setsockopt(bus->xsub, ZMQ_MAXMSGSIZE, &max_msg, sizeof max_msg) != 0)
        return S_EXIT_SOFTWARE;

    int rc = s_bind_all(bus->xsub, "xsub", xsub, security, bus->bound_xsub, sizeof bus->bound_xsub);
    if (rc == 0)
        rc = s_bind_all(bus->xpub, "xpub", xpub, security, bus->bound_xpub, sizeof bus->bound_xpub);
    /* a chain: after every bind (CURVE options are taken per bind/connect) */
    const char *upstream =
        args->upstream ? args->upstream : as_config_get(cfg, args->name, "upstream", NULL);
    if (rc == 0 && upstream && *upstream &&
        bus_upstream_connect(bus->xpub, cfg, args->name, upstream, as_security_curve(security),
                             bus->site, S_ENDPOINTS_MAX, bus->upstream, sizeof bus->upstream) != 0)
        rc = S_EXIT_CONFIG;
    return rc;
}

static void s_on_stop(void *arg)
{
    s_bus_t *bus = arg;
    if (bus->stopping)
        return;
    bus->stopping = true;
    as_info("asbus: stopping");
    if (zmq_send(bus->steer, "TERMINATE", 9, 0) != 9)
        as_error("asbus: cannot stop the proxy: %s", zmq_strerror(zmq_errno()));
}

static void s_on_proxy_done(uv_async_t *handle)
{
    s_bus_t *bus = handle->data;
    as_signals_destroy(&bus->signals);
    uv_close((uv_handle_t *)&bus->proxy_done, NULL);
    uv_stop(&bus->loop); /* the metrics port stops after the loop returns */
}

/* --- /metrics and /health ([NAME] metrics_listen) ------------------------------- */

static void s_bus_counter(as_metrics_text_t *t, const char *name, const char *help, const char *svc,
                          double value)
{
    as_metrics_family(t, name, "counter", help);
    as_metrics_sample(t, name, value, "service", svc, NULL);
}

static int s_bus_metrics(void *arg, as_metrics_text_t *t)
{
    s_bus_t *bus = arg;
    as_metrics_family(t, "as_build_info", "gauge", "The build: its version (git describe).");
    as_metrics_sample(t, "as_build_info", 1, "service", bus->name, "version", as_version(), NULL);
    as_metrics_family(t, "as_process_start_time_seconds", "gauge",
                      "When the daemon started, seconds since 1970.");
    as_metrics_sample(t, "as_process_start_time_seconds", (double)bus->started_us / 1e6, "service",
                      bus->name, NULL);
    s_bus_counter(t, "as_bus_forwarded_total", "Messages sent on to the subscribers.", bus->name,
                  S_READ(bus->forwarded));
    s_bus_counter(t, "as_bus_forwarded_bytes_total", "Bytes of the messages sent on.", bus->name,
                  S_READ(bus->forwarded_bytes));
    s_bus_counter(t, "as_bus_subscriptions_total", "Subscription messages sent on to publishers.",
                  bus->name, S_READ(bus->subscriptions));
    s_bus_counter(t, "as_events_forged_total",
                  "Messages refused: their publisher does not own the source they claim (CURVE).",
                  bus->name, S_READ(bus->refused));
    return 200;
}

static int s_bus_health(void *arg, as_metrics_text_t *t)
{
    s_bus_t *bus = arg;
    bool up = bus->thread_running && !bus->stopping;
    as_metrics_printf(t, "{\"up\":%s,\"service\":\"%s\",\"version\":\"%s\"}\n",
                      up ? "true" : "false", bus->name, as_version());
    return up ? 200 : 503;
}

/* --- the proxy (worker thread) --------------------------------------------- */

/* True when `identity` owns `source`: the service's name for this site's
 * sources, the whole source name for another site's, and at a group bus a
 * site bus's key "bus@<site>" every source of its site (upstream.h). */
static bool s_owns(const s_bus_t *bus, const char *identity, const char *source)
{
    if (strcmp(identity, source) == 0 || bus_upstream_owns(identity, source))
        return true;
    const char *at = strchr(source, '@');
    size_t service_len = (size_t)(at - source);
    return strlen(identity) == service_len && memcmp(identity, source, service_len) == 0 &&
           strcmp(at + 1, bus->site) == 0;
}

/* Counts a refused message and logs it the 1st, 2nd, 4th, 8th... time for
 * its (identity, source) pair. */
static void s_refuse(s_bus_t *bus, const char *identity, const char *source, const char *topic,
                     size_t topic_len, const char *why)
{
    S_COUNT(bus->refused, 1);
    s_refusal_t *r = NULL;
    for (size_t i = 0; i < bus->n_refusals && !r; i++)
        if (strcmp(bus->refusals[i].identity, identity) == 0 &&
            strcmp(bus->refusals[i].source, source) == 0)
            r = &bus->refusals[i];
    if (!r && bus->n_refusals < S_REFUSALS_MAX) {
        r = &bus->refusals[bus->n_refusals++];
        snprintf(r->identity, sizeof r->identity, "%s", identity);
        snprintf(r->source, sizeof r->source, "%s", source);
    }
    uint64_t count = bus->refused;
    if (r) {
        size_t len = topic_len < sizeof r->topic ? topic_len : sizeof r->topic - 1;
        memcpy(r->topic, topic, len);
        r->topic[len] = '\0';
        count = ++r->count;
    }
    if ((count & (count - 1)) == 0)
        as_warn("asbus: refused '%.*s' of source '%s' from '%s': %s (%llu refused from '%s' as "
                "'%s' so far)",
                (int)(topic_len > AS_NAME_MAX ? AS_NAME_MAX : topic_len), topic, source, identity,
                why, (unsigned long long)count, identity, source);
}

/* Decides whether the message [topic][body] from `identity` may go on. */
static bool s_may_publish(s_bus_t *bus, const char *identity, zmq_msg_t *topic, zmq_msg_t *body,
                          bool well_formed)
{
    const char *topic_text = zmq_msg_data(topic);
    size_t topic_len = zmq_msg_size(topic);
    char source[AS_NAME_MAX + 1] = "?";
    int rc = well_formed ? as_envelope_claimed_source(topic_text, topic_len, zmq_msg_data(body),
                                                      zmq_msg_size(body), source, sizeof source)
                         : AS_EBADFRAME;
    if (rc != 0) {
        if (rc == AS_EBADFRAME)
            snprintf(source, sizeof source, "?");
        s_refuse(bus, identity, source, topic_text, topic_len,
                 rc == AS_EBADFRAME ? "not an event or heartbeat of our protocol"
                                    : "the topic is not '<the source's site>/<its service>.'");
        return false;
    }
    if (!s_owns(bus, identity, source)) {
        s_refuse(bus, identity, source, topic_text, topic_len,
                 "only the source's own key may publish as it");
        return false;
    }
    return true;
}

/* Receives the rest of a message whose first frame was read, and drops it. */
static void s_drain(void *sock, bool more)
{
    while (more) {
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, sock, 0) < 0) {
            zmq_msg_close(&frame);
            return;
        }
        more = zmq_msg_more(&frame);
        zmq_msg_close(&frame);
    }
}

/* Moves the rest of a message from `from` to `to` frame by frame (zero
 * copy), counting bytes. Returns 0 or -1 (errno set by libzmq). */
static int s_relay_rest(void *from, void *to, bool more, uint64_t *bytes)
{
    while (more) {
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, from, 0) < 0) {
            zmq_msg_close(&frame);
            return -1;
        }
        more = zmq_msg_more(&frame);
        *bytes += zmq_msg_size(&frame);
        if (zmq_msg_send(&frame, to, more ? ZMQ_SNDMORE : 0) < 0) {
            zmq_msg_close(&frame);
            return -1;
        }
    }
    return 0;
}

/* One message from a publisher: checked under CURVE, then sent on to the
 * subscribers. Returns 1 when one was read, 0 when none waited, -1 on error. */
static int s_forward_event(s_bus_t *bus)
{
    zmq_msg_t topic, body;
    zmq_msg_init(&topic);
    if (zmq_msg_recv(&topic, bus->xsub, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&topic);
        return zmq_errno() == EAGAIN ? 0 : -1;
    }
    bool more = zmq_msg_more(&topic);
    const char *identity = bus->check_owners ? zmq_msg_gets(&topic, "User-Id") : NULL;
    if (!identity || strcmp(identity, AS_LOCAL_IDENTITY) == 0) {
        uint64_t bytes = zmq_msg_size(&topic);
        int rc = zmq_msg_send(&topic, bus->xpub, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
        if (rc == 0)
            rc = s_relay_rest(bus->xsub, bus->xpub, more, &bytes);
        else
            zmq_msg_close(&topic);
        S_COUNT(bus->forwarded, 1);
        S_COUNT(bus->forwarded_bytes, bytes);
        return rc == 0 ? 1 : -1;
    }
    /* an event is exactly [topic][body]: read both, then decide */
    zmq_msg_init(&body);
    bool well_formed = more && zmq_msg_recv(&body, bus->xsub, 0) >= 0;
    if (well_formed && zmq_msg_more(&body)) {
        well_formed = false;
        s_drain(bus->xsub, true);
    }
    int rc = 1;
    if (s_may_publish(bus, identity, &topic, &body, well_formed)) {
        S_COUNT(bus->forwarded, 1);
        S_COUNT(bus->forwarded_bytes, zmq_msg_size(&topic) + zmq_msg_size(&body));
        if (zmq_msg_send(&topic, bus->xpub, ZMQ_SNDMORE) < 0 ||
            zmq_msg_send(&body, bus->xpub, 0) < 0)
            rc = -1;
    }
    zmq_msg_close(&topic);
    zmq_msg_close(&body);
    return rc;
}

/* One subscription message from a subscriber, sent on to the publishers. */
static int s_forward_subscription(s_bus_t *bus)
{
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    if (zmq_msg_recv(&frame, bus->xpub, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&frame);
        return zmq_errno() == EAGAIN ? 0 : -1;
    }
    bool more = zmq_msg_more(&frame);
    uint64_t bytes = zmq_msg_size(&frame);
    int rc = zmq_msg_send(&frame, bus->xsub, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
    if (rc == 0)
        rc = s_relay_rest(bus->xpub, bus->xsub, more, &bytes);
    else
        zmq_msg_close(&frame);
    S_COUNT(bus->subscriptions, 1);
    return rc == 0 ? 1 : -1;
}

/* Reads a command on the control pair: 0 for TERMINATE, 1 to go on. */
static int s_control(s_bus_t *bus)
{
    char command[32];
    int len = zmq_recv(bus->control, command, sizeof command, ZMQ_DONTWAIT);
    return len == 9 && memcmp(command, "TERMINATE", 9) == 0 ? 0 : 1;
}

/* The proxy loop. Returns 0 when told to terminate, -1 when a socket failed. */
static int s_proxy_run(s_bus_t *bus)
{
    zmq_pollitem_t items[] = {{bus->xsub, 0, ZMQ_POLLIN, 0},
                              {bus->xpub, 0, ZMQ_POLLIN, 0},
                              {bus->control, 0, ZMQ_POLLIN, 0}};
    while (true) {
        if (zmq_poll(items, 3, -1) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            return -1;
        }
        if ((items[2].revents & ZMQ_POLLIN) && s_control(bus) == 0)
            return 0;
        int rc = 1;
        for (int i = 0; i < S_BURST && rc == 1 && (items[0].revents & ZMQ_POLLIN); i++)
            rc = s_forward_event(bus);
        if (rc < 0)
            return -1;
        rc = 1;
        for (int i = 0; i < S_BURST && rc == 1 && (items[1].revents & ZMQ_POLLIN); i++)
            rc = s_forward_subscription(bus);
        if (rc < 0)
            return -1;
    }
}

static void *s_proxy_thread(void *arg)
{
    s_bus_t *bus = arg;
    bus->proxy_rc = s_proxy_run(bus);
    bus->proxy_errno = bus->proxy_rc == 0 ? 0 : zmq_errno();
    uv_async_send(&bus->proxy_done);
    return NULL;
}

/* Sets up the control pair, the loop and the worker. Returns 0 or an exit code. */
static int s_bus_start(s_bus_t *bus)
{
    bus->control = zmq_socket(bus->zctx, ZMQ_PAIR);
    bus->steer = zmq_socket(bus->zctx, ZMQ_PAIR);
    if (!bus->control || !bus->steer || s_set_int(bus->control, ZMQ_LINGER, 0) != 0 ||
        s_set_int(bus->steer, ZMQ_LINGER, 0) != 0 ||
        s_set_int(bus->steer, ZMQ_SNDTIMEO, S_CONTROL_TIMEOUT_MS) != 0 ||
        zmq_bind(bus->control, "inproc://asbus-control") != 0 ||
        zmq_connect(bus->steer, "inproc://asbus-control") != 0) {
        as_error("asbus: cannot make the control pair: %s", zmq_strerror(zmq_errno()));
        return S_EXIT_SOFTWARE;
    }

    bus->proxy_done.data = bus;
    if (uv_async_init(&bus->loop, &bus->proxy_done, s_on_proxy_done) != 0)
        return S_EXIT_SOFTWARE;
    bus->signals = as_signals_new(&bus->loop, s_on_stop, bus);
    if (!bus->signals)
        return S_EXIT_SOFTWARE;

    /* The worker takes no signals: an EINTR would interrupt the proxy loop. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int err = pthread_create(&bus->thread, NULL, s_proxy_thread, bus);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        as_error("asbus: cannot start the proxy thread: %s", strerror(err));
        return S_EXIT_SOFTWARE;
    }
    bus->thread_running = true;
    return 0;
}

/* Joins the worker and logs how it ended. Returns the exit code. */
static int s_bus_finish(s_bus_t *bus)
{
    pthread_join(bus->thread, NULL);
    bus->thread_running = false;
    if (!bus->stopping || bus->proxy_rc != 0) {
        as_error("asbus: the proxy stopped: %s",
                 bus->proxy_rc != 0 ? zmq_strerror(bus->proxy_errno) : "unexpectedly");
        return S_EXIT_SOFTWARE;
    }
    for (size_t i = 0; i < bus->n_refusals; i++) {
        const s_refusal_t *r = &bus->refusals[i];
        as_warn("asbus: refused %llu messages of source '%s' from '%s' (the last: '%s')",
                (unsigned long long)r->count, r->source, r->identity, r->topic);
    }
    as_info("asbus: stopped; forwarded %llu messages (%llu bytes) to subscribers, "
            "%llu subscription messages to publishers; refused %llu messages from "
            "publishers that do not own their source",
            (unsigned long long)bus->forwarded, (unsigned long long)bus->forwarded_bytes,
            (unsigned long long)bus->subscriptions, (unsigned long long)bus->refused);
    return 0;
}

static void s_close(void **sock_p)
{
    if (*sock_p) {
        zmq_close(*sock_p);
        *sock_p = NULL;
    }
}

int main(int argc, char **argv)
{
    if (as_version_option(argc, argv))
        return 0;
    s_args_t args;
    int rc = s_parse_args(argc, argv, &args);
    if (rc == 1) {
        s_usage(stdout);
        return 0;
    }
    if (rc != 0) {
        s_usage(stderr);
        return rc;
    }
    as_log_init(args.name, AS_LOG_INFO);
    if (args.log_level >= 0)
        as_log_set_level((as_log_level_t)args.log_level);

    as_config_t *cfg = NULL;
    if (args.config_path) {
        char *why = NULL;
        cfg = as_config_load(args.config_path, &why);
        if (!cfg) {
            as_error("asbus: cannot load config: %s", why ? why : args.config_path);
            free(why);
            return S_EXIT_CONFIG;
        }
        if (args.check_config) {
            int problems = as_config_check_print(cfg, args.name, true);
            as_config_destroy(&cfg);
            if (problems == 0)
                printf("config ok\n");
            return problems == 0 ? 0 : S_EXIT_CONFIG;
        }
        if (as_config_check_print(cfg, args.name, false) != 0) {
            as_config_destroy(&cfg);
            return S_EXIT_CONFIG;
        }
        if (!as_config_has_section(cfg, args.name) && (!args.xsub || !args.xpub))
            as_warn("asbus: %s has no section [%s]", args.config_path, args.name);
    } else if (args.check_config) {
        fprintf(stderr, "asbus: --check-config needs --config FILE\n");
        return S_EXIT_USAGE;
    } else {
        cfg = as_config_new();
        if (!cfg)
            return S_EXIT_SOFTWARE;
    }

    s_bus_t bus = {0};
    int err = 0;
    as_security_t *security = as_security_new(cfg, args.name, &err);
    if (!security) {
        as_error("asbus: security: %s", as_strerror(err));
        rc = S_EXIT_CONFIG;
        goto destroy_config;
    }
    bus.zctx = zmq_ctx_new();
    if (!bus.zctx) {
        rc = S_EXIT_SOFTWARE;
        goto destroy_security;
    }
    /* The ZAP handler must be bound before any socket binds. */
    err = as_security_start(security, bus.zctx);
    if (err != 0) {
        as_error("asbus: cannot start the ZAP handler: %s", as_strerror(err));
        rc = S_EXIT_CONFIG;
        goto term_context;
    }
    if (uv_loop_init(&bus.loop) != 0) {
        rc = S_EXIT_SOFTWARE;
        goto term_context;
    }
    bus.check_owners = as_security_curve(security);
    snprintf(bus.site, sizeof bus.site, "%s", as_config_get(cfg, "site", "name", "local"));
    rc = s_bus_bind(&bus, cfg, &args, security);
    if (rc == 0)
        rc = s_bus_start(&bus);
    if (rc != 0)
        goto close_loop;

    as_info("asbus: forwarding %s -> %s%s%s%s", bus.bound_xsub, bus.bound_xpub,
            *bus.upstream ? " and up to " : "", bus.upstream,
            as_security_curve(security) ? " (CURVE on tcp)" : "");
    bus.name = args.name;
    bus.started_us = as_now_us();
    bus.metrics = as_metrics_http_from_config(&bus.loop, cfg, args.name, s_bus_metrics,
                                              s_bus_health, &bus, &err);
    if (err != 0) {
        rc = err == AS_ECONFIG ? S_EXIT_CONFIG : S_EXIT_UNAVAILABLE;
        goto close_loop;
    }
    as_notify_ready(&bus.loop, "forwarding");
    uv_run(&bus.loop, UV_RUN_DEFAULT);
    as_notify_stopping();
    as_metrics_http_stop(&bus.metrics);
    rc = s_bus_finish(&bus);

close_loop:
    if (bus.thread_running) {
        s_on_stop(&bus);
        pthread_join(bus.thread, NULL);
    }
    as_metrics_http_stop(&bus.metrics);
    as_signals_destroy(&bus.signals);
    as_loop_close(&bus.loop);
    s_close(&bus.steer);
    s_close(&bus.control);
    s_close(&bus.xpub);
    s_close(&bus.xsub);
term_context:
    /* servers are closed; now the ZAP handler may go */
    as_security_destroy(&security);
    zmq_ctx_term(bus.zctx);
destroy_security:
    as_security_destroy(&security);
destroy_config:
    as_config_destroy(&cfg);
    return rc;
}
