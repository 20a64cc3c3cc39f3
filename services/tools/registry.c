/* registry.c — the tool room's registry: tools, equipment and documents, their
 * calibration records and schedule, and which tools may go out now. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "tools.h"

/* --- register ------------------------------------------------------------ */

static int s_register_check(as_cmd_t *cmd, const As__ToolRegister *req, const char *today)
{
    const char *id = req->tool_id;
    if (!id || !id[0])
        return as_cmd_fail(cmd, AS_EINVALID, "tool_id is required");
    if (!tools_id_valid(id))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "tool id '%s' must be 1 to 64 of letters, digits, '.', '_', '-'", id);
    if (tools_exists(cmd->svc, cmd->txn, "items", id))
        return as_cmd_fail(cmd, AS_ECONFLICT, "tool '%s' is already registered", id);
    if (!tools_kind_valid(req->kind))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "kind of tool '%s' must be special_tool, equipment or document "
                           "(got '%s')",
                           id, req->kind ? req->kind : "");
    if (!tools_text_valid(req->description))
        return as_cmd_fail(cmd, AS_EINVALID, "tool '%s' needs a description (up to %d characters)",
                           id, TOOLS_TEXT_MAX);
    if (!tools_text_valid(req->location))
        return as_cmd_fail(cmd, AS_EINVALID, "tool '%s' needs a location (up to %d characters)", id,
                           TOOLS_TEXT_MAX);
    if (req->condition && !tools_condition_valid(req->condition))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "condition of tool '%s' must be good, worn or damaged (got '%s')", id,
                           req->condition);
    if (req->calibration_interval_days > TOOLS_MAX_INTERVAL)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "calibration interval of tool '%s' must be 0 (none) to %u days", id,
                           TOOLS_MAX_INTERVAL);
    const char *last = req->last_calibration;
    if (last && last[0] && !as_date_valid(last))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "last calibration of tool '%s' must be a date YYYY-MM-DD (got '%s')", id,
                           last);
    if (last && last[0] && strcmp(last, today) > 0)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "last calibration of tool '%s' on %s is in the future (today is %s)", id,
                           last, today);
    if (last && last[0] && req->calibration_interval_days == 0)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "tool '%s' has a last calibration but no calibration interval", id);
    return 0;
}

int tools_cmd_item_register(as_cmd_t *cmd)
{
    const As__ToolRegister *req = (const As__ToolRegister *)cmd->request;
    char today[AS_DATE_LEN + 1], next[AS_DATE_LEN + 1];
    tools_today(today);
    int rc = s_register_check(cmd, req, today);
    if (rc == 0) {
        As__ToolItem item = AS__TOOL_ITEM__INIT;
        item.tool_id = req->tool_id;
        item.kind = req->kind;
        item.description = req->description;
        item.location = req->location;
        item.condition = req->condition ? req->condition : "good";
        item.has_calibration_interval_days = 1;
        item.calibration_interval_days = req->calibration_interval_days;
        item.last_calibration =
            req->last_calibration && req->last_calibration[0] ? req->last_calibration : NULL;
        item.registered_by = (char *)cmd->actor;
        item.has_at_us = 1;
        item.at_us = as_now_us();
        rc = tools_item_put(cmd->svc, cmd->txn, &item);
        tools_item_next(&item, next);
        item.next_calibration = next;
        As__ToolItemRegistered event = AS__TOOL_ITEM_REGISTERED__INIT;
        event.item = &item;
        event.date = today;
        if (rc == 0)
            rc = as_cmd_emit(cmd, "tools.item.registered", item.tool_id, &event.base);
        if (rc == 0)
            rc = as_cmd_reply(cmd, &item.base);
    }
    return rc;
}

/* --- show and list --------------------------------------------------------- */

/* Looks the tool up, failing the command when the id is bad or unknown. */
static int s_item_find(as_cmd_t *cmd, const char *id, As__ToolItem **item)
{
    if (!id || !id[0])
        return as_cmd_fail(cmd, AS_EINVALID, "tool_id is required");
    if (!tools_id_valid(id))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "tool id '%s' must be 1 to 64 of letters, digits, '.', '_', '-'", id);
    int rc = tools_item_get(cmd->svc, cmd->txn, id, item);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "tool '%s' is not registered", id);
    return rc;
}

int tools_cmd_item_show(as_cmd_t *cmd)
{
    const As__ToolQuery *req = (const As__ToolQuery *)cmd->request;
    As__ToolItem *item = NULL;
    int rc = s_item_find(cmd, req->tool_id, &item);
    if (rc == 0) {
        char next[AS_DATE_LEN + 1];
        tools_item_next(item, next);
        item->next_calibration = next;
        rc = as_cmd_reply(cmd, &item->base);
        item->next_calibration = NULL;
    }
    if (item)
        as__tool_item__free_unpacked(item, NULL);
    return rc;
}

/* Whether the list asked for (arg) shows the item. */
static bool s_list_one(ProtobufCMessage *msg, void *arg)
{
    const As__ToolItem *item = (const As__ToolItem *)msg;
    const As__ToolListQuery *q = arg;
    if (q->kind && q->kind[0] && (!item->kind || strcmp(item->kind, q->kind) != 0))
        return false;
    return !(q->location && q->location[0] &&
             (!item->location || strcmp(item->location, q->location)));
}

int tools_cmd_item_list(as_cmd_t *cmd)
{
    const As__ToolListQuery *req = (const As__ToolListQuery *)cmd->request;
    int rc = 0;
    as_record_list_t list = {0};
    char(*next)[AS_DATE_LEN + 1] = NULL;
    if (req->kind && req->kind[0] && !tools_kind_valid(req->kind))
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "kind must be special_tool, equipment or document (got '%s')", req->kind);
    if (rc == 0)
        rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "items"), NULL,
                            &as__tool_item__descriptor, &list);
    if (rc == 0)
        as_record_list_keep(&list, s_list_one, (void *)req);
    if (rc == 0 && list.n > 0 && !(next = calloc(list.n, sizeof *next)))
        rc = -ENOMEM;
    if (rc == 0) {
        As__ToolList reply = AS__TOOL_LIST__INIT;
        reply.n_items = list.n;
        reply.items = (As__ToolItem **)list.msgs;
        for (size_t i = 0; i < list.n; i++) {
            tools_item_next(reply.items[i], next[i]);
            reply.items[i]->next_calibration = next[i];
        }
        rc = as_cmd_reply(cmd, &reply.base);
        for (size_t i = 0; i < list.n; i++)
            reply.items[i]->next_calibration = NULL;
    }
    free(next);
    as_record_list_free(&list);
    return rc;
}

/* --- calibration ------------------------------------------------------------ */

static int s_calibration_check(as_cmd_t *cmd, const As__ToolCalibrationRecord *req,
                               const As__ToolItem *item, const char *today)
{
    const char *id = item->tool_id;
    if (item->calibration_interval_days == 0)
        return as_cmd_fail(cmd, AS_ECONFLICT, "tool '%s' has no calibration interval", id);
    if (!req->date || !as_date_valid(req->date))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "calibration date of tool '%s' must be a date YYYY-MM-DD (got '%s')", id,
                           req->date ? req->date : "");
    if (strcmp(req->date, today) > 0)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "calibration of tool '%s' on %s is in the future (today is %s)", id,
                           req->date, today);
    if (item->n_calibrations > 0 &&
        strcmp(req->date, item->calibrations[item->n_calibrations - 1]->date) < 0)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "calibration of tool '%s' on %s is before its last one on %s", id,
                           req->date, item->calibrations[item->n_calibrations - 1]->date);
    if (item->last_calibration && strcmp(req->date, item->last_calibration) < 0)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "calibration of tool '%s' on %s is before its last one on %s", id,
                           req->date, item->last_calibration);
    if (!req->result || (strcmp(req->result, "pass") != 0 && strcmp(req->result, "fail") != 0))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "result of the calibration of tool '%s' must be pass or fail (got '%s')",
                           id, req->result ? req->result : "");
    if (!tools_text_valid(req->certificate))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "calibration of tool '%s' needs its certificate (up to %d characters)",
                           id, TOOLS_TEXT_MAX);
    if (item->lost)
        return as_cmd_fail(cmd, AS_ECONFLICT, "tool '%s' is reported lost", id);
    if (item->loan_id && item->loan_id[0])
        return as_cmd_fail(cmd, AS_ECONFLICT, "tool '%s' is on loan '%s'", id, item->loan_id);
    return 0;
}

/* Adds the record to the item and puts the item in or out of service. */
static int s_calibration_apply(const As__ToolCalibrationRecord *req, As__ToolItem *item,
                               As__ToolCalibration *record, char *note, size_t note_cap)
{
    As__ToolCalibration **grown =
        realloc(item->calibrations, (item->n_calibrations + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    item->calibrations = grown;
    item->calibrations[item->n_calibrations++] = record;
    bool pass = strcmp(req->result, "pass") == 0;
    /* the unpacked strings stay owned by req and item; pointers are swapped
     * back by the caller before either is freed */
    if (pass) {
        item->last_calibration = req->date;
        item->out_of_service = false;
        item->service_note = NULL;
    } else {
        snprintf(note, note_cap, "failed calibration on %s (certificate %s)", req->date,
                 req->certificate);
        item->out_of_service = true;
        item->service_note = note;
    }
    return 0;
}

int tools_cmd_calibration_record(as_cmd_t *cmd)
{
    const As__ToolCalibrationRecord *req = (const As__ToolCalibrationRecord *)cmd->request;
    As__ToolItem *item = NULL;
    char today[AS_DATE_LEN + 1], due[AS_DATE_LEN + 1], next[AS_DATE_LEN + 1], note[600];
    tools_today(today);
    int rc = s_item_find(cmd, req->tool_id, &item);
    if (rc == 0)
        rc = s_calibration_check(cmd, req, item, today);
    if (rc != 0)
        goto out;
    tools_item_next(item, due);
    As__ToolCalibration record = AS__TOOL_CALIBRATION__INIT;
    record.date = req->date;
    record.result = req->result;
    record.certificate = req->certificate;
    record.due_date = due[0] ? due : NULL;
    record.has_on_time = 1;
    record.on_time = !due[0] || strcmp(req->date, due) <= 0;
    record.recorded_by = (char *)cmd->actor;
    record.has_at_us = 1;
    record.at_us = as_now_us();
    char *old_last = item->last_calibration, *old_note = item->service_note;
    size_t old_n = item->n_calibrations;
    rc = s_calibration_apply(req, item, &record, note, sizeof note);
    if (rc == 0)
        rc = tools_item_put(cmd->svc, cmd->txn, item);
    tools_item_next(item, next);
    As__ToolCalibrationRecorded event = AS__TOOL_CALIBRATION_RECORDED__INIT;
    event.tool_id = item->tool_id;
    event.calibration = &record;
    event.has_out_of_service = 1;
    event.out_of_service = item->out_of_service;
    event.next_calibration = next;
    if (rc == 0)
        rc = as_cmd_emit(cmd, "tools.calibration.recorded", item->tool_id, &event.base);
    item->next_calibration = next;
    if (rc == 0)
        rc = as_cmd_reply(cmd, &item->base);
    item->next_calibration = NULL;
    item->last_calibration = old_last;
    item->service_note = old_note;
    item->n_calibrations = old_n; /* the appended record lives on this stack */
out:
    if (item)
        as__tool_item__free_unpacked(item, NULL);
    return rc;
}

typedef struct {
    const char *date;
    const char *until;
    As__ToolDueLine *lines;
    char (*next)[AS_DATE_LEN + 1];
    char **ids;
    size_t n, cap;
    As__ToolCalibrationDue reply;
} s_due_t;

static int s_due_one(s_due_t *due, const As__ToolItem *item)
{
    if (item->calibration_interval_days == 0 || item->lost)
        return 0;
    char next[AS_DATE_LEN + 1];
    tools_item_next(item, next);
    bool overdue = !next[0] || strcmp(next, due->date) < 0;
    if (!overdue && strcmp(next, due->until) > 0)
        return 0;
    if (due->n == due->cap) {
        size_t cap = due->cap ? due->cap * 2 : 16;
        As__ToolDueLine *lines = realloc(due->lines, cap * sizeof *lines);
        if (lines)
            due->lines = lines;
        char(*nexts)[AS_DATE_LEN + 1] = realloc(due->next, cap * sizeof *nexts);
        if (nexts)
            due->next = nexts;
        char **ids = realloc(due->ids, cap * sizeof *ids);
        if (ids)
            due->ids = ids;
        if (!lines || !nexts || !ids)
            return -ENOMEM;
        due->cap = cap;
    }
    As__ToolDueLine *line = &due->lines[due->n];
    as__tool_due_line__init(line);
    if (!(due->ids[due->n] = strdup(item->tool_id)))
        return -ENOMEM;
    memcpy(due->next[due->n], next, sizeof next);
    line->tool_id = due->ids[due->n];
    line->next_calibration = due->next[due->n];
    line->has_days = next[0] != '\0';
    line->days = next[0] ? (int32_t)as_date_diff_days(due->date, next) : 0;
    due->n++;
    return 0;
}

static int s_due_scan(as_cmd_t *cmd, s_due_t *due)
{
    as_record_list_t items;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "items"), NULL,
                            &as__tool_item__descriptor, &items);
    for (size_t i = 0; rc == 0 && i < items.n; i++)
        rc = s_due_one(due, (const As__ToolItem *)items.msgs[i]);
    as_record_list_free(&items);
    return rc;
}

static int s_due_reply(as_cmd_t *cmd, s_due_t *due)
{
    As__ToolDueLine **late = calloc(due->n + 1, sizeof *late);
    As__ToolDueLine **soon = calloc(due->n + 1, sizeof *soon);
    int rc = (late && soon) ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < due->n; i++) {
        As__ToolDueLine *line = &due->lines[i];
        if (!line->next_calibration[0] || line->days < 0)
            late[due->reply.n_overdue++] = line;
        else
            soon[due->reply.n_due++] = line;
    }
    due->reply.overdue = late;
    due->reply.due = soon;
    due->reply.date = (char *)due->date;
    if (rc == 0)
        rc = as_cmd_reply(cmd, &due->reply.base);
    free(late);
    free(soon);
    return rc;
}

int tools_cmd_calibration_due(as_cmd_t *cmd)
{
    const As__ToolCalibrationDueQuery *req = (const As__ToolCalibrationDueQuery *)cmd->request;
    int rc = 0;
    char until[AS_DATE_LEN + 1];
    s_due_t due = {.reply = AS__TOOL_CALIBRATION_DUE__INIT};
    uint32_t within = req->has_within_days ? req->within_days : TOOLS_DUE_WINDOW;
    if (!req->date || !as_date_valid(req->date))
        rc = as_cmd_fail(cmd, AS_EINVALID, "date must be a date YYYY-MM-DD (got '%s')",
                         req->date ? req->date : "");
    else if (within > TOOLS_MAX_INTERVAL)
        rc = as_cmd_fail(cmd, AS_EINVALID, "within_days must be 0 to %u", TOOLS_MAX_INTERVAL);
    if (rc == 0) {
        as_date_add_days(req->date, within, until);
        due.date = req->date;
        due.until = until;
        rc = s_due_scan(cmd, &due);
    }
    if (rc == 0)
        rc = s_due_reply(cmd, &due);
    for (size_t i = 0; i < due.n; i++)
        free(due.ids[i]);
    free(due.ids);
    free(due.next);
    free(due.lines);
    return rc;
}

/* --- availability for dispatch ---------------------------------------------- */

/* One tool's answer and the texts it points at until the reply is sent. */
typedef struct {
    As__ToolAvailable answer;
    char why[300];             /* the reason in English */
    char due[AS_DATE_LEN + 1]; /* the day a calibration was due */
    char *args[2];             /* reason_args: the tool id, then what the code names */
    char *arg;                 /* owned copy of the second argument (the item is freed) */
} s_availability_t;

int tools_cmd_availability(as_cmd_t *cmd)
{
    const As__ToolAvailabilityQuery *req = (const As__ToolAvailabilityQuery *)cmd->request;
    int rc = 0;
    size_t n = req->n_tool_ids;
    if (n == 0)
        rc = as_cmd_fail(cmd, AS_EINVALID, "give the tool_ids to check");
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!tools_id_valid(req->tool_ids[i]))
            rc = as_cmd_fail(cmd, AS_EINVALID,
                             "tool id '%s' must be 1 to 64 of letters, digits, '.', '_', '-'",
                             req->tool_ids[i]);
    s_availability_t *slots = rc == 0 ? calloc(n, sizeof *slots) : NULL;
    As__ToolAvailable **ptrs = rc == 0 ? calloc(n, sizeof *ptrs) : NULL;
    if (rc == 0 && (!slots || !ptrs))
        rc = -ENOMEM;
    char today[AS_DATE_LEN + 1];
    tools_today(today);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        s_availability_t *slot = &slots[i];
        As__ToolAvailable *a = &slot->answer;
        as__tool_available__init(a);
        a->tool_id = req->tool_ids[i];
        a->has_available = 1;
        slot->args[0] = a->tool_id;
        a->reason_args = slot->args;
        a->n_reason_args = 1;
        As__ToolItem *item;
        int got = tools_item_get(cmd->svc, cmd->txn, a->tool_id, &item);
        if (got == MDB_NOTFOUND) {
            snprintf(slot->why, sizeof slot->why, "tool '%s' is not registered", a->tool_id);
            a->reason_code = "not_registered";
        } else if (got != 0) {
            rc = got;
            break;
        } else {
            const char *code, *arg;
            a->available = !tools_item_blocked(item, today, slot->why, sizeof slot->why, &code,
                                               &arg, slot->due);
            a->reason_code = (char *)code;
            if (arg && !(slot->arg = strdup(arg)))
                rc = -ENOMEM;
            if (slot->arg) {
                slot->args[1] = slot->arg;
                a->n_reason_args = 2;
            }
            as__tool_item__free_unpacked(item, NULL);
        }
        a->reason = a->available ? NULL : slot->why;
        if (a->available)
            a->n_reason_args = 0;
        ptrs[i] = a;
    }
    if (rc == 0) {
        As__ToolAvailability reply = AS__TOOL_AVAILABILITY__INIT;
        reply.n_tools = n;
        reply.tools = ptrs;
        reply.date = today;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    for (size_t i = 0; slots && i < n; i++)
        free(slots[i].arg);
    free(ptrs);
    free(slots);
    return rc;
}
