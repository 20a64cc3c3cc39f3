/* asctl keygen / backup / restore — keys and stores. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int s_store_copy(asctl_t *ctl, int argc, char **argv, bool restore)
{
    static const struct option options[] = {
        {"to", required_argument, NULL, 't'},
        {"from", required_argument, NULL, 'f'},
        {"data-dir", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *other = NULL, *data_dir = NULL;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "t:f:d:h", options, NULL)) != -1) {
        if ((opt == 't' && !restore) || (opt == 'f' && restore)) {
            other = optarg;
        } else if (opt == 'd') {
            data_dir = optarg;
        } else {
            FILE *out = opt == 'h' ? stdout : stderr;
            if (restore)
                fprintf(out, "usage: asctl restore SERVICE --from BACKUP_DIR [--data-dir DIR]\n"
                             "\n"
                             "Copies a backup into SERVICE's data dir, which must hold no store\n"
                             "(stop the daemon and move the old one away first). The restored\n"
                             "store gets a new incarnation, so its consumers notice the change.\n"
                             "Refused (exit 75) while a daemon holds the data dir, and (exit 74)\n"
                             "when the backup's data.mdb is damaged.\n");
            else
                fprintf(out, "usage: asctl backup SERVICE --to DIR [--data-dir DIR]\n"
                             "\n"
                             "Writes a compacted copy of SERVICE's store into DIR (existing and\n"
                             "empty) while the daemon keeps running. Refused (exit 74) when the\n"
                             "store's data.mdb is damaged.\n");
            return opt == 'h' ? EXIT_OK : EXIT_USAGE;
        }
    }
    const char *service = optind < argc ? argv[optind] : NULL;
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
