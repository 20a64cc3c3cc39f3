/* catalog/kpi.c — the kpi service's commands and events (services/kpi). */
#include "as/pb/kpi.pb-c.h"
#include "domains.h"

static const as_command_info_t s_commands[] = {
    {"kpi.target.set", "kpi", &as__kpi_target_set__descriptor, &as__kpi_target__descriptor,
     "set a monthly target for a report figure (service manager, parts manager); technician=: "
     "for that technician's row only",
     AS_ROLE_SERVICE_MANAGER | AS_ROLE_PARTS_MANAGER, false},
    {"kpi.report", "kpi", &as__kpi_report_request__descriptor, &as__kpi_report__descriptor,
     "KPI report for a month or a day, by department, technician, advisor or bay",
     AS_ROLES_ANY_STAFF | AS_ROLE_SYSTEM, true},
    {"kpi.figure.ros", "kpi", &as__kpi_figure_ros_request__descriptor,
     &as__kpi_figure_ros__descriptor,
     "the repair orders behind a department figure of a month or a day, with their shares",
     AS_ROLES_ANY_STAFF | AS_ROLE_SYSTEM, true},
    {"kpi.expense.record", "kpi", &as__kpi_expense_record__descriptor, &as__kpi_expense__descriptor,
     "record the department's expenses of a month in a category (again: replaces)",
     AS_ROLE_SERVICE_MANAGER, false},
    {"kpi.expense.list", "kpi", &as__kpi_expense_query__descriptor,
     &as__kpi_expense_list__descriptor, "the department's expenses of a month (or of every month)",
     AS_ROLE_SERVICE_MANAGER, true},
    {"kpi.day.summary", "kpi", &as__kpi_day_summary_request__descriptor,
     &as__kpi_day_summary__descriptor,
     "the day's business (default today): ROs opened and delivered, appointments booked and "
     "arrived, labour and parts sales, gross profit, vehicles waiting, comebacks, warranty claims",
     AS_ROLE_INFO_CLERK | AS_ROLE_SERVICE_MANAGER | AS_ROLE_FRONT_DESK_MANAGER | AS_ROLE_SYSTEM,
     true},
};

static const as_event_info_t s_events[] = {
    {"kpi.target.changed", &as__kpi_target_changed__descriptor, "a monthly target was set"},
    {"kpi.expense.recorded", &as__kpi_expense_recorded__descriptor,
     "a month's expenses in a category were recorded (replacing any before)"},
};

AS_CATALOG_PART(as__catalog_kpi, s_commands, s_events);
