"""Images in posts: upload, serve, link to posts, sweep, and moderators' removal.

An upload is public from the moment it is made (an image link must work in the preview and in the
post being written), under an unguessable key. Once its owner's posts show it, it is public only
while one of them is (a deleted or held post hides its images); only the owner's own posts count:
another member who puts its address in a post uses nothing (their post shows it as an image only
while it is public, else a link), so nobody can make public again what the owner's deleted or
held post hid. An upload that none of its owner's posts has used within UNUSED_FOR is removed by
`sweep`. A moderator may take an image out of its posts: it is no longer
served, its file is deleted, and the posts show a plain link in its place.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _

from forum.auth.models import User
from forum.core.db import is_row_id, on_commit, utcnow
from forum.core.errors import NotFound, PermissionDenied, ValidationFailed
from forum.core.markup import render_markdown
from forum.core.permissions import signed_in
from forum.extensions import db
from forum.questions.models import Answer, Question
from forum.uploads import images, storage
from forum.uploads.models import Upload, UploadUse

AREA = "images"
UNUSED_FOR = timedelta(hours=24)
BUDGET_PERIOD = timedelta(hours=24)
# `/uploads/<key>.<ext>`, as it appears in a post's Markdown (relative, or with this site's origin).
KEY_IN_URL = re.compile(r"/uploads/([A-Za-z0-9_-]{16,32})\.(?:png|jpg|webp)\b")
_THUMB = "-thumb"


def _refuse(message: str, code: str) -> ValidationFailed:
    error = ValidationFailed({"file": [message]})
    error.code = code
    return error


def max_bytes(config=None) -> int:
    config = config if config is not None else current_app.config
    return int(float(config.get("FORUM_UPLOAD_MAX_MB") or 5) * 1024 * 1024)


def _megabytes(limit: int) -> str:
    value = limit / 1024 / 1024
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def too_large_message() -> str:
    """The refusal of an image above FORUM_UPLOAD_MAX_MB, naming the limit: the service's, and the
    upload endpoints' when the request body is refused before it is read (forum.web.decorators)."""
    return _("The image is too large: at most %(mb)s MB.", mb=_megabytes(max_bytes()))


def _check_budget(actor: User, now: datetime) -> None:
    if actor.role.is_moderator:
        return
    config = current_app.config
    needed = int(config.get("FORUM_UPLOAD_MIN_REPUTATION", 10))
    if actor.reputation < needed:
        raise _refuse(_("You can add images once you have %(count)s reputation. Describe what you see in "
                        "words for now.", count=needed), "upload_budget")
    limit = int(config.get("FORUM_UPLOAD_DAILY_LIMIT", 20))
    used = db.session.scalar(sa.select(sa.func.count()).select_from(Upload).where(
        Upload.owner_id == actor.id, Upload.created_at > now - BUDGET_PERIOD))
    if used >= limit:
        raise _refuse(_("You have added %(count)s images in the last 24 hours, the most allowed. "
                        "Try again tomorrow.", count=limit), "upload_budget")


def upload_image(actor, data: bytes) -> Upload:
    """Keep an image for a post: the member's daily budget (none below FORUM_UPLOAD_MIN_REPUTATION,
    FORUM_UPLOAD_DAILY_LIMIT a day; moderators and staff unlimited), at most FORUM_UPLOAD_MAX_MB,
    then re-encoded (forum.uploads.images) with a thumbnail.

    Raises PermissionDenied (not signed in), ValidationFailed with field `file` (codes
    upload_budget, empty_file, too_large, not_an_image, polyglot, too_many_pixels)."""
    if not signed_in(actor) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    now = utcnow()
    _check_budget(actor, now)
    if not data:
        raise _refuse(_("The file is empty."), "empty_file")
    if len(data) > max_bytes():
        raise _refuse(too_large_message(), "too_large")
    encoded = images.reencode(data)
    key = storage.new_key()
    upload = Upload(key=key, owner_id=actor.id, content_type=encoded.content_type, extension=encoded.extension,
                    size=len(encoded.data), width=encoded.width, height=encoded.height, created_at=now)
    db.session.add(upload)
    db.session.flush()
    # Before the commit: a rolled-back request leaves files without a row, which the sweep removes.
    storage.write(AREA, key, encoded.data)
    storage.write(AREA, key + _THUMB, encoded.thumbnail)
    return upload


def read_file_field(files) -> bytes:
    """The bytes of the multipart field `file` (a request's `files`), or ValidationFailed."""
    sent = files.get("file")
    if sent is None:
        raise ValidationFailed({"file": [_("Choose a file to upload (the form field is called file).")]})
    return sent.read()


def describe(upload: Upload) -> dict:
    """What the API and the editor answer for an upload; `url` is the path to use in Markdown."""
    return {"id": upload.id, "url": upload.path, "content_type": upload.content_type, "size": upload.size,
            "width": upload.width, "height": upload.height,
            "thumbnail_url": f"/uploads/thumbs/{upload.key}.{upload.extension}",
            "markdown": f"![]({upload.path})"}


def _parse_name(name: str) -> tuple[str, str] | None:
    key, dot, extension = (name or "").rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9_-]{16,32}", key) or extension not in images.EXTENSIONS.values():
        return None
    return key, extension


def _public(upload: Upload) -> bool:
    """Not removed, and either in no post yet or in at least one public post of its owner's (a use
    by anyone else's post, recorded before only the owner's counted, makes nothing public)."""
    if upload.removed_at is not None:
        return False
    uses = db.session.execute(sa.select(UploadUse.question_id, UploadUse.answer_id)
                              .where(UploadUse.upload_id == upload.id)).all()
    if not uses:
        return True
    question_ids = [q for q, _a in uses if q]
    answer_ids = [a for _q, a in uses if a]
    if question_ids and db.session.scalar(sa.select(sa.func.count()).select_from(Question).where(
            Question.id.in_(question_ids), Question.author_id == upload.owner_id, Question.public())):
        return True
    return bool(answer_ids and db.session.scalar(sa.select(sa.func.count()).select_from(Answer).join(
        Question, Question.id == Answer.question_id).where(
        Answer.id.in_(answer_ids), Answer.author_id == upload.owner_id, Answer.public(), Question.public())))


def public_image(name: str, *, thumbnail: bool = False) -> tuple[Upload, bytes]:
    """The upload called `name` (`<key>.<ext>`) and its bytes (or its thumbnail's), for anyone, while
    it is public (see the module's docstring). Raises NotFound otherwise."""
    parsed = _parse_name(name)
    upload = db.session.scalar(sa.select(Upload).where(Upload.key == parsed[0])) if parsed else None
    if upload is None or upload.extension != parsed[1] or not _public(upload):
        raise NotFound(_("No such image."))
    data = storage.read(AREA, upload.key + (_THUMB if thumbnail else ""))
    if data is None:
        raise NotFound(_("No such image."))
    return upload, data


def image_size(src: str, author_id: int | None = None) -> tuple[int, int, str] | None:
    """For the Markdown renderer: (width, height, path) when `src` is one of the forum's own uploads
    that may be shown in a text by `author_id`: their own upload, or anyone's that is public now;
    else None (the image then renders as a link)."""
    if not has_app_context():
        return None
    found = KEY_IN_URL.fullmatch(src or "") or _own_absolute(src)
    if not found:
        return None
    upload = db.session.scalar(sa.select(Upload).where(Upload.key == found.group(1)))
    if upload is None or upload.removed_at is not None or not (src or "").endswith("." + upload.extension):
        return None
    if upload.owner_id != author_id and not _public(upload):
        return None
    return upload.width, upload.height, upload.path


def _own_absolute(src: str):
    base = (current_app.config.get("FORUM_BASE_URL") or "").rstrip("/")
    if base and (src or "").startswith(base + "/uploads/"):
        return KEY_IN_URL.fullmatch(src[len(base):])
    return None


def keys_in(markdown: str) -> set[str]:
    return {m.group(1) for m in KEY_IN_URL.finditer(markdown or "")}


def sync_post(post) -> None:
    """Record which of its author's uploads `post` (a Question or an Answer) shows, after it was
    saved: its Markdown is the truth. Another member's upload in it is no use of that upload (see
    the module's docstring). Called by the signal subscribers below."""
    column = UploadUse.question_id if isinstance(post, Question) else UploadUse.answer_id
    keys = keys_in(post.body)
    wanted = set(db.session.scalars(sa.select(Upload.id).where(
        Upload.key.in_(keys), Upload.owner_id == post.author_id))) if keys else set()
    have = set(db.session.scalars(sa.select(UploadUse.upload_id).where(column == post.id)))
    if have - wanted:
        db.session.execute(sa.delete(UploadUse).where(column == post.id, UploadUse.upload_id.in_(have - wanted)))
    for upload_id in wanted - have:
        db.session.add(UploadUse(upload_id=upload_id, **{column.key: post.id}))
    db.session.flush()


def on_post_saved(post, **_kwargs) -> None:
    if isinstance(post, (Question, Answer)):
        sync_post(post)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Remove uploads older than UNUSED_FOR that no post shows (their rows and files), and files left
    by requests that were rolled back (no row). Returns {"removed", "orphan_files"}."""
    now = now or utcnow()
    used = sa.select(UploadUse.upload_id)
    stale = list(db.session.scalars(sa.select(Upload).where(
        Upload.created_at < now - UNUSED_FOR, Upload.id.not_in(used))))
    for upload in stale:
        db.session.delete(upload)
    db.session.flush()
    for upload in stale:
        storage.remove(AREA, upload.key)
        storage.remove(AREA, upload.key + _THUMB)
    return {"removed": len(stale), "orphan_files": _remove_orphan_files(now)}


# Other areas of the upload folder and how to tell whether a file there is still wanted:
# {area: known(key) -> bool}. Tickets register their attachments (forum.tickets init_app).
AREAS: dict = {}


def register_area(area: str, known) -> None:
    """Let the sweep remove stray files of `area` too: `known(key)` says whether a row wants it."""
    AREAS[area] = known


def _remove_orphan_files(now: datetime) -> int:
    removed = 0
    cutoff = (now - UNUSED_FOR).timestamp()

    def image_known(key: str) -> bool:
        return bool(db.session.scalar(sa.select(sa.func.count()).select_from(Upload).where(Upload.key == key)))

    for area, known in ((AREA, image_known), *AREAS.items()):
        root = storage.area_root(area)
        if not root.is_dir():
            continue
        for path in root.glob("*/*"):
            if path.stat().st_mtime > cutoff:
                continue
            if not known(path.name.removesuffix(".part").removesuffix(_THUMB)):
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def uploads_in(post) -> list[Upload]:
    """The uploads a Question or an Answer shows (for the moderators' remove control). A body that
    names no upload has none (its uses come from such addresses): no query for it."""
    if "/uploads/" not in (post.body or ""):
        return []
    column = UploadUse.question_id if isinstance(post, Question) else UploadUse.answer_id
    return list(db.session.scalars(sa.select(Upload).join(UploadUse, UploadUse.upload_id == Upload.id)
                                   .where(column == post.id, Upload.removed_at.is_(None)).order_by(Upload.id)))


def remove_image(actor, upload_id) -> Upload:
    """A moderator takes an image out of the forum (a card number the privacy guard could not read
    in the pixels): it is no longer served, its files are deleted, and every post that showed it is
    rendered again, with a plain link where the image was. Raises PermissionDenied, NotFound."""
    if not signed_in(actor) or not actor.role.is_moderator:
        raise PermissionDenied(_("Only moderators can remove images."), code="moderators_only")
    upload = db.session.get(Upload, upload_id) if is_row_id(upload_id) else None
    if upload is None or upload.removed_at is not None:
        raise NotFound(_("No such image."))
    upload.removed_at = utcnow()
    upload.removed_by_id = actor.id
    db.session.flush()
    uses = db.session.execute(sa.select(UploadUse.question_id, UploadUse.answer_id)
                              .where(UploadUse.upload_id == upload.id)).all()
    for question_id, answer_id in uses:
        post = db.session.get(Question, question_id) if question_id else db.session.get(Answer, answer_id)
        if post is not None:
            post.body_html = render_markdown(post.body, post.author_id)
    db.session.flush()
    key = upload.key
    on_commit(lambda: (storage.remove(AREA, key), storage.remove(AREA, key + _THUMB)))
    return upload
