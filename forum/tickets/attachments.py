"""Attachments on tickets: screenshots, PDFs (a bank statement, a receipt) and text or log files.

Private like the ticket: only its requester and staff may fetch one, anyone else is told it does not
exist; never indexed, never in a published resolution, unless staff choose an image that shows no
private details: that image is then copied, re-encoded, into a public upload of theirs
(`publish_images`); the attachment itself stays private. What is kept is checked first:
- an image is re-encoded exactly like an image in a post (forum.uploads.images: EXIF and GPS gone,
  upright, at most 2,048 px on its long side), never kept as sent;
- a PDF must start with `%PDF-`, end with `%%EOF`, and hold no other file (a ZIP or HTML page);
- text must be UTF-8 or GB18030 (kept as UTF-8) without NUL characters;
anything else is refused, as is a file above FORUM_TICKET_ATTACHMENT_MAX_MB.

The same functions serve the API, the ticket page and the e-mail receiver (a reply's attachments).
"""
from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from forum.auth.models import User
from forum.core.db import is_row_id, on_commit, utcnow
from forum.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from forum.core.permissions import signed_in
from forum.extensions import db
from forum.tickets.models import Status, Ticket, TicketAttachment, TicketMessage
from forum.uploads import images, storage

AREA = "attachments"
# A ticket holds at most this many attachments (a conversation, not a file store).
PER_TICKET_MAX = 30
PDF = "application/pdf"
TEXT = "text/plain; charset=utf-8"
_TEXT_EXTENSIONS = (".txt", ".log", ".csv", ".json", ".xml", ".md", ".ini", ".conf", ".yaml", ".yml")
# A page or a drawing a browser would render (and run scripts in), sent as "text": refused.
_MARKUP_START = re.compile(r"\A\s*<(?:\?xml|svg|html|!doctype|head|body|script)\b", re.IGNORECASE)
_MARKUP_NAMES = (".svg", ".svgz", ".html", ".htm", ".xhtml", ".xht", ".shtml", ".mht", ".js")
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


def _refuse(message: str, code: str) -> ValidationFailed:
    error = ValidationFailed({"file": [message]})
    error.code = code
    return error


def max_bytes_of(config) -> int:
    return int(float(config.get("FORUM_TICKET_ATTACHMENT_MAX_MB") or 10) * 1024 * 1024)


def max_bytes() -> int:
    return max_bytes_of(current_app.config)


def too_large_message() -> str:
    """The refusal of a file above FORUM_TICKET_ATTACHMENT_MAX_MB, naming the limit: `check_file`'s,
    and the attachment endpoints' when the request body is refused before it is read."""
    return _("The file is too large: at most %(mb)s MB.", mb=_megabytes(max_bytes()))


def file_response(attachment: TicketAttachment, data: bytes):
    """The HTTP answer for an attachment: its type; images shown inline, anything else a download
    (`filename*` per RFC 5987 for Chinese names); private (no shared cache), never indexed, and
    nothing in it may run if opened on its own."""
    from flask import send_file

    # A stored file never changes, so its key is its validator: a client that has it gets a 304.
    response = send_file(io.BytesIO(data), mimetype=attachment.content_type, as_attachment=not attachment.is_image,
                         download_name=attachment.filename, max_age=0, conditional=True, etag=attachment.key)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def clean_filename(filename: str | None, extension: str | None = None) -> str:
    """A file name safe to show and to offer for download: no folders, no control characters or
    quotes, at most 120 characters; `extension` (without the dot) replaces the one it had."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE_NAME.sub("_", name).strip(" ._") or "attachment"
    if extension:
        stem = name.rsplit(".", 1)[0] if "." in name else name
        name = f"{stem or 'attachment'}.{extension}"
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:110] + dot + ext[:9]) if dot and len(ext) < 10 else name[:120]
    return name


def _is_pdf(data: bytes) -> bool:
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        return False
    # A PDF that is a ZIP too, or has an HTML page or script glued after its end, is not just a PDF.
    tail = data[data.rfind(b"%%EOF") + 5:]
    return b"PK\x05\x06" not in data[-65_600:] and not tail.strip(b"\r\n \t\x00")


def _as_text(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Control characters other than tabs, line ends and form feeds mean a binary file.
        if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
            return None
        return text
    return None


def check_file(filename: str | None, content_type: str | None, data: bytes) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) to keep for an attachment, or ValidationFailed (field `file`).
    `content_type` as the sender declared it is only a hint: what is kept is decided by the bytes."""
    if not data:
        raise _refuse(_("The file is empty."), "empty_file")
    if len(data) > max_bytes():
        raise _refuse(too_large_message(), "too_large")
    if images.sniff(data):
        encoded = images.reencode(data)
        return clean_filename(filename, encoded.extension), encoded.content_type, encoded.data
    if data.startswith(b"%PDF-"):
        if not _is_pdf(data):
            raise _refuse(_("This PDF is damaged or has another file hidden in it."), "bad_pdf")
        return clean_filename(filename, "pdf"), PDF, data
    declared = (content_type or "").split(";")[0].strip().lower()
    text = _as_text(data) if declared in ("", "text/plain", "application/octet-stream", "text/x-log") else None
    if text is not None and (_MARKUP_START.match(text) or (filename or "").lower().endswith(_MARKUP_NAMES)):
        text = None
    if text is None:
        raise _refuse(_("Attach an image (PNG, JPEG, WebP, GIF), a PDF or a plain text or log file."), "file_type")
    name = clean_filename(filename)
    if not name.lower().endswith(_TEXT_EXTENSIONS):
        name = clean_filename(name, "txt")
    return name, TEXT, text.encode("utf-8")


def _megabytes(limit: int) -> str:
    value = limit / 1024 / 1024
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _may_write(ticket: Ticket, actor: User) -> None:
    if not (actor.role.is_staff or ticket.requester_id == actor.id):
        raise NotFound(_("No such ticket."))
    if ticket.status is Status.CLOSED or ticket.merged_into_id is not None:
        raise Conflict(_("This ticket is closed. Open a new one if you still need help."), code="ticket_closed")


def add_attachment(ticket: Ticket, uploader: User, filename: str, content_type: str | None,
                   data: bytes) -> TicketAttachment:
    """Check, store and record a file on `ticket` for `uploader` (its requester or staff). The file
    is not on any message yet: `attach_to_message` puts it there (the API's `"attachments": [ids]`).

    Raises NotFound (not the requester nor staff), Conflict (closed or merged ticket),
    ValidationFailed with field `file` (empty, too large, a type not allowed, an image that cannot be
    read or has too many pixels, a damaged PDF; codes: empty_file, too_large, file_type,
    not_an_image, polyglot, too_many_pixels, bad_pdf, too_many_files)."""
    _may_write(ticket, uploader)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(TicketAttachment)
                              .where(TicketAttachment.ticket_id == ticket.id))
    if count >= PER_TICKET_MAX:
        raise _refuse(_("This ticket has %(count)s attachments already, the most it can hold.", count=PER_TICKET_MAX),
                      "too_many_files")
    name, kept_type, kept = check_file(filename, content_type, data)
    key = storage.new_key()
    attachment = TicketAttachment(ticket_id=ticket.id, uploader_id=uploader.id, key=key, filename=name,
                                  content_type=kept_type, size=len(kept), created_at=utcnow())
    db.session.add(attachment)
    db.session.flush()
    # Written before the commit: a rolled-back request leaves a file without a row, which
    # `forum.uploads.services.sweep` removes; the other way round would leave a row without a file.
    storage.write(AREA, key, kept)
    return attachment


def upload_attachment(actor, ticket_id, filename: str, content_type: str | None, data: bytes) -> TicketAttachment:
    """The API's and the ticket page's way in: `add_attachment` for a signed-in actor and a ticket id.
    Raises PermissionDenied (not signed in), NotFound, Conflict, ValidationFailed."""
    if not signed_in(actor) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    ticket = db.session.get(Ticket, ticket_id) if is_row_id(ticket_id) else None
    if ticket is None:
        raise NotFound(_("No such ticket."))
    return add_attachment(ticket, actor, filename, content_type, data)


def attach_to_message(message: TicketMessage, attachment_ids: Iterable) -> list[TicketAttachment]:
    """Put attachments added to the message's ticket (and on no message yet) on `message`. Its author
    may attach only what they uploaded themselves; staff may attach any of the ticket's.

    Raises ValidationFailed (field `attachments`) when an id is not such an attachment."""
    ids = list(dict.fromkeys(attachment_ids or ()))
    if not ids:
        return []
    if len(ids) > PER_TICKET_MAX or not all(is_row_id(i) for i in ids):
        raise ValidationFailed({"attachments": [_("Unknown attachment.")]})
    found = db.session.scalars(sa.select(TicketAttachment).where(
        TicketAttachment.id.in_(ids), TicketAttachment.ticket_id == message.ticket_id,
        TicketAttachment.message_id.is_(None)).with_for_update()).all()
    author = message.author or db.session.get(User, message.author_id)
    allowed = [a for a in found if a.uploader_id == message.author_id or author.role.is_staff]
    if len(allowed) != len(ids):
        raise ValidationFailed({"attachments": [_("Unknown attachment, or one already sent with a message.")]})
    for attachment in allowed:
        attachment.message_id = message.id
    db.session.flush()
    return sorted(allowed, key=lambda a: a.id)


def visible_attachments(ticket: Ticket, viewer: User) -> list[TicketAttachment]:
    """The ticket's attachments that `viewer` may see: staff all of them; the requester those on
    public messages and those they added themselves (not yet sent, or sent with a message)."""
    query = sa.select(TicketAttachment).where(TicketAttachment.ticket_id == ticket.id)
    if not viewer.role.is_staff:
        public_message = sa.select(TicketMessage.id).where(TicketMessage.ticket_id == ticket.id,
                                                          TicketMessage.internal.is_(False))
        query = query.where(sa.or_(TicketAttachment.uploader_id == viewer.id,
                                   TicketAttachment.message_id.in_(public_message)))
    return list(db.session.scalars(query.order_by(TicketAttachment.id)))


def get_attachment(actor, ticket_id, attachment_id) -> tuple[TicketAttachment, bytes]:
    """An attachment and its bytes, for the ticket's requester (what `visible_attachments` lists)
    and staff. Anyone else, and any unknown id, gets NotFound."""
    if not signed_in(actor) or not actor.is_active:
        raise NotFound(_("No such attachment."))
    ticket = db.session.get(Ticket, ticket_id) if is_row_id(ticket_id) else None
    if ticket is None or not (actor.role.is_staff or ticket.requester_id == actor.id):
        raise NotFound(_("No such attachment."))
    attachment = db.session.get(TicketAttachment, attachment_id) if is_row_id(attachment_id) else None
    if attachment is None or attachment.ticket_id != ticket.id or attachment not in visible_attachments(ticket, actor):
        raise NotFound(_("No such attachment."))
    data = storage.read(AREA, attachment.key)
    if data is None:
        raise NotFound(_("No such attachment."))
    return attachment, data


def erase_attachments(ticket_ids: Iterable[int]) -> int:
    """Delete every attachment of these tickets (the retention clean-up, forum.tickets.services.
    erase_private_details): the rows, names included, in this transaction; the files once it
    commits, so that a rolled-back clean-up keeps both (a process that dies in between leaves files
    no row wants, which `uploads sweep` removes). Returns how many. Flushes only."""
    ids = list(ticket_ids)
    if not ids:
        return 0
    keys = list(db.session.scalars(sa.delete(TicketAttachment).where(TicketAttachment.ticket_id.in_(ids))
                                   .returning(TicketAttachment.key)))
    db.session.flush()
    if keys:
        on_commit(lambda: _remove_files(keys))
    return len(keys)


def _remove_files(keys: list[str]) -> None:
    for key in keys:
        storage.remove(AREA, key)


def publish_images(actor: User, ticket: Ticket, attachment_ids: Iterable[int]) -> list:
    """Copy the chosen image attachments of `ticket` into public uploads owned by `actor` (staff
    publishing the resolution), re-encoded again by forum.uploads as any image in a post; returns the
    uploads (forum.uploads.models.Upload), in the order chosen. Staff chose them as showing no
    private details: the pixels cannot be checked.

    Raises ValidationFailed (field `images`) when an id is not one of the ticket's image attachments
    or an image cannot be made a post's image (too large for one, say)."""
    from forum.uploads import services as uploads

    ids = list(dict.fromkeys(attachment_ids or ()))
    if not ids:
        return []
    found = {a.id: a for a in db.session.scalars(sa.select(TicketAttachment).where(
        TicketAttachment.id.in_(ids), TicketAttachment.ticket_id == ticket.id))}
    if any(i not in found or not found[i].is_image for i in ids):
        raise ValidationFailed({"images": [_("Choose among this ticket's images.")]})
    published = []
    for attachment_id in ids:
        data = storage.read(AREA, found[attachment_id].key)
        if data is None:
            raise ValidationFailed({"images": [_("Choose among this ticket's images.")]})
        try:
            published.append(uploads.upload_image(actor, data))
        except ValidationFailed as refused:
            raise ValidationFailed({"images": [m for ms in refused.fields.values() for m in ms]}) from None
    return published


def is_known_key(key: str) -> bool:
    """Whether an attachment row still wants the file called `key` (for the uploads sweep)."""
    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(TicketAttachment)
                                  .where(TicketAttachment.key == key)))
