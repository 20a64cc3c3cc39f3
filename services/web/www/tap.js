// tap.js — the event tap (IT, the service manager): the live event stream of
// /api/events as `asctl tap` shows it (local time, type, source:seq,
// subject, actor, via) with the payload readable on a click; filters by type
// prefix, subject and source; pause (events wait, counted) and resume; the
// last KEEP events kept, the oldest dropped (tap.html?keep=N: 3 to 5000).
"use strict";

const KEEP = Math.min(5000, Math.max(3, Math.trunc(Number(new URLSearchParams(location.search).get("keep"))) || 500));
const events = []; // newest first, at most KEEP
let waiting = []; // arrived while paused, oldest first
let paused = false;

function filters() {
  return {
    type: document.getElementById("f-type").value.trim(),
    subject: document.getElementById("f-subject").value.trim().toLowerCase(),
    source: document.getElementById("f-source").value.trim(),
  };
}
function matches(e, f) {
  return (
    (!f.type || e.type.startsWith(f.type)) &&
    (!f.subject || (e.subject || "").toLowerCase().includes(f.subject)) &&
    (!f.source || (e.source || "").startsWith(f.source))
  );
}

// A local time with seconds: "2026-12-04 14:05:09".
function when(us) {
  if (!us) return "";
  return App.date(us) + " " + App.clock(new Date(Number(us) / 1000));
}

// The payload as an indented list of "name: value" lines: times (…_us) in
// local time, amounts (…_cents) in currency, everything as text.
function valueText(key, v) {
  if (key.endsWith("_us") && v !== "" && !isNaN(Number(v))) return when(v);
  if (key.endsWith("_cents") && v !== "" && !isNaN(Number(v))) return App.money(v);
  return String(v);
}
function tree(value, key) {
  if (value === null || typeof value !== "object") return App.el("span", "tap-v", valueText(key || "", value));
  const list = App.el("ul", "tap-tree");
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i + 1), v]) : Object.entries(value);
  for (const [k, v] of entries) {
    const li = App.el("li");
    // a time or an amount is shown converted: its name without the unit
    const name = typeof v !== "object" && /_(us|cents)$/.test(k) ? k.replace(/_(us|cents)$/, "") : k;
    li.append(App.el("span", "tap-k", name + ": "));
    li.append(tree(v, Array.isArray(value) ? key || "" : k));
    list.append(li);
  }
  if (!entries.length) list.append(App.el("li", "tap-v", "—"));
  return list;
}

function row(e) {
  const li = App.el("li", "tap-event");
  li.dataset.type = e.type;
  li.dataset.subject = e.subject || "";
  const head = App.el("button", "tap-head");
  head.type = "button";
  head.setAttribute("aria-expanded", "false");
  head.append(
    App.el("span", "tap-time", when(e.occurred_us || e.time_us)),
    App.el("span", "tap-type", e.type),
    App.el("span", "tap-source", e.source + ":" + e.seq),
    App.el("span", "tap-subject", e.subject || ""),
    App.el("span", "tap-actor", (e.actor || "") + (e.via ? " " + App.t("tap.via") + " " + e.via : ""))
  );
  const body = App.el("div", "tap-payload");
  body.hidden = true;
  head.addEventListener("click", () => {
    if (!body.firstChild) {
      if (e.occurred_us && e.occurred_us !== e.time_us)
        body.append(App.el("p", "tap-recorded", App.t("tap.recorded") + " " + when(e.time_us)));
      body.append(e.payload ? tree(e.payload) : App.el("p", "tap-v", App.t("tap.no_payload")));
    }
    body.hidden = !body.hidden;
    head.setAttribute("aria-expanded", String(!body.hidden));
    li.classList.toggle("open", !body.hidden);
  });
  li.append(head, body);
  return li;
}

function counts() {
  const f = filters();
  const shown = events.filter((e) => matches(e, f)).length;
  const fill = (key, values) => App.t(key).replace(/\{(\w+)\}/g, (_, k) => String(values[k]));
  let text = fill("tap.counts", { shown, kept: events.length, max: KEEP });
  if (paused) text += " · " + fill("tap.waiting", { n: waiting.length });
  document.getElementById("counts").textContent = text;
}

function renderAll() {
  const f = filters();
  document.getElementById("events").replaceChildren(...events.filter((e) => matches(e, f)).map(row));
  counts();
}

function add(batch) {
  const list = document.getElementById("events");
  const f = filters();
  for (const e of batch) {
    events.unshift(e);
    if (matches(e, f)) list.prepend(row(e));
  }
  const dropped = events.splice(KEEP);
  if (dropped.length) {
    // the oldest left the list: drop their rows too
    const keep = events.filter((e) => matches(e, f)).length;
    while (list.children.length > keep) list.lastChild.remove();
  }
  counts();
}

function setPaused(p) {
  paused = p;
  const b = document.getElementById("pause");
  b.dataset.label = paused ? "tap.resume" : "tap.pause";
  b.textContent = App.t(b.dataset.label);
  b.classList.toggle("paused", paused);
  if (!paused && waiting.length) {
    const batch = waiting;
    waiting = [];
    add(batch);
  }
  counts();
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  for (const id of ["f-type", "f-subject", "f-source"])
    for (const kind of ["input", "change"]) document.getElementById(id).addEventListener(kind, renderAll);
  document.getElementById("filters").addEventListener("submit", (e) => e.preventDefault());
  document.getElementById("pause").addEventListener("click", () => setPaused(!paused));
  document.getElementById("clear").addEventListener("click", () => {
    events.length = 0;
    waiting = [];
    renderAll();
  });
  document.addEventListener("languagechange", renderAll);
  App.follow((e) => {
    if (paused) {
      waiting.push(e);
      if (waiting.length > KEEP) waiting.shift();
      counts();
    } else add([e]);
  });
  counts();
});
