/* new_cars.c — a new car sold by the sales department (sales.vehicle.sold,
 * from the sales DMS through `as-ingest --name sales`) becomes its fitting RO:
 * the technician's "accessory installation and PDI".
 *
 * Reception registers the customer ("S-" + sale_ref) and the vehicle when it
 * does not know the VIN (a vehicle it knows keeps its customer), then opens
 * the RO NEW_CAR_RO_PREFIX + sale_ref, paid internally (the sales department
 * pays), already consented (reception.ro.opened, then reception.ro.consented,
 * so the workshop puts it on the board like any RO):
 *
 *   job 1  pre-delivery inspection   labour operation PDI if the catalogue has
 *                                    it, else 60 minutes
 *   job 2  accessory installation    labour operation ACC-FIT if the catalogue
 *          (only with accessories)   has it, else 30 minutes; the accessories
 *                                    as its part lines at the agreed price
 *
 * at the INTERNAL labour rate (0 when none is set). Its advisor is the actor
 * of the event, the sales system's identity ("sales"), so the new cars' ROs
 * have their own row in the reports. From there it flows like any RO:
 * dispatch, clocking, parts issued to job 2, QC, delivery (the invoice's
 * accessories are the accessory lines at these agreed prices, what parts
 * charged beside them: ro_progress.c).
 *
 * Joins: the sale names a vehicle reception may or may not know yet (its own
 * record, made by commands); both orders give one vehicle and one RO. It reads
 * nothing another source's events write (not the recalls of warranty: the
 * advisor sees those on the vehicle), so the RO is the same in whatever order
 * sales' and the other sources' events arrive. A sale seen again (a replay, or the DMS
 * sending a sale_ref twice) changes nothing. The gateway refused malformed
 * sales already; what still cannot be used is skipped with a warning. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/log.h"
#include "as/pb/sales.pb-c.h"
#include "as/vin.h"
#include "reception.h"

#define S_REF_MAX 32
#define S_LINES_MAX 100

/* A labour operation of the catalogue, or the default (code, description,
 * minutes), at the INTERNAL rate. *out is malloc'd (free_unpacked). */
static int s_labour(as_evt_t *evt, const char *code, const char *description, uint32_t minutes,
                    As__LabourOperation **out)
{
    As__LabourOpEntry *entry = NULL;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "labour_ops"), code,
                           &as__labour_op_entry__descriptor, &entry);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    if (entry && entry->operation && !entry->retired) {
        *out = msg_copy(&entry->operation->base);
    } else {
        As__LabourOperation fallback = AS__LABOUR_OPERATION__INIT;
        fallback.code = (char *)code;
        fallback.description = (char *)description;
        fallback.has_sold_minutes = 1;
        fallback.sold_minutes = minutes;
        *out = msg_copy(&fallback.base);
    }
    if (entry)
        as__labour_op_entry__free_unpacked(entry, NULL);
    if (!*out)
        return -ENOMEM;
    As__LabourRate *rate = NULL;
    rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "labour_rates"), "INTERNAL",
                       &as__labour_rate__descriptor, &rate);
    (*out)->has_rate_cents = 1;
    (*out)->rate_cents = rate ? rate->rate_cents : 0;
    if (rate)
        as__labour_rate__free_unpacked(rate, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The customer and vehicle of the sale: the vehicle as reception knows it, or
 * registered now with a customer of the sale. *vehicle is malloc'd. */
static int s_vehicle(as_evt_t *evt, const As__SalesVehicleSold *m, As__Vehicle **vehicle)
{
    MDB_dbi vehicles = as_record_dbi(evt->svc, "vehicles");
    int rc = as_record_get(evt->txn, vehicles, m->vin, &as__vehicle__descriptor, vehicle);
    if (rc != MDB_NOTFOUND)
        return rc;
    char customer_id[S_REF_MAX + 3];
    snprintf(customer_id, sizeof customer_id, "S-%s", m->sale_ref);
    As__Customer customer = AS__CUSTOMER__INIT;
    customer.customer_id = customer_id;
    customer.name = m->customer_name;
    customer.phone = m->phone;
    customer.has_registered_us = 1;
    customer.registered_us = as_evt_time(evt);
    MDB_dbi customers = as_record_dbi(evt->svc, "customers");
    bool known = as_record_exists(evt->txn, customers, customer_id); /* the car sold before */
    rc = known ? 0 : search_index_customer(evt->svc, evt->txn, &customer);
    if (rc == 0 && !known)
        rc = as_record_put(evt->txn, customers, customer_id, &customer.base);
    if (rc == 0 && !known)
        rc = as_evt_emit(evt, "reception.customer.registered", customer_id, &customer.base);
    if (rc != 0)
        return rc;
    if (!(*vehicle = calloc(1, sizeof **vehicle)))
        return -ENOMEM;
    as__vehicle__init(*vehicle);
    As__Vehicle *v = *vehicle;
    if ((rc = set_text(&v->vin, m->vin)) == 0 && (rc = set_text(&v->customer_id, customer_id)) == 0)
        rc = blank(m->plate) ? 0 : set_text(&v->plate, m->plate);
    if (rc == 0 && !blank(m->model))
        rc = set_text(&v->model, m->model);
    if (rc == 0)
        rc = set_text(&v->sale_date, m->sale_date);
    if (rc == 0)
        rc = vehicle_add_reading(v, 0, NULL, as_evt_time(evt));
    if (rc == 0)
        rc = search_index_vehicle(evt->svc, evt->txn, v);
    if (rc == 0)
        rc = as_record_put(evt->txn, vehicles, v->vin, &v->base);
    if (rc == 0)
        rc = as_evt_emit(evt, "reception.vehicle.registered", v->vin, &v->base);
    return rc;
}

/* Job `no` of the RO (its strings borrowed from the event or `labour`). */
static void s_job(As__Job *job, uint32_t no, const char *concern, As__LabourOperation *labour)
{
    as__job__init(job);
    job->has_job_no = job->has_pay_type = job->has_status = 1;
    job->job_no = no;
    job->concern = (char *)concern;
    job->pay_type = AS__PAY_TYPE__INTERNAL;
    job->status = AS__JOB_STATUS__JOB_OPEN;
    job->labour = labour;
}

typedef struct {
    As__LabourOperation *labour[2];
    As__Job jobs[2];
    As__Job *job_ptrs[2];
    As__PartLine lines[S_LINES_MAX];
    As__PartLine *line_ptrs[S_LINES_MAX];
} s_fitting_t;

/* Builds the jobs of the fitting RO into `f` and `ro`. */
static int s_jobs(as_evt_t *evt, const As__SalesVehicleSold *m, s_fitting_t *f, As__RepairOrder *ro)
{
    int rc = s_labour(evt, "PDI", "pre-delivery inspection", 60, &f->labour[0]);
    s_job(&f->jobs[0], 1, "pre-delivery inspection (new car)", f->labour[0]);
    f->job_ptrs[ro->n_jobs++] = &f->jobs[0];
    if (rc == 0 && m->n_accessories > 0) {
        rc = s_labour(evt, "ACC-FIT", "accessory installation", 30, &f->labour[1]);
        s_job(&f->jobs[1], 2, "accessory installation (ordered with the car)", f->labour[1]);
        for (size_t i = 0; i < m->n_accessories; i++) {
            const As__SalesAccessory *a = m->accessories[i];
            As__PartLine *line = &f->lines[i];
            as__part_line__init(line);
            line->part_number = a->part_number;
            line->has_quantity = line->has_unit_price_cents = 1;
            line->quantity = a->quantity;
            line->unit_price_cents = a->agreed_price_cents;
            f->line_ptrs[i] = line;
        }
        f->jobs[1].parts = f->line_ptrs;
        f->jobs[1].n_parts = m->n_accessories;
        f->job_ptrs[ro->n_jobs++] = &f->jobs[1];
    }
    ro->jobs = f->job_ptrs;
    int64_t estimate = 0;
    for (size_t i = 0; i < ro->n_jobs; i++)
        estimate += labour_cents(ro->jobs[i]->labour) +
                    part_lines_cents(ro->jobs[i]->parts, ro->jobs[i]->n_parts);
    ro->has_estimate_cents = 1;
    ro->estimate_cents = estimate;
    return rc;
}

static bool s_usable(const As__SalesVehicleSold *m, const char **why)
{
    char err[256];
    *why = blank(m->sale_ref) || strlen(m->sale_ref) > S_REF_MAX || strchr(m->sale_ref, '/')
               ? "sale_ref"
           : as_vin_validate(m->vin, err, sizeof err) != 0 ? "vin"
           : !m->sale_date || !as_date_valid(m->sale_date) ? "sale_date"
           : blank(m->customer_name)                       ? "customer_name"
           : m->n_accessories > S_LINES_MAX                ? "accessories"
                                                           : NULL;
    for (size_t i = 0; !*why && i < m->n_accessories; i++)
        if (blank(m->accessories[i]->part_number) || m->accessories[i]->quantity == 0 ||
            m->accessories[i]->agreed_price_cents < 0)
            *why = "accessories";
    return !*why;
}

int on_vehicle_sold(as_evt_t *evt)
{
    const As__SalesVehicleSold *m = (const As__SalesVehicleSold *)evt->payload;
    const char *why;
    if (!s_usable(m, &why)) {
        as_warn("reception: sales.vehicle.sold '%s' skipped: bad %s",
                m->sale_ref ? m->sale_ref : "", why);
        return 0;
    }
    char ro_number[S_REF_MAX + sizeof NEW_CAR_RO_PREFIX];
    snprintf(ro_number, sizeof ro_number, NEW_CAR_RO_PREFIX "%s", m->sale_ref);
    if (as_record_exists(evt->txn, as_record_dbi(evt->svc, "ros"), ro_number))
        return 0; /* this sale's RO is open already */
    As__Vehicle *vehicle = NULL;
    s_fitting_t *f = calloc(1, sizeof *f);
    int rc = f ? s_vehicle(evt, m, &vehicle) : -ENOMEM;
    char date[AS_DATE_LEN + 1];
    as_evt_date(evt, date);
    As__RepairOrder ro = AS__REPAIR_ORDER__INIT;
    ro.ro_number = ro_number;
    ro.sale_ref = m->sale_ref;
    ro.advisor = (char *)(evt->env->actor ? evt->env->actor : "sales");
    ro.has_mileage_km = ro.has_opened_us = ro.has_status = 1;
    ro.opened_us = as_evt_time(evt);
    ro.opened_date = date;
    ro.status = AS__RO_STATUS__RO_AWAITING_CONSENT;
    if (rc == 0) {
        ro.vin = vehicle->vin;
        ro.customer_id = vehicle->customer_id;
        ro.mileage_km = vehicle->mileage_km;
        rc = s_jobs(evt, m, f, &ro);
    }
    if (rc == 0)
        rc = as_record_put_in(evt->txn, as_record_dbi(evt->svc, "ros_by_vin"), ro.vin, ro.ro_number,
                              NULL);
    if (rc == 0)
        rc = ro_index_by_date(evt->svc, evt->txn, &ro);
    if (rc == 0)
        rc = ro_emit_evt(evt, "reception.ro.opened", &ro);
    ro.status = AS__RO_STATUS__RO_IN_WORKSHOP;
    ro.consent = "sales"; /* the sales department ordered the work */
    if (rc == 0)
        rc = ro_save(evt->svc, evt->txn, &ro);
    if (rc == 0)
        rc = ro_emit_evt(evt, "reception.ro.consented", &ro);
    if (f) {
        for (size_t i = 0; i < 2; i++)
            if (f->labour[i])
                as__labour_operation__free_unpacked(f->labour[i], NULL);
        free(f);
    }
    if (vehicle)
        as__vehicle__free_unpacked(vehicle, NULL);
    return rc;
}
