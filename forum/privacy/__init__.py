"""Members' data rights (China's PIPL; the GDPR alike): a copy of everything a member gave or
holds, and the erasure of the account at their request, after a grace period in which signing in
cancels it. The community's posts stay readable under "deleted member #n"."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.core import signals
    from forum.privacy import services
    from forum.privacy.cli import privacy_cli
    from forum.privacy.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(privacy_cli)
    signals.erasure_cancelled.connect(services.log_cancellation)
