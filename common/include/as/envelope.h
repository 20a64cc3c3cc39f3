/* envelope.h — making, checking and decoding events.
 *
 * An event on the wire is two frames: [<site>/<type>][packed Envelope]. A frame that
 * fails any check here is rejected with a specific code and never applied.
 */
#ifndef AS_ENVELOPE_H
#define AS_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "as/pb/envelope.pb-c.h"

#define AS_UUID_LEN 36
#define AS_NAME_MAX 128 /* longest source, type or command name */

/* Unix time in microseconds (CLOCK_REALTIME). */
int64_t as_now_us(void);

/* Writes a new UUIDv7 (time-ordered, RFC 9562) as 36 characters plus NUL. */
void as_uuidv7(char out[AS_UUID_LEN + 1]);

/* True for an event type "<domain>.<entity>.<verb>[...]": at least three
 * words of lowercase letters, digits, '_' and '-', separated by single dots,
 * at most AS_NAME_MAX characters. Two-word names are the bus's own
 * (the heartbeat topic's "<domain>.heartbeat"). */
bool as_type_valid(const char *type);

/* True for a command name "<domain>.<verb>[...]": two or more such words. */
bool as_command_valid(const char *command);

/* Topics. Every frame on the bus travels under "<site>/<rest>", where
 * <site> is the site of the message's source ("workshop@jinan-01" ->
 * "jinan-01") and <rest> the event's type ("jinan-01/workshop.qc.passed") or
 * "<domain>.heartbeat" ("jinan-01/workshop.heartbeat"). The site comes first
 * because ZeroMQ filters by prefix and XPUB/XSUB pass subscriptions upstream:
 * a consumer following workshop@jinan-01 subscribes to "jinan-01/workshop."
 * and no other site's frame is ever sent to it (common/README.md, "Topics").
 * Site names cannot contain '/' (as_source_valid). */
#define AS_TOPIC_SEP '/'
#define AS_TOPIC_MAX (2 * AS_NAME_MAX + 1) /* a site, '/', a type */

/* The rest of a source's heartbeat topic: "<domain>.heartbeat". */
#define AS_HEARTBEAT_SUFFIX ".heartbeat"

/* Writes the topic "<site of source>/<rest>" into out (NUL-terminated):
 * as_topic_make("workshop@jinan-01", "workshop.qc.passed", ...) gives
 * "jinan-01/workshop.qc.passed"; a rest of "workshop." gives the prefix a
 * consumer of that source subscribes to. Returns its length, or 0 when
 * `source` names no site or the topic does not fit in cap. */
size_t as_topic_make(const char *source, const char *rest, char *out, size_t cap);

/* The same for a site named directly ("jinan-01"), as asctl tap --site. */
size_t as_topic_of_site(const char *site, const char *rest, char *out, size_t cap);

/* The prefix that brings every frame of `source` ("workshop@jinan-01" ->
 * "jinan-01/workshop.": its events and its heartbeats). Returns its length,
 * or 0 when source is not "<service>@<site>" or it does not fit. */
size_t as_topic_source_prefix(const char *source, char *out, size_t cap);

/* A topic split at its first '/' (pointers into the topic, not NUL-ended). */
typedef struct as_topic_parts {
    const char *site;
    size_t site_len;
    const char *rest;
    size_t rest_len;
} as_topic_parts_t;

/* Splits `topic` (len bytes, not NUL-ended) into site and rest. False when
 * it has no '/', an empty site or an empty rest, or is longer than
 * AS_TOPIC_MAX; the parts' characters are not checked here. */
bool as_topic_split(const char *topic, size_t len, as_topic_parts_t *out);

/* True when `topic` (len bytes, not NUL-ended) is a heartbeat topic:
 * "<site>/", one word, then AS_HEARTBEAT_SUFFIX. */
bool as_heartbeat_topic(const char *topic, size_t len);

/* True when `topic` is exactly "<site of source>/<rest>" (len bytes). */
bool as_topic_is(const char *topic, size_t len, const char *source, const char *rest);

/* True for "<service>@<site>" with the same character rules. */
bool as_source_valid(const char *source);

/* Copies the domain of a source ("workshop@jinan-01" -> "workshop") or of a
 * type ("workshop.qc.passed" -> "workshop") into out. Returns its length, or
 * 0 when it does not fit or there is none. */
size_t as_domain_of(const char *name, char *out, size_t cap);

/* Decodes a packed envelope and checks it: source and type valid, the type in
 * the source's domain, seq >= 1, id and incarnation present, and `topic` (the
 * first frame; NULL to skip) equal to "<site of the source>/<type>". Returns the message (free with
 * as__envelope__free_unpacked(msg, NULL)) or NULL with *err set to
 * AS_EBADFRAME (does not decode) or AS_EINVALID (decodes, fails a check). */
As__Envelope *as_envelope_decode(const void *data, size_t len, const char *topic, size_t topic_len,
                                 int *err);

/* The same, unpacking with `allocator` (NULL: malloc); free the message with
 * as__envelope__free_unpacked(msg, allocator). The bytes are decoded by
 * as_envelope_unpack (envelope_unpack.h), which reads what protobuf-c's
 * unpack reads. */
As__Envelope *as_envelope_decode_in(ProtobufCAllocator *allocator, const void *data, size_t len,
                                    const char *topic, size_t topic_len, int *err);

/* The source a message on the bus claims, read without decoding it: the
 * last `source` of the envelope, or of the heartbeat when `topic` is a
 * heartbeat topic ("<site>/<domain>.heartbeat"). For the forwarder, which
 * checks every event's publisher against the source it claims. Writes the
 * source (NUL-terminated) into out and returns 0; AS_EBADFRAME when the body
 * does not parse as protobuf or names no source; AS_EINVALID when the topic
 * is not "<site>/<rest>", or the claimed source is not a valid
 * "<service>@<site>", or not of the topic's site and domain. */
int as_envelope_claimed_source(const char *topic, size_t topic_len, const void *body,
                               size_t body_len, char *out, size_t cap);

/* The fields a service sets when it emits an event; the rest (id, source,
 * incarnation, seq, time) are filled in by the publisher. */
typedef struct as_event {
    const char *type;           /* required */
    const char *subject;        /* may be NULL */
    const char *actor;          /* may be NULL */
    const char *via;            /* the delegate acting for actor; may be NULL */
    const char *correlation_id; /* may be NULL */
    const char *causation_id;   /* may be NULL */
    uint32_t schema_version;    /* 0 is taken as 1 */
    const void *payload;        /* packed payload message; may be NULL */
    size_t payload_len;
    int64_t occurred_us; /* when it happened, if earlier than now (keyed in later); 0: now */
} as_event_t;

#endif
