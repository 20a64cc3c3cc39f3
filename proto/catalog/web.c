/* catalog/web.c — the gateway's own command and event (services/web). */
#include "as/pb/web.pb-c.h"
#include "domains.h"

static const as_command_info_t s_commands[] = {
    {"web.credential.set", "web", &as__web_credential_set__descriptor,
     &as__web_credential__descriptor,
     "set a staff member's sign-in password (8+ characters) or tablet PIN (4-8 digits)",
     AS_ROLE_SERVICE_MANAGER | AS_ROLE_IT_ADMIN, false},
    {"web.credential.list", "web", NULL, &as__web_staff_list__descriptor,
     "the staff who sign in on the pages, with their roles and whether a password or PIN is "
     "set (when, by whom) or the account is locked; never the secret",
     AS_ROLE_SERVICE_MANAGER | AS_ROLE_IT_ADMIN, true},
};

static const as_event_info_t s_events[] = {
    {"web.credential.changed", &as__web_credential__descriptor,
     "a staff member's sign-in secret was set (the secret is not in it)"},
};

AS_CATALOG_PART(as__catalog_web, s_commands, s_events);
