#!/usr/bin/python3
"""web_dispatch.py — dispatch on the foreman's board in real headless
Chromium, driven by test_web_dispatch.sh: RO's job 1 (concern markup) needs
T-GOOD and T-LOAN (on loan to tech-02), job 2 needs T-OVERDUE (calibration
due on DUE). Environment: webtest.py's, RO, DUE, TOMORROW, TODAY."""
import os

from selenium.webdriver.support.ui import Select

from webtest import XSS, Browser, asctl, check, done

RO = os.environ["RO"]
DUE = os.environ["DUE"]
TOMORROW = os.environ["TOMORROW"]
TODAY = os.environ["TODAY"]


def card(b, status, job_no):
    return b.find_all(f'.column[data-status="{status}"] li.job[data-ro="{RO}"][data-job="{job_no}"]')


def tool(b, tool_id):
    """The answer shown for a tool (read in one step: the list is redrawn live)."""
    return b.d.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText.replace(/\\s+/g, ' ') : ''",
        f'#dispatch-tools li[data-tool="{tool_id}"]')


def work_job(job_no):
    jobs = asctl("foreman-liu", "workshop.ro.show", f"ro_number={RO}")["jobs"]
    return next(j for j in jobs if j["job_no"] == job_no)


def choose(b, tech, bay):
    Select(b.find("#dispatch-tech")).select_by_value(tech)
    Select(b.find("#dispatch-bay")).select_by_value(bay)


def main():
    with Browser(1280, 800) as tablet:  # a 10" tablet, landscape
        tablet.sign_in_to("foreman-liu", "board-pass-1", "board.html")
        tablet.wait(lambda d: card(tablet, "WORK_WAITING", 2))
        tablet.live()
        concern = card(tablet, "WORK_WAITING", 1)[0].find_element("css selector", ".concern").text
        check("the concern is shown as text", concern == XSS, concern)
        check("no script ran from it (no alert)", tablet.no_alert())

        # job 2: its tool is out of calibration; the form says so before dispatching
        card(tablet, "WORK_WAITING", 2)[0].click()
        tablet.wait(lambda d: tool(tablet, "T-OVERDUE"))
        answer = tool(tablet, "T-OVERDUE")
        check("the overdue tool is shown not usable, with the reason",
              "not usable" in answer and f"out of calibration: it was due on {DUE}" in answer, answer)
        check("with its description", "torque wrench" in answer, answer)
        choose(tablet, "tech-01", "B1")
        tablet.shot("dispatch-tablet")
        # the Chinese page words the reason from its code, with the due day put in
        tablet.click("#lang")
        tablet.wait(lambda d: "不可用" in tool(tablet, "T-OVERDUE"))
        answer = tool(tablet, "T-OVERDUE")
        check("on the Chinese page the reason is in Chinese", f"该工具校准已过期：应于 {DUE} 校准" in answer, answer)
        check("no English words of the daemon's sentence left",
              not any(w in answer for w in ("which", "calibration", "due on", "out of")), answer)
        bays = tablet.text("#bays")
        check("the bays' kinds in Chinese, a general bay's too", "B1 · 举升机" in bays and "B2 · 通用工位" in bays, bays)
        tablet.shot("dispatch-reason-zh")
        tablet.click("#lang")
        tablet.wait(lambda d: "not usable" in tool(tablet, "T-OVERDUE"))
        check("back on the English page the English reason",
              f"which is out of calibration: it was due on {DUE}" in tool(tablet, "T-OVERDUE"), tool(tablet, "T-OVERDUE"))
        tablet.click("#dispatch-send")
        tablet.wait(lambda d: tablet.text("#dispatch-error") != "")
        error = tablet.text("#dispatch-error")
        check("the workshop's refusal is shown", f"needs special tool 'T-OVERDUE', which is out of calibration" in error,
              error)
        check("job 2 still waits", work_job(2)["status"] == "WORK_WAITING")
        tablet.shot("dispatch-refused")

        # the tool room calibrates it: the open form turns it available, live
        asctl("tool-xu", "tools.calibration.record", "tool_id=T-OVERDUE", f"date={TODAY}", "result=pass",
              "certificate=C-1")
        tablet.wait(lambda d: "available" in tool(tablet, "T-OVERDUE"))
        check("the calibrated tool is available on the open form", "not usable" not in tool(tablet, "T-OVERDUE"),
              tool(tablet, "T-OVERDUE"))
        tablet.click("#dispatch-cancel")
        tablet.wait(lambda d: not tablet.find("#dispatch").is_displayed())

        # job 1: one tool in the room, one on loan (a note), dispatched with the note
        card(tablet, "WORK_WAITING", 1)[0].click()
        tablet.wait(lambda d: tool(tablet, "T-LOAN") and tool(tablet, "T-GOOD"))
        check("the tool in the room is available", tool(tablet, "T-GOOD").startswith("available"), tool(tablet, "T-GOOD"))
        loan = tool(tablet, "T-LOAN")
        check("the tool on loan gets a note naming who has it", "note" in loan and "on loan to tech-02" in loan
              and TOMORROW in loan, loan)
        tablet.click("#lang")
        tablet.wait(lambda d: "已借给" in tool(tablet, "T-LOAN"))
        loan = tool(tablet, "T-LOAN")
        check("on the Chinese page the loan's note is in Chinese, naming who has it and when it is due",
              "专用工具“T-LOAN”已借给 tech-02" in loan and TOMORROW in loan and "归还" in loan, loan)
        check("no English words of the note left", not any(w in loan for w in ("on loan", "special tool", "due ")), loan)
        tablet.shot("dispatch-note-zh")
        tablet.click("#lang")
        tablet.wait(lambda d: "on loan to tech-02" in tool(tablet, "T-LOAN"))
        choose(tablet, "tech-01", "B1")
        tablet.click("#dispatch-send")
        tablet.wait(lambda d: card(tablet, "WORK_DISPATCHED", 1) or tablet.text("#dispatch-error"))
        check("no refusal", tablet.text("#dispatch-error") == "", tablet.text("#dispatch-error"))
        tablet.wait(lambda d: card(tablet, "WORK_DISPATCHED", 1))
        result = tablet.text("#dispatch-result")
        check("the dispatch is confirmed with the loan's note", "tech-01" in result and "on loan to tech-02" in result,
              result)
        job = work_job(1)
        check("the workshop has job 1 dispatched to tech-01 in B1",
              (job["status"], job.get("technician"), job.get("bay")) == ("WORK_DISPATCHED", "tech-01", "B1"), job)
        check("the form closed", not tablet.find("#dispatch").is_displayed())
        notes = lambda: tablet.text(f'.column[data-status="WORK_DISPATCHED"] li.job[data-ro="{RO}"][data-job="1"] .tool-notes')
        check("the dispatched card keeps the loan's note", "on loan to tech-02" in notes(), notes())
        tablet.click("#lang")
        tablet.wait(lambda d: "已借给" in notes())
        check("the card's note in Chinese on the Chinese page", "on loan" not in notes() and "已借给 tech-02" in notes(),
              notes())
        tablet.shot("dispatch-card-note-zh")
        tablet.click("#lang")
        tablet.wait(lambda d: "on loan to tech-02" in notes())

        # B1 is taken now: job 2's form offers only B2
        card(tablet, "WORK_WAITING", 2)[0].click()
        tablet.wait(lambda d: tablet.find("#dispatch").is_displayed() and tool(tablet, "T-OVERDUE"))
        b1 = tablet.find('#dispatch-bay option[value="B1"]')
        check("the occupied bay cannot be chosen", not b1.is_enabled(), b1.text)
        tablet.click("#lang")
        tablet.wait(lambda d: tablet.text("#dispatch-send") == "派工")
        tablet.shot("dispatch-zh")
        tablet.click("#lang")

    with Browser(1600, 1000) as desktop:
        desktop.sign_in_to("foreman-liu", "board-pass-1", "board.html")
        desktop.wait(lambda d: card(desktop, "WORK_WAITING", 2))
        card(desktop, "WORK_WAITING", 2)[0].click()
        desktop.wait(lambda d: "available" in tool(desktop, "T-OVERDUE"))
        desktop.shot("dispatch-desktop")
        desktop.click("#lang")
        desktop.wait(lambda d: "已借给" in desktop.text(f'li.job[data-ro="{RO}"][data-job="1"] .tool-notes'))
        desktop.shot("dispatch-desktop-zh")
        desktop.click("#lang")
    done()


main()
