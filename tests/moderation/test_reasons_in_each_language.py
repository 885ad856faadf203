"""What the forum itself writes in the review queue and the moderation log (a close reason, a
watched word's action, a count of flags) is stored as what happened and read in each reader's
language, on the pages and in the API."""
from forum.core.db import unit_of_work
from forum.moderation import services

EN = {"Accept-Language": "en"}


def test_review_details_and_log_reasons_follow_the_reader(client, login, moderator, create_question, create_answer,
                                                           flag, token_for):
    q = create_question()
    spam = create_answer(q, body="便宜代购，全场一折，点我的主页看看，保证正品。")
    for _ in range(3):
        flag(spam)
    closed = create_question()
    with unit_of_work():
        services.close_question(moderator, closed.id, reason="needs_details", note="请补充订单状态")
        services.add_watched_word(moderator, pattern="刷单", action="hold")
    login(moderator)
    zh = client.get("/review").get_data(as_text=True)
    en = client.get("/review", headers=EN).get_data(as_text=True)
    assert "3 个垃圾信息举报" in zh and "3 spam flags" not in zh
    assert "3 spam flags" in en and "3 个垃圾信息举报" not in en
    zh_log = client.get("/review/log").get_data(as_text=True)
    en_log = client.get("/review/log", headers=EN).get_data(as_text=True)
    assert "需要更多细节: 请补充订单状态" in zh_log and "监控词" not in en_log
    assert "Needs details: 请补充订单状态" in en_log and "需要更多细节" not in en_log
    assert "Hold for review: 刷单" in en_log and "hold: 刷单" not in en_log
    assert "Hidden after 3 spam flags." in en_log
    api = client.get("/api/v1/moderation/log", headers={**EN, **token_for(moderator)}).get_json()
    reasons = {e["action"]: e["reason"] for e in api["items"]}
    assert reasons["close"] == "Needs details: 请补充订单状态" and reasons["watch_word"] == "Hold for review: 刷单"
    assert reasons["hide"] == "Hidden after 3 spam flags."
