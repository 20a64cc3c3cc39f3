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

static MDB_dbi s_ros(as_evt_t *evt)
{
    return as_store_dbi(as_service_store(evt->svc), "ros");
}

static bool s_known(const char *text)
{
    return text && *text;
}

int kpi_ro_note_get(as_evt_t *evt, const char *ro_number, As__KpiRoNote **out)
{
    *out = NULL;
    if (!s_known(ro_number))
        return 0;
    int rc = as_store_get_msg(evt->txn, s_ros(evt), ro_number, strlen(ro_number),
                              &as__kpi_ro_note__descriptor, (ProtobufCMessage **)out);
    return rc == MDB_NOTFOUND || rc == AS_EBADFRAME ? 0 : rc;
}

/* The note of `ro_number`, or a new empty one (caller frees). */
static int s_load(as_evt_t *evt, const char *ro_number, As__KpiRoNote **out)
{
    int rc = kpi_ro_note_get(evt, ro_number, out);
    if (rc == 0 && !*out) {
        *out = as__kpi_ro_note__unpack(NULL, 0, (const uint8_t *)"");
        return *out ? 0 : -ENOMEM;
    }
    return rc;
}

static int s_save(as_evt_t *evt, const char *ro_number, const As__KpiRoNote *note)
{
    return as_store_put_msg(evt->txn, s_ros(evt), ro_number, strlen(ro_number), &note->base);
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

int kpi_ro_count_for_advisor(as_evt_t *evt, const char *ro_number, const char *date,
                             const As__KpiCounters *delta)
{
    if (!s_known(ro_number))
        return 0;
    As__KpiRoNote *note;
    int rc = s_load(evt, ro_number, &note);
    if (rc != 0)
        return rc;
    if (s_known(note->advisor)) {
        rc = kpi_count(evt, date, KPI_ADVISOR, note->advisor, delta);
    } else {
        As__KpiCounters *waiting = s_waiting_of(note, date);
        if (!waiting)
            rc = -ENOMEM;
        else
            kpi_counters_add(waiting, delta);
        if (rc == 0)
            rc = s_save(evt, ro_number, note);
    }
    as__kpi_ro_note__free_unpacked(note, NULL);
    return rc;
}

int kpi_ro_learn_advisor(as_evt_t *evt, const char *ro_number, const char *advisor)
{
    if (!s_known(ro_number) || !s_known(advisor))
        return 0;
    As__KpiRoNote *note;
    int rc = s_load(evt, ro_number, &note);
    if (rc != 0)
        return rc;
    if (s_known(note->advisor))
        goto out; /* reception's opening and workshop's QC name the same advisor */
    free(note->advisor);
    note->advisor = strdup(advisor);
    rc = note->advisor ? 0 : -ENOMEM;
    for (size_t i = 0; i < note->n_waiting && rc == 0; i++)
        rc = kpi_count(evt, note->waiting[i]->date, KPI_ADVISOR, advisor,
                       note->waiting[i]->counters);
    for (size_t i = 0; i < note->n_waiting; i++)
        as__kpi_advisor_waiting__free_unpacked(note->waiting[i], NULL);
    note->n_waiting = 0;
    if (rc == 0)
        rc = s_save(evt, ro_number, note);
out:
    as__kpi_ro_note__free_unpacked(note, NULL);
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
static int s_count_delivered(as_evt_t *evt, const char *date, const char *technician)
{
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, ros_delivered, 1);
    return kpi_count(evt, date, KPI_TECHNICIAN, technician, &d);
}

int kpi_ro_learn_technicians(as_evt_t *evt, const char *ro_number, char **technicians, size_t n)
{
    if (!s_known(ro_number))
        return 0;
    As__KpiRoNote *note;
    int rc = s_load(evt, ro_number, &note);
    if (rc != 0)
        return rc;
    bool changed = false;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!s_known(technicians[i]) || s_noted(note, technicians[i]))
            continue;
        char **grown =
            realloc(note->technicians, (note->n_technicians + 1) * sizeof *note->technicians);
        char *name = strdup(technicians[i]);
        if (grown)
            note->technicians = grown;
        if (!grown || !name) {
            free(name);
            rc = -ENOMEM;
            break;
        }
        note->technicians[note->n_technicians++] = name;
        changed = true;
        if (s_known(note->delivered_date))
            rc = s_count_delivered(evt, note->delivered_date, name);
    }
    if (rc == 0 && changed)
        rc = s_save(evt, ro_number, note);
    as__kpi_ro_note__free_unpacked(note, NULL);
    return rc;
}

int kpi_ro_delivered(as_evt_t *evt, const char *ro_number, const char *date)
{
    if (!s_known(ro_number))
        return 0;
    As__KpiRoNote *note;
    int rc = s_load(evt, ro_number, &note);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < note->n_technicians && rc == 0; i++)
        rc = s_count_delivered(evt, date, note->technicians[i]);
    free(note->delivered_date);
    note->delivered_date = strdup(date);
    if (rc == 0)
        rc = note->delivered_date ? s_save(evt, ro_number, note) : -ENOMEM;
    as__kpi_ro_note__free_unpacked(note, NULL);
    return rc;
}
