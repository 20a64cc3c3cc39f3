/* asctl call / commands — run any service command, list them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/catalog.h"
#include "as/envelope.h"
#include "as/error.h"
#include "as/human.h"
#include "as/pbjson.h"
#include "as/rpc.h"
#include "as/staff.h"
#include "asctl.h"
#include "render.h"

static void s_call_usage(FILE *out)
{
    fprintf(out, "usage: asctl call COMMAND [FIELD=VALUE...] [OPTIONS]\n"
                 "\n"
                 "Runs COMMAND on the service that owns it and prints the reply.\n"
                 "FIELD=VALUE sets a field of the command's message (dotted paths for nested\n"
                 "fields, repeat a field to add to a list); `asctl commands COMMAND` lists them.\n"
                 "\n"
                 "  --payload JSON      the whole message as JSON instead of FIELD=VALUE\n"
                 "  --request-id ID     reuse an id to retry safely (default: a new UUIDv7)\n"
                 "  --endpoint EP       talk to EP instead of the endpoint in the config\n"
                 "  --at 'YYYY-MM-DD HH:MM'\n"
                 "                      when it happened, local time (work keyed in after the\n"
                 "                      fact; `asctl commands` marks the commands that take it)\n"
                 "\n"
                 "The reply is shown as key: value lines, nested objects as indented blocks\n"
                 "and lists of objects as tables, clipped to $COLUMNS (or the terminal);\n"
                 "-o wide: nothing clipped; -o csv: the reply's first list as CSV; -o json.\n");
}

/* `asctl call COMMAND --help` and `asctl commands COMMAND`: what the command
 * does, who may run it and every field of its request, nested ones by path
 * (jobs[].operation_code): from the catalog alone, no config or endpoint. */
static void s_command_help(FILE *out, const as_command_info_t *info)
{
    char roles[512] = "anyone the service lets in";
    if (info->roles)
        as_role_names(info->roles, roles, sizeof roles);
    fprintf(out, "usage: asctl call %s%s [FIELD=VALUE...] [OPTIONS]\n\n%s\n\n", info->command,
            info->dated ? " [--at 'YYYY-MM-DD HH:MM']" : "", info->summary);
    fprintf(out, "service: %s\nroles:   %s\n%s", info->service, roles,
            info->query ? "reads only\n" : "");
    fprintf(out, "request: %s\nreply:   %s\n", info->request ? info->request->name : "(none)",
            info->reply ? info->reply->name : "(none)");
    char *fields = info->request ? as_pbjson_describe_paths(info->request) : NULL;
    if (fields && *fields)
        fprintf(out,
                "\nFields (FIELD=VALUE; a dotted path reaches a nested field; repeat a list's\n"
                "field to add an item; `[]` marks the fields of a list's items, each item\n"
                "given whole as JSON: jobs='{\"concern\":\"noise\"}'):\n%s",
                fields);
    free(fields);
}

/* Whether a reply message has a list of messages (what -o csv writes). */
static bool s_has_list(const ProtobufCMessageDescriptor *reply)
{
    for (unsigned i = 0; reply && i < reply->n_fields; i++)
        if (reply->fields[i].label == PROTOBUF_C_LABEL_REPEATED &&
            reply->fields[i].type == PROTOBUF_C_TYPE_MESSAGE)
            return true;
    return false;
}

static int s_build_payload(asctl_t *ctl, const as_command_info_t *info, const char *json_text,
                           int nargs, char **args, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!info->request) {
        if (nargs > 0 || json_text)
            return asctl_fail(ctl, EXIT_DATAERR, "command '%s' takes no fields", info->command);
        return 0;
    }
    char err[512] = "";
    ProtobufCMessage *msg = NULL;
    int rc;
    if (json_text) {
        json_error_t jerr;
        json_t *json = json_loads(json_text, 0, &jerr);
        if (!json)
            return asctl_fail(ctl, EXIT_DATAERR, "--payload is not JSON: %s (column %d)", jerr.text,
                              jerr.column);
        rc = as_pbjson_from_json(info->request, json, &msg, err, sizeof err);
        json_decref(json);
    } else {
        rc = as_pbjson_from_args(info->request, nargs, args, &msg, err, sizeof err);
    }
    if (rc != 0)
        return asctl_fail(ctl, EXIT_DATAERR, "%s", err);
    *out_len = protobuf_c_message_get_packed_size(msg);
    *out = malloc(*out_len ? *out_len : 1);
    if (*out)
        protobuf_c_message_pack(msg, *out);
    protobuf_c_message_free_unpacked(msg, NULL);
    return *out ? 0 : asctl_fail(ctl, EXIT_SOFTWARE, "out of memory");
}

static int s_print_reply(asctl_t *ctl, const as_command_info_t *info, const As__CommandReply *r)
{
    if (r->status != 0) {
        if (ctl->json) {
            json_t *obj = json_pack("{s:b,s:s?,s:s,s:s,s:i,s:b}", "ok", 0, "request_id",
                                    r->request_id, "code", as_errname(r->status), "error",
                                    r->error ? r->error : as_strerror(r->status), "status",
                                    r->status, "replayed", r->has_replayed && r->replayed);
            /* the refusal's format and its arguments' texts, as a page gets
             * them to word it in its language (refusals.json) */
            if (obj && r->error_format) {
                json_t *args = json_array();
                for (size_t i = 0; args && i < r->n_error_args; i++)
                    json_array_append_new(args, json_string(r->error_args[i]));
                json_object_set_new(obj, "format", json_string(r->error_format));
                json_object_set_new(obj, "args", args ? args : json_null());
            }
            asctl_print_json(obj);
            json_decref(obj);
        } else {
            fprintf(stderr, "asctl: %s refused (%s): %s\n", info->command, as_errname(r->status),
                    r->error ? r->error : as_strerror(r->status));
        }
        return EXIT_REFUSED;
    }
    json_t *reply = NULL;
    if (info->reply && r->has_payload) {
        ProtobufCMessage *msg =
            protobuf_c_message_unpack(info->reply, NULL, r->payload.len, r->payload.data);
        if (!msg)
            return asctl_fail(ctl, EXIT_SOFTWARE, "the reply of %s does not decode as %s",
                              info->command, info->reply->name);
        /* a scorecard for people: its own table (scorecard.c) */
        if (!ctl->json && ctl->output != ASCTL_OUT_CSV && !strcmp(info->command, "kpi.scorecard")) {
            asctl_scorecard_print(msg);
            protobuf_c_message_free_unpacked(msg, NULL);
            return EXIT_OK;
        }
        reply = as_pbjson_to_json(msg);
        protobuf_c_message_free_unpacked(msg, NULL);
    }
    if (!reply)
        reply = json_object();
    if (ctl->json) {
        json_t *obj = json_pack("{s:b,s:s?,s:b,s:O}", "ok", 1, "request_id", r->request_id,
                                "replayed", r->has_replayed && r->replayed, "reply", reply);
        asctl_print_json(obj);
        json_decref(obj);
    } else if (ctl->output == ASCTL_OUT_CSV) {
        asctl_csv_t csv = {',', "\n"};
        if (asctl_render_csv(reply, &csv) != 0) {
            json_decref(reply);
            return asctl_fail(ctl, EXIT_USAGE,
                              "the reply of %s holds no list: -o csv cannot show it (-o table "
                              "or -o json can)",
                              info->command);
        }
    } else {
        asctl_kpi_humanize(info->reply, reply);
        asctl_render_human(reply, asctl_render_width(ctl->output == ASCTL_OUT_WIDE));
        if (r->has_replayed && r->replayed)
            fprintf(stderr, "asctl: (already done earlier: this is the stored reply)\n");
    }
    json_decref(reply);
    return EXIT_OK;
}

int asctl_command(asctl_t *ctl, const char *service, const char *endpoint, const char *command,
                  const char *request_id, const void *payload, size_t len, As__CommandReply **reply)
{
    if (!endpoint && !(endpoint = asctl_endpoint(ctl, service)))
        return EXIT_CONFIG;
    int err = 0;
    as_rpc_client_t *client = as_rpc_client_new(ctl->zctx, endpoint, ctl->security, service, &err);
    if (!client)
        return asctl_fail(ctl, EXIT_UNAVAILABLE, "cannot connect to %s at %s: %s", service,
                          endpoint, as_strerror(err));
    err = as_rpc_command_at(client, command, ctl->actor, request_id, payload, len, ctl->occurred_us,
                            ctl->timeout_ms, ctl->tries, reply);
    as_rpc_client_destroy(&client);
    if (err == AS_ETIMEOUT)
        return asctl_fail(ctl, EXIT_UNAVAILABLE,
                          "no answer from %s at %s after %d tries of %d ms (is it running?)",
                          service, endpoint, ctl->tries, ctl->timeout_ms);
    if (err != 0)
        return asctl_fail(ctl, EXIT_UNAVAILABLE, "%s: %s", service, as_strerror(err));
    return EXIT_OK;
}

int asctl_call(asctl_t *ctl, int argc, char **argv)
{
    static const struct option options[] = {
        {"payload", required_argument, NULL, 'p'},  {"request-id", required_argument, NULL, 'i'},
        {"endpoint", required_argument, NULL, 'e'}, {"at", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    const char *json_text = NULL, *request_id = NULL, *endpoint = NULL, *at = NULL;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "+p:i:e:a:h", options, NULL)) != -1) {
        switch (opt) {
        case 'p':
            json_text = optarg;
            break;
        case 'i':
            request_id = optarg;
            break;
        case 'e':
            endpoint = optarg;
            break;
        case 'a':
            at = optarg;
            break;
        case 'h':
            s_call_usage(stdout);
            return EXIT_OK;
        default:
            s_call_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        s_call_usage(stderr);
        return EXIT_USAGE;
    }
    const char *command = argv[optind++];
    bool wants_help = false;
    /* options may also follow the command and its fields */
    int nargs = 0;
    char **args = calloc((size_t)argc, sizeof *args);
    if (!args)
        return asctl_fail(ctl, EXIT_SOFTWARE, "out of memory");
    for (int i = optind; i < argc; i++) {
        if (strcmp(argv[i], "--payload") == 0 && i + 1 < argc)
            json_text = argv[++i];
        else if (strcmp(argv[i], "--request-id") == 0 && i + 1 < argc)
            request_id = argv[++i];
        else if (strcmp(argv[i], "--endpoint") == 0 && i + 1 < argc)
            endpoint = argv[++i];
        else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc)
            at = argv[++i];
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            wants_help = true;
        else
            args[nargs++] = argv[i];
    }
    int rc;
    if (at && as_datetime_parse(at, &ctl->occurred_us) != 0) {
        rc = asctl_fail(ctl, EXIT_USAGE,
                        "--at '%s' is not a local date and time 'YYYY-MM-DD HH:MM'", at);
        goto out;
    }
    const as_command_info_t *info = as_catalog_command(command);
    if (!info) {
        rc = asctl_fail(ctl, EXIT_USAGE, "unknown command '%s' (see `asctl commands`)", command);
        goto out;
    }
    if (wants_help) {
        s_command_help(stdout, info);
        rc = EXIT_OK;
        goto out;
    }
    if (!ctl->actor || !*ctl->actor) {
        rc = asctl_fail(ctl, EXIT_USAGE, "who is acting? give --actor or set AS_ACTOR");
        goto out;
    }
    if (ctl->output == ASCTL_OUT_CSV && !s_has_list(info->reply)) { /* said before it is done */
        rc = asctl_fail(ctl, EXIT_USAGE,
                        "the reply of %s holds no list: -o csv cannot show it (-o table or -o "
                        "json can)",
                        command);
        goto out;
    }
    if (!endpoint && !(endpoint = asctl_endpoint(ctl, info->service))) {
        rc = EXIT_CONFIG;
        goto out;
    }
    uint8_t *payload = NULL;
    size_t payload_len = 0;
    if ((rc = s_build_payload(ctl, info, json_text, nargs, args, &payload, &payload_len)) != 0)
        goto out;
    As__CommandReply *reply = NULL;
    rc = asctl_command(ctl, info->service, endpoint, command, request_id, payload, payload_len,
                       &reply);
    free(payload);
    if (rc != EXIT_OK)
        goto out;
    rc = s_print_reply(ctl, info, reply);
    as__command_reply__free_unpacked(reply, NULL);
out:
    free(args);
    return rc;
}

int asctl_commands(asctl_t *ctl, int argc, char **argv)
{
    const char *prefix = argc > 1 ? argv[1] : "";
    if (strcmp(prefix, "--help") == 0 || strcmp(prefix, "-h") == 0) {
        printf("usage: asctl commands [PREFIX]\n\nLists the commands starting with PREFIX, "
               "the service that runs each, and its fields.\n");
        return EXIT_OK;
    }
    const as_command_info_t *exact = as_catalog_command(prefix);
    if (exact && !ctl->json) {
        s_command_help(stdout, exact);
        return EXIT_OK;
    }
    json_t *list = json_array();
    int shown = 0;
    for (size_t i = 0; i < as_catalog_count(); i++) {
        const as_command_info_t *c = as_catalog_command_at(i);
        if (strncmp(c->command, prefix, strlen(prefix)) != 0)
            continue;
        shown++;
        char *fields = c->request ? as_pbjson_describe(c->request) : NULL;
        if (ctl->json) {
            json_array_append_new(list,
                                  json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:b}", "command", c->command,
                                            "service", c->service, "summary", c->summary, "request",
                                            c->request ? c->request->name : NULL, "reply",
                                            c->reply ? c->reply->name : NULL, "dated", c->dated));
        } else {
            printf("%-28s %-10s %s%s\n", c->command, c->service, c->summary,
                   c->dated ? " [--at]" : "");
            if (fields && *fields)
                printf("%s", fields);
        }
        free(fields);
    }
    if (ctl->json)
        asctl_print_json(list);
    json_decref(list);
    if (shown == 0)
        return asctl_fail(ctl, EXIT_USAGE, "no command starts with '%s'", prefix);
    return EXIT_OK;
}
