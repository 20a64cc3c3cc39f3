/* staff.c — who works here and what each may do. See include/as/staff.h. */
#include "as/staff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"

static const char *const s_role_names[] = {
    "service_manager",  "front_desk_manager", "advisor",      "info_clerk",
    "foreman",          "technician",         "qc_inspector", "parts_manager",
    "warehouse_keeper", "warranty_clerk",     "tool_admin",   "system",
    "it_admin",         "delegate",
};
#define S_ROLES (sizeof s_role_names / sizeof s_role_names[0])

typedef struct {
    char *id;
    unsigned roles;
    int64_t limit_cents;
} s_member_t;

struct as_staff {
    s_member_t *members;
    size_t count;
};

const char *as_role_name(unsigned role)
{
    for (size_t i = 0; i < S_ROLES; i++)
        if (role == 1u << i)
            return s_role_names[i];
    return "";
}

void as_role_names(unsigned roles, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < S_ROLES; i++) {
        if (!(roles & (1u << i)))
            continue;
        int n = snprintf(out + used, cap - used, "%s%s", used ? " or " : "", s_role_names[i]);
        if (n < 0 || (size_t)n >= cap - used)
            return;
        used += (size_t)n;
    }
}

static int s_parse_role(const char *word, size_t len, unsigned *role)
{
    for (size_t i = 0; i < S_ROLES; i++) {
        if (strlen(s_role_names[i]) == len && strncmp(s_role_names[i], word, len) == 0) {
            *role = 1u << i;
            return 0;
        }
    }
    return AS_EINVALID;
}

/* Parses "12.50" (currency units) into cents. */
static int s_parse_money(const char *text, int64_t *cents)
{
    char *end = NULL;
    double value = strtod(text, &end);
    if (end == text || (*end && *end != ' ' && *end != ',') || value < 0 || value > 1e12)
        return AS_EINVALID;
    *cents = (int64_t)(value * 100.0 + 0.5);
    return 0;
}

static int s_parse_member(s_member_t *m, const char *value, char **err)
{
    const char *p = value;
    while (*p) {
        p += strspn(p, " ,\t");
        size_t len = strcspn(p, " ,\t");
        if (len == 0)
            break;
        if (len > 6 && strncmp(p, "limit=", 6) == 0) {
            if (s_parse_money(p + 6, &m->limit_cents) != 0)
                goto bad;
        } else {
            unsigned role;
            if (s_parse_role(p, len, &role) != 0)
                goto bad;
            m->roles |= role;
        }
        p += len;
        continue;
    bad:;
        char roles[512] = "";
        for (size_t i = 0; i < S_ROLES; i++)
            snprintf(roles + strlen(roles), sizeof roles - strlen(roles), "%s%s", i ? ", " : "",
                     s_role_names[i]);
        if (err && asprintf(err, "staff '%s': cannot read '%.*s' (roles: %s; limit=AMOUNT)", m->id,
                            (int)len, p, roles) < 0)
            *err = NULL;
        return AS_EINVALID;
    }
    if (!m->roles) {
        if (err && asprintf(err, "staff '%s' has no role", m->id) < 0)
            *err = NULL;
        return AS_EINVALID;
    }
    return 0;
}

as_staff_t *as_staff_load(as_config_t *cfg, char **err)
{
    if (err)
        *err = NULL;
    as_staff_t *self = calloc(1, sizeof *self);
    char **keys = NULL;
    int n = self ? as_config_keys(cfg, "staff", &keys) : -ENOMEM;
    if (n < 0 || !(self->members = calloc((size_t)n + 1, sizeof *self->members)))
        goto fail;
    for (int i = 0; i < n; i++) {
        s_member_t *m = &self->members[self->count];
        m->id = strdup(keys[i]);
        self->count++;
        if (!m->id || s_parse_member(m, as_config_get(cfg, "staff", keys[i], ""), err) != 0)
            goto fail;
    }
    as_config_list_free(&keys);
    return self;
fail:
    as_config_list_free(&keys);
    as_staff_destroy(&self);
    return NULL;
}

void as_staff_destroy(as_staff_t **self_p)
{
    as_staff_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++)
        free(self->members[i].id);
    free(self->members);
    free(self);
    *self_p = NULL;
}

static const s_member_t *s_find(const as_staff_t *self, const char *id)
{
    for (size_t i = 0; id && i < self->count; i++)
        if (strcmp(self->members[i].id, id) == 0)
            return &self->members[i];
    return NULL;
}

unsigned as_staff_roles(const as_staff_t *self, const char *id)
{
    const s_member_t *m = s_find(self, id);
    return m ? m->roles : 0;
}

int64_t as_staff_limit_cents(const as_staff_t *self, const char *id)
{
    const s_member_t *m = s_find(self, id);
    return m ? m->limit_cents : 0;
}

size_t as_staff_list(const as_staff_t *self, unsigned roles, const char **ids, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < self->count; i++) {
        if (!(self->members[i].roles & roles))
            continue;
        if (n < max)
            ids[n] = self->members[i].id;
        n++;
    }
    return n;
}
