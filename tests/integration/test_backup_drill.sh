#!/usr/bin/env bash
# labels: ops dealership
# timeout: 240
# The restore drill of deploy/README.md on the default site: a played day
# through the real daemons, `asctl backup --all` of every store (each copy
# mode 0600, owned by the user that ran it, in a 0700 directory), every
# daemon stopped and its store wiped, `asctl restore --all`, the daemons
# started again: every service is at the same seq, no consumer diverges, and
# the KPI report and an RO read the same as before the disk was lost.
. "$(dirname "$0")/lib.sh"
setup backup_drill
evening_clock
start_dealership

DAY=$(date +%F)
"$AS_BUILD/tools/asday/asday" --config "$CONFIG" --date "$DAY" --seed 7 >"$T/asday.log"
report() { ctl --actor svc-mgr kpi report --month "${DAY:0:7}"; }
all_counted() { [ "$(report | jq '.rows[0].counters.ros_delivered')" = 40 ]; }
wait_for "kpi counted 40 repair orders delivered" all_counted
# every consumer has applied everything its sources emitted
seqs() { ctl status | jq -c '[.services[] | {service, last_seq}]'; }
lag_free() { [ "$(ctl status | jq '[.services[].offsets[]? | .lag // 0] | add // 0')" = 0 ]; }
wait_for "no consumer lags" lag_free
before_seqs=$(seqs)
before_report=$(report)
ro=$(grep -om1 'RO-[0-9]*-[0-9]*' "$T/asday.log")
before_ro=$(ctl --actor svc-mgr call reception.ro.show ro_number="$ro" | jq -c .reply)
log "stores at $before_seqs; RO $ro"

log "--- backup --all"
BK=$T/backup
out=$("$ASCTL" --config "$CONFIG" --json backup --all "$BK")
expect_eq "stores backed up" 9 "$(echo "$out" | jq '.stores | length')" # 8 + the sales DMS's gateway
expect_eq "backup directory mode" 700 "$(stat -c %a "$BK")"
for f in "$BK"/*/data.mdb; do
    expect_eq "$f mode" 600 "$(stat -c %a "$f")"
    expect_eq "$f owner" "$(id -un)" "$(stat -c %U "$f")"
done

log "--- the disk is lost: every daemon stopped, every store gone"
stop_site_daemons
rm -rf "$T/data"
out=$("$ASCTL" --config "$CONFIG" --json restore --all --from "$BK")
expect_eq "stores restored" 9 "$(echo "$out" | jq '.stores | length')"
start_site_daemons
wait_for "no consumer lags after the restore" lag_free

expect_eq "every service's last seq" "$before_seqs" "$(seqs)"
expect_eq "no diverged source" 0 "$(ctl status | jq '[.services[].offsets[]? | select(.diverged == true)] | length')"
expect_eq "the KPI report" "$before_report" "$(report)"
expect_eq "RO $ro" "$before_ro" "$(ctl --actor svc-mgr call reception.ro.show ro_number="$ro" | jq -c .reply)"
finish
