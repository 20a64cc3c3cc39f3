/* complaints.c — complaints from customers (on-site or by phone), logged by
 * the front desk and resolved by the front-desk manager. */
#include <string.h>

#include "reception.h"

static int s_emit(as_cmd_t *cmd, const char *type, As__Complaint *complaint)
{
    As__ComplaintChanged changed = AS__COMPLAINT_CHANGED__INIT;
    changed.complaint = complaint;
    return as_cmd_emit(cmd, type, complaint->complaint_id, &changed.base);
}

static int s_check_log(as_cmd_t *cmd, const As__ComplaintLog *req)
{
    if (blank(req->complaint_id) || strlen(req->complaint_id) > 40)
        return as_cmd_fail(cmd, AS_EINVALID, "complaint_id is required (at most 40 characters)");
    if (as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "complaints"), req->complaint_id))
        return as_cmd_fail(cmd, AS_EEXISTS, "complaint '%s' already exists", req->complaint_id);
    if (!req->channel ||
        (strcmp(req->channel, "on-site") != 0 && strcmp(req->channel, "phone") != 0))
        return as_cmd_fail(cmd, AS_EINVALID, "complaint '%s': channel must be on-site or phone",
                           req->complaint_id);
    if (blank(req->text))
        return as_cmd_fail(cmd, AS_EINVALID, "complaint '%s': text is required", req->complaint_id);
    if (!blank(req->ro_number) &&
        !as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "ros"), req->ro_number))
        return as_cmd_fail(cmd, AS_ENOTFOUND, "repair order '%s' does not exist", req->ro_number);
    return 0;
}

int complaint_log(as_cmd_t *cmd)
{
    int rc = as_cmd_require(cmd, ROLES_CLERK);
    if (rc)
        return rc;
    As__ComplaintLog *req = cmd_request(cmd, &as__complaint_log__descriptor);
    if (!req)
        return AS_EBADFRAME;
    if ((rc = s_check_log(cmd, req)) == 0) {
        As__Complaint complaint = AS__COMPLAINT__INIT;
        complaint.complaint_id = req->complaint_id;
        complaint.ro_number = req->ro_number;
        complaint.channel = req->channel;
        complaint.text = req->text;
        complaint.status = "open";
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "complaints"), req->complaint_id,
                           &complaint.base);
        if (rc == 0)
            rc = s_emit(cmd, "reception.complaint.logged", &complaint);
        if (rc == 0)
            rc = as_cmd_reply(cmd, &complaint.base);
    }
    as__complaint_log__free_unpacked(req, NULL);
    return rc;
}

int complaint_resolve(as_cmd_t *cmd)
{
    int rc = as_cmd_require(cmd, AS_ROLE_FRONT_DESK_MANAGER);
    if (rc)
        return rc;
    As__ComplaintResolve *req = cmd_request(cmd, &as__complaint_resolve__descriptor);
    if (!req)
        return AS_EBADFRAME;
    As__Complaint *complaint = NULL;
    if (blank(req->complaint_id))
        rc = as_cmd_fail(cmd, AS_EINVALID, "complaint_id is required");
    else if ((rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "complaints"), req->complaint_id,
                                 &as__complaint__descriptor, &complaint)) == MDB_NOTFOUND)
        rc = as_cmd_fail(cmd, AS_ENOTFOUND, "complaint '%s' does not exist", req->complaint_id);
    else if (rc == 0 && strcmp(complaint->status ? complaint->status : "", "open") != 0)
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "complaint '%s' is already %s", req->complaint_id,
                         complaint->status ? complaint->status : "closed");
    else if (rc == 0 && blank(req->resolution))
        rc = as_cmd_fail(cmd, AS_EINVALID, "complaint '%s': resolution is required",
                         req->complaint_id);
    if (rc == 0)
        rc = set_text(&complaint->status, "resolved");
    if (rc == 0)
        rc = set_text(&complaint->owner, cmd->actor);
    if (rc == 0)
        rc = set_text(&complaint->resolution, req->resolution);
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "complaints"), complaint->complaint_id,
                           &complaint->base);
    if (rc == 0)
        rc = s_emit(cmd, "reception.complaint.resolved", complaint);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &complaint->base);
    if (complaint)
        as__complaint__free_unpacked(complaint, NULL);
    as__complaint_resolve__free_unpacked(req, NULL);
    return rc;
}
