// toolroom.js — the tool room: loans (check out to a technician, who signs on
// the tablet; check in; report lost), the registry (register a tool),
// workshop requests (approve, decline) and calibrations due and overdue
// (record one). The tool admin acts; the foreman and the service manager
// look. Everything is read again when a tools event arrives.
"use strict";

let items = [];
let loans = [];
let requests = [];
let due = { due: [], overdue: [] };
let technicians = [];
let admin = false;
const rowErrors = new Map(); // request_no -> the service's error text
const notes = new Map(); // request_no -> the note being typed (kept across redraws)

function today() {
  return App.date(Date.now() * 1000);
}

// One action (App.act): the button disabled while in flight, its key
// (App.keyFor) reused after a network error or an unavailable service, the
// service's error shown in `error`; everything read again after. True when
// the service did it.
async function act(button, action, command, payload, error) {
  const reply = await App.act(button, error, action, command, payload);
  readAll();
  return reply !== null;
}

function itemOf(id) {
  return items.find((i) => i.tool_id === id);
}

function toolText(id) {
  const item = itemOf(id);
  return item && item.description ? id + " · " + item.description : id;
}

function itemState(i) {
  if (i.lost) return App.t("toolroom.state.lost");
  if (i.out_of_service) return App.t("toolroom.state.out_of_service") + (i.service_note ? ": " + i.service_note : "");
  if (calibrationOverdue(i)) return App.t("toolroom.state.calibration_overdue");
  if (i.loan_id) {
    const loan = loans.find((l) => l.loan_id === i.loan_id);
    return App.t("toolroom.state.on_loan") + (loan ? " " + loan.technician : "");
  }
  return App.t("toolroom.state.in_room");
}

// Past its calibration's due date, or never calibrated though it needs it.
function calibrationOverdue(i) {
  return i.calibration_interval_days > 0 && (!i.next_calibration || i.next_calibration < today());
}

function available(i) {
  return !i.lost && !i.out_of_service && !i.loan_id && !calibrationOverdue(i);
}

// --- loans --------------------------------------------------------------

function renderLoans() {
  const columns = [
    { label: "toolroom.loan", value: (l) => l.loan_id },
    { label: "toolroom.tool", value: (l) => toolText(l.tool_id) },
    { label: "toolroom.technician", value: (l) => l.technician },
    { label: "toolroom.ro", value: (l) => l.ro_number + (l.job_no ? " · " + l.job_no : "") },
    { label: "toolroom.out", value: (l) => App.datetime(l.out_us) + " · " + App.t("toolroom.cond." + l.condition_out) },
    { label: "toolroom.due", value: (l) => l.due_date + " " + l.due_time + (l.overdue ? " · " + App.t("toolroom.overdue") : "") },
    {
      label: "toolroom.signature",
      value: (l) => App.el("span", l.signature ? "tr-signed" : "tr-unsigned",
        l.signature ? App.t("toolroom.signed") + " " + App.datetime(l.signed_us) : App.t("toolroom.unsigned")),
      cls: "signature",
    },
  ];
  if (admin) columns.push({ label: "toolroom.actions", value: (l) => App.button("toolroom.return", "tr-row-action", () => openReturn(l)) });
  const table = App.table(columns, loans, (l) => "loan" + (l.overdue ? " overdue" : ""));
  loans.forEach((l, i) => (table.tBodies[0].rows[i].dataset.loan = l.loan_id));
  document.getElementById("loans").replaceChildren(loans.length ? table : App.el("p", "tr-empty", App.t("toolroom.loans.none")));
  document.getElementById("count-loans").textContent = loans.length ? String(loans.length) : "";

  const select = document.getElementById("co-tool");
  const chosen = select.value;
  const free = items.filter(available);
  select.replaceChildren(...free.map((i) => {
    const o = App.el("option", "", toolText(i.tool_id));
    o.value = i.tool_id;
    return o;
  }));
  if (free.some((i) => i.tool_id === chosen)) select.value = chosen;
  document.getElementById("technicians").replaceChildren(...technicians.map((t) => {
    const o = App.el("option", "", t.name || "");
    o.value = t.tech_id;
    return o;
  }));
}

// Due back by default at the end of today's shift (18:00), or, when that is
// less than an hour away, at noon tomorrow.
function prepareCheckout() {
  App.forget("checkout");
  const now = new Date();
  const late = now.getHours() >= 17;
  document.getElementById("co-due-date").value = late ? App.date((Date.now() + 86400000) * 1000) : today();
  document.getElementById("co-due-time").value = late ? "12:00" : "18:00";
}

async function checkout(e) {
  e.preventDefault();
  const send = document.getElementById("co-send");
  if (send.disabled) return;
  const key = App.keyFor("checkout");
  const job = Number(document.getElementById("co-job").value || 0);
  const payload = {
    loan_id: "L-" + key.slice(0, 8),
    tool_id: document.getElementById("co-tool").value,
    technician: document.getElementById("co-tech").value.trim(),
    ro_number: document.getElementById("co-ro").value.trim(),
    condition: document.getElementById("co-condition").value,
    due_date: document.getElementById("co-due-date").value,
    due_time: document.getElementById("co-due-time").value,
  };
  if (job) payload.job_no = job;
  const ok = await act(send, "checkout", "tools.loan.checkout", payload, document.getElementById("co-error"));
  if (ok) {
    for (const id of ["co-tech", "co-ro", "co-job"]) document.getElementById(id).value = "";
    prepareCheckout();
  }
}

let returning = null;

function openReturn(loan) {
  returning = loan;
  App.forget("checkin");
  App.forget("lost");
  document.getElementById("return-loan").textContent =
    loan.loan_id + " · " + toolText(loan.tool_id) + " · " + loan.technician + " · " + loan.ro_number;
  document.getElementById("rt-condition").value = "good";
  document.getElementById("rt-damage").value = "";
  document.getElementById("rt-note").value = "";
  document.getElementById("return-error").textContent = "";
  document.getElementById("return").showModal();
}

async function closeLoan(action, command, payload, b) {
  if (!returning || b.disabled) return;
  const ok = await act(b, action, command, { loan_id: returning.loan_id, ...payload }, document.getElementById("return-error"));
  if (ok) document.getElementById("return").close();
}

// --- tools ---------------------------------------------------------------

function renderTools() {
  const table = App.table([
    { label: "toolroom.tool_id", value: (i) => i.tool_id },
    { label: "toolroom.kind", value: (i) => App.t("toolroom.kind." + i.kind) },
    { label: "toolroom.description", value: (i) => i.description },
    { label: "toolroom.location", value: (i) => i.location },
    { label: "toolroom.condition", value: (i) => App.t("toolroom.cond." + i.condition) },
    { label: "toolroom.state", value: (i) => itemState(i) },
    {
      label: "toolroom.next_calibration",
      value: (i) => !i.calibration_interval_days ? "—"
        : App.el("span", calibrationOverdue(i) ? "tr-late" : "", i.next_calibration || App.t("toolroom.never")),
    },
  ], items, (i) => "tool" + (i.lost || i.out_of_service ? " out" : ""));
  items.forEach((i, n) => (table.tBodies[0].rows[n].dataset.tool = i.tool_id));
  document.getElementById("tools").replaceChildren(items.length ? table : App.el("p", "tr-empty", App.t("toolroom.tools.none")));
  document.getElementById("count-tools").textContent = items.length ? String(items.length) : "";
}

async function register(e) {
  e.preventDefault();
  const send = document.getElementById("rg-send");
  if (send.disabled) return;
  const payload = {
    tool_id: document.getElementById("rg-id").value.trim(),
    kind: document.getElementById("rg-kind").value,
    description: document.getElementById("rg-description").value.trim(),
    location: document.getElementById("rg-location").value.trim(),
    calibration_interval_days: Number(document.getElementById("rg-interval").value || 0),
  };
  const last = document.getElementById("rg-last").value;
  if (last) payload.last_calibration = last;
  const ok = await act(send, "register", "tools.item.register", payload, document.getElementById("rg-error"));
  if (ok) document.getElementById("register").reset();
}

// --- requests ---------------------------------------------------------------

function renderRequests() {
  const columns = [
    { label: "toolroom.request", value: (r) => r.request_no },
    { label: "toolroom.requested_by", value: (r) => r.requested_by + " · " + App.datetime(r.at_us) },
    { label: "toolroom.tool", value: (r) => [r.tool_id ? toolText(r.tool_id) : "", r.description].filter(Boolean).join(" · ") },
    { label: "toolroom.ro", value: (r) => r.ro_number || "" },
    { label: "toolroom.needed", value: (r) => r.needed_date || "" },
    { label: "toolroom.status", value: (r) => App.t("toolroom.request." + r.status) + (r.answer_note ? " · " + r.answer_note : "") },
  ];
  if (admin) {
    columns.push({
      label: "toolroom.actions",
      value: (r) => {
        if (r.status !== "pending") return "";
        const box = App.el("div", "tr-answer");
        const note = App.el("input", "tr-note");
        note.placeholder = App.t("toolroom.note");
        note.maxLength = 160;
        note.value = notes.get(r.request_no) || "";
        note.addEventListener("input", () => notes.set(r.request_no, note.value));
        const error = App.el("p", "error", rowErrors.get(r.request_no) || "");
        const answer = (decision) => async (ev) => {
          await act(ev.target, "answer:" + r.request_no + ":" + decision, "tools.request.answer",
            { request_no: r.request_no, decision, note: note.value.trim() }, error);
          rowErrors.set(r.request_no, error.textContent);
          if (!error.textContent) notes.delete(r.request_no);
        };
        box.append(note, App.button("toolroom.approve", "tr-row-action", answer("approved")),
          App.button("toolroom.decline", "tr-row-action tr-danger", answer("declined")), error);
        return box;
      },
    });
  }
  const table = App.table(columns, requests, (r) => "request " + r.status);
  requests.forEach((r, i) => (table.tBodies[0].rows[i].dataset.request = r.request_no));
  document.getElementById("requests").replaceChildren(requests.length ? table : App.el("p", "tr-empty", App.t("toolroom.requests.none")));
  const pending = requests.filter((r) => r.status === "pending").length;
  document.getElementById("count-requests").textContent = pending ? String(pending) : "";
}

// --- calibration ---------------------------------------------------------------

function dueTable(lines, overdue) {
  const columns = [
    { label: "toolroom.tool", value: (l) => toolText(l.tool_id) },
    { label: "toolroom.next_calibration", value: (l) => l.next_calibration || App.t("toolroom.never") },
    {
      label: overdue ? "toolroom.days_overdue" : "toolroom.days_left",
      value: (l) => (l.next_calibration ? String(Math.abs(l.days || 0)) : "—"),
      cls: "num",
    },
    { label: "toolroom.state", value: (l) => (itemOf(l.tool_id) ? itemState(itemOf(l.tool_id)) : "") },
  ];
  if (admin) columns.push({ label: "toolroom.actions", value: (l) => App.button("toolroom.calibrate", "tr-row-action", () => openCalibrate(l.tool_id)) });
  const table = App.table(columns, lines, () => (overdue ? "due overdue" : "due"));
  lines.forEach((l, i) => (table.tBodies[0].rows[i].dataset.tool = l.tool_id));
  return lines.length ? table : App.el("p", "tr-empty", App.t(overdue ? "toolroom.overdue.none" : "toolroom.due.none"));
}

function renderCalibration() {
  document.getElementById("overdue").replaceChildren(dueTable(due.overdue || [], true));
  document.getElementById("due").replaceChildren(dueTable(due.due || [], false));
  const n = (due.overdue || []).length;
  const count = document.getElementById("count-calibration");
  count.textContent = n ? String(n) : "";
  count.classList.toggle("alert", n > 0);
}

let calibrating = null;

function openCalibrate(toolId) {
  calibrating = toolId;
  App.forget("calibrate");
  document.getElementById("calibrate-tool").textContent = toolText(toolId);
  document.getElementById("cb-date").value = today();
  document.getElementById("cb-result").value = "pass";
  document.getElementById("cb-certificate").value = "";
  document.getElementById("calibrate-error").textContent = "";
  document.getElementById("calibrate").showModal();
}

async function calibrate(e) {
  e.preventDefault();
  const send = document.getElementById("cb-send");
  if (!calibrating || send.disabled) return;
  const ok = await act(send, "calibrate", "tools.calibration.record", {
    tool_id: calibrating,
    date: document.getElementById("cb-date").value,
    result: document.getElementById("cb-result").value,
    certificate: document.getElementById("cb-certificate").value.trim(),
  }, document.getElementById("calibrate-error"));
  if (ok) document.getElementById("calibrate").close();
}

// --- reading and the page ----------------------------------------------------------

function render() {
  renderLoans();
  renderTools();
  renderRequests();
  renderCalibration();
}

// never two reads at once: asked while it reads, it reads once more after
const readAll = App.reader(async () => {
  try {
    const all = document.getElementById("rq-all").checked;
    const [list, open, asked, calibration] = await Promise.all([
      App.call("tools.item.list", {}),
      App.call("tools.loan.list", {}),
      App.call("tools.request.list", all ? {} : { status: "pending" }),
      App.call("tools.calibration.due", { date: today(), within_days: 30 }),
    ]);
    items = list.items || [];
    loans = open.loans || [];
    requests = asked.requests || [];
    due = calibration;
    render();
  } catch (err) {
    document.getElementById("banner").replaceChildren(App.el("div", "down", App.errorText(err)));
  }
});

async function readTechnicians() {
  try {
    technicians = (await App.call("workshop.board", {})).technicians || [];
    renderLoans();
  } catch (err) {
    // the workshop down: the technician is typed without the list
  }
}

function showTab(name) {
  for (const b of document.querySelectorAll(".tr-tabs button")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
  for (const s of document.querySelectorAll(".tr-tab")) s.hidden = s.id !== "tab-" + name;
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  admin = App.me.roles.includes("tool_admin");
  for (const f of document.querySelectorAll(".admin-only")) f.hidden = !admin;
  for (const b of document.querySelectorAll(".tr-tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  showTab("loans");
  prepareCheckout();
  document.getElementById("checkout").addEventListener("submit", checkout);
  document.getElementById("register").addEventListener("submit", register);
  document.getElementById("calibrate-form").addEventListener("submit", calibrate);
  document.getElementById("cb-cancel").addEventListener("click", () => document.getElementById("calibrate").close());
  document.getElementById("rt-cancel").addEventListener("click", () => document.getElementById("return").close());
  document.getElementById("rt-checkin").addEventListener("click", (e) => closeLoan("checkin", "tools.loan.checkin", {
    condition: document.getElementById("rt-condition").value,
    damage: document.getElementById("rt-damage").value.trim(),
  }, e.currentTarget));
  document.getElementById("rt-lost").addEventListener("click", (e) => closeLoan("lost", "tools.loan.report_lost", {
    note: document.getElementById("rt-note").value.trim(),
  }, e.currentTarget));
  document.getElementById("rq-all").addEventListener("change", readAll);
  document.addEventListener("languagechange", render);
  App.follow((event) => {
    if (event.type.startsWith("tools.")) readAll();
    if (event.type === "workshop.technician.registered") readTechnicians();
  });
  readAll();
  readTechnicians();
});
