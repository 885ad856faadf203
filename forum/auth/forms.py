from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField


class RegisterForm(FlaskForm):
    username = StringField(_l("Username"), description=_l("2–24 characters: letters (Chinese too), digits, _ - ."))
    email = EmailField(_l("E-mail"))
    password = PasswordField(_l("Password"), description=_l("At least 8 characters."))


class LoginForm(FlaskForm):
    login = StringField(_l("Username or e-mail"))
    password = PasswordField(_l("Password"))
    remember = BooleanField(_l("Keep me signed in"))


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[("zh_CN", "简体中文"), ("en", "English")])


class SettingsForm(FlaskForm):
    locale = SelectField(_l("Interface language"),
                         choices=[("", _l("Follow my browser")), ("zh_CN", "简体中文"), ("en", "English")])
    about = TextAreaField(_l("About me"), description=_l("Plain text, at most 1,000 characters."))
