/* customers.c — the customer and vehicle file: customers, vehicles (VIN with
 * check digit, plate, sale date) and their mileage history. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reception.h"
#include "as/vin.h"
#include "as/text.h"

#define MAX_TEXT 200

static int s_emit_customer(as_cmd_t *cmd, const As__Customer *customer)
{
    return as_cmd_emit(cmd, "reception.customer.registered", customer->customer_id,
                       &customer->base);
}

int customer_register(as_cmd_t *cmd)
{
    As__CustomerRegister req_numbered = *(const As__CustomerRegister *)cmd->request;
    As__CustomerRegister *req = &req_numbered; /* with the id taken when none was given */
    char taken[CUSTOMER_ID_SIZE];
    int rc = 0;
    if (blank(req->customer_id) && (rc = customer_id_take(cmd, taken)) == 0)
        req->customer_id = taken;
    As__Customer *old = NULL;
    if (rc != 0)
        ;
    else if (blank(req->customer_id) || strlen(req->customer_id) > MAX_TEXT)
        rc = as_cmd_fail(cmd, AS_EINVALID, "customer_id is required (at most %d characters)",
                         MAX_TEXT);
    else if (blank(req->name))
        rc = as_cmd_fail(cmd, AS_EINVALID, "customer '%s': name is required", req->customer_id);
    else if (!blank(req->language) && strcmp(req->language, "en") != 0 &&
             strcmp(req->language, "zh") != 0)
        rc = as_cmd_fail(cmd, AS_EINVALID, "customer '%s': language '%s' is not en or zh",
                         req->customer_id, req->language);
    else if (!blank(req->birthday) && !greeting_birthday_valid(req->birthday))
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "customer '%s': birthday '%s' is not MM-DD or a past date YYYY-MM-DD",
                         req->customer_id, req->birthday);
    else
        rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "customers"), req->customer_id,
                           &as__customer__descriptor, &old);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (rc == 0) {
        As__Customer customer = AS__CUSTOMER__INIT;
        customer.customer_id = req->customer_id;
        customer.name = req->name;
        customer.phone = req->phone ? req->phone : (old ? old->phone : NULL);
        customer.language = !blank(req->language) ? req->language : (old ? old->language : NULL);
        customer.birthday = !blank(req->birthday) ? req->birthday : (old ? old->birthday : NULL);
        customer.has_no_messages = req->has_no_messages || (old && old->has_no_messages);
        customer.no_messages = req->has_no_messages ? req->no_messages : old && old->no_messages;
        customer.has_registered_us = 1;
        customer.registered_us = old ? old->registered_us : as_now_us();
        rc = search_index_customer(cmd->svc, cmd->txn, &customer);
        if (rc == 0)
            rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "customers"), req->customer_id,
                               &customer.base);
        if (rc == 0)
            rc = s_emit_customer(cmd, &customer);
        if (rc == 0)
            rc = as_cmd_reply(cmd, &customer.base);
    }
    if (old)
        as__customer__free_unpacked(old, NULL);
    return rc;
}

int customer_show(as_cmd_t *cmd)
{
    const As__CustomerQuery *req = (const As__CustomerQuery *)cmd->request;
    if (blank(req->customer_id))
        return as_cmd_fail(cmd, AS_EINVALID, "customer_id is required");
    As__Customer *customer = NULL;
    int rc = as_record_load(cmd, as_record_dbi(cmd->svc, "customers"), "customer", req->customer_id,
                            &as__customer__descriptor, &customer);
    return rc ? rc : cmd_reply_free(cmd, &customer->base);
}

int vehicle_add_reading(As__Vehicle *vehicle, uint32_t km, const char *ro_number, int64_t at_us)
{
    As__MileageReading **grown =
        realloc(vehicle->history, (vehicle->n_history + 1) * sizeof *vehicle->history);
    if (!grown)
        return -ENOMEM;
    vehicle->history = grown;
    As__MileageReading *reading = calloc(1, sizeof *reading);
    if (!reading)
        return -ENOMEM;
    as__mileage_reading__init(reading);
    reading->has_km = reading->has_at_us = 1;
    reading->km = km;
    reading->at_us = at_us;
    if (ro_number && !(reading->ro_number = dup_text(ro_number))) {
        free(reading);
        return -ENOMEM;
    }
    vehicle->history[vehicle->n_history++] = reading;
    vehicle->has_mileage_km = 1;
    vehicle->mileage_km = km;
    return 0;
}

/* Every reading enters through here or vehicle_mileage_correct. */
static int s_check_mileage_bound(as_cmd_t *cmd, const char *vin, uint32_t km)
{
    if (km > RECEPTION_MILEAGE_MAX)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "vin '%s': mileage %u km is above %u km (a typo? no vehicle reaches it)",
                           vin, km, RECEPTION_MILEAGE_MAX);
    return 0;
}

int vehicle_check_mileage(as_cmd_t *cmd, const As__Vehicle *vehicle, uint32_t km)
{
    int rc = s_check_mileage_bound(cmd, vehicle->vin, km);
    if (rc)
        return rc;
    if (vehicle->has_mileage_km && km < vehicle->mileage_km)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "vin '%s': mileage %u km is below the last reading %u km "
                           "(mileage never goes backwards)",
                           vehicle->vin, km, vehicle->mileage_km);
    return 0;
}

/* Refuses a VIN that is not valid, one format per problem (a page words each
 * in its language); 0 when it is valid. */
static int s_check_vin(as_cmd_t *cmd, const char *vin)
{
    as_vin_fault_t f;
    switch (as_vin_examine(vin, &f)) {
    case AS_VIN_VALID:
        break;
    case AS_VIN_MISSING:
        return as_cmd_fail(cmd, AS_EINVALID, "vin is required");
    case AS_VIN_LENGTH:
        return as_cmd_fail(cmd, AS_EINVALID, "vin '%.*s' has %zu characters, a vin has %d",
                           as_text_clip(vin, 40), vin, f.length, AS_VIN_LEN);
    case AS_VIN_CHARACTER:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "vin '%s' has '%s' at position %zu: only digits and capital letters "
                           "other than I, O and Q are allowed",
                           vin, f.character, f.position);
    case AS_VIN_CHECK_DIGIT:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "vin '%s' has a wrong check digit: '%c', expected '%c'", vin, f.found,
                           f.expected);
    }
    return 0;
}

/* Checks a registration before anything is written. */
static int s_check_vehicle(as_cmd_t *cmd, const As__VehicleRegister *req)
{
    int rc = s_check_vin(cmd, req->vin);
    if (rc != 0)
        return rc;
    if (blank(req->plate) || as_text_chars(req->plate) > 20)
        return as_cmd_fail(cmd, AS_EINVALID, "vin '%s': plate is required (at most 20 characters)",
                           req->vin);
    if (blank(req->customer_id))
        return as_cmd_fail(cmd, AS_EINVALID, "vin '%s': customer_id is required", req->vin);
    if (!as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "customers"), req->customer_id))
        return as_cmd_fail(cmd, AS_ENOTFOUND, "customer '%s' does not exist", req->customer_id);
    if (!blank(req->sale_date)) {
        char now[AS_DATE_LEN + 1];
        as_date_today(now);
        if (!as_date_valid(req->sale_date))
            return as_cmd_fail(cmd, AS_EINVALID, "sale_date '%s' is not a date YYYY-MM-DD",
                               req->sale_date);
        if (as_date_diff_days(now, req->sale_date) > 0)
            return as_cmd_fail(cmd, AS_EINVALID, "sale_date '%s' is in the future", req->sale_date);
    }
    return 0;
}

int vehicle_register(as_cmd_t *cmd)
{
    const As__VehicleRegister *req = (const As__VehicleRegister *)cmd->request;
    As__Vehicle *vehicle = NULL;
    int rc = s_check_vehicle(cmd, req);
    if (rc != 0)
        return rc;
    rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), req->vin,
                       &as__vehicle__descriptor, &vehicle);
    if (rc == 0) { /* known: a repeat, a refusal or new details of the same plate and owner */
        rc = vehicle_register_known(cmd, vehicle, req);
        if (rc != VEHICLE_NEW_DETAILS) {
            as__vehicle__free_unpacked(vehicle, NULL);
            return rc;
        }
        rc = 0;
    } else if (rc == MDB_NOTFOUND &&
               (rc = vehicle_check_plate_free(cmd, req->vin, req->plate)) == 0) {
        if (!(vehicle = calloc(1, sizeof *vehicle)))
            return -ENOMEM;
        as__vehicle__init(vehicle);
        rc = set_text(&vehicle->vin, req->vin);
    }
    if (rc == 0 && req->has_mileage_km)
        rc = vehicle_check_mileage(cmd, vehicle, req->mileage_km);
    if (rc == 0 && blank(vehicle->plate)) /* a known vehicle keeps its plate as written */
        rc = set_text(&vehicle->plate, req->plate);
    if (rc == 0)
        rc = set_text(&vehicle->customer_id, req->customer_id);
    if (rc == 0 && !blank(req->sale_date))
        rc = set_text(&vehicle->sale_date, req->sale_date);
    if (rc == 0 && !blank(req->model))
        rc = set_text(&vehicle->model, req->model);
    if (rc == 0 && req->has_mileage_km)
        rc = vehicle_add_reading(vehicle, req->mileage_km, NULL, as_cmd_time(cmd));
    if (rc == 0 && (req->insurer || !blank(req->insurance_end)))
        rc = insurance_apply(cmd, vehicle, req->insurer, req->insurance_end);
    if (rc == 0)
        rc = search_index_vehicle(cmd->svc, cmd->txn, vehicle);
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), vehicle->vin,
                           &vehicle->base);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "reception.vehicle.registered", vehicle->vin, &vehicle->base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &vehicle->base);
    if (vehicle)
        as__vehicle__free_unpacked(vehicle, NULL);
    return rc;
}

/* Loads the vehicle `vin` for a command, failing it when absent. */
int vehicle_load(as_cmd_t *cmd, const char *vin, As__Vehicle **vehicle)
{
    if (blank(vin))
        return as_cmd_fail(cmd, AS_EINVALID, "vin is required");
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), vin,
                           &as__vehicle__descriptor, vehicle);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "vehicle '%s' is not registered", vin);
    return rc;
}

int vehicle_mileage(as_cmd_t *cmd)
{
    const As__VehicleMileage *req = (const As__VehicleMileage *)cmd->request;
    As__Vehicle *vehicle = NULL;
    int rc = vehicle_load(cmd, req->vin, &vehicle);
    if (rc == 0 && !req->has_mileage_km)
        rc = as_cmd_fail(cmd, AS_EINVALID, "vin '%s': mileage_km is required", req->vin);
    if (rc == 0)
        rc = vehicle_check_mileage(cmd, vehicle, req->mileage_km);
    if (rc == 0)
        rc = vehicle_add_reading(vehicle, req->mileage_km, NULL, as_cmd_time(cmd));
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), vehicle->vin,
                           &vehicle->base);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "reception.vehicle.mileage_recorded", vehicle->vin, &vehicle->base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &vehicle->base);
    if (vehicle)
        as__vehicle__free_unpacked(vehicle, NULL);
    return rc;
}

int vehicle_show(as_cmd_t *cmd)
{
    const As__VehicleQuery *req = (const As__VehicleQuery *)cmd->request;
    As__Vehicle *vehicle = NULL;
    int rc = vehicle_load(cmd, req->vin, &vehicle);
    return rc ? rc : cmd_reply_free(cmd, &vehicle->base);
}

/* Checks a correction before anything is written. */
static int s_check_correction(as_cmd_t *cmd, const As__VehicleMileageCorrect *req,
                              const As__Vehicle *vehicle)
{
    if (!req->has_mileage_km)
        return as_cmd_fail(cmd, AS_EINVALID, "vin '%s': mileage_km is required", vehicle->vin);
    if (blank(req->reason))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "vin '%s': a correction needs a reason (why the last reading is wrong)",
                           vehicle->vin);
    if (!vehicle->has_mileage_km)
        return as_cmd_fail(cmd, AS_ECONFLICT, "vin '%s' has no reading to correct", vehicle->vin);
    if (req->mileage_km == vehicle->mileage_km)
        return as_cmd_fail(cmd, AS_EINVALID, "vin '%s': the last reading is already %u km",
                           vehicle->vin, req->mileage_km);
    return s_check_mileage_bound(cmd, vehicle->vin, req->mileage_km);
}

/* Adds the corrected reading to the history (the wrong one stays there) and
 * makes it the vehicle's latest. */
static int s_add_correction(as_cmd_t *cmd, As__Vehicle *vehicle, uint32_t km, const char *reason)
{
    int rc = vehicle_add_reading(vehicle, km, NULL, as_cmd_time(cmd));
    if (rc)
        return rc;
    As__MileageReading *reading = vehicle->history[vehicle->n_history - 1];
    if (!(reading->corrected_by = dup_text(cmd->actor)) || !(reading->reason = dup_text(reason)))
        return -ENOMEM;
    return 0;
}

int vehicle_mileage_correct(as_cmd_t *cmd)
{
    const As__VehicleMileageCorrect *req = (const As__VehicleMileageCorrect *)cmd->request;
    As__Vehicle *vehicle = NULL;
    int rc = vehicle_load(cmd, req->vin, &vehicle);
    if (rc == 0)
        rc = s_check_correction(cmd, req, vehicle);
    uint32_t old_km = vehicle ? vehicle->mileage_km : 0;
    if (rc == 0)
        rc = s_add_correction(cmd, vehicle, req->mileage_km, req->reason);
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), vehicle->vin,
                           &vehicle->base);
    if (rc == 0) {
        As__VehicleMileageCorrected event = AS__VEHICLE_MILEAGE_CORRECTED__INIT;
        event.vin = vehicle->vin;
        event.has_old_km = event.has_new_km = 1;
        event.old_km = old_km;
        event.new_km = req->mileage_km;
        event.reason = req->reason;
        event.corrected_by = (char *)cmd->actor;
        event.vehicle = vehicle;
        rc = as_cmd_emit(cmd, "reception.vehicle.mileage_corrected", vehicle->vin, &event.base);
    }
    if (rc == 0)
        rc = as_cmd_reply(cmd, &vehicle->base);
    if (vehicle)
        as__vehicle__free_unpacked(vehicle, NULL);
    return rc;
}
