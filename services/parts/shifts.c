/* shifts.c — the warehouse keepers' attended shifts (parts.shift.record): the
 * hours warehouse productivity (lines received and issued per keeper attended
 * hour, in kpi) divides by. A keeper's day recorded again replaces the first;
 * parts.shift.recorded carries the day as it stands now. */
#include <stdio.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "parts.h"

/* "HH:MM" as minutes of the day, or -1. */
static int s_minute_of(const char *text)
{
    if (!text || strlen(text) != 5 || text[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (text[i] < '0' || text[i] > '9'))
            return -1;
    int h = (text[0] - '0') * 10 + (text[1] - '0'), m = (text[3] - '0') * 10 + (text[4] - '0');
    return h <= 24 && m < 60 && h * 60 + m <= 1440 ? h * 60 + m : -1;
}

static int s_check(as_cmd_t *cmd, const As__KeeperShiftRecord *req, int *minutes)
{
    const char *who = req->staff_id ? req->staff_id : "";
    if (!who[0])
        return as_cmd_fail(cmd, AS_EINVALID, "staff_id is required");
    if (!parts_staff_has(cmd->svc, who, AS_ROLE_WAREHOUSE_KEEPER))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "'%s' is not a warehouse keeper on the staff list ([staff] in the "
                           "config)",
                           who);
    /* a keeper records their own shifts; the parts manager anyone's */
    if (strcmp(who, cmd->actor) != 0 &&
        !parts_staff_has(cmd->svc, cmd->actor, AS_ROLE_PARTS_MANAGER))
        return as_cmd_fail(cmd, AS_EDENIED,
                           "'%s' may record only their own shifts (the parts manager records "
                           "anyone's)",
                           cmd->actor);
    if (!req->date || !as_date_valid(req->date))
        return as_cmd_fail(cmd, AS_EINVALID, "date '%s' is not a date YYYY-MM-DD",
                           req->date ? req->date : "");
    int64_t day_us = 0; /* held to the window like any work keyed in later */
    if (as_datetime_parse(req->date, &day_us) != 0)
        return as_cmd_fail(cmd, AS_EINVALID, "date '%s' has no local midnight", req->date);
    int rc = as_cmd_happened_at(cmd, day_us);
    if (rc != 0)
        return rc;
    int start = s_minute_of(req->start), end = s_minute_of(req->end);
    if (start < 0 || end < 0)
        return as_cmd_fail(cmd, AS_EINVALID, "start '%s' and end '%s' of a shift must be HH:MM",
                           req->start ? req->start : "", req->end ? req->end : "");
    if (end <= start)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "shift of '%s' on %s ends at %s, not after its start %s", who, req->date,
                           req->end, req->start);
    *minutes = end - start;
    return 0;
}

int parts_cmd_shift_record(as_cmd_t *cmd)
{
    const As__KeeperShiftRecord *req = (const As__KeeperShiftRecord *)cmd->request;
    int minutes = 0;
    int rc = s_check(cmd, req, &minutes);
    if (rc != 0)
        return rc;
    As__KeeperShift shift = AS__KEEPER_SHIFT__INIT;
    shift.staff_id = req->staff_id;
    shift.date = req->date;
    shift.start = req->start;
    shift.end = req->end;
    shift.has_minutes = 1;
    shift.minutes = (uint32_t)minutes;
    shift.recorded_by = (char *)cmd->actor;
    rc = as_record_put_in(cmd->txn, as_record_dbi(cmd->svc, "keeper_shifts"), req->staff_id,
                          req->date, &shift.base);
    if (rc == 0) {
        As__KeeperShiftRecorded event = AS__KEEPER_SHIFT_RECORDED__INIT;
        event.shift = &shift;
        char subject[PARTS_ID_MAX * 2 + 2];
        snprintf(subject, sizeof subject, "%s|%s", req->staff_id, req->date);
        rc = as_cmd_emit(cmd, "parts.shift.recorded", subject, &event.base);
    }
    if (rc == 0)
        rc = as_cmd_reply(cmd, &shift.base);
    return rc;
}
