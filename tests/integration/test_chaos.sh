#!/usr/bin/env bash
# labels: fault
# timeout: 600
# Chaos: the source emits 100,000 events while the sink is SIGKILLed and
# restarted 5 times at random moments, the source is SIGKILLed and restarted
# once, and asbus is restarted once. At the end the sink has applied every
# event exactly once (exact count and sum) and its offset equals the source's
# last seq.
. "$(dirname "$0")/lib.sh"
setup chaos
N=${CHAOS_EVENTS:-100000}
RATE=${CHAOS_RATE:-8000}

start_bus bus
start_daemon source
start_daemon sink
ctl call demo.generate count="$N" rate="$RATE" >/dev/null

# the faults, in an order picked at random: 5 sink kills, 1 source kill, 1 bus restart
faults=(sink sink sink sink sink source bus)
mapfile -t faults < <(printf '%s\n' "${faults[@]}" | shuf)
for fault in "${faults[@]}"; do
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.3 + (r % 120) / 100 }')"
    case $fault in
    sink | source)
        log "SIGKILL $fault (source has emitted $(source_state '.reply.emitted' 2>/dev/null || echo ?))"
        kill9 "$fault"
        sleep 0.$((RANDOM % 5))
        start_daemon "$fault"
        ;;
    bus)
        log "restarting asbus"
        stop bus
        sleep 0.3
        start_bus bus
        ;;
    esac
done

WAIT_SECONDS=180 wait_for "source emitted all $N" \
    bash -c "[ \"\$($ASCTL --json --config $CONFIG call demo.state | jq -r .reply.emitted)\" = $N ]"
WAIT_SECONDS=180 wait_for "sink applied $N" sink_count_is "$N"
expect_eq "sink count" "$N" "$(sink_totals '.reply.count')"
expect_eq "sink sum" "$((N * (N + 1) / 2))" "$(sink_totals '.reply.sum')"
expect_eq "events applied out of order" 0 "$(sink_totals '.reply.out_of_order')"
expect_eq "source last seq" "$N" "$(source_last_seq)"
expect_eq "sink offset of demo@test" "$N" "$(sink_applied_of demo@test)"
# nothing more arrives later: still exact after a few heartbeats
sleep 1
expect_eq "sink count after quiet period" "$N" "$(sink_totals '.reply.count')"
finish
