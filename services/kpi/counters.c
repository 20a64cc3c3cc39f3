/* counters.c — kpi's event handlers: every peer event that moves a KPI adds
 * to the raw counters of its day and month, for the department and for the
 * technician, advisor or bay it belongs to.
 *
 * The runtime applies each event once, so the handlers add; what a peer may
 * state again (a technician's cost, a bay, a day's shift) is kept as a record
 * and only the difference is counted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/log.h"
#include "as/pb/parts.pb-c.h"
#include "as/pb/reception.pb-c.h"
#include "as/pb/workshop.pb-c.h"
#include "kpi.h"

/* new stores on lines of their own: merges stay apart */
// clang-format off
const char *const kpi_dbs[] = {"counters",       "targets",      "technicians", "bays",
                               "attendance",     "ros",          "warranty",    "tools",
                               "reminder_plans", "appointments", "ro_days",     "keeper_shifts",
                               "ro_person_days", "uio",          "sales",
                               "expenses", /* issue 15: expenses.c */
                               "roster",   /* issue 15: roster.c */
                               "comebacks", /* issue 15: comebacks.c */
                               "insurance", /* issue 15: counters_clerk.c */
                               "monthly",  /* issue 15: monthly.c */
                               NULL};
// clang-format on

/* Before the one key encoding kpi joined a key's parts with '|', and an id
 * may hold a '|' of its own: only the separators kpi put in known places are
 * parts. The first three of a counters key (D|date|dim|id, M|month|dim|id,
 * L|date), the first of a target (month|metric) or a warranty note (C|claim,
 * T|tag), the last of an attendance (tech|date). */
static bool s_old_key(const char *db, const char *old, size_t len, as_key_t *fresh, void *arg)
{
    (void)arg;
    char text[AS_KEY_MAX + 1], *rest = text, *sep;
    if (len >= sizeof text || memchr(old, '\0', len) || !memchr(old, '|', len))
        return false; /* a key of one part, or one moved already */
    memcpy(text, old, len);
    text[len] = '\0';
    fresh->len = fresh->parts = 0;
    if (strcmp(db, "attendance") == 0) {
        *(sep = strrchr(text, '|')) = '\0';
        return as_key_add(fresh, text) == 0 && as_key_add(fresh, sep + 1) == 0;
    }
    for (unsigned n = strcmp(db, "counters") == 0 ? 3 : 1; n > 0 && (sep = strchr(rest, '|'));
         n--) {
        *sep = '\0';
        if (as_key_add(fresh, rest) != 0)
            return false;
        rest = sep + 1;
    }
    return as_key_add(fresh, rest) == 0;
}

int kpi_upgrade(as_service_t *svc)
{
    static const char *const composite[] = {"counters", "targets", "attendance", "warranty", NULL};
    size_t moved = 0;
    int rc = as_record_upgrade_with(as_service_store(svc), composite, s_old_key, NULL, &moved);
    if (rc != 0)
        as_error("kpi: moving the store's keys to the one encoding failed: %s", as_strerror(rc));
    else if (moved)
        as_info("kpi: %zu keys moved to the one encoding", moved);
    return rc;
}

/* All counters are int64. */
void kpi_counters_add(As__KpiCounters *into, const As__KpiCounters *delta)
{
    const ProtobufCMessageDescriptor *desc = &as__kpi_counters__descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        const protobuf_c_boolean *set = (const void *)((const char *)delta + f->quantifier_offset);
        if (f->type != PROTOBUF_C_TYPE_INT64 || !*set)
            continue;
        *(protobuf_c_boolean *)((char *)into + f->quantifier_offset) = 1;
        *(int64_t *)((char *)into + f->offset) +=
            *(const int64_t *)((const char *)delta + f->offset);
    }
}

int kpi_counters_read(as_service_t *svc, MDB_txn *txn, const as_key_t *key, As__KpiCounters *out)
{
    as__kpi_counters__init(out);
    As__KpiCounters *stored = NULL;
    int rc = as_record_get_key(txn, as_record_dbi(svc, "counters"), key,
                               &as__kpi_counters__descriptor, &stored);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    kpi_counters_add(out, stored);
    as__kpi_counters__free_unpacked(stored, NULL);
    return 0;
}

int kpi_bay_count(as_service_t *svc, MDB_txn *txn, int64_t *count)
{
    MDB_stat st;
    int rc = mdb_stat(txn, as_record_dbi(svc, "bays"), &st);
    *count = rc == 0 ? (int64_t)st.ms_entries : 0;
    return rc;
}

static int s_add_at(as_evt_t *evt, const as_key_t *key, const As__KpiCounters *delta)
{
    As__KpiCounters counters;
    int rc = kpi_counters_read(evt->svc, evt->txn, key, &counters);
    if (rc != 0)
        return rc;
    kpi_counters_add(&counters, delta);
    return as_record_put_key(evt->txn, as_record_dbi(evt->svc, "counters"), key, &counters.base);
}

/* Adds `delta` to the day's and the month's counters of dimension `dim`, key
 * `id` (empty for the department). An unknown technician/advisor/bay (empty
 * id) is counted for the department only, by the caller's other call. */
int kpi_count(as_evt_t *evt, const char *date, const char *dim, const char *id,
              const As__KpiCounters *delta)
{
    bool department = strcmp(dim, KPI_DEPARTMENT) == 0;
    if (!department && (!id || !*id))
        return 0;
    char month[8];
    snprintf(month, sizeof month, "%.7s", date);
    as_key_t key;
    int rc = as_key_of(&key, "D", date, dim, department ? "" : id, NULL);
    if (rc == 0)
        rc = s_add_at(evt, &key, delta);
    if (rc == 0)
        rc = as_key_of(&key, "M", month, dim, department ? "" : id, NULL);
    return rc ? rc : s_add_at(evt, &key, delta);
}

int kpi_level_add(as_evt_t *evt, const char *date, const As__KpiCounters *delta)
{
    as_key_t key;
    if (!as_date_valid(date) || as_key_of(&key, "L", date, NULL) != 0)
        return AS_EINVALID;
    return s_add_at(evt, &key, delta);
}

int kpi_levels_sum(as_service_t *svc, MDB_txn *txn, const char *last_date, As__KpiCounters *levels)
{
    as_key_t prefix;
    as_record_list_t days = {0};
    int rc = as_key_of(&prefix, "L", NULL);
    if (rc == 0)
        rc = as_record_scan(txn, as_record_dbi(svc, "counters"), &prefix,
                            &as__kpi_counters__descriptor, &days);
    as__kpi_counters__init(levels);
    for (size_t i = 0; rc == 0 && i < days.n && strcmp(days.keys[i], last_date) <= 0; i++)
        kpi_counters_add(levels, (const As__KpiCounters *)days.msgs[i]);
    as_record_list_free(&days);
    return rc;
}

int kpi_levels_read(as_service_t *svc, MDB_txn *txn, const char *last_date, As__KpiCounters *c)
{
    As__KpiCounters levels;
    int rc = kpi_levels_sum(svc, txn, last_date, &levels);
    c->has_tools_registered = c->has_tools_good = 1;
    c->tools_registered = levels.tools_registered;
    c->tools_good = levels.tools_good;
    return rc;
}

/* Counts for the department and one more dimension (the person's share of
 * RO `ro_number` too, when it names one). */
static int s_count2(as_evt_t *evt, const char *date, const char *dim, const char *id,
                    const char *ro_number, const As__KpiCounters *delta)
{
    int rc = kpi_count(evt, date, KPI_DEPARTMENT, "", delta);
    return rc ? rc : kpi_count_ro(evt, date, dim, id, ro_number, delta);
}

/* Counts once for each distinct name in `names`, each for RO `ro_number`. */
static int s_count_each(as_evt_t *evt, const char *date, const char *dim, char **names, size_t n,
                        const char *ro_number, const As__KpiCounters *delta)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = names[j] && names[i] && strcmp(names[j], names[i]) == 0;
        if (!seen)
            rc = kpi_count_ro(evt, date, dim, names[i], ro_number, delta);
    }
    return rc;
}

/* The event's own date when it has a valid one, else the local date of when it
 * happened (as_evt_time: the envelope's occurred_us, else its time_us). */
void kpi_event_date(const as_evt_t *evt, const char *payload_date, char out[AS_DATE_LEN + 1])
{
    if (payload_date && as_date_valid(payload_date)) {
        snprintf(out, AS_DATE_LEN + 1, "%s", payload_date);
        return;
    }
    as_evt_date(evt, out); /* when it happened, not when it was keyed in */
}

/* --- what kpi remembers of ROs: ro_notes.c ------------------------------ */

/* The advisor of an RO kpi has seen opened ("" when unknown). Used for
 * reception's own events, which follow its opening in reception's order. */
static int s_ro_advisor(as_evt_t *evt, const char *ro_number, char *out, size_t cap)
{
    kpi_ro_t ro;
    int rc = kpi_ro_open(evt, ro_number, &ro);
    snprintf(out, cap, "%s", ro.note && ro.note->advisor ? ro.note->advisor : "");
    return kpi_ro_close(&ro, rc);
}

/* --- reception ------------------------------------------------------------ */

/* The front-desk person an appointment counts for: its advisor, else who booked it. */
static const char *s_appointment_owner(const As__Appointment *a)
{
    if (a->advisor && *a->advisor)
        return a->advisor;
    return a->booked_by;
}

/* The day an appointment counts on: its slot's, so that a period's kept rate
 * compares the same appointments (booked on the 28th for the 3rd: booked and,
 * if it comes, arrived on the 3rd). Without a slot, the event's day. */
static void s_slot_date(const as_evt_t *evt, const As__AppointmentChanged *m,
                        char out[AS_DATE_LEN + 1])
{
    char slot_date[AS_DATE_LEN + 1];
    snprintf(slot_date, sizeof slot_date, "%s", m->appointment->slot ? m->appointment->slot : "");
    kpi_event_date(evt, as_date_valid(slot_date) ? slot_date : m->date, out);
}

/* An appointment's booking counts once, on its slot's day, for its owner; the
 * note keeps both for its arrival. */
static int evt_appointment_booked(as_evt_t *evt)
{
    const As__AppointmentChanged *m = (const As__AppointmentChanged *)evt->payload;
    if (!m->appointment || !m->appointment->appointment_id || !*m->appointment->appointment_id)
        return AS_EINVALID;
    MDB_dbi dbi = as_record_dbi(evt->svc, "appointments");
    if (as_record_exists(evt->txn, dbi, m->appointment->appointment_id))
        return 0; /* counted when it was booked */
    char date[AS_DATE_LEN + 1];
    s_slot_date(evt, m, date);
    As__KpiAppointmentNote note = AS__KPI_APPOINTMENT_NOTE__INIT;
    note.date = date;
    note.counted_for = (char *)s_appointment_owner(m->appointment);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, appointments_booked, 1);
    int rc = as_record_put(evt->txn, dbi, m->appointment->appointment_id, &note.base);
    return rc ? rc : s_count2(evt, date, KPI_ADVISOR, note.counted_for, NULL, &d);
}

/* An arrival counts on the day and for the person its booking counted for
 * (the advisor handed the appointment after booking does not take it over);
 * an appointment kpi did not see booked counts on its slot's day for its owner. */
static int evt_appointment_arrived(as_evt_t *evt)
{
    const As__AppointmentChanged *m = (const As__AppointmentChanged *)evt->payload;
    if (!m->appointment || !m->appointment->appointment_id || !*m->appointment->appointment_id)
        return AS_EINVALID;
    As__KpiAppointmentNote *booked = NULL;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "appointments"),
                           m->appointment->appointment_id, &as__kpi_appointment_note__descriptor,
                           &booked);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    char date[AS_DATE_LEN + 1];
    if (booked)
        kpi_event_date(evt, booked->date, date);
    else
        s_slot_date(evt, m, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, appointments_arrived, 1);
    rc = s_count2(evt, date, KPI_ADVISOR,
                  booked ? booked->counted_for : s_appointment_owner(m->appointment), NULL, &d);
    if (booked)
        as__kpi_appointment_note__free_unpacked(booked, NULL);
    return rc;
}

/* The RO of a reception.ro.* event; NULL when it names none. */
static const As__RepairOrder *s_ro_of(const As__RoChanged *m)
{
    return m->ro && m->ro->ro_number && *m->ro->ro_number ? m->ro : NULL;
}

static int evt_ro_opened(as_evt_t *evt)
{
    const As__RoChanged *m = (const As__RoChanged *)evt->payload;
    const As__RepairOrder *ro = s_ro_of(m);
    if (!ro)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date && *m->date ? m->date : ro->opened_date, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, ros_opened, 1);
    if (ro->appointment_id && *ro->appointment_id)
        KPI_SET(d, ros_from_appointment, 1);
    kpi_ro_t note;
    int rc = s_count2(evt, date, KPI_ADVISOR, ro->advisor, ro->ro_number, &d);
    if (rc == 0)
        rc = kpi_ro_day(evt, date, ro->ro_number, &d);
    if (rc == 0 && (rc = kpi_ro_open(evt, ro->ro_number, &note)) == 0)
        rc = kpi_ro_close(&note, kpi_ro_learn_advisor(&note, ro->advisor));
    if (rc == 0)
        rc = kpi_vehicles_waiting_add(evt, date, 1);
    return rc ? rc : kpi_uio_note(evt, ro->vin, date);
}

static bool s_has_customer_pay_job(const As__RepairOrder *ro)
{
    for (size_t i = 0; i < ro->n_jobs; i++)
        if (ro->jobs[i]->pay_type == AS__PAY_TYPE__CUSTOMER_PAY &&
            ro->jobs[i]->status != AS__JOB_STATUS__JOB_DECLINED)
            return true;
    return false;
}

static int evt_ro_delivered(as_evt_t *evt)
{
    const As__RoChanged *m = (const As__RoChanged *)evt->payload;
    const As__RepairOrder *ro = s_ro_of(m);
    if (!ro)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, ros_delivered, 1);
    if (ro->invoice) {
        KPI_SET(d, labour_sales_cents, ro->invoice->labour_cents);
        KPI_SET(d, parts_sales_cents, ro->invoice->parts_cents);
        KPI_SET(d, accessories_sales_cents, ro->invoice->accessories_cents);
        if (ro->sale_ref && *ro->sale_ref) /* a new car's fitting RO */
            KPI_SET(d, accessories_new_car_cents, ro->invoice->accessories_cents);
        /* what the advisor keyed at delivery: the invoice's accessories less
         * the accessory lines parts charged (reception's s_invoice); it has no
         * part, so no cost: accessory gross profit leaves it out */
        int64_t charged = ro->has_parts_consumed_cents ? ro->accessories_consumed_cents : 0;
        if (ro->invoice->accessories_cents > charged)
            KPI_SET(d, accessories_keyed_cents, ro->invoice->accessories_cents - charged);
        /* the same accessory lines at what parts charged: catalogue - agreed
         * is the discount given (both from this one event: order-independent) */
        if (ro->invoice->accessories_catalogue_cents)
            KPI_SET(d, accessories_catalogue_cents, ro->invoice->accessories_catalogue_cents);
    }
    if (s_has_customer_pay_job(ro))
        KPI_SET(d, customer_pay_ros, 1);
    /* the technicians' comeback rate is counted against the ROs they worked
     * on: those noted now, and those workshop's events name later */
    kpi_ro_t note;
    int rc = s_count2(evt, date, KPI_ADVISOR, ro->advisor, ro->ro_number, &d);
    if (rc == 0)
        rc = kpi_ro_day(evt, date, ro->ro_number, &d);
    if (rc == 0 && (rc = kpi_ro_open(evt, ro->ro_number, &note)) == 0)
        rc = kpi_ro_close(&note, kpi_ro_delivered(&note, date));
    return rc ? rc : kpi_vehicles_waiting_add(evt, date, -1);
}

static int evt_followup_recorded(as_evt_t *evt)
{
    const As__FollowupRecorded *m = (const As__FollowupRecorded *)evt->payload;
    if (m->csi_score < 1 || m->csi_score > 10)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1], advisor[256];
    kpi_event_date(evt, m->date, date);
    int rc = 0;
    if (m->advisor && *m->advisor)
        snprintf(advisor, sizeof advisor, "%s", m->advisor);
    else
        rc = s_ro_advisor(evt, m->ro_number, advisor, sizeof advisor);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, csi_sum, m->csi_score);
    KPI_SET(d, csi_count, 1);
    if (m->csi_score >= 9)
        KPI_SET(d, csi_top, 1);
    if (rc == 0)
        rc = s_count2(evt, date, KPI_ADVISOR, advisor, m->ro_number, &d);
    return rc ? rc : kpi_ro_day(evt, date, m->ro_number, &d);
}

static int evt_comeback_detected(as_evt_t *evt)
{
    const As__ComebackDetected *m = (const As__ComebackDetected *)evt->payload;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, comebacks, 1);
    int rc = s_count2(evt, date, KPI_ADVISOR, m->advisor, m->ro_number, &d);
    if (rc == 0)
        rc = kpi_ro_day(evt, date, m->ro_number, &d);
    if (rc == 0)
        rc = kpi_comeback_noted(evt, date);
    return rc ? rc
              : s_count_each(evt, date, KPI_TECHNICIAN, m->technicians, m->n_technicians,
                             m->ro_number, &d);
}

static int evt_reminder_made(as_evt_t *evt)
{
    const As__ReminderRecorded *m = (const As__ReminderRecorded *)evt->payload;
    if (!m->reminder)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, reminders_made, 1);
    return s_count2(evt, date, KPI_ADVISOR, m->reminder->made_by, NULL, &d);
}

/* The information clerk's plan of a day: its calls are the day's reminders
 * due, for the department and the planner. A day planned again replaces the
 * first: the plan kpi counted (who, how many) is kept per date, taken off and
 * the new one counted. */
static int evt_reminder_planned(as_evt_t *evt)
{
    const As__ReminderPlanned *m = (const As__ReminderPlanned *)evt->payload;
    if (!m->date || !as_date_valid(m->date))
        return AS_EINVALID;
    int64_t count = m->has_count ? (int64_t)m->count : (int64_t)m->n_reminders;
    MDB_dbi dbi = as_record_dbi(evt->svc, "reminder_plans");
    As__KpiReminderPlanNote *before = NULL;
    int rc =
        as_record_get(evt->txn, dbi, m->date, &as__kpi_reminder_plan_note__descriptor, &before);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    if (rc == 0 && before) {
        KPI_SET(d, reminders_due, -before->count);
        rc = s_count2(evt, m->date, KPI_ADVISOR, before->planned_by, NULL, &d);
    }
    As__KpiReminderPlanNote note = AS__KPI_REMINDER_PLAN_NOTE__INIT;
    note.planned_by = m->planned_by;
    note.has_count = 1;
    note.count = count;
    if (rc == 0)
        rc = as_record_put(evt->txn, dbi, m->date, &note.base);
    KPI_SET(d, reminders_due, count);
    if (rc == 0)
        rc = s_count2(evt, m->date, KPI_ADVISOR, m->planned_by, NULL, &d);
    if (before)
        as__kpi_reminder_plan_note__free_unpacked(before, NULL);
    return rc;
}

/* --- workshop ------------------------------------------------------------- */

static int evt_technician_registered(as_evt_t *evt)
{
    const As__Technician *t = ((const As__TechnicianRegistered *)evt->payload)->technician;
    if (!t || !t->tech_id || !*t->tech_id)
        return AS_EINVALID;
    return as_record_put(evt->txn, as_record_dbi(evt->svc, "technicians"), t->tech_id, &t->base);
}

static int evt_bay_registered(as_evt_t *evt)
{
    const As__Bay *bay = ((const As__BayRegistered *)evt->payload)->bay;
    if (!bay || !bay->bay_id || !*bay->bay_id)
        return AS_EINVALID;
    return as_record_put(evt->txn, as_record_dbi(evt->svc, "bays"), bay->bay_id, &bay->base);
}

/* A shift recorded again for the same technician and day replaces the first. */
static int evt_shift_recorded(as_evt_t *evt)
{
    const As__Attendance *a = ((const As__ShiftRecorded *)evt->payload)->attendance;
    as_key_t key;
    if (!a || !a->tech_id || !*a->tech_id || !as_date_valid(a->date) ||
        as_key_of(&key, a->tech_id, a->date, NULL) != 0)
        return AS_EINVALID;
    MDB_dbi dbi = as_record_dbi(evt->svc, "attendance");
    As__Attendance *before = NULL;
    int rc = as_record_get_key(evt->txn, dbi, &key, &as__attendance__descriptor, &before);
    int64_t minutes_before = rc == 0 ? before->minutes : 0;
    if (before)
        as__attendance__free_unpacked(before, NULL);
    rc = as_record_put_key(evt->txn, dbi, &key, &a->base);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, available_minutes, (int64_t)a->minutes - minutes_before);
    return rc ? rc : s_count2(evt, a->date, KPI_TECHNICIAN, a->tech_id, NULL, &d);
}

static int s_hourly_cost(as_evt_t *evt, const char *tech_id, int64_t *cents)
{
    *cents = 0;
    if (!tech_id || !*tech_id)
        return 0;
    As__Technician *t = NULL;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "technicians"), tech_id,
                           &as__technician__descriptor, &t);
    if (rc != 0)
        return rc == MDB_NOTFOUND || rc == AS_EBADFRAME ? 0 : rc;
    *cents = t->hourly_cost_cents;
    as__technician__free_unpacked(t, NULL);
    return 0;
}

/* The RO's note learns the technician and waits the labour cost for the
 * advisor: one read and one write of the note. */
static int s_clock_note(as_evt_t *evt, const As__ClockStopped *m, const char *date,
                        int64_t cost_cents)
{
    As__KpiCounters cost_only = AS__KPI_COUNTERS__INIT;
    KPI_SET(cost_only, labour_cost_cents, cost_cents);
    char *tech[] = {m->tech_id};
    kpi_ro_t note;
    int rc = kpi_ro_open(evt, m->ro_number, &note);
    if (rc != 0)
        return rc;
    rc = kpi_ro_count_for_advisor(&note, date, &cost_only);
    if (rc == 0)
        rc = kpi_ro_learn_technicians(&note, tech, 1);
    return kpi_ro_close(&note, rc);
}

static int evt_clock_stopped(as_evt_t *evt)
{
    const As__ClockStopped *m = (const As__ClockStopped *)evt->payload;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    /* the hourly cost comes from workshop.technician.registered: the same
     * source, registered before any clocking */
    int64_t cost = 0;
    int rc = s_hourly_cost(evt, m->tech_id, &cost);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, actual_minutes, m->minutes);
    KPI_SET(d, labour_cost_cents, ((int64_t)m->minutes * cost + 30) / 60);
    if (rc == 0)
        rc = s_count2(evt, date, KPI_TECHNICIAN, m->tech_id, m->ro_number, &d);
    if (rc == 0)
        rc = kpi_count_ro(evt, date, KPI_BAY, m->bay_id, m->ro_number, &d);
    if (rc == 0)
        rc = kpi_ro_day(evt, date, m->ro_number, &d);
    return rc ? rc : s_clock_note(evt, m, date, d.labour_cost_cents);
}

static int s_qc_job_sold(const As__QcJob *job)
{
    if (job->has_sold_minutes)
        return (int)job->sold_minutes;
    return job->labour ? (int)job->labour->sold_minutes : 0;
}

/* The RO's note learns the advisor and the technicians: one read and one
 * write of the note. */
static int s_qc_note(as_evt_t *evt, const As__QcPassed *m, char **techs)
{
    kpi_ro_t note;
    int rc = kpi_ro_open(evt, m->ro_number, &note);
    if (rc != 0)
        return rc;
    rc = kpi_ro_learn_advisor(&note, m->advisor);
    if (rc == 0)
        rc = kpi_ro_learn_technicians(&note, techs, m->n_jobs);
    return kpi_ro_close(&note, rc);
}

static int evt_qc_passed(as_evt_t *evt)
{
    const As__QcPassed *m = (const As__QcPassed *)evt->payload;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    char **techs = calloc(m->n_jobs + 1, sizeof *techs);
    int rc = techs ? 0 : -ENOMEM;
    int64_t sold_total = 0;
    for (size_t i = 0; i < m->n_jobs && rc == 0; i++) {
        As__KpiCounters sold = AS__KPI_COUNTERS__INIT;
        KPI_SET(sold, sold_minutes, s_qc_job_sold(m->jobs[i]));
        sold_total += sold.sold_minutes;
        /* a technician's labour sales: the flat-rate time they delivered at its
         * rate (the department's come from the invoices, on delivery) */
        int64_t rate = m->jobs[i]->labour ? m->jobs[i]->labour->rate_cents : 0;
        KPI_SET(sold, labour_sales_cents, (sold.sold_minutes * rate + 30) / 60);
        techs[i] = m->jobs[i]->technician;
        rc = kpi_count_ro(evt, date, KPI_TECHNICIAN, m->jobs[i]->technician, m->ro_number, &sold);
    }
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, ros_inspected, 1);
    if (m->first_time)
        KPI_SET(d, ros_first_pass, 1);
    if (rc == 0)
        rc = s_count_each(evt, date, KPI_TECHNICIAN, techs, m->n_jobs, m->ro_number, &d);
    if (rc == 0)
        rc = kpi_count_ro(evt, date, KPI_ADVISOR, m->advisor, m->ro_number, &d);
    KPI_SET(d, sold_minutes, sold_total);
    if (rc == 0)
        rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
    if (rc == 0)
        rc = kpi_ro_day(evt, date, m->ro_number, &d);
    if (rc == 0)
        rc = s_qc_note(evt, m, techs);
    free(techs);
    return rc;
}

static int evt_qc_failed(as_evt_t *evt)
{
    const As__QcFailed *m = (const As__QcFailed *)evt->payload;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, qc_failures, 1);
    int rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
    if (rc == 0)
        rc = kpi_ro_day(evt, date, m->ro_number, &d);
    return rc ? rc
              : s_count_each(evt, date, KPI_TECHNICIAN, m->technicians, m->n_technicians,
                             m->ro_number, &d);
}

/* --- parts ---------------------------------------------------------------- */

static int evt_issue_recorded(as_evt_t *evt)
{
    const As__PartIssued *m = (const As__PartIssued *)evt->payload;
    if (!m->issue)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    /* a line is requested once: its first issue or backorder says so
     * (request_line); later fills of a backorder are not new requests */
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    if (!m->issue->has_request_line || m->issue->request_line)
        KPI_SET(d, parts_lines_requested, 1);
    if (m->issue->first_pick)
        KPI_SET(d, parts_lines_first_pick, 1);
    kpi_ro_parts_line(date, m->issue, &d);
    int rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
    if (rc == 0)
        rc = kpi_keeper_issue_line(evt, date, m->issue);
    return rc ? rc : kpi_ro_day(evt, date, m->issue->ro_number, &d);
}

static int evt_consumption_recorded(as_evt_t *evt)
{
    const As__ConsumptionRecorded *m = (const As__ConsumptionRecorded *)evt->payload;
    if (!m->consumption)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    /* accessory lines are accessories' cost, the rest parts cost */
    KPI_SET(d, parts_cost_cents, m->consumption->cost_cents - m->consumption->accessory_cost_cents);
    if (m->consumption->accessory_cost_cents)
        KPI_SET(d, accessories_cost_cents, m->consumption->accessory_cost_cents);
    kpi_ro_t note;
    int rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
    if (rc == 0)
        rc = kpi_ro_day(evt, date, m->consumption->ro_number, &d);
    if (rc == 0 && (rc = kpi_ro_open(evt, m->consumption->ro_number, &note)) == 0)
        rc = kpi_ro_close(&note, kpi_ro_count_for_advisor(&note, date, &d));
    return rc;
}

const as_event_def_t kpi_events[] = {
    {"reception.appointment.booked", evt_appointment_booked},
    {"reception.appointment.arrived", evt_appointment_arrived},
    {"reception.ro.opened", evt_ro_opened},
    {"reception.ro.delivered", evt_ro_delivered},
    {"reception.followup.recorded", evt_followup_recorded},
    {"reception.comeback.detected", evt_comeback_detected},
    {"reception.reminder.made", evt_reminder_made},
    {"reception.reminder.planned", evt_reminder_planned},
    {"workshop.technician.registered", evt_technician_registered},
    {"workshop.bay.registered", evt_bay_registered},
    {"workshop.shift.recorded", evt_shift_recorded},
    {"workshop.clock.stopped", evt_clock_stopped},
    {"workshop.qc.passed", evt_qc_passed},
    {"workshop.qc.failed", evt_qc_failed},
    {"parts.issue.recorded", evt_issue_recorded},
    {"parts.backorder.created", evt_issue_recorded},
    {"parts.consumption.recorded", evt_consumption_recorded},
    {"warranty.claim.submitted", kpi_evt_claim_submitted},
    {"warranty.claim.accepted", kpi_evt_claim_accepted},
    {"warranty.part.tagged", kpi_evt_part_tagged},
    {"warranty.shipment.confirmed", kpi_evt_shipment_confirmed},
    {"tools.item.registered", kpi_evt_tool_registered},
    {"tools.calibration.recorded", kpi_evt_tool_calibrated},
    {"tools.loan.checked_out", kpi_evt_loan_checked_out},
    {"tools.loan.checked_in", kpi_evt_loan_checked_in},
    {"tools.loan.lost", kpi_evt_loan_lost},
    {"parts.stock.moved", kpi_evt_stock_moved},
    {"parts.stock.scrapped", kpi_evt_stock_scrapped},
    {"parts.quarantine.disposed", kpi_evt_quarantine_disposed},
    {"parts.stock.received", kpi_evt_stock_received},
    {"parts.shift.recorded", kpi_evt_keeper_shift},
    {"parts.order.confirmed", kpi_evt_order_confirmed},
    {"parts.order.received", kpi_evt_order_received},
    {"sales.vehicle.sold", kpi_evt_vehicle_sold},
    {"workshop.training.planned", kpi_evt_training_planned},
    {"workshop.training.certified", kpi_evt_training_certified},
    {"reception.product.recommended", kpi_evt_product_recommended},
    {"reception.product.answered", kpi_evt_product_answered},
    {"warranty.part.inspected", kpi_evt_part_inspected},
    {"reception.comeback.cause_recorded", kpi_evt_comeback_cause},
    {"reception.insurance.changed", kpi_evt_insurance_changed},
    {"reception.insurance.renewal_recorded", kpi_evt_insurance_renewal},
    /* issue 16: a group kpi following each site's kpi (group.c) */
    {"kpi.target.changed", kpi_evt_site_target},
    {"kpi.expense.recorded", kpi_evt_site_expense},
    {"kpi.monthly.generated", kpi_evt_site_monthly},
    {"kpi.monthly.submitted", kpi_evt_site_monthly},
    {"kpi.monthly.corrected", kpi_evt_site_monthly},
    {"parts.order.cancelled", kpi_evt_order_cancelled},
    {NULL, NULL},
};
