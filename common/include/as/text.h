/* text.h — one bound for every text a person or a system hands in.
 *
 * The rule: every string field of a command's request, and of an event an
 * ingest gateway takes from an external system, is at most AS_TEXT_MAX bytes,
 * in nested and repeated messages too. Names, ids, notes and descriptions
 * alike: a note longer than half a page is a document, which belongs
 * elsewhere. Bytes fields are not text and are not bounded here (the frame cap
 * bounds them). A string field whose name ends in "_json" carries a whole
 * message encoded as JSON (IngestRequest.payload_json): the message it
 * decodes to is held to the rule instead, by whoever decodes it.
 *
 * The runtime checks a command's request before its handler runs
 * (service.c), so no handler needs a length check of its own for this rule.
 * Events on the bus are not checked by their consumers: an event is a fact
 * that already happened at its source, and refusing it would lose it; every
 * way onto the bus (a daemon's command, an ingest gateway) bounds it first.
 *
 * That bound is a safety cap in bytes, the same for every field. A limit a
 * service sets on what a person types (a reason, a note, a name) is said to
 * staff in characters and counted with as_text_chars(): a Chinese character
 * is 3 bytes in UTF-8, so a byte limit refuses a reason a third as long as
 * its refusal says. Identifiers (part numbers, order ids) are ASCII by their
 * own rules and may keep byte limits.
 */
#ifndef AS_TEXT_H
#define AS_TEXT_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#define AS_TEXT_MAX 500 /* bytes in one string field */

/* The longest a service may let a person type one text, in characters: 160
 * Chinese characters (3 bytes each in UTF-8) are 480 bytes, within
 * AS_TEXT_MAX, so a limit of at most this many characters is true for any
 * text of the Basic Multilingual Plane. A longer limit would be cut short by
 * AS_TEXT_MAX for Chinese text, with a refusal in bytes. (Characters beyond
 * it, emoji, are 4 bytes: 125 of them fill AS_TEXT_MAX.) */
#define AS_TEXT_CHARS_MAX 160
_Static_assert(AS_TEXT_CHARS_MAX * 3 <= AS_TEXT_MAX, "a typed text's limit must fit the byte cap");

/* Finds the first string field of `msg` (recursively) over AS_TEXT_MAX.
 * Returns 0 when none is, or AS_EINVALID with its path ("jobs[0].description",
 * cut to cap bytes) in `path` and its length in bytes in *len (a command's
 * refusal words it with as_cmd_fail, so a page can translate it). */
int as_text_find_long(const ProtobufCMessage *msg, char *path, size_t cap, size_t *len);

/* Checks every string field of `msg` (recursively) against AS_TEXT_MAX.
 * Returns 0, or AS_EINVALID and writes "field 'jobs[0].description' is 100000
 * bytes; at most 500" into error (cap bytes). */
int as_text_check(const ProtobufCMessage *msg, char *error, size_t cap);

/* Decodes `data` as `desc` and checks it. Returns 0 also when the data does
 * not decode (the handler that decodes it reports that, and memory running
 * out looks the same to protobuf-c), or AS_EINVALID as as_text_check(). */
int as_text_check_packed(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                         char *error, size_t cap);

/* The number of characters (Unicode code points) in the UTF-8 text `s`, as
 * a person counts them: "abc" 3, "更换刹车片" 5, "😀" 1. protobuf-c does not
 * check that a string is UTF-8, so anything may reach a handler: each byte
 * that does not begin a well-formed UTF-8 sequence (a stray continuation
 * byte, a truncated, overlong or surrogate sequence, anything above
 * U+10FFFF) counts as one character, as a page shows it (one U+FFFD each,
 * pbjson.h). So as_text_chars(s) <= strlen(s) always. NULL counts 0. */
size_t as_text_chars(const char *s);

/* The length in bytes of the well-formed UTF-8 character at the start of
 * `s` (of `len` bytes; NUL is a character like any other), or 0 when none
 * begins there: a stray continuation byte, a sequence cut short by len, an
 * overlong form, a surrogate, anything above U+10FFFF. */
size_t as_utf8_char(const char *s, size_t len);

/* The number of bytes at the start of `s` that hold its first `chars`
 * characters, counted as as_text_chars() counts them, so no character is cut
 * in half: printf("%.*s", as_text_clip(s, 40), s) prints at most 40
 * characters of s (all of s when it has no more) and leaves well-formed UTF-8
 * whole, where "%.40s" could end inside a Chinese character. At most
 * strlen(s), and at most INT_MAX (printf's precision is an int); NULL gives 0. */
int as_text_clip(const char *s, size_t chars);

#endif
