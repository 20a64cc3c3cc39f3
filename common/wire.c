/* wire.c — a walk over a protobuf message's top-level fields. See include/as/wire.h. */
#include "as/wire.h"

#include <limits.h>

#include "as/error.h"

#define AS_WIRE_TAG_MAX 5     /* bytes of a tag, as protobuf-c reads one */
#define AS_WIRE_LENGTH_MAX 5  /* bytes of a length */
#define AS_WIRE_VARINT_MAX 10 /* bytes of a varint value */

void as_wire_reader_init(as_wire_reader_t *r, const void *data, size_t len)
{
    r->at = data;
    r->end = len ? r->at + len : r->at; /* data may be NULL when len is 0 */
    r->fault = AS_WIRE_OK;
}

/* Reads the varint at p (at most `max` bytes, max <= 10, and no further
 * than `end`) into *value. Returns its size in bytes, 0 when it does not
 * end in time. */
static size_t s_varint(const uint8_t *p, const uint8_t *end, size_t max, uint64_t *value)
{
    if (p < end && p[0] < 0x80) { /* one byte: most tags and lengths */
        *value = p[0];
        return 1;
    }
    size_t avail = (size_t)(end - p);
    if (max > avail)
        max = avail;
    uint64_t v = 0;
    for (size_t i = 0; i < max; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i); /* a 10th byte's bits past 64 go */
        if ((p[i] & 0x80) == 0) {
            *value = v;
            return i + 1;
        }
    }
    return 0;
}

static int s_refuse(as_wire_reader_t *r, as_wire_fault_t fault)
{
    r->fault = fault;
    return AS_EBADFRAME;
}

int as_wire_next(as_wire_reader_t *r, as_wire_field_t *field)
{
    if (r->fault != AS_WIRE_OK)
        return AS_EBADFRAME;
    if (r->at == r->end)
        return 0;
    const uint8_t *p = r->at;
    /* the tag: protobuf-c refuses field number 0 only in a one-byte tag */
    uint64_t tag = 0;
    size_t n = (p[0] & 0xf8) ? s_varint(p, r->end, AS_WIRE_TAG_MAX, &tag) : 0;
    if (n == 0)
        return s_refuse(r, AS_WIRE_BAD_TAG);
    field->start = p;
    field->varint = 0;
    field->number = (uint32_t)(tag >> 3); /* 5 bytes: 35 bits, the top 32 kept */
    field->type = (as_wire_type_t)(tag & 7);
    p += n;
    size_t left = (size_t)(r->end - p);
    switch (field->type) {
    case AS_WIRE_VARINT:
        if (!(n = s_varint(p, r->end, AS_WIRE_VARINT_MAX, &field->varint)))
            return s_refuse(r, AS_WIRE_BAD_VARINT);
        field->value = p;
        field->value_len = n;
        break;
    case AS_WIRE_I64:
    case AS_WIRE_I32: {
        size_t width = field->type == AS_WIRE_I64 ? 8 : 4;
        if (left < width)
            return s_refuse(r, AS_WIRE_PAST_END);
        field->value = p;
        field->value_len = width;
        break;
    }
    case AS_WIRE_LEN: {
        uint64_t len = 0;
        if (!(n = s_varint(p, r->end, AS_WIRE_LENGTH_MAX, &len)) || len > INT_MAX)
            return s_refuse(r, AS_WIRE_BAD_LENGTH);
        if (len > left - n)
            return s_refuse(r, AS_WIRE_PAST_END);
        field->value = p + n;
        field->value_len = (size_t)len;
        break;
    }
    case AS_WIRE_GROUP_START:
    case AS_WIRE_GROUP_END:
        return s_refuse(r, AS_WIRE_GROUP);
    default:
        return s_refuse(r, AS_WIRE_UNKNOWN_TYPE);
    }
    r->at = field->value + field->value_len;
    field->size = (size_t)(r->at - field->start);
    return 1;
}

const char *as_wire_fault_name(as_wire_fault_t fault)
{
    switch (fault) {
    case AS_WIRE_OK:
        return "ok";
    case AS_WIRE_BAD_TAG:
        return "bad-tag";
    case AS_WIRE_BAD_VARINT:
        return "bad-varint";
    case AS_WIRE_BAD_LENGTH:
        return "bad-length";
    case AS_WIRE_PAST_END:
        return "past-end";
    case AS_WIRE_GROUP:
        return "group";
    case AS_WIRE_UNKNOWN_TYPE:
        return "unknown-wire-type";
    case AS_WIRE_WRONG_TYPE:
        return "wrong-wire-type";
    case AS_WIRE_BAD_FIELDS:
        return "bad-fields";
    }
    return "unknown";
}
