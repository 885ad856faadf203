"""/uploads: images served to anyone while public, the editor's upload call, moderators' removal."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.extensions import limiter
from forum.questions.forms import ActionForm
from forum.uploads import services
from forum.web import ratelimits
from forum.web.decorators import body_limit
from forum.web.page_cache import never_cache

bp = Blueprint("uploads", __name__)

# Keys are unguessable and a file under one never changes; but a moderator may take an image down,
# so shared caches (a CDN, nginx) keep none of it: `private`, for a year, in the browser only.
CACHE_CONTROL = "private, max-age=31536000, immutable"


def _image_response(upload, data):
    response = make_response(data)
    response.headers["Content-Type"] = upload.content_type
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Content-Disposition"] = "inline"
    # Opened on its own, the image is a document of its own: nothing in it may run.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.route("/uploads/<name>")
@never_cache
def image(name: str):
    return _image_response(*services.public_image(name))


@bp.route("/uploads/thumbs/<name>")
@never_cache
def thumbnail(name: str):
    return _image_response(*services.public_image(name, thumbnail=True))


@bp.route("/uploads", methods=["POST"])
@limiter.shared_limit(ratelimits.uploads, scope="uploads", key_func=ratelimits.actor_key)
@body_limit(services.max_bytes, too_large=services.too_large_message)
@login_required
def upload():
    """The editor's upload (paste, drop, or the button): multipart `file`, CSRF token in X-CSRFToken;
    answers JSON like POST /api/v1/uploads."""
    data = services.read_file_field(request.files)
    return jsonify(services.describe(services.upload_image(current_user._get_current_object(), data))), 201


@bp.route("/uploads/<int:upload_id>/remove", methods=["POST"])
@login_required
def remove(upload_id: int):
    """A moderator takes an image out of the posts that show it."""
    form = ActionForm()
    if form.validate_on_submit():
        services.remove_image(current_user._get_current_object(), upload_id)
        flash(_("The image was removed: it is no longer shown anywhere."), "info")
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        target = url_for("questions.index")
    return redirect(target)
