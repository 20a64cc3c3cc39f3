/* config_schema.h — every section and key a site file may hold, declared
 * once with its type, range and default, and the check that refuses the rest.
 *
 * The site file is shared by every daemon and tool, so the schema is shared
 * too (common/config_schema.c): a new key is one row in its section's table,
 * and every program can then check the whole file, including the sections of
 * the other services. (Domain keys such as [warranty]'s live here for now;
 * they move to their services when domain knowledge leaves common/.)
 *
 * Sections:
 * - system sections: [site], [security], [bus], [staff] ([bus] and [staff]
 *   must be present);
 * - each service's and tool's section: [reception], [workshop], [parts],
 *   [kpi], [warranty], [tools], [oem], [demo], [sink], [bench];
 * - data sections, whose keys are names chosen by the site and checked by
 *   their owner: [staff] (ids -> roles, checked by as_staff_load),
 *   [warranty.policy] and [warranty.groups] (checked by the warranty daemon);
 * - named sections of daemons started with --name: an ingest gateway's (a
 *   section listed in [site] services or in some section's follows) and an
 *   extra forwarder's (asbus --name NAME: a section that holds xsub, xpub or hwm).
 * Anything else is an unknown section.
 */
#ifndef AS_CONFIG_SCHEMA_H
#define AS_CONFIG_SCHEMA_H

#include <stdbool.h>

#include "as/config.h"

typedef enum {
    AS_CONFIG_TEXT, /* any text up to `max` bytes */
    AS_CONFIG_LIST, /* a comma list, up to `max` bytes in all */
    AS_CONFIG_INT,  /* a whole number from `min` to `max` (k, M, G suffixes allowed) */
    AS_CONFIG_BOOL, /* yes/no, true/false, on/off, 1/0 */
    AS_CONFIG_ADDR, /* host:port of a TCP listener (metrics_http.h), up to `max` bytes */
} as_config_type_t;

/* One key of a section: one row of a schema table. */
typedef struct as_config_key {
    const char *name;      /* the key as written in the file */
    as_config_type_t type; /* how its value is read */
    long long min, max;    /* INT: the range; TEXT and LIST: max is the longest value */
    long long dflt;        /* INT and BOOL: the value when the key is absent */
    const char *help;      /* what it sets, for people */
} as_config_key_t;

/* Called once per problem found, with a text for people
 * ("site.ini:12: unknown key 'folows' in [reception]; did you mean 'follows'?").
 * `fatal` is false for a problem that does not concern the program checking. */
typedef void (*as_config_report_fn)(void *arg, bool fatal, const char *problem);

/* Checks every section and key of `cfg` against the schema: unknown sections
 * and keys (with the closest known name when one is near), malformed and
 * out-of-range values, a missing [bus] or [staff], and the roles in [staff].
 * `own` is the section of the program checking (a daemon's name), or NULL to
 * treat every problem as fatal (--check-config). With `own` set, problems in
 * the keys of other services' sections are reported as not fatal.
 * Returns the number of fatal problems (0: the config is fine for `own`), or
 * -ENOMEM. */
int as_config_check(as_config_t *cfg, const char *own, as_config_report_fn report, void *arg);

/* as_config_check() for a program's start or its --check-config: with
 * check_only false, logs problems that stop `own` as errors and the others as
 * warnings and returns the first count; with check_only true, prints every
 * problem on stderr, one a line, and returns their count. */
int as_config_check_print(as_config_t *cfg, const char *own, bool check_only);

/* Reads an INT key of `section` through its schema row: *out is the value,
 * or the row's default when the key is absent. Returns 0, or AS_EINVALID when
 * the value is not a number in the row's range (as_config_check reports it
 * with its line). The key must be declared for that section (asserted). */
int as_config_read_int(as_config_t *cfg, const char *section, const char *key, long long *out);

/* The same for a BOOL key. */
int as_config_read_bool(as_config_t *cfg, const char *section, const char *key, bool *out);

/* The schema row of `key` in `section`, or NULL when not declared there. */
const as_config_key_t *as_config_schema_key(as_config_t *cfg, const char *section, const char *key);

/* The edit distance of two names (Damerau-Levenshtein, adjacent swaps count
 * one), for "did you mean" suggestions. */
int as_config_distance(const char *a, const char *b);

#endif
