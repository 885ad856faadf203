"""Sign-up, sign-in, sign-out and the language switch."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from forum.auth import devices, services
from forum.auth.forms import CodeForm, LanguageForm, LoginForm, RegisterForm, ResetForm, ResetRequestForm
from forum.core.errors import AuthenticationFailed, Locked, ValidationFailed
from forum.extensions import limiter, login_manager
from forum.core.i18n import LANG_COOKIE
from forum.web import errors
from forum.web.forms import attach_errors
from forum.web.navigation import local_url

bp = Blueprint("auth", __name__)


def init_login(app: Flask) -> None:
    """Flask-Login: a session names a session row (auth.services.load_session_user), and a visitor
    who must sign in is sent to the sign-in page (pages) or answered 401 (JSON)."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(services.load_session_user)

    @login_manager.unauthorized_handler
    def _unauthorized():
        if errors.wants_json():
            return errors.error_response(401, "unauthorized", _("Sign in first."))
        flash(_("Sign in to continue."), "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def login_rate() -> str:
    return current_app.config["FORUM_LOGIN_RATE_LIMIT"]


def signup_rate() -> str:
    return current_app.config["FORUM_SIGNUP_RATE_LIMIT"]


def _safe_next(default: str) -> str:
    return local_url(request.values.get("next"), default)


def _signed_in_here(response, user):
    """Remember this browser as one where `user` signed in (the known-device cookie)."""
    return devices.set_cookie(response, user, request.cookies.get(devices.COOKIE_NAME))


@bp.route("/register", methods=["GET", "POST"])
@limiter.shared_limit(signup_rate, scope="sign-up", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("questions.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(form.username.data, form.email.data, form.password.data)
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            login_user(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.username), "success")
            return _signed_in_here(redirect(_safe_next(url_for("questions.index"))), user)
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


def _tell_erasure_cancelled(user) -> None:
    if user.erasure_cancelled:
        flash(_("You had asked us to delete your account. Signing in cancelled that: your account stays. "
                "To delete it after all, ask again in Settings, Your data."), "warning")


@bp.route("/login", methods=["GET", "POST"])
@limiter.shared_limit(login_rate, scope="sign-in", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(url_for("questions.index")))
    form = LoginForm()
    status = 200
    code = (form.code.data or "").strip() or None
    show_code = bool(code)
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.login.data, form.password.data,
                                         device=request.cookies.get(devices.COOKIE_NAME), otp=code)
        except Locked as error:
            form.form_errors.append(error.message)
            form.form_errors.append(_("With two-step verification on, enter a code from your app as well: "
                                      "password and code together sign you in."))
            status, show_code = 423, True
        except AuthenticationFailed as error:
            form.form_errors.append(error.message)
            status = 401
        else:
            if user.totp_secret and not code:
                # The second step: nothing is signed in until the code is right.
                session["2fa"] = {"user": user.get_id(), "remember": bool(form.remember.data),
                                  "next": _safe_next(url_for("questions.index"))}
                return redirect(url_for("auth.second_step"))
            login_user(user, remember=bool(form.remember.data))
            flash(_("Signed in. Welcome back, %(name)s.", name=user.username), "success")
            _tell_erasure_cancelled(user)
            return _signed_in_here(redirect(_safe_next(url_for("questions.index"))), user)
    return render_template("auth/login.html", form=form, show_code=show_code), status


@bp.route("/login/2fa", methods=["GET", "POST"])
@limiter.shared_limit(login_rate, scope="sign-in", methods=["POST"])
def second_step():
    pending = session.get("2fa") or {}
    user = services.load_session_user(pending.get("user", "")) if pending else None
    if user is None or not user.totp_secret:
        session.pop("2fa", None)
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.check_second_factor(user, form.code.data)
        except (Locked, AuthenticationFailed) as error:
            form.code.errors = [error.message]
            status = 423 if isinstance(error, Locked) else 401
        else:
            services.finish_sign_in(user)
            session.pop("2fa", None)
            login_user(user, remember=pending.get("remember", False))
            flash(_("Signed in. Welcome back, %(name)s.", name=user.username), "success")
            _tell_erasure_cancelled(user)
            target = local_url(pending.get("next"), url_for("questions.index"))
            return _signed_in_here(redirect(target), user)
    return render_template("auth/second_step.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "POST":  # CSRFProtect has checked the token
        if current_user.is_authenticated:
            services.end_all_sessions(current_user._get_current_object())
        logout_user()
        flash(_("You are signed out."), "info")
        return redirect(url_for("questions.index"))
    if not current_user.is_authenticated:
        return redirect(url_for("questions.index"))
    return render_template("auth/logout.html")


@bp.route("/language", methods=["POST"])
def language():
    """Switch the interface language: stored on the member, and in a cookie for visitors. A visitor's
    switch comes from a cached page without a token: forum.web.csrf checked its origin."""
    form = LanguageForm() if current_user.is_authenticated else LanguageForm(meta={"csrf": False})
    locale = form.locale.data if form.validate_on_submit() else None
    response = redirect(_safe_next(url_for("questions.index")))
    if locale:
        if current_user.is_authenticated:
            services.update_settings(current_user._get_current_object(), locale=locale)
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.shared_limit(signup_rate, scope="reset", methods=["POST"])
def reset_request():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ResetRequestForm()
    sent = False
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        sent = True
    return render_template("auth/reset_request.html", form=form, sent=sent)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.shared_limit(login_rate, scope="sign-in", methods=["POST"])
def reset_password(token: str):
    form = ResetForm()
    if not services.reset_link_is_valid(token):
        return render_template("auth/reset.html", form=form, invalid=True), 404
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(_("Your password is changed and every session of your account has ended. Sign in with the "
                    "new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, invalid=False), 422 if form.errors else 200
