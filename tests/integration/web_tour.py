#!/usr/bin/python3
"""web_tour.py — every screen as its owner sees it on a played day, driven by
test_web_tour.sh (asday played today; RO, an RO of the evening with a job on
tech-01's tablet; INVOICE_RO, a delivered RO; SHIPMENT, a warranty shipment
or ""). Each screen at tablet size, at desktop size and in Chinese, a
screenshot each (tour-<screen>-tablet/-desktop/-zh.png), and on each what a
user would notice: a label key shown raw, NaN/undefined/null/[object
Object], raw microseconds, an amount without its currency, an empty main
list, the header's links to the member's other screens. Environment:
webtest.py's, DAY, RO, VIN, INVOICE_RO, SHIPMENT."""
import os

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from webtest import XSS, Browser, asctl, check, done

RO = os.environ["RO"]
INVOICE_RO = os.environ["INVOICE_RO"]
SHIPMENT = os.environ.get("SHIPMENT", "")

# (member, secret, [(page, the main list: a css of its rows, or None)],
#  the header links the member has on their home screen)
TOUR = [
    ("adv-wang", "advisor-pass-1", [("counter.html", "#ready tr, #today tr, #followups tr, #consents tr"),
                                    (f"invoice.html?ro={INVOICE_RO}", "table tbody tr")], []),
    ("fdm-li", "front-desk-pass", [("frontdesk.html", "#comebacks tbody tr, #comebacks li"),
                                   ("quality.html", "#comebacks tbody tr, #actions tbody tr")],
     ["counter.html", "dashboard.html", "quality.html", "staff.html"]),
    ("foreman-liu", "board-pass-1", [("board.html", ".column li")],
     ["qc.html", "toolroom.html"]),
    ("qc-ma", "qc-pass-123", [("qc.html", "#passed tr, #passed li"),
                              ("qccert.html?ro=" + INVOICE_RO, "table tbody tr")], []),
    ("tech-01", "2468", [("tablet.html", "#jobs > *, #loans > *")], []),
    ("tool-xu", "tool-room-1", [("toolroom.html", "#loans tbody tr")], []),
    ("wh-zhou", "parts-pass-1", [("parts.html", "#backorders tbody tr, #receipts tbody tr, #hits tbody tr")], []),
    ("parts-mgr", "parts-pass-2", [("dashboard.html", "#figures .dash-figure")], ["dashboard.html"]),
    ("wty-he", "warranty-pass-1", [("warranty.html", "#claims tbody tr, #claims li")] +
     ([(f"packing.html?shipment={SHIPMENT}", "table tbody tr")] if SHIPMENT else []), []),
    ("svc-mgr", "manager-pass-1", [("dashboard.html", "#figures .dash-figure"),
                                   ("staff.html?person=tech-01", "#card-sections tbody tr"),
                                   ("reports.html", "#list tbody tr")],
     ["counter.html", "board.html", "frontdesk.html", "qc.html", "toolroom.html", "parts.html",
      "warranty.html", "tap.html", "staff.html", "quality.html", "reports.html"]),
    ("it-guo", "it-pass-123", [("tap.html", "#events li.tap-event")], []),
]

# What a user must never see: run in the page, returns the offending texts
# (each with the element's tag and class, to find it)
SCAN = r"""
const bad = [];
const visible = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n; (n = walker.nextNode()); ) {
  const el = n.parentElement, t = n.textContent.trim();
  if (!t || !visible(el) || el.closest('script, style')) continue;
  const where = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + (el.id ? '#' + el.id : '');
  // the tap shows event types (workshop.job.dispatched) on purpose
  if (/^[a-z_]+\.[a-z_.]+$/.test(t) && !el.closest('#events')) bad.push('a label key: ' + t + ' in ' + where);
  if (/\bNaN\b|\bundefined\b|\bnull\b|\[object Object\]/.test(t)) bad.push('a value: ' + t + ' in ' + where);
  if (/\d{13,}/.test(t)) bad.push('raw microseconds: ' + t + ' in ' + where);
}
for (const el of document.querySelectorAll('[placeholder], [title]')) {
  for (const t of [el.getAttribute('placeholder'), el.getAttribute('title')])
    if (t && /^[a-z_]+\.[a-z_.]*[a-z_]$/.test(t.trim()) && visible(el)) bad.push('a label key: ' + t + ' in ' + el.id);
}
return bad;
"""


# the page's width and the screen's, and what sticks out on the right
WIDE = r"""
const w = window.innerWidth, out = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.right > w + 1 && r.width > 0) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') + ' ' + Math.round(r.right));
}
return [document.documentElement.scrollWidth, w, out.slice(0, 6).join(', ')];
"""


# the touch targets lower than 44 px (buttons, links of the header, fields):
# on a tablet a finger must hit them (and a page without its style shows them)
SMALL = r"""
const out = [];
for (const el of document.querySelectorAll('button, select, input:not([type=checkbox]):not([type=radio]), header nav a')) {
  const r = el.getBoundingClientRect();
  if (r.width > 0 && r.height > 0 && r.height < 43.5 && !el.closest('.doc, .sheet'))
    out.push((el.id || el.dataset.label || el.dataset.tab || el.textContent.trim().slice(0, 20) || el.tagName) + ' ' + Math.round(r.height));
}
return out;
"""


def page_name(page):
    return page.split(".html")[0]


def scan(b, where):
    bad = b.d.execute_script(SCAN)
    check(f"{where}: nothing raw on screen", not bad, "; ".join(bad[:8]))


def rows(b, css):
    return b.d.execute_script(
        "return [...document.querySelectorAll(arguments[0])].filter((e) => e.getClientRects().length).length", css)


def loaded(b, css):
    """Waits until the page has drawn its main list (rows), else a while for it to settle."""
    if css:
        try:
            b.wait(lambda d: rows(b, css) > 0, timeout=15)
        except Exception:
            pass
    b.wait(lambda d: d.execute_script("return document.readyState") == "complete")


def money_shown(b, where):
    """Every amount on screen carries the site's currency: a number of two
    decimals from 100.00 up (a CSI score, 8.67, is not an amount) shown
    alone is an amount without it."""
    amounts = b.d.execute_script(r"""
      const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n; (n = walker.nextNode()); ) {
        const t = n.textContent.trim();
        if (n.parentElement.getClientRects().length && /^-?(\d{1,3}(,\d{3})+|\d{3,})\.\d\d$/.test(t)) out.push(t);
      }
      return out;""")
    check(f"{where}: amounts shown with the currency", not amounts, ", ".join(amounts[:5]))


def size(b, width, height):
    """The page's viewport exactly WIDTHxHEIGHT (a window's size includes
    what the browser takes of it)."""
    b.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def visit(b, member, page, css, size):
    where = f"{member} {page_name(page)} ({size})"
    if b.d.current_url.split("/")[-1] != page:
        b.open(page)
    if page == "parts.html":  # the day's receipts (its morning and afternoon deliveries)
        b.wait(lambda d: b.find('#tabs [data-tab="receipts"]').is_displayed())
        b.click('#tabs [data-tab="receipts"]')
    loaded(b, css)
    if css:
        check(f"{where}: the main list is not empty", rows(b, css) > 0, css)
    scan(b, where)
    money_shown(b, where)
    if size == "tablet":
        small = b.d.execute_script(SMALL)
        check(f"{where}: touch targets of 44 px", not small, ", ".join(small[:8]))
    wide = b.d.execute_script(WIDE)
    check(f"{where}: nothing wider than the screen", wide[0] <= wide[1], wide)
    if size == "tablet":  # the title, the screens, who and the buttons: one line of 44 px targets
        tall = b.d.execute_script("return Math.round(document.querySelector('header').getBoundingClientRect().height)")
        check(f"{where}: the header is one line", tall <= 80, f"{tall} px")
    b.shot(f"tour-{page_name(page)}-{size}")


def screens_menu(b, member, home):
    """A manager's many screens fold into the header's "Screens" menu: it
    opens over the page with every link shown, and Escape closes it."""
    where = f"{member} on {home}"
    b.click("header details.screens-menu > summary")
    b.wait(lambda d: d.execute_script("return document.querySelector('header details.screens-menu').open"))
    covered = b.d.execute_script(
        "const r = document.querySelector('header nav.screens').getBoundingClientRect();"
        "return r.right <= window.innerWidth + 1 && r.bottom <= window.innerHeight;")
    check(f"{where}: the Screens menu shows every link on the screen", covered)
    b.shot("tour-screens-menu-tablet")
    ActionChains(b.d).send_keys(Keys.ESCAPE).perform()
    b.wait(lambda d: not d.execute_script("return document.querySelector('header details.screens-menu').open"))


def chinese(b, member, page, css):
    """The language button: the page in Chinese, as the member switches."""
    where = f"{member} {page_name(page)} (zh)"
    b.click("#lang")
    b.wait(lambda d: d.execute_script("return document.documentElement.lang") == "zh-CN")
    b.open(page)  # read again in Chinese (the choice is remembered)
    if page == "parts.html":
        b.wait(lambda d: b.find('#tabs [data-tab="receipts"]').is_displayed())
        b.click('#tabs [data-tab="receipts"]')
    # the tap lists what arrives while it is open: read again, it starts empty
    loaded(b, None if page == "tap.html" else css)
    scan(b, where)
    title = b.text("header h1")
    check(f"{where}: the title is Chinese", any("\u4e00" <= c <= "\u9fff" for c in title), title)
    if page == "dashboard.html" and member == "svc-mgr":
        refused_in_chinese(b)
    b.shot(f"tour-{page_name(page)}-zh")
    b.click("#lang")
    b.wait(lambda d: d.execute_script("return document.documentElement.lang") == "en")


def refused_in_chinese(b):
    """A target kpi refuses (0), on the Chinese page: the page's own lead-in
    for the API's code (AS_EINVALID) before the service's words, in Chinese."""
    card = '.dash-figure[data-figure="labour efficiency"]'
    b.click(card + " .dash-target-set")
    b.type(card + " .dash-target-input", "0")
    b.click(card + " .dash-target-save")
    b.wait(lambda d: b.text(card + " .dash-target-error"))
    error = b.text(card + " .dash-target-error")
    # the service's text in Chinese (refusals.json's template of its format),
    # the figure named as the dashboard names it
    check("a refusal on the Chinese page: its lead-in in Chinese, then the service's refusal in Chinese",
          error == "输入有误：“工时效率”的目标值 0 无效：须为大于 0 的数", error)


def tap_follows(b):
    """An event made elsewhere (the advisor logs a complaint) arrives on the
    open tap, shown as text."""
    b.live()
    asctl("adv-wang", "reception.complaint.log", "complaint_id=CMP-TOUR", f"ro_number={INVOICE_RO}",
          "channel=phone", f"text={XSS}")
    b.wait(lambda d: d.find_elements("css selector", '#events li.tap-event[data-subject="CMP-TOUR"]'))


def main():
    with Browser(1280, 800) as b:
        b.open("index.html")
        b.wait(lambda d: d.find_element("id", "staff_id").is_displayed())
        b.shot("tour-index-tablet")
        for member, secret, pages, links in TOUR:
            size(b, 1280, 800)
            b.sign_in(member, secret)
            b.wait(lambda d: not d.current_url.endswith("/index.html"))
            home = b.d.current_url.split("/")[-1]
            b.wait(lambda d: d.execute_script("return document.getElementById('who').textContent") == member)
            shown = b.d.execute_script(
                "return [...document.querySelectorAll('header nav.screens a')].map((a) => a.getAttribute('href'))")
            check(f"{member} on {home}: the header links their other screens", set(links) <= set(shown),
                  f"{shown} lacks some of {links}")
            if b.find_all("header details.screens-menu"):
                screens_menu(b, member, home)
            for page, css in pages:
                if page == "tap.html":
                    tap_follows(b)
                visit(b, member, page, css, "tablet")
                size(b, 1600, 1000)
                visit(b, member, page, css, "desktop")
                chinese(b, member, page, css)
                size(b, 1280, 800)
            check(f"{member}: no alert (markup shown as text)", b.no_alert())
            b.click("#signout")
            b.wait(lambda d: d.current_url.endswith("/index.html"))
    done()


main()
