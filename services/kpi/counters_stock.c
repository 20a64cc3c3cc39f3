/* counters_stock.c — kpi's counters from the parts warehouse's stock events
 * (issue 14): stock value at cost as a level, stock days, the scrap rate and
 * warehouse productivity.
 *
 * Stock value is a level like the tool room's: each parts.stock.moved adds
 * its value change to the day's "L|date" record (the department) and to
 * "G|group|date" (its part group), with the cost of parts issued less
 * returned that day; the report sums them up to the period's end (the
 * level), over the 90 days up to it (issued cost) and day by day over the
 * period (the mean level the scrap rate divides by). Value scrapped (approved
 * scrap lists, quarantine lots disposed of as SCRAP), receipt lines, issue
 * lines and keepers' attended minutes are day/month counters of the
 * department, the part group ("group") or the keeper ("keeper"). Every one
 * comes from the parts service alone, in its own order: no join. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/pb/parts.pb-c.h"
#include "kpi.h"

static const char *s_group(const char *group)
{
    return group && *group && strlen(group) < 64 ? group : "general";
}

/* Adds `delta` to the level record of `date`: the department's ("L") or a
 * group's ("G", group). */
static int s_level_add(as_evt_t *evt, const char *group, const char *date,
                       const As__KpiCounters *delta)
{
    as_key_t key;
    if (!as_date_valid(date))
        return AS_EINVALID;
    int rc = group ? as_key_of(&key, "G", group, date, NULL) : as_key_of(&key, "L", date, NULL);
    if (rc != 0)
        return AS_EINVALID;
    As__KpiCounters counters;
    rc = kpi_counters_read(evt->svc, evt->txn, &key, &counters);
    if (rc != 0)
        return rc;
    kpi_counters_add(&counters, delta);
    return as_record_put_key(evt->txn, as_record_dbi(evt->svc, "counters"), &key, &counters.base);
}

int kpi_evt_stock_moved(as_evt_t *evt)
{
    const As__StockMoved *m = (const As__StockMoved *)evt->payload;
    if (!m->part_number || !*m->part_number || !m->kind)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, stock_value_cents, m->value_cents);
    /* an issue takes value out at cost, a return brings it back: the cost of
     * parts issued less returned is the value they took out */
    if (!strcmp(m->kind, "issue") || !strcmp(m->kind, "return"))
        KPI_SET(d, stock_issue_cost_cents, -m->value_cents);
    int rc = kpi_level_add(evt, date, &d);
    return rc ? rc : s_level_add(evt, s_group(m->group), date, &d);
}

/* Counts value scrapped for the department and the part's group. */
static int s_scrapped(as_evt_t *evt, const char *date, const char *group, int64_t cents)
{
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, stock_scrapped_cents, cents);
    int rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
    return rc ? rc : kpi_count(evt, date, KPI_GROUP, s_group(group), &d);
}

int kpi_evt_stock_scrapped(as_evt_t *evt)
{
    const As__StockScrapped *m = (const As__StockScrapped *)evt->payload;
    if (!m->list)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m->list->n_lines; i++)
        rc = s_scrapped(evt, date, m->list->lines[i]->group, m->list->lines[i]->value_cents);
    return rc;
}

/* A quarantine lot disposed of as SCRAP is value written off too. */
int kpi_evt_quarantine_disposed(as_evt_t *evt)
{
    const As__QuarantineDisposed *m = (const As__QuarantineDisposed *)evt->payload;
    if (!m->disposal)
        return AS_EINVALID;
    if (m->disposal->disposition != AS__DISPOSITION__SCRAP || m->disposal->value_cents == 0)
        return 0;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    return s_scrapped(evt, date, m->disposal->group, m->disposal->value_cents);
}

/* Lines received: a receipt's lines that put parts on the shelf, for the
 * keeper who received them. */
int kpi_evt_stock_received(as_evt_t *evt)
{
    const As__StockReceived *m = (const As__StockReceived *)evt->payload;
    if (!m->receipt)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    int64_t lines = 0;
    for (size_t i = 0; i < m->receipt->n_lines; i++)
        lines += m->receipt->lines[i]->received > 0;
    if (lines == 0)
        return 0;
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, lines_received, lines);
    int rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
    return rc ? rc : kpi_count(evt, date, KPI_KEEPER, m->receipt->received_by, &d);
}

int kpi_keeper_issue_line(as_evt_t *evt, const char *date, const As__PartIssue *issue)
{
    if (issue->backorder) /* owed, not picked: its fills are the issue lines */
        return 0;
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, lines_issued, 1);
    int rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
    return rc ? rc : kpi_count(evt, date, KPI_KEEPER, issue->issued_by, &d);
}

/* A keeper's day recorded again replaces the first (kpi db keeper_shifts). */
int kpi_evt_keeper_shift(as_evt_t *evt)
{
    const As__KeeperShift *s = ((const As__KeeperShiftRecorded *)evt->payload)->shift;
    as_key_t key;
    if (!s || !s->staff_id || !*s->staff_id || !as_date_valid(s->date) ||
        as_key_of(&key, s->staff_id, s->date, NULL) != 0)
        return AS_EINVALID;
    MDB_dbi dbi = as_record_dbi(evt->svc, "keeper_shifts");
    As__KeeperShift *before = NULL;
    int rc = as_record_get_key(evt->txn, dbi, &key, &as__keeper_shift__descriptor, &before);
    if (rc != 0 && rc != MDB_NOTFOUND && rc != AS_EBADFRAME)
        return rc;
    int64_t minutes_before = before ? before->minutes : 0;
    if (before)
        as__keeper_shift__free_unpacked(before, NULL);
    rc = as_record_put_key(evt->txn, dbi, &key, &s->base);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, keeper_minutes, (int64_t)s->minutes - minutes_before);
    if (rc == 0)
        rc = kpi_count(evt, s->date, KPI_DEPARTMENT, "", &d);
    return rc ? rc : kpi_count(evt, s->date, KPI_KEEPER, s->staff_id, &d);
}

/* --- at report time ----------------------------------------------------- */

int kpi_stock_fill(as_service_t *svc, MDB_txn *txn, const char *group, const char *first,
                   const char *last, const char *today, As__KpiCounters *c)
{
    as_key_t prefix;
    as_record_list_t days = {0};
    int rc = group ? as_key_of(&prefix, "G", group, NULL) : as_key_of(&prefix, "L", NULL);
    if (rc == 0)
        rc = as_record_scan(txn, as_record_dbi(svc, "counters"), &prefix,
                            &as__kpi_counters__descriptor, &days);
    char window[AS_DATE_LEN + 1]; /* the first of the 90 days up to the period's end */
    as_date_add_days(last, -89, window);
    const char *until = strcmp(last, today) < 0 ? last : today; /* the mean's days so far */
    int64_t level = 0, issued = 0, sum = 0, counted = 0;
    size_t i = 0;
    char date[AS_DATE_LEN + 1];
    snprintf(date, sizeof date, "%s", first);
    for (; rc == 0 && i < days.n && strcmp(days.keys[i], first) < 0; i++) {
        const As__KpiCounters *d = (const As__KpiCounters *)days.msgs[i];
        level += d->stock_value_cents;
        if (strcmp(days.keys[i], window) >= 0)
            issued += d->stock_issue_cost_cents;
    }
    /* day by day over the period: each day's level (after its changes) */
    while (rc == 0 && strcmp(date, last) <= 0) {
        for (; i < days.n && strcmp(days.keys[i], date) <= 0; i++) {
            const As__KpiCounters *d = (const As__KpiCounters *)days.msgs[i];
            level += d->stock_value_cents;
            if (strcmp(days.keys[i], window) >= 0)
                issued += d->stock_issue_cost_cents;
        }
        if (strcmp(date, until) <= 0) {
            sum += level;
            counted++;
        }
        as_date_add_days(date, 1, date);
    }
    as_record_list_free(&days);
    KPI_SET(*c, stock_value_cents, level);
    KPI_SET(*c, stock_issue_cost_cents, issued);
    KPI_SET(*c, stock_value_sum_cents, sum);
    KPI_SET(*c, stock_value_days, counted);
    return rc;
}

/* Adds `name` to the sorted, distinct `names`. */
static int s_name_add(char ***names, size_t *n, const char *name, size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (strlen((*names)[i]) == len && memcmp((*names)[i], name, len) == 0)
            return 0;
    char **grown = realloc(*names, (*n + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    *names = grown;
    if (!(grown[*n] = strndup(name, len)))
        return -ENOMEM;
    (*n)++;
    return 0;
}

static int s_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int kpi_stock_groups(as_service_t *svc, MDB_txn *txn, const char *period_kind, const char *period,
                     char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    as_key_t prefix;
    as_record_list_t found = {0};
    /* the groups with a stock level, then those with counters in the period */
    int rc = as_key_of(&prefix, "G", NULL);
    if (rc == 0)
        rc = as_record_scan(txn, as_record_dbi(svc, "counters"), &prefix, NULL, &found);
    for (size_t i = 0; rc == 0 && i < found.n; i++)
        rc = s_name_add(names, n, found.keys[i], strnlen(found.keys[i], found.key_lens[i]));
    as_record_list_free(&found);
    if (rc == 0)
        rc = as_key_of(&prefix, period_kind, period, KPI_GROUP, NULL);
    if (rc == 0)
        rc = as_record_scan(txn, as_record_dbi(svc, "counters"), &prefix, NULL, &found);
    for (size_t i = 0; rc == 0 && i < found.n; i++)
        rc = s_name_add(names, n, found.keys[i], strnlen(found.keys[i], found.key_lens[i]));
    as_record_list_free(&found);
    if (*n > 1)
        qsort(*names, *n, sizeof **names, s_name_cmp);
    return rc;
}
