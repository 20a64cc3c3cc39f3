/* parts.c — the parts service's def: databases, commands, events (main.c runs it). */
#include "parts.h"
#include "parts_service.h"

static const char *const s_dbs[] = {
    "parts",        "bins",          "receipts",     "issues",     "ro_issues",
    "reservations", "backorders",    "consumptions", "part_words", "quarantine",
    "scrap_lists",  "keeper_shifts", "orders",       NULL};

static const as_command_def_t s_commands[] = {
    {"parts.part.define", parts_cmd_part_define},
    {"parts.stock.query", parts_cmd_stock_query},
    {"parts.receipt.record", parts_cmd_receipt_record},
    {"parts.reserve", parts_cmd_reserve},
    {"parts.issue", parts_cmd_issue},
    {"parts.return", parts_cmd_return},
    {"parts.ro.show", parts_cmd_ro_show},
    {"parts.part.search", parts_cmd_part_search},
    {"parts.receipt.list", parts_cmd_receipt_list},
    {"parts.receipt.show", parts_cmd_receipt_show},
    {"parts.backorder.list", parts_cmd_backorder_list},
    {"parts.quarantine.list", parts_cmd_quarantine_list},
    {"parts.quarantine.dispose", parts_cmd_quarantine_dispose},
    {"parts.stock.value", parts_cmd_stock_value},
    {"parts.slow.list", parts_cmd_slow_list},
    {"parts.scrap.propose", parts_cmd_scrap_propose},
    {"parts.scrap.edit", parts_cmd_scrap_edit},
    {"parts.scrap.submit", parts_cmd_scrap_submit},
    {"parts.scrap.approve", parts_cmd_scrap_approve},
    {"parts.scrap.reject", parts_cmd_scrap_reject},
    {"parts.scrap.show", parts_cmd_scrap_show},
    {"parts.shift.record", parts_cmd_shift_record},
    {"parts.order.create", parts_cmd_order_create},
    {"parts.order.list", parts_cmd_order_list},
    {"parts.order.show", parts_cmd_order_show},
    {"parts.order.confirm", parts_cmd_order_confirm},
    {"parts.forecast.show", parts_cmd_forecast_show},
    {"parts.reorder.list", parts_cmd_reorder_list},
    {"parts.order.suggest", parts_cmd_order_suggest},
    {"parts.scrap.list", parts_cmd_scrap_list},
    {"parts.order.cancel", parts_cmd_order_cancel},
    {NULL, NULL},
};

static const as_event_def_t s_events[] = {
    {"workshop.qc.passed", parts_evt_qc_passed},
    {"oem.order.confirmed", parts_evt_oem_order_confirmed},
    {NULL, NULL},
};

const as_service_def_t parts_service = {
    .name = "parts",
    .dbs = s_dbs,
    .commands = s_commands,
    .events = s_events,
    .on_start = parts_upgrade,
    .summary = "The parts warehouse: catalogue and search, stock by part and bin, receipts\n"
               "with inspection, quarantine of damaged and wrong parts, reservations, issue to an "
               "RO job and technician, returns,\n"
               "backorders, and the consumption charged to an RO when the vehicle completed QC.",
};
