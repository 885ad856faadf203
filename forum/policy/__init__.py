"""Policy: what members may write where everyone reads it (the privacy guard, the scam guard, the
watched words). Left of every feature; the services that save text call `services.screen`."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.policy import models  # noqa: F401  (its tables, for the metadata)
    from forum.policy.guards import compile_order_pattern

    try:  # a pattern that cannot work stops start-up, not the first post
        compile_order_pattern(app.config.get("FORUM_ORDER_NUMBER_PATTERN"))
    except ValueError as exc:
        raise RuntimeError(f"FORUM_ORDER_NUMBER_PATTERN: {exc}") from None
