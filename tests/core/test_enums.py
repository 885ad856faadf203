"""forum.core.enums.TitledEnum: members are plain strings that carry a title translated when read."""
from __future__ import annotations

import json
import pickle
from pathlib import Path

from flask import Flask
from flask_babel import Babel, force_locale
from flask_babel import lazy_gettext as _l

import forum
from forum.core.enums import TitledEnum


class Colour(TitledEnum):
    RED = "red", _l("Red")
    SEA_BLUE = "sea_blue", _l("Sea blue"), "#0af"

    def __init__(self, _value, _title, hex_code="#000"):
        self.hex_code = hex_code


def test_members_are_their_values():
    assert Colour.RED == "red" and Colour("sea_blue") is Colour.SEA_BLUE
    assert [c.value for c in Colour] == ["red", "sea_blue"]
    assert json.dumps([Colour.RED]) == '["red"]'
    assert pickle.loads(pickle.dumps(Colour.SEA_BLUE)) is Colour.SEA_BLUE
    assert Colour.SEA_BLUE.hex_code == "#0af" and Colour.RED.hex_code == "#000"


def test_titles_are_translated_when_read():
    from forum.auth.models import Role

    app = Flask(__name__)
    Babel(app, default_translation_directories=str(Path(forum.__file__).parent / "translations"))
    with app.test_request_context():
        with force_locale("en"):
            assert Role.STAFF.title == "Staff" and Colour.RED.title == "Red"
        with force_locale("zh_CN"):
            assert Role.STAFF.title == "官方"
        assert isinstance(Role.STAFF.title, str)
