/* counters_training.c — kpi's counters from the workshop's training events:
 * training achievement = certifications gained / courses planned.
 *
 * Both counters count on the planned date (a cohort, like the warranty
 * figures): a course planned for March is in March's denominator, and its
 * certification, whenever it comes, in March's numerator. So a month's rate
 * compares the same courses above and below the line and cannot pass 100%
 * because a course planned in February was certified in March. Each event
 * carries the plan as it stands (its planned date), and both come from
 * workshop alone, so kpi keeps no note and nothing depends on how sources
 * interleave. Counted for the department and the technician. */
#include "as/error.h"
#include "as/pb/workshop.pb-c.h"
#include "kpi.h"

static int s_count(as_evt_t *evt, const As__KpiCounters *d)
{
    const As__TrainingPlan *p = ((const As__TrainingChanged *)evt->payload)->plan;
    if (!p || !p->tech_id || !*p->tech_id || !as_date_valid(p->planned_date))
        return AS_EINVALID;
    int rc = kpi_count(evt, p->planned_date, KPI_DEPARTMENT, "", d);
    return rc ? rc : kpi_count(evt, p->planned_date, KPI_TECHNICIAN, p->tech_id, d);
}

/* workshop.training.planned: one course more planned on its date. */
int kpi_evt_training_planned(as_evt_t *evt)
{
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, training_planned, 1);
    return s_count(evt, &d);
}

/* workshop.training.certified: the course gave its certification (workshop
 * certifies a plan once). */
int kpi_evt_training_certified(as_evt_t *evt)
{
    As__KpiCounters d = AS__KPI_COUNTERS__INIT;
    KPI_SET(d, training_certified, 1);
    return s_count(evt, &d);
}
