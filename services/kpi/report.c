/* report.c — kpi's commands: kpi.target.set (a manager's monthly target for
 * a report figure) and kpi.report (the figures of a month or a day, one row
 * per department, technician, advisor or bay, with formulas and targets). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "formulas.h"
#include "kpi.h"

/* "labour efficiency, labour utilisation, ..." for error texts. */
static void s_metric_names(char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < kpi_figure_count() && used < cap; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? ", " : "", kpi_figure_name(i));
}

/* --- kpi.target.set ------------------------------------------------------- */

static int s_target_validate(as_cmd_t *cmd, const As__KpiTargetSet *req)
{
    if (!req->month || !*req->month)
        return as_cmd_fail(cmd, AS_EINVALID, "month is required (YYYY-MM)");
    if (!as_month_valid(req->month))
        return as_cmd_fail(cmd, AS_EINVALID, "month '%s' is not a month (YYYY-MM)", req->month);
    if (!req->metric || !*req->metric)
        return as_cmd_fail(cmd, AS_EINVALID, "metric is required");
    if (!kpi_metric_known(req->metric)) {
        char names[1024];
        s_metric_names(names, sizeof names);
        return as_cmd_fail(cmd, AS_EINVALID, "metric '%s' is unknown (metrics: %s)", req->metric,
                           names);
    }
    if (!req->has_value)
        return as_cmd_fail(cmd, AS_EINVALID, "value is required");
    if (!isfinite(req->value) || req->value <= 0)
        return as_cmd_fail(cmd, AS_EINVALID, "value %g for '%s' must be a number above 0",
                           req->value, req->metric);
    bool tech = req->technician && *req->technician, adv = req->advisor && *req->advisor,
         keeper = req->keeper && *req->keeper;
    if (tech + adv + keeper > 1)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "a target is for one person's row: give one of technician, advisor, "
                           "keeper");
    if (tech &&
        !as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "technicians"), req->technician))
        return as_cmd_fail(cmd, AS_ENOTFOUND,
                           "technician '%s' is not known to kpi (register them in the workshop)",
                           req->technician);
    const as_staff_t *staff = as_service_staff(cmd->svc);
    if (adv && !(as_staff_roles(staff, req->advisor) & AS_ROLE_ADVISOR))
        return as_cmd_fail(cmd, AS_ENOTFOUND,
                           "advisor '%s' is not on the staff list as an advisor ([staff])",
                           req->advisor);
    if (keeper && !(as_staff_roles(staff, req->keeper) & AS_ROLE_WAREHOUSE_KEEPER))
        return as_cmd_fail(cmd, AS_ENOTFOUND,
                           "keeper '%s' is not on the staff list as a warehouse keeper ([staff])",
                           req->keeper);
    return 0;
}

/* The person a target is for: its dimension and id, or NULL (every row). */
static const char *s_target_person(const As__KpiTargetSet *req, const char **id)
{
    *id = NULL;
    if (req->technician && *req->technician)
        return *id = req->technician, KPI_TECHNICIAN;
    if (req->advisor && *req->advisor)
        return *id = req->advisor, KPI_ADVISOR;
    if (req->keeper && *req->keeper)
        return *id = req->keeper, KPI_KEEPER;
    return NULL;
}

/* The key of a target: "month|metric", or "month|metric|dim|id" for one
 * technician's, advisor's or keeper's own. */
static int s_target_key(as_key_t *key, const char *month, const char *metric, const char *dim,
                        const char *id)
{
    return dim && id && *id ? as_key_of(key, month, metric, dim, id, NULL)
                            : as_key_of(key, month, metric, NULL);
}

int kpi_target_put(as_service_t *svc, MDB_txn *txn, const As__KpiTarget *t)
{
    const char *dim = t->technician && *t->technician ? KPI_TECHNICIAN
                      : t->advisor && *t->advisor     ? KPI_ADVISOR
                      : t->keeper && *t->keeper       ? KPI_KEEPER
                                                      : NULL;
    const char *id = !dim                           ? NULL
                     : !strcmp(dim, KPI_TECHNICIAN) ? t->technician
                     : !strcmp(dim, KPI_ADVISOR)    ? t->advisor
                                                    : t->keeper;
    as_key_t key;
    int rc = s_target_key(&key, t->month, t->metric, dim, id);
    return rc ? rc : as_record_put_key(txn, as_record_dbi(svc, "targets"), &key, &t->base);
}

static int cmd_target_set(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiTargetSet *req = (const As__KpiTargetSet *)cmd->request;
    int rc = s_target_validate(cmd, req);
    if (rc != 0)
        return rc;
    As__KpiTarget target = AS__KPI_TARGET__INIT;
    target.month = req->month;
    target.metric = req->metric;
    target.has_value = 1;
    target.value = req->value;
    target.set_by = (char *)cmd->actor;
    const char *id = NULL, *dim = s_target_person(req, &id);
    target.technician = dim && !strcmp(dim, KPI_TECHNICIAN) ? req->technician : NULL;
    target.advisor = dim && !strcmp(dim, KPI_ADVISOR) ? req->advisor : NULL;
    target.keeper = dim && !strcmp(dim, KPI_KEEPER) ? req->keeper : NULL;
    char subject[AS_KEY_MAX + 1];
    snprintf(subject, sizeof subject, "%s|%s%s%s", req->month, req->metric, id ? "|" : "",
             id ? id : "");
    rc = kpi_target_put(cmd->svc, cmd->txn, &target);
    As__KpiTargetChanged changed = AS__KPI_TARGET_CHANGED__INIT;
    changed.target = &target;
    if (rc == 0)
        rc = as_cmd_emit(cmd, "kpi.target.changed", subject, &changed.base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &target.base);
    return rc;
}

/* --- kpi.report ----------------------------------------------------------- */

/* One row of the report and the storage its message points into: the three
 * arrays hold kpi_figure_count() entries each, owned by the row. */
typedef struct {
    As__KpiRow row;
    As__KpiCounters counters;
    As__KpiFigure *figures;
    As__KpiFigure **figure_ptrs;
    kpi_figure_t *computed;
    char *key;
} s_row_t;

typedef struct {
    as_cmd_t *cmd;
    const char *by;
    char period[AS_DATE_LEN + 1]; /* "YYYY-MM", "YYYY-MM-DD" or "YYYY" */
    char month[8];
    char first[AS_DATE_LEN + 1], last[AS_DATE_LEN + 1]; /* the period's days */
    bool is_day;
    bool is_year; /* issue 16: the 12 months of `period` summed */
    kpi_period_t span;
    s_row_t *rows;
    size_t n_rows, cap_rows;
    /* issue 16, a group kpi's group=true: the site whose rows are made (their
     * keys "site/key"), the sites' department counters summed, and the days
     * any site worked (by day of the period) */
    const char *site;
    As__KpiCounters *sum;
    bool *worked;
    as_ids_t *vins; /* a group's department rows: every site's units in operation */
} s_report_t;

/* The months of the report's period: its one month, or the year's 12. */
static int s_months(const s_report_t *r, char months[12][8])
{
    if (!r->is_year) {
        snprintf(months[0], 8, "%s", r->month);
        return 1;
    }
    for (int m = 0; m < 12; m++)
        snprintf(months[m], 8, "%.4s-%02d", r->period, m + 1);
    return 12;
}

int kpi_months_counters(as_service_t *svc, MDB_txn *txn, const char (*months)[8], size_t n,
                        const char *dim, const char *id, As__KpiCounters *sum)
{
    as__kpi_counters__init(sum);
    for (size_t m = 0; m < n; m++) {
        as_key_t key;
        As__KpiCounters month;
        int rc = as_key_of(&key, "M", months[m], dim, id, NULL);
        if (rc == 0)
            rc = kpi_counters_read(svc, txn, &key, &month);
        if (rc != 0)
            return rc;
        kpi_counters_add(sum, &month);
    }
    return 0;
}

int kpi_months_target(as_service_t *svc, MDB_txn *txn, const char (*months)[8], size_t n,
                      const kpi_figure_t *f, const char *by, const char *id, double *target,
                      unsigned *with)
{
    double total = 0;
    *target = 0;
    *with = 0;
    for (size_t m = 0; m < n; m++) {
        double value = 0;
        bool found = false;
        int rc =
            kpi_target_find(svc, txn, months[m], f->name, f->unit, by, id, false, &value, &found);
        if (rc != 0)
            return rc;
        if (found)
            total += value, (*with)++;
    }
    bool summed = !strcmp(f->unit, "") || !strcmp(f->unit, "cents") || !strcmp(f->unit, "h");
    if (*with > 0)
        *target = summed ? total : total / *with;
    return 0;
}

/* The counters of (dim, id) over the period: its day's or month's, or a
 * year's 12 months summed. Returns 0, AS_EBADFRAME or an LMDB code. */
static int s_period_counters(s_report_t *r, const char *dim, const char *id, As__KpiCounters *c)
{
    if (r->is_year) {
        char months[12][8];
        return kpi_months_counters(r->cmd->svc, r->cmd->txn, (const char(*)[8])months,
                                   (size_t)s_months(r, months), dim, id, c);
    }
    as_key_t key;
    int rc = as_key_of(&key, r->is_day ? "D" : "M", r->period, dim, id, NULL);
    return rc ? rc : kpi_counters_read(r->cmd->svc, r->cmd->txn, &key, c);
}

/* The ids of dimension `dim` with counters in the period (a year: in any of
 * its months), sorted, each once. Returns 0, -ENOMEM or an LMDB code. */
static int s_period_ids(s_report_t *r, const char *dim, as_ids_t *ids)
{
    char months[12][8];
    int n = r->is_day ? 1 : s_months(r, months);
    int rc = 0;
    for (int m = 0; rc == 0 && m < n; m++) {
        as_key_t prefix;
        as_record_list_t found = {0};
        rc =
            as_key_of(&prefix, r->is_day ? "D" : "M", r->is_day ? r->period : months[m], dim, NULL);
        if (rc == 0)
            rc = as_record_scan(r->cmd->txn, as_record_dbi(r->cmd->svc, "counters"), &prefix, NULL,
                                &found);
        for (size_t i = 0; rc == 0 && i < found.n; i++)
            rc = as_ids_add(ids, found.keys[i], found.key_lens[i]);
        as_record_list_free(&found);
    }
    as_ids_unique(ids);
    return rc;
}

static bool s_by_known(const char *by)
{
    return !strcmp(by, KPI_DEPARTMENT) || !strcmp(by, KPI_TECHNICIAN) || !strcmp(by, KPI_ADVISOR) ||
           !strcmp(by, KPI_BAY) || !strcmp(by, KPI_GROUP) || !strcmp(by, KPI_KEEPER);
}

/* A year's report: "YYYY", alone. */
static int s_year_validate(as_cmd_t *cmd, const As__KpiReportRequest *req, bool other,
                           s_report_t *r)
{
    const char *y = req->year;
    bool digits = strlen(y) == 4 && strspn(y, "0123456789") == 4;
    if (!digits || atoi(y) < 1970)
        return as_cmd_fail(cmd, AS_EINVALID, "year '%s' is not a year (YYYY, 1970 or later)", y);
    if (other)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "year '%s' goes alone: a year's report is its 12 months (no month or "
                           "day)",
                           y);
    r->is_year = true;
    snprintf(r->period, sizeof r->period, "%s", y);
    snprintf(r->month, sizeof r->month, "%s-01", y);
    snprintf(r->first, sizeof r->first, "%s-01-01", y);
    snprintf(r->last, sizeof r->last, "%s-12-31", y);
    r->span.hours_per_day = kpi_of(cmd->svc)->hours_per_day;
    return 0;
}

static int s_report_validate(as_cmd_t *cmd, const As__KpiReportRequest *req, s_report_t *r)
{
    bool has_month = req->month && *req->month, has_day = req->day && *req->day;
    bool has_year = req->year && *req->year;
    r->by = req->by && *req->by ? req->by : KPI_DEPARTMENT;
    if (!s_by_known(r->by))
        return as_cmd_fail(
            cmd, AS_EINVALID,
            "by '%s' is not one of department, technician, advisor, bay, group, keeper", r->by);
    if (has_year)
        return s_year_validate(cmd, req, has_month || has_day, r);
    if (!has_month && !has_day)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "month (YYYY-MM), day (YYYY-MM-DD) or year (YYYY) is required");
    if (has_month && !as_month_valid(req->month))
        return as_cmd_fail(cmd, AS_EINVALID, "month '%s' is not a month (YYYY-MM)", req->month);
    if (has_day && !as_date_valid(req->day))
        return as_cmd_fail(cmd, AS_EINVALID, "day '%s' is not a date (YYYY-MM-DD)", req->day);
    if (has_day && has_month && strncmp(req->day, req->month, 7) != 0)
        return as_cmd_fail(cmd, AS_EINVALID, "day '%s' is not in month '%s'", req->day, req->month);
    r->is_day = has_day;
    snprintf(r->period, sizeof r->period, "%s", has_day ? req->day : req->month);
    snprintf(r->month, sizeof r->month, "%.7s", r->period);
    if (has_day) {
        snprintf(r->first, sizeof r->first, "%s", req->day);
        snprintf(r->last, sizeof r->last, "%s", req->day);
    } else {
        snprintf(r->first, sizeof r->first, "%s-01", r->month);
        as_date_add_days(r->first, kpi_days_in_month(r->month) - 1, r->last);
    }
    r->span.hours_per_day = kpi_of(cmd->svc)->hours_per_day;
    return 0;
}

/* The days of the period the workshop worked: those with an attended shift
 * (the department's available minutes). A holiday has none, nor has a day
 * still to come, so a month in progress counts the days worked so far. */
static int s_days_worked(s_report_t *r)
{
    char date[AS_DATE_LEN + 1];
    snprintf(date, sizeof date, "%s", r->first);
    int rc = 0;
    r->span.days_worked = 0;
    for (size_t i = 0; rc == 0 && strcmp(date, r->last) <= 0; i++) {
        as_key_t key;
        As__KpiCounters day;
        rc = as_key_of(&key, "D", date, KPI_DEPARTMENT, "", NULL);
        if (rc == 0)
            rc = kpi_counters_read(r->cmd->svc, r->cmd->txn, &key, &day);
        if (rc == 0 && day.available_minutes > 0) {
            r->span.days_worked++;
            if (r->worked && i < 366)
                r->worked[i] = true; /* the group's days: any site's */
        }
        as_date_add_days(date, 1, date);
    }
    return rc;
}

/* A monthly target for a ratio holds for every row and for a day too; one for
 * a count or an amount only for the department's month. */
static bool s_target_applies(const char *by, bool is_day, const char *name, const char *unit)
{
    if (!strcmp(name, KPI_ADVISOR_PRODUCT_SALES)) /* each advisor's own target */
        return !is_day && !strcmp(by, KPI_ADVISOR);
    bool ratio = !strcmp(unit, "%") || !strcmp(unit, "score");
    return ratio || (!is_day && !strcmp(by, KPI_DEPARTMENT));
}

static int s_target_get(as_service_t *svc, MDB_txn *txn, const char *month, const char *metric,
                        const char *dim, const char *id, double *value, bool *found)
{
    as_key_t key;
    As__KpiTarget *t = NULL;
    int rc = s_target_key(&key, month, metric, dim, id);
    if (rc == 0)
        rc = as_record_get_key(txn, as_record_dbi(svc, "targets"), &key,
                               &as__kpi_target__descriptor, &t);
    *found = rc == 0;
    if (rc == 0) {
        *value = t->value;
        as__kpi_target__free_unpacked(t, NULL);
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static bool s_person_dim(const char *dim)
{
    return !strcmp(dim, KPI_TECHNICIAN) || !strcmp(dim, KPI_ADVISOR) || !strcmp(dim, KPI_KEEPER);
}

int kpi_target_find(as_service_t *svc, MDB_txn *txn, const char *month, const char *name,
                    const char *unit, const char *by, const char *id, bool is_day, double *value,
                    bool *found)
{
    bool applies = s_target_applies(by, is_day, name, unit);
    int rc = 0;
    *found = false;
    /* a person's row: their own target first (a count or an amount, like
     * sold hours, for their month; a ratio for a day too) */
    if (s_person_dim(by) && id && *id && (applies || !is_day))
        rc = s_target_get(svc, txn, month, name, by, id, value, found);
    if (rc == 0 && !*found && applies)
        rc = s_target_get(svc, txn, month, name, NULL, NULL, value, found);
    return rc;
}

/* An advisor's row of a month: their "advisor product sales" target in
 * cents (their own, else the month's for every advisor), for the
 * achievement figure. */
static int s_product_target(s_report_t *r, const char *advisor, As__KpiCounters *c)
{
    char months[12][8];
    double total = 0;
    int rc = 0;
    for (int m = 0, n = s_months(r, months); rc == 0 && m < n; m++) {
        bool found = false;
        double target = 0;
        rc = kpi_target_find(r->cmd->svc, r->cmd->txn, months[m], KPI_ADVISOR_PRODUCT_SALES,
                             "cents", KPI_ADVISOR, advisor, false, &target, &found);
        total += found ? target : 0; /* a year's: the months' added up */
    }
    c->has_product_sales_target_cents = 1;
    c->product_sales_target_cents = llround(total);
    return rc;
}

/* Marks every counter present so the reply shows zeros too. */
static void s_counters_show_all(As__KpiCounters *c)
{
    const ProtobufCMessageDescriptor *desc = &as__kpi_counters__descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++)
        *(protobuf_c_boolean *)((char *)c + desc->fields[i].quantifier_offset) = 1;
}

/* The target of figure f for the row `key`: the month's (or the day's), or
 * a year's: its months' targets added up for a count, an amount or hours,
 * their mean for a ratio (as the scorecard's quarter). */
static int s_period_target(s_report_t *r, const kpi_figure_t *f, const char *key, double *target,
                           bool *found)
{
    if (!r->is_year)
        return kpi_target_find(r->cmd->svc, r->cmd->txn, r->month, f->name, f->unit, r->by, key,
                               r->is_day, target, found);
    char months[12][8];
    unsigned with = 0;
    int rc = kpi_months_target(r->cmd->svc, r->cmd->txn, (const char(*)[8])months,
                               (size_t)s_months(r, months), f, r->by, key, target, &with);
    *found = with > 0;
    return rc;
}

static int s_row_add(s_report_t *r, const char *key, const As__KpiCounters *counters)
{
    if (r->n_rows == r->cap_rows) {
        size_t cap = r->cap_rows ? r->cap_rows * 2 : 8;
        s_row_t *rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows)
            return -ENOMEM;
        r->rows = rows;
        r->cap_rows = cap;
    }
    s_row_t *row = &r->rows[r->n_rows];
    memset(row, 0, sizeof *row);
    size_t n = kpi_figure_count();
    r->n_rows++; /* counted first so the report's cleanup frees what was allocated */
    char shown[AS_KEY_MAX + 2 * AS_NAME_MAX];
    snprintf(shown, sizeof shown, "%s%s%s", r->site ? r->site : "", r->site ? "/" : "", key);
    row->key = strdup(shown);
    row->figures = calloc(n, sizeof *row->figures);
    row->figure_ptrs = calloc(n, sizeof *row->figure_ptrs);
    row->computed = calloc(n, sizeof *row->computed);
    if (!row->key || !row->figures || !row->figure_ptrs || !row->computed)
        return -ENOMEM;
    row->counters = *counters;
    s_counters_show_all(&row->counters);
    for (size_t i = 0; i < n; i++) {
        kpi_figure_t *f = &row->computed[i];
        kpi_figure_compute(i, &row->counters, &r->span, f);
        As__KpiFigure *pf = &row->figures[i];
        as__kpi_figure__init(pf);
        pf->name = (char *)f->name;
        pf->unit = (char *)f->unit;
        pf->formula = f->formula;
        pf->has_value = pf->has_defined = 1;
        pf->value = f->value;
        pf->defined = f->defined;
        bool found = false;
        double target = 0;
        int rc = s_period_target(r, f, key, &target, &found);
        if (rc != 0)
            return rc;
        if (found) {
            pf->has_target = 1;
            pf->target = target;
            pf->has_achievement = f->defined;
            pf->achievement = kpi_achievement(f->value, target);
        }
        row->figure_ptrs[i] = pf;
    }
    return 0;
}

/* Fills the figures' pointers (rows may have moved while growing). */
static void s_rows_link(s_report_t *r, As__KpiRow **row_ptrs)
{
    size_t n = kpi_figure_count();
    for (size_t i = 0; i < r->n_rows; i++) {
        s_row_t *row = &r->rows[i];
        as__kpi_row__init(&row->row);
        for (size_t j = 0; j < n; j++) {
            row->figures[j].formula = row->computed[j].formula;
            row->figure_ptrs[j] = &row->figures[j];
        }
        row->row.key = row->key;
        row->row.n_figures = n;
        row->row.figures = row->figure_ptrs;
        row->row.counters = &row->counters;
        row_ptrs[i] = &row->row;
    }
}

static int s_rows_department(s_report_t *r)
{
    As__KpiCounters c;
    as_service_t *svc = r->cmd->svc;
    MDB_txn *txn = r->cmd->txn;
    int rc = s_period_counters(r, KPI_DEPARTMENT, "", &c);
    if (rc == 0)
        rc = kpi_bay_count(svc, txn, &c.bays);
    /* the tool room's levels at the period's end, and calibrations overdue now */
    char today[AS_DATE_LEN + 1];
    as_date_today(today);
    if (rc == 0)
        rc = kpi_levels_read(svc, txn, r->last, &c);
    if (rc == 0)
        rc = kpi_calibrations_overdue(svc, txn, r->first, r->last, today, &c);
    if (rc == 0) /* the stock value level, issued cost and mean level (parts) */
        rc = kpi_stock_fill(svc, txn, NULL, r->first, r->last, today, &c);
    /* the units in operation at the period's end (a group's: gathered, so
     * that a VIN serviced at two sites counts once in its row; a site's
     * notes are keyed by VIN, so what one site adds is its own count) */
    size_t before = r->vins ? r->vins->n : 0;
    rc = rc        ? rc
         : r->vins ? kpi_uio_collect(svc, txn, r->last, r->vins)
                   : kpi_uio_count(svc, txn, r->last, &c.units_in_operation);
    if (rc == 0 && r->vins)
        c.units_in_operation = (int64_t)(r->vins->n - before);
    c.has_units_in_operation = rc == 0;
    /* the month's expenses (recorded by month: none in a day's report; a
     * year's: its months' added up) */
    char months[12][8];
    for (int m = 0, n = r->is_day ? 0 : s_months(r, months); rc == 0 && m < n; m++) {
        As__KpiCounters e;
        as__kpi_counters__init(&e);
        if ((rc = kpi_expenses_fill(svc, txn, months[m], &e)) == 0) {
            c.has_expenses_cents = c.has_expense_categories = 1;
            c.expenses_cents = (m ? c.expenses_cents : 0) + e.expenses_cents;
            c.expense_categories = (m ? c.expense_categories : 0) + e.expense_categories;
        }
    }
    /* the monthly reports due and submitted in the period (kpi's own records) */
    if (rc == 0)
        rc = kpi_monthly_fill(svc, txn, r->first, r->last, &c);
    if (rc == 0 && r->sum) { /* the group's: the sites' counters added up */
        As__KpiCounters all = c;
        s_counters_show_all(&all); /* bays and the levels read above too */
        kpi_counters_add(r->sum, &all);
        /* the days the mean stock level is taken over are the period's, not a sum */
        KPI_SET(*r->sum, stock_value_days, c.stock_value_days);
    }
    return rc ? rc : s_row_add(r, KPI_DEPARTMENT, &c);
}

/* One row per part group: its counters of the period and its stock level. */
static int s_rows_group(s_report_t *r)
{
    const char *kind = r->is_day ? "D" : "M";
    char today[AS_DATE_LEN + 1];
    as_date_today(today);
    char months[12][8];
    as_ids_t ids = AS_IDS_INIT; /* a year's groups: any month's */
    int rc = 0;
    for (int m = 0, nm = r->is_day ? 1 : s_months(r, months); rc == 0 && m < nm; m++) {
        char **names = NULL;
        size_t n = 0;
        rc = kpi_stock_groups(r->cmd->svc, r->cmd->txn, kind, r->is_day ? r->period : months[m],
                              &names, &n);
        for (size_t i = 0; i < n; i++) {
            if (rc == 0)
                rc = as_ids_add(&ids, names[i], strlen(names[i]));
            free(names[i]);
        }
        free(names);
    }
    as_ids_unique(&ids);
    for (size_t i = 0; rc == 0 && i < ids.n; i++) {
        As__KpiCounters c;
        rc = s_period_counters(r, KPI_GROUP, ids.ids[i], &c);
        if (rc == 0)
            rc = kpi_stock_fill(r->cmd->svc, r->cmd->txn, ids.ids[i], r->first, r->last, today, &c);
        if (rc == 0)
            rc = s_row_add(r, ids.ids[i], &c);
    }
    as_ids_release(&ids);
    return rc;
}

static int s_rows_scan(s_report_t *r)
{
    as_ids_t ids = AS_IDS_INIT;
    int rc = s_period_ids(r, r->by, &ids);
    for (size_t i = 0; rc == 0 && i < ids.n; i++) {
        As__KpiCounters c;
        rc = s_period_counters(r, r->by, ids.ids[i], &c);
        if (rc == 0 && !strcmp(r->by, KPI_BAY))
            c.has_bays = 1, c.bays = 1;
        if (rc == 0 && !strcmp(r->by, KPI_ADVISOR) && !r->is_day)
            rc = s_product_target(r, ids.ids[i], &c);
        if (rc == 0)
            rc = s_row_add(r, ids.ids[i], &c);
    }
    as_ids_release(&ids);
    return rc;
}

static int s_report_reply(s_report_t *r)
{
    As__KpiRow **row_ptrs = calloc(r->n_rows + 1, sizeof *row_ptrs);
    if (!row_ptrs)
        return -ENOMEM;
    s_rows_link(r, row_ptrs);
    As__KpiReport report = AS__KPI_REPORT__INIT;
    report.period = r->period;
    report.by = (char *)r->by;
    report.n_rows = r->n_rows;
    report.rows = row_ptrs;
    const As__KpiReportRequest *req = (const As__KpiReportRequest *)r->cmd->request;
    size_t n_sites = 0;
    const char *const *sites = as_service_sites(r->cmd->svc, &n_sites);
    report.site = req->site && *req->site ? req->site : NULL;
    report.has_group = report.group = req->has_group && req->group;
    report.n_sites = n_sites;
    report.sites = (char **)sites;
    int rc = as_cmd_reply(r->cmd, &report.base);
    free(row_ptrs);
    return rc;
}

/* The rows of the scope the report reads (a site kpi's own, or one site of
 * a group kpi). */
static int s_rows(s_report_t *r)
{
    int rc = s_days_worked(r);
    if (rc == 0)
        rc = !strcmp(r->by, KPI_DEPARTMENT) ? s_rows_department(r)
             : !strcmp(r->by, KPI_GROUP)    ? s_rows_group(r)
                                            : s_rows_scan(r);
    return rc;
}

/* A group kpi's group=true: each site's rows ("site/key"), then for the
 * department the group's row ("group/department"): the sites' counters
 * added up, its figures computed from that sum, over the days any site
 * worked. */
static int s_rows_of_group(s_report_t *r, const char *const *sites, size_t n_sites)
{
    As__KpiCounters sum;
    as__kpi_counters__init(&sum);
    bool worked[366] = {false};
    bool department = !strcmp(r->by, KPI_DEPARTMENT);
    as_ids_t vins = AS_IDS_INIT;
    r->sum = department ? &sum : NULL;
    r->vins = department ? &vins : NULL;
    r->worked = worked;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n_sites; i++) {
        r->site = sites[i];
        rc = as_service_scope_set(r->cmd->svc, sites[i]);
        if (rc == 0)
            rc = s_rows(r);
    }
    as_service_scope_set(r->cmd->svc, NULL);
    r->site = KPI_GROUP_ROW;
    r->sum = NULL;
    r->vins = NULL;
    r->worked = NULL;
    /* units in operation: the group's distinct VINs, not the sites' added up
     * (a car serviced at two sites is one unit) */
    as_ids_unique(&vins);
    KPI_SET(sum, units_in_operation, (int64_t)vins.n);
    as_ids_release(&vins);
    if (rc != 0 || !department)
        return rc;
    r->span.days_worked = 0;
    for (size_t d = 0; d < 366; d++)
        r->span.days_worked += worked[d];
    return s_row_add(r, KPI_DEPARTMENT, &sum);
}

static int cmd_report(as_cmd_t *cmd)
{
    s_report_t r = {.cmd = cmd};
    const As__KpiReportRequest *req = (const As__KpiReportRequest *)cmd->request;
    size_t n_sites = 0;
    const char *const *sites = as_service_sites(cmd->svc, &n_sites);
    int rc = s_report_validate(cmd, req, &r);
    if (rc == 0)
        rc = kpi_group_scope(cmd, req->site, req->has_group && req->group);
    if (rc == 0)
        rc = req->has_group && req->group ? s_rows_of_group(&r, sites, n_sites) : s_rows(&r);
    if (rc == 0)
        rc = s_report_reply(&r);
    for (size_t i = 0; i < r.n_rows; i++) {
        free(r.rows[i].key);
        free(r.rows[i].figures);
        free(r.rows[i].figure_ptrs);
        free(r.rows[i].computed);
    }
    free(r.rows);
    return rc;
}

/* The department row of a month, as kpi.report makes it, for the monthly
 * reports' snapshot (monthly.c). The report's code reads through a command's
 * svc and txn only (no reply, no refusal on this path), so a bare one holds
 * them. */
int kpi_report_month_figures(as_service_t *svc, MDB_txn *txn, const char *month, kpi_figures_fn fn,
                             void *arg)
{
    as_cmd_t cmd = {.svc = svc, .txn = txn};
    s_report_t r = {.cmd = &cmd, .by = KPI_DEPARTMENT};
    snprintf(r.period, sizeof r.period, "%s", month);
    snprintf(r.month, sizeof r.month, "%.7s", month);
    snprintf(r.first, sizeof r.first, "%s-01", r.month);
    as_date_add_days(r.first, kpi_days_in_month(r.month) - 1, r.last);
    r.span.hours_per_day = kpi_of(svc)->hours_per_day;
    int rc = s_days_worked(&r);
    if (rc == 0)
        rc = s_rows_department(&r);
    if (rc == 0 && r.n_rows == 1)
        rc = fn(r.rows[0].figure_ptrs, kpi_figure_count(), arg);
    for (size_t i = 0; i < r.n_rows; i++) {
        free(r.rows[i].key);
        free(r.rows[i].figures);
        free(r.rows[i].figure_ptrs);
        free(r.rows[i].computed);
    }
    free(r.rows);
    return rc;
}

/* one command a line: merges stay apart */
// clang-format off
const as_command_def_t kpi_commands[] = {
    {"kpi.target.set", cmd_target_set},
    {"kpi.report", cmd_report},
    {"kpi.figure.ros", kpi_cmd_figure_ros},
    {"kpi.expense.record", kpi_cmd_expense_record},
    {"kpi.expense.list", kpi_cmd_expense_list},
    {"kpi.scorecard", kpi_cmd_scorecard},
    {"kpi.roster.plan", kpi_cmd_roster_plan},
    {"kpi.roster.clear", kpi_cmd_roster_clear},
    {"kpi.roster.list", kpi_cmd_roster_list},
    {"kpi.comeback.analysis", kpi_cmd_comeback_analysis},
    {"kpi.day.summary", kpi_cmd_day_summary},
    {"kpi.monthly.generate", kpi_cmd_monthly_generate},
    {"kpi.monthly.list", kpi_cmd_monthly_list},
    {"kpi.monthly.show", kpi_cmd_monthly_show},
    {"kpi.monthly.submit", kpi_cmd_monthly_submit},
    {"kpi.monthly.correct", kpi_cmd_monthly_correct},
    {NULL, NULL},
};
// clang-format on
