/* kpi.c — the tool room's figures for a month (tools.kpi), each with the
 * formula it is computed by, for the KPI service and the tool room's review. */
#include <stdio.h>
#include <string.h>

#include "as/error.h"
#include "tools.h"

typedef struct {
    const char *month; /* "YYYY-MM" */
    char month_end[AS_DATE_LEN + 1];
    char today[AS_DATE_LEN + 1];
    uint32_t registered, good;      /* preservation */
    uint32_t loans, loans_complete; /* registration accuracy */
    uint32_t cal_due, cal_on_time;  /* calibration on time */
} s_kpi_t;

static bool s_in_month(const char *date, const char *month)
{
    return date && strlen(date) == AS_DATE_LEN && strncmp(date, month, 7) == 0;
}

static void s_kpi_item(s_kpi_t *k, const As__ToolItem *item)
{
    char registered[AS_DATE_LEN + 1];
    as_date_of_us(item->at_us, registered);
    if (strcmp(registered, k->month_end) <= 0) { /* registered by the month's end */
        k->registered++;
        if (!item->lost && item->condition && strcmp(item->condition, "good") == 0)
            k->good++;
    }
    for (size_t i = 0; i < item->n_calibrations; i++) {
        const As__ToolCalibration *c = item->calibrations[i];
        if (!s_in_month(c->due_date, k->month))
            continue;
        k->cal_due++;
        k->cal_on_time += c->on_time ? 1 : 0;
    }
    /* fell due in the month, not done yet, and now past due */
    char next[AS_DATE_LEN + 1];
    tools_item_next(item, next);
    if (!item->lost && s_in_month(next, k->month) && strcmp(next, k->today) < 0)
        k->cal_due++;
}

static void s_kpi_loan(s_kpi_t *k, const As__ToolLoan *loan)
{
    if (!s_in_month(loan->out_date, k->month))
        return;
    k->loans++;
    if (loan->signature && strcmp(loan->status, "returned") == 0)
        k->loans_complete++;
}

/* Counts every tool and loan of the tool room into k. */
static int s_kpi_count(as_cmd_t *cmd, s_kpi_t *k)
{
    as_record_list_t items, loans;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "items"), NULL,
                            &as__tool_item__descriptor, &items);
    if (rc != 0)
        return rc;
    rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "loans"), NULL,
                        &as__tool_loan__descriptor, &loans);
    for (size_t i = 0; rc == 0 && i < items.n; i++)
        s_kpi_item(k, (const As__ToolItem *)items.msgs[i]);
    for (size_t i = 0; rc == 0 && i < loans.n; i++)
        s_kpi_loan(k, (const As__ToolLoan *)loans.msgs[i]);
    as_record_list_free(&items);
    as_record_list_free(&loans); /* a failed scan left it empty */
    return rc;
}

static void s_figure(As__ToolKpiFigure *f, const char *name, uint32_t num, uint32_t den,
                     const char *formula)
{
    as__tool_kpi_figure__init(f);
    f->name = (char *)name;
    f->has_numerator = f->has_denominator = f->has_rate = 1;
    f->numerator = num;
    f->denominator = den;
    f->rate = den ? (double)num / den : 0.0;
    f->formula = (char *)formula;
}

int tools_cmd_kpi(as_cmd_t *cmd)
{
    const As__ToolKpiQuery *req = (const As__ToolKpiQuery *)cmd->request;
    int rc = 0;
    s_kpi_t k = {.month = req->month};
    if (!req->month || !as_month_valid(req->month))
        rc = as_cmd_fail(cmd, AS_EINVALID, "month must be YYYY-MM (got '%s')",
                         req->month ? req->month : "");
    if (rc == 0) {
        char first[AS_DATE_LEN + 1], next_month[AS_DATE_LEN + 1];
        snprintf(first, sizeof first, "%s-01", req->month);
        as_date_add_days(first, 31, next_month); /* some day of the next month */
        next_month[8] = '0';
        next_month[9] = '1';
        as_date_add_days(next_month, -1, k.month_end);
        tools_today(k.today);
        rc = s_kpi_count(cmd, &k);
    }
    if (rc == 0) {
        As__ToolKpiFigure figures[3];
        As__ToolKpiFigure *ptrs[3] = {&figures[0], &figures[1], &figures[2]};
        s_figure(&figures[0], "tool_preservation_rate", k.good, k.registered,
                 "tools in good condition (not lost) / tools registered by the month's end");
        s_figure(&figures[1], "loan_registration_accuracy", k.loans_complete, k.loans,
                 "loans checked out in the month that the technician signed and that were "
                 "checked in / loans checked out in the month");
        s_figure(&figures[2], "calibration_on_time_rate", k.cal_on_time, k.cal_due,
                 "calibrations done by their due date / calibrations that fell due in the "
                 "month (done, or past due and not done)");
        As__ToolKpi reply = AS__TOOL_KPI__INIT;
        reply.month = req->month;
        reply.n_figures = 3;
        reply.figures = ptrs;
        rc = as_cmd_reply(cmd, &reply.base);
    }
    return rc;
}
