/* asctl keygen / backup / restore — keys and stores. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "as/error.h"
#include "as/security.h"
#include "as/store.h"
#include "asctl.h"

int asctl_keygen(asctl_t *ctl, int argc, char **argv)
{
    static const struct option options[] = {
        {"dir", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = ".";
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "d:h", options, NULL)) != -1) {
        if (opt == 'd') {
            dir = optarg;
        } else {
            FILE *out = opt == 'h' ? stdout : stderr;
            fprintf(out, "usage: asctl keygen NAME [--dir DIR]\n"
                         "\n"
                         "Makes a CURVE keypair for NAME (a daemon, the bus, a person's asctl, an\n"
                         "outside system): DIR/NAME.key (both keys, mode 0600; keep it on NAME's\n"
                         "machine) and DIR/NAME.pub (copy it into every machine's keys_dir).\n");
            return opt == 'h' ? EXIT_OK : EXIT_USAGE;
        }
    }
    if (optind + 1 != argc)
        return asctl_fail(ctl, EXIT_USAGE, "keygen takes one NAME");
    const char *name = argv[optind];
    as_keypair_t keys;
    int rc = as_keypair_generate(&keys);
    if (rc == 0)
        rc = as_keypair_save(&keys, dir, name);
    if (rc == AS_EEXISTS)
        return asctl_fail(ctl, EXIT_IOERR, "%s/%s.key exists: not overwritten", dir, name);
    if (rc != 0)
        return asctl_fail(ctl, EXIT_IOERR, "cannot write keys for '%s' in %s: %s", name, dir,
                          as_strerror(rc));
    if (ctl->json) {
        json_t *obj = json_pack("{s:b,s:s,s:s,s:s}", "ok", 1, "name", name, "public_key",
                                keys.public_z85, "dir", dir);
        asctl_print_json(obj);
        json_decref(obj);
    } else {
        printf("%s/%s.key  (secret: keep it on %s's machine only)\n", dir, name, name);
        printf("%s/%s.pub  public key %s\n", dir, name, keys.public_z85);
    }
    return EXIT_OK;
}

const char *asctl_data_dir(asctl_t *ctl, const char *service, const char *given, char *buf,
                           size_t cap)
{
    if (given)
        return given;
    if (!service)
        return NULL;
    if (asctl_load_config(ctl) != EXIT_OK)
        return NULL;
    const char *dir = as_config_get(ctl->cfg, service, "data_dir", NULL);
    if (dir)
        return dir;
    snprintf(buf, cap, "%s/%s", as_config_get(ctl->cfg, "site", "data_dir", "/var/lib/aftersales"),
             service);
    return buf;
}

/* Whether DIR holds a store (its data.mdb). */
static bool s_has_store(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    return access(path, F_OK) == 0;
}

/* Makes DIR (mode 0700) unless it exists. Returns 0 or -errno. */
static int s_make_private_dir(const char *dir)
{
    return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -errno;
}

/* backup --all / restore --all: every service of [site] services that has a
 * store on this host (backup) or in the backup (restore), one subdirectory
 * DIR/SERVICE each. A service with nothing to copy is listed as skipped. */
static int s_copy_all(asctl_t *ctl, const char *top, bool restore)
{
    char **services = NULL;
    if (asctl_load_config(ctl) != EXIT_OK)
        return EXIT_CONFIG;
    if (as_config_get_list(ctl->cfg, "site", "services", &services) <= 0)
        return asctl_fail(ctl, EXIT_CONFIG, "--all needs the site's services in [site] services");
    int rc = restore ? 0 : s_make_private_dir(top);
    if (rc != 0) {
        as_config_list_free(&services);
        return asctl_fail(ctl, EXIT_IOERR, "cannot make '%s': %s", top, as_strerror(rc));
    }
    json_t *copied = json_array(), *skipped = json_array();
    int exit_code = EXIT_OK;
    for (char **svc = services; *svc && exit_code == EXIT_OK; svc++) {
        char buf[1024], sub[4096];
        const char *data_dir = asctl_data_dir(ctl, *svc, NULL, buf, sizeof buf);
        snprintf(sub, sizeof sub, "%s/%s", top, *svc);
        if (!s_has_store(restore ? sub : data_dir)) {
            json_array_append_new(skipped, json_string(*svc));
            continue;
        }
        as_store_error_t why;
        if (!restore && (rc = s_make_private_dir(sub)) != 0)
            exit_code = asctl_fail(ctl, EXIT_IOERR, "cannot make '%s': %s", sub, as_strerror(rc));
        else if ((rc = restore ? as_store_restore_why(sub, data_dir, &why)
                               : as_store_backup_why(data_dir, sub, &why)) != 0)
            exit_code =
                asctl_fail(ctl, rc == AS_ELOCKED ? EXIT_TEMPFAIL : EXIT_IOERR,
                           "%s of %s refused: %s", restore ? "restore" : "backup", *svc, why.text);
        else
            json_array_append_new(copied, json_pack("{s:s,s:s,s:s}", "service", *svc, "data_dir",
                                                    data_dir, restore ? "from" : "to", sub));
    }
    as_config_list_free(&services);
    if (exit_code == EXIT_OK && json_array_size(copied) == 0)
        exit_code = asctl_fail(ctl, EXIT_IOERR, "no store of [site] services is %s",
                               restore ? "in the backup" : "on this host");
    if (exit_code == EXIT_OK && ctl->json) {
        json_t *obj = json_pack("{s:b,s:O,s:O}", "ok", 1, "stores", copied, "skipped", skipped);
        asctl_print_json(obj);
        json_decref(obj);
    } else if (exit_code == EXIT_OK) {
        size_t i;
        json_t *one;
        json_array_foreach(copied, i, one)
            printf("%s %s %s %s\n", restore ? "restored" : "backed up",
                   json_string_value(json_object_get(one, "service")), restore ? "from" : "to",
                   json_string_value(json_object_get(one, restore ? "from" : "to")));
        json_array_foreach(skipped, i, one)
            printf("skipped %s: no store %s\n", json_string_value(one),
                   restore ? "in the backup" : "on this host");
    }
    json_decref(copied);
    json_decref(skipped);
    return exit_code;
}

static int s_store_copy(asctl_t *ctl, int argc, char **argv, bool restore)
{
    static const struct option options[] = {
        {"to", required_argument, NULL, 't'},       {"from", required_argument, NULL, 'f'},
        {"data-dir", required_argument, NULL, 'd'}, {"all", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    const char *other = NULL, *data_dir = NULL;
    bool all = false;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "t:f:d:h", options, NULL)) != -1) {
        if ((opt == 't' && !restore) || (opt == 'f' && restore)) {
            other = optarg;
        } else if (opt == 'a') {
            all = true;
        } else if (opt == 'd') {
            data_dir = optarg;
        } else {
            FILE *out = opt == 'h' ? stdout : stderr;
            if (restore)
                fprintf(out, "usage: asctl restore SERVICE --from BACKUP_DIR [--data-dir DIR]\n"
                             "       asctl restore --all --from BACKUP_DIR\n"
                             "\n"
                             "Copies a backup into SERVICE's data dir, which must hold no store\n"
                             "(stop the daemon and move the old one away first). The restored\n"
                             "store gets a new incarnation, so its consumers notice the change.\n"
                             "Refused (exit 75) while a daemon holds the data dir, and (exit 74)\n"
                             "when the backup's data.mdb is damaged. --all restores every\n"
                             "service of [site] services that BACKUP_DIR/SERVICE holds.\n");
            else
                fprintf(out, "usage: asctl backup SERVICE --to DIR [--data-dir DIR]\n"
                             "       asctl backup --all DIR\n"
                             "\n"
                             "Writes a compacted copy of SERVICE's store into DIR (existing and\n"
                             "empty) while the daemon keeps running. Refused (exit 74) when the\n"
                             "store's data.mdb is damaged. The copy is mode 0600, owned by\n"
                             "whoever runs asctl. --all copies every store of [site] services\n"
                             "this host holds into DIR/SERVICE (made 0700), skipping the rest.\n");
            return opt == 'h' ? EXIT_OK : EXIT_USAGE;
        }
    }
    const char *service = optind < argc ? argv[optind] : NULL;
    if (all && !other && !restore && optind + 1 == argc)
        other = argv[optind]; /* backup --all DIR */
    if (all && other && !data_dir && (restore ? optind == argc : optind + 1 >= argc))
        return s_copy_all(ctl, other, restore);
    if (all)
        return asctl_fail(ctl, EXIT_USAGE, "%s",
                          restore ? "restore --all takes --from DIR only"
                                  : "backup --all takes DIR (or --to DIR) only");
    if (!other || (!service && !data_dir))
        return asctl_fail(ctl, EXIT_USAGE, "%s needs SERVICE (or --data-dir) and %s",
                          restore ? "restore" : "backup", restore ? "--from DIR" : "--to DIR");
    char buf[1024];
    const char *dir = asctl_data_dir(ctl, service, data_dir, buf, sizeof buf);
    if (!dir)
        return EXIT_CONFIG;
    as_store_error_t why;
    int rc =
        restore ? as_store_restore_why(other, dir, &why) : as_store_backup_why(dir, other, &why);
    if (rc != 0)
        return asctl_fail(ctl, rc == AS_ELOCKED ? EXIT_TEMPFAIL : EXIT_IOERR, "%s refused: %s",
                          restore ? "restore" : "backup", why.text);
    if (ctl->json) {
        json_t *obj =
            json_pack("{s:b,s:s,s:s}", "ok", 1, restore ? "from" : "to", other, "data_dir", dir);
        asctl_print_json(obj);
        json_decref(obj);
    } else {
        printf("%s %s %s\n", restore ? "restored" : "backed up", dir, restore ? "from" : "to");
        printf("  %s\n", other);
    }
    return EXIT_OK;
}

int asctl_backup(asctl_t *ctl, int argc, char **argv)
{
    return s_store_copy(ctl, argc, argv, false);
}

int asctl_restore(asctl_t *ctl, int argc, char **argv)
{
    return s_store_copy(ctl, argc, argv, true);
}
