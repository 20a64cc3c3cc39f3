/* recalls.c — the OEM's open recall campaigns per vehicle, learned from the
 * warranty service's events, so that advisors see them the moment a vehicle
 * is booked, arrives or gets a repair order. A crm request waiting in the
 * clerk's queue shows the vehicle's recalls open now: each campaign event
 * refreshes the waiting requests of its vehicles.
 *
 *   recalls  vin \0 campaign_id -> "campaign_id: title" */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/pb/warranty.pb-c.h"
#include "reception.h"

static bool s_listed(char *const *vins, size_t n, const char *vin)
{
    for (size_t i = 0; i < n; i++)
        if (vins[i] && strcmp(vins[i], vin) == 0)
            return true;
    return false;
}

/* A request from the crm waits for the clerk with the vehicle's open recalls
 * as reception knows them now, whether the warranty service's campaign came
 * before or after the crm's request (two sources, in any order): each still
 * REQUESTED for a vehicle `wanted` says yes to gets them again. */
static int s_refresh_requests(as_evt_t *evt, bool (*wanted)(const char *vin, const void *arg),
                              const void *arg)
{
    MDB_dbi dbi = as_record_dbi(evt->svc, "appointments");
    as_record_list_t all;
    int rc = as_record_scan(evt->txn, dbi, NULL, &as__appointment__descriptor, &all);
    for (size_t i = 0; i < all.n && rc == 0; i++) {
        As__Appointment *a = (As__Appointment *)all.msgs[i];
        if (a->status != AS__APPOINTMENT_STATUS__REQUESTED || blank(a->vin) ||
            blank(a->appointment_id) || !wanted(a->vin, arg))
            continue;
        recalls_free(&a->open_recalls, &a->n_open_recalls);
        rc = recalls_of(evt->svc, evt->txn, a->vin, &a->open_recalls, &a->n_open_recalls);
        if (rc == 0)
            rc = as_record_put(evt->txn, dbi, a->appointment_id, &a->base);
    }
    as_record_list_free(&all);
    return rc;
}

static bool s_in_campaign(const char *vin, const void *arg)
{
    const As__RecallCampaign *c = arg;
    return s_listed(c->vins, c->n_vins, vin);
}

static bool s_same_vin(const char *vin, const void *arg)
{
    return strcmp(vin, (const char *)arg) == 0;
}

int on_recall_opened(as_evt_t *evt)
{
    const As__RecallCampaign *c = (const As__RecallCampaign *)evt->payload;
    if (blank(c->campaign_id))
        return AS_EINVALID;
    MDB_dbi dbi = as_record_dbi(evt->svc, "recalls");
    char text[512];
    int n = snprintf(text, sizeof text, "%s: %s", c->campaign_id, c->title ? c->title : "");
    int rc = 0;
    for (size_t i = 0; i < c->n_vins && rc == 0; i++) {
        as_key_t key;
        if (blank(c->vins[i]) || s_listed(c->completed_vins, c->n_completed_vins, c->vins[i]) ||
            as_key_of(&key, c->vins[i], c->campaign_id, NULL) != 0)
            continue;
        MDB_val k = {key.len, key.data}, v = {(size_t)n, text};
        rc = mdb_put(evt->txn, dbi, &k, &v, 0);
    }
    return rc ? rc : s_refresh_requests(evt, s_in_campaign, c);
}

int on_recall_completed(as_evt_t *evt)
{
    const As__RecallCompleted *c = (const As__RecallCompleted *)evt->payload;
    if (blank(c->vin) || blank(c->campaign_id))
        return AS_EINVALID;
    int rc = as_record_del_in(evt->txn, as_record_dbi(evt->svc, "recalls"), c->vin, c->campaign_id);
    return rc ? rc : s_refresh_requests(evt, s_same_vin, c->vin);
}

typedef struct {
    char ***list;
    size_t *n;
} s_texts_t;

/* Appends a copy of a campaign's text to the list. */
static int s_take_text(const MDB_val *rest, const MDB_val *value, void *arg)
{
    (void)rest;
    s_texts_t *texts = arg;
    char **grown = realloc(*texts->list, (*texts->n + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    *texts->list = grown;
    if (!(grown[*texts->n] = strndup(value->mv_data, value->mv_size)))
        return -ENOMEM;
    (*texts->n)++;
    return 0;
}

int recalls_of(as_service_t *svc, MDB_txn *txn, const char *vin, char ***list, size_t *n)
{
    *list = NULL;
    *n = 0;
    s_texts_t texts = {list, n};
    as_key_t key;
    if (blank(vin) || as_key_of(&key, vin, NULL) != 0)
        return 0;
    int rc = as_record_each(txn, as_record_dbi(svc, "recalls"), &key, s_take_text, &texts);
    if (rc != 0)
        recalls_free(list, n);
    return rc;
}

void recalls_free(char ***list, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*list)[i]);
    free(*list);
    *list = NULL;
    *n = 0;
}
