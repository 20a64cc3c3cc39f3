// counter.js — the advisor's counter: one search box for customer, phone,
// plate or VIN; a found vehicle's card (history, open recalls, warnings);
// today's appointments (arrival); opening an RO from the labour-operation
// menu with parts and its estimate; what waits for approval, consent or the
// customer's answer to an extra defect; the ready-for-delivery list with
// delivery and the invoice; the follow-up calls due. Everything is read
// through reception's (and warranty's, parts') queries and read again when a
// live event says something changed.
"use strict";

const PAY_TYPES = ["CUSTOMER_PAY", "WARRANTY", "INTERNAL", "GOODWILL"];
const CONSENTS = ["signature", "phone", "sms"];

const state = {
  tab: "today",
  vehicle: null, // the vehicle at the counter: {vin, plate, model, mileage_km, customer_id, customer_name, customer_phone}
  appointment: "", // the appointment the RO is opened from
  ops: [], // the labour-operation menu
  rates: {}, // pay type -> rate_cents per hour
  jobs: [], // the RO being prepared: {op, concern, pay_type, parts: [{part_number, description, quantity, price_cents}]}
  openKey: null, // the Idempotency-Key of the RO being prepared
  opened: null, // the RO just opened
};

function statusText(status) {
  return App.t("counter.status." + status);
}

function payText(pay) {
  return App.t("counter.pay." + pay);
}

// Reads the customers and vehicles of rows before a table is drawn.
async function people(rows) {
  await Promise.all(rows.map((r) => Promise.all([customer(r.customer_id), vehicle(r.vin)])));
}

function whoCell(row) {
  const c = customers.get(row.customer_id);
  const box = App.el("div", "who-cell");
  box.append(App.el("div", "name", c ? c.name : row.customer_id || ""));
  if (c && c.phone) box.append(App.el("div", "phone", c.phone));
  return box;
}

function carCell(row) {
  const v = vehicles.get(row.vin);
  const box = App.el("div", "car-cell");
  box.append(App.el("div", "plate-small", v && v.plate ? v.plate : ""));
  box.append(App.el("div", "vin", row.vin || ""));
  return box;
}

// --- tabs, and how many wait behind each ----------------------------------------

// A list query, of the member's own ROs when "only mine" is ticked.
function mine(query) {
  if (document.getElementById("mine").checked) query.advisor = App.me.staff_id;
  return query;
}

async function readCounts() {
  try {
    const [approval, consent, extra, ready, due] = await Promise.all([
      App.call("reception.ro.list", mine({ status: "RO_AWAITING_APPROVAL", limit: 100 })),
      App.call("reception.ro.list", mine({ status: "RO_AWAITING_CONSENT", limit: 100 })),
      App.call("reception.ro.list", mine({ extra_work_waiting: true, limit: 100 })),
      App.call("reception.ro.list", mine({ status: "RO_READY_FOR_DELIVERY", limit: 100 })),
      App.call("reception.ro.list", mine({ followup_due: true, limit: 100 })),
    ]);
    const n = (list) => (list.ros || []).length;
    const defects = (extra.ros || []).reduce((s, r) => s + (r.extra_work_waiting || 0), 0);
    setCount("waiting", n(approval) + n(consent) + defects);
    setCount("ready", n(ready));
    setCount("followups", n(due));
  } catch (err) {
    // the lists say why when they are opened
  }
}

function setCount(tab, n) {
  const badge = document.querySelector(`#tabs [data-tab="${tab}"] .count`);
  badge.textContent = n ? String(n) : "";
}


function showTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === tab);
  for (const p of document.querySelectorAll(".counter-panel")) p.hidden = p.dataset.panel !== tab;
  reload(tab);
}

function reload(tab) {
  if (tab === "today") readToday();
  else if (tab === "waiting") readWaiting();
  else if (tab === "ready") readReady();
  else if (tab === "followups") readFollowups();
  else if (tab === "open") renderOpen();
  else if (tab === "vehicle") renderCard();
  else if (tab === "rescues") Rescue.read();
}

// --- search ------------------------------------------------------------------

function search(e) {
  return searchReception(e, renderHits, closeWalkin);
}

function renderHits(hits) {
  const results = document.getElementById("results");
  const vehicleHits = document.getElementById("vehicle-hits");
  const customerHits = document.getElementById("customer-hits");
  results.hidden = false;
  const cars = hits.vehicles || [];
  const owners = hits.customers || [];
  vehicleHits.replaceChildren();
  customerHits.replaceChildren();
  if (!cars.length && !owners.length) {
    vehicleHits.append(App.el("p", "hint", App.t("counter.search.none")));
    const text = document.getElementById("search").value.trim();
    const register = App.button("counter.walkin.register_found_nothing", "primary", () => openWalkin(text));
    register.id = "walkin-from-search";
    if (!document.getElementById("walkin-new").hidden) vehicleHits.append(register);
    return;
  }
  if (cars.length) {
    const table = App.table(
      [
        { label: "counter.plate", value: (v) => v.plate, cls: "plate-col" },
        { label: "counter.vin", value: (v) => v.vin },
        { label: "counter.model", value: (v) => v.model },
        { label: "counter.owner", value: (v) => v.customer_name },
        { label: "counter.phone", value: (v) => v.customer_phone },
        { label: "counter.mileage", value: (v) => (v.mileage_km ? v.mileage_km + " km" : "") },
      ],
      cars,
      () => "pick"
    );
    table.id = "vehicle-table";
    [...table.tBodies[0].rows].forEach((tr, i) => {
      tr.tabIndex = 0;
      tr.dataset.vin = cars[i].vin;
      tr.addEventListener("click", () => openCard(cars[i]));
      tr.addEventListener("keydown", (k) => k.key === "Enter" && openCard(cars[i]));
    });
    vehicleHits.append(table);
  }
  if (owners.length) {
    const table = App.table(
      [
        { label: "counter.customer", value: (c) => c.name },
        { label: "counter.phone", value: (c) => c.phone },
        { label: "counter.customer_id", value: (c) => c.customer_id },
        {
          label: "counter.walkin.vehicle_col",
          value: (c) => App.button("counter.walkin.add_vehicle", "add-vehicle", () => openWalkinVehicle(c)),
        },
      ],
      owners
    );
    [...table.tBodies[0].rows].forEach((tr, i) => (tr.dataset.customer = owners[i].customer_id));
    table.id = "customer-table";
    customerHits.append(table);
    if (!cars.length) customerHits.append(App.el("p", "hint", App.t("counter.search.no_vehicle")));
  }
  // one vehicle (by plate, VIN, or its owner's name or phone): straight to its card
  if (cars.length === 1) openCard(cars[0]);
}

// --- a walk-in: register the customer, then the vehicle -----------------------

// The customer the vehicle form registers a vehicle for ({customer_id, name, phone}).
let walkinOwner = null;

function walkinErrors() {
  for (const id of ["walkin-customer-error", "walkin-vehicle-error"]) document.getElementById(id).textContent = "";
}

// The form for a customer reception does not know: what was searched goes
// into the field it looks like (a VIN, a phone number or a plate). A new
// form is a new registration: new keys.
function openWalkin(text) {
  text = (text || "").trim();
  walkinOwner = null;
  App.forget("walkin-customer");
  App.forget("walkin-vehicle");
  walkinErrors();
  for (const id of ["walkin-name", "walkin-phone", ...VEHICLE_FIELDS]) document.getElementById(id).value = "";
  if (/^[A-HJ-NPR-Z0-9]{17}$/i.test(text)) document.getElementById("walkin-vin").value = text.toUpperCase();
  else if (/^[0-9+\- ]{5,}$/.test(text)) document.getElementById("walkin-phone").value = text;
  else if (text) document.getElementById("walkin-plate").value = text;
  document.getElementById("results").hidden = true;
  document.getElementById("walkin").hidden = false;
  document.getElementById("walkin-customer-form").hidden = false;
  document.getElementById("walkin-vehicle-form").hidden = true;
  document.getElementById("walkin-name").focus();
}

const VEHICLE_FIELDS = ["walkin-vin", "walkin-plate", "walkin-model", "walkin-sale-date", "walkin-mileage"];

// The vehicle form for a customer reception knows: found by a search (an
// empty form), or just registered (`keep`: the VIN or plate searched for stays).
function openWalkinVehicle(c, keep) {
  if (!keep) for (const id of VEHICLE_FIELDS) document.getElementById(id).value = "";
  walkinOwner = { customer_id: c.customer_id, name: c.name, phone: c.phone };
  App.forget("walkin-vehicle");
  walkinErrors();
  document.getElementById("results").hidden = true;
  document.getElementById("walkin").hidden = false;
  document.getElementById("walkin-customer-form").hidden = true;
  document.getElementById("walkin-vehicle-form").hidden = false;
  document.getElementById("walkin-owner").textContent = c.name || "";
  document.getElementById("walkin-owner-id").textContent = c.customer_id;
  const vin = document.getElementById("walkin-vin");
  (vin.value ? document.getElementById("walkin-plate") : vin).focus();
}

function closeWalkin() {
  walkinOwner = null;
  document.getElementById("walkin").hidden = true;
}

async function submitWalkinCustomer(e) {
  e.preventDefault();
  const name = document.getElementById("walkin-name").value.trim();
  const phone = document.getElementById("walkin-phone").value.trim();
  const payload = { name: name }; // reception numbers the customer (C000001)
  if (phone) payload.phone = phone;
  const reply = await App.act(
    document.getElementById("walkin-customer-submit"),
    document.getElementById("walkin-customer-error"),
    "walkin-customer",
    "reception.customer.register",
    payload
  );
  if (!reply) return;
  customers.set(reply.customer_id, reply);
  openWalkinVehicle(reply, true);
}

async function submitWalkinVehicle(e) {
  e.preventDefault();
  const owner = walkinOwner;
  if (!owner) return;
  const error = document.getElementById("walkin-vehicle-error");
  const submit = document.getElementById("walkin-vehicle-submit");
  const vin = document.getElementById("walkin-vin").value.trim().toUpperCase();
  const payload = {
    vin: vin,
    plate: document.getElementById("walkin-plate").value.trim(),
    customer_id: owner.customer_id,
  };
  const model = document.getElementById("walkin-model").value.trim();
  const sale = document.getElementById("walkin-sale-date").value;
  const km = document.getElementById("walkin-mileage").value.trim();
  if (model) payload.model = model;
  if (sale) payload.sale_date = sale;
  if (km !== "") payload.mileage_km = Number(km);
  // reception refuses a known VIN with another plate or owner (a change goes
  // through reception.vehicle.transfer) and answers a repeat with the vehicle:
  // at the counter a VIN already known is a mistake or a car to find by
  // search, so the page refuses it, naming the vehicle's plate and owner.
  // A retry of this form's own registration (its key kept) is not refused.
  if (!App.keys.has("walkin-vehicle")) {
    submit.disabled = true;
    error.textContent = "";
    try {
      const known = await App.call("reception.vehicle.show", { vin: vin });
      const who = await customer(known.customer_id);
      error.textContent = App.t("counter.walkin.vin_known") + ": " + vin + " — " + (known.plate || "") + ", " + (who ? who.name : known.customer_id || "");
      return;
    } catch (err) {
      if (err.status !== 404) {
        error.textContent = App.errorText(err);
        return;
      }
    } finally {
      submit.disabled = false;
    }
  }
  const reply = await App.act(submit, error, "walkin-vehicle", "reception.vehicle.register", payload);
  if (!reply) return;
  vehicles.set(reply.vin, reply);
  closeWalkin();
  document.getElementById("search").value = reply.plate || reply.vin;
  openCard({
    vin: reply.vin,
    plate: reply.plate,
    model: reply.model,
    mileage_km: reply.mileage_km,
    customer_id: owner.customer_id,
    customer_name: owner.name,
    customer_phone: owner.phone,
  });
}

// --- the vehicle's card ------------------------------------------------------

async function openCard(hit) {
  state.vehicle = {
    vin: hit.vin,
    plate: hit.plate,
    model: hit.model,
    mileage_km: hit.mileage_km,
    customer_id: hit.customer_id,
    customer_name: hit.customer_name,
    customer_phone: hit.customer_phone,
  };
  state.appointment = "";
  newRo();
  document.getElementById("results").hidden = true;
  document.querySelector('#tabs [data-tab="vehicle"]').hidden = false;
  showTab("vehicle");
}

async function renderCard() {
  const v = state.vehicle;
  if (!v) return;
  document.getElementById("card-plate").textContent = v.plate || "";
  document.getElementById("card-vin").textContent = v.vin;
  document.getElementById("card-model").textContent = v.model || "";
  document.getElementById("card-mileage").textContent = v.mileage_km ? v.mileage_km + " km" : "";
  document.getElementById("card-owner").textContent = v.customer_name || v.customer_id || "";
  document.getElementById("card-phone").textContent = v.customer_phone || "";
  const error = document.getElementById("card-error");
  error.textContent = "";
  const history = document.getElementById("card-history");
  try {
    const h = await App.call("reception.vehicle.history", { vin: v.vin });
    // the vehicle as reception has it now (a reading taken at an RO since the search)
    v.mileage_km = h.mileage_km;
    document.getElementById("card-mileage").textContent = h.mileage_km ? h.mileage_km + " km" : "";
    const ros = h.ros || [];
    history.replaceChildren(
      ros.length
        ? App.table(
            [
              { label: "counter.date", value: (r) => r.opened_date },
              { label: "counter.ro", value: (r) => r.ro_number },
              { label: "counter.mileage", value: (r) => (r.mileage_km ? r.mileage_km + " km" : "") },
              { label: "counter.jobs", value: (r) => (r.jobs || []).map((j) => j.concern).join("; ") },
              { label: "counter.status", value: statusWithParts },
              { label: "counter.amount", value: (r) => App.money(r.total_cents !== undefined ? r.total_cents : r.estimate_cents), cls: "num" },
            ],
            ros
          )
        : App.el("p", "hint", App.t("counter.history.none"))
    );
  } catch (err) {
    error.textContent = App.errorText(err);
  }
  renderTransfers(v.vin);
  renderRecalls(v.vin);
}

// The vehicle's changes of plate and owner (reception.vehicle.transfer), oldest
// first; hidden when it never changed hands.
async function renderTransfers(vin) {
  const box = document.getElementById("card-transfers");
  const list = document.getElementById("card-transfers-list");
  let transfers = [];
  try {
    transfers = (await App.call("reception.vehicle.show", { vin: vin })).transfers || [];
  } catch (err) {
    transfers = [];
  }
  box.hidden = transfers.length === 0;
  const owner = (id, name) => (name ? name + " (" + id + ")" : id || "");
  list.replaceChildren(
    App.table(
      [
        { label: "counter.date", value: (t) => t.date || "" },
        { label: "counter.transfer.plate", value: (t) => (t.old_plate === t.new_plate ? t.new_plate : t.old_plate + " → " + t.new_plate) },
        {
          label: "counter.transfer.owner",
          value: (t) =>
            t.old_customer_id === t.new_customer_id
              ? owner(t.new_customer_id, t.new_customer_name)
              : owner(t.old_customer_id, t.old_customer_name) + " → " + owner(t.new_customer_id, t.new_customer_name),
        },
        { label: "counter.transfer.reason", value: (t) => t.reason || "" },
        { label: "counter.transfer.by", value: (t) => t.transferred_by || "" },
      ],
      transfers
    )
  );
}

// An RO's status; in the workshop, the date the supplier promised its
// backordered parts (parts.order.promised, kept by reception).
function statusWithParts(r) {
  const box = App.el("div", "", statusText(r.status));
  if (r.status === "RO_IN_WORKSHOP" && r.parts_promised_date)
    box.append(App.el("div", "parts-promised", App.t("counter.parts_promised") + " " + r.parts_promised_date));
  return box;
}

// Open recalls and repair/replace/return warnings from warranty: the card
// still works when warranty does not answer (the error says so).
async function renderRecalls(vin) {
  const box = document.getElementById("card-recalls");
  box.replaceChildren();
  try {
    const list = await App.call("warranty.recall.query", { vin: vin });
    for (const c of list.campaigns || []) {
      box.append(App.el("div", "recall", App.t("counter.recall") + ": " + c.campaign_id + " — " + (c.title || "")));
    }
  } catch (err) {
    box.append(App.el("div", "error", App.errorText(err)));
  }
  try {
    const warnings = await App.call("warranty.vehicle.warnings", { vin: vin });
    // each in the page's language (warranty.warn.<code>), the English when it has none
    for (const v of warnings.vehicles || []) {
      const words = v.warning_wordings || [];
      for (const [i, w] of (v.warnings || []).entries()) {
        const k = words.length === v.warnings.length ? words[i] : null;
        const text = k ? App.worded("warranty.warn.", k.code, k.args, w) : w;
        box.append(App.el("div", "warning", App.t("counter.warning") + (App.lang === "zh" ? "：" : ": ") + text));
      }
    }
  } catch (err) {
    // 404: no warranty repair of this vehicle, so nothing to warn about
    if (err.status !== 404) box.append(App.el("div", "error", App.errorText(err)));
  }
}

// --- today's appointments ----------------------------------------------------

function today() {
  return App.date(Date.now() * 1000);
}

function readToday() {
  return App.readList("today-error", async () => {
    const list = await App.call("reception.appointment.queue", { date: today() });
    const rows = (list.appointments || []).filter((a) => a.status !== "REQUESTED");
    await people(rows);
    renderToday(rows);
  });
}

function renderToday(rows) {
  const box = document.getElementById("today");
  if (!rows.length) return box.replaceChildren(App.el("p", "hint", App.t("counter.today.none")));
  const error = document.getElementById("today-error");
  const open = ["BOOKED", "CONFIRMED", "ASSIGNED"];
  const table = App.table(
    [
      { label: "counter.time", value: (a) => (a.slot || "").slice(11, 16) },
      { label: "counter.customer", value: whoCell },
      { label: "counter.vehicle", value: carCell },
      { label: "counter.reason", value: (a) => a.reason },
      {
        label: "counter.status",
        value: (a) => {
          const box = App.el("div", "", statusText(a.status));
          for (const r of a.open_recalls || []) box.append(App.el("div", "recall", App.t("counter.recall") + ": " + r));
          return box;
        },
      },
      {
        label: "counter.action",
        value: (a) => {
          const box = App.el("div", "actions");
          if (open.includes(a.status))
            box.append(
              App.button("counter.arrived", "", async (e) => {
                if (await App.act(e.target, error, "arrive:" + a.appointment_id, "reception.appointment.arrive", { appointment_id: a.appointment_id }))
                  readToday();
              })
            );
          if ((a.status === "ARRIVED" || a.status === "ASSIGNED") && !a.ro_number)
            box.append(App.button("counter.open_ro", "primary", () => openFromAppointment(a)));
          if (a.ro_number) box.append(App.el("span", "ro-link", a.ro_number));
          return box;
        },
      },
    ],
    rows,
    (a) => "appt " + a.status
  );
  [...table.tBodies[0].rows].forEach((tr, i) => (tr.dataset.appointment = rows[i].appointment_id));
  box.replaceChildren(table);
}

async function openFromAppointment(a) {
  const v = vehicles.get(a.vin) || (await vehicle(a.vin)) || { vin: a.vin };
  const c = customers.get(a.customer_id);
  state.vehicle = {
    vin: a.vin,
    plate: v.plate,
    model: v.model,
    mileage_km: v.mileage_km,
    customer_id: a.customer_id,
    customer_name: c ? c.name : "",
    customer_phone: c ? c.phone : "",
  };
  newRo();
  state.appointment = a.appointment_id;
  document.querySelector('#tabs [data-tab="vehicle"]').hidden = false;
  showTab("open");
}

// --- opening an RO from the menu ---------------------------------------------

function newRo() {
  state.jobs = [];
  state.openKey = App.newKey();
  state.opened = null;
  state.appointment = "";
}

async function readMenu() {
  try {
    const [ops, rates] = await Promise.all([
      App.call("reception.labour_op.list", {}),
      App.call("reception.labour_rate.list", {}),
    ]);
    state.ops = (ops.operations || []).map((e) => e.operation);
    state.rates = {};
    for (const r of rates.rates || []) state.rates[r.pay_type] = Number(r.rate_cents || 0);
  } catch (err) {
    document.getElementById("open-error").textContent = App.errorText(err);
  }
}

function labourCents(op, pay) {
  return Math.floor(((op.sold_minutes || 0) * (state.rates[pay] || 0)) / 60);
}

function jobCents(job) {
  return labourCents(job.op, job.pay_type) + job.parts.reduce((s, p) => s + p.quantity * Number(p.price_cents || 0), 0);
}

function renderOpen() {
  const v = state.vehicle;
  const form = document.getElementById("open-form");
  const opened = document.getElementById("opened");
  document.getElementById("open-novehicle").hidden = !!v || !!state.opened;
  form.hidden = !v || !!state.opened;
  opened.hidden = !state.opened;
  if (state.opened) return renderOpened();
  if (!v) return;
  document.getElementById("open-plate").textContent = v.plate || "";
  document.getElementById("open-vin").textContent = v.vin;
  document.getElementById("open-owner").textContent = [v.customer_name, v.customer_phone].filter(Boolean).join(" · ");
  document.getElementById("open-appointment").textContent = state.appointment
    ? App.t("counter.appointment") + " " + state.appointment
    : "";
  const mileage = document.getElementById("open-mileage");
  if (!mileage.value || mileage.dataset.vin !== v.vin) {
    mileage.value = v.mileage_km || "";
    mileage.dataset.vin = v.vin;
  }
  renderMenu();
  renderJobs();
}

function renderMenu() {
  const filter = document.getElementById("op-filter").value.trim().toLowerCase();
  const list = document.getElementById("ops");
  const shown = state.ops.filter(
    (op) => !filter || op.code.toLowerCase().includes(filter) || (op.description || "").toLowerCase().includes(filter)
  );
  list.replaceChildren(
    ...shown.map((op) => {
      const li = App.el("li");
      const b = App.el("button", "op");
      b.type = "button";
      b.dataset.code = op.code;
      b.append(App.el("span", "code", op.code));
      b.append(App.el("span", "desc", op.description || ""));
      b.append(App.el("span", "mins", (op.sold_minutes || 0) + " " + App.t("counter.minutes")));
      b.append(App.el("span", "price", App.money(labourCents(op, "CUSTOMER_PAY"))));
      b.addEventListener("click", () => addJob(op));
      li.append(b);
      return li;
    })
  );
  if (!shown.length) list.append(App.el("li", "hint", App.t("counter.menu.none")));
}

// A job the menu has no operation for: the concern and the sold minutes as
// the advisor gives them (reception flags it free_text; its rate is the pay
// type's).
function addFreeJob() {
  state.jobs.push({ op: { code: "", description: "", sold_minutes: 60, free: true }, concern: "", pay_type: "CUSTOMER_PAY", parts: [] });
  renderJobs();
  const concerns = document.querySelectorAll("#jobs .concern");
  if (concerns.length) concerns[concerns.length - 1].focus();
}

function addJob(op) {
  state.jobs.push({ op: op, concern: op.description || op.code, pay_type: "CUSTOMER_PAY", parts: [] });
  renderJobs();
  const concerns = document.querySelectorAll("#jobs .concern");
  if (concerns.length) concerns[concerns.length - 1].focus();
}

function renderJobs() {
  const list = document.getElementById("jobs");
  list.replaceChildren(...state.jobs.map(jobItem));
  if (!state.jobs.length) list.append(App.el("li", "hint", App.t("counter.jobs.none")));
  renderEstimate();
}

function renderEstimate() {
  const total = state.jobs.reduce((s, j) => s + jobCents(j), 0);
  document.getElementById("estimate-preview").textContent = App.money(total);
  document.getElementById("open-submit").disabled = !state.jobs.length;
}

function jobItem(job, index) {
  const li = App.el("li", job.op.free ? "job-line free" : "job-line");
  const head = App.el("div", "job-head");
  head.append(App.el("span", "code", job.op.free ? App.t("counter.free_text") : job.op.code));
  head.append(App.el("span", "desc", job.op.description || ""));
  const labourAmount = App.el("span", "amount", App.money(labourCents(job.op, job.pay_type)));
  head.append(labourAmount);
  head.append(
    App.button("counter.remove", "small", () => {
      state.jobs.splice(index, 1);
      renderJobs();
    })
  );
  li.append(head);

  const row = App.el("div", "job-fields");
  const concernLabel = App.el("label", "field");
  concernLabel.append(App.el("span", "", App.t("counter.concern")));
  const concern = App.el("input", "concern");
  concern.value = job.concern;
  concern.addEventListener("input", () => (job.concern = concern.value));
  concernLabel.append(concern);
  const payLabel = App.el("label", "field");
  payLabel.append(App.el("span", "", App.t("counter.pay_type")));
  const pay = App.el("select", "pay");
  for (const p of PAY_TYPES) {
    const o = App.el("option", "", payText(p));
    o.value = p;
    pay.append(o);
  }
  pay.value = job.pay_type;
  pay.addEventListener("change", () => {
    job.pay_type = pay.value;
    renderJobs();
  });
  payLabel.append(pay);
  row.append(concernLabel, payLabel);
  if (job.op.free) {
    // typed in place: the labour and the estimate follow without redrawing the form
    const minutesLabel = App.el("label", "field");
    minutesLabel.append(App.el("span", "", App.t("counter.sold_minutes")));
    const minutes = App.el("input", "minutes");
    minutes.type = "number";
    minutes.min = "1";
    minutes.max = "100000";
    minutes.inputMode = "numeric";
    minutes.value = job.op.sold_minutes;
    minutes.addEventListener("input", () => {
      job.op.sold_minutes = Math.min(100000, Math.max(0, parseInt(minutes.value, 10) || 0));
      labourAmount.textContent = App.money(labourCents(job.op, job.pay_type));
      renderEstimate();
    });
    minutesLabel.append(minutes);
    row.classList.add("free");
    row.append(minutesLabel);
  }
  li.append(row);

  // parts: the part lines, and a search of the parts catalogue to add one
  const parts = App.el("ul", "part-lines");
  job.parts.forEach((p, k) => {
    const pl = App.el("li", "part-line");
    pl.append(App.el("span", "code", p.part_number));
    pl.append(App.el("span", "desc", p.description || ""));
    const qty = App.el("input", "qty");
    qty.type = "number";
    qty.min = "1";
    qty.max = "10000";
    qty.value = p.quantity;
    const amount = App.el("span", "amount", App.money(p.quantity * Number(p.price_cents || 0)));
    // typed in place: the line and the estimate follow without redrawing the form
    qty.addEventListener("input", () => {
      p.quantity = Math.min(10000, Math.max(1, parseInt(qty.value, 10) || 1));
      amount.textContent = App.money(p.quantity * Number(p.price_cents || 0));
      renderEstimate();
    });
    pl.append(qty, amount);
    pl.append(
      App.button("counter.remove", "small", () => {
        job.parts.splice(k, 1);
        renderJobs();
      })
    );
    parts.append(pl);
  });
  li.append(parts);
  const find = App.el("div", "part-find");
  const input = App.el("input", "part-search");
  input.type = "search";
  input.placeholder = App.t("counter.part_search");
  const hits = App.el("ul", "part-hits");
  const go = App.button("counter.part_add", "small", () => findParts(job, input, hits));
  input.addEventListener("keydown", (k) => {
    if (k.key === "Enter") {
      k.preventDefault();
      findParts(job, input, hits);
    }
  });
  find.append(input, go);
  li.append(find, hits);
  return li;
}

async function findParts(job, input, hits) {
  const text = input.value.trim();
  if (!text) return;
  hits.replaceChildren();
  try {
    const found = await App.call("parts.part.search", { text: text, limit: 8 });
    for (const h of found.hits || []) {
      const li = App.el("li");
      const b = App.el("button", "part-hit");
      b.type = "button";
      b.dataset.part = h.part_number;
      b.append(App.el("span", "code", h.part_number));
      b.append(App.el("span", "desc", h.description || ""));
      b.append(App.el("span", "stock", App.t("counter.available") + " " + (h.available || 0)));
      b.append(App.el("span", "amount", App.money(h.price_cents || 0)));
      b.addEventListener("click", () => {
        job.parts.push({ part_number: h.part_number, description: h.description, quantity: 1, price_cents: h.price_cents || 0 });
        renderJobs();
      });
      li.append(b);
      hits.append(li);
    }
    if (!(found.hits || []).length) hits.append(App.el("li", "hint", App.t("counter.part.none")));
  } catch (err) {
    hits.append(App.el("li", "error", App.errorText(err)));
  }
}

async function submitRo(e) {
  e.preventDefault();
  const v = state.vehicle;
  if (!v || !state.jobs.length) return;
  const payload = {
    vin: v.vin,
    mileage_km: parseInt(document.getElementById("open-mileage").value, 10),
    jobs: state.jobs.map((j) => {
      const job = { concern: j.concern, pay_type: j.pay_type, parts: j.parts.map((p) => ({ part_number: p.part_number, quantity: p.quantity })) };
      // a free-text job carries its labour (reception takes the rate from the pay type)
      if (j.op.free) job.labour = { description: j.concern, sold_minutes: j.op.sold_minutes };
      else job.operation_code = j.op.code;
      return job;
    }),
  };
  if (state.appointment) payload.appointment_id = state.appointment;
  const submit = document.getElementById("open-submit");
  const error = document.getElementById("open-error");
  submit.disabled = true;
  error.textContent = "";
  try {
    state.opened = await App.call("reception.ro.open", payload, state.openKey);
    vehicles.delete(v.vin);
    renderOpen();
  } catch (err) {
    // the service answered (a refusal): the corrected form is a new request
    if (err.status && err.status !== 503) state.openKey = App.newKey();
    error.textContent = App.errorText(err);
  } finally {
    submit.disabled = false;
  }
}

function renderOpened() {
  const ro = state.opened;
  document.getElementById("opened-ro").textContent = ro.ro_number;
  document.getElementById("opened-estimate").textContent = App.money(ro.estimate_cents || 0);
  const status = document.getElementById("opened-status");
  status.textContent = statusText(ro.status);
  status.dataset.status = ro.status;
  const recalls = document.getElementById("opened-recalls");
  recalls.replaceChildren(...(ro.open_recalls || []).map((r) => App.el("div", "recall", App.t("counter.recall") + ": " + r)));
  const consent = document.getElementById("opened-consent");
  consent.replaceChildren();
  if (ro.status === "RO_AWAITING_APPROVAL") consent.append(App.el("p", "hint", App.t("counter.needs_approval")));
  if (ro.status === "RO_AWAITING_CONSENT") consent.append(...consentButtons(ro, document.getElementById("opened-error"), (r) => {
    state.opened = r;
    renderOpened();
  }));
}

// The customer's consent: one button per way it is given.
function consentButtons(ro, error, done) {
  const label = App.el("span", "consent-label", App.t("counter.consent"));
  return [
    label,
    ...CONSENTS.map((way) => {
      const b = App.button("counter.consent." + way, "primary consent-" + way, async (e) => {
        const reply = await App.act(e.target, error, "consent:" + ro.ro_number + ":" + way, "reception.ro.consent", {
          ro_number: ro.ro_number,
          consent: way,
        });
        if (reply) done(reply);
      });
      return b;
    }),
  ];
}

// --- waiting: approval, consent, extra defects --------------------------------

function readWaiting() {
  return App.readList("waiting-error", async () => {
    const [approval, consent, extra] = await Promise.all([
      App.call("reception.ro.list", mine({ status: "RO_AWAITING_APPROVAL", limit: 100 })),
      App.call("reception.ro.list", mine({ status: "RO_AWAITING_CONSENT", limit: 100 })),
      App.call("reception.ro.list", mine({ extra_work_waiting: true, limit: 100 })),
    ]);
    const extras = await Promise.all((extra.ros || []).map((r) => App.call("reception.ro.show", { ro_number: r.ro_number })));
    await people([...(approval.ros || []), ...(consent.ros || []), ...extras]);
    renderWaiting(approval.ros || [], consent.ros || [], extras);
  });
}

// The columns every RO list starts with (the opening date where it matters).
// A delivered RO: its columns, then when it was delivered and its total,
// which opens the invoice (at hand during a follow-up call).
function deliveredColumns() {
  return roColumns().concat([
    { label: "counter.delivered_at", value: (r) => App.datetime(r.delivered_us), cls: "nowrap" },
    {
      label: "counter.invoice.total",
      value: (r) => {
        const a = App.el("a", "invoice-link", App.money(r.total_cents || 0));
        a.href = "invoice.html?ro=" + encodeURIComponent(r.ro_number);
        a.target = "_blank";
        return a;
      },
      cls: "num",
    },
  ]);
}

function roColumns(withDate) {
  const columns = [{ label: "counter.ro", value: (r) => r.ro_number, cls: "ro-col" }];
  if (withDate) columns.push({ label: "counter.date", value: (r) => r.opened_date, cls: "nowrap" });
  return columns.concat([
    { label: "counter.customer", value: whoCell },
    { label: "counter.vehicle", value: carCell },
    { label: "counter.advisor", value: (r) => r.advisor, cls: "nowrap" },
  ]);
}

function renderWaiting(approvals, consents, extras) {
  const error = document.getElementById("waiting-error");
  const manager = App.me.roles.includes("front_desk_manager");
  const approvalCols = [...roColumns(true), { label: "counter.estimate", value: (r) => App.money(r.estimate_cents || 0), cls: "num" }];
  if (manager)
    approvalCols.push({
      label: "counter.action",
      value: (r) =>
        App.button("counter.approve", "primary", async (e) => {
          if (await App.act(e.target, error, "approve:" + r.ro_number, "reception.ro.approve", { ro_number: r.ro_number })) readWaiting();
        }),
    });
  setList("approvals", approvals, approvalCols, "counter.waiting.none");
  setList(
    "consents",
    consents,
    [
      ...roColumns(true),
      { label: "counter.estimate", value: (r) => App.money(r.estimate_cents || 0), cls: "num" },
      {
        label: "counter.consent",
        value: (r) => {
          const box = App.el("div", "actions");
          box.append(...consentButtons(r, error, () => readWaiting()).slice(1));
          return box;
        },
      },
    ],
    "counter.waiting.none"
  );
  const requests = [];
  for (const ro of extras)
    for (const x of ro.extra_work || []) if (!x.answer) requests.push({ ro: ro, x: x, ro_number: ro.ro_number, customer_id: ro.customer_id, vin: ro.vin });
  setList(
    "extras",
    requests,
    [
      { label: "counter.ro", value: (r) => r.ro_number + " / " + (r.x.for_job_no || ""), cls: "ro-col" },
      { label: "counter.customer", value: whoCell },
      { label: "counter.vehicle", value: carCell },
      { label: "counter.defect", value: (r) => r.x.description },
      { label: "counter.reported_by", value: (r) => r.x.reported_by },
      {
        label: "counter.amount",
        value: (r) => {
          const l = r.x.labour || {};
          const labour = Math.floor(((l.sold_minutes || 0) * Number(l.rate_cents || 0)) / 60);
          const parts = (r.x.parts || []).reduce((s, p) => s + (p.quantity || 0) * Number(p.unit_price_cents || 0), 0);
          return App.money(labour + parts);
        },
        cls: "num",
      },
      {
        label: "counter.answer",
        value: (r) => {
          const box = App.el("div", "actions");
          for (const yes of [true, false])
            box.append(
              App.button(yes ? "counter.yes" : "counter.no", yes ? "primary answer-yes" : "answer-no", async (e) => {
                const payload = { ro_number: r.ro_number, request_id: r.x.request_id, approved: yes };
                if (await App.act(e.target, error, "extra:" + r.ro_number + ":" + r.x.request_id + ":" + yes, "reception.extra_work.answer", payload))
                  readWaiting();
              })
            );
          return box;
        },
      },
    ],
    "counter.waiting.none"
  );
}

function setList(id, rows, columns, none) {
  const box = document.getElementById(id);
  if (!rows.length) return box.replaceChildren(App.el("p", "hint", App.t(none)));
  const table = App.table(columns, rows);
  [...table.tBodies[0].rows].forEach((tr, i) => (tr.dataset.ro = rows[i].ro_number));
  box.replaceChildren(table);
}

// --- ready for delivery -------------------------------------------------------

// An amount typed in currency units ("120", "120.5", "1,200.00") as cents;
// NaN when it is not one.
function cents(text) {
  const t = text.replace(/[,\s]/g, "");
  if (!t) return 0;
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return NaN;
  const [whole, frac = ""] = t.split(".");
  return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
}

function readReady() {
  return App.readList("ready-error", async () => {
    const [list, delivered] = await Promise.all([
      App.call("reception.ro.list", mine({ status: "RO_READY_FOR_DELIVERY", limit: 100 })),
      App.call("reception.ro.list", mine({ status: "RO_DELIVERED", limit: 100 })),
    ]);
    const rows = list.ros || [];
    await people([...rows, ...(delivered.ros || [])]);
    renderReady(rows);
    renderClosing(delivered.ros || []);
  });
}

// Delivered ROs, closed once the file is complete (the follow-up may come
// before or after: reception takes it on a closed RO too).
function renderClosing(rows) {
  const error = document.getElementById("closing-error");
  setList(
    "closing",
    rows,
    [
      ...deliveredColumns(),
      { label: "counter.followup", value: (r) => (r.csi_score ? App.t("counter.csi") + " " + r.csi_score : App.t("counter.csi.none")), cls: "nowrap" },
      {
        label: "counter.action",
        value: (r) =>
          App.button("counter.close", "close-go", async (e) => {
            if (await App.act(e.target, error, "close:" + r.ro_number, "reception.ro.close", { ro_number: r.ro_number })) readReady();
          }),
      },
    ],
    "counter.close.none"
  );
}

function renderReady(rows) {
  const error = document.getElementById("ready-error");
  setList(
    "ready",
    rows,
    [
      ...roColumns(),
      { label: "counter.ready_at", value: (r) => App.datetime(r.ready_us), cls: "nowrap" },
      { label: "counter.estimate", value: (r) => App.money(r.estimate_cents || 0), cls: "num" },
      {
        label: "counter.deliver",
        value: (r) => {
          const box = App.el("div", "actions deliver");
          const acc = App.el("input", "accessories");
          acc.inputMode = "decimal";
          acc.placeholder = App.t("counter.accessories");
          acc.setAttribute("aria-label", App.t("counter.accessories"));
          const next = CareCounter.nextService(); // the next-service recommendation (care_counter.js)
          box.append(
            acc,
            next.box,
            App.button("counter.deliver", "primary deliver-go", async (e) => {
              const amount = cents(acc.value);
              if (Number.isNaN(amount)) {
                error.textContent = App.t("counter.accessories.bad");
                return;
              }
              const payload = { ro_number: r.ro_number };
              if (amount) payload.accessories_cents = amount;
              if (!next.fill(payload, error)) return;
              const key = "deliver:" + r.ro_number + ":" + amount + ":" + (payload.next_service_date || "") + ":" + (payload.next_service_km || "");
              const ro = await App.act(e.target, error, key, "reception.ro.deliver", payload);
              if (ro) {
                showDelivered(ro);
                readReady();
              }
            })
          );
          return box;
        },
      },
    ],
    "counter.ready.none"
  );
}

function showDelivered(ro) {
  document.getElementById("delivered").hidden = false;
  document.getElementById("delivered-ro").textContent = ro.ro_number;
  document.getElementById("delivered-total").textContent = App.money(ro.invoice ? ro.invoice.total_cents || 0 : 0);
  document.getElementById("delivered-invoice").href = "invoice.html?ro=" + encodeURIComponent(ro.ro_number);
}

// --- follow-up calls -----------------------------------------------------------

function readFollowups() {
  return App.readList("followups-error", async () => {
    const list = await App.call("reception.ro.list", mine({ followup_due: true, limit: 100 }));
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
      ...deliveredColumns(),
      {
        label: "counter.followup",
        value: (r) => {
          const box = App.el("div", "actions followup");
          const score = App.el("select", "score");
          score.setAttribute("aria-label", App.t("counter.csi"));
          score.append(App.el("option", "", App.t("counter.csi")));
          score.options[0].value = "";
          for (let s = 10; s >= 1; s--) {
            const o = App.el("option", "", String(s));
            o.value = String(s);
            score.append(o);
          }
          const comment = App.el("input", "comment");
          comment.placeholder = App.t("counter.comment");
          comment.setAttribute("aria-label", App.t("counter.comment"));
          box.append(
            score,
            comment,
            App.button("counter.record", "primary record-go", async (e) => {
              if (!score.value) {
                error.textContent = App.t("counter.csi.missing");
                return;
              }
              const payload = { ro_number: r.ro_number, csi_score: Number(score.value) };
              if (comment.value.trim()) payload.comment = comment.value.trim();
              const action = "followup:" + r.ro_number + ":" + score.value + ":" + payload.comment;
              if (await App.act(e.target, error, action, "reception.followup.record", payload)) readFollowups();
            })
          );
          return box;
        },
      },
    ],
    "counter.followups.none"
  );
}

// --- live: events are hints to read the open tab again --------------------------

let pending = null, countsPending = null;
function countsSoon() {
  clearTimeout(countsPending);
  countsPending = setTimeout(readCounts, 300);
}

function soon(tab) {
  clearTimeout(pending);
  pending = setTimeout(() => state.tab === tab && reload(tab), 150);
}

function onEvent(event) {
  const t = event.type;
  // a customer or vehicle changed: read them again when next shown
  if (t === "reception.customer.registered") customers.clear();
  if (t.startsWith("reception.vehicle.")) vehicles.clear();
  if (t.startsWith("reception.appointment.")) soon("today");
  if (t.startsWith("reception.rescue.")) Rescue.changed();
  if (t.startsWith("reception.ro.") || t.startsWith("reception.extra_work.") || t.startsWith("reception.job.") || t === "reception.followup.recorded") {
    if (["waiting", "ready", "followups"].includes(state.tab)) soon(state.tab);
    countsSoon();
    if (state.opened && event.subject === state.opened.ro_number) refreshOpened();
  }
  // reception takes a defect from workshop's event and says nothing when it
  // has: read again a few times, for a reception that is a little behind
  if (t === "workshop.defect.reported") {
    for (const ms of [300, 1500, 4000, 10000])
      setTimeout(() => {
        if (state.tab === "waiting") readWaiting();
        readCounts();
      }, ms);
  }
  if (t.startsWith("reception.labour_") || t.startsWith("reception.labour_op.")) readMenu().then(() => state.tab === "open" && renderOpen());
}

async function refreshOpened() {
  try {
    state.opened = await App.call("reception.ro.show", { ro_number: state.opened.ro_number });
    renderOpened();
  } catch (err) {
    document.getElementById("opened-error").textContent = App.errorText(err);
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  document.addEventListener("languagechange", () => {
    reload(state.tab);
  });
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  document.getElementById("search-form").addEventListener("submit", search);
  // reception lets advisors, the front-desk manager and information clerks
  // register customers (not the service manager): the others see no button
  const registers = ["advisor", "front_desk_manager", "info_clerk"].some((r) => App.me.roles.includes(r));
  document.getElementById("walkin-new").hidden = !registers;
  document.getElementById("walkin-new").addEventListener("click", () => openWalkin(document.getElementById("search").value));
  document.getElementById("walkin-customer-form").addEventListener("submit", submitWalkinCustomer);
  document.getElementById("walkin-vehicle-form").addEventListener("submit", submitWalkinVehicle);
  for (const b of document.querySelectorAll(".walkin-cancel")) b.addEventListener("click", closeWalkin);
  document.getElementById("card-open").addEventListener("click", () => showTab("open"));
  document.getElementById("op-filter").addEventListener("input", renderMenu);
  document.getElementById("free-add").addEventListener("click", addFreeJob);
  document.getElementById("open-form").addEventListener("submit", submitRo);
  document.getElementById("opened-next").addEventListener("click", () => {
    state.vehicle = null;
    newRo();
    document.querySelector('#tabs [data-tab="vehicle"]').hidden = true;
    document.getElementById("search").value = "";
    document.getElementById("search").focus();
    showTab("today");
  });
  const onlyMine = document.getElementById("mine");
  onlyMine.checked = App.me.roles.includes("advisor");
  onlyMine.addEventListener("change", () => {
    reload(state.tab);
    readCounts();
  });
  App.follow(onEvent);
  Rescue.mount("counter");
  readCounts();
  await readMenu();
  showTab("today");
  document.getElementById("search").focus();
});
