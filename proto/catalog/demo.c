/* catalog/demo.c — the demo source and sink's commands and events. */
#include "as/pb/demo.pb-c.h"
#include "domains.h"

static const as_command_info_t s_commands[] = {
    {"demo.generate", "demo", &as__demo_generate__descriptor, &as__demo_source_state__descriptor,
     "emit COUNT more tick events, at RATE per second (0: as fast as possible)", 0, false},
    {"demo.add", "demo", &as__demo_add__descriptor, &as__demo_source_state__descriptor,
     "emit one tick event carrying VALUE", 0, false},
    {"demo.state", "demo", NULL, &as__demo_source_state__descriptor,
     "how many ticks were emitted and how many are still to come", 0, true},
    {"sink.totals", "sink", NULL, &as__demo_sink_totals__descriptor,
     "the count and sum of every tick the sink applied", 0, true},
};

static const as_event_info_t s_events[] = {
    {"demo.tick.emitted", &as__demo_tick__descriptor, "a demo tick (number, value)"},
};

AS_CATALOG_PART(as__catalog_demo, s_commands, s_events);
