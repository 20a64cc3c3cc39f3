/* test_error.c — as_strerror() and as_errname() for every band of codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/error.h"

#include <ctype.h>
#include <errno.h>
#include <lmdb.h>
#include <string.h>

static const int s_as_codes[] = {
    AS_EINVALID,  AS_EBADFRAME, AS_ETOOBIG,  AS_EUNKNOWN,  AS_EDENIED,
    AS_ENOTFOUND, AS_ECONFLICT, AS_ETIMEOUT, AS_EDIVERGED, AS_ECONFIG,
    AS_EINTERNAL, AS_EEXISTS,   AS_ERETRY,   AS_ELOCKED,   AS_EDAMAGED,
};
#define S_AS_CODE_COUNT (sizeof(s_as_codes) / sizeof(s_as_codes[0]))

static void test_as_codes_have_distinct_texts(void **state)
{
    (void)state;
    for (size_t i = 0; i < S_AS_CODE_COUNT; i++) {
        const char *text = as_strerror(s_as_codes[i]);
        assert_non_null(text);
        assert_true(strlen(text) > 0);
        assert_true(islower((unsigned char)text[0]));
        assert_string_not_equal(text, "unrecognized error code");
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(text, as_strerror(s_as_codes[j]));
        }
    }
}

static void test_as_codes_have_stable_names(void **state)
{
    (void)state;
    static const char *const names[] = {
        "invalid",   "bad-frame", "too-big", "unknown",  "denied",
        "not-found", "conflict",  "timeout", "diverged", "config",
        "internal",  "exists",    "retry",   "locked",   "damaged",
    };
    assert_int_equal(sizeof(names) / sizeof(names[0]), S_AS_CODE_COUNT);
    for (size_t i = 0; i < S_AS_CODE_COUNT; i++) {
        assert_string_equal(as_errname(s_as_codes[i]), names[i]);
    }
    assert_string_equal(as_errname(AS_OK), "ok");
    assert_string_equal(as_strerror(AS_OK), "success");
}

static void test_errno_codes(void **state)
{
    (void)state;
    assert_string_equal(as_strerror(-ENOENT), "No such file or directory");
    assert_string_equal(as_strerror(-ENOMEM), "Cannot allocate memory");
    assert_string_equal(as_errname(-ENOENT), "system");
    assert_string_equal(as_errname(-EACCES), "system");
    /* LMDB hands out positive errno values; they read the same. */
    assert_string_equal(as_strerror(ENOENT), "No such file or directory");
    assert_string_equal(as_errname(ENOSPC), "system");
    /* Texts are static: the same pointer every time, safe across threads. */
    assert_ptr_equal(as_strerror(-EIO), as_strerror(-EIO));
    assert_string_not_equal(as_strerror(-EINVAL), as_strerror(AS_EINVALID));
}

static void test_mdb_codes(void **state)
{
    (void)state;
    assert_non_null(strstr(as_strerror(MDB_NOTFOUND), "MDB_NOTFOUND"));
    assert_non_null(strstr(as_strerror(MDB_MAP_FULL), "MDB_MAP_FULL"));
    assert_non_null(strstr(as_strerror(MDB_KEYEXIST), "MDB_KEYEXIST"));
    assert_non_null(strstr(as_strerror(MDB_LAST_ERRCODE), "MDB_"));
    for (int code = MDB_KEYEXIST; code <= MDB_LAST_ERRCODE; code++) {
        assert_string_equal(as_errname(code), "store");
    }
}

static void test_unrecognized_codes(void **state)
{
    (void)state;
    static const int codes[] = {-20000, -20014, -30800, -30779, 123456, -123456};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        assert_string_equal(as_strerror(codes[i]), "unrecognized error code");
        assert_string_equal(as_errname(codes[i]), "unrecognized");
    }
}

/* One place decides what a handler's code means for its command or event. */
static void test_handler_outcomes(void **state)
{
    (void)state;
    assert_int_equal(as_outcome_of(0), AS_OUTCOME_DONE);
    for (size_t i = 0; i < S_AS_CODE_COUNT; i++)
        assert_int_equal(as_outcome_of(s_as_codes[i]),
                         s_as_codes[i] == AS_ERETRY ? AS_OUTCOME_STRAY : AS_OUTCOME_REFUSED);
    static const int store[] = {MDB_MAP_FULL, MDB_TXN_FULL, MDB_BAD_TXN, MDB_PANIC, MDB_CORRUPTED,
                                -EIO,         EIO,          -ENOSPC,     ENOSPC,    -ENOMEM};
    for (size_t i = 0; i < sizeof store / sizeof store[0]; i++)
        assert_int_equal(as_outcome_of(store[i]), AS_OUTCOME_STORE);
    static const int stray[] = {MDB_NOTFOUND, MDB_KEYEXIST, MDB_BAD_VALSIZE, -EINVAL,
                                EINVAL,       40000,        -12345,          -20099};
    for (size_t i = 0; i < sizeof stray / sizeof stray[0]; i++)
        assert_int_equal(as_outcome_of(stray[i]), AS_OUTCOME_STRAY);
}

static void test_code_names(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(as_codename(MDB_NOTFOUND, buf, sizeof buf), "MDB_NOTFOUND");
    assert_string_equal(as_codename(-EINVAL, buf, sizeof buf), "-EINVAL");
    assert_string_equal(as_codename(EIO, buf, sizeof buf), "EIO");
    assert_string_equal(as_codename(AS_EDENIED, buf, sizeof buf), "AS_EDENIED");
    assert_string_equal(as_codename(40000, buf, sizeof buf), "code 40000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_as_codes_have_distinct_texts),
        cmocka_unit_test(test_as_codes_have_stable_names),
        cmocka_unit_test(test_errno_codes),
        cmocka_unit_test(test_mdb_codes),
        cmocka_unit_test(test_unrecognized_codes),
        cmocka_unit_test(test_handler_outcomes),
        cmocka_unit_test(test_code_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
