// people.js — reception's customers and vehicles by id, each read once per
// page (reception.customer.show, reception.vehicle.show), for the screens
// that show who and which car a row is about (counter.js, clerk.js). A row
// whose customer or vehicle cannot be read shows its id. And the search box
// both screens have (searchReception).
"use strict";

const customers = new Map(); // customer_id -> Customer
const vehicles = new Map(); // vin -> Vehicle

async function customer(id) {
  if (!id) return null;
  if (!customers.has(id)) {
    try {
      customers.set(id, await App.call("reception.customer.show", { customer_id: id }));
    } catch (err) {
      return { customer_id: id, name: id };
    }
  }
  return customers.get(id);
}

async function vehicle(vin) {
  if (!vin) return null;
  if (!vehicles.has(vin)) {
    try {
      vehicles.set(vin, await App.call("reception.vehicle.show", { vin: vin }));
    } catch (err) {
      return { vin: vin };
    }
  }
  return vehicles.get(vin);
}

// The search box (#search, #search-go, #search-error): reception.search's
// vehicles and customers given to `render`; `before` runs first (the counter
// closes its walk-in form). The button is disabled while it searches.
async function searchReception(e, render, before) {
  e.preventDefault();
  const text = document.getElementById("search").value.trim();
  const error = document.getElementById("search-error");
  error.textContent = "";
  if (!text) return;
  if (before) before();
  await App.attempt(document.getElementById("search-go"), error, async () =>
    render(await App.call("reception.search", { text: text, limit: 20, with_vehicles: true }))
  );
}
