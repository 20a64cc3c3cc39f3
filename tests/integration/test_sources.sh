#!/usr/bin/env bash
# labels: bus security
# timeout: 120
# A consumer applies only the sources it follows: kpi follows workshop, i.e.
# workshop@test, and subscribes to its topics ("test/workshop."). Events and a
# heartbeat of workshop@other-site (another site on the same bus, under
# "other-site/...") never reach it: they change no counter, make no offset,
# and are not even counted as unfollowed in `asctl status` (the forwarder
# filtered them upstream). With `follows = workshop@other-site` the same
# events are applied. And ipc:// sockets are bound only in a
# directory the service user alone can reach: asbus and a daemon refuse one
# that others can reach.
. "$(dirname "$0")/lib.sh"
setup sources
sed -i 's/^services = .*/services = kpi/' "$CONFIG"
cat >>"$CONFIG" <<INI

[kpi]
endpoint = ipc://$T/kpi.sock
follows = workshop
heartbeat_ms = 200

[staff]
tester = service_manager
INI
INC=01900000-0000-7000-8000-0000000000a1
DAY=$(date +%F)
emit() { # emit SOURCE SEQ TYPE JSON
    "$FRAMES" event-json "ipc://$T/bus-in" "$1" "$INC" "$2" "$3" "$4" >/dev/null
}
bay() { echo "{\"bay\":{\"bay_id\":\"$1\",\"kind\":\"lift\"}}"; }
QC="{\"ro_number\":\"RO-B1\",\"first_time\":true,\"advisor\":\"adv-b\",\"jobs\":[{\"job_no\":1,\"technician\":\"tech-b\",\"sold_minutes\":600}],\"date\":\"$DAY\"}"
department() { # the month's department counter $1 (0 when unset)
    ctl kpi report --month "${DAY:0:7}" | jq -r ".rows[0].counters.$1 // 0"
}
kpi_status() { ctl status kpi | json ".services[0] | $1"; }
applied_of() { kpi_status ".offsets[] | select(.source==\"$1\") | .applied_seq"; }
applied_is() { [ "$(applied_of "$1")" = "$2" ]; }

start_bus bus
start_service kpi

log "--- our workshop and another site's on one bus"
emit workshop@test 1 workshop.bay.registered "$(bay bay-1)"
emit workshop@other-site 1 workshop.qc.passed "$QC"
emit workshop@other-site 2 workshop.bay.registered "$(bay bay-b)"
"$FRAMES" heartbeat "ipc://$T/bus-in" workshop@other-site "$INC" 2 "ipc://$T/other.sock" 0 >/dev/null
emit workshop@test 2 workshop.bay.registered "$(bay bay-2)"
wait_for "kpi applied workshop@test's 2 events" applied_is workshop@test 2
expect_eq "only our bays" 2 "$(department bays)"
expect_eq "no inspected RO from the other site" 0 "$(department ros_inspected)"
expect_eq "no sold time from the other site" 0 "$(department sold_minutes)"
expect_eq "no offset for the other site" "" "$(applied_of workshop@other-site)"
# (before site-qualified topics kpi received them and counted 2 events and 1
# heartbeat as unfollowed)
expect_eq "kpi never received the other site's events or heartbeat" 0 \
    "$(kpi_status '.events_unfollowed // 0')"
expect_eq "status names no ignored source" "" "$(kpi_status '[.unfollowed[]?.source] | join(",")')"
"$ASCTL" --config "$CONFIG" status kpi | grep -qF "workshop@other-site" &&
    fail "the human status names the other site's workshop"

log "--- following the other site too: its events are applied"
stop kpi
sed -i 's/^follows = workshop$/follows = workshop, workshop@other-site/' "$CONFIG"
start_service kpi
emit workshop@other-site 1 workshop.qc.passed "$QC"
emit workshop@other-site 2 workshop.bay.registered "$(bay bay-b)"
wait_for "kpi applied workshop@other-site's 2 events" applied_is workshop@other-site 2
expect_eq "the other site's bay counts now" 3 "$(department bays)"
expect_eq "the other site's inspected RO counts now" 1 "$(department ros_inspected)"

log "--- ipc sockets only in a directory nobody else can reach"
expect_eq "the test's run dir is 0700" 700 "$(stat -c %a "$T")"
mkdir -m 755 "$T/open"
rc=0
timeout 10 "$ASBUS" --xsub "ipc://$T/open/bus-in" --xpub "ipc://$T/open/bus-out" \
    >"$T/open-bus.out" 2>&1 || rc=$?
expect_eq "asbus refuses a socket directory others can reach (config error)" 78 "$rc"
grep -qF "the directory '$T/open' of ipc endpoint 'ipc://$T/open/bus-in' has mode 0755" \
    "$T/open-bus.out" || fail "asbus does not say which directory and why: $(cat "$T/open-bus.out")"
sed "s|^endpoint = ipc://$T/kpi.sock|endpoint = ipc://$T/open/kpi.sock|" "$CONFIG" >"$T/open.ini"
rc=0
timeout 10 "$AS_BUILD/services/kpi/as-kpi" --config "$T/open.ini" >"$T/open-kpi.out" 2>&1 || rc=$?
expect_eq "a daemon refuses it too" 78 "$rc"
grep -qF "has mode 0755" "$T/open-kpi.out" || fail "as-kpi does not say why: $(cat "$T/open-kpi.out")"
[ ! -e "$T/open/bus-in" ] && [ ! -e "$T/open/kpi.sock" ] || fail "a socket was made in the open directory"
finish
