#!/usr/bin/env bash
# The gateway as-web over HTTP (services/web/README.md): sign-in with a
# hashed secret, lockout, the session cookie, CSRF, the gateway's role check
# from the catalog, commands forwarded with the page's Idempotency-Key as
# request id, events pushed as Server-Sent Events by role, and a service
# that stops answering named with the time since when.
# labels: web fault
# timeout: 240
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web
start_dealership
start_web

log "credentials: only the service manager or IT sets them, never stored as given"
set_secret foreman-liu 'board-pass-1'
set_secret tech-01 '4711'
set_secret adv-wang 'counter-pass-1'
refused tech-01 denied "is not a service_manager or it_admin" web.credential.set \
    staff_id=tech-02 secret=12345678
refused svc-mgr invalid "too short" web.credential.set staff_id=tech-02 secret=12
refused svc-mgr not-found "not in the site's [staff] list" web.credential.set \
    staff_id=nobody secret=12345678
refused svc-mgr invalid "system's identity" web.credential.set staff_id=web \
    secret=12345678
"$AS_BUILD/services/web/as-web" --help >/dev/null
mdb_dump -s credentials "$T/data/web" | grep -q 'board-pass-1' &&
    fail "the secret is stored as given"

log "sign-in: a wrong secret is refused; five in a row lock the account"
expect_eq "wrong secret" 401 "$(signin x foreman-liu wrong-pass)"
expect_eq "unknown staff" 401 "$(signin x nobody whatever1)"
for i in 1 2 3 4; do
    expect_eq "adv-wang wrong secret $i" 401 "$(signin adv adv-wang "wrong-$i-pass")"
done
expect_eq "adv-wang fifth wrong secret locks" 423 "$(signin adv adv-wang wrong-5-pass)"
jq -r .error "$T/adv.me" | grep -q "locked for 15 minutes after 5 failed sign-ins" ||
    fail "lockout text: $(cat "$T/adv.me")"
expect_eq "adv-wang right secret while locked" 423 "$(signin adv adv-wang counter-pass-1)"
expect_eq "foreman signs in" 200 "$(signin fm foreman-liu board-pass-1)"
expect_eq "foreman's roles" foreman "$(jq -r '.roles[0]' "$T/fm.me")"
expect_eq "technician signs in with a PIN" 200 "$(signin tech tech-01 4711)"

log "the session cookie: HttpOnly, SameSite=Strict"
cookie=$(curl -sS -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"staff_id":"foreman-liu","secret":"board-pass-1"}' "$WEB_URL/api/signin" |
    grep -i '^set-cookie:')
echo "$cookie" | grep -q 'HttpOnly' || fail "cookie is not HttpOnly: $cookie"
echo "$cookie" | grep -q 'SameSite=Strict' || fail "cookie is not SameSite=Strict: $cookie"
expect_eq "me" foreman-liu "$(curl -sS -b "$T/fm.jar" "$WEB_URL/api/me" | jq -r .staff_id)"
expect_eq "me without a session" 401 \
    "$(curl -sS -o /dev/null -w '%{http_code}' "$WEB_URL/api/me")"

log "events: the foreman's page follows the workshop live"
curl -sS -N -b "$T/fm.jar" "$WEB_URL/api/events" >"$T/fm.events" 2>/dev/null &
PIDS[fm_events]=$!
curl -sS -N -b "$T/tech.jar" "$WEB_URL/api/events" >"$T/tech.events" 2>/dev/null &
PIDS[tech_events]=$!
wait_for "the event streams open" grep -q 'events of your roles' "$T/fm.events"
wait_for "the technician's stream opens" grep -q 'events of your roles' "$T/tech.events"
# [web] keepalive_ms = 500 (web_lib.sh): two comment lines come within a second
# (at the default 5 s they could not come within the 4 s allowed)
keepalives() { [ "$(grep -c '^: keep-alive' "$T/fm.events")" -ge 2 ]; }
WAIT_SECONDS=4 wait_for "two keep-alive lines on the foreman's stream" keepalives

log "CSRF: a change without the token is refused, nothing done"
status=$(curl -sS -o "$T/nocsrf" -w '%{http_code}' -b "$T/fm.jar" -H 'Idempotency-Key: reg-bay-1' \
    -H 'Content-Type: application/json' -d '{"bay_id":"B9","kind":"lift"}' \
    "$WEB_URL/api/call/workshop.bay.register")
expect_eq "no CSRF token" 403 "$status"
grep -q 'X-CSRF-Token' "$T/nocsrf" || fail "the refusal does not name the token: $(cat "$T/nocsrf")"
status=$(curl -sS -o /dev/null -w '%{http_code}' -b "$T/fm.jar" -H 'Idempotency-Key: reg-bay-2' \
    -H 'X-CSRF-Token: forged' -H 'Content-Type: application/json' \
    -d '{"bay_id":"B9","kind":"lift"}' "$WEB_URL/api/call/workshop.bay.register")
expect_eq "a forged CSRF token" 403 "$status"
expect_eq "no bay B9 after the refusals" 0 \
    "$(AS_ACTOR=foreman-liu ctl call workshop.board | jq '[.reply.bays[]? | select(.bay_id=="B9")] | length')"

log "the foreman's actions go to the workshop in his name, once per Idempotency-Key"
out=$(api fm workshop.bay.register '{"bay_id":"B9","kind":"lift"}' -H 'Idempotency-Key: reg-bay-b9')
expect_eq "bay registered" 200 "$(echo "$out" | tail -1)"
expect_eq "reply" B9 "$(echo "$out" | head -1 | jq -r .reply.bay_id)"
out=$(api fm workshop.bay.register '{"bay_id":"B9","kind":"lift"}' -H 'Idempotency-Key: reg-bay-b9')
expect_eq "the retry is answered from the stored reply" "200 true" \
    "$(echo "$out" | tail -1) $(echo "$out" | head -1 | jq -r .replayed)"
out=$(api fm workshop.bay.register '{"bay_id":"B9","kind":"lift"}')
expect_eq "a change without Idempotency-Key" 400 "$(echo "$out" | tail -1)"
out=$(api fm workshop.bay.register '{"bay_id":"B9","colour":"red"}' -H 'Idempotency-Key: reg-bay-x1')
expect_eq "an unknown field" 400 "$(echo "$out" | tail -1)"
echo "$out" | head -1 | jq -r .error | grep -q "unknown field 'colour'" || fail "bad field: $out"
wait_for "the bay's event reaches the foreman's page" \
    grep -q '"type":"workshop.bay.registered"' "$T/fm.events"
grep '"type":"workshop.bay.registered"' "$T/fm.events" | grep -q '"actor":"foreman-liu"' ||
    fail "the event does not name the foreman as actor"
out=$(api fm workshop.board '{}')
expect_eq "a query without Idempotency-Key" 200 "$(echo "$out" | tail -1)"
expect_eq "the board shows B9" 1 \
    "$(echo "$out" | head -1 | jq '[.reply.bays[] | select(.bay_id=="B9")] | length')"

log "roles: the gateway refuses what the member's roles may not do"
out=$(api tech reception.ro.open '{"vin":"LSVAU2180N2183294"}' -H 'Idempotency-Key: tech-ro-1')
expect_eq "technician opens an RO" 403 "$(echo "$out" | tail -1)"
expect_eq "refused by" web "$(echo "$out" | head -1 | jq -r .refused_by)"
echo "$out" | head -1 | jq -r .error | grep -q "'tech-01' is not a" || fail "role text: $out"
expect_eq "web's refusal as the daemons' format and its arguments (a page words it)" \
    "[\"%s: '%s' is not %s %s\",[\"reception.ro.open\",\"tech-01\",\"a\",\"front_desk_manager or advisor\"]]" \
    "$(echo "$out" | head -1 | jq -c '[.format, .args]')"
out=$(api tech workshop.bay.register '{"bay_id":"B8","kind":"lift"}' -H 'Idempotency-Key: tech-bay-1')
expect_eq "technician registers a bay" 403 "$(echo "$out" | tail -1)"
out=$(api tech web.credential.set '{"staff_id":"tech-01","secret":"99999999"}' -H 'Idempotency-Key: tech-cred-1')
expect_eq "technician sets a secret" 403 "$(echo "$out" | tail -1)"
out=$(api fm no.such.command '{}')
expect_eq "an unknown command" 404 "$(echo "$out" | tail -1)"

log "events by role: the technician's page gets workshop events, not parts"
AS_ACTOR=parts-mgr ctl call parts.part.define part_number=P-WEB-1 description=filter \
    cost_cents=50 price_cents=100 bin=A1 >/dev/null || fail "defining a part"
wait_for "the gateway applied the parts event" bash -c "$(declare -f ctl); ASCTL='$ASCTL' \
    CONFIG='$CONFIG'; ctl status web | jq -e '.services[0].offsets[] |
    select(.source==\"parts@local\") | select(.applied_seq > 0)' >/dev/null"
grep -q '"type":"workshop.bay.registered"' "$T/tech.events" ||
    fail "the technician's page did not get the workshop event"
grep -q '"type":"parts\.' "$T/tech.events" && fail "the technician's page got a parts event"

log "sign-out ends the session"
out=$(curl -sS -o /dev/null -w '%{http_code}' -b "$T/tech.jar" -X POST \
    -H "X-CSRF-Token: $(csrf_of tech)" "$WEB_URL/api/signout")
expect_eq "sign-out" 200 "$out"
expect_eq "me after sign-out" 401 \
    "$(curl -sS -o /dev/null -w '%{http_code}' -b "$T/tech.jar" "$WEB_URL/api/me")"

log "a service that stops answering is named, with since when; the rest works"
kill9 parts
out=$(api fm parts.stock.query '{"part_number":"P-WEB-1"}')
expect_eq "a call to the stopped parts service" 503 "$(echo "$out" | tail -1)"
echo "$out" | head -1 | jq -r .error | grep -q "the parts service is unavailable since 20" ||
    fail "unavailable text: $out"
echo "$out" | head -1 | jq -r .error |
    grep -q "UTC: not done yet; the gateway retries it, and retrying is safe$" || fail "unavailable text: $out"
expect_eq "status says parts is down" false \
    "$(curl -sS "$WEB_URL/api/status" | jq '.services[] | select(.service=="parts") | .up')"
out=$(api fm workshop.board '{}')
expect_eq "the workshop still answers" 200 "$(echo "$out" | tail -1)"
start_service parts
wait_for "parts is up again" bash -c \
    "curl -sS '$WEB_URL/api/status' | jq -e '.services[] | select(.service==\"parts\") | .up' >/dev/null"

kill "${PIDS[fm_events]}" "${PIDS[tech_events]}" 2>/dev/null || true
unset "PIDS[fm_events]" "PIDS[tech_events]"
stop_web
finish
