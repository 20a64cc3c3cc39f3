/* test_reception_lookups — reception's numbers and search in-process
 * (tests/support/harness.h): the end of a day's RO numbers, a number a
 * client took skipped, names in other alphabets found without case, the
 * complaints listed by status for the front-desk manager's screen. The
 * whole story with the real daemons is tests/integration/test_lookups.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/pb/reception.pb-c.h"
#include "as/record.h"
#include "as/store.h"
#include "harness.h"
#include "reception_service.h"

#define VIN "LSVAU218XN2183294"

static as_harness_t *s_open(void)
{
    as_harness_t *h = as_harness_new(&reception_service, "[staff]\n"
                                                         "adv-wang = advisor limit=1000000\n"
                                                         "clerk-zhou = info_clerk\n"
                                                         "fdm-li = front_desk_manager\n");
    assert_non_null(h);
    return h;
}

/* Runs a command that must succeed. */
static void s_call_ok(as_harness_t *h, const char *actor, const char *command,
                      const ProtobufCMessage *req)
{
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, actor, command, req, &r), 0);
    if (r.status != 0)
        fail_msg("%s: %s", command, r.error);
    as_harness_result_clear(&r);
}

static void s_customer(as_harness_t *h, const char *name)
{
    As__CustomerRegister req = AS__CUSTOMER_REGISTER__INIT;
    req.name = (char *)name;
    s_call_ok(h, "clerk-zhou", "reception.customer.register", &req.base);
}

static void s_vehicle(as_harness_t *h)
{
    s_customer(h, "Wang Wei");
    As__VehicleRegister req = AS__VEHICLE_REGISTER__INIT;
    req.vin = VIN;
    req.plate = "鲁A12345";
    req.customer_id = "C000001";
    s_call_ok(h, "clerk-zhou", "reception.vehicle.register", &req.base);
}

/* ro.open of one oil change, under `ro_number` (NULL: the next number). */
static void s_open_ro(as_harness_t *h, const char *ro_number, as_harness_result_t *r)
{
    As__LabourOperation labour = AS__LABOUR_OPERATION__INIT;
    labour.code = "EN010";
    labour.has_sold_minutes = labour.has_rate_cents = 1;
    labour.sold_minutes = 30;
    labour.rate_cents = 60000;
    As__JobRequest job = AS__JOB_REQUEST__INIT, *jobs[] = {&job};
    job.concern = "oil change";
    job.has_pay_type = 1;
    job.pay_type = AS__PAY_TYPE__CUSTOMER_PAY;
    job.labour = &labour;
    As__RoOpen req = AS__RO_OPEN__INIT;
    req.ro_number = (char *)ro_number;
    req.vin = VIN;
    req.has_mileage_km = 1;
    req.mileage_km = 1000;
    req.n_jobs = 1;
    req.jobs = jobs;
    assert_int_equal(as_harness_call(h, "adv-wang", "reception.ro.open", &req.base, r), 0);
}

typedef struct {
    as_service_t *svc;
    const char *day;
    uint32_t last;
} s_seed_t;

static int s_put_sequence(MDB_txn *txn, void *arg)
{
    s_seed_t *seed = arg;
    as_key_t key;
    assert_int_equal(as_key_of(&key, "ro", seed->day, NULL), 0);
    As__Sequence seq = AS__SEQUENCE__INIT;
    seq.has_last = 1;
    seq.last = seed->last;
    return as_record_put_key(txn, as_record_dbi(seed->svc, "sequences"), &key, &seq.base);
}

/* The day's last numbers: one a client took is skipped, then none is left. */
static void test_a_days_numbers_run_out(void **state)
{
    (void)state;
    as_harness_t *h = s_open();
    s_vehicle(h);
    char date[AS_DATE_LEN + 1], day[7], number[16];
    as_date_today(date);
    snprintf(day, sizeof day, "%.2s%.2s%.2s", date + 2, date + 5, date + 8);
    s_seed_t seed = {as_harness_service(h), day, 9997};
    assert_int_equal(as_store_write(as_service_store(seed.svc), s_put_sequence, &seed), 0);

    as_harness_result_t r;
    snprintf(number, sizeof number, "R%s9998", day);
    s_open_ro(h, number, &r); /* a client's own number, the one that comes next */
    assert_int_equal(r.status, 0);
    as_harness_result_clear(&r);
    s_open_ro(h, NULL, &r);
    assert_int_equal(r.status, 0);
    snprintf(number, sizeof number, "R%s9999", day);
    assert_string_equal(((As__RepairOrder *)r.reply)->ro_number, number);
    as_harness_result_clear(&r);

    s_open_ro(h, NULL, &r);
    assert_int_equal(r.status, AS_ECONFLICT);
    char want[64];
    snprintf(want, sizeof want, "no ro number is left (%s: 9999 taken)", day);
    assert_string_equal(r.error, want);
    assert_int_equal(r.n_events, 0);
    as_harness_result_clear(&r);
    assert_int_equal(as_harness_count(h, "ros"), 2);
    as_harness_destroy(&h);
}

/* A customer id a client took is skipped too; a refused registration takes none. */
static void test_customer_ids(void **state)
{
    (void)state;
    as_harness_t *h = s_open();
    As__CustomerRegister req = AS__CUSTOMER_REGISTER__INIT;
    req.customer_id = "C000001";
    req.name = "Li Na";
    s_call_ok(h, "clerk-zhou", "reception.customer.register", &req.base);
    as_harness_result_t r;
    req.customer_id = NULL;
    req.name = NULL;
    assert_int_equal(as_harness_call(h, "clerk-zhou", "reception.customer.register", &req.base, &r),
                     0);
    assert_int_equal(r.status, AS_EINVALID);
    assert_string_equal(r.error, "customer 'C000002': name is required");
    as_harness_result_clear(&r);
    req.name = "Zhao Lei";
    assert_int_equal(as_harness_call(h, "clerk-zhou", "reception.customer.register", &req.base, &r),
                     0);
    assert_int_equal(r.status, 0);
    assert_string_equal(((As__Customer *)r.reply)->customer_id, "C000002");
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

/* The ids of the customers a search finds, space separated, into out. */
static void s_found(as_harness_t *h, const char *text, char *out, size_t cap)
{
    As__Search req = AS__SEARCH__INIT;
    req.text = (char *)text;
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "clerk-zhou", "reception.search", &req.base, &r), 0);
    assert_int_equal(r.status, 0);
    const As__SearchHits *hits = (const As__SearchHits *)r.reply;
    out[0] = '\0';
    for (size_t i = 0; i < hits->n_customers; i++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? " " : "",
                 hits->customers[i]->customer_id);
    as_harness_result_clear(&r);
}

/* Latin with accents, Greek and Cyrillic are found without case. */
static void test_names_in_other_alphabets(void **state)
{
    (void)state;
    as_harness_t *h = s_open();
    s_customer(h, "Иван Петров");         /* C000001 */
    s_customer(h, "Ōtani Shōhei");        /* C000002 */
    s_customer(h, "Åsa Öberg-Łukasz");    /* C000003 */
    s_customer(h, "Νίκος Ἀλέξης ΚΩΣΤΑΣ"); /* C000004 */
    char found[128];
    s_found(h, "ИВАН", found, sizeof found);
    assert_string_equal(found, "C000001");
    s_found(h, "петр", found, sizeof found);
    assert_string_equal(found, "C000001");
    s_found(h, "ŌTANI shō", found, sizeof found);
    assert_string_equal(found, "C000002");
    s_found(h, "otani", found, sizeof found); /* accents are kept */
    assert_string_equal(found, "");
    s_found(h, "öberg", found, sizeof found);
    assert_string_equal(found, "C000003");
    s_found(h, "ŁUKA", found, sizeof found); /* a word after a '-' */
    assert_string_equal(found, "C000003");
    s_found(h, "κωσ", found, sizeof found);
    assert_string_equal(found, "C000004");
    as_harness_destroy(&h);
}

static void s_complaint(as_harness_t *h, const char *id, const char *text)
{
    As__ComplaintLog req = AS__COMPLAINT_LOG__INIT;
    req.complaint_id = (char *)id;
    req.channel = "phone";
    req.text = (char *)text;
    s_call_ok(h, "clerk-zhou", "reception.complaint.log", &req.base);
}

/* The ids of the complaints of `status` (NULL: all), space separated. */
static void s_complaints(as_harness_t *h, const char *status, char *out, size_t cap)
{
    As__ComplaintListQuery req = AS__COMPLAINT_LIST_QUERY__INIT;
    req.status = (char *)status;
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "fdm-li", "reception.complaint.list", &req.base, &r), 0);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n_events, 0);
    const As__ComplaintList *list = (const As__ComplaintList *)r.reply;
    out[0] = '\0';
    for (size_t i = 0; i < list->n_complaints; i++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? " " : "",
                 list->complaints[i]->complaint_id);
    as_harness_result_clear(&r);
}

/* complaint.list: by id, open or resolved or all; another status refused. */
static void test_complaint_list(void **state)
{
    (void)state;
    as_harness_t *h = s_open();
    char found[128];
    s_complaints(h, "open", found, sizeof found);
    assert_string_equal(found, "");
    s_complaint(h, "K-2", "waited two hours");
    s_complaint(h, "K-1", "noise again");
    s_complaint(h, "K-3", "car not washed");
    As__ComplaintResolve resolve = AS__COMPLAINT_RESOLVE__INIT;
    resolve.complaint_id = "K-2";
    resolve.resolution = "free wash and apology";
    s_call_ok(h, "fdm-li", "reception.complaint.resolve", &resolve.base);
    s_complaints(h, "open", found, sizeof found);
    assert_string_equal(found, "K-1 K-3");
    s_complaints(h, "resolved", found, sizeof found);
    assert_string_equal(found, "K-2");
    s_complaints(h, NULL, found, sizeof found);
    assert_string_equal(found, "K-1 K-2 K-3");
    As__ComplaintListQuery bad = AS__COMPLAINT_LIST_QUERY__INIT;
    bad.status = "closed";
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "fdm-li", "reception.complaint.list", &bad.base, &r), 0);
    assert_int_equal(r.status, AS_EINVALID);
    assert_string_equal(r.error, "status 'closed' is not open or resolved");
    as_harness_result_clear(&r);
    as_harness_destroy(&h);
}

/* services/reception/records.c runs it at start (reception.h) */
int reception_index_upgrade(as_service_t *svc);

/* A store of search format 1: the vehicle index without the owners. */
static int s_format_one(MDB_txn *txn, void *arg)
{
    as_service_t *svc = arg;
    as_key_t key;
    assert_int_equal(as_key_of(&key, "o", "C000001", VIN, NULL), 0);
    int rc = as_record_del_key(txn, as_record_dbi(svc, "vehicle_keys"), &key);
    return rc ? rc : as_meta_put(as_service_store(svc), txn, "reception_search", "1", 1);
}

/* Searches `text` with the vehicles of the customers found: how many vehicles. */
static size_t s_owned(as_harness_t *h, const char *text)
{
    As__Search req = AS__SEARCH__INIT;
    req.text = (char *)text;
    req.has_with_vehicles = req.with_vehicles = 1;
    as_harness_result_t r;
    assert_int_equal(as_harness_call(h, "clerk-zhou", "reception.search", &req.base, &r), 0);
    assert_int_equal(r.status, 0);
    size_t n = ((As__SearchHits *)r.reply)->n_vehicles;
    as_harness_result_clear(&r);
    return n;
}

/* A store indexed before the owners has its vehicles indexed again at start,
 * once: a customer's name then finds the car. */
static void test_owners_indexed_for_an_older_store(void **state)
{
    (void)state;
    as_harness_t *h = s_open();
    as_service_t *svc = as_harness_service(h);
    s_vehicle(h);
    assert_int_equal(s_owned(h, "wang"), 1);
    assert_int_equal(as_store_write(as_service_store(svc), s_format_one, svc), 0);
    assert_int_equal(s_owned(h, "wang"), 0);
    assert_int_equal(reception_index_upgrade(svc), 0);
    assert_int_equal(s_owned(h, "wang"), 1);
    assert_int_equal(s_owned(h, "wei"), 1);
    as_harness_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_days_numbers_run_out),
        cmocka_unit_test(test_customer_ids),
        cmocka_unit_test(test_names_in_other_alphabets),
        cmocka_unit_test(test_complaint_list),
        cmocka_unit_test(test_owners_indexed_for_an_older_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
