#!/usr/bin/python3
"""web_reports.py — the monthly reports' screen in real headless Chromium,
driven by test_web_reports.sh, which started the dealership (kpi generated
last month's reports) and as-web, and had the service manager backfill,
submit late and correct the department's report of the month before (its
reason is markup). Environment: webtest.py's, LAST, BEFORE, OLDER (months)."""
import os

from webtest import XSS, Browser, asctl, check, done

LAST, BEFORE, OLDER = os.environ["LAST"], os.environ["BEFORE"], os.environ["OLDER"]


def row(b, month, kind):
    return b.find_all(f'#list tr[data-report="{month}|{kind}"]')


def figure(b, name):
    found = b.find_all(f'#figures tr[data-figure="{name}"] td')
    return [td.text for td in found]


def main():
    with Browser(1280, 800) as tablet:  # a 10" tablet, landscape
        tablet.sign_in_to("clerk-sun", "clerk-pass-1", "reports.html")
        tablet.wait(lambda d: row(tablet, LAST, "oem") and row(tablet, BEFORE, "department"))
        tablet.live()
        before = row(tablet, BEFORE, "department")[0].text
        check("the backfilled report: submitted late and corrected", "Submitted" in before and "Late" in before
              and "Corrected" in before and "svc-mgr" in before, before)
        last = row(tablet, LAST, "oem")[0].text
        check("last month's OEM report waits, due on the 5th", "Generated" in last and "-05" in last, last)

        # the OEM's report: its figures in their units, with formulas
        row(tablet, LAST, "oem")[0].find_element("css selector", "button").click()
        tablet.wait(lambda d: figure(tablet, "service sales"))
        check("the title", tablet.text("#title") == f"Monthly report to the OEM · {LAST}", tablet.text("#title"))
        sales = figure(tablet, "service sales")
        check("service sales in currency", sales[0] == "Service sales" and sales[1].endswith(" CNY"), sales)
        fill = figure(tablet, "parts fill rate")
        check("a rate in percent or not defined", fill[1].endswith("%") or fill[1] == "-", fill)
        check("with its formula", "lines filled at first pick" in fill[4] or "/" in fill[4], fill)
        check("the OEM's figures only", len(tablet.find_all("#figures tbody tr")) == 11)
        check("no raw cents", " cents" not in tablet.text("#figures"), tablet.text("#figures"))
        tablet.shot("reports-tablet")

        # submit: the state changes on the page and in kpi
        check("no Correct before submission", not tablet.find("#correct").is_displayed())
        tablet.click("#submit")
        tablet.wait(lambda d: "Submitted" in tablet.text("#f-state"))
        shown = asctl("clerk-sun", "kpi.monthly.show", "kind=oem", f"month={LAST}")
        check("kpi has it submitted by the clerk", shown["state"] == "submitted" and shown["submitted_by"] == "clerk-sun", shown)
        tablet.wait(lambda d: "Submitted" in row(tablet, LAST, "oem")[0].text)

        # a correction without a reason: kpi's refusal shown; with one: corrected
        tablet.click("#correct")
        tablet.wait(lambda d: tablet.text("#action-error"))
        check("the refusal says why", "reason is required" in tablet.text("#action-error"), tablet.text("#action-error"))
        tablet.type("#reason", "warranty claims restated by the OEM")
        tablet.click("#correct")
        tablet.wait(lambda d: "warranty claims restated" in tablet.text("#f-corrected"))
        check("no error after the correction", tablet.text("#action-error") == "", tablet.text("#action-error"))
        tablet.wait(lambda d: "Corrected" in row(tablet, LAST, "oem")[0].text)

        # a report generated elsewhere appears without a reload
        tablet.d.execute_script("window.__same_page = true")
        asctl("svc-mgr", "kpi.monthly.generate", "kind=oem", f"month={OLDER}")
        tablet.wait(lambda d: row(tablet, OLDER, "oem"))
        check("it appeared without a reload", tablet.d.execute_script("return window.__same_page === true"))

        # the corrected report whose reason is markup: shown as text
        row(tablet, BEFORE, "department")[0].find_element("css selector", "button").click()
        tablet.wait(lambda d: XSS in tablet.text("#f-corrected"))
        check("no element was made from markup", not tablet.find_all("main img"))
        check("no script ran from markup (no alert)", tablet.no_alert())
        check("the department's report: every figure", len(tablet.find_all("#figures tbody tr")) > 40)
        timely = figure(tablet, "monthly report timeliness")
        check("the report figures in the department's", timely and timely[0] == "Monthly report timeliness", timely)

        # print: the sheet alone
        tablet.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        check("the printed report has no header, list or buttons", not tablet.find("header").is_displayed()
              and not tablet.find(".reports-list").is_displayed() and not tablet.find("#print").is_displayed())
        check("but its figures", tablet.find("#figures").is_displayed())
        tablet.shot("reports-print")
        tablet.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    with Browser(1600, 1000) as desk:  # a desktop
        desk.sign_in_to("clerk-sun", "clerk-pass-1", "reports.html")
        desk.wait(lambda d: row(desk, LAST, "oem"))
        row(desk, LAST, "oem")[0].find_element("css selector", "button").click()
        desk.wait(lambda d: figure(desk, "service sales"))
        desk.shot("reports-desktop")
        desk.click("#lang")
        desk.wait(lambda d: "月度报表" in desk.text("header h1"))
        desk.wait(lambda d: figure(desk, "service sales") and figure(desk, "service sales")[0] != "Service sales")
        check("the badges in Chinese", "已更正" in row(desk, LAST, "oem")[0].text, row(desk, LAST, "oem")[0].text)
        desk.shot("reports-zh")
        desk.click("#lang")  # back to English for the next test's sign-in
    done()


if __name__ == "__main__":
    main()
