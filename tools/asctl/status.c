/* asctl status — each daemon's last seq, incarnation, consumers' offsets and lag. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/human.h"
#include "as/pbjson.h"
#include "as/rpc.h"
#include "asctl.h"

static void s_usage(FILE *out)
{
    fprintf(out, "usage: asctl status [SERVICE...]\n"
                 "\n"
                 "Asks each daemon (default: every one in [site] services) for its last seq,\n"
                 "incarnation, counters and, for every source it follows, the offset it has\n"
                 "applied and how far behind that source it is (lag), and the sources\n"
                 "whose events it ignored because it does not follow them.\n"
                 "Exit 0 when every daemon answered, 69 when one did not.\n");
}

json_t *asctl_status_query(asctl_t *ctl, const char *service)
{
    const char *endpoint = as_config_get(ctl->cfg, service, "endpoint", NULL);
    if (!endpoint)
        return json_pack("{s:s,s:b,s:s}", "service", service, "up", 0, "error",
                         "no endpoint in the config");
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(ctl->zctx, endpoint, ctl->security, service, &err);
    if (!client)
        return json_pack("{s:s,s:b,s:s}", "service", service, "up", 0, "error", as_strerror(err));
    As__StatusRequest req = AS__STATUS_REQUEST__INIT;
    uint8_t body[16];
    size_t len = as__status_request__pack(&req, body);
    void *answer = NULL;
    size_t answer_len = 0;
    err = as_rpc_call(client, "status", body, len, ctl->timeout_ms, 1, &answer, &answer_len);
    as_rpc_client_destroy(&client);
    json_t *out = NULL;
    As__StatusReply *st = err == 0 ? as__status_reply__unpack(NULL, answer_len, answer) : NULL;
    if (st) {
        out = as_pbjson_to_json(&st->base);
        as__status_reply__free_unpacked(st, NULL);
    }
    free(answer);
    if (!out)
        return json_pack("{s:s,s:s,s:b,s:s}", "service", service, "endpoint", endpoint, "up", 0,
                         "error", err ? as_strerror(err) : "status reply does not decode");
    json_object_set_new(out, "service", json_string(service));
    json_object_set_new(out, "up", json_true());
    return out;
}

static json_int_t s_int(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_string(v)) /* uint64 beyond json_int_t comes as text */
        return (json_int_t)strtoull(json_string_value(v), NULL, 10);
    return json_integer_value(v);
}

/* Adds "lag" to every offset: the source's own last seq (when it answered)
 * or the last seq the consumer heard of, less what it applied. */
static void s_add_lag(json_t *services)
{
    size_t i, j;
    json_t *svc, *off;
    json_array_foreach(services, i, svc)
    {
        json_array_foreach(json_object_get(svc, "offsets"), j, off)
        {
            const char *source = json_string_value(json_object_get(off, "source"));
            json_int_t last = s_int(off, "known_last_seq");
            size_t k;
            json_t *other;
            json_array_foreach(services, k, other)
            {
                const char *name = json_string_value(json_object_get(other, "source"));
                if (source && name && strcmp(source, name) == 0)
                    last = s_int(other, "last_seq");
            }
            json_int_t lag = last - s_int(off, "applied_seq");
            json_object_set_new(off, "lag", json_integer(lag > 0 ? lag : 0));
        }
    }
}

static void s_print_human(json_t *services)
{
    printf("%-10s %-24s %-5s %10s %10s %8s %8s  %s\n", "SERVICE", "SOURCE", "UP", "LAST SEQ",
           "APPLIED", "CMDS OK", "REJECTED", "INCARNATION");
    size_t i, j;
    json_t *svc, *off;
    json_array_foreach(services, i, svc)
    {
        bool up = json_is_true(json_object_get(svc, "up"));
        printf("%-10s %-24s %-5s", json_string_value(json_object_get(svc, "service")),
               up ? json_string_value(json_object_get(svc, "source")) : "-", up ? "yes" : "NO");
        if (!up) {
            printf("  %s\n", json_string_value(json_object_get(svc, "error")));
            continue;
        }
        printf(" %10lld %10lld %8lld %8lld  %s\n", (long long)s_int(svc, "last_seq"),
               (long long)s_int(svc, "events_applied"), (long long)s_int(svc, "commands_done"),
               (long long)s_int(svc, "frames_rejected"),
               json_string_value(json_object_get(svc, "incarnation")));
        char when[AS_HUMAN_TEXT_MAX];
        if (json_object_get(svc, "started_us"))
            printf("    running since %s\n",
                   as_human_time(s_int(svc, "started_us"), when, sizeof when));
        json_t *site;
        json_array_foreach(json_object_get(svc, "sites"), j, site) /* a dealer group's kpi */
            printf("%s%s%s", j ? ", " : "    reports the dealer group's sites ",
                   json_string_value(site),
                   j + 1 == json_array_size(json_object_get(svc, "sites")) ? "\n" : "");
        json_array_foreach(json_object_get(svc, "offsets"), j, off)
        {
            const char *source = json_string_value(json_object_get(off, "source"));
            printf("    follows %-24s applied %lld, lag %lld\n", source,
                   (long long)s_int(off, "applied_seq"), (long long)s_int(off, "lag"));
            if (json_is_true(json_object_get(off, "best_effort")) || s_int(off, "lost") > 0)
                printf("      %s: %lld events never arrived and are lost\n",
                       json_is_true(json_object_get(off, "best_effort"))
                           ? "best-effort (it cannot replay)"
                           : "was best-effort",
                       (long long)s_int(off, "lost"));
            if (json_is_true(json_object_get(off, "diverged")))
                printf("      DIVERGED: its store was restored or replaced (incarnation %s) and\n"
                       "      holds seq 1..%lld of what was applied here; its events are refused.\n"
                       "      To follow its history from there: asctl source accept %s %s\n",
                       json_string_value(json_object_get(off, "fork_incarnation")),
                       (long long)s_int(off, "fork_seq"),
                       json_string_value(json_object_get(svc, "service")), source);
            else if (json_object_get(off, "accepted_by"))
                printf("      accepted a restored history: seq %lld..%lld of %s were applied here\n"
                       "      and are not in the source's store (accepted by %s on %s)\n",
                       (long long)s_int(off, "orphaned_from_seq"),
                       (long long)s_int(off, "orphaned_to_seq"),
                       json_string_value(json_object_get(off, "previous_incarnation")),
                       json_string_value(json_object_get(off, "accepted_by")),
                       as_human_time(s_int(off, "accepted_us"), when, sizeof when));
        }
        json_t *other;
        json_array_foreach(json_object_get(svc, "unfollowed"), j, other)
        {
            printf("    ignored %lld events and %lld heartbeats of %s: not followed here\n",
                   (long long)s_int(other, "events"), (long long)s_int(other, "heartbeats"),
                   json_string_value(json_object_get(other, "source")));
        }
    }
}

int asctl_status(asctl_t *ctl, int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        s_usage(stdout);
        return EXIT_OK;
    }
    char **names = NULL;
    char **listed = NULL;
    if (argc > 1) {
        names = argv + 1;
    } else {
        if (as_config_get_list(ctl->cfg, "site", "services", &listed) <= 0)
            return asctl_fail(ctl, EXIT_CONFIG,
                              "name the services, or list them in [site] services");
        names = listed;
    }
    json_t *services = json_array();
    int rc = EXIT_OK;
    for (size_t i = 0; names[i] && (listed || (int)i < argc - 1); i++) {
        json_t *one = asctl_status_query(ctl, names[i]);
        if (!json_is_true(json_object_get(one, "up")))
            rc = EXIT_UNAVAILABLE;
        json_array_append_new(services, one);
    }
    s_add_lag(services);
    if (ctl->json) {
        json_t *obj = json_pack("{s:b,s:o}", "ok", rc == EXIT_OK, "services", services);
        asctl_print_json(obj);
        json_decref(obj);
    } else {
        s_print_human(services);
        json_decref(services);
    }
    as_config_list_free(&listed);
    return rc;
}
