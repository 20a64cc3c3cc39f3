/* queries.c — one RO's view (the board: board.c). Any staff member may look
 * (the catalog's roles). */
#include "as/error.h"
#include "workshop.h"

static int s_show(as_cmd_t *cmd, As__WorkRo *ro)
{
    as_key_t prefix;
    if (as_key_of(&prefix, ro->ro_number, NULL) != 0)
        return AS_EINVALID;
    as_record_list_t jobs = {0}, insps = {0}, defects = {0};
    int rc;
    if ((rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "jobs"), &prefix,
                             &as__work_job__descriptor, &jobs)) == 0 &&
        (rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "inspections"), &prefix,
                             &as__inspection__descriptor, &insps)) == 0 &&
        (rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "defects"), &prefix,
                             &as__extra_defect__descriptor, &defects)) == 0) {
        As__WorkRo view = *ro;
        view.n_jobs = jobs.n;
        view.jobs = (As__WorkJob **)jobs.msgs;
        view.n_inspection_log = insps.n;
        view.inspection_log = (As__Inspection **)insps.msgs;
        view.n_defects = defects.n;
        view.defects = (As__ExtraDefect **)defects.msgs;
        rc = as_cmd_reply(cmd, &view.base);
    }
    as_record_list_free(&jobs);
    as_record_list_free(&insps);
    as_record_list_free(&defects);
    return rc;
}

int ws_cmd_ro_show(as_cmd_t *cmd)
{
    const As__RoQuery *req = (const As__RoQuery *)cmd->request;
    As__WorkRo *ro = NULL;
    int rc = 0;
    if (ws_empty(req->ro_number))
        rc = as_cmd_fail(cmd, AS_EINVALID, "ro_number is required");
    if (rc == 0 && (rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "ros"), req->ro_number,
                                       &as__work_ro__descriptor, &ro)) == MDB_NOTFOUND)
        rc = as_cmd_fail(cmd, AS_ENOTFOUND, "RO %s is not known to the workshop", req->ro_number);
    if (rc == 0)
        rc = s_show(cmd, ro);
    if (ro)
        as__work_ro__free_unpacked(ro, NULL);
    return rc;
}
