"""One transaction per command, committed at the boundary (forum.core.db, forum.web.boundary,
forum.core.commands): what a request, a CLI command or a job did stands only if it succeeded."""
from __future__ import annotations

import ast
from pathlib import Path

import click
import pytest
import sqlalchemy as sa

from forum.core import signals
from forum.core.commands import CommandGroup
from forum.core.db import on_commit, unit_of_work
from forum.core.errors import Conflict
from forum.extensions import db
from forum.questions.models import Answer, Question
from forum.tickets.models import Ticket

API = "/api/v1"
ANSWER = {"body": "在“我的订单”里找到这个订单，点“修改地址”，发货前都可以改。"}


def count(model) -> int:
    db.session.rollback()  # a fresh look at what is committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def thread(ctx, create_user, create_question, token_for):
    question = create_question()
    helper = create_user()
    headers = token_for(helper)
    db.session.commit()
    return question, headers


@pytest.fixture
def receiver():
    """Connect a temporary answer_posted receiver: it runs inside the command, after the answer was
    written (flushed) and before the request's commit."""
    connected = []

    def connect(fn):
        signals.answer_posted.connect(fn)
        connected.append(fn)

    yield connect
    for fn in connected:
        signals.answer_posted.disconnect(fn)


def test_a_request_that_raises_after_writing_leaves_nothing(client, thread, receiver, app):
    question, headers = thread

    def boom(sender, **kwargs):
        raise RuntimeError("a bug after the answer was written")

    receiver(boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.post(f"{API}/questions/{question.id}/answers", json=ANSWER, headers=headers)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert count(Answer) == 0
    assert db.session.get(Question, question.id).answer_count == 0


def test_a_request_answered_with_an_error_leaves_nothing(client, thread, receiver):
    """A domain error raised after the first writes (4xx): the whole request is rolled back."""
    question, headers = thread

    def refuse(sender, **kwargs):
        raise Conflict("refused after writing")

    receiver(refuse)
    response = client.post(f"{API}/questions/{question.id}/answers", json=ANSWER, headers=headers)
    assert response.status_code == 409 and response.get_json()["error"]["message"] == "refused after writing"
    assert count(Answer) == 0


def test_an_integrity_error_at_the_boundary_is_a_409_not_a_500(client, thread, receiver):
    question, headers = thread
    question_id = question.id

    def duplicate(sender, **kwargs):
        # Another row with the same primary key: the database refuses it.
        row = db.session.get(Question, question_id)
        db.session.execute(sa.insert(Question.__table__).values(
            **{c.name: getattr(row, c.key) for c in Question.__table__.columns}))

    receiver(duplicate)
    response = client.post(f"{API}/questions/{question.id}/answers", json=ANSWER, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert count(Answer) == 0


def test_a_successful_request_commits_once_and_runs_the_hooks_after(client, thread, receiver):
    question, headers = thread
    seen = []

    def hook(sender, **kwargs):
        on_commit(lambda: seen.append(("after commit", count_in_new_connection())))

    def count_in_new_connection():
        with db.engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(Answer))

    receiver(hook)
    response = client.post(f"{API}/questions/{question.id}/answers", json=ANSWER, headers=headers)
    assert response.status_code == 201
    assert seen == [("after commit", 1)]  # the hook ran once, and saw the answer committed
    assert count(Answer) == 1


def test_hooks_of_a_failed_request_never_run(client, thread, receiver):
    question, headers = thread
    seen = []

    def hook_then_refuse(sender, **kwargs):
        on_commit(lambda: seen.append("ran"))
        raise Conflict("refused")

    receiver(hook_then_refuse)
    assert client.post(f"{API}/questions/{question.id}/answers", json=ANSWER, headers=headers).status_code == 409
    assert seen == []


def test_a_form_shown_again_with_errors_rolls_back(client, ctx, create_user, login, create_question, receiver):
    """The web boundary: a 4xx page (the answer form with an error) commits nothing, even what a
    service wrote before the error."""
    question = create_question()
    user = create_user(reputation=50)
    login(user)

    def refuse(sender, **kwargs):
        from forum.core.errors import ValidationFailed

        raise ValidationFailed({"body": ["refused after writing"]})

    receiver(refuse)
    response = client.post(f"/questions/{question.id}/answers", data={"body": ANSWER["body"]})
    assert response.status_code in (400, 422)
    assert count(Answer) == 0


def test_unit_of_work_commits_on_success_and_rolls_back_on_failure(ctx, create_question):
    with unit_of_work():
        question = create_question()
    question_id = question.id
    db.session.rollback()
    assert db.session.get(Question, question_id) is not None
    with pytest.raises(RuntimeError):
        with unit_of_work():
            db.session.get(Question, question_id).title = "changed, then a failure"
            raise RuntimeError("failure")
    assert db.session.get(Question, question_id).title != "changed, then a failure"


def test_unit_of_work_turns_integrity_errors_into_conflict(ctx, create_question):
    with unit_of_work():
        question = create_question()
    row = {c.name: getattr(question, c.key) for c in Question.__table__.columns}
    with pytest.raises(Conflict):
        with unit_of_work():
            db.session.execute(sa.insert(Question.__table__).values(**row))
    assert count(Question) == 1


def test_a_cli_command_is_one_unit_of_work(app, ctx, runner, create_question):
    """Each command of a CommandGroup commits when it returns and rolls back when it fails."""
    group = CommandGroup("uow-test")
    question = create_question()
    db.session.commit()
    question_id = question.id

    @group.command("rename")
    @click.argument("title")
    @click.option("--fail", is_flag=True)
    def rename(title: str, fail: bool) -> None:
        db.session.get(Question, question_id).title = title
        if fail:
            raise click.ClickException("failed after writing")

    app.cli.add_command(group)
    try:
        assert runner.invoke(args=["uow-test", "rename", "Renamed by a failing command", "--fail"]).exit_code == 1
        db.session.rollback()
        assert db.session.get(Question, question_id).title != "Renamed by a failing command"
        assert runner.invoke(args=["uow-test", "rename", "Renamed by the command"]).exit_code == 0
        db.session.rollback()
        db.session.expire_all()
        assert db.session.get(Question, question_id).title == "Renamed by the command"
    finally:
        app.cli.commands.pop("uow-test", None)


def test_asking_with_private_details_is_one_transaction(ctx, create_user, monkeypatch):
    """The question and the ticket that takes its private passages commit together or not at all."""
    from forum.tickets import services as tickets

    asker = create_user(reputation=50)
    db.session.commit()

    def fails(*args, **kwargs):
        raise Conflict("the escalation failed")

    monkeypatch.setattr(tickets, "escalate_question", fails)
    with pytest.raises(Conflict):
        with unit_of_work():
            tickets.ask_with_private_details(
                asker, title="订单号 12345678901 的退款一直没到账", tags=["退款"], category="payments",
                body="我的订单号是 12345678901，手机 13812345678，退款一周了还没到账，怎么办？")
    assert count(Question) == 0 and count(Ticket) == 0


def test_publishing_a_resolution_is_one_transaction(ctx, create_user, create_question, monkeypatch):
    """The staff answer, its verification and the ticket's link: all or nothing."""
    from forum.tickets import services as tickets
    from forum.verification import services as verification

    asker = create_user(reputation=50)
    staff = create_user(role="staff")
    question = create_question(asker)
    ticket = tickets.escalate_question(asker, question.id, category="orders",
                                       description="社区没有解决，请官方帮忙看看这个订单地址问题。")
    db.session.commit()

    def fails(*args, **kwargs):
        raise Conflict("verification failed")

    monkeypatch.setattr(verification, "verify_answer", fails)
    with pytest.raises(Conflict):
        with unit_of_work():
            tickets.publish_resolution(staff, ticket.id, body="官方答复：发货前可以在订单详情页修改地址，已为你处理。")
    assert count(Answer) == 0
    assert db.session.get(Ticket, ticket.id).published_answer_id is None


# --- the rule, pinned: nothing but the unit of work commits ---------------------------------------


PACKAGE = Path(__file__).resolve().parents[2] / "forum"

# Where checkpoint() may be called, and why (forum.core.db.checkpoint).
CHECKPOINTS = {
    ("auth/services.py", "_claim_attempt"): "a sign-in attempt counts before its password is checked",
    ("auth/services.py", "_release_attempt"): "a right password gives its attempt back, whatever follows",
    ("auth/services.py", "_claim_trusted_attempt"): "the lockout exemption's budget, taken before the check",
    ("auth/services.py", "_touch_token"): "the token's last use: bookkeeping before the command",
    ("auth/services.py", "change_password"): "keep a password rehash when the change is refused",
    ("auth/services.py", "change_email"): "keep a password rehash when the change is refused",
    ("auth/services.py", "disable_totp"): "keep a password rehash when the change is refused",
    ("questions/services.py", "rerender_all"): "a maintenance pass keeps each finished batch",
}


def _calls(tree):
    """(enclosing function name, call node) for every call in the module."""
    def walk(node, function):
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Call):
                yield function, child
            yield from walk(child, name)

    yield from walk(tree, "<module>")


def _is_session(node) -> bool:
    """`db.session`, `session`, `self.session`, `db.session()`..."""
    if isinstance(node, ast.Call):
        node = node.func
    return (isinstance(node, ast.Attribute) and node.attr == "session") or (
        isinstance(node, ast.Name) and node.id == "session")


def test_only_the_unit_of_work_commits():
    commits, checkpoints = [], set()
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        for function, call in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "commit" and _is_session(func.value) \
                    and relative != "core/db.py":
                commits.append(f"{relative}:{call.lineno} in {function}")
            if (isinstance(func, ast.Name) and func.id == "checkpoint") or (
                    isinstance(func, ast.Attribute) and func.attr == "checkpoint"):
                checkpoints.add((relative, function))
    assert commits == [], "commit() outside forum/core/db.py: use the unit of work (services flush)"
    assert checkpoints - set(CHECKPOINTS) == set(), "checkpoint() in a place not listed (and justified) here"
    assert set(CHECKPOINTS) - checkpoints == set(), "a listed checkpoint() is gone: drop it from the list"


def test_the_rule_checker_sees_a_commit():
    """The checker itself: a service-style commit is found, a savepoint's or Whoosh's is not."""
    source = "def f():\n    db.session.commit()\n    savepoint.commit()\n    writer.commit()\n    session.commit()\n"
    found = [(fn, c.lineno) for fn, c in _calls(ast.parse(source))
             if isinstance(c.func, ast.Attribute) and c.func.attr == "commit" and _is_session(c.func.value)]
    assert found == [("f", 2), ("f", 5)]


def test_hooks_wait_for_the_real_commit_not_a_savepoint(ctx):
    """SQLAlchemy reports a released savepoint as a commit: the hooks must wait for the outer one
    (an e-mail or an index entry for a transaction that may still roll back)."""
    seen = []
    on_commit(lambda: seen.append("ran"))
    with db.session.begin_nested():
        pass
    assert seen == []
    db.session.rollback()
    assert seen == []
    on_commit(lambda: seen.append("ran"))
    with db.session.begin_nested():
        pass
    db.session.commit()
    assert seen == ["ran"]
