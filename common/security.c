/* security.c — CurveZMQ keys and the ZAP handler (see as/security.h).
 *
 * Key files are plain text, one "name = value" per line; blank lines and lines
 * starting with '#' are ignored, unknown names are skipped:
 *
 *   # CurveZMQ keypair of 'reception' — keep this file secret
 *   public = <40 Z85 characters>
 *   secret = <40 Z85 characters>
 *
 * NAME.pub holds the same without the secret line. Files are written to a
 * temporary name, synced, then moved into place, so a reader never sees half
 * a key.
 *
 * The ZAP handler (RFC 27, ZAP 1.0) is a REP socket bound on the context's
 * well-known inproc endpoint, served by one thread that also polls a PAIR
 * "pipe" on which as_zap_destroy() asks it to stop.
 */
#include "as/security.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "as/error.h"
#include "as/log.h"

#define S_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define S_ZAP_DOMAIN "aftersales"
#define S_ZAP_VERSION "1.0"
#define S_KEY_BIN_LEN 32
#define S_KEY_FILE_MAX 4096 /* a key file is ~150 bytes; anything larger is not one */
#define S_ZAP_MAX_FRAMES 8  /* ZAP requests have 6 frames + credentials (CURVE: 1) */

/* -------------------------------------------------------------------------- */
/* Keys                                                                       */

/* A name a key or identity may take: [A-Za-z0-9._@-]+, but not "local", the
 * identity of every ipc:// connection (a key named so would pass as one). */
static bool s_name_valid(const char *name)
{
    if (!name || !*name || strcmp(name, AS_LOCAL_IDENTITY) == 0)
        return false;
    for (const char *c = name; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '@' || *c == '-';
        if (!ok)
            return false;
    }
    return true;
}

/* True when `text` is exactly one Z85-encoded 32-byte key; decodes it into
 * `bin` when given. */
static bool s_z85_key_valid(const char *text, uint8_t *bin)
{
    uint8_t scratch[S_KEY_BIN_LEN];
    if (strlen(text) != AS_Z85_KEY_LEN)
        return false;
    return zmq_z85_decode(bin ? bin : scratch, text) != NULL;
}

/* True when `secret` is the secret half of `public_z85`. */
static bool s_keys_match(const char *public_z85, const char *secret_z85)
{
    char derived[AS_Z85_KEY_LEN + 1];
    if (zmq_curve_public(derived, secret_z85) != 0)
        return false;
    bool match = strcmp(derived, public_z85) == 0;
    explicit_bzero(derived, sizeof derived);
    return match;
}

int as_keypair_generate(as_keypair_t *out)
{
    memset(out, 0, sizeof *out);
    if (zmq_curve_keypair(out->public_z85, out->secret_z85) != 0) {
        int err = zmq_errno();
        memset(out, 0, sizeof *out);
        return -err; /* ENOTSUP when libzmq was built without CURVE */
    }
    return 0;
}

static char *s_trim(char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    char *end = text + strlen(text);
    while (end > text && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    *end = '\0';
    return text;
}

/* Parses the text of a key file into `out`. Returns 0 or AS_EINVALID. */
static int s_keypair_parse(char *text, as_keypair_t *out)
{
    bool have_public = false, have_secret = false;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line = s_trim(line);
        if (*line == '\0' || *line == '#')
            continue;
        char *equals = strchr(line, '=');
        if (!equals)
            return AS_EINVALID;
        *equals = '\0';
        const char *name = s_trim(line);
        const char *value = s_trim(equals + 1);
        char *target;
        if (strcmp(name, "public") == 0) {
            if (have_public)
                return AS_EINVALID;
            have_public = true;
            target = out->public_z85;
        } else if (strcmp(name, "secret") == 0) {
            if (have_secret)
                return AS_EINVALID;
            have_secret = true;
            target = out->secret_z85;
        } else {
            continue; /* room for later fields */
        }
        if (!s_z85_key_valid(value, NULL))
            return AS_EINVALID;
        memcpy(target, value, AS_Z85_KEY_LEN + 1);
    }
    if (!have_public)
        return AS_EINVALID;
    if (have_secret && !s_keys_match(out->public_z85, out->secret_z85))
        return AS_EINVALID;
    return 0;
}

int as_keypair_load(const char *path, as_keypair_t *out)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;

    int rc = 0;
    char text[S_KEY_FILE_MAX + 1];
    size_t used = 0;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = -errno;
        goto close_fd;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > S_KEY_FILE_MAX) {
        rc = AS_EINVALID;
        goto close_fd;
    }
    while (used < S_KEY_FILE_MAX) {
        ssize_t got = read(fd, text + used, S_KEY_FILE_MAX - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = -errno;
            goto wipe;
        }
        if (got == 0)
            break;
        used += (size_t)got;
    }
    text[used] = '\0';
    if (used == S_KEY_FILE_MAX || memchr(text, '\0', used)) {
        rc = AS_EINVALID; /* too long, or binary */
        goto wipe;
    }
    rc = s_keypair_parse(text, out);
    if (rc != 0)
        memset(out, 0, sizeof *out);
wipe:
    explicit_bzero(text, sizeof text);
close_fd:
    close(fd);
    return rc;
}

static int s_write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t put = write(fd, text, len);
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0)
            return -errno;
        text += put;
        len -= (size_t)put;
    }
    return 0;
}

/* Writes `text` to `path` through a temporary file in the same directory.
 * With `replace` false an existing `path` is kept and AS_EEXISTS returned. */
static int s_write_atomic(const char *path, const char *text, mode_t mode, bool replace)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp)
        return -ENAMETOOLONG;
    int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
    if (fd < 0)
        return -errno;

    int rc = 0;
    if (mode != 0600 && fchmod(fd, mode) != 0)
        rc = -errno;
    if (rc == 0)
        rc = s_write_all(fd, text, strlen(text));
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc != 0)
        goto unlink_tmp;

    if (replace) {
        if (rename(tmp, path) != 0)
            rc = -errno;
        else
            return 0;
        goto unlink_tmp;
    }
    /* link(2) fails when `path` exists, so two writers never overwrite each other. */
    if (link(tmp, path) != 0) {
        int err = errno;
        if (err == EEXIST) {
            rc = AS_EEXISTS;
        } else if (err == EPERM || err == ENOTSUP || err == ENOSYS) {
            /* a file system without hard links: check, then rename */
            struct stat st;
            if (lstat(path, &st) == 0)
                rc = AS_EEXISTS;
            else if (rename(tmp, path) != 0)
                rc = -errno;
            else
                return 0;
        } else {
            rc = -err;
        }
    }
unlink_tmp:
    unlink(tmp);
    return rc;
}

static void s_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: some file systems refuse it */
        close(fd);
    }
}

int as_keypair_save(const as_keypair_t *keys, const char *dir, const char *name)
{
    if (!keys || !dir || !s_name_valid(name))
        return AS_EINVALID;
    if (!s_z85_key_valid(keys->public_z85, NULL) || !s_z85_key_valid(keys->secret_z85, NULL) ||
        !s_keys_match(keys->public_z85, keys->secret_z85))
        return AS_EINVALID;

    char key_path[PATH_MAX], pub_path[PATH_MAX];
    if (snprintf(key_path, sizeof key_path, "%s/%s.key", dir, name) >= (int)sizeof key_path ||
        snprintf(pub_path, sizeof pub_path, "%s/%s.pub", dir, name) >= (int)sizeof pub_path)
        return -ENAMETOOLONG;
    struct stat st;
    if (lstat(key_path, &st) == 0)
        return AS_EEXISTS;
    if (errno != ENOENT)
        return -errno;

    char text[512];
    snprintf(text, sizeof text,
             "# CurveZMQ keypair of '%s' (aftersales). Keep this file secret:\n"
             "# copy only %s.pub to other machines.\n"
             "public = %s\n"
             "secret = %s\n",
             name, name, keys->public_z85, keys->secret_z85);
    int rc = s_write_atomic(key_path, text, 0600, false);
    explicit_bzero(text, sizeof text);
    if (rc != 0)
        return rc;

    snprintf(text, sizeof text,
             "# CurveZMQ public key of '%s' (aftersales).\n"
             "public = %s\n",
             name, keys->public_z85);
    rc = s_write_atomic(pub_path, text, 0644, true);
    if (rc != 0)
        unlink(key_path); /* all or nothing */
    s_sync_dir(dir);
    return rc;
}

/* -------------------------------------------------------------------------- */
/* Socket options                                                             */

static int s_setsockopt(void *sock, int option, const void *value, size_t len)
{
    return zmq_setsockopt(sock, option, value, len) == 0 ? 0 : -zmq_errno();
}

int as_curve_server(void *sock, const as_keypair_t *server)
{
    if (!sock || !server || strlen(server->secret_z85) != AS_Z85_KEY_LEN)
        return -EINVAL;
    int on = 1;
    int rc = s_setsockopt(sock, ZMQ_CURVE_SERVER, &on, sizeof on);
    if (rc == 0)
        rc = s_setsockopt(sock, ZMQ_CURVE_SECRETKEY, server->secret_z85, AS_Z85_KEY_LEN);
    if (rc == 0)
        rc = s_setsockopt(sock, ZMQ_ZAP_DOMAIN, S_ZAP_DOMAIN, strlen(S_ZAP_DOMAIN));
    return rc;
}

int as_curve_client(void *sock, const as_keypair_t *client, const char *server_public_z85)
{
    if (!sock || !client || !server_public_z85 || strlen(client->public_z85) != AS_Z85_KEY_LEN ||
        strlen(client->secret_z85) != AS_Z85_KEY_LEN || strlen(server_public_z85) != AS_Z85_KEY_LEN)
        return -EINVAL;
    int rc = s_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_public_z85, AS_Z85_KEY_LEN);
    if (rc == 0)
        rc = s_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, client->public_z85, AS_Z85_KEY_LEN);
    if (rc == 0)
        rc = s_setsockopt(sock, ZMQ_CURVE_SECRETKEY, client->secret_z85, AS_Z85_KEY_LEN);
    return rc;
}

/* -------------------------------------------------------------------------- */
/* ZAP handler                                                                */

typedef struct s_zap_key {
    uint8_t key[S_KEY_BIN_LEN]; /* the public key, binary as ZAP sends it */
    char *name;                 /* the .pub file name without ".pub" */
} s_zap_key_t;

struct as_zap {
    void *handler;             /* REP on inproc://zeromq.zap.01 */
    void *pipe_thread;         /* PAIR end polled by the thread */
    void *pipe_caller;         /* PAIR end used by as_zap_destroy() */
    pthread_t thread;          /* serves the handler socket */
    bool thread_running;       /* thread was started and not joined */
    s_zap_key_t *keys;         /* listed keys, immutable once the thread runs */
    size_t key_count;          /* entries in keys */
    _Atomic uint64_t admitted; /* connections admitted */
    _Atomic uint64_t refused;  /* connections refused */
};

static int s_pub_filter(const struct dirent *entry)
{
    size_t len = strlen(entry->d_name);
    return len > 4 && strcmp(entry->d_name + len - 4, ".pub") == 0;
}

/* Loads every DIR/ *.pub into self->keys, in name order. Files that do not
 * hold a key are skipped with a warning, so one bad copy does not lock
 * everyone out. Returns 0 or -errno. */
static int s_zap_load_keys(as_zap_t *self, const char *keys_dir)
{
    struct dirent **entries = NULL;
    int count = scandir(keys_dir, &entries, s_pub_filter, alphasort);
    if (count < 0)
        return -errno;

    int rc = 0;
    self->keys = calloc(count > 0 ? (size_t)count : 1, sizeof *self->keys);
    if (!self->keys) {
        rc = -ENOMEM;
        goto free_entries;
    }
    for (int i = 0; i < count; i++) {
        const char *file = entries[i]->d_name;
        size_t name_len = strlen(file) - 4;
        char name[256];
        memcpy(name, file, name_len);
        name[name_len] = '\0';
        if (!s_name_valid(name)) {
            as_warn("security: skipping '%s/%s': %s", keys_dir, file,
                    strcmp(name, AS_LOCAL_IDENTITY) == 0
                        ? "'local' is reserved for ipc:// connections"
                        : "not a valid identity name");
            continue;
        }
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", keys_dir, file) >= (int)sizeof path)
            continue;
        as_keypair_t keys;
        int err = as_keypair_load(path, &keys);
        explicit_bzero(keys.secret_z85, sizeof keys.secret_z85);
        if (err != 0) {
            as_warn("security: skipping '%s': %s", path,
                    err == AS_EINVALID ? "it does not hold a Z85 public key" : as_strerror(err));
            continue;
        }
        s_zap_key_t *entry = &self->keys[self->key_count];
        s_z85_key_valid(keys.public_z85, entry->key);
        bool duplicate = false;
        for (size_t k = 0; k < self->key_count; k++) {
            if (memcmp(self->keys[k].key, entry->key, S_KEY_BIN_LEN) == 0) {
                as_warn("security: '%s' repeats the key of '%s'; using '%s'", path,
                        self->keys[k].name, self->keys[k].name);
                duplicate = true;
                break;
            }
        }
        if (duplicate)
            continue;
        entry->name = strdup(name);
        if (!entry->name) {
            rc = -ENOMEM;
            goto free_entries;
        }
        self->key_count++;
    }
free_entries:
    for (int i = 0; i < count; i++)
        free(entries[i]);
    free(entries);
    return rc;
}

static const char *s_zap_lookup(const as_zap_t *self, const uint8_t *key)
{
    for (size_t i = 0; i < self->key_count; i++)
        if (memcmp(self->keys[i].key, key, S_KEY_BIN_LEN) == 0)
            return self->keys[i].name;
    return NULL;
}

static bool s_frame_is(zmq_msg_t *frame, const char *text)
{
    size_t len = strlen(text);
    return zmq_msg_size(frame) == len && memcmp(zmq_msg_data(frame), text, len) == 0;
}

static int s_send_text(void *sock, const void *data, size_t len, bool more)
{
    return zmq_send(sock, data, len, more ? ZMQ_SNDMORE : 0) < 0 ? -zmq_errno() : 0;
}

/* Answers one ZAP request. Returns 0, or -ETERM when the context is ending. */
static int s_zap_serve(as_zap_t *self)
{
    zmq_msg_t frames[S_ZAP_MAX_FRAMES];
    int count = 0;
    bool too_many = false;
    int more = 1;
    while (more) {
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, self->handler, 0) < 0) {
            int err = zmq_errno();
            zmq_msg_close(&frame);
            for (int i = 0; i < count; i++)
                zmq_msg_close(&frames[i]);
            return err == ETERM ? -ETERM : 0;
        }
        more = zmq_msg_more(&frame);
        if (count < S_ZAP_MAX_FRAMES) {
            frames[count++] = frame;
        } else {
            too_many = true;
            zmq_msg_close(&frame);
        }
    }

    /* Frames: version, request id, domain, address, routing id, mechanism,
     * credentials... */
    const char *status = "400", *text = "malformed request", *user = "";
    char address[64] = "";
    if (count >= 6 && !too_many && s_frame_is(&frames[0], S_ZAP_VERSION)) {
        size_t address_len = zmq_msg_size(&frames[3]);
        if (address_len >= sizeof address)
            address_len = sizeof address - 1;
        memcpy(address, zmq_msg_data(&frames[3]), address_len);
        address[address_len] = '\0';

        if (s_frame_is(&frames[5], "NULL") && count == 6) {
            status = "200", text = "OK", user = AS_LOCAL_IDENTITY;
        } else if (s_frame_is(&frames[5], "CURVE") && count == 7 &&
                   zmq_msg_size(&frames[6]) == S_KEY_BIN_LEN) {
            const char *name = s_zap_lookup(self, zmq_msg_data(&frames[6]));
            if (name)
                status = "200", text = "OK", user = name;
            else
                text = "unknown key";
        } else {
            text = "mechanism not allowed";
        }
    }

    if (status[0] == '2') {
        atomic_fetch_add_explicit(&self->admitted, 1, memory_order_relaxed);
        as_debug("security: admitted '%s' from %s", user, address);
    } else {
        uint64_t refused = atomic_fetch_add_explicit(&self->refused, 1, memory_order_relaxed) + 1;
        /* refused clients retry every reconnect interval: log 1, 2, 4, 8... */
        if ((refused & (refused - 1)) == 0)
            as_warn("security: refused a connection from %s: %s (%llu refused so far)",
                    address[0] ? address : "?", text, (unsigned long long)refused);
    }

    /* Reply: version, request id, status code, status text, user id, metadata. */
    const void *request_id = count >= 2 ? zmq_msg_data(&frames[1]) : "";
    size_t request_id_len = count >= 2 ? zmq_msg_size(&frames[1]) : 0;
    int rc = s_send_text(self->handler, S_ZAP_VERSION, strlen(S_ZAP_VERSION), true);
    if (rc == 0)
        rc = s_send_text(self->handler, request_id, request_id_len, true);
    if (rc == 0)
        rc = s_send_text(self->handler, status, strlen(status), true);
    if (rc == 0)
        rc = s_send_text(self->handler, text, strlen(text), true);
    if (rc == 0)
        rc = s_send_text(self->handler, user, strlen(user), true);
    if (rc == 0)
        rc = s_send_text(self->handler, "", 0, false);
    for (int i = 0; i < count; i++)
        zmq_msg_close(&frames[i]);
    return rc == -ETERM ? -ETERM : 0;
}

static void *s_zap_thread(void *arg)
{
    as_zap_t *self = arg;
    while (true) {
        zmq_pollitem_t items[] = {{self->handler, 0, ZMQ_POLLIN, 0},
                                  {self->pipe_thread, 0, ZMQ_POLLIN, 0}};
        if (zmq_poll(items, 2, -1) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            break; /* ETERM: the context is ending */
        }
        if (items[1].revents & ZMQ_POLLIN)
            break; /* any message on the pipe means stop */
        if ((items[0].revents & ZMQ_POLLIN) && s_zap_serve(self) == -ETERM)
            break;
    }
    return NULL;
}

static void s_close(void **sock_p)
{
    if (*sock_p) {
        zmq_close(*sock_p);
        *sock_p = NULL;
    }
}

static void *s_socket(void *zctx, int type)
{
    void *sock = zmq_socket(zctx, type);
    if (sock) {
        int linger = 0;
        zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    }
    return sock;
}

as_zap_t *as_zap_new(void *zctx, const char *keys_dir, int *err)
{
    int rc = 0;
    as_zap_t *self = NULL;
    if (!zctx || !keys_dir) {
        rc = -EINVAL;
        goto fail;
    }
    self = calloc(1, sizeof *self);
    if (!self) {
        rc = -ENOMEM;
        goto fail;
    }
    atomic_init(&self->admitted, 0);
    atomic_init(&self->refused, 0);

    self->handler = s_socket(zctx, ZMQ_REP);
    if (!self->handler || zmq_bind(self->handler, S_ZAP_ENDPOINT) != 0) {
        rc = -zmq_errno(); /* EADDRINUSE: the context has a handler already */
        goto fail;
    }
    rc = s_zap_load_keys(self, keys_dir);
    if (rc != 0)
        goto fail;

    char pipe_endpoint[64];
    snprintf(pipe_endpoint, sizeof pipe_endpoint, "inproc://as-zap-pipe-%p", (void *)self);
    self->pipe_thread = s_socket(zctx, ZMQ_PAIR);
    self->pipe_caller = s_socket(zctx, ZMQ_PAIR);
    if (!self->pipe_thread || !self->pipe_caller ||
        zmq_bind(self->pipe_thread, pipe_endpoint) != 0 ||
        zmq_connect(self->pipe_caller, pipe_endpoint) != 0) {
        rc = -zmq_errno();
        goto fail;
    }

    /* The thread takes no process signals: they belong to the daemon's loop. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = -pthread_create(&self->thread, NULL, s_zap_thread, self);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        goto fail;
    self->thread_running = true;
    return self;

fail:
    if (err)
        *err = rc != 0 ? rc : AS_EINTERNAL;
    as_zap_destroy(&self);
    return NULL;
}

uint64_t as_zap_refused(const as_zap_t *self)
{
    return atomic_load_explicit(&((as_zap_t *)self)->refused, memory_order_relaxed);
}

uint64_t as_zap_admitted(const as_zap_t *self)
{
    return atomic_load_explicit(&((as_zap_t *)self)->admitted, memory_order_relaxed);
}

void as_zap_destroy(as_zap_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    as_zap_t *self = *self_p;
    if (self->thread_running) {
        /* If the send fails the context is ending, and the thread sees ETERM. */
        zmq_send(self->pipe_caller, "STOP", 4, 0);
        pthread_join(self->thread, NULL);
    }
    /* zmq_close() releases an inproc name later, on the reaper thread;
     * unbinding releases it now, so a new handler can bind at once. */
    if (self->handler)
        zmq_unbind(self->handler, S_ZAP_ENDPOINT);
    s_close(&self->pipe_caller);
    s_close(&self->pipe_thread);
    s_close(&self->handler);
    for (size_t i = 0; i < self->key_count; i++)
        free(self->keys[i].name);
    free(self->keys);
    free(self);
    *self_p = NULL;
}

/* -------------------------------------------------------------------------- */
/* Site security                                                              */

/* The forwarders of the site: [bus], [bus2] ... [bus9]; each binds its own
 * xsub and xpub and holds the key of its own name. */
#define S_FORWARDERS 10
typedef struct {
    char name[16];
    char *xsub, *xpub;
} s_forwarder_t;

struct as_security {
    s_forwarder_t forwarders[S_FORWARDERS];
    bool curve;        /* CURVE on tcp:// endpoints */
    char *keys_dir;    /* *.pub and this machine's *.key; NULL when curve is off */
    char *identity;    /* this process's name; NULL when curve is off */
    as_keypair_t keys; /* this process's keypair when curve is on */
    as_zap_t *zap;     /* the handler, once started */
};

static bool s_is_tcp(const char *endpoint)
{
    return endpoint && strncmp(endpoint, "tcp://", 6) == 0;
}

/* Endpoints that are not tcp:// never use CURVE, even on a socket that bound
 * or connected a tcp:// endpoint with CURVE before (options are per bind). */
static int s_plain(void *sock)
{
    int mechanism = ZMQ_NULL;
    size_t len = sizeof mechanism;
    if (zmq_getsockopt(sock, ZMQ_MECHANISM, &mechanism, &len) != 0)
        return -zmq_errno();
    if (mechanism == ZMQ_NULL)
        return 0;
    int off = 0;
    return s_setsockopt(sock, ZMQ_CURVE_SERVER, &off, sizeof off);
}

as_security_t *as_security_new(as_config_t *cfg, const char *identity_default, int *err)
{
    int rc = 0;
    as_security_t *self = calloc(1, sizeof *self);
    if (!self) {
        rc = -ENOMEM;
        goto fail;
    }
    if (cfg && as_config_get_bool(cfg, "security", "curve", false, &self->curve) != 0) {
        as_error("security: curve = '%s' is not on or off",
                 as_config_get(cfg, "security", "curve", ""));
        rc = AS_ECONFIG;
        goto fail;
    }
    if (!self->curve)
        return self;

    const char *keys_dir = as_config_get(cfg, "security", "keys_dir", NULL);
    /* the site file is shared by every process: a process's own identity is
     * its service name, or AS_IDENTITY (a person's asctl, an outside system) */
    const char *identity = getenv("AS_IDENTITY");
    if (!identity || !*identity)
        identity = identity_default;
    if (!keys_dir || !*keys_dir) {
        as_error("security: curve is on but [security] keys_dir is not set");
        rc = AS_ECONFIG;
        goto fail;
    }
    if (!s_name_valid(identity)) {
        as_error("security: identity '%s' is not a valid name ([A-Za-z0-9._@-]+)",
                 identity ? identity : "");
        rc = AS_ECONFIG;
        goto fail;
    }
    for (int i = 0; i < S_FORWARDERS; i++) {
        s_forwarder_t *f = &self->forwarders[i];
        if (i == 0)
            snprintf(f->name, sizeof f->name, "bus");
        else
            snprintf(f->name, sizeof f->name, "bus%d", i + 1);
        const char *xsub = as_config_get(cfg, f->name, "xsub", NULL);
        const char *xpub = as_config_get(cfg, f->name, "xpub", NULL);
        f->xsub = xsub ? strdup(xsub) : NULL;
        f->xpub = xpub ? strdup(xpub) : NULL;
    }
    self->keys_dir = strdup(keys_dir);
    self->identity = strdup(identity);
    if (!self->keys_dir || !self->identity) {
        rc = -ENOMEM;
        goto fail;
    }

    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s.key", keys_dir, identity) >= (int)sizeof path) {
        rc = AS_ECONFIG;
        goto fail;
    }
    rc = as_keypair_load(path, &self->keys);
    if (rc == 0 && self->keys.secret_z85[0] == '\0')
        rc = AS_EINVALID;
    if (rc != 0) {
        as_error("security: cannot use key file '%s': %s (make one with: asctl keygen %s)", path,
                 rc == AS_EINVALID ? "it does not hold a Z85 keypair" : as_strerror(rc), identity);
        if (rc == -ENOENT || rc == AS_EINVALID)
            rc = AS_ECONFIG;
        goto fail;
    }
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & 077))
        as_warn("security: key file '%s' can be read by others; chmod 600 it", path);
    return self;

fail:
    if (err)
        *err = rc;
    as_security_destroy(&self);
    return NULL;
}

bool as_security_curve(const as_security_t *self)
{
    return self && self->curve;
}

int as_security_start(as_security_t *self, void *zctx)
{
    if (!self || !zctx)
        return -EINVAL;
    if (!self->curve)
        return 0;
    if (self->zap)
        return -EALREADY;
    int rc = 0;
    self->zap = as_zap_new(zctx, self->keys_dir, &rc);
    return self->zap ? 0 : rc;
}

int as_security_server(as_security_t *self, void *sock, const char *endpoint)
{
    if (!self || !sock || !endpoint)
        return -EINVAL;
    if (!self->curve)
        return 0;
    if (s_is_tcp(endpoint))
        return as_curve_server(sock, &self->keys);
    /* Local endpoints stay plain but still pass the ZAP handler, so their
     * connections carry the identity "local" like any other. */
    int rc = s_plain(sock);
    if (rc == 0)
        rc = s_setsockopt(sock, ZMQ_ZAP_DOMAIN, S_ZAP_DOMAIN, strlen(S_ZAP_DOMAIN));
    return rc;
}

int as_security_client(as_security_t *self, void *sock, const char *endpoint,
                       const char *server_name)
{
    if (!self || !sock || !endpoint)
        return -EINVAL;
    if (!self->curve)
        return 0;
    if (!s_is_tcp(endpoint))
        return s_plain(sock);
    /* "bus" stands for whichever forwarder binds this endpoint: each has a key
     * of its own name ([bus2]'s is bus2.key) */
    for (int i = 0; strcmp(server_name, "bus") == 0 && i < S_FORWARDERS; i++) {
        const s_forwarder_t *f = &self->forwarders[i];
        if ((f->xsub && strcmp(f->xsub, endpoint) == 0) ||
            (f->xpub && strcmp(f->xpub, endpoint) == 0))
            server_name = f->name;
    }
    if (!s_name_valid(server_name))
        return AS_EINVALID;

    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s.pub", self->keys_dir, server_name) >= (int)sizeof path)
        return -ENAMETOOLONG;
    as_keypair_t server;
    int rc = as_keypair_load(path, &server);
    if (rc != 0)
        return rc == -ENOENT || rc == AS_EINVALID ? AS_ECONFIG : rc;
    return as_curve_client(sock, &self->keys, server.public_z85);
}

void as_security_destroy(as_security_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    as_security_t *self = *self_p;
    as_zap_destroy(&self->zap);
    explicit_bzero(&self->keys, sizeof self->keys);
    for (int i = 0; i < S_FORWARDERS; i++) {
        free(self->forwarders[i].xsub);
        free(self->forwarders[i].xpub);
    }
    free(self->keys_dir);
    free(self->identity);
    free(self);
    *self_p = NULL;
}

/* -------------------------------------------------------------------------- */
/* ipc:// directories                                                         */

int as_ipc_dir_check(const char *endpoint, char *why, size_t cap)
{
    if (!endpoint || strncmp(endpoint, "ipc://", 6) != 0)
        return 0;
    const char *path = endpoint + 6;
    if (*path == '@' || strcmp(path, "*") == 0)
        return 0; /* abstract namespace or libzmq's own temporary file */
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        dir[0] = '\0';
    if (!dir[0]) {
        snprintf(why, cap, "ipc endpoint '%s' is too long", endpoint);
        return AS_ECONFIG;
    }

    struct stat st;
    if (stat(dir, &st) != 0) {
        snprintf(why, cap, "the directory '%s' of ipc endpoint '%s' cannot be used: %s", dir,
                 endpoint, strerror(errno));
        return AS_ECONFIG;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, cap, "'%s' (of ipc endpoint '%s') is not a directory", dir, endpoint);
        return AS_ECONFIG;
    }
    if (st.st_uid != geteuid()) {
        snprintf(why, cap,
                 "the directory '%s' of ipc endpoint '%s' belongs to uid %u, not to this "
                 "process's user (uid %u): its sockets must be reachable by the service user only",
                 dir, endpoint, (unsigned)st.st_uid, (unsigned)geteuid());
        return AS_ECONFIG;
    }
    if (st.st_mode & 077) {
        snprintf(why, cap,
                 "the directory '%s' of ipc endpoint '%s' has mode %04o: group or others could "
                 "reach its sockets and publish as any source; make it 0700 (chmod 700 '%s')",
                 dir, endpoint, (unsigned)(st.st_mode & 07777), dir);
        return AS_ECONFIG;
    }
    return 0;
}
