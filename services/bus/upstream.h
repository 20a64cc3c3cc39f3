/* upstream.h — a site bus forwarding upward to a group bus (a chain).
 *
 * With `[NAME] upstream = EP[,EP...]` (or --upstream) the site bus's XPUB
 * socket also CONNECTS to the group bus's XSUB endpoint(s): to the group bus
 * the site bus is one more publisher. The group's subscriptions travel down
 * that connection like a local subscriber's, the site bus passes them on to
 * its own publishers, and only the topics somebody at the group subscribed to
 * travel up. Nothing travels down: the site bus never subscribes to the group.
 *
 * Under CURVE ([security] curve = on) each tcp:// upstream connection is a
 * CURVE client with the site bus's own key for the group, KEYS_DIR/bus@<site>.key
 * ([site] name), of the server whose public key is KEYS_DIR/<upstream_key>.pub
 * (`[NAME] upstream_key`, default "group-bus"). The group bus admits that key
 * as the owner of every source of the site (bus_upstream_owns). ipc://
 * upstreams are plain, as every ipc:// endpoint.
 *
 * Ownership: the caller (asbus) owns the socket; this module only sets the
 * socket's options for each connect and reads the config.
 */
#ifndef AS_BUS_UPSTREAM_H
#define AS_BUS_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "as/config.h"

/* The key name a site bus presents to its group bus: "bus@" + the site. */
#define BUS_UPSTREAM_PREFIX "bus@"
#define BUS_UPSTREAM_KEY_DEFAULT "group-bus"

/* Connects `xpub` (already bound: the connects must come after every bind, as
 * CURVE options are taken per bind/connect) to each comma-separated endpoint
 * of `list`. `curve` is the site's [security] curve; `site` its [site] name;
 * `section` the forwarder's config section (for upstream_key). Appends the
 * endpoints connected to `connected` (comma-separated). Returns 0, or
 * AS_ECONFIG after logging a sentence for people (a missing or bad key file,
 * a malformed endpoint, more than `max` endpoints). */
int bus_upstream_connect(void *xpub, as_config_t *cfg, const char *section, const char *list,
                         bool curve, const char *site, int max, char *connected, size_t cap);

/* True when `identity` is a site bus's key ("bus@<site>") and `source` is a
 * source of that site ("<service>@<site>"): at the group bus, a site bus may
 * forward every source of its own site and no other's. */
bool bus_upstream_owns(const char *identity, const char *source);

#endif
