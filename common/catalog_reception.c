/* catalog_reception.c — reception's commands and events (services/reception). */
#include "as/pb/reception.pb-c.h"
#include "catalog_parts.h"

static const as_command_info_t s_commands[] = {
    {"reception.customer.register", "reception", &as__customer_register__descriptor,
     &as__customer__descriptor, "register a customer (or update name and phone)"},
};

static const as_event_info_t s_events[] = {
    {"reception.customer.registered", &as__customer__descriptor, "a customer was registered"},
};

AS_CATALOG_PART(as__catalog_reception, s_commands, s_events);
