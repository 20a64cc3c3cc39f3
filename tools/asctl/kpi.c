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
#include "render.h"

#define S_CELL 64

static void s_kpi_usage(FILE *out)
{
    fprintf(out, "usage: asctl kpi report --month YYYY-MM [--day YYYY-MM-DD] | --year YYYY\n"
                 "                        [--site S | --group]\n"
                 "                        [--by department|technician|advisor|bay|group|keeper]\n"
                 "                        [-o table|wide|csv|json] [--excel] [--separator C]\n"
                 "\n"
                 "Prints the KPI report of a month (or of one day with --day) for each key\n"
                 "(the department, each technician, advisor or bay): one line per figure\n"
                 "with its value, the monthly target and the achievement where one is set,\n"
                 "and the formula with its numbers, fitted to the terminal ($COLUMNS).\n"
                 "Every value has its unit (amounts in currency units, \"h\" hours, \"days\",\n"
                 "\"lines/h\"); '-' is a figure whose denominator is zero.\n"
                 "\n"
                 "  --month YYYY-MM    the month (the targets' month for a day too)\n"
                 "  --day YYYY-MM-DD   one day instead of the whole month\n"
                 "  --year YYYY        a year: its 12 months' counters summed, the figures\n"
                 "                     computed from the sums (targets: counts summed, ratios\n"
                 "                     averaged over the months that have one)\n"
                 "  --site S           on a dealer group's kpi ([kpi] sites): site S's rows,\n"
                 "                     as its own kpi reports them (a site's kpi takes only\n"
                 "                     its own site)\n"
                 "  --group            on a dealer group's kpi: every site's rows (Site column;\n"
                 "                     keys \"site/key\") and, by department, the group's row:\n"
                 "                     the sites' counters summed, figures from the sums\n"
                 "  --by KEY           department (default), technician, advisor, bay, group\n"
                 "                     (a part group) or keeper (a warehouse keeper)\n"
                 "  -o wide            one line per key, one column per figure (the\n"
                 "                     achievement in parentheses), then the formulas\n"
                 "  -o csv             one line per key, a column per figure with its unit in\n"
                 "                     the header ('service sales (CNY)'), amounts with two\n"
                 "                     decimals, then '<figure> achievement (%%)' columns\n"
                 "  --excel            with -o csv: a UTF-8 byte order mark and CRLF line ends\n"
                 "  --separator C      with -o csv: ',' (default) or ';' (decimal-comma locales)\n"
                 "  --csv              the CSV of before -o csv (cents, four decimals, no\n"
                 "                     units), kept for the scripts that read it\n"
                 "  --json             the report as JSON (also asctl's global --json)\n"
                 "\n"
                 "Exit codes: 0 ok, 1 refused by the service, 64 usage, 69 unavailable.\n");
}

/* A number in a figure's unit for people, as the dashboard shows it:
 * "103.8%", "1,650.00 CNY", "3", "41.50 h", "12.3 days", "4.25 lines/h",
 * "8.75" (a CSI score); any other unit written after the number. */
static void s_format_number(const char *unit, double value, char *out, size_t cap)
{
    if (!strcmp(unit, "%"))
        snprintf(out, cap, "%.1f%%", value);
    else if (!strcmp(unit, "cents"))
        as_human_money((int64_t)(value + (value < 0 ? -0.5 : 0.5)), out, cap);
    else if (!strcmp(unit, ""))
        snprintf(out, cap, "%.0f", value);
    else if (!strcmp(unit, "score"))
        snprintf(out, cap, "%.2f", value);
    else if (!strcmp(unit, "days"))
        snprintf(out, cap, "%.1f days", value);
    else
        snprintf(out, cap, "%.2f %s", value, unit);
}

/* The figure's value for people; "-" when its denominator is zero. */
static void s_format_value(const As__KpiFigure *f, char *out, size_t cap)
{
    if (!f->defined)
        snprintf(out, cap, "-");
    else
        s_format_number(f->unit ? f->unit : "", f->value, out, cap);
}

/* The achievement as a whole percentage ("110%"), "" without a target. */
static void s_format_achievement(const As__KpiFigure *f, char *out, size_t cap)
{
    double pct = 100.0 * f->achievement;
    long shown = pct > 999999 ? 999999 : pct < -999999 ? -999999 : (long)(pct + 0.5);
    if (f->has_target && f->has_achievement)
        snprintf(out, cap, "%ld%%", shown);
    else
        snprintf(out, cap, "%s", "");
}

static void s_format_cell(const As__KpiFigure *f, char out[S_CELL * 2])
{
    char value[S_CELL], achievement[S_CELL / 2];
    s_format_value(f, value, sizeof value);
    s_format_achievement(f, achievement, sizeof achievement);
    if (*achievement)
        snprintf(out, S_CELL * 2, "%s (%s)", value, achievement);
    else
        snprintf(out, S_CELL * 2, "%s", value);
}

static size_t s_figure_count(const As__KpiReport *r)
{
    return r->n_rows ? r->rows[0]->n_figures : 0;
}

static void s_print_wide(const As__KpiReport *r)
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
    int site_width = 4; /* a group report: a Site column, then the key after "site/" */
    for (size_t i = 0; r->group && i < r->n_rows; i++) {
        const char *slash = strchr(r->rows[i]->key, '/');
        int len = slash ? (int)(slash - r->rows[i]->key) : 0;
        site_width = len > site_width ? len : site_width;
    }
    printf("KPI %s by %s\n\n", r->period, r->by);
    if (r->group)
        printf("%-*s  ", site_width, "Site");
    printf("%-*s", (int)key_width, r->by);
    for (size_t j = 0; j < nf; j++)
        printf("  %*s", (int)widths[j], r->rows[0]->figures[j]->name);
    printf("\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        const char *key = r->rows[i]->key, *slash = r->group ? strchr(key, '/') : NULL;
        if (r->group)
            printf("%-*.*s  ", site_width, slash ? (int)(slash - key) : 0, key);
        printf("%-*s", (int)key_width, slash ? slash + 1 : key);
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

/* Prints `text` from the current column `at`, broken at spaces so that no
 * line passes `columns`; the lines after the first start at `indent`. */
static void s_print_wrapped(const char *text, int at, int indent, int columns)
{
    int col = at;
    for (bool first = true; *text; first = false) {
        int word = (int)strcspn(text, " ");
        if (!first && col + 1 + word > columns) {
            printf("\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            putchar(' ');
            col++;
        }
        printf("%.*s", word, text);
        col += word;
        text += word;
        text += strspn(text, " ");
    }
    putchar('\n');
}

typedef struct {
    int name, value, target, achievement;
} s_widths_t;

static void s_widen(int *width, const char *text)
{
    int len = (int)strlen(text);
    *width = len > *width ? len : *width;
}

static s_widths_t s_row_widths(const As__KpiReport *r)
{
    s_widths_t w = {(int)strlen("figure"), (int)strlen("value"), (int)strlen("target"),
                    (int)strlen("achievement")};
    char cell[S_CELL];
    for (size_t i = 0; i < r->n_rows; i++)
        for (size_t j = 0; j < r->rows[i]->n_figures; j++) {
            const As__KpiFigure *f = r->rows[i]->figures[j];
            s_widen(&w.name, f->name ? f->name : "");
            s_format_value(f, cell, sizeof cell);
            s_widen(&w.value, cell);
            if (f->has_target) {
                s_format_number(f->unit ? f->unit : "", f->target, cell, sizeof cell);
                s_widen(&w.target, cell);
            }
        }
    return w;
}

/* The report for people: for each key, one line per figure (figure, value,
 * target, achievement) and its formula, wrapped to `columns`. */
static void s_print_rows(const As__KpiReport *r, int columns)
{
    printf("KPI %s by %s%s%s%s\n", r->period, r->by, r->site ? " of site " : "",
           r->site ? r->site : "", r->group ? " of the group's sites" : "");
    if (r->n_rows == 0)
        printf("\n(no %s has figures in %s)\n", r->by, r->period);
    s_widths_t w = s_row_widths(r);
    int formula_at = 2 + w.name + 2 + w.value + 2 + w.target + 2 + w.achievement + 2;
    /* too narrow for a formula column: formulas go under their figure */
    int indent = columns - formula_at >= 40 ? formula_at : 4;
    char value[S_CELL], target[S_CELL], achievement[S_CELL];
    for (size_t i = 0; i < r->n_rows; i++) {
        const char *key = r->rows[i]->key, *slash = r->group ? strchr(key, '/') : NULL;
        bool department = slash && !strcmp(slash + 1, "department");
        if (slash && department && !strncmp(key, "group/", 6)) /* the sites' counters summed */
            printf("\nThe group (%zu sites summed)\n", r->n_sites);
        else if (department) /* a group report: "Site s1" */
            printf("\nSite %.*s\n", (int)(slash - key), key);
        else if (slash) /* "Site s1  technician tech-01" */
            printf("\nSite %.*s  %s %s\n", (int)(slash - key), key, r->by, slash + 1);
        else
            printf("\n%s\n", key);
        printf("  %-*s  %*s  %*s  %*s  formula\n", w.name, "figure", w.value, "value", w.target,
               "target", w.achievement, "achievement");
        for (size_t j = 0; j < r->rows[i]->n_figures; j++) {
            const As__KpiFigure *f = r->rows[i]->figures[j];
            s_format_value(f, value, sizeof value);
            target[0] = '\0';
            if (f->has_target)
                s_format_number(f->unit ? f->unit : "", f->target, target, sizeof target);
            s_format_achievement(f, achievement, sizeof achievement);
            printf("  %-*s  %*s  %*s  %*s", w.name, f->name, w.value, value, w.target, target,
                   w.achievement, achievement);
            if (indent != formula_at)
                printf("\n%*s", indent, "");
            else
                printf("  ");
            s_print_wrapped(f->formula ? f->formula : "", indent, indent, columns);
        }
    }
}

/* A CSV layout: how it writes, and (units) whether headers name the unit and
 * values are in it (amounts in currency units with two decimals, the
 * achievement in percent), or are as the service gives them (cents, four
 * decimals, the achievement as a ratio: the --csv of before -o csv). */
typedef struct {
    asctl_csv_t csv;
    bool units;
    const char *currency; /* the amounts' unit in headers */
} s_csv_layout_t;

static void s_csv_header(const s_csv_layout_t *l, const As__KpiFigure *f, bool achievement,
                         char *out, size_t cap)
{
    const char *unit = f->unit ? f->unit : "";
    if (!strcmp(unit, "cents"))
        unit = l->currency;
    if (achievement)
        snprintf(out, cap, "%s achievement%s", f->name, l->units ? " (%)" : "");
    else if (l->units && *unit)
        snprintf(out, cap, "%s (%s)", f->name, unit);
    else
        snprintf(out, cap, "%s", f->name);
}

static void s_csv_value(const s_csv_layout_t *l, const As__KpiFigure *f, bool achievement,
                        char *out, size_t cap)
{
    out[0] = '\0';
    if (!(achievement ? f->has_achievement : f->defined))
        return;
    double value = achievement ? f->achievement : f->value;
    bool money = f->unit && !strcmp(f->unit, "cents");
    if (!l->units)
        snprintf(out, cap, "%.4f", value);
    else if (achievement)
        snprintf(out, cap, "%.2f", 100.0 * value);
    else if (money)
        snprintf(out, cap, "%.2f", value / 100.0);
    else if (value == (double)(long long)value)
        snprintf(out, cap, "%lld", (long long)value);
    else
        snprintf(out, cap, "%.2f", value);
}

/* Header: key, one column per figure, then "<figure> achievement" for each
 * figure with a target in some row; one line per key after it. Empty cells:
 * not defined. */
static void s_print_csv(const As__KpiReport *r, const s_csv_layout_t *l)
{
    size_t nf = s_figure_count(r);
    bool *targeted = calloc(nf + 1, sizeof *targeted);
    if (!targeted)
        return;
    for (size_t i = 0; i < r->n_rows; i++)
        for (size_t j = 0; j < nf && j < r->rows[i]->n_figures; j++)
            targeted[j] |= r->rows[i]->figures[j]->has_target;
    size_t n_cells = nf;
    for (size_t j = 0; j < nf; j++)
        n_cells += targeted[j];
    char cell[S_CELL * 2];
    asctl_csv_put(&l->csv, r->by, n_cells == 0);
    for (size_t pass = 0, done = 0; pass < 2; pass++)
        for (size_t j = 0; j < nf; j++)
            if (pass == 0 || targeted[j]) {
                s_csv_header(l, r->rows[0]->figures[j], pass == 1, cell, sizeof cell);
                asctl_csv_put(&l->csv, cell, ++done == n_cells);
            }
    for (size_t i = 0; i < r->n_rows; i++) {
        const As__KpiRow *row = r->rows[i];
        asctl_csv_put(&l->csv, row->key, n_cells == 0);
        for (size_t pass = 0, done = 0; pass < 2; pass++)
            for (size_t j = 0; j < nf; j++)
                if (pass == 0 || targeted[j]) {
                    if (j < row->n_figures)
                        s_csv_value(l, row->figures[j], pass == 1, cell, sizeof cell);
                    else
                        cell[0] = '\0';
                    asctl_csv_put(&l->csv, cell, ++done == n_cells);
                }
    }
    free(targeted);
}

typedef struct {
    const char *month, *day, *by, *year, *site;
    bool csv, json, excel, group;
    char separator;
} s_report_args_t;

static int s_report_args(asctl_t *ctl, int argc, char **argv, s_report_args_t *a)
{
    static const struct option options[] = {
        {"month", required_argument, NULL, 'm'}, {"day", required_argument, NULL, 'd'},
        {"by", required_argument, NULL, 'b'},    {"year", required_argument, NULL, 'y'},
        {"site", required_argument, NULL, 'S'},  {"group", no_argument, NULL, 'g'},
        {"csv", no_argument, NULL, 'C'},         {"json", no_argument, NULL, 'j'},
        {"excel", no_argument, NULL, 'x'},       {"separator", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
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
        case 'y':
            a->year = optarg;
            break;
        case 'S':
            a->site = optarg;
            break;
        case 'g':
            a->group = true;
            break;
        case 'C':
            a->csv = true;
            break;
        case 'x':
            a->excel = true;
            break;
        case 's':
            if (strcmp(optarg, ",") != 0 && strcmp(optarg, ";") != 0)
                return asctl_fail(ctl, EXIT_USAGE, "kpi report: --separator '%s' is not ',' or ';'",
                                  optarg);
            a->separator = optarg[0];
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
    if (!a->month && !a->day && !a->year)
        return asctl_fail(ctl, EXIT_USAGE,
                          "kpi report: --month YYYY-MM or --year YYYY is required");
    if (a->year && (a->month || a->day))
        return asctl_fail(ctl, EXIT_USAGE, "kpi report: --year goes without --month and --day");
    if (a->site && a->group)
        return asctl_fail(ctl, EXIT_USAGE, "kpi report: --site and --group do not go together");
    if (a->csv && (a->json || ctl->json))
        return asctl_fail(ctl, EXIT_USAGE, "kpi report: --csv and --json do not go together");
    if ((a->excel || a->separator) && ctl->output != ASCTL_OUT_CSV)
        return asctl_fail(ctl, EXIT_USAGE, "kpi report: --excel and --separator go with -o csv");
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
        s_csv_layout_t legacy = {{',', "\n"}, false, ""};
        s_print_csv(report, &legacy);
    } else if (ctl->output == ASCTL_OUT_CSV) {
        const char *currency = as_config_get(ctl->cfg, "site", "currency", NULL);
        s_csv_layout_t layout = {{a->separator ? a->separator : ',', a->excel ? "\r\n" : "\n"},
                                 true,
                                 currency && *currency ? currency : "currency"};
        if (a->excel)
            fputs("\xEF\xBB\xBF", stdout); /* UTF-8 BOM: Excel reads the text as UTF-8 */
        s_print_csv(report, &layout);
    } else if (ctl->output == ASCTL_OUT_WIDE) {
        s_print_wide(report);
    } else {
        s_print_rows(report, asctl_columns());
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
    req.year = (char *)a.year;
    req.site = (char *)a.site;
    req.has_group = req.group = a.group;
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

/* A monthly report's figures for people (kpi.monthly.show, .generate,
 * .submit, .correct): each value in its unit as `kpi report` shows it
 * ("1,650.00", "66.7%", "-" when not defined); --json keeps the numbers. */
void asctl_kpi_humanize(const ProtobufCMessageDescriptor *reply_desc, json_t *reply)
{
    if (reply_desc != &as__kpi_monthly_report__descriptor)
        return;
    json_t *figures = json_object_get(reply, "figures"), *f;
    size_t i;
    json_array_foreach(figures, i, f)
    {
        json_t *value = json_object_get(f, "value");
        const char *unit = json_string_value(json_object_get(f, "unit"));
        char text[AS_HUMAN_TEXT_MAX + 16];
        if (!json_is_true(json_object_get(f, "defined")))
            snprintf(text, sizeof text, "-");
        else
            s_format_number(unit ? unit : "", value ? json_number_value(value) : 0, text,
                            sizeof text);
        json_object_set_new(f, "value", json_string(text));
    }
}
