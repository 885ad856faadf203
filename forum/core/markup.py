"""Markdown rendering and HTML sanitizing: the only module that imports the sanitizer.

Posts are rendered once, when saved (and by the live preview): markdown-it-py with raw HTML turned
off (its presets default to html=True), then an allow-list sanitizer (nh3, Rust's ammonia) removes
anything the renderer let through. Swapping the sanitizer is a change to `sanitize()` alone.
Rendering is bounded: its cost and its output grow linearly with the body, whatever it contains
(see "bounded rendering" below).
"""
from __future__ import annotations

import html
import importlib
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml as escape_html
from markdown_it.rules_inline import image as image_rule
from markdown_it.rules_inline import link as link_rule
from markdown_it.token import Token

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "loading"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# --- bounded rendering -------------------------------------------------------------------------
# Every post is rendered when it is saved and on every keystroke of the live preview, so no body may
# cost more than a fixed amount of work per character, whatever it contains. markdown-it-py and
# linkify-it-py do that for ordinary text; the rules below replace or bound the few places where a
# crafted body made them quadratic or let a few bytes expand into megabytes. Each is measured by
# tests/core/test_markup_cost.py, and none changes how an ordinary post renders.

# Link labels are matched by re-scanning nested brackets once per nesting level, so a paragraph of
# `[[[[...` or `![![![...` costs (characters × depth). Block nesting (quotes, lists) keeps the
# preset's 20 levels; inline nesting (brackets inside link labels) stops at 8, far more than any
# real `[![image](src)](href)` needs.
BLOCK_NESTING = 20
INLINE_NESTING = 8
# A table row shorter than its header gets empty cells: a 100-column header over rows of "|" made
# 65,536 cells (the library's own cap) out of a few kilobytes. Rows missing this many cells in all
# end the table.
TABLE_FILL_MAX = 2_000
# A reference definition (`[a]: https://...`) is written once and used any number of times: 15 KB
# of URL used 5,000 times rendered 37 MB. References may add this many characters (URLs and titles)
# to one post; further uses of a reference stay plain text, like an undefined reference.
REFERENCE_EXPANSION_MAX = 50_000
# The longest scheme a bare URL may start with is far shorter than this ("mailto", "https").
_SCHEME_WINDOW = 32
_SCHEME_AT_END = re.compile(r"(?:^|[^a-z0-9.+-])([a-z][a-z0-9.+-]*)$", re.IGNORECASE)
_HTTP_PREFIX = re.compile(r"^http://")
_MAILTO_PREFIX = re.compile(r"^mailto:")
_HAS_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
_REFERENCE_SPENT = "forum_reference_chars"

# The library's own knob (markdown-it-py >= 4), a module constant read at every table; failing here
# on an upgrade that drops it is better than silently losing the bound.
_table_module = importlib.import_module("markdown_it.rules_block.table")
if not hasattr(_table_module, "MAX_AUTOCOMPLETED_CELLS"):
    raise RuntimeError("markdown-it-py no longer caps empty table cells: bound them another way")
_table_module.MAX_AUTOCOMPLETED_CELLS = TABLE_FILL_MAX


def _linkify_scheme(state, silent: bool) -> bool:
    """Inline rule: a URL with a scheme (`https://...`) becomes a link before emphasis can split it.

    The same rule as markdown-it-py's, but it reads the scheme from the last few characters of the
    pending text instead of searching all of it at every `://` (quadratic: `"http://a." * 4000`
    took 15 s)."""
    if state.linkLevel > 0:
        return False
    pos = state.pos
    if pos + 3 > state.posMax or not state.src.startswith("://", pos):
        return False
    tail = state.pending[-_SCHEME_WINDOW:]
    found = _SCHEME_AT_END.search(tail)
    # A letter run that fills the whole window may go on further back: too long to be a scheme.
    if not found or (found.start(1) == 0 and len(tail) < len(state.pending)):
        return False
    proto = found.group(1)
    linkify = state.md.linkify
    # Ask linkify-it about the scheme on a short slice first; only a known scheme is worth the
    # copy of the rest of the paragraph that matching the whole URL needs.
    if not re.match(linkify.re["schema_at_start"], state.src[pos - len(proto):pos + 3], re.IGNORECASE):
        return False
    link = linkify.match_at_start(state.src[pos - len(proto):])
    if not link:
        return False
    url = link.url.rstrip("*")  # a closing `*` belongs to emphasis, not to the URL
    # Inside a link label (validation mode) the pending text is stale, so the "scheme" may not be
    # what precedes `://`: markdown-it (JavaScript) refuses a URL no longer than it, markdown-it-py
    # does not and raised RuntimeError on `ple.org[ftp://s://` (a 500 on posting).
    if len(url) <= len(proto):
        return False
    full_url = state.md.normalizeLink(url)
    if not state.md.validateLink(full_url):
        return False
    if not silent:
        state.pending = state.pending[:-len(proto)]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": full_url}
        token.markup, token.info = "linkify", "auto"
        token = state.push("text", "", 0)
        token.content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup, token.info = "linkify", "auto"
    state.pos += len(url) - len(proto)
    return True


def _linked_text(state, token: Token, links) -> list[Token]:
    """One text token split into text and links, as markdown-it-py's linkify rule splits it."""
    text, level = token.content, token.level
    nodes: list[Token] = []
    done = 0
    for link in links:
        href = state.md.normalizeLink(link.url)
        if not state.md.validateLink(href):
            continue
        if not link.schema:  # a bare host: shown without the "http://" that the URL gets
            label = _HTTP_PREFIX.sub("", state.md.normalizeLinkText("http://" + link.text))
        elif link.schema == "mailto:" and _HAS_MAILTO.search(link.text):
            label = _MAILTO_PREFIX.sub("", state.md.normalizeLinkText("mailto:" + link.text))
        else:
            label = state.md.normalizeLinkText(link.text)
        if link.index > done:
            before = Token("text", "", 0)
            before.content, before.level = text[done:link.index], level
            nodes.append(before)
        opening = Token("link_open", "a", 1)
        opening.attrs = {"href": href}
        opening.level, opening.markup, opening.info = level, "linkify", "auto"
        inside = Token("text", "", 0)
        inside.content, inside.level = label, level + 1
        closing = Token("link_close", "a", -1)
        closing.level, closing.markup, closing.info = level, "linkify", "auto"
        nodes += [opening, inside, closing]
        done = link.last_index
    if done < len(text):
        after = Token("text", "", 0)
        after.content, after.level = text[done:], level
        nodes.append(after)
    return nodes


def _linkify_text(state) -> None:
    """Core rule: bare URLs and e-mail addresses in text become links.

    Replaces markdown-it-py's rule, which splices every linked text token into the paragraph's
    token list (a copy of the whole list per token: quadratic in a paragraph of many short lines
    with a link each). This builds each paragraph's new list in one pass; text inside links is left
    alone, and a link right after an escape (`http\\://...`) is not one."""
    linkify = state.md.linkify
    for block in state.tokens:
        if block.type != "inline" or not block.children or not linkify.pretest(block.content):
            continue
        children = block.children
        rebuilt: list[Token] = []
        in_link = 0
        for i, token in enumerate(children):
            if token.type == "link_open":
                in_link += 1
            elif token.type == "link_close":
                in_link -= 1
            links = None
            if token.type == "text" and not in_link and linkify.test(token.content):
                links = linkify.match(token.content) or []
                if links and links[0].index == 0 and i > 0 and children[i - 1].type == "text_special":
                    links = links[1:]
            if links is None:
                rebuilt.append(token)
            else:
                rebuilt += _linked_text(state, token, links)
        block.children = rebuilt


def _budgeted_reference(rule, opening: str):
    """Wrap the link or image rule: references stop expanding once REFERENCE_EXPANSION_MAX
    characters of URLs and titles have been spent in this post."""
    def wrapped(state, silent: bool) -> bool:
        start = state.pos
        spent = state.env.get(_REFERENCE_SPENT, 0)
        if spent >= REFERENCE_EXPANSION_MAX:
            if not rule(state, True):
                return False
            is_reference = state.src[state.pos - 1] == "]"
            end, state.pos = state.pos, start
            if is_reference:
                return False
            if silent:
                state.pos = end
                return True
        count = len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent and state.src[state.pos - 1] == "]":
            token = next(t for t in state.tokens[count:] if t.type == opening)
            used = sum(len(token.attrGet(name) or "") for name in ("href", "src", "title"))
            state.env[_REFERENCE_SPENT] = spent + used
        return True
    return wrapped


# Which image sources are the forum's own uploads that may be shown in the text being rendered, and
# their size: (src, author_id) -> (width, height, path) or None. Set by forum.uploads (core imports no
# feature); unset, every image is a link.
_image_resolver = None
OWN_IMAGE_PREFIX = "/uploads/"
IMAGES_MAX = 30
_IMAGES_SHOWN = "forum_images_shown"
_AUTHOR = "forum_author_id"


def set_image_resolver(resolver) -> None:
    """`resolver(src, author_id)` → (width, height, path) for an image the forum serves itself and
    shows in a text by `author_id` (None: author unknown), else None."""
    global _image_resolver
    _image_resolver = resolver


def _image_as_link(tokens, idx, options, env):
    # Images from other hosts would tell them who reads the forum (and the CSP blocks them):
    # an image becomes a link to it, labelled with its description. Only the forum's own uploads
    # are shown, lazily and with their size (no jump while the page loads).
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = "".join(child.content for child in (token.children or []))
    own = None
    if _image_resolver is not None and OWN_IMAGE_PREFIX in src:
        # Each image costs a lookup: a post shows at most IMAGES_MAX, the rest stay links.
        env[_IMAGES_SHOWN] = env.get(_IMAGES_SHOWN, 0) + 1
        own = _image_resolver(src, env.get(_AUTHOR)) if env[_IMAGES_SHOWN] <= IMAGES_MAX else None
    if own:
        width, height, path = own
        return (f'<img src="{escape_html(path)}" alt="{escape_html(alt)}" width="{int(width)}" '
                f'height="{int(height)}" loading="lazy">')
    label = alt or src
    return f'<a href="{escape_html(src)}">↗ {escape_html(label)}</a>'


def _parser(max_nesting: int) -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False, "breaks": True,
                                  "maxNesting": max_nesting})
        .enable(["table", "strikethrough", "linkify"])
    )
    md.inline.ruler.at("linkify", _linkify_scheme)
    md.inline.ruler.at("link", _budgeted_reference(link_rule, "link_open"))
    md.inline.ruler.at("image", _budgeted_reference(image_rule, "image"))
    md.core.ruler.at("linkify", _linkify_text)
    md.renderer.rules["image"] = _image_as_link
    return md


_md = _parser(BLOCK_NESTING)
_inline_md = _parser(INLINE_NESTING)


def _inline_with_bounded_nesting(state) -> None:
    """Core rule: parse each paragraph's inline content with the inline nesting limit."""
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            _inline_md.inline.parse(token.content, _inline_md, state.env, token.children)


_md.core.ruler.at("inline", _inline_with_bounded_nesting)


def _only_own_images(tag: str, attribute: str, value: str) -> str | None:
    # The renderer writes <img> for the forum's own uploads only; whatever else gets here loses its
    # source (and the CSP's img-src 'self' would block it anyway).
    if tag == "img" and attribute == "src" and not value.startswith(OWN_IMAGE_PREFIX):
        return None
    if tag == "img" and attribute == "loading" and value != "lazy":
        return None
    return value


def sanitize(html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes; links get rel=nofollow ugc noopener;
    images only from the forum's own /uploads/."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_only_own_images,
    )


def render_markdown(source: str, author_id: int | None = None) -> str:
    """Markdown source → sanitized HTML, safe to insert into a page. `author_id`, the text's author:
    their own uploads are shown as images; another member's only while it is public."""
    return sanitize(_md.render(source or "", {_AUTHOR: author_id}))


def plain_text(html_or_text: str, limit: int | None = None) -> str:
    """Text without any markup, for excerpts and titles."""
    text = nh3.clean(html_or_text or "", tags=set(), attributes={})
    text = " ".join(html.unescape(text).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
