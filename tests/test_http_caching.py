"""HTTP caching (issue 15): static files under content-hashed names, immutable for a year; compressed
answers (Flask-Compress); ETag and 304 on the API's reads, with the response models still enforced.

Anonymous pages' own validators and page cache are tested with the page cache (not here)."""
from __future__ import annotations

import gzip
import hashlib
import re
import shutil
from pathlib import Path

import brotli
import pytest

from forum import STATIC
from forum.api import common
from forum.api.common import Operation, ResponseDrift
from forum.api.votes import VoteOut
from forum.web import assets

API = "/api/v1"
YEAR = "public, max-age=31536000, immutable"
HASHED = re.compile(r'(?:href|src)="(/static/[^"]+)"')
BROWSER = "gzip, deflate, br, zstd"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(response.data)
    if encoding == "br":
        return brotli.decompress(response.data)
    if encoding == "zstd":
        from backports import zstd

        return zstd.decompress(response.data)
    assert encoding is None, encoding
    return response.data


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


# --- static files ----------------------------------------------------------------------------------

def test_pages_link_every_static_file_by_its_content(client):
    page = client.get("/").get_data(as_text=True)
    links = set(HASHED.findall(page))
    expected = set()
    for name in ("css/forum.css", "js/forum.js", "img/favicon.svg"):
        stem, suffix = name.rsplit(".", 1)
        expected.add(f"/static/{stem}.{_digest((STATIC / name).read_bytes())}.{suffix}")
    assert expected <= links, links
    assert links == expected, "every static link is hashed"
    for url in expected:
        answer = client.get(url)
        plain = url.replace(re.search(r"\.[0-9a-f]{12}\.", url).group(0), ".")
        assert answer.status_code == 200
        assert answer.data == (STATIC / plain.removeprefix("/static/")).read_bytes()
        assert answer.headers["Cache-Control"] == YEAR
        assert answer.headers["ETag"].strip('"').startswith(_digest(answer.data))


def test_templates_name_static_files_only_through_url_for():
    """A literal /static/... in a template would skip the hashing (and go stale for a year)."""
    templates = Path(STATIC).parent / "templates"
    literal = [str(p.relative_to(templates)) for p in templates.rglob("*.html")
               if "/static/" in p.read_text()]
    assert literal == []


def test_plain_names_still_answer_with_a_short_cache(client):
    """/static/css/forum.css: links kept from before, nginx's own copy, and tests/test_packaging.py."""
    answer = client.get("/static/css/forum.css")
    assert answer.status_code == 200 and answer.data == (STATIC / "css" / "forum.css").read_bytes()
    cache = answer.headers["Cache-Control"]
    assert "max-age=3600" in cache and "public" in cache and "immutable" not in cache
    assert client.head("/static/css/forum.css").status_code == 200


def test_a_name_for_other_bytes_is_served_but_never_kept(client):
    """A page built by a node on another release names a digest this node's file does not have: the
    file is sent, with no-cache, so no cache keeps these bytes under that name."""
    answer = client.get("/static/css/forum.0123456789ab.css")
    assert answer.status_code == 200 and answer.data == (STATIC / "css" / "forum.css").read_bytes()
    cache = answer.headers["Cache-Control"]
    assert "no-cache" in cache and "immutable" not in cache and "max-age" not in cache
    assert client.get("/static/css/nothing.0123456789ab.css").status_code == 404
    assert client.get("/static/css/nothing.css").status_code == 404
    assert client.get("/static/../forum/__init__.py").status_code == 404


def test_static_answers_do_not_vary_by_cookie_or_set_one(client, create_user, login):
    """A stylesheet is the same for everyone: a shared cache (nginx) keeps one copy, not one per session."""
    login(create_user())
    page = client.get("/").get_data(as_text=True)
    css = next(url for url in HASHED.findall(page) if url.endswith(".css"))
    answer = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == YEAR
    assert "cookie" not in _vary(answer) and "accept-encoding" in _vary(answer)
    assert "Set-Cookie" not in answer.headers
    assert "cookie" in _vary(client.get("/")), "pages still say they depend on the session"


@pytest.fixture
def static_folder(app, tmp_path, monkeypatch):
    """The application's static files copied into a folder the test may change; a fresh StaticNames
    stands for a new process (digests are computed once per process)."""
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    monkeypatch.setattr(app, "static_folder", str(folder))
    monkeypatch.setitem(app.extensions, assets._EXTENSION, assets.StaticNames(str(folder)))
    return folder


def _css_link(client) -> str:
    return next(url for url in HASHED.findall(client.get("/").get_data(as_text=True)) if url.endswith(".css"))


def test_a_changed_file_gets_a_new_name(app, client, static_folder):
    first = _css_link(client)
    old_bytes = (static_folder / "css" / "forum.css").read_bytes()
    assert first.endswith(f".{_digest(old_bytes)}.css")

    (static_folder / "css" / "forum.css").write_text("body { color: #123456 }\n" * 40)
    assert _css_link(client) == first, "a running process keeps the digest it computed"
    kept = client.get(first)
    assert kept.data == old_bytes and kept.headers["Cache-Control"] == YEAR, "and the bytes it hashed"

    app.extensions[assets._EXTENSION] = assets.StaticNames(str(static_folder))  # the next process
    second = _css_link(client)
    new_bytes = (static_folder / "css" / "forum.css").read_bytes()
    assert second != first and second.endswith(f".{_digest(new_bytes)}.css")
    answer = client.get(second)
    assert answer.data == new_bytes and answer.headers["Cache-Control"] == YEAR
    old = client.get(first)
    assert old.data == new_bytes and "immutable" not in old.headers["Cache-Control"]


def test_in_debug_mode_an_edited_file_is_renamed_at_once(static_folder):
    names = assets.StaticNames(str(static_folder))
    before = names.hashed("css/forum.css")
    edited = b"a { color: red }\n"
    (static_folder / "css" / "forum.css").write_bytes(edited)
    assert names.hashed("css/forum.css") == before
    after = names.hashed("css/forum.css", recheck=True)
    assert after != before and after == f"css/forum.{_digest(edited)}.css"
    (static_folder / "css" / "forum.css").write_bytes((STATIC / "css" / "forum.css").read_bytes())
    assert names.hashed("css/forum.css", recheck=True) == before, "the name follows the content, not the time"


def test_names_with_several_dots_or_none(tmp_path):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "lib.min.js").write_bytes(b"x")
    (tmp_path / "LICENSE").write_bytes(b"y")
    names = assets.StaticNames(str(tmp_path))
    assert names.hashed("vendor/lib.min.js") == f"vendor/lib.min.{_digest(b'x')}.js"
    assert names.hashed("LICENSE") == f"LICENSE.{_digest(b'y')}"
    found, kind = names.resolve(f"LICENSE.{_digest(b'y')}")
    assert found.data == b"y" and found.digest == hashlib.sha256(b"y").hexdigest() and kind == "immutable"
    assert names.resolve(names.hashed("vendor/lib.min.js"))[1] == "immutable"
    assert names.resolve("vendor/lib.min.0123456789ab.js")[1] == "stale"
    assert names.resolve("vendor/lib.min.js")[1] == "plain"
    assert names.resolve("vendor/nothing.0123456789ab.js") == (None, None)
    assert names.hashed("missing.css") == "missing.css"
    assert names.hashed("../outside.css") == "../outside.css"


# --- compression -----------------------------------------------------------------------------------

def test_static_files_are_compressed_when_the_client_accepts_it(client, static_folder):
    css = _css_link(client)
    plain = client.get(css)
    assert "Content-Encoding" not in plain.headers and "accept-encoding" in _vary(plain)
    zipped = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and len(zipped.data) < len(plain.data) / 2
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["Cache-Control"] == YEAR
    assert client.get(css, headers={"Accept-Encoding": "identity"}).data == plain.data
    # Already compressed formats pass as they are, whatever their size.
    (static_folder / "img" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    png = client.get("/static/img/photo.png", headers={"Accept-Encoding": "gzip"})
    assert png.status_code == 200 and "Content-Encoding" not in png.headers


def test_pages_and_api_answers_are_compressed_tiny_ones_are_not(client, create_question):
    empty = client.get(f"{API}/questions", headers={"Accept-Encoding": "gzip"})
    assert empty.status_code == 200 and len(empty.data) < 500 and "Content-Encoding" not in empty.headers

    question = create_question()
    for _ in range(3):
        create_question()
    listing = client.get(f"{API}/questions", headers={"Accept-Encoding": "gzip"})
    assert listing.headers["Content-Encoding"] == "gzip" and "accept-encoding" in _vary(listing)
    assert _decoded(listing) == client.get(f"{API}/questions").data

    page = client.get(f"/questions/{question.id}", headers={"Accept-Encoding": BROWSER})
    assert page.status_code == 200 and page.headers["Content-Encoding"] in ("zstd", "br", "gzip")
    assert question.title in _decoded(page).decode()
    brotli_page = client.get(f"/questions/{question.id}", headers={"Accept-Encoding": "br"})
    assert brotli_page.headers["Content-Encoding"] == "br"
    assert question.title in _decoded(brotli_page).decode()
    plain = client.get(f"/questions/{question.id}")
    assert "Content-Encoding" not in plain.headers and question.title in plain.get_data(as_text=True)


def test_errors_redirects_and_event_streams_are_left_alone(app, client):
    missing = client.get("/no-such-page", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404 and "Content-Encoding" not in missing.headers
    assert "text/event-stream" not in app.config["COMPRESS_MIMETYPES"]


def test_a_replayed_post_is_the_first_answer_compressed_alike(client, create_question, create_user,
                                                              token_for):
    question = create_question()
    headers = {**token_for(create_user()), "Idempotency-Key": "static-gzip-1", "Accept-Encoding": "gzip"}
    body = {"body": "在“我的订单”里找到这个订单，点“修改地址”。" * 20}
    first = client.post(f"{API}/questions/{question.id}/answers", json=body, headers=headers)
    again = client.post(f"{API}/questions/{question.id}/answers", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.headers["Content-Encoding"] == again.headers["Content-Encoding"] == "gzip"
    assert again.headers["Idempotency-Replayed"] == "true"
    assert _decoded(again) == _decoded(first)


# --- ETag and 304 on the API's reads ---------------------------------------------------------------

def test_a_read_answers_304_until_a_write_changes_it(client, create_question, create_user, token_for):
    question = create_question()
    url = f"{API}/questions/{question.id}"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "no-cache" and "authorization" in _vary(first)

    same = client.get(url, headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.data == b"" and same.headers["ETag"] == etag
    compressed = client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert compressed.status_code == 304 and compressed.data == b""
    assert client.get(url, headers={"If-None-Match": 'W/"something-else"'}).status_code == 200

    helper = create_user()
    posted = client.post(f"{url}/answers", headers=token_for(helper),
                         json={"body": "在“我的订单”里找到这个订单，点“修改地址”，发货前都可以改。"})
    assert posted.status_code == 201
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["answer_count"] == 1
    assert client.get(url, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_a_vote_changes_the_etag_of_every_reader_and_callers_differ(client, create_question, create_user,
                                                                    token_for):
    question = create_question()
    url = f"{API}/questions/{question.id}"
    voter = token_for(create_user())
    anonymous = client.get(url).headers["ETag"]
    mine = client.get(url, headers=voter)
    assert mine.headers["ETag"] == anonymous  # same JSON (my_vote 0)
    assert mine.headers["Cache-Control"] == "private, no-cache"

    assert client.put(f"{url}/vote", json={"value": 1}, headers=voter).status_code == 200
    after = client.get(url, headers={**voter, "If-None-Match": mine.headers["ETag"]})
    assert after.status_code == 200 and after.get_json()["my_vote"] == 1 and after.get_json()["score"] == 1
    reader = client.get(url, headers={"If-None-Match": anonymous})
    assert reader.status_code == 200 and reader.get_json()["score"] == 1 and reader.get_json()["my_vote"] == 0
    assert reader.headers["ETag"] != after.headers["ETag"], "my_vote differs, so does the validator"
    assert client.get(url, headers={**voter, "If-None-Match": reader.headers["ETag"]}).status_code == 200


def test_lists_and_the_document_carry_validators_writes_do_not(client, create_user, token_for):
    listing = client.get(f"{API}/questions").headers["ETag"]
    assert client.get(f"{API}/questions", headers={"If-None-Match": listing}).status_code == 304
    document = client.get(f"{API}/openapi.json").headers["ETag"]
    assert client.get(f"{API}/openapi.json", headers={"If-None-Match": document}).status_code == 304
    created = client.post(f"{API}/questions", headers=token_for(create_user()), json={
        "title": "Refund has not arrived after 7 days", "category": "payments", "tags": ["refund"],
        "body": "I returned the parcel last week and the refund still has not reached my card."})
    assert created.status_code == 201 and "ETag" not in created.headers
    assert client.get(f"{API}/questions", headers={"If-None-Match": listing}).status_code == 200


def test_a_matching_etag_never_skips_the_response_model(app):
    """If-None-Match: * matches any ETag: a drifting answer must still fail before any 304."""
    op = Operation("/x", "GET", "x", "none", response=VoteOut)
    with app.test_request_context("/api/v1/x", headers={"If-None-Match": "*"}):
        with pytest.raises(ResponseDrift):
            common._respond(op, {"score": 1})
        assert common._respond(op, {"score": 1, "my_vote": 0}).status_code == 304


def test_the_openapi_document_describes_etag_and_304(client):
    doc = client.get(f"{API}/openapi.json").get_json()
    gets = posts = 0
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
            if method == "get" and "200" in operation["responses"]:
                gets += 1
                assert "If-None-Match" in names, path
                assert "ETag" in operation["responses"]["200"]["headers"], path
                assert "content" not in operation["responses"]["304"], path
            else:
                posts += method == "post"
                assert "If-None-Match" not in names and "304" not in operation["responses"], (method, path)
    assert gets > 15 and posts > 15
