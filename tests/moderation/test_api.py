"""Moderation through the JSON API with bearer tokens: the privacy and scam guards as integrators
meet them, watched words, flags, the review queue, close/reopen, lock, undelete, suspensions, the
log, the API-wide rate limit and the OpenAPI document."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.db import utcnow
from forum.extensions import db
from forum.questions.models import Question, Revision, Tag
from tests.conftest import IsolatedClient, make_app, wipe
from tests.moderation.private_data import luhn_check_digit, resident_id

# --- test data ---------------------------------------------------------------------------------------

CARD = "622848001234567" + luhn_check_digit("622848001234567")
MOBILE = "13912345678"
RESIDENT_ID = resident_id("44030519851212456")
EMAIL = "li.si@example.org"

QUESTION = {"title": "我的订单无法修改收货地址", "category": "orders", "tags": ["订单"],
            "body": "下单以后想修改收货地址，页面一直提示无法修改，请问怎么办？"}
ANSWER = "在“我的订单”里找到这个订单，点“修改地址”，发货前都可以改。"
SCAM = "这个问题我能处理，加我微信 kefu8888 详细聊，马上帮你退款。"
SCAM_OFFICIAL = "我是平台官方客服，你的订单异常需要处理，请按我说的操作。"
API = "/api/v1"


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def error_of(response) -> dict:
    return response.get_json()["error"]


@pytest.fixture
def mod_h(moderator, token_for):
    return token_for(moderator)


def ask(client, headers, **changes):
    return client.post(f"{API}/questions", json={**QUESTION, **changes}, headers=headers)


def answer_ids(client, question_id, headers=None) -> list[int]:
    response = client.get(f"{API}/questions/{question_id}", headers=headers or {})
    assert response.status_code == 200
    return [a["id"] for a in response.get_json()["answers"]]


def search_ids(client, q: str) -> set[tuple]:
    response = client.get(f"{API}/search", query_string={"q": q})
    assert response.status_code == 200
    return {(h["type"], h["question_id"], h.get("answer_id")) for h in response.get_json()["items"]}


def review_items(client, headers, **params) -> list[dict]:
    response = client.get(f"{API}/review", query_string=params, headers=headers)
    assert response.status_code == 200
    return response.get_json()["items"]


# --- the privacy guard ------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, field, text", [
    (CARD, "body", f"扣款失败，卡号 {CARD}，请帮忙看看。"),
    (MOBILE, "body", f"手机号 {MOBILE} 一直收不到验证短信。"),
    (RESIDENT_ID, "body", f"实名认证填的身份证 {RESIDENT_ID} 提示错误。"),
    (EMAIL, "body", f"客服说会发邮件到 {EMAIL}，可是一直没收到。"),
    ("Abc998877", "body", "我的支付密码: Abc998877 是不是被盗了？"),
    ("246810", "body", "短信验证码 246810 输进去提示过期，怎么办？"),
    (MOBILE, "title", f"手机号 {MOBILE} 收不到验证码"),
])
@pytest.mark.search_index
def test_private_data_is_refused_and_never_echoed(client, create_user, token_for, raw, field, text):
    headers = token_for(create_user())
    response = ask(client, headers, **{field: text if field == "title" else QUESTION["body"] + text})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "private_data" and field in error["fields"] and error["message"]
    assert error["findings"] and all(f["field"] == field and f["masked"] and f["label"] for f in error["findings"])
    assert raw not in response.get_data(as_text=True)
    # Nothing saved, nothing listed.
    assert count(Question) == count(Revision) == count(Tag) == 0
    assert client.get(f"{API}/questions").get_json()["total"] == 0
    # Sent again with "remove": posted, with the data cut out.
    response = ask(client, headers, private_data="remove",
                   **{field: text if field == "title" else QUESTION["body"] + text})
    assert response.status_code == 201, response.get_json()
    posted = response.get_json()
    assert raw not in response.get_data(as_text=True)
    assert "[removed]" in posted[field] or "[已移除]" in posted[field]
    assert posted["held"] is False
    assert raw not in client.get(f"{API}/questions/{posted['id']}").get_data(as_text=True)
    assert search_ids(client, raw) == set()


def test_masked_findings_in_the_error(client, create_user, token_for):
    response = ask(client, token_for(create_user()), body=f"{QUESTION['body']} 卡号 {CARD}，手机 {MOBILE}")
    findings = error_of(response)["findings"]
    assert [(f["kind"], f["masked"]) for f in findings] == [("card", f"{CARD[:4]} **** **** {CARD[-4:]}"),
                                                          ("mobile", "139****5678")]


def test_english_readers_get_the_english_placeholder(client, create_user, token_for):
    headers = {**token_for(create_user()), "Accept-Language": "en"}
    response = ask(client, headers, body=f"{QUESTION['body']} 卡号 {CARD}", private_data="remove")
    assert response.status_code == 201 and "[removed]" in response.get_json()["body"]


def test_answers_comments_and_edits_refuse_private_data(client, create_user, token_for, create_question,
                                                        create_answer):
    author = create_user()
    headers = token_for(author)
    q = create_question(author)
    a = create_answer(q)
    calls = [
        ("post", f"{API}/questions/{q.id}/answers", {"body": f"{ANSWER} 我的手机 {MOBILE}"}, headers),
        ("post", f"{API}/questions/{q.id}/comments", {"body": f"卡号 {CARD}"}, headers),
        ("post", f"{API}/answers/{a.id}/comments", {"body": f"身份证 {RESIDENT_ID}"}, headers),
        ("patch", f"{API}/questions/{q.id}", {"body": f"{QUESTION['body']} 邮箱 {EMAIL}"}, headers),
        ("patch", f"{API}/answers/{a.id}", {"body": f"{ANSWER} 验证码 135790"}, token_for(a.author)),
    ]
    for method, url, data, h in calls:
        response = getattr(client, method)(url, json=data, headers=h)
        assert response.status_code == 422 and error_of(response)["code"] == "private_data", url
        for raw in (MOBILE, CARD, RESIDENT_ID, EMAIL, "135790"):
            assert raw not in response.get_data(as_text=True)
    detail = client.get(f"{API}/questions/{q.id}").get_json()
    assert detail["comments"] == [] and [x["id"] for x in detail["answers"]] == [a.id]
    assert detail["body"] == q.body and detail["answers"][0]["body"] == a.body
    assert client.get(f"{API}/questions/{q.id}/revisions").get_json()["total"] == 1
    response = client.post(f"{API}/questions/{q.id}/comments", json={"body": f"卡号 {CARD}", "private_data": "remove"},
                           headers=headers)
    assert response.status_code == 201 and CARD not in response.get_json()["body"]
    response = client.post(f"{API}/questions/{q.id}/comments", json={"body": "卡号 1", "private_data": "keep"},
                           headers=headers)
    assert response.status_code == 422


def test_staff_may_post_an_email_address(client, create_user, token_for, create_question):
    q = create_question()
    response = client.post(f"{API}/questions/{q.id}/answers", headers=token_for(create_user(role="staff")),
                           json={"body": f"请把截图发到官方邮箱 {EMAIL}，我们会尽快处理。"})
    assert response.status_code == 201 and EMAIL in response.get_json()["body"]
    response = client.post(f"{API}/questions/{q.id}/answers", headers=token_for(create_user()),
                           json={"body": f"请把截图发到这个邮箱 {EMAIL}，我会帮你转交。"})
    assert response.status_code == 422


# --- the scam guard ---------------------------------------------------------------------------------


@pytest.mark.search_index
def test_held_answer_is_seen_by_its_author_and_moderators_only(client, create_user, token_for, create_question,
                                                                moderator, mod_h):
    asker = create_user()
    asker_h = token_for(asker)
    q = create_question(asker)
    scammer = create_user()
    scammer_h = token_for(scammer)
    response = client.post(f"{API}/questions/{q.id}/answers", json={"body": SCAM}, headers=scammer_h)
    assert response.status_code == 201
    held = response.get_json()
    assert held["held"] is True and held["held_reason"] == "scam"
    assert answer_ids(client, q.id) == [] and answer_ids(client, q.id, asker_h) == []
    assert answer_ids(client, q.id, scammer_h) == [held["id"]]
    assert answer_ids(client, q.id, mod_h) == [held["id"]]
    assert client.get(f"{API}/questions/{q.id}").get_json()["answer_count"] == 0
    assert client.get(f"{API}/users/{scammer.username}").get_json().get("answer_count", 0) == 0
    assert client.get(f"{API}/notifications", headers=asker_h).get_json()["total"] == 0
    assert search_ids(client, "kefu8888") == set()
    # Nobody else can touch it.
    assert client.post(f"{API}/answers/{held['id']}/flags", json={"kind": "scam"},
                       headers=token_for(create_user())).status_code == 404
    assert client.put(f"{API}/answers/{held['id']}/vote", json={"value": 1}, headers=asker_h).status_code == 404
    assert client.post(f"{API}/answers/{held['id']}/comments", json={"body": "这是骗子吧"},
                       headers=asker_h).status_code == 404

    [item] = review_items(client, mod_h, reason="held")
    assert item["post_type"] == "answer" and item["post_id"] == held["id"] and item["held"] is True
    assert item["question_id"] == q.id and item["detail"] and item["author"]["username"] == scammer.username
    response = client.post(f"{API}/review/{item['id']}", json={"action": "approve"}, headers=mod_h)
    assert response.status_code == 200 and response.get_json()["status"] == "approved"
    assert response.get_json()["held"] is False
    assert answer_ids(client, q.id) == [held["id"]]
    assert client.get(f"{API}/questions/{q.id}").get_json()["answer_count"] == 1
    inbox = client.get(f"{API}/notifications", headers=asker_h).get_json()
    assert [n["kind"] for n in inbox["items"]] == ["new_answer"]
    assert ("answer", q.id, held["id"]) in search_ids(client, "kefu8888")
    assert client.post(f"{API}/review/{item['id']}", json={"action": "approve"}, headers=mod_h).status_code == 409


@pytest.mark.search_index
def test_held_question_is_404_for_others(client, create_user, token_for, mod_h):
    author_h = token_for(create_user())
    response = ask(client, author_h, title="退款问题可以找我处理", body=SCAM_OFFICIAL, tags=["退款"])
    assert response.status_code == 201
    q = response.get_json()
    assert q["held"] is True and q["held_reason"] == "scam"
    assert client.get(f"{API}/questions/{q['id']}").status_code == 404
    assert client.get(f"{API}/questions/{q['id']}", headers=token_for(create_user())).status_code == 404
    assert client.get(f"{API}/questions/{q['id']}/revisions").status_code == 404
    assert client.get(f"{API}/questions/{q['id']}", headers=author_h).status_code == 200
    assert client.get(f"{API}/questions/{q['id']}", headers=mod_h).get_json()["held"] is True
    assert client.get(f"{API}/questions").get_json()["total"] == 0
    assert client.get(f"{API}/questions", query_string={"tag": "退款"}).get_json()["total"] == 0
    assert search_ids(client, "退款") == set()
    [item] = review_items(client, mod_h)
    assert client.post(f"{API}/review/{item['id']}", json={"action": "approve"}, headers=mod_h).status_code == 200
    assert client.get(f"{API}/questions/{q['id']}").status_code == 200
    assert [x["id"] for x in client.get(f"{API}/questions").get_json()["items"]] == [q["id"]]
    assert ("question", q["id"], None) in search_ids(client, "退款")


def test_staff_are_not_held(client, create_user, token_for, create_question):
    q = create_question()
    response = client.post(f"{API}/questions/{q.id}/answers", json={"body": SCAM_OFFICIAL},
                           headers=token_for(create_user(role="staff")))
    assert response.status_code == 201 and response.get_json()["held"] is False
    assert answer_ids(client, q.id) == [response.get_json()["id"]]


# --- watched words ----------------------------------------------------------------------------------


def test_watched_words_api(client, create_user, token_for, create_question, mod_h):
    member_h = token_for(create_user())
    assert client.get(f"{API}/watched-words").status_code == 401
    assert client.get(f"{API}/watched-words", headers=member_h).status_code == 403
    assert client.post(f"{API}/watched-words", json={"pattern": "代刷", "action": "block"},
                       headers=member_h).status_code == 403
    created = {}
    for pattern, action, is_regex in (("赌博网站", "block", False), (r"刷\s*单", "hold", True), ("笨蛋", "censor", False)):
        response = client.post(f"{API}/watched-words", json={"pattern": pattern, "action": action, "is_regex": is_regex},
                               headers=mod_h)
        assert response.status_code == 201
        word = response.get_json()
        assert word["pattern"] == pattern and word["action"] == action and word["is_regex"] is is_regex
        created[action] = word["id"]
    assert client.post(f"{API}/watched-words", json={"pattern": "赌博网站", "action": "censor"},
                       headers=mod_h).status_code == 409
    for bad in ({"pattern": "(a+)+", "action": "block", "is_regex": True},
                {"pattern": "([a-z]+)*$", "action": "hold", "is_regex": True},
                {"pattern": "[", "action": "block", "is_regex": True},
                {"pattern": "广告", "action": "ban"},
                {"pattern": 3, "action": "block"},
                {"action": "block"}):
        assert client.post(f"{API}/watched-words", json=bad, headers=mod_h).status_code == 422, bad
    listing = client.get(f"{API}/watched-words", headers=mod_h).get_json()
    assert listing["total"] == 3 and {w["id"] for w in listing["items"]} == set(created.values())

    q = create_question()
    writer_h = token_for(create_user())
    response = client.post(f"{API}/questions/{q.id}/answers", json={"body": "推荐一个赌博网站，包你回本，比什么都快。"},
                           headers=writer_h)
    assert response.status_code == 422 and "赌博网站" in str(error_of(response)["fields"])
    response = client.post(f"{API}/questions/{q.id}/answers", json={"body": "想赚钱可以来刷单，每天结算，靠谱的兼职。"},
                           headers=writer_h)
    assert response.status_code == 201 and response.get_json()["held"] is True
    assert response.get_json()["held_reason"] == "watched"
    assert [i["reason"] for i in review_items(client, mod_h, reason="held")] == ["held"]
    response = client.post(f"{API}/questions/{q.id}/comments", json={"body": "你这个笨蛋，看清楚再回答"},
                           headers=writer_h)
    assert response.status_code == 201
    assert "笨蛋" not in response.get_json()["body"] and "■" in response.get_json()["body"]

    assert client.delete(f"{API}/watched-words/{created['block']}", headers=member_h).status_code == 403
    assert client.delete(f"{API}/watched-words/{created['block']}", headers=mod_h).status_code == 204
    assert client.delete(f"{API}/watched-words/{created['block']}", headers=mod_h).status_code == 404
    response = client.post(f"{API}/questions/{q.id}/answers", json={"body": "推荐一个赌博网站，包你回本，比什么都快。"},
                           headers=token_for(create_user()))
    assert response.status_code == 201


# --- flags ------------------------------------------------------------------------------------------


def test_flag_statuses(client, create_user, token_for, create_question, create_answer, mod_h):
    author = create_user()
    q = create_question(author)
    a = create_answer(q)
    comment = client.post(f"{API}/questions/{q.id}/comments", json={"body": "我也遇到了同样的问题"},
                          headers=token_for(author)).get_json()
    flagger_h = token_for(create_user())
    for kind, post_id in (("questions", q.id), ("answers", a.id), ("comments", comment["id"])):
        response = client.post(f"{API}/{kind}/{post_id}/flags", json={"kind": "rude", "note": "说话难听"},
                               headers=flagger_h)
        assert response.status_code == 201, response.get_json()
        flag = response.get_json()
        assert flag["kind"] == "rude" and flag["status"] == "pending" and flag["id"]
        assert flag[f"{kind[:-1]}_id"] == post_id
        response = client.post(f"{API}/{kind}/{post_id}/flags", json={"kind": "spam"}, headers=flagger_h)
        assert response.status_code == 409
    response = client.post(f"{API}/questions/{q.id}/flags", json={"kind": "spam"}, headers=token_for(author))
    assert response.status_code == 403 and error_of(response)["code"] == "own_post"
    other_h = token_for(create_user())
    response = client.post(f"{API}/questions/{q.id}/flags", json={"kind": "needs_moderator"}, headers=other_h)
    assert response.status_code == 422 and "note" in error_of(response)["fields"]
    response = client.post(f"{API}/questions/{q.id}/flags", json={"kind": "boring"}, headers=other_h)
    assert response.status_code == 422 and "kind" in error_of(response)["fields"]
    assert client.post(f"{API}/questions/{q.id}/flags", json={}, headers=other_h).status_code == 422
    assert client.post(f"{API}/questions/{q.id}/flags", json={"kind": "spam", "note": 5},
                       headers=other_h).status_code == 422
    assert client.post(f"{API}/questions/{q.id}/flags", json={"kind": "spam"}).status_code == 401
    assert client.post(f"{API}/questions/999999/flags", json={"kind": "spam"}, headers=other_h).status_code == 404
    response = client.post(f"{API}/questions/{q.id}/flags", headers=other_h,
                           json={"kind": "needs_moderator", "note": "截图里露出了别人的订单号和地址"})
    assert response.status_code == 201
    # A comment on an answer is reviewed in its thread.
    on_answer = client.post(f"{API}/answers/{a.id}/comments", json={"body": "谢谢你的回答"},
                            headers=token_for(author)).get_json()
    assert client.post(f"{API}/comments/{on_answer['id']}/flags", json={"kind": "off_topic"},
                       headers=flagger_h).status_code == 201
    items = review_items(client, mod_h, reason="flagged")
    assert {(i["post_type"], i["post_id"]) for i in items} == {("question", q.id), ("answer", a.id),
                                                              ("comment", comment["id"]), ("comment", on_answer["id"])}
    assert {i["question_id"] for i in items} == {q.id}
    entry = next(i for i in items if i["post_type"] == "question")
    assert sorted(f["kind"] for f in entry["flags"]) == ["needs_moderator", "rude"]


def test_three_spam_flags_hide_an_answer(client, create_user, token_for, create_question, create_answer, mod_h):
    q = create_question()
    spam = create_answer(q, body="便宜代购，全场一折，点我的主页看看，保证正品。")
    keep = create_answer(q)
    for i in range(3):
        assert set(answer_ids(client, q.id)) == {spam.id, keep.id}
        response = client.post(f"{API}/answers/{spam.id}/flags", json={"kind": "spam" if i != 1 else "scam"},
                               headers=token_for(create_user()))
        assert response.status_code == 201
    assert answer_ids(client, q.id) == [keep.id]
    assert client.get(f"{API}/questions/{q.id}").get_json()["answer_count"] == 1
    assert set(answer_ids(client, q.id, token_for(spam.author))) == {spam.id, keep.id}
    [item] = review_items(client, mod_h, reason="held")
    assert item["post_id"] == spam.id and len(item["flags"]) == 3
    log = client.get(f"{API}/moderation/log", headers=mod_h).get_json()
    assert [(e["action"], e["answer_id"]) for e in log["items"]] == [("hide", spam.id)]
    response = client.post(f"{API}/review/{item['id']}", json={"action": "delete", "reason": "广告"}, headers=mod_h)
    assert response.status_code == 200 and response.get_json()["status"] == "removed"
    assert answer_ids(client, q.id, mod_h) == [keep.id]
    assert {f["status"] for f in response.get_json()["flags"]} == {"helpful"}


def test_a_moderators_spam_flag_hides_at_once(client, create_user, token_for, create_question, mod_h):
    q = create_question()
    response = client.post(f"{API}/questions/{q.id}/flags", json={"kind": "spam"}, headers=mod_h)
    assert response.status_code == 201
    assert client.get(f"{API}/questions/{q.id}").status_code == 404
    assert client.get(f"{API}/questions").get_json()["total"] == 0


# --- the review queue -------------------------------------------------------------------------------


def test_review_queue_api(client, create_user, token_for, create_question, mod_h):
    newcomer = create_user()
    response = ask(client, token_for(newcomer))
    first = response.get_json()
    assert first["held"] is False  # public at once, reviewed after the fact
    member_h = token_for(create_user(reputation=50_000))
    assert client.get(f"{API}/review").status_code == 401
    assert client.get(f"{API}/review", headers=member_h).status_code == 403
    [item] = review_items(client, mod_h)
    assert item["reason"] == "first_post" and item["post_id"] == first["id"] and item["status"] == "pending"
    assert review_items(client, mod_h, reason="flagged") == []
    assert client.get(f"{API}/review", query_string={"reason": "nonsense"}, headers=mod_h).status_code == 422
    assert client.post(f"{API}/review/{item['id']}", json={"action": "approve"}, headers=member_h).status_code == 403
    assert client.post(f"{API}/review/{item['id']}", json={"action": "ban"}, headers=mod_h).status_code == 422
    assert client.post(f"{API}/review/{item['id']}", json={}, headers=mod_h).status_code == 422
    assert client.post(f"{API}/review/999999", json={"action": "approve"}, headers=mod_h).status_code == 404
    response = client.post(f"{API}/review/{item['id']}", json={"action": "approve", "reason": "正常提问"},
                           headers=mod_h)
    assert response.status_code == 200 and response.get_json()["status"] == "approved"
    assert review_items(client, mod_h) == []
    assert client.post(f"{API}/review/{item['id']}", json={"action": "delete"}, headers=mod_h).status_code == 409
    assert client.get(f"{API}/questions/{first['id']}").status_code == 200
    # The second post of the same member is not queued.
    assert ask(client, token_for(newcomer), title="第二个问题：退款多久到账").status_code == 201
    assert review_items(client, mod_h) == []


# --- close, reopen, lock ----------------------------------------------------------------------------


@pytest.mark.search_index
def test_close_and_reopen_api(client, create_user, token_for, create_question, mod_h):
    original = create_question(title="修改收货地址的正确方法是什么")
    q = create_question(title="收货地址填错了，要怎么改")
    member_h = token_for(create_user(reputation=50_000))
    url = f"{API}/questions/{q.id}/close"
    assert client.post(url, json={"reason": "off_topic"}).status_code == 401
    assert client.post(url, json={"reason": "off_topic"}, headers=member_h).status_code == 403
    assert client.post(url, json={"reason": "bored"}, headers=mod_h).status_code == 422
    for bad in (None, "不知道", q.id, 999_999, f"/questions/{q.id}"):
        response = client.post(url, json={"reason": "duplicate", "duplicate_of": bad}, headers=mod_h)
        assert response.status_code == 422 and "duplicate_of" in error_of(response)["fields"], bad

    response = client.post(url, json={"reason": "duplicate", "duplicate_of": f"http://localhost/questions/{original.id}",
                                      "note": "同一个问题"}, headers=mod_h)
    assert response.status_code == 200
    closed = response.get_json()
    assert closed["status"] == "closed" and closed["closed_reason"] == "duplicate"
    assert closed["duplicate_of"] == original.id
    assert client.post(url, json={"reason": "off_topic"}, headers=mod_h).status_code == 409
    response = client.post(f"{API}/questions/{q.id}/answers", json={"body": ANSWER}, headers=token_for(create_user()))
    assert response.status_code == 403 and error_of(response)["code"] == "closed"
    hits = search_ids(client, "is:open 地址")
    assert ("question", q.id, None) not in hits and ("question", original.id, None) in hits

    reopen = f"{API}/questions/{q.id}/reopen"
    assert client.post(reopen, json={}, headers=member_h).status_code == 403
    response = client.post(reopen, json={"note": "不是同一个问题"}, headers=mod_h)
    assert response.status_code == 200 and response.get_json()["status"] == "open"
    assert response.get_json()["duplicate_of"] is None and response.get_json()["closed_reason"] is None
    assert client.post(reopen, json={}, headers=mod_h).status_code == 409
    assert client.post(f"{API}/questions/{q.id}/answers", json={"body": ANSWER},
                       headers=token_for(create_user())).status_code == 201
    assert ("question", q.id, None) in search_ids(client, "is:open 地址")
    assert client.post(f"{API}/questions/999999/close", json={"reason": "off_topic"}, headers=mod_h).status_code == 404


def test_lock_api(client, create_user, token_for, create_question, create_answer, moderator, mod_h):
    asker = create_user()
    q = create_question(asker)
    a = create_answer(q)
    member_h = token_for(create_user())
    url = f"{API}/questions/{q.id}/lock"
    assert client.put(url, json={}, headers=member_h).status_code == 403
    response = client.put(url, json={"note": "争吵太多"}, headers=mod_h)
    assert response.status_code == 200 and response.get_json()["locked"] is True
    assert client.put(url, json={}, headers=mod_h).status_code == 409
    refused = [
        client.post(f"{API}/questions/{q.id}/answers", json={"body": ANSWER}, headers=member_h),
        client.post(f"{API}/questions/{q.id}/comments", json={"body": "我也遇到了同样的问题"}, headers=member_h),
        client.post(f"{API}/answers/{a.id}/comments", json={"body": "谢谢你的回答"}, headers=token_for(asker)),
        client.put(f"{API}/answers/{a.id}/vote", json={"value": 1}, headers=member_h),
        client.put(f"{API}/questions/{q.id}/vote", json={"value": 1}, headers=member_h),
        client.patch(f"{API}/questions/{q.id}", json={"title": "我的订单无法修改收货地址（补充）"}, headers=token_for(asker)),
        client.patch(f"{API}/answers/{a.id}", json={"body": ANSWER + "补充一下细节。"}, headers=token_for(a.author)),
    ]
    for response in refused:
        assert response.status_code == 403 and error_of(response)["code"] == "locked", response.get_json()
    detail = client.get(f"{API}/questions/{q.id}").get_json()
    assert detail["answer_count"] == 1 and detail["comments"] == [] and detail["score"] == 0
    assert detail["title"] == q.title
    # Moderators still can.
    assert client.post(f"{API}/questions/{q.id}/comments", json={"body": "本帖已锁定，请勿争吵。"},
                       headers=mod_h).status_code == 201
    assert client.patch(f"{API}/questions/{q.id}", json={"title": "我的订单无法修改收货地址（已锁定）"},
                        headers=mod_h).status_code == 200
    assert client.post(f"{API}/questions/{q.id}/answers", json={"body": "版主回复：发货前可以在订单页面修改地址。"},
                       headers=mod_h).status_code == 201
    assert client.delete(url, headers=member_h).status_code == 403
    response = client.delete(url, headers=mod_h)
    assert response.status_code == 200 and response.get_json()["locked"] is False
    assert client.delete(url, headers=mod_h).status_code == 409
    assert client.put(f"{API}/answers/{a.id}/vote", json={"value": 1}, headers=member_h).status_code == 200


# --- undelete ---------------------------------------------------------------------------------------


def reputation(client, user) -> int:
    return client.get(f"{API}/users/{user.username}").get_json()["reputation"]


@pytest.mark.search_index
def test_undelete_answer_api(client, create_user, token_for, create_question, mod_h):
    q = create_question(title="退款一直没有到账怎么办", body="退货已经签收一周了，退款还没有到账，请问去哪里查？")
    author = create_user()
    a = client.post(f"{API}/questions/{q.id}/answers", headers=token_for(author),
                    json={"body": "退款原路返回银行卡，一般三到七个工作日，可以向银行查询退款编号。"}).get_json()
    assert client.put(f"{API}/answers/{a['id']}/vote", json={"value": 1},
                      headers=token_for(create_user())).status_code == 200
    before = reputation(client, author)
    assert before == 11
    assert ("answer", q.id, a["id"]) in search_ids(client, "退款编号")

    assert client.delete(f"{API}/answers/{a['id']}", headers=mod_h).status_code == 204
    assert reputation(client, author) == 1
    assert answer_ids(client, q.id) == [] and client.get(f"{API}/questions/{q.id}").get_json()["answer_count"] == 0
    assert ("answer", q.id, a["id"]) not in search_ids(client, "退款编号")

    url = f"{API}/answers/{a['id']}/undelete"
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={}, headers=token_for(author)).status_code == 403
    assert client.post(url, json={"note": "误删"}, headers=mod_h).status_code == 204
    assert reputation(client, author) == before
    assert answer_ids(client, q.id) == [a["id"]]
    assert client.get(f"{API}/questions/{q.id}").get_json()["answer_count"] == 1
    assert ("answer", q.id, a["id"]) in search_ids(client, "退款编号")
    assert client.post(url, json={}, headers=mod_h).status_code == 409
    assert client.post(f"{API}/answers/999999/undelete", json={}, headers=mod_h).status_code == 404


@pytest.mark.search_index
def test_undelete_question_api(client, create_user, token_for, create_question, mod_h):
    asker = create_user()
    q = create_question(asker, title="退款一直没有到账怎么办", body="退货已经签收一周了，退款还没有到账，请问去哪里查？",
                        tags=("退款",))
    assert client.put(f"{API}/questions/{q.id}/vote", json={"value": 1},
                      headers=token_for(create_user())).status_code == 200
    before = reputation(client, asker)
    assert before == 6
    assert client.delete(f"{API}/questions/{q.id}", headers=mod_h).status_code == 204
    assert client.get(f"{API}/questions/{q.id}").status_code == 404
    assert reputation(client, asker) == 1 and search_ids(client, "退款") == set()
    assert client.post(f"{API}/questions/{q.id}/undelete", json={}, headers=token_for(asker)).status_code == 403
    assert client.post(f"{API}/questions/{q.id}/undelete", json={}, headers=mod_h).status_code == 204
    assert client.get(f"{API}/questions/{q.id}").status_code == 200
    assert reputation(client, asker) == before
    assert client.get(f"{API}/questions", query_string={"tag": "退款"}).get_json()["total"] == 1
    assert ("question", q.id, None) in search_ids(client, "退款")
    assert db.session.scalar(sa.select(Tag.question_count).where(Tag.name == "退款")) == 1


# --- suspensions ------------------------------------------------------------------------------------


def test_suspension_api(client, create_user, token_for, create_question, create_answer, mod_h):
    member = create_user("suspect")
    member_h = token_for(member)
    own = create_question(member)
    q = create_question()
    a = create_answer(q)
    url = f"{API}/users/suspect/suspension"
    until = (utcnow() + timedelta(days=400)).date().isoformat()  # another year: the message names it
    assert client.put(url, json={"reason": "多次发广告", "until": until}).status_code == 401
    assert client.put(url, json={"reason": "多次发广告", "until": until},
                      headers=token_for(create_user())).status_code == 403
    for bad in ({"reason": "多次发广告", "until": "2020-01-01"}, {"reason": "多次发广告", "until": "明天"},
                {"reason": "多次发广告", "until": (utcnow() + timedelta(days=3651)).date().isoformat()},
                {"reason": "短", "until": until}, {"reason": "多次发广告"}):
        assert client.put(url, json=bad, headers=mod_h).status_code == 422, bad
    response = client.put(url, json={"reason": "多次发广告", "until": until}, headers=mod_h)
    assert response.status_code == 200
    data = response.get_json()
    assert data["username"] == "suspect" and data["reason"] == "多次发广告" and data["suspended_until"]

    refused = [
        ask(client, member_h),
        client.post(f"{API}/questions/{q.id}/answers", json={"body": ANSWER}, headers=member_h),
        client.post(f"{API}/questions/{q.id}/comments", json={"body": "我也遇到了同样的问题"}, headers=member_h),
        client.put(f"{API}/answers/{a.id}/vote", json={"value": 1}, headers=member_h),
        client.post(f"{API}/answers/{a.id}/flags", json={"kind": "spam"}, headers=member_h),
        client.patch(f"{API}/questions/{own.id}", json={"title": "我的订单无法修改收货地址（补充）"}, headers=member_h),
    ]
    for response in refused:
        assert response.status_code == 403, response.get_json()
        assert error_of(response)["code"] == "suspended" and "多次发广告" in error_of(response)["message"]
        assert until[:4] in error_of(response)["message"]
    # Reading and official support still work.
    assert client.get(f"{API}/questions/{q.id}", headers=member_h).status_code == 200
    assert client.get(f"{API}/me", headers=member_h).status_code == 200
    response = client.post(f"{API}/questions/{own.id}/escalations", headers=member_h,
                           json={"category": "orders", "description": "账号被限制了，订单还没处理完。"})
    assert response.status_code == 201
    ticket = response.get_json()
    assert client.post(f"{API}/tickets/{ticket['id']}/messages", json={"body": "补充一下订单情况。"},
                       headers=member_h).status_code == 201

    assert client.delete(url, headers=token_for(create_user())).status_code == 403
    assert client.delete(url, headers=mod_h).status_code == 204
    assert client.delete(url, headers=mod_h).status_code == 409
    assert client.post(f"{API}/questions/{q.id}/comments", json={"body": "我也遇到了同样的问题"},
                       headers=member_h).status_code == 201


def test_who_may_suspend_whom(client, create_user, token_for, moderator, mod_h):
    create_user("staffer", role="staff")
    create_user("peer_mod", role="moderator")
    admin_h = token_for(create_user("boss", role="admin"))
    body = {"reason": "账号疑似被盗用", "until": (utcnow() + timedelta(days=1)).isoformat()}
    assert client.put(f"{API}/users/staffer/suspension", json=body, headers=mod_h).status_code == 403
    assert client.put(f"{API}/users/peer_mod/suspension", json=body, headers=mod_h).status_code == 403
    assert client.put(f"{API}/users/{moderator.username}/suspension", json=body, headers=mod_h).status_code == 403
    assert client.put(f"{API}/users/boss/suspension", json=body, headers=admin_h).status_code == 403
    assert client.put(f"{API}/users/nobody-here/suspension", json=body, headers=mod_h).status_code == 404
    assert client.put(f"{API}/users/staffer/suspension", json=body, headers=admin_h).status_code == 200


# --- the log ----------------------------------------------------------------------------------------


def test_moderation_log_api(client, create_user, token_for, create_question, create_answer, moderator, mod_h):
    alice = create_user("alice")
    q = create_question(alice)
    a = create_answer(q, create_user("bob"))
    client.post(f"{API}/questions/{q.id}/close", json={"reason": "needs_details"}, headers=mod_h)
    client.put(f"{API}/questions/{q.id}/lock", json={}, headers=mod_h)
    client.delete(f"{API}/answers/{a.id}", headers=mod_h)
    client.post(f"{API}/answers/{a.id}/undelete", json={}, headers=mod_h)
    # Refused (more than ten years away): not an action, so not logged.
    client.put(f"{API}/users/bob/suspension", json={"reason": "多次发广告", "until": "2099-01-01"}, headers=mod_h)
    client.put(f"{API}/users/bob/suspension", headers=mod_h,
               json={"reason": "多次发广告", "until": (utcnow() + timedelta(days=30)).isoformat()})
    client.delete(f"{API}/users/bob/suspension", headers=mod_h)
    word = client.post(f"{API}/watched-words", json={"pattern": "广告", "action": "censor"}, headers=mod_h).get_json()
    client.delete(f"{API}/watched-words/{word['id']}", headers=mod_h)

    assert client.get(f"{API}/moderation/log").status_code == 401
    assert client.get(f"{API}/moderation/log", headers=token_for(alice)).status_code == 403
    log = client.get(f"{API}/moderation/log", headers=mod_h).get_json()
    assert [e["action"] for e in log["items"]] == ["unwatch_word", "watch_word", "unsuspend", "suspend", "undelete",
                                                   "delete", "lock", "close"]
    assert log["total"] == 8 and {e["actor"] for e in log["items"]} == {moderator.username}
    close = log["items"][-1]
    assert close["question_id"] == q.id and close["user"] == "alice" and close["created_at"]
    bob = client.get(f"{API}/moderation/log", query_string={"user": "bob"}, headers=mod_h).get_json()
    assert [e["action"] for e in bob["items"]] == ["unsuspend", "suspend", "undelete", "delete"]
    assert bob["items"][1]["reason"].endswith("多次发广告")
    assert bob["items"][3]["answer_id"] == a.id
    assert client.get(f"{API}/moderation/log", query_string={"user": "nobody-here"}, headers=mod_h).status_code == 404
    page = client.get(f"{API}/moderation/log", query_string={"per_page": 3, "page": 2}, headers=mod_h).get_json()
    assert [e["action"] for e in page["items"]] == ["suspend", "undelete", "delete"]


# --- the OpenAPI document ---------------------------------------------------------------------------


def test_openapi_lists_the_moderation_paths(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]

    def methods(path: str) -> set[str]:
        for key, ops in paths.items():
            if key.replace("/api/v1", "") == path:
                return set(ops)
        raise AssertionError(f"{path} is not in the document")

    for kind in ("questions", "answers", "comments"):
        assert methods(f"/{kind}/{{post_id}}/flags") == {"post"}
    assert methods("/review") == {"get"}
    assert methods("/review/{item_id}") == {"post"}
    assert methods("/questions/{question_id}/close") == {"post"}
    assert methods("/questions/{question_id}/reopen") == {"post"}
    assert methods("/questions/{question_id}/lock") == {"put", "delete"}
    assert methods("/questions/{post_id}/undelete") == {"post"}
    assert methods("/answers/{post_id}/undelete") == {"post"}
    assert methods("/users/{username}/suspension") == {"put", "delete"}
    assert methods("/watched-words") == {"get", "post"}
    assert methods("/watched-words/{word_id}") == {"delete"}
    assert methods("/moderation/log") == {"get"}
    flag = next(ops for key, ops in paths.items() if key.endswith("/answers/{post_id}/flags"))["post"]
    assert {"201", "401", "403", "409", "422"} <= set(flag["responses"])
    ask_body = next(ops for key, ops in paths.items() if key.endswith("/questions"))["post"]["requestBody"]
    assert ask_body


# --- the API-wide rate limit ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    app = make_app("sqlite", tmp_path_factory, FORUM_RATE_LIMITS=True, FORUM_API_RATE_LIMIT="4 per minute",
                   FORUM_NEW_MEMBER_REPUTATION=0)
    app.test_client_class = IsolatedClient
    yield app
    wipe(app)


def test_one_api_budget_per_token_across_every_route(limited):
    from forum.auth.models import Role
    from forum.auth.services import issue_token, register_user
    from forum.questions.services import ask_question

    with limited.app_context():
        user = register_user("budget_user", "budget@example.com", "long-password-1")
        other = register_user("budget_other", "other@example.com", "long-password-1")
        moderator = register_user("budget_mod", "mod@example.com", "long-password-1", role=Role.MODERATOR)
        q = ask_question(other, **QUESTION)
        headers = {"Authorization": f"Bearer {issue_token(user)}"}
        client = limited.test_client()
        codes = [client.get(f"{API}/questions", headers=headers).status_code,
                 client.get(f"{API}/questions/{q.id}", headers=headers).status_code,
                 client.get(f"{API}/me", headers=headers).status_code,
                 client.post(f"{API}/questions/{q.id}/flags", json={"kind": "off_topic"}, headers=headers).status_code]
        assert codes == [200, 200, 200, 201]
        response = client.get(f"{API}/me", headers=headers)
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) > 0
        assert response.get_json()["error"]["code"] and response.get_json()["error"]["message"]
        assert client.get(f"{API}/search", query_string={"q": "订单"}, headers=headers).status_code == 429
        # Another token has a budget of its own; moderators' routes share the same rule.
        mod_headers = {"Authorization": f"Bearer {issue_token(moderator)}"}
        assert [client.get(f"{API}/review", headers=mod_headers).status_code for _ in range(5)] == [200] * 4 + [429]


@pytest.mark.search_index
def test_a_post_hidden_after_a_search_leaves_the_search_results(client, create_user, token_for, create_question,
                                                                create_answer, mod_h):
    q = create_question()
    spam = create_answer(q, body="便宜代购，全场一折，加我主页的联系方式，保证正品。")
    assert ("answer", q.id, spam.id) in search_ids(client, "代购")  # a searcher is now open in this thread
    assert client.post(f"{API}/answers/{spam.id}/flags", json={"kind": "spam"}, headers=mod_h).status_code == 201
    assert answer_ids(client, q.id) == []
    assert ("answer", q.id, spam.id) not in search_ids(client, "代购")
