/* catalog.c — every command and event type, with its messages. See catalog.h.
 * Each domain's table is in catalog_<domain>.c. */
#include "as/catalog.h"

#include <string.h>

#include "catalog_parts.h"

static const as_catalog_part_t *const s_parts[] = {
    &as__catalog_demo, &as__catalog_reception, &as__catalog_workshop, &as__catalog_parts,
    &as__catalog_kpi,  &as__catalog_warranty,  &as__catalog_tools,    &as__catalog_crm,
};

#define S_LEN(a) (sizeof(a) / sizeof((a)[0]))

const as_command_info_t *as_catalog_command(const char *command)
{
    for (size_t p = 0; p < S_LEN(s_parts); p++)
        for (size_t i = 0; i < s_parts[p]->n_commands; i++)
            if (strcmp(s_parts[p]->commands[i].command, command) == 0)
                return &s_parts[p]->commands[i];
    return NULL;
}

const as_event_info_t *as_catalog_event(const char *type)
{
    for (size_t p = 0; p < S_LEN(s_parts); p++)
        for (size_t i = 0; i < s_parts[p]->n_events; i++)
            if (strcmp(s_parts[p]->events[i].type, type) == 0)
                return &s_parts[p]->events[i];
    return NULL;
}

size_t as_catalog_count(void)
{
    size_t n = 0;
    for (size_t p = 0; p < S_LEN(s_parts); p++)
        n += s_parts[p]->n_commands;
    return n;
}

const as_command_info_t *as_catalog_command_at(size_t index)
{
    for (size_t p = 0; p < S_LEN(s_parts); p++) {
        if (index < s_parts[p]->n_commands)
            return &s_parts[p]->commands[index];
        index -= s_parts[p]->n_commands;
    }
    return NULL;
}

size_t as_catalog_event_count(void)
{
    size_t n = 0;
    for (size_t p = 0; p < S_LEN(s_parts); p++)
        n += s_parts[p]->n_events;
    return n;
}

const as_event_info_t *as_catalog_event_at(size_t index)
{
    for (size_t p = 0; p < S_LEN(s_parts); p++) {
        if (index < s_parts[p]->n_events)
            return &s_parts[p]->events[index];
        index -= s_parts[p]->n_events;
    }
    return NULL;
}
