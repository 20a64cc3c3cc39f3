/* test_kpi_formulas — the KPI figures of DOMAIN.md from raw counters
 * (services/kpi/formulas.c): values, formulas written out, undefined
 * denominators, days in a month. Linked from the kpi service's library
 * (as_kpi). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "formulas.h"
#include "kpi.h"

/* November with a shift attended on each of its 30 days, bays open 9 h a day */
static const kpi_period_t s_november = {30, 9};

static kpi_figure_t s_figure(const char *name, const As__KpiCounters *c, const kpi_period_t *p)
{
    kpi_figure_t f;
    memset(&f, 0, sizeof f);
    for (size_t i = 0; i < kpi_figure_count(); i++)
        if (strcmp(kpi_figure_name(i), name) == 0) {
            assert_int_equal(kpi_figure_compute(i, c, p, &f), 0);
            return f;
        }
    fail_msg("no figure '%s'", name);
    return f;
}

static void test_labour_hours(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    c.sold_minutes = 2490;      /* 41.50 h */
    c.actual_minutes = 2400;    /* 40.00 h */
    c.available_minutes = 3000; /* 50.00 h */
    kpi_figure_t f = s_figure("labour efficiency", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 103.75, 1e-9);
    assert_string_equal(f.unit, "%");
    assert_string_equal(f.formula, "sold / actual = 41.50 h / 40.00 h");
    f = s_figure("labour utilisation", &c, &s_november);
    assert_float_equal(f.value, 80.0, 1e-9);
    assert_string_equal(f.formula, "actual / available = 40.00 h / 50.00 h");
    f = s_figure("overall productivity", &c, &s_november);
    assert_float_equal(f.value, 83.0, 1e-9);
}

static void test_undefined_when_denominator_is_zero(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    c.sold_minutes = 60;
    const char *ratios[] = {"labour efficiency",
                            "labour utilisation",
                            "overall productivity",
                            "bay utilisation",
                            "first-time-fix rate",
                            "comeback rate",
                            "appointment rate",
                            "appointment kept rate",
                            "reminder execution rate",
                            "parts fill rate",
                            "csi",
                            "csi top share",
                            "warranty first-pass rate",
                            "replaced-part return rate",
                            "tool preservation rate",
                            "tool loan registration accuracy",
                            "calibration on-time rate"};
    for (size_t i = 0; i < sizeof ratios / sizeof ratios[0]; i++) {
        kpi_figure_t f = s_figure(ratios[i], &c, &s_november);
        assert_false(f.defined);
        assert_float_equal(f.value, 0, 0);
    }
    /* counts and amounts are always defined, zero included */
    assert_true(s_figure("vehicles handed over", &c, &s_november).defined);
    assert_true(s_figure("gross profit", &c, &s_november).defined);
}

static void test_bay_utilisation(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    c.actual_minutes = 60 * 135; /* 135 h */
    c.bays = 2;
    kpi_figure_t f = s_figure("bay utilisation", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 25.0, 1e-9); /* 135 / (2 x 9 x 30) */
    assert_string_equal(
        f.formula, "actual / (bays x hours a day x days worked) = 135.00 h / (2 x 9 h x 30 d)");
    kpi_period_t day = {1, 8};
    c.actual_minutes = 480;
    f = s_figure("bay utilisation", &c, &day);
    assert_float_equal(f.value, 50.0, 1e-9); /* 8 / (2 x 8 x 1) */
    /* 4 December: 3 days worked so far (the 1st to the 3rd; the 4th has no
     * shift yet), 40.50 h clocked in 2 bays: 40.5 / (2 x 9 x 3) = 75 %, not
     * 40.5 / (2 x 9 x 31) = 7.3 % over every day of the month */
    kpi_period_t december_so_far = {3, 9};
    c.actual_minutes = 2430;
    f = s_figure("bay utilisation", &c, &december_so_far);
    assert_true(f.defined);
    assert_float_equal(f.value, 75.0, 1e-9);
    assert_string_equal(f.formula,
                        "actual / (bays x hours a day x days worked) = 40.50 h / (2 x 9 h x 3 d)");
    /* no day worked in the period: not defined, whatever was clocked */
    kpi_period_t holiday = {0, 9};
    assert_false(s_figure("bay utilisation", &c, &holiday).defined);
}

/* The hours and amounts behind the ratios are figures of their own. */
static void test_hours_and_amounts(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    c.sold_minutes = 330;
    c.actual_minutes = 300;
    c.available_minutes = 960;
    c.labour_sales_cents = 60000;
    c.parts_sales_cents = 53000;
    c.parts_cost_cents = 35000;
    static const struct {
        const char *name, *unit, *formula;
        double value;
    } want[] = {
        {"sold hours", "h", "sold minutes / 60 = 330 / 60", 5.5},
        {"actual hours", "h", "actual minutes / 60 = 300 / 60", 5.0},
        {"available hours", "h", "available minutes / 60 = 960 / 60", 16.0},
        {"labour sales", "cents", "labour sales = 60000 cents", 60000},
        {"parts sales", "cents", "parts sales = 53000 cents", 53000},
        {"parts cost", "cents", "parts cost = 35000 cents", 35000},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        kpi_figure_t f = s_figure(want[i].name, &c, &s_november);
        assert_true(f.defined);
        assert_float_equal(f.value, want[i].value, 1e-9);
        assert_string_equal(f.unit, want[i].unit);
        assert_string_equal(f.formula, want[i].formula);
        /* a target may be set for each */
        assert_true(kpi_metric_known(want[i].name));
    }
    /* none worked: zero hours, defined */
    As__KpiCounters none = AS__KPI_COUNTERS__INIT;
    kpi_figure_t f = s_figure("available hours", &none, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 0, 0);
}

static void test_rates(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    c.ros_inspected = 4;
    c.ros_first_pass = 3;
    c.ros_delivered = 5;
    c.comebacks = 1;
    c.ros_opened = 8;
    c.ros_from_appointment = 6;
    c.appointments_booked = 10;
    c.appointments_arrived = 9;
    c.parts_lines_requested = 20;
    c.parts_lines_first_pick = 19;
    assert_float_equal(s_figure("first-time-fix rate", &c, &s_november).value, 75, 1e-9);
    assert_float_equal(s_figure("comeback rate", &c, &s_november).value, 20, 1e-9);
    assert_float_equal(s_figure("appointment rate", &c, &s_november).value, 75, 1e-9);
    assert_float_equal(s_figure("appointment kept rate", &c, &s_november).value, 90, 1e-9);
    c.reminders_due = 16;
    c.reminders_made = 12;
    kpi_figure_t r = s_figure("reminder execution rate", &c, &s_november);
    assert_true(r.defined);
    assert_float_equal(r.value, 75, 1e-9);
    assert_string_equal(r.unit, "%");
    assert_string_equal(r.formula, "reminders made / reminders due = 12 / 16");
    kpi_figure_t f = s_figure("parts fill rate", &c, &s_november);
    assert_float_equal(f.value, 95, 1e-9);
    assert_string_equal(f.formula, "lines filled at first pick / lines requested = 19 / 20");
    assert_string_equal(s_figure("comeback rate", &c, &s_november).formula,
                        "comebacks / ros delivered = 1 / 5");
}

static void test_warranty_and_tools(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    c.warranty_claims_submitted = 8;
    c.warranty_claims_first_pass = 6;
    c.warranty_parts_required = 5;
    c.warranty_parts_returned = 4;
    c.tools_registered = 150;
    c.tools_good = 147;
    c.tool_loans = 40;
    c.tool_loans_complete = 38;
    c.calibrations_due = 9;
    c.calibrations_on_time = 8;
    c.calibrations_overdue = 1;
    kpi_figure_t f = s_figure("warranty first-pass rate", &c, &s_november);
    assert_float_equal(f.value, 75, 1e-9);
    assert_string_equal(f.formula,
                        "claims accepted at their first submission / claims submitted = 6 / 8");
    assert_float_equal(s_figure("replaced-part return rate", &c, &s_november).value, 80, 1e-9);
    assert_float_equal(s_figure("tool preservation rate", &c, &s_november).value, 98, 1e-9);
    assert_float_equal(s_figure("tool loan registration accuracy", &c, &s_november).value, 95,
                       1e-9);
    /* an overdue calibration not done yet is due too: 8 / (9 + 1) */
    f = s_figure("calibration on-time rate", &c, &s_november);
    assert_float_equal(f.value, 80, 1e-9);
    assert_string_equal(f.formula, "calibrations done by their due date / calibrations due (done + "
                                   "overdue, not done) = 8 / (9 + 1)");
    c.calibrations_due = 0;
    assert_true(s_figure("calibration on-time rate", &c, &s_november).defined);
}

static void test_money_and_csi(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    c.labour_sales_cents = 120000;
    c.parts_sales_cents = 45000;
    c.parts_cost_cents = 30000;
    c.labour_cost_cents = 40000;
    c.csi_sum = 27;
    c.csi_count = 3;
    c.csi_top = 2;
    c.ros_delivered = 3;
    c.customer_pay_ros = 2;
    kpi_figure_t f = s_figure("service sales", &c, &s_november);
    assert_float_equal(f.value, 165000, 0);
    assert_string_equal(f.unit, "cents");
    assert_string_equal(f.formula, "labour sales + parts sales = 120000 + 45000 cents");
    assert_float_equal(s_figure("gross profit", &c, &s_november).value, 95000, 0);
    assert_float_equal(s_figure("labour gross profit", &c, &s_november).value, 80000, 0);
    f = s_figure("csi", &c, &s_november);
    assert_float_equal(f.value, 9.0, 1e-9);
    assert_string_equal(f.formula, "sum of scores / follow-ups = 27 / 3");
    assert_float_equal(s_figure("csi top share", &c, &s_november).value, 200.0 / 3, 1e-9);
    assert_float_equal(s_figure("vehicles handed over", &c, &s_november).value, 3, 0);
    assert_float_equal(s_figure("customer-pay ros", &c, &s_november).value, 2, 0);
}

static void test_names_and_metrics(void **state)
{
    (void)state;
    /* 28 + issue 14: stock value, stock days, scrap rate, warehouse productivity, timely
     * supply, ro parts on-time, and the nine of accessories and new cars; issue 15:
     * training achievement, products recommended, advisor product sales, product take rate
     * and its achievement, replaced-part identification accuracy, expenses, department profit,
     * renewal information rate; issue 15's monthly reports: monthly report timeliness, report
     * accuracy; issue 16: accessory discount given */
    assert_int_equal(kpi_figure_count(), 55);
    assert_null(kpi_figure_name(kpi_figure_count()));
    assert_true(kpi_metric_known("labour efficiency"));
    assert_true(kpi_metric_known("service sales"));
    assert_false(kpi_metric_known("speed"));
    assert_false(kpi_metric_known(""));
    assert_false(kpi_metric_known(NULL));
    kpi_figure_t f;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    assert_int_equal(kpi_figure_compute(kpi_figure_count(), &c, &s_november, &f), -1);
}

/* Advisor sales at the counter (issue 15), worked by hand. */
static void test_advisor_products(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    /* recommended 600.00 + 250.00 + 150.00 = 1 000.00; sold 600.00 + 150.00 = 750.00 */
    c.products_recommended_cents = 100000;
    c.products_sold_cents = 75000;
    kpi_figure_t f = s_figure("product take rate", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 75.0, 1e-9); /* 750 / 1000 */
    assert_string_equal(f.formula, "products sold / products recommended = 75000 / 100000 cents");
    assert_float_equal(s_figure("advisor product sales", &c, &s_november).value, 75000, 0);
    assert_float_equal(s_figure("products recommended", &c, &s_november).value, 100000, 0);
    /* no target: not defined, and the formula says why */
    f = s_figure("advisor product sales achievement", &c, &s_november);
    assert_false(f.defined);
    assert_non_null(strstr(f.formula, ": no target"));
    /* a target of 1 200.00: 750 / 1200 = 62.5% */
    c.product_sales_target_cents = 120000;
    f = s_figure("advisor product sales achievement", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 62.5, 1e-9);
    assert_string_equal(f.formula,
                        "products sold / the advisor's monthly target = 75000 / 120000 cents");
    /* nothing recommended: the take rate is not defined */
    As__KpiCounters none = AS__KPI_COUNTERS__INIT;
    assert_false(s_figure("product take rate", &none, &s_november).defined);
}

static void test_days_in_month(void **state)
{
    (void)state;
    assert_int_equal(kpi_days_in_month("2026-11"), 30);
    assert_int_equal(kpi_days_in_month("2026-12"), 31);
    assert_int_equal(kpi_days_in_month("2026-02"), 28);
    assert_int_equal(kpi_days_in_month("2028-02"), 29);
    assert_int_equal(kpi_days_in_month("2100-02"), 28);
    assert_int_equal(kpi_days_in_month("2000-02"), 29);
    assert_int_equal(kpi_days_in_month("2026-13"), 0);
    assert_int_equal(kpi_days_in_month("2026-00"), 0);
    assert_int_equal(kpi_days_in_month("2026-1"), 0);
    assert_int_equal(kpi_days_in_month("2026/11"), 0);
    assert_int_equal(kpi_days_in_month(NULL), 0);
}

static void test_achievement(void **state)
{
    (void)state;
    assert_float_equal(kpi_achievement(103.75, 100), 1.0375, 1e-12);
    assert_float_equal(kpi_achievement(5, 0), 0, 0);
}

/* The parts stock figures (issue 14), worked by hand. */
static void test_parts_stock(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    /* 4 500.00 on hand; 2 700.00 issued in 90 days = 30.00 a day: 4500 / 30 = 150 days */
    c.stock_value_cents = 450000;
    c.stock_issue_cost_cents = 270000;
    kpi_figure_t f = s_figure("stock days", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 150.0, 1e-9);
    assert_string_equal(f.unit, "days");
    assert_float_equal(s_figure("stock value", &c, &s_november).value, 450000, 0);
    /* 90.00 scrapped; daily levels summing 120 000.00 over 30 days: mean 4 000.00,
     * 90 / 4000 = 2.25% */
    c.stock_scrapped_cents = 9000;
    c.stock_value_sum_cents = 12000000;
    c.stock_value_days = 30;
    f = s_figure("scrap rate", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 2.25, 1e-9);
    assert_string_equal(f.formula, "value scrapped / average stock value (mean of the daily "
                                   "levels) = 9000 cents / (12000000 cents / 30 d)");
    /* (12 + 18) lines in 7.5 h = 4 lines an hour */
    c.lines_received = 12;
    c.lines_issued = 18;
    c.keeper_minutes = 450;
    f = s_figure("warehouse productivity", &c, &s_november);
    assert_float_equal(f.value, 4.0, 1e-9);
    assert_string_equal(f.formula,
                        "(lines received + lines issued) / keeper attended hours = (12 + 18) / "
                        "7.50 h");
    /* nothing issued, no level, no shift: not defined, and the formula says why */
    As__KpiCounters zero = AS__KPI_COUNTERS__INIT;
    f = s_figure("stock days", &zero, &s_november);
    assert_false(f.defined);
    assert_non_null(strstr(f.formula, "not defined: no parts issued"));
    assert_false(s_figure("scrap rate", &zero, &s_november).defined);
    assert_false(s_figure("warehouse productivity", &zero, &s_november).defined);
}

/* orders: 3 of 4 promised lines in full by their date; 5 of 8 RO lines on time */
static void test_orders(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    kpi_figure_t f = s_figure("timely supply rate", &c, &s_november);
    assert_false(f.defined);
    assert_string_equal(f.formula, "order lines received in full by their promised date / order "
                                   "lines promised for the period = 0 / 0 (no order line was "
                                   "promised for the period)");
    assert_false(s_figure("ro parts on-time rate", &c, &s_november).defined);
    c.order_lines_due = 4;
    c.order_lines_on_time = 3;
    c.ro_parts_lines = 8;
    c.ro_parts_lines_on_time = 5;
    f = s_figure("timely supply rate", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 75, 1e-9);
    f = s_figure("ro parts on-time rate", &c, &s_november);
    assert_float_equal(f.value, 62.5, 1e-9);
    assert_string_equal(f.formula, "RO parts lines issued at the first request or by the promised "
                                   "date / RO parts lines issued in full = 5 / 8");
}

/* Accessories, new cars and units in operation (issue 14): a month with 2 new
 * cars whose fitting ROs carried 1,700.00 of accessories, 200.00 more sold on
 * ROs, accessories costing 1,100.00, parts sales 480.00 at a cost of 240.00,
 * and 4 vehicles in operation. */
static void test_accessories_and_uio(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    c.new_cars_sold = 2;
    c.accessories_sales_cents = 190000;
    c.accessories_new_car_cents = 170000;
    c.accessories_cost_cents = 110000;
    c.parts_sales_cents = 48000;
    c.parts_cost_cents = 24000;
    c.units_in_operation = 4;
    assert_float_equal(s_figure("new cars sold", &c, &s_november).value, 2, 0);
    assert_float_equal(s_figure("accessory sales on ros", &c, &s_november).value, 20000, 0);
    kpi_figure_t f = s_figure("accessory sales per new car", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 85000, 0); /* 170000 / 2 */
    assert_string_equal(f.formula,
                        "accessory sales on new cars / new cars sold = 170000 cents / 2");
    assert_float_equal(s_figure("accessory gross profit", &c, &s_november).value, 80000, 0);
    /* 5000 more keyed at delivery: in the sales, not in the gross profit (no cost known) */
    As__KpiCounters keyed = c;
    keyed.accessories_sales_cents += 5000;
    keyed.has_accessories_keyed_cents = 1;
    keyed.accessories_keyed_cents = 5000;
    f = s_figure("accessory gross profit", &keyed, &s_november);
    assert_float_equal(f.value, 80000, 0); /* 195000 - 5000 - 110000 */
    assert_string_equal(f.formula,
                        "accessory sales - keyed at delivery (no cost known) - accessory "
                        "cost = 195000 - 5000 - 110000 cents");
    assert_float_equal(s_figure("parts gross profit", &c, &s_november).value, 24000, 0);
    assert_float_equal(s_figure("parts sales per unit in operation", &c, &s_november).value, 12000,
                       0); /* 48000 / 4 */
    As__KpiCounters none = AS__KPI_COUNTERS__INIT;
    f = s_figure("accessory sales per new car", &none, &s_november);
    assert_false(f.defined);
    assert_non_null(strstr(f.formula, "no new car sold"));
    f = s_figure("parts sales per unit in operation", &none, &s_november);
    assert_false(f.defined);
    assert_non_null(strstr(f.formula, "no vehicle in operation"));
    /* the units' window: an RO opened after the same day two years before */
    char after[AS_DATE_LEN + 1];
    kpi_uio_window_start("2026-11-30", after);
    assert_string_equal(after, "2024-11-30");
    kpi_uio_window_start("2028-02-29", after);
    assert_string_equal(after,
                        "2026-02-29"); /* no such day: as text, the window opens on 1 March */
}

/* Training achievement (issue 15): 3 courses planned in the month, 2 of them
 * certified: 2 / 3 = 66.67%; none planned: not defined. */
static void test_training(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    c.training_planned = 3;
    c.training_certified = 2;
    kpi_figure_t f = s_figure("training achievement", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 200.0 / 3, 1e-9);
    assert_string_equal(f.unit, "%");
    assert_string_equal(f.formula,
                        "certifications gained / courses planned (on the planned date) = 2 / 3");
    As__KpiCounters none = AS__KPI_COUNTERS__INIT;
    f = s_figure("training achievement", &none, &s_november);
    assert_false(f.defined);
    assert_non_null(strstr(f.formula, "no course planned in the period"));
}

/* Issue 15: the OEM's return inspections, expenses and department profit. */
static void test_inspection_and_profit(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    c.warranty_parts_inspected = 3;
    c.warranty_parts_confirmed = 2;
    c.labour_sales_cents = 200000;
    c.parts_sales_cents = 150000;
    c.parts_cost_cents = 90000;
    c.labour_cost_cents = 12000;
    c.expenses_cents = 225000;
    c.expense_categories = 3;
    kpi_figure_t f = s_figure("replaced-part identification accuracy", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 200.0 / 3.0, 1e-9); /* 2 / 3 */
    assert_string_equal(f.formula,
                        "parts with the fault confirmed / parts inspected by the OEM = 2 / 3");
    f = s_figure("expenses", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 225000, 0);
    /* 200000 + 150000 - 90000 - 12000 = 248000 gross; - 225000 = 23000 */
    f = s_figure("department profit", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 23000, 0);
    assert_string_equal(f.formula, "gross profit - expenses = 248000 - 225000 cents");
    /* a month whose expenses are all 0 is still a month with expenses recorded */
    c.expenses_cents = 0;
    c.expense_categories = 1;
    assert_float_equal(s_figure("department profit", &c, &s_november).value, 248000, 0);
    As__KpiCounters none = AS__KPI_COUNTERS__INIT;
    f = s_figure("replaced-part identification accuracy", &none, &s_november);
    assert_false(f.defined);
    assert_non_null(strstr(f.formula, "no replaced part inspected"));
    none.labour_sales_cents = 5000;
    f = s_figure("department profit", &none, &s_november);
    assert_false(f.defined);
    assert_float_equal(f.value, 0, 0);
    assert_non_null(strstr(f.formula, "no expenses recorded"));
    assert_false(s_figure("expenses", &none, &s_november).defined);
}

/* Issue 15, the information clerk: renewal information rate, a cohort by the
 * term's end date. */
static void test_renewal_information(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    c.insurance_ending = 5;
    c.insurance_renewal_known = 3;
    kpi_figure_t f = s_figure("renewal information rate", &c, &s_november);
    assert_true(f.defined);
    assert_string_equal(f.unit, "%");
    assert_float_equal(f.value, 60.0, 1e-9); /* 3 / 5 */
    assert_string_equal(f.formula, "vehicles with renewal information collected / vehicles whose "
                                   "insurance ended (by the end date) = 3 / 5");
    As__KpiCounters none = AS__KPI_COUNTERS__INIT;
    f = s_figure("renewal information rate", &none, &s_november);
    assert_false(f.defined);
    assert_non_null(strstr(f.formula, "no insurance ended in the period"));
}

/* Issue 15: the monthly reports' timeliness and accuracy. */
static void test_monthly_reports(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    c.reports_due = 3;
    c.reports_on_time = 2;
    c.reports_submitted = 3;
    c.reports_corrected = 1;
    /* 2 of the 3 reports due were submitted by their due date: 66.67 % */
    kpi_figure_t f = s_figure("monthly report timeliness", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 200.0 / 3.0, 1e-9);
    assert_string_equal(f.formula, "reports submitted by their due date / reports due = 2 / 3");
    /* 3 submitted, 1 corrected later: (3 - 1) / 3 = 66.67 % */
    f = s_figure("report accuracy", &c, &s_november);
    assert_true(f.defined);
    assert_float_equal(f.value, 200.0 / 3.0, 1e-9);
    assert_string_equal(f.formula, "reports submitted without a later correction / reports "
                                   "submitted = (3 - 1) / 3");
    As__KpiCounters none = AS__KPI_COUNTERS__INIT;
    f = s_figure("monthly report timeliness", &none, &s_november);
    assert_false(f.defined);
    assert_non_null(strstr(f.formula, ": no monthly report due in the period"));
    f = s_figure("report accuracy", &none, &s_november);
    assert_false(f.defined);
    assert_non_null(strstr(f.formula, ": no monthly report submitted in the period"));
}

/* issue 16: accessories sold at the price agreed with the customer; the same
 * lines at the catalogue price give the discount */
static void test_accessory_discount(void **state)
{
    (void)state;
    As__KpiCounters c = AS__KPI_COUNTERS__INIT;
    /* mats agreed 180.00 of 200.00 and bars 950.00 of 1000.00, 50.00 keyed */
    c.has_accessories_sales_cents = c.has_accessories_keyed_cents = 1;
    c.has_accessories_catalogue_cents = 1;
    c.accessories_sales_cents = 18000 + 95000 + 5000;
    c.accessories_keyed_cents = 5000;
    c.accessories_catalogue_cents = 20000 + 100000;
    kpi_figure_t f = s_figure("accessory discount given", &c, &s_november);
    assert_true(f.defined);
    assert_string_equal(f.unit, "cents");
    assert_float_equal(f.value, 7000, 0); /* 120000 - (118000 - 5000) */
    assert_string_equal(f.formula, "accessory lines at the catalogue price - (accessory sales - "
                                   "keyed at delivery) = 120000 - (118000 - 5000) cents");
    /* sold above the catalogue: a negative discount */
    c.accessories_catalogue_cents = 100000;
    assert_float_equal(s_figure("accessory discount given", &c, &s_november).value, -13000, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labour_hours),
        cmocka_unit_test(test_undefined_when_denominator_is_zero),
        cmocka_unit_test(test_bay_utilisation),
        cmocka_unit_test(test_hours_and_amounts),
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_warranty_and_tools),
        cmocka_unit_test(test_money_and_csi),
        cmocka_unit_test(test_names_and_metrics),
        cmocka_unit_test(test_days_in_month),
        cmocka_unit_test(test_achievement),
        cmocka_unit_test(test_parts_stock),
        cmocka_unit_test(test_orders),
        cmocka_unit_test(test_accessories_and_uio),
        cmocka_unit_test(test_training),
        cmocka_unit_test(test_advisor_products),
        cmocka_unit_test(test_inspection_and_profit),
        cmocka_unit_test(test_renewal_information),
        cmocka_unit_test(test_monthly_reports),
        cmocka_unit_test(test_accessory_discount),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
