/* vehicle_owner.c — who owns a vehicle and under which plate (issue 16's
 * "a known VIN is not silently re-registered").
 *
 * reception.vehicle.register of a VIN already registered never moves the
 * vehicle: the same plate and owner with nothing new is a repeat (the vehicle
 * is answered as stored, nothing written or emitted); another plate or owner
 * is refused (AS_EEXISTS), naming what is registered. A plate or owner
 * changes only through reception.vehicle.transfer (dated, with a reason),
 * which keeps the vehicle's history and appends a VehicleTransferRecord to
 * Vehicle.transfers (old and new plate and owner, who, when, why), re-files
 * the search indexes and emits reception.vehicle.transferred. One plate is on
 * one vehicle: registering or transferring to a plate another vehicle carries
 * is refused (AS_EEXISTS). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reception.h"

#define MAX_PLATE 20                 /* characters: a plate begins with a Chinese one */
#define MAX_REASON AS_TEXT_CHARS_MAX /* characters */
#define VIN_SIZE 64

static bool s_same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* The name of customer `id` (a copy in out), or "" when unknown. 0 or a store code. */
static int s_customer_name(as_cmd_t *cmd, const char *id, char *out, size_t cap)
{
    out[0] = '\0';
    if (blank(id))
        return 0;
    As__Customer *c = NULL;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "customers"), id,
                           &as__customer__descriptor, &c);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc == 0) {
        snprintf(out, cap, "%s", c->name ? c->name : "");
        as__customer__free_unpacked(c, NULL);
    }
    return rc;
}

int vehicle_check_plate_free(as_cmd_t *cmd, const char *vin, const char *plate)
{
    char other[VIN_SIZE];
    int rc = search_plate_taken(cmd->svc, cmd->txn, plate, vin, other, sizeof other);
    if (rc != 1)
        return rc;
    As__Vehicle *v = NULL;
    char name[256] = "";
    rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), other,
                       &as__vehicle__descriptor, &v);
    if (rc == 0)
        rc = s_customer_name(cmd, v->customer_id, name, sizeof name);
    if (rc == 0)
        rc = as_cmd_fail(cmd, AS_EEXISTS,
                         "plate '%s' is already on vehicle %s (owner %s %s): one plate is on one "
                         "vehicle",
                         plate, other, v->customer_id ? v->customer_id : "", name);
    if (v)
        as__vehicle__free_unpacked(v, NULL);
    return rc;
}

/* Whether the registration `req` brings anything `v` does not have yet. */
static bool s_new_details(const As__Vehicle *v, const As__VehicleRegister *req)
{
    return (!blank(req->sale_date) && !s_same(v->sale_date, req->sale_date)) ||
           (!blank(req->model) && !s_same(v->model, req->model)) ||
           (req->has_mileage_km && (!v->has_mileage_km || v->mileage_km != req->mileage_km)) ||
           (!blank(req->insurance_end) && !s_same(v->insurance_end, req->insurance_end)) ||
           (req->insurer && !s_same(v->insurer, req->insurer));
}

int vehicle_register_known(as_cmd_t *cmd, const As__Vehicle *stored, const As__VehicleRegister *req)
{
    bool first_plate = blank(stored->plate); /* a car sold (sales) before it had one */
    if ((!first_plate && !search_same_plate(stored->plate, req->plate)) ||
        !s_same(stored->customer_id, req->customer_id)) {
        char name[256];
        int rc = s_customer_name(cmd, stored->customer_id, name, sizeof name);
        return rc ? rc
                  : as_cmd_fail(cmd, AS_EEXISTS,
                                "VIN %s is already registered: plate %s, owner %s %s; to change "
                                "the plate or the owner use reception.vehicle.transfer",
                                stored->vin, stored->plate ? stored->plate : "",
                                stored->customer_id ? stored->customer_id : "", name);
    }
    if (first_plate) {
        int rc = vehicle_check_plate_free(cmd, stored->vin, req->plate);
        return rc ? rc : VEHICLE_NEW_DETAILS;
    }
    if (s_new_details(stored, req))
        return VEHICLE_NEW_DETAILS;
    return as_cmd_reply(cmd, &stored->base); /* a repeat: nothing written, nothing emitted */
}

/* --- reception.vehicle.transfer ------------------------------------------- */

/* Checks a transfer of `v` before anything is written. */
static int s_check_transfer(as_cmd_t *cmd, const As__VehicleTransfer *req, const As__Vehicle *v)
{
    const char *vin = v->vin;
    if (blank(req->reason) || as_text_chars(req->reason) > MAX_REASON)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "vin '%s': a transfer needs a reason (\"sold to ...\", \"new plate\"; "
                           "at most %d characters)",
                           vin, MAX_REASON);
    if (req->plate && *req->plate && (blank(req->plate) || as_text_chars(req->plate) > MAX_PLATE))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "vin '%s': plate '%s' is blank or longer than %d "
                           "characters",
                           vin, req->plate, MAX_PLATE);
    if (!blank(req->customer_id) &&
        !as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "customers"), req->customer_id))
        return as_cmd_fail(cmd, AS_ENOTFOUND, "customer '%s' does not exist", req->customer_id);
    bool new_plate = !blank(req->plate) && !search_same_plate(v->plate, req->plate);
    bool new_owner = !blank(req->customer_id) && !s_same(v->customer_id, req->customer_id);
    if (!new_plate && !new_owner)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "vin '%s': nothing to transfer: give a new plate and/or a new "
                           "customer_id (it is plate %s, owner %s)",
                           vin, v->plate ? v->plate : "", v->customer_id ? v->customer_id : "");
    return new_plate ? vehicle_check_plate_free(cmd, vin, req->plate) : 0;
}

/* Appends the change to v->transfers and applies it to `v`. */
static int s_apply(as_cmd_t *cmd, const As__VehicleTransfer *req, As__Vehicle *v)
{
    As__VehicleTransferRecord **grown =
        realloc(v->transfers, (v->n_transfers + 1) * sizeof *v->transfers);
    if (!grown)
        return -ENOMEM;
    v->transfers = grown;
    As__VehicleTransferRecord *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    as__vehicle_transfer_record__init(t);
    v->transfers[v->n_transfers++] = t;
    const char *plate = blank(req->plate) ? v->plate : req->plate;
    const char *owner = blank(req->customer_id) ? v->customer_id : req->customer_id;
    char old_name[256], new_name[256], date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    int rc = s_customer_name(cmd, v->customer_id, old_name, sizeof old_name);
    if (rc == 0)
        rc = s_customer_name(cmd, owner, new_name, sizeof new_name);
    t->has_at_us = 1;
    t->at_us = as_cmd_time(cmd);
    if (rc == 0)
        rc = set_text(&t->old_plate, v->plate ? v->plate : "");
    if (rc == 0)
        rc = set_text(&t->new_plate, plate ? plate : "");
    if (rc == 0)
        rc = set_text(&t->old_customer_id, v->customer_id ? v->customer_id : "");
    if (rc == 0)
        rc = set_text(&t->old_customer_name, old_name);
    if (rc == 0)
        rc = set_text(&t->new_customer_id, owner ? owner : "");
    if (rc == 0)
        rc = set_text(&t->new_customer_name, new_name);
    if (rc == 0)
        rc = set_text(&t->reason, req->reason);
    if (rc == 0)
        rc = set_text(&t->transferred_by, cmd->actor);
    if (rc == 0)
        rc = set_text(&t->date, date);
    if (rc == 0)
        rc = set_text(&v->plate, t->new_plate);
    if (rc == 0)
        rc = set_text(&v->customer_id, t->new_customer_id);
    return rc;
}

int vehicle_transfer(as_cmd_t *cmd)
{
    const As__VehicleTransfer *req = (const As__VehicleTransfer *)cmd->request;
    As__Vehicle *v = NULL;
    int rc = vehicle_load(cmd, req->vin, &v);
    if (rc == 0)
        rc = s_check_transfer(cmd, req, v);
    if (rc == 0)
        rc = s_apply(cmd, req, v);
    if (rc == 0)
        rc = search_index_vehicle(cmd->svc, cmd->txn, v);
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), v->vin, &v->base);
    if (rc == 0) {
        const As__VehicleTransferRecord *t = v->transfers[v->n_transfers - 1];
        As__VehicleTransferred event = AS__VEHICLE_TRANSFERRED__INIT;
        event.vin = v->vin;
        event.old_plate = t->old_plate;
        event.new_plate = t->new_plate;
        event.old_customer_id = t->old_customer_id;
        event.new_customer_id = t->new_customer_id;
        event.reason = t->reason;
        event.transferred_by = t->transferred_by;
        event.date = t->date;
        event.vehicle = v;
        rc = as_cmd_emit(cmd, "reception.vehicle.transferred", v->vin, &event.base);
    }
    if (rc == 0)
        rc = as_cmd_reply(cmd, &v->base);
    if (v)
        as__vehicle__free_unpacked(v, NULL);
    return rc;
}
