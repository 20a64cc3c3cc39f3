#!/usr/bin/python3
"""web_clerk_lists.py — the information clerk's renewals, greetings and the
day's business (clerk_lists.js) in real headless Chromium, driven by
test_web_clerk_lists.sh, which started the dealership and as-web and seeded
C1 (named as markup, birthday today, insurance of VIN ending in 20 days),
C2 王小明 (birthday today, insurance of VIN2 ending today, an RO opened
today) and C3 (birthday today, opted out). Environment: webtest.py's, VIN, VIN2."""
import os
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import Select
from webtest import XSS, Browser, asctl, check, done, kpi_shown, money

VIN = os.environ["VIN"]
VIN2 = os.environ["VIN2"]
TODAY = time.strftime("%Y-%m-%d")


class Desk(Browser):
    """The lists are redrawn when an event arrives: a wait looks again."""

    def wait(self, condition, timeout=30):
        def again(d):
            try:
                return condition(d)
            except StaleElementReferenceException:
                return False
        return super().wait(again, timeout)

    def text(self, css):
        for _ in range(10):
            try:
                return super().text(css)
            except StaleElementReferenceException:
                continue
        return super().text(css)


def fresh(action):
    for _ in range(50):
        try:
            return action()
        except StaleElementReferenceException:
            time.sleep(0.1)
    return action()


def tab(b, name):
    b.click(f'#tabs [data-tab="{name}"]')
    b.wait(lambda d: b.find(f'.counter-panel[data-panel="{name}"]').is_displayed())


def rate():
    report = asctl("clerk-sun", "kpi.report", "month=" + TODAY[:7], "by=department")
    return [f for f in report["rows"][0]["figures"] if f["name"] == "renewal information rate"][0]


def tablet():
    with Desk(1280, 800) as b:
        b.sign_in("clerk-sun", "clerk-pass-1")
        b.wait(lambda d: d.current_url.endswith("/clerk.html"))
        b.live()

        # --- renewals
        tab(b, "renewals")
        row = f'#renewals tr[data-vin="{VIN2}"]'
        b.wait(lambda d: b.find_all(row) and b.find_all(f'#renewals tr[data-vin="{VIN}"]'))
        check("the vehicle ending today comes first", b.find("#renewals tbody tr").get_attribute("data-vin") == VIN2)
        check("with its owner's name and phone", "王小明" in b.text(row) and "13800000002" in b.text(row), b.text(row))
        check("and the insurer", "Ping An" in b.text(row), b.text(row))
        other = f'#renewals tr[data-vin="{VIN}"]'
        check("the owner named as markup is text", XSS in b.text(other) and not b.find_all("#renewals img"))
        check("nothing collected yet", "Nothing collected yet" in b.text(row + " td.collected"))
        fresh(lambda: Select(b.find(row + " select.outcome")).select_by_value("elsewhere"))
        fresh(lambda: b.click(row + " button.record-go"))
        b.wait(lambda d: "needs the insurer" in b.text("#renewals-error"))
        check("a refusal is said on the page", "renewed elsewhere needs the insurer" in b.text("#renewals-error"))
        fresh(lambda: Select(b.find(row + " select.outcome")).select_by_value("elsewhere"))
        fresh(lambda: b.type(row + " input.insurer", "China Life"))
        b.d.execute_script(f"const s = document.querySelector('{row} button.record-go'); s.click(); s.click();")
        b.wait(lambda d: "Renewed elsewhere (China Life)" in b.text(row + " td.collected"))
        due = asctl("clerk-sun", "reception.insurance.due", "date=" + TODAY).get("vehicles", [])
        mine = [v for v in due if v["vin"] == VIN2][0]
        check("reception has what the customer said", mine.get("renewal", {}).get("outcome") == "elsewhere"
              and mine["renewal"].get("insurer") == "China Life" and mine["renewal"].get("recorded_by") == "clerk-sun", mine)
        # VIN2's term ends this month (VIN's too when 20 days on is still in it):
        # 1 collected of 1 (or 2) ending, once kpi counted it
        card = '#renewal-rate .clerk-figure[data-figure="renewal information rate"]'
        for _ in range(50):
            if "= 1 / " in rate().get("formula", ""):
                break
            time.sleep(0.2)
        ending = rate()["formula"].split(" / ")[-1]
        tab(b, "greetings")
        tab(b, "renewals")
        b.wait(lambda d: b.text(card + " .value") == kpi_shown(rate()))
        check("the month's renewal information rate is kpi's", b.text(card + " .value") in ("100.0%", "50.0%"),
              b.text(card))
        check("with what it counts", f"1 collected of {ending} ending this month" in b.text(card), b.text(card))
        b.shot("clerk15-renewals-tablet")

        # --- greetings
        tab(b, "greetings")
        b.wait(lambda d: b.find_all('#greetings tr[data-greeting="C1:birthday"]'))
        check("the birthdays of today, to send", "To send" in b.text('#greetings tr[data-greeting="C2:birthday"]'))
        check("the markup name as text", XSS in b.text("#greetings") and not b.find_all("#greetings img"))
        check("no script ran (no alert)", b.no_alert())
        check("the opted-out customer is left out", "李四" not in b.text("#greetings"))
        check("and counted", "1 opted out" in b.text("#greetings-summary"), b.text("#greetings-summary"))
        # a customer registered at the counter with a birthday today appears without a reload
        b.d.execute_script("window.__same_page = true")
        asctl("adv-wang", "reception.customer.register", "customer_id=C4", "name=赵六", "phone=13600000004",
              "birthday=" + TODAY[5:])
        b.wait(lambda d: b.find_all('#greetings tr[data-greeting="C4:birthday"]'))
        check("it appeared without a reload", b.d.execute_script("return window.__same_page === true"))
        b.shot("clerk15-greetings-tablet")
        b.d.execute_script("const s = document.getElementById('greetings-send'); s.click(); s.click();")  # a double tap
        b.wait(lambda d: "Sent" in b.text('#greetings tr[data-greeting="C4:birthday"] td.state'))
        listed = asctl("clerk-sun", "reception.greeting.list", "date=" + TODAY)
        check("reception has the three sent", sorted(g["customer_id"] for g in listed["greetings"] if g.get("sent"))
              == ["C1", "C2", "C4"], listed)
        check("nothing left to send", b.find("#greetings-send").get_attribute("disabled") is not None)
        check("C1's greeting in English", "Happy birthday" in b.text('#greetings tr[data-greeting="C1:birthday"]'))

        # a holiday in the calendar
        b.type("#holiday-date", "2027-02-06")
        b.type("#holiday-name", "春节")
        b.type("#holiday-name-en", "Spring Festival")
        b.click("#holiday-go")
        b.wait(lambda d: b.find_all('#holidays tr[data-holiday="2027-02-06"]'))
        hol = asctl("clerk-sun", "reception.holiday.list").get("holidays", [])
        check("reception has the holiday with both names",
              [(h["name"], h.get("name_en")) for h in hol if h["date"] == "2027-02-06"] == [("春节", "Spring Festival")], hol)
        row = b.find_all('#holidays tr[data-holiday="2027-02-06"]')[0].text
        check("the calendar shows both names", "春节" in row and "Spring Festival" in row, row)

        # --- the day's business
        tab(b, "today")
        s = asctl("clerk-sun", "kpi.day.summary", "day=" + TODAY)
        b.wait(lambda d: b.find_all('#today .clerk-figure[data-figure="waiting"]'))
        check("ROs opened / delivered as kpi counts them",
              b.text('#today [data-figure="ros"] .value') == f"{s.get('ros_opened', 0)} / {s.get('ros_delivered', 0)}",
              b.text("#today"))
        check("one vehicle waiting", b.text('#today [data-figure="waiting"] .value') == "1", b.text("#today"))
        check("gross profit in currency", b.text('#today [data-figure="gross"] .value')
              == money(s.get("gross_profit_cents", 0)), b.text("#today"))
        formula = b.text("#today-formula")
        check("the gross profit's working in currency, not cents", "cents" not in formula
              and money(s.get("labour_sales_cents", 0)) in formula, formula)
        b.shot("clerk15-today-tablet")

        # in Chinese
        tab(b, "greetings")
        b.click("#lang")
        b.wait(lambda d: b.text('#tabs [data-tab="greetings"]').startswith("祝福"))
        b.wait(lambda d: "已发送" in b.text('#greetings tr[data-greeting="C2:birthday"]'))
        b.shot("clerk15-greetings-zh")
        tab(b, "renewals")
        b.wait(lambda d: "他处续保" in b.text(f'#renewals tr[data-vin="{VIN2}"]'))
        b.shot("clerk15-renewals-zh")
        b.click("#lang")


def desktop():
    with Desk(1600, 1000) as b:
        b.sign_in("clerk-sun", "clerk-pass-1")
        b.wait(lambda d: d.current_url.endswith("/clerk.html"))
        tab(b, "renewals")
        b.wait(lambda d: b.find_all(f'#renewals tr[data-vin="{VIN}"]'))
        b.shot("clerk15-renewals-desktop")
        tab(b, "today")
        b.wait(lambda d: b.find_all('#today .clerk-figure[data-figure="gross"]'))
        b.shot("clerk15-today-desktop")


tablet()
desktop()
done()
