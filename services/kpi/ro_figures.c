/* ro_figures.c — the repair orders behind a figure: each event that names an
 * RO also adds its department delta to the RO's share of its day (db
 * "ro_days": "YYYY-MM-DD|ro" -> KpiCounters), and kpi.figure.ros lists, for
 * a month or a day and a figure, the ROs whose share of the figure's counters
 * is above 0 (the dashboard's click-through). The shares of a figure's ROs
 * add up to the department's counters of the period for the figures counted
 * from RO events; the others (available hours, appointments kept, reminders,
 * warranty, tools) are not counted per RO: the reply names no counters.
 *
 * The same for a person: every counter of a technician, advisor or bay that
 * an RO's event moves (kpi_count_ro) also goes to the RO's share of that
 * person's day (db "ro_person_days": "dim|id|YYYY-MM-DD|ro"), so the shares
 * of a person's figure add up to the person's counters: the ROs of
 * tech-07's sold hours are the ROs whose QC gave tech-07 sold time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "formulas.h"
#include "kpi.h"

#define S_MAX_COUNTERS 5
#define S_MAX_ROS 2000 /* a month of a large dealership; past it the reply says truncated */

/* The counters each figure counted per RO is made of. */
static const struct {
    const char *figure;
    const char *counters[S_MAX_COUNTERS + 1];
} s_figures[] = {
    {"labour efficiency", {"sold_minutes", "actual_minutes"}},
    {"labour utilisation", {"actual_minutes"}},
    {"overall productivity", {"sold_minutes"}},
    {"bay utilisation", {"actual_minutes"}},
    {"sold hours", {"sold_minutes"}},
    {"actual hours", {"actual_minutes"}},
    {"first-time-fix rate", {"ros_inspected", "ros_first_pass"}},
    {"comeback rate", {"comebacks", "ros_delivered"}},
    {"appointment rate", {"ros_opened", "ros_from_appointment"}},
    {"parts fill rate", {"parts_lines_requested", "parts_lines_first_pick"}},
    {"vehicles handed over", {"ros_delivered"}},
    {"service sales", {"ros_delivered", "labour_sales_cents", "parts_sales_cents"}},
    {"labour sales", {"ros_delivered", "labour_sales_cents"}},
    {"parts sales", {"ros_delivered", "parts_sales_cents"}},
    {"parts cost", {"parts_cost_cents"}},
    {"gross profit",
     {"labour_sales_cents", "parts_sales_cents", "parts_cost_cents", "labour_cost_cents"}},
    {"labour gross profit", {"labour_sales_cents", "labour_cost_cents"}},
    {"csi", {"csi_sum", "csi_count"}},
    {"csi top share", {"csi_top", "csi_count"}},
    {"customer-pay ros", {"customer_pay_ros"}},
};

/* Adds `delta` to the share stored under `key` of db `db`. */
static int s_share_add(as_evt_t *evt, const char *db, const as_key_t *key,
                       const As__KpiCounters *delta)
{
    MDB_dbi dbi = as_record_dbi(evt->svc, db);
    As__KpiCounters share = AS__KPI_COUNTERS__INIT, *stored = NULL;
    int rc = as_record_get_key(evt->txn, dbi, key, &as__kpi_counters__descriptor, &stored);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    if (stored) {
        kpi_counters_add(&share, stored);
        as__kpi_counters__free_unpacked(stored, NULL);
    }
    kpi_counters_add(&share, delta);
    return as_record_put_key(evt->txn, dbi, key, &share.base);
}

int kpi_ro_day(as_evt_t *evt, const char *date, const char *ro_number, const As__KpiCounters *delta)
{
    as_key_t key;
    if (!ro_number || !*ro_number || as_key_of(&key, date, ro_number, NULL) != 0)
        return 0; /* no RO, or a number too long for a key: counted, not listed */
    return s_share_add(evt, "ro_days", &key, delta);
}

int kpi_count_ro(as_evt_t *evt, const char *date, const char *dim, const char *id,
                 const char *ro_number, const As__KpiCounters *delta)
{
    int rc = kpi_count(evt, date, dim, id, delta);
    as_key_t key;
    if (rc != 0 || !id || !*id || !ro_number || !*ro_number ||
        as_key_of(&key, dim, id, date, ro_number, NULL) != 0)
        return rc; /* the person is counted; an RO too long for a key is not listed */
    return s_share_add(evt, "ro_person_days", &key, delta);
}

static int64_t s_counter(const As__KpiCounters *c, const ProtobufCFieldDescriptor *f)
{
    return *(const int64_t *)((const char *)c + f->offset);
}

/* The RO shares of the period, summed per RO (one RO may have several days). */
typedef struct {
    const ProtobufCFieldDescriptor *fields[S_MAX_COUNTERS];
    size_t n_fields;
    size_t skip; /* the bytes before the date: "dim|id|" for a person, none for the department */
    As__KpiRoShare *ros;
    As__KpiCounters *counters;
    size_t n, cap;
    bool truncated;
} s_scan_t;

static As__KpiRoShare *s_share_of(s_scan_t *s, const char *ro)
{
    for (size_t i = s->n; i-- > 0;)
        if (!strcmp(s->ros[i].ro_number, ro))
            return &s->ros[i];
    if (s->n == s->cap) {
        if (s->cap >= S_MAX_ROS) {
            s->truncated = true;
            return NULL;
        }
        size_t cap = s->cap ? s->cap * 2 : 32;
        As__KpiRoShare *ros = realloc(s->ros, cap * sizeof *ros);
        As__KpiCounters *counters = ros ? realloc(s->counters, cap * sizeof *counters) : NULL;
        if (ros)
            s->ros = ros;
        if (!counters)
            return NULL;
        s->counters = counters;
        s->cap = cap;
    }
    As__KpiRoShare *share = &s->ros[s->n];
    as__kpi_ro_share__init(share);
    as__kpi_counters__init(&s->counters[s->n]);
    if (!(share->ro_number = strdup(ro)))
        return NULL;
    s->n++;
    return share;
}

static int s_on_day(const MDB_val *key, const MDB_val *value, void *arg)
{
    s_scan_t *s = arg;
    /* key: (dim, '\0', id, '\0',) the date, '\0', the RO number ('\0'-ended or not) */
    if (key->mv_size <= s->skip)
        return 0;
    const char *k = (const char *)key->mv_data + s->skip;
    size_t size = key->mv_size - s->skip;
    const char *sep = memchr(k, '\0', size);
    if (!sep || (size_t)(sep - k) != AS_DATE_LEN)
        return 0;
    char ro[AS_KEY_MAX + 1];
    size_t len = size - (size_t)(sep + 1 - k);
    snprintf(ro, sizeof ro, "%.*s", (int)len, sep + 1);
    As__KpiCounters *day =
        as__kpi_counters__unpack(NULL, value->mv_size, (const uint8_t *)value->mv_data);
    if (!day)
        return AS_EBADFRAME;
    bool relevant = false;
    for (size_t i = 0; i < s->n_fields; i++)
        relevant |= s_counter(day, s->fields[i]) != 0;
    int rc = 0;
    if (relevant) {
        As__KpiRoShare *share = s_share_of(s, ro);
        if (share)
            kpi_counters_add(&s->counters[share - s->ros], day);
        else if (!s->truncated)
            rc = -ENOMEM;
    }
    as__kpi_counters__free_unpacked(day, NULL);
    return rc;
}

static int s_figure_validate(as_cmd_t *cmd, const As__KpiFigureRosRequest *req, char *period,
                             size_t cap)
{
    bool has_month = req->month && *req->month, has_day = req->day && *req->day;
    if (!req->figure || !*req->figure)
        return as_cmd_fail(cmd, AS_EINVALID, "figure is required (a figure of kpi.report)");
    if (!kpi_metric_known(req->figure))
        return as_cmd_fail(cmd, AS_EINVALID, "figure '%s' is not a figure of kpi.report",
                           req->figure);
    if (has_day == has_month)
        return as_cmd_fail(cmd, AS_EINVALID, "month (YYYY-MM) or day (YYYY-MM-DD), one of them");
    if (has_month && !as_month_valid(req->month))
        return as_cmd_fail(cmd, AS_EINVALID, "month '%s' is not a month (YYYY-MM)", req->month);
    if (has_day && !as_date_valid(req->day))
        return as_cmd_fail(cmd, AS_EINVALID, "day '%s' is not a date (YYYY-MM-DD)", req->day);
    bool department = !req->by || !*req->by || !strcmp(req->by, KPI_DEPARTMENT);
    if (!department && strcmp(req->by, KPI_TECHNICIAN) && strcmp(req->by, KPI_ADVISOR) &&
        strcmp(req->by, KPI_BAY))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "by '%s' is not department, technician, advisor or bay", req->by);
    if (!department && (!req->key || !*req->key))
        return as_cmd_fail(cmd, AS_EINVALID, "key is required with by=%s (the %s's id)", req->by,
                           req->by);
    if (department && req->key && *req->key)
        return as_cmd_fail(
            cmd, AS_EINVALID,
            "key '%s' needs by (technician, advisor or bay); the department has none", req->key);
    snprintf(period, cap, "%s", has_day ? req->day : req->month);
    return 0;
}

/* The range of the period's shares: "dim|id|period" of ro_person_days for a
 * person, "period" of ro_days for the department. */
static int s_range(as_cmd_t *cmd, const As__KpiFigureRosRequest *req, const char *period,
                   s_scan_t *s)
{
    if (!req->key || !*req->key)
        return as_record_range(cmd->txn, as_record_dbi(cmd->svc, "ro_days"), period, strlen(period),
                               s_on_day, s);
    as_key_t prefix;
    if (as_key_of(&prefix, req->by, req->key, NULL) != 0)
        return 0; /* an id too long for a key has no shares */
    s->skip = prefix.len + 1;
    if (as_key_add(&prefix, period) != 0)
        return 0;
    return as_record_range(cmd->txn, as_record_dbi(cmd->svc, "ro_person_days"), prefix.data,
                           prefix.len, s_on_day, s);
}

int kpi_cmd_figure_ros(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiFigureRosRequest *req = (const As__KpiFigureRosRequest *)cmd->request;
    char period[AS_DATE_LEN + 1];
    int rc = s_figure_validate(cmd, req, period, sizeof period);
    if (rc != 0)
        return rc;
    s_scan_t s = {0};
    const char *names[S_MAX_COUNTERS] = {0};
    for (size_t i = 0; i < sizeof s_figures / sizeof s_figures[0]; i++)
        if (!strcmp(s_figures[i].figure, req->figure))
            for (size_t j = 0; j < S_MAX_COUNTERS && s_figures[i].counters[j]; j++) {
                names[s.n_fields] = s_figures[i].counters[j];
                s.fields[s.n_fields++] = protobuf_c_message_descriptor_get_field_by_name(
                    &as__kpi_counters__descriptor, s_figures[i].counters[j]);
            }
    if (s.n_fields)
        rc = s_range(cmd, req, period, &s);
    As__KpiRoShare **ptrs = calloc(s.n + 1, sizeof *ptrs);
    if (rc == 0 && !ptrs)
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < s.n; i++) {
        s.ros[i].counters = &s.counters[i];
        ptrs[i] = &s.ros[i];
    }
    if (rc == 0) {
        As__KpiFigureRos out = AS__KPI_FIGURE_ROS__INIT;
        out.period = period;
        out.figure = req->figure;
        out.n_counters = s.n_fields;
        out.counters = (char **)names;
        out.n_ros = s.n;
        out.ros = ptrs;
        out.by = req->by && *req->by ? req->by : KPI_DEPARTMENT;
        out.key = req->key && *req->key ? req->key : "";
        out.has_truncated = s.truncated;
        out.truncated = s.truncated;
        rc = as_cmd_reply(cmd, &out.base);
    }
    for (size_t i = 0; i < s.n; i++)
        free(s.ros[i].ro_number);
    free(s.ros);
    free(s.counters);
    free(ptrs);
    return rc;
}
