#!/usr/bin/python3
"""web_walkin.py — a walk-in at the advisor's counter in real headless
Chromium, driven by test_web_walkin.sh, which started the dealership and
as-web and seeded one customer (C7, named as markup, phone 13900000007)
without a vehicle. Environment: webtest.py's, VIN, VIN2 (valid, unknown)."""
import os
import subprocess

from webtest import XSS, Browser, asctl, check, done

VIN = os.environ["VIN"]
VIN2 = os.environ["VIN2"]
BAD_VIN = VIN2[:8] + "0" + VIN2[9:]  # a wrong check digit
PLATE = "鲁A00001"
NAME = "李建国"


def known(vin):
    """True when reception has the vehicle."""
    return subprocess.run([os.environ["ASCTL"], "--json", "--config", os.environ["CONFIG"], "--actor", "adv-wang",
                           "call", "reception.vehicle.show", "vin=" + vin],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def shown(b, css):
    found = b.find_all(css)
    return bool(found) and found[0].is_displayed()


with Browser(1280, 800) as b:  # a 10" tablet, landscape
    b.sign_in("adv-wang", "counter-pass-1")
    b.wait(lambda d: d.current_url.endswith("/counter.html"))
    b.live()

    # a plate nobody knows: the counter offers to register the customer
    b.type("#search", PLATE)
    b.click("#search-go")
    b.wait(lambda d: shown(b, "#walkin-from-search"))
    check("the search says it found nothing", "Nothing found." in b.text("#vehicle-hits"))
    b.click("#walkin-from-search")
    b.wait(lambda d: shown(b, "#walkin-customer-form"))
    check("the plate searched for waits in the vehicle form",
          b.find("#walkin-plate").get_attribute("value") == PLATE)
    b.type("#walkin-name", NAME)
    b.type("#walkin-phone", "13600000001")
    b.shot("walkin-customer-tablet")
    b.click("#walkin-customer-submit")
    b.wait(lambda d: shown(b, "#walkin-vehicle-form"))
    check("the vehicle form names the new owner", b.text("#walkin-owner") == NAME, b.text("#walkin-owner"))
    customer_id = b.text("#walkin-owner-id")
    crm = asctl("adv-wang", "reception.customer.show", "customer_id=" + customer_id)
    check("reception numbered and has the customer", customer_id.startswith("C") and crm["name"] == NAME
          and crm["phone"] == "13600000001", crm)

    # a VIN with a wrong check digit: reception's refusal at the form
    b.type("#walkin-vin", BAD_VIN)
    b.click("#walkin-vehicle-submit")
    b.wait(lambda d: b.text("#walkin-vehicle-error") != "")
    check("reception's refusal is shown", "Invalid" in b.text("#walkin-vehicle-error")
          or "check" in b.text("#walkin-vehicle-error"), b.text("#walkin-vehicle-error"))
    check("the bad VIN was not registered", not known(BAD_VIN))

    # the vehicle: the card opens, ready for an RO
    b.type("#walkin-vin", VIN2)
    b.type("#walkin-model", "Lavida 1.5L")
    b.d.execute_script("arguments[0].value = '2024-05-01'", b.find("#walkin-sale-date"))
    b.type("#walkin-mileage", "12000")
    b.shot("walkin-vehicle-tablet")
    b.click("#walkin-vehicle-submit")
    b.wait(lambda d: b.text("#card-plate") == PLATE and b.text("#card-owner") == NAME)
    check("the card is the new vehicle's", b.text("#card-vin") == VIN2 and b.text("#card-mileage") == "12000 km",
          b.text("#card-vin"))
    check("the form is gone", not shown(b, "#walkin"))
    check("an RO can be opened from the card", shown(b, "#card-open"))
    car = asctl("adv-wang", "reception.vehicle.show", "vin=" + VIN2)
    check("reception has the vehicle and its owner", car["customer_id"] == customer_id and car["plate"] == PLATE
          and car["model"] == "Lavida 1.5L" and car["sale_date"] == "2024-05-01" and car["mileage_km"] == 12000, car)
    b.shot("walkin-card-tablet")

    # a known customer without the car: "Add a vehicle"; the same VIN again is refused
    b.type("#search", "13900000007")
    b.click("#search-go")
    b.wait(lambda d: b.find_all('#customer-table tr[data-customer="C7"] button.add-vehicle'))
    check("the customer named as markup is shown as text", XSS in b.text("#customer-table"))
    check("no element was made from it", not b.find_all("#results img"))
    b.click('#customer-table tr[data-customer="C7"] button.add-vehicle')
    b.wait(lambda d: shown(b, "#walkin-vehicle-form"))
    check("the owner is shown as text", b.text("#walkin-owner") == XSS and not b.find_all("#walkin img"))
    check("the form is empty, not the last vehicle's", all(b.find(f"#walkin-{f}").get_attribute("value") == ""
                                                           for f in ("vin", "plate", "model", "sale-date", "mileage")))
    check("no script ran from it (no alert)", b.no_alert())
    b.type("#walkin-vin", VIN2)
    b.type("#walkin-plate", "鲁A99999")
    b.click("#walkin-vehicle-submit")
    b.wait(lambda d: "already registered" in b.text("#walkin-vehicle-error"))
    check("the refusal names the vehicle and its owner", PLATE in b.text("#walkin-vehicle-error")
          and NAME in b.text("#walkin-vehicle-error"), b.text("#walkin-vehicle-error"))
    check("the vehicle keeps its owner", asctl("adv-wang", "reception.vehicle.show", "vin=" + VIN2)["customer_id"]
          == customer_id)
    b.shot("walkin-known-vin-tablet")

    # in Chinese: the customer's own car
    b.click("#lang")
    b.wait(lambda d: b.text("#walkin-vehicle-submit") == "登记车辆")
    # a plate another vehicle carries: the page's own check passes (the VIN is
    # new), reception refuses it and the Chinese form shows reception's refusal
    # in Chinese (refusals.json's template for its format, its arguments put in)
    # a VIN with a wrong check digit: reception's refusal has a format of its
    # own for each problem of a VIN, so the Chinese page words all of it (the
    # VIN and the two digits are the only arguments)
    bad_zh = VIN[:8] + str((int(VIN[8]) + 1) % 10) + VIN[9:]
    b.type("#walkin-vin", bad_zh)
    b.type("#walkin-plate", "鲁A77777")
    b.click("#walkin-vehicle-submit")
    b.wait(lambda d: bad_zh in b.text("#walkin-vehicle-error"))
    refusal = b.text("#walkin-vehicle-error")
    check("a wrong check digit is refused in Chinese, naming the VIN and both digits",
          "车架号“" + bad_zh + "”的校验位错误：是“" + bad_zh[8] + "”，应为“" + VIN[8] + "”" in refusal, refusal)
    check("no English of the VIN's check is left in it",
          not any(w in refusal for w in ("vin '", "wrong check digit", "expected")), refusal)
    check("the VIN with the wrong check digit was not registered", not known(bad_zh))
    b.type("#walkin-vin", VIN)
    b.type("#walkin-plate", PLATE)
    b.click("#walkin-vehicle-submit")
    b.wait(lambda d: "已登记在车辆" in b.text("#walkin-vehicle-error"))
    refusal = b.text("#walkin-vehicle-error")
    check("reception's refusal in Chinese names the plate, the vehicle and its owner",
          "车牌“" + PLATE + "”已登记在车辆 " + VIN2 + " 上" in refusal and NAME in refusal
          and "一个车牌只能对应一辆车" in refusal, refusal)
    check("no English is left in it", "is already on vehicle" not in refusal, refusal)
    check("the vehicle was not registered", not known(VIN))
    b.shot("walkin-plate-taken-zh")
    b.type("#walkin-vin", VIN)
    b.type("#walkin-plate", "鲁A99999")
    b.shot("walkin-zh")
    b.click("#walkin-vehicle-submit")
    b.wait(lambda d: b.text("#card-plate") == "鲁A99999" and b.text("#card-owner") == XSS)
    second = asctl("adv-wang", "reception.vehicle.show", "vin=" + VIN)
    check("reception has the second vehicle, with nothing of the first", second["customer_id"] == "C7"
          and "model" not in second and "mileage_km" not in second, second)
    b.shot("walkin-card-zh")
    b.click("#lang")

    # VIN2 sold to C7 with a new plate (reception.vehicle.transfer, issue 16):
    # its card shows the change of plate and owner
    asctl("adv-wang", "reception.vehicle.transfer", "vin=" + VIN2, "plate=鲁B24680", "customer_id=C7",
          "reason=sold to a friend")
    b.type("#search", "鲁B24680")
    b.click("#search-go")
    b.wait(lambda d: b.text("#card-plate") == "鲁B24680" and shown(b, "#card-transfers"))
    moved = b.text("#card-transfers")
    check("the card shows the change of plate", PLATE + " → 鲁B24680" in moved, moved)
    check("and of owner, with the reason", NAME in moved and XSS in moved and "sold to a friend" in moved, moved)
    check("the owner named as markup stays text", not b.find_all("#card-transfers img"))
    b.shot("walkin-card-transfer")
    b.type("#search", "鲁A99999")
    b.click("#search-go")
    b.wait(lambda d: b.text("#card-plate") == "鲁A99999")
    check("a vehicle that never changed hands shows no changes", not shown(b, "#card-transfers"))
done()
