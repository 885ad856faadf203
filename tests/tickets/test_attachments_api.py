"""Attachments on tickets through the API: private to the requester and staff."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.uploads.images import decode, jpeg_with_gps, pdf
from tests.uploads.test_uploads import multipart


@pytest.fixture
def ticket(create_ticket):
    return create_ticket()


def _attach(client, headers, ticket_id, data, name):
    body, content_type = multipart(data, name)
    return client.post(f"/api/v1/tickets/{ticket_id}/attachments", headers=headers, data=body,
                       content_type=content_type)


def test_requester_attaches_a_pdf_only_they_and_staff_can_fetch(client, ticket, token_for, create_user):
    requester, staff, stranger = (token_for(ticket.requester), token_for(create_user(role="staff")),
                                  token_for(create_user(reputation=5000)))
    response = _attach(client, requester, ticket.id, pdf(), "银行流水 2026-11.pdf")
    assert response.status_code == 201, response.get_data(as_text=True)
    item = response.get_json()
    assert set(item) >= {"id", "filename", "content_type", "size"}
    assert item["filename"] == "银行流水 2026-11.pdf" and item["content_type"] == "application/pdf"
    url = f"/api/v1/tickets/{ticket.id}/attachments/{item['id']}"
    for headers in (requester, staff):
        fetched = client.get(url, headers=headers)
        assert fetched.status_code == 200 and fetched.get_data() == pdf()
        disposition = fetched.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and f"filename*=UTF-8''{quote('银行流水 2026-11.pdf')}" in disposition
        assert fetched.headers["X-Content-Type-Options"] == "nosniff"
        assert "noindex" in fetched.headers["X-Robots-Tag"]
    # The file never changes: its ETag brings a 304, to those who may fetch it only.
    etag = fetched.headers["ETag"]
    assert client.get(url, headers={**requester, "If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={**stranger, "If-None-Match": etag}).status_code == 404
    assert client.get(url, headers=stranger).status_code == 404
    assert client.get(url).status_code == 401
    assert _attach(client, stranger, ticket.id, pdf(), "x.pdf").status_code == 404


def test_message_with_attachments_and_the_ticket_lists_them(client, ticket, token_for):
    requester = token_for(ticket.requester)
    shot = _attach(client, requester, ticket.id, jpeg_with_gps(), "支付失败.jpg").get_json()
    log = _attach(client, requester, ticket.id, "2026-12-01 支付超时\n".encode(), "app.log").get_json()
    response = client.post(f"/api/v1/tickets/{ticket.id}/messages", headers=requester,
                           json={"body": "截图和日志在附件里。", "attachments": [shot["id"], log["id"]]})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert [a["id"] for a in response.get_json()["attachments"]] == [shot["id"], log["id"]]
    detail = client.get(f"/api/v1/tickets/{ticket.id}", headers=requester).get_json()
    message = next(m for m in detail["messages"] if m["body"] == "截图和日志在附件里。")
    assert [a["filename"] for a in message["attachments"]] == ["支付失败.jpg", "app.log"]
    assert {a["id"] for a in detail["attachments"]} == {shot["id"], log["id"]}
    image = client.get(f"/api/v1/tickets/{ticket.id}/attachments/{shot['id']}", headers=requester)
    assert image.mimetype == "image/jpeg" and not image.headers["Content-Disposition"].startswith("attachment")
    assert not decode(image.get_data()).getexif()
    # An id that is not this ticket's, or sent already: 422.
    again = client.post(f"/api/v1/tickets/{ticket.id}/messages", headers=requester,
                        json={"body": "再发一次。", "attachments": [shot["id"]]})
    assert again.status_code == 422


@pytest.mark.parametrize("name,data", [
    ("page.html", b"<!doctype html><html><script>alert(1)</script></html>"),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("fake.pdf", b"%PDF-1.4\nnot really\n"),
    ("binary.bin", bytes(range(256))),
])
def test_refused_types_are_422(client, ticket, token_for, name, data):
    response = _attach(client, token_for(ticket.requester), ticket.id, data, name)
    assert response.status_code == 422 and response.get_json()["error"]["fields"]["file"]


def test_attachment_cap_is_its_own(client, ticket, token_for, app):
    big = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024) + b"\n%%EOF\n"  # 3 MB: above the 1 MB of other calls
    assert _attach(client, token_for(ticket.requester), ticket.id, big, "大文件.pdf").status_code == 201
    app.config["FORUM_TICKET_ATTACHMENT_MAX_MB"] = 2
    try:
        assert _attach(client, token_for(ticket.requester), ticket.id, big, "大文件.pdf").status_code == 413
    finally:
        app.config["FORUM_TICKET_ATTACHMENT_MAX_MB"] = 10


def test_openapi_documents_the_upload_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    upload = document["paths"]["/uploads"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "post" in document["paths"]["/tickets/{ticket_id}/attachments"]
    assert "get" in document["paths"]["/tickets/{ticket_id}/attachments/{attachment_id}"]


def test_ticket_page_sends_files_with_a_reply_and_shows_them(client, ticket, login, create_user):
    import io

    login(ticket.requester)
    response = client.post(f"/tickets/{ticket.id}/messages", data={
        "body": "附上付款截图和账单。", "internal": "0",
        "files": [(io.BytesIO(jpeg_with_gps()), "付款截图.jpg"), (io.BytesIO(pdf()), "账单.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "付款截图.jpg" in page and "账单.pdf" in page and 'enctype="multipart/form-data"' in page
    assert 'name="files"' in page
    from forum.extensions import db
    from forum.tickets.models import TicketAttachment

    items = db.session.query(TicketAttachment).order_by(TicketAttachment.id).all()
    assert [i.message_id is not None for i in items] == [True, True]
    url = f"/tickets/{ticket.id}/attachments/{items[1].id}"
    assert url in page
    fetched = client.get(url)
    assert fetched.status_code == 200 and fetched.headers["Content-Disposition"].startswith("attachment")
    login(create_user())
    assert client.get(url).status_code == 404
    assert client.get(f"/tickets/{ticket.id}").status_code == 404


@pytest.mark.parametrize("locale,expected", [("zh_CN", "文件太大：最多 10 MB。"),
                                             ("en", "The file is too large: at most 10 MB.")])
def test_an_attachment_above_the_cap_is_refused_naming_the_limit(client, create_ticket, create_user, token_for, login,
                                                                 locale, expected):
    from tests.uploads.test_uploads import _chunked

    requester = create_user(locale=locale)
    ticket = create_ticket(asker=requester)
    big = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024) + b"\n%%EOF\n"  # the 10 MB cap and 1 MB more
    headers = token_for(requester)
    url = f"/api/v1/tickets/{ticket.id}/attachments"
    for response in (_attach(client, headers, ticket.id, big, "流水.pdf"), _chunked(client, url, headers, big, "流水.pdf")):
        assert response.status_code == 413, response.get_data(as_text=True)
        assert response.get_json()["error"] == {"code": "too_large", "message": expected,
                                                "fields": {"file": [expected]}}
    # The ticket page's reply form: the page says the same.
    login(requester)
    body, content_type = multipart(big, "流水.pdf", field="files")
    page = client.post(f"/tickets/{ticket.id}/messages", data=body, content_type=content_type)
    assert page.status_code == 413 and expected in page.get_data(as_text=True)
