"""View decorators shared by the pages."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


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
