/* asctl outbox archive / verify — a service's oldest events in a file the
 * operator keeps (common/include/as/archive.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "as/archive.h"
#include "as/error.h"
#include "as/human.h"
#include "asctl.h"

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: asctl outbox archive SERVICE --before YYYY-MM-DD --to FILE [--data-dir DIR]\n"
            "       asctl outbox verify FILE\n"
            "\n"
            "archive writes SERVICE's outbox entries from its first seq up to the last one\n"
            "made before midnight (local time) of the date into the new FILE (mode 0600:\n"
            "events hold customer data), reading the store as a hot backup does while the\n"
            "daemon runs. The store keeps every entry: the outbox is every consumer's\n"
            "replay source (README, \"Archiving\"). FILE is never written over.\n"
            "verify reads FILE through and checks every entry, the seqs, the source and\n"
            "the BLAKE2b digest against its summary.\n"
            "\n"
            "Exit codes: 0 ok, 2 verify found FILE damaged, 64 usage, 74 I/O error (FILE\n"
            "exists, the store is damaged).\n");
}

/* Local midnight of "YYYY-MM-DD" in microseconds; false when not a date. */
static bool s_parse_date(const char *text, int64_t *us)
{
    struct tm tm = {0};
    char end;
    if (!text || sscanf(text, "%4d-%2d-%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &end) != 3 ||
        strlen(text) != 10)
        return false;
    int year = tm.tm_year, month = tm.tm_mon, day = tm.tm_mday;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 || tm.tm_year != year - 1900 || tm.tm_mon != month - 1 || tm.tm_mday != day)
        return false; /* 2026-02-30 moved on: not a date */
    *us = (int64_t)t * 1000000;
    return true;
}

static json_t *s_summary_json(const char *file, const as_archive_summary_t *s)
{
    return json_pack("{s:b,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:s}", "ok", 1, "file", file,
                     "source", s->source, "incarnation", s->incarnation, "events",
                     (json_int_t)s->events, "first_seq", (json_int_t)s->first_seq, "last_seq",
                     (json_int_t)s->last_seq, "first_us", (json_int_t)s->first_us, "last_us",
                     (json_int_t)s->last_us, "before_us", (json_int_t)s->before_us, "blake2b",
                     s->digest);
}

static void s_print_summary(asctl_t *ctl, const char *file, const as_archive_summary_t *s)
{
    if (ctl->json) {
        json_t *obj = s_summary_json(file, s);
        asctl_print_json(obj);
        json_decref(obj);
        return;
    }
    char first[AS_HUMAN_TEXT_MAX], last[AS_HUMAN_TEXT_MAX], before[AS_HUMAN_TEXT_MAX];
    as_human_time(s->before_us, before, sizeof before);
    if (s->events == 0)
        printf("%s: no event made before %s\n", file, before);
    else
        printf("%s: %llu events of %s, seq %llu..%llu, %s .. %s (before %s)\n", file,
               (unsigned long long)s->events, s->source, (unsigned long long)s->first_seq,
               (unsigned long long)s->last_seq, as_human_time(s->first_us, first, sizeof first),
               as_human_time(s->last_us, last, sizeof last), before);
    printf("  incarnation %s, blake2b %s\n", s->incarnation, s->digest);
}

static int s_archive(asctl_t *ctl, int argc, char **argv)
{
    static const struct option options[] = {
        {"before", required_argument, NULL, 'b'},
        {"to", required_argument, NULL, 't'},
        {"data-dir", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *before = NULL, *file = NULL, *data_dir = NULL;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "b:t:d:h", options, NULL)) != -1) {
        if (opt == 'b')
            before = optarg;
        else if (opt == 't')
            file = optarg;
        else if (opt == 'd')
            data_dir = optarg;
        else {
            s_usage(opt == 'h' ? stdout : stderr);
            return opt == 'h' ? EXIT_OK : EXIT_USAGE;
        }
    }
    const char *service = optind < argc ? argv[optind] : NULL;
    if ((!service && !data_dir) || !before || !file || optind + 1 < argc)
        return asctl_fail(ctl, EXIT_USAGE,
                          "outbox archive needs SERVICE (or --data-dir), --before YYYY-MM-DD and "
                          "--to FILE");
    int64_t before_us;
    if (!s_parse_date(before, &before_us))
        return asctl_fail(ctl, EXIT_USAGE, "--before '%s' is not a date (YYYY-MM-DD)", before);
    char buf[1024];
    const char *dir = asctl_data_dir(ctl, service, data_dir, buf, sizeof buf);
    if (!dir)
        return EXIT_CONFIG;
    as_archive_summary_t sum;
    char why[1024];
    int rc = as_archive_write(dir, before_us, file, &sum, why, sizeof why);
    if (rc != 0)
        return asctl_fail(ctl, rc == AS_EBADFRAME ? EXIT_DATAERR : EXIT_IOERR,
                          "outbox archive refused: %s", why);
    s_print_summary(ctl, file, &sum);
    if (!ctl->json)
        printf("  the store keeps these events: the outbox is never cut\n");
    return EXIT_OK;
}

static int s_verify(asctl_t *ctl, int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        s_usage(argc == 2 ? stdout : stderr);
        return argc == 2 ? EXIT_OK : EXIT_USAGE;
    }
    as_archive_summary_t sum;
    char why[1024];
    int rc = as_archive_verify(argv[1], &sum, why, sizeof why);
    if (rc == AS_EDAMAGED)
        return asctl_fail(ctl, EXIT_MISMATCH, "%s", why);
    if (rc != 0)
        return asctl_fail(ctl, EXIT_IOERR, "%s", why);
    s_print_summary(ctl, argv[1], &sum);
    if (!ctl->json)
        printf("  ok: every entry decodes, seqs follow each other, the digest matches\n");
    return EXIT_OK;
}

int asctl_outbox(asctl_t *ctl, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "archive") == 0)
        return s_archive(ctl, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "verify") == 0)
        return s_verify(ctl, argc - 1, argv + 1);
    bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
    s_usage(help ? stdout : stderr);
    return help ? EXIT_OK : EXIT_USAGE;
}
