#!/usr/bin/env bash
# labels: bus sites
# timeout: 180
# A dealer group on one bus: five sites (site-01..site-05) share ONE asbus,
# each with its own reception, workshop and kpi ([site] name, data dirs and
# endpoints of its own). Every frame travels under "<site>/<type>" and every
# consumer subscribes to "<site>/<service>." for each source it follows, so
# the forwarder sends a site's daemons only their own site's events.
#
# Site i does a little work in one asctl batch: registers a customer and a
# vehicle, opens i repair orders (the same numbers RO-1.. at every site: an RO
# number is only unique within its site) and registers i bays. Then:
#  (a) each site's consumers applied exactly their own site's events: the
#      offsets of reception, workshop and kpi name only their site's sources,
#      at the seqs worked out below, and kpi reports i ROs opened and i bays;
#  (b) no daemon received another site's events or heartbeats at all: every
#      daemon's events_unfollowed is 0 (before site-qualified topics each
#      daemon received the other four sites' events and heartbeats and
#      dropped them as unfollowed, counting them there);
#  (c) a tap with --all-sites sees all five sites' events (the human lines
#      start with the site), a tap with --site site-03 only site-03's, and
#      --site site-02 workshop. only site-02's workshop events.
. "$(dirname "$0")/lib.sh"
setup site_topics
SITES="1 2 3 4 5"
VIN=JN1AZ4EH7DM430111
JOBS='[{"concern":"oil change","pay_type":"CUSTOMER_PAY","labour":{"code":"OIL","sold_minutes":30,"rate_cents":60000}}]'

# site_config I: site-0I's config: one bus for all, its own daemons
site_config() {
    local i=$1
    cat <<INI
[site]
name = site-0$i
data_dir = $T/data-$i
services = reception, workshop, kpi
[bus]
xsub = ipc://$T/bus-in
xpub = ipc://$T/bus-out
publish = ipc://$T/bus-in
subscribe = ipc://$T/bus-out
[reception]
endpoint = ipc://$T/s$i-reception.sock
follows = workshop
heartbeat_ms = 200
[workshop]
endpoint = ipc://$T/s$i-workshop.sock
follows = reception
heartbeat_ms = 200
[kpi]
endpoint = ipc://$T/s$i-kpi.sock
follows = reception, workshop
heartbeat_ms = 200
[staff]
clerk-1 = info_clerk
adv-1 = advisor limit=100000
fm-1 = foreman
svc-mgr = service_manager
INI
}
for i in $SITES; do site_config "$i" >"$T/site-0$i.ini"; done
cp "$T/site-01.ini" "$CONFIG" # the bus's config (any site's [bus])
at() { # at I ASCTL_ARGS...: asctl --json as site-0I
    local i=$1
    shift
    "$ASCTL" --json --config "$T/site-0$i.ini" "$@"
}
site_up() { at "$1" status >/dev/null 2>&1; }

log "--- one bus, five sites of three daemons each"
start_bus bus
for i in $SITES; do
    for s in reception workshop kpi; do
        "$AS_BUILD/services/$s/as-$s" --config "$T/site-0$i.ini" >>"$T/$s-$i.log" 2>&1 &
        PIDS[$s-$i]=$!
    done
done
for i in $SITES; do wait_for "site-0$i's daemons answer status" site_up "$i"; done

# taps with heartbeats: once a tap printed one, its subscriptions are in place
"$ASCTL" --json --config "$T/site-01.ini" tap --all-sites --heartbeats --count 55 --wait 30000 \
    >"$T/tap-all.json" 2>"$T/tap-all.err" &
TAP_ALL=$!
"$ASCTL" --config "$T/site-01.ini" tap --all-sites --heartbeats --count 55 --wait 30000 \
    >"$T/tap-all.txt" 2>"$T/tap-all-human.err" &
TAP_HUMAN=$!
at 1 tap --site site-03 --heartbeats --count 11 --wait 30000 >"$T/tap-3.json" 2>"$T/tap-3.err" &
TAP_3=$!
at 1 tap --site site-02 workshop. --heartbeats --count 2 --wait 30000 >"$T/tap-2.json" \
    2>"$T/tap-2.err" &
TAP_2=$!
heard() { grep -q '"heartbeat"' "$1"; }
wait_for "the all-sites tap hears heartbeats" heard "$T/tap-all.json"
wait_for "the human all-sites tap hears heartbeats" grep -q "^heartbeat " "$T/tap-all.txt"
wait_for "the site-03 tap hears heartbeats" heard "$T/tap-3.json"
wait_for "the site-02 workshop tap hears heartbeats" heard "$T/tap-2.json"

log "--- each site works: a customer, a vehicle, i repair orders, i bays"
for i in $SITES; do
    {
        echo "--actor clerk-1 call reception.customer.register customer_id=c-1 name='Li Wei' phone=13800000001"
        echo "--actor adv-1 call reception.vehicle.register vin=$VIN plate=A1 customer_id=c-1"
        for k in $(seq 1 "$i"); do
            echo "--actor adv-1 call reception.ro.open ro_number=RO-$k vin=$VIN mileage_km=$((10000 + k * 100)) jobs='$JOBS'"
            echo "--actor fm-1 call workshop.bay.register bay_id=B$k kind=lift"
        done
    } >"$T/work-$i.txt"
    at "$i" batch <"$T/work-$i.txt" >"$T/work-$i.out" 2>&1 &
    PIDS[work-$i]=$!
done
for i in $SITES; do
    rc=0
    wait "${PIDS[work-$i]}" || rc=$?
    unset "PIDS[work-$i]"
    expect_eq "site-0$i's batch: every command done" 0 "$rc"
done

# Worked out by hand, site i: reception emits customer registered, vehicle
# registered, and for each of the i ROs the vehicle's mileage recorded and the
# RO opened: seq 2 + 2i; workshop one per bay: seq i. Site 1: 4 and 1; site 3:
# 8 and 3; site 5: 12 and 5.
offsets() { # offsets I SERVICE: "source:applied_seq ..." of site-0I's SERVICE, sorted
    at "$1" status "$2" | jq -r '[.services[0].offsets[] | "\(.source):\(.applied_seq)"] | sort | join(" ")'
}
applied_all() { # applied_all I: site-0I's consumers applied all of their own site's events
    local i=$1 r w
    r="reception@site-0$i:$((2 + 2 * i))" w="workshop@site-0$i:$i"
    [ "$(offsets "$i" kpi)" = "$r $w" ] && [ "$(offsets "$i" reception)" = "$w" ] &&
        [ "$(offsets "$i" workshop)" = "$r" ]
}
for i in $SITES; do
    wait_for "site-0$i's consumers applied their site's events" applied_all "$i" ||
        log "site-0$i: kpi $(offsets "$i" kpi); reception $(offsets "$i" reception); workshop $(offsets "$i" workshop)"
done

log "--- (a) each site applied exactly its own events"
for i in $SITES; do
    expect_eq "site-0$i: reception's last seq (customer + vehicle + $i x (mileage + RO))" $((2 + 2 * i)) \
        "$(at "$i" status reception | json '.services[0].last_seq')"
    expect_eq "site-0$i: workshop's last seq ($i bays)" "$i" \
        "$(at "$i" status workshop | json '.services[0].last_seq')"
    expect_eq "site-0$i: kpi's offsets name only its site's sources" \
        "reception@site-0$i:$((2 + 2 * i)) workshop@site-0$i:$i" "$(offsets "$i" kpi)"
    expect_eq "site-0$i: reception follows only its workshop" "workshop@site-0$i:$i" "$(offsets "$i" reception)"
    expect_eq "site-0$i: workshop follows only its reception" "reception@site-0$i:$((2 + 2 * i))" \
        "$(offsets "$i" workshop)"
    report=$(at "$i" --actor svc-mgr kpi report --month "$(date +%Y-%m)")
    expect_eq "site-0$i: kpi counts its $i ROs opened and $i bays" "$i $i" \
        "$(echo "$report" | jq -r '.rows[0].counters | "\(.ros_opened // 0) \(.bays // 0)"')"
done

log "--- (b) no daemon received another site's events or heartbeats"
for i in $SITES; do
    st=$(at "$i" status)
    expect_eq "site-0$i: events and heartbeats of sources not followed (reception workshop kpi)" \
        "0 0 0" "$(echo "$st" | jq -r '[.services[] | .events_unfollowed // 0] | join(" ")')"
    expect_eq "site-0$i: frames rejected (reception workshop kpi)" "0 0 0" \
        "$(echo "$st" | jq -r '[.services[] | .frames_rejected // 0] | join(" ")')"
done

log "--- (c) taps: every site, one site, one site's workshop"
for p in $TAP_ALL $TAP_HUMAN $TAP_3 $TAP_2; do wait "$p" || fail "a tap exited non-zero"; done
events() { jq -c 'select(.heartbeat | not)' "$1"; }
# per site i: 2 + 2i reception events and i workshop events, 2 + 3i in all:
# 5 + 8 + 11 + 14 + 17 = 55
expect_eq "all sites: events per site" "site-01:5 site-02:8 site-03:11 site-04:14 site-05:17" \
    "$(events "$T/tap-all.json" | jq -rs 'group_by(.source | split("@")[1]) |
        map("\(.[0].source | split("@")[1]):\(length)") | join(" ")')"
expect_eq "all sites: the human lines start with their site" 55 \
    "$(grep -cE '^site-0[1-5] +[0-9]{4}-' "$T/tap-all.txt")"
expect_eq "all sites: site-04's lines are site-04's sources" 14 \
    "$(grep -E '^site-04 ' "$T/tap-all.txt" | grep -cE ' (reception|workshop)@site-04 ')"
expect_eq "site-03: only site-03's 8 reception and 3 workshop events" \
    "reception@site-03:1,2,3,4,5,6,7,8 workshop@site-03:1,2,3" \
    "$(events "$T/tap-3.json" | jq -rs 'group_by(.source) |
        map("\(.[0].source):\(map(.seq) | sort | join(","))") | join(" ")')"
expect_eq "site-03: heartbeats of site-03's sources only" "kpi@site-03 reception@site-03 workshop@site-03" \
    "$(jq -r 'select(.heartbeat) | .source' "$T/tap-3.json" | sort -u | xargs)"
expect_eq "site-02 workshop.: site-02's 2 bays" "workshop@site-02 1 workshop@site-02 2" \
    "$(events "$T/tap-2.json" | jq -r '"\(.source) \(.seq)"' | xargs)"
rc=0
at 1 tap --site site/01 --count 1 >"$T/tap-bad.err" 2>&1 || rc=$?
expect_eq "a site name with '/' is refused" 64 "$rc"
grep -qF "'site/01' is not a site name" "$T/tap-bad.err" || fail "no reason given: $(cat "$T/tap-bad.err")"
rc=0
at 1 tap --site site-01 --all-sites --count 1 >/dev/null 2>&1 || rc=$?
expect_eq "--site and --all-sites together are refused" 64 "$rc"
finish
