#!/usr/bin/python3
"""web_markup.py — markup in the data renders as text on every screen, driven
by test_web_markup.sh, which seeded the dealership's free texts as markup
(X1 the customer's name and a tool's description, X2 the jobs' concerns, X3
the complaint, the recall's title and the extra defect, X4 = "&lt;b&gt;" the
vehicle's model, the appointment's reason and the part's description) and
RO-1 (in progress, tech-01, an extra defect), RO-2 (warranty, passed QC,
delivered, its claim ready), RO-3 (waiting for approval), RO-4 (due for QC).
One browser session visits every screen as its member in turn and asserts:
the text appears literally, no element was made from it (no img, svg,
iframe, object, embed or b anywhere, no script but the page's own files) and
no alert. Environment: webtest.py's, V1, V2, X1..X4."""
import os

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

from webtest import Browser, asctl, check, done

V1, V2 = os.environ["V1"], os.environ["V2"]
X1, X2, X3, X4 = (os.environ[x] for x in ("X1", "X2", "X3", "X4"))
NAMES = {X1: "X1 <img>", X2: "X2 <script>", X3: "X3 <svg>", X4: "X4 &lt;b&gt;"}

# every element that markup in the data could make, and scripts not the page's own files
MADE = """
const made = [...document.querySelectorAll('img, svg, iframe, object, embed, b, math, video, audio')]
  .map((e) => e.outerHTML.slice(0, 80));
const scripts = [...document.scripts].filter((s) => !s.src || new URL(s.src).origin !== location.origin)
  .map((s) => s.outerHTML.slice(0, 80));
return made.concat(scripts);"""


class Page(Browser):
    def wait(self, condition, timeout=30):
        return WebDriverWait(self.d, timeout, ignored_exceptions=[StaleElementReferenceException]).until(condition)

    def text(self, css):
        return self.d.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css)

    def press(self, css):
        self.wait(lambda d: d.execute_script(
            "const e = document.querySelector(arguments[0]); if (!e) return false; e.click(); return true;", css))

    def has(self, css):
        return bool(self.find_all(css))


def shows(b, screen, css, *texts):
    """Waits until css shows every text literally; then checks it."""
    try:
        b.wait(lambda d: all(t in b.text(css) for t in texts), timeout=10)
    except Exception:
        pass
    got = b.text(css)
    for t in texts:
        check(f"{screen}: {css} shows {NAMES.get(t, t)} as text", t in got, got[:300])
    if X4 in texts:
        check(f"{screen}: &lt;b&gt; is not unescaped to <b>", "<b>" not in got, got[:300])


def clean(b, screen):
    made = b.d.execute_script(MADE)
    check(f"{screen}: no element was made from the data", not made, made)
    check(f"{screen}: no script ran (no alert)", b.no_alert())


def visit(b, staff, secret, page, shot):
    """Signs STAFF in (the previous member signed out) and opens PAGE."""
    if b.find_all("#signout") and b.find("#signout").is_displayed():
        b.click("#signout")
        b.wait(lambda d: d.current_url.endswith("/index.html"))
    b.sign_in(staff, secret)
    b.wait(lambda d: not d.current_url.endswith("/index.html"))
    if not b.d.current_url.endswith("/" + page):
        b.open(page)
    b.wait(lambda d: d.current_url.endswith("/" + page.split("?")[0]) or ("/" + page) in d.current_url)
    b.live()
    return shot


def main():
    with Page(1280, 800) as b:
        try:
            screens(b)
        except Exception:
            b.shot("markup-failure")
            print("page at failure:", b.d.current_url, b.text("body")[:3000], flush=True)
            raise
    done()


def screens(b):
    # the advisor's counter: today's appointment, the vehicle's card, the extra defect
    visit(b, "adv-wang", "adv-wang-pass-1", "counter.html", "")
    shows(b, "counter today", "#today", X1, X4)
    clean(b, "counter today")
    b.type("#search", "LU-M0001")
    b.click("#search-go")
    b.wait(lambda d: b.text("#card-plate") == "LU-M0001")
    check("counter: the owner is exactly the name", b.text("#card-owner") == X1, b.text("#card-owner"))
    shows(b, "counter card", "#card-model", X4)
    shows(b, "counter card", "#card-recalls", X3)
    shows(b, "counter card", "#card-history", X2)
    clean(b, "counter card")
    b.shot("markup-counter-card")
    b.press('#tabs [data-tab="waiting"]')
    shows(b, "counter waiting", "#extras", X3)
    shows(b, "counter waiting", "#approvals", X1)
    clean(b, "counter waiting")
    b.shot("markup-counter-waiting")
    b.press('#tabs [data-tab="followups"]')
    shows(b, "counter follow-ups", "#followups", X1)
    clean(b, "counter follow-ups")
    # the invoice of the delivered RO
    b.open("invoice.html?ro=RO-2")
    b.wait(lambda d: b.text("#ro") == "RO-2")
    check("invoice: the customer is exactly the name", b.text("#customer-name") == X1, b.text("#customer-name"))
    shows(b, "invoice", "#doc", X2, X4)
    clean(b, "invoice")
    b.shot("markup-invoice")

    # the information clerk: the day's appointments, the follow-up call, the complaint
    visit(b, "clerk-sun", "clerk-sun-pass-1", "clerk.html", "")
    shows(b, "clerk appointments", "#day-list", X1, X4)
    clean(b, "clerk appointments")
    for name, css, x in (("followups", "#followups", X1), ("complaints", "#complaints", X3)):
        b.press(f'#tabs [data-tab="{name}"]')
        shows(b, f"clerk {name}", css, x)
        clean(b, f"clerk {name}")
    b.shot("markup-clerk")

    # the front-desk manager: the approval and the complaint
    visit(b, "fdm-li", "fdm-li-pass-1", "frontdesk.html", "")
    shows(b, "frontdesk approvals", "#approvals", X1, X2)
    shows(b, "frontdesk complaints", "#complaints", X3)
    clean(b, "frontdesk")
    b.shot("markup-frontdesk")

    # the foreman's board and the dispatch form
    visit(b, "foreman-liu", "foreman-liu-pass-1", "board.html", "")
    b.wait(lambda d: b.has('li.job[data-ro="RO-1"]'))
    check("board: the concern is exactly the text", b.text('li.job[data-ro="RO-1"] .concern') == X2,
          b.text('li.job[data-ro="RO-1"] .concern'))
    clean(b, "board")
    b.shot("markup-board")
    # the tool room as the foreman sees it
    b.open("toolroom.html")
    shows(b, "toolroom", "main", X1)
    clean(b, "toolroom (foreman)")

    # the technician's tablet: the job and the tool loan
    visit(b, "tech-01", "2468", "tablet.html", "")
    b.wait(lambda d: b.has('li.tjob[data-ro="RO-1"]'))
    check("tablet: the concern is exactly the text", b.text('li.tjob[data-ro="RO-1"] .tjob-concern') == X2,
          b.text('li.tjob[data-ro="RO-1"] .tjob-concern'))
    shows(b, "tablet loans", 'li.tloan[data-loan="L-1"]', X1)
    clean(b, "tablet")
    b.shot("markup-tablet")

    # QC: the RO due and the certificate of RO-2
    visit(b, "qc-ma", "qc-ma-pass-1", "qc.html", "")
    b.wait(lambda d: b.has('#due li[data-ro="RO-4"]'))
    shows(b, "qc due", '#due li[data-ro="RO-4"] .concern', X2)
    b.press('#due li[data-ro="RO-4"]')
    b.wait(lambda d: b.has('#inspect-jobs tr[data-job="1"]'))
    shows(b, "qc inspection", "#inspect-jobs", X2)
    clean(b, "qc")
    b.shot("markup-qc")
    b.open("qccert.html?ro=RO-2")
    b.wait(lambda d: b.text("#cert-ro") == "RO-2")
    shows(b, "qc certificate", "#cert-jobs", X2)
    clean(b, "qc certificate")
    b.shot("markup-qccert")

    # the parts counter: the part's description
    visit(b, "wh-zhou", "wh-zhou-pass-1", "parts.html", "")
    b.type("#search-text", "P-X")
    b.click('#search button[type="submit"]')
    b.wait(lambda d: b.has('#hits tbody tr[data-part="P-X"]'))
    shows(b, "parts search", '#hits tbody tr[data-part="P-X"]', X4)
    clean(b, "parts")
    # the whole stylesheet applies on screen (an unclosed @media print once hid
    # every rule after it): the tabs are touch targets
    height = b.d.execute_script("return document.querySelector('nav.tabs button').getBoundingClientRect().height")
    check("parts: the tabs are styled touch targets (44 px at least)", height >= 44, height)
    b.shot("markup-parts")

    # the warranty clerk: the claim's concern and the recall's title
    visit(b, "wty-he", "wty-he-pass-1", "warranty.html", "")
    b.wait(lambda d: b.has('#claims tbody tr[data-claim="RO-2-1"]'))
    shows(b, "warranty claims", '#claims tbody tr[data-claim="RO-2-1"]', X2)
    b.press('#claims tbody tr[data-claim="RO-2-1"]')
    b.wait(lambda d: b.text("#claim-id") == "RO-2-1")
    shows(b, "warranty claim", "#claim-fields", X2)
    clean(b, "warranty claim")
    b.shot("markup-warranty")
    b.press('#tabs [data-tab="recalls"]')
    b.type("#recall-vin", V1)
    b.click("#recall-find-go")
    shows(b, "warranty recalls", "#recalls", X3)
    clean(b, "warranty recalls")
    # the packing list of the shipment
    b.open("packing.html?shipment=S-1")
    b.wait(lambda d: "BOX-1" in b.text("main"))
    check("packing list: the carrier is exactly the text", b.text("#carrier") == X1, b.text("#carrier"))
    clean(b, "packing list")
    b.shot("markup-packing")

    # the tool room: the tool and its loan
    visit(b, "tool-xu", "tool-xu-pass-1", "toolroom.html", "")
    shows(b, "toolroom tools", "#tools", X1)
    clean(b, "toolroom")
    b.shot("markup-toolroom")

    # the service manager's dashboard and the ROs behind a figure
    visit(b, "svc-mgr", "svc-mgr-pass-1", "dashboard.html", "")
    b.wait(lambda d: b.text('.dash-figure[data-figure="vehicles handed over"] .dash-value') not in ("", "-"))
    b.press('.dash-figure[data-figure="vehicles handed over"] .dash-figure-open')
    b.wait(lambda d: "RO-2" in b.text("#ros-table"))
    clean(b, "dashboard")
    b.shot("markup-dashboard")

    # IT's tap: a customer named as markup registered while it is open
    visit(b, "it-guo", "it-guo-pass-1", "tap.html", "")
    asctl("adv-wang", "reception.customer.register", "customer_id=C-TAP", f"name={X3}", "phone=13900000009")
    asctl("adv-wang", "reception.customer.register", "customer_id=C-TAP2", f"name={X4}", "phone=13900000008")
    for cid, x in (("C-TAP", X3), ("C-TAP2", X4)):
        row = f'#events li.tap-event[data-subject="{cid}"][data-type="reception.customer.registered"]'
        b.wait(lambda d: b.has(row))
        b.press(row + " .tap-head")
        b.wait(lambda d: b.find(row + " .tap-payload").is_displayed())
        shows(b, "tap payload", row + " .tap-payload", x)
    clean(b, "tap")
    b.shot("markup-tap")

    # and in Chinese, the counter's card once more
    visit(b, "adv-wang", "adv-wang-pass-1", "counter.html", "")
    b.click("#lang")
    b.wait(lambda d: b.text('#tabs [data-tab="today"]') == "今日预约")
    b.type("#search", "LU-M0001")
    b.click("#search-go")
    b.wait(lambda d: b.text("#card-plate") == "LU-M0001")
    shows(b, "counter (zh)", "#card-owner", X1)
    clean(b, "counter (zh)")
    b.shot("markup-counter-zh")
    b.click("#lang")


main()
