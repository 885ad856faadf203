"""Accounts and tokens."""
from __future__ import annotations


from forum.api import schemas, serialize
from forum.api.common import api_user, bearer_token, iso, parse_body, require_user, route
from forum.auth import services
from forum.auth.views import login_rate, signup_rate
from forum.extensions import limiter


@route("/users", "POST", summary="Register an account", body=schemas.RegisterIn, response=schemas.UserOut,
       status=201, errors=(400, 422, 429))
@limiter.shared_limit(signup_rate, scope="sign-up", override_defaults=False)
def register():
    data = parse_body(schemas.RegisterIn)
    user = services.register_user(data.username, data.email, data.password)
    return serialize.user(user), 201


@route("/tokens", "POST", summary="Sign in and get a bearer token (expires FORUM_TOKEN_DAYS after its last use); "
       "423 while the account is locked after repeated wrong passwords, unless two-step verification is on "
       "and a current otp comes with the password", body=schemas.TokenIn, response=schemas.TokenOut, status=201,
       errors=(400, 401, 422, 423, 429))
@limiter.shared_limit(login_rate, scope="sign-in", override_defaults=False)
def create_token():
    data = parse_body(schemas.TokenIn)
    user, token = services.create_token(data.username, data.password, name=data.name, otp=data.otp)
    info = services.describe_token(token)
    data = {"token": token, "name": info.name, "expires_at": iso(info.expires_at),
            "user": serialize.user(user, private=True)}
    if user.erasure_cancelled:
        data["erasure_cancelled"] = True
    return data, 201


@route("/tokens/current", "DELETE", summary="Revoke the token used for this request", auth="required",
       status=204, errors=(401,))
def delete_token():
    require_user()
    services.revoke_token(bearer_token())
    return "", 204


@route("/users/<username>", "GET", summary="A member's profile (e-mail only for the member and staff)",
       auth="optional", response=schemas.MeOut | schemas.UserOut,
       errors=(404,))
def show_user(username: str):
    user = services.get_user_by_name(username)
    viewer = api_user()
    private = viewer is not None and (viewer.id == user.id or viewer.is_staff)
    return serialize.user(user, private=private)


@route("/me", "GET", summary="The signed-in member, with e-mail", auth="required", response=schemas.MeOut,
       errors=(401,))
def me():
    return serialize.user(require_user(), private=True)
