/* asctl tap — shows events live; --since SOURCE:SEQ replays history first. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "as/calendar.h"
#include "as/catalog.h"
#include "as/envelope.h"
#include "as/error.h"
#include "as/human.h"
#include "as/loop.h"
#include "as/pbjson.h"
#include "as/rpc.h"
#include "asctl.h"

#define TAP_SOURCES_MAX 256

static volatile sig_atomic_t s_interrupted;

static void s_on_signal(int signum)
{
    (void)signum;
    s_interrupted = 1;
}

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: asctl tap [PREFIX...] [OPTIONS]\n"
            "\n"
            "Prints the events passing on the bus whose type starts with a PREFIX (all when\n"
            "none is given), one per line, until interrupted: this site's events (the\n"
            "config's [site] name), or another's with --site, or every site's.\n"
            "\n"
            "  --site SITE         the events of SITE (default: [site] name)\n"
            "  --all-sites         the events of every site on the bus (each line shows its site)\n"
            "  --since SOURCE:SEQ  first replay SOURCE's events from SEQ on (from its service\n"
            "                      endpoint), then follow live without a gap or a duplicate\n"
            "  --since TIME        first replay, source by source, the events recorded since\n"
            "                      TIME: 30m, 1h, 2d ago, or a local 2026-11-02T08:00; of the\n"
            "                      [site] services the PREFIXes name (all without one)\n"
            "  --subject ID        only the events of ID (a repair order, a part number...)\n"
            "  --type PREFIX       only the types starting with PREFIX (as PREFIX arguments)\n"
            "  --count N           stop after N events\n"
            "  --wait MS           stop when no event came for MS milliseconds\n"
            "  --heartbeats        also show the sources' heartbeats\n"
            "  --json              (global) one JSON object per event\n"
            "\n"
            "Exit 0 when stopped by --count, --wait or Ctrl-C; 69 when a replay got no answer.\n");
}

/* What the tap knows of a source: the last seq shown, and from its
 * heartbeats whether it can replay. */
enum { TAP_UNHEARD, TAP_REPLAYS, TAP_BEST_EFFORT };
typedef struct {
    char source[AS_NAME_MAX + 1];
    uint64_t last;
    int heard;
} tap_seen_t;

typedef struct {
    asctl_t *ctl;
    char **prefixes; /* the types shown: PREFIX arguments and --type */
    int n_prefixes;
    const char *site;    /* the site tapped; NULL: every site (--all-sites) */
    const char *subject; /* --subject: only this one's events (NULL: all) */
    bool heartbeats;
    long count_max;
    long printed;
    tap_seen_t seen[TAP_SOURCES_MAX];
    size_t n_seen;
    int64_t started_us;
} tap_t;

/* A source that sends no heartbeat within this of the tap's start is shown
 * as best-effort (a full source beats every second). */
#define TAP_HEARTBEAT_GRACE_US (3 * 1000000)

static bool s_matches(const tap_t *tap, const char *type)
{
    if (tap->n_prefixes == 0)
        return true;
    for (int i = 0; i < tap->n_prefixes; i++)
        if (strncmp(type, tap->prefixes[i], strlen(tap->prefixes[i])) == 0)
            return true;
    return false;
}

/* The record of `source` (NULL when the table is full). */
static tap_seen_t *s_seen(tap_t *tap, const char *source)
{
    for (size_t i = 0; i < tap->n_seen; i++)
        if (strcmp(tap->seen[i].source, source) == 0)
            return &tap->seen[i];
    if (tap->n_seen == TAP_SOURCES_MAX)
        return NULL;
    tap_seen_t *s = &tap->seen[tap->n_seen++];
    snprintf(s->source, sizeof s->source, "%s", source);
    s->last = 0;
    s->heard = TAP_UNHEARD;
    return s;
}

/* Drops what was shown already (replay overlap, a second forwarder). */
static bool s_first_time(tap_t *tap, const char *source, uint64_t seq)
{
    tap_seen_t *s = s_seen(tap, source);
    if (!s)
        return true;
    if (seq <= s->last)
        return false;
    s->last = seq;
    return true;
}

/* A source is best-effort when its heartbeat says so or names no endpoint,
 * or when it sent none since the tap started. */
static bool s_best_effort(tap_t *tap, const char *source)
{
    tap_seen_t *s = s_seen(tap, source);
    if (!s || s->heard == TAP_REPLAYS)
        return false;
    return s->heard == TAP_BEST_EFFORT || as_now_us() - tap->started_us > TAP_HEARTBEAT_GRACE_US;
}

static json_t *s_payload_json(const As__Envelope *env)
{
    if (!env->has_payload)
        return NULL;
    const as_event_info_t *info = as_catalog_event(env->type);
    if (info && info->payload) {
        ProtobufCMessage *msg =
            protobuf_c_message_unpack(info->payload, NULL, env->payload.len, env->payload.data);
        if (msg) {
            json_t *json = as_pbjson_to_json(msg);
            protobuf_c_message_free_unpacked(msg, NULL);
            return json;
        }
    }
    return json_pack("{s:i}", "undecoded_bytes", (json_int_t)env->payload.len);
}

static void s_print_event(tap_t *tap, const As__Envelope *env)
{
    if (!s_matches(tap, env->type) || !s_first_time(tap, env->source, env->seq))
        return;
    if (tap->subject && (!env->subject || strcmp(env->subject, tap->subject) != 0))
        return;
    json_t *payload = s_payload_json(env);
    bool best_effort = s_best_effort(tap, env->source);
    if (tap->ctl->json) {
        json_t *obj =
            json_pack("{s:s,s:s,s:I,s:s,s:I,s:s?,s:s?,s:s?,s:s?,s:s?,s:i}", "id", env->id, "source",
                      env->source, "seq", (json_int_t)env->seq, "type", env->type, "time_us",
                      (json_int_t)env->time_us, "subject", env->subject, "actor", env->actor, "via",
                      env->via, "correlation_id", env->correlation_id, "causation_id",
                      env->causation_id, "schema_version", (int)env->schema_version);
        if (env->has_occurred_us) /* keyed in after the fact: when it happened */
            json_object_set_new(obj, "occurred_us", json_integer((json_int_t)env->occurred_us));
        if (payload)
            json_object_set(obj, "payload", payload);
        if (best_effort)
            json_object_set_new(obj, "best_effort", json_true());
        asctl_print_json(obj);
        json_decref(obj);
    } else {
        time_t secs = (time_t)(env->time_us / 1000000);
        struct tm tm;
        localtime_r(&secs, &tm);
        char when[32];
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        as_human_json(payload); /* amounts and times for people; --json keeps them raw */
        char *body = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
        char at[AS_DATETIME_LEN + 1], happened[48] = "";
        if (env->has_occurred_us) { /* keyed in after the fact */
            as_datetime_of_us(env->occurred_us, at);
            snprintf(happened, sizeof happened, "  (happened %s)", at);
        }
        const char *site_at = strchr(env->source, '@');
        if (!tap->site) /* every site: the site first, so a site's lines line up */
            printf("%-12s ", site_at ? site_at + 1 : "?");
        printf("%s  %-22s #%-7llu %-30s %-14s %s%s%s%s  %s%s%s\n", when, env->source,
               (unsigned long long)env->seq, env->type, env->subject ? env->subject : "-",
               env->actor ? env->actor : "-", env->via ? " (via " : "", env->via ? env->via : "",
               env->via ? ")" : "", body ? body : "", happened,
               best_effort ? "  (best-effort source: cannot replay)" : "");
        free(body);
        fflush(stdout);
    }
    json_decref(payload);
    tap->printed++;
}

static void s_on_heartbeat(tap_t *tap, const void *data, size_t len)
{
    As__Heartbeat *hb = as__heartbeat__unpack(NULL, len, data);
    if (!hb)
        return;
    tap_seen_t *seen = hb->source ? s_seen(tap, hb->source) : NULL;
    if (seen)
        seen->heard = (hb->has_best_effort && hb->best_effort) || !hb->endpoint || !*hb->endpoint
                          ? TAP_BEST_EFFORT
                          : TAP_REPLAYS;
    if (!tap->heartbeats) {
        /* only listened to */
    } else if (tap->ctl->json) {
        json_t *obj = as_pbjson_to_json(&hb->base);
        json_object_set_new(obj, "heartbeat", json_true());
        asctl_print_json(obj);
        json_decref(obj);
    } else {
        printf("heartbeat %-22s last seq %llu  endpoint %s\n", hb->source ? hb->source : "?",
               (unsigned long long)hb->last_seq, hb->endpoint ? hb->endpoint : "-");
        fflush(stdout);
    }
    as__heartbeat__free_unpacked(hb, NULL);
}

/* One replay request to SOURCE: up to `max_events` (0: the server's cap)
 * from `from`. Returns EXIT_OK with *resp (the caller frees it), or an exit
 * code after saying why. */
static int s_replay_request(tap_t *tap, as_rpc_client_t *client, const char *source, uint64_t from,
                            uint32_t max_events, As__ReplayResponse **resp)
{
    asctl_t *ctl = tap->ctl;
    As__ReplayRequest req = AS__REPLAY_REQUEST__INIT;
    req.source = (char *)source;
    req.has_from_seq = 1;
    req.from_seq = from;
    req.has_max_events = max_events > 0;
    req.max_events = max_events;
    uint8_t body[512];
    size_t len = as__replay_request__pack(&req, body);
    void *answer = NULL;
    size_t answer_len = 0;
    int err =
        as_rpc_call(client, "replay", body, len, ctl->timeout_ms, ctl->tries, &answer, &answer_len);
    if (err != 0) {
        int rc = asctl_fail(ctl, EXIT_UNAVAILABLE, "replay of %s: %s", source,
                            answer && err == AS_EBADFRAME ? (char *)answer : as_strerror(err));
        free(answer);
        return rc;
    }
    *resp = as__replay_response__unpack(NULL, answer_len, answer);
    free(answer);
    if (*resp && !(*resp)->error)
        return EXIT_OK;
    int rc = asctl_fail(ctl, EXIT_UNAVAILABLE, "replay of %s refused: %s", source,
                        *resp && (*resp)->error ? (*resp)->error : "answer does not decode");
    if (*resp)
        as__replay_response__free_unpacked(*resp, NULL);
    *resp = NULL;
    return rc;
}

/* The record time of SOURCE's event `seq` (INT64_MAX when there is none). */
static int s_time_of_seq(tap_t *tap, as_rpc_client_t *client, const char *source, uint64_t seq,
                         int64_t *time_us, uint64_t *last_seq)
{
    As__ReplayResponse *resp = NULL;
    int rc = s_replay_request(tap, client, source, seq, 1, &resp);
    if (rc != EXIT_OK)
        return rc;
    *last_seq = resp->last_seq;
    *time_us = INT64_MAX;
    int err = 0;
    As__Envelope *env = resp->n_events ? as_envelope_decode(resp->events[0].data,
                                                            resp->events[0].len, NULL, 0, &err)
                                       : NULL;
    if (env && env->seq == seq)
        *time_us = env->time_us;
    if (env)
        as__envelope__free_unpacked(env, NULL);
    as__replay_response__free_unpacked(resp, NULL);
    return EXIT_OK;
}

/* The first seq of SOURCE recorded at or after `since_us`: a binary search
 * with one-event replay requests (seqs are recorded in time order), so a
 * long history costs ~log2(last seq) small answers, not a full replay.
 * *from is last seq + 1 when every event is older. */
static int s_first_seq_since(tap_t *tap, as_rpc_client_t *client, const char *source,
                             int64_t since_us, uint64_t *from)
{
    int64_t time_us;
    uint64_t last_seq = 0;
    int rc = s_time_of_seq(tap, client, source, 1, &time_us, &last_seq);
    uint64_t lo = 1, hi = last_seq + 1; /* the answer is in [lo, hi] */
    while (rc == EXIT_OK && lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2, ignored;
        rc = s_time_of_seq(tap, client, source, mid, &time_us, &ignored);
        if (time_us >= since_us)
            hi = mid;
        else
            lo = mid + 1;
    }
    *from = lo;
    return rc;
}

/* Replays SOURCE from `from` (or, with since_us, from its first event
 * recorded then or later) until its last seq, printing as it goes. */
static int s_replay(tap_t *tap, const char *source, uint64_t from, int64_t since_us)
{
    asctl_t *ctl = tap->ctl;
    char service[AS_NAME_MAX + 1];
    if (!as_domain_of(source, service, sizeof service))
        return asctl_fail(ctl, EXIT_USAGE, "--since wants SOURCE:SEQ, e.g. workshop@site:1");
    const char *endpoint = asctl_endpoint(ctl, service);
    if (!endpoint)
        return EXIT_CONFIG;
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(ctl->zctx, endpoint, ctl->security, service, &err);
    if (!client)
        return asctl_fail(ctl, EXIT_UNAVAILABLE, "cannot connect to %s: %s", endpoint,
                          as_strerror(err));
    int rc = since_us ? s_first_seq_since(tap, client, source, since_us, &from) : EXIT_OK;
    while (rc == EXIT_OK) {
        As__ReplayResponse *resp = NULL;
        if ((rc = s_replay_request(tap, client, source, from, 0, &resp)) != EXIT_OK)
            break;
        tap_seen_t *seen = s_seen(tap, source);
        if (seen)
            seen->heard = TAP_REPLAYS; /* it answered: it replays */
        for (size_t i = 0; i < resp->n_events && !s_interrupted; i++) {
            As__Envelope *env =
                as_envelope_decode(resp->events[i].data, resp->events[i].len, NULL, 0, &err);
            if (!env)
                continue;
            from = env->seq + 1;
            if (env->time_us >= since_us) /* a clock set back: older events stay out */
                s_print_event(tap, env);
            as__envelope__free_unpacked(env, NULL);
            if (tap->count_max > 0 && tap->printed >= tap->count_max)
                break;
        }
        bool done = resp->n_events == 0 || from > resp->last_seq;
        as__replay_response__free_unpacked(resp, NULL);
        if (done || s_interrupted || (tap->count_max > 0 && tap->printed >= tap->count_max))
            break;
    }
    as_rpc_client_destroy(&client);
    return rc;
}

/* --since 1h / 30m / 2d: that long ago; --since 2026-11-02T08:00 (or
 * 'YYYY-MM-DD HH:MM', a date alone): local time. 0 when it is neither. */
static int64_t s_since_time(const char *text)
{
    char *end = NULL;
    long long n = strtoll(text, &end, 10);
    static const struct {
        char unit;
        int64_t us;
    } units[] = {{'s', 1000000LL}, {'m', 60000000LL}, {'h', 3600000000LL}, {'d', 86400000000LL}};
    for (size_t i = 0; end != text && n > 0 && i < sizeof units / sizeof units[0]; i++)
        if (end[0] == units[i].unit && end[1] == '\0')
            return as_now_us() - n * units[i].us;
    int64_t us = 0;
    return as_datetime_parse(text, &us) == 0 && us > 0 ? us : 0;
}

/* --since TIME: replays, from TIME on, every service of [site] services whose
 * events the tap shows (those of its prefixes' domains; every one without). */
static int s_replay_since_time(tap_t *tap, int64_t since_us)
{
    asctl_t *ctl = tap->ctl;
    char **services = NULL;
    if (as_config_get_list(ctl->cfg, "site", "services", &services) <= 0)
        return asctl_fail(ctl, EXIT_CONFIG, "--since TIME replays [site] services: none listed");
    const char *site = as_config_get(ctl->cfg, "site", "name", NULL);
    int rc = site ? EXIT_OK : asctl_fail(ctl, EXIT_CONFIG, "--since TIME needs [site] name");
    if (rc == EXIT_OK && (!tap->site || strcmp(tap->site, site) != 0))
        rc = asctl_fail(ctl, EXIT_USAGE,
                        "--since TIME replays this site's services (%s): not with --site or "
                        "--all-sites",
                        site);
    for (size_t i = 0; rc == EXIT_OK && services[i] && !s_interrupted; i++) {
        bool shown = tap->n_prefixes == 0;
        for (int p = 0; p < tap->n_prefixes; p++) {
            char domain[AS_NAME_MAX + 1];
            shown |= as_domain_of(tap->prefixes[p], domain, sizeof domain) &&
                     strcmp(domain, services[i]) == 0;
            shown |= strchr(tap->prefixes[p], '.') == NULL &&
                     strncmp(services[i], tap->prefixes[p], strlen(tap->prefixes[p])) == 0;
        }
        if (!shown || !as_config_get(ctl->cfg, services[i], "endpoint", NULL))
            continue;
        char source[2 * AS_NAME_MAX + 2];
        snprintf(source, sizeof source, "%s@%s", services[i], site);
        rc = s_replay(tap, source, 1, since_us);
    }
    as_config_list_free(&services);
    return rc;
}

/* --since SOURCE:SEQ or --since TIME. */
static int s_replay_since(tap_t *tap, const char *since)
{
    asctl_t *ctl = tap->ctl;
    const char *colon = strrchr(since, ':');
    if (!strchr(since, '@')) {
        int64_t since_us = s_since_time(since);
        if (since_us == 0)
            return asctl_fail(ctl, EXIT_USAGE,
                              "--since '%s' is not SOURCE:SEQ, a time ago (30m, 1h, 2d) or a "
                              "local date-time (2026-11-02T08:00)",
                              since);
        return s_replay_since_time(tap, since_us);
    }
    char source[AS_NAME_MAX + 1];
    size_t slen = colon ? (size_t)(colon - since) : 0;
    char *end = NULL;
    unsigned long long from = colon ? strtoull(colon + 1, &end, 10) : 0;
    if (!colon || slen == 0 || slen > AS_NAME_MAX || !end || *end || from == 0)
        return asctl_fail(ctl, EXIT_USAGE, "--since wants SOURCE:SEQ (SEQ from 1), got '%s'",
                          since);
    memcpy(source, since, slen);
    source[slen] = '\0';
    if (!as_source_valid(source))
        return asctl_fail(ctl, EXIT_USAGE, "'%s' is not a source name (service@site)", source);
    return s_replay(tap, source, from, 0);
}

/* --site SITE / --all-sites: the site tapped (default: [site] name), or
 * every one. PREFIXes are types: the site is put before them here. */
static int s_tap_sites(tap_t *tap, const char *site, bool all_sites)
{
    asctl_t *ctl = tap->ctl;
    if (site && all_sites)
        return asctl_fail(ctl, EXIT_USAGE, "give --site SITE or --all-sites, not both");
    for (int i = 0; i < tap->n_prefixes; i++)
        if (strchr(tap->prefixes[i], AS_TOPIC_SEP))
            return asctl_fail(ctl, EXIT_USAGE,
                              "'%s': a PREFIX is the start of an event type (workshop.qc.); "
                              "name another site with --site SITE",
                              tap->prefixes[i]);
    if (all_sites)
        return EXIT_OK; /* tap->site NULL */
    tap->site = site ? site : as_config_get(ctl->cfg, "site", "name", "local");
    char source[AS_NAME_MAX + 8];
    snprintf(source, sizeof source, "x@%s", tap->site);
    if (!as_source_valid(source))
        return asctl_fail(ctl, EXIT_USAGE,
                          "'%s' is not a site name (a-z, 0-9, '_' and '-', words separated "
                          "by '.')",
                          tap->site);
    return EXIT_OK;
}

/* Subscribes `sub` to what the tap shows: every topic of its site (or of
 * every site), or only its PREFIXes' types and their domains' heartbeats
 * (they tell which sources replay). */
static void s_subscribe(const tap_t *tap, void *sub)
{
    char topic[AS_TOPIC_MAX + 1];
    if (!tap->site) { /* every site: the PREFIXes are matched on the type */
        zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
        return;
    }
    if (tap->n_prefixes == 0 || tap->heartbeats) {
        size_t n = as_topic_of_site(tap->site, "", topic, sizeof topic);
        zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic, n);
        return;
    }
    for (int i = 0; i < tap->n_prefixes; i++) {
        const char *p = tap->prefixes[i];
        size_t n = as_topic_of_site(tap->site, p, topic, sizeof topic);
        if (n > 0)
            zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic, n);
        char hb[AS_NAME_MAX + sizeof AS_HEARTBEAT_SUFFIX];
        int len = snprintf(hb, sizeof hb, "%.*s%s", (int)strcspn(p, "."), p, AS_HEARTBEAT_SUFFIX);
        if (len > 0 && (size_t)len < sizeof hb &&
            (n = as_topic_of_site(tap->site, hb, topic, sizeof topic)) > 0)
            zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic, n);
    }
}

int asctl_tap(asctl_t *ctl, int argc, char **argv)
{
    static const struct option options[] = {
        {"since", required_argument, NULL, 's'},   {"count", required_argument, NULL, 'n'},
        {"wait", required_argument, NULL, 'w'},    {"heartbeats", no_argument, NULL, 'b'},
        {"subject", required_argument, NULL, 'S'}, {"type", required_argument, NULL, 'T'},
        {"site", required_argument, NULL, 'X'},    {"all-sites", no_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    tap_t tap = {.ctl = ctl};
    char **types = calloc((size_t)argc + 1, sizeof *types);
    if (!types)
        return asctl_fail(ctl, EXIT_SOFTWARE, "out of memory");
    int n_types = 0;
    const char *since = NULL, *site = NULL;
    bool all_sites = false;
    long wait_ms = -1;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "s:n:w:bh", options, NULL)) != -1) {
        switch (opt) {
        case 's':
            since = optarg;
            break;
        case 'n':
            tap.count_max = strtol(optarg, NULL, 10);
            if (tap.count_max <= 0)
                return asctl_fail(ctl, EXIT_USAGE, "--count takes a number > 0");
            break;
        case 'w':
            wait_ms = strtol(optarg, NULL, 10);
            if (wait_ms <= 0)
                return asctl_fail(ctl, EXIT_USAGE, "--wait takes milliseconds > 0");
            break;
        case 'b':
            tap.heartbeats = true;
            break;
        case 'S':
            tap.subject = optarg;
            break;
        case 'T':
            types[n_types++] = optarg;
            break;
        case 'X':
            site = optarg;
            break;
        case 'A':
            all_sites = true;
            break;
        default:
            s_usage(opt == 'h' ? stdout : stderr);
            free(types);
            return opt == 'h' ? EXIT_OK : EXIT_USAGE;
        }
    }
    while (optind < argc)
        types[n_types++] = argv[optind++];
    tap.prefixes = types;
    tap.n_prefixes = n_types;
    int usage = s_tap_sites(&tap, site, all_sites);
    if (usage != EXIT_OK) {
        free(types);
        return usage;
    }
    char **endpoints = NULL;
    if (as_config_get_list(ctl->cfg, "bus", "subscribe", &endpoints) <= 0) {
        free(types);
        return asctl_fail(ctl, EXIT_CONFIG, "no [bus] subscribe endpoints in %s", ctl->config_path);
    }

    /* subscribe first, so nothing between the replay and live is missed */
    void *sub = zmq_socket(ctl->zctx, ZMQ_SUB);
    int linger = 0, hwm = 1000000;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    s_subscribe(&tap, sub);
    tap.started_us = as_now_us();
    int rc = EXIT_OK;
    for (size_t i = 0; endpoints[i]; i++) {
        if (as_security_client(ctl->security, sub, endpoints[i], "bus") != 0 ||
            zmq_connect(sub, endpoints[i]) != 0) {
            rc = asctl_fail(ctl, EXIT_CONFIG, "cannot connect to the bus at %s", endpoints[i]);
            goto out;
        }
    }
    signal(SIGINT, s_on_signal);
    signal(SIGTERM, s_on_signal);
    if (since && (rc = s_replay_since(&tap, since)) != EXIT_OK)
        goto out;
    int64_t last_event_us = as_now_us();
    while (!s_interrupted && (tap.count_max == 0 || tap.printed < tap.count_max)) {
        /* heartbeats keep the socket busy: --wait counts from the last event */
        if (wait_ms > 0 && as_now_us() - last_event_us > wait_ms * 1000)
            break;
        zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
        int n = zmq_poll(&item, 1, 200);
        if (n < 0 && errno != EINTR)
            break;
        if (n <= 0)
            continue;
        zmq_msg_t frames[2];
        zmq_msg_init(&frames[0]);
        zmq_msg_init(&frames[1]);
        size_t nf = 0;
        if (as_zrecv_frames(sub, frames, 2, &nf) == 0 && nf == 2) {
            const char *topic = zmq_msg_data(&frames[0]);
            size_t tlen = zmq_msg_size(&frames[0]);
            if (as_heartbeat_topic(topic, tlen)) {
                s_on_heartbeat(&tap, zmq_msg_data(&frames[1]), zmq_msg_size(&frames[1]));
            } else {
                int err = 0;
                As__Envelope *env = as_envelope_decode(zmq_msg_data(&frames[1]),
                                                       zmq_msg_size(&frames[1]), topic, tlen, &err);
                if (env) {
                    s_print_event(&tap, env);
                    as__envelope__free_unpacked(env, NULL);
                    last_event_us = as_now_us();
                } else if (!ctl->json) {
                    fprintf(stderr, "asctl: skipped a frame on '%.*s': %s\n", (int)tlen, topic,
                            as_strerror(err));
                }
            }
        }
        zmq_msg_close(&frames[0]);
        zmq_msg_close(&frames[1]);
    }
out:
    zmq_close(sub);
    as_config_list_free(&endpoints);
    free(types);
    return rc;
}
