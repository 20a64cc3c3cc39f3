#!/usr/bin/env bash
# labels: web
# timeout: 120
# Every refusal a daemon answers with (each as_cmd_fail format in the
# sources) has its Chinese text in services/web/www/refusals.json, with the
# format's arguments as {1}, {2}, ... (tools/refusals.py --check), so a
# Chinese page never shows a daemon's English. The check itself fails on a
# format left untranslated, a template that drops or invents an argument, a
# translation whose format is gone, and a term without Chinese.
. "$(dirname "$0")/lib.sh"
setup refusals

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOL="$ROOT/tools/refusals.py"
TABLE="$ROOT/services/web/www/refusals.json"

if python3 "$TOOL" --check >"$T/check.out" 2>&1; then
    log "$(tail -1 "$T/check.out")"
else
    fail "refusals.json lacks Chinese for these: $(head -20 "$T/check.out")"
fi

# broken copies of the table: the check names each problem and exits 1
broken() { # NAME PYTHON-EDIT-OF-d EXPECTED-TEXT
    python3 - "$TABLE" "$T/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
K = "unknown command '%s' for service '%s'"  # the runtime's own refusal
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
    local rc=0
    AS_REFUSALS_TABLE="$T/$1.json" python3 "$TOOL" --check >"$T/$1.out" 2>&1 || rc=$?
    [ "$rc" = 1 ] || fail "$1: --check exited $rc, not 1"
    grep -qF -- "$3" "$T/$1.out" || fail "$1: the check does not say '$3': $(head -5 "$T/$1.out")"
}
broken untranslated 'd["zh"][K] = ""' \
    "no Chinese text for \"unknown command '%s' for service '%s'\""
broken argument-dropped 'd["zh"][K] = "没有指令“{1}”"' \
    "leaves out {2}"
broken argument-invented 'd["zh"][K] = "{1}{2}{3}"' \
    "names {3}, but the format has 2 argument(s)"
broken stale 'd["zh"]["a refusal no daemon makes any more"] = "旧"' \
    "\"a refusal no daemon makes any more\" is no longer in the sources"
broken term 'd["zh_terms"]["repair order"] = ""' \
    "the term \"repair order\" has no Chinese"

expect_exit "--check of an unknown option" 2 "$T/usage.out" python3 "$TOOL" --frobnicate
finish
