// qc.js — the QC inspector's screen: the repair orders whose jobs are all
// done (due for final QC), those sent back as rework and those passed today,
// from workshop.board; an RO picked shows its jobs and inspections
// (workshop.ro.show) and is passed or failed with reasons
// (workshop.qc.inspect); the certificate opens printable (qccert.html).
// Read again when a workshop event arrives (a job clocked off elsewhere).
"use strict";

let board = null, selected = null, work = null, inspectKey = null, busy = false;
let outcome = null; // the last inspection recorded here, shown in the page's language

function canInspect() {
  return App.me.roles.includes("qc_inspector");
}

// The board's jobs by RO, cancelled ones left out.
function byRo(jobs) {
  const ros = new Map();
  for (const j of jobs || []) {
    if (j.status === "WORK_CANCELLED") continue;
    if (!ros.has(j.ro_number)) ros.set(j.ro_number, []);
    ros.get(j.ro_number).push(j);
  }
  return ros;
}

function concernOf(j) {
  return j.concern || (j.labour && j.labour.description) || "";
}

function roItem(ro, jobs, extra) {
  const li = App.el("li", "qc-ro" + (ro === selected ? " selected" : ""));
  li.dataset.ro = ro;
  li.tabIndex = 0;
  li.append(App.el("div", "ro", ro + (jobs[0].vin ? " · " + jobs[0].vin : "")));
  for (const j of jobs) {
    const line = App.el("div", "job-line");
    line.append(App.el("span", "concern", j.job_no + ". " + concernOf(j)));
    const who = [];
    if (j.technician) who.push(App.t("job.technician") + " " + j.technician);
    if (j.actual_minutes) who.push(j.actual_minutes + " " + App.t("job.minutes"));
    if (j.qc_failures) who.push(App.t("qc.failures") + " " + j.qc_failures);
    if (who.length) line.append(App.el("span", "who", who.join(" · ")));
    li.append(line);
  }
  if (extra) li.append(extra);
  li.addEventListener("click", () => select(ro));
  li.addEventListener("keydown", (e) => e.key === "Enter" && select(ro));
  return li;
}

function fill(listId, countId, items) {
  document.getElementById(countId).textContent = "(" + items.length + ")";
  const list = document.getElementById(listId);
  list.replaceChildren(...(items.length ? items : [App.el("li", "empty", App.t("qc.none." + listId))]));
}

function renderLists() {
  if (!board) return;
  const due = [], rework = [], passed = [];
  for (const [ro, jobs] of byRo(board.jobs)) {
    if (jobs.every((j) => j.status === "WORK_DONE")) due.push(roItem(ro, jobs));
    else if (jobs.some((j) => j.status === "WORK_REWORK")) {
      const back = jobs.filter((j) => j.status === "WORK_REWORK").map((j) => j.job_no);
      rework.push(roItem(ro, jobs, App.el("div", "rework-jobs", App.t("qc.back_to_technician") + " " + back.join(", "))));
    } else if (jobs.every((j) => j.status === "WORK_QC_PASSED")) passed.push(roItem(ro, jobs));
  }
  fill("due", "due-count", due);
  fill("rework", "rework-count", rework);
  fill("passed", "passed-count", passed);
  document.getElementById("updated").textContent = App.clock(new Date());
}

function renderOutcome() {
  const result = document.getElementById("inspect-result");
  if (!outcome || outcome.ro_number !== selected) return void (result.textContent = "");
  result.className = "result " + (outcome.passed ? "pass" : "fail");
  if (outcome.passed)
    result.textContent = App.t("qc.passed") + (outcome.certificate ? " · " + App.t("qc.certificate") + " " + outcome.certificate : "");
  else result.textContent = App.t("qc.failed") + " · " + App.t("qc.back_to_technician") + " " + (outcome.failed_jobs || []).join(", ");
}

function resultText(i) {
  return i.passed ? App.t("qc.passed") : App.t("qc.failed");
}

function renderInspect() {
  const form = document.getElementById("inspect-form");
  document.getElementById("pick").hidden = !!work;
  form.hidden = !work;
  if (!work) return;
  document.getElementById("inspect-ro").textContent = work.ro_number;
  const vehicle = [work.vin, work.mileage_km ? work.mileage_km + " km" : "", work.advisor ? App.t("frontdesk.advisor") + " " + work.advisor : ""];
  document.getElementById("inspect-vehicle").textContent = vehicle.filter((x) => x).join(" · ");
  const jobs = (work.jobs || []).filter((j) => j.status !== "WORK_CANCELLED");
  const table = App.table(
    [
      {
        label: "qc.failed_job",
        value: (j) => {
          const box = App.el("input", "failed-job");
          box.type = "checkbox";
          box.value = j.job_no;
          box.disabled = !canInspect() || !!work.certificate;
          return box;
        },
      },
      { label: "qc.job", value: (j) => j.job_no },
      { label: "qc.concern", value: concernOf, cls: "concern" },
      { label: "qc.labour", value: (j) => (j.labour ? [j.labour.code, j.labour.description].filter((x) => x).join(" ") : "") },
      { label: "job.technician", value: (j) => j.technician, cls: "nowrap" },
      { label: "qc.minutes", value: (j) => j.actual_minutes || 0, cls: "num" },
      { label: "qc.status", value: (j) => App.t("qc.status." + j.status) },
    ],
    jobs
  );
  jobs.forEach((j, i) => (table.tBodies[0].rows[i].dataset.job = j.job_no));
  document.getElementById("inspect-jobs").replaceChildren(table);
  const log = (work.inspection_log || []).slice().reverse();
  document.getElementById("inspect-log").replaceChildren(
    log.length
      ? App.table(
          [
            { label: "qc.time", value: (i) => App.datetime(i.at_us), cls: "nowrap" },
            { label: "qc.kind", value: (i) => App.t("qc.kind." + i.kind) },
            { label: "qc.result", value: resultText },
            { label: "qc.reasons_col", value: (i) => (i.reasons || []).join("; "), cls: "concern" },
            { label: "qc.failed_jobs", value: (i) => (i.failed_jobs || []).join(", ") },
            { label: "qc.inspector", value: (i) => i.inspector, cls: "nowrap" },
            { label: "qc.certificate", value: (i) => i.certificate || "", cls: "nowrap" },
          ],
          log
        )
      : App.el("p", "empty", App.t("qc.no_inspections"))
  );
  document.getElementById("inspect-controls").hidden = !canInspect() || !!work.certificate;
  const link = document.getElementById("cert-link");
  link.hidden = !work.certificate;
  link.href = "qccert.html?ro=" + encodeURIComponent(work.ro_number);
}

async function readRo() {
  if (!selected) return;
  try {
    work = await App.call("workshop.ro.show", { ro_number: selected });
  } catch (err) {
    document.getElementById("inspect-error").textContent = App.errorText(err);
  }
  renderInspect();
}

function select(ro) {
  if (ro !== selected) {
    selected = ro;
    inspectKey = App.newKey(); // the inspection is prepared when its RO is picked
    document.getElementById("inspect-error").textContent = "";
    outcome = null;
    renderOutcome();
    document.getElementById("reasons").value = "";
  }
  renderLists();
  readRo();
}

async function inspect(passed) {
  if (busy || !selected) return;
  const error = document.getElementById("inspect-error");
  error.textContent = "";
  outcome = null;
  renderOutcome();
  const payload = { ro_number: selected, kind: document.getElementById("kind").value, passed: passed };
  if (!passed) {
    payload.reasons = document.getElementById("reasons").value.split("\n").map((r) => r.trim()).filter((r) => r);
    payload.failed_jobs = [...document.querySelectorAll("#inspect-jobs input.failed-job:checked")].map((b) => Number(b.value));
  }
  busy = true;
  for (const id of ["pass", "fail"]) document.getElementById(id).disabled = true;
  try {
    outcome = await App.call("workshop.qc.inspect", payload, inspectKey);
    inspectKey = App.newKey();
    renderOutcome();
    document.getElementById("reasons").value = "";
  } catch (err) {
    if (err.status && err.status !== 503) inspectKey = App.newKey(); // answered: a new action next time
    error.textContent = App.errorText(err);
  } finally {
    busy = false;
    for (const id of ["pass", "fail"]) document.getElementById(id).disabled = false;
  }
  readBoard();
  readRo();
}

// never two reads at once: asked while it reads, it reads once more after
const readBoard = App.reader(async () => {
  try {
    board = await App.call("workshop.board", {});
    renderLists();
  } catch (err) {
    document.getElementById("banner").append(App.el("div", "down", App.errorText(err)));
  }
});

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  document.addEventListener("languagechange", () => {
    renderLists();
    renderInspect();
    renderOutcome();
  });
  document.getElementById("pass").addEventListener("click", () => inspect(true));
  document.getElementById("fail").addEventListener("click", () => inspect(false));
  App.follow((event) => {
    if (event.type.startsWith("workshop.")) {
      readBoard();
      if (selected && event.subject === selected) readRo();
    }
  });
  const wanted = new URLSearchParams(location.search).get("ro");
  readBoard();
  if (wanted) select(wanted);
});
