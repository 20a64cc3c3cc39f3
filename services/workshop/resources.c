/* resources.c — technicians, bays and attended shifts: what dispatch and the
 * KPI's available hours are made of. Foreman or service manager only (the
 * catalog's roles). */
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "workshop.h"

static const char *const s_bay_kinds[] = {"general", "lift", "alignment", "body", NULL};

static int s_check_skills(as_cmd_t *cmd, const As__TechnicianRegister *req)
{
    if (req->n_skills == 0)
        return as_cmd_fail(cmd, AS_EINVALID, "technician '%s' needs at least one skill",
                           req->tech_id);
    for (size_t i = 0; i < req->n_skills; i++) {
        if (ws_empty(req->skills[i]))
            return as_cmd_fail(cmd, AS_EINVALID, "skill %zu of technician '%s' is empty", i + 1,
                               req->tech_id);
        for (size_t j = 0; j < i; j++)
            if (strcmp(req->skills[i], req->skills[j]) == 0)
                return as_cmd_fail(cmd, AS_EINVALID, "skill '%s' is given twice", req->skills[i]);
    }
    return 0;
}

static int s_check_technician(as_cmd_t *cmd, const As__TechnicianRegister *req)
{
    if (ws_empty(req->tech_id))
        return as_cmd_fail(cmd, AS_EINVALID, "tech_id is required");
    if (!(as_staff_roles(as_service_staff(cmd->svc), req->tech_id) & AS_ROLE_TECHNICIAN))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "'%s' is not a technician on the staff list ([staff] in the config)",
                           req->tech_id);
    if (ws_empty(req->name))
        return as_cmd_fail(cmd, AS_EINVALID, "name of technician '%s' is required", req->tech_id);
    if (!req->has_level || req->level < 1 || req->level > 5)
        return as_cmd_fail(cmd, AS_EINVALID, "level of technician '%s' must be 1..5", req->tech_id);
    if (!req->has_hourly_cost_cents || req->hourly_cost_cents <= 0)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "hourly_cost_cents of technician '%s' must be more than 0",
                           req->tech_id);
    return s_check_skills(cmd, req);
}

/* Registers a technician, or updates one (skills, level, cost after training):
 * what they are clocked on is kept. */
int ws_cmd_technician_register(as_cmd_t *cmd)
{
    const As__TechnicianRegister *req = (const As__TechnicianRegister *)cmd->request;
    int rc = s_check_technician(cmd, req);
    As__Technician *old = NULL;
    if (rc == 0 &&
        (rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "technicians"), req->tech_id,
                            &as__technician__descriptor, &old)) == MDB_NOTFOUND)
        rc = 0;
    if (rc == 0) {
        As__Technician tech = AS__TECHNICIAN__INIT;
        tech.tech_id = req->tech_id;
        tech.name = req->name;
        tech.n_skills = req->n_skills;
        tech.skills = req->skills;
        tech.has_level = tech.has_hourly_cost_cents = 1;
        tech.level = req->level;
        tech.hourly_cost_cents = req->hourly_cost_cents;
        if (old && !ws_empty(old->current_ro)) {
            tech.current_ro = old->current_ro;
            tech.has_current_job_no = tech.has_clocked_on_us = 1;
            tech.current_job_no = old->current_job_no;
            tech.clocked_on_us = old->clocked_on_us;
        }
        As__TechnicianRegistered ev = AS__TECHNICIAN_REGISTERED__INIT;
        ev.technician = &tech;
        if ((rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "technicians"), tech.tech_id,
                                &tech.base)) == 0 &&
            (rc = as_cmd_emit(cmd, "workshop.technician.registered", tech.tech_id, &ev.base)) == 0)
            rc = as_cmd_reply(cmd, &tech.base);
    }
    if (old)
        as__technician__free_unpacked(old, NULL);
    return rc;
}

static int s_check_bay(as_cmd_t *cmd, const As__BayRegister *req)
{
    if (ws_empty(req->bay_id))
        return as_cmd_fail(cmd, AS_EINVALID, "bay_id is required");
    if (ws_empty(req->kind))
        return 0;
    for (size_t i = 0; s_bay_kinds[i]; i++)
        if (strcmp(req->kind, s_bay_kinds[i]) == 0)
            return 0;
    return as_cmd_fail(cmd, AS_EINVALID,
                       "bay kind '%s' is unknown (general, lift, alignment, body)", req->kind);
}

int ws_cmd_bay_register(as_cmd_t *cmd)
{
    const As__BayRegister *req = (const As__BayRegister *)cmd->request;
    int rc = s_check_bay(cmd, req);
    As__Bay *old = NULL;
    if (rc == 0 && (rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "bays"), req->bay_id,
                                       &as__bay__descriptor, &old)) == 0)
        rc = as_cmd_fail(cmd, AS_EEXISTS, "bay '%s' is already registered (%s)", req->bay_id,
                         old->kind ? old->kind : "general");
    else if (rc == MDB_NOTFOUND)
        rc = 0;
    if (rc == 0) {
        As__Bay bay = AS__BAY__INIT;
        bay.bay_id = req->bay_id;
        bay.kind = ws_empty(req->kind) ? "general" : req->kind;
        As__BayRegistered ev = AS__BAY_REGISTERED__INIT;
        ev.bay = &bay;
        if ((rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "bays"), bay.bay_id,
                                &bay.base)) == 0 &&
            (rc = as_cmd_emit(cmd, "workshop.bay.registered", bay.bay_id, &ev.base)) == 0)
            rc = as_cmd_reply(cmd, &bay.base);
    }
    if (old)
        as__bay__free_unpacked(old, NULL);
    return rc;
}

static int s_check_shift(as_cmd_t *cmd, const As__ShiftRecord *req)
{
    if (ws_empty(req->tech_id))
        return as_cmd_fail(cmd, AS_EINVALID, "tech_id is required");
    if (ws_empty(req->date) || !as_date_valid(req->date))
        return as_cmd_fail(cmd, AS_EINVALID, "date '%s' is not a date YYYY-MM-DD",
                           req->date ? req->date : "");
    /* a shift happened on its date: held to the window like any work keyed in later */
    int64_t day_us = 0;
    if (as_datetime_parse(req->date, &day_us) != 0)
        return as_cmd_fail(cmd, AS_EINVALID, "date '%s' has no local midnight", req->date);
    int rc = as_cmd_happened_at(cmd, day_us);
    if (rc != 0)
        return rc;
    if (!req->has_minutes || req->minutes < 1 || req->minutes > 1440)
        return as_cmd_fail(cmd, AS_EINVALID, "minutes of a shift must be 1..1440");
    if (!as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "technicians"), req->tech_id))
        return as_cmd_fail(cmd, AS_ENOTFOUND, "technician '%s' is not registered", req->tech_id);
    return 0;
}

/* One attended shift per technician and date: available hours are counted
 * from the shift.recorded events, so a second record would count twice. */
int ws_cmd_shift_record(as_cmd_t *cmd)
{
    const As__ShiftRecord *req = (const As__ShiftRecord *)cmd->request;
    int rc = s_check_shift(cmd, req);
    as_key_t key;
    As__Attendance *old = NULL;
    if (rc == 0 && as_key_of(&key, req->tech_id, req->date, NULL) != 0)
        rc = as_cmd_fail(cmd, AS_EINVALID, "tech_id '%s' is too long", req->tech_id);
    if (rc == 0 && (rc = as_record_get_key(cmd->txn, as_record_dbi(cmd->svc, "attendance"), &key,
                                           &as__attendance__descriptor, &old)) == 0)
        rc = as_cmd_fail(cmd, AS_EEXISTS, "shift of '%s' on %s is already recorded (%u minutes)",
                         req->tech_id, req->date, old->minutes);
    else if (rc == MDB_NOTFOUND)
        rc = 0;
    if (rc == 0) {
        As__Attendance att = AS__ATTENDANCE__INIT;
        att.tech_id = req->tech_id;
        att.date = req->date;
        att.has_minutes = 1;
        att.minutes = req->minutes;
        As__ShiftRecorded ev = AS__SHIFT_RECORDED__INIT;
        ev.attendance = &att;
        if ((rc = as_record_put_key(cmd->txn, as_record_dbi(cmd->svc, "attendance"), &key,
                                    &att.base)) == 0 &&
            (rc = as_cmd_emit(cmd, "workshop.shift.recorded", att.tech_id, &ev.base)) == 0)
            rc = as_cmd_reply(cmd, &att.base);
    }
    if (old)
        as__attendance__free_unpacked(old, NULL);
    return rc;
}
