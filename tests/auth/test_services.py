import pytest
from argon2 import PasswordHasher
from argon2.low_level import Type

from forum import settings as config
from forum.auth import services
from forum.auth.models import Role
from forum.core.errors import AuthenticationFailed, NotFound, ValidationFailed


def test_default_password_hashing_meets_owasp_asvs():
    # The production defaults, not the cheap test parameters.
    assert config.Config.FORUM_ARGON2_MEMORY_KIB >= 46 * 1024
    assert config.Config.FORUM_ARGON2_TIME_COST >= 1
    hasher = PasswordHasher(memory_cost=config.Config.FORUM_ARGON2_MEMORY_KIB,
                            time_cost=config.Config.FORUM_ARGON2_TIME_COST, parallelism=1)
    assert hasher.type is Type.ID
    assert hasher.hash("x" * 8).startswith("$argon2id$v=19$m=47104,t=1,p=1$")


def test_register_chinese_username_and_case_insensitive_uniqueness(create_user):
    user = create_user("张三_Zh")
    assert user.username == "张三_Zh" and user.role is Role.MEMBER and user.reputation == 1
    assert user.password_hash.startswith("$argon2id$")
    with pytest.raises(ValidationFailed) as err:
        services.register_user("张三_zh", "other@example.com", "password-123")
    assert "username" in err.value.fields
    assert services.get_user_by_name("张三_ZH").id == user.id


def test_register_rejects_bad_input(ctx):
    with pytest.raises(ValidationFailed) as err:
        services.register_user("a", "not-an-email", "short")
    assert set(err.value.fields) == {"username", "email", "password"}
    with pytest.raises(ValidationFailed) as err:
        services.register_user("客服", "kf@example.com", "password-123")
    assert "username" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        services.register_user("has space", "x@example.com", "password-123")
    assert "username" in err.value.fields
    with pytest.raises(ValidationFailed):
        services.register_user(123, None, ["x"])


def test_email_is_unique_without_regard_to_case(create_user):
    create_user("first", email="Same@Example.com")
    with pytest.raises(ValidationFailed) as err:
        services.register_user("second", "same@example.COM", "password-123")
    assert "email" in err.value.fields


def test_authenticate_by_name_or_email_and_fails_alike(create_user):
    user = create_user("lisi", email="lisi@example.com", password="right-password")
    assert services.authenticate("LiSi", "right-password").id == user.id
    assert services.authenticate("lisi@example.com", "right-password").id == user.id
    with pytest.raises(AuthenticationFailed) as wrong:
        services.authenticate("lisi", "wrong-password")
    with pytest.raises(AuthenticationFailed) as unknown:
        services.authenticate("nobody", "wrong-password")
    assert wrong.value.message == unknown.value.message and wrong.value.code == unknown.value.code


def test_tokens_are_stored_hashed_and_revocable(create_user):
    from forum.auth.models import ApiToken
    from forum.extensions import db

    user = create_user()
    token = services.issue_token(user)
    stored = db.session.query(ApiToken).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert services.user_for_token(token).id == user.id
    services.revoke_token(token)
    assert services.user_for_token(token) is None
    assert services.user_for_token("fm_unknown") is None
    with pytest.raises(NotFound):
        services.revoke_token("fm_unknown")


def test_session_ids_end_when_the_version_changes(create_user):
    user = create_user()
    session_id = user.get_id()
    assert services.load_session_user(session_id).id == user.id
    user.session_version += 1
    assert services.load_session_user(session_id) is None
    assert services.load_session_user("garbage") is None


def test_settings_validate(create_user):
    user = create_user()
    services.update_settings(user, locale="en", about="  hi  ")
    assert user.locale == "en" and user.about == "hi"
    with pytest.raises(ValidationFailed):
        services.update_settings(user, locale="fr")
    with pytest.raises(ValidationFailed):
        services.update_settings(user, about="x" * 1001)


@pytest.mark.parametrize("name", ["官方客服小王", "Support_Li", "ｓｕｐｐｏｒｔ", "平台版主", "the.Admin", "客-服"])
def test_members_cannot_take_names_that_look_official(ctx, name):
    with pytest.raises(ValidationFailed) as caught:
        services.register_user(name, "someone@example.com", "correct-horse-42")
    assert "username" in caught.value.fields


def test_staff_accounts_may_carry_official_names(ctx):
    user = services.register_user("官方客服小王", "kefu@example.com", "correct-horse-42", role=Role.STAFF)
    assert user.role is Role.STAFF
