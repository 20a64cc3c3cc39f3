/* comeback_cause.c — reception.comeback.cause (issue 15): the front-desk
 * manager, who owns the comeback process, records why a comeback RO came
 * back: one of a fixed list (workmanship, parts_fault, misdiagnosis,
 * customer, other) with a note. It is kept on the comeback RO
 * (comeback_cause, _note, _by; ro.show and ro.list comeback=true show it);
 * recorded again it replaces the first (a quality meeting may reclassify),
 * and reception.comeback.cause_recorded names the cause it replaced. kpi's
 * comeback analysis counts comebacks by it. Refusals (not a comeback, an
 * unknown cause, a note too long) write nothing. */
#include <stdlib.h>
#include <string.h>

#include "reception.h"

#define MAX_NOTE AS_TEXT_CHARS_MAX /* characters */

static const char *const s_causes[] = {"workmanship", "parts_fault", "misdiagnosis",
                                       "customer",    "other",       NULL};

static bool s_cause_known(const char *cause)
{
    for (size_t i = 0; s_causes[i]; i++)
        if (!strcmp(s_causes[i], cause))
            return true;
    return false;
}

static int s_check(as_cmd_t *cmd, const As__ComebackCause *req, const As__RepairOrder *ro)
{
    if (blank(ro->comeback_of))
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "repair order '%s' is not a comeback (no earlier RO with the same "
                           "concern within 30 days)",
                           ro->ro_number);
    if (blank(req->cause))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "repair order '%s': cause is required (workmanship, parts_fault, "
                           "misdiagnosis, customer or other)",
                           ro->ro_number);
    if (!s_cause_known(req->cause))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "repair order '%s': cause '%s' is not one of workmanship, parts_fault, "
                           "misdiagnosis, customer, other",
                           ro->ro_number, req->cause);
    if (req->note && as_text_chars(req->note) > MAX_NOTE)
        return as_cmd_fail(cmd, AS_EINVALID, "repair order '%s': note is longer than %d characters",
                           ro->ro_number, MAX_NOTE);
    return 0;
}

static int s_emit(as_cmd_t *cmd, const As__RepairOrder *ro, const char *previous)
{
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    As__ComebackCauseRecorded m = AS__COMEBACK_CAUSE_RECORDED__INIT;
    m.ro_number = ro->ro_number;
    m.earlier_ro = ro->comeback_of;
    m.cause = ro->comeback_cause;
    m.previous_cause = (char *)previous;
    m.note = ro->comeback_cause_note;
    m.recorded_by = ro->comeback_cause_by;
    m.comeback_date = ro->opened_date;
    m.date = date;
    return as_cmd_emit(cmd, "reception.comeback.cause_recorded", ro->ro_number, &m.base);
}

int comeback_cause(as_cmd_t *cmd)
{
    const As__ComebackCause *req = (const As__ComebackCause *)cmd->request;
    As__RepairOrder *ro = NULL;
    int rc = ro_load(cmd, req->ro_number, &ro);
    if (rc != 0)
        return rc;
    char *previous = ro->comeback_cause;
    ro->comeback_cause = NULL;
    if ((rc = s_check(cmd, req, ro)) == 0 &&
        (rc = set_text(&ro->comeback_cause, req->cause)) == 0 &&
        (rc = set_text(&ro->comeback_cause_note, req->note ? req->note : "")) == 0 &&
        (rc = set_text(&ro->comeback_cause_by, cmd->actor)) == 0 &&
        (rc = ro_save(cmd->svc, cmd->txn, ro)) == 0 && (rc = s_emit(cmd, ro, previous)) == 0)
        rc = as_cmd_reply(cmd, &ro->base);
    free(previous);
    as__repair_order__free_unpacked(ro, NULL);
    return rc;
}
