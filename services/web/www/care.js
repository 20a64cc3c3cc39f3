// care.js — the front desk's issue-15 panels on the front-desk manager's
// screen (frontdesk.js calls Care.read and Care.render): road rescues waiting
// for approval (reception.rescue.list state=RESCUE_REQUESTED), approved or
// declined with a reason on the page (reception.rescue.approve / decline),
// and the customers waiting in the lounge with their RO's progress
// (reception.lounge.list). The lounge is read by the advisors' and the
// manager's roles only; another role sees the panel empty.
"use strict";

const Care = {
  rescues: [],
  lounge: [],
  reasons: new Map(), // drafts of the decline reasons, by rescue id

  manager() {
    return App.me.roles.includes("front_desk_manager");
  },

  async read() {
    const [rescues, lounge] = await Promise.all([
      App.call("reception.rescue.list", { state: "RESCUE_REQUESTED" }),
      App.me.roles.some((r) => r === "advisor" || r === "front_desk_manager")
        ? App.call("reception.lounge.list", {})
        : Promise.resolve({}),
    ]);
    Care.rescues = rescues.rescues || [];
    Care.lounge = lounge.waiting || [];
  },

  vehicle(r) {
    return [r.plate, r.vin].filter((v) => v).join(" / ");
  },

  decide(r) {
    const box = App.el("div", "resolve");
    const reason = App.el("textarea");
    reason.rows = 2;
    reason.placeholder = App.t("care.decline_reason");
    reason.value = Care.reasons.get(r.rescue_id) || "";
    reason.addEventListener("input", () => Care.reasons.set(r.rescue_id, reason.value));
    const error = () => document.getElementById("rescue-error");
    const act = async (button, step, payload) => {
      const action = step + ":" + r.rescue_id;
      const command = "reception.rescue." + step;
      if ((await App.act(button, error(), action, command, payload)) === null)
        error().textContent = r.rescue_id + ": " + error().textContent;
      else Care.reasons.delete(r.rescue_id);
      read();
    };
    const approve = App.button("care.approve", "action", () =>
      act(approve, "approve", { rescue_id: r.rescue_id })
    );
    const decline = App.button("care.decline", "action", () =>
      act(decline, "decline", { rescue_id: r.rescue_id, reason: reason.value })
    );
    App.keyFor("approve:" + r.rescue_id);
    App.keyFor("decline:" + r.rescue_id);
    box.append(reason, approve, decline);
    return box;
  },

  progress(w) {
    const jobs = w.jobs || [];
    return (w.jobs_done || 0) + " / " + jobs.length;
  },

  render(section) {
    const columns = [
      { label: "care.rescue", value: (r) => r.rescue_id },
      { label: "frontdesk.customer", value: (r) => customer(r.customer_id) },
      { label: "care.vehicle", value: (r) => Care.vehicle(r) },
      { label: "care.place", value: (r) => r.place, cls: "concern" },
      { label: "care.reason", value: (r) => r.reason, cls: "concern" },
      { label: "care.estimate", value: (r) => App.money(r.estimated_cost_cents), cls: "num" },
      { label: "frontdesk.advisor", value: (r) => r.requested_by },
    ];
    if (Care.manager()) columns.push({ label: "frontdesk.action", value: (r) => Care.decide(r) });
    section("rescues", "rescues-count", Care.rescues, (list) => {
      const table = App.table(columns, list);
      list.forEach((r, i) => (table.tBodies[0].rows[i].dataset.rescue = r.rescue_id));
      return table;
    }, "care.no_rescues");
    section("lounge", "lounge-count", Care.lounge, (list) => {
      const table = App.table(
        [
          { label: "frontdesk.ro", value: (w) => w.ro_number },
          { label: "frontdesk.customer", value: (w) => w.customer_name || w.customer_id },
          { label: "care.vehicle", value: (w) => Care.vehicle(w) },
          { label: "care.since", value: (w) => App.datetime(w.opened_us) },
          { label: "frontdesk.status", value: (w) => roStatus(w.status) },
          { label: "care.progress", value: (w) => Care.progress(w), cls: "num" },
        ],
        list
      );
      list.forEach((w, i) => (table.tBodies[0].rows[i].dataset.ro = w.ro_number));
      return table;
    }, "care.no_lounge");
  },
};
