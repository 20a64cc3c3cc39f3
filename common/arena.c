/* arena.c — a bump allocator for messages that die together. See include/as/arena.h. */
#include "as/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

#define AS_ARENA_BLOCK (64u << 10)
#define AS_ARENA_ALIGN alignof(max_align_t)

typedef struct s_block {
    struct s_block *next; /* the block filled before this one */
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
} s_block_t;

struct as_arena {
    ProtobufCAllocator allocator; /* first: the allocator's data is the arena */
    s_block_t *head;              /* the block being filled */
    size_t block_size;
    size_t used; /* bytes handed out since the last reset */
};

static s_block_t *s_block_new(size_t cap, s_block_t *next)
{
    s_block_t *block = malloc(sizeof *block + cap);
    if (!block)
        return NULL;
    block->next = next;
    block->used = 0;
    block->cap = cap;
    return block;
}

/* The alignment an allocation of `size` bytes needs: an object's alignment
 * divides its size, so the size's lowest set bit (capped at max_align_t's)
 * serves any object that fits. Strings and bytes, odd-sized half the time,
 * then follow each other without padding, where rounding every allocation
 * up to 16 bytes wasted 7.5 bytes each on average (some ten an envelope). */
static size_t s_align_for(size_t size)
{
    size_t lowest_bit = size & (~size + 1);
    return lowest_bit == 0 || lowest_bit > AS_ARENA_ALIGN ? AS_ARENA_ALIGN : lowest_bit;
}

static void *s_alloc(void *data, size_t size)
{
    as_arena_t *self = data;
    if (size > SIZE_MAX - sizeof(s_block_t) - AS_ARENA_ALIGN)
        return NULL;
    size_t align = s_align_for(size);
    s_block_t *block = self->head;
    size_t start = block ? (block->used + align - 1) & ~(align - 1) : 0;
    if (!block || start > block->cap || block->cap - start < size) {
        size_t cap = size > self->block_size ? size : self->block_size;
        if (!(block = s_block_new(cap, self->head)))
            return NULL;
        self->head = block;
        start = 0;
    }
    void *p = block->data + start;
    self->used += start + size - block->used; /* the padding counts as handed out */
    block->used = start + size;
    return p;
}

static void s_free(void *data, void *pointer)
{
    (void)data; /* everything goes at the next reset */
    (void)pointer;
}

as_arena_t *as_arena_new(size_t block_size)
{
    as_arena_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->allocator = (ProtobufCAllocator){s_alloc, s_free, self};
    self->block_size = block_size ? block_size : AS_ARENA_BLOCK;
    return self;
}

static void s_free_blocks(s_block_t *block)
{
    while (block) {
        s_block_t *next = block->next;
        free(block);
        block = next;
    }
}

void as_arena_destroy(as_arena_t **self_p)
{
    as_arena_t *self = *self_p;
    if (!self)
        return;
    s_free_blocks(self->head);
    free(self);
    *self_p = NULL;
}

ProtobufCAllocator *as_arena_allocator(as_arena_t *self)
{
    return &self->allocator;
}

void as_arena_reset(as_arena_t *self)
{
    s_block_t *head = self->head;
    if (head && head->next) {
        /* one block of the total size serves the next batch of this size */
        size_t total = 0;
        for (s_block_t *b = head; b; b = b->next)
            total += b->cap;
        s_free_blocks(head);
        self->head = s_block_new(total, NULL);
    } else if (head) {
        head->used = 0;
    }
    self->used = 0;
}

size_t as_arena_used(const as_arena_t *self)
{
    return self->used;
}
