#!/usr/bin/env bash
# labels: reception
# timeout: 180
# Who may run each reception command. The runtime checks the roles of the
# catalog (proto/catalog/reception.c) before a handler runs, and reception's
# handlers no longer check them again: the catalog row is the whole rule. So
# every command is called by one member of each front-desk role (and a
# technician, the foreman and another system), and must be refused as "denied" exactly
# for the roles outside its row. Every reception command of the catalog has
# a row here.
. "$(dirname "$0")/lib.sh"
setup reception_roles

sed -i 's/^services = .*/services = reception/' "$CONFIG"
cat >>"$CONFIG" <<INI

[reception]
endpoint = ipc://$T/reception.sock
heartbeat_ms = 200

[staff]
svc-mgr = service_manager
fdm-li = front_desk_manager
adv-wang = advisor
clerk-zhou = info_clerk
tech-07 = technician
crm-sys = system
fm-liu = foreman
INI

start_bus bus
start_service reception

# the letter of each role in the table below, and who holds it
declare -A WHO=([S]=svc-mgr [F]=fdm-li [A]=adv-wang [C]=clerk-zhou [T]=tech-07 [Y]=crm-sys
    [O]=fm-liu)

# command (without "reception.") and the roles that may run it
ROWS="customer.register CAF
customer.show CAFS
vehicle.register CAF
vehicle.mileage AF
vehicle.mileage_correct S
vehicle.show CAFS
vehicle.history CAFS
search CAFS
appointment.book CAFY
appointment.confirm CAF
appointment.assign CAF
appointment.arrive CAF
appointment.no_show CAF
appointment.cancel CAF
appointment.queue CAFS
advisor.list CAFS
ro.open AF
ro.approve F
ro.consent AF
ro.show CAFS
ro.list CAFS
extra_work.answer AF
ro.deliver AF
ro.close AF
followup.record CAF
complaint.log CAF
complaint.resolve F
complaint.list CAFS
reminder.due CAFS
reminder.plan CAF
reminder.record CAF
labour_op.define S
labour_op.retire S
labour_op.list CAFS
labour_op.show CAFS
labour_rate.set S
labour_rate.list CAFS
skill.list CAFS
rescue.request AF
rescue.approve F
rescue.decline F
rescue.dispatch AFO
rescue.close AFO
rescue.list CAFSO
rescue.show CAFSO
lounge.list AF
product.recommend AF
product.answer AF
comeback.cause F
quality_action.create FO
quality_action.update SFACTO
quality_action.list SFACTO
quality_action.show SFACTO
quality_meeting.record F
quality_meeting.list FSO
quality_meeting.show FSO
insurance.set CAF
insurance.due CAFS
insurance.renewal CAF
holiday.set CAFS
holiday.list CAFS
greeting.list CAFS
greeting.send CAF
vehicle.transfer CAF"

listed=$(ctl commands | jq -r '.[] | select(.service=="reception") | .command' | sort)
expect_eq "every reception command has a row" "$listed" \
    "$(echo "$ROWS" | awk '{print "reception." $1}' | sort)"

# every command by every role, in the table's order, asked in one asctl
# batch: each answer's code and error, one line per call
mapfile -t ANSWERS < <(while read -r command may; do
    for role in S F A C T Y O; do
        printf -- '--actor %s call reception.%s\n' "${WHO[$role]}" "$command"
    done
done <<<"$ROWS" | { ctl batch || true; } | jq -r '[(.code // "null"), (.error // "null")] | @tsv')
expect_eq "an answer to every call" $(($(wc -l <<<"$ROWS") * 7)) "${#ANSWERS[@]}"
i=0
while read -r command may; do
    for role in S F A C T Y O; do
        actor=${WHO[$role]}
        IFS=$'\t' read -r code error <<<"${ANSWERS[i]:-}"
        i=$((i + 1))
        if [[ $may == *$role* ]]; then
            [ "$code" != denied ] || fail "$command by $actor: refused as denied: $error"
        else
            expect_eq "$command by $actor" denied "$code"
            case "$error" in
            *"'$actor' is not a"*) ;;
            *) fail "$command by $actor: the refusal does not name '$actor': $code $error" ;;
            esac
        fi
    done
done <<<"$ROWS"

finish
