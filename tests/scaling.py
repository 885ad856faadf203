"""How the cost of a call grows with its input, measured on this machine in this run.

Tests of pathological input (catastrophic backtracking, quadratic diffs, floods) assert a growth
rate, not a wall-clock budget: a budget in seconds passes or fails with the speed and load of the
machine, while linear work stays linear anywhere. Each size is timed best-of-`repeat` with the
garbage collector paused, so a busy neighbour makes a call slower but rarely changes the ratio.
"""
from __future__ import annotations

import gc
import time
from typing import Callable


def best_time(call: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - started)
    finally:
        if enabled:
            gc.enable()
    return best


def growth(run: Callable[[object], object], small: object, large: object, repeat: int = 3,
           floor: float = 2e-3) -> float:
    """How many times longer `run(large)` takes than `run(small)`.

    Times below `floor` seconds count as `floor`: a call that is cheap at both sizes is fine however
    its microseconds compare."""
    run(small)  # warm caches and lazy compilation before timing
    return max(best_time(lambda: run(large), repeat), floor) / max(best_time(lambda: run(small), repeat), floor)


def assert_at_most_linear(run: Callable[[object], object], small: object, large: object, factor: float,
                          repeat: int = 3) -> None:
    """`large` is `factor` times `small`; linear work grows about `factor` times, quadratic
    `factor`² times. Allow twice linear for noise and n·log n."""
    ratio = growth(run, small, large, repeat)
    assert ratio < 2 * factor, f"cost grew {ratio:.1f}x for {factor:g}x the input: worse than linear"
