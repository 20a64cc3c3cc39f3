/* as-parts — the parts warehouse: catalogue, stock, receiving with inspection,
 * reservations, issue to an RO job and technician, returns, backorders, and
 * the consumption charged to an RO when the vehicle completed QC. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "as/error.h"
#include "as/log.h"
#include "parts.h"

static const char *const s_dbs[] = {"parts",      "bins",         "receipts",
                                    "issues",     "ro_issues",    "reservations",
                                    "backorders", "consumptions", NULL};

static const as_command_def_t s_commands[] = {
    {"parts.part.define", parts_cmd_part_define},
    {"parts.stock.query", parts_cmd_stock_query},
    {"parts.receipt.record", parts_cmd_receipt_record},
    {"parts.reserve", parts_cmd_reserve},
    {"parts.issue", parts_cmd_issue},
    {"parts.return", parts_cmd_return},
    {"parts.ro.show", parts_cmd_ro_show},
    {NULL, NULL},
};

static const as_event_def_t s_events[] = {
    {"workshop.qc.passed", parts_evt_qc_passed},
    {NULL, NULL},
};

static parts_ctx_t s_ctx;

static int s_start(as_service_t *svc)
{
    char *err = NULL;
    s_ctx.staff = as_staff_load(as_service_config(svc), &err);
    if (!s_ctx.staff) {
        as_error("config: %s", err ? err : "cannot read [staff]");
        free(err);
        return AS_ECONFIG;
    }
    return 0;
}

static const as_service_def_t s_def = {
    .name = "parts",
    .dbs = s_dbs,
    .commands = s_commands,
    .events = s_events,
    .on_start = s_start,
    .user = &s_ctx,
};

static void s_usage(FILE *out)
{
    fprintf(out, "usage: as-parts --config FILE\n"
                 "\n"
                 "The parts warehouse daemon (service 'parts'): catalogue, stock, receipts,\n"
                 "reservations, issues, returns, backorders, and RO consumption on\n"
                 "workshop.qc.passed. Reads [parts], [staff], [site] and [bus] from FILE.\n"
                 "Exit codes: 0 stopped cleanly, 64 usage, 78 config error, 70 start failed.\n");
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            config_path = optarg;
            break;
        case 'h':
            s_usage(stdout);
            return 0;
        default:
            s_usage(stderr);
            return 64;
        }
    }
    if (optind != argc || !config_path) {
        s_usage(stderr);
        return 64;
    }
    as_log_init("parts", AS_LOG_INFO);
    char *err = NULL;
    as_config_t *cfg = as_config_load(config_path, &err);
    if (!cfg) {
        as_error("%s", err ? err : "cannot load config");
        free(err);
        return 78;
    }
    int rc = 0;
    as_service_t *svc = as_service_new(&s_def, cfg, &rc);
    if (!svc) {
        as_staff_destroy(&s_ctx.staff);
        as_config_destroy(&cfg);
        return rc == AS_ECONFIG ? 78 : 70;
    }
    as_service_run(svc);
    as_service_destroy(&svc);
    as_staff_destroy(&s_ctx.staff);
    as_config_destroy(&cfg);
    return 0;
}
