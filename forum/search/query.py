"""The search query language, parsed once into a backend-neutral `ParsedQuery`.

    支付失败 refund tag:退款 category:payments user:老王 is:verified is:accepted is:unanswered
    is:open "收货地址" -spam refun*

- Free words: Chinese runs are split into words by rjieba (1-character words and filler words such
  as 怎么 are dropped); each word becomes a phrase of its bigrams, so 收货 matches only where 收货
  is written. English words are stemmed. Every word is expanded with its synonyms.
- Up to three words must all match. Longer queries (people paste whole sentences) match threads
  with any of the words, and the ranking puts those matching more of them first.
- "Quoted text" must match as written; -word excludes; word* matches a prefix.
- Filters: tag:, category:, user:, is:verified/accepted/unanswered/open/question/answer.
Nothing here raises on user input: what cannot be used is dropped with a note for the reader.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import rjieba
from flask_babel import lazy_gettext as _l

from forum.search import synonyms
from forum.search.analysis import cjk_runs_and_words, fold, term_texts

# Limits on what one query may ask of the index, each with a note to the reader when applied:
# whatever is typed, a search stays a bounded amount of work (issue 14).
MAX_QUERY_LENGTH = 500  # characters
MAX_WORDS = 16  # words and "quoted phrases" that must or may match
MAX_EXCLUDED = 8  # -words
MAX_PREFIXES = 3  # word* wildcards (each can stand for many indexed terms)
MAX_TAGS = 5  # tag: filters
MAX_PHRASE_TERMS = 32  # terms of one quoted phrase or one long Chinese run
MAX_ALTERNATIVES = 32  # spellings searched for all words together: each word's own, then synonyms

FLAG_ALIASES = {
    "verified": "verified", "已验证": "verified", "验证": "verified", "官方": "verified",
    "accepted": "accepted", "已采纳": "accepted", "采纳": "accepted", "solved": "accepted",
    "unanswered": "unanswered", "未回答": "unanswered", "无回答": "unanswered", "noanswers": "unanswered",
    "open": "open", "未关闭": "open", "开放": "open",
    "question": "question", "问题": "question", "answer": "answer", "回答": "answer",
}
CATEGORY_ALIASES = {
    "account": "account", "账号": "account", "账户": "account", "登录": "account",
    "orders": "orders", "order": "orders", "订单": "orders",
    "payments": "payments", "payment": "payments", "支付": "payments", "付款": "payments", "退款": "payments",
    "complaints": "complaints", "complaint": "complaints", "投诉": "complaints",
    "other": "other", "其他": "other", "其它": "other",
}
OPERATORS = ("tag", "category", "user", "is")
_ENGLISH_STOPWORDS = (
    "a an and are as at be but by can could did do does for from has have how i if in into is it its me "
    "my no not of on or our please should so that the their then there these this to was we what when "
    "where which who why will with would you your after before not no cannot can't don't didn't "
    "doesn't won't isn't"
)
ENGLISH_STOPWORDS = frozenset(_ENGLISH_STOPWORDS.split())
_CHINESE_STOPWORDS = (
    "怎么 怎么办 怎样 怎么样 如何 为什么 什么 请问 一下 可以 能不能 是不是 我们 你们 他们 这个 那个 "
    "哪里 在哪 在哪里 为啥 咋办 还是 或者 已经 就是 但是 因为 所以 如果 然后 没有 现在 需要 "
    "多少 几天 多久 以后 之后 到底 一直 不了 不能 不会 一个 这样 那样 时候 的话"
)
CHINESE_STOPWORDS = frozenset(_CHINESE_STOPWORDS.split())
# Particles and pronouns that never carry the topic, dropped even when the segmenter leaves them
# beside other single characters.
CHINESE_FILLER_CHARS = frozenset("的了吗呢吧啊呀哦嘛么我你他她它们是在有和就都也还又很太再才要想会能可把被给让对从向")

_CHUNK_RE = re.compile(r'(?P<neg>-)?(?:"(?P<quoted>[^"]*)"?|(?P<op>[a-z]+):(?P<value>"[^"]*"?|\S*)|(?P<plain>\S+))')


@dataclass(frozen=True)
class QueryWord:
    display: str
    alternatives: tuple[tuple[str, ...], ...] = ()  # term sequences; more than one term: a phrase
    prefix: str | None = None  # match terms starting with this instead

    @property
    def terms(self) -> set[str]:
        return {term for alternative in self.alternatives for term in alternative}


@dataclass
class ParsedQuery:
    raw: str
    text: str = ""  # the text the words were read from: folded, quotes unified, shortened
    required: list[QueryWord] = field(default_factory=list)  # quoted: all must match
    optional: list[QueryWord] = field(default_factory=list)  # free words: at least `min_optional`
    excluded: list[QueryWord] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    category: str | None = None
    user: str | None = None
    flags: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    impossible: bool = False  # a filter that nothing can match (an unknown category)
    min_match: int | None = None  # overrides how many free words must match

    @property
    def min_optional(self) -> int:
        n = len(self.optional)
        if self.min_match is not None:
            return min(self.min_match, n)
        return n if n <= 3 else max(3, math.ceil(n * 0.6))

    @property
    def words(self) -> list[QueryWord]:
        return self.required + self.optional

    @property
    def has_text(self) -> bool:
        return bool(self.words)

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.tags or self.category or self.user or self.flags or self.excluded)

    def highlight_terms(self) -> tuple[set[str], tuple[str, ...]]:
        terms: set[str] = set()
        prefixes: list[str] = []
        for word in self.words:
            terms |= word.terms
            if word.prefix:
                prefixes.append(word.prefix)
        return terms, tuple(prefixes)

    def without(self, word: QueryWord) -> str:
        """The query text with one free word left out (for "did you mean")."""
        return " ".join(w.display for w in self.words if w is not word)


def _alternatives(word: str) -> tuple[tuple[str, ...], ...]:
    seen, result = set(), []
    for member in synonyms.expand(word):
        sequence = tuple(term_texts(member))[:MAX_PHRASE_TERMS]
        if sequence and sequence not in seen:
            seen.add(sequence)
            result.append(sequence)
    return tuple(result)


def _segment(run: str) -> list[str]:
    """Chinese words of a run, with synonym-table words kept whole."""
    keys = synonyms.segment_keys()
    lengths = sorted({len(k) for k in keys if len(k) > 1}, reverse=True)  # staff's domain words may be long
    pieces, i, start = [], 0, 0
    while i < len(run):
        for length in lengths:
            if run[i:i + length] in keys:
                if start < i:
                    pieces.extend(rjieba.cut(run[start:i]))
                pieces.append(run[i:i + length])
                i += length
                start = i
                break
        else:
            i += 1
    if start < len(run):
        pieces.extend(rjieba.cut(run[start:]))
    return pieces


def _chinese_words(run: str) -> list[str]:
    """Content words of a Chinese run. Single characters that the segmenter leaves side by side
    (寄/到, 原/路) are joined again, since the index holds their bigram; lone ones and filler
    words are dropped."""
    words: list[str] = []
    pending = ""
    for piece in _segment(run) + [""]:
        if len(piece) == 1 and piece not in CHINESE_FILLER_CHARS:
            pending += piece
            continue
        if len(pending) > 1:
            words.append(pending)
        pending = ""
        if len(piece) > 1 and piece not in CHINESE_STOPWORDS:
            words.append(piece)
    return words


def _free_words(text: str) -> list[QueryWord]:
    """The words of the free text (all chunks at once, so stopwords are judged on the whole query)."""
    found: list[QueryWord] = []
    fallback: list[QueryWord] = []
    for kind, piece in cjk_runs_and_words(text):
        if kind == "cjk":
            words = _chinese_words(piece)
            if not words:
                fallback.append(QueryWord(piece, _alternatives(piece)) if len(piece) > 1
                                else QueryWord(piece, prefix=piece))
            found.extend(QueryWord(w, _alternatives(w)) for w in words)
        elif piece in ENGLISH_STOPWORDS:
            fallback.append(QueryWord(piece, _alternatives(piece)))
        else:
            found.append(QueryWord(piece, _alternatives(piece)))
    # Only filler ("how do I"): search for it rather than for nothing.
    found = found or fallback
    # A word with no searchable term (longer than any term) cannot match anything: leave it out.
    return [w for w in found if w.alternatives or w.prefix]


def _take_phrases(text: str, query: ParsedQuery) -> str:
    """Synonym-table entries written as two words ("bank card") become one query word."""
    for phrase in synonyms.phrases():
        pattern = re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])")
        if pattern.search(text):
            query.optional.append(QueryWord(phrase, _alternatives(phrase)))
            text = pattern.sub(" ", text)
    return text


def _phrase(text: str) -> QueryWord | None:
    terms = tuple(term_texts(text))[:MAX_PHRASE_TERMS]
    return QueryWord(f'"{text}"', (terms,)) if terms else None


def _cap(query: ParsedQuery, items: list, limit: int, note) -> list:
    if len(items) > limit:
        query.notes.append(note)
        return items[:limit]
    return items


def parse(raw: str) -> ParsedQuery:
    raw = raw or ""
    query = ParsedQuery(raw=raw)
    if len(raw) > MAX_QUERY_LENGTH:
        query.notes.append(_l("Your search was shortened to its first %(n)d characters.", n=MAX_QUERY_LENGTH))
        raw = raw[:MAX_QUERY_LENGTH]
    text = fold(raw.replace("\x00", " ")).translate(_QUOTES)
    query.text = text
    free_text: list[str] = []
    text = _take_phrases(text, query)
    for match in _CHUNK_RE.finditer(text):
        negated = bool(match.group("neg"))
        if match.group("quoted") is not None:
            word = _phrase(match.group("quoted"))
            if word:
                (query.excluded if negated else query.required).append(word)
        elif match.group("op") in OPERATORS:
            _apply_operator(query, match.group("op"), match.group("value").strip('"').strip())
        else:
            chunk = match.group("op") and f"{match.group('op')}:{match.group('value')}" or match.group("plain")
            chunk = chunk or ""
            if chunk.endswith("*") and chunk.rstrip("*").isalnum() and chunk.isascii() and len(chunk) > 3:
                prefix = chunk.rstrip("*")
                (query.excluded if negated else query.optional).append(QueryWord(chunk, prefix=prefix))
                continue
            if negated:
                query.excluded.extend(_free_words(chunk))
            else:
                free_text.append(chunk)
    query.optional.extend(_free_words(" ".join(free_text)))
    # A word typed twice ("支付失败支付失败…") asks nothing new but would cost its clauses again.
    query.required = _unique(query.required)
    query.optional = [w for w in _unique(query.optional) if w not in query.required]
    query.excluded = _unique(query.excluded)
    prefixes = [w for w in query.optional if w.prefix]
    if len(prefixes) > MAX_PREFIXES:
        query.notes.append(_l("Only the first %(n)d words ending in * were used.", n=MAX_PREFIXES))
        dropped = {id(w) for w in prefixes[MAX_PREFIXES:]}
        query.optional = [w for w in query.optional if id(w) not in dropped]
    if len(query.words) > MAX_WORDS:
        query.notes.append(_l("Only the first %(n)d words of your search were used.", n=MAX_WORDS))
        keep = max(0, MAX_WORDS - len(query.required))
        query.required = query.required[:MAX_WORDS]
        query.optional = query.optional[:keep]
    _limit_synonyms(query)
    query.excluded = _cap(query, query.excluded, MAX_EXCLUDED,
                          _l("Only the first %(n)d words to leave out (-word) were used.", n=MAX_EXCLUDED))
    query.tags = _cap(query, list(dict.fromkeys(query.tags)), MAX_TAGS,
                      _l("Only the first %(n)d tag: filters were used.", n=MAX_TAGS))
    return query


def _unique(words: list[QueryWord]) -> list[QueryWord]:
    seen: set[tuple] = set()
    kept = []
    for word in words:
        key = (word.alternatives, word.prefix)
        if key not in seen:
            seen.add(key)
            kept.append(word)
    return kept


def _limit_synonyms(query: ParsedQuery) -> None:
    """Every word keeps its own spelling; synonyms are added while the query has fewer than
    MAX_ALTERNATIVES alternatives in all. Each alternative is a clause per field that every
    candidate document is checked against: sixteen words of the synonym table asked for 180."""
    budget = MAX_ALTERNATIVES - sum(1 for w in query.words)
    trimmed = False
    for group in (query.required, query.optional):
        for i, word in enumerate(group):
            extra = len(word.alternatives) - 1
            if extra <= 0:
                continue
            keep = max(0, min(extra, budget))
            budget -= keep
            if keep < extra:
                group[i] = QueryWord(word.display, word.alternatives[:1 + keep], word.prefix)
                trimmed = True
    if trimmed:
        query.notes.append(_l("This search has many words, so some were searched without their synonyms."))


_FREE_WORD_CHARS = "0-9a-z"


def rewrite(text: str, replacements: dict[str, str]) -> str:
    """`text` (a query's `ParsedQuery.text`) with free words replaced ("" removes them), for "did
    you mean". Filters, "quoted phrases" and -words are left exactly as they are; Latin words are
    replaced whole, Chinese words wherever they occur in a run."""
    if not replacements:
        return " ".join(text.split())
    latin = sorted((w for w in replacements if w.isascii()), key=len, reverse=True)
    other = sorted((w for w in replacements if not w.isascii()), key=len, reverse=True)
    alternatives = [rf"(?<![{_FREE_WORD_CHARS}]){re.escape(w)}(?![{_FREE_WORD_CHARS}*])" for w in latin]
    alternatives += [re.escape(w) for w in other]
    pattern = re.compile("|".join(alternatives))
    pieces: list[str] = []
    cursor = 0
    for match in _CHUNK_RE.finditer(text):
        protected = (match.group("neg") or match.group("quoted") is not None
                     or match.group("op") in OPERATORS)
        if protected:
            pieces.append(pattern.sub(lambda m: replacements[m.group()], text[cursor:match.start()]))
            pieces.append(text[match.start():match.end()])
            cursor = match.end()
    pieces.append(pattern.sub(lambda m: replacements[m.group()], text[cursor:]))
    return " ".join("".join(pieces).split())


def _apply_operator(query: ParsedQuery, op: str, value: str) -> None:
    if not value:
        query.notes.append(_l("“%(op)s:” needs a value, for example %(example)s; it was ignored.",
                              op=op, example=_EXAMPLES[op]))
        return
    if op == "tag":
        query.tags.append(value[:32])
    elif op == "user":
        query.user = value[:64]
    elif op == "category":
        category = CATEGORY_ALIASES.get(value)
        if category is None:
            query.notes.append(_l("There is no category “%(value)s”. Categories: account, orders, payments, "
                                  "complaints, other.", value=value[:40]))
            query.impossible = True
        else:
            query.category = category
    elif op == "is":
        flag = FLAG_ALIASES.get(value)
        if flag is None:
            query.notes.append(_l("“is:%(value)s” is not a filter; use is:verified, is:accepted, is:unanswered "
                                  "or is:open. It was ignored.", value=value[:40]))
        else:
            query.flags.add(flag)


_QUOTES = str.maketrans({c: '"' for c in "“”„「」『』«»"})
_EXAMPLES = {"tag": "tag:退款", "category": "category:payments", "user": "user:老王", "is": "is:verified"}
