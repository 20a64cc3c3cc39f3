/* rmqbench — a durable peer: the same benchmark work on RabbitMQ quorum queues.
 *
 *   rmqbench setup --port P --consumers NAME,NAME...
 *   rmqbench pub   --port P --count N [--rate R] [--max-pending N] [--report FILE]
 *   rmqbench sink  --port P --queue NAME --data DIR --expect N --report FILE
 *                  [--samples FILE] [--batch B] [--ready FILE]
 *
 * setup (re)creates the fanout exchange "ro" and one durable quorum queue per
 * name bound to it: every consumer's queue gets every event (fan-out), and
 * the server keeps what each consumer has not acknowledged. Quorum queues
 * rather than a stream: a quorum queue confirms a publish only after its Raft
 * log entry is fsynced, and tracks each consumer's acks on the server (a
 * stream, over AMQP 0.9.1, neither fsyncs before confirming nor keeps a
 * consumer's position). See tools/bench/RESULTS.md.
 *
 * pub sends N "reception.ro.opened" events, each the same packed envelope
 * (the same ~200-byte payload) our source sends, as persistent messages to
 * the exchange on a channel in confirm mode, asynchronously: it keeps
 * publishing while at most --max-pending are unconfirmed and reads the
 * broker's (multiple) acks as they come, paced like ours (what is due every
 * 5 ms; R = 0: as fast as the confirms allow), then waits for every confirm.
 *
 * sink consumes its queue with manual acks and a prefetch of two batches (the
 * broker keeps sending the next batch while one commits, as our consumer's
 * ZeroMQ I/O thread keeps receiving), takes what has arrived (up to B) as a
 * batch, applies it into an LMDB store exactly like our consumer does,
 * through the same store module: one record per event (its payload under the
 * envelope's seq) plus a running total, and that seq as the offset, in one
 * write transaction (fsync on); it acks the batch (multiple) after the
 * commit, skips what the offset says it applied (a redelivery), and notes
 * publish-to-applied latency after each commit.
 */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "as/envelope.h"
#include "as/error.h"
#include "as/store.h"
#include "bench_util.h"

#define S_EXCHANGE "ro"
#define S_SOURCE "reception@bench"
#define S_CHANNEL 1
#define S_TICK_US 5000

typedef bench_peer_args_t s_args_t;

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: rmqbench setup --port P --consumers NAME,NAME...\n"
            "       rmqbench pub --port P --count N [--rate R] [--max-pending N] [--report FILE]\n"
            "       rmqbench sink --port P --queue NAME --data DIR --expect N --report FILE\n"
            "                     [--samples FILE] [--batch B] [--ready FILE]\n"
            "\n"
            "  setup  (re)creates fanout exchange ro and a durable quorum queue per NAME\n"
            "         bound to it (each queue gets every event)\n"
            "  pub    publishes N reception.ro.opened envelopes (~200-byte payload, the same\n"
            "         bytes our source sends), persistent, with publisher confirms (at most\n"
            "         --max-pending unconfirmed: 20000), at R/s (0: as fast as the confirms\n"
            "         allow), waits for every confirm and writes a JSON report\n"
            "  sink   consumes queue NAME (manual ack, prefetch 2 B), applies what arrived (at\n"
            "         most B a batch, default 5000) into an LMDB store in DIR in one\n"
            "         transaction (record + total + offset, fsync on), acks after the\n"
            "         commit; after N events writes a JSON report and the latency samples\n"
            "rabbitmq-server is on 127.0.0.1:P (user guest).\n"
            "\n"
            "Exit codes: 0 done, 1 gave up before every event was applied (or the broker\n"
            "refused a publish), 64 usage, 69 the server did not answer, 70 internal error,\n"
            "74 I/O error.\n");
}

/* Fails with what the broker or the library said about `what`. */
static int s_reply_fail(amqp_rpc_reply_t r, const char *what)
{
    if (r.reply_type == AMQP_RESPONSE_NORMAL)
        return 0;
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
        fprintf(stderr, "rmqbench: %s: %s\n", what, amqp_error_string2(r.library_error));
        return BENCH_EXIT_UNAVAILABLE;
    }
    if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
        (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD || r.reply.id == AMQP_CONNECTION_CLOSE_METHOD)) {
        /* both close methods start with reply_code, reply_text */
        amqp_channel_close_t *m = r.reply.decoded;
        fprintf(stderr, "rmqbench: %s: %u %.*s\n", what, m->reply_code, (int)m->reply_text.len,
                (const char *)m->reply_text.bytes);
    } else {
        fprintf(stderr, "rmqbench: %s: the broker refused\n", what);
    }
    return BENCH_EXIT_SOFTWARE;
}

static amqp_connection_state_t s_connect(int port)
{
    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *sock = conn ? amqp_tcp_socket_new(conn) : NULL;
    if (!sock) {
        fprintf(stderr, "rmqbench: out of memory\n");
        if (conn)
            amqp_destroy_connection(conn);
        return NULL;
    }
    struct timeval timeout = {30, 0};
    int status = amqp_socket_open_noblock(sock, "127.0.0.1", port, &timeout);
    if (status != AMQP_STATUS_OK) {
        fprintf(stderr, "rmqbench: cannot connect to 127.0.0.1:%d: %s\n", port,
                amqp_error_string2(status));
        amqp_destroy_connection(conn);
        return NULL;
    }
    if (s_reply_fail(amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"),
                     "login") != 0 ||
        (amqp_channel_open(conn, S_CHANNEL), s_reply_fail(amqp_get_rpc_reply(conn), "channel"))) {
        amqp_destroy_connection(conn);
        return NULL;
    }
    return conn;
}

static void s_disconnect(amqp_connection_state_t conn)
{
    if (!conn)
        return;
    amqp_channel_close(conn, S_CHANNEL, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
}

/* --- setup ------------------------------------------------------------------- */

static int s_setup(const s_args_t *a)
{
    amqp_connection_state_t conn = s_connect(a->port);
    if (!conn)
        return BENCH_EXIT_UNAVAILABLE;
    amqp_exchange_delete(conn, S_CHANNEL, amqp_cstring_bytes(S_EXCHANGE), 0);
    int rc = s_reply_fail(amqp_get_rpc_reply(conn), "exchange.delete");
    if (rc == 0) {
        amqp_exchange_declare(conn, S_CHANNEL, amqp_cstring_bytes(S_EXCHANGE),
                              amqp_cstring_bytes("fanout"), 0, 1, 0, 0, amqp_empty_table);
        rc = s_reply_fail(amqp_get_rpc_reply(conn), "exchange.declare");
    }
    amqp_table_entry_t quorum = {
        .key = amqp_cstring_bytes("x-queue-type"),
        .value = {.kind = AMQP_FIELD_KIND_UTF8, .value = {.bytes = amqp_cstring_bytes("quorum")}}};
    amqp_table_t args = {1, &quorum};
    char *names = strdup(a->consumers);
    if (!names)
        rc = BENCH_EXIT_SOFTWARE;
    for (char *save = NULL, *name = rc == 0 ? strtok_r(names, ",", &save) : NULL; name && rc == 0;
         name = strtok_r(NULL, ",", &save)) {
        amqp_queue_delete(conn, S_CHANNEL, amqp_cstring_bytes(name), 0, 0);
        rc = s_reply_fail(amqp_get_rpc_reply(conn), "queue.delete");
        if (rc == 0) {
            amqp_queue_declare(conn, S_CHANNEL, amqp_cstring_bytes(name), 0, 1, 0, 0, args);
            rc = s_reply_fail(amqp_get_rpc_reply(conn), "queue.declare (quorum)");
        }
        if (rc == 0) {
            amqp_queue_bind(conn, S_CHANNEL, amqp_cstring_bytes(name),
                            amqp_cstring_bytes(S_EXCHANGE), amqp_empty_bytes, amqp_empty_table);
            rc = s_reply_fail(amqp_get_rpc_reply(conn), "queue.bind");
        }
    }
    free(names);
    s_disconnect(conn);
    return rc;
}

/* --- pub --------------------------------------------------------------------- */

typedef struct {
    uint8_t *confirmed; /* by delivery tag - 1 */
    uint64_t count;     /* tags confirmed */
    uint64_t low;       /* every tag up to this one is confirmed */
    uint64_t nacked;
} s_confirms_t;

static void s_confirm(s_confirms_t *c, uint64_t tag, bool multiple, bool nack, uint64_t sent)
{
    if (tag == 0 || tag > sent)
        return;
    uint64_t from = multiple ? c->low + 1 : tag;
    for (uint64_t t = from; t <= tag; t++) {
        if (c->confirmed[t - 1])
            continue;
        c->confirmed[t - 1] = 1;
        c->count++;
        if (nack && c->nacked++ < 5)
            fprintf(stderr, "rmqbench: the broker refused publish %llu\n", (unsigned long long)t);
    }
    while (c->low < sent && c->confirmed[c->low])
        c->low++;
}

/* Reads the confirms that have come (waiting up to wait_us for the first).
 * Returns 0, or an exit code. */
static int s_read_confirms(amqp_connection_state_t conn, s_confirms_t *c, uint64_t sent,
                           int64_t wait_us)
{
    struct timeval tv = {(time_t)(wait_us / 1000000), (suseconds_t)(wait_us % 1000000)};
    for (;;) {
        amqp_frame_t frame;
        int status = amqp_simple_wait_frame_noblock(conn, &frame, &tv);
        if (status == AMQP_STATUS_TIMEOUT)
            return 0;
        if (status != AMQP_STATUS_OK) {
            fprintf(stderr, "rmqbench: waiting for confirms: %s\n", amqp_error_string2(status));
            return BENCH_EXIT_UNAVAILABLE;
        }
        tv.tv_sec = tv.tv_usec = 0; /* the rest: what is there already */
        if (frame.frame_type != AMQP_FRAME_METHOD)
            continue;
        if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
            amqp_basic_ack_t *ack = frame.payload.method.decoded;
            s_confirm(c, ack->delivery_tag, ack->multiple, false, sent);
        } else if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
            amqp_basic_nack_t *nack = frame.payload.method.decoded;
            s_confirm(c, nack->delivery_tag, nack->multiple, true, sent);
        } else if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
                   frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
            amqp_rpc_reply_t r = {.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION,
                                  .reply = frame.payload.method};
            return s_reply_fail(r, "publish");
        }
    }
}

static int s_pub(const s_args_t *a)
{
    s_confirms_t confirms = {.confirmed = calloc(a->count, 1)};
    amqp_connection_state_t conn = confirms.confirmed ? s_connect(a->port) : NULL;
    if (!conn) {
        free(confirms.confirmed);
        return BENCH_EXIT_UNAVAILABLE;
    }
    amqp_confirm_select(conn, S_CHANNEL);
    int rc = s_reply_fail(amqp_get_rpc_reply(conn), "confirm.select");
    char incarnation[AS_UUID_LEN + 1];
    as_uuidv7(incarnation);
    bench_report_t report = {.role = "pub", .name = "rabbitmq", .started_us = bench_now_us()};
    uint8_t buf[2 * BENCH_PAYLOAD_MAX];
    amqp_basic_properties_t props = {._flags = AMQP_BASIC_DELIVERY_MODE_FLAG,
                                     .delivery_mode = AMQP_DELIVERY_PERSISTENT};
    uint64_t sent = 0;
    int64_t first = bench_now_us();
    report.first_event_us = report.first_applied_us = first;
    while (sent < a->count && rc == 0) {
        uint64_t want = bench_pub_due(a->count, a->rate, sent, first);
        if (want == 0) {
            /* the confirms that come until the next tick are the wait */
            int64_t wait = S_TICK_US - (bench_now_us() - first) % S_TICK_US;
            rc = s_read_confirms(conn, &confirms, sent, wait);
            continue;
        }
        uint64_t room = a->max_pending - (sent - confirms.count);
        if (want > room)
            want = room;
        if (want > 1000)
            want = 1000; /* then read what confirms came */
        for (uint64_t i = 0; i < want && rc == 0; i++) {
            size_t len = bench_pack_event(sent + 1, S_SOURCE, incarnation, buf, sizeof buf);
            int status =
                amqp_basic_publish(conn, S_CHANNEL, amqp_cstring_bytes(S_EXCHANGE),
                                   amqp_empty_bytes, 0, 0, &props, (amqp_bytes_t){len, buf});
            if (status != AMQP_STATUS_OK) {
                fprintf(stderr, "rmqbench: publish: %s\n", amqp_error_string2(status));
                rc = BENCH_EXIT_UNAVAILABLE;
            } else {
                sent++;
            }
        }
        if (rc == 0) /* a full window waits for a confirm; else only what came */
            rc = s_read_confirms(conn, &confirms, sent,
                                 sent - confirms.count >= a->max_pending ? 30000000 : 0);
    }
    int64_t deadline = bench_now_us() + 120 * 1000000LL;
    while (rc == 0 && confirms.count < sent && bench_now_us() < deadline)
        rc = s_read_confirms(conn, &confirms, sent, 1000000);
    if (rc == 0 && confirms.count < sent) {
        fprintf(stderr, "rmqbench: %llu publishes never confirmed\n",
                (unsigned long long)(sent - confirms.count));
        rc = BENCH_EXIT_INCOMPLETE;
    }
    rc = bench_pub_finish(&report, confirms.count - confirms.nacked, confirms.nacked, rc,
                          a->report_path);
    s_disconnect(conn);
    free(confirms.confirmed);
    return rc;
}

/* --- sink -------------------------------------------------------------------- */

/* What arrived, applied in one transaction. */
typedef struct {
    amqp_envelope_t *deliveries;
    size_t n;
} s_batch_t;

/* Applies a batch of deliveries, each under its envelope's seq. */
static int s_apply_deliveries(bench_sink_t *k, MDB_txn *txn, void *arg)
{
    const s_batch_t *b = arg;
    for (size_t i = 0; i < b->n; i++) {
        amqp_bytes_t body = b->deliveries[i].message.body;
        int rc = bench_sink_apply_envelope(k, txn, body.bytes, body.len);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Takes what has arrived into b (up to max): waits up to a second for
 * the first delivery, then only takes what is there. Returns 0, or an exit
 * code. */
static int s_receive(amqp_connection_state_t conn, s_batch_t *b, size_t max)
{
    b->n = 0;
    struct timeval wait = {1, 0}, none = {0, 0};
    while (b->n < max) {
        amqp_maybe_release_buffers(conn);
        amqp_rpc_reply_t r =
            amqp_consume_message(conn, &b->deliveries[b->n], b->n ? &none : &wait, 0);
        if (r.reply_type == AMQP_RESPONSE_NORMAL) {
            b->n++;
            continue;
        }
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_TIMEOUT)
            return 0;
        return s_reply_fail(r, "consume");
    }
    return 0;
}

static void s_release(s_batch_t *b)
{
    for (size_t i = 0; i < b->n; i++)
        amqp_destroy_envelope(&b->deliveries[i]);
    b->n = 0;
}

static int s_sink(const s_args_t *a)
{
    bench_sink_t k;
    int rc =
        bench_sink_open(&k, "rmqbench", a->consumer, a->data_dir, S_SOURCE, a->count, a->batch);
    if (rc != 0)
        return rc;
    s_batch_t batch = {.deliveries = calloc(a->batch, sizeof *batch.deliveries)};
    if (!batch.deliveries) {
        fprintf(stderr, "rmqbench: cannot open the store in %s: out of memory\n", a->data_dir);
        bench_sink_close(&k);
        return BENCH_EXIT_IOERR;
    }
    amqp_connection_state_t conn = s_connect(a->port);
    if (!conn)
        rc = BENCH_EXIT_UNAVAILABLE;
    if (rc == 0) {
        /* two batches unacknowledged: the next arrives while one commits */
        uint64_t prefetch = 2 * a->batch > 65535 ? 65535 : 2 * a->batch;
        amqp_basic_qos(conn, S_CHANNEL, 0, (uint16_t)prefetch, 0);
        rc = s_reply_fail(amqp_get_rpc_reply(conn), "basic.qos");
    }
    if (rc == 0) {
        amqp_basic_consume(conn, S_CHANNEL, amqp_cstring_bytes(a->consumer), amqp_empty_bytes, 0, 0,
                           0, amqp_empty_table);
        rc = s_reply_fail(amqp_get_rpc_reply(conn), "basic.consume");
    }
    bench_sink_ready(&k, rc == 0 ? a->ready_path : NULL);
    while (rc == 0 && !bench_sink_done(&k)) {
        rc = s_receive(conn, &batch, a->batch);
        if (rc != 0)
            break;
        if (batch.n == 0) {
            rc = bench_sink_idle(&k);
            continue;
        }
        rc = bench_sink_commit(&k, batch.n, s_apply_deliveries, &batch);
        if (rc == 0) {
            /* after the commit: the batch's last delivery and all before it */
            int status =
                amqp_basic_ack(conn, S_CHANNEL, batch.deliveries[batch.n - 1].delivery_tag, 1);
            if (status != AMQP_STATUS_OK) {
                fprintf(stderr, "rmqbench: ack: %s\n", amqp_error_string2(status));
                rc = BENCH_EXIT_UNAVAILABLE;
            }
            bench_sink_note_applied(&k);
        }
        s_release(&batch);
    }
    s_release(&batch);
    rc = bench_sink_finish(&k, rc, a->report_path, a->samples_path);
    s_disconnect(conn); /* the last ack leaves before the close */
    bench_sink_close(&k);
    free(batch.deliveries);
    return rc;
}

/* --- main -------------------------------------------------------------------- */

static const bench_peer_cli_t s_cli = {
    .prog = "rmqbench",
    .consumer_option = "queue",
    .consumer_short = 'Q',
    .url = false,
    .max_ack_pending = false,
    .usage = s_usage,
    .setup = s_setup,
    .pub = s_pub,
    .sink = s_sink,
};

int main(int argc, char **argv)
{
    return bench_peer_main(&s_cli, argc, argv);
}
