"""Publishing a resolution with images staff chose: copied into public images of theirs, re-encoded;
nothing else of the ticket's attachments ever shows on the thread."""
from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.uploads.models import Upload
from tests.uploads.images import decode, jpeg_with_gps, pdf, png
from tests.uploads.test_uploads import multipart


@pytest.fixture
def ticket(create_ticket):
    return create_ticket()


def _attach(client, headers, ticket_id, data, name):
    body, content_type = multipart(data, name)
    response = client.post(f"/api/v1/tickets/{ticket_id}/attachments", headers=headers, data=body,
                           content_type=content_type)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def _images_in(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', html)


def test_staff_publish_a_chosen_image_and_nothing_else(client, ticket, token_for, create_user):
    requester, staff = token_for(ticket.requester), token_for(create_user(role="staff"))
    redacted = _attach(client, requester, ticket.id, jpeg_with_gps(), "已遮挡的报错截图.jpg")
    private = _attach(client, requester, ticket.id, png(size=(60, 40)), "银行卡截图.png")
    statement = _attach(client, requester, ticket.id, pdf(), "流水.pdf")
    private_url = f"/api/v1/tickets/{ticket.id}/attachments/{private}"
    body = f"支付网关延迟导致订单未同步，已补单。\n\n![附件]({private_url}) [附件](/tickets/{ticket.id}/attachments/{private})"
    response = client.post(f"/api/v1/tickets/{ticket.id}/publish", headers=staff,
                           json={"body": body, "images": [redacted]})
    assert response.status_code == 201, response.get_data(as_text=True)
    answer = response.get_json()
    shown = _images_in(answer["body_html"])
    upload = db.session.query(Upload).one()  # the chosen image only, copied into a public upload
    assert shown == [upload.path]
    assert upload.path in answer["body"]
    # A link to a private attachment is never an image; the attachment stays private.
    assert private_url not in shown and f'href="{private_url}"' in answer["body_html"]
    assert client.get(private_url).status_code == 401
    # The copy is public, re-encoded, without EXIF; the other attachments never appear.
    image = client.get(upload.path)
    assert image.status_code == 200 and not decode(image.get_data()).getexif()
    for other in (private, statement):
        assert f"attachments/{other}" not in "".join(shown)
    assert f"attachments/{statement}" not in answer["body"] and "流水" not in answer["body_html"]


@pytest.mark.parametrize("images", [[0], ["x"], "1", [True], [2**70], ["2" * 30], ["²"], ["-1"], [-1], [1.5], [None], [[1]], {"a": 1}])
def test_images_must_be_the_tickets_images(client, ticket, token_for, create_user, create_ticket, images):
    staff = token_for(create_user(role="staff"))
    response = client.post(f"/api/v1/tickets/{ticket.id}/publish", headers=staff,
                           json={"body": "网关延迟导致订单未同步，已补单并原路退款。", "images": images})
    assert response.status_code == 422 and "images" in response.get_json()["error"]["fields"]


def test_a_pdf_or_another_tickets_image_is_refused(client, ticket, token_for, create_user, create_ticket):
    requester, staff = token_for(ticket.requester), token_for(create_user(role="staff"))
    statement = _attach(client, requester, ticket.id, pdf(), "流水.pdf")
    elsewhere = create_ticket()
    theirs = _attach(client, token_for(elsewhere.requester), elsewhere.id, png(), "截图.png")
    for images in ([statement], [theirs]):
        response = client.post(f"/api/v1/tickets/{ticket.id}/publish", headers=staff,
                               json={"body": "网关延迟导致订单未同步，已补单并原路退款。", "images": images})
        assert response.status_code == 422 and "images" in response.get_json()["error"]["fields"]
    assert db.session.query(Upload).count() == 0
    # Without images (the default) nothing is copied.
    plain = client.post(f"/api/v1/tickets/{ticket.id}/publish", headers=staff, json={"body": "网关延迟导致订单未同步，已补单并原路退款。"})
    assert plain.status_code == 201, plain.get_data(as_text=True)
    assert db.session.query(Upload).count() == 0


def test_the_ticket_page_offers_the_images_with_a_warning(client, ticket, token_for, create_user, login):
    requester = token_for(ticket.requester)
    shot = _attach(client, requester, ticket.id, png(size=(50, 30)), "截图.png")
    _attach(client, requester, ticket.id, pdf(), "流水.pdf")
    staff = create_user(role="staff")
    login(staff)
    page = client.get(f"/tickets/{ticket.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'name="images" value="{shot}"' in page and page.count('name="images"') == 1
    assert "A chosen image becomes public" in page
    zh = client.get(f"/tickets/{ticket.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "选中的图片将公开" in zh
    response = client.post(f"/tickets/{ticket.id}/publish", data={"body": "网关延迟导致订单未同步，已补单并原路退款。", "images": [str(shot)]})
    assert response.status_code == 302
    upload = db.session.query(Upload).one()
    question = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'<img src="{upload.path}"' in question
    assert upload.owner_id == staff.id
