/* quality_actions.c — corrective and preventive actions (issue 15): the
 * front-desk manager and the foreman decide them when they analyse the
 * comebacks or in a quality meeting (quality_meetings.c creates its action
 * items through quality_action_add), each with an owner of [staff], a due
 * date and the comeback ROs or the meeting it answers, and follow them until
 * closed: QA_OPEN -> QA_IN_PROGRESS -> QA_DONE, or QA_CANCELLED with a
 * reason; a done or cancelled action is final and nothing goes back to open.
 * The owner moves their own action on too.
 *
 * db quality_actions [action_id] -> QualityAction; ids QA-0001, QA-0002...
 * from the sequence "quality_action" (db sequences) when the request gives
 * none. Each change emits reception.quality_action.created / .updated
 * (QualityActionChanged: the action, the status before, the date). The list
 * reads every action (a dealership decides tens a year) and puts the overdue
 * ones first: due before `as_of` and still open or in progress. Commands of
 * reception's own: no other source is joined. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reception.h"

#define MAX_ID 40
#define MAX_TEXT AS_TEXT_CHARS_MAX /* characters */
#define MAX_ROS 16
#define S_ID_SIZE QUALITY_ACTION_ID_SIZE

static MDB_dbi s_dbi(as_service_t *svc)
{
    return as_record_dbi(svc, "quality_actions");
}

static const char *s_status_name(As__QualityActionStatus status)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&as__quality_action_status__descriptor, (int)status);
    return v ? v->name : "unknown";
}

static bool s_open(const As__QualityAction *a)
{
    return a->status == AS__QUALITY_ACTION_STATUS__QA_OPEN ||
           a->status == AS__QUALITY_ACTION_STATUS__QA_IN_PROGRESS;
}

/* An owner must be on the staff list (when the site has one). */
static bool s_staff_known(as_cmd_t *cmd, const char *id)
{
    const as_staff_t *staff = as_service_staff(cmd->svc);
    return !staff || as_staff_list(staff, ~0u, NULL, 0) == 0 || as_staff_roles(staff, id) != 0;
}

/* `item`: the action's number among a meeting's items (from 1), 0 for an action
 * of its own; a refusal of an item names it in its own format ("action item
 * 2: ..."), so a page words each in its language. */
static int s_check_ros(as_cmd_t *cmd, const As__QualityActionCreate *req, size_t item)
{
    if (req->n_comeback_ros > MAX_ROS)
        return item ? as_cmd_fail(cmd, AS_EINVALID, "action item %zu: at most %d comeback_ros",
                                  item, MAX_ROS)
                    : as_cmd_fail(cmd, AS_EINVALID, "at most %d comeback_ros", MAX_ROS);
    for (size_t i = 0; i < req->n_comeback_ros; i++) {
        As__RepairOrder *ro = NULL;
        const char *number = req->comeback_ros[i];
        int rc = blank(number) ? MDB_NOTFOUND
                               : as_record_get(cmd->txn, as_record_dbi(cmd->svc, "ros"), number,
                                               &as__repair_order__descriptor, &ro);
        if (rc == MDB_NOTFOUND)
            return item ? as_cmd_fail(cmd, AS_ENOTFOUND,
                                      "action item %zu: repair order '%s' does not exist", item,
                                      number ? number : "")
                        : as_cmd_fail(cmd, AS_ENOTFOUND, "repair order '%s' does not exist",
                                      number ? number : "");
        if (rc != 0)
            return rc;
        bool comeback = !blank(ro->comeback_of);
        as__repair_order__free_unpacked(ro, NULL);
        if (!comeback)
            return item ? as_cmd_fail(cmd, AS_EINVALID,
                                      "action item %zu: repair order '%s' is not a comeback", item,
                                      number)
                        : as_cmd_fail(cmd, AS_EINVALID, "repair order '%s' is not a comeback",
                                      number);
    }
    return 0;
}

static int s_check_create(as_cmd_t *cmd, const As__QualityActionCreate *req, const char *meeting_id,
                          size_t item, const char *today)
{
    if (!blank(req->action_id)) {
        if (strlen(req->action_id) > MAX_ID || strchr(req->action_id, '/'))
            return item ? as_cmd_fail(cmd, AS_EINVALID,
                                      "action item %zu: action_id '%s' must be at most %d "
                                      "characters, without '/'",
                                      item, req->action_id, MAX_ID)
                        : as_cmd_fail(cmd, AS_EINVALID,
                                      "action_id '%s' must be at most %d characters, without '/'",
                                      req->action_id, MAX_ID);
        if (as_record_exists(cmd->txn, s_dbi(cmd->svc), req->action_id))
            return item
                       ? as_cmd_fail(cmd, AS_EEXISTS, "action item %zu: action '%s' already exists",
                                     item, req->action_id)
                       : as_cmd_fail(cmd, AS_EEXISTS, "action '%s' already exists", req->action_id);
    }
    const char *kind = req->kind ? req->kind : "";
    if (blank(req->kind) || (strcmp(req->kind, "corrective") && strcmp(req->kind, "preventive")))
        return item ? as_cmd_fail(cmd, AS_EINVALID,
                                  "action item %zu: kind '%s' is not corrective or preventive",
                                  item, kind)
                    : as_cmd_fail(cmd, AS_EINVALID, "kind '%s' is not corrective or preventive",
                                  kind);
    if (blank(req->what) || as_text_chars(req->what) > MAX_TEXT)
        return item ? as_cmd_fail(cmd, AS_EINVALID,
                                  "action item %zu: what (the action to take) is required (at "
                                  "most %d characters)",
                                  item, MAX_TEXT)
                    : as_cmd_fail(cmd, AS_EINVALID,
                                  "what (the action to take) is required (at most %d characters)",
                                  MAX_TEXT);
    if (blank(req->owner))
        return item ? as_cmd_fail(cmd, AS_EINVALID,
                                  "action item %zu: owner (a staff id) is required", item)
                    : as_cmd_fail(cmd, AS_EINVALID, "owner (a staff id) is required");
    if (!s_staff_known(cmd, req->owner))
        return item ? as_cmd_fail(cmd, AS_ENOTFOUND,
                                  "action item %zu: owner '%s' is not on the staff list", item,
                                  req->owner)
                    : as_cmd_fail(cmd, AS_ENOTFOUND, "owner '%s' is not on the staff list",
                                  req->owner);
    const char *due = req->due_date ? req->due_date : "";
    if (blank(req->due_date) || !as_date_valid(req->due_date))
        return item
                   ? as_cmd_fail(cmd, AS_EINVALID,
                                 "action item %zu: due_date '%s' is not a date (YYYY-MM-DD)", item,
                                 due)
                   : as_cmd_fail(cmd, AS_EINVALID, "due_date '%s' is not a date (YYYY-MM-DD)", due);
    if (strcmp(req->due_date, today) < 0)
        return item ? as_cmd_fail(cmd, AS_EINVALID,
                                  "action item %zu: due_date %s is before the day it is decided "
                                  "(%s)",
                                  item, due, today)
                    : as_cmd_fail(cmd, AS_EINVALID,
                                  "due_date %s is before the day it is decided (%s)", due, today);
    if (!meeting_id && !blank(req->meeting_id) &&
        !as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "quality_meetings"), req->meeting_id))
        return item ? as_cmd_fail(cmd, AS_ENOTFOUND,
                                  "action item %zu: quality meeting '%s' does not exist", item,
                                  req->meeting_id)
                    : as_cmd_fail(cmd, AS_ENOTFOUND, "quality meeting '%s' does not exist",
                                  req->meeting_id);
    return s_check_ros(cmd, req, item);
}

static int s_emit(as_cmd_t *cmd, const char *event, const As__QualityAction *a,
                  As__QualityActionStatus previous)
{
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    As__QualityActionChanged m = AS__QUALITY_ACTION_CHANGED__INIT;
    m.action = (As__QualityAction *)a;
    m.has_previous = previous != AS__QUALITY_ACTION_STATUS__QUALITY_ACTION_STATUS_UNSET;
    m.previous = previous;
    m.date = date;
    return as_cmd_emit(cmd, event, a->action_id, &m.base);
}

int quality_action_add(as_cmd_t *cmd, const As__QualityActionCreate *req, const char *meeting_id,
                       size_t item, char **id_out)
{
    char today[AS_DATE_LEN + 1], id[S_ID_SIZE];
    as_cmd_date(cmd, today);
    int rc = s_check_create(cmd, req, meeting_id, item, today);
    if (rc != 0)
        return rc;
    if (blank(req->action_id) && (rc = quality_action_id_take(cmd, id)) != 0)
        return rc;
    As__QualityAction a = AS__QUALITY_ACTION__INIT;
    a.action_id = blank(req->action_id) ? id : req->action_id;
    a.kind = req->kind;
    a.what = req->what;
    a.owner = req->owner;
    a.due_date = req->due_date;
    a.comeback_ros = req->comeback_ros;
    a.n_comeback_ros = req->n_comeback_ros;
    a.meeting_id = (char *)(meeting_id ? meeting_id : req->meeting_id);
    a.has_status = 1;
    a.status = AS__QUALITY_ACTION_STATUS__QA_OPEN;
    a.created_by = (char *)cmd->actor;
    a.created_date = today;
    rc = as_record_put(cmd->txn, s_dbi(cmd->svc), a.action_id, &a.base);
    if (rc == 0)
        rc = s_emit(cmd, "reception.quality_action.created", &a,
                    AS__QUALITY_ACTION_STATUS__QUALITY_ACTION_STATUS_UNSET);
    if (rc == 0 && id_out && !(*id_out = dup_text(a.action_id)))
        rc = AS_EINTERNAL;
    if (rc == 0 && !id_out)
        rc = as_cmd_reply(cmd, &a.base);
    return rc;
}

int quality_action_create(as_cmd_t *cmd)
{
    return quality_action_add(cmd, (const As__QualityActionCreate *)cmd->request, NULL, 0, NULL);
}

/* --- status changes ----------------------------------------------------------- */

static int s_check_update(as_cmd_t *cmd, const As__QualityActionUpdate *req,
                          const As__QualityAction *a)
{
    const as_staff_t *staff = as_service_staff(cmd->svc);
    unsigned roles = as_staff_roles(staff, cmd->actor);
    if (!(roles & (AS_ROLE_FRONT_DESK_MANAGER | AS_ROLE_FOREMAN)) &&
        strcmp(cmd->actor, a->owner ? a->owner : ""))
        return as_cmd_fail(cmd, AS_EDENIED,
                           "'%s' is neither the owner of action '%s' (%s) nor a front-desk "
                           "manager or foreman",
                           cmd->actor, a->action_id, a->owner ? a->owner : "");
    As__QualityActionStatus to = req->status;
    if (!req->has_status ||
        (to != AS__QUALITY_ACTION_STATUS__QA_IN_PROGRESS &&
         to != AS__QUALITY_ACTION_STATUS__QA_DONE && to != AS__QUALITY_ACTION_STATUS__QA_CANCELLED))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "action '%s': status must be QA_IN_PROGRESS, QA_DONE or QA_CANCELLED "
                           "(an action never goes back to QA_OPEN)",
                           a->action_id);
    if (!s_open(a))
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "action '%s' is %s: a done or cancelled action is closed for good",
                           a->action_id, s_status_name(a->status));
    if (to == a->status)
        return as_cmd_fail(cmd, AS_ECONFLICT, "action '%s' is %s already", a->action_id,
                           s_status_name(a->status));
    if (to == AS__QUALITY_ACTION_STATUS__QA_CANCELLED &&
        (blank(req->reason) || as_text_chars(req->reason) > MAX_TEXT))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "action '%s': a cancellation needs a reason (at most %d characters)",
                           a->action_id, MAX_TEXT);
    if (req->note && as_text_chars(req->note) > MAX_TEXT)
        return as_cmd_fail(cmd, AS_EINVALID, "action '%s': note is longer than %d characters",
                           a->action_id, MAX_TEXT);
    return 0;
}

static int s_apply(as_cmd_t *cmd, const As__QualityActionUpdate *req, As__QualityAction *a)
{
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    a->status = req->status;
    int rc = set_text(&a->updated_by, cmd->actor);
    if (rc == 0)
        rc = set_text(&a->updated_date, date);
    if (rc == 0 && req->status == AS__QUALITY_ACTION_STATUS__QA_DONE)
        rc = set_text(&a->done_date, date);
    if (rc == 0 && req->status == AS__QUALITY_ACTION_STATUS__QA_CANCELLED)
        rc = set_text(&a->cancel_reason, req->reason);
    if (rc == 0)
        rc = set_text(&a->note, req->note ? req->note : "");
    return rc;
}

int quality_action_update(as_cmd_t *cmd)
{
    const As__QualityActionUpdate *req = (const As__QualityActionUpdate *)cmd->request;
    if (blank(req->action_id))
        return as_cmd_fail(cmd, AS_EINVALID, "action_id is required");
    As__QualityAction *a = NULL;
    int rc = as_record_load(cmd, s_dbi(cmd->svc), "action", req->action_id,
                            &as__quality_action__descriptor, &a);
    if (rc != 0)
        return rc;
    As__QualityActionStatus previous = a->status;
    if ((rc = s_check_update(cmd, req, a)) == 0 && (rc = s_apply(cmd, req, a)) == 0 &&
        (rc = as_record_put(cmd->txn, s_dbi(cmd->svc), a->action_id, &a->base)) == 0 &&
        (rc = s_emit(cmd, "reception.quality_action.updated", a, previous)) == 0)
        rc = as_cmd_reply(cmd, &a->base);
    as__quality_action__free_unpacked(a, NULL);
    return rc;
}

/* --- list and show ---------------------------------------------------------------- */

static void s_mark_overdue(As__QualityAction *a, const char *as_of)
{
    a->has_overdue = 1;
    a->overdue = s_open(a) && a->due_date && strcmp(a->due_date, as_of) < 0;
}

typedef struct {
    const As__QualityActionQuery *q;
    const char *as_of;
} s_filter_t;

static bool s_keep(ProtobufCMessage *msg, void *arg)
{
    const s_filter_t *f = arg;
    As__QualityAction *a = (As__QualityAction *)msg;
    s_mark_overdue(a, f->as_of);
    if (f->q->has_open && f->q->open && !s_open(a))
        return false;
    if (f->q->has_overdue && f->q->overdue && !a->overdue)
        return false;
    return blank(f->q->owner) || (a->owner && !strcmp(a->owner, f->q->owner));
}

/* Overdue first, then the other open ones, then the closed; each by due date. */
static int s_order(const void *x, const void *y)
{
    const As__QualityAction *a = *(As__QualityAction *const *)x;
    const As__QualityAction *b = *(As__QualityAction *const *)y;
    if (a->overdue != b->overdue)
        return a->overdue ? -1 : 1;
    if (s_open(a) != s_open(b))
        return s_open(a) ? -1 : 1;
    int c = strcmp(a->due_date ? a->due_date : "", b->due_date ? b->due_date : "");
    return c ? c : strcmp(a->action_id, b->action_id);
}

int quality_action_list(as_cmd_t *cmd)
{
    const As__QualityActionQuery *q = (const As__QualityActionQuery *)cmd->request;
    char as_of[AS_DATE_LEN + 1];
    if (as_cmd_date_or(cmd, "as_of", q->as_of, as_of) != 0)
        return AS_EINVALID;
    as_record_list_t all = {0};
    int rc = as_record_scan(cmd->txn, s_dbi(cmd->svc), NULL, &as__quality_action__descriptor, &all);
    if (rc != 0)
        return rc;
    s_filter_t f = {q, as_of};
    as_record_list_keep(&all, s_keep, &f);
    as_record_list_sort(&all, s_order);
    As__QualityActionList reply = AS__QUALITY_ACTION_LIST__INIT;
    reply.actions = (As__QualityAction **)all.msgs;
    reply.n_actions = all.n;
    reply.as_of = as_of;
    reply.has_overdue = 1;
    for (size_t i = 0; i < all.n; i++)
        reply.overdue += reply.actions[i]->overdue;
    rc = as_cmd_reply(cmd, &reply.base);
    as_record_list_free(&all);
    return rc;
}

int quality_action_show(as_cmd_t *cmd)
{
    const As__QualityActionQuery *q = (const As__QualityActionQuery *)cmd->request;
    if (blank(q->action_id))
        return as_cmd_fail(cmd, AS_EINVALID, "action_id is required");
    As__QualityAction *a = NULL;
    int rc = as_record_load(cmd, s_dbi(cmd->svc), "action", q->action_id,
                            &as__quality_action__descriptor, &a);
    if (rc != 0)
        return rc;
    char as_of[AS_DATE_LEN + 1];
    as_cmd_date(cmd, as_of);
    s_mark_overdue(a, as_of);
    rc = as_cmd_reply(cmd, &a->base);
    as__quality_action__free_unpacked(a, NULL);
    return rc;
}
