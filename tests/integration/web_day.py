#!/usr/bin/python3
"""web_day.py — the dealership's day in three browser sessions open at once,
driven by test_web_day.sh, which started the dealership and as-web and keyed
in the master data and the customer 王小明 with his car (VIN, plate 鲁B12345).
Everything else is done on the pages, each by its member:

  advisor   — adv-wang on the counter (a 10" tablet) the whole day
  desk      — a second tablet, signed out and in again by each member in
              turn: the front-desk manager, tech-01 (PIN), the warehouse
              keeper, tech-01 again, QC, and at night the service manager
  board     — the foreman's board on a desktop, open the whole day: it must
              follow every step live, never reloaded

Environment: webtest.py's, VIN, DAY (today, YYYY-MM-DD, the site's date)."""
import json
import os
import subprocess

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import Select, WebDriverWait

import webtest
from webtest import XSS, Browser, asctl, check, done

VIN = os.environ["VIN"]
DAY = os.environ["DAY"]
SAME = "return window.__same_page === true"


def money(cents):
    """As App.money shows an amount of the site (currency CNY)."""
    return webtest.money(cents, "CNY")


class Page(Browser):
    """Every list is redrawn when an event arrives: an element found a moment
    before may be gone; waits and reads look again."""

    def wait(self, condition, timeout=30):
        return WebDriverWait(self.d, timeout, ignored_exceptions=[StaleElementReferenceException]).until(condition)

    def text(self, css):
        """The element's text as the page has it now ('' if none), in one step."""
        return self.d.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css)

    def press(self, css):
        """Clicks css as it is now (a redrawn row's button is a new element)."""
        self.wait(lambda d: d.execute_script(
            "const e = document.querySelector(arguments[0]); if (!e || e.disabled) return false;"
            " e.click(); return true;", css))

    def has(self, css):
        return bool(self.find_all(css))

    def mark(self):
        """Marks the page: the mark survives only as long as the page is not reloaded."""
        self.d.execute_script("window.__same_page = true")

    def sign_out(self):
        self.click("#signout")
        self.wait(lambda d: d.current_url.endswith("/index.html"))

    def sign_in_home(self, staff, secret, page):
        """Signs in; the member lands on his home screen, PAGE."""
        self.sign_in(staff, secret)
        self.wait(lambda d: d.current_url.endswith("/" + page))
        self.live()


def card(b, status, ro):
    """The board's card of the RO's job 1 in the column of STATUS."""
    return f'.column[data-status="{status}"] li.job[data-ro="{ro}"][data-job="1"]'


def on_board(board, status, ro, what):
    board.wait(lambda d: board.has(card(board, status, ro)))
    check(f"the board shows the job {what} without a reload", board.d.execute_script(SAME))


def tab(b, name):
    b.press(f'#tabs [data-tab="{name}"]')
    b.wait(lambda d: b.find(f'.counter-panel[data-panel="{name}"]').is_displayed())


def kpi_report():
    args = [os.environ["ASCTL"], "--config", os.environ["CONFIG"], "--actor", "svc-mgr", "kpi", "report",
            "--month", DAY[:7], "--day", DAY, "--json"]
    r = json.loads(subprocess.run(args, check=True, stdout=subprocess.PIPE, text=True).stdout)
    row = next(x for x in r["rows"] if x["key"] == "department")
    return {f["name"]: f for f in row["figures"]}


def shown(f):
    """A figure as the dashboard must show it (asctl kpi report's human rule)."""
    return webtest.kpi_shown(f, "CNY")


def figure(b, name):
    return b.text(f'.dash-figure[data-figure="{name}"] .dash-value')


def the_day(advisor, desk, board):
    # the foreman's board is open all day (a desktop by the workshop door)
    board.sign_in_home("foreman-liu", "board-pass-1", "board.html")
    board.mark()
    board.shot("day-00-board-morning")

    # 1. the advisor finds the customer by plate and opens an RO from the menu
    advisor.sign_in_home("adv-wang", "counter-pass-1", "counter.html")
    advisor.mark()
    advisor.type("#search", "B12345")
    advisor.click("#search-go")
    advisor.wait(lambda d: advisor.text("#card-plate") == "鲁B12345")
    check("the card names the owner", advisor.text("#card-owner") == "王小明", advisor.text("#card-owner"))
    check("and the car", advisor.text("#card-vin") == VIN, advisor.text("#card-vin"))
    advisor.shot("day-01-counter-vehicle")
    advisor.click("#card-open")
    advisor.wait(lambda d: advisor.has('#ops button[data-code="EN-TIM"]'))
    advisor.type("#open-mileage", "60200")
    advisor.click('#ops button[data-code="EN-TIM"]')
    advisor.wait(lambda d: advisor.has("#jobs .job-line"))
    advisor.type("#jobs .part-search", "timing")
    advisor.click("#jobs .part-find button")
    advisor.wait(lambda d: advisor.has('#jobs button.part-hit[data-part="P-TIMKIT"]'))
    advisor.click('#jobs button.part-hit[data-part="P-TIMKIT"]')
    estimate = 240 * 36000 // 60 + 480000
    advisor.wait(lambda d: advisor.text("#estimate-preview") == money(estimate))
    advisor.shot("day-02-counter-estimate")
    advisor.click("#open-submit")
    advisor.wait(lambda d: advisor.find("#opened").is_displayed())
    ro_number = advisor.text("#opened-ro")
    ro = asctl("adv-wang", "reception.ro.show", f"ro_number={ro_number}")
    check("reception has the RO from the menu with its part",
          ro["vin"] == VIN and ro["jobs"][0]["labour"]["code"] == "EN-TIM"
          and ro["jobs"][0]["parts"][0]["part_number"] == "P-TIMKIT", ro)
    check("above the advisor's authority it waits for approval",
          ro["status"] == "RO_AWAITING_APPROVAL" and advisor.text("#opened-status") == "Waiting for approval",
          (ro["status"], advisor.text("#opened-status")))
    check("the estimate shown is reception's", advisor.text("#opened-estimate") == money(ro["estimate_cents"])
          == money(estimate), advisor.text("#opened-estimate"))
    advisor.shot("day-03-counter-awaiting-approval")

    # 2. the front-desk manager approves on her own tablet
    desk.sign_in_home("fdm-li", "desk-pass-1", "frontdesk.html")
    row = f'#approvals tr[data-ro="{ro_number}"]'
    desk.wait(lambda d: desk.has(row))
    check("the approval names the advisor and the estimate",
          "adv-wang" in desk.text(row) and money(estimate) in desk.text(row), desk.text(row))
    desk.shot("day-04-frontdesk-approval")
    desk.press(row + " button")
    desk.wait(lambda d: not desk.has(row))
    check("no error on approval", desk.text("#approve-error") == "", desk.text("#approve-error"))
    advisor.wait(lambda d: advisor.has("#opened-consent button.consent-signature"))
    check("the approval reached the advisor's page live",
          advisor.text("#opened-status") == "Waiting for the customer's consent"
          and advisor.d.execute_script(SAME), advisor.text("#opened-status"))
    check("reception has it approved by fdm-li",
          asctl("adv-wang", "reception.ro.show", f"ro_number={ro_number}").get("approved_by") == "fdm-li")
    advisor.shot("day-05-counter-approved")
    advisor.press("#opened-consent button.consent-signature")
    advisor.wait(lambda d: advisor.text("#opened-status") == "In the workshop")
    check("reception has the consent",
          asctl("adv-wang", "reception.ro.show", f"ro_number={ro_number}").get("consent") == "signature")

    # 3. the job arrives on the board live; the foreman dispatches it there
    on_board(board, "WORK_WAITING", ro_number, "waiting")
    board.shot("day-06-board-waiting")
    board.press(card(board, "WORK_WAITING", ro_number))
    board.wait(lambda d: board.find("#dispatch").is_displayed()
               and board.find_all('#dispatch-tech option[value="tech-01"]')
               and board.find_all('#dispatch-bay option[value="B1"]'))
    Select(board.find("#dispatch-tech")).select_by_value("tech-01")
    Select(board.find("#dispatch-bay")).select_by_value("B1")
    board.shot("day-07-board-dispatch")
    board.click("#dispatch-send")
    board.wait(lambda d: board.has(card(board, "WORK_DISPATCHED", ro_number)) or board.text("#dispatch-error"))
    check("no refusal of the dispatch", board.text("#dispatch-error") == "", board.text("#dispatch-error"))
    job = asctl("foreman-liu", "workshop.ro.show", f"ro_number={ro_number}")["jobs"][0]
    check("the workshop has it dispatched to tech-01 in B1",
          (job["status"], job.get("technician"), job.get("bay")) == ("WORK_DISPATCHED", "tech-01", "B1"), job)
    board.shot("day-08-board-dispatched")

    # 4. tech-01 on the shared tablet: the job, clock on
    desk.sign_out()
    desk.sign_in_home("tech-01", "2468", "tablet.html")
    mine = f'li.tjob[data-ro="{ro_number}"]'
    desk.wait(lambda d: desk.has(mine))
    check("the tablet shows the job with its operation", "EN-TIM" in desk.text(mine), desk.text(mine))
    desk.shot("day-09-tablet-job")
    desk.press(mine + " .tjob-on")
    desk.wait(lambda d: desk.has(mine + '[data-status="WORK_IN_PROGRESS"] .tjob-done'))
    on_board(board, "WORK_IN_PROGRESS", ro_number, "in progress")
    check("the board shows tech-01 at work on the RO", ro_number in board.text("#technicians"),
          board.text("#technicians"))
    board.shot("day-10-board-in-progress")

    # 5. the technician fetches the kit: the warehouse keeper issues it to the job
    # (the invoice charges the parts issued to the RO when QC passes it)
    desk.sign_out()
    desk.sign_in_home("wh-zhou", "parts-pass-1", "parts.html")
    desk.type("#search-text", "P-TIMKIT")
    desk.click('#search button[type="submit"]')
    desk.wait(lambda d: desk.has('#hits tbody tr[data-part="P-TIMKIT"] button'))
    desk.press('#hits tbody tr[data-part="P-TIMKIT"] button')
    desk.wait(lambda d: desk.find("#issue-ro").is_displayed())
    desk.type("#issue-ro", ro_number)
    desk.type("#issue-job", "1")
    desk.type("#issue-qty", "1")
    desk.type("#issue-tech", "tech-01")
    desk.click("#issue-go")
    desk.wait(lambda d: ro_number in desk.text("#issue-done") or desk.text("#issue-error"))
    check("no error on the issue", desk.text("#issue-error") == "", desk.text("#issue-error"))
    desk.wait(lambda d: "tech-01" in desk.text("#ro-parts"))
    issues = asctl("wh-zhou", "parts.ro.show", f"ro_number={ro_number}").get("issues", [])
    check("parts has the kit issued to job 1 for tech-01",
          [(i["part_number"], i["quantity"], i["job_no"], i["technician"]) for i in issues]
          == [("P-TIMKIT", 1, 1, "tech-01")], issues)
    desk.shot("day-11-parts-issued")

    # 4'. back on the tablet: clock off, done
    desk.sign_out()
    desk.sign_in_home("tech-01", "2468", "tablet.html")
    desk.wait(lambda d: desk.has(mine + '[data-status="WORK_IN_PROGRESS"] .tjob-done'))
    desk.press(mine + " .tjob-done")
    desk.wait(lambda d: not desk.has(mine))
    on_board(board, "WORK_DONE", ro_number, "waiting for QC")
    board.shot("day-12-board-qc")

    # 6. QC passes it; the certificate shows the pass
    desk.sign_out()
    desk.sign_in_home("qc-ma", "qc-pass-1", "qc.html")
    due = f'#due li[data-ro="{ro_number}"]'
    desk.wait(lambda d: desk.has(due))
    desk.press(due)
    desk.wait(lambda d: desk.has('#inspect-jobs tr[data-job="1"]') and desk.find("#pass").is_displayed())
    desk.click("#pass")
    desk.wait(lambda d: desk.has(f'#passed li[data-ro="{ro_number}"]'))
    check("the workshop has the job QC-passed",
          asctl("qc-ma", "workshop.ro.show", f"ro_number={ro_number}")["jobs"][0]["status"] == "WORK_QC_PASSED")
    desk.shot("day-13-qc-passed")
    board.wait(lambda d: not board.has(f'li.job[data-ro="{ro_number}"]'))
    check("the passed job left the board without a reload", board.d.execute_script(SAME))
    desk.wait(lambda d: desk.find("#cert-link").is_displayed())
    desk.d.get(desk.find("#cert-link").get_attribute("href"))
    desk.wait(lambda d: desk.text("#cert-result") != "")
    check("the certificate shows the pass", desk.text("#cert-result") == "Passed final inspection",
          desk.text("#cert-result"))
    check("for the RO and the car", desk.text("#cert-ro") == ro_number and desk.text("#cert-vin") == VIN)
    check("by tech-01, inspected by qc-ma",
          "tech-01" in desk.text("#cert-jobs") and desk.text("#cert-inspector") == "qc-ma")
    desk.shot("day-14-qc-certificate")

    # 7. Ready on the advisor's counter live; delivered; the invoice
    tab(advisor, "ready")
    ready = f'#ready tr[data-ro="{ro_number}"]'
    advisor.wait(lambda d: advisor.has(ready))
    check("the ready RO reached the counter without a reload", advisor.d.execute_script(SAME))
    advisor.shot("day-15-counter-ready")
    advisor.press(ready + " button.deliver-go")
    advisor.wait(lambda d: advisor.find("#delivered").is_displayed())
    ro = asctl("adv-wang", "reception.ro.show", f"ro_number={ro_number}")
    inv = ro.get("invoice", {})
    check("reception has it delivered", ro["status"] == "RO_DELIVERED", ro["status"])
    check("the page shows the invoice's total", advisor.text("#delivered-total") == money(inv.get("total_cents", 0)),
          advisor.text("#delivered-total"))
    advisor.click("#delivered-invoice")
    advisor.wait(lambda d: len(d.window_handles) == 2)
    advisor.d.switch_to.window(advisor.d.window_handles[1])
    advisor.wait(lambda d: d.current_url.endswith("invoice.html?ro=" + ro_number) and advisor.find("#doc").is_displayed()
                 and advisor.text("#totals tr.total td") != "")
    check("the invoice names the RO", advisor.text("#ro") == ro_number)
    for cls, key in (("labour", "labour_cents"), ("parts", "parts_cents"), ("total", "total_cents"),
                     ("customer-pays", "customer_pay_cents")):
        got = advisor.text(f"#totals tr.{cls} td")
        check(f"invoice {cls} = reception.ro.show's {key}", got == money(inv.get(key, 0)), f"{got} vs {inv.get(key)}")
    check("labour is the menu's four hours at the rate, parts the kit issued",
          inv.get("labour_cents") == 144000 and inv.get("parts_cents") == 480000, inv)
    advisor.shot("day-16-invoice")
    advisor.d.close()
    advisor.d.switch_to.window(advisor.d.window_handles[0])

    # 8. at night the service manager's dashboard of the day equals asctl kpi report
    desk.sign_out()
    desk.sign_in_home("svc-mgr", "manager-pass-1", "dashboard.html")
    desk.open(f"dashboard.html?month={DAY[:7]}&day={DAY}")
    desk.wait(lambda d: figure(desk, "vehicles handed over") == "1")
    desk.live()

    def wrong():
        want = kpi_report()
        return [f"{n}: page {figure(desk, n)!r}, asctl {shown(f)!r}" for n, f in want.items()
                if figure(desk, n) != shown(f)]
    try:  # kpi may still be applying the last events: the page is read again on them
        desk.wait(lambda d: not wrong(), timeout=15)
    except Exception:
        pass
    bad = wrong()
    check("every figure of the day equals asctl kpi report --json", not bad, "; ".join(bad))
    want = kpi_report()
    for name, value in (("vehicles handed over", "1"), ("sold hours", "4.00 h"),
                        ("service sales", None), ("first-time-fix rate", None)):
        got = figure(desk, name)
        check(f"{name}: {got}", got == shown(want[name]) and (value is None or got == value) and got != "-",
              f"{got} vs {shown(want[name])}")
    desk.shot("day-17-dashboard")
    desk.click("#lang")
    desk.wait(lambda d: desk.text("#live") == "实时")
    desk.shot("day-18-dashboard-zh")
    board.click("#lang")
    board.wait(lambda d: board.text("#live") == "实时")
    board.shot("day-19-board-evening-zh")
    check("no script ran anywhere (no alert)", advisor.no_alert() and desk.no_alert() and board.no_alert())
    check("the board was never reloaded all day", board.d.execute_script(SAME))


def main():
    with Page(1280, 800) as advisor, Page(1280, 800) as desk, Page(1600, 1000) as board:
        try:
            the_day(advisor, desk, board)
        except Exception:
            for name, b in (("advisor", advisor), ("desk", desk), ("board", board)):
                b.shot(f"day-failure-{name}")
                print(f"{name} at failure:", b.d.current_url, b.text("main")[:2000], flush=True)
            raise
    done()


main()
