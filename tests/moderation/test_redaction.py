"""Redacting revisions (issue 14, finding 9): an author takes an order number, an address and a phone
number out of a post, and the edit history still showed them to anyone. Moderators and staff now
replace the text of such a revision in the database, with a logged, public reason; the author is told.
Services, the JSON API and the history pages."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from forum.extensions import db
from forum.moderation import services
from forum.moderation.models import ModAction, ModerationLogEntry
from forum.notifications import services as notifications
from forum.notifications.models import Notification, OutgoingEmail
from forum.questions import services as posts
from forum.questions.models import Answer, Question, Revision

API = "/api/v1"
ORDER = "202611251234567"
ADDRESS = "北京市朝阳区建国路88号5号楼1203室"
PHONE = "021-64301234"  # a landline: the guard lets it through
SECRETS = (ORDER, ADDRESS, PHONE, "64301234", "1203")
TITLE = f"订单 {ORDER} 一直没有发货"
BODY = f"下单一周了还没发货，订单号 {ORDER}，收货地址 {ADDRESS}，电话 {PHONE}，请帮忙看看。"
CLEAN_TITLE = "订单一直没有发货怎么办"
CLEAN_BODY = "下单一周了还没发货，订单号和地址已经发给官方客服了，请帮忙看看。"
REASON = "含有订单号、地址和电话"


def revision_rows(**where) -> str:
    """Every column of the revision rows, as the database holds them."""
    column, value = next(iter(where.items()))
    rows = db.session.execute(sa.text(f"SELECT * FROM revisions WHERE {column} = :v"), {"v": value}).all()
    assert rows
    return repr([tuple(row) for row in rows])


@pytest.fixture
def thread(create_user):
    """A question whose first revision showed private details, edited out by its author (revision 2),
    and an answer that did the same."""
    author = create_user("li_author", reputation=50)
    question = posts.ask_question(author, title=TITLE, body=BODY, tags=["发货"], category="orders")
    posts.edit_question(author, question.id, title=CLEAN_TITLE, body=CLEAN_BODY, summary="删掉了个人信息")
    answerer = create_user("wang_answers", reputation=50)
    answer = posts.post_answer(answerer, question.id, body=f"我也是，我的订单 {ORDER} 寄到 {ADDRESS} 也没到。")
    posts.edit_answer(answerer, answer.id, body="我也遇到了，等了三天才发货，耐心等等吧。")
    return {"author": author, "question": question, "answerer": answerer, "answer": answer}


# --- services --------------------------------------------------------------------------------------

def test_the_revision_text_is_replaced_in_the_database(thread, moderator):
    question = thread["question"]
    assert ORDER in revision_rows(question_id=question.id)  # what the history kept before
    revision = services.redact_revision(moderator, "question", question.id, 1, reason=REASON)
    assert revision.number == 1 and revision.is_redacted
    rows = revision_rows(question_id=question.id)
    for secret in SECRETS:
        assert secret not in rows
    db.session.expire_all()
    first = db.session.scalar(sa.select(Revision).where(Revision.question_id == question.id, Revision.number == 1))
    assert (first.title, first.body, first.tags, first.summary) == ("[redacted]", "[redacted]", "", "")
    assert first.redaction_reason == REASON and first.redacted_by_id == moderator.id and first.redacted_at
    assert first.category == "orders"  # not member text: kept
    # The current revision and the live post are untouched.
    second = db.session.scalar(sa.select(Revision).where(Revision.question_id == question.id, Revision.number == 2))
    assert (second.title, second.body) == (CLEAN_TITLE, CLEAN_BODY)
    live = db.session.get(Question, question.id)
    assert (live.title, live.body) == (CLEAN_TITLE, CLEAN_BODY)


def test_redaction_is_logged_with_its_reason(thread, moderator):
    question = thread["question"]
    services.redact_revision(moderator, "question", question.id, 1, reason=REASON)
    entry = db.session.scalar(sa.select(ModerationLogEntry).where(ModerationLogEntry.action == ModAction.REDACT))
    assert entry.actor_id == moderator.id and entry.question_id == question.id
    assert entry.user_id == thread["author"].id and REASON in entry.reason and "1" in entry.reason
    assert [e.action for e in services.action_log(moderator).items] == [ModAction.REDACT]


def test_the_author_and_the_editor_are_told(thread, moderator, create_user):
    answer = thread["answer"]
    editor = create_user("big_editor", reputation=5000)
    posts.edit_answer(editor, answer.id, body=f"补充：寄到 {ADDRESS} 的订单都延迟了，耐心等等吧。")
    posts.edit_answer(thread["answerer"], answer.id, body="补充：这一批订单都延迟了，大家耐心等等吧。")
    services.redact_revision(moderator, "answer", answer.id, 3, reason=REASON)
    told = db.session.scalars(sa.select(Notification).where(Notification.kind == "revision_redacted")).all()
    assert {n.user_id for n in told} == {thread["answerer"].id, editor.id}
    note = notifications.inbox(thread["answerer"]).items[0]
    assert note["kind"] == "revision_redacted" and REASON in note["text"]
    assert note["url"] == f"/answers/{answer.id}/revisions#revision-3"
    assert all(secret not in note["text"] for secret in SECRETS)


def test_the_new_kind_can_be_muted_like_the_others(thread, moderator):
    from forum.notifications.kinds import Kind

    author = thread["author"]
    assert Kind.REVISION_REDACTED.title
    answerer = thread["answerer"]

    def emails(user) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingEmail)
                                 .where(OutgoingEmail.user_id == user.id))

    notifications.update_settings(author, email_mode="instant", muted_kinds=["revision_redacted"])
    before = emails(author), emails(answerer)
    services.redact_revision(moderator, "question", thread["question"].id, 1, reason=REASON)
    services.redact_revision(moderator, "answer", thread["answer"].id, 1, reason=REASON)
    assert [n["kind"] for n in notifications.inbox(author).items].count("revision_redacted") == 1  # in the inbox
    assert emails(author) == before[0]  # but no e-mail
    assert emails(answerer) == before[1] + 1  # who did not mute it gets one


@pytest.mark.parametrize("role", ["moderator", "staff", "admin"])
def test_moderators_staff_and_admins_redact(thread, create_user, role):
    actor = create_user(role=role)
    services.redact_revision(actor, "answer", thread["answer"].id, 1, reason=REASON)
    assert ORDER not in revision_rows(answer_id=thread["answer"].id)


def test_members_and_suspended_moderators_cannot(thread, create_user, moderator):
    from datetime import timedelta

    from forum.core.db import utcnow

    question_id = thread["question"].id
    for actor in (None, thread["author"], create_user(reputation=100_000)):
        with pytest.raises(PermissionDenied):
            services.redact_revision(actor, "question", question_id, 1, reason=REASON)
    moderator.suspended_until = utcnow() + timedelta(days=1)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.redact_revision(moderator, "question", question_id, 1, reason=REASON)
    assert ORDER in revision_rows(question_id=question_id)


def test_unknown_posts_and_revisions(thread, moderator):
    question_id, answer_id = thread["question"].id, thread["answer"].id
    for kind, post_id, number in [("question", 999_999, 1), ("question", question_id, 99), ("question", question_id, 0),
                                  ("answer", 999_999, 1), ("answer", answer_id, 3), ("comment", question_id, 1),
                                  ("question", "x", 1), ("question", question_id, "1; drop")]:
        with pytest.raises(NotFound):
            services.redact_revision(moderator, kind, post_id, number, reason=REASON)
    posts.delete_question(moderator, question_id)
    with pytest.raises(NotFound):
        services.redact_revision(moderator, "question", question_id, 1, reason=REASON)


@pytest.mark.parametrize("reason", [None, "", "   ", 5, "x" * 301, f"订单号 {ORDER}", "电话 13812345678",
                                    "地址 阳光小区3栋2单元501室", "bad\x07reason"])
def test_the_reason_is_required_and_public(thread, moderator, reason):
    with pytest.raises(ValidationFailed) as caught:
        services.redact_revision(moderator, "question", thread["question"].id, 1, reason=reason)
    assert "reason" in caught.value.fields
    assert ORDER in revision_rows(question_id=thread["question"].id)


def test_the_current_revision_is_refused_so_the_page_never_keeps_the_details(create_user, moderator):
    author = create_user(reputation=50)
    question = posts.ask_question(author, title=TITLE, body=BODY, tags=["发货"], category="orders")
    with pytest.raises(Conflict) as caught:
        services.redact_revision(moderator, "question", question.id, 1, reason=REASON)
    assert caught.value.code == "current_revision"
    assert "edit the post" in caught.value.message.lower() or "编辑" in caught.value.message
    # Nothing half-done: the revision, the post and the log are as they were.
    assert ORDER in revision_rows(question_id=question.id)
    assert db.session.get(Question, question.id).body == BODY
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationLogEntry)) == 0
    # The way out the message names: edit, then redact the revision that keeps the details.
    posts.edit_question(moderator, question.id, title=CLEAN_TITLE, body=CLEAN_BODY)
    services.redact_revision(moderator, "question", question.id, 1, reason=REASON)
    assert ORDER not in revision_rows(question_id=question.id)
    assert ORDER not in db.session.get(Question, question.id).body


def test_a_revision_is_redacted_once(thread, moderator, create_user):
    services.redact_revision(moderator, "question", thread["question"].id, 1, reason=REASON)
    with pytest.raises(Conflict) as caught:
        services.redact_revision(create_user(role="staff"), "question", thread["question"].id, 1, reason="再来一次")
    assert caught.value.code == "already_redacted"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationLogEntry)) == 1


def test_summaries_and_answers_are_redacted_too(thread, moderator):
    answer = thread["answer"]
    posts.edit_answer(thread["answerer"], answer.id, body="补充一下：我等了整整三天才发货，耐心等等。",
                      summary="原来寄到阳光小区3栋2单元501室")
    posts.edit_answer(thread["answerer"], answer.id, body="补充一下：等了三天才发货，大家耐心等等。")
    services.redact_revision(moderator, "answer", answer.id, 3, reason=REASON)
    row = db.session.scalar(sa.select(Revision).where(Revision.answer_id == answer.id, Revision.number == 3))
    assert (row.body, row.summary, row.title, row.tags) == ("[redacted]", "", None, None)
    assert "阳光小区" not in repr(db.session.execute(sa.text("SELECT summary, body FROM revisions WHERE answer_id = :a "
                                                         "AND number = 3"), {"a": answer.id}).all())
    assert db.session.get(Answer, answer.id).body == "补充一下：等了三天才发货，大家耐心等等。"


# --- the API ---------------------------------------------------------------------------------------

@pytest.mark.search_index
def test_api_redacts_and_the_public_history_no_longer_shows_the_details(client, thread, moderator, token_for):
    question_id = thread["question"].id
    before = client.get(f"{API}/questions/{question_id}/revisions").get_data(as_text=True)
    assert ORDER in before and PHONE in before  # the finding: anonymous readers saw them
    response = client.post(f"{API}/questions/{question_id}/revisions/1/redact", json={"reason": REASON},
                           headers=token_for(moderator))
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["number"] == 1 and data["body"] == "[redacted]" and data["title"] == "[redacted]"
    assert data["tags"] == [] and data["summary"] == "" and data["redacted"]["reason"] == REASON
    assert "by" not in data["redacted"]  # the moderator is not named publicly
    after = client.get(f"{API}/questions/{question_id}/revisions").get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in after
    items = client.get(f"{API}/questions/{question_id}/revisions").get_json()["items"]
    assert [i["redacted"] is not None for i in items] == [True, False]
    assert items[1]["body"] == CLEAN_BODY
    # Nothing else shows them either: the thread, the search.
    assert ORDER not in client.get(f"{API}/questions/{question_id}").get_data(as_text=True)
    assert client.get(f"{API}/search", query_string={"q": ORDER}).get_json()["items"] == []


def test_api_answers_route(client, thread, create_user, token_for):
    answer_id = thread["answer"].id
    response = client.post(f"{API}/answers/{answer_id}/revisions/1/redact", json={"reason": REASON},
                           headers=token_for(create_user(role="staff")))
    assert response.status_code == 200 and response.get_json()["body"] == "[redacted]"
    history = client.get(f"{API}/answers/{answer_id}/revisions").get_data(as_text=True)
    assert ORDER not in history and "建国路" not in history


def test_api_permissions_unknowns_and_bad_reasons(client, thread, moderator, token_for, create_user):
    question_id, answer_id = thread["question"].id, thread["answer"].id
    mod = token_for(moderator)
    url = f"{API}/questions/{question_id}/revisions/1/redact"
    assert client.post(url, json={"reason": REASON}).status_code == 401
    member = token_for(create_user(reputation=100_000))
    response = client.post(url, json={"reason": REASON}, headers=member)
    assert response.status_code == 403 and response.get_json()["error"]["message"]
    author = token_for(thread["author"])
    assert client.post(url, json={"reason": REASON}, headers=author).status_code == 403
    for missing in (f"{API}/questions/999999/revisions/1/redact", f"{API}/questions/{question_id}/revisions/9/redact",
                    f"{API}/answers/999999/revisions/1/redact", f"{API}/answers/{answer_id}/revisions/3/redact"):
        assert client.post(missing, json={"reason": REASON}, headers=mod).status_code == 404, missing
    for body in ({}, {"reason": ""}, {"reason": "  "}, {"reason": None}, {"reason": 3}, {"reason": f"订单 {ORDER}"}):
        response = client.post(url, json=body, headers=mod)
        assert response.status_code == 422, body
        assert "reason" in response.get_json()["error"]["fields"]
        assert ORDER not in response.get_data(as_text=True)
    assert client.post(url, data="reason=x", headers={**mod, "Content-Type": "text/plain"}).status_code == 415
    assert ORDER in client.get(f"{API}/questions/{question_id}/revisions").get_data(as_text=True)  # nothing done


def test_api_refuses_the_current_revision_with_409(client, thread, moderator, token_for):
    question_id = thread["question"].id
    response = client.post(f"{API}/questions/{question_id}/revisions/2/redact", json={"reason": REASON},
                           headers=token_for(moderator))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "current_revision"
    assert client.get(f"{API}/questions/{question_id}").get_json()["body"] == CLEAN_BODY
    response = client.post(f"{API}/questions/{question_id}/revisions/1/redact", json={"reason": REASON},
                           headers=token_for(moderator))
    assert response.status_code == 200
    again = client.post(f"{API}/questions/{question_id}/revisions/1/redact", json={"reason": REASON},
                        headers=token_for(moderator))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_redacted"


def test_openapi_documents_redaction(client):
    doc = client.get(f"{API}/openapi.json").get_json()
    for kind in ("questions", "answers"):
        operation = doc["paths"][f"/{kind}/{{post_id}}/revisions/{{number}}/redact"]["post"]
        assert set(operation["responses"]) >= {"200", "401", "403", "404", "409", "422"}
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert doc["components"]["schemas"][body]["required"] == ["reason"]
    revision = doc["components"]["schemas"]["RevisionOut"]["properties"]
    assert "redacted" in revision


# --- the pages -------------------------------------------------------------------------------------

def test_history_page_offers_moderators_a_form_per_earlier_revision(client, thread, moderator, login, create_user):
    question_id = thread["question"].id
    page = client.get(f"/questions/{question_id}/revisions").get_data(as_text=True)
    assert ORDER in page and "redact-form" not in page  # anonymous readers: the finding, and no form
    login(create_user(reputation=100_000))
    assert "redact-form" not in client.get(f"/questions/{question_id}/revisions").get_data(as_text=True)
    login(moderator)
    page = client.get(f"/questions/{question_id}/revisions").get_data(as_text=True)
    assert page.count('class="redact-form"') == 1  # revision 1; revision 2 is the current text
    assert f'action="/questions/{question_id}/revisions/1/redact"' in page
    assert 'name="csrf_token"' in page and 'name="reason"' in page and "redact-hint" in page


def test_moderator_redacts_on_the_page(client, thread, moderator, login):
    question_id = thread["question"].id
    login(moderator)
    response = client.post(f"/questions/{question_id}/revisions/1/redact", data={"reason": REASON})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/questions/{question_id}/revisions#revision-1")
    page = client.get(f"/questions/{question_id}/revisions").get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in page
    assert "redaction-notice" in page and REASON in page
    assert "Redacted by a moderator" in page or "版主" in page
    # The diff of revision 2 stays coherent: against the placeholder, not against the lost text.
    assert "[redacted by a moderator]" in page or "已被版主" in page
    assert CLEAN_BODY in page
    client.post("/logout")
    public = client.get(f"/questions/{question_id}/revisions").get_data(as_text=True)
    assert ORDER not in public and REASON in public


def test_page_redaction_of_an_answer_and_the_refusals(client, thread, moderator, login, create_user):
    answer_id = thread["answer"].id
    login(create_user(reputation=100_000))
    assert client.post(f"/answers/{answer_id}/revisions/1/redact", data={"reason": REASON}).status_code == 403
    login(moderator)
    response = client.post(f"/answers/{answer_id}/revisions/1/redact", data={"reason": " "})
    assert response.status_code == 302  # back, with the error
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash-error" in page and ORDER in page
    response = client.post(f"/answers/{answer_id}/revisions/2/redact", data={"reason": REASON})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash-error" in page  # the current revision: edit first
    assert client.post(f"/answers/{answer_id}/revisions/9/redact", data={"reason": REASON}).status_code == 404
    assert client.post(f"/answers/{answer_id}/revisions/1/redact", data={"reason": REASON}).status_code == 302
    page = client.get(f"/answers/{answer_id}/revisions").get_data(as_text=True)
    assert ORDER not in page and "建国路" not in page and "redaction-notice" in page


def test_the_moderation_log_page_lists_the_redaction(client, thread, moderator, login):
    services.redact_revision(moderator, "question", thread["question"].id, 1, reason=REASON)
    login(moderator)
    page = client.get("/review/log").get_data(as_text=True)
    assert REASON in page
