#!/usr/bin/python3
"""web_parts_orders.py — the parts counter's orders, stock value, slow-moving
parts and scrap list in real headless Chromium, driven by
test_web_parts_orders.sh, which started the dealership (asoem is the supplier
"OEM": it confirms an urgent order for the next working day), received 3 of
OLD-01 (described by markup) 14 months ago (OLD_DAY), 4 mats and 2 good belts
(1 damaged, held in quarantine) today, and backordered 2 plugs for RO-1 job 1
(I-PLUG/bo); SO-LATE, an order to Local-Parts of 6 days ago promised for
LATE_DAY (4 days ago), is overdue. Environment: webtest.py's, OLD_DAY, LATE_DAY."""
import datetime
import os

from selenium.webdriver.common.keys import Keys

from webtest import Browser, XSS, asctl, check, click, done, text, wait

OLD_DAY = os.environ["OLD_DAY"]
LATE_DAY = os.environ["LATE_DAY"]


def cell(b, table, row_css, col):
    """The text of a column (by header) in the row row_css of table css."""
    return b.d.execute_script(
        "const t = document.querySelector(arguments[0]); if (!t) return '';"
        "const heads = [...t.querySelectorAll('thead th')].map((th) => th.innerText);"
        "const r = t.querySelector('tbody tr' + arguments[1]); const i = heads.indexOf(arguments[2]);"
        "return r && i >= 0 ? r.cells[i].innerText : '';", table, row_css, col)


def sign_in_to(b, staff, secret, page):
    b.sign_in(staff, secret)
    wait(b, lambda d: not d.current_url.endswith("/index.html") or b.find_all("a.screen"))
    if not b.d.current_url.endswith("/" + page):
        b.open(page)
    wait(b, lambda d: d.current_url.endswith("/" + page))


def money(cents):
    return f"{cents // 100:,}.{cents % 100:02d} CNY"


def cents(shown):
    """'1,530.00 CNY' -> 153000"""
    return int(shown.split()[0].replace(",", "").replace(".", ""))


def next_working_day(day):
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


TODAY = datetime.date.today()
# asoem: urgent_lead_days = 1 working day after the order date (today)
PROMISED = next_working_day(TODAY).isoformat()
# the local supplier's answer on the phone: a week from today
PHONE = (TODAY + datetime.timedelta(days=7)).isoformat()
SCRAP = f"SCRAP-{TODAY.year}"
ORDER_LINE = '#orders .order[data-order="{}"] table'


def main():
    with Browser(1600, 1000) as desk:  # the parts manager's desk: the orders open before any order exists
        sign_in_to(desk, "parts-mgr", "parts-pass-2", "parts.html")
        desk.live()
        click(desk, '#tabs [data-tab="orders"]')
        wait(desk, lambda d: desk.find_all('#orders .order[data-order="SO-LATE"]'))
        # SO-LATE: promised for 4 days ago, nothing received: overdue, in red
        check("SO-LATE is overdue", "Overdue" in text(desk, '#orders .order[data-order="SO-LATE"] h3')
              and cell(desk, ORDER_LINE.format("SO-LATE"), '[data-line="1"]', "Promised") == LATE_DAY
              and desk.find_all('#orders .order[data-order="SO-LATE"] tr.overdue'), text(desk, "#orders"))
        desk.d.execute_script("window.__same_page = true")

        with Browser(1280, 800) as tab:  # the keeper's counter tablet
            tab.sign_in("wh-zhou", "parts-pass-1")
            wait(tab, lambda d: d.current_url.endswith("/parts.html") and tab.find("#search-text").is_displayed())
            tab.live()

            # --- stock: group, the accessory badge, value by group, slow-moving
            tab.type("#search-text", "mats")
            tab.click('#search button[type="submit"]')
            wait(tab, lambda d: cell(tab, "#hits table", '[data-part="P-MAT"]', "On hand") == "4")
            check("the mats' group", cell(tab, "#hits table", '[data-part="P-MAT"]', "Group") == "accessories")
            check("the mats carry the accessory badge", text(tab, '#hits tr[data-part="P-MAT"] .pill.accessory') == "Accessory",
                  text(tab, "#hits"))
            # value at cost: accessories 4 mats x 80.00 = 320.00; body 3 x OLD-01 50.00 = 150.00;
            # engine 2 good belts x 30.00 = 60.00 (the damaged one is in quarantine: not stock;
            # the plugs are backordered: none on hand) -> 530.00
            wait(tab, lambda d: text(tab, "#stock-value .value-total") == money(53000))
            rows = tab.d.execute_script("return [...document.querySelectorAll('#stock-value tbody tr')].map((r) => r.innerText.split('\\t').join('|'))")
            check("value by group", sorted(rows) == sorted([f"accessories|1|4|{money(32000)}", f"body|1|3|{money(15000)}",
                                                           f"engine|1|2|{money(6000)}"]), rows)
            # slow-moving: OLD-01 received OLD_DAY (14 months ago), nothing since; 3 x 50.00
            wait(tab, lambda d: "OLD-01" in text(tab, "#slow"))
            check("slow-moving: only OLD-01, its last movement and value",
                  text(tab, "#slow tbody").split("\t") == ["OLD-01", XSS, "body", "3", money(15000), OLD_DAY], text(tab, "#slow tbody"))
            check("the markup description is shown as text", not tab.find_all("#slow img") and tab.no_alert())
            tab.shot("parts2-stock-tablet")

            # --- the backorder ordered urgently in one click
            click(tab, '#tabs [data-tab="backorders"]')
            wait(tab, lambda d: tab.find_all('#backorders button[data-backorder="I-PLUG/bo"]'))
            check("the supplier of the last order is ready", tab.find("#urgent-supplier").get_attribute("value") == "Local-Parts")
            tab.type("#urgent-supplier", "OEM")
            click(tab, '#backorders button[data-backorder="I-PLUG/bo"]')
            wait(tab, lambda d: "PO000002" in text(tab, "#backorders-done"))
            check("the urgent order: the 2 plugs owed", "P-PLUG × 2" in text(tab, "#backorders-done"), text(tab, "#backorders-done"))
            order = asctl("wh-zhou", "parts.order.show", "order_id=PO000002")
            check("parts has the urgent order for RO-1's backorder",
                  (order.get("urgent"), order["supplier"], order["lines"][0]["backorder_id"], order["lines"][0]["quantity"])
                  == (True, "OEM", "I-PLUG/bo", 2), order)
            # asoem confirms: the backorder shows its order line and the promised date, live
            wait(tab, lambda d: cell(tab, "#backorders table", "", "Promised") == PROMISED)
            check("the backorder's order line", cell(tab, "#backorders table", "", "Order line") == "PO000002/1")
            check("ordered: no second 'Order urgently'", not tab.find_all('#backorders button[data-backorder="I-PLUG/bo"]'))
            tab.shot("parts2-backorders-tablet")

            # the parts manager's open page: the order appeared, then its promised date, without a reload
            wait(desk, lambda d: cell(desk, ORDER_LINE.format("PO000002"), '[data-line="1"]', "Promised") == PROMISED)
            check("the manager sees the line confirmed: 2 of 2, by the supplier's system",
                  (cell(desk, ORDER_LINE.format("PO000002"), '[data-line="1"]', "Confirmed"),
                   cell(desk, ORDER_LINE.format("PO000002"), '[data-line="1"]', "Supplier's answer"),
                   cell(desk, ORDER_LINE.format("PO000002"), '[data-line="1"]', "RO number")) == ("2", "oem@local", "RO-1 / 1"),
                  text(desk, '#orders .order[data-order="PO000002"]'))
            check("the order's state: Confirmed, urgent", "Confirmed" in text(desk, '#orders .order[data-order="PO000002"] h3')
                  and "Urgent" in text(desk, '#orders .order[data-order="PO000002"] h3'))
            check("the manager's page followed without a reload", desk.d.execute_script("return window.__same_page === true"))
            desk.shot("parts2-orders-desktop")

            # --- the advisor's counter: the RO's parts promised date on the vehicle card
            with Browser(1280, 800) as counter:
                counter.sign_in("adv-wang", "advisor-pass-1")
                wait(counter, lambda d: d.current_url.endswith("/counter.html") and counter.find("#search").is_displayed())
                counter.type("#search", "B77777")
                counter.click("#search-go")
                wait(counter, lambda d: text(counter, "#card-plate") == "鲁B77777")
                wait(counter, lambda d: text(counter, "#card-history .parts-promised") == "Parts promised " + PROMISED)
                counter.shot("parts2-counter-promised-tablet")

            # --- a receipt against the order line: an over-delivery is refused at the form
            click(tab, '#tabs [data-tab="receipts"]')
            tab.type("#receipt-id", "R-PLUG")
            tab.find("#receipt-supplier").send_keys("OEM" + Keys.TAB)
            wait(tab, lambda d: tab.find_all('#receipt-lines .line-order option[value="PO000002/1"]'))
            check("the open line offered: what it owes and its promise",
                  text(tab, '#receipt-lines .line-order option[value="PO000002/1"]') == f"PO000002/1 P-PLUG (Still owed 2, {PROMISED})",
                  text(tab, '#receipt-lines .line-order option[value="PO000002/1"]'))
            tab.find('#receipt-lines .line-order option[value="PO000002/1"]').click()
            check("the line takes the part and what is owed",
                  (tab.find("#receipt-lines .line-part").get_attribute("value"), tab.find("#receipt-lines .line-expected").get_attribute("value"))
                  == ("P-PLUG", "2"))
            tab.type("#receipt-lines .line-expected", "3")
            tab.type("#receipt-lines .line-received", "3")
            tab.click("#receipt-go")
            wait(tab, lambda d: "still owes 2, 3 received" in text(tab, "#receipt-error"))
            check("the refusal names the order line", "order 'PO000002' line 1" in text(tab, "#receipt-error"), text(tab, "#receipt-error"))
            check("the refused receipt wrote nothing", asctl("wh-zhou", "parts.order.show", "order_id=PO000002")["lines"][0].get("received", 0) == 0)
            tab.shot("parts2-receipt-refused-tablet")
            tab.type("#receipt-lines .line-expected", "2")
            tab.type("#receipt-lines .line-received", "2")
            tab.click("#receipt-go")
            wait(tab, lambda d: "R-PLUG" in text(tab, "#receipt-done"))
            order = asctl("wh-zhou", "parts.order.show", "order_id=PO000002")
            check("the order line received in full", (order["state"], order["lines"][0]["received"]) == ("ORDER_RECEIVED", 2), order)
            click(tab, '#tabs [data-tab="backorders"]')
            wait(tab, lambda d: "No open backorders" in text(tab, "#backorders") or "P-PLUG" not in text(tab, "#backorders"))

            # --- a stock order to a local supplier, confirmed by phone
            click(tab, '#tabs [data-tab="orders"]')
            tab.type("#order-supplier", "Local-Parts")
            tab.type("#order-lines .order-part", "p-mat")
            tab.type("#order-lines .order-qty", "2")
            tab.click("#order-go")
            wait(tab, lambda d: "PO000003" in text(tab, "#order-done"))
            line2 = '#orders .order[data-order="PO000003"] tr[data-line="1"]'
            wait(tab, lambda d: tab.find_all(line2 + " .confirm-date"))
            check("the new order is not confirmed", cell(tab, ORDER_LINE.format("PO000003"), '[data-line="1"]', "Line state") == "Not confirmed")
            tab.type(line2 + " .confirm-date", PHONE)
            tab.shot("parts2-confirm-tablet")
            click(tab, line2 + " .confirm button")
            wait(tab, lambda d: cell(tab, ORDER_LINE.format("PO000003"), '[data-line="1"]', "Promised") == PHONE)
            line = asctl("wh-zhou", "parts.order.show", "order_id=PO000003")["lines"][0]
            check("parts has the phone confirmation by the keeper",
                  (line["part_number"], line["confirmed_quantity"], line["promised_date"], line["confirmed_by"]) == ("P-MAT", 2, PHONE, "wh-zhou"), line)
            tab.shot("parts2-orders-tablet")

            # --- the scrap list: proposed from slow-moving and damaged stock, edited, submitted
            click(tab, '#tabs [data-tab="scrap"]')
            wait(tab, lambda d: tab.find("#scrap-id").get_attribute("value") == SCRAP)
            click(tab, "#scrap-propose")
            wait(tab, lambda d: "Draft" in text(tab, "#scrap-state"))
            # OLD-01 3 x 50.00 = 150.00 (slow-moving) + the damaged belt 1 x 30.00 = 30.00 -> 180.00
            check("proposed: the slow part and the damaged belt", text(tab, "#scrap-total") == "Value to scrap: " + money(18000), text(tab, "#scrap-total"))
            check("the lot's line", cell(tab, "#scrap table", '[data-line="P-BELT/R-DMG"]', "Value at cost") == money(3000))
            check("no approval for the keeper", not tab.find("#scrap-approve").is_displayed())
            tab.shot("parts2-scrap-draft-tablet")
            click(tab, '#scrap tr[data-line="P-BELT/R-DMG"] td:last-child button')
            wait(tab, lambda d: not tab.find_all('#scrap tr[data-line="P-BELT/R-DMG"]'))
            tab.type('#scrap tr[data-line="OLD-01/"] .qty', "2")
            click(tab, '#scrap tr[data-line="OLD-01/"] .scrap-qty button')
            # 2 x 50.00 = 100.00
            wait(tab, lambda d: text(tab, "#scrap-total") == "Value to scrap: " + money(10000))
            click(tab, "#scrap-submit")
            wait(tab, lambda d: "Submitted" in text(tab, "#scrap-state"))
            check("submitted: nothing left to edit", not tab.find_all("#scrap .qty") and not tab.find("#scrap-submit").is_displayed())
            tab.shot("parts2-scrap-tablet")

        # --- the parts manager approves: the stock value drops by the list's value
        click(desk, '#tabs [data-tab="stock"]')
        wait(desk, lambda d: text(desk, "#stock-value .value-total") == money(53000))
        before = cents(text(desk, "#stock-value .value-total"))
        click(desk, '#tabs [data-tab="scrap"]')
        wait(desk, lambda d: "Submitted" in text(desk, "#scrap-state") and desk.find("#scrap-approve").is_displayed())
        check("no submit nor proposal for the manager", not desk.find("#scrap-submit").is_displayed()
              and not desk.find("#scrap-propose").is_displayed())
        shown = cents(text(desk, "#scrap-total").split(": ")[1])
        check("the manager sees the list's value: 100.00", shown == 10000, text(desk, "#scrap-total"))
        desk.shot("parts2-scrap-submitted-desktop")
        click(desk, "#scrap-approve")
        wait(desk, lambda d: "Approved" in text(desk, "#scrap-state"))
        check("the list is scrapped", asctl("parts-mgr", "parts.scrap.show", f"list_id={SCRAP}")["status"] == "SCRAP_APPROVED")
        # every scrap list (parts.scrap.list): this one approved, by whom, its value
        row = f'[data-list="{SCRAP}"]'
        wait(desk, lambda d: cell(desk, "#scrap-lists table", row, "State") == "Approved")
        check("the lists' row: proposed by the keeper, decided by the manager, 1 line, 100.00",
              cell(desk, "#scrap-lists table", row, "Proposed").startswith("wh-zhou ")
              and cell(desk, "#scrap-lists table", row, "Decided").startswith("parts-mgr ")
              and cell(desk, "#scrap-lists table", row, "Lines") == "1"
              and cell(desk, "#scrap-lists table", row, "Value at cost") == money(10000),
              text(desk, "#scrap-lists"))
        desk.shot("parts2-scrap-lists-desktop")
        click(desk, '#tabs [data-tab="stock"]')
        # 530.00 - 100.00 = 430.00; body: 1 x 50.00 left
        wait(desk, lambda d: text(desk, "#stock-value .value-total") == money(43000))
        check("the value dropped by the value shown", before - cents(text(desk, "#stock-value .value-total")) == shown)
        check("OLD-01: 1 on hand", asctl("parts-mgr", "parts.stock.query", "part_number=OLD-01")["parts"][0]["on_hand"] == 1)

        # the overdue ones alone: SO-LATE (the stock order is promised in a week)
        click(desk, '#tabs [data-tab="orders"]')
        desk.click("#orders-overdue")
        wait(desk, lambda d: [o.get_attribute("data-order") for o in desk.find_all("#orders .order")] == ["SO-LATE"])
        desk.click("#orders-overdue")
        desk.click("#lang")
        wait(desk, lambda d: "已到齐" in text(desk, "#orders") and "逾期" in text(desk, "#orders") and len(desk.find_all("#orders .order")) == 3)
        desk.shot("parts2-zh")
        desk.click("#lang")
    done()


main()
