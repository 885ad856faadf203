"""Waiting on a condition with a deadline, instead of sleeping a fixed time and hoping.

A fixed sleep is either too short on a loaded machine (the test fails for nothing) or too long
everywhere else (the suite crawls). `wait_until` polls quickly at first and backs off, and fails
with a message that says what did not happen.
"""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 10.0,
    *,
    what: str | Callable[[], str] = "",
    interval: float = 0.2,
    strict: bool = True,
) -> T:
    """Call `predicate` until it returns something truthy, and return that value.

    Past `timeout` seconds: raise AssertionError naming `what` (a string, or a callable for details
    known only then, such as a process's output), or return the last falsy value when
    `strict=False` (for a wait that only makes a race likelier and may end without it). The first
    polls come after a few milliseconds, then the pause doubles up to `interval`.
    """
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        value = predicate()
        if value:
            return value
        left = deadline - time.monotonic()
        if left <= 0:
            if not strict:
                return value
            detail = what() if callable(what) else what
            raise AssertionError(
                f"{detail or getattr(predicate, '__name__', 'the condition')} "
                f"did not happen within {timeout} s"
            )
        time.sleep(min(pause, interval, left))
        pause *= 2
