"""Demo content and synthetic data: the `demo`, `seed` and `start` commands."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.demo.cli import register

    register(app)
