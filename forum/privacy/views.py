"""The member's data in settings: download a copy, delete the account (with a confirmation step)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from forum.core.errors import ValidationFailed
from forum.privacy import services
from forum.privacy.forms import DeleteAccountForm
from forum.web.boundary import writes_on_get
from forum.web.forms import attach_errors
from forum.web.page_cache import never_cache

bp = Blueprint("privacy", __name__)


def _me():
    return current_user._get_current_object()


@bp.route("/settings/data")
@login_required
def data():
    """Your data: download everything as JSON; delete the account."""
    return render_template("privacy/data.html", grace_days=services.grace_period().days,
                           retention_days=current_app.config["FORUM_TICKET_RETENTION_DAYS"],
                           hold_days=current_app.config["FORUM_USERNAME_HOLD_DAYS"])


@bp.route("/settings/data/export")
@login_required
@never_cache
@writes_on_get
def export():
    """Everything the member gave or holds, as a JSON file to keep."""
    document = services.export_for(_me())
    body = json.dumps(document, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="forum-export-{_me().id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/settings/data/delete", methods=["GET", "POST"])
@login_required
def delete():
    """The confirmation step: what deleting means, the password, and "I understand"."""
    form = DeleteAccountForm()
    status = 200
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm.")]
            status = 422
        else:
            try:
                due = services.request_erasure(_me(), form.password.data)
            except ValidationFailed as error:
                attach_errors(form, error)
                status = 422
            else:
                logout_user()
                flash(_("Your account will be erased on %(when)s. Until then, signing in cancels it.",
                        when=format_datetime(due, "yyyy-MM-dd HH:mm")), "info")
                return redirect(url_for("questions.index"))
    elif form.is_submitted():
        status = 422
    return render_template("privacy/delete.html", form=form, grace_days=services.grace_period().days), status
