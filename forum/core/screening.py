"""The checkpoint every post passes before it is saved: features to the right (moderation)
answer the `post_screening` signal with a Verdict, and the post is saved as it says.

Kept here, in core, so that questions can ask without importing moderation."""
from __future__ import annotations

from dataclasses import dataclass, field

from forum.core import signals


@dataclass
class Verdict:
    """What a screener decided: `texts` replaces the checked texts (censored or with private data
    removed); `hold` (a HoldReason value) keeps the post out of sight until reviewed, `detail`
    says why for the moderator (masked). `warnings` are what the author should hear of although
    the post is saved (order numbers, addresses): [{"field", "kind", "label", "masked"}]."""

    texts: dict[str, str] = field(default_factory=dict)
    hold: str | None = None
    detail: str = ""
    warnings: list[dict] = field(default_factory=list)


def screen(kind: str, actor, texts: dict[str, str], *, private_data: str = "", question=None) -> Verdict:
    """Run every screener; exceptions (refusals) propagate. Returns the merged verdict.

    `kind` is "question", "answer" or "comment" for posts, "username" (actor None: the account does
    not exist yet) or "profile" for what an account shows to everyone. A caller that cannot hold its
    text for review (a name, a profile) refuses it when the verdict would hold it."""
    merged = Verdict(texts=dict(texts))
    for _receiver, verdict in signals.post_screening.send(kind, actor=actor, texts=dict(texts),
                                                           private_data=private_data, question=question):
        if verdict is None:
            continue
        merged.texts.update(verdict.texts)
        merged.warnings.extend(verdict.warnings)
        if verdict.hold and not merged.hold:
            merged.hold, merged.detail = verdict.hold, verdict.detail
    return merged
