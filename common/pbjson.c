/* pbjson.c — protobuf-c messages to and from JSON, by reflection.
 *
 * Everything goes through the generated descriptors: a field's value lives at
 * msg + field->offset, its presence flag (has_x), count (n_x) or oneof case at
 * msg + field->quantifier_offset. Messages built here use malloc for every
 * part, so protobuf_c_message_free_unpacked(msg, NULL) frees them whole, also
 * when a build fails half-way: counts only grow once an element is complete.
 */
#include "as/pbjson.h"

#include "as/error.h"
#include "as/text.h"

#include <assert.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PATH_MAX 256 /* longest field path kept for error texts */
#define S_QUOTE_MAX 40 /* bytes of a user's value quoted in an error text */
#define S_NAME_MAX 128 /* longest field name looked up from an argument */

#define S_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* State of one decode: where the error text goes and the path being built. */
typedef struct {
    char *err;             /* caller's buffer, may be NULL */
    size_t err_len;        /* its size */
    char path[S_PATH_MAX]; /* field path of the value being decoded */
} s_ctx_t;

/* A growing text; `failed` sticks once an allocation fails. */
typedef struct {
    char *data;  /* NUL-terminated when not NULL */
    size_t len;  /* bytes used, without the NUL */
    size_t cap;  /* bytes allocated */
    bool failed; /* out of memory at some point */
} s_buf_t;

/* An integer read from JSON before its range is known. */
typedef struct {
    bool negative;      /* the value is below zero */
    uint64_t magnitude; /* its absolute value */
} s_int_t;

enum { S_READ_OK, S_READ_BAD_TYPE, S_READ_RANGE };

/* U+FFFD in UTF-8, for bytes of a string that are not UTF-8 */
static const char s_replacement[3] = {'\xEF', '\xBF', '\xBD'};

/* the 64 digits of standard base64, then the pad at S_B64_PAD */
static const char s_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
#define S_B64_PAD 64

/* ---- small text helpers ------------------------------------------------- */

static S_PRINTF(2, 3) void s_buf_printf(s_buf_t *self, const char *fmt, ...)
{
    if (self->failed) {
        return;
    }
    va_list args;
    va_start(args, fmt);
    int needed = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (needed < 0) {
        self->failed = true;
        return;
    }
    if (self->len + (size_t)needed + 1 > self->cap) {
        size_t cap = self->cap ? self->cap : 256;
        while (cap < self->len + (size_t)needed + 1) {
            cap *= 2;
        }
        char *data = realloc(self->data, cap);
        if (!data) {
            self->failed = true;
            return;
        }
        self->data = data;
        self->cap = cap;
    }
    va_start(args, fmt);
    vsnprintf(self->data + self->len, self->cap - self->len, fmt, args);
    va_end(args);
    self->len += (size_t)needed;
}

static bool s_utf8_valid(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t step = as_utf8_char(s + i, len - i);
        if (!step) {
            return false;
        }
        i += step;
    }
    return true;
}

/* Writes s (len bytes, may hold anything) into out for an error text, to be
 * put between `quote` characters: at most S_QUOTE_MAX bytes, cut on a
 * character boundary, control characters, backslash and `quote` escaped, "..."
 * when cut. */
static void s_escape(char *out, size_t cap, const char *s, size_t len, char quote)
{
    size_t used = 0;
    bool cut = len > S_QUOTE_MAX;
    if (cut) {
        len = S_QUOTE_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) {
            len--;
        }
    }
    for (size_t i = 0; i < len && used + 8 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == (unsigned char)quote || c == '\\') {
            used += (size_t)snprintf(out + used, cap - used, "\\%c", c);
        } else if (c < 0x20 || c == 0x7F) {
            used += (size_t)snprintf(out + used, cap - used, "\\u%04x", c);
        } else {
            out[used++] = (char)c;
        }
    }
    if (cut && used + 4 <= cap) {
        memcpy(out + used, "...", 3);
        used += 3;
    }
    if (cap > 0) {
        out[used < cap ? used : cap - 1] = '\0';
    }
}

/* The shortest "%g" text that reads back as d. */
static void s_format_double(double d, char *out, size_t cap)
{
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(out, cap, "%.*g", precision, d);
        if (strtod(out, NULL) == d) {
            return;
        }
    }
}

/* Describes a JSON value for "got ..." in an error text. */
static void s_got(const json_t *value, char *out, size_t cap)
{
    char text[S_QUOTE_MAX * 6 + 8];
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        snprintf(out, cap, "an object");
        break;
    case JSON_ARRAY:
        snprintf(out, cap, "an array");
        break;
    case JSON_STRING:
        s_escape(text, sizeof(text), json_string_value(value), json_string_length(value), '"');
        snprintf(out, cap, "\"%s\"", text);
        break;
    case JSON_INTEGER:
        snprintf(out, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
        break;
    case JSON_REAL:
        s_format_double(json_real_value(value), out, cap);
        break;
    case JSON_TRUE:
        snprintf(out, cap, "true");
        break;
    case JSON_FALSE:
        snprintf(out, cap, "false");
        break;
    default:
        snprintf(out, cap, "null");
        break;
    }
}

/* ---- errors and paths --------------------------------------------------- */

static S_PRINTF(2, 3) int s_fail(s_ctx_t *ctx, const char *fmt, ...)
{
    if (ctx->err && ctx->err_len > 0) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(ctx->err, ctx->err_len, fmt, args);
        va_end(args);
    }
    return AS_EINVALID;
}

static int s_nomem(s_ctx_t *ctx)
{
    if (ctx->err && ctx->err_len > 0) {
        snprintf(ctx->err, ctx->err_len, "out of memory");
    }
    return -ENOMEM;
}

/* Appends ".name" (or "name" at the top) to the path; returns the length to
 * give back to s_path_pop(). */
static size_t s_path_push(s_ctx_t *ctx, const char *name)
{
    size_t len = strlen(ctx->path);
    snprintf(ctx->path + len, sizeof(ctx->path) - len, "%s%s", len ? "." : "", name);
    return len;
}

static size_t s_path_push_index(s_ctx_t *ctx, size_t index_in_array)
{
    size_t len = strlen(ctx->path);
    snprintf(ctx->path + len, sizeof(ctx->path) - len, "[%zu]", index_in_array);
    return len;
}

static void s_path_pop(s_ctx_t *ctx, size_t len)
{
    ctx->path[len] = '\0';
}

static const char *s_type_name(ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT32:
        return "int32";
    case PROTOBUF_C_TYPE_SINT32:
        return "sint32";
    case PROTOBUF_C_TYPE_SFIXED32:
        return "sfixed32";
    case PROTOBUF_C_TYPE_INT64:
        return "int64";
    case PROTOBUF_C_TYPE_SINT64:
        return "sint64";
    case PROTOBUF_C_TYPE_SFIXED64:
        return "sfixed64";
    case PROTOBUF_C_TYPE_UINT32:
        return "uint32";
    case PROTOBUF_C_TYPE_FIXED32:
        return "fixed32";
    case PROTOBUF_C_TYPE_UINT64:
        return "uint64";
    case PROTOBUF_C_TYPE_FIXED64:
        return "fixed64";
    case PROTOBUF_C_TYPE_FLOAT:
        return "float";
    case PROTOBUF_C_TYPE_DOUBLE:
        return "double";
    case PROTOBUF_C_TYPE_BOOL:
        return "bool";
    case PROTOBUF_C_TYPE_ENUM:
        return "enum";
    case PROTOBUF_C_TYPE_STRING:
        return "string";
    case PROTOBUF_C_TYPE_BYTES:
        return "bytes";
    case PROTOBUF_C_TYPE_MESSAGE:
        return "message";
    }
    return "unknown";
}

/* "field 'x' expects <what>, got <value>" */
static int s_fail_type(s_ctx_t *ctx, const char *what, const json_t *value)
{
    char got[S_QUOTE_MAX * 6 + 16];
    s_got(value, got, sizeof(got));
    return s_fail(ctx, "field '%s' expects %s, got %s", ctx->path, what, got);
}

/* "value 5000000000 is out of range for uint32 field 'rate'" */
static int s_fail_range(s_ctx_t *ctx, const ProtobufCFieldDescriptor *field, const json_t *value)
{
    char text[S_QUOTE_MAX * 6 + 16];
    if (json_is_string(value)) {
        s_escape(text, sizeof(text), json_string_value(value), json_string_length(value), '\'');
    } else {
        s_got(value, text, sizeof(text));
    }
    return s_fail(ctx, "value %s is out of range for %s field '%s'", text, s_type_name(field->type),
                  ctx->path);
}

/* "unknown field 'cnt' in DemoGenerate (fields: count, rate)"; the path so far
 * is the prefix of the name. */
static int s_fail_unknown(s_ctx_t *ctx, const ProtobufCMessageDescriptor *desc, const char *key,
                          size_t key_len)
{
    char name[S_QUOTE_MAX * 6 + 8];
    s_escape(name, sizeof(name), key, key_len, '\'');
    s_buf_t buf = {0};
    s_buf_printf(&buf, "unknown field '%s%s%s' in %s (", ctx->path, ctx->path[0] ? "." : "", name,
                 desc->short_name);
    if (desc->n_fields == 0) {
        s_buf_printf(&buf, "it has no fields)");
    }
    for (unsigned i = 0; i < desc->n_fields; i++) {
        s_buf_printf(&buf, "%s%s", i ? ", " : "fields: ", desc->fields[i].name);
    }
    if (desc->n_fields > 0) {
        s_buf_printf(&buf, ")");
    }
    if (buf.failed) {
        free(buf.data);
        return s_nomem(ctx);
    }
    int rc = s_fail(ctx, "%s", buf.data);
    free(buf.data);
    return rc;
}

/* ---- base64 ------------------------------------------------------------- */

/* Encodes len bytes; returns a malloc'd NUL-terminated text or NULL. */
static char *s_base64_encode(const uint8_t *data, size_t len, size_t *out_len)
{
    if (len > (SIZE_MAX - 1) / 4 * 3 - 3) {
        return NULL;
    }
    size_t size = (len + 2) / 3 * 4;
    char *out = malloc(size + 1);
    if (!out) {
        return NULL;
    }
    size_t used = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t chunk = (uint32_t)data[i] << 16;
        if (i + 1 < len) {
            chunk |= (uint32_t)data[i + 1] << 8;
        }
        if (i + 2 < len) {
            chunk |= data[i + 2];
        }
        out[used++] = s_b64_alphabet[(chunk >> 18) & 63];
        out[used++] = s_b64_alphabet[(chunk >> 12) & 63];
        out[used++] = s_b64_alphabet[i + 1 < len ? (chunk >> 6) & 63 : S_B64_PAD];
        out[used++] = s_b64_alphabet[i + 2 < len ? chunk & 63 : S_B64_PAD];
    }
    out[used] = '\0';
    *out_len = used;
    return out;
}

static int s_base64_value(char c)
{
    const char *hit = c ? strchr(s_b64_alphabet, c) : NULL;
    return hit && hit - s_b64_alphabet < S_B64_PAD ? (int)(hit - s_b64_alphabet) : -1;
}

/* Decodes standard base64, padded or not. Returns 0 with *out malloc'd (NULL
 * when empty), AS_EINVALID for bad text, or -ENOMEM. */
static int s_base64_decode(const char *text, size_t len, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    size_t padding = 0;
    while (padding < 2 && len > 0 && text[len - 1] == '=') {
        len--;
        padding++;
    }
    if (len % 4 == 1 || (padding > 0 && (len + padding) % 4 != 0)) {
        return AS_EINVALID;
    }
    if (len == 0) {
        return 0;
    }
    uint8_t *data = malloc(len / 4 * 3 + 3);
    if (!data) {
        return -ENOMEM;
    }
    size_t used = 0;
    uint32_t chunk = 0;
    for (size_t i = 0; i < len; i++) {
        int value = s_base64_value(text[i]);
        if (value < 0) {
            free(data);
            return AS_EINVALID;
        }
        chunk = chunk << 6 | (uint32_t)value;
        if (i % 4 == 3) {
            data[used++] = (uint8_t)(chunk >> 16);
            data[used++] = (uint8_t)(chunk >> 8);
            data[used++] = (uint8_t)chunk;
            chunk = 0;
        }
    }
    if (len % 4 == 2) {
        data[used++] = (uint8_t)(chunk >> 4);
    } else if (len % 4 == 3) {
        data[used++] = (uint8_t)(chunk >> 10);
        data[used++] = (uint8_t)(chunk >> 2);
    }
    *out = data;
    *out_len = used;
    return 0;
}

/* ---- message to JSON ---------------------------------------------------- */

static size_t s_value_size(ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return sizeof(int32_t);
    case PROTOBUF_C_TYPE_ENUM:
        return sizeof(int);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return sizeof(int64_t);
    case PROTOBUF_C_TYPE_FLOAT:
        return sizeof(float);
    case PROTOBUF_C_TYPE_DOUBLE:
        return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    }
    return 0;
}

/* True when the singular field holds a value that would be packed. */
static bool s_present(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *field)
{
    const char *base = (const char *)msg;
    const void *value = base + field->offset;
    if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        return *(const uint32_t *)(base + field->quantifier_offset) == field->id;
    }
    if (field->type == PROTOBUF_C_TYPE_STRING || field->type == PROTOBUF_C_TYPE_MESSAGE) {
        const void *ptr = *(const void *const *)value;
        if (!ptr) {
            return false;
        }
        if (field->label == PROTOBUF_C_LABEL_OPTIONAL) {
            return ptr != field->default_value;
        }
        if (field->label == PROTOBUF_C_LABEL_NONE && field->type == PROTOBUF_C_TYPE_STRING) {
            return *(const char *)ptr != '\0';
        }
        return true;
    }
    if (field->label == PROTOBUF_C_LABEL_OPTIONAL) {
        return *(const protobuf_c_boolean *)(base + field->quantifier_offset);
    }
    if (field->label == PROTOBUF_C_LABEL_REQUIRED) {
        return true;
    }
    /* proto3 field without presence: packed unless zero */
    if (field->type == PROTOBUF_C_TYPE_BYTES) {
        return ((const ProtobufCBinaryData *)value)->len > 0;
    }
    static const char zero[sizeof(double)];
    return memcmp(value, zero, s_value_size(field->type)) != 0;
}

static json_t *s_real_to_json(double value)
{
    if (isnan(value)) {
        return json_string("NaN");
    }
    if (isinf(value)) {
        return json_string(value > 0 ? "Infinity" : "-Infinity");
    }
    return json_real(value);
}

/* A float as the double of its shortest decimal text, so 0.1f prints as 0.1;
 * checked through a double, as the decoder converts it back. */
static double s_float_to_double(float value)
{
    char text[32];
    if (!isfinite(value)) {
        return value;
    }
    for (int precision = 1; precision <= 9; precision++) {
        snprintf(text, sizeof(text), "%.*g", precision, (double)value);
        double shortest = strtod(text, NULL);
        if ((float)shortest == value) {
            return shortest;
        }
    }
    return value;
}

static json_t *s_string_to_json(const char *text)
{
    if (!text) {
        return json_string("");
    }
    size_t len = strlen(text);
    if (s_utf8_valid(text, len)) {
        return json_stringn(text, len);
    }
    /* Not UTF-8 (protobuf-c does not check): each bad byte becomes U+FFFD. */
    char *clean = malloc(len * 3 + 1);
    if (!clean) {
        return NULL;
    }
    size_t used = 0;
    for (size_t i = 0; i < len;) {
        size_t step = as_utf8_char(text + i, len - i);
        if (step) {
            memcpy(clean + used, text + i, step);
            used += step;
            i += step;
        } else {
            memcpy(clean + used, s_replacement, sizeof(s_replacement));
            used += sizeof(s_replacement);
            i++;
        }
    }
    json_t *json = json_stringn(clean, used);
    free(clean);
    return json;
}

static json_t *s_message_to_json(const ProtobufCMessage *msg, int depth);

/* One value of `field` stored at `value`. */
static json_t *s_value_to_json(const ProtobufCFieldDescriptor *field, const void *value, int depth)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *)value);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *)value);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return json_integer(*(const int64_t *)value);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
        uint64_t number = *(const uint64_t *)value;
        if (number <= (uint64_t)LLONG_MAX) {
            return json_integer((json_int_t)number);
        }
        char text[24];
        snprintf(text, sizeof(text), "%" PRIu64, number);
        return json_string(text);
    }
    case PROTOBUF_C_TYPE_FLOAT:
        return s_real_to_json(s_float_to_double(*(const float *)value));
    case PROTOBUF_C_TYPE_DOUBLE:
        return s_real_to_json(*(const double *)value);
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *)value);
    case PROTOBUF_C_TYPE_ENUM: {
        int number = *(const int *)value;
        const ProtobufCEnumValue *known =
            protobuf_c_enum_descriptor_get_value(field->descriptor, number);
        return known ? json_string(known->name) : json_integer(number);
    }
    case PROTOBUF_C_TYPE_STRING:
        return s_string_to_json(*(const char *const *)value);
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *bytes = value;
        size_t len = 0;
        char *text = s_base64_encode(bytes->data, bytes->data ? bytes->len : 0, &len);
        /* base64 is ASCII: no UTF-8 check needed */
        json_t *json = text ? json_stringn_nocheck(text, len) : NULL;
        free(text);
        return json;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)value;
        return sub ? s_message_to_json(sub, depth + 1) : json_null();
    }
    }
    return NULL;
}

static json_t *s_repeated_to_json(const ProtobufCMessage *msg,
                                  const ProtobufCFieldDescriptor *field, int depth)
{
    const char *base = (const char *)msg;
    size_t count = *(const size_t *)(base + field->quantifier_offset);
    const char *items = *(const char *const *)(base + field->offset);
    size_t size = s_value_size(field->type);
    json_t *array = json_array();
    for (size_t i = 0; array && i < count; i++) {
        if (json_array_append_new(array, s_value_to_json(field, items + i * size, depth)) < 0) {
            json_decref(array);
            array = NULL;
        }
    }
    return array;
}

static json_t *s_message_to_json(const ProtobufCMessage *msg, int depth)
{
    if (depth > AS_PBJSON_MAX_DEPTH) {
        return NULL;
    }
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    json_t *object = json_object();
    if (!object) {
        return NULL;
    }
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields[i];
        json_t *value;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            const char *base = (const char *)msg;
            if (*(const size_t *)(base + field->quantifier_offset) == 0 ||
                !*(const void *const *)(base + field->offset)) {
                continue;
            }
            value = s_repeated_to_json(msg, field, depth);
        } else {
            if (!s_present(msg, field)) {
                continue;
            }
            value = s_value_to_json(field, (const char *)msg + field->offset, depth);
        }
        if (json_object_set_new(object, field->name, value) < 0) {
            json_decref(object);
            return NULL;
        }
    }
    return object;
}

json_t *as_pbjson_to_json(const ProtobufCMessage *msg)
{
    if (!msg || !msg->descriptor) {
        return NULL;
    }
    return s_message_to_json(msg, 1);
}

/* ---- JSON to message: scalars ------------------------------------------- */

/* Reads an integer given as a JSON integer, an integral real or a decimal
 * string ("-42"). */
static int s_read_int(const json_t *value, s_int_t *out)
{
    out->negative = false;
    out->magnitude = 0;
    if (json_is_integer(value)) {
        json_int_t number = json_integer_value(value);
        out->negative = number < 0;
        out->magnitude = number < 0 ? (uint64_t)(-(number + 1)) + 1 : (uint64_t)number;
        return S_READ_OK;
    }
    if (json_is_real(value)) {
        double number = json_real_value(value);
        double size = number < 0 ? -number : number;
        if (!isfinite(number)) {
            return S_READ_BAD_TYPE;
        }
        out->negative = number < 0;
        if (size >= 18446744073709551616.0) { /* 2^64, and integral as all above 2^53 */
            return S_READ_RANGE;
        }
        out->magnitude = (uint64_t)size;
        /* libm-free trunc(): the conversion dropped a fraction if any */
        return (double)out->magnitude == size ? S_READ_OK : S_READ_BAD_TYPE;
    }
    if (!json_is_string(value)) {
        return S_READ_BAD_TYPE;
    }
    const char *text = json_string_value(value);
    size_t len = json_string_length(value);
    out->negative = len > 0 && text[0] == '-';
    size_t i = out->negative ? 1 : 0;
    if (i == len) {
        return S_READ_BAD_TYPE;
    }
    bool overflow = false;
    for (; i < len; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return S_READ_BAD_TYPE;
        }
        unsigned digit = (unsigned)(text[i] - '0');
        if (out->magnitude > (UINT64_MAX - digit) / 10) {
            overflow = true;
        } else {
            out->magnitude = out->magnitude * 10 + digit;
        }
    }
    return overflow ? S_READ_RANGE : S_READ_OK;
}

static int s_int_from_json(s_ctx_t *ctx, const ProtobufCFieldDescriptor *field, const json_t *value,
                           void *dst)
{
    bool is_signed = true;
    uint64_t max = INT32_MAX;
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        max = INT64_MAX;
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        is_signed = false;
        max = UINT32_MAX;
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        is_signed = false;
        max = UINT64_MAX;
        break;
    default:
        break;
    }
    s_int_t number;
    int rc = s_read_int(value, &number);
    if (rc == S_READ_BAD_TYPE) {
        return s_fail_type(ctx, is_signed ? "an integer" : "an unsigned integer", value);
    }
    bool in_range = number.negative
                        ? (is_signed ? number.magnitude <= max + 1 : number.magnitude == 0)
                        : number.magnitude <= max;
    if (rc == S_READ_RANGE || !in_range) {
        return s_fail_range(ctx, field, value);
    }
    int64_t signed_value = 0;
    if (number.negative) {
        signed_value =
            number.magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)number.magnitude;
    } else if (is_signed) {
        signed_value = (int64_t)number.magnitude;
    }
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        *(int64_t *)dst = signed_value;
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        *(uint32_t *)dst = (uint32_t)number.magnitude;
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        *(uint64_t *)dst = number.magnitude;
        break;
    default:
        *(int32_t *)dst = (int32_t)signed_value;
        break;
    }
    return 0;
}

/* Reads a number given as JSON number, decimal string, "NaN", "Infinity" or
 * "-Infinity". */
static int s_read_double(const json_t *value, double *out)
{
    if (json_is_number(value)) {
        *out = json_number_value(value);
        return S_READ_OK;
    }
    if (!json_is_string(value)) {
        return S_READ_BAD_TYPE;
    }
    const char *text = json_string_value(value);
    size_t len = json_string_length(value);
    if (strcmp(text, "NaN") == 0) {
        *out = NAN;
        return S_READ_OK;
    }
    if (strcmp(text, "Infinity") == 0 || strcmp(text, "-Infinity") == 0) {
        *out = text[0] == '-' ? -INFINITY : INFINITY;
        return S_READ_OK;
    }
    /* decimal text only: strtod would also take "inf", hex and spaces */
    if (len == 0 || strspn(text, "0123456789+-.eE") != len) {
        return S_READ_BAD_TYPE;
    }
    char *end = NULL;
    errno = 0;
    *out = strtod(text, &end);
    if (end != text + len) {
        return S_READ_BAD_TYPE;
    }
    if (errno == ERANGE && isinf(*out)) {
        return S_READ_RANGE;
    }
    return S_READ_OK;
}

static int s_enum_from_json(s_ctx_t *ctx, const ProtobufCFieldDescriptor *field,
                            const json_t *value, int *dst)
{
    const ProtobufCEnumDescriptor *enum_desc = field->descriptor;
    const ProtobufCEnumValue *known = NULL;
    if (json_is_string(value) && strlen(json_string_value(value)) == json_string_length(value)) {
        known = protobuf_c_enum_descriptor_get_value_by_name(enum_desc, json_string_value(value));
    }
    s_int_t number;
    if (!known && s_read_int(value, &number) == S_READ_OK && number.magnitude <= INT32_MAX) {
        int as_int = number.negative ? -(int)number.magnitude : (int)number.magnitude;
        known = protobuf_c_enum_descriptor_get_value(enum_desc, as_int);
    }
    if (known) {
        *dst = known->value;
        return 0;
    }
    s_buf_t names = {0};
    for (unsigned i = 0; i < enum_desc->n_values; i++) {
        s_buf_printf(&names, "%s%s", i ? ", " : "", enum_desc->values[i].name);
    }
    s_buf_printf(&names, " (or their numbers)");
    if (names.failed) {
        free(names.data);
        return s_nomem(ctx);
    }
    char what[512];
    snprintf(what, sizeof(what), "one of %s", names.data);
    free(names.data);
    return s_fail_type(ctx, what, value);
}

static int s_string_from_json(s_ctx_t *ctx, const json_t *value, char **dst)
{
    if (!json_is_string(value)) {
        return s_fail_type(ctx, "a string", value);
    }
    size_t len = json_string_length(value);
    const char *text = json_string_value(value);
    if (memchr(text, '\0', len)) {
        return s_fail(ctx, "field '%s' holds a NUL character, which a string cannot carry",
                      ctx->path);
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        return s_nomem(ctx);
    }
    memcpy(copy, text, len + 1);
    *dst = copy;
    return 0;
}

static int s_bytes_from_json(s_ctx_t *ctx, const json_t *value, ProtobufCBinaryData *dst)
{
    if (!json_is_string(value)) {
        return s_fail_type(ctx, "base64 bytes", value);
    }
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = s_base64_decode(json_string_value(value), json_string_length(value), &data, &len);
    if (rc == -ENOMEM) {
        return s_nomem(ctx);
    }
    if (rc < 0) {
        return s_fail_type(ctx, "base64 bytes", value);
    }
    dst->data = data;
    dst->len = len;
    return 0;
}

static int s_message_from_json(s_ctx_t *ctx, const ProtobufCMessageDescriptor *desc,
                               const json_t *json, int depth, ProtobufCMessage **out);

/* Decodes one value of `field` into dst (the member, or an array element). */
static int s_value_from_json(s_ctx_t *ctx, const ProtobufCFieldDescriptor *field,
                             const json_t *value, int depth, void *dst)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE: {
        double number = 0;
        int rc = s_read_double(value, &number);
        if (rc == S_READ_BAD_TYPE) {
            return s_fail_type(ctx, "a number", value);
        }
        if (field->type == PROTOBUF_C_TYPE_DOUBLE && rc == S_READ_OK) {
            *(double *)dst = number;
            return 0;
        }
        if (rc == S_READ_RANGE || (isfinite(number) && (number > FLT_MAX || number < -FLT_MAX))) {
            return s_fail_range(ctx, field, value);
        }
        *(float *)dst = (float)number;
        return 0;
    }
    case PROTOBUF_C_TYPE_BOOL:
        if (json_is_boolean(value)) {
            *(protobuf_c_boolean *)dst = json_is_true(value);
            return 0;
        }
        if (json_is_string(value) && (strcmp(json_string_value(value), "true") == 0 ||
                                      strcmp(json_string_value(value), "false") == 0)) {
            *(protobuf_c_boolean *)dst = json_string_value(value)[0] == 't';
            return 0;
        }
        return s_fail_type(ctx, "true or false", value);
    case PROTOBUF_C_TYPE_ENUM:
        return s_enum_from_json(ctx, field, value, dst);
    case PROTOBUF_C_TYPE_STRING:
        return s_string_from_json(ctx, value, dst);
    case PROTOBUF_C_TYPE_BYTES:
        return s_bytes_from_json(ctx, value, dst);
    case PROTOBUF_C_TYPE_MESSAGE:
        if (!json_is_object(value)) {
            return s_fail_type(ctx, "an object", value);
        }
        return s_message_from_json(ctx, field->descriptor, value, depth + 1, dst);
    default:
        return s_int_from_json(ctx, field, value, dst);
    }
}

/* ---- JSON to message: fields -------------------------------------------- */

static int s_repeated_from_json(s_ctx_t *ctx, ProtobufCMessage *msg,
                                const ProtobufCFieldDescriptor *field, const json_t *value,
                                int depth)
{
    if (!json_is_array(value)) {
        return s_fail_type(ctx, "an array", value);
    }
    size_t count = json_array_size(value);
    if (count > AS_PBJSON_MAX_ITEMS) {
        return s_fail(ctx, "field '%s' has %zu values, more than the limit of %d", ctx->path, count,
                      AS_PBJSON_MAX_ITEMS);
    }
    if (count == 0) {
        return 0;
    }
    size_t size = s_value_size(field->type);
    char *items = calloc(count, size);
    if (!items) {
        return s_nomem(ctx);
    }
    char *base = (char *)msg;
    *(void **)(base + field->offset) = items;
    size_t *done = (size_t *)(base + field->quantifier_offset);
    for (size_t i = 0; i < count; i++) {
        size_t mark = s_path_push_index(ctx, i);
        int rc = s_value_from_json(ctx, field, json_array_get(value, i), depth, items + i * size);
        if (rc < 0) {
            return rc;
        }
        s_path_pop(ctx, mark);
        (*done)++;
    }
    return 0;
}

/* The field of the same oneof already set in msg, or NULL. */
static const ProtobufCFieldDescriptor *s_oneof_rival(const ProtobufCMessage *msg,
                                                     const ProtobufCFieldDescriptor *field)
{
    uint32_t set = *(const uint32_t *)((const char *)msg + field->quantifier_offset);
    if (set == 0 || set == field->id) {
        return NULL;
    }
    return protobuf_c_message_descriptor_get_field(msg->descriptor, (unsigned)set);
}

static int s_field_from_json(s_ctx_t *ctx, ProtobufCMessage *msg,
                             const ProtobufCFieldDescriptor *field, const json_t *value, int depth)
{
    char *base = (char *)msg;
    if (field->label == PROTOBUF_C_LABEL_REPEATED) {
        return s_repeated_from_json(ctx, msg, field, value, depth);
    }
    bool in_oneof = field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF;
    const ProtobufCFieldDescriptor *rival = in_oneof ? s_oneof_rival(msg, field) : NULL;
    if (rival) {
        const char *dot = strrchr(ctx->path, '.');
        int parent_len = dot ? (int)(dot - ctx->path + 1) : 0;
        return s_fail(ctx, "fields '%.*s%s' and '%s' are in the same oneof: give only one",
                      parent_len, ctx->path, rival->name, ctx->path);
    }
    int rc = s_value_from_json(ctx, field, value, depth, base + field->offset);
    if (rc < 0) {
        return rc;
    }
    if (in_oneof) {
        *(uint32_t *)(base + field->quantifier_offset) = field->id;
    } else if (field->label == PROTOBUF_C_LABEL_OPTIONAL && field->type != PROTOBUF_C_TYPE_STRING &&
               field->type != PROTOBUF_C_TYPE_MESSAGE) {
        *(protobuf_c_boolean *)(base + field->quantifier_offset) = 1;
    }
    return 0;
}

static int s_message_from_json(s_ctx_t *ctx, const ProtobufCMessageDescriptor *desc,
                               const json_t *json, int depth, ProtobufCMessage **out)
{
    *out = NULL;
    if (depth > AS_PBJSON_MAX_DEPTH) {
        return s_fail(ctx, "field '%s' nests messages more than %d levels deep", ctx->path,
                      AS_PBJSON_MAX_DEPTH);
    }
    ProtobufCMessage *msg = calloc(1, desc->sizeof_message);
    if (!msg) {
        return s_nomem(ctx);
    }
    protobuf_c_message_init(desc, msg);
    int rc = 0;
    /* jansson iterates through non-const pointers but does not modify */
    json_t *object = (json_t *)json;
    for (void *iter = json_object_iter(object); iter; iter = json_object_iter_next(object, iter)) {
        const char *key = json_object_iter_key(iter);
        size_t key_len = json_object_iter_key_len(iter);
        const ProtobufCFieldDescriptor *field = NULL;
        if (strlen(key) == key_len) {
            field = protobuf_c_message_descriptor_get_field_by_name(desc, key);
        }
        if (!field) {
            rc = s_fail_unknown(ctx, desc, key, key_len);
            goto fail;
        }
        const json_t *value = json_object_iter_value(iter);
        if (json_is_null(value)) {
            continue;
        }
        size_t mark = s_path_push(ctx, field->name);
        rc = s_field_from_json(ctx, msg, field, value, depth);
        if (rc < 0) {
            goto fail;
        }
        s_path_pop(ctx, mark);
    }
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields[i];
        const json_t *value = json_object_get(json, field->name);
        if (field->label == PROTOBUF_C_LABEL_REQUIRED && (!value || json_is_null(value))) {
            rc = s_fail(ctx, "missing required field '%s%s%s' in %s", ctx->path,
                        ctx->path[0] ? "." : "", field->name, desc->short_name);
            goto fail;
        }
    }
    *out = msg;
    return 0;
fail:
    protobuf_c_message_free_unpacked(msg, NULL);
    return rc;
}

int as_pbjson_from_json(const ProtobufCMessageDescriptor *desc, const json_t *json,
                        ProtobufCMessage **out, char *err, size_t err_len)
{
    assert(desc && out);
    s_ctx_t ctx = {.err = err, .err_len = err_len};
    *out = NULL;
    if (err && err_len > 0) {
        err[0] = '\0';
    }
    if (!json_is_object(json)) {
        char got[S_QUOTE_MAX * 6 + 16];
        if (json) {
            s_got(json, got, sizeof(got));
        } else {
            snprintf(got, sizeof(got), "nothing");
        }
        return s_fail(&ctx, "%s expects a JSON object, got %s", desc->short_name, got);
    }
    return s_message_from_json(&ctx, desc, json, 1, out);
}

/* ---- arguments ---------------------------------------------------------- */

/* The JSON value an argument's text stands for: parsed JSON for a message or
 * repeated field when it starts with '[' or '{', else a string. */
static int s_arg_value(s_ctx_t *ctx, const ProtobufCFieldDescriptor *field, const char *text,
                       json_t **out)
{
    bool composite =
        field->label == PROTOBUF_C_LABEL_REPEATED || field->type == PROTOBUF_C_TYPE_MESSAGE;
    if (composite && (text[0] == '[' || text[0] == '{')) {
        json_error_t error;
        *out = json_loads(text, JSON_REJECT_DUPLICATES, &error);
        if (!*out) {
            return s_fail(ctx, "value of '%s' is not valid JSON: %s (column %d)", ctx->path,
                          error.text, error.column);
        }
        return 0;
    }
    if (!s_utf8_valid(text, strlen(text))) {
        return s_fail(ctx, "value of '%s' is not valid UTF-8", ctx->path);
    }
    *out = json_string(text);
    return *out ? 0 : s_nomem(ctx);
}

/* Stores `value` (stolen) under field in object: appended to or extending a
 * repeated field's array, else set once. */
static int s_arg_store(s_ctx_t *ctx, json_t *object, const ProtobufCFieldDescriptor *field,
                       json_t *value)
{
    json_t *old = json_object_get(object, field->name);
    if (field->label != PROTOBUF_C_LABEL_REPEATED) {
        if (old) {
            json_decref(value);
            return s_fail(ctx, "field '%s' is given more than once", ctx->path);
        }
        return json_object_set_new(object, field->name, value) < 0 ? s_nomem(ctx) : 0;
    }
    if (!old) {
        old = json_array();
        if (!old || json_object_set_new(object, field->name, old) < 0) {
            json_decref(value);
            return s_nomem(ctx);
        }
    }
    int rc = json_is_array(value) ? json_array_extend(old, value) : json_array_append(old, value);
    json_decref(value);
    return rc < 0 ? s_nomem(ctx) : 0;
}

/* Applies one "a.b.c=value" to root. */
static int s_arg_apply(s_ctx_t *ctx, const ProtobufCMessageDescriptor *desc, json_t *root,
                       const char *arg)
{
    ctx->path[0] = '\0';
    const char *equals = strchr(arg, '=');
    if (!equals || equals == arg) {
        char text[S_QUOTE_MAX * 6 + 8];
        s_escape(text, sizeof(text), arg, strlen(arg), '\'');
        return s_fail(ctx, "argument '%s' is not field=value", text);
    }
    json_t *object = root;
    const char *segment = arg;
    int depth = 1;
    for (;;) {
        const char *dot = memchr(segment, '.', (size_t)(equals - segment));
        size_t len = (size_t)((dot ? dot : equals) - segment);
        char name[S_NAME_MAX];
        const ProtobufCFieldDescriptor *field = NULL;
        if (len > 0 && len < sizeof(name)) {
            memcpy(name, segment, len);
            name[len] = '\0';
            field = protobuf_c_message_descriptor_get_field_by_name(desc, name);
        }
        if (!field) {
            return s_fail_unknown(ctx, desc, segment, len);
        }
        s_path_push(ctx, field->name);
        if (!dot) {
            json_t *value = NULL;
            int rc = s_arg_value(ctx, field, equals + 1, &value);
            return rc < 0 ? rc : s_arg_store(ctx, object, field, value);
        }
        if (field->type != PROTOBUF_C_TYPE_MESSAGE) {
            return s_fail(ctx, "field '%s' has type %s, not a message with fields", ctx->path,
                          s_type_name(field->type));
        }
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            return s_fail(ctx, "field '%s' is repeated: give each element whole, as %s={...}",
                          ctx->path, ctx->path);
        }
        if (++depth > AS_PBJSON_MAX_DEPTH) {
            return s_fail(ctx, "field '%s' nests messages more than %d levels deep", ctx->path,
                          AS_PBJSON_MAX_DEPTH);
        }
        json_t *child = json_object_get(object, field->name);
        if (!child) {
            child = json_object();
            if (!child || json_object_set_new(object, field->name, child) < 0) {
                return s_nomem(ctx);
            }
        } else if (!json_is_object(child)) {
            return s_fail(ctx, "field '%s' is given more than once", ctx->path);
        }
        object = child;
        desc = field->descriptor;
        segment = dot + 1;
    }
}

int as_pbjson_from_args(const ProtobufCMessageDescriptor *desc, int argc, char *const *argv,
                        ProtobufCMessage **out, char *err, size_t err_len)
{
    assert(desc && out && (argc == 0 || argv));
    s_ctx_t ctx = {.err = err, .err_len = err_len};
    *out = NULL;
    json_t *root = json_object();
    if (!root) {
        return s_nomem(&ctx);
    }
    int rc = 0;
    for (int i = 0; i < argc && rc == 0; i++) {
        rc = s_arg_apply(&ctx, desc, root, argv[i]);
    }
    if (rc == 0) {
        rc = as_pbjson_from_json(desc, root, out, err, err_len);
    }
    json_decref(root);
    return rc;
}

/* ---- help --------------------------------------------------------------- */

/* The type of `field` for people: "string", "enum (A, B)", "message Name",
 * then "  repeated" or "  required". */
static void s_describe_type(s_buf_t *buf, const ProtobufCFieldDescriptor *field)
{
    if (field->type == PROTOBUF_C_TYPE_ENUM) {
        const ProtobufCEnumDescriptor *enum_desc = field->descriptor;
        s_buf_printf(buf, "enum (");
        for (unsigned v = 0; v < enum_desc->n_values; v++)
            s_buf_printf(buf, "%s%s", v ? ", " : "", enum_desc->values[v].name);
        s_buf_printf(buf, ")");
    } else if (field->type == PROTOBUF_C_TYPE_MESSAGE) {
        const ProtobufCMessageDescriptor *sub = field->descriptor;
        s_buf_printf(buf, "message %s", sub->short_name);
    } else {
        s_buf_printf(buf, "%s", s_type_name(field->type));
    }
    if (field->label == PROTOBUF_C_LABEL_REPEATED)
        s_buf_printf(buf, "  repeated");
    else if (field->label == PROTOBUF_C_LABEL_REQUIRED)
        s_buf_printf(buf, "  required");
}

char *as_pbjson_describe(const ProtobufCMessageDescriptor *desc)
{
    assert(desc);
    s_buf_t buf = {0};
    int width = 0;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        int len = (int)strlen(desc->fields[i].name);
        width = len > width ? len : width;
    }
    for (unsigned i = 0; i < desc->n_fields; i++) {
        s_buf_printf(&buf, "  %-*s  ", width, desc->fields[i].name);
        s_describe_type(&buf, &desc->fields[i]);
        s_buf_printf(&buf, "\n");
    }
    if (buf.failed) {
        free(buf.data);
        return NULL;
    }
    return buf.data ? buf.data : calloc(1, 1);
}

/* Walks `desc` depth first, calling `line` with each field's path
 * ("jobs[].parts[].part_number") and descriptor. `stack` holds the messages
 * on the way down: a message met again there (it holds itself) is not
 * opened again, nor one deeper than AS_PBJSON_MAX_DEPTH. */
typedef void (*s_path_fn)(void *ctx, const char *path, const ProtobufCFieldDescriptor *field);

static void s_walk_paths(const ProtobufCMessageDescriptor *desc, const char *prefix,
                         const ProtobufCMessageDescriptor **stack, int depth, s_path_fn line,
                         void *ctx)
{
    stack[depth] = desc;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields[i];
        char path[S_PATH_MAX];
        int n = snprintf(path, sizeof path, "%s%s", prefix, field->name);
        if (n < 0 || (size_t)n >= sizeof path)
            continue; /* deeper than any path a person types */
        line(ctx, path, field);
        if (field->type != PROTOBUF_C_TYPE_MESSAGE || depth + 1 >= AS_PBJSON_MAX_DEPTH)
            continue;
        bool seen = false;
        for (int d = 0; d <= depth; d++)
            seen |= stack[d] == field->descriptor;
        if (seen)
            continue;
        char nested[S_PATH_MAX + 4];
        snprintf(nested, sizeof nested, "%s%s.", path,
                 field->label == PROTOBUF_C_LABEL_REPEATED ? "[]" : "");
        s_walk_paths(field->descriptor, nested, stack, depth + 1, line, ctx);
    }
}

typedef struct {
    s_buf_t *buf;
    int width; /* the longest path: the type column starts after it */
} s_paths_t;

static void s_path_width(void *ctx, const char *path, const ProtobufCFieldDescriptor *field)
{
    (void)field;
    s_paths_t *p = ctx;
    int len = (int)strlen(path);
    p->width = len > p->width ? len : p->width;
}

static void s_path_line(void *ctx, const char *path, const ProtobufCFieldDescriptor *field)
{
    s_paths_t *p = ctx;
    s_buf_printf(p->buf, "  %-*s  ", p->width, path);
    s_describe_type(p->buf, field);
    s_buf_printf(p->buf, "\n");
}

char *as_pbjson_describe_paths(const ProtobufCMessageDescriptor *desc)
{
    assert(desc);
    s_buf_t buf = {0};
    s_paths_t paths = {.buf = &buf};
    const ProtobufCMessageDescriptor *stack[AS_PBJSON_MAX_DEPTH];
    s_walk_paths(desc, "", stack, 0, s_path_width, &paths);
    s_walk_paths(desc, "", stack, 0, s_path_line, &paths);
    if (buf.failed) {
        free(buf.data);
        return NULL;
    }
    return buf.data ? buf.data : calloc(1, 1);
}
