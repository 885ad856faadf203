"""Sending e-mail: SMTP with the FORUM_MAIL_* settings, or the log when no server is configured."""
from __future__ import annotations

import hashlib
import hmac
import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import urlsplit

from flask import current_app

log = logging.getLogger("forum.mail")


def outbox_message_id(email_id: int) -> str:
    """The Message-ID of the outbox row `email_id`: the same on every (re-)send of that row, so that a
    copy sent twice (a crash between the server's acceptance and the "sent" mark) is recognisable as
    one message; different for every row, and for every installation (an HMAC of the id with the
    secret key), even two sharing a mail server and a host name."""
    cfg = current_app.config
    key = str(cfg["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"outbox-message-id:{email_id}".encode(), hashlib.sha256)
    return f"<forum-mail-{email_id}.{digest.hexdigest()[:16]}@{_message_id_domain(cfg)}>"


def _message_id_domain(cfg) -> str:
    """The host of FORUM_BASE_URL, else the sender's domain."""
    host = urlsplit(cfg.get("FORUM_BASE_URL") or "").hostname
    if not host:
        host = (cfg.get("FORUM_MAIL_SENDER") or "").rpartition("@")[2] or "localhost"
    return host.encode("idna").decode("ascii") if not host.isascii() else host


def send(to: str, subject: str, text: str, html: str, unsubscribe_url: str = "", *,
         message_id: str | None = None, reply_to: str = "") -> None:
    """Send one message with `message_id` (a fresh one if None) and `reply_to` (none if empty);
    raises on failure (the caller retries)."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = formataddr((cfg.get("FORUM_MAIL_SENDER_NAME", "Support Community"),
                                  cfg.get("FORUM_MAIL_SENDER", "noreply@localhost")))
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain=_message_id_domain(cfg))
    if reply_to:
        message["Reply-To"] = reply_to
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    server = cfg.get("FORUM_MAIL_SERVER")
    if not server:
        log.info("e-mail (no FORUM_MAIL_SERVER, so logged) %s to %s%s: %s\n%s", message["Message-ID"], to,
                 f" (Reply-To {reply_to})" if reply_to else "", subject, text)
        return
    port = int(cfg.get("FORUM_MAIL_PORT") or 25)
    with smtplib.SMTP(server, port, timeout=20) as smtp:
        if cfg.get("FORUM_MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("FORUM_MAIL_USERNAME"):
            smtp.login(cfg["FORUM_MAIL_USERNAME"], cfg.get("FORUM_MAIL_PASSWORD") or "")
        smtp.send_message(message)
