/* vin.c — VIN syntax and check digit. */
#include "as/vin.h"

#include <stdio.h>
#include <string.h>

#include "as/error.h"
#include "as/text.h"

/* U+FFFD, what a page shows for a byte that begins no character */
static const char s_replacement[] = "\xEF\xBF\xBD";

static const int s_weights[AS_VIN_LEN] = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};

/* The transliterated value of one VIN character, or -1 when not allowed. */
static int s_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    static const char letters[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
    static const int values[] = {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4,
                                 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9};
    const char *at = c ? strchr(letters, c) : NULL;
    return at ? values[at - letters] : -1;
}

char as_vin_check_digit(const char *vin)
{
    if (!vin || strlen(vin) != AS_VIN_LEN)
        return '\0';
    int sum = 0;
    for (int i = 0; i < AS_VIN_LEN; i++) {
        int value = s_value(vin[i]);
        if (value < 0)
            return '\0';
        sum += value * s_weights[i];
    }
    int digit = sum % 11;
    return digit == 10 ? 'X' : (char)('0' + digit);
}

as_vin_problem_t as_vin_examine(const char *vin, as_vin_fault_t *fault)
{
    memset(fault, 0, sizeof *fault);
    if (!vin || !*vin)
        return fault->problem = AS_VIN_MISSING;
    fault->length = as_text_chars(vin);
    if (fault->length != AS_VIN_LEN)
        return fault->problem = AS_VIN_LENGTH;
    size_t bytes = strlen(vin);
    for (size_t at = 0, position = 1; at < bytes; position++) {
        size_t width = as_utf8_char(vin + at, bytes - at);
        if (width != 1 || s_value(vin[at]) < 0) {
            fault->position = position;
            if (width)
                memcpy(fault->character, vin + at, width);
            else
                memcpy(fault->character, s_replacement, sizeof s_replacement);
            return fault->problem = AS_VIN_CHARACTER;
        }
        at += width;
    }
    char expected = as_vin_check_digit(vin);
    if (vin[8] != expected) {
        fault->found = vin[8];
        fault->expected = expected;
        return fault->problem = AS_VIN_CHECK_DIGIT;
    }
    return AS_VIN_VALID;
}

int as_vin_validate(const char *vin, char *err, size_t err_len)
{
    as_vin_fault_t f;
    switch (as_vin_examine(vin, &f)) {
    case AS_VIN_VALID:
        return 0;
    case AS_VIN_MISSING:
        snprintf(err, err_len, "vin is required");
        break;
    case AS_VIN_LENGTH:
        snprintf(err, err_len, "vin '%.*s' has %zu characters, a vin has %d", as_text_clip(vin, 40),
                 vin, f.length, AS_VIN_LEN);
        break;
    case AS_VIN_CHARACTER:
        snprintf(err, err_len,
                 "vin '%s' has '%s' at position %zu: only digits and capital letters "
                 "other than I, O and Q are allowed",
                 vin, f.character, f.position);
        break;
    case AS_VIN_CHECK_DIGIT:
        snprintf(err, err_len, "vin '%s' has a wrong check digit: '%c', expected '%c'", vin,
                 f.found, f.expected);
        break;
    }
    return AS_EINVALID;
}
