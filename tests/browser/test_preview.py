"""The live preview tells the author when it cannot render, instead of going quiet."""
import pytest

from forum.questions.rules import BODY_MAX
from tests.browser.test_ask_and_answer import register

pytestmark = pytest.mark.browser


def test_preview_says_when_the_body_is_too_long_and_recovers(page):
    register(page, "预览长文", "preview-long@example.com")
    page.goto("/ask")
    body = page.get_by_label("详细描述")
    body.fill("长" * (BODY_MAX + 1))
    note = page.locator("#question-preview .preview-note")
    note.wait_for()
    assert str(BODY_MAX) in note.inner_text()
    body.fill("短一点的**正文**")
    page.locator("#question-preview strong", has_text="正文").wait_for()
    assert page.locator("#question-preview .preview-note").count() == 0
