"""Search, as the pages, the API and the CLI use it. Views call these functions only.

The backend finds and ranks document keys; everything readers see (titles, snippets, verified
marks) is loaded here from the database, so a post deleted a moment ago never shows up even
while the index catches up.
"""
from __future__ import annotations

import html
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from forum.core.db import unit_of_work
from forum.core.markup import plain_text
from forum.extensions import db
from forum.questions.models import Answer, Question
from forum.search import analysis, indexer, vocabulary
from forum.search.backends import get_backend
from forum.search.backends.base import Sort
from forum.search.documents import all_thread_ids, thread_documents
from forum.search.models import SearchWord
from forum.search.query import ParsedQuery, QueryWord, can_relax, parse, relaxed, rewrite
from forum.verification.queries import verifications_for

log = logging.getLogger(__name__)
SORTS: tuple[Sort, ...] = ("relevance", "newest", "votes")
MAX_PAGE = 50
# A relevance search whose strict query finds fewer threads than this runs again relaxed (free
# words optional, ranked by how much of the query a post covers): members type sentences.
RELAX_BELOW = 3
SNIPPET_LENGTH = 160
SNIPPET_SCAN = 2_000  # characters of a long post analysed for its snippet


# --- results --------------------------------------------------------------------------------
@dataclass
class Hit:
    type: str  # "question" | "answer"
    question_id: int
    answer_id: int | None
    title: str
    title_html: Markup
    snippet_html: Markup
    score: float
    is_verified: bool
    is_accepted: bool
    author: str
    created_at: datetime
    answer_count: int
    tags: list[str]

    @property
    def snippet(self) -> str:
        return html.unescape(Markup(self.snippet_html).striptags())


@dataclass
class SearchResults:
    query: str
    parsed: ParsedQuery
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    sort: str
    notes: list[str] = field(default_factory=list)
    suggestion: str | None = None
    # False when `total` is an estimate (rounded to two digits): past the backend's candidate
    # window, counting every match exactly would cost more than the search itself.
    total_is_exact: bool = True
    # True when nothing matched every word, and the hits are the posts covering most of the query.
    relaxed: bool = False

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.per_page)))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def compose(q: str, *, tag: str | None = None, category: str | None = None, flags: list[str] | None = None) -> str:
    """The query text with the filters chosen in the controls beside the results appended."""
    parts = [q.strip()] if q and q.strip() else []
    if tag and tag.strip():
        parts.append(f"tag:{tag.strip().split()[0]}")
    if category and category.strip():
        parts.append(f"category:{category.strip()}")
    for flag in flags or []:
        if flag and f"is:{flag}" not in parts:
            parts.append(f"is:{flag}")
    return " ".join(parts)


def search(q: str, *, page: int = 1, per_page: int = 20, sort: str = "relevance") -> SearchResults:
    """The hits of query `q` (see forum.search.query), best first. A relevance search that finds
    fewer than RELAX_BELOW posts matching every word runs again with the free words optional
    (quoted phrases, -words and filters as strict as before), ranked by how much of the query
    each post covers, and says so (`relaxed`). Raises nothing on user input."""
    vocabulary.refresh()  # the staff's synonyms and domain words, current
    parsed = parse(q)
    sort = sort if sort in SORTS else "relevance"
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), 50)
    results = SearchResults(q, parsed, [], 0, page, per_page, sort, notes=[str(n) for n in parsed.notes])
    if parsed.is_empty or parsed.impossible:
        return results
    deadline = time.monotonic() + float(current_app.config.get("FORUM_SEARCH_TIME_BUDGET", 1.0))
    backend = get_backend()
    matches = backend.search(parsed, sort=sort, offset=(page - 1) * per_page, limit=per_page, deadline=deadline)
    strict_total = matches.total
    if (sort == "relevance" and not matches.cut_short and matches.total < RELAX_BELOW and can_relax(parsed)
            and time.monotonic() < deadline):
        loose = relaxed(parsed)
        more = backend.search(loose, sort=sort, offset=(page - 1) * per_page, limit=per_page, deadline=deadline)
        if more.total > matches.total and not more.cut_short:
            matches, results.parsed, results.relaxed = more, loose, True
    results.total = matches.total
    results.total_is_exact = matches.exact
    results.hits = _hydrate([(m.key, m.score) for m in matches.hits], parsed)
    if matches.cut_short:
        results.notes.append(str(_l("This search matches so much that it stopped before looking everywhere: "
                                    "add a word or a filter to narrow it down.")))
    elif strict_total == 0:  # offered above a looser match too: the member may have mistyped a word
        results.suggestion = did_you_mean(parsed, deadline=deadline, corrections_only=results.relaxed)
    return results


def similar(title: str, *, limit: int = 5, exclude_question_id: int | None = None) -> list[Hit]:
    """Questions like a draft title (ask page, escalation form): about half its words must match."""
    # A title is words, not a query: its quotes, colons, wildcards and leading dashes mean nothing.
    words = (title or "")[:SIMILAR_TITLE_LENGTH].translate(_NOT_OPERATORS).split()
    vocabulary.refresh()
    parsed = parse(" ".join(w.lstrip("-") for w in words))
    if not parsed.optional:
        return []
    parsed.flags.add("question")
    parsed.min_match = max(1, -(-len(parsed.optional) // 2))
    deadline = time.monotonic() + float(current_app.config.get("FORUM_SEARCH_TIME_BUDGET", 1.0))
    matches = get_backend().search(parsed, sort="relevance", offset=0, limit=limit + 1, deadline=deadline)
    hits = _hydrate([(m.key, m.score) for m in matches.hits], parsed)
    return [h for h in hits if h.question_id != exclude_question_id][:limit]


SIMILAR_TITLE_LENGTH = 200


MATCH_PAGE = 100
MATCH_LIMIT = 1000  # questions one keyword match may link at most (an outage, not the whole forum)


def questions_matching_any(keywords: list[str], *, category: str, since: datetime | None = None,
                           until: datetime | None = None, limit: int = MATCH_LIMIT) -> list[int]:
    """Ids of the public questions in `category` whose title or body contains any one of `keywords`
    (each as written: a phrase, no synonyms), asked between `since` and `until`, newest first.

    The search backend finds them (Whoosh or PostgreSQL, the same analysis as every search), newest
    first, a page at a time, until a page reaches back past `since`; the database says when each
    was asked, so a post deleted or held meanwhile is left out."""
    phrases = [" ".join(str(k).replace('"', " ").split()) for k in keywords]
    phrases = [p for p in phrases if p][:MAX_MATCH_KEYWORDS]
    if not phrases:
        return []
    parsed = parse(" ".join(f'"{p}"' for p in phrases) + f" category:{category}")
    if parsed.impossible or not parsed.required:
        return []
    # Any one phrase: they become free words of which one must match.
    parsed.optional, parsed.required = parsed.required, []
    parsed.min_match = 1
    parsed.flags.add("question")
    backend = get_backend()
    found: list[int] = []
    offset = 0
    while len(found) < limit:
        matches = backend.search(parsed, sort="newest", offset=offset, limit=MATCH_PAGE)
        ids = [int(m.key[1:]) for m in matches.hits if m.key[0] == "q"]
        if not ids:
            break
        rows = dict(db.session.execute(sa.select(Question.id, Question.created_at)
                                       .where(Question.id.in_(ids), Question.public())).all())
        reached_back = False
        for question_id in ids:
            created = rows.get(question_id)
            if created is None:
                continue
            if since is not None and created < since:
                reached_back = True
                continue
            if until is not None and created > until:
                continue
            found.append(question_id)
        if reached_back or len(matches.hits) < MATCH_PAGE:
            break
        offset += MATCH_PAGE
    return found[:limit]


MAX_MATCH_KEYWORDS = 10


def text_contains_any(text: str, phrases: list[str]) -> bool:
    """Does `text` contain one of `phrases`, as the index reads them (the same terms, in order)?
    For a few phrases against a short text (a draft title), without the index."""
    terms = analysis.term_texts(text or "")
    for phrase in phrases:
        wanted = analysis.term_texts(phrase or "")
        if wanted and any(terms[i:i + len(wanted)] == wanted for i in range(len(terms) - len(wanted) + 1)):
            return True
    return False
_NOT_OPERATORS = str.maketrans({c: " " for c in ':*"“”„「」『』«»＂：＊'})


# --- hydrating hits ---------------------------------------------------------------------------
def _hydrate(keys: list[tuple[str, float]], parsed: ParsedQuery) -> list[Hit]:
    question_ids = {int(k[1:]) for k, _ in keys if k[0] == "q"}
    answer_ids = {int(k[1:]) for k, _ in keys if k[0] == "a"}
    answers = {a.id: a for a in db.session.scalars(
        sa.select(Answer).where(Answer.id.in_(answer_ids), Answer.public()))} if answer_ids else {}
    question_ids |= {a.question_id for a in answers.values()}
    questions = {q.id: q for q in db.session.scalars(
        sa.select(Question).where(Question.id.in_(question_ids), Question.public())).unique()}
    verified_answers = verifications_for(list(answers.values()))
    terms, prefixes = parsed.highlight_terms()
    hits: list[Hit] = []
    for key, score in keys:
        if key[0] == "q":
            question = questions.get(int(key[1:]))
            if question is None:
                continue
            hits.append(Hit("question", question.id, None, question.title,
                            highlight(question.title, terms, prefixes, None),
                            highlight(plain_text(question.body_html), terms, prefixes, SNIPPET_LENGTH),
                            score, question.has_verified_answer, question.accepted_answer_id is not None,
                            question.author.username, question.created_at, question.answer_count,
                            question.tag_names))
        else:
            answer = answers.get(int(key[1:]))
            question = questions.get(answer.question_id) if answer else None
            if answer is None or question is None:
                continue
            hits.append(Hit("answer", question.id, answer.id, question.title,
                            highlight(question.title, terms, prefixes, None),
                            highlight(plain_text(answer.body_html), terms, prefixes, SNIPPET_LENGTH),
                            score, answer.id in verified_answers and not verified_answers[answer.id].stale,
                            question.accepted_answer_id == answer.id, answer.author.username,
                            answer.created_at, question.answer_count, question.tag_names))
    return hits


def highlight(text: str, terms: set[str], prefixes: tuple[str, ...], length: int | None) -> Markup:
    """`text` escaped, with the parts that match the query's terms in <mark>; with `length`, a
    window of about that many characters around the densest matches.

    With `length`, only SNIPPET_SCAN characters are analysed, from a little before the first place
    a term occurs (a plain string search), so a 30,000-character post costs what a short one does."""
    scan_start, scan_end = 0, len(text)
    if length is not None and len(text) > SNIPPET_SCAN:
        scan_start = max(0, _first_occurrence(text, terms, prefixes) - length // 4)
        scan_end = min(len(text), scan_start + SNIPPET_SCAN)
    spans = [(scan_start + start, scan_start + end)
             for start, end in analysis.spans(text[scan_start:scan_end], terms, prefixes)]
    start, end = 0, len(text)
    if length is not None and len(text) > length:
        start = scan_start
        if spans:
            # The span that begins the window holding the most spans (two pointers: spans are in order).
            best, most, last = 0, 0, 0
            for first, (begin, _end) in enumerate(spans):
                while last < len(spans) and spans[last][0] < begin + length:
                    last += 1
                if last - first > most:
                    best, most = first, last - first
            start = max(0, spans[best][0] - length // 4)
        end = min(len(text), start + length)
    merged: list[list[int]] = []
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    pieces = ["…" if start > 0 else ""]
    cursor = start
    for s, e in merged:
        pieces.append(html.escape(text[cursor:s]))
        pieces.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    pieces.append(html.escape(text[cursor:end]))
    pieces.append("…" if end < len(text) else "")
    return Markup("".join(pieces))


def _first_occurrence(text: str, terms: set[str], prefixes: tuple[str, ...]) -> int:
    """About where the first of `terms` or `prefixes` occurs in `text` (0 when none does), looking
    one window at a time so that an early match is found without folding the whole text."""
    wanted = (*terms, *prefixes)
    overlap = max(map(len, wanted), default=0)
    for start in range(0, len(text), SNIPPET_SCAN):
        piece = text[start:start + SNIPPET_SCAN + overlap]
        folded = analysis.fold(piece)
        found = [i for i in (folded.find(t) for t in wanted) if i >= 0]
        if found:
            first = min(found)
            return start + (first if len(folded) == len(piece) else first * len(piece) // max(1, len(folded)))
    return 0


# --- did you mean -----------------------------------------------------------------------------
# "Did you mean" costs a fixed amount of work whatever the query (issue 14: it searched once per
# combination of corrections, 3^n searches, and a filter that matched nothing made every one of
# them run: a minute for nine words). Now: one vocabulary query and two term-frequency lookups
# correct every word at once, then at most SUGGESTION_SEARCHES candidate queries are tried.
SUGGESTION_SEARCHES = 3
SUGGESTION_MAX_WORDS = 8  # longer queries already match on most of their words; no suggestion
_CORRECTABLE = range(3, 21)  # lengths of the Latin words worth correcting
_VOCABULARY_CANDIDATES = 12  # per word, before the index is asked how common they are
_FREQUENCY_CAP = 50  # "common" is enough to rank corrections; counting further costs reads
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
            | {a + c + b for a, b in splits for c in _LETTERS})


def _edit_kind(word: str, candidate: str) -> int:
    """How typical a typo turning `candidate` into `word` is: swapped letters first, then a
    wrong letter, then one too many or too few."""
    if len(word) == len(candidate):
        differ = [i for i, (a, b) in enumerate(zip(word, candidate)) if a != b]
        return 0 if len(differ) == 2 else 1
    return 2


def _vocabulary(words: list[str]) -> dict[str, list[str]]:
    """For each word, the vocabulary words one edit away, most typical edit first: one query."""
    edits = {word: _edits(word) - {word} for word in words}
    wanted = sorted(set().union(*edits.values())) if edits else []
    # One statement: eight words of twenty letters have some 9,000 edits, under every database's
    # limit of bound parameters (SQLite's is 32,766).
    known = set(db.session.scalars(sa.select(SearchWord.word).where(SearchWord.word.in_(wanted)))) if wanted else set()
    return {word: sorted(edits[word] & known, key=lambda c: (_edit_kind(word, c), c[0] != word[0], c))
            [:_VOCABULARY_CANDIDATES] for word in words}


def _filters_only(parsed: ParsedQuery) -> ParsedQuery | None:
    """What every rewrite of `parsed` keeps (filters, quoted phrases, exclusions), when it holds a
    filter or a phrase: if that finds nothing, no correction of the free words can help."""
    if not (parsed.required or parsed.tags or parsed.category or parsed.user or parsed.flags):
        return None
    return ParsedQuery(raw="", required=list(parsed.required), excluded=list(parsed.excluded), tags=list(parsed.tags),
                       category=parsed.category, user=parsed.user, flags=set(parsed.flags))


def _correctable(word: QueryWord) -> bool:
    return word.display.isascii() and word.display.isalpha() and len(word.display) in _CORRECTABLE


def did_you_mean(parsed: ParsedQuery, deadline: float | None = None, corrections_only: bool = False) -> str | None:
    """A rewritten query that finds something, or None: misspelt Latin words replaced by the
    forum's words (each corrected on its own, by the most common close word the index holds),
    else without the words that no post contains.

    `corrections_only` (the page already shows posts holding some of the words): only a rewrite
    that corrects a word is offered. Leaving words out is what the looser match did already, and
    for a sentence it offered a broken one (我的快递被邻居拿走了怎么办 → 我的快递被了怎么办).

    Bounded: no suggestion for queries of more than SUGGESTION_MAX_WORDS words or whose filters
    and phrases alone find nothing (one search); otherwise one vocabulary query, two lookups of
    term frequencies and at most SUGGESTION_SEARCHES searches. They share the request's `deadline`:
    none starts after it."""
    if parsed.impossible or not parsed.optional or len(parsed.words) > SUGGESTION_MAX_WORDS:
        return None
    if deadline is not None and time.monotonic() > deadline:
        return None
    backend = get_backend()
    fixed = _filters_only(parsed)
    if fixed is not None and not backend.exists(fixed, deadline=deadline):
        return None
    free = [w for w in parsed.optional if not w.prefix]
    if corrections_only and not any(_correctable(w) for w in free):
        return None
    # Whether the words' own terms occur at all; only a word that does not is corrected.
    present = backend.term_frequencies({t for w in free for t in w.terms}, 1)

    def found(word: QueryWord) -> bool:
        return any(all(present.get(t) for t in sequence) for sequence in word.alternatives)

    latin = sorted({w.display for w in free if _correctable(w) and not found(w)})
    if corrections_only and not latin:
        return None
    options = _vocabulary(latin)
    frequency = backend.term_frequencies({analysis.stem(c) for cs in options.values() for c in cs},
                                         _FREQUENCY_CAP) if options else {}

    corrections: dict[str, list[str]] = {}
    for word in free:
        if word.display in options and not found(word):
            held = [c for c in options[word.display] if frequency.get(analysis.stem(c))]
            # The most common first; equally common ones keep the typical-typo order.
            held.sort(key=lambda c: -frequency[analysis.stem(c)])
            if held:
                corrections[word.display] = held[:2]
    best = {wrong: right[0] for wrong, right in corrections.items()}
    second = {wrong: right[-1] for wrong, right in corrections.items()}
    missing = {w.display: "" for w in free if w.display not in corrections and not found(w)}
    candidates = [best, {**best, **missing}, {**second, **missing}]
    if corrections_only and not corrections:
        return None

    tried = {rewrite(parsed.text, {})}
    searches = 0
    for replacements in candidates:
        text = rewrite(parsed.text, replacements)
        if text in tried:
            continue
        tried.add(text)
        candidate = parse(text)
        if not candidate.has_text or candidate.impossible:
            continue
        if searches == SUGGESTION_SEARCHES or (deadline is not None and time.monotonic() > deadline):
            break
        searches += 1
        if backend.exists(candidate, deadline=deadline):
            return text
    return None


# --- maintenance ------------------------------------------------------------------------------
def reindex() -> tuple[int, float]:
    """Rebuild the whole index from the database beside the old one and swap it in; searches
    keep working on the old one meanwhile. Returns (documents, seconds)."""
    backend = get_backend()
    started = time.perf_counter()
    # Holding the writer lock pauses the indexer: changes made during the rebuild stay in the
    # outbox and are applied to the new index afterwards (applying a thread twice is harmless).
    with backend.writer_lock(blocking=True):
        def batches():
            for ids in all_thread_ids():
                docs = thread_documents(ids)
                indexer.record_words(docs)
                yield docs
        with unit_of_work():  # the words recorded while rebuilding
            count = backend.rebuild(batches())
    indexer.process_all(backend)
    return count, time.perf_counter() - started


def ensure_ready(app) -> None:
    """At start-up: rebuild a missing or unreadable index (with a log line)."""
    with app.app_context():
        backend = get_backend()
        try:
            if not sa.inspect(db.engine).has_table("search_outbox"):  # not migrated yet
                if not backend.transactional and backend.needs_rebuild():
                    with backend.writer_lock(blocking=True):
                        backend.rebuild([])
                return
            if backend.needs_rebuild():
                count, seconds = reindex()
                log.warning("search index was missing or unreadable; rebuilt %d documents in %.1f s", count, seconds)
        finally:
            db.session.remove()


def catch_up() -> None:
    """Apply what the outbox holds; rebuild if the index is empty while the database is not."""
    indexer.process_all()
    backend = get_backend()
    with unit_of_work():  # a read: ends the transaction it opens
        empty = backend.document_count() == 0 and db.session.scalar(
            sa.select(sa.exists().where(Question.deleted_at.is_(None))))
    if empty:
        reindex()


def clear() -> None:
    """Empty the index (tests wipe the database between tests)."""
    backend = get_backend()
    with backend.writer_lock(blocking=True):
        if backend.document_count():
            backend.rebuild([])
