"""The requester's tickets, the staff desk and /support (the escalation form is forum.pages': it
shows solved threads like the question beside it; the dashboard is forum.insights': it reads search)."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from forum.core.db import utcnow
from forum.core.errors import Conflict, DomainError, ValidationFailed
from forum.core.pagination import clamp_page
from forum.extensions import limiter
from forum.questions import services as question_services
from forum.questions.models import Category
from forum.tickets import attachments, queries, services, sla
from forum.tickets.channels import support_channels
from forum.tickets.forms import MessageForm, RatingForm, StaffUpdateForm
from forum.tickets.history import history, tier_name
from forum.tickets.models import TIER_TITLES, Priority, Status
from forum.web import ratelimits
from forum.web.decorators import body_limit, staff_required
from forum.web.forms import attach_errors
from forum.web.page_cache import never_cache

bp = Blueprint("tickets", __name__)


def _me():
    return current_user._get_current_object()


def _support_status():
    return sla.open_status(services.calendar(), utcnow())


@bp.app_context_processor
def _context():
    return {"ticket_statuses": list(Status), "tier_titles": TIER_TITLES, "tier_name": tier_name}


@bp.route("/ask/private", methods=["POST"])
@limiter.shared_limit(ratelimits.posts, scope="posts", key_func=ratelimits.actor_key)
@login_required
def ask_privately():
    """The ask form's second answer to the privacy guard: post the question without the private
    data and send those details to official support in a private ticket."""
    from forum.questions.forms import QuestionForm

    form = QuestionForm()
    if form.validate_on_submit():
        try:
            ticket = services.ask_with_private_details(_me(), title=form.title.data, body=form.body.data,
                                                       tags=form.tags.data, category=form.category.data)
        except ValidationFailed as error:
            attach_errors(form, error)
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Your question is posted without the private details. Those went to official support in "
                    "ticket %(number)s, which only you and support staff can see.", number=ticket.number), "success")
            return redirect(url_for(".show", ticket_id=ticket.id))
    return render_template("questions/ask.html", form=form, editing=None, private_findings=[]), 422


@bp.route("/tickets")
@login_required
def mine():
    page, _pp = clamp_page(request.args.get("page", 1), 20)
    return render_template("tickets/mine.html", page=queries.tickets_of(_me(), page=page))


@bp.route("/tickets/<int:ticket_id>")
@login_required
def show(ticket_id: int):
    ticket = services.get_ticket(_me(), ticket_id)
    staff = current_user.role.is_staff
    messages, events = queries.conversation(ticket, staff=staff)
    question = (question_services.get_question(ticket.question_id, include_deleted=True, viewer=_me())
                if ticket.question_id else None)
    files_by_message: dict = {}
    visible = attachments.visible_attachments(ticket, _me())
    for item in visible:
        files_by_message.setdefault(item.message_id, []).append(item)
    context = {"ticket": ticket, "messages": messages, "history": history(ticket, events, question, reasons=staff),
               "files_by_message": files_by_message, "attachment_max_mb": attachments.max_bytes() // (1024 * 1024),
               "message_form": MessageForm(), "rating_form": RatingForm(), "breached": services.is_breached(ticket),
               "due": services.due_at(ticket), "question": question}
    if staff:
        form = StaffUpdateForm(data={"status": ticket.status.value, "priority": ticket.priority.value,
                                     "tier": str(ticket.tier),
                                     "assignee": ticket.assignee.username if ticket.assignee else ""})
        context.update(staff_form=form, others=queries.other_tickets(ticket), canned=queries.canned_replies(),
                       publishable_images=[item for item in visible if item.is_image],
                       escalated_by=queries.escalation_counts([ticket.question_id]).get(ticket.question_id, 0))
    return render_template("tickets/show.html", staff=staff, **context)


def _back(ticket_id: int, anchor: str | None = None):
    return redirect(url_for(".show", ticket_id=ticket_id, _anchor=anchor))


@bp.route("/tickets/<int:ticket_id>/attachments/<int:attachment_id>")
@never_cache
@login_required
def attachment(ticket_id: int, attachment_id: int):
    """A ticket's attachment for the ticket page: its requester and staff only (404 to others)."""
    return attachments.file_response(*attachments.get_attachment(_me(), ticket_id, attachment_id))


@bp.route("/tickets/<int:ticket_id>/messages", methods=["POST"])
@body_limit(attachments.max_bytes_of, too_large=attachments.too_large_message)
@login_required
def message(ticket_id: int):
    form = MessageForm()
    if form.validate_on_submit():
        internal = request.form.get("internal") == "1"
        files = [(f.filename or "", f.mimetype, f.read()) for f in request.files.getlist("files") if f.filename]
        try:
            services.add_message(_me(), ticket_id, form.body.data, internal=internal, files=files)
        except (ValidationFailed, Conflict) as error:
            flash(" ".join(m for ms in error.fields.values() for m in ms if isinstance(m, str)) or error.message, "error")
        else:
            flash(_("Internal note saved.") if internal else _("Your message is sent."), "success")
    return _back(ticket_id, "reply")


@bp.route("/tickets/<int:ticket_id>/update", methods=["POST"])
@staff_required
def update(ticket_id: int):
    form = StaffUpdateForm()
    if form.validate_on_submit():
        try:
            services.update_ticket(_me(), ticket_id, **form.data)  # validated there, once, with UpdateTicket
        except ValidationFailed as error:
            flash(" ".join(m for ms in error.fields.values() for m in ms), "error")
        else:
            flash(_("The ticket is updated."), "success")
    return _back(ticket_id)


@bp.route("/tickets/<int:ticket_id>/<any(close, reopen):action>", methods=["POST"])
@login_required
def close_or_reopen(ticket_id: int, action: str):
    if MessageForm().validate_on_submit():
        try:
            if action == "close":
                services.close_ticket(_me(), ticket_id)
                flash(_("The ticket is closed."), "info")
            else:
                services.reopen_ticket(_me(), ticket_id)
                flash(_("The ticket is open again."), "success")
        except Conflict as error:
            flash(error.message, "error")
    return _back(ticket_id)


@bp.route("/tickets/<int:ticket_id>/rate", methods=["POST"])
@login_required
def rate(ticket_id: int):
    form = RatingForm()
    if form.validate_on_submit():
        try:
            services.rate_ticket(_me(), ticket_id, **form.data)  # validated there, once, with RateTicket
        except (ValidationFailed, Conflict) as error:
            flash(error.message, "error")
        else:
            flash(_("Thank you for rating our support."), "success")
    return _back(ticket_id)


@bp.route("/tickets/<int:ticket_id>/merge", methods=["POST"])
@staff_required
def merge(ticket_id: int):
    target = (request.form.get("target") or "").strip().upper()
    digits = target.rsplit("-", 1)[-1]
    target_id = int(digits) if re.fullmatch(r"[0-9]{1,9}", digits) else None
    if MessageForm().validate_on_submit():
        try:
            merged = services.merge_ticket(_me(), ticket_id, target_id)
        except ValidationFailed as error:
            flash(" ".join(m for ms in error.fields.values() for m in ms), "error")
        else:
            flash(_("Merged into %(number)s.", number=merged.number), "success")
            return _back(merged.id)
    return _back(ticket_id)


@bp.route("/tickets/<int:ticket_id>/publish", methods=["POST"])
@staff_required
def publish(ticket_id: int):
    form = MessageForm()
    if form.validate_on_submit():
        try:
            answer = services.publish_resolution(_me(), ticket_id, form.body.data,
                                                 images=request.form.getlist("images"))
        except ValidationFailed as error:
            flash(" ".join(m for ms in error.fields.values() for m in ms), "error")
        else:
            flash(_("The resolution is published on the thread, verified."), "success")
            return redirect(url_for("pages.show_question", question_id=answer.question_id, _anchor=f"answer-{answer.id}"))
    return _back(ticket_id, "publish")


@bp.route("/staff/questions/<int:question_id>/escalations")
@staff_required
def escalations(question_id: int):
    """Every member's ticket from one thread side by side, to answer them all at once."""
    question, tickets = services.thread_escalations(_me(), question_id)
    return render_template("tickets/escalations.html", question=question, tickets=tickets,
                           last_messages=queries.last_public_messages(t.id for t in tickets),
                           members=len({t.requester_id for t in tickets}), form=MessageForm(),
                           is_breached=services.is_breached, due_at=services.due_at, now=utcnow())


@bp.route("/staff/questions/<int:question_id>/escalations/reply", methods=["POST"])
@staff_required
def reply_to_escalations(question_id: int):
    """Answer all the ticked tickets with one text: a separate, private message on each."""
    form = MessageForm()
    if form.validate_on_submit():
        try:
            sent = services.reply_to_escalations(_me(), question_id, ticket_ids=request.form.getlist("ticket_id"),
                                                 body=form.body.data)
        except ValidationFailed as error:
            flash(" ".join(m for ms in error.fields.values() for m in ms if isinstance(m, str)), "error")
        else:
            flash(ngettext("Your reply is sent to %(num)d ticket, privately.",
                           "Your reply is sent to %(num)d tickets, each privately.", len(sent)), "success")
    return redirect(url_for(".escalations", question_id=question_id))


# The desk's assignee filter takes "me", "none" or a username; the words in the reader's language too.
ASSIGNEE_ME, ASSIGNEE_NONE = _l("me"), _l("unassigned")


def _assignee_filter(value: str) -> str | None:
    value = value.strip()[:32]
    if value.casefold() in ("me", str(ASSIGNEE_ME).casefold()):
        return "me"
    if value.casefold() in ("none", str(ASSIGNEE_NONE).casefold()):
        return "none"
    return value or None


@bp.route("/staff/tickets")
@staff_required
def desk():
    args = request.args
    tier = int(args["tier"]) if args.get("tier") in ("1", "2", "3") else None
    status = args.get("status") if args.get("status") in {s.value for s in Status} else None
    category = args.get("category") if args.get("category") in {c.value for c in Category} else None
    priority = args.get("priority") if args.get("priority") in {p.value for p in Priority} else None
    page, _pp = clamp_page(args.get("page", 1), 50)
    result = queries.queue(status=status, tier=tier, category=category, priority=priority,
                           assignee=_assignee_filter(args.get("assignee") or ""), due_soon=args.get("due") == "soon",
                           breached=args.get("due") == "breached", viewer=_me(), page=page)
    return render_template("tickets/desk.html", page=result, now=utcnow(), priorities=list(Priority),
                           escalated_by=queries.escalation_counts(t.question_id for t in result.items),
                           assignee_hint=_("%(me)s / %(none)s / a username", me=ASSIGNEE_ME, none=ASSIGNEE_NONE),
                           is_breached=services.is_breached, due_at=services.due_at,
                           filters={"status": status, "tier": tier, "category": category, "priority": priority,
                                    "assignee": args.get("assignee") or "", "due": args.get("due") or ""})


@bp.route("/support")
@never_cache  # "open now" and the expected first reply follow the clock, not the database
def support():
    from flask import current_app

    channels = support_channels(current_app.config.get("FORUM_SUPPORT_CHANNELS"),
                                signed_in=current_user.is_authenticated)
    return render_template("tickets/support.html", support=_support_status(), channels=channels,
                           expected=services.expected_first_reply())
