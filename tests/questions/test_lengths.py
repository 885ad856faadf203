"""Issue 16, "Length limits are set for English": minimums count a Chinese character as 2 (titles,
bodies, answers, comments; pages and API), maximums stay characters, and filler answers ("+1",
"顶", "同问") are refused with a pointer to voting or following, while comments may be short."""
from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from forum.core import text
from forum.core.errors import ValidationFailed
from forum.extensions import db
from forum.questions import rules, services
from forum.questions.models import Answer, Comment, Question

ZH_TITLE = "积分什么时候过期？"  # 9 characters, refused before
ZH_BODY = "我的积分显示快过期了，在哪里能查到日期"  # 19 characters
ZH_ANSWER = "用忘记密码功能重置一次就会解锁。"  # 16 characters
EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def test_weighted_length():
    assert len(ZH_TITLE) == 9 and text.weighted_length(ZH_TITLE) == 18
    assert len(ZH_BODY) == 19 and text.weighted_length(ZH_BODY) == 38
    assert text.weighted_length(ZH_ANSWER) == 32  # 15 ideographs and "。": all full-width
    assert text.weighted_length("Points expiry?") == 14
    assert text.weighted_length("カタカナ한국어ㄅ") == 16  # kana, hangul, bopomofo
    assert text.weighted_length("ＡＢ１！") == 8  # full-width forms
    assert text.weighted_length("ｱｲ") == 2  # half-width katakana: half a cell
    assert text.weighted_length("a\u200bb\u3164") == 2  # invisible: 0 (the Hangul filler too)
    assert text.weighted_length("中\u3000文") == 5  # the ideographic space is a space
    assert text.weighted_length("👍") == 1
    assert text.weighted_length("𠀀") == 2  # Extension B, beyond the BMP


def test_the_editor_counts_as_the_server():
    """static/js/forum.js keeps a copy of WIDE_RANGES for the live count: the same ranges."""
    js = (pathlib.Path(__file__).parents[2] / "static" / "js" / "forum.js").read_text(encoding="utf-8")
    block = re.search(r"var WIDE_RANGES = \[(.*?)\];", js, re.S).group(1)
    ranges = tuple((int(lo, 16), int(hi, 16)) for lo, hi in re.findall(r"\[0x([0-9A-F]+), 0x([0-9A-F]+)\]", block))
    assert ranges == text.WIDE_RANGES


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed: the JavaScript is not run")
def test_the_editors_count_runs_as_the_servers():
    """The JavaScript itself, run by node on the same samples, gives the same weights."""
    samples = [ZH_TITLE, ZH_ANSWER, "Points expiry?", "a\u200bb\u3164", "中\u3000文", "👍", "𠀀", "ｱｲ", "👩\u200d💻",
               "カタカナ한국어ㄅ", "ＡＢ１！"]
    js = (pathlib.Path(__file__).parents[2] / "static" / "js" / "forum.js").read_text(encoding="utf-8")
    counting = js[js.index("var WIDE_RANGES"):js.index("function setUpLengthHint")]
    script = counting + "\nconsole.log(JSON.stringify(JSON.parse(process.argv[1]).map(weightedLength)));"
    out = subprocess.run(["node", "-e", script, json.dumps(samples)], capture_output=True, text=True, check=True,
                         timeout=30)
    assert json.loads(out.stdout) == [text.weighted_length(s) for s in samples]


@pytest.mark.parametrize("title, ok", [(ZH_TITLE, True), ("Points expiry?", True), ("short", False),
                                       ("积分过期", False), ("ｓｈｏｒｔ", True)])
def test_titles(ctx, title, ok):
    errors: dict = {}
    from forum.questions.schemas import check_title
    check_title(title, errors)
    assert (errors == {}) is ok, errors


def test_the_issue_examples_pass_through_the_services(create_user, create_question):
    asker = create_user()
    question = services.ask_question(asker, title=ZH_TITLE, body=ZH_BODY, tags=["积分"], category="account")
    assert question.title == ZH_TITLE
    answer = services.post_answer(create_user(), question.id, body=ZH_ANSWER)
    assert answer.body == ZH_ANSWER
    comment = services.post_comment(create_user(), body="同样的问题 +1", question_id=question.id)
    assert comment.body == "同样的问题 +1"
    services.ask_question(asker, title="Points expiry?", body="My points say they expire soon. Where is the date?",
                          tags=["points"], category="account")
    with pytest.raises(ValidationFailed) as err:
        services.ask_question(asker, title="short", body="too short", tags=["points"], category="account")
    assert set(err.value.fields) == {"title", "body"}


def test_maximums_stay_characters(ctx):
    from flask_babel import force_locale

    from forum.questions.schemas import check_title
    errors: dict = {}
    check_title("积" * 150, errors)  # weighs 300, is 150 characters: allowed
    assert errors == {}
    with force_locale("en"):
        check_title("积" * 151, errors)
    assert errors == {"title": ["The title can have at most 150 characters (now 151)."]}


def test_pages_take_the_issue_examples(client, create_user, create_question, login):
    login(create_user())
    response = client.post("/ask", data={"title": ZH_TITLE, "body": ZH_BODY, "tags": "积分", "category": "account"})
    assert response.status_code == 302, response.get_data(as_text=True)
    question = db.session.scalar(sa.select(Question).where(Question.title == ZH_TITLE))
    login(create_user())
    response = client.post(f"/questions/{question.id}/answers", data={"body": ZH_ANSWER})
    assert response.status_code == 302
    login(create_user())
    response = client.post(f"/questions/{question.id}/comments", data={"body": "同样的问题 +1"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Answer.body).where(Answer.question_id == question.id)) == ZH_ANSWER
    assert db.session.scalar(sa.select(Comment.body).where(Comment.question_id == question.id)) == "同样的问题 +1"


def test_pages_say_the_weighted_unit(client, create_user, login):
    login(create_user())
    response = client.post("/ask", data={"title": "积分过期", "body": ZH_BODY, "tags": "积分", "category": "account"},
                           headers=ZH)
    assert response.status_code == 422
    assert "标题太短：至少 10（中文每字计 2），当前 8。" in response.get_data(as_text=True)
    response = client.post("/ask", data={"title": "short", "body": ZH_BODY, "tags": "积分", "category": "account"},
                           headers=EN)
    page = response.get_data(as_text=True)
    assert "The title is too short: at least 10 (Chinese characters count 2 each), now 5." in page
    # The live count's words and minimum ride on the fields (static/js/forum.js).
    page = client.get("/ask", headers=ZH).get_data(as_text=True)
    assert 'data-min-length="10"' in page and 'data-min-length="20"' in page
    assert "至少 {min}（中文每字计 2），当前 {n}" in page


def test_api_takes_the_issue_examples(client, create_user, token_for):
    headers = token_for(create_user())
    response = client.post("/api/v1/questions", headers=headers,
                           json={"title": ZH_TITLE, "body": ZH_BODY, "tags": ["积分"], "category": "account"})
    assert response.status_code == 201, response.get_json()
    qid = response.get_json()["id"]
    response = client.post(f"/api/v1/questions/{qid}/answers", headers=token_for(create_user()),
                           json={"body": ZH_ANSWER})
    assert response.status_code == 201, response.get_json()
    response = client.post(f"/api/v1/questions/{qid}/comments", headers=token_for(create_user()),
                           json={"body": "同样的问题 +1"})
    assert response.status_code == 201, response.get_json()
    response = client.post("/api/v1/questions", headers={**headers, **EN},
                           json={"title": "short", "body": ZH_BODY, "tags": ["积分"], "category": "account"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["title"] == [
        "The title is too short: at least 10 (Chinese characters count 2 each), now 5."]


FILLER = ["+1", "顶", "同问", "顶顶顶顶顶顶顶顶顶顶顶顶", "1111111111111111111111", "Same here!", "ME TOO!!!",
          "＋１", "同问。。。", "+1 +1 +1 +1 +1 +1 +1 +1", "👍👍👍👍👍👍👍👍👍👍👍👍", "！！！！！！！！！！！！",
          "mark", "同样的问题 +1", "我也是，同问同问同问同问", "**顶**", "thank you"]
NOT_FILLER = [ZH_ANSWER, "Same here: resetting the password unlocked it for me.", "同问：你后来是怎么解决的？我这边重置密码也没用。",
              "1. 打开设置 2. 点安全 3. 重置密码"]


@pytest.mark.parametrize("body", FILLER)
def test_filler_is_not_an_answer(body):
    assert rules.is_filler(body)


@pytest.mark.parametrize("body", NOT_FILLER)
def test_answers_are_not_filler(body):
    assert not rules.is_filler(body)


def test_filler_answers_are_refused_but_short_comments_are_fine(client, create_user, create_question, token_for,
                                                                login):
    question = create_question()
    headers = {**token_for(create_user()), **EN}
    for body in ("+1", "顶顶顶顶顶顶顶顶顶顶顶顶", "同问"):
        response = client.post(f"/api/v1/questions/{question.id}/answers", headers=headers, json={"body": body})
        assert response.status_code == 422
        message = response.get_json()["error"]["fields"]["body"][0]
        assert "vote the question up or follow it" in message
    response = client.post(f"/api/v1/questions/{question.id}/answers", headers={**headers, **ZH}, json={"body": "同问"})
    assert "关注" in response.get_json()["error"]["fields"]["body"][0]
    login(create_user())
    response = client.post(f"/questions/{question.id}/answers", data={"body": "+1"}, headers=EN)
    assert response.status_code == 422 and "vote the question up or follow it" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0
    for body in ("同样的问题 +1", "+1 同问"):
        response = client.post(f"/api/v1/questions/{question.id}/comments", headers=headers, json={"body": body})
        assert response.status_code == 201, response.get_json()
    # An edit cannot turn an answer into filler either.
    answer = services.post_answer(create_user(), question.id, body=ZH_ANSWER)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        services.edit_answer(answer.author, answer.id, body="顶顶顶顶顶顶顶顶顶顶顶顶")


def test_a_refused_comment_keeps_its_text_and_leaves_the_answer_box_empty(client, create_user, create_question,
                                                                          create_answer, login):
    """After a refused comment the thread page shows the comment's error with its text; the answer
    form below is not filled from the comment's form data."""
    question = create_question()
    create_answer(question)
    login(create_user())
    response = client.post(f"/questions/{question.id}/comments", data={"body": "短评"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "短评" in page
    answer_box = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page.split('id="answer-form"')[1], re.S)
    assert answer_box and answer_box.group(1).strip() == ""
    response = client.post(f"/questions/{question.id}/answers", data={"body": "+1"})
    kept = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', response.get_data(as_text=True).split(
        'id="answer-form"')[1], re.S)
    assert response.status_code == 422 and kept.group(1).strip() == "+1", "a refused answer keeps its own text"
