/* forecast_calc.h — the demand forecast's arithmetic, pure (no store, no
 * config): forecast.c gathers the figures and hands them here;
 * tests/unit/test_parts_forecast.c checks the sums by hand.
 *
 * Units: demand is parts in a window of `window_days` calendar days; lead
 * times are calendar days (order date to the day the line was complete). The
 * reorder point is worked in whole numbers, never in floating point:
 *   demand a day  = D / W
 *   lead time     = L / n          (L: the lines' days summed, n: lines; n = 0:
 *                                   the default lead time, as one line)
 *   safety stock  = D / W x S
 *   reorder point = ceil(D / W x L / n + D / W x S) = ceil(D (L + S n) / (W n))
 *   order-up-to   = reorder point + ceil(D / W x C)
 *   position      = on hand - reserved + on order - backordered
 *   suggested     = order-up-to - position, when position <= reorder point
 *                   (and it is above 0), else 0; at most PARTS_FC_MAX_ORDER.
 * The _milli outputs are the same figures in thousandths, rounded half up,
 * for people to read. */
#ifndef AS_PARTS_FORECAST_CALC_H
#define AS_PARTS_FORECAST_CALC_H

#include <stdbool.h>
#include <stdint.h>

#define PARTS_FC_MAX_ORDER 100000u /* the most one order line may ask for */

typedef struct {
    uint32_t demand;            /* D: parts demanded in the window */
    uint32_t window_days;       /* W (> 0) */
    uint64_t lead_days_sum;     /* L: the lead-time lines' days summed */
    uint32_t lead_lines;        /* n: 0 takes default_lead_days */
    uint32_t default_lead_days; /* when no line shows the lead time */
    uint32_t safety_days;       /* S */
    uint32_t cover_days;        /* C */
    uint32_t on_hand, reserved, on_order, backordered;
} parts_fc_in_t;

typedef struct {
    uint32_t demand_per_day_milli;
    uint32_t lead_days_milli;
    uint32_t safety_stock_milli;
    uint32_t reorder_point;
    uint32_t order_up_to;
    int64_t position;
    bool reorder;       /* position <= reorder point and something to order */
    uint32_t suggested; /* 0 unless reorder */
} parts_fc_out_t;

/* Works out `out` from `in`. */
void parts_fc_compute(const parts_fc_in_t *in, parts_fc_out_t *out);

#endif
