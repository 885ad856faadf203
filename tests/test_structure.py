"""The shape of the code, pinned (DESIGN.md, "Which way the arrows point"; issue 17).

Small checks on the syntax trees of forum/ (no application, no database, no new dependency):
(a) nothing in forum/core imports Flask's request globals or Flask-Login;
(b) a module imports only its own place and the places to its left in PLACES, at module level and
    inside functions alike; the exceptions that exist today are listed in ALLOWED, each with why,
    and an entry that no longer matches an import fails the test too (delete it);
(c) no module imports another module's private (underscore) name.
"""
from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

FORUM = Path(__file__).resolve().parent.parent / "forum"
# Links to the top-level templates/, static/ and migrations/ (Alembic scripts): not the package's code.
NOT_CODE = {"migrations", "static", "templates", "translations"}

# Where each part of forum/ stands, left to right. A module imports only from places further left and
# from its own package at its own rank; the packages that share a rank (a tuple) are siblings and
# import none of each other.
# A module's place is its longest matching prefix. Every module must have one: a new package fails
# test_every_module_has_a_place until it is put here.
PLACES: list[tuple[str, ...]] = [
    ("forum.settings", "forum.extensions"),
    ("forum.core",),
    # Worker heartbeats: the search indexer and the jobs worker report with them, so they stand
    # below those features (they import only core and extensions); the rest of ops/ (readiness,
    # metrics) reads every feature and stands at the right.
    ("forum.ops.models", "forum.ops.heartbeats"),
    # web/: what every feature's views use (error pages, decorators, form errors, safe redirects,
    # rate-limit keys, the request's locale and request id). It stands below the features, beside
    # core but allowed to touch the request. (web/setup.py is the app shell's hooks.)
    ("forum.web",),
    # The features, in DESIGN.md's order. Those not written yet (incidents) keep their place.
    ("forum.policy",),
    ("forum.auth",),
    ("forum.questions",),
    # Images in posts: they follow the posts that show them (questions), and tickets re-encode
    # their attachments with them.
    ("forum.uploads",),
    ("forum.reputation",),
    ("forum.votes",),
    ("forum.verification",),
    ("forum.moderation",),
    ("forum.tickets",),
    ("forum.notifications",),
    # E-mail into tickets: reads auth, writes through tickets' services, answers through notifications.
    ("forum.mailin",),
    ("forum.search",),
    # Signed webhooks: hear the tickets' and verification's signals; incidents call its emit().
    ("forum.webhooks",),
    ("forum.incidents",),
    # Members' data rights: export and erasure read and erase what every feature keeps of a member.
    ("forum.privacy",),
    # Support insights (issue 22): the search log and the funnel read questions, verification,
    # tickets, notifications' follows and the search log; the dashboard's view lives here.
    ("forum.insights",),
    # Above the features, siblings: composite pages (users/ is the profile, a composite page), the
    # API, the back office, operations (readiness and metrics read the queues of notifications and
    # search), and the demo data loader (calls every feature's services).
    ("forum.pages", "forum.users", "forum.api", "forum.admin", "forum.ops", "forum.demo"),
]
WIRING = "forum"  # forum/__init__.py: create_app wires everything and may import anything

# Imports against the order that exist today: (importer, imported module) -> why. Each is a debt to
# pay, not a licence; remove the entry with the import.
ALLOWED: dict[tuple[str, str], str] = {
    # None today: web/ reaches into no feature since each feature wires itself (init_app), and rate
    # limits find the bearer token's holder through the lookup auth registers in app.extensions.
}

# Flask's request-bound names: a module that imports one needs a request to run.
REQUEST_BOUND = {
    "request", "g", "session", "current_user", "flash", "get_flashed_messages", "render_template",
    "render_template_string", "stream_template", "stream_template_string", "has_request_context",
    "copy_current_request_context", "after_this_request", "make_response", "redirect", "abort",
    "url_for", "jsonify", "send_file", "send_from_directory", "request_ctx",
}
REQUEST_BOUND_MODULES = {"flask.globals", "werkzeug.local"}


@dataclass(frozen=True)
class Import:
    importer: str       # dotted module name
    target: str         # the module imported (a submodule when `from package import submodule`)
    names: tuple[str, ...]  # names taken from target (empty for `import x`)
    line: int
    in_function: bool
    raw_module: str     # the module as written (flask, flask_login, ...)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(FORUM.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> dict[str, Path]:
    files = {}
    for path in sorted(FORUM.rglob("*.py")):
        if NOT_CODE & set(path.relative_to(FORUM).parts[:1]):
            continue
        files[module_name(path)] = path
    return files


MODULES = source_files()


def _resolve(importer: str, is_package: bool, module: str | None, level: int) -> str:
    if not level:
        return module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


@functools.cache
def tree_of(name: str) -> ast.Module:
    path = MODULES[name]
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imports_of(name: str) -> list[Import]:
    path = MODULES[name]
    tree = tree_of(name)
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(name, alias.name, (), child.lineno, in_function, alias.name))
            elif isinstance(child, ast.ImportFrom):
                module = _resolve(name, path.name == "__init__.py", child.module, child.level)
                plain = [a.name for a in child.names if f"{module}.{a.name}" not in MODULES]
                for alias in child.names:
                    if f"{module}.{alias.name}" in MODULES:  # `from package import submodule`
                        found.append(Import(name, f"{module}.{alias.name}", (), child.lineno, in_function,
                                            module))
                if plain or not child.names:
                    found.append(Import(name, module, tuple(plain), child.lineno, in_function, module))
            visit(child, inside)

    visit(tree, False)
    return found


@functools.cache
def all_imports() -> tuple[Import, ...]:
    return tuple(imp for name in MODULES for imp in imports_of(name))


def place_of(module: str) -> tuple[int, str] | None:
    """(rank, prefix) of the longest PLACES prefix that `module` falls under; the wiring stands right
    of everything (only tests and the WSGI entry import create_app)."""
    if module == WIRING:
        return len(PLACES), WIRING
    best = None
    for rank, prefixes in enumerate(PLACES):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > len(best[1]):
                    best = (rank, prefix)
    return best


def package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def order_violations() -> dict[tuple[str, str], list[Import]]:
    found: dict[tuple[str, str], list[Import]] = {}
    for imp in all_imports():
        if imp.importer == WIRING or not (imp.target == "forum" or imp.target.startswith("forum.")):
            continue
        mine, theirs = place_of(imp.importer), place_of(imp.target)
        if mine is None or theirs is None:
            continue  # reported by test_every_module_has_a_place
        if theirs[0] < mine[0] or (theirs[0] == mine[0] and package(imp.importer) == package(imp.target)):
            continue
        found.setdefault((imp.importer, imp.target), []).append(imp)
    return found


def describe(imports: list[Import]) -> str:
    return ", ".join(f"line {i.line}{' (in a function)' if i.in_function else ''}" for i in imports)


# --- the checks ----------------------------------------------------------------------------------

def in_core(module: str) -> bool:
    return module == "forum.core" or module.startswith("forum.core.")


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_every_module_has_a_place():
    assert len(MODULES) > 100
    unplaced = [m for m in MODULES if m != WIRING and place_of(m) is None]
    assert not unplaced, f"put these in PLACES (tests/test_structure.py) where they belong: {unplaced}"


def test_core_imports_nothing_request_bound():
    """Core runs the same in a request, a CLI command, a job and a test: it may use current_app, not
    the request."""
    offences = []
    for imp in all_imports():
        if not in_core(imp.importer):
            continue
        if imp.raw_module.split(".")[0] == "flask_login" or imp.raw_module in REQUEST_BOUND_MODULES:
            offences.append(f"{imp.importer}:{imp.line} imports {imp.raw_module}")
        elif imp.raw_module == "flask" and REQUEST_BOUND & set(imp.names):
            offences.append(f"{imp.importer}:{imp.line} imports {sorted(REQUEST_BOUND & set(imp.names))}")
    for name in filter(in_core, MODULES):  # `import flask`, then flask.request
        tree = tree_of(name)
        aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                   for a in n.names if a.name == "flask"}
        offences += [f"{name}:{n.lineno} uses {n.value.id}.{n.attr}" for n in ast.walk(tree)
                     if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                     and n.value.id in aliases and n.attr in REQUEST_BOUND]
    assert not offences, f"core must not touch the request (move it to forum/web/, or pass it in): {offences}"


def test_features_import_only_features_to_their_left():
    found = order_violations()
    new = sorted(f"{a} imports {b}: {describe(imps)}"
                 for (a, b), imps in found.items() if (a, b) not in ALLOWED)
    assert not new, ("against DESIGN.md's order (a feature imports only features to its left; what must "
                     f"cross the other way goes through a signal): {new}")
    stale = sorted(f"{a} -> {b}" for (a, b) in ALLOWED if (a, b) not in found)
    assert not stale, f"these ALLOWED entries match no import any more, delete them: {stale}"


def modules_bound_in(tree: ast.Module) -> dict[str, str]:
    """Local names bound to forum modules: `from forum.x import module`, `import forum.x.y as name`."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("forum"):
            for alias in node.names:
                if f"{node.module}.{alias.name}" in MODULES:
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("forum.") and alias.asname:
                    bound[alias.asname] = alias.name
    return bound


def test_no_module_imports_another_modules_private_names():
    offences = []
    for imp in all_imports():
        if not imp.target.startswith("forum") or imp.target == imp.importer:
            continue
        names = [n for n in imp.names if private(n)]
        if names or any(private(part) for part in imp.target.split(".")):
            offences.append(f"{imp.importer}:{imp.line} imports {names or ''} from {imp.target}")
    for name in MODULES:  # `from forum.x import module`, then module._private
        bound = modules_bound_in(tree_of(name))
        offences += [f"{name}:{n.lineno} uses {bound[n.value.id]}.{n.attr}" for n in ast.walk(tree_of(name))
                     if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in bound
                     and bound[n.value.id] != name and private(n.attr)]
    assert not offences, f"make the name public where it belongs (a read function, a service): {offences}"


def test_one_sign_in_check():
    """`core.permissions.signed_in` is the services' one sign-in check (there were 12 copies of
    `getattr(actor, "is_authenticated")` in 7 services); web/ reads Flask-Login's current_user."""
    allowed = {"core/permissions.py", "web/ratelimits.py", "web/i18n.py"}
    copies = []
    for path in sorted(FORUM.rglob("*.py")):
        relative = path.relative_to(FORUM).as_posix()
        if relative.split("/")[0] in NOT_CODE or relative in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                    and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                    and node.args[1].value == "is_authenticated"):
                copies.append(f"{relative}:{node.lineno}")
    assert copies == [], "use forum.core.permissions.signed_in(actor)"
