/* inspection.c — the OEM's return inspection of replaced parts (issue 15).
 *
 * When a shipment arrives the OEM inspects each part on its packing list and
 * says whether the fault the dealer claimed is confirmed (oem.part.inspected,
 * played by tools/asoem). Warranty applies it once per tag, on the tag and on
 * its claim (warranty.part.show, warranty.claim.show), and emits
 * warranty.part.inspected (the PartTag), which kpi counts for the
 * replaced-part identification accuracy on the inspection date.
 *
 * Order: the OEM answers warranty.shipment.confirmed, which warranty emits
 * only for tags it has, so in a store that shipped them the tag is always
 * there first. A tag warranty does not know (a fresh store fed again) is
 * skipped, and a second inspection of a tag is ignored: the same outcome
 * whatever order the OEM's events arrive in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/text.h"
#include "as/log.h"
#include "warranty.h"

static int s_set(char **field, const char *value)
{
    char *copy = value ? strdup(value) : NULL;
    if (value && !copy)
        return AS_EINTERNAL;
    free(*field);
    *field = copy;
    return 0;
}

/* Notes the inspection on the tag's claim (when the claim still has it). */
static int s_claim_note(as_evt_t *evt, const As__PartTag *t)
{
    As__WarrantyClaim *c = NULL;
    if (!t->claim_id || !warranty_id_valid(t->claim_id))
        return 0;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "claims"), t->claim_id,
                           &as__warranty_claim__descriptor, &c);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    c->has_part_fault_confirmed = 1;
    c->part_fault_confirmed = t->fault_confirmed;
    rc = s_set(&c->part_inspected_date, t->inspected_date);
    if (rc == 0)
        rc = s_set(&c->part_finding, t->finding);
    if (rc == 0)
        rc = warranty_claim_put(evt->svc, evt->txn, c);
    as__warranty_claim__free_unpacked(c, NULL);
    return rc;
}

int warranty_evt_oem_inspected(as_evt_t *evt)
{
    const As__OemPartInspection *m = (const As__OemPartInspection *)evt->payload;
    if (!m->tag || !warranty_id_valid(m->tag) || !m->has_fault_confirmed)
        return AS_EINVALID;
    if (m->finding && as_text_chars(m->finding) > 200) /* the OEM's words */
        return AS_EINVALID;
    As__PartTag *t = NULL;
    int rc = as_record_get(evt->txn, as_record_dbi(evt->svc, "tags"), m->tag,
                           &as__part_tag__descriptor, &t);
    if (rc == MDB_NOTFOUND) {
        as_warn("oem.part.inspected for unknown tag '%s': skipped", m->tag);
        return 0;
    }
    if (rc != 0)
        return rc;
    if (t->has_fault_confirmed)
        goto out; /* inspected already: the first answer stands */
    char date[AS_DATE_LEN + 1];
    if (as_date_valid(m->date))
        snprintf(date, sizeof date, "%s", m->date);
    else
        as_evt_date(evt, date);
    t->has_fault_confirmed = 1;
    t->fault_confirmed = m->fault_confirmed;
    rc = s_set(&t->inspected_date, date);
    if (rc == 0)
        rc = s_set(&t->finding, m->finding && *m->finding
                                    ? m->finding
                                    : (m->fault_confirmed ? "fault confirmed" : "no fault found"));
    t->has_custody = 1;
    if (rc == 0)
        rc = as_record_put(evt->txn, as_record_dbi(evt->svc, "tags"), t->tag, &t->base);
    if (rc == 0)
        rc = s_claim_note(evt, t);
    if (rc == 0)
        rc = as_evt_emit(evt, "warranty.part.inspected", t->tag, &t->base);
out:
    as__part_tag__free_unpacked(t, NULL);
    return rc;
}

int warranty_cmd_part_show(as_cmd_t *cmd)
{
    const As__PartShowQuery *q = (const As__PartShowQuery *)cmd->request;
    if (!q->tag || !*q->tag)
        return as_cmd_fail(cmd, AS_EINVALID, "tag is required");
    if (!warranty_id_valid(q->tag))
        return as_cmd_fail(cmd, AS_EINVALID, "tag '%s' is not a valid id ([A-Za-z0-9._-], 1..%d)",
                           q->tag, WARRANTY_ID_MAX);
    As__PartTag *t = NULL;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "tags"), q->tag,
                           &as__part_tag__descriptor, &t);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "tag '%s' does not exist", q->tag);
    if (rc != 0)
        return rc;
    t->has_custody = 1;
    rc = as_cmd_reply(cmd, &t->base);
    as__part_tag__free_unpacked(t, NULL);
    return rc;
}
