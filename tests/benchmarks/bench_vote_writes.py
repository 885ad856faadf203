"""What a vote costs: SQL statements in the service, and the indexer step that follows it.

    python tests/benchmarks/bench_vote_writes.py [--questions 10000] [--answers 3] [--votes 60]
                                                 [--database URL] [--backend whoosh|postgresql]

Seeds questions × (1 + answers) posts with `flask seed` in a fresh instance folder (the search
index built), then casts `--votes` upvotes through the service (votes.services.cast_vote), each on
the first answer of another thread (one below the first score badge, as most are), each in its own
unit of work as a request would, and after each one applies the search outbox (one indexer step,
indexer.process_batch). Prints:
- the SQL statements of the vote (transaction control left out), how many and which;
- the indexer step after a vote: milliseconds (median, p90) and the search documents written whole
  (threads rebuilt plus posts re-written) and scores changed in place;
- the same for an answer accepted and for a comment posted.
Asserts nothing (the machines are shared and noisy). It only uses interfaces that existed before
the lean-writes change, so it measures the code before and after alike.
"""
from __future__ import annotations

import argparse
import os
import statistics
from collections import Counter
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Spy:
    """Counts what the backend is asked to write, whatever the version of its interface."""

    def __init__(self, backend):
        self.docs = self.scores = self.threads = 0
        self._replace = backend.replace
        backend.replace = self.replace
        self._update = getattr(backend, "update_scores", None)
        if self._update is not None:
            backend.update_scores = self.update_scores

    def replace(self, question_ids, docs, *args, **kwargs):
        self.threads += len(question_ids)
        self.docs += len(docs)
        return self._replace(question_ids, docs, *args, **kwargs)

    def update_scores(self, scores):
        self.scores += len(scores)
        return self._update(scores)

    def take(self) -> tuple[int, int, int]:
        taken = (self.threads, self.docs, self.scores)
        self.docs = self.scores = self.threads = 0
        return taken


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=3)
    parser.add_argument("--votes", type=int, default=60)
    parser.add_argument("--database", default="", help="FORUM_DATABASE_URL (default: a fresh SQLite file)")
    parser.add_argument("--backend", default="whoosh", choices=["whoosh", "postgresql"])
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="forum-bench-vote-")
    env = {**os.environ, "FORUM_INSTANCE_PATH": instance, "FORUM_RATE_LIMITS": "off",
           "FORUM_SEARCH_BACKEND": args.backend, "FORUM_SEARCH_INDEXER": "manual"}
    if args.database:
        env["FORUM_DATABASE_URL"] = args.database
    flask = [sys.executable, "-m", "flask", "--app", "forum"]
    print(f"code: {ROOT}; database: {args.database or 'sqlite (instance folder)'}; search backend: {args.backend}")
    subprocess.run(flask + ["db", "upgrade"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    subprocess.run(flask + ["seed", "--questions", str(args.questions), "--answers", str(args.answers)],
                   env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    print(f"seeded {args.questions} questions x {args.answers} answers in {time.perf_counter() - started:.0f} s")

    os.environ.update(env)
    import sqlalchemy as sa

    from forum import create_app
    from forum.auth import services as auth
    from forum.core.db import unit_of_work
    from forum.extensions import db
    from forum.questions import services as questions
    from forum.questions.models import Answer, Question
    from forum.search import indexer
    from forum.search.backends import get_backend
    from forum.votes.services import cast_vote

    app = create_app()
    with app.app_context():
        indexer.process_all()
        spy = Spy(get_backend())
        with unit_of_work():
            voter = auth.register_user("bench-voter", "bench-voter@example.com", "correct horse battery",
                                       reputation=500)
        voter_id = voter.id
        rows = db.session.execute(
            sa.select(Answer.id, Answer.question_id, Question.author_id)
            .join(Question, Question.id == Answer.question_id)
            # Below the first score badge: a vote that awards one (once in a member's life per
            # badge; the seeder awards none) also writes the badge and its notice.
            .where(Answer.score < 4, Answer.deleted_at.is_(None), Answer.held_at.is_(None),
                   Question.deleted_at.is_(None), Question.held_at.is_(None), Question.accepted_answer_id.is_(None))
            .order_by(Answer.question_id, Answer.id)).all()
        first: dict[int, tuple[int, int]] = {}
        for answer_id, question_id, asker_id in rows:
            first.setdefault(question_id, (answer_id, asker_id))
        targets = list(first.items())[:: max(1, len(first) // max(1, args.votes))][:args.votes]

        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        def step() -> tuple[float, tuple[int, int, int]]:
            spy.take()
            started = time.perf_counter()
            indexer.process_batch()
            return (time.perf_counter() - started) * 1000, spy.take()

        def report(label: str, steps: list[tuple[float, tuple[int, int, int]]]) -> None:
            times = [ms for ms, _ in steps]
            threads = sum(t for _, (t, _d, _s) in steps) / len(steps)
            docs = sum(d for _, (_t, d, _s) in steps) / len(steps)
            scores = sum(s for _, (_t, _d, s) in steps) / len(steps)
            print(f"  indexer step after {label}: median {statistics.median(times):.1f} ms, "
                  f"p90 {percentile(times, 0.9):.1f} ms; per step: {threads:.1f} threads rebuilt, "
                  f"{docs:.1f} documents written whole, {scores:.1f} scores changed in place ({len(steps)} steps)")

        counts, steps = [], []
        for _question_id, (answer_id, _asker_id) in targets:
            voter = db.session.get(type(voter), voter_id)
            voter.reputation  # loaded, as a request's sign-in has it
            statements.clear()
            sa.event.listen(db.engine, "before_cursor_execute", record)
            with unit_of_work():
                cast_vote(voter, value=1, answer_id=answer_id)
            sa.event.remove(db.engine, "before_cursor_execute", record)
            counts.append([s for s in statements if not s.lstrip().upper().startswith(CONTROL)])
            steps.append(step())
        spread = Counter(map(len, counts))
        usual = spread.most_common(1)[0][0]
        print(f"vote (an upvote on an answer, {len(counts)} votes): SQL statements in the service "
              + ", ".join(f"{n} x{times}" for n, times in sorted(spread.items()))
              + " (x: how many votes)")
        for statement in next(c for c in counts if len(c) == usual):
            print("    " + " ".join(statement.split())[:110])
        report("a vote", steps)

        steps = []
        for question_id, (answer_id, asker_id) in targets[: max(1, len(targets) // 2)]:
            with unit_of_work():
                questions.accept_answer(db.session.get(type(voter), asker_id), answer_id)
            steps.append(step())
        report("an acceptance", steps)

        steps = []
        for question_id, (answer_id, _asker_id) in targets[: max(1, len(targets) // 2)]:
            with unit_of_work():
                questions.post_comment(db.session.get(type(voter), voter_id), answer_id=answer_id,
                                       body="谢谢，这个办法有用，我试过了。")
            steps.append(step())
        report("a comment", steps)


if __name__ == "__main__":
    main()
