"""Images in posts (issue 19): a member pastes a screenshot into the ask editor, or chooses one; it
uploads with progress, the preview shows it, and so does the thread, at desktop and phone widths.

Screenshots go to tests/browser/screenshots/uploads/ for people to look at (no byte comparison)."""
from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image, ImageDraw

from tests.browser.conftest import SCREENSHOTS
from tests.browser.session import sign_in
from tests.fixtures.auth import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = SCREENSHOTS / "uploads"


def _screenshot_png() -> bytes:
    """A made-up "payment failed" screenshot, with EXIF that must not survive."""
    image = Image.new("RGB", (900, 560), (246, 248, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 900, 70), fill=(26, 95, 208))
    draw.rectangle((60, 140, 840, 420), outline=(198, 40, 40), width=6)
    draw.text((90, 180), "Payment failed: error 5102", fill=(198, 40, 40))
    draw.text((90, 230), "Card **** **** **** 1234", fill=(31, 35, 40))
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    image.save(buffer, "PNG", exif=exif.tobytes())
    return buffer.getvalue()


def _shot(page, name: str, backend: str) -> None:
    """Kept in the repository like the layout test's (one file whichever database ran last)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _wait(check, timeout: float = 15) -> None:
    """Poll `check()` (page.wait_for_function evaluates strings, which the CSP forbids)."""
    import time

    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _loaded(locator) -> bool:
    return locator.evaluate("img => img.complete && img.naturalWidth > 0")


@pytest.mark.parametrize("width,height,how", [(1280, 900, "choose"), (390, 844, "paste")])
def test_paste_or_choose_an_image_in_the_ask_editor(page, app, create_user, width, height, how):
    backend = app.config["TEST_BACKEND"]
    create_user("截图用户", reputation=50)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "截图用户", PASSWORD)
    page.goto("/ask")
    page.get_by_label("标题").fill("付款时提示错误 5102，钱没扣但订单没生成怎么办？")
    page.get_by_label("分类").select_option("payments")
    body = page.get_by_label("详细描述")
    body.fill("付款页面一直提示错误，截图如下：\n")
    bar = page.locator(".upload-bar")
    assert bar.is_visible()
    data = _screenshot_png()
    if how == "choose":
        bar.locator("input[type=file]").set_input_files(
            {"name": "付款失败.png", "mimeType": "image/png", "buffer": data})
    else:
        body.focus()
        body.evaluate("""(textarea, b64) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const file = new File([bytes], "image.png", {type: "image/png"});
            const transfer = new DataTransfer();
            transfer.items.add(file);
            textarea.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true,
                                                                cancelable: true}));
        }""", base64.b64encode(data).decode())
    _wait(lambda: "/uploads/" in body.input_value())
    markdown = body.input_value()
    match = re.search(r"!\[[^\]]*\]\((/uploads/[A-Za-z0-9_-]+\.png)\)", markdown)
    assert match, markdown
    url = match.group(1)
    preview_image = page.locator(f"#question-preview img[src='{url}']")
    preview_image.wait_for()
    _wait(lambda: _loaded(preview_image))
    assert page.locator(".upload-bar progress").is_hidden()
    assert page.locator(".upload-bar").get_attribute("data-upload-url") == "/uploads"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _shot(page, f"ask-editor-{width}", backend)

    # The served image is the re-encoded one: no EXIF.
    served = page.request.get(url)
    assert served.status == 200 and served.headers["content-type"] == "image/png"
    assert b"CameraMaker" not in served.body()

    page.get_by_label("标签").fill("付款 错误")
    page.get_by_role("button", name="发布问题").click()
    page.wait_for_url(re.compile(r"/questions/\d+"))
    image = page.locator(f".post-question .post-body img[src='{url}']")
    image.wait_for()
    _wait(lambda: _loaded(image))
    assert image.get_attribute("loading") == "lazy" and image.get_attribute("width") == "900"
    box = image.bounding_box()
    assert box["width"] <= width  # scaled down to the column on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _shot(page, f"thread-{width}", backend)


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_requester_attaches_files_on_the_ticket_page(page, app, create_user, create_question, create_ticket,
                                                     width, height):
    from forum.extensions import db

    backend = app.config["TEST_BACKEND"]
    asker = create_user("附件用户", reputation=50)
    ticket_id = create_ticket(create_question(asker, title="退款一直没有到账，已经过了七个工作日",
                                              category="payments")).id
    db.session.rollback()  # the test's read ends here: on SQLite it would hold the lock the server needs
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "附件用户", PASSWORD)
    page.goto(f"/tickets/{ticket_id}")
    page.locator("#reply-body").fill("附上付款截图和银行流水，请帮忙核实。")
    page.locator("#reply-files").set_input_files([
        {"name": "付款截图.png", "mimeType": "image/png", "buffer": _screenshot_png()},
        {"name": "银行流水.pdf", "mimeType": "application/pdf",
         "buffer": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"},
    ])
    with page.expect_navigation():
        page.locator("#reply button[name=internal][value='0']").click()
    files = page.locator(".ticket-message .attachment-list")
    files.wait_for()
    assert "付款截图.png" in files.inner_text() and "银行流水.pdf" in files.inner_text()
    thumbnail = files.locator("img")
    _wait(lambda: _loaded(thumbnail))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _shot(page, f"ticket-attachments-{width}", backend)


_DROP = """(textarea, args) => {
    const [b64, name, size] = args;
    const bytes = b64 ? Uint8Array.from(atob(b64), c => c.charCodeAt(0)) : new Uint8Array(size);
    const file = new File([bytes], name, {type: "image/png"});
    const transfer = new DataTransfer();
    transfer.items.add(file);
    for (const kind of ["dragenter", "dragover", "drop"]) {
        textarea.dispatchEvent(new DragEvent(kind, {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }
}"""

# Records what the upload bar showed while the upload ran (it is hidden again once it is done).
_WATCH = """bar => {
    window.uploadSeen = {progress: false, statuses: []};
    const progress = bar.querySelector("progress"), status = bar.querySelector(".upload-status");
    new MutationObserver(() => {
        if (!progress.hidden) { window.uploadSeen.progress = true; }
        window.uploadSeen.statuses.push(status.textContent);
    }).observe(bar, {attributes: true, childList: true, subtree: true, characterData: true});
}"""


def test_drop_an_image_on_the_editor(page, app, create_user):
    backend = app.config["TEST_BACKEND"]
    create_user("拖放用户", reputation=50)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "拖放用户", PASSWORD)
    page.goto("/ask")
    body = page.get_by_label("详细描述")
    body.fill("付款页面一直提示错误，截图如下：\n")
    bar = page.locator(".upload-bar")
    bar.evaluate(_WATCH)
    body.evaluate(_DROP, [base64.b64encode(_screenshot_png()).decode(), "拖进来的截图.png", 0])
    _wait(lambda: "/uploads/" in body.input_value())
    markdown = body.input_value()
    assert markdown.startswith("付款页面一直提示错误，截图如下：\n")
    match = re.search(r"!\[截图\]\((/uploads/[A-Za-z0-9_-]+\.png)\)", markdown)
    assert match, markdown
    seen = page.evaluate("window.uploadSeen")
    assert seen["progress"], seen  # the progress bar was shown while the image went up
    assert "正在上传图片…" in seen["statuses"], seen
    assert page.locator(".upload-status").inner_text() == "图片已插入正文。"
    assert page.locator(".upload-bar progress").is_hidden()
    preview_image = page.locator(f"#question-preview img[src='{match.group(1)}']")
    preview_image.wait_for()
    _wait(lambda: _loaded(preview_image))
    _shot(page, "drop-1280", backend)

    # A file above the cap is refused at once, in the server's words, and nothing is sent.
    before = body.input_value()
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    body.evaluate(_DROP, ["", "太大的截图.png", 6 * 1024 * 1024])
    status = page.locator(".upload-status")
    _wait(lambda: status.inner_text() == "图片太大：最多 5 MB。")
    assert "is-error" in status.get_attribute("class")
    assert body.input_value() == before and not [url for url in sent if "/uploads" in url]
