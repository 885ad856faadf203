"""Incidents over HTTP: the API (status codes, permissions, bad input, the contract's fields), the
pages, the banners (thread, home, /support, the ask page's similar API), and the page cache."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.incidents.models import IncidentLink

pytestmark = pytest.mark.search_index

BODY = {"title": "微信支付付款失败", "body": "部分用户使用**微信支付**时付款失败，我们正在排查。",
        "category": "payments", "keywords": ["微信支付", "wechat pay"], "status": "investigating"}


def _question(create_question, **kw):
    return create_question(title=kw.pop("title", "微信支付付款一直失败"), category=kw.pop("category", "payments"),
                           body=kw.pop("body", "今天用微信支付付款，一直提示失败，钱也没扣，怎么办？"), tags=("支付",), **kw)


def test_incident_api_lifecycle(client, create_user, create_question, token_for):
    staff = token_for(create_user(role="staff"))
    member_user = create_user(locale="en")
    member = token_for(member_user)
    matching = _question(create_question)
    other = create_question(title="怎么修改收货地址", body="下单以后想改收货地址，在哪里改？", category="orders")
    response = client.post("/api/v1/incidents", json=BODY, headers=staff)
    assert response.status_code == 201, response.get_json()
    incident = response.get_json()
    iid = incident["id"]
    assert incident["status"] == "investigating" and incident["keywords"] == ["微信支付", "wechat pay"]
    assert [q["id"] for q in incident["questions"]] == [matching.id] and incident["questions"][0]["linked"] == "auto"
    assert incident["updates"][0]["status"] == "investigating" and "<strong>微信支付</strong>" in incident["updates"][0]["message_html"]
    assert incident["affected_count"] == 0 and "+08:00" in incident["started_at"]

    # The thread says so.
    detail = client.get(f"/api/v1/questions/{matching.id}").get_json()
    assert detail["incidents"] == [{"id": iid, "title": "微信支付付款失败", "status": "investigating",
                                    "status_title": detail["incidents"][0]["status_title"],
                                    "url": detail["incidents"][0]["url"]}]
    assert client.get(f"/api/v1/questions/{other.id}").get_json()["incidents"] == []

    # Manual link and unlink.
    response = client.post(f"/api/v1/incidents/{iid}/links", json={"question_id": other.id}, headers=staff)
    assert response.status_code == 201
    assert {q["id"]: q["linked"] for q in response.get_json()["questions"]} == {matching.id: "auto", other.id: "manual"}
    assert client.delete(f"/api/v1/incidents/{iid}/links/{other.id}", headers=staff).status_code == 204
    assert client.delete(f"/api/v1/incidents/{iid}/links/{other.id}", headers=staff).status_code == 404
    assert [q["id"] for q in client.get(f"/api/v1/incidents/{iid}").get_json()["questions"]] == [matching.id]

    # Affected: idempotent, undoable.
    assert client.post(f"/api/v1/incidents/{iid}/affected", headers=member).get_json() == {
        "affected": True, "affected_count": 1}
    assert client.post(f"/api/v1/incidents/{iid}/affected", headers=member).get_json()["affected_count"] == 1
    assert client.get(f"/api/v1/incidents/{iid}", headers=member).get_json()["affected"] is True
    assert client.delete(f"/api/v1/incidents/{iid}/affected", headers=member).get_json() == {
        "affected": False, "affected_count": 0}
    assert client.delete(f"/api/v1/incidents/{iid}/affected", headers=member).get_json()["affected_count"] == 0
    assert client.post(f"/api/v1/incidents/{iid}/affected", headers=member).status_code == 200

    # Updates, kept with their times; the active list.
    response = client.patch(f"/api/v1/incidents/{iid}", json={"status": "identified", "message": "原因已找到：证书过期。"},
                            headers=staff)
    assert response.status_code == 200
    updates = response.get_json()["updates"]
    assert [u["status"] for u in updates] == ["identified", "investigating"] and all(u["created_at"] for u in updates)
    assert [i["id"] for i in client.get("/api/v1/incidents?status=active").get_json()["items"]] == [iid]
    assert client.get("/api/v1/incidents?status=resolved").get_json()["items"] == []
    assert [i["id"] for i in client.get("/api/v1/incidents?status=identified").get_json()["items"]] == [iid]
    assert client.get("/api/v1/incidents?status=monitoring").get_json()["total"] == 0
    response = client.patch(f"/api/v1/incidents/{iid}", json={"status": "resolved", "publish": True,
                                                               "message": "已修复：微信支付恢复正常，失败的订单可以重新付款。"}, headers=staff)
    assert response.status_code == 200
    resolved = response.get_json()
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    assert resolved["questions"][0]["published_answer_id"]
    answer = client.get(f"/api/v1/answers/{resolved['questions'][0]['published_answer_id']}").get_json()
    assert answer["verification"] is not None and answer["author"]["role"] == "staff"
    assert client.get("/api/v1/incidents?status=active").get_json()["items"] == []
    assert [i["id"] for i in client.get("/api/v1/incidents?status=resolved").get_json()["items"]] == [iid]
    assert client.post(f"/api/v1/incidents/{iid}/affected", headers=member).status_code == 409
    inbox = client.get("/api/v1/notifications", headers=member).get_json()["items"]
    assert [n["kind"] for n in inbox] == ["incident_resolved"] and inbox[0]["url"].endswith(f"/incidents/{iid}")
    assert "微信支付付款失败" in inbox[0]["text"]
    assert client.post(f"/api/v1/incidents/{iid}/publish", json={}, headers=staff).get_json() == {"answers": []}


def test_incident_api_permissions_and_bad_input(client, create_user, token_for, create_question):
    member = token_for(create_user(reputation=99_999))
    staff = token_for(create_user(role="staff"))
    assert client.post("/api/v1/incidents", json=BODY).status_code == 401
    assert client.post("/api/v1/incidents", json=BODY, headers=member).status_code == 403
    assert client.post("/api/v1/incidents", json=BODY, headers=token_for(create_user(role="moderator"))).status_code == 403
    iid = client.post("/api/v1/incidents", json=BODY, headers=staff).get_json()["id"]
    assert client.patch(f"/api/v1/incidents/{iid}", json={"status": "identified", "message": "x"},
                        headers=member).status_code == 403
    assert client.post(f"/api/v1/incidents/{iid}/links", json={"question_id": 1}, headers=member).status_code == 403
    assert client.delete(f"/api/v1/incidents/{iid}/links/1", headers=member).status_code == 403
    assert client.post(f"/api/v1/incidents/{iid}/affected").status_code == 401
    for url in ("/api/v1/incidents/999999", "/api/v1/incidents/999999/affected"):
        assert client.get(url.replace("/affected", "")).status_code == 404
    assert client.patch("/api/v1/incidents/999999", json={"status": "identified", "message": "x"},
                        headers=staff).status_code == 404
    assert client.post("/api/v1/incidents/999999/affected", headers=member).status_code == 404
    assert client.post("/api/v1/incidents/999999/links", json={"question_id": 1}, headers=staff).status_code == 404
    assert client.post(f"/api/v1/incidents/{iid}/links", json={"question_id": 999_999}, headers=staff).status_code == 404
    for body, field in [({**BODY, "title": ""}, "title"), ({**BODY, "category": "nope"}, "category"),
                        ({**BODY, "keywords": []}, "keywords"), ({**BODY, "keywords": "微信支付"}, "keywords"),
                        ({**BODY, "keywords": [1]}, "keywords"), ({**BODY, "status": "resolved"}, "status"),
                        ({**BODY, "status": "broken"}, "status"), ({**BODY, "title": 5}, "title")]:
        response = client.post("/api/v1/incidents", json=body, headers=staff)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["error"]["fields"], (body, response.get_json())
    short = {"status": "resolved", "publish": True, "message": "好了"}  # too short to post as an answer
    client.post(f"/api/v1/incidents/{iid}/links", json={"question_id": _question(create_question).id}, headers=staff)
    for body, field in [({"status": "identified"}, "message"), (short, "message"), ({"status": "gone", "message": "x"}, "status"),
                        ({"publish": True, "message": "x"}, "publish"), ({}, "message"), ({"publish": "yes"}, "publish")]:
        response = client.patch(f"/api/v1/incidents/{iid}", json=body, headers=staff)
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["error"]["fields"]
    assert client.post(f"/api/v1/incidents/{iid}/links", json={"question_id": "x"}, headers=staff).status_code == 422
    assert client.post(f"/api/v1/incidents/{iid}/links", json={}, headers=staff).status_code == 422
    assert client.post("/api/v1/incidents", data="{", headers={**staff, "Content-Type": "application/json"}).status_code == 400
    assert client.get("/api/v1/incidents?status=weird").status_code == 422
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("/incidents", "/incidents/{incident_id}", "/incidents/{incident_id}/links",
                 "/incidents/{incident_id}/links/{question_id}", "/incidents/{incident_id}/affected",
                 "/incidents/{incident_id}/publish"):
        assert path in document["paths"], path
    assert "incidents" in document["components"]["schemas"]["SimilarOut"]["properties"]
    assert "incidents" in document["components"]["schemas"]["QuestionOut"]["properties"]


def test_similar_api_lists_active_incidents_the_title_names(client, create_user, token_for):
    staff = token_for(create_user(role="staff"))
    iid = client.post("/api/v1/incidents", json=BODY, headers=staff).get_json()["id"]
    data = client.get("/api/v1/search/similar?title=微信支付付款失败了怎么办").get_json()
    assert [i["id"] for i in data["incidents"]] == [iid] and data["incidents"][0]["status"] == "investigating"
    assert client.get("/api/v1/search/similar?title=My WeChat Pay is not working").get_json()["incidents"][0]["id"] == iid
    assert client.get("/api/v1/search/similar?title=怎么修改收货地址").get_json()["incidents"] == []
    client.patch(f"/api/v1/incidents/{iid}", json={"status": "resolved", "message": "已修复。"}, headers=staff)
    assert client.get("/api/v1/search/similar?title=微信支付付款失败了怎么办").get_json()["incidents"] == []


def test_pages_forms_and_banners(client, create_user, create_question, login):
    staff = create_user("客服阿珍", role="staff")
    member = create_user(locale="en")
    matching = _question(create_question)
    other = create_question(title="怎么修改收货地址", body="下单以后想改收货地址，在哪里改？", category="orders")
    assert "微信支付付款失败" not in client.get("/").get_data(as_text=True)  # cached for visitors now
    assert client.get("/incidents").status_code == 200

    login(member)
    assert client.get("/incidents/new").status_code == 403
    login(staff)
    page = client.get("/incidents/new")
    assert page.status_code == 200 and 'name="keywords"' in page.get_data(as_text=True)
    bad = client.post("/incidents/new", data={"title": "", "category": "payments", "keywords": "", "status": "investigating"})
    assert bad.status_code == 422 and "field-errors" in bad.get_data(as_text=True)
    response = client.post("/incidents/new", data={"title": "微信支付付款失败", "category": "payments",
                                                   "keywords": "微信支付\nwechat pay", "status": "investigating",
                                                   "body": "我们正在排查。"})
    assert response.status_code == 302
    iid = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert db.session.scalar(sa.select(IncidentLink.question_id).where(IncidentLink.incident_id == iid)) == matching.id
    client.post(f"/incidents/{iid}/links", data={"question_id": str(other.id)})
    client.post(f"/incidents/{iid}/update", data={"status": "identified", "message": "原因已找到。",
                                                  "keywords": "微信支付\nwechat pay"})
    show = client.get(f"/incidents/{iid}").get_data(as_text=True)
    assert "原因已找到。" in show and "我们正在排查。" in show and other.title in show
    client.post(f"/incidents/{iid}/links/{other.id}/delete", data={})
    assert other.title not in client.get(f"/incidents/{iid}").get_data(as_text=True)
    client.post("/logout")

    # Banners, for visitors (the page cache was emptied by the incident's writes).
    for path in ("/", "/support", f"/questions/{matching.id}"):
        html = client.get(path).get_data(as_text=True)
        assert "incident-banner" in html and f"/incidents/{iid}" in html, path
    assert "incident-banner" not in client.get(f"/questions/{other.id}").get_data(as_text=True)
    assert 'class="incident-banner similar-incidents" hidden' in login(member).get("/ask").get_data(as_text=True)

    # I'm affected too, and undo.
    client.post(f"/incidents/{iid}/affected", data={})
    assert "incident-affected-undo" in client.get(f"/incidents/{iid}").get_data(as_text=True)
    client.post(f"/incidents/{iid}/affected", data={"affected": "0"})
    assert "incident-affected-undo" not in client.get(f"/incidents/{iid}").get_data(as_text=True)

    # Resolved: the thread's banner says so; the home page has none.
    login(staff)
    client.post(f"/incidents/{iid}/update", data={"status": "resolved", "publish": "y", "message": "已修复：微信支付恢复正常，失败的订单可以重新付款。",
                                                  "keywords": "微信支付\nwechat pay"})
    assert "失败的订单可以重新付款" in client.get(f"/questions/{matching.id}").get_data(as_text=True)  # published
    dashboard = client.get("/staff/dashboard").get_data(as_text=True)
    assert "incident-dashboard" in dashboard and f"/incidents/{iid}" in dashboard
    client.post("/logout")
    assert "incident-banner-resolved" in client.get(f"/questions/{matching.id}").get_data(as_text=True)
    assert "incident-banner" not in client.get("/").get_data(as_text=True)
    assert client.get("/incidents/999999").status_code == 404


def test_linked_count_is_the_same_in_the_list_and_the_incident(client, create_user, create_question, token_for):
    """A deleted thread is counted nowhere: not in the incident's threads, not in the list's count."""
    from forum.core.db import unit_of_work
    from forum.questions import services as questions

    staff = token_for(create_user(role="staff"))
    kept, gone = _question(create_question), _question(create_question, title="微信支付付款提示失败怎么回事")
    iid = client.post("/api/v1/incidents", json=BODY, headers=staff).get_json()["id"]
    with unit_of_work():
        questions.delete_question(gone.author, gone.id)
    detail = client.get(f"/api/v1/incidents/{iid}").get_json()
    [listed] = client.get("/api/v1/incidents").get_json()["items"]
    assert [q["id"] for q in detail["questions"]] == [kept.id]
    assert listed["linked_count"] == detail["linked_count"] == 1
