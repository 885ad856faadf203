"""Incidents: open, update, resolve (staff); read (anyone); link threads (staff); "I'm affected too"."""
from __future__ import annotations

from typing import Literal

from flask import request, url_for
from flask_babel import gettext as _
from pydantic import Field

from forum.api.common import api_user, iso, json_object, listing, page_args, require_user, route
from forum.api.schemas import AuthorOut, Out
from forum.api.serialize import author
from forum.core.errors import ValidationFailed
from forum.incidents import queries, services
from forum.incidents.schemas import CreateIncident, LinkQuestion, PublishIncident, UpdateIncident

Status = Literal["investigating", "identified", "monitoring", "resolved"]


class IncidentUpdateOut(Out):
    id: int
    status: Status
    status_title: str
    message: str
    message_html: str
    author: AuthorOut
    created_at: str


class LinkedQuestionOut(Out):
    id: int
    title: str
    category: str
    created_at: str
    linked: Literal["auto", "manual"] = Field(description="auto: the keywords matched; manual: staff linked it")
    linked_at: str
    published_answer_id: int | None = Field(description="The verified staff answer that carried the resolution")
    url: str


class IncidentOut(Out):
    id: int
    title: str
    body: str
    body_html: str
    category: str
    keywords: list[str]
    status: Status
    status_title: str = Field(description="The status in the caller's language")
    started_at: str
    resolved_at: str | None
    affected_count: int
    linked_count: int
    url: str
    created_by: AuthorOut
    updates: list[IncidentUpdateOut] | None = Field(default=None, description="Newest first (GET of one incident)")
    questions: list[LinkedQuestionOut] | None = Field(default=None, description="Linked public threads")
    affected: bool | None = Field(default=None, description="Whether the caller said they are affected")


class AffectedOut(Out):
    affected: bool
    affected_count: int


class PublishedOut(Out):
    answers: list[int] = Field(description="The ids of the verified answers posted, one per thread")



def _out(incident, *, linked_count: int, full: bool = False) -> dict:
    data = {"id": incident.id, "title": incident.title, "body": incident.body, "body_html": incident.body_html,
            "category": incident.category.value, "keywords": incident.keyword_list, "status": incident.status.value,
            "status_title": incident.status.title, "started_at": iso(incident.started_at),
            "resolved_at": iso(incident.resolved_at), "affected_count": incident.affected_count,
            "linked_count": linked_count, "url": url_for("incidents.show", incident_id=incident.id, _external=True),
            "created_by": author(incident.created_by)}
    if full:
        view = queries.incident_view(incident, api_user())
        data["updates"] = [{"id": u.id, "status": u.status.value, "status_title": u.status.title,
                            "message": u.message, "message_html": u.message_html, "author": author(u.author),
                            "created_at": iso(u.created_at)} for u in view.updates]
        data["questions"] = [{"id": q.id, "title": q.title, "category": q.category.value,
                              "created_at": iso(q.created_at), "linked": link.source.value,
                              "linked_at": iso(link.created_at), "published_answer_id": link.published_answer_id,
                              "url": url_for("pages.show_question", question_id=q.id, _external=True)}
                             for q, link in view.questions]
        data["linked_count"] = len(view.questions)
        data["affected"] = view.affected
    return data


def _detail(incident_id: int) -> dict:
    incident = services.get_incident(incident_id)
    return _out(incident, linked_count=0, full=True)


@route("/incidents", "GET", summary="Incidents, active first (newest first), then resolved", auth="optional",
       response=list[IncidentOut], query={"status": "active | resolved | a status", "page": "page number",
                                          "per_page": "at most 100"}, errors=(422,))
def list_incidents():
    status = request.args.get("status") or None
    if status not in (None, "active", "resolved", "investigating", "identified", "monitoring"):
        raise ValidationFailed({"status": [_("Use active, resolved, investigating, identified or monitoring.")]})
    page, per_page = page_args()
    active = {"active": True, "resolved": False}.get(status)
    one = status if status not in (None, "active", "resolved") else None
    result = queries.list_incidents(active=active, status=one, page=page, per_page=per_page)
    counts = queries.link_counts([i.id for i in result.items])
    return listing([_out(i, linked_count=counts.get(i.id, 0)) for i in result.items], result.page, result.per_page,
                   result.total)


@route("/incidents", "POST", summary="Open an incident (staff); matching threads are linked", auth="required",
       body=CreateIncident, response=IncidentOut, status=201, errors=(401, 403, 422))
def create():
    incident = services.create_incident(require_user(), **json_object(CreateIncident))
    return _detail(incident.id), 201


@route("/incidents/<int:incident_id>", "GET", summary="An incident with its updates, linked threads and the "
       "affected count", auth="optional", response=IncidentOut, errors=(404,))
def show(incident_id: int):
    return _detail(incident_id)


@route("/incidents/<int:incident_id>", "PATCH", summary="Update an incident (staff): a new status with a message "
       "(kept on its timeline), title, keywords; resolving notifies everyone concerned once", auth="required",
       body=UpdateIncident, response=IncidentOut, errors=(401, 403, 404, 409, 422))
def update(incident_id: int):
    services.update_incident(require_user(), incident_id, **json_object(UpdateIncident))
    return _detail(incident_id)


@route("/incidents/<int:incident_id>/publish", "POST", summary="Publish the resolution on every linked thread "
       "as a verified staff answer (staff; resolved incidents)", auth="required", body=PublishIncident,
       response=PublishedOut, status=201, errors=(401, 403, 404, 422))
def publish(incident_id: int):
    answers = services.publish_resolution(require_user(), incident_id, **json_object(PublishIncident))
    return {"answers": [a.id for a in answers]}, 201


@route("/incidents/<int:incident_id>/links", "POST", summary="Link a thread to the incident (staff)",
       auth="required", body=LinkQuestion, response=IncidentOut, status=201, errors=(401, 403, 404, 422))
def link(incident_id: int):
    services.link_question(require_user(), incident_id, **json_object(LinkQuestion))
    return _detail(incident_id), 201


@route("/incidents/<int:incident_id>/links/<int:question_id>", "DELETE", summary="Unlink a thread (staff); the "
       "automatic matching will not link it again", auth="required", status=204, errors=(401, 403, 404))
def unlink(incident_id: int, question_id: int):
    services.unlink_question(require_user(), incident_id, question_id)
    return "", 204


@route("/incidents/<int:incident_id>/affected", "POST", summary="I'm affected too (idempotent)", auth="required",
       response=AffectedOut, errors=(401, 404, 409))
def affected(incident_id: int):
    count = services.set_affected(require_user(), incident_id, True)
    return {"affected": True, "affected_count": count}


@route("/incidents/<int:incident_id>/affected", "DELETE", summary="No longer affected (idempotent)",
       auth="required", response=AffectedOut, errors=(401, 404))
def unaffected(incident_id: int):
    count = services.set_affected(require_user(), incident_id, False)
    return {"affected": False, "affected_count": count}


