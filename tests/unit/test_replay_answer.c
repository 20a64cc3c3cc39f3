/* test_replay_answer.c — the wire walk (wire.h) and a replay answer read in
 * place (replay_answer.h): hand-made malformed answers are refused with the
 * fault they have, as protobuf-c refuses them; a valid answer reads as
 * protobuf-c's own unpack reads it, its events slices of the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/replay_answer.h"
#include "as/wire.h"

/* Reads `len` bytes as an answer; checks that protobuf-c agrees on whether
 * it is one, and returns the reader's code (the fault in *fault). */
static int s_read(as_replay_answer_t *a, const void *data, size_t len, as_wire_fault_t *fault)
{
    int rc = as_replay_answer_read(a, data, len, fault);
    As__ReplayResponse *whole = as__replay_response__unpack(NULL, len, data);
    assert_int_equal(rc == 0, whole != NULL);
    if (whole)
        as__replay_response__free_unpacked(whole, NULL);
    return rc;
}

static void s_assert_refused(const char *bytes, size_t len, as_wire_fault_t expected)
{
    as_replay_answer_t a = AS_REPLAY_ANSWER_INIT;
    as_wire_fault_t fault = AS_WIRE_OK;
    assert_int_equal(s_read(&a, bytes, len, &fault), AS_EBADFRAME);
    assert_int_equal(fault, expected);
    assert_null(a.head);
    assert_int_equal(a.n_events, 0);
    as_replay_answer_fini(&a);
}

static void test_empty_answer_has_nothing(void **state)
{
    (void)state;
    as_replay_answer_t a = AS_REPLAY_ANSWER_INIT;
    as_wire_fault_t fault = AS_WIRE_BAD_TAG;
    assert_int_equal(s_read(&a, "", 0, &fault), 0);
    assert_int_equal(fault, AS_WIRE_OK);
    assert_non_null(a.head);
    assert_null(a.head->source);
    assert_int_equal(a.head->has_last_seq, 0);
    assert_int_equal(a.n_events, 0);
    /* no buffer at all */
    assert_int_equal(s_read(&a, NULL, 0, &fault), 0);
    assert_int_equal(a.n_events, 0);
    as_replay_answer_fini(&a);
    assert_null(a.head);
}

static void test_truncated_varints_refused(void **state)
{
    (void)state;
    /* a tag cut short: its byte says another follows, and none does */
    s_assert_refused("\x80", 1, AS_WIRE_BAD_TAG);
    /* a tag of six bytes (protobuf-c reads at most five) */
    s_assert_refused("\xa2\x80\x80\x80\x80\x00\x00", 7, AS_WIRE_BAD_TAG);
    /* field number 0 */
    s_assert_refused("\x00\x01", 2, AS_WIRE_BAD_TAG);
    /* last_seq (3, varint) whose value never ends */
    s_assert_refused("\x18\x81\x82", 3, AS_WIRE_BAD_VARINT);
    /* a varint value of 11 bytes */
    s_assert_refused("\x18\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 12, AS_WIRE_BAD_VARINT);
    /* an event whose length never ends, or takes 6 bytes */
    s_assert_refused("\x22\x85", 2, AS_WIRE_BAD_LENGTH);
    s_assert_refused("\x22\x81\x80\x80\x80\x80\x00", 7, AS_WIRE_BAD_LENGTH);
    /* a length of 2^32 (above INT_MAX: protobuf-c refuses it before the end) */
    s_assert_refused("\x22\x80\x80\x80\x80\x10", 6, AS_WIRE_BAD_LENGTH);
}

static void test_length_past_the_end_refused(void **state)
{
    (void)state;
    /* an event of 5 bytes with 4 there */
    s_assert_refused("\x22\x05"
                     "abcd",
                     6, AS_WIRE_PAST_END);
    /* the source's string, after a whole event */
    s_assert_refused("\x22\x01x\x0a\x7f", 5, AS_WIRE_PAST_END);
    /* fixed-width values cut short (unknown fields 7 and 8) */
    s_assert_refused("\x39\x01\x02\x03\x04\x05\x06\x07", 8, AS_WIRE_PAST_END);
    s_assert_refused("\x45\x01\x02\x03", 4, AS_WIRE_PAST_END);
}

static void test_wire_types_refused(void **state)
{
    (void)state;
    /* field 4 (events, bytes) as a varint, as a fixed64, as a fixed32 */
    s_assert_refused("\x20\x01", 2, AS_WIRE_WRONG_TYPE);
    s_assert_refused("\x21\x01\x02\x03\x04\x05\x06\x07\x08", 9, AS_WIRE_WRONG_TYPE);
    s_assert_refused("\x25\x01\x02\x03\x04", 5, AS_WIRE_WRONG_TYPE);
    /* a group opened (field 4, or an unknown field 9), or closed */
    s_assert_refused("\x23\x24", 2, AS_WIRE_GROUP);
    s_assert_refused("\x4b\x4c", 2, AS_WIRE_GROUP);
    s_assert_refused("\x4c", 1, AS_WIRE_GROUP);
    /* wire types 6 and 7 */
    s_assert_refused("\x26\x00", 2, AS_WIRE_UNKNOWN_TYPE);
    s_assert_refused("\x0f\x00", 2, AS_WIRE_UNKNOWN_TYPE);
    /* the source (1, a string) as a varint: the walk is fine, protobuf-c is not */
    s_assert_refused("\x08\x01\x22\x00", 4, AS_WIRE_BAD_FIELDS);
    /* a lineage ancestor that is not a message */
    s_assert_refused("\x32\x02\xff\xff", 4, AS_WIRE_BAD_FIELDS);
}

/* A valid answer as a source packs one, with events of `n` sizes. */
static uint8_t *s_pack_answer(size_t n, size_t *len, uint8_t **payloads)
{
    As__ReplayResponse resp = AS__REPLAY_RESPONSE__INIT;
    resp.source = "demo@src";
    resp.incarnation = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b";
    resp.has_last_seq = 1;
    resp.last_seq = 123456789012ull;
    As__Ancestor a1 = AS__ANCESTOR__INIT, a2 = AS__ANCESTOR__INIT;
    a1.incarnation = "0190a1b2-c3d4-7e5f-8a6b-000000000001";
    a1.has_fork_seq = 1;
    a1.fork_seq = 7;
    a2.incarnation = "0190a1b2-c3d4-7e5f-8a6b-000000000002";
    As__Ancestor *lineage[] = {&a1, &a2};
    resp.n_lineage = 2;
    resp.lineage = lineage;
    ProtobufCBinaryData *events = calloc(n ? n : 1, sizeof *events);
    assert_non_null(events);
    for (size_t i = 0; i < n; i++) {
        size_t size = i == 0 ? 0 : i * 37; /* an empty one, short ones, long lengths */
        payloads[i] = malloc(size ? size : 1);
        assert_non_null(payloads[i]);
        for (size_t j = 0; j < size; j++)
            payloads[i][j] = (uint8_t)(i + j);
        events[i] = (ProtobufCBinaryData){.len = size, .data = payloads[i]};
    }
    resp.n_events = n;
    resp.events = events;
    *len = as__replay_response__get_packed_size(&resp);
    uint8_t *buf = malloc(*len);
    assert_non_null(buf);
    as__replay_response__pack(&resp, buf);
    free(events);
    return buf;
}

static void test_valid_answer_reads_as_protobuf_c_reads_it(void **state)
{
    (void)state;
    enum { N = 300 };
    uint8_t *payloads[N];
    size_t len = 0;
    uint8_t *buf = s_pack_answer(N, &len, payloads);
    As__ReplayResponse *whole = as__replay_response__unpack(NULL, len, buf);
    assert_non_null(whole);

    as_replay_answer_t a = AS_REPLAY_ANSWER_INIT;
    as_wire_fault_t fault = AS_WIRE_BAD_TAG;
    for (int round = 0; round < 2; round++) { /* a second read reuses the buffers */
        assert_int_equal(as_replay_answer_read(&a, buf, len, &fault), 0);
        assert_int_equal(fault, AS_WIRE_OK);
        assert_string_equal(a.head->source, whole->source);
        assert_string_equal(a.head->incarnation, whole->incarnation);
        assert_int_equal(a.head->has_last_seq, 1);
        assert_int_equal(a.head->last_seq, whole->last_seq);
        assert_null(a.head->error);
        assert_int_equal(a.head->n_events, 0);
        assert_int_equal(a.head->n_lineage, 2);
        for (size_t i = 0; i < 2; i++) {
            assert_string_equal(a.head->lineage[i]->incarnation, whole->lineage[i]->incarnation);
            assert_int_equal(a.head->lineage[i]->has_fork_seq, whole->lineage[i]->has_fork_seq);
            assert_int_equal(a.head->lineage[i]->fork_seq, whole->lineage[i]->fork_seq);
        }
        assert_int_equal(a.n_events, whole->n_events);
        for (size_t i = 0; i < N; i++) {
            assert_int_equal(a.events[i].len, whole->events[i].len);
            if (a.events[i].len)
                assert_memory_equal(a.events[i].data, whole->events[i].data, a.events[i].len);
            /* a slice of the buffer, not a copy */
            assert_true(a.events[i].data >= buf && a.events[i].data + a.events[i].len <= buf + len);
        }
        as_replay_answer_release(&a);
        assert_null(a.head);
        assert_int_equal(a.n_events, 0);
    }
    as_replay_answer_fini(&a);
    as__replay_response__free_unpacked(whole, NULL);
    for (size_t i = 0; i < N; i++)
        free(payloads[i]);
    free(buf);
}

static void test_fields_in_any_order_and_unknown_ones_kept(void **state)
{
    (void)state;
    /* event "ab", last_seq 5, unknown 9 (fixed32), event "", source "x",
     * last_seq 6 (the last one counts), unknown field 0 in a padded tag */
    static const char bytes[] = "\x22\x02"
                                "ab"
                                "\x18\x05"
                                "\x4d\x01\x02\x03\x04"
                                "\x22\x00"
                                "\x0a\x01x"
                                "\x18\x06"
                                "\x80\x00\x01";
    size_t len = sizeof bytes - 1;
    As__ReplayResponse *whole = as__replay_response__unpack(NULL, len, (const uint8_t *)bytes);
    assert_non_null(whole);
    as_replay_answer_t a = AS_REPLAY_ANSWER_INIT;
    as_wire_fault_t fault;
    assert_int_equal(as_replay_answer_read(&a, bytes, len, &fault), 0);
    assert_string_equal(a.head->source, "x");
    assert_int_equal(a.head->last_seq, whole->last_seq);
    assert_int_equal(a.head->last_seq, 6);
    assert_int_equal(a.head->base.n_unknown_fields, whole->base.n_unknown_fields);
    assert_int_equal(a.head->base.n_unknown_fields, 2);
    for (unsigned i = 0; i < 2; i++) {
        assert_int_equal(a.head->base.unknown_fields[i].tag, whole->base.unknown_fields[i].tag);
        assert_int_equal(a.head->base.unknown_fields[i].len, whole->base.unknown_fields[i].len);
    }
    assert_int_equal(a.n_events, 2);
    assert_int_equal(a.events[0].len, 2);
    assert_memory_equal(a.events[0].data, "ab", 2);
    assert_int_equal(a.events[1].len, 0);
    as_replay_answer_fini(&a);
    as__replay_response__free_unpacked(whole, NULL);
}

static void test_walk_gives_each_field(void **state)
{
    (void)state;
    /* field 1 varint 300, field 2 fixed64, field 3 bytes "hi", field 4 fixed32,
     * field 2^29 - 1 varint 1 (a five-byte tag) */
    static const uint8_t bytes[] = {0x08, 0xac, 0x02, 0x11, 1,    2,    3,    4,    5,
                                    6,    7,    8,    0x1a, 0x02, 'h',  'i',  0x25, 9,
                                    9,    9,    9,    0xf8, 0xff, 0xff, 0xff, 0x0f, 0x01};
    as_wire_reader_t r;
    as_wire_field_t f;
    as_wire_reader_init(&r, bytes, sizeof bytes);
    static const struct {
        uint32_t number;
        as_wire_type_t type;
        size_t offset, size, value_offset, value_len;
    } want[] = {
        {1, AS_WIRE_VARINT, 0, 3, 1, 2},
        {2, AS_WIRE_I64, 3, 9, 4, 8},
        {3, AS_WIRE_LEN, 12, 4, 14, 2},
        {4, AS_WIRE_I32, 16, 5, 17, 4},
        {(1u << 29) - 1, AS_WIRE_VARINT, 21, 6, 26, 1},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(as_wire_next(&r, &f), 1);
        assert_int_equal(f.number, want[i].number);
        assert_int_equal(f.type, want[i].type);
        assert_ptr_equal(f.start, bytes + want[i].offset);
        assert_int_equal(f.size, want[i].size);
        assert_ptr_equal(f.value, bytes + want[i].value_offset);
        assert_int_equal(f.value_len, want[i].value_len);
    }
    assert_int_equal(as_wire_next(&r, &f), 0);
    assert_int_equal(as_wire_next(&r, &f), 0);
    assert_int_equal(r.fault, AS_WIRE_OK);

    /* a refusal sticks */
    as_wire_reader_init(&r, "\x08", 1);
    assert_int_equal(as_wire_next(&r, &f), AS_EBADFRAME);
    assert_int_equal(r.fault, AS_WIRE_BAD_VARINT);
    assert_int_equal(as_wire_next(&r, &f), AS_EBADFRAME);
    assert_string_equal(as_wire_fault_name(r.fault), "bad-varint");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_answer_has_nothing),
        cmocka_unit_test(test_truncated_varints_refused),
        cmocka_unit_test(test_length_past_the_end_refused),
        cmocka_unit_test(test_wire_types_refused),
        cmocka_unit_test(test_valid_answer_reads_as_protobuf_c_reads_it),
        cmocka_unit_test(test_fields_in_any_order_and_unknown_ones_kept),
        cmocka_unit_test(test_walk_gives_each_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
