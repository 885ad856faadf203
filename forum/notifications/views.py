"""The inbox, following, e-mail settings, unsubscribe links and @mention completion."""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice

from forum.auth.models import User
from forum.core.errors import NotFound
from forum.core.page_cache import WROTE
from forum.core.pagination import clamp_page
from forum.core.permissions import signed_in
from forum.extensions import db
from forum.notifications import services
from forum.notifications.kinds import Kind
from forum.questions.forms import ActionForm
from forum.questions.rules import normalise_tag
from forum.web.navigation import local_url
from forum.web.page_cache import never_cache

bp = Blueprint("notifications", __name__)


_UNREAD = "forum_unread_count"  # g: (member id, their unread count when the request read them)


def remember_unread_count(user, count) -> None:
    """The count read with the signed-in member (forum.auth.services.read_with_session_user)."""
    if has_request_context():
        g.setdefault(_UNREAD, (user.id, int(count or 0)))


def unread_count(user) -> int:
    """The bell's count: the one read with the member at the start of the request, while the request
    has written nothing (a notification read or made, a post hidden: any write counts), else read
    now."""
    remembered = g.get(_UNREAD) if has_request_context() else None
    if remembered is not None and signed_in(user) and remembered[0] == user.id \
            and not db.session().info.get(WROTE):
        return remembered[1]
    return services.unread_count(user)


@bp.app_context_processor
def _bell():
    return {"unread_notifications": lambda: unread_count(current_user),
            "is_following": lambda **target: services.is_following(current_user, **target)}


class SettingsForm(FlaskForm):
    email_mode = SelectField(choices=lambda: [SelectChoice("instant", _("Right away")),
                                              SelectChoice("daily", _("A daily digest")),
                                              SelectChoice("off", _("Never"))])
    muted = SelectMultipleField(choices=lambda: [SelectChoice(k.value, k.title) for k in Kind],
                                validate_choice=False)


def _me() -> User:
    return current_user._get_current_object()


@bp.route("/notifications")
@login_required
def index():
    page, _per_page = clamp_page(request.args.get("page", 1), 20)
    unread_only = request.args.get("unread") == "1"
    return render_template("notifications/index.html", page=services.inbox(_me(), unread_only=unread_only, page=page),
                           unread_only=unread_only, form=ActionForm())


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read():
    if ActionForm().validate_on_submit():
        if request.form.get("all"):
            services.mark_read(_me(), all=True)
        else:
            ids = [int(i) for i in request.form.getlist("id") if re.fullmatch(r"[0-9]{1,9}", i)]
            try:
                services.mark_read(_me(), ids=ids)
            except NotFound:
                abort(404)
    return redirect(local_url(request.form.get("next"), url_for(".index")))


@bp.route("/follow", methods=["POST"])
@login_required
def follow():
    """Follow or unfollow a question (question_id), a tag (tag) or a category (category)."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("questions.index"))
    following = request.form.get("action") != "unfollow"
    question_id = request.form.get("question_id", "")
    target = {}
    if re.fullmatch(r"[0-9]{1,9}", question_id):
        target = {"question_id": int(question_id)}
    elif request.form.get("tag"):
        target = {"tag": normalise_tag(request.form["tag"])}
    elif request.form.get("category"):
        target = {"category": request.form["category"]}
    services.set_following(_me(), following, **target)
    flash(_("You follow it now: you will hear of new activity.") if following else _("You no longer follow it."),
          "success")
    return redirect(local_url(request.form.get("next"), url_for("questions.index")))


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm()
    current = services.settings_for(_me().id)
    if not form.is_submitted():
        form.email_mode.data = current.email_mode
        form.muted.data = [k for k in current.muted_kinds.split(",") if k]
    if form.validate_on_submit():
        services.update_settings(_me(), email_mode=form.email_mode.data, muted_kinds=form.muted.data or [])
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for(".settings"))
    return render_template("notifications/settings.html", form=form, kinds=list(Kind))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@never_cache  # its address holds a member's secret
def unsubscribe(token: str):
    """One click (RFC 8058 POST from mail clients, or the button on this page) turns e-mail off."""
    if request.method == "POST":
        user = services.unsubscribe(token)
        return render_template("notifications/unsubscribed.html", user=user)
    return render_template("notifications/unsubscribe.html", token=token)


@bp.route("/users/complete")
@login_required
def complete_usernames():
    """Usernames starting with ?q= (for @mention completion), at most 8."""
    prefix = (request.args.get("q") or "").strip().lstrip("@")[:24]
    if not prefix or "\x00" in prefix:
        return jsonify([])
    from forum.auth.services import username_key

    escaped = username_key(prefix).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    names = db.session.scalars(sa.select(User.username).where(User.username_key.like(escaped + "%", escape="\\"),
                                                              User.active.is_(True))
                               .order_by(User.reputation.desc()).limit(8))
    return jsonify(list(names))
