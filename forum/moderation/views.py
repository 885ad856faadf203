"""Moderation pages: flagging, the review queue (/review), closing, locking, undeleting,
suspensions, posting restrictions, watched words and the action log. Every action is a POST with a CSRF token."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.core.errors import Conflict, DomainError, ValidationFailed
from forum.core.pagination import clamp_page
from forum.extensions import limiter
from forum.moderation import services
from forum.policy.guards import WatchedAction
from forum.moderation.models import FlagKind, ReviewReason
from forum.questions.forms import ActionForm
from forum.questions.models import CloseReason
from forum.questions.services import thread_id_of
from forum.web import ratelimits
from forum.web.navigation import local_url

bp = Blueprint("moderation", __name__)


def _me():
    return current_user._get_current_object()


def _moderator_only():
    if not current_user.role.is_moderator:
        abort(403)


def _messages(error: DomainError) -> str:
    return " ".join(m for ms in error.fields.values() for m in ms) or error.message


def _back(default: str):
    # Only paths on this site: never an open redirect (local_url also sees through the tabs and
    # newlines that browsers drop from addresses).
    return redirect(local_url(request.form.get("next"), default))


def _thread_url(post) -> str:
    question_id = thread_id_of(post)
    return url_for("pages.show_question", question_id=question_id)


@bp.app_context_processor
def _context():
    def review_count() -> int:
        if not current_user.is_authenticated or not current_user.role.is_moderator:
            return 0
        return sum(services.review_counts(current_user).values())

    return {"flag_kinds": list(FlagKind), "close_reasons": list(CloseReason), "review_count": review_count}


@bp.route("/<any(question, answer, comment):kind>s/<int:post_id>/flag", methods=["POST"])
@limiter.shared_limit(ratelimits.flags, scope="flags", key_func=ratelimits.actor_key)
@login_required
def flag(kind: str, post_id: int):
    post = services.load_post(kind, post_id, viewer=_me())
    if ActionForm().validate_on_submit():
        try:
            services.flag_post(_me(), kind, post_id, flag_kind=request.form.get("kind"),
                               note=request.form.get("note"))
        except (ValidationFailed, Conflict) as error:
            flash(_messages(error), "error")
        else:
            flash(_("Thank you. Moderators will look at the post."), "success")
    return _back(_thread_url(post))


@bp.route("/review")
@login_required
def queue():
    _moderator_only()
    reason = request.args.get("reason") or None
    if reason not in (None, *[r.value for r in ReviewReason]):
        reason = None
    page, per_page = clamp_page(request.args.get("page", 1), 20)
    result = services.review_queue(_me(), reason=reason, page=page, per_page=per_page)
    return render_template("moderation/queue.html", page=result, reason=reason, reasons=list(ReviewReason),
                           detail_text=services.detail_text,
                           counts=services.review_counts(_me()))


@bp.route("/review/<int:item_id>", methods=["POST"])
@login_required
def resolve(item_id: int):
    _moderator_only()
    if ActionForm().validate_on_submit():
        try:
            services.resolve_review(_me(), item_id, action=request.form.get("action"),
                                    reason=request.form.get("reason"))
        except (ValidationFailed, Conflict) as error:
            flash(_messages(error), "error")
        else:
            flash(_("Done. The next item is below."), "success")
    return _back(url_for(".queue"))


@bp.route("/questions/<int:question_id>/<any(close, reopen, lock, unlock, pin, unpin):action>", methods=["POST"])
@login_required
def question_state(question_id: int, action: str):
    _moderator_only()
    if ActionForm().validate_on_submit():
        note = request.form.get("note")
        try:
            if action == "close":
                services.close_question(_me(), question_id, reason=request.form.get("reason"),
                                        duplicate_of=request.form.get("duplicate_of"), note=note)
            elif action == "reopen":
                services.reopen_question(_me(), question_id, note=note)
            elif action in ("pin", "unpin"):
                services.set_pinned(_me(), question_id, action == "pin", note=note)
            else:
                services.set_locked(_me(), question_id, action == "lock", note=note)
        except (ValidationFailed, Conflict) as error:
            flash(_messages(error), "error")
        else:
            flash({"close": _("The question is closed."), "reopen": _("The question is open again."),
                   "lock": _("The thread is locked."), "unlock": _("The thread is unlocked."),
                   "pin": _("The question is pinned to the top of the list."),
                   "unpin": _("The question is unpinned.")}[action], "success")
    return redirect(url_for("pages.show_question", question_id=question_id))


@bp.route("/<any(question, answer, comment):kind>s/<int:post_id>/undelete", methods=["POST"])
@login_required
def undelete(kind: str, post_id: int):
    _moderator_only()
    if ActionForm().validate_on_submit():
        try:
            post = services.undelete_post(_me(), kind, post_id, note=request.form.get("note"))
        except (ValidationFailed, Conflict) as error:
            flash(_messages(error), "error")
            return _back(url_for(".log"))
        flash(_("The post is back."), "success")
        return redirect(_thread_url(post))
    return _back(url_for(".log"))


@bp.route("/users/<username>/suspension", methods=["POST"])
@login_required
def suspension(username: str):
    _moderator_only()
    if ActionForm().validate_on_submit():
        try:
            if request.form.get("action") == "lift":
                services.lift_suspension(_me(), username, note=request.form.get("note"))
                flash(_("The suspension is lifted."), "success")
            else:
                services.suspend_member(_me(), username, reason=request.form.get("reason"),
                                        until=request.form.get("until"))
                flash(_("The member is suspended."), "success")
        except (ValidationFailed, Conflict) as error:
            flash(_messages(error), "error")
    return redirect(url_for("pages.show_user", username=username))


@bp.route("/users/<username>/posting-restriction", methods=["POST"])
@login_required
def posting_restriction(username: str):
    _moderator_only()
    if ActionForm().validate_on_submit():
        try:
            if request.form.get("action") == "lift":
                services.lift_posting_restriction(_me(), username, note=request.form.get("note"))
                flash(_("The posting restriction is lifted."), "success")
            else:
                services.restrict_posting(_me(), username, reason=request.form.get("reason"),
                                          until=request.form.get("until"))
                flash(_("The member's posting is restricted."), "success")
        except (ValidationFailed, Conflict) as error:
            flash(_messages(error), "error")
    return redirect(url_for("pages.show_user", username=username))


@bp.route("/review/watched-words", methods=["GET", "POST"])
@login_required
def watched():
    _moderator_only()
    errors: dict = {}
    status = 200
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            services.add_watched_word(_me(), pattern=request.form.get("pattern"),
                                      action=request.form.get("action"), is_regex=request.form.get("is_regex") == "1")
        except (ValidationFailed, Conflict) as error:
            errors = error.fields or {"pattern": [error.message]}
            status = 422
        else:
            flash(_("The word is watched from now on."), "success")
            return redirect(url_for(".watched"))
    return render_template("moderation/watched.html", words=services.watched_words(_me()), errors=errors,
                           actions=list(WatchedAction), form=request.form), status


@bp.route("/review/watched-words/<int:word_id>/delete", methods=["POST"])
@login_required
def unwatch(word_id: int):
    _moderator_only()
    if ActionForm().validate_on_submit():
        services.remove_watched_word(_me(), word_id)
        flash(_("The word is no longer watched."), "success")
    return redirect(url_for(".watched"))


@bp.route("/review/log")
@login_required
def log():
    _moderator_only()
    page, per_page = clamp_page(request.args.get("page", 1), 50)
    username = request.args.get("user") or None
    result = services.action_log(_me(), username=username, page=page, per_page=per_page)
    return render_template("moderation/log.html", page=result, username=username, log_reason=services.log_reason)


@bp.route("/<any(question, answer):kind>s/<int:post_id>/revisions/<int:number>/redact", methods=["POST"])
@login_required
def redact_revision(kind: str, post_id: int, number: int):
    """Replace an earlier revision's text (moderators, staff); back to the history."""
    _moderator_only()
    history = url_for(f"questions.{kind}_revisions", **{f"{kind}_id": post_id}, _anchor=f"revision-{number}")
    if ActionForm().validate_on_submit():
        try:
            services.redact_revision(_me(), kind, post_id, number, reason=request.form.get("reason"))
        except (ValidationFailed, Conflict) as error:
            flash(_messages(error), "error")
        else:
            flash(_("Revision %(number)d is redacted: its text is gone from the history, and the author is told.",
                    number=number), "success")
    return redirect(history)


@bp.route("/<any(question, answer, comment):kind>s/<int:post_id>/private-details/remove", methods=["POST"])
@login_required
def remove_private_details(kind: str, post_id: int):
    """The one-click fix after a privacy warning: cut the passages out of the post and its history."""
    post = services.load_post(kind, post_id, viewer=_me())
    anchor = {"question": "question", "answer": f"answer-{post_id}", "comment": f"comment-{post_id}"}[kind]
    if ActionForm().validate_on_submit():
        services.remove_private_details(_me(), kind, post_id)
        flash(_("Removed. Neither the page nor its edit history shows them any more."), "success")
    return redirect(url_for("pages.show_question", question_id=thread_id_of(post), _anchor=anchor))
