"""The JSON API fuzzed from its own OpenAPI document with schemathesis: for every operation, as an
anonymous caller, a member and a staff member, no 5xx and no answer that contradicts the document
(undocumented status code, wrong content type, a body that does not match its schema).

Bounded: FORUM_FUZZ_EXAMPLES cases per operation and caller (default 6), derandomized so a CI run
is repeatable; FORUM_FUZZ_RANDOM=1 explores new cases each run (for a longer local session).
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks

from forum.auth import services as auth_services
from forum.auth.models import User
from forum.extensions import db
from forum.notifications import jobs
from tests.conftest import wipe

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FORUM_FUZZ_EXAMPLES", "6"))
RANDOM = os.environ.get("FORUM_FUZZ_RANDOM", "") == "1"
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]
# Revoking the caller's own token would turn every later case into a 401; tests/auth covers it.
SKIP = {("DELETE", "/tokens/current")}


@pytest.fixture
def demo(app):
    with app.app_context():
        from forum.demo import content
        from forum.demo.loader import load_demo

        load_demo(content)
        tokens = {}
        for role, username in (("member", "xiaoming"), ("staff", "support_lin")):
            user = db.session.scalar(db.select(User).filter_by(username=username))
            tokens[role] = auth_services.issue_token(user)
        db.session.commit()
        db.session.remove()
    yield tokens
    jobs.drain()
    wipe(app)


def _fuzzer(operation, headers: dict, counter: list):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=operation.as_strategy())
    def run(case):
        counter.append(1)
        case.call_and_validate(headers=headers, checks=CHECKS)
        jobs.drain()

    return run


def test_every_operation_keeps_to_its_document(app, demo):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    callers = {"anonymous": {}, **{role: {"Authorization": f"Bearer {token}"} for role, token in demo.items()}}
    # Schemathesis sends requests' Accept-Encoding (gzip, br, zstd) but its WSGI transport does not
    # decode what the forum then compresses (Flask-Compress); an HTTP client would.
    callers = {caller: {**headers, "Accept-Encoding": "identity"} for caller, headers in callers.items()}
    failures, calls = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        for caller, headers in callers.items():
            try:
                _fuzzer(operation, headers, calls)()
            except Exception as error:  # schemathesis raises a group of failures; keep them all
                failures.append(f"{operation.method.upper()} {operation.path} as {caller}:\n{error}"[:3000])
    assert len(calls) > 150, failures[:2]
    assert failures == [], "\n\n".join(failures)
