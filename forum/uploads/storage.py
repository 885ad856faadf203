"""Where uploaded files live: FORUM_UPLOAD_DIR (default `uploads/` in the instance folder), never
static/. Files are named by their unguessable key; the database says who may see them."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app


def new_key() -> str:
    """An unguessable name (128 bits), safe in a URL and a file name."""
    return secrets.token_urlsafe(16)


def _root() -> Path:
    return Path(current_app.config["FORUM_UPLOAD_DIR"])


def area_root(area: str) -> Path:
    return _root() / area


def path_for(area: str, name: str) -> Path:
    if "/" in name or "\\" in name or name.startswith(".") or area not in ("images", "attachments"):
        raise ValueError(name)
    return _root() / area / name[:2] / name


def write(area: str, name: str, data: bytes) -> None:
    """Write atomically: a reader never sees half a file."""
    path = path_for(area, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def read(area: str, name: str) -> bytes | None:
    try:
        return path_for(area, name).read_bytes()
    except (FileNotFoundError, ValueError):
        return None


def remove(area: str, name: str) -> None:
    try:
        path_for(area, name).unlink()
    except (FileNotFoundError, ValueError):
        pass
