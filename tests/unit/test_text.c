/* test_text.c — the one bound on every text field: flat, nested, repeated,
 * the *_json exception, and what does not decode; characters counted as a
 * person counts them (as_text_chars), malformed UTF-8 included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/error.h"
#include "as/pb/ingest.pb-c.h"
#include "as/pb/reception.pb-c.h"
#include "as/pb/workshop.pb-c.h"
#include "as/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A text of `len` bytes, freed by the caller. */
static char *s_text(size_t len)
{
    char *text = malloc(len + 1);
    assert_non_null(text);
    memset(text, 'x', len);
    text[len] = '\0';
    return text;
}

static void test_flat_field_named(void **state)
{
    (void)state;
    char *big = s_text(100000);
    As__CustomerRegister req = AS__CUSTOMER_REGISTER__INIT;
    req.customer_id = "c-1";
    req.name = big;
    char error[256] = "";
    assert_int_equal(as_text_check(&req.base, error, sizeof error), AS_EINVALID);
    assert_string_equal(error, "field 'name' is 100000 bytes; at most 500");
    free(big);
}

static void test_bound_is_inclusive(void **state)
{
    (void)state;
    char *text = s_text(AS_TEXT_MAX);
    As__CustomerRegister req = AS__CUSTOMER_REGISTER__INIT;
    req.name = text;
    char error[256] = "";
    assert_int_equal(as_text_check(&req.base, error, sizeof error), 0);
    free(text);
    text = s_text(AS_TEXT_MAX + 1);
    req.name = text;
    assert_int_equal(as_text_check(&req.base, error, sizeof error), AS_EINVALID);
    assert_string_equal(error, "field 'name' is 501 bytes; at most 500");
    free(text);
}

static void test_repeated_strings(void **state)
{
    (void)state;
    char *big = s_text(100000);
    char *skills[] = {"engine", big};
    As__TechnicianRegister req = AS__TECHNICIAN_REGISTER__INIT;
    req.tech_id = "tech-07";
    req.n_skills = 2;
    req.skills = skills;
    char error[256] = "";
    assert_int_equal(as_text_check(&req.base, error, sizeof error), AS_EINVALID);
    assert_string_equal(error, "field 'skills[1]' is 100000 bytes; at most 500");
    free(big);
}

static void test_nested_and_repeated_messages_through_the_wire(void **state)
{
    (void)state;
    char *big = s_text(600);
    As__LabourOperation ok_labour = AS__LABOUR_OPERATION__INIT;
    ok_labour.code = "EN-01";
    As__LabourOperation big_labour = AS__LABOUR_OPERATION__INIT;
    big_labour.code = "EN-02";
    big_labour.skill = big;
    As__JobRequest first = AS__JOB_REQUEST__INIT;
    first.labour = &ok_labour;
    As__JobRequest second = AS__JOB_REQUEST__INIT;
    second.labour = &big_labour;
    As__JobRequest *jobs[] = {&first, &second};
    As__RoOpen req = AS__RO_OPEN__INIT;
    req.ro_number = "RO-1";
    req.n_jobs = 2;
    req.jobs = jobs;
    size_t len = as__ro_open__get_packed_size(&req);
    uint8_t *packed = malloc(len);
    assert_non_null(packed);
    as__ro_open__pack(&req, packed);
    char error[256] = "";
    assert_int_equal(
        as_text_check_packed(&as__ro_open__descriptor, packed, len, error, sizeof error),
        AS_EINVALID);
    assert_string_equal(error, "field 'jobs[1].labour.skill' is 600 bytes; at most 500");
    free(packed);
    free(big);
}

static void test_json_field_carries_a_message(void **state)
{
    (void)state;
    char *json = s_text(10000);
    As__IngestRequest req = AS__INGEST_REQUEST__INIT;
    req.type = "crm.appointment.requested";
    req.payload_json = json;
    char error[256] = "";
    assert_int_equal(as_text_check(&req.base, error, sizeof error), 0);
    free(json);
}

static void test_what_does_not_decode_is_left_to_the_handler(void **state)
{
    (void)state;
    const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff};
    char error[256] = "";
    assert_int_equal(as_text_check_packed(&as__customer_register__descriptor, garbage,
                                          sizeof garbage, error, sizeof error),
                     0);
}

static void test_chars_count_code_points(void **state)
{
    (void)state;
    assert_int_equal(as_text_chars(NULL), 0);
    assert_int_equal(as_text_chars(""), 0);
    assert_int_equal(as_text_chars("brake pads"), 10);
    /* 更换刹车片: five characters, 15 bytes */
    assert_int_equal(as_text_chars("\xE6\x9B\xB4\xE6\x8D\xA2\xE5\x88\xB9\xE8\xBD\xA6\xE7\x89\x87"),
                     5);
    assert_int_equal(as_text_chars("\xC3\xA9t\xC3\xA9"), 3);   /* été: 2-byte */
    assert_int_equal(as_text_chars("ok \xF0\x9F\x98\x80"), 4); /* U+1F600: 4-byte */
    assert_int_equal(as_text_chars("\xF4\x8F\xBF\xBF"), 1);    /* U+10FFFF */
    assert_int_equal(as_text_chars("\xEF\xBB\xBF"), 1);        /* a BOM is a character */
    assert_int_equal(as_text_chars("\xE6\x9B\xB4"
                                   "a"
                                   "\xE6\x8D\xA2"),
                     3); /* mixed */
}

static void test_chars_count_each_bad_byte_once(void **state)
{
    (void)state;
    assert_int_equal(as_text_chars("\x80\x80"), 2); /* stray continuation bytes */
    assert_int_equal(as_text_chars("\xE6\x9B"), 2); /* cut short at the end */
    assert_int_equal(as_text_chars("\xE6\x9B"
                                   "a"),
                     3);                                    /* cut short before a letter */
    assert_int_equal(as_text_chars("\xC0\xAF"), 2);         /* overlong '/' */
    assert_int_equal(as_text_chars("\xE0\x80\xAF"), 3);     /* overlong, 3 bytes */
    assert_int_equal(as_text_chars("\xED\xA0\x80"), 3);     /* a surrogate, U+D800 */
    assert_int_equal(as_text_chars("\xF4\x90\x80\x80"), 4); /* above U+10FFFF */
    assert_int_equal(as_text_chars("\xFF"
                                   "ab"),
                     3); /* never a UTF-8 byte */
    /* never more characters than bytes, so the byte cap still holds */
    const char *mixed = "\xE6\x9B\xB4\x80\xE6"
                        "x\xF0\x9F\x98";
    assert_true(as_text_chars(mixed) <= strlen(mixed));
    assert_int_equal(as_text_chars(mixed), 1 + 1 + 1 + 1 + 3);
}

/* A clip keeps whole characters: 40 Chinese characters are 120 bytes, and a
 * cut never ends inside one (where "%.40s" would, after 13 and a third). */
static void test_clip_keeps_whole_characters(void **state)
{
    (void)state;
    assert_int_equal(as_text_clip(NULL, 40), 0);
    assert_int_equal(as_text_clip("", 40), 0);
    assert_int_equal(as_text_clip("JN1AZ4EH7DM430111", 40), 17); /* shorter: all of it */
    assert_int_equal(as_text_clip("JN1AZ4EH7DM430111", 3), 3);
    assert_int_equal(as_text_clip("brake", 0), 0);
    char chinese[3 * 50 + 1] = "";
    for (int i = 0; i < 50; i++)
        strcat(chinese, "\xE8\xBD\xA6"); /* 车 */
    assert_int_equal(as_text_clip(chinese, 40), 120);
    char out[200];
    snprintf(out, sizeof out, "%.*s", as_text_clip(chinese, 40), chinese);
    assert_int_equal(as_text_chars(out), 40);
    assert_int_equal(strlen(out), 120);
    assert_int_equal(as_text_clip("a\xC3\xA9\xF0\x9F\x98\x80z", 3), 1 + 2 + 4);
    /* a byte that begins no character is one, as as_text_chars counts it */
    assert_int_equal(as_text_clip("\xFF\x80"
                                  "ab",
                                  3),
                     3);
    assert_int_equal(as_text_clip("\xE6\x9B", 1), 1); /* cut short: one byte at a time */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat_field_named),
        cmocka_unit_test(test_bound_is_inclusive),
        cmocka_unit_test(test_repeated_strings),
        cmocka_unit_test(test_nested_and_repeated_messages_through_the_wire),
        cmocka_unit_test(test_json_field_carries_a_message),
        cmocka_unit_test(test_what_does_not_decode_is_left_to_the_handler),
        cmocka_unit_test(test_chars_count_code_points),
        cmocka_unit_test(test_chars_count_each_bad_byte_once),
        cmocka_unit_test(test_clip_keeps_whole_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
