from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


class VerifyForm(FlaskForm):
    note = StringField(_l("Note (optional)"), description=_l("What did you check? E.g. \"checked against the refund policy of 2026-11\". At most 500 characters."))


class RemoveForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), description=_l("Why is this answer no longer verified? At most 500 characters."))
