/* workshop_service.h — the workshop service as a library (as_workshop): its def runs
 * as the as-workshop daemon (main.c) or in-process (tests/support/harness.h). */
#ifndef WORKSHOP_SERVICE_H
#define WORKSHOP_SERVICE_H

#include "as/service.h"

extern const as_service_def_t workshop_service;

#endif
