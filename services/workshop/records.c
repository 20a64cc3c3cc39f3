/* records.c — the workshop's databases: keys, get/put, prefix listings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "workshop.h"

const char *const ws_dbs[] = {"technicians", "bays",    "attendance", "ros", "jobs",
                              "inspections", "defects", "tools",      NULL};

static int s_key_first(ws_key_t *key, const char *first)
{
    size_t n = strlen(first);
    if (n + 6 > sizeof key->data)
        return AS_EINVALID;
    memcpy(key->data, first, n);
    key->len = n;
    return 0;
}

int ws_key_text(ws_key_t *key, const char *first, const char *second)
{
    if (s_key_first(key, first) != 0)
        return AS_EINVALID;
    if (!second)
        return 0;
    size_t n = strlen(second);
    if (key->len + 1 + n > sizeof key->data)
        return AS_EINVALID;
    key->data[key->len++] = '\0';
    memcpy(key->data + key->len, second, n);
    key->len += n;
    return 0;
}

int ws_key_num(ws_key_t *key, const char *first, uint32_t second)
{
    if (s_key_first(key, first) != 0)
        return AS_EINVALID;
    key->data[key->len++] = '\0';
    for (int shift = 24; shift >= 0; shift -= 8)
        key->data[key->len++] = (char)((second >> shift) & 0xff);
    return 0;
}

int ws_get(MDB_txn *txn, as_service_t *svc, const char *db, const ws_key_t *key,
           const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out)
{
    MDB_dbi dbi = as_store_dbi(as_service_store(svc), db);
    return as_store_get_msg(txn, dbi, key->data, key->len, desc, out);
}

int ws_put(MDB_txn *txn, as_service_t *svc, const char *db, const ws_key_t *key,
           const ProtobufCMessage *msg)
{
    MDB_dbi dbi = as_store_dbi(as_service_store(svc), db);
    return as_store_put_msg(txn, dbi, key->data, key->len, msg);
}

static int s_list_add(ws_list_t *list, ProtobufCMessage *msg)
{
    ProtobufCMessage **grown = realloc(list->items, (list->n + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    list->items = grown;
    list->items[list->n++] = msg;
    return 0;
}

int ws_list(MDB_txn *txn, as_service_t *svc, const char *db, const void *prefix, size_t prefix_len,
            const ProtobufCMessageDescriptor *desc, ws_list_t *out)
{
    memset(out, 0, sizeof *out);
    MDB_dbi dbi = as_store_dbi(as_service_store(svc), db);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0)
        return rc;
    MDB_val k = {prefix_len, (void *)prefix}, v;
    MDB_cursor_op op = prefix_len ? MDB_SET_RANGE : MDB_FIRST;
    while ((rc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
        op = MDB_NEXT;
        if (prefix_len && (k.mv_size < prefix_len || memcmp(k.mv_data, prefix, prefix_len) != 0))
            break;
        ProtobufCMessage *msg = protobuf_c_message_unpack(desc, NULL, v.mv_size, v.mv_data);
        if (!msg) {
            rc = AS_EBADFRAME;
            break;
        }
        if ((rc = s_list_add(out, msg)) != 0) {
            protobuf_c_message_free_unpacked(msg, NULL);
            break;
        }
    }
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND || rc == 0)
        return 0;
    ws_list_free(out);
    return rc;
}

void ws_list_free(ws_list_t *list)
{
    for (size_t i = 0; i < list->n; i++)
        protobuf_c_message_free_unpacked(list->items[i], NULL);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

int ws_ro_jobs(MDB_txn *txn, as_service_t *svc, const char *ro_number, ws_list_t *out)
{
    ws_key_t key;
    if (ws_key_text(&key, ro_number, "") != 0)
        return AS_EINVALID;
    return ws_list(txn, svc, "jobs", key.data, key.len, &as__work_job__descriptor, out);
}

int ws_get_job(MDB_txn *txn, as_service_t *svc, const char *ro_number, uint32_t job_no,
               As__WorkJob **out)
{
    ws_key_t key;
    if (ws_key_num(&key, ro_number, job_no) != 0)
        return MDB_NOTFOUND;
    return ws_get(txn, svc, "jobs", &key, &as__work_job__descriptor, (ProtobufCMessage **)out);
}

int ws_put_job(MDB_txn *txn, as_service_t *svc, As__WorkJob *job)
{
    ws_key_t key;
    if (ws_key_num(&key, job->ro_number, job->job_no) != 0)
        return AS_EINVALID;
    job->has_status = job->has_actual_minutes = job->has_qc_failures = 1;
    return ws_put(txn, svc, "jobs", &key, &job->base);
}

int ws_get_tech(MDB_txn *txn, as_service_t *svc, const char *tech_id, As__Technician **out)
{
    ws_key_t key;
    if (ws_key_text(&key, tech_id, NULL) != 0)
        return MDB_NOTFOUND;
    return ws_get(txn, svc, "technicians", &key, &as__technician__descriptor,
                  (ProtobufCMessage **)out);
}

int ws_put_tech(MDB_txn *txn, as_service_t *svc, const As__Technician *tech)
{
    ws_key_t key;
    if (ws_key_text(&key, tech->tech_id, NULL) != 0)
        return AS_EINVALID;
    return ws_put(txn, svc, "technicians", &key, &tech->base);
}

int ws_get_bay(MDB_txn *txn, as_service_t *svc, const char *bay_id, As__Bay **out)
{
    ws_key_t key;
    if (ws_key_text(&key, bay_id, NULL) != 0)
        return MDB_NOTFOUND;
    return ws_get(txn, svc, "bays", &key, &as__bay__descriptor, (ProtobufCMessage **)out);
}

int ws_put_bay(MDB_txn *txn, as_service_t *svc, const As__Bay *bay)
{
    ws_key_t key;
    if (ws_key_text(&key, bay->bay_id, NULL) != 0)
        return AS_EINVALID;
    return ws_put(txn, svc, "bays", &key, &bay->base);
}

int ws_get_ro(MDB_txn *txn, as_service_t *svc, const char *ro_number, As__WorkRo **out)
{
    ws_key_t key;
    if (ws_key_text(&key, ro_number, NULL) != 0)
        return MDB_NOTFOUND;
    return ws_get(txn, svc, "ros", &key, &as__work_ro__descriptor, (ProtobufCMessage **)out);
}

int ws_put_ro(MDB_txn *txn, as_service_t *svc, const As__WorkRo *ro)
{
    ws_key_t key;
    if (ws_key_text(&key, ro->ro_number, NULL) != 0)
        return AS_EINVALID;
    return ws_put(txn, svc, "ros", &key, &ro->base);
}

int ws_set_str(char **field, const char *value)
{
    char *copy = NULL;
    if (!ws_empty(value) && !(copy = strdup(value)))
        return -ENOMEM;
    free(*field);
    *field = copy;
    return 0;
}

int ws_empty(const char *s)
{
    return !s || !*s;
}

const char *ws_status_name(As__WorkStatus status)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&as__work_status__descriptor, (int)status);
    return v ? v->name : "WORK_STATUS_UNSET";
}

void ws_today(char out[11])
{
    as_date_today(out);
}
