/* checks.h — what the gateway checks of an event beyond its schema, per type
 * (checks.c), and the peer facts those checks need. */
#ifndef INGEST_CHECKS_H
#define INGEST_CHECKS_H

#include "as/service.h"

/* Checks the decoded payload `msg` of event type `type` (the catalog's
 * message): fails the command (AS_EINVALID, AS_ENOTFOUND) with a text that
 * says which field and why and returns non-zero; 0 when the type has no
 * checks or the event passes. Reads the gateway's store (db "parts"). */
int ingest_check(as_cmd_t *cmd, const char *type, const ProtobufCMessage *msg);

/* parts.part.defined, for a gateway that follows parts (`[sales] follows =
 * parts`): keeps the part's number and accessory flag (db "parts"). */
int ingest_on_part_defined(as_evt_t *evt);

#endif
