/* text.c — the bound on every text field (see text.h). */
#include "as/text.h"

#include "as/error.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define S_MAX_DEPTH 32 /* messages are not recursive (proto/README.md); a guard */

/* What the walk found: the first string field over AS_TEXT_MAX. */
typedef struct {
    char *path; /* its path ("jobs[0].description"), cap bytes */
    size_t cap;
    size_t len; /* its length in bytes */
} s_found_t;

static int s_check_message(const ProtobufCMessage *msg, const char *path, int depth,
                           s_found_t *found);

/* True when the field is a string that holds an encoded message. */
static bool s_is_encoded(const ProtobufCFieldDescriptor *field)
{
    size_t len = strlen(field->name);
    return len >= 5 && strcmp(field->name + len - 5, "_json") == 0;
}

static int s_check_value(const ProtobufCFieldDescriptor *field, const void *value, const char *path,
                         int depth, s_found_t *found)
{
    if (field->type == PROTOBUF_C_TYPE_STRING) {
        const char *text = *(const char *const *)value;
        size_t len = text ? strlen(text) : 0;
        if (len > AS_TEXT_MAX && !s_is_encoded(field)) {
            snprintf(found->path, found->cap, "%s", path);
            found->len = len;
            return AS_EINVALID;
        }
        return 0;
    }
    const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)value;
    return sub ? s_check_message(sub, path, depth + 1, found) : 0;
}

static int s_check_field(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *field,
                         const char *prefix, int depth, s_found_t *found)
{
    if (field->type != PROTOBUF_C_TYPE_STRING && field->type != PROTOBUF_C_TYPE_MESSAGE) {
        return 0;
    }
    const char *base = (const char *)msg;
    if ((field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
        *(const uint32_t *)(base + field->quantifier_offset) != field->id) {
        return 0; /* another member of the oneof holds the storage */
    }
    char path[256];
    if (field->label != PROTOBUF_C_LABEL_REPEATED) {
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", field->name);
        return s_check_value(field, base + field->offset, path, depth, found);
    }
    size_t count = *(const size_t *)(base + field->quantifier_offset);
    const char *items = *(const char *const *)(base + field->offset);
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s%s%s[%zu]", prefix, *prefix ? "." : "", field->name, i);
        int rc = s_check_value(field, items + i * sizeof(void *), path, depth, found);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int s_check_message(const ProtobufCMessage *msg, const char *path, int depth,
                           s_found_t *found)
{
    if (depth > S_MAX_DEPTH) {
        return 0;
    }
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        int rc = s_check_field(msg, &desc->fields[i], path, depth, found);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

size_t as_utf8_char(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    if (len == 0)
        return 0;
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlong forms */
        hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if (len < need || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return need;
}

size_t as_text_chars(const char *s)
{
    size_t chars = 0, len = s ? strlen(s) : 0;
    for (size_t i = 0; i < len; chars++) {
        size_t step = as_utf8_char(s + i, len - i);
        i += step ? step : 1; /* a byte that begins no character counts as one */
    }
    return chars;
}

int as_text_clip(const char *s, size_t chars)
{
    size_t at = 0, len = s ? strlen(s) : 0;
    for (size_t n = 0; n < chars && at < len; n++) {
        size_t step = as_utf8_char(s + at, len - at);
        step = step ? step : 1; /* a byte that begins no character is one */
        if (at + step > INT_MAX)
            break;
        at += step;
    }
    return (int)at;
}

int as_text_find_long(const ProtobufCMessage *msg, char *path, size_t cap, size_t *len)
{
    s_found_t found = {.path = path, .cap = cap, .len = 0};
    int rc = s_check_message(msg, "", 0, &found);
    *len = found.len;
    return rc;
}

int as_text_check(const ProtobufCMessage *msg, char *error, size_t cap)
{
    char path[256];
    size_t len;
    int rc = as_text_find_long(msg, path, sizeof path, &len);
    if (rc != 0)
        snprintf(error, cap, "field '%s' is %zu bytes; at most %d", path, len, AS_TEXT_MAX);
    return rc;
}

int as_text_check_packed(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                         char *error, size_t cap)
{
    ProtobufCMessage *msg = protobuf_c_message_unpack(desc, NULL, len, data);
    if (!msg) {
        /* cannot tell a malformed payload from memory running out: the
         * handler decodes it again and answers either way */
        return 0;
    }
    int rc = as_text_check(msg, error, cap);
    protobuf_c_message_free_unpacked(msg, NULL);
    return rc;
}
