/* catalog.h — every command and event type the system knows, with its
 * protobuf message, for the CLI and for checks at service start.
 *
 * A service maps command names to handlers (service.h); what a command takes
 * and returns, which service runs it, who may run it, whether it only reads,
 * and its help line are written once, in the catalog.
 *
 * The catalog's entries live beside the .proto files, in the schema library
 * (proto/catalog/<domain>.c, linked with the generated code as as_proto): it
 * defines as_catalog_parts, which this registry reads. common/ names no
 * domain.
 */
#ifndef AS_CATALOG_H
#define AS_CATALOG_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct as_command_info {
    const char *command;                       /* "demo.generate" */
    const char *service;                       /* the daemon that runs it */
    const ProtobufCMessageDescriptor *request; /* NULL: takes no payload */
    const ProtobufCMessageDescriptor *reply;   /* NULL: answers with no payload */
    const char *summary;                       /* one line for --help */
    /* the AS_ROLE_* bits (staff.h) of who may run it, checked by the runtime
     * before the handler; 0: anyone the service lets in (the handler decides) */
    unsigned roles;
    /* only reads: runs with its writes and events discarded, and its reply is
     * not kept under the request id (a retry reads again) */
    bool query;
    /* records something that happened (a booking, an arrival, a clock entry):
     * the request may say when (CommandRequest.occurred_us), within the
     * site's window for work keyed in after the fact; the handler dates what
     * it records with as_cmd_time() and its events carry that time */
    bool dated;
} as_command_info_t;

typedef struct as_event_info {
    const char *type;                          /* "demo.tick.emitted" */
    const ProtobufCMessageDescriptor *payload; /* NULL: no payload */
    const char *summary;
} as_event_info_t;

/* One domain's part of the catalog. */
typedef struct as_catalog_part {
    const as_command_info_t *commands;
    size_t n_commands;
    const as_event_info_t *events;
    size_t n_events;
} as_catalog_part_t;

/* Defines a part from two arrays: AS_CATALOG_PART(as__catalog_x, s_commands, s_events). */
#define AS_CATALOG_PART(name, commands, events)                                                    \
    const as_catalog_part_t name = {commands, sizeof(commands) / sizeof((commands)[0]), events,    \
                                    sizeof(events) / sizeof((events)[0])}

/* Every domain's part, NULL-terminated: defined by the schema library
 * (proto/catalog/domains.c) that every program links. */
extern const as_catalog_part_t *const as_catalog_parts[];

/* Adds a part for commands of the program's own (a test's service, say),
 * looked up after the schema library's. The part must outlive the program.
 * Not thread-safe: call it before any service starts. Returns 0 (also when
 * it was added already) or AS_EINVALID when 8 parts were added already. */
int as_catalog_add(const as_catalog_part_t *part);

/* Looks a command / event type up; NULL when unknown. */
const as_command_info_t *as_catalog_command(const char *command);
const as_event_info_t *as_catalog_event(const char *type);

/* Every command / event type, by index from 0 to count - 1 (NULL past the end). */
size_t as_catalog_count(void);
const as_command_info_t *as_catalog_command_at(size_t index);
size_t as_catalog_event_count(void);
const as_event_info_t *as_catalog_event_at(size_t index);

#endif
