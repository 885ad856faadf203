"""Issue 14, finding 10: registration must not tell anyone whether an address has an account.
The address is checked only once every other field is valid, i.e. only for a request that would
otherwise have created an account (the e-mail change: tests/auth/test_account_changes.py)."""
import re

import pytest

from forum.auth import services
from forum.core.errors import ValidationFailed

CSRF_TOKEN = re.compile(r'(?<=name="csrf-token" content=")[^"]+|(?<=name="csrf_token" value=")[^"]+')

TAKEN = "owner@example.com"

# Every way a request can be wrong besides the address: each must say nothing about the address.
OTHER_MISTAKES = [
    {"username": "newcomer", "password": "short"},             # the reported case: a short password
    {"username": "newcomer", "password": ""},                  # no password
    {"username": "newcomer", "password": "x" * 129},           # too long
    {"username": "newcomer", "password": "newcomer"},          # the username as password
    {"username": "n", "password": "a-good-password"},          # too short a name
    {"username": "new comer!", "password": "a-good-password"},  # characters not allowed
    {"username": "admin", "password": "a-good-password"},      # reserved
    {"username": "官方客服小王", "password": "a-good-password"},  # looks official
    {"username": "owner", "password": "a-good-password"},      # the name is taken (names are public)
    {"username": "", "password": "short"},
]


def _fields(error: ValidationFailed) -> dict:
    return error.fields


@pytest.mark.parametrize("case", OTHER_MISTAKES, ids=lambda c: f"{c['username']!r}/{len(c['password'])}")
def test_the_service_says_nothing_about_the_address_while_another_field_is_wrong(create_user, case):
    create_user("owner", email=TAKEN)
    with pytest.raises(ValidationFailed) as known:
        services.register_user(case["username"], TAKEN.upper(), case["password"])
    with pytest.raises(ValidationFailed) as unknown:
        services.register_user(case["username"], "stranger@example.com", case["password"])
    assert "email" not in _fields(known.value)
    assert _fields(known.value) == _fields(unknown.value)


def test_a_taken_address_is_said_only_when_everything_else_is_valid(create_user):
    create_user("owner", email=TAKEN)
    with pytest.raises(ValidationFailed) as err:
        services.register_user("newcomer", TAKEN, "a-good-password")
    assert list(_fields(err.value)) == ["email"]


def test_the_api_answers_alike_for_known_and_unknown_addresses(client, create_user):
    create_user("owner", email=TAKEN)
    for case in OTHER_MISTAKES:
        answers = []
        for email in (TAKEN, "stranger@example.com"):
            response = client.post("/api/v1/users", json={"username": case["username"], "email": email,
                                                         "password": case["password"]})
            assert response.status_code == 422
            answers.append(response.get_json())
        assert answers[0] == answers[1], case
        assert "email" not in answers[0]["error"]["fields"]
        assert "该邮箱已注册" not in str(answers[0]) and "已存在" not in str(answers[0]["error"]["fields"])


def test_the_register_page_answers_alike_for_known_and_unknown_addresses(client, create_user):
    create_user("owner", email=TAKEN)
    pages = [client.post("/register", data={"username": "newcomer", "email": email, "password": "short"},
                         headers={"Accept-Language": "en"}) for email in (TAKEN, "stranger@example.com")]
    assert pages[0].status_code == pages[1].status_code == 422
    # The CSRF token carries a timestamp: two requests a second apart differ there and only there.
    texts = [CSRF_TOKEN.sub("CSRF", page.get_data(as_text=True)).replace(TAKEN, "ADDRESS")
             .replace("stranger@example.com", "ADDRESS") for page in pages]
    assert "already exists" not in texts[0]
    assert texts[0] == texts[1]
