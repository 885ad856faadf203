from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), description=_l("To confirm that it is you."))
    confirm = BooleanField(_l("I understand: my account will be erased and this cannot be undone after the "
                              "grace period."))
