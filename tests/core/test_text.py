"""forum.core.text: invisible characters, the folded text the guards match on, and look-alike
names (UTS #39). Pure functions: no application, no database."""
from __future__ import annotations

import random
import unicodedata

import pytest

from forum.core import text

from tests.unicode_data import INVISIBLE, NAMED, SAMPLE, hex_id


def test_the_test_data_covers_what_the_issue_names():
    assert set(NAMED) <= set(INVISIBLE) and set(SAMPLE) <= set(INVISIBLE)
    assert len(INVISIBLE) > 180


@pytest.mark.parametrize("code", INVISIBLE, ids=hex_id)
def test_every_default_ignorable_and_format_character_is_invisible(code):
    ch = chr(code)
    assert text.is_invisible(ch) and text.has_invisible(f"客{ch}服")
    assert text.strip_invisible(f"客{ch}服 a{ch}b") == "客服 ab"
    assert text.fold(f"微{ch}信").text == "微信"


@pytest.mark.parametrize("visible", ["a", "中", " ", "\n", "-", "é", "ー", "々", "😀", "\u3000", "\u00a0", "\u2800",
                                     "\u0301"])
def test_visible_characters_are_not_invisible(visible):
    assert not text.is_invisible(visible)


@pytest.mark.parametrize("emoji", [
    "👩\u200d💻",                     # woman technologist: ZWJ sequence
    "👨\u200d👩\u200d👧\u200d👦",   # family
    "🏳\ufe0f\u200d🌈",              # rainbow flag: selector and ZWJ
    "❤\ufe0f",                       # heart with emoji presentation
    "👍🏽",                           # skin tone
    "1\ufe0f\u20e3",                 # keycap
    "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",  # flag of England (tag sequence)
])
def test_emoji_sequences_keep_their_joiners_and_selectors(emoji):
    assert text.strip_invisible(f"谢谢{emoji}！") == f"谢谢{emoji}！"
    assert text.strip_invisible(f"客\u200d服{emoji}") == f"客服{emoji}"


def test_joiners_outside_emoji_sequences_go():
    assert text.strip_invisible("a\u200d😀") == "a😀"
    assert text.strip_invisible("😀\u200da") == "😀a"
    assert text.strip_invisible("\U000E0067\U000E007F") == ""
    assert text.strip_invisible("plain ascii") == "plain ascii"


@pytest.mark.parametrize("source, folded", [
    ("ｗｘ：ｋｅｆｕ８８８８", "wx:kefu8888"),            # full-width
    ("①③⑧⓪⓪", "13800"),                               # circled digits
    ("⑩⑪", "1011"),                                     # circled numbers of two digits
    ("𝐰𝐞𝐜𝐡𝐚𝐭 𝟏𝟑𝟖", "wechat 138"),                  # mathematical bold
    ("𝓌𝑒𝒸𝒽𝒶𝓉", "wechat"),                             # mathematical script and italic
    ("¹³⁸", "138"),                                     # superscripts
    ("١٣٨ ۱۳۸ १३८", "138 138 138"),                      # Arabic-Indic, Persian, Devanagari digits
    ("138－1234—5678", "138-1234-5678"),                 # full-width hyphen, em dash
    ("w\u0336e\u0336c\u0336h\u0336a\u0336t", "wechat"),  # strike-through marks on ASCII
    ("客\u0336服\u20dd", "客服"),                          # marks on CJK characters
    ("café cafe\u0301", "café café"),                    # accents stay accents
    ("wеchat", "wechat"),                                # Cyrillic е inside a Latin word
    ("ѕupport", "support"),                              # Cyrillic ѕ
    ("suppοrt", "support"),                              # Greek ο
    ("suppօrt", "support"),                              # Armenian օ
    ("ꮪupport Ꮪupport", "support Support"),              # Cherokee
    ("加我ԛԛ", "加我qq"),                                 # a word made wholly of look-alikes
    ("привет, как дела", "привет, как дела"),            # Russian stays Russian
    ("λόγος", "λόγος"),                                  # Greek stays Greek
    ("订单号 2026", "订单号 2026"),
])
def test_fold(source, folded):
    assert text.fold(source).text == folded


def test_fold_maps_every_folded_character_back_to_the_original():
    rng = random.Random(14)
    alphabet = "客\u200d服微\u2060信ｗｘ①③⑧⑩１２ａ𝐰𝐞wеchat㈱ﬁe\u0301客\u0336服 \ufe0f😀"
    for _ in range(3000):
        source = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        folded = text.fold(source)
        if folded.starts is None:
            assert folded.text == source
            continue
        assert len(folded.starts) == len(folded.ends) == len(folded.text)
        assert folded.starts == sorted(folded.starts) and folded.ends == sorted(folded.ends)
        for i, ch in enumerate(folded.text):
            start, end = folded.span(i, i + 1)
            assert 0 <= start < end <= len(source)
            # the original piece, folded on its own, holds the folded character (but for a mark kept on
            # a letter of another script, and for look-alike letters, which are read by the word)
            piece = source[start:end]
            assert ch in text.fold(piece).text or unicodedata.category(ch) == "Mn" or ch in piece \
                or (ch.isascii() and not piece.isascii()), (source, i)
        assert text.fold(source[folded.starts[0]:folded.ends[-1]]).text == folded.text if folded.text else True


# --- look-alike names (UTS #39) --------------------------------------------------------------------

@pytest.mark.parametrize("spoof, real", [
    ("ѕupport_lin", "support_lin"),   # Cyrillic dze
    ("suppоrt_lin", "support_lin"),   # Cyrillic o
    ("ѕtaff_wang", "staff_wang"),
    ("suppοrt", "support"),           # Greek omicron
    ("suppօrt", "support"),           # Armenian oh
    ("ꮪupport", "support"),           # Cherokee small du
    ("Ꮪupport", "Support"),           # Cherokee capital du
    ("ԁasha", "dasha"),               # Cyrillic komi de
    ("rnodern", "modern"),            # rn and m
    ("Iaowang", "laowang"),           # capital I and small l
    ("1aowang", "laowang"),           # digit one and small l
    ("w0w", "wOw"),                   # digit zero and capital O
])
def test_skeletons_of_look_alikes_are_equal(spoof, real):
    assert text.skeleton(spoof) == text.skeleton(real)
    assert text.lookalike_key(spoof) == text.lookalike_key(real)


@pytest.mark.parametrize("one, other", [("laowang", "laowang2"), ("xiaoming", "xiaohong"), ("橘子君", "橘子"),
                                        ("support", "suport"), ("小明", "小朋")])
def test_different_names_have_different_keys(one, other):
    assert text.lookalike_key(one) != text.lookalike_key(other)


def test_lookalike_key_ignores_case_width_and_separators():
    existing = text.lookalike_key("support_lin")
    for name in ("Support_Lin", "support-lin", "support.lin", "SUPPORTLIN", "ｓｕｐｐｏｒｔ＿ｌｉｎ", "𝐬𝐮𝐩𝐩𝐨𝐫𝐭_lin",
                 "supp\u200bort_lin", "ѕuppоrt.Lin", "SUPP0RT_LIN"):
        assert existing in text.lookalike_keys(name), name
    assert text.lookalike_key("LIN") in text.lookalike_keys("lin_")
    assert text.lookalike_key("laowang") in text.lookalike_keys("Iaowang")


@pytest.mark.parametrize("name", ["橘子君", "小明2026", "laowang", "zhang_wei", "david.k", "小李同学", "山田たろう",
                                  "김철수kim", "Иван", "Αλέξης", "ㄅㄆ小明", "emma_w", "陈小红"])
def test_names_in_one_script_or_cjk_with_latin_are_not_mixed(name):
    assert not text.mixed_scripts(name)


@pytest.mark.parametrize("name", ["ѕupport_lin", "suppоrt_lin", "ѕtaff_wang", "suppοrt", "suppօrt", "ꮪupport",
                                  "Ivan_Иван", "小明ѕ", "αlice"])
def test_names_that_mix_alphabets_are_mixed(name):
    assert text.mixed_scripts(name)
