"""No serious or critical axe-core violation (WCAG 2.1 A/AA and best practices) on any page a
visitor sees, in Chinese and in English. The pages are those of tests/every_page.py."""
import pytest

from tests.browser.axe import report, scan_every_page
from tests.every_page import page_data

pytestmark = [pytest.mark.browser, pytest.mark.one_backend]
__all__ = ["page_data"]


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_page_is_accessible(axe_script, browser, live_server, page_data, language):
    violations, scanned = scan_every_page(browser, axe_script, live_server, page_data, "visitor", language)
    assert scanned > 10
    assert not violations, report(violations)


def test_the_scan_reports_what_is_wrong(axe_script, browser, live_server):
    """The scan runs (axe-core is in the page despite its CSP) and reports a serious violation with
    its rule, element and page."""
    from tests.browser.axe import scan

    context = browser.new_context(base_url=live_server)
    context.add_init_script(path=str(axe_script))
    page = context.new_page()
    try:
        page.goto("/no-such-page")
        assert scan(page) == []
        page.evaluate("""() => {
            const img = document.createElement('img');
            img.id = 'no-alt';
            img.src = '/static/img/favicon.svg';
            document.querySelector('main').append(img);
        }""")
        found = scan(page, "/no-such-page (with an image without alt)")
    finally:
        context.close()
    assert [(v.rule, v.impact, v.targets) for v in found] == [("image-alt", "critical", ["#no-alt"])]
    assert "image-alt" in report(found) and "#no-alt" in report(found)
