/* replay_answer.h — a replay answer (ReplayResponse) read without copying its
 * events.
 *
 * An answer holds up to a few thousand packed envelopes (`repeated bytes
 * events = 4`). protobuf-c's unpack would copy each into memory of its own
 * before the consumer decodes it, so the answer would live three times: the
 * received message, the copies, the decoded envelopes. Here the answer's
 * top-level fields are walked in place (wire.h): each event stays a slice of
 * the received buffer, to be decoded from there, and the other fields (the
 * source, incarnation, last seq, error, lineage: some dozens of bytes) are
 * copied, in their order, into a small buffer that protobuf-c unpacks as a
 * ReplayResponse without events. A message of fields in any order is a
 * message, so that is the answer protobuf-c would have read whole, minus
 * its events; and an answer is refused exactly when protobuf-c would have
 * refused it (field 4 in another wire type than LEN included).
 *
 * One reader serves answer after answer: its buffers are kept and reused.
 */
#ifndef AS_REPLAY_ANSWER_H
#define AS_REPLAY_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "as/pb/envelope.pb-c.h"
#include "as/wire.h"

/* One packed envelope of the answer: a slice of the buffer read. */
typedef struct {
    const uint8_t *data;
    size_t len;
} as_replay_event_t;

typedef struct {
    /* after a successful as_replay_answer_read, until as_replay_answer_release: */
    As__ReplayResponse *head;        /* every field but events (head->n_events is 0);
                                      * owned here (protobuf-c's malloc) */
    const as_replay_event_t *events; /* the events, in the answer's order: slices
                                      * of the buffer read, valid while it is */
    size_t n_events;
    /* kept from answer to answer */
    as_replay_event_t *slices;
    size_t cap_slices;
    uint8_t *rest; /* the other fields, copied for protobuf-c */
    size_t cap_rest;
} as_replay_answer_t;

#define AS_REPLAY_ANSWER_INIT                                                                      \
    {                                                                                              \
        0                                                                                          \
    }

/* Reads the answer in data[0..len). Returns 0 (self->head and self->events
 * set: the events borrow `data`, which the caller keeps until it is done
 * with them), AS_EBADFRAME when the answer is malformed (*fault says how;
 * nothing set), or -ENOMEM. Releases what a previous read held. */
int as_replay_answer_read(as_replay_answer_t *self, const void *data, size_t len,
                          as_wire_fault_t *fault);

/* Frees the head of the last answer read and forgets its events; keeps the
 * buffers for the next. */
void as_replay_answer_release(as_replay_answer_t *self);

/* Frees everything; *self can be read into again (as when new). */
void as_replay_answer_fini(as_replay_answer_t *self);

#endif
