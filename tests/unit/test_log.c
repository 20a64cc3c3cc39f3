/* test_log.c — the lines as_log() writes to stderr, captured in a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define S_TIMESTAMP "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z"

static char s_capture_path[PATH_MAX];
static int s_saved_stderr = -1;

/* mkdir -p for the directory AS_TEST_TMP names. */
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
    s_mkdir_p(tmp);
    snprintf(s_capture_path, sizeof(s_capture_path), "%s/test_log-%ld.txt", tmp, (long)getpid());
    unsetenv("AS_LOG");
    return 0;
}

/* Sends stderr to a fresh file until s_capture_end(). */
static void s_capture_begin(void)
{
    int fd = open(s_capture_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    assert_true(fd >= 0);
    fflush(stderr);
    s_saved_stderr = dup(STDERR_FILENO);
    assert_true(s_saved_stderr >= 0);
    assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    close(fd);
}

/* Restores stderr and returns what was written to it (caller frees). */
static char *s_capture_end(void)
{
    fflush(stderr);
    assert_int_equal(dup2(s_saved_stderr, STDERR_FILENO), STDERR_FILENO);
    close(s_saved_stderr);
    s_saved_stderr = -1;

    FILE *file = fopen(s_capture_path, "r");
    assert_non_null(file);
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    rewind(file);
    char *text = calloc(1, (size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, file), (size_t)size);
    fclose(file);
    unlink(s_capture_path);
    return text;
}

static size_t s_count_lines(const char *text)
{
    size_t lines = 0;
    for (const char *p = text; *p; p++) {
        lines += (*p == '\n');
    }
    return lines;
}

static void s_assert_matches(const char *text, const char *pattern)
{
    regex_t regex;
    assert_int_equal(regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB), 0);
    int rc = regexec(&regex, text, 0, NULL, 0);
    regfree(&regex);
    if (rc != 0) {
        fail_msg("'%s' does not match '%s'", text, pattern);
    }
}

static void test_line_format(void **state)
{
    (void)state;
    as_log_init("test_log", AS_LOG_INFO);
    time_t before = time(NULL);
    s_capture_begin();
    as_info("repair order %s opened, %d lines", "RO-1001", 3);
    char *out = s_capture_end();

    char pattern[256];
    snprintf(pattern, sizeof(pattern),
             "^" S_TIMESTAMP " test_log\\[%ld\\] info: repair order RO-1001 opened, 3 lines\n$",
             (long)getpid());
    s_assert_matches(out, pattern);

    /* The timestamp is the current time in UTC. */
    struct tm tm = {0};
    assert_non_null(strptime(out, "%Y-%m-%dT%H:%M:%S", &tm));
    time_t logged = timegm(&tm);
    assert_true(logged >= before - 1 && logged <= time(NULL) + 1);
    free(out);
}

static void test_level_names(void **state)
{
    (void)state;
    as_log_init("test_log", AS_LOG_DEBUG);
    s_capture_begin();
    as_debug("d");
    as_info("i");
    as_warn("w");
    as_error("e");
    char *out = s_capture_end();
    s_assert_matches(out, "^[^\n]* debug: d\n[^\n]* info: i\n[^\n]* warn: w\n[^\n]* error: e\n$");
    free(out);
}

static void test_level_filtering(void **state)
{
    (void)state;
    as_log_init("test_log", AS_LOG_WARN);
    s_capture_begin();
    as_debug("hidden debug");
    as_info("hidden info");
    as_warn("shown warn");
    as_error("shown error");
    char *out = s_capture_end();
    assert_int_equal(s_count_lines(out), 2);
    assert_null(strstr(out, "hidden"));
    s_assert_matches(out, " warn: shown warn\n.* error: shown error\n$");
    free(out);
}

static void test_env_overrides_level(void **state)
{
    (void)state;
    setenv("AS_LOG", "debug", 1);
    as_log_init("test_log", AS_LOG_ERROR);
    s_capture_begin();
    as_debug("debug via env");
    char *out = s_capture_end();
    s_assert_matches(out, " debug: debug via env\n$");
    free(out);

    setenv("AS_LOG", "ERROR", 1);
    as_log_init("test_log", AS_LOG_DEBUG);
    s_capture_begin();
    as_warn("filtered");
    as_error("kept");
    out = s_capture_end();
    assert_int_equal(s_count_lines(out), 1);
    s_assert_matches(out, " error: kept\n$");
    free(out);
    unsetenv("AS_LOG");
}

static void test_env_invalid_is_reported(void **state)
{
    (void)state;
    setenv("AS_LOG", "loud", 1);
    s_capture_begin();
    as_log_init("test_log", AS_LOG_INFO);
    as_debug("filtered");
    as_info("kept");
    char *out = s_capture_end();
    unsetenv("AS_LOG");
    assert_int_equal(s_count_lines(out), 2);
    s_assert_matches(out, "^[^\n]* warn: AS_LOG='loud' is not a level[^\n]*using info\n"
                          "[^\n]* info: kept\n$");
    free(out);
}

static void test_level_parse(void **state)
{
    (void)state;
    assert_int_equal(as_log_level_parse("debug"), AS_LOG_DEBUG);
    assert_int_equal(as_log_level_parse("info"), AS_LOG_INFO);
    assert_int_equal(as_log_level_parse("warn"), AS_LOG_WARN);
    assert_int_equal(as_log_level_parse("error"), AS_LOG_ERROR);
    assert_int_equal(as_log_level_parse("Warn"), AS_LOG_WARN);
    assert_int_equal(as_log_level_parse("verbose"), -1);
    assert_int_equal(as_log_level_parse(""), -1);
    assert_int_equal(as_log_level_parse("info "), -1);
    assert_int_equal(as_log_level_parse(NULL), -1);
}

static void test_long_line_is_truncated(void **state)
{
    (void)state;
    as_log_init("test_log", AS_LOG_INFO);
    char *text = malloc(20000);
    assert_non_null(text);
    memset(text, 'x', 19999);
    text[19999] = '\0';
    s_capture_begin();
    as_info("%s", text);
    char *out = s_capture_end();
    free(text);
    size_t len = strlen(out);
    assert_int_equal(s_count_lines(out), 1);
    assert_true(len <= PIPE_BUF);
    assert_true(len > PIPE_BUF - 100);
    assert_string_equal(out + len - 5, "x...\n");
    free(out);
}

static void test_truncation_keeps_utf8_whole(void **state)
{
    (void)state;
    as_log_init("test_log", AS_LOG_INFO);
    char text[10001];
    for (size_t i = 0; i < 5000; i++) {
        memcpy(text + 2 * i, "\xc3\xa9", 2); /* é */
    }
    text[10000] = '\0';
    s_capture_begin();
    as_info("%s", text);
    char *out = s_capture_end();
    const char *message = strstr(out, " info: ") + strlen(" info: ");
    size_t message_len = strlen(message) - strlen("...\n");
    assert_string_equal(message + message_len, "...\n");
    assert_int_equal(message_len % 2, 0);
    assert_memory_equal(message, text, message_len);
    free(out);
}

static void test_control_characters_stay_on_one_line(void **state)
{
    (void)state;
    as_log_init("test_log", AS_LOG_INFO);
    s_capture_begin();
    as_warn("vin '%s' rejected", "JN1\n2026-01-01T00:00:00.000000Z forged[1] error: x\r");
    char *out = s_capture_end();
    assert_int_equal(s_count_lines(out), 1);
    assert_null(strchr(out, '\r'));
    s_assert_matches(out, " warn: vin 'JN1 2026-01-01T00:00:00.000000Z forged\\[1\\] error: x ' "
                          "rejected\n$");
    free(out);
}

static void test_program_name_from_path(void **state)
{
    (void)state;
    as_log_init("/usr/local/bin/reception", AS_LOG_INFO);
    s_capture_begin();
    as_info("up");
    char *out = s_capture_end();
    char pattern[128];
    snprintf(pattern, sizeof(pattern), "^" S_TIMESTAMP " reception\\[%ld\\] info: up\n$",
             (long)getpid());
    s_assert_matches(out, pattern);
    free(out);
}

static void test_errno_is_preserved(void **state)
{
    (void)state;
    as_log_init("test_log", AS_LOG_INFO);
    s_capture_begin();
    errno = ENOENT;
    as_error("open site.ini: %m");
    int after_logged = errno;
    errno = EACCES;
    as_debug("filtered");
    int after_filtered = errno;
    char *out = s_capture_end();
    assert_int_equal(after_logged, ENOENT);
    assert_int_equal(after_filtered, EACCES);
    s_assert_matches(out, " error: open site.ini: No such file or directory\n$");
    free(out);
}

#define S_THREADS 4
#define S_LINES_PER_THREAD 250

static void *s_log_many(void *arg)
{
    char filler[1500];
    memset(filler, 'a' + (int)(intptr_t)arg, sizeof(filler) - 1);
    filler[sizeof(filler) - 1] = '\0';
    for (int i = 0; i < S_LINES_PER_THREAD; i++) {
        as_info("thread %d line %d %s end", (int)(intptr_t)arg, i, filler);
    }
    return NULL;
}

static void test_threads_write_whole_lines(void **state)
{
    (void)state;
    as_log_init("test_log", AS_LOG_INFO);
    pthread_t threads[S_THREADS];
    s_capture_begin();
    for (intptr_t i = 0; i < S_THREADS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, s_log_many, (void *)i), 0);
    }
    for (int i = 0; i < S_THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    char *out = s_capture_end();
    assert_int_equal(s_count_lines(out), S_THREADS * S_LINES_PER_THREAD);

    regex_t regex;
    assert_int_equal(regcomp(&regex,
                             "^" S_TIMESTAMP " test_log\\[[0-9]+\\] info: thread ([0-9]) line "
                             "[0-9]+ (a+|b+|c+|d+) end$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (regexec(&regex, line, 0, NULL, 0) != 0) {
            regfree(&regex);
            fail_msg("torn line: '%.120s...'", line);
        }
    }
    regfree(&regex);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_format),
        cmocka_unit_test(test_level_names),
        cmocka_unit_test(test_level_filtering),
        cmocka_unit_test(test_env_overrides_level),
        cmocka_unit_test(test_env_invalid_is_reported),
        cmocka_unit_test(test_level_parse),
        cmocka_unit_test(test_long_line_is_truncated),
        cmocka_unit_test(test_truncation_keeps_utf8_whole),
        cmocka_unit_test(test_control_characters_stay_on_one_line),
        cmocka_unit_test(test_program_name_from_path),
        cmocka_unit_test(test_errno_is_preserved),
        cmocka_unit_test(test_threads_write_whole_lines),
    };
    return cmocka_run_group_tests(tests, s_setup, NULL);
}
