#!/usr/bin/env python3
"""Writes grafana-dashboard.json: the after-sales daemons' figures (GET
/metrics) for Grafana 9+. The datasource is a variable (${datasource}), so
the file imports on any Grafana with a Prometheus datasource; `service`
picks the daemons shown. Run it again after changing a panel here:
    python3 deploy/monitoring/make_dashboard.py
"""
import json
import os

DS = {"type": "prometheus", "uid": "${datasource}"}
SVC = 'service=~"$service"'
panels = []
_id = [0]


def panel(title, kind, targets, x, y, w=12, h=8, unit=None, description="", **extra):
    _id[0] += 1
    p = {
        "id": _id[0],
        "title": title,
        "description": description,
        "type": kind,
        "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [
            {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": chr(65 + i)}
            for i, (expr, legend) in enumerate(targets)
        ],
        "fieldConfig": {"defaults": {}, "overrides": []},
        "options": {},
    }
    if unit:
        p["fieldConfig"]["defaults"]["unit"] = unit
    if kind == "timeseries":
        p["options"] = {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]},
                        "tooltip": {"mode": "multi"}}
    p.update(extra)
    panels.append(p)


def row(title, y):
    _id[0] += 1
    panels.append({"id": _id[0], "type": "row", "title": title, "collapsed": False,
                   "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}, "panels": []})


row("Health", 0)
panel("Up", "stat", [('up{job="aftersales"}', "{{instance}}")], 0, 1, 6, 5,
      description="1: the daemon answered its last scrape.",
      options={"colorMode": "background", "reduceOptions": {"calcs": ["lastNotNull"]}},
      fieldConfig={"defaults": {"mappings": [{"type": "value", "options": {"0": {"text": "DOWN", "color": "red"},
                                                                            "1": {"text": "up", "color": "green"}}}]},
                   "overrides": []})
panel("Caught up", "stat", [(f"as_caught_up{{{SVC}}}", "{{service}}")], 6, 1, 6, 5,
      description="1: every source the daemon follows is applied up to the last seq it announced.",
      options={"colorMode": "background", "reduceOptions": {"calcs": ["lastNotNull"]}},
      fieldConfig={"defaults": {"mappings": [{"type": "value", "options": {"0": {"text": "behind", "color": "orange"},
                                                                            "1": {"text": "caught up", "color": "green"}}}]},
                   "overrides": []})
panel("Store writable", "stat", [(f"as_store_writable{{{SVC}}}", "{{service}}")], 12, 1, 6, 5,
      description="1: the last write transaction committed and the disk has room.",
      options={"colorMode": "background", "reduceOptions": {"calcs": ["lastNotNull"]}},
      fieldConfig={"defaults": {"mappings": [{"type": "value", "options": {"0": {"text": "NOT WRITABLE", "color": "red"},
                                                                            "1": {"text": "writable", "color": "green"}}}]},
                   "overrides": []})
panel("Version and uptime", "table",
      [(f"as_build_info{{{SVC}}}", ""), (f"time() - as_process_start_time_seconds{{{SVC}}}", "")],
      18, 1, 6, 5, description="The build each daemon runs (git describe) and how long it has run.",
      transformations=[{"id": "merge", "options": {}},
                       {"id": "organize", "options": {"excludeByName": {"Time": True, "Value #A": True, "__name__": True,
                                                                         "job": True},
                                                      "renameByName": {"Value #B": "uptime (s)"}}}])
for t in panels[-1]["targets"]:
    t["format"] = "table"
    t["instant"] = True

row("Events", 6)
panel("Lag per source (events)", "timeseries", [(f"as_source_lag_events{{{SVC}}}", "{{service}} <- {{source}}")],
      0, 7, unit="short", description="Events a source announced that the daemon has not applied yet. "
                                      "Alert: above 0 for 5 minutes.")
panel("Events applied per second", "timeseries",
      [(f"sum by (service, source) (rate(as_events_applied_total{{{SVC}}}[$__rate_interval]))", "{{service}} <- {{source}}"),
       (f"sum by (service, source) (rate(as_events_skipped_total{{{SVC}}}[$__rate_interval]))", "skipped: {{service}} <- {{source}}")],
      12, 7, unit="ops")
panel("Replay requests", "timeseries",
      [(f"sum by (service) (rate(as_replay_requests_sent_total{{{SVC}}}[$__rate_interval]))", "sent by {{service}}"),
       (f"sum by (service) (rate(as_replay_requests_answered_total{{{SVC}}}[$__rate_interval]))", "answered by {{service}}"),
       (f"sum by (service) (rate(as_replay_events_received_total{{{SVC}}}[$__rate_interval]))", "events received by {{service}}")],
      0, 15, unit="ops", description="Gaps filled and catch-ups after a stop: a few are normal, a steady "
                                     "stream means events are lost on the way (high-water marks).")
panel("Refused frames and events", "timeseries",
      [(f"sum by (service) (increase(as_frames_rejected_total{{{SVC}}}[$__rate_interval]))", "malformed: {{service}}"),
       (f"sum by (service) (increase(as_events_forged_total{{{SVC}}}[$__rate_interval]))", "forged: {{service}}"),
       (f"sum by (service) (increase(as_events_unknown_source_total{{{SVC}}}[$__rate_interval]))", "unknown source: {{service}}"),
       (f"sum by (service) (increase(as_events_diverged_total{{{SVC}}}[$__rate_interval]))", "diverged: {{service}}")],
      12, 15, unit="short")

row("Commands", 23)
panel("Commands per second by status", "timeseries",
      [(f"sum by (service, status) (rate(as_commands_total{{{SVC}}}[$__rate_interval]))", "{{service}} {{status}}")],
      0, 24, unit="ops")
panel("Refused commands (last hour)", "table",
      [(f'sum by (service, command, status) (increase(as_commands_total{{{SVC},status!="ok"}}[1h])) > 0', "")],
      12, 24, description="Which commands are refused and why (denied, invalid, conflict ...). The "
                          "journal has each with its actor: journalctl -g '^refused '.")
panels[-1]["targets"][0].update({"format": "table", "instant": True})
panels[-1]["transformations"] = [{"id": "organize", "options": {"excludeByName": {"Time": True}}}]

row("Store", 32)
panel("Commit latency", "timeseries",
      [(f"histogram_quantile(0.5, sum by (service, le) (rate(as_commit_seconds_bucket{{{SVC}}}[$__rate_interval])))", "p50 {{service}}"),
       (f"histogram_quantile(0.99, sum by (service, le) (rate(as_commit_seconds_bucket{{{SVC}}}[$__rate_interval])))", "p99 {{service}}")],
      0, 33, unit="s", description="One write transaction of the loop (a turn: the events and commands "
                                   "that waited), begin to commit, fsync included.")
panel("Batch size", "timeseries",
      [(f"sum by (service) (rate(as_batch_size_sum{{{SVC}}}[$__rate_interval])) / sum by (service) (rate(as_batch_size_count{{{SVC}}}[$__rate_interval]))", "mean {{service}}"),
       (f"histogram_quantile(0.99, sum by (service, le) (rate(as_batch_size_bucket{{{SVC}}}[$__rate_interval])))", "p99 {{service}}")],
      12, 33, unit="short", description="Events and commands in one write transaction (group commit).")
panel("Store used of its map", "bargauge",
      [(f"as_store_used_bytes{{{SVC}}} / as_store_map_bytes{{{SVC}}}", "{{service}}")],
      0, 41, unit="percentunit", description="The LMDB map doubles when full. Alert: above 80% for 10 minutes.",
      options={"orientation": "horizontal", "displayMode": "gradient", "reduceOptions": {"calcs": ["lastNotNull"]}},
      fieldConfig={"defaults": {"unit": "percentunit", "min": 0, "max": 1,
                                "thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": None},
                                                                             {"color": "orange", "value": 0.8},
                                                                             {"color": "red", "value": 0.95}]}},
                   "overrides": []})
panel("Store size and disk", "timeseries",
      [(f"as_store_used_bytes{{{SVC}}}", "used {{service}}"), (f"as_store_map_bytes{{{SVC}}}", "map {{service}}"),
       (f"as_store_disk_free_bytes{{{SVC}}}", "disk free {{service}}")],
      12, 41, unit="bytes")
panel("Map growths and commits", "timeseries",
      [(f"as_store_map_growths_total{{{SVC}}}", "map growths {{service}}"),
       (f"sum by (service) (rate(as_store_commits_total{{{SVC}}}[$__rate_interval]))", "commits/s {{service}}")],
      0, 49, unit="short")
panel("Loop held per round", "timeseries",
      [(f"histogram_quantile(0.99, sum by (service, le) (rate(as_loop_busy_seconds_bucket{{{SVC}}}[$__rate_interval])))", "p99 {{service}}"),
       (f"sum by (service) (rate(as_loop_busy_seconds_sum{{{SVC}}}[$__rate_interval]))", "share busy {{service}}")],
      12, 49, unit="s", description="How long one round of a daemon's loop was held by its work (turns, "
                                    "timers, queries): a command, a status request or a scrape that came "
                                    "meanwhile waited that long. \"share busy\": seconds of work per second. "
                                    "Alert: a round above 1 s.")

dashboard = {
    "__requires": [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "9.0.0"},
                   {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}],
    "uid": "aftersales-daemons",
    "title": "After-sales daemons",
    "description": "Every daemon's GET /metrics: health, lag, commands, the store (deploy/README.md, Monitor).",
    "tags": ["aftersales"],
    "timezone": "browser",
    "editable": True,
    "schemaVersion": 37,
    "version": 1,
    "refresh": "30s",
    "time": {"from": "now-6h", "to": "now"},
    "templating": {"list": [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0, "refresh": 1, "options": []},
        {"name": "service", "label": "Service", "type": "query", "datasource": DS,
         "query": {"query": "label_values(as_build_info, service)", "refId": "service"},
         "definition": "label_values(as_build_info, service)", "refresh": 2, "includeAll": True,
         "multi": True, "allValue": ".*", "current": {"text": "All", "value": "$__all"}, "options": [],
         "sort": 1},
    ]},
    "annotations": {"list": []},
    "panels": panels,
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grafana-dashboard.json")
with open(out, "w") as f:
    json.dump(dashboard, f, indent=2)
    f.write("\n")
