/* as-ingest — the ingest gateway: run once per external system (a CRM, a
 * phone system) that cannot speak the bus protocol, as
 *   as-ingest --name crm --config site.ini
 * The system hands its events to "<name>.ingest"; each is committed to this
 * daemon's outbox (source "<name>@<site>") before the acknowledgement, and
 * every consumer gets it with replay and heartbeats like any source's. */
#include "ingest.h"

int main(int argc, char **argv)
{
    return as_service_main(&ingest_def, argc, argv);
}
