"""Putting a service's ValidationFailed back on a form, so the page shows each error beside its field
and keeps what the user typed."""
from __future__ import annotations

from flask_wtf import FlaskForm

from forum.core.errors import ValidationFailed


def attach_errors(form: FlaskForm, error: ValidationFailed) -> None:
    for name, messages in error.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(getattr(field, "errors", []) or []) + list(messages)
        else:
            form.form_errors.extend(messages)
