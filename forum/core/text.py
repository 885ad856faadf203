"""Unicode hygiene for member text: the one place that knows which characters are invisible, how
text is folded before it is screened, and when two names look alike.

- Invisible characters are Unicode's default-ignorable code points and format characters
  (`Default_Ignorable_Code_Point` ∪ general category `Cf`): zero-width spaces and joiners, word
  joiners, bidi controls, soft hyphens, variation selectors, Hangul fillers, tag characters...
  A reader never sees them, so they must never hide a word from the guards or stand in a name.
- Folding (`fold`) gives the text the guards match on: invisible characters dropped,
  compatibility forms folded (NFKC: full-width, circled, superscript and mathematical letters and
  digits), digits of every script as ASCII digits, decorative combining marks on ASCII letters and
  CJK characters dropped, and letters of other scripts that look like Latin ones (Cyrillic "а",
  Greek "ο", Armenian "օ", Cherokee "Ꮪ"...) read as Latin inside Latin-looking words. Every
  folded character remembers where it came from, so findings point into the original text.
- Look-alike names (`skeleton`, `lookalike_key`, `mixed_scripts`) follow Unicode Technical Standard
  #39 (security mechanisms): two strings are confusable when their skeletons are equal.
- Weighted length (`weighted_length`): how long a text is to a reader, as X/Twitter's weighted
  length counts it: a character set in a full-width cell (`WIDE_RANGES`: CJK ideographs, kana,
  hangul, bopomofo, CJK and full-width punctuation and forms) weighs 2, an invisible character 0,
  anything else 1. Chinese says in 9 characters what English says in 25; the minimum lengths of
  posts count this way so that they mean the same in both.

Third-party code lives here and nowhere else: `regex` for the Unicode properties the standard
library lacks (Default_Ignorable_Code_Point, Extended_Pictographic, scripts) and
`confusable_homoglyphs` for the UTS #39 confusables data. Nothing here imports Flask or the rest of
`forum`: the guards load this module on its own.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex

__all__ = [
    "Folded",
    "fold",
    "has_invisible",
    "is_invisible",
    "lookalike_key",
    "lookalike_keys",
    "mixed_scripts",
    "scripts_of",
    "skeleton",
    "strip_invisible",
    "weighted_length",
    "WIDE_RANGES",
]

# --------------------------------------------------------------------------------------------
# Invisible characters
# --------------------------------------------------------------------------------------------

_INVISIBLE = r"[\p{Default_Ignorable_Code_Point}\p{Cf}]"
_INVISIBLE_RE = regex.compile(_INVISIBLE)
# Emoji sequences keep their joiners and selectors: 👩‍💻 is one picture, and without its zero-width
# joiner it falls apart into two. Kept: ZWJ between pictographs, a presentation selector (VS15/16)
# or skin tone after a pictograph, keycaps (1️⃣) and flag tag sequences (🏴 + tags + cancel tag).
_PICTOGRAPH = r"\p{Extended_Pictographic}[\uFE0E\uFE0F]?\p{Emoji_Modifier}?"
_EMOJI_SEQUENCE = (
    r"\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F"
    r"|[#*0-9]\uFE0F?\u20E3"
    rf"|{_PICTOGRAPH}(?:\u200D{_PICTOGRAPH})*"
)
_STRIP_RE = regex.compile(rf"({_EMOJI_SEQUENCE})|{_INVISIBLE}+")


def is_invisible(ch: str) -> bool:
    """Is `ch` (one character) default-ignorable or a format character?"""
    return _INVISIBLE_RE.match(ch) is not None


def has_invisible(text: str) -> bool:
    return _INVISIBLE_RE.search(text) is not None


def strip_invisible(text: str) -> str:
    """`text` without invisible characters, except the joiners and selectors inside emoji sequences.

    This is what the forum stores of member text: Chinese (and English) text never needs them, and
    kept they would hide words from readers' searches and from the guards."""
    if text.isascii() or not _INVISIBLE_RE.search(text):
        return text
    return _STRIP_RE.sub(lambda m: m.group(1) or "", text)


# --------------------------------------------------------------------------------------------
# Weighted length
# --------------------------------------------------------------------------------------------

# Characters that weigh 2: Unicode's East Asian Wide and Fullwidth blocks of the CJK scripts and
# their punctuation, as a reader sees them (a full-width cell). Deliberately not: the ideographic
# space U+3000 (white space weighs 1, like a space), emoji (1: a picture is not a word), half-width
# katakana and hangul (1: half a cell). static/js/forum.js keeps a copy of this list for the
# editor's live count (tests/core/test_text.py checks that the two agree).
WIDE_RANGES: tuple[tuple[int, int], ...] = (
    (0x1100, 0x115F),    # Hangul Jamo, leading consonants
    (0x2E80, 0x2FDF),    # CJK Radicals Supplement, Kangxi Radicals
    (0x2FF0, 0x2FFF),    # Ideographic Description Characters
    (0x3001, 0x303E),    # CJK Symbols and Punctuation (。、「」〇...), without the ideographic space
    (0x3041, 0x33FF),    # Hiragana, Katakana, Bopomofo, Hangul Compatibility Jamo, Kanbun, CJK Strokes,
                         # Enclosed CJK Letters, CJK Compatibility
    (0x3400, 0x4DBF),    # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),    # CJK Unified Ideographs
    (0xA000, 0xA4CF),    # Yi
    (0xA960, 0xA97F),    # Hangul Jamo Extended-A
    (0xAC00, 0xD7A3),    # Hangul Syllables
    (0xF900, 0xFAFF),    # CJK Compatibility Ideographs
    (0xFE10, 0xFE19),    # Vertical Forms
    (0xFE30, 0xFE6F),    # CJK Compatibility Forms, Small Form Variants
    (0xFF01, 0xFF60),    # Fullwidth Forms (？！，：ＡＢＣ１２３)
    (0xFFE0, 0xFFE6),    # Fullwidth Signs (￥￠)
    (0x1B000, 0x1B16F),  # Kana Supplement, Kana Extended-A, Small Kana Extension
    (0x20000, 0x3FFFD),  # CJK Unified Ideographs Extensions B to H, Compatibility Supplement
)
# Less the invisible ones among them (the Hangul fillers U+3164, U+FFA0 count 0, not 2).
_WIDE_RE = regex.compile("(?V1)[[" + "".join(f"\\U{lo:08X}-\\U{hi:08X}" for lo, hi in WIDE_RANGES)
                         + f"]--{_INVISIBLE}]")


def weighted_length(text: str) -> int:
    """How long `text` is to a reader: each character in WIDE_RANGES (Chinese, Japanese, Korean,
    full-width forms and punctuation) weighs 2, each invisible character 0, any other 1. The text
    is counted as given (the caller strips it)."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE_RE.findall(text)) - len(_INVISIBLE_RE.findall(text))


# --------------------------------------------------------------------------------------------
# Folding for matching
# --------------------------------------------------------------------------------------------

# Dashes that NFKC leaves alone but people use as separators inside numbers.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58"
_DASH_TABLE = str.maketrans(dict.fromkeys(_DASHES, "-"))
# Scripts whose letters never carry the decorative marks people stack on them to dodge a filter.
_PLAIN_BASE_RE = regex.compile(r"[\x00-\x7f\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}]")
_MARK = r"[\p{Mn}\p{Me}]"
# What folding has to look at: combining marks (folded with the character before them; invisible
# characters may stand among them), runs of invisible characters, and characters that NFKC changes,
# digits of other scripts and dashes. Everything else is copied as it is.
_ATTENTION_RE = regex.compile(
    rf"(?V1)(?:{_INVISIBLE}*{_MARK})+|{_INVISIBLE}+"
    rf"|(?P<run>[[\p{{NFKC_QC=N}}\p{{Nd}}{_DASHES}]--[\x00-\x7f]]+)"
)
# A run of letters and digits outside the CJK scripts: the unit in which look-alike letters are read.
_WORD_RE = regex.compile(r"[^\W_\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}]+")


@dataclass(frozen=True, slots=True)
class Folded:
    """The folded `text`, and for each of its characters the span of the original that produced it
    (`starts[i]`, `ends[i]`); both are None when nothing changed (an identity mapping)."""

    original: str
    text: str
    starts: list[int] | None = None
    ends: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span behind folded `text[start:end]` (invisible characters inside it included)."""
        if self.starts is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


@lru_cache(maxsize=16384)
def _fold_unit(unit: str) -> str:
    """Fold one character with the combining marks that follow it (or a run of invisible ones)."""
    out = []
    plain_base = True  # a mark on nothing decorates nothing
    for ch in unicodedata.normalize("NFKC", unit).translate(_DASH_TABLE):
        if _INVISIBLE_RE.match(ch):
            continue
        if unicodedata.category(ch) in ("Mn", "Me"):
            if not plain_base:
                out.append(ch)
            continue  # a mark on an ASCII or CJK character only decorates it
        if not ch.isascii() and unicodedata.category(ch) == "Nd":
            ch = str(unicodedata.decimal(ch))
        plain_base = _PLAIN_BASE_RE.match(ch) is not None
        out.append(ch)
    return "".join(out)


def fold(text: str) -> Folded:
    """The form of `text` the guards match on (see the module's docstring), with its offset map."""
    if text.isascii():
        return Folded(text, text)
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    done = 0
    for m in _ATTENTION_RE.finditer(text):
        i, j = m.span()
        if m.group("run"):  # characters folded one by one (full-width text comes in long runs)
            outs = list(map(_fold_unit, m.group()))
        else:
            if i > done and unicodedata.category(text[j - 1]) in ("Mn", "Me"):
                i -= 1  # the character the marks sit on
            outs = [_fold_unit(text[i:j])]
        out = "".join(outs)
        if out == text[i:j]:
            continue
        if done < i:  # the unchanged run before it
            pieces.append(text[done:i])
            starts.extend(range(done, i))
            ends.extend(range(done + 1, i + 1))
        pieces.append(out)
        if len(outs) > 1 and len(out) == j - i and all(len(piece) == 1 for piece in outs):
            starts.extend(range(i, j))
            ends.extend(range(i + 1, j + 1))
        elif len(outs) > 1:
            for k, piece in enumerate(outs, start=i):
                starts.extend([k] * len(piece))
                ends.extend([k + 1] * len(piece))
        else:
            starts.extend([i] * len(out))
            ends.extend([j] * len(out))
        done = j
    if not pieces:
        folded = _read_lookalikes(text)
        return Folded(text, folded) if folded == text else Folded(text, folded, list(range(len(text))),
                                                                     list(range(1, len(text) + 1)))
    pieces.append(text[done:])
    starts.extend(range(done, len(text)))
    ends.extend(range(done + 1, len(text) + 1))
    return Folded(text, _read_lookalikes("".join(pieces)), starts, ends)


def _read_lookalikes(text: str) -> str:
    """Letters of other scripts that look like Latin letters or digits, read as such within words
    that are Latin already ("wеchat" with a Cyrillic е) or wholly made of look-alikes ("ԛԛ"; not
    a word of one letter, as in Russian "а" or "с").
    Words in their own script ("привет", "λόγος") stay as they are. Keeps the length."""
    table = _latin_lookalikes()
    if text.isascii() or table.keys().isdisjoint(text):
        return text

    def word(m: regex.Match) -> str:
        w = m.group()
        if w.isascii():
            return w
        mapped = [table.get(ch) for ch in w]
        has_ascii = any(ch.isascii() for ch in w)
        if not any(mapped) or not (has_ascii or (len(w) > 1 and all(
                to or unicodedata.category(ch) in ("Mn", "Me") for ch, to in zip(w, mapped, strict=True)))):
            return w
        return "".join(to or ch for ch, to in zip(w, mapped, strict=True))

    return _WORD_RE.sub(word, text)


# --------------------------------------------------------------------------------------------
# Confusables (UTS #39)
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """Each confusable character's prototype, from the UTS #39 data that confusable_homoglyphs ships.

    The package stores confusables.txt as a symmetric graph (each source lists its prototype, each
    prototype its sources; right-to-left characters wrapped in U+200E marks), which is a set of
    stars: a character with several neighbours, or whose neighbour is a string of several
    characters, is a prototype, its neighbours are sources. Where two characters are confusable only
    with each other, the source is the one listed first (the package adds a line's source, then its
    prototype); either would do, as skeletons are only ever compared with each other."""
    from confusable_homoglyphs.utils import load

    graph: dict[str, set[str]] = {}
    for key, entries in load("confusables.json").items():
        key = key.replace("\u200e", "")
        graph.setdefault(key, set()).update(e["c"].replace("\u200e", "") for e in entries)
    order = {key: i for i, key in enumerate(graph)}
    mapping: dict[str, str] = {}
    for char, neighbours in graph.items():
        if len(char) != 1 or len(neighbours) != 1:
            continue  # a prototype (or a string): it stands for itself
        (other,) = neighbours
        if len(other) > 1 or len(graph.get(other, ())) > 1 or order[char] < order.get(other, -1):
            mapping[char] = other
    # Prototypes made of several characters are spelt in prototypes too.
    for char, proto in mapping.items():
        if len(proto) > 1:
            mapping[char] = "".join(mapping.get(c, c) if len(mapping.get(c, c)) == 1 else c for c in proto)
    return mapping


@lru_cache(maxsize=1)
def _latin_lookalikes() -> dict[str, str]:
    """Non-ASCII letters whose prototype is one ASCII letter or digit, outside the CJK scripts."""
    table = {}
    for char, proto in _prototypes().items():
        if not char.isascii() and len(proto) == 1 and proto.isascii() and proto.isalnum() \
                and not _PLAIN_BASE_RE.match(char) and unicodedata.category(char).startswith("L"):
            table[char] = proto
    return table


def skeleton(text: str) -> str:
    """The UTS #39 skeleton: NFD, each character replaced by its prototype, NFD again. Two strings
    whose skeletons are equal look alike ("ѕupport" with a Cyrillic ѕ and "support")."""
    mapping = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(mapping.get(ch, ch) for ch in decomposed))


_SEPARATORS_RE = regex.compile(r"[\W_]+")


def lookalike_key(name: str) -> str:
    """What a name looks like, for comparing names: its skeleton after NFKC, without case and
    without separators ("Support_Lin", "suppоrt.lin" and "support-1in" share one key)."""
    shape = _SEPARATORS_RE.sub("", unicodedata.normalize("NFKC", strip_invisible(name)))
    return skeleton(skeleton(shape).casefold())


def lookalike_keys(name: str) -> set[str]:
    """The keys of `name` as written, in lower case and in upper case. Skeletons tell case apart
    ("I" looks like "l", "i" does not) while names do not, so a new name is compared under each:
    one that shares a key with an existing name (`lookalike_key`) is too alike to belong to someone
    else ("SUPPORTLIN" and "support_lin", "Iaowang" and "laowang")."""
    return {lookalike_key(name), lookalike_key(name.casefold()), lookalike_key(name.upper())}


# --------------------------------------------------------------------------------------------
# Scripts
# --------------------------------------------------------------------------------------------

_NEUTRAL_SCRIPTS = frozenset({"Common", "Inherited", "Unknown"})
# UTS #39 "highly restrictive": one script, or Latin with the scripts a CJK language writes with.
_ALLOWED_MIXES = (
    frozenset({"Latin", "Han", "Hiragana", "Katakana"}),
    frozenset({"Latin", "Han", "Bopomofo"}),
    frozenset({"Latin", "Han", "Hangul"}),
)


@lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    from confusable_homoglyphs.categories import alias

    return alias(ch).title()


def scripts_of(text: str) -> set[str]:
    """The scripts of the letters and digits in `text` (Common and Inherited ones left out)."""
    return {s for s in map(_script, text) if s not in _NEUTRAL_SCRIPTS}


def mixed_scripts(text: str) -> bool:
    """Does `text` mix scripts in a way UTS #39 calls confusable? Allowed: a single script, or Latin
    with Han (and Hiragana/Katakana, Bopomofo or Hangul): 橘子君, 小明2026, laowang, 山田たろう.
    Refused: Latin with Cyrillic, Greek, Armenian, Cherokee... ("ѕupport" with a Cyrillic ѕ)."""
    found = scripts_of(text)
    return len(found) > 1 and not any(found <= allowed for allowed in _ALLOWED_MIXES)
