"""Where the forum keeps its instance folder and how settings reach it (README, "Install it as a package")."""
from __future__ import annotations

from pathlib import Path

from forum import create_app, settings

REPO = Path(__file__).resolve().parents[1]


def _isolated(tmp_path: Path, **extra) -> dict:
    """Settings that keep create_app from writing anywhere but tmp_path."""
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}", "SECRET_KEY": "x",
            "FORUM_SEARCH_INDEX": str(tmp_path / "index"), "FORUM_RATE_LIMITS": False, **extra}


def test_checkout_default_instance_folder_is_the_repositorys(tmp_path, monkeypatch):
    monkeypatch.delenv("FORUM_INSTANCE_PATH", raising=False)
    monkeypatch.chdir(tmp_path)  # not the working directory: beside the package
    app = create_app(_isolated(tmp_path))
    assert Path(app.instance_path) == REPO / "instance"


def test_relative_instance_path_is_taken_from_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORUM_INSTANCE_PATH", "data")
    app = create_app(_isolated(tmp_path))
    assert app.instance_path == str(tmp_path / "data")


def test_instance_config_file_sets_structured_settings_and_the_mapping_wins(tmp_path):
    (tmp_path / "config.py").write_text(
        'FORUM_SUPPORT_HOURS = {"opens": "08:30"}\nFORUM_SLA_WARN_MINUTES = 45\n', encoding="utf-8")
    app = create_app(_isolated(tmp_path, FORUM_INSTANCE_PATH=str(tmp_path), FORUM_SLA_WARN_MINUTES=10))
    assert app.config["FORUM_SUPPORT_HOURS"] == {"opens": "08:30"}
    assert app.config["FORUM_SLA_WARN_MINUTES"] == 10
    with app.app_context():
        from forum.tickets import services

        assert services.calendar().opens.isoformat() == "08:30:00"
        assert services.calendar().closes.isoformat() == "18:00:00"  # other keys keep their defaults


def test_generated_secret_key_goes_to_the_instance_folder(tmp_path):
    config = _isolated(tmp_path, FORUM_INSTANCE_PATH=str(tmp_path / "inst"))
    del config["SECRET_KEY"]
    first = create_app(dict(config)).config["SECRET_KEY"]
    assert (tmp_path / "inst" / "secret_key").read_text().strip() == first
    assert create_app(dict(config)).config["SECRET_KEY"] == first
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o077 == 0


def test_top_level_config_re_exports_the_package_settings():
    import config

    assert config.Config is settings.Config and config.TestConfig is settings.TestConfig
