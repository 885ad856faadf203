"""Signing in and out in the browser tests, whatever the page's language."""
from __future__ import annotations


def sign_in(page, username: str, password: str) -> None:
    """Through the sign-in form; returns once the page it leads to has loaded."""
    page.goto("/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def sign_out(page) -> None:
    """Through the member's menu in the header (a <details>: the sign-out button is inside it)."""
    page.locator(".user-menu > summary").click()
    with page.expect_navigation():
        page.locator(".site-header form[action='/logout'] button").click()
