/* catalog_parts.c — the parts service's commands and events (services/parts). */
#include "as/pb/parts.pb-c.h"
#include "catalog_parts.h"

static const as_command_info_t s_commands[] = {
    {"parts.part.define", "parts", &as__part_define__descriptor, &as__part__descriptor,
     "add a part number to the catalogue (or change its description, cost, price, bin)"},
};

static const as_event_info_t s_events[] = {
    {"parts.part.defined", &as__part_defined__descriptor, "a catalogue entry was added or changed"},
};

AS_CATALOG_PART(as__catalog_parts, s_commands, s_events);
