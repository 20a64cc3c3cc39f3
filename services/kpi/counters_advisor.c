/* counters_advisor.c — advisor sales at the counter (issue 15): the
 * maintenance products and accessories an advisor recommends on an RO
 * (reception.product.recommended: products_recommended_cents, on the day
 * recommended) and those the customer takes (reception.product.answered with
 * answer "sold": products_sold_cents, on the day answered), for the
 * department and the advisor who recommended the line. Both come from
 * reception alone, in its order, and each event carries the advisor and the
 * amount: kpi keeps no note, so no figure depends on how sources interleave.
 * Each returns 0, AS_EINVALID for a payload it cannot use, or a store code. */
#include <string.h>

#include "as/error.h"
#include "as/pb/reception.pb-c.h"
#include "kpi.h"

static int s_product(as_evt_t *evt, bool sold)
{
    const As__ProductChanged *m = (const As__ProductChanged *)evt->payload;
    const As__ProductRecommendation *line = m->product;
    if (!line || !line->has_amount_cents || line->amount_cents <= 0 || !m->ro_number ||
        !*m->ro_number)
        return AS_EINVALID;
    if (sold && (!line->answer || strcmp(line->answer, "sold") != 0))
        return 0; /* declined: nothing sold */
    char date[AS_DATE_LEN + 1];
    kpi_event_date(evt, m->date, date);
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    if (sold)
        KPI_SET(d, products_sold_cents, line->amount_cents);
    else
        KPI_SET(d, products_recommended_cents, line->amount_cents);
    const char *advisor = m->advisor && *m->advisor ? m->advisor : line->advisor;
    int rc = kpi_count(evt, date, KPI_DEPARTMENT, "", &d);
    if (rc == 0)
        rc = kpi_ro_day(evt, date, m->ro_number, &d);
    if (rc == 0 && advisor && *advisor)
        rc = kpi_count_ro(evt, date, KPI_ADVISOR, advisor, m->ro_number, &d);
    return rc;
}

int kpi_evt_product_recommended(as_evt_t *evt)
{
    return s_product(evt, false);
}

int kpi_evt_product_answered(as_evt_t *evt)
{
    return s_product(evt, true);
}
