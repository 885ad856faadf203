"""Images for posts: POST /api/v1/uploads (the editor uses the same service through /uploads)."""
from __future__ import annotations

from flask import request

from forum.api.common import require_user, route
from forum.api.openapi import MULTIPART_FILE
from forum.api.schemas import Out
from forum.extensions import limiter
from forum.uploads import services
from forum.web import ratelimits
from forum.web.decorators import body_limit


class UploadOut(Out):
    id: int
    url: str
    content_type: str
    size: int
    width: int
    height: int
    thumbnail_url: str
    markdown: str


@route("/uploads", "POST", summary="Upload an image for a post (multipart `file`): re-encoded without EXIF, at "
       "most 2048 px on its long side; `url` goes into the Markdown as ![description](url)", auth="required",
       body=MULTIPART_FILE, response=UploadOut, status=201, errors=(400, 401, 413, 422))
@limiter.shared_limit(ratelimits.uploads, scope="uploads", key_func=ratelimits.actor_key, override_defaults=False)
@body_limit(services.max_bytes, too_large=services.too_large_message)
def upload():
    actor = require_user()
    data = services.read_file_field(request.files)
    return services.describe(services.upload_image(actor, data)), 201
