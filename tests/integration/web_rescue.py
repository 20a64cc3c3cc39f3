#!/usr/bin/python3
"""web_rescue.py — road rescue on the advisor's counter and the foreman's
board in real headless Chromium, driven by test_web_rescue.sh, which started
the dealership and as-web, registered customer C1 with vehicle VIN, technician
tech-01 and opened RO-R1. Environment: webtest.py's, VIN."""
import os

from webtest import XSS, Browser, asctl, check, done, money

VIN = os.environ["VIN"]


def row(b, rid):
    found = b.find_all(f'#rescue-list tr[data-rescue="{rid}"]')
    return found[0] if found else None


def state_of(b, rid):
    """The row's state cell (read in one go: the list is drawn again on every rescue event)."""
    return b.d.execute_script(
        "const r = document.querySelector(`#rescue-list tr[data-rescue='${arguments[0]}']`);"
        "return r ? r.cells[1].textContent : '';", rid)


def row_text(b, rid):
    return b.d.execute_script(
        "const r = document.querySelector(`#rescue-list tr[data-rescue='${arguments[0]}']`);"
        "return r ? r.innerText : '';", rid)


def row_has(b, rid, css):
    return b.d.execute_script(
        "const r = document.querySelector(`#rescue-list tr[data-rescue='${arguments[0]}']`);"
        "return !!(r && r.querySelector(arguments[1]));", rid, css)


def main():
    with Browser(1280, 800) as counter, Browser(1600, 1000) as board:  # a tablet, a desktop
        counter.sign_in("adv-wang", "advisor-pass-1")
        counter.wait(lambda d: d.current_url.endswith("/counter.html"))
        counter.live()
        counter.click('#tabs [data-tab="rescues"]')
        counter.wait(lambda d: counter.text("#rescue-list") != "")
        check("no rescue yet", "No road rescue yet" in counter.text("#rescue-list"), counter.text("#rescue-list"))

        # an estimate that is no amount: refused on the page, nothing sent
        counter.type("#rescue-customer", "C1")
        counter.type("#rescue-vehicle", VIN)
        counter.type("#rescue-place", "G2 km 105, northbound")
        counter.type("#rescue-reason", XSS)
        counter.type("#rescue-estimate", "three hundred")
        counter.click("#rescue-form button[type=submit]")
        counter.wait(lambda d: counter.text("#rescue-error") != "")
        check("a bad amount is refused on the page", "like 300.00" in counter.text("#rescue-error"),
              counter.text("#rescue-error"))
        check("and nothing reached reception", not asctl("adv-wang", "reception.rescue.list").get("rescues"))

        # an unknown customer: reception's own words
        counter.type("#rescue-customer", "C9")
        counter.type("#rescue-estimate", "300")
        counter.click("#rescue-form button[type=submit]")
        counter.wait(lambda d: "C9" in counter.text("#rescue-error"))
        check("reception's refusal is shown", "customer 'C9' is not registered" in counter.text("#rescue-error"),
              counter.text("#rescue-error"))

        counter.type("#rescue-customer", "C1")
        counter.click("#rescue-form button[type=submit]")
        counter.wait(lambda d: "requested" in counter.text("#rescue-done"))
        done_text = counter.text("#rescue-done")
        rid = done_text.split(":")[0]
        check("requested with the estimate as currency", money(30000) in done_text and "30000" not in done_text,
              done_text)
        counter.wait(lambda d: row(counter, rid))
        text = row_text(counter, rid)
        check("the list shows it waiting for approval", "Waiting for approval" in state_of(counter, rid), text)
        counter.wait(lambda d: "Li Lei (C1)" in row_text(counter, rid))
        check("the customer by name", "Li Lei (C1)" in row_text(counter, rid), row_text(counter, rid))
        check("the reason that is markup is shown as text", XSS in text, text)
        check("no element was made from markup", not counter.find_all("main img"))
        check("no script ran from markup (no alert)", counter.no_alert())
        r = asctl("adv-wang", "reception.rescue.show", f"rescue_id={rid}")
        check("reception has it: customer, vin, place, estimate",
              (r["customer_id"], r["vin"], r["place"], int(r["estimated_cost_cents"]), r["state"]) ==
              ("C1", VIN, "G2 km 105, northbound", 30000, "RESCUE_REQUESTED"), r)
        check("the tab counts it", counter.text('#tabs [data-tab="rescues"] .count') == "1",
              counter.text('#tabs [data-tab="rescues"] .count'))
        counter.shot("rescue-counter-tablet")
        wide = counter.d.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth];")
        check("the rescue list scrolls in its panel: the tablet's page does not scroll sideways",
              wide[0] <= wide[1], wide)

        # the foreman's board; the manager approves: it shows without a reload
        board.sign_in("foreman-liu", "foreman-pass-1")
        board.wait(lambda d: d.current_url.endswith("/board.html") and row(board, rid))
        board.live()
        check("the board lists the requested rescue", "Waiting for approval" in state_of(board, rid))
        board.d.execute_script("window.__same_page = true")
        asctl("fdm-li", "reception.rescue.approve", f"rescue_id={rid}")
        board.wait(lambda d: state_of(board, rid) == "Approved" and row_has(board, rid, "select"))
        check("approved, shown without a reload", board.d.execute_script("return window.__same_page === true"))
        select = row(board, rid).find_element("css selector", "select")
        options = [o.get_attribute("value") for o in select.find_elements("css selector", "option")]
        check("the dispatch offers the board's technicians", "tech-01" in options, options)
        board.shot("rescue-board-desktop")
        select.find_element("css selector", 'option[value="tech-01"]').click()
        row(board, rid).find_element("css selector", "button").click()
        board.wait(lambda d: state_of(board, rid) == "Technician on the way")
        check("no error on dispatch", board.text("#rescue-list-error") == "", board.text("#rescue-list-error"))
        r = asctl("foreman-liu", "reception.rescue.show", f"rescue_id={rid}")
        check("reception has tech-01 dispatched by the foreman",
              (r["state"], r["technician"], r["dispatched_by"]) == ("RESCUE_DISPATCHED", "tech-01", "foreman-liu"), r)

        # the advisor's tab follows, and closes it on RO-R1
        counter.wait(lambda d: state_of(counter, rid) == "Technician on the way"
                     and row_has(counter, rid, "input.rescue-minutes"))
        cells = row(counter, rid)
        cells.find_element("css selector", "input.rescue-minutes").send_keys("75")
        cells.find_element("css selector", "input.rescue-cost").send_keys("260")
        cells.find_element("css selector", "input.rescue-ro").send_keys("RO-R9")
        cells.find_element("css selector", "button").click()
        counter.wait(lambda d: "RO-R9" in counter.text("#rescue-list-error"))
        check("an RO that does not exist: reception's refusal", "does not exist" in counter.text("#rescue-list-error"),
              counter.text("#rescue-list-error"))
        ro = row(counter, rid).find_element("css selector", "input.rescue-ro")
        ro.clear()
        ro.send_keys("RO-R1")
        row(counter, rid).find_element("css selector", "button").click()
        counter.wait(lambda d: state_of(counter, rid) == "Closed")
        text = row_text(counter, rid)
        check("closed: time, actual cost as currency and the RO",
              "75 min" in text and money(26000) in text and "RO-R1" in text and "26000" not in text, text)
        r = asctl("adv-wang", "reception.rescue.show", f"rescue_id={rid}")
        check("reception has it closed on RO-R1",
              (r["state"], r["minutes"], int(r["actual_cost_cents"]), r["ro_number"]) ==
              ("RESCUE_CLOSED", 75, 26000, "RO-R1"), r)
        check("the tab counts no open rescue", counter.text('#tabs [data-tab="rescues"] .count') == "")
        counter.shot("rescue-counter-closed-tablet")
        board.wait(lambda d: state_of(board, rid) == "Closed")
        counter.click("#lang")
        counter.wait(lambda d: state_of(counter, rid) == "已关闭")
        counter.shot("rescue-counter-zh")
    done()


main()
