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
    /* issue 15: the monthly reports (services/kpi/monthly.c); the handlers
     * hold who submits which kind (oem: the information clerk) */
    {"kpi.monthly.generate", "kpi", &as__kpi_monthly_generate__descriptor,
     &as__kpi_monthly_report__descriptor,
     "generate the department's or the OEM's report of a month that has ended (once; again: the "
     "same report)",
     AS_ROLE_SERVICE_MANAGER | AS_ROLE_IT_ADMIN, false},
    {"kpi.monthly.list", "kpi", &as__kpi_monthly_query__descriptor,
     &as__kpi_monthly_list__descriptor,
     "the monthly reports (state generated or submitted, month, kind), without their figures",
     AS_ROLE_SERVICE_MANAGER | AS_ROLE_INFO_CLERK | AS_ROLE_IT_ADMIN, true},
    {"kpi.monthly.show", "kpi", &as__kpi_monthly_ref__descriptor,
     &as__kpi_monthly_report__descriptor, "one monthly report with its figures and formulas",
     AS_ROLE_SERVICE_MANAGER | AS_ROLE_INFO_CLERK | AS_ROLE_IT_ADMIN, true},
    {"kpi.monthly.submit", "kpi", &as__kpi_monthly_ref__descriptor,
     &as__kpi_monthly_report__descriptor,
     "submit a monthly report (oem: the information clerk; department: the service manager or "
     "the clerk)",
     AS_ROLE_SERVICE_MANAGER | AS_ROLE_INFO_CLERK, false, true},
    {"kpi.monthly.correct", "kpi", &as__kpi_monthly_correct__descriptor,
     &as__kpi_monthly_report__descriptor,
     "correct a submitted monthly report: regenerated from the figures as they are now, with a "
     "reason",
     AS_ROLE_SERVICE_MANAGER | AS_ROLE_INFO_CLERK, false, true},
};

static const as_event_info_t s_events[] = {
    {"kpi.target.changed", &as__kpi_target_changed__descriptor, "a monthly target was set"},
    {"kpi.expense.recorded", &as__kpi_expense_recorded__descriptor,
     "a month's expenses in a category were recorded (replacing any before)"},
    {"kpi.monthly.generated", &as__kpi_monthly_changed__descriptor,
     "a monthly report (department or OEM) was generated, with its figures and due date"},
    {"kpi.monthly.submitted", &as__kpi_monthly_changed__descriptor,
     "a monthly report was submitted (late when after its due date)"},
    {"kpi.monthly.corrected", &as__kpi_monthly_changed__descriptor,
     "a submitted monthly report was regenerated from the figures as they are now, with a reason"},
};

AS_CATALOG_PART(as__catalog_kpi, s_commands, s_events);
