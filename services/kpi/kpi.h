/* kpi.h — what the files of the kpi service share (private to services/kpi). */
#ifndef KPI_H
#define KPI_H

#include "as/calendar.h"
#include "as/pb/kpi.pb-c.h"
#include "as/pb/parts.pb-c.h"
#include "as/record.h"
#include "as/service.h"
#include "as/staff.h"
#include "formulas.h"

/* The service's state outside the store, read once at start. */
typedef struct kpi {
    int hours_per_day; /* [kpi] working_hours_per_day, default 9 */
    /* issue 15, the monthly reports (monthly.c) */
    int report_deadline_day;  /* [kpi] report_deadline_day, default 5 */
    char today_file[1024];    /* [kpi] test_today_file (tests only), "" when unset */
    uv_timer_t monthly_timer; /* generates the month just ended's reports */
    bool monthly_timer_on;
    bool monthly_pending; /* the month just ended's reports were missing at the last look */
} kpi_t;

/* Domain databases, keyed by the record layer (as/record.h: parts joined by
 * '\0'; shown here with '|'):
 *   counters     "M|YYYY-MM|dim|id" / "D|YYYY-MM-DD|dim|id" -> KpiCounters
 *                (the department's id is "")
 *   targets      "YYYY-MM|metric" -> KpiTarget, and
 *                "YYYY-MM|metric|technician|id" -> a technician's own (report.c)
 *   technicians  tech id -> Technician (for the hourly cost)
 *   bays         bay id -> Bay
 *   attendance   "tech|YYYY-MM-DD" -> Attendance (a re-recorded shift counts once)
 *   ros          ro number -> KpiRoNote (advisor, technicians, delivery day,
 *                amounts waiting for the advisor; see ro_notes.c)
 *   warranty     "C|claim id" / "T|tag" -> KpiCohortNote (first submitted / tagged)
 *   tools        tool id -> KpiToolNote (preserved or not, next calibration)
 *   reminder_plans  "YYYY-MM-DD" -> KpiReminderPlanNote (a day planned again counts once)
 *   ro_days      "YYYY-MM-DD|ro" -> KpiCounters: the RO's share of the
 *                department's counters that day (kpi.figure.ros)
 *   ro_person_days  "dim|id|YYYY-MM-DD|ro" -> KpiCounters: the RO's share of
 *                a technician's, advisor's or bay's counters that day
 *                (kpi.figure.ros by a person)
 *   appointments appointment id -> KpiAppointmentNote (the slot's day and who
 *                its booking counted for: its arrival counts the same)
 *   uio          vin -> KpiUioNote (the days it had an RO opened: counters_sales.c)
 *   sales        sale_ref -> KpiCohortNote (the sale counted, on its date)
 *   expenses     "YYYY-MM|category" -> KpiExpense (expenses.c; recorded again: replaced)
 *   roster       "staff|YYYY-MM-DD|HH:MM" -> KpiRosterShift (roster.c: planned shifts)
 * targets also holds "YYYY-MM|metric|advisor|id" and "...|keeper|id": a
 * person's own target, like a technician's.
 *   comebacks    "YYYY-MM-DD|ro" -> KpiComebackNote (comebacks.c: the comeback
 *                analysis; the day the comeback counts on)
 *   insurance    vin -> KpiInsuranceNote (the current insurance term: counters_clerk.c)
 * The counters db also holds "L|YYYY-MM-DD" -> KpiCounters: the day's change
 * of the levels (tools registered, tools in good condition), summed up to a
 * period's end by kpi_levels_read.
 * It holds "G|group|YYYY-MM-DD" too: a part group's day of the stock levels
 * (counters_stock.c), and keeper_shifts "keeper|YYYY-MM-DD" -> KeeperShift
 * (a keeper's day recorded again counts once).
 * A store written before the one key encoding joined the parts with a real
 * '|'; kpi_upgrade moves it over once, at start. */
extern const char *const kpi_dbs[];
extern const as_event_def_t kpi_events[];
extern const as_command_def_t kpi_commands[];

/* Dimensions of the counters (the report's --by). */
#define KPI_DEPARTMENT "department"
#define KPI_TECHNICIAN "technician"
#define KPI_ADVISOR "advisor"
#define KPI_BAY "bay"
#define KPI_GROUP "group"   /* a part group (parts stock figures) */
#define KPI_KEEPER "keeper" /* a warehouse keeper (warehouse productivity) */
/* the figure whose monthly target is each advisor's (counters_advisor.c) */
#define KPI_ADVISOR_PRODUCT_SALES "advisor product sales"

kpi_t *kpi_of(as_service_t *svc);

/* Moves a store's '|'-joined keys to the one encoding (once; at start).
 * Returns 0 or an LMDB code. */
int kpi_upgrade(as_service_t *svc);

/* Sets one optional field of a message value: KPI_SET(delta, comebacks, 1). */
#define KPI_SET(msg, field, v) ((msg).has_##field = 1, (msg).field = (v))

/* Reads the counters under `key` into *out (zeros when absent); the copy owns
 * nothing. Returns 0, AS_EBADFRAME or an LMDB code. */
int kpi_counters_read(as_service_t *svc, MDB_txn *txn, const as_key_t *key, As__KpiCounters *out);

/* Adds every counter set in `delta` to `into` (setting it there). */
void kpi_counters_add(As__KpiCounters *into, const As__KpiCounters *delta);

/* Number of bays registered. */
int kpi_bay_count(as_service_t *svc, MDB_txn *txn, int64_t *count);

/* Adds `delta` to the counters of `date` and its month for dimension `dim`,
 * id `id` (ignored for the department; nothing is counted for an empty id of
 * another dimension). Returns 0, AS_EINVALID for an id too long, or an LMDB
 * code. */
int kpi_count(as_evt_t *evt, const char *date, const char *dim, const char *id,
              const As__KpiCounters *delta);

/* Adds `delta` to the level changes of `date` ("L|date"). Same returns. */
int kpi_level_add(as_evt_t *evt, const char *date, const As__KpiCounters *delta);

/* Sets the levels in *c to their value at the end of day `last_date`: the sum
 * of every level change up to that day. Returns 0 or an LMDB code. */
int kpi_levels_read(as_service_t *svc, MDB_txn *txn, const char *last_date, As__KpiCounters *c);
/* Every level summed up to the end of `last_date` into *levels (inited
 * here): what kpi_levels_read takes the tools' from, and the day summary
 * its vehicles waiting. Returns 0 or an LMDB code. */
int kpi_levels_sum(as_service_t *svc, MDB_txn *txn, const char *last_date, As__KpiCounters *levels);

/* Counts into c->calibrations_overdue the tools (not lost) whose next
 * calibration fell due from `first_date` to `last_date` and before `today`,
 * and is not done. Returns 0 or an LMDB code. */
int kpi_calibrations_overdue(as_service_t *svc, MDB_txn *txn, const char *first_date,
                             const char *last_date, const char *today, As__KpiCounters *c);

/* The event's own date when `payload_date` is a valid one, else the local
 * date of the envelope's time. */
void kpi_event_date(const as_evt_t *evt, const char *payload_date, char out[AS_DATE_LEN + 1]);

/* What kpi remembers of an RO (ro_notes.c), so that reception's, workshop's
 * and parts' facts of it meet in any order. An event handler opens the RO's
 * note once, tells it what the event says, and closes it: the note is written
 * back once, when it changed. An empty or NULL ro_number opens no note, and
 * every call on it does nothing. Each returns 0, -ENOMEM or an LMDB code. */
typedef struct kpi_ro {
    as_evt_t *evt;
    const char *ro_number;
    As__KpiRoNote *note; /* NULL: no RO named; else owned until kpi_ro_close */
    bool changed;
} kpi_ro_t;

/* Loads the note of `ro_number`, or starts a new one. */
int kpi_ro_open(as_evt_t *evt, const char *ro_number, kpi_ro_t *ro);
/* Writes the note when `rc` is 0 and it changed, and frees it. Returns rc,
 * or the write's code. */
int kpi_ro_close(kpi_ro_t *ro, int rc);
/* Counts `delta` for the RO's advisor on `date`: at once when the advisor is
 * known, else kept in the note until kpi_ro_learn_advisor. */
int kpi_ro_count_for_advisor(kpi_ro_t *ro, const char *date, const As__KpiCounters *delta);
/* Notes the RO's advisor (the first one named; every source names the same)
 * and counts for them what waited. */
int kpi_ro_learn_advisor(kpi_ro_t *ro, const char *advisor);
/* Notes the technicians not noted yet; on an RO delivered already each new one
 * counts ros_delivered on the delivery day. */
int kpi_ro_learn_technicians(kpi_ro_t *ro, char **technicians, size_t n);
/* Notes the delivery day; every technician noted counts ros_delivered on it. */
int kpi_ro_delivered(kpi_ro_t *ro, const char *date);

/* The RO's share of the department's counters on `date` (ro_figures.c): adds
 * `delta` to "date|ro_number" of db ro_days (nothing for no RO). Returns 0
 * or an LMDB code. */
int kpi_ro_day(as_evt_t *evt, const char *date, const char *ro_number,
               const As__KpiCounters *delta);
/* kpi_count for a technician, advisor or bay, and the RO's share of that
 * person's counters on `date` ("dim|id|date|ro" of db ro_person_days) when
 * `ro_number` names one: every person counter an RO moves goes through here,
 * so the shares add up to the person's counters. Same returns as kpi_count. */
int kpi_count_ro(as_evt_t *evt, const char *date, const char *dim, const char *id,
                 const char *ro_number, const As__KpiCounters *delta);
/* kpi.figure.ros: the ROs behind a figure of a month or a day, of the
 * department or (by, key) of one technician, advisor or bay. */
int kpi_cmd_figure_ros(as_cmd_t *cmd);

/* Event handlers of counters_warranty.c and counters_tools.c. Each returns 0,
 * AS_EINVALID for a payload it cannot use, or an LMDB code. */
int kpi_evt_claim_submitted(as_evt_t *evt);
int kpi_evt_claim_accepted(as_evt_t *evt);
int kpi_evt_part_tagged(as_evt_t *evt);
int kpi_evt_shipment_confirmed(as_evt_t *evt);
int kpi_evt_tool_registered(as_evt_t *evt);
int kpi_evt_tool_calibrated(as_evt_t *evt);
int kpi_evt_loan_checked_out(as_evt_t *evt);
int kpi_evt_loan_checked_in(as_evt_t *evt);
int kpi_evt_loan_lost(as_evt_t *evt);

/* counters_stock.c: the parts stock events (issue 14). Each returns 0,
 * AS_EINVALID for a payload it cannot use, or an LMDB code. */
int kpi_evt_stock_moved(as_evt_t *evt);
int kpi_evt_stock_scrapped(as_evt_t *evt);
int kpi_evt_quarantine_disposed(as_evt_t *evt);
int kpi_evt_stock_received(as_evt_t *evt);
int kpi_evt_keeper_shift(as_evt_t *evt);
/* Counts an issue (not a backorder) as a line issued by its keeper. */
int kpi_keeper_issue_line(as_evt_t *evt, const char *date, const As__PartIssue *issue);
/* Sets in *c the stock figures' counters of the department (group NULL) or a
 * group: the level at the end of `last`, the cost issued in the 90 days up
 * to it, and the daily levels from `first` to `last` (not after `today`)
 * summed, with their count. Returns 0 or an LMDB code. */
int kpi_stock_fill(as_service_t *svc, MDB_txn *txn, const char *group, const char *first,
                   const char *last, const char *today, As__KpiCounters *c);
/* The part groups a report by group lists: those with a stock level, and
 * those with counters in the period ("M"/"D", period). *names (sorted) and
 * its strings are the caller's to free. Returns 0, -ENOMEM or an LMDB code. */
int kpi_stock_groups(as_service_t *svc, MDB_txn *txn, const char *period_kind, const char *period,
                     char ***names, size_t *n);
/* Orders and RO parts lines (counters_orders.c): parts.order.confirmed and
 * parts.order.received count timely supply on each line's promised date; the
 * same returns. kpi_ro_parts_line sets in *d the RO parts line an issue of
 * `date` completes (ro_parts_lines, ro_parts_lines_on_time), if any. */
int kpi_evt_order_confirmed(as_evt_t *evt);
int kpi_evt_order_received(as_evt_t *evt);
/* parts.order.cancelled: a promised line cancelled on or before its promised
 * date is taken out of order_lines_due there. */
int kpi_evt_order_cancelled(as_evt_t *evt);
void kpi_ro_parts_line(const char *date, const As__PartIssue *issue, As__KpiCounters *d);
/* New cars and units in operation (counters_sales.c): sales.vehicle.sold; the
 * days a vehicle had an RO opened (db "uio", from reception.ro.opened); the
 * distinct vehicles with an RO opened after the same day two years before
 * `last_date` and up to it (`after` is that day). 0 or a store code. */
int kpi_evt_vehicle_sold(as_evt_t *evt);
int kpi_uio_note(as_evt_t *evt, const char *vin, const char *date);
void kpi_uio_window_start(const char *last_date, char after[AS_DATE_LEN + 1]);
int kpi_uio_count(as_service_t *svc, MDB_txn *txn, const char *last_date, int64_t *count);
/* Adds those VINs to `vins` (a group kpi counts a VIN that came to two sites
 * once: as_ids_unique after every site's). Returns 0 or an LMDB code/-ENOMEM. */
int kpi_uio_collect(as_service_t *svc, MDB_txn *txn, const char *last_date, as_ids_t *vins);
/* Training (counters_training.c): workshop.training.planned / .certified count
 * on the plan's planned date, for the department and the technician. */
int kpi_evt_training_planned(as_evt_t *evt);
int kpi_evt_training_certified(as_evt_t *evt);
/* Advisor sales at the counter (counters_advisor.c): products recommended
 * and sold, for the department and the advisor who recommended them. */
int kpi_evt_product_recommended(as_evt_t *evt);
int kpi_evt_product_answered(as_evt_t *evt);

/* Issue 15. warranty.part.inspected counts the OEM's return inspection on its
 * date (counters_warranty.c). expenses.c: kpi.expense.record and
 * kpi.expense.list (db "expenses": "YYYY-MM|category" -> KpiExpense), and
 * kpi_expenses_fill, which sets c->expenses_cents and c->expense_categories
 * to the month's sum and count. Each returns 0, AS_EINVALID for a payload it
 * cannot use, or an LMDB code. */
int kpi_evt_part_inspected(as_evt_t *evt);
int kpi_cmd_expense_record(as_cmd_t *cmd);
int kpi_cmd_expense_list(as_cmd_t *cmd);
int kpi_expenses_fill(as_service_t *svc, MDB_txn *txn, const char *month, As__KpiCounters *c);

/* Issue 15, the service manager's people tools. kpi_target_find (report.c):
 * the target of figure `name` (unit `unit`) for a month's (or, is_day, a
 * day's) row of `by` (department, technician, advisor, keeper...) with key
 * `id`: the person's own first, then the month's target for every row where
 * it applies (a ratio; a count or an amount on the department's month; the
 * advisor product sales on an advisor's month). *found false: none.
 * Returns 0 or an LMDB code. scorecard.c: kpi.scorecard. roster.c:
 * kpi.roster.plan / .clear / .list (db "roster"). */
int kpi_target_find(as_service_t *svc, MDB_txn *txn, const char *month, const char *name,
                    const char *unit, const char *by, const char *id, bool is_day, double *value,
                    bool *found);
/* A period of whole months (a year's report, a scorecard's quarter):
 * kpi_months_counters sums the "M" counters of dim/id over months[0..n);
 * kpi_months_target gives figure f's target over them: the months' targets
 * added up for a count, an amount or hours, their mean for a ratio, and in
 * *with the months that had one (0: no target). Both return 0 or an LMDB
 * code (kpi_months_counters also AS_EBADFRAME). */
int kpi_months_counters(as_service_t *svc, MDB_txn *txn, const char (*months)[8], size_t n,
                        const char *dim, const char *id, As__KpiCounters *sum);
int kpi_months_target(as_service_t *svc, MDB_txn *txn, const char (*months)[8], size_t n,
                      const kpi_figure_t *f, const char *by, const char *id, double *target,
                      unsigned *with);
int kpi_cmd_scorecard(as_cmd_t *cmd);
int kpi_cmd_roster_plan(as_cmd_t *cmd);
int kpi_cmd_roster_clear(as_cmd_t *cmd);
int kpi_cmd_roster_list(as_cmd_t *cmd);
/* The comeback analysis (comebacks.c): kpi_comeback_noted keeps the note of
 * a reception.comeback.detected (evt->payload) counted on `date`;
 * reception.comeback.cause_recorded sets its cause; kpi.comeback.analysis.
 * Each returns 0, AS_EINVALID for a payload it cannot use, or a store code. */
int kpi_comeback_noted(as_evt_t *evt, const char *date);
int kpi_evt_comeback_cause(as_evt_t *evt);
int kpi_cmd_comeback_analysis(as_cmd_t *cmd);
/* Issue 15, the information clerk (counters_clerk.c): reception's insurance
 * terms and renewal information (db "insurance": vin -> KpiInsuranceNote),
 * counted on each term's end date; the level of vehicles waiting (ROs opened
 * less delivered, "L|date"), moved by `delta` on `date`. day_summary.c:
 * kpi.day.summary. Same returns as the handlers above. */
int kpi_evt_insurance_changed(as_evt_t *evt);
int kpi_evt_insurance_renewal(as_evt_t *evt);
int kpi_vehicles_waiting_add(as_evt_t *evt, const char *date, int64_t delta);
int kpi_cmd_day_summary(as_cmd_t *cmd);
/* Issue 15, the monthly reports (monthly.c; db "monthly": "YYYY-MM|kind" ->
 * KpiMonthlyReport). kpi_monthly_start reads [kpi] report_deadline_day,
 * monthly_reports and test_today_file and starts (when monthly_reports) the
 * timer that generates the month just ended's reports once kpi is caught up
 * (AS_ECONFIG for a bad value; 0);
 * kpi_monthly_stop stops it. The commands kpi.monthly.*. kpi_monthly_fill
 * sets c->reports_due / _on_time (due date from `first` to `last`) and
 * c->reports_submitted / _corrected (submitted in it): 0 or an LMDB code. */
int kpi_monthly_start(as_service_t *svc);
void kpi_monthly_stop(as_service_t *svc);
/* on_applied: while reports are missing, the timer looks on the next round. */
void kpi_monthly_applied(as_service_t *svc, const As__Envelope *env);
int kpi_cmd_monthly_generate(as_cmd_t *cmd);
int kpi_cmd_monthly_list(as_cmd_t *cmd);
int kpi_cmd_monthly_show(as_cmd_t *cmd);
int kpi_cmd_monthly_submit(as_cmd_t *cmd);
int kpi_cmd_monthly_correct(as_cmd_t *cmd);
int kpi_monthly_fill(as_service_t *svc, MDB_txn *txn, const char *first, const char *last,
                     As__KpiCounters *c);
/* The department row of month `month`'s kpi.report (report.c), for a
 * snapshot: calls fn with its figures (valid during the call only). Returns
 * fn's code, -ENOMEM or an LMDB code. */
typedef int (*kpi_figures_fn)(As__KpiFigure **figures, size_t n, void *arg);
int kpi_report_month_figures(as_service_t *svc, MDB_txn *txn, const char *month, kpi_figures_fn fn,
                             void *arg);

/* Issue 16, a dealer group's kpi (group.c): [kpi] sites makes kpi follow
 * every site listed, each site's databases apart (as_service_scope_set).
 * kpi_group_check refuses a site named like the group's row (AS_ECONFIG);
 * kpi_is_group: sites are listed. kpi_site_only: 0 on a site's kpi, else
 * refuses the command (AS_EINVALID: it is the site's own kpi's).
 * kpi_group_scope: what kpi.report's `site` and `group` ask of this kpi: 0
 * (the scope set to the site asked, on a group kpi) or the refusal. */
#define KPI_GROUP_ROW "group" /* the group row's site in a group report: "group/department" */
int kpi_group_check(as_service_t *svc);
bool kpi_is_group(as_service_t *svc);
int kpi_site_only(as_cmd_t *cmd);
int kpi_group_scope(as_cmd_t *cmd, const char *site, bool group);
/* A group kpi that follows the sites' kpi too (follows = ..., kpi) keeps
 * each site kpi's own records as it wrote them, in the site's scope: its
 * targets (kpi.target.changed), expenses (kpi.expense.recorded) and monthly
 * reports (kpi.monthly.*), so `site=S` shows S's targets, expenses and
 * report timeliness too. On a site's kpi they do nothing. 0, AS_EINVALID
 * (no record in the payload) or a store code. */
/* The one writer of each record the site kpis announce, kept under the key
 * its own command uses (report.c, expenses.c, monthly.c): a target (a
 * person's own when it names a technician, advisor or keeper), an expense,
 * a monthly report. Each returns 0 or an LMDB code. */
int kpi_target_put(as_service_t *svc, MDB_txn *txn, const As__KpiTarget *t);
int kpi_expense_put(as_service_t *svc, MDB_txn *txn, const As__KpiExpense *e);
int kpi_monthly_put(as_service_t *svc, MDB_txn *txn, const As__KpiMonthlyReport *r);
int kpi_evt_site_target(as_evt_t *evt);
int kpi_evt_site_expense(as_evt_t *evt);
int kpi_evt_site_monthly(as_evt_t *evt);

#endif
