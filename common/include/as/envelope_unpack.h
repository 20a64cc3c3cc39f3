/* envelope_unpack.h — a packed Envelope decoded in one walk over its fields.
 *
 * Every event a consumer takes is decoded before it is checked
 * (as_envelope_decode_in). protobuf-c's generic unpack reads a message
 * twice, by its descriptor: a scan that notes every field, then a parse of
 * each, allocating and freeing the string of a field given twice. The
 * Envelope is 14 optional scalar, string and bytes fields, so here its fields
 * are walked once (wire.h), the last of each kept as a slice of the input,
 * and each string or bytes kept is copied once at the end.
 *
 * The result is the message as__envelope__unpack (protobuf-c 1.4.1) gives
 * for the same bytes, and it is refused exactly when that one is refused
 * (tests/fuzz/fuzz_envelope.c checks both, field by field):
 *   - the wire rules of wire.h: bad tags, unended varints, lengths past the
 *     end or above INT_MAX, groups and wire types 6 and 7 refuse the message;
 *   - a known field in another wire type than its declared type takes
 *     (VARINT for seq, time_us, schema_version, occurred_us; LEN for the
 *     rest) refuses the message;
 *   - a field given more than once: the last one is kept;
 *   - seq, time_us, occurred_us: the varint's 64 bits (bits past 64
 *     dropped); schema_version: its low 32 bits;
 *   - strings: the bytes as they are, NUL-terminated; neither UTF-8 nor
 *     embedded NULs are checked (protobuf-c checks neither for proto2);
 *   - payload: has_payload set; data NULL when it is empty;
 *   - unknown fields (number 0 or above 14) are kept in base.unknown_fields,
 *     in their order, as protobuf-c keeps them: tag, wire type, and the
 *     bytes after the tag (for LEN, the length and the value). A decoded
 *     envelope packed again (sub.c's queue copy) therefore keeps them.
 */
#ifndef AS_ENVELOPE_UNPACK_H
#define AS_ENVELOPE_UNPACK_H

#include <stddef.h>

#include "as/pb/envelope.pb-c.h"
#include "as/wire.h"

/* Decodes the packed Envelope in data[0..len) (data may be NULL when len is
 * 0). Every string, bytes and unknown field of the result, and the result
 * itself, is a separate allocation from `allocator` (NULL: malloc), as
 * protobuf-c makes them: free it with as__envelope__free_unpacked(msg,
 * allocator). Returns NULL when the bytes are not an Envelope (*fault, when
 * not NULL, says why: a wire.h fault, or AS_WIRE_WRONG_TYPE) or when out of
 * memory (*fault AS_WIRE_OK); nothing is left allocated then. */
As__Envelope *as_envelope_unpack(ProtobufCAllocator *allocator, const void *data, size_t len,
                                 as_wire_fault_t *fault);

#endif
