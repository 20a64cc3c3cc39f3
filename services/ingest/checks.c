/* checks.c — checks of an external system's event beyond its schema, so a
 * consumer never gets a fact it cannot use; each refusal writes nothing.
 *
 * sales.vehicle.sold (the sales DMS, `as-ingest --name sales`):
 *   sale_ref     1..32 of A-Z, a-z, 0-9 and '-' (the fitting RO is "NC-" + it)
 *   vin          17 characters with its check digit (as/vin.h)
 *   sale_date    a date, not after the day the gateway records (as_cmd_time)
 *   customer_name required
 *   accessories  at most 100 lines, each a part the parts catalogue flags as
 *                an accessory (as this gateway last heard of it: it follows
 *                parts and keeps db "parts": part_number -> Part with its
 *                number and flag), quantity 1..10000, agreed_price_cents
 *                0..1,000,000,000 */
#include "checks.h"

#include <ctype.h>
#include <string.h>

#include "as/calendar.h"
#include "as/error.h"
#include "as/pb/parts.pb-c.h"
#include "as/pb/sales.pb-c.h"
#include "as/record.h"
#include "as/vin.h"
#include "as/text.h"

#define S_REF_MAX 32
#define S_LINES_MAX 100
#define S_QUANTITY_MAX 10000u
#define S_PRICE_MAX 1000000000LL

int ingest_on_part_defined(as_evt_t *evt)
{
    const As__Part *in = ((const As__PartDefined *)evt->payload)->part;
    if (!in || !in->part_number || !*in->part_number)
        return AS_EINVALID;
    As__Part kept = AS__PART__INIT;
    kept.part_number = in->part_number;
    kept.has_accessory = 1;
    kept.accessory = in->accessory;
    return as_record_put(evt->txn, as_record_dbi(evt->svc, "parts"), in->part_number, &kept.base);
}

static bool s_ref_valid(const char *ref)
{
    size_t n = ref ? strlen(ref) : 0;
    if (n == 0 || n > S_REF_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)ref[i]) && ref[i] != '-')
            return false;
    return true;
}

static int s_check_accessory(as_cmd_t *cmd, const char *ref, size_t line,
                             const As__SalesAccessory *a)
{
    if (!a->part_number || !*a->part_number)
        return as_cmd_fail(cmd, AS_EINVALID, "sale '%s', accessory %zu: part_number is required",
                           ref, line);
    As__Part *part = NULL;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), a->part_number,
                           &as__part__descriptor, &part);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND,
                           "sale '%s', accessory %zu: part '%s' is not in the parts catalogue, "
                           "or not known to the sales gateway yet (it follows parts: a part "
                           "defined a moment ago reaches it shortly); retry with a new request id",
                           ref, line, a->part_number);
    if (rc != 0)
        return rc;
    bool accessory = part->accessory;
    as__part__free_unpacked(part, NULL);
    if (!accessory)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "sale '%s', accessory %zu: part '%s' is not an accessory (the parts "
                           "manager flags it: parts.part.define accessory=true; a flag set a "
                           "moment ago reaches the sales gateway shortly: retry with a new "
                           "request id)",
                           ref, line, a->part_number);
    if (a->quantity == 0 || a->quantity > S_QUANTITY_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "sale '%s', accessory '%s': quantity must be 1..%u",
                           ref, a->part_number, S_QUANTITY_MAX);
    if (!a->has_agreed_price_cents || a->agreed_price_cents < 0 ||
        a->agreed_price_cents > S_PRICE_MAX)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "sale '%s', accessory '%s': agreed_price_cents must be 0..%lld", ref,
                           a->part_number, S_PRICE_MAX);
    return 0;
}

static int s_check_sold(as_cmd_t *cmd, const As__SalesVehicleSold *m)
{
    if (!s_ref_valid(m->sale_ref))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "sale_ref is required: 1 to %d of A-Z, a-z, 0-9 and '-'", S_REF_MAX);
    const char *ref = m->sale_ref;
    char today[AS_DATE_LEN + 1];
    as_vin_fault_t f;
    switch (as_vin_examine(m->vin, &f)) {
    case AS_VIN_VALID:
        break;
    case AS_VIN_MISSING:
        return as_cmd_fail(cmd, AS_EINVALID, "sale '%s': vin is required", ref);
    case AS_VIN_LENGTH:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "sale '%s': vin '%.*s' has %zu characters, a vin has %d", ref,
                           as_text_clip(m->vin, 40), m->vin, f.length, AS_VIN_LEN);
    case AS_VIN_CHARACTER:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "sale '%s': vin '%s' has '%s' at position %zu: only digits and capital "
                           "letters other than I, O and Q are allowed",
                           ref, m->vin, f.character, f.position);
    case AS_VIN_CHECK_DIGIT:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "sale '%s': vin '%s' has a wrong check digit: '%c', expected '%c'", ref,
                           m->vin, f.found, f.expected);
    }
    as_cmd_date(cmd, today);
    if (!m->sale_date || !as_date_valid(m->sale_date))
        return as_cmd_fail(cmd, AS_EINVALID, "sale '%s': sale_date '%s' is not a date YYYY-MM-DD",
                           ref, m->sale_date ? m->sale_date : "");
    if (strcmp(m->sale_date, today) > 0)
        return as_cmd_fail(cmd, AS_EINVALID, "sale '%s': sale_date %s is after %s", ref,
                           m->sale_date, today);
    if (!m->customer_name || !*m->customer_name)
        return as_cmd_fail(cmd, AS_EINVALID, "sale '%s': customer_name is required", ref);
    if (m->n_accessories > S_LINES_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "sale '%s': more than %d accessory lines", ref,
                           S_LINES_MAX);
    for (size_t i = 0; i < m->n_accessories; i++) {
        int rc = s_check_accessory(cmd, ref, i + 1, m->accessories[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int ingest_check(as_cmd_t *cmd, const char *type, const ProtobufCMessage *msg)
{
    if (strcmp(type, "sales.vehicle.sold") == 0)
        return s_check_sold(cmd, (const As__SalesVehicleSold *)msg);
    return 0;
}
