/* ingest_service.h — the ingest service as a library (as_ingest): its def runs
 * as the as-ingest daemon (main.c) or in-process (tests/support/harness.h). */
#ifndef INGEST_SERVICE_H
#define INGEST_SERVICE_H

#include "as/service.h"

extern const as_service_def_t ingest_service;

#endif
