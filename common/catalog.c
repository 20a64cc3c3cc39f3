/* catalog.c — every command and event type, with its messages. See catalog.h.
 * Each domain's table is in the schema library (proto/catalog/<domain>.c),
 * which lists them in as_catalog_parts. */
#include "as/catalog.h"

#include <string.h>

const as_command_info_t *as_catalog_command(const char *command)
{
    for (size_t p = 0; as_catalog_parts[p]; p++)
        for (size_t i = 0; i < as_catalog_parts[p]->n_commands; i++)
            if (strcmp(as_catalog_parts[p]->commands[i].command, command) == 0)
                return &as_catalog_parts[p]->commands[i];
    return NULL;
}

const as_event_info_t *as_catalog_event(const char *type)
{
    for (size_t p = 0; as_catalog_parts[p]; p++)
        for (size_t i = 0; i < as_catalog_parts[p]->n_events; i++)
            if (strcmp(as_catalog_parts[p]->events[i].type, type) == 0)
                return &as_catalog_parts[p]->events[i];
    return NULL;
}

size_t as_catalog_count(void)
{
    size_t n = 0;
    for (size_t p = 0; as_catalog_parts[p]; p++)
        n += as_catalog_parts[p]->n_commands;
    return n;
}

const as_command_info_t *as_catalog_command_at(size_t index)
{
    for (size_t p = 0; as_catalog_parts[p]; p++) {
        if (index < as_catalog_parts[p]->n_commands)
            return &as_catalog_parts[p]->commands[index];
        index -= as_catalog_parts[p]->n_commands;
    }
    return NULL;
}

size_t as_catalog_event_count(void)
{
    size_t n = 0;
    for (size_t p = 0; as_catalog_parts[p]; p++)
        n += as_catalog_parts[p]->n_events;
    return n;
}

const as_event_info_t *as_catalog_event_at(size_t index)
{
    for (size_t p = 0; as_catalog_parts[p]; p++) {
        if (index < as_catalog_parts[p]->n_events)
            return &as_catalog_parts[p]->events[index];
        index -= as_catalog_parts[p]->n_events;
    }
    return NULL;
}
