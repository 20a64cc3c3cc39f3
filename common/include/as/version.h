/* version.h — the version every program prints with --version.
 *
 * The string comes from `git describe --always --dirty` at build time
 * (cmake/version.cmake), or the project version of CMakeLists.txt when the
 * source is not a git checkout. Every program calls as_version_option() first
 * thing in main() (daemons get it from as_service_main()), so all print it the
 * same way: "<program> <version>".
 */
#ifndef AS_VERSION_H
#define AS_VERSION_H

#include <stdbool.h>

/* The version string, e.g. "6168257-dirty" or "0.13.0". Static storage. */
const char *as_version(void);

/* When argv holds "--version" (before any "--"), prints "<program> <version>"
 * on stdout and returns true: the caller then exits 0. Returns false
 * otherwise, printing nothing. */
bool as_version_option(int argc, char **argv);

#endif
