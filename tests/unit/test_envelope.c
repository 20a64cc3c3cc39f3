/* test_envelope.c — UUIDv7 ids, name rules for types, commands and sources,
 * domains, and decoding with every check an envelope must pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/envelope.h"
#include "as/error.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- UUIDv7 --------------------------------------------------------------- */

static bool s_is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* The 48-bit millisecond timestamp at the front of a UUIDv7. */
static uint64_t s_uuid_ms(const char *uuid)
{
    char hex[13];
    memcpy(hex, uuid, 8);
    memcpy(hex + 8, uuid + 9, 4);
    hex[12] = '\0';
    return strtoull(hex, NULL, 16);
}

static void s_assert_uuidv7(const char *uuid)
{
    assert_int_equal(strlen(uuid), AS_UUID_LEN);
    for (int i = 0; i < AS_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            assert_int_equal(uuid[i], '-');
        } else if (!s_is_hex(uuid[i])) {
            fail_msg("'%s' has '%c' at %d: not lowercase hex", uuid, uuid[i], i);
        }
    }
    assert_int_equal(uuid[14], '7'); /* version */
    if (!strchr("89ab", uuid[19]))   /* variant 10xx */
        fail_msg("'%s' has variant nibble '%c'", uuid, uuid[19]);
}

static void s_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void test_uuidv7_format_and_time(void **state)
{
    (void)state;
    char uuid[AS_UUID_LEN + 1];
    memset(uuid, 'X', sizeof uuid);
    uint64_t before = (uint64_t)(as_now_us() / 1000);
    as_uuidv7(uuid);
    uint64_t after = (uint64_t)(as_now_us() / 1000);
    s_assert_uuidv7(uuid);
    /* the timestamp is the current Unix time in milliseconds */
    assert_true(s_uuid_ms(uuid) >= before);
    assert_true(s_uuid_ms(uuid) <= after);
}

static void test_uuidv7_time_ordered(void **state)
{
    (void)state;
    /* ids made at least a millisecond apart sort in the order they were made */
    char earlier[AS_UUID_LEN + 1], later[AS_UUID_LEN + 1];
    for (int i = 0; i < 5; i++) {
        as_uuidv7(earlier);
        s_sleep_ms(2);
        as_uuidv7(later);
        if (strcmp(earlier, later) >= 0)
            fail_msg("'%s' made before '%s' does not sort first", earlier, later);
        assert_true(s_uuid_ms(later) > s_uuid_ms(earlier));
    }
}

static int s_cmp_uuid(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void test_uuidv7_unique(void **state)
{
    (void)state;
    enum { N = 10000 };
    char(*ids)[AS_UUID_LEN + 1] = calloc(N, sizeof *ids);
    assert_non_null(ids);
    for (int i = 0; i < N; i++) {
        as_uuidv7(ids[i]);
        s_assert_uuidv7(ids[i]);
        /* the time part never goes backwards between calls */
        if (i > 0)
            assert_true(s_uuid_ms(ids[i]) >= s_uuid_ms(ids[i - 1]));
    }
    qsort(ids, N, sizeof *ids, s_cmp_uuid);
    for (int i = 1; i < N; i++)
        if (strcmp(ids[i - 1], ids[i]) == 0)
            fail_msg("uuid '%s' made twice", ids[i]);
    free(ids);
}

static void test_now_us(void **state)
{
    (void)state;
    int64_t a = as_now_us();
    int64_t b = as_now_us();
    assert_true(a > 1600000000LL * 1000000LL); /* after 2020 */
    assert_true(b >= a);
    time_t now = time(NULL);
    assert_true(a / 1000000 >= (int64_t)now - 2 && a / 1000000 <= (int64_t)now + 2);
}

/* --- names ------------------------------------------------------------------ */

/* A name of `len` characters made of valid words ("aaa.aaa.aaa..."). */
static char *s_long_name(size_t len)
{
    char *name = malloc(len + 1);
    assert_non_null(name);
    for (size_t i = 0; i < len; i++)
        name[i] = (i % 4 == 3) ? '.' : 'a';
    name[len] = '\0';
    if (name[len - 1] == '.')
        name[len - 1] = 'a';
    return name;
}

static void test_type_valid(void **state)
{
    (void)state;
    static const char *const good[] = {
        "workshop.qc.passed",        "parts.issue.recorded",     "a.b.c",
        "kpi.daily_report.built-v2", "warranty.claim.sent.late", "ro2.x1.y9",
        "demo.tick.emitted",         "reception.ro.opened",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!as_type_valid(good[i]))
            fail_msg("type '%s' should be valid", good[i]);

    static const char *const bad[] = {
        "",
        "workshop",
        "workshop.heartbeat", /* two words: the bus's own topics */
        "Workshop.qc.passed",
        "workshop.QC.passed",
        "workshop..qc.passed",
        ".workshop.qc.passed",
        "workshop.qc.passed.",
        "workshop.qc..",
        "...",
        "workshop.qc passed",
        "workshop.qc.passed\n",
        "workshop@jinan.qc.passed",
        "workshop/qc/passed",
        "workshop.qc.p\xc3\xa4ssed",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (as_type_valid(bad[i]))
            fail_msg("type '%s' should be refused", bad[i]);
    assert_false(as_type_valid(NULL));

    char *at_max = s_long_name(AS_NAME_MAX);
    assert_true(as_type_valid(at_max));
    free(at_max);
    char *too_long = s_long_name(AS_NAME_MAX + 1);
    assert_false(as_type_valid(too_long));
    free(too_long);
}

static void test_command_valid(void **state)
{
    (void)state;
    static const char *const good[] = {"demo.generate", "reception.ro.open",
                                       "sink.totals",   "parts.stock-level",
                                       "a.b",           "kpi2.report_daily"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!as_command_valid(good[i]))
            fail_msg("command '%s' should be valid", good[i]);

    static const char *const bad[] = {"",          "demo",       "Demo.add",   "demo.Add",
                                      "demo..add", ".demo.add",  "demo.add.",  "demo add",
                                      "demo.add!", "demo@x.add", "demo.add\t", "."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (as_command_valid(bad[i]))
            fail_msg("command '%s' should be refused", bad[i]);
    assert_false(as_command_valid(NULL));

    char *at_max = s_long_name(AS_NAME_MAX);
    assert_true(as_command_valid(at_max));
    free(at_max);
    char *too_long = s_long_name(AS_NAME_MAX + 1);
    assert_false(as_command_valid(too_long));
    free(too_long);
}

static void test_source_valid(void **state)
{
    (void)state;
    static const char *const good[] = {"reception@jinan-01", "workshop@jinan.site-2", "kpi@a",
                                       "tools_2@x_y", "parts@jinan.north.bay-3"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!as_source_valid(good[i]))
            fail_msg("source '%s' should be valid", good[i]);

    static const char *const bad[] = {
        "",
        "reception",            /* missing @ */
        "reception@jinan@01",   /* two @ */
        "reception@@jinan",     /* two @, empty word */
        "@jinan-01",            /* no service */
        "reception@",           /* no site */
        "Reception@jinan-01",   /* uppercase */
        "reception@Jinan-01",   /* uppercase */
        "reception.desk@jinan", /* the service is one word */
        "reception@jinan..01",  /* double dot */
        "reception@.jinan",     /* empty word */
        "reception@jinan.",     /* empty word */
        "reception @jinan",     /* space */
        "reception@jinan 01",   /* space */
        "reception@jinan/01",   /* slash */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (as_source_valid(bad[i]))
            fail_msg("source '%s' should be refused", bad[i]);
    assert_false(as_source_valid(NULL));

    /* the length cap applies to the whole name */
    char name[AS_NAME_MAX + 2];
    memset(name, 'a', sizeof name);
    name[10] = '@';
    name[AS_NAME_MAX] = '\0';
    assert_true(as_source_valid(name));
    name[AS_NAME_MAX] = 'a';
    name[AS_NAME_MAX + 1] = '\0';
    assert_false(as_source_valid(name));
}

static void test_domain_of(void **state)
{
    (void)state;
    char out[AS_NAME_MAX + 1];
    assert_int_equal(as_domain_of("workshop@jinan-01", out, sizeof out), 8);
    assert_string_equal(out, "workshop");
    assert_int_equal(as_domain_of("workshop.qc.passed", out, sizeof out), 8);
    assert_string_equal(out, "workshop");
    assert_int_equal(as_domain_of("demo.generate", out, sizeof out), 4);
    assert_string_equal(out, "demo");
    assert_int_equal(as_domain_of("kpi.heartbeat", out, sizeof out), 3);
    assert_string_equal(out, "kpi");

    /* none: no separator, or nothing before it */
    strcpy(out, "untouched");
    assert_int_equal(as_domain_of("workshop", out, sizeof out), 0);
    assert_int_equal(as_domain_of("", out, sizeof out), 0);
    assert_int_equal(as_domain_of(".qc.passed", out, sizeof out), 0);
    assert_int_equal(as_domain_of("@jinan", out, sizeof out), 0);
    assert_string_equal(out, "untouched");

    /* the domain and its NUL must fit */
    char small[4];
    assert_int_equal(as_domain_of("abc.x.y", small, sizeof small), 3);
    assert_string_equal(small, "abc");
    assert_int_equal(as_domain_of("abcd.x.y", small, sizeof small), 0);
    assert_int_equal(as_domain_of("abc.x.y", small, 0), 0);
}

/* --- decoding ------------------------------------------------------------------ */

static As__Envelope s_valid(void)
{
    As__Envelope env = AS__ENVELOPE__INIT;
    env.id = "0190a0b0-1234-7abc-8def-0123456789ab";
    env.source = "workshop@jinan-01";
    env.incarnation = "0190a0b0-0000-7000-8000-000000000001";
    env.has_seq = 1;
    env.seq = 42;
    env.type = "workshop.qc.passed";
    env.has_time_us = 1;
    env.time_us = 1700000000000000LL;
    env.subject = "RO-2024-0001";
    env.correlation_id = "corr-1";
    env.causation_id = "req-9";
    env.actor = "tech-17";
    env.has_schema_version = 1;
    env.schema_version = 1;
    static const uint8_t payload[] = {0x08, 0x01, 0x12, 0x02, 'o', 'k'};
    env.has_payload = 1;
    env.payload.data = (uint8_t *)payload;
    env.payload.len = sizeof payload;
    return env;
}

/* Packs env into a fresh buffer; *len gets its size. */
static uint8_t *s_pack(const As__Envelope *env, size_t *len)
{
    *len = as__envelope__get_packed_size(env);
    uint8_t *buf = malloc(*len + 16);
    assert_non_null(buf);
    assert_int_equal(as__envelope__pack(env, buf), *len);
    return buf;
}

/* Decodes `env` with `topic` and expects the failure `expected`. */
static void s_expect_fail(const As__Envelope *env, const char *topic, int expected, const char *why)
{
    size_t len;
    uint8_t *buf = s_pack(env, &len);
    int err = 0;
    As__Envelope *got = as_envelope_decode(buf, len, topic, topic ? strlen(topic) : 0, &err);
    if (got) {
        as__envelope__free_unpacked(got, NULL);
        fail_msg("an envelope with %s was accepted", why);
    }
    if (err != expected)
        fail_msg("an envelope with %s gave %d (%s), expected %d", why, err, as_strerror(err),
                 expected);
    free(buf);
}

static void test_decode_valid(void **state)
{
    (void)state;
    As__Envelope env = s_valid();
    size_t len;
    uint8_t *buf = s_pack(&env, &len);

    int err = 12345;
    As__Envelope *got = as_envelope_decode(buf, len, "jinan-01/workshop.qc.passed", 27, &err);
    assert_non_null(got);
    assert_string_equal(got->id, env.id);
    assert_string_equal(got->source, "workshop@jinan-01");
    assert_string_equal(got->incarnation, env.incarnation);
    assert_int_equal(got->seq, 42);
    assert_string_equal(got->type, "workshop.qc.passed");
    assert_int_equal(got->time_us, 1700000000000000LL);
    assert_string_equal(got->subject, "RO-2024-0001");
    assert_string_equal(got->correlation_id, "corr-1");
    assert_string_equal(got->causation_id, "req-9");
    assert_string_equal(got->actor, "tech-17");
    assert_int_equal(got->schema_version, 1);
    assert_int_equal(got->payload.len, env.payload.len);
    assert_memory_equal(got->payload.data, env.payload.data, env.payload.len);
    as__envelope__free_unpacked(got, NULL);

    /* NULL topic skips the topic check */
    got = as_envelope_decode(buf, len, NULL, 0, &err);
    assert_non_null(got);
    as__envelope__free_unpacked(got, NULL);

    /* the topic is compared by length, not as a C string */
    got = as_envelope_decode(buf, len, "jinan-01/workshop.qc.passedXYZ", 27, &err);
    assert_non_null(got);
    as__envelope__free_unpacked(got, NULL);

    /* the smallest valid envelope: only the checked fields */
    As__Envelope min = AS__ENVELOPE__INIT;
    min.id = "x";
    min.source = "kpi@a";
    min.incarnation = "i";
    min.has_seq = 1;
    min.seq = 1;
    min.type = "kpi.report.built";
    uint8_t *min_buf = s_pack(&min, &len);
    got = as_envelope_decode(min_buf, len, "a/kpi.report.built", 18, &err);
    assert_non_null(got);
    assert_int_equal(got->seq, 1);
    assert_null(got->subject);
    assert_false(got->has_payload);
    as__envelope__free_unpacked(got, NULL);
    free(min_buf);
    free(buf);
}

static void test_decode_skips_unknown_fields(void **state)
{
    (void)state;
    As__Envelope env = s_valid();
    size_t len;
    uint8_t *buf = s_pack(&env, &len);
    /* a field a newer writer added: number 99, varint 1; and 100, bytes "hi" */
    static const uint8_t extra[] = {0x98, 0x06, 0x01, 0xa2, 0x06, 0x02, 'h', 'i'};
    memcpy(buf + len, extra, sizeof extra);
    int err = 0;
    As__Envelope *got =
        as_envelope_decode(buf, len + sizeof extra, "jinan-01/workshop.qc.passed", 27, &err);
    assert_non_null(got);
    assert_int_equal(got->seq, 42);
    as__envelope__free_unpacked(got, NULL);
    free(buf);
}

static void test_decode_bad_frame(void **state)
{
    (void)state;
    int err = 0;
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_null(as_envelope_decode(garbage, sizeof garbage, NULL, 0, &err));
    assert_int_equal(err, AS_EBADFRAME);

    static const char text[] = "workshop.qc.passed this is not protobuf";
    err = 0;
    assert_null(as_envelope_decode(text, sizeof text - 1, NULL, 0, &err));
    assert_int_equal(err, AS_EBADFRAME);

    /* a valid envelope cut short, at every length that splits a field */
    As__Envelope env = s_valid();
    size_t len;
    uint8_t *buf = s_pack(&env, &len);
    size_t bad_frames = 0;
    for (size_t cut = 1; cut < len; cut++) {
        err = 0;
        As__Envelope *got = as_envelope_decode(buf, cut, NULL, 0, &err);
        if (got) {
            /* a cut between fields decodes; it must then fail no check
             * silently: whatever is returned was fully validated */
            assert_true(got->has_seq && got->seq >= 1 && got->id && got->source);
            as__envelope__free_unpacked(got, NULL);
            continue;
        }
        assert_true(err == AS_EBADFRAME || err == AS_EINVALID);
        if (err == AS_EBADFRAME)
            bad_frames++;
    }
    assert_true(bad_frames > 0);
    /* the first field's string cut in its middle does not decode */
    err = 0;
    assert_null(as_envelope_decode(buf, 5, NULL, 0, &err));
    assert_int_equal(err, AS_EBADFRAME);
    free(buf);
}

static void test_decode_invalid(void **state)
{
    (void)state;
    As__Envelope env;

    env = s_valid();
    env.has_seq = 0;
    s_expect_fail(&env, "jinan-01/workshop.qc.passed", AS_EINVALID, "no seq");

    env = s_valid();
    env.seq = 0;
    s_expect_fail(&env, "jinan-01/workshop.qc.passed", AS_EINVALID, "seq 0");

    env = s_valid();
    env.type = "parts.issue.recorded";
    s_expect_fail(&env, "jinan-01/parts.issue.recorded", AS_EINVALID, "a type of another domain");
    s_expect_fail(&env, NULL, AS_EINVALID, "a type of another domain, no topic");

    env = s_valid();
    s_expect_fail(&env, "jinan-01/workshop.qc.failed", AS_EINVALID, "another topic");
    s_expect_fail(&env, "jinan-01/workshop.qc", AS_EINVALID,
                  "a topic that is a prefix of the type");
    s_expect_fail(&env, "jinan-01/workshop.qc.passed.x", AS_EINVALID,
                  "a topic longer than the type");
    s_expect_fail(&env, "", AS_EINVALID, "an empty topic");
    /* the site of the topic must be the source's (envelope.h, "Topics") */
    s_expect_fail(&env, "workshop.qc.passed", AS_EINVALID, "a topic without a site");
    s_expect_fail(&env, "/workshop.qc.passed", AS_EINVALID, "a topic with an empty site");
    s_expect_fail(&env, "jinan-02/workshop.qc.passed", AS_EINVALID,
                  "a topic of another site than the source's");
    s_expect_fail(&env, "jinan-0/workshop.qc.passed", AS_EINVALID,
                  "a topic whose site is a prefix of the source's");
    s_expect_fail(&env, "jinan-01/", AS_EINVALID, "a topic with only a site");
    s_expect_fail(&env, "jinan-01//workshop.qc.passed", AS_EINVALID, "a topic with two '/'");
    s_expect_fail(&env, "x/jinan-01/workshop.qc.passed", AS_EINVALID,
                  "a topic with a site before the source's");

    env = s_valid();
    env.incarnation = NULL;
    s_expect_fail(&env, "jinan-01/workshop.qc.passed", AS_EINVALID, "no incarnation");

    env = s_valid();
    env.incarnation = "";
    s_expect_fail(&env, "jinan-01/workshop.qc.passed", AS_EINVALID, "an empty incarnation");

    env = s_valid();
    env.id = NULL;
    s_expect_fail(&env, "jinan-01/workshop.qc.passed", AS_EINVALID, "no id");

    env = s_valid();
    env.source = NULL;
    s_expect_fail(&env, "jinan-01/workshop.qc.passed", AS_EINVALID, "no source");

    env = s_valid();
    env.source = "workshop";
    s_expect_fail(&env, "jinan-01/workshop.qc.passed", AS_EINVALID, "a source without a site");

    env = s_valid();
    env.source = "Workshop@jinan-01";
    s_expect_fail(&env, "jinan-01/workshop.qc.passed", AS_EINVALID, "an uppercase source");

    env = s_valid();
    env.type = NULL;
    s_expect_fail(&env, NULL, AS_EINVALID, "no type");

    env = s_valid();
    env.type = "workshop.qc";
    s_expect_fail(&env, "jinan-01/workshop.qc", AS_EINVALID, "a two-word type");

    env = s_valid();
    env.type = "workshop..passed";
    s_expect_fail(&env, "jinan-01/workshop..passed", AS_EINVALID, "a type with an empty word");

    /* an empty frame decodes to an empty message, which fails the checks */
    int err = 0;
    static const uint8_t nothing[1] = {0};
    assert_null(as_envelope_decode(nothing, 0, NULL, 0, &err));
    assert_int_equal(err, AS_EINVALID);
}

/* --- topics: "<site>/<rest>" ----------------------------------------------- */

static void test_topic_make_and_prefix(void **state)
{
    (void)state;
    char out[AS_TOPIC_MAX + 1];
    assert_int_equal(as_topic_make("workshop@jinan-01", "workshop.qc.passed", out, sizeof out),
                     strlen("jinan-01/workshop.qc.passed"));
    assert_string_equal(out, "jinan-01/workshop.qc.passed");
    assert_int_equal(as_topic_make("workshop@jinan-01", "workshop.heartbeat", out, sizeof out), 27);
    assert_string_equal(out, "jinan-01/workshop.heartbeat");
    assert_int_equal(as_topic_of_site("site-02", "reception.", out, sizeof out), 18);
    assert_string_equal(out, "site-02/reception.");
    assert_int_equal(as_topic_of_site("site-02", "", out, sizeof out), 8);
    assert_string_equal(out, "site-02/");
    /* the prefix that brings a source's events and heartbeats, and only its */
    assert_int_equal(as_topic_source_prefix("workshop@jinan-01", out, sizeof out), 18);
    assert_string_equal(out, "jinan-01/workshop.");
    assert_int_equal(as_topic_source_prefix("kpi@a.b", out, sizeof out), 8);
    assert_string_equal(out, "a.b/kpi.");
    /* no site, an empty site, a site with '/', not a source, too small */
    assert_int_equal(as_topic_make("workshop", "workshop.qc.passed", out, sizeof out), 0);
    assert_int_equal(as_topic_of_site("", "workshop.qc.passed", out, sizeof out), 0);
    assert_int_equal(as_topic_of_site("a/b", "workshop.qc.passed", out, sizeof out), 0);
    assert_int_equal(as_topic_source_prefix("workshop", out, sizeof out), 0);
    assert_int_equal(as_topic_source_prefix("Workshop@x", out, sizeof out), 0);
    char small[27]; /* "jinan-01/workshop.qc.passed" is 27 characters and a NUL */
    assert_int_equal(as_topic_make("workshop@jinan-01", "workshop.qc.passed", small, sizeof small),
                     0);
    assert_int_equal(as_topic_make("workshop@jinan-01", "workshop.qc.passe", small, sizeof small),
                     26);
    /* the longest names fit: a 126-character site and a 128-character type */
    char source[AS_NAME_MAX + 1], type[AS_NAME_MAX + 1];
    memset(source, 'a', sizeof source - 1);
    source[1] = '@';
    source[AS_NAME_MAX] = '\0';
    memset(type, 'b', sizeof type - 1);
    type[1] = type[3] = '.';
    type[0] = 'a';
    type[AS_NAME_MAX] = '\0';
    assert_true(as_source_valid(source) && as_type_valid(type));
    assert_int_equal(as_topic_make(source, type, out, sizeof out), 126 + 1 + 128);
}

static void test_topic_split(void **state)
{
    (void)state;
    as_topic_parts_t p;
    const char *t = "jinan-01/workshop.qc.passed";
    assert_true(as_topic_split(t, strlen(t), &p));
    assert_int_equal(p.site_len, 8);
    assert_memory_equal(p.site, "jinan-01", 8);
    assert_int_equal(p.rest_len, 18);
    assert_memory_equal(p.rest, "workshop.qc.passed", 18);
    /* split at the first '/': the rest is checked by whoever reads it */
    t = "a/b/c";
    assert_true(as_topic_split(t, strlen(t), &p));
    assert_int_equal(p.site_len, 1);
    assert_int_equal(p.rest_len, 3);
    /* by length, not as a C string */
    assert_true(as_topic_split("x/y.z.w-and-more", 7, &p));
    assert_int_equal(p.rest_len, 5);
    static const char *const bad[] = {"", "workshop.qc.passed", "/workshop.qc.passed", "site/",
                                      "/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (as_topic_split(bad[i], strlen(bad[i]), &p))
            fail_msg("topic '%s' should not split", bad[i]);
    char long_topic[AS_TOPIC_MAX + 2];
    memset(long_topic, 'a', sizeof long_topic);
    long_topic[3] = '/';
    assert_true(as_topic_split(long_topic, AS_TOPIC_MAX, &p));
    assert_false(as_topic_split(long_topic, AS_TOPIC_MAX + 1, &p));
}

static void test_heartbeat_topic(void **state)
{
    (void)state;
    static const char *const good[] = {"jinan-01/workshop.heartbeat", "a/kpi.heartbeat",
                                       "a.b/x.heartbeat"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!as_heartbeat_topic(good[i], strlen(good[i])))
            fail_msg("'%s' is a heartbeat topic", good[i]);
    static const char *const bad[] = {
        "workshop.heartbeat", /* no site */
        "/workshop.heartbeat",         "jinan-01/.heartbeat",
        "jinan-01/heartbeat",          "jinan-01/workshop.qc.heartbeat",
        "jinan-01/workshop.qc.passed", "jinan-01/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (as_heartbeat_topic(bad[i], strlen(bad[i])))
            fail_msg("'%s' is not a heartbeat topic", bad[i]);
    const char *t = "jinan-01/workshop.heartbeat";
    assert_true(as_topic_is(t, strlen(t), "workshop@jinan-01", "workshop.heartbeat"));
    assert_false(as_topic_is(t, strlen(t), "workshop@jinan-02", "workshop.heartbeat"));
    assert_false(as_topic_is(t, strlen(t), "workshop@jinan-0", "workshop.heartbeat"));
    assert_false(as_topic_is(t, strlen(t), "workshop@jinan-01", "parts.heartbeat"));
    assert_false(as_topic_is(t, strlen(t), "workshop", "workshop.heartbeat"));
}

static void test_site_names_cannot_hold_a_slash(void **state)
{
    (void)state;
    /* a site is a topic's first part up to '/': one with '/' would let its
     * consumers' prefix match another site's frames */
    assert_false(as_source_valid("workshop@jinan/01"));
    assert_false(as_source_valid("workshop@/01"));
    assert_false(as_source_valid("workshop@jinan-01/"));
    assert_false(as_source_valid("work/shop@jinan-01"));
    assert_true(as_source_valid("workshop@jinan-01"));
}

/* --- the source a bus message claims (what asbus checks) ----------------- */

static size_t s_pack_envelope(const char *source, uint8_t *buf)
{
    As__Envelope env = AS__ENVELOPE__INIT;
    env.id = "01900000-0000-7000-8000-000000000001";
    env.source = (char *)source;
    env.incarnation = "01900000-0000-7000-8000-000000000002";
    env.has_seq = 1;
    env.seq = 7;
    env.type = "workshop.qc.passed";
    env.has_payload = 1;
    env.payload.data = (uint8_t *)"\x0a\x03"
                                  "abc";
    env.payload.len = 5;
    return as__envelope__pack(&env, buf);
}

static void test_claimed_source_of_event_and_heartbeat(void **state)
{
    (void)state;
    uint8_t buf[512];
    char out[AS_NAME_MAX + 1];
    size_t len = s_pack_envelope("workshop@jinan-01", buf);
    const char *topic = "jinan-01/workshop.qc.passed";
    assert_int_equal(as_envelope_claimed_source(topic, strlen(topic), buf, len, out, sizeof out),
                     0);
    assert_string_equal(out, "workshop@jinan-01");

    As__Heartbeat hb = AS__HEARTBEAT__INIT;
    hb.source = "parts@jinan-01";
    hb.has_last_seq = 1;
    hb.last_seq = 3;
    len = as__heartbeat__pack(&hb, buf);
    topic = "jinan-01/parts.heartbeat";
    assert_int_equal(as_envelope_claimed_source(topic, strlen(topic), buf, len, out, sizeof out),
                     0);
    assert_string_equal(out, "parts@jinan-01");
}

static void test_claimed_source_refusals(void **state)
{
    (void)state;
    uint8_t buf[512];
    char out[AS_NAME_MAX + 1];
    size_t len = s_pack_envelope("workshop@jinan-01", buf);
    /* another domain's topic, a heartbeat of another service */
    const char *topic = "jinan-01/parts.issue.recorded";
    assert_int_equal(as_envelope_claimed_source(topic, strlen(topic), buf, len, out, sizeof out),
                     AS_EINVALID);
    topic = "jinan-01/work.qc.passed"; /* a prefix of the domain is not the domain */
    assert_int_equal(as_envelope_claimed_source(topic, strlen(topic), buf, len, out, sizeof out),
                     AS_EINVALID);
    /* the topic's site is the source's: a key that owns workshop@jinan-01
     * cannot send it under another site's topic (nor without a site) */
    static const char *const other_site[] = {"jinan-02/workshop.qc.passed", "workshop.qc.passed",
                                             "/workshop.qc.passed", "jinan-01x/workshop.qc.passed",
                                             "x/jinan-01/workshop.qc.passed"};
    for (size_t i = 0; i < sizeof other_site / sizeof other_site[0]; i++) {
        topic = other_site[i];
        int rc = as_envelope_claimed_source(topic, strlen(topic), buf, len, out, sizeof out);
        if (rc != AS_EINVALID)
            fail_msg("topic '%s' of workshop@jinan-01 gave %d, expected AS_EINVALID", topic, rc);
    }
    /* a second source field wins, as in any protobuf decoder */
    uint8_t twice[600];
    memcpy(twice, buf, len);
    const char extra[] = "\x12\x0dparts@elsewhe";
    memcpy(twice + len, extra, sizeof extra - 1);
    topic = "jinan-01/workshop.qc.passed";
    assert_int_equal(as_envelope_claimed_source(topic, strlen(topic), twice, len + sizeof extra - 1,
                                                out, sizeof out),
                     AS_EINVALID);
    /* truncated, garbage, no source at all */
    assert_int_equal(
        as_envelope_claimed_source(topic, strlen(topic), buf, len - 3, out, sizeof out),
        AS_EBADFRAME);
    assert_int_equal(
        as_envelope_claimed_source(topic, strlen(topic), "\xff\xff\xff", 3, out, sizeof out),
        AS_EBADFRAME);
    assert_int_equal(as_envelope_claimed_source(topic, strlen(topic), "", 0, out, sizeof out),
                     AS_EBADFRAME);
    /* not a valid source name */
    len = s_pack_envelope("workshop", buf);
    assert_int_equal(as_envelope_claimed_source(topic, strlen(topic), buf, len, out, sizeof out),
                     AS_EINVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuidv7_format_and_time),
        cmocka_unit_test(test_uuidv7_time_ordered),
        cmocka_unit_test(test_uuidv7_unique),
        cmocka_unit_test(test_now_us),
        cmocka_unit_test(test_type_valid),
        cmocka_unit_test(test_command_valid),
        cmocka_unit_test(test_source_valid),
        cmocka_unit_test(test_domain_of),
        cmocka_unit_test(test_decode_valid),
        cmocka_unit_test(test_decode_skips_unknown_fields),
        cmocka_unit_test(test_decode_bad_frame),
        cmocka_unit_test(test_decode_invalid),
        cmocka_unit_test(test_topic_make_and_prefix),
        cmocka_unit_test(test_topic_split),
        cmocka_unit_test(test_heartbeat_topic),
        cmocka_unit_test(test_site_names_cannot_hold_a_slash),
        cmocka_unit_test(test_claimed_source_of_event_and_heartbeat),
        cmocka_unit_test(test_claimed_source_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
