/* calendar.c — local dates. See include/as/calendar.h. */
#include "as/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "as/envelope.h"
#include "as/error.h"
#include "as/human.h"

void as_date_of_us(int64_t us, char out[AS_DATE_LEN + 1])
{
    time_t secs = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&secs, &tm);
    strftime(out, AS_DATE_LEN + 1, "%Y-%m-%d", &tm);
}

void as_datetime_of_us(int64_t us, char out[AS_DATETIME_LEN + 1])
{
    as_human_time(us, out, AS_DATETIME_LEN + 1);
}

int as_datetime_parse(const char *text, int64_t *us)
{
    if (!text || strlen(text) < AS_DATE_LEN)
        return AS_EINVALID;
    char date[AS_DATE_LEN + 1];
    memcpy(date, text, AS_DATE_LEN);
    date[AS_DATE_LEN] = '\0';
    int hour = 0, minute = 0, used = 0;
    const char *rest = text + AS_DATE_LEN;
    if (!as_date_valid(date))
        return AS_EINVALID;
    if (*rest &&
        ((*rest != ' ' && *rest != 'T') ||
         sscanf(rest + 1, "%2d:%2d%n", &hour, &minute, &used) != 2 || rest[1 + used] != '\0' ||
         used != 5 || hour > 23 || minute > 59 || hour < 0 || minute < 0))
        return AS_EINVALID;
    struct tm tm = {.tm_year = atoi(date) - 1900,
                    .tm_mon = atoi(date + 5) - 1,
                    .tm_mday = atoi(date + 8),
                    .tm_hour = hour,
                    .tm_min = minute,
                    .tm_isdst = -1};
    time_t secs = mktime(&tm);
    if (secs == (time_t)-1)
        return AS_EINVALID;
    *us = (int64_t)secs * 1000000;
    return 0;
}

void as_date_today(char out[AS_DATE_LEN + 1])
{
    as_date_of_us(as_now_us(), out);
}

static bool s_digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int s_days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

bool as_date_valid(const char *date)
{
    if (!date || strlen(date) != AS_DATE_LEN || date[4] != '-' || date[7] != '-' ||
        !s_digits(date, 4) || !s_digits(date + 5, 2) || !s_digits(date + 8, 2))
        return false;
    int year, month, day;
    if (sscanf(date, "%4d-%2d-%2d", &year, &month, &day) != 3)
        return false;
    return year >= 1900 && month >= 1 && month <= 12 && day >= 1 &&
           day <= s_days_in_month(year, month);
}

bool as_month_valid(const char *month)
{
    if (!month || strlen(month) != 7 || month[4] != '-' || !s_digits(month, 4) ||
        !s_digits(month + 5, 2))
        return false;
    int m = (month[5] - '0') * 10 + (month[6] - '0');
    return m >= 1 && m <= 12;
}

/* Days since 1970-01-01 of a valid date (proleptic Gregorian). */
static int64_t s_day_number(const char *date)
{
    int y, m, d;
    sscanf(date, "%4d-%2d-%2d", &y, &m, &d);
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t as_date_diff_days(const char *from, const char *to)
{
    return s_day_number(to) - s_day_number(from);
}

void as_date_add_days(const char *date, int64_t days, char out[AS_DATE_LEN + 1])
{
    int64_t z = s_day_number(date) + days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    snprintf(out, AS_DATE_LEN + 1, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}
