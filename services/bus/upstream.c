/* upstream.c — a site bus forwarding upward to a group bus (see upstream.h). */
#include "upstream.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "as/error.h"
#include "as/log.h"
#include "as/security.h"

/* The characters of a key name (security.h: NAME.key, NAME.pub). */
#define S_NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-"

/* Loads KEYS_DIR/NAME.EXT into `out`; logs why not. Returns 0 or AS_ECONFIG. */
static int s_load(const char *keys_dir, const char *name, const char *ext, bool secret,
                  as_keypair_t *out)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s.%s", keys_dir, name, ext) >= (int)sizeof path) {
        as_error("asbus: the key path of '%s' is too long", name);
        return AS_ECONFIG;
    }
    int rc = as_keypair_load(path, out);
    if (rc == 0 && secret && out->secret_z85[0] == '\0')
        rc = AS_EINVALID;
    if (rc != 0) {
        as_error("asbus: upstream: cannot use key file '%s': %s (%s)", path,
                 rc == AS_EINVALID ? "it does not hold a Z85 key" : as_strerror(rc),
                 secret ? "make it with: asctl keygen NAME, and copy NAME.pub to the group bus's "
                          "keys directory"
                        : "copy the group bus's public key here");
        return AS_ECONFIG;
    }
    return 0;
}

/* Makes the next connect of `sock` plain (no CURVE), as every ipc:// one. */
static int s_plain(void *sock)
{
    int off = 0;
    return zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &off, sizeof off) == 0 ? 0 : -zmq_errno();
}

int bus_upstream_connect(void *xpub, as_config_t *cfg, const char *section, const char *list,
                         bool curve, const char *site, int max, char *connected, size_t cap)
{
    as_keypair_t mine = {0}, group = {0};
    char key_name[128];
    snprintf(key_name, sizeof key_name, "%s%s", BUS_UPSTREAM_PREFIX, site);
    const char *group_key = as_config_get(cfg, section, "upstream_key", BUS_UPSTREAM_KEY_DEFAULT);
    if (!*group_key || strspn(group_key, S_NAME_CHARS) != strlen(group_key)) {
        as_error("asbus: [%s] upstream_key = '%s' is not a key name ([A-Za-z0-9._@-]+, the "
                 "file KEYS_DIR/NAME.pub)",
                 section, group_key);
        return AS_ECONFIG;
    }
    char **items = NULL;
    int count = as_list_split(list, &items);
    if (count < 0)
        return -ENOMEM;
    int rc = 0;
    bool keys_loaded = false;
    if (count > max) {
        as_error("asbus: more than %d upstream endpoints", max);
        rc = AS_ECONFIG;
    }
    for (char **it = items; rc == 0 && *it; it++) {
        const char *item = *it;
        bool tcp = strncmp(item, "tcp://", 6) == 0;
        if (curve && tcp && !keys_loaded) {
            const char *keys_dir = as_config_get(cfg, "security", "keys_dir", "");
            rc = s_load(keys_dir, key_name, "key", true, &mine);
            if (rc == 0)
                rc = s_load(keys_dir, group_key, "pub", false, &group);
            keys_loaded = rc == 0;
            if (rc != 0)
                break;
        }
        int err = curve && tcp ? as_curve_client(xpub, &mine, group.public_z85)
                  : curve      ? s_plain(xpub)
                               : 0;
        if (err != 0) {
            as_error("asbus: cannot secure upstream '%s': %s", item, as_strerror(err));
            rc = AS_ECONFIG;
            break;
        }
        if (zmq_connect(xpub, item) != 0) {
            as_error("asbus: upstream '%s' is not an endpoint: %s", item,
                     zmq_strerror(zmq_errno()));
            rc = AS_ECONFIG;
            break;
        }
        size_t used = strlen(connected);
        snprintf(connected + used, cap - used, "%s%s", used ? "," : "", item);
    }
    explicit_bzero(&mine, sizeof mine);
    as_config_list_free(&items);
    return rc;
}

bool bus_upstream_owns(const char *identity, const char *source)
{
    size_t prefix = strlen(BUS_UPSTREAM_PREFIX);
    if (strncmp(identity, BUS_UPSTREAM_PREFIX, prefix) != 0 || !identity[prefix])
        return false;
    const char *at = strchr(source, '@');
    return at && at > source && strcmp(at + 1, identity + prefix) == 0;
}
