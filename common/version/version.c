/* version.c — see as/version.h. Its own small library (as_version), so that
 * programs that do not link the runtime (ceilbench) print it the same way. */
#include "as/version.h"

#include "as_version_string.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *as_version(void)
{
    return AS_VERSION_STRING;
}

bool as_version_option(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "--version") == 0) {
            printf("%s %s\n", program_invocation_short_name, as_version());
            return true;
        }
    }
    return false;
}
