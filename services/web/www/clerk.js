// clerk.js — the information clerk's desk: phone appointments booked for a
// customer's vehicle found by search, confirmed, handed to an advisor or
// cancelled, the day's list by slot; the CRM's requests waiting to be booked;
// maintenance-due reminder calls and their outcome; follow-up calls after
// delivery; complaints taken on the phone; the day's and the month's figures
// (kpi.report, as the dashboard shows them). Everything is read through the
// services' queries and read again when a live event says something changed.
"use strict";

const OPEN = ["BOOKED", "CONFIRMED", "ASSIGNED"];
const OUTCOMES = ["booked", "declined", "unreachable"];

const state = {
  tab: "appointments",
  vehicle: null, // the vehicle an appointment is being booked for (a search hit)
  booking: null, // {id, key}: the appointment being booked, made when the form opens
  complaint: null, // {id, key}: the complaint being logged
  advisors: [],
  booked: null, // {id, slot, car}: the appointment just booked
};
const drafts = new Map(); // what was chosen or typed in a row ("advisor:A-1" -> "adv-wang"), kept when a live event redraws the list

// A select of [value, text] options; `draft` names the choice kept across redraws.
function select(cls, options, value, labelKey, draft) {
  const s = App.el("select", cls);
  for (const [v, text] of options) {
    const o = App.el("option", "", text);
    o.value = v;
    s.append(o);
  }
  s.value = draft && drafts.has(draft) ? drafts.get(draft) : value;
  if (draft) s.addEventListener("change", () => drafts.set(draft, s.value));
  if (labelKey) s.setAttribute("aria-label", App.t(labelKey));
  return s;
}

// A text input whose words are kept across redraws under `draft`.
function draftInput(cls, value, draft, type) {
  const i = App.el("input", cls);
  if (type) i.type = type;
  i.value = drafts.has(draft) ? drafts.get(draft) : value;
  if (type === "date" || type === "time") App.dateField(i, type); // in the page's language
  i.addEventListener("input", () => drafts.set(draft, i.value));
  i.addEventListener("change", () => drafts.set(draft, i.value)); // as read (ISO)
  return i;
}

const two = (n) => String(n).padStart(2, "0");
function today() {
  return App.date(Date.now() * 1000);
}
// An id for a new record, unique enough for one desk: "A-20261204-k3j9x2".
function newId(prefix) {
  return prefix + "-" + today().replace(/-/g, "") + "-" + Math.random().toString(36).slice(2, 8);
}

// Reads the vehicles of rows, then their owners (a reminder names only a VIN).
async function people(rows) {
  await Promise.all(rows.map((r) => vehicle(r.vin)));
  await Promise.all(rows.map((r) => customer(r.customer_id || (vehicles.get(r.vin) || {}).customer_id)));
}

function whoCell(row) {
  const id = row.customer_id || (vehicles.get(row.vin) || {}).customer_id;
  const c = customers.get(id);
  const box = App.el("div", "who-cell");
  box.append(App.el("div", "name", c ? c.name : id || ""));
  if (c && c.phone) box.append(App.el("div", "phone", c.phone));
  return box;
}

function carCell(row) {
  const v = vehicles.get(row.vin);
  const box = App.el("div", "car-cell");
  box.append(App.el("div", "plate-small", v && v.plate ? v.plate : ""));
  if (v && v.model) box.append(App.el("div", "model", v.model));
  box.append(App.el("div", "vin", row.vin || ""));
  return box;
}

// A list as a table; each row marked data-<attr> = its row's `field`, for the
// hands (and the tests) that pick one.
function setList(id, rows, columns, none, attr, field) {
  const box = document.getElementById(id);
  if (!rows.length) return box.replaceChildren(App.el("p", "hint", App.t(none)));
  const table = App.table(columns, rows, (r) => (r.status ? "appt " + r.status : ""));
  [...table.tBodies[0].rows].forEach((tr, i) => (tr.dataset[attr] = rows[i][field]));
  box.replaceChildren(table);
}

// --- the figures: the day's and the month's, as kpi reports them -------------

function figureValue(f) {
  if (!f || !f.defined) return "-";
  if (f.unit === "%") return Number(f.value || 0).toFixed(1) + "%";
  if (f.unit === "") return Number(f.value || 0).toFixed(0);
  return Number(f.value || 0).toFixed(2);
}

function readFigures() {
  const day = today();
  return App.readList("figures-error", async () => {
    const [d, m] = await Promise.all([
      App.call("kpi.report", { month: day.slice(0, 7), day: day, by: "department" }),
      App.call("kpi.report", { month: day.slice(0, 7), by: "department" }),
    ]);
    renderFigures(d.rows && d.rows[0], m.rows && m.rows[0]);
  });
}

function renderFigures(dayRow, monthRow) {
  const c = (dayRow && dayRow.counters) || {};
  const mc = (monthRow && monthRow.counters) || {};
  const fig = (name) => ((monthRow && monthRow.figures) || []).find((f) => f.name === name);
  const n = (v) => String(Number(v || 0));
  const cards = [
    { key: "booked", period: "clerk.figures.today", label: "clerk.fig.booked", value: n(c.appointments_booked) },
    { key: "arrived", period: "clerk.figures.today", label: "clerk.fig.arrived", value: n(c.appointments_arrived) },
    { key: "reminders", period: "clerk.figures.today", label: "clerk.fig.reminders", value: n(c.reminders_made) },
    { key: "followups", period: "clerk.figures.today", label: "clerk.fig.followups", value: n(c.csi_count) },
    {
      key: "reminder execution rate",
      period: "clerk.figures.month",
      label: "dashboard.fig.reminder execution rate",
      value: figureValue(fig("reminder execution rate")),
      detail: App.t("clerk.fig.made_due").replace("{made}", n(mc.reminders_made)).replace("{due}", n(mc.reminders_due)),
    },
    {
      key: "appointment kept rate",
      period: "clerk.figures.month",
      label: "dashboard.fig.appointment kept rate",
      value: figureValue(fig("appointment kept rate")),
      detail: App.t("clerk.fig.arrived_booked").replace("{arrived}", n(mc.appointments_arrived)).replace("{booked}", n(mc.appointments_booked)),
    },
    { key: "appointment rate", period: "clerk.figures.month", label: "dashboard.fig.appointment rate", value: figureValue(fig("appointment rate")) },
    { key: "csi", period: "clerk.figures.month", label: "dashboard.fig.csi", value: figureValue(fig("csi")) },
  ];
  document.getElementById("figures").replaceChildren(
    ...cards.map((k) => {
      const card = App.el("div", "clerk-figure");
      card.dataset.figure = k.key;
      card.append(App.el("span", "period", App.t(k.period)), App.el("span", "name", App.t(k.label)), App.el("strong", "value", k.value));
      if (k.detail) card.append(App.el("span", "detail", k.detail));
      return card;
    })
  );
}

// --- tabs, and how many wait behind each --------------------------------------

async function readCounts() {
  try {
    const [day, requested, due, followups, complaints] = await Promise.all([
      App.call("reception.appointment.queue", { date: today() }),
      App.call("reception.appointment.queue", { requested: true }),
      App.call("reception.reminder.due", {}),
      App.call("reception.ro.list", { followup_due: true, limit: 100 }),
      App.call("reception.complaint.list", { status: "open" }),
    ]);
    setCount("appointments", (day.appointments || []).filter((a) => OPEN.includes(a.status)).length);
    setCount("requests", (requested.appointments || []).length);
    setCount("reminders", (due.reminders || []).length);
    setCount("followups", (followups.ros || []).length);
    setCount("complaints", (complaints.complaints || []).length);
  } catch (err) {
    // each list says why when it is opened
  }
}

function setCount(tab, n) {
  document.querySelector(`#tabs [data-tab="${tab}"] .count`).textContent = n ? String(n) : "";
}

function showTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === tab);
  for (const p of document.querySelectorAll(".counter-panel")) p.hidden = p.dataset.panel !== tab;
  reload(tab);
}

function reload(tab) {
  if (tab === "appointments") {
    readDay();
    renderBooking();
  } else if (tab === "requests") readRequests();
  else if (tab === "reminders") readReminders();
  else if (tab === "followups") readFollowups();
  else if (tab === "complaints") readComplaints();
  else if (window.ClerkLists) ClerkLists.reload(tab); // renewals, greetings, today: clerk_lists.js
}

// --- booking: search, the vehicle, the slot ------------------------------------

function search(e) {
  return searchReception(e, renderHits);
}

function renderHits(hits) {
  const box = document.getElementById("hits");
  const cars = hits.vehicles || [];
  if (!cars.length) {
    box.replaceChildren(App.el("p", "hint", App.t((hits.customers || []).length ? "counter.search.no_vehicle" : "counter.search.none")));
    return;
  }
  const table = App.table(
    [
      { label: "counter.plate", value: (v) => v.plate, cls: "plate-col" },
      { label: "counter.vin", value: (v) => v.vin },
      { label: "counter.model", value: (v) => v.model },
      { label: "counter.owner", value: (v) => v.customer_name },
      { label: "counter.phone", value: (v) => v.customer_phone },
    ],
    cars,
    () => "pick"
  );
  table.id = "vehicle-table";
  [...table.tBodies[0].rows].forEach((tr, i) => {
    tr.tabIndex = 0;
    tr.dataset.vin = cars[i].vin;
    tr.addEventListener("click", () => startBooking(cars[i]));
    tr.addEventListener("keydown", (k) => k.key === "Enter" && startBooking(cars[i]));
  });
  box.replaceChildren(table);
  if (cars.length === 1) startBooking(cars[0]);
}

// The next quarter hour from now, "HH:MM".
function nextSlot() {
  const d = new Date(Date.now() + 15 * 60000);
  return two(d.getHours()) + ":" + two(Math.floor(d.getMinutes() / 15) * 15);
}

// Opens the booking form for a vehicle (a search hit, or a reminder's car);
// the appointment's id and key are made now and kept for a retry.
function startBooking(hit, reason, channel) {
  state.vehicle = hit;
  state.booking = { id: newId("A"), key: App.newKey() };
  document.getElementById("hits").replaceChildren();
  state.booked = null;
  showBooked();
  document.getElementById("book-date").value = document.getElementById("book-date").value || today();
  document.getElementById("book-time").value = document.getElementById("book-time").value || nextSlot();
  document.getElementById("book-reason").value = reason || "";
  document.getElementById("book-channel").value = channel || "phone";
  document.getElementById("book-error").textContent = "";
  renderBooking();
  document.getElementById("book-reason").focus();
}

async function renderBooking() {
  const v = state.vehicle;
  const form = document.getElementById("book-form");
  form.hidden = !v;
  if (!v) return;
  document.getElementById("book-plate").textContent = v.plate || "";
  document.getElementById("book-vin").textContent = v.vin;
  document.getElementById("book-owner").textContent = v.customer_name || v.customer_id || "";
  document.getElementById("book-phone").textContent = v.customer_phone || "";
  const recalls = document.getElementById("book-recalls");
  try {
    const list = await App.call("warranty.recall.query", { vin: v.vin });
    recalls.replaceChildren(
      ...(list.campaigns || []).map((c) => App.el("div", "recall", App.t("counter.recall") + ": " + c.campaign_id + " — " + (c.title || "")))
    );
  } catch (err) {
    recalls.replaceChildren(App.el("div", "error", App.errorText(err)));
  }
}

// The booking just made, said in the page's language.
function showBooked() {
  const done = document.getElementById("booked");
  const b = state.booked;
  done.hidden = !b;
  if (b) done.textContent = App.t("clerk.booked") + " " + b.id + " · " + b.slot.replace("T", " ") + " · " + b.car;
}

async function book(e) {
  e.preventDefault();
  const v = state.vehicle;
  if (!v || !state.booking) return;
  const go = document.getElementById("book-go");
  const error = document.getElementById("book-error");
  const payload = {
    appointment_id: state.booking.id,
    customer_id: v.customer_id,
    vin: v.vin,
    slot: document.getElementById("book-date").value + "T" + document.getElementById("book-time").value,
    reason: document.getElementById("book-reason").value.trim(),
    channel: document.getElementById("book-channel").value,
  };
  go.disabled = true;
  error.textContent = "";
  try {
    const a = await App.call("reception.appointment.book", payload, state.booking.key);
    state.vehicle = null;
    state.booking = null;
    state.booked = { id: a.appointment_id, slot: a.slot, car: v.plate || v.vin };
    showBooked();
    document.getElementById("search").value = "";
    document.getElementById("day").value = a.slot.slice(0, 10);
    renderBooking();
    readDay();
  } catch (err) {
    // a refusal: the corrected form is a new request
    if (err.status && err.status !== 503) state.booking = { id: newId("A"), key: App.newKey() };
    error.textContent = App.errorText(err);
  } finally {
    go.disabled = false;
  }
}

// --- the day's appointments by slot, with the advisor ------------------------------

async function readAdvisors() {
  try {
    state.advisors = (await App.call("reception.advisor.list", {})).advisors || [];
  } catch (err) {
    state.advisors = [];
  }
}

function readDay() {
  const day = document.getElementById("day");
  if (!day.value) day.value = today();
  return App.readList("day-error", async () => {
    const list = await App.call("reception.appointment.queue", { date: day.value });
    const rows = (list.appointments || []).filter((a) => a.status !== "REQUESTED");
    await people(rows);
    renderDay(rows);
  });
}

function renderDay(rows) {
  const error = document.getElementById("day-error");
  const change = (a, what, command, extra) => async (e) => {
    const payload = Object.assign({ appointment_id: a.appointment_id }, extra ? extra() : {});
    const action = what + ":" + a.appointment_id + ":" + (payload.advisor || "");
    if (await App.act(e.target, error, action, command, payload)) {
      drafts.delete("advisor:" + a.appointment_id);
      readDay();
      readCounts();
    }
  };
  setList(
    "day-list",
    rows,
    [
      { label: "counter.time", value: (a) => (a.slot || "").slice(11, 16), cls: "nowrap" },
      { label: "counter.customer", value: whoCell },
      { label: "counter.vehicle", value: carCell },
      { label: "counter.reason", value: (a) => a.reason },
      { label: "clerk.channel", value: (a) => App.t("clerk.channel." + (a.channel || "phone")), cls: "nowrap" },
      {
        label: "counter.status",
        value: (a) => {
          const box = App.el("div", "status", App.t("counter.status." + a.status));
          for (const r of a.open_recalls || []) box.append(App.el("div", "recall", App.t("counter.recall") + ": " + r));
          return box;
        },
        cls: "status-col",
      },
      { label: "counter.advisor", value: (a) => a.advisor || "", cls: "advisor nowrap" },
      {
        label: "counter.action",
        value: (a) => {
          const box = App.el("div", "actions");
          if (!OPEN.includes(a.status)) return a.ro_number ? App.el("span", "ro-link", a.ro_number) : box;
          if (a.status === "BOOKED") box.append(App.button("clerk.confirm", "confirm-go", change(a, "confirm", "reception.appointment.confirm")));
          const who = select(
            "advisor-pick",
            [["", App.t("clerk.advisor.pick")], ...state.advisors.map((id) => [id, id])],
            a.advisor || "",
            "counter.advisor",
            "advisor:" + a.appointment_id
          );
          box.append(
            who,
            App.button("clerk.assign", "primary assign-go", (e) => {
              if (!who.value) return void (error.textContent = App.t("clerk.advisor.missing"));
              change(a, "assign", "reception.appointment.assign", () => ({ advisor: who.value }))(e);
            }),
            App.button("clerk.cancel", "cancel-go", change(a, "cancel", "reception.appointment.cancel"))
          );
          return box;
        },
      },
    ],
    "clerk.day.none",
    "appointment",
    "appointment_id"
  );
}

// --- the CRM's requests, booked by the clerk ------------------------------------

function readRequests() {
  return App.readList("requests-error", async () => {
    const list = await App.call("reception.appointment.queue", { requested: true });
    renderRequests(list.appointments || []);
  });
}

function renderRequests(rows) {
  const error = document.getElementById("requests-error");
  setList(
    "requests",
    rows,
    [
      {
        label: "counter.customer",
        value: (a) => {
          const box = App.el("div", "who-cell");
          box.append(App.el("div", "name", a.customer_name || ""), App.el("div", "phone", a.phone || ""));
          return box;
        },
      },
      { label: "clerk.requested_slot", value: (a) => (a.slot || "").replace("T", " "), cls: "nowrap" },
      { label: "counter.reason", value: (a) => a.reason },
      {
        label: "counter.vehicle",
        value: (a) => {
          const box = App.el("div", "car-cell");
          box.append(App.el("div", "plate-small", a.plate || ""));
          // each flag in the page's language: kept as its format and arguments
          // (flag_texts), worded as a refusal; a request of before in English
          const kept = a.flag_texts || [];
          for (const [i, f] of (a.flags || []).entries()) {
            const k = kept.length === a.flags.length ? kept[i] : null;
            box.append(App.el("div", "warning", k ? App.refusalText({ message: f, format: k.format, args: k.args || [] }) : f));
          }
          for (const r of a.open_recalls || []) box.append(App.el("div", "recall", App.t("counter.recall") + ": " + r));
          return box;
        },
      },
      {
        label: "clerk.book",
        value: (a) => {
          const box = App.el("div", "actions request");
          const vin = draftInput("vin-input", a.vin || "", "vin:" + a.appointment_id);
          vin.maxLength = 17;
          vin.setAttribute("aria-label", App.t("counter.vin"));
          vin.placeholder = App.t("counter.vin");
          const date = draftInput("date-input", (a.slot || "").slice(0, 10), "date:" + a.appointment_id, "date");
          date.setAttribute("aria-label", App.t("clerk.date"));
          const time = draftInput("time-input", (a.slot || "").slice(11, 16), "time:" + a.appointment_id, "time");
          time.step = 900;
          time.setAttribute("aria-label", App.t("clerk.time"));
          box.append(
            vin,
            date,
            time,
            App.button("clerk.book", "primary book-request", async (e) => {
              if (!date.checkValidity() || !time.checkValidity()) return; // said beside the field
              const payload = { appointment_id: a.appointment_id, vin: vin.value.trim(), slot: date.value + "T" + time.value };
              const action = "book:" + a.appointment_id + ":" + payload.vin + ":" + payload.slot;
              if (await App.act(e.target, error, action, "reception.appointment.confirm", payload)) {
                readRequests();
                readCounts();
              }
            }),
            App.button("clerk.cancel", "cancel-go", async (e) => {
              if (await App.act(e.target, error, "cancel:" + a.appointment_id, "reception.appointment.cancel", { appointment_id: a.appointment_id })) {
                readRequests();
                readCounts();
              }
            })
          );
          return box;
        },
      },
    ],
    "clerk.requests.none",
    "appointment",
    "appointment_id"
  );
}

// --- maintenance reminders ------------------------------------------------------

function readReminders() {
  return App.readList("reminders-error", async () => {
    const list = await App.call("reception.reminder.due", {});
    const rows = list.reminders || [];
    await people(rows);
    renderReminders(rows);
  });
}

function renderReminders(rows) {
  const error = document.getElementById("reminders-error");
  setList(
    "reminders",
    rows,
    [
      { label: "counter.vehicle", value: carCell },
      { label: "counter.customer", value: whoCell },
      { label: "clerk.due_date", value: (r) => r.due_date, cls: "nowrap" },
      { label: "clerk.due_km", value: (r) => (r.due_km ? r.due_km + " km" : ""), cls: "num" },
      { label: "counter.mileage", value: (r) => ((vehicles.get(r.vin) || {}).mileage_km ? vehicles.get(r.vin).mileage_km + " km" : ""), cls: "num" },
      {
        label: "clerk.outcome",
        value: (r) => {
          const box = App.el("div", "actions reminder");
          const outcome = select(
            "outcome",
            [["", App.t("clerk.outcome.pick")], ...OUTCOMES.map((o) => [o, App.t("clerk.outcome." + o)])],
            "",
            "clerk.outcome",
            "outcome:" + r.vin + ":" + r.due_date
          );
          box.append(
            outcome,
            App.button("counter.record", "primary record-go", async (e) => {
              if (!outcome.value) return void (error.textContent = App.t("clerk.outcome.missing"));
              const payload = { vin: r.vin, kind: r.kind || "maintenance", due_date: r.due_date, outcome: outcome.value };
              const action = "reminder:" + r.vin + ":" + r.due_date + ":" + outcome.value;
              if (await App.act(e.target, error, action, "reception.reminder.record", payload)) {
                if (outcome.value === "booked") bookFromReminder(r);
                readReminders();
                readCounts();
                figuresSoon();
              }
            })
          );
          return box;
        },
      },
    ],
    "clerk.reminders.none",
    "vin",
    "vin"
  );
}

// The customer said yes on the reminder call: the booking form opens for the car.
function bookFromReminder(r) {
  const v = vehicles.get(r.vin) || { vin: r.vin };
  const c = customers.get(v.customer_id) || {};
  showTab("appointments");
  startBooking(
    { vin: r.vin, plate: v.plate, model: v.model, customer_id: v.customer_id, customer_name: c.name, customer_phone: c.phone },
    App.t("clerk.reminder_reason"),
    "reminder"
  );
}

async function plan(e) {
  const error = document.getElementById("reminders-error");
  const p = await App.act(e.target, error, "plan:" + today(), "reception.reminder.plan", { date: today() });
  if (p) {
    showPlanned(p);
    figuresSoon();
  }
}

function showPlanned(p) {
  document.getElementById("planned").textContent = App.t("clerk.reminders.planned").replace("{n}", String(p.count || 0));
}

// --- follow-up calls ------------------------------------------------------------

function readFollowups() {
  return App.readList("followups-error", async () => {
    const list = await App.call("reception.ro.list", { followup_due: true, limit: 100 });
    const rows = list.ros || [];
    await people(rows);
    renderFollowups(rows);
  });
}

function renderFollowups(rows) {
  const error = document.getElementById("followups-error");
  setList(
    "followups",
    rows,
    [
      { label: "counter.ro", value: (r) => r.ro_number, cls: "ro-col" },
      { label: "counter.customer", value: whoCell },
      { label: "counter.vehicle", value: carCell },
      { label: "counter.advisor", value: (r) => r.advisor, cls: "nowrap" },
      { label: "counter.delivered_at", value: (r) => App.datetime(r.delivered_us), cls: "nowrap" },
      { label: "counter.invoice.total", value: (r) => App.money(r.total_cents || 0), cls: "num" },
      {
        label: "counter.followup",
        value: (r) => {
          const box = App.el("div", "actions followup");
          const score = select("score", [["", App.t("counter.csi")], ...[10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((s) => [String(s), String(s)])], "", "counter.csi", "score:" + r.ro_number);
          const comment = draftInput("comment", "", "comment:" + r.ro_number);
          comment.placeholder = App.t("counter.comment");
          comment.setAttribute("aria-label", App.t("counter.comment"));
          box.append(
            score,
            comment,
            App.button("counter.record", "primary record-go", async (e) => {
              if (!score.value) return void (error.textContent = App.t("counter.csi.missing"));
              const payload = { ro_number: r.ro_number, csi_score: Number(score.value) };
              if (comment.value.trim()) payload.comment = comment.value.trim();
              const action = "followup:" + r.ro_number + ":" + score.value + ":" + payload.comment;
              if (await App.act(e.target, error, action, "reception.followup.record", payload)) {
                readFollowups();
                readCounts();
                figuresSoon();
              }
            })
          );
          return box;
        },
      },
    ],
    "counter.followups.none",
    "ro",
    "ro_number"
  );
}

// --- complaints -------------------------------------------------------------------

function readComplaints() {
  return App.readList("complaints-error", async () => {
    const list = await App.call("reception.complaint.list", { status: "open" });
    renderComplaints(list.complaints || []);
  });
}

function renderComplaints(rows) {
  setList(
    "complaints",
    rows,
    [
      { label: "clerk.complaint.id", value: (c) => c.complaint_id, cls: "nowrap" },
      { label: "counter.ro", value: (c) => c.ro_number || "", cls: "ro-col" },
      { label: "clerk.channel", value: (c) => App.t("clerk.channel." + c.channel) },
      { label: "clerk.complaint.text", value: (c) => c.text, cls: "complaint-text" },
    ],
    "clerk.complaints.none",
    "complaint",
    "complaint_id"
  );
}

async function logComplaint(e) {
  e.preventDefault();
  const text = document.getElementById("complaint-text");
  const ro = document.getElementById("complaint-ro");
  const go = document.getElementById("complaint-go");
  const error = document.getElementById("complaint-error");
  if (!state.complaint) state.complaint = { id: newId("CP"), key: App.newKey() };
  const payload = { complaint_id: state.complaint.id, channel: document.getElementById("complaint-channel").value, text: text.value.trim() };
  if (ro.value.trim()) payload.ro_number = ro.value.trim();
  go.disabled = true;
  error.textContent = "";
  try {
    await App.call("reception.complaint.log", payload, state.complaint.key);
    state.complaint = null;
    text.value = "";
    ro.value = "";
    readComplaints();
    readCounts();
  } catch (err) {
    if (err.status && err.status !== 503) state.complaint = null;
    error.textContent = App.errorText(err);
  } finally {
    go.disabled = false;
  }
}

// --- live: events are hints to read the open tab again ----------------------------

let pending = null, countsPending = null, figuresPending = null;
function soon(tab) {
  clearTimeout(pending);
  pending = setTimeout(() => state.tab === tab && reload(tab), 150);
}
function countsSoon() {
  clearTimeout(countsPending);
  countsPending = setTimeout(readCounts, 300);
}
// kpi counts what reception did a moment later, and says nothing when it has:
// the figures are read again a few times after a change
function figuresSoon() {
  clearTimeout(figuresPending);
  let n = 0;
  const next = () => {
    readFigures();
    if (++n < 3) figuresPending = setTimeout(next, 2500 * n);
  };
  figuresPending = setTimeout(next, 700);
}

function onEvent(event) {
  const t = event.type;
  if (t === "reception.customer.registered") customers.clear();
  if (t.startsWith("reception.vehicle.")) vehicles.clear();
  if (t.startsWith("reception.appointment.")) {
    if (state.tab === "appointments" || state.tab === "requests") soon(state.tab);
    countsSoon();
    figuresSoon();
  }
  if (t.startsWith("reception.reminder.")) {
    if (state.tab === "reminders") soon("reminders");
    countsSoon();
    figuresSoon();
  }
  if (t.startsWith("reception.ro.") || t === "reception.followup.recorded") {
    if (state.tab === "followups" || state.tab === "reminders") soon(state.tab);
    countsSoon();
    figuresSoon();
  }
  if (t.startsWith("reception.complaint.")) {
    if (state.tab === "complaints") soon("complaints");
    countsSoon();
  }
  if (window.ClerkLists && ClerkLists.follows(t, state.tab)) soon(state.tab);
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return; // the shell translates data-placeholder too
  document.addEventListener("languagechange", () => {
    reload(state.tab);
    readFigures();
    showBooked();
  });
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  document.getElementById("search-form").addEventListener("submit", search);
  document.getElementById("book-form").addEventListener("submit", book);
  document.getElementById("book-cancel").addEventListener("click", () => {
    state.vehicle = null;
    state.booking = null;
    renderBooking();
  });
  document.getElementById("day").addEventListener("change", readDay);
  document.getElementById("plan").addEventListener("click", plan);
  document.getElementById("complaint-form").addEventListener("submit", logComplaint);
  document.getElementById("day").value = today();
  if (window.ClerkLists) ClerkLists.init();
  App.follow(onEvent);
  await readAdvisors();
  readCounts();
  readFigures();
  showTab("appointments");
});
