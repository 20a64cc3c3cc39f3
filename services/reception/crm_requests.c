/* crm_requests.c — customers' appointment requests from the CRM (and its web
 * page), fed to the bus by the ingest gateway (`as-ingest --name crm`).
 *
 * crm.appointment.requested puts the appointment "crm-<crm_ref>" in the
 * REQUESTED state (channel crm) into the information clerk's queue
 * (`appointment.queue requested=true`), with what the customer gave kept as
 * given and flags for what the clerk must check; the clerk books it with
 * `appointment.confirm` (appointments.c) or declines it with `cancel`. The
 * same crm_ref again is the same request: nothing changes. A request whose
 * VIN has a wrong check digit is kept and flagged, not refused: the event is
 * a fact (the customer did ask), and the clerk can call them back.
 * crm.appointment.withdrawn cancels the request (or its booking, until the
 * customer arrived). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/pb/crm.pb-c.h"
#include "as/printf_args.h"
#include "as/vin.h"
#include "as/text.h"
#include "reception.h"

#define CRM_REF_MAX 64

#define OPEN_STATES                                                                                \
    (1u << AS__APPOINTMENT_STATUS__REQUESTED | 1u << AS__APPOINTMENT_STATUS__BOOKED |              \
     1u << AS__APPOINTMENT_STATUS__CONFIRMED | 1u << AS__APPOINTMENT_STATUS__ASSIGNED)

static int s_emit(as_evt_t *evt, const char *type, As__Appointment *appointment)
{
    char date[AS_DATE_LEN + 1];
    as_evt_date(evt, date);
    As__AppointmentChanged changed = AS__APPOINTMENT_CHANGED__INIT;
    changed.appointment = appointment;
    changed.date = date;
    return as_evt_emit(evt, type, appointment->appointment_id, &changed.base);
}

/* The appointment id of a request: "crm-" + its crm_ref (the payload's, else
 * the event's subject). AS_EINVALID when there is none or it is too long. */
static int s_appointment_id(const as_evt_t *evt, const char *crm_ref, char *out, size_t cap)
{
    const char *ref = !blank(crm_ref) ? crm_ref : evt->env->subject;
    if (blank(ref) || strlen(ref) > CRM_REF_MAX)
        return AS_EINVALID;
    snprintf(out, cap, "%s%s", CRM_APPOINTMENT_PREFIX, ref);
    return 0;
}

/* Adds a flag for the clerk: its text, and its format and each argument's
 * text (flag_texts) so a page words it as a refusal (refusals.json; the
 * formats are checked by tools/refusals.py like as_cmd_fail's). */
static int s_crm_flag(As__Appointment *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int s_crm_flag(As__Appointment *a, const char *fmt, ...)
{
    char text[512], packed[512];
    va_list ap;
    va_start(ap, fmt);
    int n = as_printf_args(packed, sizeof packed, fmt, ap);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char **grown = realloc(a->flags, (a->n_flags + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    a->flags = grown;
    if (!(a->flags[a->n_flags] = strdup(text)))
        return -ENOMEM;
    a->n_flags++;
    if (n < 0 || a->n_flag_texts + 1 != a->n_flags)
        return 0; /* a flag the page shows in English: the order must hold */
    As__KeptText **texts = realloc(a->flag_texts, (a->n_flag_texts + 1) * sizeof *texts);
    if (!texts)
        return -ENOMEM;
    a->flag_texts = texts;
    As__KeptText *kept = calloc(1, sizeof *kept);
    if (!kept)
        return -ENOMEM;
    as__kept_text__init(kept);
    a->flag_texts[a->n_flag_texts++] = kept;
    kept->format = strdup(fmt);
    kept->args = calloc(n ? (size_t)n : 1, sizeof *kept->args);
    if (!kept->format || !kept->args)
        return -ENOMEM;
    const char *arg = packed;
    for (int i = 0; i < n; i++, arg += strlen(arg) + 1)
        if (!(kept->args[kept->n_args++] = strdup(arg)))
            return -ENOMEM;
    return 0;
}

/* "HH:MM" with a real time. */
static bool s_time_valid(const char *t)
{
    if (!t || strlen(t) != 5 || t[2] != ':')
        return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (t[i] < '0' || t[i] > '9'))
            return false;
    return atoi(t) < 24 && atoi(t + 3) < 60;
}

/* The slot of the request from the customer's preferred date and time, and
 * the flags for what is missing or wrong. */
static int s_slot(As__Appointment *a, const As__CrmAppointmentRequested *r)
{
    char slot[AS_DATE_LEN + 7];
    if (blank(r->preferred_date))
        return s_crm_flag(a, "no preferred date: agree a slot with the customer");
    if (!as_date_valid(r->preferred_date))
        return s_crm_flag(a, "preferred date '%s' is not a date YYYY-MM-DD", r->preferred_date);
    if (!s_time_valid(r->preferred_slot)) {
        /* the date alone keeps it in that day's queue */
        int rc = set_text(&a->slot, r->preferred_date);
        if (rc == 0)
            rc = blank(r->preferred_slot)
                     ? s_crm_flag(a, "no preferred time on %s", r->preferred_date)
                     : s_crm_flag(a, "preferred time '%s' is not HH:MM", r->preferred_slot);
        return rc;
    }
    snprintf(slot, sizeof slot, "%sT%s", r->preferred_date, r->preferred_slot);
    return set_text(&a->slot, slot);
}

/* The vehicle: a registered one gives the customer; a VIN with a wrong check
 * digit, or one not registered yet, is flagged for the clerk. */
static int s_vehicle(as_evt_t *evt, As__Appointment *a, const char *vin)
{
    if (blank(vin))
        return s_crm_flag(a, "no vin given: ask the customer for it");
    as_vin_fault_t f;
    switch (as_vin_examine(vin, &f)) {
    case AS_VIN_VALID:
    case AS_VIN_MISSING: /* blank: flagged above */
        break;
    case AS_VIN_LENGTH:
        return s_crm_flag(a,
                          "vin '%.*s' has %zu characters, a vin has %d: check it with the customer",
                          as_text_clip(vin, 40), vin, f.length, AS_VIN_LEN);
    case AS_VIN_CHARACTER:
        return s_crm_flag(a,
                          "vin '%s' has '%s' at position %zu: only digits and capital letters "
                          "other than I, O and Q are allowed: check it with the customer",
                          vin, f.character, f.position);
    case AS_VIN_CHECK_DIGIT:
        return s_crm_flag(a,
                          "vin '%s' has a wrong check digit: '%c', expected '%c': check it with "
                          "the customer",
                          vin, f.found, f.expected);
    }
    As__Vehicle *vehicle = NULL;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "vehicles"), vin,
                           &as__vehicle__descriptor, &vehicle);
    if (rc == MDB_NOTFOUND)
        return s_crm_flag(a,
                          "vehicle '%s' is not registered: register the customer and the vehicle "
                          "before booking",
                          vin);
    if (rc != 0)
        return rc;
    rc = set_text(&a->customer_id, vehicle->customer_id);
    as__vehicle__free_unpacked(vehicle, NULL);
    if (rc == 0)
        rc = recalls_of(evt->svc, evt->txn, vin, &a->open_recalls, &a->n_open_recalls);
    return rc;
}

int on_crm_appointment_requested(as_evt_t *evt)
{
    const As__CrmAppointmentRequested *r = (const As__CrmAppointmentRequested *)evt->payload;
    char id[sizeof CRM_APPOINTMENT_PREFIX + CRM_REF_MAX];
    int rc = s_appointment_id(evt, r->crm_ref, id, sizeof id);
    if (rc != 0 || as_record_exists(evt->txn, as_record_dbi(evt->svc, "appointments"), id))
        return rc; /* the same request again: one request */
    As__Appointment *a = calloc(1, sizeof *a);
    if (!a)
        return -ENOMEM;
    as__appointment__init(a);
    a->has_status = 1;
    a->status = AS__APPOINTMENT_STATUS__REQUESTED;
    if ((rc = set_text(&a->appointment_id, id)) == 0 &&
        (rc = set_text(&a->crm_ref, id + strlen(CRM_APPOINTMENT_PREFIX))) == 0 &&
        (rc = set_text(&a->channel, "crm")) == 0 && (rc = set_text(&a->reason, r->concern)) == 0 &&
        (rc = set_text(&a->vin, r->vin)) == 0 &&
        (rc = set_text(&a->customer_name, r->customer_name)) == 0 &&
        (rc = set_text(&a->phone, r->phone)) == 0 && (rc = set_text(&a->plate, r->plate)) == 0)
        rc = s_slot(a, r);
    if (rc == 0)
        rc = s_vehicle(evt, a, r->vin);
    if (rc == 0 && blank(r->concern))
        rc = s_crm_flag(a, "no concern given: ask what the visit is for");
    if (rc == 0 && blank(r->phone))
        rc = s_crm_flag(a, "no phone number to call back");
    if (rc == 0)
        rc = as_record_put(evt->txn, as_record_dbi(evt->svc, "appointments"), id, &a->base);
    if (rc == 0)
        rc = s_emit(evt, "reception.appointment.requested", a);
    as__appointment__free_unpacked(a, NULL);
    return rc;
}

int on_crm_appointment_withdrawn(as_evt_t *evt)
{
    const As__CrmAppointmentWithdrawn *w = (const As__CrmAppointmentWithdrawn *)evt->payload;
    char id[sizeof CRM_APPOINTMENT_PREFIX + CRM_REF_MAX];
    As__Appointment *a = NULL;
    int rc = s_appointment_id(evt, w->crm_ref, id, sizeof id);
    if (rc == 0)
        rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "appointments"), id,
                           &as__appointment__descriptor, &a);
    if (rc == MDB_NOTFOUND || (rc == 0 && !(OPEN_STATES & 1u << a->status))) {
        rc = 0; /* never requested, or over (arrived, cancelled): nothing to withdraw */
    } else if (rc == 0) {
        char reason[300];
        snprintf(reason, sizeof reason, "withdrawn in the crm%s%s", blank(w->reason) ? "" : ": ",
                 blank(w->reason) ? "" : w->reason);
        a->status = AS__APPOINTMENT_STATUS__CANCELLED;
        rc = set_text(&a->cancel_reason, reason);
        if (rc == 0)
            rc = as_record_put(evt->txn, as_record_dbi(evt->svc, "appointments"), id, &a->base);
        if (rc == 0)
            rc = s_emit(evt, "reception.appointment.cancelled", a);
    }
    if (a)
        as__appointment__free_unpacked(a, NULL);
    return rc;
}
