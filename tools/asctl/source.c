/* asctl source accept — an operator accepts the new history of a source a
 * daemon refuses as DIVERGED (its store was restored from a backup that
 * missed events the daemon had applied). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/pbjson.h"
#include "asctl.h"

static void s_usage(FILE *out)
{
    fprintf(out, "usage: asctl source accept SERVICE SOURCE [--incarnation ID]\n"
                 "\n"
                 "SERVICE refuses SOURCE as DIVERGED (see `asctl status SERVICE`) when SOURCE's\n"
                 "store was restored from a backup that does not hold every event SERVICE had\n"
                 "applied: SERVICE stops following it rather than mix two histories. Accepting\n"
                 "makes SERVICE follow SOURCE's new history from where the two part (the fork\n"
                 "seq). The events applied after the fork stay applied; SERVICE records their\n"
                 "seqs, the old incarnation and who accepted, and `asctl status` shows them, so\n"
                 "someone can check what they changed against SOURCE's restored state.\n"
                 "\n"
                 "  --incarnation ID   the new history to accept (default: the one status shows;\n"
                 "                     naming it makes sure nothing changed since you looked)\n"
                 "\n"
                 "The acting staff member (--actor) needs the it_admin role.\n"
                 "Exit codes: 0 accepted, 1 refused (not diverged, another incarnation, not\n"
                 "allowed), 64 usage, 69 SERVICE unavailable, 78 config error.\n");
}

/* The diverged offset of `source` in SERVICE's status, or NULL after saying why. */
static json_t *s_diverged_offset(asctl_t *ctl, json_t *status, const char *service,
                                 const char *source, int *rc)
{
    if (!json_is_true(json_object_get(status, "up"))) {
        *rc = asctl_fail(ctl, EXIT_UNAVAILABLE, "%s does not answer: %s", service,
                         json_string_value(json_object_get(status, "error")));
        return NULL;
    }
    size_t i;
    json_t *off;
    json_array_foreach(json_object_get(status, "offsets"), i, off)
    {
        const char *name = json_string_value(json_object_get(off, "source"));
        if (!name || strcmp(name, source) != 0)
            continue;
        if (json_is_true(json_object_get(off, "diverged")))
            return off;
        *rc = asctl_fail(ctl, EXIT_REFUSED, "%s follows %s and is not diverged: nothing to accept",
                         service, source);
        return NULL;
    }
    *rc = asctl_fail(ctl, EXIT_REFUSED, "%s follows no source '%s'", service, source);
    return NULL;
}

static int s_print(asctl_t *ctl, const char *service, const As__CommandReply *r)
{
    if (r->status != 0)
        return asctl_fail(ctl, EXIT_REFUSED, "%s.source.accept refused (%s): %s", service,
                          as_errname(r->status), r->error ? r->error : "");
    As__SourceOffset *off = as__source_offset__unpack(NULL, r->payload.len, r->payload.data);
    if (!off)
        return asctl_fail(ctl, EXIT_SOFTWARE, "the reply of %s.source.accept does not decode",
                          service);
    if (ctl->json) {
        json_t *obj = as_pbjson_to_json(&off->base);
        json_t *out = json_pack("{s:b,s:s,s:o}", "ok", 1, "service", service, "offset", obj);
        asctl_print_json(out);
        json_decref(out);
    } else {
        printf("%s now follows %s in incarnation %s from seq %" PRIu64 ".\n"
               "Seq %" PRIu64 "..%" PRIu64 " of incarnation %s were applied by %s and are not in\n"
               "%s's store; %s records them (asctl status %s).\n",
               service, off->source, off->incarnation, off->applied_seq + 1, off->orphaned_from_seq,
               off->orphaned_to_seq, off->previous_incarnation, service, off->source, service,
               service);
    }
    as__source_offset__free_unpacked(off, NULL);
    return EXIT_OK;
}

static int s_accept(asctl_t *ctl, int argc, char **argv)
{
    static const struct option options[] = {
        {"incarnation", required_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *incarnation = NULL;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "i:h", options, NULL)) != -1) {
        if (opt == 'i') {
            incarnation = optarg;
        } else if (opt == 'h') {
            s_usage(stdout);
            return EXIT_OK;
        } else {
            s_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        s_usage(stderr);
        return EXIT_USAGE;
    }
    const char *service = argv[optind], *source = argv[optind + 1];
    if (!ctl->actor || !*ctl->actor)
        return asctl_fail(ctl, EXIT_USAGE, "who is acting? give --actor or set AS_ACTOR");
    if (!asctl_endpoint(ctl, service))
        return EXIT_CONFIG;
    int rc = EXIT_OK;
    json_t *status = NULL;
    if (!incarnation) {
        status = asctl_status_query(ctl, service);
        json_t *off = s_diverged_offset(ctl, status, service, source, &rc);
        incarnation = off ? json_string_value(json_object_get(off, "fork_incarnation")) : NULL;
        if (off && !incarnation)
            rc = asctl_fail(ctl, EXIT_SOFTWARE, "%s's status names no new incarnation for %s",
                            service, source);
    }
    if (rc == EXIT_OK) {
        As__SourceAccept req = AS__SOURCE_ACCEPT__INIT;
        req.source = (char *)source;
        req.incarnation = (char *)incarnation;
        uint8_t payload[512];
        char command[160];
        snprintf(command, sizeof command, "%s.source.accept", service);
        if (as__source_accept__get_packed_size(&req) > sizeof payload) {
            rc = asctl_fail(ctl, EXIT_USAGE, "source accept: arguments too long");
        } else {
            size_t len = as__source_accept__pack(&req, payload);
            As__CommandReply *reply = NULL;
            rc = asctl_command(ctl, service, NULL, command, NULL, payload, len, &reply);
            if (rc == EXIT_OK)
                rc = s_print(ctl, service, reply);
            if (reply)
                as__command_reply__free_unpacked(reply, NULL);
        }
    }
    json_decref(status);
    return rc;
}

int asctl_source(asctl_t *ctl, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        s_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[1], "accept") != 0) {
        asctl_fail(ctl, EXIT_USAGE, "source: unknown subcommand '%s' (accept)", argv[1]);
        s_usage(stderr);
        return EXIT_USAGE;
    }
    return s_accept(ctl, argc - 1, argv + 1);
}
