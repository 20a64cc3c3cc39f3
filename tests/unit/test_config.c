/* test_config.c — loading site files, expansion, typed getters, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/config.h"
#include "as/error.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_dir[PATH_MAX];

/* mkdir -p */
static void s_mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0700);
            *p = '/';
        }
    }
    if (mkdir(buf, 0700) < 0) {
        assert_int_equal(errno, EEXIST);
    }
}

static int s_setup(void **state)
{
    (void)state;
    const char *tmp = getenv("AS_TEST_TMP");
    if (!tmp || !*tmp) {
        tmp = "/tmp";
    }
    snprintf(s_dir, sizeof(s_dir), "%s/test_config-%ld", tmp, (long)getpid());
    s_mkdir_p(s_dir);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    rmdir(s_dir);
    return 0;
}

/* Writes `text` to a file named `name` in the test directory; returns its
 * path in a static buffer. */
static const char *s_write(const char *name, const char *text)
{
    static char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", s_dir, name);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    assert_int_equal(fputs(text, file) >= 0, 1);
    assert_int_equal(fclose(file), 0);
    return path;
}

/* Loads `text` and expects failure with exactly "<path>:<suffix>". */
static void s_assert_load_fails(const char *text, const char *suffix)
{
    const char *path = s_write("bad.ini", text);
    char *err = NULL;
    as_config_t *config = as_config_load(path, &err);
    assert_null(config);
    assert_non_null(err);
    char expected[2 * PATH_MAX];
    snprintf(expected, sizeof(expected), "%s:%s", path, suffix);
    assert_string_equal(err, expected);
    free(err);
    unlink(path);
}

static as_config_t *s_load(const char *text)
{
    const char *path = s_write("site.ini", text);
    char *err = NULL;
    as_config_t *config = as_config_load(path, &err);
    if (!config) {
        fail_msg("load failed: %s", err ? err : "(no message)");
    }
    assert_null(err);
    unlink(path);
    return config;
}

static void test_missing_file(void **state)
{
    (void)state;
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/absent.ini", s_dir);
    char *err = (char *)"untouched";
    assert_null(as_config_load(path, &err));
    char expected[2 * PATH_MAX];
    snprintf(expected, sizeof(expected), "%s: cannot open: No such file or directory", path);
    assert_string_equal(err, expected);
    free(err);
    assert_null(as_config_load(path, NULL)); /* no message wanted */
}

static void test_directory_is_not_a_file(void **state)
{
    (void)state;
    char *err = NULL;
    assert_null(as_config_load(s_dir, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, ": cannot read: Is a directory"));
    free(err);
}

static void test_syntax_errors_name_the_line(void **state)
{
    (void)state;
    s_assert_load_fails("[site]\nname = north\nthis line has no equals sign\nok = 1\n",
                        "3: syntax error (expected '[section]' or 'key = value')");
    s_assert_load_fails("; comment\n[site\nname = north\n",
                        "2: syntax error (expected '[section]' or 'key = value')");
    s_assert_load_fails("[site]\n= value without key\n",
                        "2: a key name is missing before the value");
    /* The first error wins, whichever check finds it. */
    s_assert_load_fails("[a]\nx = 1\nbroken\nx = 2\n",
                        "3: syntax error (expected '[section]' or 'key = value')");
}

static void test_duplicate_key(void **state)
{
    (void)state;
    s_assert_load_fails("[store]\npath = /a\n\n[store]\npath = /b\n",
                        "5: key 'path' in [store] is set twice (first on line 2)");
}

static void test_long_line(void **state)
{
    (void)state;
    char text[1024];
    char long_value[400];
    memset(long_value, 'v', sizeof(long_value) - 1);
    long_value[sizeof(long_value) - 1] = '\0';
    snprintf(text, sizeof(text), "[a]\nshort = 1\nlong = %s\nnext = 2\n", long_value);
    const char *path = s_write("long.ini", text);
    char *err = NULL;
    assert_null(as_config_load(path, &err));
    char expected[2 * PATH_MAX];
    snprintf(expected, sizeof(expected), "%s:3: line is longer than ", path);
    assert_non_null(err);
    assert_memory_equal(err, expected, strlen(expected));
    free(err);
    unlink(path);
}

static void test_file_layout(void **state)
{
    (void)state;
    const char *path = s_write("layout.ini", "\xEF\xBB\xBF"
                                             "site = north ; the dealership\n"
                                             "# a comment\n"
                                             "[reception]\n"
                                             "endpoint = ipc:///run/as/reception\n"
                                             "greeting: hello;world\n"
                                             "\n"
                                             "[empty]\n"
                                             "; nothing here\n"
                                             "[notes]\n"
                                             "text = first\n"
                                             "  second\n"
                                             "\n"
                                             "  third\n");
    char *err = NULL;
    as_config_t *config = as_config_load(path, &err);
    assert_non_null(config);
    assert_null(err);
    assert_string_equal(as_config_path(config), path);
    assert_string_equal(as_config_get(config, "", "site", NULL), "north");
    assert_string_equal(as_config_get(config, "reception", "endpoint", NULL),
                        "ipc:///run/as/reception");
    assert_string_equal(as_config_get(config, "reception", "greeting", NULL), "hello;world");
    assert_string_equal(as_config_get(config, "notes", "text", NULL), "first\nsecond\nthird");
    assert_null(as_config_get(config, "reception", "absent", NULL));
    assert_string_equal(as_config_get(config, "reception", "absent", "dflt"), "dflt");
    assert_null(as_config_get(config, "absent", "endpoint", NULL));

    assert_true(as_config_has_section(config, "reception"));
    assert_true(as_config_has_section(config, "empty"));
    assert_true(as_config_has_section(config, ""));
    assert_false(as_config_has_section(config, "absent"));
    as_config_destroy(&config);
    assert_null(config);
    unlink(path);
}

static void test_new_and_destroy(void **state)
{
    (void)state;
    as_config_t *config = as_config_new();
    assert_non_null(config);
    assert_null(as_config_path(config));
    assert_false(as_config_has_section(config, "site"));
    assert_int_equal(as_config_set(config, "site", "name", "north"), 0);
    assert_true(as_config_has_section(config, "site"));
    as_config_destroy(&config);
    assert_null(config);
    as_config_destroy(&config); /* destroying NULL is harmless */
}

static void test_set_replaces(void **state)
{
    (void)state;
    as_config_t *config = s_load("[site]\nname = north\n");
    assert_int_equal(as_config_set(config, "site", "name", "south"), 0);
    assert_string_equal(as_config_get(config, "site", "name", NULL), "south");
    assert_int_equal(as_config_set(config, "site", "city", "Lyon"), 0);
    assert_string_equal(as_config_get(config, "site", "city", NULL), "Lyon");
    assert_string_equal(as_config_get(config, "site", "name", NULL), "south");
    as_config_destroy(&config);
}

static void test_integers(void **state)
{
    (void)state;
    as_config_t *config = s_load("[n]\n"
                                 "plain = 42\n"
                                 "negative = -3\n"
                                 "kilo = 4k\n"
                                 "mega = 2M\n"
                                 "giga = 1G\n"
                                 "upper = 3K\n"
                                 "spaced = \" 7 \"\n"
                                 "zero = 0\n"
                                 "word = twelve\n"
                                 "tail = 12x\n"
                                 "fraction = 1.5\n"
                                 "suffix_only = k\n"
                                 "two_suffixes = 1kk\n"
                                 "hex = 0x10\n"
                                 "huge = 99999999999999999999\n"
                                 "huge_suffix = 9000000000000G\n"
                                 "empty =\n");
    long long value = 0;
    assert_int_equal(as_config_get_int(config, "n", "plain", 0, &value), 0);
    assert_int_equal(value, 42);
    assert_int_equal(as_config_get_int(config, "n", "negative", 0, &value), 0);
    assert_int_equal(value, -3);
    assert_int_equal(as_config_get_int(config, "n", "kilo", 0, &value), 0);
    assert_int_equal(value, 4096);
    assert_int_equal(as_config_get_int(config, "n", "mega", 0, &value), 0);
    assert_int_equal(value, 2LL * 1024 * 1024);
    assert_int_equal(as_config_get_int(config, "n", "giga", 0, &value), 0);
    assert_int_equal(value, 1024LL * 1024 * 1024);
    assert_int_equal(as_config_get_int(config, "n", "upper", 0, &value), 0);
    assert_int_equal(value, 3072);
    assert_int_equal(as_config_get_int(config, "n", "zero", 5, &value), 0);
    assert_int_equal(value, 0);
    assert_int_equal(as_config_get_int(config, "n", "absent", 77, &value), 0);
    assert_int_equal(value, 77);

    /* inih keeps quotes, so " 7 " is not a number. */
    static const char *const bad[] = {"spaced",       "word", "tail", "fraction",    "suffix_only",
                                      "two_suffixes", "hex",  "huge", "huge_suffix", "empty"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        value = 0;
        assert_int_equal(as_config_get_int(config, "n", bad[i], -1, &value), AS_EINVALID);
        assert_int_equal(value, -1); /* the default, so a caller ignoring rc is safe */
    }

    assert_int_equal(as_config_set(config, "n", "set", "  8k  "), 0);
    assert_int_equal(as_config_get_int(config, "n", "set", 0, &value), 0);
    assert_int_equal(value, 8192);
    as_config_destroy(&config);
}

static void test_booleans(void **state)
{
    (void)state;
    as_config_t *config = s_load("[b]\n"
                                 "a = yes\nb = TRUE\nc = on\nd = 1\n"
                                 "e = no\nf = False\ng = off\nh = 0\n"
                                 "bad = maybe\nbad2 = 2\nbad3 = yess\nempty =\n");
    static const char *const truths[] = {"a", "b", "c", "d"};
    static const char *const lies[] = {"e", "f", "g", "h"};
    bool value;
    for (size_t i = 0; i < 4; i++) {
        value = false;
        assert_int_equal(as_config_get_bool(config, "b", truths[i], false, &value), 0);
        assert_true(value);
        value = true;
        assert_int_equal(as_config_get_bool(config, "b", lies[i], true, &value), 0);
        assert_false(value);
    }
    static const char *const bad[] = {"bad", "bad2", "bad3", "empty"};
    for (size_t i = 0; i < 4; i++) {
        value = false;
        assert_int_equal(as_config_get_bool(config, "b", bad[i], true, &value), AS_EINVALID);
        assert_true(value);
    }
    value = false;
    assert_int_equal(as_config_get_bool(config, "b", "absent", true, &value), 0);
    assert_true(value);
    as_config_destroy(&config);
}

static void test_lists(void **state)
{
    (void)state;
    as_config_t *config = s_load("[l]\n"
                                 "peers = a , ,b,, c \n"
                                 "blanks = , ,,\n"
                                 "one = solo\n"
                                 "lines =\n"
                                 "    north,\n"
                                 "    south\n"
                                 "    east\n");
    char **items = NULL;
    assert_int_equal(as_config_get_list(config, "l", "peers", &items), 3);
    assert_string_equal(items[0], "a");
    assert_string_equal(items[1], "b");
    assert_string_equal(items[2], "c");
    assert_null(items[3]);
    as_config_list_free(&items);
    assert_null(items);

    assert_int_equal(as_config_get_list(config, "l", "blanks", &items), 0);
    assert_non_null(items);
    assert_null(items[0]);
    as_config_list_free(&items);

    assert_int_equal(as_config_get_list(config, "l", "absent", &items), 0);
    assert_non_null(items);
    assert_null(items[0]);
    as_config_list_free(&items);

    assert_int_equal(as_config_get_list(config, "l", "one", &items), 1);
    assert_string_equal(items[0], "solo");
    as_config_list_free(&items);

    assert_int_equal(as_config_get_list(config, "l", "lines", &items), 3);
    assert_string_equal(items[0], "north");
    assert_string_equal(items[1], "south");
    assert_string_equal(items[2], "east");
    as_config_list_free(&items);
    as_config_list_free(&items); /* freeing twice is harmless once nulled */
    as_config_list_free(NULL);
    as_config_destroy(&config);
}

static void test_expansion(void **state)
{
    (void)state;
    as_config_t *config = s_load("[paths]\n"
                                 "root = /srv/as\n"
                                 "data = ${root}/data\n"
                                 "[store.lmdb]\n"
                                 "map_size = 64\n"
                                 "[reception]\n"
                                 "store = ${paths.data}/reception\n"
                                 "map = ${store.lmdb.map_size}M\n"
                                 "twice = ${paths.root}:${paths.root}\n"
                                 "open = ${paths.root\n"
                                 "dollar = cost $5 {ok}\n"
                                 "peers = ${paths.root}/a, ${paths.root}/b\n");
    assert_string_equal(as_config_get(config, "paths", "data", NULL), "/srv/as/data");
    assert_string_equal(as_config_get(config, "reception", "store", NULL),
                        "/srv/as/data/reception");
    assert_string_equal(as_config_get(config, "reception", "twice", NULL), "/srv/as:/srv/as");
    assert_string_equal(as_config_get(config, "reception", "open", NULL), "${paths.root");
    assert_string_equal(as_config_get(config, "reception", "dollar", NULL), "cost $5 {ok}");

    long long map = 0;
    assert_int_equal(as_config_get_int(config, "reception", "map", 0, &map), 0);
    assert_int_equal(map, 64LL * 1024 * 1024);

    char **items = NULL;
    assert_int_equal(as_config_get_list(config, "reception", "peers", &items), 2);
    assert_string_equal(items[0], "/srv/as/a");
    assert_string_equal(items[1], "/srv/as/b");
    as_config_list_free(&items);

    /* The same expansion twice is the same cached string. */
    const char *store = as_config_get(config, "reception", "store", NULL);
    assert_ptr_equal(store, as_config_get(config, "reception", "store", NULL));
    as_config_destroy(&config);
}

static void test_expansion_follows_changes(void **state)
{
    (void)state;
    as_config_t *config = s_load("[paths]\nroot = /srv/as\ndata = ${root}/data\n");
    const char *before = as_config_get(config, "paths", "data", NULL);
    assert_string_equal(before, "/srv/as/data");
    assert_int_equal(as_config_set(config, "paths", "root", "/var/lib/as"), 0);
    const char *after = as_config_get(config, "paths", "data", NULL);
    assert_string_equal(after, "/var/lib/as/data");
    /* The key itself was not set, so the earlier pointer is still valid. */
    assert_string_equal(before, "/srv/as/data");

    /* A reference added with as_config_set() to a missing key reads as "". */
    assert_int_equal(as_config_set(config, "paths", "data", "${paths.nowhere}/data"), 0);
    assert_string_equal(as_config_get(config, "paths", "data", NULL), "/data");
    as_config_destroy(&config);
}

static void test_env_expansion(void **state)
{
    (void)state;
    setenv("AS_TEST_CONFIG_HOME", "/home/svc", 1);
    setenv("AS_TEST_CONFIG_TRICK", "${site.secret}", 1);
    unsetenv("AS_TEST_CONFIG_UNSET");
    as_config_t *config = s_load("[site]\n"
                                 "secret = hidden\n"
                                 "home = ${env:AS_TEST_CONFIG_HOME}/as\n"
                                 "unset = [${env:AS_TEST_CONFIG_UNSET}]\n"
                                 "literal = ${env:AS_TEST_CONFIG_TRICK}\n");
    assert_string_equal(as_config_get(config, "site", "home", NULL), "/home/svc/as");
    assert_string_equal(as_config_get(config, "site", "unset", NULL), "[]");
    /* Environment text is never expanded again. */
    assert_string_equal(as_config_get(config, "site", "literal", NULL), "${site.secret}");

    /* The environment is read at get time; older pointers stay valid. */
    const char *first = as_config_get(config, "site", "home", NULL);
    setenv("AS_TEST_CONFIG_HOME", "/opt", 1);
    assert_string_equal(as_config_get(config, "site", "home", NULL), "/opt/as");
    assert_string_equal(first, "/home/svc/as");
    as_config_destroy(&config);
    unsetenv("AS_TEST_CONFIG_HOME");
    unsetenv("AS_TEST_CONFIG_TRICK");
}

static void test_missing_reference_fails_load(void **state)
{
    (void)state;
    s_assert_load_fails("[paths]\nroot = /srv\n[store]\ndir = ${paths.rot}/store\n",
                        "4: '${paths.rot}' refers to a key that is not set");
}

static void test_cycle_fails_load(void **state)
{
    (void)state;
    s_assert_load_fails("[a]\nok = 1\nx = ${a.y}\ny = ${b.z}\n[b]\nz = ${a.x}\n",
                        "6: '${a.x}' nests more than 8 levels deep (a cycle?)");
    s_assert_load_fails("[a]\nself = <${self}>\n",
                        "2: '${self}' nests more than 8 levels deep (a cycle?)");
}

static void test_cycle_at_get_returns_raw(void **state)
{
    (void)state;
    as_config_t *config = s_load("[a]\nx = ${a.y}!\ny = 1\n");
    assert_string_equal(as_config_get(config, "a", "x", NULL), "1!");
    assert_int_equal(as_config_set(config, "a", "y", "${a.x}"), 0);
    assert_string_equal(as_config_get(config, "a", "x", NULL), "${a.y}!");
    assert_string_equal(as_config_get(config, "a", "y", NULL), "${a.x}");
    long long value = 0;
    assert_int_equal(as_config_get_int(config, "a", "y", 3, &value), AS_EINVALID);
    as_config_destroy(&config);
}

static void test_depth_limit(void **state)
{
    (void)state;
    /* v0 refers to v1 ... v8: eight references deep, the most allowed. */
    char text[512] = "[c]\n";
    for (int i = 0; i < 8; i++) {
        size_t len = strlen(text);
        snprintf(text + len, sizeof(text) - len, "v%d = ${v%d}\n", i, i + 1);
    }
    strcat(text, "v8 = bottom\n");
    as_config_t *config = s_load(text);
    assert_string_equal(as_config_get(config, "c", "v0", NULL), "bottom");
    /* One more level is too deep: the raw value comes back. */
    assert_int_equal(as_config_set(config, "c", "v8", "${v9}"), 0);
    assert_int_equal(as_config_set(config, "c", "v9", "bottom"), 0);
    assert_string_equal(as_config_get(config, "c", "v0", NULL), "${v1}");
    assert_string_equal(as_config_get(config, "c", "v1", NULL), "bottom");
    as_config_destroy(&config);

    strcpy(text + strlen(text) - strlen("v8 = bottom\n"), "v8 = ${v9}\nv9 = bottom\n");
    s_assert_load_fails(text, "10: '${v9}' nests more than 8 levels deep (a cycle?)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_directory_is_not_a_file),
        cmocka_unit_test(test_syntax_errors_name_the_line),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_file_layout),
        cmocka_unit_test(test_new_and_destroy),
        cmocka_unit_test(test_set_replaces),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_expansion),
        cmocka_unit_test(test_expansion_follows_changes),
        cmocka_unit_test(test_env_expansion),
        cmocka_unit_test(test_missing_reference_fails_load),
        cmocka_unit_test(test_cycle_fails_load),
        cmocka_unit_test(test_cycle_at_get_returns_raw),
        cmocka_unit_test(test_depth_limit),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
