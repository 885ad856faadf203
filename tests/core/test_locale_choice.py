"""forum.core.i18n.choose_locale: the language rules without a request."""
from forum.core.i18n import choose_locale


def test_the_members_setting_wins_then_the_cookie_then_the_browser_then_the_default():
    pick = dict(default="zh_CN")
    assert choose_locale(member_locale="en", cookie="zh", accept_languages=["zh-CN"], **pick) == "en"
    assert choose_locale(member_locale=None, cookie="en-US", accept_languages=["zh-CN"], **pick) == "en"
    assert choose_locale(member_locale=None, cookie="fr", accept_languages=["fr", "en-GB"], **pick) == "en"
    assert choose_locale(member_locale=None, cookie=None, accept_languages=["de", "zh-Hant"], **pick) == "zh_CN"
    assert choose_locale(member_locale=None, cookie=None, accept_languages=[], default="en") == "en"
