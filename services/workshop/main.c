/* as-workshop — the workshop daemon: technicians, bays, shifts, dispatch,
 * clocking, extra defects and QC (see README.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "as/error.h"
#include "as/log.h"
#include "workshop.h"

static const as_command_def_t s_commands[] = {
    {"workshop.technician.register", ws_cmd_technician_register},
    {"workshop.bay.register", ws_cmd_bay_register},
    {"workshop.shift.record", ws_cmd_shift_record},
    {"workshop.job.dispatch", ws_cmd_job_dispatch},
    {"workshop.clock.on", ws_cmd_clock_on},
    {"workshop.clock.off", ws_cmd_clock_off},
    {"workshop.qc.inspect", ws_cmd_qc_inspect},
    {"workshop.defect.report", ws_cmd_defect_report},
    {"workshop.board", ws_cmd_board},
    {"workshop.ro.show", ws_cmd_ro_show},
    {NULL, NULL},
};

static const as_event_def_t s_events[] = {
    {"reception.ro.consented", ws_evt_ro_consented},
    {"reception.job.added", ws_evt_job_added},
    {"reception.extra_work.answered", ws_evt_extra_work_answered},
    {NULL, NULL},
};

static int s_start(as_service_t *svc)
{
    char *err = NULL;
    ws_staff = as_staff_load(as_service_config(svc), &err);
    if (!ws_staff) {
        as_error("config: %s", err ? err : "cannot read [staff]");
        free(err);
        return AS_ECONFIG;
    }
    return 0;
}

static const as_service_def_t s_def = {
    .name = "workshop",
    .dbs = ws_dbs,
    .commands = s_commands,
    .events = s_events,
    .on_start = s_start,
};

static void s_usage(FILE *out)
{
    fprintf(out, "usage: as-workshop --config FILE\n"
                 "\n"
                 "The workshop daemon: reads [workshop], [staff], [site] and [bus] from FILE.\n"
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
        if (opt == 'c') {
            config_path = optarg;
        } else if (opt == 'h') {
            s_usage(stdout);
            return 0;
        } else {
            s_usage(stderr);
            return 64;
        }
    }
    if (optind != argc || !config_path) {
        s_usage(stderr);
        return 64;
    }
    as_log_init("workshop", AS_LOG_INFO);
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
        as_staff_destroy(&ws_staff);
        as_config_destroy(&cfg);
        return rc == AS_ECONFIG ? 78 : 70;
    }
    as_service_run(svc);
    as_service_destroy(&svc);
    as_staff_destroy(&ws_staff);
    as_config_destroy(&cfg);
    return 0;
}
