/* tool_ids.h — the ids of the tool room (tools, loans, requests) and the
 * special tools a labour operation needs. One rule for the tools service, for
 * reception (which checks labour operations at RO opening) and for workshop
 * (extra defects). */
#ifndef AS_TOOL_IDS_H
#define AS_TOOL_IDS_H

#include <stdbool.h>
#include <stddef.h>

#define AS_TOOL_ID_MAX 64       /* characters of an id */
#define AS_SPECIAL_TOOLS_MAX 16 /* special tools of one labour operation */

/* True when `id` is 1 to AS_TOOL_ID_MAX of letters, digits, '.', '_', '-'. */
bool as_tool_id_valid(const char *id);

/* What is wrong with a labour operation's special tools, for a caller that
 * words each case itself (a refusal: one format per case). */
typedef enum {
    AS_SPECIAL_TOOLS_VALID = 0,
    AS_SPECIAL_TOOLS_TOO_MANY, /* more than AS_SPECIAL_TOOLS_MAX: `count` */
    AS_SPECIAL_TOOLS_BAD_ID,   /* `id` is not a valid tool id */
    AS_SPECIAL_TOOLS_TWICE,    /* `id` is named twice */
} as_special_tools_problem_t;

typedef struct {
    as_special_tools_problem_t problem; /* AS_SPECIAL_TOOLS_VALID when valid */
    size_t count;                       /* how many were given */
    const char *id;                     /* the id at fault, borrowed from `ids` ("" for NULL) */
} as_special_tools_fault_t;

/* Examines the special tools of a labour operation (the rule below): fills
 * `fault` (never NULL) and returns fault->problem, AS_SPECIAL_TOOLS_VALID (0)
 * when they are valid. */
as_special_tools_problem_t as_special_tools_examine(char *const *ids, size_t n,
                                                    as_special_tools_fault_t *fault);

/* Checks the special tools of a labour operation: at most
 * AS_SPECIAL_TOOLS_MAX, each a valid id, none twice. Returns 0, or AS_EINVALID
 * with a text for people in `err` ("special tool id 'T 1' must be 1 to 64 of
 * letters, digits, '.', '_', '-'"). */
int as_special_tools_validate(char *const *ids, size_t n, char *err, size_t err_len);

#endif
