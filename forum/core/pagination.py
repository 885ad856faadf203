"""One page of a list, and page numbers read from user input. Every feature's read side returns a
`Page`; views and the API turn `?page=` and `?per_page=` into numbers with `clamp_page`."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
MAX_PER_PAGE = 100
MAX_PAGE = 10_000


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int
    # The items shown as pinned (forum.questions.queries.list_questions; other lists pin nothing).
    pinned_ids: frozenset = frozenset()

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def clamp_page(page: Any, per_page: Any, default_per_page: int = 20) -> tuple[int, int]:
    """Page numbers from user input: bad values fall back to the first page and the default size."""
    try:
        page = int(page)
    except (TypeError, ValueError):
        page = 1
    try:
        per_page = int(per_page)
    except (TypeError, ValueError):
        per_page = default_per_page
    return max(1, min(page, MAX_PAGE)), max(1, min(per_page, MAX_PER_PAGE))
