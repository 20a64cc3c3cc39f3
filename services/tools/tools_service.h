/* tools_service.h — the tools service as a library (as_tools): its def runs
 * as the as-tools daemon (main.c) or in-process (tests/support/harness.h). */
#ifndef TOOLS_SERVICE_H
#define TOOLS_SERVICE_H

#include "as/service.h"

extern const as_service_def_t tools_service;

#endif
