// parts.js — the parts counter (warehouse keeper, parts manager, service
// manager): part search with stock and bin, stock of a bin, issue to an RO
// job (with what the RO has reserved, issued and backordered), receipts with
// their discrepancies, open backorders and quarantine. Every list is read
// again when a parts event arrives on the live stream (an issue, a receipt,
// a return made elsewhere). Orders to suppliers (by state, overdue, with
// their lines; a stock order; an urgent one from a backorder; a supplier's
// answer taken by phone; an order or some of its lines cancelled with a
// reason), receipts against order lines, stock value by group, slow-moving
// parts and the scrap list (the keeper proposes, edits and submits, the parts
// manager approves or rejects).
"use strict";

const $ = (id) => document.getElementById(id);
const num = (v) => Number(v || 0);
const state = {
  text: null, bin: null, hits: null, ro: null, roParts: null, receipts: null, backorders: null, lots: null,
  orders: null, value: null, slow: null, scrap: null, openLines: [],
};

// The member has one of the roles of an element's data-roles (or it has none).
const mine = (el) => !el.dataset.roles || el.dataset.roles.split(" ").some((r) => App.me.roles.includes(r));
const may = (...roles) => roles.some((r) => App.me.roles.includes(r));
const today = () => App.date(Date.now() * 1000);

// A small row button (App.button with the click handler first).
const button = (label, onClick, cls) => App.button(label, cls || "small", onClick);

function showTab(name) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("on", b.dataset.tab === name);
  for (const s of document.querySelectorAll("section.tab")) s.hidden = s.id !== "tab-" + name;
  ({ receipts: readReceipts, backorders: readBackorders, quarantine: readQuarantine, orders: readOrders, scrap: () => (readScrap(), readScrapLists()) })[name]?.();
  if (name === "stock") readStockFigures();
}

// --- search and stock -------------------------------------------------------

function stockColumns() {
  return [
    { label: "parts.part", value: (p) => p.part_number },
    { label: "parts.description", value: describe },
    { label: "parts2.group", value: (p) => p.group || "" },
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

// A part's description, with an "accessory" badge for an accessory.
function describe(p) {
  if (!p.accessory) return p.description;
  const box = App.el("span", "", p.description + " ");
  box.append(App.el("span", "pill accessory", App.t("parts2.accessory")));
  return box;
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
  const against = App.el("select", "line-order");
  against.addEventListener("change", () => {
    const l = state.openLines.find((x) => x.value === against.value);
    if (!l) return;
    row.querySelector(".line-part").value = l.part_number;
    row.querySelector(".line-expected").value = l.owed;
    if (!row.querySelector(".line-received").value) row.querySelector(".line-received").value = l.owed;
  });
  fillOrderLines(against);
  row.append(field("parts2.receipt.order_line", against),
    field("parts.part", input("line-part")), field("parts.expected", input("line-expected", "number")),
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
      const against = row.querySelector(".line-order").value;
      if (against) [line.order_id, line.order_line] = [against.slice(0, against.lastIndexOf("/")), Number(against.slice(against.lastIndexOf("/") + 1))];
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
    state.openLines = [];
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
    { label: "parts2.order.line", value: (b) => (b.order_id ? b.order_id + "/" + b.order_line : "") },
    { label: "parts2.promised", value: (b) => b.promised_date || "" },
    { label: "", value: backorderActions },
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
  if (state.backorders && state.backorders.length) urgentSupplier();
});

// The supplier field of urgent orders, while empty, gets the supplier of the
// last order placed, so a backorder is ordered in one click; if the orders
// cannot be read the keeper types it (the list is shown all the same).
async function urgentSupplier() {
  if ($("urgent-supplier").value || !may("warehouse_keeper", "parts_manager")) return;
  try {
    const last = ((await App.call("parts.order.list", { limit: 1 })).orders || [])[0];
    if (last && !$("urgent-supplier").value) $("urgent-supplier").value = last.supplier;
  } catch (err) {
    // nothing to prefill
  }
}

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

// --- backorders: order urgently ---------------------------------------------------

// A backorder's actions: open its RO; order it urgently (parts.order.create
// urgent, the backorder as the line) from the supplier above the list, in
// one click, while it is not ordered yet.
function backorderActions(b) {
  const box = App.el("span", "actions");
  box.append(button("parts.ro.open", () => prepareIssue({ ro: b.ro_number, job: b.job_no, part: b.part_number })));
  if (!b.order_id && may("warehouse_keeper", "parts_manager")) {
    const go = button("parts2.urgent.go", () => orderUrgently(b, go), "small primary");
    go.dataset.backorder = b.issue_id;
    box.append(go);
  }
  return box;
}

async function orderUrgently(b, go) {
  const supplier = $("urgent-supplier").value.trim();
  $("backorders-done").textContent = "";
  const reply = await App.act(go, $("backorders-error"), "urgent:" + b.issue_id + ":" + supplier, "parts.order.create",
    { supplier: supplier, urgent: true, lines: [{ backorder_id: b.issue_id }] });
  if (!reply) return;
  $("backorders-done").textContent = App.t("parts2.urgent.done") + " " + reply.order_id + " · " + b.part_number + " × " + num(reply.lines[0].quantity);
  readBackorders();
  if (state.orders) readOrders();
}

// --- orders -------------------------------------------------------------------------

const OPEN = ["ORDER_OPEN", "ORDER_CONFIRMED", "ORDER_PARTLY_RECEIVED"];
const stateText = (s) => App.t("parts2.state." + (s || "ORDER_OPEN"));
const lineOverdue = (l) => l.promised_date && l.promised_date < today() && OPEN.includes(l.state || "ORDER_OPEN");
// what a confirmation being typed holds, by order/line: a redraw keeps it
const drafts = new Map();

// A line not confirmed yet: the supplier's answer taken by phone
// (parts.order.confirm): the quantity it will ship and the promised date.
function confirmCell(o, l) {
  if (l.confirmed) return App.el("span", "note", l.confirmed_by || "");
  if (num(l.cancelled) > 0) return ""; // nothing to confirm (who cancelled it: the cancellation's column)
  if (!may("warehouse_keeper", "parts_manager")) return "";
  const id = o.order_id + "/" + l.line_no;
  const draft = drafts.get(id) || { qty: String(num(l.quantity)), date: "" };
  const box = App.el("span", "confirm");
  box.dataset.line = id;
  const qty = App.el("input", "confirm-qty");
  [qty.type, qty.min, qty.max, qty.value] = ["number", "0", String(num(l.quantity)), draft.qty];
  const date = App.el("input", "confirm-date");
  date.type = "date";
  box.append(qty, date);
  App.dateField(date, "date");
  date.value = draft.date;
  const keep = () => drafts.set(id, { qty: qty.value, date: date.value });
  qty.addEventListener("input", keep);
  date.addEventListener("input", keep);
  const go = button("parts2.confirm.go", async () => {
    if (date.dateNormalise() === null) return;
    if (!date.value) return void ($("orders-error").textContent = App.t("parts2.confirm.need_date"));
    // the action is this answer: a retry of it reuses its key, another answer is new
    const reply = await App.act(go, $("orders-error"), "confirm:" + id + ":" + qty.value + ":" + date.value, "parts.order.confirm", {
      order_id: o.order_id, lines: [{ line_no: l.line_no, confirmed_quantity: Number(qty.value), promised_date: date.value }],
    });
    if (!reply) return;
    drafts.delete(id);
    readOrders();
  });
  box.append(go);
  return box;
}

function renderOrders() {
  if (!state.orders) return;
  $("orders-note").textContent = App.t("parts2.orders.count") + " " + state.orders.length;
  const blocks = state.orders.map((o) => {
    const block = App.el("div", "order" + (o.overdue ? " overdue" : ""));
    block.dataset.order = o.order_id;
    const head = App.el("h3", "order-head");
    head.append(App.el("span", "order-id", o.order_id), " · " + o.supplier + " · " + o.order_date + " ",
      App.el("span", "pill", stateText(o.state)));
    if (o.urgent) head.append(" ", App.el("span", "pill urgent", App.t("parts2.urgent")));
    if (o.overdue) head.append(" ", App.el("span", "pill late", App.t("parts2.overdue")));
    if (mayCancel(o)) head.append(" ", button("parts.cancel.order", () => openCancel(o, null), "small cancel-order"));
    const table = App.table([
      { label: "parts2.line", value: (l) => l.line_no, cls: "num" },
      { label: "parts.part", value: (l) => l.part_number },
      { label: "parts.ro", value: (l) => (l.ro_number ? l.ro_number + " / " + l.job_no : "") },
      { label: "parts.ordered", value: (l) => num(l.quantity), cls: "num" },
      { label: "parts2.confirmed", value: (l) => (l.confirmed ? num(l.confirmed_quantity) : ""), cls: "num" },
      { label: "parts2.promised", value: (l) => l.promised_date || "", cls: "promised" },
      { label: "parts.received", value: (l) => num(l.received), cls: "num" },
      { label: "parts2.order.state", value: (l) => stateText(l.state) + (lineOverdue(l) ? " · " + App.t("parts2.overdue") : "") },
      { label: "parts2.confirm", value: (l) => confirmCell(o, l) },
      { label: "parts.cancel.col", value: (l) => cancelCell(o, l), cls: "cancel" },
    ], o.lines || [], (l) => (lineOverdue(l) ? "overdue" : ""));
    for (const [i, tr] of [...table.tBodies[0].rows].entries()) tr.dataset.line = o.lines[i].line_no;
    block.append(head, table);
    return block;
  });
  $("orders").replaceChildren(...(blocks.length ? blocks : [App.el("p", "note", App.t("parts2.orders.none"))]));
  renderCancel();
}

// --- cancelling an order or some of its lines (parts.order.cancel) -------------

const lineOpen = (l) => OPEN.includes(l.state || "ORDER_OPEN");
const openLinesOf = (o) => (o.lines || []).filter(lineOpen);
// A label with {name}s filled in (what is filled in is never read as one).
const fill = (label, values) => App.t(label).replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));

// Whether the member may cancel order o, by parts' own rule (order_cancel.c;
// the service decides all the same): something on it still owed, and the
// parts manager (any order) or a warehouse keeper who placed it while the
// supplier has confirmed no line of it and nothing of it was received.
function mayCancel(o) {
  if (!openLinesOf(o).length) return false;
  if (may("parts_manager")) return true;
  return may("warehouse_keeper") && o.placed_by === App.me.staff_id &&
    (o.lines || []).every((l) => !l.confirmed && num(l.received) === 0);
}

// A line's cancellation: what was cancelled, by whom, on which day and why;
// or, on an order with several lines still owed, the button cancelling this
// one alone.
function cancelCell(o, l) {
  if (num(l.cancelled) > 0) {
    const box = App.el("span", "cancel-note");
    box.append(App.el("span", "", fill("parts.cancel.note", { qty: num(l.cancelled), by: l.cancelled_by || "", date: l.cancelled_date || "" })),
      App.el("span", "cancel-why", fill("parts.cancel.why", { reason: l.cancel_reason || "" })));
    return box;
  }
  if (!lineOpen(l) || openLinesOf(o).length < 2 || !mayCancel(o)) return "";
  const b = button("parts.cancel.line", () => openCancel(o, [l.line_no]), "small cancel-line");
  b.dataset.line = l.line_no;
  return b;
}

// The cancellation being confirmed: {order, line_nos (null: the whole order)}.
let cancelling = null;

function openCancel(o, lineNos) {
  cancelling = { order: o, line_nos: lineNos };
  $("cancel-reason").value = "";
  $("cancel-error").textContent = "";
  delete $("cancel-error").dataset.kind;
  $("orders-done").textContent = "";
  $("cancel-dialog").showModal();
  renderCancel();
  $("cancel-reason").focus();
}

// What will be cancelled, as parts will do it: each line named (or, for the
// whole order, each line still owed) cancels what it still owes, ordered less
// received; what was received stays and the line is closed. Drawn again with
// the order as last read (a live change, the other language).
function renderCancel() {
  if (!cancelling || !$("cancel-dialog").open) return;
  const o = (state.orders || []).find((x) => x.order_id === cancelling.order.order_id) || cancelling.order;
  cancelling.order = o;
  const lines = cancelling.line_nos ? (o.lines || []).filter((l) => cancelling.line_nos.includes(l.line_no)) : openLinesOf(o);
  $("cancel-title").textContent = App.t(cancelling.line_nos ? "parts.cancel.title_lines" : "parts.cancel.title_order");
  $("cancel-what").textContent = fill("parts.cancel.what", { order: o.order_id, supplier: o.supplier || "", date: o.order_date || "" });
  $("cancel-lines").replaceChildren(...lines.map((l) => {
    const values = { line: l.line_no, part: l.part_number, qty: Math.max(0, num(l.quantity) - num(l.received)), ordered: num(l.quantity), received: num(l.received) };
    const li = App.el("li", "", fill(num(l.received) > 0 ? "parts.cancel.line_part" : "parts.cancel.line_qty", values));
    li.dataset.line = l.line_no;
    return li;
  }));
}

function closeCancel() {
  cancelling = null;
  if ($("cancel-dialog").open) $("cancel-dialog").close();
}

async function sendCancel(e) {
  e.preventDefault();
  if (!cancelling) return;
  const reason = $("cancel-reason").value.trim();
  if (!reason) {
    $("cancel-error").textContent = App.t("parts.cancel.need_reason");
    $("cancel-error").dataset.kind = "reason";
    $("cancel-reason").focus();
    return;
  }
  const body = { order_id: cancelling.order.order_id, reason: reason };
  if (cancelling.line_nos) body.line_nos = cancelling.line_nos;
  // the action is this cancellation with this reason: a retry reuses its key
  const reply = await App.act($("cancel-go"), $("cancel-error"), "cancel:" + JSON.stringify(body), "parts.order.cancel", body);
  if (!reply) return;
  closeCancel();
  $("orders-done").textContent = body.line_nos ? fill("parts.cancel.done_lines", { order: reply.order_id, lines: body.line_nos.join(", ") })
    : fill("parts.cancel.done_order", { order: reply.order_id });
  // the order as parts has it now, at once; then the list read again
  const at = (state.orders || []).findIndex((x) => x.order_id === reply.order_id);
  if (at >= 0) state.orders[at] = reply;
  renderOrders();
  readOrders();
}

const readOrders = App.reader(() => App.readList("orders-error", async () => {
  const query = { limit: 100 };
  if ($("orders-state").value) query.state = $("orders-state").value;
  if ($("orders-overdue").checked) query.overdue = true;
  state.orders = (await App.call("parts.order.list", query)).orders || [];
  renderOrders();
}));

// A stock order: the supplier and lines of part (found as it is typed) and quantity.
function addOrderLine() {
  const row = App.el("div", "row line");
  const part = App.el("input", "order-part");
  part.setAttribute("list", "order-parts");
  part.autocomplete = "off";
  part.addEventListener("input", () => suggestParts(part.value.trim()));
  const qty = App.el("input", "order-qty");
  [qty.type, qty.min, qty.value] = ["number", "1", "1"];
  const field = (label, input) => {
    const l = App.el("label");
    const s = App.el("span", "", App.t(label));
    s.dataset.label = label;
    l.append(s, input);
    return l;
  };
  row.append(field("parts.part", part), field("parts.quantity", qty), button("parts.receipt.remove_line", () => row.remove()));
  $("order-lines").append(row);
}

const suggestParts = (() => {
  let wanted = "";
  const read = App.reader(async () => {
    const text = wanted;
    if (text.length < 2) return;
    try {
      const hits = (await App.call("parts.part.search", { text: text, limit: 10 })).hits || [];
      $("order-parts").replaceChildren(...hits.map((h) => {
        const o = App.el("option", "", h.description + " · " + App.t("parts.available") + " " + num(h.available));
        o.value = h.part_number;
        return o;
      }));
    } catch (err) {
      $("order-error").textContent = App.errorText(err);
    }
  });
  return (text) => {
    wanted = text;
    read();
  };
})();

const orderKeeper = App.keeper();

async function placeOrder(e) {
  e.preventDefault();
  const request = {
    supplier: $("order-supplier").value.trim(),
    lines: [...document.querySelectorAll("#order-lines .line")].map((row) => ({
      part_number: row.querySelector(".order-part").value.trim().toUpperCase(),
      quantity: Number(row.querySelector(".order-qty").value || 0),
    })),
  };
  $("order-done").textContent = "";
  await App.attempt($("order-go"), $("order-error"), async () => {
    const r = await App.call("parts.order.create", request, orderKeeper.key(request));
    orderKeeper.done();
    $("order-done").textContent = App.t("parts2.order.done") + " " + r.order_id;
    $("order-lines").replaceChildren();
    addOrderLine();
    readOrders();
  });
}

// The receipt form's order lines: the open lines of the supplier typed
// (parts.order.list), each "SO-1/2 P-PAD (owes 2)"; one chosen fills the part
// and the quantity expected, and the receipt line counts against it.
function fillOrderLines(select) {
  const chosen = select.value;
  const none = App.el("option", "", App.t("parts2.receipt.no_order"));
  none.value = "";
  none.dataset.label = "parts2.receipt.no_order";
  select.replaceChildren(none, ...state.openLines.map((l) => {
    const o = App.el("option", "", l.value + " " + l.part_number + " (" + App.t("parts.owed") + " " + l.owed + (l.promised_date ? ", " + l.promised_date : "") + ")");
    o.value = l.value;
    return o;
  }));
  select.value = state.openLines.some((l) => l.value === chosen) ? chosen : "";
}

const readOpenLines = App.reader(async () => {
  const supplier = $("receipt-supplier").value.trim();
  let lines = [];
  if (supplier) {
    try {
      const orders = (await App.call("parts.order.list", { supplier: supplier, limit: 100 })).orders || [];
      for (const o of orders)
        for (const l of o.lines || [])
          if (OPEN.includes(l.state || "ORDER_OPEN")) {
            const due = l.confirmed ? num(l.confirmed_quantity) : num(l.quantity);
            lines.push({ value: o.order_id + "/" + l.line_no, part_number: l.part_number, owed: Math.max(0, due - num(l.received)), promised_date: l.promised_date });
          }
    } catch (err) {
      $("receipt-error").textContent = App.errorText(err);
      lines = [];
    }
  }
  state.openLines = lines;
  for (const s of document.querySelectorAll("#receipt-lines .line-order")) fillOrderLines(s);
});

// --- stock value and slow-moving ------------------------------------------------

function renderStockFigures() {
  if (state.value) {
    const groups = state.value.groups || [];
    const table = App.table([
      { label: "parts2.group", value: (g) => g.group },
      { label: "parts2.parts", value: (g) => num(g.parts), cls: "num" },
      { label: "parts.on_hand", value: (g) => num(g.on_hand), cls: "num" },
      { label: "parts2.value", value: (g) => App.money(num(g.value_cents)), cls: "num" },
    ], groups);
    const foot = App.el("tr", "total");
    foot.append(App.el("td", "", App.t("parts2.value.total")), App.el("td"), App.el("td", "num", num(state.value.on_hand)),
      App.el("td", "num value-total", App.money(num(state.value.value_cents))));
    table.append(App.el("tfoot"));
    table.tFoot.append(foot);
    $("stock-value").replaceChildren(table);
  }
  if (state.slow) {
    $("slow-note").textContent = App.t("parts2.slow.note") + " " + state.slow.moved_before + " (" + num(state.slow.months) + " " +
      App.t("parts2.slow.months") + ") · " + App.money(num(state.slow.value_cents));
    const parts = state.slow.parts || [];
    $("slow").replaceChildren(parts.length ? App.table([
      { label: "parts.part", value: (p) => p.part_number },
      { label: "parts.description", value: (p) => p.description },
      { label: "parts2.group", value: (p) => p.group },
      { label: "parts.on_hand", value: (p) => num(p.on_hand), cls: "num" },
      { label: "parts2.value", value: (p) => App.money(num(p.value_cents)), cls: "num" },
      { label: "parts2.last_moved", value: (p) => p.last_moved || App.t("parts2.never") },
    ], parts) : App.el("p", "note", App.t("parts2.slow.none")));
  }
}

const readStockFigures = App.reader(async () => {
  if (!may("warehouse_keeper", "parts_manager")) return;
  await App.readList("value-error", async () => {
    state.value = await App.call("parts.stock.value", {});
  });
  await App.readList("slow-error", async () => {
    state.slow = await App.call("parts.slow.list", {});
  });
  renderStockFigures();
});

// --- the scrap list ---------------------------------------------------------------------

// The list open on the page: the year's ("SCRAP-2026", the annual scrap
// list) unless another is opened.
const scrapId = () => $("scrap-id").value.trim();

// A line of the list by its part and, for a quarantine lot, its receipt.
const lineRef = (l) => (l.receipt_id ? { part_number: l.part_number, receipt_id: l.receipt_id } : { part_number: l.part_number });

function scrapQuantity(list, l) {
  if (list.status !== "SCRAP_DRAFT" || !may("warehouse_keeper")) return num(l.quantity);
  const box = App.el("span", "scrap-qty");
  const qty = App.el("input", "qty");
  [qty.type, qty.min, qty.value] = ["number", "1", String(num(l.quantity))];
  const go = button("parts2.scrap.change", () => editScrap(go, { add: [Object.assign(lineRef(l), { quantity: Number(qty.value) })] }));
  box.append(qty, go);
  return box;
}

function renderScrap() {
  const list = state.scrap;
  const status = list ? list.status || "SCRAP_DRAFT" : null;
  const show = (id, yes) => ($(id).hidden = !(yes && mine($(id))));
  show("scrap-submit", status === "SCRAP_DRAFT");
  show("scrap-approve", status === "SCRAP_SUBMITTED");
  show("scrap-reject", status === "SCRAP_SUBMITTED");
  show("scrap-reason-box", status === "SCRAP_SUBMITTED");
  if (!list) {
    $("scrap-state").textContent = $("scrap-total").textContent = "";
    return void $("scrap").replaceChildren();
  }
  const who = [App.t("parts2.scrap.proposed_by") + " " + list.proposed_by];
  if (list.submitted_by) who.push(App.t("parts2.scrap.submitted_by") + " " + list.submitted_by);
  if (list.decided_by) who.push(App.t("parts2.scrap.decided_by") + " " + list.decided_by + " " + App.datetime(list.decided_at_us));
  if (list.reason) who.push(App.t("parts2.scrap.reason") + ": " + list.reason);
  $("scrap-state").replaceChildren(App.el("span", "pill", App.t("parts2.scrap." + status)), " " + list.list_id + " · " + who.join(" · "));
  const lines = list.lines || [];
  const editable = status === "SCRAP_DRAFT" && may("warehouse_keeper");
  const table = App.table([
    { label: "parts.part", value: (l) => l.part_number },
    { label: "parts2.scrap.lot", value: (l) => l.receipt_id || App.t("parts2.scrap.on_shelf") },
    { label: "parts2.group", value: (l) => l.group },
    { label: "parts2.scrap.why", value: (l) => l.reason },
    { label: "parts.quantity", value: (l) => scrapQuantity(list, l), cls: "num" },
    { label: "parts2.unit_cost", value: (l) => App.money(num(l.unit_cost_cents)), cls: "num" },
    { label: "parts2.value", value: (l) => App.money(num(l.value_cents)), cls: "num" },
    { label: "", value: (l) => (editable ? button("parts2.scrap.remove", (e) => editScrap(e.target, { remove: [lineRef(l)] })) : "") },
  ], lines);
  for (const [i, tr] of [...table.tBodies[0].rows].entries()) tr.dataset.line = lines[i].part_number + "/" + (lines[i].receipt_id || "");
  $("scrap").replaceChildren(lines.length ? table : App.el("p", "note", App.t("parts2.scrap.empty")));
  $("scrap-total").textContent = App.t("parts2.scrap.total") + " " + App.money(num(list.value_cents));
}

const readScrap = App.reader(async () => {
  const id = scrapId();
  if (!id) return;
  try {
    state.scrap = await App.call("parts.scrap.show", { list_id: id });
    App.readOk($("scrap-error"));
  } catch (err) {
    state.scrap = null;
    if (err.status === 404) App.readOk($("scrap-error"));
    else App.readFailed($("scrap-error"), err);
  }
  renderScrap();
});

// A change of the list: the reply is the list as it stands.
async function scrapAct(btn, command, payload, done) {
  $("scrap-done").textContent = "";
  const reply = await App.act(btn, $("scrap-error"), command + ":" + JSON.stringify(payload), command, payload);
  if (!reply) return;
  state.scrap = reply;
  renderScrap();
  if (done) $("scrap-done").textContent = App.t(done);
  readStockFigures();
}

const editScrap = (btn, change) => scrapAct(btn, "parts.scrap.edit", Object.assign({ list_id: scrapId() }, change));

// Every scrap list, newest first (parts.scrap.list): who did what and when,
// lines and value; a list's id opens it above.
function renderScrapLists() {
  const lists = state.scrapLists || [];
  const when = (by, us) => (by ? by + " " + App.datetime(us) : "");
  const open = (l) => button(l.list_id, () => {
    $("scrap-id").value = l.list_id;
    readScrap();
  }, "small");
  const table = App.table([
    { label: "parts2.scrap.list_id", value: open },
    { label: "parts2.scraps.state", value: (l) => App.t("parts2.scrap." + (l.state || "SCRAP_DRAFT")) },
    { label: "parts2.scraps.proposed", value: (l) => when(l.proposed_by, l.proposed_at_us) },
    { label: "parts2.scraps.submitted", value: (l) => when(l.submitted_by, l.submitted_at_us) },
    { label: "parts2.scraps.decided", value: (l) => when(l.decided_by, l.decided_at_us) },
    { label: "parts2.scraps.lines", value: (l) => num(l.lines), cls: "num" },
    { label: "parts2.value", value: (l) => App.money(num(l.value_cents)), cls: "num" },
  ], lists);
  for (const [i, tr] of [...table.tBodies[0].rows].entries()) tr.dataset.list = lists[i].list_id;
  $("scrap-lists").replaceChildren(lists.length ? table : App.el("p", "note", App.t("parts2.scraps.none")));
}

const readScrapLists = App.reader(() => App.readList("scrap-lists-error", async () => {
  state.scrapLists = (await App.call("parts.scrap.list", {})).lists || [];
  renderScrapLists();
}));

// --- the page -----------------------------------------------------------------

function renderAll() {
  for (const done of document.querySelectorAll(".done")) done.textContent = ""; // said in the other language
  renderHits();
  renderRo();
  renderReceipts();
  renderBackorders();
  renderQuarantine();
  renderOrders();
  renderStockFigures();
  renderScrap();
  if (state.scrapLists) renderScrapLists();
  for (const sel of document.querySelectorAll("#receipt-lines .line-order")) fillOrderLines(sel);
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
  // what only some roles do (the services refuse the others all the same)
  for (const el of document.querySelectorAll("main [data-roles]")) if (!mine(el)) el.hidden = true;
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
  $("receipt-supplier").addEventListener("change", readOpenLines);
  $("orders-state").addEventListener("change", readOrders);
  $("orders-overdue").addEventListener("change", readOrders);
  $("order").addEventListener("submit", placeOrder);
  $("order-add").addEventListener("click", addOrderLine);
  $("cancel-form").addEventListener("submit", sendCancel);
  $("cancel-back").addEventListener("click", closeCancel);
  $("cancel-reason").addEventListener("input", () => {
    if ($("cancel-error").dataset.kind === "reason") $("cancel-error").textContent = ""; // a reason typed: said no longer
  });
  $("cancel-dialog").addEventListener("close", () => (cancelling = null));
  addOrderLine();
  $("scrap-id").value = "SCRAP-" + today().slice(0, 4);
  $("scrap-open").addEventListener("submit", (e) => {
    e.preventDefault();
    readScrap();
  });
  $("scrap-propose").addEventListener("click", () => scrapAct($("scrap-propose"), "parts.scrap.propose", { list_id: scrapId() }));
  $("scrap-submit").addEventListener("click", () => scrapAct($("scrap-submit"), "parts.scrap.submit", { list_id: scrapId() }, "parts2.scrap.submitted"));
  $("scrap-approve").addEventListener("click", () => scrapAct($("scrap-approve"), "parts.scrap.approve", { list_id: scrapId() }, "parts2.scrap.approved"));
  $("scrap-reject").addEventListener("click", () => scrapAct($("scrap-reject"), "parts.scrap.reject", { list_id: scrapId(), reason: $("scrap-reason").value.trim() }, "parts2.scrap.rejected"));
  addLine();
  const tabs = ["issue", "orders", "scrap", "backorders", "receipts", "quarantine"];
  showTab(tabs.includes(location.hash.slice(1)) ? location.hash.slice(1) : "stock");
  // live: parts events (an issue, a receipt, a return made at another counter)
  // change stock, an RO's parts, backorders and quarantine: read them again
  App.follow((event) => {
    if (!event.type.startsWith("parts.")) return;
    readHits();
    readRo();
    if (state.backorders) readBackorders();
    if (state.lots) readQuarantine();
    if (state.receipts) readReceipts();
    // an order placed, confirmed (by the supplier's system or a phone call
    // at another counter) or received: its lines and promised dates
    if (state.orders) readOrders();
    if (event.type.startsWith("parts.order.") && state.openLines.length) readOpenLines();
    if (state.value || state.slow) readStockFigures();
    if (state.scrap) readScrap();
    if (state.scrapLists) readScrapLists();
  });
});
