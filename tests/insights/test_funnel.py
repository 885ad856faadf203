"""Issue 22: the funnel, the rates, deflection, the medians and the stale share, derived by hand from a
small known history and compared with the service and the API (SQLite and PostgreSQL)."""
from __future__ import annotations

import csv
import io
import statistics
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.db import unit_of_work, utcnow
from forum.extensions import db
from forum.insights import services
from forum.insights.models import SearchEvent
from forum.notifications import services as notification_services
from forum.questions import services as question_services
from forum.questions.models import Answer, Category, Question
from forum.tickets import services as ticket_services
from forum.tickets.models import Ticket
from forum.verification import services as verification_services
from forum.verification.models import Verification


def _at(model, row_id, when, **more):
    with unit_of_work():
        db.session.execute(sa.update(model).where(model.id == row_id).values(created_at=when, **more))


@pytest.fixture
def history(ctx, create_user, create_question, create_answer, create_ticket):
    """Q1..Q5 asked in the last 30 days, Q6 40 days ago, Q7 deleted. Times are set by hand."""
    now = utcnow()
    staff = create_user("客服甲", role="staff")
    a1, a2, a3, a4 = (create_user(f"成员{i}") for i in range(1, 5))
    q = {}
    # Q1 (orders): a member answers after 30 min; the asker accepts. No ticket: solved by the community.
    q[1] = create_question(a1, title="订单号在哪里可以看到呢", category="orders")
    ans = create_answer(q[1], a2)
    _at(Question, q[1].id, now - timedelta(days=2))
    _at(Answer, ans.id, now - timedelta(days=2) + timedelta(minutes=30))
    with unit_of_work():
        question_services.accept_answer(a1, ans.id)
    with unit_of_work():
        verification_services.verify_answer(staff, ans.id, "流程正确")  # and staff verify the accepted answer
    # Q2 (orders): a member answers after 90 min; staff verify it; the author edits it (stale).
    q[2] = create_question(a1, title="怎么修改收货地址比较快", category="orders")
    ans2 = create_answer(q[2], a3)
    _at(Question, q[2].id, now - timedelta(days=3))
    _at(Answer, ans2.id, now - timedelta(days=3) + timedelta(minutes=90))
    with unit_of_work():
        verification_services.verify_answer(staff, ans2.id, "核实过")
    with unit_of_work():
        question_services.edit_answer(a3, ans2.id, body="在“我的订单”里找到这个订单，点“修改地址”，发货前都可以改。补充一句。")
    # Q3 (payments): a member answers after 10 min; escalated; staff reply after 120 min; solved; published.
    q[3] = create_question(a2, title="扣款成功但订单显示未支付", category="payments")
    ans3 = create_answer(q[3], a1)
    t3 = create_ticket(q[3], a2)
    with unit_of_work():
        ticket_services.add_message(staff, t3.id, "我们正在核实，请稍候。")
        ticket_services.update_ticket(staff, t3.id, status="solved")
        ticket_services.publish_resolution(staff, t3.id, "支付网关延迟，订单已经自动更新为已支付。")
    _at(Question, q[3].id, now - timedelta(days=5))
    _at(Answer, ans3.id, now - timedelta(days=5) + timedelta(minutes=10))
    _at(Ticket, t3.id, now - timedelta(days=5) + timedelta(hours=1),
        first_responded_at=now - timedelta(days=5) + timedelta(hours=1, minutes=120))
    # Q4 (payments): no answer; escalated (tier 2, staff reply after 30 min); followed by two members
    # besides the asker.
    q[4] = create_question(a3, title="退款一直显示处理中怎么办", category="payments")
    t4 = create_ticket(q[4], a3)
    with unit_of_work():
        ticket_services.update_ticket(staff, t4.id, tier=2, reason="需要技术排查")
        notification_services.follow(a1.id, question_id=q[4].id)
        notification_services.follow(a2.id, question_id=q[4].id)
    _at(Question, q[4].id, now - timedelta(days=6))
    _at(Ticket, t4.id, now - timedelta(days=6) + timedelta(minutes=5),
        first_responded_at=now - timedelta(days=6) + timedelta(minutes=35))
    # Q5 (account): only staff answered: not "answered by a member".
    q[5] = create_question(a4, title="两步验证手机丢了怎么登录", category="account")
    create_answer(q[5], staff)
    _at(Question, q[5].id, now - timedelta(days=1))
    # Q6 (orders): 40 days ago, answered and accepted: only in the 90-day window.
    q[6] = create_question(a2, title="发票怎么开具电子版本", category="orders")
    ans6 = create_answer(q[6], a3)
    with unit_of_work():
        question_services.accept_answer(a2, ans6.id)
    _at(Question, q[6].id, now - timedelta(days=40))
    _at(Answer, ans6.id, now - timedelta(days=40) + timedelta(minutes=20))
    # ... and escalated 10 days ago (no staff reply yet): a question with a ticket in the last 30 days.
    t6 = create_ticket(q[6], a2)
    _at(Ticket, t6.id, now - timedelta(days=10))
    # Q7: deleted by its author: counts nowhere.
    q[7] = create_question(a4, title="这个问题我不问了谢谢大家", category="orders")
    with unit_of_work():
        question_services.delete_question(a4, q[7].id)
    return {"q": q, "staff": staff, "members": (a1, a2, a3, a4), "tickets": (t3, t4, t6)}


# What the history above gives, counted by hand (30 days, every category). Each step is a subset of
# the one before: the community's of the questions asked, the official ones of the escalated.
EXPECTED_30 = {"asked": 5,             # Q1..Q5
               "answered": 3,          # Q1, Q2, Q3 (Q5's only answer is staff's)
               "accepted": 1,          # Q1
               "verified": 1,          # Q1's accepted answer (Q2's verified answer is not accepted)
               "escalated": 3,         # Q3, Q4, and Q6 (asked 40 days ago, its ticket 10 days ago)
               "solved_by_staff": 1,   # Q3
               "published": 1}         # Q3
EXPECTED_90 = {**EXPECTED_30, "asked": 6, "answered": 4, "accepted": 2}  # + Q6


def _derive(days: int, category: str | None = None) -> dict:
    """The funnel again, from the rows, in Python: the service's SQL is not used. Asked and what
    the community did: the questions asked in the period; escalated and after: the questions with
    a ticket opened in the period (API.md), whenever they were asked."""
    since = utcnow() - timedelta(days=days)
    public = [q for q in db.session.scalars(sa.select(Question))
              if q.deleted_at is None and q.held_at is None and (category is None or q.category.value == category)]
    questions = [q for q in public if q.created_at >= since]
    out = dict.fromkeys(services.STEPS, 0)
    out["deflected"] = 0
    for q in public:
        opened = [t for t in db.session.scalars(sa.select(Ticket).where(Ticket.question_id == q.id))
                  if t.created_at >= since]
        out["escalated"] += bool(opened)
        out["solved_by_staff"] += any(t.solved_at for t in opened)
        out["published"] += any(t.solved_at and t.published_answer_id for t in opened)
    for q in questions:
        answers_list = list(db.session.scalars(sa.select(Answer).where(Answer.question_id == q.id,
                                                                       Answer.deleted_at.is_(None))))
        member = [a for a in answers_list if a.author_id != q.author_id and not a.author.role.is_staff]
        tickets = list(db.session.scalars(sa.select(Ticket).where(Ticket.question_id == q.id)))
        out["asked"] += 1
        active = {v.answer_id for v in db.session.scalars(sa.select(Verification)) if v.ended_at is None}
        accepted = q.accepted_answer_id in {a.id for a in member if a.held_at is None}
        out["answered"] += bool([a for a in member if a.held_at is None])
        out["accepted"] += accepted
        out["verified"] += accepted and q.accepted_answer_id in active
        verified = any(a.id in active for a in answers_list if a.held_at is None)
        out["deflected"] += (q.accepted_answer_id is not None or verified) and not tickets
    return out


def test_funnel_from_a_known_history(history):
    result = services.insights(30)
    assert result.funnel == EXPECTED_30
    derived = _derive(30)
    assert result.funnel == {k: derived[k] for k in services.STEPS}
    assert result.deflected == derived["deflected"] == 2  # Q1 (accepted), Q2 (verified), no ticket
    assert result.deflection_rate == pytest.approx(2 / 5, abs=1e-4)
    # Each rate against the step before it, of which it is a subset: none is above 100%.
    assert result.rates["answered"] == {"previous": "asked", "from_previous": pytest.approx(3 / 5, abs=1e-4),
                                        "of_asked": pytest.approx(3 / 5, abs=1e-4)}
    assert result.rates["accepted"]["from_previous"] == pytest.approx(1 / 3, abs=1e-4)
    assert result.rates["verified"] == {"previous": "accepted", "from_previous": 1.0,
                                        "of_asked": pytest.approx(1 / 5, abs=1e-4)}
    assert result.rates["escalated"] == {"previous": None, "from_previous": None, "of_asked": None}
    assert result.rates["solved_by_staff"]["from_previous"] == pytest.approx(1 / 3, abs=1e-4)
    assert result.rates["published"] == {"previous": "solved_by_staff", "from_previous": 1.0, "of_asked": None}
    # First member answers: Q1 30, Q2 90, Q3 10 minutes → 30. Staff's first replies: 120 (Q3), 30 (Q4) → 75.
    assert result.median_first_answer_minutes == pytest.approx(statistics.median([30, 90, 10]), abs=0.1)
    assert result.median_first_staff_reply_minutes == pytest.approx(statistics.median([120, 30]), abs=0.1)
    # Active verifications: Q1's accepted answer, Q2's answer (edited after it: stale) and Q3's
    # published answer → 1 of 3.
    assert (result.verified_answers, result.stale_verified_answers) == (3, 1)
    assert result.stale_share == pytest.approx(1 / 3, abs=1e-4)
    by_category = {row["category"]: row for row in result.by_category}
    assert by_category["orders"]["asked"] == 2 and by_category["orders"]["deflected"] == 2
    assert by_category["orders"]["escalated"] == 1  # Q6: asked before the period, escalated in it
    assert by_category["payments"]["escalated"] == 2 and by_category["payments"]["escalations_per_question"] == 1.0
    assert by_category["payments"]["median_first_staff_reply_minutes"] == pytest.approx(75, abs=0.1)
    assert by_category["account"]["answered"] == 0
    assert by_category["complaints"]["asked"] == 0 and by_category["complaints"]["deflection_rate"] is None
    tiers = {row["tier"]: row for row in result.by_tier}
    assert tiers[1]["escalated"] == 2 and tiers[1]["tickets"] == 2  # T3, T6
    assert tiers[1]["solved_by_staff"] == 1 and tiers[1]["published"] == 1
    assert tiers[2] == {"tier": 2, "tickets": 1, "escalated": 1, "solved_by_staff": 0, "published": 0,
                        "solved_rate": 0.0, "median_first_staff_reply_minutes": pytest.approx(30, abs=0.1)}
    assert tiers[3]["tickets"] == 0
    # Q4: two followers besides the asker; no accepted or verified answer.
    threads = result.unsolved_threads
    assert threads[0]["question_id"] == history["q"][4].id
    assert (threads[0]["followers"], threads[0]["me_too_tickets"]) == (2, 0)
    assert all(t["question_id"] not in (history["q"][1].id, history["q"][2].id) for t in threads)


def _assert_nested(funnel: dict, rates: dict) -> None:
    for step, previous in services.FOLLOWS.items():
        assert funnel[step] <= funnel[previous], (step, funnel)
    for step, rate in rates.items():
        for key in ("from_previous", "of_asked"):
            assert rate[key] is None or 0 <= rate[key] <= 1, (step, rate)


def test_every_step_is_a_subset_of_the_one_before(history):
    for days in (7, 30, 90):
        for category in (None, *Category):
            result = services.insights(days, category)
            _assert_nested(result.funnel, result.rates)


def test_staff_answers_accepted_and_verified_never_push_a_rate_above_100(ctx, create_user, create_question,
                                                                          create_answer, client, token_for):
    """The demo's payments category in 7 days showed "Accepted 2, Verified 2: 200% of answered by a
    member": the askers accepted answers written by staff, which staff verified, while `answered`
    counts members' answers only."""
    staff = create_user("客服乙", role="staff")
    asker, helper = create_user("提问者"), create_user("热心成员")
    # Q1: only staff answered; the asker accepted it; staff verified it.
    q1 = create_question(asker, title="退款到账时间是多久呢", category="payments")
    staff_answer = create_answer(q1, staff)
    with unit_of_work():
        question_services.accept_answer(asker, staff_answer.id)
    with unit_of_work():
        verification_services.verify_answer(staff, staff_answer.id, "以官方为准")
    # Q2: a member and staff answered; the asker accepted staff's answer, which staff verified.
    q2 = create_question(asker, title="信用卡支付失败怎么办呀", category="payments")
    create_answer(q2, helper)
    staff_answer2 = create_answer(q2, staff)
    with unit_of_work():
        question_services.accept_answer(asker, staff_answer2.id)
    with unit_of_work():
        verification_services.verify_answer(staff, staff_answer2.id, "以官方为准")
    result = services.insights(7, Category.PAYMENTS)
    assert result.funnel["answered"] == 1 and result.funnel["accepted"] == 0 and result.funnel["verified"] == 0
    assert result.funnel == {k: v for k, v in _derive(7, "payments").items() if k in services.STEPS}
    _assert_nested(result.funnel, result.rates)
    assert result.deflected == 2  # still solved without a ticket, by staff's answers
    body = client.get("/api/v1/staff/insights?days=7&category=payments", headers=token_for(staff)).get_json()
    assert all(r["from_previous"] is None or r["from_previous"] <= 1 for r in body["rates"].values())


def test_period_and_category(history):
    assert services.insights(90).funnel == EXPECTED_90
    assert services.insights(90).deflected == 2  # Q6 was accepted, but it has a ticket
    assert services.insights(7).funnel["escalated"] == 2  # Q3 and Q4; Q6's ticket is 10 days old
    assert services.insights(90).funnel == {k: v for k, v in _derive(90).items() if k in services.STEPS}
    payments = services.insights(30, Category.PAYMENTS)
    assert payments.funnel == {k: v for k, v in _derive(30, "payments").items() if k in services.STEPS}
    assert payments.funnel["asked"] == 2 and payments.deflection_rate == 0.0
    assert [row["category"] for row in payments.by_category] == ["payments"]
    empty = services.insights(7, Category.COMPLAINTS)
    assert empty.funnel == dict.fromkeys(services.STEPS, 0)
    assert empty.deflection_rate is None and empty.median_first_answer_minutes is None


def test_api_returns_the_same_figures(client, history, token_for, create_user):
    staff = history["staff"]
    response = client.get("/api/v1/staff/insights?days=30", headers=token_for(staff))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["funnel"] == EXPECTED_30
    assert body["deflection_rate"] == pytest.approx(0.4)
    assert body["median_first_answer_minutes"] == pytest.approx(30, abs=0.1)
    assert body["median_first_staff_reply_minutes"] == pytest.approx(75, abs=0.1)
    assert isinstance(body["zero_result_searches"], list)
    assert {row["category"] for row in body["by_category"]} == {c.value for c in Category}
    assert [row["tier"] for row in body["by_tier"]] == [1, 2, 3]
    # Any whole number of days, not only the dashboard's 7/30/90.
    fortnight = client.get("/api/v1/staff/insights?days=14", headers=token_for(staff)).get_json()
    assert fortnight["funnel"] == {k: v for k, v in _derive(14).items() if k in services.STEPS}
    filtered = client.get("/api/v1/staff/insights?days=90&category=orders", headers=token_for(staff)).get_json()
    assert filtered["funnel"] == {k: v for k, v in _derive(90, "orders").items() if k in services.STEPS}
    admin = create_user(role="admin")
    assert client.get("/api/v1/staff/insights", headers=token_for(admin)).status_code == 200


@pytest.mark.parametrize("query", ["days=0", "days=366", "days=abc", "days=-7", "days=30&category=nope", "days=" + "9" * 50])
def test_api_refuses_bad_input(client, ctx, create_user, token_for, query):
    response = client.get(f"/api/v1/staff/insights?{query}", headers=token_for(create_user(role="staff")))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]


def test_api_permissions(client, ctx, create_user, token_for):
    assert client.get("/api/v1/staff/insights").status_code == 401
    member = create_user(reputation=50_000)
    assert client.get("/api/v1/staff/insights", headers=token_for(member)).status_code == 403
    moderator = create_user(role="moderator")
    assert client.get("/api/v1/staff/insights", headers=token_for(moderator)).status_code == 403


def test_dashboard_and_csv(client, history, login, create_user):
    login(create_user())
    assert client.get("/staff/dashboard").status_code == 403
    assert client.get("/staff/dashboard/insights.csv").status_code == 403
    login(history["staff"])
    page = client.get("/staff/dashboard?days=30", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Answered by a member" in page and "Payments and refunds" in page
    assert ">complaints<" not in page and ">payments<" not in page
    assert "40%" in page  # the deflection rate
    zh = client.get("/staff/dashboard?days=30", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "支付与退款" in zh and ">payments<" not in zh
    # A bad period or category falls back to the default on the page, never 500.
    assert client.get("/staff/dashboard?days=abc&category=<x>").status_code == 200
    response = client.get("/staff/dashboard/insights.csv?days=30&section=funnel", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Step"
    assert [int(r[1]) for r in rows[1:8]] == [EXPECTED_30[s] for s in services.STEPS]
    categories = client.get("/staff/dashboard/insights.csv?days=30&section=categories",
                            headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "支付与退款" in categories and "\npayments," not in categories
    tiers = client.get("/staff/dashboard/insights.csv?section=tiers", headers={"Accept-Language": "en"})
    assert "Tier 2: technical specialists" in tiers.get_data(as_text=True)
    tiers_zh = client.get("/staff/dashboard/insights.csv?section=tiers", headers={"Accept-Language": "zh-CN"})
    assert "二线技术专家" in tiers_zh.get_data(as_text=True) and "Tier 2" not in tiers_zh.get_data(as_text=True)
    assert "二线技术专家" in zh and "Tier 2: technical specialists" in page
    # Each content gap links to act: the followed unsolved thread (Q4, no answer) can be answered
    # and pinned from here, not verified.
    q4 = history["q"][4].id
    gaps = page[page.index('id="threads-title"'):]
    assert f"/questions/{q4}#answer-form" in gaps and f"/questions/{q4}/pin" in gaps
    assert f"/questions/{q4}#answers-heading" not in gaps
    client.post(f"/questions/{q4}/pin")
    pinned = client.get("/staff/dashboard?days=30", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"/questions/{q4}/unpin" in pinned[pinned.index('id="threads-title"'):]
    for section in ("zero_results", "before_asking", "tags", "category_rank", "threads"):
        assert client.get(f"/staff/dashboard/insights.csv?section={section}").status_code == 200
    assert client.get("/staff/dashboard/insights.csv?section=nope").status_code == 404


def test_ticket_charts_follow_the_period_and_category_with_tables_and_csv(client, history, login):
    login(history["staff"])
    page = client.get("/staff/dashboard?days=7&category=payments", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert "Last 7 days" in html and 'id="ticket-days-title"' in html
    days = list(csv.reader(io.StringIO(client.get("/staff/dashboard/insights.csv?section=ticket_days&days=7&category=payments")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert len(days) == 1 + 7 and sum(int(r[1]) for r in days[1:]) == 2  # T3 and T4 (payments, this week)
    everything = list(csv.reader(io.StringIO(client.get("/staff/dashboard/insights.csv?section=ticket_days&days=30")
                                             .get_data(as_text=True).lstrip("\ufeff"))))
    assert len(everything) == 1 + 30 and sum(int(r[1]) for r in everything[1:]) == 3  # + T6
    categories = client.get("/staff/dashboard/insights.csv?section=ticket_categories&days=30",
                            headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Payments and refunds,3" in categories  # the tickets' own category (T6 is a payments ticket) and "\npayments," not in categories
    assert client.get("/staff/dashboard/insights.csv?section=ticket_ratings").status_code == 200


def test_prune_keeps_ninety_days(ctx, runner):
    now = utcnow()
    with unit_of_work():
        for age in (1, 89, 91, 200):
            db.session.add(SearchEvent(kind="search", query=f"age {age}", result_count=0, source="page",
                                       session_hash="0" * 32, created_at=now - timedelta(days=age)))
    result = runner.invoke(args=["insights", "prune"])
    assert result.exit_code == 0 and "2 rows" in result.output
    assert sorted(db.session.scalars(sa.select(SearchEvent.query))) == ["age 1", "age 89"]
