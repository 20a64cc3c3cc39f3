/* records.c — keys and records of the tool room store, the checks of the words
 * people type (ids, kinds, conditions, times), and whether a tool may go out. */
#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h> /* tools_now_hm */

#include "as/error.h"
#include "as/tool_ids.h"
#include "tools.h"

void tools_today(char date[AS_DATE_LEN + 1])
{
    as_date_today(date);
}

void tools_now_hm(char hm[6])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    unsigned hours = (unsigned)tm.tm_hour % 24, minutes = (unsigned)tm.tm_min % 60;
    hm[0] = (char)('0' + hours / 10);
    hm[1] = (char)('0' + hours % 10);
    hm[2] = ':';
    hm[3] = (char)('0' + minutes / 10);
    hm[4] = (char)('0' + minutes % 10);
    hm[5] = '\0';
}

bool tools_staff_has(as_service_t *svc, const char *id, unsigned roles)
{
    return id && (as_staff_roles(as_service_staff(svc), id) & roles) != 0;
}

bool tools_id_valid(const char *id)
{
    return as_tool_id_valid(id); /* the rule reception and workshop check special tools by */
}

static bool s_one_of(const char *word, const char *const *words)
{
    for (size_t i = 0; word && words[i]; i++)
        if (strcmp(word, words[i]) == 0)
            return true;
    return false;
}

bool tools_kind_valid(const char *kind)
{
    static const char *const kinds[] = {"special_tool", "equipment", "document", NULL};
    return s_one_of(kind, kinds);
}

bool tools_condition_valid(const char *condition)
{
    static const char *const conditions[] = {"good", "worn", "damaged", NULL};
    return s_one_of(condition, conditions);
}

bool tools_hm_valid(const char *hm)
{
    if (!hm || strlen(hm) != 5 || hm[2] != ':')
        return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && !isdigit((unsigned char)hm[i]))
            return false;
    int hours = (hm[0] - '0') * 10 + (hm[1] - '0');
    int minutes = (hm[3] - '0') * 10 + (hm[4] - '0');
    return hours < 24 && minutes < 60;
}

bool tools_text_valid(const char *text)
{
    return text && text[0] && as_text_chars(text) <= TOOLS_TEXT_MAX;
}

int tools_item_get(as_service_t *svc, MDB_txn *txn, const char *tool_id, As__ToolItem **out)
{
    return as_record_get(txn, as_record_dbi(svc, "items"), tool_id, &as__tool_item__descriptor,
                         out);
}

int tools_item_put(as_service_t *svc, MDB_txn *txn, As__ToolItem *item)
{
    item->has_calibration_interval_days = item->has_out_of_service = item->has_lost = 1;
    char *next = item->next_calibration; /* computed for a reply, never stored */
    item->next_calibration = NULL;
    int rc = as_record_put(txn, as_record_dbi(svc, "items"), item->tool_id, &item->base);
    item->next_calibration = next;
    return rc;
}

int tools_loan_get(as_service_t *svc, MDB_txn *txn, const char *loan_id, As__ToolLoan **out)
{
    return as_record_get(txn, as_record_dbi(svc, "loans"), loan_id, &as__tool_loan__descriptor,
                         out);
}

int tools_loan_put(as_service_t *svc, MDB_txn *txn, As__ToolLoan *loan)
{
    loan->has_signature = loan->has_flagged = 1;
    loan->has_overdue = 0; /* computed for a reply, never stored */
    return as_record_put(txn, as_record_dbi(svc, "loans"), loan->loan_id, &loan->base);
}

int tools_request_get(as_service_t *svc, MDB_txn *txn, const char *no, As__ToolRequest **out)
{
    return as_record_get(txn, as_record_dbi(svc, "asks"), no, &as__tool_request__descriptor, out);
}

int tools_request_put(as_service_t *svc, MDB_txn *txn, As__ToolRequest *request)
{
    return as_record_put(txn, as_record_dbi(svc, "asks"), request->request_no, &request->base);
}

bool tools_exists(as_service_t *svc, MDB_txn *txn, const char *db, const char *key)
{
    return as_record_exists(txn, as_record_dbi(svc, db), key);
}

void tools_item_next(const As__ToolItem *item, char out[AS_DATE_LEN + 1])
{
    out[0] = '\0';
    if (item->calibration_interval_days > 0 && item->last_calibration &&
        as_date_valid(item->last_calibration))
        as_date_add_days(item->last_calibration, item->calibration_interval_days, out);
}

tools_block_t tools_item_block(const As__ToolItem *item, const char *date,
                               char due[AS_DATE_LEN + 1])
{
    due[0] = '\0';
    if (item->lost)
        return TOOLS_ITEM_LOST;
    if (item->out_of_service)
        return TOOLS_ITEM_OUT_OF_SERVICE;
    if (item->condition && strcmp(item->condition, "damaged") == 0)
        return TOOLS_ITEM_DAMAGED;
    if (item->loan_id && item->loan_id[0])
        return TOOLS_ITEM_ON_LOAN;
    if (item->calibration_interval_days > 0 &&
        (!item->last_calibration || !item->last_calibration[0]))
        return TOOLS_ITEM_NEVER_CALIBRATED;
    tools_item_next(item, due);
    if (!due[0] || strcmp(due, date) >= 0) {
        due[0] = '\0';
        return TOOLS_ITEM_FREE;
    }
    return TOOLS_ITEM_CALIBRATION_OVERDUE;
}

bool tools_item_blocked(const As__ToolItem *item, const char *date, char *why, size_t cap,
                        const char **code, const char **arg, char due[AS_DATE_LEN + 1])
{
    const char *id = item->tool_id;
    *code = *arg = NULL;
    switch (tools_item_block(item, date, due)) {
    case TOOLS_ITEM_FREE:
        return false;
    case TOOLS_ITEM_LOST:
        *code = "lost";
        snprintf(why, cap, "tool '%s' is reported lost", id);
        break;
    case TOOLS_ITEM_OUT_OF_SERVICE:
        *code = "out_of_service";
        *arg = item->service_note ? item->service_note : "";
        snprintf(why, cap, "tool '%s' is out of service: %s", id, *arg);
        break;
    case TOOLS_ITEM_DAMAGED:
        *code = "damaged";
        snprintf(why, cap, "tool '%s' is damaged", id);
        break;
    case TOOLS_ITEM_ON_LOAN:
        *code = "on_loan";
        *arg = item->loan_id;
        snprintf(why, cap, "tool '%s' is already on loan '%s'", id, item->loan_id);
        break;
    case TOOLS_ITEM_NEVER_CALIBRATED:
        *code = "never_calibrated";
        snprintf(why, cap, "tool '%s' is out of calibration: never calibrated", id);
        break;
    case TOOLS_ITEM_CALIBRATION_OVERDUE:
        *code = "calibration_overdue";
        *arg = due;
        snprintf(why, cap, "tool '%s' is out of calibration: it was due on %s", id, due);
        break;
    }
    return true;
}
