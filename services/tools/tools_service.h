/* tools_service.h — the tools service's def (library as_tools): main.c runs it. */
#ifndef TOOLS_SERVICE_H
#define TOOLS_SERVICE_H
#include "as/service.h"
extern const as_service_def_t tools_service;
#endif
