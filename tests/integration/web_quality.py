#!/usr/bin/python3
"""web_quality.py — the quality screen in real headless Chromium, driven by
test_web_quality.sh, which started the dealership and as-web, delivered RO-Q1
today and opened its comeback RO-Q2 (the concern is markup), and created two
actions: QA-0001 overdue, QA-0002 due in a week (its text is markup).
Environment: webtest.py's, DUE and ITEM_DUE (dates ahead, for the forms)."""
import os

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import Select

from webtest import XSS, Browser, asctl, check, done

DUE = os.environ["DUE"]
ITEM_DUE = os.environ["ITEM_DUE"]


def rows(b, css):
    return b.find_all(css)


def action_ids(b):
    return b.d.execute_script(
        "return [...document.querySelectorAll('#actions tr[data-action]')].map((r) => r.dataset.action)")


def action_row(b, aid):
    found = b.find_all(f'#actions tr[data-action="{aid}"]')
    return found[0] if found else None


def action_text(b, aid):
    """The row's text as shown now ('' while it is re-drawn or absent)."""
    try:
        row = action_row(b, aid)
        return row.text if row else ""
    except StaleElementReferenceException:
        return ""


def main():
    with Browser(1280, 800) as tablet:  # a 10" tablet, landscape
        tablet.sign_in_to("fdm-li", "desk-pass-1", "quality.html")
        tablet.wait(lambda d: tablet.find_all('#comebacks tr[data-ro="RO-Q2"]') and action_ids(tablet))
        tablet.live()
        # the month's analysis: RO-Q1 delivered, RO-Q2 came back: 1 / 1 = 100 %
        check("the rate with its formula", tablet.text("#rate") == "100.0%", tablet.text("#rate"))
        check("the formula written out", "comebacks / ROs delivered = 1 / 1" in tablet.text("#rate-formula"),
              tablet.text("#rate-formula"))
        check("by operation: EN-01", "EN-01" in tablet.text("#by-operation"), tablet.text("#by-operation"))
        check("by technician: tech-01, 1 of 1 delivered", "tech-01 1 1 100.0%" in tablet.text("#by-technician"),
              tablet.text("#by-technician"))
        row = tablet.find('#comebacks tr[data-ro="RO-Q2"]').text
        check("the comeback with its earlier RO", "RO-Q1" in row, row)
        check("its concern that is markup shown as text", XSS in row, row)
        check("no element was made from markup", not tablet.find_all("main img"))

        # the actions: the overdue one first and highlighted
        ids = action_ids(tablet)
        check("QA-0001 (overdue) is listed first", ids[:2] == ["QA-0001", "QA-0002"], ids)
        check("and highlighted", "overdue" in action_row(tablet, "QA-0001").get_attribute("class"))
        check("QA-0002's text that is markup shown as text", XSS in action_row(tablet, "QA-0002").text)
        check("no script ran from markup (no alert)", tablet.no_alert())
        tablet.shot("quality-tablet")

        # the cause recorded on the page: reception and kpi have it
        cell = tablet.find('#comebacks tr[data-ro="RO-Q2"]')
        Select(cell.find_element("css selector", "select")).select_by_value("misdiagnosis")
        cell.find_element("css selector", "button").click()
        tablet.wait(lambda d: "Misdiagnosis 1" in tablet.text("#by-cause"))
        check("no error on the cause", tablet.text("#cause-error") == "", tablet.text("#cause-error"))
        check("reception has the cause", asctl("fdm-li", "reception.ro.show", "ro_number=RO-Q2")
              .get("comeback_cause") == "misdiagnosis")

        # cancelling without a reason: the service's refusal is shown
        action_row(tablet, "QA-0002").find_element("css selector", 'button[data-status="QA_CANCELLED"]').click()
        tablet.wait(lambda d: tablet.text("#action-error") != "")
        check("a cancellation needs a reason", "a cancellation needs a reason" in tablet.text("#action-error"),
              tablet.text("#action-error"))
        # QA-0001 started, then done: it leaves the top for the closed ones at the bottom
        action_row(tablet, "QA-0001").find_element("css selector", 'button[data-status="QA_IN_PROGRESS"]').click()
        tablet.wait(lambda d: "In progress" in action_text(tablet, "QA-0001"))
        action_row(tablet, "QA-0001").find_element("css selector", 'button[data-status="QA_DONE"]').click()
        tablet.wait(lambda d: action_ids(tablet)[-1:] == ["QA-0001"])
        qa = asctl("fdm-li", "reception.quality_action.show", "action_id=QA-0001")
        check("reception has QA-0001 done by fdm-li", (qa["status"], qa.get("updated_by")) == ("QA_DONE", "fdm-li"), qa)

        # a new action from the form
        Select(tablet.find("#action-kind")).select_by_value("preventive")
        tablet.type("#action-what", "check the coil on every misfire")
        tablet.type("#action-owner", "tech-01")
        tablet.type("#action-due", DUE)
        tablet.type("#action-ros", "RO-Q2")
        tablet.click("#action-form button[type=submit]")
        tablet.wait(lambda d: action_row(tablet, "QA-0003"))
        qa = asctl("fdm-li", "reception.quality_action.show", "action_id=QA-0003")
        check("reception has QA-0003 as typed", (qa["kind"], qa["owner"], qa["due_date"], qa.get("comeback_ros")) ==
              ("preventive", "tech-01", DUE, ["RO-Q2"]), qa)

        # an action created elsewhere appears without a reload
        tablet.d.execute_script("window.__same_page = true")
        asctl("foreman-liu", "reception.quality_action.create", "action_id=QA-L1", "kind=corrective",
              "what=torque check", "owner=tech-01", f"due_date={DUE}")
        tablet.wait(lambda d: action_row(tablet, "QA-L1"))
        check("it appeared without a reload", tablet.d.execute_script("return window.__same_page === true"))

        # a meeting with two action items
        tablet.type("#meeting-attendees", "fdm-li, foreman-liu")
        tablet.type("#meeting-topics", "this month's comeback")
        tablet.click("#meeting-add-item")
        items = tablet.find_all("#meeting-items .quality-item")
        check("two item rows", len(items) == 2, len(items))
        for item, (what, owner) in zip(items, [("retrain on misfire diagnosis", "foreman-liu"),
                                               ("call the customer back in a week", "fdm-li")]):
            item.find_element("css selector", ".item-what").send_keys(what)
            item.find_element("css selector", ".item-owner").send_keys(owner)
            item.find_element("css selector", ".item-due").send_keys(ITEM_DUE)
        tablet.click("#meeting-form button[type=submit]")
        tablet.wait(lambda d: tablet.find_all("#meetings tr[data-meeting]"))
        check("no error on the meeting", tablet.text("#meeting-error") == "", tablet.text("#meeting-error"))
        mid = tablet.find("#meetings tr[data-meeting]").get_attribute("data-meeting")
        m = asctl("fdm-li", "reception.quality_meeting.show", f"meeting_id={mid}")
        check("reception has the meeting with its two items",
              [(a["what"], a["owner"], a["due_date"], a["meeting_id"]) for a in m.get("actions", [])] ==
              [("retrain on misfire diagnosis", "foreman-liu", ITEM_DUE, mid),
               ("call the customer back in a week", "fdm-li", ITEM_DUE, mid)], m)
        tablet.wait(lambda d: action_row(tablet, "QA-0005"))
        tablet.d.execute_script("document.getElementById('actions-panel').scrollIntoView()")
        tablet.shot("quality-tablet-actions")
        tablet.d.execute_script("document.getElementById('meetings-panel').scrollIntoView()")
        tablet.shot("quality-tablet-meetings")

        tablet.click("#lang")
        tablet.wait(lambda d: tablet.text("#analysis-panel h2").startswith("返修统计分析"))
        check("the cause in Chinese", "误诊" in tablet.text("#by-cause"), tablet.text("#by-cause"))
        tablet.shot("quality-zh")
        tablet.click("#lang")

    with Browser(1600, 1000) as desktop:  # the foreman reads it with the front-desk manager
        desktop.sign_in_to("foreman-liu", "foreman-pass-1", "quality.html")
        desktop.wait(lambda d: desktop.find_all('#comebacks tr[data-ro="RO-Q2"]'))
        check("the foreman sees the analysis", desktop.text("#rate") == "100.0%", desktop.text("#rate"))
        check("but not the meeting form", not desktop.find("#meeting-form").is_displayed())
        check("nor the cause to record", not desktop.find_all('#comebacks tr[data-ro="RO-Q2"] select'))
        desktop.shot("quality-desktop")
    done()


main()
