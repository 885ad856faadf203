"""\"Me too\" escalation (issue 20 part 2): any signed-in member escalates a thread into a ticket of
their own; staff see them side by side and answer many at once, each privately."""
from __future__ import annotations

import pytest

from forum.core.db import unit_of_work
from forum.tickets import services
from forum.tickets.models import Status, TicketMessage

ORDER_A, ORDER_B = "TP2026110811111", "TP2026110822222"


@pytest.fixture
def thread(create_user, create_question):
    asker = create_user("小周")
    staff = create_user("客服小林", role="staff")
    q = create_question(asker, title="钱已经扣了订单却显示待支付怎么办", category="payments")
    return asker, staff, q


def _escalate(client, headers, q, order, **extra):
    return client.post(f"/api/v1/questions/{q.id}/escalations", headers=headers, json={
        "category": "payments", "description": "我也被扣款了，订单还是待支付，请帮忙核实。", "order_number": order,
        **extra})


def test_a_non_asker_escalates_and_a_second_open_one_is_409_naming_the_first(client, thread, create_user,
                                                                              token_for):
    asker, _staff, q = thread
    member = create_user("小王")
    response = _escalate(client, token_for(member), q, ORDER_A)
    assert response.status_code == 201, response.get_json()
    ticket = response.get_json()
    assert ticket["source_question_id"] == q.id and ticket["question_id"] == q.id and ticket["me_too"] is True
    assert ticket["requester"]["username"] == "小王" and ticket["order_number"] == ORDER_A  # private, to its owner
    again = _escalate(client, token_for(member), q, ORDER_A)
    assert again.status_code == 409
    assert ticket["number"] in again.get_json()["error"]["message"]
    # The asker's own path keeps working, and is not "me too".
    mine = _escalate(client, token_for(asker), q, ORDER_B)
    assert mine.status_code == 201 and mine.get_json()["me_too"] is False
    assert mine.get_json()["source_question_id"] == q.id
    # The other requester cannot see the ticket; anonymous cannot escalate.
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=token_for(asker)).status_code == 404
    assert _escalate(client, {}, q, ORDER_A).status_code == 401
    assert client.post("/api/v1/questions/999999/escalations", headers=token_for(member),
                       json={"category": "payments", "description": "没有这个问题的工单"}).status_code == 404


def test_the_thread_offers_me_too_to_others_and_keeps_their_ticket_off_the_page(client, thread, create_user, login,
                                                                                token_for):
    asker, _staff, q = thread
    member = create_user("小王")
    login(member)
    page = client.get(f"/questions/{q.id}").get_data(as_text=True)
    assert "我也遇到了，联系客服" in page or "I have this problem too: contact support" in page
    assert f"/questions/{q.id}/escalate" in page
    english = client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "I have this problem too: contact support" in english
    response = client.post(f"/questions/{q.id}/escalate", data={
        "category": "payments", "description": "我也被扣款了，订单还是待支付，请帮忙核实。", "order_number": ORDER_A})
    assert response.status_code == 302 and "/tickets/" in response.headers["Location"]
    client.post("/logout")
    public = client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Escalated to official support" not in public  # the asker has not escalated; 小王's ticket is private
    assert ORDER_A not in public
    login(asker)
    own = client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Escalate to official support" in own and "I have this problem too" not in own


def test_staff_answer_two_tickets_at_once_each_privately(client, thread, create_user, token_for):
    _asker, staff, q = thread
    one, two = create_user("小王"), create_user("小李")
    first = _escalate(client, token_for(one), q, ORDER_A).get_json()
    second = _escalate(client, token_for(two), q, ORDER_B).get_json()
    listed = client.get(f"/api/v1/questions/{q.id}/escalations", headers=token_for(staff)).get_json()
    assert listed["members"] == 2 and [t["id"] for t in listed["tickets"]] == [first["id"], second["id"]]
    assert client.get(f"/api/v1/questions/{q.id}/escalations", headers=token_for(one)).status_code == 403
    body = "我们已核实支付网关的延迟，款项会在两小时内自动入账，请耐心等待。"
    response = client.post(f"/api/v1/questions/{q.id}/escalations/reply", headers=token_for(staff),
                           json={"ticket_ids": [first["id"], second["id"]], "body": body})
    assert response.status_code == 201, response.get_json()
    replies = response.get_json()["replies"]
    assert sorted(r["ticket_id"] for r in replies) == sorted([first["id"], second["id"]])
    assert len({r["message"]["id"] for r in replies}) == 2  # a separate message on each ticket
    assert all(not r["message"]["internal"] for r in replies)
    for member, mine, other in ((one, first, second), (two, second, first)):
        seen = client.get(f"/api/v1/tickets/{mine['id']}", headers=token_for(member)).get_json()
        assert [m["body"] for m in seen["messages"]] == [body]
        assert seen["status"] == "open" and seen["first_responded_at"] is not None
        assert client.get(f"/api/v1/tickets/{other['id']}", headers=token_for(member)).status_code == 404
        text = str(seen)
        assert other["order_number"] not in text and other["requester"]["username"] not in text
    assert TicketMessage.query.count() == 2
    # a member cannot answer all; a ticket of another thread is refused and nothing is sent
    assert client.post(f"/api/v1/questions/{q.id}/escalations/reply", headers=token_for(one),
                       json={"ticket_ids": [first["id"]], "body": body}).status_code == 403


def test_answer_all_refuses_tickets_of_other_threads_and_closed_ones(client, thread, create_user, create_ticket,
                                                                     token_for):
    asker, staff, q = thread
    elsewhere = create_ticket()
    mine = create_ticket(q, asker)
    bad = client.post(f"/api/v1/questions/{q.id}/escalations/reply", headers=token_for(staff),
                      json={"ticket_ids": [mine.id, elsewhere.id], "body": "统一回复：问题已经解决了。"})
    assert bad.status_code == 422 and "ticket_ids" in bad.get_json()["error"]["fields"]
    assert TicketMessage.query.count() == 0
    for junk in ([], ["x"], [True], "1", [0]):
        response = client.post(f"/api/v1/questions/{q.id}/escalations/reply", headers=token_for(staff),
                               json={"ticket_ids": junk, "body": "统一回复：问题已经解决了。"})
        assert response.status_code == 422, junk
    with unit_of_work():
        services.close_ticket(asker, mine.id)
    closed = client.post(f"/api/v1/questions/{q.id}/escalations/reply", headers=token_for(staff),
                         json={"ticket_ids": [mine.id], "body": "统一回复：问题已经解决了。"})
    assert closed.status_code == 422 and mine.number in str(closed.get_json())
    assert client.post("/api/v1/questions/999999/escalations/reply", headers=token_for(staff),
                       json={"ticket_ids": [mine.id], "body": "统一回复：问题已经解决了。"}).status_code == 404


def test_the_desk_counts_and_the_side_by_side_page_answers_all(client, thread, create_user, create_ticket, login):
    _asker, staff, q = thread
    one, two = create_user("小王"), create_user("小李")
    a = create_ticket(q, one, order_number=ORDER_A)
    b = create_ticket(q, two, order_number=ORDER_B)
    login(staff)
    desk = client.get("/staff/tickets", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2 members escalated this thread" in desk
    ticket_page = client.get(f"/tickets/{a.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2 members escalated this thread." in ticket_page and "Open them side by side" in ticket_page
    page = client.get(f"/staff/questions/{q.id}/escalations", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert a.number in html and b.number in html and ORDER_A in html and ORDER_B in html
    response = client.post(f"/staff/questions/{q.id}/escalations/reply",
                           data={"ticket_id": [str(a.id), str(b.id)], "body": "统一回复：款项两小时内自动入账。"})
    assert response.status_code == 302
    assert {m.ticket_id for m in TicketMessage.query.all()} == {a.id, b.id}
    for t in (a, b):
        assert services.get_ticket(staff, t.id).status is Status.OPEN
    login(one)
    assert client.get(f"/staff/questions/{q.id}/escalations").status_code == 403
