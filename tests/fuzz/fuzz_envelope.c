/* fuzz_envelope — libFuzzer target for a packed envelope decoded by
 * as_envelope_unpack (envelope_unpack.h), checked against protobuf-c's own
 * unpack of the same bytes: both take it or both refuse it; when taken,
 * every field, every has_ flag and every unknown field is the same, and the
 * two pack back to the same bytes. The input is the envelope, whole. Then it
 * is decoded into an arena and checked, as a consumer does. A difference
 * traps; a crash, leak or sanitizer report fails. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "as/arena.h"
#include "as/envelope.h"
#include "as/envelope_unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool s_same_string(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool s_same_bytes(const void *a, size_t a_len, const void *b, size_t b_len)
{
    return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

/* Strings compare to their first NUL: what a reader of the message sees
 * (and what protobuf-c packs again). */
static bool s_same_fields(const As__Envelope *a, const As__Envelope *b)
{
    return s_same_string(a->id, b->id) && s_same_string(a->source, b->source) &&
           s_same_string(a->incarnation, b->incarnation) && a->has_seq == b->has_seq &&
           a->seq == b->seq && s_same_string(a->type, b->type) &&
           a->has_time_us == b->has_time_us && a->time_us == b->time_us &&
           s_same_string(a->subject, b->subject) &&
           s_same_string(a->correlation_id, b->correlation_id) &&
           s_same_string(a->causation_id, b->causation_id) && s_same_string(a->actor, b->actor) &&
           a->has_schema_version == b->has_schema_version &&
           a->schema_version == b->schema_version && a->has_payload == b->has_payload &&
           (a->payload.data == NULL) == (b->payload.data == NULL) &&
           s_same_bytes(a->payload.data, a->payload.len, b->payload.data, b->payload.len) &&
           s_same_string(a->via, b->via) && a->has_occurred_us == b->has_occurred_us &&
           a->occurred_us == b->occurred_us;
}

static bool s_same_unknown(const As__Envelope *a, const As__Envelope *b)
{
    if (a->base.n_unknown_fields != b->base.n_unknown_fields ||
        (a->base.unknown_fields == NULL) != (b->base.unknown_fields == NULL))
        return false;
    for (unsigned i = 0; i < a->base.n_unknown_fields; i++) {
        const ProtobufCMessageUnknownField *x = &a->base.unknown_fields[i],
                                           *y = &b->base.unknown_fields[i];
        if (x->tag != y->tag || x->wire_type != y->wire_type ||
            !s_same_bytes(x->data, x->len, y->data, y->len))
            return false;
    }
    return true;
}

/* Both pack to the same bytes, the unknown fields included. */
static bool s_same_packed(const As__Envelope *a, const As__Envelope *b)
{
    size_t a_len = as__envelope__get_packed_size(a), b_len = as__envelope__get_packed_size(b);
    if (a_len != b_len)
        return false;
    uint8_t *a_buf = malloc(a_len + 1), *b_buf = malloc(b_len + 1);
    bool same = a_buf && b_buf && as__envelope__pack(a, a_buf) == a_len &&
                as__envelope__pack(b, b_buf) == b_len && memcmp(a_buf, b_buf, a_len) == 0;
    free(a_buf);
    free(b_buf);
    return same || !a_buf || !b_buf; /* out of memory is no finding */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static as_arena_t *arena;
    if (!arena && !(arena = as_arena_new(0)))
        return 0;
    as_wire_fault_t fault = AS_WIRE_BAD_TAG;
    As__Envelope *ours = as_envelope_unpack(NULL, data, size, &fault);
    As__Envelope *theirs = as__envelope__unpack(NULL, size, data);
    if ((ours != NULL) != (theirs != NULL))
        __builtin_trap(); /* one took what the other refused */
    if (!ours && fault == AS_WIRE_OK)
        goto done; /* out of memory (ours said so): no finding */
    if (ours && (fault != AS_WIRE_OK || !s_same_fields(ours, theirs) ||
                 !s_same_unknown(ours, theirs) || !s_same_packed(ours, theirs)))
        __builtin_trap();
    /* as a consumer decodes it: into the arena, then checked */
    int err = 0;
    (void)as_envelope_decode_in(as_arena_allocator(arena), data, size, NULL, 0, &err);
    as_arena_reset(arena);
done:
    if (ours)
        as__envelope__free_unpacked(ours, NULL);
    if (theirs)
        as__envelope__free_unpacked(theirs, NULL);
    return 0;
}
