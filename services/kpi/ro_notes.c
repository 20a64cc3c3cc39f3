/* ro_notes.c — what kpi remembers of a repair order, so that facts from
 * different sources meet whatever order their events arrive in.
 *
 * An RO's facts come from three sources, each in its own order but in any
 * interleaving with the others: reception (opened: the advisor; delivered),
 * workshop (clocking and QC: the technicians, and the advisor again on QC)
 * and parts (consumption). Whichever side of a join comes first writes the
 * note; the side that completes it counts, in the same transaction:
 *   - an amount for the advisor (labour cost, parts cost) that arrives before
 *     the advisor is known waits in the note, per day, and is counted for the
 *     advisor on that day when the advisor is learnt;
 *   - a technician noted on an RO that is delivered already counts the
 *     delivered RO on the delivery day, as the technicians noted before the
 *     delivery do when it arrives.
 * The in-order result (reception first) is unchanged: nothing waits then. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "kpi.h"

static bool s_known(const char *text)
{
    return text && *text;
}

int kpi_ro_open(as_evt_t *evt, const char *ro_number, kpi_ro_t *ro)
{
    *ro = (kpi_ro_t){.evt = evt, .ro_number = ro_number};
    if (!s_known(ro_number))
        return 0;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "ros"), ro_number,
                           &as__kpi_ro_note__descriptor, &ro->note);
    if (rc == MDB_NOTFOUND || rc == AS_EBADFRAME) { /* a new note */
        ro->note = malloc(sizeof *ro->note);
        if (ro->note)
            as__kpi_ro_note__init(ro->note);
        return ro->note ? 0 : -ENOMEM;
    }
    return rc;
}

int kpi_ro_close(kpi_ro_t *ro, int rc)
{
    if (rc == 0 && ro->note && ro->changed)
        rc = as_record_put(ro->evt->txn, as_record_dbi(ro->evt->svc, "ros"), ro->ro_number,
                           &ro->note->base);
    if (ro->note)
        as__kpi_ro_note__free_unpacked(ro->note, NULL);
    ro->note = NULL;
    return rc;
}

/* The waiting counters of `date` in the note, added when missing (NULL: no memory). */
static As__KpiCounters *s_waiting_of(As__KpiRoNote *note, const char *date)
{
    for (size_t i = 0; i < note->n_waiting; i++)
        if (note->waiting[i]->date && strcmp(note->waiting[i]->date, date) == 0)
            return note->waiting[i]->counters;
    As__KpiAdvisorWaiting **grown =
        realloc(note->waiting, (note->n_waiting + 1) * sizeof *note->waiting);
    if (!grown)
        return NULL;
    note->waiting = grown;
    As__KpiAdvisorWaiting *w = malloc(sizeof *w);
    As__KpiCounters *c = malloc(sizeof *c);
    char *day = strdup(date);
    if (!w || !c || !day) {
        free(w);
        free(c);
        free(day);
        return NULL;
    }
    as__kpi_advisor_waiting__init(w);
    as__kpi_counters__init(c);
    w->date = day;
    w->counters = c;
    note->waiting[note->n_waiting++] = w;
    return c;
}

int kpi_ro_count_for_advisor(kpi_ro_t *ro, const char *date, const As__KpiCounters *delta)
{
    As__KpiRoNote *note = ro->note;
    if (!note)
        return 0;
    if (s_known(note->advisor))
        return kpi_count_ro(ro->evt, date, KPI_ADVISOR, note->advisor, ro->ro_number, delta);
    As__KpiCounters *waiting = s_waiting_of(note, date);
    if (!waiting)
        return -ENOMEM;
    kpi_counters_add(waiting, delta);
    ro->changed = true;
    return 0;
}

int kpi_ro_learn_advisor(kpi_ro_t *ro, const char *advisor)
{
    As__KpiRoNote *note = ro->note;
    if (!note || !s_known(advisor) || s_known(note->advisor))
        return 0; /* reception's opening and workshop's QC name the same advisor */
    free(note->advisor);
    note->advisor = strdup(advisor);
    int rc = note->advisor ? 0 : -ENOMEM;
    for (size_t i = 0; i < note->n_waiting && rc == 0; i++)
        rc = kpi_count_ro(ro->evt, note->waiting[i]->date, KPI_ADVISOR, advisor, ro->ro_number,
                          note->waiting[i]->counters);
    for (size_t i = 0; i < note->n_waiting; i++)
        as__kpi_advisor_waiting__free_unpacked(note->waiting[i], NULL);
    note->n_waiting = 0;
    ro->changed = true;
    return rc;
}

static bool s_noted(const As__KpiRoNote *note, const char *technician)
{
    for (size_t i = 0; i < note->n_technicians; i++)
        if (strcmp(note->technicians[i], technician) == 0)
            return true;
    return false;
}

/* One delivered RO for `technician` on the delivery day. */
static int s_count_delivered(kpi_ro_t *ro, const char *date, const char *technician)
{
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, ros_delivered, 1);
    return kpi_count_ro(ro->evt, date, KPI_TECHNICIAN, technician, ro->ro_number, &d);
}

int kpi_ro_learn_technicians(kpi_ro_t *ro, char **technicians, size_t n)
{
    As__KpiRoNote *note = ro->note;
    int rc = 0;
    for (size_t i = 0; note && i < n && rc == 0; i++) {
        if (!s_known(technicians[i]) || s_noted(note, technicians[i]))
            continue;
        char **grown =
            realloc(note->technicians, (note->n_technicians + 1) * sizeof *note->technicians);
        char *name = strdup(technicians[i]);
        if (grown)
            note->technicians = grown;
        if (!grown || !name) {
            free(name);
            return -ENOMEM;
        }
        note->technicians[note->n_technicians++] = name;
        ro->changed = true;
        if (s_known(note->delivered_date))
            rc = s_count_delivered(ro, note->delivered_date, name);
    }
    return rc;
}

int kpi_ro_delivered(kpi_ro_t *ro, const char *date)
{
    As__KpiRoNote *note = ro->note;
    int rc = 0;
    for (size_t i = 0; note && i < note->n_technicians && rc == 0; i++)
        rc = s_count_delivered(ro, date, note->technicians[i]);
    if (!note || rc != 0)
        return rc;
    free(note->delivered_date);
    note->delivered_date = strdup(date);
    ro->changed = true;
    return note->delivered_date ? 0 : -ENOMEM;
}
