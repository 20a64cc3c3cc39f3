/* catalog/workshop.c — the workshop's commands and events (services/workshop). */
#include "as/pb/workshop.pb-c.h"
#include "domains.h"

/* who runs the workshop: registers resources and dispatches jobs */
#define S_BOSS (AS_ROLE_FOREMAN | AS_ROLE_SERVICE_MANAGER)

static const as_command_info_t s_commands[] = {
    {"workshop.technician.register", "workshop", &as__technician_register__descriptor,
     &as__technician__descriptor,
     "register (or update) a technician with skills, certification level and hourly cost", S_BOSS,
     false},
    {"workshop.bay.register", "workshop", &as__bay_register__descriptor, &as__bay__descriptor,
     "register a bay (general, lift, alignment, body)", S_BOSS, false},
    {"workshop.shift.record", "workshop", &as__shift_record__descriptor,
     &as__attendance__descriptor,
     "record a technician's attended minutes on a date (available hours)", S_BOSS, false, true},
    {"workshop.job.dispatch", "workshop", &as__job_dispatch__descriptor, &as__work_job__descriptor,
     "dispatch a waiting or rework job to a technician and a free bay; its special tools must "
     "be usable (tool_notes: those on loan or not known)",
     S_BOSS, false, true},
    {"workshop.clock.on", "workshop", &as__job_clock__descriptor, &as__work_job__descriptor,
     "the technician clocks on a job dispatched to them", AS_ROLE_TECHNICIAN, false, true},
    {"workshop.clock.off", "workshop", &as__job_clock__descriptor, &as__work_job__descriptor,
     "the technician clocks off (finished=true: the job is done and the bay freed)",
     AS_ROLE_TECHNICIAN, false, true},
    {"workshop.qc.inspect", "workshop", &as__qc_inspect__descriptor, &as__inspection__descriptor,
     "record a QC inspection (in-process, final, road test) passed or failed", AS_ROLE_QC_INSPECTOR,
     false, true},
    {"workshop.defect.report", "workshop", &as__defect_report__descriptor,
     &as__extra_defect__descriptor, "report an extra defect found on a job to the advisor",
     AS_ROLE_TECHNICIAN, false, true},
    {"workshop.board", "workshop", &as__board_query__descriptor, &as__workshop_board__descriptor,
     "the jobs open or finished on a day (default today), by technician or status; all=true: "
     "of every day",
     AS_ROLES_ANYONE, true},
    {"workshop.ro.show", "workshop", &as__ro_query__descriptor, &as__work_ro__descriptor,
     "one repair order's jobs, inspections and extra defects", AS_ROLES_ANYONE, true},
    {"workshop.tool_check.show", "workshop", &as__job_tool_query__descriptor,
     &as__job_tools__descriptor,
     "the special-tool check a dispatch of the job would make (ok, note, blocked with its reason)",
     AS_ROLES_ANYONE, true},
    {"workshop.tool.list", "workshop", &as__workshop_tool_query__descriptor,
     &as__workshop_tools__descriptor,
     "workshop's view of the tool room (from the tools service's events), all or by tool_ids",
     AS_ROLES_ANYONE, true},
    {"workshop.qc.stats", "workshop", &as__qc_stats_query__descriptor, &as__qc_stats__descriptor,
     "QC inspection statistics from..to: inspections, failures by reason, technician, operation",
     AS_ROLE_QC_INSPECTOR | AS_ROLE_FOREMAN | AS_ROLE_SERVICE_MANAGER, true},
};

static const as_event_info_t s_events[] = {
    {"workshop.technician.registered", &as__technician_registered__descriptor,
     "a technician was registered"},
    {"workshop.bay.registered", &as__bay_registered__descriptor, "a bay was registered"},
    {"workshop.shift.recorded", &as__shift_recorded__descriptor,
     "a technician's attended minutes on a date"},
    {"workshop.job.dispatched", &as__job_dispatched__descriptor,
     "a job was dispatched to a technician and bay"},
    {"workshop.clock.stopped", &as__clock_stopped__descriptor,
     "one clocked interval of a technician on a job"},
    {"workshop.defect.reported", &as__defect_reported__descriptor,
     "an extra defect was found: a request to the advisor"},
    {"workshop.qc.passed", &as__qc_passed__descriptor,
     "the vehicle completed QC: final inspection passed for every job of the RO"},
    {"workshop.qc.failed", &as__qc_failed__descriptor, "a QC inspection failed"},
};

AS_CATALOG_PART(as__catalog_workshop, s_commands, s_events);
