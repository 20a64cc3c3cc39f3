#!/usr/bin/python3
"""web_setup.py — master data on setup.html in real headless Chromium, driven
by test_web_setup.sh (tech-01 registered with skill engine; labour rate
CUSTOMER_PAY 360.00; labour operations EN-OIL, OLD-1 and XS-1, whose
description is markup). Environment: webtest.py's."""
import subprocess

from selenium.webdriver.support.ui import Select

from webtest import Browser, XSS, asctl, check, click, done, text


def visible_tabs(b):
    return [e.get_attribute("data-tab") for e in b.find_all(".tr-tabs button") if e.is_displayed()]


def refused(*args):
    """asctl call as in `asctl(...)`, expected to fail: True when it did."""
    try:
        asctl(*args)
        return False
    except subprocess.CalledProcessError:
        return True


def main():
    with Browser(1600, 1000) as desk:  # the service manager's desktop
        run(desk, service_manager)
    with Browser(1280, 800) as tablet:  # the parts manager on a 10" tablet
        run(tablet, parts_manager)
    with Browser(1280, 800) as floor:  # the foreman's tablet, then the technician's
        run(floor, foreman_and_technician)
    done()


def run(b, fn):
    try:
        fn(b)
    except Exception:
        b.shot("setup-failure")
        print("page at failure:", b.d.current_url, b.text("body"), flush=True)
        raise


def service_manager(b):
    b.sign_in_to("svc-mgr", "service-pass-1", "setup.html")
    b.wait(lambda d: b.find_all('#ops tr[data-code="EN-OIL"]') and b.find_all("#op-skill option"))
    b.live()
    check("the service manager has the labour operations, rates, technicians and sign-ins, not the parts",
          visible_tabs(b) == ["ops", "rates", "techs", "signins"], visible_tabs(b))

    # markup as a description is text: the row shows it literally, no alert
    check("XS-1's description shown as text", XSS in text(b, '#ops tr[data-code="XS-1"]'), text(b, '#ops tr[data-code="XS-1"]'))
    check("no element made from it", not b.find_all("#ops img"))
    check("no alert", b.no_alert())
    # EN-OIL: 30 sold minutes are half an hour
    check("flat-rate time in hours", "0.5 h" in text(b, '#ops tr[data-code="EN-OIL"]'), text(b, '#ops tr[data-code="EN-OIL"]'))

    # a labour operation defined on the page: 1.5 hours are 90 sold minutes
    b.type("#op-code", "EN-VAL")
    b.type("#op-description", "Valve clearance adjustment")
    b.type("#op-hours", "1.5")
    Select(b.find("#op-skill")).select_by_value("engine")
    Select(b.find("#op-level")).select_by_value("2")
    b.type("#op-warranty", "engine")
    b.click("#op-send")
    b.wait(lambda d: b.find_all('#ops tr[data-code="EN-VAL"]'))
    check("no error on define", text(b, "#op-error") == "", text(b, "#op-error"))
    check("EN-VAL listed with 1.5 h", "1.5 h" in text(b, '#ops tr[data-code="EN-VAL"]'), text(b, '#ops tr[data-code="EN-VAL"]'))
    op = asctl("svc-mgr", "reception.labour_op.show", "code=EN-VAL")["operation"]
    check("reception has EN-VAL: 90 minutes, engine, level 2",
          op.get("sold_minutes") == 90 and op.get("skill") == "engine" and op.get("min_level") == 2
          and op.get("description") == "Valve clearance adjustment", op)

    # a bad code: reception's words beside the form, nothing written
    before = len(asctl("svc-mgr", "reception.labour_op.list").get("operations", []))
    b.type("#op-code", "BAD CODE!")
    b.type("#op-description", "Something")
    b.type("#op-hours", "1")
    b.click("#op-send")
    b.wait(lambda d: text(b, "#op-error") != "")
    check("the refusal in reception's words", "must be 1 to 32 of letters" in text(b, "#op-error"), text(b, "#op-error"))
    after = asctl("svc-mgr", "reception.labour_op.list").get("operations", [])
    check("nothing written", len(after) == before and refused("svc-mgr", "reception.labour_op.show", "code=BAD CODE!"),
          [o["operation"]["code"] for o in after])
    b.shot("setup-ops-desktop")
    b.click("#op-clear")
    check("Clear empties the form and its error", text(b, "#op-error") == "" and b.find("#op-code").get_attribute("value") == "")

    # an operation defined elsewhere (asctl, another session) appears without a reload
    b.d.execute_script("window.__same_page = true")
    asctl("svc-mgr", "reception.labour_op.define", "code=EL-BAT", "description=Battery test", "sold_minutes=15",
          "skill=engine")
    b.wait(lambda d: "0.25 h" in text(b, '#ops tr[data-code="EL-BAT"]'))
    check("EL-BAT appeared live", b.d.execute_script("return window.__same_page === true"))

    # retire OLD-1: gone from the list, reception has it retired, listed with the retired ones
    b.click('#ops tr[data-code="OLD-1"] button.tr-danger')  # asks to confirm
    b.wait(lambda d: _accept(d))
    b.wait(lambda d: not b.find_all('#ops tr[data-code="OLD-1"]'))
    check("reception has OLD-1 retired", asctl("svc-mgr", "reception.labour_op.show", "code=OLD-1").get("retired") is True)
    b.click("#op-retired")
    b.wait(lambda d: "Retired" in text(b, '#ops tr[data-code="OLD-1"]') and not b.find_all('#ops tr[data-code="EN-VAL"]'))
    b.click("#op-retired")
    b.wait(lambda d: b.find_all('#ops tr[data-code="EN-VAL"]'))

    # the labour rate: 360.00 becomes 385.50
    b.click('.tr-tabs button[data-tab="rates"]')
    b.wait(lambda d: "360.00 CNY" in text(b, '#rates tr[data-pay="CUSTOMER_PAY"]'))
    click(b, '#rates tr[data-pay="CUSTOMER_PAY"] button')
    check("the form has the rate in currency units", b.find("#rate-amount").get_attribute("value") == "360.00",
          b.find("#rate-amount").get_attribute("value"))
    b.type("#rate-amount", "385.50")
    b.click("#rate-send")
    b.wait(lambda d: "385.50 CNY" in text(b, '#rates tr[data-pay="CUSTOMER_PAY"]'))
    rates = asctl("svc-mgr", "reception.labour_rate.list").get("rates", [])
    customer = [r for r in rates if r.get("pay_type") == "CUSTOMER_PAY"]
    # 385.50 units of currency are 38550 cents
    check("reception's rate is 38550 cents", customer and int(customer[0]["rate_cents"]) == 38550, rates)
    b.shot("setup-rates-desktop")

    # the sign-ins: tech-02 has none yet; a PIN set here, never shown back
    b.click('.tr-tabs button[data-tab="signins"]')
    b.wait(lambda d: b.find_all('#signins tr[data-staff="tech-02"]'))
    check("tech-02 cannot sign in yet", "Not set" in text(b, '#signins tr[data-staff="tech-02"]'))
    check("no system identity listed", not b.find_all('#signins tr[data-staff="web"]'))
    click(b, '#signins tr[data-staff="tech-02"] button')
    check("tech-02 chosen", Select(b.find("#signin-staff")).first_selected_option.get_attribute("value") == "tech-02")
    b.type("#signin-secret", "1357")
    b.click("#signin-send")
    b.wait(lambda d: "tech-02" in text(b, "#signin-result"))
    b.wait(lambda d: text(b, '#signins tr[data-staff="tech-02"] td.state').startswith("Set "))
    check("the PIN is not on the page", "1357" not in text(b, "body")
          and b.find("#signin-secret").get_attribute("value") == "")
    b.shot("setup-signins-desktop")

    # in Chinese
    b.click("#lang")
    b.wait(lambda d: text(b, "h1") == "基础数据")
    check("the sign-in list in Chinese", "技师" in text(b, '#signins tr[data-staff="tech-02"]'), text(b, '#signins tr[data-staff="tech-02"]'))
    b.click('.tr-tabs button[data-tab="ops"]')
    b.wait(lambda d: "1.5 小时" in text(b, '#ops tr[data-code="EN-VAL"]'))
    b.shot("setup-ops-zh")
    b.click("#lang")


def _accept(d):
    try:
        d.switch_to.alert.accept()
        return True
    except Exception:
        return False


def parts_manager(b):
    b.sign_in_to("parts-mgr", "parts-pass-1", "setup.html")
    b.wait(lambda d: b.find("#part-form").is_displayed())
    check("the parts manager has only the parts catalogue", visible_tabs(b) == ["parts"], visible_tabs(b))

    # a new part: price typed as 88.50, sent as 8850 cents, shown as currency
    b.type("#part-number", "P-SPK-01")
    b.type("#part-description", "火花塞 铱金")
    b.type("#part-cost", "45.00")
    b.type("#part-price", "88.50")
    b.type("#part-bin", "A-01-02")
    b.click("#part-send")
    b.wait(lambda d: "P-SPK-01" in text(b, "#part-result"))
    check("the saved price as currency", "88.50 CNY" in text(b, "#part-result"), text(b, "#part-result"))
    b.wait(lambda d: b.find_all('#parts tr[data-part="P-SPK-01"]'))
    row = text(b, '#parts tr[data-part="P-SPK-01"]')
    check("the search lists it with its Chinese description and price", "火花塞 铱金" in row and "88.50 CNY" in row, row)
    # the parts counter's search finds it by a word of its description
    hits = asctl("wh-zhou", "parts.part.search", "text=火花塞").get("hits", [])
    check("the parts counter finds P-SPK-01 at 8850 cents", [(h["part_number"], int(h["price_cents"])) for h in hits]
          == [("P-SPK-01", 8850)], hits)
    b.shot("setup-parts-tablet")

    # change it: the form is filled from the catalogue (cost too), a negative
    # price is refused in the parts service's words and nothing changes
    b.click("#part-clear")
    b.type("#part-text", "火花塞")
    b.click("#part-find")
    click(b, '#parts tr[data-part="P-SPK-01"] button')
    b.wait(lambda d: b.find("#part-cost").get_attribute("value") == "45.00")
    b.type("#part-price", "-5.00")
    b.click("#part-send")
    b.wait(lambda d: text(b, "#part-error") != "")
    check("the refusal in the parts service's words", "must be given and >= 0" in text(b, "#part-error"), text(b, "#part-error"))
    part = asctl("wh-zhou", "parts.stock.query", "part_number=P-SPK-01")["parts"][0]
    check("the price is still 8850 cents", int(part["price_cents"]) == 8850, part)
    # a new part with a negative price is not written at all
    b.type("#part-number", "P-NEG-01")
    b.click("#part-send")
    b.wait(lambda d: "P-NEG-01" in text(b, "#part-error"))
    check("no P-NEG-01", asctl("wh-zhou", "parts.part.search", "text=P-NEG").get("hits", []) == [])
    # a typed amount that is no amount never leaves the page
    b.type("#part-price", "abc")
    b.click("#part-send")
    b.wait(lambda d: "350.00" in text(b, "#part-error"))

    b.click("#lang")
    b.wait(lambda d: text(b, ".tr-tabs button[data-tab=parts]") == "零件目录")
    check("the page's own error in Chinese after the switch", "请输入金额" in text(b, "#part-error"), text(b, "#part-error"))
    b.d.execute_script("window.scrollTo(0, 0)")
    b.shot("setup-parts-zh")
    b.click("#lang")


def foreman_and_technician(b):
    b.sign_in_to("foreman-liu", "board-pass-1", "setup.html")
    b.wait(lambda d: b.find_all('#techs tr[data-tech="tech-01"]'))
    check("the foreman has only technicians and bays", visible_tabs(b) == ["techs"], visible_tabs(b))
    b.type("#tech-id", "tech-02")
    b.type("#tech-name", "Li Na")
    b.type("#tech-skills", "electrical, engine")
    Select(b.find("#tech-level")).select_by_value("3")
    b.type("#tech-cost", "95.00")
    b.click("#tech-send")
    b.wait(lambda d: b.find_all('#techs tr[data-tech="tech-02"]'))
    row = text(b, '#techs tr[data-tech="tech-02"]')
    check("tech-02 listed with skills and hourly cost", "electrical, engine" in row and "95.00 CNY" in row, row)
    b.type("#bay-id", "B-9")
    Select(b.find("#bay-kind")).select_by_value("lift")
    b.click("#bay-send")
    b.wait(lambda d: b.find_all('#bays tr[data-bay="B-9"]'))
    # registering B-9 again: the workshop's refusal beside the form
    b.type("#bay-id", "B-9")
    b.click("#bay-send")
    b.wait(lambda d: "already registered" in text(b, "#bay-error"))
    board = asctl("foreman-liu", "workshop.board")
    tech = [t for t in board.get("technicians", []) if t["tech_id"] == "tech-02"]
    check("the workshop has tech-02: level 3, 9500 cents an hour, two skills",
          tech and tech[0].get("level") == 3 and int(tech[0]["hourly_cost_cents"]) == 9500
          and tech[0].get("skills") == ["electrical", "engine"], tech)
    check("the workshop has bay B-9 (lift)", [x.get("kind") for x in board.get("bays", []) if x["bay_id"] == "B-9"] == ["lift"])
    b.shot("setup-techs-tablet")

    # the foreman's board shows both
    b.follow("board.html")
    b.wait(lambda d: "tech-02" in text(b, "#technicians") and "B-9" in text(b, "#bays"))
    check("the board lists tech-02 and B-9", True)

    # tech-02 signs in on the tablet with the PIN the service manager set
    b.click("#signout")
    b.wait(lambda d: d.current_url.endswith("/index.html"))
    b.sign_in("tech-02", "1357")
    b.wait(lambda d: d.current_url.endswith("/tablet.html"))
    b.wait(lambda d: text(b, "#who") == "tech-02")
    check("tech-02 is on the tablet", True)


if __name__ == "__main__":
    main()
