// packing.js — the printable packing list of a shipment of replaced parts to
// the OEM (packing.html?shipment=ID), read with warranty.shipment.list; the
// Print button prints the sheet alone (@media print in style.css).
"use strict";

let shipment = null;

function render() {
  const s = shipment;
  if (!s) return;
  const $ = (id) => document.getElementById(id);
  $("sheet").hidden = false;
  $("site").textContent = App.me.site || "";
  $("shipment-id").textContent = s.shipment_id;
  $("carrier").textContent = s.carrier || "";
  $("shipped").textContent = (s.shipped_date || "") + " · " + (s.shipped_by || "");
  $("boxes").textContent = (s.boxes || []).join(", ");
  $("confirmed").textContent = s.confirmed ? (s.confirmed_date || "") + " · " + (s.confirmed_by || "") : App.t("packing.not_yet");
  const lines = s.packing_list || [];
  $("lines").replaceChildren(App.table([
    { label: "packing.no", value: (l) => lines.indexOf(l) + 1, cls: "num" },
    { label: "warranty.box", value: (l) => l.box_id },
    { label: "warranty.tag", value: (l) => l.tag },
    { label: "warranty.causal_part", value: (l) => l.part_number },
    { label: "warranty.claim", value: (l) => l.claim_id },
    { label: "warranty.vin", value: (l) => l.vin },
  ], lines));
  $("count").textContent = App.t("packing.parts") + " " + lines.length + " · " + App.t("packing.boxes") + " " + (s.boxes || []).length;
  document.title = App.t("packing.title") + " " + s.shipment_id;
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  document.addEventListener("languagechange", render);
  document.getElementById("print").addEventListener("click", () => window.print());
  const id = new URLSearchParams(location.search).get("shipment") || "";
  try {
    shipment = (await App.call("warranty.shipment.list", { shipment_id: id })).shipments[0];
    render();
  } catch (err) {
    document.getElementById("error").textContent = App.errorText(err);
  }
});
