/* test_bus_upstream.c — a site bus's upstream (services/bus/upstream.c): who
 * owns which source at the group bus, and the connect's config errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "as/config.h"
#include "as/error.h"
#include "upstream.h"

/* A site bus's key owns every source of its own site and nothing else. */
static void test_owns(void **state)
{
    (void)state;
    assert_true(bus_upstream_owns("bus@site-a", "workshop@site-a"));
    assert_true(bus_upstream_owns("bus@site-a", "crm@site-a"));
    assert_false(bus_upstream_owns("bus@site-a", "workshop@site-b"));
    assert_false(bus_upstream_owns("bus@site-a", "workshop@site-ab")); /* whole site names */
    assert_false(bus_upstream_owns("bus@site-ab", "workshop@site-a"));
    assert_false(bus_upstream_owns("bus@site-a", "site-a"));        /* not a source */
    assert_false(bus_upstream_owns("bus@site-a", "@site-a"));       /* no service */
    assert_false(bus_upstream_owns("bus@", "workshop@"));           /* no site */
    assert_false(bus_upstream_owns("workshop", "workshop@site-a")); /* not a bus key */
    assert_false(bus_upstream_owns("bus2@site-a", "workshop@site-a"));
    assert_false(bus_upstream_owns("tech-01", "workshop@site-a"));
}

typedef struct {
    void *zctx;
    void *xpub;
    as_config_t *cfg;
    char connected[512];
} s_fixture_t;

static int s_setup(void **state)
{
    s_fixture_t *f = calloc(1, sizeof *f);
    f->zctx = zmq_ctx_new();
    f->xpub = zmq_socket(f->zctx, ZMQ_XPUB);
    f->cfg = as_config_new();
    *state = f;
    return f->zctx && f->xpub && f->cfg ? 0 : -1;
}

static int s_teardown(void **state)
{
    s_fixture_t *f = *state;
    int linger = 0;
    zmq_setsockopt(f->xpub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(f->xpub);
    zmq_ctx_term(f->zctx);
    as_config_destroy(&f->cfg);
    free(f);
    return 0;
}

/* Without CURVE every endpoint of the list is connected, and named. */
static void test_connect_plain(void **state)
{
    s_fixture_t *f = *state;
    assert_int_equal(0, bus_upstream_connect(f->xpub, f->cfg, "bus",
                                             " tcp://127.0.0.1:1 , ipc:///nonexistent/g-in", false,
                                             "site-a", 8, f->connected, sizeof f->connected));
    assert_string_equal("tcp://127.0.0.1:1,ipc:///nonexistent/g-in", f->connected);
}

/* A malformed endpoint, too many endpoints, a bad key name, a missing key
 * file: each is a config error. */
static void test_connect_errors(void **state)
{
    s_fixture_t *f = *state;
    assert_int_equal(AS_ECONFIG,
                     bus_upstream_connect(f->xpub, f->cfg, "bus", "group-bus:5570", false, "site-a",
                                          8, f->connected, sizeof f->connected));
    assert_int_equal(AS_ECONFIG, bus_upstream_connect(
                                     f->xpub, f->cfg, "bus", "tcp://127.0.0.1:1,tcp://127.0.0.1:2",
                                     false, "site-a", 1, f->connected, sizeof f->connected));
    assert_int_equal(0, as_config_set(f->cfg, "bus", "upstream_key", "../bus"));
    assert_int_equal(AS_ECONFIG,
                     bus_upstream_connect(f->xpub, f->cfg, "bus", "tcp://127.0.0.1:1", true,
                                          "site-a", 8, f->connected, sizeof f->connected));
    assert_int_equal(0, as_config_set(f->cfg, "bus", "upstream_key", "group-bus"));
    assert_int_equal(0, as_config_set(f->cfg, "security", "keys_dir", "/nonexistent"));
    assert_int_equal(AS_ECONFIG,
                     bus_upstream_connect(f->xpub, f->cfg, "bus", "tcp://127.0.0.1:1", true,
                                          "site-a", 8, f->connected, sizeof f->connected));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owns),
        cmocka_unit_test_setup_teardown(test_connect_plain, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_connect_errors, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
