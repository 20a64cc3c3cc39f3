#!/usr/bin/python3
"""web_qc.py — the QC inspector's screen and the QC certificate in real
headless Chromium, driven by test_web_qc.sh, which started the dealership
and as-web and has tech-01 clocked on RO's job 1 (its concern is markup).
Environment: webtest.py's, RO, VIN."""
import os

from webtest import XSS, Browser, asctl, check, done

RO = os.environ["RO"]
VIN = os.environ["VIN"]


def item(b, listing):
    return b.find_all(f'#{listing} li[data-ro="{RO}"]')


def job_status():
    return asctl("qc-ma", "workshop.ro.show", f"ro_number={RO}")["jobs"][0]["status"]


def main():
    with Browser(1280, 800) as tablet:  # a 10" tablet, landscape
        tablet.sign_in("qc-ma", "qc-pass-1")
        tablet.wait(lambda d: d.current_url.endswith("/qc.html") and tablet.text("#due-count") != "")
        tablet.live()
        check("the job in progress is not due", not item(tablet, "due"))

        # the technician finishes elsewhere: the RO appears in "due" live
        tablet.d.execute_script("window.__same_page = true")
        asctl("tech-01", "workshop.clock.off", f"ro_number={RO}", "job_no=1", "finished=true")
        tablet.wait(lambda d: item(tablet, "due"))
        check("it appeared without a reload", tablet.d.execute_script("return window.__same_page === true"))
        text = item(tablet, "due")[0].find_element("css selector", ".concern").text
        check("the concern is shown as text", text == "1. " + XSS, text)
        check("no element was made from it", not tablet.find_all("main img"))
        check("no script ran from it (no alert)", tablet.no_alert())
        item(tablet, "due")[0].click()
        tablet.wait(lambda d: tablet.find_all('#inspect-jobs tr[data-job="1"]'))
        check("the inspection shows the vehicle", VIN in tablet.text("#inspect-vehicle"), tablet.text("#inspect-vehicle"))
        tablet.shot("qc-tablet")

        # fail without a reason: the service's refusal is shown
        tablet.click("#fail")
        tablet.wait(lambda d: tablet.text("#inspect-error") != "")
        check("a fail without reason is refused", "needs at least one reason" in tablet.text("#inspect-error"),
              tablet.text("#inspect-error"))
        # fail with a reason: back as rework
        tablet.type("#reasons", "brake pedal soft after pads")
        tablet.click("#fail")
        tablet.wait(lambda d: item(tablet, "rework"))
        check("the RO is shown as rework", "1" in item(tablet, "rework")[0].find_element("css selector", ".rework-jobs").text)
        check("no longer due", not item(tablet, "due"))
        check("the result says rework", "Failed" in tablet.text("#inspect-result"), tablet.text("#inspect-result"))
        tablet.wait(lambda d: "brake pedal soft after pads" in tablet.text("#inspect-log"))
        check("the workshop has the job as rework", job_status() == "WORK_REWORK", job_status())
        tablet.shot("qc-rework")

        # the technician redoes it: due again, live; QC passes it
        asctl("tech-01", "workshop.clock.on", f"ro_number={RO}", "job_no=1")
        asctl("tech-01", "workshop.clock.off", f"ro_number={RO}", "job_no=1", "finished=true")
        tablet.wait(lambda d: item(tablet, "due"))
        item(tablet, "due")[0].click()
        tablet.wait(lambda d: "Waiting for QC" in tablet.text("#inspect-jobs"))
        tablet.click("#pass")
        tablet.wait(lambda d: item(tablet, "passed"))
        check("the result names the certificate", f"QC-{RO}-2" in tablet.text("#inspect-result"),
              tablet.text("#inspect-result"))
        check("the workshop has the job QC-passed", job_status() == "WORK_QC_PASSED", job_status())
        tablet.wait(lambda d: tablet.find("#cert-link").is_displayed())
        href = tablet.find("#cert-link").get_attribute("href")
        check("the certificate link names the RO", href.endswith(f"qccert.html?ro={RO}"), href)

        tablet.click("#lang")
        tablet.wait(lambda d: tablet.text(".qc-lists h2").startswith("待质检"))
        check("a passed RO offers no more inspection", not tablet.find("#pass").is_displayed())
        tablet.shot("qc-zh")
        tablet.click("#lang")

        # the certificate, printable
        tablet.d.get(href)
        tablet.wait(lambda d: tablet.text("#cert-number") == f"QC-{RO}-2")
        check("the certificate says passed", tablet.text("#cert-result") == "Passed final inspection",
              tablet.text("#cert-result"))
        check("with the RO and the vehicle", tablet.text("#cert-ro") == RO and tablet.text("#cert-vin") == VIN)
        check("the inspector", tablet.text("#cert-inspector") == "qc-ma", tablet.text("#cert-inspector"))
        when = tablet.text("#cert-time")
        check("the time as a local date and time", len(when) == 16 and when[4] == "-" and when[13] == ":", when)
        jobs = tablet.text("#cert-jobs")
        check("the job, its technician and its concern as text",
              "tech-01" in jobs and XSS in jobs and "replace brake pads" in jobs, jobs)
        check("the failed inspection is in its history", "brake pedal soft after pads" in tablet.text("#cert-log"))
        check("a print button", tablet.find("#print").is_displayed())
        tablet.shot("qccert-tablet")
        tablet.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        check("printed without the header", not tablet.find("header").is_displayed())
        tablet.shot("qccert-print")

    with Browser(1600, 1000) as desktop:
        desktop.sign_in("qc-ma", "qc-pass-1")
        desktop.wait(lambda d: d.current_url.endswith("/qc.html") and item(desktop, "passed"))
        item(desktop, "passed")[0].click()
        desktop.wait(lambda d: desktop.find_all('#inspect-jobs tr[data-job="1"]'))
        desktop.shot("qc-desktop")
    done()


main()
