/* error.c — texts and names for the project's error codes.
 *
 * Three bands share the negative integers: -errno (-1..-4095), LMDB's own
 * codes (MDB_KEYEXIST..MDB_LAST_ERRCODE, -30799..-30780) and the AS_E* codes
 * (-20001..). Everything returned here is a static string, so both functions
 * are safe to call from any thread: strerror() is avoided because it may
 * write to a shared buffer.
 */
#include "as/error.h"

#include <errno.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* errno values are small; anything beyond this is not an errno. */
#define S_ERRNO_MAX 4095

typedef struct {
    int code;         /* an AS_E* code */
    const char *name; /* stable short name for scripts */
    const char *text; /* lowercase text for people */
} s_code_t;

static const s_code_t s_codes[] = {
    {AS_OK, "ok", "success"},
    {AS_EINVALID, "invalid", "a field is missing or out of range"},
    {AS_EBADFRAME, "bad-frame", "a frame could not be decoded"},
    {AS_ETOOBIG, "too-big", "a frame is larger than the configured limit"},
    {AS_EUNKNOWN, "unknown", "unknown command or event type"},
    {AS_EDENIED, "denied", "the actor's role may not do this"},
    {AS_ENOTFOUND, "not-found", "the record does not exist"},
    {AS_ECONFLICT, "conflict", "the record's state does not allow this"},
    {AS_ETIMEOUT, "timeout", "no answer in time"},
    {AS_EDIVERGED, "diverged", "the source's incarnation changed (restored store)"},
    {AS_ECONFIG, "config", "the configuration is incomplete or wrong"},
    {AS_EINTERNAL, "internal", "internal error (a bug)"},
    {AS_EEXISTS, "exists", "the record already exists"},
    {AS_ERETRY, "retry", "the transaction must be run again"},
    {AS_ELOCKED, "locked", "the store is in use by another process"},
    {AS_EDAMAGED, "damaged", "the store's data file is truncated, damaged or unreadable"},
};

static const s_code_t *s_lookup(int code)
{
    for (size_t i = 0; i < sizeof(s_codes) / sizeof(s_codes[0]); i++) {
        if (s_codes[i].code == code) {
            return &s_codes[i];
        }
    }
    return NULL;
}

static bool s_is_mdb(int code)
{
    return code >= MDB_KEYEXIST && code <= MDB_LAST_ERRCODE;
}

/* LMDB itself returns positive errno values, so both signs are accepted. */
static bool s_is_errno(int code)
{
    return code != 0 && code >= -S_ERRNO_MAX && code <= S_ERRNO_MAX;
}

const char *as_strerror(int code)
{
    const s_code_t *known = s_lookup(code);
    if (known) {
        return known->text;
    }
    if (s_is_mdb(code)) {
        /* For its own band mdb_strerror() returns a static string. */
        return mdb_strerror(code);
    }
    if (s_is_errno(code)) {
        const char *text = strerrordesc_np(code < 0 ? -code : code);
        return text ? text : "unknown system error";
    }
    return "unrecognized error code";
}

const char *as_errname(int code)
{
    const s_code_t *known = s_lookup(code);
    if (known) {
        return known->name;
    }
    if (s_is_mdb(code)) {
        return "store";
    }
    if (s_is_errno(code)) {
        return "system";
    }
    return "unrecognized";
}

/* --- a handler's return code ------------------------------------------------ */

typedef struct {
    int code;
    const char *name;
} s_name_t;

#define S_NAME(c)                                                                                  \
    {                                                                                              \
        c, #c                                                                                      \
    }
static const s_name_t s_mdb_names[] = {
    S_NAME(MDB_KEYEXIST),     S_NAME(MDB_NOTFOUND),  S_NAME(MDB_PAGE_NOTFOUND),
    S_NAME(MDB_CORRUPTED),    S_NAME(MDB_PANIC),     S_NAME(MDB_VERSION_MISMATCH),
    S_NAME(MDB_INVALID),      S_NAME(MDB_MAP_FULL),  S_NAME(MDB_DBS_FULL),
    S_NAME(MDB_READERS_FULL), S_NAME(MDB_TLS_FULL),  S_NAME(MDB_TXN_FULL),
    S_NAME(MDB_CURSOR_FULL),  S_NAME(MDB_PAGE_FULL), S_NAME(MDB_MAP_RESIZED),
    S_NAME(MDB_INCOMPATIBLE), S_NAME(MDB_BAD_RSLOT), S_NAME(MDB_BAD_TXN),
    S_NAME(MDB_BAD_VALSIZE),  S_NAME(MDB_BAD_DBI),   S_NAME(AS_EINVALID),
    S_NAME(AS_EBADFRAME),     S_NAME(AS_ETOOBIG),    S_NAME(AS_EUNKNOWN),
    S_NAME(AS_EDENIED),       S_NAME(AS_ENOTFOUND),  S_NAME(AS_ECONFLICT),
    S_NAME(AS_ETIMEOUT),      S_NAME(AS_EDIVERGED),  S_NAME(AS_ECONFIG),
    S_NAME(AS_EINTERNAL),     S_NAME(AS_EEXISTS),    S_NAME(AS_ERETRY),
    S_NAME(AS_ELOCKED),       S_NAME(AS_EDAMAGED),
};

const char *as_codename(int code, char *buf, size_t cap)
{
    for (size_t i = 0; i < sizeof s_mdb_names / sizeof s_mdb_names[0]; i++) {
        if (s_mdb_names[i].code == code) {
            snprintf(buf, cap, "%s", s_mdb_names[i].name);
            return buf;
        }
    }
    const char *name = s_is_errno(code) ? strerrorname_np(code < 0 ? -code : code) : NULL;
    if (name)
        snprintf(buf, cap, "%s%s", code < 0 ? "-" : "", name);
    else
        snprintf(buf, cap, "code %d", code);
    return buf;
}

/* The store or the transaction itself is in trouble: another turn may cure it
 * (a larger map, freed disk, memory) or the transaction cannot go on. A
 * handler's lookup that found nothing, a key that exists or a bad argument is
 * none of these: the transaction is still sound. */
static bool s_is_store_trouble(int code)
{
    switch (code) {
    case MDB_MAP_FULL:
    case MDB_TXN_FULL:
    case MDB_BAD_TXN:
    case MDB_PANIC:
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_PAGE_FULL:
    case MDB_CURSOR_FULL:
    case MDB_MAP_RESIZED:
    case MDB_READERS_FULL:
    case MDB_BAD_RSLOT:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
        return true;
    default:
        break;
    }
    int err = code < 0 ? -code : code; /* LMDB returns errno values positive */
    return err == EIO || err == ENOSPC || err == ENOMEM || err == EDQUOT || err == EROFS;
}

static bool s_is_answer(int code)
{
    const s_code_t *known = s_lookup(code);
    return known && code != AS_OK && code != AS_ERETRY;
}

as_outcome_t as_outcome_of(int code)
{
    if (code == 0)
        return AS_OUTCOME_DONE;
    if (s_is_answer(code))
        return AS_OUTCOME_REFUSED;
    if (s_is_store_trouble(code))
        return AS_OUTCOME_STORE;
    return AS_OUTCOME_STRAY;
}
