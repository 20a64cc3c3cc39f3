/* parts_service.h — the parts service as a library (as_parts): its def runs
 * as the as-parts daemon (main.c) or in-process (tests/support/harness.h). */
#ifndef PARTS_SERVICE_H
#define PARTS_SERVICE_H

#include "as/service.h"

extern const as_service_def_t parts_service;

#endif
