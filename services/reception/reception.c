/* reception.c — the reception service: its databases, commands and the
 * events it applies. */
#include "reception.h"
#include "reception_service.h"

static const as_command_def_t s_commands[] = {
    {"reception.customer.register", customer_register},
    {"reception.customer.show", customer_show},
    {"reception.vehicle.register", vehicle_register},
    {"reception.vehicle.mileage", vehicle_mileage},
    {"reception.vehicle.mileage_correct", vehicle_mileage_correct},
    {"reception.vehicle.show", vehicle_show},
    {"reception.vehicle.history", vehicle_history},
    {"reception.search", reception_search},
    {"reception.ro.list", ro_list},
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
    {"reception.complaint.list", complaint_list},
    {"reception.reminder.due", reminder_due},
    {"reception.reminder.plan", reminder_plan},
    {"reception.reminder.record", reminder_record},
    {"reception.labour_op.define", labour_op_define},
    {"reception.labour_op.retire", labour_op_retire},
    {"reception.labour_op.list", labour_op_list},
    {"reception.labour_op.show", labour_op_show},
    {"reception.labour_rate.set", labour_rate_set},
    {"reception.labour_rate.list", labour_rate_list},
    {"reception.skill.list", skill_list},
    {"reception.advisor.list", advisor_list},
    {NULL, NULL},
};

static const as_event_def_t s_events[] = {
    {"workshop.defect.reported", on_defect_reported},
    {"workshop.qc.passed", on_qc_passed},
    {"parts.consumption.recorded", on_consumption_recorded},
    {"warranty.recall.opened", on_recall_opened},
    {"warranty.recall.completed", on_recall_completed},
    {"crm.appointment.requested", on_crm_appointment_requested},
    {"crm.appointment.withdrawn", on_crm_appointment_withdrawn},
    {"workshop.technician.registered", on_technician_registered},
    {"parts.part.defined", on_part_defined},
    {"parts.order.promised", on_order_promised},
    {"sales.vehicle.sold", on_vehicle_sold},
    {NULL, NULL},
};

const as_service_def_t reception_service = {
    .name = "reception",
    .dbs = reception_dbs,
    .commands = s_commands,
    .events = s_events,
    .on_start = reception_upgrade,
    .summary = "The reception service: customers and vehicles, appointments, repair orders\n"
               "from estimate and approval to delivery, extra-work consent, follow-up calls,\n"
               "complaints, reminders and comebacks.",
};
