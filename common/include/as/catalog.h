/* catalog.h — every command and event type the system knows, with its
 * protobuf message, for the CLI and for checks at service start.
 *
 * A service maps command names to handlers (service.h); what a command takes
 * and returns, which service runs it, and its help line are written once, here.
 */
#ifndef AS_CATALOG_H
#define AS_CATALOG_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct as_command_info {
    const char *command;                       /* "demo.generate" */
    const char *service;                       /* the daemon that runs it */
    const ProtobufCMessageDescriptor *request; /* NULL: takes no payload */
    const ProtobufCMessageDescriptor *reply;   /* NULL: answers with no payload */
    const char *summary;                       /* one line for --help */
} as_command_info_t;

typedef struct as_event_info {
    const char *type;                          /* "demo.tick.emitted" */
    const ProtobufCMessageDescriptor *payload; /* NULL: no payload */
    const char *summary;
} as_event_info_t;

/* Looks a command / event type up; NULL when unknown. */
const as_command_info_t *as_catalog_command(const char *command);
const as_event_info_t *as_catalog_event(const char *type);

/* Every command / event type, by index from 0 to count - 1 (NULL past the end). */
size_t as_catalog_count(void);
const as_command_info_t *as_catalog_command_at(size_t index);
size_t as_catalog_event_count(void);
const as_event_info_t *as_catalog_event_at(size_t index);

#endif
