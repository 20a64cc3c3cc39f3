#!/usr/bin/python3
"""web_clerk.py — the information clerk's desk in real headless Chromium,
driven by test_web_clerk.sh, which started the dealership and as-web and
seeded a customer named as markup (VIN, plate 鲁A88888) whose RO-C1 was
delivered today, and 王小明 (VIN2, plate 鲁B67890), whose car is due for its
maintenance reminder. Environment: webtest.py's, VIN, VIN2."""
import json
import os
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import Select
from webtest import XSS, Browser, asctl, check, done

VIN = os.environ["VIN"]
VIN2 = os.environ["VIN2"]
TODAY = time.strftime("%Y-%m-%d")


class Desk(Browser):
    """The desk's lists are redrawn when an event arrives: an element found a
    moment before may be gone; a wait then looks again."""

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
    """Runs an action on a row of a list a live event may redraw under it:
    an element gone meanwhile is looked up again (what was chosen in a row
    is kept across a redraw)."""
    for _ in range(50):
        try:
            return action()
        except StaleElementReferenceException:
            time.sleep(0.1)
    return action()


def choose(b, css, value):
    fresh(lambda: Select(b.find(css)).select_by_value(value))


def tab(b, name):
    b.click(f'#tabs [data-tab="{name}"]')
    b.wait(lambda d: b.find(f'.counter-panel[data-panel="{name}"]').is_displayed())


def appointments(**query):
    args = [f"{k}={v}" for k, v in query.items()]
    return asctl("clerk-sun", "reception.appointment.queue", *args).get("appointments", [])


def crm_request(ref, vin, slot, concern):
    """The CRM hands a customer's request to its ingest gateway, as the CRM does."""
    payload = {"crm_ref": ref, "customer_name": "王小明", "phone": "13800000002", "vin": vin,
               "plate": "鲁B67890", "preferred_date": TODAY, "preferred_slot": slot, "concern": concern}
    asctl("crm", "crm.ingest", "type=crm.appointment.requested", f"subject={ref}",
          "payload_json=" + json.dumps(payload, ensure_ascii=False))


def desk_tablet():
    with Desk(1280, 800) as b:  # a 10" tablet, landscape
        b.sign_in("clerk-sun", "clerk-pass-1")
        b.wait(lambda d: d.current_url.endswith("/clerk.html"))
        b.live()
        b.wait(lambda d: b.find_all('#figures .clerk-figure[data-figure="reminder execution rate"]'))

        # a phone call: the customer is found by part of the plate and booked
        b.type("#search", "A88888")
        b.click("#search-go")
        b.wait(lambda d: b.find("#book-form").is_displayed() and b.text("#book-plate") == "鲁A88888")
        owner = b.text("#book-owner")
        check("the owner named as markup is shown as text", owner == XSS, owner)
        check("no element was made from it", not b.find_all("#book-form img"))
        check("no script ran from it (no alert)", b.no_alert())
        b.find("#book-date").send_keys("")  # the date is today's already
        check("the form proposes today", b.find("#book-date").get_attribute("value") == TODAY)
        b.d.execute_script("document.getElementById('book-time').value = '10:00'")
        b.type("#book-reason", "保养 + 刹车异响")
        b.shot("clerk-book-tablet")
        b.d.execute_script("const s = document.getElementById('book-go'); s.click(); s.click();")  # a double tap
        b.wait(lambda d: b.find("#booked").is_displayed())
        mine = [a for a in appointments(date=TODAY) if a.get("vin") == VIN]
        check("a double tap booked one appointment", len(mine) == 1, mine)
        appt = mine[0]
        check("reception has the booking as the clerk made it",
              appt["slot"] == TODAY + "T10:00" and appt["reason"] == "保养 + 刹车异响"
              and appt["channel"] == "phone" and appt["booked_by"] == "clerk-sun" and appt["status"] == "BOOKED", appt)
        aid = appt["appointment_id"]
        check("the page names the appointment booked", aid in b.text("#booked"), b.text("#booked"))
        row = f'#day-list tr[data-appointment="{aid}"]'
        b.wait(lambda d: b.find_all(row))
        check("the day's list names the customer as text", XSS in b.text(row) and not b.find_all("#day-list img"))

        # handed to adv-wang
        choose(b, row + " select.advisor-pick", "adv-wang")
        fresh(lambda: b.click(row + " button.assign-go"))
        b.wait(lambda d: b.text(row + " td.advisor") == "adv-wang")
        appt = [a for a in appointments(date=TODAY) if a["appointment_id"] == aid][0]
        check("reception has it handed to adv-wang", appt["status"] == "ASSIGNED" and appt["advisor"] == "adv-wang", appt)
        check("the list says it is assigned", "Assigned" in b.text(row), b.text(row))
        b.shot("clerk-appointments-tablet")

        # a request made in the CRM appears without a reload, and is booked
        tab(b, "requests")
        b.wait(lambda d: "No request is waiting" in b.text("#requests"))
        b.d.execute_script("window.__same_page = true")
        crm_request("R-77", VIN2, "14:30", "空调不制冷")
        req = '#requests tr[data-appointment="crm-R-77"]'
        b.wait(lambda d: b.find_all(req))
        check("the CRM's request appeared without a reload", b.d.execute_script("return window.__same_page === true"))
        b.wait(lambda d: b.text('#tabs [data-tab="requests"] .count') == "1")
        check("it shows what the customer asked", "空调不制冷" in b.text(req) and "王小明" in b.text(req), b.text(req))
        check("the VIN as the customer gave it is ready to book",
              b.find(req + " input.vin-input").get_attribute("value") == VIN2)
        b.shot("clerk-requests-tablet")
        fresh(lambda: b.click(req + " button.book-request"))
        b.wait(lambda d: not b.find_all(req))
        booked = [a for a in appointments(date=TODAY) if a["appointment_id"] == "crm-R-77"]
        check("reception has the request booked and confirmed", booked and booked[0]["status"] == "CONFIRMED"
              and booked[0]["slot"] == TODAY + "T14:30" and booked[0]["customer_id"] == "C2", booked)

        # a request with a mistyped VIN and no concern: reception flags both for
        # the clerk, worded in the page's language
        bad = VIN2[:8] + ("0" if VIN2[8] != "0" else "1") + VIN2[9:]
        crm_request("R-78", bad, "15:00", "")
        req = '#requests tr[data-appointment="crm-R-78"]'
        b.wait(lambda d: b.find_all(req + " .warning"))
        flags = b.text(req + " td:nth-child(4)")
        check("the flags in English on the English page",
              f"vin '{bad}' has a wrong check digit: '{bad[8]}', expected '{VIN2[8]}': check it with the customer" in flags
              and "no concern given: ask what the visit is for" in flags, flags)
        b.click("#lang")
        b.wait(lambda d: "校验位" in b.text(req))
        flags = b.text(req + " td:nth-child(4)")
        check("the flags in Chinese on the Chinese page, the VIN and digits put in",
              f"车架号“{bad}”的校验位错误：是“{bad[8]}”，应为“{VIN2[8]}”：请与客户核对" in flags
              and "没有预约事由：请询问客户来店做什么" in flags, flags)
        check("no English words of the flags left",
              not any(w in flags for w in ("check digit", "expected", "customer", "concern")), flags)
        b.shot("clerk-request-flags-zh-tablet")
        b.click("#lang")
        b.wait(lambda d: "check digit" in b.text(req))
        b.shot("clerk-request-flags-tablet")

        # the maintenance reminder: the day's calls planned, one made
        tab(b, "reminders")
        rem = f'#reminders tr[data-vin="{VIN2}"]'
        b.wait(lambda d: b.find_all(rem))
        check("the car due names its owner and plate", "王小明" in b.text(rem) and "鲁B67890" in b.text(rem), b.text(rem))
        check("the booked customer's car (serviced today) is not due", not b.find_all(f'#reminders tr[data-vin="{VIN}"]'))
        b.click("#plan")
        b.wait(lambda d: "1" in b.text("#planned"))
        choose(b, rem + " select.outcome", "declined")
        b.shot("clerk-reminders-tablet")
        fresh(lambda: b.click(rem + " button.record-go"))
        b.wait(lambda d: not b.find_all(rem))
        due = asctl("clerk-sun", "reception.reminder.due").get("reminders", [])
        check("reception has the call: the car is no longer due", not [r for r in due if r["vin"] == VIN2], due)
        rate = '#figures .clerk-figure[data-figure="reminder execution rate"]'
        b.wait(lambda d: "1 made of 1 due" in b.text(rate), timeout=40)
        report = asctl("clerk-sun", "kpi.report", "month=" + TODAY[:7], "by=department")
        fig = [f for f in report["rows"][0]["figures"] if f["name"] == "reminder execution rate"][0]
        shown = b.text(rate + " .value")
        check("the month's reminder execution rate is kpi's", shown == f"{fig['value']:.1f}%", f"{shown} vs {fig}")

        # the follow-up call of RO-C1
        tab(b, "followups")
        fu = '#followups tr[data-ro="RO-C1"]'
        b.wait(lambda d: b.find_all(fu))
        check("the follow-up names the customer as text", XSS in b.text(fu) and "adv-wang" in b.text(fu))
        check("the invoice total is in currency", "CNY" in b.text(fu), b.text(fu))
        choose(b, fu + " select.score", "8")
        fresh(lambda: b.type(fu + " input.comment", "满意，等待时间有点长"))
        b.shot("clerk-followups-tablet")
        fresh(lambda: b.click(fu + " button.record-go"))
        b.wait(lambda d: not b.find_all(fu))
        ro = asctl("clerk-sun", "reception.ro.show", "ro_number=RO-C1")
        check("reception has the csi score", ro.get("csi_score") == 8 and ro.get("followup_comment") == "满意，等待时间有点长", ro)

        # a complaint taken on the phone
        tab(b, "complaints")
        b.wait(lambda d: "No open complaint" in b.text("#complaints"))
        b.type("#complaint-text", "电话投诉：交车时车内有油污 " + XSS)
        b.type("#complaint-ro", "RO-C1")
        b.click("#complaint-go")
        b.wait(lambda d: b.find_all("#complaints tr[data-complaint]"))
        open_ = asctl("clerk-sun", "reception.complaint.list", "status=open").get("complaints", [])
        check("reception has the complaint, open", len(open_) == 1 and open_[0]["ro_number"] == "RO-C1"
              and open_[0]["channel"] == "phone" and "油污" in open_[0]["text"], open_)
        listed = b.text("#complaints")
        check("the open list shows it as text", "油污" in listed and XSS in listed and not b.find_all("#complaints img"))
        check("no script ran (no alert)", b.no_alert())
        b.shot("clerk-complaints-tablet")

        # in Chinese
        tab(b, "appointments")
        b.click("#lang")
        b.wait(lambda d: b.text('#tabs [data-tab="appointments"]').startswith("预约"))
        b.wait(lambda d: "已分配顾问" in b.text(row))
        b.shot("clerk-zh")
        b.click("#lang")


def desk_desktop():
    with Desk(1600, 1000) as b:
        b.sign_in("clerk-sun", "clerk-pass-1")
        b.wait(lambda d: d.current_url.endswith("/clerk.html"))
        b.live()
        b.wait(lambda d: b.find_all('#day-list tr[data-appointment="crm-R-77"]'))
        check("the day's list is by slot", b.text("#day-list tbody tr:first-child td:first-child") == "10:00")
        b.wait(lambda d: b.text('#figures .clerk-figure[data-figure="booked"] .value') == "2")
        b.shot("clerk-appointments-desktop")
        # the flagged CRM request in Chinese on the desktop too
        tab(b, "requests")
        b.click("#lang")
        b.wait(lambda d: "校验位" in b.text('#requests tr[data-appointment="crm-R-78"]'))
        b.shot("clerk-request-flags-zh-desktop")
        b.click("#lang")
        b.wait(lambda d: "check digit" in b.text('#requests tr[data-appointment="crm-R-78"]'))
        tab(b, "appointments")
        # a refusal is shown where it was asked: a slot without a time
        b.type("#search", "B67890")
        b.click("#search-go")
        b.wait(lambda d: b.text("#book-plate") == "鲁B67890")
        b.type("#book-reason", "轮胎更换")
        b.d.execute_script("document.getElementById('book-time').value = ''; document.getElementById('book-time').required = false")
        b.click("#book-go")
        b.wait(lambda d: "is not YYYY-MM-DDTHH:MM" in b.text("#book-error"))
        b.shot("clerk-book-refused-desktop")
    # the front-desk manager may open the desk too
    with Desk(1280, 800) as m:
        m.sign_in_to("fdm-li", "desk-pass-1", "clerk.html")
        m.wait(lambda d: m.find_all('#day-list tr[data-appointment="crm-R-77"]'))
        check("the front-desk manager sees the day", "王小明" in m.text("#day-list"))


desk_tablet()
desk_desktop()
done()
