"""Support vocabulary that means the same thing in Chinese and English, applied to queries.

Each group is a set of interchangeable words: a query word in a group matches any member. Groups
are applied at query time only, so editing this table needs no reindex. Members are written in
Simplified Chinese and lower case (queries are folded before lookup; English members are matched
by their stem, so "refunds" finds the "refund" group).

Staff add groups and domain words of their own on /staff/search/vocabulary (forum.search.vocabulary,
which hands them to `use_staff_vocabulary` in each process); every use goes through `groups()` and
`domain_words()`, so they apply to the next query without a reindex.
"""
from __future__ import annotations

from functools import lru_cache

from forum.search.analysis import fold, stem

GROUPS: tuple[tuple[str, ...], ...] = (
    ("退款", "退钱", "退费", "refund"),
    ("付款", "支付", "付钱", "pay", "payment"),
    ("密码", "口令", "password", "passcode"),
    ("账号", "账户", "帐号", "account"),
    ("登录", "登陆", "login", "signin", "sign-in", "log-in", "log in", "sign in", "logon"),
    ("注册", "signup", "register", "registration", "sign up"),
    ("订单", "order"),
    ("收货地址", "地址", "address"),
    ("验证码", "校验码", "动态码", "otp"),
    ("发票", "invoice", "receipt"),
    ("物流", "快递", "配送", "delivery", "shipping", "shipment"),
    ("投诉", "complaint", "complain"),
    ("客服", "support", "service"),
    ("取消", "cancel", "cancellation"),
    ("失败", "fail", "failure", "failed", "error", "报错", "declined", "被拒"),
    ("锁定", "冻结", "封号", "locked", "lock", "frozen", "suspended", "banned"),
    ("不见", "找不到", "消失", "missing", "disappeared"),
    ("解绑", "unbind", "unlink"),
    ("绑定", "bind", "link"),
    ("手机号", "手机号码", "phone", "mobile"),
    ("邮箱", "电子邮件", "email", "e-mail", "mail"),
    ("银行卡", "bank card", "card"),
    ("优惠券", "coupon", "voucher"),
    ("会员", "membership", "vip"),
    ("修改", "更改", "change", "modify", "edit"),
    ("找回", "重置", "reset", "recover"),
)

# Words the query segmenter keeps whole (built in; staff add more).
DOMAIN_WORDS: frozenset[str] = frozenset()

_staff_groups: tuple[tuple[str, ...], ...] = ()
_staff_words: frozenset[str] = frozenset()


def groups() -> tuple[tuple[str, ...], ...]:
    """Every group: the built-in ones, then those staff added."""
    return GROUPS + _staff_groups


def domain_words() -> frozenset[str]:
    """Every domain word (folded): the built-in ones and those staff added."""
    return frozenset(fold(w) for w in DOMAIN_WORDS) | _staff_words


def use_staff_vocabulary(staff_groups: tuple[tuple[str, ...], ...], staff_words: frozenset[str]) -> None:
    """Apply the staff's groups and domain words from the next query on (forum.search.vocabulary)."""
    global _staff_groups, _staff_words
    _staff_groups, _staff_words = tuple(staff_groups), frozenset(staff_words)
    clear_cache()


def clear_cache() -> None:
    _index.cache_clear()


def _key(word: str) -> str:
    word = fold(word).strip()
    return stem(word) if word.isascii() and " " not in word else word


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for group in groups():
        members = tuple(fold(word) for word in group)
        for word in group:
            # A word in two groups (a staff group extending a built-in one) finds the members of both.
            known = index.get(_key(word), ())
            index[_key(word)] = known + tuple(m for m in members if m not in known)
    return index


def expand(word: str) -> tuple[str, ...]:
    """The word and its synonyms (folded), the word itself first; just the word when it has none."""
    members = _index().get(_key(word))
    if not members:
        return (word,)
    folded = fold(word)
    return (folded,) + tuple(m for m in members if m != folded and _key(m) != _key(folded))


def phrases() -> tuple[str, ...]:
    """Members and domain words written as several words, longest first."""
    several = {fold(w) for g in groups() for w in g if " " in w} | {w for w in domain_words() if " " in w}
    return tuple(sorted(several, key=len, reverse=True))


def segment_keys() -> frozenset[str]:
    """The Chinese members and domain words, for carving them out of a run before the segmenter sees it."""
    return frozenset(k for k in _index() if not k.isascii()) | {w for w in domain_words() if not w.isascii()}
