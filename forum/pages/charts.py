"""A member's reputation over time as an SVG line chart, drawn on the server (no script needed)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

WIDTH, HEIGHT = 640, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 16, 14, 28


@dataclass
class LineChart:
    width: int
    height: int
    points: str          # "x,y x,y ..." for <polyline>
    area: str            # closed polygon under the line
    y_ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, datetime]]
    last: tuple[float, float, int]


def reputation_chart(series: list[tuple[datetime, int]]) -> LineChart | None:
    """Scale (day, value) pairs into the chart box; None when there is nothing to draw."""
    if not series:
        return None
    if len(series) == 1:
        series = [series[0], series[0]]
    t0, t1 = series[0][0].timestamp(), series[-1][0].timestamp()
    lo = min(v for _, v in series)
    hi = max(v for _, v in series)
    if hi == lo:
        hi = lo + 1
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(t: float) -> float:
        return PAD_LEFT + (inner_w * (t - t0) / (t1 - t0) if t1 > t0 else inner_w)

    def y(v: int) -> float:
        return PAD_TOP + inner_h * (1 - (v - lo) / (hi - lo))

    coords = []
    previous = None
    for day, value in series:
        cx = x(day.timestamp())
        if previous is not None:
            coords.append((cx, y(previous)))  # steps: reputation holds until the next change
        coords.append((cx, y(value)))
        previous = value
    points = " ".join(f"{a:.1f},{b:.1f}" for a, b in coords)
    baseline = PAD_TOP + inner_h
    area = f"{coords[0][0]:.1f},{baseline:.1f} {points} {coords[-1][0]:.1f},{baseline:.1f}"
    ticks = sorted({lo, (lo + hi) // 2, hi})
    return LineChart(
        WIDTH, HEIGHT, points, area,
        y_ticks=[(y(v), v) for v in ticks],
        x_labels=[(x(t0), series[0][0]), (x(t1), series[-1][0])],
        last=(coords[-1][0], coords[-1][1], series[-1][1]),
    )
