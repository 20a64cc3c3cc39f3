// warranty.js — the warranty clerk's screen (warranty clerk, service
// manager): claims by state, a claim's detail with submit, correct and tag;
// the replaced parts the OEM is owed, boxed and shipped with a printable
// packing list (packing.html); shipments and their confirmation; recalls.
// Everything is read again when a warranty event arrives on the live stream
// (the OEM's decision on a claim comes back as warranty.claim.accepted,
// .rejected_by_oem or .paid).
"use strict";

const $ = (id) => document.getElementById(id);
const num = (v) => Number(v || 0);
const STATES = ["READY", "ESCALATED", "SUBMITTED", "REJECTED_BY_OEM", "ACCEPTED", "PAID", "REJECTED"];
const state = { claims: null, filter: "", selected: null, claim: null, owed: null, shipments: null, recalls: null };
const status = (s) => App.t("warranty.status." + (s || "CLAIM_STATUS_UNSET"));
const clerk = () => App.me.roles.includes("warranty_clerk");
const custody = (c) => App.t("warranty.custody." + (c || "PART_CUSTODY_UNSET"));

// A small row button (App.button with the click handler first).
const button = (label, onClick, cls) => App.button(label, cls || "small", onClick);

function showTab(name) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("on", b.dataset.tab === name);
  for (const s of document.querySelectorAll("section.tab")) s.hidden = s.id !== "tab-" + name;
  ({ parts: readOwed, shipments: readShipments })[name]?.();
}

// --- claims by state ------------------------------------------------------------

function renderStates() {
  const counts = {};
  for (const c of state.claims || []) counts[c.status] = (counts[c.status] || 0) + 1;
  const all = (state.claims || []).length;
  $("states").replaceChildren(
    ...["", ...STATES].map((s) => {
      const b = App.el("button", "state" + (state.filter === s ? " on" : ""), (s ? status(s) : App.t("warranty.all")) + " " + (s ? counts[s] || 0 : all));
      b.type = "button";
      b.dataset.state = s;
      b.addEventListener("click", () => {
        state.filter = s;
        renderClaims();
      });
      return b;
    })
  );
}

function renderClaims() {
  if (!state.claims) return;
  renderStates();
  const rows = state.claims.filter((c) => !state.filter || c.status === state.filter);
  const table = App.table([
    { label: "warranty.claim", value: (c) => c.claim_id, cls: "code" },
    { label: "warranty.vin", value: (c) => c.vin, cls: "code" },
    { label: "warranty.concern", value: (c) => c.concern },
    { label: "warranty.labour_code", value: (c) => c.labour_code, cls: "code" },
    { label: "warranty.defect_code", value: (c) => c.defect_code, cls: "code" },
    { label: "warranty.amount", value: (c) => App.money(c.amount_cents), cls: "num code" },
    { label: "warranty.status", value: (c) => status(c.status), cls: "code" },
  ], rows, (c) => "pick" + (c.claim_id === state.selected ? " selected" : "") + ((c.flags || []).length ? " flagged" : ""));
  for (const [i, tr] of [...table.tBodies[0].rows].entries()) {
    tr.dataset.claim = rows[i].claim_id;
    tr.dataset.status = rows[i].status;
    tr.addEventListener("click", () => select(rows[i].claim_id));
  }
  $("claims").replaceChildren(rows.length ? table : App.el("p", "note", App.t("warranty.none")));
}

const readClaims = App.reader(async () => {
  try {
    state.claims = (await App.call("warranty.claim.list", {})).claims || [];
    state.claims.sort((a, b) => a.claim_id.localeCompare(b.claim_id));
    $("claims-error").textContent = "";
    renderClaims();
  } catch (err) {
    $("claims-error").textContent = App.errorText(err);
  }
});

// --- one claim ------------------------------------------------------------------

const submitKeeper = App.keeper(), correctKeeper = App.keeper(), tagKeeper = App.keeper();

function select(id) {
  if (state.selected !== id) {
    state.selected = id;
    state.claim = null;
    $("claim-error").textContent = $("claim-done").textContent = "";
    for (const k of [submitKeeper, approveKeeper, correctKeeper, tagKeeper]) k.done();
    for (const i of document.querySelectorAll("#correct input, #tag input")) i.value = "";
  }
  renderClaims();
  readClaim();
}

// A component group of the policy (a word of the config) in the page's
// language when the page knows it (warranty.group.<name>), else as it is.
function group(name) {
  const label = App.t("warranty.group." + name);
  return label === "warranty.group." + name ? name : label;
}

// The claim's flags in the page's language (warranty.flag.<code>), the
// service's English for a claim checked before flags had their codes.
function flags(c) {
  const words = c.flag_wordings || [];
  return (c.flags || []).map((text, i) =>
    words.length === c.flags.length ? App.worded("warranty.flag.", words[i].code, words[i].args, text) : text);
}

// Why the OEM debited the claim: its own words, or (it gave none: the claim
// keeps no debit_reason) the page's words for that.
function debitReason(c) {
  if (c.debit_reason) return c.debit_reason;
  return c.status === "REJECTED_BY_OEM" ? App.t("warranty.debit_none") : "";
}

function renderClaim() {
  const c = state.claim;
  $("claim").hidden = !c;
  if (!c) return;
  $("claim-id").textContent = c.claim_id;
  $("claim-status").textContent = status(c.status);
  $("claim-status").dataset.status = c.status;
  const fields = [
    ["warranty.ro", c.ro_number + " / " + c.job_no],
    ["warranty.vin", c.vin],
    ["warranty.mileage", num(c.mileage_km).toLocaleString("en") + " km"],
    ["warranty.concern", c.concern],
    ["warranty.labour_code", c.labour_code + (c.group ? " (" + group(c.group) + ")" : "")],
    ["warranty.defect_code", c.defect_code],
    ["warranty.causal_part", c.causal_part],
    ["warranty.technician", c.technician],
    ["warranty.minutes", num(c.sold_minutes) + " / " + num(c.actual_minutes)],
    ["warranty.amount", App.money(c.amount_cents)],
    ["warranty.sale_date", c.sale_date],
    ["warranty.repair_date", c.repair_date],
    ["warranty.submissions", num(c.submissions) + (c.submitted_date ? " · " + c.submitted_date : "")],
    ["warranty.reason", App.worded("warranty.why.", c.reason_code, c.reason_args, c.reason, "warranty.group.")],
    ["warranty.debit_reason", debitReason(c)],
    ["warranty.oem_amount", c.oem_amount_cents !== undefined ? App.money(c.oem_amount_cents) : ""],
    ["warranty.paid", c.paid_cents !== undefined ? App.money(c.paid_cents) : ""],
    ["warranty.flags", flags(c).join("; ")],
    ["warranty.corrections", (c.corrections || []).join("; ")],
    ["warranty.tag", c.tag],
    ["q15.inspection", c.part_inspected_date ? (c.part_fault_confirmed ? App.t("q15.confirmed") : App.t("q15.not_confirmed")) + " · " + c.part_inspected_date + (c.part_finding ? " · " + c.part_finding : "") : ""],
  ];
  $("claim-fields").replaceChildren(
    ...fields.filter(([, v]) => v !== undefined && v !== null && v !== "").flatMap(([k, v]) => {
      const dt = App.el("dt", "", App.t(k));
      dt.dataset.label = k;
      const warn = k === "warranty.debit_reason" || k === "warranty.reason" || (k === "q15.inspection" && !c.part_fault_confirmed);
      return [dt, App.el("dd", warn ? "warn" : "", v)];
    })
  );
  // each action only for the role the service lets do it
  $("claim-submit").hidden = c.status !== "READY" || !clerk();
  $("claim-approve").hidden = c.status !== "ESCALATED" || !App.me.roles.includes("service_manager");
  $("correct").hidden = (c.status !== "REJECTED_BY_OEM" && c.status !== "REJECTED") || !clerk();
  $("tag").hidden = !c.causal_part || !!c.tag || c.status === "REJECTED" || !clerk();
}

const readClaim = App.reader(async () => {
  if (!state.selected) return;
  try {
    state.claim = await App.call("warranty.claim.show", { claim_id: state.selected });
  } catch (err) {
    $("claim-error").textContent = App.errorText(err);
  }
  renderClaim();
});

async function submitClaim() {
  const request = { claim_id: state.selected };
  $("claim-done").textContent = "";
  await App.attempt($("claim-submit"), $("claim-error"), async () => {
    state.claim = await App.call("warranty.claim.submit", request, submitKeeper.key(request));
    submitKeeper.done();
    $("claim-done").textContent = App.t("warranty.submitted") + " " + request.claim_id;
    renderClaim();
    readClaims();
  });
}

const approveKeeper = App.keeper();

// The service manager approves a claim above the clerk's limit (ESCALATED -> READY).
async function approveClaim() {
  const request = { claim_id: state.selected };
  $("claim-done").textContent = "";
  await App.attempt($("claim-approve"), $("claim-error"), async () => {
    state.claim = await App.call("warranty.claim.approve", request, approveKeeper.key(request));
    approveKeeper.done();
    $("claim-done").textContent = App.t("warranty.approved") + " " + request.claim_id;
    renderClaim();
    readClaims();
  });
}

async function correctClaim(e) {
  e.preventDefault();
  const request = { claim_id: state.selected };
  const text = { defect_code: "correct-defect", causal_part: "correct-part", labour_code: "correct-labour", note: "correct-note" };
  for (const [field, id] of Object.entries(text)) if ($(id).value.trim()) request[field] = $(id).value.trim();
  if ($("correct-sold").value) request.sold_minutes = Number($("correct-sold").value);
  if ($("correct-actual").value) request.actual_minutes = Number($("correct-actual").value);
  $("claim-done").textContent = "";
  await App.attempt($("correct-go"), $("claim-error"), async () => {
    state.claim = await App.call("warranty.claim.correct", request, correctKeeper.key(request));
    correctKeeper.done();
    for (const i of document.querySelectorAll("#correct input")) i.value = "";
    $("claim-done").textContent = App.t("warranty.corrected") + " " + request.claim_id;
    renderClaim();
    readClaims();
  });
}

async function tagPart(e) {
  e.preventDefault();
  const request = { claim_id: state.selected, tag: $("tag-id").value.trim() };
  if ($("tag-location").value.trim()) request.location = $("tag-location").value.trim();
  $("claim-done").textContent = "";
  await App.attempt($("tag-go"), $("claim-error"), async () => {
    const t = await App.call("warranty.part.tag", request, tagKeeper.key(request));
    tagKeeper.done();
    $("claim-done").textContent = App.t("warranty.tagged") + " " + t.tag + " · " + (t.location || "");
    readClaim();
  });
}

// --- replaced parts: tag, box, ship ------------------------------------------------

const boxKeeper = App.keeper(), shipKeeper = App.keeper();
const picked = new Set(); // tags (or claim ids of untagged parts) ticked in the list

function renderOwed() {
  if (!state.owed) return;
  const parts = state.owed.parts || [];
  $("owed-note").textContent = App.t("warranty.owed.count") + " " + parts.length + " · " + App.t("warranty.overdue") + " " + num(state.owed.overdue);
  const table = App.table([
    { label: "", value: (p) => {
      if (!p.tag || (p.custody !== "TAGGED" && p.custody !== "BOXED")) return "";
      const box = App.el("input", "pick");
      box.type = "checkbox";
      box.checked = picked.has(p.tag);
      box.dataset.tag = p.tag;
      box.addEventListener("change", () => (box.checked ? picked.add(p.tag) : picked.delete(p.tag)));
      const touch = App.el("label", "pickbox"); // a 44px target on the tablet
      touch.append(box);
      return touch;
    } },
    { label: "warranty.claim", value: (p) => p.claim_id },
    { label: "warranty.causal_part", value: (p) => p.part_number },
    { label: "warranty.vin", value: (p) => p.vin },
    { label: "warranty.tag", value: (p) => p.tag },
    { label: "warranty.custody", value: (p) => custody(p.custody) },
    { label: "warranty.box", value: (p) => p.box_id },
    { label: "warranty.due", value: (p) => p.due_date },
    { label: "warranty.overdue", value: (p) => (p.overdue ? App.t("warranty.overdue.yes") : "") },
  ], parts, (p) => (p.overdue ? "overdue" : ""));
  for (const [i, tr] of [...table.tBodies[0].rows].entries()) [tr.dataset.tag, tr.dataset.claim] = [parts[i].tag || "", parts[i].claim_id];
  $("owed").replaceChildren(parts.length ? table : App.el("p", "note", App.t("warranty.none")));
}

const readOwed = App.reader(async () => {
  try {
    state.owed = await App.call("warranty.part.owed", {});
    $("owed-error").textContent = "";
    renderOwed();
  } catch (err) {
    $("owed-error").textContent = App.errorText(err);
  }
});

function pickedOf(custodyWanted) {
  return (state.owed?.parts || []).filter((p) => p.tag && picked.has(p.tag) && p.custody === custodyWanted);
}

async function boxParts(e) {
  e.preventDefault();
  const request = { box_id: $("box-id").value.trim(), tags: pickedOf("TAGGED").map((p) => p.tag) };
  await App.attempt($("box-go"), $("box-error"), async () => {
    if (!request.tags.length) throw new Error(App.t("warranty.box.pick"));
    await App.call("warranty.part.box", request, boxKeeper.key(request));
    boxKeeper.done();
    for (const t of request.tags) picked.delete(t);
    readOwed();
  });
}

function packingLink(id) {
  const a = App.el("a", "button", App.t("warranty.packing"));
  a.dataset.label = "warranty.packing";
  a.href = "packing.html?shipment=" + encodeURIComponent(id);
  a.target = "_blank";
  a.rel = "noopener";
  return a;
}

async function shipBoxes(e) {
  e.preventDefault();
  const boxes = [...new Set(pickedOf("BOXED").map((p) => p.box_id))];
  const request = { shipment_id: $("ship-id").value.trim(), boxes };
  if ($("ship-carrier").value.trim()) request.carrier = $("ship-carrier").value.trim();
  $("ship-done").replaceChildren();
  await App.attempt($("ship-go"), $("ship-error"), async () => {
    if (!boxes.length) throw new Error(App.t("warranty.ship.pick"));
    const s = await App.call("warranty.shipment.ship", request, shipKeeper.key(request));
    shipKeeper.done();
    for (const p of pickedOf("BOXED")) picked.delete(p.tag);
    $("ship-done").replaceChildren(App.el("span", "", App.t("warranty.shipped") + " " + s.shipment_id + " "), packingLink(s.shipment_id));
    readOwed();
  });
}

// --- shipments ------------------------------------------------------------------

const confirmKeepers = {};

function renderShipments() {
  if (!state.shipments) return;
  const rows = [...state.shipments].reverse();
  $("shipments").replaceChildren(rows.length ? App.table([
    { label: "warranty.shipment", value: (s) => s.shipment_id },
    { label: "warranty.carrier", value: (s) => s.carrier },
    { label: "packing.shipped", value: (s) => (s.shipped_date || "") + " · " + (s.shipped_by || "") },
    { label: "packing.boxes", value: (s) => (s.boxes || []).join(", ") },
    { label: "packing.parts", value: (s) => (s.packing_list || []).length, cls: "num" },
    { label: "packing.confirmed", value: (s) => (s.confirmed ? (s.confirmed_date || "") + " · " + (s.confirmed_by || "") : "") },
    { label: "", value: (s) => {
      const cell = App.el("div", "row");
      cell.append(packingLink(s.shipment_id));
      if (!s.confirmed && clerk()) {
        const err = App.el("span", "error");
        const b = button("warranty.confirm", () => App.attempt(b, err, async () => {
          const request = { shipment_id: s.shipment_id };
          confirmKeepers[s.shipment_id] ||= App.newKey();
          await App.call("warranty.shipment.confirm", request, confirmKeepers[s.shipment_id]);
          readShipments();
          readOwed();
        }));
        cell.append(b, err);
      }
      return cell;
    } },
  ], rows) : App.el("p", "note", App.t("warranty.none")));
}

const readShipments = App.reader(async () => {
  try {
    state.shipments = (await App.call("warranty.shipment.list", {})).shipments || [];
    $("shipments-error").textContent = "";
    renderShipments();
  } catch (err) {
    $("shipments-error").textContent = App.errorText(err);
  }
});

// --- recalls ---------------------------------------------------------------------

const recallKeeper = App.keeper();

function renderRecalls() {
  if (!state.recalls) return;
  const { vin, campaigns } = state.recalls;
  $("recalls").replaceChildren(campaigns.length ? App.table([
    { label: "warranty.recall.campaign", value: (r) => r.campaign_id },
    { label: "warranty.recall.title", value: (r) => r.title },
    { label: "warranty.labour_code", value: (r) => r.labour_code },
    { label: "warranty.recall.done", value: (r) => num((r.completed_vins || []).length) + " / " + num((r.vins || []).length), cls: "num" },
    { label: "warranty.recall.opened", value: (r) => r.opened_date },
  ], campaigns) : App.el("p", "note", App.t("warranty.recall.none") + " " + vin));
}

async function findRecalls(e) {
  e.preventDefault();
  const vin = $("recall-vin").value.trim().toUpperCase();
  await App.attempt($("recall-find-go"), $("recall-find-error"), async () => {
    state.recalls = { vin, campaigns: (await App.call("warranty.recall.query", { vin })).campaigns || [] };
    renderRecalls();
  });
}

async function openRecall(e) {
  e.preventDefault();
  const request = {
    campaign_id: $("recall-id").value.trim(),
    title: $("recall-title").value.trim(),
    labour_code: $("recall-labour").value.trim(),
    vins: $("recall-vins").value.split(/[\s,;]+/).map((v) => v.trim().toUpperCase()).filter(Boolean),
  };
  $("recall-open-done").textContent = "";
  await App.attempt($("recall-open-go"), $("recall-open-error"), async () => {
    const r = await App.call("warranty.recall.open", request, recallKeeper.key(request));
    recallKeeper.done();
    $("recall-open-done").textContent = App.t("warranty.recall.opened_done") + " " + r.campaign_id + " · " + num((r.vins || []).length) + " " + App.t("warranty.recall.vehicles");
    for (const id of ["recall-id", "recall-title", "recall-labour", "recall-vins"]) $(id).value = "";
  });
}

// --- the page ---------------------------------------------------------------------

function renderAll() {
  for (const done of document.querySelectorAll(".done")) done.replaceChildren(); // said in the other language
  renderClaims();
  renderClaim();
  renderOwed();
  renderShipments();
  renderRecalls();
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  document.addEventListener("languagechange", renderAll);
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  $("claim-submit").addEventListener("click", submitClaim);
  $("claim-approve").addEventListener("click", approveClaim);
  $("correct").addEventListener("submit", correctClaim);
  $("tag").addEventListener("submit", tagPart);
  $("box").addEventListener("submit", boxParts);
  $("ship").addEventListener("submit", shipBoxes);
  $("recall-find").addEventListener("submit", findRecalls);
  $("recall-open").addEventListener("submit", openRecall);
  for (const id of ["box", "ship", "recall-open"]) $(id).hidden = !clerk(); // the clerk's (the manager reads)
  showTab("claims");
  readClaims();
  // live: a claim opened at QC, submitted elsewhere, or decided and paid by the
  // OEM arrives as a warranty event: read the lists and the open claim again
  App.follow((event) => {
    if (!event.type.startsWith("warranty.")) return;
    readClaims();
    readClaim();
    if (state.owed) readOwed();
    if (state.shipments) readShipments();
  });
});
