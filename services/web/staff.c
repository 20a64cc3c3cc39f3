/* staff.c — web.credential.list: who signs in on the pages. The members of
 * [staff] (not a system's or delegate's identity: they sign in with their
 * keys), in the config's order, with their roles and, from the store's
 * credentials/<staff id>, whether a password or PIN is set (when, by whom)
 * and a lockout still running. Never the secret or its hash. The service
 * manager's and IT's list on the master-data page (setup.html).
 *
 * Returns as_cmd_reply's code, or a store code (LMDB) as every handler. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/envelope.h"
#include "as/record.h"
#include "as/staff.h"
#include "web.h"

#define S_STAFF_MAX 1024
#define S_ROLE_BITS 14 /* AS_ROLE_SERVICE_MANAGER .. AS_ROLE_DELEGATE */
#define S_PEOPLE (((1u << S_ROLE_BITS) - 1) & ~(AS_ROLE_SYSTEM | AS_ROLE_DELEGATE))

static void s_free_member(As__WebStaffMember *m)
{
    free(m->roles);
    free(m->set_by);
}

/* One member: roles from [staff], the rest from its credential record. */
static int s_member(as_cmd_t *cmd, MDB_dbi dbi, const char *id, As__WebStaffMember *m)
{
    unsigned roles = as_staff_roles(as_service_staff(cmd->svc), id);
    m->staff_id = (char *)id;
    m->roles = calloc(S_ROLE_BITS, sizeof *m->roles);
    if (!m->roles)
        return -ENOMEM;
    for (unsigned bit = 0; bit < S_ROLE_BITS; bit++)
        if (roles & (1u << bit) & S_PEOPLE)
            m->roles[m->n_roles++] = (char *)as_role_name(1u << bit);
    As__WebCredentialRecord *cred = NULL;
    int rc = as_record_get(cmd->txn, dbi, id, &as__web_credential_record__descriptor, &cred);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    m->has_has_secret = m->has_secret = true;
    m->has_set_us = cred->has_set_us;
    m->set_us = cred->set_us;
    m->set_by = cred->set_by ? strdup(cred->set_by) : NULL;
    if (cred->locked_until_us > as_now_us()) {
        m->has_locked_until_us = true;
        m->locked_until_us = cred->locked_until_us;
    }
    as__web_credential_record__free_unpacked(cred, NULL);
    return 0;
}

int web_cmd_credential_list(as_cmd_t *cmd)
{
    const char **ids = calloc(S_STAFF_MAX, sizeof *ids);
    if (!ids)
        return -ENOMEM;
    size_t n = as_staff_list(as_service_staff(cmd->svc), S_PEOPLE, ids, S_STAFF_MAX);
    if (n > S_STAFF_MAX)
        n = S_STAFF_MAX;
    As__WebStaffMember *members = calloc(n ? n : 1, sizeof *members);
    As__WebStaffMember **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    int rc = members && ptrs ? 0 : -ENOMEM;
    MDB_dbi dbi = as_record_dbi(cmd->svc, "credentials");
    size_t done = 0;
    for (; rc == 0 && done < n; done++) {
        as__web_staff_member__init(&members[done]);
        ptrs[done] = &members[done];
        rc = s_member(cmd, dbi, ids[done], &members[done]);
    }
    if (rc == 0) {
        As__WebStaffList list = AS__WEB_STAFF_LIST__INIT;
        list.staff = ptrs;
        list.n_staff = n;
        rc = as_cmd_reply(cmd, &list.base);
    }
    for (size_t i = 0; members && i < done; i++)
        s_free_member(&members[i]);
    free(members);
    free(ptrs);
    free(ids);
    return rc;
}
