/* records.c — reading and writing reception's records, and command helpers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/log.h"
#include "reception.h"

const char *const reception_dbs[] = {"customers", "vehicles", "ros", "ros_by_vin", "appointments",
                                     "complaints", "reminders", "recalls", "reminder_plans",
                                     "labour_ops", "labour_rates", "technicians", "part_prices",
                                     "sequences", "customer_words", "customer_phones",
                                     "vehicle_keys", "ros_by_date", "rescues", "lounge",
                                     /* issue 15: quality_actions.c, quality_meetings.c */
                                     "quality_actions", "quality_meetings",
                                     /* issue 15: insurance.c, greetings.c */
                                     "insurance_renewals", "holidays", "greetings_sent", NULL};

/* Before the one key encoding reception joined key parts with '/'. */
int reception_upgrade(as_service_t *svc)
{
    static const char *const composite[] = {"ros_by_vin", "recalls", "reminders", NULL};
    size_t moved = 0;
    int rc = as_record_upgrade(as_service_store(svc), composite, '/', &moved);
    if (rc != 0)
        as_error("reception: moving the store's keys to the one encoding failed: %s",
                 as_strerror(rc));
    else if (moved)
        as_info("reception: %zu keys moved to the one encoding", moved);
    if (rc == 0)
        labour_ops_check_start(svc);
    return rc == 0 ? reception_index_upgrade(svc) : rc;
}

int cmd_reply_free(as_cmd_t *cmd, ProtobufCMessage *msg)
{
    int rc = as_cmd_reply(cmd, msg);
    protobuf_c_message_free_unpacked(msg, NULL);
    return rc;
}

char *dup_text(const char *text)
{
    return strdup(text ? text : "");
}

int set_text(char **field, const char *text)
{
    char *copy = dup_text(text);
    if (!copy)
        return -ENOMEM;
    free(*field);
    *field = copy;
    return 0;
}

bool blank(const char *text)
{
    return !text || !*text;
}

int ro_load(as_cmd_t *cmd, const char *ro_number, As__RepairOrder **ro)
{
    if (blank(ro_number))
        return as_cmd_fail(cmd, AS_EINVALID, "ro_number is required");
    return as_record_load(cmd, as_record_dbi(cmd->svc, "ros"), "repair order", ro_number,
                          &as__repair_order__descriptor, ro);
}

int ro_save(as_service_t *svc, MDB_txn *txn, As__RepairOrder *ro)
{
    return as_record_put(txn, as_record_dbi(svc, "ros"), ro->ro_number, &ro->base);
}

int ro_emit_cmd(as_cmd_t *cmd, const char *type, const As__RepairOrder *ro)
{
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    As__RoChanged changed = AS__RO_CHANGED__INIT;
    changed.ro = (As__RepairOrder *)ro;
    changed.date = date;
    return as_cmd_emit(cmd, type, ro->ro_number, &changed.base);
}

int ro_emit_evt(as_evt_t *evt, const char *type, const As__RepairOrder *ro)
{
    char date[AS_DATE_LEN + 1];
    as_evt_date(evt, date);
    As__RoChanged changed = AS__RO_CHANGED__INIT;
    changed.ro = (As__RepairOrder *)ro;
    changed.date = date;
    return as_evt_emit(evt, type, ro->ro_number, &changed.base);
}

const char *ro_status_name(As__RoStatus status)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&as__ro_status__descriptor, (int)status);
    return v ? v->name : "unknown";
}

void *msg_copy(const ProtobufCMessage *msg)
{
    if (!msg)
        return NULL;
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return NULL;
    protobuf_c_message_pack(msg, buf);
    ProtobufCMessage *copy = protobuf_c_message_unpack(msg->descriptor, NULL, len, buf);
    free(buf);
    return copy;
}
