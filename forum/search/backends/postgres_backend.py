"""The PostgreSQL backend (FORUM_SEARCH_BACKEND=postgresql), for several web servers sharing one
database: documents live in `search_documents`, with the analyzer's own terms stored as a
GIN-indexed tsvector (PostgreSQL's parsers cannot split Chinese; `simple` finds nothing for 支付).
Terms are written and queried as literal lexemes (CAST to tsvector/tsquery, never to_tsvector),
so both backends match exactly the same terms.

Writes happen in the indexer's database transaction, under an advisory lock, so documents and
outbox rows change together, and a rebuild (delete and insert in one transaction) is swapped in
by its commit while readers keep seeing the old rows.
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager

import sqlalchemy as sa

from forum.extensions import db
from forum.search.analysis import terms
from forum.search.backends.base import (
    CANDIDATES,
    COVERAGE_POWER,
    RELAX_CANDIDATES,
    SYNONYM_WEIGHT,
    Backend,
    Match,
    Matches,
    Sort,
    plan_relaxed,
    round_estimate,
    word_frequency,
)
from forum.search.documents import SearchDoc
from forum.search.models import SearchDocument
from forum.search.query import ParsedQuery, QueryWord

LOCK_KEY = 7_310_462_019  # pg_advisory lock id of the search indexer
QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout
GIN_INDEX = "ix_search_documents_terms"
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 250
TITLE_GAP = 10


class _OutOfTime(Exception):
    """The search's deadline passed."""


def quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(doc: SearchDoc) -> str:
    positions: dict[str, list[str]] = {}
    offset = 0
    for text, weight in ((doc.title, "A"), (doc.body, "")):
        last = 0
        for term in terms(text):
            position = min(MAX_POSITION, offset + term.position + 1)
            slots = positions.setdefault(term.text, [])
            if len(slots) < MAX_POSITIONS_PER_LEXEME:
                slots.append(f"{position}{weight}")
            last = term.position + 1
        offset += last + TITLE_GAP
    parts = [f"{quote(lexeme)}:{','.join(slots)}" for lexeme, slots in positions.items()]
    parts += [quote(f"tag:{tag}") for tag in doc.tags]
    parts += [quote(f"category:{doc.category}"), quote(f"user:{doc.author}")]
    parts += [quote(f"flag:{flag}") for flag in sorted(doc.flags)]
    return " ".join(parts)


def _word(word: QueryWord, typed_only: bool = False, exact: bool = True, present: set[str] | None = None) -> str | None:
    """`exact`: the terms of a word must be side by side (quoted text); a free word's terms are
    only required together, as in the Whoosh backend (phrase operators make PostgreSQL recheck
    every candidate row against its positions). With `present`, alternatives with a lexeme no
    document holds are left out (None when nothing is left)."""
    if word.prefix:
        return f"{quote(word.prefix)}:*"
    sequences = word.alternatives[:1] if typed_only else word.alternatives
    if present is not None:
        sequences = [sequence for sequence in sequences if all(t in present for t in sequence)]
    if not sequences:
        return None
    joint = " <-> " if exact else " & "
    alternatives = [joint.join(quote(t) for t in sequence) for sequence in sequences]
    return "(" + " | ".join(f"({a})" for a in alternatives) + ")"


def _present(lexemes: set[str]) -> set[str]:
    """The lexemes that some document holds, one probe each. A query ORing lexemes that no
    document holds is estimated at hundreds of rows, so PostgreSQL scanned the whole table for its
    first row (60 ms at 100,000 posts); alone, each lexeme gets an accurate estimate: the GIN
    index for rare ones, the first rows of the table for common ones."""
    if not lexemes:
        return set()
    ordered = sorted(lexemes)
    probes = " UNION ALL ".join(
        f"SELECT {i} AS n WHERE EXISTS (SELECT 1 FROM search_documents WHERE terms @@ CAST(:l{i} AS tsquery))"
        for i in range(len(ordered)))
    found = db.session.scalars(sa.text(probes), {f"l{i}": quote(t) for i, t in enumerate(ordered)}).all()
    return {ordered[n] for n in found}


# The planner's statistics of the terms column (most common lexemes and their frequencies), read
# at most once a minute per process: the document frequencies that weigh a relaxed query's words.
STATISTICS_SECONDS = 60.0
_statistics: dict = {"at": -STATISTICS_SECONDS, "rows": 0.0, "common": {}}
_statistics_lock = threading.Lock()
# Below this many rows (the planner's estimate), documents are counted exactly, and every lexeme.
SMALL_TABLE = 20_000


def _lexeme_statistics() -> tuple[float, dict[str, float]]:
    """(estimated rows, {common lexeme: share of rows holding it}) from pg_stats."""
    now = time.monotonic()
    if now - _statistics["at"] < STATISTICS_SECONDS:
        return _statistics["rows"], _statistics["common"]
    row = db.session.execute(sa.text(
        "SELECT c.reltuples AS rows, s.most_common_elems::text AS elems, s.most_common_elem_freqs AS freqs "
        "FROM pg_class AS c LEFT JOIN pg_stats AS s ON s.schemaname = current_schema() "
        "AND s.tablename = 'search_documents' AND s.attname = 'terms' "
        "WHERE c.relname = 'search_documents' AND c.relnamespace = to_regnamespace(current_schema())")).first()
    rows, common = 0.0, {}
    if row is not None:
        rows = float(row.rows or 0)
        if row.elems and row.freqs:
            # An array of lexemes, in tsvector quoting: read it back through a tsvector.
            lexemes = db.session.scalars(sa.text("SELECT unnest(CAST(:elems AS text[]))"),
                                         {"elems": row.elems}).all()
            common = dict(zip(lexemes, (float(f) for f in row.freqs)))
    with _statistics_lock:
        _statistics.update(at=now, rows=rows, common=common)
    return rows, common


class PostgresBackend(Backend):
    transactional = True
    scores_in_place = True

    def _frequencies(self, lexemes: set[str]) -> tuple[int, dict[str, int]]:
        """(documents, {lexeme: documents holding it}): common lexemes from the planner's
        statistics, the others counted (capped past RELAX_CANDIDATES: each a short GIN read)."""
        rows, common = _lexeme_statistics()
        if rows < SMALL_TABLE:
            documents = self.document_count()
            common = {}
        else:
            documents = int(rows)
        counted = self.term_frequencies({t for t in lexemes if t not in common}, RELAX_CANDIDATES + 1)
        return documents, {t: counted.get(t) or round(common.get(t, 0) * documents) for t in lexemes}

    def _coverage_where(self, query: ParsedQuery, present: set[str], filters: list[str]):
        """Relaxed queries (query.by_coverage): candidates hold a phrase-strict required part and
        one of the plan's selective words; rank is coverage ** COVERAGE_POWER times the cover
        density rank (proximity, title weight) and the boost."""
        nothing = "FALSE", {}, "boost"
        documents, frequency = self._frequencies({t for w in query.optional for t in w.terms})
        frequencies = [RELAX_CANDIDATES if w.prefix else word_frequency(w, lambda t: frequency.get(t, 0))
                       for w in query.optional]
        plan = plan_relaxed(query, frequencies, documents)
        required = [_word(w, present=present) for w in query.required]
        words = [_word(w, exact=False, present=present) for w in plan.words]
        selective = [words[i] for i in plan.selective if words[i] is not None]
        if None in required or not selective:
            return nothing
        params: dict = {"window": plan.window}  # taken out by the caller: not a bound parameter
        either = "(" + " | ".join(selective) + ")"
        params["q"] = " & ".join(required + [either] + [quote(f) for f in filters])
        conditions = ["terms @@ CAST(:q AS tsquery)"]
        excluded = [e for e in (_word(w, present=present) for w in query.excluded) if e is not None]
        if excluded:
            params["mask"] = " | ".join(excluded)
            conditions.append("NOT (terms @@ CAST(:mask AS tsquery))")
        held = [(i, word) for i, word in enumerate(words) if word is not None]
        params["rank"] = " | ".join(required + [word for _i, word in held])
        coverage = []
        for i, word in held:
            params[f"c{i}"] = word
            coverage.append(f"{plan.weights[i] / plan.total_weight!r} * (terms @@ CAST(:c{i} AS tsquery))::int")
        # ts_rank_cd: cover density, so words near each other (and in the title, weight A) rank higher.
        rank = (f"power({' + '.join(coverage)}, {COVERAGE_POWER!r}) * "
                f"(0.1 + ts_rank_cd(terms, CAST(:rank AS tsquery))) * boost")
        return " AND ".join(conditions), params, rank

    def term_frequencies(self, terms: Iterable[str], cap: int) -> dict[str, int]:
        # One statement, one capped count per lexeme: alone, each gets an accurate estimate (see
        # _present), so a common lexeme reads its first `cap` rows and a rare one its GIN entry.
        ordered = sorted(set(terms))
        if not ordered:
            return {}
        counts = " UNION ALL ".join(
            f"SELECT {i} AS n, (SELECT count(*) FROM (SELECT 1 FROM search_documents "
            f"WHERE terms @@ CAST(:l{i} AS tsquery) LIMIT :cap) AS m) AS found"
            for i in range(len(ordered)))
        rows = db.session.execute(sa.text(counts), {"cap": cap, **{f"l{i}": quote(t) for i, t in enumerate(ordered)}})
        return {ordered[row.n]: int(row.found) for row in rows}

    @contextmanager
    def writer_lock(self, blocking: bool = False):
        if blocking:
            db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_KEY)))
            yield True
        else:
            yield bool(db.session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(LOCK_KEY))))

    def needs_rebuild(self) -> bool:
        from forum.questions.models import Question

        has_documents = db.session.scalar(sa.select(sa.exists().select_from(SearchDocument)))
        has_questions = db.session.scalar(sa.select(sa.exists().where(Question.deleted_at.is_(None))))
        return bool(has_questions and not has_documents)

    def document_count(self) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(SearchDocument)) or 0

    def _insert(self, docs: list[SearchDoc], table: str = "search_documents") -> None:
        if not docs:
            return
        db.session.execute(
            sa.text(f"INSERT INTO {table} (key, question_id, answer_id, terms, boost, score, created_at) "
                    "VALUES (:key, :question_id, :answer_id, CAST(:terms AS tsvector), :boost, :score, :created_at)"),
            [{"key": d.key, "question_id": d.question_id, "answer_id": d.answer_id, "terms": tsvector_literal(d),
              "boost": d.boost, "score": d.score, "created_at": d.created_at} for d in docs])

    def replace(self, question_ids: list[int], docs: list[SearchDoc], *, keys: Iterable[str] = ()) -> None:
        keys = list(keys)
        if not (question_ids or keys or docs):
            return
        table = SearchDocument.__table__
        db.session.execute(table.delete().where(sa.or_(table.c.question_id.in_(list(question_ids)),
                                                       table.c.key.in_(keys))))
        self._insert(docs)
        # New GIN entries wait in the index's unsorted pending list until a vacuum, and every
        # search reads that list from end to end: after 2,000 threads from the indexer, queries
        # went from 10 to 600 ms at 100,000 posts. The indexer can afford to merge it each batch.
        db.session.execute(sa.text("SELECT gin_clean_pending_list(CAST(:index AS regclass))"),
                           {"index": GIN_INDEX})

    def update_scores(self, scores: dict[str, int]) -> None:
        """One UPDATE of one column: the terms and their GIN entries are left alone (score is in
        no index, so PostgreSQL can update the row in place, a HOT update)."""
        if not scores:
            return
        given = sa.values(sa.column("key", sa.String), sa.column("score", sa.Integer), name="given") \
            .data(sorted(scores.items()))
        table = SearchDocument.__table__
        db.session.execute(table.update().where(table.c.key == given.c.key, table.c.score != given.c.score)
                           .values(score=given.c.score))

    def rebuild(self, batches: Iterable[list[SearchDoc]]) -> int:
        """Built beside: a new table is filled, indexed and swapped in for the old one, all in the
        caller's transaction, so readers see the old documents until the commit. Deleting and
        reinserting in place left the old rows dead in front of the new ones and grew the GIN
        index one row at a time (a bulk build after the inserts is several times faster)."""
        docs = sorted((doc for batch in batches for doc in batch),
                      key=lambda doc: (-doc.boost, -(doc.created_at.timestamp() if doc.created_at else 0)))
        execute = db.session.execute
        indexes = execute(sa.text(
            "SELECT i.indexname, i.indexdef, c.conname FROM pg_indexes AS i "
            "LEFT JOIN pg_constraint AS c ON c.conname = i.indexname AND c.contype = 'p' "
            "WHERE i.schemaname = current_schema() AND i.tablename = 'search_documents'")).all()
        execute(sa.text("DROP TABLE IF EXISTS search_documents_next"))
        execute(sa.text("CREATE TABLE search_documents_next "
                        "(LIKE search_documents INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)"))
        # Relevance ranks the first matching rows in table order (see search()): verified and
        # accepted posts first, then the newest.
        for start in range(0, len(docs), 1000):
            self._insert(docs[start:start + 1000], table="search_documents_next")
        for name, definition, constraint in indexes:
            definition = re.sub(r"^(CREATE (?:UNIQUE )?INDEX )\S+ ON \S+", rf"\1{name}_next ON search_documents_next",
                                definition)
            execute(sa.text(definition))
            if constraint:
                execute(sa.text(f"ALTER TABLE search_documents_next ADD CONSTRAINT {name}_next "
                                f"PRIMARY KEY USING INDEX {name}_next"))
        execute(sa.text("DROP TABLE search_documents"))
        execute(sa.text("ALTER TABLE search_documents_next RENAME TO search_documents"))
        for name, _definition, constraint in indexes:
            if constraint:
                execute(sa.text(f"ALTER TABLE search_documents RENAME CONSTRAINT {name}_next TO {name}"))
            else:
                execute(sa.text(f"ALTER INDEX {name}_next RENAME TO {name}"))
        execute(sa.text("ANALYZE search_documents"))  # the planner's estimates give search() its totals
        return len(docs)

    def _where(self, query: ParsedQuery) -> tuple[str, dict, str]:
        """(SQL condition, parameters, SQL expression of the relevance rank)."""
        params: dict = {}
        conditions: list[str] = []
        filters = [f"tag:{t}" for t in query.tags]
        if query.category:
            filters.append(f"category:{query.category}")
        if query.user:
            filters.append(f"user:{query.user}")
        filters += [f"flag:{f}" for f in sorted(query.flags)]
        present = _present({t for w in query.required + query.optional + query.excluded for t in w.terms}
                           | set(filters))
        nothing = "FALSE", {}, "boost"
        if any(f not in present for f in filters):
            return nothing
        if query.by_coverage:
            return self._coverage_where(query, present, filters)
        required = [_word(w, present=present) for w in query.required]
        optional = [_word(w, exact=False, present=present) for w in query.optional]
        all_required = query.min_optional >= len(query.optional)
        if None in required or (all_required and None in optional):
            return nothing
        optional = [o for o in optional if o is not None]
        if query.optional and not optional:
            return nothing
        text_parts = list(required)
        if optional:
            if all_required:
                text_parts += optional
            else:
                # Long queries: any word may match; ranking puts threads matching more words first.
                text_parts.append("(" + " | ".join(optional) + ")")
        main = " & ".join(text_parts + [quote(f) for f in filters])
        if main:
            params["q"] = main
            conditions.insert(0, "terms @@ CAST(:q AS tsquery)")
        excluded = [e for e in (_word(w, present=present) for w in query.excluded) if e is not None]
        if excluded:
            params["mask"] = " | ".join(excluded)
            conditions.append("NOT (terms @@ CAST(:mask AS tsquery))")
        rank = "boost"
        if text_parts:
            # Ranked by any of the words (as typed, plus a share for synonyms). ts_rank knows no
            # document frequencies, so the number of words a thread matches counts first (BM25 in
            # Whoosh gives the same effect).
            typed = [t for t in ([_word(w, typed_only=True, present=present) for w in query.required]
                                 + [_word(w, typed_only=True, exact=False, present=present)
                                    for w in query.optional]) if t is not None]
            params["rank"] = " | ".join(required + optional)
            params["rank_typed"] = " | ".join(typed)
            coordination = []
            for i, word in enumerate(required + optional):
                params[f"c{i}"] = word
                coordination.append(f"(terms @@ CAST(:c{i} AS tsquery))::int")
            typed_rank = "ts_rank(terms, CAST(:rank_typed AS tsquery)) + " if typed else ""
            rank = (f"({' + '.join(coordination)} + {typed_rank}"
                    f"{SYNONYM_WEIGHT} * ts_rank(terms, CAST(:rank AS tsquery))) * boost")
        return (" AND ".join(conditions) or "TRUE"), params, rank

    @contextmanager
    def _time_limit(self, deadline: float | None):
        """Runs the block's statements with PostgreSQL's statement_timeout set to the time left
        before `deadline`, in a savepoint; raises _OutOfTime when it passes (the statement is
        cancelled and the savepoint rolled back, so the request's transaction carries on)."""
        if deadline is None:
            yield
            return
        milliseconds = int((deadline - time.monotonic()) * 1000)
        if milliseconds <= 0:
            raise _OutOfTime
        previous = db.session.scalar(sa.text("SELECT current_setting('statement_timeout')"))
        savepoint = db.session.begin_nested()
        try:
            db.session.execute(sa.text("SELECT set_config('statement_timeout', :ms, true)"),
                               {"ms": f"{milliseconds}ms"})
            yield
            db.session.execute(sa.text("SELECT set_config('statement_timeout', :previous, true)"),
                               {"previous": previous})
        except sa.exc.OperationalError as exc:
            savepoint.rollback()  # also undoes the set_config
            if getattr(exc.orig, "sqlstate", None) == QUERY_CANCELED:
                raise _OutOfTime from None
            raise
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()

    def search(self, query: ParsedQuery, *, sort: Sort = "relevance", offset: int = 0, limit: int = 20,
               deadline: float | None = None) -> Matches:
        try:
            with self._time_limit(deadline):
                return self._search(query, sort, offset, limit)
        except _OutOfTime:
            return Matches([], 0, exact=False, cut_short=True)

    def _search(self, query: ParsedQuery, sort: Sort, offset: int, limit: int) -> Matches:
        where, params, rank = self._where(query)
        candidates = params.pop("window", CANDIDATES)
        if sort == "relevance":
            # Rank a bounded window of matches: ts_rank reads every candidate's tsvector, and a
            # common word matches tens of thousands of rows. Without ORDER BY the window is the
            # first matches in table order, which a rebuild writes best first; PostgreSQL then
            # stops reading as soon as the window is full.
            window = max(candidates, offset + limit)
            rows = db.session.execute(
                sa.text(f"SELECT key, {rank} AS rank, count(*) OVER () AS found FROM "
                        f"(SELECT key, terms, boost, created_at FROM search_documents WHERE {where} "
                        f"LIMIT :window) AS candidates "
                        f"ORDER BY rank DESC, created_at DESC, key LIMIT :limit OFFSET :offset"),
                {**params, "window": window, "limit": limit, "offset": offset}).all()
            found = rows[0].found if rows else self._count(where, params, window)
            if found < window:
                return Matches([Match(row.key, float(row.rank)) for row in rows], found)
            return Matches([Match(row.key, float(row.rank)) for row in rows],
                           max(found, self._estimate(where, params)), exact=False)
        order = {"newest": "created_at DESC", "votes": "score DESC, created_at DESC"}[sort]
        rows = db.session.execute(
            sa.text(f"SELECT key, {rank} AS rank FROM search_documents WHERE {where} "
                    f"ORDER BY {order}, key LIMIT :limit OFFSET :offset"),
            {**params, "limit": limit, "offset": offset}).all()
        total = self._total(where, params)
        return Matches([Match(row.key, float(row.rank)) for row in rows], total,
                       exact=total < CANDIDATES)

    def _count(self, where: str, params: dict, cap: int) -> int:
        return db.session.scalar(
            sa.text(f"SELECT count(*) FROM (SELECT 1 FROM search_documents WHERE {where} LIMIT :cap) AS m"),
            {**params, "cap": cap}) or 0

    def _estimate(self, where: str, params: dict) -> int:
        """The planner's estimate of the matching rows (from the GIN statistics), rounded: an
        exact count reads every matching row (over 40 ms for a common word at 100,000 posts)."""
        plan = db.session.scalar(sa.text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_documents WHERE {where}"),
                                 params)
        if isinstance(plan, str):
            plan = json.loads(plan)
        return round_estimate(plan[0]["Plan"]["Plan Rows"])

    def _total(self, where: str, params: dict) -> int:
        found = self._count(where, params, CANDIDATES)
        return found if found < CANDIDATES else max(found, self._estimate(where, params))

    def count(self, query: ParsedQuery, deadline: float | None = None) -> int:
        try:
            with self._time_limit(deadline):
                where, params, _rank = self._where(query)
                params.pop("window", None)
                return self._total(where, params)
        except _OutOfTime:
            return 0

    def exists(self, query: ParsedQuery, deadline: float | None = None) -> bool:
        try:
            with self._time_limit(deadline):
                where, params, _rank = self._where(query)
                params.pop("window", None)
                return self._count(where, params, 1) > 0
        except _OutOfTime:
            return False
