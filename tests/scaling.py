"""How the cost of a call compares with another, measured on this machine in this run.

Tests of pathological input (catastrophic backtracking, quadratic diffs, floods) compare costs, not
wall-clock budgets: a budget in seconds passes or fails with the speed and load of the machine,
while a ratio of two costs measured side by side does not. The two calls are timed alternately,
best of `repeat`, with the garbage collector paused, so a busy neighbour slows both alike.
"""
from __future__ import annotations

import functools
import gc
import time
from typing import Callable

ATTEMPTS = 3


def _once(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def best_time(call: Callable[[], object], repeat: int = 3) -> float:
    """The best of `repeat` timings of one call (to size a workload, not to judge it)."""
    return min(_once(call) for _ in range(repeat))


def paired_times(first: Callable[[], object], second: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """Best times of two calls, measured alternately (after one warm-up call each)."""
    first()
    second()
    best_first = best_second = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            best_first = min(best_first, _once(first))
            best_second = min(best_second, _once(second))
    finally:
        if enabled:
            gc.enable()
    return best_first, best_second


def growth(run: Callable[[object], object], small: object, large: object, repeat: int = 5,
           floor: float = 2e-3) -> float:
    """How many times longer `run(large)` takes than `run(small)`. Times below `floor` seconds count
    as `floor`: a call that is cheap at both sizes is fine however its microseconds compare."""
    t_small, t_large = paired_times(lambda: run(small), lambda: run(large), repeat)
    return max(t_large, floor) / max(t_small, floor)


def _measured_again(check: Callable[..., None]) -> Callable[..., None]:
    """Every assertion here is measured up to ATTEMPTS times and fails only if each attempt fails: a
    busy neighbour (another test worker, another job on the machine) can slow one measurement of the
    larger input past the bound, while worse-than-linear work fails every time (by 10x and more)."""
    @functools.wraps(check)
    def measured(*args, **kwargs) -> None:
        for attempt in range(ATTEMPTS):
            try:
                return check(*args, **kwargs)
            except AssertionError:
                if attempt == ATTEMPTS - 1:
                    raise
    return measured


@_measured_again
def assert_grows_at_most(run: Callable[[object], object], small: object, large: object, at_most: float,
                         repeat: int = 5) -> None:
    """`run(large)` costs less than `at_most` times `run(small)`."""
    ratio = growth(run, small, large, repeat)
    assert ratio < at_most, f"cost grew {ratio:.1f}x (the bound is {at_most:g}x)"


@_measured_again
def assert_at_most_linear(run: Callable[[object], object], small: object, large: object, factor: float,
                          repeat: int = 5) -> None:
    """`large` is `factor` (at least 10) times `small`: linear work grows about `factor` times,
    quadratic `factor`² times. Allow three times linear for noise and n·log n."""
    assert factor >= 10, "too small a step to tell linear from quadratic on a noisy machine"
    ratio = growth(run, small, large, repeat)
    assert ratio < 3 * factor, f"cost grew {ratio:.1f}x for {factor:g}x the input: worse than linear"


@_measured_again
def assert_costs_about_as_much_as(run: Callable[[], object], reference: Callable[[], object],
                                  at_most: float = 20, repeat: int = 3) -> None:
    """`run` (a pathological input) costs at most `at_most` times `reference` (an ordinary input of
    the same size). Catastrophic backtracking or quadratic work at the size limit costs hundreds of
    times more; a slower or busier machine slows both alike."""
    t_run, t_reference = paired_times(run, reference, repeat)
    ratio = t_run / max(t_reference, 1e-4)
    assert ratio < at_most, f"cost {ratio:.1f}x an ordinary input of the same size"
