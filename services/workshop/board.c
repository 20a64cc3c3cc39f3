/* board.c — workshop.board: the jobs of one day, not every job ever. A job is
 * on the board of a day when the workshop took it on or before that day and
 * it was still open then (not passed QC or cancelled before that day): by
 * default today's board, today's and all open work. Any staff member may look.
 *
 * The index `jobs_by_finish` [finished_date \0 ro_number \0 job_no], with an
 * empty date for a job still open, is kept by ws_put_job in the transaction
 * that writes the job, so the board of day D reads the open jobs and those
 * finished on D or later, never the whole history. Jobs from a store written
 * before the days were kept are indexed once at start (ws_board_upgrade):
 * open ones as open; finished ones, whose day nobody knows, only with all. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/log.h"
#include "workshop.h"

#define BOARD_FORMAT_META "workshop_board"
#define BOARD_FORMAT "1"

static bool s_finished(As__WorkStatus status)
{
    return status == AS__WORK_STATUS__WORK_QC_PASSED || status == AS__WORK_STATUS__WORK_CANCELLED;
}

static int s_finish_key(as_key_t *key, const char *finished, const As__WorkJob *job)
{
    int rc = as_key_of(key, finished ? finished : "", job->ro_number, NULL);
    return rc == 0 ? as_key_add_u32(key, job->job_no) : rc;
}

/* Files the job under its finished date `now` ("": open), moving it from
 * the open jobs when it is finished (whoever set the date: the QC pass sets
 * its own day), or from `was` when it opens again. */
static int s_file(MDB_txn *txn, as_service_t *svc, const As__WorkJob *job, const char *was,
                  const char *now)
{
    MDB_dbi dbi = as_record_dbi(svc, "jobs_by_finish");
    as_key_t key;
    const char *from = *now ? "" : was && *was ? was : NULL;
    int rc = 0;
    if (from && (rc = s_finish_key(&key, from, job)) == 0)
        rc = as_record_del_key(txn, dbi, &key);
    if (rc == 0 && (rc = s_finish_key(&key, now, job)) == 0)
        rc = as_record_put_key(txn, dbi, &key, NULL);
    return rc;
}

int ws_job_dates(MDB_txn *txn, as_service_t *svc, As__WorkJob *job)
{
    char today[AS_DATE_LEN + 1];
    as_date_today(today);
    int rc = ws_empty(job->opened_date) ? ws_set_str(&job->opened_date, today) : 0;
    const char *was = job->finished_date ? job->finished_date : "";
    const char *now = !s_finished(job->status) ? "" : *was ? was : today;
    if (rc == 0)
        rc = s_file(txn, svc, job, was, now);
    if (rc == 0 && now != was)
        rc = ws_set_str(&job->finished_date, now);
    return rc;
}

/* --- the board ------------------------------------------------------------ */

/* On the board of `date`: taken by then, and not finished before it (any
 * day with `all`); the technician's and of the status, when asked. */
static bool s_on_board(const As__WorkJob *job, const As__BoardQuery *q, const char *date)
{
    if (!ws_empty(q->technician) && (!job->technician || strcmp(job->technician, q->technician)))
        return false;
    if (q->has_status && q->status != AS__WORK_STATUS__WORK_STATUS_UNSET &&
        job->status != q->status)
        return false;
    if (q->has_all && q->all)
        return true;
    if (ws_empty(job->opened_date))
        return !s_finished(job->status);
    if (strcmp(job->opened_date, date) > 0)
        return false;
    return !s_finished(job->status) || ws_empty(job->finished_date) ||
           strcmp(job->finished_date, date) >= 0;
}

typedef struct {
    as_cmd_t *cmd;
    const As__BoardQuery *q;
    const char *date;
    ProtobufCMessage **jobs;
    size_t n, cap;
} s_board_t;

static int s_keep(s_board_t *b, As__WorkJob *job)
{
    if (!s_on_board(job, b->q, b->date)) {
        as__work_job__free_unpacked(job, NULL);
        return 0;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 32;
        ProtobufCMessage **grown = realloc(b->jobs, cap * sizeof *grown);
        if (!grown) {
            as__work_job__free_unpacked(job, NULL);
            return -ENOMEM;
        }
        b->jobs = grown;
        b->cap = cap;
    }
    b->jobs[b->n++] = &job->base;
    return 0;
}

/* An index key "date \0 ro_number \0 job_no": the job, if on the board. */
static int s_read_filed(s_board_t *b, const MDB_val *key)
{
    const char *k = key->mv_data, *ro = memchr(k, AS_KEY_SEP, key->mv_size);
    if (!ro || key->mv_size < (size_t)(ro + 1 - k) + 5)
        return 0;
    ro++;
    size_t ro_len = key->mv_size - (size_t)(ro - k) - 5;
    char ro_number[AS_KEY_MAX + 1];
    memcpy(ro_number, ro, ro_len);
    ro_number[ro_len] = '\0';
    const unsigned char *no = (const unsigned char *)ro + ro_len + 1;
    uint32_t job_no = (uint32_t)no[0] << 24 | (uint32_t)no[1] << 16 | (uint32_t)no[2] << 8 | no[3];
    As__WorkJob *job = NULL; /* filed with the job in one transaction: always there */
    int rc = ws_load_job(b->cmd, ro_number, job_no, &job);
    return rc == 0 ? s_keep(b, job) : rc;
}

/* The open jobs (date ""), then those finished on the board's day or later. */
static int s_read_index(s_board_t *b)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(b->cmd->txn, as_record_dbi(b->cmd->svc, "jobs_by_finish"), &cur);
    if (rc != 0)
        return rc;
    MDB_val k = {1, ""}, v; /* "\0...": the open jobs */
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && ((char *)k.mv_data)[0] == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        if ((rc = s_read_filed(b, &k)) != 0)
            break;
    k.mv_size = strlen(b->date);
    k.mv_data = (void *)b->date;
    for (rc = rc == 0 || rc == MDB_NOTFOUND ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) : rc;
         rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        if ((rc = s_read_filed(b, &k)) != 0)
            break;
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_read_all(s_board_t *b)
{
    as_record_list_t all;
    int rc = as_record_scan(b->cmd->txn, as_record_dbi(b->cmd->svc, "jobs"), NULL,
                            &as__work_job__descriptor, &all);
    for (size_t i = 0; i < all.n; i++) {
        As__WorkJob *job = (As__WorkJob *)all.msgs[i];
        all.msgs[i] = NULL;
        if (rc == 0)
            rc = s_keep(b, job);
        else
            as__work_job__free_unpacked(job, NULL);
    }
    as_record_list_free(&all);
    return rc;
}

/* In the jobs' own order: by RO, then job number. */
static int s_job_order(const void *a, const void *b)
{
    const As__WorkJob *x = *(As__WorkJob *const *)a, *y = *(As__WorkJob *const *)b;
    int c = strcmp(x->ro_number, y->ro_number);
    return c ? c : (x->job_no > y->job_no) - (x->job_no < y->job_no);
}

static int s_reply(as_cmd_t *cmd, s_board_t *b)
{
    as_record_list_t techs = {0}, bays = {0};
    int rc;
    if ((rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "technicians"), NULL,
                             &as__technician__descriptor, &techs)) == 0 &&
        (rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "bays"), NULL, &as__bay__descriptor,
                             &bays)) == 0) {
        if (b->n)
            qsort(b->jobs, b->n, sizeof *b->jobs, s_job_order);
        /* an open job shows the bulletins its technician has not acknowledged */
        for (size_t i = 0; rc == 0 && i < b->n; i++) {
            As__WorkJob *job = (As__WorkJob *)b->jobs[i];
            if (!s_finished(job->status))
                rc = ws_job_bulletins(cmd->txn, cmd->svc, job, job->technician);
        }
    }
    if (rc == 0) {
        As__WorkshopBoard board = AS__WORKSHOP_BOARD__INIT;
        board.n_jobs = b->n;
        board.jobs = (As__WorkJob **)b->jobs;
        board.n_technicians = techs.n;
        board.technicians = (As__Technician **)techs.msgs;
        board.n_bays = bays.n;
        board.bays = (As__Bay **)bays.msgs;
        board.date = (char *)b->date;
        rc = as_cmd_reply(cmd, &board.base);
    }
    as_record_list_free(&techs);
    as_record_list_free(&bays);
    return rc;
}

int ws_cmd_board(as_cmd_t *cmd)
{
    const As__BoardQuery *q = (const As__BoardQuery *)cmd->request;
    char date[AS_DATE_LEN + 1];
    if (ws_empty(q->date))
        as_date_today(date);
    else if (as_date_valid(q->date))
        memcpy(date, q->date, sizeof date);
    else
        return as_cmd_fail(cmd, AS_EINVALID, "date '%s' is not a date YYYY-MM-DD", q->date);
    s_board_t b = {cmd, q, date, NULL, 0, 0};
    int rc = q->has_all && q->all ? s_read_all(&b) : s_read_index(&b);
    if (rc == 0)
        rc = s_reply(cmd, &b);
    for (size_t i = 0; i < b.n; i++)
        protobuf_c_message_free_unpacked(b.jobs[i], NULL);
    free(b.jobs);
    return rc;
}

/* --- the index of a store written before it ------------------------------------ */

typedef struct {
    as_service_t *svc;
    MDB_txn *txn;
    size_t jobs;
} s_upgrade_t;

static int s_index_job(const MDB_val *rest, const MDB_val *value, void *arg)
{
    (void)rest;
    s_upgrade_t *up = arg;
    As__WorkJob *job = as__work_job__unpack(NULL, value->mv_size, value->mv_data);
    if (!job)
        return AS_EBADFRAME;
    int rc = 0;
    if (!ws_empty(job->finished_date) || !s_finished(job->status))
        rc = s_file(up->txn, up->svc, job, NULL, job->finished_date ? job->finished_date : "");
    as__work_job__free_unpacked(job, NULL);
    up->jobs++;
    return rc;
}

static int s_upgrade(MDB_txn *txn, void *arg)
{
    s_upgrade_t *up = arg;
    up->txn = txn;
    up->jobs = 0;
    as_store_t *store = as_service_store(up->svc);
    MDB_val format;
    if (as_meta_get(store, txn, BOARD_FORMAT_META, &format) == 0)
        return 0;
    int rc = as_record_each(txn, as_record_dbi(up->svc, "jobs"), NULL, s_index_job, up);
    return rc == 0 ? as_meta_put(store, txn, BOARD_FORMAT_META, BOARD_FORMAT, strlen(BOARD_FORMAT))
                   : rc;
}

int ws_board_upgrade(as_service_t *svc)
{
    s_upgrade_t up = {svc, NULL, 0};
    int rc = as_store_write(as_service_store(svc), s_upgrade, &up);
    if (rc != 0)
        as_error("workshop: building the board's index failed: %s", as_strerror(rc));
    else if (up.jobs)
        as_info("workshop: store upgraded: %zu jobs filed for the board", up.jobs);
    return rc;
}
