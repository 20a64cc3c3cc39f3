/* workshop_service.h — the workshop service's def (library as_workshop): main.c runs it. */
#ifndef WORKSHOP_SERVICE_H
#define WORKSHOP_SERVICE_H
#include "as/service.h"
extern const as_service_def_t workshop_service;
#endif
