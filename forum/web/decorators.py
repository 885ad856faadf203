"""View decorators shared by the pages."""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, has_request_context, request
from flask_login import current_user, login_required


def view_mark(name: str, default=None):
    """A mark put on the view that handles this request (body_limit's cap and message,
    forum.web.boundary.writes_on_get): its value, or `default` outside a request, for an address
    that matched no view, or for a view without it."""
    if not has_request_context() or not request.endpoint:
        return default
    return getattr(current_app.view_functions.get(request.endpoint), name, default)


def staff_required(view):
    """Signed in (else the sign-in page) and staff or administrator (else 403)."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.role.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    """Signed in (else the sign-in page) and an administrator (else 403)."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role.value != "admin":
            abort(403)
        return view(*args, **kwargs)

    return wrapper
def body_limit(limit_of_config, too_large=None):
    """Give a view its own request body cap, `limit_of_config(app.config)` bytes, instead of
    MAX_CONTENT_LENGTH (forum.web.setup enforces it before any byte is read): the upload endpoints,
    whose bodies are images and files. Multipart framing adds a little to the file: 64 KiB of room.

    `too_large()` words the refusal of a body above the cap (the 413, forum.web.errors), in the
    member's language and naming the limit, as the service words a file above it: the member sees
    one message whichever check stopped the file."""

    def mark(view):
        view.body_limit = lambda config: int(limit_of_config(config)) + 64 * 1024
        view.too_large_message = too_large
        return view

    return mark
