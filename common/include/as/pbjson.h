/* pbjson.h — any protobuf-c message to and from JSON and "field=value" args.
 *
 * Works from the descriptors protoc-c generates, so asctl can send any command
 * and print any reply or event payload without code per message.
 *
 * The mapping (both directions):
 * - keys are the field names of the .proto (field->name);
 * - proto2 presence is kept: an optional field that is not set is omitted, and
 *   JSON null means "not set"; an empty repeated field is omitted;
 * - 32-bit integers, int64 and uint64 up to LLONG_MAX are JSON integers; a
 *   uint64 above LLONG_MAX is a decimal string ("18446744073709551615");
 * - float and double are JSON numbers, "NaN", "Infinity" or "-Infinity";
 * - enums are their value's name from the .proto (a number outside the enum,
 *   which only a foreign encoder can produce, is printed as an integer);
 * - bytes are base64 (standard alphabet, padded);
 * - nested messages are objects, repeated fields arrays, oneofs plain fields.
 *
 * Input is decoded defensively: every JSON value is accepted without crashing,
 * messages nest at most AS_PBJSON_MAX_DEPTH levels (the top one included) and a
 * repeated field holds at most AS_PBJSON_MAX_ITEMS values.
 */
#ifndef AS_PBJSON_H
#define AS_PBJSON_H

#include <stddef.h>

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

#define AS_PBJSON_MAX_DEPTH 16     /* message nesting levels, the top one included */
#define AS_PBJSON_MAX_ITEMS 100000 /* values in one repeated field */

/* Converts `msg` to a JSON object as described above. Returns a new reference
 * (release with json_decref()), or NULL when out of memory or when `msg` nests
 * deeper than AS_PBJSON_MAX_DEPTH. A string that is not valid UTF-8 is printed
 * with each bad byte replaced by U+FFFD. `msg` is only read. */
json_t *as_pbjson_to_json(const ProtobufCMessage *msg);

/* Builds a message of type `desc` from the JSON object `json`.
 *
 * Values may be given as in as_pbjson_to_json() output, and also: numbers as
 * decimal strings ("42", "-7", "1.5"), integers as integral reals (42.0), bools
 * as true/false or "true"/"false", enums by name or number (as JSON integer or
 * string). Missing required fields, unknown fields and two fields of the same
 * oneof are errors.
 *
 * On success returns 0 and sets *out to a heap message the caller frees with
 * protobuf_c_message_free_unpacked(*out, NULL): every part of it (strings,
 * bytes, repeated arrays, nested messages) comes from malloc. On failure *out
 * is NULL and the return is AS_EINVALID, with a text for people in `err`
 * (may be NULL; truncated to err_len) such as
 *   field 'count' expects an unsigned integer, got "abc"
 *   unknown field 'cnt' in DemoGenerate (fields: count, rate)
 *   value 5000000000 is out of range for uint32 field 'rate'
 * Nested fields are named by path: 'offsets[2].applied_seq'. Returns -ENOMEM
 * when out of memory. `json` is only read. */
int as_pbjson_from_json(const ProtobufCMessageDescriptor *desc, const json_t *json,
                        ProtobufCMessage **out, char *err, size_t err_len);

/* Builds a message of type `desc` from command-line arguments, each
 * "field=value":
 * - a nested message field is reached by a dotted path ("vehicle.vin=JN1...");
 * - a repeated field given several times gets one value each time, in order;
 * - for a message or repeated field, a value starting with '[' or '{' is parsed
 *   as JSON (an array extends a repeated field); any other value is a string,
 *   converted as as_pbjson_from_json() converts strings ("count=42",
 *   "paid=true", "color=COLOR_RED", "blob=aGk=");
 * - a field that is not repeated may be given once.
 * Returns and sets *out and `err` as as_pbjson_from_json(); an argument that
 * is not field=value, names an unknown field, or is not valid JSON or UTF-8 is
 * AS_EINVALID. argv is only read. */
int as_pbjson_from_args(const ProtobufCMessageDescriptor *desc, int argc, char *const *argv,
                        ProtobufCMessage **out, char *err, size_t err_len);

/* Help text for --help: one line per field, in .proto order,
 *   "  name  type[  repeated|  required]\n"
 * with names padded to one column. type is the .proto scalar type, "enum (A,
 * B, C)" listing the names, or "message Name". Returns a malloc'd string the
 * caller frees ("" for a message without fields), or NULL when out of
 * memory. */
char *as_pbjson_describe(const ProtobufCMessageDescriptor *desc);

/* As as_pbjson_describe(), and the fields of nested messages too, each on a
 * line of its own under its path as as_pbjson_from_args() takes it:
 *   "  jobs                    message JobRequest  repeated\n"
 *   "  jobs[].operation_code   string\n"
 * ("[]" after a repeated field). A message that holds itself is opened once
 * on each path; nesting stops at AS_PBJSON_MAX_DEPTH. Returns a malloc'd
 * string the caller frees, or NULL when out of memory. */
char *as_pbjson_describe_paths(const ProtobufCMessageDescriptor *desc);

#endif
