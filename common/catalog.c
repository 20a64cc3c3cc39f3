/* catalog.c — every command and event type, with its messages. See catalog.h. */
#include "as/catalog.h"

#include <string.h>

#include "as/pb/demo.pb-c.h"

static const as_command_info_t s_commands[] = {
    {"demo.generate", "demo", &as__demo_generate__descriptor, &as__demo_source_state__descriptor,
     "emit COUNT more tick events, at RATE per second (0: as fast as possible)"},
    {"demo.add", "demo", &as__demo_add__descriptor, &as__demo_source_state__descriptor,
     "emit one tick event carrying VALUE"},
    {"demo.state", "demo", NULL, &as__demo_source_state__descriptor,
     "how many ticks were emitted and how many are still to come"},
    {"sink.totals", "sink", NULL, &as__demo_sink_totals__descriptor,
     "the count and sum of every tick the sink applied"},
};

static const as_event_info_t s_events[] = {
    {"demo.tick.emitted", &as__demo_tick__descriptor, "a demo tick (number, value)"},
};

#define S_LEN(a) (sizeof(a) / sizeof((a)[0]))

const as_command_info_t *as_catalog_command(const char *command)
{
    for (size_t i = 0; i < S_LEN(s_commands); i++)
        if (strcmp(s_commands[i].command, command) == 0)
            return &s_commands[i];
    return NULL;
}

const as_event_info_t *as_catalog_event(const char *type)
{
    for (size_t i = 0; i < S_LEN(s_events); i++)
        if (strcmp(s_events[i].type, type) == 0)
            return &s_events[i];
    return NULL;
}

const as_command_info_t *as_catalog_commands(size_t *n)
{
    *n = S_LEN(s_commands);
    return s_commands;
}

const as_event_info_t *as_catalog_events(size_t *n)
{
    *n = S_LEN(s_events);
    return s_events;
}
