/* care.c — customer care at the front desk (issue 15):
 *
 * - When a repair order becomes ready for delivery (workshop.qc.passed),
 *   reception emits reception.customer.notified (CustomerNotified): the
 *   channel ("sms" when the customer has a phone, else "none": the advisor
 *   calls at the counter), the phone, the text in the customer's language
 *   (Customer.language, "en" or "zh", default "zh") and the RO. A messaging
 *   system takes it from the bus; reception sends nothing itself.
 * - The lounge: an RO opened with waiting=true files its number in db
 *   lounge [ro_number] (an index, no value); delivery takes it out.
 *   reception.lounge.list answers the customers waiting, oldest first by
 *   opening, each with the RO's status and its jobs' states.
 * Each returns 0, a store code or -ENOMEM; the list fails the command only
 * on a store error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/log.h"
#include "reception.h"

#define S_TEXT_SIZE 320

static void s_ready_text(const char *language, const char *plate, const char *ro_number,
                         char out[S_TEXT_SIZE])
{
    if (language && strcmp(language, "en") == 0)
        snprintf(out, S_TEXT_SIZE,
                 "Your vehicle %s is ready for collection (repair order %s). Thank you.", plate,
                 ro_number);
    else
        snprintf(out, S_TEXT_SIZE, "您的车辆 %s 已完工，可以取车（维修工单 %s）。谢谢！", plate,
                 ro_number);
}

int care_notify_ready(as_evt_t *evt, const As__RepairOrder *ro)
{
    As__Customer *customer = NULL;
    As__Vehicle *vehicle = NULL;
    int rc = blank(ro->customer_id)
                 ? MDB_NOTFOUND
                 : as_record_get(evt->txn, as_record_dbi(evt->svc, "customers"), ro->customer_id,
                                 &as__customer__descriptor, &customer);
    if (rc == 0 || rc == MDB_NOTFOUND)
        rc = blank(ro->vin) ? MDB_NOTFOUND
                            : as_record_get(evt->txn, as_record_dbi(evt->svc, "vehicles"), ro->vin,
                                            &as__vehicle__descriptor, &vehicle);
    if (rc == 0 || rc == MDB_NOTFOUND) {
        const char *phone = customer && !blank(customer->phone) ? customer->phone : "";
        const char *language = customer && !blank(customer->language) ? customer->language : "zh";
        const char *plate = vehicle && !blank(vehicle->plate) ? vehicle->plate : ro->vin;
        char text[S_TEXT_SIZE], date[AS_DATE_LEN + 1];
        s_ready_text(language, plate ? plate : "", ro->ro_number, text);
        as_evt_date(evt, date);
        As__CustomerNotified note = AS__CUSTOMER_NOTIFIED__INIT;
        note.ro_number = ro->ro_number;
        note.customer_id = ro->customer_id;
        note.channel = *phone ? "sms" : "none";
        note.phone = (char *)phone;
        note.language = (char *)language;
        note.text = text;
        note.vin = ro->vin;
        note.plate = vehicle ? vehicle->plate : NULL;
        note.date = date;
        rc = as_evt_emit(evt, "reception.customer.notified", ro->ro_number, &note.base);
    }
    if (customer)
        as__customer__free_unpacked(customer, NULL);
    if (vehicle)
        as__vehicle__free_unpacked(vehicle, NULL);
    return rc;
}

/* --- the lounge ------------------------------------------------------------ */

int lounge_enter(as_cmd_t *cmd, const As__RepairOrder *ro)
{
    return ro->waiting
               ? as_record_put(cmd->txn, as_record_dbi(cmd->svc, "lounge"), ro->ro_number, NULL)
               : 0;
}

int lounge_leave(as_cmd_t *cmd, const As__RepairOrder *ro)
{
    return as_record_del(cmd->txn, as_record_dbi(cmd->svc, "lounge"), ro->ro_number);
}

typedef struct {
    As__RepairOrder *ro;
    As__Customer *customer;
    As__Vehicle *vehicle;
    As__LoungeEntry entry;
} s_waiting_t;

static int s_by_opening(const void *a, const void *b)
{
    const s_waiting_t *x = a, *y = b;
    return x->ro->opened_us < y->ro->opened_us ? -1 : x->ro->opened_us > y->ro->opened_us;
}

static void s_fill(s_waiting_t *w)
{
    As__LoungeEntry *e = &w->entry;
    as__lounge_entry__init(e);
    e->ro_number = w->ro->ro_number;
    e->customer_id = w->ro->customer_id;
    e->customer_name = w->customer ? w->customer->name : NULL;
    e->vin = w->ro->vin;
    e->plate = w->vehicle ? w->vehicle->plate : NULL;
    e->has_status = e->has_opened_us = e->has_jobs_done = 1;
    e->status = w->ro->status;
    e->opened_us = w->ro->opened_us;
    e->jobs = w->ro->jobs;
    e->n_jobs = w->ro->n_jobs;
    for (size_t j = 0; j < w->ro->n_jobs; j++)
        e->jobs_done += w->ro->jobs[j]->status == AS__JOB_STATUS__JOB_QC_PASSED ||
                        w->ro->jobs[j]->status == AS__JOB_STATUS__JOB_DECLINED;
}

int lounge_list(as_cmd_t *cmd)
{
    as_record_list_t numbers = {0};
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "lounge"), NULL, NULL, &numbers);
    s_waiting_t *waiting = rc == 0 ? calloc(numbers.n + 1, sizeof *waiting) : NULL;
    As__LoungeEntry **entries = rc == 0 ? calloc(numbers.n + 1, sizeof *entries) : NULL;
    size_t n = 0;
    if (rc == 0 && (!waiting || !entries))
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < numbers.n; i++) {
        s_waiting_t *w = &waiting[n];
        rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "ros"), numbers.keys[i],
                           &as__repair_order__descriptor, &w->ro);
        if (rc == MDB_NOTFOUND) {
            rc = 0; /* not a repair order (any more): skipped */
            continue;
        }
        if (rc == 0 && !blank(w->ro->customer_id))
            rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "customers"), w->ro->customer_id,
                               &as__customer__descriptor, &w->customer);
        if (rc == 0 || rc == MDB_NOTFOUND)
            rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "vehicles"),
                               w->ro->vin ? w->ro->vin : "", &as__vehicle__descriptor, &w->vehicle);
        if (rc == MDB_NOTFOUND)
            rc = 0;
        n++;
    }
    if (rc == 0) {
        qsort(waiting, n, sizeof *waiting, s_by_opening);
        for (size_t i = 0; i < n; i++) {
            s_fill(&waiting[i]);
            entries[i] = &waiting[i].entry;
        }
        As__LoungeList reply = AS__LOUNGE_LIST__INIT;
        reply.waiting = entries;
        reply.n_waiting = n;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    for (size_t i = 0; waiting && i < n; i++) {
        if (waiting[i].ro)
            as__repair_order__free_unpacked(waiting[i].ro, NULL);
        if (waiting[i].customer)
            as__customer__free_unpacked(waiting[i].customer, NULL);
        if (waiting[i].vehicle)
            as__vehicle__free_unpacked(waiting[i].vehicle, NULL);
    }
    free(waiting);
    free(entries);
    as_record_list_free(&numbers);
    return rc;
}
