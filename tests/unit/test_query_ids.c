/* test_query_ids.c — queries' request ids held until a turn writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "as/error.h"
#include "as/query_ids.h"
#include "as/store.h"

static void test_held_found_until_cleared(void **state)
{
    (void)state;
    as_query_ids_t *ids = as_query_ids_new();
    assert_non_null(ids);
    MDB_val rec;
    assert_false(as_query_ids_find(ids, "q-1", &rec));
    assert_int_equal(as_query_ids_hold(ids, "q-1", 100, "alice", 5), 0);
    assert_int_equal(as_query_ids_hold(ids, "q-2", 200, "bob", 3), 0);
    assert_true(as_query_ids_find(ids, "q-2", &rec));
    assert_int_equal(rec.mv_size, 3);
    assert_memory_equal(rec.mv_data, "bob", 3);
    assert_false(as_query_ids_find(ids, "q-", &rec)); /* whole ids only */
    assert_int_equal(as_query_ids_count(ids), 2);
    as_query_ids_clear(ids);
    assert_false(as_query_ids_find(ids, "q-1", &rec));
    assert_int_equal(as_query_ids_count(ids), 0);
    as_query_ids_destroy(&ids);
    assert_null(ids);
    as_query_ids_destroy(&ids); /* twice: nothing */
}

static void test_full_list_refuses_more(void **state)
{
    (void)state;
    as_query_ids_t *ids = as_query_ids_new();
    char id[32];
    for (int i = 0; i < AS_QUERY_IDS_MAX; i++) {
        assert_false(as_query_ids_full(ids));
        snprintf(id, sizeof id, "q-%d", i);
        assert_int_equal(as_query_ids_hold(ids, id, i, "", 0), 0);
    }
    assert_true(as_query_ids_full(ids));
    assert_int_equal(as_query_ids_hold(ids, "one-more", 1, "x", 1), AS_EINVALID);
    MDB_val rec;
    assert_false(as_query_ids_find(ids, "one-more", &rec));
    assert_true(as_query_ids_find(ids, "q-255", &rec));
    as_query_ids_destroy(&ids);
}

static int s_write_held(MDB_txn *txn, void *arg)
{
    void **both = arg;
    return as_query_ids_write(both[0], both[1], txn);
}

static int s_get_q1(MDB_txn *txn, void *arg)
{
    void **both = arg;
    MDB_val *out = both[2];
    return as_request_get(both[1], txn, "q-1", out);
}

static void test_written_in_the_store_at_their_time(void **state)
{
    (void)state;
    char dir[256];
    const char *tmp = getenv("AS_TEST_TMP");
    snprintf(dir, sizeof dir, "%s/test_query_ids-%ld", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    int err = 0;
    as_store_t *store = as_store_open(dir, NULL, 0, &err);
    assert_non_null(store);
    as_query_ids_t *ids = as_query_ids_new();
    assert_int_equal(as_query_ids_hold(ids, "q-1", 1234, "rec-1", 5), 0);
    MDB_val got = {0};
    void *both[] = {ids, store, &got};
    uint64_t commits = as_store_commits(store);
    assert_int_equal(as_store_write(store, s_write_held, both), 0);
    assert_int_equal(as_store_commits(store), commits + 1);
    as_query_ids_clear(ids);
    /* an empty list writes nothing: LMDB commits nothing, nothing is counted */
    assert_int_equal(as_store_write(store, s_write_held, both), 0);
    assert_int_equal(as_store_commits(store), commits + 1);
    assert_int_equal(as_store_read(store, s_get_q1, both), 0);
    assert_int_equal(got.mv_size, 5);
    as_query_ids_destroy(&ids);
    as_store_close(&store);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_held_found_until_cleared),
        cmocka_unit_test(test_full_list_refuses_more),
        cmocka_unit_test(test_written_in_the_store_at_their_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
