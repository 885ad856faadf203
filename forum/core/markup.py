"""Markdown rendering and HTML sanitizing: the only module that imports the sanitizer.

Posts are rendered once, when saved: markdown-it-py with raw HTML turned off (its presets
default to html=True), then an allow-list sanitizer (nh3, Rust's ammonia) removes anything the
renderer let through. Swapping the sanitizer is a change to `sanitize()` alone.
"""
from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml as escape_html

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False, "breaks": True})
    .enable(["table", "strikethrough", "linkify"])
)


def _image_as_link(tokens, idx, options, env):
    # Images from other hosts would tell them who reads the forum (and the CSP blocks them):
    # an image becomes a link to it, labelled with its description.
    token = tokens[idx]
    src = token.attrGet("src") or ""
    label = "".join(child.content for child in (token.children or [])) or src
    return f'<a href="{escape_html(src)}">↗ {escape_html(label)}</a>'


_md.renderer.rules["image"] = _image_as_link


def sanitize(html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes; links get rel=nofollow ugc noopener."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """Markdown source → sanitized HTML, safe to insert into a page."""
    return sanitize(_md.render(source or ""))


def plain_text(html_or_text: str, limit: int | None = None) -> str:
    """Text without any markup, for excerpts and titles."""
    text = nh3.clean(html_or_text or "", tags=set(), attributes={})
    text = " ".join(html.unescape(text).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
