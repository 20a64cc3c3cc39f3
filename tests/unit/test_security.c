/* test_security.c — key files, the ZAP handler and site security.
 *
 * The ZAP tests run a real ROUTER CURVE server on tcp://127.0.0.1:<ephemeral>
 * and DEALER clients in the same process, each test with its own context and
 * keys directory under $AS_TEST_TMP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "as/config.h"
#include "as/error.h"
#include "as/security.h"

#define S_TIMEOUT_MS 1000

/* Makes a fresh directory for one test and returns its path (static buffer). */
static const char *s_fresh_dir(const char *label)
{
    static char dir[PATH_MAX];
    const char *base = getenv("AS_TEST_TMP");
    if (!base || !*base)
        base = "/tmp";
    mkdir(base, 0700);
    snprintf(dir, sizeof dir, "%s/security-%s-XXXXXX", base, label);
    /* ipc:// paths must fit in sun_path (108 bytes) */
    if (strlen(dir) > 80)
        snprintf(dir, sizeof dir, "/tmp/as-security-%s-XXXXXX", label);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void s_write_file(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
}

static void s_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *s_socket(void *zctx, int type)
{
    void *sock = zmq_socket(zctx, type);
    assert_non_null(sock);
    int linger = 0, timeout = S_TIMEOUT_MS;
    assert_int_equal(zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger), 0);
    assert_int_equal(zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout), 0);
    return sock;
}

/* Binds `sock` on an ephemeral local port and writes the endpoint to `out`. */
static void s_bind_ephemeral(void *sock, char *out, size_t out_len)
{
    assert_int_equal(zmq_bind(sock, "tcp://127.0.0.1:*"), 0);
    assert_int_equal(zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, out, &out_len), 0);
}

/* Receives one [routing id][payload] message on a ROUTER; returns the payload
 * length (or -1 on timeout) and copies User-Id into `user`. */
static int s_router_recv(void *router, char *payload, size_t payload_len, char *user,
                         size_t user_len, zmq_msg_t *routing_id)
{
    zmq_msg_init(routing_id);
    if (zmq_msg_recv(routing_id, router, 0) < 0) {
        zmq_msg_close(routing_id);
        return -1;
    }
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    assert_true(zmq_msg_recv(&msg, router, 0) >= 0);
    const char *user_id = zmq_msg_gets(&msg, "User-Id");
    snprintf(user, user_len, "%s", user_id ? user_id : "");
    int len = (int)zmq_msg_size(&msg);
    snprintf(payload, payload_len, "%.*s", len, (const char *)zmq_msg_data(&msg));
    zmq_msg_close(&msg);
    return len;
}

/* Server receives "ping" with the expected User-Id, answers "pong", and the
 * client receives it. */
static void s_expect_round_trip(void *server, void *client, const char *expected_user)
{
    assert_int_equal(zmq_send(client, "ping", 4, 0), 4);
    char payload[16], user[64];
    zmq_msg_t routing_id;
    assert_int_equal(s_router_recv(server, payload, sizeof payload, user, sizeof user, &routing_id),
                     4);
    assert_string_equal(payload, "ping");
    assert_string_equal(user, expected_user);
    assert_true(zmq_msg_send(&routing_id, server, ZMQ_SNDMORE) >= 0);
    assert_int_equal(zmq_send(server, "pong", 4, 0), 4);
    char reply[16] = "";
    assert_int_equal(zmq_recv(client, reply, sizeof reply, 0), 4);
    assert_memory_equal(reply, "pong", 4);
}

/* ---- key files ------------------------------------------------------------ */

static void test_keypair_round_trip(void **state)
{
    const char *dir = s_fresh_dir("keys");
    as_keypair_t keys, loaded;
    assert_int_equal(as_keypair_generate(&keys), 0);
    assert_int_equal(strlen(keys.public_z85), AS_Z85_KEY_LEN);
    assert_int_equal(strlen(keys.secret_z85), AS_Z85_KEY_LEN);
    assert_int_equal(as_keypair_save(&keys, dir, "reception@jinan-01"), 0);

    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/reception@jinan-01.key", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(as_keypair_load(path, &loaded), 0);
    assert_string_equal(loaded.public_z85, keys.public_z85);
    assert_string_equal(loaded.secret_z85, keys.secret_z85);

    snprintf(path, sizeof path, "%s/reception@jinan-01.pub", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(as_keypair_load(path, &loaded), 0);
    assert_string_equal(loaded.public_z85, keys.public_z85);
    assert_string_equal(loaded.secret_z85, "");
}

static void test_keypair_save_refuses_overwrite(void **state)
{
    const char *dir = s_fresh_dir("overwrite");
    as_keypair_t first, second, loaded;
    assert_int_equal(as_keypair_generate(&first), 0);
    assert_int_equal(as_keypair_generate(&second), 0);
    assert_int_equal(as_keypair_save(&first, dir, "tools"), 0);
    assert_int_equal(as_keypair_save(&second, dir, "tools"), AS_EEXISTS);

    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/tools.key", dir);
    assert_int_equal(as_keypair_load(path, &loaded), 0);
    assert_string_equal(loaded.secret_z85, first.secret_z85);
    snprintf(path, sizeof path, "%s/tools.pub", dir);
    assert_int_equal(as_keypair_load(path, &loaded), 0);
    assert_string_equal(loaded.public_z85, first.public_z85);
}

static void test_keypair_save_rejects_bad_input(void **state)
{
    const char *dir = s_fresh_dir("badsave");
    as_keypair_t keys, other;
    assert_int_equal(as_keypair_generate(&keys), 0);
    assert_int_equal(as_keypair_generate(&other), 0);
    assert_int_equal(as_keypair_save(&keys, dir, ""), AS_EINVALID);
    assert_int_equal(as_keypair_save(&keys, dir, "../escape"), AS_EINVALID);
    assert_int_equal(as_keypair_save(&keys, dir, "a b"), AS_EINVALID);
    /* "local" is every ipc:// connection's identity: no key may take it */
    assert_int_equal(as_keypair_save(&keys, dir, "local"), AS_EINVALID);

    as_keypair_t public_only = keys;
    public_only.secret_z85[0] = '\0';
    assert_int_equal(as_keypair_save(&public_only, dir, "nosecret"), AS_EINVALID);

    as_keypair_t mismatched = keys;
    memcpy(mismatched.secret_z85, other.secret_z85, sizeof mismatched.secret_z85);
    assert_int_equal(as_keypair_save(&mismatched, dir, "mismatch"), AS_EINVALID);

    assert_int_equal(as_keypair_save(&keys, "/nonexistent/dir", "x"), -ENOENT);
}

static void test_keypair_load_rejects_bad_files(void **state)
{
    const char *dir = s_fresh_dir("badload");
    as_keypair_t keys, other, loaded;
    assert_int_equal(as_keypair_generate(&keys), 0);
    assert_int_equal(as_keypair_generate(&other), 0);
    char text[512], path[PATH_MAX];

    snprintf(path, sizeof path, "%s/missing.key", dir);
    assert_int_equal(as_keypair_load(path, &loaded), -ENOENT);

    static const struct {
        const char *name, *text;
    } bad[] = {
        {"empty.pub", ""},
        {"garbage.pub", "this is not a key\n"},
        {"short.pub", "public = abc\n"},
        {"badchars.pub",
         "public = "
         "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\n"},
        {"nopublic.key", "# only a comment\nsecret = 0000000000000000000000000000000000000000\n"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s_write_file(dir, bad[i].name, bad[i].text);
        snprintf(path, sizeof path, "%s/%s", dir, bad[i].name);
        assert_int_equal(as_keypair_load(path, &loaded), AS_EINVALID);
        assert_string_equal(loaded.public_z85, "");
    }

    /* a secret that does not belong to the public key */
    snprintf(text, sizeof text, "public = %s\nsecret = %s\n", keys.public_z85, other.secret_z85);
    s_write_file(dir, "mismatch.key", text);
    snprintf(path, sizeof path, "%s/mismatch.key", dir);
    assert_int_equal(as_keypair_load(path, &loaded), AS_EINVALID);

    /* a directory is not a key file */
    snprintf(path, sizeof path, "%s/dir.pub", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(as_keypair_load(path, &loaded), AS_EINVALID);

    /* hand-written with odd spacing, comments and CRLF is fine */
    snprintf(text, sizeof text, "# copied by hand\r\n\r\n  public=%s  \r\n", keys.public_z85);
    s_write_file(dir, "spaced.pub", text);
    snprintf(path, sizeof path, "%s/spaced.pub", dir);
    assert_int_equal(as_keypair_load(path, &loaded), 0);
    assert_string_equal(loaded.public_z85, keys.public_z85);
}

/* ---- the ZAP handler ------------------------------------------------------ */

typedef struct s_fixture {
    const char *dir;     /* keys directory */
    as_keypair_t server; /* the ROUTER's keys */
    as_keypair_t alice;  /* a listed client */
    void *zctx;          /* one context per test */
    as_zap_t *zap;       /* handler on zctx */
    void *router;        /* CURVE server on tcp */
    char endpoint[256];  /* where the router listens */
} s_fixture_t;

static int s_zap_setup(void **state)
{
    s_fixture_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->dir = strdup(s_fresh_dir("zap"));
    assert_int_equal(as_keypair_generate(&fx->server), 0);
    assert_int_equal(as_keypair_generate(&fx->alice), 0);
    assert_int_equal(as_keypair_save(&fx->server, fx->dir, "workshop"), 0);
    assert_int_equal(as_keypair_save(&fx->alice, fx->dir, "alice"), 0);
    s_write_file(fx->dir, "broken.pub", "not a key\n"); /* skipped, not fatal */

    fx->zctx = zmq_ctx_new();
    assert_non_null(fx->zctx);
    int err = 0;
    fx->zap = as_zap_new(fx->zctx, fx->dir, &err); /* before any bind */
    assert_non_null(fx->zap);
    assert_int_equal(err, 0);

    fx->router = s_socket(fx->zctx, ZMQ_ROUTER);
    assert_int_equal(as_curve_server(fx->router, &fx->server), 0);
    s_bind_ephemeral(fx->router, fx->endpoint, sizeof fx->endpoint);
    *state = fx;
    return 0;
}

static int s_zap_teardown(void **state)
{
    s_fixture_t *fx = *state;
    zmq_close(fx->router); /* servers close before the handler goes */
    as_zap_destroy(&fx->zap);
    assert_null(fx->zap);
    zmq_ctx_term(fx->zctx);
    free((char *)fx->dir);
    free(fx);
    return 0;
}

static void test_zap_admits_listed_key(void **state)
{
    s_fixture_t *fx = *state;
    void *client = s_socket(fx->zctx, ZMQ_DEALER);
    assert_int_equal(as_curve_client(client, &fx->alice, fx->server.public_z85), 0);
    assert_int_equal(zmq_connect(client, fx->endpoint), 0);
    s_expect_round_trip(fx->router, client, "alice");
    assert_int_equal(as_zap_admitted(fx->zap), 1);
    assert_int_equal(as_zap_refused(fx->zap), 0);
    zmq_close(client);
}

static void test_zap_refuses_unknown_key(void **state)
{
    s_fixture_t *fx = *state;
    as_keypair_t mallory;
    assert_int_equal(as_keypair_generate(&mallory), 0);
    void *client = s_socket(fx->zctx, ZMQ_DEALER);
    /* knows the server's public key, which is all libzmq needs without ZAP */
    assert_int_equal(as_curve_client(client, &mallory, fx->server.public_z85), 0);
    assert_int_equal(zmq_connect(client, fx->endpoint), 0);
    assert_int_equal(zmq_send(client, "ping", 4, 0), 4);

    zmq_pollitem_t item = {fx->router, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&item, 1, S_TIMEOUT_MS), 0); /* nothing reaches the server */
    char reply[16];
    assert_int_equal(zmq_recv(client, reply, sizeof reply, 0), -1);
    assert_int_equal(zmq_errno(), EAGAIN);

    for (int waited = 0; as_zap_refused(fx->zap) == 0 && waited < 5000; waited += 10)
        s_sleep_ms(10);
    assert_true(as_zap_refused(fx->zap) >= 1);
    assert_int_equal(as_zap_admitted(fx->zap), 0);
    zmq_close(client);
}

/* A key file named local.pub is skipped: its holder would otherwise pass as
 * an ipc:// connection ("local"), which asbus does not hold to source owners. */
static void test_zap_refuses_key_named_local(void **state)
{
    s_fixture_t *fx = *state;
    as_keypair_t mallory;
    assert_int_equal(as_keypair_generate(&mallory), 0);
    char text[256];
    snprintf(text, sizeof text, "public = %s\n", mallory.public_z85);
    const char *dir = s_fresh_dir("zap-local");
    s_write_file(dir, "local.pub", text);
    void *zctx = zmq_ctx_new();
    int err = 0;
    as_zap_t *zap = as_zap_new(zctx, dir, &err);
    assert_non_null(zap);
    void *router = s_socket(zctx, ZMQ_ROUTER);
    assert_int_equal(as_curve_server(router, &fx->server), 0);
    char endpoint[256];
    s_bind_ephemeral(router, endpoint, sizeof endpoint);
    void *client = s_socket(zctx, ZMQ_DEALER);
    assert_int_equal(as_curve_client(client, &mallory, fx->server.public_z85), 0);
    assert_int_equal(zmq_connect(client, endpoint), 0);
    assert_int_equal(zmq_send(client, "ping", 4, 0), 4);
    zmq_pollitem_t item = {router, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&item, 1, S_TIMEOUT_MS), 0); /* nothing reaches the server */
    for (int waited = 0; as_zap_refused(zap) == 0 && waited < 5000; waited += 10)
        s_sleep_ms(10);
    assert_true(as_zap_refused(zap) >= 1);
    assert_int_equal(as_zap_admitted(zap), 0);
    zmq_close(client);
    zmq_close(router);
    as_zap_destroy(&zap);
    zmq_ctx_term(zctx);
}

static void test_zap_refuses_plain_tcp_client(void **state)
{
    s_fixture_t *fx = *state;
    void *client = s_socket(fx->zctx, ZMQ_DEALER); /* NULL mechanism against CURVE */
    assert_int_equal(zmq_connect(client, fx->endpoint), 0);
    assert_int_equal(zmq_send(client, "ping", 4, 0), 4);
    zmq_pollitem_t item = {fx->router, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&item, 1, S_TIMEOUT_MS / 2), 0);
    zmq_close(client);
}

static void test_zap_admits_null_as_local(void **state)
{
    s_fixture_t *fx = *state;
    char endpoint[PATH_MAX];
    snprintf(endpoint, sizeof endpoint, "ipc://%s/local.ipc", fx->dir);

    void *server = s_socket(fx->zctx, ZMQ_ROUTER);
    const char *domain = "aftersales"; /* what as_security_server sets on ipc */
    assert_int_equal(zmq_setsockopt(server, ZMQ_ZAP_DOMAIN, domain, strlen(domain)), 0);
    assert_int_equal(zmq_bind(server, endpoint), 0);
    void *client = s_socket(fx->zctx, ZMQ_DEALER);
    assert_int_equal(zmq_connect(client, endpoint), 0);
    s_expect_round_trip(server, client, "local");
    assert_int_equal(as_zap_admitted(fx->zap), 1);
    zmq_close(client);
    zmq_close(server);
}

static void test_zap_one_handler_per_context(void **state)
{
    s_fixture_t *fx = *state;
    int err = 0;
    as_zap_t *second = as_zap_new(fx->zctx, fx->dir, &err);
    assert_null(second);
    assert_int_equal(err, -EADDRINUSE);

    /* the failed attempt left the first handler in place */
    void *client = s_socket(fx->zctx, ZMQ_DEALER);
    assert_int_equal(as_curve_client(client, &fx->alice, fx->server.public_z85), 0);
    assert_int_equal(zmq_connect(client, fx->endpoint), 0);
    s_expect_round_trip(fx->router, client, "alice");
    zmq_close(client);
}

static void test_zap_missing_keys_dir(void **state)
{
    void *zctx = zmq_ctx_new();
    int err = 0;
    assert_null(as_zap_new(zctx, "/nonexistent/keys", &err));
    assert_int_equal(err, -ENOENT);
    /* the failed attempt released the ZAP endpoint */
    as_zap_t *zap = as_zap_new(zctx, s_fresh_dir("retry"), &err);
    assert_non_null(zap);
    as_zap_destroy(&zap);
    zmq_ctx_term(zctx);
}

/* ---- site security from the config ---------------------------------------- */

static as_config_t *s_config(const char *curve, const char *keys_dir, const char *identity)
{
    as_config_t *cfg = as_config_new();
    assert_non_null(cfg);
    if (curve)
        assert_int_equal(as_config_set(cfg, "security", "curve", curve), 0);
    if (keys_dir)
        assert_int_equal(as_config_set(cfg, "security", "keys_dir", keys_dir), 0);
    /* a process's own identity comes from the environment, not the shared file */
    if (identity)
        setenv("AS_IDENTITY", identity, 1);
    else
        unsetenv("AS_IDENTITY");
    return cfg;
}

static void test_security_off_is_a_no_op(void **state)
{
    as_config_t *cfg = s_config(NULL, NULL, NULL);
    int err = 0;
    as_security_t *sec = as_security_new(cfg, "reception", &err);
    assert_non_null(sec);
    assert_false(as_security_curve(sec));

    void *zctx = zmq_ctx_new();
    assert_int_equal(as_security_start(sec, zctx), 0);
    void *sock = s_socket(zctx, ZMQ_ROUTER);
    assert_int_equal(as_security_server(sec, sock, "tcp://127.0.0.1:*"), 0);
    assert_int_equal(as_security_client(sec, sock, "tcp://127.0.0.1:1", "workshop"), 0);
    int mechanism = -1;
    size_t len = sizeof mechanism;
    assert_int_equal(zmq_getsockopt(sock, ZMQ_MECHANISM, &mechanism, &len), 0);
    assert_int_equal(mechanism, ZMQ_NULL);
    zmq_close(sock);
    as_security_destroy(&sec);
    assert_null(sec);
    zmq_ctx_term(zctx);
    as_config_destroy(&cfg);
}

static void test_security_config_errors(void **state)
{
    const char *dir = s_fresh_dir("cfgerr");
    int err = 0;

    as_config_t *cfg = s_config("maybe", dir, NULL);
    assert_null(as_security_new(cfg, "parts", &err));
    assert_int_equal(err, AS_ECONFIG);
    as_config_destroy(&cfg);

    cfg = s_config("on", NULL, NULL); /* no keys_dir */
    err = 0;
    assert_null(as_security_new(cfg, "parts", &err));
    assert_int_equal(err, AS_ECONFIG);
    as_config_destroy(&cfg);

    cfg = s_config("on", dir, NULL); /* no parts.key */
    err = 0;
    assert_null(as_security_new(cfg, "parts", &err));
    assert_int_equal(err, AS_ECONFIG);
    as_config_destroy(&cfg);

    s_write_file(dir, "parts.key", "public = nonsense\n");
    cfg = s_config("on", dir, NULL); /* a bad parts.key */
    err = 0;
    assert_null(as_security_new(cfg, "parts", &err));
    assert_int_equal(err, AS_ECONFIG);
    as_config_destroy(&cfg);
}

static void test_security_curve_end_to_end(void **state)
{
    const char *dir = s_fresh_dir("site");
    as_keypair_t keys;
    assert_int_equal(as_keypair_generate(&keys), 0);
    assert_int_equal(as_keypair_save(&keys, dir, "warranty"), 0);
    assert_int_equal(as_keypair_generate(&keys), 0);
    assert_int_equal(as_keypair_save(&keys, dir, "asctl-li.wei"), 0);

    /* the daemon takes its identity from its service name ... */
    as_config_t *server_cfg = s_config("on", dir, NULL);
    int err = 0;
    as_security_t *server_sec = as_security_new(server_cfg, "warranty", &err);
    assert_non_null(server_sec);
    assert_true(as_security_curve(server_sec));
    /* ... the CLI from AS_IDENTITY */
    as_config_t *client_cfg = s_config("yes", dir, "asctl-li.wei");
    as_security_t *client_sec = as_security_new(client_cfg, "asctl", &err);
    assert_non_null(client_sec);

    void *zctx = zmq_ctx_new();
    assert_int_equal(as_security_start(server_sec, zctx), 0);
    assert_int_equal(as_security_start(server_sec, zctx), -EALREADY);

    /* one ROUTER on tcp (CURVE) and ipc (plain, identity "local") */
    void *router = s_socket(zctx, ZMQ_ROUTER);
    char tcp_endpoint[256], ipc_endpoint[PATH_MAX];
    assert_int_equal(as_security_server(server_sec, router, "tcp://127.0.0.1:*"), 0);
    s_bind_ephemeral(router, tcp_endpoint, sizeof tcp_endpoint);
    snprintf(ipc_endpoint, sizeof ipc_endpoint, "ipc://%s/warranty.ipc", dir);
    assert_int_equal(as_security_server(server_sec, router, ipc_endpoint), 0);
    assert_int_equal(zmq_bind(router, ipc_endpoint), 0);

    void *remote = s_socket(zctx, ZMQ_DEALER);
    assert_int_equal(as_security_client(client_sec, remote, tcp_endpoint, "warranty"), 0);
    assert_int_equal(zmq_connect(remote, tcp_endpoint), 0);
    s_expect_round_trip(router, remote, "asctl-li.wei");

    void *local = s_socket(zctx, ZMQ_DEALER);
    assert_int_equal(as_security_client(client_sec, local, ipc_endpoint, "warranty"), 0);
    assert_int_equal(zmq_connect(local, ipc_endpoint), 0);
    s_expect_round_trip(router, local, "local");

    /* a server whose .pub is not in the keys directory */
    void *stray = s_socket(zctx, ZMQ_DEALER);
    assert_int_equal(as_security_client(client_sec, stray, tcp_endpoint, "nobody"), AS_ECONFIG);
    assert_int_equal(as_security_client(client_sec, stray, tcp_endpoint, "../x"), AS_EINVALID);

    zmq_close(stray);
    zmq_close(local);
    zmq_close(remote);
    zmq_close(router);
    as_security_destroy(&client_sec);
    as_security_destroy(&server_sec);
    zmq_ctx_term(zctx);
    as_config_destroy(&client_cfg);
    as_config_destroy(&server_cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keypair_round_trip),
        cmocka_unit_test(test_keypair_save_refuses_overwrite),
        cmocka_unit_test(test_keypair_save_rejects_bad_input),
        cmocka_unit_test(test_keypair_load_rejects_bad_files),
        cmocka_unit_test_setup_teardown(test_zap_admits_listed_key, s_zap_setup, s_zap_teardown),
        cmocka_unit_test_setup_teardown(test_zap_refuses_unknown_key, s_zap_setup, s_zap_teardown),
        cmocka_unit_test_setup_teardown(test_zap_refuses_key_named_local, s_zap_setup,
                                        s_zap_teardown),
        cmocka_unit_test_setup_teardown(test_zap_refuses_plain_tcp_client, s_zap_setup,
                                        s_zap_teardown),
        cmocka_unit_test_setup_teardown(test_zap_admits_null_as_local, s_zap_setup, s_zap_teardown),
        cmocka_unit_test_setup_teardown(test_zap_one_handler_per_context, s_zap_setup,
                                        s_zap_teardown),
        cmocka_unit_test(test_zap_missing_keys_dir),
        cmocka_unit_test(test_security_off_is_a_no_op),
        cmocka_unit_test(test_security_config_errors),
        cmocka_unit_test(test_security_curve_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
