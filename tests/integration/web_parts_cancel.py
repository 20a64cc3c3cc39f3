#!/usr/bin/python3
"""web_parts_cancel.py — cancelling orders to suppliers on parts.html in real
headless Chromium, driven by test_web_parts_cancel.sh, which placed (all to
Local-Parts) SO-MINE, wh-zhou's, unconfirmed: P-PLUG x4, P-BELT x2, P-MAT x1;
SO-OTHER, wh-qian's (another keeper): P-PLUG x6; SO-CONF, wh-zhou's,
confirmed by phone: P-BELT x3; SO-PART, wh-zhou's, 1 of its 4 belts received
(line 1), 2 mats owed (line 2). Environment: webtest.py's, TODAY."""
import os

from webtest import Browser, XSS, asctl, check, click, count, done, text, wait

TODAY = os.environ["TODAY"]
ORDER = '#orders .order[data-order="{}"]'


def cell(b, order, line, col):
    """The text of a column (by its header) in line `line` of order `order`."""
    return b.d.execute_script(
        "const t = document.querySelector(arguments[0]); if (!t) return '';"
        "const heads = [...t.querySelectorAll('thead th')].map((th) => th.innerText);"
        "const r = t.querySelector('tbody tr[data-line=\"' + arguments[1] + '\"]'); const i = heads.indexOf(arguments[2]);"
        "return r && i >= 0 ? r.cells[i].innerText : '';", ORDER.format(order) + " table", str(line), col)


def actions(b, order):
    """The cancel actions the page offers on an order: 'order' and the lines' numbers."""
    return b.d.execute_script(
        "const o = document.querySelector(arguments[0]); if (!o) return null;"
        "return (o.querySelector('button.cancel-order') ? ['order'] : [])"
        ".concat([...o.querySelectorAll('button.cancel-line')].map((x) => Number(x.dataset.line)));", ORDER.format(order))


def open_orders(b, staff, secret):
    b.sign_in(staff, secret)
    wait(b, lambda d: not d.current_url.endswith("/index.html"))
    if not b.d.current_url.endswith("/parts.html"):
        b.open("parts.html")
    wait(b, lambda d: d.current_url.endswith("/parts.html") and b.find_all('#tabs [data-tab="orders"]'))
    b.live()
    click(b, '#tabs [data-tab="orders"]')
    wait(b, lambda d: count(b, "#orders .order") == 4)
    b.d.execute_script("window.__same_page = true")


def line_of(order, no):
    return next(l for l in asctl("parts-mgr", "parts.order.show", f"order_id={order}")["lines"] if l["line_no"] == no)


def show(b, order):
    """Scrolls the order to the top of the window (for a screenshot)."""
    b.d.execute_script("document.querySelector(arguments[0]).scrollIntoView()", ORDER.format(order))


# role lists as the daemons name them (as_role_names) and their Chinese: each
# role's term, "、" between, "或" before the last; all staff roles as one whole
ROLE_LISTS = {
    "parts_manager or warehouse_keeper": "零件部经理或零件仓库管理员",
    "service_manager or foreman or qc_inspector": "服务经理、车间主任或质检员",
    "service_manager or front_desk_manager or advisor or info_clerk or foreman":
        "服务经理、前台经理、服务顾问、信息员或车间主任",
    "system or it_admin": "系统或IT管理员",
    "service_manager or front_desk_manager or advisor or info_clerk or foreman or technician or qc_inspector"
    " or parts_manager or warehouse_keeper or warranty_clerk or tool_admin": "本店员工（任一岗位）",
    "service_manager or front_desk_manager or advisor or info_clerk or foreman or technician or qc_inspector"
    " or parts_manager or warehouse_keeper or warranty_clerk or tool_admin or system": "本店员工（任一岗位）或系统",
    # a combination no refusal names today: worded all the same
    "advisor or tool_admin or it_admin": "服务顾问、工具管理员或IT管理员",
}


def role_lists(tab):
    """On the Chinese page: a refusal naming roles says them in Chinese, whatever
    the combination, from each role's term (refusals.json zh_or_lists)."""
    denial = "%s: '%s' is not %s %s"
    for english, chinese in ROLE_LISTS.items():
        said = tab.d.execute_script("return App.refusalText({message: 'English', format: arguments[0],"
                                    "args: ['parts.x', 'wh-zhou', 'a', arguments[1]]})", denial, english)
        check(f"'{english}' in Chinese", said == f"parts.x：“wh-zhou”不是一名{chinese}，无权操作", said)
    said = tab.d.execute_script("return App.refusalText({message: 'English', format: arguments[0],"
                                "args: ['parts.x', 'wh-zhou', 'a', 'advisor or cook']})", denial)
    check("a list with a role that has no term stays as the daemon said it",
          said == "parts.x：“wh-zhou”不是一名advisor or cook，无权操作", said)
    # web's own refusal of a command the keeper may not call, as the page shows it
    said = tab.d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "App.call('warranty.claim.list', {}).then(() => done('called'), (err) => done(App.errorText(err)));")
    check("web's refusal names the roles in Chinese",
          said == "被拒绝：warranty.claim.list：“wh-zhou”不是一名服务经理或索赔员，无权操作", said)


def run(b, fn, *args):
    try:
        fn(b, *args)
    except Exception:
        b.shot("parts-cancel-failure")
        print("page at failure:", b.d.current_url, b.text("body"), flush=True)
        raise


def keeper(tab, desk):
    open_orders(tab, "wh-zhou", "parts-pass-1")
    # what the keeper may cancel: their own unconfirmed order with nothing received, whole or by line
    check("wh-zhou may cancel SO-MINE whole and each of its 3 lines", actions(tab, "SO-MINE") == ["order", 1, 2, 3],
          actions(tab, "SO-MINE"))
    check("no cancel on wh-qian's order", actions(tab, "SO-OTHER") == [], actions(tab, "SO-OTHER"))
    check("no cancel on their confirmed order", actions(tab, "SO-CONF") == [], actions(tab, "SO-CONF"))
    check("no cancel on their partly received order", actions(tab, "SO-PART") == [], actions(tab, "SO-PART"))

    # every command the page sends from now on
    tab.d.execute_script("window.__calls = []; const call = App.call;"
                         "App.call = function (command) { window.__calls.push(command); return call.apply(App, arguments); };")
    click(tab, ORDER.format("SO-MINE") + ' button.cancel-line[data-line="2"]')
    wait(tab, lambda d: tab.find("#cancel-dialog").is_displayed())
    check("the dialog names the order and what will be cancelled: line 2 alone, its 2 belts",
          "SO-MINE" in text(tab, "#cancel-what") and "Local-Parts" in text(tab, "#cancel-what")
          and text(tab, "#cancel-lines") == "Line 2: P-BELT, 2 cancelled (ordered 2, nothing received)",
          text(tab, "#cancel-dialog"))
    # an empty reason (blanks): refused on the page, nothing sent
    tab.type("#cancel-reason", "   ")
    tab.click("#cancel-go")
    wait(tab, lambda d: text(tab, "#cancel-error"))
    check("an empty reason is refused on the page", text(tab, "#cancel-error") == "Enter the reason for the cancellation: nothing was cancelled.",
          text(tab, "#cancel-error"))
    check("the dialog stays open", tab.find("#cancel-dialog").is_displayed())
    check("nothing was sent", "parts.order.cancel" not in tab.d.execute_script("return window.__calls"),
          tab.d.execute_script("return window.__calls"))
    check("parts has line 2 still owed", line_of("SO-MINE", 2).get("cancelled", 0) == 0)
    tab.type("#cancel-reason", "ordered twice by mistake")
    check("a reason typed: the page's refusal goes", text(tab, "#cancel-error") == "", text(tab, "#cancel-error"))
    tab.shot("parts-cancel-dialog-tablet")
    tab.click("#cancel-go")
    wait(tab, lambda d: not tab.find("#cancel-dialog").is_displayed())
    check("said done", text(tab, "#orders-done") == "Order SO-MINE: line 2 cancelled.", text(tab, "#orders-done"))
    wait(tab, lambda d: cell(tab, "SO-MINE", 2, "Line state") == "Cancelled")
    check("line 2 shows who cancelled it, when and why",
          cell(tab, "SO-MINE", 2, "Cancellation") == f"2 cancelled by wh-zhou on {TODAY}\nReason: ordered twice by mistake",
          cell(tab, "SO-MINE", 2, "Cancellation"))
    check("the other lines still owed, each still cancellable", (cell(tab, "SO-MINE", 1, "Line state"), cell(tab, "SO-MINE", 3, "Line state"),
          actions(tab, "SO-MINE")) == ("Not confirmed", "Not confirmed", ["order", 1, 3]), actions(tab, "SO-MINE"))
    line = line_of("SO-MINE", 2)
    check("parts has it: 2 cancelled by wh-zhou with the reason",
          (line["state"], line["cancelled"], line["cancelled_by"], line["cancel_reason"], line["cancelled_date"])
          == ("ORDER_CANCELLED", 2, "wh-zhou", "ordered twice by mistake", TODAY), line)
    show(tab, "SO-MINE")
    tab.shot("parts-cancel-line-tablet")

    # the parts manager's open page followed, without a reload
    wait(desk, lambda d: cell(desk, "SO-MINE", 2, "Line state") == "Cancelled")
    check("the manager sees the line cancelled live",
          cell(desk, "SO-MINE", 2, "Cancellation").startswith("2 cancelled by wh-zhou")
          and desk.d.execute_script("return window.__same_page === true"))

    # in Chinese: the whole order, which the supplier confirms meanwhile: parts refuses, its words in the dialog
    tab.click("#lang")
    wait(tab, lambda d: cell(tab, "SO-MINE", 2, "行状态") == "已取消")
    check("the cancellation in Chinese", cell(tab, "SO-MINE", 2, "取消记录") == f"wh-zhou 于 {TODAY} 取消 2 件\n原因：ordered twice by mistake",
          cell(tab, "SO-MINE", 2, "取消记录"))
    show(tab, "SO-MINE")
    tab.shot("parts-cancel-line-zh")
    click(tab, ORDER.format("SO-MINE") + " button.cancel-order")
    wait(tab, lambda d: tab.find("#cancel-dialog").is_displayed())
    check("the whole order: the lines still owed", text(tab, "#cancel-title") == "取消整张订单"
          and text(tab, "#cancel-lines") == "第 1 行：P-PLUG，取消 4 件（订购 4 件，未到货）\n第 3 行：P-MAT，取消 1 件（订购 1 件，未到货）",
          text(tab, "#cancel-dialog"))
    tab.type("#cancel-reason", "供应商缺货")
    tab.shot("parts-cancel-dialog-zh")
    asctl("wh-zhou", "parts.order.confirm", "order_id=SO-MINE", 'lines=[{"line_no":1,"promised_date":"' + TODAY + '"}]')
    wait(tab, lambda d: actions(tab, "SO-MINE") == [])  # drawn again live: confirmed, no longer the keeper's to cancel
    tab.click("#cancel-go")
    wait(tab, lambda d: text(tab, "#cancel-error"))
    # parts' refusal in Chinese: refusals.json's template of its format, with
    # "confirmed by the supplier" (an argument the code passes) from zh_terms
    check("parts' refusal in the dialog, in Chinese with the Chinese lead-in",
          text(tab, "#cancel-error").startswith("被拒绝：订单“SO-MINE”已由供应商确认：")
          and "零件仓库管理员只能取消自己下的" in text(tab, "#cancel-error")
          and "confirmed by the supplier" not in text(tab, "#cancel-error"),
          text(tab, "#cancel-error"))
    check("nothing cancelled", [line_of("SO-MINE", n).get("cancelled", 0) for n in (1, 3)] == [0, 0])
    tab.shot("parts-cancel-refused-zh")
    role_lists(tab)
    tab.click("#cancel-back")
    wait(tab, lambda d: not tab.find("#cancel-dialog").is_displayed())
    tab.click("#lang")
    wait(tab, lambda d: cell(tab, "SO-MINE", 2, "Line state") == "Cancelled")


def manager(desk, tab):
    # the parts manager may cancel any order with something still owed
    check("the manager may cancel every order", [actions(desk, o)[:1] for o in ("SO-MINE", "SO-OTHER", "SO-CONF", "SO-PART")]
          == [["order"]] * 4, [actions(desk, o) for o in ("SO-MINE", "SO-OTHER", "SO-CONF", "SO-PART")])
    # wh-qian's order, whole
    click(desk, ORDER.format("SO-OTHER") + " button.cancel-order")
    wait(desk, lambda d: desk.find("#cancel-dialog").is_displayed())
    check("the dialog: the whole order, its 6 plugs", text(desk, "#cancel-title") == "Cancel the whole order"
          and text(desk, "#cancel-lines") == "Line 1: P-PLUG, 6 cancelled (ordered 6, nothing received)", text(desk, "#cancel-dialog"))
    desk.type("#cancel-reason", "stock order no longer needed")
    desk.shot("parts-cancel-dialog-desktop")
    desk.click("#cancel-go")
    wait(desk, lambda d: "Cancelled" in text(desk, ORDER.format("SO-OTHER") + " h3"))
    check("SO-OTHER cancelled by the manager, with the reason",
          cell(desk, "SO-OTHER", 1, "Cancellation") == f"6 cancelled by parts-mgr on {TODAY}\nReason: stock order no longer needed"
          and actions(desk, "SO-OTHER") == [], cell(desk, "SO-OTHER", 1, "Cancellation"))
    check("parts has the order cancelled", asctl("parts-mgr", "parts.order.show", "order_id=SO-OTHER")["state"] == "ORDER_CANCELLED")
    # the partly received one, whole: the received line closed, the other cancelled
    click(desk, ORDER.format("SO-PART") + " button.cancel-order")
    wait(desk, lambda d: desk.find("#cancel-dialog").is_displayed())
    check("the dialog: what each line still owes, the received belt staying",
          text(desk, "#cancel-lines") == "Line 1: P-BELT, 3 cancelled (ordered 4; the 1 received stay in stock, the line is closed)\n"
          "Line 2: P-MAT, 2 cancelled (ordered 2, nothing received)", text(desk, "#cancel-lines"))
    desk.type("#cancel-reason", "belt discontinued " + XSS)
    desk.click("#cancel-go")
    wait(desk, lambda d: "Order SO-PART cancelled." == text(desk, "#orders-done"))
    wait(desk, lambda d: cell(desk, "SO-PART", 2, "Line state") == "Cancelled")
    check("SO-PART closed: line 1 closed with 3 cancelled, line 2 cancelled",
          "Closed (short)" in text(desk, ORDER.format("SO-PART") + " h3")
          and cell(desk, "SO-PART", 1, "Line state") == "Closed (short)"
          and cell(desk, "SO-PART", 1, "Cancellation").startswith("3 cancelled by parts-mgr")
          and cell(desk, "SO-PART", 2, "Cancellation").startswith("2 cancelled by parts-mgr"), text(desk, ORDER.format("SO-PART")))
    check("a reason written as markup is shown as text", cell(desk, "SO-PART", 2, "Cancellation").endswith("Reason: belt discontinued " + XSS)
          and not desk.find_all("#orders img") and desk.no_alert(), cell(desk, "SO-PART", 2, "Cancellation"))
    order = asctl("parts-mgr", "parts.order.show", "order_id=SO-PART")
    check("parts has it closed", (order["state"], [l["state"] for l in order["lines"]])
          == ("ORDER_CLOSED", ["ORDER_CLOSED", "ORDER_CANCELLED"]), order)
    desk.shot("parts-cancel-orders-desktop")
    # the keeper's page follows live
    wait(tab, lambda d: "Cancelled" in text(tab, ORDER.format("SO-OTHER") + " h3"))
    check("the keeper sees SO-OTHER cancelled live", tab.d.execute_script("return window.__same_page === true"))
    show(tab, "SO-OTHER")
    tab.shot("parts-cancel-orders-tablet")
    desk.click("#lang")
    wait(desk, lambda d: "已取消" in text(desk, ORDER.format("SO-OTHER") + " h3"))
    check("the manager's page in Chinese", cell(desk, "SO-OTHER", 1, "取消记录") == f"parts-mgr 于 {TODAY} 取消 6 件\n原因：stock order no longer needed",
          cell(desk, "SO-OTHER", 1, "取消记录"))
    desk.shot("parts-cancel-orders-zh")
    desk.click("#lang")


def main():
    with Browser(1600, 1000) as desk:  # the parts manager's desk, open before anything is cancelled
        run(desk, open_orders, "parts-mgr", "parts-pass-2")
        with Browser(1280, 800) as tab:  # the keeper's counter tablet
            run(tab, keeper, desk)
            run(desk, manager, tab)
    done()


main()
