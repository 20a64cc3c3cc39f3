/* kpi.c — the kpi service's def: databases, commands, events (main.c runs it). */
#include "as/error.h"
#include "as/config_schema.h"
#include "as/log.h"
#include "kpi.h"
#include "kpi_service.h"

kpi_t *kpi_of(as_service_t *svc)
{
    return as_service_user(svc);
}

static int s_start(as_service_t *svc)
{
    kpi_t *kpi = kpi_of(svc);
    as_config_t *cfg = as_service_config(svc);
    long long hours = 9;
    if (as_config_read_int(cfg, "kpi", "working_hours_per_day", &hours) != 0) {
        as_error("config: [kpi] working_hours_per_day must be 1..24");
        return AS_ECONFIG;
    }
    kpi->hours_per_day = (int)hours;
    int rc = kpi_group_check(svc);
    if (rc == 0)
        rc = kpi_upgrade(svc);
    if (rc == 0 && kpi_is_group(svc)) /* the monthly reports are each site's own */
        return 0;
    return rc ? rc : kpi_monthly_start(svc);
}

static void s_stop(as_service_t *svc)
{
    kpi_monthly_stop(svc);
}

const as_service_def_t kpi_service = {
    .name = "kpi",
    .dbs = kpi_dbs,
    .commands = kpi_commands,
    .events = kpi_events,
    .on_start = s_start,
    .on_stop = s_stop,
    .on_applied = kpi_monthly_applied,
    .user_size = sizeof(kpi_t),
    .site_scoped = true, /* [kpi] sites: a dealer group's kpi (group.c) */
    .summary = "The kpi service: applies the events of the services it follows into counters\n"
               "per day and month (department, technician, advisor, bay), keeps the\n"
               "managers' monthly targets and answers kpi.report and kpi.target.set.\n"
               "[kpi] working_hours_per_day (default 9) sizes bay utilisation.",
};
