"""The SMTP receiver (aiosmtpd) that `flask --app forum mail inbound` runs.

aiosmtpd speaks SMTP on an asyncio loop in a thread of its own; the database work of each message
runs in a worker thread with its own application context (and so its own session), never on the
loop. Recipients are checked at RCPT (another domain, an unknown mailbox or a forged reply token is
refused there, before any data is sent); the sender and the content at the end of DATA. A message
larger than FORUM_MAIL_INBOUND_MAX_MB is refused by aiosmtpd itself with 552 (announced in EHLO as
SIZE, so a well-behaved client is refused at MAIL FROM already), and logged here.

It is meant to sit behind the site's mail server (Postfix: README, "Incoming mail"), on a local or
private address: it does no TLS, no authentication and no spam or SPF/DKIM/DMARC checks itself.
"""
from __future__ import annotations

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from flask import Flask

from forum.mailin import services

log = logging.getLogger("forum.mailin")


class _SMTP(SMTP):
    async def push(self, status: str) -> None:
        if status.startswith("552"):
            log.warning("incoming mail refused (552): larger than %d bytes; from %s, peer %s", self.data_size_limit,
                        self.envelope.mail_from if self.envelope else "?", self.session.peer if self.session else "?")
        await super().push(status)


class Handler:
    def __init__(self, app: Flask):
        self.app = app

    def _in_app(self, function, *args):
        with self.app.app_context():
            return function(*args)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            self._in_app(services.recipient, address)
        except services.Refused as refusal:
            log.warning("incoming mail refused at RCPT (%s): %s; from %s, peer %s", refusal.reply[:3], refusal.reason,
                        envelope.mail_from, session.peer)
            return refusal.reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        loop = asyncio.get_running_loop()
        answers = []
        for address in envelope.rcpt_tos:
            answers.append(await loop.run_in_executor(None, self._in_app, services.deliver, address,
                                                      envelope.original_content or envelope.content))
        # One answer for the whole message (SMTP, unlike LMTP, has no answer per recipient): a refusal
        # if any, so that the sender hears of it.
        refused = [answer for answer in answers if not answer.startswith("2")]
        return refused[0] if refused else (answers[0] if answers else "554 5.5.1 No valid recipients")


class InboundController(Controller):
    def __init__(self, app: Flask, hostname: str, port: int):
        self.forum_app = app
        super().__init__(Handler(app), hostname=hostname, port=port, ready_timeout=10.0)

    def factory(self):
        with self.forum_app.app_context():
            limit = services.max_bytes()
        return _SMTP(self.handler, data_size_limit=limit, enable_SMTPUTF8=True, decode_data=False,
                     hostname=self.forum_app.config.get("FORUM_MAIL_INBOUND_DOMAIN") or None,
                     ident="Support Community inbound mail")
