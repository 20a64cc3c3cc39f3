/* reminders.c — maintenance-due reminders for the information clerk.
 *
 * A vehicle is due for maintenance on `date` when
 *   - its last service (the latest RO opened for it, else its sale date) is
 *     interval_days (default 180) or more before `date`: due_date is that
 *     service date + interval_days; or
 *   - its mileage passed a multiple of interval_km (default 10000) since the
 *     mileage read at its last RO (0 when it never came): due_km is that multiple;
 * and no reminder call was recorded for it since that last service.
 *
 * reception.reminder.due answers that list; reception.reminder.plan makes it
 * the information clerk's call list for the day (db reminder_plans [date]):
 * the reminders due that kpi sets against the calls made. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reception.h"

#define DEFAULT_INTERVAL_DAYS 180
#define DEFAULT_INTERVAL_KM 10000

typedef struct {
    char date[AS_DATE_LEN + 1]; /* "" when unknown */
    uint32_t km;
    int64_t opened_us; /* of the latest RO; 0 when none */
} s_service_t;

typedef struct {
    as_service_t *svc;
    MDB_txn *txn;
    s_service_t *last;
} s_scan_t;

/* One RO of the vehicle (key: its number after the VIN). */
static int s_take_ro(const MDB_val *rest, const MDB_val *value, void *arg)
{
    (void)value;
    s_scan_t *scan = arg;
    char number[128];
    snprintf(number, sizeof number, "%.*s", (int)rest->mv_size, (const char *)rest->mv_data);
    As__RepairOrder *ro = NULL;
    if (as_record_get(scan->txn, as_record_dbi(scan->svc, "ros"), number,
                      &as__repair_order__descriptor, &ro) != 0)
        return 0;
    if (ro->opened_date && as_date_valid(ro->opened_date) &&
        ro->opened_us > scan->last->opened_us) {
        snprintf(scan->last->date, sizeof scan->last->date, "%s", ro->opened_date);
        scan->last->km = ro->mileage_km;
        scan->last->opened_us = ro->opened_us;
    }
    as__repair_order__free_unpacked(ro, NULL);
    return 0;
}

static int s_last_service(as_cmd_t *cmd, const As__Vehicle *vehicle, s_service_t *last)
{
    memset(last, 0, sizeof *last);
    as_key_t vin;
    s_scan_t scan = {cmd->svc, cmd->txn, last};
    int rc = as_key_of(&vin, vehicle->vin ? vehicle->vin : "", NULL)
                 ? 0
                 : as_record_each(cmd->txn, as_record_dbi(cmd->svc, "ros_by_vin"), &vin, s_take_ro,
                                  &scan);
    if (rc == 0 && !last->date[0] && vehicle->sale_date && as_date_valid(vehicle->sale_date))
        snprintf(last->date, sizeof last->date, "%s", vehicle->sale_date);
    return rc;
}

typedef struct {
    const char *since;
    bool made;
} s_made_t;

static int s_check_made(const MDB_val *key, const MDB_val *value, void *arg)
{
    (void)key;
    s_made_t *made = arg;
    As__Reminder *reminder = as__reminder__unpack(NULL, value->mv_size, value->mv_data);
    if (!reminder)
        return 0;
    char when[AS_DATE_LEN + 1];
    as_date_of_us(reminder->made_us, when);
    made->made = made->made || strcmp(when, made->since) >= 0;
    as__reminder__free_unpacked(reminder, NULL);
    return 0;
}

typedef struct {
    as_cmd_t *cmd;
    const char *date;
    uint32_t interval_days, interval_km;
    As__ReminderList *list;
} s_due_t;

static int s_append(As__ReminderList *list, const As__Reminder *due)
{
    As__Reminder **grown = realloc(list->reminders, (list->n_reminders + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    list->reminders = grown;
    if (!(list->reminders[list->n_reminders] = msg_copy(&due->base)))
        return -ENOMEM;
    list->n_reminders++;
    return 0;
}

static int s_vehicle_due(const MDB_val *key, const MDB_val *value, void *arg)
{
    (void)key;
    s_due_t *due = arg;
    As__Vehicle *vehicle = as__vehicle__unpack(NULL, value->mv_size, value->mv_data);
    if (!vehicle)
        return 0;
    s_service_t last;
    int rc = s_last_service(due->cmd, vehicle, &last);
    char due_date[AS_DATE_LEN + 1] = "";
    if (last.date[0] && as_date_diff_days(last.date, due->date) >= due->interval_days)
        as_date_add_days(last.date, due->interval_days, due_date);
    uint32_t due_km = 0;
    if (vehicle->mileage_km / due->interval_km > last.km / due->interval_km)
        due_km = vehicle->mileage_km / due->interval_km * due->interval_km;
    as_key_t made_key;
    s_made_t made = {last.date, false};
    if (rc == 0 && (due_date[0] || due_km) &&
        as_key_of(&made_key, vehicle->vin ? vehicle->vin : "", "maintenance", NULL) == 0)
        rc = as_record_each(due->cmd->txn, as_record_dbi(due->cmd->svc, "reminders"), &made_key,
                            s_check_made, &made);
    if (rc == 0 && (due_date[0] || due_km) && !made.made) {
        As__Reminder reminder = AS__REMINDER__INIT;
        reminder.vin = vehicle->vin;
        reminder.kind = "maintenance";
        reminder.due_date = due_date[0] ? due_date : (char *)due->date;
        reminder.has_due_km = due_km > 0;
        reminder.due_km = due_km;
        rc = s_append(due->list, &reminder);
    }
    as__vehicle__free_unpacked(vehicle, NULL);
    return rc;
}

static void s_list_clear(As__ReminderList *list)
{
    for (size_t i = 0; i < list->n_reminders; i++)
        as__reminder__free_unpacked(list->reminders[i], NULL);
    free(list->reminders);
    list->reminders = NULL;
    list->n_reminders = 0;
}

/* The due list of the request's date (default today) into `list` (clear it
 * with s_list_clear) and the date into `date`; the command fails with a clear
 * error on a bad date or interval, and the list stays empty. The due query
 * and the clerk's plan share it. */
static int s_due_list(as_cmd_t *cmd, const As__ReminderDue *req, char date[AS_DATE_LEN + 1],
                      As__ReminderList *list)
{
    if (req->date)
        snprintf(date, AS_DATE_LEN + 1, "%s", req->date);
    else
        today(date);
    s_due_t due = {cmd, date, req->has_interval_days ? req->interval_days : DEFAULT_INTERVAL_DAYS,
                   req->has_interval_km ? req->interval_km : DEFAULT_INTERVAL_KM, list};
    if (req->date && !as_date_valid(req->date))
        return as_cmd_fail(cmd, AS_EINVALID, "date '%s' is not a date YYYY-MM-DD", req->date);
    if (due.interval_days == 0 || due.interval_days > 3650)
        return as_cmd_fail(cmd, AS_EINVALID, "interval_days must be 1..3650");
    if (due.interval_km == 0)
        return as_cmd_fail(cmd, AS_EINVALID, "interval_km must be at least 1");
    int rc =
        as_record_each(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), NULL, s_vehicle_due, &due);
    if (rc != 0)
        s_list_clear(list);
    return rc;
}

int reminder_due(as_cmd_t *cmd)
{
    int rc = as_cmd_require(cmd, ROLES_READER);
    if (rc)
        return rc;
    As__ReminderDue *req = cmd_request(cmd, &as__reminder_due__descriptor);
    if (!req)
        return AS_EBADFRAME;
    char date[AS_DATE_LEN + 1];
    As__ReminderList list = AS__REMINDER_LIST__INIT;
    rc = s_due_list(cmd, req, date, &list);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list.base);
    s_list_clear(&list);
    as__reminder_due__free_unpacked(req, NULL);
    return rc;
}

/* The information clerk's call list for a day: the due list of that date,
 * stored under the date (planning it again replaces the day's list) and
 * published as reception.reminder.planned, which kpi counts as the reminders
 * due. */
int reminder_plan(as_cmd_t *cmd)
{
    int rc = as_cmd_require(cmd, ROLES_CLERK);
    if (rc)
        return rc;
    As__ReminderDue *req = cmd_request(cmd, &as__reminder_due__descriptor);
    if (!req)
        return AS_EBADFRAME;
    char date[AS_DATE_LEN + 1];
    As__ReminderList list = AS__REMINDER_LIST__INIT;
    rc = s_due_list(cmd, req, date, &list);
    if (rc == 0) {
        As__ReminderPlanned plan = AS__REMINDER_PLANNED__INIT;
        plan.date = date;
        plan.planned_by = (char *)cmd->actor;
        plan.n_reminders = list.n_reminders;
        plan.reminders = list.reminders;
        plan.has_count = 1;
        plan.count = (uint32_t)list.n_reminders;
        plan.has_planned_us = 1;
        plan.planned_us = as_now_us();
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "reminder_plans"), date, &plan.base);
        if (rc == 0)
            rc = as_cmd_emit(cmd, "reception.reminder.planned", date, &plan.base);
        if (rc == 0)
            rc = as_cmd_reply(cmd, &plan.base);
    }
    s_list_clear(&list);
    as__reminder_due__free_unpacked(req, NULL);
    return rc;
}

static int s_check_made_request(as_cmd_t *cmd, const As__ReminderMade *req, const char *kind)
{
    if (blank(req->vin) ||
        !as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), req->vin))
        return as_cmd_fail(cmd, AS_ENOTFOUND, "vehicle '%s' is not registered",
                           req->vin ? req->vin : "");
    if (strcmp(kind, "maintenance") != 0 && strcmp(kind, "insurance") != 0 &&
        strcmp(kind, "birthday") != 0)
        return as_cmd_fail(cmd, AS_EINVALID, "kind '%s' is not maintenance, insurance or birthday",
                           kind);
    if (!req->due_date || !as_date_valid(req->due_date))
        return as_cmd_fail(cmd, AS_EINVALID, "due_date '%s' is not a date YYYY-MM-DD",
                           req->due_date ? req->due_date : "");
    static const char *const outcomes[] = {"booked", "declined", "unreachable", NULL};
    for (int i = 0; outcomes[i]; i++)
        if (req->outcome && strcmp(req->outcome, outcomes[i]) == 0)
            return 0;
    return as_cmd_fail(cmd, AS_EINVALID, "outcome '%s' is not booked, declined or unreachable",
                       req->outcome ? req->outcome : "");
}

int reminder_record(as_cmd_t *cmd)
{
    int rc = as_cmd_require(cmd, ROLES_CLERK);
    if (rc)
        return rc;
    As__ReminderMade *req = cmd_request(cmd, &as__reminder_made__descriptor);
    if (!req)
        return AS_EBADFRAME;
    const char *kind = blank(req->kind) ? "maintenance" : req->kind;
    if ((rc = s_check_made_request(cmd, req, kind)) == 0) {
        char date[AS_DATE_LEN + 1];
        as_key_t key;
        as_key_of(&key, req->vin, kind, req->due_date, NULL); /* checked: short parts */
        today(date);
        As__Reminder reminder = AS__REMINDER__INIT;
        reminder.vin = req->vin;
        reminder.kind = (char *)kind;
        reminder.due_date = req->due_date;
        reminder.outcome = req->outcome;
        reminder.made_by = (char *)cmd->actor;
        reminder.has_made_us = 1;
        reminder.made_us = as_now_us();
        As__ReminderRecorded recorded = AS__REMINDER_RECORDED__INIT;
        recorded.reminder = &reminder;
        recorded.date = date;
        rc =
            as_record_put_key(cmd->txn, as_record_dbi(cmd->svc, "reminders"), &key, &reminder.base);
        if (rc == 0)
            rc = as_cmd_emit(cmd, "reception.reminder.made", req->vin, &recorded.base);
        if (rc == 0)
            rc = as_cmd_reply(cmd, &reminder.base);
    }
    as__reminder_made__free_unpacked(req, NULL);
    return rc;
}
