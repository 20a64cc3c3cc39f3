/* as-tools — the tool room: special tools, equipment and technical documents,
 * their calibration, loans to technicians for RO jobs with a joint condition
 * check and the technician's own signature, workshop requests, availability
 * for dispatch, and tools still out when their RO passed QC. */
#include "tools.h"

static const char *const s_dbs[] = {"items", "loans", "asks", NULL};

static const as_command_def_t s_commands[] = {
    {"tools.item.register", tools_cmd_item_register, false},
    {"tools.item.show", tools_cmd_item_show, true},
    {"tools.item.list", tools_cmd_item_list, true},
    {"tools.calibration.record", tools_cmd_calibration_record, false},
    {"tools.calibration.due", tools_cmd_calibration_due, true},
    {"tools.availability", tools_cmd_availability, true},
    {"tools.loan.checkout", tools_cmd_loan_checkout, false},
    {"tools.loan.sign", tools_cmd_loan_sign, false},
    {"tools.loan.checkin", tools_cmd_loan_checkin, false},
    {"tools.loan.report_lost", tools_cmd_loan_report_lost, false},
    {"tools.loan.list", tools_cmd_loan_list, true},
    {"tools.request.make", tools_cmd_request_make, false},
    {"tools.request.answer", tools_cmd_request_answer, false},
    {"tools.request.list", tools_cmd_request_list, true},
    {"tools.kpi", tools_cmd_kpi, true},
    {NULL, NULL, false},
};

static const as_event_def_t s_events[] = {
    {"workshop.qc.passed", tools_evt_qc_passed},
    {NULL, NULL},
};

static const as_service_def_t s_def = {
    .name = "tools",
    .dbs = s_dbs,
    .commands = s_commands,
    .events = s_events,
    .summary = "The tool room: special tools, equipment and technical documents, calibration,\n"
               "loans to technicians for RO jobs (condition check, the technician's signature),\n"
               "workshop requests, availability for dispatch, tools still out after QC.",
};

int main(int argc, char **argv)
{
    return as_service_main(&s_def, argc, argv);
}
