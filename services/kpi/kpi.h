/* kpi.h — what the files of the kpi service share (private to services/kpi). */
#ifndef KPI_H
#define KPI_H

#include "as/pb/kpi.pb-c.h"
#include "as/service.h"
#include "as/staff.h"

/* The service's state outside the store, read once at start. */
typedef struct kpi {
    int hours_per_day; /* [kpi] working_hours_per_day, default 9 */
} kpi_t;

/* Domain databases:
 *   counters     "M|YYYY-MM|dim|id" / "D|YYYY-MM-DD|dim|id" -> KpiCounters
 *   targets      "YYYY-MM|metric" -> KpiTarget
 *   technicians  tech id -> Technician (for the hourly cost)
 *   bays         bay id -> Bay
 *   attendance   "tech|YYYY-MM-DD" -> Attendance (a re-recorded shift counts once)
 *   ros          ro number -> KpiRoNote (advisor, technicians) */
extern const char *const kpi_dbs[];
extern const as_event_def_t kpi_events[];
extern const as_command_def_t kpi_commands[];

/* Dimensions of the counters (the report's --by). */
#define KPI_DEPARTMENT "department"
#define KPI_TECHNICIAN "technician"
#define KPI_ADVISOR "advisor"
#define KPI_BAY "bay"

kpi_t *kpi_of(as_service_t *svc);

/* Reads the counters under `key` into *out (zeros when absent); the copy owns
 * nothing. Returns 0, AS_EBADFRAME or an LMDB code. */
int kpi_counters_read(as_service_t *svc, MDB_txn *txn, const char *key, As__KpiCounters *out);

/* Number of bays registered. */
int kpi_bay_count(as_service_t *svc, MDB_txn *txn, int64_t *count);

#endif
