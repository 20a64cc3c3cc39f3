/* reception_service.h — the reception service's def (library as_reception): main.c runs it. */
#ifndef RECEPTION_SERVICE_H
#define RECEPTION_SERVICE_H
#include "as/service.h"
extern const as_service_def_t reception_service;
#endif
