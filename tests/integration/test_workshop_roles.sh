#!/usr/bin/env bash
# labels: workshop
# timeout: 120
# Clocking and QC carry their roles in the catalog, so the runtime checks
# them before it reads the request: an advisor who sends workshop.clock.on,
# workshop.clock.off or workshop.qc.inspect is refused for the role even when
# the payload is no message at all, and nothing is written.
. "$(dirname "$0")/lib.sh"
setup workshop_roles

sed -i 's/^services = .*/services = workshop/' "$CONFIG"
cat >>"$CONFIG" <<INI

[staff]
fm-li = foreman
tester = advisor

[workshop]
endpoint = ipc://$T/workshop.sock
heartbeat_ms = 200
INI

start_bus bus
start_service workshop

last_seq() { ctl status workshop | json '.services[0].last_seq'; }
# garbage COMMAND: three zero bytes as the payload, sent by 'tester' (an advisor)
garbage() { "$FRAMES" command "ipc://$T/workshop.sock" "$1" 3 | json '"\(.code) \(.error)"'; }

before=$(last_seq)
expect_eq "clock on by an advisor" "denied workshop.clock.on: 'tester' is not a technician" \
    "$(garbage workshop.clock.on)"
expect_eq "clock off by an advisor" "denied workshop.clock.off: 'tester' is not a technician" \
    "$(garbage workshop.clock.off)"
expect_eq "qc by an advisor" "denied workshop.qc.inspect: 'tester' is not a qc_inspector" \
    "$(garbage workshop.qc.inspect)"
expect_eq "nothing written by the refusals" "$before" "$(last_seq)"
finish
