/* test_store.c — the LMDB store: open and incarnation, outbox, offsets,
 * requests, meta, message helpers, write transactions (abort, map growth),
 * hot backup and restore. Each test works in its own directory under
 * $AS_TEST_TMP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/envelope.h"
#include "as/error.h"
#include "as/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* --- helpers ------------------------------------------------------------- */

static char s_base[PATH_MAX];

static void s_mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0700);
            *p = '/';
        }
    }
    if (mkdir(buf, 0700) != 0)
        assert_int_equal(errno, EEXIST);
}

static int s_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static int s_setup(void **state)
{
    (void)state;
    const char *tmp = getenv("AS_TEST_TMP");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    s_mkdir_p(tmp);
    snprintf(s_base, sizeof s_base, "%s/test_store-%ld", tmp, (long)getpid());
    s_mkdir_p(s_base);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    nftw(s_base, s_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* A fresh, not yet existing directory path under the test base. */
static void s_path(char *out, size_t cap, const char *name)
{
    static unsigned counter;
    int n = snprintf(out, cap, "%s/%s-%u", s_base, name, ++counter);
    assert_true(n > 0 && (size_t)n < cap);
}

static as_store_t *s_open(const char *dir, const char *const *dbs, size_t map_size)
{
    int err = 12345;
    as_store_t *store = as_store_open(dir, dbs, map_size, &err);
    if (!store)
        fail_msg("as_store_open(%s) failed: %d %s", dir, err, as_strerror(err));
    return store;
}

static bool s_is_uuidv7(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash != (s[i] == '-'))
            return false;
        if (!dash && !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return s[14] == '7' && strchr("89ab", s[19]) != NULL;
}

/* Read transaction helpers: each runs one fixed query. */
typedef struct {
    const char *name;
    char value[256];
    int rc;
} s_meta_q;

static as_store_t *s_current; /* the store the transaction helpers use */

static int s_meta_read(MDB_txn *txn, void *arg)
{
    s_meta_q *q = arg;
    MDB_val value;
    q->rc = as_meta_get(s_current, txn, q->name, &value);
    q->value[0] = '\0';
    if (q->rc == 0) {
        assert_true(value.mv_size < sizeof q->value);
        memcpy(q->value, value.mv_data, value.mv_size);
        q->value[value.mv_size] = '\0';
    }
    return 0;
}

/* Returns the meta value (static buffer) or NULL when absent. */
static const char *s_meta(as_store_t *store, const char *name)
{
    static s_meta_q q;
    memset(&q, 0, sizeof q);
    q.name = name;
    s_current = store;
    assert_int_equal(as_store_read(store, s_meta_read, &q), 0);
    if (q.rc == MDB_NOTFOUND)
        return NULL;
    assert_int_equal(q.rc, 0);
    return q.value;
}

static int s_last_read(MDB_txn *txn, void *arg)
{
    return as_outbox_last(s_current, txn, arg);
}

static uint64_t s_last(as_store_t *store)
{
    uint64_t last = 999999;
    s_current = store;
    assert_int_equal(as_store_read(store, s_last_read, &last), 0);
    return last;
}

/* The outbox value written for `seq` in these tests: 16 bytes. */
#define S_VALUE_LEN 16
static void s_value_of(uint64_t seq, char out[S_VALUE_LEN + 1])
{
    snprintf(out, S_VALUE_LEN + 1, "v%015llu", (unsigned long long)seq);
}

typedef struct {
    uint64_t from, to; /* appends from..to inclusive */
} s_range_t;

static int s_append_range(MDB_txn *txn, void *arg)
{
    s_range_t *range = arg;
    for (uint64_t seq = range->from; seq <= range->to; seq++) {
        char value[S_VALUE_LEN + 1];
        s_value_of(seq, value);
        int rc = as_outbox_append(s_current, txn, seq, value, S_VALUE_LEN);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void s_append(as_store_t *store, uint64_t from, uint64_t to)
{
    s_range_t range = {from, to};
    s_current = store;
    assert_int_equal(as_store_write(store, s_append_range, &range), 0);
}

/* Collects what as_outbox_scan hands out. */
typedef struct {
    uint64_t first, last;
    size_t count, bytes;
    bool contiguous;   /* every seq is the previous + 1, values match */
    size_t stop_after; /* 0: never stop */
    uint64_t from;
    size_t max, max_bytes;
    int rc;
} s_scan_t;

static int s_scan_fn(uint64_t seq, const MDB_val *value, void *arg)
{
    s_scan_t *scan = arg;
    char expected[S_VALUE_LEN + 1];
    s_value_of(seq, expected);
    if (value->mv_size != S_VALUE_LEN || memcmp(value->mv_data, expected, S_VALUE_LEN) != 0)
        scan->contiguous = false;
    if (scan->count == 0)
        scan->first = seq;
    else if (seq != scan->last + 1)
        scan->contiguous = false;
    scan->last = seq;
    scan->count++;
    scan->bytes += value->mv_size;
    if (scan->stop_after && scan->count == scan->stop_after)
        return 77;
    return 0;
}

static int s_scan_read(MDB_txn *txn, void *arg)
{
    s_scan_t *scan = arg;
    scan->rc =
        as_outbox_scan(s_current, txn, scan->from, scan->max, scan->max_bytes, s_scan_fn, scan);
    return 0;
}

static s_scan_t s_scan(as_store_t *store, uint64_t from, size_t max, size_t max_bytes)
{
    s_scan_t scan = {.contiguous = true, .from = from, .max = max, .max_bytes = max_bytes};
    s_current = store;
    assert_int_equal(as_store_read(store, s_scan_read, &scan), 0);
    return scan;
}

/* --- open and incarnation ------------------------------------------------- */

typedef struct {
    const char *db;
    const char *key;
    const char *value;
} s_kv_t;

static int s_kv_put(MDB_txn *txn, void *arg)
{
    s_kv_t *kv = arg;
    MDB_val key = {strlen(kv->key), (void *)kv->key};
    MDB_val value = {strlen(kv->value), (void *)kv->value};
    return mdb_put(txn, as_store_dbi(s_current, kv->db), &key, &value, 0);
}

static int s_kv_get(MDB_txn *txn, void *arg)
{
    s_kv_t *kv = arg;
    MDB_val key = {strlen(kv->key), (void *)kv->key}, value;
    int rc = mdb_get(txn, as_store_dbi(s_current, kv->db), &key, &value);
    if (rc != 0)
        return rc;
    static char copy[256];
    assert_true(value.mv_size < sizeof copy);
    memcpy(copy, value.mv_data, value.mv_size);
    copy[value.mv_size] = '\0';
    kv->value = copy;
    return 0;
}

static void test_open_creates_dbs_and_incarnation(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "open/nested/deeper"); /* parents made as needed */
    static const char *const dbs[] = {"repair_orders", "by_vin", NULL};

    as_store_t *store = s_open(dir, dbs, 0);
    char incarnation[AS_INCARNATION_LEN + 1];
    snprintf(incarnation, sizeof incarnation, "%s", as_store_incarnation(store));
    assert_true(s_is_uuidv7(incarnation));
    assert_string_equal(s_meta(store, "incarnation"), incarnation);
    assert_string_equal(s_meta(store, "format"), "1");
    const char *created = s_meta(store, "created_us");
    assert_non_null(created);
    assert_true(strtoll(created, NULL, 10) > 1600000000000000LL);
    assert_null(s_meta(store, "restored_at_seq"));
    assert_int_equal(s_last(store), 0);
    assert_int_equal(as_store_grows(store), 0);
    assert_int_equal(as_store_commits(store), 0);

    /* both domain databases exist and keep their own keys */
    s_current = store;
    s_kv_t a = {"repair_orders", "RO-1", "open"}, b = {"by_vin", "RO-1", "JN1AZ0000"};
    assert_int_equal(as_store_write(store, s_kv_put, &a), 0);
    assert_int_equal(as_store_write(store, s_kv_put, &b), 0);
    assert_int_equal(as_store_commits(store), 2);
    assert_int_not_equal(as_store_dbi(store, "repair_orders"), as_store_dbi(store, "by_vin"));
    as_store_close(&store);
    assert_null(store);
    as_store_close(&store); /* closing NULL is a no-op */

    /* reopen: same incarnation, data kept, no new meta written */
    store = s_open(dir, dbs, 0);
    assert_string_equal(as_store_incarnation(store), incarnation);
    assert_string_equal(s_meta(store, "created_us"), created);
    s_current = store;
    s_kv_t get = {"repair_orders", "RO-1", NULL};
    assert_int_equal(as_store_read(store, s_kv_get, &get), 0);
    assert_string_equal(get.value, "open");
    s_kv_t missing = {"by_vin", "RO-2", NULL};
    assert_int_equal(as_store_read(store, s_kv_get, &missing), MDB_NOTFOUND);
    as_store_close(&store);

    /* a fresh store is another incarnation */
    char other_dir[PATH_MAX];
    s_path(other_dir, sizeof other_dir, "open-other");
    as_store_t *other = s_open(other_dir, NULL, 0);
    assert_true(s_is_uuidv7(as_store_incarnation(other)));
    assert_string_not_equal(as_store_incarnation(other), incarnation);
    as_store_close(&other);
}

static void test_open_fails(void **state)
{
    (void)state;
    /* a regular file where a directory is needed */
    char file[PATH_MAX], dir[PATH_MAX + 8];
    s_path(file, sizeof file, "plain-file");
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(dir, sizeof dir, "%s/sub", file);
    int err = 0;
    assert_null(as_store_open(dir, NULL, 0, &err));
    assert_int_equal(err, -ENOTDIR);

    /* more domain databases than the store supports (4096 since issue 16: a
     * group kpi of 50 sites has ~1,100) */
    enum { S_MANY = 4097 };
    const char **many = calloc(S_MANY + 1, sizeof *many);
    char(*names)[16] = calloc(S_MANY, sizeof *names);
    assert_non_null(many);
    assert_non_null(names);
    for (int i = 0; i < S_MANY; i++) {
        snprintf(names[i], sizeof names[i], "db%d", i);
        many[i] = names[i];
    }
    char dir2[PATH_MAX];
    s_path(dir2, sizeof dir2, "too-many-dbs");
    err = 0;
    assert_null(as_store_open(dir2, many, 0, &err));
    assert_int_equal(err, AS_EINVALID);
    free(many);
    free(names);

    /* a domain database may not take a name the runtime uses itself */
    static const char *const reserved[] = {"outbox", "offsets", "requests", "meta",
                                           "request_times"};
    for (size_t i = 0; i < 5; i++) {
        const char *dbs[] = {"ok", reserved[i], NULL};
        err = 0;
        s_path(dir2, sizeof dir2, reserved[i]);
        assert_null(as_store_open(dir2, dbs, 0, &err));
        assert_int_equal(err, AS_EINVALID);
    }
}

/* --- outbox ----------------------------------------------------------------- */

static void test_outbox_append_last_scan(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "outbox");
    as_store_t *store = s_open(dir, NULL, 0);

    /* past 255 and 65535 the big-endian keys must still sort by number */
    const uint64_t n = 66000;
    s_append(store, 1, 1000);
    s_append(store, 1001, n);
    assert_int_equal(s_last(store), n);

    s_scan_t all = s_scan(store, 1, SIZE_MAX, SIZE_MAX);
    assert_int_equal(all.rc, 0);
    assert_int_equal(all.count, n);
    assert_int_equal(all.first, 1);
    assert_int_equal(all.last, n);
    assert_true(all.contiguous);

    /* from the middle, across byte boundaries */
    s_scan_t at255 = s_scan(store, 255, 3, SIZE_MAX);
    assert_int_equal(at255.rc, 0);
    assert_int_equal(at255.count, 3);
    assert_int_equal(at255.first, 255);
    assert_int_equal(at255.last, 257);
    assert_true(at255.contiguous);

    s_scan_t at65535 = s_scan(store, 65535, 3, SIZE_MAX);
    assert_int_equal(at65535.count, 3);
    assert_int_equal(at65535.first, 65535);
    assert_int_equal(at65535.last, 65537);
    assert_true(at65535.contiguous);

    /* the count limit */
    s_scan_t ten = s_scan(store, 1, 10, SIZE_MAX);
    assert_int_equal(ten.count, 10);
    assert_int_equal(ten.last, 10);

    /* the byte limit: three 16-byte values fit in 50 bytes, four do not */
    s_scan_t bytes = s_scan(store, 100, SIZE_MAX, 50);
    assert_int_equal(bytes.rc, 0);
    assert_int_equal(bytes.count, 3);
    assert_int_equal(bytes.first, 100);
    assert_int_equal(bytes.bytes, 48);
    s_scan_t exact = s_scan(store, 100, SIZE_MAX, 48);
    assert_int_equal(exact.count, 3);

    /* at least one entry, even when it alone is over the byte limit */
    s_scan_t one = s_scan(store, 7, SIZE_MAX, 1);
    assert_int_equal(one.count, 1);
    assert_int_equal(one.first, 7);

    /* the tail, and beyond the end */
    s_scan_t tail = s_scan(store, n - 1, 100, SIZE_MAX);
    assert_int_equal(tail.rc, 0);
    assert_int_equal(tail.count, 2);
    assert_int_equal(tail.last, n);
    s_scan_t beyond = s_scan(store, n + 1, 100, SIZE_MAX);
    assert_int_equal(beyond.rc, 0);
    assert_int_equal(beyond.count, 0);
    s_scan_t far = s_scan(store, UINT64_MAX, 100, SIZE_MAX);
    assert_int_equal(far.rc, 0);
    assert_int_equal(far.count, 0);

    /* fn stops the scan and its code is returned */
    s_scan_t stop = {
        .contiguous = true, .from = 500, .max = SIZE_MAX, .max_bytes = SIZE_MAX, .stop_after = 2};
    s_current = store;
    assert_int_equal(as_store_read(store, s_scan_read, &stop), 0);
    assert_int_equal(stop.rc, 77);
    assert_int_equal(stop.count, 2);
    assert_int_equal(stop.last, 501);

    /* all of it survives a reopen */
    as_store_close(&store);
    store = s_open(dir, NULL, 0);
    assert_int_equal(s_last(store), n);
    s_scan_t again = s_scan(store, 65000, SIZE_MAX, SIZE_MAX);
    assert_int_equal(again.count, n - 65000 + 1);
    assert_true(again.contiguous);
    as_store_close(&store);
}

static void test_outbox_scan_empty(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "outbox-empty");
    as_store_t *store = s_open(dir, NULL, 0);
    assert_int_equal(s_last(store), 0);
    s_scan_t scan = s_scan(store, 1, 100, SIZE_MAX);
    assert_int_equal(scan.rc, 0);
    assert_int_equal(scan.count, 0);
    as_store_close(&store);
}

typedef struct {
    uint64_t seq;
    int rc;
    uint64_t last_after;
} s_bad_append_t;

/* Appends one out-of-order seq, records the result and the last seq seen
 * afterwards in the same transaction, then commits. */
static int s_bad_append(MDB_txn *txn, void *arg)
{
    s_bad_append_t *bad = arg;
    bad->rc = as_outbox_append(s_current, txn, bad->seq, "BAD-VALUE-BAD-VA", S_VALUE_LEN);
    int rc = as_outbox_last(s_current, txn, &bad->last_after);
    return rc;
}

static void test_outbox_append_out_of_order(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "outbox-order");
    as_store_t *store = s_open(dir, NULL, 0);
    s_current = store;

    /* an empty outbox starts at 1 */
    s_bad_append_t first = {.seq = 2};
    assert_int_equal(as_store_write(store, s_bad_append, &first), 0);
    assert_int_equal(first.rc, AS_EINVALID);
    assert_int_equal(first.last_after, 0);
    s_bad_append_t zero = {.seq = 0};
    assert_int_equal(as_store_write(store, s_bad_append, &zero), 0);
    assert_int_equal(zero.rc, AS_EINVALID);
    assert_int_equal(s_last(store), 0);

    s_append(store, 1, 300);
    /* a repeat, an older seq, a gap, and a far jump are all refused */
    const uint64_t bad_seqs[] = {300, 299, 1, 0, 302, 1000, UINT64_MAX};
    for (size_t i = 0; i < sizeof bad_seqs / sizeof bad_seqs[0]; i++) {
        s_bad_append_t bad = {.seq = bad_seqs[i]};
        assert_int_equal(as_store_write(store, s_bad_append, &bad), 0);
        if (bad.rc != AS_EINVALID)
            fail_msg("append of seq %llu after 300 returned %d, expected AS_EINVALID",
                     (unsigned long long)bad.seq, bad.rc);
        assert_int_equal(bad.last_after, 300);
    }

    /* nothing was written: the outbox is exactly 1..300, values untouched */
    assert_int_equal(s_last(store), 300);
    s_scan_t scan = s_scan(store, 1, SIZE_MAX, SIZE_MAX);
    assert_int_equal(scan.count, 300);
    assert_true(scan.contiguous);

    /* and the next in order still goes in */
    s_append(store, 301, 301);
    assert_int_equal(s_last(store), 301);

    /* a failing append inside as_store_write aborts the whole transaction */
    s_range_t range = {302, 310};     /* fine ... */
    s_range_t bad_range = {312, 320}; /* ... but this one leaves a gap */
    assert_int_equal(as_store_write(store, s_append_range, &range), 0);
    assert_int_equal(as_store_write(store, s_append_range, &bad_range), AS_EINVALID);
    assert_int_equal(s_last(store), 310);
    as_store_close(&store);
}

/* --- offsets ----------------------------------------------------------------- */

typedef struct {
    const As__SourceOffset *put;
    const char *source;
    As__SourceOffset *got;
    int rc;
} s_offset_q;

static int s_offset_put(MDB_txn *txn, void *arg)
{
    s_offset_q *q = arg;
    return as_offset_put(s_current, txn, q->put);
}

static int s_offset_get(MDB_txn *txn, void *arg)
{
    s_offset_q *q = arg;
    q->rc = as_offset_get(s_current, txn, q->source, &q->got);
    return 0;
}

typedef struct {
    size_t count;
    char sources[8][64];
    uint64_t applied[8];
    size_t stop_after;
} s_each_t;

static int s_each_fn(const As__SourceOffset *off, void *arg)
{
    s_each_t *each = arg;
    assert_true(each->count < 8);
    snprintf(each->sources[each->count], sizeof each->sources[0], "%s", off->source);
    each->applied[each->count] = off->applied_seq;
    each->count++;
    return each->stop_after && each->count == each->stop_after ? 55 : 0;
}

static int s_each_read(MDB_txn *txn, void *arg)
{
    return as_offset_each(s_current, txn, s_each_fn, arg);
}

/* Writes raw bytes into the store's "offsets" database, as a damaged or
 * foreign record would be. */
typedef struct {
    const char *key;
    const void *value;
    size_t len;
} s_raw_t;

static int s_raw_offset_put(MDB_txn *txn, void *arg)
{
    s_raw_t *raw = arg;
    MDB_dbi dbi;
    int rc = mdb_dbi_open(txn, "offsets", 0, &dbi);
    if (rc != 0)
        return rc;
    MDB_val key = {strlen(raw->key), (void *)raw->key};
    MDB_val value = {raw->len, (void *)raw->value};
    return mdb_put(txn, dbi, &key, &value, 0);
}

static void s_put_offset(as_store_t *store, const char *source, uint64_t applied)
{
    As__SourceOffset off = AS__SOURCE_OFFSET__INIT;
    off.source = (char *)source;
    off.incarnation = "0190a0b0-0000-7000-8000-000000000001";
    off.has_applied_seq = 1;
    off.applied_seq = applied;
    off.has_known_last_seq = 1;
    off.known_last_seq = applied + 5;
    off.endpoint = "ipc:///tmp/x.sock";
    s_offset_q q = {.put = &off};
    s_current = store;
    assert_int_equal(as_store_write(store, s_offset_put, &q), 0);
}

static void test_offsets(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "offsets");
    as_store_t *store = s_open(dir, NULL, 0);
    s_current = store;

    s_offset_q q = {.source = "workshop@jinan-01"};
    assert_int_equal(as_store_read(store, s_offset_get, &q), 0);
    assert_int_equal(q.rc, MDB_NOTFOUND);

    s_each_t none = {0};
    assert_int_equal(as_store_read(store, s_each_read, &none), 0);
    assert_int_equal(none.count, 0);

    s_put_offset(store, "workshop@jinan-01", 7);
    s_put_offset(store, "parts@jinan-01", 3);
    s_put_offset(store, "workshop@jinan-01", 9); /* overwrites */

    q = (s_offset_q){.source = "workshop@jinan-01"};
    assert_int_equal(as_store_read(store, s_offset_get, &q), 0);
    assert_int_equal(q.rc, 0);
    assert_non_null(q.got);
    assert_string_equal(q.got->source, "workshop@jinan-01");
    assert_string_equal(q.got->incarnation, "0190a0b0-0000-7000-8000-000000000001");
    assert_true(q.got->has_applied_seq);
    assert_int_equal(q.got->applied_seq, 9);
    assert_int_equal(q.got->known_last_seq, 14);
    assert_string_equal(q.got->endpoint, "ipc:///tmp/x.sock");
    as__source_offset__free_unpacked(q.got, NULL);

    s_each_t each = {0};
    assert_int_equal(as_store_read(store, s_each_read, &each), 0);
    assert_int_equal(each.count, 2);
    assert_string_equal(each.sources[0], "parts@jinan-01"); /* key order */
    assert_int_equal(each.applied[0], 3);
    assert_string_equal(each.sources[1], "workshop@jinan-01");
    assert_int_equal(each.applied[1], 9);

    /* fn stops the walk and its code is returned */
    s_each_t stop = {.stop_after = 1};
    assert_int_equal(as_store_read(store, s_each_read, &stop), 55);
    assert_int_equal(stop.count, 1);

    /* records that do not decode, or name no source, are skipped by each
     * and reported by get */
    static const unsigned char garbage[] = {0x0a, 0x10, 'a', 'b', 'c'};
    s_raw_t bad = {"broken@site", garbage, sizeof garbage};
    assert_int_equal(as_store_write(store, s_raw_offset_put, &bad), 0);
    As__SourceOffset nameless = AS__SOURCE_OFFSET__INIT;
    nameless.has_applied_seq = 1;
    nameless.applied_seq = 42;
    unsigned char packed[64];
    size_t packed_len = as__source_offset__pack(&nameless, packed);
    s_raw_t anon = {"nameless@site", packed, packed_len};
    assert_int_equal(as_store_write(store, s_raw_offset_put, &anon), 0);

    q = (s_offset_q){.source = "broken@site"};
    assert_int_equal(as_store_read(store, s_offset_get, &q), 0);
    assert_int_equal(q.rc, AS_EBADFRAME);

    s_each_t skipped = {0};
    assert_int_equal(as_store_read(store, s_each_read, &skipped), 0);
    assert_int_equal(skipped.count, 2);
    assert_string_equal(skipped.sources[0], "parts@jinan-01");
    assert_string_equal(skipped.sources[1], "workshop@jinan-01");

    /* offsets persist */
    as_store_close(&store);
    store = s_open(dir, NULL, 0);
    s_current = store;
    q = (s_offset_q){.source = "parts@jinan-01"};
    assert_int_equal(as_store_read(store, s_offset_get, &q), 0);
    assert_int_equal(q.rc, 0);
    assert_int_equal(q.got->applied_seq, 3);
    as__source_offset__free_unpacked(q.got, NULL);
    as_store_close(&store);
}

/* --- requests and meta ------------------------------------------------------- */

typedef struct {
    const char *name;
    const char *put;
    char got[128];
    int rc;
} s_named_q;

static int s_request_put(MDB_txn *txn, void *arg)
{
    s_named_q *q = arg;
    return as_request_put(s_current, txn, q->name, q->put, strlen(q->put));
}

static int s_request_get(MDB_txn *txn, void *arg)
{
    s_named_q *q = arg;
    MDB_val value;
    q->rc = as_request_get(s_current, txn, q->name, &value);
    if (q->rc == 0) {
        assert_true(value.mv_size < sizeof q->got);
        memcpy(q->got, value.mv_data, value.mv_size);
        q->got[value.mv_size] = '\0';
    }
    return 0;
}

static int s_meta_write(MDB_txn *txn, void *arg)
{
    s_named_q *q = arg;
    return as_meta_put(s_current, txn, q->name, q->put, strlen(q->put));
}

static void test_requests_and_meta(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "requests");
    as_store_t *store = s_open(dir, NULL, 0);
    s_current = store;

    s_named_q q = {.name = "req-0001"};
    assert_int_equal(as_store_read(store, s_request_get, &q), 0);
    assert_int_equal(q.rc, MDB_NOTFOUND);

    s_named_q put = {.name = "req-0001", .put = "reply one"};
    assert_int_equal(as_store_write(store, s_request_put, &put), 0);
    s_named_q put2 = {.name = "req-0002", .put = "reply two"};
    assert_int_equal(as_store_write(store, s_request_put, &put2), 0);

    q = (s_named_q){.name = "req-0001"};
    assert_int_equal(as_store_read(store, s_request_get, &q), 0);
    assert_int_equal(q.rc, 0);
    assert_string_equal(q.got, "reply one");
    q = (s_named_q){.name = "req-0002"};
    assert_int_equal(as_store_read(store, s_request_get, &q), 0);
    assert_string_equal(q.got, "reply two");
    q = (s_named_q){.name = "req-000"}; /* a prefix is another id */
    assert_int_equal(as_store_read(store, s_request_get, &q), 0);
    assert_int_equal(q.rc, MDB_NOTFOUND);

    /* meta */
    assert_null(s_meta(store, "source"));
    s_named_q meta = {.name = "source", .put = "reception@jinan-01"};
    assert_int_equal(as_store_write(store, s_meta_write, &meta), 0);
    assert_string_equal(s_meta(store, "source"), "reception@jinan-01");
    meta.put = "reception@jinan-02";
    assert_int_equal(as_store_write(store, s_meta_write, &meta), 0);
    assert_string_equal(s_meta(store, "source"), "reception@jinan-02");

    /* requests and meta are separate namespaces */
    q = (s_named_q){.name = "source"};
    assert_int_equal(as_store_read(store, s_request_get, &q), 0);
    assert_int_equal(q.rc, MDB_NOTFOUND);
    assert_null(s_meta(store, "req-0001"));

    as_store_close(&store);
    store = s_open(dir, NULL, 0);
    s_current = store;
    assert_string_equal(s_meta(store, "source"), "reception@jinan-02");
    q = (s_named_q){.name = "req-0002"};
    assert_int_equal(as_store_read(store, s_request_get, &q), 0);
    assert_string_equal(q.got, "reply two");
    as_store_close(&store);
}

/* --- request retention ---------------------------------------------------------- */

#define S_HOUR_US 3600000000LL

typedef struct {
    int64_t before_us;
    size_t max;
    size_t pruned;
} s_prune_q;

static int s_prune(MDB_txn *txn, void *arg)
{
    s_prune_q *q = arg;
    return as_request_prune(s_current, txn, q->before_us, q->max, &q->pruned);
}

static size_t s_prune_once(int64_t before_us, size_t max)
{
    s_prune_q q = {before_us, max, 0};
    assert_int_equal(as_store_write(s_current, s_prune, &q), 0);
    return q.pruned;
}

static bool s_request_kept(const char *id)
{
    s_named_q q = {.name = id};
    assert_int_equal(as_store_read(s_current, s_request_get, &q), 0);
    return q.rc == 0;
}

typedef struct {
    size_t n;
    int64_t first_us;
} s_seed_q;

/* Puts requests "old-0000"... stored one microsecond apart from first_us,
 * the highest id first in time, so that key order is not time order, and
 * "fresh" at hour 1000. */
static int s_seed_requests(MDB_txn *txn, void *arg)
{
    s_seed_q *q = arg;
    for (size_t i = 0; i < q->n; i++) {
        char id[32];
        snprintf(id, sizeof id, "old-%04zu", i);
        int rc =
            as_request_put_at(s_current, txn, id, q->first_us + (int64_t)(q->n - 1 - i), "r", 1);
        if (rc != 0)
            return rc;
    }
    return as_request_put_at(s_current, txn, "fresh", 1000 * S_HOUR_US, "r", 1);
}

/* Expired requests go oldest first, at most `max` a transaction; the one
 * stored after the cut stays. */
static void test_request_prune_oldest_first_in_batches(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "prune");
    s_current = s_open(dir, NULL, 0);
    s_seed_q seed = {2500, 10 * S_HOUR_US};
    assert_int_equal(as_store_write(s_current, s_seed_requests, &seed), 0);

    int64_t cut = 500 * S_HOUR_US;
    assert_int_equal(s_prune_once(cut, 1000), 1000);
    assert_false(s_request_kept("old-2499")); /* the oldest */
    assert_false(s_request_kept("old-1500"));
    assert_true(s_request_kept("old-1499")); /* the next oldest waits for the next batch */
    assert_true(s_request_kept("old-0000"));
    assert_int_equal(s_prune_once(cut, 1000), 1000);
    assert_int_equal(s_prune_once(cut, 1000), 500);
    assert_false(s_request_kept("old-0000"));
    assert_int_equal(s_prune_once(cut, 1000), 0);
    assert_true(s_request_kept("fresh"));

    /* an id freed by pruning can be kept again, and expires by its new time */
    s_named_q put = {.name = "old-0000", .put = "again"};
    assert_int_equal(as_store_write(s_current, s_request_put, &put), 0);
    assert_int_equal(s_prune_once(cut, 1000), 0);
    assert_true(s_request_kept("old-0000"));
    as_store_close(&s_current);
}

/* Removes the time index, as in a store written before it existed. */
static void s_drop_time_index(const char *dir)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 8);
    assert_int_equal(mdb_env_open(env, dir, 0, 0640), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "request_times", 0, &dbi), 0);
    assert_int_equal(mdb_drop(txn, dbi, 1), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* Requests kept before the time index existed count as stored at the first
 * open after the upgrade: kept for one retention from then, then pruned. */
static void test_requests_from_before_the_index_expire_after_upgrade(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "upgrade");
    s_current = s_open(dir, NULL, 0);
    s_seed_q seed = {3, 10 * S_HOUR_US};
    assert_int_equal(as_store_write(s_current, s_seed_requests, &seed), 0);
    as_store_close(&s_current);
    s_drop_time_index(dir);

    int64_t before_open = as_now_us();
    s_current = s_open(dir, NULL, 0);
    /* stored long ago, but indexed at this open: not expired yet */
    assert_int_equal(s_prune_once(before_open, 1000), 0);
    assert_true(s_request_kept("old-0002"));
    assert_true(s_request_kept("fresh"));
    /* one retention after the open, every one of them goes */
    assert_int_equal(s_prune_once(as_now_us() + 1, 1000), 4);
    assert_false(s_request_kept("old-0002"));
    assert_false(s_request_kept("fresh"));
    as_store_close(&s_current);
}

/* Fills the `requests` database of the store in `dir` as a store from before
 * the time index: without the index, up to the end of a 1 MiB map. Returns
 * the number of requests written. */
static size_t s_fill_without_time_index(const char *dir)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi requests, times;
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 8);
    assert_int_equal(mdb_env_set_mapsize(env, 1 << 20), 0);
    assert_int_equal(mdb_env_open(env, dir, 0, 0640), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "request_times", 0, &times), 0);
    assert_int_equal(mdb_drop(txn, times, 1), 0);
    assert_int_equal(mdb_dbi_open(txn, "requests", 0, &requests), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    size_t n = 0;
    char value[100] = {0};
    for (int rc = 0; rc == 0;) {
        assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
        for (int i = 0; i < 50 && rc == 0; i++) {
            char id[32];
            snprintf(id, sizeof id, "legacy-%06zu", n + (size_t)i);
            MDB_val k = {strlen(id), id}, v = {sizeof value, value};
            rc = mdb_put(txn, requests, &k, &v, 0);
        }
        if (rc != 0)
            mdb_txn_abort(txn);
        else if ((rc = mdb_txn_commit(txn)) == 0) /* a failed commit frees txn */
            n += 50;
    }
    mdb_env_close(env);
    return n;
}

/* The first open after the upgrade indexes every kept request, in a map that
 * the old requests may have filled: the map grows and the store opens. */
static void test_upgrade_of_a_full_store_grows_the_map(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "upgrade-full");
    s_current = s_open(dir, NULL, 64 * 1024);
    as_store_close(&s_current);
    size_t n = s_fill_without_time_index(dir);
    assert_true(n > 1000);

    s_current = s_open(dir, NULL, 64 * 1024);
    assert_true(as_store_grows(s_current) > 0);
    assert_true(s_request_kept("legacy-000000"));
    assert_int_equal(s_prune_once(as_now_us() + 1, SIZE_MAX), n);
    assert_false(s_request_kept("legacy-000000"));
    as_store_close(&s_current);
}

/* --- message helpers ----------------------------------------------------------- */

typedef struct {
    const char *key;
    const ProtobufCMessage *put;
    const void *raw;
    size_t raw_len;
    ProtobufCMessage *got;
    int rc;
} s_msg_q;

static int s_msg_put(MDB_txn *txn, void *arg)
{
    s_msg_q *q = arg;
    MDB_dbi dbi = as_store_dbi(s_current, "replies");
    if (q->raw) {
        MDB_val key = {strlen(q->key), (void *)q->key};
        MDB_val value = {q->raw_len, (void *)q->raw};
        return mdb_put(txn, dbi, &key, &value, 0);
    }
    return as_store_put_msg(txn, dbi, q->key, strlen(q->key), q->put);
}

static int s_msg_get(MDB_txn *txn, void *arg)
{
    s_msg_q *q = arg;
    q->got = NULL;
    q->rc = as_store_get_msg(txn, as_store_dbi(s_current, "replies"), q->key, strlen(q->key),
                             &as__command_reply__descriptor, &q->got);
    return 0;
}

static void test_put_get_msg(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "msg");
    static const char *const dbs[] = {"replies", NULL};
    as_store_t *store = s_open(dir, dbs, 0);
    s_current = store;

    As__CommandReply reply = AS__COMMAND_REPLY__INIT;
    reply.request_id = "req-42";
    reply.has_status = 1;
    reply.status = AS_ECONFLICT;
    reply.error = "repair order 'RO-7' is closed";
    static const uint8_t payload[] = {1, 2, 3, 0, 255};
    reply.has_payload = 1;
    reply.payload.data = (uint8_t *)payload;
    reply.payload.len = sizeof payload;

    s_msg_q put = {.key = "RO-7", .put = &reply.base};
    assert_int_equal(as_store_write(store, s_msg_put, &put), 0);

    s_msg_q get = {.key = "RO-7"};
    assert_int_equal(as_store_read(store, s_msg_get, &get), 0);
    assert_int_equal(get.rc, 0);
    assert_non_null(get.got);
    As__CommandReply *got = (As__CommandReply *)get.got;
    assert_string_equal(got->request_id, "req-42");
    assert_int_equal(got->status, AS_ECONFLICT);
    assert_string_equal(got->error, "repair order 'RO-7' is closed");
    assert_int_equal(got->payload.len, sizeof payload);
    assert_memory_equal(got->payload.data, payload, sizeof payload);
    assert_false(got->has_replayed);
    protobuf_c_message_free_unpacked(get.got, NULL);

    /* an empty message round-trips too */
    As__CommandReply empty = AS__COMMAND_REPLY__INIT;
    s_msg_q put_empty = {.key = "empty", .put = &empty.base};
    assert_int_equal(as_store_write(store, s_msg_put, &put_empty), 0);
    s_msg_q get_empty = {.key = "empty"};
    assert_int_equal(as_store_read(store, s_msg_get, &get_empty), 0);
    assert_int_equal(get_empty.rc, 0);
    assert_null(((As__CommandReply *)get_empty.got)->request_id);
    protobuf_c_message_free_unpacked(get_empty.got, NULL);

    /* unknown key */
    s_msg_q unknown = {.key = "RO-8"};
    assert_int_equal(as_store_read(store, s_msg_get, &unknown), 0);
    assert_int_equal(unknown.rc, MDB_NOTFOUND);

    /* a value that does not decode: a length running past the end */
    static const unsigned char corrupt[] = {0x0a, 0x10, 'r', 'e', 'q'};
    s_msg_q put_bad = {.key = "RO-9", .raw = corrupt, .raw_len = sizeof corrupt};
    assert_int_equal(as_store_write(store, s_msg_put, &put_bad), 0);
    s_msg_q get_bad = {.key = "RO-9"};
    assert_int_equal(as_store_read(store, s_msg_get, &get_bad), 0);
    assert_int_equal(get_bad.rc, AS_EBADFRAME);
    assert_null(get_bad.got);
    as_store_close(&store);
}

/* --- as_store_write ------------------------------------------------------------ */

typedef struct {
    int calls;
    int fail_with;
} s_failing_t;

static int s_write_then_fail(MDB_txn *txn, void *arg)
{
    s_failing_t *f = arg;
    f->calls++;
    int rc = as_meta_put(s_current, txn, "half-done", "yes", 3);
    if (rc != 0)
        return rc;
    char value[S_VALUE_LEN + 1];
    s_value_of(1, value);
    if ((rc = as_outbox_append(s_current, txn, 1, value, S_VALUE_LEN)) != 0)
        return rc;
    return f->fail_with;
}

static void test_write_error_aborts(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "abort");
    as_store_t *store = s_open(dir, NULL, 0);
    s_current = store;

    s_failing_t f = {.fail_with = AS_ECONFLICT};
    assert_int_equal(as_store_write(store, s_write_then_fail, &f), AS_ECONFLICT);
    assert_int_equal(f.calls, 1); /* an error is not retried */
    assert_null(s_meta(store, "half-done"));
    assert_int_equal(s_last(store), 0);
    assert_int_equal(as_store_commits(store), 0);

    /* a positive code aborts as well */
    f = (s_failing_t){.fail_with = 5};
    assert_int_equal(as_store_write(store, s_write_then_fail, &f), 5);
    assert_null(s_meta(store, "half-done"));
    assert_int_equal(s_last(store), 0);

    /* and nothing is left behind: the same work then commits */
    f = (s_failing_t){.fail_with = 0};
    assert_int_equal(as_store_write(store, s_write_then_fail, &f), 0);
    assert_int_equal(f.calls, 1);
    assert_string_equal(s_meta(store, "half-done"), "yes");
    assert_int_equal(s_last(store), 1);
    assert_int_equal(as_store_commits(store), 1);
    as_store_close(&store);
}

#define S_BLOB_LEN 4096
#define S_BLOBS 1536 /* 6 MiB in one transaction */

typedef struct {
    int calls;
} s_bulk_t;

static void s_blob_fill(unsigned i, unsigned char *blob)
{
    for (size_t j = 0; j < S_BLOB_LEN; j++)
        blob[j] = (unsigned char)((i * 31u + j * 7u) & 0xff);
}

static int s_bulk_write(MDB_txn *txn, void *arg)
{
    s_bulk_t *bulk = arg;
    bulk->calls++;
    static unsigned char blob[S_BLOB_LEN];
    MDB_dbi dbi = as_store_dbi(s_current, "blobs");
    for (unsigned i = 0; i < S_BLOBS; i++) {
        unsigned char keybuf[4] = {(unsigned char)(i >> 24), (unsigned char)(i >> 16),
                                   (unsigned char)(i >> 8), (unsigned char)i};
        s_blob_fill(i, blob);
        MDB_val key = {sizeof keybuf, keybuf}, value = {S_BLOB_LEN, blob};
        int rc = mdb_put(txn, dbi, &key, &value, 0);
        if (rc != 0)
            return rc;
    }
    /* the outbox in the same transaction */
    uint64_t last = 0;
    int rc = as_outbox_last(s_current, txn, &last);
    if (rc != 0)
        return rc;
    char value[S_VALUE_LEN + 1];
    s_value_of(last + 1, value);
    return as_outbox_append(s_current, txn, last + 1, value, S_VALUE_LEN);
}

static int s_bulk_check(MDB_txn *txn, void *arg)
{
    (void)arg;
    static unsigned char expected[S_BLOB_LEN];
    MDB_dbi dbi = as_store_dbi(s_current, "blobs");
    MDB_stat st;
    int rc = mdb_stat(txn, dbi, &st);
    if (rc != 0)
        return rc;
    assert_int_equal(st.ms_entries, S_BLOBS);
    for (unsigned i = 0; i < S_BLOBS; i++) {
        unsigned char keybuf[4] = {(unsigned char)(i >> 24), (unsigned char)(i >> 16),
                                   (unsigned char)(i >> 8), (unsigned char)i};
        MDB_val key = {sizeof keybuf, keybuf}, value;
        if ((rc = mdb_get(txn, dbi, &key, &value)) != 0)
            return rc;
        s_blob_fill(i, expected);
        assert_int_equal(value.mv_size, S_BLOB_LEN);
        assert_memory_equal(value.mv_data, expected, S_BLOB_LEN);
    }
    return 0;
}

static void test_write_grows_map(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "grow");
    static const char *const dbs[] = {"blobs", NULL};
    as_store_t *store = s_open(dir, dbs, 64 * 1024);
    char incarnation[AS_INCARNATION_LEN + 1];
    snprintf(incarnation, sizeof incarnation, "%s", as_store_incarnation(store));
    s_current = store;

    s_bulk_t bulk = {0};
    int rc = as_store_write(store, s_bulk_write, &bulk);
    if (rc != 0)
        fail_msg("as_store_write of 6 MiB into a 64 KiB map failed: %d %s", rc, as_strerror(rc));
    assert_true(as_store_grows(store) > 0);
    assert_true(bulk.calls > 1); /* fn was run again after each growth */
    assert_int_equal(as_store_commits(store), 1);
    assert_int_equal(s_last(store), 1);
    assert_int_equal(as_store_read(store, s_bulk_check, NULL), 0);
    uint64_t grows = as_store_grows(store);

    /* a second write of the same size fits the grown map */
    bulk.calls = 0;
    assert_int_equal(as_store_write(store, s_bulk_write, &bulk), 0);
    assert_int_equal(s_last(store), 2);
    assert_true(as_store_grows(store) >= grows);
    as_store_close(&store);

    /* reopen with the same tiny first size: the map is as big as the file */
    store = s_open(dir, dbs, 64 * 1024);
    s_current = store;
    assert_string_equal(as_store_incarnation(store), incarnation);
    assert_int_equal(as_store_read(store, s_bulk_check, NULL), 0);
    assert_int_equal(s_last(store), 2);
    s_scan_t scan = s_scan(store, 1, SIZE_MAX, SIZE_MAX);
    assert_int_equal(scan.count, 2);
    assert_true(scan.contiguous);
    as_store_close(&store);
}

/* --- backup and restore -------------------------------------------------------- */

/* Backs `dir` up into `dest` from a child process (as asctl does while the
 * daemon runs) while this process keeps appending to the store. LMDB forbids
 * opening one environment twice in the same process, so the copy is made
 * from another process, as in production. Returns the backup's result. */
static int s_backup_while_writing(as_store_t *store, const char *dir, const char *dest,
                                  uint64_t *written_to)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int rc = as_store_backup(dir, dest);
        _exit(rc == 0 ? 0 : 100 + (rc < 0 ? -rc : rc) % 100);
    }
    uint64_t last = s_last(store);
    int status = 0;
    bool reaped = false;
    for (int round = 0; round < 10000 && !reaped; round++) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        assert_true(done >= 0);
        reaped = done == pid;
        if (!reaped) {
            s_append(store, last + 1, last + 50);
            last += 50;
        }
    }
    if (!reaped)
        assert_int_equal(waitpid(pid, &status, 0), pid);
    *written_to = last;
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

typedef struct {
    as_store_t *store;
    As__Lineage *got;
} s_lineage_q;

static int s_lineage_get(MDB_txn *txn, void *arg)
{
    s_lineage_q *q = arg;
    return as_store_lineage(q->store, txn, &q->got);
}

static void test_backup_and_restore(void **state)
{
    (void)state;
    char dir[PATH_MAX], dest[PATH_MAX], restored[PATH_MAX];
    s_path(dir, sizeof dir, "live");
    s_path(dest, sizeof dest, "backup");
    s_path(restored, sizeof restored, "restored");
    static const char *const dbs[] = {"repair_orders", NULL};
    as_store_t *store = s_open(dir, dbs, 0);
    char incarnation[AS_INCARNATION_LEN + 1];
    snprintf(incarnation, sizeof incarnation, "%s", as_store_incarnation(store));
    s_current = store;
    s_append(store, 1, 500);
    s_kv_t ro = {"repair_orders", "RO-1", "open"};
    assert_int_equal(as_store_write(store, s_kv_put, &ro), 0);
    s_put_offset(store, "parts@jinan-01", 12);

    /* hot: the store stays open and is written during the copy */
    s_mkdir_p(dest);
    uint64_t written_to = 0;
    assert_int_equal(s_backup_while_writing(store, dir, dest, &written_to), 0);
    assert_true(written_to >= 500);
    s_current = store;

    /* the live store is unharmed and still takes writes */
    s_append(store, written_to + 1, written_to + 10);
    assert_int_equal(s_last(store), written_to + 10);

    /* a second backup into the same, now non-empty directory is refused */
    assert_int_equal(as_store_backup(dir, dest), -EEXIST);
    /* so is a missing directory, or a file */
    char missing[PATH_MAX + 16], file[PATH_MAX];
    snprintf(missing, sizeof missing, "%s/not-there", s_base);
    assert_int_equal(as_store_backup(dir, missing), -ENOENT);
    s_path(file, sizeof file, "a-file");
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(as_store_backup(dir, file), -ENOTDIR);
    as_store_close(&store);

    /* a backup of a directory that holds no store fails */
    char empty_src[PATH_MAX], empty_dest[PATH_MAX];
    s_path(empty_src, sizeof empty_src, "no-store");
    s_path(empty_dest, sizeof empty_dest, "no-store-backup");
    s_mkdir_p(empty_src);
    s_mkdir_p(empty_dest);
    assert_int_not_equal(as_store_backup(empty_src, empty_dest), 0);

    /* the backup is a consistent snapshot: same incarnation, a gapless
     * outbox from 1 to somewhere in what had been written, domain data */
    as_store_t *copy = s_open(dest, dbs, 0);
    s_current = copy;
    assert_string_equal(as_store_incarnation(copy), incarnation);
    uint64_t copied_last = s_last(copy);
    assert_true(copied_last >= 500);
    assert_true(copied_last <= written_to);
    s_scan_t scan = s_scan(copy, 1, SIZE_MAX, SIZE_MAX);
    assert_int_equal(scan.count, copied_last);
    assert_true(scan.contiguous);
    s_kv_t get = {"repair_orders", "RO-1", NULL};
    assert_int_equal(as_store_read(copy, s_kv_get, &get), 0);
    assert_string_equal(get.value, "open");
    as_store_close(&copy);

    /* restore: a new incarnation, and where the outbox stood */
    assert_int_equal(as_store_restore(dest, restored), 0);
    as_store_t *back = s_open(restored, dbs, 0);
    s_current = back;
    assert_true(s_is_uuidv7(as_store_incarnation(back)));
    assert_string_not_equal(as_store_incarnation(back), incarnation);
    assert_string_equal(s_meta(back, "incarnation"), as_store_incarnation(back));
    char at_seq[32];
    snprintf(at_seq, sizeof at_seq, "%llu", (unsigned long long)copied_last);
    assert_string_equal(s_meta(back, "restored_at_seq"), at_seq);
    assert_int_equal(s_last(back), copied_last);
    s_offset_q q = {.source = "parts@jinan-01"};
    assert_int_equal(as_store_read(back, s_offset_get, &q), 0);
    assert_int_equal(q.rc, 0);
    assert_int_equal(q.got->applied_seq, 12);
    as__source_offset__free_unpacked(q.got, NULL);
    /* the restored store carries on from there */
    s_append(back, copied_last + 1, copied_last + 1);
    char restored_incarnation[AS_INCARNATION_LEN + 1];
    snprintf(restored_incarnation, sizeof restored_incarnation, "%s", as_store_incarnation(back));
    as_store_close(&back);

    /* the new incarnation is kept on reopen, with its lineage: the backup's
     * incarnation up to the backup's last seq */
    back = s_open(restored, dbs, 0);
    assert_string_equal(as_store_incarnation(back), restored_incarnation);
    s_lineage_q lq = {back, NULL};
    assert_int_equal(as_store_read(back, s_lineage_get, &lq), 0);
    assert_int_equal(lq.got->n_ancestors, 1);
    assert_string_equal(lq.got->ancestors[0]->incarnation, incarnation);
    assert_int_equal(lq.got->ancestors[0]->fork_seq, copied_last);
    as__lineage__free_unpacked(lq.got, NULL);
    as_store_close(&back);

    /* restored again from a backup of the restored store: newest first */
    char dest2[PATH_MAX], restored2[PATH_MAX];
    s_path(dest2, sizeof dest2, "backup-2");
    s_path(restored2, sizeof restored2, "restored-2");
    s_mkdir_p(dest2);
    assert_int_equal(as_store_backup(restored, dest2), 0);
    assert_int_equal(as_store_restore(dest2, restored2), 0);
    back = s_open(restored2, dbs, 0);
    lq = (s_lineage_q){back, NULL};
    assert_int_equal(as_store_read(back, s_lineage_get, &lq), 0);
    assert_int_equal(lq.got->n_ancestors, 2);
    assert_string_equal(lq.got->ancestors[0]->incarnation, restored_incarnation);
    assert_int_equal(lq.got->ancestors[0]->fork_seq, copied_last + 1);
    assert_string_equal(lq.got->ancestors[1]->incarnation, incarnation);
    assert_int_equal(lq.got->ancestors[1]->fork_seq, copied_last);
    as__lineage__free_unpacked(lq.got, NULL);
    as_store_close(&back);

    /* a store never restored has no lineage */
    store = s_open(dir, dbs, 0);
    lq = (s_lineage_q){store, NULL};
    assert_int_equal(as_store_read(store, s_lineage_get, &lq), 0);
    assert_int_equal(lq.got->n_ancestors, 0);
    as__lineage__free_unpacked(lq.got, NULL);
    as_store_close(&store);

    /* restoring over a store is refused, and leaves it alone */
    assert_int_equal(as_store_restore(dest, restored), -EEXIST);
    assert_int_equal(as_store_restore(dest, dir), -EEXIST);
    back = s_open(restored, dbs, 0);
    assert_string_equal(as_store_incarnation(back), restored_incarnation);
    as_store_close(&back);

    /* restoring from a directory with no backup fails */
    char nowhere[PATH_MAX];
    s_path(nowhere, sizeof nowhere, "restore-target");
    assert_int_not_equal(as_store_restore(empty_src, nowhere), 0);
}

static void test_reader_check(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "readers");
    as_store_t *store = s_open(dir, NULL, 0);
    int dead = -1;
    assert_int_equal(as_store_reader_check(store, &dead), 0);
    assert_int_equal(dead, 0);

    /* a child that dies inside a read transaction leaves a stale slot */
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        MDB_env *env;
        if (mdb_env_create(&env) != 0)
            _exit(2);
        mdb_env_set_maxdbs(env, 64);
        if (mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0640) != 0)
            _exit(3);
        MDB_txn *txn;
        if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0)
            _exit(4);
        _exit(0); /* no abort, no close */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    dead = -1;
    assert_int_equal(as_store_reader_check(store, &dead), 0);
    assert_int_equal(dead, 1);
    dead = -1;
    assert_int_equal(as_store_reader_check(store, &dead), 0);
    assert_int_equal(dead, 0);
    /* the store still works */
    s_append(store, 1, 3);
    assert_int_equal(s_last(store), 3);
    as_store_close(&store);
}

/* --- one writer, and a damaged file refused --------------------------------- */

/* Opens `dir`, expecting the refusal `code`; returns what it said. */
static as_store_error_t s_refused(const char *dir, int code)
{
    as_store_error_t why;
    memset(&why, 0x55, sizeof why);
    as_store_t *store = as_store_open_why(dir, NULL, 0, &why);
    if (store) {
        as_store_close(&store);
        fail_msg("the store in %s opened; expected %s", dir, as_strerror(code));
    }
    assert_int_equal(why.code, code);
    return why;
}

/* Entries in `dir` besides . and .. */
static int s_entry_count(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static off_t s_file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static void s_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* The whole file: caller frees. */
static char *s_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t cap = (size_t)s_file_size(path) + 1, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    n = fread(buf, 1, cap, f);
    fclose(f);
    *len = n;
    return buf;
}

static void test_second_writer_refused(void **state)
{
    (void)state;
    char dir[PATH_MAX], backup[PATH_MAX], expected[PATH_MAX + 200];
    s_path(dir, sizeof dir, "one-writer");
    s_path(backup, sizeof backup, "one-writer-backup");
    as_store_t *store = s_open(dir, NULL, 0);
    s_append(store, 1, 10);

    /* a second open of the same directory is refused, naming it and the holder */
    as_store_error_t why = s_refused(dir, AS_ELOCKED);
    assert_int_equal(why.holder_pid, (long)getpid());
    snprintf(expected, sizeof expected,
             "the store in '%s' is in use by another process (pid %ld): a store has one writer; "
             "stop that process first",
             dir, (long)getpid());
    assert_string_equal(why.text, expected);
    int err = 0;
    assert_null(as_store_open(dir, NULL, 0, &err));
    assert_int_equal(err, AS_ELOCKED);

    /* so is a restore into it, which leaves the store alone */
    s_mkdir_p(backup);
    assert_int_equal(s_backup_while_writing(store, dir, backup, &(uint64_t){0}), 0);
    assert_int_equal(as_store_restore_why(backup, dir, &why), AS_ELOCKED);
    assert_string_equal(why.text, expected);
    assert_int_equal(as_store_restore(backup, dir), AS_ELOCKED);
    s_append(store, s_last(store) + 1, s_last(store) + 1);
    as_store_close(&store);

    /* closed, it opens again */
    store = s_open(dir, NULL, 0);
    as_store_close(&store);
}

static void test_killed_writer_leaves_no_lock(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "killed-writer");
    /* the child holds the store until killed, or until this process ends
     * (the pipe `hold` closes), so a failing test leaves no process behind */
    int ready[2], hold[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(hold), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(hold[1]);
        int err = 0;
        as_store_t *store = as_store_open(dir, NULL, 0, &err);
        char ok = store ? 'y' : 'n';
        if (write(ready[1], &ok, 1) != 1)
            _exit(2);
        char byte;
        while (read(hold[0], &byte, 1) != 0)
            ;
        _exit(3);
    }
    close(ready[1]);
    close(hold[0]);
    char ok = 0;
    assert_int_equal(read(ready[0], &ok, 1), 1);
    close(ready[0]);
    assert_int_equal(ok, 'y');

    as_store_error_t why = s_refused(dir, AS_ELOCKED);
    assert_int_equal(why.holder_pid, (long)pid);
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "(pid %ld)", (long)pid);
    assert_non_null(strstr(why.text, pid_text));

    /* SIGKILL: no chance to clean up, and no stale lock either */
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    close(hold[1]);
    as_store_t *store = s_open(dir, NULL, 0);
    s_append(store, 1, 3);
    assert_int_equal(s_last(store), 3);
    as_store_close(&store);
}

/* LMDB's own view of the store in `dir`: the bytes its pages up to the last
 * one in use take (the length data.mdb should have). */
static long long s_needed_length(const char *dir)
{
    MDB_env *env;
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 64);
    assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0640), 0);
    MDB_envinfo info;
    MDB_stat stat;
    assert_int_equal(mdb_env_info(env, &info), 0);
    assert_int_equal(mdb_env_stat(env, &stat), 0);
    mdb_env_close(env);
    return ((long long)info.me_last_pgno + 1) * stat.ms_psize;
}

static void test_truncated_store_refused(void **state)
{
    (void)state;
    char dir[PATH_MAX], file[PATH_MAX + 16], dest[PATH_MAX], restored[PATH_MAX];
    s_path(dir, sizeof dir, "truncated");
    s_path(dest, sizeof dest, "truncated-backup");
    s_path(restored, sizeof restored, "truncated-restored");
    snprintf(file, sizeof file, "%s/data.mdb", dir);
    as_store_t *store = s_open(dir, NULL, 0);
    for (uint64_t seq = 1; seq <= 40000; seq += 2000)
        s_append(store, seq, seq + 1999);
    as_store_close(&store);
    long long needed = s_needed_length(dir);
    assert_true(needed > 800 * 1024);
    assert_int_equal(s_file_size(file), needed);
    assert_int_equal(truncate(file, 200 * 1024), 0);

    /* refused with what is wrong, in this process: no SIGBUS */
    as_store_error_t why = s_refused(dir, AS_EDAMAGED);
    char expected[PATH_MAX + 300];
    snprintf(expected, sizeof expected,
             "'%s' is 204800 bytes but its metadata says %lld: the file is truncated or damaged; "
             "restore it from a backup (asctl restore)",
             file, needed);
    assert_string_equal(why.text, expected);
    assert_int_equal(s_file_size(file), 200 * 1024); /* nothing written */

    /* a backup of it is refused the same way, and writes nothing */
    s_mkdir_p(dest);
    assert_int_equal(as_store_backup_why(dir, dest, &why), AS_EDAMAGED);
    assert_string_equal(why.text, expected);
    assert_int_equal(as_store_backup(dir, dest), AS_EDAMAGED);
    assert_int_equal(s_entry_count(dest), 0);

    /* so is restoring from it (a damaged backup), which makes no store */
    assert_int_equal(as_store_restore_why(dir, restored, &why), AS_EDAMAGED);
    snprintf(expected, sizeof expected,
             "'%s' is 204800 bytes but its metadata says %lld: the file is truncated or damaged; "
             "restore from another backup",
             file, needed);
    assert_string_equal(why.text, expected);
    char restored_file[PATH_MAX + 16];
    snprintf(restored_file, sizeof restored_file, "%s/data.mdb", restored);
    assert_int_equal(access(restored_file, F_OK), -1);
    /* and the directory takes a good backup afterwards */
    char good[PATH_MAX], good_backup[PATH_MAX];
    s_path(good, sizeof good, "good");
    s_path(good_backup, sizeof good_backup, "good-backup");
    store = s_open(good, NULL, 0);
    s_append(store, 1, 5);
    as_store_close(&store);
    s_mkdir_p(good_backup);
    assert_int_equal(as_store_backup(good, good_backup), 0);
    assert_int_equal(as_store_restore(good_backup, restored), 0);
    store = s_open(restored, NULL, 0);
    assert_int_equal(s_last(store), 5);
    as_store_close(&store);
}

/* Two transactions that each write 2,000 records and then delete most of
 * them from the end leave, in LMDB 0.9, freed pages at the end of the file
 * that were never written: the file is shorter than LMDB's metadata says,
 * and whole. */
static int s_write_then_delete(MDB_txn *txn, void *arg)
{
    (void)arg;
    MDB_dbi dbi = as_store_dbi(s_current, "items");
    char value[100];
    memset(value, 'v', sizeof value);
    for (int i = 0; i < 2000; i++) {
        char key[16];
        snprintf(key, sizeof key, "%08d", i);
        MDB_val k = {8, key}, v = {sizeof value, value};
        int rc = mdb_put(txn, dbi, &k, &v, 0);
        if (rc != 0)
            return rc;
    }
    for (int i = 1999; i >= 500; i--) {
        char key[16];
        snprintf(key, sizeof key, "%08d", i);
        MDB_val k = {8, key};
        int rc = mdb_del(txn, dbi, &k, NULL);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void test_whole_short_file_opens(void **state)
{
    (void)state;
    char dir[PATH_MAX], file[PATH_MAX + 16], dest[PATH_MAX];
    s_path(dir, sizeof dir, "short-whole");
    s_path(dest, sizeof dest, "short-whole-backup");
    snprintf(file, sizeof file, "%s/data.mdb", dir);
    static const char *const dbs[] = {"items", NULL};
    as_store_t *store = s_open(dir, dbs, 0);
    s_current = store;
    for (int round = 0; round < 10 && s_file_size(file) >= s_needed_length(dir); round++)
        assert_int_equal(as_store_write(store, s_write_then_delete, NULL), 0);
    as_store_close(&store);
    /* the case this test is about */
    assert_true(s_file_size(file) < s_needed_length(dir));

    store = s_open(dir, dbs, 0);
    s_current = store;
    s_kv_t get = {"items", "00000499", NULL};
    assert_int_equal(as_store_read(store, s_kv_get, &get), 0);
    assert_non_null(get.value);
    s_append(store, 1, 3);
    as_store_close(&store);
    s_mkdir_p(dest);
    assert_int_equal(as_store_backup(dir, dest), 0);
}

static void test_not_a_store_refused(void **state)
{
    (void)state;
    char dir[PATH_MAX], file[PATH_MAX + 16], expected[PATH_MAX + 300];
    size_t len = 0;

    /* text where data.mdb should be, more than two pages of it, or a few bytes */
    static const size_t sizes[] = {12000, 100};
    for (size_t i = 0; i < 2; i++) {
        s_path(dir, sizeof dir, "not-lmdb");
        s_mkdir_p(dir);
        snprintf(file, sizeof file, "%s/data.mdb", dir);
        char *text = malloc(sizes[i]);
        assert_non_null(text);
        for (size_t j = 0; j < sizes[i]; j++)
            text[j] = "repair order RO-1 for vehicle JN1...\n"[j % 37];
        s_write_file(file, text, sizes[i]);
        as_store_error_t why = s_refused(dir, AS_EDAMAGED);
        snprintf(expected, sizeof expected,
                 "'%s' is not an LMDB file, or its header is damaged; restore it from a backup "
                 "(asctl restore)",
                 file);
        assert_string_equal(why.text, expected);
        char *after = s_read_file(file, &len);
        assert_int_equal(len, sizes[i]);
        assert_memory_equal(after, text, len); /* nothing written */
        free(after);
        free(text);
    }

    /* an empty data.mdb is not taken for a new store */
    s_path(dir, sizeof dir, "empty-data");
    s_mkdir_p(dir);
    snprintf(file, sizeof file, "%s/data.mdb", dir);
    s_write_file(file, "", 0);
    as_store_error_t why = s_refused(dir, AS_EDAMAGED);
    snprintf(expected, sizeof expected,
             "'%s' is empty (0 bytes): the file is truncated or damaged; restore it from a backup "
             "(asctl restore), or remove it if this store never held anything",
             file);
    assert_string_equal(why.text, expected);
    assert_int_equal(s_file_size(file), 0);

    /* a meta page of a format version this LMDB does not read */
    s_path(dir, sizeof dir, "other-version");
    snprintf(file, sizeof file, "%s/data.mdb", dir);
    as_store_t *store = s_open(dir, NULL, 0);
    s_append(store, 1, 3);
    as_store_close(&store);
    char *data = s_read_file(file, &len);
    assert_true(len > 24);
    assert_int_equal(data[20], 1); /* mm_version, after the page header and the magic */
    data[20] = 7;
    s_write_file(file, data, len);
    free(data);
    why = s_refused(dir, AS_EDAMAGED);
    assert_non_null(strstr(why.text, file));
    assert_non_null(strstr(why.text, "was written in a format this LMDB"));
    assert_non_null(strstr(why.text, "restore it from a backup (asctl restore)"));

    /* meta pages that say the page size is 0: LMDB 0.9.24 divides by it
     * (SIGFPE), here only in a child */
    s_path(dir, sizeof dir, "page-size-0");
    snprintf(file, sizeof file, "%s/data.mdb", dir);
    store = s_open(dir, NULL, 0);
    s_append(store, 1, 3);
    as_store_close(&store);
    data = s_read_file(file, &len);
    uint32_t page_size = 0; /* mm_psize: the free database's md_pad, at 40 */
    memcpy(&page_size, data + 40, 4);
    assert_int_equal(page_size, getpagesize());
    assert_true(len >= 2 * page_size);
    memset(data + 40, 0, 4);
    memset(data + page_size + 40, 0, 4);
    s_write_file(file, data, len);
    why = s_refused(dir, AS_EDAMAGED);
    snprintf(expected, sizeof expected,
             "'%s' has a damaged meta page (reading it killed LMDB with SIGFPE); restore it from a "
             "backup (asctl restore)",
             file);
    assert_string_equal(why.text, expected);
    char *after = s_read_file(file, &len);
    assert_memory_equal(after, data, len); /* nothing written */
    free(after);
    free(data);
    char dest[PATH_MAX];
    s_path(dest, sizeof dest, "page-size-0-backup");
    s_mkdir_p(dest);
    assert_int_equal(as_store_backup_why(dir, dest, &why), AS_EDAMAGED);
    assert_string_equal(why.text, expected);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_creates_dbs_and_incarnation),
        cmocka_unit_test(test_open_fails),
        cmocka_unit_test(test_outbox_append_last_scan),
        cmocka_unit_test(test_outbox_scan_empty),
        cmocka_unit_test(test_outbox_append_out_of_order),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_requests_and_meta),
        cmocka_unit_test(test_request_prune_oldest_first_in_batches),
        cmocka_unit_test(test_requests_from_before_the_index_expire_after_upgrade),
        cmocka_unit_test(test_upgrade_of_a_full_store_grows_the_map),
        cmocka_unit_test(test_put_get_msg),
        cmocka_unit_test(test_write_error_aborts),
        cmocka_unit_test(test_write_grows_map),
        cmocka_unit_test(test_backup_and_restore),
        cmocka_unit_test(test_reader_check),
        cmocka_unit_test(test_second_writer_refused),
        cmocka_unit_test(test_killed_writer_leaves_no_lock),
        cmocka_unit_test(test_truncated_store_refused),
        cmocka_unit_test(test_whole_short_file_opens),
        cmocka_unit_test(test_not_a_store_refused),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
