/* as-ingest — the ingest gateway, run once per external system (`--name NAME`; README.md). */
#include "ingest_service.h"

int main(int argc, char **argv)
{
    return as_service_main(&ingest_service, argc, argv);
}
