/* store.c — a daemon's LMDB environment. See include/as/store.h. */
#include "as/store.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "as/envelope.h"
#include "as/error.h"

/* A group kpi keeps each site's databases apart: ~22 x 50 sites. LMDB's
 * maxdbs of the store's own environment is its domain databases + 8 (a write
 * transaction copies per-database state up to it), so a site's daemon pays
 * nothing for the group's limit. */
#define AS_STORE_MAX_DOMAIN_DBS 4096
#define AS_STORE_DEFAULT_MAP (256u << 20)
#define AS_STORE_LOCK_FILE "writer.lock"
/* what to do about a damaged data.mdb: the store's, or a backup's */
#define AS_STORE_FIX_STORE "restore it from a backup (asctl restore)"
#define AS_STORE_FIX_BACKUP "restore from another backup"

struct as_store {
    MDB_env *env;
    MDB_dbi outbox;
    MDB_dbi offsets;
    MDB_dbi requests;
    MDB_dbi request_times;
    MDB_dbi meta;
    size_t n_domain;
    char **domain_names; /* n_domain, in the order given at open */
    MDB_dbi *domain;
    char incarnation[AS_INCARNATION_LEN + 1];
    size_t map_size;
    uint64_t grows;
    uint64_t commits;
    int lock_fd; /* DIR/writer.lock, flock'ed: this process is the store's one writer */
};

/* LMDB passes system errors through as positive errno values. */
static int s_negative(int rc)
{
    return rc > 0 ? -rc : rc;
}

static int s_mkdir_p(const char *dir)
{
    char path[4096];
    if (strlen(dir) >= sizeof path)
        return -ENAMETOOLONG;
    strcpy(path, dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0750) != 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    if (mkdir(path, 0750) != 0 && errno != EEXIST)
        return -errno;
    return 0;
}

/* The time index of the requests: key stored_us (8 bytes, big-endian) then
 * the request id, empty value. Oldest first, so pruning reads only what it
 * deletes. */
static int s_time_key_put(MDB_txn *txn, MDB_dbi dbi, int64_t stored_us, const char *request_id)
{
    size_t id_len = strlen(request_id);
    uint8_t key[8 + 256];
    if (id_len > sizeof key - 8)
        return AS_EINVALID;
    uint64_t t = stored_us > 0 ? (uint64_t)stored_us : 0;
    for (int i = 7; i >= 0; i--, t >>= 8)
        key[i] = (uint8_t)t;
    memcpy(key + 8, request_id, id_len);
    MDB_val k = {8 + id_len, key}, empty = {0, NULL};
    return mdb_put(txn, dbi, &k, &empty, 0);
}

/* Opens the time index of the requests. A store from before it existed
 * (format 1 without retention) gets it now: every request kept until then is
 * indexed as stored at this open, so it expires one retention after the
 * upgrade. One pass over the requests' keys, once. */
static int s_open_request_times(as_store_t *self, MDB_txn *txn)
{
    int rc = mdb_dbi_open(txn, "request_times", 0, &self->request_times);
    if (rc != MDB_NOTFOUND)
        return rc;
    if ((rc = mdb_dbi_open(txn, "request_times", MDB_CREATE, &self->request_times)) != 0)
        return rc;
    MDB_cursor *cursor;
    if ((rc = mdb_cursor_open(txn, self->requests, &cursor)) != 0)
        return rc;
    int64_t now = as_now_us();
    MDB_val key, value;
    char id[257];
    for (rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
        if (key.mv_size >= sizeof id)
            continue; /* not an id the runtime writes (at most 128 bytes) */
        memcpy(id, key.mv_data, key.mv_size);
        id[key.mv_size] = '\0';
        if ((rc = s_time_key_put(txn, self->request_times, now, id)) != 0)
            break;
    }
    mdb_cursor_close(cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Opens the fixed databases and the domain ones; writes the meta records of a
 * new store. */
static int s_open_dbs(as_store_t *self, MDB_txn *txn)
{
    int rc;
    if ((rc = mdb_dbi_open(txn, "outbox", MDB_CREATE, &self->outbox)) != 0 ||
        (rc = mdb_dbi_open(txn, "offsets", MDB_CREATE, &self->offsets)) != 0 ||
        (rc = mdb_dbi_open(txn, "requests", MDB_CREATE, &self->requests)) != 0 ||
        (rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &self->meta)) != 0 ||
        (rc = s_open_request_times(self, txn)) != 0)
        return rc;
    for (size_t i = 0; i < self->n_domain; i++)
        if ((rc = mdb_dbi_open(txn, self->domain_names[i], MDB_CREATE, &self->domain[i])) != 0)
            return rc;

    MDB_val value;
    rc = as_meta_get(self, txn, "incarnation", &value);
    if (rc == MDB_NOTFOUND) {
        as_uuidv7(self->incarnation);
        char created[32];
        int n = snprintf(created, sizeof created, "%lld", (long long)as_now_us());
        char format[8];
        int f = snprintf(format, sizeof format, "%d", AS_STORE_FORMAT);
        if ((rc = as_meta_put(self, txn, "incarnation", self->incarnation, AS_INCARNATION_LEN)) ||
            (rc = as_meta_put(self, txn, "created_us", created, (size_t)n)) ||
            (rc = as_meta_put(self, txn, "format", format, (size_t)f)))
            return rc;
        return 0;
    }
    if (rc != 0)
        return rc;
    if (value.mv_size != AS_INCARNATION_LEN)
        return AS_EBADFRAME;
    memcpy(self->incarnation, value.mv_data, AS_INCARNATION_LEN);
    self->incarnation[AS_INCARNATION_LEN] = '\0';
    return 0;
}

/* Fills *why (when given) and returns code. */
static int s_fail(as_store_error_t *why, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int s_fail(as_store_error_t *why, int code, const char *fmt, ...)
{
    if (!why)
        return code;
    why->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->text, sizeof why->text, fmt, ap);
    va_end(ap);
    return code;
}

static int s_fail_errno(as_store_error_t *why, int code, const char *what, const char *path)
{
    return s_fail(why, code, "cannot %s '%s': %s", what, path, as_strerror(code));
}

/* The pid the holder of the writer lock wrote into it; 0 when unknown. */
static long s_holder_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    long pid = strtol(buf, NULL, 10);
    return pid > 0 ? pid : 0;
}

/* Takes the store's writer lock and returns its fd, or a negative code.
 *
 * An flock on a file of our own: LMDB keeps fcntl locks on lock.mdb (and
 * closing any descriptor of that file would drop them), so that file is left
 * to LMDB. flock rather than fcntl because an flock belongs to the open file:
 * it ends when the process ends however it ends, so a crashed daemon never
 * leaves a stale lock, and a second open in the same process is refused too
 * (fcntl locks are per process and would let it through). The file stays in
 * the directory; only the lock on it counts. */
static int s_lock_writer(const char *dir, as_store_error_t *why)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/" AS_STORE_LOCK_FILE, dir) >= (int)sizeof path)
        return s_fail_errno(why, -ENAMETOOLONG, "lock the store in", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return s_fail_errno(why, -errno, "open the lock file", path);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int rc = -errno;
        long holder = rc == -EWOULDBLOCK ? s_holder_pid(fd) : 0;
        close(fd);
        if (rc != -EWOULDBLOCK)
            return s_fail_errno(why, rc, "lock", path);
        if (why)
            why->holder_pid = holder;
        char pid[32] = "";
        if (holder)
            snprintf(pid, sizeof pid, " (pid %ld)", holder);
        return s_fail(why, AS_ELOCKED,
                      "the store in '%s' is in use by another process%s: a store has one "
                      "writer; stop that process first",
                      dir, pid);
    }
    /* for the message of whoever is refused next; the lock holds without it */
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    bool written = ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) == n;
    (void)written;
    return fd;
}

/* An empty data.mdb would be taken by LMDB for a new store, silently
 * replacing the lost one with an empty one under a new incarnation. */
static int s_refuse_empty_file(const char *dir, const char *fix, as_store_error_t *why)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    struct stat st;
    if (stat(path, &st) != 0 || st.st_size != 0)
        return 0;
    return s_fail(why, AS_EDAMAGED, "'%s' is empty (0 bytes): the file is truncated or damaged; %s",
                  path, fix);
}

/* The error of mdb_env_open() on `dir`, for people. */
static int s_env_open_error(const char *dir, int rc, const char *fix, as_store_error_t *why)
{
    rc = s_negative(rc);
    if (rc == MDB_INVALID)
        return s_fail(why, AS_EDAMAGED,
                      "'%s/data.mdb' is not an LMDB file, or its header is damaged; %s", dir, fix);
    if (rc == MDB_VERSION_MISMATCH)
        return s_fail(why, AS_EDAMAGED,
                      "'%s/data.mdb' (or its lock.mdb) was written in a format this LMDB (%s) "
                      "does not read: open it with the LMDB that wrote it, or %s",
                      dir, mdb_version(NULL, NULL, NULL), fix);
    return s_fail_errno(why, rc, "open the store in", dir);
}

static unsigned s_last_byte(const MDB_val *v)
{
    return v->mv_size ? ((const volatile unsigned char *)v->mv_data)[v->mv_size - 1] : 0;
}

/* Reads every key and the last byte of every value of `dbi` (the last page of
 * a value that spans pages). */
static int s_walk_db(MDB_txn *txn, MDB_dbi dbi, unsigned *sum)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open(txn, dbi, &cursor);
    if (rc != 0)
        return rc;
    MDB_val key, value;
    while ((rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) == 0)
        *sum += s_last_byte(&key) + s_last_byte(&value);
    mdb_cursor_close(cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Reads every page in use of the store in `dir`: the free list, the main
 * database and each named database in it. */
static int s_walk_store(const char *dir)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_cursor *cursor;
    MDB_dbi main_db, dbi;
    MDB_val key, value;
    unsigned sum = 0;
    int rc;
    if ((rc = mdb_env_create(&env)) != 0)
        return rc;
    mdb_env_set_maxdbs(env, AS_STORE_MAX_DOMAIN_DBS + 8);
    if ((rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0640)) != 0 ||
        (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0)
        goto out;
    if ((rc = s_walk_db(txn, 0 /* LMDB's free list */, &sum)) != 0 ||
        (rc = mdb_dbi_open(txn, NULL, 0, &main_db)) != 0 ||
        (rc = mdb_cursor_open(txn, main_db, &cursor)) != 0)
        goto abort;
    while ((rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) == 0) {
        char name[512];
        if (key.mv_size >= sizeof name || memchr(key.mv_data, '\0', key.mv_size))
            continue; /* not a database name of ours: its bytes were read */
        memcpy(name, key.mv_data, key.mv_size);
        name[key.mv_size] = '\0';
        if (mdb_dbi_open(txn, name, 0, &dbi) == 0 && (rc = s_walk_db(txn, dbi, &sum)) != 0)
            break;
    }
    mdb_cursor_close(cursor);
    if (rc == MDB_NOTFOUND)
        rc = 0;
abort:
    mdb_txn_abort(txn);
out:
    mdb_env_close(env);
    (void)sum;
    return rc;
}

/* Runs fn(dir) in a child process, where LMDB crashing on a damaged file
 * (SIGBUS on a page past the end of the file, SIGFPE on a meta page whose
 * page size is 0) ends only the child. Returns fn's result (0..127), or
 * S_CHILD_CRASHED with the signal in *sig, or -errno when no child could run. */
#define S_CHILD_CRASHED 1000
static int s_in_child(int (*fn)(const char *), const char *dir, int *sig)
{
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        /* die of the signal itself, also under a sanitizer's handlers */
        signal(SIGBUS, SIG_DFL);
        signal(SIGSEGV, SIG_DFL);
        signal(SIGFPE, SIG_DFL);
        _exit(fn(dir) & 0x7f);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    if (WIFSIGNALED(status)) {
        *sig = WTERMSIG(status);
        return S_CHILD_CRASHED;
    }
    return WEXITSTATUS(status);
}

/* In a child: opens data.mdb in `dir` as LMDB does (its meta pages only).
 * What mdb_env_open returns is for the caller's own open to report. */
static int s_open_header(const char *dir)
{
    MDB_env *env;
    if (mdb_env_create(&env) != 0)
        return 0;
    mdb_env_set_maxdbs(env, AS_STORE_MAX_DOMAIN_DBS + 8);
    mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0640);
    mdb_env_close(env);
    return 0;
}

/* Whether the meta page at `off` of `fd` is one LMDB 0.9 (64-bit) reads
 * without trouble: page flags, magic and version as mdb_env_read_header
 * checks them, and a page size it can divide by. Its page size in *psize. */
static bool s_meta_sound(int fd, off_t off, uint32_t *psize)
{
    unsigned char page[48];
    if (sizeof(size_t) != 8 || pread(fd, page, sizeof page, off) != (ssize_t)sizeof page)
        return false;
    uint16_t flags; /* after mp_pgno and mp_pad */
    uint32_t magic, version;
    memcpy(&flags, page + 10, 2);
    memcpy(&magic, page + 16, 4);
    memcpy(&version, page + 20, 4);
    memcpy(psize, page + 40, 4); /* mm_psize: the free database's md_pad */
    return (flags & 0x08 /* P_META */) && magic == 0xBEEFC0DE && version == 1 && *psize >= 256 &&
           *psize <= 0x10000 && (*psize & (*psize - 1)) == 0;
}

/* Whether both meta pages of data.mdb read as sound: then LMDB cannot crash
 * on them, and no child need try. */
static bool s_header_sound(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    uint32_t psize0, psize1;
    bool sound = s_meta_sound(fd, 0, &psize0) && s_meta_sound(fd, psize0, &psize1);
    close(fd);
    return sound;
}

/* Refuses a data.mdb whose meta pages crash LMDB 0.9 (it trusts their page
 * size, and divides by it); 0 when there is none or LMDB can read it. Only a
 * header that does not read as sound is tried in a child. */
static int s_check_header(const char *dir, const char *fix, as_store_error_t *why)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    if (access(path, F_OK) != 0 || s_header_sound(path))
        return 0; /* a new store, or the open says what is wrong */
    int sig = 0, rc = s_in_child(s_open_header, dir, &sig);
    if (rc < 0)
        return s_fail_errno(why, rc, "check the data file of the store in", dir);
    if (rc == S_CHILD_CRASHED)
        return s_fail(why, AS_EDAMAGED,
                      "'%s' has a damaged meta page (reading it killed LMDB with SIG%s); %s", path,
                      sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", fix);
    return 0;
}

/* In a child: 0 when every page in use of the store in `dir` was read. */
static int s_walk_ok(const char *dir)
{
    return s_walk_store(dir) == 0 ? 0 : 1;
}

/* Checks data.mdb against LMDB's own metadata, before any page beyond the
 * two meta pages is read through the map (mdb_env_open reads the meta pages
 * with pread; mdb_env_info and mdb_env_stat read them in the map, and a file
 * that passed mdb_env_open holds both). A file shorter than its last page is
 * usually cut short, but LMDB 0.9 may also leave the last pages unwritten
 * when the transaction that allocated them freed them again: then every page
 * in use is still there, which only reading them all tells. */
static int s_check_length(MDB_env *env, const char *dir, const char *fix, as_store_error_t *why)
{
    MDB_envinfo info;
    MDB_stat stat;
    struct stat st;
    int fd, rc;
    if ((rc = mdb_env_info(env, &info)) != 0 || (rc = mdb_env_stat(env, &stat)) != 0 ||
        (rc = mdb_env_get_fd(env, &fd)) != 0)
        return s_fail_errno(why, s_negative(rc), "read the metadata of the store in", dir);
    /* the file only grows, and its pages are written before the meta page
     * that counts them: stat it after reading the metadata */
    if (fstat(fd, &st) != 0)
        return s_fail_errno(why, -errno, "stat the data file of the store in", dir);
    long long needed = ((long long)info.me_last_pgno + 1) * (long long)stat.ms_psize;
    if ((long long)st.st_size >= needed)
        return 0;
    int sig = 0;
    rc = s_in_child(s_walk_ok, dir, &sig);
    if (rc == 0)
        return 0;
    if (rc < 0)
        return s_fail_errno(why, rc, "check the data file of the store in", dir);
    return s_fail(why, AS_EDAMAGED,
                  "'%s/data.mdb' is %lld bytes but its metadata says %lld: the file is truncated "
                  "or damaged; %s",
                  dir, (long long)st.st_size, needed, fix);
}

/* A new store object for `domain_dbs`, or NULL (rc set). */
static as_store_t *s_store_new(const char *const *domain_dbs, size_t map_size,
                               as_store_error_t *why)
{
    as_store_t *self = calloc(1, sizeof *self);
    if (!self) {
        s_fail(why, -ENOMEM, "cannot open a store: out of memory");
        return NULL;
    }
    self->lock_fd = -1;
    self->map_size = map_size ? map_size : AS_STORE_DEFAULT_MAP;
    size_t n = 0;
    while (domain_dbs && domain_dbs[n])
        n++;
    self->domain_names = calloc(n + 1, sizeof *self->domain_names);
    self->domain = calloc(n + 1, sizeof *self->domain);
    if (!self->domain_names || !self->domain) {
        s_fail(why, -ENOMEM, "cannot open a store: out of memory");
        as_store_close(&self);
        return NULL;
    }
    for (size_t i = 0; domain_dbs && domain_dbs[i]; i++) {
        /* the runtime's own databases cannot double as a domain's */
        bool reserved = !strcmp(domain_dbs[i], "outbox") || !strcmp(domain_dbs[i], "offsets") ||
                        !strcmp(domain_dbs[i], "requests") || !strcmp(domain_dbs[i], "meta") ||
                        !strcmp(domain_dbs[i], "request_times");
        if (i >= AS_STORE_MAX_DOMAIN_DBS || reserved) {
            if (reserved)
                s_fail(why, AS_EINVALID, "database name '%s' is the runtime's own", domain_dbs[i]);
            else
                s_fail(why, AS_EINVALID, "more than %d domain databases", AS_STORE_MAX_DOMAIN_DBS);
            as_store_close(&self);
            return NULL;
        }
        self->domain_names[i] = strdup(domain_dbs[i]);
        self->n_domain = i + 1;
    }
    return self;
}

static int s_grow(as_store_t *self);

/* Runs s_open_dbs in a transaction of its own and commits it. The first open
 * after the upgrade indexes every kept request: the map may have to grow. */
static int s_open_dbs_committed(as_store_t *self)
{
    for (;;) {
        MDB_txn *txn;
        int rc = mdb_txn_begin(self->env, NULL, 0, &txn);
        if (rc != 0)
            return rc;
        if ((rc = s_open_dbs(self, txn)) != 0)
            mdb_txn_abort(txn);
        else
            rc = mdb_txn_commit(txn);
        if (rc != MDB_MAP_FULL || (rc = s_grow(self)) != 0)
            return rc;
    }
}

/* Opens the environment in `dir`, whose writer lock self->lock_fd holds:
 * checks data.mdb, opens the databases and reads or makes the incarnation. */
static int s_open_env(as_store_t *self, const char *dir, as_store_error_t *why)
{
    /* removing an empty data.mdb is right only for a store that never held
     * anything: the operator decides */
    int rc = s_refuse_empty_file(
        dir, AS_STORE_FIX_STORE ", or remove it if this store never held anything", why);
    if (rc == 0)
        rc = s_check_header(dir, AS_STORE_FIX_STORE, why);
    if (rc != 0)
        return rc;
    if ((rc = mdb_env_create(&self->env)) != 0)
        return s_fail_errno(why, s_negative(rc), "open the store in", dir);
    mdb_env_set_maxdbs(self->env, (MDB_dbi)self->n_domain + 8);
    mdb_env_set_maxreaders(self->env, 126);
    if ((rc = mdb_env_set_mapsize(self->env, self->map_size)) != 0)
        return s_fail_errno(why, s_negative(rc), "open the store in", dir);
    if ((rc = mdb_env_open(self->env, dir, MDB_NOTLS, 0640)) != 0)
        return s_env_open_error(dir, rc, AS_STORE_FIX_STORE, why);
    if ((rc = s_check_length(self->env, dir, AS_STORE_FIX_STORE, why)) != 0)
        return rc;
    /* the file may be bigger than asked when it grew in an earlier run */
    MDB_envinfo info;
    mdb_env_info(self->env, &info);
    self->map_size = info.me_mapsize;
    int dead = 0;
    mdb_reader_check(self->env, &dead);

    if ((rc = s_open_dbs_committed(self)) != 0)
        return s_fail_errno(why, s_negative(rc), "open the databases of the store in", dir);
    return 0;
}

/* Opens the store in `dir` for this process, which already holds its writer
 * lock `lock_fd` (given to the store, closed with it or on failure). */
static as_store_t *s_open_locked(const char *dir, int lock_fd, const char *const *domain_dbs,
                                 size_t map_size, as_store_error_t *why)
{
    as_store_t *self = s_store_new(domain_dbs, map_size, why);
    if (!self) {
        close(lock_fd);
        return NULL;
    }
    self->lock_fd = lock_fd;
    if (s_open_env(self, dir, why) != 0)
        as_store_close(&self);
    return self;
}

as_store_t *as_store_open_why(const char *dir, const char *const *domain_dbs, size_t map_size,
                              as_store_error_t *why)
{
    as_store_error_t ignored;
    if (!why)
        why = &ignored;
    memset(why, 0, sizeof *why);
    /* a bad database list is the caller's mistake: found before touching the disk */
    as_store_t *self = s_store_new(domain_dbs, map_size, why);
    if (!self)
        return NULL;
    int rc = s_mkdir_p(dir);
    if (rc != 0)
        s_fail_errno(why, rc, "make the store's directory", dir);
    else if ((self->lock_fd = s_lock_writer(dir, why)) >= 0)
        rc = s_open_env(self, dir, why);
    if (rc != 0 || self->lock_fd < 0)
        as_store_close(&self);
    return self;
}

as_store_t *as_store_open(const char *dir, const char *const *domain_dbs, size_t map_size, int *err)
{
    as_store_error_t why;
    as_store_t *self = as_store_open_why(dir, domain_dbs, map_size, &why);
    if (!self && err)
        *err = why.code;
    return self;
}

void as_store_close(as_store_t **self_p)
{
    as_store_t *self = *self_p;
    if (!self)
        return;
    if (self->env)
        mdb_env_close(self->env);
    for (size_t i = 0; i < self->n_domain; i++)
        free(self->domain_names[i]);
    free(self->domain_names);
    free(self->domain);
    if (self->lock_fd >= 0)
        close(self->lock_fd); /* last: the store is closed before another writer may open it */
    free(self);
    *self_p = NULL;
}

const char *as_store_incarnation(const as_store_t *self)
{
    return self->incarnation;
}

MDB_dbi as_store_dbi(const as_store_t *self, const char *name)
{
    for (size_t i = 0; i < self->n_domain; i++)
        if (strcmp(self->domain_names[i], name) == 0)
            return self->domain[i];
    assert(!"database not named at as_store_open");
    return 0;
}

MDB_dbi as_store_dbi_at(const as_store_t *self, size_t index)
{
    assert(index < self->n_domain);
    return index < self->n_domain ? self->domain[index] : 0;
}

MDB_env *as_store_env(as_store_t *self)
{
    return self->env;
}

uint64_t as_store_grows(const as_store_t *self)
{
    return self->grows;
}

uint64_t as_store_commits(const as_store_t *self)
{
    return self->commits;
}

static int s_grow(as_store_t *self)
{
    size_t bigger = self->map_size * 2;
    int rc = mdb_env_set_mapsize(self->env, bigger);
    if (rc == 0) {
        self->map_size = bigger;
        self->grows++;
    }
    return rc;
}

int as_store_write(as_store_t *self, as_store_txn_fn fn, void *arg)
{
    for (;;) {
        MDB_txn *txn;
        int rc = mdb_txn_begin(self->env, NULL, 0, &txn);
        if (rc == MDB_MAP_RESIZED) {
            /* another process grew the map: adopt its size */
            if ((rc = mdb_env_set_mapsize(self->env, 0)) != 0)
                return rc;
            continue;
        }
        if (rc != 0)
            return rc;
        rc = fn(txn, arg);
        if (rc != 0) {
            mdb_txn_abort(txn);
            if (rc == MDB_MAP_FULL && (rc = s_grow(self)) == 0)
                continue;
            return rc;
        }
        size_t id = mdb_txn_id(txn);
        rc = mdb_txn_commit(txn);
        if (rc == MDB_MAP_FULL && (rc = s_grow(self)) == 0)
            continue;
        MDB_envinfo info;
        /* counted when it wrote: LMDB commits a transaction that changed
         * nothing without a write or an fsync, and without a new id */
        if (rc == 0 && mdb_env_info(self->env, &info) == 0 && info.me_last_txnid == id)
            self->commits++;
        return rc;
    }
}

int as_store_read(as_store_t *self, as_store_txn_fn fn, void *arg)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(self->env, NULL, MDB_RDONLY, &txn);
    if (rc == MDB_MAP_RESIZED) {
        if ((rc = mdb_env_set_mapsize(self->env, 0)) != 0)
            return rc;
        rc = mdb_txn_begin(self->env, NULL, MDB_RDONLY, &txn);
    }
    if (rc != 0)
        return rc;
    rc = fn(txn, arg);
    mdb_txn_abort(txn);
    return rc;
}

/* --- outbox ---------------------------------------------------------- */

static void s_seq_key(uint64_t seq, unsigned char key[8])
{
    for (int i = 7; i >= 0; i--) {
        key[i] = (unsigned char)(seq & 0xff);
        seq >>= 8;
    }
}

static uint64_t s_seq_of(const MDB_val *key)
{
    uint64_t seq = 0;
    const unsigned char *p = key->mv_data;
    for (size_t i = 0; i < 8 && i < key->mv_size; i++)
        seq = (seq << 8) | p[i];
    return seq;
}

int as_outbox_last(as_store_t *self, MDB_txn *txn, uint64_t *seq)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open(txn, self->outbox, &cursor);
    if (rc != 0)
        return rc;
    MDB_val key, value;
    rc = mdb_cursor_get(cursor, &key, &value, MDB_LAST);
    mdb_cursor_close(cursor);
    if (rc == MDB_NOTFOUND) {
        *seq = 0;
        return 0;
    }
    if (rc == 0)
        *seq = s_seq_of(&key);
    return rc;
}

int as_outbox_append(as_store_t *self, MDB_txn *txn, uint64_t seq, const void *data, size_t len)
{
    /* gapless: MDB_APPEND alone refuses only seqs at or below the last */
    uint64_t last = 0;
    int rc = as_outbox_last(self, txn, &last);
    if (rc != 0)
        return rc;
    if (seq != last + 1)
        return AS_EINVALID;
    unsigned char keybuf[8];
    s_seq_key(seq, keybuf);
    MDB_val key = {8, keybuf};
    MDB_val value = {len, (void *)data};
    rc = mdb_put(txn, self->outbox, &key, &value, MDB_APPEND);
    if (rc == MDB_KEYEXIST)
        return AS_EINVALID; /* not after the last key */
    return rc;
}

int as_outbox_scan(as_store_t *self, MDB_txn *txn, uint64_t from_seq, size_t max, size_t max_bytes,
                   as_outbox_fn fn, void *arg)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open(txn, self->outbox, &cursor);
    if (rc != 0)
        return rc;
    unsigned char keybuf[8];
    s_seq_key(from_seq, keybuf);
    MDB_val key = {8, keybuf}, value;
    size_t count = 0, bytes = 0;
    rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
    while (rc == 0 && count < max && (count == 0 || bytes + value.mv_size <= max_bytes)) {
        if ((rc = fn(s_seq_of(&key), &value, arg)) != 0)
            break;
        count++;
        bytes += value.mv_size;
        rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
    }
    mdb_cursor_close(cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* --- offsets ---------------------------------------------------------- */

int as_offset_get(as_store_t *self, MDB_txn *txn, const char *source, As__SourceOffset **out)
{
    return as_store_get_msg(txn, self->offsets, source, strlen(source),
                            &as__source_offset__descriptor, (ProtobufCMessage **)out);
}

int as_offset_put(as_store_t *self, MDB_txn *txn, const As__SourceOffset *off)
{
    return as_store_put_msg(txn, self->offsets, off->source, strlen(off->source), &off->base);
}

int as_offset_each(as_store_t *self, MDB_txn *txn, as_offset_fn fn, void *arg)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open(txn, self->offsets, &cursor);
    if (rc != 0)
        return rc;
    MDB_val key, value;
    while ((rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) == 0) {
        As__SourceOffset *off = as__source_offset__unpack(NULL, value.mv_size, value.mv_data);
        if (!off || !off->source) {
            if (off)
                as__source_offset__free_unpacked(off, NULL);
            continue; /* unreadable record: skipped, never fatal */
        }
        rc = fn(off, arg);
        as__source_offset__free_unpacked(off, NULL);
        if (rc != 0)
            break;
    }
    mdb_cursor_close(cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* --- requests and meta ---------------------------------------------- */

static int s_get_str(MDB_txn *txn, MDB_dbi dbi, const char *name, MDB_val *value)
{
    MDB_val key = {strlen(name), (void *)name};
    return mdb_get(txn, dbi, &key, value);
}

static int s_put_str(MDB_txn *txn, MDB_dbi dbi, const char *name, const void *data, size_t len)
{
    MDB_val key = {strlen(name), (void *)name};
    MDB_val value = {len, (void *)data};
    return mdb_put(txn, dbi, &key, &value, 0);
}

int as_request_get(as_store_t *self, MDB_txn *txn, const char *request_id, MDB_val *reply)
{
    return s_get_str(txn, self->requests, request_id, reply);
}

int as_request_put_at(as_store_t *self, MDB_txn *txn, const char *request_id, int64_t stored_us,
                      const void *reply, size_t len)
{
    /* the index first: an id too long for it writes nothing */
    int rc = s_time_key_put(txn, self->request_times, stored_us, request_id);
    return rc ? rc : s_put_str(txn, self->requests, request_id, reply, len);
}

int as_request_put(as_store_t *self, MDB_txn *txn, const char *request_id, const void *reply,
                   size_t len)
{
    return as_request_put_at(self, txn, request_id, as_now_us(), reply, len);
}

/* The stored time of an index key (its first 8 bytes). */
static int64_t s_time_of_key(const MDB_val *key)
{
    uint64_t t = 0;
    const uint8_t *p = key->mv_data;
    for (size_t i = 0; i < 8 && i < key->mv_size; i++)
        t = t << 8 | p[i];
    return (int64_t)t;
}

int as_request_prune(as_store_t *self, MDB_txn *txn, int64_t stored_before_us, size_t max,
                     size_t *pruned)
{
    *pruned = 0;
    MDB_cursor *cursor;
    int rc = mdb_cursor_open(txn, self->request_times, &cursor);
    if (rc != 0)
        return rc;
    MDB_val key, value;
    while (*pruned < max && (rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST)) == 0 &&
           key.mv_size >= 8 && s_time_of_key(&key) < stored_before_us) {
        MDB_val id = {key.mv_size - 8, (uint8_t *)key.mv_data + 8};
        rc = mdb_del(txn, self->requests, &id, NULL);
        if (rc != 0 && rc != MDB_NOTFOUND) /* NOTFOUND: an id put twice, gone already */
            break;
        if ((rc = mdb_cursor_del(cursor, 0)) != 0)
            break;
        ++*pruned;
    }
    mdb_cursor_close(cursor);
    return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

int as_meta_get(as_store_t *self, MDB_txn *txn, const char *name, MDB_val *value)
{
    return s_get_str(txn, self->meta, name, value);
}

int as_meta_put(as_store_t *self, MDB_txn *txn, const char *name, const void *value, size_t len)
{
    return s_put_str(txn, self->meta, name, value, len);
}

/* --- domain helpers --------------------------------------------------- */

int as_store_put_msg(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t key_len,
                     const ProtobufCMessage *msg)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    MDB_val k = {key_len, (void *)key};
    MDB_val v = {len, NULL};
    /* pack straight into the page LMDB reserves: no copy */
    int rc = mdb_put(txn, dbi, &k, &v, MDB_RESERVE);
    if (rc != 0)
        return rc;
    protobuf_c_message_pack(msg, v.mv_data);
    return 0;
}

int as_store_get_msg(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t key_len,
                     const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out)
{
    MDB_val k = {key_len, (void *)key}, v;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc != 0)
        return rc;
    *out = protobuf_c_message_unpack(desc, NULL, v.mv_size, v.mv_data);
    return *out ? 0 : AS_EBADFRAME;
}

int as_store_reader_check(as_store_t *self, int *dead)
{
    return mdb_reader_check(self->env, dead);
}

/* Opens the store in `dir` read-only and checks its data file as at open. */
static int s_open_readonly(const char *dir, MDB_env **env, const char *fix, as_store_error_t *why)
{
    int rc = s_refuse_empty_file(dir, fix, why);
    if (rc == 0)
        rc = s_check_header(dir, fix, why);
    if (rc != 0)
        return rc;
    if ((rc = mdb_env_create(env)) != 0)
        return s_fail_errno(why, s_negative(rc), "open the store in", dir);
    mdb_env_set_maxdbs(*env, AS_STORE_MAX_DOMAIN_DBS + 8);
    if ((rc = mdb_env_open(*env, dir, MDB_RDONLY | MDB_NOTLS, 0640)) != 0)
        rc = s_env_open_error(dir, rc, fix, why);
    else
        rc = s_check_length(*env, dir, fix, why);
    if (rc != 0) {
        mdb_env_close(*env);
        *env = NULL;
    }
    return rc;
}

/* 0 when `dir` is an existing, empty directory. */
static int s_empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            rc = -EEXIST;
    closedir(d);
    return rc;
}

/* Writes a compacted copy of `env` as DEST_DIR/data.mdb, created by us with
 * mode 0600 whatever the umask (a store holds customers' names and phones:
 * LMDB's own copy would create it 0644 under the usual umask 022) and
 * synced before it counts as written. Removes a partial copy. Returns 0,
 * -errno or an LMDB code. */
static int s_copy_private(MDB_env *env, const char *dest_dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data.mdb", dest_dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    int rc = s_negative(mdb_env_copyfd2(env, fd, MDB_CP_COMPACT));
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc != 0)
        unlink(path);
    return rc;
}

int as_store_backup_why(const char *dir, const char *dest, as_store_error_t *why)
{
    as_store_error_t ignored;
    if (!why)
        why = &ignored;
    memset(why, 0, sizeof *why);
    int rc = s_empty_dir(dest);
    if (rc == -EEXIST)
        return s_fail(why, rc, "'%s' is not empty: a backup goes into an empty directory", dest);
    if (rc != 0)
        return s_fail_errno(why, rc, "write a backup into", dest);
    MDB_env *env;
    if ((rc = s_open_readonly(dir, &env, AS_STORE_FIX_STORE, why)) != 0)
        return rc;
    rc = s_copy_private(env, dest);
    mdb_env_close(env);
    if (rc != 0)
        return s_fail(why, rc, "cannot copy the store in '%s' into '%s': %s", dir, dest,
                      as_strerror(rc));
    return 0;
}

int as_store_backup(const char *dir, const char *dest)
{
    return as_store_backup_why(dir, dest, NULL);
}

/* The outbox of an open read-only environment, in seq order, in `txn`. */
static int s_outbox_each(MDB_txn *txn, as_outbox_fn fn, void *arg)
{
    MDB_dbi outbox;
    int rc = mdb_dbi_open(txn, "outbox", 0, &outbox);
    if (rc == MDB_NOTFOUND)
        return 0; /* a store that never emitted */
    MDB_cursor *cursor;
    if (rc != 0 || (rc = mdb_cursor_open(txn, outbox, &cursor)) != 0)
        return rc;
    MDB_val key, value;
    for (rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT))
        if ((rc = fn(s_seq_of(&key), &value, arg)) != 0)
            break;
    mdb_cursor_close(cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The incarnation kept in meta ("" when none). */
static void s_read_incarnation(MDB_txn *txn, char out[AS_INCARNATION_LEN + 1])
{
    MDB_dbi meta;
    MDB_val value;
    out[0] = '\0';
    if (mdb_dbi_open(txn, "meta", 0, &meta) == 0 &&
        s_get_str(txn, meta, "incarnation", &value) == 0)
        snprintf(out, AS_INCARNATION_LEN + 1, "%.*s", (int)value.mv_size,
                 (const char *)value.mv_data);
}

/* The caller's fn, and the code it stopped with (0: it did not). */
typedef struct {
    as_outbox_fn fn;
    void *arg;
    int stopped;
} s_outbox_reader_t;

static int s_outbox_entry(uint64_t seq, const MDB_val *value, void *arg)
{
    s_outbox_reader_t *reader = arg;
    return reader->stopped = reader->fn(seq, value, reader->arg);
}

int as_outbox_read_why(const char *dir, char incarnation[AS_INCARNATION_LEN + 1], as_outbox_fn fn,
                       void *arg, as_store_error_t *why)
{
    as_store_error_t ignored;
    if (!why)
        why = &ignored;
    memset(why, 0, sizeof *why);
    MDB_env *env;
    int rc = s_open_readonly(dir, &env, AS_STORE_FIX_STORE, why);
    if (rc != 0)
        return rc;
    MDB_txn *txn;
    s_outbox_reader_t reader = {.fn = fn, .arg = arg};
    if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) == 0) {
        s_read_incarnation(txn, incarnation);
        rc = s_outbox_each(txn, s_outbox_entry, &reader);
        mdb_txn_abort(txn);
    }
    mdb_env_close(env);
    if (rc != 0 && rc != reader.stopped)
        s_fail(why, s_negative(rc), "cannot read the outbox of the store in '%s': %s", dir,
               as_strerror(s_negative(rc)));
    return rc == reader.stopped ? rc : s_negative(rc);
}

int as_store_lineage(as_store_t *self, MDB_txn *txn, As__Lineage **out)
{
    MDB_val v;
    int rc = as_meta_get(self, txn, "lineage", &v);
    if (rc == MDB_NOTFOUND) {
        *out = calloc(1, sizeof **out);
        if (!*out)
            return -ENOMEM;
        as__lineage__init(*out);
        return 0;
    }
    if (rc != 0)
        return rc;
    *out = as__lineage__unpack(NULL, v.mv_size, v.mv_data);
    return *out ? 0 : AS_EBADFRAME;
}

/* The restored store continues the backup's history up to the backup's last
 * seq: its lineage is that incarnation at that seq, then the backup's own. */
static int s_new_incarnation(MDB_txn *txn, void *arg)
{
    as_store_t *self = arg;
    uint64_t last = 0;
    As__Lineage *old = NULL;
    int rc = as_outbox_last(self, txn, &last);
    if (rc == 0)
        rc = as_store_lineage(self, txn, &old);
    if (rc != 0)
        return rc;
    As__Ancestor parent = AS__ANCESTOR__INIT;
    parent.incarnation = self->incarnation;
    parent.has_fork_seq = 1;
    parent.fork_seq = last;
    As__Ancestor **chain = calloc(old->n_ancestors + 1, sizeof *chain);
    if (!chain) {
        rc = -ENOMEM;
        goto out;
    }
    chain[0] = &parent;
    for (size_t i = 0; i < old->n_ancestors; i++)
        chain[i + 1] = old->ancestors[i];
    As__Lineage lineage = AS__LINEAGE__INIT;
    lineage.n_ancestors = old->n_ancestors + 1;
    lineage.ancestors = chain;
    size_t len = as__lineage__get_packed_size(&lineage);
    uint8_t *packed = malloc(len ? len : 1);
    if (!packed) {
        rc = -ENOMEM;
        goto out;
    }
    as__lineage__pack(&lineage, packed);
    char restored[32];
    int n = snprintf(restored, sizeof restored, "%llu", (unsigned long long)last);
    char incarnation[AS_INCARNATION_LEN + 1];
    as_uuidv7(incarnation);
    if (!(rc = as_meta_put(self, txn, "lineage", packed, len)) &&
        !(rc = as_meta_put(self, txn, "incarnation", incarnation, AS_INCARNATION_LEN)) &&
        !(rc = as_meta_put(self, txn, "restored_at_seq", restored, (size_t)n)))
        memcpy(self->incarnation, incarnation, sizeof incarnation);
    free(packed);
out:
    free(chain);
    as__lineage__free_unpacked(old, NULL);
    return rc;
}

/* Copies the backup into `dir`, whose writer lock is held and which holds
 * no store. */
static int s_copy_backup(const char *backup_dir, const char *dir, as_store_error_t *why)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    if (access(path, F_OK) == 0)
        return s_fail(why, -EEXIST,
                      "'%s' already holds a store (data.mdb): stop its daemon and move the "
                      "directory away first",
                      dir);
    MDB_env *env;
    int rc = s_open_readonly(backup_dir, &env, AS_STORE_FIX_BACKUP, why);
    if (rc != 0)
        return rc;
    rc = s_copy_private(env, dir);
    mdb_env_close(env);
    if (rc != 0)
        return s_fail(why, rc, "cannot copy the backup in '%s' into '%s': %s", backup_dir, dir,
                      as_strerror(rc));
    return 0;
}

int as_store_restore_why(const char *backup_dir, const char *dir, as_store_error_t *why)
{
    as_store_error_t ignored;
    if (!why)
        why = &ignored;
    memset(why, 0, sizeof *why);
    int rc = s_mkdir_p(dir);
    if (rc != 0)
        return s_fail_errno(why, rc, "make the store's directory", dir);
    /* held from before the copy until the new incarnation is written */
    int lock_fd = s_lock_writer(dir, why);
    if (lock_fd < 0)
        return lock_fd;
    if ((rc = s_copy_backup(backup_dir, dir, why)) != 0) {
        close(lock_fd);
        return rc;
    }
    as_store_t *store = s_open_locked(dir, lock_fd, NULL, 0, why);
    if (!store)
        return why->code;
    rc = as_store_write(store, s_new_incarnation, store);
    as_store_close(&store);
    if (rc != 0)
        return s_fail(why, rc, "cannot give the restored store in '%s' a new incarnation: %s", dir,
                      as_strerror(rc));
    return 0;
}

int as_store_restore(const char *backup_dir, const char *dir)
{
    return as_store_restore_why(backup_dir, dir, NULL);
}
