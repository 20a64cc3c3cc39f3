/* log.c — one line per event to stderr.
 *
 * Each line is built in a stack buffer and handed to a single write(2), so
 * lines from several threads (or processes sharing stderr) never interleave:
 * the buffer is PIPE_BUF bytes, which POSIX guarantees to be atomic on pipes,
 * and regular files opened with O_APPEND behave the same on Linux. Longer
 * messages are cut and end in "...". Control characters in the message are
 * replaced by spaces so that a peer's text can never forge a second line.
 *
 * as_log_init() is meant to be called once from main() before any thread
 * starts; as_log() may then be called from any thread. Logging before
 * as_log_init() works too, with the program's own name and AS_LOG or "info".
 * as_log() leaves errno as it found it.
 *
 * Under systemd, when stderr is the journal's stream (JOURNAL_STREAM names
 * its device and inode, sd-daemon(3)), a line is "<4>warn: text": the
 * priority prefix journald files it under, and no time or pid of our own
 * (the journal keeps both).
 */
#include "as/log.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One write of at most PIPE_BUF bytes is atomic on a pipe. */
#define S_LINE_MAX PIPE_BUF
#define S_PROGRAM_MAX 64
#define S_ELLIPSIS "..."

static const char *const s_level_names[] = {"debug", "info", "warn", "error"};

static char s_program[S_PROGRAM_MAX];
static atomic_int s_min_level = AS_LOG_INFO;
static atomic_bool s_journal = false;
/* sd-daemon(3) priorities: LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR */
static const int s_journal_priorities[] = {7, 6, 4, 3};
static pthread_once_t s_defaults_once = PTHREAD_ONCE_INIT;

static const char *s_level_name(as_log_level_t level)
{
    if ((int)level <= AS_LOG_DEBUG) {
        return s_level_names[AS_LOG_DEBUG];
    }
    if ((int)level >= AS_LOG_ERROR) {
        return s_level_names[AS_LOG_ERROR];
    }
    return s_level_names[level];
}

/* Copies the last path component of `program`, keeping the line parseable. */
static void s_set_program(const char *program)
{
    const char *slash = strrchr(program, '/');
    if (slash && slash[1] != '\0') {
        program = slash + 1;
    }
    size_t i = 0;
    for (; i < sizeof(s_program) - 1 && program[i] != '\0'; i++) {
        unsigned char c = (unsigned char)program[i];
        s_program[i] = (c <= ' ' || c == 0x7f || c == '[' || c == ']') ? '_' : (char)c;
    }
    s_program[i] = '\0';
}

/* Returns the level AS_LOG asks for, -1 when unset or empty, -2 when invalid. */
static int s_env_level(void)
{
    const char *env = getenv("AS_LOG");
    if (!env || env[0] == '\0') {
        return -1;
    }
    int level = as_log_level_parse(env);
    return level < 0 ? -2 : level;
}

/* Whether stderr is the journal's stream: JOURNAL_STREAM is "DEVICE:INODE"
 * of it (a child that inherited the variable but writes elsewhere is not). */
static bool s_stderr_is_journal(void)
{
    const char *env = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!env || sscanf(env, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) != 0)
        return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static void s_defaults(void)
{
    s_set_program(program_invocation_short_name);
    atomic_store(&s_journal, s_stderr_is_journal());
    int level = s_env_level();
    if (level >= 0) {
        atomic_store(&s_min_level, level);
    }
}

void as_log_init(const char *program, as_log_level_t min)
{
    pthread_once(&s_defaults_once, s_defaults);
    s_set_program(program ? program : program_invocation_short_name);
    int level = s_env_level();
    atomic_store(&s_min_level, level >= 0 ? level : (int)min);
    if (level == -2) {
        as_warn("AS_LOG='%s' is not a level (debug, info, warn, error); using %s", getenv("AS_LOG"),
                s_level_name(min));
    }
}

void as_log_set_level(as_log_level_t min)
{
    pthread_once(&s_defaults_once, s_defaults);
    atomic_store(&s_min_level, (int)min);
}

int as_log_level_parse(const char *name)
{
    if (!name) {
        return -1;
    }
    for (int i = AS_LOG_DEBUG; i <= AS_LOG_ERROR; i++) {
        if (strcasecmp(name, s_level_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

static void s_write_all(const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t written = write(STDERR_FILENO, buf, len);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return; /* nowhere left to report it */
        }
        buf += written;
        len -= (size_t)written;
    }
}

/* Writes "2026-11-27T07:30:00.123456Z program[pid] level: " into line, or
 * "<4>warn: " for the journal. */
static size_t s_format_prefix(char *line, size_t size, as_log_level_t level)
{
    if (atomic_load(&s_journal)) {
        int i = (int)level < AS_LOG_DEBUG   ? AS_LOG_DEBUG
                : (int)level > AS_LOG_ERROR ? AS_LOG_ERROR
                                            : (int)level;
        int n = snprintf(line, size, "<%d>%s: ", s_journal_priorities[i], s_level_name(level));
        return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
    }
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    size_t len = strftime(line, size, "%Y-%m-%dT%H:%M:%S", &tm);
    int n = snprintf(line + len, size - len, ".%06ldZ %s[%ld] %s: ", now.tv_nsec / 1000L, s_program,
                     (long)getpid(), s_level_name(level));
    if (n < 0) {
        return len;
    }
    return len + ((size_t)n < size - len ? (size_t)n : size - len - 1);
}

void as_log(as_log_level_t level, const char *fmt, ...)
{
    int saved_errno = errno;
    pthread_once(&s_defaults_once, s_defaults);
    if ((int)level < atomic_load(&s_min_level)) {
        errno = saved_errno;
        return;
    }

    char line[S_LINE_MAX];
    size_t len = s_format_prefix(line, sizeof(line), level);

    /* Room for the message plus its NUL, keeping one byte for the newline. */
    size_t room = sizeof(line) - len - 1;
    va_list args;
    va_start(args, fmt);
    errno = saved_errno; /* so that %m names the caller's error */
    int wanted = vsnprintf(line + len, room, fmt, args);
    va_end(args);

    size_t text_len;
    if (wanted < 0) {
        text_len = (size_t)snprintf(line + len, room, "(unprintable log message)");
    } else if ((size_t)wanted >= room) {
        /* Cut on a UTF-8 character boundary, then mark the cut. */
        size_t cut = room - 1 - strlen(S_ELLIPSIS);
        while (cut > 0 && ((unsigned char)line[len + cut] & 0xC0) == 0x80) {
            cut--;
        }
        memcpy(line + len + cut, S_ELLIPSIS, strlen(S_ELLIPSIS));
        text_len = cut + strlen(S_ELLIPSIS);
    } else {
        text_len = (size_t)wanted;
    }
    for (size_t i = len; i < len + text_len; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < ' ' && c != '\t') || c == 0x7f) {
            line[i] = ' ';
        }
    }
    len += text_len;
    line[len++] = '\n';

    s_write_all(line, len);
    errno = saved_errno;
}
