"""The README is correct to the letter: every variable it names exists, with the default it states;
every command it lists exists; its demo logins are the ones `flask --app forum demo` creates."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
VARIABLE = re.compile(r"FORUM_[A-Z0-9_]+")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def _tables(header: str) -> list[list[list[str]]]:
    """Rows of every Markdown table whose header row is `header`."""
    tables, lines = [], README.splitlines()
    for i, line in enumerate(lines):
        if _cells(line) == header.split("|"):
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                rows.append(_cells(row))
            tables.append(rows)
    return tables


def _sources(*folders: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for folder in folders for p in (REPO / folder).rglob("*.py"))


def _defaults() -> dict:
    """Config's values with no FORUM_* variable set, read in a separate interpreter."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    script = ("import json; from forum.settings import Config; "
              "print(json.dumps({k: getattr(Config, k) for k in dir(Config) if k.isupper()}, default=str))")
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _setting_for(variable: str) -> str:
    """The Config attribute an environment variable sets (FORUM_SECRET_KEY sets SECRET_KEY)."""
    source = (REPO / "forum" / "settings.py").read_text(encoding="utf-8")
    match = re.search(r"^\s+(\w+)\b[^=\n]*=[^\n]*_env\w*\(\s*\"" + variable + r"\"", source, re.M)
    return match.group(1) if match else variable


def _shown(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def test_every_variable_the_readme_names_is_read_by_the_code():
    code = _sources("forum", "tests") + (REPO / ".ci" / "run").read_text()
    missing = sorted({name for name in VARIABLE.findall(README) if f'"{name}"' not in code and name not in code})
    assert missing == []


def test_every_configuration_variable_is_read_from_the_environment():
    settings = (REPO / "forum" / "settings.py").read_text() + (REPO / "forum" / "__init__.py").read_text()
    tables = _tables("variable|default|meaning")
    assert len(tables) >= 2
    names = {n for table in tables for row in table for n in VARIABLE.findall(row[0])}
    assert len(names) > 40
    assert sorted(n for n in names if not re.search(r"(_env\w*|environ\.get)\(\s*\"" + n + '"', settings)) == []


def test_configuration_defaults_are_the_ones_the_readme_states():
    defaults = _defaults()
    checked = 0
    for table in _tables("variable|default|meaning"):
        for row in table:
            names = VARIABLE.findall(row[0])
            stated = re.findall(r"`([^`]*)`", row[1])
            values = [defaults.get(_setting_for(n)) for n in names]
            if not stated:
                # Unset, empty or described in words: the code must not hold a literal default then.
                assert all(v in (None, "", {}, []) for v in values) or "FORUM_INSTANCE_PATH" in names, row
                continue
            assert len(stated) == len(names), row
            for name, value, text in zip(names, values, stated):
                assert _shown(value) == text.replace(",", "") if isinstance(value, int) else _shown(value) == text, (
                    name, value, text)
                checked += 1
    assert checked > 25


def test_every_listed_command_exists(app):
    rows = [row for table in _tables("command|what it does") for row in table]
    assert len(rows) > 15
    runner = app.test_cli_runner()
    for row in rows:
        words = re.match(r"`([a-z -]+)", row[0]).group(1).split()
        words = [w for w in words if not w.startswith("-") and w.islower() and not w.isupper()]
        result = runner.invoke(args=[*words[:2], "--help"])
        if result.exit_code != 0 or "Usage:" not in result.output:
            result = runner.invoke(args=[words[0], "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, row[0]


def test_demo_logins_in_the_readme_are_the_demo_accounts():
    from forum.demo import content

    rows = [row for table in _tables("account|username|password") for row in table]
    table = {row[1].strip("`"): (row[0], row[2].strip("`")) for row in rows}
    demo = {spec["username"]: spec["password"] for spec in content.USERS}
    for username, (_role, password) in table.items():
        assert demo.get(username) == password, username
    roles = {role for role, _password in table.values()}
    assert {"member", "experienced member", "staff", "moderator"} <= roles


@pytest.mark.parametrize("variable", ["FORUM_SUPPORT_HOURS", "FORUM_SLA_TARGETS", "FORUM_PRIVILEGES"])
def test_structured_settings_come_from_the_environment_as_json(variable):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    env[variable] = '{"x": 1}'
    script = f"from forum.settings import Config; print(Config.{variable})"
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True)
    assert done.stdout.strip() == "{'x': 1}"
    env[variable] = "{not json"
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True)
    assert done.returncode != 0 and variable in done.stderr
