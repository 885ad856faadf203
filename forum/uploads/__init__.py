"""Images in posts: uploaded, re-encoded (forum.uploads.images), served from /uploads/<key>, linked
to the posts that show them, swept when no post uses them."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.core import markup, signals
    from forum.uploads import (
        models,  # noqa: F401  (its tables, for the metadata)
        services,
    )
    from forum.uploads.cli import uploads_cli
    from forum.uploads.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(uploads_cli)
    markup.set_image_resolver(services.image_size)
    app.jinja_env.globals["post_uploads"] = services.uploads_in
    # The editor refuses an image above the cap before sending it, in the service's words.
    app.jinja_env.globals["upload_max_bytes"] = services.max_bytes
    app.jinja_env.globals["upload_too_large"] = services.too_large_message
    # Which posts show which uploads, kept in step with every save (held posts included: their
    # images are then not public, see services._public).
    for signal in (signals.question_asked, signals.question_edited, signals.answer_posted, signals.answer_edited,
                   signals.post_held, signals.post_released):
        signal.connect(services.on_post_saved, weak=False)
