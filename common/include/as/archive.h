/* archive.h — a service's outbox entries in a file the operator keeps.
 *
 * The outbox is the audit trail and every consumer's replay source; it is
 * never pruned (README, "How big the stores grow"). An archive copies its
 * oldest entries, those from the first seq on up to the last one made
 * before a given time, into one file that can be checked on its own.
 * Nothing is removed from the store: see the README for why.
 *
 * The file (format 1), every number big-endian:
 *   "ASOUTBOX1\n"                       magic, 10 bytes
 *   for each entry, in seq order:
 *     u32 length (1..AS_ARCHIVE_MAX_ENTRY)
 *     the packed Envelope, byte for byte as the outbox keeps it and a
 *     replay answer carries it
 *   u32 0                               end of the entries
 *   one line of JSON, the summary:
 *     {"format":1,"source":"parts@site","incarnation":"0190...",
 *      "events":902,"first_seq":1,"last_seq":902,"first_us":...,
 *      "last_us":...,"before_us":...,"blake2b":"<64 hex digits>"}
 *   where blake2b is BLAKE2b-256 (libsodium crypto_generichash) of every
 *   byte before the summary line. An archive of no entries has seqs and
 *   times 0.
 * The entries' seqs follow each other without a gap, all of one source.
 */
#ifndef AS_ARCHIVE_H
#define AS_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "as/envelope.h"
#include "as/store.h"

#define AS_ARCHIVE_MAGIC "ASOUTBOX1\n"
#define AS_ARCHIVE_MAX_ENTRY (16u << 20) /* bytes in one entry */

/* What an archive holds (its summary line). */
typedef struct as_archive_summary {
    char source[AS_NAME_MAX + 1];
    char incarnation[AS_INCARNATION_LEN + 1]; /* the store's, when archived */
    uint64_t events;
    uint64_t first_seq, last_seq; /* 0 when no entry */
    int64_t first_us, last_us;    /* the first and last entries' time_us */
    int64_t before_us;            /* the entries were made before this */
    char digest[65];              /* BLAKE2b-256 in hex */
} as_archive_summary_t;

/* Writes into the new file `path` (mode 0600: events hold customer data)
 * the outbox entries of the store in `data_dir` from its first seq up to the
 * last one made before `before_us` (it stops at the first entry made at or
 * after it), reading the store as a hot backup does (the daemon may run).
 * The file appears whole or not at all (written as PATH.partial, synced,
 * then linked to PATH). Fills *sum. Returns 0; AS_EEXISTS when `path` or
 * PATH.partial exists (nothing is overwritten); AS_EBADFRAME when an entry
 * does not decode; AS_EDAMAGED when the store is damaged; -errno or an
 * LMDB code; with a sentence for people in `why` on failure. */
int as_archive_write(const char *data_dir, int64_t before_us, const char *path,
                     as_archive_summary_t *sum, char *why, size_t cap);

/* Reads the archive `path` through, checking the magic, each entry (it
 * decodes as an Envelope of one source, seqs without a gap), the end mark
 * and the summary against what was read, digest included. Fills *sum from
 * what was read. Returns 0; AS_EDAMAGED with a sentence in `why` naming what
 * does not match (a file cut short, a changed byte, a summary that does not
 * agree); -errno when it cannot be read. */
int as_archive_verify(const char *path, as_archive_summary_t *sum, char *why, size_t cap);

#endif
