/* recalls.c — the OEM's open recall campaigns per vehicle, learned from the
 * warranty service's events, so that advisors see them the moment a vehicle
 * is booked, arrives or gets a repair order.
 *
 *   recalls  [vin "/" campaign_id] -> "campaign_id: title" */
#include <stdlib.h>
#include <string.h>

#include "as/pb/warranty.pb-c.h"
#include "reception.h"

static int s_key(const char *vin, const char *campaign, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", vin, campaign);
    return n > 0 && (size_t)n < cap ? 0 : AS_EINVALID;
}

static bool s_listed(char *const *vins, size_t n, const char *vin)
{
    for (size_t i = 0; i < n; i++)
        if (vins[i] && strcmp(vins[i], vin) == 0)
            return true;
    return false;
}

int on_recall_opened(as_evt_t *evt)
{
    As__RecallCampaign *c =
        as__recall_campaign__unpack(NULL, evt->env->payload.len, evt->env->payload.data);
    if (!c || blank(c->campaign_id)) {
        if (c)
            as__recall_campaign__free_unpacked(c, NULL);
        return AS_EINVALID;
    }
    MDB_dbi dbi = as_store_dbi(as_service_store(evt->svc), "recalls");
    char text[512];
    int n = snprintf(text, sizeof text, "%s: %s", c->campaign_id, c->title ? c->title : "");
    int rc = 0;
    for (size_t i = 0; i < c->n_vins && rc == 0; i++) {
        char key[256];
        if (blank(c->vins[i]) || s_listed(c->completed_vins, c->n_completed_vins, c->vins[i]) ||
            s_key(c->vins[i], c->campaign_id, key, sizeof key) != 0)
            continue;
        MDB_val k = {strlen(key), key}, v = {(size_t)n, text};
        rc = mdb_put(evt->txn, dbi, &k, &v, 0);
    }
    as__recall_campaign__free_unpacked(c, NULL);
    return rc;
}

int on_recall_completed(as_evt_t *evt)
{
    As__RecallCompleted *c =
        as__recall_completed__unpack(NULL, evt->env->payload.len, evt->env->payload.data);
    int rc = AS_EINVALID;
    char key[256];
    if (c && !blank(c->vin) && !blank(c->campaign_id) &&
        s_key(c->vin, c->campaign_id, key, sizeof key) == 0) {
        MDB_val k = {strlen(key), key};
        rc = mdb_del(evt->txn, as_store_dbi(as_service_store(evt->svc), "recalls"), &k, NULL);
        if (rc == MDB_NOTFOUND)
            rc = 0;
    }
    if (c)
        as__recall_completed__free_unpacked(c, NULL);
    return rc;
}

int recalls_of(as_service_t *svc, MDB_txn *txn, const char *vin, char ***list, size_t *n)
{
    *list = NULL;
    *n = 0;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, as_store_dbi(as_service_store(svc), "recalls"), &cur);
    if (rc != 0)
        return rc;
    char prefix[256];
    int plen = snprintf(prefix, sizeof prefix, "%s/", vin ? vin : "");
    MDB_val k = {(size_t)plen, prefix}, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < (size_t)plen || memcmp(k.mv_data, prefix, (size_t)plen) != 0)
            break;
        char **grown = realloc(*list, (*n + 1) * sizeof *grown);
        char *text = grown ? strndup(v.mv_data, v.mv_size) : NULL;
        if (!text) {
            free(grown ? grown : *list);
            *list = NULL;
            *n = 0;
            mdb_cursor_close(cur);
            return -ENOMEM;
        }
        grown[(*n)++] = text;
        *list = grown;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

void recalls_free(char ***list, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*list)[i]);
    free(*list);
    *list = NULL;
    *n = 0;
}
