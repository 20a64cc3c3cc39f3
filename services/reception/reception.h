/* reception.h — what the reception daemon's files share: the staff list, the
 * databases and small helpers for records, requests and events. */
#ifndef AS_RECEPTION_H
#define AS_RECEPTION_H

#include <stdbool.h>
#include <stdint.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/envelope.h"
#include "as/pb/reception.pb-c.h"
#include "as/record.h"
#include "as/service.h"
#include "as/staff.h"
#include "as/text.h"

/* Who may receive an appointment (who may run each command is the catalog's:
 * proto/catalog/reception.c, checked by the runtime before a handler runs). */
#define ROLES_ADVISOR (AS_ROLE_ADVISOR | AS_ROLE_FRONT_DESK_MANAGER)

/* Domain databases (keys in brackets):
 *   customers     [customer_id] -> Customer
 *   vehicles      [vin] -> Vehicle
 *   ros           [ro_number] -> RepairOrder
 *   ros_by_vin    [vin "/" ro_number] -> "" (the ROs of a vehicle, for comebacks)
 *   appointments  [appointment_id] -> Appointment
 *   complaints    [complaint_id] -> Complaint
 *   reminders     [vin "/" kind "/" due_date] -> Reminder (the outcome of a call)
 *   reminder_plans [date] -> ReminderPlanned (the clerk's call list of the day)
 *   recalls       [vin "/" campaign_id] -> "campaign: title" (open recalls)
 *   labour_ops, labour_rates, technicians, part_prices: labour_ops.c
 *   sequences     [kind \0 day] -> Sequence (numbering.c: the last RO number of a
 *                 day, the last customer id, the last quality action id)
 *   customer_words  [word \0 customer_id] -> "" (search.c: each word of a name)
 *   customer_phones ["p" \0 digits \0 id], ["r" \0 reversed digits \0 id] -> ""
 *   vehicle_keys  [plate or vin suffix \0 vin] -> "" (search.c)
 *   ros_by_date   [opened_date \0 ro_number] -> "" (ro_list.c)
 *   insurance_renewals [vin \0 term_end] -> InsuranceRenewal (insurance.c)
 *   holidays      [date] -> Holiday; greetings_sent [date \0 occasion \0 customer_id]
 *                 -> Greeting (greetings.c: each greeting emitted once) */
extern const char *const reception_dbs[];

/* The commands and event handlers of each file (reception.c joins them). A
 * command handler reads its request as the catalog's message in cmd->request,
 * an event handler its payload in evt->payload (both borrowed). */
int customer_register(as_cmd_t *cmd);
int customer_show(as_cmd_t *cmd);
int vehicle_register(as_cmd_t *cmd);
int vehicle_mileage(as_cmd_t *cmd);
int vehicle_mileage_correct(as_cmd_t *cmd);
int vehicle_show(as_cmd_t *cmd);
int ro_open(as_cmd_t *cmd);
int ro_approve(as_cmd_t *cmd);
int ro_consent(as_cmd_t *cmd);
int ro_show(as_cmd_t *cmd);
int ro_deliver(as_cmd_t *cmd);
int ro_close(as_cmd_t *cmd);
int extra_work_answer(as_cmd_t *cmd);
int followup_record(as_cmd_t *cmd);
int on_defect_reported(as_evt_t *evt);
int on_qc_passed(as_evt_t *evt);
int on_consumption_recorded(as_evt_t *evt);

/* Open recalls (recalls.c): the warranty service's campaigns per vehicle.
 * recalls_of sets *list to malloc'd "campaign: title" texts (free with
 * recalls_free); 0 or an LMDB code. */
int on_recall_opened(as_evt_t *evt);
int on_recall_completed(as_evt_t *evt);
int recalls_of(as_service_t *svc, MDB_txn *txn, const char *vin, char ***list, size_t *n);
void recalls_free(char ***list, size_t *n);
int appointment_book(as_cmd_t *cmd);
int appointment_confirm(as_cmd_t *cmd);
int appointment_assign(as_cmd_t *cmd);
int appointment_arrive(as_cmd_t *cmd);
int appointment_no_show(as_cmd_t *cmd);
int appointment_cancel(as_cmd_t *cmd);
int appointment_queue(as_cmd_t *cmd);
int advisor_list(as_cmd_t *cmd);
bool appointment_slot_valid(const char *slot);

/* Requests from the crm (crm_requests.c): each becomes the appointment
 * CRM_APPOINTMENT_PREFIX + crm_ref in the REQUESTED state. */
#define CRM_APPOINTMENT_PREFIX "crm-"
int on_crm_appointment_requested(as_evt_t *evt);
int on_crm_appointment_withdrawn(as_evt_t *evt);

/* New cars (new_cars.c): a sale of the sales DMS opens the car's fitting RO
 * NEW_CAR_RO_PREFIX + sale_ref (PDI and the accessories ordered with it). */
#define NEW_CAR_RO_PREFIX "NC-"
int on_vehicle_sold(as_evt_t *evt);
int complaint_log(as_cmd_t *cmd);
int complaint_resolve(as_cmd_t *cmd);
int complaint_list(as_cmd_t *cmd);
int reminder_due(as_cmd_t *cmd);
int reminder_plan(as_cmd_t *cmd);
int reminder_record(as_cmd_t *cmd);

/* Master data (labour_ops.c): the labour-operation catalogue, the labour
 * rate of each pay type, the technicians' skills (workshop) and the parts'
 * prices (parts) an RO opens from. */
int labour_op_define(as_cmd_t *cmd);
int labour_op_retire(as_cmd_t *cmd);
int labour_op_list(as_cmd_t *cmd);
int labour_op_show(as_cmd_t *cmd);
int labour_rate_set(as_cmd_t *cmd);
int labour_rate_list(as_cmd_t *cmd);
int skill_list(as_cmd_t *cmd);
int on_technician_registered(as_evt_t *evt);
int on_part_defined(as_evt_t *evt);
/* parts.order.promised (parts_promised.c): keeps the promised date of a
 * backordered part on the RO's job. */
int on_order_promised(as_evt_t *evt);
/* parts.order.cancelled (parts_promised.c): a cancelled urgent line's RO job
 * keeps its promise no more (the promise that order made; a later order's
 * stays). */
int on_order_cancelled(as_evt_t *evt);
/* The latest promised date of the RO's backordered parts, or NULL. */
const char *ro_parts_promised_date(const As__RepairOrder *ro);
/* At start: warns when the store knows no technician but has repair orders
 * (written before reception kept the skills), saying what to do. */
void labour_ops_check_start(as_service_t *svc);

/* Gives job `job_no` of a reception.ro.open request (a copy the caller owns
 * and may change) what the master data says: the catalogue's labour for an
 * operation_code (refused when unknown or retired), the pay type's labour
 * rate, the parts catalogue's price of a part line without one. A free-text
 * job (no operation_code) may name only a skill some technician has and a
 * code the catalogue does not have. Fails the command and returns non-zero
 * on a refusal; 0 or a store code otherwise. */
int job_resolve(as_cmd_t *cmd, size_t job_no, As__JobRequest *job);

/* --- records (records.c; the records themselves through as/record.h) --------- */

/* Moves a store written before the one key encoding over to it (once). */
int reception_upgrade(as_service_t *svc);

/* Packs `msg` as the reply and frees it; returns 0 or an error. */
int cmd_reply_free(as_cmd_t *cmd, ProtobufCMessage *msg);

/* Copies `text` to the heap for a field of an unpacked message (which frees it);
 * NULL when out of memory. */
char *dup_text(const char *text);

/* Replaces *field (a string of an unpacked message) with a copy of `text`. */
int set_text(char **field, const char *text);

bool blank(const char *text);

/* Loads the repair order `ro_number` for a command; fails the command with
 * AS_ENOTFOUND (or AS_EINVALID when the number is missing) and returns non-zero. */
int ro_load(as_cmd_t *cmd, const char *ro_number, As__RepairOrder **ro);
int ro_save(as_service_t *svc, MDB_txn *txn, As__RepairOrder *ro);

/* Emits a RoChanged event (the whole RO, today's date). */
int ro_emit_cmd(as_cmd_t *cmd, const char *type, const As__RepairOrder *ro);
int ro_emit_evt(as_evt_t *evt, const char *type, const As__RepairOrder *ro);

/* Vehicles (customers.c): load for a command (fails it when absent), check
 * that a reading does not go backwards, append a reading to the history. */
int vehicle_load(as_cmd_t *cmd, const char *vin, As__Vehicle **vehicle);
/* No vehicle reaches this: a reading above it is a typo (an extra digit). The
 * bound of the warranty policy's km too (services/warranty/policy.c). */
#define RECEPTION_MILEAGE_MAX 2000000u

/* Fails the command when `km` is above RECEPTION_MILEAGE_MAX or below the
 * vehicle's last reading. */
int vehicle_check_mileage(as_cmd_t *cmd, const As__Vehicle *vehicle, uint32_t km);
/* Appends a reading of `km` taken at `at_us` (by the RO `ro_number`, or NULL). */
int vehicle_add_reading(As__Vehicle *vehicle, uint32_t km, const char *ro_number, int64_t at_us);

/* Who owns a vehicle under which plate (vehicle_owner.c).
 * vehicle_register_known answers a registration `req` of the VIN already
 * registered as `stored`: another plate or owner is refused (AS_EEXISTS,
 * naming what is registered and reception.vehicle.transfer), the same plate
 * and owner with nothing new is a repeat answered with `stored` (0, nothing
 * written); VEHICLE_NEW_DETAILS: the same plate and owner with new details
 * (model, sale date, mileage, insurance) the caller applies. Else a store code.
 * vehicle_check_plate_free fails the command (AS_EEXISTS) when a vehicle other
 * than `vin` carries `plate`; 0 when none does, or a store code. */
#define VEHICLE_NEW_DETAILS 1
int vehicle_register_known(as_cmd_t *cmd, const As__Vehicle *stored,
                           const As__VehicleRegister *req);
int vehicle_check_plate_free(as_cmd_t *cmd, const char *vin, const char *plate);
int vehicle_transfer(as_cmd_t *cmd);

/* Changes one repair order for a command: loads `ro_number` (fails the
 * command when absent), lets `change` check and change it (it fails the
 * command to refuse; it reads the request from cmd->request), saves it, emits
 * `event` (a RoChanged; NULL: none) and replies with the RO. */
typedef int (*ro_change_fn)(as_cmd_t *cmd, As__RepairOrder *ro);
int ro_update(as_cmd_t *cmd, const char *ro_number, ro_change_fn change, const char *event);

/* Money of a job: labour (sold minutes x hourly rate / 60) and part lines. */
int64_t labour_cents(const As__LabourOperation *labour);
int64_t part_lines_cents(As__PartLine *const *parts, size_t n_parts);

/* Checks the part lines of job number `job`; fails the command on a bad one. */
int check_part_lines(as_cmd_t *cmd, size_t job, As__PartLine *const *parts, size_t n_parts);

/* A deep copy of `msg` (free with protobuf_c_message_free_unpacked); NULL
 * when `msg` is NULL or memory is short. */
void *msg_copy(const ProtobufCMessage *msg);

/* Marks appointment `appointment_id` as used by RO `ro_number` of `vin`
 * (appointments.c); fails the command when it cannot be. */
int appointment_use(as_cmd_t *cmd, const char *appointment_id, const char *vin,
                    const char *ro_number);

const char *ro_status_name(As__RoStatus status);

/* --- numbers (numbering.c) ---------------------------------------------------- */
#define RO_NUMBER_SIZE 16         /* "R2611020001" and its '\0', with room */
#define CUSTOMER_ID_SIZE 16       /* "C000001" */
#define QUALITY_ACTION_ID_SIZE 16 /* "QA-0001" */

/* Takes the next RO number of the day the command records (as_cmd_time), or
 * the next customer id, inside the command's transaction; a number under which
 * a record exists already is skipped. 0, AS_ECONFLICT (the day's 9,999 are
 * taken; the command is failed) or a store code. */
int ro_number_take(as_cmd_t *cmd, char out[RO_NUMBER_SIZE]);
int customer_id_take(as_cmd_t *cmd, char out[CUSTOMER_ID_SIZE]);
/* The next quality action id (QA-0001...), the same way. */
int quality_action_id_take(as_cmd_t *cmd, char out[QUALITY_ACTION_ID_SIZE]);

/* --- lookups (search.c, ro_list.c) --------------------------------------------- */
int reception_search(as_cmd_t *cmd);
int ro_list(as_cmd_t *cmd);
int vehicle_history(as_cmd_t *cmd);

/* Keep the search indexes of a customer's name and phone, and of a vehicle's
 * plate and VIN: call before the record is written (they read the record as
 * stored, to drop what changed). 0 or a store code. */
int search_index_customer(as_service_t *svc, MDB_txn *txn, const As__Customer *customer);
int search_index_vehicle(as_service_t *svc, MDB_txn *txn, const As__Vehicle *vehicle);

/* One plate, one vehicle: search_same_plate tells whether two plates are the
 * same as searched (case, spaces, '-', '.' and '·' ignored);
 * search_plate_taken finds a vehicle other than `vin` (NULL: any) carrying
 * `plate` and copies its VIN to out (cap bytes): 0 none, 1 found, or a store
 * code. */
bool search_same_plate(const char *a, const char *b);
int search_plate_taken(as_service_t *svc, MDB_txn *txn, const char *plate, const char *vin,
                       char *out, size_t cap);

/* Files a new RO under its opening date, for ro.list. 0 or a store code. */
int ro_index_by_date(as_service_t *svc, MDB_txn *txn, const As__RepairOrder *ro);

/* Once per store, at start: builds the search and date indexes of a store
 * written before them. 0 or a store code (nothing changed). */
int reception_index_upgrade(as_service_t *svc);

/* --- issue 15 at the front desk (rescue.c, care.c, advisor_sales.c) ---------- */
int rescue_request(as_cmd_t *cmd);
int rescue_approve(as_cmd_t *cmd);
int rescue_decline(as_cmd_t *cmd);
int rescue_dispatch(as_cmd_t *cmd);
int rescue_close(as_cmd_t *cmd);
int rescue_list(as_cmd_t *cmd);
int rescue_show(as_cmd_t *cmd);
/* Emits reception.customer.notified for an RO that became ready. 0 or a
 * store code. */
int care_notify_ready(as_evt_t *evt, const As__RepairOrder *ro);
/* Files an RO opened with waiting=true in the lounge; delivery takes it out.
 * 0 or a store code. */
int lounge_enter(as_cmd_t *cmd, const As__RepairOrder *ro);
int lounge_leave(as_cmd_t *cmd, const As__RepairOrder *ro);
int lounge_list(as_cmd_t *cmd);
int product_recommend(as_cmd_t *cmd);
int product_answer(as_cmd_t *cmd);
/* Checks ro.deliver's next-service date (after today, or NULL/"") and km
 * (above the RO's mileage) and sets them on `ro`; fails the command and
 * returns non-zero on a bad one. */
int advisor_sales_next_service(as_cmd_t *cmd, As__RepairOrder *ro, const char *date, bool has_km,
                               uint32_t km);

/* --- issue 15: comebacks and quality (comeback_cause.c, quality_actions.c,
 * quality_meetings.c) ------------------------------------------------------- */
int comeback_cause(as_cmd_t *cmd);
int quality_action_create(as_cmd_t *cmd);
int quality_action_update(as_cmd_t *cmd);
int quality_action_list(as_cmd_t *cmd);
int quality_action_show(as_cmd_t *cmd);
/* Checks and writes one action `req` (its id taken from the sequence when
 * blank), dated the command's day, linked to `meeting_id` when not NULL, and
 * emits reception.quality_action.created. `item` (from 1) is its number among
 * a meeting's action items, named by a refusal ("action item 2: ..."), 0 for
 * an action of its own. Fails the command and returns non-zero on a refusal;
 * else 0 or a store code, with the action's id in id_out (its copy). */
int quality_action_add(as_cmd_t *cmd, const As__QualityActionCreate *req, const char *meeting_id,
                       size_t item, char **id_out);
int quality_meeting_record(as_cmd_t *cmd);
int quality_meeting_list(as_cmd_t *cmd);
int quality_meeting_show(as_cmd_t *cmd);
/* The information clerk's lists (issue 15). insurance.c: the vehicle's
 * insurance term, the renewal list and the renewal information collected;
 * insurance_apply checks and sets a vehicle's insurer and end date (either may
 * be NULL: unchanged) and emits reception.insurance.changed when they changed;
 * it fails the command on a bad one. greetings.c: the holiday calendar and
 * the day's birthday and holiday greetings (reception.greeting.due, once per
 * customer and occasion); greeting_birthday_valid accepts "MM-DD" or a
 * "YYYY-MM-DD" not in the future. */
int insurance_set(as_cmd_t *cmd);
int insurance_due(as_cmd_t *cmd);
int insurance_renewal(as_cmd_t *cmd);
int insurance_apply(as_cmd_t *cmd, As__Vehicle *vehicle, const char *insurer, const char *end_date);
int holiday_set(as_cmd_t *cmd);
int holiday_list(as_cmd_t *cmd);
int greeting_list(as_cmd_t *cmd);
int greeting_send(as_cmd_t *cmd);
bool greeting_birthday_valid(const char *birthday);

#endif
