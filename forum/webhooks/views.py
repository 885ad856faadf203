"""The administrators' webhook pages: /admin/webhooks (list, register), /admin/webhooks/<id> (edit,
deliveries, test, new secret, delete). Every action is a POST with a CSRF token."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.core.errors import Conflict, ValidationFailed
from forum.core.pagination import clamp_page
from forum.questions.forms import ActionForm
from forum.web.decorators import admin_required
from forum.webhooks import services
from forum.webhooks.events import Event
from forum.webhooks.models import DELIVERY_STATUSES

bp = Blueprint("webhooks", __name__)


def _me():
    return current_user._get_current_object()


def _fields(form) -> dict:
    return {"url": form.get("url", ""), "events": form.getlist("events"), "description": form.get("description", ""),
            "private": form.get("private") == "1"}


def _secret_page(webhook, secret: str, created: bool):
    response = render_template("webhooks/secret.html", webhook=webhook, secret=secret, created=created)
    # The secret is in this answer only: no cache may keep it.
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/admin/webhooks", methods=["GET", "POST"])
@admin_required
def index():
    errors: dict = {}
    status = 200
    if request.method == "POST" and ActionForm().validate_on_submit():
        try:
            webhook, secret = services.create_webhook(_me(), **_fields(request.form))
        except ValidationFailed as error:
            errors, status = error.fields, 422
        else:
            return _secret_page(webhook, secret, created=True)
    return render_template("webhooks/index.html", webhooks=services.list_webhooks(_me()), events=list(Event),
                           errors=errors, form=request.form if request.method == "POST" else {},
                           chosen=request.form.getlist("events") if request.method == "POST" else []), status


@bp.route("/admin/webhooks/<int:webhook_id>", methods=["GET", "POST"])
@admin_required
def show(webhook_id: int):
    webhook = services.get_webhook(_me(), webhook_id)
    errors: dict = {}
    status = 200
    if request.method == "POST" and ActionForm().validate_on_submit():
        fields = _fields(request.form)
        fields["active"] = request.form.get("active") == "1"
        try:
            services.update_webhook(_me(), webhook.id, **fields)
        except ValidationFailed as error:
            errors, status = error.fields, 422
        else:
            flash(_("The webhook was saved."), "success")
            return redirect(url_for(".show", webhook_id=webhook.id))
    filter_status = request.args.get("status") if request.args.get("status") in DELIVERY_STATUSES else None
    page, _per_page = clamp_page(request.args.get("page", 1), 20)
    result = services.deliveries(_me(), webhook.id, page=page, per_page=20, status=filter_status)
    form = request.form if request.method == "POST" else {
        "url": webhook.url, "description": webhook.description, "private": "1" if webhook.private else "",
        "active": "1" if webhook.active else ""}
    chosen = request.form.getlist("events") if request.method == "POST" else webhook.event_list
    return render_template("webhooks/show.html", webhook=webhook, events=list(Event), errors=errors, form=form,
                           chosen=chosen, page=result, filter_status=filter_status,
                           statuses=DELIVERY_STATUSES), status


@bp.route("/admin/webhooks/<int:webhook_id>/test", methods=["POST"])
@admin_required
def test(webhook_id: int):
    if ActionForm().validate_on_submit():
        try:
            services.send_test(_me(), webhook_id)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("A test delivery is on its way. Its result appears below in a moment."), "success")
    return redirect(url_for(".show", webhook_id=webhook_id))


@bp.route("/admin/webhooks/<int:webhook_id>/secret", methods=["POST"])
@admin_required
def rotate(webhook_id: int):
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".show", webhook_id=webhook_id))
    webhook, secret = services.update_webhook(_me(), webhook_id, rotate_secret=True)
    return _secret_page(webhook, secret, created=False)


@bp.route("/admin/webhooks/<int:webhook_id>/delete", methods=["POST"])
@admin_required
def delete(webhook_id: int):
    if ActionForm().validate_on_submit():
        services.delete_webhook(_me(), webhook_id)
        flash(_("The webhook was deleted."), "success")
        return redirect(url_for(".index"))
    return redirect(url_for(".show", webhook_id=webhook_id))
