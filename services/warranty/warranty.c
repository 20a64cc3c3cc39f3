/* warranty.c — the warranty service's def: databases, commands, events (main.c runs it). */
#include "as/error.h"
#include "warranty.h"
#include "warranty_service.h"

warranty_t *warranty_of(as_service_t *svc)
{
    return as_service_user(svc);
}

static int s_start(as_service_t *svc)
{
    return warranty_config_load(warranty_of(svc), as_service_config(svc));
}

static const char *const s_dbs[] = {
    "vehicles", "claims",      "tags",      "boxes",   "shipments",     "occurrences", "recurring",
    "recalls",  "recall_vins", "ro_opened", "repairs", "ro_sale_dates", "qc_waiting",  NULL};

static const as_command_def_t s_commands[] = {
    {"warranty.claim.show", warranty_cmd_claim_show},
    {"warranty.claim.list", warranty_cmd_claim_list},
    {"warranty.claim.submit", warranty_cmd_claim_submit},
    {"warranty.claim.approve", warranty_cmd_claim_approve},
    {"warranty.claim.correct", warranty_cmd_claim_correct},
    {"warranty.part.tag", warranty_cmd_part_tag},
    {"warranty.part.box", warranty_cmd_part_box},
    {"warranty.shipment.ship", warranty_cmd_shipment_ship},
    {"warranty.shipment.confirm", warranty_cmd_shipment_confirm},
    {"warranty.shipment.list", warranty_cmd_shipment_list},
    {"warranty.part.owed", warranty_cmd_part_owed},
    {"warranty.recall.open", warranty_cmd_recall_open},
    {"warranty.recall.query", warranty_cmd_recall_query},
    {"warranty.vehicle.warnings", warranty_cmd_vehicle_warnings},
    {"warranty.part.show", warranty_cmd_part_show},
    {NULL, NULL},
};

static const as_event_def_t s_events[] = {
    {"reception.vehicle.registered", warranty_evt_vehicle},
    {"reception.ro.opened", warranty_evt_ro_opened},
    {"workshop.qc.passed", warranty_evt_qc_passed},
    {"oem.claim.decided", warranty_evt_oem_decided},
    {"oem.payment.received", warranty_evt_oem_paid},
    {"oem.part.inspected", warranty_evt_oem_inspected},
    {NULL, NULL},
};

const as_service_def_t warranty_service = {
    .name = "warranty",
    .dbs = s_dbs,
    .commands = s_commands,
    .events = s_events,
    .on_start = s_start,
    .user_size = sizeof(warranty_t),
    .summary = "The warranty clerk's daemon: opens a claim for every warranty job of a repair\n"
               "order that completed QC, checks it against the policy ([warranty.policy],\n"
               "[warranty.groups]), escalates claims above [warranty] clerk_limit_cents,\n"
               "submits them to the OEM and follows its decisions and payments (follows =\n"
               "reception, workshop, oem); keeps replaced parts tagged, boxed and shipped,\n"
               "reports recurring and safety-related defects, runs recall campaigns and warns\n"
               "of vehicles near the repair/replace/return limits.",
};
