"""Issue 14, finding 11: every redirect to an address taken from the request goes only to a path
on this site, and never puts a control character into a header (it was a 500)."""
import pytest

from forum.web.navigation import local_url

DEFAULT = "/home"

HOSTILE = [
    "/\r\nX:1", "/\nSet-Cookie: a=b", "/\rX", "/a\x00b", "/\tevil", "/\t/evil.example", "/\x0b", "/\x1f",
    "/\x7f", "/\x85x", "/\u2028x", "/\u2029x", "/\u200bx", "/\u202ex", "/\ufeffx", "/\ud800",
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
    "http:/evil.example", "javascript:alert(1)", "evil.example", "", None, "//", " /x", "\t/x",
    "/" + "a" * 3000, 12, ["/x"],
]
SAFE = ["/", "/questions/1", "/search?q=%E9%80%80%E6%AC%BE&page=2", "/questions/1#a-2", "/users/小林",
        "/search?q=a+b", "/tags/c%2B%2B"]


@pytest.mark.parametrize("target", HOSTILE, ids=repr)
def test_hostile_targets_fall_back_to_the_default(target):
    assert local_url(target, DEFAULT) == DEFAULT


@pytest.mark.parametrize("target", SAFE)
def test_paths_on_this_site_are_kept(target):
    assert local_url(target, DEFAULT) == target


@pytest.mark.parametrize("quoted", ["/%0D%0AX:1", "/%0AX:1", "/%0DX:1", "/%09/evil.example", "/%E2%80%A8x",
                                    "%2F%2Fevil.example", "/%5Cevil.example", "https://evil.example"])
def test_signed_in_login_with_a_hostile_next_redirects_home(client, create_user, login, quoted):
    login(create_user())
    response = client.get(f"/login?next={quoted}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/" and "\r" not in location and "\n" not in location


def test_every_next_taking_route_refuses_header_injection(client, create_user, create_question, login):
    question = create_question()
    login(create_user())
    hostile = "/\r\nX-Injected: 1"
    for method, url, data in [
        ("get", "/login", None),
        ("get", "/register", None),
        ("post", "/language", {"locale": "en", "next": hostile}),
        ("post", "/notifications/read", {"all": "1", "next": hostile}),
        ("post", "/follow", {"question_id": str(question.id), "next": hostile}),
        ("post", f"/questions/{question.id}/flag", {"kind": "spam", "next": hostile}),
    ]:
        if method == "get":
            response = client.get(url, query_string={"next": hostile})
        else:
            response = client.post(url, data=data)
        assert response.status_code in (200, 302), (url, response.status_code)
        assert "X-Injected" not in response.headers
        assert "\n" not in response.headers.get("Location", "")


def test_a_good_next_still_works_after_signing_in(client, create_user):
    user = create_user()
    response = client.post("/login?next=/search%3Fq%3Da", data={"login": user.username, "password": "correct-horse-42"})
    assert response.status_code == 302 and response.headers["Location"] == "/search?q=a"
    response = client.post("/login?next=/%0D%0AX:1", data={"login": user.username, "password": "correct-horse-42"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
