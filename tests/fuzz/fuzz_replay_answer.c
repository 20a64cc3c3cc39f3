/* fuzz_replay_answer — libFuzzer target for a replay answer as a consumer
 * reads it (replay_answer.h: its fields walked in place, wire.h), checked
 * against protobuf-c's own unpack of the same bytes: both take it or both
 * refuse it, and when taken they read the same fields and the same events
 * (each a slice of the input, never past its end). Each event is then
 * decoded into an arena as the consumer does. The input is the answer, whole;
 * the reader is reused from input to input, as the consumer reuses its own.
 * A difference traps; a crash, leak or sanitizer report fails. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "as/arena.h"
#include "as/envelope.h"
#include "as/error.h"
#include "as/replay_answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool s_same_string(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool s_same_bytes(const void *a, size_t a_len, const void *b, size_t b_len)
{
    return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

/* The fields but events read the same as protobuf-c read them. */
static bool s_same_head(const As__ReplayResponse *h, const As__ReplayResponse *w)
{
    if (!s_same_string(h->source, w->source) || !s_same_string(h->incarnation, w->incarnation) ||
        !s_same_string(h->error, w->error) || h->has_last_seq != w->has_last_seq ||
        h->last_seq != w->last_seq || h->n_events != 0 || h->n_lineage != w->n_lineage ||
        h->base.n_unknown_fields != w->base.n_unknown_fields)
        return false;
    for (size_t i = 0; i < h->n_lineage; i++) {
        const As__Ancestor *a = h->lineage[i], *b = w->lineage[i];
        if (!s_same_string(a->incarnation, b->incarnation) || a->has_fork_seq != b->has_fork_seq ||
            a->fork_seq != b->fork_seq)
            return false;
    }
    for (unsigned i = 0; i < h->base.n_unknown_fields; i++) {
        const ProtobufCMessageUnknownField *a = &h->base.unknown_fields[i],
                                           *b = &w->base.unknown_fields[i];
        if (a->tag != b->tag || a->wire_type != b->wire_type ||
            !s_same_bytes(a->data, a->len, b->data, b->len))
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static as_replay_answer_t answer = AS_REPLAY_ANSWER_INIT; /* reused, as sub.c's */
    static as_arena_t *arena;
    if (!arena && !(arena = as_arena_new(0)))
        return 0;
    as_wire_fault_t fault = AS_WIRE_BAD_TAG;
    int rc = as_replay_answer_read(&answer, data, size, &fault);
    As__ReplayResponse *whole = as__replay_response__unpack(NULL, size, data);
    if (rc == -ENOMEM)
        goto done; /* out of memory is no finding */
    if ((rc == 0) != (whole != NULL))
        __builtin_trap(); /* one took what the other refused */
    if (rc != 0) {
        if (rc != AS_EBADFRAME || fault == AS_WIRE_OK || answer.head || answer.n_events)
            __builtin_trap(); /* a refusal says why, and leaves nothing */
        goto done;
    }
    if (fault != AS_WIRE_OK || !s_same_head(answer.head, whole) ||
        answer.n_events != whole->n_events)
        __builtin_trap();
    for (size_t i = 0; i < answer.n_events; i++) {
        const as_replay_event_t *e = &answer.events[i];
        if (e->data < data || e->len > size || e->data + e->len > data + size ||
            !s_same_bytes(e->data, e->len, whole->events[i].data, whole->events[i].len))
            __builtin_trap();
        int err = 0;
        (void)as_envelope_decode_in(as_arena_allocator(arena), e->data, e->len, NULL, 0, &err);
    }
    as_arena_reset(arena);
done:
    as_replay_answer_release(&answer);
    if (whole)
        as__replay_response__free_unpacked(whole, NULL);
    return 0;
}
