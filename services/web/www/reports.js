// reports.js — the monthly reports (kpi.monthly.*): the department's and the
// OEM's report of each month as kpi generated them on the 1st, with their
// state, due date, submission (late) and corrections; one report's figures
// in currency and percent with their formulas; Submit (the information clerk
// the OEM's, the service manager or the clerk the department's), Correct with
// a reason once submitted, and Print (the sheet alone, @media print). Read
// again after a change and on kpi.monthly.* live events.
"use strict";

const state = {
  reports: [],
  shown: null, // {kind, month}: the report open below the list
  report: null, // its kpi.monthly.show reply
};

// A figure's name and value for people, as the dashboard shows them.
function figureName(name) {
  const t = App.t("dashboard.fig." + name);
  return t === "dashboard.fig." + name ? name : t;
}
function figureValue(f) {
  if (!f.defined) return "-";
  const v = Number(f.value || 0);
  if (f.unit === "%") return v.toFixed(1) + "%";
  if (f.unit === "cents") return App.money(Math.round(v));
  if (f.unit === "") return v.toFixed(0);
  if (f.unit === "h") return v.toFixed(2) + " h";
  return v.toFixed(2);
}
function figureTarget(f) {
  if (f.target === undefined) return "";
  return f.unit === "cents" ? App.money(Math.round(f.target)) : String(f.target);
}
function achievement(f) {
  return f.target !== undefined && f.achievement !== undefined ? Math.round(100 * f.achievement) + "%" : "";
}
function kindText(kind) {
  return App.t("reports.kind." + kind);
}
function badges(r) {
  const span = App.el("span", "reports-badges");
  const pill = (key, cls) => span.append(App.el("span", "pill " + cls, App.t(key)));
  pill("reports.state." + r.state, "state-" + r.state);
  if (r.late) pill("reports.late", "late");
  if (r.corrections) pill("reports.corrected_badge", "corrected");
  return span;
}
function who(date, by) {
  return date ? date + (by ? " · " + by : "") : "";
}

function renderList() {
  const rows = state.reports;
  document.getElementById("count").textContent = rows.length ? "(" + rows.length + ")" : "";
  const table = App.table([
    { label: "reports.month", value: (r) => r.month },
    { label: "reports.kind", value: (r) => kindText(r.kind) },
    { label: "reports.state", value: (r) => badges(r) },
    { label: "reports.due", value: (r) => r.due_date },
    { label: "reports.submitted", value: (r) => who(r.submitted_date, r.submitted_by) },
    { label: "reports.open", value: (r) => App.button("reports.show", "", () => open(r.kind, r.month)) },
  ], rows, (r) => (state.shown && r.kind === state.shown.kind && r.month === state.shown.month ? "selected" : ""));
  rows.forEach((r, i) => (table.tBodies[0].rows[i].dataset.report = r.month + "|" + r.kind));
  document.getElementById("list").replaceChildren(rows.length ? table : App.el("p", "hint", App.t("reports.none")));
}

function renderReport() {
  const r = state.report;
  const $ = (id) => document.getElementById(id);
  $("sheet").hidden = !r;
  if (!r) return;
  const title = App.t("reports.title." + r.kind) + " · " + r.month;
  $("title").textContent = title;
  document.title = title;
  $("f-state").replaceChildren(badges(r));
  $("f-generated").textContent = who(r.generated_date, r.generated_by);
  $("f-due").textContent = r.due_date || "";
  $("f-submitted").textContent = who(r.submitted_date, r.submitted_by);
  $("f-corrected").textContent = r.corrections
    ? who(r.corrected_date, r.corrected_by) + " · " + r.correction_reason + (r.corrections > 1 ? " (" + r.corrections + ")" : "")
    : "";
  const submitted = r.state === "submitted";
  $("submit").hidden = submitted;
  $("correct").hidden = !submitted;
  $("reason").parentElement.hidden = !submitted;
  const figures = r.figures || [];
  const table = App.table([
    { label: "reports.figure", value: (f) => figureName(f.name) },
    { label: "reports.value", value: (f) => figureValue(f), cls: "num" },
    { label: "reports.target", value: (f) => figureTarget(f), cls: "num" },
    { label: "reports.achievement", value: (f) => achievement(f), cls: "num" },
    { label: "reports.formula", value: (f) => App.formula(f), cls: "formula" },
  ], figures, (f) => (f.defined ? "" : "undefined"));
  figures.forEach((f, i) => (table.tBodies[0].rows[i].dataset.figure = f.name));
  $("figures").replaceChildren(table);
}

const readList = App.reader(async () => {
  await App.readList("list-error", async () => {
    const ask = {};
    const s = document.getElementById("state").value;
    if (s) ask.state = s;
    const reply = await App.call("kpi.monthly.list", ask);
    state.reports = (reply.reports || []).slice().reverse(); // the latest month first
    renderList();
  });
});
const readReport = App.reader(async () => {
  if (!state.shown) return;
  await App.readList("action-error", async () => {
    state.report = await App.call("kpi.monthly.show", state.shown);
    renderReport();
  });
});

function open(kind, month) {
  state.shown = { kind, month };
  document.getElementById("action-error").textContent = "";
  document.getElementById("reason").value = "";
  renderList();
  readReport();
}

async function submit(button) {
  const r = state.report;
  const done = await App.act(button, document.getElementById("action-error"), "submit:" + r.kind + ":" + r.month,
    "kpi.monthly.submit", { kind: r.kind, month: r.month });
  if (done) {
    state.report = done;
    renderReport();
    readList();
  }
}

async function correct(button) {
  const r = state.report;
  const reason = document.getElementById("reason").value.trim();
  const request = { kind: r.kind, month: r.month, reason };
  const done = await App.act(button, document.getElementById("action-error"),
    "correct:" + JSON.stringify(request), "kpi.monthly.correct", request);
  if (done) {
    document.getElementById("reason").value = "";
    state.report = done;
    renderReport();
    readList();
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  const $ = (id) => document.getElementById(id);
  document.addEventListener("languagechange", () => {
    renderList();
    renderReport();
  });
  $("state").addEventListener("change", readList);
  $("submit").addEventListener("click", (e) => submit(e.currentTarget));
  $("correct").addEventListener("click", (e) => correct(e.currentTarget));
  $("print").addEventListener("click", () => window.print());
  const ask = new URLSearchParams(location.search);
  if (ask.get("kind") && ask.get("month")) state.shown = { kind: ask.get("kind"), month: ask.get("month") };
  App.follow((e) => {
    if (!e.type || !e.type.startsWith("kpi.monthly.")) return;
    readList();
    readReport();
  });
  await readList();
  readReport();
});
