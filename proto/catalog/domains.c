/* catalog/domains.c — the domains this schema library carries, for the
 * registry in common/catalog.c (as_catalog_parts, catalog.h). */
#include "domains.h"

const as_catalog_part_t *const as_catalog_parts[] = {
    &as__catalog_demo,
    &as__catalog_reception,
    &as__catalog_workshop,
    &as__catalog_parts,
    &as__catalog_kpi,
    &as__catalog_warranty,
    &as__catalog_tools,
    &as__catalog_crm,
    &as__catalog_web,
    &as__catalog_sales,
    NULL,
};
