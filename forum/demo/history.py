"""Sixty days of support history for the demo and for `seed` (issue 22): questions, member answers,
votes, acceptances, staff verifications (some gone stale after an edit), escalated questions whose
tickets cover every status and tier (with staff replies, ratings and resolutions published back to
the thread, and "me too" tickets that other members raised on unsolved threads), follows, and the
search log (searches that found something, searches that found nothing, and searches followed
minutes later by a question or an escalation).

Rows are inserted in bulk, dated in the past, from a seeded random generator: the same seed gives
the same history, and it takes well under a second for the demo's size. Counters (answer counts,
scores, tag and member counts) are set to match; the question tallies follow by their triggers.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from forum.auth.models import Role, User
from forum.core.db import utcnow
from forum.core.markup import render_markdown
from forum.extensions import db
from forum.insights.logging import normalise_query, session_hash
from forum.insights.models import EventKind, SearchEvent
from forum.notifications.models import Follow
from forum.questions.models import Answer, Question, Revision, Tag, question_tags
from forum.tickets.models import Priority, Status, Ticket, TicketEvent, TicketMessage
from forum.verification.models import NoteKind, Verification
from forum.votes.models import Vote

DAYS = 60
MIN_ESCALATED = 45
MIN_ME_TOO = 6  # escalated threads that other members escalate too ("me too" tickets), at least

_OBJECTS = {
    "account": (["登录", "登录密码", "两步验证", "绑定手机号", "短信验证码", "账号注销", "实名认证", "第三方登录"],
                ["sign-in", "password reset", "two-step verification", "phone number change"],
                ["登录", "密码", "验证码", "账号安全"]),
    "orders": (["订单状态", "收货地址", "物流信息", "订单取消", "预约配送", "电子发票", "订单合并", "退货申请"],
               ["order status", "delivery address", "parcel tracking", "order cancellation"],
               ["订单", "收货地址", "物流", "发票"]),
    "payments": (["退款", "银行卡支付", "优惠券抵扣", "分期付款", "余额提现", "自动续费", "重复扣款", "海外信用卡"],
                 ["refund", "card payment", "coupon", "double charge"],
                 ["支付", "退款", "银行卡"]),
    "complaints": (["客服回复", "投诉处理", "快递员服务", "售后工单", "客服电话", "差评申诉"],
                   ["support reply", "complaint", "courier"],
                   ["投诉", "客服"]),
    "other": (["会员积分", "App 更新", "消息通知", "隐私设置", "语言切换", "夜间模式"],
              ["membership points", "app update", "notifications"],
              ["会员", "通知"]),
}
_ISSUES_ZH = ["一直失败怎么办", "出现异常，请问怎么处理", "提示系统繁忙", "没有反应是什么原因", "改不了怎么办", "好几天没有进展"]
_ISSUES_EN = ["keeps failing, what can I do?", "shows an error", "has been stuck for days", "cannot be changed"]
# How often a question of each category goes to official support (the rest stays with the community).
_ESCALATION = {"account": 0.35, "orders": 0.25, "payments": 0.55, "complaints": 0.7, "other": 0.1}
_ANSWERS_ZH = ["我上周遇到过一样的情况，先退出重新登录，再到“我的”→“设置”里清一下缓存，然后就好了。",
               "这个一般是系统在处理中，等 24 小时还没变化的话，直接在订单页点“联系客服”会比较快。",
               "可以先看看帮助中心里的说明，里面有详细的步骤。我按步骤操作后问题解决了。",
               "我也碰到过，换成电脑网页版操作就可以了，App 那边有时候会卡住。",
               "一般三到五个工作日会处理完，超过的话建议升级给官方客服。"]
_ANSWERS_EN = ["Same here last week: signing out and in again, then clearing the app cache fixed it for me.",
               "It usually takes up to 24 hours. If nothing changes, contact support from the order page.",
               "The help centre has a step-by-step guide for this; following it solved it for me."]
_RESOLUTIONS = ["官方答复：问题已经排查清楚，是系统同步延迟造成的，现已修复。遇到同样情况的朋友无需重复操作，等待几分钟即可自动更新。",
                "官方答复：这种情况需要人工核实，请通过“联系客服”提交订单信息，我们会在一个工作日内处理。处理完成后款项原路退回。",
                "Official answer: this was a delay on our side and it is fixed now. If you still see it, sign out and in again."]
_STAFF_REPLIES = ["您好，我们已经收到您的问题，正在核实，请耐心等待。",
                  "您好，麻烦提供一下出现问题的时间和截图，方便我们排查。",
                  "Hello, we are looking into this and will get back to you shortly."]
_FOUND = ["退款", "验证码", "发票", "收货地址", "密码", "refund", "password", "订单取消", "两步验证", "物流"]
_NOT_FOUND = ["花呗分期", "海外信用卡 退款", "发票抬头修改", "nfc 支付", "退款到银行卡要多久", "apple pay",
              "直播间优惠券", "账号继承", "家庭共享", "客服工号查询"]


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    """A delay between low and high minutes, short ones more often (log-uniform)."""
    import math

    return timedelta(minutes=math.exp(rng.uniform(math.log(low), math.log(high))))


def _some(rng: random.Random, population: list, k: int) -> list:
    return rng.sample(population, k=min(k, len(population)))


def _pick(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Ids:
    """The next free id of each table (explicit ids: the rows refer to each other before the insert)."""

    def __init__(self, *models):
        self.next = {m: (db.session.scalar(sa.select(sa.func.max(m.id))) or 0) + 1 for m in models}

    def __call__(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def make_history(*, members: list[User], staff: list[User], seed_value: int = 22, questions: int = 130,
                 now: datetime | None = None, days: int = DAYS, searches_per_day: int = 14) -> dict:
    """Insert `questions` questions spread over the last `days` days, with what followed them."""
    rng = random.Random(seed_value)
    now = now or utcnow()
    ids = _Ids(Question, Answer, Revision, Ticket, TicketEvent, TicketMessage, Verification, Vote, Follow,
               SearchEvent)
    tags = _tags()
    rows: dict[object, list[dict]] = {t: [] for t in (Question, Answer, Revision, Ticket, TicketEvent, TicketMessage,
                                                      Verification, Vote, Follow, SearchEvent)}
    tag_links: list[dict] = []
    counts = {"questions": 0, "answers": 0, "escalated": 0, "me_too": 0, "searches": 0, "question_ids": []}
    me_too_rng = random.Random(seed_value + 1)
    user_q: dict[int, int] = {}
    user_a: dict[int, int] = {}
    tag_q: dict[int, int] = {}
    lead = staff[0]
    combos = [(cat, obj, issue, "zh") for cat, (zh, _en, _t) in _OBJECTS.items() for obj in zh for issue in _ISSUES_ZH]
    combos += [(cat, obj, issue, "en") for cat, (_zh, en, _t) in _OBJECTS.items() for obj in en for issue in _ISSUES_EN]
    rng.shuffle(combos)
    plan = []
    for n in range(questions):
        category, obj, issue, lang = combos[n % len(combos)]
        asked = now - timedelta(days=days) + timedelta(seconds=rng.uniform(0, days * 86400 - 7200))
        # At scale (seed) the titles come round again: numbered, as members write "(again)".
        suffix = "" if n < len(combos) else f" ({n // len(combos) + 1})"
        plan.append((asked, category, obj, issue + suffix, lang))
    plan.sort()
    # Which questions go to official support: by category, then topped up to MIN_ESCALATED (oldest first).
    escalate = [rng.random() < _ESCALATION[p[1]] for p in plan]
    for index in sorted(range(len(plan)), key=lambda i: -_ESCALATION[plan[i][1]]):
        if sum(escalate) >= min(MIN_ESCALATED, len(plan)):
            break
        escalate[index] = True
    escalated_indexes = [i for i, flag in enumerate(escalate) if flag]
    position_of = {index: k for k, index in enumerate(escalated_indexes)}
    statuses, tiers = _ticket_states(rng, [plan[i][0] for i in escalated_indexes], now)
    visitors = 0

    def visitor_hash(at: datetime) -> str:
        nonlocal visitors
        visitors += 1
        return session_hash(f"demo-visitor-{seed_value}-{visitors}", at)

    def add_search(at: datetime, query: str, found: bool, hash_: str | None = None) -> None:
        rows[SearchEvent].append({"id": ids(SearchEvent), "kind": EventKind.SEARCH.value, "query": normalise_query(query),
                                  "result_count": rng.randint(2, 40) if found else 0, "source": _pick(rng, {"page": 5, "api": 1}),
                                  "session_hash": hash_ or visitor_hash(at), "created_at": at})
        counts["searches"] += 1

    for index, (asked, category, obj, issue, lang) in enumerate(plan):
        qid = ids(Question)
        author = rng.choice(members)
        title = _title(f"{obj}{issue}" if lang == "zh" else f"My {obj} {issue}")[:200]
        body = (f"{obj}{issue.rstrip('？?')}。已经尝试过重新登录和更新 App，还是不行，请问大家有什么办法？" if lang == "zh"
                else f"My {obj} {issue.rstrip('?')}. I already tried signing out and updating the app. Any idea?")
        q_tags = rng.sample(tags[category], k=min(len(tags[category]), rng.randint(1, 2)))
        question = {"id": qid, "title": title, "body": body, "body_html": render_markdown(body), "category": category,
                    "status": "open", "author_id": author.id, "score": 0, "answer_count": 0, "comment_count": 0,
                    "revision_count": 1, "has_verified_answer": False, "accepted_answer_id": None,
                    "created_at": asked, "updated_at": asked, "last_activity_at": asked}
        rows[Question].append(question)
        rows[Revision].append({"id": ids(Revision), "question_id": qid, "answer_id": None, "number": 1,
                               "editor_id": author.id, "summary": "", "title": title, "body": body,
                               "tags": " ".join(sorted(tags["_names"][t] for t in q_tags)), "category": category, "created_at": asked})
        tag_links += [{"question_id": qid, "tag_id": t} for t in q_tags]
        for t in q_tags:
            tag_q[t] = tag_q.get(t, 0) + 1
        user_q[author.id] = user_q.get(author.id, 0) + 1
        rows[Follow].append({"id": ids(Follow), "user_id": author.id, "question_id": qid, "tag_id": None,
                             "category": None, "created_at": asked})
        # The search that came before the question (sometimes): same visitor, a few minutes earlier.
        if rng.random() < 0.45:
            hash_ = visitor_hash(asked)
            add_search(asked - _minutes(rng, 1, 9), rng.choice(_NOT_FOUND + [obj.lower()]), rng.random() < 0.4, hash_)
            rows[SearchEvent].append({"id": ids(SearchEvent), "kind": EventKind.QUESTION.value, "query": "",
                                      "result_count": None, "source": "page", "session_hash": hash_, "created_at": asked})
        last = asked
        # Member answers.
        answer_ids = []
        answer_rows: dict[int, dict] = {}
        n_answers = _pick(rng, {0: 3, 1: 4, 2: 3, 3: 1})
        answer_at = asked
        for _k in range(n_answers):
            answer_at = answer_at + _minutes(rng, 4, 900)
            if answer_at >= now - timedelta(minutes=5):
                break
            aid = ids(Answer)
            a_author = rng.choice([m for m in members if m.id != author.id])
            a_body = rng.choice(_ANSWERS_ZH if lang == "zh" else _ANSWERS_EN)
            rows[Answer].append({"id": aid, "question_id": qid, "author_id": a_author.id, "body": a_body,
                                 "body_html": render_markdown(a_body), "score": 0, "comment_count": 0,
                                 "revision_count": 1, "official": False, "created_at": answer_at, "updated_at": answer_at})
            rows[Revision].append({"id": ids(Revision), "question_id": None, "answer_id": aid, "number": 1,
                                   "editor_id": a_author.id, "summary": "", "title": None, "body": a_body, "tags": None,
                                   "category": None, "created_at": answer_at})
            user_a[a_author.id] = user_a.get(a_author.id, 0) + 1
            answer_ids.append((aid, a_author, answer_at))
            answer_rows[aid] = rows[Answer][-1]
            last = max(last, answer_at)
            # Votes on the answer.
            voters = _some(rng, [m for m in members if m.id != a_author.id], rng.randint(0, 4))
            for voter in voters:
                rows[Vote].append({"id": ids(Vote), "user_id": voter.id, "question_id": None, "answer_id": aid,
                                   "value": 1, "created_at": answer_at, "updated_at": answer_at})
            rows[Answer][-1]["score"] = len(voters)
        for voter in _some(rng, [m for m in members if m.id != author.id], rng.randint(0, 3)):
            rows[Vote].append({"id": ids(Vote), "user_id": voter.id, "question_id": qid, "answer_id": None, "value": 1,
                               "created_at": asked, "updated_at": asked})
            question["score"] += 1
        question["answer_count"] = len(answer_ids)
        if answer_ids and rng.random() < 0.45:
            question["accepted_answer_id"] = rng.choice(answer_ids)[0]
        # Staff verify some member answers; a few are edited afterwards (stale until checked again).
        if answer_ids and rng.random() < 0.35:
            aid, a_author, a_at = max(answer_ids, key=lambda a: a[0] == question["accepted_answer_id"])
            at = min(a_at + _minutes(rng, 30, 2880), now - timedelta(minutes=1))
            rows[Verification].append({"id": ids(Verification), "answer_id": aid, "verified_by_id": lead.id,
                                       "revision_number": 1, "note": "", "note_kind": None, "created_at": at,
                                       "ended_at": None, "ended_by_id": None, "end_reason": ""})
            if rng.random() < 0.2 and at < now - timedelta(hours=2):
                edited = at + _minutes(rng, 60, 60 * 24)
                edited = min(edited, now - timedelta(minutes=1))
                answer_row = answer_rows[aid]
                answer_row["revision_count"] = 2
                answer_row["body"] += "\n\n补充：新版 App 里这个入口换了位置。"
                answer_row["body_html"] = render_markdown(answer_row["body"])
                answer_row["updated_at"] = edited
                rows[Revision].append({"id": ids(Revision), "question_id": None, "answer_id": aid, "number": 2,
                                       "editor_id": a_author.id, "summary": "补充", "title": None,
                                       "body": answer_row["body"], "tags": None, "category": None, "created_at": edited})
            else:
                question["has_verified_answer"] = True
            last = max(last, at)
        # Escalation to official support.
        if escalate[index]:
            position = position_of[index]
            last = max(last, _ticket(rng, ids, rows, question, author, statuses[position], tiers[position], lead,
                                     user_a, now, lambda at: visitor_hash(at)))
            counts["escalated"] += 1
            # "Me too": other members with the same problem escalate the unsolved thread too (their own
            # ticket on it). A random stream of its own, so the rest of the history stays as it was.
            unsolved = question["accepted_answer_id"] is None and not question["has_verified_answer"]
            if unsolved and (counts["me_too"] < MIN_ME_TOO or me_too_rng.random() < 0.3):
                others = [m for m in members if m.id != author.id]
                for member in _some(me_too_rng, others, me_too_rng.randint(1, 2)):
                    status = me_too_rng.choice([Status.NEW, Status.OPEN, Status.PENDING])
                    last = max(last, _ticket(me_too_rng, ids, rows, question, member, status, 1, lead, user_a,
                                             now, lambda at: visitor_hash(at)))
                    counts["me_too"] += 1
        # Followers of unsolved threads (the dashboard's "followed threads still without a solution").
        if question["accepted_answer_id"] is None and not question["has_verified_answer"] and rng.random() < 0.5:
            for follower in _some(rng, [m for m in members if m.id != author.id], rng.randint(1, 4)):
                rows[Follow].append({"id": ids(Follow), "user_id": follower.id, "question_id": qid, "tag_id": None,
                                     "category": None, "created_at": asked + timedelta(hours=1)})
        question["last_activity_at"] = min(last, now)
        counts["questions"] += 1
        counts["answers"] += len(answer_ids)
        counts["question_ids"].append(qid)

    # Searches on their own: most found something, some found nothing.
    for day in range(days):
        for _n in range(rng.randint(searches_per_day // 2, searches_per_day)):
            at = now - timedelta(days=day, seconds=rng.uniform(60, 86400))
            if rng.random() < 0.25:
                add_search(at, rng.choice(_NOT_FOUND[:6]) if rng.random() < 0.7 else rng.choice(_NOT_FOUND), False)
            else:
                add_search(at, rng.choice(_FOUND), True)

    # A question's accepted answer is inserted after it: set once both are there.
    accepted = [{"row_id": q["id"], "answer": q.pop("accepted_answer_id")} for q in rows[Question]]
    for model in (Question, Answer, Revision, Verification, Ticket, TicketEvent, TicketMessage, Vote, Follow,
                  SearchEvent):
        if rows[model]:
            db.session.execute(sa.insert(model.__table__), rows[model])
    accepted = [row for row in accepted if row["answer"] is not None]
    if accepted:
        table = Question.__table__
        db.session.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                           .values(accepted_answer_id=sa.bindparam("answer")), accepted)
    if tag_links:
        db.session.execute(sa.insert(question_tags), tag_links)
    _bump(User, user_q, "question_count")
    _bump(User, user_a, "answer_count")
    _bump(Tag, tag_q, "question_count")
    _fix_sequences()
    db.session.flush()
    return counts


def _tags() -> dict:
    names = sorted({t for _zh, _en, ts in _OBJECTS.values() for t in ts})
    existing = {t.name: t.id for t in db.session.scalars(sa.select(Tag).where(Tag.name.in_(names)))}
    missing = [n for n in names if n not in existing]
    if missing:
        db.session.execute(sa.insert(Tag.__table__), [{"name": n, "question_count": 0, "created_at": utcnow()}
                                                      for n in missing])
        existing = {t.name: t.id for t in db.session.scalars(sa.select(Tag).where(Tag.name.in_(names)))}
    out: dict = {cat: [existing[t] for t in ts] for cat, (_zh, _en, ts) in _OBJECTS.items()}
    out["_names"] = {v: k for k, v in existing.items()}
    return out


def _ticket_states(rng: random.Random, times: list[datetime], now: datetime) -> tuple[list[Status], list[int]]:
    """A status and a tier for each escalated question (in time order): recent ones still active,
    older ones mostly solved or closed; every status and every tier at least twice."""
    statuses, tiers = [], []
    for at in times:
        age = (now - at).days
        if age < 3:
            statuses.append(_pick(rng, {Status.NEW: 3, Status.OPEN: 3, Status.PENDING: 2}))
        elif age < 10:
            statuses.append(_pick(rng, {Status.OPEN: 2, Status.PENDING: 2, Status.SOLVED: 4, Status.CLOSED: 1}))
        else:
            statuses.append(_pick(rng, {Status.SOLVED: 4, Status.CLOSED: 5, Status.PENDING: 1}))
        tiers.append(_pick(rng, {1: 6, 2: 3, 3: 1}))
    n = len(times)
    for k, status in enumerate((Status.NEW, Status.OPEN, Status.PENDING)):  # the newest: every active status
        for slot in (n - 1 - 2 * k, n - 2 - 2 * k):
            if slot >= 0 and statuses.count(status) < 2:
                statuses[slot] = status
    for k, status in enumerate((Status.SOLVED, Status.CLOSED)):  # the oldest: every finished one
        for slot in (2 * k, 2 * k + 1):
            if slot < n and statuses.count(status) < 2:
                statuses[slot] = status
    for k, tier in enumerate((1, 2, 3)):
        for slot in range(k, n, 3):
            if tiers.count(tier) >= 2:
                break
            tiers[slot] = tier
    return statuses, tiers


def _ticket(rng, ids, rows, question: dict, asker: User, status: Status, tier: int, lead: User, user_a: dict,
            now: datetime, visitor_hash) -> datetime:
    """One ticket on the question, with its events, staff's reply, and (when solved) a rating and
    perhaps the resolution published on the thread. Returns the thread's last activity."""
    asked = question["created_at"]
    created = min(asked + _minutes(rng, 20, 60 * 48), now - timedelta(minutes=30))
    if status is Status.NEW:
        created = max(asked, now - _minutes(rng, 20, 60 * 20))
    tid = ids(Ticket)
    hash_ = visitor_hash(created)
    if rng.random() < 0.5:  # searched first, found nothing useful, escalated
        rows[SearchEvent].append({"id": ids(SearchEvent), "kind": EventKind.SEARCH.value,
                                  "query": normalise_query(rng.choice(_NOT_FOUND)), "result_count": 0, "source": "page",
                                  "session_hash": hash_, "created_at": created - _minutes(rng, 1, 8)})
    rows[SearchEvent].append({"id": ids(SearchEvent), "kind": EventKind.ESCALATION.value, "query": "",
                              "result_count": None, "source": "page", "session_hash": hash_, "created_at": created})
    responded = None if status is Status.NEW else min(created + _minutes(rng, 8, 60 * 30), now - timedelta(minutes=2))
    solved = closed = None
    if status in (Status.SOLVED, Status.CLOSED):
        solved = min(responded + _minutes(rng, 60, 60 * 24 * 4), now - timedelta(minutes=1))
        if status is Status.CLOSED:
            closed = min(solved + timedelta(days=rng.randint(1, 7)), now)
    row = {"id": tid, "question_id": question["id"], "requester_id": asker.id, "category": question["category"],
           "subject": question["title"], "description": question["body"], "order_number": "",
           "contact_channel": "site", "contact": "", "status": status.value,
           "priority": _pick(rng, {Priority.NORMAL.value: 6, Priority.HIGH.value: 2, Priority.LOW.value: 1,
                                   Priority.URGENT.value: 1}),
           "tier": tier, "assignee_id": None if status is Status.NEW else lead.id,
           "first_response_due": created + timedelta(hours=4), "resolution_due": created + timedelta(days=3),
           "first_responded_at": responded, "pending_since": (responded if status is Status.PENDING else None),
           "paused_seconds": 0, "solved_at": solved, "closed_at": closed, "warned_at": None, "breached_at": None,
           "merged_into_id": None, "rating": None, "rating_comment": "", "published_answer_id": None,
           "created_at": created, "updated_at": closed or solved or responded or created}
    rows[Ticket].append(row)

    def event(kind, at, actor=lead, old="", new="", reason="", internal=False):
        rows[TicketEvent].append({"id": ids(TicketEvent), "ticket_id": tid, "actor_id": actor.id if actor else None,
                                  "kind": kind, "old": old, "new": new, "reason": reason, "internal": internal,
                                  "created_at": at})

    event("created", created, asker, new=Status.NEW.value)
    last = created
    if responded:
        body = rng.choice(_STAFF_REPLIES)
        rows[TicketMessage].append({"id": ids(TicketMessage), "ticket_id": tid, "author_id": lead.id, "body": body,
                                    "body_html": render_markdown(body), "internal": False, "created_at": responded})
        event("assignee", responded, new=lead.username, internal=True)
        event("message", responded)
        event("status", responded, old=Status.NEW.value, new=Status.OPEN.value)
        if tier > 1:
            event("tier", responded + timedelta(minutes=5), old="1", new=str(tier),
                  reason="需要技术专员排查" if tier == 2 else "涉及赔付，需要主管审批", internal=True)
        if status is Status.PENDING:
            event("status", responded + timedelta(minutes=6), old=Status.OPEN.value, new=Status.PENDING.value)
        last = responded
    if solved:
        event("status", solved, old=Status.OPEN.value, new=Status.SOLVED.value)
        last = solved
        if rng.random() < 0.7:
            row["rating"] = _pick(rng, {5: 5, 4: 3, 3: 1, 2: 1, 1: 1})
        if rng.random() < 0.55:  # the resolution, published back to the thread and verified
            aid = ids(Answer)
            body = rng.choice(_RESOLUTIONS)
            rows[Answer].append({"id": aid, "question_id": question["id"], "author_id": lead.id, "body": body,
                                 "body_html": render_markdown(body), "score": 0, "comment_count": 0,
                                 "revision_count": 1, "official": True, "created_at": solved, "updated_at": solved})
            rows[Revision].append({"id": ids(Revision), "question_id": None, "answer_id": aid, "number": 1,
                                   "editor_id": lead.id, "summary": "", "title": None, "body": body, "tags": None,
                                   "category": None, "created_at": solved})
            rows[Verification].append({"id": ids(Verification), "answer_id": aid, "verified_by_id": lead.id,
                                       "revision_number": 1, "note": "", "note_kind": NoteKind.RESOLUTION.value,
                                       "created_at": solved, "ended_at": None, "ended_by_id": None, "end_reason": ""})
            row["published_answer_id"] = aid
            question["answer_count"] += 1
            question["has_verified_answer"] = True
            user_a[lead.id] = user_a.get(lead.id, 0) + 1
            event("published", solved + timedelta(minutes=1), new=str(aid))
    if closed:
        event("status", closed, old=Status.SOLVED.value, new=Status.CLOSED.value, actor=None)
        last = closed
    return last


def _bump(model, counts: dict[int, int], column: str) -> None:
    if not counts:
        return
    table = model.__table__
    db.session.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                       .values({column: table.c[column] + sa.bindparam("delta")}),
                       [{"row_id": k, "delta": v} for k, v in counts.items()])


def _fix_sequences() -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("questions", "answers", "revisions", "tickets", "ticket_events", "ticket_messages",
                  "verifications", "votes", "follows", "search_events"):
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def demo_history(now: datetime | None = None) -> dict | None:
    """The demo's history, once: None when it is there already (its first question exists)."""
    from forum.demo import content

    members = list(db.session.scalars(sa.select(User).where(User.role == Role.MEMBER,
                                                            User.username.in_([u["username"] for u in content.USERS]))
                                      .order_by(User.id)))
    staff = list(db.session.scalars(sa.select(User).where(User.role.in_([Role.STAFF, Role.ADMIN]),
                                                          User.username.in_([u["username"] for u in content.USERS]))
                                    .order_by(User.id)))
    if len(members) < 3 or not staff:
        return None
    marker = sa.select(Question.id).where(Question.title.in_(_titles()), Question.author_id.in_(
        [m.id for m in members])).limit(1)
    if db.session.scalar(marker) is not None:
        return None
    return make_history(members=members, staff=staff, now=now)


def _titles() -> list[str]:
    """Every title the history can give its questions."""
    out = []
    for zh, en, _t in _OBJECTS.values():
        out += [_title(f"{o}{i}") for o in zh for i in _ISSUES_ZH]
        out += [_title(f"My {o} {i}") for o in en for i in _ISSUES_EN]
    return out


def _title(text: str) -> str:
    return text[0].upper() + text[1:]
