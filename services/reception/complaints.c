/* complaints.c — complaints from customers (on-site or by phone), logged by
 * the front desk and resolved by the front-desk manager; reception.complaint.list
 * lists them (open or resolved) for the manager's screen. */
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
    const As__ComplaintLog *req = (const As__ComplaintLog *)cmd->request;
    int rc = s_check_log(cmd, req);
    if (rc != 0)
        return rc;
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
    return rc ? rc : as_cmd_reply(cmd, &complaint.base);
}

int complaint_resolve(as_cmd_t *cmd)
{
    const As__ComplaintResolve *req = (const As__ComplaintResolve *)cmd->request;
    if (blank(req->complaint_id))
        return as_cmd_fail(cmd, AS_EINVALID, "complaint_id is required");
    As__Complaint *complaint = NULL;
    int rc = as_record_load(cmd, as_record_dbi(cmd->svc, "complaints"), "complaint",
                            req->complaint_id, &as__complaint__descriptor, &complaint);
    if (rc == 0 && strcmp(complaint->status ? complaint->status : "", "open") != 0)
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
    return rc;
}

static bool s_of_status(ProtobufCMessage *msg, void *arg)
{
    const As__Complaint *c = (const As__Complaint *)msg;
    return c->status && strcmp(c->status, (const char *)arg) == 0;
}

int complaint_list(as_cmd_t *cmd)
{
    const As__ComplaintListQuery *q = (const As__ComplaintListQuery *)cmd->request;
    if (!blank(q->status) && strcmp(q->status, "open") != 0 && strcmp(q->status, "resolved") != 0)
        return as_cmd_fail(cmd, AS_EINVALID, "status '%s' is not open or resolved", q->status);
    as_record_list_t all = {0};
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "complaints"), NULL,
                            &as__complaint__descriptor, &all);
    if (rc == 0) {
        if (!blank(q->status))
            as_record_list_keep(&all, s_of_status, q->status);
        As__ComplaintList reply = AS__COMPLAINT_LIST__INIT;
        reply.complaints = (As__Complaint **)all.msgs;
        reply.n_complaints = all.n;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    as_record_list_free(&all);
    return rc;
}
