// invoice.js — the printable invoice of a delivered repair order
// (invoice.html?ro=...): the customer, the vehicle, each job with its labour
// and parts, the totals by pay type and the invoice's totals as reception
// computed them at delivery (reception.ro.show), in the site's currency.
"use strict";

let ro = null, owner = null, car = null;

function jobLabour(job) {
  const l = job.labour || {};
  return Math.floor(((l.sold_minutes || 0) * Number(l.rate_cents || 0)) / 60);
}

// A job's parts as the invoice charges them: the parts service's priced
// consumption when it came, else the RO's part lines.
function jobParts(job) {
  if (ro.parts_consumed_cents !== undefined) return Number(job.parts_consumed_cents || 0);
  return (job.parts || []).reduce((s, p) => s + (p.quantity || 0) * Number(p.unit_price_cents || 0), 0);
}

function render() {
  if (!ro) return;
  const inv = ro.invoice || {};
  document.title = App.t("counter.inv.title") + " " + ro.ro_number;
  document.getElementById("site").textContent = App.me.site || "";
  document.getElementById("ro").textContent = ro.ro_number;
  document.getElementById("opened").textContent = App.datetime(ro.opened_us);
  document.getElementById("delivered").textContent = ro.delivered_us ? App.datetime(ro.delivered_us) : App.t("counter.inv.not_delivered");
  document.getElementById("advisor").textContent = ro.advisor || "";
  document.getElementById("customer-name").textContent = owner ? owner.name : ro.customer_id || "";
  document.getElementById("customer-phone").textContent = owner && owner.phone ? owner.phone : "";
  document.getElementById("plate").textContent = car && car.plate ? car.plate : "";
  document.getElementById("vin").textContent = ro.vin;
  document.getElementById("model").textContent = car && car.model ? car.model : "";
  document.getElementById("mileage").textContent = (ro.mileage_km || 0) + " km";

  const jobs = ro.jobs || [];
  document.getElementById("jobs").replaceChildren(
    App.table(
      [
        { label: "counter.inv.job", value: (j) => j.job_no, cls: "num" },
        {
          label: "counter.inv.work",
          value: (j) => {
            const box = App.el("div");
            box.append(App.el("div", "name", j.concern || ""));
            const l = j.labour || {};
            box.append(App.el("div", "sub", [l.code, l.description, l.sold_minutes ? l.sold_minutes + " " + App.t("counter.minutes") : ""].filter(Boolean).join(" · ")));
            for (const p of j.parts || []) box.append(App.el("div", "sub", p.part_number + " × " + p.quantity));
            if (j.status === "JOB_DECLINED") box.append(App.el("div", "sub", App.t("counter.inv.declined")));
            return box;
          },
        },
        { label: "counter.pay_type", value: (j) => App.t("counter.pay." + j.pay_type) },
        { label: "counter.inv.labour", value: (j) => (j.status === "JOB_DECLINED" ? "" : App.money(jobLabour(j))), cls: "num" },
        { label: "counter.inv.parts", value: (j) => (j.status === "JOB_DECLINED" ? "" : App.money(jobParts(j))), cls: "num" },
      ],
      jobs,
      (j) => (j.status === "JOB_DECLINED" ? "declined" : "")
    )
  );

  // totals by pay type: what the customer pays, what warranty, internal, goodwill carry
  const byPay = {};
  for (const j of jobs) {
    if (j.status === "JOB_DECLINED") continue;
    byPay[j.pay_type] = (byPay[j.pay_type] || 0) + jobLabour(j) + jobParts(j);
  }
  document.getElementById("by-pay").replaceChildren(
    App.table(
      [
        { label: "counter.pay_type", value: (p) => App.t("counter.pay." + p) },
        { label: "counter.amount", value: (p) => App.money(byPay[p]), cls: "num" },
      ],
      Object.keys(byPay),
      (p) => "pay " + p
    )
  );
  const rows = [
    ["counter.inv.labour", inv.labour_cents, "labour"],
    ["counter.inv.parts", inv.parts_cents, "parts"],
    ["counter.inv.accessories", inv.accessories_cents, "accessories"],
    ["counter.inv.total", inv.total_cents, "total"],
    ["counter.inv.customer_pays", inv.customer_pay_cents, "customer-pays"],
  ];
  // the consumed parts are charged at the prices agreed with the customer (the
  // RO's part lines); at what parts charged (the catalogue price at issue) they
  // came to parts_catalogue_cents: a lower agreed price is a discount, shown
  const discount = Number(ro.parts_catalogue_cents || 0) - Number(ro.parts_consumed_cents || 0);
  if (ro.invoice && ro.invoice.accessories_catalogue_cents !== undefined && discount > 0)
    rows.splice(3, 0, ["counter.inv.discount", discount, "discount"]);
  const totals = document.getElementById("totals");
  totals.replaceChildren(
    ...rows.map(([label, value, cls]) => {
      const tr = App.el("tr", cls);
      tr.append(App.el("th", "", App.t(label)), App.el("td", "num", App.money(value || 0)));
      return tr;
    })
  );
  document.getElementById("qc").textContent = ro.qc_certificate ? App.t("counter.inv.qc") + " " + ro.qc_certificate : "";
  document.getElementById("doc").hidden = false;
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  document.addEventListener("languagechange", render);
  document.getElementById("print").addEventListener("click", () => window.print());
  const number = new URLSearchParams(location.search).get("ro");
  const error = document.getElementById("error");
  if (!number) {
    error.textContent = App.t("counter.inv.no_ro");
    return;
  }
  try {
    ro = await App.call("reception.ro.show", { ro_number: number });
    [owner, car] = await Promise.all([
      ro.customer_id ? App.call("reception.customer.show", { customer_id: ro.customer_id }).catch(() => null) : null,
      App.call("reception.vehicle.show", { vin: ro.vin }).catch(() => null),
    ]);
    if (!ro.invoice) error.textContent = App.t("counter.inv.not_delivered");
    render();
  } catch (err) {
    error.textContent = App.errorText(err);
  }
});
