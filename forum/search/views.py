"""/search: the results page. The query text is the single source of truth; the controls beside
the results are links that add or remove a filter in it."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from forum.core.pagination import clamp_page
from forum.questions.models import Category
from forum.search import services
from forum.search.query import MAX_QUERY_LENGTH

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
