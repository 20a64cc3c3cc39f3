// dashboard.js — the service manager's dashboard: the figures of kpi.report
// for a month or a day with their formulas, the month's targets (set here by
// the managers kpi lets: kpi.target.set) and achievement; the trend of a
// figure over the last months and per technician as charts (Chart.js from
// Debian's libjs-chart.js, served at /js/); the figures per technician and
// per advisor; a click on a figure (the department's, or a technician's or
// advisor's in their tables) lists the repair orders behind it with their
// shares (kpi.figure.ros, by and key for a person). Read again after a change and on live events (debounced).
"use strict";

const TREND_MONTHS = 6;
// The figures the per-person tables show (all are in kpi.report's rows).
const TECH_FIGURES = ["sold hours", "actual hours", "available hours", "labour efficiency", "labour utilisation",
  "first-time-fix rate", "comeback rate", "vehicles handed over", "labour sales"];
const ADVISOR_FIGURES = ["vehicles handed over", "service sales", "gross profit", "appointment rate",
  "first-time-fix rate", "comeback rate", "csi", "csi top share"];
const TARGET_ROLES = ["service_manager", "parts_manager"]; // kpi.target.set's catalog roles

const state = { department: null, technicians: null, advisors: null, trend: [], editing: null, ros: null };
let trendChart = null, techChart = null;

const two = (n) => String(n).padStart(2, "0");
function thisMonth() {
  const d = new Date();
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}`;
}
function monthsBack(month, n) {
  const [y, m] = month.split("-").map(Number);
  const out = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(y, m - 1 - i, 1);
    out.push(`${d.getFullYear()}-${two(d.getMonth() + 1)}`);
  }
  return out;
}

function period() {
  const month = document.getElementById("month").value || thisMonth();
  const day = document.getElementById("day").value;
  return day && day.startsWith(month) ? { month, day } : { month };
}
function periodText(p) {
  return p.day || p.month;
}

// A figure's name, its value and target for people (as asctl kpi report).
function figureName(name) {
  const t = App.t("dashboard.fig." + name);
  return t === "dashboard.fig." + name ? name : t;
}
function number(unit, value) {
  if (unit === "%") return Number(value).toFixed(1) + "%";
  if (unit === "cents") return App.money(Math.round(value));
  if (unit === "") return Number(value).toFixed(0);
  if (unit === "h") return Number(value).toFixed(2) + " h";
  if (unit === "days") return Number(value).toFixed(1) + " " + App.t("dashboard.unit.days");
  if (unit === "lines/h") return Number(value).toFixed(2) + " " + App.t("dashboard.unit.lines/h");
  return Number(value).toFixed(2);
}
function shown(f) {
  return f && f.defined ? number(f.unit || "", f.value || 0) : "-";
}
function achievement(f) {
  return f.target !== undefined && f.achievement !== undefined ? Math.round(100 * f.achievement) + "%" : "";
}
function figureOf(row, name) {
  return row && (row.figures || []).find((f) => f.name === name);
}

// --- the department's figures ------------------------------------------------

function mayTarget() {
  return App.me.roles.some((r) => TARGET_ROLES.includes(r));
}

function targetForm(f) {
  const form = App.el("form", "dash-target-form");
  const input = App.el("input");
  input.type = "number";
  input.step = "any";
  input.min = "0";
  input.required = true;
  input.className = "dash-target-input";
  input.setAttribute("aria-label", App.t("dashboard.target"));
  const unit = f.unit === "cents" ? App.me.currency || "" : f.unit === "" ? "" : f.unit;
  if (f.target !== undefined) input.value = f.unit === "cents" ? f.target / 100 : f.target;
  const save = App.el("button", "dash-target-save", App.t("dashboard.save"));
  save.type = "submit";
  const cancel = App.el("button", "dash-target-cancel", App.t("dashboard.cancel"));
  cancel.type = "button";
  const error = App.el("p", "error dash-target-error");
  error.setAttribute("role", "alert");
  form.append(input, App.el("span", "dash-unit", unit), save, cancel, error);
  cancel.addEventListener("click", () => {
    state.editing = null;
    renderFigures();
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const editing = state.editing;
    const typed = Number(input.value);
    const value = f.unit === "cents" ? Math.round(typed * 100) : typed;
    // the same action sent again (a retry) reuses its key; another value is another action
    if (editing.value !== value) {
      editing.value = value;
      editing.key = App.newKey();
    }
    save.disabled = true;
    error.textContent = "";
    try {
      await App.call("kpi.target.set", { month: editing.month, metric: f.name, value }, editing.key);
      state.editing = null;
      await readAll();
    } catch (err) {
      error.textContent = App.errorText(err);
      save.disabled = false;
    }
  });
  return form;
}

function figureCard(f) {
  const card = App.el("article", "dash-figure" + (f.defined ? "" : " undefined"));
  card.dataset.figure = f.name;
  const open = App.el("button", "dash-figure-open");
  open.type = "button";
  open.append(App.el("span", "dash-name", figureName(f.name)), App.el("span", "dash-value", shown(f)));
  open.addEventListener("click", () => openRos(f.name));
  card.append(open);
  card.append(App.el("p", "dash-formula", App.formula(f)));
  const line = App.el("p", "dash-target");
  if (f.target !== undefined) {
    line.append(App.el("span", "", App.t("dashboard.target") + " " + number(f.unit || "", f.target)));
    const a = achievement(f);
    if (a) {
      const span = App.el("span", "dash-achievement " + (f.achievement >= 1 ? "met" : "below"), a);
      line.append(" · ", span);
    }
  }
  card.append(line);
  if (mayTarget() && state.editing && state.editing.metric === f.name) {
    card.append(targetForm(f));
  } else if (mayTarget()) {
    const set = App.el("button", "dash-target-set", App.t(f.target !== undefined ? "dashboard.change_target" : "dashboard.set_target"));
    set.type = "button";
    set.addEventListener("click", () => {
      // the action is prepared: its key is made now and kept for a retry
      state.editing = { metric: f.name, month: period().month, key: App.newKey(), value: undefined };
      renderFigures();
      const input = document.querySelector(`.dash-figure[data-figure="${CSS.escape(f.name)}"] input`);
      if (input) input.focus();
    });
    card.append(set);
  }
  return card;
}

function renderFigures() {
  const row = state.department && state.department.rows && state.department.rows[0];
  const box = document.getElementById("figures");
  // a target being typed survives a read again (a live event)
  const typing = box.querySelector(".dash-target-input");
  const typed = typing ? typing.value : null;
  const focused = typing && document.activeElement === typing;
  box.replaceChildren(...(row ? row.figures.map(figureCard) : []));
  const input = box.querySelector(".dash-target-input");
  if (input && typed !== null) input.value = typed;
  if (input && focused) input.focus();
}

// --- per technician and per advisor -------------------------------------------

// A person's figure: a button that lists the ROs behind it (that person's shares).
function personFigure(by, row, name) {
  const open = App.el("button", "dash-person-open", shown(figureOf(row, name)));
  open.type = "button";
  open.dataset.figure = name;
  open.dataset.key = row.key;
  open.addEventListener("click", () => openRos(name, { by, key: row.key }));
  return open;
}

function personTable(report, names, by) {
  const rows = (report && report.rows) || [];
  if (!rows.length) return App.el("p", "dash-note", App.t("dashboard.nobody"));
  const columns = [{ label: "dashboard.who", value: (r) => r.key }];
  for (const name of names) {
    if (!rows[0].figures.some((f) => f.name === name)) continue;
    columns.push({ label: "dashboard.fig." + name, cls: "num", value: (r) => personFigure(by, r, name) });
  }
  return App.table(columns, rows);
}

function renderPeople() {
  document.getElementById("technicians").replaceChildren(personTable(state.technicians, TECH_FIGURES, "technician"));
  document.getElementById("advisors").replaceChildren(personTable(state.advisors, ADVISOR_FIGURES, "advisor"));
}

// --- charts ------------------------------------------------------------------

function chartValue(f) {
  if (!f || !f.defined) return null;
  return f.unit === "cents" ? f.value / 100 : f.value;
}

function renderCharts() {
  if (typeof Chart === "undefined") {
    // js_dir has no Chart.js (Debian's libjs-chart.js): the figures still work
    for (const box of document.querySelectorAll(".dash-chart canvas")) box.replaceWith(App.el("p", "dash-note", App.t("dashboard.no_charts")));
    return;
  }
  const name = document.getElementById("trend-figure").value;
  const row = state.department && state.department.rows && state.department.rows[0];
  const unit = (figureOf(row, name) || {}).unit;
  const unitText = unit === "cents" ? App.me.currency || "" : unit === "score" ? "" : unit || "";
  const label = figureName(name) + (unitText ? " (" + unitText + ")" : "");
  const months = state.trend.map((t) => t.month);
  const values = state.trend.map((t) => chartValue(figureOf(t.report && t.report.rows[0], name)));
  const targets = state.trend.map((t) => {
    const f = figureOf(t.report && t.report.rows[0], name);
    return f && f.target !== undefined ? (f.unit === "cents" ? f.target / 100 : f.target) : null;
  });
  const trendData = {
    labels: months,
    datasets: [
      { label, data: values, borderColor: "#1f3a5f", backgroundColor: "#1f3a5f", tension: 0.2 },
      { label: App.t("dashboard.target"), data: targets, borderColor: "#b3261e", borderDash: [6, 4], pointRadius: 4, spanGaps: true },
    ],
  };
  const options = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    scales: { y: { beginAtZero: true } },
    plugins: { legend: { position: "bottom" } },
  };
  if (trendChart) {
    trendChart.data = trendData;
    trendChart.update();
  } else trendChart = new Chart(document.getElementById("trend"), { type: "line", data: trendData, options });

  const techs = (state.technicians && state.technicians.rows) || [];
  document.getElementById("tech-chart-figure").textContent = label;
  const techData = {
    labels: techs.map((r) => r.key),
    datasets: [{ label, data: techs.map((r) => chartValue(figureOf(r, name))), backgroundColor: "#4a7bb7" }],
  };
  if (techChart) {
    techChart.data = techData;
    techChart.update();
  } else techChart = new Chart(document.getElementById("tech-chart"), { type: "bar", data: techData, options });
}

function fillTrendChoice() {
  const select = document.getElementById("trend-figure");
  const row = state.department && state.department.rows && state.department.rows[0];
  if (!row) return;
  const chosen = select.value || "labour efficiency";
  select.replaceChildren(
    ...row.figures.map((f) => {
      const o = App.el("option", "", figureName(f.name));
      o.value = f.name;
      return o;
    })
  );
  select.value = chosen;
}

// --- the repair orders behind a figure -----------------------------------------

const COUNTER_UNITS = { cents: (v) => App.money(v), minutes: (v) => (v / 60).toFixed(2) + " h" };
function counterText(name, value) {
  const v = Number(value || 0);
  if (name.endsWith("_cents")) return COUNTER_UNITS.cents(v);
  if (name.endsWith("_minutes")) return COUNTER_UNITS.minutes(v);
  return String(v);
}

function renderRos() {
  const panel = document.getElementById("ros-panel");
  if (!state.ros) {
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  const reply = state.ros.reply;
  document.getElementById("ros-figure").textContent = figureName(state.ros.figure);
  const who = state.ros.who;
  document.getElementById("ros-who").textContent = who ? " · " + App.t("dash." + who.by) + " " + who.key : "";
  document.getElementById("ros-period").textContent = state.ros.period;
  const note = document.getElementById("ros-note");
  const table = document.getElementById("ros-table");
  note.textContent = "";
  if (state.ros.error) {
    note.textContent = state.ros.error;
    table.replaceChildren();
    return;
  }
  if (!reply) {
    note.textContent = App.t("dashboard.reading");
    table.replaceChildren();
    return;
  }
  const counters = reply.counters || [];
  const ros = reply.ros || [];
  if (!counters.length) {
    note.textContent = App.t("dashboard.not_per_ro");
    table.replaceChildren();
    return;
  }
  note.textContent = ros.length + " " + App.t("dashboard.ros_count") + (reply.truncated ? " " + App.t("dashboard.truncated") : "");
  const columns = [{ label: "dashboard.ro", value: (r) => r.ro_number, cls: "ro" }];
  for (const c of counters)
    columns.push({ label: "dashboard.counter." + c, cls: "num", value: (r) => counterText(c, (r.counters || {})[c]) });
  // the total: the department's (or the person's) counters the figure's formula is made of
  const total = { ro_number: App.t("dashboard.total"), counters: {} };
  for (const c of counters) total.counters[c] = ros.reduce((sum, r) => sum + Number((r.counters || {})[c] || 0), 0);
  table.replaceChildren(App.table(columns, ros.concat(ros.length ? [total] : []), (r) => (r === total ? "total" : "")));
}

// kpi.figure.ros of the period: the department's figure, or (who: {by, key})
// a technician's or advisor's, whose ROs' shares add up to their row.
function rosAsk(p, figure, who) {
  return Object.assign(p.day ? { day: p.day, figure } : { month: p.month, figure }, who || {});
}

async function openRos(figure, who) {
  const p = period();
  const asked = { figure, period: periodText(p), who, reply: null };
  state.ros = asked;
  renderRos();
  try {
    const reply = await App.call("kpi.figure.ros", rosAsk(p, figure, who));
    if (state.ros === asked) asked.reply = reply;
  } catch (err) {
    if (state.ros === asked) asked.error = App.errorText(err);
  }
  renderRos();
  document.getElementById("ros-panel").scrollIntoView({ block: "start" });
}

// --- the department's expenses of the month (issue 15; the service manager's) --

const Q15_CATEGORIES = ["rent", "utilities", "salaries", "training", "tools", "consumables", "other"];
const q15Keeper = App.keeper();
function q15Manager() {
  return App.me.roles.includes("service_manager");
}
function q15Render() {
  document.getElementById("q15-expenses").hidden = !q15Manager();
  const select = document.getElementById("q15-category");
  const chosen = select.value;
  select.replaceChildren(...Q15_CATEGORIES.map((c) => {
    const o = App.el("option", "", App.t("q15.cat." + c));
    o.value = c;
    return o;
  }));
  if (chosen) select.value = chosen;
  const list = state.q15 || { expenses: [] };
  const rows = list.expenses || [];
  document.getElementById("q15-list").replaceChildren(App.table([
    { label: "q15.category", value: (e) => (e.total ? App.t("q15.total") : App.t("q15.cat." + e.category)) },
    { label: "q15.amount", value: (e) => App.money(e.amount_cents || 0), cls: "num" },
    { label: "q15.note", value: (e) => e.note || "" },
    { label: "q15.recorded_by", value: (e) => e.recorded_by || "" },
  ], rows.concat([{ total: true, amount_cents: list.total_cents || 0 }]), (e) => (e.total ? "q15-total" : "")));
}
async function q15Read(month) {
  state.q15 = q15Manager() ? await App.call("kpi.expense.list", { month }) : null;
}
async function q15Record(e) {
  e.preventDefault();
  const text = document.getElementById("q15-amount").value.trim().replace(/,/g, "");
  const error = document.getElementById("q15-error");
  if (!/^\d+(\.\d{1,2})?$/.test(text)) {
    error.textContent = App.t("q15.bad_amount");
    return;
  }
  const request = { month: period().month, category: document.getElementById("q15-category").value,
    amount_cents: Math.round(Number(text) * 100) };
  const note = document.getElementById("q15-note").value.trim();
  if (note) request.note = note;
  await App.attempt(document.getElementById("q15-record"), error, async () => {
    await App.call("kpi.expense.record", request, q15Keeper.key(request));
    q15Keeper.done();
    document.getElementById("q15-amount").value = "";
    document.getElementById("q15-note").value = "";
    readAll();
  });
}

// --- reading -----------------------------------------------------------------

function render() {
  document.getElementById("period-shown").textContent = periodText(period());
  renderFigures();
  renderPeople();
  fillTrendChoice();
  renderCharts();
  renderRos();
  q15Render();
  document.getElementById("updated").textContent = App.clock(new Date());
}

// never two reads at once: asked while it reads, it reads once more after
const readAll = App.reader(async () => {
  const error = document.getElementById("error");
  try {
    const p = period();
    const ask = (by) => App.call("kpi.report", Object.assign({ by }, p));
    const trendAsk = monthsBack(p.month, TREND_MONTHS).map((month) =>
      App.call("kpi.report", { month, by: "department" }).then((report) => ({ month, report }))
    );
    const [department, technicians, advisors, ...trend] = await Promise.all([ask("department"), ask("technician"), ask("advisor"), ...trendAsk]);
    Object.assign(state, { department, technicians, advisors, trend });
    await q15Read(p.month);
    if (state.ros && state.ros.reply && state.ros.period === periodText(p))
      state.ros.reply = await App.call("kpi.figure.ros", rosAsk(p, state.ros.figure, state.ros.who));
    error.textContent = "";
    render();
    document.body.dataset.period = periodText(p);
  } catch (err) {
    error.textContent = App.errorText(err);
  }
});

// at most one read a second however busy the day (a pending read takes in
// every event that arrives before it)
let soon = null;
function readSoon() {
  if (soon) return;
  soon = setTimeout(() => {
    soon = null;
    readAll();
  }, 1000);
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  const month = document.getElementById("month"), day = document.getElementById("day");
  const params = new URLSearchParams(location.search);
  month.value = params.get("month") || thisMonth();
  if (params.get("day")) day.value = params.get("day");
  month.addEventListener("change", () => {
    if (day.value && !day.value.startsWith(month.value)) day.value = "";
    state.editing = null;
    state.ros = null;
    readAll();
  });
  day.addEventListener("change", () => {
    if (day.value) month.value = day.value.slice(0, 7);
    state.ros = null;
    readAll();
  });
  document.getElementById("whole-month").addEventListener("click", () => {
    day.value = "";
    state.ros = null;
    readAll();
  });
  document.getElementById("period").addEventListener("submit", (e) => e.preventDefault());
  document.getElementById("trend-figure").addEventListener("change", renderCharts);
  document.getElementById("q15-expense-form").addEventListener("submit", q15Record);
  document.getElementById("ros-close").addEventListener("click", () => {
    state.ros = null;
    renderRos();
  });
  document.addEventListener("languagechange", render);
  // any event may move a figure: read again, at most once a second
  App.follow(() => readSoon());
  readAll();
});
