"""Profiles and the member's own settings."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.auth import devices
from forum.auth import services as auth_services
from forum.auth.forms import CodeForm, DisableTotpForm, EmailChangeForm, PasswordChangeForm, SettingsForm
from forum.core.errors import ValidationFailed
from forum.core.i18n import LANG_COOKIE
from forum.core.pagination import clamp_page
from forum.questions import queries
from forum.reputation import services as reputation_services
from forum.reputation.badges import badges_of
from forum.users.charts import reputation_chart
from forum.web.forms import attach_errors

bp = Blueprint("users", __name__)


@bp.route("/users/<username>")
def show(username: str):
    user = auth_services.get_user_by_name(username)
    if user.username != username:
        return redirect(url_for("users.show", username=user.username), 301)
    tab = "answers" if request.args.get("tab") == "answers" else "questions"
    page, per_page = clamp_page(request.args.get("page", 1), 20)
    questions = queries.list_questions(author_id=user.id, page=page if tab == "questions" else 1, per_page=per_page)
    answers = queries.answers_by(user, page=page if tab == "answers" else 1, per_page=per_page)
    chart = reputation_chart(reputation_services.history(user, tz=current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return render_template("users/show.html", user=user, tab=tab, questions=questions, answers=answers,
                           chart=chart, badges=badges_of(user.id))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    user = current_user._get_current_object()
    form = SettingsForm()
    if not form.is_submitted():
        form.locale.data = user.locale or ""
        form.about.data = user.about
    if form.validate_on_submit():
        try:
            auth_services.update_settings(user, locale=form.locale.data or None, about=form.about.data or "")
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(_("Your settings are saved."), "success")
            response = redirect(url_for("users.settings"))
            if form.locale.data:
                response.set_cookie(LANG_COOKIE, form.locale.data, max_age=365 * 24 * 3600, samesite="Lax",
                                    httponly=True)
            return response
    return render_template("users/settings.html", form=form), 422 if form.errors else 200


@bp.route("/settings/account", methods=["GET", "POST"])
@login_required
def account():
    """Change the password or the e-mail address; both ask for the current password."""
    from flask_login import login_user

    user = current_user._get_current_object()
    password_form = PasswordChangeForm(prefix="pw")
    email_form = EmailChangeForm(prefix="em")
    status = 200
    if request.method == "POST" and request.form.get("action") == "password" and password_form.validate_on_submit():
        try:
            user = auth_services.change_password(user, password_form.current_password.data,
                                                 password_form.new_password.data)
        except ValidationFailed as error:
            attach_errors(password_form, error)
            status = 422
        else:
            login_user(user)  # this browser stays signed in; every other session ended
            flash(_("Your password is changed. Other devices and API tokens were signed out."), "success")
            # The new password forgot every known device; this browser is still one.
            return devices.set_cookie(redirect(url_for("users.account")), user,
                                      request.cookies.get(devices.COOKIE_NAME))
    elif request.method == "POST" and request.form.get("action") == "email" and email_form.validate_on_submit():
        try:
            user = auth_services.change_email(user, email_form.current_password.data, email_form.email.data)
        except ValidationFailed as error:
            attach_errors(email_form, error)
            status = 422
        else:
            login_user(user)  # this browser stays signed in; every other session ended
            flash(_("Your e-mail address is changed. Other devices were signed out, and your old address "
                    "was told."), "success")
            return redirect(url_for("users.account"))
    return render_template("users/account.html", password_form=password_form, email_form=email_form,
                           user=user), status


@bp.route("/settings/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """The member's API tokens (name, created, last used, expires), each with a revoke button."""
    user = current_user._get_current_object()
    if request.method == "POST":  # CSRFProtect has checked the token
        try:
            token_id = int(request.form.get("token_id", ""))
        except ValueError:
            token_id = None
        row = auth_services.revoke_token_of(user, token_id)  # NotFound (404) for anyone else's
        flash(_("The token \"%(name)s\" is revoked.", name=row.name), "info")
        return redirect(url_for("users.tokens"))
    return render_template("users/tokens.html", tokens=auth_services.live_tokens(user),
                           days=auth_services.token_lifetime().days)


@bp.route("/settings/2fa", methods=["GET", "POST"])
@login_required
def two_step():
    """Turn two-step verification on (start, scan, confirm with a code, keep the recovery codes;
    or cancel) or off (password and a current code). GET only shows: the key being enrolled stays
    the same until it is confirmed or cancelled."""
    user = current_user._get_current_object()
    code_form, off_form = CodeForm(prefix="on"), DisableTotpForm(prefix="off")
    action = request.form.get("action") if request.method == "POST" else None
    if user.totp_secret:
        if request.method == "POST" and off_form.validate_on_submit():
            try:
                auth_services.disable_totp(user, off_form.password.data, off_form.code.data)
            except ValidationFailed as error:
                attach_errors(off_form, error)
            else:
                flash(_("Two-step verification is off."), "info")
                return redirect(url_for("users.two_step"))
        return render_template("users/two_step.html", enabled=True, off_form=off_form), 422 if off_form.errors else 200
    if action == "start":  # CSRFProtect has checked the token
        auth_services.start_totp(user)
        return redirect(url_for("users.two_step"))
    if action == "cancel":
        auth_services.cancel_totp(user)
        flash(_("Setting up two-step verification was cancelled."), "info")
        return redirect(url_for("users.two_step"))
    if request.method == "POST" and code_form.validate_on_submit() and user.totp_pending_secret:
        try:
            codes = auth_services.confirm_totp(user, code_form.code.data)
        except ValidationFailed as error:
            attach_errors(code_form, error)
        else:
            return render_template("users/two_step.html", enabled=True, codes=codes, off_form=off_form)
    pending = auth_services.pending_totp(user)
    if pending is None:
        return render_template("users/two_step.html", enabled=False, pending=False)
    secret, uri = pending
    return render_template("users/two_step.html", enabled=False, pending=True, secret=secret, qr=_qr_svg(uri),
                           code_form=code_form), 422 if code_form.errors else 200


def _qr_svg(uri: str) -> str:
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", xmldecl=False, svgns=True, scale=5, border=2,
                                    svgclass="qr", lineclass=None)
    return buffer.getvalue().decode()
