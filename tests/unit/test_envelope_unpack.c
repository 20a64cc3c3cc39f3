/* test_envelope_unpack.c — a packed envelope decoded in one walk
 * (envelope_unpack.h): hand-made envelopes, valid and not, each read as
 * protobuf-c's own unpack reads it (the same fields, the same unknown
 * fields, the same bytes packed again) or refused where it refuses them;
 * an allocation that fails at any point leaves nothing allocated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "as/arena.h"
#include "as/envelope.h"
#include "as/envelope_unpack.h"

/* Bytes written out in the test: the C string's length, without its NUL. */
#define S_BYTES(literal) (const uint8_t *)(literal), sizeof(literal) - 1

static void s_assert_same_string(const char *ours, const char *theirs)
{
    if (!theirs)
        assert_null(ours);
    else
        assert_string_equal(ours, theirs);
}

/* Every field of the two messages is the same, and they pack the same. */
static void s_assert_same(const As__Envelope *ours, const As__Envelope *theirs)
{
    s_assert_same_string(ours->id, theirs->id);
    s_assert_same_string(ours->source, theirs->source);
    s_assert_same_string(ours->incarnation, theirs->incarnation);
    assert_int_equal(ours->has_seq, theirs->has_seq);
    assert_int_equal(ours->seq, theirs->seq);
    s_assert_same_string(ours->type, theirs->type);
    assert_int_equal(ours->has_time_us, theirs->has_time_us);
    assert_int_equal(ours->time_us, theirs->time_us);
    s_assert_same_string(ours->subject, theirs->subject);
    s_assert_same_string(ours->correlation_id, theirs->correlation_id);
    s_assert_same_string(ours->causation_id, theirs->causation_id);
    s_assert_same_string(ours->actor, theirs->actor);
    assert_int_equal(ours->has_schema_version, theirs->has_schema_version);
    assert_int_equal(ours->schema_version, theirs->schema_version);
    assert_int_equal(ours->has_payload, theirs->has_payload);
    assert_int_equal(ours->payload.len, theirs->payload.len);
    assert_int_equal(ours->payload.data == NULL, theirs->payload.data == NULL);
    if (theirs->payload.len)
        assert_memory_equal(ours->payload.data, theirs->payload.data, theirs->payload.len);
    s_assert_same_string(ours->via, theirs->via);
    assert_int_equal(ours->has_occurred_us, theirs->has_occurred_us);
    assert_int_equal(ours->occurred_us, theirs->occurred_us);
    assert_int_equal(ours->base.n_unknown_fields, theirs->base.n_unknown_fields);
    for (unsigned i = 0; i < theirs->base.n_unknown_fields; i++) {
        const ProtobufCMessageUnknownField *a = &ours->base.unknown_fields[i],
                                           *b = &theirs->base.unknown_fields[i];
        assert_int_equal(a->tag, b->tag);
        assert_int_equal(a->wire_type, b->wire_type);
        assert_int_equal(a->len, b->len);
        assert_memory_equal(a->data, b->data, b->len);
    }
    size_t len = as__envelope__get_packed_size(theirs);
    assert_int_equal(as__envelope__get_packed_size(ours), len);
    uint8_t *a = malloc(len + 1), *b = malloc(len + 1);
    assert_non_null(a);
    assert_non_null(b);
    as__envelope__pack(ours, a);
    as__envelope__pack(theirs, b);
    assert_memory_equal(a, b, len);
    free(a);
    free(b);
}

/* Decodes `len` bytes with as_envelope_unpack and with protobuf-c; both take
 * them, and read the same. Returns ours (free with free_unpacked(, NULL)). */
static As__Envelope *s_take(const uint8_t *bytes, size_t len)
{
    as_wire_fault_t fault = AS_WIRE_BAD_TAG;
    As__Envelope *ours = as_envelope_unpack(NULL, bytes, len, &fault);
    As__Envelope *theirs = as__envelope__unpack(NULL, len, bytes);
    assert_non_null(theirs);
    assert_non_null(ours);
    assert_int_equal(fault, AS_WIRE_OK);
    s_assert_same(ours, theirs);
    as__envelope__free_unpacked(theirs, NULL);
    return ours;
}

/* Both refuse the bytes; ours says `expected`. */
static void s_refused(const uint8_t *bytes, size_t len, as_wire_fault_t expected)
{
    as_wire_fault_t fault = AS_WIRE_OK;
    assert_null(as__envelope__unpack(NULL, len, bytes));
    assert_null(as_envelope_unpack(NULL, bytes, len, &fault));
    assert_int_equal(fault, expected);
}

static void test_empty_input_is_an_empty_envelope(void **state)
{
    (void)state;
    As__Envelope *env = s_take(NULL, 0);
    assert_null(env->id);
    assert_false(env->has_seq);
    assert_false(env->has_payload);
    assert_null(env->payload.data);
    assert_int_equal(env->base.n_unknown_fields, 0);
    assert_null(env->base.unknown_fields);
    as__envelope__free_unpacked(env, NULL);
}

/* A real envelope, every field set, as a publisher packs it. */
static As__Envelope s_full(void)
{
    As__Envelope env = AS__ENVELOPE__INIT;
    static uint8_t payload[] = {0x08, 0x01, 0x12, 0x02, 'o', 'k'};
    env.id = "0190d3c2-7a4b-7c1d-9e2f-0123456789ab";
    env.source = "workshop@jinan-01";
    env.incarnation = "0190d3c2-0000-7c1d-9e2f-0123456789ab";
    env.has_seq = 1;
    env.seq = 42;
    env.type = "workshop.qc.passed";
    env.has_time_us = 1;
    env.time_us = 1700000000000000LL;
    env.subject = "RO-2024-0001";
    env.correlation_id = "corr-1";
    env.causation_id = "req-9";
    env.actor = "tech-17";
    env.has_schema_version = 1;
    env.schema_version = 3;
    env.has_payload = 1;
    env.payload = (ProtobufCBinaryData){.len = sizeof payload, .data = payload};
    env.via = "web@jinan-01";
    env.has_occurred_us = 1;
    env.occurred_us = -5; /* negative: ten bytes on the wire */
    return env;
}

static uint8_t *s_pack(const As__Envelope *env, size_t *len)
{
    *len = as__envelope__get_packed_size(env);
    uint8_t *buf = malloc(*len + 64);
    assert_non_null(buf);
    assert_int_equal(as__envelope__pack(env, buf), *len);
    return buf;
}

static void test_packed_envelope_round_trips(void **state)
{
    (void)state;
    As__Envelope full = s_full();
    size_t len;
    uint8_t *buf = s_pack(&full, &len);
    As__Envelope *env = s_take(buf, len);
    s_assert_same(env, &full);
    assert_int_equal(env->occurred_us, -5);
    as__envelope__free_unpacked(env, NULL);
    free(buf);
}

static void test_each_field_alone(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
    } fields[] = {
        {"\x0a\x02id", 4},
        {"\x12\x03s@x", 5},
        {"\x1a\x01i", 3},
        {"\x20\x96\x01", 3},
        {"\x2a\x05t.e.v", 7},
        {"\x30\x80\x80\x01", 4},
        {"\x3a\x01s", 3},
        {"\x42\x01"
         "c",
         3},
        {"\x4a\x01k", 3},
        {"\x52\x01"
         "a",
         3},
        {"\x58\x07", 2},
        {"\x62\x03\x01\x02\x03", 5},
        {"\x6a\x01v", 3},
        {"\x70\x01", 2},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        As__Envelope *env = s_take((const uint8_t *)fields[i].bytes, fields[i].len);
        as__envelope__free_unpacked(env, NULL);
    }
    As__Envelope *env = s_take(S_BYTES("\x20\x96\x01\x58\x07\x62\x00\x2a\x05t.e.v"));
    assert_int_equal(env->seq, 150);
    assert_int_equal(env->schema_version, 7);
    assert_string_equal(env->type, "t.e.v");
    /* an empty payload is set, and has no data */
    assert_true(env->has_payload);
    assert_int_equal(env->payload.len, 0);
    assert_null(env->payload.data);
    as__envelope__free_unpacked(env, NULL);
}

static void test_repeated_field_last_one_wins(void **state)
{
    (void)state;
    As__Envelope *env = s_take(S_BYTES("\x12\x03"
                                       "a@b"
                                       "\x20\x01"
                                       "\x62\x01X"
                                       "\x12\x05"
                                       "cc@dd"
                                       "\x20\x02"
                                       "\x62\x02YZ"
                                       "\x0a\x00"));
    assert_string_equal(env->source, "cc@dd");
    assert_int_equal(env->seq, 2);
    assert_int_equal(env->payload.len, 2);
    assert_memory_equal(env->payload.data, "YZ", 2);
    assert_string_equal(env->id, "");
    as__envelope__free_unpacked(env, NULL);
    /* a payload given, then given empty: empty */
    env = s_take(S_BYTES("\x62\x01X\x62\x00"));
    assert_true(env->has_payload);
    assert_null(env->payload.data);
    as__envelope__free_unpacked(env, NULL);
}

static void test_wrong_wire_type_refused(void **state)
{
    (void)state;
    /* the strings and the payload as a varint, a fixed64, a fixed32 */
    for (uint8_t number = 1; number <= 14; number++) {
        bool varint = number == 4 || number == 6 || number == 11 || number == 14;
        uint8_t bytes[12] = {(uint8_t)(number << 3)};
        size_t len = 2;
        if (varint) { /* the varints as a LEN, a fixed64, a fixed32 */
            bytes[0] |= AS_WIRE_LEN;
            bytes[1] = 0;
        } else {
            bytes[1] = 1;
        }
        s_refused(bytes, len, AS_WIRE_WRONG_TYPE);
        bytes[0] = (uint8_t)(number << 3 | AS_WIRE_I64);
        s_refused(bytes, 9, AS_WIRE_WRONG_TYPE);
        bytes[0] = (uint8_t)(number << 3 | AS_WIRE_I32);
        s_refused(bytes, 5, AS_WIRE_WRONG_TYPE);
    }
    /* after a valid field */
    s_refused(S_BYTES("\x0a\x01x\x10\x01"), AS_WIRE_WRONG_TYPE);
    /* groups, and wire types 6 and 7, of a known field or not */
    s_refused(S_BYTES("\x0b\x0c"), AS_WIRE_GROUP);
    s_refused(S_BYTES("\x7c"), AS_WIRE_GROUP);
    s_refused(S_BYTES("\x0e\x00"), AS_WIRE_UNKNOWN_TYPE);
    s_refused(S_BYTES("\x7f\x00"), AS_WIRE_UNKNOWN_TYPE);
}

static void test_truncated_and_overlong_refused(void **state)
{
    (void)state;
    /* a tag cut short, a tag of six bytes, field number 0 */
    s_refused(S_BYTES("\x80"), AS_WIRE_BAD_TAG);
    s_refused(S_BYTES("\xa2\x80\x80\x80\x80\x00\x00"), AS_WIRE_BAD_TAG);
    s_refused(S_BYTES("\x02\x00"), AS_WIRE_BAD_TAG);
    /* seq whose varint never ends, or takes 11 bytes */
    s_refused(S_BYTES("\x20\x81\x82"), AS_WIRE_BAD_VARINT);
    s_refused(S_BYTES("\x20\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01"), AS_WIRE_BAD_VARINT);
    /* a length that never ends, takes 6 bytes, or is above INT_MAX */
    s_refused(S_BYTES("\x0a\x85"), AS_WIRE_BAD_LENGTH);
    s_refused(S_BYTES("\x0a\x81\x80\x80\x80\x80\x00"), AS_WIRE_BAD_LENGTH);
    s_refused(S_BYTES("\x0a\x80\x80\x80\x80\x10"), AS_WIRE_BAD_LENGTH);
    /* a length past the end: the id, the payload after a valid field */
    s_refused(S_BYTES("\x0a\x05"
                      "abcd"),
              AS_WIRE_PAST_END);
    s_refused(S_BYTES("\x20\x01\x62\x7f"), AS_WIRE_PAST_END);
    /* fixed-width unknown fields cut short */
    s_refused(S_BYTES("\x79\x01\x02\x03\x04\x05\x06\x07"), AS_WIRE_PAST_END);
    s_refused(S_BYTES("\x7d\x01\x02\x03"), AS_WIRE_PAST_END);

    /* a real envelope cut at every length: taken or refused as protobuf-c does */
    As__Envelope full = s_full();
    size_t len;
    uint8_t *buf = s_pack(&full, &len);
    for (size_t cut = 0; cut < len; cut++) {
        As__Envelope *theirs = as__envelope__unpack(NULL, cut, buf);
        as_wire_fault_t fault = AS_WIRE_OK;
        As__Envelope *ours = as_envelope_unpack(NULL, buf, cut, &fault);
        assert_int_equal(ours != NULL, theirs != NULL);
        assert_int_equal(ours != NULL, fault == AS_WIRE_OK);
        if (ours)
            s_assert_same(ours, theirs);
        as__envelope__free_unpacked(ours, NULL);
        as__envelope__free_unpacked(theirs, NULL);
    }
    free(buf);
}

static void test_varints_read_as_protobuf_c_reads_them(void **state)
{
    (void)state;
    /* seq 2^64 - 1; schema_version 2^32 + 5: its low 32 bits; a 10th byte's
     * bits past 64 dropped (time_us); a padded varint (occurred_us 1) */
    As__Envelope *env = s_take(S_BYTES("\x20\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"
                                       "\x58\x85\x80\x80\x80\x10"
                                       "\x30\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f"
                                       "\x70\x81\x80\x80\x00"));
    assert_true(env->seq == UINT64_MAX);
    assert_int_equal(env->schema_version, 5);
    assert_true(env->time_us == INT64_MIN);
    assert_int_equal(env->occurred_us, 1);
    as__envelope__free_unpacked(env, NULL);
    /* schema_version of five bytes and of ten: the high bits of the 5th go */
    env = s_take(S_BYTES("\x58\xff\xff\xff\xff\x7f"));
    assert_true(env->schema_version == UINT32_MAX);
    as__envelope__free_unpacked(env, NULL);
    env = s_take(S_BYTES("\x58\x81\x80\x80\x80\x80\x80\x80\x80\x80\x01"));
    assert_int_equal(env->schema_version, 1);
    as__envelope__free_unpacked(env, NULL);
}

static void test_strings_kept_as_they_are(void **state)
{
    (void)state;
    /* not UTF-8, an embedded NUL: taken, NUL-terminated after the bytes */
    As__Envelope *env = s_take(S_BYTES("\x0a\x03\xff\xfe\xc3\x3a\x03"
                                       "a\0b"));
    assert_memory_equal(env->id, "\xff\xfe\xc3\0", 4);
    assert_memory_equal(env->subject, "a\0b\0", 4);
    as__envelope__free_unpacked(env, NULL);
}

static void test_unknown_fields_kept(void **state)
{
    (void)state;
    /* 99 varint, 100 LEN "hi", 15 fixed32, 16 fixed64, a padded tag of field
     * 0 (protobuf-c reads it), field 2^29 - 1 and a five-byte tag above it,
     * around the known fields; a known field in a padded tag */
    As__Envelope *env = s_take(S_BYTES("\x98\x06\x01"
                                       "\x0a\x01x"
                                       "\xa2\x06\x02hi"
                                       "\x7d\x01\x02\x03\x04"
                                       "\x81\x01\x01\x02\x03\x04\x05\x06\x07\x08"
                                       "\x80\x00\x05"
                                       "\xf8\xff\xff\xff\x0f\x00"
                                       "\xf8\xff\xff\xff\x7f\x00"
                                       "\x92\x80\x00\x03s@x"));
    assert_string_equal(env->id, "x");
    assert_string_equal(env->source, "s@x");
    assert_int_equal(env->base.n_unknown_fields, 7);
    const ProtobufCMessageUnknownField *u = env->base.unknown_fields;
    assert_int_equal(u[0].tag, 99);
    assert_int_equal(u[1].tag, 100);
    assert_int_equal(u[1].wire_type, PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED);
    assert_int_equal(u[1].len, 3);
    assert_memory_equal(u[1].data, "\x02hi", 3);
    assert_int_equal(u[4].tag, 0);
    as__envelope__free_unpacked(env, NULL);
}

/* An allocator that fails its `left`-th allocation from now. */
typedef struct {
    ProtobufCAllocator base;
    int left;
    int live; /* allocations not freed */
} s_failing_t;

static void *s_failing_alloc(void *data, size_t size)
{
    s_failing_t *f = data;
    if (f->left-- == 0)
        return NULL;
    void *p = malloc(size ? size : 1);
    f->live += p != NULL;
    return p;
}

static void s_failing_free(void *data, void *p)
{
    s_failing_t *f = data;
    f->live -= p != NULL;
    free(p);
}

static void test_out_of_memory_leaves_nothing(void **state)
{
    (void)state;
    As__Envelope full = s_full();
    size_t len;
    uint8_t *buf = s_pack(&full, &len);
    static const uint8_t unknown[] = {0x98, 0x06, 0x01, 0xa2, 0x06, 0x02, 'h', 'i'};
    memcpy(buf + len, unknown, sizeof unknown);
    len += sizeof unknown;
    /* the message, 9 strings, the payload, the unknown array and 2 fields */
    for (int fail_at = 0;; fail_at++) {
        s_failing_t f = {.left = fail_at};
        f.base = (ProtobufCAllocator){s_failing_alloc, s_failing_free, &f};
        as_wire_fault_t fault = AS_WIRE_BAD_TAG;
        As__Envelope *env = as_envelope_unpack(&f.base, buf, len, &fault);
        assert_int_equal(fault, AS_WIRE_OK);
        if (env) {
            assert_int_equal(fail_at, 14);
            assert_int_equal(f.live, 14);
            as__envelope__free_unpacked(env, &f.base);
            assert_int_equal(f.live, 0);
            break;
        }
        assert_int_equal(f.live, 0);
    }
    free(buf);
}

static void test_arena_allocator(void **state)
{
    (void)state;
    as_arena_t *arena = as_arena_new(0);
    assert_non_null(arena);
    As__Envelope full = s_full();
    size_t len;
    uint8_t *buf = s_pack(&full, &len);
    As__Envelope *env = as_envelope_unpack(as_arena_allocator(arena), buf, len, NULL);
    assert_non_null(env);
    s_assert_same(env, &full);
    as__envelope__free_unpacked(env, as_arena_allocator(arena)); /* does nothing */
    as_arena_reset(arena);
    as_arena_destroy(&arena);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_input_is_an_empty_envelope),
        cmocka_unit_test(test_packed_envelope_round_trips),
        cmocka_unit_test(test_each_field_alone),
        cmocka_unit_test(test_repeated_field_last_one_wins),
        cmocka_unit_test(test_wrong_wire_type_refused),
        cmocka_unit_test(test_truncated_and_overlong_refused),
        cmocka_unit_test(test_varints_read_as_protobuf_c_reads_them),
        cmocka_unit_test(test_strings_kept_as_they_are),
        cmocka_unit_test(test_unknown_fields_kept),
        cmocka_unit_test(test_out_of_memory_leaves_nothing),
        cmocka_unit_test(test_arena_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
