#!/usr/bin/python3
"""web_parts.py — the parts counter in real headless Chromium, driven by
test_web_parts.sh, which started the dealership and as-web, defined three
parts (one described by markup), received stock and reserved pads for RO-P1
job 1. Environment: webtest.py's."""
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

from webtest import XSS, Browser, asctl, check, done


def wait(b, condition, timeout=30):
    """b.wait, trying again when the page redrew what it looked at (every list
    is drawn again on a live event)."""
    return WebDriverWait(b.d, timeout, ignored_exceptions=[StaleElementReferenceException]).until(condition)


def sign_in_to(b, staff, secret, page):
    """Signs in and opens `page`: the member may land on another of his screens
    (his home) or on the list of them."""
    b.sign_in(staff, secret)
    wait(b, lambda d: not d.current_url.endswith("/index.html") or b.find_all("a.screen"))
    if not b.d.current_url.endswith("/" + page):
        b.open(page)
    wait(b, lambda d: d.current_url.endswith("/" + page))


def stock(part, field):
    parts = asctl("wh-zhou", "parts.stock.query", f"part_number={part}")["parts"]
    return int(parts[0].get(field, 0))


def hit(b, part, col):
    """The text of a column (by header) in the row of a part, '' if none."""
    return b.d.execute_script(
        "const heads = [...document.querySelectorAll('#hits thead th')].map((th) => th.innerText);"
        "const r = document.querySelector('#hits tbody tr[data-part=\"' + arguments[0] + '\"]');"
        "const i = heads.indexOf(arguments[1]);"
        "return r && i >= 0 ? r.cells[i].innerText : '';", part, col)


def click(b, css):
    b.d.execute_script("document.querySelector(arguments[0]).click()", css)


def main():
    with Browser(1280, 800) as tab:  # the counter's 10" tablet
        tab.sign_in("wh-zhou", "parts-pass-1")
        wait(tab, lambda d: d.current_url.endswith("/parts.html") and tab.find("#search-text").is_displayed())
        tab.live()

        # a part searched by name: stock, bin and price
        tab.type("#search-text", "brake")
        tab.click('#search button[type="submit"]')
        wait(tab, lambda d: hit(tab, "BRK-PAD-01", "On hand") == "10")
        check("the pads' bin", hit(tab, "BRK-PAD-01", "Bin") == "B-01", hit(tab, "BRK-PAD-01", "Bin"))
        check("the pads' price in money", hit(tab, "BRK-PAD-01", "Price").startswith("350.00 CNY"), hit(tab, "BRK-PAD-01", "Price"))
        check("reserved and available", (hit(tab, "BRK-PAD-01", "Reserved"), hit(tab, "BRK-PAD-01", "Available")) == ("2", "8"))
        check("only the pads match 'brake'", len(tab.find_all("#hits tbody tr")) == 1)

        # another counter issues pads: the open page follows without a reload
        tab.d.execute_script("window.__same_page = true")
        asctl("wh-zhou", "parts.issue", "issue_id=I-ELSEWHERE", "ro_number=RO-P2", "job_no=1",
              "part_number=BRK-PAD-01", "quantity=1", "technician=tech-02")
        wait(tab, lambda d: hit(tab, "BRK-PAD-01", "On hand") == "9")
        # and reserves one for another RO: reserved and available follow
        asctl("parts-mgr", "parts.reserve", "ro_number=RO-P3", "job_no=1", "part_number=BRK-PAD-01", "quantity=1")
        wait(tab, lambda d: (hit(tab, "BRK-PAD-01", "Reserved"), hit(tab, "BRK-PAD-01", "Available")) == ("3", "6"))
        check("the stock followed an issue and a reservation made elsewhere without a reload",
              tab.d.execute_script("return window.__same_page === true"))
        tab.shot("parts-search-tablet")

        # stock by bin, with the description that is markup shown as text
        tab.type("#bin-text", "B-01")
        tab.click("#bin-go")
        wait(tab, lambda d: hit(tab, "XSS-01", "Description") != "")
        check("the bin holds the pads and the other part", hit(tab, "BRK-PAD-01", "On hand") == "9")
        check("the description is shown as text", hit(tab, "XSS-01", "Description") == XSS, hit(tab, "XSS-01", "Description"))
        check("no element was made from it", not tab.find_all("#hits img"))
        check("no script ran from it (no alert)", tab.no_alert())
        tab.shot("parts-bin-tablet")

        # issue to an RO job: the pads' row prepares the form
        tab.type("#search-text", "BRK")
        tab.click('#search button[type="submit"]')
        wait(tab, lambda d: "Parts found: 1" in tab.text("#hits-note") and hit(tab, "BRK-PAD-01", "On hand") == "9")
        click(tab, '#hits tbody tr[data-part="BRK-PAD-01"] button')
        wait(tab, lambda d: tab.find("#issue-ro").is_displayed())
        check("the form has the part", tab.find("#issue-part").get_attribute("value") == "BRK-PAD-01")
        tab.type("#issue-ro", "RO-P1")
        tab.type("#issue-job", "1")
        tab.type("#issue-qty", "2")
        tab.type("#issue-tech", "tech-01")
        tab.click("#issue-go")
        wait(tab, lambda d: "RO-P1" in tab.text("#issue-done"))
        wait(tab, lambda d: "tech-01" in tab.text("#ro-parts"))
        check("no error", tab.text("#issue-error") == "", tab.text("#issue-error"))
        issues = asctl("wh-zhou", "parts.ro.show", "ro_number=RO-P1").get("issues", [])
        check("parts.ro.show has the issue of 2 pads to job 1 and tech-01",
              [(i["part_number"], i["quantity"], i["job_no"], i["technician"], i["issued_by"]) for i in issues]
              == [("BRK-PAD-01", 2, 1, "tech-01", "wh-zhou")], issues)
        check("stock: 7 on hand, RO-P1's reservation used (RO-P3's left)",
              (stock("BRK-PAD-01", "on_hand"), stock("BRK-PAD-01", "reserved")) == (7, 1))

        # more filters than the shelf holds: issue what is free, backorder the rest
        tab.type("#issue-part", "FLT-OIL-01")
        tab.type("#issue-qty", "8")
        tab.click("#issue-backorder")
        tab.click("#issue-go")
        wait(tab, lambda d: "FLT-OIL-01" in tab.text("#issue-done") and "FLT-OIL-01" in tab.text("#ro-parts"))
        check("5 issued and 3 backordered", "× 5" in tab.text("#issue-done") and "× 3" in tab.text("#issue-done"), tab.text("#issue-done"))
        tab.shot("parts-issue-tablet")
        tab.click('#tabs [data-tab="backorders"]')
        wait(tab, lambda d: "FLT-OIL-01" in tab.text("#backorders"))
        row = wait(tab, lambda d: tab.find("#backorders tbody tr").text)
        check("the backorder: RO-P1 job 1 owes 3 filters", row.startswith("RO-P1 1 FLT-OIL-01 3 3 tech-01"), row)

        # a receipt with a short, damaged line: the discrepancy, the backorder filled, quarantine
        tab.click('#tabs [data-tab="receipts"]')
        tab.type("#receipt-id", "R-2")
        tab.type("#receipt-supplier", "Bosch")
        tab.type("#receipt-lines .line-part", "FLT-OIL-01")
        tab.type("#receipt-lines .line-expected", "4")
        tab.type("#receipt-lines .line-received", "2")
        tab.find('#receipt-lines .line-discrepancy option[value="DAMAGED"]').click()
        tab.type("#receipt-lines .line-note", XSS)
        tab.click("#receipt-go")
        wait(tab, lambda d: "R-2" in tab.text("#receipt-done"))
        wait(tab, lambda d: tab.find_all("#receipts tbody tr.discrepancy"))
        cells = wait(tab, lambda d: [td.text for td in tab.find("#receipts tbody tr.discrepancy").find_elements("css selector", "td")])
        check("the receipt line shows the discrepancy", cells[0] == "R-2" and cells[3:9] == ["FLT-OIL-01", "4", "2", "Damaged", "2", "2"], cells)
        check("the note is shown as text", cells[9] == XSS and not tab.find_all("#receipts img") and tab.no_alert(), cells[9])
        tab.shot("parts-receipt-tablet")
        tab.click('#tabs [data-tab="backorders"]')
        wait(tab, lambda d: tab.text("#backorders tbody tr").startswith("RO-P1 1 FLT-OIL-01 1 3"))
        tab.click('#tabs [data-tab="quarantine"]')
        wait(tab, lambda d: "R-2" in tab.text("#quarantine"))
        check("the damaged filters are held apart", stock("FLT-OIL-01", "quarantined") == 2)

        tab.click("#lang")
        wait(tab, lambda d: tab.text('#tabs [data-tab="stock"]') == "查询与库存")
        tab.click('#tabs [data-tab="receipts"]')
        wait(tab, lambda d: "破损" in tab.text("#receipts"))
        tab.shot("parts-zh")
        tab.click("#lang")

    with Browser(1600, 1000) as desk:  # the parts manager may see but not issue
        sign_in_to(desk, "parts-mgr", "parts-pass-2", "parts.html")
        wait(desk, lambda d: desk.find("#search-text").is_displayed())
        desk.type("#search-text", "oil")
        desk.click('#search button[type="submit"]')
        wait(desk, lambda d: hit(desk, "FLT-OIL-01", "Quarantined") == "2")
        desk.shot("parts-desktop")
        click(desk, '#hits tbody tr[data-part="FLT-OIL-01"] button')
        desk.type("#issue-ro", "RO-P1")
        desk.type("#issue-tech", "tech-01")
        desk.click("#issue-go")
        wait(desk, lambda d: desk.text("#issue-error") != "")
        check("the parts manager's issue is refused, the reason shown",
              "parts.issue" in desk.text("#issue-error") and "parts-mgr" in desk.text("#issue-error"), desk.text("#issue-error"))
        desk.shot("parts-refused-desktop")
    done()


main()
