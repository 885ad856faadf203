"""Limits on what a post may contain: the one place that states them."""
from __future__ import annotations

import re
import unicodedata

TITLE_MIN, TITLE_MAX = 10, 150
BODY_MIN, BODY_MAX = 20, 30_000
COMMENT_MIN, COMMENT_MAX = 5, 600
TAGS_MIN, TAGS_MAX = 1, 5
TAG_MAX_LENGTH = 25
SUMMARY_MAX = 300
# Tags: letters of any script, digits, and + # . - (no spaces: a space separates tags).
TAG_RE = re.compile(r"^[\w+#.\-]+$")


def normalise_tag(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().strip("#").lower()


def split_tags(raw) -> list[str]:
    """Tags from a list or from a string separated by spaces or commas (Chinese commas too)."""
    if isinstance(raw, str):
        raw = re.split(r"[\s,，、;；]+", raw)
    seen: list[str] = []
    for item in raw or []:
        tag = normalise_tag(item) if isinstance(item, str) else item
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def text_length(value: str) -> int:
    """Length as a reader counts it: surrounding white space does not count."""
    return len(value.strip())
