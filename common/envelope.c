/* envelope.c — making, checking and decoding events. */
#include "as/envelope.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "as/envelope_unpack.h"
#include "as/error.h"

int64_t as_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Random bytes for ids, drawn from the kernel 4 KiB at a time: one getrandom
 * per id cost a third of a publisher's CPU per event. */
static _Thread_local unsigned char s_pool[4096];
static _Thread_local size_t s_pool_left;

static void s_random(unsigned char *out, size_t n)
{
    if (s_pool_left < n) {
        if (getrandom(s_pool, sizeof s_pool, 0) != (ssize_t)sizeof s_pool) {
            /* the kernel's pool never fails after boot; fall back to time bits */
            uint64_t ns = (uint64_t)as_now_us();
            for (size_t i = 0; i < sizeof s_pool; i++)
                s_pool[i] = (unsigned char)((ns >> ((i % 8) * 8)) ^ (i * 131));
        }
        s_pool_left = sizeof s_pool;
    }
    memcpy(out, s_pool + sizeof s_pool - s_pool_left, n);
    s_pool_left -= n;
}

void as_uuidv7(char out[AS_UUID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    uint64_t ms = (uint64_t)(as_now_us() / 1000);
    for (int i = 5; i >= 0; i--) {
        b[i] = (unsigned char)(ms & 0xff);
        ms >>= 8;
    }
    s_random(b + 6, 10);
    b[6] = (unsigned char)(0x70 | (b[6] & 0x0f)); /* version 7 */
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3f)); /* variant 10 */
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 0x0f];
    }
    *p = '\0';
}

static bool s_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Checks words of s_word_char separated by single `sep` characters; at least
 * `min_words` words. Stops at `end` (a NUL or another separator). */
static bool s_words(const char *s, const char *end, char sep, int min_words)
{
    int words = 0;
    bool in_word = false;
    for (const char *p = s; p < end; p++) {
        if (*p == sep) {
            if (!in_word)
                return false;
            in_word = false;
        } else if (s_word_char(*p)) {
            if (!in_word)
                words++;
            in_word = true;
        } else {
            return false;
        }
    }
    return in_word && words >= min_words;
}

bool as_type_valid(const char *type)
{
    if (!type)
        return false;
    size_t len = strlen(type);
    return len > 0 && len <= AS_NAME_MAX && s_words(type, type + len, '.', 3);
}

bool as_command_valid(const char *command)
{
    if (!command)
        return false;
    size_t len = strlen(command);
    return len > 0 && len <= AS_NAME_MAX && s_words(command, command + len, '.', 2);
}

bool as_source_valid(const char *source)
{
    if (!source)
        return false;
    size_t len = strlen(source);
    const char *at = strchr(source, '@');
    if (len == 0 || len > AS_NAME_MAX || !at || strchr(at + 1, '@'))
        return false;
    return s_words(source, at, '.', 1) && s_words(at + 1, source + len, '.', 1) &&
           !memchr(source, '.', (size_t)(at - source));
}

size_t as_domain_of(const char *name, char *out, size_t cap)
{
    size_t len = strcspn(name, ".@");
    if (len == 0 || len + 1 > cap || name[len] == '\0')
        return 0;
    memcpy(out, name, len);
    out[len] = '\0';
    return len;
}

As__Envelope *as_envelope_decode(const void *data, size_t len, const char *topic, size_t topic_len,
                                 int *err)
{
    return as_envelope_decode_in(NULL, data, len, topic, topic_len, err);
}

As__Envelope *as_envelope_decode_in(ProtobufCAllocator *allocator, const void *data, size_t len,
                                    const char *topic, size_t topic_len, int *err)
{
    As__Envelope *env = as_envelope_unpack(allocator, data, len, NULL);
    if (!env) {
        *err = AS_EBADFRAME;
        return NULL;
    }
    char source_domain[AS_NAME_MAX + 1], type_domain[AS_NAME_MAX + 1];
    bool ok = as_source_valid(env->source) && as_type_valid(env->type) && env->has_seq &&
              env->seq >= 1 && env->id && *env->id && env->incarnation && *env->incarnation &&
              as_domain_of(env->source, source_domain, sizeof source_domain) &&
              as_domain_of(env->type, type_domain, sizeof type_domain) &&
              strcmp(source_domain, type_domain) == 0;
    if (ok && topic)
        ok = as_topic_is(topic, topic_len, env->source, env->type);
    if (!ok) {
        as__envelope__free_unpacked(env, allocator);
        *err = AS_EINVALID;
        return NULL;
    }
    return env;
}

size_t as_topic_of_site(const char *site, const char *rest, char *out, size_t cap)
{
    size_t site_len = strlen(site), rest_len = strlen(rest);
    if (site_len == 0 || memchr(site, AS_TOPIC_SEP, site_len) || site_len + 1 + rest_len + 1 > cap)
        return 0;
    memcpy(out, site, site_len);
    out[site_len] = AS_TOPIC_SEP;
    memcpy(out + site_len + 1, rest, rest_len + 1);
    return site_len + 1 + rest_len;
}

size_t as_topic_make(const char *source, const char *rest, char *out, size_t cap)
{
    const char *at = strchr(source, '@');
    return at ? as_topic_of_site(at + 1, rest, out, cap) : 0;
}

size_t as_topic_source_prefix(const char *source, char *out, size_t cap)
{
    char rest[AS_NAME_MAX + 2];
    size_t len = as_source_valid(source) ? as_domain_of(source, rest, sizeof rest - 1) : 0;
    if (len == 0)
        return 0;
    rest[len] = '.';
    rest[len + 1] = '\0';
    return as_topic_make(source, rest, out, cap);
}

bool as_topic_split(const char *topic, size_t len, as_topic_parts_t *out)
{
    const char *sep = len <= AS_TOPIC_MAX ? memchr(topic, AS_TOPIC_SEP, len) : NULL;
    if (!sep || sep == topic || sep == topic + len - 1)
        return false;
    out->site = topic;
    out->site_len = (size_t)(sep - topic);
    out->rest = sep + 1;
    out->rest_len = len - out->site_len - 1;
    return true;
}

bool as_topic_is(const char *topic, size_t len, const char *source, const char *rest)
{
    const char *at = strchr(source, '@');
    as_topic_parts_t parts;
    if (!at || !as_topic_split(topic, len, &parts))
        return false;
    size_t site_len = strlen(at + 1);
    return parts.site_len == site_len && memcmp(parts.site, at + 1, site_len) == 0 &&
           parts.rest_len == strlen(rest) && memcmp(parts.rest, rest, parts.rest_len) == 0;
}

bool as_heartbeat_topic(const char *topic, size_t len)
{
    as_topic_parts_t parts;
    if (!as_topic_split(topic, len, &parts))
        return false;
    size_t slen = strlen(AS_HEARTBEAT_SUFFIX);
    return parts.rest_len > slen &&
           memcmp(parts.rest + parts.rest_len - slen, AS_HEARTBEAT_SUFFIX, slen) == 0 &&
           memchr(parts.rest, '.', parts.rest_len - slen) == NULL;
}

/* Reads one varint at *p (at most 10 bytes, not past end). */
static bool s_varint(const uint8_t **p, const uint8_t *end, uint64_t *value)
{
    *value = 0;
    for (int shift = 0; shift < 70 && *p < end; shift += 7) {
        uint8_t byte = *(*p)++;
        *value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

/* Finds the last value of length-delimited field `field` at the top level of
 * a packed protobuf message (the one a decoder would keep). False when the
 * message does not parse; *out NULL when the field is absent. */
static bool s_pb_last_bytes(const uint8_t *p, size_t len, uint64_t field, const uint8_t **out,
                            size_t *out_len)
{
    const uint8_t *end = p + len;
    *out = NULL;
    *out_len = 0;
    while (p < end) {
        uint64_t key = 0, value = 0;
        if (!s_varint(&p, end, &key))
            return false;
        switch (key & 7) {
        case 0: /* varint */
            if (!s_varint(&p, end, &value))
                return false;
            break;
        case 1: /* 64-bit */
            if (end - p < 8)
                return false;
            p += 8;
            break;
        case 2: /* length-delimited */
            if (!s_varint(&p, end, &value) || value > (uint64_t)(end - p))
                return false;
            if (key >> 3 == field) {
                *out = p;
                *out_len = (size_t)value;
            }
            p += value;
            break;
        case 5: /* 32-bit */
            if (end - p < 4)
                return false;
            p += 4;
            break;
        default: /* groups are not used by our messages */
            return false;
        }
    }
    return true;
}

int as_envelope_claimed_source(const char *topic, size_t topic_len, const void *body,
                               size_t body_len, char *out, size_t cap)
{
    as_topic_parts_t parts;
    if (!as_topic_split(topic, topic_len, &parts))
        return AS_EINVALID;
    bool heartbeat = as_heartbeat_topic(topic, topic_len);
    /* Heartbeat.source is field 1, Envelope.source field 2 (envelope.proto) */
    const uint8_t *source = NULL;
    size_t source_len = 0;
    if (!s_pb_last_bytes(body, body_len, heartbeat ? 1 : 2, &source, &source_len) || !source)
        return AS_EBADFRAME;
    if (source_len + 1 > cap || source_len > AS_NAME_MAX || memchr(source, '\0', source_len))
        return AS_EINVALID;
    memcpy(out, source, source_len);
    out[source_len] = '\0';
    /* the topic is "<the source's site>/<the source's domain>.<...>" */
    size_t domain_len = strcspn(out, ".@");
    const char *site = out + domain_len + 1;
    if (!as_source_valid(out) || domain_len >= parts.rest_len || parts.rest[domain_len] != '.' ||
        memcmp(parts.rest, out, domain_len) != 0 || parts.site_len != strlen(site) ||
        memcmp(parts.site, site, parts.site_len) != 0)
        return AS_EINVALID;
    return 0;
}
