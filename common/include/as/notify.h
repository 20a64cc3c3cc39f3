/* notify.h — telling systemd (Type=notify) that a daemon is ready or
 * stopping, and feeding its watchdog from the daemon's loop.
 *
 * Outside systemd (no NOTIFY_SOCKET) every call does nothing. One per
 * process: the state is the process's, as sd_notify's is.
 */
#ifndef AS_NOTIFY_H
#define AS_NOTIFY_H

#include <uv.h>

/* Sends READY=1 with STATUS=`status` (may be NULL) and, when the unit has
 * WatchdogSec= (sd_watchdog_enabled), starts a timer on `loop` that sends
 * WATCHDOG=1 at half the interval: a loop that stops turning stops feeding
 * it, and systemd restarts the daemon. The timer does not keep the loop
 * alive (unref'd); as_loop_close() closes it. Call once the store is open
 * and catch-up has begun. Returns 0, or a negative errno when the timer
 * could not start (the daemon runs on; it is logged). */
int as_notify_ready(uv_loop_t *loop, const char *status);

/* Sends STOPPING=1 and stops the watchdog timer. */
void as_notify_stopping(void);

#endif
