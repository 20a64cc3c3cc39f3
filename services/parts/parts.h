/* parts.h — what the files of the parts daemon share (private to services/parts).
 *
 * Databases (as/record.h; a composite key's parts are joined by "\0"):
 *   parts         part_number -> Part (catalogue entry and stock counters)
 *   bins          bin "\0" part_number -> "" (stock by bin)
 *   receipts      receipt_id -> Receipt
 *   issues        issue_id -> PartIssue (issues, backorders "<id>/bo", fills "<id>/bo/<n>")
 *   ro_issues     ro_number "\0" issue_id -> "" (an RO's issues and backorders)
 *   reservations  ro_number "\0" "<job_no:010>:<part_number>" -> PartReserve (what is left)
 *   backorders    part_number "\0" "<at_us:020>:<issue_id>" -> "" (open backorders, oldest first)
 *   consumptions  ro_number -> Consumption (recorded once, on workshop.qc.passed)
 *   part_words    word "\0" part_number -> "" (search: each description word, lowercased,
 *                 and each suffix of its Chinese text; search.c)
 *   quarantine    part_number "\0" receipt_id -> QuarantineLot (damaged and wrong parts)
 *   scrap_lists   list_id -> ScrapList (the keeper's proposals and the manager's decisions)
 *   keeper_shifts staff_id "\0" date -> KeeperShift (a day recorded again replaces it)
 *   orders        order_id -> PartsOrder (orders to the supplier with their lines; orders.c)
 * forecast.c writes nothing of its own: it reads issues, orders and parts.
 */
#ifndef AS_PARTS_H
#define AS_PARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "as/calendar.h"
#include "as/envelope.h"
#include "as/pb/parts.pb-c.h"
#include "as/record.h"
#include "as/service.h"
#include "as/staff.h"

#define PARTS_MAX_QUANTITY 100000u  /* one line of a receipt, issue, reservation or return */
#define PARTS_MAX_ON_HAND 10000000u /* stock of one part number */
#define PARTS_ID_MAX 64             /* issue, receipt and RO ids */

/* True when `id` holds one of `roles` in the staff list. */
bool parts_staff_has(as_service_t *svc, const char *id, unsigned roles);

/* Part numbers and bins: [A-Z0-9-], 3..32 (part) or 1..32 (bin) characters. */
bool parts_number_valid(const char *part_number);
bool parts_bin_valid(const char *bin);
/* Issue, receipt and RO ids: [A-Za-z0-9._-], 1..64 characters. */
bool parts_id_valid(const char *id);

/* A receipt's or an order's line `i` (from 0) names a part: it must be given,
 * well formed and in the catalogue. 0, or the command failed (AS_EINVALID,
 * AS_ENOTFOUND) with "line N: ..." naming the part. */
int parts_line_part_check(as_cmd_t *cmd, size_t i, const char *pn);
/* Reads part `pn` into *part (the caller's to free): 0, the command failed
 * AS_ENOTFOUND ("part 'X' is not in the catalogue"), or an LMDB code. */
int parts_part_get(as_cmd_t *cmd, const char *pn, As__Part **part);
/* What of a part is free on the shelf: on hand less reserved (never below 0). */
uint32_t parts_free(const As__Part *part);

/* Stores a part, marking the counters a reply must show. 0 or an LMDB code. */
int parts_part_put(as_service_t *svc, MDB_txn *txn, As__Part *part);

/* True when the RO's consumption is recorded: its parts are settled. */
bool parts_ro_settled(as_service_t *svc, MDB_txn *txn, const char *ro_number);

/* Keeps the word index of a part's description: drops the words of `old`,
 * adds those of `now` (either may be NULL). 0 or an LMDB code. */
int parts_words_update(as_service_t *svc, MDB_txn *txn, const char *part_number, const char *old,
                       const char *now);

/* What a receipt line holds apart: a DAMAGED or WRONG line's expected less
 * received (0 for any other line). */
uint32_t parts_line_quarantined(const As__ReceiptLine *line);

/* Puts that quantity of the line's part in quarantine, in the lot of
 * (part, receipt), and sets line->quarantined. 0 or an LMDB code. */
int parts_quarantine_take(as_service_t *svc, MDB_txn *txn, const As__Receipt *receipt,
                          As__ReceiptLine *line);

/* Once per store, at start: indexes the words of every part and puts the
 * damaged and wrong quantities of receipts recorded before quarantine in
 * quarantine; then parts_stock_open. 0 or an LMDB code (nothing changed). */
int parts_upgrade(as_service_t *svc);

/* Emits parts.issue.recorded (or parts.backorder.created for a backorder). */
int parts_emit_issue(as_cmd_t *cmd, const As__PartIssue *issue);

/* Issues what the shelf now holds of `part` to its open backorders, oldest
 * first (each fill is an issue "<backorder id>/<n>", emitted). Updates *part;
 * the caller stores it. */
int parts_backorders_fill(as_cmd_t *cmd, As__Part *part);

/* --- stock value, slow-moving parts, scrap lists, keepers' shifts (issue 14) --- */

#define PARTS_GROUP_DEFAULT "general" /* the group of a part defined without one */

/* The part's group ("general" when it has none). */
const char *parts_group_of(const As__Part *part);
/* Groups: [a-z0-9-], 1..32 characters. */
bool parts_group_valid(const char *group);

/* Emits parts.stock.moved for a change of `quantity` on hand (already applied
 * to part->on_hand), valued at the part's cost now; `kind` is receipt, issue,
 * return or scrap, `ref` the record it belongs to. A receipt, issue or return
 * also sets part->last_moved to the command's date (the caller stores the
 * part). Nothing for quantity 0. 0, -ENOMEM or the emit's code. */
int parts_stock_moved(as_cmd_t *cmd, As__Part *part, int64_t quantity, const char *kind,
                      const char *ref);
/* Emits what a redefinition `now` of `old` (NULL: a new part) does to the
 * stock value: its stock on hand revalued at the new cost, or moved to the
 * new group. 0 or the emit's code. */
int parts_stock_revalue(as_cmd_t *cmd, const As__Part *old, const As__Part *now);

/* Once per store, at start: a store written before stock values announces
 * each part's stock on hand at cost (parts.stock.moved "opening", today).
 * 0 or a store code. */
int parts_stock_open(as_service_t *svc);

/* [parts] slow_moving_months (default 12; the config schema holds it to
 * 1..120), and the first day of movement that is not slow as of `as_of`:
 * as_of less that many months. */
int parts_slow_months(as_service_t *svc);
void parts_slow_cutoff(const char *as_of, int months, char out[AS_DATE_LEN + 1]);
/* True when the part has stock and its last movement was before `cutoff`. */
bool parts_is_slow(const As__Part *part, const char *cutoff);

/* Command handlers. */
int parts_cmd_part_define(as_cmd_t *cmd);
int parts_cmd_stock_query(as_cmd_t *cmd);
int parts_cmd_receipt_record(as_cmd_t *cmd);
int parts_cmd_reserve(as_cmd_t *cmd);
int parts_cmd_issue(as_cmd_t *cmd);
int parts_cmd_return(as_cmd_t *cmd);
int parts_cmd_ro_show(as_cmd_t *cmd);
int parts_cmd_part_search(as_cmd_t *cmd);
int parts_cmd_receipt_list(as_cmd_t *cmd);
int parts_cmd_receipt_show(as_cmd_t *cmd);
int parts_cmd_backorder_list(as_cmd_t *cmd);
int parts_cmd_quarantine_list(as_cmd_t *cmd);
int parts_cmd_quarantine_dispose(as_cmd_t *cmd);
int parts_cmd_stock_value(as_cmd_t *cmd);
int parts_cmd_slow_list(as_cmd_t *cmd);
int parts_cmd_scrap_propose(as_cmd_t *cmd);
int parts_cmd_scrap_edit(as_cmd_t *cmd);
int parts_cmd_scrap_submit(as_cmd_t *cmd);
int parts_cmd_scrap_approve(as_cmd_t *cmd);
int parts_cmd_scrap_reject(as_cmd_t *cmd);
int parts_cmd_scrap_show(as_cmd_t *cmd);
int parts_cmd_shift_record(as_cmd_t *cmd);

/* Event handlers. */
int parts_evt_qc_passed(as_evt_t *evt);

/* Orders to the supplier (orders.c). */
int parts_cmd_order_create(as_cmd_t *cmd);
int parts_cmd_order_list(as_cmd_t *cmd);
int parts_cmd_order_show(as_cmd_t *cmd);
int parts_cmd_order_confirm(as_cmd_t *cmd);
int parts_evt_oem_order_confirmed(as_evt_t *evt);
/* Checks a receipt line that names an order line (order_id + order_line):
 * the order and line exist and are for the line's part. 0 when it names
 * none or is fine, else the command's failure. */
int parts_order_line_check(as_cmd_t *cmd, size_t i, const As__ReceiptLine *line);
/* Counts the good parts of each receipt line that names an order line
 * against it (emitting parts.order.received); refuses (AS_ECONFLICT, the
 * command fails) more than a line still owes. 0, that, or an LMDB code. */
int parts_orders_receive(as_cmd_t *cmd, const As__Receipt *receipt);
/* The backorder an urgent order line named by a receipt line was placed for
 * (its id in `out`, "" for none). 0 or an LMDB code. */
int parts_order_line_backorder(as_cmd_t *cmd, const As__ReceiptLine *line, char *out, size_t cap);
/* Places the order `req` as parts.order.create does (checks, stores, emits
 * parts.order.placed, replies the PartsOrder): parts.order.suggest places
 * its suggestion through it. 0 or the command's failure. */
int parts_order_place(as_cmd_t *cmd, const As__OrderCreate *req);

/* --- demand forecast and reorder points (forecast.c, forecast_calc.c) --- */
int parts_cmd_forecast_show(as_cmd_t *cmd);
int parts_cmd_reorder_list(as_cmd_t *cmd);
int parts_cmd_order_suggest(as_cmd_t *cmd);

/* --- scrap lists listed, orders cancelled (scrap_lists.c, order_cancel.c) --- */
int parts_cmd_scrap_list(as_cmd_t *cmd);
int parts_cmd_order_cancel(as_cmd_t *cmd);
/* orders.c's, for order_cancel.c: order `o`'s line `line_no` (NULL: none);
 * the lines' and the order's states (and `overdue` on `on`, when given);
 * storing the order (states set). parts_order_put: 0 or an LMDB code. */
As__OrderLine *parts_order_line(const As__PartsOrder *o, uint32_t line_no);
void parts_order_refresh(As__PartsOrder *o, const char *on);
int parts_order_put(as_service_t *svc, MDB_txn *txn, As__PartsOrder *o);

#endif
