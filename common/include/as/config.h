/* config.h — one INI file for a site, parsed with inih.
 *
 * Values may refer to other values as ${section.key} and to the environment as
 * ${env:NAME}; references are expanded when read (up to 8 levels deep).
 * A missing key is not an error: getters take a default.
 */
#ifndef AS_CONFIG_H
#define AS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct as_config as_config_t;

/* Loads `path`. Returns NULL on failure and, if `err` is given, sets *err to a
 * malloc'd text for people ("site.ini:12: ..."), which the caller frees. */
as_config_t *as_config_load(const char *path, char **err);

/* An empty configuration (for tests and programs run without a file). */
as_config_t *as_config_new(void);

/* Sets or replaces a value. Returns 0 or -ENOMEM. */
int as_config_set(as_config_t *self, const char *section, const char *key, const char *value);

/* Returns the expanded value, or `dflt` when the key is absent. The pointer is
 * owned by the config and valid until the config is destroyed or the key set. */
const char *as_config_get(as_config_t *self, const char *section, const char *key,
                          const char *dflt);

/* Integer value; accepts suffixes k, M, G (x1024) for sizes. Returns 0 and sets
 * *out (dflt when absent), or AS_EINVALID when the text is not a number. */
int as_config_get_int(as_config_t *self, const char *section, const char *key, long long dflt,
                      long long *out);

/* Boolean: yes/no, true/false, on/off, 1/0. Returns 0 or AS_EINVALID. */
int as_config_get_bool(as_config_t *self, const char *section, const char *key, bool dflt,
                       bool *out);

/* Splits a comma-separated value into trimmed, non-empty items. Returns the
 * number of items (0 when absent) and sets *items to a NULL-terminated array the
 * caller frees with as_config_list_free(). Returns -ENOMEM on failure. */
int as_config_get_list(as_config_t *self, const char *section, const char *key, char ***items);
/* The same split of any text (a command-line option's list, say). */
int as_list_split(const char *text, char ***items);
void as_config_list_free(char ***items);

/* The keys of `section` in the order they were added: returns their number
 * and sets *keys to a NULL-terminated array freed with as_config_list_free(),
 * or -ENOMEM. */
int as_config_keys(as_config_t *self, const char *section, char ***keys);

/* The sections of the file (headers, then sections of keys set later), each
 * once, in order: returns their number and sets *sections to a
 * NULL-terminated array freed with as_config_list_free(), or -ENOMEM. */
int as_config_sections(as_config_t *self, char ***sections);

/* The line of the file that set `key` in `section`, or with key NULL the line
 * of the section's first header; 0 when unknown (absent, or set in code). */
int as_config_line(as_config_t *self, const char *section, const char *key);

/* True when the section exists in the file. */
bool as_config_has_section(as_config_t *self, const char *section);

/* The path the config was loaded from, or NULL. */
const char *as_config_path(const as_config_t *self);

void as_config_destroy(as_config_t **self_p);

#endif
