"""E-mail into tickets, end to end: real mail sent with smtplib to the real receiver
(`flask --app forum mail inbound`'s aiosmtpd server, on a free port in a thread), in Chinese and
English, on SQLite and PostgreSQL."""
from __future__ import annotations

import logging
import smtplib
import socket
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, make_msgid

import pytest
import sqlalchemy as sa
from flask import current_app

from forum.core.db import unit_of_work
from forum.extensions import db
from forum.mailin.models import InboundEmail
from forum.mailin.server import InboundController
from forum.notifications.models import OutgoingEmail
from forum.tickets import services as tickets
from forum.tickets.models import Status, Ticket, TicketEvent, TicketMessage
from forum.tickets.reply_address import reply_address

DOMAIN = "mail.example.com"


@pytest.fixture
def inbound(ctx):
    """The receiver on a free local port for DOMAIN; yields its port."""
    ctx.config["FORUM_MAIL_INBOUND_DOMAIN"] = DOMAIN
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = InboundController(ctx, "127.0.0.1", port)
    controller.start()
    yield port
    controller.stop()
    ctx.config["FORUM_MAIL_INBOUND_DOMAIN"] = None
    ctx.config["FORUM_MAIL_INBOUND_MAX_MB"] = 25


@pytest.fixture
def ticket_of(create_ticket, create_user, staff):
    """A ticket by a requester with a known address, and a staff member."""
    requester = create_user("lilei", email="LiLei@Example.com")
    ticket = create_ticket(asker=requester)
    return ticket, requester, staff


def send(port: int, message, *, to: str, sender: str | None = None):
    """Send `message` (bytes or a Message) with smtplib; returns sendmail's refusals (raises on 5xx)."""
    data = crlf(message if isinstance(message, bytes) else message.as_bytes())
    db.session.commit()  # the test's own transaction must not hold SQLite's write lock
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
        result = smtp.sendmail(sender or "bounce@example.net", [to], data)
    db.session.expire_all()
    return result


def crlf(data: bytes) -> bytes:
    """SMTP's line ends (smtplib sends bytes as they are)."""
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def plain(sender: str, to: str, subject: str, body: str, *, charset: str = "utf-8", cte: str = "base64",
          message_id: str | None = None) -> bytes:
    """A text/plain mail as a client writes it: subject RFC 2047 encoded in `charset`, body in
    `charset` with the transfer encoding `cte` (base64 or quoted-printable)."""
    part = MIMEText(body, "plain", charset)
    if cte == "quoted-printable":
        del part["Content-Transfer-Encoding"]
        import quopri

        part.set_payload(quopri.encodestring(body.encode(charset)).decode("ascii"))
        part["Content-Transfer-Encoding"] = "quoted-printable"
    part["Subject"] = Header(subject, charset)
    part["From"] = sender
    part["To"] = to
    part["Message-ID"] = message_id or make_msgid(domain="client.example")
    return part.as_bytes()


def messages_of(ticket) -> list[TicketMessage]:
    return list(db.session.scalars(sa.select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
                                   .order_by(TicketMessage.id)))


ZH_GMAIL = ("我按照您说的清除了缓存，重新付款还是失败，提示“银行卡余额不足”，但卡里有钱。\n\n"
            "在 2026年12月1日 周二 10:30，Support Community <\nticket+x@mail.example.com> 写道：\n"
            "> 您好，请清除缓存后重试。\n> 客服小王\n")
EN_GMAIL = ("It worked after I cleared the cache, thank you!\n\n"
            "On Tue, Dec 1, 2026 at 10:30 AM Support Community <ticket+x@mail.example.com> wrote:\n"
            "> Please clear the cache and try again.\n")
EN_OUTLOOK = ("Please ask the customer to send the bank statement.\n\n"
              "________________________________\n"
              "From: Support Community <noreply@example.com>\n"
              "Sent: Tuesday, December 1, 2026 10:30 AM\n"
              "To: Wang <wang@example.com>\n"
              "Subject: Re: TP-2026-000001\n\n"
              "Old text that must not come back.\n")
ZH_OUTLOOK = ("已核实：银行已退款，三个工作日内到账。\n\n"
              "-----原始邮件-----\n"
              "发件人: 李雷 <lilei@example.com>\n"
              "发送时间: 2026年12月1日 10:30\n"
              "收件人: Support Community <noreply@example.com>\n"
              "主题: 回复：TP-2026-000001\n\n"
              "我的钱什么时候退？\n")


def test_requester_reply_in_chinese_becomes_a_public_message(inbound, ticket_of):
    ticket, requester, staff = ticket_of
    with unit_of_work():
        tickets.update_ticket(staff, ticket.id, status="pending")
    address = reply_address(ticket.id, requester.id)
    mail = plain("李雷 <lilei@example.com>", address, "回复：您的工单 " + ticket.number, ZH_GMAIL,
                 charset="gb18030")
    assert send(inbound, mail, to=address) == {}
    (message,) = messages_of(ticket)
    assert message.author_id == requester.id and not message.internal
    assert message.body == "我按照您说的清除了缓存，重新付款还是失败，提示“银行卡余额不足”，但卡里有钱。"
    # As a reply on the site: a pending ticket moves back to open, the history tells it.
    assert db.session.get(Ticket, ticket.id).status is Status.OPEN
    kinds = list(db.session.scalars(sa.select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)))
    assert "message" in kinds


def test_staff_reply_in_english_is_a_public_reply_and_the_requester_hears_of_it(inbound, ticket_of):
    ticket, requester, staff = ticket_of
    address = reply_address(ticket.id, staff.id)
    mail = plain(formataddr(("Wang", staff.email)), address, "Re: " + ticket.number, EN_GMAIL,
                 cte="quoted-printable")
    send(inbound, mail, to=address)
    (message,) = messages_of(ticket)
    assert message.author_id == staff.id and not message.internal
    assert message.body == "It worked after I cleared the cache, thank you!"
    assert db.session.get(Ticket, ticket.id).first_responded_at is not None  # the SLA's first response
    # The requester's notification e-mail carries their own reply address.
    email = db.session.scalar(sa.select(OutgoingEmail).where(OutgoingEmail.user_id == requester.id))
    assert email.reply_to == reply_address(ticket.id, requester.id)


def test_staff_mail_to_the_note_address_is_an_internal_note(inbound, ticket_of):
    ticket, requester, staff = ticket_of
    address = reply_address(ticket.id, staff.id, note=True)
    assert address.startswith("ticket+") and "+note@" in address
    send(inbound, plain(staff.email, address, "Re: " + ticket.number, EN_OUTLOOK), to=address)
    (message,) = messages_of(ticket)
    assert message.internal and message.body == "Please ask the customer to send the bank statement."
    # Never told to the requester.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingEmail)
                             .where(OutgoingEmail.user_id == requester.id)) == 0


def test_a_requester_cannot_write_notes_by_mail(inbound, ticket_of):
    ticket, requester, _staff = ticket_of
    address = reply_address(ticket.id, requester.id, note=True)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(inbound, plain(requester.email, address, "Re", "我也想写内部备注"), to=address)
    assert refused.value.smtp_code == 550
    assert messages_of(ticket) == []


def test_staff_e_mails_say_where_replies_and_notes_go(inbound, ticket_of):
    ticket, _requester, staff = ticket_of
    notice = db.session.scalar(sa.select(OutgoingEmail).where(OutgoingEmail.user_id == staff.id))
    assert notice.reply_to == reply_address(ticket.id, staff.id)
    assert reply_address(ticket.id, staff.id, note=True) in notice.body_text


def test_chinese_outlook_reply_from_staff(inbound, ticket_of):
    ticket, _requester, staff = ticket_of
    address = reply_address(ticket.id, staff.id)
    send(inbound, plain(staff.email, address, "回复：" + ticket.number, ZH_OUTLOOK, charset="gb2312",
                        cte="quoted-printable"), to=address)
    (message,) = messages_of(ticket)
    assert message.body == "已核实：银行已退款，三个工作日内到账。"


def test_a_forged_token_is_refused_with_5xx_and_logged(inbound, ticket_of, caplog):
    ticket, requester, _staff = ticket_of
    real = reply_address(ticket.id, requester.id)
    local, domain = real.split("@")
    forged = local[:-3] + ("aaa" if not local.endswith("aaa") else "bbb") + "@" + domain
    other_ticket = real.replace(local.split("+")[1].split(".")[0] + ".", "zz.", 1)  # another ticket id, same signature
    for address in (forged, other_ticket, f"ticket+1.1.abcdefghijklmnopqrstuvwx@{DOMAIN}"):
        with caplog.at_level(logging.WARNING, logger="forum.mailin"), pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(inbound, plain(requester.email, address, "hi", "我还在等回复"), to=address)
        code = refused.value.recipients[address][0]
        assert 500 <= code < 600
    assert messages_of(ticket) == []
    assert "invalid reply address" in caplog.text.lower() or "forged" in caplog.text


def test_mail_for_another_domain_or_mailbox_is_refused(inbound, ticket_of):
    _ticket, requester, _staff = ticket_of
    for address in ("someone@elsewhere.example", f"postmaster-nobody@{DOMAIN}"):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(inbound, plain(requester.email, address, "hi", "relay?"), to=address)
        assert refused.value.recipients[address][0] == 550


def test_a_sender_other_than_the_bound_recipient_is_refused(inbound, ticket_of, create_user, caplog):
    ticket, requester, staff = ticket_of
    stranger = create_user("hanmeimei", email="hmm@example.com")
    address = reply_address(ticket.id, requester.id)
    for sender in (stranger.email, staff.email):  # another member; even staff may not use the requester's address
        with caplog.at_level(logging.WARNING, logger="forum.mailin"), pytest.raises(smtplib.SMTPDataError) as refused:
            send(inbound, plain(sender, address, "Re", "I am the requester, honestly."), to=address)
        assert 500 <= refused.value.smtp_code < 600
    assert messages_of(ticket) == []
    assert "another sender" in caplog.text or "is not the recipient" in caplog.text


def test_an_oversized_mail_is_refused_with_5xx_and_logged(inbound, ticket_of, caplog):
    ticket, requester, _staff = ticket_of
    current_app.config["FORUM_MAIL_INBOUND_MAX_MB"] = 1  # read when a connection opens
    address = reply_address(ticket.id, requester.id)
    big = plain(requester.email, address, "Re", "截图如下。" + "很长的日志" * 150_000)
    assert len(big) > 1024 * 1024
    with caplog.at_level(logging.WARNING, logger="forum.mailin"):
        # smtplib announces the size (SIZE=): refused at MAIL FROM.
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            send(inbound, big, to=address)
        assert refused.value.smtp_code == 552
        # A client that does not announce it is refused after the data.
        db.session.commit()
        with smtplib.SMTP("127.0.0.1", inbound, timeout=20) as smtp:
            smtp.ehlo()
            assert smtp.mail(requester.email)[0] == 250
            assert smtp.rcpt(address)[0] == 250
            code, _text = smtp.data(crlf(big))
        assert code == 552, _text
    assert messages_of(ticket) == []
    assert "larger than" in caplog.text


def test_the_same_message_id_twice_makes_one_message(inbound, ticket_of):
    ticket, requester, _staff = ticket_of
    address = reply_address(ticket.id, requester.id)
    mail = plain(requester.email, address, "Re", "订单号在附件里", message_id="<dup-1@client.example>")
    send(inbound, mail, to=address)
    send(inbound, mail, to=address)  # accepted (250), not taken again
    assert len(messages_of(ticket)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundEmail)) == 1


def test_the_same_message_id_delivered_twice_at_once_makes_one_message(inbound, ticket_of):
    """Two deliveries of one mail at the same moment (a server retrying while the first is still
    being taken, two MX hosts): one message, and both answered 250."""
    from concurrent.futures import ThreadPoolExecutor

    ticket, requester, _staff = ticket_of
    address = reply_address(ticket.id, requester.id)
    sender = requester.email
    data = crlf(plain(sender, address, "Re", "同时送达两次", message_id="<race-1@client.example>"))
    db.session.commit()
    barrier = __import__("threading").Barrier(4)

    def deliver(_):
        with smtplib.SMTP("127.0.0.1", inbound, timeout=30) as smtp:
            smtp.ehlo()
            smtp.mail(sender)
            smtp.rcpt(address)
            barrier.wait()
            return smtp.data(data)[0]

    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(deliver, range(4)))
    db.session.expire_all()
    assert codes == [250] * 4
    assert len(messages_of(ticket)) == 1


def test_a_reply_to_a_closed_ticket_is_refused(inbound, ticket_of):
    ticket, requester, _staff = ticket_of
    with unit_of_work():
        tickets.close_ticket(requester, ticket.id)
    address = reply_address(ticket.id, requester.id)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(inbound, plain(requester.email, address, "Re", "还有问题"), to=address)
    assert refused.value.smtp_code == 550 and b"closed" in refused.value.smtp_error
    assert messages_of(ticket) == []


def test_automatic_replies_are_dropped(inbound, ticket_of):
    ticket, requester, _staff = ticket_of
    address = reply_address(ticket.id, requester.id)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = requester.email, address, "自动回复：我在休假"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content("我在休假，12月8日回来。")
    send(inbound, message, to=address)
    assert messages_of(ticket) == []


def test_mail_to_support_from_a_member_opens_a_ticket_and_answers_with_its_number(inbound, create_user):
    member = create_user("zhangsan", email="zhangsan@example.com", locale="zh_CN")
    html = ("<html><head><style>p{color:red}</style></head><body><p>我的订单一直显示“待发货”，已经五天了。</p>"
            "<p>订单号：A2026120100001<br>谢谢！</p><div>--<br>张三</div></body></html>")
    part = MIMEText(html, "html", "gbk")  # HTML only, as some clients send
    part["Subject"] = Header("订单五天未发货", "gb2312")
    part["From"] = formataddr((str(Header("张三", "utf-8")), "ZhangSan@Example.com"))
    part["To"] = f"support@{DOMAIN}"
    part["Message-ID"] = make_msgid()
    send(inbound, part.as_bytes(), to=f"support@{DOMAIN}")
    ticket = db.session.scalar(sa.select(Ticket).where(Ticket.requester_id == member.id))
    assert ticket.category == "other" and ticket.question_id is None
    assert ticket.subject == "订单五天未发货"
    assert ticket.description.startswith("我的订单一直显示“待发货”，已经五天了。")
    assert "订单号：A2026120100001" in ticket.description and "张三" not in ticket.description
    assert ticket.contact_channel.value == "email"
    answer = db.session.scalar(sa.select(OutgoingEmail).where(OutgoingEmail.user_id == member.id))
    assert ticket.number in answer.subject and ticket.number in answer.body_text
    assert "我们已收到" in answer.subject or "received" in answer.subject.lower()
    assert answer.reply_to == reply_address(ticket.id, member.id)


def test_mail_to_support_in_english_from_a_member(inbound, create_user):
    member = create_user("mary", email="mary@example.com", locale="en")
    mail = plain("Mary <mary@example.com>", f"support@{DOMAIN}", "Refund not received",
                 "I returned the order two weeks ago and still have no refund.\n\n-- \nMary\nSent from my iPhone\n")
    send(inbound, mail, to=f"support@{DOMAIN}")
    ticket = db.session.scalar(sa.select(Ticket).where(Ticket.requester_id == member.id))
    assert ticket.subject == "Refund not received"
    assert ticket.description == "I returned the order two weeks ago and still have no refund."
    answer = db.session.scalar(sa.select(OutgoingEmail).where(OutgoingEmail.user_id == member.id))
    assert answer.subject == f"We received your request: {ticket.number}"


def test_mail_to_support_opens_tickets_within_the_escalation_budget(inbound, create_user):
    member = create_user("busy", email="busy@example.com")
    saved = {k: current_app.config[k] for k in ("FORUM_RATE_LIMITS", "FORUM_ESCALATION_RATE_LIMIT")}
    current_app.config.update(FORUM_RATE_LIMITS=True, FORUM_ESCALATION_RATE_LIMIT="2 per hour; 20 per day")
    try:
        for n in range(2):
            send(inbound, plain(member.email, f"support@{DOMAIN}", f"问题 {n}", "请帮忙看看"), to=f"support@{DOMAIN}")
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(inbound, plain(member.email, f"support@{DOMAIN}", "问题 3", "请帮忙看看"), to=f"support@{DOMAIN}")
        assert refused.value.smtp_code == 450  # the sending server tries again later
    finally:
        current_app.config.update(saved)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 2


def test_mail_to_support_from_an_unknown_address_answers_how_to_register(inbound, create_user):
    mail = plain("陌生人 <stranger@example.org>", f"support@{DOMAIN}", "退款问题", "我的退款没到账")
    send(inbound, mail, to=f"support@{DOMAIN}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0
    (answer,) = db.session.scalars(sa.select(OutgoingEmail)).all()
    assert answer.to_address == "stranger@example.org" and answer.user_id is None
    assert "/register" in answer.body_text
    # A second mail the same day gets no second answer (forged senders cannot make us a mail cannon).
    send(inbound, plain("stranger@example.org", f"support@{DOMAIN}", "again", "还是没到账"), to=f"support@{DOMAIN}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingEmail)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0


def test_attachments_become_ticket_attachments(inbound, ticket_of, token_for, client):
    ticket, requester, _staff = ticket_of
    address = reply_address(ticket.id, requester.id)
    mail = MIMEMultipart()
    mail["From"], mail["To"], mail["Subject"] = requester.email, address, "Re: 银行流水"
    mail["Message-ID"] = make_msgid()
    mail.attach(MIMEText("银行流水见附件。", "plain", "utf-8"))
    pdf = MIMEApplication(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "pdf")
    pdf.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "银行流水.pdf"))
    mail.attach(pdf)
    send(inbound, mail, to=address)
    data = client.get(f"/api/v1/tickets/{ticket.id}", headers=token_for(requester)).get_json()
    assert [a["filename"] for a in data["attachments"]] == ["银行流水.pdf"]
    # on the message the mail became, so the ticket's thread shows the file beside the reply
    reply = [m for m in data["messages"] if "银行流水见附件" in m["body_html"]]
    assert [a["filename"] for a in reply[0]["attachments"]] == ["银行流水.pdf"]
    fetched = client.get(data["attachments"][0]["url"], headers=token_for(requester))
    assert fetched.status_code == 200 and fetched.data.startswith(b"%PDF-")


def test_a_ticket_opened_by_mail_shows_on_the_requesters_pages_and_the_desk(inbound, create_user, staff, login,
                                                                               client):
    member = create_user("wangwu", email="wangwu@example.com")
    send(inbound, plain(member.email, f"support@{DOMAIN}", "积分没有到账", "上周的订单积分还没到账。"),
         to=f"support@{DOMAIN}")
    ticket = db.session.scalar(sa.select(Ticket).where(Ticket.requester_id == member.id))
    login(member)
    page = client.get(f"/tickets/{ticket.id}")
    assert page.status_code == 200 and "上周的订单积分还没到账。" in page.get_data(as_text=True)
    assert "None" not in page.get_data(as_text=True)
    assert ticket.number in client.get("/tickets").get_data(as_text=True)
    login(staff)
    assert ticket.number in client.get("/staff/tickets").get_data(as_text=True)
    desk_view = client.get(f"/tickets/{ticket.id}")
    assert desk_view.status_code == 200 and "None" not in desk_view.get_data(as_text=True)
