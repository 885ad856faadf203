"""The translation catalogue: extract every user-facing string, update zh_CN, compile.

`pybabel extract` skips folders whose names start with "_" (templates/_macros), so extraction
goes through this module instead: `flask --app forum translations update`.
"""
from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parents[1]
TRANSLATIONS = PACKAGE / "translations"
LOCALES = ("zh_Hans_CN",)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2)}
# forum/templates is a link to the top-level templates/ (os.walk does not follow it from forum/).
_SOURCES = (("forum", PACKAGE, [("**.py", "python")]),
            ("templates", PACKAGE / "templates", [("**.html", "jinja2"), ("**.txt", "jinja2")]))


def extract() -> Catalog:
    """Every translatable string in forum/ and templates/ (folders starting with "_" included)."""
    catalog = Catalog(project="forum", charset="utf-8")
    for folder, path, method_map in _SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            path, method_map=method_map, keywords=KEYWORDS,
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}, "**.txt": {"extensions": "jinja2.ext.i18n"}},
            directory_filter=lambda path: not Path(path).name.startswith("."),
        ):
            catalog.add(message, locations=[(f"{folder}/{filename}", lineno)], auto_comments=comments,
                        context=context)
    return catalog


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(locale: str) -> Catalog:
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale.replace("Hans_", "") if locale == "zh_Hans_CN" else locale)


def update(locale: str) -> list[str]:
    """Merge newly extracted strings into the locale's .po; returns the msgids still untranslated."""
    template = extract()
    catalog = read_catalog(locale)
    catalog.update(template, no_fuzzy_matching=True)
    with po_path(locale).open("wb") as handle:
        write_po(handle, catalog, width=100, no_location=True, omit_header=False, sort_output=True,
                 ignore_obsolete=True)
    return untranslated(catalog)


def untranslated(catalog: Catalog) -> list[str]:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def translations_of(catalog: Catalog) -> dict:
    """msgid -> translation for every message a compiled catalogue carries (translated, not fuzzy).

    Two catalogues with the same translations compare equal whatever Babel version wrote them (a
    compiled file records that version in its header, so its bytes change with every release)."""
    def plain(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {(plain(m.id), m.context): plain(m.string) for m in catalog
            if m.id and m.string and not m.fuzzy
            and all(m.string if isinstance(m.string, (list, tuple)) else (m.string,))}


def compiled_translations(locale: str) -> dict:
    """What the committed .mo file holds, read back."""
    with po_path(locale).with_suffix(".mo").open("rb") as handle:
        return translations_of(read_mo(handle))


def compiled_bytes(locale: str) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(locale), use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> None:
    for locale in LOCALES:
        (po_path(locale).with_suffix(".mo")).write_bytes(compiled_bytes(locale))
