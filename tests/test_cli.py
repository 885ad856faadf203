import sqlalchemy as sa

from forum.auth.models import Role, User
from forum.extensions import db
from forum.questions.models import Answer, Question, Revision


def test_users_create_with_role_and_reputation(runner):
    result = runner.invoke(args=["users", "create", "客服小林", "--email", "lin@example.com", "--password",
                                 "staff-password", "--role", "staff", "--reputation", "500"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "客服小林"))
    assert user.role is Role.STAFF and user.reputation == 500
    again = runner.invoke(args=["users", "create", "客服小林", "--email", "x@example.com", "--password", "pw-123456"])
    assert again.exit_code == 1 and "username" in again.output
    bad = runner.invoke(args=["users", "create", "ok_name", "--email", "x@example.com", "--password", "pw",
                              "--role", "emperor"])
    assert bad.exit_code != 0
    result = runner.invoke(args=["users", "set-role", "客服小林", "admin"])
    assert result.exit_code == 0
    db.session.refresh(user)
    assert user.role is Role.ADMIN


def test_demo_loads_once_and_prints_logins(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "xiaoming" in first.output and "laowang" in first.output and "support_lin" in first.output
    counts = (db.session.scalar(sa.select(sa.func.count()).select_from(Question)),
              db.session.scalar(sa.select(sa.func.count()).select_from(Answer)))
    assert counts[0] >= 15 and counts[1] >= 15
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "0 accounts and 0 questions" in second.output
    assert (db.session.scalar(sa.select(sa.func.count()).select_from(Question)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Answer))) == counts
    roles = {u.username: u.role for u in db.session.scalars(sa.select(User))}
    assert roles["support_lin"] is Role.STAFF and roles["xiaoming"] is Role.MEMBER
    chinese = db.session.scalar(sa.select(sa.func.count()).select_from(Question).where(Question.title.like("%订单%")))
    assert chinese >= 1


def test_seed_makes_consistent_data(runner, client):
    result = runner.invoke(args=["seed", "--questions", "60", "--answers", "2", "--seed", "7", "--history", "0"])
    assert result.exit_code == 0, result.output
    questions = db.session.scalar(sa.select(sa.func.count()).select_from(Question))
    answers = db.session.scalar(sa.select(sa.func.count()).select_from(Answer))
    assert questions == 60
    assert db.session.scalar(sa.select(sa.func.sum(Question.answer_count))) == answers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == questions + answers
    assert client.get("/?tab=votes").status_code == 200
    # New rows after seeding get fresh ids (PostgreSQL sequences were moved on).
    from forum.questions import services

    user = db.session.scalar(sa.select(User).limit(1))
    services.ask_question(user, title="播种之后再提一个问题可以吗", body="检查播种以后数据库的自增主键仍然可以正常工作。", tags=["测试"],
                          category="other")


def test_seed_makes_support_history(runner):
    """Issue 22: beside the questions, `seed` makes the demo's kinds of history at scale."""
    from forum.insights.models import SearchEvent
    from forum.tickets.models import Status, Ticket

    result = runner.invoke(args=["seed", "--questions", "50", "--answers", "1", "--seed", "3", "--history", "200"])
    assert result.exit_code == 0, result.output
    assert "200 questions of support history" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 250
    assert db.session.scalar(sa.select(sa.func.sum(Question.answer_count))) == \
        db.session.scalar(sa.select(sa.func.count()).select_from(Answer))
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Ticket.question_id)))) >= 45
    assert set(db.session.scalars(sa.select(Ticket.status).distinct())) == set(Status)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchEvent)) > 200


def test_posts_rerender(runner, create_question):
    create_question()
    result = runner.invoke(args=["posts", "rerender"])
    assert result.exit_code == 0 and "re-rendered 1 posts" in result.output


def test_start_command_migrates_loads_demo_and_serves(tmp_path):
    """The README's run command, end to end, on a fresh instance folder, started from a directory
    other than the checkout (as a service manager without a working directory would)."""
    import os
    import subprocess
    import sys

    from tests.serving import fetch, free_port, wait_until_serving

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_") and k != "PYTHONPATH"}
    env["FORUM_INSTANCE_PATH"] = str(tmp_path / "instance")
    # Its output goes to a file, not a pipe: the demo's logged e-mails fill a pipe's 64 KiB, and a
    # child writing to a full pipe that nobody reads stops before it serves.
    log_path = tmp_path / "start.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "forum", "start", "--port", str(port)],
                                   env=env, cwd=elsewhere, stdout=log_file, stderr=subprocess.STDOUT, text=True)
        try:
            body = wait_until_serving(process, f"http://127.0.0.1:{port}/")
            assert "全部问题" in body and "订单" in body
            assert "font" in fetch(f"http://127.0.0.1:{port}/static/css/forum.css")
            assert (tmp_path / "instance" / "forum.sqlite3").exists()
        finally:
            process.terminate()
            process.wait(timeout=20)
    output = log_path.read_text()
    assert "xiaoming" in output and "demo-staff-2026" in output
    # The same lines as `demo` prints, the support history's included.
    assert "questions of support history over the last 60 days" in output
    # The logins come last, after the e-mails the demo's history sent, right above the address.
    tail = output[output.index("Demo accounts"):]
    assert "demo-staff-2026" in tail and "The forum is at" in tail and "e-mail (no FORUM_MAIL_SERVER" not in tail
    assert list(elsewhere.iterdir()) == [], "nothing is written into the working directory"
