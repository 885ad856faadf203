"""The pages that show several features at once: a question's thread (with the forms that answer
and comment on it, which show the thread again with their errors), the escalation form, and a
member's profile. Each view calls one feature's service and reads the others' queries."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.auth import services as auth_services
from forum.core.db import utcnow
from forum.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from forum.core.pagination import clamp_page
from forum.core.permissions import Privilege, can
from forum.extensions import limiter
from forum.pages import queries
from forum.pages.charts import reputation_chart
from forum.questions import queries as question_queries
from forum.questions import services as question_services
from forum.questions import rules as post_rules
from forum.questions.forms import AnswerForm, CommentForm, length_hint
from forum.reputation import services as reputation_services
from forum.reputation.badges import badges_of
from forum.tickets import services as ticket_services
from forum.tickets import sla
from forum.tickets.forms import EscalateForm
from forum.web import ratelimits
from forum.web.forms import attach_errors
from forum.web.fragments import deferred
from forum.web.posting import private_choice, save_post, say_if_held, say_if_private

bp = Blueprint("pages", __name__)


def _actor():
    return current_user._get_current_object()


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


# --- the thread ---------------------------------------------------------------------------------

@bp.route("/questions/<int:question_id>")
@bp.route("/questions/<int:question_id>/<slug>")
def show_question(question_id: int, slug: str | None = None):
    viewer = _viewer()
    if queries.may_share_thread(viewer):
        # A member's page most often takes the thread from the shared part, which shows the author
        # itself; whether it may is read with the question (one round trip).
        question, stake = question_services.get_question_with(
            question_id, queries.stake_columns(), {"viewer_id": viewer.id}, viewer=viewer, author=False)
        return _render_thread(question, stake=stake)
    # A visitor's page (rendered once, then cached) shows the author from the question.
    return _render_thread(question_services.get_question(question_id, viewer=viewer, author=viewer is None))


def _render_thread(question, *, status: int = 200, answer_form: AnswerForm | None = None,
                   comment_error: dict | None = None, private_findings: list | None = None,
                   stake: tuple | None = None):
    """The thread page; after a failed answer or comment it shows the errors and keeps the text."""
    actor = _viewer()
    duplicate_of = None
    if question.duplicate_of_id:
        try:
            duplicate_of = question_services.get_question(question.duplicate_of_id, viewer=actor)
        except NotFound:
            duplicate_of = None
    # A member with nothing of their own in the thread sees what every such member sees: the page's
    # thread part then comes from the shared fragments, and the thread is read only to render it.
    # Not after a failed answer or comment (the page shows the errors and keeps the text).
    shared_key = queries.shared_thread_key(question, actor, stake) \
        if stake is not None and answer_form is None and not comment_error and not private_findings else None
    # Forms only for members: building one puts a CSRF token in the visitor's session, and a
    # visitor's page, cached for everyone (forum.web.page_cache), must hold none.
    return render_template(
        "questions/show.html", duplicate_of=duplicate_of, question=question,
        # deferred: a thread part found in the shared fragments builds no form. Empty unless given:
        # after a failed comment the request's form data is the comment's, not an answer.
        answer_form=answer_form or (deferred(lambda: AnswerForm(formdata=None)) if actor else None),
        comment_error=comment_error or {},
        comment_hint=length_hint(post_rules.COMMENT_MIN),
        can_edit=lambda post: can(actor, Privilege.EDIT_OTHERS, post) and (not question.is_locked or can(
            actor, Privilege.MODERATE)), private_findings=private_findings or [],
        shared_key=shared_key, data=deferred(lambda: queries.thread(question, actor)),
    ), status


@bp.route("/questions/<int:question_id>/answers", methods=["POST"])
@limiter.shared_limit(ratelimits.posts, scope="posts", key_func=ratelimits.actor_key, methods=["POST"])
@login_required
def post_answer(question_id: int):
    question = question_services.get_question(question_id, viewer=_actor())
    form = AnswerForm()
    findings: list = []
    if form.validate_on_submit():
        created, findings = save_post(form, lambda: question_services.post_answer(
            _actor(), question_id, **form.data, private_data=private_choice()))
        if created is not None:
            if not say_if_held(created, _("answer")):
                flash(_("Thank you for your answer."), "success")
            say_if_private(created, "answer")
            return redirect(url_for("pages.show_question", question_id=question_id, _anchor=f"answer-{created.id}"))
    return _render_thread(question, status=422, answer_form=form, private_findings=findings)


def _comment(question, anchor: str, **target):
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment = question_services.post_comment(_actor(), **target, **form.data,
                                                     private_data=private_choice())
        except (ValidationFailed, RateLimited) as error:
            messages = [m for ms in error.fields.values() for m in ms] or [error.message]
            return _render_thread(question, status=422, comment_error={
                "anchor": anchor, "body": form.body.data or "", "errors": messages,
                "findings": getattr(error, "findings", [])})
        if not say_if_held(comment, _("comment")):
            flash(_("Your comment is posted."), "success")
        say_if_private(comment, "comment")
        return redirect(url_for("pages.show_question", question_id=question.id, _anchor=f"comment-{comment.id}"))
    return redirect(url_for("pages.show_question", question_id=question.id, _anchor=anchor))


@bp.route("/questions/<int:question_id>/comments", methods=["POST"])
@limiter.shared_limit(ratelimits.posts, scope="posts", key_func=ratelimits.actor_key, methods=["POST"])
@login_required
def comment_question(question_id: int):
    question = question_services.get_question(question_id, viewer=_actor())
    return _comment(question, "question-comments", question_id=question_id)


@bp.route("/answers/<int:answer_id>/comments", methods=["POST"])
@limiter.shared_limit(ratelimits.posts, scope="posts", key_func=ratelimits.actor_key, methods=["POST"])
@login_required
def comment_answer(answer_id: int):
    answer = question_services.get_answer(answer_id, viewer=_actor())
    question = question_services.get_question(answer.question_id, viewer=_actor())
    return _comment(question, f"answer-{answer_id}-comments", answer_id=answer_id)


# --- the escalation form ------------------------------------------------------------------------

@bp.route("/questions/<int:question_id>/escalate", methods=["GET", "POST"])
@limiter.shared_limit(ratelimits.escalations, scope="escalations", key_func=ratelimits.actor_key, methods=["POST"])
@login_required
def escalate_question(question_id: int):
    """The form to take a question to official support, beside solved threads like it: the asker's,
    or a "me too" from another member with the same problem (a ticket of their own)."""
    question = question_services.get_question(question_id, viewer=_actor())
    existing = ticket_services.open_ticket_for(question.id, current_user.id)
    form = EscalateForm()
    if not form.is_submitted():
        form.category.data = question.category.value
        link = url_for("pages.show_question", question_id=question.id, _external=True)
        if question.author_id == current_user.id:
            form.description.data = f"{question.title}\n\n{question.body}\n\n{link}"
        else:  # their own problem, like this thread's: they describe it; the thread is linked for staff
            form.description.data = _("I have the same problem as this thread: %(link)s", link=link) + "\n\n"
    status_code = 200
    if form.validate_on_submit():
        try:
            ticket = ticket_services.escalate_question(_actor(), question.id, **form.data)
        except ValidationFailed as error:
            attach_errors(form, error)
            status_code = 422
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for("tickets.show", ticket_id=int(error.fields["ticket_id"][0])))
        else:
            flash(_("Your ticket %(number)s is with official support.", number=ticket.number), "success")
            return redirect(url_for("tickets.show", ticket_id=ticket.id))
    return render_template("tickets/escalate.html", form=form, question=question, existing=existing,
                           me_too=question.author_id != current_user.id,
                           similar=queries.solved_like(question),
                           support=sla.open_status(ticket_services.calendar(), utcnow()),
                           expected=ticket_services.expected_first_reply()), status_code


# --- the profile --------------------------------------------------------------------------------

@bp.route("/users/<username>")
def show_user(username: str):
    """A member's profile: questions or answers (one page of the chosen tab), reputation over time
    and badges."""
    user = auth_services.get_user_by_name(username)
    if user.username != username:
        return redirect(url_for("pages.show_user", username=user.username), 301)
    tab = "answers" if request.args.get("tab") == "answers" else "questions"
    page, per_page = clamp_page(request.args.get("page", 1), 20)
    questions = question_queries.list_questions(author_id=user.id, page=page if tab == "questions" else 1,
                                                per_page=per_page)
    answers = question_queries.answers_by(user, page=page if tab == "answers" else 1, per_page=per_page)
    chart = reputation_chart(reputation_services.history(user, tz=current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return render_template("users/show.html", user=user, tab=tab, questions=questions, answers=answers,
                           chart=chart, badges=badges_of(user.id),
                           question_interval_minutes=current_app.config["FORUM_QUESTION_INTERVAL_MINUTES"])
