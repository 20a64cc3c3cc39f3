/* as-reception — the reception daemon: customers, vehicles, appointments,
 * repair orders from estimate to delivery, extra-work consent, follow-up. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "as/log.h"
#include "reception.h"

static void s_usage(FILE *out)
{
    fprintf(out, "usage: as-reception --config FILE\n"
                 "\n"
                 "Runs the reception service from the [reception], [staff], [site] and [bus]\n"
                 "sections of FILE. Commands: asctl call reception.* (asctl help).\n"
                 "Exit codes: 0 stopped cleanly, 64 usage, 78 config error, 70 start failed.\n");
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            config_path = optarg;
            break;
        case 'h':
            s_usage(stdout);
            return 0;
        default:
            s_usage(stderr);
            return 64;
        }
    }
    if (optind != argc || !config_path) {
        s_usage(stderr);
        return 64;
    }
    as_log_init("reception", AS_LOG_INFO);
    char *err = NULL;
    as_config_t *cfg = as_config_load(config_path, &err);
    if (!cfg) {
        as_error("%s", err ? err : "cannot load config");
        free(err);
        return 78;
    }
    int rc = 0;
    as_service_t *svc = as_service_new(&reception_def, cfg, &rc);
    if (!svc) {
        reception_cleanup();
        as_config_destroy(&cfg);
        return rc == AS_ECONFIG ? 78 : 70;
    }
    as_service_run(svc);
    as_service_destroy(&svc);
    reception_cleanup();
    as_config_destroy(&cfg);
    return 0;
}
