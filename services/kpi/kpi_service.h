/* kpi_service.h — the kpi service as a library (as_kpi): its def runs
 * as the as-kpi daemon (main.c) or in-process (tests/support/harness.h). */
#ifndef KPI_SERVICE_H
#define KPI_SERVICE_H

#include "as/service.h"

extern const as_service_def_t kpi_service;

#endif
