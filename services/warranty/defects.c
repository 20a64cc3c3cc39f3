/* defects.c — defect feedback to the OEM: the same labour operation or causal
 * part on several vehicles within a window is a recurring defect (raised once
 * per code and window); a safety-related job is reported at once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "warranty.h"

#define S_KEY_MAX 160

/* Distinct vins noted under `prefix` ("<kind>:<code>\0") between from and to. */
static int s_vins_between(MDB_txn *txn, MDB_dbi dbi, const char *prefix, size_t plen,
                          const char *from, const char *to, char ***vins, size_t *n)
{
    char start[S_KEY_MAX];
    memcpy(start, prefix, plen);
    memcpy(start + plen, from, AS_DATE_LEN);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0)
        return rc;
    MDB_val k = {plen + AS_DATE_LEN, start}, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const char *key = k.mv_data;
        if (k.mv_size < plen + AS_DATE_LEN + 2 || memcmp(key, prefix, plen) != 0 ||
            memcmp(key + plen, to, AS_DATE_LEN) > 0)
            break;
        const char *vin = key + plen + AS_DATE_LEN + 1;
        size_t vlen = k.mv_size - plen - AS_DATE_LEN - 1;
        bool seen = false;
        for (size_t i = 0; i < *n && !seen; i++)
            seen = strlen((*vins)[i]) == vlen && memcmp((*vins)[i], vin, vlen) == 0;
        if (seen)
            continue;
        char **grown = realloc(*vins, (*n + 1) * sizeof *grown);
        if (!grown || !(grown[*n] = strndup(vin, vlen))) {
            if (grown)
                *vins = grown;
            rc = -ENOMEM;
            break;
        }
        *vins = grown;
        (*n)++;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int warranty_defects_note(as_evt_t *evt, const char *kind, const char *code, const char *vin,
                          const char *date)
{
    const warranty_t *w = warranty_of(evt->svc);
    char name[64], key[S_KEY_MAX];
    snprintf(name, sizeof name, "%s:%s", kind, code);
    size_t plen = strlen(name) + 1, vlen = strlen(vin);
    if (!*vin || plen + AS_DATE_LEN + 1 + vlen > sizeof key)
        return 0; /* nothing to count it against */
    memcpy(key, name, plen);
    memcpy(key + plen, date, AS_DATE_LEN);
    key[plen + AS_DATE_LEN] = '\0';
    memcpy(key + plen + AS_DATE_LEN + 1, vin, vlen);
    MDB_dbi occ = as_record_dbi(evt->svc, "occurrences");
    MDB_val k = {plen + AS_DATE_LEN + 1 + vlen, key}, v = {0, ""};
    int rc = mdb_put(evt->txn, occ, &k, &v, 0);
    if (rc != 0)
        return rc;
    /* raised already within this window? */
    MDB_dbi rec = as_record_dbi(evt->svc, "recurring");
    MDB_val rk = {plen - 1, name}, rv;
    if (mdb_get(evt->txn, rec, &rk, &rv) == 0 && rv.mv_size == AS_DATE_LEN) {
        char last[AS_DATE_LEN + 1];
        memcpy(last, rv.mv_data, AS_DATE_LEN);
        last[AS_DATE_LEN] = '\0';
        int64_t since = as_date_diff_days(last, date);
        if (since >= 0 && since < (int64_t)w->recurring_days)
            return 0;
    }
    char from[AS_DATE_LEN + 1];
    as_date_add_days(date, -(int64_t)(w->recurring_days - 1), from);
    char **vins = NULL;
    size_t n = 0;
    rc = s_vins_between(evt->txn, occ, key, plen, from, date, &vins, &n);
    if (rc == 0 && n >= w->recurring_count) {
        MDB_val dv = {AS_DATE_LEN, (void *)date};
        rc = mdb_put(evt->txn, rec, &rk, &dv, 0);
        As__DefectRecurring d = AS__DEFECT_RECURRING__INIT;
        d.kind = (char *)kind;
        d.code = (char *)code;
        d.vins = vins;
        d.n_vins = n;
        d.has_count = d.has_window_days = 1;
        d.count = (uint32_t)n;
        d.window_days = w->recurring_days;
        d.from_date = from;
        d.to_date = (char *)date;
        if (rc == 0)
            rc = as_evt_emit(evt, "warranty.defect.recurring", name, &d.base);
    }
    for (size_t i = 0; i < n; i++)
        free(vins[i]);
    free(vins);
    return rc;
}

int warranty_defect_safety(as_evt_t *evt, const As__DefectSafety *safety)
{
    char key[S_KEY_MAX];
    snprintf(key, sizeof key, "safety:%s-%u", safety->ro_number, safety->job_no);
    MDB_dbi rec = as_record_dbi(evt->svc, "recurring");
    MDB_val k = {strlen(key), key}, v = {AS_DATE_LEN, safety->date};
    if (mdb_get(evt->txn, rec, &k, &(MDB_val){0, NULL}) == 0)
        return 0; /* reported already */
    int rc = mdb_put(evt->txn, rec, &k, &v, 0);
    if (rc == 0)
        rc = as_evt_emit(evt, "warranty.defect.safety", key + 7, &safety->base);
    return rc;
}
