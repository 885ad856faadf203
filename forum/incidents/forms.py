from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from forum.incidents.models import IncidentStatus
from forum.questions.models import Category


class IncidentForm(FlaskForm):
    title = StringField(_l("Title"), description=_l("What members notice, e.g. “WeChat Pay payments fail”."))
    category = SelectField(_l("Category"), choices=lambda: [SelectChoice(c.value, c.title) for c in Category],
                           validate_choice=False)
    keywords = TextAreaField(_l("Keywords"), description=_l(
        "One per line (or separated by commas). Threads in the category that contain any one of them, asked from "
        "24 hours before the incident until it is resolved, are linked."))
    status = SelectField(_l("Status"), choices=lambda: [SelectChoice(s.value, s.title) for s in IncidentStatus
                                                        if s.is_active], validate_choice=False)
    body = TextAreaField(_l("What happened"), description=_l(
        "Markdown. What members see, and what they should do meanwhile."))


class UpdateForm(FlaskForm):
    status = SelectField(_l("New status"), choices=lambda: [SelectChoice(s.value, s.title) for s in IncidentStatus],
                         validate_choice=False)
    message = TextAreaField(_l("Update"), description=_l("Members read each update on the incident's page."))
    keywords = TextAreaField(_l("Keywords"), description=_l("Change them to link the threads that match now."))
    publish = BooleanField(_l("When resolving: publish this update on every linked thread as a verified staff answer"))


class LinkForm(FlaskForm):
    question_id = StringField(_l("Question number"))
