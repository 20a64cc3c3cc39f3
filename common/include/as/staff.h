/* staff.h — who works here and what each may do.
 *
 * The site config lists the staff in [staff], one line each:
 *   adv-wang  = advisor limit=5000       ; approval authority in currency units
 *   fdm-li    = front_desk_manager
 *   tech-07   = technician
 *   qc-zhao   = qc_inspector, technician ; several roles
 * Every daemon reads the same list, and every command checks that its actor
 * (the CURVE identity, or the request's actor on a local socket) holds a role
 * that may do it: the check is enforced, not only logged.
 */
#ifndef AS_STAFF_H
#define AS_STAFF_H

#include <stdbool.h>
#include <stdint.h>

#include "as/config.h"
#include "as/service.h"

/* Roles, as bits so a command can accept several. */
enum {
    AS_ROLE_SERVICE_MANAGER = 1u << 0,
    AS_ROLE_FRONT_DESK_MANAGER = 1u << 1,
    AS_ROLE_ADVISOR = 1u << 2,
    AS_ROLE_INFO_CLERK = 1u << 3,
    AS_ROLE_FOREMAN = 1u << 4,
    AS_ROLE_TECHNICIAN = 1u << 5,
    AS_ROLE_QC_INSPECTOR = 1u << 6,
    AS_ROLE_PARTS_MANAGER = 1u << 7,
    AS_ROLE_WAREHOUSE_KEEPER = 1u << 8,
    AS_ROLE_WARRANTY_CLERK = 1u << 9,
    AS_ROLE_TOOL_ADMIN = 1u << 10,
    AS_ROLE_SYSTEM = 1u << 11,   /* another system (OEM, CRM) acting through its key */
    AS_ROLE_IT_ADMIN = 1u << 12, /* runs the servers: accepts a restored source's history */
    /* a front end that signs its users in itself (the dealership's web front
     * end, tools/asday): over CURVE its commands run as the staff member it
     * names in the request's actor field; anyone else's actor field is ignored */
    AS_ROLE_DELEGATE = 1u << 13,
};

typedef struct as_staff as_staff_t;

/* Reads [staff]. Returns NULL on a line it cannot read and sets *err to a
 * malloc'd text for people ("staff 'x': unknown role 'cook'"). */
as_staff_t *as_staff_load(as_config_t *cfg, char **err);
void as_staff_destroy(as_staff_t **self_p);

/* The roles of `id` (0 when unknown). */
unsigned as_staff_roles(const as_staff_t *self, const char *id);

/* Approval authority in cents; 0 when none is set. */
int64_t as_staff_limit_cents(const as_staff_t *self, const char *id);

/* Fills ids[] with up to `max` staff ids holding any of `roles`, in the
 * order of the config; returns how many there are in all (borrowed strings,
 * valid until the list is destroyed). */
size_t as_staff_list(const as_staff_t *self, unsigned roles, const char **ids, size_t max);

/* "advisor", "front_desk_manager"... for one role bit; "" otherwise. */
const char *as_role_name(unsigned role);

/* Writes the names of the roles in `roles` as "advisor or foreman". */
void as_role_names(unsigned roles, char *out, size_t cap);

/* For a command handler: 0 when the actor holds one of `roles`, else fails
 * the command with AS_EDENIED and a text naming who and what is needed. */
int as_staff_require(const as_staff_t *self, as_cmd_t *cmd, unsigned roles);

/* The same against the service's own staff list (as_service_staff).
 * These two are defined in service_turn.c, with the runtime's refusals. */
int as_cmd_require(as_cmd_t *cmd, unsigned roles);

#endif
