/* kpi_service.h — the kpi service's def (library as_kpi): main.c runs it. */
#ifndef KPI_SERVICE_H
#define KPI_SERVICE_H
#include "as/service.h"
extern const as_service_def_t kpi_service;
#endif
