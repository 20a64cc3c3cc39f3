/* warranty.h — what the files of the warranty daemon share (private to
 * services/warranty).
 *
 * Databases (as/record.h; a composite key's parts are joined by "\0"):
 *   vehicles     vin -> sale date "YYYY-MM-DD" (from reception.vehicle.registered)
 *   claims       claim_id "<ro>-<job_no>" -> WarrantyClaim
 *   tags         tag -> PartTag (replaced parts, stored apart from stock)
 *   boxes        box_id -> PartBox
 *   shipments    shipment_id -> Shipment
 *   occurrences  "<kind>:<code>" "\0" "<date>" "\0" "<vin>" -> "" (defect feedback)
 *   recurring    "<kind>:<code>" -> last date warranty.defect.recurring was raised;
 *                "safety:<ro>-<job_no>" -> date warranty.defect.safety was raised
 *   recalls      campaign_id -> RecallCampaign
 *   recall_vins  vin "\0" campaign_id -> "" (open recalls of a vehicle)
 *   ro_opened    ro_number -> date opened (from reception.ro.opened)
 *   ro_sale_dates ro_number -> its vehicle's sale date at the opening ("" none):
 *                the RO is opened (a QC pass of it can be applied)
 *   qc_waiting   ro_number "\0" seq (16 hex) -> QcPassed (date filled in): a QC
 *                pass that came before its RO's opening, applied with it
 *   repairs      vin -> VehicleRepairs (warranty repairs within the repair/replace/return period)
 */
#ifndef AS_WARRANTY_H
#define AS_WARRANTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "as/calendar.h"
#include "as/pb/warranty.pb-c.h"
#include "as/pb/workshop.pb-c.h"
#include "as/record.h"
#include "as/service.h"
#include "as/staff.h"

#define WARRANTY_ID_MAX 80 /* an RO number of up to 64 and "-<job_no>" */
#define WARRANTY_MAX_GROUPS 32
#define WARRANTY_NAME_MAX 32
#define WARRANTY_MAX_MINUTES 100000u
#define WARRANTY_MAX_ITEMS 500 /* tags in one box request, boxes in one shipment */

/* One component group of the policy: coverage in years and kilometres. */
typedef struct {
    char name[WARRANTY_NAME_MAX];
    unsigned years;
    unsigned km;
} warranty_group_t;

/* A labour operation code prefix and the group it belongs to. */
typedef struct {
    char prefix[WARRANTY_NAME_MAX];
    char group[WARRANTY_NAME_MAX];
} warranty_prefix_t;

/* The policy and limits read from the config at start. */
typedef struct {
    warranty_group_t groups[WARRANTY_MAX_GROUPS];
    size_t n_groups;
    warranty_prefix_t prefixes[WARRANTY_MAX_GROUPS];
    size_t n_prefixes;
    char default_group[WARRANTY_NAME_MAX];
    int64_t clerk_limit_cents;
    unsigned labour_tolerance_percent;
    unsigned return_days;
    unsigned recurring_count;
    unsigned recurring_days;
    /* repair/replace/return period and limits (China's household-car rules) */
    unsigned rrr_years, rrr_km;               /* the period: 2 years or 50,000 km */
    unsigned rrr_days, rrr_repeats;           /* more than 35 repair days / 5 repairs of a defect */
    unsigned rrr_warn_days, rrr_warn_repeats; /* warn from here on */
} warranty_t;

warranty_t *warranty_of(as_service_t *svc);

/* Reads [warranty], [warranty.policy] and [warranty.groups]; logs and returns
 * AS_ECONFIG on a line it cannot use. */
int warranty_config_load(warranty_t *w, as_config_t *cfg);

/* The policy group of a labour operation code (longest configured prefix). */
const warranty_group_t *warranty_group_of(const warranty_t *w, const char *labour_code);

/* The date `years` after `date` (29 February becomes 28 February). */
void warranty_date_add_years(const char *date, unsigned years, char out[AS_DATE_LEN + 1]);

/* Ids people type (claims, tags, boxes, shipments): [A-Za-z0-9._-], 1..80. */
bool warranty_id_valid(const char *id);
/* Codes (defect, labour, part numbers): [A-Za-z0-9._-], 1..32. */
bool warranty_code_valid(const char *code);

/* Stores a claim (as/record.h), marking the fields a reply must show. */
int warranty_claim_put(as_service_t *svc, MDB_txn *txn, As__WarrantyClaim *claim);

/* The claim named by a command, or fails the command (AS_EINVALID for a bad id,
 * AS_ENOTFOUND for an unknown one). */
int warranty_cmd_claim(as_cmd_t *cmd, const char *claim_id, As__WarrantyClaim **out);

/* Whether a claim is within its group's warranty, and if not why. */
typedef enum {
    WARRANTY_COVERED = 0,
    WARRANTY_NO_SALE_DATE, /* reception has no sale date of the vehicle */
    WARRANTY_TOO_OLD,      /* repaired on or after sale date + the group's years */
    WARRANTY_TOO_FAR,      /* mileage above the group's km */
} warranty_coverage_t;

/* The claim's coverage under the policy (its labour code's group, into
 * `*group`): a refusal words each case in its own format, with the claim's
 * sale_date, repair_date, mileage_km and the group's years, km and name. */
warranty_coverage_t warranty_claim_coverage(const warranty_t *w, const As__WarrantyClaim *claim,
                                            const warranty_group_t **group);

/* Checks the claim against the policy: sets status, reason, group, flags and
 * amount. `approved` keeps an approval of at least the amount. */
void warranty_claim_check(const warranty_t *w, As__WarrantyClaim *claim);

/* Adds a flag text to the claim (copied). Returns 0 or -ENOMEM. */
int warranty_claim_flag(As__WarrantyClaim *claim, const char *text);

/* "READY", "REJECTED"... */
const char *warranty_status_name(As__ClaimStatus status);

/* Defect feedback for one warranty job (defects.c). */
int warranty_defects_note(as_evt_t *evt, const char *kind, const char *code, const char *vin,
                          const char *date);
int warranty_defect_safety(as_evt_t *evt, const As__DefectSafety *safety);

/* On workshop.qc.passed: completes recalls done by the RO's jobs and counts
 * its warranty repairs toward the repair/replace/return limits (recall.c);
 * `sale_date` is the vehicle's when the RO was opened ("" when none). */
int warranty_recall_qc(as_evt_t *evt, const As__QcPassed *qc, const char *date,
                       const char *sale_date);

/* True when reception's opening of `ro_number` was applied; *sale_date is then
 * the sale date its vehicle (`vin`) had at the opening ("" when none). */
bool warranty_ro_opened(as_service_t *svc, MDB_txn *txn, const char *ro_number, const char *vin,
                        char sale_date[AS_DATE_LEN + 1]);

/* Applies, in workshop's order, the QC passes of `ro_number` that waited for
 * its opening, and forgets them (claims.c); one that does not decode is
 * logged and dropped, the others still applied. Returns 0 or an LMDB code. */
int warranty_qc_waiting_apply(as_evt_t *evt, const char *ro_number, const char *sale_date);

/* Command handlers. */
int warranty_cmd_claim_show(as_cmd_t *cmd);
int warranty_cmd_claim_list(as_cmd_t *cmd);
int warranty_cmd_claim_submit(as_cmd_t *cmd);
int warranty_cmd_claim_approve(as_cmd_t *cmd);
int warranty_cmd_claim_correct(as_cmd_t *cmd);
int warranty_cmd_part_tag(as_cmd_t *cmd);
int warranty_cmd_part_box(as_cmd_t *cmd);
int warranty_cmd_shipment_ship(as_cmd_t *cmd);
int warranty_cmd_shipment_confirm(as_cmd_t *cmd);
int warranty_cmd_shipment_list(as_cmd_t *cmd);
int warranty_cmd_part_owed(as_cmd_t *cmd);
int warranty_cmd_recall_open(as_cmd_t *cmd);
int warranty_cmd_recall_query(as_cmd_t *cmd);
int warranty_cmd_vehicle_warnings(as_cmd_t *cmd);

/* Event handlers. */
int warranty_evt_vehicle(as_evt_t *evt);
int warranty_evt_qc_passed(as_evt_t *evt);
int warranty_evt_ro_opened(as_evt_t *evt);
int warranty_evt_oem_decided(as_evt_t *evt);
int warranty_evt_oem_paid(as_evt_t *evt);

/* The OEM's return inspection (inspection.c): oem.part.inspected applied once
 * per tag (an unknown tag skipped), and warranty.part.show. */
int warranty_evt_oem_inspected(as_evt_t *evt);
int warranty_cmd_part_show(as_cmd_t *cmd);

#endif
