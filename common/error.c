/* error.c — texts and names for the project's error codes.
 *
 * Three bands share the negative integers: -errno (-1..-4095), LMDB's own
 * codes (MDB_KEYEXIST..MDB_LAST_ERRCODE, -30799..-30780) and the AS_E* codes
 * (-20001..). Everything returned here is a static string, so both functions
 * are safe to call from any thread: strerror() is avoided because it may
 * write to a shared buffer.
 */
#include "as/error.h"

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
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
