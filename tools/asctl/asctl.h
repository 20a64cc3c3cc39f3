/* asctl.h — what the subcommands of asctl share. */
#ifndef ASCTL_H
#define ASCTL_H

#include <jansson.h>
#include <stdbool.h>

#include "as/config.h"
#include "as/pb/rpc.pb-c.h"
#include "as/security.h"

/* Exit codes (sysexits.h where one fits). */
enum {
    EXIT_OK = 0,
    EXIT_REFUSED = 1,  /* the service answered with an error */
    EXIT_MISMATCH = 2, /* a check found a difference (status --check) */
    EXIT_USAGE = 64,
    EXIT_DATAERR = 65,     /* a payload or argument could not be read */
    EXIT_UNAVAILABLE = 69, /* no answer from the service in time */
    EXIT_SOFTWARE = 70,
    EXIT_IOERR = 74,    /* also: a store's data file is damaged */
    EXIT_TEMPFAIL = 75, /* a store is in use by a daemon (restore) */
    EXIT_CONFIG = 78,
};

/* How a subcommand prints what it got (-o). */
typedef enum {
    ASCTL_OUT_TABLE = 1 << 0, /* for people: aligned tables, "key: value" lines */
    ASCTL_OUT_JSON = 1 << 1,  /* one JSON document per line (also --json) */
    ASCTL_OUT_CSV = 1 << 2,   /* for spreadsheets */
    ASCTL_OUT_WIDE = 1 << 3,  /* a table with every column, wider than a terminal */
} asctl_output_t;

typedef struct asctl {
    as_config_t *cfg;
    const char *config_path;
    asctl_output_t output;
    bool json; /* output == ASCTL_OUT_JSON */
    const char *actor;
    int timeout_ms;
    int64_t occurred_us; /* `call --at`: when the command's fact happened (0: now) */
    int tries;
    void *zctx;
    as_security_t *security;
} asctl_t;

/* The service endpoint of `service` from the config, or NULL (and a message). */
const char *asctl_endpoint(asctl_t *ctl, const char *service);

/* A daemon's data dir: `given` (--data-dir), else [SERVICE] data_dir, else
 * ${site.data_dir}/SERVICE in the config (written into buf). NULL when the
 * config cannot be loaded (said on stderr). */
const char *asctl_data_dir(asctl_t *ctl, const char *service, const char *given, char *buf,
                           size_t cap);

/* The width output for people fits in: $COLUMNS, else the terminal's when
 * stdout is one, else 100. */
int asctl_columns(void);

/* Prints a JSON value on one line to stdout. */
void asctl_print_json(json_t *value);

/* Prints an error for people on stderr ("asctl: ...") or, with --json, as
 * {"ok":false,"error":...} on stdout. Returns `code`. */
int asctl_fail(asctl_t *ctl, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Loads ctl->cfg from ctl->config_path (default /etc/aftersales/site.ini)
 * unless it is loaded. Returns EXIT_OK or EXIT_CONFIG (said on stderr). */
int asctl_load_config(asctl_t *ctl);

/* Sends `command` to `service` (at `endpoint`, or the config's when NULL) as
 * ctl->actor and waits for the reply, retrying as ctl says. Returns EXIT_OK
 * with *reply set (the caller frees it with as__command_reply__free_unpacked;
 * a refusal is in its status), or an exit code after saying why. */
int asctl_command(asctl_t *ctl, const char *service, const char *endpoint, const char *command,
                  const char *request_id, const void *payload, size_t len,
                  As__CommandReply **reply);

/* Asks one service for its status: the StatusReply as JSON, with "service"
 * and "up" (false, with "error", when it did not answer). Caller decrefs. */
json_t *asctl_status_query(asctl_t *ctl, const char *service);

int asctl_call(asctl_t *ctl, int argc, char **argv);
int asctl_source(asctl_t *ctl, int argc, char **argv);
int asctl_tap(asctl_t *ctl, int argc, char **argv);
int asctl_status(asctl_t *ctl, int argc, char **argv);
int asctl_keygen(asctl_t *ctl, int argc, char **argv);
int asctl_backup(asctl_t *ctl, int argc, char **argv);
int asctl_restore(asctl_t *ctl, int argc, char **argv);
int asctl_commands(asctl_t *ctl, int argc, char **argv);
int asctl_kpi(asctl_t *ctl, int argc, char **argv);
/* A monthly report's figures in their units for people (kpi.c): changes
 * `reply` when reply_desc is KpiMonthlyReport's, else nothing. */
void asctl_kpi_humanize(const ProtobufCMessageDescriptor *reply_desc, json_t *reply);
int asctl_outbox(asctl_t *ctl, int argc, char **argv);
/* kpi.scorecard's reply as a table for people (scorecard.c). */
void asctl_scorecard_print(const ProtobufCMessage *msg);
int asctl_batch(asctl_t *ctl, int argc, char **argv);

/* Runs one asctl command line (argv[0] the program, then global options, the
 * subcommand and its arguments) with `base`'s config path, output, actor,
 * timeout and tries as the defaults its own options override. In a batch
 * (`in_batch`) only call, status and kpi are taken. Returns the exit code. */
int asctl_run(const asctl_t *base, int argc, char **argv, bool in_batch);

#endif
