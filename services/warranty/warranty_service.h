/* warranty_service.h — the warranty service as a library (as_warranty): its def runs
 * as the as-warranty daemon (main.c) or in-process (tests/support/harness.h). */
#ifndef WARRANTY_SERVICE_H
#define WARRANTY_SERVICE_H

#include "as/service.h"

extern const as_service_def_t warranty_service;

#endif
