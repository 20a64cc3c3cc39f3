/* yeargen.h — what yeargen's files share: one source's outbox being
 * written, the generator's scale and where it is, and the day's events
 * (yeargen_events.c).
 *
 * The generator owns its stores and publishers (yeargen.c opens and closes
 * them); yeargen_events.c only emits into the transaction it is given. */
#ifndef YEARGEN_H
#define YEARGEN_H

#include <lmdb.h>
#include <stdbool.h>
#include <stdint.h>

#include "as/calendar.h"
#include "as/pub.h"
#include "as/store.h"

/* The generator's version: part of run.sh's cache key. Bump it whenever what
 * is generated changes. */
#define YEARGEN_VERSION 2

#define YG_N_TECHS 10
#define YG_PAYLOAD_MAX 8192

/* One source's outbox: its store, its publisher (no socket: the outbox only). */
typedef struct yg_src {
    as_store_t *store;
    as_pub_t *pub;
    char source[64];
    uint64_t events;
} yg_src_t;

typedef struct yg_gen {
    unsigned sites, days, ros, days_per_txn;
    char first_day[AS_DATE_LEN + 1];
    char site[32];
    unsigned site_no;
    yg_src_t rec, ws, parts;
    /* what the transaction being written covers */
    unsigned day0, day1;
    uint8_t buf[YG_PAYLOAD_MAX];
} yg_gen_t;

/* The n-th working day (Monday to Friday) from g->first_day, and its local midnight. */
void yg_day(const yg_gen_t *g, unsigned n, char out[AS_DATE_LEN + 1], int64_t *midnight_us);

/* Emits into txn the events of day `day` (0 = the first) that `src` (one of
 * g->rec, g->ws, g->parts) writes: on day 0 first the site's setup
 * (technicians, bays, the parts catalogue), then the day's own events
 * (shifts, the clerk's calls, the morning delivery), then each RO's. Returns
 * 0 or as_pub_emit's code (MDB_MAP_FULL: the transaction is run again). */
int yg_write_day(yg_gen_t *g, MDB_txn *txn, yg_src_t *src, unsigned day);

#endif
