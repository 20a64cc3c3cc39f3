/* asctl kpi report — the KPI report of a month or a day for people (a
 * table), for programs (--json) and for spreadsheets (--csv). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/catalog.h"
#include "as/error.h"
#include "as/human.h"
#include "as/pb/kpi.pb-c.h"
#include "as/pbjson.h"
#include "as/rpc.h"
#include "asctl.h"

#define S_CELL 64

static void s_kpi_usage(FILE *out)
{
    fprintf(out, "usage: asctl kpi report --month YYYY-MM [--day YYYY-MM-DD]\n"
                 "                        [--by department|technician|advisor|bay] [--csv]\n"
                 "\n"
                 "Prints the KPI report of a month (or of one day with --day): one row per\n"
                 "key (the department, each technician, advisor or bay), one column per\n"
                 "figure, its value and, where a monthly target is set, the achievement in\n"
                 "parentheses; the formulas with their numbers follow for the department.\n"
                 "Amounts are in currency units, hours in hours; '-' is a figure whose\n"
                 "denominator is zero.\n"
                 "\n"
                 "  --month YYYY-MM    the month (the targets' month for a day too)\n"
                 "  --day YYYY-MM-DD   one day instead of the whole month\n"
                 "  --by KEY           department (default), technician, advisor or bay\n"
                 "  --csv              a header line and one line per row\n"
                 "  --json             the report as JSON (also asctl's global --json)\n"
                 "\n"
                 "Exit codes: 0 ok, 1 refused by the service, 64 usage, 69 unavailable.\n");
}

/* The figure's value for people: "103.8%", "1,650.00", "41.50", "3". */
static void s_format_value(const As__KpiFigure *f, char *out, size_t cap)
{
    const char *unit = f->unit ? f->unit : "";
    if (!f->defined)
        snprintf(out, cap, "-");
    else if (!strcmp(unit, "%"))
        snprintf(out, cap, "%.1f%%", f->value);
    else if (!strcmp(unit, "cents"))
        as_human_money((int64_t)(f->value + (f->value < 0 ? -0.5 : 0.5)), out, cap);
    else if (!strcmp(unit, ""))
        snprintf(out, cap, "%.0f", f->value);
    else
        snprintf(out, cap, "%.2f", f->value);
}

static void s_format_cell(const As__KpiFigure *f, char out[S_CELL * 2])
{
    char value[S_CELL];
    s_format_value(f, value, sizeof value);
    if (f->has_target && f->has_achievement) {
        double pct = 100.0 * f->achievement;
        long shown = pct > 999999 ? 999999 : pct < -999999 ? -999999 : (long)(pct + 0.5);
        snprintf(out, S_CELL * 2, "%s (%ld%%)", value, shown);
    } else {
        snprintf(out, S_CELL * 2, "%s", value);
    }
}

static size_t s_figure_count(const As__KpiReport *r)
{
    return r->n_rows ? r->rows[0]->n_figures : 0;
}

static void s_print_table(const As__KpiReport *r)
{
    size_t nf = s_figure_count(r), key_width = strlen(r->by ? r->by : "key");
    size_t *widths = calloc(nf + 1, sizeof *widths);
    if (!widths)
        return;
    for (size_t j = 0; j < nf; j++)
        widths[j] = strlen(r->rows[0]->figures[j]->name);
    char cell[S_CELL * 2];
    for (size_t i = 0; i < r->n_rows; i++) {
        if (strlen(r->rows[i]->key) > key_width)
            key_width = strlen(r->rows[i]->key);
        for (size_t j = 0; j < nf && j < r->rows[i]->n_figures; j++) {
            s_format_cell(r->rows[i]->figures[j], cell);
            if (strlen(cell) > widths[j])
                widths[j] = strlen(cell);
        }
    }
    printf("KPI %s by %s\n\n%-*s", r->period, r->by, (int)key_width, r->by);
    for (size_t j = 0; j < nf; j++)
        printf("  %*s", (int)widths[j], r->rows[0]->figures[j]->name);
    printf("\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        printf("%-*s", (int)key_width, r->rows[i]->key);
        for (size_t j = 0; j < nf && j < r->rows[i]->n_figures; j++) {
            s_format_cell(r->rows[i]->figures[j], cell);
            printf("  %*s", (int)widths[j], cell);
        }
        printf("\n");
    }
    if (r->n_rows == 0)
        printf("(no %s has figures in %s)\n", r->by, r->period);
    free(widths);
    if (r->n_rows != 1 || strcmp(r->rows[0]->key, "department") != 0)
        return;
    printf("\nFormulas (department):\n");
    int name_width = 0;
    for (size_t j = 0; j < nf; j++) {
        int len = r->rows[0]->figures[j]->name ? (int)strlen(r->rows[0]->figures[j]->name) : 0;
        name_width = len > name_width ? len : name_width;
    }
    for (size_t j = 0; j < nf; j++) {
        const As__KpiFigure *f = r->rows[0]->figures[j];
        s_format_value(f, cell, sizeof cell);
        printf("  %-*s  %s -> %s", name_width, f->name, f->formula, cell);
        if (f->has_target)
            printf(" (target %g)", f->target);
        printf("\n");
    }
}

/* Prints one CSV field, quoted when it holds a comma, quote or newline. */
static void s_csv_field(const char *text, bool last)
{
    if (strpbrk(text, ",\"\n")) {
        putchar('"');
        for (const char *c = text; *c; c++) {
            if (*c == '"')
                putchar('"');
            putchar(*c);
        }
        putchar('"');
    } else {
        fputs(text, stdout);
    }
    putchar(last ? '\n' : ',');
}

/* Header: key, one column per figure, then "<figure> achievement" for each
 * figure with a target in some row. Values as the service gives them
 * (percent, cents, hours...); empty when not defined. */
static void s_print_csv(const As__KpiReport *r)
{
    size_t nf = s_figure_count(r);
    bool *targeted = calloc(nf + 1, sizeof *targeted);
    if (!targeted)
        return;
    for (size_t i = 0; i < r->n_rows; i++)
        for (size_t j = 0; j < nf && j < r->rows[i]->n_figures; j++)
            targeted[j] |= r->rows[i]->figures[j]->has_target;
    size_t n_targeted = 0;
    for (size_t j = 0; j < nf; j++)
        n_targeted += targeted[j];
    char cell[S_CELL + 32];
    s_csv_field(r->by, nf == 0);
    for (size_t j = 0; j < nf; j++)
        s_csv_field(r->rows[0]->figures[j]->name, j + 1 == nf && n_targeted == 0);
    size_t done = 0;
    for (size_t j = 0; j < nf; j++)
        if (targeted[j]) {
            snprintf(cell, sizeof cell, "%s achievement", r->rows[0]->figures[j]->name);
            s_csv_field(cell, ++done == n_targeted);
        }
    for (size_t i = 0; i < r->n_rows; i++) {
        const As__KpiRow *row = r->rows[i];
        s_csv_field(row->key, nf == 0);
        for (size_t j = 0; j < nf; j++) {
            const As__KpiFigure *f = j < row->n_figures ? row->figures[j] : NULL;
            if (f && f->defined)
                snprintf(cell, sizeof cell, "%.4f", f->value);
            else
                cell[0] = '\0';
            s_csv_field(cell, j + 1 == nf && n_targeted == 0);
        }
        done = 0;
        for (size_t j = 0; j < nf; j++)
            if (targeted[j]) {
                const As__KpiFigure *f = j < row->n_figures ? row->figures[j] : NULL;
                if (f && f->has_achievement)
                    snprintf(cell, sizeof cell, "%.4f", f->achievement);
                else
                    cell[0] = '\0';
                s_csv_field(cell, ++done == n_targeted);
            }
    }
    free(targeted);
}

typedef struct {
    const char *month, *day, *by;
    bool csv, json;
} s_report_args_t;

static int s_report_args(asctl_t *ctl, int argc, char **argv, s_report_args_t *a)
{
    static const struct option options[] = {
        {"month", required_argument, NULL, 'm'},
        {"day", required_argument, NULL, 'd'},
        {"by", required_argument, NULL, 'b'},
        {"csv", no_argument, NULL, 'C'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "+m:d:b:h", options, NULL)) != -1) {
        switch (opt) {
        case 'm':
            a->month = optarg;
            break;
        case 'd':
            a->day = optarg;
            break;
        case 'b':
            a->by = optarg;
            break;
        case 'C':
            a->csv = true;
            break;
        case 'j':
            a->json = ctl->json = true;
            break;
        case 'h':
            s_kpi_usage(stdout);
            return -1;
        default:
            s_kpi_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return asctl_fail(ctl, EXIT_USAGE, "kpi report: unexpected argument '%s'", argv[optind]);
    if (!a->month && !a->day)
        return asctl_fail(ctl, EXIT_USAGE, "kpi report: --month YYYY-MM is required");
    if (a->csv && a->json)
        return asctl_fail(ctl, EXIT_USAGE, "kpi report: --csv and --json do not go together");
    return 0;
}

static int s_print_report(asctl_t *ctl, const s_report_args_t *a, const As__CommandReply *r)
{
    if (r->status != 0)
        return asctl_fail(ctl, EXIT_REFUSED, "kpi.report refused (%s): %s", as_errname(r->status),
                          r->error ? r->error : as_strerror(r->status));
    As__KpiReport *report = as__kpi_report__unpack(NULL, r->payload.len, r->payload.data);
    if (!report)
        return asctl_fail(ctl, EXIT_SOFTWARE, "the reply of kpi.report does not decode");
    if (a->json || ctl->json) {
        json_t *json = as_pbjson_to_json(&report->base);
        asctl_print_json(json);
        json_decref(json);
    } else if (a->csv) {
        s_print_csv(report);
    } else {
        s_print_table(report);
    }
    as__kpi_report__free_unpacked(report, NULL);
    return EXIT_OK;
}

static int s_report(asctl_t *ctl, int argc, char **argv)
{
    s_report_args_t a = {0};
    int rc = s_report_args(ctl, argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;
    const as_command_info_t *info = as_catalog_command("kpi.report");
    if (!ctl->actor || !*ctl->actor)
        return asctl_fail(ctl, EXIT_USAGE, "who is acting? give --actor or set AS_ACTOR");
    const char *endpoint = asctl_endpoint(ctl, info->service);
    if (!endpoint)
        return EXIT_CONFIG;
    As__KpiReportRequest req = AS__KPI_REPORT_REQUEST__INIT;
    req.month = (char *)a.month;
    req.day = (char *)a.day;
    req.by = (char *)a.by;
    uint8_t payload[1024];
    if (as__kpi_report_request__get_packed_size(&req) > sizeof payload)
        return asctl_fail(ctl, EXIT_USAGE, "kpi report: arguments too long");
    size_t len = as__kpi_report_request__pack(&req, payload);
    As__CommandReply *reply = NULL;
    rc = asctl_command(ctl, info->service, endpoint, info->command, NULL, payload, len, &reply);
    if (rc != EXIT_OK)
        return rc;
    rc = s_print_report(ctl, &a, reply);
    as__command_reply__free_unpacked(reply, NULL);
    return rc;
}

int asctl_kpi(asctl_t *ctl, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        s_kpi_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[1], "report") != 0) {
        asctl_fail(ctl, EXIT_USAGE, "kpi: unknown subcommand '%s' (report)", argv[1]);
        s_kpi_usage(stderr);
        return EXIT_USAGE;
    }
    return s_report(ctl, argc - 1, argv + 1);
}
