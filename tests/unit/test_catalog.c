/* test_catalog.c — the command and event tables: names follow the rules,
 * each command belongs to the service of its domain, nothing is listed
 * twice, lookups find exactly what is listed, reads are queries, and a
 * program's own part is found after the schema library's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/catalog.h"
#include "as/envelope.h"
#include "as/pb/demo.pb-c.h"
#include "as/staff.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void s_assert_descriptor(const ProtobufCMessageDescriptor *desc, const char *what,
                                const char *name)
{
    if (!desc)
        return; /* no payload */
    if (desc->magic != PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC)
        fail_msg("%s of '%s' is not a message descriptor", what, name);
    assert_non_null(desc->name);
    assert_true(desc->sizeof_message > 0);
    /* an empty message of that kind packs and unpacks */
    _Alignas(max_align_t) uint8_t storage[4096];
    assert_true(desc->sizeof_message <= sizeof storage);
    ProtobufCMessage *msg = (ProtobufCMessage *)storage;
    desc->message_init(msg);
    uint8_t packed[1024];
    size_t len = protobuf_c_message_get_packed_size(msg);
    assert_true(len <= sizeof packed);
    assert_int_equal(protobuf_c_message_pack(msg, packed), len);
    ProtobufCMessage *back = protobuf_c_message_unpack(desc, NULL, len, packed);
    if (!back)
        fail_msg("an empty %s of '%s' (%s) does not round-trip", what, name, desc->name);
    protobuf_c_message_free_unpacked(back, NULL);
}

static void test_commands_valid(void **state)
{
    (void)state;
    size_t n = as_catalog_count();
    assert_true(n > 0);
    assert_null(as_catalog_command_at(n));
    for (size_t i = 0; i < n; i++) {
        const as_command_info_t *c = as_catalog_command_at(i);
        assert_non_null(c);
        assert_non_null(c->command);
        if (!as_command_valid(c->command))
            fail_msg("catalog command '%s' is not a valid command name", c->command);
        char domain[AS_NAME_MAX + 1];
        assert_true(as_domain_of(c->command, domain, sizeof domain) > 0);
        assert_non_null(c->service);
        if (strcmp(c->service, domain) != 0)
            fail_msg("command '%s' is run by '%s', not by its domain '%s'", c->command, c->service,
                     domain);
        if (!c->summary || !*c->summary)
            fail_msg("command '%s' has no summary", c->command);
        s_assert_descriptor(c->request, "request", c->command);
        s_assert_descriptor(c->reply, "reply", c->command);
    }
}

static void test_commands_unique_and_found(void **state)
{
    (void)state;
    size_t n = as_catalog_count();
    for (size_t i = 0; i < n; i++) {
        const as_command_info_t *c = as_catalog_command_at(i);
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(c->command, as_catalog_command_at(j)->command) == 0)
                fail_msg("command '%s' is listed twice", c->command);
        /* a lookup finds the very entry listed */
        assert_ptr_equal(as_catalog_command(c->command), c);
    }
    assert_int_equal(as_catalog_count(), n);
}

static void test_command_lookup(void **state)
{
    (void)state;
    const as_command_info_t *c = as_catalog_command("demo.generate");
    assert_non_null(c);
    assert_string_equal(c->command, "demo.generate");
    assert_string_equal(c->service, "demo");
    assert_ptr_equal(c->request, &as__demo_generate__descriptor);
    assert_ptr_equal(c->reply, &as__demo_source_state__descriptor);

    c = as_catalog_command("demo.state");
    assert_non_null(c);
    assert_null(c->request); /* takes no payload */
    assert_non_null(c->reply);

    static const char *const unknown[] = {
        "",
        "demo",
        "demo.",
        "demo.gen",
        "demo.generatex",
        "demo.generate ",
        "DEMO.GENERATE",
        "demo.generate.x",
        "generate",
        "nosuch.command",
        "demo.tick.emitted", /* an event type, not a command */
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        if (as_catalog_command(unknown[i]))
            fail_msg("'%s' was found as a command", unknown[i]);
}

static void test_events_valid_and_unique(void **state)
{
    (void)state;
    size_t n = as_catalog_event_count();
    assert_true(n > 0);
    assert_null(as_catalog_event_at(n));
    for (size_t i = 0; i < n; i++) {
        const as_event_info_t *e = as_catalog_event_at(i);
        assert_non_null(e);
        assert_non_null(e->type);
        if (!as_type_valid(e->type))
            fail_msg("catalog event type '%s' is not a valid type", e->type);
        if (!e->summary || !*e->summary)
            fail_msg("event type '%s' has no summary", e->type);
        s_assert_descriptor(e->payload, "payload", e->type);
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(e->type, as_catalog_event_at(j)->type) == 0)
                fail_msg("event type '%s' is listed twice", e->type);
        assert_ptr_equal(as_catalog_event(e->type), e);
        /* an event type is never also a command name */
        if (as_catalog_command(e->type))
            fail_msg("'%s' is both an event type and a command", e->type);
    }
    assert_int_equal(as_catalog_event_count(), n);
}

static void test_event_lookup(void **state)
{
    (void)state;
    const as_event_info_t *e = as_catalog_event("demo.tick.emitted");
    assert_non_null(e);
    assert_string_equal(e->type, "demo.tick.emitted");
    assert_ptr_equal(e->payload, &as__demo_tick__descriptor);

    static const char *const unknown[] = {"",
                                          "demo.tick",
                                          "demo.tick.emitted.",
                                          "demo.tick.emittedx",
                                          "Demo.tick.emitted",
                                          "demo.heartbeat",
                                          "demo.generate",
                                          "nosuch.thing.happened"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        if (as_catalog_event(unknown[i]))
            fail_msg("'%s' was found as an event type", unknown[i]);
}

/* A command named as a read (*.show, *.list, *.query, *.search, *.due, *.owed,
 * *.warnings, *.queue, *.board, *.history, kpi.report, kpi.figure.ros, *.totals,
 * *.state, tools.kpi, tools.availability, parts.stock.value, *.stats, kpi.scorecard,
 * kpi.comeback.analysis, kpi.day.summary) only reads: a query, whose reply is never kept. */
static void test_reads_are_queries(void **state)
{
    (void)state;
    static const char *const reads[] = {".show",
                                        ".list",
                                        ".query",
                                        ".search",
                                        ".due",
                                        ".owed",
                                        ".warnings",
                                        ".queue",
                                        ".board",
                                        ".history",
                                        "kpi.report",
                                        "kpi.figure.ros",
                                        ".totals",
                                        ".state",
                                        "tools.kpi",
                                        "tools.availability",
                                        "parts.stock.value",
                                        ".stats",
                                        "kpi.scorecard",
                                        "kpi.comeback.analysis",
                                        "kpi.day.summary"};
    for (size_t i = 0; i < as_catalog_count(); i++) {
        const as_command_info_t *c = as_catalog_command_at(i);
        bool read = false;
        for (size_t r = 0; r < sizeof reads / sizeof reads[0]; r++) {
            size_t n = strlen(c->command), m = strlen(reads[r]);
            read = read || (n >= m && strcmp(c->command + n - m, reads[r]) == 0);
        }
        if (read != c->query)
            fail_msg("'%s' %s a query", c->command, c->query ? "is" : "is not");
    }
    const as_command_info_t *c = as_catalog_command("kpi.report");
    assert_true(c->query);
    assert_true(c->roles & AS_ROLE_SYSTEM);
    c = as_catalog_command("tools.item.register");
    assert_false(c->query);
    assert_int_equal(c->roles, AS_ROLE_TOOL_ADMIN);
}

static const as_command_info_t s_own_commands[] = {
    {"own.thing.do", "own", NULL, NULL, "a program's own command", AS_ROLE_ADVISOR, false},
};
static const as_event_info_t s_own_events[] = {{"own.thing.done", NULL, "it was done"}};
static AS_CATALOG_PART(s_own_part, s_own_commands, s_own_events);

static void test_program_adds_its_own_part(void **state)
{
    (void)state;
    size_t commands = as_catalog_count(), events = as_catalog_event_count();
    assert_null(as_catalog_command("own.thing.do"));
    assert_int_equal(as_catalog_add(&s_own_part), 0);
    assert_int_equal(as_catalog_add(&s_own_part), 0); /* once only */
    assert_ptr_equal(as_catalog_command("own.thing.do"), &s_own_commands[0]);
    assert_ptr_equal(as_catalog_event("own.thing.done"), &s_own_events[0]);
    assert_int_equal(as_catalog_count(), commands + 1);
    assert_int_equal(as_catalog_event_count(), events + 1);
    assert_ptr_equal(as_catalog_command_at(commands), &s_own_commands[0]);
    assert_non_null(as_catalog_command("demo.generate")); /* the library's stay */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands_valid),
        cmocka_unit_test(test_commands_unique_and_found),
        cmocka_unit_test(test_command_lookup),
        cmocka_unit_test(test_events_valid_and_unique),
        cmocka_unit_test(test_event_lookup),
        cmocka_unit_test(test_reads_are_queries),
        cmocka_unit_test(test_program_adds_its_own_part),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
