#!/usr/bin/python3
"""web_staff.py — scorecards and the roster on staff.html in real headless
Chromium, driven by test_web_staff.sh (tech-01's own sold-hours target of
160 h for MONTH; tech-01 and tech-02 planned on YESTERDAY's day shift,
tech-01 attended 8 h). Environment: webtest.py's, MONTH, YESTERDAY."""
import datetime
import os

from selenium.webdriver.support.ui import Select

from webtest import Browser, asctl, check, done, text

MONTH = os.environ["MONTH"]
YESTERDAY = os.environ["YESTERDAY"]


def cell(person, date):
    return f'#roster tr[data-person="{person}"] td:nth-child({day_column(date)})'


def day_column(date):
    """The grid's column of a date: the person's name is column 1, Monday 2."""
    return datetime.date.fromisoformat(date).weekday() + 2


def clears(b, person, date):
    """How many x (clear) buttons the person's day shows."""
    return b.d.execute_script("return document.querySelectorAll(arguments[0]).length", cell(person, date) + " .staff-clear")


def clock_at(day):
    """A script moving the page's clock to noon of `day` (its Date; the
    services keep theirs)."""
    return ("(() => { const Real = Date, off = new Real(%d, %d, %d, 12).getTime() - Real.now();"
            " class Moved extends Real { constructor(...a) { if (a.length) super(...a); else super(Real.now() + off); }"
            " static now() { return Real.now() + off; } }"
            " window.Date = Moved; })();") % (day.year, day.month - 1, day.day)


def roster_of(actor, person):
    return asctl(actor, "kpi.roster.list", f"from={YESTERDAY}", f"to={YESTERDAY}", f"staff_id={person}").get("days", [])


def run(b, fn):
    try:
        fn(b)
    except Exception:
        b.shot("staff-failure")
        print("page at failure:", b.d.current_url, b.text("body"), flush=True)
        raise


def service_manager(b):
    b.sign_in_to("svc-mgr", "service-pass-1", "staff.html")
    b.wait(lambda d: b.find_all("#card-form"))
    b.live()
    # the scorecard of tech-01 for the month
    b.type("#card-person", "tech-01")
    b.click("#card-show")
    b.wait(lambda d: b.find_all('#card-sections tr[data-figure="sold hours"]'))
    row = text(b, '#card-sections tr[data-figure="sold hours"]')
    check("tech-01's sold hours: 0.00 h of their own 160.00 h, 0%", "0.00 h" in row and "160.00 h" in row and "0%" in row, row)
    check("the card names the person and role", "tech-01" in text(b, "#card-title") and "Technician" in text(b, "#card-title"),
          text(b, "#card-title"))
    why = text(b, "#card-sections .staff-why")
    check("a figure not defined says why", "no course planned" in why, why)
    b.shot("staff-scorecard-desktop")
    b.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    check("printed: no header nor form", not b.find("header").is_displayed() and not b.find("#card-form").is_displayed())
    b.shot("staff-scorecard-print")
    b.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    # the roster of yesterday's week
    b.open(f"staff.html?view=roster&week={YESTERDAY}")
    b.wait(lambda d: b.find_all('#roster tr[data-person="tech-01"]'))
    b.live()
    c1, c2 = text(b, cell("tech-01", YESTERDAY)), text(b, cell("tech-02", YESTERDAY))
    check("tech-01: the day shift, attended 8.0 h", "08:30–17:30" in c1 and "Attended 8.0 h" in c1, c1)
    check("tech-02: the day shift, missed", "08:30–17:30" in c2 and "Missed" in c2, c2)

    # the clerk's early shift planned on the page
    b.type("#plan-person", "clerk-sun")
    b.type("#plan-date", YESTERDAY)
    Select(b.find("#plan-shift")).select_by_value("early")
    b.click("#plan")
    b.wait(lambda d: "07:30–16:30" in text(b, cell("clerk-sun", YESTERDAY)))
    check("kpi has the clerk's shift", [(s["start"], s["end"]) for d in roster_of("svc-mgr", "clerk-sun") for s in d["planned"]]
          == [("07:30", "16:30")])
    check("an advisor's or clerk's attendance is kept nowhere: planned", "Planned" in text(b, cell("clerk-sun", YESTERDAY)))
    # an overlapping shift: refused with kpi's words, nothing written
    Select(b.find("#plan-shift")).select_by_value("")
    b.type("#plan-start", "15:00")
    b.type("#plan-end", "18:00")
    b.click("#plan")
    b.wait(lambda d: text(b, "#plan-error"))
    check("the overlap refused", "overlaps the shift planned 07:30-16:30" in text(b, "#plan-error"), text(b, "#plan-error"))
    check("still one shift", len(roster_of("svc-mgr", "clerk-sun")[0]["planned"]) == 1)
    b.shot("staff-roster-desktop")

    # live: a shift planned elsewhere appears without a reload
    asctl("svc-mgr", "kpi.roster.plan", "staff_id=adv-chen", f"date={YESTERDAY}", "shift=late")
    b.wait(lambda d: "10:30–19:30" in text(b, cell("adv-chen", YESTERDAY)))
    check("adv-chen's late shift shown live", True)

    # the clerk's shift taken off with its x
    b.click(cell("clerk-sun", YESTERDAY) + " .staff-clear")
    b.wait(lambda d: not b.find_all('#roster tr[data-person="clerk-sun"]'))
    check("kpi has it off the roster", roster_of("svc-mgr", "clerk-sun") == [])

    b.click("#lang")
    b.wait(lambda d: "已出勤" in text(b, cell("tech-01", YESTERDAY)))
    check("in Chinese: missed is 缺勤", "缺勤" in text(b, cell("tech-02", YESTERDAY)), text(b, cell("tech-02", YESTERDAY)))
    b.shot("staff-roster-zh")
    b.click("#lang")


def foreman(b):
    b.sign_in_to("foreman-liu", "board-pass-1", "staff.html")
    b.open(f"staff.html?view=roster&week={YESTERDAY}")
    b.wait(lambda d: b.find_all('#roster tr[data-person="tech-01"]'))
    check("the foreman may plan: the form is there", b.find("#plan-form").is_displayed())
    # x only where kpi lets the foreman clear: technicians' shifts, not the
    # advisor's late shift the service manager planned
    b.wait(lambda d: "10:30–19:30" in text(b, cell("adv-chen", YESTERDAY)))
    check("x on the technicians' shifts", clears(b, "tech-01", YESTERDAY) == 1 and clears(b, "tech-02", YESTERDAY) == 1,
          (clears(b, "tech-01", YESTERDAY), clears(b, "tech-02", YESTERDAY)))
    check("no x on the advisor's shift", clears(b, "adv-chen", YESTERDAY) == 0, text(b, cell("adv-chen", YESTERDAY)))
    b.shot("staff-roster-foreman-tablet")
    b.d.set_window_size(1600, 1000)
    b.shot("staff-roster-foreman-desktop")
    b.click("#lang")
    b.wait(lambda d: "已出勤" in text(b, cell("tech-01", YESTERDAY)))
    check("in Chinese too: no x on the advisor's shift", clears(b, "adv-chen", YESTERDAY) == 0 and clears(b, "tech-01", YESTERDAY) == 1)
    b.shot("staff-roster-foreman-zh")
    b.click("#lang")
    b.d.set_window_size(1280, 800)
    b.type("#plan-person", "clerk-sun")
    b.type("#plan-date", YESTERDAY)
    b.click("#plan")
    b.wait(lambda d: text(b, "#plan-error"))
    check("the foreman plans technicians only", "may not plan the shifts of 'clerk-sun'" in text(b, "#plan-error"),
          text(b, "#plan-error"))
    check("nothing written for the clerk", roster_of("svc-mgr", "clerk-sun") == [])
    # live for the foreman too: the service manager plans tech-02's late shift
    # on another day of the week shown, and it appears without a reload
    b.live()
    y = datetime.date.fromisoformat(YESTERDAY)
    monday = y - datetime.timedelta(days=y.weekday())
    other = (monday if monday != y else monday + datetime.timedelta(days=1)).isoformat()
    asctl("svc-mgr", "kpi.roster.plan", "staff_id=tech-02", f"date={other}", "shift=late")
    b.wait(lambda d: "10:30–19:30" in text(b, cell("tech-02", other)))
    check("tech-02's late shift shown live to the foreman", True)
    b.shot("staff-roster-tablet")
    # a day more than 7 days back is kpi's no longer: seen 7 days later the
    # shift still has its x, 8 days later none (the page's clock moved on)
    y = datetime.date.fromisoformat(YESTERDAY)
    for later, x in ((7, 1), (8, 0)):
        moved = b.d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": clock_at(y + datetime.timedelta(days=later))})
        b.open(f"staff.html?view=roster&week={YESTERDAY}")
        b.wait(lambda d: "08:30–17:30" in text(b, cell("tech-01", YESTERDAY)))
        check(f"{later} days later: {x} x on tech-01's shift", clears(b, "tech-01", YESTERDAY) == x, clears(b, "tech-01", YESTERDAY))
        b.d.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": moved["identifier"]})
    b.open(f"staff.html?view=roster&week={YESTERDAY}")
    b.wait(lambda d: clears(b, "tech-01", YESTERDAY) == 1)
    # the foreman reads a technician's scorecard
    b.click("#tab-card")
    b.type("#card-person", "tech-01")
    b.click("#card-show")
    b.wait(lambda d: b.find_all('#card-sections tr[data-figure="sold hours"]'))
    b.shot("staff-scorecard-tablet")


def main():
    with Browser(1600, 1000) as desk:
        run(desk, service_manager)
    with Browser(1280, 800) as tablet:
        run(tablet, foreman)
    done()


main()
