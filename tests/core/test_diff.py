from forum.questions.diff import inline_diff, tokens


def test_chinese_is_split_per_character_and_words_stay_whole():
    assert tokens("我的order号") == ["我", "的", "order", "号"]


def test_inline_diff_marks_changes_and_escapes():
    html, stats = inline_diff("我的订单无法修改 <b>", "我的订单可以修改 <i>")
    assert "<del>无法</del>" in html and "<ins>可以</ins>" in html
    assert "&lt;" in html and "<b>" not in html and "<i>" not in html
    assert stats.inserted == 3 and stats.deleted == 3


def test_identical_texts_have_no_changes():
    html, stats = inline_diff("same 文本", "same 文本")
    assert "<ins>" not in html and "<del>" not in html
    assert stats.inserted == stats.deleted == 0
