/* bench_util.h — what the benchmark programs share.
 *
 * Every benchmark process measures the same way, so that our runtime, the
 * JetStream peer and the ceilings can be read side by side:
 *   - the event: a "reception.ro.opened" RoChanged payload of ~200 bytes,
 *     built by bench_ro_payload() for ours and for the peer alike;
 *   - latency samples: one int32 per event (microseconds from publish to
 *     applied here), indexed by the event's sequence number (1-based), written
 *     raw to a file so that `asbench merge` can take, per event, the slowest of
 *     all consumers ("applied by all");
 *   - one JSON report per process (bench_report_write) with the same keys.
 */
#ifndef AS_BENCH_UTIL_H
#define AS_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "as/store.h"

/* Exit codes (sysexits.h), as every program of the project uses them. */
#define BENCH_EXIT_OK 0
#define BENCH_EXIT_INCOMPLETE 1 /* ran, but did not see every event it expected */
#define BENCH_EXIT_USAGE 64
#define BENCH_EXIT_UNAVAILABLE 69 /* a server did not answer */
#define BENCH_EXIT_SOFTWARE 70
#define BENCH_EXIT_IOERR 74
#define BENCH_EXIT_CONFIG 78

/* The event type every benchmark sends, and its domain's source. */
#define BENCH_EVENT_TYPE "reception.ro.opened"
#define BENCH_PAYLOAD_MAX 1024

/* Unix time in microseconds (CLOCK_REALTIME, like the envelope's time_us). */
int64_t bench_now_us(void);

/* Peak resident set of this process in KiB (getrusage ru_maxrss). */
long bench_peak_rss_kb(void);

/* Resident pages of this process that are file-backed now (LMDB's map), KiB. */
long bench_rss_file_kb(void);

/* Anonymous resident pages of this process now (heap, ZeroMQ's queues; not
 * LMDB's mapped file), KiB: RssAnon of /proc/self/status. */
long bench_rss_anon_kb(void);

/* Notes RssAnon for the peak below, at most once per 10 ms (cheap to call
 * after every batch). The kernel keeps no peak of it, so it is sampled. */
void bench_rss_anon_sample(void);

/* The highest RssAnon sampled so far, or now if higher, KiB. */
long bench_rss_anon_peak_kb(void);

/* CPU time this process used so far (all threads, user + system), in ms. */
int64_t bench_cpu_ms(void);

/* Packs the payload of RO number `number` (a RoChanged with one job and one
 * part line, ~200 bytes) into buf. Returns its length, 0 if cap is too small.
 * *subject and *actor (may be NULL) get the RO number and the advisor in
 * static storage, valid until the next call. */
size_t bench_ro_payload(uint64_t number, uint8_t *buf, size_t cap, const char **subject,
                        const char **actor);

/* Latency samples, one per sequence number 1..expect. */
typedef struct bench_samples bench_samples_t;

bench_samples_t *bench_samples_new(uint64_t expect);
void bench_samples_destroy(bench_samples_t **self_p);

/* Notes that event `seq` was applied `latency_us` after it was published.
 * Out-of-range sequence numbers are ignored; a second note of the same
 * sequence number keeps the first. */
void bench_samples_note(bench_samples_t *self, uint64_t seq, int64_t latency_us);

/* Events noted so far. */
uint64_t bench_samples_count(const bench_samples_t *self);

/* p50/p99/p99.9/max of what was noted (microseconds); all 0 when empty. */
typedef struct bench_percentiles {
    int64_t p50_us, p99_us, p999_us, max_us;
} bench_percentiles_t;
bench_percentiles_t bench_samples_percentiles(const bench_samples_t *self);

/* Writes the samples as raw little-endian int32 (index seq - 1; -1 when not
 * seen). Returns 0 or -errno. */
int bench_samples_write(const bench_samples_t *self, const char *path);

/* The file beside a consumer's latency samples (PREFIX.lat) that holds its
 * publish-to-received samples: PREFIX.rcv, written into out. Returns out, or
 * NULL when it does not fit. */
char *bench_received_path(const char *samples_path, char *out, size_t cap);

/* Writes a consumer's publish-to-applied samples to samples_path and its
 * publish-to-received ones beside it (bench_received_path). Returns 0 or
 * -errno. */
int bench_samples_write_consumer(const bench_samples_t *applied, const bench_samples_t *received,
                                 const char *samples_path);

/* Percentiles of a sorted copy of `values` (n of them; values < 0 skipped). */
bench_percentiles_t bench_percentiles_of(const int32_t *values, size_t n);

/* What one benchmark process reports (microsecond instants are Unix time). */
typedef struct bench_report {
    const char *role;         /* "sink", "source", "pub", ... */
    const char *name;         /* consumer / service name */
    uint64_t events;          /* events applied (or sent) */
    int64_t started_us;       /* the process started */
    int64_t first_event_us;   /* publish time of the first event applied */
    int64_t first_applied_us; /* the first event applied here */
    int64_t last_applied_us;  /* the last event applied here */
    uint64_t commits;         /* write transactions (fsyncs); 0: none */
    bench_percentiles_t lat;  /* publish to applied here */
    /* publish to received here: the event in the consumer's write
     * transaction, before its commit (all 0: not measured) */
    bench_percentiles_t received;
    long peak_rss_kb;
    int64_t cpu_ms;        /* user + system CPU time of the whole process */
    long rss_file_kb;      /* of the resident set at the end: file pages (LMDB) */
    long rss_anon_peak_kb; /* the highest anonymous resident set sampled (heap, queues) */
} bench_report_t;

/* Writes the report as JSON: every field above plus "seconds" and
 * "events_per_second" (events over last_applied - first_event). Returns 0 or
 * -errno. */
int bench_report_write(const bench_report_t *report, const char *path);

/* Parses a positive decimal count ("1000000", "1e6" is refused). Returns 0,
 * or -1 for anything else. */
int bench_parse_count(const char *text, uint64_t *out);

/* --- what every peer's programs share (redisbench, rmqbench, jsbench) ------ */

/* Packs event number `n` as our source would: the envelope (source `source`,
 * the given incarnation, seq n, type BENCH_EVENT_TYPE, time_us now) around
 * bench_ro_payload(n). Returns its length, 0 if cap is too small. */
size_t bench_pack_event(uint64_t n, const char *source, const char *incarnation, uint8_t *buf,
                        size_t cap);

/* The databases of a benchmark consumer's store ("events", "totals"). */
extern const char *const bench_sink_dbs[];

/* Inside a write transaction of a store opened with bench_sink_dbs: stores
 * `payload` under `seq` (8 bytes big-endian) and adds one to the running
 * total, as our consumer (asbench sink) does. Returns 0 or an LMDB error. */
int bench_store_event(as_store_t *store, MDB_txn *txn, uint64_t seq, const void *payload,
                      size_t len);

/* Parses option --name's value as a count for program `prog` (the prefix of
 * its message): a decimal number, > 0 when `positive`. Returns 0, or -1 after
 * saying what is wrong on stderr. */
int bench_count_arg(const char *prog, const char *name, const char *text, uint64_t *out,
                    bool positive);

/* Sleeps until the Unix time when_us (microseconds); returns at once when it
 * has passed. */
void bench_sleep_until(int64_t when_us);

/* --- the peers' publishers ----------------------------------------------------- */

/* How many more of `count` events a publisher that started at first_us and has
 * sent `sent` should send now: all the rest when rate is 0, else what rate/s
 * asks for by now (0: nothing is due yet). */
uint64_t bench_pub_due(uint64_t count, uint64_t rate, uint64_t sent, int64_t first_us);

/* Ends a publisher's report: `delivered` events, ending now, with this
 * process's peak RSS, CPU time and file pages; writes it to path (none when
 * NULL). Returns rc when it is not 0; else BENCH_EXIT_INCOMPLETE when
 * `refused` publishes failed, BENCH_EXIT_IOERR when the report could not be
 * written, or 0. */
int bench_pub_finish(bench_report_t *report, uint64_t delivered, uint64_t refused, int rc,
                     const char *path);

/* --- the peers' consumers ------------------------------------------------------ */

#define BENCH_IDLE_LIMIT_S 120 /* a sink that sees nothing this long gives up */

/* A peer's consumer: its store (opened with bench_sink_dbs), its offset (the
 * last seq committed, kept under offset_source), its latency samples and its
 * report. The program owns its client (connection, reader, acks); the sink
 * owns everything here. Its life: bench_sink_open, bench_sink_ready, then
 * until bench_sink_done: a batch from the client, bench_sink_commit, the ack,
 * bench_sink_note_applied (or bench_sink_idle when nothing came); then
 * bench_sink_finish and, after the client is closed, bench_sink_close. */

typedef struct bench_sink {
    const char *prog;          /* the prefix of its messages: "jsbench" */
    const char *offset_source; /* the offset's source in the store */
    as_store_t *store;
    bench_samples_t *samples;
    bench_report_t report;
    uint64_t expect;
    uint64_t applied_seq; /* the offset: the last seq committed */
    /* what the running transaction applied (filled by each run of it) */
    uint64_t *seqs;
    int64_t *times;
    bench_samples_t *received; /* publish to received (in the transaction) */
    size_t n, cap;
    uint64_t last_seq; /* the last seq the running transaction applied */
    int64_t idle_since;
} bench_sink_t;

/* Opens consumer `name`'s store in data_dir for `expect` events, room for
 * batches of `batch`, and reads its offset. Returns 0, BENCH_EXIT_IOERR (said
 * on stderr) or the store's error reading the offset; on an error the sink is
 * closed. */
int bench_sink_open(bench_sink_t *k, const char *prog, const char *name, const char *data_dir,
                    const char *offset_source, uint64_t expect, size_t batch);

/* Creates the empty file `path` (none when NULL), telling run.sh the consumer
 * is bound, and starts the idle clock. */
void bench_sink_ready(bench_sink_t *k, const char *path);

/* Every expected event was applied. */
bool bench_sink_done(const bench_sink_t *k);

/* A turn that brought nothing: returns BENCH_EXIT_INCOMPLETE (said on
 * stderr) when nothing came for BENCH_IDLE_LIMIT_S, else 0. */
int bench_sink_idle(bench_sink_t *k);

/* Applies one batch inside the transaction: for each event, calls
 * bench_sink_store or bench_sink_apply_envelope. Returns 0 or an error. */
typedef int bench_sink_apply_fn(bench_sink_t *k, MDB_txn *txn, void *arg);

/* Applies a batch of up to `count` events in one write transaction (fsync):
 * apply(), then the offset when anything was applied. Returns 0, or
 * BENCH_EXIT_IOERR (said on stderr). After 0, ack the batch, then call
 * bench_sink_note_applied. */
int bench_sink_commit(bench_sink_t *k, size_t count, bench_sink_apply_fn *apply, void *arg);

/* Inside apply: stores event `seq` (payload published at time_us), which is
 * past the offset (seq > k->last_seq). Returns 0 or an LMDB error. */
int bench_sink_store(bench_sink_t *k, MDB_txn *txn, uint64_t seq, const void *payload, size_t len,
                     int64_t time_us);

/* Inside apply: decodes an envelope and stores it under its seq, unless the
 * offset says it is committed (a redelivery: skipped). Returns 0 or an
 * error. */
int bench_sink_apply_envelope(bench_sink_t *k, MDB_txn *txn, const void *bytes, size_t len);

/* After a commit (and its ack): moves the offset and notes each applied
 * event's publish-to-applied latency. */
void bench_sink_note_applied(bench_sink_t *k);

/* Completes the report and writes it and the samples (none when
 * samples_path is NULL), unless nothing was applied after an error. Returns
 * rc, or BENCH_EXIT_IOERR (said on stderr) when rc was 0 and a write failed. */
int bench_sink_finish(bench_sink_t *k, int rc, const char *report_path, const char *samples_path);

/* Closes the store and frees what the sink holds. */
void bench_sink_close(bench_sink_t *k);

/* --- the peers' command line ---------------------------------------------------- */

/* PROG setup|pub|sink, with: --url URL or --port P (the server), --consumers
 * NAME,NAME... (setup), the consumer's name (sink; the option is the
 * program's own: --durable, --group, --queue), --data DIR, --count N or
 * --expect N, --rate R, --batch B (default 5000, at most 1,000,000),
 * --max-pending N (default 20000), --max-ack-pending N (jsbench: 50000),
 * --report FILE, --samples FILE, --ready FILE, --help; each option's short
 * form too. */
typedef struct bench_peer_args {
    const char *url; /* with --url */
    int port;        /* with --port */
    const char *consumers;
    const char *consumer; /* the sink's durable / group / queue */
    const char *data_dir;
    const char *report_path;
    const char *samples_path;
    const char *ready_path;
    uint64_t count;
    uint64_t rate;
    uint64_t batch;
    uint64_t max_pending;
    uint64_t max_ack_pending;
} bench_peer_args_t;

/* What makes one program's command line its own. */
typedef struct bench_peer_cli {
    const char *prog;            /* "redisbench": the prefix of its messages */
    const char *consumer_option; /* "group": --group NAME */
    char consumer_short;         /* 'G': -G NAME */
    bool url;                    /* the server is --url URL, else --port P */
    bool max_ack_pending;        /* takes --max-ack-pending N */
    void (*usage)(FILE *out);    /* the usage text */
    /* the modes: each returns the program's exit code */
    int (*setup)(const bench_peer_args_t *a);
    int (*pub)(const bench_peer_args_t *a);
    int (*sink)(const bench_peer_args_t *a);
} bench_peer_cli_t;

/* Parses the command line (--version first, as every program does) and runs
 * the mode it names: returns what cli's setup, pub or sink returned, 0 after
 * --version or --help (on stdout), BENCH_EXIT_USAGE after the usage on
 * stderr. */
int bench_peer_main(const bench_peer_cli_t *cli, int argc, char **argv);

/* A benchmark program's fatal error: "PROG: message" on stderr (PROG is
 * bench_prog, which main sets to the program's name), then exit(code). */
extern const char *bench_prog;
void bench_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* realloc that dies (BENCH_EXIT_SOFTWARE) when memory runs out; a size of 0
 * asks for 1 byte. */
void *bench_xrealloc(void *p, size_t n);

#endif
