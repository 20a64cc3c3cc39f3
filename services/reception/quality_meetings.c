/* quality_meetings.c — the minutes of the quality meetings the front-desk
 * manager runs (issue 15; the job description: 组织服务质量例会 制定质量行动计划):
 * the day (the command is dated), who attended (staff ids), the topics and
 * notes, and the action items decided there, each created as a corrective or
 * preventive action linked to the meeting (quality_action_add, so every item
 * is checked as a created action is; one bad item refuses the whole meeting
 * and nothing is written).
 *
 * db quality_meetings [meeting_id] -> QualityMeeting (action_ids; `actions`
 * is filled only by show, as the actions stand then). Ids QM-YYYYMMDD (then
 * -2, -3...) when the request gives none. Emits
 * reception.quality_action.created for each item, then
 * reception.quality_meeting.recorded. The list reads every meeting (a few a
 * month) and keeps a month's or a from/to period's, by date. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reception.h"

#define MAX_ID 40
#define MAX_PEOPLE 32
#define MAX_TOPICS 32
#define MAX_ITEMS 16

static MDB_dbi s_dbi(as_service_t *svc)
{
    return as_record_dbi(svc, "quality_meetings");
}

static int s_check_id(as_cmd_t *cmd, const char *id)
{
    if (strlen(id) > MAX_ID || strchr(id, '/'))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "meeting_id '%s' must be at most %d characters, without '/'", id,
                           MAX_ID);
    if (as_record_exists(cmd->txn, s_dbi(cmd->svc), id))
        return as_cmd_fail(cmd, AS_EEXISTS, "quality meeting '%s' already exists", id);
    return 0;
}

/* QM-YYYYMMDD, or the first of -2, -3... not taken. */
static void s_new_id(as_cmd_t *cmd, const char *date, char *out, size_t cap)
{
    snprintf(out, cap, "QM-%.4s%.2s%.2s", date, date + 5, date + 8);
    for (unsigned n = 2; as_record_exists(cmd->txn, s_dbi(cmd->svc), out) && n < 1000; n++)
        snprintf(out, cap, "QM-%.4s%.2s%.2s-%u", date, date + 5, date + 8, n);
}

static int s_check(as_cmd_t *cmd, const As__QualityMeetingRecord *req)
{
    int rc = blank(req->meeting_id) ? 0 : s_check_id(cmd, req->meeting_id);
    if (rc != 0)
        return rc;
    if (req->n_attendees == 0 || req->n_attendees > MAX_PEOPLE)
        return as_cmd_fail(cmd, AS_EINVALID, "attendees (staff ids) are required: 1 to %d",
                           MAX_PEOPLE);
    const as_staff_t *staff = as_service_staff(cmd->svc);
    bool known = staff && as_staff_list(staff, ~0u, NULL, 0) > 0;
    for (size_t i = 0; i < req->n_attendees; i++) {
        const char *who = req->attendees[i];
        if (blank(who) || (known && as_staff_roles(staff, who) == 0))
            return as_cmd_fail(cmd, AS_ENOTFOUND, "attendee '%s' is not on the staff list",
                               who ? who : "");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(req->attendees[j], who))
                return as_cmd_fail(cmd, AS_EINVALID, "attendee '%s' is named twice", who);
    }
    if (req->n_topics > MAX_TOPICS)
        return as_cmd_fail(cmd, AS_EINVALID, "at most %d topics", MAX_TOPICS);
    for (size_t i = 0; i < req->n_topics; i++)
        if (blank(req->topics[i]))
            return as_cmd_fail(cmd, AS_EINVALID, "topic %zu is empty", i + 1);
    if (req->n_topics == 0 && blank(req->notes))
        return as_cmd_fail(cmd, AS_EINVALID, "a meeting's minutes need its topics or notes");
    if (req->n_actions > MAX_ITEMS)
        return as_cmd_fail(cmd, AS_EINVALID, "at most %d action items", MAX_ITEMS);
    return 0;
}

static void s_ids_free(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
}

int quality_meeting_record(as_cmd_t *cmd)
{
    const As__QualityMeetingRecord *req = (const As__QualityMeetingRecord *)cmd->request;
    int rc = s_check(cmd, req);
    if (rc != 0)
        return rc;
    char date[AS_DATE_LEN + 1], id[MAX_ID + 16];
    as_cmd_date(cmd, date);
    if (blank(req->meeting_id))
        s_new_id(cmd, date, id, sizeof id);
    else
        snprintf(id, sizeof id, "%s", req->meeting_id);
    char *ids[MAX_ITEMS] = {0};
    size_t n = 0;
    for (; rc == 0 && n < req->n_actions; n++) {
        rc = quality_action_add(cmd, req->actions[n], id, n + 1, &ids[n]);
    }
    As__QualityMeeting m = AS__QUALITY_MEETING__INIT;
    m.meeting_id = id;
    m.date = date;
    m.attendees = req->attendees;
    m.n_attendees = req->n_attendees;
    m.topics = req->topics;
    m.n_topics = req->n_topics;
    m.notes = req->notes;
    m.action_ids = ids;
    m.n_action_ids = n;
    m.recorded_by = (char *)cmd->actor;
    if (rc == 0)
        rc = as_record_put(cmd->txn, s_dbi(cmd->svc), id, &m.base);
    As__QualityMeetingRecorded ev = AS__QUALITY_MEETING_RECORDED__INIT;
    ev.meeting = &m;
    ev.date = date;
    if (rc == 0)
        rc = as_cmd_emit(cmd, "reception.quality_meeting.recorded", id, &ev.base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &m.base);
    s_ids_free(ids, n);
    return rc;
}

/* --- list and show ------------------------------------------------------------------ */

typedef struct {
    char from[AS_DATE_LEN + 1], to[AS_DATE_LEN + 1];
} s_period_t;

static bool s_in_period(ProtobufCMessage *msg, void *arg)
{
    const s_period_t *p = arg;
    const As__QualityMeeting *m = (const As__QualityMeeting *)msg;
    return m->date && strcmp(m->date, p->from) >= 0 && strcmp(m->date, p->to) <= 0;
}

static int s_by_date(const void *x, const void *y)
{
    const As__QualityMeeting *a = *(As__QualityMeeting *const *)x;
    const As__QualityMeeting *b = *(As__QualityMeeting *const *)y;
    int c = strcmp(a->date ? a->date : "", b->date ? b->date : "");
    return c ? c : strcmp(a->meeting_id, b->meeting_id);
}

static int s_period(as_cmd_t *cmd, const As__QualityMeetingQuery *q, s_period_t *p)
{
    bool month = !blank(q->month), range = !blank(q->from) || !blank(q->to);
    if (month && range)
        return as_cmd_fail(cmd, AS_EINVALID, "give month or from/to, not both");
    if (range) {
        if (blank(q->from) || blank(q->to) || !as_date_valid(q->from) || !as_date_valid(q->to))
            return as_cmd_fail(cmd, AS_EINVALID, "from and to must both be dates (YYYY-MM-DD)");
        if (strcmp(q->from, q->to) > 0)
            return as_cmd_fail(cmd, AS_EINVALID, "from %s is after to %s", q->from, q->to);
        snprintf(p->from, sizeof p->from, "%s", q->from);
        snprintf(p->to, sizeof p->to, "%s", q->to);
        return 0;
    }
    char m[AS_DATE_LEN + 1];
    if (month && !as_month_valid(q->month))
        return as_cmd_fail(cmd, AS_EINVALID, "month '%s' is not a month (YYYY-MM)", q->month);
    if (month)
        snprintf(m, sizeof m, "%s", q->month);
    else
        as_cmd_date(cmd, m);
    snprintf(p->from, sizeof p->from, "%.7s-01", m);
    snprintf(p->to, sizeof p->to, "%.7s-31", m);
    return 0;
}

int quality_meeting_list(as_cmd_t *cmd)
{
    const As__QualityMeetingQuery *q = (const As__QualityMeetingQuery *)cmd->request;
    s_period_t p;
    int rc = s_period(cmd, q, &p);
    if (rc != 0)
        return rc;
    as_record_list_t all = {0};
    if ((rc = as_record_scan(cmd->txn, s_dbi(cmd->svc), NULL, &as__quality_meeting__descriptor,
                             &all)) != 0)
        return rc;
    as_record_list_keep(&all, s_in_period, &p);
    as_record_list_sort(&all, s_by_date);
    As__QualityMeetingList reply = AS__QUALITY_MEETING_LIST__INIT;
    reply.meetings = (As__QualityMeeting **)all.msgs;
    reply.n_meetings = all.n;
    rc = as_cmd_reply(cmd, &reply.base);
    as_record_list_free(&all);
    return rc;
}

int quality_meeting_show(as_cmd_t *cmd)
{
    const As__QualityMeetingQuery *q = (const As__QualityMeetingQuery *)cmd->request;
    if (blank(q->meeting_id))
        return as_cmd_fail(cmd, AS_EINVALID, "meeting_id is required");
    As__QualityMeeting *m = NULL;
    int rc = as_record_load(cmd, s_dbi(cmd->svc), "quality meeting", q->meeting_id,
                            &as__quality_meeting__descriptor, &m);
    if (rc != 0)
        return rc;
    As__QualityAction **actions = calloc(m->n_action_ids + 1, sizeof *actions);
    size_t n = 0;
    if (!actions)
        rc = AS_EINTERNAL;
    for (size_t i = 0; rc == 0 && i < m->n_action_ids; i++) {
        As__QualityAction *a = NULL;
        int got = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "quality_actions"),
                                m->action_ids[i], &as__quality_action__descriptor, &a);
        if (got == 0)
            actions[n++] = a;
        else if (got != MDB_NOTFOUND)
            rc = got;
    }
    m->actions = actions;
    m->n_actions = n;
    if (rc == 0)
        rc = as_cmd_reply(cmd, &m->base);
    as__quality_meeting__free_unpacked(m, NULL); /* frees the actions and the array too */
    return rc;
}
