"""Content guards for posts: private data, scam signals and staff-configured watched words.

Nothing here imports Flask or the database: besides the standard library, only the pure Unicode
module `forum.core.text`.

All matching runs on the folded text (`forum.core.text.fold`): invisible characters (zero-width
joiners, word joiners, bidi controls, variation selectors... every default-ignorable and format
character) dropped, compatibility forms folded (full-width ``１３８``/``：``, circled ``①``,
mathematical ``𝐰𝐱`` become ``138``/``:``/``1``/``wx``), digits of every script read as digits, and
look-alike letters of other scripts read as Latin inside Latin words. A reader sees the same words
either way, so the guards must too. Every finding's offsets refer to the original text.
"""
from __future__ import annotations

import bisect
import datetime
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from forum.core import text as _text

__all__ = [
    "MAX_PATTERN_LENGTH",
    "MAX_TEXT_LENGTH",
    "Finding",
    "PrivateKind",
    "ScamKind",
    "WatchedAction",
    "WatchedMatcher",
    "WatchedResult",
    "WatchedWord",
    "compile_watched",
    "find_private_data",
    "find_scam_signals",
    "normalise",
    "redact",
    "validate_pattern",
]


class PrivateKind(enum.StrEnum):
    CARD = "card"
    MOBILE = "mobile"
    RESIDENT_ID = "resident_id"
    EMAIL = "email"
    SECRET = "secret"


class ScamKind(enum.StrEnum):
    OFF_PLATFORM_CONTACT = "off_platform_contact"
    ASKS_FOR_SECRET = "asks_for_secret"
    CLAIMS_OFFICIAL = "claims_official"


@dataclass(frozen=True, slots=True)
class Finding:
    """One hit: `text[start:end]` of the original text; `masked` is safe to display or log."""

    kind: PrivateKind | ScamKind
    start: int
    end: int
    masked: str


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

def normalise(text: str) -> str:
    """The folded form of `text` that every guard matches on (see the module's docstring)."""
    return _text.fold(text).text


def _in_original(folded: _text.Folded, findings: Iterable[Finding], masked_from_original: bool = False) -> list[Finding]:
    """Findings on the folded text, moved to the original text's offsets."""
    out = []
    for f in findings:
        start, end = folded.span(f.start, f.end)
        out.append(Finding(f.kind, start, end, folded.original[start:end] if masked_from_original else f.masked))
    return out


# --------------------------------------------------------------------------------------------
# Privacy guard
# --------------------------------------------------------------------------------------------

# A chain of digit groups joined by separators (a few spaces, or one of - . · _ / , 、 with a space
# or two around it: what people put between the digits of a phone number to slip it past a filter),
# optionally led by "+" and closed by an ID check character. It may not touch an ASCII letter or
# digit on either side, so alphanumeric identifiers (SF1234567890123, tracking and order codes) are
# never read as numbers.
_SEPARATOR = r"(?:[ \t]{0,2}[\-.·_/,、][ \t]{0,2}|[ \t]{1,3})"
_DIGIT_CHAIN = re.compile(
    rf"(?<![0-9A-Za-z])(\+?)([0-9]+(?:{_SEPARATOR}[0-9]+)*[Xx]?)(?![0-9A-Za-z])"
)
# How a mobile's 11 digits are grouped when they are: 138 1234 5678, 138 12345678, 1381234 5678,
# or one digit at a time (1 3 8 1 2 3 4 5 6 7 8).
_MOBILE_SHAPES = ([3, 4, 4], [3, 8], [7, 4], [1] * 11)
_GROUP = re.compile(r"[0-9]+[Xx]?")
_LONGEST_NUMBER = 19  # digits; the longest thing looked for (a card); a +0086 mobile has 15

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First two digits: province-level region codes (GB/T 2260), plus 81–83 of residence permits.
_ID_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])"
    r"(?P<local>[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63})@"
    r"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})"
    r"(?![A-Za-z0-9\-])"
)

_ZH_SECRET_WORD = (
    r"(?:(?:支付|登录|登陆|交易|取款|提现|银行卡|账户|账号|动态|初始|卡)?密码"
    r"|(?:短信|手机|邮箱|邮件)?验证码|校验码|动态码|短信码|安全码|口令)"
)
_EN_SECRET_WORD = (
    r"(?<![A-Za-z])(?:password|passwd|passcode|pwd|pin(?:\s+code)?|otp|one[\s\-]time\s+(?:code|password)"
    r"|(?:verification|security|sms|auth|authentication|2fa|login)\s+code|cvv2?|cvc)(?![A-Za-z])码?"
)
_SECRET = re.compile(
    rf"(?P<kw>{_ZH_SECRET_WORD}|{_EN_SECRET_WORD})"
    r"(?P<sep>\s*[:=]\s*|\s*[是为]\s*[:=]?\s*|\s+(?:is|was)(?:\s*[:=]\s*|\s+)|\s*)"
    r"(?P<val>[!-~]{1,64})",
    re.IGNORECASE,
)
_SHORT_CODE_WORDS = frozenset({"cvv", "cvv2", "cvc", "安全"})  # 3–4 digit codes; "码" is cut first
_NUMBER_RANGE = re.compile(r"[0-9]{1,2}(?:-|~)[0-9]{1,2}")
_VALUE_TRAILING = ".,;:!?)]}>'\"`"

# Lower number wins when two findings overlap.
_PRIORITY = {
    PrivateKind.RESIDENT_ID: 0,
    PrivateKind.CARD: 1,
    PrivateKind.MOBILE: 2,
    PrivateKind.EMAIL: 3,
    PrivateKind.SECRET: 4,
}


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _plausible_card_prefix(digits: str) -> bool:
    """Issuer prefixes of real cards: 3–6 (Amex, JCB, Visa, Mastercard, UnionPay), Mastercard's
    2221–2720, UnionPay's 81 and the 95xx domestic cards of Chinese banks. Excludes date-led
    order numbers such as 2026112512345678."""
    first = digits[0]
    if first in "3456":
        return True
    if first == "2":
        return 2221 <= int(digits[:4]) <= 2720
    return digits.startswith(("81", "95"))


def _resident_id_ok(chars: str, today: datetime.date | None = None) -> bool:
    if len(chars) != 18 or not chars[:17].isdigit() or int(chars[:2]) not in _ID_PROVINCES:
        return False
    check = sum(int(c) * w for c, w in zip(chars[:17], _ID_WEIGHTS, strict=True)) % 11
    if _ID_CHECK[check] != chars[17].upper():
        return False
    try:
        born = datetime.date(int(chars[6:10]), int(chars[10:12]), int(chars[12:14]))
    except ValueError:
        return False
    return datetime.date(1900, 1, 1) <= born <= (today or datetime.date.today())


def _classify_number(
    groups: Sequence[tuple[int, int, str]], plus_at: int | None
) -> tuple[PrivateKind, int, str] | None:
    """Classify a run of digit groups as ID, card or mobile: (kind, span start, masked) or None."""
    texts = [g[2] for g in groups]
    joined = "".join(texts)
    start = groups[0][0]
    grouped = len(texts) > 1

    id_shape = len(joined) == 18 and (not grouped or all(len(t) >= 3 for t in texts))
    if id_shape and _resident_id_ok(joined):
        ident = joined.upper()
        return PrivateKind.RESIDENT_ID, start, ident[:4] + "*" * 10 + ident[14:]
    if not joined.isdigit():
        return None

    if 13 <= len(joined) <= _LONGEST_NUMBER:
        shape_ok = not grouped or (
            4 <= len(texts[0]) <= 6 and all(3 <= len(t) <= 6 for t in texts[1:])
        )
        if shape_ok and _plausible_card_prefix(joined) and _luhn_ok(joined):
            return PrivateKind.CARD, start, f"{joined[:4]} **** **** {joined[-4:]}"

    # The national number, after an optional 86 / 0086 country code (+ is looked at below).
    national, has_prefix = texts, False
    if grouped and texts[0] in ("86", "0086"):
        national, has_prefix = texts[1:], True
    elif not grouped and len(joined) == 13 and joined.startswith("86"):
        national, has_prefix = [joined[2:]], True
    elif not grouped and len(joined) == 15 and joined.startswith("0086"):
        national, has_prefix = [joined[4:]], True
    number = "".join(national)
    shape_ok = len(national) == 1 or [len(t) for t in national] in _MOBILE_SHAPES
    if shape_ok and _MOBILE.fullmatch(number):
        if has_prefix and plus_at is not None:
            start = plus_at
        return PrivateKind.MOBILE, start, f"{number[:3]}****{number[-4:]}"
    return None


def _number_findings(norm: str) -> list[Finding]:
    found: list[Finding] = []
    for chain in _DIGIT_CHAIN.finditer(norm):
        base = chain.start(2)
        groups = [(base + g.start(), base + g.end(), g.group()) for g in _GROUP.finditer(chain.group(2))]
        plus_at = chain.start(1) if chain.group(1) else None
        i = 0
        while i < len(groups):
            run = i
            while run < len(groups) and len(groups[run][2]) == 1:
                run += 1
            if run - i > 1:  # digits written one at a time: only a whole mobile number counts
                hit = _classify_number(groups[i:run], None) if run - i == 11 else None
                if hit:
                    found.append(Finding(hit[0], hit[1], groups[run - 1][1], hit[2]))
                i = run
                continue
            ends: list[int] = []
            total = 0
            for j in range(i, len(groups)):
                size = len(groups[j][2])
                total += size
                # Only a leading 86 country code may be shorter than 3 digits; nothing spans past it.
                if total > _LONGEST_NUMBER or (size < 3 and (j > i or groups[j][2] != "86")):
                    break
                if total >= 11:
                    ends.append(j)
            hit = None
            for j in reversed(ends):  # longest candidate first
                hit = _classify_number(groups[i : j + 1], plus_at if i == 0 else None)
                if hit:
                    kind, start, masked = hit
                    found.append(Finding(kind, start, groups[j][1], masked))
                    i = j + 1
                    break
            if not hit:
                i += 1
    return found


def _secret_value_ok(keyword: str, sep: str, value: str) -> bool:
    if not any(c.isalnum() for c in value):
        return False
    has_digit = any(c.isdigit() for c in value)
    if ":" in sep or "=" in sep or "是" in sep or "为" in sep:
        return len(value) >= 3 and not _NUMBER_RANGE.fullmatch(value)
    if sep.strip():  # English "is" / "was": a plain word ("is wrong", "is required") is no secret
        return len(value) >= 3 and (has_digit or not value.isalpha())
    if keyword.lower().removesuffix("码") in _SHORT_CODE_WORDS and value.isdigit() and len(value) in (3, 4):
        return True
    return len(value) >= 4 and has_digit


def _secret_findings(text: str, norm: str) -> list[Finding]:
    found: list[Finding] = []
    for m in _SECRET.finditer(norm):
        value = m.group("val").rstrip(_VALUE_TRAILING)
        if not _secret_value_ok(m.group("kw"), m.group("sep"), value):
            continue
        end = m.start("val") + len(value)
        keyword = text[m.start("kw") : m.end("kw")]
        found.append(Finding(PrivateKind.SECRET, m.start(), end, f"{keyword}: ******"))
    return found


def _email_findings(norm: str) -> list[Finding]:
    return [
        Finding(PrivateKind.EMAIL, m.start(), m.end(), f"{m.group('local')[0]}***@{m.group('domain')}")
        for m in _EMAIL.finditer(norm)
    ]


def _without_overlaps(candidates: Iterable[Finding], priority: Mapping[object, int]) -> list[Finding]:
    """Keep the best candidates (by `priority`, then earliest, then longest) that overlap no kept one."""
    ranked = sorted(candidates, key=lambda f: (priority.get(f.kind, 0), f.start, f.start - f.end))
    starts: list[int] = []
    kept: list[Finding] = []  # sorted by start, pairwise disjoint
    for cand in ranked:
        pos = bisect.bisect_right(starts, cand.start)
        if pos and kept[pos - 1].end > cand.start:
            continue
        if pos < len(kept) and kept[pos].start < cand.end:
            continue
        starts.insert(pos, cand.start)
        kept.insert(pos, cand)
    return kept


def find_private_data(text: str) -> list[Finding]:
    """Card numbers, mainland mobiles, resident IDs, e-mail addresses and shared passwords or codes.

    Findings are ordered by start and never overlap; where two would, the more specific kind wins
    (ID, then card, then mobile, then e-mail, then secret).
    """
    folded = _text.fold(text)
    norm = folded.text
    candidates = _number_findings(norm) + _email_findings(norm) + _secret_findings(norm, norm)
    return _in_original(folded, _without_overlaps(candidates, _PRIORITY))


def redact(text: str, findings: Iterable[Finding], placeholder: str = "[removed]") -> str:
    """Replace each finding's span with `placeholder`; overlapping spans are replaced once."""
    out: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        if f.start < pos:  # overlaps the span just replaced: widen it
            pos = max(pos, f.end)
            continue
        out.append(text[pos : f.start])
        out.append(placeholder)
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Scam guard
# --------------------------------------------------------------------------------------------

_NOT_A_CONTACT = r"(?!支付|钱包|零钱|付款|收款|转账|红包|绑卡|绑定|账单|余额|扫码|提现|充值)"
_APP_ASCII = r"(?:vx|wx|v|weixin|wechat|qq|tg|telegram|whatsapp|line|skype|signal)(?![A-Za-z])"
_APP_ZH = r"(?:微信|威信|薇信|徽信|v信|微x|扣扣|企鹅|电报|飞机)"
_SECRET_ZH = (
    r"(?:(?:支付|登录|登陆|交易|取款|提现|银行卡|账户|账号|动态|卡)?密码|(?:短信|手机)?验证码"
    r"|校验码|动态码|短信码|安全码|口令|cvv2?|cvc)"
)
_SECRET_EN = (
    r"(?:(?:verification|security|sms|auth|authentication|2fa|login|one[\s\-]time|otp|payment|bank|card)\s+)?"
    r"(?:code|password|passcode|pin|otp|cvv2?|cvc)s?(?![A-Za-z])"
)
_ASK_VERB_ZH = r"(?:告诉|发给|发|给|报|提供|说|私信|念|读)"
_STAFF_ZH = (
    r"(?:客服专员|客服人员|客服经理|客服|工作人员|管理员|技术支持|官方人员|员工|专员)"
)

_APP_WORDS = (
    "vx", "wx", "weixin", "wechat", "qq", "tg", "telegram", "whatsapp",
    "微信", "威信", "薇信", "徽信", "v信", "微x", "扣扣", "企鹅", "电报", "飞机",
)
_SECRET_ZH_WORDS = ("密码", "验证码", "校验码", "动态码", "短信码", "安全码", "口令", "cvv", "cvc")
_SECRET_EN_WORDS = ("code", "password", "passcode", "pin", "otp", "cvv", "cvc")
_STAFF_EN_WORDS = ("customer", "support", "help", "staff", "admin", "team", "moderator")

_ScamRule = tuple[ScamKind, tuple[str, ...], re.Pattern[str]]


def _rule(kind: ScamKind, triggers: tuple[str, ...], *parts: str) -> _ScamRule:
    return kind, triggers, re.compile("".join(parts), re.IGNORECASE)


# (kind, trigger words, pattern). A rule only runs when the lower-cased text contains one of its
# trigger words (every match of the pattern contains one), which keeps ordinary posts cheap.
_SCAM_RULES: list[_ScamRule] = [
    # 加微信 / 加我vx / 加V / 加QQ群 / 添加微信好友, but not 加微信支付 or 参加QQ活动
    _rule(ScamKind.OFF_PLATFORM_CONTACT, ("加",),
        rf"(?<![参增附追叠更])加\s*(?:我|下|一下|个|上)?\s*的?\s*(?:好友)?\s*(?:{_APP_ASCII}|{_APP_ZH})",
        rf"{_NOT_A_CONTACT}"),
    # a handle or number given with the app: 微信号 abc123, wx: abc, QQ: 12345, whatsapp +1 555 ...
    _rule(ScamKind.OFF_PLATFORM_CONTACT, _APP_WORDS,
        rf"(?<![A-Za-z])(?P<app>(?:vx|wx|weixin|wechat|qq|tg|telegram|whatsapp)(?![A-Za-z])|{_APP_ZH})",
        r"(?P<mid>\s*(?:号码|号|id(?![A-Za-z])|账号)?\s*(?:[:=是]|is(?![A-Za-z]))?\s*)",
        r"(?P<val>\+[0-9][0-9 \-]{4,20}[0-9]|@?[A-Za-z0-9][A-Za-z0-9_.\-]{2,40})"),
    _rule(ScamKind.OFF_PLATFORM_CONTACT, ("wxid_",), r"wxid_[A-Za-z0-9_\-]{3,}"),
    # spellings used only to dodge filters (威信 also means "prestige": only with a handle)
    _rule(ScamKind.OFF_PLATFORM_CONTACT, ("薇信", "徽信", "v信", "微x", "扣扣", "企鹅号", "威信"),
        r"薇信|徽信|v信|微x|扣扣(?!子)|企鹅号|威信(?=\s*号|\s*[:=]|\s*[A-Za-z0-9])"),
    # group invitations: QQ群 123456, 进我们的微信群
    _rule(ScamKind.OFF_PLATFORM_CONTACT, ("群",),
        r"(?:qq|扣扣|微信|wx|vx|tg|电报|telegram)群\s*号?\s*[:=]?\s*[0-9]{5,}"),
    _rule(ScamKind.OFF_PLATFORM_CONTACT, ("群",),
        r"(?:加入|进入|进|入)\s*(?:我的|我们的?)?\s*(?:qq|扣扣|微信|wx|vx|tg|电报|telegram)群"),
    _rule(ScamKind.OFF_PLATFORM_CONTACT, ("私",), r"私聊我|(?<![自隐无公])私我(?!们)"),
    _rule(ScamKind.OFF_PLATFORM_CONTACT, ("联系",),
        rf"联系\s*(?:我|本人)\s*的?\s*[,:]?\s*(?:电话|手机|{_APP_ZH}|{_APP_ASCII})"),
    _rule(ScamKind.OFF_PLATFORM_CONTACT, ("联系",),
        rf"(?<!客服)(?<!官方)(?:电话|手机|{_APP_ZH}|{_APP_ASCII})\s*联系\s*(?:我|本人)"),
    _rule(ScamKind.OFF_PLATFORM_CONTACT, ("电话", "手机"),
        r"(?:打|拨)\s*(?:我|本人)\s*的?\s*(?:电话|手机)|给我打电话"),
    _rule(ScamKind.OFF_PLATFORM_CONTACT, ("me", "us"),
        r"(?<![A-Za-z])(?:add|contact|message|msg|text|dm|pm|reach|ping|find|call|hit)\s+(?:me|us)\s+(?:up\s+)?",
        r"(?:on|at|via|through|thru|over|in|@)\s+(?:my\s+)?",
        r"(?:wechat|weixin|qq|telegram|tg|whats\s?app|line|signal|skype|viber|phone|mobile|cell)(?![A-Za-z])"),
    _rule(ScamKind.OFF_PLATFORM_CONTACT, ("whatsapp", "telegram", "viber"),
        r"(?<![A-Za-z])(?:whatsapp|telegram|viber)\s+(?:me|us)(?![A-Za-z])"),

    # 告诉我你的验证码 / 发给我验证码 / 发一下密码 / 提供你的支付密码
    _rule(ScamKind.ASKS_FOR_SECRET, _SECRET_ZH_WORDS,
        rf"(?:告诉|发给|发|给|报|私信)\s*(?:一下|下)?\s*给?我\s*(?:一下|下)?\s*(?:你的?)?\s*(?:收到的)?\s*{_SECRET_ZH}"),
    _rule(ScamKind.ASKS_FOR_SECRET, _SECRET_ZH_WORDS,
        rf"{_ASK_VERB_ZH}\s*(?:一下|下)\s*(?:你的?)?\s*(?:收到的)?\s*{_SECRET_ZH}"),
    _rule(ScamKind.ASKS_FOR_SECRET, _SECRET_ZH_WORDS,
        rf"{_ASK_VERB_ZH}\s*我?\s*你的\s*(?:收到的)?\s*{_SECRET_ZH}"),
    # 把验证码发给我 / 把你的密码发过来; not 我把验证码发给客服了
    _rule(ScamKind.ASKS_FOR_SECRET, _SECRET_ZH_WORDS,
        rf"把\s*(?:你的?)?\s*(?:收到的)?\s*{_SECRET_ZH}\s*(?:发|告诉|报|给|私信|说|截图)\s*(?:给|到)?\s*",
        r"(?:我|过来|来|一下)"),
    _rule(ScamKind.ASKS_FOR_SECRET, _SECRET_ZH_WORDS,
        rf"(?:索要|索取|需要|要)\s*你的?\s*(?:收到的)?\s*{_SECRET_ZH}"),
    _rule(ScamKind.ASKS_FOR_SECRET, _SECRET_EN_WORDS,
        r"(?<![A-Za-z])(?:send|give|tell|share|text|dm|forward|provide|read|show)\s+(?:me|us)\s+",
        rf"(?:your\s+|the\s+|that\s+)?{_SECRET_EN}"),
    _rule(ScamKind.ASKS_FOR_SECRET, _SECRET_EN_WORDS,
        rf"(?<![A-Za-z])(?:what(?:'s|’s|\s+is|\s+was)|whats)\s+your\s+{_SECRET_EN}"),
    _rule(ScamKind.ASKS_FOR_SECRET, _SECRET_EN_WORDS,
        r"(?<![A-Za-z])(?:send|give|tell|share|provide|forward|text|dm)\s+(?:your|the)\s+",
        rf"{_SECRET_EN}\s+to\s+(?:me|us)(?![A-Za-z])"),
    _rule(ScamKind.ASKS_FOR_SECRET, _SECRET_EN_WORDS,
        rf"(?<![A-Za-z])(?:i|we)\s+(?:need|want)\s+your\s+{_SECRET_EN}"),

    # 我是官方客服 / 本人是平台工作人员; not 我是客服的老用户 or 我是不是...
    _rule(ScamKind.CLAIMS_OFFICIAL, ("客服", "工作人员", "管理员", "技术支持", "官方人员", "员工", "专员"),
        r"(?:我|本人|我们)\s*(?:就是|是|乃)\s*(?:这里的|本站的?|本平台的?|贵平台的?|平台的?|官方的?)?\s*(?:官方)?",
        rf"\s*的?\s*{_STAFF_ZH}(?!的|电话|热线|说|吗|么|\?)"),
    _rule(ScamKind.CLAIMS_OFFICIAL, ("官方",),
        r"官方(?:客服|工作人员|人员|团队)\s*(?:在此|在这里|在这|来了|为您服务|为你服务|提醒您|提醒你|通知您|通知你)"),
    _rule(ScamKind.CLAIMS_OFFICIAL, ("客服专员",),
        r"(?<![找问和跟给向让请系])客服专员(?!说|告诉|让|回复|表示|建议|回答|电话|的)"),
    _rule(ScamKind.CLAIMS_OFFICIAL, ("official",),
        r"(?<![A-Za-z])(?:this\s+is|i\s+am|i'm|i’m|we\s+are|we're|we’re)\s+(?:an?\s+|the\s+|your\s+)?official\s+",
        r"(?:support|customer\s+service|customer\s+support|staff|team|admin|administrator|moderator",
        r"|representative|agent)"),
    _rule(ScamKind.CLAIMS_OFFICIAL, _STAFF_EN_WORDS,
        r"(?<![A-Za-z])(?:this\s+is|i\s+am|i'm|i’m|we\s+are|we're|we’re)\s+(?:an?\s+|the\s+|your\s+)?",
        r"(?:customer\s+(?:service|support|care)|support\s+(?:team|staff|agent|desk)|help\s*desk",
        r"|(?:platform|site)\s+(?:staff|admin|team)|administrator|moderator)(?!\s*(?:'|’)s)(?![A-Za-z])"),
    _rule(ScamKind.CLAIMS_OFFICIAL, ("support", "customer", "help", "security", "risk"),
        r"(?<![A-Za-z])(?:i\s+am|i'm|i’m|we\s+are|we're|we’re)\s+(?:from|with)\s+(?:the\s+)?(?:official\s+)?",
        r"(?:support|customer\s+service|customer\s+support|help\s*desk|security|risk\s+control)",
        r"(?:\s+team|\s+department)?(?![A-Za-z])"),
    _rule(ScamKind.CLAIMS_OFFICIAL, ("official",),
        r"(?<![A-Za-z])official\s+(?:support|customer\s+service|staff|team|admin)\s+here(?![A-Za-z])"),
]

# A warning ("不要把验证码告诉任何人", "never send me your password") is not a request.
_NEGATION_BEFORE = re.compile(
    r"(?:不|没|别|勿|严禁|禁止|谨防|防止|警惕|小心"
    r"|(?<![A-Za-z])(?:don'?t|don’t|do\s+not|never|won'?t|won’t|will\s+not|not))\s*\S{0,2}\s*$",
    re.IGNORECASE,
)
# ... and "系统发给我验证码很慢" describes the system, not a person asking.
_THIRD_PARTY_BEFORE = re.compile(
    r"(?:系统|平台|银行|官方|客服|网站|短信|手机|app|它|他|她|他们)\s*(?:会|已|已经|又|还|刚|才|一直|总是)?\s*$",
    re.IGNORECASE,
)


def _handle_given(m: re.Match[str]) -> bool:
    """For "app + handle": a plain word after the app name ("WeChat payment", "QQ is down") is no handle."""
    mid, value = m.group("mid").strip().lower(), m.group("val")
    if mid and mid != "is":  # 号 / id / : / = / 是
        return True
    if value.startswith(("+", "@")):
        return True
    digits = sum(c.isdigit() for c in value)
    return digits >= 1 if mid == "is" else digits >= 5


def find_scam_signals(text: str) -> list[Finding]:
    """Requests to move off the platform, requests for codes or passwords, and claims to be staff.

    `masked` is the matched text itself. Findings are ordered by start and never overlap.
    """
    folded = _text.fold(text)
    norm = folded.text
    lowered = norm.lower()
    candidates: list[Finding] = []
    for kind, triggers, rule in _SCAM_RULES:
        if not any(word in lowered for word in triggers):
            continue
        for m in rule.finditer(norm):
            if m.end() == m.start():
                continue
            if "val" in rule.groupindex and not _handle_given(m):
                continue
            end = m.end()
            if "val" in rule.groupindex:
                end = m.start("val") + len(m.group("val").rstrip(_VALUE_TRAILING))
            if kind is ScamKind.ASKS_FOR_SECRET:
                before = max(0, m.start() - 12)
                if _NEGATION_BEFORE.search(norm, before, m.start()) or _THIRD_PARTY_BEFORE.search(
                    norm, before, m.start()
                ):
                    continue
            candidates.append(Finding(kind, m.start(), end, ""))
    return _in_original(folded, _without_overlaps(candidates, {}), masked_from_original=True)


# --------------------------------------------------------------------------------------------
# Watched words
# --------------------------------------------------------------------------------------------

MAX_PATTERN_LENGTH = 200
MAX_TEXT_LENGTH = 100_000


class WatchedAction(enum.StrEnum):
    BLOCK = "block"
    HOLD = "hold"
    CENSOR = "censor"


_STRENGTH = {WatchedAction.CENSOR: 1, WatchedAction.HOLD: 2, WatchedAction.BLOCK: 3}
_CENSOR_CHAR = "■"


@dataclass(frozen=True, slots=True)
class WatchedWord:
    """A staff-configured word or regular expression and what to do when it matches."""

    pattern: str
    action: WatchedAction
    is_regex: bool = False


@dataclass(frozen=True, slots=True)
class WatchedResult:
    """`action` is the strongest action matched (None if nothing matched); `matches` are
    (word, start, end) sorted by position; `censored_text` has CENSOR matches blacked out."""

    action: WatchedAction | None
    matches: list[tuple[WatchedWord, int, int]]
    censored_text: str


def _short(pattern: str) -> str:
    return repr(pattern if len(pattern) <= 60 else pattern[:57] + "...")


_BRACES = re.compile(r"\{(\d*)(,?)(\d*)\}")


def _repeat_at(pattern: str, i: int) -> tuple[int, int | None] | None:
    """(min, max) of the quantifier starting at `pattern[i]`, max None when unbounded; else None."""
    c = pattern[i : i + 1]
    if c in ("*", "+", "?"):
        return {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
    m = _BRACES.match(pattern, i) if c == "{" else None
    if not m or not (m.group(1) or m.group(3)):
        return None
    low = int(m.group(1) or 0)
    if not m.group(2):
        return low, low
    return low, int(m.group(3)) if m.group(3) else None


def _has_nested_repeat(pattern: str) -> bool:
    """True for a group repeated more than once whose content can vary in length, e.g. (a+)+,
    (\\w+\\s?)* or (a|b*){2,}, or holds alternatives, e.g. (x|x)*: the classic shapes of
    catastrophic backtracking (alternatives that can match the same text are tried in every
    combination)."""
    stack: list[list] = []  # per open group: [contains a variable repeat, contains "|", content start]
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
            continue
        if c == "|" and stack:
            stack[-1][1] = True
        if c == "(":
            stack.append([False, False, _group_content_start(pattern, i)])
            i += 2 if pattern[i + 1 : i + 2] == "?" else 1
            continue
        if c == ")":
            inner, alternatives, start = stack.pop() if stack else (False, False, i)
            content = pattern[start:i]
            i += 1
            repeat = _repeat_at(pattern, i)
            risky_choice = alternatives and _alternatives_may_overlap(content)
            if (inner or risky_choice) and repeat and (repeat[1] is None or repeat[1] > 1):
                return True
            if stack and (inner or (repeat and repeat[0] != repeat[1])):
                stack[-1][0] = True
            continue
        repeat = _repeat_at(pattern, i)
        if stack and repeat and repeat[0] != repeat[1]:
            stack[-1][0] = True
        i += 1
    return False


def _group_content_start(pattern: str, i: int) -> int:
    """Where the content of the group opened at `i` begins, after (?:, (?P<name>, (?=, (?i: ..."""
    if pattern.startswith("(?P<", i):
        close = pattern.find(">", i)
        return close + 1 if close != -1 else i + 1
    if pattern.startswith(("(?<=", "(?<!"), i):
        return i + 4
    prefix = re.match(r"\(\?(?:[=!]|[aiLmsux-]*:?)", pattern[i:])
    return i + len(prefix.group(0)) if prefix else i + 1


def _alternatives_may_overlap(content: str) -> bool:
    """Could two alternatives of `a|b|c` start matching the same text? Only plain first letters
    are understood: a class, an escape, a dot, a group or an empty alternative counts as "may"."""
    parts, depth, current, i = [], 0, "", 0
    while i < len(content):
        c = content[i]
        if c == "\\":
            current += content[i : i + 2]
            i += 2
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        if c == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += c
        i += 1
    parts.append(current)
    firsts = []
    for part in parts:
        if not part or part[0] in "\\[.(^$":
            return True
        firsts.append(part[0].casefold())
    return len(set(firsts)) != len(firsts)


def validate_pattern(pattern: str, is_regex: bool) -> None:
    """Raise ValueError, with a message fit for the staff form, if `pattern` cannot be used."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError("A watched word must not be empty.")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(
            f"Pattern {_short(pattern)} is too long: {len(pattern)} characters, at most {MAX_PATTERN_LENGTH}."
        )
    if not is_regex:
        return
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise ValueError(
            f"Pattern {_short(pattern)} is not a valid regular expression: {exc.msg}{where}."
        ) from exc
    if compiled.fullmatch(""):
        raise ValueError(f"Pattern {_short(pattern)} matches empty text, so it would match everywhere.")
    if _has_nested_repeat(pattern):
        raise ValueError(
            f"Pattern {_short(pattern)} repeats a group that itself repeats or holds alternatives "
            "(like (a+)+ or (a|b)*), which can make matching extremely slow; simplify it."
        )


def _plain_word_regex(word: str) -> re.Pattern[str]:
    word = normalise(word.strip())
    body = r"\s+".join(re.escape(part) for part in word.split())
    if word.isascii():
        if re.match(r"\w", word[0], re.ASCII):
            body = r"(?<![A-Za-z0-9_])" + body
        if re.match(r"\w", word[-1], re.ASCII):
            body += r"(?![A-Za-z0-9_])"
    return re.compile(body, re.IGNORECASE)


class WatchedMatcher:
    """Compiled watched words; build it with `compile_watched` and reuse it for many texts."""

    __slots__ = ("_rules",)

    def __init__(self, rules: list[tuple[WatchedWord, re.Pattern[str]]]) -> None:
        self._rules = rules

    @property
    def words(self) -> list[WatchedWord]:
        return [word for word, _ in self._rules]

    def check(self, text: str) -> WatchedResult:
        """Match every word against `text` (ValueError if longer than MAX_TEXT_LENGTH)."""
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(f"Text is too long to check: {len(text)} characters, at most {MAX_TEXT_LENGTH}.")
        folded = _text.fold(text)
        matches: list[tuple[WatchedWord, int, int]] = []
        for word, rule in self._rules:
            matches.extend((word, *folded.span(m.start(), m.end())) for m in rule.finditer(folded.text)
                           if m.end() > m.start())
        matches.sort(key=lambda hit: (hit[1], hit[2]))

        action = max((word.action for word, _, _ in matches), key=_STRENGTH.__getitem__, default=None)
        chars: list[str] | None = None
        for word, start, end in matches:
            if word.action is WatchedAction.CENSOR:
                if chars is None:
                    chars = list(text)
                chars[start:end] = _CENSOR_CHAR * (end - start)
        censored = "".join(chars) if chars is not None else text
        return WatchedResult(action, matches, censored)


def compile_watched(words: list[WatchedWord]) -> WatchedMatcher:
    """Validate and compile `words`; ValueError names the first unusable pattern.

    Everything matches against the folded text (see the module's docstring), so full-width and
    mathematical letters and digits in a post are seen as ASCII and invisible characters are gone:
    write regexes for the plain forms.
    """
    rules: list[tuple[WatchedWord, re.Pattern[str]]] = []
    for word in words:
        validate_pattern(word.pattern, word.is_regex)
        try:
            action = WatchedAction(word.action)
        except ValueError as exc:
            raise ValueError(
                f"Pattern {_short(word.pattern)} has an unknown action {word.action!r}."
            ) from exc
        stored = word if action is word.action else WatchedWord(word.pattern, action, word.is_regex)
        rule = re.compile(word.pattern, re.IGNORECASE) if word.is_regex else _plain_word_regex(word.pattern)
        rules.append((stored, rule))
    return WatchedMatcher(rules)


# --------------------------------------------------------------------------------------------
# Privacy warnings: order numbers and street addresses
# --------------------------------------------------------------------------------------------
#
# Not refused like the findings above: an order number or an address is often what a member
# needs to talk about, and the shapes are too loose to refuse on. The post is saved and its author
# is told (with a one-click removal). Findings never overlap a refused kind (a 16-digit card, an
# 18-digit ID, a mobile with its country code are refused, not warned about).


class WarningKind(enum.StrEnum):
    ORDER_NUMBER = "order_number"
    ADDRESS = "address"


# The platform's order-number shape (FORUM_ORDER_NUMBER_PATTERN replaces it): 12 or more digits,
# or up to six letters (and an optional hyphen) followed by 10 or more digits, or digits in groups
# of four. Matched case-insensitively on the normalised text; a match may not touch another ASCII
# letter or digit.
DEFAULT_ORDER_NUMBER_PATTERN = r"[A-Z]{1,6}-?[0-9]{10,}|[0-9]{12,}|[0-9]{4}(?:[ -][0-9]{4}){2,}"

_DIALLING = re.compile(r"\+\s*$")  # "+86 ..." before the number: a phone in international format
_LANDLINE = re.compile(r"0[1-9][0-9]{10}")  # 0 + area code + local number, written without breaks


@lru_cache(maxsize=16)
def compile_order_pattern(pattern: str | None = None) -> re.Pattern[str]:
    """The order-number pattern, checked like a watched-word regex (valid, not empty-matching, no
    nested repeats) and bounded so that it never starts or ends inside a longer word or number.
    Raises ValueError naming the problem."""
    pattern = pattern or DEFAULT_ORDER_NUMBER_PATTERN
    validate_pattern(pattern, True)
    return re.compile(rf"(?<![0-9A-Za-z])(?:{pattern})(?![0-9A-Za-z])", re.IGNORECASE)


def _mask_keeping_ends(value: str, head: int = 2, tail: int = 4) -> str:
    """Digits and letters between the first `head` and the last `tail` characters become '*'."""
    if len(value) <= head + tail:
        return "*" * len(value)
    middle = "".join("*" if ch.isalnum() else ch for ch in value[head:-tail])
    return value[:head] + middle + value[-tail:]


def find_order_numbers(text: str, pattern: str | None = None) -> list[Finding]:
    """Order numbers of the platform's shape (`pattern`, default DEFAULT_ORDER_NUMBER_PATTERN).

    Not an order number: a phone number (one written after "+", a landline with its area code,
    a number dialled with 00) and anything the privacy guard refuses (cards, IDs, mobiles).
    """
    norm = normalise(text)
    rule = compile_order_pattern(pattern)
    found: list[Finding] = []
    for m in rule.finditer(norm):
        value = m.group()
        digits = "".join(ch for ch in value if ch.isdigit())
        if not digits or _DIALLING.search(norm, max(0, m.start() - 3), m.start()):
            continue
        if value.isdigit() and (value.startswith("00") or _LANDLINE.fullmatch(value)):
            continue
        found.append(Finding(WarningKind.ORDER_NUMBER, m.start(), m.end(), _mask_keeping_ends(value)))
    return found


# Chinese street addresses. A post names places all the time ("北京市的用户", "超市3楼", "12月3号"),
# so single parts never count; a run of parts counts when it is specific enough to find a door:
# a road with its number (建国路88号), an estate or a region with a building (阳光小区3栋), or
# two building parts (3栋2单元501室). Place names are 1-8 Han characters, never the small words
# that surround an address in a sentence (我家在…, 寄到…), so a finding starts at the place.
_NAME_STOP = "在是的我你他她它了和与及或把被给送寄往从于住到为请就都也还要想这那个些吗呢吧啊说有没不很"


def _han_except(stop: str) -> str:
    """A character class of the CJK unified ideographs without the characters of `stop`."""
    ranges, low = [], 0x4E00
    for code in sorted(ord(c) for c in set(stop)):
        if code > low:
            ranges.append(f"\\u{low:04x}-\\u{code - 1:04x}")
        low = code + 1
    ranges.append(f"\\u{low:04x}-\\u9fff")
    return "[" + "".join(ranges) + "]"


_NAME = _han_except(_NAME_STOP)
_NUM = r"[0-9]{1,5}"
_ADDRESS_PARTS = re.compile(
    # a road and its number: 建国路88号, 南京东路100-2号, 中关村大街27号院
    rf"(?P<road_no>{_NAME}{{1,8}}?(?:大街|大道|路|街|巷|胡同|弄)\s*{_NUM}\s*(?:[-之]\s*{_NUM}\s*)?号(?:院|楼)?)"
    # an estate or a building with a name: 阳光小区, 华星大厦
    rf"|(?P<estate>{_NAME}{{1,8}}?(?:小区|花园|家园|公寓|大厦|新村|山庄|公馆|华庭|社区|苑))"
    # a province, city, district, county or town: 广东省, 深圳市, 南山区, 张江镇, 建国门街道
    rf"|(?P<region>{_NAME}{{1,7}}?(?:特别行政区|自治区|自治州|自治县|省|市|区|县|旗|镇|乡|街道))"
    # a building, entrance or room: 3栋, 5号楼, A座1201, 2单元501, 501室
    rf"|(?P<unit>[A-Za-z0-9]{{1,4}}\s*(?P<unit_kw>号楼|栋|幢|座|单元|号院|号房|室|房间|楼|层)"
    rf"(?:\s*-?\s*[0-9]{{2,5}}(?![0-9]|\s*(?:号楼|栋|幢|座|单元|楼|层))\s*(?:室|房|号)?)?)"
    # a road without a number still joins a run: 浦东新区张江路…
    rf"|(?P<road>{_NAME}{{1,8}}?(?:大街|大道|路|街|巷|胡同|弄))"
)
_WEAK_UNITS = ("楼", "层")  # "3楼" is a floor, or a reply in forum speak, unless more follows
_PART_WEIGHT = {"road_no": 3, "estate": 1, "region": 1, "road": 1}
_ADDRESS_MIN_WEIGHT = 3
# Between two parts of one address: spaces and commas, or (before a building) the name of a
# building complex, in letters or Han characters (…88号SOHO现代城5号楼, …478号华星时代广场A座).
_JOINER = re.compile(r"[ ,，、]{0,2}")
_COMPLEX_NAME = re.compile(rf"(?:[A-Za-z]|{_NAME}){{1,12}}")


def _part_weight(m: re.Match[str]) -> int:
    kind = m.lastgroup or ""
    if kind == "unit":
        weak = m.group("unit_kw") in _WEAK_UNITS and m.end() == m.end("unit_kw")
        return 1 if weak else 2
    return _PART_WEIGHT[kind]


def _address_run_weight(parts: list[re.Match[str]]) -> int:
    regions = sum(1 for m in parts if m.lastgroup == "region")
    # A chain of regions (广东省深圳市南山区) says where, not which door: it counts once.
    return sum(_part_weight(m) for m in parts if m.lastgroup != "region") + min(regions, 1)


def _joins(norm: str, previous: re.Match[str], part: re.Match[str]) -> bool:
    between = norm[previous.end() : part.start()]
    if _JOINER.fullmatch(between):
        return True
    return part.lastgroup == "unit" and _COMPLEX_NAME.fullmatch(between) is not None


def find_addresses(text: str) -> list[Finding]:
    """Chinese street addresses specific enough to find a door (see _ADDRESS_PARTS); `masked`
    keeps the place names and hides the numbers."""
    norm = normalise(text)
    found: list[Finding] = []
    run: list[re.Match[str]] = []

    def close_run() -> None:
        if run and _address_run_weight(run) >= _ADDRESS_MIN_WEIGHT:
            start, end = run[0].start(), run[-1].end()
            masked = "".join("*" if ch.isdigit() else ch for ch in norm[start:end])
            found.append(Finding(WarningKind.ADDRESS, start, end, masked))
        run.clear()

    for part in _ADDRESS_PARTS.finditer(norm):
        if run and not _joins(norm, run[-1], part):
            close_run()
        run.append(part)
    close_run()
    return found


_WARNING_PRIORITY = {WarningKind.ADDRESS: 0, WarningKind.ORDER_NUMBER: 1}


def find_private_warnings(text: str, *, order_pattern: str | None = None) -> list[Finding]:
    """Order numbers and street addresses, ordered by start, never overlapping each other nor
    anything find_private_data reports (that is refused, not warned about)."""
    refused = find_private_data(text)  # ordered by start and disjoint
    starts = [r.start for r in refused]

    def overlaps_refused(c: Finding) -> bool:
        i = bisect.bisect_left(starts, c.end)  # refused[:i] start before c ends
        return i > 0 and refused[i - 1].end > c.start

    candidates = find_order_numbers(text, order_pattern) + find_addresses(text)
    return _without_overlaps([c for c in candidates if not overlaps_refused(c)], _WARNING_PRIORITY)


__all__ += [
    "DEFAULT_ORDER_NUMBER_PATTERN",
    "WarningKind",
    "compile_order_pattern",
    "find_addresses",
    "find_order_numbers",
    "find_private_warnings",
]
