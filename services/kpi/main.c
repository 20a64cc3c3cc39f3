/* as-kpi — the KPI daemon: counters per day and month, targets, reports (README.md). */
#include "kpi_service.h"

int main(int argc, char **argv)
{
    return as_service_main(&kpi_service, argc, argv);
}
