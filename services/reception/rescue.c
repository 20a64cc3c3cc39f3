/* rescue.c — road rescue and outside service (issue 15): an advisor requests
 * it (customer, vehicle, place, reason, estimated cost), the front-desk
 * manager approves or declines it (a decline needs a reason), an advisor or
 * the foreman dispatches a technician of [staff], and it is closed with the
 * time it took, its actual cost and the repair order it led to (which must
 * exist). db rescues [rescue_id] -> Rescue. Each step emits
 * reception.rescue.<step>ed (RescueChanged); a step out of order is refused
 * (AS_ECONFLICT, naming the state) and writes nothing. */
#include <string.h>

#include "reception.h"

#define MAX_ID 40
#define MAX_TEXT AS_TEXT_CHARS_MAX /* characters */
#define MAX_COST_CENTS 100000000LL /* a million */
#define MAX_MINUTES (7 * 24 * 60)

static const char *s_state_name(As__RescueState state)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&as__rescue_state__descriptor, (int)state);
    return v ? v->name : "unknown";
}

static int s_save_emit_reply(as_cmd_t *cmd, const char *event, As__Rescue *rescue)
{
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    int rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "rescues"), rescue->rescue_id,
                           &rescue->base);
    As__RescueChanged changed = AS__RESCUE_CHANGED__INIT;
    changed.rescue = rescue;
    changed.date = date;
    if (rc == 0)
        rc = as_cmd_emit(cmd, event, rescue->rescue_id, &changed.base);
    return rc ? rc : as_cmd_reply(cmd, &rescue->base);
}

static int s_check_cost(as_cmd_t *cmd, const char *id, const char *what, bool has, int64_t cents)
{
    if (!has || cents < 0 || cents > MAX_COST_CENTS)
        return as_cmd_fail(cmd, AS_EINVALID, "rescue '%s': %s must be 0..%lld", id, what,
                           MAX_COST_CENTS);
    return 0;
}

static int s_check_request(as_cmd_t *cmd, const As__RescueRequest *req)
{
    if (blank(req->rescue_id) || strlen(req->rescue_id) > MAX_ID)
        return as_cmd_fail(cmd, AS_EINVALID, "rescue_id is required (at most %d characters)",
                           MAX_ID);
    const char *id = req->rescue_id;
    if (as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "rescues"), id))
        return as_cmd_fail(cmd, AS_EEXISTS, "rescue '%s' already exists", id);
    if (blank(req->customer_id) ||
        !as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "customers"), req->customer_id))
        return as_cmd_fail(cmd, AS_ENOTFOUND, "rescue '%s': customer '%s' is not registered", id,
                           req->customer_id ? req->customer_id : "");
    if (blank(req->vin) && blank(req->plate))
        return as_cmd_fail(cmd, AS_EINVALID, "rescue '%s': the vehicle's vin or plate is required",
                           id);
    if (!blank(req->vin) &&
        !as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), req->vin))
        return as_cmd_fail(cmd, AS_ENOTFOUND, "rescue '%s': vehicle '%s' is not registered", id,
                           req->vin);
    if (blank(req->place) || as_text_chars(req->place) > MAX_TEXT)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "rescue '%s': place is required (at most %d characters)", id, MAX_TEXT);
    if (blank(req->reason) || as_text_chars(req->reason) > MAX_TEXT)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "rescue '%s': reason is required (at most %d characters)", id, MAX_TEXT);
    return s_check_cost(cmd, id, "estimated_cost_cents", req->has_estimated_cost_cents,
                        req->estimated_cost_cents);
}

int rescue_request(as_cmd_t *cmd)
{
    const As__RescueRequest *req = (const As__RescueRequest *)cmd->request;
    int rc = s_check_request(cmd, req);
    if (rc != 0)
        return rc;
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    As__Rescue rescue = AS__RESCUE__INIT;
    rescue.rescue_id = req->rescue_id;
    rescue.customer_id = req->customer_id;
    rescue.vin = req->vin;
    rescue.plate = req->plate;
    rescue.place = req->place;
    rescue.reason = req->reason;
    rescue.has_estimated_cost_cents = rescue.has_state = rescue.has_requested_us = 1;
    rescue.estimated_cost_cents = req->estimated_cost_cents;
    rescue.state = AS__RESCUE_STATE__RESCUE_REQUESTED;
    rescue.requested_by = (char *)cmd->actor;
    rescue.requested_us = as_cmd_time(cmd);
    rescue.requested_date = date;
    As__Customer *customer = NULL; /* exists: s_check_request */
    rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "customers"), req->customer_id,
                       &as__customer__descriptor, &customer);
    if (rc != 0)
        return rc;
    rescue.customer_name = customer->name;
    rescue.customer_phone = customer->phone;
    rc = s_save_emit_reply(cmd, "reception.rescue.requested", &rescue);
    as__customer__free_unpacked(customer, NULL);
    return rc;
}

/* --- the steps after the request -------------------------------------------- */

typedef int (*s_step_fn)(as_cmd_t *cmd, const As__RescueAction *req, As__Rescue *rescue);

/* Loads the rescue, refuses unless it is in `from`, lets `step` check the
 * request and change it, then saves, emits `event` and replies. */
static int s_step(as_cmd_t *cmd, As__RescueState from, const char *what, s_step_fn step,
                  const char *event)
{
    const As__RescueAction *req = (const As__RescueAction *)cmd->request;
    if (blank(req->rescue_id))
        return as_cmd_fail(cmd, AS_EINVALID, "rescue_id is required");
    As__Rescue *rescue = NULL;
    int rc = as_record_load(cmd, as_record_dbi(cmd->svc, "rescues"), "rescue", req->rescue_id,
                            &as__rescue__descriptor, &rescue);
    if (rc == 0 && rescue->state != from)
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "rescue '%s' is %s: only a rescue %s can be %s",
                         rescue->rescue_id, s_state_name(rescue->state), s_state_name(from), what);
    if (rc == 0)
        rc = step(cmd, req, rescue);
    if (rc == 0)
        rc = s_save_emit_reply(cmd, event, rescue);
    if (rescue)
        as__rescue__free_unpacked(rescue, NULL);
    return rc;
}

static int s_decide(as_cmd_t *cmd, As__Rescue *rescue, As__RescueState state)
{
    rescue->state = state;
    rescue->has_decided_us = 1;
    rescue->decided_us = as_cmd_time(cmd);
    return set_text(&rescue->decided_by, cmd->actor);
}

static int s_approve(as_cmd_t *cmd, const As__RescueAction *req, As__Rescue *rescue)
{
    (void)req;
    return s_decide(cmd, rescue, AS__RESCUE_STATE__RESCUE_APPROVED);
}

static int s_decline(as_cmd_t *cmd, const As__RescueAction *req, As__Rescue *rescue)
{
    if (blank(req->reason) || as_text_chars(req->reason) > MAX_TEXT)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "rescue '%s': a decline needs a reason (at most %d characters)",
                           rescue->rescue_id, MAX_TEXT);
    int rc = s_decide(cmd, rescue, AS__RESCUE_STATE__RESCUE_DECLINED);
    return rc ? rc : set_text(&rescue->decline_reason, req->reason);
}

static int s_dispatch(as_cmd_t *cmd, const As__RescueAction *req, As__Rescue *rescue)
{
    const as_staff_t *staff = as_service_staff(cmd->svc);
    if (blank(req->technician) || !(as_staff_roles(staff, req->technician) & AS_ROLE_TECHNICIAN))
        return as_cmd_fail(cmd, AS_EINVALID, "rescue '%s': '%s' is not a technician of [staff]",
                           rescue->rescue_id, req->technician ? req->technician : "");
    rescue->state = AS__RESCUE_STATE__RESCUE_DISPATCHED;
    rescue->has_dispatched_us = 1;
    rescue->dispatched_us = as_cmd_time(cmd);
    int rc = set_text(&rescue->technician, req->technician);
    return rc ? rc : set_text(&rescue->dispatched_by, cmd->actor);
}

static int s_close(as_cmd_t *cmd, const As__RescueAction *req, As__Rescue *rescue)
{
    const char *id = rescue->rescue_id;
    if (!req->has_minutes || req->minutes == 0 || req->minutes > MAX_MINUTES)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "rescue '%s': minutes (the time it took) must be 1..%d", id,
                           MAX_MINUTES);
    int rc = s_check_cost(cmd, id, "actual_cost_cents", req->has_actual_cost_cents,
                          req->actual_cost_cents);
    if (rc != 0)
        return rc;
    if (blank(req->ro_number) ||
        !as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "ros"), req->ro_number))
        return as_cmd_fail(cmd, AS_ENOTFOUND,
                           "rescue '%s': repair order '%s' does not exist (a rescue is closed on "
                           "the RO it led to)",
                           id, req->ro_number ? req->ro_number : "");
    rescue->state = AS__RESCUE_STATE__RESCUE_CLOSED;
    rescue->has_minutes = rescue->has_actual_cost_cents = rescue->has_closed_us = 1;
    rescue->minutes = req->minutes;
    rescue->actual_cost_cents = req->actual_cost_cents;
    rescue->closed_us = as_cmd_time(cmd);
    rc = set_text(&rescue->ro_number, req->ro_number);
    return rc ? rc : set_text(&rescue->closed_by, cmd->actor);
}

int rescue_approve(as_cmd_t *cmd)
{
    return s_step(cmd, AS__RESCUE_STATE__RESCUE_REQUESTED, "approved", s_approve,
                  "reception.rescue.approved");
}

int rescue_decline(as_cmd_t *cmd)
{
    return s_step(cmd, AS__RESCUE_STATE__RESCUE_REQUESTED, "declined", s_decline,
                  "reception.rescue.declined");
}

int rescue_dispatch(as_cmd_t *cmd)
{
    return s_step(cmd, AS__RESCUE_STATE__RESCUE_APPROVED, "dispatched", s_dispatch,
                  "reception.rescue.dispatched");
}

int rescue_close(as_cmd_t *cmd)
{
    return s_step(cmd, AS__RESCUE_STATE__RESCUE_DISPATCHED, "closed", s_close,
                  "reception.rescue.closed");
}

int rescue_show(as_cmd_t *cmd)
{
    const As__RescueAction *req = (const As__RescueAction *)cmd->request;
    if (blank(req->rescue_id))
        return as_cmd_fail(cmd, AS_EINVALID, "rescue_id is required");
    As__Rescue *rescue = NULL;
    int rc = as_record_load(cmd, as_record_dbi(cmd->svc, "rescues"), "rescue", req->rescue_id,
                            &as__rescue__descriptor, &rescue);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &rescue->base);
    if (rescue)
        as__rescue__free_unpacked(rescue, NULL);
    return rc;
}

static bool s_in_state(ProtobufCMessage *msg, void *arg)
{
    return ((const As__Rescue *)msg)->state == *(const As__RescueState *)arg;
}

int rescue_list(as_cmd_t *cmd)
{
    const As__RescueListQuery *q = (const As__RescueListQuery *)cmd->request;
    if (q->has_state &&
        !protobuf_c_enum_descriptor_get_value(&as__rescue_state__descriptor, (int)q->state))
        return as_cmd_fail(cmd, AS_EINVALID, "state %d is not a rescue state", (int)q->state);
    as_record_list_t all = {0};
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "rescues"), NULL,
                            &as__rescue__descriptor, &all);
    if (rc == 0) {
        As__RescueState state = q->state;
        if (q->has_state && state != AS__RESCUE_STATE__RESCUE_STATE_UNSET)
            as_record_list_keep(&all, s_in_state, &state);
        As__RescueList reply = AS__RESCUE_LIST__INIT;
        reply.rescues = (As__Rescue **)all.msgs;
        reply.n_rescues = all.n;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    as_record_list_free(&all);
    return rc;
}
