/* forecast_calc.c — the demand forecast's arithmetic (forecast_calc.h). */
#include "forecast_calc.h"

/* ceil(a / b), b > 0 */
static uint64_t s_ceil_div(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

/* round(a * 1000 / b), half up, capped to uint32 */
static uint32_t s_milli(uint64_t a, uint64_t b)
{
    uint64_t v = (a * 1000 + b / 2) / b;
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static uint32_t s_cap(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

void parts_fc_compute(const parts_fc_in_t *in, parts_fc_out_t *out)
{
    uint64_t w = in->window_days ? in->window_days : 1;
    uint64_t n = in->lead_lines ? in->lead_lines : 1;
    uint64_t l = in->lead_lines ? in->lead_days_sum : in->default_lead_days;
    uint64_t d = in->demand;
    out->demand_per_day_milli = s_milli(d, w);
    out->lead_days_milli = s_milli(l, n);
    out->safety_stock_milli = s_milli(d * in->safety_days, w);
    out->reorder_point = s_cap(s_ceil_div(d * (l + (uint64_t)in->safety_days * n), w * n));
    out->order_up_to = s_cap((uint64_t)out->reorder_point + s_ceil_div(d * in->cover_days, w));
    out->position = (int64_t)in->on_hand - in->reserved + in->on_order - in->backordered;
    out->reorder =
        out->position <= (int64_t)out->reorder_point && (int64_t)out->order_up_to > out->position;
    out->suggested = 0;
    if (out->reorder) {
        int64_t want = (int64_t)out->order_up_to - out->position;
        out->suggested = want > (int64_t)PARTS_FC_MAX_ORDER ? PARTS_FC_MAX_ORDER : (uint32_t)want;
    }
}
