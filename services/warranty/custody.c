/* custody.c — the replaced parts the OEM wants back: tagged (stored apart
 * from stock), boxed, shipped with a packing list, confirmed by the OEM; and
 * the list of parts still owed, overdue after [warranty] return_days. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/text.h"
#include "warranty.h"

static int s_tag_get(as_service_t *svc, MDB_txn *txn, const char *tag, As__PartTag **out)
{
    return as_record_get(txn, as_record_dbi(svc, "tags"), tag, &as__part_tag__descriptor, out);
}

static int s_put_tag(as_service_t *svc, MDB_txn *txn, As__PartTag *t)
{
    t->has_custody = 1;
    return as_record_put(txn, as_record_dbi(svc, "tags"), t->tag, &t->base);
}

static const char *s_custody_name(As__PartCustody custody)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&as__part_custody__descriptor, (int)custody);
    return v ? v->name : "?";
}

/* AS_EINVALID unless `id` is a valid id (names `what`). */
static int s_id(as_cmd_t *cmd, const char *what, const char *id)
{
    if (!id || !*id)
        return as_cmd_fail(cmd, AS_EINVALID, "%s is required", what);
    if (!warranty_id_valid(id))
        return as_cmd_fail(cmd, AS_EINVALID, "%s '%s' is not a valid id ([A-Za-z0-9._-], 1..%d)",
                           what, id, WARRANTY_ID_MAX);
    return 0;
}

/* AS_EINVALID for an empty, too long or repeating list of ids (`what`: "tag"
 * or "box"; each plural is its own format's word). */
static int s_ids(as_cmd_t *cmd, const char *what, char **ids, size_t n)
{
    bool boxes = strcmp(what, "box") == 0;
    if (n == 0)
        return boxes ? as_cmd_fail(cmd, AS_EINVALID, "no boxes given")
                     : as_cmd_fail(cmd, AS_EINVALID, "no tags given");
    if (n > WARRANTY_MAX_ITEMS)
        return boxes ? as_cmd_fail(cmd, AS_EINVALID, "%zu boxes given, at most %d", n,
                                   WARRANTY_MAX_ITEMS)
                     : as_cmd_fail(cmd, AS_EINVALID, "%zu tags given, at most %d", n,
                                   WARRANTY_MAX_ITEMS);
    for (size_t i = 0; i < n; i++) {
        int rc = s_id(cmd, what, ids[i]);
        if (rc != 0)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0)
                return as_cmd_fail(cmd, AS_EINVALID, "%s '%s' is given twice", what, ids[i]);
    }
    return 0;
}

int warranty_cmd_part_tag(as_cmd_t *cmd)
{
    const As__PartTagRequest *r = (const As__PartTagRequest *)cmd->request;
    int rc = 0;
    As__WarrantyClaim *c = NULL;
    As__PartTag *old = NULL;
    if ((rc = s_id(cmd, "tag", r->tag)) != 0)
        goto out;
    if (r->location && as_text_chars(r->location) > 64) {
        rc = as_cmd_fail(cmd, AS_EINVALID, "location is longer than 64 characters");
        goto out;
    }
    if ((rc = warranty_cmd_claim(cmd, r->claim_id, &c)) != 0)
        goto out;
    if (c->status == AS__CLAIM_STATUS__REJECTED) {
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "claim '%s' was rejected: no part is owed for it",
                         c->claim_id);
        goto out;
    }
    if (!c->causal_part) {
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "claim '%s' has no causal part to tag", c->claim_id);
        goto out;
    }
    if (c->tag) {
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "claim '%s' has its part tagged already as '%s'",
                         c->claim_id, c->tag);
        goto out;
    }
    if ((rc = s_tag_get(cmd->svc, cmd->txn, r->tag, &old)) == 0) {
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "tag '%s' is in use already (claim '%s')", r->tag,
                         old->claim_id);
        goto out;
    }
    if (rc != MDB_NOTFOUND)
        goto out;
    char today[AS_DATE_LEN + 1], due[AS_DATE_LEN + 1];
    as_cmd_date(cmd, today);
    as_date_add_days(today, warranty_of(cmd->svc)->return_days, due);
    As__PartTag t = AS__PART_TAG__INIT;
    t.tag = r->tag;
    t.claim_id = c->claim_id;
    t.part_number = c->causal_part;
    t.vin = c->vin;
    t.ro_number = c->ro_number;
    t.tagged_by = (char *)cmd->actor;
    t.tagged_date = today;
    t.due_date = due;
    t.location = r->location ? r->location : "warranty store";
    t.custody = AS__PART_CUSTODY__TAGGED;
    c->tag = strdup(r->tag);
    rc = c->tag ? s_put_tag(cmd->svc, cmd->txn, &t) : -ENOMEM;
    if (rc == 0)
        rc = warranty_claim_put(cmd->svc, cmd->txn, c);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "warranty.part.tagged", t.tag, &t.base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &t.base);
out:
    if (old)
        as__part_tag__free_unpacked(old, NULL);
    if (c)
        as__warranty_claim__free_unpacked(c, NULL);
    return rc;
}

int warranty_cmd_part_box(as_cmd_t *cmd)
{
    const As__PartBoxRequest *r = (const As__PartBoxRequest *)cmd->request;
    int rc = 0;
    As__PartBox *box = NULL;
    if ((rc = s_id(cmd, "box_id", r->box_id)) != 0 || (rc = s_ids(cmd, "tag", r->tags, r->n_tags)))
        goto out;
    rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "boxes"), r->box_id,
                       &as__part_box__descriptor, &box);
    if (rc == 0 && box->shipment_id) {
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "box '%s' was shipped already (shipment '%s')",
                         r->box_id, box->shipment_id);
        goto out;
    }
    if (rc == MDB_NOTFOUND) {
        if (!(box = malloc(sizeof *box))) {
            rc = -ENOMEM;
            goto out;
        }
        as__part_box__init(box);
        rc = (box->box_id = strdup(r->box_id)) ? 0 : -ENOMEM;
    }
    if (rc != 0)
        goto out;
    char **grown = realloc(box->tags, (box->n_tags + r->n_tags) * sizeof *grown);
    if (!grown) {
        rc = -ENOMEM;
        goto out;
    }
    box->tags = grown;
    for (size_t i = 0; rc == 0 && i < r->n_tags; i++) {
        As__PartTag *t;
        rc = s_tag_get(cmd->svc, cmd->txn, r->tags[i], &t);
        if (rc == MDB_NOTFOUND) {
            rc = as_cmd_fail(cmd, AS_ENOTFOUND, "tag '%s' does not exist", r->tags[i]);
            break;
        }
        if (rc != 0)
            break;
        if (t->custody != AS__PART_CUSTODY__TAGGED)
            rc = as_cmd_fail(cmd, AS_ECONFLICT, "tag '%s' is %s already (box '%s')", t->tag,
                             s_custody_name(t->custody), t->box_id ? t->box_id : "?");
        if (rc == 0) {
            t->custody = AS__PART_CUSTODY__BOXED;
            free(t->box_id);
            t->box_id = strdup(r->box_id);
            rc = s_put_tag(cmd->svc, cmd->txn, t);
        }
        if (rc == 0)
            rc = (box->tags[box->n_tags] = strdup(t->tag)) ? 0 : -ENOMEM;
        if (rc == 0)
            box->n_tags++;
        as__part_tag__free_unpacked(t, NULL);
    }
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "boxes"), box->box_id, &box->base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &box->base);
out:
    if (box)
        as__part_box__free_unpacked(box, NULL);
    return rc;
}

static void s_shipment_release(As__Shipment *s)
{
    for (size_t i = 0; i < s->n_packing_list; i++) {
        As__PackingLine *l = s->packing_list[i];
        free(l->tag);
        free(l->part_number);
        free(l->claim_id);
        free(l->vin);
        free(l);
    }
    free(s->packing_list);
}

/* Marks the tags of one box shipped and adds them to the packing list. */
static int s_ship_box(as_cmd_t *cmd, As__Shipment *s, const char *box_id)
{
    As__PartBox *box;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "boxes"), box_id,
                           &as__part_box__descriptor, &box);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "box '%s' does not exist", box_id);
    if (rc != 0)
        return rc;
    if (box->shipment_id)
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "box '%s' was shipped already (shipment '%s')", box_id,
                         box->shipment_id);
    else if (box->n_tags == 0)
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "box '%s' is empty", box_id);
    for (size_t i = 0; rc == 0 && i < box->n_tags; i++) {
        As__PartTag *t;
        if ((rc = s_tag_get(cmd->svc, cmd->txn, box->tags[i], &t)) != 0)
            break;
        As__PackingLine **grown = realloc(s->packing_list, (s->n_packing_list + 1) * sizeof *grown);
        As__PackingLine *l = grown ? malloc(sizeof *l) : NULL;
        if (grown)
            s->packing_list = grown;
        if (!l) {
            as__part_tag__free_unpacked(t, NULL);
            rc = -ENOMEM;
            break;
        }
        as__packing_line__init(l);
        s->packing_list[s->n_packing_list++] = l;
        l->box_id = (char *)box_id;
        l->tag = strdup(t->tag);
        l->part_number = strdup(t->part_number ? t->part_number : "");
        l->claim_id = strdup(t->claim_id ? t->claim_id : "");
        l->vin = strdup(t->vin ? t->vin : "");
        t->custody = AS__PART_CUSTODY__SHIPPED;
        free(t->shipment_id);
        t->shipment_id = strdup(s->shipment_id);
        rc = s_put_tag(cmd->svc, cmd->txn, t);
        as__part_tag__free_unpacked(t, NULL);
    }
    if (rc == 0) {
        box->shipment_id = strdup(s->shipment_id);
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "boxes"), box_id, &box->base);
    }
    as__part_box__free_unpacked(box, NULL);
    return rc;
}

int warranty_cmd_shipment_ship(as_cmd_t *cmd)
{
    const As__ShipmentShip *r = (const As__ShipmentShip *)cmd->request;
    int rc = 0;
    As__Shipment s = AS__SHIPMENT__INIT;
    char today[AS_DATE_LEN + 1];
    as_cmd_date(cmd, today);
    if ((rc = s_id(cmd, "shipment_id", r->shipment_id)) != 0 ||
        (rc = s_ids(cmd, "box", r->boxes, r->n_boxes)) != 0)
        goto out;
    if (r->carrier && as_text_chars(r->carrier) > 64) {
        rc = as_cmd_fail(cmd, AS_EINVALID, "carrier is longer than 64 characters");
        goto out;
    }
    if (as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "shipments"), r->shipment_id)) {
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "shipment '%s' exists already", r->shipment_id);
        goto out;
    }
    s.shipment_id = r->shipment_id;
    s.boxes = r->boxes;
    s.n_boxes = r->n_boxes;
    s.carrier = r->carrier;
    s.shipped_by = (char *)cmd->actor;
    s.shipped_date = today;
    s.has_confirmed = 1;
    for (size_t i = 0; rc == 0 && i < r->n_boxes; i++)
        rc = s_ship_box(cmd, &s, r->boxes[i]);
    if (rc == 0)
        rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "shipments"), s.shipment_id, &s.base);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "warranty.shipment.shipped", s.shipment_id, &s.base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &s.base);
out:
    s_shipment_release(&s);
    return rc;
}

int warranty_cmd_shipment_confirm(as_cmd_t *cmd)
{
    const As__ShipmentConfirm *r = (const As__ShipmentConfirm *)cmd->request;
    int rc = 0;
    As__Shipment *s = NULL;
    if ((rc = s_id(cmd, "shipment_id", r->shipment_id)) != 0)
        goto out;
    rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "shipments"), r->shipment_id,
                       &as__shipment__descriptor, &s);
    if (rc == MDB_NOTFOUND) {
        rc = as_cmd_fail(cmd, AS_ENOTFOUND, "shipment '%s' does not exist", r->shipment_id);
        goto out;
    }
    if (rc != 0)
        goto out;
    if (s->confirmed) {
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "shipment '%s' was confirmed already on %s",
                         s->shipment_id, s->confirmed_date ? s->confirmed_date : "?");
        goto out;
    }
    for (size_t i = 0; rc == 0 && i < s->n_packing_list; i++) {
        As__PartTag *t;
        if ((rc = s_tag_get(cmd->svc, cmd->txn, s->packing_list[i]->tag, &t)) != 0)
            break;
        t->custody = AS__PART_CUSTODY__CONFIRMED;
        rc = s_put_tag(cmd->svc, cmd->txn, t);
        as__part_tag__free_unpacked(t, NULL);
    }
    char today[AS_DATE_LEN + 1];
    as_cmd_date(cmd, today);
    s->has_confirmed = 1;
    s->confirmed = 1;
    s->confirmed_by = strdup(cmd->actor);
    s->confirmed_date = strdup(today);
    if (rc == 0)
        rc =
            as_record_put(cmd->txn, as_record_dbi(cmd->svc, "shipments"), s->shipment_id, &s->base);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "warranty.shipment.confirmed", s->shipment_id, &s->base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &s->base);
out:
    if (s)
        as__shipment__free_unpacked(s, NULL);
    return rc;
}

/* --- warranty.shipment.list ------------------------------------------------ */

static bool s_shipment_open(ProtobufCMessage *msg, void *arg)
{
    (void)arg;
    return !((As__Shipment *)msg)->confirmed;
}

int warranty_cmd_shipment_list(as_cmd_t *cmd)
{
    const As__ShipmentQuery *q = (const As__ShipmentQuery *)cmd->request;
    As__ShipmentList list = AS__SHIPMENT_LIST__INIT;
    int rc;
    if (q->shipment_id && q->shipment_id[0]) {
        As__Shipment *s;
        if ((rc = s_id(cmd, "shipment_id", q->shipment_id)) != 0)
            return rc;
        rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "shipments"), q->shipment_id,
                           &as__shipment__descriptor, &s);
        if (rc == MDB_NOTFOUND)
            return as_cmd_fail(cmd, AS_ENOTFOUND, "shipment '%s' does not exist", q->shipment_id);
        if (rc != 0)
            return rc;
        list.shipments = &s;
        list.n_shipments = 1;
        rc = as_cmd_reply(cmd, &list.base);
        as__shipment__free_unpacked(s, NULL);
        return rc;
    }
    as_record_list_t all;
    if ((rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "shipments"), NULL,
                             &as__shipment__descriptor, &all)) != 0)
        return rc;
    if (q->open_only)
        as_record_list_keep(&all, s_shipment_open, NULL);
    list.shipments = (As__Shipment **)all.msgs;
    list.n_shipments = all.n;
    rc = as_cmd_reply(cmd, &list.base);
    as_record_list_free(&all);
    return rc;
}

/* Adds the claim's part to the owed list unless the OEM has it. */
static int s_owed_add(as_cmd_t *cmd, As__PartOwedList *list, const As__WarrantyClaim *c,
                      const char *as_of)
{
    if (c->status == AS__CLAIM_STATUS__REJECTED || !c->causal_part)
        return 0;
    As__PartTag *t = NULL;
    if (c->tag) {
        int rc = s_tag_get(cmd->svc, cmd->txn, c->tag, &t);
        if (rc != 0)
            return rc;
        if (t->custody == AS__PART_CUSTODY__CONFIRMED) {
            as__part_tag__free_unpacked(t, NULL);
            return 0;
        }
    }
    As__OwedPart *o = malloc(sizeof *o);
    As__OwedPart **grown = o ? realloc(list->parts, (list->n_parts + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(o);
        if (t)
            as__part_tag__free_unpacked(t, NULL);
        return -ENOMEM;
    }
    list->parts = grown;
    as__owed_part__init(o);
    list->parts[list->n_parts++] = o;
    const char *since = t && t->tagged_date ? t->tagged_date : c->repair_date;
    char due[AS_DATE_LEN + 1];
    as_date_add_days(since, warranty_of(cmd->svc)->return_days, due);
    o->claim_id = strdup(c->claim_id);
    o->part_number = strdup(c->causal_part);
    o->tag = c->tag ? strdup(c->tag) : NULL;
    o->vin = c->vin ? strdup(c->vin) : NULL;
    o->box_id = t && t->box_id ? strdup(t->box_id) : NULL;
    o->has_custody = o->has_overdue = 1;
    o->custody = t ? t->custody : AS__PART_CUSTODY__UNTAGGED;
    o->since = strdup(since);
    o->due_date = strdup(due);
    o->overdue = o->custody < AS__PART_CUSTODY__SHIPPED && strcmp(as_of, due) > 0;
    list->overdue += o->overdue;
    if (t)
        as__part_tag__free_unpacked(t, NULL);
    return 0;
}

int warranty_cmd_part_owed(as_cmd_t *cmd)
{
    const As__PartOwedQuery *q = (const As__PartOwedQuery *)cmd->request;
    int rc = 0;
    char as_of[AS_DATE_LEN + 1];
    if (q->as_of && !as_date_valid(q->as_of)) {
        rc = as_cmd_fail(cmd, AS_EINVALID, "as_of '%s' is not a date (YYYY-MM-DD)", q->as_of);
        return rc;
    }
    if (q->as_of)
        snprintf(as_of, sizeof as_of, "%s", q->as_of);
    else
        as_date_today(as_of);
    As__PartOwedList list = AS__PART_OWED_LIST__INIT;
    list.as_of = as_of;
    list.has_overdue = 1;
    as_record_list_t claims;
    if ((rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "claims"), NULL,
                             &as__warranty_claim__descriptor, &claims)) != 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < claims.n; i++)
        rc = s_owed_add(cmd, &list, (const As__WarrantyClaim *)claims.msgs[i], as_of);
    as_record_list_free(&claims);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list.base);
    for (size_t i = 0; i < list.n_parts; i++)
        as__owed_part__free_unpacked(list.parts[i], NULL);
    free(list.parts);
    return rc;
}
