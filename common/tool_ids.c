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

int as_special_tools_validate(char *const *ids, size_t n, char *err, size_t err_len)
{
    if (n > AS_SPECIAL_TOOLS_MAX) {
        snprintf(err, err_len, "at most %d special tools per labour operation (got %zu)",
                 AS_SPECIAL_TOOLS_MAX, n);
        return AS_EINVALID;
    }
    for (size_t i = 0; i < n; i++) {
        if (!as_tool_id_valid(ids[i])) {
            snprintf(err, err_len,
                     "special tool id '%.80s' must be 1 to %d of letters, digits, '.', '_', '-'",
                     ids[i] ? ids[i] : "", AS_TOOL_ID_MAX);
            return AS_EINVALID;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0) {
                snprintf(err, err_len, "special tool '%s' is named twice", ids[i]);
                return AS_EINVALID;
            }
    }
    return 0;
}
