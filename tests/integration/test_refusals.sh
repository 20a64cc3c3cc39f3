#!/usr/bin/env bash
# labels: web
# timeout: 120
# Every refusal a daemon answers with (each as_cmd_fail format in the
# sources) has its Chinese text in services/web/www/refusals.json, with the
# format's arguments as {1}, {2}, ... (tools/refusals.py --check), so a
# Chinese page never shows a daemon's English. The check itself fails on a
# format left untranslated, a template that drops or invents an argument, a
# translation whose format is gone, a term without Chinese, a role without a
# term (a list of roles is worded from its roles' terms, zh_or_lists) and a
# whole of zh_or_lists that is no longer its macro's roles.
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

# a refusal naming roles names a list of them ("advisor or foreman",
# as_role_names), worded from each role's term: no list needs a term of its
# own, but every role does, and the whole "every staff role" is its macro's
python3 - "$TABLE" <<'PY' || fail "refusals.json still keeps role lists as terms of their own"
import json, sys
terms = json.load(open(sys.argv[1], encoding="utf-8"))["zh_terms"]
lists = [k for k in terms if " or " in k and all(i in terms for i in k.split(" or "))]
sys.exit(1 if lists else 0)
PY
broken role-without-term 'del d["zh_terms"]["foreman"]' \
    "common/staff.c: the role \"foreman\" has no Chinese in zh_terms"
broken whole-not-its-macro 'd["zh_or_lists"]["wholes"][0]["items"].remove("tool_admin")' \
    "but AS_ROLES_ANY_STAFF (proto/catalog/domains.h) is"
broken whole-of-no-macro 'd["zh_or_lists"]["wholes"][0]["roles_of"] = "AS_ROLES_COOKS"' \
    "is the roles of \"AS_ROLES_COOKS\", not a macro of proto/catalog/domains.h"
broken list-without-separator 'd["zh_or_lists"]["last_separator"] = ""' \
    "zh_or_lists needs a separator and a last_separator"

expect_exit "--check of an unknown option" 2 "$T/usage.out" python3 "$TOOL" --frobnicate
finish
