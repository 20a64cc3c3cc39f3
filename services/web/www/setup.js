// setup.js — master data: the labour-operation catalogue and the labour
// rates (service manager), the parts catalogue (parts manager), technicians
// and bays (foreman, service manager) and staff sign-ins (service manager,
// IT). Each tab is shown to the roles the catalog lets use its commands; the
// services check again. Every list is read through the owning service's
// query and read again after a change and on its service's events.
"use strict";

// Tabs by the catalog's roles of their change commands (proto/catalog/*.c).
const TABS = [
  { tab: "ops", roles: ["service_manager"] }, // reception.labour_op.define / .retire
  { tab: "rates", roles: ["service_manager"] }, // reception.labour_rate.set
  { tab: "parts", roles: ["parts_manager", "warehouse_keeper"] }, // parts.part.define
  { tab: "techs", roles: ["foreman", "service_manager"] }, // workshop.technician/bay.register
  { tab: "signins", roles: ["service_manager", "it_admin"] }, // web.credential.set / .list
];

let ops = [];
let rates = [];
let skills = [];
let hits = [];
let board = { technicians: [], bays: [] };
let staff = [];
const shown = new Set(); // the tabs this member may use

// An amount typed in currency units ("350", "350.5", "1,200.00", "-5") as
// cents; NaN when it is not one. A negative amount is passed on: the service
// says why it refuses it.
function cents(text) {
  const t = text.replace(/[,\s]/g, "");
  if (!/^-?\d+(\.\d{1,2})?$/.test(t)) return NaN;
  const negative = t.startsWith("-");
  const [whole, frac = ""] = t.replace("-", "").split(".");
  const value = Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  return negative ? -value : value;
}

// Cents as the form shows them for editing: "350.00" (no currency, no commas).
function units(c) {
  const n = Number(c || 0);
  return (n < 0 ? "-" : "") + Math.trunc(Math.abs(n) / 100) + "." + String(Math.abs(n) % 100).padStart(2, "0");
}

// Minutes as hours for people: 90 -> "1.5 h".
function hours(minutes) {
  const h = Number(minutes || 0) / 60;
  return (Number.isInteger(h) ? String(h) : h.toFixed(2).replace(/0$/, "")) + " " + App.t("setup.hours_unit");
}

function list(text) {
  return text.split(/[,，、\s]+/).map((s) => s.trim()).filter(Boolean);
}

function value(id) {
  return document.getElementById(id).value.trim();
}

function set(id, v) {
  document.getElementById(id).value = v === undefined || v === null ? "" : String(v);
}

function empty(label) {
  return App.el("p", "tr-empty", App.t(label));
}

// An action keyed by what it sends: the same body again (a double click, a
// retry after no answer) reuses its Idempotency-Key, a changed one is new.
function act(button, error, command, payload, keyName) {
  delete error.dataset.label;
  return App.act(button, error, command + ":" + (keyName || JSON.stringify(payload)), command, payload);
}

// A form's submit: a bad typed value is said beside the form (in the page's
// language, also after a switch), nothing sent.
function bad(error, label) {
  error.textContent = App.t(label);
  error.dataset.label = label;
  return null;
}

// A form emptied or filled for another row: its last error goes too.
function clearError(id) {
  const error = document.getElementById(id);
  error.textContent = "";
  delete error.dataset.label;
  delete error.dataset.kind;
}

// A list that could not be read says why where its form's errors go.
function readFailed(error, err) {
  delete error.dataset.label;
  App.readFailed(error, err);
}

// --- labour operations ------------------------------------------------------

const readOps = App.reader(async () => {
  const error = document.getElementById("ops-error");
  try {
    const retired = document.getElementById("op-retired").checked;
    const [list, skillList] = await Promise.all([
      App.call("reception.labour_op.list", retired ? { retired: true } : {}),
      App.call("reception.skill.list", {}),
    ]);
    ops = list.operations || [];
    skills = skillList.skills || [];
    App.readOk(error);
  } catch (err) {
    readFailed(error, err);
  }
  renderOps();
});

function renderOps() {
  const select = document.getElementById("op-skill");
  const chosen = select.value;
  select.replaceChildren(...skills.map((s) => {
    const o = App.el("option", "", s.skill + (s.max_level ? " · " + App.t("setup.op.max_level").replace("{n}", s.max_level) : ""));
    o.value = s.skill;
    return o;
  }));
  if (skills.some((s) => s.skill === chosen)) select.value = chosen;
  const columns = [
    { label: "setup.op.code", value: (e) => e.operation.code, cls: "code" },
    { label: "setup.op.description", value: (e) => e.operation.description },
    { label: "setup.op.hours", value: (e) => hours(e.operation.sold_minutes), cls: "num" },
    { label: "setup.op.skill", value: (e) => e.operation.skill },
    { label: "setup.op.level", value: (e) => e.operation.min_level || 1, cls: "num" },
    { label: "setup.op.tools", value: (e) => (e.operation.special_tools || []).join(", ") },
    { label: "setup.op.warranty_group", value: (e) => e.operation.warranty_group },
    { label: "setup.changed", value: (e) => App.datetime(e.changed_us) + (e.changed_by ? " · " + e.changed_by : "") },
    {
      label: "setup.actions",
      value: (e) => {
        if (e.retired) return App.el("span", "setup-retired", App.t("setup.op.retired"));
        const box = App.el("span", "setup-row-actions");
        const error = App.el("span", "error");
        box.append(
          App.button("setup.edit", "tr-row-action", () => editOp(e.operation)),
          App.button("setup.op.retire", "tr-row-action tr-danger", async (ev) => {
            if (!confirm(App.t("setup.op.retire_confirm") + " " + e.operation.code)) return;
            if (await act(ev.currentTarget, error, "reception.labour_op.retire", { code: e.operation.code })) readOps();
          }),
          error);
        return box;
      },
    },
  ];
  const table = App.table(columns, ops, (e) => "op" + (e.retired ? " retired" : ""));
  ops.forEach((e, i) => (table.tBodies[0].rows[i].dataset.code = e.operation.code));
  document.getElementById("ops").replaceChildren(ops.length ? table : empty("setup.ops.none"));
}

function editOp(op) {
  set("op-code", op.code);
  set("op-description", op.description);
  set("op-hours", Number(op.sold_minutes || 0) / 60);
  document.getElementById("op-skill").value = op.skill || "";
  document.getElementById("op-level").value = String(op.min_level || 1);
  set("op-tools", (op.special_tools || []).join(", "));
  set("op-warranty", op.warranty_group);
  clearError("op-error");
  document.getElementById("op-code").focus();
}

async function defineOp(e) {
  e.preventDefault();
  const error = document.getElementById("op-error");
  const h = Number(value("op-hours").replace(",", "."));
  if (!value("op-hours") || !Number.isFinite(h)) return bad(error, "setup.bad_hours");
  const payload = {
    code: value("op-code"),
    description: value("op-description"),
    sold_minutes: Math.round(h * 60),
    skill: document.getElementById("op-skill").value,
    min_level: Number(document.getElementById("op-level").value),
    special_tools: list(value("op-tools")),
    warranty_group: value("op-warranty"),
  };
  if (payload.sold_minutes < 0) payload.sold_minutes = 0; // the service says it must be 1 or more
  if (await act(e.submitter, error, "reception.labour_op.define", payload)) {
    document.getElementById("op-form").reset();
    readOps();
  }
}

// --- labour rates -----------------------------------------------------------

const readRates = App.reader(async () => {
  const error = document.getElementById("rate-error");
  try {
    rates = (await App.call("reception.labour_rate.list", {})).rates || [];
    App.readOk(error);
  } catch (err) {
    readFailed(error, err);
  }
  renderRates();
});

function renderRates() {
  const columns = [
    { label: "setup.rate.pay_type", value: (r) => App.t("counter.pay." + r.pay_type) },
    { label: "setup.rate.per_hour", value: (r) => App.money(r.rate_cents), cls: "num" },
    { label: "setup.changed", value: (r) => App.datetime(r.set_us) + (r.set_by ? " · " + r.set_by : "") },
    { label: "setup.actions", value: (r) => App.button("setup.edit", "tr-row-action", () => {
      document.getElementById("rate-pay").value = r.pay_type;
      set("rate-amount", units(r.rate_cents));
      clearError("rate-error");
      document.getElementById("rate-amount").focus();
    }) },
  ];
  const table = App.table(columns, rates, () => "rate");
  rates.forEach((r, i) => (table.tBodies[0].rows[i].dataset.pay = r.pay_type));
  document.getElementById("rates").replaceChildren(rates.length ? table : empty("setup.rates.none"));
}

async function setRate(e) {
  e.preventDefault();
  const error = document.getElementById("rate-error");
  const amount = cents(value("rate-amount"));
  if (Number.isNaN(amount)) return bad(error, "setup.bad_amount");
  const payload = { pay_type: document.getElementById("rate-pay").value, rate_cents: amount };
  if (await act(e.submitter, error, "reception.labour_rate.set", payload)) {
    set("rate-amount", "");
    readRates();
  }
}

// --- parts catalogue --------------------------------------------------------

async function searchParts(e) {
  if (e) e.preventDefault();
  const error = document.getElementById("parts-error");
  const text = value("part-text");
  if (!text) {
    hits = [];
    return renderParts();
  }
  try {
    hits = (await App.call("parts.part.search", { text: text, limit: 50 })).hits || [];
    App.readOk(error);
  } catch (err) {
    readFailed(error, err);
  }
  renderParts();
}

function renderParts() {
  const columns = [
    { label: "setup.part.number", value: (h) => h.part_number, cls: "code" },
    { label: "setup.part.description", value: (h) => h.description },
    { label: "setup.part.bin", value: (h) => h.bin },
    { label: "setup.part.price", value: (h) => App.money(h.price_cents), cls: "num" },
    { label: "setup.part.on_hand", value: (h) => h.on_hand || 0, cls: "num" },
    { label: "setup.actions", value: (h) => App.button("setup.edit", "tr-row-action", (ev) => editPart(h.part_number, ev.currentTarget)) },
  ];
  const table = App.table(columns, hits, () => "part");
  hits.forEach((h, i) => (table.tBodies[0].rows[i].dataset.part = h.part_number));
  const searched = value("part-text") !== "";
  document.getElementById("parts").replaceChildren(hits.length ? table : searched ? empty("setup.parts.none") : "");
}

// The part as the catalogue has it (its cost too, which a search hit lacks).
async function editPart(number, button) {
  const error = document.getElementById("part-error");
  await App.attempt(button, error, async () => {
    const part = ((await App.call("parts.stock.query", { part_number: number })).parts || [])[0];
    if (!part) return;
    set("part-number", part.part_number);
    set("part-description", part.description);
    set("part-cost", units(part.cost_cents));
    set("part-price", units(part.price_cents));
    set("part-bin", part.bin);
    document.getElementById("part-result").textContent = "";
    clearError("part-error");
    document.getElementById("part-description").focus();
  });
}

async function definePart(e) {
  e.preventDefault();
  const error = document.getElementById("part-error");
  const result = document.getElementById("part-result");
  result.textContent = "";
  const cost = cents(value("part-cost"));
  const price = cents(value("part-price"));
  if (Number.isNaN(cost) || Number.isNaN(price)) return bad(error, "setup.bad_amount");
  const payload = {
    part_number: value("part-number"),
    description: value("part-description"),
    cost_cents: cost,
    price_cents: price,
    bin: value("part-bin"),
  };
  const part = await act(e.submitter, error, "parts.part.define", payload);
  if (part) {
    result.textContent = App.t("setup.part.saved") + " " + part.part_number + " · " + App.money(part.price_cents);
    set("part-text", part.part_number);
    searchParts();
  }
}

// --- technicians and bays ---------------------------------------------------

const readBoard = App.reader(async () => {
  const error = document.getElementById("board-error");
  try {
    const b = await App.call("workshop.board", {});
    board = { technicians: b.technicians || [], bays: b.bays || [] };
    App.readOk(error);
  } catch (err) {
    readFailed(error, err);
  }
  renderBoard();
});

function renderBoard() {
  const techs = [...board.technicians].sort((a, b) => a.tech_id.localeCompare(b.tech_id));
  const columns = [
    { label: "setup.tech.id", value: (t) => t.tech_id, cls: "code" },
    { label: "setup.tech.name", value: (t) => t.name },
    { label: "setup.tech.skills", value: (t) => (t.skills || []).join(", ") },
    { label: "setup.tech.level", value: (t) => t.level, cls: "num" },
    { label: "setup.tech.cost", value: (t) => App.money(t.hourly_cost_cents), cls: "num" },
    { label: "setup.tech.now", value: (t) => (t.current_ro ? t.current_ro + " · " + t.current_job_no : "") },
    { label: "setup.actions", value: (t) => App.button("setup.edit", "tr-row-action", () => {
      set("tech-id", t.tech_id);
      set("tech-name", t.name);
      set("tech-skills", (t.skills || []).join(", "));
      document.getElementById("tech-level").value = String(t.level || 1);
      set("tech-cost", units(t.hourly_cost_cents));
      clearError("tech-error");
      document.getElementById("tech-name").focus();
    }) },
  ];
  const table = App.table(columns, techs, () => "tech");
  techs.forEach((t, i) => (table.tBodies[0].rows[i].dataset.tech = t.tech_id));
  document.getElementById("techs").replaceChildren(techs.length ? table : empty("setup.techs.none"));

  const bays = [...board.bays].sort((a, b) => a.bay_id.localeCompare(b.bay_id));
  const bayTable = App.table([
    { label: "setup.bay.id", value: (b) => b.bay_id, cls: "code" },
    { label: "setup.bay.kind", value: (b) => App.t("setup.bay_kind." + (b.kind || "general")) },
    { label: "setup.bay.now", value: (b) => (b.current_ro ? b.current_ro + " · " + b.current_job_no : "") },
  ], bays, () => "bay");
  bays.forEach((b, i) => (bayTable.tBodies[0].rows[i].dataset.bay = b.bay_id));
  document.getElementById("bays").replaceChildren(bays.length ? bayTable : empty("setup.bays.none"));
}

async function registerTech(e) {
  e.preventDefault();
  const error = document.getElementById("tech-error");
  const cost = cents(value("tech-cost"));
  if (Number.isNaN(cost)) return bad(error, "setup.bad_amount");
  const payload = {
    tech_id: value("tech-id"),
    name: value("tech-name"),
    skills: list(value("tech-skills")),
    level: Number(document.getElementById("tech-level").value),
    hourly_cost_cents: cost,
  };
  if (await act(e.submitter, error, "workshop.technician.register", payload)) {
    document.getElementById("tech-form").reset();
    readBoard();
  }
}

async function registerBay(e) {
  e.preventDefault();
  const error = document.getElementById("bay-error");
  const payload = { bay_id: value("bay-id"), kind: document.getElementById("bay-kind").value };
  if (await act(e.submitter, error, "workshop.bay.register", payload)) {
    set("bay-id", "");
    readBoard();
  }
}

// --- sign-ins ---------------------------------------------------------------

const readStaff = App.reader(async () => {
  const error = document.getElementById("signin-error");
  try {
    staff = (await App.call("web.credential.list", {})).staff || [];
    App.readOk(error);
  } catch (err) {
    readFailed(error, err);
  }
  renderStaff();
});

function roleNames(m) {
  return (m.roles || []).map((r) => App.t("setup.role." + r)).join(", ");
}

function renderStaff() {
  const select = document.getElementById("signin-staff");
  const chosen = select.value;
  select.replaceChildren(...staff.map((m) => {
    const o = App.el("option", "", m.staff_id + " · " + roleNames(m));
    o.value = m.staff_id;
    return o;
  }));
  if (staff.some((m) => m.staff_id === chosen)) select.value = chosen;
  const columns = [
    { label: "setup.signin.staff", value: (m) => m.staff_id, cls: "code" },
    { label: "setup.signin.roles", value: (m) => roleNames(m) },
    {
      label: "setup.signin.state",
      value: (m) => {
        if (m.locked_until_us) return App.el("span", "setup-locked", App.t("setup.signin.locked") + " " + App.datetime(m.locked_until_us));
        if (!m.has_secret) return App.el("span", "setup-none", App.t("setup.signin.none"));
        return App.el("span", "setup-set", App.t("setup.signin.set") + " " + App.datetime(m.set_us) + (m.set_by ? " · " + m.set_by : ""));
      },
      cls: "state",
    },
    { label: "setup.actions", value: (m) => App.button("setup.signin.choose", "tr-row-action", () => {
      select.value = m.staff_id;
      document.getElementById("signin-result").textContent = "";
      document.getElementById("signin-secret").focus();
    }) },
  ];
  const table = App.table(columns, staff, (m) => "member" + (m.has_secret ? "" : " none"));
  staff.forEach((m, i) => (table.tBodies[0].rows[i].dataset.staff = m.staff_id));
  document.getElementById("signins").replaceChildren(staff.length ? table : empty("setup.signins.none"));
  // the technicians' ids for the technician form (the foreman types them)
  document.getElementById("tech-ids").replaceChildren(...staff.filter((m) => (m.roles || []).includes("technician")).map((m) => {
    const o = App.el("option");
    o.value = m.staff_id;
    return o;
  }));
}

async function setSecret(e) {
  e.preventDefault();
  const error = document.getElementById("signin-error");
  const result = document.getElementById("signin-result");
  const secretInput = document.getElementById("signin-secret");
  result.textContent = "";
  const payload = { staff_id: document.getElementById("signin-staff").value, secret: secretInput.value };
  // keyed by member and secret: the secret never leaves this page's memory
  const done = await act(e.submitter, error, "web.credential.set", payload, payload.staff_id + ":" + payload.secret);
  if (done) {
    secretInput.value = "";
    result.textContent = App.t("setup.signin.saved") + " " + done.staff_id;
    readStaff();
  }
}

// --- the page ---------------------------------------------------------------

function showTab(name) {
  for (const b of document.querySelectorAll(".tr-tabs button")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
  for (const s of document.querySelectorAll(".tr-tab")) s.hidden = s.id !== "tab-" + name;
}

function render() {
  if (shown.has("ops")) renderOps();
  if (shown.has("rates")) renderRates();
  if (shown.has("parts")) renderParts();
  if (shown.has("techs")) renderBoard();
  if (shown.has("signins")) renderStaff();
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  for (const t of TABS) if (t.roles.some((r) => App.me.roles.includes(r))) shown.add(t.tab);
  for (const b of document.querySelectorAll(".tr-tabs button")) {
    b.hidden = !shown.has(b.dataset.tab);
    b.addEventListener("click", () => {
      showTab(b.dataset.tab);
      history.replaceState(null, "", "#" + b.dataset.tab); // a reload opens the same tab
    });
  }
  const wanted = location.hash.slice(1);
  const first = TABS.find((t) => shown.has(t.tab));
  if (!first) {
    document.querySelector("main.setup").append(empty("setup.nothing"));
    return;
  }
  showTab(shown.has(wanted) ? wanted : first.tab);
  document.getElementById("op-form").addEventListener("submit", defineOp);
  document.getElementById("op-clear").addEventListener("click", () => {
    document.getElementById("op-form").reset();
    clearError("op-error");
  });
  document.getElementById("op-retired").addEventListener("change", readOps);
  document.getElementById("rate-form").addEventListener("submit", setRate);
  document.getElementById("part-search").addEventListener("submit", searchParts);
  document.getElementById("part-form").addEventListener("submit", definePart);
  document.getElementById("part-clear").addEventListener("click", () => {
    document.getElementById("part-form").reset();
    document.getElementById("part-result").textContent = "";
    clearError("part-error");
  });
  document.getElementById("tech-form").addEventListener("submit", registerTech);
  document.getElementById("tech-clear").addEventListener("click", () => {
    document.getElementById("tech-form").reset();
    clearError("tech-error");
  });
  document.getElementById("bay-form").addEventListener("submit", registerBay);
  document.getElementById("signin-form").addEventListener("submit", setSecret);
  document.addEventListener("languagechange", render);
  App.follow((event) => {
    const t = event.type;
    if (shown.has("ops") && (t.startsWith("reception.labour_op.") || t === "workshop.technician.registered")) readOps();
    if (shown.has("rates") && t === "reception.labour_rate.changed") readRates();
    if (shown.has("parts") && t === "parts.part.defined" && value("part-text")) searchParts();
    if (shown.has("techs") && (t === "workshop.technician.registered" || t === "workshop.bay.registered")) readBoard();
    if (shown.has("signins") && t === "web.credential.changed") readStaff();
  });
  if (shown.has("ops")) readOps();
  if (shown.has("rates")) readRates();
  if (shown.has("techs")) readBoard();
  if (shown.has("signins")) readStaff();
});
