/* qc_stats.c — workshop.qc.stats: the QC inspector's, foreman's and service
 * manager's statistics of the inspections of a period (issue 15): how many,
 * passed and failed (final ones apart), the failures by reason, and by
 * technician and labour operation the jobs inspected and failed.
 *
 * From workshop's own records (db inspections, dated by the inspection's
 * business date, at_us), so no other source is joined. A job's technician
 * and operation are the job's as it stands now: a failed job goes back to
 * its own technician as rework, so that is who failed it; a job cancelled
 * since is not counted. One scan of the inspections per query (a period is
 * at most 366 days). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "workshop.h"

#define S_MAX_DAYS 366

typedef struct {
    As__QcStatCount *rows;
    size_t n, cap;
} s_counts_t;

typedef struct {
    As__QcStats stats;
    s_counts_t reasons, technicians, operations;
    char *ro; /* the RO whose jobs are loaded (inspections come grouped by RO) */
    as_record_list_t jobs;
} s_stats_t;

/* The row named `name` (added with zeros when new), or NULL without memory. */
static As__QcStatCount *s_row(s_counts_t *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->rows[i].name, name))
            return &c->rows[i];
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        As__QcStatCount *rows = realloc(c->rows, cap * sizeof *rows);
        if (!rows)
            return NULL;
        c->rows = rows;
        c->cap = cap;
    }
    As__QcStatCount *row = &c->rows[c->n];
    as__qc_stat_count__init(row);
    if (!(row->name = strdup(name)))
        return NULL;
    row->has_failures = row->has_inspected = 1;
    c->n++;
    return row;
}

static void s_counts_free(s_counts_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->rows[i].name);
    free(c->rows);
}

static int s_by_name(const void *a, const void *b)
{
    return strcmp(((const As__QcStatCount *)a)->name, ((const As__QcStatCount *)b)->name);
}

static int s_by_failures(const void *a, const void *b)
{
    const As__QcStatCount *x = a, *y = b;
    if (x->failures != y->failures)
        return x->failures > y->failures ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Loads the jobs of `ro` unless they are the ones loaded. */
static int s_jobs(as_cmd_t *cmd, s_stats_t *s, const char *ro)
{
    if (s->ro && !strcmp(s->ro, ro))
        return 0;
    as_record_list_free(&s->jobs);
    memset(&s->jobs, 0, sizeof s->jobs);
    free(s->ro);
    if (!(s->ro = strdup(ro)))
        return AS_EINTERNAL;
    return as_record_scan_in(cmd->txn, as_record_dbi(cmd->svc, "jobs"), ro,
                             &as__work_job__descriptor, &s->jobs);
}

static bool s_failed_job(const As__Inspection *insp, uint32_t job_no)
{
    for (size_t i = 0; i < insp->n_failed_jobs; i++)
        if (insp->failed_jobs[i] == job_no)
            return true;
    return false;
}

/* Counts one inspection of the period. */
static int s_count(as_cmd_t *cmd, s_stats_t *s, const As__Inspection *insp)
{
    As__QcStats *st = &s->stats;
    bool final = insp->kind == AS__INSPECTION_KIND__FINAL;
    st->inspections++;
    st->final_inspections += final;
    if (insp->passed) {
        st->passed++;
    } else {
        st->failed++;
        st->final_failed += final;
    }
    for (size_t i = 0; !insp->passed && i < insp->n_reasons; i++) {
        As__QcStatCount *row = s_row(&s->reasons, insp->reasons[i]);
        if (!row)
            return AS_EINTERNAL;
        row->failures++;
    }
    int rc = s_jobs(cmd, s, insp->ro_number);
    for (size_t i = 0; rc == 0 && i < s->jobs.n; i++) {
        const As__WorkJob *job = (const As__WorkJob *)s->jobs.msgs[i];
        if (job->status == AS__WORK_STATUS__WORK_CANCELLED)
            continue;
        bool failed = !insp->passed && s_failed_job(insp, job->job_no);
        const char *tech = ws_empty(job->technician) ? "(none)" : job->technician;
        const char *op = job->labour && !ws_empty(job->labour->code) ? job->labour->code : "(none)";
        As__QcStatCount *t = s_row(&s->technicians, tech);
        As__QcStatCount *o = t ? s_row(&s->operations, op) : NULL;
        if (!o)
            return AS_EINTERNAL;
        t->inspected++;
        o->inspected++;
        t->failures += failed;
        o->failures += failed;
    }
    return rc;
}

static int s_validate(as_cmd_t *cmd, const As__QcStatsQuery *q)
{
    if (ws_empty(q->from) || ws_empty(q->to))
        return as_cmd_fail(cmd, AS_EINVALID, "from and to are required (YYYY-MM-DD)");
    if (!as_date_valid(q->from))
        return as_cmd_fail(cmd, AS_EINVALID, "from '%s' is not a date (YYYY-MM-DD)", q->from);
    if (!as_date_valid(q->to))
        return as_cmd_fail(cmd, AS_EINVALID, "to '%s' is not a date (YYYY-MM-DD)", q->to);
    int64_t days = as_date_diff_days(q->from, q->to);
    if (days < 0)
        return as_cmd_fail(cmd, AS_EINVALID, "from %s is after to %s", q->from, q->to);
    if (days >= S_MAX_DAYS)
        return as_cmd_fail(cmd, AS_EINVALID, "the period %s..%s is longer than %d days", q->from,
                           q->to, S_MAX_DAYS);
    return 0;
}

static void s_list(s_counts_t *c, int (*order)(const void *, const void *), As__QcStatCount ***out,
                   size_t *n, As__QcStatCount **ptrs)
{
    if (c->n > 1) /* qsort takes no NULL array, even empty */
        qsort(c->rows, c->n, sizeof *c->rows, order);
    for (size_t i = 0; i < c->n; i++)
        ptrs[i] = &c->rows[i];
    *out = ptrs;
    *n = c->n;
}

int ws_cmd_qc_stats(as_cmd_t *cmd)
{
    const As__QcStatsQuery *q = (const As__QcStatsQuery *)cmd->request;
    int rc = s_validate(cmd, q);
    if (rc != 0)
        return rc;
    s_stats_t s = {.stats = AS__QC_STATS__INIT};
    As__QcStats *st = &s.stats;
    st->from = q->from;
    st->to = q->to;
    st->has_inspections = st->has_passed = st->has_failed = 1;
    st->has_final_inspections = st->has_final_failed = 1;
    as_record_list_t all = {0};
    rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "inspections"), NULL,
                        &as__inspection__descriptor, &all);
    for (size_t i = 0; rc == 0 && i < all.n; i++) {
        const As__Inspection *insp = (const As__Inspection *)all.msgs[i];
        char date[AS_DATE_LEN + 1];
        as_date_of_us(insp->at_us, date);
        if (ws_empty(insp->ro_number) || strcmp(date, q->from) < 0 || strcmp(date, q->to) > 0)
            continue;
        rc = s_count(cmd, &s, insp);
    }
    As__QcStatCount **ptrs =
        calloc(s.reasons.n + s.technicians.n + s.operations.n + 1, sizeof *ptrs);
    if (rc == 0 && !ptrs)
        rc = AS_EINTERNAL;
    if (rc == 0) {
        s_list(&s.reasons, s_by_failures, &st->by_reason, &st->n_by_reason, ptrs);
        s_list(&s.technicians, s_by_name, &st->by_technician, &st->n_by_technician,
               ptrs + s.reasons.n);
        s_list(&s.operations, s_by_name, &st->by_operation, &st->n_by_operation,
               ptrs + s.reasons.n + s.technicians.n);
        rc = as_cmd_reply(cmd, &st->base);
    }
    free(ptrs);
    as_record_list_free(&all);
    as_record_list_free(&s.jobs);
    free(s.ro);
    s_counts_free(&s.reasons);
    s_counts_free(&s.technicians);
    s_counts_free(&s.operations);
    return rc;
}
