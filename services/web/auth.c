/* auth.c — sign-in, sessions and lockout, in the gateway's own store.
 *
 * credentials/<staff id>: the crypto_pwhash_str hash (web.credential.set),
 * failed sign-ins in a row and a lockout. sessions/<hex BLAKE2b of the id>:
 * who, the CSRF token, expiry. The session id lives only in the member's
 * HttpOnly cookie. Verifying a secret (~0.1 s of crypto_pwhash) runs on the
 * libuv thread pool (uv_queue_work): the work touches only the copied hash
 * and secret, never a socket or an LMDB transaction; the store is read
 * before and written after, on the loop. */
#include "web.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "as/error.h"
#include "as/log.h"
#include "as/record.h"
#include "as/staff.h"

#define S_COOKIE "as_session"

void web_random_id(char out[WEB_ID_HEX])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, WEB_ID_HEX, raw, sizeof raw);
}

/* The store key of a session: the id itself is never stored. */
static void s_session_key(const char *id, char key[WEB_ID_HEX])
{
    unsigned char digest[32];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)id, strlen(id), NULL, 0);
    sodium_bin2hex(key, WEB_ID_HEX, digest, sizeof digest);
}

json_t *web_roles_json(unsigned roles)
{
    json_t *list = json_array();
    for (unsigned bit = 1; bit && bit <= AS_ROLE_DELEGATE; bit <<= 1)
        if ((roles & bit) && *as_role_name(bit))
            json_array_append_new(list, json_string(as_role_name(bit)));
    return list;
}

int web_auth_start(web_t *web)
{
    /* an unknown staff id is verified against this, so it takes as long */
    char secret[WEB_ID_HEX];
    web_random_id(secret);
    if (crypto_pwhash_str(web->dummy_hash, secret, strlen(secret),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return -ENOMEM;
    return 0;
}

/* --- reading the store ---------------------------------------------------- */

typedef struct {
    MDB_dbi dbi;
    const char *id;
    const ProtobufCMessageDescriptor *desc;
    ProtobufCMessage *msg; /* out */
} s_get_t;

static int s_get_txn(MDB_txn *txn, void *arg)
{
    s_get_t *get = arg;
    return as_record_get(txn, get->dbi, get->id, get->desc, &get->msg);
}

/* One record of the store, read in a read transaction of its own: the
 * caller frees *out; NULL when there is none (or on a store error, logged). */
static void *s_read(web_t *web, const char *db, const char *id,
                    const ProtobufCMessageDescriptor *desc)
{
    s_get_t get = {as_record_dbi(web->svc, db), id, desc, NULL};
    int rc = as_store_read(as_service_store(web->svc), s_get_txn, &get);
    if (rc != 0 && rc != MDB_NOTFOUND)
        as_error("web: reading %s '%.16s': %s", db, id, as_strerror(rc));
    return rc == 0 ? get.msg : NULL;
}

typedef struct {
    const char *db;
    const char *id;
    const ProtobufCMessage *msg; /* NULL: delete */
} s_put_t;

static int s_put_txn(as_service_t *svc, MDB_txn *txn, void *arg)
{
    s_put_t *put = arg;
    MDB_dbi dbi = as_record_dbi(svc, put->db);
    return put->msg ? as_record_put(txn, dbi, put->id, put->msg) : as_record_del(txn, dbi, put->id);
}

/* Writes (or with msg NULL deletes) one record in a transaction of its own. */
static int s_write(web_t *web, const char *db, const char *id, const ProtobufCMessage *msg)
{
    s_put_t put = {db, id, msg};
    int rc = as_service_write(web->svc, s_put_txn, &put);
    if (rc != 0)
        as_error("web: writing %s: %s", db, as_strerror(rc));
    return rc;
}

/* --- sessions ------------------------------------------------------------- */

/* The session id of the request's cookie into id (false: none). */
static bool s_cookie_id(h2o_req_t *req, char id[WEB_ID_HEX])
{
    for (ssize_t i = -1; (i = h2o_find_header(&req->headers, H2O_TOKEN_COOKIE, i)) >= 0;) {
        h2o_iovec_t v = req->headers.entries[i].value;
        for (size_t at = 0; at + sizeof S_COOKIE < v.len; at++) {
            bool start = at == 0 || v.base[at - 1] == ' ' || v.base[at - 1] == ';';
            if (!start || memcmp(v.base + at, S_COOKIE "=", sizeof S_COOKIE) != 0)
                continue;
            const char *value = v.base + at + sizeof S_COOKIE;
            size_t len = 0;
            while (value + len < v.base + v.len && value[len] != ';' && len < WEB_ID_HEX)
                len++;
            if (len != WEB_ID_HEX - 1)
                return false;
            memcpy(id, value, len);
            id[len] = '\0';
            return true;
        }
    }
    return false;
}

bool web_session_find(web_t *web, h2o_req_t *req, web_member_t *out)
{
    char id[WEB_ID_HEX], key[WEB_ID_HEX];
    if (!s_cookie_id(req, id))
        return false;
    s_session_key(id, key);
    As__WebSession *s = s_read(web, "sessions", key, &as__web_session__descriptor);
    bool ok = s && s->staff_id && s->csrf && s->expires_us > as_now_us();
    if (ok) {
        snprintf(out->staff_id, sizeof out->staff_id, "%s", s->staff_id);
        snprintf(out->csrf, sizeof out->csrf, "%s", s->csrf);
        out->expires_us = s->expires_us;
        out->roles = as_staff_roles(as_service_staff(web->svc), s->staff_id);
        ok = out->roles != 0; /* taken off the staff list: signed out */
    }
    if (s)
        protobuf_c_message_free_unpacked(&s->base, NULL);
    return ok;
}

static void s_set_cookie(web_t *web, h2o_req_t *req, const char *id, int64_t max_age_s)
{
    char cookie[256];
    int n = snprintf(cookie, sizeof cookie,
                     S_COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; "
                              "SameSite=Strict%s",
                     id, (long long)max_age_s, web->set.loopback ? "" : "; Secure");
    h2o_iovec_t v = h2o_strdup(&req->pool, cookie, (size_t)n);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_SET_COOKIE, NULL, v.base, v.len);
}

/* The member as the pages know it, with the site's name and currency (the
 * pages show amounts as asctl does). */
static json_t *s_member_json(const web_t *web, const char *staff_id, unsigned roles,
                             const char *csrf, int64_t expires_us)
{
    return json_pack("{s:s, s:o, s:s, s:I, s:s, s:s}", "staff_id", staff_id, "roles",
                     web_roles_json(roles), "csrf", csrf, "expires_us", (json_int_t)expires_us,
                     "site", web->set.site, "currency", web->set.currency);
}

void web_me(web_t *web, h2o_req_t *req, const web_member_t *m)
{
    web_reply_json(req, 200, s_member_json(web, m->staff_id, m->roles, m->csrf, m->expires_us));
}

void web_signout(web_t *web, h2o_req_t *req, const web_member_t *member)
{
    char id[WEB_ID_HEX], key[WEB_ID_HEX];
    if (s_cookie_id(req, id)) {
        s_session_key(id, key);
        s_write(web, "sessions", key, NULL);
    }
    s_set_cookie(web, req, "", 0);
    web_reply_json(req, 200, json_pack("{s:s}", "signed_out", member->staff_id));
}

/* Deletes the sessions past their expiry (from the tick, now and then). */
static int s_prune_txn(as_service_t *svc, MDB_txn *txn, void *arg)
{
    int64_t now = *(const int64_t *)arg;
    MDB_dbi dbi = as_record_dbi(svc, "sessions");
    as_key_t all = {0};
    as_record_list_t list = {0};
    int rc = as_record_scan(txn, dbi, &all, &as__web_session__descriptor, &list);
    for (size_t i = 0; rc == 0 && i < list.n; i++)
        if (((const As__WebSession *)list.msgs[i])->expires_us <= now)
            rc = as_record_del(txn, dbi, list.keys[i]);
    as_record_list_free(&list);
    return rc;
}

void web_sessions_prune(web_t *web, int64_t now_us)
{
    int rc = as_service_write(web->svc, s_prune_txn, &now_us);
    if (rc != 0)
        as_error("web: pruning expired sessions: %s", as_strerror(rc));
}

/* --- sign-in -------------------------------------------------------------- */

typedef struct {
    uv_work_t work;
    web_t *web;
    h2o_req_t *req; /* NULL once the client has gone */
    web_req_link_t *link;
    char staff_id[128];
    char secret[160];
    char hash[crypto_pwhash_STRBYTES];
    As__WebCredentialRecord *cred; /* NULL: no credential for this staff id */
    bool verified;
} s_signin_t;

static void s_verify_work(uv_work_t *work)
{
    s_signin_t *op = work->data;
    op->verified =
        crypto_pwhash_str_verify(op->hash, op->secret, strlen(op->secret)) == 0 && op->cred != NULL;
}

/* A right secret: a new session, the failures forgotten, the cookie set. */
static void s_signed_in(s_signin_t *op)
{
    web_t *web = op->web;
    char id[WEB_ID_HEX], key[WEB_ID_HEX], csrf[WEB_ID_HEX];
    web_random_id(id);
    web_random_id(csrf);
    s_session_key(id, key);
    As__WebSession s = AS__WEB_SESSION__INIT;
    s.staff_id = op->staff_id;
    s.csrf = csrf;
    s.has_created_us = s.has_expires_us = true;
    s.created_us = as_now_us();
    s.expires_us = s.created_us + web->set.session_us;
    int rc = s_write(web, "sessions", key, &s.base);
    if (rc == 0 && op->cred->failures) {
        op->cred->failures = 0;
        rc = s_write(web, "credentials", op->staff_id, &op->cred->base);
    }
    if (!op->req)
        return;
    if (rc != 0) {
        web_reply_error(op->req, 500, "the gateway could not keep the session: %s",
                        as_strerror(rc));
        return;
    }
    as_info("web: %s signed in", op->staff_id);
    s_set_cookie(web, op->req, id, web->set.session_us / 1000000);
    unsigned roles = as_staff_roles(as_service_staff(web->svc), op->staff_id);
    web_reply_json(op->req, 200, s_member_json(web, op->staff_id, roles, csrf, s.expires_us));
}

/* A wrong secret: one more failure; the last allowed one locks. */
static void s_refused(s_signin_t *op)
{
    web_t *web = op->web;
    bool locked = false;
    if (op->cred) { /* read again: sign-ins verified side by side all count */
        protobuf_c_message_free_unpacked(&op->cred->base, NULL);
        op->cred = s_read(web, "credentials", op->staff_id, &as__web_credential_record__descriptor);
    }
    if (op->cred) {
        op->cred->has_failures = true;
        if (++op->cred->failures >= web->set.lockout_after) {
            op->cred->failures = 0;
            op->cred->has_locked_until_us = true;
            op->cred->locked_until_us = as_now_us() + web->set.lockout_us;
            locked = true;
            as_warn("web: %s locked after %u failed sign-ins", op->staff_id,
                    web->set.lockout_after);
        }
        s_write(web, "credentials", op->staff_id, &op->cred->base);
    }
    if (!op->req)
        return;
    if (locked)
        web_reply_error(op->req, 423,
                        "wrong staff id or secret; '%s' is now locked for %lld minutes after %u "
                        "failed sign-ins",
                        op->staff_id, (long long)(web->set.lockout_us / 60000000),
                        web->set.lockout_after);
    else
        web_reply_error(op->req, 401, "wrong staff id or secret");
}

static void s_verify_done(uv_work_t *work, int status)
{
    s_signin_t *op = work->data;
    sodium_memzero(op->secret, sizeof op->secret);
    if (op->req && op->link)
        web_req_unlink(op->link);
    if (!op->web->listening) /* stopping: its connection is being closed */
        status = UV_ECANCELED;
    if (status == 0) {
        if (op->verified)
            s_signed_in(op);
        else
            s_refused(op);
    }
    if (op->cred)
        protobuf_c_message_free_unpacked(&op->cred->base, NULL);
    free(op);
}

/* The staff id and secret of the body into op; false after answering 400. */
static bool s_read_signin(h2o_req_t *req, json_t *body, s_signin_t *op)
{
    const char *staff_id = json_string_value(json_object_get(body, "staff_id"));
    const char *secret = json_string_value(json_object_get(body, "secret"));
    if (!staff_id || !*staff_id || strlen(staff_id) >= sizeof op->staff_id) {
        web_reply_error(req, 400, "staff_id is required (a text of at most 127 characters)");
        return false;
    }
    if (!secret || !*secret || strlen(secret) >= sizeof op->secret) {
        web_reply_error(req, 400, "secret is required (a text of at most 159 characters)");
        return false;
    }
    snprintf(op->staff_id, sizeof op->staff_id, "%s", staff_id);
    snprintf(op->secret, sizeof op->secret, "%s", secret);
    return true;
}

/* A locked account is refused without a look at the secret. */
static bool s_locked(web_t *web, h2o_req_t *req, const As__WebCredentialRecord *cred)
{
    int64_t now = as_now_us();
    if (!cred || cred->locked_until_us <= now)
        return false;
    time_t until = (time_t)(cred->locked_until_us / 1000000);
    struct tm tm;
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&until, &tm));
    web_reply_error(req, 423,
                    "'%s' is locked after %u failed sign-ins until %s; the service manager "
                    "or IT can set a new secret",
                    cred->staff_id, web->set.lockout_after, when);
    return true;
}

void web_signin(web_t *web, h2o_req_t *req)
{
    json_t *body = web_body_json(web, req);
    if (!body)
        return;
    s_signin_t *op = calloc(1, sizeof *op);
    if (!op || !s_read_signin(req, body, op)) {
        json_decref(body);
        if (!op)
            web_reply_error(req, 503, "out of memory");
        free(op);
        return;
    }
    json_decref(body);
    op->web = web;
    op->req = req; /* linked below, once it waits */
    op->work.data = op;
    op->cred = s_read(web, "credentials", op->staff_id, &as__web_credential_record__descriptor);
    if (s_locked(web, req, op->cred)) {
        s_verify_done(&op->work, UV_ECANCELED);
        return;
    }
    snprintf(op->hash, sizeof op->hash, "%s",
             op->cred && op->cred->hash ? op->cred->hash : web->dummy_hash);
    op->link = web_req_link(req, &op->req);
    int rc = uv_queue_work(as_service_loop(web->svc), &op->work, s_verify_work, s_verify_done);
    if (rc != 0) {
        web_reply_error(req, 503, "cannot verify now: %s", uv_strerror(rc));
        s_verify_done(&op->work, rc);
    }
}
