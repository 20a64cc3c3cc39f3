/* catalog/parts.c — the parts service's commands and events (services/parts). */
#include "as/pb/parts.pb-c.h"
#include "domains.h"

static const as_command_info_t s_commands[] = {
    {"parts.part.define", "parts", &as__part_define__descriptor, &as__part__descriptor,
     "add a part number to the catalogue (or change its description, cost, price, bin)",
     AS_ROLE_WAREHOUSE_KEEPER | AS_ROLE_PARTS_MANAGER, false},
    {"parts.stock.query", "parts", &as__stock_query__descriptor, &as__stock_list__descriptor,
     "stock of one part number, of one bin, or of the whole catalogue", AS_ROLES_ANYONE, true},
    {"parts.receipt.record", "parts", &as__receipt_record__descriptor, &as__receipt__descriptor,
     "record a purchase receipt: good parts go on the shelf, discrepancies are noted",
     AS_ROLE_WAREHOUSE_KEEPER, false, true},
    {"parts.reserve", "parts", &as__part_reserve__descriptor, &as__part_reserve__descriptor,
     "reserve a quantity of a part for an RO job (replies the job's reservation)",
     AS_ROLE_WAREHOUSE_KEEPER | AS_ROLE_PARTS_MANAGER, false, true},
    {"parts.issue", "parts", &as__part_issue_request__descriptor, &as__ro_parts__descriptor,
     "issue a part to an RO job and technician; with backorder, order what is short",
     AS_ROLE_WAREHOUSE_KEEPER, false, true},
    {"parts.return", "parts", &as__part_return__descriptor, &as__part_issue__descriptor,
     "return part of an issue to stock", AS_ROLE_WAREHOUSE_KEEPER, false, true},
    {"parts.ro.show", "parts", &as__ro_parts_query__descriptor, &as__ro_parts__descriptor,
     "an RO's issues, backorders, reservations and consumption", AS_ROLES_ANYONE, true},
    {"parts.part.search", "parts", &as__part_search__descriptor, &as__part_hits__descriptor,
     "find parts by part-number prefix or description words, with stock, bin and price",
     AS_ROLES_ANYONE, true},
    {"parts.receipt.list", "parts", &as__receipt_query__descriptor, &as__receipt_list__descriptor,
     "receipts by date range and supplier (or only those with discrepancies), with their lines",
     AS_ROLE_WAREHOUSE_KEEPER | AS_ROLE_PARTS_MANAGER, true},
    {"parts.receipt.show", "parts", &as__receipt_show__descriptor, &as__receipt__descriptor,
     "one receipt with its lines and discrepancies",
     AS_ROLE_WAREHOUSE_KEEPER | AS_ROLE_PARTS_MANAGER, true},
    {"parts.quarantine.list", "parts", &as__quarantine_query__descriptor,
     &as__quarantine_list__descriptor,
     "damaged and wrong parts held apart from stock (of one part, or all), by receipt",
     AS_ROLE_WAREHOUSE_KEEPER | AS_ROLE_PARTS_MANAGER, true},
    {"parts.quarantine.dispose", "parts", &as__quarantine_dispose__descriptor,
     &as__quarantine_lot__descriptor,
     "decide what becomes of quarantined parts: RETURN_TO_SUPPLIER or SCRAP, with a reason",
     AS_ROLE_PARTS_MANAGER, false, true},
};

static const as_event_info_t s_events[] = {
    {"parts.part.defined", &as__part_defined__descriptor, "a catalogue entry was added or changed"},
    {"parts.stock.received", &as__stock_received__descriptor,
     "a purchase receipt was recorded (good quantities put on the shelf)"},
    {"parts.issue.recorded", &as__part_issued__descriptor,
     "parts were issued to an RO job and technician"},
    {"parts.backorder.created", &as__part_issued__descriptor,
     "what the shelf could not give an RO job was backordered"},
    {"parts.return.recorded", &as__part_returned__descriptor,
     "part of an issue came back to stock"},
    {"parts.consumption.recorded", &as__consumption_recorded__descriptor,
     "the RO's issued-less-returned parts were charged to it after QC passed"},
    {"parts.quarantine.disposed", &as__quarantine_disposed__descriptor,
     "quarantined parts were returned to the supplier or scrapped"},
};

AS_CATALOG_PART(as__catalog_parts, s_commands, s_events);
