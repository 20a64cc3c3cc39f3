/* fuzz_pbjson.c — libFuzzer target for common/pbjson.c.
 *
 * The input is parsed as JSON and decoded as several message types. Whatever
 * decodes must print, decode again to the same JSON, and survive the wire
 * (pack, unpack, print: same JSON again); anything else aborts. The first
 * input byte also picks a descriptor to read the input as field=value
 * arguments, one per line. Last, the input is unpacked as a peer's message
 * of each type and printed (bad UTF-8, unknown enum numbers, deep nesting).
 *
 * Build by hand:
 *   clang -fsanitize=fuzzer,address -I common/include -I build/proto/gen \
 *     tests/fuzz/fuzz_pbjson.c common/pbjson.c common/error.c \
 *     build/proto/gen/as/pb/\*.pb-c.c -lprotobuf-c -ljansson -llmdb -o fuzz_pbjson
 */
#include "as/pbjson.h"

#include "as/error.h"
#include "as/pb/demo.pb-c.h"
#include "as/pb/envelope.pb-c.h"
#include "as/pb/rpc.pb-c.h"
#include "as/pb/testmsg.pb-c.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_ARGS 64

static const ProtobufCMessageDescriptor *const s_descs[] = {
    &as__test_all__descriptor,      &as__test_node__descriptor,      &as__test_required__descriptor,
    &as__status_reply__descriptor,  &as__envelope__descriptor,       &as__demo_tick__descriptor,
    &as__demo_generate__descriptor, &as__status_request__descriptor,
};
#define S_N_DESCS (sizeof(s_descs) / sizeof(s_descs[0]))

static void s_check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_pbjson: %s\n", what);
        abort();
    }
}

/* msg decoded fine: it must print, re-decode to the same JSON and cross the
 * wire unchanged. */
static void s_round_trip(const ProtobufCMessageDescriptor *desc, ProtobufCMessage *msg)
{
    json_t *first = as_pbjson_to_json(msg);
    s_check(first != NULL, "a decoded message does not print");
    ProtobufCMessage *again = NULL;
    char err[256];
    int rc = as_pbjson_from_json(desc, first, &again, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "fuzz_pbjson: printed JSON does not decode: %s\n", err);
        abort();
    }
    json_t *second = as_pbjson_to_json(again);
    s_check(second && json_equal(first, second), "print -> decode -> print changed the JSON");

    size_t len = protobuf_c_message_get_packed_size(again);
    uint8_t *wire = malloc(len ? len : 1);
    s_check(wire != NULL, "out of memory");
    s_check(protobuf_c_message_pack(again, wire) == len, "pack size differs");
    ProtobufCMessage *unpacked = protobuf_c_message_unpack(desc, NULL, len, wire);
    s_check(unpacked != NULL, "a built message does not unpack");
    json_t *third = as_pbjson_to_json(unpacked);
    s_check(third && json_equal(first, third), "the wire changed the JSON");

    json_decref(third);
    protobuf_c_message_free_unpacked(unpacked, NULL);
    free(wire);
    json_decref(second);
    protobuf_c_message_free_unpacked(again, NULL);
    json_decref(first);
}

static void s_decode(const ProtobufCMessageDescriptor *desc, const json_t *json)
{
    ProtobufCMessage *msg = NULL;
    char err[256];
    int rc = as_pbjson_from_json(desc, json, &msg, err, sizeof(err));
    s_check(rc == 0 || rc == AS_EINVALID || rc == -ENOMEM, "unexpected return code");
    s_check((rc == 0) == (msg != NULL), "*out does not match the return code");
    s_check(rc == 0 || strlen(err) > 0, "an error without a text");
    if (msg) {
        s_round_trip(desc, msg);
        protobuf_c_message_free_unpacked(msg, NULL);
    }
}

/* The input as a packed message from a peer: whatever unpacks must print
 * (unless nested too deep), and the print must decode or be refused cleanly. */
static void s_print_wire(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < S_N_DESCS; i++) {
        ProtobufCMessage *msg = protobuf_c_message_unpack(s_descs[i], NULL, size, data);
        if (!msg) {
            continue;
        }
        json_t *json = as_pbjson_to_json(msg);
        if (json) {
            s_decode(s_descs[i], json);
            json_decref(json);
        }
        protobuf_c_message_free_unpacked(msg, NULL);
    }
}

/* The input after its first byte, one argument per line. */
static void s_decode_args(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return;
    }
    const ProtobufCMessageDescriptor *desc = s_descs[data[0] % S_N_DESCS];
    char *text = malloc(size);
    s_check(text != NULL, "out of memory");
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *argv[S_MAX_ARGS];
    int argc = 0;
    for (char *line = text; line && argc < S_MAX_ARGS;) {
        char *end = strchr(line, '\n');
        if (end) {
            *end = '\0';
        }
        argv[argc++] = line;
        line = end ? end + 1 : NULL;
    }
    ProtobufCMessage *msg = NULL;
    char err[256];
    int rc = as_pbjson_from_args(desc, argc, argv, &msg, err, sizeof(err));
    s_check(rc == 0 || rc == AS_EINVALID || rc == -ENOMEM, "unexpected return code (args)");
    s_check((rc == 0) == (msg != NULL), "*out does not match the return code (args)");
    if (msg) {
        s_round_trip(desc, msg);
        protobuf_c_message_free_unpacked(msg, NULL);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t error;
    json_t *json = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (json) {
        for (size_t i = 0; i < S_N_DESCS; i++) {
            s_decode(s_descs[i], json);
        }
        json_decref(json);
    }
    s_decode_args(data, size);
    s_print_wire(data, size);
    return 0;
}
