/* test_printf_args.c — each argument of a printf call as text on its own:
 * what a refusal's reply carries for a page to say it in its language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/printf_args.h"

#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* Runs as_printf_args on the call's arguments; also checks that the caller's
 * arguments are still there for vsnprintf, as as_cmd_fail uses them. */
__attribute__((format(printf, 4, 5))) static int s_args(char *out, size_t cap, char *text,
                                                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = as_printf_args(out, cap, fmt, ap);
    vsnprintf(text, 256, fmt, ap);
    va_end(ap);
    return n;
}

/* as_printf_args alone, for formats printf itself would refuse (no
 * format attribute: the compiler must not check them). */
static int s_args_raw(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = as_printf_args(out, cap, fmt, ap);
    va_end(ap);
    return n;
}

/* The i-th text in out (each ends in NUL). */
static const char *s_nth(const char *out, int i)
{
    while (i-- > 0)
        out += strlen(out) + 1;
    return out;
}

static void test_each_argument_on_its_own(void **state)
{
    (void)state;
    char out[256], text[256];
    int n = s_args(out, sizeof out, text, "repair order '%s': amount_cents must be 1..%lld", "RO-7",
                   (long long)99999999);
    assert_int_equal(n, 2);
    assert_string_equal(s_nth(out, 0), "RO-7");
    assert_string_equal(s_nth(out, 1), "99999999");
    assert_string_equal(text, "repair order 'RO-7': amount_cents must be 1..99999999");
}

static void test_every_kind_of_conversion(void **state)
{
    (void)state;
    char out[256], text[256];
    size_t big = 12345678901ULL;
    ssize_t neg = -3;
    int n = s_args(out, sizeof out, text, "%d|%u|%ld|%zu|%zd|%x|%05.1f|%c|%hhd|%jd|%%|%-4s|%e", -7,
                   42u, -9L, big, neg, 255u, 2.25, 'Q', (signed char)-1, (intmax_t)77, "ab", 1.5);
    assert_int_equal(n, 12); /* %% is none */
    const char *want[] = {"-7",    "42", "-9", "12345678901", "-3",   "ff",
                          "002.2", "Q",  "-1", "77",          "ab  ", "1.500000e+00"};
    for (int i = 0; i < 12; i++)
        assert_string_equal(s_nth(out, i), want[i]);
    assert_string_equal(text, "-7|42|-9|12345678901|-3|ff|002.2|Q|-1|77|%|ab  |1.500000e+00");
}

static void test_star_width_and_precision(void **state)
{
    (void)state;
    char out[256], text[256];
    /* '*' takes its int from the arguments: the text is what printf makes of both */
    int n = s_args(out, sizeof out, text, "[%.*s] [%*d] [%*d] [%.*s]", 3, "abcdef", 5, 42, -4, 7,
                   -1, "whole");
    assert_int_equal(n, 4);
    assert_string_equal(s_nth(out, 0), "abc");
    assert_string_equal(s_nth(out, 1), "   42");
    assert_string_equal(s_nth(out, 2), "7   ");
    assert_string_equal(s_nth(out, 3), "whole");
    assert_string_equal(text, "[abc] [   42] [7   ] [whole]");
}

static void test_none_and_null(void **state)
{
    (void)state;
    char out[16], text[256];
    assert_int_equal(s_args(out, sizeof out, text, "staff_id is required"), 0);
    assert_int_equal(s_args(out, sizeof out, text, "100%% sure"), 0);
    assert_int_equal(s_args_raw(out, sizeof out, "%s", (const char *)NULL), 1);
    assert_string_equal(out, "(null)");
}

static void test_what_does_not_fit_or_is_not_taken(void **state)
{
    (void)state;
    char out[8], text[256];
    /* "abcdefgh" and its NUL need 9 bytes */
    assert_int_equal(s_args(out, sizeof out, text, "%s", "abcdefgh"), -1);
    assert_int_equal(s_args(out, sizeof out, text, "%s%s", "abc", "defg"), -1);
    assert_int_equal(s_args(out, sizeof out, text, "%s%s", "abc", "def"), 2);
    char big[64];
    /* a trailing '%', an unknown conversion, positional arguments, %n and a
     * wide string are refused, not read past */
    assert_int_equal(s_args_raw(big, sizeof big, "50%"), -1);
    assert_int_equal(s_args_raw(big, sizeof big, "%y", 1), -1);
    assert_int_equal(s_args_raw(big, sizeof big, "%1$s", "a"), -1);
    int count = 0;
    assert_int_equal(s_args_raw(big, sizeof big, "%n", &count), -1);
    assert_int_equal(s_args_raw(big, sizeof big, "%ls", L"w"), -1);
    assert_int_equal(count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_argument_on_its_own),
        cmocka_unit_test(test_every_kind_of_conversion),
        cmocka_unit_test(test_star_width_and_precision),
        cmocka_unit_test(test_none_and_null),
        cmocka_unit_test(test_what_does_not_fit_or_is_not_taken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
