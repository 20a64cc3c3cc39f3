/* ingest.h — what the ingest gateway's files share. */
#ifndef AS_INGEST_H
#define AS_INGEST_H

#include "as/service.h"

/* The service (ingest.c): named by --name, one command ".ingest". */
extern const as_service_def_t ingest_def;

#endif
