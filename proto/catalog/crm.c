/* catalog/crm.c — the CRM's events and its ingest command (services/ingest run
 * as `as-ingest --name crm`). An external system fed through the ingest gateway
 * gets a file like this one: its "<name>.ingest" command and its event types. */
#include "as/pb/crm.pb-c.h"
#include "as/pb/ingest.pb-c.h"
#include "domains.h"

static const as_command_info_t s_commands[] = {
    {"crm.ingest", "crm", &as__ingest_request__descriptor, &as__ingest_ack__descriptor,
     "hand one CRM event to the bus (system); the ack comes after it is committed",
     AS_ROLE_SYSTEM | AS_ROLE_IT_ADMIN, false},
};

static const as_event_info_t s_events[] = {
    {"crm.appointment.requested", &as__crm_appointment_requested__descriptor,
     "a customer asked for a service appointment in the CRM or on the web"},
    {"crm.appointment.withdrawn", &as__crm_appointment_withdrawn__descriptor,
     "the customer withdrew an appointment request in the CRM"},
};

AS_CATALOG_PART(as__catalog_crm, s_commands, s_events);
