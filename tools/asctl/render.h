/* render.h — asctl's output of a command's reply (a JSON object from
 * as_pbjson_to_json) for people and for spreadsheets. */
#ifndef ASCTL_RENDER_H
#define ASCTL_RENDER_H

#include <jansson.h>
#include <stdbool.h>

/* How CSV is written: the separator and the line end. */
typedef struct {
    char separator;
    const char *eol;
} asctl_csv_t;

/* Prints one CSV field to stdout, quoted when it holds the separator, a
 * quote or a line end, then the separator or (last) the line end. */
void asctl_csv_put(const asctl_csv_t *csv, const char *text, bool last);

/* The width people's output is clipped to: 0 (none) with `wide`, else
 * asctl_columns() when $COLUMNS is set or stdout is a terminal, else 0 (a
 * pipe or a file gets every character). */
int asctl_render_width(bool wide);

/* Prints `obj` for people to stdout: its scalar fields as "key: value" lines
 * with the keys aligned (long values wrapped), a list of scalars
 * comma-joined, a nested object as a titled block indented below its name
 * (to a few levels), a list of objects as an aligned table with a header row
 * (a nested value in a cell as a short summary). No line is wider than
 * `width` (0: no limit): table cells are clipped with "…" and the columns
 * that do not fit are left out (said under the table). Amounts and times
 * are shown for people (as_human_json is applied to `obj`). */
void asctl_render_human(json_t *obj, int width);

/* Prints the reply's first list of objects (its main content: the board's
 * jobs, a search's customers...) as CSV to
 * stdout: a header row of the items' fields, amounts in currency units with
 * two decimals, times as local date-times, nested values as JSON. Returns
 * 0, or -1 (nothing printed) when `obj` has no list of objects. */
int asctl_render_csv(json_t *obj, const asctl_csv_t *csv);

#endif
