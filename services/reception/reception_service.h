/* reception_service.h — the reception service as a library (as_reception): its def runs
 * as the as-reception daemon (main.c) or in-process (tests/support/harness.h). */
#ifndef RECEPTION_SERVICE_H
#define RECEPTION_SERVICE_H

#include "as/service.h"

extern const as_service_def_t reception_service;

#endif
