/* log.h — one line per event to stderr.
 *
 * Format: "2026-11-27T07:30:00.123456Z reception[1234] info: text"; under
 * systemd, when stderr is the journal (JOURNAL_STREAM), "<6>info: text" with
 * the priority prefix of sd-daemon(3): <3> error, <4> warn, <6> info, <7> debug.
 * Thread-safe for whole lines (one write(2) per line).
 */
#ifndef AS_LOG_H
#define AS_LOG_H

typedef enum { AS_LOG_DEBUG = 0, AS_LOG_INFO, AS_LOG_WARN, AS_LOG_ERROR } as_log_level_t;

/* Sets the program name shown on every line and the lowest level printed.
 * The level can also come from the environment: AS_LOG=debug|info|warn|error
 * overrides `min` when set. */
void as_log_init(const char *program, as_log_level_t min);

/* Sets the lowest level printed, over AS_LOG (a program's --log-level). */
void as_log_set_level(as_log_level_t min);

/* Parses "debug", "info", "warn", "error"; returns -1 for anything else. */
int as_log_level_parse(const char *name);

void as_log(as_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define as_debug(...) as_log(AS_LOG_DEBUG, __VA_ARGS__)
#define as_info(...) as_log(AS_LOG_INFO, __VA_ARGS__)
#define as_warn(...) as_log(AS_LOG_WARN, __VA_ARGS__)
#define as_error(...) as_log(AS_LOG_ERROR, __VA_ARGS__)

#endif
