/* requests.c — workshop requests for a tool or equipment (a foreman or a
 * technician asks, the tool room answers), and the tool room's KPIs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "tools.h"

static int s_emit(as_cmd_t *cmd, const char *type, As__ToolRequest *request)
{
    char today[AS_DATE_LEN + 1];
    as_cmd_date(cmd, today);
    As__ToolRequestChanged event = AS__TOOL_REQUEST_CHANGED__INIT;
    event.request = request;
    event.date = today;
    return as_cmd_emit(cmd, type, request->request_no, &event.base);
}

static int s_make_check(as_cmd_t *cmd, const As__ToolRequestMake *req)
{
    const char *no = req->request_no;
    if (!no || !no[0])
        return as_cmd_fail(cmd, AS_EINVALID, "request_no is required");
    if (!tools_id_valid(no))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "request no '%s' must be 1 to 64 of letters, digits, '.', '_', '-'", no);
    if (tools_exists(cmd->svc, cmd->txn, "asks", no))
        return as_cmd_fail(cmd, AS_ECONFLICT, "request '%s' is already recorded", no);
    bool has_tool = req->tool_id && req->tool_id[0];
    if (has_tool && !tools_id_valid(req->tool_id))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "tool id '%s' must be 1 to 64 of letters, digits, '.', '_', '-'",
                           req->tool_id);
    if (has_tool && !tools_exists(cmd->svc, cmd->txn, "items", req->tool_id))
        return as_cmd_fail(cmd, AS_ENOTFOUND, "tool '%s' is not registered", req->tool_id);
    if (!has_tool && !tools_text_valid(req->description))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "request '%s' needs a registered tool_id or a description of what is "
                           "needed (up to %d characters)",
                           no, TOOLS_TEXT_MAX);
    if (req->ro_number && req->ro_number[0] && !tools_id_valid(req->ro_number))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "ro number '%s' must be 1 to 64 of letters, digits, '.', '_', '-'",
                           req->ro_number);
    if (req->needed_date && req->needed_date[0]) {
        char today[AS_DATE_LEN + 1];
        as_cmd_date(cmd, today);
        if (!as_date_valid(req->needed_date))
            return as_cmd_fail(cmd, AS_EINVALID,
                               "needed_date of request '%s' must be a date YYYY-MM-DD (got '%s')",
                               no, req->needed_date);
        if (strcmp(req->needed_date, today) < 0)
            return as_cmd_fail(cmd, AS_EINVALID,
                               "request '%s' is needed on %s, which is past (today is %s)", no,
                               req->needed_date, today);
    }
    return 0;
}

int tools_cmd_request_make(as_cmd_t *cmd)
{
    const As__ToolRequestMake *req = (const As__ToolRequestMake *)cmd->request;
    int rc = s_make_check(cmd, req);
    if (rc == 0) {
        As__ToolRequest request = AS__TOOL_REQUEST__INIT;
        request.request_no = req->request_no;
        request.requested_by = (char *)cmd->actor;
        request.tool_id = req->tool_id && req->tool_id[0] ? req->tool_id : NULL;
        request.description = req->description;
        request.ro_number = req->ro_number && req->ro_number[0] ? req->ro_number : NULL;
        request.needed_date = req->needed_date && req->needed_date[0] ? req->needed_date : NULL;
        request.status = "pending";
        request.has_at_us = 1;
        request.at_us = as_cmd_time(cmd);
        rc = tools_request_put(cmd->svc, cmd->txn, &request);
        if (rc == 0)
            rc = s_emit(cmd, "tools.request.made", &request);
        if (rc == 0)
            rc = as_cmd_reply(cmd, &request.base);
    }
    return rc;
}

static int s_answer_check(as_cmd_t *cmd, const As__ToolRequestAnswer *req,
                          As__ToolRequest **request)
{
    const char *no = req->request_no;
    if (!no || !no[0])
        return as_cmd_fail(cmd, AS_EINVALID, "request_no is required");
    if (!tools_id_valid(no))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "request no '%s' must be 1 to 64 of letters, digits, '.', '_', '-'", no);
    int rc = tools_request_get(cmd->svc, cmd->txn, no, request);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "request '%s' is not recorded", no);
    if (rc != 0)
        return rc;
    if (strcmp((*request)->status, "pending") != 0)
        return as_cmd_fail(cmd, AS_ECONFLICT, "request '%s' is already %s by '%s'", no,
                           (*request)->status, (*request)->answered_by);
    const char *d = req->decision;
    if (!d || (strcmp(d, "approved") != 0 && strcmp(d, "declined") != 0))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "decision on request '%s' must be approved or declined (got '%s')", no,
                           d ? d : "");
    if (!tools_text_valid(req->note))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "the answer to request '%s' needs a note (up to %d characters)", no,
                           TOOLS_TEXT_MAX);
    return 0;
}

int tools_cmd_request_answer(as_cmd_t *cmd)
{
    const As__ToolRequestAnswer *req = (const As__ToolRequestAnswer *)cmd->request;
    As__ToolRequest *request = NULL;
    int rc = s_answer_check(cmd, req, &request);
    if (rc == 0) {
        char *old_status = request->status, *old_note = request->answer_note,
             *old_by = request->answered_by;
        request->status = req->decision;
        request->answer_note = req->note;
        request->answered_by = (char *)cmd->actor;
        request->has_answered_us = 1;
        request->answered_us = as_cmd_time(cmd);
        rc = tools_request_put(cmd->svc, cmd->txn, request);
        if (rc == 0)
            rc = s_emit(cmd, "tools.request.answered", request);
        if (rc == 0)
            rc = as_cmd_reply(cmd, &request->base);
        request->status = old_status;
        request->answer_note = old_note;
        request->answered_by = old_by;
    }
    if (request)
        as__tool_request__free_unpacked(request, NULL);
    return rc;
}

/* A request of the status asked for (arg). */
static bool s_requests_one(ProtobufCMessage *msg, void *arg)
{
    return strcmp(((const As__ToolRequest *)msg)->status, arg) == 0;
}

int tools_cmd_request_list(as_cmd_t *cmd)
{
    const As__ToolRequestListQuery *req = (const As__ToolRequestListQuery *)cmd->request;
    int rc = 0;
    const char *s = req->status && req->status[0] ? req->status : NULL;
    as_record_list_t list = {0};
    if (s && strcmp(s, "pending") != 0 && strcmp(s, "approved") != 0 && strcmp(s, "declined") != 0)
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "status must be pending, approved or declined (got '%s')", s);
    if (rc == 0)
        rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "asks"), NULL,
                            &as__tool_request__descriptor, &list);
    if (rc == 0 && s)
        as_record_list_keep(&list, s_requests_one, (void *)s);
    if (rc == 0) {
        As__ToolRequests reply = AS__TOOL_REQUESTS__INIT;
        reply.n_requests = list.n;
        reply.requests = (As__ToolRequest **)list.msgs;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    as_record_list_free(&list);
    return rc;
}
