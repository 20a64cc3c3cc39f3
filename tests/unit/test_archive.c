/* test_archive.c — outbox entries into an archive file and back: what
 * goes in (entries before a time, from seq 1 on), the file's mode, that
 * nothing is written over, and that verify finds a changed byte, a file cut
 * short and a summary that does not agree. Real LMDB stores under
 * $AS_TEST_TMP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/archive.h"
#include "as/error.h"
#include "as/store.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_SOURCE "parts@site"
#define S_T0 1796393100000000LL /* 2026-12-04 14:05 UTC */
#define S_MINUTE 60000000LL

typedef struct {
    char dir[PATH_MAX]; /* this test's own directory */
    char store[PATH_MAX + 16];
    char file[PATH_MAX + 16];
    char why[1024];
} s_fix_t;

static int s_setup(void **state)
{
    static unsigned counter;
    s_fix_t *fx = calloc(1, sizeof *fx);
    const char *tmp = getenv("AS_TEST_TMP");
    mkdir(tmp ? tmp : "/tmp", 0700);
    snprintf(fx->dir, sizeof fx->dir, "%s/archive-%d-%u", tmp ? tmp : "/tmp", (int)getpid(),
             counter++);
    assert_int_equal(mkdir(fx->dir, 0700), 0);
    snprintf(fx->store, sizeof fx->store, "%s/store", fx->dir);
    snprintf(fx->file, sizeof fx->file, "%s/out.arc", fx->dir);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    s_fix_t *fx = *state;
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

typedef struct {
    as_store_t *store;
    uint64_t n;
    const char *source;
} s_emit_t;

/* Appends events 1..n, one a minute from S_T0. */
static int s_emit_txn(MDB_txn *txn, void *arg)
{
    s_emit_t *e = arg;
    for (uint64_t seq = 1; seq <= e->n; seq++) {
        As__Envelope env = AS__ENVELOPE__INIT;
        env.id = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b";
        env.source = (char *)e->source;
        env.has_seq = env.has_time_us = 1;
        env.seq = seq;
        env.time_us = S_T0 + (int64_t)(seq - 1) * S_MINUTE;
        env.type = "parts.part.defined";
        uint8_t buf[256];
        size_t len = as__envelope__pack(&env, buf);
        int rc = as_outbox_append(e->store, txn, seq, buf, len);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void s_store_with(s_fix_t *fx, uint64_t n)
{
    int err = 0;
    as_store_t *store = as_store_open(fx->store, NULL, 0, &err);
    assert_non_null(store);
    s_emit_t e = {.store = store, .n = n, .source = S_SOURCE};
    assert_int_equal(as_store_write(store, s_emit_txn, &e), 0);
    as_store_close(&store);
}

/* Archives every entry of a store of n events into fx->file. */
static void s_archive_all(s_fix_t *fx, uint64_t n)
{
    s_store_with(fx, n);
    as_archive_summary_t sum;
    assert_int_equal(
        as_archive_write(fx->store, INT64_MAX, fx->file, &sum, fx->why, sizeof fx->why), 0);
    assert_int_equal(sum.events, n);
}

static void test_entries_before_the_time_from_seq_one(void **state)
{
    s_fix_t *fx = *state;
    s_store_with(fx, 10);
    as_archive_summary_t sum;
    /* before the 5th event's minute: seqs 1..4 */
    assert_int_equal(
        as_archive_write(fx->store, S_T0 + 4 * S_MINUTE, fx->file, &sum, fx->why, sizeof fx->why),
        0);
    assert_int_equal(sum.events, 4);
    assert_int_equal(sum.first_seq, 1);
    assert_int_equal(sum.last_seq, 4);
    assert_int_equal(sum.last_us, S_T0 + 3 * S_MINUTE);
    assert_string_equal(sum.source, S_SOURCE);
    assert_int_equal(strlen(sum.incarnation), AS_INCARNATION_LEN);
    struct stat st;
    assert_int_equal(stat(fx->file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    as_archive_summary_t read;
    assert_int_equal(as_archive_verify(fx->file, &read, fx->why, sizeof fx->why), 0);
    assert_int_equal(read.events, 4);
    assert_int_equal(read.last_seq, 4);
    assert_string_equal(read.digest, sum.digest);
    assert_string_equal(read.incarnation, sum.incarnation);
    assert_int_equal(read.before_us, S_T0 + 4 * S_MINUTE);
}

static void test_never_written_over(void **state)
{
    s_fix_t *fx = *state;
    s_archive_all(fx, 3);
    as_archive_summary_t sum;
    assert_int_equal(
        as_archive_write(fx->store, INT64_MAX, fx->file, &sum, fx->why, sizeof fx->why),
        AS_EEXISTS);
    assert_non_null(strstr(fx->why, "exists: an archive is never written over one"));
    as_archive_summary_t read;
    assert_int_equal(as_archive_verify(fx->file, &read, fx->why, sizeof fx->why), 0);
    assert_int_equal(read.events, 3);
}

static void test_empty_archive_when_nothing_is_older(void **state)
{
    s_fix_t *fx = *state;
    s_store_with(fx, 3);
    as_archive_summary_t sum;
    assert_int_equal(as_archive_write(fx->store, S_T0, fx->file, &sum, fx->why, sizeof fx->why), 0);
    assert_int_equal(sum.events, 0);
    assert_int_equal(as_archive_verify(fx->file, &sum, fx->why, sizeof fx->why), 0);
    assert_int_equal(sum.events, 0);
    assert_int_equal(sum.last_seq, 0);
}

static void test_missing_store_writes_nothing(void **state)
{
    s_fix_t *fx = *state;
    as_archive_summary_t sum;
    assert_int_not_equal(
        as_archive_write(fx->store, INT64_MAX, fx->file, &sum, fx->why, sizeof fx->why), 0);
    assert_non_null(strstr(fx->why, fx->store));
    assert_int_equal(access(fx->file, F_OK), -1);
    char partial[PATH_MAX + 32];
    snprintf(partial, sizeof partial, "%s.partial", fx->file);
    assert_int_equal(access(partial, F_OK), -1);
}

/* The archive's bytes, read whole (caller frees). */
static unsigned char *s_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *buf = malloc(1 << 16);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

static void s_spit(const char *path, const unsigned char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
}

static void s_assert_damaged(s_fix_t *fx, const unsigned char *buf, size_t len, const char *says)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/bad.arc", fx->dir);
    s_spit(path, buf, len);
    as_archive_summary_t sum;
    assert_int_equal(as_archive_verify(path, &sum, fx->why, sizeof fx->why), AS_EDAMAGED);
    if (!strstr(fx->why, says))
        fail_msg("'%s' does not say '%s'", fx->why, says);
}

static void test_verify_finds_damage(void **state)
{
    s_fix_t *fx = *state;
    s_archive_all(fx, 5);
    size_t len;
    unsigned char *buf = s_slurp(fx->file, &len);
    size_t magic = strlen(AS_ARCHIVE_MAGIC);

    s_assert_damaged(fx, buf, 120, "is cut short");
    s_assert_damaged(fx, buf, len - 3, "");
    unsigned char *copy = malloc(len);
    memcpy(copy, buf, len);
    copy[0] = 'X';
    s_assert_damaged(fx, copy, len, "is not an outbox archive");
    /* a byte of an entry's id: still decodes, the digest differs */
    memcpy(copy, buf, len);
    copy[magic + 4 + 5] ^= 1;
    s_assert_damaged(fx, copy, len, "the digest (blake2b) differs");
    /* the summary's count changed */
    memcpy(copy, buf, len);
    size_t at = len;
    for (size_t i = 0; i + 10 <= len && at == len; i++)
        if (memcmp(copy + i, "\"events\":5", 10) == 0)
            at = i;
    assert_true(at < len);
    copy[at + 9] = '4';
    s_assert_damaged(fx, copy, len, "the number of events differs");
    free(copy);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_entries_before_the_time_from_seq_one, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_never_written_over, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_empty_archive_when_nothing_is_older, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_missing_store_writes_nothing, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_verify_finds_damage, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
