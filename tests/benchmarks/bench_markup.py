"""Markdown rendering cost of every hostile class in tests/core/test_markup_cost.py. Prints figures.

    python tests/benchmarks/bench_markup.py [--sizes 7500,15000,30000,60000] [--repeat 3] [name ...]

For each class: process time (best of --repeat, milliseconds) at each size, the growth exponent
between neighbouring sizes (1 is linear, 2 quadratic) and how many times larger the HTML is than
the body at the largest size. Process time, not wall time, so other work on a shared machine
disturbs it less. Not a test: it reports, it does not assert.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from forum.core.markup import render_markdown
from tests.core.test_markup_cost import CLASSES


def cost(body: str, repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        started = time.process_time()
        render_markdown(body)
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="7500,15000,30000,60000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("names", nargs="*", help="classes to measure (default: all)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"{'class':40s}" + "".join(f"{size:>10d}" for size in sizes) + "   exponents   html/body")
    for name in args.names or list(CLASSES):
        bodies = [CLASSES[name](size) for size in sizes]
        times = [cost(body, args.repeat) for body in bodies]
        exponents = [math.log(max(b, 1e-4) / max(a, 1e-4)) / math.log(len(y) / len(x))
                     for a, b, x, y in zip(times, times[1:], bodies, bodies[1:])]
        ratio = len(render_markdown(bodies[-1])) / max(len(bodies[-1]), 1)
        print(f"{name:40s}" + "".join(f"{t * 1000:10.1f}" for t in times)
              + "   " + " ".join(f"{e:4.2f}" for e in exponents) + f"   {ratio:6.1f}", flush=True)


if __name__ == "__main__":
    main()
