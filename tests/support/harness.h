/* harness.h — a service in-process for unit tests (library as_harness).
 *
 * Opens a real service (its def, the real runtime of common/service.c, a
 * real LMDB store in a fresh temp dir, the staff list of the config) with no
 * ZeroMQ socket and no bus (as_service_new_local), and runs one command or
 * one event at a time through the very path the daemon's loop runs it on:
 * request checks, request id, role check, decode, text bound, handler in a
 * nested transaction, outcome, stored reply. What the handler emitted is
 * read back from the outbox. Each call takes milliseconds, so a handler's
 * failure paths are unit-tested without starting daemons.
 *
 * Not run here: the subscriber (dedup, gaps, offsets, sources followed),
 * the endpoint, heartbeats, replay; the integration tests cover those.
 */
#ifndef AS_HARNESS_H
#define AS_HARNESS_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "as/envelope.h"
#include "as/service.h"

typedef struct as_harness as_harness_t;

/* What one command or event did. */
typedef struct as_harness_result {
    int status;      /* 0, or the reply's code / the code the event was skipped with */
    char error[512]; /* the reply's text for people ("" when status is 0) */
    bool replayed;   /* the command's stored reply came back (a retry) */
    /* the reply payload decoded into the catalog's reply message, or NULL */
    ProtobufCMessage *reply;
    As__Envelope **events; /* what it emitted (committed to the outbox), in seq order */
    size_t n_events;
} as_harness_result_t;

/* Opens `def` on a new store in a temp dir under $AS_TEST_TMP (else /tmp).
 * `config` is INI text (the [staff] list, the service's own keys) read
 * after what the harness sets: [site] name = local, [<def->name>] endpoint
 * (never bound) and data_dir. A def run under --name (ingest) is passed as
 * a copy with `name` set, as as_service_main makes it. Returns NULL (and
 * logs why) when the service does not open. */
as_harness_t *as_harness_new(const as_service_def_t *def, const char *config);

/* Closes the service and deletes its temp dir; nulls *self_p. */
void as_harness_destroy(as_harness_t **self_p);

/* The service, for what a test reads directly (its store, its state). */
as_service_t *as_harness_service(as_harness_t *self);

/* Runs `command` as `actor` with `request` packed as its payload (NULL: no
 * payload) under a new request id, and fills *out (clear it with
 * as_harness_result_clear). Returns 0, or -ENOMEM / a store code when there
 * is no reply to show. */
int as_harness_call(as_harness_t *self, const char *actor, const char *command,
                    const ProtobufCMessage *request, as_harness_result_t *out);

/* The same with raw payload bytes (a payload that does not decode), and
 * `request_id` (NULL: a new one) to send a retry or reuse an id. */
int as_harness_call_bytes(as_harness_t *self, const char *actor, const char *command,
                          const char *request_id, const void *payload, size_t len,
                          as_harness_result_t *out);

/* Applies an event of `type` from `source` (e.g. "workshop@local") with
 * `seq`, `subject` (may be NULL) and `payload` (NULL: none), as the loop
 * applies one, and fills *out: status 0 when applied, else the code it was
 * skipped with (nothing it wrote or emitted is kept). Returns 0 or a store
 * code. */
int as_harness_apply(as_harness_t *self, const char *type, const char *source, uint64_t seq,
                     const char *subject, const ProtobufCMessage *payload,
                     as_harness_result_t *out);

/* Frees what *result holds and zeroes it. */
void as_harness_result_clear(as_harness_result_t *result);

/* The number of records in the service's database `db` (0 when it has none). */
size_t as_harness_count(as_harness_t *self, const char *db);

#endif
