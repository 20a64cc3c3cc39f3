/* records.c — reading and writing reception's records, and command helpers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reception.h"

const char *const reception_dbs[] = {"customers",      "vehicles",   "ros",       "ros_by_vin",
                                     "appointments",   "complaints", "reminders", "recalls",
                                     "reminder_plans", NULL};

int rec_get(as_service_t *svc, MDB_txn *txn, const char *db, const char *key,
            const ProtobufCMessageDescriptor *desc, void *out)
{
    MDB_dbi dbi = as_store_dbi(as_service_store(svc), db);
    return as_store_get_msg(txn, dbi, key, strlen(key), desc, (ProtobufCMessage **)out);
}

int rec_put(as_service_t *svc, MDB_txn *txn, const char *db, const char *key,
            const ProtobufCMessage *msg)
{
    MDB_dbi dbi = as_store_dbi(as_service_store(svc), db);
    return as_store_put_msg(txn, dbi, key, strlen(key), msg);
}

bool rec_exists(as_service_t *svc, MDB_txn *txn, const char *db, const char *key)
{
    MDB_dbi dbi = as_store_dbi(as_service_store(svc), db);
    MDB_val k = {strlen(key), (void *)key}, v;
    return mdb_get(txn, dbi, &k, &v) == 0;
}

void *cmd_request(as_cmd_t *cmd, const ProtobufCMessageDescriptor *desc)
{
    ProtobufCMessage *msg = protobuf_c_message_unpack(desc, NULL, cmd->payload_len, cmd->payload);
    if (!msg)
        as_cmd_fail(cmd, AS_EBADFRAME, "payload is not a %s message", desc->short_name);
    return msg;
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

int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void today(char out[AS_DATE_LEN + 1])
{
    as_date_today(out);
}

int ro_load(as_cmd_t *cmd, const char *ro_number, As__RepairOrder **ro)
{
    if (blank(ro_number))
        return as_cmd_fail(cmd, AS_EINVALID, "ro_number is required");
    int rc = rec_get(cmd->svc, cmd->txn, "ros", ro_number, &as__repair_order__descriptor, ro);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "repair order '%s' does not exist", ro_number);
    return rc;
}

int ro_save(as_service_t *svc, MDB_txn *txn, As__RepairOrder *ro)
{
    return rec_put(svc, txn, "ros", ro->ro_number, &ro->base);
}

int ro_emit_cmd(as_cmd_t *cmd, const char *type, const As__RepairOrder *ro)
{
    char date[AS_DATE_LEN + 1];
    today(date);
    As__RoChanged changed = AS__RO_CHANGED__INIT;
    changed.ro = (As__RepairOrder *)ro;
    changed.date = date;
    return as_cmd_emit(cmd, type, ro->ro_number, &changed.base);
}

int ro_emit_evt(as_evt_t *evt, const char *type, const As__RepairOrder *ro)
{
    char date[AS_DATE_LEN + 1];
    today(date);
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
