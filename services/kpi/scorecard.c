/* scorecard.c — kpi.scorecard (issue 15): one staff member's figures of a
 * month, or of several months (a quarter), for the periodic performance
 * review. The roles the person holds on the staff list decide the sections:
 * a technician's hours and quality, an advisor's sales and satisfaction, a
 * warehouse keeper's productivity. Each figure is the report's own
 * (formulas.c) computed from the person's counters summed over the months,
 * with their target of the period and, beside it, the department's figure
 * of the same months.
 *
 * A period's target: for a count, an amount or hours the months' targets
 * added up (a quarter's sold hours target is the three months'); for a
 * ratio or a rate their mean. Each month's is the person's own target, else
 * the one for every row where it applies (kpi_target_find). target_months
 * says how many months of the period had one.
 *
 * It only reads kpi's counters and targets: nothing depends on how sources
 * interleave beyond what the counters already guarantee. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "formulas.h"
#include "kpi.h"

#define S_MAX_MONTHS 12
#define S_MAX_FIGURES 8
#define S_MAX_SECTIONS 3

typedef struct {
    unsigned role;   /* AS_ROLE_* the person holds */
    const char *dim; /* their counters' dimension */
    unsigned reader; /* who besides the service manager reviews them */
    const char *figures[S_MAX_FIGURES + 1];
} s_section_def_t;

static const s_section_def_t s_sections[S_MAX_SECTIONS] = {
    {AS_ROLE_TECHNICIAN,
     KPI_TECHNICIAN,
     AS_ROLE_FOREMAN,
     {"sold hours", "labour efficiency", "labour utilisation", "overall productivity",
      "first-time-fix rate", "comeback rate", "training achievement", "labour sales", NULL}},
    {AS_ROLE_ADVISOR,
     KPI_ADVISOR,
     AS_ROLE_FRONT_DESK_MANAGER,
     {"vehicles handed over", "customer-pay ros", "service sales", "gross profit", "csi",
      "appointment rate", KPI_ADVISOR_PRODUCT_SALES, "product take rate", NULL}},
    {AS_ROLE_WAREHOUSE_KEEPER, KPI_KEEPER, AS_ROLE_PARTS_MANAGER, {"warehouse productivity", NULL}},
};

typedef struct {
    As__KpiScoreFigure figures[S_MAX_SECTIONS][S_MAX_FIGURES];
    As__KpiScoreFigure *figure_ptrs[S_MAX_SECTIONS][S_MAX_FIGURES];
    kpi_figure_t computed[S_MAX_SECTIONS][S_MAX_FIGURES];
    As__KpiScoreSection sections[S_MAX_SECTIONS];
    As__KpiScoreSection *section_ptrs[S_MAX_SECTIONS];
    char months[S_MAX_MONTHS][8];
    size_t n_months;
    const char *roles[16];
} s_card_t;

static int s_figure_index(const char *name, size_t *index)
{
    for (size_t i = 0; i < kpi_figure_count(); i++)
        if (!strcmp(kpi_figure_name(i), name))
            return *index = i, 0;
    return -1;
}

/* Fills card->months from..to; fails the command on a bad period. */
static int s_period(as_cmd_t *cmd, const As__KpiScorecardRequest *req, s_card_t *card)
{
    bool one = req->month && *req->month;
    const char *from = one ? req->month : req->from_month, *to = one ? req->month : req->to_month;
    if (one && ((req->from_month && *req->from_month) || (req->to_month && *req->to_month)))
        return as_cmd_fail(cmd, AS_EINVALID, "give month, or from_month and to_month, not both");
    if (!from || !*from || !to || !*to)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "month (YYYY-MM), or from_month and to_month, is required");
    if (!as_month_valid(from) || !as_month_valid(to))
        return as_cmd_fail(cmd, AS_EINVALID, "month '%s' is not a month (YYYY-MM)",
                           as_month_valid(from) ? to : from);
    if (strcmp(from, to) > 0)
        return as_cmd_fail(cmd, AS_EINVALID, "from_month %s is after to_month %s", from, to);
    int year = 0, month = 0;
    sscanf(from, "%4d-%2d", &year, &month);
    card->n_months = 0;
    for (;;) {
        if (card->n_months == S_MAX_MONTHS)
            return as_cmd_fail(cmd, AS_EINVALID, "a scorecard covers at most %d months (%s..%s)",
                               S_MAX_MONTHS, from, to);
        char *m = card->months[card->n_months++];
        snprintf(m, 8, "%04u-%02u", (unsigned)year % 10000u, (unsigned)month % 100u);
        if (!strcmp(m, to))
            return 0;
        if (++month > 12)
            month = 1, year++;
    }
}

/* Who may read whose card: the service manager anyone's, the person their
 * own, and the foreman / front desk manager / parts manager the people of
 * the role they run. */
static int s_may_read(as_cmd_t *cmd, const char *staff_id, unsigned roles)
{
    unsigned actor = as_staff_roles(as_service_staff(cmd->svc), cmd->actor);
    if (!strcmp(cmd->actor, staff_id) || (actor & AS_ROLE_SERVICE_MANAGER))
        return 0;
    for (size_t s = 0; s < S_MAX_SECTIONS; s++)
        if ((actor & s_sections[s].reader) && (roles & s_sections[s].role))
            return 0;
    return as_cmd_fail(cmd, AS_EDENIED,
                       "'%s' may read only their own scorecard, not '%s' (the service manager "
                       "reads everyone's; the foreman technicians', the front desk manager "
                       "advisors', the parts manager keepers')",
                       cmd->actor, staff_id);
}

/* The counters of `dim`/`id` (the department: "") summed over the months. */
static int s_sum(as_cmd_t *cmd, const s_card_t *card, const char *dim, const char *id,
                 As__KpiCounters *sum)
{
    return kpi_months_counters(cmd->svc, cmd->txn, (const char(*)[8])card->months, card->n_months,
                               dim, id, sum);
}

/* The period's target of a figure: the months' targets added up (a count,
 * an amount, hours) or their mean (a ratio, a rate). */
static int s_target(as_cmd_t *cmd, const s_card_t *card, const kpi_figure_t *f, const char *dim,
                    const char *id, As__KpiScoreFigure *out)
{
    unsigned months = 0;
    double target = 0;
    int rc = kpi_months_target(cmd->svc, cmd->txn, (const char(*)[8])card->months, card->n_months,
                               f, dim, id, &target, &months);
    out->has_target_months = 1;
    out->target_months = months;
    if (rc != 0 || months == 0)
        return rc;
    out->has_target = 1;
    out->target = target;
    out->has_achievement = f->defined;
    out->achievement = kpi_achievement(f->value, out->target);
    return 0;
}

static int s_section(as_cmd_t *cmd, s_card_t *card, size_t s, size_t slot, const char *id,
                     const As__KpiCounters *dept)
{
    const s_section_def_t *def = &s_sections[s];
    As__KpiCounters own;
    kpi_period_t span = {0, kpi_of(cmd->svc)->hours_per_day};
    int rc = s_sum(cmd, card, def->dim, id, &own);
    size_t n = 0;
    for (size_t i = 0; rc == 0 && def->figures[i]; i++) {
        size_t index = 0;
        if (s_figure_index(def->figures[i], &index) != 0)
            continue; /* a name formulas.c does not have: a programmer's slip, left out */
        kpi_figure_t *f = &card->computed[slot][n], beside;
        As__KpiScoreFigure *out = &card->figures[slot][n];
        kpi_figure_compute(index, &own, &span, f);
        kpi_figure_compute(index, dept, &span, &beside);
        as__kpi_score_figure__init(out);
        out->name = (char *)f->name;
        out->unit = (char *)f->unit;
        out->has_value = out->has_defined = 1;
        out->value = f->value;
        out->defined = f->defined;
        out->formula = f->formula;
        out->has_department_value = out->has_department_defined = 1;
        out->department_value = beside.value;
        out->department_defined = beside.defined;
        rc = s_target(cmd, card, f, def->dim, id, out);
        card->figure_ptrs[slot][n] = out;
        n++;
    }
    As__KpiScoreSection *sec = &card->sections[slot];
    as__kpi_score_section__init(sec);
    sec->role = (char *)as_role_name(def->role);
    sec->n_figures = n;
    sec->figures = card->figure_ptrs[slot];
    card->section_ptrs[slot] = sec;
    return rc;
}

int kpi_cmd_scorecard(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiScorecardRequest *req = (const As__KpiScorecardRequest *)cmd->request;
    s_card_t *card = calloc(1, sizeof *card);
    if (!card)
        return -ENOMEM;
    const char *id = req->staff_id ? req->staff_id : "";
    unsigned roles = as_staff_roles(as_service_staff(cmd->svc), id);
    int rc = 0;
    if (!*id)
        rc = as_cmd_fail(cmd, AS_EINVALID, "staff_id is required");
    else if (!roles)
        rc = as_cmd_fail(cmd, AS_ENOTFOUND, "staff '%s' is not on the staff list ([staff])", id);
    if (rc == 0)
        rc = s_period(cmd, req, card);
    if (rc == 0)
        rc = s_may_read(cmd, id, roles);
    size_t n_sections = 0, n_roles = 0;
    for (unsigned bit = 1; bit && n_roles < 16; bit <<= 1)
        if ((roles & bit) && *as_role_name(bit))
            card->roles[n_roles++] = as_role_name(bit);
    bool any = false;
    for (size_t s = 0; s < S_MAX_SECTIONS; s++)
        any = any || (roles & s_sections[s].role);
    if (rc == 0 && !any) {
        char names[256];
        as_role_names(roles, names, sizeof names);
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "'%s' is %s: a scorecard has figures for technicians, advisors and "
                         "warehouse keepers",
                         id, names);
    }
    As__KpiCounters dept;
    if (rc == 0)
        rc = s_sum(cmd, card, KPI_DEPARTMENT, "", &dept);
    for (size_t s = 0; rc == 0 && s < S_MAX_SECTIONS; s++)
        if (roles & s_sections[s].role)
            rc = s_section(cmd, card, s, n_sections++, id, &dept);
    if (rc == 0) {
        As__KpiScorecard reply = AS__KPI_SCORECARD__INIT;
        reply.staff_id = (char *)id;
        reply.from_month = card->months[0];
        reply.to_month = card->months[card->n_months - 1];
        reply.n_roles = n_roles;
        reply.roles = (char **)card->roles;
        reply.n_sections = n_sections;
        reply.sections = card->section_ptrs;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    free(card);
    return rc;
}
