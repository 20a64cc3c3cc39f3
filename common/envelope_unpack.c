/* envelope_unpack.c — a packed Envelope decoded in one walk. See include/as/envelope_unpack.h. */
#include "as/envelope_unpack.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_LAST_FIELD 14 /* the Envelope's fields are numbered 1..14 (envelope.proto) */

/* The wire type each field takes: its declared type's (envelope.proto). */
static const uint8_t s_wire_type[S_LAST_FIELD + 1] = {
    [1] = AS_WIRE_LEN,     /* id */
    [2] = AS_WIRE_LEN,     /* source */
    [3] = AS_WIRE_LEN,     /* incarnation */
    [4] = AS_WIRE_VARINT,  /* seq */
    [5] = AS_WIRE_LEN,     /* type */
    [6] = AS_WIRE_VARINT,  /* time_us */
    [7] = AS_WIRE_LEN,     /* subject */
    [8] = AS_WIRE_LEN,     /* correlation_id */
    [9] = AS_WIRE_LEN,     /* causation_id */
    [10] = AS_WIRE_LEN,    /* actor */
    [11] = AS_WIRE_VARINT, /* schema_version */
    [12] = AS_WIRE_LEN,    /* payload */
    [13] = AS_WIRE_LEN,    /* via */
    [14] = AS_WIRE_VARINT, /* occurred_us */
};

/* Where each string field lives in the message (0: not a string). */
static const size_t s_string_at[S_LAST_FIELD + 1] = {
    [1] = offsetof(As__Envelope, id),           [2] = offsetof(As__Envelope, source),
    [3] = offsetof(As__Envelope, incarnation),  [5] = offsetof(As__Envelope, type),
    [7] = offsetof(As__Envelope, subject),      [8] = offsetof(As__Envelope, correlation_id),
    [9] = offsetof(As__Envelope, causation_id), [10] = offsetof(As__Envelope, actor),
    [13] = offsetof(As__Envelope, via),
};

#define S_PAYLOAD 12

/* The last value of a LEN field seen: a slice of the input. */
typedef struct {
    const uint8_t *data;
    size_t len;
} s_slice_t;

/* What protobuf-c's do_alloc does: the allocator's alloc, or malloc (the
 * allocator protobuf-c takes for NULL, whose free is free). */
static void *s_alloc(ProtobufCAllocator *allocator, size_t size)
{
    return allocator ? allocator->alloc(allocator->allocator_data, size) : malloc(size);
}

static bool s_is_known(uint32_t number)
{
    return number >= 1 && number <= S_LAST_FIELD;
}

/* Copies the strings and the payload seen (`seen`: a bit per field number)
 * into allocations of their own. Returns false when out of memory (what was
 * copied is set in env, for as__envelope__free_unpacked). */
static bool s_copy_slices(As__Envelope *env, ProtobufCAllocator *allocator, const s_slice_t *slices,
                          uint32_t seen)
{
    for (uint32_t number = 1; number <= S_LAST_FIELD; number++) {
        if (!(seen & (1u << number)))
            continue;
        const s_slice_t *slice = &slices[number];
        if (number == S_PAYLOAD) {
            env->has_payload = 1;
            env->payload.len = slice->len;
            if (slice->len == 0)
                continue; /* protobuf-c leaves an empty payload's data NULL */
            if (!(env->payload.data = s_alloc(allocator, slice->len)))
                return false;
            memcpy(env->payload.data, slice->data, slice->len);
            continue;
        }
        char *text = s_alloc(allocator, slice->len + 1);
        if (!text)
            return false;
        memcpy(text, slice->data, slice->len);
        text[slice->len] = '\0';
        *(char **)((char *)env + s_string_at[number]) = text;
    }
    return true;
}

/* Keeps the `n_unknown` unknown fields of data[0..len) (already walked
 * whole, without a fault) as protobuf-c keeps them. Returns false when out
 * of memory (those kept so far are counted in env, for freeing). */
static bool s_keep_unknown(As__Envelope *env, ProtobufCAllocator *allocator, const void *data,
                           size_t len, size_t n_unknown)
{
    ProtobufCMessageUnknownField *fields = s_alloc(allocator, n_unknown * sizeof *fields);
    if (!fields)
        return false;
    env->base.unknown_fields = fields;
    as_wire_reader_t r;
    as_wire_field_t f;
    as_wire_reader_init(&r, data, len);
    while (as_wire_next(&r, &f) == 1) {
        if (s_is_known(f.number))
            continue;
        size_t tag_len = 1; /* protobuf-c keeps the bytes after the tag */
        while (f.start[tag_len - 1] & 0x80)
            tag_len++;
        ProtobufCMessageUnknownField *u = &fields[env->base.n_unknown_fields];
        u->tag = f.number;
        u->wire_type = (ProtobufCWireType)f.type;
        u->len = f.size - tag_len;
        if (!(u->data = s_alloc(allocator, u->len)))
            return false;
        memcpy(u->data, f.start + tag_len, u->len);
        env->base.n_unknown_fields++;
    }
    return true;
}

As__Envelope *as_envelope_unpack(ProtobufCAllocator *allocator, const void *data, size_t len,
                                 as_wire_fault_t *fault)
{
    As__Envelope head = AS__ENVELOPE__INIT;
    s_slice_t slices[S_LAST_FIELD + 1];
    uint32_t seen = 0; /* the LEN fields given: a bit per field number */
    size_t n_unknown = 0;
    as_wire_reader_t r;
    as_wire_field_t f;
    int rc;
    as_wire_reader_init(&r, data, len);
    while ((rc = as_wire_next(&r, &f)) == 1) {
        uint32_t number = f.number;
        if (!s_is_known(number)) {
            n_unknown++;
            continue;
        }
        if (f.type != s_wire_type[number]) {
            if (fault)
                *fault = AS_WIRE_WRONG_TYPE;
            return NULL;
        }
        switch (number) {
        case 4:
            head.has_seq = 1;
            head.seq = f.varint;
            break;
        case 6:
            head.has_time_us = 1;
            head.time_us = (int64_t)f.varint;
            break;
        case 11:
            head.has_schema_version = 1;
            head.schema_version = (uint32_t)f.varint; /* protobuf-c keeps the low 32 bits */
            break;
        case 14:
            head.has_occurred_us = 1;
            head.occurred_us = (int64_t)f.varint;
            break;
        default: /* a string, or the payload: the last one given is kept */
            slices[number] = (s_slice_t){.data = f.value, .len = f.value_len};
            seen |= 1u << number;
            break;
        }
    }
    if (fault)
        *fault = r.fault;
    if (rc < 0)
        return NULL;
    As__Envelope *env = s_alloc(allocator, sizeof *env);
    if (!env)
        return NULL;
    *env = head;
    if (!s_copy_slices(env, allocator, slices, seen) ||
        (n_unknown && !s_keep_unknown(env, allocator, data, len, n_unknown))) {
        as__envelope__free_unpacked(env, allocator);
        return NULL;
    }
    return env;
}
