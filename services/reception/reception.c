/* reception.c — the reception service: its databases, commands and the
 * events it applies, and the staff list it checks every command against. */
#include <stdlib.h>

#include "as/log.h"
#include "reception.h"

static as_staff_t *s_staff;

const as_staff_t *reception_staff(as_service_t *svc)
{
    (void)svc;
    return s_staff;
}

static int s_start(as_service_t *svc)
{
    char *err = NULL;
    s_staff = as_staff_load(as_service_config(svc), &err);
    if (!s_staff) {
        as_error("config: %s", err ? err : "cannot read [staff]");
        free(err);
        return AS_ECONFIG;
    }
    return 0;
}

static const as_command_def_t s_commands[] = {
    {"reception.customer.register", customer_register},
    {"reception.customer.show", customer_show},
    {"reception.vehicle.register", vehicle_register},
    {"reception.vehicle.mileage", vehicle_mileage},
    {"reception.vehicle.show", vehicle_show},
    {"reception.appointment.book", appointment_book},
    {"reception.appointment.confirm", appointment_confirm},
    {"reception.appointment.assign", appointment_assign},
    {"reception.appointment.arrive", appointment_arrive},
    {"reception.appointment.no_show", appointment_no_show},
    {"reception.appointment.cancel", appointment_cancel},
    {"reception.appointment.queue", appointment_queue},
    {"reception.ro.open", ro_open},
    {"reception.ro.approve", ro_approve},
    {"reception.ro.consent", ro_consent},
    {"reception.ro.show", ro_show},
    {"reception.extra_work.answer", extra_work_answer},
    {"reception.ro.deliver", ro_deliver},
    {"reception.ro.close", ro_close},
    {"reception.followup.record", followup_record},
    {"reception.complaint.log", complaint_log},
    {"reception.complaint.resolve", complaint_resolve},
    {"reception.reminder.due", reminder_due},
    {"reception.reminder.record", reminder_record},
    {NULL, NULL},
};

static const as_event_def_t s_events[] = {
    {"workshop.defect.reported", on_defect_reported},
    {"workshop.qc.passed", on_qc_passed},
    {"parts.consumption.recorded", on_consumption_recorded},
    {NULL, NULL},
};

const as_service_def_t reception_def = {
    .name = "reception",
    .dbs = reception_dbs,
    .commands = s_commands,
    .events = s_events,
    .on_start = s_start,
};

void reception_cleanup(void)
{
    as_staff_destroy(&s_staff);
}
