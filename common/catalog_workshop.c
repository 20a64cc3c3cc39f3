/* catalog_workshop.c — the workshop's commands and events (services/workshop). */
#include "as/pb/workshop.pb-c.h"
#include "catalog_parts.h"

static const as_command_info_t s_commands[] = {
    {"workshop.technician.register", "workshop", &as__technician_register__descriptor,
     &as__technician__descriptor, "register a technician with skills and certification level"},
};

static const as_event_info_t s_events[] = {
    {"workshop.technician.registered", &as__technician_registered__descriptor,
     "a technician was registered"},
};

AS_CATALOG_PART(as__catalog_workshop, s_commands, s_events);
