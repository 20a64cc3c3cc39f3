/* roster.c — the staff roster (issue 15): shifts planned ahead, for everyone
 * on the staff list (advisors, clerks, technicians, keepers...), beside the
 * shifts attended where a service keeps them.
 *
 * Why kpi owns it: the roster is the service manager's, for every role, and
 * kpi is the service manager's service (targets, expenses, the scorecard).
 * It already keeps the attended shifts of both sources that record them
 * (workshop.shift.recorded: db "attendance"; parts.shift.recorded: db
 * "keeper_shifts"), each applied in its own source's order, so the list puts
 * planned and attended side by side at query time without a join across
 * sources in any event handler. A workshop roster would cover technicians
 * only; a parts one keepers only.
 *
 * db "roster": "staff|YYYY-MM-DD|HH:MM" (the start) -> KpiRosterShift. A
 * person may have several shifts a day (a split shift), never overlapping.
 * Named shifts come from [roster] in the config ("day = 08:30-17:30"), with
 * day, early and late when the section is absent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/pb/workshop.pb-c.h"
#include "kpi.h"

#define S_BACK_DAYS 7    /* a plan may still be corrected this many days back */
#define S_AHEAD_DAYS 366 /* and made this far ahead */
#define S_LIST_DAYS 62   /* days one list covers */
#define S_MANAGERS                                                                                 \
    (AS_ROLE_SERVICE_MANAGER | AS_ROLE_FRONT_DESK_MANAGER | AS_ROLE_FOREMAN | AS_ROLE_PARTS_MANAGER)

/* Roles of people with shifts: not another system's identity nor a gateway's. */
#define S_PEOPLE (~(unsigned)(AS_ROLE_SYSTEM | AS_ROLE_DELEGATE))

static const char *const s_default_shifts[][2] = {
    {"day", "08:30-17:30"}, {"early", "07:30-16:30"}, {"late", "10:30-19:30"}, {NULL, NULL}};

static MDB_dbi s_dbi(as_service_t *svc)
{
    return as_record_dbi(svc, "roster");
}

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

/* The hours of a named shift ("08:30-17:30"), or NULL. */
static const char *s_named(as_service_t *svc, const char *name)
{
    as_config_t *cfg = as_service_config(svc);
    if (as_config_has_section(cfg, "roster"))
        return as_config_get(cfg, "roster", name, NULL);
    for (size_t i = 0; s_default_shifts[i][0]; i++)
        if (!strcmp(s_default_shifts[i][0], name))
            return s_default_shifts[i][1];
    return NULL;
}

/* Whether the actor may plan `staff_id`'s shifts: the service manager
 * anyone's, the foreman technicians', the parts manager keepers'. */
static int s_may_plan(as_cmd_t *cmd, const char *staff_id, unsigned roles)
{
    unsigned actor = as_staff_roles(as_service_staff(cmd->svc), cmd->actor);
    if ((actor & AS_ROLE_SERVICE_MANAGER) ||
        ((actor & AS_ROLE_FOREMAN) && (roles & AS_ROLE_TECHNICIAN)) ||
        ((actor & AS_ROLE_PARTS_MANAGER) && (roles & AS_ROLE_WAREHOUSE_KEEPER)))
        return 0;
    return as_cmd_fail(cmd, AS_EDENIED,
                       "'%s' may not plan the shifts of '%s' (the service manager plans "
                       "everyone's, the foreman technicians', the parts manager keepers')",
                       cmd->actor, staff_id);
}

/* The staff member and the date of a plan or a clearing. */
static int s_check_day(as_cmd_t *cmd, const char *staff_id, const char *date)
{
    const char *who = staff_id ? staff_id : "";
    if (!*who)
        return as_cmd_fail(cmd, AS_EINVALID, "staff_id is required");
    unsigned roles = as_staff_roles(as_service_staff(cmd->svc), who) & S_PEOPLE;
    if (!roles)
        return as_cmd_fail(cmd, AS_ENOTFOUND,
                           "staff '%s' is not on the staff list ([staff] in the config)", who);
    if (!date || !as_date_valid(date))
        return as_cmd_fail(cmd, AS_EINVALID, "date '%s' is not a date YYYY-MM-DD",
                           date ? date : "");
    char today[AS_DATE_LEN + 1];
    as_cmd_date(cmd, today);
    int64_t ahead = as_date_diff_days(today, date);
    if (ahead < -S_BACK_DAYS)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "date %s is more than %d days back: a roster is planned ahead (what "
                           "was worked is recorded as attendance)",
                           date, S_BACK_DAYS);
    if (ahead > S_AHEAD_DAYS)
        return as_cmd_fail(cmd, AS_EINVALID, "date %s is more than %d days ahead", date,
                           S_AHEAD_DAYS);
    return s_may_plan(cmd, who, roles);
}

/* The shifts planned for a person's day, in order of their start. */
static int s_day_shifts(MDB_txn *txn, as_service_t *svc, const char *staff_id, const char *date,
                        as_record_list_t *out)
{
    as_key_t prefix;
    int rc = as_key_of(&prefix, staff_id, date, NULL);
    return rc ? rc
              : as_record_scan(txn, s_dbi(svc), &prefix, &as__kpi_roster_shift__descriptor, out);
}

/* Start and end of the plan (given, or the named shift's). */
static int s_hours(as_cmd_t *cmd, const As__KpiRosterPlan *req, char start[6], char end[6])
{
    bool named = req->shift && *req->shift;
    bool timed = (req->start && *req->start) || (req->end && *req->end);
    if (named && timed)
        return as_cmd_fail(cmd, AS_EINVALID, "give start and end, or a named shift, not both");
    if (!named && !timed)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "start and end (HH:MM), or a named shift, are required");
    if (named) {
        const char *hours = s_named(cmd->svc, req->shift);
        if (!hours || strlen(hours) != 11 || hours[5] != '-')
            return as_cmd_fail(cmd, AS_EINVALID,
                               "shift '%s' is not a named shift ([roster] in the config; "
                               "without one: day, early, late)",
                               req->shift);
        snprintf(start, 6, "%.5s", hours);
        snprintf(end, 6, "%.5s", hours + 6);
    } else {
        snprintf(start, 6, "%s", req->start ? req->start : "");
        snprintf(end, 6, "%s", req->end ? req->end : "");
        if (s_minute_of(req->start) < 0 || s_minute_of(req->end) < 0)
            return as_cmd_fail(cmd, AS_EINVALID, "start '%s' and end '%s' of a shift must be HH:MM",
                               req->start ? req->start : "", req->end ? req->end : "");
    }
    if (s_minute_of(end) <= s_minute_of(start))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "shift of '%s' on %s ends at %s, not after its start %s", req->staff_id,
                           req->date, end, start);
    return 0;
}

int kpi_cmd_roster_plan(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiRosterPlan *req = (const As__KpiRosterPlan *)cmd->request;
    char start[6], end[6];
    int rc = s_check_day(cmd, req->staff_id, req->date);
    if (rc == 0)
        rc = s_hours(cmd, req, start, end);
    if (rc != 0)
        return rc;
    as_record_list_t day = {0};
    rc = s_day_shifts(cmd->txn, cmd->svc, req->staff_id, req->date, &day);
    int from = s_minute_of(start), to = s_minute_of(end);
    for (size_t i = 0; rc == 0 && i < day.n; i++) {
        const As__KpiRosterShift *s = (const As__KpiRosterShift *)day.msgs[i];
        if (s_minute_of(s->start) < to && from < s_minute_of(s->end))
            rc = as_cmd_fail(cmd, AS_ECONFLICT,
                             "shift %s-%s of '%s' on %s overlaps the shift planned %s-%s", start,
                             end, req->staff_id, req->date, s->start, s->end);
    }
    as_record_list_free(&day);
    if (rc != 0)
        return rc;
    As__KpiRosterShift shift = AS__KPI_ROSTER_SHIFT__INIT;
    shift.staff_id = req->staff_id;
    shift.date = req->date;
    shift.start = start;
    shift.end = end;
    shift.shift = req->shift && *req->shift ? req->shift : NULL;
    shift.has_minutes = 1;
    shift.minutes = (uint32_t)(to - from);
    shift.planned_by = (char *)cmd->actor;
    as_key_t key;
    rc = as_key_of(&key, req->staff_id, req->date, start, NULL);
    if (rc == 0)
        rc = as_record_put_key(cmd->txn, s_dbi(cmd->svc), &key, &shift.base);
    char subject[AS_KEY_MAX + 1];
    snprintf(subject, sizeof subject, "%s|%s", req->staff_id, req->date);
    As__KpiRosterPlanned event = AS__KPI_ROSTER_PLANNED__INIT;
    event.shift = &shift;
    if (rc == 0)
        rc = as_cmd_emit(cmd, "kpi.roster.planned", subject, &event.base);
    return rc ? rc : as_cmd_reply(cmd, &shift.base);
}

int kpi_cmd_roster_clear(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiRosterClear *req = (const As__KpiRosterClear *)cmd->request;
    int rc = s_check_day(cmd, req->staff_id, req->date);
    if (rc != 0)
        return rc;
    bool one = req->start && *req->start;
    if (one && s_minute_of(req->start) < 0)
        return as_cmd_fail(cmd, AS_EINVALID, "start '%s' must be HH:MM", req->start);
    as_record_list_t day = {0};
    rc = s_day_shifts(cmd->txn, cmd->svc, req->staff_id, req->date, &day);
    As__KpiRosterShift **cleared = calloc(day.n + 1, sizeof *cleared);
    size_t n = 0;
    if (rc == 0 && !cleared)
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < day.n; i++) {
        As__KpiRosterShift *s = (As__KpiRosterShift *)day.msgs[i];
        if (one && strcmp(s->start, req->start) != 0)
            continue;
        as_key_t key;
        rc = as_key_of(&key, req->staff_id, req->date, s->start, NULL);
        if (rc == 0)
            rc = as_record_del_key(cmd->txn, s_dbi(cmd->svc), &key);
        cleared[n++] = s;
    }
    if (rc == 0 && n == 0)
        rc = one ? as_cmd_fail(cmd, AS_ENOTFOUND, "'%s' has no shift planned on %s starting at %s",
                               req->staff_id, req->date, req->start)
                 : as_cmd_fail(cmd, AS_ENOTFOUND, "'%s' has no shift planned on %s", req->staff_id,
                               req->date);
    As__KpiRosterCleared event = AS__KPI_ROSTER_CLEARED__INIT;
    event.staff_id = req->staff_id;
    event.date = req->date;
    event.n_shifts = n;
    event.shifts = cleared;
    event.cleared_by = (char *)cmd->actor;
    char subject[AS_KEY_MAX + 1];
    snprintf(subject, sizeof subject, "%s|%s", req->staff_id, req->date);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "kpi.roster.cleared", subject, &event.base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &event.base);
    free(cleared);
    as_record_list_free(&day);
    return rc;
}

/* --- kpi.roster.list ------------------------------------------------------ */

typedef struct {
    As__KpiRosterDay **days;
    size_t n, cap;
    as_record_list_t *lists; /* the planned shifts the days point into */
    size_t n_lists;
} s_list_t;

static void s_list_free(s_list_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->days[i]);
    for (size_t i = 0; i < l->n_lists; i++)
        as_record_list_free(&l->lists[i]);
    free(l->days);
    free(l->lists);
}

/* Attended minutes of a person's day, and where they are kept ("" none). */
static int s_attended(as_cmd_t *cmd, const char *id, unsigned roles, const char *date,
                      uint32_t *minutes, const char **where)
{
    as_key_t key;
    int rc = as_key_of(&key, id, date, NULL);
    *minutes = 0;
    *where = "";
    if (rc == 0 && (roles & AS_ROLE_TECHNICIAN)) {
        As__Attendance *a = NULL;
        *where = "workshop";
        rc = as_record_get_key(cmd->txn, as_record_dbi(cmd->svc, "attendance"), &key,
                               &as__attendance__descriptor, &a);
        if (rc == 0)
            *minutes += a->minutes, as__attendance__free_unpacked(a, NULL);
        rc = rc == MDB_NOTFOUND || rc == AS_EBADFRAME ? 0 : rc;
    }
    if (rc == 0 && (roles & AS_ROLE_WAREHOUSE_KEEPER)) {
        As__KeeperShift *s = NULL;
        *where = **where ? "workshop, parts" : "parts";
        rc = as_record_get_key(cmd->txn, as_record_dbi(cmd->svc, "keeper_shifts"), &key,
                               &as__keeper_shift__descriptor, &s);
        if (rc == 0)
            *minutes += s->minutes, as__keeper_shift__free_unpacked(s, NULL);
        rc = rc == MDB_NOTFOUND || rc == AS_EBADFRAME ? 0 : rc;
    }
    return rc;
}

static int s_list_day(as_cmd_t *cmd, s_list_t *l, const char *id, unsigned roles, const char *date,
                      const char *today)
{
    as_record_list_t planned = {0};
    uint32_t attended = 0;
    const char *where = "";
    int rc = s_day_shifts(cmd->txn, cmd->svc, id, date, &planned);
    if (rc == 0)
        rc = s_attended(cmd, id, roles, date, &attended, &where);
    if (rc == 0 && l->n == l->cap && (planned.n || attended)) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        As__KpiRosterDay **days = realloc(l->days, cap * sizeof *days);
        as_record_list_t *lists = days ? realloc(l->lists, cap * sizeof *lists) : NULL;
        if (days)
            l->days = days;
        if (lists)
            l->lists = lists, l->cap = cap;
        else
            rc = -ENOMEM;
    }
    As__KpiRosterDay *d = NULL;
    if (rc == 0 && (planned.n || attended) && !(d = calloc(1, sizeof *d)))
        rc = -ENOMEM;
    if (!d) { /* nothing to show (or no room): the list goes */
        as_record_list_free(&planned);
        return rc;
    }
    l->lists[l->n_lists++] = planned; /* the day's shifts, freed with the list */
    l->days[l->n++] = d;
    as__kpi_roster_day__init(d);
    d->staff_id = (char *)id;
    d->date = (char *)date;
    d->n_planned = planned.n;
    d->planned = (As__KpiRosterShift **)planned.msgs;
    d->has_planned_minutes = d->has_attended_minutes = 1;
    for (size_t i = 0; i < planned.n; i++)
        d->planned_minutes += d->planned[i]->minutes;
    d->attended_minutes = attended;
    d->attendance = (char *)where;
    d->state = attended > 0                        ? (planned.n ? "attended" : "unplanned")
               : *where && strcmp(date, today) < 0 ? "missed"
                                                   : "planned";
    return 0;
}

int kpi_cmd_roster_list(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiRosterQuery *req = (const As__KpiRosterQuery *)cmd->request;
    const as_staff_t *staff = as_service_staff(cmd->svc);
    unsigned actor = as_staff_roles(staff, cmd->actor);
    const char *who = req->staff_id && *req->staff_id ? req->staff_id : NULL;
    if (!req->from || !as_date_valid(req->from) || !req->to || !as_date_valid(req->to))
        return as_cmd_fail(cmd, AS_EINVALID, "from and to are required (YYYY-MM-DD)");
    int64_t span = as_date_diff_days(req->from, req->to);
    if (span < 0)
        return as_cmd_fail(cmd, AS_EINVALID, "from %s is after to %s", req->from, req->to);
    if (span >= S_LIST_DAYS)
        return as_cmd_fail(cmd, AS_EINVALID, "a roster list covers at most %d days", S_LIST_DAYS);
    if (!(actor & S_MANAGERS)) { /* staff read their own roster */
        if (who && strcmp(who, cmd->actor) != 0)
            return as_cmd_fail(cmd, AS_EDENIED, "'%s' may read only their own roster, not '%s'",
                               cmd->actor, who);
        who = cmd->actor;
    }
    if (who && !(as_staff_roles(staff, who) & S_PEOPLE))
        return as_cmd_fail(cmd, AS_ENOTFOUND,
                           "staff '%s' is not on the staff list ([staff] in the config)", who);
    size_t n_ids = who ? 1 : as_staff_list(staff, S_PEOPLE, NULL, 0);
    const char **ids = calloc(n_ids + 1, sizeof *ids);
    char(*dates)[AS_DATE_LEN + 1] = calloc((size_t)span + 1, sizeof *dates);
    s_list_t l = {0};
    int rc = ids && dates ? 0 : -ENOMEM;
    if (rc == 0 && who)
        ids[0] = who;
    else if (rc == 0)
        as_staff_list(staff, S_PEOPLE, ids, n_ids);
    for (int64_t d = 0; rc == 0 && d <= span; d++)
        as_date_add_days(req->from, d, dates[d]);
    char today[AS_DATE_LEN + 1];
    as_cmd_date(cmd, today);
    for (size_t i = 0; rc == 0 && i < n_ids; i++)
        for (int64_t d = 0; rc == 0 && d <= span; d++)
            rc = s_list_day(cmd, &l, ids[i], as_staff_roles(staff, ids[i]), dates[d], today);
    if (rc == 0) {
        As__KpiRoster reply = AS__KPI_ROSTER__INIT;
        reply.from = req->from;
        reply.to = req->to;
        reply.n_days = l.n;
        reply.days = l.days;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    s_list_free(&l);
    free(ids);
    free(dates);
    return rc;
}
