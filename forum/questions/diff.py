"""Differences between two revisions, as HTML with <ins> and <del>.

Chinese has no spaces, so text is split into single CJK characters, words of other scripts,
runs of white space and single punctuation marks; a word-level diff of Chinese would mark whole
sentences as changed.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

_TOKEN_RE = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]"  # one CJK character
    r"|[^\W\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+"  # a word in another script
    r"|\s+|.",
    re.S,
)


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


@dataclass
class DiffStats:
    inserted: int
    deleted: int


# SequenceMatcher is quadratic at worst: token-level matching runs only on pieces whose sizes
# multiply to at most this; larger changed pieces are shown as replaced whole.
TOKEN_WORK_LIMIT = 250_000


def inline_diff(old: str, new: str) -> tuple[Markup, DiffStats]:
    """`new` with insertions in <ins> and deletions from `old` in <del>, all text escaped.

    Lines are matched first (cheap, and junk heuristics keep repetitive input fast), then the
    tokens of each changed block, so a hostile 30,000-character post costs milliseconds, not minutes.
    """
    out: list[Markup] = []
    stats = DiffStats(0, 0)
    a_lines, b_lines = (old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=a_lines, b=b_lines, autojunk=True)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(a_lines[i1:i2])))
        else:
            out.append(_token_diff("".join(a_lines[i1:i2]), "".join(b_lines[j1:j2]), stats))
    return Markup("").join(out), stats


def _token_diff(old: str, new: str, stats: DiffStats) -> Markup:
    a, b = tokens(old), tokens(new)
    if len(a) * len(b) > TOKEN_WORK_LIMIT:
        opcodes = [("replace", 0, len(a), 0, len(b))]
    else:
        opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    out: list[Markup] = []
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace") and i2 > i1:
            out.append(Markup("<del>%s</del>") % "".join(a[i1:i2]))
            stats.deleted += i2 - i1
        if op in ("insert", "replace") and j2 > j1:
            out.append(Markup("<ins>%s</ins>") % "".join(b[j1:j2]))
            stats.inserted += j2 - j1
    return Markup("").join(out)
