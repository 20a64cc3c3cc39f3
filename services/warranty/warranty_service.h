/* warranty_service.h — the warranty service's def (library as_warranty): main.c runs it. */
#ifndef WARRANTY_SERVICE_H
#define WARRANTY_SERVICE_H
#include "as/service.h"
extern const as_service_def_t warranty_service;
#endif
