"""/support: every official channel is a working link (issue 16), from FORUM_SUPPORT_CHANNELS or the
example list."""
import re
from html.parser import HTMLParser

import pytest

from forum.tickets import channels

EN = {"Accept-Language": "en"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_main = 0
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main += 1
        if tag == "a" and self.in_main:
            self.hrefs.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main -= 1


def main_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def channel_links(html: str) -> list[str]:
    return re.findall(r'<p class="channel-link"><a href="([^"]*)"', html)


def assert_all_lead_somewhere(client, html: str) -> None:
    hrefs = main_links(html)
    assert hrefs
    for href in hrefs:
        assert href, f"a link without an address: {hrefs}"
        if href.startswith(("tel:", "mailto:", "https://")):
            continue
        assert href.startswith("/"), href
        response, url = client.get(href), href
        for _ in range(5):  # the IsolatedClient follows redirects by hand
            if response.status_code not in (301, 302, 303, 307, 308):
                break
            url = response.headers["Location"]
            response = client.get(url)
        assert response.status_code == 200, (href, url, response.status_code)


def test_phone_and_email_links_are_normalised():
    assert channels.phone_href("400-000-0000") == "tel:4000000000"
    assert channels.phone_href("+86 (10) 8888 6666") == "tel:+861088886666"
    assert channels.phone_href("call us") is None and channels.phone_href("--") is None
    assert channels.email_href(" support@example.com ") == "mailto:support@example.com"
    assert channels.email_href("mailto:help@example.cn") == "mailto:help@example.cn"
    assert channels.email_href("support at example") is None
    assert channels.email_href("a@b.com?cc=x@y.com") is None


def test_the_default_online_channel_is_the_members_tickets(app):
    with app.test_request_context():
        visitor = {c.kind: c for c in channels.support_channels(None, signed_in=False)}
        member = {c.kind: c for c in channels.support_channels(None, signed_in=True)}
    assert set(visitor) == {"phone", "email", "online", "social"}
    assert visitor["phone"].href == "tel:4000000000" and visitor["email"].href == "mailto:support@example.com"
    assert member["online"].href == "/tickets" and member["online"].own
    assert visitor["online"].href.startswith("/login?next=") and "tickets" in visitor["online"].href
    assert visitor["social"].href.startswith("https://")


def test_configured_channels_lead_somewhere_or_are_left_off(app, caplog):
    configured = [
        {"kind": "online", "label": "/support/chat", "hours": True},  # the old default: a page that does not exist
        {"kind": "online", "label": "Knowledge base", "url": "/kb"},
        {"kind": "online", "label": "Chat", "url": "https://chat.example.com/"},
        {"kind": "social", "label": "@platform_support"},  # no address: left off
        {"kind": "social", "label": "微博", "url": "https://weibo.example.com/platform"},
        {"kind": "phone", "label": "客服热线"},  # no digits: left off
        {"kind": "phone", "label": "95000", "url": "tel:95-000"},
        {"kind": "email", "label": "not an address"},
        {"kind": "fax", "label": "010-1234"},
        "not a mapping",
        {"kind": "online", "url": "javascript:alert(1)"},
    ]
    with app.test_request_context():
        result = channels.support_channels(configured, signed_in=True)
    assert [(c.kind, c.href) for c in result] == [
        ("online", "/tickets"), ("online", "/kb"), ("online", "https://chat.example.com/"),
        ("social", "https://weibo.example.com/platform"), ("phone", "tel:95000"), ("online", "/tickets")]
    assert result[0].label == "" and result[1].label == "Knowledge base"
    assert len([r for r in caplog.records if "left off /support" in r.getMessage()]) == 5


def test_support_page_links_work_for_visitors_and_members(client, create_user, login):
    page = client.get("/support", headers=EN).get_data(as_text=True)
    assert "/support/chat" not in page
    assert 'href="tel:4000000000"' in page and 'href="mailto:support@example.com"' in page
    assert len(channel_links(page)) == 4 and "Sign in to contact official support" in page
    assert_all_lead_somewhere(client, page)
    login(create_user("zhou"))
    page = client.get("/support", headers=EN).get_data(as_text=True)
    assert '<a href="/tickets">Your tickets</a>' in page
    assert_all_lead_somewhere(client, page)
    assert client.get("/support").status_code == 200  # Chinese


@pytest.mark.parametrize("configured", [
    [{"kind": "online", "label": "/support/chat", "hours": True}, {"kind": "phone", "label": "95-000"}],
    [{"kind": "social", "label": "@nobody"}],  # nothing left: the page still answers, without channels
])
def test_support_page_with_configured_channels(client, app, monkeypatch, configured):
    monkeypatch.setitem(app.config, "FORUM_SUPPORT_CHANNELS", configured)
    response = client.get("/support", headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "/support/chat" not in page
    assert all(href.startswith(("tel:", "/")) for href in channel_links(page))
    assert_all_lead_somewhere(client, page)
