"""No serious or critical axe-core violation (WCAG 2.1 A/AA and best practices) on the pages only an
administrator sees (the webhooks), in Chinese and in English. The pages are those of tests/every_page.py."""
import pytest

from tests.browser.axe import report, scan_every_page
from tests.every_page import page_data

pytestmark = [pytest.mark.browser, pytest.mark.one_backend]
__all__ = ["page_data"]


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_page_is_accessible(axe_script, browser, live_server, page_data, language):
    violations, scanned = scan_every_page(browser, axe_script, live_server, page_data, "admin", language)
    assert scanned >= 2
    assert not violations, report(violations)
