// quality.js — the quality screen (issue 15): the front-desk manager's
// comeback process, reviewed with the foreman, read by the service manager.
// The month's comeback analysis (kpi.comeback.analysis: the rate with its
// formula, comebacks by operation, technician and cause, the comebacks with
// their cause, which the front-desk manager records here:
// reception.comeback.cause); the corrective and preventive actions, overdue
// first and highlighted (reception.quality_action.list), moved on by the
// front-desk manager, the foreman or the action's owner, and a new one; the
// month's quality meetings (reception.quality_meeting.list) and the minutes
// of a new one with its action items (front-desk manager). Read again on
// reception's comeback, RO and quality events.
"use strict";

const Q = { month: "", analysis: null, actions: [], meetings: [], causes: new Map(), reasons: new Map() };
const shownQ = {};
const CAUSES = ["workmanship", "parts_fault", "misdiagnosis", "customer", "other"];

function has(role) {
  return App.me.roles.includes(role);
}
function canDecide() {
  return has("front_desk_manager") || has("foreman");
}
function mayMove(a) {
  return canDecide() || a.owner === App.me.staff_id;
}

function thisMonth() {
  return App.date(Date.now() * 1000).slice(0, 7);
}

function percent(v) {
  return (Math.round(Number(v || 0) * 10) / 10).toFixed(1) + "%";
}

function qsection(id, count, list, build, emptyLabel) {
  const text = JSON.stringify([list, App.lang, Q.month]);
  if (shownQ[id] === text) return; // unchanged: keep what is typed and focused
  shownQ[id] = text;
  if (count) document.getElementById(count).textContent = "(" + list.length + ")";
  const box = document.getElementById(id);
  box.replaceChildren(list.length ? build(list) : App.el("p", "empty", App.t(emptyLabel)));
}

// --- the analysis --------------------------------------------------------------

function causeCell(c) {
  if (!has("front_desk_manager")) return c.cause ? App.t("quality.cause." + c.cause) : App.t("quality.cause.unrecorded");
  const box = App.el("div", "resolve");
  const select = App.el("select");
  const none = App.el("option", "", "—");
  none.value = "";
  select.append(none);
  for (const cause of CAUSES) {
    const o = App.el("option", "", App.t("quality.cause." + cause));
    o.value = cause;
    select.append(o);
  }
  select.value = Q.causes.get(c.ro_number) || c.cause || "";
  select.addEventListener("change", () => Q.causes.set(c.ro_number, select.value));
  const action = "cause:" + c.ro_number;
  const button = App.button("quality.save", "action", async () => {
    const error = document.getElementById("cause-error");
    const payload = { ro_number: c.ro_number, cause: select.value };
    if ((await App.act(button, error, action, "reception.comeback.cause", payload)) === null) {
      error.textContent = c.ro_number + ": " + error.textContent;
      return read();
    }
    Q.causes.delete(c.ro_number);
    // kpi counts the cause when reception's event reaches it: read until it has
    const counted = () => (Q.analysis.comebacks_list || []).some((n) => n.ro_number === c.ro_number && n.cause === payload.cause);
    for (let i = 0; i < 20 && !counted(); i++) {
      await read();
      if (!counted()) await new Promise((done) => setTimeout(done, 250));
    }
  });
  box.append(select, button);
  return box;
}

function renderAnalysis() {
  const a = Q.analysis;
  if (!a) return;
  document.getElementById("rate").textContent = a.defined ? percent(a.rate) : App.t("quality.not_defined");
  document.getElementById("rate-formula").textContent =
    App.t("quality.formula") + " = " + (a.comebacks || 0) + " / " + (a.ros_delivered || 0) +
    (a.defined ? "" : " — " + App.t("quality.none_delivered"));
  const count = { label: "quality.count", value: (g) => g.comebacks || 0, cls: "num" };
  qsection("by-operation", null, a.by_operation || [], (list) =>
    App.table([{ label: "quality.operation", value: (g) => g.name }, count], list), "quality.none");
  qsection("by-technician", null, a.by_technician || [], (list) =>
    App.table(
      [
        { label: "quality.technician", value: (g) => g.name },
        count,
        { label: "quality.delivered", value: (g) => g.ros_delivered || 0, cls: "num" },
        { label: "quality.tech_rate", value: (g) => (g.defined ? percent(g.rate) : "—"), cls: "num" },
      ],
      list
    ), "quality.none");
  qsection("by-cause", null, a.by_cause || [], (list) =>
    App.table([{ label: "quality.cause", value: (g) => App.t("quality.cause." + g.name) }, count], list,
      (g) => (g.comebacks ? "" : "zero")), "quality.none");
  qsection("comebacks", "comebacks-count", a.comebacks_list || [], (list) => {
    const table = App.table(
      [
        { label: "frontdesk.ro", value: (c) => c.ro_number },
        { label: "frontdesk.earlier_ro", value: (c) => c.earlier_ro },
        { label: "quality.day", value: (c) => c.date },
        { label: "frontdesk.concerns", value: (c) => c.concern, cls: "concern" },
        { label: "quality.operation", value: (c) => (c.operations || []).join(", ") },
        { label: "quality.technician", value: (c) => (c.technicians || []).join(", ") },
        { label: "quality.cause", value: (c) => causeCell(c) },
      ],
      list
    );
    list.forEach((c, i) => (table.tBodies[0].rows[i].dataset.ro = c.ro_number));
    return table;
  }, "quality.no_comebacks");
}

// --- actions ---------------------------------------------------------------------

function statusText(s) {
  return App.t("quality.status." + s);
}

function moveCell(a) {
  const box = App.el("div", "resolve");
  if (!mayMove(a) || (a.status !== "QA_OPEN" && a.status !== "QA_IN_PROGRESS")) return box;
  const error = () => document.getElementById("action-error");
  const reason = App.el("input");
  reason.placeholder = App.t("quality.cancel_reason");
  reason.value = Q.reasons.get(a.action_id) || "";
  reason.addEventListener("input", () => Q.reasons.set(a.action_id, reason.value));
  const move = (label, status) => {
    const button = App.button(label, "action", async () => {
      const payload = { action_id: a.action_id, status };
      if (status === "QA_CANCELLED") payload.reason = reason.value;
      if ((await App.act(button, error(), status + ":" + a.action_id, "reception.quality_action.update", payload)) === null)
        error().textContent = a.action_id + ": " + error().textContent;
      else Q.reasons.delete(a.action_id);
      read();
    });
    button.dataset.status = status;
    return button;
  };
  if (a.status === "QA_OPEN") box.append(move("quality.start", "QA_IN_PROGRESS"));
  box.append(move("quality.done", "QA_DONE"), reason, move("quality.cancel", "QA_CANCELLED"));
  return box;
}

function linked(a) {
  const parts = (a.comeback_ros || []).slice();
  if (a.meeting_id) parts.push(a.meeting_id);
  return parts.join(", ");
}

function renderActions() {
  qsection("actions", "actions-count", Q.actions, (list) => {
    const table = App.table(
      [
        { label: "quality.action_id", value: (a) => a.action_id },
        { label: "quality.kind", value: (a) => App.t("quality.kind." + a.kind) },
        { label: "quality.what", value: (a) => a.what, cls: "concern" },
        { label: "quality.owner", value: (a) => a.owner },
        { label: "quality.due", value: (a) => a.due_date + (a.overdue ? " · " + App.t("quality.overdue") : "") },
        { label: "quality.status", value: (a) => statusText(a.status) },
        { label: "quality.linked", value: (a) => linked(a) },
        { label: "frontdesk.action", value: (a) => moveCell(a) },
      ],
      list,
      (a) => (a.overdue ? "overdue" : a.status === "QA_DONE" || a.status === "QA_CANCELLED" ? "closed" : "")
    );
    list.forEach((a, i) => (table.tBodies[0].rows[i].dataset.action = a.action_id));
    return table;
  }, "quality.no_actions");
}

// --- meetings ---------------------------------------------------------------------

function renderMeetings() {
  qsection("meetings", "meetings-count", Q.meetings, (list) => {
    const table = App.table(
      [
        { label: "quality.day", value: (m) => m.date },
        { label: "quality.meeting", value: (m) => m.meeting_id },
        { label: "quality.attendees", value: (m) => (m.attendees || []).join(", ") },
        { label: "quality.topics", value: (m) => (m.topics || []).join("; "), cls: "concern" },
        { label: "quality.notes", value: (m) => m.notes || "", cls: "concern" },
        { label: "quality.items", value: (m) => (m.action_ids || []).join(", ") },
      ],
      list
    );
    list.forEach((m, i) => (table.tBodies[0].rows[i].dataset.meeting = m.meeting_id));
    return table;
  }, "quality.no_meetings");
}

function render() {
  renderAnalysis();
  renderActions();
  renderMeetings();
  document.getElementById("updated").textContent = App.clock(new Date());
}

const read = App.reader(async () => {
  await Promise.all([
    App.readList("analysis-error", async () => {
      Q.analysis = await App.call("kpi.comeback.analysis", { month: Q.month });
    }),
    App.readList("action-error", async () => {
      Q.actions = (await App.call("reception.quality_action.list", {})).actions || [];
    }),
    App.readList("meeting-error", async () => {
      Q.meetings = (await App.call("reception.quality_meeting.list", { month: Q.month })).meetings || [];
    }),
  ]);
  render();
});

// --- forms ------------------------------------------------------------------------

function list(text) {
  return String(text || "").split(/[\s,，;；]+/).filter((s) => s);
}

function itemRow() {
  const row = App.el("div", "quality-item");
  const kind = App.el("select", "item-kind");
  for (const k of ["corrective", "preventive"]) {
    const o = App.el("option", "", App.t("quality.kind." + k));
    o.value = k;
    o.dataset.label = "quality.kind." + k;
    kind.append(o);
  }
  const what = App.el("input", "item-what");
  what.dataset.placeholder = "quality.what";
  what.placeholder = App.t("quality.what");
  const owner = App.el("input", "item-owner");
  owner.dataset.placeholder = "quality.owner";
  owner.placeholder = App.t("quality.owner");
  const due = App.el("input", "item-due");
  due.type = "date";
  row.append(kind, what, owner, due);
  App.dateField(due, "date");
  return row;
}

function setupForms() {
  const monthInput = document.getElementById("month");
  monthInput.value = Q.month;
  document.getElementById("month-form").addEventListener("submit", (e) => {
    e.preventDefault();
    Q.month = monthInput.value || thisMonth();
    read();
  });

  const actionForm = document.getElementById("action-form");
  if (!canDecide()) actionForm.hidden = true;
  const actionKeys = App.keeper();
  actionForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = actionForm.querySelector("button[type=submit]");
    const error = document.getElementById("create-error");
    const body = {
      kind: document.getElementById("action-kind").value,
      what: document.getElementById("action-what").value,
      owner: document.getElementById("action-owner").value.trim(),
      due_date: document.getElementById("action-due").value,
      comeback_ros: list(document.getElementById("action-ros").value),
    };
    await App.attempt(button, error, async () => {
      await App.call("reception.quality_action.create", body, actionKeys.key(body));
      actionKeys.done();
      actionForm.reset();
      read();
    });
  });

  const meetingForm = document.getElementById("meeting-form");
  if (!has("front_desk_manager")) meetingForm.hidden = true;
  const items = document.getElementById("meeting-items");
  items.append(itemRow());
  document.getElementById("meeting-add-item").addEventListener("click", () => items.append(itemRow()));
  const meetingKeys = App.keeper();
  meetingForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = meetingForm.querySelector("button[type=submit]");
    const error = document.getElementById("meeting-error");
    const actions = [...items.querySelectorAll(".quality-item")]
      .map((r) => ({
        kind: r.querySelector(".item-kind").value,
        what: r.querySelector(".item-what").value,
        owner: r.querySelector(".item-owner").value.trim(),
        due_date: r.querySelector(".item-due").value,
      }))
      .filter((a) => a.what || a.owner || a.due_date);
    const body = {
      attendees: list(document.getElementById("meeting-attendees").value),
      topics: document.getElementById("meeting-topics").value.split("\n").map((s) => s.trim()).filter((s) => s),
      notes: document.getElementById("meeting-notes").value,
      actions,
    };
    await App.attempt(button, error, async () => {
      await App.call("reception.quality_meeting.record", body, meetingKeys.key(body));
      meetingKeys.done();
      meetingForm.reset();
      items.replaceChildren(itemRow());
      read();
    });
  });
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  Q.month = thisMonth();
  setupForms();
  document.addEventListener("languagechange", () => {
    for (const k of Object.keys(shownQ)) delete shownQ[k];
    render();
  });
  App.follow((event) => {
    const t = event.type;
    if (t.startsWith("reception.quality_") || t.startsWith("reception.comeback.") || t === "reception.ro.delivered") read();
  });
  read();
});
