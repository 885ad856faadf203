from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from forum.search.documents import SearchDoc
from forum.search.query import ParsedQuery, QueryWord

Sort = Literal["relevance", "newest", "votes"]
# Relevance ranks at most this many matching documents (more for deep pages), taken in the index's
# own order, which a rebuild writes verified/accepted posts first and then the newest (Whoosh
# also reads the segments of recent changes first). Common words match tens of thousands of
# posts: scoring them all took seconds in Whoosh and ~80 ms in PostgreSQL at 100,000 posts, while
# the judged set and most real queries match fewer posts than this and are ranked exactly. Past
# the window the total is an estimate (Matches.exact is False). 200, not 500: a query of two
# common words (修改地址, payment failed: two unions of synonyms, intersected) took Whoosh 60-85 ms
# to gather 500 at 40,000 posts, most of it walking and scoring the window (profiled); the judged
# set ranks as before.
CANDIDATES = 200
# Gathering the window is bounded in time too (the embedded backend; PostgreSQL gathers it in one
# statement): once the window holds the page asked for, a walk that has taken RANK_BUDGET seconds
# ranks what it holds (the index is ordered verified, accepted and newest first) and estimates the
# total. Three common words with a dozen synonyms between them (密码输错被锁住了) took Whoosh 70 ms
# to gather 200 of some 540 matches at 100,000 posts; the judged set never comes near it.
RANK_BUDGET = 0.025
# ... in an index of at least this many documents: a smaller one is walked in a few milliseconds,
# and its ranking must not depend on how busy the machine is.
RANK_BUDGET_DOCUMENTS = 20_000
# A match through a synonym counts this much of a match of the word as typed.
SYNONYM_WEIGHT = 0.5

# Relaxed queries (query.relaxed(): free words optional, ranked by coverage). Candidates are the
# documents holding one of the query's rarest words: words are taken rarest first while the
# documents holding them add up to at most RELAX_CANDIDATES, and then every candidate is ranked.
# When even the rarest word is more common than that, it alone chooses, and like a strict query
# the search ranks the first CANDIDATES of its documents in the index's order (verified, accepted
# and newest first). The other words only count towards coverage: a word in half the forum
# chooses nothing, and walking its postings would be a full scan. At most RELAX_WORDS words (the
# rarest) take part at all.
RELAX_WORDS = 8
RELAX_CANDIDATES = 300
# A document's relevance is multiplied by coverage ** COVERAGE_POWER, where coverage is the share
# of the query's weight (each word weighs its inverse document frequency) that the document holds.
COVERAGE_POWER = 2.0


def idf(frequency: int, documents: int) -> float:
    """Inverse document frequency (BM25's, never negative): rare words weigh more."""
    documents = max(documents, frequency, 1)
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


@dataclass(frozen=True)
class RelaxPlan:
    """What a relaxed query walks and how it weighs: `words` (the RELAX_WORDS rarest free words
    that some document holds) with their `weights`; `selective`: the indexes of those whose
    documents are the candidates; `total_weight`: the weight of every free word (absent ones
    included), the denominator of coverage."""
    words: list[QueryWord]
    weights: list[float]
    selective: list[int]
    total_weight: float
    window: int = CANDIDATES  # how many candidates to rank


    def coverage(self, matched: Iterable[int]) -> float:
        if self.total_weight <= 0:
            return 0.0
        return sum(self.weights[i] for i in matched) / self.total_weight


def plan_relaxed(query: ParsedQuery, frequencies: list[int], documents: int) -> RelaxPlan:
    """`frequencies`: how many documents hold each of query.optional (0: none)."""
    weights = [idf(f, documents) for f in frequencies]
    held = sorted((i for i, f in enumerate(frequencies) if f > 0), key=lambda i: (frequencies[i], i))[:RELAX_WORDS]
    selective: list[int] = []
    walked = 0
    for n, i in enumerate(held):
        if n and walked + frequencies[i] > RELAX_CANDIDATES:
            break
        selective.append(n)
        walked += frequencies[i]
    window = RELAX_CANDIDATES if walked <= RELAX_CANDIDATES else CANDIDATES
    return RelaxPlan([query.optional[i] for i in held], [weights[i] for i in held], selective, sum(weights),
                     window)


def word_frequency(word: QueryWord, term_frequency: Callable[[str], int]) -> int:
    """About how many documents hold `word`: per alternative, its rarest term (its terms occur
    together); the alternatives added up."""
    total = 0
    for sequence in word.alternatives:
        total += min((term_frequency(t) for t in sequence), default=0)
    return total


@dataclass(frozen=True)
class Match:
    key: str  # q<id> or a<id>
    score: float


@dataclass(frozen=True)
class Matches:
    hits: list[Match]
    total: int
    exact: bool = True  # False: `total` is an estimate (more matches than the window)
    cut_short: bool = False  # the deadline passed before the search had looked everywhere


def round_estimate(value: float) -> int:
    """Two significant digits, so an estimated total does not pretend to be exact."""
    value = int(value)
    if value < 100:
        return value
    scale = 10 ** (len(str(value)) - 2)
    return round(value / scale) * scale


class Backend(ABC):
    #: True when replace() writes in the caller's database transaction (commit makes it visible).
    transactional = False
    #: True when update_scores() changes a document's score without re-writing the document; the
    #: indexer otherwise re-writes those documents (those alone) through replace().
    scores_in_place = False

    # `deadline` (a time.monotonic() value): past it a search stops looking and answers with what
    # it has found (Matches.cut_short), so that no query, however pathological, holds a worker
    # for long. None: no deadline (the CLI, tests of ranking).
    @abstractmethod
    def search(self, query: ParsedQuery, *, sort: Sort = "relevance", offset: int = 0, limit: int = 20,
               deadline: float | None = None) -> Matches:
        """Documents matching `query`, best first."""

    @abstractmethod
    def count(self, query: ParsedQuery, deadline: float | None = None) -> int:
        """How many documents match (estimated past the candidate window)."""

    def exists(self, query: ParsedQuery, deadline: float | None = None) -> bool:
        """Whether anything matches: "did you mean" asks this of a few rewritten queries."""
        return self.count(query, deadline=deadline) > 0

    @abstractmethod
    def term_frequencies(self, terms: Iterable[str], cap: int) -> dict[str, int]:
        """How many documents hold each analyzer term, counted up to `cap` (0: none), in one
        bounded lookup: "did you mean" ranks its corrections by it without searching."""

    @abstractmethod
    def replace(self, question_ids: list[int], docs: list[SearchDoc], *, keys: Iterable[str] = ()) -> None:
        """Make these threads' documents, and the documents `keys` (single posts, q<id> or a<id>),
        exactly `docs` (a thread or a key with none there is gone from the index)."""

    def update_scores(self, scores: dict[str, int]) -> None:
        """Set the score of these documents ({key: score}) and nothing else (scores_in_place)."""
        raise NotImplementedError

    @abstractmethod
    def rebuild(self, batches: Iterable[list[SearchDoc]]) -> int:
        """Build a complete new index beside the current one and swap it in; returns the document count."""

    @abstractmethod
    def document_count(self) -> int: ...

    @abstractmethod
    def needs_rebuild(self) -> bool:
        """The index is missing or unreadable (checked at start-up)."""

    def writer_lock(self, blocking: bool = False):
        """A context manager yielding True when this process may write the index now."""
        raise NotImplementedError

    def close(self) -> None:
        pass
