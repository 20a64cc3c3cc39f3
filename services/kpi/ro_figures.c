/* ro_figures.c — the repair orders behind a figure: each event that names an
 * RO also adds its department delta to the RO's share of its day (db
 * "ro_days": "YYYY-MM-DD|ro" -> KpiCounters), and kpi.figure.ros lists, for
 * a month or a day and a figure, the ROs whose share of the figure's counters
 * is above 0 (the dashboard's click-through). The shares of a figure's ROs
 * add up to the department's counters of the period for the figures counted
 * from RO events; the others (available hours, appointments kept, reminders,
 * warranty, tools) are not counted per RO: the reply names no counters. */
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

int kpi_ro_day(as_evt_t *evt, const char *date, const char *ro_number, const As__KpiCounters *delta)
{
    if (!ro_number || !*ro_number)
        return 0;
    as_key_t key;
    int rc = as_key_of(&key, date, ro_number, NULL);
    if (rc != 0)
        return 0; /* an RO number too long for a key: counted, not listed */
    MDB_dbi dbi = as_record_dbi(evt->svc, "ro_days");
    As__KpiCounters share = AS__KPI_COUNTERS__INIT, *stored = NULL;
    rc = as_record_get_key(evt->txn, dbi, &key, &as__kpi_counters__descriptor, &stored);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    if (stored) {
        kpi_counters_add(&share, stored);
        as__kpi_counters__free_unpacked(stored, NULL);
    }
    kpi_counters_add(&share, delta);
    return as_record_put_key(evt->txn, dbi, &key, &share.base);
}

static int64_t s_counter(const As__KpiCounters *c, const ProtobufCFieldDescriptor *f)
{
    return *(const int64_t *)((const char *)c + f->offset);
}

/* The RO shares of the period, summed per RO (one RO may have several days). */
typedef struct {
    const ProtobufCFieldDescriptor *fields[S_MAX_COUNTERS];
    size_t n_fields;
    size_t prefix_len;
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
    /* key: the date, '\0', the RO number ('\0'-ended or not) */
    const char *k = key->mv_data;
    const char *sep = memchr(k, '\0', key->mv_size);
    if (!sep || (size_t)(sep - k) != AS_DATE_LEN)
        return 0;
    char ro[AS_KEY_MAX + 1];
    size_t len = key->mv_size - (size_t)(sep + 1 - k);
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
    snprintf(period, cap, "%s", has_day ? req->day : req->month);
    return 0;
}

int kpi_cmd_figure_ros(as_cmd_t *cmd)
{
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
        rc = as_record_range(cmd->txn, as_record_dbi(cmd->svc, "ro_days"), period, strlen(period),
                             s_on_day, &s);
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
