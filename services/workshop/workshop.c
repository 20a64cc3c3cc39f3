/* workshop.c — the workshop service's def: databases, commands, events (main.c runs it). */
#include "workshop.h"
#include "workshop_service.h"

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
    {"workshop.tool.list", ws_cmd_tool_list},
    {"workshop.tool_check.show", ws_cmd_tool_check_show},
    {"workshop.bulletin.publish", ws_cmd_bulletin_publish},
    {"workshop.bulletin.retire", ws_cmd_bulletin_retire},
    {"workshop.bulletin.list", ws_cmd_bulletin_list},
    {"workshop.bulletin.acknowledge", ws_cmd_bulletin_acknowledge},
    {"workshop.training.plan", ws_cmd_training_plan},
    {"workshop.training.attend", ws_cmd_training_attend},
    {"workshop.training.certify", ws_cmd_training_certify},
    {"workshop.training.list", ws_cmd_training_list},
    {"workshop.qc.stats", ws_cmd_qc_stats},
    {NULL, NULL},
};

static const as_event_def_t s_events[] = {
    {"reception.ro.consented", ws_evt_ro_consented},
    {"reception.job.added", ws_evt_job_added},
    {"reception.extra_work.answered", ws_evt_extra_work_answered},
    {"tools.item.registered", ws_evt_tool_registered},
    {"tools.calibration.recorded", ws_evt_tool_calibrated},
    {"tools.loan.checked_out", ws_evt_tool_loan_changed},
    {"tools.loan.checked_in", ws_evt_tool_loan_changed},
    {"tools.loan.lost", ws_evt_tool_loan_changed},
    {"reception.vehicle.registered", ws_evt_vehicle_registered},
    {NULL, NULL},
};

const as_service_def_t workshop_service = {
    .name = "workshop",
    .dbs = ws_dbs,
    .commands = s_commands,
    .events = s_events,
    .on_start = ws_board_upgrade,
    .summary = "The workshop: technicians (skills, certification levels, shifts), bays,\n"
               "dispatch (with the job's special tools checked against the tool room's\n"
               "events), clocking, extra-defect reports and QC inspections.",
};
