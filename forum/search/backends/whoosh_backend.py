"""The embedded backend: a Whoosh index in a folder (FORUM_SEARCH_INDEX).

Layout of the folder:
    CURRENT         the name of the generation that searches read, replaced atomically
    gen-<n>/        one complete Whoosh index per generation (a rebuild writes a new one beside)
    indexer.lock    flock held by whoever writes (the indexer, a rebuild): released by the kernel
                    if that process dies, so a killed indexer never leaves the index locked

Whoosh allows one writer per index. Only the indexer (forum.search.indexer) and a rebuild write,
and only while holding indexer.lock; requests never wait for it.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.query import And, Every, Or, Phrase, Prefix, Term

from forum.search.analysis import ForumAnalyzer
from forum.search.backends.base import RERANK_WINDOW, SYNONYM_WEIGHT, Backend, Match, Matches, Sort
from forum.search.documents import SearchDoc
from forum.search.query import ParsedQuery, QueryWord

log = logging.getLogger(__name__)
TITLE_BOOST = 2.0


def make_schema() -> Schema:
    analyzer = ForumAnalyzer()
    return Schema(
        key=ID(stored=True, unique=True),
        thread=ID,
        title=TEXT(analyzer=analyzer, phrase=True, field_boost=TITLE_BOOST),
        body=TEXT(analyzer=analyzer, phrase=True),
        tags=KEYWORD(scorable=False),
        category=ID,
        author=ID,
        flags=KEYWORD(scorable=False),
        created=NUMERIC(int, bits=64, sortable=True),
        score=NUMERIC(int, signed=True, sortable=True),
        boost=NUMERIC(int, sortable=True),  # the verified/accepted boost × 100
    )


def _fields(doc: SearchDoc) -> dict:
    return {
        "key": doc.key,
        "thread": str(doc.question_id),
        "title": doc.title,
        "body": doc.body,
        "tags": " ".join(doc.tags),
        "category": doc.category,
        "author": doc.author,
        "flags": " ".join(sorted(doc.flags)),
        "created": int(doc.created_at.timestamp()) if doc.created_at else 0,
        "score": doc.score,
        "boost": round(doc.boost * 100),
    }


def _word_query(word: QueryWord):
    if word.prefix:
        return Or([Prefix("title", word.prefix), Prefix("body", word.prefix)])
    alternatives = []
    for n, sequence in enumerate(word.alternatives):
        boost = 1.0 if n == 0 else SYNONYM_WEIGHT  # the word as typed ranks above its synonyms
        if len(sequence) == 1:
            alternatives += [Term("title", sequence[0], boost=boost), Term("body", sequence[0], boost=boost)]
        else:
            alternatives += [Phrase("title", list(sequence), boost=boost), Phrase("body", list(sequence), boost=boost)]
    return Or(alternatives)


def build_query(query: ParsedQuery):
    """(text query, filter, mask) for Whoosh."""
    parts = [_word_query(w) for w in query.required]
    if query.optional:
        optional = [_word_query(w) for w in query.optional]
        if query.min_optional >= len(optional):
            parts += optional
        else:
            # Long queries: any word may match; BM25 puts threads matching more words first.
            parts.append(Or(optional))
    text = And(parts) if parts else Every()
    filters = [Term("tags", tag) for tag in query.tags]
    if query.category:
        filters.append(Term("category", query.category))
    if query.user:
        filters.append(Term("author", query.user))
    filters += [Term("flags", flag) for flag in sorted(query.flags)]
    mask = Or([_word_query(w) for w in query.excluded]) if query.excluded else None
    return text, (And(filters) if filters else None), mask


class WhooshBackend(Backend):
    def __init__(self, root: str):
        self.root = Path(root)
        self._local = threading.local()

    # --- generations -------------------------------------------------------------------------
    def _current_name(self) -> str | None:
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def _set_current(self, name: str) -> None:
        tmp = self.root / f"CURRENT.{os.getpid()}.{threading.get_ident()}"
        tmp.write_text(name)
        os.replace(tmp, self.root / "CURRENT")

    def _new_generation(self) -> tuple[str, whoosh_index.Index]:
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"gen-{time.time_ns()}"
        path = self.root / name
        path.mkdir()
        return name, whoosh_index.create_in(str(path), make_schema())

    def _drop_old_generations(self, keep: str, previous: str | None) -> None:
        # The previous generation stays one round, for searches that still have it open.
        for entry in self.root.glob("gen-*"):
            if entry.name not in (keep, previous):
                shutil.rmtree(entry, ignore_errors=True)

    def _index(self) -> whoosh_index.Index:
        name = self._current_name()
        if name is None:
            raise whoosh_index.EmptyIndexError(f"no search index in {self.root}")
        cached = getattr(self._local, "index", None)
        if cached is None or cached[0] != name:
            self._close_local()
            self._local.index = (name, whoosh_index.open_dir(str(self.root / name)))
            self._local.searcher = None
        return self._local.index[1]

    def _searcher(self):
        index = self._index()
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = index.searcher()
        elif not searcher.up_to_date():
            if searcher.doc_count_all() == 0:
                # Whoosh 2.7.5 cannot refresh a searcher over an empty index (its reader reuse
                # iterates EmptyReader.segments(), which is None): open a new one.
                searcher.close()
                searcher = index.searcher()
            else:
                searcher = searcher.refresh()
        self._local.searcher = searcher
        return searcher

    def _close_local(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
        self._local.searcher = None
        self._local.index = None

    def close(self) -> None:
        self._close_local()

    # --- state -------------------------------------------------------------------------------
    def needs_rebuild(self) -> bool:
        if self._current_name() is None:
            return True
        try:
            self._index()
            self._searcher().doc_count()
            return False
        except Exception as exc:  # noqa: BLE001 (missing, truncated or unreadable: rebuild from the database)
            log.warning("search index in %s is unusable (%s)", self.root, exc)
            self._close_local()
            return True

    def document_count(self) -> int:
        return self._searcher().doc_count()

    @contextmanager
    def writer_lock(self, blocking: bool = False):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "indexer.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # --- writing (callers hold writer_lock) ----------------------------------------------------
    def replace(self, question_ids: list[int], docs: list[SearchDoc]) -> None:
        writer = self._index().writer(timeout=5.0)
        try:
            for question_id in question_ids:
                writer.delete_by_term("thread", str(question_id))
            for doc in docs:
                writer.add_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, batches: Iterable[list[SearchDoc]]) -> int:
        previous = self._current_name()
        name, index = self._new_generation()
        writer = index.writer(limitmb=256)
        count = 0
        try:
            for batch in batches:
                for doc in batch:
                    writer.add_document(**_fields(doc))
                count += len(batch)
        except BaseException:
            writer.cancel()
            shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        writer.commit()  # no optimize: merging into one segment costs more than it saves here
        self._set_current(name)
        self._drop_old_generations(name, previous)
        return count

    # --- reading -----------------------------------------------------------------------------
    def search(self, query: ParsedQuery, *, sort: Sort = "relevance", offset: int = 0, limit: int = 20) -> Matches:
        text, filter_, mask = build_query(query)
        searcher = self._searcher()
        if searcher.doc_count_all() == 0:  # Whoosh's EmptyReader has no columns
            return Matches([], 0)
        wanted = offset + limit
        if sort == "relevance":
            results = searcher.search(text, limit=max(wanted, RERANK_WINDOW), filter=filter_, mask=mask)
            boosts = searcher.reader().column_reader("boost")
            ranked = sorted(((score * boosts[docnum] / 100, docnum) for score, docnum in results.top_n),
                            key=lambda pair: (-pair[0], pair[1]))
        else:
            field = "created" if sort == "newest" else "score"
            results = searcher.search(text, limit=wanted, filter=filter_, mask=mask, sortedby=field, reverse=True)
            ranked = [(results.score(i) or 0.0, results.docnum(i)) for i in range(results.scored_length())]
        total = len(results)
        hits = [Match(searcher.stored_fields(docnum)["key"], float(score)) for score, docnum in ranked[offset:wanted]]
        return Matches(hits, total)

    def count(self, query: ParsedQuery) -> int:
        text, filter_, mask = build_query(query)
        return len(self._searcher().search(text, limit=1, filter=filter_, mask=mask))
