import re

from forum.questions import services as questions
from forum.verification import services


def test_staff_verify_and_remove_from_the_thread(client, create_user, create_question, create_answer, login):
    q = create_question()
    a = create_answer(q)
    staff = create_user("官方小林", role="staff")
    login(staff)
    en = {"Accept-Language": "en"}
    page = client.get(f"/questions/{q.id}", headers=en).get_data(as_text=True)
    assert "Verify this revision" in page and "Community answer" in page
    response = client.post(f"/answers/{a.id}/verify", data={"note": "checked against the refund policy of 2026-11"})
    assert response.status_code == 302
    page = client.get(f"/questions/{q.id}", headers=en).get_data(as_text=True)
    assert "Verified by 官方小林" in page and "checked against the refund policy of 2026-11" in page
    assert "is-verified" in page and "Community answer" not in page
    assert client.post(f"/answers/{a.id}/unverify", data={"reason": ""}).status_code == 302
    assert services.active_verification(a.id) is not None  # a reason is required on the page
    client.post(f"/answers/{a.id}/unverify", data={"reason": "policy changed"})
    assert services.active_verification(a.id) is None


def test_members_and_anonymous_cannot_verify(client, create_user, create_question, create_answer, login):
    a = create_answer(create_question())
    assert client.post(f"/answers/{a.id}/verify").status_code == 302  # to the sign-in page
    login(create_user(reputation=50_000))
    assert client.post(f"/answers/{a.id}/verify").status_code == 403
    assert "Verify this revision" not in client.get(f"/questions/{a.question_id}",
                                                    headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert client.get("/staff/verifications").status_code == 403
    assert client.get("/staff/verifications/log").status_code == 403
    login(create_user(role="moderator"))
    assert client.post(f"/answers/{a.id}/verify").status_code == 403


def test_stale_badge_diff_queue_and_log(client, create_user, create_question, create_answer, login):
    q = create_question()
    a = create_answer(q, body="信用卡退款一般 1 到 7 个工作日到账，请以银行入账为准。")
    staff = create_user("官方小林", role="staff")
    services.verify_answer(staff, a.id, "已核实")
    questions.edit_answer(a.author, a.id, body="信用卡退款一般 1 到 3 个工作日到账，请以银行入账为准。")
    en = {"Accept-Language": "en"}
    page = client.get(f"/questions/{q.id}", headers=en).get_data(as_text=True)
    assert "Edited since verification" in page and "See what changed" in page
    history = client.get(f"/answers/{a.id}/verification", headers=en).get_data(as_text=True)
    assert "<del>7</del>" in history and "<ins>3</ins>" in history and "revision 1 of 2" in history
    login(staff)
    queue = client.get("/staff/verifications", headers=en).get_data(as_text=True)
    assert q.title in queue and "<ins>3</ins>" in queue
    client.post(f"/answers/{a.id}/verify", data={"note": "re-checked"})
    assert "Nothing to re-verify" in client.get("/staff/verifications", headers=en).get_data(as_text=True)
    log = client.get("/staff/verifications/log", headers=en).get_data(as_text=True)
    assert "Verified again" in log and "re-checked" in log and "官方小林" in log


def test_official_answer_badge_cannot_be_imitated(client, create_user, create_question, create_answer):
    q = create_question()
    create_answer(q, create_user("热心网友"), body="**★ Official answer from staff** 我是官方客服，请把验证码发给我。")
    page = client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'class="badge badge-official"' not in page
    create_answer(q, create_user("support_wang", role="staff"), body="官方提醒：平台不会索要验证码，请勿透露给任何人。")
    page = client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.count('class="badge badge-official"') == 1


def test_question_lists_mark_and_filter_verified(client, create_user, create_question, create_answer, verify):
    verified_q = create_question(title="有官方验证回答的问题标题")
    other = create_question(title="没有官方验证回答的问题标题")
    verify(create_answer(verified_q))
    page = client.get("/?verified=1").get_data(as_text=True)
    assert verified_q.title in page and other.title not in page
    assert 'class="badge badge-verified"' in client.get("/").get_data(as_text=True)


def test_knowledge_base_page(client, create_user, create_question, create_answer):
    q = create_question(title="退款七天了还没有到账怎么办", category="payments")
    a = create_answer(q, body="信用卡退款一般 1 到 7 个工作日到账，请以银行入账为准。")
    en = {"Accept-Language": "en"}
    assert "No verified answers here yet" in client.get("/kb", headers=en).get_data(as_text=True)
    staff = create_user("官方小林", role="staff")
    services.verify_answer(staff, a.id, "2026-11 规则")
    page = client.get("/kb", headers=en).get_data(as_text=True)
    assert q.title in page and "Verified by 官方小林" in page and "Payments and refunds" in page
    assert q.title in client.get("/kb?q=银行").get_data(as_text=True)
    assert "No verified answer matches" in client.get("/kb?q=nothing-like-this", headers=en).get_data(as_text=True)
    assert client.get("/kb?category=bogus").status_code == 404
    services.remove_verification(staff, a.id, "outdated")
    assert q.title not in client.get("/kb").get_data(as_text=True)


def test_knowledge_base_lists_a_question_with_two_verified_answers_once(client, create_user, create_question,
                                                                         create_answer):
    q = create_question(title="退款七天了还没有到账怎么办", category="payments")
    first = create_answer(q, body="信用卡退款一般 1 到 7 个工作日到账，请以银行入账为准。")
    second = create_answer(q, body="余额支付的退款会立即退回余额，可以在钱包里查看。")
    staff = create_user("官方小林", role="staff")
    services.verify_answer(staff, first.id)
    services.verify_answer(staff, second.id)
    en = {"Accept-Language": "en"}
    page = client.get("/kb", headers=en).get_data(as_text=True)
    assert page.count(f">{q.title}</a>") == 1 and "2 verified answers" in page
    assert "1 到 7 个工作日" in page and "立即退回余额" in page
    assert "Payments and refunds <span class=\"muted\">(1)</span>" in page
    zh = client.get("/kb").get_data(as_text=True)
    assert zh.count(f">{q.title}</a>") == 1
    for n in range(25):
        other = create_question(title=f"付款失败的第 {n} 种情况怎么处理", category="payments")
        services.verify_answer(staff, create_answer(other, body="请先确认银行卡余额和限额，再重新支付一次。").id)
    first_page = client.get("/kb", headers=en).get_data(as_text=True)
    second_page = client.get("/kb?page=2", headers=en).get_data(as_text=True)
    assert "(26)" in first_page and 'rel="next"' in first_page and 'rel="prev"' in second_page
    titles = [t for p in (first_page, second_page) for t in re.findall(r'<h3><a href="[^"]*">([^<]*)</a>', p)]
    assert len(titles) == 26 == len(set(titles))
    assert client.get("/kb?page=bogus").status_code == 200
