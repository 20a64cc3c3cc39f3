/* asinterleave — records the event streams of a played day from the sources'
 * outboxes and feeds them again, in a seeded random interleaving that keeps
 * each source's own order, to fresh consumers on a bus of its own: the tool of
 * tests/integration/test_interleave.sh, which requires a consumer's state not
 * to depend on how its sources interleave.
 *
 *   asinterleave record --config FILE --out FILE SERVICE...
 *       asks each service's endpoint (from the config) for its events from
 *       seq 1 on with the replay protocol, and writes them to FILE
 *   asinterleave info FILE
 *       one line per source in FILE: "SOURCE LAST_SEQ"
 *   asinterleave order --seed N FILE
 *       the interleaving of seed N, one line per event: "SOURCE SEQ TYPE"
 *   asinterleave feed --seed N --bind ENDPOINT --expect DOMAINS... FILE
 *       binds an XPUB on ENDPOINT (the consumers' [bus] subscribe), waits for
 *       the subscriptions of every consumer (one --expect per consumer: the
 *       comma list of the domains it follows: a subscription "<site>/<domain>."
 *       of any site stands for it), then publishes every event of FILE in
 *       the interleaving of seed N, framed as a source publishes them
 *       ([<site>/<type>][packed Envelope]), and exits once they are sent.
 *
 * FILE holds "asinterleave 1\n" and then, for each event, its length (4 bytes,
 * big-endian) and the packed Envelope as the source's outbox keeps it, each
 * source's events in seq order.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "as/config.h"
#include "as/envelope.h"
#include "as/error.h"
#include "as/pb/envelope.pb-c.h"
#include "as/rpc.h"
#include "as/security.h"

enum {
    EXIT_OK = 0,
    EXIT_USAGE = 64,
    EXIT_DATAERR = 65,     /* the record file is not one this program wrote */
    EXIT_UNAVAILABLE = 69, /* a source or the consumers did not answer in time */
    EXIT_SOFTWARE = 70,
    EXIT_IOERR = 74,
    EXIT_CONFIG = 78,
};

#define S_MAGIC "asinterleave 1\n"
#define S_MAX_EVENT (16u << 20)

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: asinterleave record --config FILE --out FILE SERVICE...\n"
            "       asinterleave info FILE\n"
            "       asinterleave order --seed N FILE\n"
            "       asinterleave feed --seed N --bind ENDPOINT --expect DOMAINS [--expect ...]\n"
            "                         [--wait-ms MS] FILE\n"
            "\n"
            "record  asks each SERVICE's endpoint (from the config) for its events from seq 1\n"
            "        on (the replay protocol) and writes them to FILE, each source in seq order\n"
            "info    prints \"SOURCE LAST_SEQ\" for each source in FILE\n"
            "order   prints the interleaving of seed N: \"SOURCE SEQ TYPE\" per event\n"
            "feed    binds an XPUB on ENDPOINT (what the consumers' [bus] subscribe names),\n"
            "        waits up to MS (default 30000) for the subscriptions of every consumer\n"
            "        (one --expect per consumer: the comma list of the domains it follows),\n"
            "        then publishes every event of FILE in the interleaving of seed N and\n"
            "        exits once they are sent\n"
            "\n"
            "The interleaving keeps each source's order. N modulo 5 picks how the sources\n"
            "take turns: 0 one event at a time (a uniformly random merge), 1 about 8 and\n"
            "2 about 64 events at a time, 3 whole streams with the sources in a random\n"
            "order (a consumer catching up), 4 one source held back until the others are\n"
            "done (a paused source); the rest of N draws the turns.\n"
            "\n"
            "Exit: 0 done; 64 usage; 65 FILE unreadable or not a record; 69 a source or the\n"
            "consumers did not answer in time; 70 internal error; 74 cannot write FILE;\n"
            "78 config.\n");
}

/* --- the record: every source's events ------------------------------- */

typedef struct {
    char *source;
    char *incarnation;
    uint8_t **events; /* packed Envelopes, seq 1..count */
    size_t *lens;
    char **types; /* each event's type (its topic) */
    size_t count, cap;
} s_stream_t;

typedef struct {
    s_stream_t *streams;
    size_t count;
} s_record_t;

static void s_record_free(s_record_t *rec)
{
    for (size_t i = 0; i < rec->count; i++) {
        s_stream_t *st = &rec->streams[i];
        for (size_t j = 0; j < st->count; j++) {
            free(st->events[j]);
            free(st->types[j]);
        }
        free(st->events);
        free(st->lens);
        free(st->types);
        free(st->source);
        free(st->incarnation);
    }
    free(rec->streams);
    rec->streams = NULL;
    rec->count = 0;
}

static s_stream_t *s_stream_of(s_record_t *rec, const char *source)
{
    for (size_t i = 0; i < rec->count; i++)
        if (strcmp(rec->streams[i].source, source) == 0)
            return &rec->streams[i];
    s_stream_t *more = realloc(rec->streams, (rec->count + 1) * sizeof *more);
    if (!more)
        return NULL;
    rec->streams = more;
    s_stream_t *st = &rec->streams[rec->count];
    memset(st, 0, sizeof *st);
    if (!(st->source = strdup(source)))
        return NULL;
    rec->count++;
    return st;
}

/* Adds one packed envelope; it must be the next seq of its source, of the
 * same incarnation. Returns 0, AS_EINVALID with a sentence in `why`, or -ENOMEM. */
static int s_record_add(s_record_t *rec, const void *data, size_t len, char *why, size_t cap)
{
    int err = 0;
    As__Envelope *env = as_envelope_decode(data, len, NULL, 0, &err);
    if (!env) {
        snprintf(why, cap, "an event does not decode as a valid envelope: %s", as_strerror(err));
        return AS_EINVALID;
    }
    int rc = -ENOMEM;
    s_stream_t *st = s_stream_of(rec, env->source);
    if (!st)
        goto done;
    if (env->seq != st->count + 1) {
        snprintf(why, cap, "source '%s' jumps from seq %zu to %" PRIu64 ": not a gapless stream",
                 env->source, st->count, env->seq);
        rc = AS_EINVALID;
        goto done;
    }
    if (st->incarnation && strcmp(st->incarnation, env->incarnation) != 0) {
        snprintf(why, cap, "source '%s' changes incarnation at seq %" PRIu64 " (%s, was %s)",
                 env->source, env->seq, env->incarnation, st->incarnation);
        rc = AS_EINVALID;
        goto done;
    }
    if (!st->incarnation && !(st->incarnation = strdup(env->incarnation)))
        goto done;
    if (st->count == st->cap) {
        size_t more = st->cap ? st->cap * 2 : 256;
        uint8_t **events = realloc(st->events, more * sizeof *events);
        if (!events)
            goto done;
        st->events = events;
        size_t *lens = realloc(st->lens, more * sizeof *lens);
        if (!lens)
            goto done;
        st->lens = lens;
        char **types = realloc(st->types, more * sizeof *types);
        if (!types)
            goto done;
        st->types = types;
        st->cap = more;
    }
    uint8_t *copy = malloc(len ? len : 1);
    char *type = strdup(env->type);
    if (!copy || !type) {
        free(copy);
        free(type);
        goto done;
    }
    memcpy(copy, data, len);
    st->events[st->count] = copy;
    st->lens[st->count] = len;
    st->types[st->count] = type;
    st->count++;
    rc = 0;
done:
    as__envelope__free_unpacked(env, NULL);
    return rc;
}

static int s_record_load(const char *path, s_record_t *rec)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "asinterleave: cannot open record '%s': %s\n", path, strerror(errno));
        return EXIT_DATAERR;
    }
    char magic[sizeof S_MAGIC - 1];
    int rc = EXIT_DATAERR;
    uint8_t *buf = NULL;
    if (fread(magic, 1, sizeof magic, in) != sizeof magic ||
        memcmp(magic, S_MAGIC, sizeof magic) != 0) {
        fprintf(stderr, "asinterleave: '%s' is not a record of asinterleave\n", path);
        goto out;
    }
    for (;;) {
        uint8_t head[4];
        size_t got = fread(head, 1, 4, in);
        if (got == 0 && feof(in))
            break;
        size_t len = (size_t)head[0] << 24 | (size_t)head[1] << 16 | (size_t)head[2] << 8 | head[3];
        if (got != 4 || len > S_MAX_EVENT) {
            fprintf(stderr, "asinterleave: record '%s' is truncated or damaged\n", path);
            goto out;
        }
        uint8_t *more = realloc(buf, len ? len : 1);
        if (!more) {
            rc = EXIT_SOFTWARE;
            goto out;
        }
        buf = more;
        if (fread(buf, 1, len, in) != len) {
            fprintf(stderr, "asinterleave: record '%s' is truncated\n", path);
            goto out;
        }
        char why[256];
        int err = s_record_add(rec, buf, len, why, sizeof why);
        if (err == -ENOMEM) {
            rc = EXIT_SOFTWARE;
            goto out;
        }
        if (err != 0) {
            fprintf(stderr, "asinterleave: record '%s': %s\n", path, why);
            goto out;
        }
    }
    rc = EXIT_OK;
out:
    free(buf);
    fclose(in);
    if (rc != EXIT_OK)
        s_record_free(rec);
    return rc;
}

static int s_record_save(const s_record_t *rec, const char *path)
{
    FILE *out = fopen(path, "wb");
    if (!out) {
        fprintf(stderr, "asinterleave: cannot write '%s': %s\n", path, strerror(errno));
        return EXIT_IOERR;
    }
    bool ok = fwrite(S_MAGIC, 1, sizeof S_MAGIC - 1, out) == sizeof S_MAGIC - 1;
    for (size_t i = 0; i < rec->count && ok; i++) {
        const s_stream_t *st = &rec->streams[i];
        for (size_t j = 0; j < st->count && ok; j++) {
            size_t len = st->lens[j];
            uint8_t head[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                               (uint8_t)len};
            ok = fwrite(head, 1, 4, out) == 4 && fwrite(st->events[j], 1, len, out) == len;
        }
    }
    if (fclose(out) != 0)
        ok = false;
    if (!ok) {
        fprintf(stderr, "asinterleave: cannot write '%s': %s\n", path, strerror(errno));
        return EXIT_IOERR;
    }
    return EXIT_OK;
}

/* --- record: from the sources' outboxes ------------------------------- */

/* Replays everything `service` has (from seq 1 to its last seq) into rec. */
static int s_record_service(void *zctx, as_config_t *cfg, as_security_t *security,
                            const char *service, s_record_t *rec)
{
    const char *endpoint = as_config_get(cfg, service, "endpoint", NULL);
    if (!endpoint || !*endpoint) {
        fprintf(stderr, "asinterleave: the config names no endpoint for service '%s'\n", service);
        return EXIT_CONFIG;
    }
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(zctx, endpoint, security, service, &err);
    if (!client) {
        fprintf(stderr, "asinterleave: cannot connect to %s: %s\n", endpoint, as_strerror(err));
        return EXIT_UNAVAILABLE;
    }
    int rc = EXIT_OK;
    uint64_t from = 1, events = 0;
    for (;;) {
        As__ReplayRequest req = AS__REPLAY_REQUEST__INIT;
        req.has_from_seq = 1;
        req.from_seq = from;
        uint8_t body[64];
        size_t len = as__replay_request__pack(&req, body);
        void *answer = NULL;
        size_t answer_len = 0;
        err = as_rpc_call(client, "replay", body, len, 5000, 3, &answer, &answer_len);
        if (err != 0) {
            fprintf(stderr, "asinterleave: replay from %s (%s): %s\n", service, endpoint,
                    answer && err == AS_EBADFRAME ? (char *)answer : as_strerror(err));
            free(answer);
            rc = EXIT_UNAVAILABLE;
            break;
        }
        As__ReplayResponse *resp = as__replay_response__unpack(NULL, answer_len, answer);
        free(answer);
        if (!resp || resp->error) {
            fprintf(stderr, "asinterleave: %s refused the replay: %s\n", service,
                    resp && resp->error ? resp->error : "its answer does not decode");
            if (resp)
                as__replay_response__free_unpacked(resp, NULL);
            rc = EXIT_UNAVAILABLE;
            break;
        }
        for (size_t i = 0; i < resp->n_events && rc == EXIT_OK; i++) {
            char why[256];
            err = s_record_add(rec, resp->events[i].data, resp->events[i].len, why, sizeof why);
            if (err != 0) {
                fprintf(stderr, "asinterleave: %s: %s\n", service,
                        err == -ENOMEM ? "out of memory" : why);
                rc = err == -ENOMEM ? EXIT_SOFTWARE : EXIT_DATAERR;
            }
            from++;
            events++;
        }
        bool done = resp->n_events == 0 || from > resp->last_seq;
        if (done && rc == EXIT_OK)
            fprintf(stderr, "asinterleave: %s: %" PRIu64 " events (seq 1..%" PRIu64 ")\n",
                    resp->source ? resp->source : service, events, from - 1);
        as__replay_response__free_unpacked(resp, NULL);
        if (done || rc != EXIT_OK)
            break;
    }
    as_rpc_client_destroy(&client);
    return rc;
}

static int s_cmd_record(int argc, char **argv)
{
    static const struct option options[] = {{"config", required_argument, NULL, 'c'},
                                            {"out", required_argument, NULL, 'o'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *config_path = NULL, *out = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "c:o:h", options, NULL)) != -1) {
        if (opt == 'h') {
            s_usage(stdout);
            return EXIT_OK;
        }
        if (opt == 'c')
            config_path = optarg;
        else if (opt == 'o')
            out = optarg;
        else
            return EXIT_USAGE;
    }
    if (!config_path || !out || optind >= argc) {
        fprintf(stderr, "asinterleave: record wants --config FILE --out FILE SERVICE...\n");
        return EXIT_USAGE;
    }
    char *cerr = NULL;
    as_config_t *cfg = as_config_load(config_path, &cerr);
    if (!cfg) {
        fprintf(stderr, "asinterleave: %s\n", cerr ? cerr : "cannot read the config");
        free(cerr);
        return EXIT_CONFIG;
    }
    int serr = 0;
    as_security_t *security = as_security_new(cfg, "asctl", &serr);
    if (!security) {
        fprintf(stderr, "asinterleave: security: %s\n", as_strerror(serr));
        as_config_destroy(&cfg);
        return EXIT_CONFIG;
    }
    void *zctx = zmq_ctx_new();
    s_record_t rec = {0};
    int rc = EXIT_OK;
    for (int i = optind; i < argc && rc == EXIT_OK; i++)
        rc = s_record_service(zctx, cfg, security, argv[i], &rec);
    if (rc == EXIT_OK)
        rc = s_record_save(&rec, out);
    s_record_free(&rec);
    as_security_destroy(&security);
    zmq_ctx_term(zctx);
    as_config_destroy(&cfg);
    return rc;
}

/* --- the interleaving ----------------------------------------------- */

/* splitmix64: a small, well-mixed generator whose whole state is the seed,
 * so an interleaving is the same on every machine. */
static uint64_t s_next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t s_below(uint64_t *state, uint64_t n)
{
    return n ? s_next_random(state) % n : 0;
}

typedef struct {
    size_t stream; /* index into the record's streams */
    size_t index;  /* the event's index in its stream (seq - 1) */
} s_turn_t;

/* How a seed interleaves the sources. */
typedef enum {
    S_MERGE,    /* turns of one event: every merge equally likely */
    S_TURNS_8,  /* turns of about 8 events */
    S_TURNS_64, /* turns of about 64 events */
    S_WHOLE,    /* whole streams, the sources in a random order (a consumer catching up) */
    S_ONE_LATE, /* one source held back until the others are done (a paused source) */
    S_KINDS
} s_kind_t;

typedef struct {
    s_kind_t kind;
    size_t late; /* S_ONE_LATE: the stream held back */
} s_plan_t;

/* Describes the plan for people, e.g. "whole streams, one source after another". */
static void s_plan_text(const s_plan_t *plan, const s_record_t *rec, char *out, size_t cap)
{
    switch (plan->kind) {
    case S_MERGE:
        snprintf(out, cap, "turns of 1 event (a uniformly random merge)");
        break;
    case S_TURNS_8:
    case S_TURNS_64:
        snprintf(out, cap, "turns of about %d events", plan->kind == S_TURNS_8 ? 8 : 64);
        break;
    case S_WHOLE:
        snprintf(out, cap, "whole streams, the sources in a random order (a consumer catching up)");
        break;
    default:
        snprintf(out, cap, "%s held back until the others are done (a paused source)",
                 rec->streams[plan->late].source);
    }
}

/* True when stream i may go next: it has events left and it is not `skip`,
 * unless `skip` is the only one left. */
static bool s_may_go(const s_record_t *rec, const size_t *next, size_t i, size_t skip)
{
    if (next[i] >= rec->streams[i].count)
        return false;
    if (i != skip)
        return true;
    for (size_t j = 0; j < rec->count; j++)
        if (j != skip && next[j] < rec->streams[j].count)
            return false;
    return true;
}

/* Draws the stream that goes next among those that may: in proportion to
 * the events each has left (weighted), or each alike. */
static size_t s_pick(const s_record_t *rec, const size_t *next, size_t skip, bool weighted,
                     uint64_t *state)
{
    uint64_t total = 0;
    for (size_t i = 0; i < rec->count; i++)
        if (s_may_go(rec, next, i, skip))
            total += weighted ? rec->streams[i].count - next[i] : 1;
    uint64_t pick = s_below(state, total);
    size_t last = 0;
    for (size_t i = 0; i < rec->count; i++) {
        if (!s_may_go(rec, next, i, skip))
            continue;
        uint64_t weight = weighted ? rec->streams[i].count - next[i] : 1;
        if (pick < weight)
            return i;
        pick -= weight;
        last = i;
    }
    return last; /* not reached: pick < total */
}

/* The order of seed `seed`: every event once, each source's in seq order.
 * The seed modulo 5 picks the kind of plan (S_MERGE for 0, 5, 10 ...; the
 * source held back is drawn in proportion to its events); then, turn by
 * turn, the next source is drawn
 * in proportion to the events it has left (with turns of one event this
 * makes every merge equally likely), or each alike for whole streams; a turn
 * of about N events lasts 1..2N-1. Returns a malloc'd array of *n turns, or NULL. */
static s_turn_t *s_interleave(const s_record_t *rec, uint64_t seed, size_t *n, s_plan_t *plan)
{
    uint64_t state = seed;
    size_t total = 0;
    for (size_t i = 0; i < rec->count; i++)
        total += rec->streams[i].count;
    s_turn_t *order = malloc((total ? total : 1) * sizeof *order);
    size_t *next = calloc(rec->count ? rec->count : 1, sizeof *next);
    if (!order || !next) {
        free(order);
        free(next);
        return NULL;
    }
    plan->kind = (s_kind_t)(seed % S_KINDS);
    plan->late = plan->kind == S_ONE_LATE ? s_pick(rec, next, SIZE_MAX, true, &state) : SIZE_MAX;
    size_t done = 0;
    while (done < total) {
        size_t stream = s_pick(rec, next, plan->late, plan->kind != S_WHOLE, &state);
        size_t left = rec->streams[stream].count - next[stream];
        size_t run = 1;
        if (plan->kind == S_WHOLE)
            run = left;
        else if (plan->kind == S_TURNS_8 || plan->kind == S_TURNS_64)
            run = 1 + s_below(&state, plan->kind == S_TURNS_8 ? 15 : 127);
        for (size_t k = 0; k < run && next[stream] < rec->streams[stream].count; k++)
            order[done++] = (s_turn_t){stream, next[stream]++};
    }
    free(next);
    *n = total;
    return order;
}

static int s_parse_seed(const char *text, uint64_t *seed)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || !end || *end || end == text || text[0] == '-') {
        fprintf(stderr, "asinterleave: seed '%s' is not a number\n", text);
        return EXIT_USAGE;
    }
    *seed = v;
    return EXIT_OK;
}

/* --- info and order ------------------------------------------------- */

static int s_cmd_info(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        s_usage(stdout);
        return EXIT_OK;
    }
    if (argc != 2) {
        fprintf(stderr, "asinterleave: info wants one FILE\n");
        return EXIT_USAGE;
    }
    s_record_t rec = {0};
    int rc = s_record_load(argv[1], &rec);
    if (rc != EXIT_OK)
        return rc;
    for (size_t i = 0; i < rec.count; i++)
        printf("%s %zu\n", rec.streams[i].source, rec.streams[i].count);
    s_record_free(&rec);
    return EXIT_OK;
}

static int s_cmd_order(int argc, char **argv)
{
    static const struct option options[] = {{"seed", required_argument, NULL, 's'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    const char *seed_text = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "s:h", options, NULL)) != -1) {
        if (opt == 'h') {
            s_usage(stdout);
            return EXIT_OK;
        }
        if (opt != 's')
            return EXIT_USAGE;
        seed_text = optarg;
    }
    uint64_t seed = 0;
    if (!seed_text || optind != argc - 1) {
        fprintf(stderr, "asinterleave: order wants --seed N FILE\n");
        return EXIT_USAGE;
    }
    int rc = s_parse_seed(seed_text, &seed);
    s_record_t rec = {0};
    if (rc != EXIT_OK || (rc = s_record_load(argv[optind], &rec)) != EXIT_OK)
        return rc;
    size_t n = 0;
    s_plan_t plan;
    s_turn_t *order = s_interleave(&rec, seed, &n, &plan);
    if (!order) {
        s_record_free(&rec);
        return EXIT_SOFTWARE;
    }
    char how[256];
    s_plan_text(&plan, &rec, how, sizeof how);
    printf("# seed %" PRIu64 ": %s\n", seed, how);
    for (size_t i = 0; i < n; i++) {
        const s_stream_t *st = &rec.streams[order[i].stream];
        printf("%s %zu %s\n", st->source, order[i].index + 1, st->types[order[i].index]);
    }
    free(order);
    s_record_free(&rec);
    return EXIT_OK;
}

/* --- feed ------------------------------------------------------------ */

/* The subscriptions still awaited: one "<domain>." per consumer following it
 * (the rest of its "<site>/<domain>." subscription). */
typedef struct {
    char **prefixes;
    size_t count;
} s_expected_t;

static int s_expect_add(s_expected_t *exp, const char *domains)
{
    char *copy = strdup(domains);
    if (!copy)
        return EXIT_SOFTWARE;
    int rc = EXIT_OK;
    for (char *save = NULL, *d = strtok_r(copy, ", ", &save); d; d = strtok_r(NULL, ", ", &save)) {
        char **more = realloc(exp->prefixes, (exp->count + 1) * sizeof *more);
        if (more)
            exp->prefixes = more;
        size_t len = strlen(d);
        char *prefix = more ? malloc(len + 2) : NULL;
        if (!prefix) {
            rc = EXIT_SOFTWARE;
            break;
        }
        memcpy(prefix, d, len);
        memcpy(prefix + len, ".", 2);
        exp->prefixes[exp->count++] = prefix;
    }
    free(copy);
    return rc;
}

static void s_expect_free(s_expected_t *exp)
{
    for (size_t i = 0; i < exp->count; i++)
        free(exp->prefixes[i]);
    free(exp->prefixes);
}

/* Reads subscriptions off the XPUB until every awaited one came (each one
 * a consumer's SUB sent once it was connected: from then on, everything
 * published reaches it). Returns EXIT_OK or EXIT_UNAVAILABLE. */
static int s_await_subscriptions(void *xpub, s_expected_t *exp, long wait_ms)
{
    size_t awaited = exp->count;
    long waited = 0;
    while (awaited > 0) {
        zmq_pollitem_t item = {xpub, 0, ZMQ_POLLIN, 0};
        int n = zmq_poll(&item, 1, 100);
        if (n < 0 && errno != EINTR)
            return EXIT_SOFTWARE;
        if (n <= 0) {
            waited += 100;
            if (waited >= wait_ms)
                break;
            continue;
        }
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, xpub, 0) < 0) {
            zmq_msg_close(&msg);
            continue;
        }
        const char *data = zmq_msg_data(&msg);
        size_t len = zmq_msg_size(&msg);
        as_topic_parts_t sub = {0};
        bool split = len > 1 && data[0] == 1 && as_topic_split(data + 1, len - 1, &sub);
        for (size_t i = 0; split && i < exp->count; i++) {
            char *p = exp->prefixes[i];
            if (p[0] && strlen(p) == sub.rest_len && memcmp(p, sub.rest, sub.rest_len) == 0) {
                p[0] = '\0'; /* this consumer's subscription came */
                awaited--;
                break;
            }
        }
        zmq_msg_close(&msg);
    }
    if (awaited == 0)
        return EXIT_OK;
    fprintf(stderr, "asinterleave: after %ld ms, %zu subscription(s) never came:", wait_ms,
            awaited);
    for (size_t i = 0; i < exp->count; i++)
        if (exp->prefixes[i][0])
            fprintf(stderr, " %s", exp->prefixes[i]);
    fprintf(stderr, "\n");
    return EXIT_UNAVAILABLE;
}

/* Sends one event as its source does: [<site>/<type>][packed Envelope].
 * Waits at the high-water mark rather than dropping (XPUB_NODROP). */
static int s_publish(void *xpub, const char *source, const char *type, const uint8_t *env,
                     size_t len)
{
    char topic[AS_TOPIC_MAX + 1];
    size_t topic_len = as_topic_make(source, type, topic, sizeof topic);
    if (topic_len == 0)
        return -EINVAL;
    for (;;) {
        if (zmq_send(xpub, topic, topic_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
            break;
        if (errno != EAGAIN && errno != EINTR)
            return -errno;
        zmq_pollitem_t item = {xpub, 0, ZMQ_POLLOUT, 0};
        zmq_poll(&item, 1, 100);
    }
    /* the first frame is queued, so the rest of the message goes too */
    if (zmq_send(xpub, env, len, 0) < 0)
        return -errno;
    return 0;
}

static int s_feed(const s_record_t *rec, uint64_t seed, const char *bind, s_expected_t *exp,
                  long wait_ms)
{
    size_t n = 0;
    s_plan_t plan;
    s_turn_t *order = s_interleave(rec, seed, &n, &plan);
    if (!order)
        return EXIT_SOFTWARE;
    void *zctx = zmq_ctx_new();
    void *xpub = zmq_socket(zctx, ZMQ_XPUB);
    int one = 1, unlimited = 0, linger = 60000;
    zmq_setsockopt(xpub, ZMQ_XPUB_VERBOSE, &one, sizeof one);
    zmq_setsockopt(xpub, ZMQ_XPUB_NODROP, &one, sizeof one);
    zmq_setsockopt(xpub, ZMQ_SNDHWM, &unlimited, sizeof unlimited);
    zmq_setsockopt(xpub, ZMQ_LINGER, &linger, sizeof linger);
    int rc = EXIT_OK;
    if (zmq_bind(xpub, bind) != 0) {
        fprintf(stderr, "asinterleave: cannot bind '%s': %s\n", bind, zmq_strerror(errno));
        rc = EXIT_UNAVAILABLE;
        goto out;
    }
    if ((rc = s_await_subscriptions(xpub, exp, wait_ms)) != EXIT_OK)
        goto out;
    char how[256];
    s_plan_text(&plan, rec, how, sizeof how);
    fprintf(stderr, "asinterleave: seed %" PRIu64 ": %zu events of %zu sources, %s\n", seed, n,
            rec->count, how);
    for (size_t i = 0; i < n; i++) {
        const s_stream_t *st = &rec->streams[order[i].stream];
        size_t k = order[i].index;
        int err = s_publish(xpub, st->source, st->types[k], st->events[k], st->lens[k]);
        if (err != 0) {
            fprintf(stderr, "asinterleave: cannot publish %s:%zu: %s\n", st->source, k + 1,
                    zmq_strerror(-err));
            rc = EXIT_SOFTWARE;
            goto out;
        }
    }
out:
    free(order);
    zmq_close(xpub); /* lingers until every event is handed to its consumers */
    zmq_ctx_term(zctx);
    return rc;
}

static int s_cmd_feed(int argc, char **argv)
{
    static const struct option options[] = {
        {"seed", required_argument, NULL, 's'},   {"bind", required_argument, NULL, 'b'},
        {"expect", required_argument, NULL, 'e'}, {"wait-ms", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *seed_text = NULL, *bind = NULL;
    long wait_ms = 30000;
    s_expected_t exp = {0};
    int rc = EXIT_OK, opt;
    while (rc == EXIT_OK && (opt = getopt_long(argc, argv, "s:b:e:w:h", options, NULL)) != -1) {
        if (opt == 'h') {
            s_usage(stdout);
            s_expect_free(&exp);
            return EXIT_OK;
        }
        if (opt == 's')
            seed_text = optarg;
        else if (opt == 'b')
            bind = optarg;
        else if (opt == 'e')
            rc = s_expect_add(&exp, optarg);
        else if (opt == 'w')
            wait_ms = strtol(optarg, NULL, 10);
        else
            rc = EXIT_USAGE;
    }
    uint64_t seed = 0;
    if (rc == EXIT_OK && (!seed_text || !bind || exp.count == 0 || optind != argc - 1)) {
        fprintf(stderr,
                "asinterleave: feed wants --seed N --bind ENDPOINT --expect DOMAINS FILE\n");
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK && wait_ms <= 0) {
        fprintf(stderr, "asinterleave: --wait-ms wants a positive number of milliseconds\n");
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK)
        rc = s_parse_seed(seed_text, &seed);
    s_record_t rec = {0};
    if (rc == EXIT_OK && (rc = s_record_load(argv[optind], &rec)) == EXIT_OK)
        rc = s_feed(&rec, seed, bind, &exp, wait_ms);
    s_record_free(&rec);
    s_expect_free(&exp);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        s_usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        s_usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "record") == 0)
        return s_cmd_record(argc - 1, argv + 1);
    if (strcmp(cmd, "info") == 0)
        return s_cmd_info(argc - 1, argv + 1);
    if (strcmp(cmd, "order") == 0)
        return s_cmd_order(argc - 1, argv + 1);
    if (strcmp(cmd, "feed") == 0)
        return s_cmd_feed(argc - 1, argv + 1);
    fprintf(stderr, "asinterleave: unknown command '%s'\n", cmd);
    s_usage(stderr);
    return EXIT_USAGE;
}
