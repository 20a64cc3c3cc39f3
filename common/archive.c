/* archive.c — outbox entries to a file and back (see as/archive.h). */
#include "as/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "as/error.h"

static int s_fail(char *why, size_t cap, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int s_fail(char *why, size_t cap, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    return code;
}

static void s_put_u32(unsigned char out[4], uint32_t v)
{
    out[0] = (unsigned char)(v >> 24);
    out[1] = (unsigned char)(v >> 16);
    out[2] = (unsigned char)(v >> 8);
    out[3] = (unsigned char)v;
}

static uint32_t s_get_u32(const unsigned char in[4])
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
}

static void s_hex(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Counts one entry into the summary; the first fixes source and seq. */
static void s_count(as_archive_summary_t *sum, const As__Envelope *env)
{
    if (sum->events == 0) {
        snprintf(sum->source, sizeof sum->source, "%s", env->source ? env->source : "");
        sum->first_seq = env->seq;
        sum->first_us = env->time_us;
    }
    sum->events++;
    sum->last_seq = env->seq;
    sum->last_us = env->time_us;
}

/* The summary line (with its '\n'); caller frees. */
static char *s_summary_line(const as_archive_summary_t *sum)
{
    json_t *obj =
        json_pack("{s:i,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:s}", "format", 1, "source", sum->source,
                  "incarnation", sum->incarnation, "events", (json_int_t)sum->events, "first_seq",
                  (json_int_t)sum->first_seq, "last_seq", (json_int_t)sum->last_seq, "first_us",
                  (json_int_t)sum->first_us, "last_us", (json_int_t)sum->last_us, "before_us",
                  (json_int_t)sum->before_us, "blake2b", sum->digest);
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    char *line = text ? malloc(strlen(text) + 2) : NULL;
    if (line)
        sprintf(line, "%s\n", text);
    free(text);
    return line;
}

/* --- writing ------------------------------------------------------------ */

typedef struct {
    FILE *out;
    crypto_generichash_state hash;
    as_archive_summary_t *sum;
    int64_t before_us;
    int error; /* why the walk stopped, when it was not the time */
    char *why;
    size_t cap;
} s_writer_t;

enum { S_REACHED_BEFORE = 1 }; /* the walk's stop code: an entry made at or after before_us */

static int s_write_bytes(s_writer_t *w, const void *data, size_t len)
{
    crypto_generichash_update(&w->hash, data, len);
    return fwrite(data, 1, len, w->out) == len ? 0 : -errno;
}

static int s_write_entry(uint64_t seq, const MDB_val *value, void *arg)
{
    s_writer_t *w = arg;
    As__Envelope *env = as__envelope__unpack(NULL, value->mv_size, value->mv_data);
    if (!env || value->mv_size == 0 || value->mv_size > AS_ARCHIVE_MAX_ENTRY) {
        if (env)
            as__envelope__free_unpacked(env, NULL);
        return w->error = s_fail(w->why, w->cap, AS_EBADFRAME,
                                 "outbox entry %" PRIu64 " does not decode as an envelope", seq);
    }
    int rc = 0;
    if (env->time_us >= w->before_us) {
        rc = S_REACHED_BEFORE;
    } else {
        unsigned char len[4];
        s_put_u32(len, (uint32_t)value->mv_size);
        if ((rc = s_write_bytes(w, len, 4)) == 0 &&
            (rc = s_write_bytes(w, value->mv_data, value->mv_size)) == 0)
            s_count(w->sum, env);
        else
            w->error = rc;
    }
    as__envelope__free_unpacked(env, NULL);
    return rc;
}

/* Writes the whole archive into `out`; 0 or a code with `why` filled. */
static int s_write_archive(FILE *out, const char *data_dir, s_writer_t *w)
{
    crypto_generichash_init(&w->hash, NULL, 0, crypto_generichash_BYTES);
    int rc = s_write_bytes(w, AS_ARCHIVE_MAGIC, strlen(AS_ARCHIVE_MAGIC));
    if (rc != 0)
        return rc;
    as_store_error_t store_why;
    rc = as_outbox_read_why(data_dir, w->sum->incarnation, s_write_entry, w, &store_why);
    if (rc == S_REACHED_BEFORE)
        rc = 0;
    else if (rc != 0 && rc == w->error)
        return rc; /* why is filled, or it is -errno */
    else if (rc != 0)
        return s_fail(w->why, w->cap, rc, "%s", store_why.text);
    unsigned char end[4] = {0, 0, 0, 0};
    if ((rc = s_write_bytes(w, end, 4)) != 0)
        return rc;
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash_final(&w->hash, digest, sizeof digest);
    s_hex(digest, sizeof digest, w->sum->digest);
    char *line = s_summary_line(w->sum);
    if (!line)
        return -ENOMEM;
    rc = fputs(line, out) >= 0 ? 0 : -errno;
    free(line);
    if (rc == 0 && (fflush(out) != 0 || fsync(fileno(out)) != 0))
        rc = -errno;
    return rc;
}

int as_archive_write(const char *data_dir, int64_t before_us, const char *path,
                     as_archive_summary_t *sum, char *why, size_t cap)
{
    memset(sum, 0, sizeof *sum);
    sum->before_us = before_us;
    if (sodium_init() < 0)
        return s_fail(why, cap, -EIO, "libsodium could not start");
    struct stat st;
    if (stat(path, &st) == 0)
        return s_fail(why, cap, AS_EEXISTS, "'%s' exists: an archive is never written over one",
                      path);
    char partial[4096];
    if (snprintf(partial, sizeof partial, "%s.partial", path) >= (int)sizeof partial)
        return s_fail(why, cap, -ENAMETOOLONG, "archive path '%s' is too long", path);
    int fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        return s_fail(why, cap, AS_EEXISTS,
                      "'%s' exists: an archive that did not finish? remove it and run again",
                      partial);
    if (fd < 0)
        return s_fail(why, cap, -errno, "cannot create '%s': %s", partial, strerror(errno));
    FILE *out = fdopen(fd, "w");
    if (!out) {
        int rc = -errno;
        close(fd);
        unlink(partial);
        return s_fail(why, cap, rc, "cannot write '%s': %s", partial, as_strerror(rc));
    }
    s_writer_t w = {.out = out, .sum = sum, .before_us = before_us, .why = why, .cap = cap};
    why[0] = '\0';
    int rc = s_write_archive(out, data_dir, &w);
    if (fclose(out) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && link(partial, path) != 0)
        rc = errno == EEXIST ? s_fail(why, cap, AS_EEXISTS, "'%s' exists: not written over", path)
                             : -errno;
    unlink(partial);
    if (rc != 0 && why[0] == '\0')
        s_fail(why, cap, rc, "cannot write the archive '%s': %s", path, as_strerror(rc));
    return rc;
}

/* --- verifying ---------------------------------------------------------- */

typedef struct {
    FILE *in;
    const char *path;
    crypto_generichash_state hash;
    as_archive_summary_t *sum;
    char *why;
    size_t cap;
} s_reader_t;

/* Reads exactly len bytes into the digest; false at the end of the file. */
static bool s_read_bytes(s_reader_t *r, void *data, size_t len)
{
    if (fread(data, 1, len, r->in) != len)
        return false;
    crypto_generichash_update(&r->hash, data, len);
    return true;
}

static int s_damaged(s_reader_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int s_damaged(s_reader_t *r, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return s_fail(r->why, r->cap, AS_EDAMAGED, "archive '%s' %s", r->path, text);
}

/* One entry of `len` bytes: decodes, of the same source, next seq. */
static int s_check_entry(s_reader_t *r, uint32_t len, unsigned char *buf)
{
    uint64_t n = r->sum->events + 1;
    if (len > AS_ARCHIVE_MAX_ENTRY)
        return s_damaged(r, "entry %" PRIu64 " claims more bytes than any entry has", n);
    if (!s_read_bytes(r, buf, len))
        return s_damaged(r, "is cut short in entry %" PRIu64, n);
    As__Envelope *env = as__envelope__unpack(NULL, len, buf);
    if (!env)
        return s_damaged(r, "entry %" PRIu64 " does not decode as an envelope", n);
    int rc = 0;
    if (r->sum->events > 0 && env->seq != r->sum->last_seq + 1)
        rc = s_damaged(r, "has a gap: entry %" PRIu64 " does not follow the one before", n);
    else if (r->sum->events > 0 && strcmp(env->source ? env->source : "", r->sum->source) != 0)
        rc = s_damaged(r, "entry %" PRIu64 " is of another source: '%s'", n,
                       env->source ? env->source : "");
    else
        s_count(r->sum, env);
    as__envelope__free_unpacked(env, NULL);
    return rc;
}

static int s_read_entries(s_reader_t *r)
{
    unsigned char *buf = malloc(AS_ARCHIVE_MAX_ENTRY);
    if (!buf)
        return -ENOMEM;
    int rc = 0;
    for (;;) {
        unsigned char len[4];
        if (!s_read_bytes(r, len, 4)) {
            rc = s_damaged(r, "is cut short after %" PRIu64 " entries (no end mark)",
                           r->sum->events);
            break;
        }
        uint32_t n = s_get_u32(len);
        if (n == 0 || (rc = s_check_entry(r, n, buf)) != 0)
            break;
    }
    free(buf);
    return rc;
}

static const char *s_text(const json_t *obj, const char *key)
{
    const char *text = json_string_value(json_object_get(obj, key));
    return text ? text : "";
}

/* The summary line must say what was read. */
static int s_check_summary(s_reader_t *r)
{
    char line[4096];
    if (!fgets(line, sizeof line, r->in))
        return s_damaged(r, "has no summary after its %" PRIu64 " entries", r->sum->events);
    json_error_t jerr;
    json_t *obj = json_loads(line, 0, &jerr);
    const as_archive_summary_t *s = r->sum;
    const char *mismatch = NULL;
    if (!obj || json_integer_value(json_object_get(obj, "format")) != 1)
        mismatch = "format";
    else if (strcmp(s_text(obj, "blake2b"), s->digest) != 0)
        mismatch = "digest (blake2b)";
    else if ((uint64_t)json_integer_value(json_object_get(obj, "events")) != s->events)
        mismatch = "number of events";
    else if ((uint64_t)json_integer_value(json_object_get(obj, "first_seq")) != s->first_seq ||
             (uint64_t)json_integer_value(json_object_get(obj, "last_seq")) != s->last_seq)
        mismatch = "first or last seq";
    else if (s->events > 0 && strcmp(s_text(obj, "source"), s->source) != 0)
        mismatch = "source";
    if (!mismatch) {
        snprintf(r->sum->incarnation, sizeof r->sum->incarnation, "%s", s_text(obj, "incarnation"));
        r->sum->before_us = json_integer_value(json_object_get(obj, "before_us"));
    }
    json_decref(obj);
    if (mismatch)
        return s_damaged(r, "does not match its summary: the %s differs (%" PRIu64 " entries read)",
                         mismatch, s->events);
    if (fgetc(r->in) != EOF)
        return s_damaged(r, "has bytes after its summary");
    return 0;
}

int as_archive_verify(const char *path, as_archive_summary_t *sum, char *why, size_t cap)
{
    memset(sum, 0, sizeof *sum);
    if (sodium_init() < 0)
        return s_fail(why, cap, -EIO, "libsodium could not start");
    FILE *in = fopen(path, "rb");
    if (!in)
        return s_fail(why, cap, -errno, "cannot read '%s': %s", path, strerror(errno));
    s_reader_t r = {.in = in, .path = path, .sum = sum, .why = why, .cap = cap};
    crypto_generichash_init(&r.hash, NULL, 0, crypto_generichash_BYTES);
    char magic[sizeof AS_ARCHIVE_MAGIC - 1];
    int rc = 0;
    if (!s_read_bytes(&r, magic, sizeof magic) || memcmp(magic, AS_ARCHIVE_MAGIC, sizeof magic))
        rc = s_damaged(&r, "is not an outbox archive (format 1)");
    if (rc == 0)
        rc = s_read_entries(&r);
    if (rc == 0) {
        unsigned char digest[crypto_generichash_BYTES];
        crypto_generichash_final(&r.hash, digest, sizeof digest);
        s_hex(digest, sizeof digest, sum->digest);
        rc = s_check_summary(&r);
    }
    fclose(in);
    return rc;
}
