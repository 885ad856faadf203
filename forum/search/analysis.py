"""Text analysis for search: the one place that decides what a searchable unit ("term") is.

Both backends index the terms this module produces and both query with them, so Whoosh and
PostgreSQL agree on what matches. The rules, chosen by measuring them on the judged set
(tests/search/judged.py):

- Text is folded first: NFKC (full-width letters, digits and punctuation become ASCII), case
  folding, and Traditional Chinese characters to Simplified (OpenCC's character table), so 密碼
  finds 密码 and the reverse.
- A run of Chinese (or Japanese, Korean) characters becomes overlapping bigrams with consecutive
  positions: 支付失败 → 支付 付失 失败. No dictionary can miss a word, and a quoted phrase is a
  phrase query over the bigrams. A one-character run is kept as it is.
- Latin words and numbers are lower-cased and stemmed (Porter): refunds, refunded → refund.

Whoosh pickles the analyzer into the index schema, so `ForumTokenizer` must stay importable at
this path.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from whoosh.analysis import Token, Tokenizer
from whoosh.lang.porter import stem as porter_stem

MAX_TERM_LENGTH = 40

# Han (with extension A and compatibility ideographs), kana, hangul: scripts written without spaces.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[0-9a-z]+(?:['’][a-z]+)?)")
_CJK_RE = re.compile(rf"[{_CJK}]")

# Variants that the Traditional→Simplified table leaves apart but readers treat as one word.
_EXTRA_FOLDS = {"帐": "账", "週": "周", "麽": "么", "於": "于"}


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    folder = resources.files("opencc") / "dictionary"
    # The Traditional→Simplified character table only: OpenCC's regional variant tables map some
    # Simplified characters to Traditional forms (户 → 戶), which would undo the folding.
    for line in (folder / "TSCharacters.txt").read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[ord(source)] = target
    for source, target in _EXTRA_FOLDS.items():
        table[ord(source)] = target
    for key, value in list(table.items()):  # 帳 → 帐 → 账
        table[key] = table.get(ord(value), value)
    return table


def fold(text: str) -> str:
    """NFKC, case folding and Simplified characters. Keeps the length when it can (see `_aligned`)."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_fold_table())


def _aligned(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, when folding changed its length, a map from folded to original offsets."""
    folded = fold(text)
    if len(folded) == len(text):
        return folded, None
    pieces, offsets = [], []
    for index, char in enumerate(text):
        piece = fold(char)
        pieces.append(piece)
        offsets.extend([index] * len(piece))
    offsets.append(len(text))
    return "".join(pieces), offsets


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    return porter_stem(word) if word.isalpha() else word


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    position: int
    start: int  # offsets in the original text
    end: int


def _raw_terms(folded: str):
    """(text, position, start, end) of every term of already folded text: the one tokenizing rule."""
    position = 0
    for match in _TOKEN_RE.finditer(folded):
        if match.lastgroup == "cjk":
            run, base = match.group(), match.start()
            if len(run) == 1:
                yield run, position, base, base + 1
                position += 1
                continue
            for i in range(len(run) - 1):
                yield run[i:i + 2], position, base + i, base + i + 2
                position += 1
        else:
            word = match.group().replace("’", "'")
            if len(word) <= MAX_TERM_LENGTH:
                yield stem(word), position, match.start(), match.end()
            position += 1


def terms(text: str) -> list[Term]:
    """Every searchable term of `text`, in order, with positions and original offsets."""
    folded, offsets = _aligned(text or "")
    if offsets is None:
        return [Term(*raw) for raw in _raw_terms(folded)]
    return [Term(t, p, offsets[start], offsets[end - 1] + 1) for t, p, start, end in _raw_terms(folded)]


def spans(text: str, wanted: set[str] | frozenset[str], prefixes: tuple[str, ...] = ()) -> list[tuple[int, int]]:
    """(start, end) in `text` of the terms that are `wanted` or begin with one of `prefixes`, in
    order: what highlighting needs, without a Term for every other term."""
    folded, offsets = _aligned(text or "")
    found = [(start, end) for t, _p, start, end in _raw_terms(folded)
             if t in wanted or (prefixes and t.startswith(prefixes))]
    if offsets is not None:
        found = [(offsets[start], offsets[end - 1] + 1) for start, end in found]
    return found


def term_texts(text: str) -> list[str]:
    """Only the terms, in order (positions are their indexes)."""
    return [t for t, _p, _s, _e in _raw_terms(fold(text or ""))]


def words(text: str) -> list[str]:
    """Latin words as written (folded, not stemmed): the vocabulary for "did you mean"."""
    return [m.group() for m in _TOKEN_RE.finditer(fold(text or "")) if m.lastgroup == "word"]


def has_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


def cjk_runs_and_words(folded: str) -> list[tuple[str, str]]:
    """Split already folded text into ("cjk", run) and ("word", word) pieces, in order."""
    return [(m.lastgroup, m.group()) for m in _TOKEN_RE.finditer(folded)]


class ForumTokenizer(Tokenizer):
    """Whoosh adapter around `terms()`: the index and the queries use the same terms."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __hash__(self):
        return hash(self.__class__.__name__)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for term in terms(value):
            token.text = term.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = term.text
            if positions:
                token.pos = start_pos + term.position
            if chars:
                token.startchar, token.endchar = start_char + term.start, start_char + term.end
            yield token


def ForumAnalyzer():
    return ForumTokenizer()
