/* asdemo — the smallest real service pair, on the same runtime as every daemon.
 *
 *   asdemo source  service "demo": emits "demo.tick.emitted" events on command
 *   asdemo sink    service "sink": applies every demo event into an exact count
 *                  and sum, so a test can check that nothing was lost or doubled
 *
 * The README's run command uses them until the dealership's daemons exist, and
 * the bus's fault tests (kill -9, restarts, slow consumers) drive them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "as/version.h"
#include "as/error.h"
#include "as/config_schema.h"
#include "as/log.h"
#include "as/pb/demo.pb-c.h"
#include "as/service.h"

#define TICK_MS 5
#define MAX_PER_TURN 5000

/* --- source --------------------------------------------------------------- */

static const char *const source_dbs[] = {"state", NULL};

typedef struct {
    uv_timer_t timer;
    as_service_t *svc;
    double quota;          /* events allowed but not yet emitted (rate limiting) */
    uint64_t last_tick_ms; /* loop time of the last tick that emitted at a rate */
    size_t padding;
} source_t;

static source_t source_ctx;

static int s_state_get(as_service_t *svc, MDB_txn *txn, As__DemoSourceState **state)
{
    MDB_dbi dbi = as_store_dbi(as_service_store(svc), "state");
    int rc = as_store_get_msg(txn, dbi, "state", 5, &as__demo_source_state__descriptor,
                              (ProtobufCMessage **)state);
    if (rc == MDB_NOTFOUND) {
        *state = calloc(1, sizeof **state);
        if (!*state)
            return -ENOMEM;
        as__demo_source_state__init(*state);
        return 0;
    }
    return rc;
}

static int s_state_put(as_service_t *svc, MDB_txn *txn, As__DemoSourceState *state)
{
    MDB_dbi dbi = as_store_dbi(as_service_store(svc), "state");
    state->has_emitted = state->has_target = state->has_rate = 1;
    return as_store_put_msg(txn, dbi, "state", 5, &state->base);
}

static int s_emit_tick(as_service_t *svc, MDB_txn *txn, uint64_t number, int64_t value,
                       const char *actor, const char *causation)
{
    static uint8_t pad[4096];
    As__DemoTick tick = AS__DEMO_TICK__INIT;
    tick.has_number = tick.has_value = 1;
    tick.number = number;
    tick.value = value;
    if (source_ctx.padding) {
        tick.has_padding = 1;
        tick.padding.data = pad;
        tick.padding.len = source_ctx.padding;
    }
    uint8_t buf[4352];
    size_t len = as__demo_tick__pack(&tick, buf);
    char subject[32];
    snprintf(subject, sizeof subject, "tick-%llu", (unsigned long long)number);
    as_event_t ev = {.type = "demo.tick.emitted",
                     .subject = subject,
                     .actor = actor,
                     .causation_id = causation,
                     .payload = buf,
                     .payload_len = len};
    return as_service_emit(svc, txn, &ev);
}

static int cmd_generate(as_cmd_t *cmd)
{
    As__DemoGenerate *req = as__demo_generate__unpack(NULL, cmd->payload_len, cmd->payload);
    if (!req)
        return as_cmd_fail(cmd, AS_EBADFRAME, "payload is not a DemoGenerate message");
    int rc = 0;
    if (!req->has_count || req->count == 0 || req->count > 100000000) {
        rc = as_cmd_fail(cmd, AS_EINVALID, "count must be between 1 and 100000000");
        goto out;
    }
    As__DemoSourceState *state;
    if ((rc = s_state_get(cmd->svc, cmd->txn, &state)) != 0)
        goto out;
    state->target = (state->emitted > state->target ? state->emitted : state->target) + req->count;
    state->rate = req->has_rate ? req->rate : 0;
    rc = s_state_put(cmd->svc, cmd->txn, state);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &state->base);
    as__demo_source_state__free_unpacked(state, NULL);
out:
    as__demo_generate__free_unpacked(req, NULL);
    return rc;
}

static int cmd_add(as_cmd_t *cmd)
{
    As__DemoAdd *req = as__demo_add__unpack(NULL, cmd->payload_len, cmd->payload);
    if (!req)
        return as_cmd_fail(cmd, AS_EBADFRAME, "payload is not a DemoAdd message");
    int rc = 0;
    if (!req->has_value) {
        rc = as_cmd_fail(cmd, AS_EINVALID, "value is required");
        goto out;
    }
    As__DemoSourceState *state;
    if ((rc = s_state_get(cmd->svc, cmd->txn, &state)) != 0)
        goto out;
    state->emitted++;
    if (state->target < state->emitted)
        state->target = state->emitted;
    rc = s_emit_tick(cmd->svc, cmd->txn, state->emitted, req->value, cmd->actor, cmd->request_id);
    if (rc == 0)
        rc = s_state_put(cmd->svc, cmd->txn, state);
    if (rc == 0)
        rc = as_cmd_reply(cmd, &state->base);
    as__demo_source_state__free_unpacked(state, NULL);
out:
    as__demo_add__free_unpacked(req, NULL);
    return rc;
}

static int cmd_state(as_cmd_t *cmd)
{
    As__DemoSourceState *state;
    int rc = s_state_get(cmd->svc, cmd->txn, &state);
    if (rc != 0)
        return rc;
    state->has_emitted = state->has_target = state->has_rate = 1;
    rc = as_cmd_reply(cmd, &state->base);
    as__demo_source_state__free_unpacked(state, NULL);
    return rc;
}

/* Emits the next slice of a generate command: one transaction per turn. */
static int s_generate_txn(as_service_t *svc, MDB_txn *txn, void *arg)
{
    uint64_t *emitted_now = arg;
    *emitted_now = 0;
    As__DemoSourceState *state;
    int rc = s_state_get(svc, txn, &state);
    if (rc != 0)
        return rc;
    uint64_t want = state->target > state->emitted ? state->target - state->emitted : 0;
    if (want > MAX_PER_TURN)
        want = MAX_PER_TURN;
    if (state->rate && want > (uint64_t)source_ctx.quota)
        want = (uint64_t)source_ctx.quota;
    for (uint64_t i = 0; i < want && rc == 0; i++) {
        state->emitted++;
        rc = s_emit_tick(svc, txn, state->emitted, (int64_t)state->emitted, "demo-generator", NULL);
    }
    if (rc == 0 && want > 0)
        rc = s_state_put(svc, txn, state);
    if (rc == 0)
        *emitted_now = want;
    as__demo_source_state__free_unpacked(state, NULL);
    return rc;
}

typedef struct {
    as_service_t *svc;
    As__DemoSourceState *state;
} s_read_args_t;

static int s_read_state_txn(MDB_txn *txn, void *arg)
{
    s_read_args_t *a = arg;
    return s_state_get(a->svc, txn, &a->state);
}

static void s_source_tick(uv_timer_t *timer)
{
    source_t *ctx = timer->data;
    s_read_args_t args = {ctx->svc, NULL};
    if (as_store_read(as_service_store(ctx->svc), s_read_state_txn, &args) != 0)
        return;
    bool behind = args.state->target > args.state->emitted;
    uint32_t rate = args.state->rate;
    as__demo_source_state__free_unpacked(args.state, NULL);
    if (!behind) {
        ctx->quota = 0;
        ctx->last_tick_ms = 0;
        return;
    }
    if (rate) {
        /* pace by the time that really passed: a tick may come late */
        uint64_t now = uv_now(as_service_loop(ctx->svc));
        uint64_t elapsed = ctx->last_tick_ms ? now - ctx->last_tick_ms : TICK_MS;
        ctx->last_tick_ms = now;
        ctx->quota += (double)rate * (double)elapsed / 1000.0;
        if (ctx->quota > rate)
            ctx->quota = rate; /* at most a second's worth after a stall */
        if (ctx->quota < 1)
            return;
    }
    uint64_t emitted = 0;
    int rc = as_service_write(ctx->svc, s_generate_txn, &emitted);
    if (rc != 0)
        as_error("emitting failed: %s", as_strerror(rc));
    else if (rate)
        ctx->quota -= (double)emitted;
}

static int s_source_start(as_service_t *svc)
{
    long long padding = 0;
    if (as_config_read_int(as_service_config(svc), "demo", "padding", &padding) != 0) {
        as_error("config: [demo] padding must be 0..4096 bytes");
        return AS_ECONFIG;
    }
    source_ctx.padding = (size_t)padding;
    source_ctx.svc = svc;
    uv_timer_init(as_service_loop(svc), &source_ctx.timer);
    source_ctx.timer.data = &source_ctx;
    uv_timer_start(&source_ctx.timer, s_source_tick, TICK_MS, TICK_MS);
    return 0;
}

static void s_source_stop(as_service_t *svc)
{
    (void)svc;
    uv_timer_stop(&source_ctx.timer);
}

static const as_command_def_t source_commands[] = {
    {"demo.generate", cmd_generate},
    {"demo.add", cmd_add},
    {"demo.state", cmd_state},
    {NULL, NULL},
};

static const as_service_def_t source_def = {
    .name = "demo",
    .summary = "The demo source: emits demo.tick.emitted events on demo.generate (COUNT at\n"
               "RATE per second, carrying on after a restart) and demo.add (one event).",
    .dbs = source_dbs,
    .commands = source_commands,
    .on_start = s_source_start,
    .on_stop = s_source_stop,
};

/* --- sink ----------------------------------------------------------------- */

static const char *const sink_dbs[] = {"totals", NULL};

static int s_totals_get(as_service_t *svc, MDB_txn *txn, As__DemoSinkTotals **out)
{
    MDB_dbi dbi = as_store_dbi(as_service_store(svc), "totals");
    int rc = as_store_get_msg(txn, dbi, "totals", 6, &as__demo_sink_totals__descriptor,
                              (ProtobufCMessage **)out);
    if (rc == MDB_NOTFOUND) {
        *out = calloc(1, sizeof **out);
        if (!*out)
            return -ENOMEM;
        as__demo_sink_totals__init(*out);
        return 0;
    }
    return rc;
}

static long sink_delay_us; /* [sink] apply_delay_us: plays a slow consumer in tests */

static int evt_tick(as_evt_t *evt)
{
    if (sink_delay_us > 0)
        usleep((useconds_t)sink_delay_us);
    const As__DemoTick *tick = (const As__DemoTick *)evt->payload;
    if (!tick || !tick->has_number)
        return AS_EINVALID;
    As__DemoSinkTotals *totals;
    int rc = s_totals_get(evt->svc, evt->txn, &totals);
    if (rc == 0) {
        if (tick->number != totals->last_number + 1)
            totals->out_of_order++;
        totals->count++;
        totals->sum += tick->value;
        totals->last_number = tick->number;
        totals->has_count = totals->has_sum = totals->has_last_number = 1;
        totals->has_out_of_order = 1;
        MDB_dbi dbi = as_store_dbi(as_service_store(evt->svc), "totals");
        rc = as_store_put_msg(evt->txn, dbi, "totals", 6, &totals->base);
        as__demo_sink_totals__free_unpacked(totals, NULL);
    }
    return rc;
}

static int cmd_totals(as_cmd_t *cmd)
{
    As__DemoSinkTotals *totals;
    int rc = s_totals_get(cmd->svc, cmd->txn, &totals);
    if (rc != 0)
        return rc;
    totals->has_count = totals->has_sum = totals->has_last_number = 1;
    totals->has_out_of_order = 1;
    rc = as_cmd_reply(cmd, &totals->base);
    as__demo_sink_totals__free_unpacked(totals, NULL);
    return rc;
}

static const as_command_def_t sink_commands[] = {
    {"sink.totals", cmd_totals},
    {NULL, NULL},
};

static const as_event_def_t sink_events[] = {
    {"demo.tick.emitted", evt_tick},
    {NULL, NULL},
};

static int s_sink_start(as_service_t *svc)
{
    long long delay = 0;
    if (as_config_read_int(as_service_config(svc), "sink", "apply_delay_us", &delay) != 0) {
        as_error("config: [sink] apply_delay_us must be 0..1000000");
        return AS_ECONFIG;
    }
    sink_delay_us = (long)delay;
    return 0;
}

static const as_service_def_t sink_def = {
    .name = "sink",
    .summary = "The demo sink: follows 'demo' and keeps an exact count and sum of the ticks\n"
               "it applied (sink.totals). [sink] apply_delay_us plays a slow consumer.",
    .on_start = s_sink_start,
    .dbs = sink_dbs,
    .commands = sink_commands,
    .events = sink_events,
};

/* --- main ----------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (as_version_option(argc, argv))
        return 0;
    const as_service_def_t *def = NULL;
    if (argc >= 2 && strcmp(argv[1], "source") == 0)
        def = &source_def;
    else if (argc >= 2 && strcmp(argv[1], "sink") == 0)
        def = &sink_def;
    if (!def) {
        bool help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
        fprintf(help ? stdout : stderr,
                "usage: asdemo source|sink --config FILE\n"
                "\n"
                "  source   the 'demo' service: emits demo.tick.emitted events when told to\n"
                "           (commands demo.generate, demo.add, demo.state)\n"
                "  sink     the 'sink' service: applies every demo event into an exact count\n"
                "           and sum (command sink.totals)\n"
                "\n"
                "`asdemo source --help` tells more. Exit codes: 0 stopped cleanly, 64 usage,\n"
                "70 could not start, 78 config error.\n");
        return help ? 0 : 64;
    }
    return as_service_main(def, argc - 1, argv + 1);
}
