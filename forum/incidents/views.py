"""The incident pages: the list, one incident (its timeline, threads, "I'm affected too"), and the
staff form to open, update, resolve and link."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.core.errors import Conflict, DomainError, ValidationFailed
from forum.core.pagination import clamp_page
from forum.incidents import queries, services
from forum.incidents.forms import IncidentForm, LinkForm, UpdateForm
from forum.incidents.models import IncidentStatus
from forum.incidents.schemas import split_keywords
from forum.web.decorators import staff_required
from forum.web.forms import attach_errors

bp = Blueprint("incidents", __name__)


def _me():
    return current_user._get_current_object()


def _messages(error: DomainError) -> str:
    return " ".join(m for ms in error.fields.values() for m in ms) or error.message


@bp.route("/incidents")
def index():
    page, _pp = clamp_page(request.args.get("page", 1), 20)
    result = queries.list_incidents(page=page)
    return render_template("incidents/index.html", page=result,
                           counts=queries.link_counts([i.id for i in result.items]))


@bp.route("/incidents/<int:incident_id>")
def show(incident_id: int):
    incident = services.get_incident(incident_id)
    view = queries.incident_view(incident, _me())
    form = UpdateForm(status=incident.status.value, keywords="\n".join(incident.keyword_list))
    return render_template("incidents/show.html", view=view, incident=incident, form=form, link_form=LinkForm(),
                           statuses=list(IncidentStatus))


@bp.route("/incidents/new", methods=["GET", "POST"])
@staff_required
def new():
    form = IncidentForm()
    if form.validate_on_submit():
        try:
            incident = services.create_incident(_me(), **form.data)  # validated there, once, with CreateIncident
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(_("The incident is open; matching threads are linked."), "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    return render_template("incidents/new.html", form=form), 422 if form.errors else 200


@bp.route("/incidents/<int:incident_id>/update", methods=["POST"])
@staff_required
def update(incident_id: int):
    form = UpdateForm()
    if form.validate_on_submit():
        incident = services.get_incident(incident_id)
        fields = dict(form.data)
        if fields.get("status") == incident.status.value and not fields.get("message"):
            fields["status"] = None  # only the keywords changed
        if split_keywords(fields.get("keywords") or "") == incident.keyword_list:  # as the schema reads them
            fields["keywords"] = None
        try:
            services.update_incident(_me(), incident_id, **fields)  # validated there, once, with UpdateIncident
        except (ValidationFailed, Conflict) as error:
            flash(_messages(error), "error")
        else:
            flash(_("The incident is updated."), "success")
    return redirect(url_for("incidents.show", incident_id=incident_id))


@bp.route("/incidents/<int:incident_id>/publish", methods=["POST"])
@staff_required
def publish(incident_id: int):
    if LinkForm().validate_on_submit():
        try:
            answers = services.publish_resolution(_me(), incident_id, body=request.form.get("body") or None)
        except ValidationFailed as error:
            flash(_messages(error), "error")
        else:
            flash(_("The resolution is published on %(num)d threads, verified.", num=len(answers)), "success")
    return redirect(url_for("incidents.show", incident_id=incident_id))


@bp.route("/incidents/<int:incident_id>/links", methods=["POST"])
@staff_required
def link(incident_id: int):
    services.get_incident(incident_id)  # an unknown incident: 404, not a message on its page
    form = LinkForm()
    if form.validate_on_submit():
        raw = (form.question_id.data or "").strip().lstrip("#")
        try:
            services.link_question(_me(), incident_id, question_id=raw)
        except DomainError as error:  # no such question, or not a number
            flash(_messages(error), "error")
        else:
            flash(_("The thread is linked."), "success")
    return redirect(url_for("incidents.show", incident_id=incident_id, _anchor="threads"))


@bp.route("/incidents/<int:incident_id>/links/<int:question_id>/delete", methods=["POST"])
@staff_required
def unlink(incident_id: int, question_id: int):
    if LinkForm().validate_on_submit():
        services.unlink_question(_me(), incident_id, question_id)
        flash(_("The thread is no longer linked."), "info")
    return redirect(url_for("incidents.show", incident_id=incident_id, _anchor="threads"))


@bp.route("/incidents/<int:incident_id>/affected", methods=["POST"])
@login_required
def affected(incident_id: int):
    if LinkForm().validate_on_submit():
        want = request.form.get("affected") != "0"
        try:
            services.set_affected(_me(), incident_id, want)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("Thank you: we will tell you when it is fixed.") if want
                  else _("You are no longer counted as affected."), "success")
    return redirect(url_for("incidents.show", incident_id=incident_id))
