"""Issue 15's memory goal: a served worker does not import what serving pages never uses. Flask-Migrate
(and with it Alembic) is imported only where migrations run, and every migration command
still works; Pillow only with the first upload; the holiday calendars with the first SLA deadline."""
from __future__ import annotations

import subprocess
import sys

from alembic.script import ScriptDirectory

from forum.extensions import migrations_directory
from forum.ops import services

SERVE = """
import sys
from forum import create_app
app = create_app({"FORUM_RATE_LIMITS": False})
client = app.test_client()
assert client.get("/readyz").status_code in (200, 503)
assert client.get("/").status_code == 200
print(sorted(m for m in ("alembic", "flask_migrate", "PIL", "holidays") if m in sys.modules))
"""


def test_a_served_app_imports_neither_alembic_nor_pillow_nor_the_holiday_calendars(tmp_path):
    env = {"FORUM_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    migrated = subprocess.run([sys.executable, "-m", "flask", "--app", "forum", "db", "upgrade"],
                              env=env, capture_output=True, text=True, timeout=300)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    current = subprocess.run([sys.executable, "-m", "flask", "--app", "forum", "db", "current"],
                             env=env, capture_output=True, text=True, timeout=300)
    assert current.returncode == 0 and "(head)" in current.stdout, current.stderr[-2000:]
    served = subprocess.run([sys.executable, "-c", SERVE], env=env, capture_output=True, text=True, timeout=300)
    assert served.returncode == 0, served.stderr[-2000:]
    assert served.stdout.strip().splitlines()[-1] == "[]"


def test_the_scripts_heads_and_revisions_are_alembics(app):
    script = ScriptDirectory(migrations_directory(app))
    assert services._script_heads(app) == frozenset(script.get_heads())
    assert frozenset(services._revisions(app)) == frozenset(r.revision for r in script.walk_revisions())
    for revision in script.walk_revisions():
        assert services._revisions(app)[revision.revision] == tuple(revision._all_down_revisions)


def test_the_revisions_are_read_without_ast_parse(app, monkeypatch):
    """CPython 3.11's ast.parse fails now and then while another thread parses (gh-106905: CI's
    create_app failed so, beside a thread logging a traceback); the scripts are read without it."""
    import ast

    def broken(*args, **kwargs):
        raise SystemError("AST constructor recursion depth mismatch (before=177, after=56)")

    expected = services._revisions(app)
    monkeypatch.setattr(ast, "parse", broken)
    assert services._revisions(app) == expected and "0001" in expected and expected["0001"] == ()


def test_the_script_reader_takes_alembics_forms_and_nothing_else():
    source = '''"""revision = 'in a docstring'"""
from typing import Sequence, Union
revision: str = "abc123"
down_revision: Union[str, Sequence[str], None] = ('0007', "0008",)  # a merge
branch_labels = None
def upgrade():
    revision = 'inside a function'
if True:
    down_revision = 'indented'
'''
    assert services.module_constants(source, ("revision", "down_revision", "branch_labels")) == {
        "revision": "abc123", "down_revision": ("0007", "0008"), "branch_labels": None}
    assert services.module_constants("revision = ['a', 'b']\ndown_revision = None\n",
                                     ("revision", "down_revision")) == {"revision": ("a", "b"), "down_revision": None}
    # As ast.literal_eval reads them: parentheses, adjacent literals, several statements on a line.
    for source, value in (("revision = ('0033')", "0033"), ("revision = 'ab' 'c'", "abc"),
                          ("revision = ('a' 'b', 'c')", ("ab", "c")), ("revision = ()", ())):
        assert services.module_constants(source + "\n", ("revision",)) == {"revision": value}, source
    assert services.module_constants("revision = 'a'; down_revision = 'b'\n", ("revision", "down_revision")) \
        == {"revision": "a", "down_revision": "b"}
    for unread in ("revision = f'{x}'", "revision = b'x'", "revision = x", "revision = 'a' + 'b'",
                   "revision = ('a', x)", "revision = ('a', ('b',))", "revision = down = 'a'",
                   "revision = 'a\\\\n'"):
        assert services.module_constants(unread + "\n", ("revision",)) == {}, unread
