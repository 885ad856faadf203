from html.parser import HTMLParser

import pytest

from forum.core.markup import plain_text, render_markdown, sanitize

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "[x](vbscript:msgbox(1))",
    "<details open ontoggle=alert(1)>",
    "`<script>` and <b onmouseover=alert(1)>bold</b>",
]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize("source", XSS)
def test_hostile_markdown_renders_harmless(source):
    found = elements(render_markdown(source))
    for tag, attrs in found:
        assert tag not in {"script", "iframe", "svg", "details", "div", "style", "form", "input"}
        assert not any(name.startswith("on") or name == "style" for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            if name in attrs:
                assert attrs[name].split(":", 1)[0].lower() in {"http", "https", "mailto"} or ":" not in attrs[name]


def test_raw_html_is_shown_as_text_not_markup():
    html = render_markdown("<b>bold</b>")
    assert "<b>" not in html
    assert "&lt;b&gt;" in html


def test_links_get_rel_and_safe_schemes_survive():
    html = render_markdown("[help](https://example.com/help) and mailto:<mailto:a@example.com>")
    assert 'href="https://example.com/help"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_markdown_features_render():
    html = render_markdown("# 标题\n\n1. 第一步\n2. 第二步\n\n**重要** `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h1>标题</h1>" in html
    assert "<ol>" in html and "<strong>重要</strong>" in html and "<code>code</code>" in html
    assert "<table>" in html


def test_sanitize_strips_unknown_tags_and_attributes():
    assert sanitize('<p class="x" onclick="y">hi</p><form><input></form>') == "<p>hi</p>"


def test_plain_text_strips_markup_and_truncates():
    assert plain_text("<p>退款 &amp; <b>refund</b></p>") == "退款 & refund"
    assert plain_text("<p>" + "字" * 50 + "</p>", 10) == "字" * 9 + "…"
