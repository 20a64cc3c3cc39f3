/* as-kpi — the KPI daemon: follows every other service, keeps counters per
 * day and month, and reports the figures of DOMAIN.md with their formulas. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/log.h"
#include "kpi.h"

static kpi_t s_kpi;

kpi_t *kpi_of(as_service_t *svc)
{
    return as_service_user(svc);
}

static int s_start(as_service_t *svc)
{
    kpi_t *kpi = kpi_of(svc);
    as_config_t *cfg = as_service_config(svc);
    long long hours = 9;
    if (as_config_get_int(cfg, "kpi", "working_hours_per_day", 9, &hours) != 0 || hours < 1 ||
        hours > 24) {
        as_error("config: [kpi] working_hours_per_day must be 1..24");
        return AS_ECONFIG;
    }
    kpi->hours_per_day = (int)hours;
    char *err = NULL;
    kpi->staff = as_staff_load(cfg, &err);
    if (!kpi->staff) {
        as_error("config: %s", err ? err : "cannot read [staff]");
        free(err);
        return AS_ECONFIG;
    }
    return 0;
}

static const as_service_def_t s_def = {
    .name = "kpi",
    .dbs = kpi_dbs,
    .commands = kpi_commands,
    .events = kpi_events,
    .on_start = s_start,
    .user = &s_kpi,
};

static void s_usage(FILE *out)
{
    fprintf(out, "usage: as-kpi --config FILE\n"
                 "\n"
                 "The kpi service: applies the events of the services it follows into\n"
                 "counters per day and month (department, technician, advisor, bay), keeps\n"
                 "the managers' monthly targets and answers kpi.report and kpi.target.set.\n"
                 "Reads [kpi] (endpoint, follows, working_hours_per_day), [staff], [site]\n"
                 "and [bus] from FILE.\n"
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
    as_log_init("kpi", AS_LOG_INFO);
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
        as_staff_destroy(&s_kpi.staff);
        as_config_destroy(&cfg);
        return rc == AS_ECONFIG ? 78 : 70;
    }
    as_service_run(svc);
    as_service_destroy(&svc);
    as_staff_destroy(&s_kpi.staff);
    as_config_destroy(&cfg);
    return 0;
}
