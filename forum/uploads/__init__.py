"""Images in posts: uploaded, re-encoded (forum.uploads.images), served from /uploads/<key>, linked
to the posts that show them, swept when no post uses them."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.uploads import models  # noqa: F401  (its tables, for the metadata)
