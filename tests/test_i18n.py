"""The zh_CN catalogue is complete and compiled: every user-facing string has a translation."""
import re

from forum.core import catalogue

PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0]*\d*[sd]")


def test_every_extracted_string_is_translated():
    template = catalogue.extract()
    translated = catalogue.read_catalog("zh_Hans_CN")
    missing = [m.id for m in template if m.id and (translated.get(m.id) is None
                                                   or m.id in catalogue.untranslated(translated))]
    assert missing == [], "run `flask --app forum translations update` and translate these"
    assert len(template) > 200


def test_placeholders_survive_translation():
    for message in catalogue.read_catalog("zh_Hans_CN"):
        if not message.id:
            continue
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        target = message.string[0] if isinstance(message.string, tuple) else message.string
        assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(target)), message.id


def test_compiled_catalogue_is_up_to_date():
    # The messages, not the bytes: a compiled file names the Babel version that wrote it.
    compiled = catalogue.compiled_translations("zh_Hans_CN")
    source = catalogue.translations_of(catalogue.read_catalog("zh_Hans_CN"))
    assert compiled == source, "run `flask --app forum translations update`"
    assert len(compiled) > 200


def test_catalogue_comparison_sees_a_changed_translation_but_not_the_header():
    from babel.messages.catalog import Catalog

    def catalog(version, translation):
        c = Catalog(locale="zh_CN", project="forum", version=version)
        c.add("Your answer", translation)
        c.add(("%(n)s answer", "%(n)s answers"), ("%(n)s 个回答",))
        c.add("Untranslated", "")
        return c

    assert catalogue.translations_of(catalog("1", "你的回答")) == catalogue.translations_of(catalog("2", "你的回答"))
    assert catalogue.translations_of(catalog("1", "你的回答")) != catalogue.translations_of(catalog("1", "您的回答"))


def test_pages_render_in_both_languages(client, create_question):
    q = create_question()
    zh = client.get(f"/questions/{q.id}").get_data(as_text=True)
    en = client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "你的回答" in zh and "Your answer" not in zh
    assert "Your answer" in en and "你的回答" not in en
