/* monthly.c — the department's and the OEM's monthly reports (issue 15).
 *
 * On the 1st of a month kpi generates, for each kind (department, oem), the
 * report of the month just ended: a snapshot of the month's figures (the
 * department: every figure of kpi.report's department row; the OEM: the
 * figures of s_oem_figures), due on [kpi] report_deadline_day of the new
 * month. A timer checks every S_TICK_MS whether the month just ended has both
 * reports, and generates the missing ones once kpi is caught up with its
 * sources (as_service_caught_up): a kpi down on the 1st generates them when
 * it is back and has applied what it missed. While they are missing, each
 * applied event has the timer look again on the loop's next round, so they
 * are generated as soon as the catch-up ends (kpi_monthly_applied). kpi.monthly.generate does the
 * same on demand (backfilling, tests); a report is generated once per kind
 * and month, and asked again the same report comes back.
 *
 * The information clerk submits the OEM's report, the service manager or the
 * clerk the department's (kpi.monthly.submit, dated by the request); a
 * submitted report is corrected (kpi.monthly.correct: its figures
 * regenerated as they are now, with a reason). Report timeliness and accuracy
 * are counted from these records when a report is made (kpi_monthly_fill):
 * kpi's own records, no other source's events, so nothing depends on how
 * sources interleave. A month's department snapshot holds the timeliness of
 * the reports due in that month (the month before's): its own report is due
 * in the next month, so it never counts itself.
 *
 * The timer runs when [kpi] monthly_reports = yes (deploy/local.ini says
 * so); off by default, so a kpi emits only what it is asked to.
 *
 * "Today" is the local date, or (tests only) the date in [kpi]
 * test_today_file, read at each use (s_today).
 *
 * Every handler returns 0, an AS_E* code with the command's error, or an
 * LMDB code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/config_schema.h"
#include "as/error.h"
#include "as/text.h"
#include "as/log.h"
#include "formulas.h"
#include "kpi.h"

#define S_TICK_FIRST_MS 2000           /* after start: heartbeats have told what to catch up */
#define S_TICK_MS 5000                 /* a read transaction: two gets */
#define S_REASON_MAX AS_TEXT_CHARS_MAX /* characters */
#define S_DEPARTMENT "department"
#define S_OEM "oem"
#define S_GENERATED "generated"
#define S_SUBMITTED "submitted"

static const char *const s_kinds[] = {S_DEPARTMENT, S_OEM, NULL};

/* What an OEM asks of a dealer's month (kpi figure names). */
static const char *const s_oem_figures[] = {"vehicles handed over",
                                            "customer-pay ros",
                                            "service sales",
                                            "labour sales",
                                            "parts sales",
                                            "first-time-fix rate",
                                            "comeback rate",
                                            "csi",
                                            "warranty first-pass rate",
                                            "parts fill rate",
                                            "units in operation",
                                            NULL};

static bool s_in(const char *const *list, const char *name)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(list[i], name))
            return true;
    return false;
}

static MDB_dbi s_dbi(as_service_t *svc)
{
    return as_record_dbi(svc, "monthly");
}

/* Today: the local date, or the test file's date when [kpi] test_today_file
 * names a file holding a valid one. */
static void s_today(as_service_t *svc, char out[AS_DATE_LEN + 1])
{
    const kpi_t *kpi = kpi_of(svc);
    as_date_today(out);
    if (!kpi->today_file[0])
        return;
    FILE *f = fopen(kpi->today_file, "r");
    char line[32] = "";
    if (!f)
        return;
    if (fgets(line, sizeof line, f))
        line[strcspn(line, " \r\n")] = '\0';
    fclose(f);
    if (as_date_valid(line))
        snprintf(out, AS_DATE_LEN + 1, "%s", line);
}

/* The month before `date`'s month ("2026-12-01" -> "2026-11"). */
static void s_month_before(const char *date, char out[8])
{
    char first[AS_DATE_LEN + 1], prev[AS_DATE_LEN + 1];
    snprintf(first, sizeof first, "%.7s-01", date);
    as_date_add_days(first, -1, prev);
    snprintf(out, 8, "%.7s", prev);
}

/* The due date of `month`'s report: the deadline day of the next month. */
static void s_due_date(as_service_t *svc, const char *month, char out[AS_DATE_LEN + 1])
{
    char first[AS_DATE_LEN + 1], next[AS_DATE_LEN + 1];
    snprintf(first, sizeof first, "%s-28", month);
    as_date_add_days(first, 4, next); /* the 28th + 4 days: always in the next month */
    snprintf(out, AS_DATE_LEN + 1, "%.7s-%02d", next, kpi_of(svc)->report_deadline_day);
}

static int s_get(as_service_t *svc, MDB_txn *txn, const char *kind, const char *month,
                 As__KpiMonthlyReport **out)
{
    as_key_t key;
    int rc = as_key_of(&key, month, kind, NULL);
    return rc ? rc
              : as_record_get_key(txn, s_dbi(svc), &key, &as__kpi_monthly_report__descriptor,
                                  (ProtobufCMessage **)out);
}

int kpi_monthly_put(as_service_t *svc, MDB_txn *txn, const As__KpiMonthlyReport *r)
{
    as_key_t key;
    int rc = as_key_of(&key, r->month, r->kind, NULL);
    return rc ? rc : as_record_put_key(txn, s_dbi(svc), &key, &r->base);
}

/* --- the snapshot ------------------------------------------------------- */

/* The figures of a snapshot: copies of the report's (their strings owned). */
typedef struct {
    const char *kind;
    As__KpiFigure **figures;
    size_t n;
} s_snapshot_t;

static void s_snapshot_free(s_snapshot_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->figures[i]->formula);
        free(s->figures[i]);
    }
    free(s->figures);
    s->figures = NULL;
    s->n = 0;
}

static int s_snapshot_add(s_snapshot_t *s, const As__KpiFigure *from)
{
    As__KpiFigure *f = malloc(sizeof *f);
    if (!f)
        return -ENOMEM;
    *f = *from; /* name and unit are static strings of formulas.c */
    f->formula = strdup(from->formula ? from->formula : "");
    s->figures[s->n++] = f;
    return f->formula ? 0 : -ENOMEM;
}

/* The department's: every figure, in the report's order; the OEM's: those of
 * s_oem_figures, in its order. */
static int s_snapshot_take(As__KpiFigure **figures, size_t n, void *arg)
{
    s_snapshot_t *s = arg;
    s->figures = calloc(n ? n : 1, sizeof *s->figures);
    if (!s->figures)
        return -ENOMEM;
    bool oem = !strcmp(s->kind, S_OEM);
    int rc = 0;
    for (size_t i = 0; rc == 0 && !oem && i < n; i++)
        rc = s_snapshot_add(s, figures[i]);
    for (size_t j = 0; rc == 0 && oem && s_oem_figures[j]; j++)
        for (size_t i = 0; rc == 0 && i < n; i++)
            if (!strcmp(figures[i]->name, s_oem_figures[j]))
                rc = s_snapshot_add(s, figures[i]);
    return rc;
}

/* Takes the month's figures into r (s keeps them; free after the write). */
static int s_snapshot(as_service_t *svc, MDB_txn *txn, As__KpiMonthlyReport *r, s_snapshot_t *s)
{
    s->kind = r->kind;
    int rc = kpi_report_month_figures(svc, txn, r->month, s_snapshot_take, s);
    r->figures = s->figures;
    r->n_figures = s->n;
    return rc;
}

static int s_emit(as_service_t *svc, MDB_txn *txn, as_cmd_t *cmd, const char *type,
                  As__KpiMonthlyReport *r)
{
    char subject[32];
    snprintf(subject, sizeof subject, "%s|%s", r->month, r->kind);
    As__KpiMonthlyChanged m = AS__KPI_MONTHLY_CHANGED__INIT;
    m.report = r;
    if (cmd)
        return as_cmd_emit(cmd, type, subject, &m.base);
    size_t len = as__kpi_monthly_changed__get_packed_size(&m);
    uint8_t *payload = malloc(len ? len : 1);
    if (!payload)
        return -ENOMEM;
    as__kpi_monthly_changed__pack(&m, payload);
    as_event_t event = {.type = type, .subject = subject, .payload = payload, .payload_len = len};
    int rc = as_service_emit(svc, txn, &event);
    free(payload);
    return rc;
}

/* Generates `kind`'s report of `month` unless it exists: *created says which.
 * `cmd` is the command asking (NULL: the timer). Replies nothing. */
static int s_generate(as_service_t *svc, MDB_txn *txn, as_cmd_t *cmd, const char *kind,
                      const char *month, bool *created)
{
    As__KpiMonthlyReport *old = NULL;
    int rc = s_get(svc, txn, kind, month, &old);
    *created = false;
    if (rc == 0)
        as__kpi_monthly_report__free_unpacked(old, NULL);
    if (rc != MDB_NOTFOUND)
        return rc;
    char today[AS_DATE_LEN + 1], due[AS_DATE_LEN + 1];
    s_today(svc, today);
    s_due_date(svc, month, due);
    As__KpiMonthlyReport r = AS__KPI_MONTHLY_REPORT__INIT;
    r.kind = (char *)kind;
    r.month = (char *)month;
    r.state = S_GENERATED;
    r.generated_date = today;
    r.generated_by = cmd ? (char *)cmd->actor : "";
    r.due_date = due;
    s_snapshot_t snap = {0};
    rc = s_snapshot(svc, txn, &r, &snap);
    if (rc == 0)
        rc = kpi_monthly_put(svc, txn, &r);
    if (rc == 0)
        rc = s_emit(svc, txn, cmd, "kpi.monthly.generated", &r);
    s_snapshot_free(&snap);
    *created = rc == 0;
    return rc;
}

/* --- the timer ---------------------------------------------------------- */

static int s_tick_txn(as_service_t *svc, MDB_txn *txn, void *arg)
{
    const char *month = arg;
    int rc = 0;
    for (size_t i = 0; rc == 0 && s_kinds[i]; i++) {
        bool created = false;
        rc = s_generate(svc, txn, NULL, s_kinds[i], month, &created);
        if (rc == 0 && created)
            as_info("kpi: the %s report of %s generated", s_kinds[i], month);
    }
    return rc;
}

typedef struct {
    as_service_t *svc;
    const char *month;
    bool missing;
} s_missing_t;

static int s_missing_txn(MDB_txn *txn, void *arg)
{
    s_missing_t *m = arg;
    for (size_t i = 0; !m->missing && s_kinds[i]; i++) {
        as_key_t key;
        int rc = as_key_of(&key, m->month, s_kinds[i], NULL);
        if (rc != 0)
            return rc;
        m->missing = !as_record_exists_key(txn, s_dbi(m->svc), &key);
    }
    return 0;
}

/* Whether a report of the month is missing (a read transaction). */
static bool s_missing(as_service_t *svc, const char *month)
{
    s_missing_t m = {svc, month, false};
    return as_store_read(as_service_store(svc), s_missing_txn, &m) == 0 && m.missing;
}

static void s_tick(uv_timer_t *timer)
{
    as_service_t *svc = timer->data;
    kpi_t *kpi = kpi_of(svc);
    char today[AS_DATE_LEN + 1], month[8];
    s_today(svc, today);
    s_month_before(today, month);
    kpi->monthly_pending = s_missing(svc, month);
    if (!kpi->monthly_pending || !as_service_caught_up(svc))
        return;
    int rc = as_service_write(svc, s_tick_txn, month);
    if (rc != 0)
        as_warn("kpi: the monthly reports of %s were not generated: %s; tried again later", month,
                as_strerror(rc));
    else
        kpi->monthly_pending = false;
}

void kpi_monthly_applied(as_service_t *svc, const As__Envelope *env)
{
    (void)env;
    kpi_t *kpi = kpi_of(svc);
    /* the turn's offsets are stored after this call: look on the next round */
    if (kpi->monthly_pending && kpi->monthly_timer_on)
        uv_timer_start(&kpi->monthly_timer, s_tick, 0, S_TICK_MS);
}

int kpi_monthly_start(as_service_t *svc)
{
    kpi_t *kpi = kpi_of(svc);
    as_config_t *cfg = as_service_config(svc);
    long long day = 5;
    if (as_config_read_int(cfg, "kpi", "report_deadline_day", &day) != 0) {
        as_error("config: [kpi] report_deadline_day must be 1..28");
        return AS_ECONFIG;
    }
    kpi->report_deadline_day = (int)day;
    bool on = false;
    if (as_config_get_bool(cfg, "kpi", "monthly_reports", false, &on) != 0) {
        as_error("config: [kpi] monthly_reports must be yes or no");
        return AS_ECONFIG;
    }
    const char *file = as_config_get(cfg, "kpi", "test_today_file", "");
    snprintf(kpi->today_file, sizeof kpi->today_file, "%s", file ? file : "");
    if (kpi->today_file[0])
        as_warn("kpi: [kpi] test_today_file is set (tests only): the monthly reports take today "
                "from %s",
                kpi->today_file);
    if (!on) /* kpi.monthly.generate still makes them on demand */
        return 0;
    if (uv_timer_init(as_service_loop(svc), &kpi->monthly_timer) != 0)
        return AS_ECONFIG;
    kpi->monthly_timer.data = svc;
    kpi->monthly_pending = true; /* looked at the first tick, or once an event is applied */
    kpi->monthly_timer_on =
        uv_timer_start(&kpi->monthly_timer, s_tick, S_TICK_FIRST_MS, S_TICK_MS) == 0;
    return 0;
}

void kpi_monthly_stop(as_service_t *svc)
{
    kpi_t *kpi = kpi_of(svc);
    if (kpi->monthly_timer_on)
        uv_timer_stop(&kpi->monthly_timer);
    kpi->monthly_timer_on = false;
}

/* --- the commands ------------------------------------------------------- */

static int s_ref_validate(as_cmd_t *cmd, const char *kind, const char *month)
{
    if (!kind || !*kind)
        return as_cmd_fail(cmd, AS_EINVALID, "kind is required (department, oem)");
    if (!s_in(s_kinds, kind))
        return as_cmd_fail(cmd, AS_EINVALID, "kind '%s' is not one of department, oem", kind);
    if (!month || !*month)
        return as_cmd_fail(cmd, AS_EINVALID, "month is required (YYYY-MM)");
    if (!as_month_valid(month))
        return as_cmd_fail(cmd, AS_EINVALID, "month '%s' is not a month (YYYY-MM)", month);
    return 0;
}

/* Loads the report or refuses: not generated. */
static int s_load(as_cmd_t *cmd, const char *kind, const char *month, As__KpiMonthlyReport **out)
{
    int rc = s_ref_validate(cmd, kind, month);
    if (rc == 0 && (rc = s_get(cmd->svc, cmd->txn, kind, month, out)) == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND,
                           "there is no %s report of %s (generated on the 1st of the next month, "
                           "or kpi.monthly.generate)",
                           kind, month);
    return rc;
}

int kpi_cmd_monthly_generate(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiMonthlyGenerate *q = (const As__KpiMonthlyGenerate *)cmd->request;
    int rc = s_ref_validate(cmd, q->kind, q->month);
    if (rc != 0)
        return rc;
    char today[AS_DATE_LEN + 1];
    s_today(cmd->svc, today);
    if (strncmp(q->month, today, 7) >= 0)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "month %s has not ended (today is %s): its report is generated from "
                           "the 1st of the next month",
                           q->month, today);
    bool created = false;
    As__KpiMonthlyReport *r = NULL;
    if ((rc = s_generate(cmd->svc, cmd->txn, cmd, q->kind, q->month, &created)) == 0 &&
        (rc = s_get(cmd->svc, cmd->txn, q->kind, q->month, &r)) == 0) {
        rc = as_cmd_reply(cmd, &r->base);
        as__kpi_monthly_report__free_unpacked(r, NULL);
    }
    return rc;
}

int kpi_cmd_monthly_list(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiMonthlyQuery *q = (const As__KpiMonthlyQuery *)cmd->request;
    const char *state = q->state && *q->state ? q->state : NULL;
    const char *month = q->month && *q->month ? q->month : NULL;
    const char *kind = q->kind && *q->kind ? q->kind : NULL;
    if (state && strcmp(state, S_GENERATED) && strcmp(state, S_SUBMITTED))
        return as_cmd_fail(cmd, AS_EINVALID, "state '%s' is not one of generated, submitted",
                           state);
    if (month && !as_month_valid(month))
        return as_cmd_fail(cmd, AS_EINVALID, "month '%s' is not a month (YYYY-MM)", month);
    if (kind && !s_in(s_kinds, kind))
        return as_cmd_fail(cmd, AS_EINVALID, "kind '%s' is not one of department, oem", kind);
    as_record_list_t all = {0};
    as_key_t prefix;
    int rc = month ? as_key_of(&prefix, month, NULL) : 0;
    if (rc == 0)
        rc = as_record_scan(cmd->txn, s_dbi(cmd->svc), month ? &prefix : NULL,
                            &as__kpi_monthly_report__descriptor, &all);
    As__KpiMonthlyReport **shown = calloc(all.n + 1, sizeof *shown);
    size_t *kept = calloc(all.n + 1, sizeof *kept);
    if (rc == 0 && (!shown || !kept))
        rc = -ENOMEM;
    As__KpiMonthlyList list = AS__KPI_MONTHLY_LIST__INIT;
    for (size_t i = 0; rc == 0 && i < all.n; i++) {
        As__KpiMonthlyReport *r = (As__KpiMonthlyReport *)all.msgs[i];
        if ((state && strcmp(r->state, state)) || (kind && strcmp(r->kind, kind)))
            continue;
        kept[list.n_reports] = r->n_figures; /* a list without the figures */
        r->n_figures = 0;
        shown[list.n_reports++] = r;
    }
    list.reports = shown;
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list.base);
    for (size_t i = 0; shown && kept && i < list.n_reports; i++)
        shown[i]->n_figures = kept[i]; /* freed with them */
    free(shown);
    free(kept);
    as_record_list_free(&all);
    return rc;
}

int kpi_cmd_monthly_show(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiMonthlyRef *q = (const As__KpiMonthlyRef *)cmd->request;
    As__KpiMonthlyReport *r = NULL;
    int rc = s_load(cmd, q->kind, q->month, &r);
    if (rc == 0) {
        rc = as_cmd_reply(cmd, &r->base);
        as__kpi_monthly_report__free_unpacked(r, NULL);
    }
    return rc;
}

/* Who submits (and corrects) which: the OEM's report the information clerk,
 * the department's the service manager or the clerk (the catalog's roles). */
static int s_may_submit(as_cmd_t *cmd, const char *kind, const char *what)
{
    unsigned roles = as_staff_roles(as_service_staff(cmd->svc), cmd->actor);
    if (!strcmp(kind, S_OEM) && !(roles & AS_ROLE_INFO_CLERK))
        return as_cmd_fail(cmd, AS_EDENIED,
                           "%s: the OEM's report is %s by the information clerk, not '%s'",
                           cmd->command, what, cmd->actor);
    return 0;
}

int kpi_cmd_monthly_submit(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiMonthlyRef *q = (const As__KpiMonthlyRef *)cmd->request;
    As__KpiMonthlyReport *r = NULL;
    int rc = s_load(cmd, q->kind, q->month, &r);
    if (rc != 0)
        return rc;
    char date[AS_DATE_LEN + 1], month_end[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    snprintf(month_end, sizeof month_end, "%s-%02d", r->month, kpi_days_in_month(r->month));
    if ((rc = s_may_submit(cmd, r->kind, "submitted")) != 0)
        ;
    else if (!strcmp(r->state, S_SUBMITTED))
        rc = as_cmd_fail(cmd, AS_ECONFLICT,
                         "the %s report of %s was submitted on %s by %s already (a change is a "
                         "correction: kpi.monthly.correct)",
                         r->kind, r->month, r->submitted_date, r->submitted_by);
    else if (strcmp(date, month_end) <= 0)
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "the %s report of %s cannot be submitted on %s, before its month ended",
                         r->kind, r->month, date);
    if (rc == 0) {
        /* the strings set here are not the message's: the old ones go back before the free */
        char *old_state = r->state, *old_date = r->submitted_date, *old_by = r->submitted_by;
        r->state = S_SUBMITTED;
        r->submitted_date = date;
        r->submitted_by = (char *)cmd->actor;
        r->has_late = 1;
        r->late = strcmp(date, r->due_date) > 0;
        rc = kpi_monthly_put(cmd->svc, cmd->txn, r);
        if (rc == 0)
            rc = s_emit(cmd->svc, cmd->txn, cmd, "kpi.monthly.submitted", r);
        if (rc == 0)
            rc = as_cmd_reply(cmd, &r->base);
        r->state = old_state;
        r->submitted_date = old_date;
        r->submitted_by = old_by;
    }
    as__kpi_monthly_report__free_unpacked(r, NULL);
    return rc;
}

int kpi_cmd_monthly_correct(as_cmd_t *cmd)
{
    if (kpi_is_group(cmd->svc)) /* a group kpi: the site's own kpi's */
        return kpi_site_only(cmd);
    const As__KpiMonthlyCorrect *q = (const As__KpiMonthlyCorrect *)cmd->request;
    As__KpiMonthlyReport *r = NULL;
    int rc = s_load(cmd, q->kind, q->month, &r);
    if (rc != 0)
        return rc;
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    if ((rc = s_may_submit(cmd, r->kind, "corrected")) != 0)
        ;
    else if (!q->reason || !*q->reason)
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "reason is required: what the correction changes, and why");
    else if (as_text_chars(q->reason) > S_REASON_MAX)
        rc = as_cmd_fail(cmd, AS_EINVALID, "reason is longer than %d characters", S_REASON_MAX);
    else if (strcmp(r->state, S_SUBMITTED))
        rc = as_cmd_fail(cmd, AS_ECONFLICT,
                         "the %s report of %s is not submitted: only a submitted report is "
                         "corrected (review it and kpi.monthly.submit)",
                         r->kind, r->month);
    else if (strcmp(date, r->submitted_date) < 0)
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "the %s report of %s cannot be corrected on %s, before it was submitted "
                         "(%s)",
                         r->kind, r->month, date, r->submitted_date);
    if (rc != 0) {
        as__kpi_monthly_report__free_unpacked(r, NULL);
        return rc;
    }
    /* the old figures go with the message; the new ones are the snapshot's */
    size_t old_n = r->n_figures;
    As__KpiFigure **old = r->figures;
    char *old_date = r->corrected_date, *old_by = r->corrected_by;
    char *old_reason = r->correction_reason;
    s_snapshot_t snap = {0};
    rc = s_snapshot(cmd->svc, cmd->txn, r, &snap);
    r->has_corrections = 1;
    r->corrections++;
    r->corrected_date = date;
    r->corrected_by = (char *)cmd->actor;
    r->correction_reason = q->reason;
    if (rc == 0)
        rc = kpi_monthly_put(cmd->svc, cmd->txn, r);
    if (rc == 0)
        rc = s_emit(cmd->svc, cmd->txn, cmd, "kpi.monthly.corrected", r);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &r->base);
    s_snapshot_free(&snap);
    r->figures = old;
    r->n_figures = old_n;
    r->corrected_date = old_date;
    r->corrected_by = old_by;
    r->correction_reason = old_reason;
    as__kpi_monthly_report__free_unpacked(r, NULL);
    return rc;
}

/* --- the figures -------------------------------------------------------- */

int kpi_monthly_fill(as_service_t *svc, MDB_txn *txn, const char *first, const char *last,
                     As__KpiCounters *c)
{
    as_record_list_t all = {0};
    int rc = as_record_scan(txn, s_dbi(svc), NULL, &as__kpi_monthly_report__descriptor, &all);
    if (rc != 0)
        return rc;
    c->has_reports_due = c->has_reports_on_time = 1;
    c->has_reports_submitted = c->has_reports_corrected = 1;
    c->reports_due = c->reports_on_time = c->reports_submitted = c->reports_corrected = 0;
    for (size_t i = 0; i < all.n; i++) {
        const As__KpiMonthlyReport *r = (const As__KpiMonthlyReport *)all.msgs[i];
        bool submitted = r->submitted_date && *r->submitted_date;
        /* timeliness: the cohort of reports due in the period */
        if (r->due_date && strcmp(r->due_date, first) >= 0 && strcmp(r->due_date, last) <= 0) {
            c->reports_due++;
            if (submitted && strcmp(r->submitted_date, r->due_date) <= 0)
                c->reports_on_time++;
        }
        /* accuracy: the cohort of reports submitted in the period */
        if (submitted && strcmp(r->submitted_date, first) >= 0 &&
            strcmp(r->submitted_date, last) <= 0) {
            c->reports_submitted++;
            if (r->corrections > 0)
                c->reports_corrected++;
        }
    }
    as_record_list_free(&all);
    return 0;
}
