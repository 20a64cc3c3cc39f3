#!/usr/bin/env bash
# labels: kpi dealership group
# timeout: 300
# A dealer group on one bus (issue 16): five sites s1..s5 on this machine,
# each with its own reception, workshop and kpi, and one group kpi ([kpi]
# sites = s1, ..., s5) following all five. Every site keys in a different
# small day with `asctl batch` (the SAME RO numbers RO-1.. and the SAME
# technician tech-01 at every site, on purpose). Checked:
# - the group kpi's `--site S` report is exactly site S's own kpi's (every
#   figure and counter, by department and by technician);
# - the group row's counts are the sites' sums and its ratios the ratio of
#   the summed counters (worked below by hand), not an average of ratios;
# - the colliding RO numbers and technician ids stay apart (each site's
#   tech-01 has its own minutes);
# - a year's report is the sum of its months;
# - a site kpi refuses --group and another site; the group kpi refuses a
#   report naming neither, an unknown site, and every write;
# - the group kpi's state does not hang on how the five sites' events
#   interleave: restarted from an empty store twice (catching up from the
#   sites' outboxes in another order, the second time one event per
#   transaction), it gives the same reports byte for byte.
. "$(dirname "$0")/lib.sh"
setup group_kpi
SITES=(s1 s2 s3 s4 s5)
DAY=$(date -d "3 days ago" +%F) # keyed in afterwards (--at), inside the 31-day window
MONTH=${DAY:0:7}
YEAR=${DAY:0:4}

# one site's config: the shared bus (the default config's [bus]), its own
# reception, workshop and kpi, the same people
site_config() { # site_config SITE
    cat <<INI
[site]
name = $1
data_dir = $T/data-$1
run_dir = $T
services = reception, workshop, kpi

[bus]
xsub = ipc://$T/bus-in
xpub = ipc://$T/bus-out
publish = ipc://$T/bus-in
subscribe = ipc://$T/bus-out

[reception]
endpoint = ipc://$T/$1-reception.sock
follows = workshop
heartbeat_ms = 200

[workshop]
endpoint = ipc://$T/$1-workshop.sock
follows = reception
heartbeat_ms = 200

[kpi]
endpoint = ipc://$T/$1-kpi.sock
follows = reception, workshop
heartbeat_ms = 200

[staff]
svc-mgr = service_manager
adv-wang = advisor limit=50000
foreman-liu = foreman
qc-ma = qc_inspector
tech-01 = technician
INI
}
for s in "${SITES[@]}"; do site_config "$s" >"$T/$s.ini"; done
# the group's kpi: its own site name (the group's office), the five sites
site_config hq | sed -e '/^\[reception\]/,/^$/d' -e '/^\[workshop\]/,/^$/d' \
    -e 's/^services = .*/services = kpi/' >"$T/hq.ini"
sed -i -e "/^\[kpi\]/a sites = s1, s2, s3, s4, s5" -e 's/^follows = reception, workshop$/follows = reception, workshop, kpi/' "$T/hq.ini"
grep -q '^follows = reception, workshop, kpi$' "$T/hq.ini" || fail "hq.ini: the group kpi does not follow the sites' kpi"

# --- every daemon at once, then poll -------------------------------------------
start_bus bus
run() { # run NAME CONFIG SERVICE
    "$AS_BUILD/services/$3/as-$3" --config "$2" >>"$T/$1.log" 2>&1 &
    PIDS[$1]=$!
}
for s in "${SITES[@]}"; do
    for svc in reception workshop kpi; do run "$s-$svc" "$T/$s.ini" $svc; done
done
run group-kpi "$T/hq.ini" kpi
up() { "$ASCTL" --json --config "$1" status "$2" >/dev/null 2>&1; }
for s in "${SITES[@]}"; do
    for svc in reception workshop kpi; do wait_for "$s $svc answers" up "$T/$s.ini" $svc; done
done
wait_for "the group kpi answers" up "$T/hq.ini" kpi

# --- each site's day --------------------------------------------------------------
# site  ROs opened  QC passed  delivered  tech-01 clocked per RO  tech-01's cost/h
# s1    3           3          3          45 min                  60.00
# s2    2           2          1          50 min                  48.00
# s3    2           2          2          60 min                  54.00
# s4    1           0          0          -                       66.00
# s5    4           4          4          30 min                  42.00
# Every RO: RO-<n>, one job sold 60 min at 600.00/h, tech-01 at bay B<n>.
declare -A OPENED=([s1]=3 [s2]=2 [s3]=2 [s4]=1 [s5]=4) PASSED=([s1]=3 [s2]=2 [s3]=2 [s4]=0 [s5]=4)
declare -A DELIVERED=([s1]=3 [s2]=1 [s3]=2 [s4]=0 [s5]=4) CLOCKED=([s1]=45 [s2]=50 [s3]=60 [s4]=0 [s5]=30)
declare -A COST=([s1]=6000 [s2]=4800 [s3]=5400 [s4]=6600 [s5]=4200)
VINS=(JNKCV61E29M300011 JNKCV61E49M300012 JNKCV61E69M300013 JNKCV61E19M300002)
JOB='[{"concern":"oil service","pay_type":"CUSTOMER_PAY","labour":{"code":"MA100","sold_minutes":60,"rate_cents":60000,"skill":"maintenance","min_level":1}}]'

line() { printf '%q ' "$@" && printf '\n'; }
at() { # at SITE HH:MM ACTOR COMMAND FIELDS...: a dated line of the site's batch
    local s=$1 when=$2 who=$3
    shift 3
    line --config "$T/$s.ini" --actor "$who" call "$@" --at "$DAY $when"
}
data() { # data SITE ACTOR COMMAND FIELDS...: master data, not dated
    local s=$1 who=$2
    shift 2
    line --config "$T/$s.ini" --actor "$who" call "$@"
}
# batch FILE...: runs the lines, in one asctl per file, all at once; every
# line must be answered ok
batch() {
    local f pids=()
    for f in "$@"; do
        "$ASCTL" --json batch <"$f" >"$f.out" 2>&1 &
        pids+=($!)
    done
    wait "${pids[@]}" || true # (not the daemons)
    for f in "$@"; do
        jq -e -s 'all(.ok)' "$f.out" >/dev/null || fail "a line of $(basename "$f") was refused: $(jq -c -s 'map(select(.ok != true)) | .[0]' "$f.out" 2>/dev/null || head -c 300 "$f.out")"
    done
}
hhmm() { # hhmm HH:MM MINUTES: the time MINUTES later
    local t=$((10#${1%:*} * 60 + 10#${1#*:} + $2))
    printf '%02d:%02d' $((t / 60)) $((t % 60))
}

files=()
for s in "${SITES[@]}"; do
    {
        data "$s" foreman-liu workshop.technician.register tech_id=tech-01 name="Tech of $s" \
            skills=maintenance level=2 hourly_cost_cents="${COST[$s]}"
        at "$s" 07:30 foreman-liu workshop.shift.record tech_id=tech-01 date="$DAY" minutes=480
        for ((n = 1; n <= OPENED[$s]; n++)); do
            data "$s" foreman-liu workshop.bay.register bay_id=B$n kind=lift
            data "$s" adv-wang reception.customer.register customer_id=C$n name="Customer $n" \
                phone=13900000$n$n
            data "$s" adv-wang reception.vehicle.register vin="${VINS[$((n - 1))]}" plate=LU-$s$n \
                customer_id=C$n sale_date=2024-05-01 mileage_km=20000
            at "$s" "08:0$n" adv-wang reception.ro.open ro_number=RO-$n vin="${VINS[$((n - 1))]}" \
                mileage_km=21000 jobs="$JOB"
            at "$s" "08:1$n" adv-wang reception.ro.consent ro_number=RO-$n consent=signature
        done
    } >"$T/$s.day1"
    files+=("$T/$s.day1")
done
batch "${files[@]}"

# the workshop learns each RO's job from reception's event
jobs_in() { # jobs_in SITE N: the site's workshop has the jobs of RO-1..RO-N
    local n
    for ((n = 1; n <= $2; n++)); do
        [ "$("$ASCTL" --json --config "$T/$1.ini" --actor foreman-liu call workshop.ro.show \
            ro_number=RO-$n 2>/dev/null | jq '.reply.jobs | length')" = 1 ] || return 1
    done
}
files=()
for s in "${SITES[@]}"; do
    wait_for "$s's workshop has its jobs" jobs_in "$s" "${OPENED[$s]}"
    : >"$T/$s.day2"
    for ((n = 1; n <= PASSED[$s]; n++)); do
        on="$((9 + n)):00"
        {
            at "$s" "$(hhmm 08:55 $((n * 60)))" foreman-liu workshop.job.dispatch ro_number=RO-$n \
                job_no=1 tech_id=tech-01 bay_id=B$n
            at "$s" "$on" tech-01 workshop.clock.on ro_number=RO-$n job_no=1
            at "$s" "$(hhmm "$on" "${CLOCKED[$s]}")" tech-01 workshop.clock.off ro_number=RO-$n \
                job_no=1 finished=true
            at "$s" "$(hhmm "$on" 61)" qc-ma workshop.qc.inspect ro_number=RO-$n kind=FINAL passed=true
        } >>"$T/$s.day2"
    done
    files+=("$T/$s.day2")
done
batch "${files[@]}"

ready() { # ready SITE N: RO-1..RO-N ready for delivery at the site's reception
    local n
    for ((n = 1; n <= $2; n++)); do
        [ "$("$ASCTL" --json --config "$T/$1.ini" --actor adv-wang call reception.ro.show \
            ro_number=RO-$n 2>/dev/null | jq -r .reply.status)" = RO_READY_FOR_DELIVERY ] || return 1
    done
}
files=()
for s in "${SITES[@]}"; do
    wait_for "$s's ROs are ready" ready "$s" "${DELIVERED[$s]}"
    : >"$T/$s.day3"
    for ((n = 1; n <= DELIVERED[$s]; n++)); do
        at "$s" "16:0$n" adv-wang reception.ro.deliver ro_number=RO-$n >>"$T/$s.day3"
    done
    files+=("$T/$s.day3")
done
# s1's own kpi: the service manager's target and the month's rent, which the
# group kpi learns from kpi@s1's events (it follows the sites' kpi too)
data s1 svc-mgr kpi.target.set month="$MONTH" metric="labour efficiency" value=120 >>"$T/s1.day3"
data s1 svc-mgr kpi.expense.record month="$MONTH" category=rent amount_cents=500000 >>"$T/s1.day3"
batch "${files[@]}"

# --- every kpi caught up ----------------------------------------------------------
last_seq() { "$ASCTL" --json --config "$T/$1.ini" status "$2" | jq -r '.services[0].last_seq'; }
declare -A LAST=()
for s in "${SITES[@]}"; do
    LAST[reception@$s]=$(last_seq "$s" reception)
    LAST[workshop@$s]=$(last_seq "$s" workshop)
done
LAST[kpi@s1]=$(last_seq s1 kpi)
expect_eq "s1's kpi emitted its target and its expense" 2 "${LAST[kpi@s1]}"
caught_up() { # caught_up CONFIG SOURCES...: the kpi of CONFIG applied each source up to its last seq
    local cfg=$1 st src
    shift
    st=$("$ASCTL" --json --config "$cfg" status kpi 2>/dev/null) || return 1
    for src in "$@"; do
        [ "$(echo "$st" | jq -r --arg s "$src" '.services[0].offsets[]? | select(.source == $s) | .applied_seq')" = "${LAST[$src]}" ] || return 1
    done
}
ALL_SOURCES=()
for s in "${SITES[@]}"; do
    wait_for "$s's kpi caught up" caught_up "$T/$s.ini" "reception@$s" "workshop@$s"
    ALL_SOURCES+=("reception@$s" "workshop@$s")
done
ALL_SOURCES+=(kpi@s1)
wait_for "the group kpi caught up with the 11 sources" caught_up "$T/hq.ini" "${ALL_SOURCES[@]}"

# --- one site's rows: exactly the site's own kpi's ---------------------------------------
report() { # report CONFIG ARGS...: the report's JSON, keys sorted
    "$ASCTL" --json --config "$1" --actor svc-mgr kpi report "${@:2}" | jq -S .
}
for s in "${SITES[@]}"; do
    for by in department technician; do
        own=$(report "$T/$s.ini" --month "$MONTH" --by $by | jq -c .rows)
        group=$(report "$T/hq.ini" --month "$MONTH" --by $by --site "$s" | jq -c .rows)
        [ "$own" = "$group" ] && log "ok: $s by $by: the group kpi's --site $s = $s's own kpi" ||
            fail "$s by $by: the group kpi's rows differ from $s's own kpi's: $(diff <(echo "$own" | jq .) <(echo "$group" | jq .) | head -20)"
    done
    # and the site's own kpi takes --site with its own name
    [ "$own" = "$(report "$T/$s.ini" --month "$MONTH" --by technician --site "$s" | jq -c .rows)" ] ||
        fail "$s's kpi: --site $s is not its own report"
done

# --- the group row: sums, and ratios of the sums -------------------------------------
G=$T/group.json
report "$T/hq.ini" --month "$MONTH" --group >"$G"
expect_eq "group report's row keys" "s1/department s2/department s3/department s4/department s5/department group/department" \
    "$(jq -r '[.rows[].key] | join(" ")' "$G")"
gc() { jq -r --arg k "$1" --arg c "$2" '.rows[] | select(.key == $k) | .counters[$c]' "$G"; }
gf() { jq -r --arg k "$1" --arg f "$2" '.rows[] | select(.key == $k) | .figures[] | select(.name == $f) | .'"${3:-value}" "$G"; }
# ROs opened 3+2+2+1+4 = 12; delivered 3+1+2+0+4 = 10
expect_eq "group: ROs opened 3+2+2+1+4" 12 "$(gc group/department ros_opened)"
expect_eq "group: vehicles handed over 3+1+2+0+4" 10 "$(gf group/department "vehicles handed over")"
# sold: 60 min per RO passed, 3+2+2+0+4 = 11 ROs = 660 min; actual: 3x45 + 2x50 +
# 2x60 + 0 + 4x30 = 135 + 100 + 120 + 120 = 475 min
expect_eq "group: sold minutes 11 x 60" 660 "$(gc group/department sold_minutes)"
expect_eq "group: actual minutes 135+100+120+0+120" 475 "$(gc group/department actual_minutes)"
# labour efficiency = 660 / 475 = 138.9%; the mean of the four sites' ratios
# (180/135 = 133.3, 120/100 = 120.0, 120/120 = 100.0, 240/120 = 200.0) would be 138.3%
expect_eq "group: labour efficiency = sold / actual of the sums" "138.9" \
    "$(printf '%.1f' "$(gf group/department "labour efficiency")")"
expect_eq "group: its formula" "sold / actual = 11.00 h / 7.92 h" \
    "$(gf group/department "labour efficiency" formula)"
# labour sales: 11 h x 600.00 = 6,600.00 on delivery of the invoice: the ROs
# delivered are 10 of the 11 passed: 10 x 600.00 = 6,000.00
expect_eq "group: labour sales 10 x 600.00 (cents)" 600000 "$(gc group/department labour_sales_cents)"
# available: 5 shifts of 480 min = 2,400; utilisation = 475 / 2400 = 19.8%
expect_eq "group: available minutes 5 x 480" 2400 "$(gc group/department available_minutes)"
expect_eq "group: labour utilisation = 475 / 2400" "19.8" \
    "$(printf '%.1f' "$(gf group/department "labour utilisation")")"
# s1's target is in s1's rows (its own kpi's, learnt from kpi@s1), not in the group's
expect_eq "s1's labour efficiency target (from kpi@s1) / the group row's" "120 null" \
    "$(gf s1/department "labour efficiency" target) $(gf group/department "labour efficiency" target)"
# expenses: s1's rent 5,000.00, none elsewhere: the group's 500000 cents; its
# department profit = gross profit - expenses
expect_eq "group: expenses (s1's rent)" 500000 "$(gc group/department expenses_cents)"
for c in ros_opened ros_delivered sold_minutes actual_minutes labour_cost_cents labour_sales_cents expenses_cents; do
    expect_eq "group: $c is the sum of the sites' rows" \
        "$(jq -r --arg c $c '[.rows[] | select(.key != "group/department") | .counters[$c] | tonumber] | add' "$G")" \
        "$(gc group/department $c)"
done
# units in operation: RO-n opened at a site is the n-th of the same four VINs
# everywhere, so the sites count 3, 2, 2, 1 and 4 (12 added up), but the group
# has four vehicles: a car serviced at two sites is one unit
expect_eq "units in operation of each site" "3 2 2 1 4" \
    "$(for s in "${SITES[@]}"; do gf $s/department "units in operation"; done | tr '\n' ' ' | sed 's/ $//')"
expect_eq "group: units in operation, distinct VINs (not 3+2+2+1+4)" 4 \
    "$(gf group/department "units in operation")"

# --- the same RO numbers and technician at every site stay apart ---------------------------
T2=$T/group-tech.json
report "$T/hq.ini" --month "$MONTH" --group --by technician >"$T2"
tc() { jq -r --arg k "$1" --arg c "$2" '.rows[] | select(.key == $k) | .counters[$c]' "$T2"; }
expect_eq "group by technician: one tech-01 per site that clocked" "s1/tech-01 s2/tech-01 s3/tech-01 s4/tech-01 s5/tech-01" \
    "$(jq -r '[.rows[].key] | join(" ")' "$T2")"
for s in s1 s2 s3 s5; do
    # e.g. s1: 3 ROs x 45 min = 135 min at 60.00/h = 135.00 (13500 cents)
    expect_eq "$s/tech-01's actual minutes (${PASSED[$s]} x ${CLOCKED[$s]})" \
        $((PASSED[$s] * CLOCKED[$s])) "$(tc "$s/tech-01" actual_minutes)"
    expect_eq "$s/tech-01's labour cost at $s's rate" \
        $((PASSED[$s] * CLOCKED[$s] * COST[$s] / 60)) "$(tc "$s/tech-01" labour_cost_cents)"
done
expect_eq "s4/tech-01 clocked nothing (its RO-1 is not s1's RO-1)" 0 "$(tc s4/tech-01 actual_minutes)"
expect_eq "s2's RO-2 passed QC but was not delivered: s2's deliveries" 1 \
    "$(jq -r '.rows[] | select(.key == "s2/department") | .counters.ros_delivered' "$G")"
# the human output names each row's site
"$ASCTL" --config "$T/hq.ini" --actor svc-mgr kpi report --month "$MONTH" --group --by technician >"$T/human.txt"
grep -q '^Site s3  technician tech-01$' "$T/human.txt" || fail "the group report's human output has no 'Site s3  technician tech-01' row: $(head -5 "$T/human.txt")"
"$ASCTL" --config "$T/hq.ini" --actor svc-mgr kpi report --month "$MONTH" --group >"$T/human.txt"
expect_eq "the human group report's rows" "Site s1|Site s2|Site s3|Site s4|Site s5|The group (5 sites summed)" \
    "$(grep -E '^(Site|The group)' "$T/human.txt" | paste -sd'|')"
grep -E '^  vehicles handed over' "$T/human.txt" | tail -1 | grep -qw 10 ||
    fail "the human group row does not show 10 vehicles handed over: $(grep -E '^  vehicles handed over' "$T/human.txt" | tail -1)"

# --- a year: the sum of its months ------------------------------------------------------
year=$(report "$T/hq.ini" --year "$YEAR" --group | jq -c '[.rows[] | {key, counters}]')
months=$(for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
    line --config "$T/hq.ini" --actor svc-mgr kpi report --month "$YEAR-$m" --group --json
done | "$ASCTL" --json batch | jq -s -c '[.[].rows[] | {key, counters}] | group_by(.key) |
    map({key: .[0].key, counters: (map(.counters | to_entries[]) | group_by(.key) |
        map({key: .[0].key, value: (map(.value | tonumber) | add)}) | from_entries)})')
# the counters the year sums (levels and per-period counts of days are not sums of months)
sums='[.[] | {key, c: (.counters | {ros_opened, ros_delivered, sold_minutes, actual_minutes, available_minutes, labour_sales_cents, labour_cost_cents, ros_inspected, ros_first_pass} | map_values(tonumber))}] | sort_by(.key)'
[ "$(echo "$months" | jq -c "$sums")" = "$(echo "$year" | jq -c "$sums")" ] &&
    log "ok: the year $YEAR's counters = its 12 months' added up (every site and the group)" ||
    fail "the year $YEAR is not its months added up: $(echo "$year" | jq -c "$sums") against $(echo "$months" | jq -c "$sums")"
expect_eq "the year's group row: vehicles handed over" 10 \
    "$(report "$T/hq.ini" --year "$YEAR" --group | jq -r '.rows[] | select(.key == "group/department") | .figures[] | select(.name == "vehicles handed over") | .value')"

# --- refusals ---------------------------------------------------------------------------
refused_by() { # refused_by CONFIG TEXT ASCTL-ARGS...: asctl fails, saying TEXT
    local cfg=$1 text=$2 out
    shift 2
    if out=$("$ASCTL" --config "$cfg" --actor svc-mgr "$@" 2>&1); then
        fail "$* on $(basename "$cfg") was not refused"
    elif ! grep -qF -- "$text" <<<"$out"; then
        fail "$* on $(basename "$cfg"): '$out' does not say '$text'"
    else
        log "ok: refused: $*"
    fi
}
refused_by "$T/s1.ini" "this kpi reports one site ('s1')" kpi report --month "$MONTH" --group
refused_by "$T/s1.ini" "this kpi reports site 's1' only" kpi report --month "$MONTH" --site s2
refused_by "$T/hq.ini" "this kpi reports a dealer group (sites = s1, s2, s3, s4, s5): give site=S" \
    kpi report --month "$MONTH"
refused_by "$T/hq.ini" "site 's9' is not one of this group's" kpi report --month "$MONTH" --site s9
refused_by "$T/hq.ini" "kpi.target.set is the site's own kpi's" \
    call kpi.target.set month="$MONTH" metric="labour efficiency" value=1.1
refused_by "$T/hq.ini" "kpi.expense.record is the site's own kpi's" \
    call kpi.expense.record month="$MONTH" category=rent amount_cents=100
refused_by "$T/hq.ini" "kpi.monthly.generate is the site's own kpi's" \
    call kpi.monthly.generate month="$MONTH" kind=department
refused_by "$T/s1.ini" "year '26' is not a year" kpi report --year 26
# asctl status names the group's sites
"$ASCTL" --config "$T/hq.ini" status kpi | grep -qF "reports the dealer group's sites s1, s2, s3, s4, s5" ||
    fail "asctl status of the group kpi does not name its sites: $("$ASCTL" --config "$T/hq.ini" status kpi | head -3)"
# nothing was written: the group kpi emitted nothing
expect_eq "the group kpi emitted nothing" 0 "$("$ASCTL" --json --config "$T/hq.ini" status kpi | jq -r '.services[0].last_seq')"

# --- order: the group kpi rebuilt from empty, twice ------------------------------------------
# Stopped, its store removed, started again: it learns each source's last seq
# from the heartbeats and catches up from the ten outboxes through replay, in
# whatever order the heartbeats and answers arrive (not the live order); the
# second time with max_batch = 1 (one event per transaction). Its reports
# must come out byte for byte the same.
snapshot() {
    for by in department technician advisor bay; do
        report "$T/hq.ini" --month "$MONTH" --group --by $by
        report "$T/hq.ini" --month "$MONTH" --day "$DAY" --group --by $by
    done
}
snapshot >"$T/live.json"
for round in 1 2; do
    stop group-kpi
    rm -rf "$T/data-hq"
    [ $round = 2 ] && sed -i "/^\[kpi\]/a max_batch = 1" "$T/hq.ini"
    run group-kpi "$T/hq.ini" kpi
    wait_for "the group kpi answers again" up "$T/hq.ini" kpi
    wait_for "the rebuilt group kpi caught up (round $round)" caught_up "$T/hq.ini" "${ALL_SOURCES[@]}"
    snapshot >"$T/rebuilt-$round.json"
    if cmp -s "$T/live.json" "$T/rebuilt-$round.json"; then
        log "ok: rebuilt from empty (round $round): the same reports byte for byte"
    else
        fail "rebuilt from empty (round $round): the reports differ: $(diff "$T/live.json" "$T/rebuilt-$round.json" | head -20)"
    fi
    log "round $round: replay requests per source: $("$ASCTL" --json --config "$T/hq.ini" status kpi |
        jq -r '[.services[0].offsets[] | "\(.source)=\(.replays // 0)"] | join(" ")')"
done

finish
