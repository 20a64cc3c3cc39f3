/* error.h — the project's error codes.
 *
 * Every function in common/ returns 0 on success or a negative code: -errno
 * for system errors, an LMDB code (MDB_*, -30799..-30780) for store errors, or
 * one of the AS_E* codes below. as_strerror() names any of them for people.
 * Command replies carry the same codes in CommandReply.status.
 */
#ifndef AS_ERROR_H
#define AS_ERROR_H

#include <stddef.h>

enum {
    AS_OK = 0,
    AS_EINVALID = -20001,  /* a field is missing or out of range */
    AS_EBADFRAME = -20002, /* a frame could not be decoded */
    AS_ETOOBIG = -20003,   /* a frame is larger than the configured cap */
    AS_EUNKNOWN = -20004,  /* unknown command or event type */
    AS_EDENIED = -20005,   /* the actor's role may not do this */
    AS_ENOTFOUND = -20006, /* the record named does not exist */
    AS_ECONFLICT = -20007, /* the record's state does not allow this */
    AS_ETIMEOUT = -20008,  /* no answer in time */
    AS_EDIVERGED = -20009, /* a source's incarnation changed (restored store) */
    AS_ECONFIG = -20010,   /* the configuration is incomplete or wrong */
    AS_EINTERNAL = -20011, /* a bug: reported, never expected */
    AS_EEXISTS = -20012,   /* the record already exists */
    AS_ERETRY = -20013,    /* internal: run the transaction again (never reaches a user) */
    AS_ELOCKED = -20020,   /* another process holds the store (its writer lock) */
    AS_EDAMAGED = -20021,  /* the store's data file is truncated, damaged or unreadable */
};

/* Returns a static, human-readable text for any code above, -errno or MDB_*. */
const char *as_strerror(int code);

/* Returns a short stable name ("invalid", "not-found", ...) for scripts. */
const char *as_errname(int code);

/* Writes the code's own name for a log line or an internal error: the LMDB
 * constant ("MDB_NOTFOUND"), the errno name ("-EINVAL"; LMDB also returns
 * positive errno values: "EIO"), the AS_E* name, or "code N". Returns buf. */
const char *as_codename(int code, char *buf, size_t cap);

/* What a command or event handler's return code means for the one item it
 * ran. The command path and the event path (both in service.c's turn) decide
 * through as_outcome_of(), so a handler's code means the same on both. */
typedef enum {
    AS_OUTCOME_DONE,    /* 0 */
    AS_OUTCOME_REFUSED, /* an AS_E* answer: that command is refused (its text for
                         * people), that event is skipped and counted */
    AS_OUTCOME_STORE,   /* the store or the transaction is in trouble (MDB_MAP_FULL,
                         * MDB_TXN_FULL, MDB_BAD_TXN, MDB_PANIC, MDB_CORRUPTED, EIO,
                         * ENOSPC, ENOMEM ...): the whole turn ends with this code
                         * (MDB_MAP_FULL grows the map and runs the turn again) */
    AS_OUTCOME_STRAY,   /* any other code (MDB_NOTFOUND, MDB_KEYEXIST, -EINVAL, AS_ERETRY,
                         * a positive or unknown number): a bug in the handler; that
                         * one command is refused as internal, that event skipped */
} as_outcome_t;

as_outcome_t as_outcome_of(int code);

#endif
