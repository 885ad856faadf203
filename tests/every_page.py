"""Every GET page of the forum, with real ids, and the roles to view each as.

A plain module (not a test file) for the tests that must visit every page: the accessibility scan,
layout checks, and so on. Usage, in a test:

    from tests.every_page import page_data, pages  # page_data is a fixture: importing registers it

    def test_something(app, page_data):
        for page in pages(app, page_data):
            ...  # page.url, page.role ("visitor", "member", "staff", "moderator"), page.status

`page_data` builds a small community with the existing factory fixtures (a question with answers,
an accepted and a staff-verified answer, comments, a ticket, notifications, held posts and flags for
the review queue, a password-reset token, an unsubscribe token, a member with two-step sign-in)
and returns the ids (`Ids`). Sign in as `ids.users[role]` with `PASSWORD`.

tests/test_every_page.py checks that every GET endpoint that answers HTML is listed here: a new page
cannot be forgotten. Endpoints that are not pages are named, with the reason, in NOT_PAGES.
Language is the caller's: zh_CN by default, English with the `forum_lang=en` cookie (LANG_COOKIE)
or `Accept-Language: en`; the users here have no locale of their own, so the cookie decides for them too.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest

from tests.fixtures.auth import PASSWORD

ROLES = ("visitor", "member", "staff", "moderator")
SIGNED_IN = ("member", "staff", "moderator")
TAG = "订单"
SEARCH = "收货地址"

# GET endpoints that are not HTML pages (besides api.* and static).
NOT_PAGES = {
    "ops.healthz": "liveness probe, plain text",
    "ops.readyz": "readiness probe, plain text",
    "ops.metrics_view": "Prometheus exposition, plain text",
    "notifications.complete_usernames": "JSON for @mention completion",
    "uploads.image": "an uploaded image (PNG, JPEG or WebP), not a page",
    "uploads.thumbnail": "an uploaded image's thumbnail, not a page",
    "tickets.attachment": "a ticket's attached file (image, PDF or text), not a page",
    "privacy.export": "the member's data as a JSON download",
    "insights.insights_csv": "the staff dashboard's figures as CSV (tests/insights/test_funnel.py)",
}

__all__ = ["Page", "Ids", "pages", "page_data", "endpoints_to_cover", "sign_in_second_step", "add_webhook",
           "PASSWORD", "ROLES", "SIGNED_IN", "NOT_PAGES"]


@dataclass(frozen=True)
class Page:
    url: str
    role: str  # "visitor", "member", "staff", "moderator" or "admin"
    endpoint: str  # the url_map endpoint; "errors.404" for the not-found page
    status: int = 200  # what the page answers with (an error page: 403, 404)
    needs: str | None = None  # a precondition the caller sets up first: "second_step" (sign_in_second_step)

    @property
    def name(self) -> str:
        return f"{self.role}:{self.url}"


@dataclass
class Ids:
    users: dict[str, str]  # role -> username (password PASSWORD)
    question: int  # by the member: answers (one accepted, one verified), comments, a ticket
    answer: int  # accepted and verified, by another member
    other_answer: int
    closed_question: int
    ticket: int  # the member's, on `question`
    held_question: int  # held by the scam guard, in the review queue
    tag: str = TAG
    search: str = SEARCH
    reset_token: str = ""
    unsubscribe_token: str = ""
    totp_user: str = ""  # a member with two-step sign-in (password PASSWORD)
    incident: int = 0  # active, linked to `question` (banners on the thread, home, /support)
    extra: dict = field(default_factory=dict)


def endpoints_to_cover(app) -> set[str]:
    """Every endpoint of the url_map with a GET rule, less the API, static files and NOT_PAGES."""
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.endpoint.startswith("api.") and rule.endpoint != "static"
            and rule.endpoint not in NOT_PAGES}


def pages(app, ids: Ids) -> list[Page]:
    """Every page × every role that may view it (and a few that may not: the 403 page)."""
    q, a, t = ids.question, ids.answer, ids.ticket
    member = ids.users["member"]
    everyone = {
        "questions.index": "/",
        "questions.tag": f"/tags/{quote(ids.tag)}",
        "pages.show_question": f"/questions/{q}",
        "questions.question_revisions": f"/questions/{q}/revisions",
        "questions.answer_revisions": f"/answers/{a}/revisions",
        "verification.history": f"/answers/{a}/verification",
        "verification.knowledge_base": "/kb",
        "reputation.leaderboard": "/leaderboard",
        "search.search": f"/search?q={quote(ids.search)}",
        "tickets.support": "/support",
        "pages.show_user": f"/users/{quote(member)}",
        "notifications.unsubscribe": f"/unsubscribe/{ids.unsubscribe_token}",
        "incidents.index": "/incidents",
        "incidents.show": f"/incidents/{ids.incident}",
    }
    visitors_only = {
        "auth.login": "/login",
        "auth.register": "/register",
        "auth.reset_request": "/reset-password",
        "auth.reset_password": f"/reset-password/{ids.reset_token}",
    }
    signed_in = {
        "questions.ask": "/ask",
        "tickets.mine": "/tickets",
        "notifications.index": "/notifications",
        "notifications.settings": "/settings/notifications",
        "users.settings": "/settings",
        "users.account": "/settings/account",
        "users.tokens": "/settings/tokens",
        "users.two_step": "/settings/2fa",
        "privacy.data": "/settings/data",
        "privacy.delete": "/settings/data/delete",
        "auth.logout": "/logout",
    }
    moderators = {  # moderators, and staff (every community privilege)
        "questions.edit": f"/questions/{q}/edit",
        "questions.edit_answer": f"/answers/{a}/edit",
        "moderation.queue": "/review",
        "moderation.log": "/review/log",
        "moderation.watched": "/review/watched-words",
    }
    staff = {
        "tickets.desk": "/staff/tickets",
        "tickets.dashboard": "/staff/dashboard",
        "verification.queue": "/staff/verifications",
        "verification.log": "/staff/verifications/log",
        "search.vocabulary_page": "/staff/search/vocabulary",
        "tickets.show": f"/tickets/{t}",
        "incidents.new": "/incidents/new",
        "tickets.escalations": f"/staff/questions/{q}/escalations",
    }
    admins = {  # administrators only
        "webhooks.index": "/admin/webhooks",
        "webhooks.show": f"/admin/webhooks/{ids.extra['webhook']}",
    }
    result: list[Page] = []
    for role in ROLES:
        result += [Page(url, role, endpoint) for endpoint, url in everyone.items()]
        result.append(Page("/no-such-page", role, "errors.404", status=404))
    result += [Page(url, "visitor", endpoint) for endpoint, url in visitors_only.items()]
    result.append(Page("/login/2fa", "visitor", "auth.second_step", needs="second_step"))
    for role in SIGNED_IN:
        result += [Page(url, role, endpoint) for endpoint, url in signed_in.items()]
    for role in ("staff", "moderator"):
        result += [Page(url, role, endpoint) for endpoint, url in moderators.items()]
    result += [Page(url, "staff", endpoint) for endpoint, url in staff.items()]
    result += [Page(url, "admin", endpoint) for endpoint, url in admins.items()]
    result.append(Page("/admin/webhooks", "staff", "errors.403", status=403))
    # The asker's own: the question's edit form, the escalation form, the ticket.
    result += [Page(f"/questions/{q}/edit", "member", "questions.edit"),
               Page(f"/questions/{q}/escalate", "member", "pages.escalate_question"),
               Page(f"/tickets/{t}", "member", "tickets.show"),
               Page(f"/questions/{ids.closed_question}", "visitor", "pages.show_question"),
               Page(f"/questions/{ids.held_question}", "moderator", "pages.show_question"),
               Page("/staff/tickets", "member", "errors.403", status=403),  # the forbidden page
               # The search vocabulary with a query tried (its words, what each also finds, a filter).
               Page(f"/staff/search/vocabulary?try={quote('小金库提现失败 -广告 is:verified')}", "staff",
                    "search.vocabulary_page"),
               # Search with every kind of filter on, and with nothing found.
               Page(f"/search?q={quote(f'{ids.search} is:verified tag:{ids.tag} category:orders')}", "visitor",
                    "search.search"),
               Page("/search?q=nothingmatches", "visitor", "search.search")]
    return result


def add_webhook(admin, description: str = "CRM") -> int:
    """A webhook registered by `admin`, with a delivery in each state (for the admin pages). Rows are
    written directly: registering checks the address, and these pages need no receiver."""
    from datetime import timedelta

    from forum.core.db import unit_of_work, utcnow
    from forum.extensions import db
    from forum.webhooks.models import Webhook, WebhookDelivery

    now = utcnow()
    with unit_of_work():
        webhook = Webhook(url="https://crm.example.com/hooks/forum", events="ticket.created,ticket.solved",
                          description=description, secret="whsec_example", private=True, active=True,
                          created_by_id=admin.id, created_at=now, updated_at=now, failing_since=now)
        db.session.add(webhook)
        db.session.flush()
        for n, (status, code, error) in enumerate((("succeeded", 200, ""), ("failed", 500, "HTTP 500"),
                                                   ("pending", None, "timed out"))):
            db.session.add(WebhookDelivery(
                uid=f"dlv_example{n}", webhook_id=webhook.id, event="ticket.created", payload="{}", status=status,
                response_code=code, duration_ms=120 + n, attempts=n + 1, last_error=error,
                created_at=now - timedelta(minutes=n), last_attempt_at=now,
                next_attempt_at=now + timedelta(seconds=20) if status == "pending" else None,
                delivered_at=now if status == "succeeded" else None))
        return webhook.id


def sign_in_second_step(post_login, ids: Ids):
    """Reach /login/2fa: sign in with the two-step member's password. `post_login(data)` posts the
    sign-in form (a test client's post, or a browser's form fill)."""
    return post_login({"login": ids.totp_user, "password": PASSWORD})


@pytest.fixture
def page_data(ctx, create_user, create_question, create_answer, create_ticket, verify, vote, flag,
              create_held_question) -> Ids:
    """The community behind `pages()`: see the module's docstring."""
    import pyotp

    from forum.auth import services as auth_services
    from forum.auth.models import PasswordReset, User
    from forum.core.db import unit_of_work, utcnow
    from forum.extensions import db
    from forum.incidents import services as incidents
    from forum.moderation import services as moderation
    from forum.notifications import jobs
    from forum.notifications import services as notifications
    from forum.questions import services as questions
    from forum.search import services as search

    member = create_user("xiaoming_m", email="member@example.com")
    staff = create_user("客服小林", role="staff")
    moderator = create_user("mod_anna", role="moderator")
    expert = create_user("laowang_e", reputation=500)
    question = create_question(member, title="我的订单无法修改收货地址怎么办", tags=(TAG, "地址"))
    answer = create_answer(question, expert, body="在“我的订单”里找到这个订单，点“修改地址”，发货前都可以改。 @xiaoming_m")
    other = create_answer(question, body="也可以联系官方客服修改收货地址，发货前一般都能处理好。")
    with unit_of_work():
        questions.accept_answer(member, answer.id)
        questions.post_comment(expert, question_id=question.id, body="发货以后还能改吗？请问 @xiaoming_m")
    verify(answer, by=staff, note="官方确认：发货前可以修改。")
    vote(question)
    vote(answer)
    ticket = create_ticket(question, member)
    create_ticket(question, expert, order_number="TP2026110812345")  # "me too": the desk's side-by-side view
    closed = create_question(title="订单显示已签收但没有收到货")
    with unit_of_work():
        moderation.close_question(moderator, closed.id, reason="duplicate", duplicate_of=question.id)
    held = create_held_question()
    from forum.search import vocabulary

    with unit_of_work():  # the staff's search vocabulary lists an entry of each kind
        vocabulary.add_entry(staff, kind="synonyms", words="小金库, 钱包, wallet", note="会员口语里的钱包")
        vocabulary.add_entry(staff, kind="domain", words="省钱卡, 京喜")
    flag(other)
    totp = create_user("two_step_user")
    with unit_of_work():
        user = db.session.get(User, totp.id)
        user.totp_secret = pyotp.random_base32()
    reset_token = secrets.token_urlsafe(32)
    with unit_of_work():
        now = utcnow()
        db.session.add(PasswordReset(user_id=member.id, token_hash=auth_services._token_digest(reset_token),
                                     created_at=now, expires_at=now + auth_services.RESET_VALID_FOR))
    unsubscribe = notifications.unsubscribe_url(member.id).rsplit("/", 1)[1]
    with unit_of_work():
        incident = incidents.create_incident(staff, title="订单页面打不开", category="orders", keywords=["订单页面"],
                                             body="部分用户打开“我的订单”时页面报错，我们正在排查。")
        incidents.link_question(staff, incident.id, question_id=question.id)
        incidents.update_incident(staff, incident.id, status="identified", message="原因已找到：一台服务器故障。")
        incidents.set_affected(member, incident.id, True)
    search.reindex()  # the search page shows hits (and their footers) whatever the indexer setting
    admin = create_user("admin_zhao", role="admin")
    webhook_id = add_webhook(admin)
    ids = Ids(users={"member": member.username, "staff": staff.username, "moderator": moderator.username,
                     "admin": admin.username},
              question=question.id, answer=answer.id, other_answer=other.id, closed_question=closed.id,
              ticket=ticket.id, held_question=held.id, reset_token=reset_token,
              unsubscribe_token=unsubscribe, totp_user=totp.username, incident=incident.id,
              extra={"webhook": webhook_id})
    # No transaction left open (on SQLite each takes the write lock, and a live server's requests
    # would wait for it), nor e-mail jobs still writing.
    db.session.commit()
    jobs.drain()
    return ids
