"""/search, /api/v1/search, /api/v1/search/similar, the CLI and start-up."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from forum.search import indexer, services

pytestmark = pytest.mark.search_index  # every test here searches


def test_search_page_shows_highlighted_hits(client, create_question, create_answer):
    question = create_question(title="支付失败怎么办，钱已经扣了", body="银行卡付款时一直提示支付失败，请问怎么处理？",
                               tags=("支付",), category="payments")
    create_answer(question, body="先等十分钟，支付失败扣掉的钱会原路退回到银行卡。")
    page = client.get("/search?q=支付失败").get_data(as_text=True)
    assert "<mark>支付</mark><mark>失败</mark>" in page or "<mark>支付失败</mark>" in page
    assert f"/questions/{question.id}" in page
    assert 'href="/search?q=%E6%94%AF%E4%BB%98%E5%A4%B1%E8%B4%A5+is:verified"' in page or "is%3Averified" in page


def test_search_page_empty_result_offers_help(client, create_question):
    create_question(title="How do I get a refund for my order?", body="The refund has not arrived after a week.",
                    tags=("refund",), category="payments")
    page = client.get("/search?q=refnud").get_data(as_text=True)
    assert "refund" in page and 'href="/search?q=refund"' in page  # did you mean
    assert 'href="/ask?title=refnud"' in page
    assert 'href="/support"' in page


def test_search_page_without_query_explains_filters(client):
    response = client.get("/search")
    assert response.status_code == 200
    assert "is:verified" in response.get_data(as_text=True)


def test_search_page_bad_input(client):
    for q in ["tag:", '"', "a" * 5000, "category:nope", "%00"]:
        response = client.get("/search", query_string={"q": q, "page": "x", "sort": "nope"})
        assert response.status_code == 200, q
    page = client.get("/search?q=category:nope", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "There is no category “nope”" in page or "没有" in page


def test_api_search(client, create_question, create_answer):
    question = create_question(title="我的订单无法修改收货地址", body="下单以后想修改收货地址，一直提示无法修改。")
    answer = create_answer(question, body="发货前在订单详情页里点“修改收货地址”按钮就可以。")
    data = client.get("/api/v1/search?q=收货地址").get_json()
    assert data["total"] == 2
    types = {(item["type"], item["question_id"], item["answer_id"]) for item in data["items"]}
    assert types == {("question", question.id, None), ("answer", question.id, answer.id)}
    item = data["items"][0]
    assert set(item) >= {"type", "question_id", "answer_id", "title", "snippet", "score", "is_verified", "url"}
    assert item["url"].startswith("http") and f"/questions/{question.id}" in item["url"]
    assert "<mark>" in item["snippet_html"] and "<mark>" not in item["snippet"]


def test_api_search_bad_input(client):
    for params in ({"q": "a" * 5000}, {"q": "tag:"}, {"q": "x", "page": "-3", "per_page": "abc"},
                   {"q": "x", "sort": "drop table"}, {"q": '"unbalanced (('}):
        response = client.get("/api/v1/search", query_string=params)
        assert response.status_code == 200, params
    notes = client.get("/api/v1/search", query_string={"q": "a" * 5000}).get_json()["notes"]
    assert notes


def test_api_similar(client, create_question):
    address = create_question(title="我的订单无法修改收货地址", body="下单以后想修改收货地址，一直提示无法修改。")
    create_question(title="忘记登录密码了，怎么找回呢", body="登录的时候一直提示密码错误，请问怎么重置？",
                    tags=("账号",), category="account")
    items = client.get("/api/v1/search/similar", query_string={"title": "收货地址怎么修改"}).get_json()["items"]
    assert [i["question_id"] for i in items] == [address.id]
    assert client.get("/api/v1/search/similar").get_json() == {"items": [], "incidents": []}
    excluded = client.get("/api/v1/search/similar", query_string={"title": "收货地址怎么修改", "exclude": address.id})
    assert excluded.get_json() == {"items": [], "incidents": []}


def test_openapi_documents_search(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/search" in paths and "/search/similar" in paths


def test_reindex_command_swaps_in_a_new_generation(app, runner, create_question):
    question = create_question(title="发票怎么开具，在哪里申请", body="订单完成以后想开增值税发票，在哪里申请？",
                               tags=("发票",), category="orders")
    backend = services.get_backend()
    before = getattr(backend, "_current_name", lambda: None)()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "indexed 1 documents" in result.output
    assert [h.question_id for h in services.search("发票").hits] == [question.id]
    if before is not None:
        assert backend._current_name() != before


def test_missing_index_is_rebuilt_at_start_up(app, ctx, create_question, caplog):
    if app.config.get("FORUM_SEARCH_BACKEND") == "postgresql":
        return  # the PostgreSQL backend has no files to lose; its rows are covered by test_search
    question = create_question(title="发票怎么开具，在哪里申请", body="订单完成以后想开增值税发票，在哪里申请？",
                               tags=("发票",), category="orders")
    backend = services.get_backend()
    backend.close()
    root = Path(app.config["FORUM_SEARCH_INDEX"])
    for generation in root.glob("gen-*"):
        shutil.rmtree(generation)
    assert backend.needs_rebuild()
    with caplog.at_level("WARNING", logger="forum.search.services"):
        services.ensure_ready(app)
    assert "rebuilt 1 documents" in caplog.text
    assert [h.question_id for h in services.search("发票").hits] == [question.id]


def test_a_rolled_back_post_leaves_no_outbox_row(ctx, create_user):
    from forum.extensions import db
    from forum.questions import services as question_services

    user = create_user()
    db.session.commit()
    import pytest

    from forum.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed), db.session.begin_nested():
        question_services.ask_question(user, title="x" * 5, body="too short", tags=["a"], category="orders")
    db.session.rollback()
    assert indexer.pending() == 0
