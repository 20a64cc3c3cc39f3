/* formulas.h — the KPI figures of DOMAIN.md computed from raw counters.
 *
 * Pure functions: no store, no clock, no allocation. The kpi service and its
 * unit test (tests/unit/test_kpi_formulas.c) both use them.
 */
#ifndef KPI_FORMULAS_H
#define KPI_FORMULAS_H

#include <stdbool.h>
#include <stddef.h>

#include "as/pb/kpi.pb-c.h"

#define KPI_FORMULA_LEN 192

/* One computed figure. `name` and `unit` are static strings. */
typedef struct kpi_figure {
    const char *name;              /* "labour efficiency", a metric name for targets */
    const char *unit;              /* "%", "h", "cents", "score", "" (a count) */
    double value;                  /* 0 when not defined */
    bool defined;                  /* false when the denominator is 0 */
    char formula[KPI_FORMULA_LEN]; /* "sold / actual = 41.50 h / 40.00 h" */
} kpi_figure_t;

/* The period a report covers: bay utilisation needs the bays' working hours
 * in it, over the days the workshop worked (not every day of the month). */
typedef struct kpi_period {
    int days_worked;   /* days of the period with an attended shift, so far */
    int hours_per_day; /* [kpi] working_hours_per_day */
} kpi_period_t;

/* Number of figures in a report, and the name of figure `index` (NULL past
 * the end). The names are the metrics a target may be set for. */
size_t kpi_figure_count(void);
const char *kpi_figure_name(size_t index);

/* True when `name` is one of the figure names. */
bool kpi_metric_known(const char *name);

/* Computes figure `index` from counters `c` over `period` into *out.
 * Returns 0, or -1 when index is past the end. */
int kpi_figure_compute(size_t index, const As__KpiCounters *c, const kpi_period_t *period,
                       kpi_figure_t *out);

/* Days in month "YYYY-MM" (leap years included); 0 when the text is not one. */
int kpi_days_in_month(const char *month);

/* value / target, or 0 when target is 0. */
double kpi_achievement(double value, double target);

#endif
