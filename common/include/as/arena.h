/* arena.h — a bump allocator for messages that live and die together.
 *
 * The events of one turn are decoded into an arena and dropped all at once
 * when the turn commits (as_arena_reset), instead of one malloc and free per
 * decoded field. The arena serves as a ProtobufCAllocator, so protobuf-c's
 * unpack allocates from it; freeing a message unpacked there
 * (as__x__free_unpacked(msg, as_arena_allocator(arena))) does nothing.
 *
 * An allocation is aligned for any object of its size: to the lowest set bit
 * of the size, at most alignof(max_align_t) (an object's alignment divides
 * its size). A 37-byte string is byte-aligned, a 24-byte struct 8-aligned.
 */
#ifndef AS_ARENA_H
#define AS_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct as_arena as_arena_t;

/* A new, empty arena whose first block holds `block_size` bytes (0: 64 KiB).
 * Returns NULL when out of memory. */
as_arena_t *as_arena_new(size_t block_size);
void as_arena_destroy(as_arena_t **self_p);

/* The allocator to pass to protobuf-c; borrowed, valid while the arena is.
 * Its alloc returns NULL when out of memory (the unpack then fails). */
ProtobufCAllocator *as_arena_allocator(as_arena_t *self);

/* Frees everything allocated since the last reset at once. The blocks are
 * merged into one of their total size, kept for the next batch. */
void as_arena_reset(as_arena_t *self);

/* Bytes handed out since the last reset (for tests and status). */
size_t as_arena_used(const as_arena_t *self);

#endif
