/* web_service.h — the gateway's def (library as_web): main.c runs it. */
#ifndef WEB_SERVICE_H
#define WEB_SERVICE_H
#include "as/service.h"
extern const as_service_def_t web_service;
#endif
