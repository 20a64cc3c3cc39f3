/* tool_ids.c — tool room ids and a labour operation's special tools. */
#include "as/tool_ids.h"

#include <stdio.h>
#include <string.h>

#include "as/error.h"

static bool s_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

bool as_tool_id_valid(const char *id)
{
    if (!id)
        return false;
    size_t len = strlen(id);
    if (len < 1 || len > AS_TOOL_ID_MAX)
        return false;
    for (const char *p = id; *p; p++)
        if (!s_id_char(*p))
            return false;
    return true;
}

as_special_tools_problem_t as_special_tools_examine(char *const *ids, size_t n,
                                                    as_special_tools_fault_t *fault)
{
    fault->problem = AS_SPECIAL_TOOLS_VALID;
    fault->count = n;
    fault->id = NULL;
    if (n > AS_SPECIAL_TOOLS_MAX)
        return fault->problem = AS_SPECIAL_TOOLS_TOO_MANY;
    for (size_t i = 0; i < n; i++) {
        fault->id = ids[i] ? ids[i] : "";
        if (!as_tool_id_valid(ids[i]))
            return fault->problem = AS_SPECIAL_TOOLS_BAD_ID;
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0)
                return fault->problem = AS_SPECIAL_TOOLS_TWICE;
    }
    fault->id = NULL;
    return AS_SPECIAL_TOOLS_VALID;
}

int as_special_tools_validate(char *const *ids, size_t n, char *err, size_t err_len)
{
    as_special_tools_fault_t f;
    switch (as_special_tools_examine(ids, n, &f)) {
    case AS_SPECIAL_TOOLS_VALID:
        return 0;
    case AS_SPECIAL_TOOLS_TOO_MANY:
        snprintf(err, err_len, "at most %d special tools per labour operation (got %zu)",
                 AS_SPECIAL_TOOLS_MAX, f.count);
        break;
    case AS_SPECIAL_TOOLS_BAD_ID:
        snprintf(err, err_len,
                 "special tool id '%.80s' must be 1 to %d of letters, digits, '.', '_', '-'", f.id,
                 AS_TOOL_ID_MAX);
        break;
    case AS_SPECIAL_TOOLS_TWICE:
        snprintf(err, err_len, "special tool '%s' is named twice", f.id);
        break;
    }
    return AS_EINVALID;
}
