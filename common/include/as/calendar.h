/* calendar.h — dates as the dealership speaks them: "YYYY-MM-DD" in the
 * site's local time (set TZ for the daemons), months "YYYY-MM". */
#ifndef AS_CALENDAR_H
#define AS_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#define AS_DATE_LEN 10     /* "YYYY-MM-DD" */
#define AS_DATETIME_LEN 16 /* "YYYY-MM-DD HH:MM" */

/* The local date of a Unix time in microseconds. */
void as_date_of_us(int64_t us, char out[AS_DATE_LEN + 1]);

/* The local date and time of a Unix time in microseconds, to the minute. */
void as_datetime_of_us(int64_t us, char out[AS_DATETIME_LEN + 1]);

/* Reads a local "YYYY-MM-DD HH:MM" (or "YYYY-MM-DDTHH:MM", or a date alone:
 * its midnight) into microseconds since 1970. Returns 0, or AS_EINVALID for
 * text that is not a real local date and time. */
int as_datetime_parse(const char *text, int64_t *us);

/* Today's local date. */
void as_date_today(char out[AS_DATE_LEN + 1]);

/* True for a real calendar date "YYYY-MM-DD" (leap years included). */
bool as_date_valid(const char *date);

/* True for "YYYY-MM" with a month 01..12. */
bool as_month_valid(const char *month);

/* Days from `from` to `to` (negative when `to` is earlier); both must be valid. */
int64_t as_date_diff_days(const char *from, const char *to);

/* The date `days` after `date` (before, when negative). */
void as_date_add_days(const char *date, int64_t days, char out[AS_DATE_LEN + 1]);

#endif
