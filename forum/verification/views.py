"""Verifying from the thread page, the verification history of an answer, the staff queue and
audit log, and the knowledge base."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.core.errors import ValidationFailed
from forum.core.pagination import clamp_page
from forum.questions import queries as question_queries
from forum.questions import services as question_services
from forum.questions.diff import inline_diff
from forum.questions.models import Category
from forum.verification import queries, services
from forum.verification.forms import RemoveForm, VerifyForm
from forum.web.decorators import staff_required

bp = Blueprint("verification", __name__)


def _back(answer) -> str:
    return url_for("pages.show_question", question_id=answer.question_id, _anchor=f"answer-{answer.id}")


@bp.route("/answers/<int:answer_id>/verify", methods=["POST"])
@staff_required
def verify(answer_id: int):
    answer = question_services.get_answer(answer_id)
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            services.verify_answer(current_user._get_current_object(), answer_id, **form.data)
        except ValidationFailed as error:
            flash(" ".join(m for ms in error.fields.values() for m in ms), "error")
        else:
            flash(_("The answer is verified."), "success")
    return redirect(_back(answer))


@bp.route("/answers/<int:answer_id>/unverify", methods=["POST"])
@staff_required
def unverify(answer_id: int):
    answer = question_services.get_answer(answer_id)
    form = RemoveForm()
    if form.validate_on_submit():
        if not (form.reason.data or "").strip():
            flash(_("Give a reason for removing the verification."), "error")
            return redirect(_back(answer))
        try:
            services.remove_verification(current_user._get_current_object(), answer_id, **form.data)
        except ValidationFailed as error:
            flash(" ".join(m for ms in error.fields.values() for m in ms), "error")
        else:
            flash(_("The verification was removed."), "info")
    return redirect(_back(answer))


@bp.route("/answers/<int:answer_id>/verification")
def history(answer_id: int):
    """Which revision staff verified, and what changed since (public)."""
    answer = question_services.get_answer(answer_id)
    question = question_services.get_question(answer.question_id)
    view = queries.verifications_for([answer]).get(answer.id)
    diff = None
    verified_revision = None
    if view is not None:
        verified_revision = queries.verified_revision(answer.id, view.revision_number)
        if view.stale and verified_revision is not None:
            diff = inline_diff(verified_revision.body, answer.body)
    return render_template("verification/history.html", answer=answer, question=question, view=view, diff=diff,
                           verified_revision=verified_revision)


@bp.route("/staff/verifications")
@staff_required
def queue():
    entries = []
    for answer, question, verification in queries.reverification_queue():
        old = queries.verified_revision(answer.id, verification.revision_number)
        entries.append({"answer": answer, "question": question, "verification": verification,
                        "diff": inline_diff(old.body if old else "", answer.body)})
    return render_template("verification/queue.html", entries=entries, verify_form=VerifyForm(),
                           remove_form=RemoveForm())


@bp.route("/staff/verifications/log")
@staff_required
def log():
    page, per_page = clamp_page(request.args.get("page", 1), 50)
    return render_template("verification/log.html", page=queries.audit_log(page=page, per_page=per_page))


@bp.route("/kb")
def knowledge_base():
    category = None
    if request.args.get("category"):
        try:
            category = Category(request.args["category"])
        except ValueError:
            abort(404)
    text = (request.args.get("q") or "").strip()[:100] or None
    page, _per_page = clamp_page(request.args.get("page", 1), 20)
    kb = queries.knowledge_base(category=category, text=text, page=page)
    return render_template("verification/kb.html", kb=kb, category=category, text=text)
