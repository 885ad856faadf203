from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from forum.questions import rules
from forum.questions.models import Category


def _category_choices():
    return [SelectChoice("", _l("Choose a category"))] + [SelectChoice(c.value, c.title) for c in Category]


def length_hint(minimum: int) -> dict:
    """The attributes that give a post's field its live weighted count (static/js/forum.js): the
    minimum, and the words for under it and past it ({n} the weighted length, {min} the minimum).
    Without script the field's help text and the server's message say the same."""
    return {"data-min-length": minimum,
            "data-length-short": _l("At least {min} (Chinese characters count 2 each), now {n}"),
            "data-length-ok": _l("Length {n} (Chinese characters count 2 each)")}


class QuestionForm(FlaskForm):
    title = StringField(_l("Title"), render_kw=length_hint(rules.TITLE_MIN), description=_l(
        "Say what went wrong in one sentence: at least 10 (Chinese characters count 2 each), at most 150 "
        "characters."))
    body = TextAreaField(_l("Details"), render_kw=length_hint(rules.BODY_MIN), description=_l(
        "What did you try, what did you expect, what happened? Markdown is supported. "
        "Never post passwords, verification codes or card numbers."))
    tags = StringField(_l("Tags"), description=_l("1–5 tags, separated by spaces or commas, e.g. 退款 refund"))
    category = SelectField(_l("Category"), choices=_category_choices, validate_choice=False)
    summary = StringField(_l("Edit summary"), description=_l("Optional: what did you change?"))


class AnswerForm(FlaskForm):
    body = TextAreaField(_l("Your answer"), render_kw=length_hint(rules.BODY_MIN), description=_l(
        "Markdown is supported; at least 20 (Chinese characters count 2 each). To say you have the same "
        "problem, vote the question up or follow it instead."))
    summary = StringField(_l("Edit summary"), description=_l("Optional: what did you change?"))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), render_kw=length_hint(rules.COMMENT_MIN), description=_l(
        "At least 5 (Chinese characters count 2 each), at most 600 characters. Ask for details or suggest a fix."))


class ActionForm(FlaskForm):
    """No fields: the CSRF token of a one-button action (delete, accept, vote)."""
