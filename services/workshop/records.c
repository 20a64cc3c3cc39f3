/* records.c — the workshop's databases, its jobs' keys, and small helpers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "workshop.h"

const char *const ws_dbs[] = {"technicians",    "bays",        "attendance",    "ros",
                              "jobs",           "inspections", "defects",       "tools",
                              "jobs_by_finish", "bulletins",   "bulletin_acks", "vehicles",
                              "training",       NULL};

/* A job's key: ro_number \0 job_no. */
static int s_job_key(as_key_t *key, const char *ro_number, uint32_t job_no)
{
    return as_key_of(key, ro_number, NULL) == 0 ? as_key_add_u32(key, job_no) : AS_EINVALID;
}

bool ws_job_exists(MDB_txn *txn, as_service_t *svc, const char *ro_number, uint32_t job_no)
{
    as_key_t key;
    return s_job_key(&key, ro_number, job_no) == 0 &&
           as_record_exists_key(txn, as_record_dbi(svc, "jobs"), &key);
}

int ws_load_job(as_cmd_t *cmd, const char *ro_number, uint32_t job_no, As__WorkJob **out)
{
    as_key_t key;
    int rc = s_job_key(&key, ro_number, job_no);
    if (rc == 0)
        rc = as_record_get_key(cmd->txn, as_record_dbi(cmd->svc, "jobs"), &key,
                               &as__work_job__descriptor, out);
    if (rc == MDB_NOTFOUND || rc == AS_EINVALID)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "RO %s has no job %u in the workshop", ro_number,
                           job_no);
    return rc;
}

int ws_put_job(MDB_txn *txn, as_service_t *svc, As__WorkJob *job)
{
    as_key_t key;
    if (s_job_key(&key, job->ro_number, job->job_no) != 0)
        return AS_EINVALID;
    job->has_status = job->has_actual_minutes = job->has_qc_failures = 1;
    int rc = ws_job_dates(txn, svc, job);
    if (rc != 0)
        return rc;
    return as_record_put_key(txn, as_record_dbi(svc, "jobs"), &key, &job->base);
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
