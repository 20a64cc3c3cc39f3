"""webtest.py — what every browser test shares: real headless Chromium
(Debian's chromium + chromedriver through python3-selenium), signing in on
the real sign-in page, checks that print and count, asctl as another member
would use it, screenshots. A test script imports it:

    from webtest import Browser, check, asctl, done
    with Browser(1280, 800) as b:          # a 10" tablet, landscape
        b.sign_in("adv-wang", "advisor-pass")
        b.wait(lambda d: d.current_url.endswith("/counter.html"))
        check("the counter shows the RO", "R2612" in b.text("#ros"))
        b.shot("counter")
    done()                                  # exit 1 if any check failed

Environment (set by the test's .sh through web_lib.sh): WEB_URL, ASCTL,
CONFIG, SHOTS (the screenshot directory). Waits are explicit (on what the
page shows), never sleeps."""
import json
import math
import os
import subprocess
import sys

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

# Pages redraw their lists on every read and live event, so an element
# found a moment ago may be gone: these read and act on what the page has
# NOW, in one script each (a test imports them: `from webtest import text`).


def text(b, css):
    """The text css shows now, read in one go ('' if none): a redraw cannot stale it."""
    return b.d.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css)


def count(b, css):
    """How many elements match css now."""
    return b.d.execute_script("return document.querySelectorAll(arguments[0]).length", css)


def click(b, css):
    """Clicks css as it is now (a redrawn row's button is a new element), once there is one."""
    b.wait(lambda d: d.execute_script("const e = document.querySelector(arguments[0]); if (!e) return false;"
                                      " e.click(); return true;", css))


def wait(b, condition, timeout=30):
    """b.wait, trying again when the page redrew what the condition looked at."""
    return WebDriverWait(b.d, timeout, ignored_exceptions=[StaleElementReferenceException]).until(condition)


URL = os.environ["WEB_URL"]
SHOTS = os.environ.get("SHOTS", ".")
XSS = "<img src=x onerror=alert(1)>"
failures = []


def check(what, ok, detail=""):
    """Prints ok/FAIL and the detail of a failure; done() exits 1 after any."""
    print(("ok: " if ok else "FAIL: ") + what + (f" ({detail})" if detail and not ok else ""), flush=True)
    if not ok:
        failures.append(what)
    return ok


def done():
    if failures:
        print(f"{len(failures)} browser check(s) failed", flush=True)
        sys.exit(1)


def money(cents, currency="CNY"):
    """As App.money shows an amount: "1,234.50 CNY" (no currency: the number alone)."""
    whole = f"{abs(cents) // 100:,}"
    text = ("-" if cents < 0 else "") + f"{whole}.{abs(cents) % 100:02d}"
    return text + " " + currency if currency else text


def kpi_shown(f, currency="CNY"):
    """A kpi.report figure as the English dashboard must show it (asctl's human rule, with units)."""
    if not f.get("defined"):
        return "-"
    unit, v = f.get("unit", ""), f.get("value", 0)
    if unit == "%":
        return f"{v:.1f}%"
    if unit == "cents":
        return money(int(math.floor(v + 0.5)), currency)
    if unit == "":
        return f"{v:.0f}"
    if unit == "h":
        return f"{v:.2f} h"
    if unit == "days":
        return f"{v:.1f} days"
    if unit == "lines/h":
        return f"{v:.2f} lines/h"
    return f"{v:.2f}"


def asctl(actor, *args):
    """`asctl call ARGS` as ACTOR; returns the reply (JSON), raises on failure."""
    out = subprocess.run([os.environ["ASCTL"], "--json", "--config", os.environ["CONFIG"], "--actor", actor,
                          "call", *args], check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out).get("reply") if out.strip() else None


class Browser:
    """One headless Chromium window of the given size, with helpers."""

    def __init__(self, width=1280, height=800, lang="en-US"):
        opts = webdriver.ChromeOptions()
        # the background-networking flags: this machine's closed network
        # refuses Chromium's own connections (updates, sync) at every start
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    f"--window-size={width},{height}", f"--lang={lang}"):
            opts.add_argument(arg)
        opts.binary_location = "/usr/bin/chromium"
        self.d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.d.quit()

    def wait(self, condition, timeout=30):
        """Waits until condition(driver) is truthy; returns its value."""
        return WebDriverWait(self.d, timeout).until(condition)

    def sign_in(self, staff_id, secret):
        self.d.get(URL + "/index.html")
        self.wait(lambda d: d.find_element(By.ID, "staff_id").is_displayed())
        self.d.find_element(By.ID, "staff_id").clear()
        self.d.find_element(By.ID, "staff_id").send_keys(staff_id)
        self.d.find_element(By.ID, "secret").send_keys(secret)
        self.d.find_element(By.ID, "signin").click()

    def sign_in_to(self, staff_id, secret, page):
        """Signs in and opens PAGE: the member lands on their home screen
        (App.home) and, if PAGE is another, follows its link in the header."""
        self.sign_in(staff_id, secret)
        self.wait(lambda d: not d.current_url.endswith("/index.html"))
        if not self.d.current_url.endswith("/" + page):
            self.follow(page)

    def follow(self, page):
        """Goes to PAGE through its link in the header, as a member does: a
        manager's links are in the "Screens" menu, opened first."""
        link = f'header nav.screens a[href="{page}"]'
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, link))
        menu = self.find_all("header details.screens-menu:not([open]) > summary")
        if menu:
            menu[0].click()
        self.wait(lambda d: self.find(link).is_displayed())
        self.click(link)
        self.wait(lambda d: d.current_url.endswith("/" + page))

    def open(self, page):
        self.d.get(URL + "/" + page)

    def find(self, css):
        return self.d.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def text(self, css):
        """The visible text of the first element matching css ('' if none)."""
        found = self.d.find_elements(By.CSS_SELECTOR, css)
        return found[0].text if found else ""

    def _act(self, css, act):
        """act(element) on the element matching css, found again when the page
        redrew it in between (a row redrawn as an event arrives is a new
        element: the one found a moment before is stale): `wait` above looks
        again on a stale element. A WebDriver action, not a script's, so a
        hidden or covered element still fails as it would for a person."""
        return wait(self, lambda d: act(self.find(css)) or True)

    def type(self, css, value):
        def clear_and_type(e):
            e.clear()
            e.send_keys(value)
        self._act(css, clear_and_type)

    def click(self, css):
        self._act(css, lambda e: e.click())

    def live(self):
        """Waits until the page follows the live event stream."""
        self.wait(lambda d: d.find_element(By.ID, "live").text in ("live", "实时"))

    def no_alert(self):
        """True when no script raised an alert (markup shown as text)."""
        try:
            self.d.switch_to.alert
            return False
        except NoAlertPresentException:
            return True

    def shot(self, name):
        """Keeps a screenshot SHOTS/name.png as a test artefact."""
        os.makedirs(SHOTS, exist_ok=True)
        self.d.save_screenshot(f"{SHOTS}/{name}.png")
