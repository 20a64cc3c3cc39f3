/* human.c — amounts and times for people (see as/human.h). */
#include "as/human.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The one table of field names (as/human.h, README). */
static const struct {
    const char *suffix;
    as_human_kind_t kind;
} s_rules[] = {
    {"_cents", AS_HUMAN_MONEY},
    {"_us", AS_HUMAN_TIME},
};

as_human_kind_t as_human_kind(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    for (size_t i = 0; i < sizeof s_rules / sizeof s_rules[0]; i++) {
        size_t n = strlen(s_rules[i].suffix);
        if (len > n && strcmp(name + len - n, s_rules[i].suffix) == 0)
            return s_rules[i].kind;
    }
    return AS_HUMAN_PLAIN;
}

static char s_currency[AS_HUMAN_CURRENCY_MAX + 1];

void as_human_set_currency(const char *currency)
{
    snprintf(s_currency, sizeof s_currency, "%s", currency ? currency : "");
}

char *as_human_money(int64_t cents, char *out, size_t cap)
{
    /* the magnitude as unsigned, so INT64_MIN has one too */
    uint64_t magnitude = cents < 0 ? -(uint64_t)cents : (uint64_t)cents;
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, magnitude / 100);
    char grouped[AS_HUMAN_TEXT_MAX];
    size_t g = 0;
    if (cents < 0)
        grouped[g++] = '-';
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            grouped[g++] = ',';
        grouped[g++] = digits[i];
    }
    grouped[g] = '\0';
    snprintf(out, cap, "%s.%02u%s%s", grouped, (unsigned)(magnitude % 100), *s_currency ? " " : "",
             s_currency);
    return out;
}

char *as_human_time(int64_t us, char *out, size_t cap)
{
    int64_t secs = us / 1000000 - (us % 1000000 < 0); /* floor: before 1970 too */
    time_t t = (time_t)secs;
    struct tm tm;
    if ((int64_t)t != secs || !localtime_r(&t, &tm) ||
        strftime(out, cap, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(out, cap, "%" PRId64, us);
    return out;
}

static int s_replace(json_t *object, const char *key, json_t *value)
{
    as_human_kind_t kind = as_human_kind(key);
    if (kind == AS_HUMAN_PLAIN || !json_is_integer(value))
        return as_human_json(value);
    char text[AS_HUMAN_TEXT_MAX];
    int64_t v = (int64_t)json_integer_value(value);
    if (kind == AS_HUMAN_MONEY)
        as_human_money(v, text, sizeof text);
    else
        as_human_time(v, text, sizeof text);
    return json_object_set_new(object, key, json_string(text)) == 0 ? 0 : -ENOMEM;
}

int as_human_json(json_t *value)
{
    if (json_is_array(value)) {
        size_t i;
        json_t *item;
        json_array_foreach(value, i, item)
        {
            int rc = as_human_json(item);
            if (rc != 0)
                return rc;
        }
    } else if (json_is_object(value)) {
        const char *key;
        json_t *item;
        json_object_foreach(value, key, item)
        {
            int rc = s_replace(value, key, item);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}
