/* catalog.c — every command and event type, with its messages. See catalog.h.
 * Each domain's table is in the schema library (proto/catalog/<domain>.c),
 * which lists them in as_catalog_parts. */
#include "as/catalog.h"

#include <string.h>

#include "as/error.h"

#define S_MAX_ADDED 8

/* parts a program added for commands of its own (as_catalog_add) */
static const as_catalog_part_t *s_added[S_MAX_ADDED];
static size_t s_n_added;

/* The p-th part: the schema library's, then the added ones; NULL past the end. */
static const as_catalog_part_t *s_part(size_t p)
{
    size_t n = 0;
    while (as_catalog_parts[n])
        n++;
    if (p < n)
        return as_catalog_parts[p];
    return p - n < s_n_added ? s_added[p - n] : NULL;
}

int as_catalog_add(const as_catalog_part_t *part)
{
    if (s_n_added == S_MAX_ADDED)
        return AS_EINVALID;
    for (size_t i = 0; i < s_n_added; i++)
        if (s_added[i] == part)
            return 0;
    s_added[s_n_added++] = part;
    return 0;
}

const as_command_info_t *as_catalog_command(const char *command)
{
    const as_catalog_part_t *part;
    for (size_t p = 0; (part = s_part(p)); p++)
        for (size_t i = 0; i < part->n_commands; i++)
            if (strcmp(part->commands[i].command, command) == 0)
                return &part->commands[i];
    return NULL;
}

const as_event_info_t *as_catalog_event(const char *type)
{
    const as_catalog_part_t *part;
    for (size_t p = 0; (part = s_part(p)); p++)
        for (size_t i = 0; i < part->n_events; i++)
            if (strcmp(part->events[i].type, type) == 0)
                return &part->events[i];
    return NULL;
}

size_t as_catalog_count(void)
{
    const as_catalog_part_t *part;
    size_t n = 0;
    for (size_t p = 0; (part = s_part(p)); p++)
        n += part->n_commands;
    return n;
}

const as_command_info_t *as_catalog_command_at(size_t index)
{
    const as_catalog_part_t *part;
    for (size_t p = 0; (part = s_part(p)); p++) {
        if (index < part->n_commands)
            return &part->commands[index];
        index -= part->n_commands;
    }
    return NULL;
}

size_t as_catalog_event_count(void)
{
    const as_catalog_part_t *part;
    size_t n = 0;
    for (size_t p = 0; (part = s_part(p)); p++)
        n += part->n_events;
    return n;
}

const as_event_info_t *as_catalog_event_at(size_t index)
{
    const as_catalog_part_t *part;
    for (size_t p = 0; (part = s_part(p)); p++) {
        if (index < part->n_events)
            return &part->events[index];
        index -= part->n_events;
    }
    return NULL;
}
