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

from collections.abc import Iterable
from contextlib import contextmanager

import sqlalchemy as sa

from forum.extensions import db
from forum.search.analysis import terms
from forum.search.backends.base import SYNONYM_WEIGHT, Backend, Match, Matches, Sort
from forum.search.documents import SearchDoc
from forum.search.models import SearchDocument
from forum.search.query import ParsedQuery, QueryWord

LOCK_KEY = 7_310_462_019  # pg_advisory lock id of the search indexer
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 250
TITLE_GAP = 10


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


def _word(word: QueryWord, typed_only: bool = False) -> str:
    if word.prefix:
        return f"{quote(word.prefix)}:*"
    sequences = word.alternatives[:1] if typed_only else word.alternatives
    alternatives = [" <-> ".join(quote(t) for t in sequence) for sequence in sequences]
    return "(" + " | ".join(f"({a})" for a in alternatives) + ")"


class PostgresBackend(Backend):
    transactional = True

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

    def _insert(self, docs: list[SearchDoc]) -> None:
        if not docs:
            return
        db.session.execute(
            sa.text("INSERT INTO search_documents (key, question_id, answer_id, terms, boost, score, created_at) "
                    "VALUES (:key, :question_id, :answer_id, CAST(:terms AS tsvector), :boost, :score, :created_at)"),
            [{"key": d.key, "question_id": d.question_id, "answer_id": d.answer_id, "terms": tsvector_literal(d),
              "boost": d.boost, "score": d.score, "created_at": d.created_at} for d in docs])

    def replace(self, question_ids: list[int], docs: list[SearchDoc]) -> None:
        db.session.execute(sa.delete(SearchDocument).where(SearchDocument.question_id.in_(question_ids)))
        self._insert(docs)

    def rebuild(self, batches: Iterable[list[SearchDoc]]) -> int:
        # One transaction (the caller commits): readers see the old documents until then.
        db.session.execute(sa.delete(SearchDocument))
        count = 0
        for batch in batches:
            self._insert(batch)
            count += len(batch)
        return count

    def _where(self, query: ParsedQuery) -> tuple[str, dict, str]:
        """(SQL condition, parameters, SQL expression of the relevance rank)."""
        params: dict = {}
        conditions: list[str] = []
        required = [_word(w) for w in query.required]
        optional = [_word(w) for w in query.optional]
        text_parts = list(required)
        if optional:
            if query.min_optional >= len(optional):
                text_parts += optional
            else:
                # Long queries: any word may match; ranking puts threads matching more words first.
                text_parts.append("(" + " | ".join(optional) + ")")
        filters = [quote(f"tag:{t}") for t in query.tags]
        if query.category:
            filters.append(quote(f"category:{query.category}"))
        if query.user:
            filters.append(quote(f"user:{query.user}"))
        filters += [quote(f"flag:{f}") for f in sorted(query.flags)]
        main = " & ".join(text_parts + filters)
        if main:
            params["q"] = main
            conditions.insert(0, "terms @@ CAST(:q AS tsquery)")
        if query.excluded:
            params["mask"] = " | ".join(_word(w) for w in query.excluded)
            conditions.append("NOT (terms @@ CAST(:mask AS tsquery))")
        rank = "boost"
        if text_parts:
            # Ranked by any of the words (as typed, plus a share for synonyms). ts_rank knows no
            # document frequencies, so the number of words a thread matches counts first (BM25 in
            # Whoosh gives the same effect).
            typed = [_word(w, typed_only=True) for w in query.required + query.optional]
            params["rank"] = " | ".join(required + optional)
            params["rank_typed"] = " | ".join(typed)
            coordination = []
            for i, word in enumerate(required + optional):
                params[f"c{i}"] = word
                coordination.append(f"(terms @@ CAST(:c{i} AS tsquery))::int")
            rank = (f"({' + '.join(coordination)} + ts_rank(terms, CAST(:rank_typed AS tsquery)) "
                    f"+ {SYNONYM_WEIGHT} * ts_rank(terms, CAST(:rank AS tsquery))) * boost")
        return (" AND ".join(conditions) or "TRUE"), params, rank

    def search(self, query: ParsedQuery, *, sort: Sort = "relevance", offset: int = 0, limit: int = 20) -> Matches:
        where, params, rank = self._where(query)
        order = {"relevance": "rank DESC, created_at DESC", "newest": "created_at DESC",
                 "votes": "score DESC, created_at DESC"}[sort]
        rows = db.session.execute(
            sa.text(f"SELECT key, {rank} AS rank FROM search_documents WHERE {where} "
                    f"ORDER BY {order}, key LIMIT :limit OFFSET :offset"),
            {**params, "limit": limit, "offset": offset}).all()
        total = db.session.scalar(sa.text(f"SELECT count(*) FROM search_documents WHERE {where}"), params) or 0
        return Matches([Match(row.key, float(row.rank)) for row in rows], total)

    def count(self, query: ParsedQuery) -> int:
        where, params, _rank = self._where(query)
        return db.session.scalar(sa.text(f"SELECT count(*) FROM search_documents WHERE {where}"), params) or 0
