/* human.h — values for people: amounts in currency units, times as local
 * date-times.
 *
 * Messages carry money as integer cents and points in time as microseconds
 * since 1970 (UTC); scripts read them so (`asctl --json`). What people read
 * (asctl's human output) shows them by one rule on the field's name:
 *
 *   field name ends in   holds                       shown as
 *   _cents               an amount in cents          3,500.00  (350000)
 *   _us                  a point in time (UTC, µs)   2026-12-04 14:05  (local time, TZ)
 *
 * Every other field (durations such as *_minutes, counts, seqs) is shown as
 * it is. No field is refused: a value that is not an integer stays as it is.
 */
#ifndef AS_HUMAN_H
#define AS_HUMAN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef enum {
    AS_HUMAN_PLAIN, /* shown as it is */
    AS_HUMAN_MONEY, /* cents */
    AS_HUMAN_TIME,  /* microseconds since 1970, UTC */
} as_human_kind_t;

/* Room for any as_human_money or as_human_time text with its NUL. */
#define AS_HUMAN_TEXT_MAX 40

/* What field `name` holds, by the table above (NULL is plain). */
as_human_kind_t as_human_kind(const char *name);

/* The site's currency (`[site] currency`, a code or symbol of at most
 * AS_HUMAN_CURRENCY_MAX bytes, e.g. "CNY"), written after every amount;
 * NULL or "" (the default): none. Process-wide: a program sets it once, from
 * its config, before it prints; a longer text is cut. */
#define AS_HUMAN_CURRENCY_MAX 8
void as_human_set_currency(const char *currency);

/* `cents` in currency units with thousands separators and two decimals, and
 * the site's currency when one is set: 350000 -> "3,500.00" (or "3,500.00
 * CNY"), -5 -> "-0.05". Writes at most `cap` bytes (NUL included;
 * AS_HUMAN_TEXT_MAX always suffices) and returns `out`. */
char *as_human_money(int64_t cents, char *out, size_t cap);

/* `us` (microseconds since 1970, UTC) as a local date-time "YYYY-MM-DD
 * HH:MM" in the process's time zone (TZ is respected); a value the C
 * library cannot convert is written as the plain number. Returns `out`. */
char *as_human_time(int64_t us, char *out, size_t cap);

/* Walks `value` (an object or array from as_pbjson_to_json(), at every
 * depth) and replaces each integer under a money or time field by its text
 * as above; names stay. Returns 0, or -ENOMEM (then some values may already
 * be replaced). */
int as_human_json(json_t *value);

#endif
