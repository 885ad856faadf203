"""Full-text search."""
from __future__ import annotations

from flask import request, url_for

from forum.api import schemas
from forum.api.common import iso, json_object, page_args, require_user, route
from forum.api.serialize import incident_ref
from forum.incidents import queries as incident_queries
from forum.search import services, vocabulary
from forum.search.vocabulary import AddVocabulary


def _url(hit) -> str:
    url = url_for("pages.show_question", question_id=hit.question_id, _external=True)
    return f"{url}#answer-{hit.answer_id}" if hit.answer_id else url


@route("/search", "GET", summary="Search questions and answers, best first", response=schemas.SearchResultsOut,
       query={"q": "words and filters: tag:x category:x user:name is:verified is:accepted is:unanswered is:open, "
                   "\"phrase\", -word, prefix*", "sort": "relevance|newest|votes", "page": "page number",
              "per_page": "at most 50"})
def search():
    page, per_page = page_args()
    results = services.search(request.args.get("q", "", type=str), page=page, per_page=min(per_page, 50),
                              sort=request.args.get("sort", "relevance", type=str))
    items = [{"type": h.type, "question_id": h.question_id, "answer_id": h.answer_id, "title": h.title,
              "snippet": h.snippet, "snippet_html": str(h.snippet_html), "score": round(h.score, 4),
              "is_verified": h.is_verified, "is_accepted": h.is_accepted, "url": _url(h)} for h in results.hits]
    return {"items": items, "page": results.page, "per_page": results.per_page, "total": results.total,
                    "total_is_exact": results.total_is_exact, "relaxed": results.relaxed, "sort": results.sort, "notes": results.notes, "suggestion": results.suggestion}


@route("/search/similar", "GET", summary="Up to 5 questions like a draft title (ask page, escalation form), and the active incidents it names",
       response=schemas.SimilarOut, query={"title": "the draft title", "exclude": "a question id to leave out"})
def similar():
    exclude = request.args.get("exclude", type=int)
    hits = services.similar(request.args.get("title", "", type=str), exclude_question_id=exclude)
    return {"items": [{"question_id": h.question_id, "title": h.title, "is_verified": h.is_verified,
                               "is_accepted": h.is_accepted, "answer_count": h.answer_count, "url": _url(h)}
                              for h in hits],
            "incidents": [incident_ref(i) for i in incident_queries.incidents_for_title(request.args.get("title", "", type=str))]}


def _entry(entry) -> dict:
    return {"id": entry.id, "kind": entry.kind.value, "words": entry.word_list, "note": entry.note,
            "created_by": entry.created_by.username if entry.created_by else None, "created_at": iso(entry.created_at)}


@route("/search/vocabulary", "GET", summary="The search vocabulary: staff's synonym groups and domain words, and "
       "the built-in groups (staff, admins)", auth="required", response=schemas.SearchVocabularyListOut,
       errors=(401, 403))
def vocabulary_list():
    found = vocabulary.vocabulary(require_user())
    return {"groups": [_entry(e) for e in found.groups], "domain_words": [_entry(e) for e in found.domain_words],
            "builtin_groups": [list(g) for g in found.builtin_groups], "builtin_domain_words": found.builtin_domain_words}


@route("/search/vocabulary", "POST", summary="Add a synonym group or domain words, applied to searches at once, "
       "without a reindex (staff, admins)", auth="required", body=AddVocabulary,
       response=schemas.SearchVocabularyOut, status=201, errors=(400, 401, 403, 409, 422))
def vocabulary_add():
    entry = vocabulary.add_entry(require_user(), **json_object(AddVocabulary))  # validated by the service, once
    return _entry(entry), 201


@route("/search/vocabulary/<int:entry_id>", "DELETE", summary="Remove a synonym group or domain words (staff, "
       "admins)", auth="required", status=204, errors=(401, 403, 404))
def vocabulary_delete(entry_id: int):
    vocabulary.delete_entry(require_user(), entry_id)
    return "", 204
