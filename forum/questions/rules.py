"""Limits on what a post may contain: the one place that states them."""
from __future__ import annotations

import re
import unicodedata

from forum.core import text
from forum.core.validation import CONTROL_RE, has_control_characters  # noqa: F401  (the rule lives in core)
from forum.core.validation import reader_length as text_length  # noqa: F401
from forum.core.validation import weighted_length  # noqa: F401

# Minimums are weighted lengths (a Chinese character counts 2: forum.core.text.weighted_length),
# maximums characters. Answers have the body's limits.
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


# --- filler answers ------------------------------------------------------------------------------

# What people post as an answer when they mean "me too", "bump" or "thanks": said as a whole answer,
# each belongs to a vote or to following the question. Compared after folding (is_filler): case,
# full-width forms, white space and punctuation do not matter, and a phrase said over and over is
# the phrase ("顶顶顶", "+1 +1 +1"), and so are phrases one after another ("同样的问题 +1" as an
# answer). Comments may say them ("同样的问题 +1" is a fine comment). Kept small on purpose: a
# real answer that happens to start with "同问" says more, and is not filler.
FILLER_PHRASES = frozenset({
    "+1", "1", "顶", "顶一下", "帮顶", "同问", "同求", "求解", "蹲", "蹲一个", "同", "同上", "我也是", "我也一样",
    "我也遇到了", "一样", "同样的问题", "沙发", "mark", "mark一下", "马克", "收藏", "谢谢", "感谢", "多谢",
    "same", "same here", "same problem", "me too", "metoo", "me2", "bump", "up", "ding", "dd", "thanks",
    "thank you", "thx", "ty",
})
_FILLER_KEYS = {"".join(p.split()) for p in FILLER_PHRASES}
# What is left of a text to compare: letters, digits and "+" ("+1"); everything else is set aside.
_NOT_KEPT_RE = re.compile(r"[^\w+]|_")
_HAS_WORD_OR_DIGIT_RE = re.compile(r"[^\W_]")
_FILLER_LOOK_MAX = 200


def _is_said_over(key: str) -> bool:
    """Is `key` one character repeated, or filler phrases one after another ("顶顶顶", "同问+1")?"""
    if len(set(key)) == 1:
        return True
    if len(key) > _FILLER_LOOK_MAX:
        return False  # an answer this long says something else too
    ends = [True] + [False] * len(key)  # ends[i]: key[:i] is filler phrases (word break, linear)
    for i in range(1, len(key) + 1):
        ends[i] = any(len(p) <= i and ends[i - len(p)] and key.startswith(p, i - len(p)) for p in _FILLER_KEYS)
    return ends[-1]


def is_filler(value: str) -> bool:
    """Is this answer no answer: nothing but punctuation, symbols or emoji, one character repeated
    (顶顶顶, 1111, ......), or phrases of FILLER_PHRASES and nothing else ("同问 +1")?"""
    folded = text.fold(value).text.casefold()
    if not _HAS_WORD_OR_DIGIT_RE.search(folded):
        return bool(folded.strip())  # only punctuation, symbols or emoji (empty is another message)
    key = _NOT_KEPT_RE.sub("", folded)
    return _is_said_over(key)
