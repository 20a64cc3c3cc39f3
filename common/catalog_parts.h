/* catalog_parts.h — how each domain's part of the catalog is laid out
 * (private to common/: catalog_<domain>.c defines one, catalog.c lists them). */
#ifndef AS_CATALOG_PARTS_H
#define AS_CATALOG_PARTS_H

#include "as/catalog.h"

typedef struct as_catalog_part {
    const as_command_info_t *commands;
    size_t n_commands;
    const as_event_info_t *events;
    size_t n_events;
} as_catalog_part_t;

#define AS_CATALOG_PART(name, commands, events)                                                    \
    const as_catalog_part_t name = {commands, sizeof(commands) / sizeof((commands)[0]), events,    \
                                    sizeof(events) / sizeof((events)[0])}

extern const as_catalog_part_t as__catalog_demo;
extern const as_catalog_part_t as__catalog_reception;
extern const as_catalog_part_t as__catalog_workshop;
extern const as_catalog_part_t as__catalog_parts;
extern const as_catalog_part_t as__catalog_kpi;
extern const as_catalog_part_t as__catalog_warranty;
extern const as_catalog_part_t as__catalog_tools;
extern const as_catalog_part_t as__catalog_crm;

#endif
