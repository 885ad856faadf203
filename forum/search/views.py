"""/search: the results page. The query text is the single source of truth; the controls beside
the results are links that add or remove a filter in it. And /staff/search/vocabulary: the
synonyms and domain words staff add (forum.search.vocabulary)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.core.errors import Conflict, NotFound, ValidationFailed
from forum.core.pagination import clamp_page
from forum.questions.forms import ActionForm
from forum.questions.models import Category
from forum.search import services, vocabulary
from forum.search.models import VocabularyKind
from forum.search.query import MAX_QUERY_LENGTH
from forum.web.decorators import staff_required

bp = Blueprint("search", __name__)
FILTER_FLAGS = ("verified", "accepted", "unanswered", "open")


def _tokens(q: str) -> list[str]:
    return q.split()


@bp.route("/search")
def search():
    flags = [f for f in request.args.getlist("is") if f in FILTER_FLAGS]
    q = services.compose(request.args.get("q", "", type=str), tag=request.args.get("tag", type=str),
                         category=request.args.get("category", type=str), flags=flags)
    page, _per_page = clamp_page(request.args.get("page", 1), 20)
    results = services.search(q, page=page, sort=request.args.get("sort", "relevance", type=str))
    # The page repeats the query in its form and in a dozen links: only the part that was searched
    # (a 10,000-character query made a page of megabytes).
    q = q[:MAX_QUERY_LENGTH]

    def search_url(text: str, **extra) -> str:
        args = {"q": text.strip() or None, "sort": results.sort if results.sort != "relevance" else None}
        args.update(extra)
        return url_for("search.search", **{k: v for k, v in args.items() if v is not None})

    def toggle(token: str) -> str:
        tokens = _tokens(q)
        return search_url(" ".join(t for t in tokens if t != token) if token in tokens else f"{q} {token}")

    def with_category(value: str | None) -> str:
        tokens = [t for t in _tokens(q) if not t.lower().startswith("category:")]
        return search_url(" ".join(tokens + ([f"category:{value}"] if value else [])))

    return render_template("search/results.html", results=results, q=q, categories=list(Category),
                           flags=FILTER_FLAGS, toggle=toggle, with_category=with_category,
                           search_url=search_url)


@bp.route("/staff/search/vocabulary", methods=["GET", "POST"])
@staff_required
def vocabulary_page():
    """The staff's synonyms and domain words: the list, a form to add, a box to try a query."""
    me = current_user._get_current_object()
    errors: dict = {}
    status = 200
    form = request.form if request.method == "POST" else {}
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            entry = vocabulary.add_entry(me, kind=request.form.get("kind"), words=request.form.get("words", ""),
                                         note=request.form.get("note"))
        except (ValidationFailed, Conflict) as error:
            errors = error.fields or {"words": [error.message]}
            status = 422
        else:
            flash(_("Added: %(words)s. Searches use it from now on.", words=", ".join(entry.word_list)), "success")
            return redirect(url_for(".vocabulary_page"))
    trial = (request.args.get("try") or "")[:MAX_QUERY_LENGTH]
    explanation = vocabulary.explain(me, trial) if trial.strip() else None
    return render_template("search/vocabulary.html", vocabulary=vocabulary.vocabulary(me), errors=errors, form=form,
                           kinds=list(VocabularyKind), trial=trial, explanation=explanation,
                           max_words=vocabulary.MAX_WORDS, max_length=vocabulary.MAX_WORD_LENGTH,
                           note_max=vocabulary.NOTE_MAX), status


@bp.route("/staff/search/vocabulary/<int:entry_id>/delete", methods=["POST"])
@staff_required
def delete_vocabulary(entry_id: int):
    if ActionForm().validate_on_submit():
        try:
            entry = vocabulary.delete_entry(current_user._get_current_object(), entry_id)
        except NotFound:
            flash(_("This entry was removed already."), "info")
        else:
            flash(_("Removed: %(words)s.", words=", ".join(entry.word_list)), "success")
    return redirect(url_for(".vocabulary_page"))
