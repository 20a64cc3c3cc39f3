// parts.js — the parts counter (warehouse keeper, parts manager, service
// manager): part search with stock and bin, stock of a bin, issue to an RO
// job (with what the RO has reserved, issued and backordered), receipts with
// their discrepancies, open backorders and quarantine. Every list is read
// again when a parts event arrives on the live stream (an issue, a receipt,
// a return made elsewhere).
"use strict";

const $ = (id) => document.getElementById(id);
const num = (v) => Number(v || 0);
const state = { text: null, bin: null, hits: null, ro: null, roParts: null, receipts: null, backorders: null, lots: null };

// A small row button (App.button with the click handler first).
const button = (label, onClick, cls) => App.button(label, cls || "small", onClick);

function showTab(name) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("on", b.dataset.tab === name);
  for (const s of document.querySelectorAll("section.tab")) s.hidden = s.id !== "tab-" + name;
  ({ receipts: readReceipts, backorders: readBackorders, quarantine: readQuarantine })[name]?.();
}

// --- search and stock -------------------------------------------------------

function stockColumns() {
  return [
    { label: "parts.part", value: (p) => p.part_number },
    { label: "parts.description", value: (p) => p.description },
    { label: "parts.bin", value: (p) => p.bin },
    { label: "parts.price", value: (p) => App.money(p.price_cents), cls: "num" },
    { label: "parts.on_hand", value: (p) => num(p.on_hand), cls: "num on-hand" },
    { label: "parts.reserved", value: (p) => num(p.reserved), cls: "num" },
    { label: "parts.available", value: (p) => (p.available !== undefined ? num(p.available) : Math.max(0, num(p.on_hand) - num(p.reserved))), cls: "num" },
    { label: "parts.backordered", value: (p) => num(p.backordered), cls: "num" },
    { label: "parts.quarantined", value: (p) => num(p.quarantined), cls: "num" },
    { label: "", value: (p) => button("parts.issue.this", () => prepareIssue({ part: p.part_number })) },
  ];
}

function renderHits() {
  const note = $("hits-note");
  if (!state.hits) return;
  note.textContent = state.text !== null ? App.t("parts.search.found") + " " + state.hits.length
    : App.t("parts.bin.stock") + " " + state.bin + ": " + state.hits.length;
  const table = App.table(stockColumns(), state.hits, (p) => (num(p.on_hand) === 0 ? "empty" : ""));
  for (const [i, tr] of [...table.tBodies[0].rows].entries()) tr.dataset.part = state.hits[i].part_number;
  $("hits").replaceChildren(table);
}

const readHits = App.reader(async () => {
  if (state.text === null && state.bin === null) return;
  try {
    if (state.text !== null) state.hits = (await App.call("parts.part.search", { text: state.text, limit: 50 })).hits || [];
    else state.hits = (await App.call("parts.stock.query", { bin: state.bin })).parts || [];
    $("search-error").textContent = "";
    renderHits();
  } catch (err) {
    $("search-error").textContent = App.errorText(err);
  }
});

// --- issue to an RO job -----------------------------------------------------

const issueKeeper = App.keeper();

function prepareIssue(fill) {
  if (fill.ro) $("issue-ro").value = fill.ro;
  if (fill.job) $("issue-job").value = fill.job;
  if (fill.part) $("issue-part").value = fill.part;
  if (fill.qty) $("issue-qty").value = fill.qty;
  $("issue-error").textContent = $("issue-done").textContent = "";
  showTab("issue");
  if ($("issue-ro").value.trim()) loadRo($("issue-ro").value.trim());
  $(fill.part ? "issue-ro" : "issue-part").focus();
}

function issueKind(i) {
  if (i.backorder) return App.t("parts.kind.backorder") + " (" + num(i.filled) + "/" + num(i.quantity) + ")" + (i.settled ? " · " + App.t("parts.kind.settled") : "");
  if (i.backorder_of) return App.t("parts.kind.fill");
  return App.t("parts.kind.issue");
}

function renderRo() {
  const box = $("ro-parts");
  $("ro-title").textContent = state.ro || "";
  if (!state.roParts) return void box.replaceChildren();
  const r = state.roParts;
  const parts = [];
  parts.push(App.el("h3", "", App.t("parts.ro.reserved")));
  const reservations = r.reservations || [];
  parts.push(reservations.length ? App.table([
    { label: "parts.job", value: (x) => x.job_no, cls: "num" },
    { label: "parts.part", value: (x) => x.part_number },
    { label: "parts.quantity", value: (x) => num(x.quantity), cls: "num" },
    { label: "", value: (x) => button("parts.issue.this", () => prepareIssue({ ro: state.ro, job: x.job_no, part: x.part_number, qty: x.quantity })) },
  ], reservations) : App.el("p", "note", App.t("parts.none")));
  parts.push(App.el("h3", "", App.t("parts.ro.issued")));
  const issues = r.issues || [];
  parts.push(issues.length ? App.table([
    { label: "parts.job", value: (x) => x.job_no, cls: "num" },
    { label: "parts.part", value: (x) => x.part_number },
    { label: "parts.quantity", value: (x) => num(x.quantity) - num(x.returned), cls: "num" },
    { label: "parts.kind", value: issueKind },
    { label: "parts.technician", value: (x) => x.technician },
    { label: "parts.time", value: (x) => App.datetime(x.at_us) },
  ], issues, (x) => (x.backorder && !x.settled && num(x.filled) < num(x.quantity) ? "owed" : "")) : App.el("p", "note", App.t("parts.none")));
  if (r.consumption) parts.push(App.el("p", "total", App.t("parts.ro.charged") + " " + App.money(r.consumption.price_cents)));
  box.replaceChildren(...parts);
}

const readRo = App.reader(async () => {
  if (!state.ro) return;
  try {
    state.roParts = await App.call("parts.ro.show", { ro_number: state.ro });
    $("ro-error").textContent = "";
  } catch (err) {
    state.roParts = null;
    $("ro-error").textContent = App.errorText(err);
  }
  renderRo();
});

function loadRo(ro) {
  if (ro === state.ro) return readRo();
  state.ro = ro;
  state.roParts = null;
  renderRo();
  readRo();
}

async function issue(e) {
  e.preventDefault();
  const request = {
    ro_number: $("issue-ro").value.trim(),
    job_no: Number($("issue-job").value),
    part_number: $("issue-part").value.trim().toUpperCase(),
    quantity: Number($("issue-qty").value),
    technician: $("issue-tech").value.trim(),
    backorder: $("issue-backorder").checked,
  };
  const key = issueKeeper.key(request);
  request.issue_id = "I-" + key.replace(/-/g, "").slice(0, 16);
  $("issue-done").textContent = "";
  await App.attempt($("issue-go"), $("issue-error"), async () => {
    const reply = await App.call("parts.issue", request, key);
    issueKeeper.done();
    const made = (reply.issues || []).map((i) => (i.backorder ? App.t("parts.kind.backorder") : App.t("parts.kind.issue")) + " " + i.part_number + " × " + num(i.quantity));
    $("issue-done").textContent = App.t("parts.issue.done") + " " + request.ro_number + " / " + request.job_no + ": " + made.join(", ");
    loadRo(request.ro_number);
    readHits();
  });
}

// --- receipts ---------------------------------------------------------------

const receiptKeeper = App.keeper();
const DISCREPANCIES = ["DISCREPANCY_NONE", "MISSING", "DAMAGED", "WRONG"];

function addLine() {
  const row = App.el("div", "row line");
  const field = (label, input) => {
    const l = App.el("label");
    const s = App.el("span", "", App.t(label));
    s.dataset.label = label;
    l.append(s, input);
    return l;
  };
  const input = (cls, type) => {
    const i = App.el("input", cls);
    if (type) [i.type, i.min] = [type, "0"];
    i.autocomplete = "off";
    return i;
  };
  const select = App.el("select", "line-discrepancy");
  for (const d of DISCREPANCIES) {
    const o = App.el("option", "", App.t("parts.discrepancy." + d));
    o.value = d;
    o.dataset.label = "parts.discrepancy." + d;
    select.append(o);
  }
  row.append(field("parts.part", input("line-part")), field("parts.expected", input("line-expected", "number")),
    field("parts.received", input("line-received", "number")), field("parts.discrepancy", select),
    field("parts.note", input("line-note")), button("parts.receipt.remove_line", () => row.remove()));
  $("receipt-lines").append(row);
}

async function recordReceipt(e) {
  e.preventDefault();
  const request = {
    receipt_id: $("receipt-id").value.trim(),
    supplier: $("receipt-supplier").value.trim(),
    lines: [...document.querySelectorAll("#receipt-lines .line")].map((row) => {
      const line = {
        part_number: row.querySelector(".line-part").value.trim().toUpperCase(),
        expected: Number(row.querySelector(".line-expected").value || 0),
        received: Number(row.querySelector(".line-received").value || 0),
      };
      const d = row.querySelector(".line-discrepancy").value;
      if (d !== "DISCREPANCY_NONE") line.discrepancy = d;
      const note = row.querySelector(".line-note").value.trim();
      if (note) line.note = note;
      return line;
    }),
  };
  $("receipt-done").textContent = "";
  await App.attempt($("receipt-go"), $("receipt-error"), async () => {
    const r = await App.call("parts.receipt.record", request, receiptKeeper.key(request));
    receiptKeeper.done();
    $("receipt-done").textContent = App.t("parts.receipt.done") + " " + r.receipt_id;
    $("receipt-id").value = $("receipt-supplier").value = "";
    $("receipt-lines").replaceChildren();
    addLine();
    readReceipts();
  });
}

function renderReceipts() {
  if (!state.receipts) return;
  const rows = [];
  for (const r of state.receipts) for (const l of r.lines || []) rows.push({ r, l });
  $("receipts").replaceChildren(rows.length ? App.table([
    { label: "parts.receipt.id", value: (x) => x.r.receipt_id },
    { label: "parts.receipt.supplier", value: (x) => x.r.supplier },
    { label: "parts.time", value: (x) => App.datetime(x.r.at_us) },
    { label: "parts.part", value: (x) => x.l.part_number },
    { label: "parts.expected", value: (x) => num(x.l.expected), cls: "num" },
    { label: "parts.received", value: (x) => num(x.l.received), cls: "num" },
    { label: "parts.discrepancy", value: (x) => (x.l.discrepancy && x.l.discrepancy !== "DISCREPANCY_NONE" ? App.t("parts.discrepancy." + x.l.discrepancy) : "") },
    { label: "parts.short", value: (x) => (num(x.l.expected) > num(x.l.received) ? num(x.l.expected) - num(x.l.received) : ""), cls: "num" },
    { label: "parts.quarantined", value: (x) => num(x.l.quarantined) || "", cls: "num" },
    { label: "parts.note", value: (x) => x.l.note },
  ], rows, (x) => (x.l.discrepancy && x.l.discrepancy !== "DISCREPANCY_NONE" ? "discrepancy" : "")) : App.el("p", "note", App.t("parts.none")));
}

const readReceipts = App.reader(async () => {
  try {
    const reply = await App.call("parts.receipt.list", { discrepancies_only: $("receipts-discrepancies").checked });
    state.receipts = (reply.receipts || []).reverse(); // newest first
    $("receipts-error").textContent = "";
    renderReceipts();
  } catch (err) {
    $("receipts-error").textContent = App.errorText(err);
  }
});

// --- backorders ---------------------------------------------------------------

function renderBackorders() {
  if (!state.backorders) return;
  $("backorders").replaceChildren(state.backorders.length ? App.table([
    { label: "parts.ro", value: (b) => b.ro_number },
    { label: "parts.job", value: (b) => b.job_no, cls: "num" },
    { label: "parts.part", value: (b) => b.part_number },
    { label: "parts.owed", value: (b) => num(b.quantity) - num(b.filled), cls: "num" },
    { label: "parts.ordered", value: (b) => num(b.quantity), cls: "num" },
    { label: "parts.technician", value: (b) => b.technician },
    { label: "parts.since", value: (b) => App.datetime(b.at_us) },
    { label: "", value: (b) => button("parts.ro.open", () => prepareIssue({ ro: b.ro_number, job: b.job_no, part: b.part_number })) },
  ], state.backorders) : App.el("p", "note", App.t("parts.backorders.none")));
}

const readBackorders = App.reader(async () => {
  try {
    state.backorders = (await App.call("parts.backorder.list", {})).backorders || [];
    $("backorders-error").textContent = "";
    renderBackorders();
  } catch (err) {
    $("backorders-error").textContent = App.errorText(err);
  }
});

// --- quarantine ---------------------------------------------------------------

const disposeKeeper = App.keeper();
let disposing = null;

function prepareDispose(lot) {
  disposing = lot;
  disposeKeeper.done();
  $("dispose").hidden = false;
  $("dispose-what").textContent = lot.part_number + " · " + lot.receipt_id;
  $("dispose-qty").value = num(lot.held);
  $("dispose-reason").value = "";
  $("dispose-error").textContent = "";
  $("dispose-reason").focus();
}

async function dispose(e) {
  e.preventDefault();
  if (!disposing) return;
  const request = {
    part_number: disposing.part_number,
    receipt_id: disposing.receipt_id,
    quantity: Number($("dispose-qty").value),
    disposition: $("dispose-disposition").value,
    reason: $("dispose-reason").value.trim(),
  };
  await App.attempt($("dispose-go"), $("dispose-error"), async () => {
    await App.call("parts.quarantine.dispose", request, disposeKeeper.key(request));
    disposeKeeper.done();
    disposing = null;
    $("dispose").hidden = true;
    readQuarantine();
  });
}

function renderQuarantine() {
  if (!state.lots) return;
  $("quarantine").replaceChildren(state.lots.length ? App.table([
    { label: "parts.part", value: (l) => l.part_number },
    { label: "parts.receipt.id", value: (l) => l.receipt_id },
    { label: "parts.receipt.supplier", value: (l) => l.supplier },
    { label: "parts.discrepancy", value: (l) => App.t("parts.discrepancy." + (l.discrepancy || "DISCREPANCY_NONE")) },
    { label: "parts.note", value: (l) => l.note },
    { label: "parts.held", value: (l) => num(l.held), cls: "num" },
    { label: "parts.time", value: (l) => App.datetime(l.at_us) },
    { label: "", value: (l) => button("parts.dispose.title", () => prepareDispose(l)) },
  ], state.lots) : App.el("p", "note", App.t("parts.quarantine.none")));
}

const readQuarantine = App.reader(async () => {
  try {
    state.lots = (await App.call("parts.quarantine.list", {})).lots || [];
    $("quarantine-error").textContent = "";
    renderQuarantine();
  } catch (err) {
    $("quarantine-error").textContent = App.errorText(err);
  }
});

// --- the page -----------------------------------------------------------------

function renderAll() {
  for (const done of document.querySelectorAll(".done")) done.textContent = ""; // said in the other language
  renderHits();
  renderRo();
  renderReceipts();
  renderBackorders();
  renderQuarantine();
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  document.addEventListener("languagechange", renderAll);
  for (const b of document.querySelectorAll("#tabs button")) {
    b.addEventListener("click", () => showTab(b.dataset.tab));
    // receipts and quarantine are the warehouse's (parts.receipt.list and
    // parts.quarantine.list refuse other roles): no tab for the others
    if (b.dataset.roles) b.hidden = !b.dataset.roles.split(" ").some((r) => App.me.roles.includes(r));
  }
  $("search").addEventListener("submit", (e) => {
    e.preventDefault();
    [state.text, state.bin] = [$("search-text").value.trim(), null];
    readHits();
  });
  $("bin-go").addEventListener("click", () => {
    [state.text, state.bin] = [null, $("bin-text").value.trim().toUpperCase()];
    readHits();
  });
  $("issue").addEventListener("submit", issue);
  $("issue-ro").addEventListener("change", () => $("issue-ro").value.trim() && loadRo($("issue-ro").value.trim()));
  $("receipt").addEventListener("submit", recordReceipt);
  $("receipt-add").addEventListener("click", addLine);
  $("receipts-discrepancies").addEventListener("change", readReceipts);
  $("dispose").addEventListener("submit", dispose);
  addLine();
  showTab(location.hash === "#issue" ? "issue" : "stock");
  // live: parts events (an issue, a receipt, a return made at another counter)
  // change stock, an RO's parts, backorders and quarantine: read them again
  App.follow((event) => {
    if (!event.type.startsWith("parts.")) return;
    readHits();
    readRo();
    if (state.backorders) readBackorders();
    if (state.lots) readQuarantine();
    if (state.receipts) readReceipts();
  });
});
