/* expenses.c — the department's expenses by month and category (issue 15):
 * kpi.expense.record (the service manager; a month and category recorded
 * again replaces the first, and kpi.expense.recorded says what it replaced),
 * kpi.expense.list, and the month's sum for the report's "expenses" and
 * "department profit" (gross profit - expenses) figures.
 *
 * Expenses are kpi's own records, entered by a person, not counted from
 * another service's events: nothing here depends on how sources interleave. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/text.h"
#include "kpi.h"

#define S_MAX_CENTS 100000000000LL   /* one billion in currency: far beyond a month */
#define S_NOTE_MAX AS_TEXT_CHARS_MAX /* characters */

static const char *const s_categories[] = {"rent",  "utilities",   "salaries", "training",
                                           "tools", "consumables", "other",    NULL};

static bool s_category_known(const char *category)
{
    for (size_t i = 0; s_categories[i]; i++)
        if (!strcmp(s_categories[i], category))
            return true;
    return false;
}

static MDB_dbi s_dbi(as_service_t *svc)
{
    return as_record_dbi(svc, "expenses");
}

static int s_validate(as_cmd_t *cmd, const As__KpiExpenseRecord *r)
{
    if (!r->month || !*r->month)
        return as_cmd_fail(cmd, AS_EINVALID, "month is required (YYYY-MM)");
    if (!as_month_valid(r->month))
        return as_cmd_fail(cmd, AS_EINVALID, "month '%s' is not a month (YYYY-MM)", r->month);
    if (!r->category || !*r->category)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "category is required (rent, utilities, salaries, training, tools, "
                           "consumables, other)");
    if (!s_category_known(r->category))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "category '%s' is not one of rent, utilities, salaries, training, "
                           "tools, consumables, other",
                           r->category);
    if (!r->has_amount_cents)
        return as_cmd_fail(cmd, AS_EINVALID, "amount_cents is required");
    if (r->amount_cents < 0 || r->amount_cents > S_MAX_CENTS)
        return as_cmd_fail(cmd, AS_EINVALID, "amount_cents %lld for %s %s must be 0..%lld",
                           (long long)r->amount_cents, r->month, r->category, S_MAX_CENTS);
    if (r->note && as_text_chars(r->note) > S_NOTE_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "note is longer than %d characters", S_NOTE_MAX);
    return 0;
}

int kpi_expense_put(as_service_t *svc, MDB_txn *txn, const As__KpiExpense *e)
{
    as_key_t key;
    int rc = as_key_of(&key, e->month, e->category, NULL);
    return rc ? rc : as_record_put_key(txn, s_dbi(svc), &key, &e->base);
}

int kpi_cmd_expense_record(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiExpenseRecord *r = (const As__KpiExpenseRecord *)cmd->request;
    int rc = s_validate(cmd, r);
    if (rc != 0)
        return rc;
    as_key_t key;
    if ((rc = as_key_of(&key, r->month, r->category, NULL)) != 0)
        return rc;
    As__KpiExpense *old = NULL;
    rc = as_record_get_key(cmd->txn, s_dbi(cmd->svc), &key, &as__kpi_expense__descriptor, &old);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    As__KpiExpense e = AS__KPI_EXPENSE__INIT;
    e.month = r->month;
    e.category = r->category;
    e.has_amount_cents = 1;
    e.amount_cents = r->amount_cents;
    e.note = r->note && *r->note ? r->note : NULL;
    e.recorded_by = (char *)cmd->actor;
    As__KpiExpenseRecorded m = AS__KPI_EXPENSE_RECORDED__INIT;
    m.expense = &e;
    if (old) {
        m.has_replaced_cents = 1;
        m.replaced_cents = old->amount_cents;
        as__kpi_expense__free_unpacked(old, NULL);
    }
    char subject[64];
    snprintf(subject, sizeof subject, "%s|%s", r->month, r->category);
    rc = kpi_expense_put(cmd->svc, cmd->txn, &e);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "kpi.expense.recorded", subject, &m.base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &e.base);
    return rc;
}

/* The expenses of `month` (NULL: every month), in key order (month, category). */
static int s_scan(as_service_t *svc, MDB_txn *txn, const char *month, as_record_list_t *out)
{
    as_key_t prefix;
    int rc = month ? as_key_of(&prefix, month, NULL) : 0;
    if (rc != 0)
        return rc;
    return as_record_scan(txn, s_dbi(svc), month ? &prefix : NULL, &as__kpi_expense__descriptor,
                          out);
}

int kpi_cmd_expense_list(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiExpenseQuery *q = (const As__KpiExpenseQuery *)cmd->request;
    const char *month = q->month && *q->month ? q->month : NULL;
    if (month && !as_month_valid(month))
        return as_cmd_fail(cmd, AS_EINVALID, "month '%s' is not a month (YYYY-MM)", month);
    as_record_list_t all = {0};
    int rc = s_scan(cmd->svc, cmd->txn, month, &all);
    if (rc != 0)
        return rc;
    As__KpiExpenseList list = AS__KPI_EXPENSE_LIST__INIT;
    list.expenses = (As__KpiExpense **)all.msgs;
    list.n_expenses = all.n;
    list.has_total_cents = 1;
    for (size_t i = 0; i < all.n; i++)
        list.total_cents += list.expenses[i]->amount_cents;
    rc = as_cmd_reply(cmd, &list.base);
    as_record_list_free(&all);
    return rc;
}

int kpi_expenses_fill(as_service_t *svc, MDB_txn *txn, const char *month, As__KpiCounters *c)
{
    as_record_list_t all = {0};
    int rc = s_scan(svc, txn, month, &all);
    if (rc != 0)
        return rc;
    c->has_expenses_cents = c->has_expense_categories = 1;
    c->expenses_cents = 0;
    c->expense_categories = (int64_t)all.n;
    for (size_t i = 0; i < all.n; i++)
        c->expenses_cents += ((const As__KpiExpense *)all.msgs[i])->amount_cents;
    as_record_list_free(&all);
    return 0;
}
