/* policy.c — the warranty policy from the config, the eligibility check of a
 * claim, and the records and names the other files share. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "as/config_schema.h"
#include "as/log.h"
#include "warranty.h"

static bool s_chars_valid(const char *s, size_t max)
{
    if (!s || !*s || strlen(s) > max)
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
            return false;
    return true;
}

bool warranty_id_valid(const char *id)
{
    return s_chars_valid(id, WARRANTY_ID_MAX);
}

bool warranty_code_valid(const char *code)
{
    return s_chars_valid(code, 32);
}

/* "4y 100000km" -> years, km. */
static bool s_parse_coverage(const char *text, unsigned *years, unsigned *km)
{
    char tail[8];
    int n = 0;
    if (sscanf(text, " %uy %ukm %n%1s", years, km, &n, tail) != 2 || n == 0)
        return false;
    return *years >= 1 && *years <= 30 && *km >= 1 && *km <= 2000000;
}

/* Reads a key of [warranty] through its schema row (common/config_schema.c),
 * which holds its default and range. */
static int s_int(as_config_t *cfg, const char *key, long long *out)
{
    if (as_config_read_int(cfg, "warranty", key, out) != 0) {
        const as_config_key_t *row = as_config_schema_key(cfg, "warranty", key);
        as_error("config: [warranty] %s must be %lld..%lld, not '%s'", key, row->min, row->max,
                 as_config_get(cfg, "warranty", key, ""));
        return AS_ECONFIG;
    }
    return 0;
}

static const warranty_group_t *s_group(const warranty_t *w, const char *name)
{
    for (size_t i = 0; i < w->n_groups; i++)
        if (strcmp(w->groups[i].name, name) == 0)
            return &w->groups[i];
    return NULL;
}

static int s_load_policy(warranty_t *w, as_config_t *cfg)
{
    char **keys = NULL;
    int n = as_config_keys(cfg, "warranty.policy", &keys);
    if (n < 0)
        return n;
    int rc = 0;
    if (n == 0) {
        as_error("config: [warranty.policy] is missing: one line per component group, e.g. "
                 "'basic = 4y 100000km'");
        rc = AS_ECONFIG;
    }
    for (int i = 0; rc == 0 && i < n; i++) {
        const char *text = as_config_get(cfg, "warranty.policy", keys[i], "");
        warranty_group_t *g = &w->groups[w->n_groups];
        if (w->n_groups == WARRANTY_MAX_GROUPS || strlen(keys[i]) >= WARRANTY_NAME_MAX ||
            !s_parse_coverage(text, &g->years, &g->km)) {
            as_error("config: [warranty.policy] %s = '%s': expected '<years>y <km>km', e.g. "
                     "'4y 100000km'",
                     keys[i], text);
            rc = AS_ECONFIG;
            break;
        }
        snprintf(g->name, sizeof g->name, "%s", keys[i]);
        w->n_groups++;
    }
    as_config_list_free(&keys);
    return rc;
}

static int s_load_groups(warranty_t *w, as_config_t *cfg)
{
    char **keys = NULL;
    int n = as_config_keys(cfg, "warranty.groups", &keys);
    if (n < 0)
        return n;
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        const char *group = as_config_get(cfg, "warranty.groups", keys[i], "");
        if (w->n_prefixes == WARRANTY_MAX_GROUPS || strlen(keys[i]) >= WARRANTY_NAME_MAX ||
            !s_group(w, group)) {
            as_error("config: [warranty.groups] %s = '%s': not a group of [warranty.policy]",
                     keys[i], group);
            rc = AS_ECONFIG;
            break;
        }
        warranty_prefix_t *p = &w->prefixes[w->n_prefixes++];
        snprintf(p->prefix, sizeof p->prefix, "%s", keys[i]);
        snprintf(p->group, sizeof p->group, "%s", group);
    }
    as_config_list_free(&keys);
    return rc;
}

int warranty_config_load(warranty_t *w, as_config_t *cfg)
{
    memset(w, 0, sizeof *w);
    int rc = s_load_policy(w, cfg);
    if (rc == 0)
        rc = s_load_groups(w, cfg);
    if (rc != 0)
        return rc;
    const char *dflt = as_config_get(cfg, "warranty", "default_group", "basic");
    if (!s_group(w, dflt)) {
        as_error("config: [warranty] default_group '%s' is not a group of [warranty.policy]", dflt);
        return AS_ECONFIG;
    }
    snprintf(w->default_group, sizeof w->default_group, "%s", dflt);
    long long v;
    if ((rc = s_int(cfg, "clerk_limit_cents", &v)) != 0)
        return rc;
    w->clerk_limit_cents = v;
    if ((rc = s_int(cfg, "labour_tolerance_percent", &v)) != 0)
        return rc;
    w->labour_tolerance_percent = (unsigned)v;
    if ((rc = s_int(cfg, "return_days", &v)) != 0)
        return rc;
    w->return_days = (unsigned)v;
    if ((rc = s_int(cfg, "recurring_count", &v)) != 0)
        return rc;
    w->recurring_count = (unsigned)v;
    if ((rc = s_int(cfg, "recurring_days", &v)) != 0)
        return rc;
    w->recurring_days = (unsigned)v;
    const struct {
        const char *key;
        unsigned *out;
    } rrr[] = {{"rrr_years", &w->rrr_years},         {"rrr_km", &w->rrr_km},
               {"rrr_days", &w->rrr_days},           {"rrr_repeats", &w->rrr_repeats},
               {"rrr_warn_days", &w->rrr_warn_days}, {"rrr_warn_repeats", &w->rrr_warn_repeats}};
    for (size_t i = 0; i < sizeof rrr / sizeof rrr[0]; i++) {
        if ((rc = s_int(cfg, rrr[i].key, &v)) != 0)
            return rc;
        *rrr[i].out = (unsigned)v;
    }
    return 0;
}

const warranty_group_t *warranty_group_of(const warranty_t *w, const char *labour_code)
{
    const warranty_prefix_t *best = NULL;
    for (size_t i = 0; labour_code && i < w->n_prefixes; i++) {
        size_t len = strlen(w->prefixes[i].prefix);
        if (strncmp(labour_code, w->prefixes[i].prefix, len) == 0 &&
            (!best || len > strlen(best->prefix)))
            best = &w->prefixes[i];
    }
    return s_group(w, best ? best->group : w->default_group);
}

void warranty_date_add_years(const char *date, unsigned years, char out[AS_DATE_LEN + 1])
{
    int y = 0, m = 0, d = 0;
    if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 1 || y > 9000 || m < 1 || m > 12 ||
        d < 1 || d > 31) {
        snprintf(out, AS_DATE_LEN + 1, "9999-12-31");
        return;
    }
    y += (int)years;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        d = 28;
    char text[32];
    snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
    memcpy(out, text, AS_DATE_LEN);
    out[AS_DATE_LEN] = '\0';
}

static void s_set(char **field, const char *text)
{
    free(*field);
    *field = strdup(text);
}

int warranty_claim_flag(As__WarrantyClaim *claim, const char *text)
{
    char **grown = realloc(claim->flags, (claim->n_flags + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    claim->flags = grown;
    if (!(claim->flags[claim->n_flags] = strdup(text)))
        return -ENOMEM;
    claim->n_flags++;
    return 0;
}

static void s_clear_flags(As__WarrantyClaim *claim)
{
    for (size_t i = 0; i < claim->n_flags; i++)
        free(claim->flags[i]);
    free(claim->flags);
    claim->flags = NULL;
    claim->n_flags = 0;
    for (size_t i = 0; i < claim->n_flag_wordings; i++)
        as__claim_wording__free_unpacked(claim->flag_wordings[i], NULL);
    free(claim->flag_wordings);
    claim->flag_wordings = NULL;
    claim->n_flag_wordings = 0;
}

static void s_free_args(char **args, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(args[i]);
    free(args);
}

/* Copies of `n` texts in a heap array (NULL when out of memory). */
static char **s_args(const char *const *texts, size_t n)
{
    char **args = calloc(n ? n : 1, sizeof *args);
    for (size_t i = 0; args && i < n; i++)
        if (!(args[i] = strdup(texts[i]))) {
            s_free_args(args, i);
            return NULL;
        }
    return args;
}

/* Sets the claim's reason and its code and arguments (text NULL: none). */
static void s_reason(As__WarrantyClaim *claim, const char *text, const char *code,
                     const char *const *args, size_t n)
{
    free(claim->reason);
    claim->reason = text ? strdup(text) : NULL;
    free(claim->reason_code);
    claim->reason_code = code ? strdup(code) : NULL;
    s_free_args(claim->reason_args, claim->n_reason_args);
    claim->reason_args = code ? s_args(args, n) : NULL;
    claim->n_reason_args = claim->reason_args ? n : 0;
}

/* Adds a flag with its code and arguments. */
static int s_flag(As__WarrantyClaim *claim, const char *text, const char *code,
                  const char *const *args, size_t n)
{
    int rc = warranty_claim_flag(claim, text);
    As__ClaimWording *w = rc == 0 ? malloc(sizeof *w) : NULL;
    As__ClaimWording **grown =
        w ? realloc(claim->flag_wordings, (claim->n_flag_wordings + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(w);
        return rc ? rc : -ENOMEM;
    }
    claim->flag_wordings = grown;
    as__claim_wording__init(w);
    w->code = strdup(code);
    w->args = s_args(args, n);
    w->n_args = w->args ? n : 0;
    claim->flag_wordings[claim->n_flag_wordings++] = w;
    return w->code && w->args ? 0 : -ENOMEM;
}

warranty_coverage_t warranty_claim_coverage(const warranty_t *w, const As__WarrantyClaim *claim,
                                            const warranty_group_t **group)
{
    const warranty_group_t *g = *group = warranty_group_of(w, claim->labour_code);
    char end[AS_DATE_LEN + 1] = "";
    if (claim->sale_date && as_date_valid(claim->sale_date))
        warranty_date_add_years(claim->sale_date, g->years, end);
    if (!end[0])
        return WARRANTY_NO_SALE_DATE;
    if (strcmp(claim->repair_date ? claim->repair_date : "", end) >= 0)
        return WARRANTY_TOO_OLD;
    if (claim->mileage_km > g->km)
        return WARRANTY_TOO_FAR;
    return WARRANTY_COVERED;
}

void warranty_claim_check(const warranty_t *w, As__WarrantyClaim *claim)
{
    const warranty_group_t *g;
    char reason[256] = "";
    char a[4][32];
    const char *args[4] = {a[0], a[1], a[2], a[3]};
    const char *code = NULL;
    size_t n = 0;
    warranty_coverage_t coverage = warranty_claim_coverage(w, claim, &g);
    s_set(&claim->group, g->name);
    claim->has_amount_cents = claim->has_status = 1;
    claim->amount_cents = (int64_t)claim->sold_minutes * claim->rate_cents / 60;
    s_clear_flags(claim);
    switch (coverage) {
    case WARRANTY_COVERED:
        break;
    case WARRANTY_NO_SALE_DATE:
        snprintf(reason, sizeof reason, "vehicle %s has no sale date on record at reception",
                 claim->vin ? claim->vin : "?");
        code = "no_sale_date";
        args[n++] = claim->vin ? claim->vin : "?";
        break;
    case WARRANTY_TOO_OLD:
        snprintf(reason, sizeof reason, "vehicle sold %s is past the %u-year %s warranty on %s",
                 claim->sale_date, g->years, g->name, claim->repair_date);
        code = "too_old";
        args[n++] = claim->sale_date;
        snprintf(a[n], sizeof a[n], "%u", g->years);
        n++;
        args[n++] = g->name;
        args[n++] = claim->repair_date ? claim->repair_date : "";
        break;
    case WARRANTY_TOO_FAR:
        snprintf(reason, sizeof reason, "mileage %u km is past the %u km %s warranty",
                 claim->mileage_km, g->km, g->name);
        code = "too_far";
        snprintf(a[n++], sizeof a[0], "%u", claim->mileage_km);
        snprintf(a[n++], sizeof a[0], "%u", g->km);
        args[n++] = g->name;
        break;
    }
    if (reason[0]) {
        claim->status = AS__CLAIM_STATUS__REJECTED;
        s_reason(claim, reason, code, args, n);
        return;
    }
    if ((uint64_t)claim->actual_minutes * 100 >
        (uint64_t)claim->sold_minutes * (100 + w->labour_tolerance_percent)) {
        char flag[256];
        const char *labour = claim->labour_code ? claim->labour_code : "?";
        snprintf(flag, sizeof flag,
                 "labour %u min is far beyond the standard %u min of operation %s "
                 "(tolerance %u%%)",
                 claim->actual_minutes, claim->sold_minutes, labour, w->labour_tolerance_percent);
        snprintf(a[0], sizeof a[0], "%u", claim->actual_minutes);
        snprintf(a[1], sizeof a[1], "%u", claim->sold_minutes);
        snprintf(a[3], sizeof a[3], "%u", w->labour_tolerance_percent);
        const char *flag_args[4] = {a[0], a[1], labour, a[3]};
        s_flag(claim, flag, "labour_beyond_standard", flag_args, 4);
    }
    bool approved = claim->approved_by && claim->approved_cents >= claim->amount_cents;
    if (claim->amount_cents > w->clerk_limit_cents && !approved) {
        claim->status = AS__CLAIM_STATUS__ESCALATED;
        snprintf(a[0], sizeof a[0], "%lld.%02lld", (long long)(claim->amount_cents / 100),
                 (long long)(claim->amount_cents % 100));
        snprintf(a[1], sizeof a[1], "%lld.%02lld", (long long)(w->clerk_limit_cents / 100),
                 (long long)(w->clerk_limit_cents % 100));
        snprintf(reason, sizeof reason,
                 "amount %s is above the clerk's limit %s: the service manager approves it first",
                 a[0], a[1]);
        s_reason(claim, reason, "above_clerk_limit", args, 2);
        return;
    }
    claim->status = AS__CLAIM_STATUS__READY;
    s_reason(claim, NULL, NULL, NULL, 0);
}

const char *warranty_status_name(As__ClaimStatus status)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&as__claim_status__descriptor, (int)status);
    return v ? v->name : "?";
}

int warranty_claim_put(as_service_t *svc, MDB_txn *txn, As__WarrantyClaim *claim)
{
    claim->has_submissions = 1;
    return as_record_put(txn, as_record_dbi(svc, "claims"), claim->claim_id, &claim->base);
}

int warranty_cmd_claim(as_cmd_t *cmd, const char *claim_id, As__WarrantyClaim **out)
{
    if (!claim_id || !*claim_id)
        return as_cmd_fail(cmd, AS_EINVALID, "claim_id is required");
    if (!warranty_id_valid(claim_id))
        return as_cmd_fail(cmd, AS_EINVALID, "claim_id '%s' is not a valid id", claim_id);
    return as_record_load(cmd, as_record_dbi(cmd->svc, "claims"), "claim", claim_id,
                          &as__warranty_claim__descriptor, out);
}
