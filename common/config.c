/* config.c — one INI file for a site, parsed with inih.
 *
 * Entries live in a growable array in file order; a site file holds tens of
 * keys, so lookups are linear scans.
 *
 * File rules (inih's, plus a few checks of our own):
 * - "[section]" headers, "key = value" or "key: value" lines; keys before any
 *   header belong to the section "". Comments start a line with ';' or '#',
 *   or follow whitespace with ';' ("port = 5555 ; default").
 * - An indented line continues the previous value; the parts are joined with
 *   a newline (lists split on newlines as well as commas).
 * - A key set twice in the same section is an error, as is a line longer than
 *   inih's buffer (which would otherwise be cut silently).
 *
 * Expansion, done by as_config_get() and the typed getters:
 * - ${section.key} is replaced by that key's expanded value. The section is
 *   everything before the last '.', so "${store.lmdb.map_size}" reads key
 *   "map_size" of [store.lmdb]; ${key} without a dot names a key in the same
 *   section as the value being expanded.
 * - ${env:NAME} is replaced by the environment variable, or "" when unset.
 *   Its text is taken literally (never expanded again).
 * - "${" without a closing '}' is kept as it is.
 * - References nest up to 8 levels deep. as_config_load() rejects a file whose
 *   values refer to a missing key or nest deeper (a cycle), naming the line.
 *   Values changed later with as_config_set() cannot report such errors, so
 *   at get time a missing key expands to "" and a value nested too deep (or
 *   one that cannot be expanded for lack of memory) is returned raw, as it was
 *   written.
 *
 * Returned strings: an expansion is cached in its entry and kept until that
 * key is set again or the config destroyed, so every pointer handed out stays
 * valid that long even when a referenced value or the environment changes.
 * Getters update that cache, so a config must not be shared between threads
 * without a lock.
 */
#include "as/config.h"

#include "as/error.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_MAX_DEPTH 8
/* inih keeps section names in a 50-byte buffer and cuts longer ones. */
#define S_MAX_SECTION 49
#define S_ENV_PREFIX "env:"

/* One expansion handed out to a caller; older ones stay alive behind it. */
typedef struct s_text {
    struct s_text *older; /* the expansion this one replaced, or NULL */
    char text[];          /* the expanded value */
} s_text_t;

typedef struct {
    char *section;      /* section name, "" before the first header */
    char *key;          /* key name */
    char *raw;          /* the value as written */
    s_text_t *expanded; /* latest expansion handed out, or NULL */
    int line;           /* line in the file, 0 when set by as_config_set() */
} s_entry_t;

struct as_config {
    char *path;              /* file loaded, or NULL */
    s_entry_t *entries;      /* entries in the order they were added */
    size_t entry_count;      /* entries in use */
    size_t entry_capacity;   /* entries allocated */
    char **sections;         /* "[section]" headers seen in the file */
    int *section_lines;      /* the line of each section's first header */
    size_t section_count;    /* sections in use */
    size_t section_capacity; /* sections allocated */
};

/* A growable NUL-terminated string. */
typedef struct {
    char *data;      /* the text, NUL-terminated once anything was reserved */
    size_t len;      /* bytes used, without the NUL */
    size_t capacity; /* bytes allocated */
} s_buf_t;

/* The reference that made an expansion fail, for load errors. */
typedef struct {
    const s_entry_t *entry; /* the entry whose value holds the reference */
    const char *ref;        /* the reference's name, inside entry->raw */
    size_t ref_len;         /* length of that name */
} s_failure_t;

/* State shared by the line reader and the value handler during a load. */
typedef struct {
    as_config_t *config; /* the config being filled */
    FILE *file;          /* the file being read */
    int line;            /* number of the line last handed to inih */
    bool continuation;   /* that line continues the previous value */
    bool key_seen;       /* a key line came since the last section header */
    bool has_last;       /* `last` is the entry continuation lines extend */
    size_t last;         /* index of the entry read last */
    int read_errno;      /* errno of a failed read, or 0 */
    int error_line;      /* line of the first error found by us, or 0 */
    char *error_text;    /* its message, without "path:line: " */
} s_load_t;

/* Returns an array of at least `needed` items (items itself when it is big
 * enough), or NULL, leaving items as it was, when memory runs out. */
static void *s_grow(void *items, size_t *capacity, size_t needed, size_t item_size)
{
    if (needed <= *capacity) {
        return items;
    }
    size_t wanted = *capacity ? *capacity * 2 : 16;
    while (wanted < needed) {
        wanted *= 2;
    }
    if (wanted > SIZE_MAX / item_size) {
        return NULL;
    }
    void *grown = realloc(items, wanted * item_size);
    if (grown) {
        *capacity = wanted;
    }
    return grown;
}

static int s_buf_append(s_buf_t *buf, const char *text, size_t len)
{
    char *data = s_grow(buf->data, &buf->capacity, buf->len + len + 1, 1);
    if (!data) {
        return -ENOMEM;
    }
    buf->data = data;
    memcpy(buf->data + buf->len, text, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return 0;
}

static void s_texts_free(s_text_t **text_p)
{
    s_text_t *text = *text_p;
    while (text) {
        s_text_t *older = text->older;
        free(text);
        text = older;
    }
    *text_p = NULL;
}

static s_entry_t *s_find(as_config_t *self, const char *section, size_t section_len,
                         const char *key, size_t key_len)
{
    for (size_t i = 0; i < self->entry_count; i++) {
        s_entry_t *entry = &self->entries[i];
        if (strlen(entry->section) == section_len && strlen(entry->key) == key_len &&
            memcmp(entry->section, section, section_len) == 0 &&
            memcmp(entry->key, key, key_len) == 0) {
            return entry;
        }
    }
    return NULL;
}

static int s_add(as_config_t *self, const char *section, const char *key, const char *value,
                 int line)
{
    s_entry_t *entries =
        s_grow(self->entries, &self->entry_capacity, self->entry_count + 1, sizeof(s_entry_t));
    if (!entries) {
        return -ENOMEM;
    }
    self->entries = entries;
    s_entry_t entry = {
        .section = strdup(section), .key = strdup(key), .raw = strdup(value), .line = line};
    if (!entry.section || !entry.key || !entry.raw) {
        free(entry.section);
        free(entry.key);
        free(entry.raw);
        return -ENOMEM;
    }
    self->entries[self->entry_count++] = entry;
    return 0;
}

static int s_add_section(as_config_t *self, const char *name, size_t len, int line)
{
    for (size_t i = 0; i < self->section_count; i++) {
        if (strlen(self->sections[i]) == len && memcmp(self->sections[i], name, len) == 0) {
            return 0;
        }
    }
    char **sections =
        s_grow(self->sections, &self->section_capacity, self->section_count + 1, sizeof(char *));
    if (!sections) {
        return -ENOMEM;
    }
    self->sections = sections;
    int *lines = realloc(self->section_lines, self->section_capacity * sizeof(int));
    if (!lines) {
        return -ENOMEM;
    }
    self->section_lines = lines;
    char *copy = strndup(name, len);
    if (!copy) {
        return -ENOMEM;
    }
    self->section_lines[self->section_count] = line;
    self->sections[self->section_count++] = copy;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Expansion */

static int s_expand(as_config_t *self, const s_entry_t *entry, int depth, bool strict, s_buf_t *out,
                    s_failure_t *failure);

static int s_expand_ref(as_config_t *self, const s_entry_t *entry, const char *ref, size_t ref_len,
                        int depth, bool strict, s_buf_t *out, s_failure_t *failure)
{
    size_t prefix_len = strlen(S_ENV_PREFIX);
    if (ref_len >= prefix_len && memcmp(ref, S_ENV_PREFIX, prefix_len) == 0) {
        char *name = strndup(ref + prefix_len, ref_len - prefix_len);
        if (!name) {
            return -ENOMEM;
        }
        const char *value = getenv(name);
        free(name);
        return value ? s_buf_append(out, value, strlen(value)) : 0;
    }

    const char *section = entry->section;
    size_t section_len = strlen(entry->section);
    const char *key = ref;
    size_t key_len = ref_len;
    const char *dot = memrchr(ref, '.', ref_len);
    if (dot) {
        section = ref;
        section_len = (size_t)(dot - ref);
        key = dot + 1;
        key_len = ref_len - section_len - 1;
    }

    int rc = 0;
    const s_entry_t *target = s_find(self, section, section_len, key, key_len);
    if (!target) {
        rc = strict ? -ENOENT : 0;
    } else if (depth >= S_MAX_DEPTH) {
        rc = -ELOOP;
    } else {
        return s_expand(self, target, depth + 1, strict, out, failure);
    }
    if (rc < 0) {
        *failure = (s_failure_t){.entry = entry, .ref = ref, .ref_len = ref_len};
    }
    return rc;
}

/* Appends entry's value to out with its references replaced. Returns 0,
 * -ENOMEM, -ELOOP (nested too deep) or, when strict, -ENOENT (missing key);
 * on -ELOOP and -ENOENT *failure names the reference. */
static int s_expand(as_config_t *self, const s_entry_t *entry, int depth, bool strict, s_buf_t *out,
                    s_failure_t *failure)
{
    const char *rest = entry->raw;
    for (;;) {
        const char *open = strstr(rest, "${");
        const char *close = open ? strchr(open + 2, '}') : NULL;
        if (!close) {
            return s_buf_append(out, rest, strlen(rest));
        }
        int rc = s_buf_append(out, rest, (size_t)(open - rest));
        if (rc == 0) {
            rc = s_expand_ref(self, entry, open + 2, (size_t)(close - open - 2), depth, strict, out,
                              failure);
        }
        if (rc < 0) {
            return rc;
        }
        rest = close + 1;
    }
}

/* Returns the entry's expanded value, reusing the cached one when unchanged. */
static const char *s_expanded(as_config_t *self, s_entry_t *entry)
{
    if (!strstr(entry->raw, "${")) {
        return entry->raw;
    }
    s_buf_t buf = {0};
    s_failure_t failure;
    if (s_expand(self, entry, 0, false, &buf, &failure) < 0 || s_buf_append(&buf, "", 0) < 0) {
        free(buf.data);
        return entry->raw;
    }
    if (entry->expanded && strcmp(entry->expanded->text, buf.data) == 0) {
        free(buf.data);
        return entry->expanded->text;
    }
    s_text_t *text = malloc(sizeof(*text) + buf.len + 1);
    if (!text) {
        free(buf.data);
        return entry->expanded ? entry->expanded->text : entry->raw;
    }
    memcpy(text->text, buf.data, buf.len + 1);
    free(buf.data);
    text->older = entry->expanded; /* callers may still hold the old text */
    entry->expanded = text;
    return text->text;
}

/* ------------------------------------------------------------------------ */
/* Loading */

static void s_fail(s_load_t *load, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records an error unless an earlier one is already known. */
static void s_fail(s_load_t *load, int line, const char *fmt, ...)
{
    if (load->error_line != 0) {
        return;
    }
    load->error_line = line;
    va_list args;
    va_start(args, fmt);
    if (vasprintf(&load->error_text, fmt, args) < 0) {
        load->error_text = NULL;
    }
    va_end(args);
}

/* Sorts the line inih is about to parse the way inih will (start-of-line
 * comment, continuation, section header), to note continuations and to
 * record section headers, which inih does not report. */
static void s_classify(s_load_t *load, const char *line)
{
    const char *start = line;
    if (load->line == 1 && strncmp(start, "\xEF\xBB\xBF", 3) == 0) {
        start += 3;
    }
    while (*start && isspace((unsigned char)*start)) {
        start++;
    }
    load->continuation = false;
    if (*start == '\0' || *start == ';' || *start == '#') {
        return;
    }
    if (load->key_seen && start > line) {
        load->continuation = true;
        return;
    }
    if (*start != '[') {
        return;
    }
    /* The name ends at ']' or at an inline comment, which makes inih fail. */
    const char *name = start + 1;
    const char *end = name;
    bool was_space = false;
    while (*end && *end != ']' && !(was_space && *end == ';')) {
        was_space = isspace((unsigned char)*end);
        end++;
    }
    if (*end != ']') {
        return;
    }
    load->key_seen = false;
    size_t len = (size_t)(end - name);
    if (len > S_MAX_SECTION) {
        s_fail(load, load->line, "section name '%.*s' is longer than %d characters", (int)len, name,
               S_MAX_SECTION);
    } else if (s_add_section(load->config, name, len, load->line) < 0) {
        s_fail(load, load->line, "out of memory");
    }
}

/* inih's fgets: counts lines and catches lines too long for inih's buffer. */
static char *s_read_line(char *str, int size, void *stream)
{
    s_load_t *load = stream;
    errno = 0;
    if (!fgets(str, size, load->file)) {
        if (ferror(load->file)) {
            load->read_errno = errno ? errno : EIO;
        }
        return NULL;
    }
    load->line++;
    size_t len = strlen(str);
    if (size > 2 && len == (size_t)size - 1 && str[len - 1] != '\n') {
        int c = getc(load->file);
        if (c != EOF) {
            while (c != '\n' && c != EOF) {
                c = getc(load->file);
            }
            s_fail(load, load->line, "line is longer than %d characters", size - 2);
            /* Whole line consumed: tell inih so it does not skip the next. */
            str[len - 1] = '\n';
        }
    }
    s_classify(load, str);
    return str;
}

static int s_on_value(void *user, const char *section, const char *key, const char *value)
{
    s_load_t *load = user;
    as_config_t *self = load->config;

    if (load->continuation) {
        if (!load->has_last) {
            return 1; /* the key line already failed */
        }
        s_entry_t *entry = &self->entries[load->last];
        char *joined = NULL;
        if (asprintf(&joined, "%s%s%s", entry->raw, entry->raw[0] ? "\n" : "", value) < 0) {
            s_fail(load, load->line, "out of memory");
            return 0;
        }
        free(entry->raw);
        entry->raw = joined;
        return 1;
    }

    load->key_seen = key[0] != '\0';
    load->has_last = false;
    if (key[0] == '\0') {
        s_fail(load, load->line, "a key name is missing before the value");
        return 0;
    }
    const s_entry_t *first = s_find(self, section, strlen(section), key, strlen(key));
    if (first) {
        s_fail(load, load->line, "key '%s' in [%s] is set twice (first on line %d)", key, section,
               first->line);
        return 0;
    }
    if (s_add(self, section, key, value, load->line) < 0) {
        s_fail(load, load->line, "out of memory");
        return 0;
    }
    load->has_last = true;
    load->last = self->entry_count - 1;
    return 1;
}

/* Expands every value once, so that broken references fail the load. */
static void s_check_references(s_load_t *load)
{
    as_config_t *self = load->config;
    for (size_t i = 0; i < self->entry_count && load->error_line == 0; i++) {
        const s_entry_t *entry = &self->entries[i];
        if (!strstr(entry->raw, "${")) {
            continue;
        }
        s_buf_t buf = {0};
        s_failure_t failure = {.entry = entry};
        int rc = s_expand(self, entry, 0, true, &buf, &failure);
        free(buf.data);
        int line = failure.entry->line;
        int ref_len = (int)failure.ref_len;
        if (rc == -ENOENT) {
            s_fail(load, line, "'${%.*s}' refers to a key that is not set", ref_len, failure.ref);
        } else if (rc == -ELOOP) {
            s_fail(load, line, "'${%.*s}' nests more than %d levels deep (a cycle?)", ref_len,
                   failure.ref, S_MAX_DEPTH);
        } else if (rc < 0) {
            s_fail(load, entry->line, "out of memory");
        }
    }
}

static void s_set_error(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void s_set_error(char **err, const char *fmt, ...)
{
    if (!err) {
        return;
    }
    va_list args;
    va_start(args, fmt);
    if (vasprintf(err, fmt, args) < 0) {
        *err = NULL;
    }
    va_end(args);
}

as_config_t *as_config_load(const char *path, char **err)
{
    assert(path);
    if (err) {
        *err = NULL;
    }
    s_load_t load = {0};
    FILE *file = fopen(path, "re");
    if (!file) {
        s_set_error(err, "%s: cannot open: %s", path, as_strerror(-errno));
        return NULL;
    }
    as_config_t *self = as_config_new();
    if (!self || !(self->path = strdup(path))) {
        s_set_error(err, "%s: out of memory", path);
        goto fail_load;
    }

    load.config = self;
    load.file = file;
    int rc = ini_parse_stream(s_read_line, &load, s_on_value, &load);
    if (load.read_errno != 0) {
        s_set_error(err, "%s: cannot read: %s", path, as_strerror(-load.read_errno));
        goto fail_load;
    }
    if (rc > 0 && (load.error_line == 0 || rc < load.error_line)) {
        s_set_error(err, "%s:%d: syntax error (expected '[section]' or 'key = value')", path, rc);
        goto fail_load;
    }
    if (rc < 0 && load.error_line == 0) {
        s_set_error(err, "%s: out of memory", path);
        goto fail_load;
    }
    if (load.error_line == 0) {
        s_check_references(&load);
    }
    if (load.error_line != 0) {
        s_set_error(err, "%s:%d: %s", path, load.error_line,
                    load.error_text ? load.error_text : "out of memory");
        goto fail_load;
    }
    fclose(file);
    return self;

fail_load:
    free(load.error_text);
    fclose(file);
    as_config_destroy(&self);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Reading and writing values */

as_config_t *as_config_new(void)
{
    return calloc(1, sizeof(as_config_t));
}

int as_config_set(as_config_t *self, const char *section, const char *key, const char *value)
{
    assert(self && section && key && value);
    s_entry_t *entry = s_find(self, section, strlen(section), key, strlen(key));
    if (!entry) {
        return s_add(self, section, key, value, 0);
    }
    char *copy = strdup(value);
    if (!copy) {
        return -ENOMEM;
    }
    free(entry->raw);
    entry->raw = copy;
    entry->line = 0;
    s_texts_free(&entry->expanded);
    return 0;
}

const char *as_config_get(as_config_t *self, const char *section, const char *key, const char *dflt)
{
    assert(self && section && key);
    s_entry_t *entry = s_find(self, section, strlen(section), key, strlen(key));
    return entry ? s_expanded(self, entry) : dflt;
}

/* Returns text without leading and trailing whitespace, its length in *len. */
static const char *s_trim(const char *text, size_t *len)
{
    while (*text && isspace((unsigned char)*text)) {
        text++;
    }
    size_t n = strlen(text);
    while (n > 0 && isspace((unsigned char)text[n - 1])) {
        n--;
    }
    *len = n;
    return text;
}

static int s_parse_int(const char *text, long long *out)
{
    size_t len;
    const char *start = s_trim(text, &len);
    if (len == 0 || !(isdigit((unsigned char)start[0]) || start[0] == '-' || start[0] == '+')) {
        return AS_EINVALID;
    }
    char *end;
    errno = 0;
    long long value = strtoll(start, &end, 10);
    if (end == start || errno == ERANGE) {
        return AS_EINVALID;
    }
    long long scale = 1;
    switch (*end) {
    case 'k':
    case 'K':
        scale = 1024LL;
        break;
    case 'm':
    case 'M':
        scale = 1024LL * 1024;
        break;
    case 'g':
    case 'G':
        scale = 1024LL * 1024 * 1024;
        break;
    default:
        break;
    }
    if (scale != 1) {
        end++;
        if (value > LLONG_MAX / scale || value < LLONG_MIN / scale) {
            return AS_EINVALID;
        }
    }
    if (end != start + len) {
        return AS_EINVALID;
    }
    *out = value * scale;
    return 0;
}

int as_config_get_int(as_config_t *self, const char *section, const char *key, long long dflt,
                      long long *out)
{
    assert(out);
    *out = dflt;
    const char *text = as_config_get(self, section, key, NULL);
    return text ? s_parse_int(text, out) : 0;
}

int as_config_get_bool(as_config_t *self, const char *section, const char *key, bool dflt,
                       bool *out)
{
    static const char *const truths[] = {"yes", "true", "on", "1"};
    static const char *const lies[] = {"no", "false", "off", "0"};
    assert(out);
    *out = dflt;
    const char *text = as_config_get(self, section, key, NULL);
    if (!text) {
        return 0;
    }
    size_t len;
    const char *word = s_trim(text, &len);
    for (size_t i = 0; i < sizeof(truths) / sizeof(truths[0]); i++) {
        if (strlen(truths[i]) == len && strncasecmp(word, truths[i], len) == 0) {
            *out = true;
            return 0;
        }
        if (strlen(lies[i]) == len && strncasecmp(word, lies[i], len) == 0) {
            *out = false;
            return 0;
        }
    }
    return AS_EINVALID;
}

int as_config_get_list(as_config_t *self, const char *section, const char *key, char ***items)
{
    return as_list_split(as_config_get(self, section, key, ""), items);
}

int as_list_split(const char *text, char ***items)
{
    assert(items);
    *items = NULL;
    size_t slots = 2; /* one item and the terminating NULL */
    for (const char *p = text; *p; p++) {
        slots += (*p == ',' || *p == '\n');
    }
    char **list = calloc(slots, sizeof(char *));
    if (!list) {
        return -ENOMEM;
    }
    int count = 0;
    const char *rest = text;
    for (;;) {
        size_t span = strcspn(rest, ",\n");
        const char *item = rest;
        while (span > 0 && isspace((unsigned char)*item)) {
            item++;
            span--;
        }
        while (span > 0 && isspace((unsigned char)item[span - 1])) {
            span--;
        }
        if (span > 0) {
            list[count] = strndup(item, span);
            if (!list[count]) {
                as_config_list_free(&list);
                return -ENOMEM;
            }
            count++;
        }
        rest += strcspn(rest, ",\n");
        if (*rest == '\0') {
            break;
        }
        rest++;
    }
    *items = list;
    return count;
}

void as_config_list_free(char ***items_p)
{
    if (!items_p || !*items_p) {
        return;
    }
    for (char **item = *items_p; *item; item++) {
        free(*item);
    }
    free(*items_p);
    *items_p = NULL;
}

int as_config_keys(as_config_t *self, const char *section, char ***keys)
{
    assert(self && section && keys);
    char **list = calloc(self->entry_count + 1, sizeof *list);
    if (!list) {
        return -ENOMEM;
    }
    int count = 0;
    for (size_t i = 0; i < self->entry_count; i++) {
        if (strcmp(self->entries[i].section, section) != 0) {
            continue;
        }
        list[count] = strdup(self->entries[i].key);
        if (!list[count]) {
            as_config_list_free(&list);
            return -ENOMEM;
        }
        count++;
    }
    *keys = list;
    return count;
}

bool as_config_has_section(as_config_t *self, const char *section)
{
    assert(self && section);
    for (size_t i = 0; i < self->section_count; i++) {
        if (strcmp(self->sections[i], section) == 0) {
            return true;
        }
    }
    for (size_t i = 0; i < self->entry_count; i++) {
        if (strcmp(self->entries[i].section, section) == 0) {
            return true;
        }
    }
    return false;
}

int as_config_sections(as_config_t *self, char ***sections)
{
    assert(self && sections);
    char **list = calloc(self->section_count + self->entry_count + 1, sizeof *list);
    if (!list) {
        return -ENOMEM;
    }
    int count = 0;
    for (size_t i = 0; i < self->section_count + self->entry_count; i++) {
        const char *name = i < self->section_count ? self->sections[i]
                                                   : self->entries[i - self->section_count].section;
        bool listed = false;
        for (int j = 0; j < count && !listed; j++) {
            listed = strcmp(list[j], name) == 0;
        }
        if (listed) {
            continue;
        }
        if (!(list[count] = strdup(name))) {
            as_config_list_free(&list);
            return -ENOMEM;
        }
        count++;
    }
    *sections = list;
    return count;
}

int as_config_line(as_config_t *self, const char *section, const char *key)
{
    assert(self && section);
    if (key) {
        const s_entry_t *entry = s_find(self, section, strlen(section), key, strlen(key));
        return entry ? entry->line : 0;
    }
    for (size_t i = 0; i < self->section_count; i++) {
        if (strcmp(self->sections[i], section) == 0) {
            return self->section_lines[i];
        }
    }
    return 0;
}

const char *as_config_path(const as_config_t *self)
{
    assert(self);
    return self->path;
}

void as_config_destroy(as_config_t **self_p)
{
    assert(self_p);
    as_config_t *self = *self_p;
    if (!self) {
        return;
    }
    for (size_t i = 0; i < self->entry_count; i++) {
        s_entry_t *entry = &self->entries[i];
        free(entry->section);
        free(entry->key);
        free(entry->raw);
        s_texts_free(&entry->expanded);
    }
    free(self->entries);
    for (size_t i = 0; i < self->section_count; i++) {
        free(self->sections[i]);
    }
    free(self->sections);
    free(self->section_lines);
    free(self->path);
    free(self);
    *self_p = NULL;
}
