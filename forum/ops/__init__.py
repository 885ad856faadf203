"""Operations: /healthz, /readyz, /metrics, and the heartbeats of the processes beside the web workers.

Two layers live here. `models` and `heartbeats` import only `forum.core` and `forum.extensions`, so
the search indexer and the jobs worker (features to the left) may write their heartbeats; `services`
(the readiness report), `metrics` and `views` read every feature and stand at the right end, beside
`pages`, `api` and `admin`.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.ops import models  # noqa: F401  (its tables, for the metadata)
    from forum.ops import views

    app.register_blueprint(views.bp)
    views.init_app(app)  # readiness, metrics (request hooks, /metrics access)
