// rescue.js — road rescue on the advisor's counter and the foreman's board
// (issue 15; the front-desk manager approves or declines on frontdesk.html,
// care.js). The counter's "Rescues" tab: the advisor requests a rescue
// (customer, VIN or plate, place, reason, estimated cost in currency:
// reception.rescue.request) and closes a dispatched one with its time, actual
// cost and the RO it led to (reception.rescue.close). The board's panel: the
// foreman dispatches a technician to an approved rescue
// (reception.rescue.dispatch). Both show every rescue with its state
// (reception.rescue.list), read again on reception.rescue.* events
// (counter.js and board.js call Rescue.changed()).
//
// Rescue.mount(mode, technicians): mode "counter" or "board"; technicians()
// gives the board's technicians ({tech_id, name}) for the dispatch choice.
"use strict";

const Rescue = {
  mode: null,
  technicians: () => [],
  list: [],
  requestKey: null, // App.keeper() of the request form: a retry reuses its key
  drafts: new Map(), // what was typed in a row (close: minutes, cost, RO; dispatch: technician)

  mount(mode, technicians) {
    Rescue.mode = mode;
    if (technicians) Rescue.technicians = technicians;
    Rescue.requestKey = App.keeper();
    const form = document.getElementById("rescue-form");
    if (form) {
      form.hidden = !App.me.roles.some((r) => r === "advisor" || r === "front_desk_manager");
      form.addEventListener("submit", (e) => Rescue.request(e));
    }
    document.addEventListener("languagechange", () => {
      const done = document.getElementById("rescue-done");
      if (done) done.textContent = ""; // said in the language before
      Rescue.render();
    });
    Rescue.read();
  },

  // a rescue event: read the list again (at most once in 150 ms)
  changed() {
    clearTimeout(Rescue.pending);
    Rescue.pending = setTimeout(() => Rescue.read(), 150);
  },

  async read() {
    await App.readList("rescue-list-error", async () => {
      const reply = await App.call("reception.rescue.list", {});
      // the open ones first (requested, approved, dispatched), newest first in each
      const order = ["RESCUE_DISPATCHED", "RESCUE_APPROVED", "RESCUE_REQUESTED", "RESCUE_CLOSED", "RESCUE_DECLINED"];
      Rescue.list = (reply.rescues || []).slice().sort((a, b) =>
        order.indexOf(a.state) - order.indexOf(b.state) || Number(b.requested_us || 0) - Number(a.requested_us || 0));
      Rescue.render();
    });
  },

  // an amount typed as currency ("300", "1,250.50") in cents; NaN when it is none
  cents(text) {
    const t = String(text).replace(/[,\s]/g, "");
    if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return NaN;
    const [whole, frac = ""] = t.split(".");
    return Number(whole) * 100 + Number((frac + "00").slice(0, 2));
  },

  // a new rescue's id: RS- and the local date and time it is requested
  newId() {
    const d = new Date(), two = (n) => String(n).padStart(2, "0");
    return "RS-" + d.getFullYear() + two(d.getMonth() + 1) + two(d.getDate()) + "-" +
      two(d.getHours()) + two(d.getMinutes()) + two(d.getSeconds());
  },

  async request(e) {
    e.preventDefault();
    const value = (id) => document.getElementById(id).value.trim();
    const error = document.getElementById("rescue-error");
    const done = document.getElementById("rescue-done");
    done.textContent = "";
    const amount = Rescue.cents(value("rescue-estimate"));
    if (Number.isNaN(amount)) {
      error.textContent = App.t("rescue.bad_amount");
      return;
    }
    const vehicle = value("rescue-vehicle").toUpperCase();
    const form = e.target;
    if (!form.dataset.rescueId) form.dataset.rescueId = Rescue.newId();
    const payload = {
      rescue_id: form.dataset.rescueId,
      customer_id: value("rescue-customer"),
      place: value("rescue-place"),
      reason: value("rescue-reason"),
      estimated_cost_cents: amount,
    };
    if (vehicle.length === 17) payload.vin = vehicle;
    else payload.plate = value("rescue-vehicle");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    error.textContent = "";
    try {
      const r = await App.call("reception.rescue.request", payload, Rescue.requestKey.key(payload));
      Rescue.requestKey.done();
      done.textContent = r.rescue_id + ": " + App.t("rescue.requested") + " " + App.money(r.estimated_cost_cents);
      form.reset();
      delete form.dataset.rescueId;
      Rescue.read();
    } catch (err) {
      if (err.status && err.status !== 503) Rescue.requestKey.done();
      error.textContent = App.errorText(err);
    } finally {
      button.disabled = false;
    }
  },

  draft(id) {
    if (!Rescue.drafts.has(id)) Rescue.drafts.set(id, {});
    return Rescue.drafts.get(id);
  },

  input(id, field, placeholder, cls) {
    const input = App.el("input", cls);
    input.placeholder = App.t(placeholder);
    input.setAttribute("aria-label", App.t(placeholder));
    input.value = Rescue.draft(id)[field] || "";
    input.addEventListener("input", () => (Rescue.draft(id)[field] = input.value));
    return input;
  },

  async act(button, step, r, payload) {
    const error = document.getElementById("rescue-list-error");
    const reply = await App.act(button, error, step + ":" + r.rescue_id, "reception.rescue." + step, payload);
    if (reply === null) error.textContent = r.rescue_id + ": " + error.textContent;
    else Rescue.drafts.delete(r.rescue_id);
    Rescue.read();
  },

  // the advisor closes a dispatched rescue: minutes, actual cost, the RO
  closeForm(r) {
    const box = App.el("div", "rescue-close");
    const minutes = Rescue.input(r.rescue_id, "minutes", "rescue.minutes", "rescue-minutes");
    minutes.inputMode = "numeric";
    const cost = Rescue.input(r.rescue_id, "cost", "rescue.actual_cost", "rescue-cost");
    cost.inputMode = "decimal";
    const ro = Rescue.input(r.rescue_id, "ro", "rescue.ro", "rescue-ro");
    const close = App.button("rescue.close", "action", () => {
      const cents = Rescue.cents(cost.value);
      const m = minutes.value.trim();
      if (!/^\d{1,4}$/.test(m) || Number.isNaN(cents)) {
        document.getElementById("rescue-list-error").textContent = r.rescue_id + ": " + App.t("rescue.bad_close");
        return;
      }
      Rescue.act(close, "close", r, { rescue_id: r.rescue_id, minutes: Number(m), actual_cost_cents: cents, ro_number: ro.value.trim() });
    });
    App.keyFor("close:" + r.rescue_id);
    box.append(minutes, cost, ro, close);
    return box;
  },

  // the foreman dispatches a technician to an approved rescue
  dispatchForm(r) {
    const box = App.el("div", "rescue-dispatch");
    const select = App.el("select", "rescue-tech");
    select.setAttribute("aria-label", App.t("rescue.technician"));
    select.append(App.el("option", "", App.t("rescue.pick_technician")));
    select.options[0].value = "";
    for (const t of Rescue.technicians()) {
      const o = App.el("option", "", (t.name || t.tech_id) + " (" + t.tech_id + ")");
      o.value = t.tech_id;
      select.append(o);
    }
    select.value = Rescue.draft(r.rescue_id).tech || "";
    select.addEventListener("change", () => (Rescue.draft(r.rescue_id).tech = select.value));
    const send = App.button("rescue.dispatch", "action", () =>
      Rescue.act(send, "dispatch", r, { rescue_id: r.rescue_id, technician: select.value })
    );
    App.keyFor("dispatch:" + r.rescue_id);
    box.append(select, send);
    return box;
  },

  // who to call: the customer's name and phone as reception filed them with
  // the request (a rescue requested before it did: the name where the page
  // reads customers, people.js on the counter, else the id)
  customer(r) {
    const id = r.customer_id || "";
    const cell = App.el("span", "", r.customer_name ? r.customer_name + " (" + id + ")" : id);
    if (r.customer_phone) cell.append(App.el("br"), App.el("span", "phone", r.customer_phone));
    else if (!r.customer_name && typeof customer === "function" && id)
      customer(id).then((c) => c && c.name && (cell.textContent = c.name + " (" + id + ")"));
    return cell;
  },

  // what the row's member can do next, or the outcome
  next(r) {
    if (Rescue.mode === "counter" && r.state === "RESCUE_DISPATCHED") return Rescue.closeForm(r);
    if (Rescue.mode === "board" && r.state === "RESCUE_APPROVED") return Rescue.dispatchForm(r);
    if (r.state === "RESCUE_CLOSED")
      return [r.minutes ? r.minutes + " " + App.t("rescue.min") : "", App.money(r.actual_cost_cents), r.ro_number || ""]
        .filter((x) => x).join(" · ");
    if (r.state === "RESCUE_DECLINED") return r.decline_reason || "";
    return "";
  },

  render() {
    const el = document.getElementById("rescue-list");
    if (!el) return;
    const count = document.getElementById("rescue-count");
    const open = Rescue.list.filter((r) => ["RESCUE_REQUESTED", "RESCUE_APPROVED", "RESCUE_DISPATCHED"].includes(r.state));
    if (count) count.textContent = open.length ? String(open.length) : "";
    if (!Rescue.list.length) {
      el.replaceChildren(App.el("p", "hint", App.t("rescue.none")));
      return;
    }
    const table = App.table(
      [
        { label: "rescue.id", value: (r) => r.rescue_id },
        { label: "rescue.state", value: (r) => App.el("span", "pill rescue-" + (r.state || "").toLowerCase(), App.t("rescue." + r.state)) },
        { label: "rescue.customer", value: (r) => Rescue.customer(r) },
        { label: "rescue.vehicle", value: (r) => [r.plate, r.vin].filter((v) => v).join(" / ") },
        { label: "rescue.place", value: (r) => r.place, cls: "rescue-text" },
        { label: "rescue.reason", value: (r) => r.reason, cls: "rescue-text" },
        // the estimate is the advisor's and the manager's business, not the board's
        ...(Rescue.mode === "board" ? [] : [{ label: "rescue.estimate", value: (r) => App.money(r.estimated_cost_cents), cls: "num" }]),
        { label: "rescue.requested_at", value: (r) => App.datetime(r.requested_us) },
        { label: "rescue.technician", value: (r) => r.technician || "" },
        { label: "rescue.next", value: (r) => Rescue.next(r) },
      ],
      Rescue.list
    );
    Rescue.list.forEach((r, i) => (table.tBodies[0].rows[i].dataset.rescue = r.rescue_id));
    el.replaceChildren(table);
  },
};
