/* replay_answer.c — a replay answer read in place. See include/as/replay_answer.h. */
#include "as/replay_answer.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"

#define AS_REPLAY_EVENTS_FIELD 4 /* ReplayResponse.events */

/* Makes room for n (> 0) elements of `size` bytes in buf, of capacity *cap
 * (doubled from 256). Returns the buffer to keep, or NULL when out of
 * memory (buf is then unchanged, still the caller's). */
static void *s_grow(void *buf, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return buf;
    size_t want = *cap ? *cap : 256;
    while (want < n)
        want *= 2;
    void *grown = realloc(buf, want * size);
    if (grown)
        *cap = want;
    return grown;
}

int as_replay_answer_read(as_replay_answer_t *self, const void *data, size_t len,
                          as_wire_fault_t *fault)
{
    as_replay_answer_release(self);
    *fault = AS_WIRE_OK;
    as_wire_reader_t r;
    as_wire_field_t f;
    size_t n_events = 0, rest_len = 0;
    int rc;
    as_wire_reader_init(&r, data, len);
    while ((rc = as_wire_next(&r, &f)) == 1) {
        if (f.number != AS_REPLAY_EVENTS_FIELD) {
            uint8_t *rest = s_grow(self->rest, &self->cap_rest, rest_len + f.size, 1);
            if (!rest)
                return -ENOMEM;
            self->rest = rest;
            memcpy(self->rest + rest_len, f.start, f.size);
            rest_len += f.size;
            continue;
        }
        if (f.type != AS_WIRE_LEN) { /* protobuf-c refuses bytes in any other */
            *fault = AS_WIRE_WRONG_TYPE;
            return AS_EBADFRAME;
        }
        as_replay_event_t *slices =
            s_grow(self->slices, &self->cap_slices, n_events + 1, sizeof *slices);
        if (!slices)
            return -ENOMEM;
        self->slices = slices;
        self->slices[n_events++] = (as_replay_event_t){.data = f.value, .len = f.value_len};
    }
    if (rc != 0) {
        *fault = r.fault;
        return rc;
    }
    /* rest_len 0: an empty message (the buffer may not be there yet) */
    self->head = as__replay_response__unpack(NULL, rest_len, rest_len ? self->rest : data);
    if (!self->head) {
        /* the walk found every field well formed: protobuf-c refused a
         * field's wire type or a nested message (or ran out of memory) */
        *fault = AS_WIRE_BAD_FIELDS;
        return AS_EBADFRAME;
    }
    self->events = self->slices;
    self->n_events = n_events;
    return 0;
}

void as_replay_answer_release(as_replay_answer_t *self)
{
    if (self->head)
        as__replay_response__free_unpacked(self->head, NULL);
    self->head = NULL;
    self->events = NULL;
    self->n_events = 0;
}

void as_replay_answer_fini(as_replay_answer_t *self)
{
    as_replay_answer_release(self);
    free(self->slices);
    free(self->rest);
    *self = (as_replay_answer_t)AS_REPLAY_ANSWER_INIT;
}
