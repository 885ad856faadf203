"""Reading an incoming e-mail: addresses, the subject, the text and the attachments, decoded.

Chinese mail comes in every encoding mail clients ever used: RFC 2047 encoded words in headers
(`=?gb2312?B?...?=`), bodies in GB2312, GBK, GB18030, Big5 or UTF-8, quoted-printable or base64,
and from some clients as HTML only. A label of GB2312 or GBK is read as GB18030, their superset:
clients write GBK characters (and GB18030 ones) under the older label, and Python's strict GB2312
codec would turn them into replacement marks. HTML-only mail is made text here (stdlib's HTML
parser: paragraphs and line breaks kept, scripts and styles dropped, quoted blocks marked with
`>` so that forum.mailin.quoting can cut them).
"""
from __future__ import annotations

import email
import hashlib
import re
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import Message
from email.utils import parseaddr
from html import unescape
from html.parser import HTMLParser

# Labels read with a wider codec than their name says.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
                    "euc-cn": "gb18030", "x-euc-cn": "gb18030", "big5": "big5hkscs", "ks_c_5601-1987": "cp949",
                    "iso-8859-1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8", "unknown-8bit": "utf-8"}


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class IncomingMail:
    message_id: str
    sender: str  # the From address, lower case ("" when there is none)
    subject: str
    text: str  # the whole text (quoting not yet removed)
    attachments: list[Attachment] = field(default_factory=list)
    auto_submitted: bool = False  # an automatic reply or bounce (never answered, never a message)


def codec(charset: str | None) -> str:
    name = (charset or "utf-8").strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        "".encode(name)
    except LookupError:
        return "utf-8"
    return name


def decode_bytes(data: bytes, charset: str | None) -> str:
    name = codec(charset)
    try:
        return data.decode(name)
    except UnicodeDecodeError:
        # A wrong label: UTF-8 is the likeliest truth, then GB18030; never fail on a person's mail.
        for other in ("utf-8", "gb18030"):
            try:
                return data.decode(other)
            except UnicodeDecodeError:
                continue
        return data.decode(name, errors="replace")


def decode_header_value(value) -> str:
    """An RFC 2047 header (encoded words in any charset, the GB ones read as GB18030) as text."""
    if value is None:
        return ""
    raw = str(value)
    parts = []
    try:
        chunks = decode_header(raw)
    except (HeaderParseError, ValueError):  # a malformed encoded word: keep the header as it came
        return " ".join(raw.split())
    for chunk, charset in chunks:
        parts.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return " ".join("".join(parts).split())


class _HTMLText(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr",
              "blockquote", "pre", "section", "article", "header", "footer"})
    # Blocks that stand apart as paragraphs (a blank line: Markdown's paragraph break).
    PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr", "blockquote", "pre"})
    SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote = 0
        self.skipping = 0

    def _newline(self):
        if self.lines[-1].strip() or len(self.lines) == 1:
            self.lines.append("")
        else:
            self.lines[-1] = ""

    def _paragraph(self):
        self._newline()
        if len(self.lines) > 1 and self.lines[-2].strip():
            self.lines.append("")

    def _break(self, tag):
        self._paragraph() if tag in self.PARAGRAPHS else self._newline()

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self._break(tag)
            if tag == "blockquote":
                self.quote += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            self._break(tag)

    def handle_startendtag(self, tag, attrs):
        if tag in ("br", "hr"):
            self._newline()

    def handle_data(self, data):
        if self.skipping:
            return
        text = re.sub(r"[ \t\r\n\f\u00a0]+", " ", data)
        if not text.strip() and not self.lines[-1]:
            return
        if not self.lines[-1] and self.quote:
            self.lines[-1] = "> " * self.quote
            text = text.lstrip()
        self.lines[-1] += text


def html_to_text(html: str) -> str:
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    lines = [line.rstrip() for line in parser.lines]
    text = "\n".join(lines)
    return unescape(re.sub(r"\n{3,}", "\n\n", text)).strip()


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if disposition == "attachment":
        return True
    if part.get_filename() and part.get_content_maintype() != "text":
        return True
    return part.get_content_maintype() in ("image", "application", "audio", "video")


def read(data: bytes) -> IncomingMail:
    """The parts of an e-mail that matter here, decoded."""
    message = email.message_from_bytes(data)
    message_id = " ".join(str(message.get("Message-ID") or "").split())[:255]
    if not message_id:
        # Without a Message-ID, the same bytes twice are still the same mail.
        message_id = "<sha256-" + hashlib.sha256(data).hexdigest() + "@no-message-id>"
    # The address from the raw header (a decoded display name may hold commas or angle brackets),
    # else from the decoded one: some clients encode the whole header, address included.
    raw_from = " ".join(str(message.get("From") or "").split())
    _name, sender = parseaddr(raw_from)
    if "@" not in sender or "=?" in sender:
        _name, sender = parseaddr(decode_header_value(raw_from))
    auto = (message.get("Auto-Submitted") or "no").strip().lower() != "no" or \
        (message.get("Precedence") or "").strip().lower() in ("bulk", "junk", "auto_reply") or \
        bool(message.get("X-Autoreply") or message.get("X-Autorespond"))
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        if _is_attachment(part):
            filename = decode_header_value(part.get_filename() or "") or "attachment"
            attachments.append(Attachment(filename=filename[:200], content_type=part.get_content_type(),
                                          data=payload))
            continue
        if part.get_content_type() == "text/plain":
            plain.append(decode_bytes(payload, part.get_content_charset()))
        elif part.get_content_type() == "text/html":
            html.append(decode_bytes(payload, part.get_content_charset()))
    text = "\n".join(plain) if any(p.strip() for p in plain) else "\n".join(html_to_text(h) for h in html)
    return IncomingMail(message_id=message_id, sender=sender.strip().lower(),
                        subject=decode_header_value(message.get("Subject"))[:300],
                        text=text.replace("\r\n", "\n").replace("\r", "\n"), attachments=attachments,
                        auto_submitted=auto)
