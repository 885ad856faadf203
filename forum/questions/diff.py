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


def inline_diff(old: str, new: str) -> tuple[Markup, DiffStats]:
    """`new` with insertions in <ins> and deletions from `old` in <del>, all text escaped."""
    a, b = tokens(old), tokens(new)
    out: list[str] = []
    inserted = deleted = 0
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(Markup("<del>%s</del>") % "".join(a[i1:i2]))
            deleted += i2 - i1
        if op in ("insert", "replace"):
            out.append(Markup("<ins>%s</ins>") % "".join(b[j1:j2]))
            inserted += j2 - j1
    return Markup("").join(out), DiffStats(inserted, deleted)
