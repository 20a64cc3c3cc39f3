/* asctl — the command line of the after-sales system: every command of every
 * service, the live event tap, status, keys and backups. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <zmq.h>

#include "as/version.h"
#include "as/config_schema.h"
#include "as/human.h"
#include "as/error.h"
#include "as/log.h"
#include "asctl.h"

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: asctl [OPTIONS] SUBCOMMAND [ARGS]\n"
            "\n"
            "Subcommands:\n"
            "  call COMMAND [FIELD=VALUE...]   run a service command; `call COMMAND --help`\n"
            "                                  lists its fields (offline, from the catalog)\n"
            "  commands [PREFIX|COMMAND]       list the commands and what they take\n"
            "  tap [PREFIX...]                 show events live; --since SOURCE:SEQ|1h|DATE-TIME\n"
            "                                  replays first; --subject ID, --type PREFIX;\n"
            "                                  --site SITE or --all-sites (default [site] name)\n"
            "  status [SERVICE...]             each daemon's last seq, offsets and lag\n"
            "  keygen NAME                     make a CURVE keypair for NAME\n"
            "  backup SERVICE --to DIR         hot backup of a daemon's store\n"
            "  restore SERVICE --from DIR      restore a backup (gets a new incarnation)\n"
            "  kpi report --month YYYY-MM      KPI report (--day, --by KEY, -o wide|csv, --excel)\n"
            "                                  (--year YYYY; a group's kpi: --site S | --group)\n"
            "  source accept SERVICE SOURCE    follow a restored source's new history (DIVERGED)\n"
            "  outbox archive SERVICE --before YYYY-MM-DD --to FILE\n"
            "                                  copy the outbox's older events into a file\n"
            "  outbox verify FILE              check an outbox archive\n"
            "  batch [FILE]                    one call, status or kpi line after another from\n"
            "                                  FILE or stdin, in this one process (scripts)\n"
            "  check-config                    check the config (every section and key): prints\n"
            "                                  'config ok' or each problem with its line\n"
            "\n"
            "Options (anywhere on the line; after the subcommand in their long form, or\n"
            "-c, -j, -o):\n"
            "  -c, --config FILE   site config (default $AS_CONFIG or /etc/aftersales/site.ini)\n"
            "  -o, --output FORMAT table (default), json, csv or wide (call, kpi report)\n"
            "  -j, --json          machine-readable output (one JSON document per line): -o json\n"
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
    unsigned outputs; /* the -o formats it prints besides table and json */
    bool in_batch;    /* may be a line of `asctl batch` */
} s_subcommand_t;

static const s_subcommand_t s_subcommands[] = {
    {"call", asctl_call, true, ASCTL_OUT_CSV | ASCTL_OUT_WIDE, true},
    {"commands", asctl_commands, false, 0},
    {"tap", asctl_tap, true, 0},
    {"status", asctl_status, true, 0, true},
    {"keygen", asctl_keygen, false, 0},
    {"backup", asctl_backup, false, 0},
    {"restore", asctl_restore, false, 0},
    {"kpi", asctl_kpi, true, ASCTL_OUT_CSV | ASCTL_OUT_WIDE, true},
    {"source", asctl_source, true, 0},
    {"check-config", s_check_config, false, 0},
    {"outbox", asctl_outbox, false, 0},
    {"batch", asctl_batch, false, ASCTL_OUT_CSV | ASCTL_OUT_WIDE},
};

/* The global options. Before the subcommand every form is taken; after it the
 * long forms and the short ones no subcommand uses for itself (-c, -j, -o):
 * `call` has -a (--at) and `backup` -t (--to). */
typedef struct {
    const char *name;
    char letter;
    bool takes_value;
    bool letter_anywhere;
} s_global_t;

static const s_global_t s_globals[] = {
    {"config", 'c', true, true}, {"json", 'j', false, true},    {"output", 'o', true, true},
    {"actor", 'a', true, false}, {"timeout", 't', true, false}, {"retries", 'r', true, false},
};

static int s_set_output(asctl_t *ctl, const char *name)
{
    static const struct {
        const char *name;
        asctl_output_t output;
    } formats[] = {{"table", ASCTL_OUT_TABLE},
                   {"json", ASCTL_OUT_JSON},
                   {"csv", ASCTL_OUT_CSV},
                   {"wide", ASCTL_OUT_WIDE}};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(name, formats[i].name) == 0) {
            ctl->output = formats[i].output;
            ctl->json = ctl->output == ASCTL_OUT_JSON;
            return EXIT_OK;
        }
    return asctl_fail(ctl, EXIT_USAGE, "-o '%s' is not an output format (table, json, csv, wide)",
                      name);
}

static int s_set_global(asctl_t *ctl, const s_global_t *g, const char *value)
{
    switch (g->letter) {
    case 'c':
        ctl->config_path = value;
        return EXIT_OK;
    case 'j':
        return s_set_output(ctl, "json");
    case 'o':
        return s_set_output(ctl, value);
    case 'a':
        ctl->actor = value;
        return EXIT_OK;
    case 't':
        ctl->timeout_ms = atoi(value);
        return ctl->timeout_ms > 0
                   ? EXIT_OK
                   : asctl_fail(ctl, EXIT_USAGE, "--timeout takes milliseconds (> 0)");
    default:
        ctl->tries = atoi(value);
        return ctl->tries > 0 ? EXIT_OK
                              : asctl_fail(ctl, EXIT_USAGE, "--retries takes a number (> 0)");
    }
}

/* The global `arg` names ("--config", "--config=F", "-c", "-cF"), or NULL;
 * *inline_value points at "F" when the value is glued on. */
static const s_global_t *s_global_of(const char *arg, bool before_subcommand,
                                     const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < sizeof s_globals / sizeof s_globals[0]; i++) {
        const s_global_t *g = &s_globals[i];
        size_t len = strlen(g->name);
        if (arg[0] == '-' && arg[1] == '-' && strncmp(arg + 2, g->name, len) == 0 &&
            (arg[2 + len] == '\0' || (g->takes_value && arg[2 + len] == '='))) {
            *inline_value = arg[2 + len] == '=' ? arg + 3 + len : NULL;
            return g;
        }
        if (arg[0] == '-' && arg[1] == g->letter && (before_subcommand || g->letter_anywhere) &&
            (arg[2] == '\0' || g->takes_value)) {
            *inline_value = arg[2] ? arg + 2 : NULL;
            return g;
        }
    }
    return NULL;
}

/* Takes the global options out of argv wherever they are (up to a "--"),
 * leaving argv[0], the subcommand and its own arguments in *argc, *argv.
 * Returns EXIT_OK, -1 after printing the usage for -h, or an exit code. */
static int s_take_globals(asctl_t *ctl, int *argc, char **argv)
{
    int kept = 1;
    bool before_subcommand = true, rest_is_literal = false;
    for (int i = 1; i < *argc; i++) {
        const char *arg = argv[i], *value = NULL;
        const s_global_t *g = rest_is_literal ? NULL : s_global_of(arg, before_subcommand, &value);
        if (g) {
            if (g->takes_value && !value && ++i >= *argc)
                return asctl_fail(ctl, EXIT_USAGE, "--%s needs a value", g->name);
            int rc = s_set_global(ctl, g, value ? value : argv[i]);
            if (rc != EXIT_OK)
                return rc;
            continue;
        }
        if (before_subcommand && (!strcmp(arg, "-h") || !strcmp(arg, "--help"))) {
            s_usage(stdout);
            return -1;
        }
        if (before_subcommand && arg[0] == '-') {
            asctl_fail(ctl, EXIT_USAGE, "unknown option '%s'", arg);
            s_usage(stderr);
            return EXIT_USAGE;
        }
        rest_is_literal |= !before_subcommand && strcmp(arg, "--") == 0;
        before_subcommand = false;
        argv[kept++] = argv[i];
    }
    argv[kept] = NULL;
    *argc = kept;
    return EXIT_OK;
}

int asctl_columns(void)
{
    const char *env = getenv("COLUMNS");
    int columns = env ? atoi(env) : 0;
    struct winsize ws;
    if (columns <= 0 && isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
        columns = ws.ws_col;
    return columns > 20 ? columns : 100;
}

int asctl_run(const asctl_t *base, int argc, char **argv, bool in_batch)
{
    asctl_t ctl = {.config_path = base->config_path,
                   .output = base->output,
                   .json = base->json,
                   .actor = base->actor,
                   .timeout_ms = base->timeout_ms,
                   .tries = base->tries};
    int rc = s_take_globals(&ctl, &argc, argv);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (argc < 2) {
        if (in_batch)
            return asctl_fail(&ctl, EXIT_USAGE, "a batch line names no subcommand");
        s_usage(stderr);
        return EXIT_USAGE;
    }
    const s_subcommand_t *sub = NULL;
    for (size_t i = 0; i < sizeof s_subcommands / sizeof s_subcommands[0]; i++)
        if (strcmp(argv[1], s_subcommands[i].name) == 0)
            sub = &s_subcommands[i];
    if (in_batch && (!sub || !sub->in_batch))
        return asctl_fail(&ctl, EXIT_USAGE,
                          "'%s' cannot be a batch line (call, status and kpi can)", argv[1]);
    if (!sub) {
        asctl_fail(&ctl, EXIT_USAGE, "unknown subcommand '%s'", argv[1]);
        s_usage(stderr);
        return EXIT_USAGE;
    }
    if (ctl.output & (ASCTL_OUT_CSV | ASCTL_OUT_WIDE) & ~sub->outputs)
        return asctl_fail(&ctl, EXIT_USAGE, "%s prints no -o %s (table or json)", sub->name,
                          ctl.output == ASCTL_OUT_CSV ? "csv" : "wide");
    bool wants_help = false;
    for (int i = 2; i < argc; i++)
        wants_help |= strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
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
    rc = sub->run(&ctl, argc - 1, argv + 1);
    as_security_destroy(&ctl.security);
    zmq_ctx_term(ctl.zctx);
    as_config_destroy(&ctl.cfg);
    return rc;
}

int main(int argc, char **argv)
{
    if (as_version_option(argc, argv))
        return 0;
    asctl_t defaults = {.timeout_ms = 3000, .tries = 3, .output = ASCTL_OUT_TABLE};
    defaults.config_path = getenv("AS_CONFIG");
    defaults.actor = getenv("AS_ACTOR") ? getenv("AS_ACTOR") : getenv("USER");
    as_log_init("asctl", AS_LOG_WARN);
    return asctl_run(&defaults, argc, argv, false);
}
