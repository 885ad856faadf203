"""The privacy guard's warnings (issue 14, finding 9), pure Python: order numbers of the platform's
shape and Chinese street addresses are found (to warn, not to refuse), and ordinary text about
orders, phone numbers, prices and dates is not."""
from __future__ import annotations

import pytest

from forum.policy import guards
from tests.moderation.private_data import luhn_check_digit, resident_id
from tests.scaling import assert_grows_at_most

CARD = "622848001234567" + luhn_check_digit("622848001234567")
RESIDENT_ID = resident_id("44030519851212456")


def warned(text: str, **kwargs) -> list[tuple[str, str]]:
    return [(f.kind.value, text[f.start:f.end]) for f in guards.find_private_warnings(text, **kwargs)]


# --- order numbers --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, number", [
    ("我的订单号是 202611251234567，一直没发货", "202611251234567"),          # 15 digits
    ("订单202611251234还没到", "202611251234"),                              # exactly 12, between Han characters
    ("order 12345678901234567890 is lost", "12345678901234567890"),       # 20 digits
    ("京东订单 JD1234567890 没到", "JD1234567890"),                          # letters + 10 digits
    ("订单号：DD-20261125123456", "DD-20261125123456"),                      # letters, hyphen, digits
    ("顺丰单号 sf1234567890123 查不到", "sf1234567890123"),                   # lower case
    ("订单 2026 1125 1234 5678 怎么查", "2026 1125 1234 5678"),              # groups of four
    ("订单：２０２６１１２５１２３４５６７", "２０２６１１２５１２３４５６７"),             # full-width digits
    ("订单（202611251234567）", "202611251234567"),
])
def test_order_numbers_of_both_shapes_are_found(text, number):
    assert warned(text) == [("order_number", number)]


@pytest.mark.parametrize("text", [
    "手机 13812345678 收不到短信",            # a mobile: refused by the guard, not an order number
    "+86 138 1234 5678",
    "8613812345678",
    "座机 057187654321 打不通",               # a landline with its area code (12 digits)
    "香港电话 0085221234567",                 # dialled with 00
    "+862164301234",                          # an international number
    f"卡号 {CARD}",                           # a card: refused, not warned about
    f"身份证 {RESIDENT_ID}",                  # an ID: refused
    "订单号 12345678901",                     # 11 digits: too short for the platform's shape
    "编号 JD123456789",                       # letters + 9 digits
    "价格 ¥1299.00，优惠券减 300 元",
    "一共 12,345,678,901 元",                 # a formatted amount
    "2026-11-25 12:30 下单，20261125 发货",   # dates and times
    "订单号在“我的订单”里能找到，点进去就能看到",  # ordinary text about orders
    "Windows10 专业版 64 位",
    "ABCDEFG1234567890",                      # seven letters: a word, not the order prefix
])
def test_no_false_order_numbers(text):
    assert warned(text) == []


def test_one_letter_prefix_counts_and_long_words_do_not():
    assert warned("编号 x1234567890123") == [("order_number", "x1234567890123")]
    assert warned("编号 ABCDEFG1234567890") == []


def test_the_pattern_is_configurable():
    pattern = r"ORD[0-9]{8}"
    assert warned("单号 ORD12345678 和 202611251234567", order_pattern=pattern) == [("order_number", "ORD12345678")]
    assert warned("单号 XORD12345678", order_pattern=pattern) == []  # never inside a longer word


@pytest.mark.parametrize("pattern", ["(", "(a+)+", "a*", "x" * 300])
def test_an_unusable_pattern_is_refused(pattern):
    with pytest.raises(ValueError):
        guards.compile_order_pattern(pattern)


def test_order_numbers_are_masked():
    [finding] = guards.find_private_warnings("订单 202611251234567")
    assert finding.masked == "20*********4567"
    [finding] = guards.find_private_warnings("订单 JD1234567890")
    assert finding.masked == "JD******7890"


# --- addresses ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, address", [
    ("我家在北京市朝阳区建国路88号SOHO现代城5号楼1203室，快递一直不到",
     "北京市朝阳区建国路88号SOHO现代城5号楼1203室"),
    ("地址：浙江省杭州市西湖区文三路478号华星时代广场A座1201", "浙江省杭州市西湖区文三路478号华星时代广场A座1201"),
    ("上海市浦东新区张江镇阳光小区3栋2单元501室", "上海市浦东新区张江镇阳光小区3栋2单元501室"),
    ("寄到阳光小区3号楼就行", "阳光小区3号楼"),
    ("送到中山路123号", "中山路123号"),
    ("广东省深圳市南山区科技园路1号", "广东省深圳市南山区科技园路1号"),
    ("北京市 朝阳区 建国路 88号", "北京市 朝阳区 建国路 88号"),
    ("收货人住在3栋2单元501", "3栋2单元501"),
    ("5号楼12层", "5号楼12层"),
    ("东城区东四十条胡同12号", "东城区东四十条胡同12号"),
    ("杭州市西湖区文三路４７８号", "杭州市西湖区文三路４７８号"),  # full-width digits
])
def test_street_addresses_are_found(text, address):
    assert warned(text) == [("address", address)]


@pytest.mark.parametrize("text", [
    "我的收货地址填错了，怎么修改收货地址？订单还没发货。",
    "北京市的用户都遇到了吗？",
    "我去超市3楼买东西",
    "我在3楼等你，2楼说得对",
    "12月3号下单，5号线地铁站取件，1号店也有",
    "双十一3号发货，6月18号到",
    "快递到了小区门口但是没人送上楼",
    "我知道3号会发货",
    "第3单元的课程",
    "朝阳区建国路附近有自提点吗",          # a road without its number
    "北京市朝阳区阳光小区",                # a neighbourhood, not a door
    "广东省深圳市南山区科技园",
    "退款到账需要3-5个工作日",
    "上市公司的客服电话是多少",
    "3号楼",
    "501室",
])
def test_no_false_addresses(text):
    assert warned(text) == []


def test_addresses_are_masked_to_the_place_names():
    [finding] = guards.find_private_warnings("上海市浦东新区张江镇阳光小区3栋2单元501室")
    assert finding.masked == "上海市浦东新区张江镇阳光小区*栋*单元***室"
    assert not any(ch.isdigit() for ch in finding.masked)


def test_warnings_do_not_overlap_refused_data_or_each_other():
    text = f"订单 202611251234567，手机 13812345678，卡 {CARD}，寄到阳光小区3栋2单元501室"
    assert warned(text) == [("order_number", "202611251234567"), ("address", "阳光小区3栋2单元501室")]
    assert guards.find_private_data(text)  # the mobile and the card are for the refusing guard


@pytest.mark.parametrize("unit", [
    "路", "阳光小区3栋", "3楼", "北京市", "京", "JD1234567890 ", "a1", "1 ", "中山路123号，", "2026 1125 ",
    "订单号", "１２", "3栋2单元",
], ids=repr)
def test_warnings_cost_linear_time(unit):
    text = unit * (100_000 // len(unit))

    def run(n):
        guards.find_order_numbers(text[:n])
        guards.find_addresses(text[:n])

    # 4 times the input: linear work grows about 4 times, quadratic 16 times. The bound leaves room
    # for a machine busy with other work (the regular expressions are linear: bounded repeats only).
    assert_grows_at_most(run, len(text) // 4, len(text), at_most=12)
