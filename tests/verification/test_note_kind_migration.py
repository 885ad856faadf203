"""Migration 0024: the resolution notes stored as text (in either language) become the kind
`resolution`; other notes stay; the translated reasons the ticket history now tells are emptied."""
from __future__ import annotations

import sqlalchemy as sa

from forum import create_app
from forum import settings as config
from forum.extensions import db


def test_stored_resolution_texts_become_the_kind(tmp_path):
    settings = {k: getattr(config.TestConfig, k) for k in dir(config.TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'migrate.sqlite3'}",
                    FORUM_SEARCH_INDEX=str(tmp_path / "index"), FORUM_INSTANCE_PATH=str(tmp_path))
    app = create_app(settings)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="0022")
        raw = db.engine.raw_connection()  # autocommit, outside SQLAlchemy's BEGIN: the pragma applies
        try:
            raw.execute("PRAGMA foreign_keys=OFF")  # the rows below stand alone
            notes = ["官方客服的解决方案", "Resolution from official support", "核对了退款规则"]
            for n, note in enumerate(notes, start=1):
                raw.execute("INSERT INTO verifications (id, answer_id, verified_by_id, revision_number, note, "
                            "created_at, end_reason) VALUES (?, ?, 1, 1, ?, CURRENT_TIMESTAMP, '')", (n, n, note))
                raw.execute("INSERT INTO verification_audit (id, answer_id, question_id, actor_id, action, "
                            "revision_number, text, created_at) VALUES (?, ?, 1, 1, 'verify', 1, ?, CURRENT_TIMESTAMP)",
                            (n, n, note))
            events = [("tier", None, "SLA 已超时：已自动升级"), ("tier", 1, "需要技术排查"),
                      ("status", 1, "已合并到 TP-2026-000002"), ("status", 1, "Merged into TP-2026-000003"),
                      ("status", 1, "用户已确认")]
            for n, (kind, actor, reason) in enumerate(events, start=1):
                raw.execute("INSERT INTO ticket_events (id, ticket_id, actor_id, kind, old, new, reason, internal, "
                            "created_at) VALUES (?, 1, ?, ?, '1', '2', ?, 0, CURRENT_TIMESTAMP)",
                            (n, actor, kind, reason))
            raw.execute("PRAGMA foreign_keys=ON")
        finally:
            raw.close()
        upgrade(revision="0024")
        with db.engine.connect() as conn:
            verifications = conn.execute(sa.text("SELECT note, note_kind FROM verifications ORDER BY id")).all()
            audit = conn.execute(sa.text("SELECT text, note_kind FROM verification_audit ORDER BY id")).all()
            reasons = conn.execute(sa.text("SELECT reason FROM ticket_events ORDER BY id")).scalars().all()
        expected = [("", "resolution"), ("", "resolution"), ("核对了退款规则", None)]
        assert [tuple(r) for r in verifications] == expected and [tuple(r) for r in audit] == expected
        assert reasons == ["", "需要技术排查", "", "", "用户已确认"]
        db.session.remove()
        db.engine.dispose()
