from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

# Each language's name in itself, marked as such (read out in its own language, whatever the page's).
_LANGUAGES = [SelectChoice("zh_CN", "简体中文", render_kw={"lang": "zh-CN"}),
              SelectChoice("en", "English", render_kw={"lang": "en"})]


class RegisterForm(FlaskForm):
    username = StringField(_l("Username"), description=_l("2–24 characters: letters (Chinese too), digits, _ - ."))
    email = EmailField(_l("E-mail"))
    password = PasswordField(_l("Password"), description=_l("At least 8 characters."))


class LoginForm(FlaskForm):
    login = StringField(_l("Username or e-mail"))
    password = PasswordField(_l("Password"))
    # Shown once an account is locked: with two-step verification, password and code together
    # still sign the member in.
    code = StringField(_l("Code from your authenticator app"),
                       description=_l("Only if two-step verification is on: a current code or a recovery code."))
    remember = BooleanField(_l("Keep me signed in"))


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=_LANGUAGES)


class SettingsForm(FlaskForm):
    locale = SelectField(_l("Interface language"),
                         choices=lambda: [SelectChoice("", _l("Follow my browser")), *_LANGUAGES])
    about = TextAreaField(_l("About me"), description=_l("Plain text, at most 1,000 characters."))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail"), description=_l("The address of your account."))


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), description=_l("At least 8 characters."))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"))
    new_password = PasswordField(_l("New password"), description=_l("At least 8 characters."))


class EmailChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"))
    email = EmailField(_l("New e-mail address"))


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), description=_l("The 6-digit code from your authenticator app, or a recovery code."))


class DisableTotpForm(FlaskForm):
    password = PasswordField(_l("Current password"))
    code = StringField(_l("Code"), description=_l("A current code from your authenticator app, or a recovery code."))
