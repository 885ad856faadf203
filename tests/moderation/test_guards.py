"""Unit tests for forum.policy.guards (pure Python: no app, no database)."""
from __future__ import annotations

import dataclasses
import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from forum.policy import guards
from forum.policy.guards import (
    MAX_PATTERN_LENGTH,
    MAX_TEXT_LENGTH,
    Finding,
    PrivateKind,
    ScamKind,
    WatchedAction,
    WatchedWord,
    compile_watched,
    find_private_data,
    find_scam_signals,
    redact,
    validate_pattern,
)
from tests.scaling import assert_costs_about_as_much_as

# ---------------------------------------------------------------------------------------------
# Independent helpers for building valid test data (deliberately not using the module's code)
# ---------------------------------------------------------------------------------------------


def luhn_valid(number: str) -> bool:
    digits = [int(c) for c in number][::-1]
    odd = sum(digits[0::2])
    even = sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return (odd + even) % 10 == 0


def with_luhn_digit(partial: str) -> str:
    return next(partial + str(d) for d in range(10) if luhn_valid(partial + str(d)))


def with_id_check(first17: str) -> str:
    """ISO 7064 MOD 11-2: weight of position i (from the left) is 2**(17 - i) mod 11."""
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    value = (12 - total % 11) % 11
    return first17 + ("X" if value == 10 else str(value))


VISA = "4111 1111 1111 1111"
UNIONPAY_19 = with_luhn_digit("622202123456789012")  # 19 digits
KNOWN_ID = "11010519491231002X"  # commonly cited valid example; checksum verified by hand (sum 167 -> X)


def kinds(findings: list[Finding]) -> list[str]:
    return [f.kind.value for f in findings]


def spans(text: str, findings: list[Finding]) -> list[str]:
    return [text[f.start : f.end] for f in findings]


def test_helpers_agree_with_known_values():
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert len(UNIONPAY_19) == 19 and luhn_valid(UNIONPAY_19)
    assert with_id_check(KNOWN_ID[:17]) == KNOWN_ID


# ---------------------------------------------------------------------------------------------
# Module shape
# ---------------------------------------------------------------------------------------------


def test_module_imports_nothing_from_flask_db_or_forum():
    """The guards need no application: besides the standard library, only the pure Unicode module
    forum.core.text (loaded here on its own, without the forum package and so without Flask)."""
    path = Path(guards.__file__)
    text_path = path.parent.parent / "core" / "text.py"
    code = (
        "import importlib.util, sys, types\n"
        "for name in ('forum', 'forum.core'):\n"
        "    sys.modules[name] = types.ModuleType(name)\n"
        "    sys.modules[name].__path__ = []\n"
        "def load(name, file):\n"
        "    spec = importlib.util.spec_from_file_location(name, file)\n"
        "    mod = importlib.util.module_from_spec(spec)\n"
        "    sys.modules[name] = mod\n"
        "    spec.loader.exec_module(mod)\n"
        "    return mod\n"
        f"sys.modules['forum.core'].text = load('forum.core.text', {str(text_path)!r})\n"
        f"mod = load('standalone_guards', {str(path)!r})\n"
        "banned = {'flask', 'sqlalchemy', 'werkzeug', 'flask_babel', 'flask_sqlalchemy'}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in banned\n"
        "             or (m.startswith('forum') and m not in ('forum', 'forum.core', 'forum.core.text')))\n"
        "assert not bad, bad\n"
        "assert mod.find_private_data('13800138000')[0].masked == '138****8000'\n"
        "assert mod.find_private_data('138\\u20601234\\u20605678')[0].masked == '138****5678'\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", code], check=False, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_finding_is_frozen_and_kinds_are_strings():
    finding = find_private_data(VISA)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.start = 3  # type: ignore[misc]
    assert PrivateKind.CARD == "card" and ScamKind.CLAIMS_OFFICIAL == "claims_official"
    assert WatchedAction.BLOCK == "block"


# ---------------------------------------------------------------------------------------------
# Privacy guard: cards
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        VISA,
        "4111111111111111",
        "4111-1111-1111-1111",
        UNIONPAY_19,
        " ".join(UNIONPAY_19[i : i + 4] for i in range(0, 19, 4)),  # 4-4-4-4-3
        "6222 0212 3456 7890 128",
        "3782 822463 10005",  # Amex grouping 4-6-5
        "5555555555554444",
    ],
)
def test_card_numbers_are_found(number):
    text = f"我的卡号是{number}，付款失败"
    findings = find_private_data(text)
    assert kinds(findings) == ["card"]
    assert spans(text, findings) == [number]


def test_card_is_masked_to_first_and_last_four():
    text = "卡号 6222 0212 3456 7890 128 扣款两次"
    (finding,) = find_private_data(text)
    assert finding.masked == "6222 **** **** 0128"
    assert (finding.start, finding.end) == (3, 26)
    assert "3456" not in finding.masked


@pytest.mark.parametrize(
    "text",
    [
        "卡号 4111 1111 1111 1112",  # Luhn fails
        "订单号 2026112512345678",  # order number: Luhn may hold, but no card starts with 2026
        "卡号 411111111111",  # 12 digits: too short
        "流水 41111111111111111111",  # 20 digits: too long
        "编号 94111111111111111",  # part of a longer digit run
        "快递单号 773123456789012",  # courier number, not an issuer prefix
        "运单号 SF1234567890123",  # letters glued to the digits: an identifier
    ],
)
def test_card_negatives(text):
    assert find_private_data(text) == []


def test_card_next_to_other_numbers_is_still_found():
    text = "4111 1111 1111 1111 2 次被拒"
    findings = find_private_data(text)
    assert kinds(findings) == ["card"] and spans(text, findings) == [VISA]


# ---------------------------------------------------------------------------------------------
# Privacy guard: mobiles
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 13800138000",
        "+8613800138000",
        "86 138 0013 8000",
        "0086-138-0013-8000",
        "19912345678",
    ],
)
def test_mobiles_are_found_with_prefix_and_grouping(number):
    text = f"有问题打我电话{number}谢谢"
    findings = find_private_data(text)
    assert kinds(findings) == ["mobile"]
    assert spans(text, findings) == [number]


def test_mobile_mask():
    (finding,) = find_private_data("电话 13812345678")
    assert finding.masked == "138****5678"


@pytest.mark.parametrize(
    "text",
    [
        "订单号 2026112512345678",
        "单号 2026113800138000",  # contains 13800138000 inside a longer run
        "号码 12345678901",  # 12x is not a mobile prefix
        "金额 ¥12345，共 3 件",
        "时间 2024-01-15 13:45:00",
        "https://pay.example.com/orders/2026112512345678?ref=abc",
        "工单 T13800138000",  # glued to a letter
    ],
)
def test_mobile_negatives(text):
    assert find_private_data(text) == []


def test_two_adjacent_mobiles_are_both_found():
    text = "13800138000 13900139000"
    findings = find_private_data(text)
    assert kinds(findings) == ["mobile", "mobile"]
    assert [(f.start, f.end) for f in findings] == [(0, 11), (12, 23)]


# ---------------------------------------------------------------------------------------------
# Privacy guard: resident ID numbers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ident",
    [
        KNOWN_ID,
        KNOWN_ID.lower(),
        "110105 19491231 002X",
        with_id_check("44030419900307123"),
        with_id_check("51010720000229456"),  # 29 Feb of a leap year
    ],
)
def test_resident_ids_are_found(ident):
    text = f"身份证号：{ident}。"
    findings = find_private_data(text)
    assert kinds(findings) == ["resident_id"]
    assert spans(text, findings) == [ident]


def test_resident_id_mask():
    (finding,) = find_private_data(f"ID {KNOWN_ID}")
    assert finding.masked == "1101**********002X"


@pytest.mark.parametrize(
    "ident",
    [
        "11010519491231002Y",  # not a check character
        KNOWN_ID[:17] + "3",  # wrong check digit
        with_id_check("11010518991231002"),  # born before 1900
        with_id_check("11010520990101002"),  # born in the future
        with_id_check("11010519490230002"),  # 30 February
        with_id_check("99010519491231002"),  # no such province
        "9" + KNOWN_ID,  # part of a longer run
    ],
)
def test_resident_id_negatives(ident):
    assert find_private_data(f"号码 {ident}") == []


def test_resident_id_beats_a_card_reading_of_the_same_digits():
    # Province 62 also starts UnionPay cards: find an ID whose 18 digits also pass Luhn.
    ident = next(
        candidate
        for seq in range(1000)
        if (candidate := with_id_check(f"62010219900101{seq:03d}")).isdigit() and luhn_valid(candidate)
    )
    findings = find_private_data(f"证件 {ident}")
    assert kinds(findings) == ["resident_id"]


# ---------------------------------------------------------------------------------------------
# Privacy guard: e-mail
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address", "masked"),
    [
        ("邮箱 zhang.san@example.com。", "zhang.san@example.com", "z***@example.com"),
        ("mail me: li+tag@mail.example.com.cn.", "li+tag@mail.example.com.cn", "l***@mail.example.com.cn"),
        ("邮箱:abc@x.io谢谢", "abc@x.io", "a***@x.io"),
    ],
)
def test_email_addresses(text, address, masked):
    (finding,) = find_private_data(text)
    assert finding.kind is PrivateKind.EMAIL
    assert text[finding.start : finding.end] == address
    assert finding.masked == masked


@pytest.mark.parametrize("text", ["@someone 你好", "user@localhost", "a@b.c", "https://medium.com/@user/post"])
def test_email_negatives(text):
    assert find_private_data(text) == []


# ---------------------------------------------------------------------------------------------
# Privacy guard: shared secrets
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("密码: abc123", "密码: ******"),
        ("我的密码是 Abc!2345", "密码: ******"),
        ("password: hunter2", "password: ******"),
        ("pwd=s3cr3t#1", "pwd: ******"),
        ("验证码 123456", "验证码: ******"),
        ("验证码是：834201", "验证码: ******"),
        ("校验码 4321", "校验码: ******"),
        ("动态码：778899", "动态码: ******"),
        ("短信码 5566", "短信码: ******"),
        ("OTP 123456", "OTP: ******"),
        ("my verification code is 123456", "verification code: ******"),
        ("支付密码 123456", "支付密码: ******"),
        ("PIN 1234", "PIN: ******"),
    ],
)
def test_shared_secrets(text, masked):
    (finding,) = find_private_data(text)
    assert finding.kind is PrivateKind.SECRET
    assert finding.masked == masked
    keyword = masked.split(":")[0]
    assert text[finding.end :] == "" and text[finding.start :].lower().startswith(keyword.lower())


def test_secret_value_stops_before_trailing_punctuation():
    text = "登录密码：abc123，账号是我的邮箱"
    (finding,) = find_private_data(text)
    assert text[finding.start : finding.end] == "登录密码：abc123"


@pytest.mark.parametrize(
    "text",
    [
        "忘记密码了怎么办",
        "I reset my password",
        "I reset my password yesterday",
        "验证码收不到",
        "验证码收不到怎么办",
        "支付密码是多少位？",
        "password is incorrect",
        "验证码5分钟内有效",
        "验证码 6 位",
        "密码: ******",
        "error code: 12345",
        "密码：8-16位",
        "新密码要求：至少8位",
    ],
)
def test_secret_mentions_without_a_value(text):
    assert find_private_data(text) == []


# ---------------------------------------------------------------------------------------------
# Privacy guard: full-width input, ordering, overlaps, redaction
# ---------------------------------------------------------------------------------------------


def test_full_width_digits_and_punctuation_keep_original_offsets():
    text = "电话：１３８－００１３－８０００，密码：ａｂｃ１２３"
    mobile, secret = find_private_data(text)
    assert mobile.kind is PrivateKind.MOBILE
    assert text[mobile.start : mobile.end] == "１３８－００１３－８０００"
    assert mobile.masked == "138****8000"
    assert secret.kind is PrivateKind.SECRET
    assert text[secret.start : secret.end] == "密码：ａｂｃ１２３"


def test_full_width_card_and_email():
    text = "卡：４１１１　１１１１　１１１１　１１１１ 邮箱：ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ"
    card, email = find_private_data(text)
    assert card.kind is PrivateKind.CARD
    assert text[card.start : card.end] == "４１１１　１１１１　１１１１　１１１１"
    assert email.kind is PrivateKind.EMAIL and email.masked == "z***@example.com"


def test_findings_are_ordered_and_do_not_overlap():
    text = f"邮箱 a.b@example.com 卡 {VISA} 手机 13800138000 身份证 {KNOWN_ID} 密码: abc123"
    findings = find_private_data(text)
    assert kinds(findings) == ["email", "card", "mobile", "resident_id", "secret"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))


def test_more_specific_finding_wins_an_overlap():
    # The password value is a mobile number: reported once, as the mobile.
    text = "密码：13800138000"
    assert kinds(find_private_data(text)) == ["mobile"]
    # A card number is not also reported as a mobile or as a secret.
    assert kinds(find_private_data(f"支付密码 {VISA.replace(' ', '')}")) == ["card"]


def test_redact_uses_placeholder():
    text = f"卡号 {VISA}，电话 13800138000。"
    findings = find_private_data(text)
    assert redact(text, findings) == "卡号 [removed]，电话 [removed]。"
    assert redact(text, findings, placeholder="[已隐藏]") == "卡号 [已隐藏]，电话 [已隐藏]。"
    assert redact(text, []) == text


def test_redact_tolerates_unsorted_and_overlapping_findings():
    text = "0123456789"
    findings = [
        Finding(PrivateKind.SECRET, 5, 8, "x"),
        Finding(PrivateKind.CARD, 1, 4, "x"),
        Finding(PrivateKind.MOBILE, 2, 6, "x"),
    ]
    assert redact(text, findings, "#") == "0#89"


def test_plain_text_has_no_findings():
    text = "你好，我昨天在 2024-05-01 下单，价格 ¥12345，快递单号 SF1234567890123，还没到。"
    assert find_private_data(text) == []
    assert find_scam_signals(text) == []


# ---------------------------------------------------------------------------------------------
# Scam guard
# ---------------------------------------------------------------------------------------------

CONTACT = [
    "有事加微信",
    "加我微信详聊",
    "加V了解",
    "加vx：abc123",
    "威信：abc123",
    "薇信同号",
    "wx: abc_888",
    "微信号 abc123",
    "加QQ聊",
    "扣扣联系",
    "QQ群 12345678",
    "加入我们的微信群",
    "私聊我",
    "联系我 电话",
    "add me on wechat",
    "Contact me on Telegram",
    "whatsapp +1 555 0100 222",
    "wxid_abc123",
]
ASKS = [
    "把验证码发给我",
    "告诉我你的验证码",
    "发一下密码",
    "提供你的支付密码",
    "把你的短信验证码发过来",
    "send me the code",
    "tell me your password",
    "What is your verification code?",
    "please send your OTP to me",
]
OFFICIAL = [
    "我是官方客服",
    "官方客服在此",
    "本人是平台工作人员",
    "客服专员为您服务",
    "official support here",
    "I am from the support team",
    "this is customer service",
    "Hi, I'm an official support agent",
]


@pytest.mark.parametrize(
    ("text", "kind"),
    [(t, ScamKind.OFF_PLATFORM_CONTACT) for t in CONTACT]
    + [(t, ScamKind.ASKS_FOR_SECRET) for t in ASKS]
    + [(t, ScamKind.CLAIMS_OFFICIAL) for t in OFFICIAL],
)
def test_scam_signals_fire(text, kind):
    findings = find_scam_signals(text)
    assert [f.kind for f in findings] == [kind]
    (finding,) = findings
    assert finding.masked == text[finding.start : finding.end]


@pytest.mark.parametrize(
    "text",
    [
        "客服电话是多少？",
        "官方客服说要等三天",
        "怎么联系官方客服",
        "验证码收不到怎么办",
        "I contacted official support yesterday",
        "微信支付失败",
        "用QQ钱包付款",
        "怎么添加微信支付？",
        "参加QQ活动送积分",
        "WeChat Pay failed again",
        "wechat payment is slow",
        "QQ is down",
        "这样做有损平台的威信",
        "系统发给我验证码很慢",
        "不要把验证码告诉任何人",
        "请勿提供你的验证码给他人",
        "Never send me your password.",
        "官方不会向你索要验证码",
        "我把验证码发给客服了，怎么办",
        "客服说我验证码错了",
        "他很自私我很生气",
        "联系客服专员后解决了",
        "添加VISA卡失败",
        "加vip会员有什么用",
        "我是客服的老用户",
        "This is customer service's fault",
        "Error on line: 42",
    ],
)
def test_scam_signals_stay_quiet_on_ordinary_posts(text):
    assert find_scam_signals(text) == []


def test_scam_offsets_and_order_in_mixed_text():
    text = "您好，我是官方客服。请加我微信 abc123，然后把验证码发给我。"
    findings = find_scam_signals(text)
    assert [f.kind for f in findings] == [
        ScamKind.CLAIMS_OFFICIAL,
        ScamKind.OFF_PLATFORM_CONTACT,
        ScamKind.ASKS_FOR_SECRET,
    ]
    assert spans(text, findings) == ["我是官方客服", "加我微信", "把验证码发给我"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))


def test_scam_full_width_input():
    text = "加ＶＸ：ａｂｃ１２３"
    (finding,) = find_scam_signals(text)
    assert finding.kind is ScamKind.OFF_PLATFORM_CONTACT
    assert finding.masked == text[finding.start : finding.end]


# ---------------------------------------------------------------------------------------------
# Watched words
# ---------------------------------------------------------------------------------------------


def check(words: list[WatchedWord], text: str):
    return compile_watched(words).check(text)


def test_plain_chinese_word_matches_as_substring():
    result = check([WatchedWord("刷单", WatchedAction.HOLD)], "这是不是刷单兼职？")
    assert result.action is WatchedAction.HOLD
    assert [(w.pattern, s, e) for w, s, e in result.matches] == [("刷单", 4, 6)]
    assert result.censored_text == "这是不是刷单兼职？"


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("this is a SCAM!", True),
        ("Scam, again", True),
        ("这是scam吗", True),  # Chinese characters are not word characters
        ("ＳＣＡＭ alert", True),  # full-width
        ("the scammer left", False),
        ("antiscam tips", False),
        ("scam_bot", False),
    ],
)
def test_ascii_plain_word_uses_word_boundaries(text, hit):
    result = check([WatchedWord("scam", WatchedAction.BLOCK)], text)
    assert (result.action is WatchedAction.BLOCK) is hit


def test_plain_phrase_allows_any_whitespace():
    result = check([WatchedWord("free money", WatchedAction.HOLD)], "get FREE   money now")
    assert [(s, e) for _, s, e in result.matches] == [(4, 16)]


def test_regex_word_is_case_insensitive():
    word = WatchedWord(r"t\.me/\w+", WatchedAction.BLOCK, is_regex=True)
    result = check([word], "join T.ME/scamgroup now")
    assert result.action is WatchedAction.BLOCK
    assert result.matches == [(word, 5, 19)]


def test_strongest_action_wins():
    words = [
        WatchedWord("傻瓜", WatchedAction.CENSOR),
        WatchedWord("兼职", WatchedAction.HOLD),
        WatchedWord("赌博", WatchedAction.BLOCK),
    ]
    matcher = compile_watched(words)
    assert matcher.check("傻瓜").action is WatchedAction.CENSOR
    assert matcher.check("傻瓜 兼职").action is WatchedAction.HOLD
    assert matcher.check("赌博 傻瓜 兼职").action is WatchedAction.BLOCK
    assert matcher.check("正常内容").action is None


def test_censor_replaces_with_blocks_of_same_length():
    words = [WatchedWord("傻瓜", WatchedAction.CENSOR), WatchedWord("idiot", WatchedAction.CENSOR)]
    text = "你是傻瓜, you IDIOT."
    result = check(words, text)
    assert result.censored_text == "你是■■, you ■■■■■."
    assert len(result.censored_text) == len(text)
    assert result.action is WatchedAction.CENSOR


def test_only_censor_matches_are_blacked_out_and_overlaps_merge():
    words = [
        WatchedWord("bad", WatchedAction.CENSOR),
        WatchedWord(r"bad\s+word", WatchedAction.CENSOR, is_regex=True),
        WatchedWord("hold me", WatchedAction.HOLD),
    ]
    result = check(words, "a bad word, hold me")
    assert result.censored_text == "a ■■■■■■■■, hold me"
    assert result.action is WatchedAction.HOLD
    assert [(w.pattern, s, e) for w, s, e in result.matches] == [
        ("bad", 2, 5),
        (r"bad\s+word", 2, 10),
        ("hold me", 12, 19),
    ]


def test_no_words_or_no_match():
    assert check([], "anything").action is None
    result = check([WatchedWord("x1", WatchedAction.BLOCK)], "nothing here")
    assert result.action is None and result.matches == [] and result.censored_text == "nothing here"


def test_action_may_be_given_as_plain_string():
    result = check([WatchedWord("spam", "hold")], "spam")  # type: ignore[arg-type]
    assert result.action is WatchedAction.HOLD


def test_unknown_action_is_rejected():
    with pytest.raises(ValueError, match="spam"):
        compile_watched([WatchedWord("spam", "delete")])  # type: ignore[arg-type]


def test_invalid_regex_names_the_pattern():
    with pytest.raises(ValueError, match=r"'\(unclosed'.*not a valid regular expression"):
        compile_watched([WatchedWord("(unclosed", WatchedAction.BLOCK, is_regex=True)])
    with pytest.raises(ValueError, match=r"\[z-a\]"):
        validate_pattern("[z-a]", is_regex=True)


def test_invalid_regex_text_is_fine_as_plain_word():
    result = check([WatchedWord("(unclosed", WatchedAction.CENSOR)], "x (unclosed y")
    assert result.censored_text == "x ■■■■■■■■■ y"


@pytest.mark.parametrize(
    ("pattern", "is_regex", "message"),
    [
        ("", False, "empty"),
        ("   ", True, "empty"),
        ("a" * (MAX_PATTERN_LENGTH + 1), False, "too long"),
        ("a*", True, "empty text"),
        ("x|", True, "empty text"),
        ("(a+)+$", True, "repeats a group"),
        (r"(\w+\s?)+x", True, "repeats a group"),
        (r"(\w+\s?)*", True, "empty text"),
        (r"(?:a|b+){2,}", True, "repeats a group"),
        (r"((ab)*c)+", True, "repeats a group"),
        (r"(a+){20}", True, "repeats a group"),
        (r"(a{1,3})+b", True, "repeats a group"),
        (r"(x|x)*y", True, "alternatives"),  # 0.46 s on 22 characters, doubling with each one more
        (r"(ab|ac)*d", True, "alternatives"),
        (r"(?:\d|x)+y", True, "alternatives"),
    ],
)
def test_validate_pattern_rejects(pattern, is_regex, message):
    with pytest.raises(ValueError, match=message):
        validate_pattern(pattern, is_regex)


@pytest.mark.parametrize(
    ("pattern", "is_regex", "text", "matched"),
    [
        ("a" * MAX_PATTERN_LENGTH, False, "x " + "a" * MAX_PATTERN_LENGTH + " y", "a" * MAX_PATTERN_LENGTH),
        ("刷单", False, "来刷单赚钱", "刷单"),
        (r"(ab)+", True, "xx abab yy", "abab"),
        (r"(a|b)+c", True, "-abac-", "abac"),
        (r"(?:foo|bar)+", True, "a foobar b", "foobar"),
        (r"(?:微信|wx)\s*\d+", True, "加微信 12345 聊", "微信 12345"),
        (r"(\d+)?x", True, "共 12x 件", "12x"),
        (r"[(+]+", True, "a (+( b", "(+("),
        (r"\(a+\)+", True, "see (aa)) here", "(aa))"),
        (r"(?i)t\.me/\w+", True, "join T.ME/scam now", "T.ME/scam"),
        (r"(a{2})+b", True, "caaaab", "aaaab"),
        (r"(ab{3,3}c)*d", True, "abbbcabbbcd", "abbbcabbbcd"),
        (r"a{x}", True, "literal a{x} braces", "a{x}"),  # not a repeat: Python reads the braces literally
    ],
)
def test_validate_pattern_accepts(pattern, is_regex, text, matched):
    """An accepted pattern raises nothing, and the matcher built from it finds what it says."""
    assert validate_pattern(pattern, is_regex) is None
    result = compile_watched([WatchedWord(pattern, WatchedAction.HOLD, is_regex=is_regex)]).check(text)
    assert result.action is WatchedAction.HOLD
    assert [text[start:end] for _word, start, end in result.matches] == [matched]


def test_text_length_limit():
    matcher = compile_watched([WatchedWord("x", WatchedAction.HOLD)])
    assert matcher.check("y" * MAX_TEXT_LENGTH).action is None
    with pytest.raises(ValueError, match="too long"):
        matcher.check("y" * (MAX_TEXT_LENGTH + 1))


# ---------------------------------------------------------------------------------------------
# Performance
# ---------------------------------------------------------------------------------------------

POST = (
    "你好，我的订单 2026112512345678 付款失败，卡号 4111 1111 1111 1111，电话 13800138000，"
    "邮箱 a.b@example.com，密码: abc123。加微信 abc123，我是官方客服。I contacted support yesterday. "
)

# An ordinary post of the size limit: what a pathological one is compared with.
ORDINARY = ("我的订单一直显示待发货，客服说会尽快处理，请问大家一般要等多久？"
            "I ordered last week and nothing has shipped yet. " * 300)[:20_000]


def _screen(matcher, text):
    find_private_data(text)
    find_scam_signals(text)
    matcher.check(text)


def test_all_detectors_on_a_20000_character_post_are_fast():
    text = (POST * (20_000 // len(POST) + 1))[:20_000]
    matcher = compile_watched(
        [
            WatchedWord("刷单", WatchedAction.BLOCK),
            WatchedWord("scam", WatchedAction.HOLD),
            WatchedWord(r"\bfree\s+money\b", WatchedAction.CENSOR, is_regex=True),
        ]
    )
    assert find_private_data(text) and find_scam_signals(text)
    assert_costs_about_as_much_as(lambda: _screen(matcher, text), lambda: _screen(matcher, ORDINARY))


@pytest.mark.parametrize(
    "text",
    [
        "1" * 20_000,
        "1 " * 10_000,
        "123 " * 5_000,
        "4111-" * 4_000,
        "a" * 20_000,
        "a@" * 10_000,
        "a@" + "b." * 9_999,
        ("x" * 70 + "@") * 250,
        "密码" * 10_000,
        ("密码 " + "!" * 64) * 250,
        "wx " * 6_000,
        "add me " * 3_000,
        "１" * 20_000,
    ],
    ids=lambda t: f"{t[:6]!r}x{len(t)}",
)
def test_no_catastrophic_backtracking(text):
    matcher = compile_watched(
        [WatchedWord("scam", WatchedAction.HOLD), WatchedWord("刷单", WatchedAction.BLOCK)]
    )
    reference = ORDINARY[:len(text)]
    assert_costs_about_as_much_as(lambda: _screen(matcher, text), lambda: _screen(matcher, reference))


# ---------------------------------------------------------------------------------------------
# Invisible characters, compatibility forms and look-alike letters (issue 14, finding 3): the
# guards see what a reader sees
# ---------------------------------------------------------------------------------------------

from tests.unicode_data import INVISIBLE, hex_id, sprinkle  # noqa: E402

# (text, the words to hide characters inside): each is found by a guard as it stands.
SCAM_TEXTS = [
    ("我是官方客服，有问题加我微信 kefu8888 处理", ("客服", "微信")),
    ("请把验证码发给我，马上帮你退款", ("验证码",)),
    ("你好，加微信聊，这里说不方便", ("微信",)),
    ("add me on wechat kefu8888 for a refund", ("wechat",)),
    ("please send me your verification code now", ("code", "send")),
]
PRIVATE_TEXTS = [
    ("我的手机 13812345678 请联系", ("13812345678",)),
    ("我的手机 138 1234 5678 请联系", ("138", "1234", "5678")),
    ("卡号 4111 1111 1111 1111 被扣款", ("4111",)),
    ("身份证 " + KNOWN_ID, (KNOWN_ID,)),
    ("邮箱 kefu@example.com 联系", ("kefu", "example")),
    ("验证码是 384756 别告诉别人", ("验证码", "384756")),
]
WATCHED = [WatchedWord("刷单", WatchedAction.BLOCK), WatchedWord("代购", WatchedAction.HOLD),
           WatchedWord("笨蛋", WatchedAction.CENSOR), WatchedWord(r"赌\s*博", WatchedAction.BLOCK, is_regex=True)]
WATCHED_TEXTS = [
    ("想赚钱可以来刷单，每天结算", ("刷单",)),
    ("专业代购，价格便宜", ("代购",)),
    ("你这个笨蛋，看清楚", ("笨蛋",)),
    ("推荐一个赌博网站", ("赌博",)),
]


def _found(findings, text):
    # What was found, and where, as a reader sees it (invisible characters taken out).
    return [(f.kind.value, guards.normalise(text[f.start:f.end])) for f in findings]


def test_the_unprotected_texts_are_found():
    matcher = compile_watched(WATCHED)
    assert all(find_scam_signals(t) for t, _ in SCAM_TEXTS)
    assert all(find_private_data(t) for t, _ in PRIVATE_TEXTS)
    assert all(matcher.check(t).action for t, _ in WATCHED_TEXTS)


@pytest.mark.parametrize("code", INVISIBLE, ids=hex_id)
def test_invisible_characters_inside_words_change_nothing(code):
    """Every default-ignorable and format character, between every two letters of the guarded
    words: the same findings as without, at offsets that cover the hidden word."""
    ch = chr(code)
    matcher = compile_watched(WATCHED)
    for plain, words in SCAM_TEXTS:
        hidden = sprinkle(plain, words, ch)
        assert _found(find_scam_signals(hidden), hidden) == _found(find_scam_signals(plain), plain), hidden
    for plain, words in PRIVATE_TEXTS:
        hidden = sprinkle(plain, words, ch)
        found = find_private_data(hidden)
        assert _found(found, hidden) == _found(find_private_data(plain), plain), hidden
        assert [f.masked for f in found] == [f.masked for f in find_private_data(plain)]
        assert ch not in redact(hidden, found).replace(ch, "", plain.count(ch)) or ch in plain
    for plain, words in WATCHED_TEXTS:
        hidden = sprinkle(plain, words, ch)
        result, expected = matcher.check(hidden), matcher.check(plain)
        assert result.action == expected.action, hidden
        # The same words blacked out (each hidden character with them).
        assert re.sub("■+", "■", guards.normalise(result.censored_text)) == \
            re.sub("■+", "■", guards.normalise(expected.censored_text))


def test_the_phone_number_of_the_report():
    text = "138\u20601234\u20605678"
    [finding] = find_private_data(text)
    assert finding.kind is PrivateKind.MOBILE and (finding.start, finding.end) == (0, len(text))
    assert finding.masked == "138****5678"
    assert redact("电话 " + text + " 谢谢", find_private_data("电话 " + text + " 谢谢")) == "电话 [removed] 谢谢"


def test_censoring_covers_the_hidden_characters_too():
    result = compile_watched([WatchedWord("笨蛋", WatchedAction.CENSOR)]).check("你这个笨\u200d蛋!")
    assert result.censored_text == "你这个■■■!"


@pytest.mark.parametrize("text", [
    "１３８１２３４５６７８",                # full-width digits
    "①③⑧①②③④⑤⑥⑦⑧",                  # circled digits
    "⒈⒊⒏⒈⒉⒊⒋⒌⒍⒎⒏",                     # digits with full stop
    "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖",                      # mathematical bold digits
    "𝟙𝟛𝟠𝟙𝟚𝟛𝟜𝟝𝟞𝟟𝟠",                      # double-struck digits
    "¹³⁸¹²³⁴⁵⁶⁷⁸",                       # superscripts
    "١٣٨١٢٣٤٥٦٧٨",                       # Arabic-Indic digits
    "१३८१२३४५६७८",                       # Devanagari digits
    "138.1234.5678", "138 - 1234 - 5678", "138  1234  5678", "138_1234_5678", "138/1234/5678",
    "138·1234·5678", "138，1234，5678", "138、1234、5678", "138 12345678", "1381234 5678",
    "1 3 8 1 2 3 4 5 6 7 8", "1-3-8-1-2-3-4-5-6-7-8", "１３８－１２３４－５６７８", "138—1234—5678",
])
def test_phone_numbers_in_other_forms_and_with_separators(text):
    found = find_private_data(f"电话：{text}，谢谢")
    assert [(f.kind, f.masked) for f in found] == [(PrivateKind.MOBILE, "138****5678")], text


@pytest.mark.parametrize("text", ["1 2 3 4 5 6 7 8 9 10 11", "192.168.100.200", "3.14159265358979", "2026.12.02",
                                  "1,234,567,890", "尺码 15 20 30 40 50 6", "版本 1.2.3.4", "第 1-3 章"])
def test_separated_digits_that_are_no_phone(text):
    assert find_private_data(text) == []


@pytest.mark.parametrize("text, plain", [
    ("ａｄｄ ｍｅ ｏｎ ｗｅｃｈａｔ ｋｅｆｕ８８８８", "add me on wechat kefu8888"),          # full-width
    ("𝐚𝐝𝐝 𝐦𝐞 𝐨𝐧 𝐰𝐞𝐜𝐡𝐚𝐭 kefu8888", "add me on wechat kefu8888"),             # mathematical bold
    ("𝘢𝘥𝘥 𝘮𝘦 𝘰𝘯 𝘸𝘦𝘤𝘩𝘢𝘵 kefu8888", "add me on wechat kefu8888"),             # sans-serif italic
    ("add me on wеchat kefu8888", "add me on wechat kefu8888"),                    # Cyrillic е
    ("аdd mе оn wесhаt kefu8888", "add me on wechat kefu8888"),                    # Cyrillic а е о с
    ("send me your cοde", "send me your code"),                                    # Greek ο
    ("sеnd mе yοur pаsswοrd", "send me your password"),                            # Cyrillic and Greek
    ("send me your cօde", "send me your code"),                                    # Armenian օ
    ("I am official ꮪupport", "I am official support"),                            # Cherokee ꮪ
    ("ꮪend me your code", "send me your code"),
    ("加我ԛԛ 123456789", "加我qq 123456789"),                                       # Cyrillic ԛ
    ("加我ｑｑ 123456789", "加我qq 123456789"),
    ("我是官方客\u0336服", "我是官方客服"),                                          # strike-through marks
    ("加我微\u20dd信 kefu8888", "加我微信 kefu8888"),                                # enclosing circle
])
def test_scam_signals_in_other_alphabets_and_forms(text, plain):
    expected = [f.kind for f in find_scam_signals(plain)]
    assert expected and [f.kind for f in find_scam_signals(text)] == expected


@pytest.mark.parametrize("text", ["привет, как дела? всё хорошо", "Καλημέρα, πώς είσαι;", "Բարև, ինչպե՞ս ես",
                                  "заказ 12345 не пришёл"])
def test_other_alphabets_alone_are_left_alone(text):
    import unicodedata

    assert guards.normalise(text) == unicodedata.normalize("NFKC", text) and find_scam_signals(text) == []


def test_watched_words_match_look_alikes_and_wide_forms():
    matcher = compile_watched([WatchedWord("scam", WatchedAction.BLOCK), WatchedWord("刷单", WatchedAction.BLOCK)])
    for text in ("this is a ѕcam", "this is a ｓｃａｍ", "this is a 𝐬𝐜𝐚𝐦", "this is a s\u200bcam", "来刷\ufe0f单"):
        assert matcher.check(text).action is WatchedAction.BLOCK, text
