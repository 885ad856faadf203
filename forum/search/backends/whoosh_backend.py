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
import functools
import logging
import os
import shutil
import threading
import time
from bisect import bisect_left
from collections.abc import Iterable
from contextlib import contextmanager
from itertools import accumulate, islice
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3LeafMatcher, W3PerDocReader
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.query import And, ConstantScoreQuery, Every, Or, Phrase, Prefix, Term

from forum.search.analysis import ForumAnalyzer
from forum.search.backends.base import (
    CANDIDATES,
    COVERAGE_POWER,
    RANK_BUDGET,
    RANK_BUDGET_DOCUMENTS,
    RELAX_CANDIDATES,
    SYNONYM_WEIGHT,
    Backend,
    Match,
    Matches,
    RelaxPlan,
    Sort,
    plan_relaxed,
    round_estimate,
    word_frequency,
)
from forum.search.documents import SearchDoc
from forum.search.query import ParsedQuery, QueryWord

log = logging.getLogger(__name__)
TITLE_BOOST = 2.0
# The indexer commits one small segment per batch, and every query builds its matchers once per
# segment: past this many small segments (under a tenth of the index) they are merged into one.
# Two, not four: after the benchmark's 2,000 re-indexed threads at 100,000 posts, natural sentences
# took p95 60 ms in six segments and 39 ms in two (building a matcher per synonym per segment);
# the indexer merges more often for it (those 2,000 threads: 15 s with four, 42 s with two).
MAX_SMALL_SEGMENTS = 2
# A word* stands for at most PREFIX_TERMS indexed terms per field, the most common of the first
# PREFIX_SCAN that start with it (the query allows three such words).
PREFIX_SCAN = 2000
PREFIX_TERMS = 64
# A search looks at the clock after every this many documents it walks.
DEADLINE_STEPS = 256
# ... and at RANK_BUDGET (forum.search.backends.base) every this many documents it holds.
BUDGET_STEPS = 16


def _remember_columns(has_column):
    """Whoosh asks a segment's reader, for every posting it writes, whether the field has a
    length column, and answers with a stat() of the file: four million system calls, a sixth of
    a 100,000-post rebuild. A segment's files never change once written, so one answer per
    reader and field is enough."""
    def cached(self, fieldname):
        known = self.__dict__.setdefault("_forum_has_column", {})
        if fieldname not in known:
            known[fieldname] = has_column(self, fieldname)
        return known[fieldname]

    cached.forum_cached = True
    return cached


if not getattr(W3PerDocReader.has_column, "forum_cached", False):
    W3PerDocReader.has_column = _remember_columns(W3PerDocReader.has_column)
# A rebuild sorts postings in memory up to this many megabytes (Whoosh's own estimate of its
# pool) before spilling sorted runs to disk; every spilled posting is pickled, read back and
# merged again, which was two fifths of a 100,000-post rebuild at 256 MB.
REBUILD_POOL_MB = 2048


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


def _merge_small_segments(writer, segments):
    """Whoosh merge policy: merge the small segments once there are too many of them, and never
    rewrite the big ones (a full optimize of 100,000 posts takes minutes). Small: under a tenth of
    the index, so at most ten segments are not small, and with the commit's own the index holds
    at most MAX_SMALL_SEGMENTS + 11. (Measured against the largest segment instead, segments of equal
    size were never small: a forum indexed one post per commit held a segment per post, and every
    query built its matchers in each of them, 48 ms for 40 posts.)"""
    from whoosh.reading import SegmentReader

    if not segments:
        return segments
    total = sum(segment.doc_count_all() for segment in segments)
    small = [segment for segment in segments if segment.doc_count_all() * 10 < total]
    if len(small) <= MAX_SMALL_SEGMENTS:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in small]


def _expand_prefix(reader, field: str, prefix: str) -> list[str]:
    """The indexed terms a word* stands for: of the first PREFIX_SCAN in order, the PREFIX_TERMS
    held by most documents. Whoosh's Prefix would OR every one of them ("1*" matched every number
    in the index), building a matcher per term."""
    expansion = [t.decode("utf-8") for t in islice(reader.expand_prefix(field, prefix), PREFIX_SCAN)]
    if len(expansion) > PREFIX_TERMS:
        expansion = sorted(expansion, key=lambda t: -reader.doc_frequency(field, t))[:PREFIX_TERMS]
    return expansion


class _LazyOr(Or):
    """An Or that always walks its clauses side by side (a tree of unions): every Or the forum
    builds. Whoosh's automatic choice preloads and scores every posting of the clauses in segments
    under 5,000 documents (the indexer's), while a search reads a window of matches, or skips
    to the few documents another word holds: a sentence of common words built its matchers for
    90 ms in five small segments beside the large one at 100,000 posts, and the words a relaxed
    query only checks candidates against read every posting of every synonym."""
    matcher_type = Or.DEFAULT_MATCHER


def _word_query(word: QueryWord, exact: bool = True, reader=None):
    """`exact`: a word of several terms must have them side by side (quoted text). A free word's
    terms are only required together: the bigrams of one Chinese word (验证 证码) almost never
    occur apart, and reading their positions made a query several times slower.

    With a `reader`, alternatives with a term the index does not hold are left out (None when
    nothing is left): Whoosh builds a matcher for every clause in every segment before it
    notices that one of them can never match."""
    def present(field: str, terms) -> bool:
        return reader is None or all((field, t) in reader for t in terms)

    if word.prefix:
        if reader is None:
            return _LazyOr([Prefix("title", word.prefix), Prefix("body", word.prefix)])
        # Each field's matches score alike (as Whoosh's Prefix does), whatever term matched.
        fields = [ConstantScoreQuery(_LazyOr([Term(field, t) for t in expansion]))
                  for field in ("title", "body") if (expansion := _expand_prefix(reader, field, word.prefix))]
        return (fields[0] if len(fields) == 1 else _LazyOr(fields)) if fields else None
    alternatives = []
    for n, sequence in enumerate(word.alternatives):
        boost = 1.0 if n == 0 else SYNONYM_WEIGHT  # the word as typed ranks above its synonyms
        for field in ("title", "body"):
            if not present(field, sequence):
                continue
            if len(sequence) == 1:
                alternatives.append(Term(field, sequence[0], boost=boost))
            elif exact:
                alternatives.append(Phrase(field, list(sequence), boost=boost))
            else:
                alternatives.append(And([Term(field, t, boost=boost) for t in sequence]))
    if not alternatives:
        return None
    return alternatives[0] if len(alternatives) == 1 else _LazyOr(alternatives)


def build_query(query: ParsedQuery, reader=None):
    """(text query, filter, mask) for Whoosh; the text query is None when nothing can match."""
    nothing = (None, None, None)
    parts = [_word_query(w, reader=reader) for w in query.required]
    if None in parts:
        return nothing
    if query.optional:
        optional = [_word_query(w, exact=False, reader=reader) for w in query.optional]
        if query.min_optional >= len(optional):
            if None in optional:
                return nothing
            parts += optional
        else:
            # Long queries: any word may match; BM25 puts threads matching more words first.
            optional = [q for q in optional if q is not None]
            if not optional:
                return nothing
            parts.append(_LazyOr(optional))
    text = (parts[0] if len(parts) == 1 else And(parts)) if parts else Every()
    filter_, mask, possible = _filters_and_mask(query, reader)
    return (text, filter_, mask) if possible else nothing


def _filters_and_mask(query: ParsedQuery, reader=None):
    """(filter, mask, whether the filters can match at all)."""
    filters = [("tags", tag) for tag in query.tags]
    if query.category:
        filters.append(("category", query.category))
    if query.user:
        filters.append(("author", query.user))
    filters += [("flags", flag) for flag in sorted(query.flags)]
    if reader is not None and not all(f in reader for f in filters):
        return None, None, False
    filter_ = And([Term(*f) for f in filters]) if filters else None
    excluded = [q for q in (_word_query(w, reader=reader) for w in query.excluded) if q is not None]
    mask = _LazyOr(excluded) if excluded else None
    return filter_, mask, True


def relaxed_plan(query: ParsedQuery, stats: _TermStats, documents: int) -> RelaxPlan:
    """The relaxed query's words and weights from the index's document frequencies (a term
    lookup each). A word* counts as common: it chooses candidates only when nothing else can."""
    frequencies = [RELAX_CANDIDATES if w.prefix else word_frequency(w, stats.frequency) for w in query.optional]
    return plan_relaxed(query, frequencies, documents)


def build_relaxed_query(query: ParsedQuery, reader, plan: RelaxPlan):
    """(text query, filter, mask, coverage queries) of a relaxed query: the text query matches the
    required phrases and any of the plan's selective words; the coverage queries, one per word of
    the plan, tell which words a candidate holds."""
    words = [_word_query(w, exact=False, reader=reader) for w in plan.words]
    selective = [words[i] for i in plan.selective if words[i] is not None]
    required = [_word_query(w, reader=reader) for w in query.required]
    filter_, mask, possible = _filters_and_mask(query, reader)
    if not selective or None in required or not possible:
        return None, None, None, []
    either = selective[0] if len(selective) == 1 else _LazyOr(selective)
    text = And(required + [either]) if required else either
    return text, filter_, mask, words


# Terms whose answers a searcher remembers (see _TermStats), before it starts afresh.
MEMO_TERMS = 50_000


class _TermStats:
    """The index's answers about terms (whether it holds one, in how many documents), kept for as
    long as the searcher lives, that is until the index changes. Building a query asks them for
    every spelling and synonym of every word, in title and body, several times over (the strict
    query, the relaxed one's plan and query, did-you-mean), and each answer is a lookup in every
    segment: a sentence with a dozen synonyms made some 3,000 of them."""

    __slots__ = ("memo", "reader")

    def __init__(self, searcher):
        self.reader = searcher.reader()
        memo = getattr(searcher, "_forum_term_stats", None)
        if memo is None:
            memo = searcher._forum_term_stats = {}
        self.memo = memo

    def doc_frequency(self, field: str, text: str) -> int:
        key = (field, text)
        found = self.memo.get(key)
        if found is None:
            if len(self.memo) >= MEMO_TERMS:
                self.memo.clear()
            found = self.memo[key] = self.reader.doc_frequency(field, text)
        return found

    def frequency(self, text: str) -> int:
        """Documents holding the term in their title or their body (the larger of the two)."""
        return max(self.doc_frequency("title", text), self.doc_frequency("body", text))

    def __contains__(self, key: tuple[str, str]) -> bool:
        return self.doc_frequency(*key) > 0

    def __getattr__(self, name: str):
        return getattr(self.reader, name)


class _LeafMatcher(W3LeafMatcher):
    """Whoosh's reader of one term's postings, moving within a block by bisection and decoding a
    block's document numbers in C. Whoosh steps through a block one posting (two Python calls) at
    a time and decodes it with a generator (a common word intersected with another: 100 → 86 ms
    at 100,000 posts)."""

    def skip_to(self, targetid):
        if not self.is_active():
            raise whoosh3.ReadTooFar
        if targetid <= self.id():
            return
        while targetid > self._maxid:
            if self._lastblock:
                self._atend = True
                return
            self._goto(self._nextoffset)
        if self._ids is None:
            self._read_ids()
        self._i = bisect_left(self._ids, targetid, self._i)

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        ids = self._data[0]
        self._ids = ids if self._byteids else tuple(accumulate(ids))


def _install_leaf_matcher() -> bool:
    """Whoosh's terms reader builds W3LeafMatcher by its module's name: ours is put there, but only
    on a Whoosh laid out as this was written for (else Whoosh's own stays: slower, as correct)."""
    if whoosh3.W3LeafMatcher.__name__ == "_LeafMatcher":  # installed already (the module read again)
        return True
    if whoosh3.W3LeafMatcher is not W3LeafMatcher or not all(
            hasattr(W3LeafMatcher, name) for name in ("_goto", "_read_data", "_next_block", "_read_header")):
        log.warning("Whoosh's posting reader is not the one expected: its own skip_to stays")
        return False
    whoosh3.W3LeafMatcher = _LeafMatcher
    return True


_install_leaf_matcher()


# A read that meets a file the writer has just removed is tried again on the newest files.
VANISHED_RETRIES = 5


def _reading(method):
    """Makes a read survive the index changing under it. Each commit writes a new table of
    contents and removes the previous one (and the segments it merged away); a reader that listed
    the files just before then opens one that is gone (FileNotFoundError in TOC.read: a search
    answered 500 while the indexer committed). The thread's readers are dropped and the read runs
    again on what is current; files a reader already holds open stay readable once removed."""
    @functools.wraps(method)
    def read(self, *args, **kwargs):
        for attempt in range(VANISHED_RETRIES):
            try:
                return method(self, *args, **kwargs)
            except FileNotFoundError:
                if attempt == VANISHED_RETRIES - 1:
                    raise
                log.debug("a search index file vanished while opening it; reading again", exc_info=True)
                self._close_local()
                time.sleep(0.001 * attempt)
        raise AssertionError("unreachable")
    return read


class _Readers:
    """One thread's open index and searcher. Their segment files stay open while it searches
    (read through files, not mapped: see WhooshBackend._index), and are closed when the thread ends
    (its thread-local storage goes, and this with it: a threaded server's request thread), not left
    for the garbage collector."""

    __slots__ = ("index", "name", "searcher")

    def __init__(self):
        self.name = self.index = self.searcher = None

    def close(self) -> None:
        searcher, self.searcher, self.index, self.name = self.searcher, None, None, None
        if searcher is not None:
            try:
                searcher.close()
            except Exception:  # already closed, or its files gone with an old generation
                log.debug("closing a search index reader failed", exc_info=True)

    def __del__(self):
        self.close()


def _holding(matchers: list, docnum: int) -> list[int]:
    """The indexes of the matchers that match `docnum` (each moved forward to it)."""
    held = []
    for i, matcher in enumerate(matchers):
        if matcher is None or not matcher.is_active():
            continue
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            held.append(i)
    return held


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

    def _readers(self) -> _Readers:
        readers = getattr(self._local, "readers", None)
        if readers is None:
            readers = self._local.readers = _Readers()
        return readers

    def _index(self) -> whoosh_index.Index:
        name = self._current_name()
        if name is None:
            raise whoosh_index.EmptyIndexError(f"no search index in {self.root}")
        readers = self._readers()
        if readers.index is None or readers.name != name:
            readers.close()
            # Without mmap: Whoosh copies every part of a memory-mapped compound segment into a
            # BytesIO when it opens it (whoosh/filedb/compound.py), so each process held the whole
            # index in its own memory (46 MiB at 40,000 posts, per thread that searched); read
            # through files, the operating system's page cache holds it once for every process.
            readers.name = name
            readers.index = FileStorage(str(self.root / name), supports_mmap=False).open_index()
        return readers.index

    def _searcher(self):
        index = self._index()
        readers = self._readers()
        searcher = readers.searcher
        if searcher is None:
            searcher = index.searcher()
        elif not searcher.up_to_date():
            # A new searcher, not searcher.refresh(): refresh reuses the readers of segments it
            # already had and so misses deletions made in them since (a deleted or hidden post
            # stayed findable in a thread searched before); it also fails on an empty index.
            searcher.close()
            searcher = index.searcher()
        readers.searcher = searcher
        return searcher

    def _close_local(self) -> None:
        self._readers().close()

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

    @_reading
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
    def replace(self, question_ids: list[int], docs: list[SearchDoc], *, keys: Iterable[str] = ()) -> None:
        # Whoosh cannot change a field of a document in place (a segment is written once): a
        # document whose score alone changed is re-written here too, by itself (scores_in_place).
        keys = list(keys)
        if not (question_ids or keys or docs):
            return
        writer = self._index().writer(timeout=5.0)
        try:
            for question_id in question_ids:
                writer.delete_by_term("thread", str(question_id))
            for key in keys:
                writer.delete_by_term("key", key)
            for doc in docs:
                writer.add_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=_merge_small_segments)

    def rebuild(self, batches: Iterable[list[SearchDoc]]) -> int:
        previous = self._current_name()
        name, index = self._new_generation()
        from flask import current_app, has_app_context

        pool = current_app.config.get("FORUM_SEARCH_REBUILD_MB", REBUILD_POOL_MB) if has_app_context() \
            else REBUILD_POOL_MB
        writer = index.writer(limitmb=int(pool))
        try:
            # Queries rank a window of matches in document order (see _candidates): verified and
            # accepted posts first, then the newest.
            docs = sorted((doc for batch in batches for doc in batch),
                          key=lambda doc: (-doc.boost, -(doc.created_at.timestamp() if doc.created_at else 0)))
            for doc in docs:
                writer.add_document(**_fields(doc))
            count = len(docs)
            del docs
        except BaseException:
            writer.cancel()
            shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        writer.commit()  # no optimize: merging into one segment costs more than it saves here
        self._set_current(name)
        self._drop_old_generations(name, previous)
        return count

    # --- reading -----------------------------------------------------------------------------
    def _candidates(self, searcher, query: ParsedQuery, cap: int | None, scored: bool = True,
                    deadline: float | None = None, key=None, enough: int | None = None):
        """Up to `cap` (None: all) matching documents as (score, docnum), or (key(docnum), docnum)
        with `key`; the total (estimated when the window filled up, or the deadline passed, before
        the end of the index); whether it is exact; and whether the deadline cut the walk short.

        Segments are read newest first (recent edits and posts live in the small segments the
        indexer adds), and a rebuild writes verified/accepted and newer threads first, so the
        window holds the documents most worth ranking. The walk checks the clock every
        DEADLINE_STEPS documents: a query whose matches (or whose excluded documents) number
        in the tens of thousands stops at the deadline rather than after seconds. With `enough`
        (the page asked for), in an index of RANK_BUDGET_DOCUMENTS or more, a walk holding that
        many that has taken RANK_BUDGET stops there too, and the total is an estimate."""
        coverage: list = []
        plan = None
        if query.by_coverage:
            plan = relaxed_plan(query, _TermStats(searcher), searcher.doc_count())
            text, filter_, mask, coverage = build_relaxed_query(query, _TermStats(searcher), plan)
            if cap is not None and scored:  # rank every candidate when the rare words allow it
                cap = max(cap, plan.window)
        else:
            text, filter_, mask = build_query(query, _TermStats(searcher))
        if text is None:
            return [], 0, True, False
        if isinstance(text, Every) and filter_ is not None:
            # Only filters: walk the filter's postings rather than every document. Filter terms
            # occur once per document, so they score alike and the boost still decides.
            text, filter_ = filter_, None
        context = searcher.context()
        budget = time.monotonic() + RANK_BUDGET \
            if enough is not None and searcher.doc_count_all() >= RANK_BUDGET_DOCUMENTS else None
        found: list[tuple[float, int]] = []
        scanned = 0
        steps = 0

        def estimate(docnum: int) -> int:
            seen = scanned + docnum + 1
            return max(len(found), round_estimate(len(found) * searcher.doc_count_all() / max(1, seen)))

        for sub, offset in reversed(searcher.leaf_searchers()):
            m = text.matcher(sub, context)
            # Filters and exclusions only decide membership: they are walked beside the text
            # matcher (skipping whole blocks) and never add to the score.
            f = filter_.matcher(sub, sub.boolean_context()) if filter_ is not None else None
            x = mask.matcher(sub, sub.boolean_context()) if mask is not None else None
            # Relaxed: one matcher per word of the plan, walked beside the text matcher like the
            # filters, telling which words each candidate holds.
            covers = [q.matcher(sub, sub.boolean_context()) if q is not None else None for q in coverage] \
                if scored and coverage else []
            while m.is_active() and (f is None or f.is_active()):
                docnum = m.id()
                steps += 1
                if deadline is not None and steps % DEADLINE_STEPS == 0 and time.monotonic() > deadline:
                    return found, estimate(docnum), False, True
                if f is not None:
                    if f.id() < docnum:
                        f.skip_to(docnum)
                    if not f.is_active():
                        break
                    if f.id() != docnum:
                        m.skip_to(f.id())
                        continue
                if x is not None and x.is_active():
                    if x.id() < docnum:
                        x.skip_to(docnum)
                    if x.is_active() and x.id() == docnum:
                        m.next()
                        continue
                if key is not None:
                    found.append((key(docnum + offset), docnum + offset))
                elif covers:
                    share = plan.coverage(_holding(covers, docnum))
                    found.append((m.score() * share ** COVERAGE_POWER, docnum + offset))
                else:
                    found.append((m.score() if scored else 0.0, docnum + offset))
                if cap is not None and len(found) >= cap:
                    return found, estimate(docnum), False, False
                if budget is not None and len(found) >= enough and len(found) % BUDGET_STEPS == 0 \
                        and time.monotonic() > budget:
                    return found, estimate(docnum), False, False
                m.next()
            scanned += sub.doc_count_all()
        return found, len(found), True, False

    @_reading
    def search(self, query: ParsedQuery, *, sort: Sort = "relevance", offset: int = 0, limit: int = 20,
               deadline: float | None = None) -> Matches:
        searcher = self._searcher()
        if searcher.doc_count_all() == 0:  # Whoosh's EmptyReader has no columns
            return Matches([], 0)
        wanted = offset + limit
        if sort == "relevance":
            found, total, exact, cut = self._candidates(searcher, query, max(CANDIDATES, wanted), deadline=deadline,
                                                        enough=wanted)
            boosts = searcher.reader().column_reader("boost")
            ranked = sorted(((score * boosts[docnum] / 100, docnum) for score, docnum in found),
                            key=lambda pair: (-pair[0], pair[1]))
        else:
            # Every match, ordered by the column (Whoosh's sorting collector did the same, with no
            # way to stop it); newest or best-voted first, then the later document (the column
            # holds whole seconds; documents the indexer added later have higher numbers).
            column = searcher.reader().column_reader("created" if sort == "newest" else "score")
            found, total, exact, cut = self._candidates(searcher, query, None, deadline=deadline,
                                                        key=column.__getitem__)
            ranked = [(0.0, docnum) for _key, docnum in sorted(found, reverse=True)[:wanted]]
        hits = [Match(searcher.stored_fields(docnum)["key"], float(score)) for score, docnum in ranked[offset:wanted]]
        return Matches(hits, total, exact, cut_short=cut)

    @_reading
    def count(self, query: ParsedQuery, deadline: float | None = None) -> int:
        searcher = self._searcher()
        if searcher.doc_count_all() == 0:
            return 0
        return self._candidates(searcher, query, CANDIDATES, scored=False, deadline=deadline)[1]

    @_reading
    def term_frequencies(self, terms: Iterable[str], cap: int) -> dict[str, int]:
        searcher = self._searcher()
        if searcher.doc_count_all() == 0:
            return dict.fromkeys(terms, 0)
        stats = _TermStats(searcher)
        return {t: min(cap, stats.frequency(t)) for t in terms}

    @_reading
    def exists(self, query: ParsedQuery, deadline: float | None = None) -> bool:
        searcher = self._searcher()
        return searcher.doc_count_all() > 0 and bool(
            self._candidates(searcher, query, 1, scored=False, deadline=deadline)[0])
