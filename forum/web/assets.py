"""Static files under content-hashed names, cached by browsers for a year.

Every `url_for("static", filename="css/forum.css")` (templates, e-mails, code: there is no other way
to name a static file) builds `/static/css/forum.<digest>.css`, where <digest> is the first 12 hex
digits of the SHA-256 of the file's bytes. A changed file therefore gets a new name, and the old
name is never asked for again by a page built after the change: such a name may be cached for good
(`Cache-Control: public, max-age=31536000, immutable`).

Each file is read once per process, on first use, and kept in memory with its digest (the folder
holds about 45 KB): a hashed name is always answered with exactly the bytes its digest was computed
from, even if the file on disk is replaced while the process runs (a release installed in place; a
restart then picks up the new names). In debug mode (`flask run --debug`) the file's size and
modification time are checked on each use, so an edited stylesheet gets its new name on the next page.

Serving (the `static` endpoint):
- a hashed name whose digest is the file's: the file, immutable for a year, ETag = the digest;
- a hashed name with another digest (a page built by a node that runs another release, during a
  rolling upgrade): the file this node has, with `no-cache`, so that no cache keeps these bytes under
  a name that means other bytes;
- the plain name (`/static/css/forum.css`, for links kept from before, and nginx's own copy): the
  file, cached for an hour.
The answers are ordinary (not streamed) responses, so Flask-Compress compresses them like any other.

Behind deploy/nginx/forum.conf, nginx serves plain names from the installed package itself, and sends
hashed names here (it cannot tell whether a digest is the file's), keeping the immutable answers in
its proxy cache.
"""
from __future__ import annotations

import hashlib
import mimetypes
import os
import posixpath
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Flask, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

DIGEST_LENGTH = 12
YEAR = 31536000
IMMUTABLE = f"public, max-age={YEAR}, immutable"
# Plain names: an hour, as nginx's `expires 1h` for the same files.
PLAIN_MAX_AGE = 3600
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{%d})(?P<suffix>\.[A-Za-z0-9]+)?$" % DIGEST_LENGTH)
_EXTENSION = "forum.static_names"


@dataclass(frozen=True)
class StaticFile:
    data: bytes
    digest: str  # SHA-256, hex
    modified: datetime
    stamp: tuple[int, int]  # size and modification time, to notice an edit in debug mode


class StaticNames:
    """The files of one static folder with their content digests, read once per process."""

    def __init__(self, folder: str):
        self.folder = folder
        # Only files that exist are kept, so the table is bounded by the folder's contents whatever
        # names clients ask for.
        self._files: dict[str, StaticFile] = {}

    def file(self, filename: str, *, recheck: bool = False) -> StaticFile | None:
        """The file, or None when `filename` is not a file inside the folder."""
        known = self._files.get(filename)
        if known is not None and not recheck:
            return known
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
            if known is not None and known.stamp == (stat.st_size, stat.st_mtime_ns):
                return known
            with open(path, "rb") as handle:
                data = handle.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            self._files.pop(filename, None)
            return None
        modified = datetime.fromtimestamp(int(stat.st_mtime), timezone.utc)
        found = StaticFile(data, hashlib.sha256(data).hexdigest(), modified, (stat.st_size, stat.st_mtime_ns))
        self._files[filename] = found
        return found

    def hashed(self, filename: str, *, recheck: bool = False) -> str:
        """`css/forum.css` -> `css/forum.<digest>.css` (a name with no extension: `name.<digest>`);
        a file that does not exist keeps its name (its link then answers 404, as before)."""
        found = self.file(filename, recheck=recheck)
        if found is None:
            return filename
        folder, base = posixpath.split(filename)
        stem, dot, suffix = base.rpartition(".")
        digest = found.digest[:DIGEST_LENGTH]
        return posixpath.join(folder, f"{stem}.{digest}.{suffix}" if dot and stem else f"{base}.{digest}")

    def resolve(self, requested: str, *, recheck: bool = False) -> tuple[StaticFile | None, str | None]:
        """The file a requested name stands for, and how it may be cached: "immutable" (the name's
        digest is the file's), "stale" (a hashed name for other bytes) or "plain"."""
        folder, base = posixpath.split(requested)
        match = _HASHED.match(base)
        if match:
            plain = posixpath.join(folder, match["stem"] + (match["suffix"] or ""))
            found = self.file(plain, recheck=recheck)
            if found is not None:
                return found, "immutable" if found.digest.startswith(match["digest"]) else "stale"
        found = self.file(requested, recheck=recheck)
        return found, "plain" if found is not None else None


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, left out of static files' answers: a stylesheet is the same
    for everyone. Flask marks the session accessed whenever anything reads it (Flask-Login does, after
    every request), and then answers `Vary: Cookie`: a shared cache (nginx's proxy cache) would keep
    one copy of an immutable file per visitor, and a refreshed session cookie (Set-Cookie) would
    keep it out of the cache altogether."""

    def save_session(self, app, session, response) -> None:
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def names(app: Flask | None = None) -> StaticNames:
    return (app or current_app).extensions[_EXTENSION]


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = StaticNames(app.static_folder)
    app.view_functions["static"] = serve
    app.url_defaults(_hashed_static_name)
    app.session_interface = SessionInterface()


def _hashed_static_name(endpoint: str, values: dict) -> None:
    """url_for("static", filename=...) names the file by its content."""
    if endpoint == "static" and "filename" in values:
        values["filename"] = names().hashed(values["filename"], recheck=current_app.debug)


def serve(filename: str):
    """The `static` endpoint (in place of Flask's send_static_file): see the module's docstring."""
    found, kind = names().resolve(filename, recheck=current_app.debug)
    if found is None:
        abort(404)
    response = current_app.response_class(found.data, mimetype=mimetypes.guess_type(filename)[0]
                                          or "application/octet-stream")
    # The digest as ETag: the same on every node (Flask's, built from the file's modification
    # time, differs between two installations of one release).
    response.set_etag(found.digest)
    response.last_modified = found.modified
    if kind == "immutable":
        response.headers["Cache-Control"] = IMMUTABLE
    elif kind == "stale":
        response.cache_control.no_cache = True  # sent, never kept
    else:
        response.cache_control.public = True
        response.cache_control.max_age = PLAIN_MAX_AGE
    return response.make_conditional(request)
