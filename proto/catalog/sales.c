/* catalog/sales.c — the new-car sales DMS's events and its ingest command
 * (services/ingest run as `as-ingest --name sales`). */
#include "as/pb/ingest.pb-c.h"
#include "as/pb/sales.pb-c.h"
#include "domains.h"

static const as_command_info_t s_commands[] = {
    {"sales.ingest", "sales", &as__ingest_request__descriptor, &as__ingest_ack__descriptor,
     "hand one sales DMS event to the bus (system); the ack comes after it is committed",
     AS_ROLE_SYSTEM | AS_ROLE_IT_ADMIN, false, true},
};

static const as_event_info_t s_events[] = {
    {"sales.vehicle.sold", &as__sales_vehicle_sold__descriptor,
     "the sales department sold a new car (with the accessories ordered with it)"},
};

AS_CATALOG_PART(as__catalog_sales, s_commands, s_events);
