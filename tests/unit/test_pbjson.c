/* test_pbjson.c — protobuf-c messages to and from JSON and field=value args:
 * round trips for every field type, presence, each error text, args, limits,
 * and out-of-memory at every allocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/error.h"
#include "as/pbjson.h"
#include "as/pb/demo.pb-c.h"
#include "as/pb/envelope.pb-c.h"
#include "as/pb/rpc.pb-c.h"
#include "as/pb/testmsg.pb-c.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- out-of-memory injection ------------------------------------------------
 * Without AddressSanitizer (which owns malloc), the test replaces the
 * allocator: while armed, the Nth allocation fails, and allocations minus frees
 * are counted so a failed call can be checked for leaks. */
#if defined(__SANITIZE_ADDRESS__)
#define S_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define S_HAVE_ASAN 1
#endif
#endif

#ifndef S_HAVE_ASAN
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);

static bool s_armed;        /* counting and failing */
static long s_fail_in = -1; /* allocations left before the one that fails */
static long s_live;         /* allocations minus frees while armed */

static bool s_alloc_fails(void)
{
    if (!s_armed || s_fail_in < 0) {
        return false;
    }
    return s_fail_in-- == 0;
}

void *malloc(size_t size)
{
    if (s_alloc_fails()) {
        return NULL;
    }
    void *ptr = __libc_malloc(size);
    s_live += s_armed && ptr;
    return ptr;
}

void *calloc(size_t count, size_t size)
{
    if (s_alloc_fails()) {
        return NULL;
    }
    void *ptr = __libc_calloc(count, size);
    s_live += s_armed && ptr;
    return ptr;
}

void *realloc(void *ptr, size_t size)
{
    if (s_alloc_fails()) {
        return NULL;
    }
    void *moved = __libc_realloc(ptr, size);
    s_live += s_armed && !ptr && moved;
    return moved;
}

void free(void *ptr)
{
    s_live -= s_armed && ptr;
    __libc_free(ptr);
}
#endif

/* ---- helpers ---------------------------------------------------------------- */

/* Asserts that json equals the JSON text `expected` (types included). */
static void s_assert_json(const json_t *json, const char *expected)
{
    json_error_t error;
    json_t *want = json_loads(expected, 0, &error);
    if (!want) {
        fail_msg("bad expected JSON: %s", error.text);
    }
    if (!json || !json_equal((json_t *)json, want)) {
        char *got = json ? json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        char *text = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
        print_error("got  %s\nwant %s\n", got ? got : "NULL", text);
        free(got);
        free(text);
        json_decref(want);
        fail();
    }
    json_decref(want);
}

/* Both messages pack to the same bytes. */
static void s_assert_same_wire(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    size_t len_a = protobuf_c_message_get_packed_size(a);
    size_t len_b = protobuf_c_message_get_packed_size(b);
    assert_int_equal(len_a, len_b);
    uint8_t *buf_a = malloc(len_a + 1);
    uint8_t *buf_b = malloc(len_b + 1);
    assert_non_null(buf_a);
    assert_non_null(buf_b);
    protobuf_c_message_pack(a, buf_a);
    protobuf_c_message_pack(b, buf_b);
    assert_memory_equal(buf_a, buf_b, len_a);
    free(buf_a);
    free(buf_b);
}

/* Decodes JSON text as desc; expects success and returns the message. */
static ProtobufCMessage *s_from_text(const ProtobufCMessageDescriptor *desc, const char *text)
{
    json_error_t error;
    json_t *json = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (!json) {
        fail_msg("bad test JSON: %s", error.text);
    }
    ProtobufCMessage *msg = NULL;
    char err[512] = "";
    int rc = as_pbjson_from_json(desc, json, &msg, err, sizeof(err));
    json_decref(json);
    if (rc != 0) {
        fail_msg("from_json failed (%d): %s", rc, err);
    }
    assert_non_null(msg);
    return msg;
}

/* JSON text -> message -> JSON: expects `expected` back. */
static void s_assert_converts(const ProtobufCMessageDescriptor *desc, const char *text,
                              const char *expected)
{
    ProtobufCMessage *msg = s_from_text(desc, text);
    json_t *json = as_pbjson_to_json(msg);
    s_assert_json(json, expected);
    json_decref(json);
    protobuf_c_message_free_unpacked(msg, NULL);
}

/* Expects decoding JSON text as desc to fail with exactly `expected`. */
static void s_assert_rejects(const ProtobufCMessageDescriptor *desc, const char *text,
                             const char *expected)
{
    json_error_t error;
    json_t *json = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (!json) {
        fail_msg("bad test JSON: %s", error.text);
    }
    ProtobufCMessage *msg = (ProtobufCMessage *)1;
    char err[512] = "";
    int rc = as_pbjson_from_json(desc, json, &msg, err, sizeof(err));
    json_decref(json);
    assert_int_equal(rc, AS_EINVALID);
    assert_null(msg);
    assert_string_equal(err, expected);
}

/* Expects args to build a message whose JSON is `expected`. */
static void s_assert_args(const ProtobufCMessageDescriptor *desc, int argc, char **argv,
                          const char *expected)
{
    ProtobufCMessage *msg = NULL;
    char err[512] = "";
    int rc = as_pbjson_from_args(desc, argc, argv, &msg, err, sizeof(err));
    if (rc != 0) {
        fail_msg("from_args failed (%d): %s", rc, err);
    }
    json_t *json = as_pbjson_to_json(msg);
    s_assert_json(json, expected);
    json_decref(json);
    protobuf_c_message_free_unpacked(msg, NULL);
}

static void s_assert_args_reject(const ProtobufCMessageDescriptor *desc, int argc, char **argv,
                                 const char *expected)
{
    ProtobufCMessage *msg = (ProtobufCMessage *)1;
    char err[512] = "";
    int rc = as_pbjson_from_args(desc, argc, argv, &msg, err, sizeof(err));
    assert_int_equal(rc, AS_EINVALID);
    assert_null(msg);
    assert_string_equal(err, expected);
}

#define S_ARGC(argv) ((int)(sizeof(argv) / sizeof((argv)[0])))

/* ---- message -> JSON -> message ------------------------------------------------ */

static const char s_all_json[] =
    "{\"f_int32\":-2147483648,\"f_sint32\":-5,\"f_sfixed32\":2147483647,"
    "\"f_int64\":-9223372036854775808,\"f_sint64\":9223372036854775807,\"f_sfixed64\":-1,"
    "\"f_uint32\":4294967295,\"f_fixed32\":7,\"f_uint64\":\"18446744073709551615\","
    "\"f_fixed64\":9223372036854775807,\"f_float\":0.1,\"f_double\":-2.5e300,"
    "\"f_bool\":true,\"f_enum\":\"COLOR_INFRARED\",\"f_string\":\"gr\\u00fc\\u00dfe "
    "\\\"q\\\"\",\"f_bytes\":\"AP8QaGk=\","
    "\"f_inner\":{\"name\":\"in\",\"level\":-3,\"marks\":[1,2,3]}}";

static void test_every_scalar_round_trips(void **state)
{
    (void)state;
    As__TestInner inner = AS__TEST_INNER__INIT;
    uint32_t marks[] = {1, 2, 3};
    inner.name = "in";
    inner.has_level = 1;
    inner.level = -3;
    inner.n_marks = 3;
    inner.marks = marks;
    As__TestAll all = AS__TEST_ALL__INIT;
    all.has_f_int32 = 1, all.f_int32 = INT32_MIN;
    all.has_f_sint32 = 1, all.f_sint32 = -5;
    all.has_f_sfixed32 = 1, all.f_sfixed32 = INT32_MAX;
    all.has_f_int64 = 1, all.f_int64 = INT64_MIN;
    all.has_f_sint64 = 1, all.f_sint64 = INT64_MAX;
    all.has_f_sfixed64 = 1, all.f_sfixed64 = -1;
    all.has_f_uint32 = 1, all.f_uint32 = UINT32_MAX;
    all.has_f_fixed32 = 1, all.f_fixed32 = 7;
    all.has_f_uint64 = 1, all.f_uint64 = UINT64_MAX;
    all.has_f_fixed64 = 1, all.f_fixed64 = (uint64_t)INT64_MAX;
    all.has_f_float = 1, all.f_float = 0.1f;
    all.has_f_double = 1, all.f_double = -2.5e300;
    all.has_f_bool = 1, all.f_bool = 1;
    all.has_f_enum = 1, all.f_enum = AS__TEST_ALL__COLOR__COLOR_INFRARED;
    all.f_string = "gr\xc3\xbc\xc3\x9f"
                   "e \"q\"";
    all.has_f_bytes = 1, all.f_bytes.len = 5, all.f_bytes.data = (uint8_t *)"\x00\xff\x10hi";
    all.f_inner = &inner;

    json_t *json = as_pbjson_to_json(&all.base);
    s_assert_json(json, s_all_json);
    ProtobufCMessage *back = NULL;
    char err[256] = "";
    assert_int_equal(as_pbjson_from_json(&as__test_all__descriptor, json, &back, err, sizeof(err)),
                     0);
    assert_string_equal(err, "");
    s_assert_same_wire(&all.base, back);
    As__TestAll *copy = (As__TestAll *)back;
    assert_true(copy->f_float == 0.1f);
    assert_int_equal(copy->f_uint64, UINT64_MAX);
    assert_int_equal(copy->f_int64, INT64_MIN);
    assert_string_equal(copy->f_inner->name, "in");
    protobuf_c_message_free_unpacked(back, NULL);
    json_decref(json);
}

static void test_every_repeated_round_trips(void **state)
{
    (void)state;
    const char *text =
        "{\"r_int32\":[-1,0,2147483647],\"r_sint32\":[-2147483648,5],\"r_sfixed32\":[3],"
        "\"r_int64\":[-9223372036854775808,1],\"r_sint64\":[-7],\"r_sfixed64\":[8],"
        "\"r_uint32\":[0,4294967295],\"r_fixed32\":[9],"
        "\"r_uint64\":[9223372036854775807,\"9223372036854775808\",\"18446744073709551615\"],"
        "\"r_fixed64\":[0],\"r_float\":[1.5,-0.25,\"NaN\"],"
        "\"r_double\":[1e-300,\"Infinity\",\"-Infinity\"],\"r_bool\":[true,false,true],"
        "\"r_enum\":[\"COLOR_GREEN\",\"COLOR_RED\"],\"r_string\":[\"a\",\"\",\"c\"],"
        "\"r_bytes\":[\"\",\"Zg==\",\"Zm8=\",\"Zm9v\",\"Zm9vYg==\",\"Zm9vYmE=\",\"Zm9vYmFy\"],"
        "\"r_inner\":[{\"name\":\"x\"},{},{\"marks\":[4,5]}],\"r_packed\":[1,2,3]}";
    s_assert_converts(&as__test_all__descriptor, text, text);

    ProtobufCMessage *msg = s_from_text(&as__test_all__descriptor, text);
    As__TestAll *all = (As__TestAll *)msg;
    assert_int_equal(all->n_r_bytes, 7);
    assert_int_equal(all->r_bytes[6].len, 6);
    assert_memory_equal(all->r_bytes[6].data, "foobar", 6);
    assert_int_equal(all->n_r_inner, 3);
    assert_false(all->r_inner[1]->name != NULL);
    assert_true(isnan(all->r_float[2]));
    /* through the wire and back: same JSON */
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *wire = malloc(len);
    assert_non_null(wire);
    protobuf_c_message_pack(msg, wire);
    ProtobufCMessage *unpacked =
        protobuf_c_message_unpack(&as__test_all__descriptor, NULL, len, wire);
    assert_non_null(unpacked);
    json_t *json = as_pbjson_to_json(unpacked);
    s_assert_json(json, text);
    json_decref(json);
    protobuf_c_message_free_unpacked(unpacked, NULL);
    free(wire);
    protobuf_c_message_free_unpacked(msg, NULL);
}

static void test_project_messages(void **state)
{
    (void)state;
    As__SourceOffset offsets[2] = {AS__SOURCE_OFFSET__INIT, AS__SOURCE_OFFSET__INIT};
    As__SourceOffset *offset_ptrs[2] = {&offsets[0], &offsets[1]};
    offsets[0].source = "workshop@jinan-01";
    offsets[0].has_applied_seq = 1, offsets[0].applied_seq = 42;
    offsets[1].source = "parts@jinan-01";
    offsets[1].has_diverged = 1, offsets[1].diverged = 1;
    As__StatusReply reply = AS__STATUS_REPLY__INIT;
    reply.source = "reception@jinan-01";
    reply.has_last_seq = 1, reply.last_seq = 0;
    reply.n_offsets = 2;
    reply.offsets = offset_ptrs;
    reply.has_started_us = 1, reply.started_us = 1700000000000000;
    json_t *json = as_pbjson_to_json(&reply.base);
    s_assert_json(json, "{\"source\":\"reception@jinan-01\",\"last_seq\":0,"
                        "\"offsets\":[{\"source\":\"workshop@jinan-01\",\"applied_seq\":42},"
                        "{\"source\":\"parts@jinan-01\",\"diverged\":true}],"
                        "\"started_us\":1700000000000000}");
    ProtobufCMessage *back = NULL;
    assert_int_equal(as_pbjson_from_json(&as__status_reply__descriptor, json, &back, NULL, 0), 0);
    s_assert_same_wire(&reply.base, back);
    protobuf_c_message_free_unpacked(back, NULL);
    json_decref(json);

    As__DemoTick tick = AS__DEMO_TICK__INIT;
    tick.has_number = 1, tick.number = 18446744073709551615u;
    tick.has_value = 1, tick.value = -12;
    tick.has_padding = 1, tick.padding.len = 3, tick.padding.data = (uint8_t *)"abc";
    json = as_pbjson_to_json(&tick.base);
    s_assert_json(json, "{\"number\":\"18446744073709551615\",\"value\":-12,\"padding\":\"YWJj\"}");
    json_decref(json);

    s_assert_converts(&as__envelope__descriptor,
                      "{\"id\":\"0190\",\"seq\":1,\"type\":\"demo.tick.emitted\",\"time_us\":5,"
                      "\"schema_version\":1,\"payload\":\"CAE=\"}",
                      "{\"id\":\"0190\",\"seq\":1,\"type\":\"demo.tick.emitted\",\"time_us\":5,"
                      "\"schema_version\":1,\"payload\":\"CAE=\"}");
    s_assert_converts(&as__heartbeat__descriptor, "{\"best_effort\":false,\"last_seq\":\"3\"}",
                      "{\"best_effort\":false,\"last_seq\":3}");
    s_assert_converts(&as__status_request__descriptor, "{}", "{}");
}

static void test_presence(void **state)
{
    (void)state;
    As__TestAll all = AS__TEST_ALL__INIT;
    /* nothing set: defaults (d_*) are not values */
    json_t *json = as_pbjson_to_json(&all.base);
    s_assert_json(json, "{}");
    json_decref(json);
    /* set to zero or empty: present */
    all.has_f_int32 = 1;
    all.has_f_bool = 1;
    all.has_f_enum = 1;
    all.f_string = "";
    all.has_f_bytes = 1;
    all.has_d_int32 = 1;
    json = as_pbjson_to_json(&all.base);
    s_assert_json(json, "{\"f_int32\":0,\"f_bool\":false,\"f_enum\":\"COLOR_RED\","
                        "\"f_string\":\"\",\"f_bytes\":\"\",\"d_int32\":7}");
    json_decref(json);

    /* null is "not set"; a decoded message keeps defaults for what is absent */
    ProtobufCMessage *msg =
        s_from_text(&as__test_all__descriptor, "{\"f_int32\":null,\"f_uint64\":0,\"f_inner\":null,"
                                               "\"d_string\":\"bye\",\"r_int32\":[]}");
    As__TestAll *decoded = (As__TestAll *)msg;
    assert_false(decoded->has_f_int32);
    assert_true(decoded->has_f_uint64);
    assert_null(decoded->f_inner);
    assert_string_equal(decoded->d_string, "bye");
    assert_false(decoded->has_d_int32);
    assert_int_equal(decoded->d_int32, 7);
    assert_int_equal(decoded->d_bytes.len, 3);
    assert_int_equal(decoded->n_r_int32, 0);
    json = as_pbjson_to_json(msg);
    s_assert_json(json, "{\"f_uint64\":0,\"d_string\":\"bye\"}");
    json_decref(json);
    protobuf_c_message_free_unpacked(msg, NULL);

    /* required fields are always printed */
    As__TestRequired required = AS__TEST_REQUIRED__INIT;
    required.id = "r1";
    json = as_pbjson_to_json(&required.base);
    s_assert_json(json, "{\"id\":\"r1\",\"count\":0}");
    json_decref(json);
    assert_null(as_pbjson_to_json(NULL));
}

static void test_oneof(void **state)
{
    (void)state;
    As__TestAll all = AS__TEST_ALL__INIT;
    all.choice_case = AS__TEST_ALL__CHOICE_C_NUMBER;
    all.c_number = 0;
    json_t *json = as_pbjson_to_json(&all.base);
    s_assert_json(json, "{\"c_number\":0}");
    json_decref(json);

    ProtobufCMessage *msg =
        s_from_text(&as__test_all__descriptor, "{\"c_inner\":{\"name\":\"deep\"}}");
    As__TestAll *decoded = (As__TestAll *)msg;
    assert_int_equal(decoded->choice_case, AS__TEST_ALL__CHOICE_C_INNER);
    assert_string_equal(decoded->c_inner->name, "deep");
    protobuf_c_message_free_unpacked(msg, NULL);

    s_assert_converts(&as__test_all__descriptor, "{\"c_text\":\"t\",\"c_number\":null}",
                      "{\"c_text\":\"t\"}");
    s_assert_rejects(&as__test_all__descriptor, "{\"c_text\":\"t\",\"c_inner\":{}}",
                     "fields 'c_text' and 'c_inner' are in the same oneof: give only one");
    s_assert_rejects(
        &as__test_all__descriptor,
        "{\"r_inner\":[{}],\"f_inner\":{\"name\":\"n\"},\"c_number\":1,\"c_text\":\"\"}",
        "fields 'c_number' and 'c_text' are in the same oneof: give only one");
}

static void test_lenient_input(void **state)
{
    (void)state;
    s_assert_converts(&as__test_all__descriptor,
                      "{\"f_int32\":\"-42\",\"f_uint32\":\"42\",\"f_int64\":3.0,\"f_uint64\":1e3,"
                      "\"f_fixed64\":\"0018446744073709551615\",\"f_float\":\"2.5\","
                      "\"f_double\":7,\"f_bool\":\"true\",\"r_bool\":[\"false\",true],"
                      "\"f_enum\":2,\"r_enum\":[\"1\",-1,\"COLOR_RED\"],\"f_bytes\":\"Zm8\","
                      "\"f_sint64\":\"-9223372036854775808\",\"f_sfixed32\":\"-0\"}",
                      "{\"f_int32\":-42,\"f_uint32\":42,\"f_int64\":3,\"f_uint64\":1000,"
                      "\"f_fixed64\":\"18446744073709551615\",\"f_float\":2.5,\"f_double\":7.0,"
                      "\"f_bool\":true,\"r_bool\":[false,true],\"f_enum\":\"COLOR_BLUE\","
                      "\"r_enum\":[\"COLOR_GREEN\",\"COLOR_INFRARED\",\"COLOR_RED\"],"
                      "\"f_bytes\":\"Zm8=\",\"f_sint64\":-9223372036854775808,\"f_sfixed32\":0}");
    /* float edges and non-finite values */
    s_assert_converts(&as__test_all__descriptor,
                      "{\"f_float\":3.4028234663852886e38,\"f_double\":\"-1e-5\","
                      "\"r_float\":[\"-Infinity\",1e-50],\"r_double\":[\"NaN\",-0.0]}",
                      "{\"f_float\":3.4028235e38,\"f_double\":-1e-5,"
                      "\"r_float\":[\"-Infinity\",0.0],\"r_double\":[\"NaN\",-0.0]}");
}

static void test_type_errors(void **state)
{
    (void)state;
    const ProtobufCMessageDescriptor *gen = &as__demo_generate__descriptor;
    const ProtobufCMessageDescriptor *all = &as__test_all__descriptor;
    s_assert_rejects(gen, "{\"count\":\"abc\"}",
                     "field 'count' expects an unsigned integer, got \"abc\"");
    s_assert_rejects(gen, "{\"count\":1.5}", "field 'count' expects an unsigned integer, got 1.5");
    s_assert_rejects(gen, "{\"count\":\"\"}",
                     "field 'count' expects an unsigned integer, got \"\"");
    s_assert_rejects(gen, "{\"count\":\" 1\"}",
                     "field 'count' expects an unsigned integer, got \" 1\"");
    s_assert_rejects(gen, "{\"count\":\"-\"}",
                     "field 'count' expects an unsigned integer, got \"-\"");
    s_assert_rejects(gen, "{\"count\":true}",
                     "field 'count' expects an unsigned integer, got true");
    s_assert_rejects(gen, "{\"count\":[1]}",
                     "field 'count' expects an unsigned integer, got an array");
    s_assert_rejects(gen, "{\"rate\":{}}",
                     "field 'rate' expects an unsigned integer, got an object");
    s_assert_rejects(all, "{\"f_int32\":\"0x10\"}",
                     "field 'f_int32' expects an integer, got \"0x10\"");
    s_assert_rejects(all, "{\"f_double\":\"inf\"}",
                     "field 'f_double' expects a number, got \"inf\"");
    s_assert_rejects(all, "{\"f_float\":\"1.5x\"}",
                     "field 'f_float' expects a number, got \"1.5x\"");
    s_assert_rejects(all, "{\"f_float\":null,\"f_double\":false}",
                     "field 'f_double' expects a number, got false");
    s_assert_rejects(all, "{\"f_bool\":1}", "field 'f_bool' expects true or false, got 1");
    s_assert_rejects(all, "{\"f_bool\":\"yes\"}",
                     "field 'f_bool' expects true or false, got \"yes\"");
    s_assert_rejects(all, "{\"f_string\":5}", "field 'f_string' expects a string, got 5");
    s_assert_rejects(all, "{\"f_string\":\"a\\u0000b\"}",
                     "field 'f_string' holds a NUL character, which a string cannot carry");
    s_assert_rejects(all, "{\"f_bytes\":\"!!\"}",
                     "field 'f_bytes' expects base64 bytes, got \"!!\"");
    s_assert_rejects(all, "{\"f_bytes\":\"Zm9vY\"}",
                     "field 'f_bytes' expects base64 bytes, got \"Zm9vY\"");
    s_assert_rejects(all, "{\"f_bytes\":\"Zg=\"}",
                     "field 'f_bytes' expects base64 bytes, got \"Zg=\"");
    s_assert_rejects(all, "{\"f_bytes\":\"Zm9v-_\"}",
                     "field 'f_bytes' expects base64 bytes, got \"Zm9v-_\"");
    s_assert_rejects(all, "{\"f_bytes\":\"Zm=v\"}",
                     "field 'f_bytes' expects base64 bytes, got \"Zm=v\"");
    s_assert_rejects(all, "{\"f_bytes\":\"Zg===\"}",
                     "field 'f_bytes' expects base64 bytes, got \"Zg===\"");
    s_assert_rejects(all, "{\"f_bytes\":7}", "field 'f_bytes' expects base64 bytes, got 7");
    s_assert_rejects(all, "{\"f_enum\":\"PURPLE\"}",
                     "field 'f_enum' expects one of COLOR_INFRARED, COLOR_RED, COLOR_GREEN, "
                     "COLOR_BLUE (or their numbers), got \"PURPLE\"");
    s_assert_rejects(all, "{\"f_enum\":7}",
                     "field 'f_enum' expects one of COLOR_INFRARED, COLOR_RED, COLOR_GREEN, "
                     "COLOR_BLUE (or their numbers), got 7");
    s_assert_rejects(all, "{\"f_enum\":\"COLOR_RED\\u0000x\"}",
                     "field 'f_enum' expects one of COLOR_INFRARED, COLOR_RED, COLOR_GREEN, "
                     "COLOR_BLUE (or their numbers), got \"COLOR_RED\\u0000x\"");
    s_assert_rejects(all, "{\"f_inner\":\"x\"}", "field 'f_inner' expects an object, got \"x\"");
    s_assert_rejects(all, "{\"r_inner\":{}}", "field 'r_inner' expects an array, got an object");
    s_assert_rejects(all, "{\"r_int32\":5}", "field 'r_int32' expects an array, got 5");
    s_assert_rejects(all, "{\"r_int32\":[1,null]}",
                     "field 'r_int32[1]' expects an integer, got null");
    s_assert_rejects(all, "{\"r_inner\":[{},{\"level\":\"high\"}]}",
                     "field 'r_inner[1].level' expects an integer, got \"high\"");
    s_assert_rejects(all, "{\"f_inner\":{\"marks\":[1,-2]}}",
                     "value -2 is out of range for uint32 field 'f_inner.marks[1]'");
    s_assert_rejects(all, "{\"f_int32\":\"a\\\"b'c\\\\\"}",
                     "field 'f_int32' expects an integer, got \"a\\\"b'c\\\\\"");
    /* long values are cut in the text */
    s_assert_rejects(all, "{\"f_int32\":\"0123456789012345678901234567890123456789xyz\"}",
                     "field 'f_int32' expects an integer, got "
                     "\"0123456789012345678901234567890123456789...\"");
}

static void test_range_errors(void **state)
{
    (void)state;
    const ProtobufCMessageDescriptor *all = &as__test_all__descriptor;
    s_assert_rejects(&as__demo_generate__descriptor, "{\"rate\":5000000000}",
                     "value 5000000000 is out of range for uint32 field 'rate'");
    s_assert_rejects(&as__demo_generate__descriptor, "{\"rate\":-1}",
                     "value -1 is out of range for uint32 field 'rate'");
    s_assert_rejects(all, "{\"f_int32\":2147483648}",
                     "value 2147483648 is out of range for int32 field 'f_int32'");
    s_assert_rejects(all, "{\"f_sfixed32\":\"-2147483649\"}",
                     "value -2147483649 is out of range for sfixed32 field 'f_sfixed32'");
    s_assert_rejects(all, "{\"f_int64\":\"9223372036854775808\"}",
                     "value 9223372036854775808 is out of range for int64 field 'f_int64'");
    s_assert_rejects(all, "{\"f_sint64\":\"-9223372036854775809\"}",
                     "value -9223372036854775809 is out of range for sint64 field 'f_sint64'");
    s_assert_rejects(all, "{\"f_uint64\":\"18446744073709551616\"}",
                     "value 18446744073709551616 is out of range for uint64 field 'f_uint64'");
    s_assert_rejects(all, "{\"f_fixed64\":1e20}",
                     "value 1e+20 is out of range for fixed64 field 'f_fixed64'");
    s_assert_rejects(all, "{\"f_uint64\":\"-5\"}",
                     "value -5 is out of range for uint64 field 'f_uint64'");
    /* regression (fuzz): the sign of a real beyond 64 bits was left unset */
    s_assert_rejects(all, "{\"r_int32\":[-1.5e86]}",
                     "value -1.5e+86 is out of range for int32 field 'r_int32[0]'");
    s_assert_rejects(all, "{\"f_float\":1e39}",
                     "value 1e+39 is out of range for float field 'f_float'");
    s_assert_rejects(all, "{\"f_double\":\"1e999\"}",
                     "value 1e999 is out of range for double field 'f_double'");
}

static void test_structure_errors(void **state)
{
    (void)state;
    const ProtobufCMessageDescriptor *all = &as__test_all__descriptor;
    s_assert_rejects(&as__demo_generate__descriptor, "{\"cnt\":1}",
                     "unknown field 'cnt' in DemoGenerate (fields: count, rate)");
    s_assert_rejects(all, "{\"f_inner\":{\"nme\":\"x\"}}",
                     "unknown field 'f_inner.nme' in TestInner (fields: name, level, marks)");
    s_assert_rejects(all, "{\"r_inner\":[{\"name\":\"x\"},{\"bad'key\\n\":1}]}",
                     "unknown field 'r_inner[1].bad\\'key\\u000a' in TestInner (fields: name, "
                     "level, marks)");
    s_assert_rejects(&as__status_request__descriptor, "{\"x\":1}",
                     "unknown field 'x' in StatusRequest (it has no fields)");
    s_assert_rejects(&as__test_required__descriptor, "{\"count\":1}",
                     "missing required field 'id' in TestRequired");
    s_assert_rejects(&as__test_required__descriptor, "{\"id\":\"a\",\"count\":null}",
                     "missing required field 'count' in TestRequired");
    s_assert_rejects(&as__demo_generate__descriptor, "[1]",
                     "DemoGenerate expects a JSON object, got an array");
    s_assert_rejects(&as__demo_generate__descriptor, "\"count=1\"",
                     "DemoGenerate expects a JSON object, got \"count=1\"");

    ProtobufCMessage *msg =
        s_from_text(&as__test_required__descriptor, "{\"id\":\"a\",\"count\":\"2\"}");
    assert_true(protobuf_c_message_check(msg));
    protobuf_c_message_free_unpacked(msg, NULL);

    /* jansson's parser refuses NUL in keys, but a program can make one */
    json_t *nul_key = json_object();
    json_object_setn_new(nul_key, "count\0x", 7, json_integer(1));
    char long_err[256];
    assert_int_equal(as_pbjson_from_json(&as__demo_generate__descriptor, nul_key, &msg, long_err,
                                         sizeof(long_err)),
                     AS_EINVALID);
    assert_string_equal(long_err,
                        "unknown field 'count\\u0000x' in DemoGenerate (fields: count, rate)");
    json_decref(nul_key);

    /* NULL json, no err buffer, a tiny err buffer */
    char err[8] = "zzzzzzz";
    assert_int_equal(as_pbjson_from_json(&as__demo_generate__descriptor, NULL, &msg, err, 0),
                     AS_EINVALID);
    assert_string_equal(err, "zzzzzzz");
    assert_null(msg);
    json_t *json = json_pack("{s:s}", "count", "x");
    assert_int_equal(as_pbjson_from_json(&as__demo_generate__descriptor, json, &msg, NULL, 0),
                     AS_EINVALID);
    assert_int_equal(
        as_pbjson_from_json(&as__demo_generate__descriptor, json, &msg, err, sizeof(err)),
        AS_EINVALID);
    assert_string_equal(err, "field '");
    json_decref(json);
}

/* {"child":{"child":...}} with `levels` messages in all. */
static json_t *s_chain(int levels)
{
    json_t *json = json_pack("{s:s}", "label", "leaf");
    for (int i = 1; i < levels; i++) {
        json = json_pack("{s:o}", "child", json);
        assert_non_null(json);
    }
    return json;
}

static void test_limits(void **state)
{
    (void)state;
    /* 16 levels decode and print; 17 do not */
    json_t *json = s_chain(AS_PBJSON_MAX_DEPTH);
    ProtobufCMessage *msg = NULL;
    char err[512] = "";
    assert_int_equal(as_pbjson_from_json(&as__test_node__descriptor, json, &msg, err, sizeof(err)),
                     0);
    json_t *back = as_pbjson_to_json(msg);
    assert_true(json_equal(json, back));
    json_decref(back);
    json_decref(json);

    json = s_chain(AS_PBJSON_MAX_DEPTH + 1);
    ProtobufCMessage *deep = NULL;
    assert_int_equal(as_pbjson_from_json(&as__test_node__descriptor, json, &deep, err, sizeof(err)),
                     AS_EINVALID);
    assert_null(deep);
    char expected[512] = "field '";
    for (int i = 0; i < AS_PBJSON_MAX_DEPTH; i++) {
        strcat(expected, i ? ".child" : "child");
    }
    strcat(expected, "' nests messages more than 16 levels deep");
    assert_string_equal(err, expected);
    json_decref(json);

    /* a 17-level message (e.g. unpacked from a peer) does not print */
    As__TestNode top = AS__TEST_NODE__INIT;
    top.child = (As__TestNode *)msg;
    assert_null(as_pbjson_to_json(&top.base));
    protobuf_c_message_free_unpacked(msg, NULL);

    /* repeated fields hold at most AS_PBJSON_MAX_ITEMS values */
    json_t *items = json_array();
    for (int i = 0; i <= AS_PBJSON_MAX_ITEMS; i++) {
        json_array_append_new(items, json_integer(i));
    }
    json = json_pack("{s:o}", "r_int32", items);
    assert_int_equal(as_pbjson_from_json(&as__test_all__descriptor, json, &msg, err, sizeof(err)),
                     AS_EINVALID);
    assert_string_equal(err, "field 'r_int32' has 100001 values, more than the limit of 100000");
    json_array_remove(items, 0);
    assert_int_equal(as_pbjson_from_json(&as__test_all__descriptor, json, &msg, err, sizeof(err)),
                     0);
    assert_int_equal(((As__TestAll *)msg)->n_r_int32, AS_PBJSON_MAX_ITEMS);
    protobuf_c_message_free_unpacked(msg, NULL);
    json_decref(json);

    /* very deep JSON in a scalar field is just a wrong type */
    char text[4200] = "{\"f_int32\":";
    for (int i = 0; i < 2000; i++) {
        strcat(text, "[");
    }
    for (int i = 0; i < 2000; i++) {
        strcat(text, "]");
    }
    strcat(text, "}");
    s_assert_rejects(&as__test_all__descriptor, text,
                     "field 'f_int32' expects an integer, got an array");
}

static void test_invalid_utf8_prints(void **state)
{
    (void)state;
    As__Envelope envelope = AS__ENVELOPE__INIT;
    envelope.subject = "RO-\xff\xc3(-\xe2\x82\xac";
    json_t *json = as_pbjson_to_json(&envelope.base);
    s_assert_json(json, "{\"subject\":\"RO-\\ufffd\\ufffd(-\\u20ac\"}");
    json_decref(json);
}

/* ---- args ------------------------------------------------------------------------ */

static void test_args(void **state)
{
    (void)state;
    char *basic[] = {"count=42", "rate=7"};
    s_assert_args(&as__demo_generate__descriptor, S_ARGC(basic), basic,
                  "{\"count\":42,\"rate\":7}");
    s_assert_args(&as__demo_generate__descriptor, 0, NULL, "{}");

    char *every[] = {"f_int32=-1",
                     "f_uint64=18446744073709551615",
                     "f_double=2.5",
                     "f_bool=true",
                     "f_enum=COLOR_BLUE",
                     "f_string=a=b c",
                     "f_bytes=aGk=",
                     "f_inner.name=x",
                     "f_inner.level=3",
                     "f_inner.marks=1",
                     "f_inner.marks=[2,3]",
                     "f_inner.marks=4",
                     "r_string=x",
                     "r_string=",
                     "r_inner={\"name\":\"a\"}",
                     "r_inner=[{},{\"level\":2}]",
                     "r_enum=1",
                     "c_text=[not json]"};
    s_assert_args(&as__test_all__descriptor, S_ARGC(every), every,
                  "{\"f_int32\":-1,\"f_uint64\":\"18446744073709551615\",\"f_double\":2.5,"
                  "\"f_bool\":true,\"f_enum\":\"COLOR_BLUE\",\"f_string\":\"a=b c\","
                  "\"f_bytes\":\"aGk=\",\"f_inner\":{\"name\":\"x\",\"level\":3,"
                  "\"marks\":[1,2,3,4]},\"r_string\":[\"x\",\"\"],"
                  "\"r_inner\":[{\"name\":\"a\"},{},{\"level\":2}],"
                  "\"r_enum\":[\"COLOR_GREEN\"],\"c_text\":\"[not json]\"}");

    char *whole[] = {"f_inner={\"name\":\"w\"}", "f_inner.level=1"};
    s_assert_args(&as__test_all__descriptor, S_ARGC(whole), whole,
                  "{\"f_inner\":{\"name\":\"w\",\"level\":1}}");

    char *nested[] = {"child.child.label=deep", "child.label=mid", "label=top"};
    s_assert_args(
        &as__test_node__descriptor, S_ARGC(nested), nested,
        "{\"label\":\"top\",\"child\":{\"label\":\"mid\",\"child\":{\"label\":\"deep\"}}}");
}

static void test_args_errors(void **state)
{
    (void)state;
    const ProtobufCMessageDescriptor *gen = &as__demo_generate__descriptor;
    const ProtobufCMessageDescriptor *all = &as__test_all__descriptor;
    char *bad_int[] = {"count=abc"};
    s_assert_args_reject(gen, 1, bad_int, "field 'count' expects an unsigned integer, got \"abc\"");
    char *unknown[] = {"count=1", "cnt=1"};
    s_assert_args_reject(gen, 2, unknown,
                         "unknown field 'cnt' in DemoGenerate (fields: count, rate)");
    char *range[] = {"rate=5000000000"};
    s_assert_args_reject(gen, 1, range, "value 5000000000 is out of range for uint32 field 'rate'");
    char *no_equals[] = {"count"};
    s_assert_args_reject(gen, 1, no_equals, "argument 'count' is not field=value");
    char *no_name[] = {"=5"};
    s_assert_args_reject(gen, 1, no_name, "argument '=5' is not field=value");
    char *twice[] = {"count=1", "count=2"};
    s_assert_args_reject(gen, 2, twice, "field 'count' is given more than once");
    char *unknown_nested[] = {"f_inner.nme=x"};
    s_assert_args_reject(all, 1, unknown_nested,
                         "unknown field 'f_inner.nme' in TestInner (fields: name, level, marks)");
    char *empty_segment[] = {"f_inner..name=x"};
    s_assert_args_reject(all, 1, empty_segment,
                         "unknown field 'f_inner.' in TestInner (fields: name, level, marks)");
    char *through_scalar[] = {"f_int32.x=1"};
    s_assert_args_reject(all, 1, through_scalar,
                         "field 'f_int32' has type int32, not a message with fields");
    char *through_repeated[] = {"r_inner.name=x"};
    s_assert_args_reject(all, 1, through_repeated,
                         "field 'r_inner' is repeated: give each element whole, as r_inner={...}");
    char *scalar_then_dotted[] = {"f_inner=x", "f_inner.name=y"};
    s_assert_args_reject(all, 2, scalar_then_dotted, "field 'f_inner' is given more than once");
    char *dotted_then_whole[] = {"f_inner.name=y", "f_inner={}"};
    s_assert_args_reject(all, 2, dotted_then_whole, "field 'f_inner' is given more than once");
    char *not_object[] = {"f_inner=name:x"};
    s_assert_args_reject(all, 1, not_object, "field 'f_inner' expects an object, got \"name:x\"");
    char *bad_json[] = {"r_inner=[{]"};
    s_assert_args_reject(all, 1, bad_json,
                         "value of 'r_inner' is not valid JSON: string or '}' expected near ']' "
                         "(column 3)");
    char *duplicate_key[] = {"f_inner={\"name\":\"a\",\"name\":\"b\"}"};
    s_assert_args_reject(all, 1, duplicate_key,
                         "value of 'f_inner' is not valid JSON: duplicate object key near "
                         "'\"name\"' (column 18)");
    char *bad_utf8[] = {"f_string=\xff"};
    s_assert_args_reject(all, 1, bad_utf8, "value of 'f_string' is not valid UTF-8");
    char *repeated_bad[] = {"r_uint32=1", "r_uint32=x"};
    s_assert_args_reject(all, 2, repeated_bad,
                         "field 'r_uint32[1]' expects an unsigned integer, got \"x\"");
    char *oneof[] = {"c_text=a", "c_number=1"};
    s_assert_args_reject(all, 2, oneof,
                         "fields 'c_text' and 'c_number' are in the same oneof: give only one");
    char deep_arg[512] = "";
    for (int i = 0; i < AS_PBJSON_MAX_DEPTH; i++) {
        strcat(deep_arg, "child.");
    }
    strcat(deep_arg, "label=x");
    char *too_deep[] = {deep_arg};
    char expected[512] = "field '";
    for (int i = 0; i < AS_PBJSON_MAX_DEPTH; i++) {
        strcat(expected, i ? ".child" : "child");
    }
    strcat(expected, "' nests messages more than 16 levels deep");
    s_assert_args_reject(&as__test_node__descriptor, 1, too_deep, expected);
}

/* ---- describe -------------------------------------------------------------------- */

static void test_describe(void **state)
{
    (void)state;
    char *text = as_pbjson_describe(&as__demo_generate__descriptor);
    assert_string_equal(text, "  count  uint64\n  rate   uint32\n");
    free(text);
    text = as_pbjson_describe(&as__status_request__descriptor);
    assert_string_equal(text, "");
    free(text);
    text = as_pbjson_describe(&as__test_required__descriptor);
    assert_string_equal(text, "  id     string  required\n  count  uint32  required\n"
                              "  note   string\n");
    free(text);
    text = as_pbjson_describe(&as__test_all__descriptor);
    assert_non_null(strstr(text, "  f_enum      enum (COLOR_INFRARED, COLOR_RED, COLOR_GREEN, "
                                 "COLOR_BLUE)\n"));
    assert_non_null(strstr(text, "\n  f_inner     message TestInner\n"));
    assert_non_null(strstr(text, "\n  r_inner     message TestInner  repeated\n"));
    assert_non_null(strstr(text, "\n  r_bytes     bytes  repeated\n"));
    assert_non_null(strstr(text, "\n  c_number    uint32\n"));
    int lines = 0;
    for (const char *p = text; *p; p++) {
        lines += *p == '\n';
    }
    assert_int_equal(lines, (int)as__test_all__descriptor.n_fields);
    free(text);
}

/* Nested fields by path: a message's fields under it, "[]" after a list; a
 * message that holds itself is opened once. */
static void test_describe_paths(void **state)
{
    (void)state;
    char *text = as_pbjson_describe_paths(&as__test_all__descriptor);
    assert_non_null(strstr(text, "\n  f_inner          message TestInner\n"
                                 "  f_inner.name     string\n"));
    assert_non_null(strstr(text, "\n  r_inner          message TestInner  repeated\n"
                                 "  r_inner[].name   string\n"));
    assert_non_null(strstr(text, "\n  r_inner[].marks  uint32  repeated\n"));
    free(text);
    text = as_pbjson_describe_paths(&as__test_node__descriptor);
    assert_string_equal(text, "  label     string\n"
                              "  child     message TestNode\n"
                              "  children  message TestNode  repeated\n");
    free(text);
    text = as_pbjson_describe_paths(&as__demo_generate__descriptor);
    assert_string_equal(text, "  count  uint64\n  rate   uint32\n");
    free(text);
}

/* ---- out of memory ----------------------------------------------------------------- */

#ifndef S_HAVE_ASAN
/* Arms the allocator to fail its nth allocation from now on. */
static void s_arm(long nth)
{
    s_live = 0;
    s_fail_in = nth;
    s_armed = true;
}

/* Disarms; returns true when the armed failure happened. */
static bool s_disarm(void)
{
    s_armed = false;
    bool fired = s_fail_in < 0;
    s_fail_in = -1;
    return fired;
}

static void test_out_of_memory(void **state)
{
    (void)state;
    json_error_t error;
    json_t *json = json_loads(s_all_json, 0, &error);
    assert_non_null(json);
    json_object_set_new(json, "r_inner",
                        json_pack("[{s:s},{s:[i,i]}]", "name", "a", "marks", 1, 2));
    json_object_set_new(json, "r_string", json_pack("[s,s]", "x", "y"));
    json_object_set_new(json, "bogus", json_true()); /* fails last, after all else is built */
    char *argv[] = {"f_inner.name=x",           "f_inner.marks=[1,2]", "r_string=a", "r_string=b",
                    "r_inner={\"name\":\"n\"}", "f_bytes=aGk=",        "nope=1"};
    char err[1024];
    bool done[4] = {false};
    long nth = 0;
    for (; nth < 1000 && !(done[0] && done[1] && done[2] && done[3]); nth++) {
        ProtobufCMessage *msg = NULL;

        s_arm(nth);
        int rc = as_pbjson_from_json(&as__test_all__descriptor, json, &msg, err, sizeof(err));
        done[0] = !s_disarm();
        assert_int_equal(rc, done[0] ? AS_EINVALID : -ENOMEM);
        if (done[0]) {
            assert_non_null(strstr(err, "unknown field 'bogus' in TestAll (fields: f_int32, "));
            assert_non_null(strstr(err, ", c_number, c_inner)"));
        } else {
            assert_string_equal(err, "out of memory");
        }
        assert_null(msg);
        assert_int_equal(s_live, 0);

        s_arm(nth);
        rc = as_pbjson_from_args(&as__test_all__descriptor, S_ARGC(argv), argv, &msg, err,
                                 sizeof(err));
        done[1] = !s_disarm();
        if (done[1]) {
            assert_int_equal(rc, AS_EINVALID);
            assert_non_null(strstr(err, "unknown field 'nope' in TestAll"));
        } else {
            /* jansson reports its own allocation failures as parse errors */
            assert_true(rc == -ENOMEM || (rc == AS_EINVALID && strstr(err, "not valid JSON")));
        }
        assert_null(msg);
        assert_int_equal(s_live, 0);

        msg = s_from_text(&as__test_all__descriptor, "{\"r_inner\":[{\"name\":\"a\"}],"
                                                     "\"f_bytes\":\"aGk=\",\"f_string\":\"s\"}");
        s_arm(nth);
        json_t *printed = as_pbjson_to_json(msg);
        done[2] = !s_disarm();
        assert_true(done[2] ? printed != NULL : printed == NULL);
        json_decref(printed);
        protobuf_c_message_free_unpacked(msg, NULL);

        s_arm(nth);
        char *help = as_pbjson_describe(&as__test_all__descriptor);
        done[3] = !s_disarm();
        assert_true(done[3] ? help != NULL : help == NULL);
        free(help);
    }
    assert_true(done[0] && done[1] && done[2] && done[3]);
    /* the injection worked: every allocation of the richest call failed once */
    print_message("failed each of the first %ld allocations in turn\n", nth - 1);
    assert_true(nth > 20);
    json_decref(json);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_scalar_round_trips),
        cmocka_unit_test(test_every_repeated_round_trips),
        cmocka_unit_test(test_project_messages),
        cmocka_unit_test(test_presence),
        cmocka_unit_test(test_oneof),
        cmocka_unit_test(test_lenient_input),
        cmocka_unit_test(test_type_errors),
        cmocka_unit_test(test_range_errors),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_invalid_utf8_prints),
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_args_errors),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_describe_paths),
#ifndef S_HAVE_ASAN
        cmocka_unit_test(test_out_of_memory),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
