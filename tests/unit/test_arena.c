/* test_arena.c — the bump allocator events are decoded into. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "as/arena.h"
#include "as/envelope.h"
#include "as/error.h"

static uint8_t *s_pack(size_t *len)
{
    As__Envelope env = AS__ENVELOPE__INIT;
    env.id = "0190a1b2-c3d4-7e5f-8a6b-000000000001";
    env.source = "workshop@local";
    env.type = "workshop.qc.passed";
    env.incarnation = "0190a1b2-c3d4-7e5f-8a6b-0000000000aa";
    env.has_seq = 1;
    env.seq = 42;
    *len = as__envelope__get_packed_size(&env);
    uint8_t *buf = malloc(*len);
    assert_non_null(buf);
    as__envelope__pack(&env, buf);
    return buf;
}

static void test_envelope_decoded_in_arena_reads_the_same(void **state)
{
    (void)state;
    as_arena_t *arena = as_arena_new(256); /* small blocks: decoding spans several */
    assert_non_null(arena);
    size_t len = 0;
    uint8_t *buf = s_pack(&len);
    int err = 0;
    As__Envelope *envs[64];
    for (size_t i = 0; i < 64; i++) {
        envs[i] = as_envelope_decode_in(as_arena_allocator(arena), buf, len,
                                        "local/workshop.qc.passed", 24, &err);
        assert_non_null(envs[i]);
        assert_int_equal((uintptr_t)envs[i] % alignof(As__Envelope), 0);
    }
    for (size_t i = 0; i < 64; i++) {
        assert_string_equal(envs[i]->source, "workshop@local");
        assert_string_equal(envs[i]->type, "workshop.qc.passed");
        assert_int_equal(envs[i]->seq, 42);
        as__envelope__free_unpacked(envs[i], as_arena_allocator(arena)); /* a no-op */
    }
    size_t used = as_arena_used(arena);
    assert_true(used > 64 * len);

    /* a reset drops everything at once; the next batch fits in one block and
     * takes the same bytes, give or take the padding (where an allocation
     * falls decides how much it needs) */
    as_arena_reset(arena);
    assert_int_equal(as_arena_used(arena), 0);
    for (size_t i = 0; i < 64; i++)
        assert_non_null(as_envelope_decode_in(as_arena_allocator(arena), buf, len, NULL, 0, &err));
    assert_in_range(as_arena_used(arena), used - used / 16, used + used / 16);

    /* a bad frame fails the same way as without the arena */
    assert_null(as_envelope_decode_in(as_arena_allocator(arena), "garbage", 7, NULL, 0, &err));
    assert_int_equal(err, AS_EBADFRAME);
    free(buf);
    as_arena_destroy(&arena);
    assert_null(arena);
}

static void test_allocation_larger_than_a_block(void **state)
{
    (void)state;
    as_arena_t *arena = as_arena_new(64);
    ProtobufCAllocator *a = as_arena_allocator(arena);
    unsigned char *big = a->alloc(a->allocator_data, 1000);
    assert_non_null(big);
    memset(big, 0xab, 1000);
    unsigned char *small = a->alloc(a->allocator_data, 8);
    assert_non_null(small);
    assert_true(small + 8 <= big || small >= big + 1000); /* no overlap */
    as_arena_reset(arena);
    assert_int_equal(as_arena_used(arena), 0);
    as_arena_destroy(&arena);
}

/* Each allocation is aligned to its size's lowest set bit, at most
 * max_align_t's: whatever fits in it is aligned, and strings of odd sizes
 * follow each other without padding. */
static void test_allocations_aligned_for_their_size(void **state)
{
    (void)state;
    as_arena_t *arena = as_arena_new(1 << 16); /* one block: each after the last */
    ProtobufCAllocator *a = as_arena_allocator(arena);
    static const size_t sizes[] = {1, 37, 8, 3, 24, 16, 6, 176, 5, 4, 48, 2, 12, 1, 32, 7};
    unsigned char *prev = NULL;
    size_t prev_size = 0;
    for (size_t round = 0; round < 20; round++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            size_t size = sizes[i];
            unsigned char *p = a->alloc(a->allocator_data, size);
            assert_non_null(p);
            size_t want = size & (~size + 1);
            if (want > alignof(max_align_t))
                want = alignof(max_align_t);
            assert_int_equal((uintptr_t)p % want, 0);
            if (prev)
                assert_true(p >= prev + prev_size); /* after the last one, not over it */
            memset(p, 0x5a, size);
            prev = p;
            prev_size = size;
        }
    }
    as_arena_reset(arena);
    /* 64 strings of 37 bytes take 37 each, not 48 */
    for (size_t i = 0; i < 64; i++)
        assert_non_null(a->alloc(a->allocator_data, 37));
    assert_int_equal(as_arena_used(arena), 64 * 37);
    /* a size no block can hold is refused, not wrapped */
    assert_null(a->alloc(a->allocator_data, SIZE_MAX - 8));
    as_arena_destroy(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelope_decoded_in_arena_reads_the_same),
        cmocka_unit_test(test_allocation_larger_than_a_block),
        cmocka_unit_test(test_allocations_aligned_for_their_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
