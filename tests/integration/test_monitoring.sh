#!/usr/bin/env bash
# labels: ops
# timeout: 120
# deploy/monitoring/ holds together: the scrape config and the alert rules
# pass promtool (check config, check rules, and the rules' own unit test
# alerts_test.yml: a consumer lagging for 5 minutes fires, one that goes up
# and down does not ...) when Debian's prometheus package is installed, and
# parse as YAML of the right shape in any case; the Grafana dashboard is
# importable JSON with its datasource as a variable and panels that do not
# overlap; every metric a rule or a panel names is one the daemons really
# serve (scraped from a running demo pair); the scrape config's targets are
# the ports of the installed site.ini.example.
. "$(dirname "$0")/lib.sh"
setup monitoring
MON="$(cd "$(dirname "$0")/../../deploy/monitoring" && pwd)"

if command -v promtool >/dev/null; then
    promtool check config "$MON/prometheus.yml" >"$T/promtool.out" 2>&1 ||
        fail "promtool check config: $(cat "$T/promtool.out")"
    promtool check rules "$MON/alerts.yml" >"$T/promtool.out" 2>&1 ||
        fail "promtool check rules: $(cat "$T/promtool.out")"
    (cd "$MON" && promtool test rules alerts_test.yml) >"$T/promtool.out" 2>&1 ||
        fail "promtool test rules: $(cat "$T/promtool.out")"
    log "ok: promtool checks the config, the rules and their unit test"
else
    log "promtool not installed (Debian's prometheus package): YAML shape only"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P_DEMO=$(free_port)
P_SINK=$(free_port)
sed -i "/^\[demo\]/a metrics_listen = 127.0.0.1:$P_DEMO" "$CONFIG"
sed -i "/^\[sink\]/a metrics_listen = 127.0.0.1:$P_SINK" "$CONFIG"
start_bus bus
start_daemon source
start_daemon sink
ctl call demo.generate count=5 >/dev/null
wait_for "sink applied 5" sink_count_is 5
curl -sf "http://127.0.0.1:$P_DEMO/metrics" >"$T/metrics.txt"
curl -sf "http://127.0.0.1:$P_SINK/metrics" >>"$T/metrics.txt"

EXAMPLE="$AS_BUILD/deploy/site.ini.example"
python3 - "$MON" "$T/metrics.txt" "$EXAMPLE" >"$T/check.out" 2>&1 <<'PY' || fail "$(cat "$T/check.out")"
import json, re, sys, yaml
mon, metrics_file, example = sys.argv[1:4]
problems = []

# the names the daemons serve (histograms as _bucket/_sum/_count)
served = set()
for line in open(metrics_file):
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split()
        served.add(name)
        if kind == "histogram":
            served.update(name + s for s in ("_bucket", "_sum", "_count"))
served.add("up")

def names_in(expr):
    return set(re.findall(r"\b(as_[a-z_]+|up)\b(?=\s*[{\[)\s/<>*+-]|\s*$)", expr))

# prometheus.yml: one job, the rule file, targets = the example's ports
prom = yaml.safe_load(open(mon + "/prometheus.yml"))
jobs = prom["scrape_configs"]
if [j["job_name"] for j in jobs] != ["aftersales"]:
    problems.append("scrape_configs: expected the one job 'aftersales'")
if prom.get("rule_files") != ["alerts.yml"]:
    problems.append("rule_files: expected alerts.yml")
targets = {t for j in jobs for sc in j["static_configs"] for t in sc["targets"]}
listens = set(re.findall(r"^metrics_listen = (\S+)$", open(example).read(), re.M))
if targets != listens:
    problems.append("targets %s are not the ports of site.ini.example %s" % (sorted(targets), sorted(listens)))
if len(listens) < 9:
    problems.append("site.ini.example names %d metrics ports, not one per daemon" % len(listens))

# alerts.yml: groups of rules, each with alert, expr, labels.severity, annotations.summary
rules = yaml.safe_load(open(mon + "/alerts.yml"))
alerts = {}
for g in rules["groups"]:
    for r in g["rules"]:
        alerts[r["alert"]] = r
        if r.get("labels", {}).get("severity") not in ("warning", "critical"):
            problems.append(r["alert"] + ": no severity")
        if not r.get("annotations", {}).get("summary"):
            problems.append(r["alert"] + ": no summary")
        for n in names_in(r["expr"]) - served:
            problems.append("%s names %s, which no daemon serves" % (r["alert"], n))
for want in ("AftersalesServiceDown", "AftersalesConsumerLagging", "AftersalesStoreNearMapSize",
             "AftersalesCommandsFailing", "AftersalesStoreNotWritable"):
    if want not in alerts:
        problems.append("no alert " + want)
if alerts.get("AftersalesConsumerLagging", {}).get("for") != "5m":
    problems.append("the lag alert waits %s, not 5m" % alerts.get("AftersalesConsumerLagging", {}).get("for"))
if "0.8" not in alerts.get("AftersalesStoreNearMapSize", {}).get("expr", ""):
    problems.append("the map alert is not at 80%")

# the dashboard
d = json.load(open(mon + "/grafana-dashboard.json"))
variables = {v["name"]: v for v in d["templating"]["list"]}
if variables.get("datasource", {}).get("type") != "datasource" or variables["datasource"].get("query") != "prometheus":
    problems.append("the dashboard has no prometheus datasource variable")
ids, cells, used = set(), {}, set()
for p in d["panels"]:
    if p["id"] in ids:
        problems.append("panel id %s twice" % p["id"])
    ids.add(p["id"])
    g = p["gridPos"]
    if g["x"] < 0 or g["w"] < 1 or g["x"] + g["w"] > 24:
        problems.append("%s: outside the 24 columns" % p["title"])
    for x in range(g["x"], g["x"] + g["w"]):
        for y in range(g["y"], g["y"] + g["h"]):
            if (x, y) in cells:
                problems.append("%s overlaps %s" % (p["title"], cells[(x, y)]))
                break
            cells[(x, y)] = p["title"]
    if p["type"] == "row":
        continue
    if p.get("datasource", {}).get("uid") != "${datasource}":
        problems.append("%s: datasource is not ${datasource}" % p["title"])
    if not p.get("targets"):
        problems.append("%s: no query" % p["title"])
    for t in p.get("targets", []):
        if t.get("datasource", {}).get("uid") != "${datasource}":
            problems.append("%s: a query's datasource is not ${datasource}" % p["title"])
        for n in names_in(t["expr"]):
            used.add(n)
            if n not in served:
                problems.append("%s names %s, which no daemon serves" % (p["title"], n))
for want in ("as_source_lag_events", "as_commands_total", "as_commit_seconds_bucket",
             "as_batch_size_bucket", "as_store_used_bytes", "as_store_map_bytes",
             "as_store_map_growths_total", "as_replay_requests_sent_total",
             "as_replay_requests_answered_total", "as_frames_rejected_total",
             "as_events_forged_total", "as_events_unknown_source_total",
             "as_events_applied_total", "as_build_info", "as_process_start_time_seconds",
             "as_loop_busy_seconds_bucket"):
    if want not in used:
        problems.append("no panel shows " + want)
for p in problems:
    print(p)
print("%d alerts, %d panels, %d metrics served" % (len(alerts), len(d["panels"]), len(served)))
sys.exit(1 if problems else 0)
PY
log "$(tail -1 "$T/check.out")"
finish
