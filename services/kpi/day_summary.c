/* day_summary.c — kpi.day.summary: the information clerk's daily business
 * summary (issue 15), from what kpi counts already: the department's counters
 * of the day (ROs opened and delivered, appointments booked and arrived,
 * labour and parts sales, gross profit, comebacks, warranty claims first
 * submitted) and the level of vehicles waiting at the day's end (ROs opened
 * less ROs delivered, every "L|" day up to it: counters_clerk.c). The same
 * counters as `kpi report --day`, on one page. Returns 0, a store code or
 * the command's refusal (a bad day). */
#include <stdio.h>
#include <string.h>

#include "as/error.h"
#include "kpi.h"

int kpi_cmd_day_summary(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiDaySummaryRequest *req = (const As__KpiDaySummaryRequest *)cmd->request;
    char day[AS_DATE_LEN + 1];
    if (as_cmd_date_or(cmd, "day", req->day, day) != 0)
        return AS_EINVALID;
    as_key_t key;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    int rc = as_key_of(&key, "D", day, KPI_DEPARTMENT, "", NULL);
    if (rc == 0)
        rc = kpi_counters_read(cmd->svc, cmd->txn, &key, &c);
    As__KpiCounters levels; /* the vehicles waiting at the end of the day */
    if (rc == 0)
        rc = kpi_levels_sum(cmd->svc, cmd->txn, day, &levels);
    if (rc != 0)
        return rc;
    As__KpiDaySummary s = AS__KPI_DAY_SUMMARY__INIT;
    s.vehicles_waiting = levels.vehicles_waiting;
    char formula[200];
    int64_t gross =
        c.labour_sales_cents + c.parts_sales_cents - c.parts_cost_cents - c.labour_cost_cents;
    snprintf(formula, sizeof formula,
             "labour sales + parts sales - parts cost - labour cost = %lld + %lld - %lld - %lld "
             "cents",
             (long long)c.labour_sales_cents, (long long)c.parts_sales_cents,
             (long long)c.parts_cost_cents, (long long)c.labour_cost_cents);
    s.day = day;
    s.has_ros_opened = s.has_ros_delivered = s.has_appointments_booked = 1;
    s.has_appointments_arrived = s.has_labour_sales_cents = s.has_parts_sales_cents = 1;
    s.has_service_sales_cents = s.has_gross_profit_cents = s.has_vehicles_waiting = 1;
    s.has_comebacks = s.has_warranty_claims_submitted = 1;
    s.has_parts_cost_cents = s.has_labour_cost_cents = 1;
    s.parts_cost_cents = c.parts_cost_cents;
    s.labour_cost_cents = c.labour_cost_cents;
    s.ros_opened = c.ros_opened;
    s.ros_delivered = c.ros_delivered;
    s.appointments_booked = c.appointments_booked;
    s.appointments_arrived = c.appointments_arrived;
    s.labour_sales_cents = c.labour_sales_cents;
    s.parts_sales_cents = c.parts_sales_cents;
    s.service_sales_cents = c.labour_sales_cents + c.parts_sales_cents;
    s.gross_profit_cents = gross;
    s.comebacks = c.comebacks;
    s.warranty_claims_submitted = c.warranty_claims_submitted;
    s.gross_profit_formula = formula;
    return as_cmd_reply(cmd, &s.base);
}
