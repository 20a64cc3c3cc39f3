/* catalog/domains.h — each domain's part of the catalog (private to the
 * schema library: catalog/<domain>.c defines one, catalog/domains.c lists
 * them for the registry in common/catalog.c). */
#ifndef AS_CATALOG_DOMAINS_H
#define AS_CATALOG_DOMAINS_H

#include "as/catalog.h"
#include "as/staff.h"

/* who may read what a service keeps: every role of the site's staff */
#define AS_ROLES_ANY_STAFF                                                                         \
    (AS_ROLE_SERVICE_MANAGER | AS_ROLE_FRONT_DESK_MANAGER | AS_ROLE_ADVISOR | AS_ROLE_INFO_CLERK | \
     AS_ROLE_FOREMAN | AS_ROLE_TECHNICIAN | AS_ROLE_QC_INSPECTOR | AS_ROLE_PARTS_MANAGER |         \
     AS_ROLE_WAREHOUSE_KEEPER | AS_ROLE_WARRANTY_CLERK | AS_ROLE_TOOL_ADMIN)

/* anyone on the site's staff list, whatever their roles */
#define AS_ROLES_ANYONE (~0u)

extern const as_catalog_part_t as__catalog_demo;
extern const as_catalog_part_t as__catalog_reception;
extern const as_catalog_part_t as__catalog_workshop;
extern const as_catalog_part_t as__catalog_parts;
extern const as_catalog_part_t as__catalog_kpi;
extern const as_catalog_part_t as__catalog_warranty;
extern const as_catalog_part_t as__catalog_tools;
extern const as_catalog_part_t as__catalog_crm;
extern const as_catalog_part_t as__catalog_web;
extern const as_catalog_part_t as__catalog_sales;

#endif
