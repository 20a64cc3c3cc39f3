#!/usr/bin/python3
"""web_browser.py — the foreman's board in real headless Chromium (Debian's
chromium + chromedriver, python3-selenium), driven by test_web_browser.sh,
which started the dealership and as-web and made one RO whose concern is
markup. Environment: WEB_URL, ASCTL, CONFIG, SHOTS (screenshots dir), RO.
Waits are explicit (WebDriverWait on what the page shows), never sleeps."""
import os
import subprocess
import sys

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

URL, SHOTS, RO = os.environ["WEB_URL"], os.environ["SHOTS"], os.environ["RO"]
XSS = "<img src=x onerror=alert(1)>"
failures = []


def check(what, ok, detail=""):
    print(("ok: " if ok else "FAIL: ") + what + (f" ({detail})" if detail and not ok else ""), flush=True)
    if not ok:
        failures.append(what)


def browser(width, height):
    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--lang=en-US"):
        opts.add_argument(arg)
    opts.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def sign_in(driver, staff_id, secret):
    driver.get(URL + "/index.html")
    wait = WebDriverWait(driver, 20)
    wait.until(lambda d: d.find_element(By.ID, "staff_id").is_displayed())
    driver.find_element(By.ID, "staff_id").clear()
    driver.find_element(By.ID, "staff_id").send_keys(staff_id)
    driver.find_element(By.ID, "secret").send_keys(secret)
    driver.find_element(By.ID, "signin").click()


def cards(driver, status):
    return driver.find_elements(By.CSS_SELECTOR, f'.column[data-status="{status}"] li.job[data-ro="{RO}"]')


def asctl(actor, *args):
    subprocess.run([os.environ["ASCTL"], "--json", "--config", os.environ["CONFIG"], "--actor", actor,
                    "call", *args], check=True, stdout=subprocess.DEVNULL)


def main():
    tablet = browser(1280, 800)  # a 10" tablet, landscape
    try:
        wait = WebDriverWait(tablet, 30)
        sign_in(tablet, "foreman-liu", "wrong-secret")
        wait.until(lambda d: d.find_element(By.ID, "error").text != "")
        check("a wrong secret is refused on the page",
              "wrong staff id or secret" in tablet.find_element(By.ID, "error").text,
              tablet.find_element(By.ID, "error").text)
        tablet.save_screenshot(f"{SHOTS}/signin-refused.png")

        sign_in(tablet, "foreman-liu", "board-pass-1")
        wait.until(lambda d: d.current_url.endswith("/board.html") and cards(d, "WORK_WAITING"))
        card = cards(tablet, "WORK_WAITING")[0]
        concern = card.find_element(By.CSS_SELECTOR, ".concern").text
        check("the concern is shown as text", concern == XSS, concern)
        check("no element was made from it", not card.find_elements(By.TAG_NAME, "img"))
        try:
            tablet.switch_to.alert
            check("no script ran from it (no alert)", False)
        except NoAlertPresentException:
            check("no script ran from it (no alert)", True)
        cookie = tablet.execute_script("return document.cookie")
        check("the session cookie is not readable from script", "as_session" not in cookie, cookie)
        wait.until(lambda d: d.find_element(By.ID, "live").text == "live")
        tablet.save_screenshot(f"{SHOTS}/board-tablet.png")

        # another member changes the workshop: the open board follows live
        tablet.execute_script("window.__same_page = true")
        asctl("foreman-liu", "workshop.job.dispatch", f"ro_number={RO}", "job_no=1",
              "tech_id=tech-01", "bay_id=B1")
        wait.until(lambda d: cards(d, "WORK_DISPATCHED"))
        check("the dispatched job moved without a reload",
              not cards(tablet, "WORK_WAITING") and tablet.execute_script("return window.__same_page === true"))
        bays = tablet.find_element(By.ID, "bays").text
        check("the bay shows the RO", RO in bays, bays)
        tablet.save_screenshot(f"{SHOTS}/board-dispatched.png")

        tablet.find_element(By.ID, "lang").click()
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, '[data-status="WORK_WAITING"] h2').text == "待派工")
        tablet.save_screenshot(f"{SHOTS}/board-zh.png")
    finally:
        tablet.quit()

    desktop = browser(1600, 1000)
    try:
        sign_in(desktop, "foreman-liu", "board-pass-1")
        WebDriverWait(desktop, 30).until(lambda d: cards(d, "WORK_DISPATCHED"))
        desktop.save_screenshot(f"{SHOTS}/board-desktop.png")
    finally:
        desktop.quit()
    if failures:
        print(f"{len(failures)} browser check(s) failed", flush=True)
        sys.exit(1)


main()
