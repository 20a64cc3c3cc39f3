/* asctl batch — many asctl command lines in one process: a script that asks
 * a hundred questions pays for one process start, one config parse per line
 * (cheap) and a connection per call instead of a hundred asctl processes.
 *
 * Each line of FILE (default stdin) is what would follow `asctl` on a command
 * line: `call workshop.ro.show ro_number=RO-1`, `--actor qc-ma call ...`,
 * `status kpi`, `kpi report --month 2026-11`. Its words are split as a POSIX
 * shell splits simple words: blanks separate them, '...' keeps everything
 * literally, "..." keeps everything but \" \\ \$ \` (backslash-escaped), and
 * a backslash outside quotes keeps the next character (bash's printf %q
 * writes such words). Blank lines and lines starting with # are skipped. The
 * options given before `batch` are every line's defaults; a line's own
 * options count for that line alone. Each line runs as that asctl command
 * would and prints what it would, its output flushed before the next line is
 * read; with --json that is one JSON document per line (an error too), so a
 * script reads the answer to line N on line N. Only call, status and kpi may
 * be lines (the others hold a terminal, a store or a file).
 *
 * Exit: 0 when every line exited 0, else the first line's non-zero exit code
 * (every line is still run); 64 for a line whose quotes do not close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asctl.h"

/* Splits `line` in place into words (see above); returns the count, or -1
 * when a quote is not closed. words has room for strlen(line) / 2 + 2. */
static int s_split(char *line, char **words)
{
    int n = 0;
    char *in = line, *out = line;
    for (;;) {
        while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
            in++;
        if (!*in)
            break;
        words[n++] = out;
        while (*in && *in != ' ' && *in != '\t' && *in != '\r' && *in != '\n') {
            if (*in == '\'') {
                for (in++; *in && *in != '\'';)
                    *out++ = *in++;
                if (*in++ != '\'')
                    return -1;
            } else if (*in == '"') {
                for (in++; *in && *in != '"';) {
                    if (*in == '\\' && in[1] && strchr("\"\\$`", in[1]))
                        in++;
                    *out++ = *in++;
                }
                if (*in++ != '"')
                    return -1;
            } else {
                if (*in == '\\' && in[1])
                    in++;
                *out++ = *in++;
            }
        }
        if (*in)
            in++; /* the blank after the word: out may now write over it */
        *out++ = '\0';
    }
    words[n] = NULL;
    return n;
}

static void s_batch_usage(FILE *out)
{
    fprintf(out, "usage: asctl [OPTIONS] batch [FILE]\n"
                 "\n"
                 "Runs one asctl command line per line of FILE (default stdin) in this one\n"
                 "process, in order: what would follow `asctl` (`call workshop.board`,\n"
                 "`--actor qc-ma call qc.pass ro_number=RO-1`, `status kpi`, `kpi report ...`).\n"
                 "Words are split as the shell splits them ('...', \"...\", backslash; bash's\n"
                 "printf %%q quotes for it); blank lines and # comments are skipped. The options\n"
                 "before `batch` are each line's defaults. Each line prints what it would alone;\n"
                 "with --json one JSON document per line. Only call, status and kpi lines.\n"
                 "Exit: 0 when every line did, else the first non-zero exit of a line.\n");
}

int asctl_batch(asctl_t *ctl, int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        s_batch_usage(stdout);
        return EXIT_OK;
    }
    if (argc > 2) {
        s_batch_usage(stderr);
        return EXIT_USAGE;
    }
    FILE *in = stdin;
    if (argc == 2 && strcmp(argv[1], "-") != 0 && !(in = fopen(argv[1], "r")))
        return asctl_fail(ctl, EXIT_IOERR, "cannot read %s", argv[1]);
    int first_rc = EXIT_OK;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) >= 0) {
        char **words = calloc((size_t)len / 2 + 3, sizeof *words);
        if (!words) {
            first_rc = first_rc ? first_rc : asctl_fail(ctl, EXIT_SOFTWARE, "out of memory");
            break;
        }
        words[0] = "asctl";
        int n = s_split(line, words + 1), rc = EXIT_OK;
        if (n < 0)
            rc = asctl_fail(ctl, EXIT_USAGE, "a batch line's quote is not closed");
        else if (n > 0 && words[1][0] != '#')
            rc = asctl_run(ctl, n + 1, words, true);
        fflush(stdout);
        fflush(stderr);
        free(words);
        if (first_rc == EXIT_OK)
            first_rc = rc;
    }
    free(line);
    if (in != stdin)
        fclose(in);
    return first_rc;
}
