"""Limits on what a post may contain: the one place that states them."""
from __future__ import annotations

import re
import unicodedata

from forum.core import text
from forum.core.validation import CONTROL_RE, has_control_characters  # noqa: F401  (the rule lives in core)
from forum.core.validation import reader_length as text_length  # noqa: F401

TITLE_MIN, TITLE_MAX = 10, 150
BODY_MIN, BODY_MAX = 20, 30_000
COMMENT_MIN, COMMENT_MAX = 5, 600
TAGS_MIN, TAGS_MAX = 1, 5
TAG_MAX_LENGTH = 25
SUMMARY_MAX = 300
# Tags: letters of any script, digits, and + # . - (no spaces: a space separates tags).
TAG_RE = re.compile(r"^[\w+#.\-]+$")
# At least one letter or digit ("." and ".." would break links).
HAS_WORD_RE = re.compile(r"[^\W_]")
# Raw tag items looked at before de-duplicating: far more than TAGS_MAX, far less than a flood.
RAW_TAGS_MAX = 50


def clean_text(value: str) -> str:
    """Member text as it is stored: without invisible characters (zero-width spaces and joiners,
    word joiners, bidi controls, soft hyphens... every default-ignorable and format character),
    emoji sequences kept whole. A reader sees no difference; searches and the guards do."""
    return text.strip_invisible(value)


def normalise_tag(raw: str) -> str:
    return unicodedata.normalize("NFKC", clean_text(raw)).strip().strip("#").lower()


def split_tags(raw) -> list[str]:
    """Tags from a list or from a string separated by spaces or commas (Chinese commas too), in
    order, without repeats. Looks at no more than RAW_TAGS_MAX items."""
    if isinstance(raw, str):
        raw = re.split(r"[\s,，、;；]+", raw, maxsplit=RAW_TAGS_MAX)
    items = [normalise_tag(item) if isinstance(item, str) else item for item in list(raw or [])[:RAW_TAGS_MAX + 1]]
    return list(dict.fromkeys(item for item in items if item))



# Seven digits or more in a row: a phone, card, ID or order number, never a topic.
LONG_NUMBER_RE = re.compile(r"[0-9０-９]{7,}")
