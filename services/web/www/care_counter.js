// care_counter.js — the advisor's counter (issue 15): a maintenance product
// or accessory recommended on an RO with the customer's answer
// (reception.product.recommend; the form under "Ready for delivery"), and
// the next-service recommendation (date and mileage) in each delivery row
// (counter.js puts CareCounter.nextService() there and sends what it fills
// with reception.ro.deliver).
"use strict";

const CareCounter = {
  // Two inputs for a delivery row: box, and fill(payload, errorEl) -> false
  // (error shown, nothing sent) when what was typed is not a date or a km.
  nextService() {
    const box = App.el("div", "next-service");
    const date = App.el("input", "next-date");
    date.type = "date";
    date.setAttribute("aria-label", App.t("care.next.date"));
    const km = App.el("input", "next-km");
    km.inputMode = "numeric";
    km.placeholder = App.t("care.next.km");
    km.setAttribute("aria-label", App.t("care.next.km"));
    box.append(App.el("span", "next-label", App.t("care.next")), date, km);
    App.dateField(date, "date");
    return {
      box,
      fill(payload, error) {
        const iso = App.parseDate("date", date.value);
        const k = km.value.replace(/[,\s]/g, "");
        if (iso === null || (k && !/^\d{1,7}$/.test(k))) {
          error.textContent = App.t("care.next.bad");
          return false;
        }
        if (iso) payload.next_service_date = iso;
        if (k) payload.next_service_km = Number(k);
        return true;
      },
    };
  },

  async recommend(e) {
    e.preventDefault();
    const value = (id) => document.getElementById(id).value.trim();
    const error = document.getElementById("product-error");
    const done = document.getElementById("product-done");
    done.textContent = "";
    const amount = cents(value("product-amount"));
    if (Number.isNaN(amount) || amount <= 0) {
      error.textContent = App.t("care.products.bad_amount");
      return;
    }
    const payload = {
      ro_number: value("product-ro"),
      code: value("product-code"),
      description: value("product-description"),
      amount_cents: amount,
    };
    const answer = value("product-answer");
    if (answer) payload.answer = answer;
    const action = "product:" + JSON.stringify(payload);
    const button = e.target.querySelector("button[type=submit]");
    const ro = await App.act(button, error, action, "reception.product.recommend", payload);
    if (!ro) return;
    const line = (ro.products || [])[ro.products.length - 1] || {};
    done.textContent = ro.ro_number + ": " + (line.code || "") + " " + App.money(line.amount_cents) + " " +
      App.t(answer ? "care.products." + answer : "care.products.later");
    e.target.reset();
  },
};

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("product-form");
  if (form) form.addEventListener("submit", (e) => CareCounter.recommend(e));
});
