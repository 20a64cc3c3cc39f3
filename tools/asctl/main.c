/* asctl — the command line of the after-sales system: every command of every
 * service, the live event tap, status, keys and backups. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "as/version.h"
#include "as/config_schema.h"
#include "as/human.h"
#include "as/error.h"
#include "as/log.h"
#include "asctl.h"

static void s_usage(FILE *out)
{
    fprintf(
        out,
        "usage: asctl [OPTIONS] SUBCOMMAND [ARGS]\n"
        "\n"
        "Subcommands:\n"
        "  call COMMAND [FIELD=VALUE...]   run a service command (see `asctl commands`)\n"
        "  commands [PREFIX]               list the commands and what they take\n"
        "  tap [PREFIX...]                 show events live (--since SOURCE:SEQ replays first)\n"
        "  status [SERVICE...]             each daemon's last seq, offsets and lag\n"
        "  keygen NAME                     make a CURVE keypair for NAME\n"
        "  backup SERVICE --to DIR         hot backup of a daemon's store\n"
        "  restore SERVICE --from DIR      restore a backup (gets a new incarnation)\n"
        "  kpi report --month YYYY-MM      KPI report (--day, --by KEY, --csv; see --help)\n"
        "  source accept SERVICE SOURCE    follow a restored source's new history (DIVERGED)\n"
        "  outbox archive SERVICE --before YYYY-MM-DD --to FILE\n"
        "                                  copy the outbox's older events into a file\n"
        "  outbox verify FILE              check an outbox archive\n"
        "  check-config                    check the config (every section and key): prints\n"
        "                                  'config ok' or each problem with its line\n"
        "\n"
        "Options:\n"
        "  -c, --config FILE   site config (default $AS_CONFIG or /etc/aftersales/site.ini)\n"
        "  -j, --json          machine-readable output (one JSON document per line)\n"
        "  -a, --actor ID      staff id acting (default $AS_ACTOR or $USER)\n"
        "  -t, --timeout MS    time to wait for each answer (default 3000)\n"
        "  -r, --retries N     tries before giving up (default 3)\n"
        "  -h, --help          this text; `asctl SUBCOMMAND --help` for each subcommand\n"
        "      --version       print \"asctl VERSION\" and exit\n"
        "\n"
        "Exit codes: 0 ok, 1 refused by the service, 2 check failed, 64 usage,\n"
        "65 bad input, 69 service unavailable, 70 internal error, 74 I/O error\n"
        "(also a damaged store), 75 a store in use by a daemon (restore), 78 config error.\n");
}

const char *asctl_endpoint(asctl_t *ctl, const char *service)
{
    const char *ep = ctl->cfg ? as_config_get(ctl->cfg, service, "endpoint", NULL) : NULL;
    if (!ep)
        asctl_fail(ctl, EXIT_CONFIG, "no endpoint for service '%s' in %s", service,
                   ctl->config_path ? ctl->config_path : "the config");
    return ep;
}

void asctl_print_json(json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text) {
        puts(text);
        free(text);
    }
    fflush(stdout);
}

int asctl_fail(asctl_t *ctl, int code, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (ctl && ctl->json) {
        json_t *obj = json_pack("{s:b,s:s,s:i}", "ok", 0, "error", text, "exit", code);
        asctl_print_json(obj);
        json_decref(obj);
    } else {
        fprintf(stderr, "asctl: %s\n", text);
    }
    return code;
}

int asctl_load_config(asctl_t *ctl)
{
    if (ctl->cfg)
        return EXIT_OK;
    if (!ctl->config_path)
        ctl->config_path = "/etc/aftersales/site.ini";
    char *err = NULL;
    ctl->cfg = as_config_load(ctl->config_path, &err);
    if (ctl->cfg) {
        as_human_set_currency(as_config_get(ctl->cfg, "site", "currency", NULL));
        return EXIT_OK;
    }
    int rc = asctl_fail(ctl, EXIT_CONFIG, "%s", err ? err : "cannot read the config");
    free(err);
    return rc;
}

/* asctl check-config: the site file against the schema (config_schema.h),
 * as every daemon's --check-config does. */
static int s_check_config(asctl_t *ctl, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return asctl_fail(ctl, EXIT_USAGE, "check-config takes no arguments");
    int rc = asctl_load_config(ctl);
    if (rc != EXIT_OK)
        return rc;
    int problems = as_config_check_print(ctl->cfg, NULL, true);
    if (problems != 0)
        return asctl_fail(ctl, EXIT_CONFIG, "%s: %d problem(s)", ctl->config_path, problems);
    printf("config ok\n");
    return EXIT_OK;
}

typedef struct {
    const char *name;
    int (*run)(asctl_t *ctl, int argc, char **argv);
    bool needs_config;
} s_subcommand_t;

static const s_subcommand_t s_subcommands[] = {
    {"call", asctl_call, true},        {"commands", asctl_commands, false},
    {"tap", asctl_tap, true},          {"status", asctl_status, true},
    {"keygen", asctl_keygen, false},   {"backup", asctl_backup, false},
    {"restore", asctl_restore, false}, {"kpi", asctl_kpi, true},
    {"source", asctl_source, true},    {"check-config", s_check_config, false},
    {"outbox", asctl_outbox, false},
};

int main(int argc, char **argv)
{
    if (as_version_option(argc, argv))
        return 0;
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"actor", required_argument, NULL, 'a'},
        {"timeout", required_argument, NULL, 't'},
        {"retries", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    asctl_t ctl = {.timeout_ms = 3000, .tries = 3};
    ctl.config_path = getenv("AS_CONFIG");
    ctl.actor = getenv("AS_ACTOR") ? getenv("AS_ACTOR") : getenv("USER");
    as_log_init("asctl", AS_LOG_WARN);
    int opt;
    while ((opt = getopt_long(argc, argv, "+c:ja:t:r:h", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            ctl.config_path = optarg;
            break;
        case 'j':
            ctl.json = true;
            break;
        case 'a':
            ctl.actor = optarg;
            break;
        case 't':
            ctl.timeout_ms = atoi(optarg);
            if (ctl.timeout_ms <= 0)
                return asctl_fail(&ctl, EXIT_USAGE, "--timeout takes milliseconds (> 0)");
            break;
        case 'r':
            ctl.tries = atoi(optarg);
            if (ctl.tries <= 0)
                return asctl_fail(&ctl, EXIT_USAGE, "--retries takes a number (> 0)");
            break;
        case 'h':
            s_usage(stdout);
            return EXIT_OK;
        default:
            s_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        s_usage(stderr);
        return EXIT_USAGE;
    }
    const s_subcommand_t *sub = NULL;
    for (size_t i = 0; i < sizeof s_subcommands / sizeof s_subcommands[0]; i++)
        if (strcmp(argv[optind], s_subcommands[i].name) == 0)
            sub = &s_subcommands[i];
    if (!sub) {
        asctl_fail(&ctl, EXIT_USAGE, "unknown subcommand '%s'", argv[optind]);
        s_usage(stderr);
        return EXIT_USAGE;
    }
    bool wants_help = false;
    for (int i = optind + 1; i < argc; i++)
        wants_help |= strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
    int rc;
    if (sub->needs_config && !wants_help) {
        if ((rc = asctl_load_config(&ctl)) != EXIT_OK)
            return rc;
        int serr = 0;
        ctl.security = as_security_new(ctl.cfg, "asctl", &serr);
        if (!ctl.security) {
            as_config_destroy(&ctl.cfg);
            return asctl_fail(&ctl, EXIT_CONFIG, "security: %s", as_strerror(serr));
        }
    }
    ctl.zctx = zmq_ctx_new();
    optind++;
    rc = sub->run(&ctl, argc - optind + 1, argv + optind - 1);
    as_security_destroy(&ctl.security);
    zmq_ctx_term(ctl.zctx);
    as_config_destroy(&ctl.cfg);
    return rc;
}
