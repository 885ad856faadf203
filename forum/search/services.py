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
from itertools import product

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from forum.core.markup import plain_text
from forum.extensions import db
from forum.questions.models import Answer, Question
from forum.search import analysis, indexer
from forum.search.backends.base import Backend, Sort
from forum.search.documents import all_thread_ids, thread_documents
from forum.search.models import SearchWord
from forum.search.query import ParsedQuery, QueryWord, parse
from forum.verification.queries import verifications_for

log = logging.getLogger(__name__)
SORTS: tuple[Sort, ...] = ("relevance", "newest", "votes")
MAX_PAGE = 50
SNIPPET_LENGTH = 160


def get_backend() -> Backend:
    app = current_app._get_current_object()
    backend = app.extensions.get("forum-search")
    if backend is None:
        if app.config.get("FORUM_SEARCH_BACKEND", "whoosh") == "postgresql":
            from forum.search.backends.postgres_backend import PostgresBackend

            backend = PostgresBackend()
        else:
            from forum.search.backends.whoosh_backend import WhooshBackend

            backend = WhooshBackend(app.config["FORUM_SEARCH_INDEX"])
        app.extensions["forum-search"] = backend
    return backend


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
    parsed = parse(q)
    sort = sort if sort in SORTS else "relevance"
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), 50)
    results = SearchResults(q, parsed, [], 0, page, per_page, sort, notes=[str(n) for n in parsed.notes])
    if parsed.is_empty or parsed.impossible:
        return results
    matches = get_backend().search(parsed, sort=sort, offset=(page - 1) * per_page, limit=per_page)
    results.total = matches.total
    results.total_is_exact = matches.exact
    results.hits = _hydrate([(m.key, m.score) for m in matches.hits], parsed)
    if results.total == 0:
        results.suggestion = did_you_mean(parsed)
    return results


def similar(title: str, *, limit: int = 5, exclude_question_id: int | None = None) -> list[Hit]:
    """Questions like a draft title (ask page, escalation form): about half its words must match."""
    parsed = parse(" ".join((title or "")[:200].replace(":", " ").split()))
    if not parsed.optional:
        return []
    parsed.flags.add("question")
    parsed.min_match = max(1, -(-len(parsed.optional) // 2))
    matches = get_backend().search(parsed, sort="relevance", offset=0, limit=limit + 1)
    hits = _hydrate([(m.key, m.score) for m in matches.hits], parsed)
    return [h for h in hits if h.question_id != exclude_question_id][:limit]


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
    window of about that many characters around the densest matches."""
    spans = [(t.start, t.end) for t in analysis.terms(text)
             if t.text in terms or (prefixes and t.text.startswith(prefixes))]
    start, end = 0, len(text)
    if length is not None and len(text) > length:
        if spans:
            best = max(range(len(spans)),
                       key=lambda i: sum(1 for s in spans[i:] if s[0] < spans[i][0] + length))
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


# --- did you mean -----------------------------------------------------------------------------
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
            | {a + c + b for a, b in splits for c in _LETTERS})


def _known(candidates: set[str]) -> set[str]:
    if not candidates:
        return set()
    return set(db.session.scalars(sa.select(SearchWord.word).where(SearchWord.word.in_(sorted(candidates)))))


def did_you_mean(parsed: ParsedQuery) -> str | None:
    """A corrected query that finds something: misspelt English words replaced by words the forum
    uses, else the query without the words that find nothing."""
    folded = analysis.fold(parsed.raw)
    latin = [w for w in parsed.words if w.display.isascii() and w.display.isalpha() and 3 <= len(w.display) <= 20]
    corrections: dict[str, list[str]] = {}
    known = _known({w.display for w in latin})
    for word in latin:
        if word.display in known:
            continue
        options = sorted(_known(_edits(word.display)))
        if options:
            corrections[word.display] = options[:3]
    backend = get_backend()
    if corrections:
        for choice in product(*corrections.values()):
            text = folded
            for wrong, right in zip(corrections, choice):
                text = _replace_word(text, wrong, right)
            if backend.exists(parse(text)):
                return text
    if len(parsed.optional) > 1:
        keep = [w for w in parsed.optional[:8] if _word_finds_something(backend, parsed, w)]
        if keep and len(keep) < len(parsed.optional):
            text = " ".join(w.display for w in parsed.required + keep)
            filters = " ".join(chunk for chunk in folded.split() if ":" in chunk)
            candidate = f"{text} {filters}".strip()
            if backend.exists(parse(candidate)):
                return candidate
    return None


def _word_finds_something(backend: Backend, parsed: ParsedQuery, word: QueryWord) -> bool:
    alone = ParsedQuery(raw=word.display, optional=[word], tags=parsed.tags, category=parsed.category,
                        user=parsed.user, flags=set(parsed.flags))
    return backend.exists(alone)


def _replace_word(text: str, wrong: str, right: str) -> str:
    import re

    return re.sub(rf"(?<![a-z]){re.escape(wrong)}(?![a-z])", right, text)


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
        count = backend.rebuild(batches())
        db.session.commit()
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
    if backend.document_count() == 0 and db.session.scalar(
            sa.select(sa.exists().where(Question.deleted_at.is_(None)))):
        reindex()
    db.session.commit()


def clear() -> None:
    """Empty the index (tests wipe the database between tests)."""
    backend = get_backend()
    with backend.writer_lock(blocking=True):
        if backend.document_count():
            backend.rebuild([])
