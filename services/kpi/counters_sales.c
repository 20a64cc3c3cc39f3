/* counters_sales.c — new cars and units in operation:
 *
 * - sales.vehicle.sold counts a new car sold on the sale's date (department),
 *   once per sale_ref (db "sales": sale_ref -> KpiCohortNote with the date).
 * - reception.ro.opened notes the day on the vehicle (db "uio": vin ->
 *   KpiUioNote, its distinct RO days), so kpi_uio_count can tell how many
 *   distinct vehicles had an RO opened in the 24 months to a period's end:
 *   the units in operation (UIO), which parts sales are divided by. Each
 *   vehicle's days come from reception alone, so the note is the same in
 *   whatever order other sources' events arrive.
 *
 * Accessory sales (the invoice's accessories at reception.ro.delivered, the
 * new-car share when the RO has a sale_ref) and their cost (parts'
 * consumption) are counted in counters.c, with the rest of those events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/pb/sales.pb-c.h"
#include "kpi.h"

int kpi_evt_vehicle_sold(as_evt_t *evt)
{
    const As__SalesVehicleSold *m = (const As__SalesVehicleSold *)evt->payload;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->sale_date, date);
    if (!m->sale_ref || !*m->sale_ref)
        return AS_EINVALID;
    /* a sale counts once, however often the DMS hands it over */
    MDB_dbi sales = as_record_dbi(evt->svc, "sales");
    if (as_record_exists(evt->txn, sales, m->sale_ref))
        return 0;
    As__KpiCohortNote note = AS__KPI_COHORT_NOTE__INIT;
    note.date = date;
    int rc = as_record_put(evt->txn, sales, m->sale_ref, &note.base);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, new_cars_sold, 1);
    return rc ? rc : kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
}

int kpi_uio_note(as_evt_t *evt, const char *vin, const char *date)
{
    if (!vin || !*vin || !as_date_valid(date))
        return 0;
    MDB_dbi dbi = as_record_dbi(evt->svc, "uio");
    As__KpiUioNote *note = NULL;
    int rc = as_record_get(evt->txn, dbi, vin, &as__kpi_uio_note__descriptor, &note);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    size_t n = note ? note->n_dates : 0, at = 0;
    while (at < n && strcmp(note->dates[at], date) < 0)
        at++;
    if (at < n && strcmp(note->dates[at], date) == 0) {
        as__kpi_uio_note__free_unpacked(note, NULL);
        return 0; /* the day is noted already */
    }
    char **dates = calloc(n + 1, sizeof *dates);
    if (!dates) {
        if (note)
            as__kpi_uio_note__free_unpacked(note, NULL);
        return -ENOMEM;
    }
    for (size_t i = 0, j = 0; i <= n; i++)
        dates[i] = i == at ? (char *)date : note->dates[j++];
    As__KpiUioNote fresh = AS__KPI_UIO_NOTE__INIT;
    fresh.dates = dates;
    fresh.n_dates = n + 1;
    rc = as_record_put(evt->txn, dbi, vin, &fresh.base);
    free(dates);
    if (note)
        as__kpi_uio_note__free_unpacked(note, NULL);
    return rc;
}

void kpi_uio_window_start(const char *last_date, char out[AS_DATE_LEN + 1])
{
    /* the same day two years before: YYYY-2 and the rest as it is */
    char year[8];
    snprintf(year, sizeof year, "%04d", (atoi(last_date) - 2) % 10000);
    memcpy(out, last_date, AS_DATE_LEN + 1);
    memcpy(out, year, 4);
}

/* Calls fn for each VIN with an RO day in the 24 months up to last_date. */
static int s_uio_each(as_service_t *svc, MDB_txn *txn, const char *last_date,
                      void (*fn)(const char *vin, void *arg), void *arg)
{
    char after[AS_DATE_LEN + 1];
    kpi_uio_window_start(last_date, after);
    as_record_list_t notes = {0};
    int rc =
        as_record_scan(txn, as_record_dbi(svc, "uio"), NULL, &as__kpi_uio_note__descriptor, &notes);
    for (size_t i = 0; rc == 0 && i < notes.n; i++) {
        const As__KpiUioNote *note = (const As__KpiUioNote *)notes.msgs[i];
        bool in = false;
        for (size_t j = 0; j < note->n_dates && !in; j++)
            in = strcmp(note->dates[j], after) > 0 && strcmp(note->dates[j], last_date) <= 0;
        if (in)
            fn(notes.keys[i], arg);
    }
    as_record_list_free(&notes);
    return rc;
}

static void s_count_one(const char *vin, void *arg)
{
    (void)vin;
    (*(int64_t *)arg)++;
}

int kpi_uio_count(as_service_t *svc, MDB_txn *txn, const char *last_date, int64_t *count)
{
    *count = 0;
    return s_uio_each(svc, txn, last_date, s_count_one, count);
}

typedef struct {
    as_ids_t *vins;
    int rc;
} s_collect_t;

static void s_collect_one(const char *vin, void *arg)
{
    s_collect_t *c = arg;
    if (c->rc == 0)
        c->rc = as_ids_add(c->vins, vin, strlen(vin));
}

int kpi_uio_collect(as_service_t *svc, MDB_txn *txn, const char *last_date, as_ids_t *vins)
{
    s_collect_t c = {vins, 0};
    int rc = s_uio_each(svc, txn, last_date, s_collect_one, &c);
    return rc ? rc : c.rc;
}
