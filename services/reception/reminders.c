/* reminders.c — maintenance-due reminders for the information clerk.
 *
 * A vehicle is due for maintenance on `date` when
 *   - its last service (the latest RO opened for it, else its sale date) is
 *     interval_days (default 180) or more before `date`: due_date is that
 *     service date + interval_days; or
 *   - its mileage passed a multiple of interval_km (default 10000) since the
 *     mileage read at its last RO (0 when it never came): due_km is that multiple;
 * and no reminder call was recorded for it since that last service.
 * When the advisor recommended the next service at that RO's delivery
 * (next_service_date / next_service_km, advisor_sales.c), the
 * recommendation replaces the intervals: the vehicle is due from that date
 * (due_date) or once its mileage reaches that reading (due_km).
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
    int64_t opened_us;               /* of the latest RO; 0 when none */
    char next_date[AS_DATE_LEN + 1]; /* the advisor's next-service date; "" when none */
    uint32_t next_km;                /* and mileage; 0 when none */
} s_service_t;

/* The vehicle's last service: the latest RO opened for it, else its sale date. */
static int s_last_service(as_cmd_t *cmd, const As__Vehicle *vehicle, s_service_t *last)
{
    memset(last, 0, sizeof *last);
    as_record_list_t numbers;
    int rc = as_record_scan_in(cmd->txn, as_record_dbi(cmd->svc, "ros_by_vin"),
                               vehicle->vin ? vehicle->vin : "", NULL, &numbers);
    for (size_t i = 0; rc == 0 && i < numbers.n; i++) {
        As__RepairOrder *ro = NULL;
        if (as_record_get(cmd->txn, as_record_dbi(cmd->svc, "ros"), numbers.keys[i],
                          &as__repair_order__descriptor, &ro) != 0)
            continue;
        if (ro->opened_date && as_date_valid(ro->opened_date) && ro->opened_us > last->opened_us) {
            snprintf(last->date, sizeof last->date, "%s", ro->opened_date);
            last->km = ro->mileage_km;
            last->opened_us = ro->opened_us;
            snprintf(last->next_date, sizeof last->next_date, "%s",
                     ro->next_service_date ? ro->next_service_date : "");
            last->next_km = ro->next_service_km;
        }
        as__repair_order__free_unpacked(ro, NULL);
    }
    as_record_list_free(&numbers);
    if (rc == 0 && !last->date[0] && vehicle->sale_date && as_date_valid(vehicle->sale_date))
        snprintf(last->date, sizeof last->date, "%s", vehicle->sale_date);
    return rc;
}

/* Whether a maintenance reminder call for `vin` was made on or after `since`
 * (*made); 0 or a store code. */
static int s_called_since(as_cmd_t *cmd, const char *vin, const char *since, bool *made)
{
    *made = false;
    as_key_t prefix;
    as_record_list_t calls;
    if (as_key_of(&prefix, vin ? vin : "", "maintenance", NULL) != 0)
        return 0;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "reminders"), &prefix,
                            &as__reminder__descriptor, &calls);
    for (size_t i = 0; rc == 0 && i < calls.n && !*made; i++) {
        char when[AS_DATE_LEN + 1];
        as_date_of_us(((const As__Reminder *)calls.msgs[i])->made_us, when);
        *made = strcmp(when, since) >= 0;
    }
    as_record_list_free(&calls);
    return rc;
}

typedef struct {
    const char *date;
    uint32_t interval_days, interval_km;
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

/* Adds the vehicle's reminder to `list` when it is due and not called yet. */
static int s_vehicle_due(as_cmd_t *cmd, const s_due_t *due, const As__Vehicle *vehicle,
                         As__ReminderList *list)
{
    s_service_t last;
    int rc = s_last_service(cmd, vehicle, &last);
    char due_date[AS_DATE_LEN + 1] = "";
    uint32_t due_km = 0;
    if (last.next_date[0] || last.next_km) { /* the advisor's recommendation */
        if (last.next_date[0] && strcmp(last.next_date, due->date) <= 0)
            snprintf(due_date, sizeof due_date, "%s", last.next_date);
        if (last.next_km && vehicle->mileage_km >= last.next_km)
            due_km = last.next_km;
    } else {
        if (last.date[0] && as_date_diff_days(last.date, due->date) >= due->interval_days)
            as_date_add_days(last.date, due->interval_days, due_date);
        if (vehicle->mileage_km / due->interval_km > last.km / due->interval_km)
            due_km = vehicle->mileage_km / due->interval_km * due->interval_km;
    }
    bool made = false;
    if (rc == 0 && (due_date[0] || due_km))
        rc = s_called_since(cmd, vehicle->vin, last.date, &made);
    if (rc != 0 || (!due_date[0] && !due_km) || made)
        return rc;
    As__Reminder reminder = AS__REMINDER__INIT;
    reminder.vin = vehicle->vin;
    reminder.kind = "maintenance";
    reminder.due_date = due_date[0] ? due_date : (char *)due->date;
    reminder.has_due_km = due_km > 0;
    reminder.due_km = due_km;
    return s_append(list, &reminder);
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
        as_date_today(date);
    s_due_t due = {date, req->has_interval_days ? req->interval_days : DEFAULT_INTERVAL_DAYS,
                   req->has_interval_km ? req->interval_km : DEFAULT_INTERVAL_KM};
    if (req->date && !as_date_valid(req->date))
        return as_cmd_fail(cmd, AS_EINVALID, "date '%s' is not a date YYYY-MM-DD", req->date);
    if (due.interval_days == 0 || due.interval_days > 3650)
        return as_cmd_fail(cmd, AS_EINVALID, "interval_days must be 1..3650");
    if (due.interval_km == 0)
        return as_cmd_fail(cmd, AS_EINVALID, "interval_km must be at least 1");
    as_record_list_t vehicles;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), NULL,
                            &as__vehicle__descriptor, &vehicles);
    for (size_t i = 0; rc == 0 && i < vehicles.n; i++)
        rc = s_vehicle_due(cmd, &due, (const As__Vehicle *)vehicles.msgs[i], list);
    as_record_list_free(&vehicles);
    if (rc != 0)
        s_list_clear(list);
    return rc;
}

int reminder_due(as_cmd_t *cmd)
{
    char date[AS_DATE_LEN + 1];
    As__ReminderList list = AS__REMINDER_LIST__INIT;
    int rc = s_due_list(cmd, (const As__ReminderDue *)cmd->request, date, &list);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list.base);
    s_list_clear(&list);
    return rc;
}

/* The information clerk's call list for a day: the due list of that date,
 * stored under the date (planning it again replaces the day's list) and
 * published as reception.reminder.planned, which kpi counts as the reminders
 * due. */
int reminder_plan(as_cmd_t *cmd)
{
    char date[AS_DATE_LEN + 1];
    As__ReminderList list = AS__REMINDER_LIST__INIT;
    int rc = s_due_list(cmd, (const As__ReminderDue *)cmd->request, date, &list);
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
    const As__ReminderMade *req = (const As__ReminderMade *)cmd->request;
    const char *kind = blank(req->kind) ? "maintenance" : req->kind;
    int rc = s_check_made_request(cmd, req, kind);
    if (rc != 0)
        return rc;
    char date[AS_DATE_LEN + 1];
    as_key_t key;
    as_key_of(&key, req->vin, kind, req->due_date, NULL); /* checked: short parts */
    as_cmd_date(cmd, date);
    As__Reminder reminder = AS__REMINDER__INIT;
    reminder.vin = req->vin;
    reminder.kind = (char *)kind;
    reminder.due_date = req->due_date;
    reminder.outcome = req->outcome;
    reminder.made_by = (char *)cmd->actor;
    reminder.has_made_us = 1;
    reminder.made_us = as_cmd_time(cmd);
    As__ReminderRecorded recorded = AS__REMINDER_RECORDED__INIT;
    recorded.reminder = &reminder;
    recorded.date = date;
    rc = as_record_put_key(cmd->txn, as_record_dbi(cmd->svc, "reminders"), &key, &reminder.base);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "reception.reminder.made", req->vin, &recorded.base);
    return rc ? rc : as_cmd_reply(cmd, &reminder.base);
}
