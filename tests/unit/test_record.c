/* test_record.c — the one record layer: the key encoding, typed get/put/del,
 * load naming what is missing, prefix scans into owned lists, and the
 * one-time re-keying of a store written with another separator. Each test
 * works on a fresh store under $AS_TEST_TMP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/error.h"
#include "as/record.h"
#include "as/store.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    as_store_t *store;
    MDB_txn *txn;
    MDB_dbi dbi;
} s_fix_t;

static const char *const s_dbs[] = {"things", NULL};

static int s_setup(void **state)
{
    const char *tmp = getenv("AS_TEST_TMP");
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", tmp ? tmp : "/tmp");
    mkdir(dir, 0700);
    strncat(dir, "/record-XXXXXX", sizeof dir - strlen(dir) - 1);
    assert_non_null(mkdtemp(dir));
    s_fix_t *f = calloc(1, sizeof *f);
    int err = 0;
    f->store = as_store_open(dir, s_dbs, 0, &err);
    assert_non_null(f->store);
    f->dbi = as_store_dbi(f->store, "things");
    assert_int_equal(mdb_txn_begin(as_store_env(f->store), NULL, 0, &f->txn), 0);
    *state = f;
    return 0;
}

static int s_teardown(void **state)
{
    s_fix_t *f = *state;
    if (f->txn)
        mdb_txn_abort(f->txn);
    as_store_close(&f->store);
    free(f);
    return 0;
}

static As__SourceOffset s_offset(const char *source, uint64_t seq)
{
    As__SourceOffset off = AS__SOURCE_OFFSET__INIT;
    off.source = (char *)source;
    off.has_applied_seq = 1;
    off.applied_seq = seq;
    return off;
}

static void s_put_raw(s_fix_t *f, const void *key, size_t len, const void *value, size_t vlen)
{
    MDB_val k = {len, (void *)key}, v = {vlen, (void *)value};
    assert_int_equal(mdb_put(f->txn, f->dbi, &k, &v, 0), 0);
}

/* --- keys ------------------------------------------------------------------ */

static void test_key_parts_joined_by_nul(void **state)
{
    (void)state;
    as_key_t key;
    assert_int_equal(as_key_of(&key, "VIN1", "RO-1", NULL), 0);
    assert_int_equal(key.len, 9);
    assert_memory_equal(key.data, "VIN1\0RO-1", 9);
    assert_int_equal(as_key_add_u32(&key, 258), 0);
    assert_int_equal(key.len, 14);
    assert_memory_equal(key.data + 9, "\0\0\0\x01\x02", 5);
    /* an empty part is still a part */
    assert_int_equal(as_key_of(&key, "", "x", NULL), 0);
    assert_int_equal(key.len, 2);
    assert_memory_equal(key.data, "\0x", 2);
}

static void test_key_too_long_or_null(void **state)
{
    (void)state;
    char big[AS_KEY_MAX];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    as_key_t key;
    assert_int_equal(as_key_of(&key, big, NULL), 0); /* exactly AS_KEY_MAX - 1 */
    assert_int_equal(as_key_of(&key, big, "B", NULL), AS_EINVALID);
    assert_int_equal(key.len, 0);
    assert_int_equal(key.parts, 0);
    assert_int_equal(as_key_add(&key, NULL), AS_EINVALID);
    assert_int_equal(as_key_of(&key, "A", NULL), 0);
    key.len = AS_KEY_MAX - 2;
    assert_int_equal(as_key_add_u32(&key, 1), AS_EINVALID);
}

/* --- get / put / del / exists ------------------------------------------------- */

static void test_put_get_del(void **state)
{
    s_fix_t *f = *state;
    As__SourceOffset in = s_offset("reception@site", 42);
    assert_int_equal(as_record_put(f->txn, f->dbi, "R-1", &in.base), 0);
    assert_true(as_record_exists(f->txn, f->dbi, "R-1"));
    As__SourceOffset *out = NULL;
    assert_int_equal(as_record_get(f->txn, f->dbi, "R-1", &as__source_offset__descriptor, &out), 0);
    assert_string_equal(out->source, "reception@site");
    assert_int_equal(out->applied_seq, 42);
    as__source_offset__free_unpacked(out, NULL);
    /* the one-part key is the id itself */
    MDB_val k = {3, "R-1"}, v;
    assert_int_equal(mdb_get(f->txn, f->dbi, &k, &v), 0);

    assert_int_equal(as_record_del(f->txn, f->dbi, "R-1"), 0);
    assert_false(as_record_exists(f->txn, f->dbi, "R-1"));
    assert_int_equal(as_record_del(f->txn, f->dbi, "R-1"), 0); /* gone already: fine */
    out = NULL;
    assert_int_equal(as_record_get(f->txn, f->dbi, "R-1", &as__source_offset__descriptor, &out),
                     MDB_NOTFOUND);
    assert_null(out);
}

static void test_put_refuses_bad_ids_get_finds_nothing(void **state)
{
    s_fix_t *f = *state;
    char big[AS_KEY_MAX + 2];
    memset(big, 'Z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    As__SourceOffset in = s_offset("x", 1);
    assert_int_equal(as_record_put(f->txn, f->dbi, big, &in.base), AS_EINVALID);
    assert_int_equal(as_record_put(f->txn, f->dbi, "", &in.base), AS_EINVALID);
    assert_int_equal(as_record_put(f->txn, f->dbi, NULL, &in.base), AS_EINVALID);
    As__SourceOffset *out = NULL;
    assert_int_equal(as_record_get(f->txn, f->dbi, big, &as__source_offset__descriptor, &out),
                     MDB_NOTFOUND);
    assert_int_equal(as_record_get(f->txn, f->dbi, "", &as__source_offset__descriptor, &out),
                     MDB_NOTFOUND);
    assert_false(as_record_exists(f->txn, f->dbi, big));
    assert_int_equal(as_record_del(f->txn, f->dbi, big), 0);
    assert_int_equal(as_record_put_in(f->txn, f->dbi, big, "x", &in.base), AS_EINVALID);
    assert_int_equal(
        as_record_get_in(f->txn, f->dbi, big, "x", &as__source_offset__descriptor, &out),
        MDB_NOTFOUND);
}

static void test_value_that_does_not_decode(void **state)
{
    s_fix_t *f = *state;
    s_put_raw(f, "bad", 3, "\xff\xff\xff", 3);
    As__SourceOffset *out = NULL;
    assert_int_equal(as_record_get(f->txn, f->dbi, "bad", &as__source_offset__descriptor, &out),
                     AS_EBADFRAME);
    assert_null(out);
    as_record_list_t list;
    assert_int_equal(as_record_scan(f->txn, f->dbi, NULL, &as__source_offset__descriptor, &list),
                     AS_EBADFRAME);
    assert_int_equal(list.n, 0);
    assert_null(list.msgs);
    /* keys only: the value is not read */
    assert_int_equal(as_record_scan(f->txn, f->dbi, NULL, NULL, &list), 0);
    assert_int_equal(list.n, 1);
    assert_string_equal(list.keys[0], "bad");
    as_record_list_free(&list);
}

/* --- load -------------------------------------------------------------------- */

static void test_load_names_what_is_missing(void **state)
{
    s_fix_t *f = *state;
    as_cmd_t cmd = {0};
    cmd.txn = f->txn;
    As__SourceOffset *out = NULL;
    assert_int_equal(
        as_record_load(&cmd, f->dbi, "repair order", "R-1", &as__source_offset__descriptor, &out),
        AS_ENOTFOUND);
    assert_string_equal(cmd.error, "repair order 'R-1' does not exist");
    assert_null(out);

    As__SourceOffset in = s_offset("s", 7);
    assert_int_equal(as_record_put(f->txn, f->dbi, "R-1", &in.base), 0);
    cmd.error[0] = '\0';
    assert_int_equal(
        as_record_load(&cmd, f->dbi, "repair order", "R-1", &as__source_offset__descriptor, &out),
        0);
    assert_int_equal(out->applied_seq, 7);
    assert_string_equal(cmd.error, "");
    as__source_offset__free_unpacked(out, NULL);

    s_put_raw(f, "R-2", 3, "\xff", 1);
    assert_int_equal(
        as_record_load(&cmd, f->dbi, "repair order", "R-2", &as__source_offset__descriptor, &out),
        AS_EBADFRAME);
}

/* --- scans ------------------------------------------------------------------- */

static void s_put_job(s_fix_t *f, const char *ro, uint32_t no)
{
    as_key_t key;
    assert_int_equal(as_key_of(&key, ro, NULL), 0);
    assert_int_equal(as_key_add_u32(&key, no), 0);
    As__SourceOffset in = s_offset(ro, no);
    assert_int_equal(as_record_put_key(f->txn, f->dbi, &key, &in.base), 0);
}

static void test_scan_children_in_order(void **state)
{
    s_fix_t *f = *state;
    s_put_job(f, "RO-10", 1);
    s_put_job(f, "RO-1", 256);
    s_put_job(f, "RO-1", 2);
    s_put_job(f, "RO-2", 1);
    As__SourceOffset parent = s_offset("RO-1", 0);
    assert_int_equal(as_record_put(f->txn, f->dbi, "RO-1", &parent.base), 0);

    as_key_t prefix;
    assert_int_equal(as_key_of(&prefix, "RO-1", NULL), 0);
    as_record_list_t list;
    assert_int_equal(as_record_scan(f->txn, f->dbi, &prefix, &as__source_offset__descriptor, &list),
                     0);
    assert_int_equal(list.n, 2); /* not RO-1 itself, not RO-10's */
    assert_int_equal(((As__SourceOffset *)list.msgs[0])->applied_seq, 2);
    assert_int_equal(((As__SourceOffset *)list.msgs[1])->applied_seq, 256);
    assert_int_equal(list.key_lens[1], 4);
    assert_memory_equal(list.keys[1], "\0\0\x01\0", 4);
    as_record_list_free(&list);
    assert_int_equal(list.n, 0);

    assert_int_equal(as_record_scan(f->txn, f->dbi, NULL, &as__source_offset__descriptor, &list),
                     0);
    assert_int_equal(list.n, 5);
    assert_string_equal(((As__SourceOffset *)list.msgs[0])->source, "RO-1"); /* the parent */
    assert_string_equal(((As__SourceOffset *)list.msgs[4])->source, "RO-2");
    as_record_list_free(&list);

    assert_int_equal(as_record_scan_in(f->txn, f->dbi, "RO-3", NULL, &list), 0);
    assert_int_equal(list.n, 0);
    as_record_list_free(&list);
}

static void test_index_entries_in_a_parent(void **state)
{
    s_fix_t *f = *state;
    assert_int_equal(as_record_put_in(f->txn, f->dbi, "VIN1", "RO-2", NULL), 0);
    assert_int_equal(as_record_put_in(f->txn, f->dbi, "VIN1", "RO-1", NULL), 0);
    assert_int_equal(as_record_put_in(f->txn, f->dbi, "VIN10", "RO-3", NULL), 0);
    as_record_list_t list;
    assert_int_equal(as_record_scan_in(f->txn, f->dbi, "VIN1", NULL, &list), 0);
    assert_int_equal(list.n, 2);
    assert_string_equal(list.keys[0], "RO-1");
    assert_string_equal(list.keys[1], "RO-2");
    assert_null(list.msgs[0]);
    /* a caller may keep fewer messages than keys: every key is still freed */
    list.n = 1;
    as_record_list_free(&list);

    assert_int_equal(as_record_del_in(f->txn, f->dbi, "VIN1", "RO-1"), 0);
    assert_int_equal(as_record_scan_in(f->txn, f->dbi, "VIN1", NULL, &list), 0);
    assert_int_equal(list.n, 1);
    assert_string_equal(list.keys[0], "RO-2");
    as_record_list_free(&list);

    As__SourceOffset in = s_offset("held", 3), *out = NULL;
    assert_int_equal(as_record_put_in(f->txn, f->dbi, "RO-9", "0001:P-1", &in.base), 0);
    assert_int_equal(
        as_record_get_in(f->txn, f->dbi, "RO-9", "0001:P-1", &as__source_offset__descriptor, &out),
        0);
    assert_int_equal(out->applied_seq, 3);
    as__source_offset__free_unpacked(out, NULL);
    as_key_t key;
    assert_int_equal(as_key_of(&key, "RO-9", "0001:P-1", NULL), 0);
    assert_true(as_record_exists_key(f->txn, f->dbi, &key));
    assert_int_equal(as_record_del_key(f->txn, f->dbi, &key), 0);
    assert_false(as_record_exists_key(f->txn, f->dbi, &key));
}

static int s_count_until_two(const MDB_val *rest, const MDB_val *value, void *arg)
{
    (void)rest;
    (void)value;
    int *seen = arg;
    return ++*seen == 2 ? 77 : 0;
}

static void test_each_stops_on_the_callbacks_code(void **state)
{
    s_fix_t *f = *state;
    for (uint32_t i = 1; i <= 3; i++)
        s_put_job(f, "RO-1", i);
    int seen = 0;
    as_key_t prefix;
    assert_int_equal(as_key_of(&prefix, "RO-1", NULL), 0);
    assert_int_equal(as_record_each(f->txn, f->dbi, &prefix, s_count_until_two, &seen), 77);
    assert_int_equal(seen, 2);
}

/* A range read adds the id at the end of each index key ("word\0id"). */
static int s_add_key(const MDB_val *key, const MDB_val *value, void *arg)
{
    (void)value;
    const char *sep = memchr(key->mv_data, AS_KEY_SEP, key->mv_size);
    size_t skip = sep ? (size_t)(sep + 1 - (const char *)key->mv_data) : 0;
    return as_ids_add(arg, (const char *)key->mv_data + skip, key->mv_size - skip);
}

static void test_range_reads_a_prefix_inside_a_part(void **state)
{
    s_fix_t *f = *state;
    static const char *const words[] = {"wang", "wangfei", "wan", "wei", "li"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        assert_int_equal(as_record_put_in(f->txn, f->dbi, words[i], words[i], NULL), 0);
    assert_int_equal(as_record_put_in(f->txn, f->dbi, "wang", "C2", NULL), 0);
    as_ids_t found = AS_IDS_INIT;
    assert_int_equal(as_record_range(f->txn, f->dbi, "wang", 4, s_add_key, &found), 0);
    assert_int_equal(found.n, 3); /* wang\0C2, wang\0wang, wangfei\0wangfei: not wan, wei */
    assert_string_equal(found.ids[0], "C2");
    assert_string_equal(found.ids[2], "wangfei");
    assert_int_equal(as_record_range(f->txn, f->dbi, "x", 1, s_add_key, &found), 0);
    assert_int_equal(found.n, 3);
    assert_int_equal(as_record_range(f->txn, f->dbi, "", 0, s_add_key, &found), AS_EINVALID);
    as_ids_release(&found);
    assert_null(found.ids);

    as_ids_t ids = AS_IDS_INIT;
    static const char *const added[] = {"C3", "C1", "C3", "C2", "C1"};
    for (size_t i = 0; i < sizeof added / sizeof added[0]; i++)
        assert_int_equal(as_ids_add(&ids, added[i], 2), 0);
    as_ids_unique(&ids);
    assert_int_equal(ids.n, 3);
    assert_string_equal(ids.ids[0], "C1");
    assert_string_equal(ids.ids[2], "C3");
    as_ids_release(&ids);
}

/* as_record_list_keep: the even seqs. */
static bool s_even(ProtobufCMessage *msg, void *arg)
{
    (void)arg;
    return ((As__SourceOffset *)msg)->applied_seq % 2 == 0;
}

static void test_keep_filters_a_scan_in_order(void **state)
{
    s_fix_t *f = *state;
    for (uint32_t i = 1; i <= 5; i++)
        s_put_job(f, "RO-1", i);
    as_key_t prefix;
    assert_int_equal(as_key_of(&prefix, "RO-1", NULL), 0);
    as_record_list_t list;
    assert_int_equal(as_record_scan(f->txn, f->dbi, &prefix, &as__source_offset__descriptor, &list),
                     0);
    as_record_list_keep(&list, s_even, NULL);
    assert_int_equal(list.n, 2);
    assert_int_equal(((As__SourceOffset *)list.msgs[0])->applied_seq, 2);
    assert_int_equal(((As__SourceOffset *)list.msgs[1])->applied_seq, 4);
    assert_memory_equal(list.keys[0], "\0\0\0\x02", 4); /* each key still its record's */
    assert_memory_equal(list.keys[1], "\0\0\0\x04", 4);
    assert_int_equal(list.n_keys, 5); /* and every key freed (ASan) */
    as_record_list_free(&list);
}

/* as_record_list_sort: newest seq first; an empty scan (msgs NULL) is left. */
static int s_seq_desc(const void *a, const void *b)
{
    uint64_t x = (*(As__SourceOffset *const *)a)->applied_seq;
    uint64_t y = (*(As__SourceOffset *const *)b)->applied_seq;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void test_sort_orders_a_scan_and_takes_an_empty_one(void **state)
{
    s_fix_t *f = *state;
    as_key_t prefix;
    assert_int_equal(as_key_of(&prefix, "RO-9", NULL), 0);
    as_record_list_t list;
    assert_int_equal(as_record_scan(f->txn, f->dbi, &prefix, &as__source_offset__descriptor, &list),
                     0);
    assert_int_equal(list.n, 0);
    as_record_list_sort(&list, s_seq_desc); /* nothing to sort: no call on a NULL array */
    as_record_list_free(&list);
    for (uint32_t i = 1; i <= 3; i++)
        s_put_job(f, "RO-9", i);
    assert_int_equal(as_record_scan(f->txn, f->dbi, &prefix, &as__source_offset__descriptor, &list),
                     0);
    as_record_list_sort(&list, s_seq_desc);
    assert_int_equal(list.n, 3);
    assert_int_equal(((As__SourceOffset *)list.msgs[0])->applied_seq, 3);
    assert_int_equal(((As__SourceOffset *)list.msgs[2])->applied_seq, 1);
    as_record_list_free(&list);
}

/* --- the move from another separator ------------------------------------------ */

/* as_record_upgrade_with: only the first '|' of an old key is a separator. */
static bool s_first_pipe(const char *db, const char *old, size_t len, as_key_t *fresh, void *arg)
{
    assert_string_equal(db, "things");
    (*(int *)arg)++;
    const char *sep = memchr(old, '|', len);
    if (!sep)
        return false;
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)(sep - old), old);
    assert_int_equal(as_key_of(fresh, text, NULL), 0);
    snprintf(text, sizeof text, "%.*s", (int)(len - (size_t)(sep - old) - 1), sep + 1);
    return as_key_add(fresh, text) == 0;
}

static void test_upgrade_with_a_function(void **state)
{
    s_fix_t *f = *state;
    s_put_raw(f, "bay|lift|1", 10, "v", 1);
    s_put_raw(f, "plain", 5, "p", 1);
    assert_int_equal(mdb_txn_commit(f->txn), 0);
    f->txn = NULL;
    int calls = 0;
    size_t moved = 99;
    assert_int_equal(as_record_upgrade_with(f->store, s_dbs, s_first_pipe, &calls, &moved), 0);
    assert_int_equal(calls, 2);
    assert_int_equal(moved, 1);
    assert_int_equal(mdb_txn_begin(as_store_env(f->store), NULL, 0, &f->txn), 0);
    as_key_t key;
    assert_int_equal(as_key_of(&key, "bay", "lift|1", NULL), 0);
    assert_true(as_record_exists_key(f->txn, f->dbi, &key));
    assert_true(as_record_exists(f->txn, f->dbi, "plain"));
    mdb_txn_abort(f->txn);
    f->txn = NULL;
    assert_int_equal(as_record_upgrade_with(f->store, s_dbs, s_first_pipe, &calls, &moved), 0);
    assert_int_equal(calls, 2); /* once per store */
    assert_int_equal(moved, 0);
}

static void test_rekey_and_upgrade_once(void **state)
{
    s_fix_t *f = *state;
    s_put_raw(f, "VIN1/RO-2", 9, "", 0);
    s_put_raw(f, "VIN1/RO-1", 9, "", 0);
    s_put_raw(f, "VIN1/maintenance/2026-01-02", 27, "v", 1);
    s_put_raw(f, "plain", 5, "p", 1);
    assert_int_equal(mdb_txn_commit(f->txn), 0);
    f->txn = NULL;

    size_t moved = 99;
    assert_int_equal(as_record_upgrade(f->store, s_dbs, '/', &moved), 0);
    assert_int_equal(moved, 3);
    assert_int_equal(mdb_txn_begin(as_store_env(f->store), NULL, 0, &f->txn), 0);
    as_record_list_t list;
    assert_int_equal(as_record_scan_in(f->txn, f->dbi, "VIN1", NULL, &list), 0);
    assert_int_equal(list.n, 3);
    assert_string_equal(list.keys[0], "RO-1");
    assert_string_equal(list.keys[1], "RO-2");
    assert_int_equal(list.key_lens[2], 22);
    assert_memory_equal(list.keys[2],
                        "maintenance\0"
                        "2026-01-02",
                        22);
    as_record_list_free(&list);
    assert_true(as_record_exists(f->txn, f->dbi, "plain"));
    MDB_val k = {9, "VIN1/RO-1"}, v;
    assert_int_equal(mdb_get(f->txn, f->dbi, &k, &v), MDB_NOTFOUND);

    /* once: a later '/' is an id's own character, never moved again */
    s_put_raw(f, "a/b", 3, "", 0);
    assert_int_equal(mdb_txn_commit(f->txn), 0);
    f->txn = NULL;
    assert_int_equal(as_record_upgrade(f->store, s_dbs, '/', &moved), 0);
    assert_int_equal(moved, 0);
    assert_int_equal(mdb_txn_begin(as_store_env(f->store), NULL, 0, &f->txn), 0);
    assert_true(as_record_exists(f->txn, f->dbi, "a/b"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_parts_joined_by_nul),
        cmocka_unit_test(test_key_too_long_or_null),
        cmocka_unit_test_setup_teardown(test_put_get_del, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_put_refuses_bad_ids_get_finds_nothing, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_value_that_does_not_decode, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_load_names_what_is_missing, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_scan_children_in_order, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_index_entries_in_a_parent, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_each_stops_on_the_callbacks_code, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_range_reads_a_prefix_inside_a_part, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_rekey_and_upgrade_once, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_keep_filters_a_scan_in_order, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_sort_orders_a_scan_and_takes_an_empty_one, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_with_a_function, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
