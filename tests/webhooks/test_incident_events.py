"""incident.created, incident.updated and incident.resolved reach the webhooks that subscribed to
them, signed and sent after the commit like every other event, with the incident's public fields."""
from __future__ import annotations

import pytest

from forum.notifications import jobs
from tests.webhooks.test_delivery import check_signature, deliveries

pytestmark = pytest.mark.search_index

INCIDENT_EVENTS = ["incident.created", "incident.updated", "incident.resolved"]
BODY = {"title": "微信支付付款失败", "body": "部分用户使用微信支付时付款失败，我们正在排查。",
        "category": "payments", "keywords": ["微信支付"], "status": "investigating"}


def test_an_incident_is_created_updated_and_resolved_through_webhooks(
        allow_private, receiver, create_webhook, create_user, create_question, token_for, client):
    webhook, secret = create_webhook(receiver.url + "?who=incidents", events=INCIDENT_EVENTS)
    create_webhook(receiver.url + "?who=tickets", events=["ticket.created", "answer.verified"])
    staff_user = create_user("客服小林", role="staff")
    staff = token_for(staff_user)
    member = create_user("王小明", email="wang@example.com")
    create_question(member, title="微信支付付款一直失败", category="payments",
                               body="今天用微信支付付款，一直提示失败，钱也没扣，怎么办？")

    created = client.post("/api/v1/incidents", json=BODY, headers=staff)
    assert created.status_code == 201, created.get_json()
    iid = created.get_json()["id"]
    assert client.patch(f"/api/v1/incidents/{iid}", json={"status": "identified", "message": "原因已找到：证书过期。"},
                        headers=staff).status_code == 200
    assert client.post(f"/api/v1/incidents/{iid}/affected", headers=token_for(member)).status_code == 200
    resolved = client.patch(f"/api/v1/incidents/{iid}", json={"status": "resolved", "message": "已修复，可以重新付款。"},
                            headers=staff)
    assert resolved.status_code == 200

    received = receiver.wait_for(3)
    jobs.drain()
    assert all("who=incidents" in r.path for r in received)  # the other webhook hears nothing
    assert [r.json["event"] for r in received] == INCIDENT_EVENTS
    rows = deliveries()
    assert [(d.webhook_id, d.event, d.status) for d in rows] == [(webhook.id, e, "succeeded") for e in INCIDENT_EVENTS]
    for r in received:
        check_signature(secret, r)
        assert r.headers["Forum-Event"] == r.json["event"] and set(r.json) == {"id", "event", "created_at", "data"}
        text = r.body.decode()
        assert "wang@example.com" not in text and "王小明" not in text  # who is affected is nobody's business

    opened, updated, closed = (r.json["data"] for r in received)
    assert opened["incident"] == {**opened["incident"], "id": iid, "title": "微信支付付款失败",
                                  "status": "investigating", "category": "payments", "keywords": ["微信支付"],
                                  "affected_count": 0, "linked_count": 1, "resolved_at": None}
    assert opened["incident"]["url"].endswith(f"/incidents/{iid}") and "+08:00" in opened["incident"]["created_at"]
    assert opened["update"]["message"] == BODY["body"] and opened["actor"] == "客服小林"
    assert (updated["incident"]["status"], updated["update"]["status"]) == ("identified", "identified")
    assert updated["update"]["message"] == "原因已找到：证书过期。"
    assert closed["incident"]["status"] == "resolved" and closed["incident"]["resolved_at"]
    assert closed["update"] == {**closed["update"], "status": "resolved", "message": "已修复，可以重新付款。"}
    assert closed["incident"]["affected_count"] == 1 and closed["incident"]["linked_count"] == 1
    assert set(opened["incident"]) == {"id", "title", "status", "category", "keywords", "started_at", "resolved_at",
                                       "created_at", "updated_at", "affected_count", "linked_count", "url"}

    # A message after the resolution is an update of a resolved incident: incident.updated.
    assert client.patch(f"/api/v1/incidents/{iid}", json={"message": "补充：失败的订单已自动退款。"},
                        headers=staff).status_code == 200
    late = receiver.wait_for(4)[3].json
    jobs.drain()
    assert late["event"] == "incident.updated" and late["data"]["incident"]["status"] == "resolved"
    assert late["data"]["update"]["message"] == "补充：失败的订单已自动退款。"


def test_a_title_change_is_an_update_without_a_message(allow_private, receiver, create_webhook, create_user,
                                                       token_for, client):
    create_webhook(receiver.url, events=["incident.updated"])
    staff = token_for(create_user(role="staff"))
    iid = client.post("/api/v1/incidents", json=BODY, headers=staff).get_json()["id"]
    assert client.patch(f"/api/v1/incidents/{iid}", json={"title": "微信支付与支付宝付款失败"},
                        headers=staff).status_code == 200
    [only] = receiver.wait_for(1)
    jobs.drain()
    assert [d.event for d in deliveries()] == ["incident.updated"]  # incident.created: not subscribed
    assert only.json["data"]["incident"]["title"] == "微信支付与支付宝付款失败" and only.json["data"]["update"] is None


def test_a_refused_update_sends_nothing(allow_private, receiver, create_webhook, create_user, token_for, client):
    create_webhook(receiver.url, events=["incident.updated", "incident.resolved"])
    staff = token_for(create_user(role="staff"))
    iid = client.post("/api/v1/incidents", json=BODY, headers=staff).get_json()["id"]
    assert client.patch(f"/api/v1/incidents/{iid}", json={"status": "resolved"}, headers=staff).status_code == 422
    jobs.drain()
    assert deliveries() == [] and receiver.requests == []
