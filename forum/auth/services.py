"""Accounts: registration, passwords, sign-in, API tokens, preferences.

Services take the acting user explicitly and never touch the request.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _

from forum.auth import devices
from forum.auth.models import ApiToken, PasswordReset, ReservedUsername, Role, User
from forum.core import signals, text
from forum.core.db import checkpoint, is_row_id, utcnow
from forum.core.errors import AuthenticationFailed, Locked, NotFound, PrivateDataFound, ValidationFailed
from forum.policy.services import detail_text, screen
from forum.extensions import db

USERNAME_MIN, USERNAME_MAX = 2, 24
USERNAME_KEY_MAX = 96
USERNAME_SKELETON_MAX = 255
PASSWORD_MIN, PASSWORD_MAX = 8, 128
# Letters of any script (Chinese included), digits, underscore, hyphen and dot.
_USERNAME_RE = re.compile(r"^[\w.\-]+$")
_HAS_WORD_RE = re.compile(r"[^\W_]")  # at least one letter or digit
_RESERVED = {"admin", "administrator", "staff", "support", "system", "moderator", "official", "root",
             "官方", "客服", "管理员", "版主"}
# Members may not look like staff: "官方客服小王" or "support_li" would borrow the trust that only the
# staff badge may carry. Accounts with a staff role are created by administrators (command line).
_OFFICIAL_PARTS = ("官方", "客服", "管理员", "版主", "工作人员", "admin", "support", "official", "staff",
                   "moderator", "customerservice")


# --- passwords -----------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _hasher_for(memory_kib: int, time_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism)


def password_hasher() -> PasswordHasher:
    """argon2id with the configured cost (default 46 MiB, one pass, one lane: OWASP ASVS 5)."""
    cfg = current_app.config
    return _hasher_for(cfg["FORUM_ARGON2_MEMORY_KIB"], cfg["FORUM_ARGON2_TIME_COST"],
                       cfg["FORUM_ARGON2_PARALLELISM"])


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def _dummy_hash() -> str:
    # Compared against when the account does not exist, so that unknown names cost the same time.
    cached = current_app.extensions.get("forum_dummy_hash")
    if cached is None:
        cached = current_app.extensions["forum_dummy_hash"] = hash_password(secrets.token_urlsafe(16))
    return cached


def check_password(user: User | None, password: str) -> bool:
    """Verify a password in constant-ish time; rehash when the cost parameters changed."""
    hasher = password_hasher()
    try:
        hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


# --- validation ----------------------------------------------------------------------------------

def username_key(username: str) -> str:
    # Casefolding can lengthen a name (ΐ becomes three characters): the column allows for it.
    return unicodedata.normalize("NFKC", username).casefold()[:USERNAME_KEY_MAX]


def _validate_username(username, errors: dict) -> str:
    if not isinstance(username, str) or not username.strip():
        errors["username"] = [_("Choose a username.")]
        return ""
    username = unicodedata.normalize("NFKC", username.strip())
    if text.has_invisible(username):
        errors["username"] = [_("A username cannot hold invisible characters (zero-width spaces, joiners and "
                                "the like).")]
    elif not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        errors["username"] = [_("A username has %(min)d to %(max)d characters.", min=USERNAME_MIN,
                                max=USERNAME_MAX)]
    elif not _USERNAME_RE.match(username) or not _HAS_WORD_RE.search(username):
        errors["username"] = [_("Use letters (Chinese too), digits, '_', '-' and '.' only.")]
    elif text.mixed_scripts(username):
        # UTS #39 mixed-script confusables: "ѕupport" with a Cyrillic ѕ passes for "support".
        errors["username"] = [_("A username cannot mix alphabets that look alike, such as Latin with Cyrillic or "
                                "Greek letters. Chinese with Latin letters and digits is fine.")]
    elif text.lookalike_keys(username) & _lookalike_keys(frozenset(_RESERVED)):
        errors["username"] = [_("This username is reserved.")]
    return username


@lru_cache(maxsize=4)
def _lookalike_keys(words) -> frozenset[str]:
    return frozenset(text.lookalike_key(word) for word in words)


def looks_official(username: str) -> bool:
    """Does the name contain a word that claims to speak for the platform, or anything that looks
    like one (any case, any width, look-alike letters of other scripts: "suppоrt" with a Cyrillic о)?"""
    return any(part in key for key in text.lookalike_keys(username) for part in _lookalike_keys(_OFFICIAL_PARTS))


def _lookalike_member(username: str) -> str | None:
    """The name of an existing member whose name looks like `username` (UTS #39 skeletons compared
    without case or separators: forum.core.text.lookalike_keys), other than its own spelling in
    another case."""
    keys = [key[:USERNAME_SKELETON_MAX] for key in text.lookalike_keys(username)]
    return db.session.scalar(sa.select(User.username).where(
        User.username_skeleton.in_(keys), User.username_key != username_key(username)).order_by(User.id).limit(1))


def _screen_username(username: str, errors: dict) -> None:
    """A member's name is public on every post and in every notification e-mail: the scam guard,
    watched words and the privacy guard screen it like a post, and anything they would hold, censor
    or cut refuses it."""
    try:
        verdict = screen("username", None, {"username": username})
    except PrivateDataFound:
        errors["username"] = [_("A username cannot hold a phone number, card or ID number, e-mail address or "
                                "password.")]
        return
    except ValidationFailed as error:
        errors["username"] = list(error.fields.get("username") or [_("This username is not allowed.")])
        return
    if verdict.hold or verdict.texts.get("username") != username:
        errors["username"] = [_("This username is not allowed here; choose another.")]


def _validate_email(email, errors: dict) -> str:
    if not isinstance(email, str) or not email.strip():
        errors["email"] = [_("Enter your e-mail address.")]
        return ""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = [_("Enter a valid e-mail address.")]
        return email.strip()


def _validate_password(password, errors: dict, username: str = "") -> str:
    if not isinstance(password, str) or not password:
        errors["password"] = [_("Choose a password.")]
        return ""
    if len(password) < PASSWORD_MIN:
        errors["password"] = [_("A password has at least %(min)d characters.", min=PASSWORD_MIN)]
    elif len(password) > PASSWORD_MAX:
        errors["password"] = [_("A password has at most %(max)d characters.", max=PASSWORD_MAX)]
    elif username and password.casefold() == username.casefold():
        errors["password"] = [_("The password must not be your username.")]
    return password


# --- accounts ------------------------------------------------------------------------------------

def register_user(username, email, password, *, role: Role = Role.MEMBER, reputation: int = 1,
                  locale: str | None = None) -> User:
    """Create an account and commit.

    Usernames may be Chinese and are unique without regard to case; e-mails are unique. A starting
    `reputation` above 1 (command line, demo) is granted through the reputation ledger.
    Raises ValidationFailed (fields username/email/password), also when the name or e-mail is taken.

    Whether an address has an account is said only when every other field is valid, i.e. only to
    a request that would otherwise have created an account (usernames are public on profiles,
    addresses are not): a probe with a short password or a bad name learns nothing about it.
    """
    errors: dict[str, list[str]] = {}
    username = _validate_username(username, errors)
    if "username" not in errors and role is Role.MEMBER and looks_official(username):
        errors["username"] = [_("This name looks like an official or staff account; choose another.")]
    if "username" not in errors and role is Role.MEMBER:
        _screen_username(username, errors)
    email = _validate_email(email, errors)
    _validate_password(password, errors, username)
    if "username" not in errors and _find_by_username(username) is not None:
        errors["username"] = [_("This username is taken.")]
    elif "username" not in errors and _reserved_name(username):
        errors["username"] = [_("This name belonged to an account deleted recently; choose another.")]
    elif "username" not in errors and (lookalike := _lookalike_member(username)) is not None:
        errors["username"] = [_("This name looks too much like the member %(name)s; choose another.",
                                name=lookalike)]
    if not errors and _email_taken(email):
        errors["email"] = [_("An account with this e-mail address already exists.")]
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=username,
        username_key=username_key(username),
        username_skeleton=text.lookalike_key(username)[:USERNAME_SKELETON_MAX],
        email=email,
        email_key=email.casefold(),
        password_hash=hash_password(password),
        role=role,
        reputation=1,
        reputation_total=1,
        locale=locale if locale in current_app.config["FORUM_LOCALES"] else None,
    )
    try:
        with db.session.begin_nested():  # a savepoint: the session stays usable for the error page
            db.session.add(user)
            db.session.flush()
    except sa.exc.IntegrityError:
        # A concurrent registration took the name or the address between the check and the insert.
        raise ValidationFailed({"username": [_("This username or e-mail address is already registered.")]}) from None
    # The reputation ledger (a feature to the right) records any starting reputation.
    signals.user_registered.send(user, initial_reputation=max(1, int(reputation)))
    db.session.flush()
    return user


def _reserved_name(username: str) -> bool:
    """Is the name, or a name it looks like, held back after its account was erased (forum.privacy)?"""
    keys = [key[:USERNAME_SKELETON_MAX] for key in text.lookalike_keys(username)]
    return db.session.scalar(sa.select(ReservedUsername.id).where(
        ReservedUsername.reserved_until > utcnow(),
        sa.or_(ReservedUsername.username_key == username_key(username),
               ReservedUsername.username_skeleton.in_(keys))).limit(1)) is not None


def _email_taken(email: str, *, other_than: int | None = None) -> bool:
    query = sa.select(User.id).where(User.email_key == email.casefold())
    if other_than is not None:
        query = query.where(User.id != other_than)
    return db.session.scalar(query) is not None


def _find_by_username(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username_key == username_key(username)))


def get_user_by_name(username: str) -> User:
    """The user called `username` (any case). Raises NotFound."""
    user = _find_by_username(username) if isinstance(username, str) and username and "\x00" not in username \
        else None
    if user is None:
        raise NotFound(_("No such user."))
    return user


def authenticate(login, password, *, device: str | None = None, otp=None) -> User:
    """The user whose username or e-mail is `login` and whose password is `password`; records the
    sign-in time.

    Unknown accounts and wrong passwords fail alike (same message, same work). `device` is the
    browser's known-device cookie (forum.auth.devices); `otp`, when given and two-step verification
    is on, is checked too and the second step is done (the caller asks for it when `otp` was not
    given). Either lets the member in past a lockout that strangers' guesses caused. Raises
    AuthenticationFailed, Locked.
    """
    otp = otp if isinstance(otp, str) and otp.strip() else None
    user, second_step_done = _verify_credentials(login, password, device=device, otp=otp)
    if user.totp_secret and otp and not second_step_done:
        check_second_factor(user, otp)
    if not user.totp_secret or otp:
        _signed_in(user)
    db.session.flush()
    return user


def create_token(login, password, name: str = "api", otp=None) -> tuple[User, str]:
    """Sign in and issue a bearer token in one transaction; the clear token is returned once.
    With two-step verification on, `otp` (a current code or a recovery code) is required; with it,
    a lockout caused by strangers' wrong passwords does not apply.
    Raises ValidationFailed (field name), AuthenticationFailed (code otp_required / invalid_otp), Locked."""
    errors: dict[str, list[str]] = {}
    name = _token_name(name, errors)
    if errors:
        raise ValidationFailed(errors)
    otp = otp if isinstance(otp, str) and otp.strip() else None
    user, second_step_done = _verify_credentials(login, password, otp=otp)
    if user.totp_secret and not second_step_done:
        if not otp:
            raise AuthenticationFailed(_("Enter the code from your authenticator app."), code="otp_required")
        check_second_factor(user, otp)
    _signed_in(user)
    token = _new_token(user, name)
    db.session.flush()
    return user, token


def _lock_settings() -> tuple[int, timedelta, timedelta]:
    cfg = current_app.config
    return (int(cfg.get("FORUM_LOCKOUT_ATTEMPTS", 5)), timedelta(minutes=int(cfg.get("FORUM_LOCKOUT_WINDOW_MINUTES", 15))),
            timedelta(minutes=int(cfg.get("FORUM_LOCKOUT_MINUTES", 15))))


def _locked_error(user: User) -> Locked:
    until = user.locked_until or (user.first_failed_at or utcnow()) + _lock_settings()[1]
    return Locked(_("Too many wrong passwords: this account is locked until %(time)s. Wait until then and "
                    "try again.", time=format_datetime(until, "HH:mm")), until)


def _claim_attempt(user: User, now) -> tuple[int, object] | None:
    """Count a sign-in attempt (password or second-step code) BEFORE its secret is checked, in one
    UPDATE, and commit it: however many attempts arrive at once, at most FORUM_LOCKOUT_ATTEMPTS in a
    window get a number and go on to the check; the one that reaches the limit locks the account.
    Returns (number, window start), or None while the account is locked (the attempt is refused
    unchecked, so a right password then neither gets in nor lifts the lock)."""
    attempts, window, lock_for = _lock_settings()
    at = sa.literal(now, User.first_failed_at.type)
    # A new window starts after the last one ended, or once a lock has run out.
    fresh = sa.or_(User.first_failed_at.is_(None), User.first_failed_at <= now - window, User.locked_until <= now)
    number = sa.case((fresh, 1), else_=User.failed_logins + 1)
    claimed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.locked_until.is_(None), User.locked_until <= now),
               sa.or_(fresh, User.failed_logins < attempts))
        .values(failed_logins=number, first_failed_at=sa.case((fresh, at), else_=User.first_failed_at),
                locked_until=sa.case((number >= attempts, sa.literal(now + lock_for, User.locked_until.type)),
                                     else_=None))
        .returning(User.failed_logins, User.first_failed_at)
        .execution_options(synchronize_session=False)
    ).first()
    checkpoint()  # counted even if this request dies during the check, or fails after it
    return tuple(claimed) if claimed is not None else None


def _release_attempt(user: User, claim: tuple[int, object]) -> None:
    """A right password or code is not a wrong guess: give back the attempt it claimed (lifting the
    lock its number may have set), so that only wrong ones add up. Made durable at once, like the
    claim: a sign-in refused later (an inactive account, a wrong second step) still had a right
    password."""
    db.session.execute(
        sa.update(User).where(User.id == user.id, User.first_failed_at == claim[1], User.failed_logins > 0)
        .values(failed_logins=User.failed_logins - 1, locked_until=None)
        .execution_options(synchronize_session=False))
    checkpoint()


def _settle_attempt(user: User, claim: tuple[int, object] | None, ok: bool) -> None:
    """After the check: a right secret gives its attempt back; a wrong one keeps it, and raises
    Locked when it was the last one allowed. Without a claim (a known device's attempt, one past
    the lock) there is nothing to settle."""
    if claim is None:
        return
    if ok:
        _release_attempt(user, claim)
    elif claim[0] >= _lock_settings()[0]:
        raise _locked_error(user)


def _verify_credentials(login, password, *, device: str | None = None, otp=None) -> tuple[User, bool]:
    """The account and whether its second step was done here (a locked account, password and code).

    Strangers' attempts are counted atomically before the password is checked (_claim_attempt); a
    browser where the member signed in before and a member with two-step verification have a
    budget of their own past the lock (below)."""
    user = None
    if isinstance(login, str) and login.strip() and "\x00" not in login and len(login) <= 254:
        login = login.strip()
        if "@" in login:
            user = db.session.scalar(sa.select(User).where(User.email_key == login.casefold()))
        else:
            user = _find_by_username(login)
    now = utcnow()
    trusted = user is not None and _known_device_attempt(user, device)
    claim = None
    if user is not None and not trusted:
        claim = _claim_attempt(user, now)
        if claim is None:  # locked
            if user.totp_secret and otp:
                return _sign_in_past_lock(user, password, otp), True
            check_password(None, "")  # the same work as any attempt
            raise _locked_error(user)
    ok = check_password(user, password if isinstance(password, str) else "")
    _settle_attempt(user, claim, ok)  # a known device's attempt leaves strangers' count as it is
    if not ok or user is None or not user.is_active:
        raise AuthenticationFailed(_("Wrong username or password."), code="invalid_credentials")
    user.last_seen_at = now
    return user, False


# --- lockout exemption: known devices and the second factor -----------------------------------------
# Strangers' wrong passwords lock an account (above); they must not lock its member out. A browser
# where the member signed in before (a signed cookie, forum.auth.devices) and a member who passes
# two-step verification get past that lock, within a budget of their own: FORUM_LOCKOUT_ATTEMPTS
# attempts between complete sign-ins (users.trusted_attempts), taken atomically before the secret
# is checked, so a stolen device cookie or a known password cannot guess on without end.

def _claim_trusted_attempt(user: User, *, count: bool = True) -> bool:
    """Take one attempt of the budget (one conditional UPDATE, committed at once, so parallel
    attempts cannot overdraw it); False when none is left. count=False does the same work and
    takes nothing (for attempts whose result must not show in the timing)."""
    attempts = _lock_settings()[0]
    taken = db.session.execute(
        sa.update(User).where(User.id == user.id, User.trusted_attempts < attempts)
        .values(trusted_attempts=User.trusted_attempts + (1 if count else 0)).returning(User.id)).first()
    checkpoint()
    return taken is not None


def _known_device_attempt(user: User, device: str | None) -> bool:
    """Does the attempt come from a browser where this member signed in before (and is there budget)?"""
    return bool(device) and devices.is_known(device, user) and _claim_trusted_attempt(user)


def _sign_in_past_lock(user: User, password, otp) -> User:
    """A locked account with two-step verification: the password and a code together still sign
    the member in. Both are checked every time and fail with one message, so a stranger learns
    nothing about the password; attempts with the right password spend the budget (strangers'
    wrong passwords cost the member nothing; the per-address sign-in limit bounds their hashing)."""
    ok = check_password(user, password if isinstance(password, str) else "")
    if _claim_trusted_attempt(user, count=ok) and ok and user.is_active:
        try:
            check_second_factor(user, otp, budget_taken=True)
        except (AuthenticationFailed, Locked):
            pass
        else:
            user.last_seen_at = utcnow()
            return user
    raise AuthenticationFailed(_("Wrong password or code."), code="invalid_credentials")


def _signed_in(user: User) -> None:
    """A complete sign-in (every step passed) renews the budget, and cancels an erasure the member
    asked for, within its grace period (forum.privacy); `user.erasure_cancelled` then says so, for
    the caller to tell the member. Flushes at the caller's commit."""
    user.trusted_attempts = 0
    user.erasure_cancelled = False
    if user.erasure_due_at is not None and user.erased_at is None:
        user.erasure_requested_at = user.erasure_due_at = None
        user.erasure_cancelled = True
        signals.erasure_cancelled.send(user)


def confirm_password(actor: User, password, field: str = "password") -> bool:
    """A signed-in member proving the password again before a grave step (deleting the account):
    counted like a sign-in attempt. Raises ValidationFailed (on `field`) while the account is locked."""
    return _confirm_password(actor, password, field)


# Values of features to the right of auth (the member's unread count: forum.notifications) read in
# the signed-in member's own query, one round trip instead of one more each: (column, remember).
_READ_WITH_MEMBER: list[tuple[Callable, Callable]] = []


def read_with_session_user(column: Callable, remember: Callable) -> None:
    """Have `column(User.id)` (SQL: a scalar subquery) read with the signed-in member at the start of
    each request, and `remember(user, value)` told its value. For features that auth must not
    import (DESIGN.md's order); each registers at its init_app."""
    if (column, remember) not in _READ_WITH_MEMBER:
        _READ_WITH_MEMBER.append((column, remember))
        _session_user_statement.cache_clear()


@lru_cache(maxsize=None)
def _session_user_statement() -> sa.Select:
    columns = [column(User.id) for column, _remember in _READ_WITH_MEMBER]
    return sa.select(User, *columns).where(User.id == sa.bindparam("user_id"))


def load_session_user(session_id: str) -> User | None:
    """The user for a session cookie id "<id>:<session_version>"; None if it was ended."""
    try:
        user_id, version = (int(part) for part in str(session_id).split(":", 1))
    except (TypeError, ValueError):
        return None
    if not is_row_id(user_id):
        return None
    row = db.session.execute(_session_user_statement(), {"user_id": user_id}).first()
    user = row[0] if row is not None else None
    if user is None or user.session_version != version or not user.is_active:
        return None
    for (_column, remember), value in zip(_READ_WITH_MEMBER, row[1:]):
        remember(user, value)
    return user


_UNSET = object()


def update_settings(actor: User, *, locale=_UNSET, about=_UNSET) -> None:
    """Change the member's interface language (None: follow the browser) and/or "about me" text
    (plain text, at most 1,000 characters, public on the profile: screened like a post, and refused
    where a post would be held or refused). Raises ValidationFailed (PrivateDataFound)."""
    errors: dict[str, list[str]] = {}
    if locale is not _UNSET and locale not in (None, "", *current_app.config["FORUM_LOCALES"]):
        errors["locale"] = [_("Unknown language.")]
    if about is not _UNSET:
        if not isinstance(about, str):
            errors["about"] = [_("Must be text.")]
        elif len(about) > 1000:
            errors["about"] = [_("At most %(max)d characters.", max=1000)]
        elif re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", about):
            errors["about"] = [_("Remove the control characters.")]
    if errors:
        raise ValidationFailed(errors)
    if about is not _UNSET:
        about = _screen_about(actor, text.strip_invisible(about).strip())
    if locale is not _UNSET:
        actor.locale = locale or None
    if about is not _UNSET:
        actor.about = about
    db.session.flush()


def _screen_about(actor: User, about: str) -> str:
    """The profile text after the screening (censored by watched words); a profile cannot wait in
    the review queue, so what would hold a post refuses it. Raises ValidationFailed."""
    if not about:
        return about
    verdict = screen("profile", actor, {"about": about})
    if verdict.hold:
        raise ValidationFailed({"about": [_("This text cannot be shown on your profile (%(why)s). Remove it and "
                                            "save again.", why=detail_text(verdict.detail))]})
    return verdict.texts["about"]


# --- API tokens ----------------------------------------------------------------------------------

def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_NAME_MAX = 64
# last_used_at (and with it the sliding expiry) is written at most this often per token, so that
# a busy script does not turn every request into a write.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def token_lifetime() -> timedelta:
    """How long a token lives after its last use (FORUM_TOKEN_DAYS, at least one day)."""
    return timedelta(days=max(1, int(current_app.config.get("FORUM_TOKEN_DAYS", 90))))


def token_expires_at(row: ApiToken):
    """Sliding expiry: FORUM_TOKEN_DAYS after the last use (or the creation). Computed rather than
    stored, so that shortening FORUM_TOKEN_DAYS shortens every existing token at once."""
    return (row.last_used_at or row.created_at) + token_lifetime()


def _token_name(name, errors: dict) -> str:
    if name is None or (isinstance(name, str) and not name.strip()):
        return "api"
    if not isinstance(name, str):
        errors["name"] = [_("Must be text.")]
        return ""
    name = unicodedata.normalize("NFKC", name).strip()
    if len(name) > TOKEN_NAME_MAX:
        errors["name"] = [_("At most %(max)d characters.", max=TOKEN_NAME_MAX)]
    elif any(unicodedata.category(c)[0] == "C" for c in name):
        errors["name"] = [_("Remove the control characters.")]
    return name


def issue_token(user: User, name: str = "api") -> str:
    """Create a bearer token for `user`; the clear token is returned once and never stored.
    Raises ValidationFailed (field name)."""
    token = _new_token(user, name)
    db.session.flush()
    return token


def _new_token(user: User, name) -> str:
    errors: dict[str, list[str]] = {}
    name = _token_name(name, errors)
    if errors:
        raise ValidationFailed(errors)
    token = "fm_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=_token_digest(token), name=name, created_at=utcnow()))
    return token


def user_for_token(token: str) -> User | None:
    """The active user holding this token, or None when it is unknown, revoked or expired. Each use
    moves the expiry forward (recorded at most once a minute per token)."""
    if not isinstance(token, str) or not token or len(token) > 200 or "\x00" in token:
        return None
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == _token_digest(token), ApiToken.revoked_at.is_(None))
    )
    now = utcnow()
    if row is None or token_expires_at(row) <= now or not row.user.is_active:
        return None
    user_id = row.user_id
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_TOUCH_INTERVAL:
        _touch_token(row.id, now)
    return db.session.get(User, user_id)


def _touch_token(token_id: int, now) -> None:
    # Its own short transaction, begun by the write: on SQLite a read-only request's transaction
    # that wrote after reading could fail with "database is locked"; a fresh one waits its turn.
    # The condition keeps concurrent requests from writing more than once a minute. Bookkeeping,
    # not the request's command: checkpoints (it runs before the command, which has written nothing).
    checkpoint()
    try:
        db.session.execute(sa.update(ApiToken).where(
            ApiToken.id == token_id,
            sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOKEN_TOUCH_INTERVAL),
        ).values(last_used_at=now))
        checkpoint()
    except sa.exc.OperationalError:  # the database is busy: the next use records it
        db.session.rollback()


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime


def live_tokens(actor: User) -> list[TokenView]:
    """The member's tokens that still work (not revoked, not expired), newest first."""
    now = utcnow()
    rows = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None))
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()
    views = [TokenView(row.id, row.name, row.created_at, row.last_used_at, token_expires_at(row)) for row in rows]
    return [view for view in views if view.expires_at > now]


def describe_token(token: str) -> TokenView:
    """Name, times and expiry of a token given in clear (just issued). Raises NotFound."""
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _token_digest(token))) \
        if isinstance(token, str) else None
    if row is None:
        raise NotFound(_("Unknown token."))
    return TokenView(row.id, row.name, row.created_at, row.last_used_at, token_expires_at(row))


def revoke_token_of(actor: User, token_id) -> ApiToken:
    """Revoke one of the member's own tokens (idempotent). Raises NotFound for any other id."""
    row = db.session.get(ApiToken, token_id) if is_row_id(token_id) else None
    if row is None or row.user_id != actor.id:
        raise NotFound(_("Unknown token."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    db.session.flush()
    return row


def revoke_token(token: str) -> None:
    """Revoke the token (idempotent). Raises NotFound for an unknown token."""
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if row is None:
        raise NotFound(_("Unknown token."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    db.session.flush()


def set_role(username: str, role: Role) -> User:
    """Change a member's role (command line only). Raises NotFound."""
    user = get_user_by_name(username)
    user.role = role
    db.session.flush()
    return user



# --- password reset ------------------------------------------------------------------------------

RESET_VALID_FOR = timedelta(minutes=30)


def request_password_reset(email) -> None:
    """E-mail a single-use reset link (valid 30 minutes) if an account has this address. The caller
    answers the same whether or not one does, so addresses cannot be probed. Commits."""
    if not isinstance(email, str) or "\x00" in email or len(email) > 254:
        return
    user = db.session.scalar(sa.select(User).where(User.email_key == email.strip().casefold()))
    if user is None or not user.is_active:
        hash_password(secrets.token_urlsafe(8))  # about the same work as the real path
        return
    token = secrets.token_urlsafe(32)  # 256 random bits
    now = utcnow()
    db.session.add(PasswordReset(user_id=user.id, token_hash=_token_digest(token), created_at=now,
                                 expires_at=now + RESET_VALID_FOR))
    db.session.flush()
    signals.password_reset_requested.send(user, token=token, expires_at=now + RESET_VALID_FOR)
    db.session.flush()


def _live_reset(token) -> PasswordReset | None:
    if not isinstance(token, str) or not token or len(token) > 200 or "\x00" in token:
        return None
    row = db.session.scalar(sa.select(PasswordReset).where(PasswordReset.token_hash == _token_digest(token)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def reset_link_is_valid(token) -> bool:
    return _live_reset(token) is not None


def reset_password(token, new_password) -> User:
    """Set a new password with a reset token (once, within 30 minutes). Every session and API
    token of the account ends, and any lockout is lifted. Raises ValidationFailed."""
    row = _live_reset(token)
    if row is None:
        raise ValidationFailed({"token": [_("This reset link is invalid, used or expired. Ask for a new one.")]})
    user = db.session.get(User, row.user_id)
    errors: dict[str, list[str]] = {}
    _validate_password(new_password, errors, user.username)
    if errors:
        raise ValidationFailed(errors)
    now = utcnow()
    claimed = db.session.execute(sa.update(PasswordReset).where(PasswordReset.id == row.id,
                                                                PasswordReset.used_at.is_(None))
                                 .values(used_at=now).returning(PasswordReset.id)).first()
    if claimed is None:  # used by a concurrent request
        raise ValidationFailed({"token": [_("This reset link is invalid, used or expired. Ask for a new one.")]})
    user.password_hash = hash_password(new_password)
    user.session_version = User.session_version + 1  # every signed-in browser is signed out
    user.trusted_attempts = 0  # a new password renews the lockout exemption's budget
    user.failed_logins, user.first_failed_at, user.locked_until = 0, None, None
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=now))
    db.session.execute(sa.update(PasswordReset).where(PasswordReset.user_id == user.id,
                                                      PasswordReset.used_at.is_(None)).values(used_at=now))
    db.session.flush()
    return user


def _confirm_password(actor: User, password, field: str) -> bool:
    """A signed-in member proving the password again (settings pages): counted like a sign-in
    attempt before it is checked, so a stolen session cannot guess the password without end. A lock
    that strangers caused leaves the member the lockout exemption's budget. Raises ValidationFailed
    (on `field`, with the lock's message) when no attempt is left."""
    try:
        claim = _claim_attempt(actor, utcnow())
        if claim is None:  # locked by strangers: wrong passwords spend the exemption's budget
            if not _claim_trusted_attempt(actor, count=False):  # none left: no hash is computed
                raise _locked_error(actor)
            ok = isinstance(password, str) and check_password(actor, password)
            if not ok and not _claim_trusted_attempt(actor):
                raise _locked_error(actor)
            return ok
        ok = isinstance(password, str) and check_password(actor, password)
        _settle_attempt(actor, claim, ok)
        return ok
    except Locked as error:
        raise ValidationFailed({field: [error.message]}) from None


def change_password(actor: User, current, new) -> User:
    """Change the password, proving the current one. Every other session and every API token of
    the account ends (the caller signs the current browser in again). Raises ValidationFailed."""
    errors: dict[str, list[str]] = {}
    if not _confirm_password(actor, current, "current_password"):
        errors["current_password"] = [_("That is not your current password.")]
    _validate_password(new, errors, actor.username)
    if errors:
        checkpoint()  # keep a rehash, if check_password made one
        raise ValidationFailed(errors)
    actor.password_hash = hash_password(new)
    actor.session_version = User.session_version + 1
    actor.trusted_attempts = 0
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))
    db.session.flush()
    db.session.refresh(actor)
    return actor


def change_email(actor: User, current, email) -> User:
    """Change the e-mail address, proving the current password. The old address is told by e-mail
    (after the commit) and every other session of the account ends (the caller signs the current
    browser in again). API tokens stay: each is named, listed and revoked on its own in the
    settings, and only someone who knows the password made them. Whether another account has the
    address is said only once the password is right. Raises ValidationFailed."""
    errors: dict[str, list[str]] = {}
    if not _confirm_password(actor, current, "current_password"):
        errors["current_password"] = [_("That is not your current password.")]
    email = _validate_email(email, errors)
    if not errors and email.casefold() == actor.email_key:
        errors["email"] = [_("This is already your e-mail address.")]
    if not errors and _email_taken(email, other_than=actor.id):
        errors["email"] = [_("An account with this e-mail address already exists.")]
    if errors:
        checkpoint()  # keep a rehash, if check_password made one
        raise ValidationFailed(errors)
    old_email = actor.email
    actor.email, actor.email_key = email, email.casefold()
    actor.session_version = User.session_version + 1  # every other signed-in browser is signed out
    db.session.flush()
    signals.email_changed.send(actor, old_email=old_email)
    db.session.flush()
    db.session.refresh(actor)
    return actor


# --- two-step verification (TOTP) -------------------------------------------------------------------

RECOVERY_CODES = 10


def _provisioning(actor: User, secret: str) -> tuple[str, str]:
    return secret, pyotp.TOTP(secret).provisioning_uri(name=actor.username, issuer_name="Support Community")


def start_totp(actor: User) -> tuple[str, str]:
    """Begin enrolment: a pending secret (the one already pending, if any, so that a second click
    or a second tab does not invalidate the key just scanned); returns (secret, otpauth URI for the
    QR code). Commits."""
    if not actor.totp_pending_secret:
        actor.totp_pending_secret = pyotp.random_base32()
        db.session.flush()
    return _provisioning(actor, actor.totp_pending_secret)


def pending_totp(actor: User) -> tuple[str, str] | None:
    """The enrolment in progress (secret, otpauth URI), or None. Reads only."""
    secret = actor.totp_pending_secret
    return _provisioning(actor, secret) if secret else None


def cancel_totp(actor: User) -> None:
    """Abandon an enrolment in progress (the pending secret is forgotten). Commits."""
    actor.totp_pending_secret = None
    db.session.flush()


def confirm_totp(actor: User, code) -> list[str]:
    """Finish enrolment with a code from the app; returns ten recovery codes (shown once, stored
    hashed). Raises ValidationFailed."""
    secret = actor.totp_pending_secret
    step = _valid_step(secret, code) if secret else None
    if step is None:
        raise ValidationFailed({"code": [_("That code is not right. Check the time on your phone and try again.")]})
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    actor.totp_secret, actor.totp_pending_secret, actor.totp_last_step = secret, None, step
    actor.recovery_codes = " ".join(_token_digest(c) for c in codes)
    db.session.flush()
    return codes


def disable_totp(actor: User, password, code) -> None:
    """Turn two-step verification off, proving the password and a current code from the app (or
    a recovery code): a stolen session, or a password alone, cannot remove the second step. Wrong
    codes count toward the lockout like wrong codes at sign-in. Raises ValidationFailed."""
    if not _confirm_password(actor, password, "password"):
        checkpoint()  # keep a rehash, if check_password made one
        raise ValidationFailed({"password": [_("That is not your current password.")]})
    if actor.totp_secret:
        try:
            check_second_factor(actor, code)
        except (AuthenticationFailed, Locked) as error:
            raise ValidationFailed({"code": [error.message]}) from None
    actor.totp_secret = actor.totp_pending_secret = actor.totp_last_step = None
    actor.recovery_codes = ""
    db.session.flush()


def _valid_step(secret: str, code) -> int | None:
    """The time step a 6-digit code belongs to, allowing one step of drift either way."""
    if not isinstance(code, str):
        return None
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_second_factor(user: User, code, *, budget_taken: bool = False) -> None:
    """Accept a TOTP code (never the same time step twice) or an unused recovery code (each used
    once, however many requests present it at once). Codes count toward the lockout like passwords:
    counted before they are checked, a right one given back. While the account is locked the code is
    still checked, within the lockout-exemption budget (`budget_taken`: the caller took the attempt
    already). Raises Locked or AuthenticationFailed."""
    now = utcnow()
    # Strangers' count first (None when the account is or just became locked: their parallel
    # guesses may lock it while this request waits), then the exemption's own budget.
    claim = None if user.locked_until is not None and user.locked_until > now else _claim_attempt(user, now)
    if claim is None and not budget_taken and not _claim_trusted_attempt(user):
        raise _locked_error(user)
    step = _valid_step(user.totp_secret, code) if user.totp_secret else None
    if step is not None:
        accepted = db.session.execute(
            sa.update(User).where(User.id == user.id, sa.or_(User.totp_last_step.is_(None),
                                                             User.totp_last_step < step))
            .values(totp_last_step=step).returning(User.id)).first() is not None
    else:
        accepted = isinstance(code, str) and bool(code.strip()) and _use_recovery_code(user, code)
    _settle_attempt(user, claim, accepted)
    if accepted:
        return
    raise AuthenticationFailed(_("That code is not right, or it was used already."), code="invalid_otp")


def _use_recovery_code(user: User, code: str) -> bool:
    """Strike the code from the member's list in one conditional UPDATE: of any number of requests
    presenting the same code at once, exactly one finds it there."""
    digest = _token_digest(code.strip().lower())
    listed = " " + User.recovery_codes + " "
    return db.session.execute(
        sa.update(User).where(User.id == user.id, listed.contains(f" {digest} "))
        .values(recovery_codes=sa.func.trim(sa.func.replace(listed, f" {digest} ", " ")))
        .returning(User.id).execution_options(synchronize_session=False)
    ).first() is not None


def finish_sign_in(user: User) -> None:
    """Commit what a successful second step changed (the used step or recovery code)."""
    _signed_in(user)
    db.session.flush()


def end_all_sessions(actor: User) -> None:
    """Sign the account out everywhere: every browser session (session version) and every API
    token. Used on logout, as the security issue asks."""
    actor.session_version = User.session_version + 1
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))
    db.session.flush()
