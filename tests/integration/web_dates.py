#!/usr/bin/python3
"""web_dates.py — dates and times typed on a page follow the page's language,
not the browser's: driven by test_web_dates.sh (the dealership, as-web, the
clerk clerk-sun, customer C1's car VIN with plate 鲁A88888). The clerk books
on the English page of a Chinese browser, then on the Chinese page of an
English browser. Environment: webtest.py's, VIN."""
import datetime
import os

from selenium.webdriver.common.keys import Keys
from webtest import Browser, asctl, check, done

VIN = os.environ["VIN"]
TODAY = datetime.date.today()
D1 = TODAY + datetime.timedelta(days=3)  # booked on the English page
D2 = TODAY + datetime.timedelta(days=4)  # booked on the Chinese page


def booked(day):
    """reception's appointments of the car on `day` (asctl)."""
    got = asctl("clerk-sun", "reception.appointment.queue", f"date={day.isoformat()}").get("appointments", [])
    return [a for a in got if a.get("vin") == VIN]


def open_booking(b):
    b.type("#search", "A88888")
    b.click("#search-go")
    b.wait(lambda d: b.find("#book-form").is_displayed() and b.text("#book-plate") == "鲁A88888")


def retype(b, css, text):
    """Types over what the field holds, as a person selecting it all does (no
    clear(): the day's list reads today's when its field is left empty)."""
    e = b.find(css)
    e.send_keys(Keys.CONTROL, "a")
    e.send_keys(text)


def value(b, css):
    return b.find(css).get_attribute("value")


def native_pickers(b):
    """The page's inputs that are still the browser's own date/time pickers."""
    return b.d.execute_script("return [...document.querySelectorAll('input')]"
                              ".filter((i) => ['date', 'time', 'month', 'datetime-local'].includes(i.type)).length")


def main():
    # --- an English page in a Chinese browser --------------------------------
    with Browser(1280, 800, lang="zh-CN") as b:
        b.sign_in("clerk-sun", "clerk-pass-1")
        b.wait(lambda d: d.current_url.endswith("/clerk.html"))
        if b.find("html").get_attribute("lang") != "en":  # the Chinese browser opened the page in Chinese
            b.click("#lang")
        b.wait(lambda d: b.text("h1") == "Information desk" or b.find("html").get_attribute("lang") == "en")
        check("no input is the browser's own date or time picker", native_pickers(b) == 0, native_pickers(b))
        open_booking(b)
        check("the date's format in English", b.find("#book-date").get_attribute("placeholder") == "YYYY-MM-DD",
              b.find("#book-date").get_attribute("placeholder"))
        check("the time's format in English", b.find("#book-time").get_attribute("placeholder") == "HH:MM")
        check("today proposed in ISO", value(b, "#book-date") == TODAY.isoformat(), value(b, "#book-date"))
        # 30 February is not a date: said beside the field, nothing booked
        b.type("#book-date", f"{D1.year}-02-30")
        b.type("#book-time", "9:30")
        b.type("#book-reason", "maintenance")
        b.click("#book-go")
        b.wait(lambda d: b.text("#book-date + .date-error"))
        said = b.text("#book-date + .date-error")
        check("a date that is not one is refused in English", said == "Not a date: write it as YYYY-MM-DD, e.g. 2026-12-04", said)
        check("the time typed 9:30 reads 09:30", value(b, "#book-time") == "09:30", value(b, "#book-time"))
        check("nothing was booked", not booked(D1) and not b.find("#booked").is_displayed())
        b.shot("dates-en-bad")
        # the date as people write it with slashes: the day booked, in ISO
        b.type("#book-date", f"{D1.year}/{D1.month}/{D1.day}")
        b.click("#book-reason")  # leaving the field
        check("the date typed with slashes reads in ISO", value(b, "#book-date") == D1.isoformat(), value(b, "#book-date"))
        check("the error is gone", b.text("#book-date + .date-error") == "")
        b.click("#book-go")
        b.wait(lambda d: b.find("#booked").is_displayed())
        mine = booked(D1)
        check("reception has the slot typed on the English page", [a["slot"] for a in mine] == [f"{D1.isoformat()}T09:30"], mine)
        check("the page says it in ISO", f"{D1.isoformat()} 09:30" in b.text("#booked"), b.text("#booked"))
        b.wait(lambda d: value(b, "#day") == D1.isoformat() and "09:30" in b.text("#day-list"))
        b.shot("dates-en")

    # --- a Chinese page in an English browser --------------------------------
    with Browser(1280, 800, lang="en-US") as b:
        b.sign_in("clerk-sun", "clerk-pass-1")
        b.wait(lambda d: d.current_url.endswith("/clerk.html"))
        b.wait(lambda d: b.find("#lang").text)
        if b.find("html").get_attribute("lang") != "zh-CN":
            b.click("#lang")
        b.wait(lambda d: b.find("#day").get_attribute("placeholder") == "年-月-日")
        open_booking(b)
        check("the date's format in Chinese", b.find("#book-date").get_attribute("placeholder") == "年-月-日")
        check("the time's format in Chinese", b.find("#book-time").get_attribute("placeholder") == "时:分")
        b.type("#book-date", f"{D2.year}年{D2.month}月{D2.day}日")
        b.type("#book-time", "25:00")
        b.type("#book-reason", "保养")
        b.click("#book-go")
        b.wait(lambda d: b.text("#book-time + .date-error"))
        said = b.text("#book-time + .date-error")
        check("a time that is not one is refused in Chinese", said == "时间无效：请按 时:分（24小时制）填写，如 14:30", said)
        check("the date typed 年月日 reads in ISO", value(b, "#book-date") == D2.isoformat(), value(b, "#book-date"))
        check("nothing was booked", not booked(D2))
        b.shot("dates-zh-bad")
        b.type("#book-time", "14点30")
        b.click("#book-go")
        b.wait(lambda d: b.find("#booked").is_displayed())
        mine = booked(D2)
        check("reception has the slot typed on the Chinese page", [a["slot"] for a in mine] == [f"{D2.isoformat()}T14:30"], mine)
        b.wait(lambda d: value(b, "#day") == D2.isoformat() and "14:30" in b.text("#day-list"))
        # the day's list read for a day typed the Chinese way
        retype(b, "#day", f"{D1.year}年{D1.month}月{D1.day}日")
        b.click("#search")
        b.wait(lambda d: value(b, "#day") == D1.isoformat() and "09:30" in b.text("#day-list"))
        check("the day typed 年月日 lists that day's booking", "14:30" not in b.text("#day-list"))
        b.shot("dates-zh")
    done()


main()
