/* test_vin.c — VIN syntax and the ISO 3779 / North-American check digit
 * (common/vin.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "as/error.h"
#include "as/vin.h"

static void test_known_vins_have_their_check_digit(void **state)
{
    (void)state;
    assert_int_equal(as_vin_check_digit("1M8GDM9AXKP042788"), 'X'); /* the textbook example */
    assert_int_equal(as_vin_check_digit("JN1AZ4EH7DM430111"), '7');
    assert_int_equal(as_vin_check_digit("11111111111111111"), '1');
    char err[256];
    assert_int_equal(as_vin_validate("1M8GDM9AXKP042788", err, sizeof err), 0);
    assert_int_equal(as_vin_validate("JN1AZ4EH7DM430111", err, sizeof err), 0);
}

static void test_wrong_check_digit_is_named(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(as_vin_validate("JN1AZ4EH8DM430111", err, sizeof err), AS_EINVALID);
    assert_string_equal(err, "vin 'JN1AZ4EH8DM430111' has a wrong check digit: '8', expected '7'");
    assert_int_equal(as_vin_validate("1M8GDM9A1KP042788", err, sizeof err), AS_EINVALID);
    assert_non_null(strstr(err, "expected 'X'"));
}

static void test_letters_i_o_q_are_refused(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(as_vin_check_digit("JN1AZ4EH7DM43O111"), '\0');
    assert_int_equal(as_vin_validate("JN1AZ4EH7DM43O111", err, sizeof err), AS_EINVALID);
    assert_non_null(strstr(err, "'O' at position 14"));
    assert_int_equal(as_vin_validate("IN1AZ4EH7DM430111", err, sizeof err), AS_EINVALID);
    assert_int_equal(as_vin_validate("QN1AZ4EH7DM430111", err, sizeof err), AS_EINVALID);
    assert_int_equal(as_vin_validate("jn1az4eh7dm430111", err, sizeof err), AS_EINVALID);
}

static void test_length_and_absence(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(as_vin_check_digit(NULL), '\0');
    assert_int_equal(as_vin_check_digit("JN1AZ4EH7DM43011"), '\0');
    assert_int_equal(as_vin_validate(NULL, err, sizeof err), AS_EINVALID);
    assert_string_equal(err, "vin is required");
    assert_int_equal(as_vin_validate("", err, sizeof err), AS_EINVALID);
    assert_int_equal(as_vin_validate("JN1AZ4EH7DM4301111", err, sizeof err), AS_EINVALID);
    assert_string_equal(err, "vin 'JN1AZ4EH7DM4301111' has 18 characters, a vin has 17");
}

/* A character typed with a Chinese input method is named whole, at its
 * position counted in characters (a byte of it would be no character at all),
 * and a VIN's length is counted in characters too. */
static void test_a_multibyte_character_is_named_whole(void **state)
{
    (void)state;
    char err[256];
    as_vin_fault_t f;
    assert_int_equal(as_vin_examine("JN1AZ4EH7DM43中111", &f), AS_VIN_CHARACTER);
    assert_int_equal(f.position, 14);
    assert_string_equal(f.character, "中");
    assert_int_equal(as_vin_validate("JN1AZ4EH7DM43中111", err, sizeof err), AS_EINVALID);
    assert_string_equal(err, "vin 'JN1AZ4EH7DM43中111' has '中' at position 14: only "
                             "digits and capital letters other than I, O and Q are allowed");
    /* after a Chinese character, the positions are still characters */
    assert_int_equal(as_vin_examine("中N1AZ4EH7DM43O111", &f), AS_VIN_CHARACTER);
    assert_int_equal(f.position, 1);
    assert_int_equal(as_vin_examine("JN1ＡZ4EH7DM43O111", &f), AS_VIN_CHARACTER);
    assert_int_equal(f.position, 4); /* a full-width A */
    assert_string_equal(f.character, "Ａ");
    /* a byte that begins no character: the replacement character a page shows */
    static const char stray_byte[] = "JN1AZ4EH7DM43\xff"
                                     "111";
    assert_int_equal(as_vin_examine(stray_byte, &f), AS_VIN_CHARACTER);
    assert_int_equal(f.position, 14);
    assert_string_equal(f.character, "\xef\xbf\xbd" /* U+FFFD */);
    /* 16 characters, 18 bytes: the length people count */
    assert_int_equal(as_vin_examine("JN1AZ4EH7DM4中111", &f), AS_VIN_LENGTH);
    assert_int_equal(f.length, 16);
    assert_int_equal(as_vin_validate("JN1AZ4EH7DM4中111", err, sizeof err), AS_EINVALID);
    assert_string_equal(err, "vin 'JN1AZ4EH7DM4中111' has 16 characters, a vin has 17");
}

/* A long VIN typed in Chinese is shown clipped to 40 characters, whole ones:
 * a clip by bytes ("%.40s") ended inside the 14th, and the refusal was no
 * valid UTF-8 (a page shows U+FFFD, a JSON encoder may refuse it). */
static void test_a_long_vin_is_clipped_by_characters(void **state)
{
    (void)state;
    char vin[3 * 50 + 1] = "", forty[3 * 40 + 1] = "", want[256], err[256];
    for (int i = 0; i < 50; i++)
        strcat(vin, "车");
    for (int i = 0; i < 40; i++)
        strcat(forty, "车");
    assert_int_equal(as_vin_validate(vin, err, sizeof err), AS_EINVALID);
    snprintf(want, sizeof want, "vin '%s' has 50 characters, a vin has 17", forty);
    assert_string_equal(err, want);
}

/* A refusal words each problem itself (its own format, so a page translates
 * it): the examination names the problem and its data, no English. */
static void test_examine_names_the_problem_and_its_data(void **state)
{
    (void)state;
    as_vin_fault_t f;
    assert_int_equal(as_vin_examine("JN1AZ4EH7DM430111", &f), AS_VIN_VALID);
    assert_int_equal(f.problem, AS_VIN_VALID);
    assert_int_equal(as_vin_examine(NULL, &f), AS_VIN_MISSING);
    assert_int_equal(as_vin_examine("", &f), AS_VIN_MISSING);
    assert_int_equal(as_vin_examine("JN1AZ4EH7DM4301111", &f), AS_VIN_LENGTH);
    assert_int_equal(f.length, 18);
    assert_int_equal(as_vin_examine("JN1AZ4EH7DM43O111", &f), AS_VIN_CHARACTER);
    assert_int_equal(f.position, 14);
    assert_string_equal(f.character, "O");
    assert_int_equal(as_vin_examine("JN1AZ4EH8DM430111", &f), AS_VIN_CHECK_DIGIT);
    assert_int_equal(f.problem, AS_VIN_CHECK_DIGIT);
    assert_int_equal(f.found, '8');
    assert_int_equal(f.expected, '7');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vins_have_their_check_digit),
        cmocka_unit_test(test_wrong_check_digit_is_named),
        cmocka_unit_test(test_letters_i_o_q_are_refused),
        cmocka_unit_test(test_length_and_absence),
        cmocka_unit_test(test_examine_names_the_problem_and_its_data),
        cmocka_unit_test(test_a_multibyte_character_is_named_whole),
        cmocka_unit_test(test_a_long_vin_is_clipped_by_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
