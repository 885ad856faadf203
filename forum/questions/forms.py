from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from forum.questions.models import Category


def _category_choices():
    return [SelectChoice("", _l("Choose a category"))] + [SelectChoice(c.value, c.title) for c in Category]


class QuestionForm(FlaskForm):
    title = StringField(_l("Title"), description=_l("Say what went wrong in one sentence, 10–150 characters."))
    body = TextAreaField(_l("Details"), description=_l(
        "What did you try, what did you expect, what happened? Markdown is supported. "
        "Never post passwords, verification codes or card numbers."))
    tags = StringField(_l("Tags"), description=_l("1–5 tags, separated by spaces or commas, e.g. 退款 refund"))
    category = SelectField(_l("Category"), choices=_category_choices, validate_choice=False)
    summary = StringField(_l("Edit summary"), description=_l("Optional: what did you change?"))


class AnswerForm(FlaskForm):
    body = TextAreaField(_l("Your answer"), description=_l("Markdown is supported; at least 20 characters."))
    summary = StringField(_l("Edit summary"), description=_l("Optional: what did you change?"))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), description=_l("5–600 characters. Ask for details or suggest a fix."))


class ActionForm(FlaskForm):
    """No fields: the CSRF token of a one-button action (delete, accept, vote)."""
