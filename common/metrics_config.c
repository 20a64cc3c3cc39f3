/* metrics_config.c — the config of a daemon's /metrics listener: its
 * address and its bearer token file. See include/as/metrics_config.h. */
#include "as/metrics_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uv.h>

#include "as/error.h"

int as_metrics_listen_parse(const char *listen, char *host, size_t cap, int *port, char *why,
                            size_t why_cap)
{
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    const char *h = listen, *h_end = colon;
    if (listen && listen[0] == '[') { /* [v6]:port */
        const char *close = strchr(listen, ']');
        h = listen + 1;
        h_end = close;
        if (!close || close[1] != ':')
            colon = NULL;
    }
    char *end = NULL;
    long p = colon ? strtol(colon + 1, &end, 10) : 0;
    size_t hlen = colon && h_end ? (size_t)(h_end - h) : 0;
    if (!colon || !end || *end || colon[1] == '\0' || p < 1 || p > 65535 || hlen == 0 ||
        hlen >= cap || hlen >= 64) {
        snprintf(why, why_cap,
                 "metrics_listen '%s' is not host:port (e.g. 127.0.0.1:9101, a port 1-65535)",
                 listen ? listen : "");
        return AS_ECONFIG;
    }
    memcpy(host, h, hlen);
    host[hlen] = 0;
    struct sockaddr_storage addr;
    const char *ip = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
    if ((listen[0] == '[' ? uv_ip6_addr(ip, (int)p, (struct sockaddr_in6 *)&addr)
                          : uv_ip4_addr(ip, (int)p, (struct sockaddr_in *)&addr)) != 0) {
        snprintf(why, why_cap,
                 "metrics_listen '%s': '%s' is not an IP address (127.0.0.1, localhost or "
                 "[::1])",
                 listen, host);
        return AS_ECONFIG;
    }
    *port = (int)p;
    return 0;
}

bool as_metrics_host_is_loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
           strncmp(host, "127.", 4) == 0;
}

int as_metrics_token_read(const char *path, char *token, size_t cap, char *why, size_t why_cap)
{
    FILE *f = fopen(path, "r");
    struct stat st;
    if (!f) {
        snprintf(why, why_cap, "metrics_token_file '%s' cannot be read: %s", path, strerror(errno));
        return AS_ECONFIG;
    }
    if (fstat(fileno(f), &st) != 0 || (st.st_mode & 077) != 0) {
        fclose(f);
        snprintf(why, why_cap,
                 "metrics_token_file '%s' may be read by others (mode %03o): chmod 600 it", path,
                 (unsigned)(st.st_mode & 0777));
        return AS_ECONFIG;
    }
    char line[AS_METRICS_TOKEN_MAX + 3] = "";
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    size_t len = got ? strcspn(line, "\r\n") : 0;
    line[len] = '\0';
    bool printable = true;
    for (size_t i = 0; i < len; i++)
        printable = printable && isgraph((unsigned char)line[i]);
    if (len < AS_METRICS_TOKEN_MIN || len > AS_METRICS_TOKEN_MAX || !printable || len >= cap) {
        snprintf(why, why_cap,
                 "metrics_token_file '%s': its first line must be the token, %d to %d printable "
                 "characters without spaces",
                 path, AS_METRICS_TOKEN_MIN, AS_METRICS_TOKEN_MAX);
        return AS_ECONFIG;
    }
    memcpy(token, line, len + 1);
    return 0;
}

int as_metrics_config_check(as_config_t *cfg, const char *section, char *why, size_t why_cap)
{
    const char *listen = as_config_get(cfg, section, "metrics_listen", "");
    const char *token_file = as_config_get(cfg, section, "metrics_token_file", "");
    char host[64];
    int port;
    if (!*listen)
        return 0;
    if (as_metrics_listen_parse(listen, host, sizeof host, &port, why, why_cap) != 0)
        return AS_ECONFIG;
    if (!*token_file && !as_metrics_host_is_loopback(host)) {
        snprintf(why, why_cap,
                 "metrics_listen '%s' can be reached from other machines: set [%s] "
                 "metrics_token_file (a file with the token the scraper sends as "
                 "\"Authorization: Bearer\") or listen on 127.0.0.1",
                 listen, section);
        return AS_ECONFIG;
    }
    return 0;
}
