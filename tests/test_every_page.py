"""tests/every_page.py lists every page: each GET endpoint that answers HTML is there, each listed
URL is its endpoint's, and each answers HTML with the status listed, for the role listed."""
from __future__ import annotations

from collections import defaultdict
from urllib.parse import quote

from tests.every_page import NOT_PAGES, PASSWORD, endpoints_to_cover, page_data, pages, sign_in_second_step

__all__ = ["page_data"]  # the fixture, imported to be registered here


def test_every_get_endpoint_is_a_listed_page_or_named_as_not_one(app, page_data):
    listed = {page.endpoint for page in pages(app, page_data)}
    missing = endpoints_to_cover(app) - listed
    assert not missing, f"GET pages missing from tests/every_page.py (add to pages() or NOT_PAGES): {missing}"
    unknown = {e for e in listed if not e.startswith("errors.")} - endpoints_to_cover(app)
    assert not unknown, f"tests/every_page.py lists endpoints the application has no longer: {unknown}"
    rules = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(NOT_PAGES) <= rules, f"NOT_PAGES names endpoints that are gone: {set(NOT_PAGES) - rules}"


def test_each_url_is_its_endpoints(app, page_data):
    adapter = app.url_map.bind("localhost")
    for page in pages(app, page_data):
        if page.endpoint.startswith("errors."):
            continue
        endpoint, _args = adapter.match(page.url.split("?")[0], method="GET")
        assert endpoint == page.endpoint, page


def test_each_page_answers_html_for_its_role(client, page_data, app):
    by_role = defaultdict(list)
    for page in pages(app, page_data):
        by_role[page.role].append(page)
    assert set(by_role) == {"visitor", "member", "staff", "moderator", "admin"}
    shown = {}
    for role, listed in by_role.items():
        client.post("/logout")
        client.delete_cookie("session")
        if role != "visitor":
            signed = client.post("/login", data={"login": page_data.users[role], "password": PASSWORD})
            assert signed.status_code == 302, signed.get_data(as_text=True)
        for page in listed:
            if page.needs == "second_step":
                response = sign_in_second_step(lambda data: client.post("/login", data=data), page_data)
                assert response.status_code == 302 and "/login/2fa" in response.headers["Location"]
            response = client.get(page.url)
            assert response.status_code == page.status, f"{page}: {response.status_code}"
            assert response.mimetype == "text/html", page
            assert "<main" in response.get_data(as_text=True), page
            shown[(role, page.url)] = response.get_data(as_text=True)
    # The data is there to be seen: hits, the verified answer, the queue, the notification.
    title = "我的订单无法修改收货地址怎么办"
    hits = shown[("visitor", f"/search?q={quote(page_data.search)}")]
    assert f'href="/questions/{page_data.question}"' in hits
    assert title in shown[("visitor", "/kb")]
    assert "退款问题可以找我处理" in shown[("moderator", "/review")]
    assert "laowang_e" in shown[("member", "/notifications")]
