/* wire.h — a walk over the top-level fields of a protobuf message, in place.
 *
 * protobuf-c unpacks a whole message and copies every string and bytes field
 * it holds. A reader that only wants slices of a large message (the packed
 * envelopes of a replay answer, see replay_answer.h) walks its fields here
 * instead and gets each as (pointer, length) into the caller's buffer: no
 * allocation, no copy. Nested messages are not entered.
 *
 * The wire format: a message is a sequence of fields, each a tag and a value.
 *   varint  7 bits a byte, least significant group first; the high bit of a
 *           byte says another follows.
 *   tag     a varint: field number << 3 | wire type.
 *   value   by wire type: 0 VARINT (a varint), 1 I64 (8 bytes), 2 LEN (a
 *           varint length, then that many bytes), 5 I32 (4 bytes). 3 and 4
 *           open and close a group (a proto2 feature protobuf-c does not
 *           read); 6 and 7 are not defined.
 *
 * The walk accepts exactly what protobuf-c 1.4's unpack accepts at the top
 * level, so a message split here reads as protobuf-c would have read it
 * whole, and a message it refuses is refused here too:
 *   - a tag takes at most 5 bytes; its field number is read into 32 bits
 *     (above the 2^29 - 1 the spec allows: protobuf-c keeps it as an
 *     unknown field); field number 0 is refused when the tag is one byte
 *     (protobuf-c reads the padded form 0x80 0x00 as an unknown field 0);
 *   - a varint value takes at most 10 bytes;
 *   - a length takes at most 5 bytes and is at most INT_MAX;
 *   - a value never runs past the end of the buffer.
 * Every length is checked against what is left before anything is read
 * past it: a walk never reads outside [data, data + len).
 */
#ifndef AS_WIRE_H
#define AS_WIRE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    AS_WIRE_VARINT = 0,
    AS_WIRE_I64 = 1,
    AS_WIRE_LEN = 2,
    AS_WIRE_GROUP_START = 3, /* refused */
    AS_WIRE_GROUP_END = 4,   /* refused */
    AS_WIRE_I32 = 5,
} as_wire_type_t;

/* Why a message was refused. */
typedef enum {
    AS_WIRE_OK = 0,
    AS_WIRE_BAD_TAG,      /* a tag of field number 0, or one not ended within 5 bytes
                           * (or before the end) */
    AS_WIRE_BAD_VARINT,   /* a varint value not ended within 10 bytes (or before the end) */
    AS_WIRE_BAD_LENGTH,   /* a length not ended within 5 bytes (or before the end), or
                           * above INT_MAX */
    AS_WIRE_PAST_END,     /* a length or a fixed-width value runs past the end */
    AS_WIRE_GROUP,        /* wire type 3 or 4: a group */
    AS_WIRE_UNKNOWN_TYPE, /* wire type 6 or 7 */
    AS_WIRE_WRONG_TYPE,   /* (said by callers) a known field in a wire type its
                           * declared type cannot take */
    AS_WIRE_BAD_FIELDS,   /* (said by callers) protobuf-c refused the fields the
                           * caller had it unpack */
} as_wire_fault_t;

/* One field, as the walk found it. Every pointer points into the buffer
 * walked, and is valid as long as that buffer is. */
typedef struct {
    uint32_t number;
    as_wire_type_t type;
    const uint8_t *start; /* the field's first byte (its tag) */
    size_t size;          /* the whole field: tag, length and value */
    const uint8_t *value; /* LEN: the bytes after the length; VARINT: the
                           * varint's bytes; I64, I32: the 8 or 4 bytes */
    size_t value_len;
    uint64_t varint; /* VARINT: the value read, its bits past 64 dropped (as
                      * protobuf-c drops them); other types: 0 */
} as_wire_field_t;

/* A walk in progress. Borrows the buffer: the caller keeps it alive and
 * unchanged while walking and while using the fields found. */
typedef struct {
    const uint8_t *at, *end;
    as_wire_fault_t fault; /* AS_WIRE_OK until a field is refused */
} as_wire_reader_t;

void as_wire_reader_init(as_wire_reader_t *r, const void *data, size_t len);

/* Reads the next field into *field. Returns 1 when there was one, 0 at the
 * end of the message, AS_EBADFRAME when the field there is malformed:
 * r->fault says how, and every later call returns AS_EBADFRAME again. */
int as_wire_next(as_wire_reader_t *r, as_wire_field_t *field);

/* A short stable name for a fault ("bad-tag", "past-end"...), for logs. */
const char *as_wire_fault_name(as_wire_fault_t fault);

#endif
