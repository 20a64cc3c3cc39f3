#!/usr/bin/env python3
"""refusals.py - the daemons' refusal texts and their translations.

Every refusal a daemon answers with is written as
`as_cmd_fail(cmd, AS_E..., "format", args...)`. The reply carries the text,
its format and each argument as text (CommandReply.error_format and
error_args), so a page shows the refusal in its own language:
services/web/www/refusals.json maps each format to its Chinese template,
where {1}, {2}, ... stand for the arguments in the format's order. Some
arguments are English words the code passes itself ("repair order",
"technician"); its "zh_terms" map gives a page their Chinese, used when an
argument is exactly such a word.

  refusals.py --check     exit 1 and name every format without a
                          translation, every translation whose format is
                          gone from the sources, and every template whose
                          placeholders do not match its format's arguments
  refusals.py --update    add the sources' new formats (empty, to be
                          translated) and drop the stale ones, keeping
                          every translation; the order is the sources'
  refusals.py --list      print each format with where it is, one a line
  ... [PATH-PREFIX ...]   --check and --list look only at the formats whose
                          first use is in a file under one of these
                          (e.g. services/parts services/tools)
  refusals.py --help

A refusal that names roles names them as a list, "advisor or foreman"
(as_role_names): a page words it from the terms of its items ("A、B或C"),
a list holding every role of one of "zh_or_lists"'s wholes by that whole's
name (本店员工（任一岗位）: every role of AS_ROLES_ANY_STAFF). So --check
also fails on a role of common/staff.c without a term, and on a whole whose
roles are no longer its macro's.

The same table words the flags reception keeps on a CRM request
(crm_requests.c s_crm_flag: the appointment's flag_texts), so their formats
are checked here too.

Exit codes: 0 fine, 1 the check found something, 2 usage or a source that
cannot be read.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# AS_REFUSALS_TABLE: another copy of the table (the test's broken ones)
TABLE = os.environ.get("AS_REFUSALS_TABLE") or os.path.join(ROOT, "services", "web", "www", "refusals.json")
SOURCE_DIRS = ("common", "services", "tools")
# the calls whose argument at this index (0-based) is a format a page words
# from this table: a handler's refusal, the runtime's own (service_turn.c),
# and a flag reception keeps on a CRM request (crm_requests.c: the
# appointment's flag_texts)
CALLS = {"as_cmd_fail(": 2, "s_refuse(": 2, "s_crm_flag(": 1}
ABOUT = ("Chinese templates of the daemons' refusals, keyed by the English "
         "format in the sources (as_cmd_fail). {1}, {2}, ... are the "
         "format's arguments in order; zh_terms: an argument that is exactly "
         "one of these English words is shown in Chinese; zh_or_lists: an "
         "argument 'A or B or C' whose items are all terms is shown as "
         "A、B或C (separator, last_separator), all items of a whole (the "
         "roles of its roles_of) as the whole's zh. Kept by "
         "tools/refusals.py.")
# where the role names are (as_role_names words a list of them), and where a
# whole's roles_of macro is defined
ROLE_NAMES = os.path.join("common", "staff.c")
ROLE_MACROS = os.path.join("proto", "catalog", "domains.h")

_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "?": "?", "0": "\0"}
_SPEC = re.compile(r"%[-+ #0']*(\*|\d+)?(\.(\*|\d*))?(hh|h|ll|l|j|z|t|L|q)?[diouxXeEfFgGaAcsp%]")
_PLACEHOLDER = re.compile(r"\{(\d+)\}")


def count_args(fmt):
    """The number of conversions in a printf format (%% is none)."""
    return sum(1 for m in _SPEC.finditer(fmt) if not m.group(0).endswith("%"))


def _skip_space(text, i):
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text.startswith("//", i):
            i = text.find("\n", i)
            i = len(text) if i < 0 else i
        elif text.startswith("/*", i):
            i = text.find("*/", i) + 2
        else:
            break
    return i


def _read_literal(text, i):
    """text[i] is '"': returns (value, index after the closing quote)."""
    out = []
    i += 1
    while text[i] != '"':
        c = text[i]
        if c == "\\":
            nxt = text[i + 1]
            if nxt not in _ESCAPES:
                raise ValueError("escape \\%s" % nxt)
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out), i + 1


def _format_at(text, i, index=2):
    """The format argument (argument `index`) of the call whose '(' ends at i,
    or None."""
    depth, commas = 0, 0
    while commas < index:
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return None
            depth -= 1
        elif c == "," and depth == 0:
            commas += 1
        elif c == '"':
            _, i = _read_literal(text, i)
            continue
        i += 1
    parts = []
    i = _skip_space(text, i)
    while i < len(text) and text[i] == '"':
        value, i = _read_literal(text, i)
        parts.append(value)
        i = _skip_space(text, i)
    return "".join(parts) if parts else None


def source_formats():
    """[(format, "path:line")] in the sources' order, each format once."""
    seen, out = set(), []
    for top in SOURCE_DIRS:
        for base, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith(".c"):
                    continue
                path = os.path.join(base, name)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                calls = sorted((m.start(), m.end()) for m in re.finditer(
                    r"(?<![\w])(%s)" % "|".join(re.escape(c) for c in CALLS), text))
                for at, start in calls:
                    line = text.count("\n", 0, at) + 1
                    fmt = _format_at(text, start, CALLS[text[at:start]])
                    if fmt is None or fmt in seen:  # None: the definition itself
                        continue
                    seen.add(fmt)
                    out.append((fmt, "%s:%d" % (os.path.relpath(path, ROOT), line)))
    return out


def load_file():
    if not os.path.exists(TABLE):
        return {}
    with open(TABLE, encoding="utf-8") as f:
        return json.load(f)


def role_names():
    """The roles as as_role_names names them (common/staff.c s_role_names)."""
    with open(os.path.join(ROOT, ROLE_NAMES), encoding="utf-8") as f:
        found = re.search(r"s_role_names\[\]\s*=\s*\{(.*?)\};", f.read(), re.S)
    if not found:
        raise ValueError("%s: no s_role_names" % ROLE_NAMES)
    return re.findall(r'"([^"]*)"', found.group(1))


def macro_roles(name):
    """The role names of `#define NAME (AS_ROLE_X | ...)` in ROLE_MACROS, or
    None when it has no such macro."""
    with open(os.path.join(ROOT, ROLE_MACROS), encoding="utf-8") as f:
        text = f.read().replace("\\\n", " ")
    found = re.search(r"^#define\s+%s\b(.*)$" % re.escape(name), text, re.M)
    if not found:
        return None
    return [role.lower() for role in re.findall(r"\bAS_ROLE_(\w+)", found.group(1))]


def list_problems(terms, lists, roles):
    """What keeps a page from wording a list of roles: a role without a
    term, a whole of zh_or_lists that is not its macro's roles."""
    out = ["%s: the role %s has no Chinese in zh_terms (a refusal naming it shows English)"
           % (ROLE_NAMES, json.dumps(r)) for r in roles if not terms.get(r)]
    if not lists.get("separator") or not lists.get("last_separator"):
        out.append("refusals.json: zh_or_lists needs a separator and a last_separator")
    for whole in lists.get("wholes", []):
        name = json.dumps(whole.get("zh", ""), ensure_ascii=False)
        items, macro = whole.get("items", []), whole.get("roles_of", "")
        want = macro_roles(macro) if macro else None
        if not whole.get("zh") or not items:
            out.append("refusals.json: the whole %s of zh_or_lists needs its zh and items" % name)
        elif want is None:
            out.append("refusals.json: the whole %s is the roles of %s, not a macro of %s"
                       % (name, json.dumps(macro), ROLE_MACROS))
        elif sorted(items) != sorted(want):
            out.append("refusals.json: the whole %s lists %s, but %s (%s) is %s"
                       % (name, ", ".join(items), macro, ROLE_MACROS, ", ".join(want)))
    return out


def problems(formats, table):
    out = []
    known = {fmt for fmt, _ in formats}
    for fmt, where in formats:
        template = table.get(fmt, "")
        if not template:
            out.append("%s: no Chinese text for %s" % (where, json.dumps(fmt, ensure_ascii=False)))
            continue
        n = count_args(fmt)
        used = {int(k) for k in _PLACEHOLDER.findall(template)}
        wrong = sorted(k for k in used if k < 1 or k > n)
        unused = sorted(set(range(1, n + 1)) - used)
        if wrong or unused:
            out.append("%s: the template %s of %s %s" % (
                where, json.dumps(template, ensure_ascii=False), json.dumps(fmt, ensure_ascii=False),
                ("names {%s}, but the format has %d argument(s)" % ("}, {".join(map(str, wrong)), n))
                if wrong else "leaves out {%s}" % "}, {".join(map(str, unused))))
    for fmt in table:
        if fmt not in known:
            out.append("refusals.json: %s is no longer in the sources" % json.dumps(fmt, ensure_ascii=False))
    return out


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 2
    prefixes = tuple(p.rstrip("/") + "/" for p in argv[2:])
    if prefixes and argv[1] == "--update":
        print("refusals.py: --update takes no path (it keeps the whole table)", file=sys.stderr)
        return 2
    try:
        formats = source_formats()
        whole = load_file()
        table = whole.get("zh", {})
        terms = whole.get("zh_terms", {})
        lists = whole.get("zh_or_lists", {})
        roles = role_names()
    except (OSError, ValueError) as e:
        print("refusals.py: %s" % e, file=sys.stderr)
        return 2
    if argv[1] == "--update":
        zh = {fmt: table.get(fmt, "") for fmt, _ in formats}
        with open(TABLE, "w", encoding="utf-8") as f:
            json.dump({"about": ABOUT, "zh": zh, "zh_terms": terms, "zh_or_lists": lists}, f,
                      ensure_ascii=False, indent=1)
            f.write("\n")
        missing = sum(1 for v in zh.values() if not v)
        print("refusals.py: %d format(s), %d without a translation" % (len(zh), missing))
        return 0
    if prefixes:
        formats = [(fmt, where) for fmt, where in formats if where.startswith(prefixes)]
        table = {fmt: v for fmt, v in table.items() if fmt in {f for f, _ in formats}}
    if argv[1] == "--list":
        for fmt, where in formats:
            print("%s\t%s" % (where, json.dumps(fmt, ensure_ascii=False)))
        return 0
    if argv[1] == "--check":
        found = problems(formats, table)
        found += ["refusals.json: the term %s has no Chinese" % json.dumps(k) for k, v in terms.items() if not v]
        found += list_problems(terms, lists, roles)
        for p in found:
            print(p)
        print("refusals.py: %d format(s), %d problem(s)" % (len(formats), len(found)),
              file=sys.stderr)
        return 1 if found else 0
    print("refusals.py: unknown option %s (see --help)" % argv[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
