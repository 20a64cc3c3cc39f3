#!/usr/bin/env bash
# labels: asctl
# timeout: 150
# asctl's command-line conventions (issue 13): global options anywhere on the
# line, -o json|csv|table|wide, `call CMD --help` offline from the catalog with
# nested fields, the KPI report by rows in 100 columns (the wide table behind
# -o wide), CSV with units and amounts in currency units, and the tap from a
# time and for one subject. Real parts and kpi daemons; reception is a fake
# source publishing on the bus.
. "$(dirname "$0")/lib.sh"
setup asctl_cli

cat >>"$CONFIG" <<INI

[staff]
pm-liu = parts_manager
sm-zhang = service_manager

[parts]
endpoint = ipc://$T/parts.sock
heartbeat_ms = 200

[kpi]
endpoint = ipc://$T/kpi.sock
follows = reception
heartbeat_ms = 200
INI
sed -i 's/^services = .*/services = parts, kpi/; s/^name = test$/name = test\ncurrency = CNY/' "$CONFIG"
unset AS_CONFIG
A="$ASCTL"
has() { grep -qF -- "$2" <<<"$3" || fail "$1: no '$2' in: $3"; }
hasnt() { ! grep -qF -- "$2" <<<"$3" || fail "$1: '$2' should not be in: $3"; }

log "--- call CMD --help and commands CMD: offline, from the catalog, nested fields"
out=$(env -u AS_CONFIG "$A" call reception.ro.open --help)
has "call --help" "jobs[].operation_code" "$out"
has "call --help: lists in lists" "jobs[].parts[].part_number" "$out"
has "call --help: enum values" "jobs[].pay_type" "$out"
has "call --help: enum values" "CUSTOMER_PAY, WARRANTY" "$out"
has "call --help: who may" "roles:   front_desk_manager or advisor" "$out"
out=$(env -u AS_CONFIG "$A" --config "$T/none.ini" commands reception.ro.open)
has "commands CMD" "jobs[].labour.sold_minutes" "$out"

start_bus bus
start_service parts
start_service kpi

log "--- global options anywhere on the line"
out=$("$A" call parts.part.define part_number=PAD-1 description=pads cost_cents=100000 price_cents=350000 bin=B-1 \
    --config "$CONFIG" --actor pm-liu --json)
expect_eq "call ... --config --actor --json" "true PAD-1" "$(json '"\(.ok) \(.reply.part_number)"' <<<"$out")"
"$A" -c "$CONFIG" call parts.part.define part_number=DISC-2 description=discs cost_cents=1 price_cents=2 bin=B-2 --actor=pm-liu \
    -o json --timeout=2000 >/dev/null
expect_eq "status --json (not a service name)" "parts true" \
    "$("$A" status --json -c "$CONFIG" parts | json '"\(.services[0].service) \(.services[0].up)"')"
expect_eq "--json before the subcommand still works" true \
    "$("$A" --json --config "$CONFIG" status parts | json '.services[0].up')"
out=$("$A" status -o csv --config "$CONFIG" 2>&1) && fail "status -o csv accepted: $out"
has "-o csv where there is none" "status prints no -o csv (table or json)" "$out"
rc=0
out=$("$A" status -o xml --config "$CONFIG" 2>&1) || rc=$?
expect_eq "an unknown format is a usage error" 64 "$rc"
has "-o xml" "-o 'xml' is not an output format (table, json, csv, wide)" "$out"

log "--- tap --subject, --type, --since TIME"
out=$("$A" tap --since parts@test:1 --subject PAD-1 --wait 500 --config "$CONFIG" --json)
expect_eq "--subject: only PAD-1's events" "PAD-1" "$(jq -rs '[.[].subject] | unique | join(" ")' <<<"$out")"
parts_last=$("$A" -c "$CONFIG" status parts --json | json '.services[0].last_seq')
out=$("$A" -c "$CONFIG" tap --since 1h --wait 500 -o json)
expect_eq "--since 1h: every parts event of the last hour" "$parts_last" \
    "$(jq -rs '[.[] | select(.source=="parts@test")] | length' <<<"$out")"
out=$("$A" -c "$CONFIG" tap --since 1h --type parts.part.defined --wait 500 --json)
expect_eq "--type: the two part definitions" "PAD-1 DISC-2" "$(jq -rs '[.[].subject] | join(" ")' <<<"$out")"
out=$("$A" -c "$CONFIG" tap --since "$(date -d tomorrow +%Y-%m-%dT08:00)" --wait 300 --json)
expect_eq "--since tomorrow: nothing yet" "" "$out"
rc=0
out=$("$A" -c "$CONFIG" tap --since yesterday --wait 300 2>&1) || rc=$?
expect_eq "--since that is no time" 64 "$rc"
has "--since error" "--since 'yesterday' is not SOURCE:SEQ, a time ago (30m, 1h, 2d)" "$out"

log "--- kpi report: by rows in 100 columns, -o wide, -o csv"
MONTH=$(date +%Y-%m)
DAY=$(date +%Y-%m-%d)
REC=reception@test
INC=01900000-0000-7000-8000-00000000000a
ro='{"ro":{"ro_number":"RO-1","advisor":"adv-wang","jobs":[{"job_no":1,"pay_type":"CUSTOMER_PAY"}]'
"$FRAMES" event-json "ipc://$T/bus-in" $REC $INC 1 reception.ro.opened "$ro},\"date\":\"$DAY\"}"
"$FRAMES" event-json "ipc://$T/bus-in" $REC $INC 2 reception.ro.delivered \
    "$ro,\"invoice\":{\"labour_cents\":12345,\"parts_cents\":100000}},\"date\":\"$DAY\"}"
kpi_applied() { [ "$("$A" -c "$CONFIG" status kpi --json | json '.services[0].offsets[0].applied_seq')" = 2 ]; }
wait_for "kpi applied the delivery" kpi_applied
"$A" -c "$CONFIG" --actor sm-zhang call kpi.target.set month="$MONTH" "metric=service sales" \
    value=100000 >/dev/null
out=$(COLUMNS=100 "$A" -c "$CONFIG" kpi report --month "$MONTH" --actor sm-zhang)
expect_eq "the report fits in 100 columns" 1 "$(awk 'length > 100 { exit 1 }' <<<"$out" && echo 1)"
has "figures by rows: figure value target achievement" "figure" "$out"
grep -qE '^  service sales +1,123\.45 CNY +1,000\.00 CNY +112%' <<<"$out" ||
    fail "no service sales row with value, target and achievement: $out"
has "the formula with its numbers" "labour sales + parts sales = 12345 + 100000 cents" "$out"
out=$("$A" -c "$CONFIG" kpi report --month "$MONTH" -o wide --actor sm-zhang)
grep -qE '^department .*1,123\.45 CNY \(112%\)' <<<"$out" || fail "-o wide: no department row: $out"
wide_width=$(awk '{ if (length > m) m = length } END { print m }' <<<"$out")
[ "$wide_width" -gt 100 ] || fail "-o wide is not the wide table: $out"
log "the wide table is $wide_width columns"
csv=$("$A" -c "$CONFIG" --actor sm-zhang kpi report --month "$MONTH" -o csv)
header=$(head -1 <<<"$csv")
has "csv header: units" "labour efficiency (%)" "$header"
has "csv header: hours" "sold hours (h)" "$header"
has "csv header: the currency" "service sales (CNY)" "$header"
has "csv header: achievement in percent" "service sales achievement (%)" "$header"
col=$(tr ',' '\n' <<<"$header" | grep -nxF 'service sales (CNY)' | cut -d: -f1)
expect_eq "csv: amounts in currency units with two decimals" "1123.45" "$(sed -n 2p <<<"$csv" | cut -d, -f"$col")"
expect_eq "csv: the achievement in percent" "112.3" "$(sed -n 2p <<<"$csv" | awk -F, '{ print $NF }' | cut -c1-5)"
xl=$("$A" -c "$CONFIG" --actor sm-zhang kpi report --month "$MONTH" -o csv --excel --separator ';')
expect_eq "--excel: a UTF-8 BOM first" "efbbbf" "$(head -c 3 <<<"$xl" | od -An -tx1 | tr -d ' \n')"
has "--separator ';'" "department;labour efficiency (%);" "$xl"
has "--excel: CRLF" $'\r' "$xl"
rc=0
"$A" -c "$CONFIG" --actor sm-zhang kpi report --month "$MONTH" --excel >/dev/null 2>&1 || rc=$?
expect_eq "--excel without -o csv" 64 "$rc"

log "--- batch: many lines in one asctl, each answering as that asctl command would"
# what two askings share: a status without the counters that the asking moves
same='if .services then .services | map({service, source, incarnation, up}) else del(.request_id) end'
q1=(-c "$CONFIG" --actor sm-zhang kpi report --month "$MONTH" --json)
q2=(-c "$CONFIG" --json --actor nobody call kpi.target.set month="$MONTH" metric=csi value=9)
q3=(-c "$CONFIG" --json --actor sm-zhang call kpi.target.set month="$MONTH" "metric=service sales"
    value=100000)
q4=(-c "$CONFIG" --json status kpi parts)
want=$(for q in q1 q2 q3 q4; do
    declare -n args=$q
    "$A" "${args[@]}" || true
done | jq -c "$same")
# the same four as lines (the quoting of bash's printf %q: "metric=service\ sales"),
# a comment, a blank line and a line's own --actor over the batch's
lines=$(printf '# the four questions\n\n'
    printf '%q ' kpi report --month "$MONTH" && echo
    printf '%q ' --actor nobody call kpi.target.set month="$MONTH" metric=csi value=9 && echo
    printf '%q ' call kpi.target.set month="$MONTH" "metric=service sales" value=100000 && echo
    echo "status 'kpi' \"parts\"")
rc=0
got=$("$A" -c "$CONFIG" --json --actor sm-zhang batch <<<"$lines") || rc=$?
expect_eq "batch: one JSON answer per line" 4 "$(wc -l <<<"$got")"
expect_eq "batch: the answers of the four asctl calls" "$want" \
    "$(jq -c "$same" <<<"$got")"
expect_eq "batch: the exit of the first line that failed (nobody may not set targets)" 1 "$rc"
has "batch: the refusal in its place" '"ok":false' "$(sed -n 2p <<<"$got")"
# the lines it does not take say so in their place, and the rest still run
got=$(printf '%s\n' 'tap' "call 'kpi.target.set" 'status kpi' |
    "$A" -c "$CONFIG" --json --actor sm-zhang batch) && rc=0 || rc=$?
expect_eq "batch: a line it does not run is a usage error" 64 "$rc"
has "batch: tap is no batch line" "'tap' cannot be a batch line" "$(sed -n 1p <<<"$got")"
has "batch: an unclosed quote" "quote is not closed" "$(sed -n 2p <<<"$got")"
expect_eq "batch: the line after them still ran" true "$(sed -n 3p <<<"$got" | jq .services[0].up)"
has "batch --help" "one asctl command line per line" "$("$A" batch --help)"
finish
