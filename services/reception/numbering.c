/* numbering.c — the numbers reception hands out when a client gives none:
 * repair orders per day of the site, R + YYMMDD + the day's 4-digit sequence
 * (R2611020001), customers, C + a 6-digit sequence (C000001), and quality
 * actions, QA- + a sequence of at least 4 digits (QA-0001).
 *
 * The last number of each sequence is a record (db `sequences`), read and
 * written in the command's own transaction. A store has one writer, so two
 * openings can never take the same number; a command that fails takes none
 * (its transaction is aborted). A number a client already gave itself is
 * skipped. A retried request id gets its stored reply, so the same number. */
#include <stdio.h>

#include "reception.h"

#define RO_PER_DAY_MAX 9999u

/* Writes the `seq`th number of `kind` into out; false when there is none. */
typedef bool (*s_format_fn)(char *out, size_t cap, const char *day, uint32_t seq);

static bool s_ro_number(char *out, size_t cap, const char *day, uint32_t seq)
{
    return seq <= RO_PER_DAY_MAX && (size_t)snprintf(out, cap, "R%s%04u", day, seq) < cap;
}

static bool s_customer_id(char *out, size_t cap, const char *day, uint32_t seq)
{
    (void)day;
    return seq < UINT32_MAX && (size_t)snprintf(out, cap, "C%06u", seq) < cap;
}

static bool s_quality_action_id(char *out, size_t cap, const char *day, uint32_t seq)
{
    (void)day;
    return seq <= 999999u && (size_t)snprintf(out, cap, "QA-%04u", seq) < cap;
}

/* Takes the next number of sequence kind/day that `db` holds no record under. */
static int s_take(as_cmd_t *cmd, const char *kind, const char *day, const char *db,
                  s_format_fn format, char *out, size_t cap)
{
    MDB_dbi sequences = as_record_dbi(cmd->svc, "sequences");
    as_key_t key;
    int rc = as_key_of(&key, kind, day, NULL);
    As__Sequence *stored = NULL;
    if (rc == 0)
        rc = as_record_get_key(cmd->txn, sequences, &key, &as__sequence__descriptor, &stored);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    As__Sequence seq = AS__SEQUENCE__INIT;
    seq.has_last = 1;
    seq.last = stored ? stored->last : 0;
    if (stored)
        as__sequence__free_unpacked(stored, NULL);
    do {
        if (!format(out, cap, day, ++seq.last))
            return as_cmd_fail(cmd, AS_ECONFLICT, "no %s number is left (%s%s%u taken)", kind, day,
                               *day ? ": " : "", seq.last - 1);
    } while (as_record_exists(cmd->txn, as_record_dbi(cmd->svc, db), out));
    return as_record_put_key(cmd->txn, sequences, &key, &seq.base);
}

int ro_number_take(as_cmd_t *cmd, char out[RO_NUMBER_SIZE])
{
    char date[AS_DATE_LEN + 1], day[7];
    as_date_of_us(as_cmd_time(cmd), date); /* YYYY-MM-DD -> YYMMDD */
    snprintf(day, sizeof day, "%.2s%.2s%.2s", date + 2, date + 5, date + 8);
    return s_take(cmd, "ro", day, "ros", s_ro_number, out, RO_NUMBER_SIZE);
}

int customer_id_take(as_cmd_t *cmd, char out[CUSTOMER_ID_SIZE])
{
    return s_take(cmd, "customer", "", "customers", s_customer_id, out, CUSTOMER_ID_SIZE);
}

int quality_action_id_take(as_cmd_t *cmd, char out[QUALITY_ACTION_ID_SIZE])
{
    return s_take(cmd, "quality_action", "", "quality_actions", s_quality_action_id, out,
                  QUALITY_ACTION_ID_SIZE);
}
