from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from forum.search.documents import SearchDoc
from forum.search.query import ParsedQuery

Sort = Literal["relevance", "newest", "votes"]
# Relevance re-ranks this many of the best text matches by the verified/accepted boost.
RERANK_WINDOW = 200
# A match through a synonym counts this much of a match of the word as typed.
SYNONYM_WEIGHT = 0.5


@dataclass(frozen=True)
class Match:
    key: str  # q<id> or a<id>
    score: float


@dataclass(frozen=True)
class Matches:
    hits: list[Match]
    total: int


class Backend(ABC):
    #: True when replace() writes in the caller's database transaction (commit makes it visible).
    transactional = False

    @abstractmethod
    def search(self, query: ParsedQuery, *, sort: Sort = "relevance", offset: int = 0, limit: int = 20) -> Matches:
        """Documents matching `query`, best first."""

    @abstractmethod
    def count(self, query: ParsedQuery) -> int: ...

    @abstractmethod
    def replace(self, question_ids: list[int], docs: list[SearchDoc]) -> None:
        """Make these threads' documents exactly `docs` (none: the threads are gone)."""

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
