/* bulletins.c — technical bulletins: the foreman publishes and retires them,
 * technicians acknowledge them, and a job shows the live ones that apply to
 * it and its technician has not acknowledged (dispatch reply, board).
 *
 * A bulletin applies to a job when every kind of criterion it names matches
 * (a kind it leaves empty matches anything): the vehicle's model (workshop's
 * `vehicles`, from reception.vehicle.registered; a VIN workshop never saw
 * registered has no model and matches no model list), the VIN (one of the
 * prefixes, or within a from..to range compared on the range's length), the
 * job's labour operation code. The notes are computed when read, never
 * stored: acknowledging or retiring a bulletin takes it off every job at once.
 *
 * Store: bulletins  bulletin_id -> Bulletin (acknowledged_by empty)
 *        bulletin_acks  bulletin_id \0 tech_id -> BulletinAck
 *        vehicles  vin -> Vehicle (vin and model only) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/text.h"
#include "as/pb/reception.pb-c.h"
#include "workshop.h"

#define BULLETIN_ID_MAX 64
#define VIN_MAX 17

static MDB_dbi s_db(as_service_t *svc, const char *name)
{
    return as_record_dbi(svc, name);
}

/* --- the vehicles' models, from reception ---------------------------------- */

int ws_evt_vehicle_registered(as_evt_t *evt)
{
    const As__Vehicle *v = (const As__Vehicle *)evt->payload;
    if (ws_empty(v->vin))
        return AS_EINVALID;
    if (ws_empty(v->model))
        return 0;
    As__Vehicle keep = AS__VEHICLE__INIT;
    keep.vin = v->vin;
    keep.model = v->model;
    return as_record_put(evt->txn, s_db(evt->svc, "vehicles"), keep.vin, &keep.base);
}

/* --- publish -------------------------------------------------------------- */

static int s_check_list(as_cmd_t *cmd, const char *what, char **items, size_t n, size_t max)
{
    for (size_t i = 0; i < n; i++) {
        if (ws_empty(items[i]))
            return as_cmd_fail(cmd, AS_EINVALID, "%s %zu of the bulletin is empty", what, i + 1);
        if (as_text_chars(items[i]) > max)
            return as_cmd_fail(cmd, AS_EINVALID, "%s '%s' is longer than %zu characters", what,
                               items[i], max);
    }
    return 0;
}

static int s_check_ranges(as_cmd_t *cmd, const As__BulletinPublish *req)
{
    for (size_t i = 0; i < req->n_vin_ranges; i++) {
        const As__VinRange *r = req->vin_ranges[i];
        if (ws_empty(r->from) || ws_empty(r->to))
            return as_cmd_fail(cmd, AS_EINVALID, "VIN range %zu needs both from and to", i + 1);
        if (strlen(r->from) != strlen(r->to) || strlen(r->from) > VIN_MAX)
            return as_cmd_fail(cmd, AS_EINVALID,
                               "VIN range %s..%s: from and to must be of the same length "
                               "(at most %d characters)",
                               r->from, r->to, VIN_MAX);
        if (strcmp(r->from, r->to) > 0)
            return as_cmd_fail(cmd, AS_EINVALID, "VIN range %s..%s: from is after to", r->from,
                               r->to);
    }
    return 0;
}

static int s_check_publish(as_cmd_t *cmd, const As__BulletinPublish *req)
{
    if (ws_empty(req->bulletin_id))
        return as_cmd_fail(cmd, AS_EINVALID, "bulletin_id is required");
    if (as_text_chars(req->bulletin_id) > BULLETIN_ID_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "bulletin_id is longer than %d characters",
                           BULLETIN_ID_MAX);
    if (ws_empty(req->title) || ws_empty(req->text))
        return as_cmd_fail(cmd, AS_EINVALID, "bulletin '%s' needs a title and a text",
                           req->bulletin_id);
    if (req->n_models + req->n_vin_prefixes + req->n_vin_ranges + req->n_labour_codes == 0)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "bulletin '%s' must say what it applies to: models, vin_prefixes, "
                           "vin_ranges or labour_codes",
                           req->bulletin_id);
    int rc = s_check_list(cmd, "model", req->models, req->n_models, 64);
    if (rc == 0)
        rc = s_check_list(cmd, "VIN prefix", req->vin_prefixes, req->n_vin_prefixes, VIN_MAX);
    if (rc == 0)
        rc = s_check_list(cmd, "labour operation code", req->labour_codes, req->n_labour_codes, 64);
    if (rc == 0)
        rc = s_check_ranges(cmd, req);
    if (rc == 0 && as_record_exists(cmd->txn, s_db(cmd->svc, "bulletins"), req->bulletin_id))
        rc = as_cmd_fail(cmd, AS_EEXISTS, "bulletin '%s' is already published", req->bulletin_id);
    return rc;
}

int ws_cmd_bulletin_publish(as_cmd_t *cmd)
{
    const As__BulletinPublish *req = (const As__BulletinPublish *)cmd->request;
    int rc = s_check_publish(cmd, req);
    if (rc != 0)
        return rc;
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    As__Bulletin b = AS__BULLETIN__INIT;
    b.bulletin_id = req->bulletin_id;
    b.title = req->title;
    b.text = req->text;
    b.n_models = req->n_models;
    b.models = req->models;
    b.n_vin_prefixes = req->n_vin_prefixes;
    b.vin_prefixes = req->vin_prefixes;
    b.n_vin_ranges = req->n_vin_ranges;
    b.vin_ranges = req->vin_ranges;
    b.n_labour_codes = req->n_labour_codes;
    b.labour_codes = req->labour_codes;
    b.published_by = (char *)cmd->actor;
    b.published_date = date;
    b.has_retired = 1;
    As__BulletinChanged ev = AS__BULLETIN_CHANGED__INIT;
    ev.bulletin = &b;
    if ((rc = as_record_put(cmd->txn, s_db(cmd->svc, "bulletins"), b.bulletin_id, &b.base)) == 0 &&
        (rc = as_cmd_emit(cmd, "workshop.bulletin.published", b.bulletin_id, &ev.base)) == 0)
        rc = as_cmd_reply(cmd, &b.base);
    return rc;
}

/* --- retire ----------------------------------------------------------------- */

static int s_load(as_cmd_t *cmd, const char *id, As__Bulletin **out)
{
    if (ws_empty(id))
        return as_cmd_fail(cmd, AS_EINVALID, "bulletin_id is required");
    return as_record_load(cmd, s_db(cmd->svc, "bulletins"), "bulletin", id,
                          &as__bulletin__descriptor, out);
}

int ws_cmd_bulletin_retire(as_cmd_t *cmd)
{
    const As__BulletinRetire *req = (const As__BulletinRetire *)cmd->request;
    As__Bulletin *b = NULL;
    int rc = s_load(cmd, req->bulletin_id, &b);
    if (rc == 0 && b->retired)
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "bulletin '%s' was already retired on %s",
                         b->bulletin_id, b->retired_date ? b->retired_date : "?");
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    if (rc == 0 && (rc = ws_set_str(&b->retired_date, date)) == 0)
        rc = ws_set_str(&b->retired_reason, req->reason);
    if (rc == 0) {
        b->has_retired = b->retired = 1;
        As__BulletinChanged ev = AS__BULLETIN_CHANGED__INIT;
        ev.bulletin = b;
        if ((rc = as_record_put(cmd->txn, s_db(cmd->svc, "bulletins"), b->bulletin_id, &b->base)) ==
                0 &&
            (rc = as_cmd_emit(cmd, "workshop.bulletin.retired", b->bulletin_id, &ev.base)) == 0)
            rc = as_cmd_reply(cmd, &b->base);
    }
    if (b)
        as__bulletin__free_unpacked(b, NULL);
    return rc;
}

/* --- acknowledge ---------------------------------------------------------- */

static bool s_acked(MDB_txn *txn, as_service_t *svc, const char *id, const char *tech_id)
{
    as_key_t key;
    return as_key_of(&key, id, tech_id, NULL) == 0 &&
           as_record_exists_key(txn, s_db(svc, "bulletin_acks"), &key);
}

int ws_cmd_bulletin_acknowledge(as_cmd_t *cmd)
{
    const As__BulletinAcknowledge *req = (const As__BulletinAcknowledge *)cmd->request;
    As__Bulletin *b = NULL;
    int rc = s_load(cmd, req->bulletin_id, &b);
    if (rc == 0 && !as_record_exists(cmd->txn, s_db(cmd->svc, "technicians"), cmd->actor))
        rc = as_cmd_fail(cmd, AS_ENOTFOUND, "technician '%s' is not registered", cmd->actor);
    if (rc == 0 && b->retired)
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "bulletin '%s' was retired on %s", b->bulletin_id,
                         b->retired_date ? b->retired_date : "?");
    if (rc == 0 && s_acked(cmd->txn, cmd->svc, b->bulletin_id, cmd->actor))
        rc = as_cmd_fail(cmd, AS_EEXISTS, "'%s' has already acknowledged bulletin '%s'", cmd->actor,
                         b->bulletin_id);
    if (rc == 0) {
        char date[AS_DATE_LEN + 1];
        as_cmd_date(cmd, date);
        As__BulletinAck ack = AS__BULLETIN_ACK__INIT;
        ack.bulletin_id = b->bulletin_id;
        ack.tech_id = (char *)cmd->actor;
        ack.date = date;
        As__BulletinAcknowledged ev = AS__BULLETIN_ACKNOWLEDGED__INIT;
        ev.ack = &ack;
        if ((rc = as_record_put_in(cmd->txn, s_db(cmd->svc, "bulletin_acks"), ack.bulletin_id,
                                   ack.tech_id, &ack.base)) == 0 &&
            (rc = as_cmd_emit(cmd, "workshop.bulletin.acknowledged", ack.bulletin_id, &ev.base)) ==
                0)
            rc = as_cmd_reply(cmd, &ack.base);
    }
    if (b)
        as__bulletin__free_unpacked(b, NULL);
    return rc;
}

/* --- list ------------------------------------------------------------------- */

/* Fills b->acknowledged_by from bulletin_acks. 0, -ENOMEM or a store code. */
static int s_fill_acks(MDB_txn *txn, as_service_t *svc, As__Bulletin *b)
{
    as_record_list_t acks = {0};
    int rc = as_record_scan_in(txn, s_db(svc, "bulletin_acks"), b->bulletin_id,
                               &as__bulletin_ack__descriptor, &acks);
    if (rc == 0 && acks.n && !(b->acknowledged_by = calloc(acks.n, sizeof(char *))))
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < acks.n; i++) {
        const As__BulletinAck *a = (const As__BulletinAck *)acks.msgs[i];
        if (!(b->acknowledged_by[b->n_acknowledged_by] = strdup(a->tech_id ? a->tech_id : "")))
            rc = -ENOMEM;
        else
            b->n_acknowledged_by++;
    }
    as_record_list_free(&acks);
    return rc;
}

int ws_cmd_bulletin_list(as_cmd_t *cmd)
{
    const As__BulletinQuery *q = (const As__BulletinQuery *)cmd->request;
    as_record_list_t all = {0};
    int rc = as_record_scan(cmd->txn, s_db(cmd->svc, "bulletins"), NULL, &as__bulletin__descriptor,
                            &all);
    size_t kept = 0;
    for (size_t i = 0; i < all.n; i++) {
        As__Bulletin *b = (As__Bulletin *)all.msgs[i];
        bool keep =
            rc == 0 && (!b->retired || (q->has_all && q->all)) &&
            (ws_empty(q->tech_id) || !s_acked(cmd->txn, cmd->svc, b->bulletin_id, q->tech_id));
        if (keep && (rc = s_fill_acks(cmd->txn, cmd->svc, b)) == 0)
            all.msgs[kept++] = &b->base;
        else
            as__bulletin__free_unpacked(b, NULL);
    }
    all.n = kept;
    if (rc == 0) {
        As__Bulletins reply = AS__BULLETINS__INIT;
        reply.n_bulletins = all.n;
        reply.bulletins = (As__Bulletin **)all.msgs;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    as_record_list_free(&all);
    return rc;
}

/* --- what a job shows ------------------------------------------------------- */

static bool s_in(char **items, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(items[i], s) == 0)
            return true;
    return false;
}

static bool s_vin_matches(const As__Bulletin *b, const char *vin)
{
    if (b->n_vin_prefixes + b->n_vin_ranges == 0)
        return true;
    if (ws_empty(vin))
        return false;
    for (size_t i = 0; i < b->n_vin_prefixes; i++)
        if (strncmp(vin, b->vin_prefixes[i], strlen(b->vin_prefixes[i])) == 0)
            return true;
    for (size_t i = 0; i < b->n_vin_ranges; i++) {
        const As__VinRange *r = b->vin_ranges[i];
        size_t len = r->from ? strlen(r->from) : 0;
        if (len && strncmp(vin, r->from, len) >= 0 && strncmp(vin, r->to, len) <= 0)
            return true;
    }
    return false;
}

/* Whether b applies to the job; `why` says which criteria matched. */
static bool s_applies(const As__Bulletin *b, const As__WorkJob *job, const char *model, char *why,
                      size_t cap)
{
    const char *code = job->labour ? job->labour->code : NULL;
    if (b->n_models && !s_in(b->models, b->n_models, model))
        return false;
    if (!s_vin_matches(b, job->vin))
        return false;
    if (b->n_labour_codes && !s_in(b->labour_codes, b->n_labour_codes, code))
        return false;
    int n = 0;
    why[0] = '\0';
    if (b->n_models)
        n += snprintf(why + n, cap - (size_t)n, "model %s", model);
    if (b->n_vin_prefixes + b->n_vin_ranges && (size_t)n < cap)
        n += snprintf(why + n, cap - (size_t)n, "%sVIN %s", n ? ", " : "", job->vin);
    if (b->n_labour_codes && (size_t)n < cap)
        snprintf(why + n, cap - (size_t)n, "%slabour operation %s", n ? ", " : "", code);
    return true;
}

static void s_free_notes(As__WorkJob *job)
{
    for (size_t i = 0; i < job->n_bulletins; i++)
        as__bulletin_note__free_unpacked(job->bulletins[i], NULL);
    free(job->bulletins);
    job->bulletins = NULL;
    job->n_bulletins = 0;
}

static int s_add_note(As__WorkJob *job, const As__Bulletin *b, const char *why)
{
    As__BulletinNote **grown = realloc(job->bulletins, (job->n_bulletins + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    job->bulletins = grown;
    As__BulletinNote *note = malloc(sizeof *note);
    if (!note)
        return -ENOMEM;
    as__bulletin_note__init(note);
    note->bulletin_id = strdup(b->bulletin_id);
    note->title = strdup(b->title ? b->title : "");
    note->text = strdup(b->text ? b->text : "");
    note->matched = strdup(why);
    job->bulletins[job->n_bulletins++] = note;
    return note->bulletin_id && note->title && note->text && note->matched ? 0 : -ENOMEM;
}

int ws_job_bulletins(MDB_txn *txn, as_service_t *svc, As__WorkJob *job, const char *tech_id)
{
    s_free_notes(job);
    if (ws_empty(tech_id))
        return 0;
    As__Vehicle *vehicle = NULL;
    int rc = ws_empty(job->vin) ? MDB_NOTFOUND
                                : as_record_get(txn, s_db(svc, "vehicles"), job->vin,
                                                &as__vehicle__descriptor, &vehicle);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    const char *model = vehicle ? vehicle->model : NULL;
    as_record_list_t all = {0};
    rc = as_record_scan(txn, s_db(svc, "bulletins"), NULL, &as__bulletin__descriptor, &all);
    for (size_t i = 0; rc == 0 && i < all.n; i++) {
        const As__Bulletin *b = (const As__Bulletin *)all.msgs[i];
        char why[400];
        if (!b->retired && s_applies(b, job, model, why, sizeof why) &&
            !s_acked(txn, svc, b->bulletin_id, tech_id))
            rc = s_add_note(job, b, why);
    }
    as_record_list_free(&all);
    if (vehicle)
        as__vehicle__free_unpacked(vehicle, NULL);
    return rc;
}
