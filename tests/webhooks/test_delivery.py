"""Webhook deliveries end to end: a real receiver on 127.0.0.1 checks the signature, sees a retry
after a 500, never sees a ticket's private fields unless the webhook is private; backoff, giving up,
disabling after days of failure (with the clock moved), after-commit only, and the forum's events."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.db import unit_of_work, utcnow
from forum.extensions import db
from forum.notifications import jobs
from forum.notifications.models import Notification
from forum.tickets import services as tickets
from forum.webhooks import services, transport
from forum.webhooks.models import Webhook, WebhookDelivery

ORDER = "ORD20261203998877"
PHONE = "13912345678"


def check_signature(secret: str, received, now: float | None = None) -> int:
    """What a receiver does (README, "Checking the signature"), written out independently."""
    parts = dict(item.split("=", 1) for item in received.headers["Forum-Signature"].split(","))
    timestamp = int(parts["t"])
    assert abs((now or time.time()) - timestamp) <= 300
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"]), "signature does not match"
    return timestamp


def deliveries(**where) -> list:
    """The deliveries as rows read now; the test's transaction ends at once (on SQLite it would hold
    the write lock that the background retries need)."""
    table = WebhookDelivery.__table__
    query = sa.select(table).order_by(table.c.id)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    rows = db.session.execute(query).all()
    db.session.commit()
    return rows


def test_a_signed_delivery_is_retried_after_a_500(allow_private, receiver, create_webhook, create_ticket):
    receiver.statuses = [500, 200]
    _webhook, secret = create_webhook(receiver.url, events=["ticket.created"])
    assert secret.startswith("whsec_")
    ticket = create_ticket(order_number=ORDER)
    ticket_id, number = ticket.id, ticket.number
    db.session.commit()  # SQLite: the test's reads must not hold the write lock the worker needs
    first = receiver.wait_for(1)[0]
    check_signature(secret, first)
    assert first.path == "/hooks/forum" and first.headers["Content-Type"].startswith("application/json")
    body = first.json
    assert set(body) == {"id", "event", "created_at", "data"}
    assert body["event"] == "ticket.created" and first.headers["Forum-Event"] == "ticket.created"
    assert body["data"]["ticket"]["id"] == ticket_id and body["data"]["ticket"]["number"] == number
    jobs.drain()
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at - delivery.last_attempt_at <= timedelta(seconds=10)

    # No test drives this one: the retry comes from the in-process worker, a few seconds later.
    second = receiver.wait_for(2, timeout=20)[1]
    check_signature(secret, second)
    assert second.json["id"] == body["id"] and second.body == first.body  # the same delivery, the same bytes
    deadline = time.monotonic() + 10
    while deliveries()[0].status == "pending" and time.monotonic() < deadline:
        time.sleep(0.05)
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 2, 200)
    assert delivery.duration_ms is not None and delivery.last_error == ""
    # A signature checked against another body, another secret or an old time fails.
    assert transport.verify(secret, second.body, second.headers["Forum-Signature"])
    assert not transport.verify(secret, second.body + b" ", second.headers["Forum-Signature"])
    assert not transport.verify("whsec_other", second.body, second.headers["Forum-Signature"])
    assert not transport.verify(secret, second.body, second.headers["Forum-Signature"], now=time.time() + 301)


def test_private_fields_go_only_to_private_webhooks(allow_private, receiver, create_webhook, create_ticket,
                                                      create_user):
    create_webhook(receiver.url + "?who=public", events=["ticket.created", "question.escalated", "ticket.updated"])
    create_webhook(receiver.url + "?who=private", events=["ticket.created"], private=True)
    ticket = create_ticket(order_number=ORDER, contact_channel="phone", contact=PHONE,
                           description="扣款成功但订单显示未支付，我的手机号在联系方式里。")
    staff = create_user(role="staff")
    with unit_of_work():
        tickets.add_message(staff, ticket.id, f"内部备注：订单 {ORDER} 已查到", internal=True)
    received = receiver.wait_for(4)
    jobs.drain()
    public = [r for r in received if "who=public" in r.path]
    private = [r for r in received if "who=private" in r.path]
    assert sorted(r.json["event"] for r in public) == ["question.escalated", "ticket.created", "ticket.updated"]
    for r in public:
        text = r.body.decode()
        assert ORDER not in text and PHONE not in text and "扣款成功" not in text and "内部备注" not in text
        for name in ("description", "order_number", "contact", "contact_channel", "requester_email"):
            assert name not in r.json["data"]["ticket"]
    escalated = next(r.json for r in public if r.json["event"] == "question.escalated")
    assert escalated["data"]["question"]["id"] == ticket.question_id and escalated["data"]["question"]["title"]
    [full] = private
    data = full.json["data"]["ticket"]
    assert (data["order_number"], data["contact"], data["contact_channel"]) == (ORDER, PHONE, "phone")
    assert data["description"].startswith("扣款成功") and data["requester_email"].endswith("@example.com")


def test_the_forums_events_are_recorded(allow_private, receiver, create_webhook, create_ticket, create_user,
                                        create_question, create_answer, verify):
    create_webhook(receiver.url, events=["ticket.updated", "ticket.solved", "ticket.rated", "answer.verified"])
    ticket = create_ticket()
    staff = create_user(role="staff")
    with unit_of_work():
        tickets.update_ticket(staff, ticket.id, priority="high", tier=2, reason="支付渠道问题")
    with unit_of_work():
        tickets.add_message(staff, ticket.id, "已为您处理，请查收退款。")
    with unit_of_work():
        tickets.update_ticket(staff, ticket.id, status="solved")
    with unit_of_work():
        tickets.rate_ticket(ticket.requester, ticket.id, rating=5, comment="很快")
    answer = create_answer(create_question())
    verify(answer, by=staff)
    jobs.drain()
    events = [(d.event, json.loads(d.payload)["data"].get("change", {}).get("kind")) for d in deliveries()]
    # Staff's first reply opens the new ticket, then the message itself.
    assert events == [("ticket.updated", "priority"), ("ticket.updated", "tier"), ("ticket.updated", "status"),
                      ("ticket.updated", "message"), ("ticket.solved", "status"), ("ticket.rated", "rating"),
                      ("answer.verified", None)]
    rated = json.loads(deliveries(event="ticket.rated")[0].payload)["data"]
    assert rated["ticket"]["rating"] == 5 and "rating_comment" not in rated["ticket"]
    verified = json.loads(deliveries(event="answer.verified")[0].payload)["data"]
    assert verified["answer"]["id"] == answer.id and verified["verification"]["by"] == staff.username
    receiver.wait_for(7)


def test_nothing_is_recorded_or_sent_when_the_transaction_rolls_back(allow_private, receiver, create_webhook,
                                                                      create_question):
    create_webhook(receiver.url)
    question = create_question()
    with pytest.raises(RuntimeError), unit_of_work():
        tickets.escalate_question(question.author, question.id, category="payments",
                                  description="扣款成功但订单显示未支付。")
        raise RuntimeError("the command failed after the escalation")
    jobs.drain()
    assert deliveries() == [] and receiver.requests == []


def test_unknown_events_are_a_programming_error(ctx):
    with pytest.raises(ValueError):
        services.emit("ticket.exploded", {})


def test_backoff_starts_within_ten_seconds_and_doubles():
    schedule = [services.retry_delay(n).total_seconds() for n in range(1, 16)]
    assert schedule[:6] == [5, 10, 20, 40, 80, 160]
    assert all(b == min(2 * a, 3600) for a, b in itertools.pairwise(schedule))
    assert max(schedule) == 3600


def test_a_delivery_is_retried_for_24_hours_then_failed(allow_private, receiver, create_webhook, create_ticket):
    receiver.statuses = [503]
    create_webhook(receiver.url)
    create_ticket()
    jobs.drain()
    [delivery] = deliveries()
    assert delivery.attempts == 1 and delivery.status == "pending"
    start = delivery.created_at
    clock, attempts = start, 1
    while deliveries()[0].status == "pending":
        clock = deliveries()[0].next_attempt_at
        services.deliver_due(now=clock)
        attempts += 1
        assert attempts < 60
    [delivery] = deliveries()
    assert delivery.status == "failed" and delivery.attempts == attempts and delivery.response_code == 503
    assert timedelta(hours=23) <= clock - start <= timedelta(hours=24)
    jobs.cancel_timers()


def test_a_webhook_failing_for_three_days_is_disabled_and_admins_are_told(
        allow_private, receiver, create_webhook, create_ticket, create_user, admin):
    other_admin = create_user("admin_li", role="admin")
    receiver.statuses = [500]
    webhook, _secret = create_webhook(receiver.url)
    create_ticket()
    jobs.drain()
    t0 = deliveries()[0].last_attempt_at
    services.deliver_due(now=t0 + timedelta(days=2))  # failing for two days: given up on, but still on
    assert [d.status for d in deliveries()] == ["failed"]
    db.session.expire_all()
    assert db.session.get(Webhook, webhook.id).active
    db.session.commit()
    create_ticket()  # an event of the third day (its time moved there below)
    jobs.drain()
    later = t0 + timedelta(days=3, minutes=1)
    db.session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.status == "pending")
                       .values(created_at=later - timedelta(minutes=1), next_attempt_at=later))
    db.session.commit()
    services.deliver_due(now=later)
    db.session.expire_all()
    webhook = db.session.get(Webhook, webhook.id)
    assert not webhook.active and webhook.disabled_reason == "failing" and webhook.disabled_at == later
    db.session.commit()
    assert [d.status for d in deliveries()] == ["failed", "failed"]
    told = list(db.session.scalars(sa.select(Notification).where(Notification.kind == "webhook_disabled")))
    assert {n.user_id for n in told} == {admin.id, other_admin.id}
    assert told[0].detail.startswith(f"{webhook.id}|3|")
    db.session.commit()
    # Nothing more is recorded for a disabled webhook.
    create_ticket()
    jobs.drain()
    assert len(deliveries()) == 2
    jobs.cancel_timers()


def test_a_success_restarts_the_failure_clock(allow_private, receiver, create_webhook, create_ticket):
    receiver.statuses = [500, 200]
    webhook, _secret = create_webhook(receiver.url)
    create_ticket()
    jobs.drain()
    db.session.expire_all()
    assert db.session.get(Webhook, webhook.id).failing_since is not None
    services.deliver_due(now=utcnow() + timedelta(seconds=6))
    db.session.expire_all()
    assert db.session.get(Webhook, webhook.id).failing_since is None
    jobs.cancel_timers()


def test_redirects_are_not_followed(allow_private, receiver, create_webhook, create_ticket):
    receiver.statuses = [302, 200]
    create_webhook(receiver.url)
    create_ticket()
    receiver.wait_for(1)
    jobs.drain()
    [delivery] = deliveries()
    assert delivery.response_code == 302 and delivery.status == "pending"
    assert "redirect" in delivery.last_error
    assert [r.path for r in receiver.requests] == ["/hooks/forum"]  # /elsewhere was never asked
    jobs.cancel_timers()


def test_with_redis_a_retry_is_a_scheduled_job_that_a_worker_runs(ctx, allow_private, receiver, create_webhook,
                                                                   create_ticket):
    """With FORUM_REDIS_URL the first attempt is a queued job, and the retry a job scheduled for the
    delivery's next attempt (RQ's scheduled-job registry), which the worker's scheduler enqueues."""
    import os

    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown
    from rq import Queue, SimpleWorker
    from rq.registry import ScheduledJobRegistry

    redis_url = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    connection = Redis.from_url(redis_url)
    try:
        connection.ping()
    except RedisDown:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis is not reachable at {redis_url}")
        pytest.skip(f"Redis is not reachable at {redis_url}")
    queue = Queue("forum", connection=connection)
    queue.empty()
    registry = ScheduledJobRegistry(queue=queue)
    for job_id in registry.get_job_ids():
        registry.remove(job_id, delete_job=True)
    receiver.statuses = [500, 200]
    create_webhook(receiver.url)
    ctx.config["FORUM_REDIS_URL"] = redis_url
    try:
        create_ticket()
        db.session.commit()
        deliver_jobs = [job for job in queue.jobs if "deliver_due" in str(job.args)]
        assert len(deliver_jobs) == 1 and receiver.requests == []
        SimpleWorker([queue], connection=connection).work(burst=True)
        assert len(receiver.requests) == 1
        [scheduled] = registry.get_job_ids()
        when = registry.get_scheduled_time(scheduled)
        [row] = deliveries()
        assert row.status == "pending" and abs((when - row.next_attempt_at).total_seconds()) <= 2
    finally:
        ctx.config["FORUM_REDIS_URL"] = None
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
        queue.empty()


def test_the_cron_command_sends_what_is_due(allow_private, receiver, create_webhook, create_ticket, runner):
    receiver.statuses = [500, 200]
    create_webhook(receiver.url)
    create_ticket()
    jobs.drain()
    jobs.cancel_timers()  # the cron command, not the timer, sends the retry here
    db.session.execute(sa.update(WebhookDelivery).values(next_attempt_at=utcnow()))
    db.session.commit()
    result = runner.invoke(args=["webhooks", "deliver"])
    assert result.exit_code == 0 and "1 deliveries succeeded" in result.output
    assert [d.status for d in deliveries()] == ["succeeded"] and len(receiver.requests) == 2


def test_old_finished_deliveries_are_pruned(allow_private, receiver, create_webhook, create_ticket, runner):
    receiver.statuses = [200]
    create_webhook(receiver.url)
    create_ticket()
    create_ticket()
    jobs.drain()
    first, second = deliveries()
    db.session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == first.id)
                       .values(created_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    result = runner.invoke(args=["webhooks", "prune"])
    assert result.exit_code == 0 and "1 deliveries deleted" in result.output
    assert [d.id for d in deliveries()] == [second.id]
