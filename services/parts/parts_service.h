/* parts_service.h — the parts service's def (library as_parts): main.c runs it. */
#ifndef PARTS_SERVICE_H
#define PARTS_SERVICE_H
#include "as/service.h"
extern const as_service_def_t parts_service;
#endif
