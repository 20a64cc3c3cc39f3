// qccert.js — the QC certificate of one repair order (qccert.html?ro=...),
// printable: the RO, the vehicle, its jobs and who did them, the
// inspections, the inspector, the time and the result, from workshop.ro.show.
// Without a passed final inspection it says so (no certificate is shown as
// issued). Print with the browser (print CSS drops the header).
"use strict";

let work = null;

function render() {
  if (!work) return;
  const finals = (work.inspection_log || []).filter((i) => i.kind === "FINAL");
  const passed = finals.find((i) => i.passed && i.certificate);
  const last = passed || (work.inspection_log || []).slice(-1)[0];
  document.getElementById("certificate").hidden = false;
  document.getElementById("site").textContent = (App.me && App.me.site) || "";
  document.getElementById("cert-number").textContent = work.certificate || App.t("qccert.not_issued");
  const result = document.getElementById("cert-result");
  result.textContent = passed ? App.t("qccert.passed") : App.t("qccert.not_passed");
  result.className = passed ? "pass" : "fail";
  document.getElementById("cert-ro").textContent = work.ro_number;
  document.getElementById("cert-vin").textContent = work.vin || "";
  document.getElementById("cert-mileage").textContent = work.mileage_km ? work.mileage_km + " km" : "";
  document.getElementById("cert-advisor").textContent = work.advisor || "";
  document.getElementById("cert-inspector").textContent = last ? last.inspector : "";
  document.getElementById("cert-time").textContent = last ? App.datetime(last.at_us) : "";
  const jobs = (work.jobs || []).filter((j) => j.status !== "WORK_CANCELLED");
  document.getElementById("cert-jobs").replaceChildren(
    App.table(
      [
        { label: "qc.job", value: (j) => j.job_no },
        { label: "qc.concern", value: (j) => j.concern || "", cls: "concern" },
        { label: "qc.labour", value: (j) => (j.labour ? [j.labour.code, j.labour.description].filter((x) => x).join(" ") : "") },
        { label: "job.technician", value: (j) => j.technician || "" },
        { label: "qc.minutes", value: (j) => j.actual_minutes || 0, cls: "num" },
        { label: "qc.status", value: (j) => App.t("qc.status." + j.status) },
      ],
      jobs
    )
  );
  document.getElementById("cert-log").replaceChildren(
    App.table(
      [
        { label: "qc.time", value: (i) => App.datetime(i.at_us) },
        { label: "qc.kind", value: (i) => App.t("qc.kind." + i.kind) },
        { label: "qc.result", value: (i) => (i.passed ? App.t("qc.passed") : App.t("qc.failed")) },
        { label: "qc.reasons_col", value: (i) => (i.reasons || []).join("; "), cls: "concern" },
        { label: "qc.inspector", value: (i) => i.inspector },
      ],
      work.inspection_log || []
    )
  );
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!(await App.shell())) return;
  document.addEventListener("languagechange", render);
  document.getElementById("print").addEventListener("click", () => window.print());
  const ro = new URLSearchParams(location.search).get("ro");
  try {
    if (!ro) throw new Error(App.t("qccert.no_ro"));
    work = await App.call("workshop.ro.show", { ro_number: ro });
    render();
  } catch (err) {
    document.getElementById("cert-error").textContent = App.errorText(err);
  }
});
