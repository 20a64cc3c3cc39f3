/* appointments.c — appointments: booked (phone, web, CRM, reminder, OEM),
 * requested in the CRM (crm_requests.c) and booked by the clerk's confirm,
 * confirmed, handed to an advisor, arrived, no-show, cancelled; the
 * information clerk's queue of a day and of open requests; the RO opened
 * from one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/vin.h"
#include "as/text.h"
#include "reception.h"

#define OPEN_STATES                                                                                \
    (1u << AS__APPOINTMENT_STATUS__BOOKED | 1u << AS__APPOINTMENT_STATUS__CONFIRMED |              \
     1u << AS__APPOINTMENT_STATUS__ASSIGNED)

static const char *s_status_name(As__AppointmentStatus status)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&as__appointment_status__descriptor, (int)status);
    return v ? v->name : "unknown";
}

static int s_emit(as_cmd_t *cmd, const char *type, As__Appointment *appointment)
{
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    As__AppointmentChanged changed = AS__APPOINTMENT_CHANGED__INIT;
    changed.appointment = appointment;
    changed.date = date;
    return as_cmd_emit(cmd, type, appointment->appointment_id, &changed.base);
}

/* "YYYY-MM-DDTHH:MM" with a real date and time. */
bool appointment_slot_valid(const char *slot)
{
    if (!slot || strlen(slot) != 16 || slot[10] != 'T' || slot[13] != ':')
        return false;
    char date[AS_DATE_LEN + 1];
    memcpy(date, slot, AS_DATE_LEN);
    date[AS_DATE_LEN] = '\0';
    for (int i = 11; i < 16; i++)
        if (i != 13 && (slot[i] < '0' || slot[i] > '9'))
            return false;
    int hour = atoi(slot + 11), minute = atoi(slot + 14);
    return as_date_valid(date) && hour < 24 && minute < 60;
}

static bool s_channel_known(const char *channel)
{
    static const char *const channels[] = {"phone", "web", "crm", "reminder", "oem", NULL};
    for (int i = 0; channels[i]; i++)
        if (strcmp(channel, channels[i]) == 0)
            return true;
    return false;
}

static int s_check_booking(as_cmd_t *cmd, const As__AppointmentBook *req)
{
    if (blank(req->appointment_id) || strlen(req->appointment_id) > 40)
        return as_cmd_fail(cmd, AS_EINVALID, "appointment_id is required (at most 40 characters)");
    if (strncmp(req->appointment_id, CRM_APPOINTMENT_PREFIX, strlen(CRM_APPOINTMENT_PREFIX)) == 0)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "appointment_id '%s': ids starting '%s' are the crm's requests",
                           req->appointment_id, CRM_APPOINTMENT_PREFIX);
    if (as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "appointments"), req->appointment_id))
        return as_cmd_fail(cmd, AS_EEXISTS, "appointment '%s' already exists", req->appointment_id);
    if (blank(req->customer_id) ||
        !as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "customers"), req->customer_id))
        return as_cmd_fail(cmd, AS_ENOTFOUND, "customer '%s' does not exist",
                           req->customer_id ? req->customer_id : "");
    if (blank(req->vin) ||
        !as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), req->vin))
        return as_cmd_fail(cmd, AS_ENOTFOUND, "vehicle '%s' is not registered",
                           req->vin ? req->vin : "");
    if (!appointment_slot_valid(req->slot))
        return as_cmd_fail(cmd, AS_EINVALID, "slot '%s' is not YYYY-MM-DDTHH:MM",
                           req->slot ? req->slot : "");
    if (blank(req->reason))
        return as_cmd_fail(cmd, AS_EINVALID, "appointment '%s': reason is required",
                           req->appointment_id);
    if (!blank(req->channel) && !s_channel_known(req->channel))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "channel '%s' is not one of phone, web, crm, reminder, oem",
                           req->channel);
    return 0;
}

int appointment_book(as_cmd_t *cmd)
{
    const As__AppointmentBook *req = (const As__AppointmentBook *)cmd->request;
    int rc = s_check_booking(cmd, req);
    if (rc != 0)
        return rc;
    As__Appointment appointment = AS__APPOINTMENT__INIT;
    appointment.appointment_id = req->appointment_id;
    appointment.customer_id = req->customer_id;
    appointment.vin = req->vin;
    appointment.slot = req->slot;
    appointment.reason = req->reason;
    appointment.channel = blank(req->channel) ? "phone" : req->channel;
    appointment.has_status = 1;
    appointment.status = AS__APPOINTMENT_STATUS__BOOKED;
    appointment.booked_by = (char *)cmd->actor;
    rc = recalls_of(cmd->svc, cmd->txn, req->vin, &appointment.open_recalls,
                    &appointment.n_open_recalls);
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "appointments"), req->appointment_id,
                           &appointment.base);
    if (rc == 0)
        rc = s_emit(cmd, "reception.appointment.booked", &appointment);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &appointment.base);
    recalls_free(&appointment.open_recalls, &appointment.n_open_recalls);
    return rc;
}

static int s_load(as_cmd_t *cmd, const char *appointment_id, As__Appointment **out)
{
    if (blank(appointment_id))
        return as_cmd_fail(cmd, AS_EINVALID, "appointment_id is required");
    return as_record_load(cmd, as_record_dbi(cmd->svc, "appointments"), "appointment",
                          appointment_id, &as__appointment__descriptor, out);
}

/* Books a request from the crm that the clerk confirms: the vin (the
 * request's, or the corrected one in the action) must be a registered
 * vehicle, whose owner becomes the customer, and the slot a real one. Emits
 * reception.appointment.booked, so it counts like any other booking. */
static int s_book_request(as_cmd_t *cmd, const As__AppointmentAction *req,
                          As__Appointment *appointment)
{
    const char *id = appointment->appointment_id;
    const char *vin = !blank(req->vin) ? req->vin : appointment->vin;
    const char *slot = !blank(req->slot) ? req->slot : appointment->slot;
    as_vin_fault_t f;
    switch (blank(vin) ? AS_VIN_MISSING : as_vin_examine(vin, &f)) {
    case AS_VIN_VALID:
        break;
    case AS_VIN_MISSING:
        return as_cmd_fail(cmd, AS_EINVALID, "appointment '%s' has no vin: give vin=", id);
    case AS_VIN_LENGTH:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "appointment '%s': vin '%.*s' has %zu characters, a vin has %d: give "
                           "the right vin=",
                           id, as_text_clip(vin, 40), vin, f.length, AS_VIN_LEN);
    case AS_VIN_CHARACTER:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "appointment '%s': vin '%s' has '%s' at position %zu: only digits and "
                           "capital letters other than I, O and Q are allowed: give the right vin=",
                           id, vin, f.character, f.position);
    case AS_VIN_CHECK_DIGIT:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "appointment '%s': vin '%s' has a wrong check digit: '%c', expected "
                           "'%c': give the right vin=",
                           id, vin, f.found, f.expected);
    }
    As__Vehicle *vehicle = NULL;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), vin,
                           &as__vehicle__descriptor, &vehicle);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND,
                           "appointment '%s': vehicle '%s' is not registered: register the "
                           "customer and the vehicle first",
                           id, vin);
    if (rc != 0)
        return rc;
    if (!appointment_slot_valid(slot))
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "appointment '%s': slot '%s' is not YYYY-MM-DDTHH:MM: "
                         "give slot=",
                         id, slot ? slot : "");
    if (rc == 0)
        rc = set_text(&appointment->customer_id, vehicle->customer_id);
    as__vehicle__free_unpacked(vehicle, NULL);
    if (rc == 0 && vin != appointment->vin)
        rc = set_text(&appointment->vin, vin);
    if (rc == 0 && slot != appointment->slot)
        rc = set_text(&appointment->slot, slot);
    if (rc == 0)
        rc = set_text(&appointment->booked_by, cmd->actor);
    if (rc == 0) {
        recalls_free(&appointment->open_recalls, &appointment->n_open_recalls);
        rc = recalls_of(cmd->svc, cmd->txn, appointment->vin, &appointment->open_recalls,
                        &appointment->n_open_recalls);
    }
    appointment->status = AS__APPOINTMENT_STATUS__BOOKED;
    if (rc == 0)
        rc = s_emit(cmd, "reception.appointment.booked", appointment);
    return rc;
}

/* Moves an appointment from one of the states in `from` (bits) to `to`. */
static int s_change(as_cmd_t *cmd, unsigned from, As__AppointmentStatus to, const char *event)
{
    const As__AppointmentAction *req = (const As__AppointmentAction *)cmd->request;
    As__Appointment *appointment = NULL;
    const as_staff_t *staff = as_service_staff(cmd->svc);
    int rc = s_load(cmd, req->appointment_id, &appointment);
    if (rc == 0 && !(from & 1u << appointment->status))
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "appointment '%s' is %s and cannot become %s",
                         appointment->appointment_id, s_status_name(appointment->status),
                         s_status_name(to));
    if (rc == 0 && to == AS__APPOINTMENT_STATUS__ASSIGNED &&
        !(as_staff_roles(staff, req->advisor ? req->advisor : "") & ROLES_ADVISOR))
        rc = as_cmd_fail(cmd, AS_EINVALID, "appointment '%s': '%s' is not an advisor",
                         appointment->appointment_id, req->advisor ? req->advisor : "");
    if (rc == 0 && (!blank(req->vin) || !blank(req->slot)) &&
        (to != AS__APPOINTMENT_STATUS__CONFIRMED ||
         appointment->status != AS__APPOINTMENT_STATUS__REQUESTED))
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "appointment '%s': vin and slot are taken only when confirming a "
                         "requested appointment",
                         appointment->appointment_id);
    if (rc == 0 && to == AS__APPOINTMENT_STATUS__CONFIRMED &&
        appointment->status == AS__APPOINTMENT_STATUS__REQUESTED)
        rc = s_book_request(cmd, req, appointment);
    if (rc == 0 && to == AS__APPOINTMENT_STATUS__ASSIGNED)
        rc = set_text(&appointment->advisor, req->advisor);
    if (rc == 0 && to == AS__APPOINTMENT_STATUS__ARRIVED) {
        /* flag the open recalls again at arrival: campaigns may have come since */
        recalls_free(&appointment->open_recalls, &appointment->n_open_recalls);
        rc = recalls_of(cmd->svc, cmd->txn, appointment->vin, &appointment->open_recalls,
                        &appointment->n_open_recalls);
    }
    if (rc == 0) {
        appointment->status = to;
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "appointments"),
                           appointment->appointment_id, &appointment->base);
    }
    if (rc == 0)
        rc = s_emit(cmd, event, appointment);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &appointment->base);
    if (appointment)
        as__appointment__free_unpacked(appointment, NULL);
    return rc;
}

int appointment_confirm(as_cmd_t *cmd)
{
    return s_change(cmd,
                    1u << AS__APPOINTMENT_STATUS__BOOKED | 1u << AS__APPOINTMENT_STATUS__REQUESTED,
                    AS__APPOINTMENT_STATUS__CONFIRMED, "reception.appointment.confirmed");
}

int appointment_assign(as_cmd_t *cmd)
{
    return s_change(cmd, OPEN_STATES, AS__APPOINTMENT_STATUS__ASSIGNED,
                    "reception.appointment.assigned");
}

int appointment_arrive(as_cmd_t *cmd)
{
    return s_change(cmd, OPEN_STATES, AS__APPOINTMENT_STATUS__ARRIVED,
                    "reception.appointment.arrived");
}

int appointment_no_show(as_cmd_t *cmd)
{
    return s_change(cmd, OPEN_STATES, AS__APPOINTMENT_STATUS__NO_SHOW,
                    "reception.appointment.no_showed");
}

int appointment_cancel(as_cmd_t *cmd)
{
    return s_change(cmd, OPEN_STATES | 1u << AS__APPOINTMENT_STATUS__REQUESTED,
                    AS__APPOINTMENT_STATUS__CANCELLED, "reception.appointment.cancelled");
}

int appointment_use(as_cmd_t *cmd, const char *appointment_id, const char *vin,
                    const char *ro_number)
{
    As__Appointment *appointment = NULL;
    int rc = s_load(cmd, appointment_id, &appointment);
    if (rc)
        return rc;
    bool arrived = appointment->status == AS__APPOINTMENT_STATUS__ARRIVED;
    if (!arrived && appointment->status != AS__APPOINTMENT_STATUS__ASSIGNED)
        rc = as_cmd_fail(cmd, AS_ECONFLICT,
                         "appointment '%s' is %s: a repair order needs it arrived or assigned",
                         appointment_id, s_status_name(appointment->status));
    else if (!blank(appointment->ro_number))
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "appointment '%s' was used by repair order '%s'",
                         appointment_id, appointment->ro_number);
    else if (!appointment->vin || strcmp(appointment->vin, vin) != 0)
        rc = as_cmd_fail(cmd, AS_EINVALID, "appointment '%s' is for vin '%s', not '%s'",
                         appointment_id, appointment->vin ? appointment->vin : "", vin);
    if (rc == 0)
        rc = set_text(&appointment->ro_number, ro_number);
    appointment->status = AS__APPOINTMENT_STATUS__ARRIVED;
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "appointments"), appointment_id,
                           &appointment->base);
    if (rc == 0 && !arrived)
        rc = s_emit(cmd, "reception.appointment.arrived", appointment);
    as__appointment__free_unpacked(appointment, NULL);
    return rc;
}

static int s_by_slot(const void *a, const void *b)
{
    const As__Appointment *x = *(As__Appointment *const *)a, *y = *(As__Appointment *const *)b;
    return strcmp(x->slot ? x->slot : "", y->slot ? y->slot : "");
}

/* Whether an appointment belongs in the queue of `date` (NULL: any day);
 * with `requested`, only the requests still to be booked. */
static bool s_queued(const As__Appointment *one, const char *date, bool requested)
{
    if (date && (!one->slot || strncmp(one->slot, date, AS_DATE_LEN) != 0))
        return false;
    return !requested || one->status == AS__APPOINTMENT_STATUS__REQUESTED;
}

/* The appointments of the queue, sorted by slot, as the reply's list (which
 * takes the messages of the scan). */
static int s_reply_queue(as_cmd_t *cmd, const char *date, bool requested)
{
    as_record_list_t all;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "appointments"), NULL,
                            &as__appointment__descriptor, &all);
    if (rc != 0)
        return rc;
    size_t kept = 0;
    for (size_t i = 0; i < all.n; i++) {
        As__Appointment *one = (As__Appointment *)all.msgs[i];
        if (s_queued(one, date, requested))
            all.msgs[kept++] = &one->base;
        else
            as__appointment__free_unpacked(one, NULL);
    }
    all.n = kept;
    as_record_list_sort(&all, s_by_slot);
    As__AppointmentList list = AS__APPOINTMENT_LIST__INIT;
    list.appointments = (As__Appointment **)all.msgs;
    list.n_appointments = kept;
    rc = as_cmd_reply(cmd, &list.base);
    as_record_list_free(&all);
    return rc;
}

int appointment_queue(as_cmd_t *cmd)
{
    const As__AppointmentQueue *req = (const As__AppointmentQueue *)cmd->request;
    bool requested = req->has_requested && req->requested;
    if ((!requested || req->date) && (!req->date || !as_date_valid(req->date)))
        return as_cmd_fail(cmd, AS_EINVALID, "date '%s' is not a date YYYY-MM-DD",
                           req->date ? req->date : "");
    return s_reply_queue(cmd, req->date, requested);
}

#define MAX_ADVISORS 256

/* The advisors of [staff] in its order: whom the clerk hands an appointment
 * to (appointment.assign takes an advisor or the front-desk manager). */
int advisor_list(as_cmd_t *cmd)
{
    const char *ids[MAX_ADVISORS];
    size_t n = as_staff_list(as_service_staff(cmd->svc), AS_ROLE_ADVISOR, ids, MAX_ADVISORS);
    As__AdvisorList list = AS__ADVISOR_LIST__INIT;
    list.advisors = (char **)ids;
    list.n_advisors = n < MAX_ADVISORS ? n : MAX_ADVISORS;
    return as_cmd_reply(cmd, &list.base);
}
