"""Synthetic data at scale, for benchmarks: bulk inserts of rendered posts, counters set to match."""
from __future__ import annotations

from collections.abc import Callable

import random
from datetime import timedelta

import sqlalchemy as sa

from forum.auth import services as auth_services
from forum.auth.models import User
from forum.core.db import utcnow
from forum.core.markup import render_markdown
from forum.core.text import lookalike_key
from forum.extensions import db
from forum.questions.models import Answer, Category, Question, Revision, Tag, question_tags
from forum.reputation.models import ReputationEvent
from forum.reputation.rules import Kind

_SUBJECTS_ZH = ["订单", "退款", "支付", "收货地址", "账号", "密码", "验证码", "发票", "优惠券", "快递", "会员", "银行卡"]
_PROBLEMS_ZH = ["一直显示处理中", "无法修改", "提示系统繁忙", "没有到账", "被锁定了", "收不到短信", "重复扣款",
                "找不到记录", "显示异常", "申请失败"]
_SUBJECTS_EN = ["order", "refund", "payment", "delivery address", "account", "password", "verification code",
                "invoice", "coupon", "parcel"]
_PROBLEMS_EN = ["stuck in processing", "cannot be changed", "shows an error", "has not arrived", "is locked",
                "never arrives", "was charged twice", "is missing", "looks wrong", "keeps failing"]
_TAGS = ["登录", "密码", "验证码", "账号安全", "订单", "收货地址", "物流", "支付", "退款", "银行卡", "发票",
         "投诉", "客服", "refund", "payment", "login", "order", "2fa", "delivery", "invoice"]
_BATCH = 2000


def _text(rng: random.Random, sentences: int) -> str:
    parts = []
    for _ in range(sentences):
        if rng.random() < 0.7:
            parts.append(f"我的{rng.choice(_SUBJECTS_ZH)}{rng.choice(_PROBLEMS_ZH)}，已经尝试了重新登录和更新应用。")
        else:
            parts.append(f"My {rng.choice(_SUBJECTS_EN)} {rng.choice(_PROBLEMS_EN)} after I tried again.")
    return "".join(parts)


def seed(*, questions: int, answers: int, seed_value: int = 1, users: int = 200,
         progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Insert `questions` questions with `answers` answers each on average (0 to 2×answers);
    `progress(done)` is called after each batch."""
    rng = random.Random(seed_value)
    password_hash = auth_services.hash_password("seed-password")
    start_user = (db.session.scalar(sa.select(sa.func.max(User.id))) or 0) + 1
    now = utcnow()
    user_rows = [
        {"id": start_user + i, "username": f"seed_{seed_value}_{start_user + i}",
         "username_key": f"seed_{seed_value}_{start_user + i}",
         "email": f"seed_{seed_value}_{start_user + i}@example.com",
         "email_key": f"seed_{seed_value}_{start_user + i}@example.com", "password_hash": password_hash,
         "role": "member", "reputation": 1, "about": "", "session_version": 1, "active": True,
         "question_count": 0, "answer_count": 0, "created_at": now, "updated_at": now}
        for i in range(users)
    ]
    for row in user_rows:
        row["reputation"] = row["reputation_total"] = rng.randint(1, 3000)
        row["username_skeleton"] = lookalike_key(row["username"])
    db.session.execute(sa.insert(User.__table__), user_rows)
    user_ids = [row["id"] for row in user_rows]
    # Starting reputation goes through the ledger, as for accounts created by hand.
    db.session.execute(sa.insert(ReputationEvent.__table__), [
        {"user_id": row["id"], "kind": Kind.GRANTED.value, "delta": row["reputation"] - 1,
         "nominal": row["reputation"] - 1, "note": "seed", "created_at": now}
        for row in user_rows if row["reputation"] > 1])

    tag_ids = _ensure_tags()
    next_q = (db.session.scalar(sa.select(sa.func.max(Question.id))) or 0) + 1
    next_a = (db.session.scalar(sa.select(sa.func.max(Answer.id))) or 0) + 1
    next_r = (db.session.scalar(sa.select(sa.func.max(Revision.id))) or 0) + 1
    categories = [c.value for c in Category]
    q_rows, a_rows, r_rows, qt_rows = [], [], [], []
    user_q: dict[int, int] = {}
    user_a: dict[int, int] = {}
    tag_counts: dict[int, int] = {}
    totals = {"questions": 0, "answers": 0}

    def flush() -> None:
        for table, rows in ((Question.__table__, q_rows), (Answer.__table__, a_rows),
                            (Revision.__table__, r_rows), (question_tags, qt_rows)):
            if rows:
                db.session.execute(sa.insert(table), rows)
                rows.clear()

    for _ in range(questions):
        qid, next_q = next_q, next_q + 1
        author = rng.choice(user_ids)
        created = now - timedelta(minutes=rng.randint(60, 60 * 24 * 365))
        if rng.random() < 0.7:
            title = f"{rng.choice(_SUBJECTS_ZH)}{rng.choice(_PROBLEMS_ZH)}，请问怎么处理？（{qid}）"
        else:
            title = f"My {rng.choice(_SUBJECTS_EN)} {rng.choice(_PROBLEMS_EN)}, what can I do? ({qid})"
        body = _text(rng, rng.randint(2, 6))
        n_answers = rng.randint(0, 2 * answers) if answers else 0
        tags = rng.sample(tag_ids, rng.randint(1, 3))
        category = rng.choice(categories)
        q_rows.append({"id": qid, "title": title, "body": body, "body_html": render_markdown(body),
                       "category": category, "status": "open", "author_id": author, "score": rng.randint(-1, 12),
                       "answer_count": n_answers, "comment_count": 0, "revision_count": 1,
                       "has_verified_answer": False, "created_at": created, "updated_at": created,
                       "last_activity_at": created + timedelta(hours=n_answers)})
        r_rows.append({"id": next_r, "question_id": qid, "answer_id": None, "number": 1, "editor_id": author,
                       "summary": "", "title": title, "body": body, "tags": "", "category": category,
                       "created_at": created})
        next_r += 1
        qt_rows.extend({"question_id": qid, "tag_id": t} for t in tags)
        for t in tags:
            tag_counts[t] = tag_counts.get(t, 0) + 1
        user_q[author] = user_q.get(author, 0) + 1
        for k in range(n_answers):
            aid, next_a = next_a, next_a + 1
            a_author = rng.choice(user_ids)
            a_body = _text(rng, rng.randint(2, 5))
            at = created + timedelta(hours=k + 1)
            a_rows.append({"id": aid, "question_id": qid, "author_id": a_author, "body": a_body,
                           "body_html": render_markdown(a_body), "score": rng.randint(-1, 20), "comment_count": 0,
                           "revision_count": 1, "created_at": at, "updated_at": at})
            r_rows.append({"id": next_r, "question_id": None, "answer_id": aid, "number": 1, "editor_id": a_author,
                           "summary": "", "title": None, "body": a_body, "tags": None, "category": None,
                           "created_at": at})
            next_r += 1
            user_a[a_author] = user_a.get(a_author, 0) + 1
        totals["questions"] += 1
        totals["answers"] += n_answers
        if len(q_rows) >= _BATCH:
            flush()
            if progress:
                progress(totals["questions"])
    flush()
    for table, counts, column in ((User.__table__, user_q, "question_count"), (User.__table__, user_a, "answer_count"),
                                  (Tag.__table__, tag_counts, "question_count")):
        if counts:
            db.session.execute(
                table.update().where(table.c.id == sa.bindparam("row_id"))
                .values({column: table.c[column] + sa.bindparam("delta")}),
                [{"row_id": k, "delta": v} for k, v in counts.items()],
            )
    _fix_sequences()
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        # Fresh statistics for the planner: before autovacuum gets to it, PostgreSQL believed the
        # bulk-inserted tables nearly empty and planned the lists for 47 rows instead of 10,000.
        db.session.execute(sa.text("ANALYZE questions, answers, users, tags, question_tags, revisions"))
    return totals


def _ensure_tags() -> list[int]:
    existing = {t.name: t.id for t in db.session.scalars(sa.select(Tag).where(Tag.name.in_(_TAGS)))}
    missing = [name for name in _TAGS if name not in existing]
    if missing:
        db.session.execute(sa.insert(Tag.__table__), [{"name": n, "question_count": 0, "created_at": utcnow()}
                                                      for n in missing])
        existing = {t.name: t.id for t in db.session.scalars(sa.select(Tag).where(Tag.name.in_(_TAGS)))}
    return [existing[name] for name in _TAGS]


def _fix_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the largest id."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("users", "questions", "answers", "revisions"):
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        ))


def seed_history(questions: int, seed_value: int = 1) -> dict:
    """`questions` questions with 60 days of support history (forum.demo.history), asked and answered
    by this seed's members and handled by a staff member (the first one, or a new `seed_staff_<seed>`)."""
    from forum.auth.models import Role
    from forum.demo.history import make_history

    members = list(db.session.scalars(sa.select(User).where(User.username.like(f"seed\\_{seed_value}\\_%", escape="\\"),
                                                            User.role == Role.MEMBER).order_by(User.id).limit(200)))
    staff = db.session.scalar(sa.select(User).where(User.role.in_([Role.STAFF, Role.ADMIN])).order_by(User.id).limit(1))
    if staff is None:
        staff = auth_services.register_user(f"seed_staff_{seed_value}", f"seed_staff_{seed_value}@example.com",
                                            "seed-password", role=Role.STAFF)
    if len(members) < 3:
        return {"questions": 0, "escalated": 0, "searches": 0}
    return make_history(members=members, staff=[staff], seed_value=seed_value, questions=questions,
                        searches_per_day=max(14, questions // 20))
