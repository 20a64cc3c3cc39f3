/* formulas.c — the KPI figures of DOMAIN.md from raw counters (see formulas.h). */
#include "formulas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*s_compute_fn)(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f);

/* A ratio in percent; undefined when the denominator is 0. */
static void s_percent(kpi_figure_t *f, double numerator, double denominator)
{
    f->unit = "%";
    f->defined = denominator != 0;
    f->value = f->defined ? 100.0 * numerator / denominator : 0;
}

static double s_hours(int64_t minutes)
{
    return (double)minutes / 60.0;
}

static void s_labour_efficiency(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->sold_minutes, (double)c->actual_minutes);
    snprintf(f->formula, sizeof f->formula, "sold / actual = %.2f h / %.2f h",
             s_hours(c->sold_minutes), s_hours(c->actual_minutes));
}

static void s_labour_utilisation(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->actual_minutes, (double)c->available_minutes);
    snprintf(f->formula, sizeof f->formula, "actual / available = %.2f h / %.2f h",
             s_hours(c->actual_minutes), s_hours(c->available_minutes));
}

static void s_overall_productivity(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->sold_minutes, (double)c->available_minutes);
    snprintf(f->formula, sizeof f->formula, "sold / available = %.2f h / %.2f h",
             s_hours(c->sold_minutes), s_hours(c->available_minutes));
}

static void s_bay_utilisation(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    double bay_hours = (double)c->bays * p->hours_per_day * p->days_worked;
    s_percent(f, s_hours(c->actual_minutes), bay_hours);
    snprintf(f->formula, sizeof f->formula,
             "actual / (bays x hours a day x days worked) = %.2f h / (%lld x %d h x %d d)",
             s_hours(c->actual_minutes), (long long)c->bays, p->hours_per_day, p->days_worked);
}

/* An amount of time as a figure: hours, from the counter's minutes. */
static void s_time(kpi_figure_t *f, const char *what, int64_t minutes)
{
    f->unit = "h";
    f->defined = true;
    f->value = s_hours(minutes);
    snprintf(f->formula, sizeof f->formula, "%s minutes / 60 = %lld / 60", what,
             (long long)minutes);
}

static void s_sold_hours(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_time(f, "sold", c->sold_minutes);
}

static void s_actual_hours(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_time(f, "actual", c->actual_minutes);
}

static void s_available_hours(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_time(f, "available", c->available_minutes);
}

static void s_first_time_fix(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->ros_first_pass, (double)c->ros_inspected);
    snprintf(f->formula, sizeof f->formula, "ros first pass / ros inspected = %lld / %lld",
             (long long)c->ros_first_pass, (long long)c->ros_inspected);
}

static void s_comeback_rate(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->comebacks, (double)c->ros_delivered);
    snprintf(f->formula, sizeof f->formula, "comebacks / ros delivered = %lld / %lld",
             (long long)c->comebacks, (long long)c->ros_delivered);
}

static void s_appointment_rate(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->ros_from_appointment, (double)c->ros_opened);
    snprintf(f->formula, sizeof f->formula, "ros from appointment / ros opened = %lld / %lld",
             (long long)c->ros_from_appointment, (long long)c->ros_opened);
}

static void s_appointment_kept(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->appointments_arrived, (double)c->appointments_booked);
    snprintf(f->formula, sizeof f->formula, "arrived / booked = %lld / %lld",
             (long long)c->appointments_arrived, (long long)c->appointments_booked);
}

static void s_reminder_execution(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->reminders_made, (double)c->reminders_due);
    snprintf(f->formula, sizeof f->formula, "reminders made / reminders due = %lld / %lld",
             (long long)c->reminders_made, (long long)c->reminders_due);
}

static void s_parts_fill_rate(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->parts_lines_first_pick, (double)c->parts_lines_requested);
    snprintf(f->formula, sizeof f->formula,
             "lines filled at first pick / lines requested = %lld / %lld",
             (long long)c->parts_lines_first_pick, (long long)c->parts_lines_requested);
}

static void s_count(kpi_figure_t *f, int64_t count)
{
    f->unit = "";
    f->defined = true;
    f->value = (double)count;
}

static void s_vehicles_handed_over(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_count(f, c->ros_delivered);
    snprintf(f->formula, sizeof f->formula, "ros delivered = %lld", (long long)c->ros_delivered);
}

static void s_customer_pay_ros(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_count(f, c->customer_pay_ros);
    snprintf(f->formula, sizeof f->formula, "ros delivered with a customer-pay job = %lld",
             (long long)c->customer_pay_ros);
}

static void s_money(kpi_figure_t *f, int64_t cents)
{
    f->unit = "cents";
    f->defined = true;
    f->value = (double)cents;
}

static void s_service_sales(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_money(f, c->labour_sales_cents + c->parts_sales_cents);
    snprintf(f->formula, sizeof f->formula, "labour sales + parts sales = %lld + %lld cents",
             (long long)c->labour_sales_cents, (long long)c->parts_sales_cents);
}

/* An amount of the counters as a figure of its own. */
static void s_amount(kpi_figure_t *f, const char *what, int64_t cents)
{
    s_money(f, cents);
    snprintf(f->formula, sizeof f->formula, "%s = %lld cents", what, (long long)cents);
}

static void s_labour_sales(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_amount(f, "labour sales", c->labour_sales_cents);
}

static void s_parts_sales(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_amount(f, "parts sales", c->parts_sales_cents);
}

static void s_parts_cost(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_amount(f, "parts cost", c->parts_cost_cents);
}

static void s_gross_profit(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_money(f, c->labour_sales_cents + c->parts_sales_cents - c->parts_cost_cents -
                   c->labour_cost_cents);
    snprintf(f->formula, sizeof f->formula,
             "labour sales + parts sales - parts cost - labour cost = %lld + %lld - %lld - %lld "
             "cents",
             (long long)c->labour_sales_cents, (long long)c->parts_sales_cents,
             (long long)c->parts_cost_cents, (long long)c->labour_cost_cents);
}

static void s_labour_gross_profit(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_money(f, c->labour_sales_cents - c->labour_cost_cents);
    snprintf(f->formula, sizeof f->formula, "labour sales - labour cost = %lld - %lld cents",
             (long long)c->labour_sales_cents, (long long)c->labour_cost_cents);
}

static void s_csi(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    f->unit = "score";
    f->defined = c->csi_count != 0;
    f->value = f->defined ? (double)c->csi_sum / (double)c->csi_count : 0;
    snprintf(f->formula, sizeof f->formula, "sum of scores / follow-ups = %lld / %lld",
             (long long)c->csi_sum, (long long)c->csi_count);
}

static void s_csi_top_share(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->csi_top, (double)c->csi_count);
    snprintf(f->formula, sizeof f->formula, "scores of 9 or 10 / follow-ups = %lld / %lld",
             (long long)c->csi_top, (long long)c->csi_count);
}

static void s_warranty_first_pass(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->warranty_claims_first_pass, (double)c->warranty_claims_submitted);
    snprintf(f->formula, sizeof f->formula,
             "claims accepted at their first submission / claims submitted = %lld / %lld",
             (long long)c->warranty_claims_first_pass, (long long)c->warranty_claims_submitted);
}

static void s_replaced_part_return(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->warranty_parts_returned, (double)c->warranty_parts_required);
    snprintf(f->formula, sizeof f->formula,
             "parts shipped by their due date and confirmed by the oem / parts tagged to return "
             "= %lld / %lld",
             (long long)c->warranty_parts_returned, (long long)c->warranty_parts_required);
}

static void s_tool_preservation(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->tools_good, (double)c->tools_registered);
    snprintf(f->formula, sizeof f->formula,
             "tools in good condition (not lost) / tools registered, at the period's end = "
             "%lld / %lld",
             (long long)c->tools_good, (long long)c->tools_registered);
}

static void s_tool_loan_accuracy(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->tool_loans_complete, (double)c->tool_loans);
    snprintf(f->formula, sizeof f->formula,
             "loans signed by the technician and checked in / loans checked out = %lld / %lld",
             (long long)c->tool_loans_complete, (long long)c->tool_loans);
}

static void s_calibration_on_time(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->calibrations_on_time,
              (double)(c->calibrations_due + c->calibrations_overdue));
    snprintf(f->formula, sizeof f->formula,
             "calibrations done by their due date / calibrations due (done + overdue, not done) "
             "= %lld / (%lld + %lld)",
             (long long)c->calibrations_on_time, (long long)c->calibrations_due,
             (long long)c->calibrations_overdue);
}

/* --- parts stock (issue 14) ------------------------------------------------ */

static void s_stock_value(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_amount(f, "stock on hand at cost at the period's end", c->stock_value_cents);
}

static void s_stock_days(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    f->unit = "days";
    f->defined = c->stock_issue_cost_cents > 0;
    f->value =
        f->defined ? (double)c->stock_value_cents * 90.0 / (double)c->stock_issue_cost_cents : 0;
    snprintf(f->formula, sizeof f->formula,
             "stock value at cost at the period's end / (cost of parts issued in the 90 days to "
             "it / 90) = %lld cents / (%lld cents / 90)%s",
             (long long)c->stock_value_cents, (long long)c->stock_issue_cost_cents,
             f->defined ? "" : " (not defined: no parts issued in those 90 days)");
}

static void s_scrap_rate(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    double mean = c->stock_value_days > 0
                      ? (double)c->stock_value_sum_cents / (double)c->stock_value_days
                      : 0;
    s_percent(f, (double)c->stock_scrapped_cents, mean);
    snprintf(f->formula, sizeof f->formula,
             "value scrapped / average stock value (mean of the daily levels) = %lld cents / (%lld "
             "cents / "
             "%lld d)%s",
             (long long)c->stock_scrapped_cents, (long long)c->stock_value_sum_cents,
             (long long)c->stock_value_days,
             f->defined ? "" : " (not defined: no stock value in the period)");
}

static void s_warehouse_productivity(const As__KpiCounters *c, const kpi_period_t *p,
                                     kpi_figure_t *f)
{
    (void)p;
    f->unit = "lines/h";
    f->defined = c->keeper_minutes > 0;
    f->value =
        f->defined ? (double)(c->lines_received + c->lines_issued) / s_hours(c->keeper_minutes) : 0;
    snprintf(f->formula, sizeof f->formula,
             "(lines received + lines issued) / keeper attended hours = (%lld + %lld) / %.2f h%s",
             (long long)c->lines_received, (long long)c->lines_issued, s_hours(c->keeper_minutes),
             f->defined ? "" : " (not defined: no keeper shift recorded)");
}

static void s_timely_supply(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->order_lines_on_time, (double)c->order_lines_due);
    snprintf(f->formula, sizeof f->formula,
             "order lines received in full by their promised date / order lines promised for "
             "the period = %lld / %lld%s",
             (long long)c->order_lines_on_time, (long long)c->order_lines_due,
             f->defined ? "" : " (no order line was promised for the period)");
}

static void s_ro_parts_on_time(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->ro_parts_lines_on_time, (double)c->ro_parts_lines);
    snprintf(f->formula, sizeof f->formula,
             "RO parts lines issued at the first request or by the promised date / RO parts lines "
             "issued in full = %lld / %lld%s",
             (long long)c->ro_parts_lines_on_time, (long long)c->ro_parts_lines,
             f->defined ? "" : " (no RO parts line was issued in full in the period)");
}

/* --- accessories, new cars, parts profit and units in operation ------------ */

static void s_new_cars_sold(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_count(f, c->new_cars_sold);
    snprintf(f->formula, sizeof f->formula, "new cars sold (sales DMS) = %lld",
             (long long)c->new_cars_sold);
}

static void s_accessory_sales(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_money(f, c->accessories_sales_cents);
    snprintf(f->formula, sizeof f->formula,
             "accessories on delivered ros (new cars included) = %lld cents",
             (long long)c->accessories_sales_cents);
}

static void s_accessory_sales_new_cars(const As__KpiCounters *c, const kpi_period_t *p,
                                       kpi_figure_t *f)
{
    (void)p;
    s_amount(f, "accessories on delivered new cars' fitting ros", c->accessories_new_car_cents);
}

static void s_accessory_sales_ros(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_money(f, c->accessories_sales_cents - c->accessories_new_car_cents);
    snprintf(f->formula, sizeof f->formula,
             "accessory sales - accessory sales on new cars = %lld - %lld cents",
             (long long)c->accessories_sales_cents, (long long)c->accessories_new_car_cents);
}

static void s_accessory_sales_per_new_car(const As__KpiCounters *c, const kpi_period_t *p,
                                          kpi_figure_t *f)
{
    (void)p;
    f->unit = "cents";
    f->defined = c->new_cars_sold != 0;
    f->value = f->defined ? (double)c->accessories_new_car_cents / (double)c->new_cars_sold : 0;
    snprintf(f->formula, sizeof f->formula,
             "accessory sales on new cars / new cars sold = %lld cents / %lld%s",
             (long long)c->accessories_new_car_cents, (long long)c->new_cars_sold,
             f->defined ? "" : ": no new car sold");
}

static void s_accessory_gross_profit(const As__KpiCounters *c, const kpi_period_t *p,
                                     kpi_figure_t *f)
{
    (void)p;
    /* an amount keyed at delivery has no part and so no cost: counting it
     * would make it 100% profit; only what parts charged (and costed) counts */
    s_money(f, c->accessories_sales_cents - c->accessories_keyed_cents - c->accessories_cost_cents);
    snprintf(f->formula, sizeof f->formula,
             "accessory sales - keyed at delivery (no cost known) - accessory cost = %lld - %lld - "
             "%lld cents",
             (long long)c->accessories_sales_cents, (long long)c->accessories_keyed_cents,
             (long long)c->accessories_cost_cents);
}

/* Accessory lines are sold at the price agreed with the customer (the RO's
 * part line: a new car's package price, an advisor's quote); parts charged
 * them at the catalogue price. The difference is the discount given (negative:
 * sold above the catalogue). The keyed amounts have no catalogue price. */
static void s_accessory_discount(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_money(f, c->accessories_catalogue_cents -
                   (c->accessories_sales_cents - c->accessories_keyed_cents));
    snprintf(f->formula, sizeof f->formula,
             "accessory lines at the catalogue price - (accessory sales - keyed at delivery) = "
             "%lld - (%lld - %lld) cents",
             (long long)c->accessories_catalogue_cents, (long long)c->accessories_sales_cents,
             (long long)c->accessories_keyed_cents);
}

static void s_parts_gross_profit(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_money(f, c->parts_sales_cents - c->parts_cost_cents);
    snprintf(f->formula, sizeof f->formula, "parts sales - parts cost = %lld - %lld cents",
             (long long)c->parts_sales_cents, (long long)c->parts_cost_cents);
}

static void s_units_in_operation(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_count(f, c->units_in_operation);
    snprintf(f->formula, sizeof f->formula,
             "vehicles with an ro opened in the 24 months to the period's end = %lld",
             (long long)c->units_in_operation);
}

static void s_parts_sales_per_uio(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    f->unit = "cents";
    f->defined = c->units_in_operation != 0;
    f->value = f->defined ? (double)c->parts_sales_cents / (double)c->units_in_operation : 0;
    snprintf(f->formula, sizeof f->formula,
             "parts sales / units in operation = %lld cents / %lld%s",
             (long long)c->parts_sales_cents, (long long)c->units_in_operation,
             f->defined ? "" : ": no vehicle in operation (a department figure)");
}

static void s_training_achievement(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->training_certified, (double)c->training_planned);
    snprintf(f->formula, sizeof f->formula,
             "certifications gained / courses planned (on the planned date) = %lld / %lld%s",
             (long long)c->training_certified, (long long)c->training_planned,
             f->defined ? "" : ": no course planned in the period");
}

/* --- advisor sales at the counter (counters_advisor.c) --------------------- */

static void s_products_recommended(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_amount(f, "products recommended at the counter", c->products_recommended_cents);
}

/* Its monthly target (kpi.target.set "advisor product sales") is each
 * advisor's: achievement = sold / target on every advisor's row. */
static void s_advisor_product_sales(const As__KpiCounters *c, const kpi_period_t *p,
                                    kpi_figure_t *f)
{
    (void)p;
    s_amount(f, "products the customers took (sold)", c->products_sold_cents);
}

static void s_product_take_rate(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->products_sold_cents, (double)c->products_recommended_cents);
    snprintf(f->formula, sizeof f->formula,
             "products sold / products recommended = %lld / %lld cents%s",
             (long long)c->products_sold_cents, (long long)c->products_recommended_cents,
             c->products_recommended_cents ? "" : ": nothing recommended");
}

/* The target is filled when the report is made, on each advisor's row of a
 * month (report.c): the month's target of "advisor product sales". */
static void s_advisor_product_achievement(const As__KpiCounters *c, const kpi_period_t *p,
                                          kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->products_sold_cents, (double)c->product_sales_target_cents);
    snprintf(f->formula, sizeof f->formula,
             "products sold / the advisor's monthly target = %lld / %lld cents%s",
             (long long)c->products_sold_cents, (long long)c->product_sales_target_cents,
             c->product_sales_target_cents
                 ? ""
                 : ": no target (kpi.target.set \"advisor product sales\"; a month's report by "
                   "advisor)");
}

/* Issue 15: the OEM's return inspections, the department's expenses and profit. */
static void s_part_identification(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->warranty_parts_confirmed, (double)c->warranty_parts_inspected);
    snprintf(f->formula, sizeof f->formula,
             "parts with the fault confirmed / parts inspected by the OEM = %lld / %lld%s",
             (long long)c->warranty_parts_confirmed, (long long)c->warranty_parts_inspected,
             f->defined ? "" : ": no replaced part inspected in the period");
}

static void s_expenses(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_money(f, c->expenses_cents);
    f->defined = c->expense_categories > 0;
    snprintf(f->formula, sizeof f->formula, "sum of the month's expense categories = %lld cents%s",
             (long long)c->expenses_cents,
             f->defined ? "" : ": none recorded (expenses are the department's, by month)");
}

static void s_department_profit(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    int64_t gross =
        c->labour_sales_cents + c->parts_sales_cents - c->parts_cost_cents - c->labour_cost_cents;
    s_money(f, gross - c->expenses_cents);
    f->defined = c->expense_categories > 0;
    if (!f->defined)
        f->value = 0;
    snprintf(f->formula, sizeof f->formula, "gross profit - expenses = %lld - %lld cents%s",
             (long long)gross, (long long)c->expenses_cents,
             f->defined ? "" : ": no expenses recorded (the department's, by month)");
}

/* Issue 15, the information clerk (counters_clerk.c): a cohort by the
 * insurance term's end date. */
static void s_renewal_information(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->insurance_renewal_known, (double)c->insurance_ending);
    snprintf(f->formula, sizeof f->formula,
             "vehicles with renewal information collected / vehicles whose insurance ended "
             "(by the end date) = %lld / %lld%s",
             (long long)c->insurance_renewal_known, (long long)c->insurance_ending,
             f->defined ? "" : ": no insurance ended in the period");
}

/* Issue 15: the monthly reports (department, OEM), from kpi's own records
 * when the report is made (monthly.c): timeliness by the reports due in the
 * period, accuracy by those submitted in it. */
static void s_report_timeliness(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    s_percent(f, (double)c->reports_on_time, (double)c->reports_due);
    snprintf(f->formula, sizeof f->formula,
             "reports submitted by their due date / reports due = %lld / %lld%s",
             (long long)c->reports_on_time, (long long)c->reports_due,
             f->defined ? "" : ": no monthly report due in the period");
}

static void s_report_accuracy(const As__KpiCounters *c, const kpi_period_t *p, kpi_figure_t *f)
{
    (void)p;
    int64_t clean = c->reports_submitted - c->reports_corrected;
    s_percent(f, (double)clean, (double)c->reports_submitted);
    snprintf(f->formula, sizeof f->formula,
             "reports submitted without a later correction / reports submitted = (%lld - %lld) / "
             "%lld%s",
             (long long)c->reports_submitted, (long long)c->reports_corrected,
             (long long)c->reports_submitted,
             f->defined ? "" : ": no monthly report submitted in the period");
}

static const struct {
    const char *name;
    s_compute_fn compute;
} s_figures[] = {
    {"labour efficiency", s_labour_efficiency},
    {"labour utilisation", s_labour_utilisation},
    {"overall productivity", s_overall_productivity},
    {"bay utilisation", s_bay_utilisation},
    {"sold hours", s_sold_hours},
    {"actual hours", s_actual_hours},
    {"available hours", s_available_hours},
    {"first-time-fix rate", s_first_time_fix},
    {"comeback rate", s_comeback_rate},
    {"appointment rate", s_appointment_rate},
    {"appointment kept rate", s_appointment_kept},
    {"reminder execution rate", s_reminder_execution},
    {"parts fill rate", s_parts_fill_rate},
    {"vehicles handed over", s_vehicles_handed_over},
    {"service sales", s_service_sales},
    {"labour sales", s_labour_sales},
    {"parts sales", s_parts_sales},
    {"parts cost", s_parts_cost},
    {"gross profit", s_gross_profit},
    {"labour gross profit", s_labour_gross_profit},
    {"csi", s_csi},
    {"csi top share", s_csi_top_share},
    {"customer-pay ros", s_customer_pay_ros},
    {"warranty first-pass rate", s_warranty_first_pass},
    {"replaced-part return rate", s_replaced_part_return},
    {"tool preservation rate", s_tool_preservation},
    {"tool loan registration accuracy", s_tool_loan_accuracy},
    {"calibration on-time rate", s_calibration_on_time},
    {"stock value", s_stock_value},
    {"stock days", s_stock_days},
    {"scrap rate", s_scrap_rate},
    {"warehouse productivity", s_warehouse_productivity},
    {"timely supply rate", s_timely_supply},
    {"ro parts on-time rate", s_ro_parts_on_time},
    {"new cars sold", s_new_cars_sold},
    {"accessory sales", s_accessory_sales},
    {"accessory sales on new cars", s_accessory_sales_new_cars},
    {"accessory sales on ros", s_accessory_sales_ros},
    {"accessory sales per new car", s_accessory_sales_per_new_car},
    {"accessory gross profit", s_accessory_gross_profit},
    {"parts gross profit", s_parts_gross_profit},
    {"units in operation", s_units_in_operation},
    {"parts sales per unit in operation", s_parts_sales_per_uio},
    {"training achievement", s_training_achievement},
    {"products recommended", s_products_recommended},
    {"advisor product sales", s_advisor_product_sales},
    {"product take rate", s_product_take_rate},
    {"advisor product sales achievement", s_advisor_product_achievement},
    {"replaced-part identification accuracy", s_part_identification},
    {"expenses", s_expenses},
    {"department profit", s_department_profit},
    {"renewal information rate", s_renewal_information},
    {"monthly report timeliness", s_report_timeliness},
    {"report accuracy", s_report_accuracy},
    {"accessory discount given", s_accessory_discount},
};

#define S_FIGURES (sizeof s_figures / sizeof s_figures[0])

size_t kpi_figure_count(void)
{
    return S_FIGURES;
}

const char *kpi_figure_name(size_t index)
{
    return index < S_FIGURES ? s_figures[index].name : NULL;
}

bool kpi_metric_known(const char *name)
{
    for (size_t i = 0; name && i < S_FIGURES; i++)
        if (strcmp(s_figures[i].name, name) == 0)
            return true;
    return false;
}

int kpi_figure_compute(size_t index, const As__KpiCounters *c, const kpi_period_t *period,
                       kpi_figure_t *out)
{
    if (index >= S_FIGURES)
        return -1;
    memset(out, 0, sizeof *out);
    out->name = s_figures[index].name;
    s_figures[index].compute(c, period, out);
    return 0;
}

int kpi_days_in_month(const char *month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!month || strlen(month) != 7 || month[4] != '-')
        return 0;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (month[i] < '0' || month[i] > '9'))
            return 0;
    int year = atoi(month);
    int mon = atoi(month + 5);
    if (mon < 1 || mon > 12)
        return 0;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[mon - 1] + (mon == 2 && leap ? 1 : 0);
}

double kpi_achievement(double value, double target)
{
    return target != 0 ? value / target : 0;
}
