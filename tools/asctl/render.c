/* render.c — a reply for people (key: value blocks and aligned tables) and
 * for spreadsheets (CSV). */
#include "render.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "as/human.h"
#include "asctl.h"

enum {
    S_DEPTH = 4,        /* nested objects shown as blocks; deeper: a summary */
    S_MAX_COLUMNS = 64, /* a table's columns beyond this are left out */
    S_MIN_COLUMN = 12,  /* a clipped column keeps at least its header (or this) */
    S_KEY_COLUMN = 24,  /* ...and the first column at least this */
    S_MIN_WRAP = 20,    /* narrower than this, a value is not wrapped */
};

void asctl_csv_put(const asctl_csv_t *csv, const char *text, bool last)
{
    char special[] = {csv->separator, '"', '\n', '\r', '\0'};
    if (strpbrk(text, special)) {
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
    if (last)
        fputs(csv->eol, stdout);
    else
        putchar(csv->separator);
}

int asctl_render_width(bool wide)
{
    if (wide)
        return 0;
    const char *env = getenv("COLUMNS");
    if ((env && atoi(env) > 0) || isatty(STDOUT_FILENO))
        return asctl_columns();
    return 0;
}

/* ---- text width: UTF-8, East Asian wide characters take two columns ---- */

/* The code point at *s (advancing *s); a stray byte is taken as itself. */
static uint32_t s_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t c = p[0];
    int n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    if (n > 0)
        c &= 0x3fu >> n;
    int i = 1;
    for (; i <= n && (p[i] & 0xc0) == 0x80; i++)
        c = (c << 6) | (p[i] & 0x3f);
    if (i <= n) /* cut short: the lead byte alone */
        c = p[0], i = 1;
    *s += i;
    return c;
}

static int s_cp_width(uint32_t c)
{
    if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
        (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
        (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
        (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) ||
        (c >= 0x20000 && c <= 0x3fffd))
        return 2;
    if (c < 0x20 || (c >= 0x300 && c <= 0x36f) || c == 0x200b)
        return 0;
    return 1;
}

static int s_width(const char *s)
{
    int w = 0;
    while (*s)
        w += s_cp_width(s_next(&s));
    return w;
}

/* Prints `s` in `width` columns: clipped with "…" when wider, padded with
 * spaces (before it when `right`) when `pad`. */
static void s_put_cell(FILE *out, const char *s, int width, bool right, bool pad)
{
    int w = s_width(s);
    if (w > width) {
        int used = 0;
        const char *p = s;
        while (*p) {
            const char *q = p;
            int cw = s_cp_width(s_next(&q));
            if (used + cw > width - 1)
                break;
            used += cw;
            p = q;
        }
        fwrite(s, 1, (size_t)(p - s), out);
        fputs("…", out);
        used++;
        if (pad)
            fprintf(out, "%*s", width - used, "");
        return;
    }
    if (pad && right)
        fprintf(out, "%*s", width - w, "");
    fputs(s, out);
    if (pad && !right)
        fprintf(out, "%*s", width - w, "");
}

/* ---- values as text ---- */

static bool s_is_nested(json_t *v)
{
    return json_is_object(v) || json_is_array(v);
}

/* A scalar as text (malloc'd). */
static char *s_scalar(json_t *v)
{
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_null(v))
        return strdup("");
    char *text = json_dumps(v, JSON_ENCODE_ANY);
    return text ? text : strdup("");
}

/* A list of scalars comma-joined, or NULL when it holds an object or list. */
static char *s_joined(json_t *list)
{
    size_t i, len = 0;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        if (s_is_nested(item))
            return NULL;
        char *t = s_scalar(item);
        len += strlen(t ? t : "") + 2;
        free(t);
    }
    char *out = calloc(len + 1, 1);
    if (!out)
        return NULL;
    json_array_foreach(list, i, item)
    {
        char *t = s_scalar(item);
        if (i > 0)
            strcat(out, ", ");
        strcat(out, t ? t : "");
        free(t);
    }
    return out;
}

/* A nested value in one short text: a list's items ("3 items", or the
 * scalars joined), an object's first scalar. */
static char *s_summary(json_t *v)
{
    if (json_is_array(v)) {
        char *joined = s_joined(v);
        if (joined)
            return joined;
        char text[32];
        size_t n = json_array_size(v);
        snprintf(text, sizeof text, "%zu item%s", n, n == 1 ? "" : "s");
        return strdup(text);
    }
    if (json_is_object(v)) {
        const char *key;
        json_t *field;
        json_object_foreach(v, key, field)
        {
            if (!s_is_nested(field))
                return s_scalar(field);
        }
        return strdup("{…}");
    }
    return s_scalar(v);
}

static bool s_is_table(json_t *v)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return false;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_object(item))
            return false;
    }
    return true;
}

/* ---- key: value lines ---- */

/* Prints `text` from column `col` on, wrapped at spaces to `avail` columns
 * (0: not wrapped), continuation lines starting at `col`; its own line ends
 * are kept. */
static void s_put_wrapped(const char *text, int col, int avail)
{
    const char *p = text;
    bool first = true;
    do {
        if (!first)
            printf("%*s", col, "");
        first = false;
        const char *end = p, *brk = NULL, *q = p;
        int used = 0;
        while (*q && *q != '\n') {
            const char *r = q;
            int cw = s_cp_width(s_next(&r));
            if (avail > 0 && used + cw > avail && used > 0)
                break;
            if (*q == ' ')
                brk = q;
            used += cw;
            q = r;
        }
        end = q;
        if (*q && *q != '\n' && brk && brk > p)
            end = brk; /* break at the last space */
        fwrite(p, 1, (size_t)(end - p), stdout);
        putchar('\n');
        p = end;
        if (*p == ' ' || *p == '\n')
            p++;
    } while (*p);
}

static void s_table(json_t *list, int indent, int width);

static void s_block(json_t *obj, int indent, int depth, int width)
{
    const char *key;
    json_t *v;
    int kw = 0;
    json_object_foreach(obj, key, v)
    {
        int w = s_width(key);
        if (w > kw && !(json_is_object(v) && depth < S_DEPTH && json_object_size(v) > 0) &&
            !s_is_table(v))
            kw = w;
    }
    /* the scalars (and what reads as one line) first, aligned */
    json_object_foreach(obj, key, v)
    {
        char *text;
        if (json_is_object(v)) {
            if (depth < S_DEPTH && json_object_size(v) > 0)
                continue;
            text = json_object_size(v) ? s_summary(v) : strdup("(none)");
        } else if (json_is_array(v)) {
            if (s_is_table(v))
                continue;
            text = json_array_size(v) ? s_summary(v) : strdup("(none)");
        } else {
            text = s_scalar(v);
        }
        printf("%*s%s:%*s ", indent, "", key, kw - s_width(key), "");
        int col = indent + kw + 2;
        int avail = width > 0 && width - col >= S_MIN_WRAP ? width - col : 0;
        s_put_wrapped(text ? text : "", col, avail);
        free(text);
    }
    /* then the nested objects and the tables, each under its name */
    json_object_foreach(obj, key, v)
    {
        if (json_is_object(v) && depth < S_DEPTH && json_object_size(v) > 0) {
            printf("%*s%s:\n", indent, "", key);
            s_block(v, indent + 2, depth + 1, width);
        } else if (s_is_table(v)) {
            printf("%*s%s: %zu\n", indent, "", key, json_array_size(v));
            s_table(v, indent + 2, width);
        }
    }
}

/* ---- tables ---- */

static void s_table(json_t *list, int indent, int width)
{
    const char *names[S_MAX_COLUMNS];
    int n = 0;
    size_t rows = json_array_size(list), i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        const char *key;
        json_t *v;
        json_object_foreach(item, key, v)
        {
            int j = 0;
            while (j < n && strcmp(names[j], key) != 0)
                j++;
            if (j == n && n < S_MAX_COLUMNS)
                names[n++] = key;
        }
    }
    char **cells = calloc(rows * (size_t)n + 1, sizeof *cells);
    if (!cells)
        return;
    int natural[S_MAX_COLUMNS], w[S_MAX_COLUMNS];
    bool right[S_MAX_COLUMNS];
    for (int j = 0; j < n; j++) {
        natural[j] = s_width(names[j]);
        right[j] = true;
        json_array_foreach(list, i, item)
        {
            json_t *v = json_object_get(item, names[j]);
            if (!v)
                continue;
            if (!json_is_number(v) &&
                !(json_is_string(v) && as_human_kind(names[j]) == AS_HUMAN_MONEY))
                right[j] = false;
            char *text = s_is_nested(v) ? s_summary(v) : s_scalar(v);
            cells[i * (size_t)n + (size_t)j] = text;
            int cw = text ? s_width(text) : 0;
            if (cw > natural[j])
                natural[j] = cw;
        }
        w[j] = natural[j];
    }
    int shown = n;
    if (width > 0) {
        int avail = width - indent, total = 0;
        for (int j = 0; j < n; j++)
            total += w[j] + (j ? 2 : 0);
        while (total > avail) { /* narrow the widest column that can give */
            int widest = -1;
            for (int j = 0; j < n; j++) {
                /* a column keeps its header, and the first (the key) up to
                 * S_KEY_COLUMN characters */
                int floor = j == 0 ? S_KEY_COLUMN : S_MIN_COLUMN;
                if (s_width(names[j]) > floor)
                    floor = s_width(names[j]);
                if (w[j] > floor && (widest < 0 || w[j] > w[widest]))
                    widest = j;
            }
            if (widest < 0)
                break;
            w[widest]--;
            total--;
        }
        while (shown > 1 && total > avail) /* then leave the last columns out */
            total -= w[--shown] + 2;
        if (shown == 1 && w[0] > avail)
            w[0] = avail > 1 ? avail : 1;
    }
    for (size_t r = 0; r <= rows; r++) { /* the header, then the rows */
        char *line = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&line, &len);
        if (!out)
            break;
        fprintf(out, "%*s", indent, "");
        for (int j = 0; j < shown; j++) {
            if (j)
                fputs("  ", out);
            const char *text = r == 0 ? names[j] : cells[(r - 1) * (size_t)n + (size_t)j];
            s_put_cell(out, text ? text : "", w[j], right[j], right[j] || j + 1 < shown);
        }
        fclose(out);
        while (len > 0 && line[len - 1] == ' ') /* an empty last cell */
            len--;
        fwrite(line, 1, len, stdout);
        putchar('\n');
        free(line);
    }
    if (shown < n) {
        char note[64];
        snprintf(note, sizeof note, "(%d more column%s: -o wide)", n - shown,
                 n - shown == 1 ? "" : "s");
        printf("%*s", indent, "");
        s_put_cell(stdout, note, width > indent ? width - indent : 1, false, false);
        putchar('\n');
    }
    for (size_t k = 0; k < rows * (size_t)n; k++)
        free(cells[k]);
    free(cells);
}

void asctl_render_human(json_t *obj, int width)
{
    as_human_json(obj); /* out of memory: the rest stays as numbers */
    s_block(obj, 0, 0, width);
}

/* ---- CSV ---- */

static char *s_csv_cell(const char *key, json_t *v)
{
    char text[AS_HUMAN_TEXT_MAX];
    if (json_is_integer(v) && as_human_kind(key) == AS_HUMAN_MONEY) {
        json_int_t c = json_integer_value(v);
        snprintf(text, sizeof text, "%s%" JSON_INTEGER_FORMAT ".%02d", c < 0 ? "-" : "",
                 (c < 0 ? -c : c) / 100, (int)((c < 0 ? -c : c) % 100));
        return strdup(text);
    }
    if (json_is_integer(v) && as_human_kind(key) == AS_HUMAN_TIME)
        return strdup(as_human_time(json_integer_value(v), text, sizeof text));
    if (s_is_nested(v)) {
        char *json = json_dumps(v, JSON_COMPACT);
        return json ? json : strdup("");
    }
    return s_scalar(v);
}

int asctl_render_csv(json_t *obj, const asctl_csv_t *csv)
{
    json_t *list = NULL, *v;
    const char *key;
    json_object_foreach(obj, key, v)
    {
        if (s_is_table(v)) {
            list = v;
            break;
        }
    }
    if (!list)
        return -1;
    const char *names[S_MAX_COLUMNS];
    int n = 0;
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        json_object_foreach(item, key, v)
        {
            int j = 0;
            while (j < n && strcmp(names[j], key) != 0)
                j++;
            if (j == n && n < S_MAX_COLUMNS)
                names[n++] = key;
        }
    }
    for (int j = 0; j < n; j++)
        asctl_csv_put(csv, names[j], j + 1 == n);
    json_array_foreach(list, i, item)
    {
        for (int j = 0; j < n; j++) {
            json_t *field = json_object_get(item, names[j]);
            char *text = field ? s_csv_cell(names[j], field) : NULL;
            asctl_csv_put(csv, text ? text : "", j + 1 == n);
            free(text);
        }
    }
    return 0;
}
