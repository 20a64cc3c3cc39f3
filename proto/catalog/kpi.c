/* catalog/kpi.c — the kpi service's commands and events (services/kpi). */
#include "as/pb/kpi.pb-c.h"
#include "domains.h"

static const as_command_info_t s_commands[] = {
    {"kpi.target.set", "kpi", &as__kpi_target_set__descriptor, &as__kpi_target__descriptor,
     "set a monthly target for a report figure (service manager, parts manager); technician=, "
     "advisor= or keeper=: for that person's row only",
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
    /* issue 15: the service manager's people tools (scorecard.c, roster.c) */
    {"kpi.scorecard", "kpi", &as__kpi_scorecard_request__descriptor, &as__kpi_scorecard__descriptor,
     "one person's figures of a month or from_month..to_month against their targets, beside the "
     "department's (service manager; foreman: technicians; front desk manager: advisors; parts "
     "manager: keepers; anyone: their own)",
     AS_ROLES_ANY_STAFF, true},
    {"kpi.roster.plan", "kpi", &as__kpi_roster_plan__descriptor, &as__kpi_roster_shift__descriptor,
     "plan a staff member's shift on a date ahead: start and end HH:MM, or a named shift "
     "(service manager; foreman: technicians; parts manager: keepers)",
     AS_ROLE_SERVICE_MANAGER | AS_ROLE_FOREMAN | AS_ROLE_PARTS_MANAGER, false},
    {"kpi.roster.clear", "kpi", &as__kpi_roster_clear__descriptor,
     &as__kpi_roster_cleared__descriptor,
     "take a planned shift (start=) or a person's whole day off the roster",
     AS_ROLE_SERVICE_MANAGER | AS_ROLE_FOREMAN | AS_ROLE_PARTS_MANAGER, false},
    {"kpi.roster.list", "kpi", &as__kpi_roster_query__descriptor, &as__kpi_roster__descriptor,
     "the roster of days from..to by person, planned beside attended (managers and the "
     "foreman: everyone; others: their own)",
     AS_ROLES_ANY_STAFF, true},
    {"kpi.comeback.analysis", "kpi", &as__kpi_comeback_query__descriptor,
     &as__kpi_comeback_analysis__descriptor,
     "the comebacks of a month (or from/to) by operation, technician and cause, with the "
     "comeback rate",
     AS_ROLE_FRONT_DESK_MANAGER | AS_ROLE_FOREMAN | AS_ROLE_SERVICE_MANAGER, true},
    {"kpi.day.summary", "kpi", &as__kpi_day_summary_request__descriptor,
     &as__kpi_day_summary__descriptor,
     "the day's business (default today): ROs opened and delivered, appointments booked and "
     "arrived, labour and parts sales, gross profit, vehicles waiting, comebacks, warranty claims",
     AS_ROLE_INFO_CLERK | AS_ROLE_SERVICE_MANAGER | AS_ROLE_FRONT_DESK_MANAGER | AS_ROLE_SYSTEM,
     true},
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
    {"kpi.roster.planned", &as__kpi_roster_planned__descriptor,
     "a staff member's shift was planned on the roster"},
    {"kpi.roster.cleared", &as__kpi_roster_cleared__descriptor,
     "planned shifts were taken off the roster"},
    {"kpi.monthly.generated", &as__kpi_monthly_changed__descriptor,
     "a monthly report (department or OEM) was generated, with its figures and due date"},
    {"kpi.monthly.submitted", &as__kpi_monthly_changed__descriptor,
     "a monthly report was submitted (late when after its due date)"},
    {"kpi.monthly.corrected", &as__kpi_monthly_changed__descriptor,
     "a submitted monthly report was regenerated from the figures as they are now, with a reason"},
};

AS_CATALOG_PART(as__catalog_kpi, s_commands, s_events);
