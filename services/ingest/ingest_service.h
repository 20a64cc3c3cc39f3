/* ingest_service.h — the ingest service's def (library as_ingest): main.c runs it. */
#ifndef INGEST_SERVICE_H
#define INGEST_SERVICE_H
#include "as/service.h"
extern const as_service_def_t ingest_service;
#endif
