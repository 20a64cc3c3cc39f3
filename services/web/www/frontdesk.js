// frontdesk.js — the front-desk manager's screen: estimates above an
// advisor's authority waiting for approval (reception.ro.list
// status=RO_AWAITING_APPROVAL), open complaints to resolve with a note
// (reception.complaint.list / resolve) and the comebacks (reception.ro.list
// comeback=true). Read again when a reception event arrives (a new RO, an
// approval, a complaint logged or resolved elsewhere).
"use strict";

const desk = { approvals: null, complaints: null, comebacks: null, names: {} };
// Drafts of the notes survive a re-read. An action's Idempotency-Key
// (App.keyFor "approve:RO" / "resolve:complaint") is made when its row is
// shown and reused by a retry whose outcome is unknown (App.act).
const drafts = new Map();
const shown = {};

function canAct() {
  return App.me.roles.includes("front_desk_manager");
}

function concerns(ro) {
  return (ro.jobs || [])
    .map((j) => j.concern || (j.labour && j.labour.description) || "")
    .filter((c) => c)
    .join("; ");
}

function customer(id) {
  if (!id) return "";
  const name = desk.names[id];
  return name ? name + " (" + id + ")" : id;
}

function roStatus(status) {
  return App.t("counter.status." + status);
}

function approveButton(ro) {
  const action = "approve:" + ro.ro_number;
  const button = App.button("frontdesk.approve", "action", async () => {
    const error = document.getElementById("approve-error");
    if ((await App.act(button, error, action, "reception.ro.approve", { ro_number: ro.ro_number })) === null)
      error.textContent = ro.ro_number + ": " + error.textContent;
    read();
  });
  App.keyFor(action); // the action is prepared when the row is shown
  return button;
}

function resolveCell(c) {
  const box = App.el("div", "resolve");
  const note = App.el("textarea");
  note.rows = 2;
  note.placeholder = App.t("frontdesk.resolution");
  note.value = drafts.get(c.complaint_id) || "";
  note.addEventListener("input", () => drafts.set(c.complaint_id, note.value));
  const action = "resolve:" + c.complaint_id;
  const button = App.button("frontdesk.resolve", "action", async () => {
    const error = document.getElementById("resolve-error");
    const payload = { complaint_id: c.complaint_id, resolution: note.value };
    if ((await App.act(button, error, action, "reception.complaint.resolve", payload)) === null)
      error.textContent = c.complaint_id + ": " + error.textContent;
    else drafts.delete(c.complaint_id);
    read();
  });
  App.keyFor(action);
  box.append(note, button);
  return box;
}

function section(id, count, list, build, emptyLabel) {
  const text = JSON.stringify([list, desk.names, App.lang]);
  if (shown[id] === text) return; // unchanged: keep what is typed and focused
  shown[id] = text;
  document.getElementById(count).textContent = "(" + list.length + ")";
  const box = document.getElementById(id);
  box.replaceChildren(list.length ? build(list) : App.el("p", "empty", App.t(emptyLabel)));
}

function render() {
  if (!desk.approvals) return;
  const columns = [
    { label: "frontdesk.ro", value: (r) => r.ro_number },
    { label: "frontdesk.opened", value: (r) => r.opened_date },
    { label: "frontdesk.advisor", value: (r) => r.advisor },
    { label: "frontdesk.customer", value: (r) => customer(r.customer_id) },
    { label: "frontdesk.vin", value: (r) => r.vin },
    { label: "frontdesk.concerns", value: (r) => concerns(r), cls: "concern" },
    { label: "frontdesk.estimate", value: (r) => App.money(r.estimate_cents), cls: "num" },
  ];
  if (canAct()) columns.push({ label: "frontdesk.action", value: (r) => approveButton(r) });
  section("approvals", "approvals-count", desk.approvals, (list) => {
    const table = App.table(columns, list);
    list.forEach((r, i) => (table.tBodies[0].rows[i].dataset.ro = r.ro_number));
    return table;
  }, "frontdesk.no_approvals");

  const complaintColumns = [
    { label: "frontdesk.complaint", value: (c) => c.complaint_id },
    { label: "frontdesk.ro", value: (c) => c.ro_number },
    { label: "frontdesk.channel", value: (c) => App.t("frontdesk.channel." + c.channel) },
    { label: "frontdesk.text", value: (c) => c.text, cls: "concern" },
  ];
  if (canAct()) complaintColumns.push({ label: "frontdesk.resolution", value: (c) => resolveCell(c) });
  section("complaints", "complaints-count", desk.complaints, (list) => {
    const table = App.table(complaintColumns, list);
    list.forEach((c, i) => (table.tBodies[0].rows[i].dataset.complaint = c.complaint_id));
    return table;
  }, "frontdesk.no_complaints");

  section("comebacks", "comebacks-count", desk.comebacks, (list) => {
    const table = App.table(
      [
        { label: "frontdesk.ro", value: (r) => r.ro_number },
        { label: "frontdesk.opened", value: (r) => r.opened_date },
        { label: "frontdesk.earlier_ro", value: (r) => r.comeback_of },
        { label: "frontdesk.vin", value: (r) => r.vin },
        { label: "frontdesk.customer", value: (r) => customer(r.customer_id) },
        { label: "frontdesk.advisor", value: (r) => r.advisor },
        { label: "frontdesk.concerns", value: (r) => concerns(r), cls: "concern" },
        { label: "frontdesk.status", value: (r) => roStatus(r.status) },
        // recorded on quality.html (reception.comeback.cause)
        { label: "frontdesk.cause", value: (r) => App.t("quality.cause." + (r.comeback_cause || "unrecorded")) },
      ],
      list
    );
    list.forEach((r, i) => (table.tBodies[0].rows[i].dataset.ro = r.ro_number));
    return table;
  }, "frontdesk.no_comebacks");
  Care.render(section);
  document.getElementById("updated").textContent = App.clock(new Date());
}

// The customers' names, once each (reception.customer.show).
async function readNames(ros) {
  const wanted = [...new Set(ros.map((r) => r.customer_id).filter((id) => id && !(id in desk.names)))];
  await Promise.all(
    wanted.map(async (id) => {
      try {
        desk.names[id] = (await App.call("reception.customer.show", { customer_id: id })).name || "";
      } catch (err) {
        desk.names[id] = "";
      }
    })
  );
}

// never two reads at once: asked while it reads, it reads once more after
const read = App.reader(async () => {
  try {
    const [approvals, complaints, comebacks] = await Promise.all([
      App.call("reception.ro.list", { status: "RO_AWAITING_APPROVAL", with_jobs: true, limit: 100 }),
      App.call("reception.complaint.list", { status: "open" }),
      App.call("reception.ro.list", { comeback: true, with_jobs: true, limit: 50 }),
    ]);
    desk.approvals = approvals.ros || [];
    desk.complaints = complaints.complaints || [];
    desk.comebacks = comebacks.ros || [];
    await Care.read();
    await readNames(desk.approvals.concat(desk.comebacks, Care.rescues));
    render();
  } catch (err) {
    document.getElementById("banner").replaceChildren(App.el("div", "down", App.errorText(err)));
  }
});

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  document.addEventListener("languagechange", render);
  App.follow((event) => {
    if (event.type.startsWith("reception.")) read();
  });
  read();
});
