#!/usr/bin/python3
"""web_browser.py — the foreman's board in real headless Chromium, driven by
test_web_browser.sh, which started the dealership and as-web and made one RO
whose concern is markup. Environment: webtest.py's, and RO."""
import os

from webtest import XSS, Browser, asctl, check, done

RO = os.environ["RO"]


def cards(b, status):
    return b.find_all(f'.column[data-status="{status}"] li.job[data-ro="{RO}"]')


def main():
    with Browser(1280, 800) as tablet:  # a 10" tablet, landscape
        tablet.sign_in("foreman-liu", "wrong-secret")
        tablet.wait(lambda d: tablet.text("#error") != "")
        check("a wrong secret is refused on the page", "wrong staff id or secret" in tablet.text("#error"),
              tablet.text("#error"))
        tablet.shot("signin-refused")

        tablet.sign_in_to("foreman-liu", "board-pass-1", "board.html")
        tablet.wait(lambda d: d.current_url.endswith("/board.html") and cards(tablet, "WORK_WAITING"))
        card = cards(tablet, "WORK_WAITING")[0]
        concern = card.find_element("css selector", ".concern").text
        check("the concern is shown as text", concern == XSS, concern)
        check("no element was made from it", not card.find_elements("tag name", "img"))
        check("no script ran from it (no alert)", tablet.no_alert())
        cookie = tablet.d.execute_script("return document.cookie")
        check("the session cookie is not readable from script", "as_session" not in cookie, cookie)
        tablet.live()
        tablet.shot("board-tablet")

        # another member changes the workshop: the open board follows live
        tablet.d.execute_script("window.__same_page = true")
        asctl("foreman-liu", "workshop.job.dispatch", f"ro_number={RO}", "job_no=1",
              "tech_id=tech-01", "bay_id=B1")
        tablet.wait(lambda d: cards(tablet, "WORK_DISPATCHED"))
        check("the dispatched job moved without a reload",
              not cards(tablet, "WORK_WAITING") and tablet.d.execute_script("return window.__same_page === true"))
        bays = tablet.text("#bays")
        check("the bay shows the RO", RO in bays, bays)
        tablet.shot("board-dispatched")

        tablet.click("#lang")
        tablet.wait(lambda d: tablet.text('[data-status="WORK_WAITING"] h2') == "待派工")
        tablet.shot("board-zh")

    with Browser(1600, 1000) as desktop:
        desktop.sign_in_to("foreman-liu", "board-pass-1", "board.html")
        desktop.wait(lambda d: cards(desktop, "WORK_DISPATCHED"))
        desktop.shot("board-desktop")
    done()


main()
