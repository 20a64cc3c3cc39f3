/* web.c — the gateway's def, its settings and its one command
 * (web.credential.set); main.c runs it. */
#include "web.h"
#include "web_service.h"

#include <ctype.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "as/config.h"
#include "as/error.h"
#include "as/log.h"
#include "as/record.h"
#include "as/staff.h"

#define S_SECRET_MAX 128

/* A password of 8+ characters, or a tablet PIN of 4 to 8 digits. */
static const char *s_secret_problem(const char *secret)
{
    size_t len = strlen(secret), digits = 0;
    for (size_t i = 0; i < len; i++)
        digits += isdigit((unsigned char)secret[i]) != 0;
    if (len > S_SECRET_MAX)
        return "secret is too long (at most 128 characters)";
    if (len >= 8 || (len >= 4 && digits == len))
        return NULL;
    return "secret is too short: a password needs 8 characters or more, a PIN 4 to 8 digits";
}

int web_cmd_credential_set(as_cmd_t *cmd)
{
    const As__WebCredentialSet *req = (const As__WebCredentialSet *)cmd->request;
    const char *staff_id = req->staff_id ? req->staff_id : "";
    if (!*staff_id)
        return as_cmd_fail(cmd, AS_EINVALID, "staff_id is required");
    unsigned roles = as_staff_roles(as_service_staff(cmd->svc), staff_id);
    if (roles == 0)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "staff '%s' is not in the site's [staff] list",
                           staff_id);
    if (roles & (AS_ROLE_SYSTEM | AS_ROLE_DELEGATE))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "'%s' is a system's identity, not a member of staff: it signs in "
                           "with its key",
                           staff_id);
    const char *problem = s_secret_problem(req->secret ? req->secret : "");
    if (problem)
        return as_cmd_fail(cmd, AS_EINVALID, "staff '%s': %s", staff_id, problem);
    /* crypto_pwhash's interactive limits: ~0.1 s on the loop for a command
     * only the service manager or IT runs (sign-ins verify off the loop) */
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, req->secret, strlen(req->secret),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return -ENOMEM;
    MDB_dbi dbi = as_record_dbi(cmd->svc, "credentials");
    As__WebCredentialRecord rec = AS__WEB_CREDENTIAL_RECORD__INIT;
    rec.staff_id = (char *)staff_id;
    rec.hash = hash;
    rec.has_set_us = true;
    rec.set_us = as_cmd_time(cmd);
    rec.set_by = (char *)cmd->actor;
    int rc = as_record_put(cmd->txn, dbi, staff_id, &rec.base); /* a lockout ends with it */
    sodium_memzero(hash, sizeof hash);
    if (rc != 0)
        return rc;
    As__WebCredential out = AS__WEB_CREDENTIAL__INIT;
    out.staff_id = (char *)staff_id;
    out.has_set_us = true;
    out.set_us = rec.set_us;
    out.set_by = (char *)cmd->actor;
    if ((rc = as_cmd_emit(cmd, "web.credential.changed", staff_id, &out.base)) != 0)
        return rc;
    return as_cmd_reply(cmd, &out.base);
}

/* --- settings ------------------------------------------------------------- */

static long long s_int(as_config_t *cfg, const char *key, long long dflt)
{
    long long v = dflt;
    as_config_get_int(cfg, "web", key, dflt, &v); /* ranges: config_schema.c */
    return v;
}

/* www beside the binary (the build tree), else ../share/aftersales/www (installed). */
static void s_default_www(char *out, size_t cap)
{
    char exe[PATH_MAX];
    exe[0] = 0;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(out, cap, "www");
        return;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(out, cap, "%.*s/www", PATH_MAX - 1, exe);
    if (access(out, R_OK) != 0)
        snprintf(out, cap, "%.*s/../share/aftersales/www", PATH_MAX - 1, exe);
}

static int s_read_settings(as_config_t *cfg, web_settings_t *set)
{
    const char *listen = as_config_get(cfg, "web", "listen", "127.0.0.1:8080");
    const char *colon = strrchr(listen, ':');
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || colon == listen || !end || *end || port < 0 || port > 65535 ||
        (size_t)(colon - listen) >= sizeof set->listen_host) {
        as_error("config: [web] listen = '%s' is not host:port (e.g. 127.0.0.1:8080)", listen);
        return AS_ECONFIG;
    }
    snprintf(set->listen_host, sizeof set->listen_host, "%.*s", (int)(colon - listen), listen);
    set->listen_port = (int)port;
    set->loopback = strcmp(set->listen_host, "127.0.0.1") == 0 ||
                    strcmp(set->listen_host, "localhost") == 0 ||
                    strcmp(set->listen_host, "::1") == 0;
    const char *www = as_config_get(cfg, "web", "www_dir", NULL);
    if (www)
        snprintf(set->www_dir, sizeof set->www_dir, "%s", www);
    else
        s_default_www(set->www_dir, sizeof set->www_dir);
    snprintf(set->js_dir, sizeof set->js_dir, "%s",
             as_config_get(cfg, "web", "js_dir", "/usr/share/javascript"));
    set->session_us = s_int(cfg, "session_minutes", 720) * 60 * 1000000LL;
    set->lockout_after = (unsigned)s_int(cfg, "lockout_after", 5);
    set->lockout_us = s_int(cfg, "lockout_minutes", 15) * 60 * 1000000LL;
    set->call_timeout_us = s_int(cfg, "call_timeout_ms", 3000) * 1000LL;
    set->inflight_per_service = (unsigned)s_int(cfg, "inflight_per_service", 16);
    set->max_body = (size_t)s_int(cfg, "max_body", 64 * 1024);
    set->keepalive_ticks = (unsigned)(s_int(cfg, "keepalive_ms", 5000) / WEB_TICK_MS);
    snprintf(set->site, sizeof set->site, "%s", as_config_get(cfg, "site", "name", ""));
    snprintf(set->currency, sizeof set->currency, "%s", as_config_get(cfg, "site", "currency", ""));
    return 0;
}

/* --- the def -------------------------------------------------------------- */

static int s_start(as_service_t *svc)
{
    web_t *web = as_service_user(svc);
    web->svc = svc;
    if (sodium_init() < 0)
        return AS_EINTERNAL;
    int rc = s_read_settings(as_service_config(svc), &web->set);
    if (rc == 0 && as_service_zmq_context(svc)) /* not in-process (tests' harness) */
        if ((rc = web_auth_start(web)) != 0 || (rc = web_calls_start(web)) != 0 ||
            (rc = web_http_start(web)) != 0)
            return rc;
    return rc;
}

static void s_stop(as_service_t *svc)
{
    web_t *web = as_service_user(svc);
    web_events_close_all(web);
    web_http_stop(web);
    web_calls_stop(web);
}

static const char *const s_dbs[] = {"credentials", "sessions", NULL};

static const as_command_def_t s_commands[] = {
    {"web.credential.set", web_cmd_credential_set},
    {"web.credential.list", web_cmd_credential_list},
    {NULL, NULL},
};

static const as_event_def_t s_events[] = {
    {NULL, NULL},
};

const as_service_def_t web_service = {
    .name = "web",
    .dbs = s_dbs,
    .commands = s_commands,
    .events = s_events,
    .on_start = s_start,
    .on_stop = s_stop,
    .on_applied = web_events_push,
    .user_size = sizeof(web_t),
    .summary = "The gateway for the browser pages: staff sign in (password or tablet PIN),\n"
               "their actions go to the services as ordinary commands in their name, and\n"
               "the services' events reach open pages live (Server-Sent Events).",
};
