"""Every page and every e-mail, rendered in Chinese and in English, shows people words, never the
values the code keeps: no English message left untranslated in a Chinese page, no raw enum value
(`orders`, `pending`, `new_answer`) where its title belongs, no Chinese in the English interface.

The forum is seeded with English-only member content made of words that are neither messages nor
enum values ("Zebra lamp"), so that whatever Chinese an English page shows, or whatever enum value
a Chinese page shows, comes from the interface itself; and any English word of a Chinese page
that is not the seed's is English the interface wrote without gettext ("me / none / username").
Text inside an element with a `lang` attribute (the language switcher's "简体中文") is the
element's own language and is not judged.

The pages are tests/every_page.py's list (every GET page, with the role to view it as), built on
this module's seed, and a few more states; the e-mails are every notification kind, a digest and
the account e-mails.
"""
from __future__ import annotations

import enum
import re
import secrets
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from forum.core import catalogue
from forum.core.db import unit_of_work, utcnow
from forum.extensions import db
from tests.every_page import PASSWORD, Ids, Page, add_webhook, pages, sign_in_second_step

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
WORD = re.compile(r"[A-Za-z][A-Za-z_]*")
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0]*\d*[sdf]|%%")
# Attributes whose values people read or hear.
SEEN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
SKIPPED_ELEMENTS = {"script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


class _Visible(HTMLParser):
    """The text a person sees or hears: text nodes outside scripts and styles, the attributes
    above, and the values of buttons; what sits inside an element with a `lang` attribute is
    left out (it declares its own language)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.parts: list[str] = []

    def _skipped(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = tag in SKIPPED_ELEMENTS or "lang" in attrs and tag != "html"
        if not skipped and not self._skipped():
            for name in SEEN_ATTRIBUTES:
                if attrs.get(name):
                    self.parts.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if data.strip() and not self._skipped():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return "\n".join(" ".join(part.split()) for part in parser.parts)


def _enum_classes():
    """Every string enum of the forum whose values people could be shown instead of a title."""
    import forum.auth.models  # noqa: F401  (every module that declares one)
    import forum.moderation.models  # noqa: F401
    import forum.notifications.kinds  # noqa: F401
    import forum.policy.guards  # noqa: F401
    import forum.questions.models  # noqa: F401
    import forum.questions.queries  # noqa: F401
    import forum.reputation.badges  # noqa: F401
    import forum.reputation.queries  # noqa: F401
    import forum.reputation.rules  # noqa: F401
    import forum.tickets.models  # noqa: F401
    import forum.verification.models  # noqa: F401

    seen, todo = set(), [enum.Enum]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [cls for cls in seen if cls.__module__.startswith("forum.") and issubclass(cls, str) and len(cls)]


def raw_values() -> set[str]:
    """The enum values and the ticket event kinds (those stored: the seed makes one of each)."""
    from forum.tickets.models import TicketEvent

    values = {member.value for cls in _enum_classes() for member in cls if isinstance(member.value, str)}
    values |= set(db.session.scalars(sa.select(TicketEvent.kind).distinct()))
    # Values that are the same in both languages' interface (brand-like, or proper nouns), none so far.
    return {v for v in values if WORD.fullmatch(v) and len(v) >= 3}


def english_messages() -> list[str]:
    """English literal passages of the catalogue's messages (split at their placeholders) that
    a Chinese page must not show: those of three words or more, so that ordinary words and
    short labels that content may contain do not count."""
    passages = set()
    for message in catalogue.read_catalog("zh_Hans_CN"):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            for passage in PLACEHOLDER.split(msgid):
                passage = " ".join(passage.split()).strip(" :.,;“”\"'()")
                if len(passage.split()) >= 3 and not CJK.search(passage):
                    passages.add(passage)
    return sorted(passages, key=len, reverse=True)


URL = re.compile(r"\b[a-z]+://\S+|\S+@\S+\.\w+|(?<!\w)/[\w.#?=&%-][\w./#?=&%-]*")
SEARCH_SYNTAX = re.compile(r"\b(?:tag|is|user|category):\S+")  # the search box's operators, typed as they are
# Words a Chinese page may show as they are: names, abbreviations and formats that have no translation.
LATIN_WORDS = {"SLA", "TP", "API", "Markdown", "Bearer", "HTML", "URL", "TOTP", "QR", "ID", "Zebra", "Walrus",
               "refund", "platform_support", "App", "POST", "Webhook", "HTTP", "http", "https", "CRM", "CSV",
               "JSON", "PDF", "MB"}


def bilingual_messages() -> list[str]:
    """Messages that hold Chinese on purpose (a search example such as "e.g. 退款 or refund"), in
    both languages: an English page may show them as they are."""
    found = set()
    for message in catalogue.read_catalog("zh_Hans_CN"):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            if msgid and CJK.search(msgid):
                found |= {" ".join(p.split()) for p in PLACEHOLDER.split(msgid) if CJK.search(p)}
    return sorted(found, key=len, reverse=True)


def defects(text: str, language: str, *, values: set[str], messages: list[str], content_words=frozenset(),
            bilingual=()) -> list[str]:
    for passage in bilingual if language == "en" else ():
        text = text.replace(passage, " ")
    text = SEARCH_SYNTAX.sub(" ", URL.sub(" ", text))
    found = []
    if language == "zh":
        found += [f"untranslated: {m!r}" for m in messages if m in text]
        words = set(WORD.findall(text))
        found += [f"raw value: {w!r} in {line.strip()[:80]!r}" for w in sorted(words & values)
                  for line in text.splitlines() if w in WORD.findall(line)]
        # English the interface wrote without gettext ("me / none / username").
        stray = {w for w in words - values if len(w) > 1 and w not in LATIN_WORDS and w.lower() not in content_words}
        found += [f"English: {line.strip()!r}" for line in text.splitlines()
                  if set(WORD.findall(line)) & stray]
    else:
        found += [f"Chinese: {line!r}" for line in text.splitlines() if CJK.search(line)]
        # In English a value may be an ordinary word ("open", "new"): only the ones no sentence has.
        found += [f"raw value: {w!r}" for w in sorted(set(WORD.findall(text)) & values) if "_" in w]
    return found


# --- the forum, seeded -------------------------------------------------------------------------------

def seed(create_user):
    """Members, posts, tickets (with an event of every kind), flags, held posts, notifications of
    every kind: the pages' every state worth showing. Returns the ids the pages need."""
    import pyotp

    from forum.auth import services as auth
    from forum.auth.models import PasswordReset, User
    from forum.moderation import services as moderation
    from forum.notifications import services as notifications
    from forum.incidents import services as incidents
    from forum.notifications.kinds import Kind, incident_detail, moderation_detail, redaction_detail
    from forum.questions import services as questions
    from forum.tickets import services as tickets
    from forum.tickets.models import CannedReply
    from forum.verification import services as verification

    asker = create_user("alice", reputation=20_000, locale=None)
    helper = create_user("bob", reputation=20_000)
    staff = create_user("sam", role="staff")
    moderator = create_user("mona", role="moderator")
    with unit_of_work():
        db.session.execute(sa.delete(CannedReply))  # the migrations' Chinese samples are staff content
        db.session.add(CannedReply(title="Zebra greeting", body="Zebra lamp reply text"))
        q = questions.ask_question(asker, title="Zebra lamp flickers every evening",
                                   body="My zebra lamp flickers every evening after dinner, what can I try?",
                                   tags=["zebra"], category="orders")
        q2 = questions.ask_question(asker, title="Zebra lamp cable is too short",
                                    body="The zebra lamp cable is too short for my desk, can I extend it?",
                                    tags=["zebra"], category="complaints")
        q3 = questions.ask_question(helper, title="Walrus kettle whistles too loudly",
                                    body="My walrus kettle whistles too loudly in the morning, any hints?",
                                    tags=["walrus"], category="account")
    with unit_of_work():
        answer = questions.post_answer(helper, q.id, body="Swap the zebra lamp bulb for a warmer one, then retry.")
        questions.post_comment(asker, question_id=q.id, body="Thanks bob, trying the zebra bulb tonight.")
        questions.edit_question(asker, q.id, title="Zebra lamp flickers every evening at home",
                                body="My zebra lamp flickers every evening after dinner, what can I try now?",
                                tags=["zebra"], category="orders")
        questions.edit_answer(helper, answer.id, body="Swap the zebra lamp bulb for a warmer one, then retry it.")
        other_answer = questions.post_answer(moderator, q.id, body="Zebra lamps also flicker on a weak dimmer switch.")
        questions.accept_answer(asker, answer.id)
        verification.verify_answer(staff, answer.id, "Zebra checked")
        moderation.flag_post(helper, "question", q2.id, flag_kind="spam", note="Zebra remark")
        moderation.close_question(moderator, q3.id, reason="needs_details")
        moderation.add_watched_word(moderator, pattern="zebrafish", action="hold")
    with unit_of_work():
        held = questions.ask_question(helper, title="Zebrafish tank lamp keeps buzzing",
                                      body="The zebrafish tank lamp keeps buzzing at night, is it broken?",
                                      tags=["zebra"], category="other")
    assert held.is_held
    with unit_of_work():
        ticket = tickets.escalate_question(asker, q.id, category="orders", description="Zebra lamp ticket details",
                                           order_number="ZEBRA42", contact_channel="email",
                                           contact="alice@example.com")
        other = tickets.escalate_question(asker, q2.id, category="complaints", description="Zebra cable ticket",
                                          contact_channel="phone", contact="555 0100")
    with unit_of_work():
        tickets.add_message(staff, ticket.id, "Zebra reply from support")
        tickets.add_message(staff, ticket.id, "Zebra internal remark", internal=True)
        tickets.update_ticket(staff, ticket.id, priority="high", tier=2, reason="Zebra lamp needs specialists",
                              assignee="sam", status="pending")
        tickets.add_message(asker, ticket.id, "Zebra reply from alice")
        tickets.merge_ticket(staff, other.id, ticket.id)
        tickets.publish_resolution(staff, ticket.id, "Zebra fix summary for everyone reading")
        tickets.update_ticket(staff, ticket.id, status="solved")
    with unit_of_work():
        tickets.rate_ticket(asker, ticket.id, rating=5, comment="Zebra thanks")
    with unit_of_work():
        late = tickets.escalate_question(helper, q3.id, category="account", description="Walrus kettle ticket")
    with unit_of_work():
        tickets.sweep(now=utcnow() + timedelta(days=30))
    with unit_of_work():
        incident = incidents.create_incident(staff, title="Zebra lamp outage", category="orders",
                                             keywords=["zebra lamp"], body="Zebra lamps flicker for everyone")
        incidents.link_question(staff, incident.id, question_id=q.id)
        incidents.update_incident(staff, incident.id, status="monitoring", message="Zebra fix rolling out")
        incidents.set_affected(helper, incident.id, True)
    with unit_of_work():
        details = {Kind.BADGE: "verified", Kind.TICKET_REPLY: ticket.number,
                   Kind.TICKET_STATUS: f"{ticket.number} open", Kind.TICKET_NEW: late.number,
                   Kind.TICKET_BREACH_NEAR: late.number,
                   Kind.MODERATION: moderation_detail("closed", title="Zebra", reason="needs_details"),
                   Kind.REVISION_REDACTED: redaction_detail(1, "Zebra redaction reason"),
                   Kind.WEBHOOK_DISABLED: "1|3|https://crm.example.com/hooks/forum",
                   Kind.INCIDENT_RESOLVED: incident_detail(incident.id, "Zebra lamp outage")}
        for kind in Kind:
            notifications.notify([asker.id], kind, actor_id=helper.id, question_id=q.id,
                                 answer_id=answer.id if "answer" in kind.value else None,
                                 ticket_id=ticket.id if kind.value.startswith("ticket") else None,
                                 detail=details.get(kind, ""))
        auth.issue_token(asker, "zebra token")
    totp = create_user("zebra_two_step")
    reset_token = secrets.token_urlsafe(32)
    with unit_of_work():
        db.session.get(User, totp.id).totp_secret = pyotp.random_base32()
        now = utcnow()
        db.session.add(PasswordReset(user_id=asker.id, token_hash=auth._token_digest(reset_token), created_at=now,
                                     expires_at=now + auth.RESET_VALID_FOR))
    admin = create_user("ada", role="admin")
    webhook_id = add_webhook(admin, description="Zebra lamp desk")
    return Ids(users={"member": asker.username, "staff": staff.username, "moderator": moderator.username,
                      "admin": admin.username},
               question=q.id, answer=answer.id, other_answer=other_answer.id, closed_question=q3.id,
               ticket=ticket.id, held_question=held.id, tag="zebra", search="zebra", reset_token=reset_token,
               unsubscribe_token=notifications.unsubscribe_url(asker.id).rsplit("/", 1)[1],
               totp_user=totp.username, incident=incident.id,
               extra={"merged": other.id, "late": late.id, "asker": asker, "webhook": webhook_id})


def content_words() -> frozenset[str]:
    """The words of the seeded content and the queries typed (every string literal of `seed` and
    `more_pages`): member content, not interface."""
    import ast
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(seed) + inspect.getsource(more_pages)))
    literals = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    return frozenset(w.lower() for text in literals for w in WORD.findall(text))


def more_pages(ids: Ids) -> list[Page]:
    """Beyond every_page's list: the states this seed adds (a merged ticket, a breached one, the
    desk filtered, search without hits, the thread as staff see it)."""
    q, t = ids.question, ids.ticket
    return [Page("/?tab=unanswered", "visitor", "questions.index"),
            Page("/search?q=nothingmatches", "visitor", "search.search"),
            Page("/reset-password/not-a-token", "visitor", "auth.reset_password", status=404),
            Page("/questions/999999", "visitor", "errors.404", status=404),
            Page(f"/tickets/{ids.extra['merged']}", "member", "tickets.show"),
            Page(f"/answers/{ids.answer}/edit", "member", "questions.edit_answer"),
            Page(f"/tickets/{ids.extra['late']}", "staff", "tickets.show"),
            Page("/staff/tickets?status=solved&assignee=me", "staff", "tickets.desk"),
            Page(f"/questions/{q}", "staff", "pages.show_question"),
            Page(f"/tickets/{t}", "staff", "tickets.show")]


def emails(ids) -> list[tuple[str, str]]:
    """(subject, text + HTML) of every e-mail the forum writes, in both languages."""
    from forum.notifications import services as notifications
    from forum.notifications.models import Notification, OutgoingEmail

    out = []
    user = ids.extra["asker"]
    rows = list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)))
    for locale in ("zh_CN", "en"):
        user.locale = locale
        for row in rows:
            subject, text, html = notifications._render_email(user, [row])
            out.append((locale, f"{row.kind} {subject}", text + "\n" + visible_text(html)))
        subject, text, html = notifications._render_email(user, rows)
        out.append((locale, "digest", subject + "\n" + text + "\n" + visible_text(html)))
        for subject, template, context in (
                ("Reset your password", "reset", {"link": "https://forum.example/reset-password/x"}),
                ("The e-mail address of your account was changed", "email_changed",
                 {"new_email": "a***@example.com", "support_link": "https://forum.example/support"})):
            notifications.send_account_email(user, subject, template, **context)
            mail = [row for row in db.session.new if isinstance(row, OutgoingEmail)][-1]
            out.append((locale, template, mail.subject + "\n" + mail.body_text + "\n" + visible_text(mail.body_html)))
            db.session.expunge(mail)
    db.session.rollback()
    return out


@pytest.fixture
def seeded(client, create_user):
    return seed(create_user)


def test_every_page_and_e_mail_speaks_its_language(app, client, seeded):
    values, messages = raw_values(), english_messages()
    assert {"orders", "pending", "new_answer", "needs_details"} <= values and len(messages) > 100
    judge = {"values": values, "messages": messages, "content_words": content_words(),
             "bilingual": bilingual_messages()}
    problems = []
    signed_in_as = object()
    # Grouped by who views them: one sign-in each (both languages come from Accept-Language).
    for page in sorted(pages(app, seeded) + more_pages(seeded), key=lambda p: (p.role, p.needs or "")):
        if (page.role, page.needs) != signed_in_as:
            client.post("/logout")
            if page.needs == "second_step":
                sign_in_second_step(lambda data: client.post("/login", data=data), seeded)
            elif page.role != "visitor":
                response = client.post("/login", data={"login": seeded.users[page.role], "password": PASSWORD})
                assert response.status_code == 302, (page.name, response.get_data(as_text=True)[:300])
            signed_in_as = (page.role, page.needs)
        for language, headers in (("zh", ZH), ("en", EN)):
            response = client.get(page.url, headers=headers)
            assert response.status_code == page.status, (page.name, response.status_code)
            text = visible_text(response.get_data(as_text=True))
            problems += [f"{language} {page.name}: {d}" for d in defects(text, language, **judge)]
    for locale, name, text in emails(seeded):
        language = "zh" if locale.startswith("zh") else "en"
        problems += [f"{language} e-mail {name}: {d}" for d in defects(text, language, **judge)]
    assert problems == [], "\n" + "\n".join(problems)


def test_the_scan_sees_what_it_must():
    values, messages = {"orders", "new_answer"}, ["Resolution from official support"]
    html = ('<p>分类 orders</p><input placeholder="me / none"><button value="x">Resolution from official support'
            '</button><span lang="zh-CN">简体中文</span><script>var orders = 1;</script>')
    zh = defects(visible_text(html), "zh", values=values, messages=messages)
    assert "raw value: 'orders' in '分类 orders'" in zh and "untranslated: 'Resolution from official support'" in zh
    assert "English: 'me / none'" in zh
    assert defects(visible_text("<p>Category: 订单</p>"), "en", values=values, messages=messages)
    assert defects(visible_text('<p lang="zh-CN">简体中文</p><p title="new_answer">x</p>'), "en",
                   values=values, messages=messages) == ["raw value: 'new_answer'"]
    # Links, e-mail addresses and the search box's operators are not words of the interface.
    assert defects("见 https://example.com/orders 或 is:orders", "zh", values=values, messages=messages) == []
