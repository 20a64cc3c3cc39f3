/* tools.c — the tools service's def: databases, commands, events (main.c runs it). */
#include "tools.h"
#include "tools_service.h"

static const char *const s_dbs[] = {"items", "loans", "asks", NULL};

static const as_command_def_t s_commands[] = {
    {"tools.item.register", tools_cmd_item_register},
    {"tools.item.show", tools_cmd_item_show},
    {"tools.item.list", tools_cmd_item_list},
    {"tools.calibration.record", tools_cmd_calibration_record},
    {"tools.calibration.due", tools_cmd_calibration_due},
    {"tools.availability", tools_cmd_availability},
    {"tools.loan.checkout", tools_cmd_loan_checkout},
    {"tools.loan.sign", tools_cmd_loan_sign},
    {"tools.loan.checkin", tools_cmd_loan_checkin},
    {"tools.loan.report_lost", tools_cmd_loan_report_lost},
    {"tools.loan.list", tools_cmd_loan_list},
    {"tools.request.make", tools_cmd_request_make},
    {"tools.request.answer", tools_cmd_request_answer},
    {"tools.request.list", tools_cmd_request_list},
    {"tools.kpi", tools_cmd_kpi},
    {NULL, NULL},
};

static const as_event_def_t s_events[] = {
    {"workshop.qc.passed", tools_evt_qc_passed},
    {NULL, NULL},
};

const as_service_def_t tools_service = {
    .name = "tools",
    .dbs = s_dbs,
    .commands = s_commands,
    .events = s_events,
    .summary = "The tool room: special tools, equipment and technical documents, calibration,\n"
               "loans to technicians for RO jobs (condition check, the technician's signature),\n"
               "workshop requests, availability for dispatch, tools still out after QC.",
};
