// board.js — the foreman's board: jobs by state, technicians and bays with
// who is where; read with workshop.board and read again when a workshop
// event arrives on the live stream (a dispatch, a clock, a QC result).
// A waiting or rework job picked opens the dispatch form: a technician, a
// free bay, the special-tool check's answer (workshop.tool_check.show, the same
// check dispatch makes) and workshop.job.dispatch, whose refusal is shown.
"use strict";

let board = null;
// The job being dispatched: {ro_number, job_no, key} (the Idempotency-Key
// made when the form opened, reused by a retry whose outcome is unknown).
let picked = null, tools = null, sending = false;

function jobCard(job) {
  const li = App.el("li", "job");
  li.dataset.ro = job.ro_number;
  li.dataset.job = job.job_no;
  li.append(App.el("div", "ro", job.ro_number + " / " + job.job_no));
  li.append(App.el("div", "concern", job.concern || (job.labour && job.labour.description) || ""));
  if (job.vin) li.append(App.el("div", "vin", job.vin));
  const who = [];
  if (job.technician) who.push(App.t("job.technician") + " " + job.technician);
  if (job.bay) who.push(App.t("job.bay") + " " + job.bay);
  if (job.actual_minutes) who.push(job.actual_minutes + " " + App.t("job.minutes"));
  if (who.length) li.append(App.el("div", "who", who.join(" · ")));
  if ((job.tool_notes || []).length) li.append(App.el("div", "tool-notes", toolNotes(job).join("; ")));
  if ((job.bulletins || []).length) li.append(App.el("div", "ws15-unread", bulletinsText(job)));
  if (job.status === "WORK_WAITING" || job.status === "WORK_REWORK") {
    li.classList.add("pickable");
    li.tabIndex = 0;
    if (picked && picked.ro_number === job.ro_number && picked.job_no === job.job_no) li.classList.add("selected");
    li.addEventListener("click", () => pick(job));
    li.addEventListener("keydown", (e) => e.key === "Enter" && pick(job));
  }
  return li;
}

// --- dispatch ------------------------------------------------------------------

function pick(job) {
  if (!picked || picked.ro_number !== job.ro_number || picked.job_no !== job.job_no) {
    picked = { ro_number: job.ro_number, job_no: job.job_no, key: App.newKey() };
    tools = null;
    document.getElementById("dispatch-error").textContent = "";
  }
  document.getElementById("dispatch-result").textContent = "";
  render();
  readTools();
}

function closeDispatch() {
  picked = null;
  tools = null;
  render();
}

function pickedJob() {
  return picked && board ? (board.jobs || []).find((j) => j.ro_number === picked.ro_number && j.job_no === picked.job_no) : null;
}

function option(value, text, disabled) {
  const o = App.el("option", "", text);
  o.value = value;
  o.disabled = !!disabled;
  return o;
}

// Keeps the choice made in a select across a re-read of the board.
function refill(select, options) {
  const was = select.value;
  select.replaceChildren(...options);
  if ([...select.options].some((o) => o.value === was && !o.disabled)) select.value = was;
}

// A note or reason of the special-tool check in the page's language (its
// wording: board.why.<code>), the daemon's English for an old record.
function toolWording(wording, text) {
  return wording ? App.worded("board.why.", wording.code, wording.args, text) : text;
}

// The job's tool notes of its last dispatch, each in the page's language.
function toolNotes(job) {
  const words = job.tool_note_wordings || [];
  return (job.tool_notes || []).map((text, i) => toolWording(words.length === job.tool_notes.length ? words[i] : null, text));
}

function renderTools() {
  const list = document.getElementById("dispatch-tools");
  if (!tools) return void list.replaceChildren(App.el("li", "empty", App.t("board.tools_checking")));
  if (!tools.tools || !tools.tools.length) return void list.replaceChildren(App.el("li", "ok", App.t("board.tools_none")));
  list.replaceChildren(
    ...tools.tools.map((t) => {
      const li = App.el("li", "tool " + t.answer);
      li.dataset.tool = t.tool_id;
      li.append(App.el("span", "answer", App.t("board.tool." + t.answer)));
      const what = t.tool && t.tool.description ? t.tool_id + " · " + t.tool.description : t.tool_id;
      li.append(App.el("span", "tool-id", what));
      if (t.text) li.append(App.el("span", "text", toolWording(t.wording, t.text)));
      return li;
    })
  );
}

function renderDispatch() {
  const panel = document.getElementById("dispatch");
  const job = pickedJob();
  if (picked && board && !job) picked = null; // dispatched or gone elsewhere
  panel.hidden = !picked;
  if (!picked || !job) return;
  document.getElementById("dispatch-job").textContent = job.ro_number + " / " + job.job_no;
  const labour = job.labour || {};
  const needs = [labour.skill ? App.t("board.skill") + " " + labour.skill + (labour.min_level ? " L" + labour.min_level : "") : "", labour.sold_minutes ? labour.sold_minutes + " " + App.t("board.sold_minutes") : ""];
  document.getElementById("dispatch-concern").textContent = [job.concern || labour.description || "", ...needs].filter((x) => x).join(" · ");
  refill(
    document.getElementById("dispatch-tech"),
    [option("", App.t("board.choose"))].concat(
      (board.technicians || []).map((t) => {
        const where = t.current_ro ? App.t("board.busy") + " " + t.current_ro + " / " + t.current_job_no : App.t("board.free");
        return option(t.tech_id, (t.name || t.tech_id) + " (" + t.tech_id + ") · " + (t.skills || []).join(", ") + " L" + (t.level || 0) + " · " + where);
      })
    )
  );
  refill(
    document.getElementById("dispatch-bay"),
    [option("", App.t("board.choose"))].concat(
      (board.bays || []).map((b) => {
        const mine = b.current_ro === job.ro_number && b.current_job_no === job.job_no;
        const busy = b.current_ro && !mine;
        return option(b.bay_id, b.bay_id + " · " + bayKind(b.kind) + " · " + (busy ? App.t("board.busy") + " " + b.current_ro + " / " + b.current_job_no : App.t("board.free")), busy);
      })
    )
  );
  renderTools();
}

async function readTools() {
  if (!picked) return;
  const asked = picked;
  try {
    const answer = await App.call("workshop.tool_check.show", { ro_number: asked.ro_number, job_no: asked.job_no });
    if (picked === asked) tools = answer;
  } catch (err) {
    if (picked === asked) document.getElementById("dispatch-error").textContent = App.errorText(err);
  }
  renderTools();
}

async function sendDispatch() {
  if (!picked || sending) return;
  const error = document.getElementById("dispatch-error");
  const button = document.getElementById("dispatch-send");
  error.textContent = "";
  const payload = {
    ro_number: picked.ro_number,
    job_no: picked.job_no,
    tech_id: document.getElementById("dispatch-tech").value,
    bay_id: document.getElementById("dispatch-bay").value,
  };
  sending = true;
  button.disabled = true;
  try {
    const job = await App.call("workshop.job.dispatch", payload, picked.key);
    const notes = toolNotes(job);
    document.getElementById("dispatch-result").textContent =
      App.t("board.dispatched_to") + " " + job.ro_number + " / " + job.job_no + " → " + job.technician + " · " + job.bay +
      (notes.length ? " — " + App.t("board.tool_notes") + ": " + notes.join("; ") : "") +
      ((job.bulletins || []).length ? " — " + bulletinsText(job) : "");
    picked = null;
    tools = null;
  } catch (err) {
    error.textContent = App.errorText(err);
    if (err.status && err.status !== 503 && picked) picked.key = App.newKey(); // refused: a new try is a new action
    readTools(); // the tools may have changed since the form opened
  } finally {
    sending = false;
    button.disabled = false;
  }
  readBoard();
}

// A bay's kind in the page's language (a kind without a label as the workshop has it).
function bayKind(kind) {
  if (!kind) return "";
  const label = App.t("board.bay_kind." + kind);
  return label === "board.bay_kind." + kind ? kind : label;
}

function render() {
  if (!board) return;
  for (const column of document.querySelectorAll(".column")) {
    const list = column.querySelector("ol");
    list.replaceChildren(...(board.jobs || []).filter((j) => j.status === column.dataset.status).map(jobCard));
  }
  const techs = document.getElementById("technicians");
  techs.replaceChildren(
    ...(board.technicians || []).map((t) => {
      const li = App.el("li", t.current_ro ? "busy" : "free", (t.name || t.tech_id) + " (" + t.tech_id + ")");
      li.append(App.el("span", "where", t.current_ro ? t.current_ro + " / " + t.current_job_no : App.t("board.free")));
      return li;
    })
  );
  const bays = document.getElementById("bays");
  bays.replaceChildren(
    ...(board.bays || []).map((b) => {
      const li = App.el("li", b.current_ro ? "busy" : "free", b.bay_id + " · " + bayKind(b.kind));
      li.append(App.el("span", "where", b.current_ro ? b.current_ro + " / " + b.current_job_no : App.t("board.free")));
      return li;
    })
  );
  renderDispatch();
  document.getElementById("updated").textContent = App.clock(new Date());
}

// never two reads at once: asked while it reads, it reads once more after
const readBoard = App.reader(async () => {
  try {
    board = await App.call("workshop.board", {});
    const failed = document.getElementById("board-error");
    if (failed) failed.remove();
    render();
  } catch (err) {
    // one line for the board's read, replaced at each failure, gone once it reads again
    const old = document.getElementById("board-error");
    const line = App.el("div", "down", App.errorText(err));
    line.id = "board-error";
    if (old) old.replaceWith(line);
    else document.getElementById("banner").append(line);
  }
});

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  document.addEventListener("languagechange", render);
  document.getElementById("dispatch-send").addEventListener("click", sendDispatch);
  document.getElementById("dispatch-cancel").addEventListener("click", closeDispatch);
  App.follow((event) => {
    // workshop.job.created says a consented RO's (or an added) job waits
    if (event.type.startsWith("workshop.")) readBoard();
    if (picked && (event.type.startsWith("tools.") || event.type.startsWith("workshop."))) readTools();
    if (event.type.startsWith("reception.rescue.")) Rescue.changed();
  });
  await readBoard(); // the technicians first: the rescues' dispatch offers them
  Rescue.mount("board", () => (board && board.technicians) || []);
});

// The technical bulletins the job's technician has not acknowledged (ws15).
function bulletinsText(job) {
  return App.t("ws15.unread") + ": " +
    job.bulletins.map((b) => b.bulletin_id + " " + (b.title || "")).join("; ");
}
