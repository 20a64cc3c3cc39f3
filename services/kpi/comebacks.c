/* comebacks.c — the comeback analysis the front-desk manager and the foreman
 * review each month (issue 15): kpi.comeback.analysis, for a month or from/to,
 * the comebacks by labour operation, by technician (who worked the earlier
 * RO's job with the concern) and by cause, and the comeback rate = comebacks /
 * ROs delivered of the period (DOMAIN.md), the same counters as the report's
 * "comeback rate", so the two never differ.
 *
 * kpi answers because it holds the denominator already (ros_delivered per
 * day, of the department and of each technician) and sees the comebacks: a
 * note per comeback (db "comebacks": "YYYY-MM-DD|ro" -> KpiComebackNote, the
 * day it counts on) from reception.comeback.detected (operations,
 * technicians: reception's own copy of the earlier RO as delivered) and
 * reception.comeback.cause_recorded (the cause). Both come from reception, in
 * its order, and each sets only its own fields of the note, so the note does
 * not depend on their order either; workshop's events are not read here.
 *
 * A comeback with several technicians counts once for each (the technician
 * rows may add up to more than the comebacks); one without a recorded cause
 * is "unrecorded"; an operation unknown (a comeback detected before reception
 * named them) is "unknown". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/pb/reception.pb-c.h"
#include "kpi.h"

#define S_MAX_DAYS 366

static const char *const s_causes[] = {"workmanship", "parts_fault", "misdiagnosis",
                                       "customer",    "other",       NULL};

static MDB_dbi s_dbi(as_service_t *svc)
{
    return as_record_dbi(svc, "comebacks");
}

/* Loads the note of (date, ro) or starts one; *note is the caller's to free. */
static int s_note_load(as_evt_t *evt, const as_key_t *key, As__KpiComebackNote **note)
{
    int rc =
        as_record_get_key(evt->txn, s_dbi(evt->svc), key, &as__kpi_comeback_note__descriptor, note);
    if (rc == MDB_NOTFOUND) {
        *note = calloc(1, sizeof **note);
        if (!*note)
            return AS_EINTERNAL;
        as__kpi_comeback_note__init(*note);
        rc = 0;
    }
    return rc;
}

static int s_text(char **field, const char *text)
{
    char *copy = strdup(text ? text : "");
    if (!copy)
        return AS_EINTERNAL;
    free(*field);
    *field = copy;
    return 0;
}

static int s_texts(char ***field, size_t *n, char *const *texts, size_t count)
{
    for (size_t i = 0; i < *n; i++)
        free((*field)[i]);
    free(*field);
    *field = NULL;
    *n = 0;
    if (count == 0)
        return 0;
    if (!(*field = calloc(count, sizeof **field)))
        return AS_EINTERNAL;
    for (; *n < count; (*n)++)
        if (!((*field)[*n] = strdup(texts[*n] ? texts[*n] : "")))
            return AS_EINTERNAL;
    return 0;
}

int kpi_comeback_noted(as_evt_t *evt, const char *date)
{
    const As__ComebackDetected *m = (const As__ComebackDetected *)evt->payload;
    as_key_t key;
    if (!m->ro_number || !*m->ro_number || as_key_of(&key, date, m->ro_number, NULL) != 0)
        return 0; /* counted, not analysed */
    As__KpiComebackNote *note = NULL;
    int rc = s_note_load(evt, &key, &note);
    if (rc == 0)
        rc = s_text(&note->ro_number, m->ro_number);
    if (rc == 0)
        rc = s_text(&note->earlier_ro, m->earlier_ro);
    if (rc == 0)
        rc = s_text(&note->date, date);
    if (rc == 0)
        rc = s_text(&note->concern, m->concern);
    if (rc == 0)
        rc = s_text(&note->advisor, m->advisor);
    if (rc == 0)
        rc = s_texts(&note->technicians, &note->n_technicians, m->technicians, m->n_technicians);
    if (rc == 0)
        rc = s_texts(&note->operations, &note->n_operations, m->operations, m->n_operations);
    if (rc == 0)
        rc = as_record_put_key(evt->txn, s_dbi(evt->svc), &key, &note->base);
    if (note)
        as__kpi_comeback_note__free_unpacked(note, NULL);
    return rc;
}

int kpi_evt_comeback_cause(as_evt_t *evt)
{
    const As__ComebackCauseRecorded *m = (const As__ComebackCauseRecorded *)evt->payload;
    as_key_t key;
    if (!m->ro_number || !*m->ro_number || !m->comeback_date || !as_date_valid(m->comeback_date) ||
        !m->cause || !*m->cause)
        return AS_EINVALID;
    if (as_key_of(&key, m->comeback_date, m->ro_number, NULL) != 0)
        return AS_EINVALID;
    As__KpiComebackNote *note = NULL;
    int rc = s_note_load(evt, &key, &note);
    if (rc == 0)
        rc = s_text(&note->cause, m->cause);
    if (rc == 0 && (!note->ro_number || !*note->ro_number))
        rc = s_text(&note->ro_number, m->ro_number); /* the detection comes later */
    if (rc == 0 && (!note->date || !*note->date))
        rc = s_text(&note->date, m->comeback_date);
    if (rc == 0)
        rc = as_record_put_key(evt->txn, s_dbi(evt->svc), &key, &note->base);
    if (note)
        as__kpi_comeback_note__free_unpacked(note, NULL);
    return rc;
}

/* --- kpi.comeback.analysis ------------------------------------------------------ */

typedef struct {
    As__KpiComebackGroup *rows;
    size_t n, cap;
} s_rows_t;

typedef struct {
    as_cmd_t *cmd;
    char from[AS_DATE_LEN + 1], to[AS_DATE_LEN + 1];
    s_rows_t operations, technicians, causes;
    as_record_list_t notes; /* the period's, by day */
} s_analysis_t;

static As__KpiComebackGroup *s_row(s_rows_t *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->rows[i].name, name))
            return &r->rows[i];
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        As__KpiComebackGroup *rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows)
            return NULL;
        r->rows = rows;
        r->cap = cap;
    }
    As__KpiComebackGroup *row = &r->rows[r->n];
    as__kpi_comeback_group__init(row);
    if (!(row->name = strdup(name)))
        return NULL;
    row->has_comebacks = 1;
    r->n++;
    return row;
}

static int s_add(s_rows_t *r, const char *name)
{
    As__KpiComebackGroup *row = s_row(r, name);
    if (!row)
        return AS_EINTERNAL;
    row->comebacks++;
    return 0;
}

static void s_rows_free(s_rows_t *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->rows[i].name);
    free(r->rows);
}

static int s_by_count(const void *x, const void *y)
{
    const As__KpiComebackGroup *a = x, *b = y;
    if (a->comebacks != b->comebacks)
        return a->comebacks > b->comebacks ? -1 : 1;
    return strcmp(a->name, b->name);
}

static int s_period(as_cmd_t *cmd, const As__KpiComebackQuery *q, s_analysis_t *a)
{
    bool month = q->month && *q->month, range = (q->from && *q->from) || (q->to && *q->to);
    if (month == range)
        return as_cmd_fail(cmd, AS_EINVALID, "give month (YYYY-MM) or from and to (YYYY-MM-DD)");
    if (month) {
        if (!as_month_valid(q->month))
            return as_cmd_fail(cmd, AS_EINVALID, "month '%s' is not a month (YYYY-MM)", q->month);
        char next[AS_DATE_LEN + 1], first_next[AS_DATE_LEN + 1];
        snprintf(a->from, sizeof a->from, "%s-01", q->month);
        as_date_add_days(a->from, 31, next); /* a day of the next month */
        snprintf(first_next, sizeof first_next, "%.7s-01", next);
        as_date_add_days(first_next, -1, a->to);
        return 0;
    }
    if (!q->from || !q->to || !as_date_valid(q->from) || !as_date_valid(q->to))
        return as_cmd_fail(cmd, AS_EINVALID, "from and to must both be dates (YYYY-MM-DD)");
    int64_t days = as_date_diff_days(q->from, q->to);
    if (days < 0 || days >= S_MAX_DAYS)
        return as_cmd_fail(cmd, AS_EINVALID, "from %s to %s must be 1 to %d days", q->from, q->to,
                           S_MAX_DAYS);
    snprintf(a->from, sizeof a->from, "%s", q->from);
    snprintf(a->to, sizeof a->to, "%s", q->to);
    return 0;
}

/* The sum of counters `dim`/`id` over the period's days: comebacks and
 * ros_delivered. */
static int s_sum(s_analysis_t *a, const char *dim, const char *id, int64_t *comebacks,
                 int64_t *delivered)
{
    *comebacks = *delivered = 0;
    char day[AS_DATE_LEN + 1];
    snprintf(day, sizeof day, "%s", a->from);
    for (int i = 0; i < S_MAX_DAYS && strcmp(day, a->to) <= 0; i++) {
        as_key_t key;
        As__KpiCounters c;
        int rc = as_key_of(&key, "D", day, dim, id, NULL);
        if (rc == 0)
            rc = kpi_counters_read(a->cmd->svc, a->cmd->txn, &key, &c);
        if (rc != 0)
            return rc;
        *comebacks += c.comebacks;
        *delivered += c.ros_delivered;
        char next[AS_DATE_LEN + 1];
        as_date_add_days(day, 1, next);
        memcpy(day, next, sizeof day);
    }
    return 0;
}

/* As the report's figures: 100 * num / den, 0 when den is 0 (not defined). */
static double s_percent(int64_t num, int64_t den)
{
    return den ? 100.0 * (double)num / (double)den : 0;
}

/* Gathers the notes of the period (keys "date|ro": one range read a month). */
typedef struct {
    s_analysis_t *a;
    int rc;
} s_gather_t;

static int s_gather_one(const MDB_val *key, const MDB_val *value, void *arg)
{
    s_gather_t *g = arg;
    s_analysis_t *a = g->a;
    if (key->mv_size < AS_DATE_LEN)
        return 0;
    char day[AS_DATE_LEN + 1];
    memcpy(day, key->mv_data, AS_DATE_LEN);
    day[AS_DATE_LEN] = 0;
    if (strcmp(day, a->from) < 0 || strcmp(day, a->to) > 0)
        return 0;
    As__KpiComebackNote *note = as__kpi_comeback_note__unpack(NULL, value->mv_size, value->mv_data);
    if (!note)
        return 0;                                  /* a damaged note: skipped */
    if (!note->earlier_ro || !*note->earlier_ro) { /* a cause without its detection */
        as__kpi_comeback_note__free_unpacked(note, NULL);
        return 0;
    }
    as_record_list_t *l = &a->notes;
    ProtobufCMessage **msgs = realloc(l->msgs, (l->n + 1) * sizeof *msgs);
    if (!msgs) {
        as__kpi_comeback_note__free_unpacked(note, NULL);
        return g->rc = AS_EINTERNAL;
    }
    l->msgs = msgs;
    l->msgs[l->n++] = &note->base;
    return 0;
}

static int s_gather(s_analysis_t *a)
{
    s_gather_t g = {a, 0};
    char month[8];
    snprintf(month, sizeof month, "%.7s", a->from);
    for (int i = 0; i < 14; i++) {
        int rc = as_record_range(a->cmd->txn, s_dbi(a->cmd->svc), month, 7, s_gather_one, &g);
        if (rc != 0)
            return g.rc ? g.rc : rc;
        if (strncmp(month, a->to, 7) >= 0)
            break;
        char first[AS_DATE_LEN + 1], next[AS_DATE_LEN + 1];
        snprintf(first, sizeof first, "%s-01", month);
        as_date_add_days(first, 31, next);
        snprintf(month, sizeof month, "%.7s", next);
    }
    return 0;
}

static int s_breakdown(s_analysis_t *a)
{
    int rc = 0;
    for (size_t i = 0; s_causes[i]; i++)
        if (!s_row(&a->causes, s_causes[i]))
            return AS_EINTERNAL;
    for (size_t i = 0; rc == 0 && i < a->notes.n; i++) {
        const As__KpiComebackNote *n = (const As__KpiComebackNote *)a->notes.msgs[i];
        rc = s_add(&a->causes, n->cause && *n->cause ? n->cause : "unrecorded");
        for (size_t j = 0; rc == 0 && j < n->n_operations; j++)
            rc = s_add(&a->operations, n->operations[j]);
        if (rc == 0 && n->n_operations == 0)
            rc = s_add(&a->operations, "unknown");
        for (size_t j = 0; rc == 0 && j < n->n_technicians; j++)
            rc = s_add(&a->technicians, n->technicians[j]);
    }
    for (size_t i = 0; rc == 0 && i < a->technicians.n; i++) {
        As__KpiComebackGroup *t = &a->technicians.rows[i];
        int64_t comebacks;
        rc = s_sum(a, KPI_TECHNICIAN, t->name, &comebacks, &t->ros_delivered);
        t->has_ros_delivered = t->has_rate = t->has_defined = 1;
        t->defined = t->ros_delivered > 0;
        t->rate = s_percent(t->comebacks, t->ros_delivered);
    }
    if (a->operations.n > 1) /* qsort takes no NULL array, even empty */
        qsort(a->operations.rows, a->operations.n, sizeof *a->operations.rows, s_by_count);
    if (a->technicians.n > 1)
        qsort(a->technicians.rows, a->technicians.n, sizeof *a->technicians.rows, s_by_count);
    return rc;
}

static As__KpiComebackGroup **s_pointers(s_rows_t *r)
{
    As__KpiComebackGroup **p = calloc(r->n + 1, sizeof *p);
    for (size_t i = 0; p && i < r->n; i++)
        p[i] = &r->rows[i];
    return p;
}

static int s_reply(s_analysis_t *a)
{
    As__KpiComebackAnalysis r = AS__KPI_COMEBACK_ANALYSIS__INIT;
    r.from = a->from;
    r.to = a->to;
    r.has_comebacks = r.has_ros_delivered = r.has_rate = r.has_defined = 1;
    r.comebacks = (int64_t)a->notes.n;
    int64_t counted = 0;
    int rc = s_sum(a, KPI_DEPARTMENT, "", &counted, &r.ros_delivered);
    if (rc != 0)
        return rc;
    r.defined = r.ros_delivered > 0;
    r.rate = s_percent(r.comebacks, r.ros_delivered);
    char formula[160], reason[120] = "";
    snprintf(formula, sizeof formula, "comebacks / ros delivered = %lld / %lld",
             (long long)r.comebacks, (long long)r.ros_delivered);
    if (!r.defined)
        snprintf(reason, sizeof reason, "no repair order was delivered from %s to %s", a->from,
                 a->to);
    r.formula = formula;
    r.reason = reason;
    r.by_operation = s_pointers(&a->operations);
    r.by_technician = s_pointers(&a->technicians);
    r.by_cause = s_pointers(&a->causes);
    r.n_by_operation = a->operations.n;
    r.n_by_technician = a->technicians.n;
    r.n_by_cause = a->causes.n;
    r.comebacks_list = (As__KpiComebackNote **)a->notes.msgs;
    r.n_comebacks_list = a->notes.n;
    if (!r.by_operation || !r.by_technician || !r.by_cause)
        rc = AS_EINTERNAL;
    if (rc == 0)
        rc = as_cmd_reply(a->cmd, &r.base);
    free(r.by_operation);
    free(r.by_technician);
    free(r.by_cause);
    return rc;
}

int kpi_cmd_comeback_analysis(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiComebackQuery *q = (const As__KpiComebackQuery *)cmd->request;
    s_analysis_t a = {.cmd = cmd};
    int rc = s_period(cmd, q, &a);
    if (rc != 0)
        return rc;
    if ((rc = s_gather(&a)) == 0 && (rc = s_breakdown(&a)) == 0)
        rc = s_reply(&a);
    for (size_t i = 0; i < a.notes.n; i++)
        protobuf_c_message_free_unpacked(a.notes.msgs[i], NULL);
    free(a.notes.msgs);
    s_rows_free(&a.operations);
    s_rows_free(&a.technicians);
    s_rows_free(&a.causes);
    return rc;
}
