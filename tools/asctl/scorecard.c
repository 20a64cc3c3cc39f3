/* scorecard.c — asctl's table of kpi.scorecard for people (issue 15): one
 * section per role, a line per figure with the person's value, target and
 * achievement and the department's value, amounts in currency, hours in
 * hours, ratios in percent; then why each figure not defined is not. */
#include <stdio.h>
#include <string.h>

#include "as/human.h"
#include "as/pb/kpi.pb-c.h"
#include "asctl.h"

/* A number in a figure's unit: "37.5%", "1,200.00", "3.50 h", "2". */
static void s_number(const char *unit, double value, char *out, size_t cap)
{
    if (!strcmp(unit, "%"))
        snprintf(out, cap, "%.1f%%", value);
    else if (!strcmp(unit, "cents"))
        as_human_money((int64_t)(value + (value < 0 ? -0.5 : 0.5)), out, cap);
    else if (!strcmp(unit, "h"))
        snprintf(out, cap, "%.2f h", value);
    else if (!strcmp(unit, ""))
        snprintf(out, cap, "%.0f", value);
    else
        snprintf(out, cap, "%.2f %s", value, unit);
}

static void s_print_section(const As__KpiScoreSection *s)
{
    printf("\n%-34s %14s %14s %12s %14s\n", s->role, "value", "target", "achievement",
           "department");
    for (size_t i = 0; i < s->n_figures; i++) {
        const As__KpiScoreFigure *f = s->figures[i];
        const char *unit = f->unit ? f->unit : "";
        char value[48] = "-", target[48] = "", achievement[24] = "", dept[48] = "-";
        if (f->defined)
            s_number(unit, f->value, value, sizeof value);
        if (f->has_target)
            s_number(unit, f->target, target, sizeof target);
        if (f->has_achievement)
            snprintf(achievement, sizeof achievement, "%.0f%%", 100.0 * f->achievement);
        if (f->department_defined)
            s_number(unit, f->department_value, dept, sizeof dept);
        printf("%-34s %14s %14s %12s %14s\n", f->name, value, target, achievement, dept);
    }
    for (size_t i = 0; i < s->n_figures; i++)
        if (!s->figures[i]->defined)
            printf("  - %s: %s\n", s->figures[i]->name, s->figures[i]->formula);
}

void asctl_scorecard_print(const ProtobufCMessage *msg)
{
    const As__KpiScorecard *c = (const As__KpiScorecard *)msg;
    char roles[256] = "";
    for (size_t i = 0; i < c->n_roles; i++)
        snprintf(roles + strlen(roles), sizeof roles - strlen(roles), "%s%s", i ? ", " : "",
                 c->roles[i]);
    if (!strcmp(c->from_month, c->to_month))
        printf("Scorecard of %s (%s), %s\n", c->staff_id, roles, c->from_month);
    else
        printf("Scorecard of %s (%s), %s to %s\n", c->staff_id, roles, c->from_month, c->to_month);
    for (size_t i = 0; i < c->n_sections; i++)
        s_print_section(c->sections[i]);
    printf("\n'-' not defined (why below the section); a target over several months: counts,\n"
           "amounts and hours added up, ratios averaged.\n");
}
