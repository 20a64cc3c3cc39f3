/* labour_ops.c — the master data an RO opens from: the labour-operation
 * catalogue and the labour rate of each pay type (the service manager keeps
 * both), the workshop's technicians' skills and the parts' prices (learnt from
 * the workshop's and the parts service's events), and how a job of
 * reception.ro.open takes its labour, rate and part prices from them.
 *
 *   labour_ops    code -> LabourOpEntry
 *   labour_rates  pay type name ("CUSTOMER_PAY") -> LabourRate
 *   technicians   tech_id -> Technician (tech_id, skills, level)
 *   part_prices   part_number -> Part (part_number, description, price_cents)
 *
 * Skills come from the workshop because the workshop is where they are true:
 * a skill is known while some registered technician has it. An operation
 * asking for a skill nobody has could never be dispatched, so it is refused
 * when defined, and so is a free-text job naming one at opening. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/log.h"
#include "as/pb/parts.pb-c.h"
#include "as/pb/workshop.pb-c.h"
#include "as/tool_ids.h"
#include "reception.h"

#define CODE_MAX 32
#define LEVEL_MAX 5
#define SOLD_MINUTES_MAX 100000

/* --- what reception learns from the workshop and parts ---------------------- */

int on_technician_registered(as_evt_t *evt)
{
    const As__Technician *in = ((const As__TechnicianRegistered *)evt->payload)->technician;
    if (!in || blank(in->tech_id))
        return AS_EINVALID;
    As__Technician kept = AS__TECHNICIAN__INIT;
    kept.tech_id = in->tech_id;
    kept.skills = in->skills;
    kept.n_skills = in->n_skills;
    kept.has_level = in->has_level;
    kept.level = in->level;
    return as_record_put(evt->txn, as_record_dbi(evt->svc, "technicians"), in->tech_id, &kept.base);
}

int on_part_defined(as_evt_t *evt)
{
    const As__Part *in = ((const As__PartDefined *)evt->payload)->part;
    if (!in || blank(in->part_number))
        return AS_EINVALID;
    As__Part kept = AS__PART__INIT;
    kept.part_number = in->part_number;
    kept.description = in->description;
    kept.has_price_cents = in->has_price_cents;
    kept.price_cents = in->price_cents;
    return as_record_put(evt->txn, as_record_dbi(evt->svc, "part_prices"), in->part_number,
                         &kept.base);
}

typedef struct {
    as_service_t *svc;
    bool knows_none; /* no technician, though repair orders were opened */
} s_start_check_t;

static int s_check_start(MDB_txn *txn, void *arg)
{
    s_start_check_t *check = arg;
    MDB_stat techs, ros;
    int rc = mdb_stat(txn, as_record_dbi(check->svc, "technicians"), &techs);
    if (rc == 0)
        rc = mdb_stat(txn, as_record_dbi(check->svc, "ros"), &ros);
    check->knows_none = rc == 0 && techs.ms_entries == 0 && ros.ms_entries > 0;
    return rc;
}

void labour_ops_check_start(as_service_t *svc)
{
    s_start_check_t check = {svc, false};
    if (as_store_read(as_service_store(svc), s_check_start, &check) == 0 && check.knows_none)
        as_warn("reception knows no technician's skills (a store from before it kept them): a "
                "job or labour operation naming a skill is refused until the foreman registers "
                "the technicians again (workshop.technician.register)");
}

static bool s_has_skill(const As__Technician *tech, const char *skill)
{
    for (size_t i = 0; i < tech->n_skills; i++)
        if (strcmp(tech->skills[i], skill) == 0)
            return true;
    return false;
}

/* Whether some technician reception knows has `skill`; 0 or a store code. */
static int s_skill_known(as_service_t *svc, MDB_txn *txn, const char *skill, bool *known)
{
    as_record_list_t techs;
    *known = false;
    int rc = as_record_scan(txn, as_record_dbi(svc, "technicians"), NULL,
                            &as__technician__descriptor, &techs);
    for (size_t i = 0; rc == 0 && i < techs.n && !*known; i++)
        *known = s_has_skill((const As__Technician *)techs.msgs[i], skill);
    as_record_list_free(&techs);
    return rc;
}

/* --- the labour-operation catalogue ------------------------------------------- */

static bool s_code_valid(const char *code)
{
    size_t len = code ? strlen(code) : 0;
    if (len == 0 || len > CODE_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)code[i]) && !strchr("-_.", code[i]))
            return false;
    return true;
}

static int s_check_define(as_cmd_t *cmd, const As__LabourOperation *op)
{
    if (!s_code_valid(op->code))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "labour operation code '%s' must be 1 to %d of letters, digits, "
                           "'.', '_', '-'",
                           op->code ? op->code : "", CODE_MAX);
    if (blank(op->description))
        return as_cmd_fail(cmd, AS_EINVALID, "labour operation '%s': description is required",
                           op->code);
    if (!op->has_sold_minutes || op->sold_minutes == 0 || op->sold_minutes > SOLD_MINUTES_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "labour operation '%s': sold_minutes must be 1..%d",
                           op->code, SOLD_MINUTES_MAX);
    if (op->has_rate_cents)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "labour operation '%s' has no rate_cents: the rate is the pay type's "
                           "(reception.labour_rate.set)",
                           op->code);
    if (blank(op->skill))
        return as_cmd_fail(cmd, AS_EINVALID, "labour operation '%s': skill is required", op->code);
    if (op->has_min_level && (op->min_level < 1 || op->min_level > LEVEL_MAX))
        return as_cmd_fail(cmd, AS_EINVALID, "labour operation '%s': min_level must be 1..%d",
                           op->code, LEVEL_MAX);
    as_special_tools_fault_t f;
    switch (as_special_tools_examine(op->special_tools, op->n_special_tools, &f)) {
    case AS_SPECIAL_TOOLS_VALID:
        break;
    case AS_SPECIAL_TOOLS_TOO_MANY:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "labour operation '%s': at most %d special tools per labour operation "
                           "(got %zu)",
                           op->code, AS_SPECIAL_TOOLS_MAX, f.count);
    case AS_SPECIAL_TOOLS_BAD_ID:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "labour operation '%s': special tool id '%.80s' must be 1 to %d of "
                           "letters, digits, '.', '_', '-'",
                           op->code, f.id, AS_TOOL_ID_MAX);
    case AS_SPECIAL_TOOLS_TWICE:
        return as_cmd_fail(cmd, AS_EINVALID,
                           "labour operation '%s': special tool '%s' is named twice", op->code,
                           f.id);
    }
    bool known = false;
    int rc = s_skill_known(cmd->svc, cmd->txn, op->skill, &known);
    if (rc == 0 && !known)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "labour operation '%s': skill '%s' is not a skill of any technician of "
                           "the workshop (reception.skill.list)",
                           op->code, op->skill);
    return rc;
}

/* Stores `entry` as changed now by the actor, emits `event` and replies. */
static int s_save_entry(as_cmd_t *cmd, As__LabourOpEntry *entry, const char *event)
{
    entry->changed_by = (char *)cmd->actor;
    entry->has_changed_us = 1;
    entry->changed_us = as_cmd_time(cmd);
    const char *code = entry->operation->code;
    As__LabourOpChanged changed = AS__LABOUR_OP_CHANGED__INIT;
    changed.entry = entry;
    int rc = as_record_put(cmd->txn, as_record_dbi(cmd->svc, "labour_ops"), code, &entry->base);
    if (rc == 0)
        rc = as_cmd_emit(cmd, event, code, &changed.base);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &entry->base);
    entry->changed_by = NULL; /* borrowed */
    return rc;
}

int labour_op_define(as_cmd_t *cmd)
{
    const As__LabourOperation *req = (const As__LabourOperation *)cmd->request;
    int rc = s_check_define(cmd, req);
    if (rc)
        return rc;
    As__LabourOperation op = *req; /* borrows the request's fields */
    op.has_min_level = 1;
    op.min_level = req->has_min_level ? req->min_level : 1;
    As__LabourOpEntry entry = AS__LABOUR_OP_ENTRY__INIT;
    entry.operation = &op;
    return s_save_entry(cmd, &entry, "reception.labour_op.defined");
}

static int s_load_op(as_cmd_t *cmd, const char *code, As__LabourOpEntry **entry)
{
    if (blank(code))
        return as_cmd_fail(cmd, AS_EINVALID, "code is required");
    return as_record_load(cmd, as_record_dbi(cmd->svc, "labour_ops"), "labour operation", code,
                          &as__labour_op_entry__descriptor, entry);
}

int labour_op_retire(as_cmd_t *cmd)
{
    const As__LabourOpQuery *req = (const As__LabourOpQuery *)cmd->request;
    As__LabourOpEntry *entry = NULL;
    int rc = s_load_op(cmd, req->code, &entry);
    if (rc == 0 && entry->retired)
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "labour operation '%s' is already retired", req->code);
    if (rc == 0) {
        entry->has_retired = entry->retired = 1;
        free(entry->changed_by);
        rc = s_save_entry(cmd, entry, "reception.labour_op.retired");
    }
    if (entry)
        as__labour_op_entry__free_unpacked(entry, NULL);
    return rc;
}

int labour_op_show(as_cmd_t *cmd)
{
    const As__LabourOpQuery *req = (const As__LabourOpQuery *)cmd->request;
    As__LabourOpEntry *entry = NULL;
    int rc = s_load_op(cmd, req->code, &entry);
    return rc ? rc : cmd_reply_free(cmd, &entry->base);
}

static bool s_listed(const As__LabourOpQuery *q, const As__LabourOpEntry *e)
{
    const As__LabourOperation *op = e->operation;
    if (!op || !op->code || e->retired != (q->has_retired && q->retired))
        return false;
    if (!blank(q->prefix) && strncmp(op->code, q->prefix, strlen(q->prefix)) != 0)
        return false;
    return blank(q->skill) || (op->skill && strcmp(op->skill, q->skill) == 0);
}

int labour_op_list(as_cmd_t *cmd)
{
    const As__LabourOpQuery *req = (const As__LabourOpQuery *)cmd->request;
    as_record_list_t all;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "labour_ops"), NULL,
                            &as__labour_op_entry__descriptor, &all);
    size_t kept = 0;
    for (size_t i = 0; rc == 0 && i < all.n; i++) {
        if (s_listed(req, (As__LabourOpEntry *)all.msgs[i]))
            all.msgs[kept++] = all.msgs[i];
        else
            protobuf_c_message_free_unpacked(all.msgs[i], NULL);
    }
    all.n = kept;
    As__LabourOpList list = AS__LABOUR_OP_LIST__INIT;
    list.operations = (As__LabourOpEntry **)all.msgs;
    list.n_operations = all.n;
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list.base);
    as_record_list_free(&all);
    return rc;
}

/* --- labour rates per pay type ------------------------------------------------ */

#define RATE_MAX_CENTS 100000000LL /* a million per hour */

static const char *s_pay_type_name(As__PayType pay_type)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&as__pay_type__descriptor, (int)pay_type);
    return v ? v->name : "PAY_TYPE_UNSET";
}

int labour_rate_set(as_cmd_t *cmd)
{
    const As__LabourRate *req = (const As__LabourRate *)cmd->request;
    if (!req->has_pay_type || req->pay_type == AS__PAY_TYPE__PAY_TYPE_UNSET)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "pay_type is required (CUSTOMER_PAY, WARRANTY, INTERNAL or GOODWILL)");
    const char *pay = s_pay_type_name(req->pay_type);
    if (!req->has_rate_cents || req->rate_cents < 0 || req->rate_cents > RATE_MAX_CENTS)
        return as_cmd_fail(cmd, AS_EINVALID, "labour rate of %s: rate_cents must be 0..%lld", pay,
                           RATE_MAX_CENTS);
    MDB_dbi dbi = as_record_dbi(cmd->svc, "labour_rates");
    As__LabourRate *old = NULL;
    int rc = as_record_get(cmd->txn, dbi, pay, &as__labour_rate__descriptor, &old);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    As__LabourRate rate = *req;
    rate.set_by = (char *)cmd->actor;
    rate.has_set_us = 1;
    rate.set_us = as_cmd_time(cmd);
    As__LabourRateChanged changed = AS__LABOUR_RATE_CHANGED__INIT;
    changed.rate = &rate;
    changed.has_old_rate_cents = old != NULL;
    changed.old_rate_cents = old ? old->rate_cents : 0;
    if (old)
        as__labour_rate__free_unpacked(old, NULL);
    rc = as_record_put(cmd->txn, dbi, pay, &rate.base);
    if (rc == 0)
        rc = as_cmd_emit(cmd, "reception.labour_rate.changed", pay, &changed.base);
    return rc ? rc : as_cmd_reply(cmd, &rate.base);
}

int labour_rate_list(as_cmd_t *cmd)
{
    as_record_list_t all;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "labour_rates"), NULL,
                            &as__labour_rate__descriptor, &all);
    As__LabourRateList list = AS__LABOUR_RATE_LIST__INIT;
    list.rates = (As__LabourRate **)all.msgs;
    list.n_rates = all.n;
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list.base);
    as_record_list_free(&all);
    return rc;
}

/* --- skills ---------------------------------------------------------------------- */

static As__Skill *s_skill_of(As__SkillList *list, const char *name)
{
    for (size_t i = 0; i < list->n_skills; i++)
        if (strcmp(list->skills[i]->skill, name) == 0)
            return list->skills[i];
    As__Skill *skill = calloc(1, sizeof *skill);
    As__Skill **grown = realloc(list->skills, (list->n_skills + 1) * sizeof *grown);
    if (grown)
        list->skills = grown;
    if (skill)
        as__skill__init(skill);
    if (!skill || !grown || !(skill->skill = strdup(name))) {
        free(skill);
        return NULL;
    }
    list->skills[list->n_skills++] = skill;
    return skill;
}

static int s_add_technician(As__Skill *skill, const As__Technician *tech)
{
    char **grown = realloc(skill->technicians, (skill->n_technicians + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    skill->technicians = grown;
    if (!(grown[skill->n_technicians] = strdup(tech->tech_id)))
        return -ENOMEM;
    skill->n_technicians++;
    skill->has_max_level = 1;
    if (tech->level > skill->max_level)
        skill->max_level = tech->level;
    return 0;
}

static int s_by_name(const void *a, const void *b)
{
    return strcmp((*(As__Skill *const *)a)->skill, (*(As__Skill *const *)b)->skill);
}

int skill_list(as_cmd_t *cmd)
{
    as_record_list_t techs;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "technicians"), NULL,
                            &as__technician__descriptor, &techs);
    As__SkillList list = AS__SKILL_LIST__INIT;
    for (size_t i = 0; rc == 0 && i < techs.n; i++) {
        const As__Technician *tech = (const As__Technician *)techs.msgs[i];
        for (size_t k = 0; rc == 0 && k < tech->n_skills; k++) {
            As__Skill *skill = s_skill_of(&list, tech->skills[k]);
            rc = skill ? s_add_technician(skill, tech) : -ENOMEM;
        }
    }
    if (list.n_skills)
        qsort(list.skills, list.n_skills, sizeof *list.skills, s_by_name);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list.base);
    for (size_t i = 0; i < list.n_skills; i++)
        as__skill__free_unpacked(list.skills[i], NULL);
    free(list.skills);
    as_record_list_free(&techs);
    return rc;
}

/* --- a job of an RO being opened ------------------------------------------------ */

static int s_take_operation(as_cmd_t *cmd, size_t job_no, As__JobRequest *job)
{
    if (job->labour)
        return as_cmd_fail(cmd, AS_EINVALID, "job %zu: give operation_code or labour, not both",
                           job_no);
    As__LabourOpEntry *entry = NULL;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "labour_ops"), job->operation_code,
                           &as__labour_op_entry__descriptor, &entry);
    if (rc == MDB_NOTFOUND)
        return as_cmd_fail(cmd, AS_ENOTFOUND,
                           "job %zu: labour operation '%s' is not in the catalogue", job_no,
                           job->operation_code);
    if (rc)
        return rc;
    if (entry->retired || !entry->operation) {
        rc = as_cmd_fail(cmd, AS_ECONFLICT, "job %zu: labour operation '%s' is retired", job_no,
                         job->operation_code);
    } else {
        job->labour = entry->operation; /* the request's copy owns it from here */
        entry->operation = NULL;
    }
    as__labour_op_entry__free_unpacked(entry, NULL);
    return rc;
}

/* A free-text job: a skill it names must be one the workshop has, and its
 * code one the catalogue does not have (else the job names it). */
static int s_check_free_text(as_cmd_t *cmd, size_t job_no, const As__JobRequest *job)
{
    const As__LabourOperation *labour = job->labour;
    if (!labour)
        return 0;
    if (!blank(labour->code) &&
        as_record_exists(cmd->txn, as_record_dbi(cmd->svc, "labour_ops"), labour->code))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "job %zu: labour operation '%s' is in the catalogue: give it as "
                           "operation_code",
                           job_no, labour->code);
    if (blank(labour->skill))
        return 0;
    bool known = false;
    int rc = s_skill_known(cmd->svc, cmd->txn, labour->skill, &known);
    if (rc == 0 && !known)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "job %zu: skill '%s' is not a skill of any technician of the workshop "
                           "(reception.skill.list)",
                           job_no, labour->skill);
    return rc;
}

/* The job's labour rate: the pay type's. A rate in the request (a free-text
 * job of a client from before the rates) stands only where none is set. */
static int s_rate_labour(as_cmd_t *cmd, size_t job_no, As__JobRequest *job)
{
    As__LabourOperation *labour = job->labour;
    if (!labour)
        return 0;
    const char *pay = s_pay_type_name(job->pay_type);
    As__LabourRate *rate = NULL;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "labour_rates"), pay,
                           &as__labour_rate__descriptor, &rate);
    if (rc == MDB_NOTFOUND && !labour->has_rate_cents)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "job %zu: no labour rate is set for pay type %s (the service manager "
                           "sets it: reception.labour_rate.set)",
                           job_no, pay);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (labour->has_rate_cents && labour->rate_cents != rate->rate_cents)
        rc = as_cmd_fail(cmd, AS_EINVALID,
                         "job %zu: rate_cents %lld is not the %s labour rate %lld: leave it out",
                         job_no, (long long)labour->rate_cents, pay, (long long)rate->rate_cents);
    labour->has_rate_cents = 1;
    labour->rate_cents = rate->rate_cents;
    as__labour_rate__free_unpacked(rate, NULL);
    return rc;
}

/* A part line without a price takes the parts catalogue's. */
static int s_price_parts(as_cmd_t *cmd, size_t job_no, As__JobRequest *job)
{
    MDB_dbi dbi = as_record_dbi(cmd->svc, "part_prices");
    for (size_t i = 0; i < job->n_parts; i++) {
        As__PartLine *line = job->parts[i];
        if (line->has_unit_price_cents || blank(line->part_number))
            continue;
        As__Part *part = NULL;
        int rc = as_record_get(cmd->txn, dbi, line->part_number, &as__part__descriptor, &part);
        if (rc != 0 && rc != MDB_NOTFOUND)
            return rc;
        line->has_unit_price_cents = part && part->has_price_cents;
        line->unit_price_cents = part ? part->price_cents : 0;
        if (part)
            as__part__free_unpacked(part, NULL);
        if (!line->has_unit_price_cents)
            return as_cmd_fail(cmd, AS_EINVALID,
                               "job %zu, part '%s': no unit_price_cents given and the parts "
                               "catalogue has no price for it",
                               job_no, line->part_number);
    }
    return 0;
}

int job_resolve(as_cmd_t *cmd, size_t job_no, As__JobRequest *job)
{
    int rc = blank(job->operation_code) ? s_check_free_text(cmd, job_no, job)
                                        : s_take_operation(cmd, job_no, job);
    if (rc == 0)
        rc = s_rate_labour(cmd, job_no, job);
    if (rc == 0)
        rc = s_price_parts(cmd, job_no, job);
    return rc;
}
