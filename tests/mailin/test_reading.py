"""Reading incoming mail without the receiver: the quoted history and signatures of Chinese and
English mail clients, decoding, and the reply addresses' tokens."""
from __future__ import annotations

import re
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from forum.mailin import parsing
from forum.mailin.quoting import latest_reply

# (client, the mail's text, the new part)
CLIENTS = [
    ("gmail zh", ("好的，我再试一次。\n\n在 2026年12月1日 周二 10:30，Support Community <noreply@example.com> 写道：\n"
                 "> 请您清除缓存后重试。\n"), "好的，我再试一次。"),
    ("gmail zh, wrapped", ("好的。\n\n在 2026年12月1日周二 上午10:30，Support Community <\n"
                          "ticket+1.2.abc@mail.example.com> 写道：\n> 请重试。\n"), "好的。"),
    ("qq mail", "收到，谢谢！\n\n李雷 于2026年12月1日 周二 10:30写道：\n> 请重试。\n", "收到，谢谢！"),
    ("gmail en", ("Thanks, that fixed it.\n\nOn Tue, Dec 1, 2026 at 10:30 AM Support Community "
                 "<noreply@example.com> wrote:\n> Please clear the cache.\n"), "Thanks, that fixed it."),
    ("apple mail en, wrapped", ("Thanks.\n\nOn 1 Dec 2026, at 10:30, Support Community <\n"
                               "ticket+1.2.abc@mail.example.com> wrote:\n\n> Please clear the cache.\n"), "Thanks."),
    ("outlook en", ("Still failing.\n\n________________________________\nFrom: Support Community <noreply@example.com>\n"
                   "Sent: Tuesday, December 1, 2026 10:30 AM\nTo: Li Lei <lilei@example.com>\nSubject: Re: TP-2026-000001\n\n"
                   "Please try again.\n"), "Still failing."),
    ("outlook en, no rule", ("Still failing.\n\nFrom: Support Community <noreply@example.com>\n"
                            "Sent: Tuesday, December 1, 2026 10:30 AM\nTo: Li Lei\n\nPlease try again.\n"), "Still failing."),
    ("outlook zh", ("还是不行。\n\n-----原始邮件-----\n发件人: Support Community <noreply@example.com>\n"
                   "发送时间: 2026年12月1日 10:30\n收件人: 李雷 <lilei@example.com>\n主题: 回复：TP-2026-000001\n\n"
                   "请您再试一次。\n"), "还是不行。"),
    ("outlook zh, full-width colons", ("还是不行。\n\n发件人：Support Community\n发送时间：2026年12月1日 10:30\n"
                                      "收件人：李雷\n\n请您再试一次。\n"), "还是不行。"),
    ("foxmail", ("还是不行。\n\n------------------ 原始邮件 ------------------\n发件人: \"Support\"<noreply@example.com>;\n"
                "发送时间: 2026年12月1日(星期二) 上午10:30\n收件人: \"李雷\"<lilei@example.com>;\n\n请您再试一次。\n"),
     "还是不行。"),
    ("signature delimiter", "Thanks for the help.\n\n-- \nLi Lei\nACME Ltd.\n", "Thanks for the help."),
    ("sent from iphone zh", "谢谢\n\n发自我的iPhone\n", "谢谢"),
    ("sent from iphone en", "Thanks\n\nSent from my iPhone\n", "Thanks"),
    ("quoted without attribution", "Done.\n\n> Please try again.\n> Support\n", "Done."),
]


@pytest.mark.parametrize(("client", "text", "expected"), CLIENTS, ids=[c[0] for c in CLIENTS])
def test_the_quoted_history_and_signature_are_cut(client, text, expected):
    assert latest_reply(text) == expected
    assert latest_reply(text.replace("\n", "\r\n")) == expected


def test_ordinary_text_is_kept_whole():
    text = ("My order is from: the app store.\nIt says: payment failed.\n\n订单号：A2026\n发件地址：上海\n"
            "On Monday I tried again.\n在 App 里也试过。")
    assert latest_reply(text) == text


def test_a_reply_that_is_only_quoting_is_empty():
    assert latest_reply("\n\nOn Tue, Dec 1, 2026 Support <a@b.c> wrote:\n> hi\n") == ""


def test_rfc2047_subjects_and_gbk_bodies_under_a_gb2312_label():
    # 镕 is in GBK, not in GB2312: clients label such text gb2312 all the same.
    text = "朱镕基路的快递还没到"
    part = MIMEText("", "plain")
    part.set_payload(text.encode("gbk"))
    del part["Content-Type"]
    part["Content-Type"] = 'text/plain; charset="gb2312"'
    part["Subject"] = "=?gb2312?B?" + __import__("base64").b64encode("镕基：快递".encode("gbk")).decode() + "?="
    part["From"] = "=?utf-8?B?5byg5LiJ?= <ZhangSan@Example.com>"
    mail = parsing.read(part.as_bytes())
    assert mail.subject == "镕基：快递"
    assert mail.text == text
    assert mail.sender == "zhangsan@example.com"


@pytest.mark.parametrize("charset", ["utf-8", "gb18030", "gbk", "big5"])
def test_bodies_in_each_charset_and_transfer_encoding(charset):
    text = "退款什么时候到账？" if charset != "big5" else "退款什麼時候到賬？"
    for cte in ("base64", "quoted-printable"):
        part = MIMEText(text, "plain", charset)
        if cte == "quoted-printable" and part["Content-Transfer-Encoding"] != "quoted-printable":
            import quopri

            del part["Content-Transfer-Encoding"]
            part.set_payload(quopri.encodestring(text.encode(charset)).decode("ascii"))
            part["Content-Transfer-Encoding"] = "quoted-printable"
        part["Subject"] = Header("退款", charset)
        mail = parsing.read(part.as_bytes())
        assert mail.text.strip() == text and mail.subject == "退款"


def test_html_only_mail_becomes_text_with_quotes_marked():
    html = ("<html><head><style>.x{}</style><script>alert(1)</script></head><body>"
            "<div>第一行&nbsp;内容<br>第二行 &amp; 更多</div><p>Second paragraph</p>"
            "<div class=\"gmail_quote\">在 2026年12月1日 周二 10:30，客服 写道：<blockquote>旧的内容</blockquote></div>"
            "</body></html>")
    multipart = MIMEMultipart("alternative")
    multipart.attach(MIMEText(html, "html", "utf-8"))
    mail = parsing.read(multipart.as_bytes())
    assert "alert" not in mail.text and ".x{}" not in mail.text
    assert "第一行 内容\n第二行 & 更多" in mail.text
    assert "> 旧的内容" in mail.text
    assert latest_reply(mail.text) == "第一行 内容\n第二行 & 更多\n\nSecond paragraph"


def test_plain_text_is_preferred_to_html_and_attachments_are_collected():
    from email.mime.application import MIMEApplication

    multipart = MIMEMultipart("mixed")
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText("纯文本", "plain", "utf-8"))
    alternative.attach(MIMEText("<p>HTML 版本</p>", "html", "utf-8"))
    multipart.attach(alternative)
    pdf = MIMEApplication(b"%PDF-1.4 ...", "pdf")
    pdf.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "收据.pdf"))
    multipart.attach(pdf)
    mail = parsing.read(multipart.as_bytes())
    assert mail.text.strip() == "纯文本"
    assert [(a.filename, a.content_type, a.data) for a in mail.attachments] == [
        ("收据.pdf", "application/pdf", b"%PDF-1.4 ...")]


@pytest.mark.parametrize("header", [
    "=?utf-8?B?5byg5LiJ?= <ZhangSan@Example.com>",  # the name encoded, as it should be
    '"=?utf-8?B?5byg5LiJ?=, =?utf-8?B?5a6i5pyN?=" <zhangsan@example.com>',  # a comma in the name
    "=?utf-8?B?" + __import__("base64").b64encode("张三 <zhangsan@example.com>".encode()).decode() + "?=",  # all of it
])
def test_the_sender_address_in_every_shape_of_from(header):
    part = MIMEText("hi", "plain", "utf-8")
    part["From"] = header
    assert parsing.read(part.as_bytes()).sender == "zhangsan@example.com"


def test_a_mail_without_message_id_is_known_by_its_bytes():
    part = MIMEText("hello", "plain", "utf-8")
    first, again = parsing.read(part.as_bytes()), parsing.read(part.as_bytes())
    assert first.message_id == again.message_id and first.message_id.startswith("<sha256-")


def test_reply_addresses(ctx):
    from forum.tickets import reply_address as addresses

    ctx.config["FORUM_MAIL_INBOUND_DOMAIN"] = "Mail.Example.com"
    try:
        address = addresses.reply_address(123, 45)
        local, domain = address.split("@")
        assert domain == "mail.example.com"
        assert re.fullmatch(r"ticket\+[a-z0-9._=-]+", local)
        big = addresses.reply_address(2**31 - 1, 2**31 - 1, note=True).split("@")[0]
        assert len(big) <= 64 and big.endswith("+note")
        assert addresses.read_local_part(local) == addresses.ReplyAddress(123, 45, False)
        assert addresses.read_local_part(local.upper()) == addresses.ReplyAddress(123, 45, False)
        assert addresses.read_local_part(big).note
        # Bound to the ticket and the person: another ticket, another person, another secret: all
        # unknown.
        token = local.split("+")[1]
        signature = token.split(".")[2]
        assert addresses.read_local_part(f"ticket+{addresses._base36(124)}.{addresses._base36(45)}.{signature}") is None
        assert addresses.read_local_part(f"ticket+{addresses._base36(123)}.{addresses._base36(46)}.{signature}") is None
        assert addresses.read_local_part(local + "+note") == addresses.ReplyAddress(123, 45, True)
        assert addresses.read_local_part(local + "+other") is None
        assert addresses.read_local_part("ticket+../..") is None and addresses.read_local_part("support") is None
        ctx.config["SECRET_KEY"], secret = "another", ctx.config["SECRET_KEY"]
        try:
            assert addresses.read_local_part(local) is None
        finally:
            ctx.config["SECRET_KEY"] = secret
        ctx.config["FORUM_MAIL_INBOUND_DOMAIN"] = None
        assert addresses.reply_address(123, 45) is None
    finally:
        ctx.config["FORUM_MAIL_INBOUND_DOMAIN"] = None
