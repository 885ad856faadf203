import pytest

from forum.tickets import services

PRIVATE_ORDER = "TP2026110899999"
PRIVATE_PHONE = "139-0000-1111"


@pytest.fixture
def setup(create_user, create_question):
    asker = create_user("小周")
    staff = create_user("客服小林", role="staff")
    q = create_question(asker, title="钱已经扣了订单却显示待支付怎么办", category="payments")
    return asker, staff, q


@pytest.mark.search_index
def test_escalation_page_shows_hours_and_solved_threads(client, setup, login, create_question, create_answer,
                                                         create_user):
    from forum.verification import services as verification

    asker, staff, q = setup
    solved = create_question(title="扣款成功但订单没有变化，后来怎么解决的", category="payments", tags=["订单"])
    verification.verify_answer(staff, create_answer(solved).id)
    login(asker)
    page = client.get(f"/questions/{q.id}/escalate", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "These solved the same problem for others" in page and solved.title in page
    assert ("Support is open now" in page) or ("Support opens" in page)
    assert "You will hear from us by" in page
    assert q.body in page  # prefilled from the thread
    login(create_user())  # another member with the same problem: the "me too" form, not the thread's text
    page = client.get(f"/questions/{q.id}/escalate", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You have the same problem as the thread" in page and q.body not in page


def test_escalate_through_the_form_and_the_public_mark(client, setup, login):
    asker, staff, q = setup
    login(asker)
    response = client.post(f"/questions/{q.id}/escalate", data={
        "category": "payments", "description": "扣款成功但订单显示未支付，请帮忙核实。", "order_number": PRIVATE_ORDER,
        "contact_channel": "phone", "contact": PRIVATE_PHONE})
    assert response.status_code == 302 and "/tickets/" in response.headers["Location"]
    # The ticket page names the category in the reader's language, not by its stored value.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "支付与退款" in page and ">payments<" not in page
    again = client.post(f"/questions/{q.id}/escalate", data={"category": "payments", "description": "再提交一次看看会怎样"})
    assert again.status_code == 302  # to the existing ticket
    client.post("/logout")
    thread = client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Escalated to official support" in thread and "First reply expected by" in thread
    assert PRIVATE_ORDER not in thread and PRIVATE_PHONE not in thread
    bad = client.post(f"/questions/{q.id}/escalate", data={"category": "payments", "description": ""})
    assert bad.status_code == 302 and "/login" in bad.headers["Location"]


def test_ticket_pages_are_private(client, setup, login, create_user, create_ticket):
    asker, staff, q = setup
    ticket = create_ticket(q, order_number=PRIVATE_ORDER)
    services.add_message(staff, ticket.id, "内部备注：疑似网关延迟", internal=True)
    login(create_user(reputation=50_000))
    assert client.get(f"/tickets/{ticket.id}").status_code == 404
    assert client.get("/staff/tickets").status_code == 403
    login(asker)
    page = client.get(f"/tickets/{ticket.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert PRIVATE_ORDER in page and "疑似网关延迟" not in page and "Internal note" not in page
    assert ticket.number in client.get("/tickets").get_data(as_text=True)
    login(staff)
    page = client.get(f"/tickets/{ticket.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "疑似网关延迟" in page and "Internal note: staff only" in page and "Publish to thread" in page
    desk = client.get("/staff/tickets?tier=1&category=payments&due=bogus", headers={"Accept-Language": "en"})
    assert desk.status_code == 200 and ticket.number in desk.get_data(as_text=True)
    assert client.get("/staff/dashboard").status_code == 200


def test_support_page(client):
    page = client.get("/support", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Official support" in page and ("Support is open now" in page or "Support opens" in page)


def test_ticket_api(client, setup, create_user, token_for):
    asker, staff, q = setup
    mine, theirs = token_for(asker), token_for(staff)
    body = {"category": "payments", "description": "扣款成功但订单显示未支付，请帮忙核实。", "order_number": PRIVATE_ORDER}
    response = client.post(f"/api/v1/questions/{q.id}/escalations", json=body, headers=mine)
    assert response.status_code == 201
    ticket = response.get_json()
    assert ticket["number"].startswith("TP-") and ticket["status"] == "new" and ticket["tier"] == 1
    assert "+08:00" in ticket["first_response_due"] and ticket["order_number"] == PRIVATE_ORDER
    conflict = client.post(f"/api/v1/questions/{q.id}/escalations", json=body, headers=mine)
    assert conflict.status_code == 409 and ticket["number"] in conflict.get_json()["error"]["message"]
    assert client.post(f"/api/v1/questions/{q.id}/escalations", json={**body, "category": "x"},
                       headers=mine).status_code == 422
    tid = ticket["id"]
    assert client.get(f"/api/v1/tickets/{tid}", headers=token_for(create_user())).status_code == 404
    assert client.post(f"/api/v1/tickets/{tid}/messages", json={"body": "内部", "internal": True},
                       headers=mine).status_code == 403
    assert client.patch(f"/api/v1/tickets/{tid}", json={"status": "solved"}, headers=mine).status_code == 403
    assert client.post(f"/api/v1/tickets/{tid}/messages", json={"body": "网关延迟，二线已介入", "internal": True},
                       headers=theirs).status_code == 201
    assert client.post(f"/api/v1/tickets/{tid}/messages", json={"body": "您好，正在核实"}, headers=theirs).status_code == 201
    seen = client.get(f"/api/v1/tickets/{tid}", headers=mine).get_json()
    assert [m["body"] for m in seen["messages"]] == ["您好，正在核实"] and seen["first_responded_at"]
    response = client.patch(f"/api/v1/tickets/{tid}", json={"tier": 2}, headers=theirs)
    assert response.status_code == 422 and "reason" in response.get_json()["error"]["fields"]
    response = client.patch(f"/api/v1/tickets/{tid}", json={"tier": 2, "reason": "支付网关问题", "assignee": "客服小林"},
                            headers=theirs)
    assert response.status_code == 200 and response.get_json()["tier"] == 2
    assert any(h["kind"] == "tier" and h["reason"] == "支付网关问题" for h in response.get_json()["history"])
    assert client.get("/api/v1/tickets", headers=theirs).get_json()["total"] == 1
    assert client.get("/api/v1/tickets?tier=2", headers=theirs).get_json()["total"] == 1
    assert client.get("/api/v1/tickets?tier=9", headers=theirs).status_code == 422
    assert client.get("/api/v1/tickets", headers=token_for(create_user())).get_json()["total"] == 0
    published = client.post(f"/api/v1/tickets/{tid}/publish", json={"body": "网关延迟导致订单未同步，已补单并原路退款。"},
                            headers=theirs)
    assert published.status_code == 201 and published.get_json()["verification"]["stale"] is False
    assert client.post(f"/api/v1/tickets/{tid}/publish", json={"body": f"订单 {PRIVATE_ORDER} 已处理"},
                       headers=theirs).status_code == 422
    assert client.patch(f"/api/v1/tickets/{tid}", json={"status": "solved"}, headers=theirs).status_code == 200
    assert client.post(f"/api/v1/tickets/{tid}/rating", json={"rating": 9}, headers=mine).status_code == 422
    assert client.post(f"/api/v1/tickets/{tid}/rating", json={"rating": 5, "comment": "很快"}, headers=mine).status_code == 200
    assert client.post(f"/api/v1/tickets/{tid}/rating", json={"rating": 4}, headers=mine).status_code == 409
    assert client.post(f"/api/v1/tickets/{tid}/reopen", headers=mine).get_json()["status"] == "open"
    assert client.get("/api/v1/tickets/99999", headers=theirs).status_code == 404


def test_dashboard_charts(client, setup, login, create_ticket):
    asker, staff, q = setup
    ticket = create_ticket(q)
    services.add_message(staff, ticket.id, "您好，已收到。")
    services.update_ticket(staff, ticket.id, status="solved")
    services.rate_ticket(asker, ticket.id, rating=4)
    login(staff)
    page = client.get("/staff/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.count("<svg") >= 5 and "100%" in page and "4.0 / 5" in page


def test_requesters_never_see_staff_reasons_or_assignee(client, setup, login, token_for, create_ticket):
    asker, staff, q = setup
    ticket = create_ticket(q)
    services.update_ticket(staff, ticket.id, tier=3, reason="customer threatens lawsuit", assignee="客服小林")
    login(asker)
    assert "lawsuit" not in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    data = client.get(f"/api/v1/tickets/{ticket.id}", headers=token_for(asker)).get_json()
    assert data["assignee"] is None and all(h["reason"] == "" for h in data["history"])
    staff_view = client.get(f"/api/v1/tickets/{ticket.id}", headers=token_for(staff)).get_json()
    assert staff_view["assignee"] == "客服小林"
    client.post("/logout")
    thread = client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Tier 3" not in thread and ticket.number not in thread


@pytest.mark.parametrize("url, data", [
    ("/tickets/{id}/update", {"tier": "²", "status": "open", "priority": "normal"}),
    ("/tickets/{id}/rate", {"rating": "²"}),
    ("/tickets/{id}/merge", {"target": "TP-2026-²"}),
    ("/notifications/read", {"id": "²"}),
    ("/follow", {"question_id": "²"}),
])
def test_unicode_digits_are_not_numbers(client, setup, login, url, data, create_ticket):
    asker, staff, q = setup
    ticket = create_ticket(q)
    login(staff)
    assert client.post(url.format(id=ticket.id), data=data).status_code < 500
    assert client.get("/staff/tickets?tier=²").status_code == 200
    assert client.get("/staff/tickets?tier=99999999999999999999").status_code == 200
