#!/usr/bin/env bash
# The gateway as the `delegate` over CURVE: as-web connects to the workshop
# with its own key "web"; the service runs the command as the signed-in
# member and the event records both (actor foreman-liu, via web).
# labels: web security
# timeout: 120
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_curve
base=$(tcp_base 8)
mkdir -p "$T/keys"
for name in bus workshop web svc-mgr; do
    "$ASCTL" keygen "$name" --dir "$T/keys" >/dev/null
done
write_curve_config "workshop, web"
cat >>"$CONFIG" <<INI
[workshop]
endpoint = tcp://127.0.0.1:$((base + 2))
heartbeat_ms = 200
[web]
endpoint = tcp://127.0.0.1:$((base + 3))
follows = workshop
heartbeat_ms = 200
listen = 127.0.0.1:8080
[staff]
svc-mgr = service_manager
foreman-liu = foreman
web = delegate
INI
ASCTL_IDENTITY=svc-mgr
start_bus bus
start_service workshop
start_web
set_secret foreman-liu 'board-pass-1'
expect_eq "foreman signs in" 200 "$(signin fm foreman-liu board-pass-1)"
out=$(api fm workshop.bay.register '{"bay_id":"B5","kind":"lift"}' -H 'Idempotency-Key: curve-bay-b5')
expect_eq "bay registered through the gateway over CURVE" 200 "$(echo "$out" | tail -1)"
event=$(ctl tap workshop.bay.registered --since workshop@test:1 --count 1 --wait 10000)
expect_eq "the event's actor is the member" foreman-liu "$(echo "$event" | json .actor)"
expect_eq "the event's via is the gateway" web "$(echo "$event" | json .via)"
stop_web
finish
