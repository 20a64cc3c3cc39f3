// tablet.js — the technician's tablet at the bay: my jobs (workshop.board of
// the signed-in technician) with clock on / pause / done, an extra defect
// reported to the advisor, and my tool loans to sign for (tools.loan.list of
// me, tools.loan.sign). Read again on the live workshop and tools events.
"use strict";

const OPEN = ["WORK_IN_PROGRESS", "WORK_REWORK", "WORK_DISPATCHED"]; // the order on the tablet

let jobs = [];
let me = null; // my technician record on the board (clocked on where, since when)
let loans = [];
let tools = new Map(); // tool_id -> item, for the loans' descriptions
const errors = new Map(); // card id -> the service's error text
const busy = new Set(); // actions in flight

// "1 h 30 min" / "1 小时 30 分钟"; "45 min".
function minutes(m) {
  m = Number(m) || 0;
  const h = Math.floor(m / 60), rest = m % 60;
  const min = rest + " " + App.t("tablet.min");
  return h ? h + " " + App.t("tablet.h") + (rest ? " " + min : "") : min;
}

function runningMinutes() {
  if (!me || !me.clocked_on_us) return 0;
  return Math.max(0, Math.floor((Date.now() - Number(me.clocked_on_us) / 1000) / 60000));
}

function clockedOn(job) {
  return me && me.current_ro === job.ro_number && Number(me.current_job_no) === Number(job.job_no);
}

// One action of a card (App.act): disabled while in flight, the key reused
// on a retry after a network error or an unavailable service, the service's
// refusal kept for the card (the cards are drawn again, so App.act says it
// into a note of its own first).
async function act(card, action, command, payload, after) {
  if (busy.has(action)) return;
  busy.add(action);
  errors.delete(card);
  render();
  const said = App.el("p");
  try {
    const reply = await App.act(null, said, action, command, payload);
    if (reply !== null) {
      errors.clear(); // the state changed: earlier refusals may no longer hold
      if (after) after(reply);
    } else errors.set(card, said.textContent);
  } finally {
    busy.delete(action);
    render();
    const error = errors.has(card) && document.querySelector(`[data-card="${CSS.escape(card)}"] .error`);
    if (error) error.scrollIntoView({ block: "nearest" }); // the refusal where the technician looks
    readJobs();
    readLoans();
  }
}

function button(label, cls, action, onClick) {
  const b = App.el("button", cls, App.t(label));
  b.type = "button";
  b.dataset.label = label;
  b.disabled = busy.has(action);
  b.addEventListener("click", onClick);
  return b;
}

function jobCard(job) {
  const id = job.ro_number + "/" + job.job_no;
  const on = clockedOn(job);
  const li = App.el("li", "tjob");
  li.dataset.card = id;
  li.dataset.ro = job.ro_number;
  li.dataset.job = job.job_no;
  li.dataset.status = job.status;
  const head = App.el("div", "tjob-head");
  head.append(App.el("span", "tjob-ro", job.ro_number + " · " + App.t("tablet.job") + " " + job.job_no));
  head.append(App.el("span", "tjob-state", App.t("tablet.state." + job.status)));
  li.append(head);
  if (job.vin) li.append(App.el("div", "tjob-vin", App.t("tablet.vehicle") + " " + job.vin));
  li.append(App.el("div", "tjob-concern", job.concern || ""));
  const labour = job.labour || {};
  const op = [labour.code, labour.description].filter(Boolean).join(" ");
  if (op) li.append(App.el("div", "tjob-op", App.t("tablet.operation") + " " + op));
  const times = App.el("dl", "tjob-times");
  times.append(App.el("dt", "", App.t("tablet.sold")), App.el("dd", "tjob-sold", minutes(labour.sold_minutes)));
  const clocked = Number(job.actual_minutes || 0) + (on ? runningMinutes() : 0);
  const dd = App.el("dd", "tjob-clocked", minutes(clocked));
  if (on) dd.append(App.el("span", "tjob-running", " · " + App.t("tablet.running_since") + " " + App.clock(new Date(Number(me.clocked_on_us) / 1000)).slice(0, 5)));
  times.append(App.el("dt", "", App.t("tablet.clocked")), dd);
  li.append(times);
  // each note in the page's language (board.why.<code>), the English of an old record
  const words = job.tool_note_wordings || [];
  for (const [i, note] of (job.tool_notes || []).entries()) {
    const w = words.length === job.tool_notes.length ? words[i] : null;
    li.append(App.el("div", "tjob-note", w ? App.worded("board.why.", w.code, w.args, note) : note));
  }
  for (const b of job.bulletins || []) li.append(bulletinNote(id, b));

  const actions = App.el("div", "tablet-actions");
  const payload = { ro_number: job.ro_number, job_no: job.job_no };
  if (on) {
    actions.append(
      button("tablet.pause", "tablet-secondary tjob-pause", "off:" + id, () =>
        act(id, "off:" + id, "workshop.clock.off", { ...payload, finished: false })),
      button("tablet.done", "tablet-primary tjob-done", "off:" + id, () =>
        act(id, "off:" + id, "workshop.clock.off", { ...payload, finished: true })));
  } else if (job.status === "WORK_DISPATCHED" || job.status === "WORK_REWORK") {
    const b = button("tablet.clock_on", "tablet-primary tjob-on", "on:" + id, () =>
      act(id, "on:" + id, "workshop.clock.on", payload));
    actions.append(b);
  }
  actions.append(button("tablet.defect", "tablet-secondary tjob-defect", "defect:" + id, () => openDefect(job)));
  li.append(actions);
  li.append(App.el("p", "error tjob-error", errors.get(id) || ""));
  return li;
}

// A technical bulletin the job shows until I acknowledge it (ws15).
function bulletinNote(card, b) {
  const box = App.el("div", "ws15-bulletin");
  box.dataset.bulletin = b.bulletin_id;
  box.append(App.el("div", "ws15-bulletin-title", App.t("ws15.bulletin") + " " + b.bulletin_id + " · " + (b.title || "")));
  box.append(App.el("div", "ws15-bulletin-text", b.text || ""));
  if (b.matched) box.append(App.el("div", "ws15-bulletin-why", App.t("ws15.applies") + " " + b.matched));
  const action = "ack:" + card + ":" + b.bulletin_id;
  box.append(button("ws15.acknowledge", "tablet-secondary ws15-ack", action, () =>
    act(card, action, "workshop.bulletin.acknowledge", { bulletin_id: b.bulletin_id })));
  return box;
}

function loanCard(loan) {
  const li = App.el("li", "tloan" + (loan.overdue ? " overdue" : ""));
  li.dataset.loan = loan.loan_id;
  li.dataset.card = "loan:" + loan.loan_id;
  const tool = tools.get(loan.tool_id);
  const head = App.el("div", "tjob-head");
  head.append(App.el("span", "tloan-tool", loan.tool_id + (tool && tool.description ? " · " + tool.description : "")));
  head.append(App.el("span", "tloan-state", App.t(loan.signature ? "tablet.loan.signed" : "tablet.loan.unsigned")));
  li.append(head);
  const facts = [];
  if (loan.ro_number) facts.push(loan.ro_number + (loan.job_no ? " · " + App.t("tablet.job") + " " + loan.job_no : ""));
  facts.push(App.t("tablet.loan.due") + " " + loan.due_date + " " + loan.due_time + (loan.overdue ? " · " + App.t("tablet.loan.overdue") : ""));
  if (loan.condition_out) facts.push(App.t("tablet.loan.condition") + " " + App.t("toolroom.cond." + loan.condition_out));
  li.append(App.el("div", "tloan-facts", facts.join(" · ")));
  if (loan.signature) {
    li.append(App.el("div", "tloan-signed", App.t("tablet.loan.signed_at") + " " + App.datetime(loan.signed_us)));
  } else {
    const action = "sign:" + loan.loan_id;
    const actions = App.el("div", "tablet-actions");
    actions.append(button("tablet.loan.sign", "tablet-primary tloan-sign", action, () =>
      act("loan:" + loan.loan_id, action, "tools.loan.sign", { loan_id: loan.loan_id })));
    li.append(actions);
  }
  li.append(App.el("p", "error tloan-error", errors.get("loan:" + loan.loan_id) || ""));
  return li;
}

function render() {
  const mine = jobs.filter((j) => OPEN.includes(j.status))
    .sort((a, b) => OPEN.indexOf(a.status) - OPEN.indexOf(b.status) || a.ro_number.localeCompare(b.ro_number) || a.job_no - b.job_no);
  document.getElementById("jobs").replaceChildren(...mine.map(jobCard));
  document.getElementById("no-jobs").hidden = mine.length > 0;
  const clocked = document.getElementById("clocked");
  clocked.className = "tablet-clocked" + (me && me.current_ro ? " on" : "");
  clocked.textContent = me && me.current_ro
    ? App.t("tablet.clocked_on") + " " + me.current_ro + " · " + App.t("tablet.job") + " " + me.current_job_no + " · " + App.t("tablet.running_since") + " " + App.clock(new Date(Number(me.clocked_on_us) / 1000)).slice(0, 5)
    : App.t("tablet.not_clocked_on");
  document.getElementById("loans").replaceChildren(...loans.map(loanCard));
  document.getElementById("no-loans").hidden = loans.length > 0;
}

// Reads again (App.reader: a read asked for while one runs is done once
// after it), then draws the cards; a failed read says so in the banner.
function reader(read) {
  return App.reader(async () => {
    try {
      await read();
      render();
    } catch (err) {
      document.getElementById("banner").replaceChildren(App.el("div", "down", App.errorText(err)));
    }
  });
}

const readJobs = reader(async () => {
  const board = await App.call("workshop.board", { technician: App.me.staff_id });
  jobs = board.jobs || [];
  me = (board.technicians || []).find((t) => t.tech_id === App.me.staff_id) || null;
});

const readLoans = reader(async () => {
  const list = await App.call("tools.loan.list", { technician: App.me.staff_id });
  loans = list.loans || [];
  if (loans.some((l) => !tools.has(l.tool_id))) {
    const items = await App.call("tools.item.list", {});
    tools = new Map((items.items || []).map((i) => [i.tool_id, i]));
  }
});

// --- the extra defect: what was found, the time and parts it needs ---------

let defectJob = null;

function partRow() {
  const row = App.el("div", "tablet-part");
  const number = App.el("input", "part-number");
  number.placeholder = App.t("tablet.defect.part_number");
  number.maxLength = 64;
  const qty = App.el("input", "part-qty");
  qty.type = "number";
  qty.min = "1";
  qty.value = "1";
  qty.inputMode = "numeric";
  qty.setAttribute("aria-label", App.t("tablet.defect.quantity"));
  row.append(number, qty);
  return row;
}

function openDefect(job) {
  defectJob = job;
  // one report, one key: a resend of this form is the same report
  App.forget("defect");
  document.getElementById("defect-job").textContent = job.ro_number + " · " + App.t("tablet.job") + " " + job.job_no + " · " + (job.concern || "");
  document.getElementById("defect-what").value = "";
  document.getElementById("defect-minutes").value = "";
  document.getElementById("defect-parts").replaceChildren(partRow());
  document.getElementById("defect-error").textContent = "";
  document.getElementById("defect-send").disabled = false;
  document.getElementById("defect").showModal();
  document.getElementById("defect-what").focus();
}

async function sendDefect(e) {
  e.preventDefault();
  const send = document.getElementById("defect-send");
  if (send.disabled || !defectJob) return;
  const error = document.getElementById("defect-error");
  const what = document.getElementById("defect-what").value.trim();
  const mins = Number(document.getElementById("defect-minutes").value || 0);
  const parts = [...document.querySelectorAll("#defect-parts .tablet-part")]
    .map((r) => ({ part_number: r.querySelector(".part-number").value.trim(), quantity: Number(r.querySelector(".part-qty").value || 0) }))
    .filter((p) => p.part_number);
  const payload = {
    report_id: "X-" + App.keyFor("defect").slice(0, 8),
    ro_number: defectJob.ro_number,
    job_no: defectJob.job_no,
    description: what,
    parts,
  };
  if (mins > 0) payload.labour = { description: what, sold_minutes: mins };
  // answered with a refusal: the key is forgotten, a corrected form is a new report
  if ((await App.act(send, error, "defect", "workshop.defect.report", payload)) !== null) {
    document.getElementById("defect").close();
    defectJob = null;
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  document.addEventListener("languagechange", render);
  document.getElementById("defect-form").addEventListener("submit", sendDefect);
  document.getElementById("defect-cancel").addEventListener("click", () => document.getElementById("defect").close());
  document.getElementById("defect-add-part").addEventListener("click", () => document.getElementById("defect-parts").append(partRow()));
  App.follow((event) => {
    if (event.type.startsWith("workshop.")) readJobs();
    if (event.type.startsWith("tools.loan.")) readLoans();
    if (event.type.startsWith("tools.item.")) tools.clear(), readLoans();
  });
  readJobs();
  readLoans();
  setInterval(render, 30000); // the running clock
});
