#!/usr/bin/python3
"""web_tap.py — the event tap in real headless Chromium, driven by
test_web_tap.sh (the dealership and as-web running, nothing done yet): the
events are made here with asctl, as other members would, while the page is
open. Environment: webtest.py's."""
from selenium.common.exceptions import StaleElementReferenceException

from webtest import XSS, Browser, asctl, check, done

VIN = "JNKCV61EX9M300001"


def rows(b):
    """(type, subject) of each row shown, read at once."""
    return [tuple(r) for r in b.d.execute_script(
        "return [...document.querySelectorAll('#events li.tap-event')]"
        ".map((li) => [li.dataset.type, li.dataset.subject])")]


def row(subject, type_):
    return f'#events li.tap-event[data-subject="{subject}"][data-type="{type_}"]'


def open_ro(ro):
    """An RO for the vehicle, as the advisor opens it (each one a later reading)."""
    open_ro.km += 100
    asctl("adv-wang", "reception.ro.open", f"ro_number={ro}", f"vin={VIN}", f"mileage_km={open_ro.km}",
          'jobs=[{"concern":"engine noise","pay_type":"CUSTOMER_PAY","labour":{"code":"EN-01",'
          '"sold_minutes":60,"rate_cents":60000,"skill":"engine","min_level":1}}]')


open_ro.km = 21000


def counts(b):
    for _ in range(5):
        try:
            return b.text("#counts")
        except StaleElementReferenceException:
            continue
    return ""


def main():
    with Browser(1280, 800) as tablet:  # a 10" tablet, landscape
        tablet.sign_in("it-guo", "tap-pass-12")
        tablet.wait(lambda d: d.current_url.endswith("/tap.html"))  # IT's one screen
        tablet.live()
        tablet.d.execute_script("window.__same_page = true")

        # a customer whose name is markup, a vehicle, an RO: all arrive live
        asctl("adv-wang", "reception.customer.register", "customer_id=C-TAP", f"name={XSS}", "phone=13900000009")
        asctl("adv-wang", "reception.vehicle.register", f"vin={VIN}", "plate=LU-T0001", "customer_id=C-TAP",
              "sale_date=2024-05-01", "mileage_km=20000")
        open_ro("RO-T1")
        tablet.wait(lambda d: tablet.find_all(row("RO-T1", "reception.ro.opened")))
        check("the RO opened elsewhere appeared without a reload",
              tablet.d.execute_script("return window.__same_page === true"))
        head = tablet.text(row("RO-T1", "reception.ro.opened") + " .tap-head")
        check("the row shows type, source:seq, subject and actor",
              all(w in head for w in ("reception.ro.opened", "reception@", "RO-T1", "adv-wang")), head)
        check("its time is local, not microseconds", not any(len(w) >= 13 and w.isdigit() for w in head.split()),
              head)

        # the customer's payload: readable, the name as text, no script
        customer = row("C-TAP", "reception.customer.registered")
        tablet.wait(lambda d: tablet.find_all(customer))
        tablet.click(customer + " .tap-head")
        tablet.wait(lambda d: tablet.find(customer + " .tap-payload").is_displayed())
        values = [e.text for e in tablet.find_all(customer + " .tap-payload .tap-v")]
        check("the customer's name is shown as text in the payload", XSS in values, values)
        check("no element was made from it", not tablet.find_all(customer + " .tap-payload img"))
        check("no script ran from it (no alert)", tablet.no_alert())
        payload = tablet.text(customer + " .tap-payload")
        check("the payload is readable (name: value), not JSON", "name: " in payload and "{" not in payload, payload)
        tablet.shot("tap-payload")

        # the subject filter: one RO only
        open_ro("RO-T2")
        tablet.wait(lambda d: tablet.find_all(row("RO-T2", "reception.ro.opened")))
        tablet.type("#f-subject", "RO-T1")
        tablet.wait(lambda d: not tablet.find_all(row("RO-T2", "reception.ro.opened")))
        shown = rows(tablet)
        check("the subject filter shows only RO-T1's events", shown and all("RO-T1" in s for _, s in shown), shown)
        open_ro("RO-T3")
        tablet.wait(lambda d: "RO-T3" in str(tablet.d.execute_script("return events.map((e) => e.subject)")))
        check("a new event of another subject stays hidden",
              not tablet.find_all('#events li.tap-event[data-subject="RO-T3"]'))
        tablet.type("#f-subject", "")

        # the source filter: reception's events only, or none from the workshop
        tablet.type("#f-source", "workshop")
        tablet.wait(lambda d: not rows(tablet))
        check("no workshop event shown (only reception acted)", not rows(tablet), rows(tablet))
        tablet.type("#f-source", "reception")
        tablet.wait(lambda d: rows(tablet))
        check("the source filter shows reception's events",
              tablet.find_all(row("RO-T1", "reception.ro.opened")) and
              all(t.startswith("reception.") for t, _ in rows(tablet)), rows(tablet))
        tablet.type("#f-source", "")

        # the type prefix filter
        tablet.type("#f-type", "reception.customer.")
        tablet.wait(lambda d: all(t.startswith("reception.customer.") for t, _ in rows(tablet)))
        check("the type filter shows only reception.customer.* events", rows(tablet) and
              all(t.startswith("reception.customer.") for t, _ in rows(tablet)), rows(tablet))
        tablet.type("#f-type", "")
        tablet.wait(lambda d: tablet.find_all(row("RO-T3", "reception.ro.opened")))

        # pause: new events wait, counted; resume shows them
        tablet.click("#pause")
        open_ro("RO-T4")
        tablet.wait(lambda d: "waiting" in counts(tablet) and not counts(tablet).endswith(" 0 waiting (paused)"))
        check("a paused tap does not show the new event", not tablet.find_all(row("RO-T4", "reception.ro.opened")))
        tablet.shot("tap-paused")
        tablet.click("#pause")
        tablet.wait(lambda d: tablet.find_all(row("RO-T4", "reception.ro.opened")))
        check("resumed: the waiting event is shown", "waiting" not in counts(tablet), counts(tablet))
        kept = tablet.d.execute_script("return KEEP")
        check("the list keeps 500 events unless told", kept == 500, kept)
        tablet.shot("tap-tablet")

        tablet.click("#lang")
        tablet.wait(lambda d: tablet.text("#pause") == "暂停")
        tablet.shot("tap-zh")

    with Browser(1600, 1000) as desktop:
        desktop.sign_in("it-guo", "tap-pass-12")
        desktop.wait(lambda d: d.current_url.endswith("/tap.html"))
        desktop.live()
        open_ro("RO-T5")
        desktop.wait(lambda d: desktop.find_all(row("RO-T5", "reception.ro.opened")))
        desktop.click(row("RO-T5", "reception.ro.opened") + " .tap-head")
        desktop.wait(lambda d: desktop.find(row("RO-T5", "reception.ro.opened") + " .tap-payload").is_displayed())
        desktop.shot("tap-desktop")

        # a tap that keeps 3: the oldest events leave the list
        desktop.open("tap.html?keep=3")
        desktop.live()
        open_ro("RO-T6")
        open_ro("RO-T7")  # 4 events: two mileage readings, two openings
        desktop.wait(lambda d: desktop.find_all(row("RO-T7", "reception.ro.opened")))
        kept = rows(desktop)
        check("only the last 3 events are kept, the oldest dropped",
              len(kept) == 3 and ("reception.ro.opened", "RO-T6") in kept and
              ("reception.vehicle.mileage_recorded", VIN) in kept, kept)
        check("the count says so", counts(desktop).startswith("3 shown · 3/3 kept"), counts(desktop))
    done()


main()
