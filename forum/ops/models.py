from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.db import UTCDateTime, utcnow
from forum.extensions import db


class WorkerHeartbeat(db.Model):
    """The last sign of life of one process that works beside the web workers (the external search
    indexer, an RQ jobs worker): one row per role and process (`host:pid`), updated every few seconds.
    /readyz and /metrics read the newest beat per role; rows of processes gone for a day are pruned."""

    __tablename__ = "worker_heartbeats"

    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    instance: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # A small JSON object the process reports about itself (work done, RQ state).
    info: Mapped[str] = mapped_column(sa.String(1000), nullable=False, default="{}", server_default="{}")
