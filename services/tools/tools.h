/* tools.h — what the files of the tool room daemon share (private to services/tools).
 *
 * Databases (all keys are text):
 *   items     tool_id -> ToolItem (registry entry, condition, calibration records)
 *   loans     loan_id -> ToolLoan (check-out, signature, check-in or loss)
 *   asks      request_no -> ToolRequest (workshop requests and their answers; the
 *             store keeps its own "requests" database for command idempotency)
 * The tool room holds hundreds of records, not millions: lists scan a database.
 */
#ifndef AS_TOOLS_H
#define AS_TOOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "as/calendar.h"
#include "as/envelope.h"
#include "as/pb/tools.pb-c.h"
#include "as/record.h"
#include "as/service.h"
#include "as/staff.h"
#include "as/text.h"

#define TOOLS_ID_MAX 64                  /* tool, loan, request and RO ids */
#define TOOLS_TEXT_MAX AS_TEXT_CHARS_MAX /* characters: descriptions, notes, damage reports */
#define TOOLS_MAX_INTERVAL 3650u         /* calibration interval in days */
#define TOOLS_DUE_WINDOW 30u             /* tools.calibration.due: default days ahead */

/* Today's date and "HH:MM" now, in the site's local time. */
void tools_today(char date[AS_DATE_LEN + 1]);
void tools_now_hm(char hm[6]);

/* True when `id` holds one of `roles` in the staff list. */
bool tools_staff_has(as_service_t *svc, const char *id, unsigned roles);

/* Ids: [A-Za-z0-9._-], 1..64 characters. */
bool tools_id_valid(const char *id);
/* "special_tool", "equipment", "document". */
bool tools_kind_valid(const char *kind);
/* "good", "worn", "damaged". */
bool tools_condition_valid(const char *condition);
/* "HH:MM", 00:00..23:59. */
bool tools_hm_valid(const char *hm);
/* Non-empty text of at most TOOLS_TEXT_MAX characters (as_text_chars). */
bool tools_text_valid(const char *text);

/* Records by their id (as/record.h): 0, MDB_NOTFOUND, AS_EBADFRAME or an LMDB code. The
 * caller frees *out with protobuf_c_message_free_unpacked. */
int tools_item_get(as_service_t *svc, MDB_txn *txn, const char *tool_id, As__ToolItem **out);
int tools_item_put(as_service_t *svc, MDB_txn *txn, As__ToolItem *item);
int tools_loan_get(as_service_t *svc, MDB_txn *txn, const char *loan_id, As__ToolLoan **out);
int tools_loan_put(as_service_t *svc, MDB_txn *txn, As__ToolLoan *loan);
int tools_request_get(as_service_t *svc, MDB_txn *txn, const char *no, As__ToolRequest **out);
int tools_request_put(as_service_t *svc, MDB_txn *txn, As__ToolRequest *request);
bool tools_exists(as_service_t *svc, MDB_txn *txn, const char *db, const char *key);

/* The item's next calibration date (last passed calibration + interval) into
 * `out`; "" when it needs none or was never calibrated. Records never store
 * next_calibration: a reply points it at such a buffer and resets it to NULL
 * before the record is freed. */
void tools_item_next(const As__ToolItem *item, char out[AS_DATE_LEN + 1]);

/* Why an item cannot go out. */
typedef enum {
    TOOLS_ITEM_FREE = 0,            /* it can go out */
    TOOLS_ITEM_LOST,                /* reported lost */
    TOOLS_ITEM_OUT_OF_SERVICE,      /* taken out of service (item->service_note says why) */
    TOOLS_ITEM_DAMAGED,             /* its condition is damaged */
    TOOLS_ITEM_ON_LOAN,             /* on loan item->loan_id */
    TOOLS_ITEM_NEVER_CALIBRATED,    /* needs calibration and never had one */
    TOOLS_ITEM_CALIBRATION_OVERDUE, /* its calibration was due before the day */
} tools_block_t;

/* Why the item cannot go out on `date`, TOOLS_ITEM_FREE (0) when it can;
 * for TOOLS_ITEM_CALIBRATION_OVERDUE the day it was due is written into
 * `due` (else ""). A refusal words each case in its own format. */
tools_block_t tools_item_block(const As__ToolItem *item, const char *date,
                               char due[AS_DATE_LEN + 1]);

/* The same as a text for people written into `why` (the availability reply's
 * reason), and as data a page words in its language: `*code` a stable word
 * ("lost", "out_of_service", "damaged", "on_loan", "never_calibrated",
 * "calibration_overdue") and `*arg` what the text names beside the tool id
 * (the service note, the loan, or the due day written into `due`), NULL when
 * nothing; borrowed from `item` or `due`. False (code NULL) when it can go out. */
bool tools_item_blocked(const As__ToolItem *item, const char *date, char *why, size_t cap,
                        const char **code, const char **arg, char due[AS_DATE_LEN + 1]);

/* Command handlers. */
int tools_cmd_item_register(as_cmd_t *cmd);
int tools_cmd_item_show(as_cmd_t *cmd);
int tools_cmd_item_list(as_cmd_t *cmd);
int tools_cmd_calibration_record(as_cmd_t *cmd);
int tools_cmd_calibration_due(as_cmd_t *cmd);
int tools_cmd_availability(as_cmd_t *cmd);
int tools_cmd_loan_checkout(as_cmd_t *cmd);
int tools_cmd_loan_sign(as_cmd_t *cmd);
int tools_cmd_loan_checkin(as_cmd_t *cmd);
int tools_cmd_loan_report_lost(as_cmd_t *cmd);
int tools_cmd_loan_list(as_cmd_t *cmd);
int tools_cmd_request_make(as_cmd_t *cmd);
int tools_cmd_request_answer(as_cmd_t *cmd);
int tools_cmd_request_list(as_cmd_t *cmd);
int tools_cmd_kpi(as_cmd_t *cmd);

/* Event handlers. */
int tools_evt_qc_passed(as_evt_t *evt);

#endif
