from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from forum.questions.models import Category
from forum.tickets.models import TIER_TITLES, Channel, Priority, Status


class EscalateForm(FlaskForm):
    category = SelectField(_l("Category"), choices=lambda: [SelectChoice(c.value, c.title) for c in Category],
                           validate_choice=False)
    description = TextAreaField(_l("What do you need from official support?"), description=_l(
        "Describe the problem and what you already tried. The public thread is linked for staff."))
    order_number = StringField(_l("Order number (private)"), description=_l("Only support staff see it."))
    contact_channel = SelectField(_l("How should we contact you? (private)"),
                                  choices=lambda: [SelectChoice(c.value, c.title) for c in Channel],
                                  validate_choice=False)
    contact = StringField(_l("E-mail address or phone number (private)"),
                          description=_l("Needed for e-mail or phone; only support staff see it."))


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"))


class StaffUpdateForm(FlaskForm):
    status = SelectField(_l("Status"), choices=lambda: [SelectChoice(s.value, s.staff_title) for s in Status],
                         validate_choice=False)
    priority = SelectField(_l("Priority"), choices=lambda: [SelectChoice(p.value, p.title) for p in Priority],
                           validate_choice=False)
    tier = SelectField(_l("Tier"), choices=lambda: [SelectChoice(str(k), str(v)) for k, v in TIER_TITLES.items()],
                       validate_choice=False)
    assignee = StringField(_l("Assignee (staff username)"))
    reason = StringField(_l("Reason (required when the tier changes)"))


class RatingForm(FlaskForm):
    rating = SelectField(_l("Rating"), choices=lambda: [SelectChoice(str(n), "★" * n) for n in range(5, 0, -1)],
                         validate_choice=False)
    comment = TextAreaField(_l("Comment (optional)"))
