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

/* 0 when `vin` is a valid VIN; otherwise AS_EINVALID with a text for people in
 * `err` ("vin 'JN1AZ4EH7DM430111' has a wrong check digit: '7', expected '3'"). */
int as_vin_validate(const char *vin, char *err, size_t err_len);

#endif
