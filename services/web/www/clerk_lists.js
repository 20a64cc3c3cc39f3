// clerk_lists.js — the information clerk's lists of issue 15, three tabs of
// the desk (clerk.html; clerk.js shows the tab and calls ClerkLists.reload):
// - Renewals: the vehicles whose insurance ends in the next days (reception's
//   [reception] insurance_notice_days), the owner's phone, what was learnt
//   of the renewal so far, and the renewal information collected recorded
//   per vehicle; the month's renewal information rate as kpi reports it.
// - Greetings: the birthday and holiday greetings of a date, each sent or
//   not; "Send" emits those not sent yet (reception sends each customer one
//   per occasion however often it is pressed); the holiday calendar.
// - Today: the day's business summary (kpi.day.summary), amounts in currency.
// Everything is read through the services' queries; live events are hints
// to read the open tab again (clerk.js's onEvent asks ClerkLists.follows).
"use strict";

const RENEWAL_OUTCOMES = ["here", "elsewhere", "not_renewing", "unknown"];

const ClerkLists = {
  reload(tab) {
    if (tab === "renewals") readRenewals();
    else if (tab === "greetings") {
      readGreetings();
      readHolidays();
    } else if (tab === "today") readToday();
  },
  // Whether event type `t` changes what the open tab `tab` shows.
  follows(t, tab) {
    if (tab === "renewals") return t.startsWith("reception.insurance.") || t === "reception.vehicle.registered";
    if (tab === "greetings") return t === "reception.greeting.due" || t === "reception.customer.registered";
    if (tab === "today") return t.startsWith("reception.ro.") || t.startsWith("reception.appointment.");
    return false;
  },
};
window.ClerkLists = ClerkLists;

function todayIso() {
  return App.date(Date.now() * 1000);
}

function dateOf(id) {
  const v = document.getElementById(id).value;
  return v || todayIso();
}

function card(key, label, value, detail) {
  const c = App.el("div", "clerk-figure");
  c.dataset.figure = key;
  c.append(App.el("span", "name", App.t(label)), App.el("strong", "value", value));
  if (detail) c.append(App.el("span", "detail", detail));
  return c;
}

// --- renewals -------------------------------------------------------------------

function renewalOutcome(r) {
  if (!r || !r.outcome) return App.t("clerk.renewals.nothing");
  let text = App.t("clerk.renewals.outcome." + r.outcome);
  if (r.insurer && r.outcome !== "unknown") text += " (" + r.insurer + ")";
  return text + " · " + (r.date || "");
}

function readRenewals() {
  return App.readList("renewals-error", async () => {
    const date = dateOf("renewals-date");
    const month = todayIso().slice(0, 7);
    const [list, report] = await Promise.all([
      App.call("reception.insurance.due", { date: date }),
      App.call("kpi.report", { month: month, by: "department" }).catch(() => null),
    ]);
    renderRenewals(list.vehicles || [], list.days || 0, date);
    renderRenewalRate(report);
  });
}

function renderRenewalRate(report) {
  const box = document.getElementById("renewal-rate");
  const row = report && report.rows && report.rows[0];
  const f = row && (row.figures || []).find((x) => x.name === "renewal information rate");
  const c = (row && row.counters) || {};
  const value = f && f.defined ? Number(f.value || 0).toFixed(1) + "%" : "-";
  const detail = App.t("clerk.renewals.rate_detail")
    .replace("{known}", String(Number(c.insurance_renewal_known || 0)))
    .replace("{ending}", String(Number(c.insurance_ending || 0)));
  box.replaceChildren(card("renewal information rate", "dashboard.fig.renewal information rate", value, detail));
}

function renderRenewals(rows, days, date) {
  const last = new Date(date + "T12:00:00");
  last.setDate(last.getDate() + days);
  document.getElementById("renewals-window").textContent = App.t("clerk.renewals.window")
    .replace("{from}", date)
    .replace("{to}", App.date(last.getTime() * 1000))
    .replace("{days}", String(days));
  const error = document.getElementById("renewals-error");
  const box = document.getElementById("renewals");
  if (!rows.length) return box.replaceChildren(App.el("p", "hint", App.t("clerk.renewals.none")));
  const table = App.table(
    [
      {
        label: "counter.vehicle",
        value: (r) => {
          const b = App.el("div", "car-cell");
          b.append(App.el("div", "plate-small", r.plate || ""));
          if (r.model) b.append(App.el("div", "model", r.model));
          b.append(App.el("div", "vin", r.vin));
          return b;
        },
      },
      {
        label: "counter.customer",
        value: (r) => {
          const b = App.el("div", "who-cell");
          b.append(App.el("div", "name", r.customer_name || r.customer_id || ""));
          if (r.phone) b.append(App.el("div", "phone", r.phone));
          return b;
        },
      },
      { label: "clerk.renewals.insurer", value: (r) => r.insurer || "" },
      { label: "clerk.renewals.ends", value: (r) => r.end_date, cls: "nowrap" },
      { label: "clerk.renewals.days_left", value: (r) => String(r.days_left || 0), cls: "num" },
      { label: "clerk.renewals.collected", value: (r) => renewalOutcome(r.renewal), cls: "collected" },
      {
        label: "clerk.renewals.record",
        value: (r) => {
          const form = App.el("div", "actions renewal");
          const outcome = App.el("select", "outcome");
          outcome.setAttribute("aria-label", App.t("clerk.renewals.record"));
          for (const o of ["", ...RENEWAL_OUTCOMES]) {
            const opt = App.el("option", "", App.t(o ? "clerk.renewals.outcome." + o : "clerk.outcome.pick"));
            opt.value = o;
            outcome.append(opt);
          }
          const insurer = App.el("input", "insurer");
          insurer.maxLength = 100;
          insurer.placeholder = App.t("clerk.renewals.insurer");
          const note = App.el("input", "note");
          note.maxLength = 160;
          note.placeholder = App.t("clerk.renewals.note");
          form.append(
            outcome,
            insurer,
            note,
            App.button("counter.record", "primary record-go", async (e) => {
              if (!outcome.value) return void (error.textContent = App.t("clerk.outcome.missing"));
              const payload = { vin: r.vin, outcome: outcome.value };
              if (insurer.value.trim()) payload.insurer = insurer.value.trim();
              if (note.value.trim()) payload.note = note.value.trim();
              const action = "renewal:" + r.vin + ":" + r.end_date + ":" + JSON.stringify(payload);
              if (await App.act(e.target, error, action, "reception.insurance.renewal", payload)) readRenewals();
            })
          );
          return form;
        },
      },
    ],
    rows
  );
  [...table.tBodies[0].rows].forEach((tr, i) => (tr.dataset.vin = rows[i].vin));
  box.replaceChildren(table);
}

// --- greetings -----------------------------------------------------------------

function readGreetings() {
  return App.readList("greetings-error", async () => {
    const list = await App.call("reception.greeting.list", { date: dateOf("greetings-date") });
    renderGreetings(list);
  });
}

function renderGreetings(list) {
  const rows = list.greetings || [];
  const waiting = rows.filter((g) => !g.sent).length;
  document.getElementById("greetings-summary").textContent = App.t("clerk.greetings.summary")
    .replace("{holiday}", list.holiday ? list.holiday + " · " : "")
    .replace("{n}", String(rows.length))
    .replace("{waiting}", String(waiting))
    .replace("{opted_out}", String(list.opted_out || 0))
    .replace("{no_phone}", String(list.no_phone || 0));
  document.getElementById("greetings-send").disabled = waiting === 0;
  const count = document.querySelector('#tabs [data-tab="greetings"] .count');
  if (count) count.textContent = waiting ? String(waiting) : "";
  const box = document.getElementById("greetings");
  if (!rows.length) return box.replaceChildren(App.el("p", "hint", App.t("clerk.greetings.none")));
  const table = App.table(
    [
      { label: "counter.customer", value: (g) => g.name || g.customer_id },
      { label: "counter.phone", value: (g) => g.phone || "", cls: "nowrap" },
      {
        label: "clerk.greetings.occasion",
        value: (g) => (g.occasion === "holiday" ? g.holiday || App.t("clerk.greetings.holiday") : App.t("clerk.greetings.birthday")),
        cls: "nowrap",
      },
      { label: "clerk.greetings.text", value: (g) => g.text || "", cls: "greeting-text" },
      {
        label: "clerk.greetings.state",
        value: (g) => (g.sent ? App.t("clerk.greetings.sent") + " · " + App.datetime(g.sent_us) : App.t("clerk.greetings.to_send")),
        cls: "state",
      },
    ],
    rows,
    (g) => (g.sent ? "greeting sent" : "greeting")
  );
  [...table.tBodies[0].rows].forEach((tr, i) => (tr.dataset.greeting = rows[i].customer_id + ":" + rows[i].occasion));
  box.replaceChildren(table);
}

async function sendGreetings(e) {
  const date = dateOf("greetings-date");
  const error = document.getElementById("greetings-error");
  const list = await App.act(e.target, error, "greetings:" + date, "reception.greeting.send", { date: date });
  if (list) renderGreetings(list);
}

function readHolidays() {
  return App.readList("holidays-error", async () => {
    const list = await App.call("reception.holiday.list", { from: todayIso() });
    const rows = list.holidays || [];
    const box = document.getElementById("holidays");
    if (!rows.length) return box.replaceChildren(App.el("p", "hint", App.t("clerk.holidays.none")));
    const table = App.table(
      [
        { label: "clerk.date", value: (h) => h.date, cls: "nowrap" },
        { label: "clerk.holidays.name", value: (h) => h.name },
        { label: "clerk.holidays.name_en", value: (h) => h.name_en || "" },
      ],
      rows
    );
    [...table.tBodies[0].rows].forEach((tr, i) => (tr.dataset.holiday = rows[i].date));
    box.replaceChildren(table);
  });
}

async function addHoliday(e) {
  e.preventDefault();
  const payload = { date: document.getElementById("holiday-date").value, name: document.getElementById("holiday-name").value.trim() };
  const nameEn = document.getElementById("holiday-name-en").value.trim(); // for English-language customers' greetings
  if (nameEn) payload.name_en = nameEn;
  const error = document.getElementById("holidays-error");
  const done = await App.act(document.getElementById("holiday-go"), error, "holiday:" + JSON.stringify(payload), "reception.holiday.set", payload);
  if (done) {
    document.getElementById("holiday-name").value = "";
    document.getElementById("holiday-name-en").value = "";
    readHolidays();
    readGreetings();
  }
}

// --- the day's business ----------------------------------------------------------

function readToday() {
  return App.readList("today-error", async () => {
    const s = await App.call("kpi.day.summary", { day: dateOf("today-date") });
    const n = (v) => String(Number(v || 0));
    document.getElementById("today").replaceChildren(
      card("ros", "clerk.today.ros", n(s.ros_opened) + " / " + n(s.ros_delivered)),
      card("appointments", "clerk.today.appointments", n(s.appointments_booked) + " / " + n(s.appointments_arrived)),
      card("labour", "dashboard.fig.labour sales", App.money(s.labour_sales_cents || 0)),
      card("parts", "dashboard.fig.parts sales", App.money(s.parts_sales_cents || 0)),
      card("sales", "dashboard.fig.service sales", App.money(s.service_sales_cents || 0)),
      card("gross", "dashboard.fig.gross profit", App.money(s.gross_profit_cents || 0)),
      card("waiting", "clerk.today.waiting", n(s.vehicles_waiting)),
      card("comebacks", "clerk.today.comebacks", n(s.comebacks)),
      card("claims", "clerk.today.claims", n(s.warranty_claims_submitted))
    );
    document.getElementById("today-formula").textContent = App.t("clerk.today.gross_formula")
      .replace("{gross}", App.money(s.gross_profit_cents || 0))
      .replace("{labour}", App.money(s.labour_sales_cents || 0))
      .replace("{parts}", App.money(s.parts_sales_cents || 0))
      .replace("{pcost}", App.money(s.parts_cost_cents || 0))
      .replace("{lcost}", App.money(s.labour_cost_cents || 0));
  });
}

// Called by clerk.js once the shell is up (the date fields made, the member known).
ClerkLists.init = () => {
  for (const id of ["renewals-date", "greetings-date", "today-date"]) {
    document.getElementById(id).value = todayIso();
  }
  document.getElementById("renewals-date").addEventListener("change", readRenewals);
  document.getElementById("greetings-date").addEventListener("change", readGreetings);
  document.getElementById("today-date").addEventListener("change", readToday);
  document.getElementById("greetings-send").addEventListener("click", sendGreetings);
  document.getElementById("holiday-form").addEventListener("submit", addHoliday);
};
