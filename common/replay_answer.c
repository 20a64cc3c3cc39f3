/* replay_answer.c — a replay answer read in place. See include/as/replay_answer.h. */
#include "as/replay_answer.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"

#define AS_REPLAY_EVENTS_FIELD 4 /* ReplayResponse.events */

/* Makes room for n slices; false when out of memory. */
static bool s_slices_reserve(as_replay_answer_t *self, size_t n)
{
    if (n <= self->cap_slices)
        return true;
    size_t cap = self->cap_slices ? self->cap_slices : 256;
    while (cap < n)
        cap *= 2;
    as_replay_event_t *slices = realloc(self->slices, cap * sizeof *slices);
    if (!slices)
        return false;
    self->slices = slices;
    self->cap_slices = cap;
    return true;
}

static bool s_rest_reserve(as_replay_answer_t *self, size_t n)
{
    if (n <= self->cap_rest)
        return true;
    size_t cap = self->cap_rest ? self->cap_rest : 256;
    while (cap < n)
        cap *= 2;
    uint8_t *rest = realloc(self->rest, cap);
    if (!rest)
        return false;
    self->rest = rest;
    self->cap_rest = cap;
    return true;
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
            if (!s_rest_reserve(self, rest_len + f.size))
                return -ENOMEM;
            memcpy(self->rest + rest_len, f.start, f.size);
            rest_len += f.size;
            continue;
        }
        if (f.type != AS_WIRE_LEN) { /* protobuf-c refuses bytes in any other */
            *fault = AS_WIRE_WRONG_TYPE;
            return AS_EBADFRAME;
        }
        if (!s_slices_reserve(self, n_events + 1))
            return -ENOMEM;
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
