"""Images in posts: POST /api/v1/uploads, /uploads/<key>, Markdown, the sweep, held and deleted posts."""
from __future__ import annotations

import io
import os
import zipfile
from datetime import timedelta

import pytest
from PIL import Image

from forum.core.db import unit_of_work
from forum.core.errors import ValidationFailed
from forum.core.markup import render_markdown
from forum.extensions import db
from forum.questions import services as questions
from forum.uploads import services
from forum.uploads.models import Upload, UploadUse
from tests.uploads.images import decode, gif, jpeg_with_gps, pdf, png


@pytest.fixture
def member(create_user):
    return create_user(reputation=50)


@pytest.fixture
def auth(member, token_for):
    return token_for(member)


def multipart(data: bytes, name: str, field: str = "file") -> tuple[bytes, str]:
    """A multipart body built by hand: the test client spools large file fields to a temporary file
    that it leaves open when the application refuses the body unread."""
    boundary = "----forum-test-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _post(client, auth, data: bytes, name: str = "截图.png", url: str = "/api/v1/uploads"):
    body, content_type = multipart(data, name)
    return client.post(url, headers=auth, data=body, content_type=content_type)


def test_upload_is_re_encoded_without_exif_and_served(client, auth):
    original = jpeg_with_gps()
    assert b"CameraMaker" in original and Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    response = _post(client, auth, original, "photo.jpg")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) >= {"id", "url", "content_type", "size", "width", "height"}
    assert body["content_type"] == "image/jpeg" and (body["width"], body["height"]) == (60, 40)
    assert body["url"].startswith("/uploads/") and len(body["url"].split("/")[-1].split(".")[0]) >= 20
    served = client.get(body["url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in served.headers["Cache-Control"]
    data = served.get_data()
    assert data != original and len(data) == body["size"]
    assert b"CameraMaker" not in data and b"Exif" not in data
    image = decode(data)
    assert not image.getexif() and not image.getexif().get_ifd(0x8825)
    assert client.get(body["thumbnail_url"]).status_code == 200
    assert not body["url"].startswith("/static/")


def test_orientation_is_applied(client, auth):
    # EXIF orientation 6: the camera was turned; the picture is shown turned 90° clockwise.
    body = _post(client, auth, jpeg_with_gps(size=(60, 40), orientation=6), "turned.jpg").get_json()
    assert (body["width"], body["height"]) == (40, 60)
    image = decode(client.get(body["url"]).get_data()).convert("RGB")
    top, bottom = image.getpixel((20, 5)), image.getpixel((20, 55))
    assert sum(top) < 100 and bottom[0] > 150  # the dark left half is now on top


def test_long_side_is_scaled_and_gif_keeps_its_first_frame(client, auth):
    body = _post(client, auth, png(size=(3000, 1000), mode="RGB", colour=(10, 200, 10))).get_json()
    assert (body["width"], body["height"]) == (2048, 683)
    body = _post(client, auth, gif(frames=3), "动图.gif").get_json()
    assert body["content_type"] == "image/png"
    first = decode(client.get(body["url"]).get_data())
    assert first.format == "PNG" and getattr(first, "n_frames", 1) == 1
    assert first.convert("L").getpixel((5, 5)) == decode(gif(frames=3)).convert("L").getpixel((5, 5))


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buffer.getvalue()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(buffer, "PNG")  # 50 megapixels in a few kilobytes
    return buffer.getvalue()


@pytest.mark.parametrize("name,make,code", [
    ("a.svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not_an_image"),
    ("a.html", lambda: b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>", "not_an_image"),
    ("a.pdf", pdf, "not_an_image"),
    ("polyglot.png", lambda: png() + _zip(), "polyglot"),
    ("html-in.jpg", lambda: jpeg_with_gps() + b"<html><script>alert(1)</script></html>", "polyglot"),
    ("zip.png", lambda: b"\x89PNG\r\n\x1a\n" + _zip(), "polyglot"),
    ("broken.png", lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(300) + b"IEND\xaeB`\x82", "not_an_image"),
    ("bomb.png", _bomb, "too_many_pixels"),
])
def test_refusals_are_422_with_a_message(client, auth, name, make, code):
    response = _post(client, auth, make(), name)
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code and error["fields"]["file"][0]
    assert db.session.query(Upload).count() == 0


def test_size_caps_the_upload_endpoint_vs_the_1_mb_elsewhere(client, auth, app, create_question, member):
    noisy = io.BytesIO()
    Image.frombytes("RGB", (800, 600), os.urandom(800 * 600 * 3)).save(noisy, "PNG")
    big = noisy.getvalue()
    assert 1024 * 1024 < len(big) < 5 * 1024 * 1024
    assert _post(client, auth, big).status_code == 201  # above the 1 MB cap of other calls
    question = create_question(member)
    padded = {"body": "我的订单怎么修改地址？" + "啊" * 400_000}  # 1.2 MB of JSON
    assert client.post(f"/api/v1/questions/{question.id}/answers", headers=auth, json=padded).status_code == 413
    app.config["FORUM_UPLOAD_MAX_MB"] = 0.5
    try:
        # Above the endpoint's own cap (0.5 MB and room for the multipart framing): refused before
        # the body is read.
        assert _post(client, auth, big).status_code == 413
        # Within the cap but above the limit on the file: the service says why.
        response = _post(client, auth, big[: 540 * 1024])
        assert response.status_code == 422 and response.get_json()["error"]["code"] == "too_large"
        assert "0.5 MB" in response.get_json()["error"]["message"]
    finally:
        app.config["FORUM_UPLOAD_MAX_MB"] = 5


def test_too_large_from_the_service(app, member):
    app.config["FORUM_UPLOAD_MAX_MB"] = 0.001
    try:
        with pytest.raises(ValidationFailed) as refused:
            services.upload_image(member, png(size=(400, 400), mode="RGB"))
        assert refused.value.code == "too_large"
    finally:
        app.config["FORUM_UPLOAD_MAX_MB"] = 5


def test_daily_budget(client, create_user, token_for, app):
    newcomer = token_for(create_user(reputation=1))
    response = _post(client, newcomer, png())
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "upload_budget"
    app.config["FORUM_UPLOAD_DAILY_LIMIT"] = 2
    try:
        regular = token_for(create_user(reputation=10))
        assert [_post(client, regular, png()).status_code for _ in range(3)] == [201, 201, 422]
        staff = token_for(create_user(role="staff"))
        assert [_post(client, staff, png()).status_code for _ in range(3)] == [201, 201, 201]
    finally:
        app.config["FORUM_UPLOAD_DAILY_LIMIT"] = 20


def test_not_signed_in_and_no_file(client, auth):
    assert client.post("/api/v1/uploads", data={"file": (io.BytesIO(png()), "a.png")},
                       content_type="multipart/form-data").status_code == 401
    response = client.post("/api/v1/uploads", headers=auth, data={"other": "x"}, content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.get_json()["error"]["fields"]


def test_markdown_shows_only_own_uploads(client, auth):
    url = _post(client, auth, png(size=(40, 30))).get_json()["url"]
    html = render_markdown(f"看这里：![订单页面截图]({url})\n\n![像素](https://tracker.example.com/p.png)\n\n"
                           f"![假的](/uploads/AAAAAAAAAAAAAAAAAAAAAA.png)")
    assert f'<img src="{url}" alt="订单页面截图" width="40" height="30" loading="lazy">' in html
    assert html.count("<img") == 1
    assert '<a href="https://tracker.example.com/p.png"' in html and "↗ 像素" in html
    # The CSP still allows images from this site only.
    assert "img-src 'self' data:;" in client.get("/").headers["Content-Security-Policy"]


def _upload(member) -> Upload:
    with unit_of_work():
        return services.upload_image(member, png())


def test_an_image_in_a_held_or_deleted_post_is_not_public(client, member, create_question, create_answer):
    upload = _upload(member)
    assert client.get(upload.path).status_code == 200
    question = create_question(member, body=f"付款页面报错，截图如下：\n\n![报错]({upload.path})")
    assert db.session.query(UploadUse).filter_by(question_id=question.id).count() == 1
    assert f'<img src="{upload.path}"' in question.body_html
    assert client.get(upload.path).status_code == 200
    with unit_of_work():
        db.session.get(type(question), question.id).held_at = question.created_at
    assert client.get(upload.path).status_code == 404
    with unit_of_work():
        db.session.get(type(question), question.id).held_at = None
    assert client.get(upload.path).status_code == 200
    with unit_of_work():
        questions.delete_question(member, question.id)
    assert client.get(upload.path).status_code == 404
    assert client.get(f"/uploads/thumbs/{upload.key}.{upload.extension}").status_code == 404


def test_an_answer_image_and_edits_keep_uses_in_step(client, member, create_question, create_answer):
    upload = _upload(member)
    question = create_question(member)
    answer = create_answer(question, member, body=f"我也遇到了：![截图]({upload.path})")
    assert db.session.query(UploadUse).filter_by(answer_id=answer.id).count() == 1
    with unit_of_work():
        questions.edit_answer(member, answer.id, body="我也遇到了，截图删掉了，以文字说明：订单显示待支付。")
    assert db.session.query(UploadUse).filter_by(answer_id=answer.id).count() == 0


def test_sweep_removes_unused_uploads_after_a_day(member, create_question, runner):
    unused, used, fresh = _upload(member), _upload(member), _upload(member)
    create_question(member, body=f"截图：![图]({used.path})\n\n订单一直显示待支付，怎么办？")
    with unit_of_work():
        for upload in (unused, used):
            db.session.get(Upload, upload.id).created_at -= timedelta(hours=25)
    result = runner.invoke(args=["uploads", "sweep"])
    assert result.exit_code == 0 and "1 unused images removed" in result.output
    db.session.expire_all()
    assert {u.id for u in db.session.query(Upload)} == {used.id, fresh.id}
    assert services.storage.read(services.AREA, unused.key) is None
    assert services.storage.read(services.AREA, used.key) is not None


def test_moderator_removes_an_image_from_a_post(client, member, moderator, create_question, login):
    upload = _upload(member)
    question = create_question(member, body=f"截图里有卡号：![截图]({upload.path})\n\n请帮忙看看。")
    login(member)
    assert client.post(f"/uploads/{upload.id}/remove", data={"next": f"/questions/{question.id}"}).status_code in (
        302, 403, 400)
    assert client.get(upload.path).status_code == 200
    login(moderator)
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert f"/uploads/{upload.id}/remove" in page
    response = client.post(f"/uploads/{upload.id}/remove", data={"next": f"/questions/{question.id}"})
    assert response.status_code == 302
    assert client.get(upload.path).status_code == 404
    db.session.expire_all()
    assert "<img" not in db.session.get(type(question), question.id).body_html


def test_sweep_removes_stray_files_of_rolled_back_requests(member, runner):
    import time

    from forum.tickets import attachments

    services.storage.write(services.AREA, "strayimagekey000000000", b"x")
    services.storage.write(attachments.AREA, "strayattachmentkey0000", b"x")
    kept = _upload(member)
    old = time.time() - 2 * 86400
    for area, name in ((services.AREA, "strayimagekey000000000"), (attachments.AREA, "strayattachmentkey0000"),
                       (services.AREA, kept.key)):
        os.utime(services.storage.path_for(area, name), (old, old))
    result = runner.invoke(args=["uploads", "sweep"])
    assert "2 stray files removed" in result.output
    assert services.storage.read(services.AREA, "strayimagekey000000000") is None
    assert services.storage.read(attachments.AREA, "strayattachmentkey0000") is None
    assert services.storage.read(services.AREA, kept.key) is not None


def test_a_post_shows_at_most_images_max_and_the_api_takes_an_idempotency_key(client, auth, member):
    from forum.core import markup

    path = _upload(member).path
    html = render_markdown("\n\n".join(f"![{i}]({path})" for i in range(markup.IMAGES_MAX + 5)))
    assert html.count("<img") == markup.IMAGES_MAX and html.count("↗") == 5
    body, content_type = multipart(png(), "a.png")
    headers = {**auth, "Idempotency-Key": "7d1c0f3e-upload-once"}
    first = client.post("/api/v1/uploads", headers=headers, data=body, content_type=content_type)
    again = client.post("/api/v1/uploads", headers=headers, data=body, content_type=content_type)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]


OVERSIZED_IMAGE = {"zh_CN": "图片太大：最多 5 MB。", "en": "The image is too large: at most 5 MB."}


def _chunked(client, url, headers, data: bytes, name: str):
    """A multipart body sent without Content-Length (Transfer-Encoding: chunked): the cap can only
    be found while reading it, by Werkzeug (RequestEntityTooLarge), not up front."""
    body, content_type = multipart(data, name)
    return client.post(url, headers={**headers, "Transfer-Encoding": "chunked"}, input_stream=io.BytesIO(body),
                       content_type=content_type, environ_overrides={"wsgi.input_terminated": True})


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_an_upload_above_the_cap_is_refused_naming_the_limit_in_the_members_language(
        client, create_user, token_for, login, locale):
    member = create_user(reputation=50, locale=locale)
    oversized = b"\x89PNG\r\n\x1a\n" + b"\0" * (6 * 1024 * 1024)  # the 5 MB cap and 1 MB more
    expected = OVERSIZED_IMAGE[locale]
    headers = token_for(member)
    for response in (_post(client, headers, oversized), _chunked(client, "/api/v1/uploads", headers, oversized,
                                                                  "截图.png")):
        assert response.status_code == 413, response.get_data(as_text=True)
        error = response.get_json()["error"]
        assert error == {"code": "too_large", "message": expected, "fields": {"file": [expected]}}
    # The editor's own call (signed in by cookie) answers the same.
    login(member)
    response = _post(client, {"Accept": "application/json"}, oversized, url="/uploads")
    assert response.status_code == 413 and response.get_json()["error"]["fields"] == {"file": [expected]}
    # Any other call keeps the general message: a body above 1 MB is no file of the member's.
    padded = {"body": "啊" * 400_000}
    other = client.post("/api/v1/questions", headers=headers, json=padded)
    assert other.status_code == 413 and other.get_json()["error"]["fields"] == {}
    assert db.session.query(Upload).count() == 0


def test_the_editor_knows_the_cap_and_its_message(client, member, login):
    login(member)
    page = client.get("/ask", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'data-max-bytes="{5 * 1024 * 1024}"' in page
    assert 'data-too-large="The image is too large: at most 5 MB."' in page


def test_only_the_owners_posts_make_an_image_public(client, member, create_user, create_question, create_answer):
    upload = _upload(member)
    question = create_question(member, body=f"付款页面报错，截图如下：\n\n![报错]({upload.path})")
    assert client.get(upload.path).status_code == 200
    with unit_of_work():
        questions.delete_question(member, question.id)
    assert client.get(upload.path).status_code == 404
    # Another member puts its address in a question and an answer: that uses nothing, and their posts
    # show a link, not the image.
    other = create_user(reputation=50)
    copied = create_question(other, body=f"我也是这个报错：\n\n![别人的截图]({upload.path})")
    reply = create_answer(copied, other, body=f"再贴一次：![截图]({upload.path})")
    assert client.get(upload.path).status_code == 404
    assert client.get(f"/uploads/thumbs/{upload.key}.{upload.extension}").status_code == 404
    assert db.session.query(UploadUse).filter_by(question_id=copied.id).count() == 0
    assert db.session.query(UploadUse).filter_by(answer_id=reply.id).count() == 0
    for html in (copied.body_html, reply.body_html):
        assert "<img" not in html and f'href="{upload.path}"' in html
    # The owner may show it again, by their own choice.
    again = create_question(member, body=f"换个问法，截图如下：\n\n![报错]({upload.path})")
    assert f'<img src="{upload.path}"' in again.body_html
    assert client.get(upload.path).status_code == 200


def test_quoting_a_public_image_shows_it_but_uses_nothing(client, member, create_user, create_question, create_answer):
    upload = _upload(member)
    question = create_question(member, body=f"截图：![报错]({upload.path})")
    other = create_user(reputation=50)
    quote = create_answer(question, other, body=f"楼主的截图 ![报错]({upload.path}) 说明是支付通道的问题。")
    assert f'<img src="{upload.path}"' in quote.body_html
    assert db.session.query(UploadUse).filter_by(answer_id=quote.id).count() == 0
    with unit_of_work():  # the owner's question is held: the quote does not keep the image public
        db.session.get(type(question), question.id).held_at = question.created_at
    assert client.get(upload.path).status_code == 404
