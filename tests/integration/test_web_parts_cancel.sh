#!/usr/bin/env bash
# Cancelling orders to suppliers on the parts counter (web_parts_cancel.py,
# parts.html; parts.order.cancel): the keeper wh-zhou sees "Cancel order" and
# a cancel per line on their own unconfirmed order of three lines, none on
# wh-qian's (a second keeper) nor on their confirmed or partly received ones;
# an empty reason is refused on the page with nothing sent; one line cancelled
# with a reason shows cancelled with who, when and why (and live on the parts
# manager's open page); a cancellation parts refuses (the order confirmed
# meanwhile) shows parts' words in the dialog, in Chinese; the parts manager
# cancels wh-qian's order whole (Cancelled) and a partly received one (the
# received line Closed, the other Cancelled), the keeper's page following
# live; a reason written as markup shown as text; on the Chinese page a
# refusal naming roles names them in Chinese, any combination of them (and
# web's own refusal of a command the keeper may not call). Screenshots:
# $AS_BUILD/artifacts/web/parts-cancel-*.png.
# labels: web browser parts
# timeout: 300
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/web_lib.sh"
setup web_parts_cancel
# the dealership (start_dealership) with a second warehouse keeper
export AS_RUN_DIR=$T
cp "$(dirname "$0")/../../deploy/local.ini" "$CONFIG"
sed -i 's/^wh-zhou = warehouse_keeper$/&\nwh-qian = warehouse_keeper/' "$CONFIG"
grep -q '^wh-qian = warehouse_keeper$' "$CONFIG" || fail "the config has no keeper wh-zhou to add wh-qian after"
start_bus bus
start_site_daemons
start_web
set_secret wh-zhou 'parts-pass-1'
set_secret parts-mgr 'parts-pass-2'

as() { ctl --actor "$1" call "${@:2}" >/dev/null || fail "$*"; }
as wh-zhou parts.part.define part_number=P-PLUG description="spark plug" group=engine \
    cost_cents=1500 price_cents=3000 bin=A-01
as wh-zhou parts.part.define part_number=P-BELT description="drive belt" group=engine \
    cost_cents=3000 price_cents=6000 bin=A-02
as wh-zhou parts.part.define part_number=P-MAT description="floor mats" group=accessories \
    cost_cents=8000 price_cents=20000 bin=C-01
# to a local supplier (asoem answers only the OEM's): wh-zhou's three lines, unconfirmed
as wh-zhou parts.order.create order_id=SO-MINE supplier=Local-Parts lines='[
    {"part_number":"P-PLUG","quantity":4},{"part_number":"P-BELT","quantity":2},
    {"part_number":"P-MAT","quantity":1}]'
# wh-qian's
as wh-qian parts.order.create order_id=SO-OTHER supplier=Local-Parts \
    lines='[{"part_number":"P-PLUG","quantity":6}]'
# wh-zhou's, confirmed by phone
as wh-zhou parts.order.create order_id=SO-CONF supplier=Local-Parts \
    lines='[{"part_number":"P-BELT","quantity":3}]'
as wh-zhou parts.order.confirm order_id=SO-CONF \
    lines='[{"line_no":1,"promised_date":"'"$(date -d '7 days' +%F)"'"}]'
# wh-zhou's, 1 of 4 belts received, the 2 mats not yet
as wh-zhou parts.order.create order_id=SO-PART supplier=Local-Parts lines='[
    {"part_number":"P-BELT","quantity":4},{"part_number":"P-MAT","quantity":2}]'
as wh-zhou parts.receipt.record receipt_id=R-PART supplier=Local-Parts \
    lines='[{"part_number":"P-BELT","expected":1,"received":1,"order_id":"SO-PART","order_line":1}]'

browse web_parts_cancel.py TODAY="$(date +%F)"
stop_web
finish
