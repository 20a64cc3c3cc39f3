#!/usr/bin/python3
"""web_frontdesk.py — the front-desk manager's screen in real headless
Chromium, driven by test_web_frontdesk.sh, which started the dealership and
as-web, made a comeback (RO-F2 of RO-F1) and two open complaints (K-1's text
is markup) for a customer whose name is markup. Environment: webtest.py's,
VIN, JOB (the jobs of an RO above adv-wang's authority)."""
import os

from webtest import XSS, Browser, asctl, check, done

VIN = os.environ["VIN"]
JOB = os.environ["JOB"]


def approval(b, ro):
    return b.find_all(f'#approvals tr[data-ro="{ro}"]')


def complaint(b, cid):
    return b.find_all(f'#complaints tr[data-complaint="{cid}"]')


def main():
    with Browser(1280, 800) as tablet:  # a 10" tablet, landscape
        tablet.sign_in("fdm-li", "desk-pass-1")
        tablet.wait(lambda d: d.current_url.endswith("/frontdesk.html") and complaint(tablet, "K-1"))
        tablet.live()
        text = complaint(tablet, "K-1")[0].find_elements("css selector", "td")[3].text
        check("the complaint that is markup is shown as text", text == XSS, text)
        comeback = tablet.find_all('#comebacks tr[data-ro="RO-F2"]')
        check("the comeback is listed", bool(comeback))
        row = comeback[0].text if comeback else ""
        check("with its earlier RO and concern", "RO-F1" in row and "Brake noise" in row, row)
        check("the customer's name that is markup is shown as text", XSS in row, row)
        check("no element was made from markup", not tablet.find_all("main img"))
        check("its cause is not recorded yet", "Not recorded" in row, row)
        asctl("fdm-li", "reception.comeback.cause", "ro_number=RO-F2", "cause=workmanship")
        # read in one script: the list is drawn again when reception's event arrives
        tablet.wait(lambda d: "Workmanship" in d.execute_script(
            "const r = document.querySelector('#comebacks tr[data-ro=\"RO-F2\"]'); return r ? r.innerText : '';"))
        check("the cause recorded (on the quality screen) shows in the list without a reload", True)
        check("no approval waits yet", not tablet.find_all("#approvals tr[data-ro]"))

        # an advisor opens an RO above their authority: it appears without a reload
        tablet.d.execute_script("window.__same_page = true")
        asctl("adv-wang", "reception.ro.open", "ro_number=RO-F3", f"vin={VIN}", "mileage_km=21600", f"jobs={JOB}")
        tablet.wait(lambda d: approval(tablet, "RO-F3"))
        check("the new approval appeared without a reload",
              tablet.d.execute_script("return window.__same_page === true"))
        row = approval(tablet, "RO-F3")[0].text
        check("the approval shows the advisor and the amount", "adv-wang" in row and "6,000.00 CNY" in row and "600000" not in row, row)
        check("and the concern", "engine knocks at idle" in row, row)
        check("no script ran from markup (no alert)", tablet.no_alert())
        tablet.shot("frontdesk-tablet")

        # approve on the page: the row goes, reception has it approved
        approval(tablet, "RO-F3")[0].find_element("css selector", "button").click()
        tablet.wait(lambda d: not approval(tablet, "RO-F3"))
        check("no error on approval", tablet.text("#approve-error") == "", tablet.text("#approve-error"))
        ro = asctl("fdm-li", "reception.ro.show", "ro_number=RO-F3")
        check("reception has RO-F3 approved by fdm-li",
              ro["status"] == "RO_AWAITING_CONSENT" and ro.get("approved_by") == "fdm-li", ro)

        # resolve a complaint without a note: the service's refusal is shown
        button = complaint(tablet, "K-2")[0].find_element("css selector", "button")
        button.click()
        tablet.wait(lambda d: tablet.text("#resolve-error") != "")
        check("the refusal is shown", "resolution is required" in tablet.text("#resolve-error"),
              tablet.text("#resolve-error"))
        # with a note: resolved
        complaint(tablet, "K-2")[0].find_element("css selector", "textarea").send_keys("car washed, apology")
        complaint(tablet, "K-2")[0].find_element("css selector", "button").click()
        tablet.wait(lambda d: not complaint(tablet, "K-2"))
        resolved = asctl("fdm-li", "reception.complaint.list", "status=resolved")["complaints"]
        check("reception has K-2 resolved with the note by fdm-li",
              [(c["complaint_id"], c.get("resolution"), c.get("owner")) for c in resolved]
              == [("K-2", "car washed, apology", "fdm-li")], resolved)
        check("K-1 is still open on the page", bool(complaint(tablet, "K-1")))

        # issue 15: the road rescue waiting for approval and the lounge
        rescue = tablet.find_all('#rescues tr[data-rescue="RS-W1"]')
        check("the requested rescue is listed", bool(rescue))
        row = rescue[0].text if rescue else ""
        check("with its place and estimated cost", "G2 km 105" in row and "300.00 CNY" in row, row)
        waiting = tablet.find_all('#lounge tr[data-ro="RO-F5"]')
        check("the customer waiting in the lounge is listed", bool(waiting))
        row = waiting[0].text if waiting else ""
        check("with the RO's progress", "0 / 1" in row, row)
        buttons = rescue[0].find_elements("css selector", "button")
        buttons[1].click()  # decline without a reason: the service's refusal is shown
        tablet.wait(lambda d: tablet.text("#rescue-error") != "")
        check("a decline without a reason is refused", "a decline needs a reason" in tablet.text("#rescue-error"),
              tablet.text("#rescue-error"))
        tablet.find_all('#rescues tr[data-rescue="RS-W1"]')[0].find_elements("css selector", "button")[0].click()
        tablet.wait(lambda d: not tablet.find_all('#rescues tr[data-rescue="RS-W1"]'))
        approved = asctl("fdm-li", "reception.rescue.show", "rescue_id=RS-W1")
        check("reception has RS-W1 approved by fdm-li",
              approved["state"] == "RESCUE_APPROVED" and approved.get("decided_by") == "fdm-li", approved)

        tablet.click("#lang")
        tablet.wait(lambda d: tablet.text("#complaints-panel h2").startswith("未处理投诉"))
        tablet.shot("frontdesk-zh")
        tablet.click("#lang")

    with Browser(1600, 1000) as desktop:
        desktop.sign_in("fdm-li", "desk-pass-1")
        desktop.wait(lambda d: d.current_url.endswith("/frontdesk.html") and complaint(desktop, "K-1"))
        desktop.shot("frontdesk-desktop")
    done()


main()
