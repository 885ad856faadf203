"""Unicode test data for the guards and the name checks, taken from the Unicode Character Database
(through Python's unicodedata and the lists Unicode publishes), never from the forum's own code:
a test that borrowed the table it checks could not fail."""
from __future__ import annotations

import unicodedata

# Every format character (general category Cf) Python's own Unicode database knows...
FORMAT_CHARACTERS = [c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
# ...and the default-ignorable code points that are not format characters (DerivedCoreProperties.txt:
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian free variation
# selectors, variation selectors, and reserved default-ignorable code points).
DEFAULT_IGNORABLE_OTHERS = [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x2065,
                            0x3164, 0xFFA0, 0xFFF0, 0xFFF8, 0xE0000, 0xE0002, 0xE0080, 0xE0FFF,
                            *range(0xFE00, 0xFE10), 0xE0100, 0xE0150, 0xE01EF]
INVISIBLE = sorted(set(FORMAT_CHARACTERS) | set(DEFAULT_IGNORABLE_OTHERS))
# The ones the issue names, all of which are among them.
NAMED = [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, *range(0x180B, 0x1810), *range(0x200B, 0x2010),
         *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0x3164, 0xFE00, 0xFE0F, 0xFEFF, 0xFFA0,
         *range(0x1BCA0, 0x1BCA4), *range(0x1D173, 0x1D17B), 0xE0000, 0xE0001, 0xE0020, 0xE007F, 0xE0FFF]
# One of each kind, for the tests that go through the database, the API and the pages.
SAMPLE = [0x00AD, 0x034F, 0x061C, 0x115F, 0x17B4, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x202E, 0x2060,
          0x2063, 0x2066, 0x206F, 0x3164, 0xFE0F, 0xFEFF, 0xFFA0, 0x1BCA1, 0x1D173, 0xE0001, 0xE0041, 0xE0100]


def hex_id(code: int) -> str:
    return f"U+{code:04X}"


def sprinkle(text: str, words, ch: str) -> str:
    """`text` with `ch` between every two characters of each of `words` (where they occur)."""
    for word in words:
        text = text.replace(word, ch.join(word))
    return text
