"""The staff's search vocabulary: the rules (forum.search.vocabulary), its API
(/api/v1/search/vocabulary) and its page (/staff/search/vocabulary). That searches apply it is
tests/search/test_vocabulary.py's."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from forum.core.db import unit_of_work
from forum.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from forum.extensions import db
from forum.moderation.models import ModAction, ModerationLogEntry
from forum.moderation.services import log_reason
from forum.search import synonyms, vocabulary
from forum.search.models import VocabularyEntry, VocabularyKind
from forum.search.vocabulary import split_words

API = "/api/v1/search/vocabulary"


@pytest.fixture(autouse=True)
def _forget_vocabulary(app):
    yield
    vocabulary.reset(app)


@pytest.fixture
def admin(create_user):
    return create_user("admin_zhou", role="admin")


def _add(actor, **fields):
    with unit_of_work():
        return vocabulary.add_entry(actor, **fields)


def _errors(call) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        call()
    db.session.rollback()
    return caught.value.fields


# --- the rules -----------------------------------------------------------------------------------

def test_split_words_takes_commas_enumeration_commas_and_lines():
    assert split_words("小金库, 钱包，零钱、wallet\n余额;\r\n 结余 ；,") == ["小金库", "钱包", "零钱", "wallet", "余额", "结余"]
    assert split_words(" , 、\n") == []


def test_a_group_is_stored_folded_and_logged(ctx, staff):
    entry = _add(staff, kind="synonyms", words="小金庫, ＷＡＬＬＥＴ,  Money   Bag ", note="  会员这样叫钱包 ")
    assert entry.word_list == ["小金库", "wallet", "money bag"]  # Simplified, NFKC, lower case, spaces collapsed
    assert entry.kind is VocabularyKind.SYNONYMS and entry.note == "会员这样叫钱包" and entry.created_by_id == staff.id
    logged = db.session.scalars(db.select(ModerationLogEntry)).all()
    assert [(e.action, e.actor_id, e.reason) for e in logged] == [
        (ModAction.ADD_VOCABULARY, staff.id, "synonyms: 小金库, wallet, money bag")]
    with force_locale("en"):
        assert log_reason(logged[0]) == "Synonyms: 小金库, wallet, money bag"
    with force_locale("zh_Hans_CN"):
        assert log_reason(logged[0]) == "同义词: 小金库, wallet, money bag"
    with unit_of_work():
        vocabulary.delete_entry(staff, entry.id)
    assert db.session.scalar(db.select(db.func.count()).select_from(VocabularyEntry)) == 0
    actions = db.session.scalars(db.select(ModerationLogEntry.action).order_by(ModerationLogEntry.id)).all()
    assert actions == [ModAction.ADD_VOCABULARY, ModAction.REMOVE_VOCABULARY]


@pytest.mark.parametrize(("kind", "words", "message"), [
    ("synonyms", "钱包", "at least 2 words"),
    ("synonyms", "", "at least one word"),
    ("domain", " ,、\n", "at least one word"),
    ("synonyms", ",".join(f"词{i}" for i in range(13)), "At most 12 words"),
    ("synonyms", ["钱包", ""], "cannot be empty"),
    ("synonyms", ["钱包", "   "], "cannot be empty"),
    ("synonyms", ["钱包", "长" * 41], "at most 40 characters"),
    ("synonyms", ["钱包", "!!!"], "no letters, digits or Chinese characters"),
    ("synonyms", "钱包, 钱包", "listed twice"),
    ("synonyms", "帐号, 账号", "the same word to search"),
    ("synonyms", "VIP, vip", "the same word to search"),
    ("synonyms", ["钱包", "零\x07钱"], "control characters"),
    ("synonyms", ["钱包", 3], "must be text"),
    ("synonyms", {"a": 1}, "list of words"),
    ("nonsense", "钱包, 零钱", "synonyms or domain words"),
])
def test_bad_input_is_refused_with_a_clear_message(ctx, staff, kind, words, message):
    with force_locale("en"):
        fields = _errors(lambda: _add(staff, kind=kind, words=words))
    assert list(fields) in (["words"], ["kind"]), fields
    assert message.lower() in " ".join(fields[next(iter(fields))]).lower()


def test_forty_characters_and_twelve_words_pass(ctx, staff):
    assert len(_add(staff, kind="synonyms", words=["钱包", "长" * 40]).word_list[1]) == 40
    assert len(_add(staff, kind="domain", words=[f"词语{i}" for i in range(12)]).word_list) == 12
    assert _add(staff, kind="domain", words="卡").word_list == ["卡"]  # one word, one character


def test_the_note_has_a_limit(ctx, staff):
    assert "note" in _errors(lambda: _add(staff, kind="synonyms", words="钱包, 小金库", note="长" * 201))


def test_the_same_group_twice_is_a_conflict(ctx, staff):
    _add(staff, kind="synonyms", words="钱包, 小金库")
    for words in ("小金库, 钱包", "小金庫、錢包"):  # any order, any script
        with pytest.raises(Conflict) as caught:
            _add(staff, kind="synonyms", words=words)
        assert caught.value.fields["words"]
    db.session.rollback()


def test_a_group_that_adds_nothing_is_a_conflict(ctx, staff):
    with pytest.raises(Conflict) as caught:
        _add(staff, kind="synonyms", words="退款, refund")  # a built-in group holds both
    assert "退款" in caught.value.message
    db.session.rollback()
    extended = _add(staff, kind="synonyms", words="退款, 退钱款")  # extending a built-in group is fine
    assert extended.word_list == ["退款", "退钱款"]
    vocabulary.refresh()  # (a search does this first)
    assert "退钱款" in synonyms.expand("退款") and "refund" in synonyms.expand("退款")  # both groups
    with pytest.raises(Conflict):
        _add(staff, kind="synonyms", words="退钱款, 退款")
    db.session.rollback()


def test_a_domain_word_twice_is_a_conflict(ctx, staff):
    _add(staff, kind="domain", words="省钱卡, 京喜")
    with pytest.raises(Conflict) as caught:
        _add(staff, kind="domain", words="闪电退款, 京喜")
    assert "京喜" in caught.value.message
    db.session.rollback()


def test_only_staff_and_admins(ctx, create_user, staff, admin, moderator):
    member = create_user(reputation=100_000)
    for actor in (None, member, moderator):
        with pytest.raises(PermissionDenied):
            _add(actor, kind="synonyms", words="钱包, 小金库")
        with pytest.raises(PermissionDenied):
            vocabulary.vocabulary(actor)
        with pytest.raises(PermissionDenied):
            vocabulary.explain(actor, "钱包")
    db.session.rollback()
    entry = _add(admin, kind="synonyms", words="钱包, 小金库")
    with pytest.raises(PermissionDenied):
        vocabulary.delete_entry(moderator, entry.id)
    with pytest.raises(NotFound):
        vocabulary.delete_entry(staff, 999_999)
    with pytest.raises(NotFound):
        vocabulary.delete_entry(staff, "x")


def test_explain_shows_words_and_what_they_also_find(ctx, staff):
    _add(staff, kind="synonyms", words="小金库, 钱包, wallet")
    found = vocabulary.explain(staff, '小金库提现 "到账" -广告 tag:钱包 is:verified')
    words = {w.text: w for w in found.words}
    assert words["小金库"].alternatives == ["小金库", "钱包", "wallet"]
    assert words["小金库"].how == "optional"
    assert words['"到账"'].how == "required" and words["广告"].how == "excluded"
    assert found.filters == ["tag:钱包", "is:verified"]


def test_the_vocabulary_lists_newest_first_and_the_built_in_part(ctx, staff):
    _add(staff, kind="synonyms", words="钱包, 小金库")
    _add(staff, kind="synonyms", words="京喜, 京东特价版")
    _add(staff, kind="domain", words="省钱卡")
    found = vocabulary.vocabulary(staff)
    assert [e.word_list[0] for e in found.groups] == ["京喜", "钱包"]
    assert [e.word_list for e in found.domain_words] == [["省钱卡"]]
    assert found.builtin_groups == synonyms.GROUPS


# --- the API -------------------------------------------------------------------------------------

def test_api_add_list_delete(client, staff, token_for):
    headers = token_for(staff)
    response = client.post(API, json={"kind": "synonyms", "words": ["小金库", "钱包"], "note": "口语"}, headers=headers)
    assert response.status_code == 201
    created = response.get_json()
    assert created["words"] == ["小金库", "钱包"] and created["kind"] == "synonyms"
    assert created["created_by"] == staff.username and created["note"] == "口语" and created["created_at"]
    domain = client.post(API, json={"kind": "domain", "words": ["省钱卡"]}, headers=headers).get_json()
    listed = client.get(API, headers=headers).get_json()
    assert [g["id"] for g in listed["groups"]] == [created["id"]]
    assert [d["id"] for d in listed["domain_words"]] == [domain["id"]]
    assert ["退款", "退钱", "退费", "refund"] in listed["builtin_groups"]
    assert client.delete(f"{API}/{created['id']}", headers=headers).status_code == 204
    assert client.delete(f"{API}/{created['id']}", headers=headers).status_code == 404
    assert client.get(API, headers=headers).get_json()["groups"] == []


def test_api_permissions(client, create_user, moderator, admin, token_for):
    entry = {"kind": "synonyms", "words": ["小金库", "钱包"]}
    assert client.get(API).status_code == 401
    assert client.post(API, json=entry).status_code == 401
    for user in (create_user(), moderator):
        headers = token_for(user)
        assert client.get(API, headers=headers).status_code == 403
        response = client.post(API, json=entry, headers=headers)
        assert response.status_code == 403 and response.get_json()["error"]["message"]
        assert client.delete(f"{API}/1", headers=headers).status_code == 403
    assert client.post(API, json=entry, headers=token_for(admin)).status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "synonyms", "words": "小金库, 钱包"}, "words"),  # the document says an array
    ({"kind": "synonyms", "words": [1, 2]}, "words"),
    ({"kind": "synonyms", "words": ["小金库"]}, "words"),
    ({"kind": "synonyms", "words": ["小金库", None]}, "words"),
    ({"kind": "synonyms", "words": ["小金库", "x" * 41]}, "words"),
    ({"kind": 1, "words": ["小金库", "钱包"]}, "kind"),
    ({"kind": "both", "words": ["小金库", "钱包"]}, "kind"),
    ({"words": ["小金库", "钱包"]}, "kind"),
    ({"kind": "synonyms"}, "words"),
    ({"kind": "synonyms", "words": ["小金库", "钱包"], "note": 5}, "note"),
    ({"kind": "synonyms", "words": ["小金库", "钱包"], "note": ["a"]}, "note"),
])
def test_api_bad_input_is_422_with_a_message(client, staff, token_for, body, field):
    response = client.post(API, json=body, headers=token_for(staff))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["fields"][field] and error["message"]


def test_api_malformed_bodies(client, staff, token_for):
    headers = token_for(staff)
    assert client.post(API, data="{nope", headers={**headers, "Content-Type": "application/json"}).status_code == 400
    assert client.post(API, json=["小金库", "钱包"], headers=headers).status_code == 400
    assert client.post(API, data="kind=synonyms", headers={**headers, "Content-Type": "text/plain"}).status_code == 415


def test_api_duplicate_is_409(client, staff, token_for):
    headers = token_for(staff)
    body = {"kind": "synonyms", "words": ["小金库", "钱包"]}
    assert client.post(API, json=body, headers=headers).status_code == 201
    response = client.post(API, json={"kind": "synonyms", "words": ["钱包", "小金库"]}, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "duplicate_vocabulary"


def test_the_openapi_document_describes_the_calls(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/search/vocabulary"])
    assert "delete" in paths["/search/vocabulary/{entry_id}"]
    post = paths["/search/vocabulary"]["post"]
    assert {"201", "403", "409", "422"} <= set(post["responses"])
    body = str(post["requestBody"])
    assert "SearchVocabularyIn" in body or "words" in str(document["components"]["schemas"]["SearchVocabularyIn"])


# --- the page ------------------------------------------------------------------------------------

PAGE = "/staff/search/vocabulary"


def test_page_permissions(client, login, create_user, moderator):
    assert client.get(PAGE).status_code == 302  # to sign in
    for user in (create_user(), moderator):
        login(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, data={"kind": "synonyms", "words": "小金库, 钱包"}).status_code == 403
        assert client.post(f"{PAGE}/1/delete").status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(VocabularyEntry)) == 0


def test_page_add_try_and_remove(client, login, staff):
    login(staff)
    page = client.get(PAGE, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No synonym groups added yet" in page and "No domain words added yet" in page
    response = client.post(PAGE, data={"kind": "synonyms", "words": "小金库、钱包\nwallet", "note": "口语说法"})
    assert response.status_code == 302
    page = client.get(PAGE, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "小金库" in page and "wallet" in page and "口语说法" in page and staff.username in page
    tried = client.get(PAGE, query_string={"try": "小金库提现"}, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "also finds" in tried and '<span class="vocab-alt" lang="zh-CN">钱包</span>' in tried
    entry_id = db.session.scalar(db.select(VocabularyEntry.id))
    assert client.post(f"{PAGE}/{entry_id}/delete").status_code == 302
    assert db.session.scalar(db.select(VocabularyEntry)) is None
    assert client.post(f"{PAGE}/{entry_id}/delete").status_code == 302  # again: said, not a 500


def test_page_shows_errors_beside_the_field_and_keeps_the_text(client, login, staff):
    login(staff)
    response = client.post(PAGE, data={"kind": "synonyms", "words": "小金库"}, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page and "小金库</textarea>" in page
    response = client.post(PAGE, data={"kind": "synonyms", "words": "退款, refund"}, headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "already find each other" in response.get_data(as_text=True)


def test_the_desk_links_to_the_page(client, login, staff):
    login(staff)
    assert f'href="{PAGE}"' in client.get("/staff/tickets").get_data(as_text=True)
