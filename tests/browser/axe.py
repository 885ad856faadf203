"""axe-core in the browser tests: fetched from the npm registry on first use, injected into the
pages of a test's own browser context, run with the WCAG 2.1 A/AA rules (and best practices).

axe-core is kept in tests/browser/.axe (git-ignored), installed there with
`npm install --no-save --prefix tests/browser/.axe axe-core@4` when missing. Without npm the
accessibility tests skip with the reason, except under CI=true, where they fail.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.session import sign_in

HERE = Path(__file__).parent
CACHE = Path(os.environ.get("FORUM_AXE_DIR", HERE / ".axe"))
SPEC = "axe-core@4"  # a major version: fixes within it are welcome
SCRIPT = CACHE / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"accessibility tests cannot run under CI: {reason}")
    pytest.skip(reason)


def axe_script() -> Path:
    """The path of axe.min.js, installed from the npm registry when missing (once, under a lock: the
    xdist workers may all ask at the same time)."""
    if SCRIPT.exists():
        return SCRIPT
    npm = shutil.which("npm")
    if npm is None:
        _unavailable(f"npm is not installed: cannot fetch {SPEC} into {CACHE}")
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not SCRIPT.exists():
            command = [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(CACHE), SPEC]
            done = subprocess.run(command, capture_output=True, text=True, timeout=300)
            if done.returncode != 0 or not SCRIPT.exists():
                _unavailable(f"`npm install {SPEC}` failed: {done.stderr.strip()[-500:]}")
    return SCRIPT


@dataclass
class Violation:
    url: str
    rule: str
    impact: str
    help: str
    targets: list[str]

    def __str__(self) -> str:
        return f"{self.url}: {self.rule} ({self.impact}) {self.help}: {', '.join(self.targets[:8])}"


RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      targets: v.nodes.map(n => n.target.join(' '))}));
}"""


def scan(page, label: str | None = None) -> list[Violation]:
    """The serious and critical violations on the page as it is now."""
    found = page.evaluate(RUN, TAGS)
    return [Violation(label or page.url, v["id"], v["impact"], v["help"], v["targets"])
            for v in found if v["impact"] in BLOCKING]


LANGUAGES = {"zh_CN": "zh-CN", "en": "en-US"}  # the forum's locale -> the browser's (Accept-Language)


def scan_every_page(browser, script: Path, base_url: str, ids, role: str,
                    language: str) -> tuple[list[Violation], int]:
    """Load every page of tests/every_page.py that `role` views, in one browser context signed in as
    that role and speaking `language`, and scan each with axe. Returns the serious and critical
    violations, and how many pages were scanned."""
    from tests.every_page import PASSWORD, pages, sign_in_second_step

    context = browser.new_context(base_url=base_url, locale=LANGUAGES[language],
                                  viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(script))  # the page's CSP does not apply to init scripts
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    page.on("response", lambda r: errors.append(f"{r.request.method} {r.url}: {r.status}")
            if r.status >= 500 else None)
    page.on("console", lambda msg: errors.append(f"{page.url}: {msg.text}") if msg.type == "error"
            and "status of 4" not in msg.text else None)
    violations: list[Violation] = []
    listed = [p for p in pages(None, ids) if p.role == role]
    try:
        if role != "visitor":
            sign_in(page, ids.users[role], PASSWORD)
        for entry in listed:
            if entry.needs == "second_step":
                page.goto("/login")
                sign_in_second_step(lambda data: _post_login(page, data), ids)
            response = page.goto(entry.url)
            assert response is not None and response.status == entry.status, \
                f"{entry.name}: {response.status if response else None}"
            label = f"{entry.url} [{role}, {language}]"
            assert page.evaluate("document.documentElement.lang").lower().startswith(language[:2]), label
            violations += scan(page, label)
    finally:
        context.close()
    assert errors == [], f"JavaScript errors or CSP violations: {errors}"
    return violations, len(listed)


def _post_login(page, data: dict) -> None:
    page.fill("input[name=login]", data["login"])
    page.fill("input[name=password]", data["password"])
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def report(violations: list[Violation]) -> str:
    """Each rule, each element it flags (a CSS selector) and the pages it is on."""
    where: dict[tuple[str, str], dict[str, list[str]]] = {}
    for v in violations:
        for target in v.targets:
            where.setdefault((v.rule, f"{v.impact}: {v.help}"), {}).setdefault(target, []).append(v.url)
    lines = [f"{len(violations)} serious or critical accessibility violations on "
             f"{len({v.url for v in violations})} pages:"]
    for (rule, text), targets in sorted(where.items()):
        lines.append(f"{rule} ({text})")
        for target, urls in targets.items():
            more = " ..." if len(urls) > 6 else ""
            lines.append(f"    {target}  on {len(urls)} page(s): {', '.join(urls[:6])}{more}")
    return "\n".join(lines)
