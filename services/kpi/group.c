/* group.c — a dealer group's kpi (issue 16): [kpi] sites = a, b, ... makes
 * this kpi follow `follows` at every site listed, each site's databases apart
 * (the runtime's scopes: as_service_scope_set), and report one site
 * (kpi.report site=) or the group (group=true). It records nothing of its
 * own: the commands that write, and the queries of one site's records, are
 * the site's own kpi's. */
#include <stdio.h>
#include <string.h>

#include "as/config.h"
#include "as/error.h"
#include "as/log.h"
#include "kpi.h"

/* "a, b, c" */
static void s_site_list(as_service_t *svc, char *out, size_t cap)
{
    size_t n = 0, used = 0;
    const char *const *sites = as_service_sites(svc, &n);
    out[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? ", " : "", sites[i]);
}

int kpi_group_check(as_service_t *svc)
{
    size_t n = 0;
    const char *const *sites = as_service_sites(svc, &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(sites[i], KPI_GROUP_ROW)) {
            as_error("config: [kpi] sites: '%s' names the group's own row in kpi.report; "
                     "give that site another name",
                     KPI_GROUP_ROW);
            return AS_ECONFIG;
        }
    if (n > 0)
        as_info("kpi: a dealer group's kpi of %zu sites: it reports them and writes nothing", n);
    return 0;
}

bool kpi_is_group(as_service_t *svc)
{
    return as_service_sites(svc, NULL) != NULL;
}

int kpi_site_only(as_cmd_t *cmd)
{
    if (!kpi_is_group(cmd->svc))
        return 0;
    char sites[1024];
    s_site_list(cmd->svc, sites, sizeof sites);
    return as_cmd_fail(cmd, AS_EINVALID,
                       "this kpi reports a dealer group (sites = %s): %s is the site's own kpi's; "
                       "run it on the site's own kpi",
                       sites, cmd->command);
}

int kpi_group_scope(as_cmd_t *cmd, const char *site, bool group)
{
    bool has_site = site && *site;
    char sites[1024];
    if (!kpi_is_group(cmd->svc)) {
        const char *own = as_config_get(as_service_config(cmd->svc), "site", "name", "local");
        if (group)
            return as_cmd_fail(cmd, AS_EINVALID,
                               "this kpi reports one site ('%s'): a group report is the group "
                               "kpi's (the one with [kpi] sites)",
                               own);
        if (has_site && strcmp(site, own) != 0)
            return as_cmd_fail(cmd, AS_EINVALID,
                               "this kpi reports site '%s' only: ask the kpi of site '%s', or "
                               "the group kpi",
                               own, site);
        return 0;
    }
    s_site_list(cmd->svc, sites, sizeof sites);
    if (has_site && group)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "give site (one site's rows) or group (every site and the group), not "
                           "both");
    if (!has_site && !group)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "this kpi reports a dealer group (sites = %s): give site=S for one "
                           "site's rows or group=true for every site and the group row",
                           sites);
    if (has_site && as_service_scope_set(cmd->svc, site) != 0)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "site '%s' is not one of this group's (sites = %s)",
                           site, sites);
    return 0;
}

/* --- the site kpis' own records, as they wrote them --------------------------------- */

int kpi_evt_site_target(as_evt_t *evt)
{
    const As__KpiTarget *t = ((const As__KpiTargetChanged *)evt->payload)->target;
    if (!kpi_is_group(evt->svc))
        return 0; /* a site kpi keeps its own */
    if (!t || !t->month || !t->metric)
        return AS_EINVALID;
    return kpi_target_put(evt->svc, evt->txn, t);
}

int kpi_evt_site_expense(as_evt_t *evt)
{
    const As__KpiExpense *e = ((const As__KpiExpenseRecorded *)evt->payload)->expense;
    if (!kpi_is_group(evt->svc))
        return 0;
    if (!e || !e->month || !e->category)
        return AS_EINVALID;
    return kpi_expense_put(evt->svc, evt->txn, e);
}

int kpi_evt_site_monthly(as_evt_t *evt)
{
    const As__KpiMonthlyReport *r = ((const As__KpiMonthlyChanged *)evt->payload)->report;
    if (!kpi_is_group(evt->svc))
        return 0;
    if (!r || !r->month || !r->kind)
        return AS_EINVALID;
    return kpi_monthly_put(evt->svc, evt->txn, r);
}
