"""Attachments on tickets: the service the API, the ticket page and the e-mail receiver share."""
from __future__ import annotations

import pytest

from forum.core.db import unit_of_work
from forum.core.errors import NotFound, ValidationFailed
from forum.tickets import attachments, services
from forum.uploads import storage
from tests.uploads.images import decode, jpeg_with_gps, pdf


@pytest.fixture
def ticket(create_ticket):
    return create_ticket()


def test_an_image_is_re_encoded_without_exif(ticket):
    with unit_of_work():
        attachment = attachments.add_attachment(ticket, ticket.requester, "截图.jpeg", "image/jpeg", jpeg_with_gps())
    assert attachment.content_type == "image/jpeg" and attachment.filename == "截图.jpg"
    kept = storage.read(attachments.AREA, attachment.key)
    assert kept != jpeg_with_gps() and b"CameraMaker" not in kept
    assert not decode(kept).getexif()


def test_pdf_and_text_kept_checked(ticket):
    with unit_of_work():
        document = attachments.add_attachment(ticket, ticket.requester, "账单.pdf", None, pdf())
        log = attachments.add_attachment(ticket, ticket.requester, "错误日志.log", "text/plain",
                                         "登录失败 error 500\n".encode("gb18030"))
    assert document.content_type == "application/pdf"
    assert log.content_type.startswith("text/plain") and log.filename == "错误日志.log"
    assert storage.read(attachments.AREA, log.key).decode("utf-8") == "登录失败 error 500\n"


@pytest.mark.parametrize("name,data,code", [
    ("a.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "file_type"),
    ("a.exe", b"MZ\x90\x00\x03\x00\x00\x00", "file_type"),
    ("a.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "bad_pdf"),
    ("a.pdf", pdf() + b"<script>alert(1)</script>", "bad_pdf"),
    ("a.png", b"\x89PNG\r\n\x1a\n" + b"PK\x03\x04" + b"\x00" * 40 + b"PK\x05\x06" + b"\x00" * 18, "polyglot"),
    ("a.txt", b"abc\x00def", "file_type"),
    ("empty.txt", b"", "empty_file"),
])
def test_refusals(ticket, name, data, code):
    with pytest.raises(ValidationFailed) as refused:
        attachments.add_attachment(ticket, ticket.requester, name, None, data)
    assert refused.value.code == code and refused.value.fields["file"]


def test_size_cap(ticket, app):
    app.config["FORUM_TICKET_ATTACHMENT_MAX_MB"] = 0.001
    try:
        with pytest.raises(ValidationFailed) as refused:
            attachments.add_attachment(ticket, ticket.requester, "big.txt", None, b"a" * 2000)
        assert refused.value.code == "too_large"
    finally:
        app.config["FORUM_TICKET_ATTACHMENT_MAX_MB"] = 10


def test_others_cannot_add_or_fetch(ticket, create_user):
    stranger = create_user()
    with pytest.raises(NotFound):
        attachments.add_attachment(ticket, stranger, "a.txt", None, b"hello")
    with unit_of_work():
        attachment = attachments.add_attachment(ticket, ticket.requester, "a.txt", None, b"hello")
    with pytest.raises(NotFound):
        attachments.get_attachment(stranger, ticket.id, attachment.id)
    assert attachments.get_attachment(ticket.requester, ticket.id, attachment.id)[1] == b"hello"


def test_message_carries_attachments_and_internal_ones_stay_staff_only(ticket, create_user):
    staff = create_user(role="staff")
    with unit_of_work():
        mine = attachments.add_attachment(ticket, ticket.requester, "a.txt", None, b"hello")
        message = services.add_message(ticket.requester, ticket.id, "附上日志", attachments=[mine.id])
    assert mine.message_id == message.id
    with unit_of_work():
        secret = attachments.add_attachment(ticket, staff, "内部.txt", None, b"internal")
        services.add_message(staff, ticket.id, "内部备注", internal=True, attachments=[secret.id])
    assert [a.id for a in attachments.visible_attachments(ticket, ticket.requester)] == [mine.id]
    assert {a.id for a in attachments.visible_attachments(ticket, staff)} == {mine.id, secret.id}
    with pytest.raises(NotFound):
        attachments.get_attachment(ticket.requester, ticket.id, secret.id)
    # An attachment sent once, or someone else's, cannot be sent again.
    with pytest.raises(ValidationFailed), unit_of_work():
        services.add_message(ticket.requester, ticket.id, "再发一次", attachments=[mine.id])
