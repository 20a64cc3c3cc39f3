# web_lib.sh — the gateway as-web for a test that started the dealership
# (lib.sh's start_dealership): start_web, credentials, and curl as a browser.

# start_web: as-web on a free loopback port ($WEB_URL), calls unanswered
# after $WEB_CALL_TIMEOUT_MS make a service unavailable (default 3000, as the
# product's: a loaded CI machine under ASan has taken over 1 s), and an
# event stream gets a comment line every 0.5 s (so a page that has gone is
# seen within a second, not ten)
start_web() {
    local call_timeout_ms=${WEB_CALL_TIMEOUT_MS:-3000}
    WEB_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    WEB_URL="http://127.0.0.1:$WEB_PORT"
    sed -i "s/^listen = 127.0.0.1:8080$/listen = 127.0.0.1:$WEB_PORT\ncall_timeout_ms = $call_timeout_ms\nkeepalive_ms = 500/" "$CONFIG"
    "$AS_BUILD/services/web/as-web" --config "$CONFIG" >>"$T/web.log" 2>&1 &
    PIDS[web]=$!
    wait_for "web answers status" ctl_ok status web
    wait_for "web listens" curl -fsS -o /dev/null "$WEB_URL/api/status"
}

# set_secret STAFF SECRET: the service manager sets a sign-in secret
set_secret() {
    AS_ACTOR=svc-mgr ctl call web.credential.set staff_id="$1" secret="$2" >/dev/null ||
        fail "setting the secret of $1"
}

# signin NAME STAFF SECRET: signs in with the cookie jar $T/NAME.jar; prints
# the HTTP status, and keeps the reply in $T/NAME.me
signin() {
    curl -sS -o "$T/$1.me" -w '%{http_code}' -c "$T/$1.jar" -H 'Content-Type: application/json' \
        -d "{\"staff_id\":\"$2\",\"secret\":\"$3\"}" "$WEB_URL/api/signin"
}

csrf_of() { jq -r .csrf "$T/$1.me"; }

# api NAME COMMAND JSON [curl args]: POST /api/call/COMMAND in session NAME
# with its CSRF token; prints the body, then the HTTP status on a line of its own
api() {
    local name=$1 command=$2 body=$3
    shift 3
    curl -sS -b "$T/$name.jar" -H 'Content-Type: application/json' \
        -H "X-CSRF-Token: $(csrf_of "$name")" "$@" -d "$body" -w '\n%{http_code}' \
        "$WEB_URL/api/call/$command"
}

# stop_web: once every page has gone (only the asking connection is open),
# as-web is stopped and must exit 0 (under ASan: nothing leaked)
web_idle() { [ "$(curl -sS "$WEB_URL/api/status" | jq .connections)" = 1 ]; }
stop_web() {
    wait_for "the pages' connections closed" web_idle
    stop web
}

# browse SCRIPT.py [VAR=value ...]: runs a browser test (webtest.py) against
# this site with the extra environment; screenshots in $AS_BUILD/artifacts/web/
browse() {
    local script=$1
    shift
    local shots="$AS_BUILD/artifacts/web"
    mkdir -p "$shots"
    env WEB_URL="$WEB_URL" ASCTL="$ASCTL" CONFIG="$CONFIG" SHOTS="$shots" "$@" \
        /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/$script" || fail "browser checks of $script"
    log "screenshots in $shots"
}
