"""Sending e-mail: SMTP with the FORUM_MAIL_* settings, or the log when no server is configured."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app

log = logging.getLogger("forum.mail")


def send(to: str, subject: str, text: str, html: str, unsubscribe_url: str = "") -> None:
    """Send one message; raises on failure (the caller retries)."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = formataddr((cfg.get("FORUM_MAIL_SENDER_NAME", "Support Community"),
                                  cfg.get("FORUM_MAIL_SENDER", "noreply@localhost")))
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="forum.local")
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    server = cfg.get("FORUM_MAIL_SERVER")
    if not server:
        log.info("e-mail (no FORUM_MAIL_SERVER, so logged) to %s: %s\n%s", to, subject, text)
        return
    port = int(cfg.get("FORUM_MAIL_PORT") or 25)
    with smtplib.SMTP(server, port, timeout=20) as smtp:
        if cfg.get("FORUM_MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("FORUM_MAIL_USERNAME"):
            smtp.login(cfg["FORUM_MAIL_USERNAME"], cfg.get("FORUM_MAIL_PASSWORD") or "")
        smtp.send_message(message)
