"""Question pages: the list, asking, editing, accepting, deleting, revisions. The thread page, with its
answer and comment forms, is forum.pages' (it shows votes, verifications and escalations too)."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.core.pagination import clamp_page
from forum.core.permissions import Privilege, can
from forum.questions import queries, rules, services
from forum.questions.diff import inline_diff
from forum.questions.forms import AnswerForm, ActionForm, QuestionForm
from forum.questions.models import Category
from forum.extensions import limiter
from forum.web import ratelimits
from forum.web.fragments import deferred
from forum.web.posting import private_choice, save_post, say_if_held, say_if_private

bp = Blueprint("questions", __name__)


@bp.app_context_processor
def _categories():
    return {"categories": list(Category)}  # every page's navigation and forms list them


@bp.app_template_filter("category_title")
def _category_title(value) -> str:
    """A category's translated title from its stored value (a ticket's or a revision's category is
    kept as text); an unknown value is shown as it is."""
    try:
        return Category(getattr(value, "value", value)).title
    except ValueError:
        return str(value or "")


def _actor():
    return current_user._get_current_object()


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _listing(template: str, *, tag: str | None = None, **context):
    try:
        tab = queries.Tab(request.args.get("tab") or "newest")
    except ValueError:
        tab = queries.Tab.NEWEST
    category = None
    if request.args.get("category"):
        try:
            category = Category(request.args["category"])
        except ValueError:
            abort(404)
    page, per_page = clamp_page(request.args.get("page", 1), request.args.get("per_page", 20))
    verified = True if request.args.get("verified") == "1" else None
    # The list and the popular tags are the same for everyone: shared fragments (forum.web.fragments),
    # queried only when the template renders them.
    result = deferred(lambda: queries.list_questions(tab=tab, category=category, tag=tag, verified=verified,
                                                     page=page, per_page=per_page, pinned_first=True))
    return render_template(template, page=result, tab=tab, tabs=list(queries.Tab), category=category, tag=tag,
                           verified=verified, popular_tags=deferred(queries.popular_tags), **context)


@bp.route("/")
def index():
    return _listing("questions/index.html")


@bp.route("/tags/<tag>")
def tag(tag: str):
    name = rules.normalise_tag(tag)
    tag_obj = queries.get_tag(name)
    if tag_obj is None:
        abort(404)
    return _listing("questions/index.html", tag=name, tag_obj=tag_obj)


@bp.route("/ask", methods=["GET", "POST"])
@limiter.shared_limit(ratelimits.posts, scope="posts", key_func=ratelimits.actor_key, methods=["POST"])
@login_required
def ask():
    form = QuestionForm()
    if not form.is_submitted() and request.args.get("category"):
        form.category.data = request.args["category"]
    if not form.is_submitted() and request.args.get("title"):
        # The staff dashboard links a search that found nothing here, to answer it for everyone.
        form.title.data = request.args["title"][:200]
    findings: list = []
    if form.validate_on_submit():
        question, findings = save_post(form, lambda: services.ask_question(
            _actor(), **form.data, private_data=private_choice()))
        if question is not None:
            if not say_if_held(question, _("question")):
                flash(_("Your question is posted. You will find answers here."), "success")
            say_if_private(question, "question")
            return redirect(url_for("pages.show_question", question_id=question.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("questions/ask.html", form=form, editing=None, private_findings=findings), status


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@limiter.shared_limit(ratelimits.edits, scope="edits", key_func=ratelimits.actor_key, methods=["POST"])
@login_required
def edit(question_id: int):
    question = services.get_question(question_id, viewer=_actor())
    if not can(_actor(), Privilege.EDIT_OTHERS, question):
        abort(403)
    form = QuestionForm()
    findings: list = []
    if not form.is_submitted():
        form.title.data, form.body.data = question.title, question.body
        form.tags.data, form.category.data = " ".join(question.tag_names), question.category.value
    if form.validate_on_submit():
        edited, findings = save_post(form, lambda: services.edit_question(
            _actor(), question_id, **form.data, private_data=private_choice()))
        if edited is not None:
            if not say_if_held(edited, _("question")):
                flash(_("Your edit is saved."), "success")
            say_if_private(edited, "question")
            return redirect(url_for("pages.show_question", question_id=question_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("questions/ask.html", form=form, editing=question, private_findings=findings), status


@bp.route("/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@limiter.shared_limit(ratelimits.edits, scope="edits", key_func=ratelimits.actor_key, methods=["POST"])
@login_required
def edit_answer(answer_id: int):
    answer = services.get_answer(answer_id, viewer=_actor())
    if not can(_actor(), Privilege.EDIT_OTHERS, answer):
        abort(403)
    question = services.get_question(answer.question_id, viewer=_actor())
    form = AnswerForm()
    findings: list = []
    if not form.is_submitted():
        form.body.data = answer.body
    if form.validate_on_submit():
        edited, findings = save_post(form, lambda: services.edit_answer(
            _actor(), answer_id, **form.data, private_data=private_choice()))
        if edited is not None:
            if not say_if_held(edited, _("answer")):
                flash(_("Your edit is saved."), "success")
            say_if_private(edited, "answer")
            return redirect(url_for("pages.show_question", question_id=question.id, _anchor=f"answer-{answer_id}"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("questions/edit_answer.html", form=form, answer=answer, question=question,
                           private_findings=findings), status


@bp.route("/answers/<int:answer_id>/accept", methods=["POST"])
@login_required
def accept(answer_id: int):
    """Accept (or, with undo=1, withdraw the acceptance of) an answer; the asker only."""
    answer = services.get_answer(answer_id)
    if ActionForm().validate_on_submit():
        if request.form.get("undo"):
            services.unaccept_answer(_actor(), answer_id)
            flash(_("You withdrew the acceptance."), "info")
        else:
            services.accept_answer(_actor(), answer_id)
            flash(_("You accepted this answer. Thank you for telling the community what solved it."), "success")
    return redirect(url_for("pages.show_question", question_id=answer.question_id, _anchor=f"answer-{answer_id}"))


@bp.route("/questions/<int:question_id>/delete", methods=["POST"])
@login_required
def delete(question_id: int):
    if ActionForm().validate_on_submit():
        services.delete_question(_actor(), question_id)
        flash(_("The question was deleted."), "info")
    return redirect(url_for("questions.index"))


@bp.route("/answers/<int:answer_id>/delete", methods=["POST"])
@login_required
def delete_answer(answer_id: int):
    answer = services.get_answer(answer_id, viewer=_actor())
    if ActionForm().validate_on_submit():
        services.delete_answer(_actor(), answer_id)
        flash(_("The answer was deleted."), "info")
    return redirect(url_for("pages.show_question", question_id=answer.question_id))


REVISIONS_PER_PAGE = 10


@dataclass
class _Shown:
    """A revision as the history shows and diffs it: a redacted one as its placeholder."""

    title: str | None
    body: str
    tags: str | None
    category: str | None
    redacted: bool = False


def _shown(revision) -> _Shown | None:
    if revision is None:
        return None
    if revision.is_redacted:
        placeholder = _("[redacted by a moderator]")
        return _Shown(placeholder if revision.title is not None else None, placeholder,
                      placeholder if revision.tags is not None else None, revision.category, redacted=True)
    return _Shown(revision.title, revision.body, revision.tags, revision.category)


def _diff(old: str, new: str, previous: _Shown | None):
    """Against a redacted revision the placeholder is deleted whole and the new text inserted whole:
    a character-level diff would keep characters the placeholder happens to share with the text."""
    if previous is not None and previous.redacted and old:
        inserted, stats = inline_diff("", new)
        return Markup("<del>{}</del>").format(old) + inserted, stats
    return inline_diff(old, new)


def _revision_entries(page):
    """Each revision of the page (newest first) with its diff against the one it replaced. A
    redacted revision diffs as its placeholder, in both directions."""
    revisions = list(page.items)
    older = queries.revision_before(revisions[-1]) if revisions else None
    entries = []
    for index, revision in enumerate(revisions):
        previous = _shown(revisions[index + 1] if index + 1 < len(revisions) else older)
        current = _shown(revision)
        body_diff, stats = _diff(previous.body if previous else "", current.body, previous)
        title_diff = None
        if current.title is not None:
            title_diff = _diff(previous.title or "" if previous else "", current.title, previous)[0]
        entries.append({"revision": revision, "shown": current, "previous": previous, "body_diff": body_diff,
                        "stats": stats, "title_diff": title_diff,
                        "tags_changed": previous is not None and previous.tags != current.tags,
                        "category_changed": previous is not None and previous.category != current.category})
    return entries


def _revisions_page(**post):
    page_number, _per_page = clamp_page(request.args.get("page", 1), REVISIONS_PER_PAGE)
    return queries.revisions_of(**post, page=page_number, per_page=REVISIONS_PER_PAGE, newest_first=True)


def _may_redact() -> bool:
    viewer = _viewer()
    return viewer is not None and can(viewer, Privilege.MODERATE)


@bp.route("/questions/<int:question_id>/revisions")
def question_revisions(question_id: int):
    question = services.get_question(question_id, viewer=_viewer())
    page = _revisions_page(question_id=question_id)
    return render_template("questions/revisions.html", question=question, answer=None, page=page,
                           entries=_revision_entries(page), post=question, kind="question",
                           may_redact=_may_redact())


@bp.route("/answers/<int:answer_id>/revisions")
def answer_revisions(answer_id: int):
    answer = services.get_answer(answer_id, viewer=_viewer())
    question = services.get_question(answer.question_id, viewer=_viewer())
    page = _revisions_page(answer_id=answer_id)
    return render_template("questions/revisions.html", question=question, answer=answer, page=page,
                           entries=_revision_entries(page), post=answer, kind="answer",
                           may_redact=_may_redact())


@bp.route("/preview", methods=["POST"])
@limiter.shared_limit(ratelimits.previews, scope="previews", key_func=ratelimits.actor_key)
@login_required
def preview():
    """Render Markdown exactly as saving would, for the live preview (CSRF token in X-CSRFToken)."""
    return jsonify({"html": services.preview_body(request.form.get("body", ""), current_user.id)})


@bp.route("/comments/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete_comment(comment_id: int):
    comment = services.get_comment(comment_id, viewer=_actor())
    anchor = f"answer-{comment.answer_id}-comments" if comment.answer_id else "question-comments"
    question_id = comment.question_id or services.get_answer(comment.answer_id, viewer=_actor()).question_id
    if ActionForm().validate_on_submit():
        services.delete_comment(_actor(), comment_id)
        flash(_("The comment was deleted."), "info")
    return redirect(url_for("pages.show_question", question_id=question_id, _anchor=anchor))
