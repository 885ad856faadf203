"""Support vocabulary, applied to queries: synonym groups and the domain dictionary.

Each group is a set of interchangeable words: a query word in a group matches any member. A word
may sit in several groups (人工 with 人工客服, 客服 with support): it matches the members of all of
them. Groups are applied at query time only, so editing them needs no reindex. Members are written
in Simplified Chinese and lower case (queries are folded before lookup, so 帳號 and 帐号 find the
账号 group; English members are matched by their stem, so "refunds" finds the "refund" group).

A Chinese member written with spaces ("提现 失败") is several words that must all occur in a post,
in any order and not necessarily side by side: 钱包余额提现到银行卡失败 holds 提现 and 失败 apart. An
English member written with spaces ("never arrived") is read as one word when a query holds it.

The domain dictionary lists the platform's own words (白条, 运费险, 小程序 ...) that the segmenter
would cut apart; queries keep them whole (the index holds every bigram, so they need no reindex).

Everything goes through `groups()` and `domain_words()`, so vocabulary kept elsewhere (staff
entries) can be merged there; `clear_cache()` drops what was derived from them.

Staff add groups and domain words of their own on /staff/search/vocabulary (forum.search.vocabulary,
which hands them to `use_staff_vocabulary` in each process): they apply to the next query.
"""
from __future__ import annotations

from functools import lru_cache

from forum.search.analysis import fold, stem

GROUPS: tuple[tuple[str, ...], ...] = (
    # --- money ----------------------------------------------------------------------------------
    ("退款", "退钱", "退费", "refund"),
    ("付款", "支付", "付钱", "pay", "payment"),
    ("扣款", "扣钱", "扣费", "charge", "deduct", "deducted"),
    ("重复扣款", "扣了两遍", "扣两遍", "扣了两次", "扣两次", "扣了两笔", "多扣",
     "charged twice", "double charge", "duplicate charge", "charged two times"),
    ("到账", "入账", "到账了", "arrive", "credited"),
    ("未到账", "没到账", "不到账", "没到", "没有到账", "not credited"),
    ("提现", "取现", "转出", "withdraw", "withdrawal", "cash out"),
    ("提现 失败", "转不出来", "提不出来", "取不出来", "提现不了", "无法提现", "withdrawal failed"),
    ("钱包", "余额", "零钱", "wallet", "balance"),
    ("银行卡", "bank card", "card"),
    ("信用卡", "credit card"),
    ("分期", "分期付款", "installment", "instalment"),
    ("白条", "花呗", "先用后付", "pay later", "buy now pay later"),
    ("到付", "货到付款", "cash on delivery", "cod"),
    ("保价", "价保", "退差价", "price protection", "price drop"),
    ("发票", "开票", "invoice", "receipt", "fapiao"),
    ("优惠券", "coupon", "voucher"),
    ("积分", "points"),
    ("自动续费", "自动扣费", "连续包月", "auto renew", "auto-renew", "autorenew", "auto renewal"),
    ("退订", "取消订阅", "取消 订阅", "unsubscribe"),
    # --- accounts -------------------------------------------------------------------------------
    ("密码", "口令", "password", "passcode"),
    ("账号", "账户", "帐号", "account"),
    ("登录", "登陆", "登入", "login", "signin", "sign-in", "log-in", "log in", "sign in", "logon"),
    ("注册", "signup", "register", "registration", "sign up"),
    ("注销", "销户", "删号", "delete account", "close account", "close my account",
     "delete my account"),
    ("验证码", "校验码", "动态码", "otp"),
    ("短信", "sms", "text message"),
    ("锁定", "冻结", "封号", "被封", "锁住", "被锁", "锁了", "locked", "lock", "frozen", "suspended", "banned",
     "locked out"),
    ("解锁", "解除锁定", "解封", "unlock", "unblock"),
    ("输错", "打错", "输入错误", "输错了", "wrong password"),
    ("被盗", "盗号", "被黑", "hacked", "stolen", "compromised"),
    ("解绑", "unbind", "unlink"),
    ("绑定", "bind", "link"),
    ("手机号", "手机号码", "phone", "mobile"),
    ("邮箱", "电子邮件", "email", "e-mail", "mail"),
    ("会员", "membership", "vip"),
    ("修改", "更改", "change", "modify", "edit"),
    ("找回", "重置", "reset", "recover"),
    # --- orders and delivery --------------------------------------------------------------------
    ("订单", "order"),
    ("收货地址", "地址", "address"),
    ("物流", "快递", "配送", "delivery", "shipping", "shipment"),
    ("包裹", "快递", "货物", "package", "parcel"),
    ("快递员", "快递小哥", "配送员", "骑手", "courier"),
    ("签收", "已送达", "送达", "delivered", "marked as delivered"),
    ("没收到", "未收到", "收不到", "没有收到", "没拿到", "not received", "never arrived", "never received",
     "didn't receive", "did not receive", "hasn't arrived", "not arrived"),
    ("拿走", "被拿走", "被偷", "丢件", "丢了", "签收 没收到", "stolen package"),
    ("运费", "邮费", "快递费", "shipping fee", "postage", "delivery fee"),
    ("运费险", "退货运费险", "运费保险", "return shipping insurance"),
    ("退货", "退回去", "return"),
    ("换货", "调换", "exchange"),
    ("取消", "cancel", "cancellation"),
    ("拒绝", "不同意", "驳回", "reject", "refuse", "refused"),
    ("假货", "假的", "假冒", "仿品", "counterfeit", "fake"),
    ("投诉", "complaint", "complain"),
    # --- the app and support --------------------------------------------------------------------
    ("客服", "support", "service"),
    ("人工", "人工客服", "转人工", "真人", "human agent", "real person"),
    ("闪退", "秒退", "崩溃", "crash", "crashes"),
    ("白屏", "空白页", "blank screen", "white screen"),
    ("卡住", "没反应", "一直转圈", "stuck", "hang"),
    ("app", "客户端", "应用", "application"),
    ("小程序", "mini program", "miniprogram"),
    ("闪购", "秒杀", "抢购", "flash sale"),
    ("升级", "更新", "update", "upgrade"),
    ("失败", "fail", "failure", "failed", "error", "报错", "declined", "被拒", "不成功"),
    ("不见", "找不到", "消失", "没了", "missing", "disappeared"),
)

DOMAIN_WORDS: frozenset[str] = frozenset((  # noqa: SIM905 (a list of words reads better as text)
    # payment products and platform words the segmenter does not know
    "微信 淘宝 京东 拼多多 抖音 美团 白条 花呗 借呗 余额宝 零钱通 云闪付 银联 微信支付 支付宝 免密支付 指纹支付 先用后付 京豆 "
    "运费险 小程序 闪购 秒杀 拼单 砍价 保价 价保 退差价 满减 包邮 到付 货到付款 自提 驿站 快递柜 "
    "快递员 快递小哥 运单号 物流单号 收件人 拒收 签收 补发 漏发 错发 少发 破损 退货退款 仅退款 "
    "七天无理由 无理由退货 售后 工单 申诉 解封 封号 冻结 解绑 换绑 实名认证 人脸识别 风控 "
    "验证码 动态码 恢复码 两步验证 自动续费 连续包月 发票抬头 电子发票 增值税 专票 普票 "
    "人工客服 在线客服 客服电话 转人工 闪退 秒退 白屏 二维码 提现 到账 未到账 没到账 "
    # colloquial phrases of the synonym groups, kept whole rather than cut into single characters
    "转不出来 提不出来 取不出来 扣了两遍 扣两遍 扣了两次 扣两次 扣了两笔 被拿走 没收到 没拿到 "
    "锁住 被锁 输错 被盗 没反应 一直转圈"
).split())


_staff_groups: tuple[tuple[str, ...], ...] = ()
_staff_words: frozenset[str] = frozenset()


def groups() -> tuple[tuple[str, ...], ...]:
    """Every synonym group used to expand queries: the built-in ones, then those staff added."""
    return GROUPS + _staff_groups


def domain_words() -> frozenset[str]:
    """Every word that query segmentation keeps whole (folded): the built-in ones and staff's."""
    return frozenset(fold(w) for w in DOMAIN_WORDS) | _staff_words


def use_staff_vocabulary(staff_groups: tuple[tuple[str, ...], ...], staff_words: frozenset[str]) -> None:
    """Apply the staff's groups and domain words from the next query on (forum.search.vocabulary)."""
    global _staff_groups, _staff_words
    _staff_groups, _staff_words = tuple(staff_groups), frozenset(staff_words)
    clear_cache()


def clear_cache() -> None:
    """Forget what was derived from `groups()` and `domain_words()` (after either changed)."""
    _index.cache_clear()
    _segment_keys.cache_clear()
    _phrases.cache_clear()
    _longest_key.cache_clear()


def _key(word: str) -> str:
    word = fold(word).strip()
    return stem(word) if word.isascii() and " " not in word else word


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, ...]]:
    """Each member's key → the members of every group holding it, in order, without repeats."""
    index: dict[str, tuple[str, ...]] = {}
    for group in groups():
        members = tuple(fold(word).strip() for word in group)
        for word in group:
            key = _key(word)
            index[key] = tuple(dict.fromkeys(index.get(key, ()) + members))
    return index


def expand(word: str) -> tuple[str, ...]:
    """The word and its synonyms (folded), the word itself first; just the word when it has none."""
    members = _index().get(_key(word))
    if not members:
        return (word,)
    folded = fold(word)
    return (folded,) + tuple(m for m in members if m != folded and _key(m) != _key(folded))


@lru_cache(maxsize=1)
def _phrases() -> tuple[str, ...]:
    return tuple(sorted({fold(w).strip() for g in groups() for w in g if " " in w.strip() and w.isascii()},
                        key=len, reverse=True))


def phrases() -> tuple[str, ...]:
    """English members written as several words, longest first."""
    return _phrases()


@lru_cache(maxsize=1)
def _segment_keys() -> frozenset[str]:
    words = {k for k in _index() if not k.isascii() and " " not in k}
    words |= {fold(w).strip() for w in domain_words()}
    return frozenset(w for w in words if len(w) > 1)


def segment_keys() -> frozenset[str]:
    """The Chinese words kept whole when a run is segmented: synonym members and domain words."""
    return _segment_keys()


@lru_cache(maxsize=1)
def _longest_key() -> int:
    return max(map(len, _segment_keys()), default=0)


def longest_key() -> int:
    return _longest_key()
