/* notify.c — see as/notify.h. */
#include "as/notify.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "as/log.h"

static uv_timer_t s_watchdog;
static bool s_watchdog_on;

static void s_feed(uv_timer_t *timer)
{
    (void)timer;
    sd_notify(0, "WATCHDOG=1");
}

int as_notify_ready(uv_loop_t *loop, const char *status)
{
    char text[256];
    snprintf(text, sizeof text, "READY=1\nSTATUS=%s", status ? status : "running");
    sd_notify(0, text);
    uint64_t interval_us = 0;
    if (s_watchdog_on || sd_watchdog_enabled(0, &interval_us) <= 0 || interval_us == 0)
        return 0;
    uint64_t every_ms = interval_us / 2000 ? interval_us / 2000 : 1;
    int rc = uv_timer_init(loop, &s_watchdog);
    if (rc == 0)
        rc = uv_timer_start(&s_watchdog, s_feed, 0, every_ms);
    if (rc != 0) {
        as_error("cannot feed the systemd watchdog: %s", uv_strerror(rc));
        return rc;
    }
    uv_unref((uv_handle_t *)&s_watchdog);
    s_watchdog_on = true;
    as_debug("feeding the systemd watchdog every %llu ms", (unsigned long long)every_ms);
    return 0;
}

void as_notify_stopping(void)
{
    sd_notify(0, "STOPPING=1");
    if (s_watchdog_on)
        uv_timer_stop(&s_watchdog);
}
