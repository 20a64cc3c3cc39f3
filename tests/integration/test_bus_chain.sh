#!/usr/bin/env bash
# labels: bus security
# timeout: 120
# A chain of forwarders: two site buses (site-a, site-b), each with its own
# reception and workshop, forward upward to one group bus ([bus] upstream).
# CURVE on over tcp on 127.0.0.1, each site with its own keys directory; a
# site bus authenticates to the group bus with its key bus@<site>, which the
# group bus admits as the owner of every source of that site and no other.
# The group bus starts last (the site buses connect to it in the background).
#  - a tap on the group bus sees both sites' events, forwarded up the chain;
#  - a tap on site A's bus sees none of site B's (nothing travels down);
#  - an event published straight to the group bus by site A's key as
#    workshop@site-b is refused, logged and counted, and never shown;
#  - a config with a typo, or without the group bus's public key, stops asbus;
#  - and the same chain without CURVE, over ipc://.
. "$(dirname "$0")/lib.sh"
setup bus_chain
base=$(tcp_base 24)
G=$T/group.ini
# after site-qualified topics, a tap follows its own site unless told otherwise
ALL_SITES=$("$ASCTL" tap --help 2>&1 | grep -q -- '--all-sites' && echo --all-sites || true)

# --- keys: one directory per site and one for the group --------------------
mkdir -p "$T/g/keys" "$T/site-a/keys" "$T/site-b/keys"
for name in bus hq-it; do "$ASCTL" keygen "$name" --dir "$T/g/keys" >/dev/null; done
for s in site-a site-b; do
    for name in bus reception workshop foreman "bus@$s"; do
        "$ASCTL" keygen "$name" --dir "$T/$s/keys" >/dev/null
    done
    cp "$T/$s/keys/bus@$s.pub" "$T/g/keys/"           # the group admits the site bus
    cp "$T/g/keys/bus.pub" "$T/$s/keys/group-bus.pub" # which checks the group bus's key
done
# a site bus's key gone astray: site A's, used to publish as site B
cp "$T/site-a/keys/bus@site-a.key" "$T/g/keys/"

cat >"$G" <<INI
[site]
name = group
data_dir = $T/g/data
services =
[security]
curve = on
keys_dir = $T/g/keys
[bus]
xsub = tcp://127.0.0.1:$base
xpub = tcp://127.0.0.1:$((base + 1))
publish = \${bus.xsub}
subscribe = \${bus.xpub}
[staff]
INI
# site_config SITE PORT: a site whose bus forwards up to the group's
site_config() {
    local s=$1 p=$2
    cat >"$T/$s.ini" <<INI
[site]
name = $s
data_dir = $T/$s/data
services = reception, workshop
[security]
curve = on
keys_dir = $T/$s/keys
[bus]
xsub = tcp://127.0.0.1:$p
xpub = tcp://127.0.0.1:$((p + 1))
upstream = tcp://127.0.0.1:$base
publish = \${bus.xsub}
subscribe = \${bus.xpub}
[reception]
endpoint = tcp://127.0.0.1:$((p + 2))
heartbeat_ms = 200
[workshop]
endpoint = tcp://127.0.0.1:$((p + 3))
follows = reception
heartbeat_ms = 200
[staff]
foreman = foreman
INI
}
site_config site-a $((base + 10))
site_config site-b $((base + 20))

log "--- config mistakes stop asbus (exit 78) and say what"
sed 's/^upstream = /upstrem = /' "$T/site-a.ini" >"$T/typo.ini"
rc=0
"$ASBUS" --config "$T/typo.ini" --check-config >"$T/typo.out" 2>&1 || rc=$?
expect_eq "a typo in [bus] is a config error" 78 "$rc"
grep -q "unknown key 'upstrem' in \[bus\]; did you mean 'upstream'?" "$T/typo.out" ||
    fail "the typo is not named: $(cat "$T/typo.out")"
sed '/^upstream = /a upstream_key = nobody' "$T/site-a.ini" >"$T/nokey.ini"
rc=0
timeout 10 "$ASBUS" --config "$T/nokey.ini" >"$T/nokey.out" 2>&1 || rc=$?
expect_eq "a missing group bus key is a config error" 78 "$rc"
grep -qF "upstream: cannot use key file '$T/site-a/keys/nobody.pub'" "$T/nokey.out" ||
    fail "the missing key file is not named: $(cat "$T/nokey.out")"

log "--- two site buses chained to a group bus not yet started, each site's daemons"
for s in site-a site-b; do
    "$ASBUS" --config "$T/$s.ini" >>"$T/$s-bus.log" 2>&1 &
    PIDS[$s-bus]=$!
    for svc in reception workshop; do
        "$AS_BUILD/services/$svc/as-$svc" --config "$T/$s.ini" >>"$T/$s-$svc.log" 2>&1 &
        PIDS[$s-$svc]=$!
        wait_for "$svc@$s answers" \
            env AS_IDENTITY=foreman "$ASCTL" --config "$T/$s.ini" status "$svc" >/dev/null 2>&1
    done
done
# the group bus comes last: the site buses connect to it in the background
"$ASBUS" --config "$G" >>"$T/bus.log" 2>&1 &
PIDS[bus]=$!
grep -q "and up to tcp://127.0.0.1:$base" "$T/site-a-bus.log" ||
    fail "site A's bus does not say it forwards up: $(cat "$T/site-a-bus.log")"

# taps: on the group bus (as hq-it) and on site A's bus (as its foreman)
AS_IDENTITY=hq-it "$ASCTL" --json --config "$G" tap $ALL_SITES --heartbeats >"$T/group.tap" &
PIDS[group-tap]=$!
AS_IDENTITY=foreman "$ASCTL" --json --config "$T/site-a.ini" tap $ALL_SITES --heartbeats \
    >"$T/a.tap" &
PIDS[a-tap]=$!
heard() { # heard FILE SOURCE: a heartbeat of SOURCE reached the tap
    jq -r 'select(.heartbeat) | .source' "$1" 2>/dev/null | grep -qxF "$2"
}
# the group's subscription went down both chains: heartbeats come up
for s in site-a site-b; do
    wait_for "the group tap hears reception@$s" heard "$T/group.tap" "reception@$s"
    wait_for "the group tap hears workshop@$s" heard "$T/group.tap" "workshop@$s"
done
wait_for "site A's tap hears its workshop" heard "$T/a.tap" workshop@site-a

log "--- site A's key publishes straight to the group bus as workshop@site-b"
AS_CONFIG=$G AS_IDENTITY=bus@site-a "$FRAMES" event-json "tcp://127.0.0.1:$base" workshop@site-b \
    01900000-0000-7000-8000-0000000000f1 1 workshop.bay.registered \
    '{"bay":{"bay_id":"bay-forged","kind":"lift"}}' >/dev/null

log "--- one bay registered at each site"
for s in site-a site-b; do
    AS_IDENTITY=foreman "$ASCTL" --json --config "$T/$s.ini" call workshop.bay.register \
        bay_id="bay-$s" kind=lift >/dev/null
done
events() { # events FILE: "source type bay" of every event the tap showed
    jq -r 'select(.heartbeat | not) | "\(.source) \(.type) \(.payload.bay.bay_id // .subject)"' "$1" |
        sort
}
both() { [ "$(events "$T/group.tap" | grep -c ' workshop.bay.registered ')" = 2 ]; }
wait_for "the group tap shows both sites' bays" both
expect_eq "the group bus carried both sites' events, forwarded up the chain" \
    "workshop@site-a workshop.bay.registered bay-site-a|workshop@site-b workshop.bay.registered bay-site-b" \
    "$(events "$T/group.tap" | paste -sd'|')"
a_has_own() { events "$T/a.tap" | grep -q 'bay-site-a'; }
wait_for "site A's tap shows its bay" a_has_own
expect_eq "site A's bus carried only site A's sources (events and heartbeats)" "site-a" \
    "$(jq -r '.source | sub(".*@"; "")' "$T/a.tap" | sort -u | paste -sd' ')"
expect_eq "the forged bay reached nobody" 0 "$(grep -c bay-forged "$T/group.tap" || true)"

log "--- the group bus says who tried what, and counts it"
# (the topic may carry the site: site-b/workshop.bay.registered)
grep -qE "refused '([a-z0-9-]+/)?workshop\.bay\.registered' of source 'workshop@site-b' from 'bus@site-a'" \
    "$T/bus.log" || fail "the group bus did not log the forged event"
kill -TERM "${PIDS[group-tap]}" "${PIDS[a-tap]}"
stop bus
stop site-a-bus # each exits 0: the chain's sockets close cleanly
stop site-b-bus
grep -q "refused 1 messages of source 'workshop@site-b' from 'bus@site-a'" "$T/bus.log" ||
    fail "the group bus's summary at stop does not count the forged event"
grep -q "forwarded [1-9][0-9]* messages" "$T/bus.log" || fail "the group bus forwarded nothing"
grep -q "refused 1 messages from publishers" "$T/bus.log" ||
    fail "the group bus refused something else too: $(grep refused "$T/bus.log")"

log "--- the same chain without CURVE, over ipc://"
for name in "${!PIDS[@]}"; do kill9 "$name"; done
mkdir -p -m 700 "$T/ipc"
cat >"$T/ipc-group.ini" <<INI
[site]
name = group
data_dir = $T/ipc/g
[bus]
xsub = ipc://$T/ipc/g-in
xpub = ipc://$T/ipc/g-out
publish = \${bus.xsub}
subscribe = \${bus.xpub}
[staff]
INI
for s in site-a site-b; do
    cat >"$T/ipc-$s.ini" <<INI
[site]
name = $s
data_dir = $T/ipc/$s
services = demo
[bus]
xsub = ipc://$T/ipc/$s-in
xpub = ipc://$T/ipc/$s-out
publish = \${bus.xsub}
subscribe = \${bus.xpub}
[demo]
endpoint = ipc://$T/ipc/$s-demo.sock
heartbeat_ms = 200
[staff]
INI
done
"$ASBUS" --config "$T/ipc-group.ini" >>"$T/ipc-group-bus.log" 2>&1 &
PIDS[ipc-group]=$!
for s in site-a site-b; do
    "$ASBUS" --config "$T/ipc-$s.ini" --upstream "ipc://$T/ipc/g-in" >>"$T/ipc-$s-bus.log" 2>&1 &
    PIDS[ipc-$s-bus]=$!
    "$ASDEMO" source --config "$T/ipc-$s.ini" >>"$T/ipc-$s-demo.log" 2>&1 &
    PIDS[ipc-$s-demo]=$!
done
"$ASCTL" --json --config "$T/ipc-group.ini" tap $ALL_SITES --heartbeats >"$T/ipc.tap" &
PIDS[ipc-tap]=$!
for s in site-a site-b; do
    wait_for "the ipc group tap hears demo@$s" heard "$T/ipc.tap" "demo@$s"
done
for s in site-a site-b; do
    AS_ACTOR=tester "$ASCTL" --config "$T/ipc-$s.ini" call demo.generate count=3 >/dev/null
done
ticks() { jq -r 'select(.heartbeat | not) | .source' "$T/ipc.tap" | sort | uniq -c | awk '{print $2 "=" $1}' | paste -sd' '; }
six() { [ "$(ticks)" = "demo@site-a=3 demo@site-b=3" ]; }
wait_for "the ipc group tap shows 3 events of each site" six
expect_eq "events per source on the group bus over ipc" "demo@site-a=3 demo@site-b=3" "$(ticks)"
finish
