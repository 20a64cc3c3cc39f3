#!/usr/bin/python3
"""web_tablet.py — the technician's tablet in real headless Chromium, driven
by test_web_tablet.sh: RO (waiting, to be dispatched to tech-01 while the
tablet is open; its concern is markup) and OTHER_RO (dispatched to tech-02).
MINE_RO is already dispatched to tech-01. Environment: webtest.py's, RO,
OTHER_RO, MINE_RO, TOMORROW (YYYY-MM-DD)."""
import os

from webtest import Browser, XSS, asctl, check, click, done, text

RO = os.environ["RO"]
OTHER = os.environ["OTHER_RO"]
MINE = os.environ["MINE_RO"]


def card(b, ro):
    found = b.find_all(f'li.tjob[data-ro="{ro}"]')
    return found[0] if found else None


def page_call(b, command, payload):
    """App.call from the signed-in page: {ok, reply} or {ok: false, status, error}."""
    b.d.set_script_timeout(20)
    return b.d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "App.call(arguments[0], arguments[1], App.newKey())"
        ".then((r) => done({ok: true, reply: r}), (e) => done({ok: false, status: e.status, error: e.message}));",
        command, payload)


def my_job(ro):
    jobs = asctl("foreman-liu", "workshop.board", f"technician=tech-01").get("jobs", [])
    return next((j for j in jobs if j["ro_number"] == ro), None)


def main():
    with Browser(1280, 800) as tablet:  # the workshop's 10" tablet, landscape
        try:
            on_tablet(tablet)
        except Exception:
            tablet.shot("tablet-failure")
            print("page at failure:", tablet.d.current_url, tablet.text("body"), flush=True)
            raise
    with Browser(1600, 1000) as desktop:
        desktop.sign_in("tech-02", "1357")
        desktop.wait(lambda d: d.current_url.endswith("/tablet.html") and card(desktop, OTHER))
        check("tech-02 does not see tech-01's job", card(desktop, RO) is None)
        desktop.wait(lambda d: desktop.find("#no-loans").is_displayed())  # tech-02 has no tool loan
        desktop.shot("tablet-desktop")
    done()


def on_tablet(tablet):
    tablet.sign_in("tech-01", "2468")
    tablet.wait(lambda d: d.current_url.endswith("/tablet.html") and card(tablet, MINE))
    tablet.live()
    check("another's job is not on my tablet", card(tablet, OTHER) is None)
    note = f'li.tjob[data-ro="{MINE}"] .tjob-note'
    check("my job's tool note, in English", text(tablet, note) == "special tool 'ST-404' is not known to workshop",
          text(tablet, note))
    tablet.wait(lambda d: tablet.find("#no-loans").is_displayed())  # no tool loan yet

    # the tool room checks a tool out to me: it appears, waiting for my signature
    tablet.d.execute_script("window.__same_page = true")
    asctl("tool-xu", "tools.loan.checkout", "loan_id=L-T1", "tool_id=ST-200", "technician=tech-01",
          f"ro_number={RO}", "job_no=1", "condition=good", f"due_date={os.environ['TOMORROW']}", "due_time=12:00")
    tablet.wait(lambda d: tablet.find_all('li.tloan[data-loan="L-T1"] .tloan-sign'))
    check("my tool loan appeared without a reload, waiting for my signature",
          "Injector puller" in text(tablet, 'li.tloan[data-loan="L-T1"]')
          and tablet.d.execute_script("return window.__same_page === true"))

    # the foreman dispatches: the job appears without a reload
    asctl("foreman-liu", "workshop.job.dispatch", f"ro_number={RO}", "job_no=1", "tech_id=tech-01", "bay_id=B1")
    tablet.wait(lambda d: card(tablet, RO))
    check("the dispatched job appeared without a reload",
          tablet.d.execute_script("return window.__same_page === true"))
    concern = text(tablet, f'li.tjob[data-ro="{RO}"] .tjob-concern')
    check("the concern is shown as text", concern == XSS, concern)
    check("no element was made from it", not tablet.find_all("li.tjob img"))
    check("no script ran from it (no alert)", tablet.no_alert())
    shown = text(tablet, f'li.tjob[data-ro="{RO}"]')
    for what in ("JNKCV61EX9M300001", "EN-01 Engine diagnosis", "1 h 30 min", "Dispatched"):
        check(f"the card shows {what}", what in shown, shown)
    tablet.shot("tablet-dispatched")

    # ws15: a technical bulletin for this car's VIN shows on my job until I acknowledge it
    asctl("foreman-liu", "workshop.bulletin.publish", "bulletin_id=TSB-W1", "title=Injector seals",
          "text=Fit the new seal kit", "vin_prefixes=JNKCV61EX9M300001")
    bulletin = f'li.tjob[data-ro="{RO}"] .ws15-bulletin[data-bulletin="TSB-W1"]'
    tablet.wait(lambda d: tablet.find_all(bulletin))
    shown = text(tablet, bulletin)
    check("the bulletin is on my job's card", "Injector seals" in shown and "Fit the new seal kit" in shown
          and "VIN JNKCV61EX9M300001" in shown, shown)
    check("not on my other job (another VIN)",
          not tablet.find_all(f'li.tjob[data-ro="{MINE}"] .ws15-bulletin'))
    tablet.shot("tablet-bulletin")
    click(tablet, bulletin + " .ws15-ack")
    tablet.wait(lambda d: not tablet.find_all(bulletin))
    acks = asctl("foreman-liu", "workshop.bulletin.list").get("bulletins", [])[0].get("acknowledged_by", [])
    check("the workshop has my acknowledgement", acks == ["tech-01"], acks)

    # clock on
    click(tablet, f'li.tjob[data-ro="{RO}"] .tjob-on')
    tablet.wait(lambda d: tablet.find_all(f'li.tjob[data-ro="{RO}"][data-status="WORK_IN_PROGRESS"] .tjob-done'))
    check("the tablet says where I am clocked on", RO in tablet.text("#clocked"), tablet.text("#clocked"))
    check("the workshop has me clocked on", my_job(RO)["status"] == "WORK_IN_PROGRESS")

    # one job at a time: the workshop refuses a second clock on, the card says why
    click(tablet, f'li.tjob[data-ro="{MINE}"] .tjob-on')
    tablet.wait(lambda d: text(tablet, f'li.tjob[data-ro="{MINE}"] .tjob-error') != "")
    error = text(tablet, f'li.tjob[data-ro="{MINE}"] .tjob-error')
    check("the second clock on is refused on its card", f"already clocked on RO {RO} job 1; clock off first" in error, error)
    tablet.shot("tablet-refused")

    # the workshop refuses a clock on another's job (the page only offers mine)
    refused = page_call(tablet, "workshop.clock.on", {"ro_number": OTHER, "job_no": 1})
    check("clocking on another's job is refused by the workshop",
          not refused["ok"] and refused["status"] == 403 and "dispatched to 'tech-02', not to 'tech-01'" in refused["error"],
          refused)
    # a technician's session cannot register a tool: refused by the gateway
    refused = page_call(tablet, "tools.item.register",
                        {"tool_id": "ST-X", "kind": "special_tool", "description": "x", "location": "x"})
    check("a technician cannot register a tool (403)", not refused["ok"] and refused["status"] == 403, refused)

    # an extra defect found on the job goes to the advisor
    click(tablet, f'li.tjob[data-ro="{RO}"] .tjob-defect')
    tablet.wait(lambda d: tablet.find("#defect").is_displayed())
    tablet.type("#defect-what", "Front brake pads worn to 2 mm")
    tablet.type("#defect-minutes", "45")
    tablet.type("#defect-parts .part-number", "D1060-1KA0A")
    tablet.type("#defect-parts .part-qty", "1")
    tablet.shot("tablet-defect")
    tablet.click("#defect-send")
    tablet.wait(lambda d: not tablet.find("#defect").is_displayed())
    check("no error on the defect form", tablet.text("#defect-error") == "", tablet.text("#defect-error"))

    def waiting():
        ro = asctl("adv-wang", "reception.ro.show", f"ro_number={RO}")
        return [w for w in ro.get("extra_work", []) if w.get("answer", "") == ""]
    extra = tablet.wait(lambda d: waiting())
    w = extra[0]
    check("reception has the defect waiting for the customer's answer",
          w["description"] == "Front brake pads worn to 2 mm" and w["reported_by"] == "tech-01"
          and w["labour"]["sold_minutes"] == 45 and w["parts"][0]["part_number"] == "D1060-1KA0A", w)

    # clock off for a pause, on again, then off: done
    click(tablet, f'li.tjob[data-ro="{RO}"] .tjob-pause')
    tablet.wait(lambda d: tablet.find_all(f'li.tjob[data-ro="{RO}"][data-status="WORK_DISPATCHED"] .tjob-on'))
    job = my_job(RO)
    paused = job.get("actual_minutes", 0)
    check("a pause leaves the job dispatched to me with its time clocked (a minute at least)",
          job["status"] == "WORK_DISPATCHED" and paused >= 1, job)
    shown = text(tablet, f'li.tjob[data-ro="{RO}"] .tjob-clocked')
    check("the card shows the time clocked", shown.startswith(f"{paused} min"), shown)
    click(tablet, f'li.tjob[data-ro="{RO}"] .tjob-on')
    tablet.wait(lambda d: tablet.find_all(f'li.tjob[data-ro="{RO}"][data-status="WORK_IN_PROGRESS"] .tjob-done'))
    click(tablet, f'li.tjob[data-ro="{RO}"] .tjob-done')
    tablet.wait(lambda d: card(tablet, RO) is None)
    check("the refusal of the second clock on is gone with its cause",
          text(tablet, f'li.tjob[data-ro="{MINE}"] .tjob-error') == "")
    job = my_job(RO)
    check("the workshop has the job done with the time clocked (a minute an interval at least)",
          job["status"] == "WORK_DONE" and job.get("actual_minutes", 0) > paused, job)
    check("the tablet says I am not clocked on", "Not clocked on" in tablet.text("#clocked"))
    tablet.shot("tablet-done")

    tablet.click("#lang")
    tablet.wait(lambda d: tablet.text("h1") == "我的工单")
    check("my job's tool note, in Chinese", text(tablet, note) == "车间没有专用工具“ST-404”的记录", text(tablet, note))
    tablet.shot("tablet-zh")
    tablet.click("#lang")


main()
