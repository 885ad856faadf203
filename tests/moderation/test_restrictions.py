"""Posting restrictions (issue 16, "Pacing fit for a support forum"): a moderator holds a member to one
question per FORUM_QUESTION_INTERVAL_MINUTES until a time, with a reason, on the account; set and lifted
on the profile and through the API, logged like a suspension."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.auth.models import User
from forum.core.db import utcnow
from forum.extensions import db
from forum.moderation.models import ModAction, ModerationLogEntry

API = "/api/v1"
QUESTION = {"body": "我的订单一直显示处理中，已经三天了，请问怎么办？", "tags": ["订单"], "category": "orders"}


@pytest.fixture
def pacing(app, monkeypatch):
    monkeypatch.setitem(app.config, "FORUM_RATE_LIMITS", True)


@pytest.fixture
def mod_h(moderator, token_for):
    return token_for(moderator)


def _log(user) -> list[tuple[str, str]]:
    return [(e.action.value, e.reason) for e in db.session.scalars(
        sa.select(ModerationLogEntry).where(ModerationLogEntry.user_id == user.id).order_by(ModerationLogEntry.id))]


def test_restriction_api(pacing, client, create_user, token_for, mod_h):
    member = create_user("hasty", reputation=50)
    member_h = token_for(member)
    url = f"{API}/users/hasty/posting-restriction"
    until = (utcnow() + timedelta(days=7)).date().isoformat()
    body = {"reason": "短时间内重复提问", "until": until}
    assert client.put(url, json=body).status_code == 401
    assert client.put(url, json=body, headers=token_for(create_user())).status_code == 403
    for bad in ({"reason": "短时间内重复提问", "until": "2020-01-01"}, {"reason": "短时间内重复提问", "until": "明天"},
                {"reason": "短", "until": until}, {"reason": "短时间内重复提问"}):
        assert client.put(url, json=bad, headers=mod_h).status_code == 422, bad
    assert client.delete(url, headers=mod_h).status_code == 409  # nothing to lift
    response = client.put(url, json=body, headers=mod_h)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["username"] == "hasty" and data["reason"] == "短时间内重复提问" and data["posting_restricted_until"]
    # The member: one question per interval, told why; answers are not paced by it.
    assert client.post(f"{API}/questions", json={"title": "受限以后的第一个问题", **QUESTION},
                       headers=member_h).status_code == 201
    response = client.post(f"{API}/questions", json={"title": "受限以后马上又一个问题", **QUESTION},
                           headers={**member_h, "Accept-Language": "zh-CN"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 39 * 60
    message = response.get_json()["error"]["message"]
    assert "版主限制了你的提问" in message and "每 40 分钟只能提一个问题" in message and "短时间内重复提问" in message
    assert client.delete(url, headers=mod_h).status_code == 204
    assert client.post(f"{API}/questions", json={"title": "解除限制以后的问题", **QUESTION},
                       headers=member_h).status_code == 201
    assert [action for action, _reason in _log(member)] == ["restrict", "unrestrict"]
    assert _log(member)[0][1] == f"{until}: 短时间内重复提问"


def test_moderators_and_staff_cannot_be_restricted(client, create_user, token_for, mod_h):
    create_user("staffer", role="staff")
    create_user("peer_mod", role="moderator")
    body = {"reason": "账号疑似被盗用", "until": (utcnow() + timedelta(days=1)).isoformat()}
    for name in ("staffer", "peer_mod"):
        response = client.put(f"{API}/users/{name}/posting-restriction", json=body, headers=mod_h)
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "not_paced"
    assert client.put(f"{API}/users/nobody-here/posting-restriction", json=body, headers=mod_h).status_code == 404
    admin_h = token_for(create_user("boss", role="admin"))
    assert client.put(f"{API}/users/staffer/posting-restriction", json=body, headers=admin_h).status_code == 403


def test_the_openapi_document_has_it(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    ops = next(ops for key, ops in paths.items() if key.endswith("/users/{username}/posting-restriction"))
    assert set(ops) == {"put", "delete"}
    assert "PostingRestrictionIn" in str(ops["put"]["requestBody"])


def test_restriction_on_the_profile(pacing, client, create_user, moderator, login):
    member = create_user("profile_hasty", reputation=1)
    login(moderator)
    page = client.get("/users/profile_hasty").get_data(as_text=True)
    assert "/users/profile_hasty/posting-restriction" in page
    until = (utcnow() + timedelta(days=3)).date().isoformat()
    response = client.post("/users/profile_hasty/posting-restriction", data={"reason": "重复发同样的问题", "until": until})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).is_posting_restricted
    page = client.get("/users/profile_hasty", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Lift the posting restriction" in page and "one question every 40 minutes" in page
    # The member sees it too, with the reason; other members do not.
    login(member)
    page = client.get("/users/profile_hasty", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "发帖受限" in page and "重复发同样的问题" in page
    login(create_user())
    assert "重复发同样的问题" not in client.get("/users/profile_hasty").get_data(as_text=True)
    login(moderator)
    response = client.post("/users/profile_hasty/posting-restriction", data={"action": "lift", "note": "已说明"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, member.id).is_posting_restricted
    assert [a for a, _r in _log(member)] == [ModAction.RESTRICT.value, ModAction.UNRESTRICT.value]


def test_members_cannot_restrict(client, create_user, login):
    create_user("target_member")
    login(create_user())
    response = client.post("/users/target_member/posting-restriction", data={"reason": "看不惯他", "until": "2030-01-01"})
    assert response.status_code == 403
    assert "posting-restriction" not in client.get("/users/target_member").get_data(as_text=True)
