/* vin.h — vehicle identification numbers (ISO 3779, with the North-American
 * check digit at position 9, which the OEM uses world-wide). */
#ifndef AS_VIN_H
#define AS_VIN_H

#include <stdbool.h>
#include <stddef.h>

#define AS_VIN_LEN 17

/* The check digit ('0'..'9' or 'X') a 17-character VIN should carry at
 * position 9, or '\0' when the VIN has the wrong length or a character that
 * is not allowed (anything but digits and capital letters other than I, O, Q). */
char as_vin_check_digit(const char *vin);

/* What is wrong with a VIN, for a caller that words each case itself (a
 * refusal: one as_cmd_fail format per case, so a page can translate it). */
typedef enum {
    AS_VIN_VALID = 0,
    AS_VIN_MISSING,     /* NULL or empty */
    AS_VIN_LENGTH,      /* not 17 characters: `length` */
    AS_VIN_CHARACTER,   /* `character` at `position` (1-based) is not allowed */
    AS_VIN_CHECK_DIGIT, /* position 9 is `found`, the check digit is `expected` */
} as_vin_problem_t;

/* Lengths and positions count characters as a person does (UTF-8, as/text.h):
 * a Chinese character typed into a VIN is one character, named whole. */
typedef struct {
    as_vin_problem_t problem; /* AS_VIN_VALID when the VIN is valid */
    size_t length;            /* the VIN's length in characters (0 when missing) */
    size_t position;          /* AS_VIN_CHARACTER: where, in characters counted from 1 */
    /* AS_VIN_CHARACTER: the whole character at `position`, NUL-terminated UTF-8
     * (U+FFFD, as a page shows it, for a byte that begins no character) */
    char character[5];
    char found;    /* AS_VIN_CHECK_DIGIT: the character at position 9 */
    char expected; /* AS_VIN_CHECK_DIGIT: the right check digit */
} as_vin_fault_t;

/* Examines `vin`: fills `fault` (never NULL) and returns fault->problem, so
 * AS_VIN_VALID (0) when the VIN is valid. */
as_vin_problem_t as_vin_examine(const char *vin, as_vin_fault_t *fault);

/* 0 when `vin` is a valid VIN; otherwise AS_EINVALID with a text for people in
 * `err` ("vin 'JN1AZ4EH7DM430111' has a wrong check digit: '7', expected '3'").
 * For notes kept on a record (a flagged request); a refusal words the cases of
 * as_vin_examine itself. */
int as_vin_validate(const char *vin, char *err, size_t err_len);

#endif
