// staff.js — the service manager's people tools (issue 15). The scorecard:
// a person and a period (a month, or from..to: a quarter) -> kpi.scorecard,
// one table per role they hold, each figure with value, target, achievement
// and the department's value beside it; why a figure is not defined under
// its table; printable (@media print). The roster: a week grid of people x
// days from kpi.roster.list, each cell the planned shifts and what was
// attended (attended / missed / planned / unplanned); the service manager,
// the foreman (technicians) and the parts manager (keepers) plan a shift
// (kpi.roster.plan: a named shift or start-end) and take one off
// (kpi.roster.clear: its x, only on a shift kpi lets them clear). Read again
// after a change and on kpi.roster.* and attendance events.
"use strict";

const PLANNERS = ["service_manager", "foreman", "parts_manager"]; // kpi.roster.plan's catalog roles
const SHIFTS = ["day", "early", "late"]; // kpi's named shifts without a [roster] section
const state = { card: null, roster: null, view: "card" };
const planKeys = App.keeper();

const two = (n) => String(n).padStart(2, "0");
function isoDate(d) {
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}
function dateOf(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d);
}
function addDays(iso, n) {
  const d = dateOf(iso);
  d.setDate(d.getDate() + n);
  return isoDate(d);
}
function monday(iso) {
  const d = dateOf(iso);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return isoDate(d);
}

// --- figures as people read them (as the dashboard shows them) -------------

function figureName(name) {
  const t = App.t("dashboard.fig." + name);
  return t === "dashboard.fig." + name ? name : t;
}
function number(unit, value) {
  if (unit === "%") return Number(value).toFixed(1) + "%";
  if (unit === "cents") return App.money(Math.round(value));
  if (unit === "") return Number(value).toFixed(0);
  if (unit === "h") return Number(value).toFixed(2) + " h";
  if (unit === "lines/h") return Number(value).toFixed(2) + " " + App.t("dashboard.unit.lines/h");
  return Number(value).toFixed(2);
}
function roleName(role) {
  const t = App.t("staff.role." + role);
  return t === "staff.role." + role ? role : t;
}
function hours(minutes) {
  return (Number(minutes || 0) / 60).toFixed(1) + " h";
}

// --- the scorecard ------------------------------------------------------------

function renderCard() {
  const card = document.getElementById("card");
  const c = state.card;
  card.hidden = !c;
  if (!c) return;
  document.getElementById("card-title").textContent =
    App.t("staff.card_of") + " " + c.staff_id + " (" + (c.roles || []).map(roleName).join(", ") + ")";
  document.getElementById("card-period").textContent =
    App.t("staff.period") + " " + (c.from_month === c.to_month ? c.from_month : c.from_month + " – " + c.to_month);
  const out = document.getElementById("card-sections");
  out.replaceChildren();
  for (const s of c.sections || []) {
    const section = App.el("section", "staff-card-section");
    section.dataset.role = s.role;
    section.append(App.el("h3", "", roleName(s.role)));
    const figures = s.figures || [];
    const table = App.table(
      [
        { label: "staff.figure", value: (f) => figureName(f.name), cls: "name" },
        { label: "staff.value", value: (f) => (f.defined ? number(f.unit || "", f.value || 0) : "-"), cls: "num value" },
        { label: "staff.target", value: (f) => (f.target !== undefined ? number(f.unit || "", f.target) : ""), cls: "num target" },
        {
          label: "staff.achievement",
          value: (f) => (f.achievement !== undefined ? Math.round(100 * f.achievement) + "%" : ""),
          cls: "num achievement",
        },
        {
          label: "staff.department",
          value: (f) => (f.department_defined ? number(f.unit || "", f.department_value || 0) : "-"),
          cls: "num department",
        },
      ],
      figures,
      (f) => (f.achievement !== undefined ? (f.achievement >= 1 ? "met" : "short") : "")
    );
    for (const [i, tr] of [...table.tBodies[0].rows].entries()) tr.dataset.figure = figures[i].name;
    section.append(table);
    const undefinedOnes = figures.filter((f) => !f.defined);
    if (undefinedOnes.length) {
      const why = App.el("ul", "staff-why");
      for (const f of undefinedOnes) why.append(App.el("li", "", figureName(f.name) + ": " + App.formula(f)));
      section.append(why);
    }
    out.append(section);
  }
}

async function showCard(e) {
  if (e) e.preventDefault();
  const person = document.getElementById("card-person").value.trim();
  const from = document.getElementById("card-from").value, to = document.getElementById("card-to").value || from;
  const error = document.getElementById("card-error");
  await App.attempt(document.getElementById("card-show"), error, async () => {
    const ask = from === to ? { staff_id: person, month: from } : { staff_id: person, from_month: from, to_month: to };
    state.card = await App.call("kpi.scorecard", ask);
    renderCard();
    document.body.dataset.card = person + "|" + from + "|" + to;
  });
}

// --- the roster ---------------------------------------------------------------

function weekDays() {
  const first = document.getElementById("week").value;
  return [0, 1, 2, 3, 4, 5, 6].map((n) => addDays(first, n));
}
function mayPlan() {
  return App.me.roles.some((r) => PLANNERS.includes(r));
}

// Whether the member may take a shift of `day` off the roster, by kpi's rule
// (roster.c: s_may_plan, s_check_day; kpi decides all the same): the service
// manager anyone's, the foreman technicians', the parts manager warehouse
// keepers'; on a day at most 7 days back and 366 ahead. Whose a person is:
// kpi.roster.list says where each day's attendance is kept, which kpi takes
// from the person's roles on the staff list, the same roles it asks here:
// "workshop" for a technician, "parts" for a keeper ("workshop, parts" for
// both, "" for neither). Neither the list nor /api/me names anyone else's
// roles, and the staff list with roles (web.credential.list) is the service
// manager's and IT's only.
const BACK_DAYS = 7, AHEAD_DAYS = 366;
function mayClear(day) {
  const mine = (r) => App.me.roles.includes(r);
  const kept = (day.attendance || "").split(", ");
  if (!(mine("service_manager") || (mine("foreman") && kept.includes("workshop")) || (mine("parts_manager") && kept.includes("parts"))))
    return false;
  const ahead = Math.round((dateOf(day.date) - dateOf(isoDate(new Date()))) / 86400000);
  return ahead >= -BACK_DAYS && ahead <= AHEAD_DAYS;
}

async function clearShift(button, staffId, date, start) {
  const error = document.getElementById("plan-error").hidden ? document.getElementById("roster-error") : document.getElementById("plan-error");
  const done = await App.act(button, error, "clear:" + staffId + "|" + date + "|" + start, "kpi.roster.clear", {
    staff_id: staffId,
    date: date,
    start: start,
  });
  if (done) readRoster();
}

function cell(day) {
  const box = App.el("div", "staff-cell " + day.state);
  box.dataset.state = day.state;
  for (const s of day.planned || []) {
    const line = App.el("div", "staff-shift", s.start + "–" + s.end);
    if (s.shift) line.title = s.shift;
    if (mayClear(day)) {
      const x = App.el("button", "staff-clear", "×");
      x.type = "button";
      x.title = App.t("staff.clear");
      x.setAttribute("aria-label", App.t("staff.clear") + " " + s.start);
      x.addEventListener("click", () => clearShift(x, day.staff_id, day.date, s.start));
      line.append(x);
    }
    box.append(line);
  }
  let text = App.t("staff.state." + day.state);
  if (day.attended_minutes) text += " " + hours(day.attended_minutes);
  box.append(App.el("div", "staff-state " + day.state, text));
  return box;
}

function renderRoster() {
  const out = document.getElementById("roster");
  out.replaceChildren();
  const r = state.roster;
  if (!r) return;
  const days = weekDays();
  const byPerson = new Map();
  for (const d of r.days || []) {
    if (!byPerson.has(d.staff_id)) byPerson.set(d.staff_id, new Map());
    byPerson.get(d.staff_id).set(d.date, d);
  }
  const names = App.lang === "zh" ? ["一", "二", "三", "四", "五", "六", "日"] : ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  const columns = [{ label: "staff.person", value: (p) => p, cls: "person" }].concat(
    days.map((date, i) => ({
      label: (App.lang === "zh" ? "周" : "") + names[i] + " " + date.slice(5),
      value: (p) => {
        const d = byPerson.get(p).get(date);
        return d ? cell(d) : "";
      },
      cls: "day",
    }))
  );
  if (!byPerson.size) {
    out.append(App.el("p", "staff-empty", App.t("staff.roster_empty")));
    return;
  }
  const table = App.table(columns, [...byPerson.keys()].sort());
  for (const [i, tr] of [...table.tBodies[0].rows].entries()) tr.dataset.person = [...byPerson.keys()].sort()[i];
  for (const [i, th] of [...table.tHead.rows[0].cells].entries()) if (i > 0) th.dataset.date = days[i - 1];
  out.append(table);
}

const readRoster = App.reader(async () => {
  const days = weekDays();
  await App.readList("roster-error", async () => {
    state.roster = await App.call("kpi.roster.list", { from: days[0], to: days[6] });
    renderRoster();
    people(state.roster.days.map((d) => d.staff_id));
    document.getElementById("updated").textContent = App.clock(new Date());
    document.body.dataset.week = days[0];
  });
});

async function plan(e) {
  e.preventDefault();
  const shift = document.getElementById("plan-shift").value;
  const body = { staff_id: document.getElementById("plan-person").value.trim(), date: document.getElementById("plan-date").value };
  if (shift) body.shift = shift;
  else Object.assign(body, { start: document.getElementById("plan-start").value, end: document.getElementById("plan-end").value });
  const button = document.getElementById("plan"), error = document.getElementById("plan-error");
  button.disabled = true;
  error.textContent = "";
  try {
    await App.call("kpi.roster.plan", body, planKeys.key(body));
    planKeys.done();
    readRoster();
  } catch (err) {
    if (err.status && err.status !== 503) planKeys.done();
    error.textContent = App.errorText(err);
  } finally {
    button.disabled = false;
  }
}

function fillShifts() {
  const select = document.getElementById("plan-shift");
  const chosen = select.value;
  select.replaceChildren();
  for (const s of SHIFTS) {
    const o = App.el("option", "", App.t("staff.shift." + s));
    o.value = s;
    select.append(o);
  }
  const custom = App.el("option", "", App.t("staff.shift.custom"));
  custom.value = "";
  select.append(custom);
  select.value = chosen !== undefined && [...select.options].some((o) => o.value === chosen) ? chosen : "day";
  for (const el of document.querySelectorAll(".staff-hours")) el.hidden = select.value !== "";
}

// --- people to pick: those with figures this month, and on the roster -------

const known = new Set();
function people(ids) {
  const list = document.getElementById("staff-people");
  let added = false;
  for (const id of ids) if (id && !known.has(id)) known.add(id), (added = true);
  if (!added) return;
  list.replaceChildren(...[...known].sort().map((id) => Object.assign(App.el("option"), { value: id })));
}
async function readPeople(month) {
  for (const by of ["technician", "advisor", "keeper"]) {
    try {
      const r = await App.call("kpi.report", { month, by });
      people((r.rows || []).map((row) => row.key));
    } catch (err) {
      /* the picker takes any id typed in */
    }
  }
}

function showView(view) {
  state.view = view;
  document.getElementById("card-view").hidden = view !== "card";
  document.getElementById("roster-view").hidden = view !== "roster";
  document.getElementById("tab-card").setAttribute("aria-selected", String(view === "card"));
  document.getElementById("tab-roster").setAttribute("aria-selected", String(view === "roster"));
  document.body.dataset.view = view;
  if (view === "roster") readRoster();
}

let soon = null;
function readSoon() {
  if (soon) return;
  soon = setTimeout(() => {
    soon = null;
    if (state.view === "roster") readRoster();
  }, 500);
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  const today = isoDate(new Date());
  const params = new URLSearchParams(location.search);
  const month = today.slice(0, 7);
  document.getElementById("card-from").value = params.get("from") || month;
  document.getElementById("card-to").value = params.get("to") || params.get("from") || month;
  if (params.get("person")) document.getElementById("card-person").value = params.get("person");
  document.getElementById("week").value = monday(params.get("week") || today);
  document.getElementById("plan-date").value = today;
  document.getElementById("plan-form").hidden = !mayPlan();
  fillShifts();
  document.getElementById("plan-shift").addEventListener("change", fillShifts);
  document.getElementById("card-form").addEventListener("submit", showCard);
  document.getElementById("card-print").addEventListener("click", () => window.print());
  document.getElementById("plan-form").addEventListener("submit", plan);
  document.getElementById("week-form").addEventListener("submit", (e) => e.preventDefault());
  const week = document.getElementById("week");
  week.addEventListener("change", () => {
    week.value = monday(week.value);
    readRoster();
  });
  document.getElementById("week-prev").addEventListener("click", () => {
    week.value = addDays(monday(week.value), -7);
    readRoster();
  });
  document.getElementById("week-next").addEventListener("click", () => {
    week.value = addDays(monday(week.value), 7);
    readRoster();
  });
  document.getElementById("tab-card").addEventListener("click", () => showView("card"));
  document.getElementById("tab-roster").addEventListener("click", () => showView("roster"));
  document.addEventListener("languagechange", () => {
    fillShifts();
    renderCard();
    renderRoster();
  });
  // a shift planned or cleared, or attendance recorded (workshop, parts): read again
  App.follow((ev) => {
    if (/^kpi\.roster\.|^workshop\.shift\.|^parts\.shift\./.test(ev.type)) readSoon();
  });
  readPeople(month);
  showView(params.get("view") === "roster" ? "roster" : "card");
  if (params.get("person")) showCard();
});
