// board.js — the foreman's board: jobs by state, technicians and bays with
// who is where; read with workshop.board and read again when a workshop
// event arrives on the live stream (a dispatch, a clock, a QC result).
"use strict";

let board = null;

function jobCard(job) {
  const li = App.el("li", "job");
  li.dataset.ro = job.ro_number;
  li.append(App.el("div", "ro", job.ro_number + " / " + job.job_no));
  li.append(App.el("div", "concern", job.concern || (job.labour && job.labour.description) || ""));
  if (job.vin) li.append(App.el("div", "vin", job.vin));
  const who = [];
  if (job.technician) who.push(App.t("job.technician") + " " + job.technician);
  if (job.bay) who.push(App.t("job.bay") + " " + job.bay);
  if (job.actual_minutes) who.push(job.actual_minutes + " " + App.t("job.minutes"));
  if (who.length) li.append(App.el("div", "who", who.join(" · ")));
  return li;
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
      const li = App.el("li", b.current_ro ? "busy" : "free", b.bay_id + " · " + (b.kind || ""));
      li.append(App.el("span", "where", b.current_ro ? b.current_ro + " / " + b.current_job_no : App.t("board.free")));
      return li;
    })
  );
  document.getElementById("updated").textContent = App.clock(new Date());
}

let reading = false, again = false;
async function readBoard() {
  if (reading) return void (again = true);
  reading = true;
  try {
    board = await App.call("workshop.board", {});
    render();
  } catch (err) {
    document.getElementById("banner").append(App.el("div", "down", err.message));
  } finally {
    reading = false;
    if (again) {
      again = false;
      readBoard();
    }
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  document.addEventListener("languagechange", render);
  App.follow((event) => {
    if (event.type.startsWith("workshop.")) readBoard();
  });
  readBoard();
});
