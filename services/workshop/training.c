/* training.c — technicians' training: the foreman or service manager plans a
 * course for a technician on a date, records the attendance and the
 * certification it gave, with the level reached. A certification raises the
 * technician's level (the one dispatch checks against a labour operation's
 * min_level) to the level reached; it never lowers it.
 *
 * Store: training  tech_id \0 course -> TrainingPlan. Each step emits the
 * plan as it now stands (workshop.training.planned / .attended / .certified);
 * kpi counts training achievement from them on the planned date's month. */
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/text.h"
#include "workshop.h"

#define COURSE_MAX 128 /* characters */

static MDB_dbi s_db(as_cmd_t *cmd)
{
    return as_record_dbi(cmd->svc, "training");
}

static int s_check_names(as_cmd_t *cmd, const char *tech_id, const char *course)
{
    if (ws_empty(tech_id) || ws_empty(course))
        return as_cmd_fail(cmd, AS_EINVALID, "tech_id and course are required");
    if (as_text_chars(course) > COURSE_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "course is longer than %d characters", COURSE_MAX);
    if (!as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "technicians"), tech_id))
        return as_cmd_fail(cmd, AS_ENOTFOUND, "technician '%s' is not registered", tech_id);
    return 0;
}

/* Loads the plan of (tech_id, course), or fails the command (AS_ENOTFOUND). */
static int s_load(as_cmd_t *cmd, const char *tech_id, const char *course, As__TrainingPlan **out)
{
    int rc = s_check_names(cmd, tech_id, course);
    if (rc == 0 && (rc = as_record_get_in(cmd->txn, s_db(cmd), tech_id, course,
                                          &as__training_plan__descriptor, out)) == MDB_NOTFOUND)
        rc = as_cmd_fail(cmd, AS_ENOTFOUND, "technician '%s' has no training '%s' planned", tech_id,
                         course);
    return rc;
}

static int s_save(as_cmd_t *cmd, As__TrainingPlan *plan, const char *event)
{
    plan->has_level_reached = plan->level_reached != 0;
    plan->has_level_before = plan->level_before != 0;
    As__TrainingChanged ev = AS__TRAINING_CHANGED__INIT;
    ev.plan = plan;
    int rc = as_record_put_in(cmd->txn, s_db(cmd), plan->tech_id, plan->course, &plan->base);
    if (rc == 0)
        rc = as_cmd_emit(cmd, event, plan->tech_id, &ev.base);
    return rc == 0 ? as_cmd_reply(cmd, &plan->base) : rc;
}

int ws_cmd_training_plan(as_cmd_t *cmd)
{
    const As__TrainingPlanRequest *req = (const As__TrainingPlanRequest *)cmd->request;
    int rc = s_check_names(cmd, req->tech_id, req->course);
    if (rc == 0 && (ws_empty(req->planned_date) || !as_date_valid(req->planned_date)))
        return as_cmd_fail(cmd, AS_EINVALID, "planned_date '%s' is not a date YYYY-MM-DD",
                           req->planned_date ? req->planned_date : "");
    As__TrainingPlan *old = NULL;
    if (rc == 0 && (rc = as_record_get_in(cmd->txn, s_db(cmd), req->tech_id, req->course,
                                          &as__training_plan__descriptor, &old)) == 0)
        rc = as_cmd_fail(cmd, AS_EEXISTS, "training '%s' of '%s' is already planned for %s",
                         req->course, req->tech_id, old->planned_date ? old->planned_date : "?");
    else if (rc == MDB_NOTFOUND)
        rc = 0;
    if (old)
        as__training_plan__free_unpacked(old, NULL);
    if (rc != 0)
        return rc;
    As__TrainingPlan plan = AS__TRAINING_PLAN__INIT;
    plan.tech_id = req->tech_id;
    plan.course = req->course;
    plan.planned_date = req->planned_date;
    plan.planned_by = (char *)cmd->actor;
    plan.note = req->note;
    return s_save(cmd, &plan, "workshop.training.planned");
}

int ws_cmd_training_attend(as_cmd_t *cmd)
{
    const As__TrainingAttend *req = (const As__TrainingAttend *)cmd->request;
    As__TrainingPlan *plan = NULL;
    int rc = s_load(cmd, req->tech_id, req->course, &plan);
    if (rc == 0 && !ws_empty(plan->attended_date))
        rc = as_cmd_fail(cmd, AS_EEXISTS, "'%s' already attended training '%s' on %s",
                         plan->tech_id, plan->course, plan->attended_date);
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    if (rc == 0 && (rc = ws_set_str(&plan->attended_date, date)) == 0)
        rc = s_save(cmd, plan, "workshop.training.attended");
    if (plan)
        as__training_plan__free_unpacked(plan, NULL);
    return rc;
}

/* Raises the technician's level to `level` (never lowers it); level_before
 * is what it was. Emits workshop.technician.registered when it changed. */
static int s_raise_level(as_cmd_t *cmd, As__TrainingPlan *plan, uint32_t level)
{
    As__Technician *tech = NULL;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "technicians"), plan->tech_id,
                           &as__technician__descriptor, &tech);
    if (rc != 0)
        return rc;
    plan->level_before = tech->level;
    if (level > tech->level) {
        tech->has_level = 1;
        tech->level = level;
        As__TechnicianRegistered ev = AS__TECHNICIAN_REGISTERED__INIT;
        ev.technician = tech;
        if ((rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "technicians"), tech->tech_id,
                                &tech->base)) == 0)
            rc = as_cmd_emit(cmd, "workshop.technician.registered", tech->tech_id, &ev.base);
    }
    as__technician__free_unpacked(tech, NULL);
    return rc;
}

int ws_cmd_training_certify(as_cmd_t *cmd)
{
    const As__TrainingCertify *req = (const As__TrainingCertify *)cmd->request;
    As__TrainingPlan *plan = NULL;
    int rc = 0;
    if (!req->has_level || req->level < 1 || req->level > 5)
        return as_cmd_fail(cmd, AS_EINVALID, "level reached must be 1..5");
    if (!ws_empty(req->certification) && as_text_chars(req->certification) > COURSE_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "certification is longer than %d characters",
                           COURSE_MAX);
    rc = s_load(cmd, req->tech_id, req->course, &plan);
    if (rc == 0 && !ws_empty(plan->certified_date))
        rc = as_cmd_fail(cmd, AS_EEXISTS, "'%s' was already certified for training '%s' on %s",
                         plan->tech_id, plan->course, plan->certified_date);
    else if (rc == 0 && ws_empty(plan->attended_date))
        rc = as_cmd_fail(cmd, AS_ECONFLICT,
                         "'%s' has not attended training '%s': record the attendance first",
                         plan->tech_id, plan->course);
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    if (rc == 0 && (rc = ws_set_str(&plan->certified_date, date)) == 0 &&
        (rc = ws_set_str(&plan->certification,
                         ws_empty(req->certification) ? plan->course : req->certification)) == 0 &&
        (rc = s_raise_level(cmd, plan, req->level)) == 0) {
        plan->level_reached = req->level;
        rc = s_save(cmd, plan, "workshop.training.certified");
    }
    if (plan)
        as__training_plan__free_unpacked(plan, NULL);
    return rc;
}

static bool s_keep(ProtobufCMessage *msg, void *arg)
{
    const As__TrainingQuery *q = arg;
    const As__TrainingPlan *p = (const As__TrainingPlan *)msg;
    return ws_empty(q->month) ||
           (p->planned_date && strncmp(p->planned_date, q->month, strlen(q->month)) == 0);
}

int ws_cmd_training_list(as_cmd_t *cmd)
{
    const As__TrainingQuery *q = (const As__TrainingQuery *)cmd->request;
    if (!ws_empty(q->month) && (strlen(q->month) != 7 || !as_month_valid(q->month)))
        return as_cmd_fail(cmd, AS_EINVALID, "month '%s' is not a month YYYY-MM", q->month);
    as_record_list_t all = {0};
    int rc = ws_empty(q->tech_id)
                 ? as_record_scan(cmd->txn, s_db(cmd), NULL, &as__training_plan__descriptor, &all)
                 : as_record_scan_in(cmd->txn, s_db(cmd), q->tech_id,
                                     &as__training_plan__descriptor, &all);
    if (rc == 0) {
        as_record_list_keep(&all, s_keep, (void *)q);
        As__TrainingPlans reply = AS__TRAINING_PLANS__INIT;
        reply.n_plans = all.n;
        reply.plans = (As__TrainingPlan **)all.msgs;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    as_record_list_free(&all);
    return rc;
}
